/*
 * core/outputs.c - --output-dir: output collected, not shared.
 *
 * The caller's directory is never shown to the program.  What the program
 * sees at /output is, in order of preference:
 *
 *   - a tmpfs of the budget's size (size= the rlimit module's output_dir,
 *     nr_inodes= its output_files plus the root), made by a backend that
 *     can mount (namespaces, in its mount namespace, as root or not; bwrap
 *     with bubblewrap's --size, which has no inode cap: the entries are
 *     then still sampled): the backend hands the tmpfs's root directory to
 *     the supervisor before the program runs (struct cordon_child's
 *     give_output: SCM_RIGHTS on the control socket; from bwrap's helper
 *     this comes after the exec of bubblewrap, which holds the program
 *     back meanwhile), so the kernel holds the budget - a write past it
 *     fails in the program with ENOSPC - and the files outlive the
 *     sandbox's mount namespace for as long as the supervisor holds that
 *     descriptor;
 *
 *   - else a private staging directory (TMPDIR/cordon-out.XXXXXX, mode
 *     0711, holding "o", mode 0777, whatever uid the sandbox writes as),
 *     which the backend shows at /output or at its own path (landlock,
 *     which cannot mount; the program finds it in $CORDON_OUTPUT_DIR).  Nothing in the kernel bounds that directory:
 *     the supervisor samples it (bytes and entries) every OUTPUT_SAMPLE_MS
 *     and ends the run, with limit "output_dir", once it is over the
 *     budget, so the program can write what it writes in that interval
 *     past it.  A warning says so.
 *
 * The result's usage.output_dir_enforced_by says which held ("tmpfs" or
 * "supervisor").  After the run, with nothing of the program left alive,
 * the supervisor copies what is there into the caller's directory:
 *
 *   - regular files and directories only; symbolic links, devices, FIFOs and
 *     sockets are neither followed nor created (a warning names them);
 *   - every name is looked up relative to a directory descriptor, never
 *     following a symlink (O_NOFOLLOW, openat2 with RESOLVE_NO_SYMLINKS for
 *     the caller's directory itself), so a symlink the program planted, or
 *     one someone put into the caller's directory, leads nowhere;
 *   - a file is written to a temporary name and renamed into place, so an
 *     existing entry (a file, a planted symlink) is replaced, not written
 *     through; a name with control characters is skipped;
 *   - as the invoking user (cordon's own identity), mode 0644 (directories
 *     0755), up to the same budget (exactly: the tmpfs rounds its size up
 *     to whole pages);
 *
 * and lists each file in the result: outputs: [{path, size, sha256}].  A
 * tmpfs that is full (no block or no inode left) is reported as limit
 * "output_dir" with a warning.  The staging directory is then removed and
 * the tmpfs descriptor closed (the tmpfs goes with it).  It works the same
 * for every backend and as root or not.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/magic.h>
#include <linux/openat2.h>

#include "hash.h"
#include "internal.h"

#define OUTPUT_MAX_DEPTH 32
#define COPY_CHUNK 65536

static int open_dir_no_links(const char *path)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd;
}

/* A new descriptor of the same directory with its own offset (dup would
 * share the offset, and a second walk would start where the first ended). */
static int reopen_dir(int dirfd)
{
	return openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

void outputs_init(struct outputs *o)
{
	memset(o, 0, sizeof(*o));
	o->staging_fd = o->dest_fd = o->tmpfs_fd = -1;
}

int outputs_take_tmpfs(struct outputs *o, int fd, cordon_result *r)
{
	struct stat st;
	struct statfs sf;
	const char *why = NULL;
	if (o->staging_fd < 0)
		why = "this run has no --output-dir";
	else if (o->tmpfs_fd >= 0)
		why = "a second one";
	else if (fstat(fd, &st) < 0 || fstatfs(fd, &sf) < 0)
		why = strerror(errno);
	else if (!S_ISDIR(st.st_mode) || sf.f_type != TMPFS_MAGIC)
		why = "not a tmpfs directory";
	else if (sf.f_blocks == 0 || sf.f_bsize <= 0 ||
	         (uint64_t)sf.f_blocks > (o->max_bytes + (uint64_t)sf.f_bsize - 1) / (uint64_t)sf.f_bsize)
		why = "its size is not the output_dir budget";
	if (why) {
		result_warn(r, "outputs: the backend's tmpfs for /output was refused (%s): what the program writes "
		               "there is not collected",
		            why);
		return -1;
	}
	/* A descriptor of its own for reading (the backend's may be O_PATH). */
	int rd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rd < 0) {
		result_warn(r, "outputs: the backend's tmpfs for /output cannot be read: %s", strerror(errno));
		return -1;
	}
	close(fd);
	o->tmpfs_fd = rd;
	/* No inode cap of the budget's (bubblewrap has no nr_inodes): the
	 * entries are still sampled. */
	o->sample_entries = sf.f_files == 0 || (uint64_t)sf.f_files > o->max_entries + 1;
	return 0;
}

int outputs_begin(struct outputs *o, const char *dest, cordon_result *r)
{
	o->dest_fd = open_dir_no_links(dest);
	if (o->dest_fd < 0) {
		result_set_error(r, CORDON_EXIT_ERROR, "--output-dir %s: %s%s", dest, strerror(errno),
		                 errno == ELOOP ? " (it became a symbolic link after it was checked)" : "");
		return -1;
	}
	const char *tmp = getenv("TMPDIR");
	if (!tmp || tmp[0] != '/')
		tmp = "/tmp";
	o->parent = xasprintf("%s/cordon-out.XXXXXX", tmp);
	if (!o->parent || !mkdtemp(o->parent)) {
		result_set_error(r, CORDON_EXIT_ERROR, "cannot make a staging directory for --output-dir in %s: %s", tmp,
		                 strerror(errno));
		free(o->parent);
		o->parent = NULL;
		return -1;
	}
	o->staging = xasprintf("%s/o", o->parent);
	/* The parent only lets the sandbox's uid through to "o"; "o" is
	 * writable by whatever uid the backend gives the program. */
	if (!o->staging || chmod(o->parent, 0711) < 0 || mkdir(o->staging, 0700) < 0 || chmod(o->staging, 0777) < 0 ||
	    (o->staging_fd = open_dir_no_links(o->staging)) < 0) {
		result_set_error(r, CORDON_EXIT_ERROR, "cannot make a staging directory for --output-dir in %s: %s", tmp,
		                 strerror(errno));
		return -1;
	}
	return 0;
}

/* Bytes (allocated blocks and sizes, the larger) and entries below dirfd;
 * stops counting once over both budgets. */
static void measure(int dirfd, int depth, uint64_t *bytes, uint64_t *entries, const struct outputs *o)
{
	if (depth > OUTPUT_MAX_DEPTH)
		return;
	int fd = reopen_dir(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)) && (*bytes <= o->max_bytes || o->tmpfs_fd >= 0) && *entries <= o->max_entries) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		struct stat st;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		(*entries)++;
		uint64_t alloc = (uint64_t)st.st_blocks * 512;
		*bytes += alloc > (uint64_t)st.st_size ? alloc : (uint64_t)st.st_size;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				measure(sub, depth + 1, bytes, entries, o);
				close(sub);
			}
		}
	}
	closedir(d);
}

bool outputs_over(struct outputs *o)
{
	if (o->staging_fd < 0 || (o->tmpfs_fd >= 0 && !o->sample_entries))
		return false;
	uint64_t bytes = 0, entries = 0;
	measure(o->tmpfs_fd >= 0 ? o->tmpfs_fd : o->staging_fd, 0, &bytes, &entries, o);
	if (bytes > o->peak_bytes)
		o->peak_bytes = bytes;
	/* In a tmpfs the kernel holds the bytes (to whole pages: not a
	 * reason to end the run). */
	return (o->tmpfs_fd < 0 && bytes > o->max_bytes) || entries > o->max_entries;
}

/* Copy one regular file: src (open, read-only) to name in dstdir, through
 * a temporary name renamed into place.  Hashes as it copies. */
static int copy_file(int src, int dstdir, const char *name, uint64_t budget, uint64_t *size, char *hex,
                     const char **why)
{
	char tmpname[64];
	static unsigned seq;
	snprintf(tmpname, sizeof(tmpname), ".cordon-output.%d.%u", (int)getpid(), ++seq);
	int out = openat(dstdir, tmpname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (out < 0) {
		*why = strerror(errno);
		return -1;
	}
	struct sha256_ctx h;
	const char *herr = sha256_begin(&h);
	char *buf = malloc(COPY_CHUNK);
	int rc = -1;
	*size = 0;
	if (herr || !buf) {
		*why = herr ? herr : "out of memory";
		goto out;
	}
	for (;;) {
		ssize_t n = read(src, buf, COPY_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*why = strerror(errno);
			goto out;
		}
		if (n == 0)
			break;
		if ((uint64_t)n > budget - *size) {
			*why = "over the output_dir budget";
			goto out;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				*why = w < 0 ? strerror(errno) : "short write";
				goto out;
			}
			off += w;
		}
		sha256_feed(&h, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	if (close(out) < 0) {
		out = -1;
		*why = strerror(errno);
		goto out;
	}
	out = -1;
	if (renameat(dstdir, tmpname, dstdir, name) < 0) {
		*why = errno == EISDIR ? "a directory of that name is in the way" : strerror(errno);
		goto out;
	}
	sha256_end_hex(&h, hex);
	rc = 0;
out:
	free(buf);
	if (out >= 0)
		close(out);
	if (rc < 0)
		(void)unlinkat(dstdir, tmpname, 0);
	return rc;
}

static bool plain_name(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static int add_output(cordon_result *r, const char *path, uint64_t size, const char *hex)
{
	if (r->n_outputs == r->cap_outputs) {
		size_t cap = r->cap_outputs ? r->cap_outputs * 2 : 16;
		struct output *v = realloc(r->outputs, cap * sizeof(*v));
		if (!v)
			return -1;
		r->outputs = v;
		r->cap_outputs = cap;
	}
	struct output *x = &r->outputs[r->n_outputs];
	if (!(x->path = xstrdup(path)))
		return -1;
	x->size = size;
	memcpy(x->sha256, hex, sizeof(x->sha256));
	r->n_outputs++;
	return 0;
}

static void collect_dir(struct outputs *o, int src, int dst, const char *rel, int depth, cordon_result *r)
{
	int fd = reopen_dir(src);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		result_warn(r, "outputs: cannot read %s: %s", *rel ? rel : "/output", strerror(errno));
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *name = de->d_name;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		char *path = *rel ? xasprintf("%s/%s", rel, name) : xstrdup(name);
		if (!path)
			break;
		struct stat st;
		if (++o->entries > o->max_entries) {
			if (!o->over)
				result_warn(r, "outputs: more than %llu files and directories: the rest was not copied",
				            (unsigned long long)o->max_entries);
			o->over = true;
		} else if (!plain_name(name)) {
			result_warn(r, "outputs: a name with control characters was not copied");
		} else if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			result_warn(r, "outputs: %s: %s", path, strerror(errno));
		} else if (S_ISREG(st.st_mode)) {
			int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
			struct stat ist;
			const char *why = NULL;
			uint64_t size = 0;
			char hex[SHA256_HEX_LEN + 1];
			if (in < 0 || fstat(in, &ist) < 0 || !S_ISREG(ist.st_mode))
				why = in < 0 ? strerror(errno) : "not a regular file any more";
			else if (o->copied >= o->max_bytes)
				why = "over the output_dir budget";
			else if (copy_file(in, dst, name, o->max_bytes - o->copied, &size, hex, &why) == 0 &&
			         add_output(r, path, size, hex) < 0)
				why = "out of memory";
			if (in >= 0)
				close(in);
			o->copied += size;
			if (why) {
				if (strcmp(why, "over the output_dir budget") == 0)
					o->over = true;
				result_warn(r, "outputs: %s was not copied: %s", path, why);
			}
		} else if (S_ISDIR(st.st_mode)) {
			int sub_src = -1, sub_dst = -1;
			if (depth >= OUTPUT_MAX_DEPTH) {
				result_warn(r, "outputs: %s: deeper than %d directories, not copied", path, OUTPUT_MAX_DEPTH);
			} else if ((mkdirat(dst, name, 0755) < 0 && errno != EEXIST) ||
			           (sub_dst = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
			           (sub_src = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
				result_warn(r, "outputs: %s/: %s", path,
				            errno == ELOOP || errno == ENOTDIR ? "something other than a directory is in the way"
				                                               : strerror(errno));
			} else {
				collect_dir(o, sub_src, sub_dst, path, depth + 1, r);
			}
			if (sub_src >= 0)
				close(sub_src);
			if (sub_dst >= 0)
				close(sub_dst);
		} else {
			result_warn(r, "outputs: %s is a %s, not copied (only regular files and directories are)", path,
			            S_ISLNK(st.st_mode)    ? "symbolic link"
			            : S_ISFIFO(st.st_mode) ? "FIFO"
			            : S_ISSOCK(st.st_mode) ? "socket"
			                                   : "device");
		}
		free(path);
	}
	closedir(d);
}

void outputs_collect(struct outputs *o, cordon_result *r)
{
	if (o->staging_fd < 0 || o->dest_fd < 0)
		return;
	if (o->tmpfs_fd >= 0) {
		r->output_enforced_by = "tmpfs";
		struct statfs sf;
		if (fstatfs(o->tmpfs_fd, &sf) == 0 && (sf.f_bavail == 0 || (!o->sample_entries && sf.f_ffree == 0))) {
			result_warn(r, "outputs: /output is full: it reached its budget of %llu bytes and %llu files and "
			               "directories (output_dir, output_files), past which writes fail with ENOSPC",
			            (unsigned long long)o->max_bytes, (unsigned long long)o->max_entries);
			o->over = true;
		}
	} else {
		r->output_enforced_by = "supervisor";
		result_warn(r, "outputs: /output was not a tmpfs of its own (the backend made none): its budget "
		               "was sampled every %d ms, not held by the kernel",
		            OUTPUT_SAMPLE_MS);
	}
	collect_dir(o, o->tmpfs_fd >= 0 ? o->tmpfs_fd : o->staging_fd, o->dest_fd, "", 0, r);
	if (o->over && !r->limit)
		r->limit = "output_dir";
}

/* Remove what is below dirfd (no symlink followed: unlinkat removes the
 * link itself). */
static void remove_below(int dirfd, int depth)
{
	int fd = reopen_dir(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd, de->d_name, 0) == 0 || errno != EISDIR)
			continue;
		int sub = depth < 4 * OUTPUT_MAX_DEPTH ? openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		                                                                      O_CLOEXEC)
		                                        : -1;
		if (sub >= 0) {
			remove_below(sub, depth + 1);
			close(sub);
		}
		(void)unlinkat(dirfd, de->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

void outputs_end(struct outputs *o, cordon_result *r)
{
	if (o->staging_fd >= 0) {
		remove_below(o->staging_fd, 0);
		close(o->staging_fd);
	}
	if (o->staging && rmdir(o->staging) < 0 && errno != ENOENT && r)
		result_warn(r, "the staging directory %s could not be removed: %s", o->staging, strerror(errno));
	if (o->parent)
		(void)rmdir(o->parent);
	if (o->dest_fd >= 0)
		close(o->dest_fd);
	if (o->tmpfs_fd >= 0)
		close(o->tmpfs_fd);
	free(o->staging);
	free(o->parent);
	outputs_init(o);
}
