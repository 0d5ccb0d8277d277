/*
 * modules/redact/tests/unit_redact.c - the redaction engine through the
 * module's filter hook: every detector on positive and negative cases, and
 * the streaming guarantee: for every corpus entry, every split point, one
 * byte at a time and random chunkings give exactly the whole-buffer output
 * and counts.  Also: interactive output is not held back, and memory stays
 * bounded on hostile streams.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cordon/module.h>

#include "redact.h"
#include "redact_module.h"
#include "tap.h"

/* ---- a minimal core: output buffers and redaction counts ---- */

struct cordon_buf {
	unsigned char *d;
	size_t len, cap;
};

static uint64_t counted[2][128];
static const char *count_ids[128];

static int t_append(cordon_ctx *ctx, cordon_buf *b, const void *data, size_t len)
{
	(void)ctx;
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + len + 1)
			cap *= 2;
		unsigned char *d = realloc(b->d, cap);
		if (!d)
			return -1;
		b->d = d;
		b->cap = cap;
	}
	memcpy(b->d + b->len, data, len);
	b->len += len;
	b->d[b->len] = '\0';
	return 0;
}

static void t_redaction(cordon_ctx *ctx, const char *rule, enum cordon_stream s, uint64_t n)
{
	(void)ctx;
	for (int i = 0; i < 128; i++) {
		if (!count_ids[i])
			count_ids[i] = rule; /* rule strings live as long as the config */
		if (strcmp(count_ids[i], rule) == 0) {
			counted[s == CORDON_STDERR][i] += n;
			return;
		}
	}
}

static int t_verror(cordon_ctx *ctx, const cordon_node *n, const char *fmt, va_list ap)
{
	(void)ctx;
	(void)n;
	fputs("# error: ", stdout);
	vprintf(fmt, ap);
	fputs("\n", stdout);
	return -1;
}

static const struct cordon_core_api api = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_core_api),
	.verror = t_verror,
	.buf_append = t_append,
	.redaction = t_redaction,
};
static struct cordon_ctx_public ctx_pub = { &api };
#define CTX ((cordon_ctx *)(void *)&ctx_pub)

static struct rd_module *mod;

static void reset_counts(void)
{
	memset(counted, 0, sizeof(counted));
}

/* Feed data in chunks whose sizes come from next(); returns the output. */
static char *feed_chunked(enum cordon_stream s, const char *data, size_t len, size_t (*next)(size_t left, void *),
                          void *arg, size_t *outlen)
{
	cordon_buf out = { 0 };
	size_t off = 0;
	while (off < len) {
		size_t k = next(len - off, arg);
		if (k == 0 || k > len - off)
			k = len - off;
		cordon_buf part = { 0 };
		if (cordon_module.filter(CTX, mod, s, (const unsigned char *)data + off, k, 0, &part) != 0)
			bail("filter failed");
		t_append(CTX, &out, part.d ? part.d : (unsigned char *)"", part.len);
		free(part.d);
		off += k;
	}
	cordon_buf part = { 0 };
	if (cordon_module.filter(CTX, mod, s, NULL, 0, 1, &part) != 0)
		bail("filter failed at eof");
	t_append(CTX, &out, part.d ? part.d : (unsigned char *)"", part.len);
	free(part.d);
	if (!out.d)
		t_append(CTX, &out, "", 0);
	*outlen = out.len;
	return (char *)out.d;
}

static size_t whole(size_t left, void *arg)
{
	(void)arg;
	return left;
}

static size_t one(size_t left, void *arg)
{
	(void)left;
	(void)arg;
	return 1;
}

struct split {
	size_t at;
	int first;
};

static size_t split_at(size_t left, void *arg)
{
	struct split *s = arg;
	if (s->first) {
		s->first = 0;
		return s->at ? s->at : left;
	}
	return left;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static size_t rnd(size_t left, void *arg)
{
	(void)arg;
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	size_t k = (size_t)(rng % 9) == 0 ? (size_t)(rng >> 20) % 3000 + 1 : (size_t)(rng >> 20) % 7 + 1;
	return k < left ? k : left;
}

static char *redact_whole(const char *in, size_t *outlen)
{
	return feed_chunked(CORDON_STDOUT, in, strlen(in), whole, NULL, outlen);
}

/* ---- expectations ---- */

static const struct {
	const char *in, *want, *what;
} cases[] = {
	{ "id AKIAIOSFODNN7EXAMPLE.", "id [REDACTED:aws-access-key-id].", "AWS access key id" },
	{ "ASIAY34FZKBOKMUTVV7A", "[REDACTED:aws-access-key-id]", "AWS temporary key id" },
	{ "AKIAIOSFODNN7EXAMP x", "AKIAIOSFODNN7EXAMP x", "AWS id too short: left alone" },
	{ "out: ghp_0123456789ab", "out: [REDACTED:github-token]", "a token cut off by the end of the stream (its rest went to the other stream)" },
	{ "out: ghp_0123456 sk-1234567", "out: ghp_0123456 sk-1234567", "a prefix with fewer than eight bytes after it, at the end or not" },
	{ "token ghp_Zq3vWys81vp7hB1dx8\ndone\n", "token [REDACTED:github-token]\ndone\n",
	  "a token cut off in the middle of its stream (its rest went to the other one, then this one went on)" },
	{ "token ghp_Zq3vWys81vp7hB1\n", "token ghp_Zq3vWys81vp7hB1\n",
	  "cut off before half its body, in the middle of its stream: left (too short to tell from an identifier)" },
	{ "k=glpat-x8Kq2mZ41b; next", "k=[REDACTED:gitlab-token]; next", "a cut-off token of another family, ended by a semicolon" },
	{ "<i class=\"ico-facebook32\"></i> ico-1024x1024.png npm_v8flags2 dapi0123abcd glc_abc123def4 LTAI1234abcd\n",
	  "<i class=\"ico-facebook32\"></i> ico-1024x1024.png npm_v8flags2 dapi0123abcd glc_abc123def4 LTAI1234abcd\n",
	  "identifiers after token prefixes, shorter than half a token: left" },
	{ "iVBORw0KGgo+LTAI9x7Qk2Zp4rTq/EZAKab12cd34ef56+x", "iVBORw0KGgo+LTAI9x7Qk2Zp4rTq/EZAKab12cd34ef56+x",
	  "token prefixes inside base64 (after '+' or '/', cut by '+' or '/'): left" },
	{ "npm_lifecycle_event=test ghp_placeholder hf_abcdefghijkl.", "npm_lifecycle_event=test ghp_placeholder hf_abcdefghijkl.",
	  "a prefix followed by a word (letters only) is not a cut-off token" },
	{ "ghp_12345678 x", "ghp_12345678 x", "a prefix followed by digits only is not a cut-off token" },
	{ "id=xghp_Zq3vWys81v\n", "id=xghp_Zq3vWys81v\n", "a cut-off prefix inside a word is not a token" },
	{ "key AKIAIOSFODNN7EXAMPLE\nsecret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
	  "key [REDACTED:aws-access-key-id]\nsecret [REDACTED:aws-secret-access-key]\n",
	  "AWS secret key without a keyword, just after a key id" },
	{ "secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n", "secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
	  "a bare 40-character string without an AWS key id before it is left alone" },
	{ "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_SECRET_ACCESS_KEY=[REDACTED:aws-secret-access-key]",
	  "AWS secret key by its variable name" },
	{ "{\"SecretAccessKey\": \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"}",
	  "{\"SecretAccessKey\": \"[REDACTED:aws-secret-access-key]\"}", "AWS secret key in STS JSON" },
	{ "t=ghp_0123456789abcdefghijABCDEFGHIJ012345;", "t=[REDACTED:github-token];", "GitHub classic token" },
	{ "gho_0123456789abcdefghijABCDEFGHIJ012345", "[REDACTED:github-token]", "GitHub OAuth token" },
	{ "xghp_0123456789abcdefghijABCDEFGHIJ012345", "xghp_0123456789abcdefghijABCDEFGHIJ012345",
	  "GitHub prefix inside a word is not a token" },
	{ "github_pat_11AAAAAAA0abcdefghijklmn_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV",
	  "[REDACTED:github-fine-grained-token]", "GitHub fine-grained token" },
	{ "xoxb-2444444444-2555555555555-AbCdEfGhIjKlMnOpQrStUvWx", "[REDACTED:slack-token]", "Slack bot token" },
	{ "xapp-1-A0123456789-0123456789012-abcdef0123456789", "[REDACTED:slack-token]", "Slack app token" },
	{ "url https://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx ok",
	  "url https://[REDACTED:slack-webhook] ok", "Slack webhook" },
	{ "sk-proj-AbCdEf0123456789_ghIJKLmnopQRSTuvwx-YZ0123456789", "[REDACTED:openai-api-key]", "OpenAI project key" },
	{ "sk-abcdefghijklmnopqrstuvwxyzabcdef", "sk-abcdefghijklmnopqrstuvwxyzabcdef", "sk- without a digit is not a key" },
	{ "task-runner-abcdefghij0123456789x", "task-runner-abcdefghij0123456789x", "sk- inside a word is not a key" },
	{ "sk-ant-api03-AbCdEf0123456789_ghIJKLmnopQRSTuvwx-YZ0123456789abcdefghijklmnopqrstuvwxyz0123456789AA",
	  "[REDACTED:anthropic-api-key]", "Anthropic key" },
	{ "key=AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe&x", "key=[REDACTED:google-api-key]&x", "Google API key" },
	{ "rk_live_0123456789abcdefghij", "[REDACTED:stripe-key]", "Stripe restricted key" },
	{ "pk_test_0123456789abcdefghij", "[REDACTED:stripe-key]", "Stripe publishable key" },
	{ "whsec_0123456789abcdefghijABCDEFGHIJ", "[REDACTED:stripe-key]", "Stripe webhook secret" },
	{ "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end",
	  "[REDACTED:jwt] end", "JWT" },
	{ "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjM0NTY3ODkwIn0. x", "[REDACTED:jwt]. x", "unsigned JWT" },
	{ "mysql://root:p%40ss@localhost/db", "mysql://root:[REDACTED:url-password]@localhost/db", "database URL" },
	{ "redis://:s3cret@cache:6379", "redis://:[REDACTED:url-password]@cache:6379", "URL with a password only" },
	{ "mongodb+srv://u:pa@ss@c.example.net/x", "mongodb+srv://u:[REDACTED:url-password]@c.example.net/x",
	  "URL password holding an @" },
	{ "https://user@example.com/x http://a:b", "https://user@example.com/x http://a:b", "URL without a password" },
	{ "DB_PASSWORD=hunter2\n", "DB_PASSWORD=[REDACTED:password-assignment]\n", "password in the environment" },
	{ "{'password': 'hun\\'ter2', 'user': 'x'}", "{'password': '[REDACTED:password-assignment]', 'user': 'x'}",
	  "password in a Python dict, with an escaped quote" },
	{ "userPassword : s3cret,next", "userPassword : [REDACTED:password-assignment],next", "password with spaces" },
	{ "--pass=abc123 --user=x", "--pass=[REDACTED:password-assignment] --user=x", "a --pass option" },
	{ "PWD=/home/me OLDPWD=/tmp", "PWD=/home/me OLDPWD=/tmp", "PWD is the working directory" },
	{ "password: null, password=\"\", secret: ${SECRET}", "password: null, password=\"\", secret: ${SECRET}",
	  "placeholders are left alone" },
	{ "if password == 'x1'", "if password == '[REDACTED:password-assignment]'", "a comparison leaks too" },
	{ "client_secret=abcDEF123", "client_secret=[REDACTED:secret-assignment]", "client secret" },
	{ "GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345", "GITHUB_TOKEN=[REDACTED:github-token]",
	  "a token assigned is counted under its own rule" },
	{ "api_key: \"AKIAIOSFODNN7EXAMPLE\"", "api_key: \"[REDACTED:aws-access-key-id]\"", "an AWS id as a value" },
	{ "Authorization: Bearer abc.def-123", "Authorization: Bearer [REDACTED:secret-assignment]", "bearer token" },
	{ "max_tokens=512 tokens: 3 time=12:30:45", "max_tokens=512 tokens: 3 time=12:30:45", "not keywords" },
	{ "card 4111 1111 1111 1111.", "card [REDACTED:credit-card].", "card in groups" },
	{ "card 4111-1111-1111-1111 3782-822463-10005", "card [REDACTED:credit-card] [REDACTED:credit-card]",
	  "cards with dashes, Amex grouping" },
	{ "5555555555554444,378282246310005", "[REDACTED:credit-card],[REDACTED:credit-card]", "cards ungrouped" },
	{ "4111111111111112 41111111111111110", "4111111111111112 41111111111111110", "Luhn-invalid or too long: left alone" },
	{ "ts=1714567890123 id=a4111111111111111", "ts=1714567890123 id=a4111111111111111",
	  "timestamps and digits inside words are not cards" },
	{ "ssn 078-05-1120;", "ssn [REDACTED:us-ssn];", "SSN" },
	{ "000-12-3456 666-12-3456 912-12-3456 123-00-4567 123-45-0000 123-45-67890",
	  "000-12-3456 666-12-3456 912-12-3456 123-00-4567 123-45-0000 123-45-67890", "SSNs never issued are left alone" },
	{ "a\n-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n"
	  "-----END RSA PRIVATE KEY-----\nb\n",
	  "a\n[REDACTED:private-key]\nb\n", "PEM private key block" },
	{ "-----BEGIN ENCRYPTED PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----",
	  "[REDACTED:private-key]", "encrypted PEM block" },
	{ "x -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\nrest of output\n",
	  "x [REDACTED:private-key]", "PEM block cut off: redacted to the end of the stream" },
	{ "{\"k\": \"-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\\n\"}",
	  "{\"k\": \"[REDACTED:private-key]\\n\"}", "PEM block in JSON" },
	{ "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
	  "a certificate is not a secret" },
	{ "AKIA\x1b[31mIOSFODNN7\x1b[0mEXAMPLE!", "[REDACTED:aws-access-key-id]!",
	  "ANSI colours inside a token" },
	{ "gh\xe2\x80\x8bp_0123456789abcdefghij\xef\xbb\xbf" "ABCDEFGHIJ012345 x", "[REDACTED:github-token] x",
	  "zero-width characters inside a token" },
	{ "pass\xc2\xadword=abc def", "pass\xc2\xadword=[REDACTED:password-assignment] def", "a soft hyphen inside a keyword" },
	{ "\x1b]0;title\x07" "AKIAIOSFODNN7EXAMPLE", "\x1b]0;title\x07[REDACTED:aws-access-key-id]", "OSC sequence before a token" },
	{ "ACME-12345678 acme-1234", "[REDACTED:acme-id] acme-1234", "user rule" },
	{ "acct 1234567812345670 acct 1234567812345671", "acct [REDACTED:card-acct] acct 1234567812345671",
	  "user rule with the Luhn validator" },
	{ "ref=XY-99 ref=XY-ab", "ref=[REDACTED:xy-ref] ref=XY-ab", "user rule with a secret group" },
	{ "LINE-1 x\nLINE-22 LINE-3", "[REDACTED:line-id] x\n[REDACTED:line-id] LINE-3", "user rule anchored at line starts" },
	{ "the value: correct-horse-battery!", "the value: [REDACTED:known-secret]!", "known secret" },
	{ "b64 Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5 hex 636f72726563742d686f7273652d62617474657279",
	  "b64 [REDACTED:known-secret] hex [REDACTED:known-secret]", "known secret in base64 and hex" },
	{ "HEX 636F72726563742D686F7273652D62617474657279", "HEX [REDACTED:known-secret]", "known secret in upper-case hex" },
	{ "k 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 x", "k [REDACTED:huggingface-token] x", "Hugging Face token" },
	{ "k glpat-OCj2ISaJiHkTj0rLGlko x", "k [REDACTED:gitlab-token] x", "GitLab personal access token" },
	{ "k glpat-MXGjtEkDnNfribxUdl7dXTPyLsx.ba1c10c20 x", "k [REDACTED:gitlab-token] x", "GitLab routable token" },
	{ "k npm_SmEHgaKwVJ7faC9qEwjky40UVsWmflzdE1F8 x", "k [REDACTED:npm-token] x", "npm token" },
	{ "k pypi-AgEIcHlwaS5vcmcResqEDusTpkr0cStY4qWB8dWKnHfDNxSIvPZZ63fFKcZjR4I0b3jRtaWr4Y9 x", "k [REDACTED:pypi-token] x", "PyPI upload token" },
	{ "k 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 x", "k [REDACTED:gcp-oauth-client-secret] x", "Google OAuth client secret" },
	{ "k SK1ecccc3fc1626e53a13043b026c48bbf x", "k [REDACTED:twilio-api-key] x", "Twilio API key" },
	{ "k 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 x", "k [REDACTED:sendgrid-api-key] x", "SendGrid key" },
	{ "k dop_v1_76fb008f86bebb2737f6a6f0fb23c6f5da2cec255404e4fb440034d6608697a8 x", "k [REDACTED:digitalocean-token] x", "DigitalOcean token" },
	{ "k 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 x", "k [REDACTED:shopify-token] x", "Shopify token" },
	{ "k dapi68ef786e4d3cea27d26934b484e73cf5 x", "k [REDACTED:databricks-token] x", "Databricks token" },
	{ "k AGE-SECRET-KEY-1W2ME46VK59HP4AUPC4JY8WX9S3ZT3GMSEFL593RTMY3P9S9WYS8AQ463GZ x", "k [REDACTED:age-secret-key] x", "age secret key" },
	{ "k dp.pt.htP8HKQDLM7ToThwNScgrLRWzBQCABugjMgeP7cGq0p x", "k [REDACTED:doppler-token] x", "Doppler token" },
	{ "k lin_api_bqfi14ZgTsNOVM14tuoIZWD1IAEov4QbKDFq1Y3g x", "k [REDACTED:linear-api-key] x", "Linear key" },
	{ "k PMAK-9791e558e08baa7196b50ac2-f86702824c1c099724caf4941d4072014b x", "k [REDACTED:postman-api-key] x", "Postman key" },
	{ "k pul-3ce107f80e222f828767efc2f91624a8940f1f83 x", "k [REDACTED:pulumi-token] x", "Pulumi token" },
	{ "k rubygems_6f99eee3692f09e2e8c662248b483b7ffc050fec94dbca3a x", "k [REDACTED:rubygems-token] x", "RubyGems token" },
	{ "k hvs.AUwV1ZH87MtA5vSQXEZY3lEX7bwR2DRGD1qSo7JPRbgUMxXy9b4BzwoZ648jjNuFD7uacnwIp3SfD67jIKeaVSTQvvpQZpP x", "k [REDACTED:vault-token] x", "Vault service token" },
	{ "k glsa_TejqZHKpKENg5zfjOc6VwcbIjMPFLVjF_a7b860dc x", "k [REDACTED:grafana-token] x", "Grafana service account token" },
	{ "k sha256~avhNYRVwDfRk9XIrghoy32NFR5PYZpcb9T2039BICbt x", "k [REDACTED:openshift-token] x", "OpenShift token" },
	{ "k LTAIw5ze9lfAEZ7770h2dcPy x", "k [REDACTED:alibaba-access-key-id] x", "Alibaba key id" },
	{ "k 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 x", "k [REDACTED:sendinblue-api-key] x", "Brevo key" },
	{ "k 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 x", "k [REDACTED:sentry-token] x", "Sentry user token" },
	{ "k 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 x", "k [REDACTED:perplexity-api-key] x", "Perplexity key" },
	{ "k NRAK-LATJPUU3XF6MZKP0EC498UK1GEQ x", "k [REDACTED:newrelic-api-key] x", "New Relic key" },
	{ "cat: /run/secret: No such file or directory", "cat: /run/secret: No such file or directory",
	  "a path ending in a keyword, then a message: not an assignment" },
	{ "cat: secret: No such file\nerror: token: invalid or expired\n", "cat: secret: No such file\nerror: token: invalid or expired\n",
	  "a keyword, a colon and prose: not an assignment" },
	{ "password: hunter2 now", "password: [REDACTED:password-assignment] now", "a value with a digit before prose is still one" },
	{ "SessionToken=AbCd1234efgh", "SessionToken=[REDACTED:secret-assignment]", "PascalCase token name" },
	{ "{\"accessToken\": \"ya29.a0AfH6SMc\", \"refreshToken\": \"1//0gAbCdEf\"}",
	  "{\"accessToken\": \"[REDACTED:secret-assignment]\", \"refreshToken\": \"[REDACTED:secret-assignment]\"}",
	  "camelCase token names as JSON keys" },
	{ "//registry.npmjs.org/:_authToken=abcDEF123456", "//registry.npmjs.org/:_authToken=[REDACTED:secret-assignment]",
	  "npmrc _authToken" },
	{ "x-api-key: 0123abcdEFGH\nX-Auth-Token: q1w2e3r4t5", "x-api-key: [REDACTED:secret-assignment]\nX-Auth-Token: [REDACTED:secret-assignment]",
	  "kebab-case HTTP headers" },
	{ "Authorization: Basic dXNlcjpzM2NyZXQ=", "Authorization: Basic [REDACTED:secret-assignment]", "HTTP Basic credentials" },
	{ "APIKey: abcd1234, auth.token=zz99yy88", "APIKey: [REDACTED:secret-assignment], auth.token=[REDACTED:secret-assignment]",
	  "acronym and dotted names" },
	{ "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Zm9vYmFyYmF6cXV4+/Zm9vYmFy==;EndpointSuffix=core.windows.net",
	  "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=[REDACTED:azure-storage-key];EndpointSuffix=core.windows.net",
	  "Azure storage connection string" },
	{ "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=abcDEF0123+/xyz=",
	  "Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=[REDACTED:azure-storage-key]",
	  "Azure shared access key" },
	{ "{\"type\": \"service_account\", \"private_key_id\": \"4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\\n\"}",
	  "{\"type\": \"service_account\", \"private_key_id\": \"[REDACTED:gcp-service-account-key]\", \"private_key\": \"[REDACTED:private-key]\\n\"}",
	  "GCP service-account JSON" },
	{ "max_tokens=512 tokenizer: loaded token_type: bearer", "max_tokens=512 tokenizer: loaded token_type: bearer",
	  "names that only contain a keyword" },
	{ "commit 4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c id 123e4567-e89b-12d3-a456-426614174000 sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 SKU-1234 dapibus 2026-12-07T04:54:45Z",
	  "commit 4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c id 123e4567-e89b-12d3-a456-426614174000 sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 SKU-1234 dapibus 2026-12-07T04:54:45Z",
	  "git SHA, UUID, sha256 digest, words with token prefixes, timestamp" },
	{ "xSK0123456789abcdef0123456789abcdef SK0123456789abcdef0123456789abcdef0", "xSK0123456789abcdef0123456789abcdef SK0123456789abcdef0123456789abcdef0",
	  "Twilio shape inside a word or too long" },
	{ "Authorization-less dTpnaHBfYzNqMjd4ZGNnMmxNTHpnZW9ueUxHY1RKRml6NHNvQ21aOWNw end",
	  "Authorization-less [REDACTED:github-token] end", "base64 of user:token, prefix 2" },
	{ "Authorization-less YWI6Z2hwX2MzajI3eGRjZzJsTUx6Z2VvbnlMR2NUSkZpejRzb0NtWjljcA== end",
	  "Authorization-less [REDACTED:github-token] end", "base64 of user:token, prefix 3" },
	{ "Authorization-less YWJjOmdocF9jM2oyN3hkY2cybE1Memdlb255TEdjVEpGaXo0c29DbVo5Y3A= end",
	  "Authorization-less [REDACTED:github-token] end", "base64 of user:token, prefix 4" },
	{ "cfg=eyJ1c2VyIjoiYm9iIiwidG9rZW4iOiJnaHBfYzNqMjd4ZGNnMmxNTHpnZW9ueUxHY1RKRml6NHNvQ21aOWNwIn0\n",
	  "cfg=[REDACTED:github-token]\n", "URL-safe base64 of a JSON config" },
	{ "x 6768705f63336a323778646367326c4d4c7a67656f6e794c4763544a46697a34736f436d5a396370 y",
	  "x [REDACTED:github-token] y", "hex of a token" },
	{ "X 6768705F63336A323778646367326C4D4C7A67656F6E794C4763544A46697A34736F436D5A396370 y",
	  "X [REDACTED:github-token] y", "upper-case hex of a token" },
	{ "YXpwbmFIQmZZek5xTWpkNFpHTm5NbXhOVEhwblpXOXVlVXhIWTFSS1JtbDZOSE52UTIxYU9XTnc=",
	  "[REDACTED:github-token]", "base64 inside base64" },
	{ "GET /cb?state=x%20ghp_c3j27xdcg2lMLzgeonyLGcTJFiz4soCmZ9cp&q=1",
	  "GET /cb?state=x%20[REDACTED:github-token]&q=1", "a token after %20" },
	{ "next=%2Fapi%3Ftoken%3Dghp_c3j27xdcg2lMLzgeonyLGcTJFiz4soCmZ9cp%26a%3Db",
	  "next=%2Fapi%3Ftoken%3D[REDACTED:github-token]%26a%3Db", "a token after %3D" },
	{ "u=https%3A%2F%2Fhooks.slack.com%2Fservices%2FT0123ABCD%2FB0123ABCD%2Fabcdefghijklmnopqrstuvwx end",
	  "u=https%3A%2F%2F[REDACTED:slack-webhook] end", "percent-encoded Slack webhook" },
	{ "dsn=postgres%3A%2F%2Fapp%3As3cr3tPW%40db.internal%3A5432%2Fmain x",
	  "dsn=postgres%3A%2F%2Fapp%3A[REDACTED:url-password]%40db.internal%3A5432%2Fmain x", "percent-encoded DSN" },
	{ "{\"url\": \"https:\\/\\/hooks.slack.com\\/services\\/T0123ABCD\\/B0123ABCD\\/abcdefghijklmnopqrstuvwx\"}",
	  "{\"url\": \"https:\\/\\/[REDACTED:slack-webhook]\"}", "JSON string with \\/ escapes" },
	{ "{\"k\": \"\\u0067hp_c3j27xdcg2lMLzgeonyLGcTJFiz4soCmZ9cp\"}",
	  "{\"k\": \"[REDACTED:github-token]\"}", "JSON string with a \\u escape" },
	{ "<img src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==\">",
	  "<img src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==\">", "a base64 image" },
	{ "vZ2mKJ8D1IcQDwkw4T2ZB8d2U3CX1zKEO6NLfwGpFXWnR2j/jf7u1xW1QVDCOoNJBxGQxBtmG9hKYhH1BNivADY17ekNeGD6tWVrEpChMsesRVYWT1UD9mjC7B4iP7QZAg93zHwtro8wcoIw/LvEIWukYh1la/02AEXd+PnNl03/4gU1L2T+2pqkkxkK/SU2cUICxZxU1EtiEhMXNZWiPgOZXl+fdCD1lnvVkyLdYi6gJ0/oOtGcP7kwKL2h8I0yr/Nj4XuaFGsMGhsJg/ZBPb20ZEFr0ueYfUuFLO24+hEgOnqPp9qdnRJHNurqNL8EEURpcj8PCy1IXoeS+SEXXCPkc/tUqLuwhZXyI5cI7AR56VuzT/YIBZmiE3sRu09RIv8SE3OLXrwL5u+8",
	  "vZ2mKJ8D1IcQDwkw4T2ZB8d2U3CX1zKEO6NLfwGpFXWnR2j/jf7u1xW1QVDCOoNJBxGQxBtmG9hKYhH1BNivADY17ekNeGD6tWVrEpChMsesRVYWT1UD9mjC7B4iP7QZAg93zHwtro8wcoIw/LvEIWukYh1la/02AEXd+PnNl03/4gU1L2T+2pqkkxkK/SU2cUICxZxU1EtiEhMXNZWiPgOZXl+fdCD1lnvVkyLdYi6gJ0/oOtGcP7kwKL2h8I0yr/Nj4XuaFGsMGhsJg/ZBPb20ZEFr0ueYfUuFLO24+hEgOnqPp9qdnRJHNurqNL8EEURpcj8PCy1IXoeS+SEXXCPkc/tUqLuwhZXyI5cI7AR56VuzT/YIBZmiE3sRu09RIv8SE3OLXrwL5u+8", "300 random bytes in base64" },
	{ "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 git 4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c",
	  "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 git 4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c", "hex digests" },
	{ "GET /search?q=hello%20world&lang=en%2Dus 200",
	  "GET /search?q=hello%20world&lang=en%2Dus 200", "a percent-encoded query without secrets" },
	{ "{\"path\": \"C:\\\\Users\\\\me\\/x\", \"msg\": \"caf\\u00e9\"}",
	  "{\"path\": \"C:\\\\Users\\\\me\\/x\", \"msg\": \"caf\\u00e9\"}", "JSON escapes without secrets" },
	{ "x\xe2\x81\xa6" "\xef\xb8\x8f" "ghp_nQ\xf3\xa0\x81\x81" "\xd8\x9c" "vWys81vp7hB1dx8PpD5KHXe3PYiGkPAuNa\xe1\xa0\x8b" " y",
	  "x\xe2\x81\xa6" "\xef\xb8\x8f" "[REDACTED:github-token]\xe1\xa0\x8b" " y", "bidi isolate and variation selector before, tag character and U+061C inside, U+180B after a token" },
	{ "tok\x1b" "[1mghp_nQvWys81vp7hB1dx8PpD5KHXe3PYiGkPAuNa\x1b" "[0m!",
	  "tok\x1b" "[1m[REDACTED:github-token]\x1b" "[0m!", "a CSI sequence right before a token glued to a word" },
	{ "\x1b" "]8;;https://ci.example/u\x1b" "\\ghp_nQvWys81vp7hB1dx8PpD5KHXe3PYiGkPAuNa\x1b" "]8;;\x1b" "\\",
	  "\x1b" "]8;;https://ci.example/u\x1b" "\\[REDACTED:github-token]\x1b" "]8;;\x1b" "\\", "an OSC 8 hyperlink's text" },
	{ "\x1b" "]8;id=1;https://bob:hunter22@git.example/r\x07" "link\x1b" "]8;;\x07" "",
	  "\x1b" "]8;id=1;https://bob:[REDACTED:url-password]@git.example/r\x07" "link\x1b" "]8;;\x07" "", "an OSC 8 hyperlink's URI with a password" },
	{ "\x1b" "]0;ghp_nQvWys81vp7hB1dx8PpD5KHXe3PYiGkPAuNa\x07" "$ ",
	  "\x1b" "]0;[REDACTED:github-token]\x07" "$ ", "an OSC 0 title" },
	{ "SSN: 078 05 1120, ssn#142-995925; social security no. 219.09.9999 ",
	  "SSN: [REDACTED:us-ssn], ssn#[REDACTED:us-ssn]; social security no. [REDACTED:us-ssn] ", "SSNs with blanks, dots, other groupings after a context word" },
	{ "Social_Security 078-05 1120 and SSN 078051120",
	  "Social_Security [REDACTED:us-ssn] and SSN [REDACTED:us-ssn]", "mixed separators and no separator after a context word" },
	{ "order 078 05 1120 id 142-995925 n 078051120",
	  "order 078 05 1120 id 142-995925 n 078051120", "no context word: only ddd-dd-dddd counts" },
	{ "ssn 111 11 1111 ssn 123-45-6789 ssn 123 45 6789x ssn 1.234 56 7890",
	  "ssn 111 11 1111 ssn 123-45-6789 ssn 123 45 6789x ssn 1.234 56 7890", "SSNs Presidio calls invalid, or glued to words" },
	{ "$ curl -u alice:s3cr3t https://api.example/x",
	  "$ curl -u alice:[REDACTED:command-line-secret] https://api.example/x", "curl -u user:password" },
	{ "curl -s --user 'bob:pa ss' -H 'Authorization: Bearer abc.def-123' https://x",
	  "curl -s --user 'bob:[REDACTED:command-line-secret]' -H 'Authorization: Bearer [REDACTED:secret-assignment]' https://x", "curl --user quoted, and an Authorization header" },
	{ "mysql -h db -uroot -pS3cretPW app < dump.sql",
	  "mysql -h db -uroot -p[REDACTED:command-line-secret] app < dump.sql", "mysql -pPASSWORD" },
	{ "deploy --password hunter2 --api-key 'k-123 456' --token=abc99",
	  "deploy --password [REDACTED:command-line-secret] --api-key '[REDACTED:command-line-secret]' --token=[REDACTED:secret-assignment]", "--password VALUE, --api-key VALUE" },
	{ "sort -u names.txt; grep -p x; ls -u a:b; mysql -p; tool --password -",
	  "sort -u names.txt; grep -p x; ls -u a:b; mysql -p; tool --password -", "-u, -p of other programs, a prompting -p" },
	{ "Recommends: xapp-sn-watcher, xoxb-the-build-bot", "Recommends: xapp-sn-watcher, xoxb-the-build-bot", "package names with Slack prefixes: no digit, no token" },
	{ "r=%2Fcb%3Ftoken%3Dghp_0123456789abcdefghijABCDEFGHIJ012345%26key%3Dsk-ant-api03-AbCdEf0123456789_ghIJKLmnop%26x%3D1 end",
	  "r=%2Fcb%3Ftoken%3D[REDACTED:github-token]%26key%3D[REDACTED:anthropic-api-key]%26x%3D1 end", "two secrets in one percent-encoded run" },
	{ "plain text, nothing hidden: a=1, b: 2\n", "plain text, nothing hidden: a=1, b: 2\n", "plain text" },
};

static const char *const known = "correct-horse-battery";

/* base64 of (k bytes + secret + 2 bytes) must contain a known-secret form */
static void encoded_alignments(void)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (int k = 0; k < 3; k++) {
		for (int tail = 0; tail < 3; tail++) {
			unsigned char raw[64];
			size_t n = 0;
			for (int i = 0; i < k; i++)
				raw[n++] = (unsigned char)('a' + i);
			memcpy(raw + n, known, strlen(known));
			n += strlen(known);
			for (int i = 0; i < tail; i++)
				raw[n++] = (unsigned char)('x' + i);
			char enc[128];
			size_t e = 0;
			for (size_t i = 0; i < n; i += 3) {
				unsigned v = (unsigned)raw[i] << 16 | (i + 1 < n ? (unsigned)raw[i + 1] << 8 : 0) |
				             (i + 2 < n ? raw[i + 2] : 0);
				enc[e++] = al[v >> 18 & 63];
				enc[e++] = al[v >> 12 & 63];
				enc[e++] = i + 1 < n ? al[v >> 6 & 63] : '=';
				enc[e++] = i + 2 < n ? al[v & 63] : '=';
			}
			enc[e] = '\0';
			size_t ol;
			char *out = redact_whole(enc, &ol);
			ok(strstr(out, "[REDACTED:known-secret]") != NULL && strstr(out, "Y29y") == NULL &&
			       strlen(out) < e,
			   "base64 with the secret at offset %d, %d bytes after: %s -> %s", k, tail, enc, out);
			free(out);
		}
	}
}

static struct rd_config *make_config(void)
{
	char *err = NULL;
	struct rd_config *c = rd_config_new(NULL, &err);
	if (!c || rd_config_add_user(c, "acme-id", "ACME-[0-9]{8}", NULL, &err) < 0 ||
	    rd_config_add_user(c, "card-acct", "(?<=acct )[0-9]{16}", "luhn", &err) < 0 ||
	    rd_config_add_user(c, "xy-ref", "ref=(?<secret>XY-[0-9]+)", NULL, &err) < 0 ||
	    rd_config_add_user(c, "lx", "LX[a-z]+!", NULL, &err) < 0 ||
	    rd_config_add_user(c, "line-id", "^LINE-[0-9]+", NULL, &err) < 0 ||
	    rd_config_add_secret(c, (const unsigned char *)known, strlen(known), &err) < 0 ||
	    rd_config_finish(c, &err) < 0)
		bail("config: %s", err ? err : "?");
	return c;
}

/* r < 0 and err holding want: a configuration error reported as expected. */
static void refused(int r, char **err, const char *want, const char *what)
{
	ok(r < 0 && *err && strstr(*err, want), "%s: %s", what, *err ? *err : "(no message)");
	free(*err);
	*err = NULL;
}

static void config_errors(void)
{
	char *err = NULL;
	struct rd_config *c = rd_config_new(NULL, &err);
	if (!c)
		bail("config");
	refused(rd_config_add_user(c, "bad", "ab(c", NULL, &err), &err, "pattern:", "invalid regex refused");
	refused(rd_config_add_user(c, "Bad Id", "x", NULL, &err), &err, "id", "invalid id refused");
	refused(rd_config_add_user(c, "jwt", "x", NULL, &err), &err, "built-in", "an id of a built-in detector refused");
	refused(rd_config_add_user(c, "v", "x", "entropy", &err), &err, "validator", "unknown validator refused");
	refused(rd_config_add_user(c, "lb", "(?<=a{300})b", NULL, &err), &err, "looks behind", "look-behind too long refused");
	refused(rd_config_add_secret(c, (const unsigned char *)"abcde", 5, &err), &err, "shorter", "a too short secret refused");
	refused(rd_config_disable(c, "no-such-rule", &err), &err, "not a built-in", "disabling an unknown detector refused");
	rd_config_free(c);
	c = rd_config_new("two\nlines", &err);
	refused(c ? 0 : -1, &err, "one line", "a replacement of two lines refused");
	rd_config_free(c);
}

static char *corpus_all(size_t *len)
{
	size_t n = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		n += strlen(cases[i].in) + 1;
	char *all = malloc(n + 1), *p = all;
	if (!all)
		bail("out of memory");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t l = strlen(cases[i].in);
		memcpy(p, cases[i].in, l);
		p += l;
		*p++ = '\n';
	}
	*p = '\0';
	*len = n;
	return all;
}

static void chunkings(void)
{
	size_t ncases = sizeof(cases) / sizeof(cases[0]);
	size_t bad_split = 0, splits = 0, bad_counts = 0;
	for (size_t i = 0; i < ncases; i++) {
		const char *in = cases[i].in;
		size_t len = strlen(in), wl;
		reset_counts();
		char *want = feed_chunked(CORDON_STDOUT, in, len, whole, NULL, &wl);
		uint64_t want_counts[128];
		memcpy(want_counts, counted[0], sizeof(want_counts));
		for (size_t at = 1; at < len; at++) {
			struct split sp = { at, 1 };
			size_t gl;
			reset_counts();
			char *got = feed_chunked(CORDON_STDOUT, in, len, split_at, &sp, &gl);
			splits++;
			if (gl != wl || memcmp(got, want, wl) != 0) {
				if (bad_split++ < 5)
					diag("split at %zu of case '%s': got '%s'", at, cases[i].what, got);
			}
			if (memcmp(want_counts, counted[0], sizeof(want_counts)) != 0)
				bad_counts++;
			free(got);
		}
		size_t gl;
		reset_counts();
		char *got = feed_chunked(CORDON_STDOUT, in, len, one, NULL, &gl);
		ok(gl == wl && memcmp(got, want, wl) == 0 && memcmp(want_counts, counted[0], sizeof(want_counts)) == 0,
		   "one byte at a time = whole: %s", cases[i].what);
		free(got);
		free(want);
	}
	ok(bad_split == 0, "every split point of every case gives the whole-buffer output (%zu splits)", splits);
	ok(bad_counts == 0, "and the same counts");

	size_t len, wl;
	char *all = corpus_all(&len);
	reset_counts();
	char *want = feed_chunked(CORDON_STDOUT, all, len, whole, NULL, &wl);
	uint64_t want_counts[128];
	memcpy(want_counts, counted[0], sizeof(want_counts));
	int bad = 0;
	for (int r = 0; r < 300; r++) {
		size_t gl;
		reset_counts();
		char *got = feed_chunked(CORDON_STDOUT, all, len, rnd, NULL, &gl);
		if (gl != wl || memcmp(got, want, wl) != 0 || memcmp(want_counts, counted[0], sizeof(want_counts)) != 0)
			bad++;
		free(got);
	}
	ok(bad == 0, "300 random chunkings of the whole corpus (%zu bytes) = whole", len);

	/* stdout and stderr interleaved, one byte each: separate states */
	cordon_buf o[2] = { { 0 }, { 0 } };
	reset_counts();
	for (size_t i = 0; i <= len; i++) {
		for (int s = 0; s < 2; s++) {
			cordon_buf part = { 0 };
			int eof = i == len;
			cordon_module.filter(CTX, mod, s ? CORDON_STDERR : CORDON_STDOUT, (const unsigned char *)all + i,
			                     eof ? 0 : 1, eof, &part);
			t_append(CTX, &o[s], part.d ? part.d : (unsigned char *)"", part.len);
			free(part.d);
		}
	}
	ok(o[0].len == wl && memcmp(o[0].d, want, wl) == 0 && o[1].len == wl && memcmp(o[1].d, want, wl) == 0,
	   "stdout and stderr interleaved byte by byte are redacted independently");
	ok(memcmp(counted[0], want_counts, sizeof(want_counts)) == 0 &&
	       memcmp(counted[1], want_counts, sizeof(want_counts)) == 0,
	   "counts are per stream");
	free(o[0].d);
	free(o[1].d);
	free(want);
	free(all);
}

/* Output that cannot be part of a secret is passed on at once. */
static void latency(void)
{
	cordon_buf part = { 0 };
	const char *line = "Enter your name: ";
	cordon_module.filter(CTX, mod, CORDON_STDOUT, (const unsigned char *)line, strlen(line), 0, &part);
	ok(part.len == strlen(line), "a prompt is passed on before the end of the stream (%zu of %zu bytes)", part.len,
	   strlen(line));
	free(part.d);
	part = (cordon_buf){ 0 };
	const char *pw = "password=hunter";
	cordon_module.filter(CTX, mod, CORDON_STDOUT, (const unsigned char *)pw, strlen(pw), 0, &part);
	ok(part.len < strlen(pw) && (part.len == 0 || memcmp(part.d, pw, part.len) == 0),
	   "an unfinished assignment is held back (%zu bytes passed)", part.len);
	free(part.d);
	part = (cordon_buf){ 0 };
	cordon_module.filter(CTX, mod, CORDON_STDOUT, (const unsigned char *)"2\n", 2, 1, &part);
	ok(part.d && strstr((char *)part.d, "[REDACTED:password-assignment]\n"), "and redacted when it ends: %s",
	   part.d ? (char *)part.d : "");
	free(part.d);
}

/* Hostile streams: memory stays bounded. */
static void bounded(void)
{
	struct rd_stream *st = mod->st[0];
	static const struct {
		const char *head, *unit, *what;
	} cases2[] = {
		{ "sk_live_", "abcdefghij0123456789", "a Stripe key of 8 MB" },
		{ "-----BEGIN PRIVATE KEY-----\n", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC\n", "an 8 MB PEM block" },
		{ "AKIA", "\xe2\x80\x8b", "8 MB of zero-width spaces in a token" },
		{ "password=", "\x1b[0m", "8 MB of escape sequences after a keyword" },
		{ "LX", "a", "8 MB a user rule could still take" },
	};
	for (size_t c = 0; c < sizeof(cases2) / sizeof(cases2[0]); c++) {
		size_t maxheld = 0, outlen = 0;
		cordon_buf part = { 0 };
		cordon_module.filter(CTX, mod, CORDON_STDOUT, (const unsigned char *)cases2[c].head, strlen(cases2[c].head),
		                     0, &part);
		outlen += part.len;
		free(part.d);
		char chunk[8192];
		size_t ul = strlen(cases2[c].unit), fill = 0;
		while (fill + ul <= sizeof(chunk)) {
			memcpy(chunk + fill, cases2[c].unit, ul);
			fill += ul;
		}
		for (size_t total = 0; total < (8u << 20); total += fill) {
			part = (cordon_buf){ 0 };
			cordon_module.filter(CTX, mod, CORDON_STDOUT, (const unsigned char *)chunk, fill, 0, &part);
			outlen += part.len;
			free(part.d);
			if (st->hlen + st->plen > maxheld)
				maxheld = st->hlen + st->plen;
		}
		part = (cordon_buf){ 0 };
		cordon_module.filter(CTX, mod, CORDON_STDOUT, NULL, 0, 1, &part);
		outlen += part.len;
		free(part.d);
		ok(maxheld < 300000 && st->rawcap < (1u << 20), "%s: at most %zu bytes held, buffer %zu bytes",
		   cases2[c].what, maxheld, st->rawcap);
		if (c < 2)
			ok(outlen < 100, "%s: replaced once (%zu bytes out)", cases2[c].what, outlen);
	}
}


/* host_paths: a path cordon knows, whole or as a prefix ending at a
 * component's end, is replaced by its in-sandbox name, wherever it is in
 * a line (the sixteen-byte skip and the byte loop). */
static void host_paths(void)
{
	char *err = NULL;
	struct rd_config *c = rd_config_new(NULL, &err);
	if (!c || rd_config_enable_paths(c, &err) < 0 || rd_config_finish(c, &err) < 0)
		bail("config: %s", err ? err : "?");
	struct rd_module *m = rd_module_new(c);
	if (!m)
		bail("out of memory");
	if (rd_config_add_path(c, "/tmp/cordon-out.Ab12/o/", "/output", &err) < 0 ||
	    rd_config_add_path(c, "/etc/cordon/policies", "[policy-dir]", &err) < 0 || rd_config_finish(c, &err) < 0)
		bail("paths: %s", err ? err : "?");
	refused(rd_config_add_path(c, "relative/dir", "x", &err), &err, "absolute", "a relative host path refused");
	refused(rd_config_add_path(c, "/", "x", &err), &err, "absolute", "the root as a host path refused");
	struct rd_module *saved = mod;
	mod = m;
	static const struct {
		const char *in, *want;
	} hp[] = {
		{ "cat: /tmp/cordon-out.Ab12/o/missing: No such file or directory\n",
		  "cat: /output/missing: No such file or directory\n" },
		{ "a long prefix of ordinary words before it: /tmp/cordon-out.Ab12/o and /etc/cordon/policies/p.yaml\n",
		  "a long prefix of ordinary words before it: /output and [policy-dir]/p.yaml\n" },
		{ "/tmp/cordon-out.Ab12/other /tmp/cordon-out.Ab12/o2 x/tmp/cordon-out.Ab12/o /etc/cordon/policiesX",
		  "/tmp/cordon-out.Ab12/other /tmp/cordon-out.Ab12/o2 x/tmp/cordon-out.Ab12/o /etc/cordon/policiesX" },
	};
	for (size_t i = 0; i < sizeof(hp) / sizeof(hp[0]); i++) {
		size_t ol, l1;
		char *out = redact_whole(hp[i].in, &ol);
		char *one1 = feed_chunked(CORDON_STDOUT, hp[i].in, strlen(hp[i].in), one, NULL, &l1);
		is_str(out, hp[i].want, "host paths, case %zu", i + 1);
		ok(l1 == ol && memcmp(one1, out, ol) == 0, "host paths, case %zu: one byte at a time = whole", i + 1);
		free(out);
		free(one1);
	}
	mod = saved;
	rd_module_free(m);
}

int main(void)
{
	struct rd_config *c = make_config();
	mod = rd_module_new(c);
	if (!mod)
		bail("out of memory");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t ol;
		reset_counts();
		char *out = redact_whole(cases[i].in, &ol);
		is_str(out, cases[i].want, "%s", cases[i].what);
		free(out);
	}
	encoded_alignments();
	chunkings();
	latency();
	bounded();
	config_errors();
	host_paths();
	rd_module_free(mod);
	return tap_done();
}
