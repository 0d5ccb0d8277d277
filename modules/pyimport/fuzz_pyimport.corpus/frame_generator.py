def g(): yield
g().gi_frame.f_globals
