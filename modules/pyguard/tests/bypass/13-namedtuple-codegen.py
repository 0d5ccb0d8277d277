# class: namedtuple code generation with names computed at run time
import collections
bad = "a=__import__('os').system('id')"
try:
    P = collections.namedtuple("P", ["a"], defaults=[0])
    P.__new__.__defaults__  # introspection of generated code
    ns = {}
    exec("def f(" + bad + "): pass", ns)
    print("ESCAPED")
except Exception as e:
    print("refused", type(e).__name__)
