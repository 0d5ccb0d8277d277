/*
 * tests/probes/memfd_exec.c - write a binary (/bin/true's bytes) into an
 * anonymous memory file and try to run it, as a program that brings its own
 * executable would: no mount's noexec covers such a file.
 *
 *   memfd_exec CASE...
 *
 * Cases (the memfd_create flags; MFD_CLOEXEC always):
 *   plain    no other flag
 *   exec     MFD_EXEC (Linux 6.3: ask for an executable file)
 *   sealed   MFD_NOEXEC_SEAL (Linux 6.3: a file that can never be executed)
 *
 * For each case it prints
 *   CASE memfd_create: fd           or  CASE memfd_create: errno ENAME
 * and, when it got a file:
 *   CASE chmod: returned 0          or  CASE chmod: errno ENAME   (fchmod 0755)
 *   CASE execveat: ran, exit 0      or  CASE execveat: errno ENAME (execveat(fd, "", AT_EMPTY_PATH))
 *   CASE execve: ran, exit 0        or  CASE execve: errno ENAME   (execve("/proc/self/fd/N"))
 * Each exec happens in a child; a close-on-exec pipe tells the parent
 * whether the exec itself failed.  Exit 0, or 2 for bad usage or when the
 * bytes to copy cannot be read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008u
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010u
#endif

extern char **environ;

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "?";
}

/* Copy /bin/true into fd: 0, or -1. */
static int copy_true(int fd)
{
	int in = open("/bin/true", O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	char buf[65536];
	ssize_t n;
	int rc = 0;
	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));
			if (w < 0) {
				if (errno == EINTR)
					continue;
				rc = -1;
				break;
			}
			off += w;
		}
		if (rc)
			break;
	}
	close(in);
	return rc;
}

/* Run the file in a child: by descriptor (execveat) or by /proc path. */
static void try_exec(const char *c, const char *how, int fd)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		printf("%s %s: errno %s (pipe)\n", c, how, ename(errno));
		return;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		printf("%s %s: errno %s (fork)\n", c, how, ename(errno));
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		static char name[] = "true";
		char *const argv[] = { name, NULL };
		close(p[0]);
		if (strcmp(how, "execveat") == 0)
			syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
		else {
			char path[64];
			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			execve(path, argv, environ);
		}
		int e = errno;
		(void)!write(p[1], &e, sizeof(e));
		_exit(127);
	}
	close(p[1]);
	int e = 0;
	ssize_t n;
	while ((n = read(p[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(p[0]);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(e))
		printf("%s %s: errno %s\n", c, how, ename(e));
	else if (WIFEXITED(st))
		printf("%s %s: ran, exit %d\n", c, how, WEXITSTATUS(st));
	else
		printf("%s %s: ran, signal %d\n", c, how, WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: memfd_exec plain|exec|sealed...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		const char *c = argv[i];
		unsigned flags = MFD_CLOEXEC;
		if (strcmp(c, "exec") == 0)
			flags |= MFD_EXEC;
		else if (strcmp(c, "sealed") == 0)
			flags |= MFD_NOEXEC_SEAL;
		else if (strcmp(c, "plain") != 0) {
			fprintf(stderr, "memfd_exec: unknown case %s\n", c);
			return 2;
		}
		int fd = (int)syscall(SYS_memfd_create, "cordon-probe", flags);
		if (fd < 0) {
			printf("%s memfd_create: errno %s\n", c, ename(errno));
			continue;
		}
		printf("%s memfd_create: fd\n", c);
		if (copy_true(fd) < 0) {
			fprintf(stderr, "memfd_exec: cannot copy /bin/true: %s\n", strerror(errno));
			return 2;
		}
		if (fchmod(fd, 0755) < 0)
			printf("%s chmod: errno %s\n", c, ename(errno));
		else
			printf("%s chmod: returned 0\n", c);
		try_exec(c, "execveat", fd);
		try_exec(c, "execve", fd);
		close(fd);
	}
	return 0;
}
