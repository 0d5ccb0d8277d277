f.__defaults__
