/*
 * core/pump.c - bytes in and out of the program: stdout and stderr read by
 * the supervisor, passed through the policy's output filters (redaction) in
 * order, kept in the result and streamed to the caller's descriptors; the
 * program's stdin, a sealed copy of a regular file or a stream copied
 * through a pipe.
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

/* Bytes waiting for the destination. */
size_t pend_len(const struct pump *pu)
{
	return pu->pending.len - pu->pend_off;
}

/* Drop what was written: reset when everything went; move the rest down only
 * once the written part is large, so a slow reader does not make every
 * PIPE_BUF write a memmove of the whole buffer. */
void pend_consume(struct pump *pu, size_t n)
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
void pump_feed(struct supervisor *sv, struct pump *pu, const unsigned char *data, size_t len,
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

void pump_close(struct supervisor *sv, struct pump *pu)
{
	if (pu->fd < 0)
		return;
	close(pu->fd);
	pu->fd = -1;
	pump_feed(sv, pu, NULL, 0, 1);
}

/* Write what is pending without blocking for long: at most PIPE_BUF
 * bytes, which a pipe that polled writable always takes whole. */
void pump_write(struct pump *pu, bool block)
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

int open_input(const struct cordon_run_options *o, struct input_pump *ip, cordon_result *r)
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

void input_src_close(struct input_pump *ip)
{
	if (ip->own_src && ip->src >= 0)
		close(ip->src);
	ip->src = -1;
	ip->own_src = false;
}

void input_close(struct input_pump *ip)
{
	if (ip->w >= 0)
		close(ip->w);
	ip->w = -1;
	input_src_close(ip);
	sb_free(&ip->buf);
}
