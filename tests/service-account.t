#!/bin/sh
# tests/service-account.t - cordon as the accounts services run under.
#
# The read-only commands (policy lint, policy show, check) create and open
# no incident log, under every shipped policy.  The README's first command
# (`cordon run contrib/examples/untrusted.py`), `check` and `policy lint`
# work as root, as nobody (uid 65534, HOME=/nonexistent) and as a system
# account whose home it cannot write (www-data, HOME owned by root): the
# default incident log then goes to the documented fallback
# /var/tmp/cordon-UID/incidents.jsonl, and where no place can be made the
# error names the settings that give it one.  The accounts' runs are made
# in a mount namespace with a fresh /var/tmp, so the host's is untouched.
. "$(dirname "$0")/lib.sh"

SRC=$CORDON_SRCDIR
EXAMPLE=$SRC/contrib/examples/untrusted.py
printf 'import os\nos.system("id")\n' >"$T/deny.py"
echo 'print("hello")' >"$T/hello.py"
chmod 0644 "$T/deny.py" "$T/hello.py"

# ---- read-only commands open no log (any account) ----

RO="$T/ro-logs"
for f in "$SRC"/policies.d/*.yaml; do
	n=$(basename "$f" .yaml)
	LOGS_DIRECTORY="$RO" run policy lint "$f"
	check "policy lint $n: 0" rc_is 0
done
check "policy lint of every shipped policy created no log (\$LOGS_DIRECTORY/incidents.jsonl)" test ! -e "$RO"
for n in default production strict; do
	LOGS_DIRECTORY="$RO" run policy show "$n"
	check "policy show $n: 0, no log created" sh -c "[ $rc -eq 0 ] && [ ! -e '$RO' ]"
done
LOGS_DIRECTORY="$RO" run check "$EXAMPLE"
check "check untrusted.py: 0, no log created" sh -c "[ $rc -eq 0 ] && [ ! -e '$RO' ]"
LOGS_DIRECTORY="$RO" run check -p production "$T/deny.py"
check "check, a denied source: 126, no log created" sh -c "[ $rc -eq 126 ] && [ ! -e '$RO' ]"
# ... while a run does make it (the checks above could fail).
LOGS_DIRECTORY="$RO" run run "$EXAMPLE"
check "the README's first command: 0" rc_is 0
check "... and the run opened the log" test -f "$RO/incidents.jsonl"
LOGS_DIRECTORY="$RO" run run "$T/deny.py"
check "a run denied by the checks (before prepare): 126, one record" \
	sh -c "[ $rc -eq 126 ] && [ \"\$(wc -l <'$RO/incidents.jsonl')\" -eq 1 ]"

# A default place that cannot be made (any account: under /proc).
for ctl in required optional; do
	write_policy "$T/$ctl.yaml" <<EOF
isolation: none
interpreter: [/usr/bin/python3, -I, -B]
stack:
  - module: incident_log
    control: $ctl
EOF
done
LOGS_DIRECTORY=/proc/no-such-dir run policy lint "$T/required.yaml"
check "lint of a policy whose default log has no place: 0 (nothing opened)" rc_is 0
LOGS_DIRECTORY=/proc/no-such-dir run run -p "$T/required.yaml" "$T/hello.py"
check "required, no place for the log: 125 before anything ran, naming LogsDirectory= and path:" \
	sh -c "[ $rc -eq 125 ] && grep -q 'nothing was run' '$T/err' && grep -q 'LogsDirectory=' '$T/err' &&
		grep -q 'path:' '$T/err' && [ ! -s '$T/out' ]"
LOGS_DIRECTORY=/proc/no-such-dir run run -p "$T/optional.yaml" "$T/hello.py"
check "optional, no place for the log: the run goes on, one warning (not one more at finish)" \
	sh -c "[ $rc -eq 0 ] && grep -qx hello '$T/out' && [ \"\$(grep -c 'no-such-dir' '$T/err')\" -eq 1 ]"

# ---- as service accounts (root: setpriv, a mount namespace) ----

why=
if ! is_root; then
	why="not root: cannot switch to another account"
elif ! command -v setpriv >/dev/null 2>&1; then
	why="setpriv not found (util-linux)"
elif ! unshare -m sh -c 'mount -t tmpfs tmpfs /var/tmp' 2>/dev/null; then
	why="no mount namespace with a tmpfs /var/tmp here"
elif ! setpriv --reuid=65534 --regid=65534 --clear-groups sh -c \
	"test -x '$CORDON' && test -r '$EXAMPLE' && test -r '$SRC/policies.d/default.yaml'" 2>/dev/null; then
	why="uid 65534 cannot read $CORDON or $SRC (a checkout under a private directory)"
fi
if [ -n "$why" ]; then
	skip_n 20 "$why"
	done_testing
	exit $?
fi
chmod 0755 "$T"
# Runs need user namespaces for the default policy's isolation backend.
userns=1
if ! setpriv --reuid=65534 --regid=65534 --clear-groups unshare -U true 2>/dev/null; then
	userns=0
	userns_why="uid 65534 cannot create a user namespace here: no run under the default policy"
fi

# as UID GID HOME SCRIPT: run SCRIPT (sh) in a mount namespace whose
# /var/tmp is a fresh tmpfs; in it, $AS COMMAND runs COMMAND as the
# account with only PATH, LANG and HOME in its environment, and $C is cordon.
as() {
	unshare -m env AS="setpriv --reuid=$1 --regid=$2 --clear-groups env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME=$3" \
		C="$CORDON" sh -c 'mount -t tmpfs -o mode=1777 tmpfs /var/tmp || exit 99
'"$4" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
}

# account UID GID HOME LABEL: the newcomer's commands as that account.
account() {
	_u=$1 _g=$2 _h=$3 _l=$4
	as "$_u" "$_g" "$_h" 'for f in "'"$SRC"'"/policies.d/*.yaml; do $AS "$C" policy lint "$f" >/dev/null || exit 1; done
$AS "$C" policy show default >/dev/null || exit 2
$AS "$C" check "'"$EXAMPLE"'" >/dev/null || exit 3
ls -A /var/tmp'
	check "$_l: policy lint of every shipped policy, policy show, check: 0" rc_is 0
	check "$_l: ... and no log made (nothing in /var/tmp)" sh -c "[ $rc -eq 0 ] && [ ! -s '$T/out' ]"
	if [ "$userns" -eq 0 ]; then
		skip_n 7 "$userns_why"
		return
	fi
	as "$_u" "$_g" "$_h" '$AS "$C" run "'"$EXAMPLE"'" >/dev/null || exit $?
$AS "$C" run "'"$T/deny.py"'" >/dev/null; [ $? -eq 126 ] || exit 98
stat -c "%a %u" /var/tmp/cordon-'"$_u"' /var/tmp/cordon-'"$_u"'/incidents.jsonl
$AS "$C" log verify /var/tmp/cordon-'"$_u"'/incidents.jsonl'
	check "$_l: the README's first command, then a denied run: 0, 126" sh -c "[ $rc -eq 0 ]"
	check "$_l: the log's fallback directory is /var/tmp/cordon-$_u, mode 0700, the account's" \
		sh -c "sed -n 1p '$T/out' | grep -qx '700 $_u'"
	check "$_l: the fallback log is mode 0600, the account's" sh -c "sed -n 2p '$T/out' | grep -qx '600 $_u'"
	check "$_l: the denial is its one record, the chain verifies" grep -q '^OK: 1 record' "$T/out"
	# The rest of the newcomer's path: the binding, then a policy that
	# adjusts a preset (override: true), tightened per call.
	as "$_u" "$_g" "$_h" '$AS PYTHONPATH="'"$SRC/contrib/python"'" PYTHONDONTWRITEBYTECODE=1 CORDON="$C" python3 -c "
import cordon
r = cordon.execute(\"print(6 * 7)\")
print(r.status, r.stdout.strip())
r = cordon.execute(\"print(7 * 6)\", policy=\"'"$T/adjusted.yaml"'\", tighten=cordon.Tighten.config(timeout=5))
print(r.status, r.stdout.strip(), r.tightened)
"'
	check "$_l: the binding runs code under default (ok 42)" sh -c "[ $rc -eq 0 ] && sed -n 1p '$T/out' | grep -qx 'ok 42'"
	check "$_l: a policy that adjusts production, tightened per call: ok 42" \
		sh -c "sed -n 2p '$T/out' | grep -qxF \"ok 42 ['limit:wall=5000ms']\""
	# No place at all: the fallback is taken by another account.
	as "$_u" "$_g" "$_h" 'mkdir -m 0700 /var/tmp/cordon-'"$_u"' && $AS "$C" run "'"$EXAMPLE"'"'
	check "$_l: no place for the log: 125 naming path:, \$XDG_STATE_HOME and LogsDirectory=" \
		sh -c "[ $rc -eq 125 ] && grep -q 'path:' '$T/err' && grep -q 'XDG_STATE_HOME' '$T/err' &&
			grep -q 'LogsDirectory=' '$T/err' && grep -q 'owned by uid 0' '$T/err'"
}

# A policy of one's own that adjusts a shipped preset.
write_policy "$T/adjusted.yaml" <<'EOF'
name: adjusted
include: [production]
stack:
  - module: rlimit
    override: true
    with: {memory: 256M, wall: 8s}
EOF

account 65534 65534 /nonexistent "nobody (HOME=/nonexistent)"

# A system account whose home exists but is not its own (www-data's
# /var/www, owned by root).
www=$(getent passwd www-data | cut -d: -f3,4)
mkdir -m 0755 "$T/www"
if [ -n "$www" ]; then
	account "${www%:*}" "${www#*:}" "$T/www" "www-data (HOME owned by root)"
else
	skip_n 9 "no www-data account on this host"
fi

# An explicit setting that cannot be used is an error naming it (no fallback).
mkdir -m 0755 "$T/state"
if [ "$userns" -eq 1 ]; then
	as 65534 65534 /nonexistent '$AS XDG_STATE_HOME="'"$T/state"'" "$C" run "'"$EXAMPLE"'"'
	check "nobody, an unwritable \$XDG_STATE_HOME: 125 naming it" \
		sh -c "[ $rc -eq 125 ] && grep -q 'XDG_STATE_HOME=$T/state' '$T/err'"
	# systemd's LogsDirectory=: the service's own directory.
	mkdir -m 0700 "$T/svclogs"
	chown 65534:65534 "$T/svclogs"
	as 65534 65534 /nonexistent '$AS LOGS_DIRECTORY="'"$T/svclogs"'" "$C" run "'"$T/deny.py"'"; ls -A /var/tmp'
	check "nobody under systemd's LogsDirectory=: the record goes to \$LOGS_DIRECTORY, not the fallback" \
		sh -c "[ $rc -eq 0 ] && [ ! -s '$T/out' ] && [ \"\$(wc -l <'$T/svclogs/incidents.jsonl')\" -eq 1 ]"
else
	skip_n 2 "$userns_why"
fi

done_testing
