#!/bin/sh
# contrib/man/tests/man.t - the man pages render without warnings, cordon(1)
# names every command and option `cordon --help` lists, and cordon.yaml(5)
# names every argument each shipped module declares.
. "$(dirname "$0")/../../../tests/lib.sh"

man="$CORDON_SRCDIR/contrib/man"
for page in cordon.1 cordon.yaml.5 cordon-module.3; do
	if command -v groff >/dev/null 2>&1; then
		check "$page: renders with no groff warning" \
			sh -c "groff -man -ww -z '$man/$page' 2>'$T/groff.err' && [ ! -s '$T/groff.err' ]"
	else
		skip "$page: groff is not installed"
	fi
done

"$CORDON" --help >"$T/help" 2>&1
for cmd in run exec check "policy list" modules "log verify" selftest mcp; do
	if grep -q "cordon $cmd" "$T/help"; then
		check "cordon(1) documents '$cmd'" sh -c "sed 's/\\\\-/-/g; s/\\\\f[BIRP]//g' '$man/cordon.1' | grep -q -- '$cmd'"
	else
		not_ok "--help no longer lists '$cmd': update this test and cordon(1)"
	fi
done
for opt in $(grep -o -- '--[a-z][a-z-]*' "$T/help" | sort -u); do
	check "cordon(1) documents $opt" sh -c "sed 's/\\\\-/-/g' '$man/cordon.1' | grep -q -- '$opt'"
done

# Every argument each module declares (its source's argument table).
for src in "$CORDON_SRCDIR"/modules/*/; do
	m=$(basename "$src")
	args=$(cat "$src"*.c | grep -o '{ "[a-z_]*", CORDON_ARG' | sed 's/{ "\([a-z_]*\)".*/\1/' | sort -u)
	[ -n "$args" ] || continue
	missing=""
	for a in $args; do
		sed -n "/^\\.B $m\$/,/^\\.TP/p" "$man/cordon.yaml.5" | grep -qw -- "$a" || missing="$missing $a"
	done
	check "cordon.yaml(5) lists every argument of $m${missing:+ (missing:$missing)}" test -z "$missing"
done

done_testing
