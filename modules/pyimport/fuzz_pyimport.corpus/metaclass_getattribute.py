class M(type):
    def __getattribute__(cls, name): return 1
