import string
string.Formatter().vformat(a + b, (f,), {})
