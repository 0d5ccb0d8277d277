@eval
class C: pass
