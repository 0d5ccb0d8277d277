/*
 * tests/probes/no_i386.c - run a command as on a kernel without the i386
 * entry point, so that the suite's host probes can be shown to skip there
 * on a machine that has one.
 *
 *   no_i386 COMMAND [ARG...]
 *
 * A kernel built without IA32 emulation (or booted with ia32_emulation=0)
 * never runs an i386 system call of a 64-bit process: `int $0x80` faults.
 * This installs a seccomp filter that kills any process of the command's
 * tree making a system call through the i386 ABI, which closes that entry
 * point the same way from the program's side (the call never returns, the
 * process dies).  A stacked filter wins over the filters cordon loads
 * under it (the kernel applies the most severe action), so cordon's own
 * reporting of such a call is not what the host would show either: tests
 * that need the entry point must skip, which is what this lets them prove.
 *
 * As root (CAP_SYS_ADMIN) the filter is loaded without no_new_privs, so a
 * set-user-ID or file-capability binary under it behaves as on the host.
 * Exit 2: bad usage; 77: not an x86_64 build; 125: the filter could not be
 * loaded; else the command's exec error (126/127) or the command itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: no_i386 COMMAND [ARG...]\n");
		return 2;
	}
#if defined(__x86_64__)
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(insns) / sizeof(insns[0]), .filter = insns };
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
		if (errno != EACCES) {
			fprintf(stderr, "no_i386: seccomp: %s\n", strerror(errno));
			return 125;
		}
		/* Without CAP_SYS_ADMIN the kernel wants no_new_privs first. */
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
			fprintf(stderr, "no_i386: seccomp with no_new_privs: %s\n", strerror(errno));
			return 125;
		}
	}
	execvp(argv[1], argv + 1);
	int e = errno;
	fprintf(stderr, "no_i386: %s: %s\n", argv[1], strerror(e));
	return e == ENOENT ? 127 : 126;
#else
	(void)argv;
	fprintf(stderr, "no_i386: not an x86_64 build\n");
	return 77;
#endif
}
