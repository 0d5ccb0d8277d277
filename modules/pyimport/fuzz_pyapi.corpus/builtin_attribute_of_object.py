import enum
class Proxy:
    pass
p = Proxy()
p.__dict__ if False else None
print(getattr(p, "x", enum.bltns).exec)
