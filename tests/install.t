#!/bin/sh
# tests/install.t - `make install PREFIX=X` into a temporary prefix: the
# build tree's binaries are not rebuilt (same sha256, no X on their library
# path), the installed man pages name X's paths (not /usr/local), each
# module's README is installed as documentation, and the installed cordon
# finds the installed policies.  Builds a build tree of its own in $T (the
# command and libcordon), then installs (a full build, in $T/b/install).
. "$(dirname "$0")/lib.sh"

SRC=$CORDON_SRCDIR
if [ ! -f "$SRC/Makefile" ]; then
	echo "1..0 # SKIP no Makefile in $SRC"
	exit 0
fi
if ! command -v make >/dev/null 2>&1 || ! command -v cc >/dev/null 2>&1; then
	echo "1..0 # SKIP make or cc not found"
	exit 0
fi
B="$T/b"
P="$T/prefix"
if ! make -s -C "$SRC" -j2 BUILD="$B" "$B/bin/cordon" >"$T/build.log" 2>&1; then
	not_ok "the build tree builds"
	sed 's/^/# /' "$T/build.log" | tail -20
	done_testing
	exit 1
fi
lib=$(ls "$B"/lib/libcordon.so.*.*.*)
sha256sum "$B/bin/cordon" "$lib" >"$T/before.sha"
"$B/bin/cordon" policy list >"$T/list.before" 2>&1

make -s -C "$SRC" -j2 BUILD="$B" PREFIX="$P" install >"$T/install.log" 2>&1
rc=$?
check "make install PREFIX=$P: 0" rc_is 0
[ "$rc" -eq 0 ] || sed 's/^/# /' "$T/install.log" | tail -20

check "installing did not rebuild the build tree's cordon and libcordon (same sha256)" \
	sha256sum -c --quiet "$T/before.sha"
if command -v readelf >/dev/null 2>&1; then
	check "the build tree's cordon has no library path into the prefix" \
		sh -c "! readelf -d '$B/bin/cordon' | grep -i 'runpath\|rpath' | grep -qF '$P'"
	check "the build tree's libcordon names no path of the prefix" sh -c "! grep -qF '$P' '$lib'"
else
	skip_n 2 "readelf not found"
fi
"$B/bin/cordon" policy list >"$T/list.after" 2>&1
check "the build tree's cordon finds the same policies after installing" cmp -s "$T/list.before" "$T/list.after"

# The installed copy.
"$P/bin/cordon" policy list >"$T/out" 2>"$T/err"
check "the installed cordon finds the installed policies" sh -c "grep -q '$P/etc/cordon/policies.d/default.yaml' '$T/out'"
man1="$P/share/man/man1/cordon.1"
check "the installed cordon(1) names the prefix's policies.d and modules" \
	sh -c "grep -qF '$P/etc/cordon/policies.d/' '$man1' && grep -qF '$P/lib/cordon/modules/' '$man1' &&
		grep -qF '$P/share/doc/cordon/' '$man1'"
check "the installed cordon(1) says /usr/local nowhere" sh -c "! grep -q '/usr/local' '$man1'"
missing=
for r in "$SRC"/modules/*/README.md; do
	m=$(basename "$(dirname "$r")")
	cmp -s "$r" "$P/share/doc/cordon/modules/$m/README.md" || missing="$missing $m"
done
check "each module's README is installed as share/doc/cordon/modules/NAME/README.md${missing:+ (missing:$missing)}" \
	test -z "$missing"
check "the README is installed as share/doc/cordon/README.md" cmp -s "$SRC/README.md" "$P/share/doc/cordon/README.md"
check "the bash completion is installed" cmp -s "$SRC/contrib/bash-completion/cordon" \
	"$P/share/bash-completion/completions/cordon"

make -s -C "$SRC" BUILD="$B" PREFIX="$P" uninstall >/dev/null 2>&1
check "make uninstall removes the documentation too" test ! -e "$P/share/doc/cordon"

done_testing
