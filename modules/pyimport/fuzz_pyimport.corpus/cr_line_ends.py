x = 1import subprocess
