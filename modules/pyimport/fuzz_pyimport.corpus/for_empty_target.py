for () in x: pass
