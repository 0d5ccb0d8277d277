/*
 * tests/probes/sc_tty.c - terminal injection ioctls on standard input.
 *
 *   sc_tty tiocsti      ioctl(0, TIOCSTI, "x")
 *   sc_tty tiocsti_hi   the same request with bit 32 set (1<<32 | TIOCSTI),
 *                       through the raw system call so the upper bits reach
 *                       the kernel (which compares the low 32 bits only)
 *   sc_tty tioclinux    ioctl(0, TIOCLINUX, &subcode)
 *   sc_tty tcgets       ioctl(0, TCGETS): an ordinary request
 *
 * Prints "NAME: errno ENAME" or "NAME: returned N" and exits 0 (2: bad
 * usage).  On /dev/null an unfiltered request fails with ENOTTY; a filtered
 * one fails with the filter's errno (EPERM).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: sc_tty tiocsti|tiocsti_hi|tioclinux|tcgets\n");
		return 2;
	}
	const char *what = argv[1];
	char c = 'x';
	char sub = 6;
	struct termios t;
	long r;
	if (strcmp(what, "tiocsti") == 0)
		r = syscall(SYS_ioctl, 0, (unsigned long)TIOCSTI, &c);
	else if (strcmp(what, "tiocsti_hi") == 0)
		r = syscall(SYS_ioctl, 0, (unsigned long)((1ULL << 32) | TIOCSTI), &c);
	else if (strcmp(what, "tioclinux") == 0)
		r = syscall(SYS_ioctl, 0, (unsigned long)TIOCLINUX, &sub);
	else if (strcmp(what, "tcgets") == 0)
		r = syscall(SYS_ioctl, 0, (unsigned long)TCGETS, &t);
	else {
		fprintf(stderr, "sc_tty: unknown case %s\n", what);
		return 2;
	}
	if (r < 0)
		printf("%s: errno %s\n", what, strerrorname_np(errno));
	else
		printf("%s: returned %ld\n", what, r);
	return 0;
}
