/*
 * tests/probes/ns_try.c - try one operation from inside a sandbox and say
 * what happened (in the manner of bubblewrap's tests/try-syscall.c).
 *
 *   ns_try write PATH            create PATH and write a byte
 *   ns_try exists PATH           stat PATH
 *   ns_try abstract NAME         connect to the abstract unix socket "\0NAME"
 *   ns_try tcp ADDR PORT         connect to an IPv4 TCP address
 *   ns_try killall               kill(-1, SIGKILL), then exit 0
 *   ns_try ids                   print "ruid euid suid rgid egid sgid"
 *   ns_try userns                unshare(CLONE_NEWUSER)
 *   ns_try securebits            print the securebits in hex
 *
 * Prints "ok" or the errno name (e.g. "EROFS") on stdout.
 * Exit: 0 the operation succeeded; 1 it failed; 2 usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int result(int r)
{
	if (r == 0) {
		puts("ok");
		return 0;
	}
	const char *name = strerrorname_np(errno);
	puts(name ? name : "error");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	const char *op = argv[1];
	if (strcmp(op, "write") == 0 && argc == 3) {
		int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			return result(-1);
		int r = write(fd, "x", 1) == 1 ? 0 : -1;
		int e = errno;
		close(fd);
		errno = e;
		return result(r);
	}
	if (strcmp(op, "exists") == 0 && argc == 3) {
		struct stat st;
		return result(stat(argv[2], &st));
	}
	if (strcmp(op, "abstract") == 0 && argc == 3) {
		int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			return result(-1);
		struct sockaddr_un sa;
		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		size_t n = strlen(argv[2]);
		if (n + 1 > sizeof(sa.sun_path))
			return 2;
		memcpy(sa.sun_path + 1, argv[2], n);
		return result(connect(s, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)));
	}
	if (strcmp(op, "tcp") == 0 && argc == 4) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			return result(-1);
		struct sockaddr_in sa;
		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_port = htons((uint16_t)atoi(argv[3]));
		if (inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1)
			return 2;
		return result(connect(s, (struct sockaddr *)&sa, sizeof(sa)));
	}
	if (strcmp(op, "killall") == 0) {
		int r = kill(-1, SIGKILL);
		return result(r);
	}
	if (strcmp(op, "ids") == 0) {
		uid_t r, e, s;
		gid_t gr, ge, gs;
		if (getresuid(&r, &e, &s) < 0 || getresgid(&gr, &ge, &gs) < 0)
			return result(-1);
		printf("%u %u %u %u %u %u\n", r, e, s, gr, ge, gs);
		return 0;
	}
	if (strcmp(op, "securebits") == 0) {
		int b = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
		if (b < 0)
			return result(-1);
		printf("%#x\n", (unsigned)b);
		return 0;
	}
	if (strcmp(op, "userns") == 0)
		return result(unshare(CLONE_NEWUSER));
	return 2;
}
