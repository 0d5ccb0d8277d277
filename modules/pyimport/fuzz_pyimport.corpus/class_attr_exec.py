class P:
    __getitem__ = exec
P()["import os"]
