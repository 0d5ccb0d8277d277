__build_class__(lambda: None, "X")
