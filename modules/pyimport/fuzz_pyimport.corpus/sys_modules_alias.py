import sys as s
m = s.modules
