/*
 * core/util.c - strings, buffers, errors, trusted file access.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

int vset_err(char **err, const char *fmt, va_list ap)
{
	if (err && !*err) {
		*err = xvasprintf(fmt, ap);
		if (!*err)
			*err = strdup("out of memory");
	}
	return -1;
}

int set_err(char **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset_err(err, fmt, ap);
	va_end(ap);
	return -1;
}

double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void *xcalloc(size_t n, size_t sz)
{
	return calloc(n ? n : 1, sz ? sz : 1);
}

int grow_array(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -1;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / elem)
		return -1;
	void *p = realloc(*arr, ncap * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* ---- strbuf ---- */

static int sb_reserve(struct strbuf *sb, size_t extra)
{
	if (sb->failed)
		return -1;
	if (extra > SIZE_MAX - sb->len - 1) {
		sb->failed = true;
		return -1;
	}
	size_t need = sb->len + extra + 1;
	if (need <= sb->cap)
		return 0;
	size_t ncap = sb->cap ? sb->cap : 64;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2) {
			ncap = need;
			break;
		}
		ncap *= 2;
	}
	char *p = realloc(sb->data, ncap);
	if (!p) {
		sb->failed = true;
		return -1;
	}
	sb->data = p;
	sb->cap = ncap;
	return 0;
}

int sb_append(struct strbuf *sb, const void *data, size_t len)
{
	if (sb_reserve(sb, len) < 0)
		return -1;
	if (len)
		memcpy(sb->data + sb->len, data, len);
	sb->len += len;
	sb->data[sb->len] = '\0';
	return 0;
}

int sb_puts(struct strbuf *sb, const char *s)
{
	return sb_append(sb, s, strlen(s));
}

int sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	if (!s) {
		sb->failed = true;
		return -1;
	}
	int r = sb_puts(sb, s);
	free(s);
	return r;
}

void sb_consume(struct strbuf *sb, size_t n)
{
	if (n >= sb->len) {
		sb->len = 0;
		if (sb->data)
			sb->data[0] = '\0';
		return;
	}
	memmove(sb->data, sb->data + n, sb->len - n);
	sb->len -= n;
	sb->data[sb->len] = '\0';
}

void sb_free(struct strbuf *sb)
{
	free(sb->data);
	memset(sb, 0, sizeof(*sb));
}

char *sb_steal(struct strbuf *sb)
{
	if (sb->failed) {
		sb_free(sb);
		return NULL;
	}
	char *s = sb->data ? sb->data : strdup("");
	memset(sb, 0, sizeof(*sb));
	return s;
}

/* ---- strv ---- */

int strv_push_owned(struct strv *sv, char *s)
{
	if (!s)
		return -1;
	if (grow_array((void **)&sv->v, &sv->cap, sv->n + 2, sizeof(char *)) < 0) {
		free(s);
		return -1;
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
	return 0;
}

int strv_push(struct strv *sv, const char *s)
{
	return strv_push_owned(sv, xstrdup(s));
}

int strv_insert_front(struct strv *sv, const char *const *items)
{
	size_t k = 0;
	while (items[k])
		k++;
	if (grow_array((void **)&sv->v, &sv->cap, sv->n + k + 1, sizeof(char *)) < 0)
		return -1;
	char **copies = xcalloc(k, sizeof(char *));
	if (!copies)
		return -1;
	for (size_t i = 0; i < k; i++) {
		copies[i] = strdup(items[i]);
		if (!copies[i]) {
			for (size_t j = 0; j < i; j++)
				free(copies[j]);
			free(copies);
			return -1;
		}
	}
	memmove(sv->v + k, sv->v, sv->n * sizeof(char *));
	memcpy(sv->v, copies, k * sizeof(char *));
	free(copies);
	sv->n += k;
	sv->v[sv->n] = NULL;
	return 0;
}

void strv_clear(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

/* ---- UTF-8 ---- */

char *utf8_sanitize(const char *in, size_t len, size_t *outlen)
{
	/* Each invalid byte becomes 3 bytes at most. */
	if (len > (SIZE_MAX - 1) / 3)
		return NULL;
	unsigned char *out = malloc(len * 3 + 1);
	if (!out)
		return NULL;
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0;
	while (i < len) {
		unsigned c = s[i];
		size_t need;
		unsigned cp, min;
		if (c < 0x80) {
			out[o++] = (unsigned char)c;
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			goto bad;
		}
		if (need >= len - i) /* the sequence runs past the end */
			goto bad;
		for (size_t k = 1; k <= need; k++) {
			unsigned cc = s[i + k];
			if ((cc & 0xc0) != 0x80)
				goto bad;
			cp = (cp << 6) | (cc & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			goto bad;
		memcpy(out + o, s + i, need + 1);
		o += need + 1;
		i += need + 1;
		continue;
bad:
		out[o++] = 0xef;
		out[o++] = 0xbf;
		out[o++] = 0xbd;
		i++;
	}
	out[o] = '\0';
	*outlen = o;
	return (char *)out;
}

/* ---- trusted files ---- */

static const char *owner_problem(const struct stat *st)
{
	if (st->st_uid == 0)
		return NULL; /* root's: trusted whoever runs cordon (no geteuid per directory) */
	uid_t euid = geteuid();
	if (euid == 0)
		return "is not owned by root (cordon runs as root)";
	if (st->st_uid != euid)
		return "is owned by another user (expected root or the invoking user)";
	return NULL;
}

/* What is wrong with a directory that a lookup goes through: anyone else
 * could replace an entry in it (group- or world-writable without the
 * sticky bit), or its owner is not trusted.  NULL when it is fine. */
static const char *dir_problem(const struct stat *st)
{
	if ((st->st_mode & (S_IWOTH | S_IWGRP)) && !(st->st_mode & S_ISVTX))
		return "is in a group- or world-writable directory (refusing to trust it)";
	if (owner_problem(st))
		return geteuid() == 0 ? "is in a directory not owned by root (cordon runs as root)"
		                      : "is in a directory owned by another user";
	return NULL;
}

#define TRUST_MAX_LINKS 40 /* as the kernel's MAXSYMLINKS */
static const char walk_errno_mark[] = "";
#define WALK_ERRNO walk_errno_mark /* walk_trusted: a component could not be looked up (errno) */

/*
 * Resolve `path` one component at a time, as the kernel does, and check
 * every directory a name is looked up in and every symlink followed on the
 * way (OpenSSH's safe_path checks each directory it traverses; checking
 * only the canonical path misses a symlink that another user may swap).
 * A directory must not let anyone else replace its entries; a symlink in
 * a sticky directory that others may write must be owned by root or the
 * invoking user (its owner may replace it there).  On success *st is the
 * file the path names, *resolved (malloc'd) its path with every link
 * followed, and NULL is returned; else why, and *bad (malloc'd, or NULL)
 * names the directory or link at fault.  Nothing is opened.
 */
static const char *walk_trusted(const char *path, struct stat *st, char **bad, char **resolved)
{
	*bad = NULL;
	*resolved = NULL;
	struct strbuf cur = { 0 }; /* the resolved directory so far ("" is /) */
	char *todo = NULL; /* what is left of the path */
	const char *why = NULL;
	int links = 0;
	if (path[0] == '/') {
		todo = xstrdup(path);
	} else {
		char *cwd = getcwd(NULL, 0);
		todo = cwd ? xasprintf("%s/%s", cwd, path) : NULL;
		if (!cwd)
			why = "has a working directory that cannot be named";
		free(cwd);
	}
	if (!todo && !why)
		why = "out of memory";
	char *p = todo;
	while (!why) {
		while (p && *p == '/')
			p++;
		if (!p || !*p) {
			/* The path ends in a directory (or is /): no file. */
			why = "is not a regular file";
			break;
		}
		char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		char *next = slash ? slash : p + n;
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
			if (n == 2) {
				char *up = cur.len ? memrchr(cur.data, '/', cur.len) : NULL;
				cur.len = up ? (size_t)(up - cur.data) : 0;
				if (cur.data)
					cur.data[cur.len] = '\0';
			}
			p = next;
			continue;
		}
		/* The directory this name is looked up in. */
		struct stat dst;
		const char *dir = cur.len ? cur.data : "/";
		if (stat(dir, &dst) < 0) {
			why = "has a directory that cannot be examined";
		} else if (!S_ISDIR(dst.st_mode)) {
			why = "has a component that is not a directory";
		} else {
			why = dir_problem(&dst);
		}
		if (why) {
			*bad = xstrdup(dir);
			break;
		}
		size_t keep = cur.len;
		if (sb_append(&cur, "/", 1) < 0 || sb_append(&cur, p, n) < 0 || sb_append(&cur, "", 1) < 0) {
			why = "out of memory";
			break;
		}
		cur.len--; /* the NUL stays, uncounted */
		struct stat lst;
		if (lstat(cur.data, &lst) < 0) {
			why = WALK_ERRNO; /* missing, or not ours to see: said as the open would */
			break;
		}
		if (S_ISLNK(lst.st_mode)) {
			if (++links > TRUST_MAX_LINKS) {
				why = "goes through too many symbolic links";
				break;
			}
			if ((dst.st_mode & (S_IWOTH | S_IWGRP)) && owner_problem(&lst)) {
				why = geteuid() == 0 ? "goes through a symbolic link not owned by root in a shared directory"
				                     : "goes through a symbolic link owned by another user in a shared directory";
				*bad = xstrdup(cur.data);
				break;
			}
			char target[PATH_MAX];
			ssize_t tl = readlink(cur.data, target, sizeof(target) - 1);
			if (tl <= 0) {
				why = tl == 0 ? "goes through an empty symbolic link" : "has a symbolic link that cannot be read";
				*bad = xstrdup(cur.data);
				break;
			}
			target[tl] = '\0';
			/* The link's target, then the rest of the path. */
			char *more = xasprintf("%s%s", target, next);
			if (!more) {
				why = "out of memory";
				break;
			}
			free(todo);
			todo = p = more;
			cur.len = target[0] == '/' ? 0 : keep;
			if (cur.data)
				cur.data[cur.len] = '\0';
			continue;
		}
		p = next;
		while (*p == '/')
			p++;
		if (!*p) {
			*st = lst; /* not a link: lstat is the file's own status */
			*resolved = xstrdup(cur.data);
			if (!*resolved)
				why = "out of memory";
			break;
		}
		if (!S_ISDIR(lst.st_mode)) {
			why = "has a component that is not a directory";
			*bad = xstrdup(cur.data);
			break;
		}
	}
	free(todo);
	sb_free(&cur);
	return why;
}

int open_trusted(const char *path, const char *what, char **err)
{
	/* Walk the path as given first, opening nothing (an open of another
	 * user's FIFO or device through a link would already act), then open
	 * what the walk reached, without following anything, and check it is
	 * that file: nobody but root and the user can change the directories
	 * the walk went through. */
	struct stat walked, st;
	char *bad_dir = NULL, *resolved = NULL;
	int fd = -1;
	const char *why = walk_trusted(path, &walked, &bad_dir, &resolved);
	if (why == WALK_ERRNO) {
		int e = errno;
		free(bad_dir);
		return set_err(err, "%s: cannot open %s: %s", path, what, strerror(e));
	}
	if (!why && !S_ISREG(walked.st_mode))
		why = "is not a regular file";
	if (!why) {
		fd = open(resolved, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
		if (fd < 0) {
			int e = errno;
			free(resolved);
			return set_err(err, "%s: cannot open %s: %s", path, what, strerror(e));
		}
		if (fstat(fd, &st) < 0)
			why = strerror(errno);
		else if (!S_ISREG(st.st_mode) || st.st_dev != walked.st_dev || st.st_ino != walked.st_ino)
			why = "was replaced while it was checked";
		else if (st.st_mode & S_IWOTH)
			why = "is world-writable (refusing to trust it; chmod o-w)";
		else if (st.st_mode & S_IWGRP)
			why = "is group-writable (refusing to trust it; chmod g-w)";
		else
			why = owner_problem(&st);
	}
	free(resolved);
	if (why) {
		if (fd >= 0)
			close(fd);
		if (bad_dir) {
			set_err(err, "%s: unsafe %s: %s: %s", path, what, why, bad_dir);
			free(bad_dir);
			return -1;
		}
		return set_err(err, "%s: unsafe %s: %s", path, what, why);
	}
	/* Back to blocking reads. */
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

int std_fds_safe(void)
{
	/* A closed 0, 1 or 2 would be the number the next open() returns: a
	 * log or a policy would then be written as output or read as input.
	 * Each closed one gets /dev/null, as setuid programs' C libraries do. */
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (n < 0)
			return -1;
		if (n != fd) {
			int d = dup2(n, fd);
			close(n);
			if (d < 0)
				return -1;
		}
	}
	return 0;
}

int read_all(int fd, size_t max, char **out, size_t *outlen, const char *path, char **err)
{
	struct strbuf sb = { 0 };
	char buf[65536];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			sb_free(&sb);
			return set_err(err, "%s: read error: %s", path, strerror(e));
		}
		if (n == 0)
			break;
		if ((size_t)n > max - sb.len) {
			sb_free(&sb);
			return set_err(err, "%s: larger than %zu bytes", path, max);
		}
		if (sb_append(&sb, buf, (size_t)n) < 0) {
			sb_free(&sb);
			return set_err(err, "%s: out of memory", path);
		}
	}
	*outlen = sb.len;
	*out = sb_steal(&sb);
	if (!*out)
		return set_err(err, "%s: out of memory", path);
	return 0;
}

const char *build_tree_libdir(void)
{
#ifdef CORDON_BUILD_LIBDIR
	static int state; /* 0 unknown, 1 build tree, 2 installed */
	if (!state) {
		Dl_info info;
		state = 2;
		/* This library's directory is the build tree's lib directory
		 * when both name the same directory (two stat calls; realpath()
		 * of both took a readlink per path component). */
		if (dladdr((void *)build_tree_libdir, &info) && info.dli_fname) {
			char *dir = xstrdup(info.dli_fname);
			char *slash = dir ? strrchr(dir, '/') : NULL;
			struct stat a, b;
			if (slash) {
				*slash = '\0';
				if (stat(*dir ? dir : "/", &a) == 0 && stat(CORDON_BUILD_LIBDIR, &b) == 0 &&
				    S_ISDIR(a.st_mode) && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
					state = 1;
			}
			free(dir);
		}
	}
	return state == 1 ? CORDON_BUILD_LIBDIR : NULL;
#else
	return NULL;
#endif
}
