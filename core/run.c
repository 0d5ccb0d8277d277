/*
 * core/run.c - the supervisor: seal the source, check it, prepare the
 * launch, fork, confine, exec, pump the output through the filters, enforce
 * the wall timeout and output caps, kill the whole tree, report.
 *
 * Order in the child (between fork and exec only async-signal-safe calls):
 *
 *   1. default signal dispositions (the mask stays blocked until 4)
 *   2. setsid(): own session and process group
 *   3. PR_SET_PDEATHSIG(SIGKILL): die with the supervisor
 *   4. descriptors: 0 input, 1/2 pipes, 3.. sealed sources, then the control
 *      pipe (close-on-exec); everything else closed; signal mask cleared
 *   5. confine hooks in stack order (rlimits, namespaces, caps, seccomp...)
 *   6. execve with the policy's environment only
 *
 * Any failure in 2-6 is written to the control pipe as one fixed-size record
 * and the child exits without exec: the parent reports it, nothing ran.
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

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#include "internal.h"

#define READ_CHUNK 65536
#define SEAL_CANCELLED (-2) /* seal_fd: the caller cancelled the run while the source was read */
#define COLLECT_CAP_DEFAULT (16u * 1024 * 1024) /* per stream, when collecting without a cap */
#define COLLECT_KEEP_MAX (64u * 1024 * 1024) /* never more kept in a result per stream */
#define STREAM_KEEP (1u * 1024 * 1024) /* kept in the result while streaming */
#define PENDING_MAX (1u * 1024 * 1024) /* stop reading while this much waits for a slow reader */

/* launch_clone_ns: which namespace flags a module may ask for. */
#define CLONE_NS_ALLOWED                                                                                     \
	((unsigned long)(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP | \
	                 CLONE_NEWNET))

/* A copy of run's request, if it made one.  The request lives in the run
 * (each run's own structure, touched only by the thread running it). */
static bool clone_req_get(const struct run *run, struct clone_req *out)
{
	if (!run->clone.requested)
		return false;
	*out = run->clone;
	return true;
}

static void clone_req_drop(struct run *run)
{
	memset(&run->clone, 0, sizeof(run->clone));
	run->clone.pending_fd = -1;
}

static void clone_req_status(struct run *run, int status, const struct exit_report *usage)
{
	if (!run->clone.requested)
		return;
	run->clone.have_status = true;
	run->clone.status = status;
	run->clone.usage = *usage;
}

static void clone_req_pending(struct run *run, pid_t pid, int pidfd)
{
	run->clone.pending = pid;
	run->clone.pending_fd = pidfd;
}

/* Reap the child of a run that ended on its report (it was exiting then:
 * its own teardown - memory, mount namespace - overlapped with the finish
 * phase).  Blocks until it is gone: nothing of the run outlives cordon_run. */
static void clone_req_reap(struct run *run)
{
	struct clone_req req;
	if (!clone_req_get(run, &req) || req.pending <= 0)
		return;
	/* It is exiting by now (the report is its last act).  Should it not
	 * be - a process of the sandbox that gained the capabilities of its
	 * user namespace could forge the report through pid 1 - SIGKILL ends
	 * it and with it the pid namespace, so the wait below is bounded and
	 * nothing outlives the run.  (The pidfd, not the pid: it is unreaped,
	 * but the pidfd cannot name another process in any case.) */
	if (req.pending_fd >= 0)
		(void)syscall(SYS_pidfd_send_signal, req.pending_fd, SIGKILL, NULL, 0);
	else
		(void)kill(req.pending, SIGKILL);
	while (waitpid(req.pending, NULL, __WALL) < 0 && errno == EINTR)
		;
	if (req.pending_fd >= 0)
		close(req.pending_fd);
	clone_req_pending(run, 0, -1);
}
#define PIPE_GRACE_MS 2000.0 /* after the tree is dead, wait this long for pipes to close */
#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

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

static int write_full(int fd, const void *buf, size_t len)
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
static int wait_readable(int fd, int cancel_fd)
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
static void take_cancel(cordon_result *r, int cancel_fd)
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
static ssize_t read_stream(int fd, void *buf, size_t len, int cancel_fd)
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
static int seal_fd(int in_fd, const struct stat *st, const char *name, struct source *s, int cancel_fd, char **err)
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

int source_seal_fd(int in_fd, const char *name, struct source *s, char **err)
{
	return seal_fd(in_fd, NULL, name, s, -1, err);
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
static int open_caller_path(const char *path, const char *what, int *fd, struct stat *st, char **err)
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

static int seal_path(const char *path, struct source *s, int cancel_fd, char **err)
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

/* ---- per-run bookkeeping ---- */

static void run_begin(struct run *run, cordon_policy *p, cordon_result *r)
{
	memset(run, 0, sizeof(*run));
	clone_req_drop(run);
	run->policy = p;
	run->result = r;
	checker_init(&run->checker);
	outputs_init(&run->outputs);
	run->cancel_fd = -1;
	for (size_t i = 0; i < p->n_stack; i++) {
		struct entry *e = &p->stack[i];
		e->verdict = NULL;
		e->ms = 0;
		free(e->last_error);
		e->last_error = NULL;
		e->ctx.run = run;
	}
}

/* Close the parent's copies of what modules passed to the child. */
static void close_passed(struct run *run)
{
	for (int i = 0; i < run->n_pass; i++) {
		if (run->pass_fds[i] >= 0)
			close(run->pass_fds[i]);
		run->pass_fds[i] = -1;
	}
}

static void run_end(struct run *run)
{
	cordon_policy *p = run->policy;
	cordon_result *r = run->result;
	checker_stop(&run->checker);
	clone_req_reap(run);
	outputs_end(&run->outputs, r);
	close_passed(run);
	free(run->watches);
	free(run->abort_msg);
	run->abort_msg = NULL;
	free(run->deny_msg);
	run->deny_msg = NULL;
	run->watches = NULL;
	run->n_watches = 0;
	for (size_t i = 0; i < p->n_stack && i < r->n_modules; i++) {
		struct entry *e = &p->stack[i];
		r->modules[i].verdict = e->verdict ? e->verdict : "pass";
		r->modules[i].ms = e->ms;
		e->ctx.run = NULL;
	}
	for (size_t i = 0; i < run->n_sources; i++)
		source_close(&run->sources[i]);
	free(run->sources);
	strv_clear(&run->argv);
	strv_clear(&run->env);
	clone_req_drop(run);
}

/* Which hook failed, and why, as one string. */
static char *hook_failure(struct entry *e, const char *hook)
{
	return xasprintf("%s: %s failed%s%s", e->lm.m->name, hook, e->last_error ? ": " : "",
	                 e->last_error ? e->last_error : "");
}

/*
 * `cordon check` reads a source into a buffer the policy keeps from one
 * source to the next, rather than sealing a memfd: nothing will run, so
 * there is nothing to keep in step with what was checked, and a stdlib-sized
 * batch of files is spared a memfd, its pages and a mapping per file.
 */
static int check_read(cordon_policy *p, const char *path, struct source *s, char **err)
{
	memset(s, 0, sizeof(*s));
	s->fd = s->rofd = -1;
	s->borrowed = true;
	bool std_in = strcmp(path, "-") == 0;
	const char *name = std_in ? "<stdin>" : path;
	if (!(s->name = xstrdup(name)))
		return set_err(err, "out of memory");
	int fd;
	struct stat st;
	if (open_caller_path(path, "source", &fd, &st, err) < 0)
		return -1;
	int rc = -1;
	size_t want = 0;
	bool stream = !S_ISREG(st.st_mode);
	if (!stream && st.st_size > 0 && (uint64_t)st.st_size <= SOURCE_MAX_BYTES)
		want = (size_t)st.st_size;
	for (;;) {
		/* Room for what is left of a regular file, or more; one byte
		 * more than the limit so that a larger source shows.  The
		 * buffer doubles, so a long stream costs linear time. */
		size_t need = s->len + (want > s->len ? want - s->len : READ_CHUNK) + 1;
		if (need > (size_t)SOURCE_MAX_BYTES + 1)
			need = (size_t)SOURCE_MAX_BYTES + 1;
		if (need > p->check_cap) {
			size_t cap = p->check_cap * 2;
			if (cap < need)
				cap = need;
			if (cap > (size_t)SOURCE_MAX_BYTES + 1)
				cap = (size_t)SOURCE_MAX_BYTES + 1;
			unsigned char *nb = realloc(p->check_buf, cap);
			if (!nb) {
				set_err(err, "out of memory");
				goto out;
			}
			p->check_buf = nb;
			p->check_cap = cap;
		}
		size_t room = p->check_cap - s->len;
		ssize_t n = stream ? read_stream(fd, p->check_buf + s->len, room, -1)
		                   : read(fd, p->check_buf + s->len, room);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			set_err(err, "%s: cannot read the source: %s", name, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		s->len += (size_t)n;
		if (s->len > SOURCE_MAX_BYTES) {
			set_err(err, "%s: the source is larger than %u bytes", name, SOURCE_MAX_BYTES);
			goto out;
		}
	}
	s->map = s->len ? p->check_buf : NULL;
	rc = 0;
out:
	if (!std_in)
		close(fd);
	return rc;
}

cordon_result *cordon_check(cordon_policy *p, const char *path, const void *data, size_t len, char **err)
{
	if (err)
		*err = NULL;
	if (!p)
		return set_err(err, "no policy"), NULL;
	if (std_fds_safe() < 0)
		return set_err(err, "a standard descriptor is closed and /dev/null cannot be opened: %s", strerror(errno)),
		       NULL;
	cordon_result *r = result_new(p);
	if (!r)
		return set_err(err, "out of memory"), NULL;
	r->check_file = xstrdup(path ? (strcmp(path, "-") == 0 ? "<stdin>" : path) : "<data>");
	struct run run;
	run_begin(&run, p, r);
	run.sources = calloc(1, sizeof(struct source));
	char *why = NULL;
	if (!run.sources || !r->check_file) {
		result_set_error(r, CORDON_EXIT_ERROR, "out of memory");
	} else {
		run.n_sources = 1;
		int s = 0;
		if (path) {
			s = check_read(p, path, &run.sources[0], &why);
		} else if (!data && len) {
			s = set_err(&why, "<data>: no bytes given for a source of %zu bytes", len);
		} else if (len > SOURCE_MAX_BYTES) {
			s = set_err(&why, "<data>: the source is larger than %u bytes", SOURCE_MAX_BYTES);
		} else {
			/* The caller's bytes, checked where they are. */
			struct source *src = &run.sources[0];
			src->fd = src->rofd = -1;
			src->borrowed = true;
			src->map = len ? data : NULL;
			src->len = len;
			if (!(src->name = xstrdup("<data>")))
				s = set_err(&why, "out of memory");
		}
		if (s < 0) {
			result_set_error(r, CORDON_EXIT_ERROR, "%s", why ? why : "cannot read the source");
		} else {
			run.sources[0].language = language_of(run.sources[0].name, &p->interpreter);
			int v = check_phase(&run, &run.sources[0]);
			if (v == CORDON_PASS)
				r->status = ST_OK;
			else if (v == CORDON_DENY)
				r->status = ST_DENIED;
			else if (r->status != ST_ERROR)
				result_set_error(r, CORDON_EXIT_ERROR, "the source could not be checked");
		}
	}
	free(why);
	for (size_t i = 0; i < p->n_stack; i++)
		if (!MODULE_HOOK(p->stack[i].lm.m, check))
			p->stack[i].verdict = "skipped";
	run_end(&run);
	return r;
}

/* ---- process tree ---- */

struct pidset {
	pid_t *v;
	size_t n, cap;
};

static bool pidset_has(const struct pidset *s, pid_t p)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == p)
			return true;
	return false;
}

static int pidset_add(struct pidset *s, pid_t p)
{
	if (pidset_has(s, p))
		return 0;
	if (grow_array((void **)&s->v, &s->cap, s->n + 1, sizeof(pid_t)) < 0)
		return -1;
	s->v[s->n++] = p;
	return 0;
}

/* Parse the ppid out of /proc/PID/stat (after the last ')'). */
static pid_t stat_ppid(const char *pid)
{
	char path[300], buf[1024];
	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	char *rp = strrchr(buf, ')');
	int ppid;
	char state;
	if (!rp || sscanf(rp + 1, " %c %d", &state, &ppid) != 2)
		return -1;
	return ppid;
}

/* Our direct children (of every thread), except those in `skip`. */
static int list_children(struct pidset *out, const struct pidset *skip)
{
	out->n = 0;
	pid_t self = getpid();
	DIR *tasks = opendir("/proc/self/task");
	bool have_children_files = false;
	if (tasks) {
		struct dirent *de;
		while ((de = readdir(tasks))) {
			if (de->d_name[0] == '.')
				continue;
			char path[300]; /* d_name is at most 255 bytes */
			snprintf(path, sizeof(path), "/proc/self/task/%s/children", de->d_name);
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			have_children_files = true;
			struct strbuf sb = { 0 };
			char buf[4096];
			ssize_t n;
			while ((n = read(fd, buf, sizeof(buf))) > 0)
				sb_append(&sb, buf, (size_t)n);
			close(fd);
			for (char *p = sb.data, *end; p && *p; p = end) {
				long v = strtol(p, &end, 10);
				if (end == p)
					break;
				if (v > 0 && !pidset_has(skip, (pid_t)v))
					pidset_add(out, (pid_t)v);
			}
			sb_free(&sb);
		}
		closedir(tasks);
	}
	if (have_children_files)
		return 0;
	/* Without CONFIG_PROC_CHILDREN: scan every process for its parent. */
	DIR *proc = opendir("/proc");
	if (!proc)
		return -1;
	struct dirent *de;
	while ((de = readdir(proc))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (stat_ppid(de->d_name) == self) {
			pid_t v = (pid_t)strtol(de->d_name, NULL, 10);
			if (!pidset_has(skip, v))
				pidset_add(out, v);
		}
	}
	closedir(proc);
	return 0;
}

/* Whether a process is already on its way out: a zombie, exiting
 * (PF_EXITING in /proc/PID/stat's flags) or with SIGKILL pending (a
 * parent-death signal already sent, as for a wrapper's own pid 1 when the
 * wrapper exited first).  Such a process is reaped but not reported as left
 * running. */
static bool already_ending(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	const char *p = strrchr(buf, ')'); /* the command name may hold anything */
	if (!p || p[1] != ' ')
		return false;
	char state = p[2];
	if (state == 'Z' || state == 'X' || state == 'x')
		return true;
	/* Fields after the state: ppid pgrp session tty_nr tpgid flags (the
	 * sixth; f starts at the space before ppid). */
	const char *f = p + 3;
	for (int k = 0; k < 6 && f; k++) {
		f = strchr(f, ' ');
		if (f)
			f++;
	}
	if (f && (strtoul(f, NULL, 10) & 0x4u)) /* PF_EXITING */
		return true;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	char st[4096];
	n = read(fd, st, sizeof(st) - 1);
	close(fd);
	if (n <= 0)
		return false;
	st[n] = '\0';
	static const char *const keys[] = { "\nSigPnd:", "\nShdPnd:" };
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		const char *q = strstr(st, keys[k]);
		if (q && (strtoull(q + strlen(keys[k]), NULL, 16) & (1ull << (SIGKILL - 1))))
			return true;
	}
	return false;
}

/*
 * Kill every process the run left behind.  The supervisor is a child
 * subreaper, so when a process of the run dies its children become ours:
 * kill our children, reap them, and repeat until none is left.  A process
 * forked meanwhile has a parent that is about to die, so it surfaces in a
 * later round.
 */
/* acc += the CPU times of ru; acc's peak RSS the larger of the two. */
static void rusage_add(struct rusage *acc, const struct rusage *ru)
{
	timeradd(&acc->ru_utime, &ru->ru_utime, &acc->ru_utime);
	timeradd(&acc->ru_stime, &ru->ru_stime, &acc->ru_stime);
	if (ru->ru_maxrss > acc->ru_maxrss)
		acc->ru_maxrss = ru->ru_maxrss;
	acc->ru_nvcsw += ru->ru_nvcsw;
	acc->ru_nivcsw += ru->ru_nivcsw;
}

/* Kill and reap what the program left (reparented to cordon, the
 * subreaper).  Their resource use (with that of every process they
 * reaped) is added to *acc when acc is not NULL: it is the program's too
 * (a wrapper's pid 1 that reaped the program, a daemon it started). */
static int kill_leftovers(const struct pidset *preexisting, pid_t main_pid, cordon_result *r, struct rusage *acc)
{
	struct pidset kids = { 0 }, skip = { 0 };
	int killed = 0, unkillable = 0;
	for (size_t i = 0; i < preexisting->n; i++)
		pidset_add(&skip, preexisting->v[i]);
	pidset_add(&skip, main_pid);
	for (int round = 0; round < 10000; round++) {
		if (list_children(&kids, &skip) < 0) {
			if (r)
				result_warn(r, "cannot list the processes the program left (/proc unavailable): "
				               "some may still be running");
			break;
		}
		if (kids.n == 0)
			break;
		for (size_t i = 0; i < kids.n; i++) {
			bool ending = already_ending(kids.v[i]);
			kill(-kids.v[i], SIGKILL); /* its process group, if it leads one */
			if (kill(kids.v[i], SIGKILL) < 0 && errno == EPERM) {
				/* e.g. a set-user-ID program: leave it, do not wait on it */
				pidset_add(&skip, kids.v[i]);
				unkillable++;
				kids.v[i] = 0;
				continue;
			}
			if (!ending)
				killed++;
		}
		for (size_t i = 0; i < kids.n; i++) {
			struct rusage ru;
			memset(&ru, 0, sizeof(ru));
			pid_t w = -1;
			if (kids.v[i] > 0)
				while ((w = wait4(kids.v[i], NULL, __WALL, &ru)) < 0 && errno == EINTR)
					;
			if (w > 0 && acc)
				rusage_add(acc, &ru);
		}
	}
	free(kids.v);
	free(skip.v);
	if (killed && r)
		result_warn(r, "killed %d process%s the program left running", killed, killed == 1 ? "" : "es");
	if (unkillable && r)
		result_warn(r, "%d process%s the program started could not be killed (not permitted)", unkillable,
		            unkillable == 1 ? "" : "es");
	return killed;
}

/* ---- launch ---- */

enum rec_kind {
	REC_CONFINE_FAIL = 1, /* a required confine hook failed: nothing ran */
	REC_NOTE = 2, /* a note from a confine hook */
	REC_EXEC_FAIL = 3,
	REC_SETUP_FAIL = 4, /* the core's own child setup failed */
	REC_OPTIONAL_FAIL = 5, /* an optional confine hook failed: go on */
	REC_EXEC = 6, /* confinement done: execve comes next */
	REC_STATUS = 7, /* child_exit_status: the program's wait status in err */
};

struct ctl_rec {
	int32_t kind;
	int32_t entry; /* stack index, or -1 */
	int32_t err;
	char text[200];
};


int run_clone_ns(struct run *run, unsigned long flags, unsigned uid, unsigned gid, unsigned host_uid,
                 unsigned host_gid, const char **why)
{
	unsigned long need = (unsigned long)(CLONE_NEWUSER | CLONE_NEWPID);
	if (!run || (flags & ~CLONE_NS_ALLOWED) || (flags & need) != need) {
		*why = "flags must hold CLONE_NEWUSER and CLONE_NEWPID and only namespace flags";
		return -1;
	}
	if (uid == (unsigned)-1 || gid == (unsigned)-1) {
		*why = "uid and gid must be valid ids";
		return -1;
	}
	if (geteuid() == 0 && (host_uid == 0 || host_gid == 0 || host_uid == (unsigned)-1 || host_gid == (unsigned)-1)) {
		*why = "as root, host_uid and host_gid must be valid non-zero ids";
		return -1;
	}
	clone_req_drop(run);
	run->clone.requested = true;
	run->clone.flags = flags;
	run->clone.uid = uid;
	run->clone.gid = gid;
	run->clone.host_uid = host_uid;
	run->clone.host_gid = host_gid;
	return 0;
}

int run_child_exit_status(const struct cordon_child *child, int wstatus)
{
	if (!child || child->control_fd < 0) {
		errno = EBADF;
		return -1;
	}
	struct ctl_rec rec;
	memset(&rec, 0, sizeof(rec));
	rec.kind = REC_STATUS;
	rec.entry = -1;
	rec.err = wstatus;
	/* The CPU time and peak memory wait4 would have given for this
	 * process: its own and its reaped children's (the whole pid
	 * namespace, which the caller has emptied). */
	struct rusage self, kids;
	if (getrusage(RUSAGE_SELF, &self) < 0 || getrusage(RUSAGE_CHILDREN, &kids) < 0)
		return -1;
	struct exit_report u = {
		.utime_us = (int64_t)self.ru_utime.tv_sec * 1000000 + self.ru_utime.tv_usec +
		            (int64_t)kids.ru_utime.tv_sec * 1000000 + kids.ru_utime.tv_usec,
		.stime_us = (int64_t)self.ru_stime.tv_sec * 1000000 + self.ru_stime.tv_usec +
		            (int64_t)kids.ru_stime.tv_sec * 1000000 + kids.ru_stime.tv_usec,
		.maxrss_kb = self.ru_maxrss > kids.ru_maxrss ? self.ru_maxrss : kids.ru_maxrss,
	};
	_Static_assert(sizeof(u) <= sizeof(rec.text), "the report fits a record");
	memcpy(rec.text, &u, sizeof(u));
	ssize_t w;
	do
		w = write(child->control_fd, &rec, sizeof(rec));
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)sizeof(rec)) {
		if (w >= 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

/* The supervisor, right after the clone: the child's one-line maps (see
 * launch_clone_ns).  0 or an errno, with the file that failed in *what. */
static int write_child_maps(pid_t pid, const struct clone_req *req, const char **what)
{
	bool root = geteuid() == 0;
	char path[64], line[64];
	const char *files[3] = { "setgroups", "uid_map", "gid_map" };
	for (int i = root ? 1 : 0; i < 3; i++) {
		int n = i == 0   ? snprintf(line, sizeof(line), "deny\n")
		        : i == 1 ? snprintf(line, sizeof(line), "%u %u 1\n", req->uid,
		                            root ? req->host_uid : (unsigned)geteuid())
		                 : snprintf(line, sizeof(line), "%u %u 1\n", req->gid,
		                            root ? req->host_gid : (unsigned)getegid());
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, files[i]);
		*what = files[i];
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return errno;
		ssize_t w = write(fd, line, (size_t)n);
		int e = w == n ? 0 : w < 0 ? errno : EIO;
		close(fd);
		if (e)
			return e;
	}
	return 0;
}

struct confiner {
	int (*confine)(void *state, const struct cordon_child *child, const char **step);
	void *state;
	int index;
	bool optional;
};

struct launch {
	const char *path; /* resolved argv[0] */
	char *const *argv;
	char *const *envp;
	int stdin_fd; /* -1: /dev/null opened by the parent */
	int out_w, err_w, ctl_w;
	const int *src_fds;
	int n_src;
	const int *pass_fds; /* launch_pass_fd, placed after the control pipe */
	const bool *pass_keep; /* CORDON_FD_KEEP_EXEC: left open across exec */
	int n_pass;
	int high; /* first descriptor above every one we move */
	const struct confiner *conf;
	size_t n_conf;
	struct cordon_child child;
	pid_t parent;
	/* launch_clone_ns: the child is pid 1 of new namespaces; it waits on
	 * sync_r for the supervisor's maps, then takes uid/gid as root */
	bool cloned;
	int sync_r, sync_w;
	unsigned uid, gid;
};

/* In the child only: which stack entry is confining now. */
static int child_entry = -1;
static int child_ctl_fd = -1;

static void child_send(int kind, int entry, int err, const char *text)
{
	struct ctl_rec rec;
	memset(&rec, 0, sizeof(rec));
	rec.kind = kind;
	rec.entry = entry;
	rec.err = err;
	if (text) {
		size_t i = 0;
		for (; i < sizeof(rec.text) - 1 && text[i]; i++)
			rec.text[i] = text[i];
		rec.text[i] = '\0';
	}
	if (child_ctl_fd >= 0) {
		ssize_t w;
		do
			w = write(child_ctl_fd, &rec, sizeof(rec));
		while (w < 0 && errno == EINTR);
	}
}

static void child_note(const struct cordon_child *c, const char *msg)
{
	(void)c;
	child_send(REC_NOTE, child_entry, 0, msg);
}

static __attribute__((noreturn)) void child_fail(int kind, int err, const char *step)
{
	child_send(kind, child_entry, err, step);
	_exit(kind == REC_EXEC_FAIL && (err == ENOENT || err == ENOTDIR || err == EACCES || err == ENOEXEC)
	              ? CORDON_EXIT_NOTFOUND
	              : CORDON_EXIT_ERROR);
}

/* glibc keeps two real-time signals for itself and its sigaction refuses
 * them; an ignored disposition inherited from cordon's own parent would
 * survive execve.  Reset them with the raw system call. */
static void reset_reserved_signals(void)
{
#if defined(__x86_64__) || defined(__aarch64__) || defined(__i386__)
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		unsigned long mask;
	} ksa;
	memset(&ksa, 0, sizeof(ksa)); /* SIG_DFL */
	for (int s = 32; s < SIGRTMIN; s++)
		(void)syscall(SYS_rt_sigaction, s, &ksa, NULL, sizeof(ksa.mask));
#endif
}

/*
 * The child's copy of cordon's command line and environment, wiped: where
 * the child does not exec (the namespaces module's pid 1, the sandbox's
 * reaper) the program would read them at /proc/1/cmdline and
 * /proc/1/environ: host paths, the policy's name, the caller's whole
 * environment.  The command line becomes "cordon-init".  Only this
 * process's copy is touched (the pages are copied on write); the areas are
 * found in /proc/self/stat (fields 48-51), read without allocating.
 * Async-signal-safe; a failure leaves the areas as they were.
 */
static void wipe_own_cmdline(void)
{
	char buf[1024];
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	char *p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
	if (!p)
		return;
	/* After ")": field 3 (state) on; arg_start is field 48. */
	unsigned long v[4] = { 0, 0, 0, 0 };
	int field = 2;
	for (p++; *p && field < 51;) {
		while (*p == ' ')
			p++;
		field++;
		unsigned long x = 0;
		while (*p >= '0' && *p <= '9')
			x = x * 10 + (unsigned long)(*p++ - '0');
		while (*p && *p != ' ')
			p++;
		if (field >= 48)
			v[field - 48] = x;
	}
	if (field < 51)
		return;
	static const char name[] = "cordon-init";
	if (v[1] > v[0] && v[1] - v[0] < (1ul << 30)) {
		char *a = (char *)v[0];
		size_t len = v[1] - v[0];
		memset(a, 0, len);
		if (len > sizeof(name))
			memcpy(a, name, sizeof(name));
	}
	if (v[3] > v[2] && v[3] - v[2] < (1ul << 30))
		memset((char *)v[2], 0, v[3] - v[2]);
}

static __attribute__((noreturn)) void child_main(const struct launch *L)
{
	child_ctl_fd = L->ctl_w;
	pid_t self = getpid();
	wipe_own_cmdline();

	/* 0. Created in new namespaces: wait for the supervisor to write the
	 * user namespace's maps; as root, leave host uid 0 at once. */
	if (L->cloned) {
		close(L->sync_w);
		char go;
		ssize_t n;
		do
			n = read(L->sync_r, &go, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			_exit(CORDON_EXIT_ERROR); /* the supervisor failed or is gone */
		if (L->child.flags & CORDON_CHILD_ROOT) {
			if (setgroups(0, NULL) < 0)
				child_fail(REC_SETUP_FAIL, errno, "setgroups(0) in the new user namespace");
			if (setresgid(L->gid, L->gid, L->gid) < 0)
				child_fail(REC_SETUP_FAIL, errno, "setresgid in the new user namespace");
			if (setresuid(L->uid, L->uid, L->uid) < 0)
				child_fail(REC_SETUP_FAIL, errno, "setresuid in the new user namespace");
		}
	}

	/* 1. Default dispositions for every signal the parent may handle. */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		(void)sigaction(s, &sa, NULL); /* fails harmlessly for SIGKILL, SIGSTOP, reserved */
	reset_reserved_signals();

	/* 2-3. Own session; die with the supervisor. */
	if (setsid() < 0)
		child_fail(REC_SETUP_FAIL, errno, "setsid");
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		child_fail(REC_SETUP_FAIL, errno, "prctl(PR_SET_PDEATHSIG)");
	if (L->cloned) {
		/* The supervisor is in another pid namespace (getppid() is 0):
		 * it holds the other end of sync_r open until the run ends. */
		struct pollfd pf = { .fd = L->sync_r, .events = POLLIN };
		if (poll(&pf, 1, 0) != 0)
			_exit(CORDON_EXIT_ERROR); /* end of file: the supervisor is gone */
		close(L->sync_r);
	} else if (getppid() != L->parent) {
		_exit(CORDON_EXIT_ERROR); /* the supervisor is already gone */
	}

	/* 4. Descriptors.  First move everything above every target so that
	 * no dup2 below overwrites a descriptor still to be moved. */
	int in = fcntl(L->stdin_fd, F_DUPFD_CLOEXEC, L->high);
	int out = fcntl(L->out_w, F_DUPFD_CLOEXEC, L->high);
	int err = fcntl(L->err_w, F_DUPFD_CLOEXEC, L->high);
	int ctl = fcntl(L->ctl_w, F_DUPFD_CLOEXEC, L->high);
	if (in < 0 || out < 0 || err < 0 || ctl < 0)
		child_fail(REC_SETUP_FAIL, errno, "fcntl(F_DUPFD_CLOEXEC)");
	child_ctl_fd = ctl;
	int src_hi[64], pass_hi[RUN_MAX_PASS_FDS];
	for (int i = 0; i < L->n_src; i++) {
		src_hi[i] = fcntl(L->src_fds[i], F_DUPFD_CLOEXEC, L->high);
		if (src_hi[i] < 0)
			child_fail(REC_SETUP_FAIL, errno, "fcntl(F_DUPFD_CLOEXEC)");
	}
	for (int i = 0; i < L->n_pass; i++) {
		pass_hi[i] = fcntl(L->pass_fds[i], F_DUPFD_CLOEXEC, L->high);
		if (pass_hi[i] < 0)
			child_fail(REC_SETUP_FAIL, errno, "fcntl(F_DUPFD_CLOEXEC)");
	}
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		child_fail(REC_SETUP_FAIL, errno, "dup2(stdio)");
	for (int i = 0; i < L->n_src; i++)
		if (dup2(src_hi[i], 3 + i) < 0)
			child_fail(REC_SETUP_FAIL, errno, "dup2(source)");
	int ctl_fd = 3 + L->n_src;
	if (dup3(ctl, ctl_fd, O_CLOEXEC) < 0)
		child_fail(REC_SETUP_FAIL, errno, "dup3(control)");
	child_ctl_fd = ctl_fd;
	/* Descriptors modules passed (launch_pass_fd) follow the control
	 * pipe; they stay open for confine hooks only (close-on-exec below). */
	for (int i = 0; i < L->n_pass; i++)
		if (dup3(pass_hi[i], ctl_fd + 1 + i, O_CLOEXEC) < 0)
			child_fail(REC_SETUP_FAIL, errno, "dup3(passed descriptor)");
	int keep_to = ctl_fd + L->n_pass;
	if (syscall(SYS_close_range, (unsigned)keep_to + 1, ~0u, 0) < 0) {
		struct rlimit rl;
		long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY &&
		                           rl.rlim_max < 1048576
		                   ? (long)rl.rlim_max
		                   : 1048576;
		for (long fd = keep_to + 1; fd < max; fd++)
			(void)close((int)fd);
	}
	sigset_t none;
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		child_fail(REC_SETUP_FAIL, errno, "sigprocmask");

	/* 5. Confinement, in stack order. */
	struct cordon_child child = L->child;
	child.control_fd = ctl_fd;
	for (size_t i = 0; i < L->n_conf; i++) {
		const struct confiner *c = &L->conf[i];
		const char *step = NULL;
		child_entry = c->index;
		pid_t before = getpid();
		int e = c->confine(c->state, &child, &step);
		if (e != 0) {
			/* A hook that forked (into a pid namespace) and failed in the
			 * new process left it in a state no later hook expects:
			 * fail closed, optional or not. */
			if (c->optional && getpid() == before) {
				child_send(REC_OPTIONAL_FAIL, c->index, e, step ? step : "confine");
				continue;
			}
			child_fail(REC_CONFINE_FAIL, e, step ? step : "confine");
		}
	}
	child_entry = -1;

	/* Whatever a hook opened without O_CLOEXEC does not reach the program. */
	(void)syscall(SYS_close_range, (unsigned)ctl_fd + 1, ~0u, CLOSE_RANGE_CLOEXEC);
	/* ...except what a module passed for the wrapper command to read
	 * (CORDON_FD_KEEP_EXEC: bwrap --seccomp FD). */
	for (int i = 0; i < L->n_pass; i++)
		if (L->pass_keep[i] && fcntl(ctl_fd + 1 + i, F_SETFD, 0) < 0)
			child_fail(REC_SETUP_FAIL, errno, "fcntl(F_SETFD) of a passed descriptor");
	/* No privileges gained through execve of set-user-ID files, ever (as
	 * bubblewrap); a seccomp module relies on it too. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail(REC_SETUP_FAIL, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
	/* A hook that changed credentials cleared the parent-death signal; set
	 * it again.  (A hook that forked into a new pid namespace handles its
	 * own: this process is then not the supervisor's child.) */
	if (L->cloned && getpid() == self)
		child_fail(REC_SETUP_FAIL, EPROTO,
		           "launch_clone_ns: no confine hook forked the program's process (pid 1 does not run it)");
	if (getpid() == self) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
			child_fail(REC_SETUP_FAIL, errno, "prctl(PR_SET_PDEATHSIG)");
		if (getppid() != L->parent)
			_exit(CORDON_EXIT_ERROR);
	}

	/* 6. Run. */
	child_send(REC_EXEC, -1, 0, NULL);
	execve(L->path, L->argv, L->envp);
	child_fail(REC_EXEC_FAIL, errno, L->path);
}

/* Resolve a command name on PATH (from the child's environment). */
static char *resolve_command(const char *cmd, const struct strv *env)
{
	if (strchr(cmd, '/'))
		return xstrdup(cmd);
	const char *path = DEFAULT_PATH;
	for (size_t i = 0; i < env->n; i++)
		if (strncmp(env->v[i], "PATH=", 5) == 0)
			path = env->v[i] + 5;
	const char *p = path;
	while (*p) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		/* An empty entry would mean cordon's working directory: skipped. */
		char *cand = n ? xasprintf("%.*s/%s", (int)n, p, cmd) : NULL;
		struct stat st;
		if (cand && stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			return cand;
		free(cand);
		p += n;
		if (*p == ':')
			p++;
	}
	return NULL;
}

/* ---- the pump ---- */

struct pump {
	int fd; /* read end; -1 once closed */
	int index; /* 0 stdout, 1 stderr */
	uint64_t raw; /* bytes read from the child */
	bool poisoned; /* a filter failed: nothing more passes */
	int dest; /* stream destination or -1 */
	int dest_errno; /* why the destination was given up, or 0 */
	int cancel_fd; /* the caller's: ends a blocking flush to a stalled destination */
	bool dest_only; /* streaming: the result keeps only a prefix, silently */
	struct strbuf pending;
	size_t pend_off; /* bytes of pending already written */
};

/* Bytes waiting for the destination. */
static size_t pend_len(const struct pump *pu)
{
	return pu->pending.len - pu->pend_off;
}

/* Drop what was written: reset when everything went; move the rest down only
 * once the written part is large, so a slow reader does not make every
 * PIPE_BUF write a memmove of the whole buffer. */
static void pend_consume(struct pump *pu, size_t n)
{
	pu->pend_off += n;
	if (pu->pend_off >= pu->pending.len) {
		sb_consume(&pu->pending, pu->pending.len);
		pu->pend_off = 0;
	} else if (pu->pend_off >= 65536 && pu->pend_off >= pu->pending.len / 2) {
		sb_consume(&pu->pending, pu->pend_off);
		pu->pend_off = 0;
	}
}

struct supervisor {
	struct run *run;
	cordon_result *r;
	struct pump pumps[2];
	uint64_t cap; /* per stream */
	uint64_t keep; /* kept in the result per stream */
	bool capped;
	bool output_over; /* the staging of --output-dir passed its budget */
	const char *budget_exceeded; /* a tree budget the samples saw passed */
	bool filter_failed;
	struct cordon_buf bufs[2];
	char *filter_error;
};

static int run_filters(struct supervisor *sv, struct pump *pu, const unsigned char *data, size_t len,
                       int eof)
{
	struct run *run = sv->run;
	cordon_policy *p = run->policy;
	const unsigned char *in = data;
	size_t in_len = len;
	int cur = 0;
	enum cordon_stream stream = pu->index ? CORDON_STDERR : CORDON_STDOUT;
	for (size_t i = 0; i < p->n_stack; i++) {
		struct entry *e = &p->stack[i];
		int (*filter)(cordon_ctx *, void *, enum cordon_stream, const unsigned char *, size_t, int,
		              cordon_buf *) = MODULE_HOOK(e->lm.m, filter);
		if (!filter)
			continue;
		struct cordon_buf *out = &sv->bufs[cur];
		out->sb.len = 0;
		out->sb.failed = false;
		if (out->sb.data)
			out->sb.data[0] = '\0';
		e->ctx.phase = PHASE_FILTER;
		double t0 = now_ms();
		int rc = filter(&e->ctx, e->state, stream, in, in_len, eof, out);
		e->ms += now_ms() - t0;
		if (rc != 0 || out->sb.failed) {
			if (e->control == CONTROL_OPTIONAL) {
				result_warn(sv->r, "%s: filter failed; its input passed on unchanged", e->lm.m->name);
				e->verdict = "error";
				continue;
			}
			e->verdict = "error";
			if (!sv->filter_error)
				sv->filter_error = hook_failure(e, "filter");
			return -1;
		}
		in = (const unsigned char *)(out->sb.data ? out->sb.data : "");
		in_len = out->sb.len;
		cur ^= 1;
	}
	if (!in_len)
		return 0;
	struct strbuf *kept = &sv->r->out[pu->index];
	if (kept->len < sv->keep) {
		size_t room = (size_t)(sv->keep - kept->len);
		sb_append(kept, in, in_len < room ? in_len : room);
		if (in_len > room && !pu->dest_only) {
			sv->r->truncated[pu->index] = true;
			result_warn(sv->r, "%s: only the first %llu bytes are kept in the result",
			            pu->index ? "stderr" : "stdout", (unsigned long long)sv->keep);
		}
	}
	if (pu->dest >= 0)
		sb_append(&pu->pending, in, in_len);
	return 0;
}

/* Feed bytes read from the child, applying the cap. */
static void pump_feed(struct supervisor *sv, struct pump *pu, const unsigned char *data, size_t len,
                      int eof)
{
	if (pu->poisoned)
		return;
	if (sv->cap && len > sv->cap - pu->raw) {
		len = (size_t)(sv->cap - pu->raw);
		sv->r->truncated[pu->index] = true;
		sv->capped = true;
		eof = 1;
	}
	pu->raw += len;
	if (run_filters(sv, pu, data, len, eof) < 0) {
		pu->poisoned = true;
		sv->filter_failed = true;
	}
	if (eof)
		pu->poisoned = true; /* flushed: nothing more goes through */
}

static void pump_close(struct supervisor *sv, struct pump *pu)
{
	if (pu->fd < 0)
		return;
	close(pu->fd);
	pu->fd = -1;
	pump_feed(sv, pu, NULL, 0, 1);
}

/* Write what is pending without blocking for long: at most PIPE_BUF
 * bytes, which a pipe that polled writable always takes whole. */
static void pump_write(struct pump *pu, bool block)
{
	while (pu->dest >= 0 && pend_len(pu)) {
		if (block) {
			/* The final flush: wait for room, a chunk at a time, or for
			 * the caller to cancel (a reader that stopped reading must
			 * not hold cordon forever; a blocking write would restart
			 * after the signal and never return). */
			struct pollfd pf[2] = { { .fd = pu->dest, .events = POLLOUT },
				                { .fd = pu->cancel_fd, .events = POLLIN } };
			int nr = poll(pf, pu->cancel_fd >= 0 ? 2 : 1, -1);
			if (nr < 0 && errno == EINTR)
				continue;
			if (nr > 0 && pu->cancel_fd >= 0 && (pf[1].revents & (POLLNVAL | POLLERR))) {
				pu->cancel_fd = -1;
				continue;
			}
			if (nr < 0 || (pu->cancel_fd >= 0 && (pf[1].revents & (POLLIN | POLLHUP)))) {
				pu->dest_errno = nr < 0 ? errno : ECANCELED;
				pu->dest = -1;
				pend_consume(pu, pend_len(pu));
				return;
			}
			if (!pf[0].revents)
				continue;
		}
		size_t left = pend_len(pu);
		size_t n = left < PIPE_BUF ? left : PIPE_BUF;
		ssize_t w = write(pu->dest, pu->pending.data + pu->pend_off, n);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				if (!block)
					return;
				continue;
			}
			pu->dest_errno = errno; /* the reader went away, or a full disk: keep collecting only */
			pu->dest = -1;
			pend_consume(pu, pend_len(pu));
			return;
		}
		pend_consume(pu, (size_t)w);
		if (!block)
			return;
	}
}

static void handle_record(struct run *run, const struct ctl_rec *rec, bool *fatal, bool *exec_started)
{
	cordon_policy *p = run->policy;
	cordon_result *r = run->result;
	char text[sizeof(rec->text) + 1];
	memcpy(text, rec->text, sizeof(rec->text));
	text[sizeof(rec->text)] = '\0';
	const char *mod = rec->entry >= 0 && (size_t)rec->entry < p->n_stack ? p->stack[rec->entry].lm.m->name
	                                                                     : "cordon";
	if (rec->entry >= 0 && (size_t)rec->entry < p->n_stack &&
	    (rec->kind == REC_CONFINE_FAIL || rec->kind == REC_OPTIONAL_FAIL))
		p->stack[rec->entry].verdict = "error";
	switch (rec->kind) {
	case REC_EXEC:
		*exec_started = true;
		break;
	case REC_STATUS: {
		struct exit_report u;
		memcpy(&u, rec->text, sizeof(u));
		clone_req_status(run, rec->err, &u);
		break;
	}
	case REC_NOTE:
		result_warn(r, "%s: %s", mod, text);
		break;
	case REC_OPTIONAL_FAIL:
		result_warn(r, "%s: confine failed (optional, the run went on): %s: %s", mod, text,
		            strerror(rec->err));
		break;
	case REC_CONFINE_FAIL:
		*fatal = true;
		result_set_error(r, CORDON_EXIT_ERROR, "%s: confine failed, nothing was run: %s: %s", mod, text,
		                 strerror(rec->err));
		break;
	case REC_EXEC_FAIL:
		*fatal = true;
		result_set_error(r,
		                 rec->err == ENOENT || rec->err == ENOTDIR || rec->err == EACCES || rec->err == ENOEXEC
		                         ? CORDON_EXIT_NOTFOUND
		                         : CORDON_EXIT_ERROR,
		                 "cannot execute %s: %s", text, strerror(rec->err));
		break;
	default:
		*fatal = true;
		result_set_error(r, CORDON_EXIT_ERROR, "setting up the child failed at %s: %s", text,
		                 strerror(rec->err));
		break;
	}
}

static void drain_ctl(struct run *run, int *ctl_r, bool *fatal, bool *exec_started)
{
	struct ctl_rec rec;
	while (*ctl_r >= 0) {
		ssize_t n = read(*ctl_r, &rec, sizeof(rec));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n == (ssize_t)sizeof(rec)) {
			handle_record(run, &rec, fatal, exec_started);
			continue;
		}
		close(*ctl_r); /* EOF, error or a torn record */
		*ctl_r = -1;
	}
}

static void finish_phase(struct run *run)
{
	cordon_policy *p = run->policy;
	cordon_result *r = run->result;
	for (size_t i = 0; i < p->n_stack && i < r->n_modules; i++) {
		r->modules[i].verdict = p->stack[i].verdict ? p->stack[i].verdict : "pass";
		r->modules[i].ms = p->stack[i].ms;
	}
	bool any_finish = false;
	for (size_t i = 0; i < p->n_stack; i++)
		any_finish |= MODULE_HOOK(p->stack[i].lm.m, finish) != NULL;
	if (!any_finish)
		return;
	char *json = cordon_result_json(r);
	struct cordon_run_info info = {
		.size = sizeof(info),
		.policy = r->policy,
		.status = status_name(r->status),
		.exit_code = r->exit_code,
		.signal = r->signal,
		.limit = r->limit,
		.cli_exit = cordon_result_exit_status(r),
		.wall_ms = r->wall_ms,
		.cpu_ms = r->cpu_ms,
		.max_rss_kb = r->max_rss_kb,
		.source = run->n_sources ? run->sources[0].map : NULL,
		.source_len = run->n_sources ? run->sources[0].len : 0,
		.json = json ? json : "{}",
		.n_findings = r->n_findings,
	};
	size_t seen_warnings = r->warnings.n;
	enum status seen_status = r->status;
	size_t seen_redactions = r->n_redactions;
	for (size_t i = 0; i < p->n_stack; i++) {
		struct entry *e = &p->stack[i];
		int (*finish)(cordon_ctx *, void *, const struct cordon_run_info *) = MODULE_HOOK(e->lm.m, finish);
		if (!finish)
			continue;
		/* An earlier finish hook may have added findings or warnings or
		 * named a limit: later hooks (an audit log) see the result as it
		 * stands now. */
		if (info.n_findings != r->n_findings || info.limit != r->limit ||
		    seen_warnings != r->warnings.n || seen_status != r->status ||
		    seen_redactions != r->n_redactions) {
			char *again = cordon_result_json(r);
			if (again) {
				free(json);
				json = again;
			}
			info.json = json ? json : "{}";
			info.n_findings = r->n_findings;
			info.limit = r->limit;
			info.status = status_name(r->status);
			info.cli_exit = cordon_result_exit_status(r);
			seen_warnings = r->warnings.n;
			seen_status = r->status;
			seen_redactions = r->n_redactions;
		}
		e->ctx.phase = PHASE_FINISH;
		free(e->last_error);
		e->last_error = NULL;
		double t0 = now_ms();
		int rc = finish(&e->ctx, e->state, &info);
		e->ms += now_ms() - t0;
		if (rc != 0) {
			char *why = hook_failure(e, "finish");
			e->verdict = "error";
			if (e->control == CONTROL_OPTIONAL) {
				result_warn(r, "%s", why ? why : "finish failed");
			} else {
				/* A required finish (an audit log) that fails makes the
				 * run an error: the caller must not trust it was recorded. */
				result_warn(r, "%s", why ? why : "finish failed");
				if (r->status != ST_ERROR)
					result_set_error(r, CORDON_EXIT_ERROR, "%s", why ? why : "finish failed");
			}
			free(why);
		}
	}
	free(json);
	for (size_t i = 0; i < p->n_stack && i < r->n_modules; i++) {
		r->modules[i].verdict = p->stack[i].verdict ? p->stack[i].verdict : "pass";
		r->modules[i].ms = p->stack[i].ms;
	}
}

/* ---- cordon_run ---- */

static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;

static int build_argv(struct run *run, const struct cordon_run_options *o, char **err)
{
	cordon_policy *p = run->policy;
	if (!o->argv) {
		if (!p->interpreter.n)
			return set_err(err, "policy '%s' has no interpreter: add 'interpreter:' or use cordon exec",
			               p->name);
		for (size_t i = 0; i < p->interpreter.n; i++)
			if (strv_push(&run->argv, p->interpreter.v[i]) < 0)
				return set_err(err, "out of memory");
		return strv_push(&run->argv, "/proc/self/fd/3") < 0 ? set_err(err, "out of memory") : 0;
	}
	if (!o->argv[0] || !o->argv[0][0])
		return set_err(err, "no command to execute");
	/* An argument naming a --source file (the same path, or the same file
	 * by its canonical path) becomes the sealed copy. */
	bool *used = xcalloc(run->n_sources, sizeof(bool));
	char **real = xcalloc(run->n_sources, sizeof(char *));
	int r = 0;
	if (!used || !real) {
		r = set_err(err, "out of memory");
		goto done;
	}
	for (size_t s = 0; s < run->n_sources; s++)
		real[s] = realpath(o->sources[s], NULL);
	for (size_t i = 0; o->argv[i] && r == 0; i++) {
		const char *a = o->argv[i];
		char *ra = NULL;
		size_t hit = SIZE_MAX;
		for (size_t s = 0; s < run->n_sources && hit == SIZE_MAX; s++)
			if (strcmp(a, o->sources[s]) == 0)
				hit = s;
		if (hit == SIZE_MAX && run->n_sources && (ra = realpath(a, NULL)) != NULL)
			for (size_t s = 0; s < run->n_sources && hit == SIZE_MAX; s++)
				if (real[s] && strcmp(ra, real[s]) == 0)
					hit = s;
		free(ra);
		if (hit != SIZE_MAX) {
			used[hit] = true;
			if (strv_push_owned(&run->argv, xasprintf("/proc/self/fd/%zu", 3 + hit)) < 0)
				r = set_err(err, "out of memory");
		} else if (strv_push(&run->argv, a) < 0) {
			r = set_err(err, "out of memory");
		}
	}
	for (size_t s = 0; s < run->n_sources && r == 0; s++)
		if (!used[s])
			result_warn(run->result,
			            "--source %s is not an argument of the command: the command may read it from its path, "
			            "which is not necessarily what was checked",
			            o->sources[s]);
done:
	for (size_t s = 0; real && s < run->n_sources; s++)
		free(real[s]);
	free(real);
	free(used);
	return r;
}

static int build_env(struct run *run)
{
	cordon_policy *p = run->policy;
	if (!p->has_env)
		return strv_push(&run->env, "PATH=" DEFAULT_PATH);
	for (size_t i = 0; i < p->n_env; i++)
		if (strv_push_owned(&run->env, xasprintf("%s=%s", p->env[i].name, p->env[i].value)) < 0)
			return -1;
	if (!run->env.v && !(run->env.v = calloc(1, sizeof(char *)))) /* env: {} */
		return -1;
	return 0;
}

static int prepare_phase(struct run *run)
{
	cordon_policy *p = run->policy;
	for (size_t i = 0; i < p->n_stack; i++) {
		struct entry *e = &p->stack[i];
		int (*prepare)(cordon_ctx *, void *) = MODULE_HOOK(e->lm.m, prepare);
		if (!prepare)
			continue;
		e->ctx.phase = PHASE_PREPARE;
		free(e->last_error);
		e->last_error = NULL;
		double t0 = now_ms();
		int rc = prepare(&e->ctx, e->state);
		e->ms += now_ms() - t0;
		if (rc != 0) {
			char *why = hook_failure(e, "prepare");
			e->verdict = "error";
			if (e->control == CONTROL_OPTIONAL) {
				result_warn(run->result, "%s (optional, the run went on)", why ? why : "prepare failed");
				free(why);
				continue;
			}
			result_set_error(run->result, CORDON_EXIT_ERROR, "%s; nothing was run",
			                 why ? why : "prepare failed");
			free(why);
			return -1;
		}
	}
	return 0;
}

static void set_cloexec_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static void attribute_outcome(struct supervisor *sv, int wstatus, const struct rusage *ru, bool timed_out,
                              int cancelled)
{
	cordon_result *r = sv->r;
	struct run *run = sv->run;
	r->cpu_ms = (double)ru->ru_utime.tv_sec * 1e3 + (double)ru->ru_utime.tv_usec / 1e3 +
	            (double)ru->ru_stime.tv_sec * 1e3 + (double)ru->ru_stime.tv_usec / 1e3;
	r->max_rss_kb = ru->ru_maxrss;
	r->context_switches = ru->ru_nvcsw + ru->ru_nivcsw;
	/* A wrapper that relays a death by signal N as exit status 128+N
	 * (bubblewrap): reported as that signal, as the other backends do. */
	bool relayed = false;
	for (size_t i = 0; i < run->policy->n_stack; i++)
		relayed |= (run->policy->stack[i].lm.m->flags & CORDON_MOD_RELAYS_SIGNALS) != 0;
	if (relayed && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) > 128 && WEXITSTATUS(wstatus) < 128 + 65)
		wstatus = WEXITSTATUS(wstatus) - 128; /* as a wait status: terminated by that signal */
	if (WIFEXITED(wstatus)) {
		r->exit_code = WEXITSTATUS(wstatus);
		r->status = r->exit_code == 0 ? ST_OK : ST_FAILED;
	} else if (WIFSIGNALED(wstatus)) {
		r->signal = WTERMSIG(wstatus);
		r->status = ST_KILLED;
		/* RLIMIT_CPU with soft = hard ends in SIGKILL.  The kernel checks
		 * tick-sampled CPU time while rusage reports precise time, which
		 * can read well below the limit on a busy machine: a SIGKILL that
		 * cordon did not send, to a program that used at least half its
		 * CPU limit, is taken as the CPU limit. */
		double cpu_limit_ms = (double)run->limit_cpu_ns / 1e6;
		if (r->signal == SIGXCPU ||
		    (r->signal == SIGKILL && run->limit_cpu_ns && r->cpu_ms >= cpu_limit_ms / 2))
			r->limit = "cpu";
		else if (r->signal == SIGXFSZ)
			r->limit = "file_size";
	}
	if (cancelled) {
		r->status = ST_KILLED;
		r->signal = cancelled;
		r->exit_code = -1;
		r->limit = NULL;
		result_warn(r, "the run was cancelled (signal %d)", cancelled);
	} else if (timed_out) {
		r->status = ST_TIMEOUT;
		r->limit = "wall";
	} else if (sv->capped) {
		r->status = ST_KILLED;
		r->limit = "output";
	} else if (sv->output_over) {
		r->status = ST_KILLED;
		r->limit = "output_dir";
	} else if (sv->budget_exceeded) {
		r->status = ST_KILLED;
		r->limit = sv->budget_exceeded;
	}
	if (sv->filter_failed)
		result_set_error(r, CORDON_EXIT_ERROR, "%s; output after the failure was withheld",
		                 sv->filter_error ? sv->filter_error : "an output filter failed");
}

/* Kill the program's process group and the program, unless something else
 * in this process already reaped it (then its pid may name another process
 * by now, and nothing is sent). */
static void kill_main(pid_t pid, int pidfd)
{
	if (pidfd >= 0) {
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
			return;
		/* Unreaped, so its pid and process group are still its own. */
		kill(-pid, SIGKILL);
		(void)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		return;
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
}

/* Milliseconds until `until` as a poll timeout, clamped. */
static int ms_until(double until, double now)
{
	if (until <= now)
		return 0;
	double d = until - now + 1;
	return d > 86400000.0 ? 86400000 : (int)d;
}

/*
 * The program's stdin.  No descriptor of the caller's, and no host object
 * the program could reach through /proc/self/fd/0, gets to the program
 * (a directory there is a way out of every view; a file it may reopen for
 * writing; a terminal it may write to, past every filter):
 *   - nothing given: /dev/null;
 *   - a regular file (by path or as cordon's stdin): its bytes in a sealed
 *     memfd, read-only and seekable, when at most INPUT_SEAL_MAX; larger,
 *     copied through a pipe;
 *   - a stream (a FIFO by path; a pipe, terminal or socket as cordon's
 *     stdin): copied through a pipe as it comes, by the supervisor's loop,
 *     which also waits for a FIFO's writer without blocking the run;
 *   - /dev/null: /dev/null;
 *   - a directory, a block device, any other device by path: refused.
 */
#define INPUT_SEAL_MAX (64u * 1024 * 1024)

struct input_pump {
	int src; /* what the supervisor copies from, or -1 */
	bool own_src; /* src is cordon's to close (not its stdin) */
	int w; /* write end of the program's stdin pipe, or -1 */
	struct strbuf buf;
};

static bool is_dev_null(const struct stat *st)
{
	struct stat dn;
	return S_ISCHR(st->st_mode) && stat("/dev/null", &dn) == 0 && S_ISCHR(dn.st_mode) && dn.st_rdev == st->st_rdev;
}

/* A regular file's bytes from its current offset into a sealed memfd; the
 * program's descriptor is a read-only reopen.  -1 with errno; ENOSPC when
 * it is larger than INPUT_SEAL_MAX (nothing is kept then). */
static int seal_input(int in_fd)
{
	int mfd = memfd_create("cordon-input", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return -1;
	size_t total = 0;
	bool copy = false; /* sendfile refused (some /proc and /sys files): read and write */
	char *buf = NULL;
	for (;;) {
		size_t want = INPUT_SEAL_MAX - total + 1;
		if (want > (1u << 20))
			want = 1u << 20;
		ssize_t n;
		if (!copy) {
			n = sendfile(mfd, in_fd, NULL, want);
			if (n < 0 && total == 0 && (errno == EINVAL || errno == ENOSYS)) {
				copy = true;
				continue;
			}
		} else {
			if (!buf && !(buf = malloc(READ_CHUNK))) {
				close(mfd);
				errno = ENOMEM;
				return -1;
			}
			n = read(in_fd, buf, want < READ_CHUNK ? want : READ_CHUNK);
			if (n > 0 && write_full(mfd, buf, (size_t)n) < 0)
				n = -1;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (size_t)n > INPUT_SEAL_MAX - total) {
			free(buf);
			int e = n < 0 ? errno : ENOSPC;
			close(mfd);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		total += (size_t)n;
	}
	free(buf);
	char path[40];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", mfd);
	int ro = -1;
	if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) == 0)
		ro = open(path, O_RDONLY | O_CLOEXEC);
	int e = errno;
	close(mfd);
	errno = e;
	return ro;
}

static int open_input(const struct cordon_run_options *o, struct input_pump *ip, cordon_result *r)
{
	ip->src = ip->w = -1;
	ip->own_src = false;
	if (!o->input) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			result_set_error(r, CORDON_EXIT_ERROR, "/dev/null: cannot open input: %s", strerror(errno));
		return fd;
	}
	bool std_in = strcmp(o->input, "-") == 0;
	const char *name = std_in ? "--input -" : o->input;
	int fd;
	struct stat st;
	char *why = NULL;
	if (open_caller_path(o->input, "input", &fd, &st, &why) < 0) {
		result_set_error(r, CORDON_EXIT_ERROR, "%s", why ? why : "cannot open the input");
		free(why);
		return -1;
	}
	if (is_dev_null(&st)) {
		if (!std_in)
			close(fd);
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			result_set_error(r, CORDON_EXIT_ERROR, "/dev/null: cannot open input: %s", strerror(errno));
		return fd;
	}
	if (S_ISCHR(st.st_mode) && !std_in) {
		close(fd);
		result_set_error(r, CORDON_EXIT_ERROR,
		                 "%s: the input is a device: only /dev/null is passed (to copy a terminal, "
		                 "use --input - with it as cordon's stdin)",
		                 name);
		return -1;
	}
	if (S_ISREG(st.st_mode)) {
		off_t pos = std_in ? lseek(fd, 0, SEEK_CUR) : 0;
		int ro = seal_input(fd);
		if (ro >= 0) {
			if (!std_in)
				close(fd);
			return ro;
		}
		if (errno != ENOSPC) {
			result_set_error(r, CORDON_EXIT_ERROR, "%s: cannot copy the input: %s", name, strerror(errno));
			if (!std_in)
				close(fd);
			return -1;
		}
		/* Larger than INPUT_SEAL_MAX: copied through a pipe instead,
		 * from where it stood. */
		if (pos >= 0 && lseek(fd, pos, SEEK_SET) < 0) {
			result_set_error(r, CORDON_EXIT_ERROR, "%s: cannot read the input: %s", name, strerror(errno));
			if (!std_in)
				close(fd);
			return -1;
		}
	}
	int pp[2];
	if (pipe2(pp, O_CLOEXEC) < 0) {
		result_set_error(r, CORDON_EXIT_ERROR, "pipe: %s", strerror(errno));
		if (!std_in)
			close(fd);
		return -1;
	}
	set_cloexec_nonblock(pp[1]);
	ip->src = fd;
	ip->own_src = !std_in;
	ip->w = pp[1];
	return pp[0];
}

static void input_src_close(struct input_pump *ip)
{
	if (ip->own_src && ip->src >= 0)
		close(ip->src);
	ip->src = -1;
	ip->own_src = false;
}

static void input_close(struct input_pump *ip)
{
	if (ip->w >= 0)
		close(ip->w);
	ip->w = -1;
	input_src_close(ip);
	sb_free(&ip->buf);
}

/* Call the k-th watch's callback (launch_watch). */
static void watch_call(struct run *run, size_t k, short revents)
{
	struct watch *w = &run->watches[k];
	if (!w->active)
		return;
	struct entry *e = w->entry;
	if (revents & POLLNVAL) {
		w->active = false;
		result_warn(run->result, "%s: a watched descriptor was closed while still watched",
		            e->lm.m->name);
		return;
	}
	enum phase saved = e->ctx.phase;
	e->ctx.phase = PHASE_WATCH;
	double t0 = now_ms();
	/* The callback may add watches (realloc): index, never hold w across. */
	int rc = w->cb(&e->ctx, e->state, w->fd, revents);
	e->ms += now_ms() - t0;
	e->ctx.phase = saved;
	if (rc != 0)
		run->watches[k].active = false;
}

/* After the process tree has ended: one last call for each watch with
 * events pending (a report still queued), then no more watching. */
static void watch_last_call(struct run *run)
{
	for (size_t k = 0; k < run->n_watches; k++) {
		if (!run->watches[k].active)
			continue;
		struct pollfd pf = { .fd = run->watches[k].fd, .events = POLLIN };
		if (poll(&pf, 1, 0) == 1 && pf.revents)
			watch_call(run, k, pf.revents);
	}
	for (size_t k = 0; k < run->n_watches; k++)
		run->watches[k].active = false;
}

static int supervise(struct run *run, const struct cordon_run_options *o, const struct pidset *pre)
{
	cordon_policy *p = run->policy;
	cordon_result *r = run->result;
	int rc = -1;
	int stdin_fd = -1, outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, ctlp[2] = { -1, -1 }, pidfd = -1;
	int syncp[2] = { -1, -1 };
	struct clone_req creq = { 0 };
	bool cloned = clone_req_get(run, &creq);
	struct confiner *conf = NULL;
	struct input_pump ip = { .src = -1, .w = -1 };
	char *path = NULL;
	int src_fds[64];
	struct supervisor sv;
	memset(&sv, 0, sizeof(sv));
	sv.run = run;
	sv.r = r;
	int cancel_fd = o->cancel_fd > 0 ? o->cancel_fd : -1;

	if (run->n_sources > ARRAY_SIZE(src_fds)) {
		result_set_error(r, CORDON_EXIT_ERROR, "more than %zu sources", ARRAY_SIZE(src_fds));
		return -1;
	}
	path = resolve_command(run->argv.v[0], &run->env);
	if (!path) {
		result_set_error(r, CORDON_EXIT_NOTFOUND, "%s: command not found (PATH of the policy's env)",
		                 run->argv.v[0]);
		return -1;
	}
	stdin_fd = open_input(o, &ip, r);
	if (stdin_fd < 0)
		goto out;
	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 || pipe2(ctlp, O_CLOEXEC) < 0 ||
	    (cloned && pipe2(syncp, O_CLOEXEC) < 0)) {
		result_set_error(r, CORDON_EXIT_ERROR, "pipe: %s", strerror(errno));
		goto out;
	}
	conf = xcalloc(p->n_stack, sizeof(*conf));
	if (!conf) {
		result_set_error(r, CORDON_EXIT_ERROR, "out of memory");
		goto out;
	}
	size_t n_conf = 0;
	for (size_t i = 0; i < p->n_stack; i++) {
		struct entry *e = &p->stack[i];
		/* In the child a module's context is dead: its services refuse. */
		e->ctx.phase = PHASE_CONFINE;
		int (*confine)(void *, const struct cordon_child *, const char **) = MODULE_HOOK(e->lm.m, confine);
		if (!confine)
			continue;
		conf[n_conf].confine = confine;
		conf[n_conf].state = e->state;
		conf[n_conf].index = (int)i;
		conf[n_conf].optional = e->control == CONTROL_OPTIONAL;
		n_conf++;
	}
	int high = 3 + (int)run->n_sources + 1;
	int all[] = { stdin_fd, outp[0], outp[1], errp[0], errp[1], ctlp[0], ctlp[1], syncp[0], syncp[1] };
	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		if (all[i] >= high)
			high = all[i] + 1;
	for (size_t i = 0; i < run->n_sources; i++) {
		src_fds[i] = run->sources[i].rofd;
		if (src_fds[i] >= high)
			high = src_fds[i] + 1;
	}
	if (3 + (int)run->n_sources + 1 + run->n_pass > high)
		high = 3 + (int)run->n_sources + 1 + run->n_pass;
	for (int i = 0; i < run->n_pass; i++)
		if (run->pass_fds[i] >= high)
			high = run->pass_fds[i] + 1;
	struct launch L = {
		.path = path,
		.argv = run->argv.v,
		.envp = run->env.v,
		.stdin_fd = stdin_fd,
		.out_w = outp[1],
		.err_w = errp[1],
		.ctl_w = ctlp[1],
		.src_fds = src_fds,
		.n_src = (int)run->n_sources,
		.pass_fds = run->pass_fds,
		.pass_keep = run->pass_keep,
		.n_pass = run->n_pass,
		.high = high,
		.conf = conf,
		.n_conf = n_conf,
		.parent = getpid(),
		.cloned = cloned,
		.sync_r = syncp[0],
		.sync_w = syncp[1],
		.uid = cloned ? creq.uid : 0,
		.gid = cloned ? creq.gid : 0,
	};
	L.child = (struct cordon_child){
		.size = sizeof(struct cordon_child),
		.control_fd = -1,
		.first_source_fd = 3,
		.n_source_fds = (int)run->n_sources,
		.flags = geteuid() == 0 ? CORDON_CHILD_ROOT : 0,
		.supervisor_pid = getpid(),
		.outer_uid = getuid(),
		.outer_gid = getgid(),
		.output_dir = run->output_dir,
		.bind_ro = o->bind_ro,
		.note = child_note,
	};

	/* Caps and how much output to keep. */
	int out_fd = o->stream_stdout_fd > 0 ? o->stream_stdout_fd : -1;
	int err_fd = o->stream_stderr_fd > 0 ? o->stream_stderr_fd : -1;
	bool collecting = out_fd < 0 && err_fd < 0;
	sv.cap = run->output_cap;
	if (!sv.cap && collecting)
		sv.cap = COLLECT_CAP_DEFAULT;
	if (collecting)
		sv.keep = sv.cap < COLLECT_KEEP_MAX ? sv.cap : COLLECT_KEEP_MAX;
	else
		sv.keep = sv.cap && sv.cap < STREAM_KEEP ? sv.cap : STREAM_KEEP;
	sv.pumps[0] = (struct pump){ .fd = -1, .index = 0, .dest = out_fd, .dest_only = out_fd >= 0, .cancel_fd = cancel_fd };
	sv.pumps[1] = (struct pump){ .fd = -1, .index = 1, .dest = err_fd, .dest_only = err_fd >= 0, .cancel_fd = cancel_fd };

	/* A cancellation that came during check or prepare: never start. */
	if (cancel_fd >= 0) {
		struct pollfd cp = { .fd = cancel_fd, .events = POLLIN };
		if (poll(&cp, 1, 0) == 1 && (cp.revents & (POLLIN | POLLHUP))) {
			take_cancel(r, cancel_fd);
			rc = 0;
			goto out;
		}
	}

	sigset_t all_sigs, old_sigs;
	sigfillset(&all_sigs);
	pthread_sigmask(SIG_SETMASK, &all_sigs, &old_sigs);
	double t_start = now_ms();
	/* launch_clone_ns: the raw system call (as bubblewrap), which returns
	 * twice like fork; the child only makes async-signal-safe calls. */
	pid_t pid = cloned ? (pid_t)syscall(SYS_clone, creq.flags | SIGCHLD, NULL, NULL, NULL, NULL) : fork();
	if (pid == 0)
		child_main(&L);
	int fork_errno = errno;
	/* The parent runs with SIGPIPE blocked: a reader of the program's
	 * output that went away is an EPIPE to handle, not a death. */
	sigset_t with_pipe = old_sigs;
	sigaddset(&with_pipe, SIGPIPE);
	sigset_t pending_before;
	sigpending(&pending_before);
	pthread_sigmask(SIG_SETMASK, &with_pipe, NULL);
	if (pid < 0) {
		pthread_sigmask(SIG_SETMASK, &old_sigs, NULL);
		result_set_error(r, CORDON_EXIT_ERROR, "fork: %s", strerror(fork_errno));
		goto out;
	}
	/* The child waits for its maps: they come first. */
	int map_err = 0;
	const char *map_file = NULL;
	if (cloned) {
		map_err = write_child_maps(pid, &creq, &map_file);
		/* The child goes on; the write end stays open until the run
		 * ends, so that the child can tell the supervisor is alive. */
		if (!map_err && write(syncp[1], "1", 1) != 1)
			map_err = errno ? errno : EIO;
		close(syncp[0]);
		syncp[0] = -1;
	}
	/* The parent keeps only its ends; passed descriptors are the child's. */
	close_passed(run);
	close(outp[1]);
	close(errp[1]);
	close(ctlp[1]);
	outp[1] = errp[1] = ctlp[1] = -1;
	close(stdin_fd);
	stdin_fd = -1;
	sv.pumps[0].fd = outp[0];
	sv.pumps[1].fd = errp[0];
	outp[0] = errp[0] = -1; /* owned by the pumps now */
	set_cloexec_nonblock(sv.pumps[0].fd);
	set_cloexec_nonblock(sv.pumps[1].fd);
	set_cloexec_nonblock(ctlp[0]);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	double deadline = run->wall_ns ? t_start + (double)run->wall_ns / 1e6 : 0;
	/* The tree's budgets (the policy's memory, cpu and processes limits
	 * over every process of the program) and --output-dir's are sampled
	 * every OUTPUT_SAMPLE_MS. */
	struct budget bud = { .self = getpid(),
		              .max_memory = run->limit_memory,
		              .max_cpu_ns = run->limit_cpu_ns,
		              .max_processes = run->limit_processes };
	bool budgets = bud.max_memory || bud.max_cpu_ns || bud.max_processes;
	double next_sample = run->outputs.staging_fd >= 0 || budgets ? t_start + OUTPUT_SAMPLE_MS : 0;
	double grace_deadline = 0;
	bool reaped = false, timed_out = false, killed_main = false, fatal = false, exec_started = false;
	bool ended_early = false;
	bool lost = false;
	int cancelled = 0;
	int wstatus = 0;
	struct rusage ru, left_ru;
	memset(&ru, 0, sizeof(ru));
	memset(&left_ru, 0, sizeof(left_ru));
	unsigned char *buf = malloc(READ_CHUNK);
	if (!buf) {
		kill_main(pid, pidfd);
		killed_main = true;
		result_set_error(r, CORDON_EXIT_ERROR, "out of memory");
	}
	if (map_err) {
		kill_main(pid, pidfd);
		killed_main = true;
		fatal = true;
		result_set_error(r, CORDON_EXIT_ERROR, "writing the child's user namespace %s: %s", map_file,
		                 strerror(map_err));
	}

	while (buf && (!reaped || sv.pumps[0].fd >= 0 || sv.pumps[1].fd >= 0)) {
		struct pollfd pfd[9 + RUN_MAX_WATCHES];
		int np = 0, i_pid = -1, i_ctl = -1, i_cancel = -1, i_in[2] = { -1, -1 }, i_out[2] = { -1, -1 };
		int i_isrc = -1, i_iw = -1, i_watch = -1;
		size_t n_watch = 0;
		if (!reaped && pidfd >= 0) {
			i_pid = np;
			pfd[np++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		}
		if (ctlp[0] >= 0) {
			i_ctl = np;
			pfd[np++] = (struct pollfd){ .fd = ctlp[0], .events = POLLIN };
		}
		if (cancel_fd >= 0 && !cancelled) {
			i_cancel = np;
			pfd[np++] = (struct pollfd){ .fd = cancel_fd, .events = POLLIN };
		}
		if (ip.src >= 0 && !ip.buf.len && !reaped) {
			i_isrc = np;
			pfd[np++] = (struct pollfd){ .fd = ip.src, .events = POLLIN };
		}
		if (ip.w >= 0 && ip.buf.len) {
			i_iw = np;
			pfd[np++] = (struct pollfd){ .fd = ip.w, .events = POLLOUT };
		}
		for (int k = 0; k < 2; k++) {
			struct pump *pu = &sv.pumps[k];
			if (pu->fd >= 0 && pend_len(pu) < PENDING_MAX) {
				i_in[k] = np;
				pfd[np++] = (struct pollfd){ .fd = pu->fd, .events = POLLIN };
			}
			if (pu->dest >= 0 && pend_len(pu)) {
				i_out[k] = np;
				pfd[np++] = (struct pollfd){ .fd = pu->dest, .events = POLLOUT };
			}
		}
		/* Module watches (launch_watch), while the program runs. */
		i_watch = np;
		for (size_t k = 0; !reaped && k < run->n_watches && n_watch < RUN_MAX_WATCHES; k++) {
			if (run->watches[k].active) {
				pfd[np++] = (struct pollfd){ .fd = run->watches[k].fd, .events = POLLIN };
				n_watch = k + 1;
			} else {
				pfd[np++] = (struct pollfd){ .fd = -1 };
				n_watch = k + 1;
			}
		}
		double now = now_ms();
		double until = 0;
		if (deadline && !killed_main)
			until = deadline;
		if (grace_deadline && (!until || grace_deadline < until))
			until = grace_deadline;
		if (next_sample && !killed_main && !reaped && (!until || next_sample < until))
			until = next_sample;
		int timeout = until ? ms_until(until, now) : -1;
		if (pidfd < 0 && !reaped && (timeout < 0 || timeout > 10))
			timeout = 10; /* no pidfd: poll for the exit */
		int n = poll(pfd, (nfds_t)np, timeout);
		if (n < 0 && errno != EINTR) {
			result_set_error(r, CORDON_EXIT_ERROR, "poll: %s", strerror(errno));
			kill_main(pid, pidfd);
			killed_main = true;
			break;
		}
		now = now_ms();
		if (n > 0 && i_cancel >= 0 && pfd[i_cancel].revents) {
			if (pfd[i_cancel].revents & POLLNVAL) {
				cancel_fd = -1; /* not a descriptor: no cancellation */
			} else {
				unsigned char sig = 0;
				ssize_t got = read(cancel_fd, &sig, 1);
				cancelled = got == 1 && sig ? sig : SIGTERM;
			}
		}
		if (n > 0 && i_ctl >= 0 && pfd[i_ctl].revents)
			drain_ctl(run, &ctlp[0], &fatal, &exec_started);
		/* launch_clone_ns: the child reported the program's status with
		 * its pid namespace emptied and is exiting: the run has ended.
		 * It is reaped in run_end, after the finish phase, so that its
		 * teardown does not delay the result. */
		if (cloned && !reaped && !killed_main && clone_req_get(run, &creq) && creq.have_status) {
			wstatus = creq.status;
			ru.ru_utime.tv_sec = (time_t)(creq.usage.utime_us / 1000000);
			ru.ru_utime.tv_usec = (suseconds_t)(creq.usage.utime_us % 1000000);
			ru.ru_stime.tv_sec = (time_t)(creq.usage.stime_us / 1000000);
			ru.ru_stime.tv_usec = (suseconds_t)(creq.usage.stime_us % 1000000);
			ru.ru_maxrss = (long)creq.usage.maxrss_kb;
			reaped = true;
			ended_early = true;
			clone_req_pending(run, pid, pidfd);
			pidfd = -1; /* run->clone owns it now (reaped in run_end) */
			r->wall_ms = now_ms() - t_start;
			input_close(&ip);
			kill_leftovers(pre, pid, r, &left_ru);
			watch_last_call(run);
			grace_deadline = now_ms() + PIPE_GRACE_MS;
		}
		for (size_t k = 0; n > 0 && k < n_watch; k++)
			if (pfd[i_watch + (int)k].revents)
				watch_call(run, k, pfd[i_watch + (int)k].revents);
		if (n > 0 && i_isrc >= 0 && pfd[i_isrc].revents) {
			ssize_t got = read(ip.src, buf, READ_CHUNK);
			if (got > 0)
				sb_append(&ip.buf, buf, (size_t)got);
			else if (got == 0 || (errno != EINTR && errno != EAGAIN))
				input_src_close(&ip); /* EOF: close the program's stdin once drained */
		}
		if (n > 0 && i_iw >= 0 && pfd[i_iw].revents) {
			ssize_t w = write(ip.w, ip.buf.data, ip.buf.len);
			if (w > 0)
				sb_consume(&ip.buf, (size_t)w);
			else if (w < 0 && errno != EINTR && errno != EAGAIN)
				input_close(&ip); /* the program closed its stdin */
		}
		if (ip.w >= 0 && ip.src < 0 && !ip.buf.len)
			input_close(&ip);
		for (int k = 0; n > 0 && k < 2; k++) {
			struct pump *pu = &sv.pumps[k];
			if (i_out[k] >= 0 && pfd[i_out[k]].revents) {
				if (pfd[i_out[k]].revents & (POLLERR | POLLHUP | POLLNVAL)) {
					pu->dest_errno = (pfd[i_out[k]].revents & POLLNVAL) ? EBADF : EPIPE;
					pu->dest = -1;
					pend_consume(pu, pend_len(pu));
				} else {
					pump_write(pu, false);
				}
			}
			if (i_in[k] >= 0 && pfd[i_in[k]].revents) {
				ssize_t got = read(pu->fd, buf, READ_CHUNK);
				if (got > 0)
					pump_feed(&sv, pu, buf, (size_t)got, 0);
				else if (got == 0 || (errno != EINTR && errno != EAGAIN))
					pump_close(&sv, pu);
				/* Capped or a filter failed: the stream stays open and
				 * what arrives is discarded (pump_feed), so the program
				 * is killed below rather than by SIGPIPE first. */
			}
		}
		bool exited = false;
		if (!reaped) {
			if (i_pid >= 0 && n > 0 && pfd[i_pid].revents)
				exited = true;
			else if (pidfd < 0) {
				siginfo_t si;
				memset(&si, 0, sizeof(si));
				exited = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
			}
		}
		if (next_sample && !killed_main && !reaped && now >= next_sample) {
			if (outputs_over(&run->outputs))
				sv.output_over = true;
			if (budgets && budget_sample(&bud, pre->v, pre->n))
				sv.budget_exceeded = bud.exceeded;
			next_sample = now_ms() + OUTPUT_SAMPLE_MS;
		}
		if (!killed_main && !reaped &&
		    (cancelled || fatal || sv.capped || sv.output_over || sv.budget_exceeded || sv.filter_failed ||
		     run->abort_msg || run->deny_msg || (deadline && now >= deadline))) {
			if (deadline && now >= deadline && !cancelled && !fatal && !sv.capped && !sv.output_over &&
			    !sv.budget_exceeded && !sv.filter_failed && !run->abort_msg && !run->deny_msg)
				timed_out = true;
			/* Over a tree budget: the whole tree goes (a process
			 * outside the program's group, reparented to cordon, is
			 * killed with the leftovers). */
			kill_main(pid, pidfd);
			killed_main = true;
		}
		if (exited) {
			pid_t w;
			while ((w = wait4(pid, &wstatus, __WALL, &ru)) < 0 && errno == EINTR)
				;
			lost = w != pid;
			reaped = true;
			r->wall_ms = now_ms() - t_start;
			input_close(&ip);
			drain_ctl(run, &ctlp[0], &fatal, &exec_started);
			kill_leftovers(pre, pid, r, &left_ru);
			watch_last_call(run);
			grace_deadline = now_ms() + PIPE_GRACE_MS;
		}
		if (reaped && grace_deadline && now_ms() >= grace_deadline) {
			for (int k = 0; k < 2; k++)
				if (sv.pumps[k].fd >= 0) {
					result_warn(r, "%s was held open after the run ended; closed it",
					            k ? "stderr" : "stdout");
					pump_close(&sv, &sv.pumps[k]);
				}
		}
	}
	if (!reaped) {
		/* poll failed or no memory: make sure nothing is left. */
		kill_main(pid, pidfd);
		pid_t w;
		while ((w = wait4(pid, &wstatus, __WALL, &ru)) < 0 && errno == EINTR)
			;
		lost = w != pid;
		kill_leftovers(pre, pid, r, &left_ru);
		watch_last_call(run);
		r->wall_ms = now_ms() - t_start;
	}
	free(buf);
	input_close(&ip);
	for (int k = 0; k < 2; k++) {
		pump_close(&sv, &sv.pumps[k]);
		pump_write(&sv.pumps[k], true);
	}
	if (ctlp[0] >= 0)
		drain_ctl(run, &ctlp[0], &fatal, &exec_started);
	for (int k = 0; k < 2; k++)
		if (sv.pumps[k].dest_errno) {
			r->delivery_errno[k] = sv.pumps[k].dest_errno;
			result_warn(r, "the program's %s could not be written to its destination (%s): the rest of it was not delivered",
			            k ? "stderr" : "stdout", strerror(sv.pumps[k].dest_errno));
		}
	/* Restore the signal mask; swallow a SIGPIPE this run caused. */
	sigset_t pending_now;
	sigpending(&pending_now);
	if (sigismember(&pending_now, SIGPIPE) && !sigismember(&pending_before, SIGPIPE)) {
		sigset_t only_pipe;
		sigemptyset(&only_pipe);
		sigaddset(&only_pipe, SIGPIPE);
		struct timespec zero = { 0, 0 };
		(void)sigtimedwait(&only_pipe, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old_sigs, NULL);

	/* A module that could no longer enforce what it promised ended the
	 * run (run_abort): an error, whatever the program did; its reason is
	 * the first cause, also when the kill came before the exec. */
	if (run->abort_msg && r->status != ST_ERROR)
		result_set_error(r, CORDON_EXIT_ERROR, "%s; the run was stopped", run->abort_msg);
	if (lost) {
		result_set_error(r, CORDON_EXIT_ERROR,
		                 "lost track of the program: something else in this process reaped it");
	} else if (r->status != ST_ERROR && !fatal && !exec_started && cancelled) {
		/* The caller's signal came between fork and exec: the run ended
		 * by that signal (128+N), as it would a moment later. */
		r->status = ST_KILLED;
		r->signal = cancelled;
		result_warn(r, "the run was cancelled (signal %d) before the program started", cancelled);
		fatal = true;
	} else if (r->status != ST_ERROR && !fatal && !exec_started) {
		/* The child died between fork and exec without a record (a confine
		 * hook crashed or exited): nothing of the program ran. */
		result_set_error(r, CORDON_EXIT_ERROR, "the child ended before running the program (%s %d)",
		                 WIFSIGNALED(wstatus) ? "signal" : "status",
		                 WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : WEXITSTATUS(wstatus));
		fatal = true;
	}
	/* launch_clone_ns: the child is pid 1 of its pid namespace and cannot
	 * end by a signal; it reported the program's own status (and, when
	 * the run ended on the report, the CPU time and memory). */
	if (cloned && !ended_early && clone_req_get(run, &creq) && creq.have_status && exec_started)
		wstatus = creq.status;
	else if (cloned && !ended_early && exec_started && !killed_main && r->status != ST_ERROR && !fatal)
		/* pid 1 ended on its own without saying how the program ended:
		 * its own exit status is not the program's. */
		result_set_error(r, CORDON_EXIT_ERROR, "the sandbox's pid 1 ended without reporting the program's status "
		                                       "(status %d)",
		                 WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus));
	rusage_add(&ru, &left_ru);
	r->ran = exec_started;
	if (budgets) {
		r->tree_memory_peak = bud.peak_memory;
		r->enforced_by = "supervisor";
	}
	if (r->status != ST_ERROR && !fatal)
		attribute_outcome(&sv, wstatus, &ru, timed_out, cancelled);
	else if (!exec_started || fatal)
		r->exit_code = -1; /* nothing ran: no exit status of the program */
	/* The sampled CPU of the tree, when it saw more than rusage did (a
	 * process whose reaper did not wait for it). */
	if (budgets && (double)bud.cpu_ns / 1e6 > r->cpu_ms)
		r->cpu_ms = (double)bud.cpu_ns / 1e6;
	/* A module denied what the program did at run time (run_deny): the
	 * run is denied whatever the program's status, which is not its own
	 * (it was stopped); usage and output stay. */
	if (run->deny_msg && r->status != ST_ERROR && !fatal && exec_started) {
		r->status = ST_DENIED;
		r->exit_code = -1;
		r->signal = 0;
		r->limit = NULL;
	}
	rc = 0;
out:
	input_close(&ip);
	if (pidfd >= 0)
		close(pidfd);
	for (int k = 0; k < 2; k++) {
		sb_free(&sv.pumps[k].pending);
		if (sv.pumps[k].fd >= 0)
			close(sv.pumps[k].fd);
		sb_free(&sv.bufs[k].sb);
	}
	free(sv.filter_error);
	int fds[] = { stdin_fd, outp[0], outp[1], errp[0], errp[1], ctlp[0], ctlp[1], syncp[0], syncp[1] };
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(conf);
	free(path);
	return rc;
}

static int check_dirs(const struct cordon_run_options *o, cordon_result *r)
{
	struct stat st;
	if (o->output_dir) {
		if (stat(o->output_dir, &st) < 0) {
			result_set_error(r, CORDON_EXIT_ERROR, "--output-dir %s: %s", o->output_dir, strerror(errno));
			return -1;
		}
		if (!S_ISDIR(st.st_mode)) {
			result_set_error(r, CORDON_EXIT_ERROR, "--output-dir %s: not a directory", o->output_dir);
			return -1;
		}
	}
	for (size_t i = 0; o->bind_ro && o->bind_ro[i]; i++) {
		if (o->bind_ro[i][0] != '/') {
			result_set_error(r, CORDON_EXIT_ERROR, "--bind-ro %s: expected an absolute path", o->bind_ro[i]);
			return -1;
		}
		if (stat(o->bind_ro[i], &st) < 0) {
			result_set_error(r, CORDON_EXIT_ERROR, "--bind-ro %s: %s", o->bind_ro[i], strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Whether a kernel interface file system is mounted below `real`: a bind
 * is recursive (bubblewrap's always), so it would come along.  From
 * /proc/self/mountinfo (mount point: field 5, octal escapes; type: after
 * " - ").  NULL when none is, or mountinfo cannot be read (the top
 * directory was checked already). */
static const char *submount_problem(const char *real)
{
	static const char *const kinds[] = { "proc",     "sysfs",     "devpts",     "devtmpfs",   "cgroup",
		                             "cgroup2",  "debugfs",   "tracefs",    "securityfs", "bpf",
		                             "configfs", "pstore",    "efivarfs",   "mqueue",     "binfmt_misc",
		                             "selinuxfs", "fusectl",  "nsfs",       "rpc_pipefs", "nfsd" };
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return NULL;
	size_t rl = strlen(real);
	char *line = NULL;
	size_t cap = 0;
	const char *why = NULL;
	while (!why && getline(&line, &cap, f) > 0) {
		/* id parent major:minor root MOUNTPOINT options ... - TYPE ... */
		char *save = NULL, *field = strtok_r(line, " ", &save);
		for (int k = 1; field && k < 5; k++)
			field = strtok_r(NULL, " ", &save);
		if (!field)
			continue;
		/* Unescape \ooo in place. */
		char *w = field;
		for (char *r = field; *r; r++) {
			if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
			    r[3] <= '7') {
				*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
				r += 3;
			} else {
				*w++ = *r;
			}
		}
		*w = '\0';
		bool below = strcmp(real, "/") == 0 ? strcmp(field, "/") != 0
		                                     : strncmp(field, real, rl) == 0 && field[rl] == '/';
		if (!below)
			continue;
		char *type = NULL;
		for (char *t = strtok_r(NULL, " ", &save); t; t = strtok_r(NULL, " ", &save))
			if (strcmp(t, "-") == 0) {
				type = strtok_r(NULL, " ", &save);
				break;
			}
		for (size_t i = 0; type && i < ARRAY_SIZE(kinds); i++)
			if (strcmp(type, kinds[i]) == 0)
				why = "a kernel interface file system is mounted below it (a bind would bring it along)";
	}
	free(line);
	fclose(f);
	return why;
}

/*
 * A caller's --output-dir or --bind-ro path (canonical) that must not be
 * made visible in a sandbox: the whole host file system, or a kernel
 * interface (/proc, /sys, /dev and any file system of that kind wherever it
 * is mounted: a host procfs at /output would hand the program every host
 * process's descriptors and memory, writable).  NULL when it may be used.
 */
static const char *host_path_problem(const char *real)
{
	static const char *const roots[] = { "/proc", "/sys", "/dev" };
	if (strcmp(real, "/") == 0)
		return "that is the whole host file system";
	for (size_t i = 0; i < ARRAY_SIZE(roots); i++) {
		size_t n = strlen(roots[i]);
		if (strncmp(real, roots[i], n) == 0 && (real[n] == '\0' || real[n] == '/'))
			return "a kernel interface (/proc, /sys and /dev are never passed to a sandbox)";
	}
	static const unsigned long kernel_fs[] = {
		0x9fa0,     /* proc */
		0x62656572, /* sysfs */
		0x1cd1,     /* devpts */
		0x27e0eb,   /* cgroup */
		0x63677270, /* cgroup2 */
		0x64626720, /* debugfs */
		0x74726163, /* tracefs */
		0x73636673, /* securityfs */
		0xcafe4a11, /* bpf */
		0x62656570, /* configfs */
		0x6165676c, /* pstore */
		0xde5e81e4, /* efivarfs */
		0x19800202, /* mqueue */
		0x42494e4d, /* binfmt_misc */
		0xf97cff8c, /* selinuxfs */
		0x65735543, /* fusectl */
		0x6e736673, /* nsfs */
	};
	struct statfs sf;
	if (statfs(real, &sf) < 0)
		return "its file system cannot be examined";
	for (size_t i = 0; i < ARRAY_SIZE(kernel_fs); i++)
		if ((unsigned long)sf.f_type == kernel_fs[i])
			return "on a kernel interface file system (proc, sysfs, cgroup, ...)";
	return submount_problem(real);
}

cordon_result *cordon_run(cordon_policy *p, const struct cordon_run_options *opts, char **err)
{
	if (err)
		*err = NULL;
	if (!p || !opts || opts->size < offsetof(struct cordon_run_options, cancel_fd) + sizeof(int))
		return set_err(err, "cordon_run: missing policy or options (set options.size)"), NULL;
	struct cordon_run_options o = *opts;
	if (!o.argv && !o.source_path && !o.source_data && o.source_len)
		return set_err(err, "cordon_run: no source"), NULL;
	if (std_fds_safe() < 0)
		return set_err(err, "a standard descriptor is closed and /dev/null cannot be opened: %s", strerror(errno)),
		       NULL;
	cordon_result *r = result_new(p);
	if (!r)
		return set_err(err, "out of memory"), NULL;

	char *out_dir = NULL;
	struct strv binds = { 0 };
	struct run run;
	run_begin(&run, p, r);
	char *why = NULL;

	/* Make --output-dir and --bind-ro absolute before anything runs. */
	if (check_dirs(&o, r) < 0)
		goto done;
	if (o.output_dir) {
		out_dir = realpath(o.output_dir, NULL);
		if (!out_dir) {
			result_set_error(r, CORDON_EXIT_ERROR, "--output-dir %s: %s", o.output_dir, strerror(errno));
			goto done;
		}
		o.output_dir = out_dir;
		const char *bad = host_path_problem(out_dir);
		if (bad) {
			result_set_error(r, CORDON_EXIT_ERROR, "--output-dir %s: %s: nothing was run", opts->output_dir,
			                 bad);
			goto done;
		}
	}
	/* --bind-ro paths canonical, as --output-dir: a backend binds them at
	 * the path it is given, so "/usr/../x" or a symlink must not reach it. */
	for (size_t i = 0; o.bind_ro && o.bind_ro[i]; i++) {
		char *real = realpath(o.bind_ro[i], NULL);
		if (!real) {
			result_set_error(r, CORDON_EXIT_ERROR, "--bind-ro %s: %s", o.bind_ro[i], strerror(errno));
			goto done;
		}
		const char *bad = host_path_problem(real);
		if (bad) {
			free(real);
			result_set_error(r, CORDON_EXIT_ERROR, "--bind-ro %s: %s: nothing was run", o.bind_ro[i], bad);
			goto done;
		}
		if (strv_push_owned(&binds, real) < 0) {
			result_set_error(r, CORDON_EXIT_ERROR, "out of memory");
			goto done;
		}
	}
	if (o.bind_ro) {
		if (!binds.v && !(binds.v = calloc(1, sizeof(char *)))) {
			result_set_error(r, CORDON_EXIT_ERROR, "out of memory");
			goto done;
		}
		o.bind_ro = (const char *const *)binds.v;
	}
	if (o.output_dir || binds.n) {
		bool backend = false;
		for (size_t i = 0; i < p->n_stack; i++)
			backend |= (p->stack[i].lm.m->flags & CORDON_MOD_ISOLATION) != 0;
		if (!backend) {
			result_set_error(r, CORDON_EXIT_ERROR,
			                 "policy '%s' has no isolation backend to honour --output-dir and --bind-ro "
			                 "(they would restrict nothing): nothing was run",
			                 p->name);
			goto done;
		}
	}

	if (p->no_backend)
		result_warn(r, "policy '%s' has no isolation backend: the program runs with the caller's access to this "
		               "host (`isolation: none` in the policy says it is meant)",
		            p->name);

	/* A source in another language than the interpreter's: refused. */
	if (!o.argv && o.source_path && source_language_refused(p, o.source_path, &why) < 0) {
		result_set_error(r, CORDON_EXIT_ERROR, "%s", why);
		goto done;
	}

	/* --output-dir: a private staging directory the backend shows at
	 * /output; the caller's directory is written only after the run. */
	run.outputs.max_bytes = OUTPUT_DIR_DEFAULT_BYTES;
	run.outputs.max_entries = OUTPUT_DIR_DEFAULT_ENTRIES;
	if (o.output_dir && outputs_begin(&run.outputs, o.output_dir, r) < 0)
		goto done;

	/* Seal the source(s). */
	size_t n_src = 0;
	if (!o.argv)
		n_src = 1;
	else
		while (o.sources && o.sources[n_src])
			n_src++;
	run.sources = xcalloc(n_src, sizeof(struct source));
	if (!run.sources) {
		result_set_error(r, CORDON_EXIT_ERROR, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n_src; i++) {
		run.sources[i].fd = run.sources[i].rofd = -1;
		run.n_sources = i + 1;
		int s;
		if (!o.argv && !o.source_path)
			s = source_seal_data(o.source_data, o.source_len, "<data>", &run.sources[i], &why);
		else
			s = seal_path(o.argv ? o.sources[i] : o.source_path, &run.sources[i],
			              o.cancel_fd > 0 ? o.cancel_fd : -1, &why);
		if (s == SEAL_CANCELLED) {
			take_cancel(r, o.cancel_fd);
			goto done;
		}
		if (s < 0) {
			result_set_error(r, CORDON_EXIT_ERROR, "%s", why ? why : "cannot read the source");
			goto done;
		}
		run.sources[i].language = language_of(run.sources[i].name, &p->interpreter);
	}

	/* Check, in a confined checker of this run's own (checker.c). */
	bool denied = false;
	run.cancel_fd = o.cancel_fd > 0 ? o.cancel_fd : -1;
	for (size_t i = 0; i < run.n_sources; i++) {
		int v = check_phase(&run, &run.sources[i]);
		if (v == -2) {
			take_cancel(r, o.cancel_fd);
			goto finish;
		}
		if (v == CORDON_ERROR) {
			if (r->status != ST_ERROR)
				result_set_error(r, CORDON_EXIT_ERROR, "the source could not be checked");
			goto finish;
		}
		if (v != CORDON_PASS)
			denied = true;
	}
	checker_stop(&run.checker);
	if (!run.n_sources)
		for (size_t i = 0; i < p->n_stack; i++)
			if (MODULE_HOOK(p->stack[i].lm.m, check))
				p->stack[i].verdict = "skipped";
	if (denied) {
		r->status = ST_DENIED;
		goto finish;
	}

	/* Prepare. */
	if (build_argv(&run, &o, &why) < 0 || build_env(&run) < 0) {
		result_set_error(r, CORDON_EXIT_ERROR, "%s", why ? why : "out of memory");
		goto finish;
	}
	run.output_dir = o.output_dir ? run.outputs.staging : NULL;
	run.bind_ro = o.bind_ro;
	/* Where the program finds the output directory (landlock, which shows
	 * it at its own path, sets its own). */
	if (run.output_dir && strv_push(&run.env, "CORDON_OUTPUT_DIR=/output") < 0) {
		result_set_error(r, CORDON_EXIT_ERROR, "out of memory");
		goto finish;
	}
	if (prepare_phase(&run) < 0)
		goto finish;

	/* Run, under a subreaper so that nothing escapes.  One run at a time
	 * per process: the subreaper setting and the leftover sweep are
	 * process-wide. */
	struct sigaction chld;
	if (sigaction(SIGCHLD, NULL, &chld) == 0 &&
	    (chld.sa_handler == SIG_IGN || (chld.sa_flags & SA_NOCLDWAIT))) {
		result_set_error(r, CORDON_EXIT_ERROR,
		                 "SIGCHLD is ignored in this process: cordon could not wait for the program");
		goto finish;
	}
	pthread_mutex_lock(&run_lock);
	struct pidset pre = { 0 };
	list_children(&pre, &(struct pidset){ 0 });
	int prev_subreaper = 0;
	prctl(PR_GET_CHILD_SUBREAPER, &prev_subreaper);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		result_warn(r, "cannot become a child subreaper (%s): daemonized processes may outlive the run",
		            strerror(errno));
	supervise(&run, &o, &pre);
	if (!prev_subreaper)
		prctl(PR_SET_CHILD_SUBREAPER, 0);
	pthread_mutex_unlock(&run_lock);
	free(pre.v);
	/* Nothing of the program is left: what it wrote to /output goes to
	 * --output-dir (before finish, so the hooks see the list). */
	if (r->exit_code >= 0 || r->status == ST_KILLED || r->status == ST_TIMEOUT)
		outputs_collect(&run.outputs, r);

finish:
	finish_phase(&run);
done:
	run_end(&run);
	free(why);
	free(out_dir);
	strv_clear(&binds);
	return r;
}
