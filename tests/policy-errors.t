#!/bin/sh
# tests/policy-errors.t - a policy that is wrong in any way is an error:
# cordon exits 125, prints one line "cordon: FILE:LINE:COL: what was
# expected" on stderr, and runs nothing.  Each case writes a policy into $T,
# asks cordon to run `touch $T/ran.ID` under it and checks all three.  A few
# positive controls make sure the cases fail for their own reason, not
# because everything fails.
#
# Runs as root against the build tree and as an unprivileged user against
# an installed copy: module files come from $CORDON_TESTBIN/modules only.

. "$(dirname "$0")/lib.sh"

MODS=$CORDON_TESTBIN/modules
# $T with symlinks resolved: the loader names included files by the real
# directory of the file that includes them.
TR=$(cd "$T" && pwd -P) || exit 1
# Relative paths in a policy must resolve against the policy's directory,
# never against the working directory: run everything from /.
cd / || exit 1

# loc ID ALT: the location an error line must start with.  ALT is
#   /FILE[:LINE[:COL]]  taken as is,
#   LINE[:COL]          a position in $T/ID.yaml,
#   (empty)             $T/ID.yaml itself (errors about the whole file).
loc() {
	case $2 in
	/*) printf '%s' "$2" ;;
	'') printf '%s' "$T/$1.yaml" ;;
	*) printf '%s' "$T/$1.yaml:$2" ;;
	esac
}

# at_where ID WHERE: the first line of stderr starts with "cordon: LOC: " for
# one of the '|'-separated alternatives of WHERE; a WHERE of - checks nothing
# (the error is about a policy name, not a file).
at_where() {
	[ "$2" = - ] && return 0
	_first=$(head -n 1 "$T/err")
	_alts=$2
	while :; do
		_l=$(loc "$1" "${_alts%%"|"*}")
		case $_first in
		"cordon: $_l: "*) return 0 ;;
		esac
		case $_alts in
		*"|"*) _alts=${_alts#*"|"} ;;
		*) return 1 ;;
		esac
	done
}

# failed ID WHERE PHRASE DESC: judge the last run as a policy error: nothing
# ran ($T/ran.ID absent), exit status 125, exactly one line on stderr, at
# WHERE (see at_where), saying PHRASE.
failed() {
	_id=$1 _where=$2 _phrase=$3 _desc=$4
	_why=
	if [ -e "$T/ran.$_id" ]; then
		_why="the command ran although the policy is invalid"
	elif ! rc_is 125; then
		_why="exit status $rc, expected 125"
	elif [ "$(wc -l <"$T/err")" -ne 1 ]; then
		_why="expected exactly one line on stderr"
	elif ! at_where "$_id" "$_where"; then
		_why="stderr does not start with 'cordon: $(loc "$_id" "${_where%%"|"*}"): '"
	elif ! err_has "$_phrase"; then
		_why="stderr does not say: $_phrase"
	fi
	if [ -z "$_why" ]; then
		ok "$_desc"
	else
		not_ok "$_desc"
		diag "$_why"
		diag_run
	fi
}

# bad ID WHERE PHRASE DESC: exec under $T/ID.yaml, expecting a policy error.
bad() {
	run exec -p "$T/$1.yaml" -- touch "$T/ran.$1"
	failed "$@"
}

# ran_ok ID: the last run succeeded and created $T/ran.ID.
ran_ok() { rc_is 0 && [ -e "$T/ran.$1" ]; }

# good ID DESC: exec under $T/ID.yaml must succeed and run the command.
good() {
	run exec -p "$T/$1.yaml" -- touch "$T/ran.$1"
	if ran_ok "$1"; then
		ok "$2"
	else
		not_ok "$2"
		diag_run
	fi
}

# tm ID ARGS: a policy stacking tm_a with the one-line argument ARGS (line 5).
tm() {
	write_policy "$T/$1.yaml" <<EOF
name: $1
stack:
  - module: tm_a
    with:
      $2
EOF
}

# rl ID ARGS: the same with rlimit.
rl() {
	write_policy "$T/$1.yaml" <<EOF
name: $1
stack:
  - module: rlimit
    with:
      $2
EOF
}

# ---------------------------------------------------------------------------
# Positive controls first: the machinery itself works.

mkdir "$T/mods" && cp "$MODS/cordon_tm_a.so" "$T/mods/" && chmod 0755 "$T/mods/cordon_tm_a.so"
write_policy "$T/relmod.yaml" <<'EOF'
name: relmod
stack:
  - module: mods/cordon_tm_a.so
    with: {count: 1}
EOF
good relmod "control: a module path relative to the policy's directory loads (cwd is /)"

mkdir "$T/sub" && cp "$MODS/cordon_tm_b.so" "$T/sub/" && chmod 0755 "$T/sub/cordon_tm_b.so"
write_policy "$T/sub/inc.yaml" <<'EOF'
stack:
  - module: ./cordon_tm_b.so
EOF
write_policy "$T/increl.yaml" <<'EOF'
name: increl
stack:
  - module: tm_a
  - include: sub/inc.yaml
EOF
good increl "control: an included file's relative module path resolves against its own directory"

tm bounds "{count: 5, findings: 100, size: 1K, duration: 1ms, flag: true, names: [a, b], nested: {a: 1}}"
good bounds "control: arguments at the edges of their ranges are accepted"

tm bounds2 "{count: -5, findings: 0, size: 1M, duration: 60s, flag: False, names: x}"
good bounds2 "control: the other edges of the ranges are accepted"

i=0
while [ "$i" -lt 15 ]; do
	printf 'include: lim-%d.yaml\n' $((i + 1)) | write_policy "$T/lim-$i.yaml"
	i=$((i + 1))
done
printf 'stack:\n  - module: tm_a\n' | write_policy "$T/lim-15.yaml"
good lim-0 "control: includes nested exactly 16 files deep are accepted"

mkdir "$T/sticky" && chmod 1777 "$T/sticky"
printf 'stack: [{module: tm_a}]\n' | write_policy "$T/sticky/ok.yaml"
run exec -p "$T/sticky/ok.yaml" -- touch "$T/ran.sticky"
check "control: a policy in a sticky world-writable directory is trusted" ran_ok sticky

rl rlok "{cpu: 5s, wall: 10s, memory: 256M, processes: 1000, open_files: 64, output: 1M}"
good rlok "control: rlimit is found (build tree or installed module directory) and accepts sane limits"

# ---------------------------------------------------------------------------
# Malformed YAML and file-level problems.

write_policy "$T/yaml-bracket.yaml" <<'EOF'
name: yaml-bracket
stack: [
  {module: tm_a}
EOF
bad yaml-bracket 4:1 "did not find expected ',' or ']' while parsing a flow sequence (line 2)" \
	"malformed YAML: unclosed [ (end of file, naming the line it opened on)"

write_policy "$T/yaml-indent.yaml" <<'EOF'
name: yaml-indent
stack:
  - module: tm_a
   control: required
EOF
bad yaml-indent 4:4 "did not find expected '-' indicator while parsing a block collection (line 3)" \
	"malformed YAML: a key indented one column short"

printf 'name: yaml-tab\nstack:\n\t- module: tm_a\n' | write_policy "$T/yaml-tab.yaml"
bad yaml-tab 3:1 "found character that cannot start any token" \
	"malformed YAML: a tab used for indentation"

write_policy "$T/yaml-quote.yaml" <<'EOF'
name: yaml-quote
description: "never closed
stack: []
EOF
bad yaml-quote 4:1 "found unexpected end of stream while scanning a quoted scalar (line 2)" \
	"malformed YAML: an unterminated double quote"

printf 'name: yaml-utf8\nstack: []\ndescription: caf\377\n' | write_policy "$T/yaml-utf8.yaml"
bad yaml-utf8 3:17 "invalid leading UTF-8 octet" \
	"malformed YAML: invalid UTF-8 is reported at its own line and column"

printf 'name: yaml-ctrl\ndescription: a\001b\nstack: []\n' | write_policy "$T/yaml-ctrl.yaml"
bad yaml-ctrl 2:15 "control characters are not allowed" \
	"malformed YAML: a control character is reported at its own line and column"

: | write_policy "$T/empty.yaml"
bad empty 1:1 "empty file (expected a YAML mapping)" "an empty file"

printf '# only a comment\n\n' | write_policy "$T/comments.yaml"
bad comments 1:1 "empty file (expected a YAML mapping)" "a file with only comments"

write_policy "$T/twodocs.yaml" <<'EOF'
name: twodocs
stack: []
---
name: other
EOF
bad twodocs "3:1|4:1" "a second YAML document (expected one)" "a second YAML document"

write_policy "$T/emptydoc.yaml" <<'EOF'
name: emptydoc
stack: []
---
EOF
bad emptydoc 3:1 "a second YAML document (expected one)" \
	"an empty second document (a trailing ---) is reported at the --- line, not past the end"

write_policy "$T/top-scalar.yaml" <<'EOF'
just a string
EOF
bad top-scalar 1:1 "expected a policy (a mapping with keys such as name, interpreter, stack), found a scalar" \
	"a top-level scalar instead of a mapping"

write_policy "$T/top-list.yaml" <<'EOF'
- module: tm_a
- module: tm_b
EOF
bad top-list 1:1 "expected a policy (a mapping with keys such as name, interpreter, stack), found a sequence" \
	"a top-level list instead of a mapping"

write_policy "$T/alias.yaml" <<'EOF'
name: alias
env: &vars {LANG: C}
stack:
  - module: tm_a
    with: *vars
EOF
bad alias 5:11 "YAML aliases (*name) are not supported" "a YAML alias (reported where *vars is used)"

# ---- the confinement order, backends, names: refused at load ----
write_policy "$T/ord-sc.yaml" <<'EOF'
stack:
  - module: seccomp
  - module: namespaces
EOF
bad ord-sc 3:5 "namespaces (isolation) comes after seccomp (seccomp" "seccomp before namespaces: refused, naming both and the order"
write_policy "$T/ord-caps.yaml" <<'EOF'
stack:
  - module: rlimit
  - module: caps
  - module: namespaces
EOF
bad ord-caps 4:5 "the confinement order is limits and isolation (rlimit, namespaces, bwrap), then capabilities and LSMs" \
	"caps before namespaces: refused with the whole order"
write_policy "$T/ord-ok.yaml" <<'EOF'
stack:
  - module: namespaces
  - module: rlimit
  - module: landlock
  - module: caps
  - module: seccomp
EOF
run policy lint "$T/ord-ok.yaml"
check "namespaces, rlimit, landlock, caps, seccomp: an order the stages allow" rc_is 0
write_policy "$T/two-backends.yaml" <<'EOF'
stack:
  - module: namespaces
  - module: bwrap
EOF
bad two-backends 3:5 "bwrap and namespaces" "two isolation backends in one stack: refused"
write_policy "$T/typo.yaml" <<'EOF'
stack:
  - module: namespace
EOF
bad typo 2:5 "did you mean 'namespaces'?" "a misspelt module: the error suggests the name"
write_policy "$T/iso-bad.yaml" <<'EOF'
isolation: off
stack: []
EOF
bad iso-bad 1:12 "isolation: expected none" "isolation: anything but none is refused"

# ---- lint: what loads but is almost certainly a mistake ----
write_policy "$T/lintme.yaml" <<'EOF'
interpreter: [/usr/bin/no-such-interpreter]
stack:
  - module: rlimit
    with: {cpu: 10s, wall: 2s}
EOF
run policy lint "$T/lintme.yaml"
check "lint: a policy with likely mistakes still loads (0)" rc_is 0
check "lint: no isolation backend, said loudly" out_has "warning: policy 'lintme' has no isolation backend"
check "lint: a wall timeout below the CPU limit" out_has "warning: rlimit: wall (2 s) is below cpu (10 s)"
check "lint: an interpreter that is not there" out_has "warning: interpreter /usr/bin/no-such-interpreter:"
run exec -p "$T/lintme.yaml" --json -- true
check "no isolation backend: every run's result says so" \
	jtrue 'any("has no isolation backend" in w for w in j["warnings"])'
write_policy "$T/nobackend.yaml" <<'EOF'
isolation: none
stack:
  - module: rlimit
    with: {wall: 2h}
EOF
run policy lint "$T/nobackend.yaml"
check "isolation: none: no backend warning" sh -c '! grep -q "no isolation backend" "$1"' sh "$T/out"
check "lint: a wall timeout over an hour" out_has "warning: rlimit: wall is 2 hours"
run exec -p "$T/nobackend.yaml" --json -- true
check "isolation: none: the result has no backend warning" jtrue 'not any("isolation backend" in w for w in j["warnings"])'

# Tags would mean something cordon does not do: refused, not ignored.
write_policy "$T/tag-binary.yaml" <<'EOF'
name: tagged
description: !!binary aGVsbG8=
stack: []
EOF
bad tag-binary 2:14 "YAML tags (!!binary) are not supported in cordon files" "a !!binary tag on a scalar"
write_policy "$T/tag-local.yaml" <<'EOF'
name: tagged
stack:
  - module: tm_a
    with: !custom {verdict: pass}
EOF
bad tag-local 4:11 "YAML tags (!custom) are not supported" "a local tag on a mapping"
write_policy "$T/tag-int.yaml" <<'EOF'
name: tagged
stack:
  - module: tm_a
    with: {count: !!int 3}
EOF
bad tag-int 4:19 "YAML tags (!!int) are not supported" "a !!int tag inside a flow mapping"
write_policy "$T/tag-str.yaml" <<'EOF'
name: !!str plain
stack: []
EOF
good tag-str "an explicit !!str (what every scalar is anyway) is accepted"

write_policy "$T/dupkey.yaml" <<'EOF'
name: dupkey
stack: []
name: again
EOF
bad dupkey 3:1 "duplicate key 'name' (first at line 1)" "a duplicate top-level key"

write_policy "$T/dupkey2.yaml" <<'EOF'
name: dupkey2
stack:
  - module: tm_a
    with: {count: 1, count: 2}
EOF
bad dupkey2 4:22 "duplicate key 'count' (first at line 4)" "a duplicate key in a module's arguments"

printf 'name: nul\nstack: []\n\000\n' | write_policy "$T/nul.yaml"
bad nul "3|3:1" "contains a NUL byte" "a NUL byte in the file (names its line)"

# An escaped NUL ("\0") reaches the loader inside a string, where C strings
# would cut it short: "stack\0" would be a second stack key that slips past
# the duplicate-key check, and "tm_a\0/..." would load tm_a.
write_policy "$T/nulkey.yaml" <<'EOF'
name: nulkey
stack:
  - module: tm_a
"stack\0": [{module: tm_b}]
EOF
bad nulkey 4:1 "NUL" "an escaped NUL (backslash zero) in a key is refused"

write_policy "$T/nulval.yaml" <<'EOF'
name: nulval
stack:
  - module: "tm_a\0/../../elsewhere"
EOF
bad nulval 3:13 "NUL" "an escaped NUL (backslash zero) in a value is refused"

{
	printf 'name: huge\nstack: []\n'
	i=0
	while [ "$i" -lt 1100 ]; do
		printf '# %01000d\n' 0
		i=$((i + 1))
	done
} | write_policy "$T/huge.yaml"
bad huge "" "larger than 1048576 bytes" "a policy file larger than 1 MiB"

# The duplicate-key check must not make a large (yet < 1 MiB) mapping cost
# minutes: 90000 keys are refused for their type within 10 seconds.
awk 'BEGIN {
	printf "name: manykeys\nstack: []\ndescription: {"
	for (i = 0; i < 90000; i++)
		printf "%sk%d: 0", (i ? ", " : ""), i
	print "}"
}' | write_policy "$T/manykeys.yaml"
timeout -s KILL 10 "$CORDON" policy lint "$T/manykeys.yaml" >"$T/out" 2>"$T/err" </dev/null
rc=$?
failed manykeys 3:14 "description: expected a string, found a mapping" \
	"a mapping of 90000 keys is checked within 10 s (exit 137: killed, too slow)"

write_policy "$T/cplxkey.yaml" <<'EOF'
name: cplxkey
? [a, b]
: c
EOF
bad cplxkey 2:3 "expected a plain key, found a sequence" "a non-scalar mapping key"

{ printf 'name: deep\ndescription: '; i=0
  while [ "$i" -lt 70 ]; do printf '['; i=$((i + 1)); done
  while [ "$i" -gt 0 ]; do printf ']'; i=$((i - 1)); done; echo; } | write_policy "$T/deep.yaml"
bad deep 2:78 "nested deeper than 64 levels" "YAML nested deeper than the limit"

printf 'stack: []\n' | write_policy "$T/-stem.yaml"
bad -stem "" "the file name does not give a valid policy name; add 'name:'" \
	"no name: and a file stem that is not a policy name"

# ---------------------------------------------------------------------------
# The policy's own keys.

write_policy "$T/topkey.yaml" <<'EOF'
name: topkey
stacks: []
EOF
bad topkey 2:1 "unknown key 'stacks' (expected name, description, mode, isolation, include, interpreter, env or stack)" \
	"an unknown top-level key"

write_policy "$T/entrykey.yaml" <<'EOF'
name: entrykey
stack:
  - module: tm_a
    contrl: optional
EOF
bad entrykey 4:5 "unknown key 'contrl' in a stack entry (expected module, control, with, override or include)" \
	"an unknown key in a stack entry"

write_policy "$T/stackmap.yaml" <<'EOF'
name: stackmap
stack:
  module: tm_a
EOF
bad stackmap 3:3 "stack: expected a list of modules, found a mapping" "stack is a mapping, not a list"

write_policy "$T/stackscalar.yaml" <<'EOF'
name: stackscalar
stack: tm_a
EOF
bad stackscalar 2:8 "stack: expected a list of modules, found a scalar" "stack is a scalar, not a list"

write_policy "$T/entryscalar.yaml" <<'EOF'
name: entryscalar
stack:
  - tm_a
EOF
bad entryscalar 3:5 "stack: expected an entry such as {module: rlimit" "a stack entry that is not a mapping"

write_policy "$T/nomodule.yaml" <<'EOF'
name: nomodule
stack:
  - control: required
    with: {count: 1}
EOF
bad nomodule 3:5 "stack entry without 'module'" "a stack entry without module"

write_policy "$T/modempty.yaml" <<'EOF'
name: modempty
stack:
  - module:
EOF
bad modempty 3:12 "module: expected a module name or path, found an empty value" "module: left empty"

write_policy "$T/modquoted.yaml" <<'EOF'
name: modquoted
stack:
  - module: ""
EOF
bad modquoted 3:13 "empty" "module: \"\" (an empty string) is reported as empty"

write_policy "$T/modname.yaml" <<'EOF'
name: modname
stack:
  - module: Tm-A
EOF
bad modname 3:5 "module 'Tm-A': expected a module name of [a-z0-9_] or a path to a .so" \
	"a module name with characters outside [a-z0-9_]"

write_policy "$T/control.yaml" <<'EOF'
name: control
stack:
  - module: tm_a
    control: mandatory
EOF
bad control 4:14 "control: expected required, requisite, sufficient or optional, found 'mandatory'" \
	"a bad control value"

write_policy "$T/control2.yaml" <<'EOF'
name: control2
stack:
  - module: tm_a
    control: [required]
EOF
bad control2 4:14 "control: expected required, requisite, sufficient or optional, found a sequence" \
	"a control value that is a list"

write_policy "$T/interp.yaml" <<'EOF'
name: interp
interpreter: /usr/bin/python3 -I
stack: []
EOF
bad interp 2:14 "interpreter: expected a non-empty list such as [/usr/bin/python3, -I], found a scalar" \
	"interpreter is a string, not a list"

write_policy "$T/interp2.yaml" <<'EOF'
name: interp2
interpreter: []
stack: []
EOF
bad interp2 2:14 "interpreter: expected a non-empty list" "interpreter is an empty list"

write_policy "$T/interp3.yaml" <<'EOF'
name: interp3
interpreter: [/bin/sh, {c: x}]
stack: []
EOF
bad interp3 2:24 "interpreter: expected a string, found a mapping" "an interpreter argument that is a mapping"

write_policy "$T/interp4.yaml" <<'EOF'
name: interp4
interpreter: ["", -c]
stack: []
EOF
bad interp4 2:15 "interpreter: the program must not be empty" "an interpreter whose program is empty"

write_policy "$T/env.yaml" <<'EOF'
name: env
env: [PATH=/bin]
stack: []
EOF
bad env 2:6 "env: expected a mapping of NAME: value, found a sequence" "env is a list, not a mapping"

write_policy "$T/env2.yaml" <<'EOF'
name: env2
env:
  PATH: /usr/bin:/bin
  1LANG: C
stack: []
EOF
bad env2 4:3 "env: '1LANG' is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*)" "an env variable with a bad name"

write_policy "$T/env3.yaml" <<'EOF'
name: env3
env:
  PATH: [/usr/bin, /bin]
stack: []
EOF
bad env3 3:9 "env: PATH: expected a string, found a sequence" "an env value that is not a scalar"

write_policy "$T/name.yaml" <<'EOF'
name: "my policy"
stack: []
EOF
bad name 1:7 "name: expected a policy name of [A-Za-z0-9_.-], found 'my policy'" "an invalid policy name"

write_policy "$T/name2.yaml" <<'EOF'
stack: []
name: [a]
EOF
bad name2 2:7 "name: expected a policy name of [A-Za-z0-9_.-], found a sequence" "a policy name that is a list"

write_policy "$T/desc.yaml" <<'EOF'
name: desc
description: {a: b}
EOF
bad desc 2:14 "description: expected a string, found a mapping" "a description that is a mapping"

# ---------------------------------------------------------------------------
# Includes.

write_policy "$T/incmiss.yaml" <<'EOF'
name: incmiss
include: [nosuch]
stack: []
EOF
bad incmiss 2:11 "include: policy 'nosuch' not found (searched: $TR/nosuch.yaml" \
	"include of a policy name that does not exist (lists where it searched)"

write_policy "$T/incmiss2.yaml" <<'EOF'
name: incmiss2
stack:
  - module: tm_a
  - include: parts/nosuch.yaml
EOF
bad incmiss2 4:14 "include: $TR/parts/nosuch.yaml: No such file or directory" \
	"include of a policy path that does not exist"

write_policy "$T/incself.yaml" <<'EOF'
name: incself
include: incself
stack: []
EOF
bad incself 2:10 "include cycle: $TR/incself.yaml is already being read" "a policy that includes itself"

write_policy "$T/cyc-a.yaml" <<'EOF'
name: cyc-a
include: cyc-b.yaml
EOF
write_policy "$T/cyc-b.yaml" <<'EOF'
stack:
  - module: tm_a
  - include: cyc-a.yaml
EOF
bad cyc-a "$TR/cyc-b.yaml:3:14" "include cycle: $TR/cyc-a.yaml is already being read" \
	"an include cycle A -> B -> A (reported where B includes A)"

i=0
while [ "$i" -le 16 ]; do
	printf 'include: deep-%d.yaml\n' $((i + 1)) | write_policy "$T/deep-$i.yaml"
	i=$((i + 1))
done
printf 'stack: []\n' | write_policy "$T/deep-17.yaml"
bad deep-0 "$TR/deep-15.yaml:1:10" "includes nested deeper than 16 files" "includes nested deeper than 16 files"

write_policy "$T/incextra.yaml" <<'EOF'
name: incextra
stack:
  - include: lim-15.yaml
    control: optional
EOF
bad incextra 3:5 "a stack entry with 'include' takes no other keys" "an include entry with other keys"

write_policy "$T/incname.yaml" <<'EOF'
name: incname
include: "base policy"
EOF
bad incname 2:10 "include: 'base policy' is not a policy name ([A-Za-z0-9_.-]) or a path to a .yaml file" \
	"include of something that is neither a name nor a .yaml path"

write_policy "$T/inctype.yaml" <<'EOF'
name: inctype
include: [{name: base}]
EOF
bad inctype 2:11 "include: expected a policy name or path, found a mapping" "an include item that is a mapping"

write_policy "$T/parts-broken.yaml" <<'EOF'
stack:
  - module: tm_a
    control: [
EOF
write_policy "$T/incbroken.yaml" <<'EOF'
name: incbroken
include: parts-broken.yaml
EOF
bad incbroken "$TR/parts-broken.yaml:4:1" "invalid YAML" "malformed YAML in an included file names that file and line"

printf 'stack: []\n' | write_policy "$T/parts-gw.yaml"
chmod g+w "$T/parts-gw.yaml"
write_policy "$T/incgw.yaml" <<'EOF'
name: incgw
include: parts-gw.yaml
EOF
run exec -p "$T/incgw.yaml" -- touch "$T/ran.incgw"
failed incgw "$TR/parts-gw.yaml|2:10" "parts-gw.yaml: unsafe policy: is group-writable" \
	"include of a group-writable policy is refused"

# ---------------------------------------------------------------------------
# Module arguments (tm_a: see tests/modules/testmod.c for types and bounds).

tm arg-unknown "bogus: 1"
bad arg-unknown 5:7 "unknown argument 'bogus' for module 'tm_a' (expected one of: verdict, findings, log, open, prepare, confine, filter, finish, nested, size, duration, flag, count, names, share, peek)" \
	"an unknown module argument (lists the expected names)"

tm arg-int "count: three"
bad arg-int 5:14 "count: expected an integer, found 'three'" "a string for an INT argument"

tm arg-int2 "count: 2.0"
bad arg-int2 5:14 "count: expected an integer, found '2.0'" "a decimal for an INT argument"

tm arg-str "verdict: [pass]"
bad arg-str 5:16 "verdict: expected a string, found a sequence" "a list for a STRING argument"

tm arg-bool "flag: {on: 1}"
bad arg-bool 5:13 "flag: expected true or false, found a mapping" "a mapping for a BOOL argument"

tm arg-yes "flag: yes"
bad arg-yes 5:13 "flag: expected true or false, found 'yes'" "yes for a BOOL argument"

tm arg-qtrue "flag: \"true\""
bad arg-qtrue 5:13 "flag: expected true or false, found 'true'" "a quoted \"true\" for a BOOL argument"

tm arg-strs "names: [a, [b]]"
bad arg-strs 5:18 "names: expected a string, found a sequence" "a nested list in a STRINGS argument"

tm size-q "size: 12Q"
bad size-q 5:13 "size: expected a size such as 4096, 64K, 256M, 2G or unlimited, found '12Q'" "a size with an unknown unit (12Q)"

tm size-neg "size: -1M"
bad size-neg 5:13 "size: expected a size such as 4096, 64K, 256M, 2G or unlimited, found '-1M'" "a negative size (-1M)"

tm size-frac "size: 1.5"
bad size-frac 5:13 "size: expected a size such as 4096, 64K, 256M, 2G or unlimited, found '1.5'" "a fractional number of bytes (1.5)"

tm size-over "size: 99999999999T"
bad size-over 5:13 "found '99999999999T'" "a size that overflows 64 bits (99999999999T)"

tm dur-x "duration: 5x"
bad dur-x 5:17 "duration: expected a duration such as 500ms, 5s, 2m, 1h or unlimited, found '5x'" "a duration with an unknown unit (5x)"

tm dur-ms "duration: ms"
bad dur-ms 5:17 "duration: expected a duration such as 500ms, 5s, 2m, 1h or unlimited, found 'ms'" "a duration without a number (ms)"

tm dur-dot "duration: 1.s"
bad dur-dot 5:17 "duration: expected a duration such as 500ms, 5s, 2m, 1h or unlimited, found '1.s'" "a duration with a dangling point (1.s)"

tm range-int "count: 6"
bad range-int 5:14 "count: 6 is out of range (-5 to 5)" "an INT above its maximum"

tm range-int2 "count: -6"
bad range-int2 5:14 "count: -6 is out of range (-5 to 5)" "an INT below its minimum"

tm range-find "findings: 101"
bad range-find 5:17 "findings: 101 is out of range (0 to 100)" "an INT above a 0..100 range"

tm range-size "size: 1023"
bad range-size 5:13 "size: 1023 is out of range (1024 bytes to 1048576 bytes)" "a SIZE below its minimum"

tm range-size2 "size: 1.5M"
bad range-size2 5:13 "size: 1.5M is out of range (1024 bytes to 1048576 bytes)" "a SIZE above its maximum"

tm range-dur "duration: 999us"
bad range-dur 5:17 "duration: 999us is out of range (0.001s to 60.000s)" "a DURATION below its minimum"

tm range-dur2 "duration: 1m 1s"
bad range-dur2 5:17 "duration: 1m 1s is out of range (0.001s to 60.000s)" "a DURATION above its maximum"

tm range-unl "duration: unlimited"
bad range-unl 5:17 "duration: must be a finite value" "unlimited for a bounded DURATION"

write_policy "$T/with-list.yaml" <<'EOF'
name: with-list
stack:
  - module: tm_a
    with: [count, 1]
EOF
bad with-list 4:11 "with: expected a mapping of arguments for module 'tm_a', found a sequence" "with: is a list, not a mapping"

write_policy "$T/with-str.yaml" <<'EOF'
name: with-str
stack:
  - module: tm_a
    with: "count: 1"
EOF
bad with-str 4:11 "with: expected a mapping of arguments for module 'tm_a', found a scalar" "with: is a string, not a mapping"

tm nested "nested: {a: 1, c: 1}"
bad nested 5:22 "tm_a: unknown key 'c' (expected one of: a, b)" "an unknown key inside a nested argument mapping"

tm nested2 "nested: [a]"
bad nested2 5:15 "nested: expected a mapping, found a sequence" "a list for a MAPPING argument"

write_policy "$T/req.yaml" <<'EOF'
name: req
stack:
  - module: tm_a
  - module: tm_req
    control: optional
EOF
bad req 4:5 "module 'tm_req' needs argument 'count' (an integer)" "a missing required argument (no with:)"

write_policy "$T/req2.yaml" <<'EOF'
name: req2
stack:
  - module: tm_req
    with:
      flag: true
EOF
bad req2 5:7 "module 'tm_req' needs argument 'count' (an integer)" "a missing required argument (with: has others)"

tm openfail "open: fail"
bad openfail 5:13 "tm_a: open: failing as asked" "a module whose open hook fails"

write_policy "$T/openfail2.yaml" <<'EOF'
name: openfail2
stack:
  - module: tm_a
    control: optional
    with: {open: fail}
EOF
bad openfail2 5:18 "tm_a: open: failing as asked" "an optional module whose open hook fails is still a policy error"

tm verdict "verdict: maybe"
bad verdict 5:16 "tm_a: verdict: expected pass, deny, ignore, error, bogus, crash, syscall, whoami, pid or warmcrash" \
	"a value the module itself refuses in open (names the value's place)"

write_policy "$T/req3.yaml" <<'EOF'
name: req3
stack:
  - module: tm_req
    with: {}
EOF
bad req3 4:11 "module 'tm_req' needs argument 'count' (an integer)" "a missing required argument (with: {})"

# ---------------------------------------------------------------------------
# Modules that cannot be loaded.

write_policy "$T/mod-missing.yaml" <<'EOF'
name: mod-missing
stack:
  - module: tm_a
  - module: no_such_module
EOF
bad mod-missing 4:5 "module 'no_such_module' not found (searched: $MODS/cordon_no_such_module.so, " \
	"a module that is not on the module path (lists the paths searched)"

write_policy "$T/mod-optmissing.yaml" <<'EOF'
name: mod-optmissing
stack:
  - module: tm_a
  - module: no_such_module
    control: optional
EOF
bad mod-optmissing 4:5 "module 'no_such_module' not found" "an optional module that is missing is still a policy error"

printf 'not an ELF file\n' >"$T/mods/cordon_text.so"
chmod 0755 "$T/mods/cordon_text.so"
write_policy "$T/mod-notelf.yaml" <<'EOF'
name: mod-notelf
stack:
  - module: mods/cordon_text.so
EOF
bad mod-notelf 3:5 "cordon_text.so: cannot load module: " "a module path that is not a shared object"

write_policy "$T/mod-path.yaml" <<EOF
name: mod-path
stack:
  - module: $T/nowhere/cordon_tm_a.so
EOF
bad mod-path 3:5 "$T/nowhere/cordon_tm_a.so: cannot open module: No such file or directory" \
	"a module path that does not exist"

write_policy "$T/mod-nosym.yaml" <<'EOF'
name: mod-nosym
stack:
  - module: nosym
EOF
bad mod-nosym 3:5 "cordon_nosym.so: not a cordon module (it does not export the symbol 'cordon_module')" \
	"a module without the cordon_module symbol"

abi=$("$CORDON" --version | sed -n 's/.*module ABI \([0-9]*\.[0-9]*\).*/\1/p')
next=$((${abi%%.*} + 1))
write_policy "$T/mod-badabi.yaml" <<'EOF'
name: mod-badabi
stack:
  - module: badabi
EOF
bad mod-badabi 3:5 "cordon_badabi.so: module built for cordon ABI $next.3, but this cordon has ABI $abi" \
	"a module built for another ABI major (names both versions)"

write_policy "$T/mod-tiny.yaml" <<'EOF'
name: mod-tiny
stack:
  - module: tiny
EOF
bad mod-tiny 3:5 "cordon_tiny.so: module descriptor is 16 bytes, smaller than ABI" \
	"a module whose descriptor is too small"

write_policy "$T/mod-badname.yaml" <<'EOF'
name: mod-badname
stack:
  - module: badname
EOF
bad mod-badname 3:5 "cordon_badname.so: module declares the name 'othername', expected 'badname'" \
	"a module whose declared name differs from its file's"

write_policy "$T/mod-twice.yaml" <<'EOF'
name: mod-twice
stack:
  - module: tm_a
  - module: tm_b
  - module: tm_a
    control: optional
EOF
bad mod-twice 5:5 "module 'tm_a' is already in the stack at $T/mod-twice.yaml:3:5 (a module appears once per policy; to change the included entry, add 'override: true' to this one)" \
	"the same module twice in one stack (names the first place)"

write_policy "$T/mod-twice2.yaml" <<'EOF'
name: mod-twice2
stack:
  - module: tm_b
  - include: sub/inc.yaml
EOF
bad mod-twice2 "$TR/sub/inc.yaml:2:5" "module 'tm_b' is already in the stack at $T/mod-twice2.yaml:3:5" \
	"the same module by name and, through an include, by path"

# ---------------------------------------------------------------------------
# Files cordon must not trust.

printf 'name: gw\nstack: []\n' | write_policy "$T/gw.yaml"
chmod g+w "$T/gw.yaml"
bad gw "" "unsafe policy: is group-writable" "a group-writable policy file"

printf 'name: ww\nstack: []\n' | write_policy "$T/ww.yaml"
chmod o+w "$T/ww.yaml"
bad ww "" "unsafe policy: is world-writable" "a world-writable policy file"

mkdir "$T/gwdir" && chmod 0775 "$T/gwdir"
printf 'name: gwdir\nstack: []\n' | write_policy "$T/gwdir/p.yaml"
run exec -p "$T/gwdir/p.yaml" -- touch "$T/ran.gwdir"
failed gwdir "$T/gwdir/p.yaml" "unsafe policy: is in a group- or world-writable directory" \
	"a policy in a group-writable, non-sticky directory"

mkdir "$T/gwmods" && cp "$MODS/cordon_tm_c.so" "$T/gwmods/" && chmod 0775 "$T/gwmods/cordon_tm_c.so"
write_policy "$T/gwmod.yaml" <<'EOF'
name: gwmod
stack:
  - module: gwmods/cordon_tm_c.so
EOF
bad gwmod 3:5 "cordon_tm_c.so: unsafe module: is group-writable" "a group-writable module file"

mkfifo "$T/fifo.yaml" && chmod 0644 "$T/fifo.yaml"
bad fifo "" "unsafe policy: is not a regular file" "a policy that is a FIFO (refused, does not hang)"

if is_root; then
	printf 'name: owned\nstack: []\n' | write_policy "$T/owned.yaml"
	chown 65534 "$T/owned.yaml"
	bad owned "" "unsafe policy: is not owned by root (cordon runs as root)" \
		"a policy owned by another user, as root"
	mkdir "$T/odir" && chown 65534 "$T/odir"
	printf 'name: odir\nstack: []\n' | write_policy "$T/odir/p.yaml"
	run exec -p "$T/odir/p.yaml" -- touch "$T/ran.odir"
	failed odir "$T/odir/p.yaml" "unsafe policy: is in a directory not owned by root" \
		"a policy in a directory owned by another user, as root"
else
	skip "a policy owned by another user, as root (not root)"
	skip "a policy in a directory owned by another user, as root (not root)"
fi

# ---------------------------------------------------------------------------
# Finding the policy.

run exec -p "$T/absent.yaml" -- touch "$T/ran.absent"
failed absent "" "cannot open policy: No such file or directory" "-p naming a policy file that does not exist"

run --policy-dir "$T" exec -p absent -- touch "$T/ran.absent2"
failed absent2 - \
	"policy 'absent' not found (searched: $T/absent.yaml, " \
	"-p naming a policy that does not exist (lists where it searched)"

# ---------------------------------------------------------------------------
# rlimit's own checks.

rl rl-cpu "cpu: 0"
bad rl-cpu 5:12 "rlimit: cpu: must be more than 0" "rlimit cpu: 0"

rl rl-mem "memory: 1K"
bad rl-mem 5:15 "rlimit: memory: too small for any program to start (at least 1M)" "rlimit memory: 1K"

rl rl-proc "processes: 0"
bad rl-proc 5:18 "processes: 0 is out of range (1 to 1000000)" "rlimit processes: 0"

rl rl-wall "wall: 10 s x"
bad rl-wall 5:13 "wall: expected a duration" "rlimit wall: garbage after the unit"

# ---------------------------------------------------------------------------
# The other commands that load a policy refuse the same way.

printf 'touch %s/ran.run\n' "$T" >"$T/src.sh"
write_policy "$T/run.yaml" <<'EOF'
name: run
interpreter: [/bin/sh]
stack:
  - module: tm_a
    with: {count: 9}
EOF
run run -p "$T/run.yaml" "$T/src.sh"
failed run 5:19 "count: 9 is out of range (-5 to 5)" "cordon run: an invalid policy runs no source"

run check -p "$T/run.yaml" "$T/src.sh"
failed run 5:19 "count: 9 is out of range (-5 to 5)" "cordon check: an invalid policy is an error"

run policy lint "$T/relmod.yaml" "$T/dupkey.yaml"
failed lint "$T/dupkey.yaml:3:1" "duplicate key 'name' (first at line 1)" \
	"cordon policy lint: an invalid file is reported with its place"
check "cordon policy lint: the valid file next to it is still reported ok" \
	out_has "$T/relmod.yaml: ok (policy 'relmod')"

done_testing
