#!/bin/sh
# tests/fuzz-smoke.sh SECONDS FUZZER... - run each libFuzzer target for a
# short fixed time from its seed corpus, as CI does (`make fuzz-smoke`).
#
# Every target must have a seed corpus (fuzz_NAME.corpus/, beside its
# source) and a dictionary (fuzz_NAME.dict): without them a short run
# stays near the entry point and proves nothing.  The seeds are copied
# into a scratch corpus, so the run never writes into the source tree, and
# the target runs with TMPDIR set to an empty directory of its own, which
# must be empty again when it ends (a target leaves no temporary files).
# Fails when a target is missing its seeds or dictionary, crashes, leaks,
# times out on an input, or leaves files behind.
set -u
secs=$1
shift
fail=0
for bin in "$@"; do
	name=$(basename "$bin")
	src=$(ls -d core/"$name".c modules/*/"$name".c 2>/dev/null | head -n 1)
	if [ -z "$src" ]; then
		echo "fuzz-smoke: $name: no source beside it" >&2
		fail=1
		continue
	fi
	dir=$(dirname "$src")
	seeds="$dir/$name.corpus"
	dict="$dir/$name.dict"
	if [ ! -d "$seeds" ] || [ -z "$(ls -A "$seeds" 2>/dev/null)" ]; then
		echo "fuzz-smoke: $name: no seed corpus ($seeds)" >&2
		fail=1
		continue
	fi
	if [ ! -f "$dict" ]; then
		echo "fuzz-smoke: $name: no dictionary ($dict)" >&2
		fail=1
		continue
	fi
	work=$(mktemp -d "${TMPDIR:-/tmp}/cordon-fuzz.XXXXXX") || exit 1
	mkdir "$work/corpus" "$work/tmp"
	cp -R "$seeds/." "$work/corpus/"
	echo "== $name: ${secs}s from $(ls "$seeds" | wc -l | tr -d ' ') seeds"
	TMPDIR="$work/tmp" "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -dict="$dict" \
		-artifact_prefix="$work/" -print_final_stats=1 "$work/corpus" >"$work/log" 2>&1
	rc=$?
	grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$work/log" | sed "s/^/   /"
	if [ "$rc" -ne 0 ]; then
		echo "fuzz-smoke: $name: failed (exit $rc); the end of its log:" >&2
		tail -n 40 "$work/log" >&2
		ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null | while read -r a; do
			echo "fuzz-smoke: $name: reproducer $a (base64):" >&2
			base64 "$a" | head -c 4000 >&2
			echo >&2
		done
		fail=1
	fi
	if [ -n "$(ls -A "$work/tmp")" ]; then
		echo "fuzz-smoke: $name: left temporary files behind:" >&2
		ls -la "$work/tmp" >&2
		fail=1
	fi
	rm -rf "$work"
done
exit "$fail"
