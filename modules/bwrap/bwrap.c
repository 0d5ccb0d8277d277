/*
 * modules/bwrap/bwrap.c - isolation backend that wraps the command in
 * bubblewrap (/usr/bin/bwrap, Debian package bubblewrap >= 0.8).
 *
 * It takes the namespaces module's arguments and translates what bubblewrap
 * can express into bwrap options; an argument bubblewrap cannot honour is a
 * policy error at its line, never silently dropped:
 *
 *   with:
 *     network: none        none (--unshare-all: loopback only) or host (--share-net)
 *     hostname: cordon     --hostname
 *     uid: 65534           --uid / --gid inside the sandbox
 *     gid: 65534
 *     host_uid: 65534      when cordon runs as root: the host ids bwrap runs as (never 0)
 *     host_gid: 65534
 *     bind_ro: [/opt/x]    --ro-bind PATH PATH (must exist; canonicalised at open;
 *                          a path under /tmp is bound on the sandbox's /tmp)
 *     default_binds: true  /usr, /bin, /lib*, /sbin, some /etc files (--ro-bind, --symlink)
 *     tmp_size: 64M        --size N --tmpfs /tmp
 *     shm_size: 16M        --size N --tmpfs /dev/shm
 *     exec_tmp: true       bwrap cannot mount noexec: false is a policy error
 *     nested_userns: false --disable-userns unless true
 *     tmp_inodes, cgroup   not expressible: a policy error
 *     bwrap: /usr/bin/bwrap the bubblewrap binary
 *
 * Phases:
 *   open     parse and check the arguments, build the fixed part of bwrap's
 *            command line; a missing bwrap is a policy error with a hint.
 *   prepare  a private run directory (0711) with the sandbox's /etc/passwd,
 *            /etc/group and /etc/hosts; prepend the whole bwrap command,
 *            with this run's --bind-ro paths (--ro-bind) and --output-dir,
 *            which the core shows to prepare: /output's own options go to
 *            a memfd filled in confine, where the budget is known.
 *            With the seccomp module after bwrap, its compiled program
 *            ("seccomp.bpf") goes to bubblewrap on a sealed memfd kept
 *            open across the exec (--seccomp FD); seccomp before bwrap
 *            ("seccomp.confine") is a policy error at open.
 *   confine  (child) refuse a seccomp filter an earlier hook loaded (it
 *            would confine bwrap's own setup); as root, drop to
 *            host_uid/host_gid so that bwrap runs unprivileged and no
 *            sandbox process is ever host root.  With --output-dir,
 *            /output is a tmpfs of the output budget (--size N --tmpfs
 *            /output) that a helper hands to the supervisor (give_output)
 *            while bubblewrap holds the program back (--info-fd,
 *            --block-fd); with a core that takes no such descriptor, the
 *            core's staging directory (--bind-fd N /output), sampled.
 *   finish   remove the run directory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>

#include <linux/openat2.h>

#include <cordon/module.h>
#include <cordon/modutil.h>

#define T_1 1099511627776ll /* 1T */
#define MAX_BINDS 256
#define RUNDIR_TEMPLATE "/tmp/cordon-bwrap-XXXXXX"
#define FD_SLOT "-2147483648" /* room for any descriptor number */

static const struct cordon_arg args[] = {
	{ "network", CORDON_ARG_STRING, 0, 0, 0, "none (loopback only, the default) or host" },
	{ "hostname", CORDON_ARG_STRING, 0, 0, 0, "host name inside (default cordon)" },
	{ "uid", CORDON_ARG_INT, 0, 0, 4294967294ll, "uid inside the sandbox (default 65534)" },
	{ "gid", CORDON_ARG_INT, 0, 0, 4294967294ll, "gid inside the sandbox (default 65534)" },
	{ "host_uid", CORDON_ARG_INT, 0, 1, 4294967294ll, "as root: host uid bwrap runs as (default 65534)" },
	{ "host_gid", CORDON_ARG_INT, 0, 1, 4294967294ll, "as root: host gid bwrap runs as (default 65534)" },
	{ "bind_ro", CORDON_ARG_STRINGS, 0, 0, 0, "host paths visible read-only at the same path" },
	{ "default_binds", CORDON_ARG_BOOL, 0, 0, 0, "bind /usr, /bin, /lib*, /sbin and some /etc files (default true)" },
	{ "tmp_size", CORDON_ARG_SIZE, 0, 65536, T_1, "size of the /tmp tmpfs (default 64M)" },
	{ "tmp_inodes", CORDON_ARG_INT, 0, 16, 16777216, "not supported by bwrap (a policy error)" },
	{ "shm_size", CORDON_ARG_SIZE, 0, 65536, T_1, "size of the /dev/shm tmpfs (default 16M)" },
	{ "exec_tmp", CORDON_ARG_BOOL, 0, 0, 0, "must be true (the default): bwrap cannot mount noexec" },
	{ "nested_userns", CORDON_ARG_BOOL, 0, 0, 0, "allow user namespaces inside (default false)" },
	{ "cgroup", CORDON_ARG_MAPPING, 0, 0, 0, "not supported by bwrap (a policy error)" },
	{ "bwrap", CORDON_ARG_STRING, 0, 0, 0, "the bubblewrap binary (default /usr/bin/bwrap)" },
	{ NULL, 0, 0, 0, 0, NULL },
};

/* Host paths bound read-only by default, where the host has them; a
 * symlink (merged /usr: /bin -> usr/bin) is recreated as a symlink. */
static const char *const default_binds[] = {
	"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
	"/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives", NULL,
};

/* The files the run directory holds, bound at /etc/NAME. */
static const char *const etc_files[] = { "passwd", "group", "hosts" };
#define N_ETC (sizeof(etc_files) / sizeof(etc_files[0]))

struct strv {
	char **v;
	size_t n, cap;
};

struct bw_state {
	struct strv head; /* bwrap's options up to the binds, built at open */
	struct strv binds; /* --ro-bind / --symlink triples, sorted by destination,
	                    * then /proc, /dev and the tmpfs mounts */
	struct strv late; /* binds under /tmp: after the /tmp tmpfs */
	char *bwrap; /* path of the binary */
	char *etc[N_ETC]; /* contents of /etc/passwd, group, hosts */
	bool etc_skip[N_ETC]; /* a policy bind covers it: the policy's wins */
	unsigned host_uid, host_gid;
	/* The run directory (prepare to finish) and what the child does with
	 * it, computed in prepare: no allocation in confine. */
	char rundir[sizeof(RUNDIR_TEMPLATE)];
	bool have_rundir;
	long seccomp_before; /* filters cordon itself runs under (count_filters) */
	/* --output-dir, this run (prepare to confine): the child's numbers of
	 * the memfd that confine fills with /output's bwrap options (--args)
	 * and of two slots kept across the exec, which bubblewrap closes
	 * either way: the staging directory (--bind-fd, the fallback) or the
	 * info pipe (--info-fd), and an empty memfd (--block-fd: no wait) or
	 * the block pipe; -1: none.  (A confine hook cannot keep a descriptor
	 * of its own across the exec: it dup2s onto these.) */
	int out_args, out_slot1, out_slot2;
};

/* ---- small helpers ---- */

static int sv_push(struct strv *sv, const char *s)
{
	if (sv->n + 2 > sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 32;
		char **v = realloc(sv->v, cap * sizeof(char *));
		if (!v)
			return -1;
		sv->v = v;
		sv->cap = cap;
	}
	char *copy = strdup(s);
	if (!copy)
		return -1;
	sv->v[sv->n++] = copy;
	sv->v[sv->n] = NULL;
	return 0;
}

static int sv_pushu(struct strv *sv, unsigned long long v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%llu", v);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -1;
	return sv_push(sv, buf);
}

static void sv_free(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	*sv = (struct strv){ 0 };
}

static int get_int(cordon_ctx *ctx, const char *name, int64_t dflt, int64_t *out)
{
	const cordon_node *n = cordon_arg(ctx, name);
	*out = dflt;
	return n ? cordon_api(ctx)->node_int(ctx, n, out) : 0;
}

static int get_size(cordon_ctx *ctx, const char *name, uint64_t dflt, uint64_t *out)
{
	const cordon_node *n = cordon_arg(ctx, name);
	*out = dflt;
	return n ? cordon_api(ctx)->node_size(ctx, n, out) : 0;
}

static int get_bool(cordon_ctx *ctx, const char *name, int dflt, int *out)
{
	const cordon_node *n = cordon_arg(ctx, name);
	*out = dflt;
	return n ? cordon_api(ctx)->node_bool(ctx, n, out) : 0;
}

/* Whether path is at or under dir (both absolute, canonical). */
static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (strcmp(dir, "/") == 0)
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* ---- binds ---- */

struct bind {
	char *dst; /* absolute */
	char *target; /* symlink target, or NULL for a read-only bind */
	bool policy; /* from bind_ro */
};

static int cmp_bind(const void *a, const void *b)
{
	return strcmp(((const struct bind *)a)->dst, ((const struct bind *)b)->dst);
}

static void binds_free(struct bind *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(b[i].dst);
		free(b[i].target);
	}
	free(b);
}

/* Collect the default binds and bind_ro into s->binds (as bwrap options). */
static int open_binds(cordon_ctx *ctx, struct bw_state *s)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	struct bind *b = calloc(MAX_BINDS, sizeof(*b));
	size_t n = 0;
	int r = -1;
	if (!b)
		return cordon_error(ctx, NULL, "out of memory");

	int defaults;
	if (get_bool(ctx, "default_binds", 1, &defaults) < 0)
		goto out;
	for (size_t i = 0; defaults && default_binds[i]; i++) {
		struct stat st;
		if (lstat(default_binds[i], &st) < 0)
			continue; /* not on this host */
		char *target = NULL;
		if (S_ISLNK(st.st_mode)) {
			char buf[PATH_MAX];
			ssize_t len = readlink(default_binds[i], buf, sizeof(buf) - 1);
			if (len < 0)
				continue;
			buf[len] = '\0';
			if (!(target = strdup(buf))) {
				cordon_error(ctx, NULL, "out of memory");
				goto out;
			}
		}
		b[n].target = target;
		if (!(b[n].dst = strdup(default_binds[i]))) {
			n++;
			cordon_error(ctx, NULL, "out of memory");
			goto out;
		}
		n++;
	}
	size_t n_defaults = n;

	const cordon_node *node = cordon_arg(ctx, "bind_ro");
	size_t count = !node ? 0 : api->node_type(node) == CORDON_NODE_SCALAR ? 1 : api->node_len(node);
	for (size_t i = 0; i < count; i++) {
		const cordon_node *item = api->node_type(node) == CORDON_NODE_SCALAR ? node : api->node_at(node, i);
		const char *path = api->node_scalar(item, NULL);
		if (!path || path[0] != '/') {
			cordon_error(ctx, item, "bind_ro: expected an absolute path, got '%s'", path ? path : "");
			goto out;
		}
		char *real = realpath(path, NULL);
		if (!real) {
			cordon_error(ctx, item, "bind_ro: missing bind source %s: %s", path, strerror(errno));
			goto out;
		}
		if (strcmp(real, "/") == 0) {
			cordon_error(ctx, item, "bind_ro: %s would show the whole host file system", path);
			free(real);
			goto out;
		}
		if (strcmp(real, "/tmp") == 0 || under(real, "/dev") || under(real, "/proc") || under(real, "/output") ||
		    under(real, "/input")) {
			cordon_error(ctx, item,
			             "bind_ro: %s is /tmp, or at or under /dev, /proc, /output or /input, which the sandbox "
			             "mounts itself",
			             real);
			free(real);
			goto out;
		}
		bool dup = false;
		for (size_t k = 0; k < n && !dup; k++) {
			if (strcmp(b[k].dst, real) != 0)
				continue;
			if (k >= n_defaults) {
				cordon_error(ctx, item, "bind_ro: %s is listed twice", real);
				free(real);
				goto out;
			}
			dup = true; /* a default the policy names again */
		}
		if (dup) {
			free(real);
			continue;
		}
		if (n == MAX_BINDS) {
			cordon_error(ctx, item, "bind_ro: at most %d binds", MAX_BINDS);
			free(real);
			goto out;
		}
		b[n++] = (struct bind){ .dst = real, .policy = true };
		for (size_t f = 0; f < N_ETC; f++) {
			char etc[32];
			snprintf(etc, sizeof(etc), "/etc/%s", etc_files[f]);
			if (under(etc, real))
				s->etc_skip[f] = true;
		}
	}
	/* Parents before children, so that bwrap mounts a bind inside
	 * another after it. */
	qsort(b, n, sizeof(*b), cmp_bind);
	for (size_t i = 0; i < n; i++) {
		/* A bind under /tmp goes on the sandbox's /tmp, once mounted;
		 * bubblewrap resolves every source in the host's tree. */
		struct strv *sv = under(b[i].dst, "/tmp") ? &s->late : &s->binds;
		int e = b[i].target ? sv_push(sv, "--symlink") || sv_push(sv, b[i].target)
		                    : sv_push(sv, "--ro-bind") || sv_push(sv, b[i].dst);
		if (e || sv_push(sv, b[i].dst)) {
			cordon_error(ctx, NULL, "out of memory");
			goto out;
		}
	}
	r = 0;
out:
	binds_free(b, n);
	return r;
}

/* ---- open ---- */

static int bw_open(cordon_ctx *ctx, void **statep)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	struct bw_state *s = calloc(1, sizeof(*s));
	if (!s)
		return cordon_error(ctx, NULL, "out of memory");
	*statep = s;

	/* A seccomp module before bwrap loads its filter in the child before
	 * bubblewrap runs, which would confine bubblewrap's own setup (mount,
	 * pivot_root).  After bwrap, seccomp hands its program over instead
	 * (seccomp.bpf) and bubblewrap loads it just before the program. */
	const bool shared = CORDON_API_HAS(ctx, set_data) && CORDON_API_HAS(ctx, get_data);
	if (shared && api->get_data(ctx, CORDON_DATA_SECCOMP_CONFINE, NULL))
		return cordon_error(ctx, NULL,
		                    "the seccomp module comes before bwrap in the stack: its filter would be loaded "
		                    "before bubblewrap runs and confine bubblewrap's own setup (mount, pivot_root); "
		                    "put bwrap before seccomp, and bubblewrap loads seccomp's filter itself "
		                    "(bwrap --seccomp) just before the program");

	/* What bubblewrap cannot express: refuse, naming the line. */
	const cordon_node *n = cordon_arg(ctx, "tmp_inodes");
	if (n)
		return cordon_error(ctx, n, "bwrap cannot cap /tmp inodes (tmp_inodes): remove it, or use the "
		                            "namespaces backend");
	if ((n = cordon_arg(ctx, "cgroup")))
		return cordon_error(ctx, n, "bwrap cannot place the sandbox in a cgroup (cgroup): remove it, or use "
		                            "the namespaces backend");
	int exec_tmp;
	if (get_bool(ctx, "exec_tmp", 1, &exec_tmp) < 0)
		return -1;
	if (!exec_tmp)
		return cordon_error(ctx, cordon_arg(ctx, "exec_tmp"),
		                    "bwrap cannot mount /tmp, /dev/shm or /output noexec (exec_tmp: false): remove "
		                    "it, or use the namespaces backend");

	n = cordon_arg(ctx, "bwrap");
	const char *bin = n ? api->node_scalar(n, NULL) : "/usr/bin/bwrap";
	if (!bin || bin[0] != '/')
		return cordon_error(ctx, n, "bwrap: expected an absolute path, got '%s'", bin ? bin : "");
	struct stat st;
	if (stat(bin, &st) < 0 || access(bin, X_OK) < 0)
		return cordon_error(ctx, n, "%s: %s (hint: install the Debian package bubblewrap)", bin,
		                    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return cordon_error(ctx, n, "%s: not a regular file (hint: install the Debian package bubblewrap)",
		                    bin);
	if (st.st_mode & (S_ISUID | S_ISGID))
		return cordon_error(ctx, n, "%s is set-user-ID or set-group-ID: cordon runs bubblewrap only "
		                            "unprivileged, through user namespaces", bin);
	if (!(s->bwrap = strdup(bin)))
		return cordon_error(ctx, NULL, "out of memory");

	bool net_host = false;
	if ((n = cordon_arg(ctx, "network"))) {
		const char *v = api->node_scalar(n, NULL);
		if (v && strcmp(v, "host") == 0)
			net_host = true;
		else if (!v || strcmp(v, "none") != 0)
			return cordon_error(ctx, n, "network: expected none or host, got '%s'", v ? v : "");
	}
	n = cordon_arg(ctx, "hostname");
	const char *h = n ? api->node_scalar(n, NULL) : "cordon";
	size_t hl = h ? strlen(h) : 0;
	if (!h || hl == 0 || hl > 64 ||
	    strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != hl)
		return cordon_error(ctx, n, "hostname: expected 1 to 64 letters, digits, '-' or '.'");

	int64_t uid, gid, v;
	if (get_int(ctx, "uid", 65534, &uid) < 0 || get_int(ctx, "gid", 65534, &gid) < 0)
		return -1;
	if (get_int(ctx, "host_uid", 65534, &v) < 0)
		return -1;
	s->host_uid = (unsigned)v;
	if (get_int(ctx, "host_gid", 65534, &v) < 0)
		return -1;
	s->host_gid = (unsigned)v;
	int nested;
	uint64_t tmp_size, shm_size;
	if (get_bool(ctx, "nested_userns", 0, &nested) < 0 || get_size(ctx, "tmp_size", 64ull << 20, &tmp_size) < 0 ||
	    get_size(ctx, "shm_size", 16ull << 20, &shm_size) < 0)
		return -1;

	if (open_binds(ctx, s) < 0)
		return -1;

	/* The fixed part of the command line, in bubblewrap's own order:
	 * namespaces and identity, then the file system (binds from
	 * open_binds follow, then /proc, /dev, the tmpfs mounts). */
	struct strv *a = &s->head;
	int e = sv_push(a, s->bwrap) || sv_push(a, "--unshare-all") || (net_host && sv_push(a, "--share-net")) ||
	        sv_push(a, "--unshare-user") || (!nested && sv_push(a, "--disable-userns")) ||
	        sv_push(a, "--die-with-parent") || sv_push(a, "--new-session") || sv_push(a, "--cap-drop") ||
	        sv_push(a, "ALL") || sv_push(a, "--uid") || sv_pushu(a, (unsigned long long)uid) ||
	        sv_push(a, "--gid") || sv_pushu(a, (unsigned long long)gid) || sv_push(a, "--hostname") ||
	        sv_push(a, h);
	if (e)
		return cordon_error(ctx, NULL, "out of memory");
	const char *const tail[] = { "--proc", "/proc", "--dev", "/dev", NULL };
	for (size_t i = 0; tail[i]; i++)
		if (sv_push(&s->binds, tail[i]) < 0)
			return cordon_error(ctx, NULL, "out of memory");
	e = sv_push(&s->binds, "--perms") || sv_push(&s->binds, "1777") || sv_push(&s->binds, "--size") ||
	    sv_pushu(&s->binds, (unsigned long long)shm_size) || sv_push(&s->binds, "--tmpfs") ||
	    sv_push(&s->binds, "/dev/shm") || sv_push(&s->binds, "--perms") || sv_push(&s->binds, "1777") ||
	    sv_push(&s->binds, "--size") || sv_pushu(&s->binds, (unsigned long long)tmp_size) ||
	    sv_push(&s->binds, "--tmpfs") || sv_push(&s->binds, "/tmp");
	if (e)
		return cordon_error(ctx, NULL, "out of memory");

	/* Who the sandbox is, for programs that look themselves up. */
	const char *user = uid == 65534 ? "nobody" : uid == 0 ? "root" : "sandbox";
	const char *group = gid == 65534 ? "nogroup" : gid == 0 ? "root" : "sandbox";
	if (asprintf(&s->etc[0], "%s:x:%llu:%llu:cordon sandbox:/tmp:/usr/sbin/nologin\n", user,
	             (unsigned long long)uid, (unsigned long long)gid) < 0)
		s->etc[0] = NULL;
	if (asprintf(&s->etc[1], "%s:x:%llu:\n", group, (unsigned long long)gid) < 0)
		s->etc[1] = NULL;
	if (asprintf(&s->etc[2], "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t%s\n",
	             h) < 0)
		s->etc[2] = NULL;
	if (!s->etc[0] || !s->etc[1] || !s->etc[2])
		return cordon_error(ctx, NULL, "out of memory");
	/* Modules later in the stack learn that the command is wrapped: the
	 * seccomp module then compiles a program for bubblewrap to load. */
	if (shared && api->set_data(ctx, CORDON_DATA_BWRAP_WRAPPER, s->bwrap, strlen(s->bwrap)) < 0)
		return cordon_error(ctx, NULL, "out of memory");
	return 0;
}

/* How many seccomp filters this process runs under: the Seccomp_filters
 * line of /proc/self/status (Linux 5.9), else 1 when in filter mode (what
 * PR_GET_SECCOMP can tell).  -1 when neither answers.  Async-signal-safe. */
static long count_filters(void)
{
	char buf[8192];
	size_t len = 0;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t r;
		while (len < sizeof(buf) - 1 && ((r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0 ||
		                                  (r < 0 && errno == EINTR)))
			if (r > 0)
				len += (size_t)r;
		close(fd);
	}
	buf[len] = '\0';
	static const char key[] = "\nSeccomp_filters:";
	for (size_t i = 0; i + sizeof(key) - 1 <= len; i++) {
		if (memcmp(buf + i, key, sizeof(key) - 1) != 0)
			continue;
		long v = 0;
		size_t j = i + sizeof(key) - 1;
		while (j < len && (buf[j] == ' ' || buf[j] == '\t'))
			j++;
		if (j >= len || buf[j] < '0' || buf[j] > '9')
			break;
		for (; j < len && buf[j] >= '0' && buf[j] <= '9' && v < 1000000; j++)
			v = v * 10 + (buf[j] - '0');
		return v;
	}
	int mode = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
	return mode < 0 ? -1 : mode == 2 ? 1 : 0;
}

/* ---- the run directory ---- */

static void rundir_remove(struct bw_state *s)
{
	if (!s->have_rundir)
		return;
	int dfd = open(s->rundir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd >= 0) {
		for (size_t i = 0; i < N_ETC; i++)
			(void)unlinkat(dfd, etc_files[i], 0);
		(void)unlinkat(dfd, "output", 0);
		close(dfd);
	}
	(void)rmdir(s->rundir);
	s->have_rundir = false;
}

static int write_file(int dfd, const char *name, const char *data)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444);
	if (fd < 0)
		return -1;
	size_t len = strlen(data), off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : EIO;
			close(fd);
			errno = e;
			return -1;
		}
		off += (size_t)w;
	}
	/* The umask may have narrowed the mode; bwrap, which may run as
	 * host_uid, reads these files. */
	if (fchmod(fd, 0444) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

/*
 * The seccomp module's program (seccomp.bpf, compiled at its open) in a
 * sealed memfd, read from offset 0, for `bwrap --seccomp FD`.  bubblewrap
 * reads it while parsing its options and closes the descriptor then, before
 * it forks the sandbox: the program never sees it.  -1 with a warning.
 */
static int sealed_memfd(cordon_ctx *ctx, const char *name, const void *data, size_t len);

static int seccomp_memfd(cordon_ctx *ctx, const void *bpf, size_t len)
{
	/* struct sock_filter is 8 bytes; the kernel takes 1 to 4096 of them. */
	if (len == 0 || len % 8 != 0 || len / 8 > 4096) {
		cordon_warning(ctx, "bwrap: the seccomp module's program has %zu bytes, not 1 to 4096 instructions of 8",
		               len);
		return -1;
	}
	return sealed_memfd(ctx, "cordon-seccomp-bpf", bpf, len);
}

/* len bytes in a sealed memfd, read from the start; -1 after a warning. */
static int sealed_memfd(cordon_ctx *ctx, const char *name, const void *data, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		cordon_warning(ctx, "bwrap: memfd_create: %s", strerror(errno));
		return -1;
	}
	const char *p = data;
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, p + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			cordon_warning(ctx, "bwrap: writing %s: %s", name, w < 0 ? strerror(errno) : "short write");
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) != 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		cordon_warning(ctx, "bwrap: sealing %s: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Open a canonical path as an O_PATH descriptor without following any
 * symlink or magic link, pass it to the child kept across the exec, and
 * write its number there into num.  -1 after a warning. */
static int pass_path_fd(cordon_ctx *ctx, const char *path, bool dir, char *num, size_t len)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC | (dir ? O_DIRECTORY : 0),
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = open(path, O_PATH | O_CLOEXEC | O_NOFOLLOW | (dir ? O_DIRECTORY : 0));
	if (fd < 0) {
		cordon_warning(ctx, "bwrap: %s: %s%s", path, strerror(errno),
		               errno == ELOOP ? " (it became a symbolic link after it was checked)" : "");
		return -1;
	}
	int child_fd = cordon_api(ctx)->launch_pass_fd_flags(ctx, fd, CORDON_FD_KEEP_EXEC); /* owns fd */
	if (child_fd < 0) {
		cordon_warning(ctx, "bwrap: cannot pass %s to bubblewrap", path);
		return -1;
	}
	snprintf(num, len, "%d", child_fd);
	return 0;
}

/* w->v[from..to) as NUL-separated options on a sealed memfd bubblewrap
 * reads (--args, which it closes before the program runs): its command
 * line, the sandbox's /proc/1/cmdline, then holds no host path (binds, the
 * run directory).  The descriptor's number in the child, or -1 after a
 * warning. */
static int pass_args(cordon_ctx *ctx, const struct strv *w, size_t from, size_t to)
{
	size_t len = 0;
	for (size_t i = from; i < to; i++)
		len += strlen(w->v[i]) + 1;
	char *opts = malloc(len ? len : 1);
	if (!opts) {
		cordon_warning(ctx, "bwrap: out of memory");
		return -1;
	}
	for (size_t i = from, off = 0; i < to; i++) {
		size_t l = strlen(w->v[i]) + 1;
		memcpy(opts + off, w->v[i], l);
		off += l;
	}
	int afd = sealed_memfd(ctx, "cordon-bwrap-args", opts, len);
	free(opts);
	int fd = afd < 0 ? -1 : cordon_api(ctx)->launch_pass_fd_flags(ctx, afd, CORDON_FD_KEEP_EXEC); /* owns afd */
	if (fd < 0 && afd >= 0)
		cordon_warning(ctx, "bwrap: cannot pass its options to bubblewrap");
	return fd;
}

/* Pass fd to the child (kept across the exec or not); its number there,
 * or -1 after a warning.  The core owns fd either way. */
static int pass_fd(cordon_ctx *ctx, int fd, bool keep, const char *what)
{
	int n = cordon_api(ctx)->launch_pass_fd_flags(ctx, fd, keep ? CORDON_FD_KEEP_EXEC : 0);
	if (n < 0)
		cordon_warning(ctx, "bwrap: cannot pass %s to the child", what);
	return n;
}

/* --output-dir: the staging directory (slot 1), an empty memfd (slot 2),
 * an empty memfd for /output's options (filled in confine).  -1 after a
 * warning. */
static int out_prepare(cordon_ctx *ctx, struct bw_state *s, const char *out)
{
	char num[16];
	if (pass_path_fd(ctx, out, true, num, sizeof(num)) < 0)
		return -1;
	s->out_slot1 = atoi(num);
	int m[2] = { memfd_create("cordon-bwrap-output", MFD_CLOEXEC), -1 };
	if (m[0] >= 0)
		m[1] = memfd_create("cordon-bwrap-block", MFD_CLOEXEC);
	if (m[1] < 0) {
		cordon_warning(ctx, "bwrap: memfd_create: %s", strerror(errno));
		if (m[0] >= 0)
			close(m[0]);
		return -1;
	}
	s->out_args = pass_fd(ctx, m[0], true, "/output's options");
	s->out_slot2 = pass_fd(ctx, m[1], true, "a descriptor for --block-fd");
	return s->out_args < 0 || s->out_slot2 < 0 ? -1 : 0;
}

static int bw_prepare(cordon_ctx *ctx, void *state)
{
	struct bw_state *s = state;
	const struct cordon_core_api *api = cordon_api(ctx);
	rundir_remove(s); /* a run that never reached finish */
	/* Which descriptor of this run carries seccomp's program: none until
	 * the command is wrapped (the seccomp module's prepare checks). */
	const bool shared = CORDON_API_HAS(ctx, set_data) && CORDON_API_HAS(ctx, get_data);
	if (shared && api->set_data(ctx, CORDON_DATA_BWRAP_SECCOMP_FD, "", 0) < 0) {
		cordon_warning(ctx, "bwrap: out of memory");
		return -1;
	}
	/* Filters cordon inherited (a container, a service manager) are not
	 * the stack's: the child compares against this. */
	s->seccomp_before = count_filters();

	memcpy(s->rundir, RUNDIR_TEMPLATE, sizeof(RUNDIR_TEMPLATE));
	if (!mkdtemp(s->rundir)) {
		cordon_warning(ctx, "bwrap: cannot create a run directory under /tmp: %s", strerror(errno));
		return -1;
	}
	s->have_rundir = true;
	/* Search only: bwrap, running as host_uid when cordon is root, opens
	 * the files by name; nobody lists the directory. */
	if (chmod(s->rundir, 0711) < 0) {
		cordon_warning(ctx, "bwrap: chmod %s: %s", s->rundir, strerror(errno));
		return -1;
	}
	int dfd = open(s->rundir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0) {
		cordon_warning(ctx, "bwrap: %s: %s", s->rundir, strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < N_ETC; i++) {
		if (!s->etc_skip[i] && write_file(dfd, etc_files[i], s->etc[i]) < 0) {
			cordon_warning(ctx, "bwrap: %s/%s: %s", s->rundir, etc_files[i], strerror(errno));
			close(dfd);
			return -1;
		}
	}
	close(dfd);

	struct strv w = { 0 };
	int e = 0;
	for (size_t i = 0; i < s->head.n && !e; i++)
		e = sv_push(&w, s->head.v[i]);
	/* egress made the sandbox's network namespace (only lo, its proxy's
	 * listener in it) in the child before bubblewrap runs: bubblewrap
	 * keeps that one rather than making another. */
	if (!e && shared && api->get_data(ctx, CORDON_DATA_EGRESS_NETNS, NULL))
		e = sv_push(&w, "--share-net");
	for (size_t i = 0; i < s->binds.n && !e; i++)
		e = sv_push(&w, s->binds.v[i]);
	for (size_t i = 0; i < s->late.n && !e; i++)
		e = sv_push(&w, s->late.v[i]);
	for (size_t i = 0; i < N_ETC && !e; i++) {
		if (s->etc_skip[i])
			continue;
		char src[sizeof(s->rundir) + 16], dst[32];
		snprintf(src, sizeof(src), "%s/%s", s->rundir, etc_files[i]);
		snprintf(dst, sizeof(dst), "/etc/%s", etc_files[i]);
		e = sv_push(&w, "--ro-bind") || sv_push(&w, src) || sv_push(&w, dst);
	}
	/* This run's --bind-ro paths (after the tmpfs mounts, so a path under
	 * /tmp shows on the sandbox's own /tmp) and --output-dir at /output. */
	if (!CORDON_API_HAS(ctx, launch_bind_ro) || !CORDON_API_HAS(ctx, launch_output_dir)) {
		sv_free(&w);
		cordon_warning(ctx, "bwrap: this cordon core does not show --output-dir and --bind-ro to prepare");
		return -1;
	}
	/* By descriptor (--ro-bind-fd, --bind-fd), opened here without
	 * following any symlink: the core checked these canonical paths, and
	 * a path that someone swapped for a symlink since (to /proc, say) is
	 * refused rather than followed by bubblewrap.  bubblewrap closes each
	 * descriptor before the program runs. */
	const char *const *ro = api->launch_bind_ro(ctx);
	const char *out = api->launch_output_dir(ctx);
	const char *in = CORDON_API_HAS(ctx, launch_input_dir) ? api->launch_input_dir(ctx) : NULL;
	if ((ro && ro[0]) || out || in) {
		if (!CORDON_API_HAS(ctx, launch_pass_fd_flags)) {
			sv_free(&w);
			cordon_warning(ctx, "bwrap: this cordon core cannot keep a descriptor open for bubblewrap (ABI 1.2)");
			return -1;
		}
	}
	for (size_t i = 0; ro && ro[i] && !e; i++) {
		char num[16];
		if (pass_path_fd(ctx, ro[i], false, num, sizeof(num)) < 0) {
			sv_free(&w);
			return -1;
		}
		e = sv_push(&w, "--ro-bind-fd") || sv_push(&w, num) || sv_push(&w, ro[i]);
	}
	/* --input-dir at /input, read-only (bubblewrap binds nosuid and
	 * nodev; it has no noexec for a bind).  The core set
	 * CORDON_INPUT_DIR=/input. */
	if (in && !e) {
		char num[16];
		if (pass_path_fd(ctx, in, true, num, sizeof(num)) < 0) {
			sv_free(&w);
			return -1;
		}
		e = sv_push(&w, "--ro-bind-fd") || sv_push(&w, num) || sv_push(&w, "/input");
	}
	/* --output-dir: what /output is (a tmpfs of the run's budget, or the
	 * staging directory bound) is decided in confine, where the budget is
	 * known: its options go to a memfd read as a second --args between
	 * the binds and the rest. */
	s->out_args = s->out_slot1 = s->out_slot2 = -1;
	if (out && !e && out_prepare(ctx, s, out) < 0) {
		sv_free(&w);
		return -1;
	}
	size_t split = w.n; /* w.v[split..] go after the output's --args */
	e = e || sv_push(&w, "--remount-ro") || sv_push(&w, "/") || sv_push(&w, "--chdir") || sv_push(&w, "/tmp");
	/* The seccomp module after bwrap handed over its program: a
	 * descriptor kept open across the exec, read and closed by
	 * bubblewrap.  The number is known once passed, so its slot in the
	 * command line is reserved first: nothing can fail after the pass but
	 * launch_wrap. */
	size_t bpf_len = 0;
	const void *bpf = shared ? api->get_data(ctx, CORDON_DATA_SECCOMP_BPF, &bpf_len) : NULL;
	size_t fd_slot = 0;
	if (bpf && !e) {
		e = sv_push(&w, "--seccomp") || sv_push(&w, FD_SLOT);
		fd_slot = w.n - 1;
	}
	e = e || sv_push(&w, "--");
	if (e) {
		sv_free(&w);
		cordon_warning(ctx, "bwrap: out of memory");
		return -1;
	}
	char fd_text[16] = "";
	if (bpf) {
		if (!CORDON_API_HAS(ctx, launch_pass_fd_flags)) {
			sv_free(&w);
			cordon_warning(ctx, "bwrap: this cordon core cannot keep a descriptor open for bubblewrap "
			                    "(ABI 1.2), so it cannot load the seccomp module's filter");
			return -1;
		}
		int mfd = seccomp_memfd(ctx, bpf, bpf_len);
		int child_fd = mfd < 0 ? -1 : api->launch_pass_fd_flags(ctx, mfd, CORDON_FD_KEEP_EXEC); /* owns mfd */
		if (child_fd < 0) {
			sv_free(&w);
			if (mfd >= 0)
				cordon_warning(ctx, "bwrap: cannot pass the seccomp program to bubblewrap");
			return -1;
		}
		snprintf(fd_text, sizeof(fd_text), "%d", child_fd);
		snprintf(w.v[fd_slot], sizeof(FD_SLOT), "%d", child_fd); /* fits: any int */
	}
	/* bubblewrap reads its options from a sealed memfd (--args, which it
	 * closes before the program runs): its command line, which is the
	 * sandbox's /proc/1/cmdline, then holds no host path (binds, the run
	 * directory), only "bwrap --args N --" and the program's own. */
	char args_text[2][16], out_text[16];
	size_t from[2] = { 1, split }, to[2] = { split, w.n - 1 }; /* w.v[0] is bwrap, the last is "--" */
	for (int k = 0; k < 2; k++) {
		int args_fd = pass_args(ctx, &w, from[k], to[k]);
		if (args_fd < 0) {
			sv_free(&w);
			return -1;
		}
		snprintf(args_text[k], sizeof(args_text[k]), "%d", args_fd);
	}
	snprintf(out_text, sizeof(out_text), "%d", s->out_args);
	const char *wrap[] = { w.v[0], "--args", args_text[0], "--args", out_text, "--args", args_text[1], "--", NULL };
	if (s->out_args < 0) /* no --output-dir */
		memmove(&wrap[3], &wrap[5], 4 * sizeof(wrap[0]));
	int r = api->launch_wrap(ctx, wrap);
	sv_free(&w);
	if (r < 0) {
		cordon_warning(ctx, "bwrap: cannot prepend the bubblewrap command (out of memory?)");
		return -1;
	}
	if (shared && bpf && api->set_data(ctx, CORDON_DATA_BWRAP_SECCOMP_FD, fd_text, strlen(fd_text)) < 0) {
		cordon_warning(ctx, "bwrap: out of memory");
		return -1;
	}
	return 0;
}

static int bw_finish(cordon_ctx *ctx, void *state, const struct cordon_run_info *info)
{
	(void)ctx;
	(void)info;
	rundir_remove(state);
	return 0;
}

static void bw_close(void *state)
{
	struct bw_state *s = state;
	if (!s)
		return;
	rundir_remove(s);
	sv_free(&s->head);
	sv_free(&s->binds);
	sv_free(&s->late);
	for (size_t i = 0; i < N_ETC; i++)
		free(s->etc[i]);
	free(s->bwrap);
	free(s);
}

/* ---- the child: async-signal-safe code only ---- */

#define OUT_WAIT_NS (30ll * 1000000000) /* the helper's patience with bubblewrap's set-up */

/* Append s (with its NUL) at *n in buf; false when it does not fit. */
static bool put_str(char *buf, size_t cap, size_t *n, const char *s)
{
	size_t l = strlen(s) + 1;
	if (l > cap - *n)
		return false;
	memcpy(buf + *n, s, l);
	*n += l;
	return true;
}

static bool put_num(char *buf, size_t cap, size_t *n, unsigned long long v)
{
	char tmp[24], out[24];
	size_t k = 0;
	do
		tmp[k++] = (char)('0' + v % 10);
	while ((v /= 10) && k < sizeof(tmp));
	for (size_t i = 0; i < k; i++)
		out[i] = tmp[k - 1 - i];
	out[k] = '\0';
	return put_str(buf, cap, n, out);
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* "child-pid": N in bubblewrap's --info-fd document, or -1. */
static pid_t info_child_pid(const char *buf, size_t len)
{
	static const char key[] = "\"child-pid\"";
	for (size_t i = 0; i + sizeof(key) - 1 <= len; i++) {
		if (memcmp(buf + i, key, sizeof(key) - 1) != 0)
			continue;
		size_t j = i + sizeof(key) - 1;
		while (j < len && (buf[j] == ' ' || buf[j] == ':' || buf[j] == '\t' || buf[j] == '\n'))
			j++;
		long long v = 0;
		size_t d = 0;
		for (; j < len && buf[j] >= '0' && buf[j] <= '9' && d < 10; j++, d++)
			v = v * 10 + (buf[j] - '0');
		/* the number must be complete: a delimiter follows */
		return d && j < len && v > 1 && v <= INT_MAX && (buf[j] < '0' || buf[j] > '9') ? (pid_t)v : -1;
	}
	return -1;
}

/*
 * The helper (forked before the exec of bubblewrap, outside the sandbox,
 * as bubblewrap's own ids): reads the sandbox's pid from the info pipe,
 * waits until /proc/PID/root/output is the tmpfs of the run's size (the
 * sandbox's root is its own from then on, and bubblewrap blocks on the
 * block pipe before the program runs), hands that directory to the
 * supervisor (give_output) and only then lets bubblewrap go on.  On any
 * failure the sandbox is killed before the program runs: what it would
 * write to /output could not be collected.
 */
static __attribute__((noreturn)) void out_helper(int info_r, int block_w, const struct cordon_child *child,
                                                 pid_t bubblewrap)
{
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* The process that becomes bubblewrap, by a pidfd (its pid could be
	 * reused once it is gone): what a failure below stops. */
	int bw_fd = (int)syscall(SYS_pidfd_open, bubblewrap, 0);
	if (bw_fd >= 0 && getppid() != bubblewrap) {
		close(bw_fd);
		bw_fd = -1;
	}
	/* Nothing of the program's: not its stdio (the supervisor waits for
	 * their end of file), not the sources. */
	int hi = block_w > info_r ? block_w : info_r;
	hi = hi > child->control_fd ? hi : child->control_fd;
	hi = hi > bw_fd ? hi : bw_fd;
	for (int fd = 0; fd < hi; fd++)
		if (fd != info_r && fd != block_w && fd != child->control_fd && fd != bw_fd)
			(void)close(fd);
	if (syscall(SYS_close_range, (unsigned)hi + 1, ~0u, 0) < 0) {
		struct rlimit rl;
		int top = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 1048576
		                  ? (int)rl.rlim_cur
		                  : 1048576;
		for (int fd = hi + 1; fd < top; fd++)
			(void)close(fd);
	}

	const char *why = "bubblewrap ended before it said which process is the sandbox";
	int64_t deadline = mono_ns() + OUT_WAIT_NS;
	char buf[2048];
	size_t len = 0;
	pid_t pid = -1;
	while (pid < 0 && len < sizeof(buf)) {
		int64_t left = deadline - mono_ns();
		struct pollfd pf = { .fd = info_r, .events = POLLIN };
		int n = left > 0 ? poll(&pf, 1, (int)(left / 1000000) + 1) : 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			why = "bubblewrap did not say which process is the sandbox in time";
			break;
		}
		ssize_t r = read(info_r, buf + len, sizeof(buf) - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		pid = info_child_pid(buf, len);
	}
	if (pid < 0) {
		/* bubblewrap failed (and says so itself), or is stuck: the
		 * program must not run with an /output nobody collects. */
		if (bw_fd >= 0)
			(void)syscall(SYS_pidfd_send_signal, bw_fd, SIGKILL, NULL, 0);
		if (child->note) {
			static const char tail[] = ": the sandbox was stopped";
			char msg[200];
			size_t m = strlen(why);
			m = m < sizeof(msg) - sizeof(tail) ? m : sizeof(msg) - sizeof(tail);
			memcpy(msg, why, m);
			memcpy(msg + m, tail, sizeof(tail));
			child->note(child, msg);
		}
		_exit(1);
	}

	char path[64] = "/proc/";
	size_t n = strlen(path);
	put_num(path, sizeof(path), &n, (unsigned long long)pid);
	n--; /* over the NUL */
	memcpy(path + n, "/root/output", sizeof("/root/output"));
	uint64_t want = 0;
	int fd = -1;
	why = "/output in the sandbox did not become its tmpfs in time";
	while (mono_ns() < deadline) {
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct statfs sf;
		if (fd >= 0 && fstatfs(fd, &sf) == 0 && sf.f_type == TMPFS_MAGIC && sf.f_bsize > 0) {
			want = (child->output_max_bytes + (uint64_t)sf.f_bsize - 1) / (uint64_t)sf.f_bsize;
			if ((uint64_t)sf.f_blocks == want)
				break;
		}
		if (fd >= 0)
			close(fd);
		fd = -1;
		if (kill(pid, 0) < 0) {
			why = "the sandbox ended during its set-up";
			break;
		}
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
	int e = fd < 0 ? -1 : child->give_output(child, fd);
	if (fd >= 0)
		close(fd);
	if (e) {
		if (e > 0)
			why = "/output's tmpfs could not be handed to the supervisor";
		(void)kill(pid, SIGKILL);
		if (child->note) {
			static const char tail[] = ": the sandbox was stopped";
			char msg[200];
			size_t m = strlen(why);
			m = m < sizeof(msg) - sizeof(tail) ? m : sizeof(msg) - sizeof(tail);
			memcpy(msg, why, m);
			memcpy(msg + m, tail, sizeof(tail));
			child->note(child, msg);
		}
		_exit(1);
	}
	/* The supervisor has the tmpfs: let the program run (bubblewrap goes
	 * on at the byte or at the end of the pipe alike). */
	(void)cordon_write_all(block_w, "1", 1);
	_exit(0);
}

/* /output: a tmpfs of the run's output budget (bubblewrap's --size N
 * --tmpfs /output) whose root the helper hands to the supervisor, or, with
 * a core that takes no such descriptor, the staging directory bound
 * (sampled).  Writes /output's options into the memfd bubblewrap reads. */
static int out_confine(const struct bw_state *s, const struct cordon_child *child, const char **step)
{
	char opts[256];
	size_t n = 0;
	bool tmpfs = child->size >= offsetof(struct cordon_child, give_output) + sizeof(child->give_output) &&
	             child->give_output && child->output_max_bytes;
	if (tmpfs) {
		bool ok = put_str(opts, sizeof(opts), &n, "--info-fd") &&
		          put_num(opts, sizeof(opts), &n, (unsigned)s->out_slot1) &&
		          put_str(opts, sizeof(opts), &n, "--block-fd") &&
		          put_num(opts, sizeof(opts), &n, (unsigned)s->out_slot2) && put_str(opts, sizeof(opts), &n, "--size") &&
		          put_num(opts, sizeof(opts), &n, (unsigned long long)child->output_max_bytes) &&
		          put_str(opts, sizeof(opts), &n, "--perms") && put_str(opts, sizeof(opts), &n, "0777") &&
		          put_str(opts, sizeof(opts), &n, "--tmpfs") && put_str(opts, sizeof(opts), &n, "/output");
		if (!ok) {
			*step = "bwrap: /output's options do not fit";
			return ENAMETOOLONG;
		}
		/* The pipes take the slots (the staging directory's goes). */
		int ip[2], bp[2] = { -1, -1 };
		if (pipe2(ip, O_CLOEXEC) < 0) {
			*step = "bwrap: pipe (bubblewrap's info)";
			return errno;
		}
		if (pipe2(bp, O_CLOEXEC) < 0 || dup2(ip[1], s->out_slot1) < 0 || dup2(bp[0], s->out_slot2) < 0) {
			int e = errno;
			*step = bp[0] < 0 ? "bwrap: pipe (bubblewrap's block)" : "bwrap: dup2 (bubblewrap's info and block pipes)";
			for (int i = 0; i < 2; i++) {
				close(ip[i]);
				if (bp[i] >= 0)
					close(bp[i]);
			}
			return e;
		}
		close(ip[1]);
		close(bp[0]);
		pid_t bubblewrap = getpid();
		pid_t h = fork();
		if (h < 0) {
			int e = errno;
			close(ip[0]);
			close(bp[1]);
			*step = "bwrap: fork (the helper that hands /output's tmpfs to the supervisor)";
			return e;
		}
		if (h == 0)
			out_helper(ip[0], bp[1], child, bubblewrap);
		close(ip[0]);
		close(bp[1]);
	} else {
		if (!put_str(opts, sizeof(opts), &n, "--bind-fd") ||
		    !put_num(opts, sizeof(opts), &n, (unsigned)s->out_slot1) || !put_str(opts, sizeof(opts), &n, "/output") ||
		    !put_str(opts, sizeof(opts), &n, "--block-fd") ||
		    !put_num(opts, sizeof(opts), &n, (unsigned)s->out_slot2)) {
			*step = "bwrap: /output's options do not fit";
			return ENAMETOOLONG;
		}
		if (child->note)
			child->note(child, "/output: this cordon core takes no tmpfs descriptor: the staging directory is bound "
			                   "and only sampled");
	}
	for (size_t off = 0; off < n;) {
		ssize_t w = pwrite(s->out_args, opts + off, n - off, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			*step = "bwrap: write /output's options";
			return w < 0 ? errno : EIO;
		}
		off += (size_t)w;
	}
	return 0;
}

static int bw_confine(void *state, const struct cordon_child *child, const char **step)
{
	const struct bw_state *s = state;
	/* A filter an earlier hook loaded (a module before bwrap; the
	 * seccomp module there is refused at open already) would confine
	 * bubblewrap's own setup (unshare, mount, pivot_root): refuse rather
	 * than fail obscurely.  Filters cordon itself inherited do not
	 * count. */
	if (count_filters() > s->seccomp_before) {
		*step = "bwrap: a seccomp filter is already loaded by a module before bwrap; put bwrap first (the "
		        "seccomp module after bwrap hands its filter to bubblewrap)";
		return EPERM;
	}
	if (child->flags & CORDON_CHILD_ROOT) {
		/* bwrap then runs unprivileged in its own user namespace, and
		 * nothing of the sandbox is host root. */
		int e = cordon_drop_to_ids((uid_t)s->host_uid, (gid_t)s->host_gid, step);
		if (e)
			return e;
	}
	/* After the drop: the helper runs as bubblewrap does. */
	if (s->out_args >= 0)
		return out_confine(s, child, step);
	return 0;
}

/* What `cordon selftest` probes for this view (ABI 1.5), as for the
 * namespaces module: bubblewrap unshares every namespace (the network's
 * unless network: host), mounts a read-only root and leaves the program no
 * capabilities. */
static int bw_requirements(cordon_ctx *ctx, void *state)
{
	(void)state;
	const cordon_node *n = cordon_arg(ctx, "network");
	const char *v = n ? cordon_api(ctx)->node_scalar(n, NULL) : NULL;
	return cordon_require_namespaced_view(ctx, !(v && strcmp(v, "host") == 0));
}

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_module),
	.name = "bwrap",
	.description = "isolation backend: wraps the command in bubblewrap (namespaces, binds, tmpfs, /proc, /dev)",
	.flags = CORDON_MOD_ISOLATION | CORDON_MOD_RELAYS_SIGNALS | CORDON_MOD_STAGE(CORDON_STAGE_ISOLATION),
	.args = args,
	.open = bw_open,
	.prepare = bw_prepare,
	.confine = bw_confine,
	.finish = bw_finish,
	.close = bw_close,
	.requirements = bw_requirements,
};
