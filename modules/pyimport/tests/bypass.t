#!/bin/sh
# modules/pyimport/tests/bypass.t - known bypass families (bypass.txt) are
# each denied by the recommended default stanza, with the expected rule:
# dunder traversal, builtins through __self__, frames, gc, format strings,
# decorators, metaclass dunders, match patterns, NFKC, coding cookies, CR
# line ends, encoded payloads fed to exec, dynamic imports, getattr tricks.
. "$(dirname "$0")/../../../tests/lib.sh"

PY=python3
command -v "$PY" >/dev/null 2>&1 || PY=/usr/bin/python3

write_policy "$T/default.yaml" <<'EOF2'
stack:
  - module: pyimport
    control: requisite
    with:
      mode: denylist
      deny: [os, posix, nt, subprocess, _posixsubprocess, pty, socket, _socket, socketserver, ssl, asyncio,
             multiprocessing, concurrent, signal, ctypes, _ctypes, cffi, mmap, fcntl, resource, gc, inspect,
             code, codeop, pdb, bdb, pickle, _pickle, marshal, shelve, copyreg, shutil, tempfile, pathlib,
             io, _io, sysconfig, platform, webbrowser, urllib, http, ftplib, smtplib, telnetlib, xmlrpc,
             tty, termios, _thread, threading, sqlite3, dbm, zipfile, tarfile, glob, fileinput]
EOF2

mkdir "$T/by"
"$PY" "$CORDON_SRCDIR/tests/reference/split_snippets.py" "$CORDON_SRCDIR/modules/pyimport/tests/bypass.txt" "$T/by" \
	>"$T/list"
n=0
while read -r name rule; do
	n=$((n + 1))
	run check -p "$T/default.yaml" "$T/by/$name.py"
	if rc_is 126 && grep -q "\[pyimport/$rule\]" "$T/out"; then
		ok "$name: denied ($rule)"
	else
		not_ok "$name: expected a denial with $rule"
		diag_run
	fi
done <"$T/list"
check "the corpus holds the bypass families" [ "$n" -ge 100 ]

# The same payloads pass once the checks they trip are off: the corpus
# really exercises the rules (a denial for another reason would hide that).
write_policy "$T/off.yaml" <<'EOF2'
stack:
  - module: pyimport
    with:
      severity: {escape-attribute: "off", banned-builtin: "off", dynamic-import: "off", getattr-dynamic: "off",
                 format-dynamic: "off", import-denied: "off", import-star: "off", import-relative: "off",
                 unicode-name-escape: "off"}
EOF2
run check -p "$T/off.yaml" "$T/by/dunder_subclasses.py" "$T/by/decorator_exec.py" "$T/by/nfkc_fullwidth_eval.py" \
	"$T/by/format_globals.py" "$T/by/match_class_kw.py"
check "with those rules off the same sources pass" rc_is 0

done_testing
