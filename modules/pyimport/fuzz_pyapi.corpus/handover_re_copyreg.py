import re
print(re.copyreg.dispatch_table)
