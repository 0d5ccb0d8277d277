/*
 * modules/redact/fuzz_redact.c - libFuzzer target for the redaction engine.
 *
 * Input: two bytes seeding the chunking, then the stream.  The stream is
 * redacted whole, then in chunks of pseudo-random sizes (1 to 4 KiB, often
 * 1), and for short inputs one byte at a time, on stdout's state while
 * stderr's gets another chunking; every output and every count must equal
 * the whole-buffer one, and the whole-buffer one must equal the reference
 * engine's (rd_config.fp_level -1: no SIMD skip, no run passed over).
 * ASan/UBSan and LeakSanitizer catch the rest.
 *
 *   make fuzz && build-fuzz/fuzz_redact -dict=modules/redact/fuzz_redact.dict -max_len=8192
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"

struct out {
	unsigned char *d;
	size_t len, cap;
	uint64_t counts[128];
	const char *ids[128];
};

static int put(void *arg, const void *data, size_t len)
{
	struct out *o = arg;
	if (o->len + len > o->cap) {
		size_t cap = o->cap ? o->cap : 1024;
		while (cap < o->len + len)
			cap *= 2;
		unsigned char *d = realloc(o->d, cap);
		if (!d)
			return -1;
		o->d = d;
		o->cap = cap;
	}
	if (len)
		memcpy(o->d + o->len, data, len);
	o->len += len;
	return 0;
}

static void count(void *arg, const char *rule, uint64_t n)
{
	struct out *o = arg;
	for (int i = 0; i < 128; i++) {
		if (!o->ids[i] || strcmp(o->ids[i], rule) == 0) {
			o->ids[i] = rule;
			o->counts[i] += n;
			return;
		}
	}
	abort();
}

static struct rd_config *cfg, *ref_cfg;
static struct rd_stream *st[2], *ref;

static struct rd_config *make(void)
{
	char *err = NULL;
	struct rd_config *c = rd_config_new(NULL, &err);
	if (!c || rd_config_add_user(c, "acme", "ACME-[0-9A-F]{8}(?!x)", NULL, &err) < 0 ||
	    rd_config_add_user(c, "grp", "id=(?<secret>[a-z]+)[.;]", NULL, &err) < 0 ||
	    rd_config_add_user(c, "open", "LX[a-z]+!", NULL, &err) < 0 ||
	    rd_config_add_user(c, "line", "^L[0-9]+$", NULL, &err) < 0 ||
	    rd_config_add_secret(c, (const unsigned char *)"hunter22", 8, &err) < 0 || rd_config_finish(c, &err) < 0) {
		fprintf(stderr, "config: %s\n", err ? err : "?");
		abort();
	}
	c->max_match = 256;
	return c;
}

static void setup(void)
{
	cfg = make();
	ref_cfg = make();
	ref_cfg->fp_level = -1;
	st[0] = rd_stream_new(cfg);
	st[1] = rd_stream_new(cfg);
	ref = rd_stream_new(ref_cfg);
	if (!st[0] || !st[1] || !ref)
		abort();
}

static uint32_t rng;
static size_t next_size(void)
{
	rng = rng * 1103515245u + 12345u;
	uint32_t r = rng >> 8;
	return r % 3 == 0 ? 1 : (size_t)(r % 4096) + 1;
}

static void run(struct rd_stream *s, const unsigned char *d, size_t n, int mode, struct out *o)
{
	struct rd_sink sink = { put, count, o };
	size_t off = 0;
	while (off < n) {
		size_t k = mode == 0 ? n - off : mode == 1 ? 1 : next_size();
		if (k > n - off)
			k = n - off;
		if (rd_stream_feed(s, d + off, k, 0, &sink) < 0)
			abort();
		off += k;
	}
	if (rd_stream_feed(s, NULL, 0, 1, &sink) < 0)
		abort();
}

static void same(const struct out *a, const struct out *b)
{
	if (a->len != b->len || (a->len && memcmp(a->d, b->d, a->len) != 0))
		abort();
	for (int i = 0; i < 128 && a->ids[i]; i++) {
		int j;
		for (j = 0; j < 128 && b->ids[j]; j++)
			if (strcmp(a->ids[i], b->ids[j]) == 0)
				break;
		if (j == 128 || !b->ids[j] || a->counts[i] != b->counts[j])
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!cfg)
		setup();
	if (size < 2)
		return 0;
	rng = (uint32_t)data[0] << 8 | data[1];
	data += 2;
	size -= 2;
	struct out whole = { 0 }, chunked = { 0 }, other = { 0 }, bytes = { 0 }, slow = { 0 };
	run(st[0], data, size, 0, &whole);
	run(ref, data, size, 0, &slow);
	same(&whole, &slow);
	run(st[0], data, size, 2, &chunked);
	same(&whole, &chunked);
	run(st[1], data, size, 2, &other);
	same(&whole, &other);
	if (size <= 2048) {
		run(st[1], data, size, 1, &bytes);
		same(&whole, &bytes);
	}
	free(whole.d);
	free(chunked.d);
	free(other.d);
	free(bytes.d);
	free(slow.d);
	return 0;
}
