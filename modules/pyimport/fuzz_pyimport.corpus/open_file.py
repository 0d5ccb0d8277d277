open("/etc/passwd").read()
