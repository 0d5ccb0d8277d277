/*
 * bench/seccomp/loop.c - a system-call-heavy loop, to time what a seccomp
 * filter adds to calls it allows.
 *
 *   loop getppid N   N raw getppid() calls
 *   loop read N      N one-byte read()s of /dev/zero
 *
 * The calls are made in 100 slices; prints "MODE N MIN_NS MEDIAN_NS": the
 * fastest and the median slice, per call (monotonic clock around each
 * slice).  On a shared machine the fastest slice is the one least disturbed
 * by other work, so it is the steadiest estimate of the per-call cost.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdbool.h>
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

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
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
	enum { SLICES = 100 };
	long per = n / SLICES > 0 ? n / SLICES : 1;
	double ns[SLICES];
	bool rd = strcmp(argv[1], "read") == 0;
	if (!rd && strcmp(argv[1], "getppid") != 0)
		return 2;
	int fd = rd ? open("/dev/zero", O_RDONLY | O_CLOEXEC) : -1;
	if (rd && fd < 0)
		return 1;
	char c;
	for (int s = 0; s < SLICES; s++) {
		double t0 = now_ns();
		if (rd) {
			for (long i = 0; i < per; i++)
				if (read(fd, &c, 1) != 1)
					return 1;
		} else {
			for (long i = 0; i < per; i++)
				(void)syscall(SYS_getppid);
		}
		ns[s] = (now_ns() - t0) / (double)per;
	}
	if (fd >= 0)
		close(fd);
	qsort(ns, SLICES, sizeof(ns[0]), cmp);
	printf("%s %ld %.2f %.2f\n", argv[1], per * SLICES, ns[0], ns[SLICES / 2]);
	return 0;
}
