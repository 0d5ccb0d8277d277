#!/bin/sh
# tests/edges.t - the core's edges, as a hostile caller or a fault would
# find them: what the caller hands over (descriptors and paths that must not
# reach the program), closed standard descriptors, inputs that are not files
# (FIFOs that never get a writer) and the signals that must still end the
# run, trust through symlinks, and output that cannot be delivered.  Runs
# as root and as uid 65534.
. "$(dirname "$0")/lib.sh"

chmod 755 "$T"
cat >"$T/ok.py" <<'EOF'
print("ran")
EOF
chmod 644 "$T/ok.py"
write_policy "$T/iso.yaml" <<EOF
interpreter: [/usr/bin/python3, -I, -B]
env: {PATH: /usr/bin:/bin, LANG: C.UTF-8, HOME: /tmp}
stack:
  - module: rlimit
    with: {wall: 20s}
  - module: namespaces
    with: {network: none}
EOF
ISO="$T/iso.yaml"
NS=1
"$CORDON" exec -p "$ISO" -- true >/dev/null 2>&1 || NS=
if [ -z "$NS" ]; then
	echo "1..0 # SKIP the namespaces module cannot run here (user namespaces?)"
	exit 0
fi

# ---- 1. what the caller hands over ----

# A directory as stdin would be a way out of the view: through
# /proc/self/fd/0/... the program reaches the host's files.
rm -f "$T/escaped"
run exec -p "$ISO" --input "$T" -- sh -c 'touch /proc/self/fd/0/escaped; echo done'
check "--input DIR: refused (125)" rc_is 125
check "--input DIR: says it is a directory" err_has "cannot read the input: Is a directory"
check "--input DIR: nothing ran, nothing written through it" test ! -e "$T/escaped"
"$CORDON" exec -p "$ISO" --input - -- sh -c 'touch /proc/self/fd/0/escaped' <"$T" >"$T/out" 2>"$T/err"
rc=$?
check "--input - with a directory as stdin: refused (125)" sh -c '[ $1 -eq 125 ] && [ ! -e "$2/escaped" ]' sh $rc "$T"
run exec -p "$ISO" --input /dev/zero -- true
check "--input of a device other than /dev/null: refused (125)" rc_is 125
check "... and the error names the way to copy a terminal" err_has "use --input - with it as cordon's stdin"
run exec -p "$ISO" --input /dev/null -- sh -c 'cat; readlink /proc/self/fd/0'
check "--input /dev/null: the program gets /dev/null" out_is "/dev/null"
echo "caller data" >"$T/in.txt"
chmod 666 "$T/in.txt"
run exec -p "$ISO" --input "$T/in.txt" -- sh -c 'cat; readlink /proc/self/fd/0; echo more >>/proc/self/fd/0 2>/dev/null || echo refused'
check "--input FILE: the program reads its bytes" sh -c 'head -n 1 "$1" | grep -qx "caller data"' sh "$T/out"
check "--input FILE: from a sealed copy, not the caller's file" sh -c 'sed -n 2p "$1" | grep -q "^/memfd:cordon-input"' sh "$T/out"
check "--input FILE: reopening it for writing fails, even where the file is writable" \
	sh -c 'sed -n 3p "$1" | grep -qx refused && [ "$(cat "$2")" = "caller data" ]' sh "$T/out" "$T/in.txt"
run exec -p "$ISO" --input - -- sh -c 'cat; readlink /proc/self/fd/0' <"$T/in.txt"
"$CORDON" exec -p "$ISO" --input - -- sh -c 'cat; readlink /proc/self/fd/0' <"$T/in.txt" >"$T/out" 2>"$T/err"
check "--input - from a regular file: its bytes, from a sealed copy" \
	sh -c 'head -n 1 "$1" | grep -qx "caller data" && sed -n 2p "$1" | grep -q "^/memfd:cordon-input"' sh "$T/out"
printf 'piped\n' | "$CORDON" exec -p "$ISO" --input - -- sh -c 'cat; readlink /proc/self/fd/0' >"$T/out" 2>"$T/err"
check "--input - from a pipe: copied through a pipe of cordon's" \
	sh -c 'head -n 1 "$1" | grep -qx piped && sed -n 2p "$1" | grep -q "^pipe:"' sh "$T/out"

mkdir -p "$T/outdir"
chmod 777 "$T/outdir"
for bad in /proc /proc/self /sys /sys/kernel /dev /dev/shm /; do
	run exec -p "$ISO" --output-dir "$bad" -- true
	check "--output-dir $bad: refused (125)" eval 'rc_is 125 && err_has "nothing was run"'
done
run exec -p "$ISO" --output-dir "$T/outdir" -- true
check "--output-dir of an ordinary directory still works" rc_is 0
for bad in /proc /proc/1 /sys /dev/pts /; do
	run exec -p "$ISO" --bind-ro "$bad" -- true
	check "--bind-ro $bad: refused (125)" eval 'rc_is 125 && err_has "--bind-ro $bad"'
done
# A kernel file system wherever it is mounted, not only under /proc.
if is_root && mkdir -p "$T/altproc" && mount -t proc proc "$T/altproc" 2>/dev/null; then
	run exec -p "$ISO" --output-dir "$T/altproc" -- true
	check "--output-dir of a procfs mounted elsewhere: refused by its file system type" \
		eval 'rc_is 125 && err_has "kernel interface file system"'
	umount "$T/altproc"
else
	skip "a procfs mounted elsewhere: needs root and a mountable proc"
fi

# A kernel file system mounted below a bound directory would come along.
if is_root && mkdir -p "$T/mp/inner" && mount -t proc proc "$T/mp/inner" 2>/dev/null; then
	run exec -p "$ISO" --bind-ro "$T/mp" -- true
	check "--bind-ro of a directory with a procfs mounted below it: refused" \
		eval 'rc_is 125 && err_has "a kernel interface file system is mounted below it"'
	umount "$T/mp/inner"
	run exec -p "$ISO" --bind-ro "$T/mp" -- true
	check "... and accepted once it is gone" rc_is 0
else
	skip_n 2 "a procfs mounted below a bound directory: needs root and a mountable proc"
fi
# A regular file sendfile(2) refuses (a /proc file) still comes as a copy.
run exec -p "$ISO" --input /proc/self/status -- sh -c 'grep -c "^Name:"'
check "--input of a file sendfile refuses (/proc/self/status): copied by read and write" out_is 1

# ---- 2. closed standard descriptors ----

write_policy "$T/logged.yaml" <<EOF
interpreter: [/usr/bin/python3, -I, -B]
env: {PATH: /usr/bin:/bin}
stack:
  - module: incident_log
    with: {path: $T/audit.jsonl, all_runs: true}
EOF
"$CORDON" run -p "$T/logged.yaml" "$T/ok.py" >/dev/null 2>&1
lines_before=$(wc -l <"$T/audit.jsonl")
"$CORDON" run -p "$T/logged.yaml" "$T/ok.py" 1>&- 2>"$T/err"
rc=$?
check "stdout closed: refused (125), with a message" sh -c '[ $1 -eq 125 ] && grep -q "standard output is closed" "$2"' sh $rc "$T/err"
check "stdout closed: nothing was appended to the audit log" [ "$(wc -l <"$T/audit.jsonl")" -eq "$lines_before" ]
"$CORDON" run -p "$T/logged.yaml" "$T/ok.py" >"$T/out" 2>&-
rc=$?
check "stderr closed: the run goes on (exit 0, its output on stdout)" sh -c '[ $1 -eq 0 ] && grep -qx ran "$2"' sh $rc "$T/out"
"$CORDON" log verify "$T/audit.jsonl" >"$T/vout" 2>&1
check "stderr closed: the audit log still verifies (nothing written into it but its record)" \
	sh -c '[ $1 -eq 0 ] && [ "$(wc -l <"$2")" -eq $(($3 + 1)) ]' sh $? "$T/audit.jsonl" "$lines_before"
"$CORDON" run -p "$T/logged.yaml" - 0<&- >"$T/out" 2>"$T/err"
check "stdin closed, SOURCE -: refused (125), says stdin is closed" \
	sh -c '[ $1 -eq 125 ] && grep -q "standard input is closed" "$2"' sh $? "$T/err"
"$CORDON" exec -p "$T/logged.yaml" --input - -- cat 0<&- >"$T/out" 2>"$T/err"
check "stdin closed, --input -: refused (125), the log never reaches the program" \
	sh -c '[ $1 -eq 125 ] && ! grep -q prev "$2"' sh $? "$T/out"
"$CORDON" check -p "$T/logged.yaml" - 0<&- >"$T/out" 2>"$T/err"
check "stdin closed, check -: refused (125)" sh -c '[ $1 -eq 125 ] && grep -q "standard input is closed" "$2"' sh $? "$T/err"
"$CORDON" log verify "$T/audit.jsonl" >/dev/null 2>&1
check "after all of it the audit log verifies" [ $? -eq 0 ]

# ---- 3. inputs that block, and the signals that end them ----

# wait_for_child PATTERN: until a process whose command line has PATTERN runs.
wait_started() {
	_n=0
	while ! pgrep -f "$1" >/dev/null 2>&1 && [ $_n -lt 100 ]; do
		sleep 0.05
		_n=$((_n + 1))
	done
	sleep 0.3
}
# term_after CMD...: run cordon in the background, SIGTERM it once it waits,
# status in $rc (124 when it did not end within 10 s of the signal).
term_after() {
	"$CORDON" "$@" >"$T/out" 2>"$T/err" </dev/null &
	_p=$!
	wait_started "$T/fifo"
	kill -TERM $_p
	_n=0
	while kill -0 $_p 2>/dev/null && [ $_n -lt 100 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	if kill -0 $_p 2>/dev/null; then
		kill -KILL $_p
		wait $_p
		rc=124
	else
		wait $_p
		rc=$?
	fi
}
rm -f "$T/fifo"
mkfifo "$T/fifo"
term_after run -p "$ISO" "$T/fifo"
check "run FIFO without a writer: SIGTERM ends it with 143" rc_is 143
check "... as a cancelled run, not an error" err_has "cancelled (signal 15) before the program started"
term_after exec -p "$ISO" --source "$T/fifo" -- true
check "exec --source FIFO without a writer: SIGTERM ends it with 143" rc_is 143
term_after exec -p "$ISO" --input "$T/fifo" -- cat
check "exec --input FIFO without a writer: the program runs; SIGTERM ends the run with 143" rc_is 143
term_after check -p "$ISO" "$T/fifo"
check "check FIFO without a writer: SIGTERM ends it (143)" rc_is 143
timeout 10 "$CORDON" log verify "$T/fifo" >"$T/out" 2>"$T/err" </dev/null
rc=$?
check "log verify FIFO: refused at once (125), not waited on" eval 'rc_is 125 && err_has "not a regular file"'
(printf 'print("from the fifo")\n' >"$T/fifo") &
run run -p "$ISO" "$T/fifo"
wait
check "run FIFO with a writer: the source is read and runs" out_is "from the fifo"
(printf 'fed\n' >"$T/fifo") &
run exec -p "$ISO" --input "$T/fifo" -- cat
wait
check "exec --input FIFO with a writer: the program reads it" out_is "fed"

# A signal that arrives between fork and exec (a confine hook that takes
# its time): the run ends by that signal, not as cordon's own failure.
write_policy "$T/slow.yaml" <<EOF
stack:
  - module: $CORDON_TESTBIN/modules/cordon_tm_a.so
    with: {confine: sleep}
EOF
"$CORDON" exec -p "$T/slow.yaml" --json -- "$T/fifo-never-used" >"$T/out" 2>"$T/err" &
p=$!
sleep 1
kill -TERM $p
wait $p
rc=$?
check "SIGTERM between fork and exec: 143" rc_is 143
check "... status killed, signal 15, no exit code" json_is '(j["status"], j["signal"], j["exit_code"])' "('killed', 15, None)"

# ---- 5. trust through symlinks ----

mkdir -m 0755 "$T/pol"
cp "$CORDON_SRCDIR/policies.d/isolation.yaml" "$T/pol/real.yaml" 2>/dev/null || write_policy "$T/pol/real.yaml" <"$ISO"
chmod 644 "$T/pol/real.yaml"
mkdir -m 0777 "$T/open"
ln -s "$T/pol/real.yaml" "$T/open/strict.yaml"
run policy lint "$T/open/strict.yaml"
check "a policy through a symlink in a world-writable directory: refused" \
	eval 'rc_is 125 && err_has "unsafe policy: is in a group- or world-writable directory"'
check "... naming that directory" err_has ": $T/open"
mkdir -m 0755 "$T/safe"
ln -s "$T/pol/real.yaml" "$T/safe/strict.yaml"
run policy lint "$T/safe/strict.yaml"
check "the same symlink in a directory only its owner writes: accepted" rc_is 0
mkdir -m 0777 "$T/open/sub" 2>/dev/null
ln -s ../../safe/strict.yaml "$T/open/sub/rel.yaml"
run policy lint "$T/open/sub/rel.yaml"
check "a relative symlink chain through a world-writable directory: refused" rc_is 125
if is_root; then
	mkdir -m 1777 "$T/sticky"
	ln -s "$T/pol/real.yaml" "$T/sticky/strict.yaml"
	chown -h 65534 "$T/sticky/strict.yaml"
	run policy lint "$T/sticky/strict.yaml"
	check "a symlink owned by another user in a sticky shared directory: refused" \
		eval 'rc_is 125 && err_has "symbolic link not owned by root in a shared directory"'
	chown -h 0 "$T/sticky/strict.yaml"
	run policy lint "$T/sticky/strict.yaml"
	check "the same symlink owned by root: accepted" rc_is 0
else
	skip_n 2 "a symlink owned by another user: needs root to make one"
fi

# ---- 6. output that cannot be delivered ----

if [ -w /dev/full ]; then
	"$CORDON" run -p "$ISO" "$T/ok.py" >/dev/full 2>"$T/err"
	rc=$?
	check "stdout on a full disk: exit 125, not the program's 0" rc_is 125
	check "... the message says so and names the program's status" \
		sh -c 'grep -q "No space left on device" "$1" && grep -q "the program exited 0" "$1"' sh "$T/err"
	"$CORDON" run --json -p "$ISO" "$T/ok.py" >/dev/full 2>"$T/err"
	rc=$?
	check "--json on a full disk: exit 125 with a message" \
		sh -c '[ $1 -eq 125 ] && grep -q "cannot write the result to standard output (No space left on device); the program exited 0" "$2"' \
		sh $rc "$T/err"
else
	skip_n 3 "/dev/full is not writable here"
fi
"$CORDON" exec --json -p "$ISO" -- sh -c 'head -c 2000000 /dev/zero | tr "\0" x' 2>"$T/err" | head -c 1 >/dev/null
check "--json into a reader that goes away: a message on stderr" grep -q "cannot write the result to standard output (Broken pipe)" "$T/err"
# A reader that stops reading: SIGTERM still ends cordon in its last flush.
mkfifo "$T/stall"
sleep 30 <"$T/stall" &
reader=$!
"$CORDON" exec -p "$ISO" -- sh -c 'head -c 300000 /dev/zero' >"$T/stall" 2>"$T/err" &
p=$!
sleep 2
kill -TERM $p
n=0
while kill -0 $p 2>/dev/null && [ $n -lt 50 ]; do
	sleep 0.1
	n=$((n + 1))
done
if kill -0 $p 2>/dev/null; then
	kill -KILL $p
	rc=124
else
	wait $p
	rc=$?
fi
kill $reader 2>/dev/null
wait $reader 2>/dev/null
check "a reader that stopped reading: SIGTERM ends the final flush (143)" rc_is 143
check "... without claiming exit status 125" sh -c '! grep -q "exit status 125" "$1"' sh "$T/err"

done_testing
