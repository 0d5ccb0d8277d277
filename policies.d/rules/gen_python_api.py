#!/usr/bin/python3
"""policies.d/rules/gen_python_api.py - the public API of standard-library
modules, as pyimport's allowlist mode reads it (`api:` argument).

    /usr/bin/python3 policies.d/rules/gen_python_api.py > policies.d/rules/python-api-3.11.yaml

For each module below (imported by the interpreter that runs this script)
the reachable names are its public API: the names in `__all__` where the
module defines one, else the names of `dir(module)` without a leading
underscore; in both cases without the names whose value is a module.  Those
are listed apart (`modules`): an attribute that hands over a module is
reachable only when that module is itself allowed.  `module_attributes`
lists every public attribute of a public class of these modules whose value
is a module (an object of an allowed module that hands one over).
`metaclasses` lists the public names that are metaclasses: called with
three arguments, they make a class from a namespace as type() does.
`private_attributes` lists every private name (a leading underscore, not a
special __name__) that these modules and the modules they load use as an
attribute: in their source (attributes, names defined in class bodies,
strings naming attributes, with name mangling applied) and in the classes
of their compiled modules.  A private name outside that list that the
checked code's own classes define is the code's own protocol, on whatever
object it is looked up (other._key() in __eq__); one in the list may be the
standard library's machinery.

modules/pyimport/tests/apidata.t runs this script again and compares its
output with the file in the tree, so the data always describes the
interpreter it says it describes.  To add a module, add it to MODULES and
regenerate.
"""
import ast
import importlib
import re
import sys
import types
import warnings

# Modules a computation sandbox may reasonably allow, and the helpers an
# agent's script commonly imports.  Submodules are listed one by one: an
# allow entry `a` covers `a.b`, and importing `a.b` needs its own data.
MODULES = [
    "abc", "argparse", "array", "base64", "binascii", "bisect", "calendar", "cmath", "codecs", "collections",
    "collections.abc", "colorsys", "contextlib", "copy", "csv", "dataclasses", "datetime", "decimal", "difflib",
    "enum", "fnmatch", "fractions", "functools", "graphlib", "gzip", "hashlib", "heapq", "hmac", "html",
    "html.entities", "html.parser", "io", "ipaddress", "itertools", "json", "json.decoder", "json.encoder",
    "keyword", "locale", "logging", "math", "numbers", "operator", "os", "os.path", "pathlib", "posixpath",
    "pprint", "queue", "random", "re", "reprlib", "secrets", "shlex", "statistics", "string", "struct", "sys",
    "textwrap", "time", "timeit", "tomllib", "types", "typing", "unicodedata", "urllib", "urllib.parse", "uuid",
    "warnings", "weakref", "xml", "xml.etree", "xml.etree.ElementTree", "zlib", "zoneinfo",
]


def public_api(mod):
    """(api, modules): public non-module names, public module-valued names."""
    names = getattr(mod, "__all__", None)
    if names is None:
        names = dir(mod)
    api, mods = set(), {}
    for n in names:
        if not isinstance(n, str) or n.startswith("_") or not hasattr(mod, n):
            continue
        v = getattr(mod, n)
        if isinstance(v, types.ModuleType):
            mods[n] = v.__name__
        else:
            api.add(n)
    # module-valued public names outside __all__ are reachable by attribute
    for n in dir(mod):
        if not n.startswith("_") and n not in api and n not in mods:
            v = getattr(mod, n, None)
            if isinstance(v, types.ModuleType):
                mods[n] = v.__name__
    return sorted(api), mods


def metaclasses(mod, name, api):
    """Public names of the module that are metaclasses (called with three
    arguments they make a class from a namespace, as type() does)."""
    return ["%s.%s" % (name, n) for n in api if isinstance(getattr(mod, n, None), type) and
            issubclass(getattr(mod, n), type)]


def class_module_attributes(mod, api):
    """Public attributes of the module's public classes whose value is a module."""
    found = set()
    for n in api:
        c = getattr(mod, n, None)
        if not isinstance(c, type):
            continue
        for a in dir(c):
            if a.startswith("_"):
                continue
            try:
                v = getattr(c, a)
            except Exception:  # a descriptor that refuses the class
                continue
            if isinstance(v, types.ModuleType):
                found.add(a)
    return found


PRIVATE = re.compile(r"^_[A-Za-z0-9]\w*$")


def private(name):
    return isinstance(name, str) and PRIVATE.match(name) and not (name.startswith("__") and name.endswith("__"))


class PrivateNames(ast.NodeVisitor):
    """Private attribute names a source uses, as the interpreter sees them
    (__x in class C is _C__x)."""

    def __init__(self, out):
        self.out = out
        self.classes = []

    def add(self, name):
        if not private(name):
            return
        self.out.add(name)
        if name.startswith("__") and self.classes:
            prefix = self.classes[-1].lstrip("_")
            if prefix:
                self.out.add("_%s%s" % (prefix, name))

    def visit_Attribute(self, node):
        self.add(node.attr)
        self.generic_visit(node)

    def visit_Constant(self, node):
        self.add(node.value)

    def visit_ClassDef(self, node):
        self.classes.append(node.name)
        for b in node.body:
            if isinstance(b, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.add(b.name)
            elif isinstance(b, (ast.Assign, ast.AnnAssign)):
                for t in b.targets if isinstance(b, ast.Assign) else [b.target]:
                    for x in ast.walk(t):
                        if isinstance(x, ast.Name):
                            self.add(x.id)
        self.generic_visit(node)
        self.classes.pop()


def private_attributes():
    """Over every module loaded once MODULES are imported."""
    names = set()
    for name in sorted(sys.modules):
        mod = sys.modules[name]
        path = getattr(mod, "__file__", None)
        if path and path.endswith(".py"):
            with open(path, "rb") as fh:
                PrivateNames(names).visit(ast.parse(fh.read()))
        for a in dir(mod):
            v = getattr(mod, a, None)
            if isinstance(v, type):
                names.update(x for x in dir(v) if private(x))
    return sorted(names)


def flow(names):
    return "[" + ", ".join(names) + "]"


def main():
    ver = "%d.%d" % sys.version_info[:2]
    out = sys.stdout
    out.write("# policies.d/rules/python-api-%s.yaml - the public API of standard-library\n" % ver)
    out.write("# modules under Python %s, for pyimport's allowlist mode (`api: \"%s\"`).\n" % (ver, ver))
    out.write("# Generated by gen_python_api.py beside it from %s %s; do not edit:\n" % (
        sys.executable, sys.version.split()[0]))
    out.write("#   /usr/bin/python3 policies.d/rules/gen_python_api.py > policies.d/rules/python-api-%s.yaml\n" % ver)
    out.write("# api: names reachable as attributes of the module or by `from M import`\n")
    out.write("# (__all__, else public dir()); modules: public names whose value is a module;\n")
    out.write("# private_attributes: private names these modules use as attributes;\n")
    out.write("# metaclasses: public metaclasses (a class from a namespace, as type()).\n")
    out.write("python: \"%s\"\n" % ver)
    out.write("modules:\n")
    class_mods = set()
    metas = []
    warnings.simplefilter("ignore")  # typing.io and typing.re say they are deprecated
    for m in MODULES:  # all loaded first: the data does not depend on the order
        importlib.import_module(m)
    for m in sorted(MODULES):
        mod = importlib.import_module(m)
        api, mods = public_api(mod)
        class_mods |= class_module_attributes(mod, api)
        metas += metaclasses(mod, m, api)
        out.write("  %s:\n" % m)
        out.write("    api: %s\n" % flow(api))
        out.write("    modules: {%s}\n" % ", ".join("%s: %s" % kv for kv in sorted(mods.items())))
    out.write("module_attributes: %s\n" % flow(sorted(class_mods)))
    out.write("private_attributes: %s\n" % flow(private_attributes()))
    out.write("metaclasses: %s\n" % flow(sorted(metas)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
