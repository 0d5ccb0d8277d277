/*
 * bench/redact/driver.c - the redaction engine alone (no supervisor, no
 * pipes): read FILE, feed it in 64 KiB chunks as cordon's supervisor does,
 * discard the output, print bytes, redactions and seconds of CPU time
 * (-n: with the decoders of encoded runs turned off).
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
	static unsigned char buf[65536];
	size_t in_bytes = 0, n;
	struct timespec t0, t1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		in_bytes += n;
		if (rd_stream_feed(st, buf, n, 0, &sink) < 0)
			return 1;
	}
	if (rd_stream_feed(st, NULL, 0, 1, &sink) < 0)
		return 1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%zu %zu %llu %.4f\n", in_bytes, out_bytes, redactions, s);
	fclose(f);
	rd_stream_free(st);
	rd_config_free(c);
	return 0;
}
