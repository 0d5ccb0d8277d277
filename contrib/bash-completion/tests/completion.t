#!/bin/sh
# contrib/bash-completion/tests/completion.t - the bash completion for
# cordon: source it in bash, ask for completions, compare.  Runs with the
# completion's own fallbacks, and again under bash-completion when that is
# installed.
. "$(dirname "$0")/../../../tests/lib.sh"

if ! command -v bash >/dev/null 2>&1; then
	echo "1..0 # SKIP bash not found"
	exit 0
fi
COMP="$CORDON_SRCDIR/contrib/bash-completion/cordon"

# A policy directory of our own, so that the policy names are known.
mkdir -p "$T/pol" "$T/files/sub"
for n in alpha beta; do
	printf 'stack:\n  - module: rlimit\n    with: {wall: 5s}\n' | write_policy "$T/pol/$n.yaml"
done
: >"$T/files/prog.py"
: >"$T/files/notes.txt"
mkdir -p "$T/bin"
ln -s "$CORDON" "$T/bin/cordon"

# complete [BASHCOMP] WORD...: the sorted completions of the last WORD
# (the line typed so far), one per line, in $T/out.
complete_line() {
	_pre=
	if [ "$1" = with-bash-completion ]; then
		_pre=". /usr/share/bash-completion/bash_completion;"
		shift
	fi
	(cd "$T/files" && PATH="$T/bin:$PATH" CORDON_POLICY_DIR="$T/pol" bash --norc --noprofile -c "
		$_pre
		. '$COMP'
		COMP_WORDS=(\"\$@\")
		COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1))
		COMP_LINE=\"\${COMP_WORDS[*]}\"
		COMP_POINT=\${#COMP_LINE}
		_cordon cordon \"\${COMP_WORDS[COMP_CWORD]}\" \"\${COMP_WORDS[COMP_CWORD-1]}\"
		printf '%s\n' \"\${COMPREPLY[@]}\" | sort
	" bash "$@") >"$T/out" 2>"$T/err"
	rc=$?
}

# got WORDS...: the completions are exactly these (space-separated list).
got() { [ "$(tr '\n' ' ' <"$T/out" | sed 's/ $//')" = "$*" ]; }

modes=plain
if [ -f /usr/share/bash-completion/bash_completion ]; then
	modes="plain with-bash-completion"
else
	diag "bash-completion is not installed: testing the completion's own fallbacks only"
fi

for m in $modes; do
	pre=
	[ "$m" = plain ] || pre=$m
	complete_line $pre cordon ""
	check "$m: commands" got check exec help log mcp modules policy ps resume run selftest serve stop
	complete_line $pre cordon ru
	check "$m: ru -> run" got run
	complete_line $pre cordon --
	check "$m: global options" got --help --policy-dir --verbose --version
	complete_line $pre cordon run --j
	check "$m: run --j -> --json" got --json
	complete_line $pre cordon exec --s
	check "$m: exec --s -> --source" got --source
	complete_line $pre cordon check --i
	check "$m: check has no --input" got ""
	complete_line $pre cordon run -p ""
	check "$m: policy names from cordon policy list" sh -c "grep -qx alpha '$T/out' && grep -qx beta '$T/out'"
	complete_line $pre cordon run -p a
	check "$m: -p a -> alpha" got alpha
	complete_line $pre cordon --policy-dir "$T/pol" check -p b
	check "$m: --policy-dir is passed to policy list" got beta
	complete_line $pre cordon run p
	check "$m: run completes files" got prog.py
	complete_line $pre cordon run --output-dir s
	check "$m: --output-dir completes directories" got sub
	complete_line $pre cordon policy ""
	check "$m: policy subcommands" got lint list show
	complete_line $pre cordon policy show al
	check "$m: policy show NAME" got alpha
	complete_line $pre cordon policy lint n
	check "$m: policy lint FILE" got notes.txt
	complete_line $pre cordon exec -p alpha -- ls-no-such-command-but-pre
	check "$m: after exec --, commands" got ""
	complete_line $pre cordon exec -- cordo
	check "$m: after exec --, commands on PATH" sh -c "grep -qx cordon '$T/out'"
	complete_line $pre cordon exec -- python3 pr
	check "$m: after exec -- COMMAND, files" got prog.py
	complete_line $pre cordon -
	check "$m: global -v and -h" sh -c "grep -qx -- -v '$T/out' && grep -qx -- -h '$T/out'"
	complete_line $pre cordon --vers
	check "$m: --version" got --version
	complete_line $pre cordon sel
	check "$m: sel -> selftest" got selftest
	complete_line $pre cordon selftest -
	check "$m: selftest options" got --help --json --policy --policy-dir --verbose -h -p -v
	complete_line $pre cordon m
	check "$m: m -> mcp modules" got mcp modules
	complete_line $pre cordon mcp -
	check "$m: mcp options" got --help --policy-dir --verbose -h -v
	complete_line $pre cordon mcp ""
	check "$m: mcp takes no operand" got ""
	complete_line $pre cordon selftest -p a
	check "$m: selftest -p a -> alpha" got alpha
	complete_line $pre cordon log ""
	check "$m: log verify" got verify
	complete_line $pre cordon log verify n
	check "$m: log verify FILE" got notes.txt
	complete_line $pre cordon modules rl
	check "$m: modules NAME from cordon modules" got rlimit
	complete_line $pre cordon modules rlimit ""
	check "$m: modules takes one NAME" got ""
done

# Every command and option `cordon --help` lists is completed: the usage
# lines "  cordon CMD [OPTIONS]" (and their continuation lines), and the
# global options of "usage:" and "cordon --help | --version".
"$CORDON" --help | awk '
	function opts(line, who,   n, i, t, a) {
		n = split(line, a, /[][ |()]+/)
		for (i = 1; i <= n; i++)
			if (a[i] ~ /^--?[a-z][a-z-]*$/)
				print who, a[i]
	}
	/^usage:/ { opts($0, "-"); next }
	/^  cordon -/ { opts($0, "-"); cmd = ""; next }
	/^  cordon [a-z]/ { cmd = $2; print cmd, "CMD"; opts(substr($0, 10 + length(cmd)), cmd); next }
	/^               [^ ]/ && cmd != "" { opts($0, cmd); next }
	{ cmd = "" }
' >"$T/usage"
check "the usage lists commands and options to compare against" 	sh -c "grep -q '^run --json' '$T/usage' && grep -q '^selftest CMD' '$T/usage' && grep -q '^- --version' '$T/usage'"
missing=
while read -r who what; do
	if [ "$what" = CMD ]; then
		complete_line cordon "$who"
	elif [ "$who" = - ]; then
		complete_line cordon "$what"
		who=cordon
	else
		complete_line cordon "$who" "$what"
	fi
	[ "$what" = CMD ] && what=$who
	grep -qx -- "$what" "$T/out" || missing="$missing $who:$what"
done <"$T/usage"
check "every command and option of cordon --help is completed${missing:+ (missing:$missing)}" test -z "$missing"

done_testing
