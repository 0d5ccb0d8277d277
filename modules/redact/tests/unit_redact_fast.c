/*
 * modules/redact/tests/unit_redact_fast.c - the engine's fingerprint skip
 * (engine.c, skip_fp) loses nothing: a secret of each family after 1 MiB of
 * ordinary text is redacted, whatever the two chunks it is split across;
 * and on streams dense with the detectors' trigger bytes (digits,
 * separators, keyword tails, token prefixes) the output with the skip is
 * byte for byte the output without it (the byte loop that scan() had
 * before), whole and in random chunks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"
#include "tap.h"

struct out {
	unsigned char *d;
	size_t len, cap;
	uint64_t count;
};

static int sink_out(void *arg, const void *data, size_t len)
{
	struct out *o = arg;
	if (o->len + len > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		while (cap < o->len + len)
			cap *= 2;
		unsigned char *d = realloc(o->d, cap);
		if (!d)
			return -1;
		o->d = d;
		o->cap = cap;
	}
	memcpy(o->d + o->len, data, len);
	o->len += len;
	return 0;
}

static void sink_count(void *arg, const char *rule, uint64_t n)
{
	(void)rule;
	((struct out *)arg)->count += n;
}

static const char *const known = "correct-horse-battery";

static struct rd_config *config(int level)
{
	char *err = NULL;
	struct rd_config *c = rd_config_new(NULL, &err);
	if (!c || rd_config_add_secret(c, (const unsigned char *)known, strlen(known), &err) < 0 ||
	    rd_config_finish(c, &err) < 0)
		bail("config: %s", err ? err : "?");
	if (level < c->fp_level)
		c->fp_level = level;
	return c;
}

/* Feed in[0, len) as chunks of sizes from cuts (0-terminated; the rest in
 * one piece after them) into a fresh stream; the output in *o. */
static void run(const struct rd_config *c, const unsigned char *in, size_t len, const size_t *cuts, struct out *o)
{
	struct rd_stream *st = rd_stream_new(c);
	if (!st)
		bail("out of memory");
	struct rd_sink sink = { sink_out, sink_count, o };
	memset(o, 0, sizeof(*o));
	size_t off = 0;
	for (; cuts && *cuts && off < len; cuts++) {
		size_t k = *cuts < len - off ? *cuts : len - off;
		if (rd_stream_feed(st, in + off, k, 0, &sink) < 0)
			bail("feed failed");
		off += k;
	}
	if (rd_stream_feed(st, in + off, len - off, 1, &sink) < 0)
		bail("feed failed at eof");
	rd_stream_free(st);
}

static bool contains(const struct out *o, const char *s)
{
	size_t l = strlen(s);
	for (size_t i = 0; i + l <= o->len; i++)
		if (memcmp(o->d + i, s, l) == 0)
			return true;
	return false;
}

/* Ordinary program output that starts no match: log lines full of
 * digits, '=' and ':', and prose. */
static const char *const fillers[] = {
	"2024-05-13T09:25:22.537Z INFO http method=GET path=/api/v1/users status=200 duration=539ms bytes=27096 "
	"req_id=u9o4oxqbf49dpayu host=web-15.internal\n"
	"2024-05-12T11:12:36.169Z INFO {\"event\": \"order.created\", \"order_id\": 6856896, \"amount\": 425.6, "
	"\"currency\": \"EUR\", \"customer\": \"wrctqpvb\", \"items\": 4}\n",
	"the quick brown fox jumps over the lazy dog while the duration of the batch stays near 0.93 seconds; "
	"cache hits: 744, misses: 60 (ratio 0.47) and nothing else happens here at all.\n",
};

static const struct {
	const char *secret, *what;
} secrets[] = {
	{ "ghp_0123456789abcdefghijABCDEFGHIJ012345", "GitHub token" },
	{ "AKIAIOSFODNN7EXAMPLE", "AWS key id (no word boundary needed)" },
	{ "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "JWT" },
	{ "password=hunter2hunter2", "password assignment" },
	{ "\"private_key_id\": \"0123456789abcdef0123456789abcdef01234567\"", "GCP private_key_id" },
	{ "Authorization: Bearer abcdefghijklmnop1234567890", "Authorization header" },
	{ "4111 1111 1111 1111", "card number with blanks" },
	{ "4111111111111111", "card number" },
	{ "(4222222222222)", "13-digit card number between parentheses" },
	{ "078-05-1120", "SSN with dashes" },
	{ "ssn 07805 1120", "SSN ddddd dddd after a context word" },
	{ "SSN: 078.051120", "SSN ddd.dddddd after a context word" },
	{ "social security 078051120", "SSN ddddddddd after a context word" },
	{ "https://admin:s3cretpassw0rd@db.example.com/x", "URL password" },
	{ "curl -u admin:pa55w0rd-x https://example.com", "curl -u" },
	{ "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----",
	  "PEM block" },
	{ "correct-horse-battery", "known secret" },
	{ "dG9rZW49Z2hwXzAxMjM0NTY3ODlhYmNkZWZnaGlqQUJDREVGR0hJSjAxMjM0NQ==", "base64 of an assigned token" },
	{ "sk-proj-AbCdEf0123456789_ghIJKLmnopQRSTuvwx-YZ0123456789", "OpenAI key" },
	{ "hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567", "Hugging Face token" },
	{ "id AKIAIOSFODNN7EXAMPLE then 200 bytes of ordinary text: the quick brown fox jumps over the lazy dog, "
	  "status=200 duration=539ms bytes=27096 path=/api/v1/users and then the key "
	  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
	  "bare AWS secret key in the window after a key id" },
};
/* the part of each secret that must not survive */
static const char *const marks[] = {
	"ghp_0123456789abcdefghij", "AKIAIOSFODNN7EXAMPLE", "dozjgNryP4J3jVmNHl0w", "hunter2hunter2",
	"0123456789abcdef0123456789abcdef01234567", "abcdefghijklmnop1234567890", "4111 1111 1111 1111",
	"4111111111111111", "4222222222222", "078-05-1120", "07805 1120", "078.051120", "078051120", "s3cretpassw0rd", "pa55w0rd-x",
	"MIIEvQIBADANBgkqhkiG9w0", "correct-horse-battery", "dG9rZW49Z2hwXzAx", "AbCdEf0123456789_ghIJ",
	"AbCdEfGhIjKlMnOpQrStUvWxYz", "wJalrXUtnFEMI/K7MDENG",
};
_Static_assert(sizeof(marks) / sizeof(marks[0]) == sizeof(secrets) / sizeof(secrets[0]), "one mark per secret");

#define MIB (1u << 20)

/* 1 MiB of filler f, then " SECRET end\n". */
static unsigned char *after_mib(size_t f, const char *secret, size_t *len, size_t *at)
{
	size_t fl = strlen(fillers[f]), sl = strlen(secret);
	unsigned char *b = malloc(MIB + fl + sl + 8);
	if (!b)
		bail("out of memory");
	size_t n = 0;
	while (n < MIB) {
		memcpy(b + n, fillers[f], fl);
		n += fl;
	}
	b[n++] = ' ';
	*at = n;
	memcpy(b + n, secret, sl);
	n += sl;
	memcpy(b + n, " end\n", 5);
	*len = n + 5;
	return b;
}

static void long_runs(const struct rd_config *c)
{
	for (size_t f = 0; f < sizeof(fillers) / sizeof(fillers[0]); f++)
		for (size_t k = 0; k < sizeof(secrets) / sizeof(secrets[0]); k++) {
			size_t len, at, sl = strlen(secrets[k].secret);
			unsigned char *in = after_mib(f, secrets[k].secret, &len, &at);
			struct out whole, o;
			size_t cuts64[2 + MIB / 65536];
			for (size_t i = 0; i < sizeof(cuts64) / sizeof(cuts64[0]) - 1; i++)
				cuts64[i] = 65536;
			cuts64[sizeof(cuts64) / sizeof(cuts64[0]) - 1] = 0;
			run(c, in, len, NULL, &whole);
			ok(!contains(&whole, marks[k]) && contains(&whole, "[REDACTED:") && whole.count >= 1,
			   "filler %zu, %s after 1 MiB: redacted", f + 1, secrets[k].what);
			run(c, in, len, cuts64, &o);
			ok(o.len == whole.len && memcmp(o.d, whole.d, o.len) == 0 && o.count == whole.count,
			   "filler %zu, %s after 1 MiB in 64 KiB chunks: the same output", f + 1, secrets[k].what);
			free(o.d);
			/* two chunks, cut at every offset from 16 bytes before the
			 * secret to 16 bytes after it (after the log lines: the
			 * prose gives the same cuts the same bytes) */
			size_t bad = 0, tried = 0;
			for (size_t cut = at - 16; f == 0 && cut <= at + sl + 16 && cut < len; cut++) {
				size_t cuts[2] = { cut, 0 };
				run(c, in, len, cuts, &o);
				if (o.len != whole.len || memcmp(o.d, whole.d, o.len) != 0 || o.count != whole.count)
					bad++;
				tried++;
				free(o.d);
			}
			if (f == 0)
				ok(bad == 0 && tried > sl, "filler %zu, %s: split across two chunks at each of %zu offsets: the same output",
				   f + 1, secrets[k].what, tried);
			free(whole.d);
			free(in);
		}
}

/* A stream dense with trigger bytes: random bytes of an alphabet of
 * digits, separators, quotes, keyword letters, and fragments of the
 * detectors' prefixes and keywords. */
static unsigned char *dense(size_t len, uint64_t seed, bool b64)
{
	static const char alpha0[] = "0123456789 -.:=\"'`_/\n\tabcdeyJkpsgtuhnoiASKIGEPrwlzx%\\+AZ";
	/* base64 and hex runs of every length, broken by a blank or a newline now and then */
	static const char alpha1[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-=0123456789abcdef \n";
	const char *alpha = b64 ? alpha1 : alpha0;
	size_t na = b64 ? sizeof(alpha1) - 1 : sizeof(alpha0) - 1;
	static const char *const frags[] = {
		"ghp_", "sk-", "sk-ant-", "eyJ", "password", "passwd", "key", "_id", "key_id", "zation", "ssn ", "SSN: ",
		"social security ", "AKIA", "--password ", "-----BEGIN ", "-u ", "curl ", "mysql -p", "://", "token",
		"secret", "4111", "078", "hf_", "glpat-", "xoxb-", "npm_", "dapi", "SK", "SG.", "A3T", "AIza", "%3D",
		"\\u00", "correct-horse", "private_key_id", "Authorization", "=\"", ": ", "  ", "\"",
		/* every ending rd_kw_tail knows, in mixed case, and names that
		 * share their last letters without being keywords */
		"PASSWD", "db_pwd", "PassPhrase", "PASS", "Credentials", "SECRET", "api-KEY", "Token", "keyid", "KEY-ID",
		"key.id", "AUTHORIZATION", "req_id", "order_id", "duration", "Ration", "rotation", "zaTion", "xid", "y_id",
		"offset", "monkey", "children", "Broken", "class", "phase", "record", "Sword",
		/* base64 of "password=hunter2hunter2", "user:ghp_0123456789ab...", hex of "token=..." */
		" ssn 078051120 ", " SSN: 078-051120\n", " social security 07805 1120 ", " ssn 078.05.1120,",
		" card 4111 1111 1111 1111 ", " (4222222222222)", "\n4222222222222,", "\"password\": \"hunter2hunter2\"", " api_key = 'abcdefghij0123456789' ",
		"078051120", "07805-1120", "078-051120", "078 05 1120", "078.05-1120", "4111111111111111",
		"4111 1111 1111 1111", "4111-1111-1111-1111", "5500 0000 0000 0004", "4111-1111 1111",
		" AKIAIOSFODNN7EXAMPLE ", " wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE",
		"cGFzc3dvcmQ9aHVudGVyMmh1bnRlcjI=", "dXNlcjpnaHBfMDEyMzQ1Njc4OWFiY2RlZmdoaWpBQkNERUZHSElKMDEyMzQ1",
		"746f6b656e3d6768705f30313233343536373839616263646566676869", "Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5",
	};
	unsigned char *b = malloc(len);
	if (!b)
		bail("out of memory");
	uint64_t x = seed;
	size_t n = 0;
	while (n < len) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (x % 5 == 0) {
			const char *f = frags[(x >> 8) % (sizeof(frags) / sizeof(frags[0]))];
			size_t fl = strlen(f);
			for (size_t i = 0; i < fl && n < len; i++)
				b[n++] = (unsigned char)f[i];
		} else {
			b[n++] = (unsigned char)alpha[(x >> 8) % na];
		}
	}
	return b;
}

static void differential(const struct rd_config *fast, const struct rd_config *slow)
{
	diag("the skip at level %d against the reference", fast->fp_level);
	for (uint64_t seed = 1; seed <= 8; seed++) {
		size_t len = 1u << 19;
		unsigned char *in = dense(len, seed * 0x9e3779b97f4a7c15ull, seed > 5);
		struct out a, b;
		run(fast, in, len, NULL, &a);
		run(slow, in, len, NULL, &b);
		ok(a.len == b.len && memcmp(a.d, b.d, a.len) == 0 && a.count == b.count,
		   "dense stream %d (512 KiB): the same output with the skip and without (%llu redactions)", (int)seed,
		   (unsigned long long)b.count);
		free(a.d);
		/* random chunks with the skip = whole without it */
		size_t cuts[4096], m = 0;
		uint64_t x = seed;
		for (size_t left = len; m + 1 < sizeof(cuts) / sizeof(cuts[0]) && left > 0;) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			size_t k = (size_t)(x >> 33) % 700 + 1;
			cuts[m++] = k;
			left = left > k ? left - k : 0;
		}
		cuts[m] = 0;
		run(fast, in, len, cuts, &a);
		ok(a.len == b.len && memcmp(a.d, b.d, a.len) == 0 && a.count == b.count,
		   "dense stream %d in random chunks with the skip: the same output", (int)seed);
		free(a.d);
		free(b.d);
		free(in);
	}
	/* ordinary text too, with every secret on its own line */
	size_t cap = 4 * MIB, n = 0;
	unsigned char *in = malloc(cap);
	if (!in)
		bail("out of memory");
	for (size_t i = 0; n + 2048 < cap; i++) {
		const char *f = fillers[i % 2], *s = secrets[i % (sizeof(secrets) / sizeof(secrets[0]))].secret;
		memcpy(in + n, f, strlen(f));
		n += strlen(f);
		if (i % 7 == 0) {
			memcpy(in + n, s, strlen(s));
			n += strlen(s);
			in[n++] = '\n';
		}
	}
	struct out a, b;
	run(fast, in, n, NULL, &a);
	run(slow, in, n, NULL, &b);
	ok(a.len == b.len && memcmp(a.d, b.d, a.len) == 0 && a.count == b.count && b.count > 1000,
	   "ordinary output with secrets (%zu bytes): the same output with the skip and without (%llu redactions)", n,
	   (unsigned long long)b.count);
	free(a.d);
	free(b.d);
	free(in);
}

int main(void)
{
	struct rd_config *fast = config(3), *slow = config(-1);
#if defined(__x86_64__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi"))
		ok(fast->fp_level == 3,
		   "the 64-byte skip with whole-byte tables serves the default configuration on this CPU (AVX-512 BW, VBMI)");
	else if (__builtin_cpu_supports("avx2"))
		ok(fast->fp_level == 2, "the 64-byte fingerprint skip serves the default configuration on this CPU (AVX2)");
	else if (__builtin_cpu_supports("ssse3"))
		ok(fast->fp_level == 1, "the 16-byte fingerprint skip serves the default configuration on this CPU (SSSE3)");
	else
		diag("no SSSE3: the byte skip serves");
#else
	diag("not x86-64: the byte skip serves");
#endif
	long_runs(fast);
	/* every level this CPU has against the reference */
	for (int level = fast->fp_level; level >= 0; level--) {
		struct rd_config *c = config(level);
		differential(c, slow);
		rd_config_free(c);
	}
	rd_config_free(fast);
	rd_config_free(slow);
	return tap_done();
}
