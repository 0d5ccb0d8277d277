x = f"{getattr(o, "__class__")}"
