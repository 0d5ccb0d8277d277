/*
 * modules/seccomp/profile.c - the built-in profiles.
 *
 * default: everything is allowed except a deny list that refuses whatever
 *   the current Docker (moby) default profile refuses for a container
 *   without added capabilities, for every argument value (the unit test
 *   compares the two, rule by rule, on the values either profile tests), plus
 *   the namespace, mount, ptrace, io_uring and terminal-injection families
 *   Docker leaves to capabilities.  clone3 answers ENOSYS (its flags live in
 *   memory a filter cannot read) so that libc falls back to clone, whose
 *   namespace flags are denied.
 * strict: an allow list of what python3 and the common command-line programs
 *   (coreutils, sh, grep, sed, find...) need; everything else is denied.
 * javascript: strict's allow list and what V8 (node) needs beyond it, found
 *   by running Debian 12's node 18 and node 20 under strict in audit mode:
 *   the memory protection keys, with which V8 write-protects its JIT code.
 *
 * Both: system calls newer than this libseccomp's table answer ENOSYS (see
 * compile.c), and so do the NUMA memory-policy calls (as on a kernel built
 * without NUMA): libc and programs fall back, nothing is reported.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "seccomp_rules.h"

/* After the seccomp module's confine hook the core calls these (close_range,
 * prctl, getpid, getppid, write, execve; exit_group on failure), and the hook
 * itself sends the listener with sendmsg and closes descriptors. */
const char *const sc_core_syscalls[] = {
	"close", "close_range", "prctl", "getpid", "getppid", "write", "execve", "exit_group", "exit", "sendmsg", NULL,
};

const char *const sc_default_denied[] = {
	/* keyrings */
	"add_key", "keyctl", "request_key",
	/* kernel programs and tracing */
	"bpf", "perf_event_open", "lookup_dcookie", "fanotify_init",
	/* the mount family, old and new API, and root changes */
	"mount", "umount", "umount2", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree",
	"mount_setattr", "pivot_root", "chroot",
	/* namespaces (clone's namespace flags: see below) */
	"setns", "unshare",
	/* kernel replacement and modules */
	"kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "create_module",
	"query_module", "get_kernel_syms",
	/* other processes and descriptors */
	"ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "process_madvise",
	"open_by_handle_at",
	/* memory tricks used by exploits */
	"userfaultfd", "vmsplice", "migrate_pages", "move_pages",
	/* io_uring bypasses the filter for the operations it performs */
	"io_uring_setup", "io_uring_enter", "io_uring_register", "io_pgetevents",
	/* clock and time setting */
	"settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "stime",
	/* host administration */
	"swapon", "swapoff", "reboot", "acct", "quotactl", "quotactl_fd", "syslog", "sethostname",
	"setdomainname", "vhangup", "nfsservctl", "_sysctl", "sysfs", "ustat", "uselib", "bdflush",
	/* hardware access */
	"vm86", "vm86old", "iopl", "ioperm",
	/* not implemented by Linux: denied so that a future meaning is too */
	"afs_syscall", "getpmsg", "putpmsg", "security", "tuxcall", "vserver",
	NULL,
};

/* NUMA memory policy (Docker: CAP_SYS_NICE).  They answer ENOSYS, as on a
 * kernel without NUMA, unreported: ps (procps) asks for the policy at every
 * start and goes on without it. */
static const char *const no_numa[] = { "mbind", "get_mempolicy", "set_mempolicy", "set_mempolicy_home_node", NULL };

/* Socket families refused whatever the type, compared on the low 32 bits
 * (the kernel reads an int: 1<<32|AF_VSOCK is AF_VSOCK, which Docker's
 * 64-bit comparisons let through).  AF_VSOCK: its port space is the
 * machine's, not the network namespace's, so a sandbox without network
 * could hold a port the host then cannot bind, or talk to the hypervisor;
 * AF_ALG: the kernel's crypto API (Docker refuses both). */
static const uint32_t denied_families[] = { 38 /* AF_ALG */, 40 /* AF_VSOCK */ };

/* The strict profile's allow list. */
static const char *const strict_allowed[] = {
	/* files */
	"read", "write", "open", "openat", "openat2", "close", "close_range", "creat", "stat", "fstat", "lstat",
	"newfstatat", "statx", "statfs", "fstatfs", "lseek", "pread64", "pwrite64", "readv", "writev", "preadv",
	"pwritev", "preadv2", "pwritev2", "access", "faccessat", "faccessat2", "readlink", "readlinkat",
	"getdents", "getdents64", "getcwd", "chdir", "fchdir", "rename", "renameat", "renameat2", "mkdir",
	"mkdirat", "rmdir", "link", "linkat", "unlink", "unlinkat", "symlink", "symlinkat", "chmod", "fchmod",
	"fchmodat", "chown", "fchown", "fchownat", "lchown", "umask", "truncate", "ftruncate", "fallocate",
	"fsync", "fdatasync", "sync_file_range", "flock", "fcntl", "dup", "dup2", "dup3", "pipe", "pipe2",
	"sendfile", "copy_file_range", "splice", "tee", "fadvise64", "readahead", "utime", "utimes",
	"utimensat", "futimesat", "fchmodat2", "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr",
	"flistxattr", "memfd_create", "mknodat", "mknod",
	/* waiting for descriptors */
	"poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait",
	"epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "signalfd", "signalfd4", "timerfd_create",
	"timerfd_settime", "timerfd_gettime", "inotify_init", "inotify_init1", "inotify_add_watch",
	"inotify_rm_watch",
	/* sockets the program already has or creates locally (socket: AF_UNIX only, below) */
	"socketpair", "connect", "bind", "listen", "accept", "accept4", "sendto", "recvfrom", "sendmsg",
	"recvmsg", "sendmmsg", "recvmmsg", "shutdown", "getsockname", "getpeername", "getsockopt",
	"setsockopt",
	/* memory */
	"brk", "mmap", "munmap", "mprotect", "mremap", "msync", "mincore", "madvise", "mlock", "munlock",
	"membarrier",
	/* processes and threads (clone: without namespace flags, below) */
	"fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid", "kill", "tkill",
	"tgkill", "getpid", "getppid", "gettid", "getpgid", "getpgrp", "setpgid", "getsid", "setsid",
	"set_tid_address", "set_robust_list", "get_robust_list", "futex", "rseq", "arch_prctl", "prctl",
	"sched_yield", "sched_getaffinity", "sched_getparam", "sched_getscheduler", "sched_get_priority_max",
	"sched_get_priority_min", "getpriority", "setpriority", "getcpu",
	"sched_setaffinity", "uname", "sysinfo", "getrandom", "capget",
	"pidfd_open", "pidfd_send_signal", "map_shadow_stack",
	/* identity */
	"getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid", "getgroups",
	/* signals */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigtimedwait", "rt_sigsuspend",
	"sigaltstack", "pause", "restart_syscall", "alarm",
	/* time and limits */
	"clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "time", "times",
	"getitimer", "setitimer", "timer_create", "timer_settime", "timer_gettime", "timer_getoverrun",
	"timer_delete", "getrlimit", "setrlimit", "prlimit64", "getrusage",
	NULL,
};

/* ioctl requests the strict profile allows (compared on the low 32 bits):
 * terminal attributes and size, job control, FIONREAD, non-blocking,
 * close-on-exec and FICLONE (cp's copy-on-write attempt). */
static const uint32_t strict_ioctls[] = {
	0x5401 /* TCGETS */,     0x5402 /* TCSETS */,    0x5403 /* TCSETSW */,   0x5404 /* TCSETSF */,
	0x540F /* TIOCGPGRP */,  0x5410 /* TIOCSPGRP */, 0x5413 /* TIOCGWINSZ */, 0x541B /* FIONREAD */,
	0x5421 /* FIONBIO */,    0x5450 /* FIONCLEX */,  0x5451 /* FIOCLEX */,   0x40049409 /* FICLONE */,
};

#define NS_FLAGS                                                                                            \
	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |          \
	 CLONE_NEWNET)

/* personality(2) values that change nothing a sandbox cares about: query
 * (0xffffffff), PER_LINUX, UNAME26, ADDR_NO_RANDOMIZE, and both. */
static const uint32_t harmless_personality[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };

static int add(struct sc_policy *p, const char *name, struct sc_action act, unsigned n, const struct sc_cond *c,
               char *err, size_t errlen)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR) {
		snprintf(err, errlen, "profile: system call %s unknown to libseccomp", name);
		return -1;
	}
	if (nr < 0)
		return 0; /* not a system call of this architecture */
	struct sc_rule r = { .nr = nr, .act = act, .n = n, .where = "profile" };
	if (n)
		memcpy(r.c, c, n * sizeof(*c));
	if (sc_policy_add(p, &r) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int add_list(struct sc_policy *p, const char *const *names, struct sc_action act, char *err, size_t errlen)
{
	for (size_t i = 0; names[i]; i++)
		if (add(p, names[i], act, 0, NULL, err, errlen) < 0)
			return -1;
	return 0;
}

/* What both profiles share: clone3 and the NUMA calls answer ENOSYS,
 * unreported, and so does every call newer than libseccomp's table. */
static int common(struct sc_policy *p, char *err, size_t errlen)
{
	const struct sc_action enosys = { SC_QUIET, ENOSYS };
	p->enosys_from = sc_enosys_from();
	if (add(p, "clone3", enosys, 0, NULL, err, errlen) < 0)
		return -1;
	return add_list(p, no_numa, enosys, err, errlen);
}

/* Add rules with `act` for every 32-bit value of argument idx NOT in the
 * sorted list vals: the complement is cut into aligned blocks, each one
 * masked comparison (a rule may test an argument only once). */
static int add_complement32(struct sc_policy *p, const char *name, unsigned idx, const uint32_t *vals, size_t n,
                            struct sc_action act, char *err, size_t errlen)
{
	uint64_t lo = 0;
	for (size_t i = 0; i <= n; i++) {
		uint64_t hi = i < n ? (uint64_t)vals[i] : 0x100000000ull; /* exclusive */
		while (lo < hi) {
			unsigned k = 0;
			while (k < 32 && (lo & ((1ull << (k + 1)) - 1)) == 0 && lo + (1ull << (k + 1)) <= hi)
				k++;
			struct sc_cond c = { idx, SCMP_CMP_MASKED_EQ, 0xffffffffull & ~((1ull << k) - 1), lo };
			if (add(p, name, act, 1, &c, err, errlen) < 0)
				return -1;
			lo += 1ull << k;
		}
		if (i < n)
			lo = (uint64_t)vals[i] + 1;
	}
	return 0;
}

static int default_profile(struct sc_policy *p, struct sc_action deny, char *err, size_t errlen)
{
	p->dflt = (struct sc_action){ SC_ALLOW, 0 };
	if (add_list(p, sc_default_denied, deny, err, errlen) < 0 || common(p, err, errlen) < 0)
		return -1;
	/* clone with any namespace flag (one rule per flag: each is one
	 * masked comparison of the flags argument). */
	static const unsigned long ns[] = { CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
		                            CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET };
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		struct sc_cond c = { 0, SCMP_CMP_MASKED_EQ, ns[i], ns[i] };
		if (add(p, "clone", deny, 1, &c, err, errlen) < 0)
			return -1;
	}
	/* Terminal input injection and console control, on the low 32 bits
	 * (the kernel compares the request as an unsigned int, so 1<<32|TIOCSTI
	 * is still TIOCSTI). */
	static const uint32_t tty[] = { 0x5412 /* TIOCSTI */, 0x541C /* TIOCLINUX */ };
	for (size_t i = 0; i < 2; i++) {
		struct sc_cond c = { 1, SCMP_CMP_MASKED_EQ, 0xffffffffull, tty[i] };
		if (add(p, "ioctl", deny, 1, &c, err, errlen) < 0)
			return -1;
	}
	/* The Docker profile's netlink audit socket. */
	struct sc_cond audit[2] = { { 0, SCMP_CMP_EQ, AF_NETLINK, 0 }, { 2, SCMP_CMP_EQ, 9 /* NETLINK_AUDIT */, 0 } };
	if (add(p, "socket", deny, 2, audit, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(denied_families) / sizeof(denied_families[0]); i++) {
		struct sc_cond c = { 0, SCMP_CMP_MASKED_EQ, 0xffffffffull, denied_families[i] };
		if (add(p, "socket", deny, 1, &c, err, errlen) < 0)
			return -1;
	}
	/* personality: the harmless values only, as Docker compares them, on
	 * all 64 bits (glibc passes an unsigned int, so nothing ordinary sets
	 * the high half); the low half's complement in masked comparisons. */
	struct sc_cond high = { 0, SCMP_CMP_GT, 0xffffffffull, 0 };
	if (add(p, "personality", deny, 1, &high, err, errlen) < 0)
		return -1;
	return add_complement32(p, "personality", 0, harmless_personality,
	                        sizeof(harmless_personality) / sizeof(harmless_personality[0]), deny, err, errlen);
}

/* What the javascript profile adds to strict's list.  V8 asks for a memory
 * protection key at start (pkey_alloc) and, where it gets one, keeps its
 * JIT and WebAssembly code pages writable only by the thread compiling
 * them (pkey_mprotect); refused, it goes on without (the code is still
 * W^X by mprotect) but every run would report the denial.  The keys
 * belong to the process: nothing outside it is reached. */
static const char *const javascript_added[] = { "pkey_alloc", "pkey_mprotect", "pkey_free", NULL };

static int strict_profile(struct sc_policy *p, struct sc_action deny, char *err, size_t errlen)
{
	p->dflt = deny;
	const struct sc_action allow = { SC_ALLOW, 0 };
	if (add_list(p, strict_allowed, allow, err, errlen) < 0 || common(p, err, errlen) < 0)
		return -1;
	struct sc_cond c = { 0, SCMP_CMP_MASKED_EQ, NS_FLAGS, 0 };
	if (add(p, "clone", allow, 1, &c, err, errlen) < 0)
		return -1;
	c = (struct sc_cond){ 0, SCMP_CMP_EQ, AF_UNIX, 0 };
	if (add(p, "socket", allow, 1, &c, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(strict_ioctls) / sizeof(strict_ioctls[0]); i++) {
		c = (struct sc_cond){ 1, SCMP_CMP_MASKED_EQ, 0xffffffffull, strict_ioctls[i] };
		if (add(p, "ioctl", allow, 1, &c, err, errlen) < 0)
			return -1;
	}
	for (size_t i = 0; i < sizeof(harmless_personality) / sizeof(harmless_personality[0]); i++) {
		c = (struct sc_cond){ 0, SCMP_CMP_EQ, harmless_personality[i], 0 };
		if (add(p, "personality", allow, 1, &c, err, errlen) < 0)
			return -1;
	}
	return 0;
}

int sc_profile_builtin(struct sc_policy *p, const char *name, struct sc_action deny, char *err, size_t errlen)
{
	int rc;
	const char *where;
	if (strcmp(name, "default") == 0) {
		rc = default_profile(p, deny, err, errlen);
		where = "profile default";
	} else if (strcmp(name, "strict") == 0) {
		rc = strict_profile(p, deny, err, errlen);
		where = "profile strict";
	} else if (strcmp(name, "javascript") == 0) {
		rc = strict_profile(p, deny, err, errlen);
		if (rc == 0)
			rc = add_list(p, javascript_added, (struct sc_action){ SC_ALLOW, 0 }, err, errlen);
		where = "profile javascript";
	} else {
		snprintf(err, errlen, "unknown profile %s (expected default, strict or javascript)", name);
		return -1;
	}
	for (size_t i = 0; i < p->n; i++)
		p->v[i].where = where;
	return rc;
}
