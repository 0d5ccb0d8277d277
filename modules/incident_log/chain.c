/*
 * modules/incident_log/chain.c - the log file: where it is, how it is opened,
 * and how a record is appended to the hash chain.
 *
 * Appending is one critical section under flock(LOCK_EX) on the log itself:
 * read the last line (backwards from the end), hash it, build the record
 * that carries that hash as its prev, write it with its newline in a single
 * write().  Every writer takes the lock, so two cordon runs never compute the
 * same prev or interleave their bytes; the single write means a record is
 * either whole or (after a failed write, which is cut off again) absent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "incident_log.h"

#define TAIL_CHUNK 4096

int ilog_set_err(char **err, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		char *s = NULL;
		if (vasprintf(&s, fmt, ap) < 0)
			s = NULL;
		va_end(ap);
		free(*err);
		*err = s;
	}
	return -1;
}

char *ilog_passwd(uid_t uid, int want_home)
{
	long sz = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t cap = sz > 0 ? (size_t)sz : 4096;
	for (int tries = 0; tries < 6; tries++, cap *= 2) {
		char *buf = malloc(cap);
		if (!buf)
			return NULL;
		struct passwd pw, *res = NULL;
		int rc = getpwuid_r(uid, &pw, buf, cap, &res);
		const char *field = rc == 0 && res ? (want_home ? res->pw_dir : res->pw_name) : NULL;
		char *copy = field && field[0] ? strdup(field) : NULL;
		free(buf);
		if (rc != ERANGE)
			return copy;
	}
	return NULL;
}

static int absolute(const char *s)
{
	return s && s[0] == '/';
}

char *ilog_default_path(uid_t euid, const char *logs_directory, const char *xdg_state_home,
                        const char *home, char **err)
{
	char *path = NULL;
	if (absolute(logs_directory)) {
		/* systemd's LogsDirectory= (a service's own log directory); like
		 * the XDG variables, only an absolute value counts.  A unit that
		 * names several gets them colon-separated: the first is ours. */
		int n = (int)strcspn(logs_directory, ":");
		if (asprintf(&path, "%.*s/incidents.jsonl", n, logs_directory) < 0)
			path = NULL;
	} else if (euid == 0) {
		path = strdup("/var/log/cordon/incidents.jsonl");
	} else if (absolute(xdg_state_home)) {
		/* The XDG base directory spec: a relative value is invalid and ignored. */
		if (asprintf(&path, "%s/cordon/incidents.jsonl", xdg_state_home) < 0)
			path = NULL;
	} else {
		char *own = NULL;
		if (!absolute(home))
			home = own = ilog_passwd(euid, 1);
		if (!absolute(home)) {
			free(own);
			ilog_set_err(err, "no home directory for uid %u ($HOME unset and not in the password "
			                  "database)",
			             (unsigned)euid);
			return NULL;
		}
		if (asprintf(&path, "%s/.local/state/cordon/incidents.jsonl", home) < 0)
			path = NULL;
		free(own);
	}
	if (!path)
		ilog_set_err(err, "out of memory");
	return path;
}

int ilog_private_dir(const char *dir, uid_t euid, char **err)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return ilog_set_err(err, "cannot create the directory %s: %s", dir, strerror(errno));
	struct stat st;
	if (lstat(dir, &st) < 0)
		return ilog_set_err(err, "cannot stat %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return ilog_set_err(err, "refusing %s: not a directory", dir);
	if (st.st_uid != euid)
		return ilog_set_err(err, "refusing %s: it is owned by uid %u, not by uid %u (another account could "
		                         "read or replace the log)",
		                    dir, (unsigned)st.st_uid, (unsigned)euid);
	if (st.st_mode & 077)
		return ilog_set_err(err, "refusing %s: its mode is %04o, not 0700", dir, (unsigned)(st.st_mode & 07777));
	/* In a shared directory that is not sticky another account could
	 * rename ours away and put its own in its place. */
	char *parent = strdup(dir);
	if (!parent)
		return ilog_set_err(err, "out of memory");
	char *slash = strrchr(parent, '/');
	if (slash)
		*(slash == parent ? slash + 1 : slash) = '\0';
	int rc = 0;
	if (slash && stat(parent, &st) == 0 && (st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))
		rc = ilog_set_err(err, "refusing %s: %s is world-writable without the sticky bit", dir, parent);
	free(parent);
	return rc;
}

char *ilog_default_place(uid_t euid, const char *logs_directory, const char *xdg_state_home, const char *home,
                         const char *fallback_base, char **note, char **err)
{
	*note = NULL;
	char *why = NULL;
	char *path = ilog_default_path(euid, logs_directory, xdg_state_home, home, &why);
	if (path && ilog_make_parents(path, &why) == 0) {
		free(why);
		return path;
	}
	if (absolute(logs_directory)) {
		ilog_set_err(err, "%s (the default log's place from $LOGS_DIRECTORY, systemd's LogsDirectory=: "
		                  "fix the unit's LogsDirectory=, or give the log a place with `path:` under "
		                  "incident_log's `with:`)",
		             why ? why : "out of memory");
	} else if (euid == 0) {
		ilog_set_err(err, "%s (root's default log /var/log/cordon/incidents.jsonl: make /var/log/cordon "
		                  "writable, set $LOGS_DIRECTORY, or give the log a place with `path:` under "
		                  "incident_log's `with:`)",
		             why ? why : "out of memory");
	} else if (absolute(xdg_state_home)) {
		ilog_set_err(err, "%s (the default log's place from $XDG_STATE_HOME=%s: make that a directory uid %u "
		                  "can write, or give the log a place with `path:` under incident_log's `with:`)",
		             why ? why : "out of memory", xdg_state_home, (unsigned)euid);
	} else {
		/* An account whose home cannot hold the log (a service account:
		 * www-data's /var/www, nobody's /nonexistent): a directory of
		 * its own, mode 0700, in the persistent temporary directory. */
		char *dir = NULL, *fwhy = NULL;
		free(path);
		path = NULL;
		if (asprintf(&dir, "%s/cordon-%u", fallback_base, (unsigned)euid) < 0)
			dir = NULL;
		if (dir && ilog_private_dir(dir, euid, &fwhy) == 0 && asprintf(&path, "%s/incidents.jsonl", dir) < 0)
			path = NULL;
		if (path) {
			if (asprintf(note, "the home directory cannot hold the default log (%s): logging to the "
			                   "fallback %s",
			             why ? why : "no home", path) < 0)
				*note = NULL;
		} else {
			ilog_set_err(err, "no place for the default incident log of uid %u: %s; the fallback %s/cordon-%u: "
			                  "%s.  Set one of: `path:` under incident_log's `with:` in the policy, "
			                  "$XDG_STATE_HOME (a directory uid %u can write), or LogsDirectory=cordon in "
			                  "the service's systemd unit ($LOGS_DIRECTORY)",
			             (unsigned)euid, why ? why : "out of memory", fallback_base, (unsigned)euid,
			             fwhy ? fwhy : "out of memory", (unsigned)euid);
		}
		free(dir);
		free(fwhy);
		free(why);
		return path;
	}
	free(why);
	free(path);
	return NULL;
}

int ilog_make_parents(const char *path, char **err)
{
	char *dir = strdup(path);
	if (!dir)
		return ilog_set_err(err, "out of memory");
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir) {
		free(dir);
		return 0;
	}
	*slash = '\0';
	/* Walk down from the root, creating what is missing. */
	for (char *p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			int e = errno;
			ilog_set_err(err, "cannot create the directory %s: %s", dir, strerror(e));
			free(dir);
			return -1;
		}
		*p = saved;
		if (!saved)
			break;
	}
	free(dir);
	return 0;
}

/* Why the log file st describes is refused, or NULL. */
static const char *refusal(const struct stat *st, uid_t euid, char *buf, size_t cap)
{
	if (!S_ISREG(st->st_mode))
		return S_ISDIR(st->st_mode) ? strerror(EISDIR) : "not a regular file";
	if (st->st_nlink != 1) {
		snprintf(buf, cap, "it has %lu hard links", (unsigned long)st->st_nlink);
		return buf;
	}
	if (st->st_mode & S_IWOTH)
		return "it is world-writable (anyone could rewrite it)";
	if (st->st_uid != euid && st->st_uid != 0) {
		snprintf(buf, cap, "it is owned by uid %u, not by uid %u or root", (unsigned)st->st_uid, (unsigned)euid);
		return buf;
	}
	return NULL;
}

int ilog_open(const char *path, uid_t euid, char **err)
{
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (fd < 0) {
		int e = errno;
		if (e == ELOOP)
			return ilog_set_err(err, "cannot open %s for append: it is a symbolic link (refused)", path);
		return ilog_set_err(err, "cannot open %s for append: %s", path, strerror(e));
	}
	struct stat st;
	char buf[64];
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return ilog_set_err(err, "cannot stat %s: %s", path, strerror(e));
	}
	const char *why = refusal(&st, euid, buf, sizeof(buf));
	if (why) {
		close(fd);
		return ilog_set_err(err, "refusing the log %s: %s", path, why);
	}
	return fd;
}

int ilog_check_path(const char *path, uid_t euid, char **err)
{
	struct stat st;
	char buf[64];
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode))
			return ilog_set_err(err, "cannot open %s for append: it is a symbolic link (refused)", path);
		if (S_ISDIR(st.st_mode))
			return ilog_set_err(err, "cannot open %s for append: %s", path, strerror(EISDIR));
		const char *why = refusal(&st, euid, buf, sizeof(buf));
		if (why)
			return ilog_set_err(err, "refusing the log %s: %s", path, why);
		if (faccessat(AT_FDCWD, path, R_OK | W_OK, AT_EACCESS) < 0)
			return ilog_set_err(err, "cannot open %s for append: %s", path, strerror(errno));
		return 0;
	}
	if (errno != ENOENT)
		return ilog_set_err(err, "cannot open %s for append: %s", path, strerror(errno));
	/* To be created: its directory must exist and be writable. */
	char *dir = strdup(path);
	if (!dir)
		return ilog_set_err(err, "out of memory");
	char *slash = strrchr(dir, '/');
	const char *d = !slash ? "." : slash == dir ? "/" : (*slash = '\0', dir);
	int rc = 0;
	if (stat(d, &st) < 0)
		rc = ilog_set_err(err, "cannot open %s for append: %s", path, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		rc = ilog_set_err(err, "cannot open %s for append: %s", path, strerror(ENOTDIR));
	else if (faccessat(AT_FDCWD, d, W_OK | X_OK, AT_EACCESS) < 0)
		rc = ilog_set_err(err, "cannot open %s for append: %s", path, strerror(errno));
	free(dir);
	return rc;
}

static void to_hex(const unsigned char *md, char hex[ILOG_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < ILOG_HEX_LEN / 2; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[ILOG_HEX_LEN] = '\0';
}

int ilog_sha256_hex(const void *data, size_t len, char hex[ILOG_HEX_LEN + 1])
{
	_Static_assert(SHA256_DIGEST_SIZE * 2 == ILOG_HEX_LEN, "sha256 is 32 bytes");
	struct sha256_ctx ctx;
	unsigned char md[SHA256_DIGEST_SIZE];
	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, sizeof(md), md);
	to_hex(md, hex);
	return 0;
}

/* pread exactly len bytes at off. 0 or -1 (errno; EIO for a short file). */
static int pread_full(int fd, void *buf, size_t len, off_t off)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, off + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO; /* shrank under us: only a writer outside the lock could */
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

int ilog_tail_link(int fd, off_t size, char hex[ILOG_HEX_LEN + 1], int *partial, off_t *line_start, char **err)
{
	*partial = 0;
	if (line_start)
		*line_start = 0;
	if (size <= 0) {
		memcpy(hex, ILOG_GENESIS, ILOG_HEX_LEN + 1);
		return 0;
	}
	unsigned char *buf = malloc(TAIL_CHUNK);
	if (!buf)
		return ilog_set_err(err, "out of memory");
	unsigned char last;
	off_t end = size, start = 0;
	if (pread_full(fd, &last, 1, size - 1) < 0)
		goto io_error;
	if (last == '\n')
		end = size - 1;
	else
		*partial = 1;
	/* Backwards from end to the newline before the last line. */
	for (off_t pos = end; pos > 0;) {
		size_t n = pos >= TAIL_CHUNK ? TAIL_CHUNK : (size_t)pos;
		if (pread_full(fd, buf, n, pos - (off_t)n) < 0)
			goto io_error;
		unsigned char *nl = memrchr(buf, '\n', n);
		if (nl) {
			start = pos - (off_t)n + (nl - buf) + 1;
			break;
		}
		pos -= (off_t)n;
	}
	if (line_start)
		*line_start = start;
	/* Forwards over [start, end), hashing. */
	struct sha256_ctx md;
	sha256_init(&md);
	for (off_t pos = start; pos < end;) {
		size_t n = end - pos >= TAIL_CHUNK ? TAIL_CHUNK : (size_t)(end - pos);
		if (pread_full(fd, buf, n, pos) < 0)
			goto io_error;
		sha256_update(&md, n, buf);
		pos += (off_t)n;
	}
	unsigned char out[SHA256_DIGEST_SIZE];
	sha256_digest(&md, sizeof(out), out);
	free(buf);
	to_hex(out, hex);
	return 0;

io_error: {
	int e = errno;
	free(buf);
	return ilog_set_err(err, "cannot read the end of the log: %s", strerror(e));
}
}

int ilog_lock(int fd, uint64_t timeout_ns)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	long wait_ns = 1000000; /* 1 ms, doubling up to 32 ms */
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return -1;
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		uint64_t spent = (uint64_t)(now.tv_sec - t0.tv_sec) * 1000000000ull + (uint64_t)now.tv_nsec -
		                 (uint64_t)t0.tv_nsec;
		if (spent >= timeout_ns) {
			errno = EWOULDBLOCK;
			return -1;
		}
		struct timespec d = { 0, wait_ns };
		nanosleep(&d, NULL);
		if (wait_ns < 32000000)
			wait_ns *= 2;
	}
}

int ilog_append(int fd, uint64_t lock_timeout_ns, int do_sync, ilog_make_line make, void *arg, char **line,
                off_t *cut, char **err)
{
	*line = NULL;
	*cut = 0;
	/* flock() belongs to the open file description, and a process that
	 * loaded the policy once and then forks a worker per run (cordon
	 * serve, any embedder that forks) shares the log's description with
	 * every worker: their flocks would all succeed at once.  The lock is
	 * taken on a description of this call's own, opened through
	 * /proc/self/fd (the same file, never a path that could have been
	 * swapped); where /proc is not there, on the shared one. */
	char self[40];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	int lfd = open(self, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat a, b;
	if (lfd >= 0 && (fstat(lfd, &a) < 0 || fstat(fd, &b) < 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino)) {
		close(lfd);
		lfd = -1;
	}
	int lock_fd = lfd >= 0 ? lfd : fd;
	if (ilog_lock(lock_fd, lock_timeout_ns) < 0) {
		int e = errno;
		if (lfd >= 0)
			close(lfd);
		if (e == EWOULDBLOCK)
			return ilog_set_err(err, "the log stayed locked by another process for %.1f s",
			                    (double)lock_timeout_ns / 1e9);
		return ilog_set_err(err, "cannot lock the log: %s", strerror(e));
	}
	int rc = -1;
	char *text = NULL, *buf = NULL;
	struct stat st;
	char prev[ILOG_HEX_LEN + 1];
	int partial = 0;
	if (fstat(fd, &st) < 0) {
		ilog_set_err(err, "cannot stat the log: %s", strerror(errno));
		goto out;
	}
	off_t torn_at = 0;
	if (ilog_tail_link(fd, st.st_size, prev, &partial, &torn_at, err) < 0)
		goto out;
	if (partial) {
		/* An unfinished last line: a writer killed inside its one
		 * write() (a fatal signal ends a large write between pages), a
		 * full disk, or a crash.  It is no record: cut it off (under
		 * the lock, so no writer is inside its write) and link to the
		 * last whole one, so a record is whole or absent and the chain
		 * stays verifiable.  The caller reports how much was cut. */
		if (ftruncate(fd, torn_at) < 0) {
			ilog_set_err(err, "cannot cut off a torn last record (%lld bytes at offset %lld): %s",
			             (long long)(st.st_size - torn_at), (long long)torn_at, strerror(errno));
			goto out;
		}
		*cut = st.st_size - torn_at;
		st.st_size = torn_at;
		if (ilog_tail_link(fd, st.st_size, prev, &partial, NULL, err) < 0)
			goto out;
	}
	text = make(arg, prev, err);
	if (!text)
		goto out;
	size_t tlen = strlen(text);
	size_t len = tlen + 1;
	buf = malloc(len);
	if (!buf) {
		ilog_set_err(err, "out of memory");
		goto out;
	}
	memcpy(buf, text, tlen);
	buf[len - 1] = '\n';
	ssize_t n;
	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)len) {
		int e = n < 0 ? errno : ENOSPC;
		/* Take back a partial record: whole or nothing. */
		if (n > 0 && ftruncate(fd, st.st_size) < 0)
			ilog_set_err(err, "short write to the log (%zd of %zu bytes: %s) and cannot cut it off: %s",
			             n, len, strerror(e), strerror(errno));
		else
			ilog_set_err(err, "cannot write to the log: %s", strerror(e));
		goto out;
	}
	if (do_sync && fdatasync(fd) < 0) {
		ilog_set_err(err, "fdatasync of the log: %s", strerror(errno));
		goto out;
	}
	*line = text;
	text = NULL;
	rc = 0;
out:
	free(buf);
	free(text);
	(void)flock(lock_fd, LOCK_UN);
	if (lfd >= 0)
		close(lfd);
	return rc;
}
