/*
 * modules/landlock/landlock.c - isolation backend built on Landlock: the
 * program may touch only the paths and TCP ports the policy lists, and (ABI
 * 6) reach no abstract unix socket and signal no process outside its own
 * sandbox.  It needs no namespaces: the backend for hosts where user
 * namespaces are disabled.  Honours --output-dir (read-write at its own
 * path) and --bind-ro (read and execute at its own path).
 *
 *   with:
 *     read_only: [/srv/data]      read files and list directories beneath
 *     read_write: [/srv/scratch]  also create, write, truncate, remove, rename
 *     execute: [/opt/tool]        read and execute
 *     default_paths: true         /usr, /bin, /sbin, /lib* read+execute; the /etc files
 *                                 python3 and coreutils need read; /dev/null, zero, full,
 *                                 random, urandom read+write
 *     proc: self                  self: /proc listable, the program's own /proc/PID
 *                                 readable; read: all of /proc; none
 *     private_tmp: true           a fresh 0700 directory per run, read-write, exported as
 *                                 TMPDIR and the working directory; removed afterwards
 *     exec_tmp: false             allow execute in the private tmp and the output dir
 *     network: none               none: TCP bind and connect denied but for the lists; host
 *     connect_tcp: [443]          TCP ports the program may connect to (network: none)
 *     bind_tcp: [8080]            TCP ports the program may bind (network: none)
 *     scope: [abstract_unix_socket, signal]   what stays inside the sandbox (ABI 6)
 *     host_uid: 65534             as root: the uid and gid the program runs as (never 0)
 *     host_gid: 65534
 *     best_effort: true           false: refuse to run when the kernel cannot enforce
 *                                 everything asked for
 *
 * Order in the child: as root, drop to host_uid/host_gid; move into the
 * private tmp; open every path (O_PATH) and add its rule, add the port
 * rules; no_new_privs; landlock_restrict_self.  Later hooks (caps, seccomp)
 * and the program run inside the domain.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"
#include <cordon/modutil.h>

#define LL_MAX_PATHS 256 /* policy and default paths */
#define LL_MAX_PORTS 1024 /* per list */
#define LL_RM_DEPTH 128 /* deepest directory the clean-up descends */

static const struct cordon_arg args[] = {
	{ "read_only", CORDON_ARG_STRINGS, 0, 0, 0, "absolute paths readable beneath (files read, directories listed)" },
	{ "read_write", CORDON_ARG_STRINGS, 0, 0, 0, "absolute paths readable and writable beneath" },
	{ "execute", CORDON_ARG_STRINGS, 0, 0, 0, "absolute paths readable and executable beneath" },
	{ "default_paths", CORDON_ARG_BOOL, 0, 0, 0, "/usr, /bin, /lib*, some /etc files, /dev/null... (default true)" },
	{ "proc", CORDON_ARG_STRING, 0, 0, 0, "self (default), read or none" },
	{ "private_tmp", CORDON_ARG_BOOL, 0, 0, 0, "a private writable TMPDIR per run (default true)" },
	{ "exec_tmp", CORDON_ARG_BOOL, 0, 0, 0, "allow execute in the private tmp and the output dir (default false)" },
	{ "network", CORDON_ARG_STRING, 0, 0, 0, "none (TCP denied but for the lists, the default) or host" },
	{ "connect_tcp", CORDON_ARG_ANY, 0, 0, 0, "TCP ports the program may connect to" },
	{ "bind_tcp", CORDON_ARG_ANY, 0, 0, 0, "TCP ports the program may bind" },
	{ "scope", CORDON_ARG_STRINGS, 0, 0, 0, "abstract_unix_socket, signal (default both)" },
	{ "host_uid", CORDON_ARG_INT, 0, 1, 4294967294ll, "as root: uid the program runs as (default 65534)" },
	{ "host_gid", CORDON_ARG_INT, 0, 1, 4294967294ll, "as root: gid the program runs as (default 65534)" },
	{ "best_effort", CORDON_ARG_BOOL, 0, 0, 0, "run with what the kernel enforces, warning (default true)" },
	{ NULL, 0, 0, 0, 0, NULL },
};

static const char *const default_exec[] = { "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", NULL };
static const char *const default_read[] = { "/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives", NULL };
static const char *const default_dev[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", NULL };

/* Take ownership of path (NULL: out of memory). */
static int add_path(cordon_ctx *ctx, struct ll_state *s, char *path, uint64_t access, enum ll_origin origin)
{
	if (!path)
		return cordon_error(ctx, NULL, "out of memory");
	if (s->n_paths >= LL_MAX_PATHS) {
		free(path);
		return cordon_error(ctx, NULL, "more than %d paths", LL_MAX_PATHS);
	}
	struct ll_path *np = realloc(s->paths, (s->n_paths + 1) * sizeof(*np));
	if (!np) {
		free(path);
		return cordon_error(ctx, NULL, "out of memory");
	}
	s->paths = np;
	s->paths[s->n_paths++] = (struct ll_path){ .path = path, .access = access, .origin = origin };
	return 0;
}

/* A default: kept (canonical) when the host has it, silently left out when not. */
static int add_default(cordon_ctx *ctx, struct ll_state *s, const char *path, uint64_t access)
{
	char *real = realpath(path, NULL);
	if (!real)
		return errno == ENOMEM ? cordon_error(ctx, NULL, "out of memory") : 0;
	return add_path(ctx, s, real, access, LL_DEFAULT);
}

static int add_defaults(cordon_ctx *ctx, struct ll_state *s)
{
	for (size_t i = 0; default_exec[i]; i++)
		if (add_default(ctx, s, default_exec[i], LL_FS_EXEC) < 0)
			return -1;
	for (size_t i = 0; default_read[i]; i++)
		if (add_default(ctx, s, default_read[i], LL_FS_READ) < 0)
			return -1;
	/* /etc/python3*: Debian's sitecustomize.py is a link from /usr into it. */
	DIR *d = opendir("/etc");
	if (d) {
		struct dirent *de;
		int r = 0;
		while (r == 0 && (de = readdir(d)))
			if (strncmp(de->d_name, "python3", 7) == 0) {
				char p[PATH_MAX];
				if (snprintf(p, sizeof(p), "/etc/%s", de->d_name) < (int)sizeof(p))
					r = add_default(ctx, s, p, LL_FS_READ);
			}
		closedir(d);
		if (r < 0)
			return -1;
	}
	for (size_t i = 0; default_dev[i]; i++)
		if (add_default(ctx, s, default_dev[i], LL_FS_DEV) < 0)
			return -1;
	return 0;
}

/* read_only, read_write, execute: absolute paths that must exist now. */
static int policy_paths(cordon_ctx *ctx, struct ll_state *s, const char *key, uint64_t access)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	const cordon_node *n = cordon_arg(ctx, key);
	size_t count = !n ? 0 : api->node_type(n) == CORDON_NODE_SCALAR ? 1 : api->node_len(n);
	for (size_t i = 0; i < count; i++) {
		const cordon_node *item = api->node_type(n) == CORDON_NODE_SCALAR ? n : api->node_at(n, i);
		const char *path = api->node_scalar(item, NULL);
		if (!path || path[0] != '/')
			return cordon_error(ctx, item, "%s: expected an absolute path, got '%s'", key, path ? path : "");
		char *real = realpath(path, NULL);
		if (!real)
			return cordon_error(ctx, item, "%s: %s: %s", key, path, strerror(errno));
		if (add_path(ctx, s, real, access, LL_POLICY) < 0)
			return -1;
	}
	return 0;
}

/* connect_tcp, bind_tcp: a port or a list of ports, 0 to 65535. */
static int ports(cordon_ctx *ctx, const char *key, uint16_t **out, size_t *n_out)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	const cordon_node *n = cordon_arg(ctx, key);
	if (!n)
		return 0;
	enum cordon_node_type t = api->node_type(n);
	if (t == CORDON_NODE_MAPPING)
		return cordon_error(ctx, n, "%s: expected a port or a list of ports", key);
	size_t count = t == CORDON_NODE_SCALAR ? 1 : api->node_len(n);
	if (count > LL_MAX_PORTS)
		return cordon_error(ctx, n, "%s: at most %d ports", key, LL_MAX_PORTS);
	if (count == 0)
		return 0;
	uint16_t *p = calloc(count, sizeof(*p));
	if (!p)
		return cordon_error(ctx, NULL, "out of memory");
	*out = p; /* the state owns it from here */
	for (size_t i = 0; i < count; i++) {
		const cordon_node *item = t == CORDON_NODE_SCALAR ? n : api->node_at(n, i);
		int64_t v;
		if (api->node_type(item) != CORDON_NODE_SCALAR)
			return cordon_error(ctx, item, "%s: expected a port number", key);
		if (api->node_int(ctx, item, &v) < 0)
			return -1;
		if (v < 0 || v > 65535)
			return cordon_error(ctx, item, "%s: port %lld is outside 0 to 65535", key, (long long)v);
		p[i] = (uint16_t)v;
	}
	*n_out = count;
	return 0;
}

static int get_bool(cordon_ctx *ctx, const char *name, bool *out)
{
	const cordon_node *n = cordon_arg(ctx, name);
	int v = *out;
	if (n && cordon_api(ctx)->node_bool(ctx, n, &v) < 0)
		return -1;
	*out = v != 0;
	return 0;
}

static int get_id(cordon_ctx *ctx, const char *name, unsigned *out)
{
	const cordon_node *n = cordon_arg(ctx, name);
	int64_t v = 65534;
	if (n && cordon_api(ctx)->node_int(ctx, n, &v) < 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* Which Landlock ABI this kernel has: >= 1, or -1 with errno. */
static int kernel_abi(void)
{
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	return v < 1 ? -1 : v > 1000 ? 1000 : (int)v;
}

static int ll_open(cordon_ctx *ctx, void **statep)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	struct ll_state *s = calloc(1, sizeof(*s));
	if (!s)
		return cordon_error(ctx, NULL, "out of memory");
	*statep = s;
	s->best_effort = true;
	s->private_tmp = true;
	s->want.scope_abstract = s->want.scope_signal = true;
	s->proc = LL_PROC_SELF;
	bool defaults = true;

	if (get_bool(ctx, "best_effort", &s->best_effort) < 0 || get_bool(ctx, "private_tmp", &s->private_tmp) < 0 ||
	    get_bool(ctx, "exec_tmp", &s->exec_tmp) < 0 || get_bool(ctx, "default_paths", &defaults) < 0 ||
	    get_id(ctx, "host_uid", &s->host_uid) < 0 || get_id(ctx, "host_gid", &s->host_gid) < 0)
		return -1;

	/* After the namespaces module, in its view (ABI 1.2 shared data). */
	const bool shared = CORDON_API_HAS(ctx, set_data) && CORDON_API_HAS(ctx, get_data);
	if (shared && api->get_data(ctx, CORDON_DATA_NAMESPACES_VIEW, NULL)) {
		if (cordon_arg(ctx, "private_tmp") && s->private_tmp)
			return cordon_error(ctx, cordon_arg(ctx, "private_tmp"),
			                    "private_tmp: the namespaces module before landlock already gives the program "
			                    "a private /tmp (a tmpfs); leave private_tmp out or set it to false");
		struct stat ns;
		if (stat("/proc/self/ns/user", &ns) < 0)
			return cordon_error(ctx, NULL, "after namespaces: cannot identify cordon's user namespace "
			                               "(/proc/self/ns/user): %s", strerror(errno));
		s->host_userns_dev = (unsigned long long)ns.st_dev;
		s->host_userns_ino = (unsigned long long)ns.st_ino;
		s->in_view = true;
		s->private_tmp = false;
	}

	const cordon_node *n = cordon_arg(ctx, "network");
	if (n) {
		const char *v = api->node_scalar(n, NULL);
		if (v && strcmp(v, "host") == 0)
			s->net_host = true;
		else if (!v || strcmp(v, "none") != 0)
			return cordon_error(ctx, n, "network: expected none or host, got '%s'", v ? v : "");
	}
	if (ports(ctx, "connect_tcp", &s->connect, &s->n_connect) < 0 || ports(ctx, "bind_tcp", &s->bind, &s->n_bind) < 0)
		return -1;
	if (s->net_host && (cordon_arg(ctx, "connect_tcp") || cordon_arg(ctx, "bind_tcp")))
		return cordon_error(ctx, cordon_arg(ctx, cordon_arg(ctx, "connect_tcp") ? "connect_tcp" : "bind_tcp"),
		                    "connect_tcp and bind_tcp apply only with network: none (host allows every port)");
	s->want.tcp = !s->net_host;

	if ((n = cordon_arg(ctx, "scope"))) {
		s->want.scope_abstract = s->want.scope_signal = false;
		size_t count = api->node_type(n) == CORDON_NODE_SCALAR ? 1 : api->node_len(n);
		for (size_t i = 0; i < count; i++) {
			const cordon_node *item = api->node_type(n) == CORDON_NODE_SCALAR ? n : api->node_at(n, i);
			const char *v = api->node_scalar(item, NULL);
			if (v && strcmp(v, "abstract_unix_socket") == 0)
				s->want.scope_abstract = true;
			else if (v && strcmp(v, "signal") == 0)
				s->want.scope_signal = true;
			else
				return cordon_error(ctx, item, "scope: expected abstract_unix_socket or signal, got '%s'",
				                    v ? v : "");
		}
	}

	if ((n = cordon_arg(ctx, "proc"))) {
		const char *v = api->node_scalar(n, NULL);
		if (v && strcmp(v, "self") == 0)
			s->proc = LL_PROC_SELF;
		else if (v && strcmp(v, "read") == 0)
			s->proc = LL_PROC_READ;
		else if (v && strcmp(v, "none") == 0)
			s->proc = LL_PROC_NONE;
		else
			return cordon_error(ctx, n, "proc: expected self, read or none, got '%s'", v ? v : "");
	}

	if (defaults && add_defaults(ctx, s) < 0)
		return -1;
	/* /proc/self is resolved in the child, to the program's own pid. */
	if (s->proc == LL_PROC_SELF &&
	    (add_path(ctx, s, strdup("/proc"), LANDLOCK_ACCESS_FS_READ_DIR, LL_DEFAULT) < 0 ||
	     add_path(ctx, s, strdup("/proc/self"), LL_FS_READ, LL_DEFAULT) < 0))
		return -1;
	if (s->proc == LL_PROC_READ && add_path(ctx, s, strdup("/proc"), LL_FS_READ, LL_DEFAULT) < 0)
		return -1;
	if (policy_paths(ctx, s, "read_only", LL_FS_READ) < 0 || policy_paths(ctx, s, "read_write", LL_FS_WRITE) < 0 ||
	    policy_paths(ctx, s, "execute", LL_FS_EXEC) < 0)
		return -1;

	int abi = kernel_abi();
	if (abi < 0) {
		int e = errno;
		return cordon_error(ctx, NULL,
		                    "Landlock is not available: %s (hint: %s)", strerror(e),
		                    e == EOPNOTSUPP ? "enable it at boot, e.g. lsm=landlock,... on the kernel command line"
		                                    : "it needs Linux 5.13 or later built with CONFIG_SECURITY_LANDLOCK");
	}
	ll_plan(abi, &s->want, &s->plan);
	if (!s->best_effort && s->plan.n_missing) {
		char buf[1024] = "";
		size_t len = 0;
		for (size_t i = 0; i < s->plan.n_missing && len < sizeof(buf); i++) {
			int w = snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? "; " : "", s->plan.missing[i]);
			if (w < 0)
				break;
			len += (size_t)w;
		}
		return cordon_error(ctx, cordon_arg(ctx, "best_effort"),
		                    "this kernel's Landlock ABI %d cannot enforce what the policy asks: %s "
		                    "(best_effort: false refuses to run; set it to true to run with a warning)",
		                    abi, buf);
	}
	cordon_log(ctx, CORDON_LOG_DEBUG, "Landlock ABI %d", abi);
	return 0;
}

/* ---- the per-run scratch directory ---- */

/* Remove name in dfd and everything beneath it without following symlinks.
 * 0 or -1 (errno). */
static int rm_tree(int dfd, const char *name, int depth)
{
	if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -1;
	if (depth > LL_RM_DEPTH) {
		errno = ELOOP;
		return -1;
	}
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == EACCES && fchmodat(dfd, name, 0700, 0) == 0)
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* entries cannot be removed from a directory we may not write */
	(void)fchmod(fd, 0700);
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	int r = 0;
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (rm_tree(dirfd(d), de->d_name, depth + 1) < 0)
			r = -1;
		errno = 0;
	}
	int e = errno;
	closedir(d);
	if (r < 0)
		return -1;
	if (e) {
		errno = e;
		return -1;
	}
	return unlinkat(dfd, name, AT_REMOVEDIR);
}

static void remove_tmpdir(cordon_ctx *ctx, struct ll_state *s)
{
	if (!s->tmpdir)
		return;
	if (rm_tree(AT_FDCWD, s->tmpdir, 0) < 0 && ctx)
		cordon_warning(ctx, "could not remove the private tmp %s: %s", s->tmpdir, strerror(errno));
	free(s->tmpdir);
	s->tmpdir = NULL;
}

static int ll_prepare(cordon_ctx *ctx, void *state)
{
	struct ll_state *s = state;
	for (size_t i = 0; i < s->plan.n_missing; i++)
		cordon_warning(ctx, "Landlock ABI %d: %s", s->plan.abi, s->plan.missing[i]);
	if (!s->net_host)
		cordon_warning(ctx, "UDP and raw sockets are not restricted by Landlock; combine with seccomp");

	remove_tmpdir(ctx, s); /* a run that never reached finish */
	/* Landlock restricts the process it is applied to: a namespaces module
	 * after it could not mount its view.  (Seen here, not at open: the
	 * namespaces module opens after this one.) */
	if (!s->in_view && CORDON_API_HAS(ctx, get_data) && cordon_api(ctx)->get_data(ctx, CORDON_DATA_NAMESPACES_VIEW, NULL))
		return cordon_error(ctx, NULL,
		                    "the namespaces module comes after landlock in the stack: Landlock would forbid its "
		                    "mounts; put namespaces before landlock");
	if (ll_audit_prepare(ctx, s) < 0)
		return -1;
	/* Without a mount namespace the output directory (the core's staging
	 * directory for --output-dir) is seen at its own path: tell the
	 * program where. */
	if (!s->in_view && CORDON_API_HAS(ctx, launch_output_dir)) {
		const char *out = cordon_api(ctx)->launch_output_dir(ctx);
		if (out && cordon_api(ctx)->launch_setenv(ctx, "CORDON_OUTPUT_DIR", out) < 0)
			return cordon_error(ctx, NULL, "out of memory");
	}
	/* So is the input directory (--input-dir), read-only by the ruleset. */
	if (!s->in_view && CORDON_API_HAS(ctx, launch_input_dir)) {
		const char *in = cordon_api(ctx)->launch_input_dir(ctx);
		if (in && cordon_api(ctx)->launch_setenv(ctx, "CORDON_INPUT_DIR", in) < 0)
			return cordon_error(ctx, NULL, "out of memory");
	}
	if (!s->private_tmp)
		return 0;
	const char *base = getenv("TMPDIR");
	if (!base || base[0] != '/')
		base = "/tmp";
	char *tmpl = NULL;
	if (asprintf(&tmpl, "%s/cordon-landlock.XXXXXX", base) < 0)
		return cordon_error(ctx, NULL, "out of memory");
	if (!mkdtemp(tmpl)) {
		int e = errno;
		free(tmpl);
		return cordon_error(ctx, NULL, "private_tmp: cannot create a directory under %s: %s", base, strerror(e));
	}
	char *real = realpath(tmpl, NULL);
	if (!real) {
		int e = errno;
		(void)rmdir(tmpl);
		free(tmpl);
		return cordon_error(ctx, NULL, "private_tmp: %s", strerror(e));
	}
	free(tmpl);
	s->tmpdir = real;
	if (geteuid() == 0 && chown(s->tmpdir, s->host_uid, s->host_gid) < 0) {
		int e = errno;
		remove_tmpdir(ctx, s);
		return cordon_error(ctx, NULL, "private_tmp: chown to %u:%u: %s", s->host_uid, s->host_gid, strerror(e));
	}
	if (cordon_api(ctx)->launch_setenv(ctx, "TMPDIR", s->tmpdir) < 0) {
		remove_tmpdir(ctx, s);
		return cordon_error(ctx, NULL, "launch_setenv(TMPDIR) failed");
	}
	return 0;
}

static int ll_finish(cordon_ctx *ctx, void *state, const struct cordon_run_info *info)
{
	(void)info;
	ll_audit_finish(ctx, state);
	remove_tmpdir(ctx, state);
	return 0;
}

static void ll_close(void *state)
{
	struct ll_state *s = state;
	if (!s)
		return;
	remove_tmpdir(NULL, s);
	ll_audit_free(s);
	for (size_t i = 0; i < s->n_paths; i++)
		free(s->paths[i].path);
	free(s->paths);
	free(s->connect);
	free(s->bind);
	free(s);
}

/* ---- the child: async-signal-safe code only ---- */

static int ll_confine(void *state, const struct cordon_child *child, const char **step)
{
	const struct ll_state *s = state;
	/* Inside the namespaces module's view, that module has already made
	 * the sandbox's identity and working directory: only the rules. */
	if (s->in_view) {
		/* ...if it did: a namespaces module that failed as optional
		 * left this process in cordon's own user namespace, with none
		 * of what this module skips done.  Fail closed. */
		struct stat ns;
		if (stat("/proc/self/ns/user", &ns) < 0) {
			*step = "stat /proc/self/ns/user (is this the namespaces module's view?)";
			return errno;
		}
		if ((unsigned long long)ns.st_dev == s->host_userns_dev &&
		    (unsigned long long)ns.st_ino == s->host_userns_ino) {
			*step = "the namespaces module did not confine this process (it failed as optional); "
			        "landlock relies on its view";
			return EPERM;
		}
		return ll_restrict(s, child, step);
	}
	/* 1. As root: never run the program as host root.  The bounding set
	 * goes first, while CAP_SETPCAP is still held. */
	if (child->flags & CORDON_CHILD_ROOT) {
		for (int cap = 0; cap < 64; cap++)
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
				if (errno == EINVAL)
					break; /* past the last capability */
				*step = "prctl(PR_CAPBSET_DROP)";
				return errno;
			}
		int e = cordon_drop_to_ids((uid_t)s->host_uid, (gid_t)s->host_gid, step);
		if (e)
			return e;
	}
	/* 2. Work in the private tmp, not in cordon's directory. */
	if (chdir(s->tmpdir ? s->tmpdir : "/") < 0) {
		*step = s->tmpdir ? "chdir (private tmp)" : "chdir /";
		return errno;
	}
	/* 3. The rules; no_new_privs; restrict. */
	return ll_restrict(s, child, step);
}

/* What `cordon selftest` probes (ABI 1.5): what this kernel's Landlock
 * enforces of the policy.  Writing outside the read_write paths is denied
 * from ABI 1; TCP connect only from ABI 4 and with network: none (the port
 * lists name what stays allowed: the probe's listener has an ephemeral
 * port); abstract unix sockets are scoped from ABI 6.  No pid namespace, no
 * network namespace: those properties are not promised. */
static int ll_requirements(cordon_ctx *ctx, void *state)
{
	const struct ll_state *s = state;
	if (!s)
		return 0;
	if (cordon_require(ctx, CORDON_PROP_ROOT_READ_ONLY, NULL) < 0)
		return -1;
	if (s->want.tcp && !s->n_connect && (s->plan.handled_net & LANDLOCK_ACCESS_NET_CONNECT_TCP) &&
	    cordon_require(ctx, CORDON_PROP_NET_HOST_TCP, NULL) < 0)
		return -1;
	if (s->want.scope_abstract && (s->plan.scoped & LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET) &&
	    cordon_require(ctx, CORDON_PROP_NET_HOST_UNIX, NULL) < 0)
		return -1;
	return 0;
}

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_module),
	.name = "landlock",
	.description = "Landlock: filesystem paths, TCP ports, abstract sockets and signals; needs no namespaces",
	.flags = CORDON_MOD_ISOLATION | CORDON_MOD_STAGE(CORDON_STAGE_LSM),
	.args = args,
	.open = ll_open,
	.prepare = ll_prepare,
	.confine = ll_confine,
	.finish = ll_finish,
	.close = ll_close,
	.requirements = ll_requirements,
};
