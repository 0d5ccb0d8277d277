/*
 * modules/namespaces/namespaces.h - state shared by the namespaces module's files.
 *
 * Everything here is computed in the parent (open, prepare) and only read in
 * the child: the child neither allocates nor formats with stdio.
 */
#ifndef CORDON_NS_H
#define CORDON_NS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cordon/module.h>

enum bind_kind {
	BIND_RO = 1, /* read-only bind of a host path */
	BIND_SYMLINK = 2, /* recreate a host symlink (merged /usr: /bin -> usr/bin) */
};

struct ns_bind {
	enum bind_kind kind;
	char *src; /* host path, canonical (BIND_RO); link text (BIND_SYMLINK) */
	char *dst; /* path in the sandbox, relative to its root (no leading '/') */
	bool optional; /* a default: skipped when the host lacks it */
};

struct ns_file {
	const char *dst; /* relative path, e.g. "etc/passwd" */
	char *data;
	size_t len;
};

struct ns_cgroup {
	char *parent; /* delegated cgroup v2 directory (policy), or NULL */
	char *dir; /* this run's child cgroup (prepare..finish), or NULL */
	int procs_fd; /* dir/cgroup.procs in the child (launch_pass_fd), or -1 */
	uint64_t memory; /* bytes, 0: none */
	uint64_t pids; /* 0: none */
	uint64_t cpu_quota_us; /* per 100000us period, 0: none */
	unsigned serial;
};

struct ns_state {
	/* policy */
	bool net_host; /* network: host */
	bool nested_userns; /* allow user namespaces inside */
	bool exec_tmp; /* /tmp, /dev/shm, /output without noexec */
	char *hostname;
	unsigned uid, gid; /* inside */
	unsigned host_uid, host_gid; /* what they map to when cordon runs as root */
	struct ns_bind *binds; /* sorted by dst */
	size_t n_binds;
	struct ns_file files[3]; /* etc/passwd, etc/group, etc/hosts */
	size_t n_files;
	char *tmp_opts; /* tmpfs data for /tmp */
	char *shm_opts; /* tmpfs data for /dev/shm */
	struct ns_cgroup cg;
	/* child_exit_status: pid 1 reports the program's status with it */
	int (*report)(const struct cordon_child *child, int wstatus);
};

/* mount.c */
int ns_binds_open(cordon_ctx *ctx, struct ns_state *s);
/* A path (without its leading '/') the sandbox mounts itself: /tmp, /dev,
 * /proc, /output and below. */
bool ns_reserved(const char *dst);
/* Builds the view and enters it with pivot_root; the old root stays stacked
 * on the new one until ns_detach_old_root (0 or an errno). */
int ns_mount_setup(const struct ns_state *s, const struct cordon_child *child, const char **step);
int ns_detach_old_root(void);

/* cgroup.c */
int ns_cgroup_open(cordon_ctx *ctx, struct ns_state *s);
int ns_cgroup_prepare(cordon_ctx *ctx, struct ns_state *s);
int ns_cgroup_join(const struct ns_state *s, const char **step);
void ns_cgroup_finish(cordon_ctx *ctx, struct ns_state *s);
void ns_cgroup_free(struct ns_state *s);

/* util.c: async-signal-safe helpers for the child */
size_t ns_fmt_uint(char *buf, size_t cap, unsigned long long v); /* no NUL; 0 when it does not fit */
int ns_join(char *out, size_t cap, const char *a, const char *b); /* out = a b; 0 or ENAMETOOLONG */

#endif
