# class: frames: sys._getframe and f_back / f_globals
import typing
f = typing.sys._getframe(0)
print("ESCAPED", f.f_globals.keys())
