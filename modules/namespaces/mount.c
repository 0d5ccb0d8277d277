/*
 * modules/namespaces/mount.c - the sandbox's file system view.
 *
 * Parent (open): the bind list - sensible defaults for python3 and coreutils
 * plus the policy's `bind_ro` - canonicalised, checked and sorted so that a
 * parent directory is mounted before anything beneath it.
 *
 * Child (pid 1 of the new pid namespace, in the new mount namespace), in
 * this order:
 *   1. / recursively private: nothing propagates to or from the host
 *   2. every bind source opened (O_PATH) while the host tree is intact, so
 *      that a source under /tmp is not hidden by step 3 and symlinks resolve
 *      against the host root
 *   3. a fresh tmpfs on /tmp becomes the new root under construction (as
 *      bubblewrap's base directory); cwd moves into it and every path below
 *      is relative to it
 *   4. symlinks of a merged /usr (bin -> usr/bin ...)
 *   5. /dev: tmpfs with null, zero, full, random, urandom bound from the host,
 *      fd/stdin/stdout/stderr links, /dev/shm tmpfs with a size cap; read-only
 *   6. /proc: a fresh proc of the new pid namespace; nested user namespaces
 *      disabled (user.max_user_namespaces is per user namespace); kcore,
 *      keys, timer_list, sched_debug, sysrq-trigger... masked with /dev/null,
 *      acpi and scsi with an empty read-only tmpfs, /proc/sys read-only (as
 *      runc's masked and read-only paths, less those only host root can
 *      use: /proc/irq, bus and fs are writable by host root alone, the
 *      kpage* files and kallsyms' addresses readable by it alone - each mount
 *      costs at setup and teardown)
 *   7. /tmp: tmpfs with size and inode caps
 *   8. read-only binds (policy, then --bind-ro at the same path), /output
 *      writable, /input (--input-dir) read-only and noexec; each bind is
 *      remounted nosuid,nodev (noexec for /output), read-only where asked,
 *      keeping the source mount's locked flags
 *   9. /etc/passwd, /etc/group, /etc/hosts written for the sandbox's ids
 *  10. the new root remounted read-only, pivot_root(".", "."); the old root,
 *      now stacked on the new one, is detached by ns_detach_old_root - by
 *      pid 1, while pid 2 goes on (see namespaces.c)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "namespaces.h"
#include <cordon/modutil.h>

#define MAX_POLICY_BINDS 128
#define MAX_FDS 256 /* policy binds + --bind-ro + output + input */

static const char *const default_binds[] = {
	"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
	"/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives", NULL,
};

/* ---- parent ---- */

static int add_bind(struct ns_state *s, enum bind_kind kind, char *src, const char *dst, bool optional)
{
	if (s->n_binds >= MAX_POLICY_BINDS) {
		free(src);
		return -1;
	}
	struct ns_bind *nb = realloc(s->binds, (s->n_binds + 1) * sizeof(*nb));
	if (!nb) {
		free(src);
		return -1;
	}
	s->binds = nb;
	char *d = strdup(dst);
	if (!d) {
		free(src);
		return -1;
	}
	s->binds[s->n_binds++] = (struct ns_bind){ .kind = kind, .src = src, .dst = d, .optional = optional };
	return 0;
}

/* A default entry: skipped when missing, recreated as a symlink when it is one. */
static int add_default(struct ns_state *s, const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return 0; /* not on this host */
	if (S_ISLNK(st.st_mode)) {
		char buf[PATH_MAX];
		ssize_t n = readlink(path, buf, sizeof(buf) - 1);
		if (n <= 0)
			return 0;
		buf[n] = '\0';
		char *t = strdup(buf);
		return t ? add_bind(s, BIND_SYMLINK, t, path + 1, true) : -1;
	}
	char *real = realpath(path, NULL);
	if (!real)
		return 0;
	return add_bind(s, BIND_RO, real, path + 1, true);
}

static int cmp_bind(const void *a, const void *b)
{
	return strcmp(((const struct ns_bind *)a)->dst, ((const struct ns_bind *)b)->dst);
}

/* Paths the sandbox mounts itself: a bind there would be hidden or hide them. */
bool ns_reserved(const char *dst)
{
	static const char *const r[] = { "tmp", "dev", "proc", "output", "input", NULL };
	for (size_t i = 0; r[i]; i++) {
		size_t n = strlen(r[i]);
		if (strncmp(dst, r[i], n) == 0 && (dst[n] == '\0' || dst[n] == '/'))
			return true;
	}
	return false;
}

int ns_binds_open(cordon_ctx *ctx, struct ns_state *s)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	int defaults = 1;
	const cordon_node *n = cordon_arg(ctx, "default_binds");
	if (n && api->node_bool(ctx, n, &defaults) < 0)
		return -1;
	if (defaults) {
		for (size_t i = 0; default_binds[i]; i++)
			if (add_default(s, default_binds[i]) < 0)
				return cordon_error(ctx, NULL, "out of memory");
	}
	size_t n_defaults = s->n_binds;
	n = cordon_arg(ctx, "bind_ro");
	size_t count = !n ? 0 : api->node_type(n) == CORDON_NODE_SCALAR ? 1 : api->node_len(n);
	for (size_t i = 0; i < count; i++) {
		const cordon_node *item = api->node_type(n) == CORDON_NODE_SCALAR ? n : api->node_at(n, i);
		const char *path = api->node_scalar(item, NULL);
		if (!path || path[0] != '/')
			return cordon_error(ctx, item, "bind_ro: expected an absolute path, got '%s'",
			                    path ? path : "");
		char *real = realpath(path, NULL);
		if (!real)
			return cordon_error(ctx, item, "bind_ro: missing bind source %s: %s", path, strerror(errno));
		if (strcmp(real, "/") == 0) {
			free(real);
			return cordon_error(ctx, item, "bind_ro: %s would show the whole host file system", path);
		}
		if (ns_reserved(real + 1)) {
			int r = cordon_error(ctx, item,
			                     "bind_ro: %s is at or under /tmp, /dev, /proc, /output or /input, which the "
			                     "sandbox mounts itself",
			                     real);
			free(real);
			return r;
		}
		for (size_t k = 0; k < s->n_binds; k++) {
			if (strcmp(s->binds[k].dst, real + 1) != 0)
				continue;
			if (k >= n_defaults) {
				int r = cordon_error(ctx, item, "bind_ro: %s is listed twice", real);
				free(real);
				return r;
			}
			s->binds[k].optional = false; /* a default the policy names: now required */
			free(real);
			real = NULL;
			break;
		}
		if (!real)
			continue;
		if (add_bind(s, BIND_RO, real, real + 1, false) < 0) /* copies dst before any free */
			return cordon_error(ctx, item, "bind_ro: at most %d binds (or out of memory)", MAX_POLICY_BINDS);
	}
	if (s->n_binds)
		qsort(s->binds, s->n_binds, sizeof(*s->binds), cmp_bind);
	return 0;
}

/* ---- child ---- */

static char stepbuf[200]; /* the failing step with its path, for *step */

static const char *step_path(const char *what, const char *path)
{
	size_t i = 0;
	for (const char *p = what; *p && i < sizeof(stepbuf) - 1; p++)
		stepbuf[i++] = *p;
	for (const char *p = path; *p && i < sizeof(stepbuf) - 1; p++)
		stepbuf[i++] = *p;
	stepbuf[i] = '\0';
	return stepbuf;
}

/* mkdir -p of the directories above rel (relative, modifiable copy). */
static int mkdir_parents(char *rel)
{
	for (char *p = rel + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int r = mkdir(rel, 0755);
		int e = errno;
		*p = '/';
		if (r < 0 && e != EEXIST)
			return e;
	}
	return 0;
}

/* Make sure rel exists as a mount point: a directory or an empty file. */
static int mountpoint(const char *rel, bool dir)
{
	struct stat st;
	if (lstat(rel, &st) == 0)
		return S_ISLNK(st.st_mode) ? ELOOP : 0;
	if (errno != ENOENT)
		return errno;
	char copy[PATH_MAX];
	if (ns_join(copy, sizeof(copy), rel, "") != 0)
		return ENAMETOOLONG;
	int e = mkdir_parents(copy);
	if (e)
		return e;
	if (dir)
		return mkdir(rel, 0755) < 0 && errno != EEXIST ? errno : 0;
	int fd = open(rel, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444);
	if (fd < 0)
		return errno == EEXIST ? 0 : errno;
	close(fd);
	return 0;
}

/* Mount flags the source mount has and a bind in a user namespace must
 * keep (the kernel locks them); atime flags are kept by the remount itself. */
static unsigned long kept_flags(const char *rel)
{
	struct statfs sf;
	if (statfs(rel, &sf) < 0)
		return 0;
	unsigned long f = 0;
	if (sf.f_flags & ST_RDONLY)
		f |= MS_RDONLY;
	if (sf.f_flags & ST_NOEXEC)
		f |= MS_NOEXEC;
	return f;
}

/* Bind the host object open at fd onto rel and remount it with our flags. */
static int bind_fd(int fd, const char *rel, bool ro, bool noexec, const char **step, const char *name)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		*step = step_path("bind: stat ", name);
		return errno;
	}
	int e = mountpoint(rel, S_ISDIR(st.st_mode));
	if (e) {
		*step = step_path(e == ELOOP ? "bind: the mount point is a symlink in the sandbox: /"
		                             : "bind: cannot create the mount point /",
		                  rel);
		return e;
	}
	char src[40] = "/proc/self/fd/";
	size_t k = strlen(src);
	size_t d = ns_fmt_uint(src + k, sizeof(src) - k - 1, (unsigned)fd);
	src[k + d] = '\0';
	if (mount(src, rel, NULL, MS_BIND, NULL) < 0) {
		e = errno;
		*step = step_path(e == EINVAL ? "bind: mount (other mounts beneath it?) " : "bind: mount ", name);
		return e;
	}
	unsigned long f = MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV;
	if (ro)
		f |= MS_RDONLY;
	if (noexec)
		f |= MS_NOEXEC;
	/* EPERM: the source mount has locked flags (noexec, ro) to keep. */
	if (mount(NULL, rel, NULL, f, NULL) < 0 && (errno != EPERM || mount(NULL, rel, NULL, f | kept_flags(rel), NULL) < 0)) {
		*step = step_path("bind: remount nosuid,nodev,ro ", name);
		return errno;
	}
	return 0;
}

static int mount_tmpfs(const char *rel, unsigned long flags, const char *opts, const char **step,
                       const char *name)
{
	if (mkdir(rel, 0755) < 0 && errno != EEXIST) {
		*step = step_path("mkdir /", rel);
		return errno;
	}
	if (mount("tmpfs", rel, "tmpfs", flags, opts) < 0) {
		*step = name;
		return errno;
	}
	return 0;
}

static int setup_dev(const struct ns_state *s, const char **step)
{
	static const char *const devs[] = { "null", "zero", "full", "random", "urandom", NULL };
	static const char *const links[][2] = {
		{ "dev/fd", "/proc/self/fd" },
		{ "dev/stdin", "/proc/self/fd/0" },
		{ "dev/stdout", "/proc/self/fd/1" },
		{ "dev/stderr", "/proc/self/fd/2" },
	};
	int e = mount_tmpfs("dev", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k,nr_inodes=64", step,
	                    "mount tmpfs on /dev");
	if (e)
		return e;
	for (size_t i = 0; devs[i]; i++) {
		char host[32], rel[32];
		if (ns_join(host, sizeof(host), "/dev/", devs[i]) || ns_join(rel, sizeof(rel), "dev/", devs[i]))
			return ENAMETOOLONG;
		int fd = open(rel, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
		if (fd < 0) {
			*step = step_path("create /", rel);
			return errno;
		}
		close(fd);
		/* A device bind keeps the host mount's flags: nodev would
		 * make the device unusable. */
		if (mount(host, rel, NULL, MS_BIND, NULL) < 0) {
			*step = step_path("bind the host's ", host);
			return errno;
		}
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlink(links[i][1], links[i][0]) < 0) {
			*step = step_path("symlink /", links[i][0]);
			return errno;
		}
	e = mount_tmpfs("dev/shm", MS_NOSUID | MS_NODEV | (s->exec_tmp ? 0 : MS_NOEXEC), s->shm_opts, step,
	                "mount tmpfs on /dev/shm");
	if (e)
		return e;
	if (mount(NULL, "dev", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL) < 0) {
		*step = "remount /dev read-only";
		return errno;
	}
	return 0;
}

static int setup_proc(const struct ns_state *s, const char **step)
{
	/* Masked as runc and Docker do: kernel memory, keys, scheduler and
	 * timer internals; then read-only: everything that configures the
	 * kernel. */
	static const char *const mask_files[] = {
		"proc/kcore",         "proc/keys",        "proc/timer_list", "proc/sched_debug",
		"proc/latency_stats", "proc/timer_stats", "proc/sysrq-trigger", NULL,
	};
	static const char *const mask_dirs[] = { "proc/acpi", "proc/scsi", NULL };
	static const char *const ro_dirs[] = { "proc/sys", NULL };

	if (mkdir("proc", 0755) < 0) {
		*step = "mkdir /proc";
		return errno;
	}
	if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		*step = "mount proc (a host /proc partly hidden by other mounts makes the kernel refuse)";
		return errno;
	}
	if (!s->nested_userns) {
		int e = cordon_write_file("proc/sys/user/max_user_namespaces", "0\n", 2);
		if (e) {
			*step = "write /proc/sys/user/max_user_namespaces (disable nested user namespaces)";
			return e;
		}
	}
	for (size_t i = 0; mask_files[i]; i++) {
		if (mount("/dev/null", mask_files[i], NULL, MS_BIND, NULL) < 0 && errno != ENOENT) {
			*step = step_path("mask /", mask_files[i]);
			return errno;
		}
	}
	for (size_t i = 0; mask_dirs[i]; i++) {
		if (mount("tmpfs", mask_dirs[i], "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		          "size=4k,nr_inodes=1,mode=0555") < 0 &&
		    errno != ENOENT) {
			*step = step_path("mask /", mask_dirs[i]);
			return errno;
		}
	}
	for (size_t i = 0; ro_dirs[i]; i++) {
		if (mount(ro_dirs[i], ro_dirs[i], NULL, MS_BIND, NULL) < 0) {
			if (errno == ENOENT)
				continue;
			*step = step_path("bind /", ro_dirs[i]);
			return errno;
		}
		if (mount(NULL, ro_dirs[i], NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		          NULL) < 0) {
			*step = step_path("remount read-only /", ro_dirs[i]);
			return errno;
		}
	}
	return 0;
}

static int write_new(const char *rel, const char *data, size_t len)
{
	struct stat st;
	if (lstat(rel, &st) == 0)
		return 0; /* bound from the host by the policy: keep it */
	char copy[PATH_MAX];
	if (ns_join(copy, sizeof(copy), rel, "") != 0)
		return ENAMETOOLONG;
	int e = mkdir_parents(copy);
	if (e)
		return e;
	int fd = open(rel, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444);
	if (fd < 0)
		return errno;
	while (len) {
		ssize_t w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = w < 0 ? errno : EIO;
			close(fd);
			return e;
		}
		data += w;
		len -= (size_t)w;
	}
	close(fd);
	return 0;
}

/* The tmpfs options of /output: "mode=0777,size=BYTES,nr_inodes=N" (the
 * root is an inode too).  0 or ENAMETOOLONG. */
static int output_opts(char *buf, size_t cap, uint64_t bytes, uint64_t entries)
{
	static const char a[] = "mode=0777,size=", b[] = ",nr_inodes=";
	size_t n = 0, d;
	if (cap < sizeof(a) + sizeof(b) + 2 * 21)
		return ENAMETOOLONG;
	memcpy(buf, a, sizeof(a) - 1);
	n = sizeof(a) - 1;
	if (!(d = ns_fmt_uint(buf + n, cap - n - 1, (unsigned long long)bytes)))
		return ENAMETOOLONG;
	n += d;
	memcpy(buf + n, b, sizeof(b) - 1);
	n += sizeof(b) - 1;
	if (!(d = ns_fmt_uint(buf + n, cap - n - 1, (unsigned long long)entries + 1)))
		return ENAMETOOLONG;
	n += d;
	buf[n] = '\0';
	return 0;
}

/* /output as a tmpfs of the run's output budget, its root handed to the
 * supervisor (give_output), which collects from it after the run: the
 * kernel bounds what the program leaves there (ENOSPC).  0, or an errno
 * and nothing mounted: the caller then binds the staging directory, which
 * the supervisor only samples. */
static int output_tmpfs(const struct ns_state *s, const struct cordon_child *child, const char **step)
{
	if (child->size < offsetof(struct cordon_child, give_output) + sizeof(child->give_output) ||
	    !child->give_output || !child->output_max_bytes || !child->output_max_entries ||
	    child->output_max_entries == UINT64_MAX) {
		*step = "this cordon core takes no tmpfs for /output";
		return ENOTSUP;
	}
	char opts[128];
	int e = output_opts(opts, sizeof(opts), child->output_max_bytes, child->output_max_entries);
	if (e) {
		*step = "the tmpfs options of /output";
		return e;
	}
	if ((e = mount_tmpfs("output", MS_NOSUID | MS_NODEV | (s->exec_tmp ? 0 : MS_NOEXEC), opts, step,
	                     "mount tmpfs on /output")))
		return e;
	int fd = open("output", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		*step = "open /output (its tmpfs)";
	} else if ((e = child->give_output(child, fd))) {
		*step = "hand /output's tmpfs to the supervisor";
	}
	if (fd >= 0)
		close(fd);
	if (e)
		(void)umount2("output", MNT_DETACH);
	return e;
}

/* A caller's path (--bind-ro, --output-dir), canonical when the core
 * checked it: opened as O_PATH without following any symlink or magic link,
 * so a path swapped for a symlink since (to /proc, say) fails (ELOOP)
 * instead of being bound.  A raw system call: async-signal-safe. */
static int open_no_links(const char *path, bool dir)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC | (dir ? O_DIRECTORY : 0),
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS) /* before Linux 5.6: the last component at least */
		fd = open(path, O_PATH | O_CLOEXEC | O_NOFOLLOW | (dir ? O_DIRECTORY : 0));
	return fd;
}

static void close_fds(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

int ns_mount_setup(const struct ns_state *s, const struct cordon_child *child, const char **step)
{
	int fds[MAX_FDS];
	size_t nfd = 0;
	int e;

	/* 1 */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		*step = "mount --make-rprivate /";
		return errno;
	}

	/* 2: policy binds, then --bind-ro, then the output and input directories */
	for (size_t i = 0; i < s->n_binds; i++) {
		if (s->binds[i].kind != BIND_RO) {
			fds[nfd++] = -1;
			continue;
		}
		int fd = open(s->binds[i].src, O_PATH | O_CLOEXEC);
		if (fd < 0 && !(s->binds[i].optional && errno == ENOENT)) {
			e = errno;
			close_fds(fds, nfd);
			*step = step_path("missing bind source ", s->binds[i].src);
			return e;
		}
		fds[nfd++] = fd;
	}
	size_t first_cli = nfd;
	for (size_t i = 0; child->bind_ro && child->bind_ro[i]; i++) {
		if (nfd >= MAX_FDS - 2) {
			close_fds(fds, nfd);
			*step = "too many --bind-ro paths";
			return E2BIG;
		}
		int fd = open_no_links(child->bind_ro[i], false);
		if (fd < 0) {
			e = errno;
			close_fds(fds, nfd);
			*step = step_path("missing bind source (--bind-ro) ", child->bind_ro[i]);
			return e;
		}
		fds[nfd++] = fd;
	}
	int out_fd = -1;
	if (child->output_dir) {
		out_fd = open_no_links(child->output_dir, true);
		if (out_fd < 0) {
			e = errno;
			close_fds(fds, nfd);
			*step = step_path("open the output directory ", child->output_dir);
			return e;
		}
		fds[nfd++] = out_fd;
	}
	/* --input-dir (ABI 1.5): the caller's directory, opened as the
	 * output directory is. */
	const char *in_dir = child->size >= offsetof(struct cordon_child, input_dir) + sizeof(child->input_dir)
	                             ? child->input_dir
	                             : NULL;
	int in_fd = -1;
	if (in_dir) {
		in_fd = open_no_links(in_dir, true);
		if (in_fd < 0) {
			e = errno;
			close_fds(fds, nfd);
			*step = step_path("open the input directory (--input-dir) ", in_dir);
			return e;
		}
		fds[nfd++] = in_fd;
	}

	/* 3 */
	if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m,nr_inodes=4096") < 0) {
		e = errno;
		*step = "mount the new root (tmpfs on /tmp)";
		goto fail;
	}
	if (chdir("/tmp") < 0) {
		e = errno;
		*step = "chdir into the new root";
		goto fail;
	}

	/* 4 */
	for (size_t i = 0; i < s->n_binds; i++) {
		if (s->binds[i].kind != BIND_SYMLINK)
			continue;
		char copy[PATH_MAX];
		if ((e = ns_join(copy, sizeof(copy), s->binds[i].dst, "")) || (e = mkdir_parents(copy)) ||
		    (symlink(s->binds[i].src, s->binds[i].dst) < 0 && (e = errno))) {
			*step = step_path("symlink /", s->binds[i].dst);
			goto fail;
		}
	}

	/* 5, 6, 7 */
	if ((e = setup_dev(s, step)) || (e = setup_proc(s, step)))
		goto fail;
	if ((e = mount_tmpfs("tmp", MS_NOSUID | MS_NODEV | (s->exec_tmp ? 0 : MS_NOEXEC), s->tmp_opts, step,
	                     "mount tmpfs on /tmp")))
		goto fail;
	if (chmod("tmp", 01777) < 0) {
		e = errno;
		*step = "chmod /tmp";
		goto fail;
	}

	/* 8 */
	for (size_t i = 0; i < s->n_binds; i++) {
		if (s->binds[i].kind != BIND_RO || fds[i] < 0)
			continue;
		if ((e = bind_fd(fds[i], s->binds[i].dst, true, false, step, s->binds[i].src)))
			goto fail;
	}
	for (size_t i = first_cli, k = 0; child->bind_ro && child->bind_ro[k]; i++, k++) {
		const char *p = child->bind_ro[k];
		while (*p == '/')
			p++;
		if (!*p) {
			e = EINVAL;
			*step = "--bind-ro /: would show the whole host file system";
			goto fail;
		}
		if ((e = bind_fd(fds[i], p, true, false, step, child->bind_ro[k])))
			goto fail;
	}
	if (out_fd >= 0) {
		const char *why = NULL;
		int te = output_tmpfs(s, child, &why);
		if (te && child->note) {
			/* The staging directory instead: sampled, not bounded.
			 * (No strerror here: not async-signal-safe.) */
			static const char pre[] = "/output: no tmpfs of its own (", mid[] = ", errno ";
			char msg[200];
			size_t n = sizeof(pre) - 1, l = strlen(why);
			memcpy(msg, pre, n);
			l = l < 100 ? l : 100;
			memcpy(msg + n, why, l);
			n += l;
			memcpy(msg + n, mid, sizeof(mid) - 1);
			n += sizeof(mid) - 1;
			n += ns_fmt_uint(msg + n, 24, (unsigned long long)te);
			msg[n++] = ')';
			msg[n] = '\0';
			child->note(child, msg);
		}
		if (te && (e = bind_fd(out_fd, "output", false, !s->exec_tmp, step, child->output_dir)))
			goto fail;
	}
	/* /input: read-only, nosuid, nodev, noexec; not recursive, so
	 * nothing mounted beneath the directory comes along, and a symlink in
	 * it resolves in the sandbox's view, never the host's. */
	if (in_fd >= 0 && (e = bind_fd(in_fd, "input", true, true, step, in_dir)))
		goto fail;

	/* 9 */
	for (size_t i = 0; i < s->n_files; i++) {
		if ((e = write_new(s->files[i].dst, s->files[i].data, s->files[i].len))) {
			*step = step_path("write /", s->files[i].dst);
			goto fail;
		}
	}
	close_fds(fds, nfd);
	nfd = 0;

	/* 10: the new root read-only while it is still the cwd (after
	 * pivot_root "/" would be ambiguous until the old root, stacked on it,
	 * is detached), then pivot_root.  The caller detaches the old root
	 * (ns_detach_old_root) - or has another process of this mount
	 * namespace do it - before anything of the program runs. */
	if (mount(NULL, ".", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0) {
		*step = "remount the new root read-only";
		return errno;
	}
	if (syscall(SYS_pivot_root, ".", ".") < 0) {
		*step = "pivot_root";
		return errno;
	}
	if (chdir("/") < 0) {
		*step = "chdir /";
		return errno;
	}
	return 0;
fail:
	close_fds(fds, nfd);
	return e;
}

/* Detach the old root that pivot_root(".", ".") left stacked on the new
 * root: "/" looked up as a mount point resolves to the topmost mount there.
 * Any process of the mount namespace whose root pivot_root moved can do it
 * (pid 1 does, so that the RCU grace period the detach waits for overlaps
 * with pid 2's remaining set-up). */
int ns_detach_old_root(void)
{
	return umount2("/", MNT_DETACH) < 0 ? errno : 0;
}
