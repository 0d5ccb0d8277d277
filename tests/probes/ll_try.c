/*
 * tests/probes/ll_try.c - try one operation from inside a Landlock sandbox
 * and say what happened (in the manner of bubblewrap's tests/try-syscall.c).
 *
 *   ll_try read PATH             open PATH for reading and read a byte
 *   ll_try list PATH             opendir PATH and read one entry
 *   ll_try write PATH            create PATH and write a byte
 *   ll_try truncate PATH         truncate PATH to 0 bytes
 *   ll_try tcp PORT              connect to 127.0.0.1:PORT
 *   ll_try bind PORT             bind a TCP socket to 127.0.0.1:PORT
 *   ll_try udp PORT              send a UDP datagram to 127.0.0.1:PORT
 *   ll_try abstract NAME         connect to the abstract unix socket "\0NAME"
 *   ll_try kill PID              kill(PID, 0)
 *
 * Prints "ok" or the errno name (e.g. "EACCES") on stdout.
 * Exit: 0 the operation succeeded; 1 it failed; 2 usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

static int port_of(const char *s, struct sockaddr_in *sa)
{
	char *end;
	long p = strtol(s, &end, 10);
	if (end == s || *end || p < 0 || p > 65535)
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)p);
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	const char *op = argv[1], *arg = argv[2];
	struct sockaddr_in sa;
	if (strcmp(op, "read") == 0) {
		int fd = open(arg, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return result(-1);
		char c;
		int r = read(fd, &c, 1) >= 0 ? 0 : -1;
		int e = errno;
		close(fd);
		errno = e;
		return result(r);
	}
	if (strcmp(op, "list") == 0) {
		DIR *d = opendir(arg);
		if (!d)
			return result(-1);
		errno = 0;
		int r = readdir(d) || errno == 0 ? 0 : -1;
		int e = errno;
		closedir(d);
		errno = e;
		return result(r);
	}
	if (strcmp(op, "write") == 0) {
		int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			return result(-1);
		int r = write(fd, "x", 1) == 1 ? 0 : -1;
		int e = errno;
		close(fd);
		errno = e;
		return result(r);
	}
	if (strcmp(op, "truncate") == 0)
		return result(truncate(arg, 0));
	if (strcmp(op, "tcp") == 0 || strcmp(op, "bind") == 0 || strcmp(op, "udp") == 0) {
		if (port_of(arg, &sa) < 0)
			return 2;
		int udp = strcmp(op, "udp") == 0;
		int s = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
		if (s < 0)
			return result(-1);
		if (udp)
			return result(sendto(s, "x", 1, 0, (struct sockaddr *)&sa, sizeof(sa)) == 1 ? 0 : -1);
		if (op[0] == 'b')
			return result(bind(s, (struct sockaddr *)&sa, sizeof(sa)));
		return result(connect(s, (struct sockaddr *)&sa, sizeof(sa)));
	}
	if (strcmp(op, "abstract") == 0) {
		int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			return result(-1);
		struct sockaddr_un su;
		memset(&su, 0, sizeof(su));
		su.sun_family = AF_UNIX;
		size_t n = strlen(arg);
		if (n + 1 > sizeof(su.sun_path))
			return 2;
		memcpy(su.sun_path + 1, arg, n);
		return result(connect(s, (struct sockaddr *)&su, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)));
	}
	if (strcmp(op, "kill") == 0) {
		char *end;
		long pid = strtol(arg, &end, 10);
		if (end == arg || *end || pid <= 0)
			return 2;
		return result(kill((pid_t)pid, 0));
	}
	return 2;
}
