# class: importlib reached through sys.modules of an allowed module
import typing
il = typing.sys.modules["importlib"]
s = il.import_module("sock" + "et")
print("ESCAPED", s.socketpair())
