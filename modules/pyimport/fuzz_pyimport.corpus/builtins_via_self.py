b = print.__self__
b.exec("import os")
