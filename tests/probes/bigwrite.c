/*
 * tests/probes/bigwrite.c - write BYTES zero bytes to PATH (created or
 * truncated) in 64K chunks.
 *
 * Exit: 0 "wrote N" after writing all of it; 3 a write failed (prints
 * "write failed after N: ERROR", e.g. when SIGXFSZ is ignored); 2 bad usage
 * or the file could not be opened.  A file size limit normally shows as
 * death by SIGXFSZ.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bigwrite PATH BYTES\n");
		return 2;
	}
	long long want = strtoll(argv[2], NULL, 10);
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "bigwrite: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	static char buf[65536];
	long long done = 0;
	while (done < want) {
		size_t n = want - done < (long long)sizeof(buf) ? (size_t)(want - done) : sizeof(buf);
		ssize_t w = write(fd, buf, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			printf("write failed after %lld: %s\n", done, strerror(errno));
			return 3;
		}
		done += w;
	}
	close(fd);
	printf("wrote %lld\n", done);
	return 0;
}
