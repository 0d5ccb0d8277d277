/*
 * tests/probes/reread.c - tamper with the original source file DIR/NAME (write
 * over its first bytes in place, then append), and only then copy what
 * descriptor FD holds to stdout.  Run on the sealed source, the output is
 * the source as it was when cordon read it, not as it is now.
 *
 * Exit: 0 tampered and copied; 1 FD could not be read; 2 bad usage or PATH
 * could not be changed (a test that expects tampering to have happened
 * fails on it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: reread FD DIR NAME\n");
		return 2;
	}
	int fd = atoi(argv[1]);
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s", argv[2], argv[3]) >= (int)sizeof(path)) {
		fprintf(stderr, "reread: path too long\n");
		return 2;
	}
	argv[2] = path;
	static const char over[] = "TAMPERED", more[] = "\nappended after the seal\n";
	int t = open(argv[2], O_WRONLY | O_CLOEXEC);
	if (t < 0 || write_all(t, over, sizeof(over) - 1) < 0 || close(t) < 0) {
		fprintf(stderr, "reread: cannot change %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	t = open(argv[2], O_WRONLY | O_APPEND | O_CLOEXEC);
	if (t < 0 || write_all(t, more, sizeof(more) - 1) < 0 || close(t) < 0) {
		fprintf(stderr, "reread: cannot append to %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	char buf[65536];
	off_t off = 0;
	for (;;) {
		ssize_t r = pread(fd, buf, sizeof(buf), off);
		if (r < 0) {
			fprintf(stderr, "reread: fd %d: %s\n", fd, strerror(errno));
			return 1;
		}
		if (r == 0)
			break;
		if (write_all(1, buf, (size_t)r) < 0)
			return 1;
		off += r;
	}
	return 0;
}
