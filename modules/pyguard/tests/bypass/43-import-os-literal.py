# class: importing a module outside the allowlist that is already loaded
import os
print("ESCAPED", os.getcwd())
