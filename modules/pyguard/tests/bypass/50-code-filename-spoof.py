# class: code claiming to be library code (compile under a library file name)
import json
c = compile("import os\nos.getcwd()", json.__file__, "exec")
exec(c)
print("ESCAPED")
