/*
 * tests/probes/fdlist.c - list the descriptors open in this process, one
 * per line as "FD TARGET" (the readlink of /proc/self/fd/FD), in ascending
 * order.  The descriptor used to read the directory is left out.
 *
 * Exit: 0 listed; 1 /proc/self/fd could not be read.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

int main(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d) {
		perror("fdlist: /proc/self/fd");
		return 1;
	}
	int self = dirfd(d);
	int fds[4096];
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < sizeof(fds) / sizeof(fds[0])) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		int fd = atoi(de->d_name);
		if (fd != self)
			fds[n++] = fd;
	}
	qsort(fds, n, sizeof(fds[0]), cmp_int);
	for (size_t i = 0; i < n; i++) {
		char path[64], target[4096];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[i]);
		ssize_t len = readlink(path, target, sizeof(target) - 1);
		if (len < 0)
			strcpy(target, "?");
		else
			target[len] = '\0';
		printf("%d %s\n", fds[i], target);
	}
	closedir(d);
	return fflush(stdout) == 0 ? 0 : 1;
}
