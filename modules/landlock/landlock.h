/*
 * modules/landlock/landlock.h - state shared by the landlock module's files.
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
/* landlock_restrict_self() flags (ABI 7): denials are logged to the kernel
 * audit subsystem, by default only until the first execve. */
#define LL_RESTRICT_LOG_SAME_EXEC_OFF (1U << 0)
#define LL_RESTRICT_LOG_NEW_EXEC_ON (1U << 1)
#define LL_RESTRICT_LOG_SUBDOMAINS_OFF (1U << 2)
/* The audit record types Landlock writes (ABI 7). */
#define LL_AUDIT_ACCESS 1423 /* AUDIT_LANDLOCK_ACCESS: one denial */
#define LL_AUDIT_DOMAIN 1424 /* AUDIT_LANDLOCK_DOMAIN: a domain allocated or freed */
#define LL_AUDIT_SYSCALL 1300 /* AUDIT_SYSCALL: the call of the same event (pid, exe) */
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
/* landlock_restrict_self() flags: in audit mode with ABI >= 7, log denials
 * after the execve too; else 0 (nothing changes outside audit mode). */
uint32_t ll_log_flags(int abi, bool audit);
/* Fill *plan for a kernel of ABI abi (>= 1). */
void ll_plan(int abi, const struct ll_want *want, struct ll_plan *plan);

enum ll_origin {
	LL_DEFAULT = 1, /* a default: skipped (with a note) when it cannot be opened */
	LL_POLICY = 2, /* listed in the policy: failing to open it fails the run */
	LL_CALLER = 3, /* --output-dir, --bind-ro: as LL_POLICY, and never through a symlink */
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
	/* The namespaces module comes first in the stack: landlock confines
	 * inside its view (its own /tmp, --output-dir at /output, the
	 * identity and working directory already set). */
	bool in_view;
	/* cordon's own user namespace, to prove in the child that the view
	 * was really made (an optional namespaces module may have failed) */
	unsigned long long host_userns_dev, host_userns_ino;
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
	uint32_t restrict_flags; /* LL_RESTRICT_LOG_* for landlock_restrict_self */
	/* audit mode with a collector: the name the child takes before it
	 * restricts itself, so that the kernel's record of the new domain
	 * names this run ("cordon-" and 8 hex digits); "" otherwise.  The
	 * child then makes one denied request (the marker) so that the
	 * domain is announced even when the program is never denied. */
	char audit_comm[16];
	struct ll_audit *audit;
};

#define LL_PROC_NONE 0
#define LL_PROC_SELF 1 /* /proc listable; the program's own /proc/PID readable */
#define LL_PROC_READ 2 /* all of /proc readable */

/* ruleset.c: the child side, async-signal-safe.  Build the ruleset from
 * s and the run's --output-dir/--bind-ro (child may be NULL), set
 * no_new_privs and restrict the calling thread.  0 or an errno value with
 * *step set; notes about skipped defaults go through child->note. */
int ll_restrict(const struct ll_state *s, const struct cordon_child *child, const char **step);

/* The marker: a character device made in the working directory, which no
 * rule of this module ever grants (make_char). */
#define LL_AUDIT_MARKER "cordon-landlock-audit-marker"
#define LL_AUDIT_MARKER_BLOCKER "fs.make_char"

/* ---- audit.c: collecting this run's denials from the kernel audit log ---- */

#define LL_AUDIT_MAX_DENIALS 64 /* distinct denials listed; the rest counted */
#define LL_AUDIT_PENDING 32 /* denials of a domain not yet identified, kept */
#define LL_AUDIT_FIELD 512 /* longest path or object kept */

struct ll_denial {
	char *blockers; /* "fs.read_file", "net.connect_tcp,..." */
	char *object; /* the path, or the record's other fields */
	uint64_t count;
	long pid; /* of an occurrence whose SYSCALL record came; 0 unknown */
	char *exe; /* that process's executable, or NULL */
	uint64_t await; /* serial of an occurrence still waiting for its SYSCALL record */
};

struct ll_audit {
	int fd; /* NETLINK_AUDIT socket in AUDIT_NLGRP_READLOG, or -1 */
	char comm[16]; /* the child's name before restricting */
	char domain[32]; /* this run's domain id as logged (hex), "" until known */
	bool marker; /* the marker denial was seen */
	bool ended; /* the domain's "deallocated" record was seen */
	bool lost; /* the socket's buffer overflowed: records were dropped */
	uint64_t total; /* denials= of the deallocated record (the marker included) */
	uint64_t events; /* ACCESS records of the domain (the marker excluded) */
	uint64_t unlisted; /* occurrences of denials beyond LL_AUDIT_MAX_DENIALS */
	struct ll_denial d[LL_AUDIT_MAX_DENIALS];
	size_t n;
	char *pending[LL_AUDIT_PENDING]; /* ACCESS record texts of unknown domains, a ring */
	size_t pending_next;
};

/* Pure, unit-tested.  The serial of a record ("audit(SEC.MS:SERIAL): ...")
 * and where its fields start; -1 when malformed. */
int ll_audit_serial(const char *text, uint64_t *serial, const char **body);
/* The value of field key in body (at its start or after a space), decoded
 * ("quoted", hex-encoded as the audit subsystem writes untrusted strings,
 * or bare) into out (cap >= 1, always terminated, truncated to fit).
 * 1 found, 0 absent. */
int ll_audit_field(const char *body, const char *key, char *out, size_t cap);
/* Feed one record (its type and NUL-terminated text) to the collector. */
void ll_audit_record(struct ll_audit *a, int type, const char *text);
/* Free what a holds (not a itself); the descriptor is not touched. */
void ll_audit_clear(struct ll_audit *a);

/* With the core: prepare (audit mode only) opens the collector or warns
 * why denials cannot be reported; finish reads the rest and reports. */
int ll_audit_prepare(cordon_ctx *ctx, struct ll_state *s);
void ll_audit_finish(cordon_ctx *ctx, struct ll_state *s);
void ll_audit_free(struct ll_state *s);

#endif
