/*
 * bench/redact/driver.c - the redaction engine alone (no supervisor, no
 * pipes, no file reads): read FILE into memory, then feed it in 64 KiB
 * chunks as cordon's supervisor does, discard the output, print bytes in,
 * bytes out, redactions and seconds of CPU time of the feeding alone (-n:
 * with the decoders of encoded runs turned off).
 *
 *   cc -O2 -Imodules/redact -Iinclude bench/redact/driver.c modules/redact/{engine,detect,rules}.c -lpcre2-8
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "redact.h"

static size_t out_bytes;
static unsigned long long redactions;

static int out(void *arg, const void *data, size_t len)
{
	(void)arg;
	(void)data;
	out_bytes += len;
	return 0;
}

static void count(void *arg, const char *rule, uint64_t n)
{
	(void)arg;
	(void)rule;
	redactions += n;
}

int main(int argc, char **argv)
{
	bool decode = true;
	if (argc == 3 && strcmp(argv[1], "-n") == 0) {
		decode = false; /* the decoders off: what looking into encoded runs costs */
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: driver [-n] FILE\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	char *err = NULL;
	struct rd_config *c = rd_config_new(NULL, &err);
	if (c)
		c->decode = decode;
	if (!c || rd_config_finish(c, &err) < 0) {
		fprintf(stderr, "driver: %s\n", err ? err : "?");
		return 1;
	}
	struct rd_stream *st = rd_stream_new(c);
	if (!st)
		return 1;
	struct rd_sink sink = { out, count, NULL };
	/* the whole input in memory first: the time is the engine's, not the
	 * file system's */
	size_t in_bytes = 0, cap = 1u << 20, n;
	unsigned char *in = malloc(cap);
	if (!in)
		return 1;
	while ((n = fread(in + in_bytes, 1, cap - in_bytes, f)) > 0) {
		in_bytes += n;
		if (in_bytes == cap) {
			unsigned char *bigger = cap <= SIZE_MAX / 2 ? realloc(in, cap * 2) : NULL;
			if (!bigger)
				return 1;
			in = bigger;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		perror(argv[1]);
		return 2;
	}
	for (size_t i = 0; i < in_bytes; i++)
		(void)*(volatile unsigned char *)(in + i);
	struct timespec t0, t1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	for (size_t off = 0; off < in_bytes; off += 65536) {
		size_t len = in_bytes - off < 65536 ? in_bytes - off : 65536; /* 64 KiB chunks, as the supervisor reads */
		if (rd_stream_feed(st, in + off, len, 0, &sink) < 0)
			return 1;
	}
	if (rd_stream_feed(st, NULL, 0, 1, &sink) < 0)
		return 1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%zu %zu %llu %.4f\n", in_bytes, out_bytes, redactions, s);
	fclose(f);
	free(in);
	rd_stream_free(st);
	rd_config_free(c);
	return 0;
}
