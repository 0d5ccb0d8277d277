(lambda: 0).__code__
