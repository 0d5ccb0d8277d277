/*
 * tests/probes/sc_deny.c - one system call of a family a sandbox denies,
 * made with harmless arguments, and what came back.
 *
 *   sc_deny CASE...   each CASE prints "CASE: returned N" or "CASE: errno ENAME"
 *
 * Cases: unshare (CLONE_NEWUSER), setns (/proc/self/ns/uts), mount (tmpfs
 * on /), umount2, keyctl (KEYCTL_GET_KEYRING_ID), add_key, bpf
 * (BPF_PROG_LOAD of nothing), ptrace (PTRACE_ATTACH to the parent),
 * io_uring_setup, userfaultfd, perf_event_open, clone3 (must be ENOSYS under
 * the profiles), clone_newuser (clone with CLONE_NEWUSER), fork (an ordinary
 * fork: the child exits at once), personality_ok (0xffffffff: query),
 * personality_bad (READ_IMPLIES_EXEC), kexec_load, reboot (a bad magic),
 * getppid.  Exit 0, or 2 for bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long one(const char *what)
{
	if (strcmp(what, "unshare") == 0)
		return syscall(SYS_unshare, CLONE_NEWUSER);
	if (strcmp(what, "setns") == 0) {
		int fd = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		long r = syscall(SYS_setns, fd, CLONE_NEWUTS);
		int e = errno;
		close(fd);
		errno = e;
		return r;
	}
	if (strcmp(what, "mount") == 0)
		return syscall(SYS_mount, "none", "/", "tmpfs", 0UL, NULL);
	if (strcmp(what, "umount2") == 0)
		return syscall(SYS_umount2, "/nonexistent-cordon", 0);
	if (strcmp(what, "keyctl") == 0)
		return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
	if (strcmp(what, "add_key") == 0)
		return syscall(SYS_add_key, "user", "cordon", "x", 1, -3);
	if (strcmp(what, "bpf") == 0)
		return syscall(SYS_bpf, 5 /* BPF_PROG_LOAD */, NULL, 0);
	if (strcmp(what, "ptrace") == 0)
		return syscall(SYS_ptrace, PTRACE_ATTACH, getppid(), 0, 0);
	if (strcmp(what, "io_uring_setup") == 0)
		return syscall(SYS_io_uring_setup, 1, NULL);
	if (strcmp(what, "userfaultfd") == 0)
		return syscall(SYS_userfaultfd, 0);
	if (strcmp(what, "perf_event_open") == 0)
		return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0);
	if (strcmp(what, "clone3") == 0) {
		struct clone_args ca;
		memset(&ca, 0, sizeof(ca));
		ca.exit_signal = SIGCHLD;
		long r = syscall(SYS_clone3, &ca, sizeof(ca));
		if (r == 0)
			_exit(0);
		if (r > 0)
			waitpid((pid_t)r, NULL, 0);
		return r;
	}
	if (strcmp(what, "clone_newuser") == 0) {
		long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
		if (r == 0)
			_exit(0);
		if (r > 0)
			waitpid((pid_t)r, NULL, 0);
		return r;
	}
	if (strcmp(what, "fork") == 0) {
		pid_t p = fork();
		if (p == 0)
			_exit(0);
		if (p > 0)
			waitpid(p, NULL, 0);
		return p > 0 ? 0 : -1;
	}
	if (strcmp(what, "personality_ok") == 0)
		return syscall(SYS_personality, 0xffffffffUL);
	if (strcmp(what, "personality_bad") == 0)
		return syscall(SYS_personality, (unsigned long)READ_IMPLIES_EXEC);
	if (strcmp(what, "kexec_load") == 0)
		return syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0UL);
	if (strcmp(what, "reboot") == 0)
		return syscall(SYS_reboot, 0, 0, 0, NULL);
	if (strcmp(what, "getppid") == 0)
		return syscall(SYS_getppid) > 0 ? 0 : -1;
	fprintf(stderr, "sc_deny: unknown case %s\n", what);
	_exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: sc_deny CASE...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		errno = 0;
		long r = one(argv[i]);
		if (r < 0)
			printf("%s: errno %s\n", argv[i], strerrorname_np(errno));
		else
			printf("%s: returned %ld\n", argv[i], r);
		fflush(stdout);
	}
	return 0;
}
