#!/bin/sh
# tests/config.t - ABI 1.4 config tables: the core checks a module's table
# at load, fills the module's struct before open (defaults, enumerations,
# paths from the policy's directory, lists), refuses malformed tables naming
# the module file, shows defaults and choices in `cordon modules NAME`; and
# a module of ABI 1.2 still loads, its descriptor never read past its size.
. "$(dirname "$0")/lib.sh"

MODS=$CORDON_TESTBIN/modules
TR=$(cd "$T" && pwd -P) || exit 1

# pol FILE WITH: a policy of cfgmod (or another module) with WITH.
pol() {
	printf 'isolation: none\ninterpreter: [/bin/sh]\nstack:\n  - module: %s\n    with: {%s}\n' "$3" "$2" >"$1"
	chmod 0644 "$1"
}
warn_has() { grep -qF -- "$1" "$T/err"; }

pol "$T/defaults.yaml" "" cfgmod
run exec -p "$T/defaults.yaml" -- true
check "defaults fill every member (0)" sh -c "[ $rc -eq 0 ] && grep -qF 'cfg name=anon file=(null) list=(null) count=3 flag=1 size=65536 time=unlimited mode=auto map=no' '$T/err'"

pol "$T/given.yaml" "name: x, file: data/rules.txt, list: [a, b], count: 7, flag: false, size: 1M, time: 2s, mode: on, map: {k: v}" cfgmod
run exec -p "$T/given.yaml" -- true
check "given values fill the members, a relative path from the policy's directory" \
	sh -c "[ $rc -eq 0 ] && grep -qF 'cfg name=x file=$TR/data/rules.txt list=a,b count=7 flag=0 size=1048576 time=finite mode=on map=yes' '$T/err'"

# A relative path is taken from the file it is written in: an override's
# own file, not the included entry's.
mkdir -p "$T/base" "$T/top"
printf 'stack:\n  - module: cfgmod\n    with: {file: data.txt}\n' >"$T/base/b.yaml"
chmod 0644 "$T/base/b.yaml"
printf 'isolation: none\ninterpreter: [/bin/sh]\ninclude: [../base/b.yaml]\nstack:\n  - module: cfgmod\n    override: true\n    with: {name: top}\n' >"$T/top/keep.yaml"
printf 'isolation: none\ninterpreter: [/bin/sh]\ninclude: [../base/b.yaml]\nstack:\n  - module: cfgmod\n    override: true\n    with: {file: mine.txt}\n' >"$T/top/over.yaml"
chmod 0644 "$T/top/keep.yaml" "$T/top/over.yaml"
run exec -p "$T/top/keep.yaml" -- true
check "a path from the included file stays relative to that file" warn_has "file=$TR/base/data.txt "
run exec -p "$T/top/over.yaml" -- true
check "an overriding path is relative to the overriding file" warn_has "file=$TR/top/mine.txt "

pol "$T/one.yaml" "list: single" cfgmod
run exec -p "$T/one.yaml" -- true
check "a single string fills a one-item list" warn_has "list=single "

pol "$T/emptypath.yaml" 'file: ""' cfgmod
run exec -p "$T/emptypath.yaml" -- true
check "a quoted empty path: 125 at its line (not the policy's directory)" \
	sh -c "[ $rc -eq 125 ] && grep -qF \"$T/emptypath.yaml:5:\" '$T/err' && grep -qF 'cfgmod: file: expected a path, found an empty value' '$T/err'"

pol "$T/enum.yaml" "mode: maybe" cfgmod
run exec -p "$T/enum.yaml" -- true
check "an enumeration outside its choices: 125 at its line, naming the choices" \
	sh -c "[ $rc -eq 125 ] && grep -qF \"$T/enum.yaml:5:\" '$T/err' && grep -qF \"cfgmod: mode: expected one of off, on, auto, found 'maybe'\" '$T/err'"

pol "$T/bounds.yaml" "count: 11" cfgmod
run exec -p "$T/bounds.yaml" -- true
check "a value out of the table's bounds: 125" sh -c "[ $rc -eq 125 ] && grep -qF 'count: 11 is out of range (1 to 10)' '$T/err'"

pol "$T/unknown.yaml" "colour: red" cfgmod
run exec -p "$T/unknown.yaml" -- true
check "an undeclared key: 125 listing the table's names" \
	sh -c "[ $rc -eq 125 ] && grep -qF \"unknown argument 'colour' for module 'cfgmod' (expected one of: name, file, list, count, flag, size, time, mode, map)\" '$T/err'"

run modules cfgmod
check "cordon modules NAME shows defaults and choices" \
	sh -c "[ $rc -eq 0 ] && grep -q 'mode *choice *a choice (one of off, on, auto) \\[default auto\\]' '$T/out' && grep -q 'count *integer *an integer \\[default 3\\] *\\[1..10\\]' '$T/out'"

for bad in both:"declares both args and a config table" offset:"its member lies outside the config struct" \
	entry:"a config table entry of a size this cordon does not know"; do
	name=${bad%%:*}
	pol "$T/bad-$name.yaml" "" "cfg$name"
	run exec -p "$T/bad-$name.yaml" -- true
	check "a malformed table ($name): 125 naming the module file" \
		sh -c "[ $rc -eq 125 ] && grep -qF 'cordon_cfg$name.so' '$T/err' && grep -qF '${bad#*:}' '$T/err'"
done
pol "$T/bad-default.yaml" "" cfgdefault
run exec -p "$T/bad-default.yaml" -- true
check "a default that is not a value: 125 naming the module's default" \
	sh -c "[ $rc -eq 125 ] && grep -qF \"module 'cfgdefault' declares a default for 'size' that is not a valid value: 'lots'\" '$T/err'"
pol "$T/given-default.yaml" "size: 2M" cfgdefault
run exec -p "$T/given-default.yaml" -- true
check "the bad default is not used when the value is given (0)" rc_is 0

pol "$T/abi12.yaml" "level: 4" abi12
run exec -p "$T/abi12.yaml" -- true
check "an ABI 1.2 module loads; its args checked and read as before; no config" \
	sh -c "[ $rc -eq 0 ] && grep -qF 'abi12 level=4 config=none' '$T/err'"
pol "$T/abi12-bad.yaml" "level: 9" abi12
run exec -p "$T/abi12-bad.yaml" -- true
check "an ABI 1.2 module's bounds still hold (125)" rc_is 125
run modules abi12
check "cordon modules shows an ABI 1.2 module as 1.2" sh -c "[ $rc -eq 0 ] && grep -q '^abi12 (ABI 1.2)' '$T/out'"

# The shipped modules declare their defaults and choices in their tables,
# where cordon modules NAME reads them (one place: no help text repeats them).
for want in "seccomp:profile *choice.*one of default, strict, javascript) \\[default default\\]" \
	"caps:securebits *boolean.*\\[default true\\]" \
	"pyimport:max_bytes *size.*\\[default 8M\\]" \
	"pattern_scan:threshold *choice.*\\[default low\\]" \
	"pyguard:mode *choice.*one of denylist, allowlist) \\[default denylist\\]" \
	"incident_log:max_record *size.*\\[default 64K\\]" \
	"egress:port *integer.*\\[default 3128\\]"; do
	mod=${want%%:*}
	run modules "$mod"
	check "cordon modules $mod: a default from its table (${want#*:})" sh -c "[ $rc -eq 0 ] && grep -q -- '^ *${want#*:}' '$T/out'"
done

done_testing
