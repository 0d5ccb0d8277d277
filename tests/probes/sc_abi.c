/*
 * tests/probes/sc_abi.c - make one system call through a foreign ABI of an
 * x86_64 process and print what came back.
 *
 *   sc_abi int80   getpid through int $0x80 (the i386 entry point)
 *   sc_abi x32     getpid with the x32 bit (0x40000000) set
 *   sc_abi native  getpid the ordinary way
 *
 * Prints "NAME: returned N" or "NAME: errno ENAME" and exits 0.  Under a
 * filter that refuses foreign ABIs the process dies (SIGSYS or SIGKILL)
 * before it prints.  Exit 2: bad usage; 77: not an x86_64 build.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: sc_abi int80|x32|native\n");
		return 2;
	}
#if defined(__x86_64__)
	long r;
	const char *what = argv[1];
	fflush(stdout);
	if (strcmp(what, "int80") == 0) {
		/* i386 getpid is 20; int $0x80 from a 64-bit process uses the
		 * i386 table when the kernel has IA32 emulation. */
		__asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory", "rcx", "r11");
		if (r < 0 && r > -4096) {
			errno = (int)-r;
			r = -1;
		}
	} else if (strcmp(what, "x32") == 0) {
		r = syscall(0x40000000L | SYS_getpid);
	} else if (strcmp(what, "native") == 0) {
		r = syscall(SYS_getpid);
	} else {
		fprintf(stderr, "sc_abi: unknown case %s\n", what);
		return 2;
	}
	if (r < 0)
		printf("%s: errno %s\n", what, strerrorname_np(errno));
	else
		printf("%s: returned %ld\n", what, r);
	return 0;
#else
	(void)argv;
	printf("not x86_64\n");
	return 77;
#endif
}
