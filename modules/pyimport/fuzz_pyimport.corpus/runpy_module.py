import runpy
