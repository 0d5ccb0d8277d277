/*
 * tests/probes/af_family.c - create sockets of the families a sandbox
 * refuses, and what came back.
 *
 *   af_family CASE...   each CASE prints "CASE: returned 0" (a socket was
 *                       made, then closed) or "CASE: errno ENAME"
 *
 * Cases:
 *   vsock        socket(AF_VSOCK, SOCK_STREAM, 0)
 *   vsock_dgram  socket(AF_VSOCK, SOCK_DGRAM, 0)
 *   alg          socket(AF_ALG, SOCK_SEQPACKET, 0)
 *   vsock_hi     the family with bit 32 set (the kernel reads an int: still
 *   alg_hi       AF_VSOCK / AF_ALG), through the raw system call
 *   vsock_i386   socketcall(SYS_SOCKET, {AF_VSOCK, SOCK_STREAM, 0}) through
 *                int $0x80 (x86_64 only; the i386 entry point Docker's
 *                profile leaves open)
 *   unix         socket(AF_UNIX, SOCK_STREAM, 0)
 *   inet         socket(AF_INET, SOCK_STREAM, 0)
 * Exit 0, or 2 for bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef AF_ALG
#define AF_ALG 38
#endif

#if defined(__x86_64__)
/* socketcall (102) with SYS_SOCKET (1) through the i386 entry point; the
 * argument block must lie below 4 GiB (the i386 ABI has 32-bit pointers). */
static long socket_i386(int family, int type)
{
	uint32_t *blk = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (blk == MAP_FAILED)
		return -1;
	blk[0] = (uint32_t)family;
	blk[1] = (uint32_t)type;
	blk[2] = 0;
	long r;
	__asm__ volatile("int $0x80" : "=a"(r) : "a"(102L), "b"(1L), "c"((long)(uintptr_t)blk)
	                 : "memory", "r8", "r9", "r10", "r11");
	munmap(blk, 4096);
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}
#endif

static long one(const char *what, int *known)
{
	*known = 1;
	if (strcmp(what, "vsock") == 0)
		return socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (strcmp(what, "vsock_dgram") == 0)
		return socket(AF_VSOCK, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (strcmp(what, "alg") == 0)
		return socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (strcmp(what, "vsock_hi") == 0)
		return syscall(SYS_socket, (1ull << 32) | AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (strcmp(what, "alg_hi") == 0)
		return syscall(SYS_socket, (1ull << 32) | AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (strcmp(what, "unix") == 0)
		return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (strcmp(what, "inet") == 0)
		return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
#if defined(__x86_64__)
	if (strcmp(what, "vsock_i386") == 0)
		return socket_i386(AF_VSOCK, SOCK_STREAM);
#endif
	*known = 0;
	return -1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: af_family CASE...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		int known;
		errno = 0;
		long fd = one(argv[i], &known);
		if (!known) {
			fprintf(stderr, "af_family: unknown case %s\n", argv[i]);
			return 2;
		}
		if (fd >= 0) {
			close((int)fd);
			printf("%s: returned 0\n", argv[i]);
		} else {
			const char *n = strerrorname_np(errno);
			printf("%s: errno %s\n", argv[i], n ? n : "?");
		}
	}
	return 0;
}
