x = 1.5else_
