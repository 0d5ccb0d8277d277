getattr(x, "__class__")
