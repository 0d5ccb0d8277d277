fmt = "{x.__cl" + "ass__}"
print(fmt.format_map({"x": 1}))
