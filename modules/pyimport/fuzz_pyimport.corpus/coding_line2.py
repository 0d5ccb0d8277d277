#!/usr/bin/python3
# vim: set fileencoding=cp1252 :
x = 1
