#!/bin/sh
# modules/redact/tests/redact.t - the redact module through `cordon exec`:
# secrets printed whole, split across writes, one byte at a time with
# flushes, to stdout and stderr, encoded, inside ANSI colours and zero-width
# characters, in a cut-off PEM block, a long Stripe key, a Luhn-invalid
# control left intact, counts in the result's "redactions", interactive
# output passed on before the stream ends; and policy errors (exit 125).
. "$(dirname "$0")/../../../tests/lib.sh"

DRIP="$PROBES/rd_drip"
write_policy "$T/p.yaml" <<'EOF'
stack:
  - module: redact
EOF

# no_leak SECRET: neither the JSON result nor cordon's stderr holds SECRET.
no_leak() { ! grep -qF -- "$1" "$T/out" && ! grep -qF -- "$1" "$T/err"; }
# count_is RULE STREAM N: the result counts N redactions of RULE on STREAM.
count_is() {
	json_is "sum(x['count'] for x in j['redactions'] if x['rule'] == '$1' and x['stream'] == '$2' and x['module'] == 'redact')" "$3"
}

AWS=AKIAIOSFODNN7EXAMPLE
run exec -p "$T/p.yaml" --json -- "$DRIP" -n 1000 -d 0 "id $AWS end"
check "whole write: exit 0" rc_is 0
check "whole write: replaced" json_is 'j["stdout"]' "id [REDACTED:aws-access-key-id] end"
check "whole write: counted once on stdout" count_is aws-access-key-id stdout 1

run exec -p "$T/p.yaml" --json -- "$DRIP" -n 7 -d 3000 "id $AWS and $AWS end"
check "split across writes: no leak" no_leak "$AWS"
check "split across writes: both counted" count_is aws-access-key-id stdout 2

run exec -p "$T/p.yaml" --json -- "$DRIP" -n 1 -d 200 "token=ghp_0123456789abcdefghijABCDEFGHIJ012345;"
check "one byte at a time: no leak" no_leak "ghp_0123456789"
check "one byte at a time: redacted in place" json_is 'j["stdout"]' "token=[REDACTED:github-token];"

run exec -p "$T/p.yaml" --json -- "$DRIP" -e -n 3 -d 500 "postgres://app:Tr0ub4dor@db:5432/x"
check "stderr one chunk at a time: password redacted" json_is 'j["stderr"]' "postgres://app:[REDACTED:url-password]@db:5432/x"
check "stderr: counted on stderr" count_is url-password stderr 1
check "stderr: nothing counted on stdout" count_is url-password stdout 0

# A Python program flushing one character at a time, to both streams.
run exec -p "$T/p.yaml" --json -- python3 -c '
import sys, time
for s, t in ((sys.stdout, "key: sk-proj-AbCdEf0123456789ghIJKLmnopQRSTuvwx\n"), (sys.stderr, "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n")):
    for c in t:
        s.write(c); s.flush(); time.sleep(0.0005)
'
check "python flushing per character: exit 0" rc_is 0
check "python: OpenAI key redacted on stdout" json_is 'j["stdout"]' "key: [REDACTED:openai-api-key]"
check "python: AWS secret key redacted on stderr" json_is 'j["stderr"]' "AWS_SECRET_ACCESS_KEY=[REDACTED:aws-secret-access-key]"
check "python: no leak" no_leak "wJalrXUtnFEMI"

# cordon run: the sealed source itself prints secrets one character at a time.
write_policy "$T/py.yaml" <<'EOF'
interpreter: [/usr/bin/python3, -I, -B]
stack:
  - module: redact
EOF
cat >"$T/leak.py" <<'EOF'
import sys
for c in "db=postgres://svc:Sup3r-S3cret@pg/app\n":
    sys.stdout.write(c)
    sys.stdout.flush()
for c in "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n":
    sys.stderr.write(c)
    sys.stderr.flush()
EOF
run run -p "$T/py.yaml" --json "$T/leak.py"
check "cordon run: exit 0" rc_is 0
check "cordon run: URL password redacted on stdout" json_is 'j["stdout"]' "db=postgres://svc:[REDACTED:url-password]@pg/app"
check "cordon run: cut-off private key redacted on stderr" json_is 'j["stderr"]' "[REDACTED:private-key]"
check "cordon run: no leak" no_leak "Sup3r-S3cret"

# Colours and zero-width characters inside tokens.
run exec -p "$T/p.yaml" --json -- "$DRIP" -n 2 -d 300 'AKIA\e[1;31mIOSFODNN7\e[0mEXAMPLE gh\xe2\x80\x8bp_0123456789abcdefghij\xef\xbb\xbfABCDEFGHIJ012345 x'
check "ANSI and zero-width inside tokens: redacted" json_is 'j["stdout"]' "[REDACTED:aws-access-key-id] [REDACTED:github-token] x"

# A PEM block cut off before its END line: redacted to the end of the stream.
run exec -p "$T/p.yaml" --json -- "$DRIP" -n 16 -d 200 'before\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\nAAAAAAAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5'
check "truncated PEM: everything from BEGIN is gone" json_is 'j["stdout"]' "before
[REDACTED:private-key]"
check "truncated PEM: counted" count_is private-key stdout 1

run exec -p "$T/p.yaml" --json -- "$DRIP" -n 5 -d 100 -- '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49\n-----END EC PRIVATE KEY-----\nafter'
check "complete PEM block: the text after it is kept" json_is 'j["stdout"]' "[REDACTED:private-key]
after"

# Cards: Luhn-valid redacted, Luhn-invalid left intact.
run exec -p "$T/p.yaml" --json -- "$DRIP" -n 3 -d 100 'valid 4111 1111 1111 1111 invalid 4111 1111 1111 1112 ssn 078-05-1120'
check "credit card: Luhn-valid redacted, invalid control intact" json_is 'j["stdout"]' "valid [REDACTED:credit-card] invalid 4111 1111 1111 1112 ssn [REDACTED:us-ssn]"

# A Stripe key far longer than any fixed-length pattern: covered whole.
LONG=sk_live_$(python3 -c 'print("aB3" * 400)')
run exec -p "$T/p.yaml" --json -- "$DRIP" -n 13 -d 0 "k=$LONG."
check "long Stripe key (1208 bytes): fully covered" json_is 'j["stdout"]' "k=[REDACTED:stripe-key]."
check "long Stripe key: no tail left" no_leak "aB3aB3"

# Known secrets from the policy and from cordon's environment, also encoded.
write_policy "$T/known.yaml" <<'EOF'
stack:
  - module: redact
    with:
      replacement: "<{rule}>"
      secrets: [correct-horse-battery]
      secrets_from_env: [RD_TEST_TOKEN, RD_TEST_UNSET]
EOF
export RD_TEST_TOKEN='s3cr3t/value+42'
b64() { printf '%s' "$1" | base64 -w0; }
ENC0=$(b64 "correct-horse-battery")
ENC1=$(b64 "xcorrect-horse-battery")
ENC2=$(b64 "xycorrect-horse-battery")
HEX=$(printf '%s' "$RD_TEST_TOKEN" | od -An -tx1 | tr -d ' \n')
HEXU=$(printf '%s' "$HEX" | tr a-f A-F)
run exec -p "$T/known.yaml" --json -- sh -c "printf '%s\n' 'plain correct-horse-battery' '$ENC0' '$ENC1' '$ENC2' 'env $RD_TEST_TOKEN' 'hex $HEX' 'HEX $HEXU' 'b64 $(b64 "user:$RD_TEST_TOKEN")'"
check "known secrets: exit 0" rc_is 0
check "known secret: plain" out_has 'plain <known-secret>'
check "known secret: base64 at the three alignments" no_leak "Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5"
check "known secret: no recognisable middle of any base64 form" json_is "sum(1 for l in j['stdout'].split(chr(10)) if '<known-secret>' in l)" 8
check "secret from the environment: plain, hex both cases, in basic auth" no_leak "$HEX"
check "secret from the environment: never in the output" no_leak "$RD_TEST_TOKEN"
check "replacement template used" out_has '<known-secret>'
json_get 'j["warnings"]' >"$T/w"
check "the unset variable is named in a warning" grep -q RD_TEST_UNSET "$T/w"

# Names in any case style; a keyword, a colon and prose is a message.
run exec -p "$T/p.yaml" --json -- sh -c 'echo "{\"accessToken\": \"ya29.Zk9aX1\", \"x-api-key\": \"k-77aa\"} SessionToken=AbCd1234"; cat /nonexistent/secret'
check "camelCase, kebab-case, PascalCase names: redacted" json_is 'j["stdout"]' '{"accessToken": "[REDACTED:secret-assignment]", "x-api-key": "[REDACTED:secret-assignment]"} SessionToken=[REDACTED:secret-assignment]'
check "cat: .../secret: No such file: left alone" json_is 'j["stderr"]' "cat: /nonexistent/secret: No such file or directory"

# Unknown tokens, encoded: base64 of user:token, percent-encoded, JSON-escaped.
GH=ghp_Zq3vWys81vp7hB1dx8PpD5KHXe3PYiGkPAuN
B64=$(printf 'bob:%s' "$GH" | base64 -w0)
run exec -p "$T/p.yaml" --json -- "$DRIP" -n 5 -d 100 "basic $B64 next=%2Fcb%3Ftoken%3D$GH&x=1 {\"u\": \"https:\\/\\/hooks.slack.com\\/services\\/T0123ABCD\\/B0123ABCD\\/abcdefghijklmnopqrstuvwx\"}"
check "encoded tokens: none left" no_leak "$B64"
check "encoded tokens: replaced in place" json_is 'j["stdout"]' 'basic [REDACTED:github-token] next=%2Fcb%3Ftoken%3D[REDACTED:github-token]&x=1 {"u": "https://[REDACTED:slack-webhook]"}'
printf '%s\n' '{"u": "https:\/\/hooks.slack.com\/services\/T0123ABCD\/B0123ABCD\/abcdefghijklmnopqrstuvwx"}' >"$T/esc.json"
run exec -p "$T/p.yaml" --json -- cat "$T/esc.json"
check "JSON-escaped webhook URL: replaced, escapes kept" json_is 'j["stdout"]' '{"u": "https:\/\/[REDACTED:slack-webhook]"}'

# Command lines that carry secrets.
run exec -p "$T/p.yaml" --json -- "$DRIP" -n 4 -d 100 "+ curl -u deploy:Pw0rd-x https://x\n+ mysql -uroot -pTopS3cret db\n+ tool --password hunter2\n"
check "curl -u, mysql -p, --password VALUE: redacted" json_is 'j["stdout"]' "+ curl -u deploy:[REDACTED:command-line-secret] https://x
+ mysql -uroot -p[REDACTED:command-line-secret] db
+ tool --password [REDACTED:command-line-secret]"

# A token split between stdout and stderr, written back to back: each
# stream is redacted on its own; the part on stdout that is recognisably a
# token's start is redacted when stdout ends.
run exec -p "$T/p.yaml" --json -- sh -c 'printf "token ghp_Zq3vWys81v"; printf "p7hB1dx8PpD5KHXe3PYiGkPAuN\n" >&2'
check "split between the streams: stdout's part redacted" json_is 'j["stdout"]' "token [REDACTED:github-token]"
check "split between the streams: stdout's part not shown" no_leak "ghp_Zq3vWys81v"
# ... and in the middle of both: stdout goes on after its part.
run exec -p "$T/p.yaml" --json -- sh -c 'printf "token ghp_Zq3vWys81vp7hB1dx8"; printf "PpD5KHXe3PYiGkPAuN\n" >&2; printf "\ndone\n"'
check "split in the middle of both streams: stdout's part redacted" json_is 'j["stdout"]' "token [REDACTED:github-token]
done"
check "split in the middle of both streams: stdout's part not shown" no_leak "ghp_Zq3vWys81vp7hB1dx8"

# host_paths: --output-dir's host path and the policy directory rewritten
# (landlock shows the program the core's staging directory).
mkdir -p "$T/hp/o"
chmod 755 "$T" "$T/hp"
chmod 777 "$T/hp/o"
write_policy "$T/hp/p.yaml" <<'EOF'
stack:
  - module: landlock
  - module: redact
    with: {host_paths: true}
EOF
run exec -p "$T/hp/p.yaml" --json --output-dir "$T/hp/o" -- sh -c 'echo "out=$CORDON_OUTPUT_DIR"; cat "$CORDON_OUTPUT_DIR/missing"; echo "$0/p.yaml"' "$T/hp"
if [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]; then
	check "host_paths: the output directory is /output" json_is 'j["stdout"].split(chr(10))[0]' "out=/output"
	check "host_paths: also in an error message" json_is 'j["stderr"]' "cat: /output/missing: No such file or directory"
	check "host_paths: the policy directory" json_is 'j["stdout"].split(chr(10))[1]' "[policy-dir]/p.yaml"
	check "host_paths: counted" count_is host-path stderr 1
else
	skip_n 4 "landlock unavailable here (exit $rc)"
fi
# The source's host path: the program is /proc/self/fd/3 (launch_sources).
write_policy "$T/hp/src.yaml" <<'EOF'
isolation: none
interpreter: [/usr/bin/python3, -I, -B]
stack:
  - module: redact
    with: {host_paths: true}
EOF
HPR=$(cd "$T/hp" && pwd -P)
printf 'print("File \\"%s/s.py\\", line 1")\n' "$HPR" >"$T/hp/s.py"
run run -p "$T/hp/src.yaml" --json "$T/hp/s.py"
check "host_paths: the source's host path is the name the program has" \
	json_is 'j["stdout"]' 'File "/proc/self/fd/3", line 1'
write_policy "$T/hp/off.yaml" <<'EOF'
stack:
  - module: landlock
  - module: redact
EOF
run exec -p "$T/hp/off.yaml" --json --output-dir "$T/hp/o" -- sh -c 'echo "$0"' "$T/hp"
check "host_paths off by default" json_is 'j["stdout"]' "$T/hp"

# Without --json the filtered output streams through.
run exec -p "$T/p.yaml" -- "$DRIP" -n 4 -d 100 "password=hunter2 ok"
check "streaming: redacted on cordon's stdout" out_is "password=[REDACTED:password-assignment] ok"

# Interactive output is not held back: the prompt arrives before the
# program gets its input (it would wait forever otherwise; bounded poll).
mkfifo "$T/in"
"$CORDON" exec -p "$T/p.yaml" --input - -- sh -c 'printf "Enter code: "; read x; echo "got $x"' <"$T/in" >"$T/iout" 2>"$T/ierr" &
cpid=$!
exec 9>"$T/in"
i=0
while [ $i -lt 200 ] && ! grep -q "Enter code: " "$T/iout" 2>/dev/null; do
	sleep 0.05
	i=$((i + 1))
done
if grep -q "Enter code: " "$T/iout"; then ok "a prompt is passed on while the program waits for input"; else not_ok "a prompt is passed on while the program waits for input"; fi
echo 42 >&9
exec 9>&-
wait $cpid
check "and the run completes" grep -q "got 42" "$T/iout"

# User rules from a rule file next to the policy.
mkdir -p "$T/rules"
write_policy "$T/rules/acme.yaml" <<'EOF'
description: ACME identifiers
rules:
  - id: acme-key
    pattern: 'ACME-[0-9A-F]{12}'
  - id: acme-card
    pattern: '(?<=acct=)[0-9]{16}'
    validator: luhn
  - id: acme-pin
    pattern: 'pin (?<secret>[0-9]{4,8})\b'
EOF
write_policy "$T/user.yaml" <<'EOF'
stack:
  - module: redact
    with:
      disable: [credit-card]
      rules: [rules/acme.yaml, {id: inline-x, pattern: 'XQ[0-9]{6}'}]
EOF
run exec -p "$T/user.yaml" --json -- "$DRIP" -n 3 -d 100 'ACME-0123456789AB acct=1234567812345670 acct=1234567812345671 pin 12345 XQ123456 4111111111111111'
check "user rules: exit 0" rc_is 0
check "user rules: pattern, validator, secret group, inline rule; disabled built-in" json_is 'j["stdout"]' "[REDACTED:acme-key] acct=[REDACTED:acme-card] acct=1234567812345671 pin [REDACTED:acme-pin] [REDACTED:inline-x] 4111111111111111"
check "user rules: counted under their ids" count_is acme-card stdout 1

# The shipped example rule file loads.
write_policy "$T/ex.yaml" <<EOF
stack:
  - module: redact
    with: {rules: $CORDON_SRCDIR/policies.d/rules/redact-example.yaml}
EOF
run exec -p "$T/ex.yaml" --json -- "$DRIP" -d 0 -n 100 'sgp_0123456789abcdef0123456789abcdef01234567 p8e-0123456789abcdefABCDEF0123456789'
check "shipped example rules: Sourcegraph and Adobe tokens" json_is 'j["stdout"]' "[REDACTED:sourcegraph-token] [REDACTED:adobe-client-secret]"

# ---- policy errors: nothing runs, exit 125, file:line named ----
bad() {
	desc=$1
	want=$2
	write_policy "$T/bad.yaml"
	run exec -p "$T/bad.yaml" -- echo ran
	if rc_is 125 && ! out_has ran && err_has "$want"; then ok "$desc"; else not_ok "$desc"; diag_run; fi
}
bad "invalid user regex: file:line and the PCRE2 message" "bad.yaml:5:" <<'EOF'
stack:
  - module: redact
    with:
      rules:
        - {id: broken, pattern: 'ab(c'}
EOF
check "invalid user regex: says pattern" err_has "pattern:"
bad "unknown key in a rule" "severity" <<'EOF'
stack:
  - module: redact
    with:
      rules: [{id: x, pattern: 'x', severity: high}]
EOF
bad "unknown module argument" "colour" <<'EOF'
stack:
  - module: redact
    with: {colour: red}
EOF
bad "secrets must be strings" "bad.yaml:4:" <<'EOF'
stack:
  - module: redact
    with:
      secrets: {a: b}
EOF
bad "a rule without a pattern" "pattern" <<'EOF'
stack:
  - module: redact
    with: {rules: [{id: x}]}
EOF
bad "unknown validator" "validator" <<'EOF'
stack:
  - module: redact
    with: {rules: [{id: x, pattern: x, validator: entropy}]}
EOF
bad "duplicate rule id" "already used" <<'EOF'
stack:
  - module: redact
    with: {rules: [{id: jwt, pattern: x}]}
EOF
bad "unknown built-in in disable" "not a built-in" <<'EOF'
stack:
  - module: redact
    with: {disable: [aws-keys]}
EOF
bad "a rule file that does not exist" "nope.yaml" <<'EOF'
stack:
  - module: redact
    with: {rules: nope.yaml}
EOF
bad "a too short known secret" "shorter than" <<'EOF'
stack:
  - module: redact
    with: {secrets: [abc]}
EOF
bad "require_env with an unset variable" "RD_TEST_UNSET" <<'EOF'
stack:
  - module: redact
    with: {secrets_from_env: [RD_TEST_UNSET], require_env: true}
EOF
bad "max_match out of bounds" "max_match" <<'EOF'
stack:
  - module: redact
    with: {max_match: 1M}
EOF
write_policy "$T/rules/badkey.yaml" <<'EOF'
rules:
  - id: ok-rule
    pattern: x
    flags: i
EOF
bad "unknown key in a rule file: named at its line" "badkey.yaml:4:" <<'EOF'
stack:
  - module: redact
    with: {rules: rules/badkey.yaml}
EOF

done_testing
