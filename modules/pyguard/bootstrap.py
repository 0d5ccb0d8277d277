# pyguard bootstrap: installs a CPython audit hook (PEP 578), then runs the
# program as the interpreter would have.  cordon's pyguard module prepends one
# line, `_PYGUARD_CFG = (...)`, and hands the whole text to the interpreter as
# a sealed memfd; nothing of it is written to disk.  modules/pyguard/README.md
# says what each rule closes and what holds.
#
# The hook keeps no state the program can change.  Each of its functions is
# rebuilt with a private, empty globals dictionary (a stray global name is a
# NameError, which fails closed) and gets everything it uses - captured C
# functions, builtins, the policy's lists as tuples and frozensets - as
# positional defaults: __defaults__ is an immutable tuple, and reading or
# setting it is an audited event the hook refuses to the program.  It calls
# only what was captured here before the program's first line, never a
# module attribute looked up at run time, so monkeypatching os, sys, builtins
# or importlib changes nothing it relies on.  It never calls the program's
# code and never lets an exception out: a denial writes one line to the
# report descriptor and ends the process with os._exit before the operation.

def _pyguard_boot(cfg):
    import sys
    import posix
    import _thread

    fd, audit, mode, allow, deny, read, write, soft, skip = cfg
    _exit = posix._exit
    _write = posix.write

    def fail(msg):
        # Before the program runs: say why and stop (fail closed).
        b = msg.encode('utf-8', 'backslashreplace')[:900]
        try:
            _write(fd, b'X\tinternal\tbootstrap\t' + b + b'\n')
        except OSError:
            pass
        try:
            _write(2, b'pyguard: ' + b + b'\n')
        except OSError:
            pass
        _exit(126)

    if not hasattr(sys, 'addaudithook'):
        fail('this interpreter has no audit hooks (Python 3.8 or later is needed)')
    if len(sys.argv) < 2 + skip:
        fail("the program's command line is not the one pyguard prepared")
    prog = sys.argv[1 + skip:]
    script = prog[0]
    me = '<pyguard bootstrap>'  # this code's own file name, trusted as library code is

    # The program's text, compiled before the hook exists (compiling runs
    # nothing of it); errors are printed as the interpreter prints them.
    def not_started(status):
        # The program's text could not be read or compiled: nothing of it
        # runs, and the supervisor is told so ("N": no guard was needed).
        try:
            _write(fd, b'N\n')
        except OSError:
            pass
        raise SystemExit(status)
    try:
        with open(script, 'rb') as f:
            src = f.read()
    except OSError as e:
        sys.stderr.write("%s: can't open file %r: [Errno %d] %s\n" % (sys.executable, script, e.errno, e.strerror))
        not_started(2)
    try:
        main_code = compile(src, script, 'exec', dont_inherit=True)
    except (SyntaxError, ValueError) as e:
        e.__traceback__ = None
        sys.excepthook(type(e), e, None)
        not_started(1)
    del src

    # ---- what the hook captures ----------------------------------------
    vi = sys.version_info
    roots = set()
    for p in sys.path:
        if type(p) is str and p.startswith('/') and not p.startswith('/proc/') and p != '/':
            roots.add(p.rstrip('/'))
    for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix):
        if p and p != '/':
            roots.add('%s/lib/python%d.%d' % (p.rstrip('/'), vi[0], vi[1]))
    for w in write:
        for r in sorted(roots):
            if r == w or r.startswith(w + '/') or w.startswith(r + '/') or w == '':
                fail("the writable path %s overlaps the interpreter's library %s: library code "
                     "would no longer be the library's" % (w, r))
    roots = tuple(sorted(roots)) + (me,)
    readable = tuple(sorted(set(read + write + roots + (
        script, '/dev/null', '/dev/zero', '/dev/urandom', '/dev/random', '/dev/full',
        '/etc/localtime', '/etc/timezone', '/usr/share/zoneinfo', '/etc/mime.types',
        '/usr/share/locale', '/usr/lib/locale'))))
    writable = tuple(sorted(set(write + ('/dev/null',))))

    import opcode
    opmap = opcode.opmap
    import_name = opmap['IMPORT_NAME']
    extended = opmap['EXTENDED_ARG']
    valid_ops = frozenset(opmap.values()) | frozenset((0,) if vi >= (3, 11) else ())
    has_arg = opcode.HAVE_ARGUMENT
    has_const = frozenset(opcode.hasconst)
    has_name = frozenset(opcode.hasname)
    has_local = frozenset(opcode.haslocal) | frozenset(opcode.hasfree)
    packed = frozenset(v for k, v in opmap.items() if k.count('FAST') == 2)
    shift = {}
    if vi >= (3, 11):
        shift[opmap['LOAD_GLOBAL']] = 1
    if vi >= (3, 12):
        shift[opmap['LOAD_ATTR']] = 1
        if 'LOAD_SUPER_ATTR' in opmap:
            shift[opmap['LOAD_SUPER_ATTR']] = 2
    shift = tuple(shift.get(i, 0) for i in range(256))
    del opcode, opmap

    banned = frozenset((
        # builtins and helpers that run code or reach names given as data
        'eval', 'exec', 'compile', 'open', 'input', 'breakpoint', 'globals', 'locals', 'vars',
        'help', '__import__', '__build_class__', 'getattr', 'setattr', 'delattr', 'attrgetter',
        'methodcaller', 'import_module', '__loader__', '__spec__', 'modules',
        # the escape attributes (not __class__, __setattr__, __delattr__,
        # __qualname__: the standard library's generated code uses them)
        '__builtins__', '__globals__', '__code__', '__closure__', '__subclasses__', '__bases__',
        '__base__', '__mro__', '__getattribute__', '__dict__', '__reduce__', '__reduce_ex__',
        '__self__', '__func__', '__objclass__', '__traceback__', '__defaults__', '__kwdefaults__',
        'f_back', 'f_globals', 'f_locals', 'f_builtins', 'f_code', 'gi_frame', 'gi_code',
        'cr_frame', 'cr_code', 'ag_frame', 'ag_code', 'tb_frame', 'tb_next', '_getframe',
        'system', 'popen', 'spawnv', 'fork', 'execv', 'execve', 'posix_spawn'))

    # Events by kind.  Anything not listed passes: the kernel isolation is
    # the boundary, and this table is what the audit-event table shows to
    # be a way out of a Python-level sandbox.
    (K_IMPORT, K_EXEC, K_COMPILE, K_OPEN, K_READ, K_WRITE1, K_WRITE2, K_SYMLINK, K_PROCESS,
     K_KILL, K_SOCKET, K_CTYPES, K_GETFRAME, K_GETATTR, K_SETATTR, K_NEWCODE, K_NEWFUNC,
     K_MARSHAL, K_ALWAYS, K_NATIVE, K_PICKLE, K_SQLITE) = range(1, 23)
    kinds = {
        'import': K_IMPORT, 'exec': K_EXEC, 'compile': K_COMPILE, 'open': K_OPEN,
        # os.walk, os.fwalk and glob list through os.scandir (checked) and
        # report their arguments before converting them.
        'os.listdir': K_READ, 'os.scandir': K_READ, 'os.getxattr': K_READ, 'os.listxattr': K_READ,
        'os.chdir': K_READ,
        'os.remove': K_WRITE1, 'os.rmdir': K_WRITE1, 'os.mkdir': K_WRITE1, 'os.chmod': K_WRITE1,
        'os.chown': K_WRITE1, 'os.chflags': K_WRITE1, 'os.truncate': K_WRITE1, 'os.utime': K_WRITE1,
        'os.setxattr': K_WRITE1, 'os.removexattr': K_WRITE1, 'shutil.rmtree': K_WRITE1,
        'os.rename': K_WRITE2, 'os.link': K_WRITE2, 'os.symlink': K_SYMLINK,
        'os.system': K_PROCESS, 'os.exec': K_PROCESS, 'os.spawn': K_PROCESS, 'os.posix_spawn': K_PROCESS,
        'os.fork': K_PROCESS, 'os.forkpty': K_PROCESS, 'subprocess.Popen': K_PROCESS,
        'pty.spawn': K_PROCESS, 'os.startfile': K_PROCESS, 'webbrowser.open': K_PROCESS,
        'ensurepip.bootstrap': K_PROCESS,
        'os.kill': K_KILL, 'os.killpg': K_KILL,
        'socket.__new__': K_SOCKET, 'socket.bind': K_SOCKET, 'socket.connect': K_SOCKET,
        'socket.getaddrinfo': K_SOCKET, 'socket.gethostbyaddr': K_SOCKET,
        'socket.gethostbyname': K_SOCKET, 'socket.gethostname': K_SOCKET,
        'socket.getnameinfo': K_SOCKET, 'socket.getservbyname': K_SOCKET,
        'socket.getservbyport': K_SOCKET, 'socket.sendmsg': K_SOCKET, 'socket.sendto': K_SOCKET,
        'socket.sethostname': K_SOCKET, 'http.client.connect': K_SOCKET, 'ftplib.connect': K_SOCKET,
        'smtplib.connect': K_SOCKET, 'imaplib.open': K_SOCKET, 'nntplib.connect': K_SOCKET,
        'poplib.connect': K_SOCKET, 'telnetlib.Telnet.open': K_SOCKET, 'urllib.Request': K_SOCKET,
        'sys._getframe': K_GETFRAME, 'sys._getframemodulename': K_GETFRAME,
        'object.__getattr__': K_GETATTR, 'object.__setattr__': K_SETATTR,
        'object.__delattr__': K_SETATTR, 'code.__new__': K_NEWCODE, 'function.__new__': K_NEWFUNC,
        'marshal.loads': K_MARSHAL, 'marshal.load': K_MARSHAL,
        'sys._current_frames': K_ALWAYS, 'sys._current_exceptions': K_ALWAYS,
        'gc.get_objects': K_ALWAYS, 'gc.get_referrers': K_ALWAYS, 'gc.get_referents': K_ALWAYS,
        'sys.settrace': K_ALWAYS, 'sys.setprofile': K_ALWAYS, 'sys.addaudithook': K_ALWAYS,
        'sys.monitoring.register_callback': K_ALWAYS, 'sys.remote_exec': K_ALWAYS,
        'setopencode': K_ALWAYS, 'pdb.Pdb': K_ALWAYS, 'builtins.breakpoint': K_ALWAYS,
        'sqlite3.enable_load_extension': K_NATIVE, 'sqlite3.load_extension': K_NATIVE,
        'pickle.find_class': K_PICKLE, 'sqlite3.connect': K_SQLITE,
    }
    # Immutable: a frozenset of every event, and one per kind.
    interesting = frozenset(kinds)
    by_kind = tuple((k, frozenset(e for e, v in kinds.items() if v == k)) for k in sorted(set(kinds.values())))
    del kinds
    # Attributes whose reading hands over frames or code objects.
    frame_attrs = frozenset(('f_code', 'tb_frame', 'gi_frame', 'gi_code', 'cr_frame', 'cr_code',
                             'ag_frame', 'ag_code', '__code__', '__defaults__', '__kwdefaults__'))
    importlib_files = ('<frozen importlib._bootstrap>', '<frozen importlib._bootstrap_external>')
    # Modules the interpreter's own C code imports when a builtin needs them
    # (codecs by name, time.strptime): no import statement of the program's.
    implicit = frozenset(('encodings', '_strptime', '_compat_pickle', 'copyreg', '_locale'))
    code_type = type(main_code)
    frame_type = type(sys._getframe())
    try:
        st = posix.fstat(fd)
        chan = (st.st_dev, st.st_ino)
    except OSError:
        fail('the report descriptor %d is not open' % fd)
    O_RW = posix.O_WRONLY | posix.O_RDWR
    O_WRITES = posix.O_CREAT | posix.O_TRUNC | posix.O_APPEND | getattr(posix, 'O_TMPFILE', 0)
    out_streams = tuple(s for s in (sys.stdout, sys.stderr) if s is not None)
    hook_globals = {'__builtins__': {}}
    FunctionType = type(fail)

    def sealed(f):
        # The same function with private globals and no closure (a free
        # variable makes this fail: every dependency must be a default).
        return FunctionType(f.__code__, hook_globals, f.__name__, f.__defaults__, None)

    def under(path, dirs, str=str, type=type):
        for d in dirs:
            if path == d or path.startswith(d + '/'):
                return True
        return False
    under = sealed(under)

    def text(x, str=str, bytes=bytes, type=type):
        # An exact str, or bytes decoded as the file system does, from an
        # event argument; no code of the program runs.
        t = type(x)
        if t is str:
            return x
        if t is bytes:
            return x.decode('utf-8', 'surrogateescape')
        return None
    text = sealed(text)

    def pathof(x, text=text, fspath=posix.fspath, int=int, type=type, BaseException=BaseException):
        # The path an os function was given: os functions report the object
        # they were passed (a pathlib.Path), converted as os.fspath does;
        # None when it is not a path at all.  See README: "What holds".
        t = text(x)
        if t is not None or type(x) is int or x is None:
            return t
        try:
            return text(fspath(x))
        except BaseException:
            return None
    pathof = sealed(pathof)

    def norm(path, getcwd=posix.getcwd):
        # Absolute and lexically normal.  Symbolic links are not followed:
        # the program cannot make one (os.symlink is refused), and the
        # kernel isolation decides what the system's own point at.
        if not path.startswith('/'):
            path = getcwd() + '/' + path
        out = []
        for part in path.split('/'):
            if part == '' or part == '.':
                continue
            if part == '..':
                if out:
                    out.pop()
                continue
            out.append(part)
        return '/' + '/'.join(out)
    norm = sealed(norm)

    def caller(depth, skip_importlib, getframe=sys._getframe, importlib_files=importlib_files,
               str=str, type=type):
        # The frame of the code that raised the event, `depth` frames
        # below the caller of this function.
        f = getframe(depth + 1)
        if skip_importlib:
            while f is not None:
                fn = f.f_code.co_filename
                if type(fn) is not str or fn not in importlib_files:
                    break
                f = f.f_back
        return f
    caller = sealed(caller)

    def trusted(f, roots=roots, under=under, str=str, type=type):
        # Library code: a frozen module or a file under the interpreter's
        # library directories (code compiled at run time cannot claim such a
        # name: see K_COMPILE and check_code).  No frame: the interpreter.
        if f is None:
            return True
        fn = f.f_code.co_filename
        return type(fn) is str and (fn.startswith('<frozen ') or under(fn, roots))
    trusted = sealed(trusted)

    def import_ok(name, mode=mode, allow=allow, deny=deny, implicit=implicit, str=str, type=type):
        if type(name) is not str:
            return False
        if name == '__future__' or name in implicit or name.startswith('encodings.'):
            return True
        for m in deny:
            if name == m or name.startswith(m + '.'):
                return False
        if mode != 'allowlist':
            return True
        for m in allow:
            if name == m or name.startswith(m + '.') or m.startswith(name + '.'):
                return True  # allowed, a submodule, or a package above one
        return False
    import_ok = sealed(import_ok)

    def check_code(co, main, import_ok=import_ok, roots=roots, under=under, banned=banned,
                   code_type=code_type, import_name=import_name, extended=extended,
                   valid_ops=valid_ops, has_arg=has_arg, has_const=has_const, has_name=has_name,
                   has_local=has_local, packed=packed, shift=shift, len=len, type=type, str=str,
                   ascii=ascii):
        # Every code object under co: bytecode that indexes only its own
        # tables; for the program's code (main 1) and code compiled at run
        # time (main 0) imports inside the lists, and for the latter none of
        # the banned names; for library code (main 2) the tables only.
        # (rule, detail) or None.
        stack = [co]
        seen = 0
        while stack:
            c = stack.pop()
            seen += 1
            if seen > 200000:
                return 'code', 'too many nested code objects'
            fn = c.co_filename
            if main == 0 and type(fn) is str and (fn.startswith('<frozen ') or under(fn, roots)):
                return 'code', 'code made at run time claims the library file ' + ascii(fn)
            b = c.co_code
            consts = c.co_consts
            names = c.co_names
            nloc = len(c.co_varnames) + len(c.co_cellvars) + len(c.co_freevars)
            n = len(b)
            cn = c.co_name
            cn = ascii(cn) if type(cn) is str else '?'
            if n % 2:
                return 'code', 'bytecode of odd length in ' + cn
            i = 0
            ext = 0
            while i < n:
                op = b[i]
                arg = b[i + 1] | ext
                i += 2
                if op == extended:
                    ext = arg << 8
                    continue
                ext = 0
                if op < has_arg:
                    if op not in valid_ops:
                        return 'code', 'invalid opcode %d in %s' % (op, cn)
                    continue
                if op in has_const:
                    if arg >= len(consts):
                        return 'code', 'a constant index out of range in ' + cn
                elif op in has_name:
                    k = arg >> shift[op]
                    if k >= len(names):
                        return 'code', 'a name index out of range in ' + cn
                    if op == import_name and main != 2 and not import_ok(names[k]):
                        nm = names[k]
                        return 'import', nm if type(nm) is str else '?'
                elif op in packed:
                    if (arg >> 4) >= nloc or (arg & 15) >= nloc:
                        return 'code', 'a local index out of range in ' + cn
                elif op in has_local:
                    if arg >= nloc:
                        return 'code', 'a local index out of range in ' + cn
                elif op not in valid_ops:
                    return 'code', 'invalid opcode %d in %s' % (op, cn)
            if main == 0:
                for nm in names:
                    if type(nm) is not str:
                        return 'code', 'a name that is not a string'
                    if nm in banned:
                        return 'exec', 'code compiled at run time uses ' + ascii(nm)
            for k in consts:
                if type(k) is code_type:
                    stack.append(k)
        return None
    check_code = sealed(check_code)

    def decide(kind, event, args, caller=caller, trusted=trusted, import_ok=import_ok,
               check_code=check_code, text=text, pathof=pathof, norm=norm, under=under, roots=roots,
               readable=readable, writable=writable, main_code=main_code, code_type=code_type,
               import_name=import_name, importlib_files=importlib_files, frame_attrs=frame_attrs,
               O_RW=O_RW, O_WRITES=O_WRITES, getpid=posix.getpid, len=len, type=type, str=str,
               int=int, list=list, tuple=tuple, ascii=ascii, range=range):
        # (rule, detail) to deny, (None, None) to let the event go on.
        # Depth 3 below caller(): decide, judge, hook, then the raiser.
        if kind == 1:  # import: loaded for the first time
            name = args[0]
            if import_ok(name):
                return None, None
            f = caller(3, True)
            if f is not None and trusted(f):
                b = f.f_code.co_code
                i = f.f_lasti
                if 0 <= i < len(b) and b[i] == import_name:
                    return None, None  # a library's own import statement
            return 'import', name if type(name) is str else '?'
        if kind == 2:  # exec: a code object about to run
            co = args[0]
            if type(co) is not code_type:
                return None, None
            if co is main_code:
                return check_code(co, 1) or (None, None)
            f = caller(3, False)
            if f is not None:
                fc = f.f_code
                fn = fc.co_filename
                nm = fc.co_name
                if type(fn) is str and type(nm) is str and fn in importlib_files and \
                        (nm == '_call_with_frames_removed' or nm == 'exec_module'):
                    return None, None  # a module's own code, run by the import system
            return check_code(co, 0) or (None, None)
        if kind == 3:  # compile: the text is checked when it runs (exec)
            fn = text(args[1]) if len(args) > 1 else None
            if fn is not None and (fn.startswith('<frozen ') or under(fn, roots)) and \
                    not trusted(caller(3, False)):
                return 'code', 'compile() under the library file name ' + ascii(fn)
            return None, None
        if kind == 4:  # open
            p = args[0]
            if type(p) is int:
                return None, None
            path = text(p)
            if path is None:
                return 'open', 'a path that is not a string'
            flags = args[2] if len(args) > 2 and type(args[2]) is int else 0
            m = args[1] if len(args) > 1 else None
            w = (flags & O_RW) != 0 or (flags & O_WRITES) != 0
            if type(m) is str and ('w' in m or 'a' in m or 'x' in m or '+' in m):
                w = True
            full = norm(path)
            if w:
                if not under(full, writable):
                    return 'open', 'write ' + ascii(full)
            elif not under(full, readable):
                return 'open', 'read ' + ascii(full)
            if full.endswith('.pyc') and not under(full, roots):
                return 'open', 'bytecode outside the library: ' + ascii(full)
            return None, None
        if kind == 5:  # listing, chdir: read
            a = args[0] if args else None
            if a is None:
                a = '.'
            if type(a) is int:
                return None, None
            p = pathof(a)
            if p is None:
                return 'path', event + ' with a path that is not a string'
            full = norm(p)
            if not under(full, readable):
                return 'path', '%s %s' % (event, ascii(full))
            return None, None
        if kind == 6 or kind == 7 or kind == 8:  # changes: write (one or two paths)
            if kind == 8:
                t = text(args[0]) if args else None
                return 'path', 'os.symlink ' + (ascii(t) if t is not None else '')
            for j in range(2 if kind == 7 else 1):
                a = args[j] if j < len(args) else None
                if type(a) is int:
                    continue
                p = pathof(a)
                if p is None:
                    return 'path', event + ' with a path that is not a string'
                full = norm(p)
                if not under(full, writable):
                    return 'path', '%s %s' % (event, ascii(full))
            return None, None
        if kind == 9:  # process creation
            d = ''
            if args:
                a = args[0]
                t = text(a)
                if t is None and (type(a) is list or type(a) is tuple) and len(a) > 0:
                    t = text(a[0])
                if t is not None:
                    d = ascii(t)
            return 'process', d
        if kind == 10:  # signals: the program's own process only
            if args and type(args[0]) is int and args[0] == getpid() and event == 'os.kill':
                return None, None
            return 'process', '%s %s' % (event, ascii(args[0]) if args and type(args[0]) is int else '')
        if kind == 11:
            return 'socket', ''
        if kind == 12:  # ctypes: only while ctypes itself is being imported
            f = caller(3, False)
            while f is not None:
                fc = f.f_code
                fn = fc.co_filename
                nm = fc.co_name
                if type(nm) is str and nm == '<module>' and type(fn) is str and \
                        fn.endswith('/ctypes/__init__.py') and under(fn, roots):
                    return None, None
                f = f.f_back
            return 'ctypes', ''
        if kind == 13:  # sys._getframe: library code only
            if trusted(caller(3, False)):
                return None, None
            return 'frame', ''
        if kind == 14:  # frame, code and traceback internals: library code only
            nm = args[1] if len(args) > 1 else None
            if type(nm) is not str or nm not in frame_attrs or trusted(caller(3, False)):
                return None, None
            return 'frame', 'reading ' + nm
        if kind == 15:
            nm = args[1] if len(args) > 1 else None
            if type(nm) is not str:
                return None, None
            if nm == '__code__':
                # Library code renames its own functions (numpy); the new
                # code object must still index only its own tables.
                co = args[2] if len(args) > 2 else None
                if type(co) is not code_type or not trusted(caller(3, False)):
                    return 'code', '__code__ assignment'
                return check_code(co, 2) or (None, None)
            if (nm == '__defaults__' or nm == '__kwdefaults__') and not trusted(caller(3, False)):
                return 'code', nm + ' assignment'
            return None, None
        if kind == 16:  # code.__new__
            if trusted(caller(3, False)):
                return None, None
            return 'code', 'a code object made by hand'
        if kind == 17:  # function.__new__
            if not trusted(caller(3, False)):
                return 'code', 'a function made from a code object'
            co = args[0] if args else None
            if type(co) is code_type:
                return check_code(co, 0) or (None, None)
            return None, None
        if kind == 18:  # marshal: the import system reading bytecode caches only
            f = caller(3, False)
            fn = f.f_code.co_filename if f is not None else None
            if type(fn) is str and fn in importlib_files:
                return None, None
            return 'code', 'bytecode loaded from data'
        if kind == 19:
            return 'frame', ''
        if kind == 20:
            return 'ctypes', 'native code loaded into sqlite3'
        if kind == 21:  # unpickling imports by name
            if args and not import_ok(args[0]):
                t = text(args[0])
                return 'import', (ascii(t) if t is not None else '?') + ' (unpickling)'
            return None, None
        if kind == 22:
            p = text(args[0]) if args else None
            if p is None or p == ':memory:' or p == '':
                return None, None
            if not under(norm(p), writable):
                return 'open', 'sqlite3 ' + ascii(p)
            return None, None
        return None, None
    decide = sealed(decide)

    def judge(event, args, interesting=interesting, by_kind=by_kind, soft=soft, decide=decide,
             busy={}, get_ident=_thread.get_ident, PermissionError=PermissionError,
             hook_globals=hook_globals, frame_type=frame_type, fd=fd, audit=audit, chan=chan,
             fstat=posix.fstat, set_blocking=getattr(posix, 'set_blocking', None), write=_write,
             exit=_exit, out_streams=out_streams, type=type, str=str, len=len,
             BaseException=BaseException):
        if type(event) is not str:
            return
        if event in interesting:
            for kind, names in by_kind:
                if event in names:
                    break
        elif event.startswith('ctypes.'):
            kind = 12
        else:
            return
        tid = get_ident()
        depth = busy.get(tid, 0)
        if depth and (kind == 13 or kind == 14) and len(args) > 0 and type(args[0]) is frame_type:
            # What the hook's own work raises (its caller's frame and code):
            # allowed, unless it is a frame of the hook itself.
            if args[0].f_globals is not hook_globals:
                return
            rule, detail = 'frame', 'a frame of the guard itself'
        else:
            busy[tid] = depth + 1
            try:
                rule, detail = decide(kind, event, args)
            except BaseException as e:
                rule, detail = 'internal', '%s while checking the event' % type(e).__name__
            if depth:
                busy[tid] = depth
            else:
                busy.pop(tid, None)
            if rule is None:
                return
        line = '%s\t%s\t%s' % (rule, event, detail)
        data = line.encode('utf-8', 'backslashreplace')[:1000].replace(b'\n', b' ') + b'\n'
        soft_rule = not audit and rule in soft
        msg = (b'A\t' if audit else b'S\t' if soft_rule else b'D\t') + data
        if not audit and not soft_rule:
            # What the program printed so far reaches the result: the
            # supervisor stops the process as soon as it reads the report.
            for s in out_streams:
                try:
                    s.flush()
                except BaseException:
                    pass
        ok = False
        try:
            st = fstat(fd)
            if (st.st_dev, st.st_ino) == chan:
                if set_blocking is not None:
                    set_blocking(fd, True)
                ok = write(fd, msg) == len(msg)
        except BaseException:
            ok = False
        if audit and ok:
            return
        if soft_rule and ok:
            # Refused as the kernel would refuse it; the run goes on.
            raise PermissionError(1, 'Operation not permitted (pyguard: %s)' % event)
        if not ok:
            try:
                write(2, b'pyguard: denied (the report descriptor was closed or replaced): ' + data)
            except BaseException:
                pass
        exit(126)
    judge = sealed(judge)

    def hook(event, args, interesting=interesting, judge=judge, str=str, type=type):
        # Every event of the interpreter comes here (builtins.id on each
        # id()): the ones the guard does not judge cost one set lookup.
        if type(event) is str and (event in interesting or event.startswith('ctypes.')):
            judge(event, args)
    hook = sealed(hook)

    # ---- install, say so, and prepare __main__ --------------------------
    sys.addaudithook(hook)
    try:
        if _write(fd, b'H\n') != 2:
            fail('could not write to the report descriptor')
    except OSError as e:
        fail('could not write to the report descriptor: %s' % e)
    loader = getattr(sys.modules['__main__'], '__loader__', None)
    mod = type(sys)('__main__')
    g = mod.__dict__
    g['__annotations__'] = {}
    g['__file__'] = script
    g['__cached__'] = None
    g['__builtins__'] = sys.modules['builtins']
    g['__spec__'] = None
    g['__package__'] = None
    if loader is not None:
        try:
            g['__loader__'] = type(loader)('__main__', script)
        except Exception:
            g['__loader__'] = None
    sys.modules['__main__'] = mod
    sys.argv[:] = prog
    if hasattr(sys, 'orig_argv'):
        sys.orig_argv[:] = sys.orig_argv[:len(sys.orig_argv) - len(sys.argv) - skip - 1] + \
            sys.orig_argv[len(sys.orig_argv) - len(sys.argv) - skip:]
    return main_code, g


_pyguard_code, _pyguard_globals = _pyguard_boot(_PYGUARD_CFG)
del _pyguard_boot, _PYGUARD_CFG
try:
    exec(_pyguard_code, _pyguard_globals)
except SystemExit:
    raise
except BaseException as _e:
    # As the interpreter reports an uncaught exception, without this
    # bootstrap's own frame in the traceback.
    import sys as _sys
    _tb = _e.__traceback__
    if _tb is not None and _tb.tb_next is not None:
        _e.__traceback__ = _tb.tb_next
    del _tb
    _sys.excepthook(type(_e), _e, _e.__traceback__)
    if isinstance(_e, KeyboardInterrupt):
        import signal as _signal
        import os as _os
        _signal.signal(_signal.SIGINT, _signal.SIG_DFL)
        _os.kill(_os.getpid(), _signal.SIGINT)
    raise SystemExit(1)
