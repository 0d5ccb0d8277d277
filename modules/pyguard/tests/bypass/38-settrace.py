# class: a trace function sees every frame (sys.settrace)
import typing
typing.sys.settrace(lambda *a: None)
print("ESCAPED")
