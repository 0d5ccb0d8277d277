from importlib import import_module
