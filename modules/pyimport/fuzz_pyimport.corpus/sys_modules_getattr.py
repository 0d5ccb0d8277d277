import sys
getattr(sys, "modules")
