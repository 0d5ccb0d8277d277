e = eval
e("1")
