#!/usr/bin/python3
"""tests/reference/pyimport_ref.py - pyimport's checks written over CPython's
own ast, to compare cordon's C tokenizer, parser and checks against.

    pyimport_ref.py [--mode denylist|allowlist] [--deny M,M] [--allow M,M] FILE...

prints a JSON array of {"file", "verdict", "findings": [{"rule", "name",
"line", "column"}]} (column 1-based: CPython's col_offset + 1), the shape of
`cordon check --json`.  The rules are those of modules/pyimport/check.c;
change both or neither.
"""
import ast
import codecs
import io
import json
import re
import sys
import tokenize

ESCAPE = {
    "__class__", "__base__", "__bases__", "__mro__", "__subclasses__", "__globals__", "__builtins__",
    "__code__", "__dict__", "__getattribute__", "__self__", "__spec__", "__closure__", "__func__",
    "__defaults__", "__kwdefaults__", "__traceback__", "__objclass__", "__reduce__", "__reduce_ex__",
    "f_back", "f_globals", "f_builtins", "f_locals", "f_code", "gi_frame", "gi_code", "cr_frame",
    "cr_code", "ag_frame", "ag_code", "tb_frame", "tb_next", "_getframe", "__annotations__",
}
STRING_EVAL = {"get_type_hints", "ForwardRef", "_eval_type", "_evaluate", "singledispatch", "singledispatchmethod",
               "get_annotations"}
DYNAMIC = {"__import__", "__loader__", "load_module", "exec_module", "import_module"}
BANNED = {"eval", "exec", "compile", "open", "input", "breakpoint", "globals", "locals", "vars", "help",
          "__build_class__"}
GETATTR = {"getattr", "setattr", "delattr"}
ATTRGETTER = {"attrgetter", "methodcaller"}
FORMAT = {"format", "format_map", "vformat"}
DYNAMIC_MODULES = ["importlib", "imp", "runpy", "zipimport", "pkgutil"]
DANGEROUS_MODULES = {
    "os", "posix", "nt", "sys", "subprocess", "shutil", "socket", "ctypes", "inspect", "importlib", "builtins",
    "gc", "signal", "pty", "io", "pathlib", "tempfile", "multiprocessing", "threading", "thread", "asyncio",
    "pickle", "marshal", "code", "codeop", "runpy", "imp", "zipimport", "pkgutil", "types",
}
MAX_FINDINGS = 5000
MAX_BYTES = 8 << 20

COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.ASCII)
BLANK = re.compile(rb"^[ \t\f]*(?:#|$)")
IDCHARS = re.compile(r"[A-Za-z0-9_]*")


def sensitive(s):
    return (s in ESCAPE or s in DYNAMIC or s in BANNED or s in GETATTR or s in ATTRGETTER or s == "modules"
            or s in STRING_EVAL)


def name_matches(name, entry):
    return name == entry or name.startswith(entry + ".")


class Config:
    def __init__(self, mode="denylist", allow=(), deny=()):
        self.allowlist = mode == "allowlist"
        self.allow = list(allow)
        self.deny = list(deny)

    def denied(self, name):
        if name_matches(name, "__future__"):
            return False
        if self.allowlist:
            return not any(name_matches(name, a) for a in self.allow) or any(name_matches(name, d) for d in self.deny)
        return any(name_matches(name, d) for d in self.deny)


def has_name_escape(body):
    """Does a non-raw str literal body contain a \\N{...} escape?"""
    i = 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            if body[i + 1] == "N" and i + 2 < len(body) and body[i + 2] == "{":
                return True
            i += 2
            continue
        i += 1
    return False


def unknown_string_nodes(text, tree):
    """Outermost string nodes whose source has a \\N{...} escape (their value
    is not known to the C checker, which has no Unicode name table)."""
    if "\\N{" not in text:
        return set()
    outer = []

    def collect(n, inside):
        is_str = isinstance(n, ast.JoinedStr) or (isinstance(n, ast.Constant) and isinstance(n.value, (str, bytes)))
        if is_str and not inside:
            outer.append(n)
        for c in ast.iter_child_nodes(n):
            collect(c, inside or isinstance(n, ast.JoinedStr))

    collect(tree, False)
    lines = text.split("\n")
    flagged = set()
    # Python 3.12 and later tokenize f-strings into parts (PEP 701): the
    # literal parts of those that are not raw
    fstring_raw = []
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        kind = tokenize.tok_name.get(tok.type)
        if kind == "FSTRING_START":
            fstring_raw.append("r" in tok.string.lower())
            continue
        if kind == "FSTRING_END":
            fstring_raw.pop()
            continue
        if kind == "FSTRING_MIDDLE":
            # tokenize shows "{{" as "{": a \N escape's braces are kept
            if fstring_raw[-1] or not has_name_escape(tok.string):
                continue
        elif tok.type != tokenize.STRING:
            continue
        else:
            s = tok.string
            k = 0
            while s[k] not in "'\"":
                k += 1
            prefix = s[:k].lower()
            if "r" in prefix or "b" in prefix:
                continue
            q = 3 if s[k:k + 3] in ('"""', "'''") else 1
            if not has_name_escape(s[k + q:len(s) - q]):
                continue
        line, ccol = tok.start
        bcol = len(lines[line - 1][:ccol].encode("utf-8", "surrogatepass"))
        for n in outer:
            if (n.lineno, n.col_offset) <= (line, bcol) < (n.end_lineno, n.end_col_offset):
                flagged.add(id(n))
    return flagged


class Walk:
    def __init__(self, cfg, unknown):
        self.cfg = cfg
        self.unknown = unknown
        self.findings = []
        self.fs = None
        self.unknown_str = False

    def emit(self, rule, name, node):
        if len(self.findings) >= MAX_FINDINGS:
            return
        line, col = self.fs if self.fs else (node.lineno, node.col_offset)
        self.findings.append({"rule": rule, "name": name, "line": line, "column": col + 1})

    def known_str(self, n):
        return isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in self.unknown

    def check_ident(self, s, at):
        if s is None:
            return
        if s in ESCAPE:
            self.emit("escape-attribute", s, at)
        elif s in DYNAMIC:
            self.emit("dynamic-import", s, at)

    def module_attr(self, s):
        s = s.lstrip("_")
        if not s:
            return False
        hit = s in DANGEROUS_MODULES or s in self.cfg.deny
        if hit and self.cfg.allowlist and any(name_matches(s, a) for a in self.cfg.allow) and \
                not any(name_matches(s, d) for d in self.cfg.deny):
            hit = False
        return hit

    def check_attrlike(self, s, at):
        if s is not None and self.module_attr(s):
            self.emit("module-attribute", s, at)
        if s in STRING_EVAL:
            self.emit("string-eval", s, at)
        elif s == "modules":
            self.emit("dynamic-import", s, at)
        else:
            self.check_ident(s, at)

    def scan_format(self, n):
        s = n.value
        i = 0
        while i < len(s):
            if s[i] != "{":
                i += 1
                continue
            j = i + 1
            while j < len(s) and s[j] != "}":
                if s[j] == ".":
                    m = IDCHARS.match(s, j + 1)
                    name = m.group(0)
                    if name in ESCAPE:
                        self.emit("escape-attribute", name, n)
                    elif name in DYNAMIC:
                        self.emit("dynamic-import", name, n)
                    j = m.end()
                    continue
                j += 1
            i = min(j, len(s)) + 1

    def check_string(self, n):
        if not isinstance(n.value, str) or self.unknown_str or id(n) in self.unknown:
            return
        if "\0" not in n.value:
            if n.value in ESCAPE:
                self.emit("escape-attribute", n.value, n)
            elif n.value in DYNAMIC:
                self.emit("dynamic-import", n.value, n)
        self.scan_format(n)

    def getattr_ok(self, call, attrgetter, which):
        if call is None:
            return False
        a = call.args
        if not attrgetter:
            if len(a) < 2 or isinstance(a[0], ast.Starred) or isinstance(a[1], ast.Starred):
                return False
            return self.known_str(a[1]) and "\0" not in a[1].value and not sensitive(a[1].value)
        if not a:
            return False
        names = a[:1] if which == "methodcaller" else a
        for x in names:
            if isinstance(x, ast.Starred) or not self.known_str(x) or "\0" in x.value:
                return False
            s = x.value
            while s:
                part, _, rest = s.partition(".")
                if len(part.encode("utf-8", "surrogatepass")) >= 128 or sensitive(part):
                    return False
                s = rest
        return True

    def walk_name(self, n, call):
        s = n.id
        if s in ESCAPE or s in DYNAMIC:
            self.check_ident(s, n)
        elif s in BANNED:
            self.emit("banned-builtin", s, n)
        elif s in STRING_EVAL:
            self.emit("string-eval", s, n)
        elif s in GETATTR:
            if not self.getattr_ok(call, False, s):
                self.emit("getattr-dynamic", s, n)
        elif s in ATTRGETTER:
            if not self.getattr_ok(call, True, s):
                self.emit("getattr-dynamic", s, n)

    def walk_attr(self, n, call):
        s = n.attr
        if s in ATTRGETTER:
            if not self.getattr_ok(call, True, s):
                self.emit("getattr-dynamic", s, n)
        elif s in FORMAT and isinstance(n.ctx, ast.Load):
            ok = self.known_str(n.value)
            if not ok and call is not None:
                ok = bool(call.args) and not isinstance(call.args[0], ast.Starred) and self.known_str(call.args[0])
            if not ok:
                self.emit("format-dynamic", s, n)
        else:
            self.check_attrlike(s, n)
        self.walk(n.value)

    def special_module(self, m, at):
        if any(name_matches(m, d) for d in DYNAMIC_MODULES):
            self.emit("dynamic-import", m, at)
        elif name_matches(m, "builtins"):
            self.emit("banned-builtin", m, at)

    def walk(self, n):
        if isinstance(n, ast.Name):
            self.walk_name(n, None)
        elif isinstance(n, ast.Attribute):
            self.walk_attr(n, None)
        elif isinstance(n, ast.Call):
            if isinstance(n.func, ast.Name):
                self.walk_name(n.func, n)
            elif isinstance(n.func, ast.Attribute):
                self.walk_attr(n.func, n)
            else:
                self.walk(n.func)
            for x in n.args:
                self.walk(x)
            for x in n.keywords:
                self.walk(x)
        elif isinstance(n, ast.Constant):
            if isinstance(n.value, str) and id(n) in self.unknown and not self.fs:
                self.emit("unicode-name-escape", "\\N{...}", n)
            self.check_string(n)
        elif isinstance(n, ast.JoinedStr):
            outer = self.fs is None
            saved = self.unknown_str
            if outer:
                self.fs = (n.lineno, n.col_offset)
                if id(n) in self.unknown:
                    self.emit("unicode-name-escape", "\\N{...}", n)
                    self.unknown_str = True
            self.generic(n)
            if outer:
                self.fs = None
                self.unknown_str = saved
        elif isinstance(n, (ast.keyword, ast.arg)):
            self.check_ident(n.arg, n)
            self.generic(n)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.check_ident(n.name, n)
            self.generic(n)
        elif isinstance(n, ast.Import):
            for a in n.names:
                self.special_module(a.name, a)
                if self.cfg.denied(a.name):
                    self.emit("import-denied", a.name, a)
                self.check_ident(a.asname, a)
        elif isinstance(n, ast.ImportFrom):
            m = n.module
            rel = None
            if n.level:
                rel = "." * min(n.level, 200) + (m or "")
                self.emit("import-relative", rel, n)
            else:
                self.special_module(m, n)
                if self.cfg.denied(m):
                    self.emit("import-denied", m, n)
            for a in n.names:
                if a.name == "*":
                    self.emit("import-star", rel if n.level else m, n)
                    continue
                if not n.level and not self.cfg.denied(m):
                    full = m + "." + a.name
                    if self.cfg.denied(full):
                        self.emit("import-denied", full, a)
                self.check_attrlike(a.name, a)
                self.check_ident(a.asname, a)
        elif isinstance(n, (ast.Global, ast.Nonlocal)):
            for s in n.names:
                self.check_ident(s, n)
        elif type(n).__name__ in ("TypeVar", "ParamSpec", "TypeVarTuple"):
            # type parameters (3.12, PEP 695): the name, then the bound and default
            self.check_ident(n.name, n)
            self.generic(n)
        elif isinstance(n, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)):
            self.check_ident(n.name, n)
            self.generic(n)
        elif isinstance(n, ast.MatchMapping):
            self.check_ident(n.rest, n)
            self.generic(n)
        elif isinstance(n, ast.MatchClass):
            self.walk(n.cls)
            for x in n.patterns:
                self.walk(x)
            for s in n.kwd_attrs:
                self.check_attrlike(s, n)
            for x in n.kwd_patterns:
                self.walk(x)
        else:
            self.generic(n)

    def generic(self, n):
        for c in ast.iter_child_nodes(n):
            self.walk(c)


def check_cookie(data):
    """The coding cookie, as the interpreter reads it: None or (line, name)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = re.split(rb"\r\n|\r|\n", data, maxsplit=2)
    m = COOKIE.match(lines[0])
    if m:
        return 1, m.group(1)
    if BLANK.match(lines[0]) and len(lines) > 1:
        m = COOKIE.match(lines[1])
        if m:
            return 2, m.group(1)
    return None


def cookie_is_utf8(name):
    low = name.decode("ascii").lower().replace("_", "-")
    if low == "utf-8" or low.startswith("utf-8-"):
        return True
    try:
        return codecs.lookup(name.decode("ascii")).name in ("utf-8", "utf-8-sig")
    except LookupError:
        return False


def check_source(data, cfg):
    if len(data) > MAX_BYTES:
        return [{"rule": "too-large", "name": "source", "line": 1, "column": 1}]
    c = check_cookie(data)
    if c and not cookie_is_utf8(c[1]):
        return [{"rule": "coding-cookie", "name": c[1].decode("ascii")[:60], "line": c[0], "column": 1}]
    try:
        # The interpreter reading a file refuses any byte sequence that is
        # not UTF-8, comments included (ast.parse of bytes does not check
        # comments); cordon checks what the interpreter will run.
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        return [{"rule": "syntax-error", "name": "syntax", "line": line, "column": 1}]
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
        line = getattr(e, "lineno", None) or 0
        return [{"rule": "syntax-error", "name": "syntax", "line": line, "column": 1}]
    text = data.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    w = Walk(cfg, unknown_string_nodes(text, tree))
    for s in tree.body:
        w.walk(s)
    return w.findings


def main(argv):
    mode, allow, deny, files = "denylist", [], [], []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--mode", "--allow", "--deny"):
            v = argv[i + 1]
            i += 2
            if a == "--mode":
                mode = v
            elif a == "--allow":
                allow = [x for x in v.split(",") if x]
            else:
                deny = [x for x in v.split(",") if x]
            continue
        files.append(a)
        i += 1
    sys.setrecursionlimit(100000)
    cfg = Config(mode, allow, deny)
    out = []
    for f in files:
        with open(f, "rb") as fh:
            data = fh.read()
        findings = check_source(data, cfg)
        out.append({"file": f, "verdict": "deny" if findings else "pass", "findings": findings})
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
