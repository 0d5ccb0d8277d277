from json import codecs as c
print(c.open("/etc/passwd").read())
