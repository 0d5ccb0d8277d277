import subprocess as sp
