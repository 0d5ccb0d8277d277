if True:
  pass
