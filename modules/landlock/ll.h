/*
 * modules/landlock/ll.h - state shared by the landlock module's files.
 *
 * Everything is computed in the parent (open, prepare); the child (confine)
 * only opens the listed paths, adds the rules and restricts itself.
 */
#ifndef CORDON_LL_H
#define CORDON_LL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/landlock.h>

#include <cordon/module.h>

/* Debian 12's linux/landlock.h stops at ABI 2; the later constants are part
 * of the kernel's stable interface (Documentation/userspace-api/landlock.rst). */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0) /* ABI 4 */
#endif
#ifndef LANDLOCK_ACCESS_NET_CONNECT_TCP
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1) /* ABI 4 */
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1) /* ABI 6 */
#endif
/* enum landlock_rule_type: an enum in newer headers, so our own names. */
#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2 /* ABI 4 */

/* The kernel's structures at their ABI 6 size.  A kernel that knows a
 * shorter landlock_ruleset_attr accepts the longer one when the members it
 * does not know are zero, which ll_plan guarantees. */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;
	uint64_t scoped;
};

struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

struct ll_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

/* Access sets the module grants (masked by the ABI before use). */
#define LL_FS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_FS_EXEC (LL_FS_READ | LANDLOCK_ACCESS_FS_EXECUTE)
#define LL_FS_WRITE                                                                                      \
	(LL_FS_READ | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |                    \
	 LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |     \
	 LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_SYM |      \
	 LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE)
/* Device files the defaults open for reading and writing. */
#define LL_FS_DEV (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

/* What a policy asks of Landlock, independent of the running kernel. */
struct ll_want {
	bool tcp; /* restrict TCP bind and connect (network: none, or port lists) */
	bool scope_abstract; /* scope abstract unix sockets to the sandbox */
	bool scope_signal; /* scope signals to the sandbox */
};

/* What the running kernel will enforce of it. */
struct ll_plan {
	int abi;
	uint64_t handled_fs; /* every filesystem right the ABI knows: deny by default */
	uint64_t handled_net;
	uint64_t scoped;
	/* Requested protections this ABI lacks, each a fixed sentence naming
	 * the ABI that has it; NULL-terminated. */
	const char *missing[8];
	size_t n_missing;
};

/* abi.c: pure functions, unit-tested with made-up ABI numbers. */
uint64_t ll_fs_rights(int abi); /* every filesystem right ABI abi handles */
/* Fill *plan for a kernel of ABI abi (>= 1). */
void ll_plan(int abi, const struct ll_want *want, struct ll_plan *plan);

enum ll_origin {
	LL_DEFAULT = 1, /* a default: skipped (with a note) when it cannot be opened */
	LL_POLICY = 2, /* listed in the policy: failing to open it fails the run */
};

struct ll_path {
	char *path; /* absolute, canonical at open */
	uint64_t access; /* LL_FS_* (before the ABI mask) */
	enum ll_origin origin;
};

struct ll_state {
	/* policy */
	bool best_effort;
	bool net_host;
	bool private_tmp;
	bool exec_tmp;
	int proc; /* LL_PROC_* */
	unsigned host_uid, host_gid; /* when cordon runs as root */
	struct ll_want want;
	struct ll_path *paths;
	size_t n_paths;
	uint16_t *connect; /* allowed TCP connect ports */
	size_t n_connect;
	uint16_t *bind; /* allowed TCP bind ports */
	size_t n_bind;
	struct ll_plan plan;
	/* per run (prepare .. finish) */
	char *tmpdir;
};

#define LL_PROC_NONE 0
#define LL_PROC_SELF 1 /* /proc listable; the program's own /proc/PID readable */
#define LL_PROC_READ 2 /* all of /proc readable */

/* ruleset.c: the child side, async-signal-safe.  Build the ruleset from
 * s and the run's --output-dir/--bind-ro (child may be NULL), set
 * no_new_privs and restrict the calling thread.  0 or an errno value with
 * *step set; notes about skipped defaults go through child->note. */
int ll_restrict(const struct ll_state *s, const struct cordon_child *child, const char **step);

#endif
