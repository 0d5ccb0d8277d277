/*
 * bench/seccomp/loop.c - a system-call-heavy loop, to time what a seccomp
 * filter adds to calls it allows.
 *
 *   loop getppid N   N raw getppid() calls
 *   loop read N      N one-byte read()s of /dev/zero
 *
 * Prints "MODE N NS_PER_CALL" (monotonic clock around the loop only).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: loop getppid|read N\n");
		return 2;
	}
	long n = strtol(argv[2], NULL, 10);
	if (n <= 0)
		return 2;
	double t0, t1;
	if (strcmp(argv[1], "getppid") == 0) {
		t0 = now_ns();
		for (long i = 0; i < n; i++)
			(void)syscall(SYS_getppid);
		t1 = now_ns();
	} else if (strcmp(argv[1], "read") == 0) {
		int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return 1;
		char c;
		t0 = now_ns();
		for (long i = 0; i < n; i++)
			if (read(fd, &c, 1) != 1)
				return 1;
		t1 = now_ns();
		close(fd);
	} else
		return 2;
	printf("%s %ld %.2f\n", argv[1], n, (t1 - t0) / (double)n);
	return 0;
}
