str.format('{0.__init__.__globals__}', f)
