/*
 * core/cli/logverify.c - `cordon log verify FILE`: walk an incident log
 * (modules/incident_log) and check its hash chain.
 *
 * Each line is a JSON object whose "prev" is the sha256 (lowercase hex) of
 * the previous line's bytes, newline excluded; the first line's prev is 64
 * zeros.  The first problem found is reported as FILE:LINE: what, and the
 * walk stops there:
 *   - a line that is not a JSON object with such a prev (altered, or the
 *     remains of an interrupted write),
 *   - a prev that does not match the line before (a record removed,
 *     inserted, reordered or altered),
 *   - a first line whose prev is not zeros (the start of the log removed).
 * A last line without its newline is a torn record (a writer killed inside
 * its write): reported on stderr and not counted, since the module cuts it
 * off before its next record; the records before it still verify.
 * What the chain cannot show by itself: records removed from the end, or an
 * attacker who rewrote the chain from some record on.  The "last sha256"
 * printed on success is what to compare with a copy kept elsewhere (the
 * module's syslog line carries each record's hash).
 *
 * The log is read up to its size at the start, taken under a shared flock
 * so that no append is half-written at that point; records appended while
 * verify runs are not looked at.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "../../modules/incident_log/logformat.h" /* the format the module writes */
#include "../hash.h"
#include "logverify.h"

#define EXIT_BROKEN 1
#define EXIT_TROUBLE 125
#define HEX_LEN ILOG_HEX_LEN
#define MAX_LINE ((size_t)ILOG_MAX_RECORD) /* the module writes at most max_record */
#define READ_CHUNK 65536

static const char genesis[HEX_LEN + 1] = ILOG_GENESIS;

static void usage(FILE *f)
{
	fprintf(f, "usage: cordon log verify FILE\n"
	           "\n"
	           "Check the hash chain of an incident log (the incident_log module's JSON Lines).\n"
	           "Exit status: 0 intact; 1 a record is broken, missing or out of order; 125 error.\n");
}

/* sha256 of a line, as lowercase hex: nettle, loaded on first use
 * (core/hash.c). */
static int line_sha256_hex(const void *data, size_t len, char hex[HEX_LEN + 1])
{
	_Static_assert(SHA256_HEX_LEN == HEX_LEN, "sha256 is 32 bytes");
	struct sha256_ctx ctx;
	const char *why = sha256_begin(&ctx);
	if (why) {
		fprintf(stderr, "cordon: log verify: %s\n", why);
		return -1;
	}
	sha256_feed(&ctx, data, len);
	sha256_end_hex(&ctx, hex);
	return 0;
}

struct walk {
	const char *file;
	unsigned long line; /* 1-based number of the line being looked at */
	char prev[HEX_LEN + 1]; /* sha256 of the line before, or genesis */
};

/* Look at one whole line (without its newline).  0 intact, 1 broken, 125 error. */
static int check_line(struct walk *w, const char *data, size_t len)
{
	if (len == 0) {
		printf("%s:%lu: empty line (not a record)\n", w->file, w->line);
		return EXIT_BROKEN;
	}
	json_error_t jerr;
	json_t *rec = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!rec) {
		printf("%s:%lu: not valid JSON: %s (column %d)\n", w->file, w->line, jerr.text, jerr.column);
		return EXIT_BROKEN;
	}
	const char *prev = ilog_record_prev(rec);
	int rc = 0;
	if (!prev) {
		printf("%s:%lu: not a record: expected a JSON object with \"%s\", %d lowercase hex digits\n", w->file,
		       w->line, ILOG_PREV_KEY, ILOG_HEX_LEN);
		rc = EXIT_BROKEN;
	} else if (strcmp(prev, w->prev) != 0) {
		if (w->line == 1)
			printf("%s:1: prev is not the start of a log (records before it removed, or it was altered)\n",
			       w->file);
		else
			printf("%s:%lu: prev does not match line %lu (record removed or altered)\n", w->file, w->line,
			       w->line - 1);
		rc = EXIT_BROKEN;
	}
	json_decref(rec);
	if (rc)
		return rc;
	if (line_sha256_hex(data, len, w->prev) < 0) {
		fprintf(stderr, "cordon: log verify: sha256 failed\n");
		return EXIT_TROUBLE;
	}
	return 0;
}

static int verify(const char *path)
{
	/* Not blocking: a FIFO with no writer is refused below, not waited on. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		fprintf(stderr, "cordon: log verify: cannot open %s: %s\n", path, strerror(errno));
		return EXIT_TROUBLE;
	}
	struct stat st;
	/* A consistent end: no append is in progress while the shared lock is
	 * held.  A file system without flock is read as it is. */
	int locked = flock(fd, LOCK_SH) == 0;
	int st_rc = fstat(fd, &st);
	if (locked)
		(void)flock(fd, LOCK_UN);
	if (st_rc < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "cordon: log verify: %s: %s\n", path, st_rc < 0 ? strerror(errno) : "not a regular file");
		close(fd);
		return EXIT_TROUBLE;
	}
	struct walk w = { .file = path, .line = 1 };
	memcpy(w.prev, genesis, sizeof(genesis));
	char *chunk = malloc(READ_CHUNK);
	char *cur = NULL; /* the line being assembled */
	size_t cur_len = 0, cur_cap = 0;
	int rc = 0;
	off_t left = st.st_size;
	if (!chunk) {
		fprintf(stderr, "cordon: log verify: out of memory\n");
		close(fd);
		return EXIT_TROUBLE;
	}
	while (left > 0 && rc == 0) {
		ssize_t n = read(fd, chunk, left < READ_CHUNK ? (size_t)left : READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "cordon: log verify: reading %s: %s\n", path, n < 0 ? strerror(errno) : "file shrank");
			rc = EXIT_TROUBLE;
			break;
		}
		left -= n;
		for (char *p = chunk, *end = chunk + n; p < end && rc == 0;) {
			char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t take = (size_t)((nl ? nl : end) - p);
			if (cur_len + take > MAX_LINE) {
				printf("%s:%lu: line longer than %zu bytes (not a record)\n", path, w.line, MAX_LINE);
				rc = EXIT_BROKEN;
				break;
			}
			if (cur_len + take > cur_cap) {
				size_t cap = cur_cap ? cur_cap : 4096;
				while (cap < cur_len + take)
					cap *= 2;
				char *grown = realloc(cur, cap);
				if (!grown) {
					fprintf(stderr, "cordon: log verify: out of memory\n");
					rc = EXIT_TROUBLE;
					break;
				}
				cur = grown;
				cur_cap = cap;
			}
			memcpy(cur + cur_len, p, take);
			cur_len += take;
			p += take;
			if (!nl)
				break;
			p++; /* the newline */
			rc = check_line(&w, cur ? cur : "", cur_len);
			if (rc == 0)
				w.line++;
			cur_len = 0;
		}
	}
	if (rc == 0 && cur_len > 0)
		/* A torn last record: a writer killed inside its write (or a
		 * crash before the data reached the disk).  The module writes
		 * each record with one write() and cuts such a tail off before
		 * its next append, so it never becomes part of the chain: it is
		 * reported and not counted, and the log still verifies. */
		fprintf(stderr,
		        "cordon: log verify: %s:%lu: a torn last record (%zu bytes, no newline) from an interrupted "
		        "write; not counted (the next record written cuts it off)\n",
		        path, w.line, cur_len);
	if (rc == 0) {
		unsigned long records = w.line - 1;
		if (records)
			printf("OK: %lu record%s (last sha256 %s)%s\n", records, records == 1 ? "" : "s", w.prev,
			       cur_len ? " and a torn last record" : "");
		else
			printf("OK: 0 records (empty log)%s\n", cur_len ? " and a torn last record" : "");
	}
	free(cur);
	free(chunk);
	close(fd);
	return rc;
}

int cordon_cli_log(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "verify") != 0) {
		fprintf(stderr, "cordon: log: expected 'verify FILE'\nTry 'cordon log --help'.\n");
		return EXIT_TROUBLE;
	}
	if (argc == 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc != 3 || (argv[2][0] == '-' && argv[2][1] != '\0')) {
		fprintf(stderr, "cordon: log verify: expected one FILE\nTry 'cordon log --help'.\n");
		return EXIT_TROUBLE;
	}
	return verify(argv[2]);
}
