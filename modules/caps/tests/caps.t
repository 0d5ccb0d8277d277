#!/bin/sh
# modules/caps/tests/caps.t - the caps module: every set empty, securebits
# locked, no_new_privs; `keep` keeps a capability across execve through the
# ambient set; unknown names are policy errors.
. "$(dirname "$0")/../../../tests/lib.sh"

chmod 755 "$T"
TRY="$PROBES/ns_try"
status() { grep -E "^(NoNewPrivs|Cap(Inh|Prm|Eff|Bnd|Amb))" /proc/self/status | tr -s "\t" " "; }

write_policy "$T/ns.yaml" <<'EOF2'
stack:
  - module: namespaces
  - module: caps
EOF2
run exec -p "$T/ns.yaml" --bind-ro "$PROBES" -- "$TRY" securebits
# NOROOT, NO_SETUID_FIXUP, NO_CAP_AMBIENT_RAISE and their locks, KEEP_CAPS locked off
check "after namespaces: securebits set and locked" out_is 0xef

write_policy "$T/keep.yaml" <<'EOF2'
stack:
  - module: namespaces
  - module: caps
    with: {keep: [CAP_NET_BIND_SERVICE]}
EOF2
run exec -p "$T/keep.yaml" -- sh -c 'grep -E "^Cap(Prm|Eff|Bnd|Amb)" /proc/self/status | tr -s "\t" " "'
check "keep: [CAP_NET_BIND_SERVICE] survives execve (ambient), nothing else" out_is "$(printf 'CapPrm: 0000000000000400\nCapEff: 0000000000000400\nCapBnd: 0000000000000400\nCapAmb: 0000000000000400')"
run exec -p "$T/keep.yaml" -- python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 80)); print("bound")'
check "keep: the kept capability works (bind port 80 in the sandbox)" out_is bound
run exec -p "$T/ns.yaml" -- python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 80)); print("bound")'
check "without keep: binding port 80 is refused" err_has "Permission denied"

write_policy "$T/alone.yaml" <<'EOF2'
stack:
  - module: caps
EOF2
run exec -p "$T/alone.yaml" --json -- sh -c 'grep -E "^(NoNewPrivs|Cap(Prm|Eff|Amb))" /proc/self/status | tr -s "\t" " "'
check "caps alone: exit 0" rc_is 0
check "caps alone: no capability, no_new_privs" json_is 'j["stdout"]' "$(printf 'CapPrm: 0000000000000000\nCapEff: 0000000000000000\nCapAmb: 0000000000000000\nNoNewPrivs: 1\n')"
if is_root; then
	run exec -p "$T/alone.yaml" -- sh -c 'grep CapBnd /proc/self/status | tr -s "\t" " "; "$1" securebits' sh "$TRY"
	check "caps alone as root: bounding set empty, securebits locked" out_is "$(printf 'CapBnd: 0000000000000000\n0xef')"
	: >"$T/owned"
	run exec -p "$T/alone.yaml" -- chown 1:1 "$T/owned"
	check "caps alone as root: uid 0 without CAP_CHOWN cannot chown" err_has "Operation not permitted"
	check "caps alone as root: the file's owner is unchanged" test "$(stat -c %u "$T/owned")" = 0
else
	run exec -p "$T/alone.yaml" --json -- true
	check "caps alone, unprivileged: the bounding set stays, with a note" json_is '"no CAP_SETPCAP" in " ".join(j["warnings"])' True
fi

printf 'stack:\n  - module: caps\n    with: {keep: [CAP_NOT_A_CAP]}\n' >"$T/bad.yaml"
chmod 644 "$T/bad.yaml"
run exec -p "$T/bad.yaml" -- true
check "unknown capability: 125" rc_is 125
check "unknown capability: file:line and the name" err_has "$T/bad.yaml:3:"
printf 'stack:\n  - module: caps\n    with: {keep: [net_bind_service, cap_chown], securebits: false}\n' >"$T/ok.yaml"
chmod 644 "$T/ok.yaml"
run exec -p "$T/ok.yaml" -- true
check "names without CAP_ and in lower case are accepted" rc_is 0
printf 'stack:\n  - module: caps\n    with: {keeep: []}\n' >"$T/bad.yaml"
run exec -p "$T/bad.yaml" -- true
check "unknown key: 125" rc_is 125

done_testing
