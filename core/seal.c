/*
 * core/seal.c - what reaches the program as a file: each source (and a
 * regular file given as --input) copied into a sealed memfd the program
 * gets read-only; caller paths opened without following symlinks and
 * refused when they are not regular files; the source's language.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/close_range.h>


#include "internal.h"
#include "launch.h"


/* ---- sealed sources ---- */

static int seal_finish(struct source *s, const char *name, char **err)
{
	if (fcntl(s->fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return set_err(err, "%s: cannot seal the source: %s", name, strerror(errno));
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", s->fd);
	/* The child gets a read-only descriptor; the seals stop anything else. */
	s->rofd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->rofd < 0)
		s->rofd = fcntl(s->fd, F_DUPFD_CLOEXEC, 3);
	if (s->rofd < 0)
		return set_err(err, "%s: cannot reopen the sealed source: %s", name, strerror(errno));
	if (s->len) {
		void *m = mmap(NULL, s->len, PROT_READ, MAP_SHARED, s->fd, 0);
		if (m == MAP_FAILED)
			return set_err(err, "%s: cannot map the sealed source: %s", name, strerror(errno));
		s->map = m;
	}
	return 0;
}

static int seal_begin(struct source *s, const char *name, char **err)
{
	memset(s, 0, sizeof(*s));
	s->rofd = -1;
	s->name = xstrdup(name);
	s->fd = memfd_create("cordon-source", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (s->fd < 0 || !s->name)
		return set_err(err, "%s: cannot create a memfd for the source: %s", name, strerror(errno));
	return 0;
}

int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* A regular file goes into the memfd in the kernel (sendfile), without a
 * copy through user space: 1 when all of it was copied, 0 to fall back to
 * read and write (nothing copied), -1 on error. */
static int seal_sendfile(int in_fd, const struct stat *st, const char *name, struct source *s, char **err)
{
	if (!S_ISREG(st->st_mode))
		return 0;
	for (;;) {
		/* One byte more than allowed, so that a file over the limit is
		 * seen as such. */
		size_t want = SOURCE_MAX_BYTES - s->len + 1;
		ssize_t n = sendfile(s->fd, in_fd, NULL, want < READ_CHUNK * 16 ? want : READ_CHUNK * 16);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (s->len == 0 && (errno == EINVAL || errno == ENOSYS))
				return 0;
			return set_err(err, "%s: cannot read the source: %s", name, strerror(errno));
		}
		if (n == 0)
			return 1;
		if ((size_t)n > SOURCE_MAX_BYTES - s->len)
			return set_err(err, "%s: the source is larger than %u bytes", name, SOURCE_MAX_BYTES);
		s->len += (size_t)n;
	}
}

/*
 * Wait until a stream (a pipe, FIFO, terminal or socket) has something to
 * read or has ended, or until cancel_fd (the caller's cancel descriptor,
 * or -1) becomes readable: 1 readable, 0 cancelled, -1 error (errno).  A
 * FIFO opened without a writer waits here for one, as `cat FIFO` does,
 * but a signal that cancels the run ends the wait.
 */
int wait_readable(int fd, int cancel_fd)
{
	for (;;) {
		struct pollfd pf[2] = { { .fd = fd, .events = POLLIN }, { .fd = cancel_fd, .events = POLLIN } };
		int n = poll(pf, cancel_fd >= 0 ? 2 : 1, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (cancel_fd >= 0 && (pf[1].revents & (POLLIN | POLLHUP)))
			return 0;
		if (cancel_fd >= 0 && (pf[1].revents & (POLLNVAL | POLLERR)))
			cancel_fd = -1; /* not a descriptor to watch: no cancellation */
		if (pf[0].revents & POLLNVAL) {
			errno = EBADF;
			return -1;
		}
		if (pf[0].revents)
			return 1;
	}
}

/* The caller cancelled the run before the program started: the result is
 * "killed" by the caller's signal (the byte the cancel descriptor carries,
 * else SIGTERM), with no exit status of a program. */
void take_cancel(cordon_result *r, int cancel_fd)
{
	unsigned char sig = 0;
	if (cancel_fd < 0 || read(cancel_fd, &sig, 1) != 1 || !sig)
		sig = SIGTERM;
	r->status = ST_KILLED;
	r->signal = sig;
	r->exit_code = -1;
	result_warn(r, "the run was cancelled (signal %d) before the program started", r->signal);
}

/* Read from a stream once it is readable: as read(2), and -2 when
 * cancelled.  EAGAIN (a descriptor of cordon's own, opened non-blocking)
 * waits again. */
ssize_t read_stream(int fd, void *buf, size_t len, int cancel_fd)
{
	for (;;) {
		int w = wait_readable(fd, cancel_fd);
		if (w <= 0)
			return w == 0 ? -2 : -1;
		ssize_t n = read(fd, buf, len);
		if (n >= 0 || (errno != EINTR && errno != EAGAIN))
			return n;
	}
}

/* st: in_fd's status when the caller has it, else NULL.  cancel_fd: the
 * run's cancel descriptor, or -1. */
int seal_fd(int in_fd, const struct stat *st, const char *name, struct source *s, int cancel_fd, char **err)
{
	if (seal_begin(s, name, err) < 0)
		return -1;
	struct stat own;
	if (!st && fstat(in_fd, &own) == 0)
		st = &own;
	int sf = st ? seal_sendfile(in_fd, st, name, s, err) : 0;
	if (sf < 0)
		return -1;
	if (sf > 0)
		return seal_finish(s, name, err);
	char *buf = malloc(READ_CHUNK);
	if (!buf)
		return set_err(err, "out of memory");
	bool stream = !st || !S_ISREG(st->st_mode);
	for (;;) {
		ssize_t n = stream ? read_stream(in_fd, buf, READ_CHUNK, cancel_fd) : read(in_fd, buf, READ_CHUNK);
		if (n == -2) {
			free(buf);
			return set_err(err, "%s: reading the source was cancelled", name), SEAL_CANCELLED;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(buf);
			return set_err(err, "%s: cannot read the source: %s", name, strerror(e));
		}
		if (n == 0)
			break;
		if ((size_t)n > SOURCE_MAX_BYTES - s->len) {
			free(buf);
			return set_err(err, "%s: the source is larger than %u bytes", name, SOURCE_MAX_BYTES);
		}
		if (write_full(s->fd, buf, (size_t)n) < 0) {
			int e = errno;
			free(buf);
			return set_err(err, "%s: cannot store the source: %s", name, strerror(e));
		}
		s->len += (size_t)n;
	}
	free(buf);
	return seal_finish(s, name, err);
}

int source_seal_data(const void *data, size_t len, const char *name, struct source *s, char **err)
{
	if (seal_begin(s, name, err) < 0)
		return -1;
	if (len > SOURCE_MAX_BYTES)
		return set_err(err, "%s: the source is larger than %u bytes", name, SOURCE_MAX_BYTES);
	if (len && write_full(s->fd, data, len) < 0)
		return set_err(err, "%s: cannot store the source: %s", name, strerror(errno));
	s->len = len;
	return seal_finish(s, name, err);
}

void source_close(struct source *s)
{
	if (s->map && !s->borrowed)
		munmap((void *)s->map, s->len);
	if (s->fd >= 0)
		close(s->fd);
	if (s->rofd >= 0)
		close(s->rofd);
	free(s->name);
	memset(s, 0, sizeof(*s));
	s->fd = s->rofd = -1;
}

/*
 * Open a source or input named by the caller without blocking (a FIFO with
 * no writer would block in open(2)), and say what it is: a regular file
 * (descriptor back to blocking reads), a stream to read as it comes (a
 * FIFO, terminal or other character device; the descriptor stays
 * non-blocking), or something refused.  "-" is cordon's stdin, never made
 * non-blocking (its description may be shared).  *fd is -1 on error.
 */
int open_caller_path(const char *path, const char *what, int *fd, struct stat *st, char **err)
{
	bool std_in = strcmp(path, "-") == 0;
	*fd = std_in ? 0 : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (*fd < 0)
		return set_err(err, "%s: cannot read the %s: %s", path, what, strerror(errno));
	const char *why = NULL;
	if (fstat(*fd, st) < 0)
		why = strerror(errno);
	else if (S_ISDIR(st->st_mode))
		why = "Is a directory";
	else if (S_ISBLK(st->st_mode))
		why = "a block device (expected a file or a stream)";
	else if (!S_ISREG(st->st_mode) && !S_ISFIFO(st->st_mode) && !S_ISCHR(st->st_mode) && !S_ISSOCK(st->st_mode))
		why = "not a file or a stream";
	if (why) {
		if (!std_in)
			close(*fd);
		*fd = -1;
		return set_err(err, "%s: cannot read the %s: %s", std_in ? "<stdin>" : path, what, why);
	}
	/* A regular file keeps O_NONBLOCK: Linux ignores it for regular
	 * files (two system calls per source saved). */
	return 0;
}

int seal_path(const char *path, struct source *s, int cancel_fd, char **err)
{
	int fd;
	struct stat st;
	if (open_caller_path(path, "source", &fd, &st, err) < 0) {
		memset(s, 0, sizeof(*s));
		s->fd = s->rofd = -1;
		return -1;
	}
	bool std_in = fd == 0;
	int r = seal_fd(fd, &st, std_in ? "<stdin>" : path, s, cancel_fd, err);
	if (!std_in)
		close(fd);
	return r;
}

const char *language_of(const char *name, const struct strv *interp)
{
	static const struct {
		const char *suffix;
		const char *lang;
	} ext[] = {
		{ ".py", "python" },      { ".pyw", "python" }, { ".js", "javascript" }, { ".mjs", "javascript" },
		{ ".cjs", "javascript" }, { ".sh", "shell" },   { ".bash", "shell" },     { ".java", "java" },
	};
	size_t nl = name ? strlen(name) : 0;
	for (size_t i = 0; i < ARRAY_SIZE(ext); i++) {
		size_t sl = strlen(ext[i].suffix);
		if (nl > sl && strcmp(name + nl - sl, ext[i].suffix) == 0)
			return ext[i].lang;
	}
	if (!interp || !interp->n)
		return NULL;
	const char *b = strrchr(interp->v[0], '/');
	b = b ? b + 1 : interp->v[0];
	if (strncmp(b, "python", 6) == 0 || strncmp(b, "pypy", 4) == 0)
		return "python";
	if (strcmp(b, "node") == 0 || strcmp(b, "nodejs") == 0 || strcmp(b, "deno") == 0)
		return "javascript";
	if (strcmp(b, "sh") == 0 || strcmp(b, "bash") == 0 || strcmp(b, "dash") == 0 || strcmp(b, "zsh") == 0)
		return "shell";
	if (strcmp(b, "java") == 0)
		return "java";
	return NULL;
}

/*
 * `cordon run SOURCE` runs SOURCE with the policy's interpreter, so a
 * source in another language would be run by the wrong one (x.js under a
 * Python policy: python3 parses JavaScript, and the Python checks had
 * nothing to say about it).  Refused when both languages are known, the
 * source's from its name (language_of's extensions) and the interpreter's
 * from its file name, and differ.  A source whose name says no language
 * (stdin, "<data>", no extension) and an interpreter cordon does not know
 * pass; `exec` runs its own command and `check` runs nothing, so neither
 * asks.  The suggestion names the shipped preset for the language.
 */
int source_language_refused(const cordon_policy *p, const char *path, char **err)
{
	const char *src = language_of(path, NULL);
	const char *runs = language_of(NULL, &p->interpreter);
	if (!src || !runs || strcmp(src, runs) == 0)
		return 0;
	const char *preset = strcmp(src, "python") == 0       ? "default"
	                     : strcmp(src, "javascript") == 0 ? "javascript"
	                     : strcmp(src, "shell") == 0      ? "shell"
	                                                      : NULL;
	char hint[64] = "";
	if (preset)
		snprintf(hint, sizeof(hint), "; -p %s runs %s", preset, src);
	return set_err(err, "%s: a %s source, but policy '%s' runs %s with %s: nothing was run%s", path, src,
	               p->name, runs, p->interpreter.v[0], hint);
}
