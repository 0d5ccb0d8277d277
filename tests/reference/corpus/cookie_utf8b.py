#!/usr/bin/python3
# vim: set fileencoding=utf8 :
x = 1
