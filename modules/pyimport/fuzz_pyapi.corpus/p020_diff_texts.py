import difflib

old = """def greet(name):
    print("Hello " + name)

greet("world")
""".splitlines(keepends=True)

new = """def greet(name, punctuation="!"):
    print(f"Hello {name}{punctuation}")

greet("world")
greet("cordon", "?")
""".splitlines(keepends=True)

print("".join(difflib.unified_diff(old, new, fromfile="a/greet.py", tofile="b/greet.py")))
ratio = difflib.SequenceMatcher(None, "".join(old), "".join(new)).ratio()
print(f"similarity: {ratio:.2%}")
print(difflib.get_close_matches("appel", ["ape", "apple", "peach", "puppy"]))
