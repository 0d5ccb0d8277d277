# class: __import__ of a module the allowlist does not cover
m = __builtins__.__import__("subpro" + "cess")
print("ESCAPED", m.run(["id"], capture_output=True).stdout)
