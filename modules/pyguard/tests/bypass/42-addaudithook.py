# class: an audit hook of the program's own sees the guard's internal events
import typing
typing.sys.addaudithook(lambda e, a: None)
print("ESCAPED")
