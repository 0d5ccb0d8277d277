import os.path
print(os.path.os.getpid())
