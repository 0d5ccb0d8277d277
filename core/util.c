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

/* The canonical path of an open file, from /proc/self/fd: one readlink,
 * where realpath() takes one per path component.  NULL when /proc is not
 * there or the answer is no absolute path (a deleted file, or one outside
 * this process's root). */
static char *fd_canonical(int fd)
{
	char link[40], buf[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, buf, sizeof(buf));
	if (n <= 0 || (size_t)n >= sizeof(buf) || buf[0] != '/')
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

int open_trusted(const char *path, const char *what, char **err)
{
	/* Open first, then name what was opened (its canonical path, for the
	 * directory checks below): the same file and path as realpath() then
	 * open(), in two system calls instead of one per path component. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return set_err(err, "%s: cannot open %s: %s", path, what, strerror(errno));
	char *real = fd_canonical(fd);
	if (!real) {
		/* No /proc: realpath(), and the file opened by that name must
		 * be the one opened above. */
		struct stat a, b;
		int e = 0, tfd = -1;
		real = realpath(path, NULL);
		if (!real || (tfd = open(real, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0 ||
		    fstat(fd, &a) < 0 || fstat(tfd, &b) < 0)
			e = errno;
		else if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
			e = ESTALE; /* replaced in between */
		if (tfd >= 0)
			close(tfd);
		if (e) {
			close(fd);
			free(real);
			return set_err(err, "%s: cannot open %s: %s", path, what, strerror(e));
		}
	}
	struct stat st;
	const char *why = NULL;
	if (fstat(fd, &st) < 0) {
		why = strerror(errno);
	} else if (!S_ISREG(st.st_mode)) {
		why = "is not a regular file";
	} else if (st.st_mode & S_IWOTH) {
		why = "is world-writable (refusing to trust it; chmod o-w)";
	} else if (st.st_mode & S_IWGRP) {
		why = "is group-writable (refusing to trust it; chmod g-w)";
	} else {
		why = owner_problem(&st);
	}
	/* No directory on the way from / may let anyone else replace the file
	 * or a directory above it (as OpenSSH's secure_filename). */
	char *bad_dir = NULL;
	for (char *slash = strrchr(real, '/'); !why && slash;) {
		char *dir = slash == real ? xstrdup("/") : xstrndup(real, (size_t)(slash - real));
		struct stat dst;
		if (!dir) {
			why = "out of memory";
			break;
		}
		if (stat(dir, &dst) < 0) {
			why = "has a directory that cannot be examined";
		} else if ((dst.st_mode & (S_IWOTH | S_IWGRP)) && !(dst.st_mode & S_ISVTX)) {
			why = "is in a group- or world-writable directory (refusing to trust it)";
		} else if (owner_problem(&dst)) {
			why = geteuid() == 0 ? "is in a directory not owned by root (cordon runs as root)"
			                     : "is in a directory owned by another user";
		}
		if (why) {
			bad_dir = dir;
			break;
		}
		free(dir);
		if (slash == real)
			break;
		*slash = '\0';
		char *up = strrchr(real, '/');
		*slash = '/';
		slash = up;
	}
	free(real);
	if (why) {
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
