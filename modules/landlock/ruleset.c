/*
 * modules/landlock/ruleset.c - the child side: build the ruleset and
 * restrict the process.  Runs between fork and exec: no allocation, no
 * stdio, async-signal-safe calls only.
 *
 * Every path is opened here (O_PATH) rather than in the parent: descriptors
 * do not survive the core's close-everything step unless passed, and a run
 * may have more paths than the core passes.  A rule names the object the
 * path resolves to now, in this process: /proc/self is the program's own
 * /proc/PID, since the program keeps this pid across execve.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "landlock.h"

/* Rights that apply to a file rather than to a directory's entries. */
#define LL_FILE_RIGHTS                                                                                   \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |     \
	 LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

static char stepbuf[200]; /* a failing step with its path, for *step */
static char notebuf[200];

static const char *with_path(char *buf, size_t cap, const char *what, const char *path)
{
	size_t i = 0;
	for (const char *p = what; *p && i < cap - 1; p++)
		buf[i++] = *p;
	for (const char *p = path; *p && i < cap - 1; p++)
		buf[i++] = *p;
	buf[i] = '\0';
	return buf;
}

/* Add a rule for path: 0, or an errno value with *step set.  A default that
 * cannot be opened is skipped with a note. */
static int add_path(int rfd, const char *path, uint64_t access, enum ll_origin origin, uint64_t handled,
                    const struct cordon_child *child, const char **step)
{
	int fd;
	if (origin == LL_CALLER) {
		/* --output-dir and --bind-ro: canonical when the core checked
		 * them; a path swapped for a symlink since is refused (ELOOP),
		 * not followed to wherever it now points. */
		struct open_how how = { .flags = O_PATH | O_CLOEXEC,
			                .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
		fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
		if (fd < 0 && errno == ENOSYS)
			fd = open(path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	} else {
		fd = open(path, O_PATH | O_CLOEXEC);
	}
	if (fd < 0) {
		int e = errno;
		if (origin == LL_DEFAULT) {
			if (child && child->note)
				child->note(child, with_path(notebuf, sizeof(notebuf),
				                             "a default path is not accessible, skipped: ", path));
			return 0;
		}
		*step = with_path(stepbuf, sizeof(stepbuf), "open ", path);
		return e;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		*step = with_path(stepbuf, sizeof(stepbuf), "stat ", path);
		return e;
	}
	uint64_t a = access & handled;
	if (!S_ISDIR(st.st_mode))
		a &= LL_FILE_RIGHTS;
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode) && !S_ISDIR(st.st_mode))
		a &= ~LANDLOCK_ACCESS_FS_IOCTL_DEV;
	int r = 0;
	if (a) {
		struct ll_path_beneath_attr pb = { .allowed_access = a, .parent_fd = fd };
		if (syscall(SYS_landlock_add_rule, rfd, LL_RULE_PATH_BENEATH, &pb, 0) < 0) {
			r = errno;
			*step = with_path(stepbuf, sizeof(stepbuf), "landlock_add_rule ", path);
		}
	}
	close(fd);
	return r;
}

static int add_port(int rfd, uint64_t access, uint16_t port, const char **step)
{
	struct ll_net_port_attr np = { .allowed_access = access, .port = port };
	if (syscall(SYS_landlock_add_rule, rfd, LL_RULE_NET_PORT, &np, 0) < 0) {
		*step = "landlock_add_rule (TCP port)";
		return errno;
	}
	return 0;
}

static int build(int rfd, const struct ll_state *s, const struct cordon_child *child, const char **step)
{
	const uint64_t h = s->plan.handled_fs;
	int e;
	/* In the namespaces module's view a default path that view does not
	 * show is no news: skipped without a note. */
	for (size_t i = 0; i < s->n_paths; i++)
		if ((e = add_path(rfd, s->paths[i].path, s->paths[i].access, s->paths[i].origin, h,
		                  s->in_view && s->paths[i].origin == LL_DEFAULT ? NULL : child, step)))
			return e;
	uint64_t scratch = s->exec_tmp ? LL_FS_WRITE | LANDLOCK_ACCESS_FS_EXECUTE : LL_FS_WRITE;
	if (s->tmpdir && (e = add_path(rfd, s->tmpdir, scratch, LL_POLICY, h, child, step)))
		return e;
	/* In the namespaces module's view: its private /tmp, and --output-dir
	 * where that module mounts it. */
	if (s->in_view && (e = add_path(rfd, "/tmp", scratch, LL_POLICY, h, child, step)))
		return e;
	const char *out = child && child->output_dir ? (s->in_view ? "/output" : child->output_dir) : NULL;
	if (out && (e = add_path(rfd, out, scratch, s->in_view ? LL_POLICY : LL_CALLER, h, child, step)))
		return e;
	/* --input-dir (ABI 1.5): read, not execute, where the namespaces
	 * module mounts it or at its own path. */
	const char *in = child && child->size >= offsetof(struct cordon_child, input_dir) + sizeof(child->input_dir)
	                         ? child->input_dir
	                         : NULL;
	if (in && (e = add_path(rfd, s->in_view ? "/input" : in, LL_FS_READ, s->in_view ? LL_POLICY : LL_CALLER, h,
	                        child, step)))
		return e;
	for (size_t i = 0; child && child->bind_ro && child->bind_ro[i]; i++)
		if ((e = add_path(rfd, child->bind_ro[i], LL_FS_EXEC, LL_CALLER, h, child, step)))
			return e;
	if (s->plan.handled_net) {
		for (size_t i = 0; i < s->n_connect; i++)
			if ((e = add_port(rfd, LANDLOCK_ACCESS_NET_CONNECT_TCP, s->connect[i], step)))
				return e;
		for (size_t i = 0; i < s->n_bind; i++)
			if ((e = add_port(rfd, LANDLOCK_ACCESS_NET_BIND_TCP, s->bind[i], step)))
				return e;
	}
	return 0;
}

int ll_restrict(const struct ll_state *s, const struct cordon_child *child, const char **step)
{
	struct ll_ruleset_attr attr = {
		.handled_access_fs = s->plan.handled_fs,
		.handled_access_net = s->plan.handled_net,
		.scoped = s->plan.scoped,
	};
	/* The size the kernel's ABI knows: an older kernel refuses a longer
	 * structure only when the members it lacks are set, but say exactly
	 * what we mean. */
	size_t size = s->plan.abi >= 6 ? sizeof(attr) : s->plan.abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
	int rfd = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (rfd < 0) {
		*step = "landlock_create_ruleset";
		return errno;
	}
	int e = build(rfd, s, child, step);
	if (!e && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		e = errno;
		*step = "prctl(PR_SET_NO_NEW_PRIVS)";
	}
	/* Audit mode with a collector: the kernel records the name of the
	 * process that creates the domain, and this name tells the parent
	 * which domain is this run's. */
	if (!e && s->audit_comm[0] && prctl(PR_SET_NAME, s->audit_comm, 0, 0, 0) < 0) {
		e = errno;
		*step = "prctl(PR_SET_NAME)";
	}
	if (!e && syscall(SYS_landlock_restrict_self, rfd, s->restrict_flags) < 0) {
		e = errno;
		*step = s->restrict_flags ? "landlock_restrict_self (with audit logging flags)" : "landlock_restrict_self";
	}
	close(rfd);
	/* The marker: a request the domain always denies (make_char is never
	 * granted), made before the execve so that the kernel announces the
	 * domain even when the program is never denied anything.  Its denial
	 * is expected; should it ever succeed, the node goes again. */
	if (!e && s->audit_comm[0] &&
	    mknodat(AT_FDCWD, LL_AUDIT_MARKER, S_IFCHR | 0600, makedev(1, 3)) == 0)
		(void)unlinkat(AT_FDCWD, LL_AUDIT_MARKER, 0);
	return e;
}
