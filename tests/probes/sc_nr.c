/*
 * tests/probes/sc_nr.c - make a system call by number, for calls newer than
 * the C library's headers, and print what came back.
 *
 *   sc_nr NR [ARG...]   NR and up to six arguments, decimal or 0x hex;
 *                       prints "NR: returned N" or "NR: errno ENAME"
 *
 * Exit 0, or 2 for bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 8) {
		fprintf(stderr, "usage: sc_nr NR [ARG...]\n");
		return 2;
	}
	long v[7] = { 0 };
	for (int i = 1; i < argc; i++) {
		char *end;
		errno = 0;
		v[i - 1] = (long)strtoul(argv[i], &end, 0);
		if (errno || *end || end == argv[i]) {
			fprintf(stderr, "sc_nr: not a number: %s\n", argv[i]);
			return 2;
		}
	}
	errno = 0;
	long r = syscall(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
	if (r < 0) {
		const char *n = strerrorname_np(errno);
		printf("%s: errno %s\n", argv[1], n ? n : "?");
	} else
		printf("%s: returned %ld\n", argv[1], r);
	return 0;
}
