#!/bin/sh
# contrib/example-module/tests/nohosts.t - the out-of-tree module example:
# build it with its own Makefile against installed cordon headers found only
# through pkg-config, load it from a policy by path, and check what it
# denies.
. "$(dirname "$0")/../../../tests/lib.sh"

for tool in cc make pkg-config; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool not found"
		exit 0
	fi
done
umask 022
EX="$CORDON_SRCDIR/contrib/example-module"
WARN="-Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings -Wshadow -Wformat=2 -Wvla"

# Where the installed headers and cordon.pc are:
# - $CORDON installed under a prefix (the unprivileged pass runs an
#   installed copy): PREFIX/lib/pkgconfig/cordon.pc, as a user has it;
# - $CORDON in a build tree: the build's own cordon.pc (PREFIX=/usr/local)
#   and the headers `make install` copies, staged under a sysroot as
#   `make install DESTDIR=` would lay them out.
prefix=$(cd "$(dirname "$CORDON")/.." && pwd)
if [ -f "$prefix/lib/pkgconfig/cordon.pc" ] && [ -f "$prefix/include/cordon/module.h" ]; then
	PKG_CONFIG_LIBDIR="$prefix/lib/pkgconfig"
	PKG_CONFIG_SYSROOT_DIR=
	diag "building against the installed prefix $prefix"
elif [ -f "$prefix/cordon.pc" ]; then
	PKG_CONFIG_LIBDIR="$T/pc"
	mkdir -p "$T/pc"
	cp "$prefix/cordon.pc" "$T/pc/"
	PKG_CONFIG_SYSROOT_DIR="$T/stage"
	incdir=$(PKG_CONFIG_LIBDIR=$T/pc PKG_CONFIG_SYSROOT_DIR= pkg-config --variable=includedir cordon)
	libdir=$(PKG_CONFIG_LIBDIR=$T/pc PKG_CONFIG_SYSROOT_DIR= pkg-config --variable=libdir cordon)
	mkdir -p "$T/stage$incdir/cordon" "$T/stage$libdir"
	cp "$CORDON_SRCDIR/include/cordon/module.h" "$CORDON_SRCDIR/include/cordon/cordon.h" "$T/stage$incdir/cordon/"
	ln -s "$prefix/lib/libcordon.so" "$T/stage$libdir/libcordon.so"
	diag "building against the build tree's cordon.pc with headers staged in $T/stage$incdir"
else
	echo "1..0 # SKIP no cordon.pc next to $CORDON"
	exit 0
fi
export PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
unset PKG_CONFIG_PATH
# The example's make runs as a user runs it, not with the flags of the
# `make check` above (-s would hide the command line checked below).
unset MAKEFLAGS MFLAGS MAKELEVEL

# 1. The example's Makefile, nothing else.
if make -C "$EX" OUT="$T/nh" CFLAGS="-O2 -g $WARN" >"$T/make.out" 2>&1 && [ -f "$T/nh/cordon_nohosts.so" ]; then
	ok "the module builds with its Makefile and pkg-config"
else
	not_ok "the module builds with its Makefile and pkg-config"
	sed 's/^/# /' "$T/make.out"
	done_testing
	exit 1
fi
check "the compile line carries pkg-config's flags" grep -qF -- "$(pkg-config --cflags cordon)" "$T/make.out"

if command -v nm >/dev/null 2>&1; then
	syms=$(nm -D --defined-only "$T/nh/cordon_nohosts.so" | awk '{print $3}' | tr '\n' ' ')
	check "it exports only cordon_module (got: $syms)" [ "$syms" = "cordon_module " ]
else
	skip "nm not found"
fi
if command -v readelf >/dev/null 2>&1; then
	check "it does not depend on libcordon" sh -c "! readelf -d '$T/nh/cordon_nohosts.so' | grep -q libcordon"
else
	skip "readelf not found"
fi

# 2. A policy naming the .so by path (relative to the policy's directory).
write_policy "$T/nh/policy.yaml" <<'YAML'
interpreter: [/usr/bin/python3, -I, -B]
stack:
  - module: ./cordon_nohosts.so
    with:
      hosts: [db.internal, Metadata.Google.Internal, 169.254.169.254]
YAML
cat >"$T/nh/bad.py" <<'PY'
import urllib.request
# instance credentials
url = "http://169.254.169.254/latest/meta-data/"
dsn = "postgres://café@DB.Internal:5432/x"
print("done, see db.internal.")
PY
cat >"$T/nh/good.py" <<'PY'
# Longer names that merely contain a listed one are other hosts.
hosts = ["mydb.internal", "x.db.internal", "db.internal.example.com", "db.internalx", "db-internal"]
print(len(hosts))
PY

run check -p "$T/nh/policy.yaml" "$T/nh/bad.py"
check "a file mentioning listed hosts is denied (126)" rc_is 126
check "finding with line and column: the address" out_has "bad.py:3:15: high: mentions the host '169.254.169.254'"
check "case-insensitive; the column counts characters (é is one)" out_has "bad.py:4:24: high: mentions the host 'db.internal'"
check "a dot ending a sentence still ends the name" out_has "bad.py:5:18: high: mentions the host 'db.internal'"
check "rule id nohosts/host-mentioned" out_has "[nohosts/host-mentioned]"

run check --json -p "$T/nh/policy.yaml" "$T/nh/bad.py" "$T/nh/good.py"
check "json: three findings in bad.py, none in good.py" \
	json_is '[len(f["findings"]) for f in j]' '[3, 0]'
check "json: verdicts deny and pass" json_is '[f["verdict"] for f in j]' "['deny', 'pass']"

run check -p "$T/nh/policy.yaml" "$T/nh/good.py"
check "a file that mentions none passes (0)" rc_is 0

run run --json -p "$T/nh/policy.yaml" "$T/nh/bad.py"
check "cordon run is denied before anything runs" \
	json_is '(j["status"], j["exit_code"], j["stdout"])' "('denied', None, '')"

write_policy "$T/nh/low.yaml" <<'YAML'
stack:
  - module: ./cordon_nohosts.so
    with: {hosts: db.internal, severity: low}
YAML
run check --json -p "$T/nh/low.yaml" "$T/nh/bad.py"
check "severity: low, and hosts as a single string" json_is '[f["severity"] for f in j[0]["findings"]]' "['low', 'low']"

# 3. Bad arguments: exit 125, naming file:line:column, nothing checked.
bad_arg() { # NAME WITH-LINES EXPECTED-PLACE EXPECTED-TEXT
	printf 'stack:\n  - module: ./cordon_nohosts.so\n    with:\n%s\n' "$2" | write_policy "$T/nh/$1.yaml"
	run check -p "$T/nh/$1.yaml" "$T/nh/good.py"
	check "bad argument ($1): 125" rc_is 125
	check "bad argument ($1): names $3" err_has "$1.yaml:$3"
	check "bad argument ($1): says '$4'" err_has "$4"
}
bad_arg badhost '      hosts: [ok.host, "bad host"]' '4:24:' "'bad host' has a character that cannot be in a host name"
bad_arg dots '      hosts: [a..b]' '4:15:' "has an empty label"
bad_arg empty '      hosts: []' '4:14:' "the list is empty"
bad_arg severity '      hosts: a.b
      severity: urgent' '5:17:' "expected info, low, medium, high or critical, found 'urgent'"
bad_arg nohosts '      severity: low' '4:7:' "needs argument 'hosts'"
bad_arg typo '      hosts: a.b
      sevrity: low' '5:7:' "unknown argument 'sevrity'"

# 4. Installed on the module path, it is found by name.
if make -C "$EX" OUT="$T/nh" MODULEDIR="$T/mods" install >"$T/make.out" 2>&1; then
	ok "make install MODULEDIR=..."
else
	not_ok "make install MODULEDIR=..."
	sed 's/^/# /' "$T/make.out"
fi
write_policy "$T/byname.yaml" <<'YAML'
stack:
  - module: nohosts
    with: {hosts: db.internal}
YAML
CORDON_MODULE_PATH="$T/mods" run check -p "$T/byname.yaml" "$T/nh/bad.py"
check "by name on \$CORDON_MODULE_PATH: denied" rc_is 126

# 5. Without cordon.pc the Makefile says what to do.
if PKG_CONFIG_LIBDIR="$T/empty" make -C "$EX" OUT="$T/nh2" >"$T/make.out" 2>&1; then
	not_ok "without cordon.pc make fails"
else
	check "without cordon.pc make fails naming PKG_CONFIG_PATH" grep -q "set PKG_CONFIG_PATH" "$T/make.out"
fi

# 6. Built against the module header of ABI 1.2 (tests/abi/1.2, as modules
# were built then), it loads into today's core and works unchanged: the
# core reads nothing past the descriptor's size.
mkdir -p "$T/old"
if cc -O2 -shared -fPIC $WARN -I"$CORDON_SRCDIR/tests/abi/1.2" -o "$T/old/cordon_nohosts.so" "$EX/nohosts.c" \
	-Wl,--version-script="$EX/nohosts.map" >"$T/cc.out" 2>&1; then
	ok "the example builds against the ABI 1.2 header"
else
	not_ok "the example builds against the ABI 1.2 header"
	sed 's/^/# /' "$T/cc.out"
fi
write_policy "$T/old/policy.yaml" <<'YAML'
stack:
  - module: ./cordon_nohosts.so
    with: {hosts: [db.internal, 169.254.169.254]}
YAML
run check --json -p "$T/old/policy.yaml" "$T/nh/bad.py" "$T/nh/good.py"
check "built for ABI 1.2: the same verdicts and findings as today's build" \
	json_is '[(f["verdict"], [(x["line"], x["column"], x["rule"]) for x in f["findings"]]) for f in j]' \
	"[('deny', [(3, 15, 'host-mentioned'), (4, 24, 'host-mentioned'), (5, 18, 'host-mentioned')]), ('pass', [])]"
CORDON_MODULE_PATH="$T/old" run modules
check "cordon modules shows it as ABI 1.2" sh -c "grep -Eq '^nohosts +ABI 1\.2 ' '$T/out'"

done_testing
