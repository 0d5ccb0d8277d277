def f():
    x = 1
  # odd comment
    return x
