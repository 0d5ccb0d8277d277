from ... import a
from .... import b
from .a.b import c
