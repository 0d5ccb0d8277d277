# class: bytecode from data (marshal), the import system's own module
import typing
marshal = typing.sys.modules["marshal"]
data = marshal.dumps(compile("import os; os.system('id')", "x", "exec"))
exec(marshal.loads(data))
print("ESCAPED")
