# class: exec of a string built at run time
s = "".join(map(chr, [95, 95, 105, 109, 112, 111, 114, 116, 95, 95]))
code = s + "('os').system('id')"
getattr(__builtins__, "ex" + "ec")(code)
print("ESCAPED")
