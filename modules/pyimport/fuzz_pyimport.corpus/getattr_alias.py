g = getattr
