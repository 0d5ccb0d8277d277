/*
 * tests/probes/rd_drip.c - print text in small separate writes, the way a
 * program leaks a secret past a naive line-based redactor.
 *
 *   rd_drip [-e] [-n BYTES] [-d USEC] TEXT...
 *
 * The TEXT arguments are joined with spaces and a newline is added; \n, \t,
 * \e, \\ and \xHH in TEXT are decoded (so escape sequences and zero-width
 * characters can be written on a shell command line).  Each write is at most
 * BYTES bytes (default 1) to stdout, or to stderr with -e, with USEC
 * microseconds between writes (default 1000) so that the reader sees them
 * as separate chunks.  Exit: 0, 2 bad usage, 3 a write failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int main(int argc, char **argv)
{
	int fd = 1, opt;
	long chunk = 1, usec = 1000;
	while ((opt = getopt(argc, argv, "en:d:")) != -1) {
		switch (opt) {
		case 'e':
			fd = 2;
			break;
		case 'n':
			chunk = strtol(optarg, NULL, 10);
			break;
		case 'd':
			usec = strtol(optarg, NULL, 10);
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc || chunk < 1 || usec < 0 || usec > 1000000) {
		fprintf(stderr, "usage: rd_drip [-e] [-n BYTES] [-d USEC] TEXT...\n");
		return 2;
	}
	size_t cap = 2;
	for (int i = optind; i < argc; i++)
		cap += strlen(argv[i]) + 1;
	char *buf = malloc(cap);
	if (!buf)
		return 3;
	size_t n = 0;
	for (int i = optind; i < argc; i++) {
		if (i > optind)
			buf[n++] = ' ';
		for (const char *p = argv[i]; *p; p++) {
			if (*p != '\\' || !p[1]) {
				buf[n++] = *p;
				continue;
			}
			p++;
			if (*p == 'n')
				buf[n++] = '\n';
			else if (*p == 't')
				buf[n++] = '\t';
			else if (*p == 'e')
				buf[n++] = 0x1b;
			else if (*p == 'x' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
				buf[n++] = (char)(hexval(p[1]) * 16 + hexval(p[2]));
				p += 2;
			} else
				buf[n++] = *p;
		}
	}
	buf[n++] = '\n';
	struct timespec ts = { usec / 1000000, (usec % 1000000) * 1000 };
	for (size_t off = 0; off < n;) {
		size_t k = n - off < (size_t)chunk ? n - off : (size_t)chunk;
		ssize_t w = write(fd, buf + off, k);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return 3;
		}
		off += (size_t)w;
		if (usec)
			nanosleep(&ts, NULL);
	}
	free(buf);
	return 0;
}
