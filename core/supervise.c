/*
 * core/supervise.c - one run from fork to the last byte: start the child,
 * write its namespace maps, then one poll loop over the program's exit, its
 * output, its input, the control socket, module watches, the caller's cancel
 * descriptor, the wall deadline and the budget samples; kill the tree on
 * the first limit; then decide the outcome (outcome.c).
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#endif

#include <linux/close_range.h>

#include <cordon/modutil.h>

#include "internal.h"
#include "launch.h"

#define COLLECT_CAP_DEFAULT (16u * 1024 * 1024) /* per stream, when collecting without a cap */
#define COLLECT_KEEP_MAX (64u * 1024 * 1024) /* never more kept in a result per stream */
#define STREAM_KEEP (1u * 1024 * 1024) /* kept in the result while streaming */
#define PENDING_MAX (1u * 1024 * 1024) /* stop reading while this much waits for a slow reader */
#define PIPE_GRACE_MS 2000.0 /* after the tree is dead, wait this long for pipes to close */

static void handle_record(struct run *run, const struct ctl_rec *rec, int fd, bool *fatal, bool *exec_started)
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
	case REC_OUTPUT_FD:
		/* The first one only (outputs_take_tmpfs refuses a second).  It
		 * may follow REC_EXEC: a backend that wraps the program (bwrap)
		 * hands it over from a helper while the wrapper holds the
		 * program back.  Only the child's own processes hold the socket
		 * (the program never: close-on-exec), and the tree is copied
		 * out as untrusted whichever directory it is. */
		if (fd < 0)
			result_warn(r, "%s: a descriptor for /output was announced but not passed: ignored", mod);
		else if (outputs_take_tmpfs(&run->outputs, fd, r) == 0)
			fd = -1; /* the outputs' now */
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
	if (fd >= 0)
		close(fd);
}

static void drain_ctl(struct run *run, int *ctl_r, bool *fatal, bool *exec_started)
{
	struct ctl_rec rec;
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	while (*ctl_r >= 0) {
		struct iovec iov = { .iov_base = &rec, .iov_len = sizeof(rec) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
		ssize_t n = recvmsg(*ctl_r, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		/* At most one descriptor is expected (REC_OUTPUT_FD); any other
		 * passed is closed at once. */
		int fd = -1;
		for (struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len < CMSG_LEN(0))
				continue;
			size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < k; i++) {
				int x;
				memcpy(&x, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
				if (fd < 0 && rec.kind == REC_OUTPUT_FD && n == (ssize_t)sizeof(rec) &&
				    !(mh.msg_flags & MSG_CTRUNC))
					fd = x;
				else
					close(x);
			}
		}
		if (n == (ssize_t)sizeof(rec) && !(mh.msg_flags & MSG_TRUNC)) {
			handle_record(run, &rec, fd, fatal, exec_started);
			continue;
		}
		if (fd >= 0)
			close(fd);
		close(*ctl_r); /* EOF, error or a torn record */
		*ctl_r = -1;
	}
}

void set_cloexec_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Milliseconds until `until` as a poll timeout, clamped. */
static int ms_until(double until, double now)
{
	if (until <= now)
		return 0;
	double d = until - now + 1;
	return d > 86400000.0 ? 86400000 : (int)d;
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


/* ---- one run's loop ---- */

#define MAX_SOURCE_FDS 64

/* Everything the loop of one run knows. */
struct sup {
	struct run *run;
	cordon_result *r;
	const struct cordon_run_options *o;
	const struct pidset *pre; /* the caller's own children from before the run */
	struct supervisor sv;
	struct input_pump ip;
	struct clone_req creq;
	struct confiner *conf;
	size_t n_conf;
	char *path; /* the resolved command */
	int src_fds[MAX_SOURCE_FDS];
	int stdin_fd, outp[2], errp[2], ctlp[2], syncp[2], pidfd, cancel_fd;
	pid_t pid;
	sigset_t old_sigs, pending_before;
	double t_start, deadline, next_sample, grace_deadline;
	struct budget bud;
	bool budgets, reaped;
	struct outcome_facts f;
	struct rusage ru, left_ru;
	unsigned char *buf;
};

/* Indices of one poll's descriptors (-1: not polled). */
struct poll_set {
	struct pollfd pfd[9 + RUN_MAX_WATCHES];
	int np, i_pid, i_ctl, i_cancel, i_in[2], i_out[2], i_isrc, i_iw, i_watch;
	size_t n_watch;
};

/* The command, stdin, the pipes and the confine hooks, before the fork. */
static int sup_setup(struct sup *S)
{
	struct run *run = S->run;
	cordon_policy *p = run->policy;
	S->path = resolve_command(run->argv.v[0], &run->env);
	if (!S->path) {
		result_set_error(S->r, CORDON_EXIT_NOTFOUND, "%s: command not found (PATH of the policy's env)",
		                 run->argv.v[0]);
		return -1;
	}
	S->stdin_fd = open_input(S->o, &S->ip, S->r);
	if (S->stdin_fd < 0)
		return -1;
	if (pipe2(S->outp, O_CLOEXEC) < 0 || pipe2(S->errp, O_CLOEXEC) < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, S->ctlp) < 0 ||
	    (S->f.cloned && pipe2(S->syncp, O_CLOEXEC) < 0)) {
		result_set_error(S->r, CORDON_EXIT_ERROR, "pipe or socketpair: %s", strerror(errno));
		return -1;
	}
	S->conf = xcalloc(p->n_stack, sizeof(*S->conf));
	if (!S->conf) {
		result_set_error(S->r, CORDON_EXIT_ERROR, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < p->n_stack; i++) {
		struct entry *e = &p->stack[i];
		/* In the child a module's context is dead: its services refuse. */
		e->ctx.phase = PHASE_CONFINE;
		int (*confine)(void *, const struct cordon_child *, const char **) = MODULE_HOOK(e->lm.m, confine);
		if (!confine)
			continue;
		S->conf[S->n_conf].confine = confine;
		S->conf[S->n_conf].state = e->state;
		S->conf[S->n_conf].index = (int)i;
		S->conf[S->n_conf].optional = e->control == CONTROL_OPTIONAL;
		S->n_conf++;
	}
	return 0;
}

/* What the child is told: descriptors to place, hooks to run, the exec. */
static void sup_launch_desc(struct sup *S, struct launch *L)
{
	struct run *run = S->run;
	int high = 3 + (int)run->n_sources + 1;
	int all[] = { S->stdin_fd, S->outp[0], S->outp[1], S->errp[0], S->errp[1],
		      S->ctlp[0],  S->ctlp[1], S->syncp[0], S->syncp[1] };
	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		if (all[i] >= high)
			high = all[i] + 1;
	for (size_t i = 0; i < run->n_sources; i++) {
		S->src_fds[i] = run->sources[i].rofd;
		if (S->src_fds[i] >= high)
			high = S->src_fds[i] + 1;
	}
	if (3 + (int)run->n_sources + 1 + run->n_pass > high)
		high = 3 + (int)run->n_sources + 1 + run->n_pass;
	for (int i = 0; i < run->n_pass; i++)
		if (run->pass_fds[i] >= high)
			high = run->pass_fds[i] + 1;
	*L = (struct launch){
		.path = S->path,
		.argv = run->argv.v,
		.envp = run->env.v,
		.stdin_fd = S->stdin_fd,
		.out_w = S->outp[1],
		.err_w = S->errp[1],
		.ctl_w = S->ctlp[1],
		.src_fds = S->src_fds,
		.n_src = (int)run->n_sources,
		.pass_fds = run->pass_fds,
		.pass_keep = run->pass_keep,
		.n_pass = run->n_pass,
		.high = high,
		.conf = S->conf,
		.n_conf = S->n_conf,
		.parent = getpid(),
		.cloned = S->f.cloned,
		.sync_r = S->syncp[0],
		.sync_w = S->syncp[1],
		.uid = S->f.cloned ? S->creq.uid : 0,
		.gid = S->f.cloned ? S->creq.gid : 0,
		.cgroup_fd = run->cgroup.procs_fd,
	};
	L->child = (struct cordon_child){
		.size = sizeof(struct cordon_child),
		.control_fd = -1,
		.first_source_fd = 3,
		.n_source_fds = (int)run->n_sources,
		.flags = geteuid() == 0 ? CORDON_CHILD_ROOT : 0,
		.supervisor_pid = getpid(),
		.outer_uid = getuid(),
		.outer_gid = getgid(),
		.output_dir = run->output_dir,
		.bind_ro = S->o->bind_ro,
		.note = child_note,
		.output_max_bytes = run->output_dir ? run->outputs.max_bytes : 0,
		.output_max_entries = run->output_dir ? run->outputs.max_entries : 0,
		.give_output = run->output_dir ? child_give_output : NULL,
		.input_dir = run->input_dir,
	};
}

/* Caps, how much output to keep, and where it streams. */
static void sup_pumps(struct sup *S)
{
	const struct cordon_run_options *o = S->o;
	struct supervisor *sv = &S->sv;
	int out_fd = o->stream_stdout_fd > 0 ? o->stream_stdout_fd : -1;
	int err_fd = o->stream_stderr_fd > 0 ? o->stream_stderr_fd : -1;
	bool collecting = out_fd < 0 && err_fd < 0;
	sv->cap = S->run->output_cap;
	if (!sv->cap && collecting)
		sv->cap = COLLECT_CAP_DEFAULT;
	if (collecting)
		sv->keep = sv->cap < COLLECT_KEEP_MAX ? sv->cap : COLLECT_KEEP_MAX;
	else
		sv->keep = sv->cap && sv->cap < STREAM_KEEP ? sv->cap : STREAM_KEEP;
	sv->pumps[0] = (struct pump){
		.fd = -1, .index = 0, .dest = out_fd, .dest_only = out_fd >= 0, .cancel_fd = S->cancel_fd
	};
	sv->pumps[1] = (struct pump){
		.fd = -1, .index = 1, .dest = err_fd, .dest_only = err_fd >= 0, .cancel_fd = S->cancel_fd
	};
}

static void sup_kill(struct sup *S)
{
	kill_main(S->pid, S->pidfd);
	S->f.killed_main = true;
}

/* Whether no other thread can exist in this process: glibc says so once
 * no thread was ever created (only this one could create one, and it is
 * here).  Without <sys/single_threaded.h>: never assumed. */
static bool surely_single_threaded(void)
{
#if __has_include(<sys/single_threaded.h>)
	return __libc_single_threaded != 0;
#else
	return false;
#endif
}

/* launch_clone_ns in a process with other threads: the child of a raw
 * clone would inherit glibc's view of them (its set*id calls signal them
 * and wait, its fork takes the malloc locks they may hold).  A forked
 * helper has one thread and consistent locks: it makes the clone, with
 * CLONE_PARENT so that the child is the supervisor's own, sends its pid
 * (or the errno) and exits.  The child's pid, or -1 with errno. */
static pid_t clone_from_helper(unsigned long flags, const struct launch *L)
{
	/* Non-blocking: the helper's write fits the empty pipe, and the
	 * supervisor reads only once the helper is gone (the new child holds
	 * the write end too until it closes its descriptors, so a helper that
	 * died without writing must not leave the read waiting for it). */
	int p[2];
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	pid_t helper = fork();
	if (helper == 0) {
		pid_t pid = (pid_t)syscall(SYS_clone, flags | CLONE_PARENT, NULL, NULL, NULL, NULL);
		if (pid == 0)
			child_main(L);
		int msg[2] = { (int)pid, pid < 0 ? errno : 0 };
		_exit(cordon_write_all(p[1], msg, sizeof(msg)) ? 1 : 0);
	}
	int e = helper < 0 ? errno : 0;
	close(p[1]);
	int msg[2] = { -1, EIO };
	if (helper > 0) {
		while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
			;
		ssize_t n;
		do
			n = read(p[0], msg, sizeof(msg));
		while (n < 0 && errno == EINTR);
		if (n != (ssize_t)sizeof(msg)) {
			msg[0] = -1;
			msg[1] = EIO;
		}
		e = msg[0] > 0 ? 0 : msg[1] ? msg[1] : EIO;
	}
	close(p[0]);
	errno = e;
	return e ? -1 : (pid_t)msg[0];
}

/* Fork (or clone into new namespaces), write the child's maps, keep only
 * the supervisor's ends.  -1 with the error set when no child exists. */
static int sup_spawn(struct sup *S)
{
	struct launch L;
	sup_launch_desc(S, &L);
	sigset_t all_sigs;
	sigfillset(&all_sigs);
	pthread_sigmask(SIG_SETMASK, &all_sigs, &S->old_sigs);
	/* The checker that saw this run's sources (its socket closed when the
	 * checks ended, so it is exiting) is reaped before the child may go
	 * on: before a fork, whose child goes on at once; after a clone, whose
	 * child waits for the sync byte, so that the checker's exit overlaps
	 * the clone.  Either way no program code runs beside it. */
	bool checker_waits = !S->run->checker.pooled;
	if (!S->f.cloned && checker_waits)
		checker_stop(&S->run->checker);
	S->t_start = now_ms();
	/* launch_clone_ns: the raw system call (as bubblewrap), which returns
	 * twice like fork; the child only makes async-signal-safe calls. */
	pid_t pid;
	if (!S->f.cloned)
		pid = fork();
	else if (surely_single_threaded())
		pid = (pid_t)syscall(SYS_clone, S->creq.flags | SIGCHLD, NULL, NULL, NULL, NULL);
	else
		pid = clone_from_helper(S->creq.flags | SIGCHLD, &L);
	if (pid == 0)
		child_main(&L);
	int fork_errno = errno;
	/* The parent runs with SIGPIPE blocked: a reader of the program's
	 * output that went away is an EPIPE to handle, not a death. */
	sigset_t with_pipe = S->old_sigs;
	sigaddset(&with_pipe, SIGPIPE);
	sigpending(&S->pending_before);
	pthread_sigmask(SIG_SETMASK, &with_pipe, NULL);
	if (pid < 0) {
		pthread_sigmask(SIG_SETMASK, &S->old_sigs, NULL);
		if (S->f.cloned && (fork_errno == EPERM || fork_errno == ENOSPC || fork_errno == EUSERS))
			result_set_error(S->r, CORDON_EXIT_ERROR,
			                 "clone into new namespaces: %s (user namespaces disabled? check sysctl "
			                 "user.max_user_namespaces, kernel.unprivileged_userns_clone, or an LSM such as "
			                 "AppArmor's restrict_unprivileged_userns)",
			                 strerror(fork_errno));
		else
			result_set_error(S->r, CORDON_EXIT_ERROR, "%s: %s", S->f.cloned ? "clone into new namespaces" : "fork",
			                 strerror(fork_errno));
		return -1;
	}
	S->pid = pid;
	/* The child waits for its maps: they come first. */
	int map_err = 0;
	const char *map_file = NULL;
	if (S->f.cloned) {
		map_err = write_child_maps(pid, &S->creq, &map_file);
		if (checker_waits)
			checker_stop(&S->run->checker);
		/* The child goes on; the write end stays open until the run
		 * ends, so that the child can tell the supervisor is alive. */
		if (!map_err && write(S->syncp[1], "1", 1) != 1)
			map_err = errno ? errno : EIO;
		close(S->syncp[0]);
		S->syncp[0] = -1;
	}
	/* The parent keeps only its ends; passed descriptors are the child's. */
	close_passed(S->run);
	close(S->outp[1]);
	close(S->errp[1]);
	close(S->ctlp[1]);
	S->outp[1] = S->errp[1] = S->ctlp[1] = -1;
	close(S->stdin_fd);
	S->stdin_fd = -1;
	S->sv.pumps[0].fd = S->outp[0];
	S->sv.pumps[1].fd = S->errp[0];
	S->outp[0] = S->errp[0] = -1; /* owned by the pumps now */
	set_cloexec_nonblock(S->sv.pumps[0].fd);
	set_cloexec_nonblock(S->sv.pumps[1].fd);
	set_cloexec_nonblock(S->ctlp[0]);
	S->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (map_err) {
		sup_kill(S);
		S->f.fatal = true;
		result_set_error(S->r, CORDON_EXIT_ERROR, "writing the child's user namespace %s: %s", map_file,
		                 strerror(map_err));
	}
	return 0;
}

/* The program ended (reaped, or reported by the namespaced pid 1): the
 * leftovers go, the watches have their last call, the pipes get a grace. */
static void sup_ended(struct sup *S)
{
	S->reaped = true;
	S->r->wall_ms = now_ms() - S->t_start;
	input_close(&S->ip);
	kill_leftovers(S->pre, S->pid, S->r, &S->left_ru);
	watch_last_call(S->run);
	S->grace_deadline = now_ms() + PIPE_GRACE_MS;
}

static void sup_build_poll(struct sup *S, struct poll_set *ps)
{
	struct run *run = S->run;
	ps->np = 0;
	ps->i_pid = ps->i_ctl = ps->i_cancel = ps->i_isrc = ps->i_iw = -1;
	ps->i_in[0] = ps->i_in[1] = ps->i_out[0] = ps->i_out[1] = -1;
	ps->n_watch = 0;
	if (!S->reaped && S->pidfd >= 0) {
		ps->i_pid = ps->np;
		ps->pfd[ps->np++] = (struct pollfd){ .fd = S->pidfd, .events = POLLIN };
	}
	if (S->ctlp[0] >= 0) {
		ps->i_ctl = ps->np;
		ps->pfd[ps->np++] = (struct pollfd){ .fd = S->ctlp[0], .events = POLLIN };
	}
	if (S->cancel_fd >= 0 && !S->f.cancelled) {
		ps->i_cancel = ps->np;
		ps->pfd[ps->np++] = (struct pollfd){ .fd = S->cancel_fd, .events = POLLIN };
	}
	if (S->ip.src >= 0 && !S->ip.buf.len && !S->reaped) {
		ps->i_isrc = ps->np;
		ps->pfd[ps->np++] = (struct pollfd){ .fd = S->ip.src, .events = POLLIN };
	}
	if (S->ip.w >= 0 && S->ip.buf.len) {
		ps->i_iw = ps->np;
		ps->pfd[ps->np++] = (struct pollfd){ .fd = S->ip.w, .events = POLLOUT };
	}
	for (int k = 0; k < 2; k++) {
		struct pump *pu = &S->sv.pumps[k];
		if (pu->fd >= 0 && pend_len(pu) < PENDING_MAX) {
			ps->i_in[k] = ps->np;
			ps->pfd[ps->np++] = (struct pollfd){ .fd = pu->fd, .events = POLLIN };
		}
		if (pu->dest >= 0 && pend_len(pu)) {
			ps->i_out[k] = ps->np;
			ps->pfd[ps->np++] = (struct pollfd){ .fd = pu->dest, .events = POLLOUT };
		}
	}
	/* Module watches (launch_watch), while the program runs. */
	ps->i_watch = ps->np;
	for (size_t k = 0; !S->reaped && k < run->n_watches && ps->n_watch < RUN_MAX_WATCHES; k++) {
		bool on = run->watches[k].active;
		ps->pfd[ps->np++] = (struct pollfd){ .fd = on ? run->watches[k].fd : -1, .events = on ? POLLIN : 0 };
		ps->n_watch = k + 1;
	}
}

/* The poll timeout: the next of the wall deadline, the pipes' grace and
 * the budget sample; -1 for none. */
static int sup_timeout(const struct sup *S)
{
	double until = 0;
	if (S->deadline && !S->f.killed_main)
		until = S->deadline;
	if (S->grace_deadline && (!until || S->grace_deadline < until))
		until = S->grace_deadline;
	if (S->next_sample && !S->f.killed_main && !S->reaped && (!until || S->next_sample < until))
		until = S->next_sample;
	int timeout = until ? ms_until(until, now_ms()) : -1;
	if (S->pidfd < 0 && !S->reaped && (timeout < 0 || timeout > 10))
		timeout = 10; /* no pidfd: poll for the exit */
	return timeout;
}

/* The namespaced child reported the program's status with its pid
 * namespace emptied and is exiting: the run has ended.  It is reaped in
 * run_end, after the finish phase, so that its teardown does not delay the
 * result. */
static void sup_clone_report(struct sup *S)
{
	if (!S->f.cloned || S->reaped || S->f.killed_main || !clone_req_get(S->run, &S->creq) || !S->creq.have_status)
		return;
	S->f.wstatus = S->creq.status;
	S->ru.ru_utime.tv_sec = (time_t)(S->creq.usage.utime_us / 1000000);
	S->ru.ru_utime.tv_usec = (suseconds_t)(S->creq.usage.utime_us % 1000000);
	S->ru.ru_stime.tv_sec = (time_t)(S->creq.usage.stime_us / 1000000);
	S->ru.ru_stime.tv_usec = (suseconds_t)(S->creq.usage.stime_us % 1000000);
	S->ru.ru_maxrss = (long)S->creq.usage.maxrss_kb;
	S->f.ended_early = true;
	clone_req_pending(S->run, S->pid, S->pidfd);
	S->pidfd = -1; /* run->clone owns it now (reaped in run_end) */
	sup_ended(S);
}

/* The program's stdin: from the caller's stream into its pipe. */
static void sup_input(struct sup *S, const struct poll_set *ps)
{
	struct input_pump *ip = &S->ip;
	if (ps->i_isrc >= 0 && ps->pfd[ps->i_isrc].revents) {
		ssize_t got = read(ip->src, S->buf, READ_CHUNK);
		if (got > 0)
			sb_append(&ip->buf, S->buf, (size_t)got);
		else if (got == 0 || (errno != EINTR && errno != EAGAIN))
			input_src_close(ip); /* EOF: close the program's stdin once drained */
	}
	if (ps->i_iw >= 0 && ps->pfd[ps->i_iw].revents) {
		ssize_t w = write(ip->w, ip->buf.data, ip->buf.len);
		if (w > 0)
			sb_consume(&ip->buf, (size_t)w);
		else if (w < 0 && errno != EINTR && errno != EAGAIN)
			input_close(ip); /* the program closed its stdin */
	}
	if (ip->w >= 0 && ip->src < 0 && !ip->buf.len)
		input_close(ip);
}

/* stdout and stderr: from the program through the filters to the caller. */
static void sup_output(struct sup *S, const struct poll_set *ps)
{
	for (int k = 0; k < 2; k++) {
		struct pump *pu = &S->sv.pumps[k];
		if (ps->i_out[k] >= 0 && ps->pfd[ps->i_out[k]].revents) {
			if (ps->pfd[ps->i_out[k]].revents & (POLLERR | POLLHUP | POLLNVAL)) {
				pu->dest_errno = (ps->pfd[ps->i_out[k]].revents & POLLNVAL) ? EBADF : EPIPE;
				pu->dest = -1;
				pend_consume(pu, pend_len(pu));
			} else {
				pump_write(pu, false);
			}
		}
		if (ps->i_in[k] >= 0 && ps->pfd[ps->i_in[k]].revents) {
			ssize_t got = read(pu->fd, S->buf, READ_CHUNK);
			if (got > 0)
				pump_feed(&S->sv, pu, S->buf, (size_t)got, 0);
			else if (got == 0 || (errno != EINTR && errno != EAGAIN))
				pump_close(&S->sv, pu);
			/* Capped or a filter failed: the stream stays open and
			 * what arrives is discarded (pump_feed), so the program
			 * is killed below rather than by SIGPIPE first. */
		}
	}
}

/* The supervisor's own view into the facts the outcome is decided on. */
static void sup_sync_facts(struct sup *S)
{
	S->f.capped = S->sv.capped;
	S->f.output_over = S->sv.output_over;
	S->f.budget_exceeded = S->sv.budget_exceeded;
	S->f.filter_failed = S->sv.filter_failed;
	S->f.aborted = S->run->abort_msg != NULL;
	S->f.denied_at_run = S->run->deny_msg != NULL;
}

/* One turn of the loop; false when poll itself failed. */
static bool sup_turn(struct sup *S)
{
	struct poll_set ps;
	sup_build_poll(S, &ps);
	int n = poll(ps.pfd, (nfds_t)ps.np, sup_timeout(S));
	if (n < 0 && errno != EINTR) {
		result_set_error(S->r, CORDON_EXIT_ERROR, "poll: %s", strerror(errno));
		sup_kill(S);
		return false;
	}
	double now = now_ms();
	if (n > 0 && ps.i_cancel >= 0 && ps.pfd[ps.i_cancel].revents) {
		if (ps.pfd[ps.i_cancel].revents & POLLNVAL) {
			S->cancel_fd = -1; /* not a descriptor: no cancellation */
		} else {
			unsigned char sig = 0;
			ssize_t got = read(S->cancel_fd, &sig, 1);
			S->f.cancelled = got == 1 && sig ? sig : SIGTERM;
		}
	}
	if (n > 0 && ps.i_ctl >= 0 && ps.pfd[ps.i_ctl].revents)
		drain_ctl(S->run, &S->ctlp[0], &S->f.fatal, &S->f.exec_started);
	sup_clone_report(S);
	for (size_t k = 0; n > 0 && k < ps.n_watch; k++)
		if (ps.pfd[ps.i_watch + (int)k].revents)
			watch_call(S->run, k, ps.pfd[ps.i_watch + (int)k].revents);
	if (n > 0) {
		sup_input(S, &ps);
		sup_output(S, &ps);
	}
	bool exited = false;
	if (!S->reaped) {
		if (ps.i_pid >= 0 && n > 0 && ps.pfd[ps.i_pid].revents) {
			exited = true;
		} else if (S->pidfd < 0) {
			siginfo_t si;
			memset(&si, 0, sizeof(si));
			exited = waitid(P_PID, (id_t)S->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == S->pid;
		}
	}
	if (S->next_sample && !S->f.killed_main && !S->reaped && now >= S->next_sample) {
		if (outputs_over(&S->run->outputs))
			S->sv.output_over = true;
		if (run_cgroup_left(&S->run->cgroup)) {
			/* A module moved the program into a cgroup of its own. */
			S->bud.max_memory = S->run->limit_memory;
			S->bud.max_processes = S->run->limit_processes;
			S->budgets = S->bud.max_memory || S->bud.max_cpu_ns || S->bud.max_processes;
		}
		if (S->budgets && budget_sample(&S->bud, S->pre->v, S->pre->n))
			S->sv.budget_exceeded = S->bud.exceeded;
		S->next_sample = now_ms() + OUTPUT_SAMPLE_MS;
	}
	sup_sync_facts(S);
	bool timed_out = false;
	if (!S->f.killed_main && !S->reaped &&
	    outcome_should_stop(&S->f, S->deadline && now >= S->deadline, &timed_out)) {
		/* Over a tree budget: the whole tree goes (a process outside
		 * the program's group, reparented to cordon, is killed with
		 * the leftovers). */
		S->f.timed_out = timed_out;
		sup_kill(S);
	}
	if (exited) {
		pid_t w;
		while ((w = wait4(S->pid, &S->f.wstatus, __WALL, &S->ru)) < 0 && errno == EINTR)
			;
		S->f.lost = w != S->pid;
		drain_ctl(S->run, &S->ctlp[0], &S->f.fatal, &S->f.exec_started);
		sup_ended(S);
	}
	if (S->reaped && S->grace_deadline && now_ms() >= S->grace_deadline) {
		for (int k = 0; k < 2; k++)
			if (S->sv.pumps[k].fd >= 0) {
				result_warn(S->r, "%s was held open after the run ended; closed it", k ? "stderr" : "stdout");
				pump_close(&S->sv, &S->sv.pumps[k]);
			}
	}
	return true;
}

/* After the loop: nothing left running, every byte delivered or reported,
 * the signal mask as it was. */
static void sup_drain(struct sup *S)
{
	cordon_result *r = S->r;
	if (!S->reaped) {
		/* poll failed or no memory: make sure nothing is left. */
		kill_main(S->pid, S->pidfd);
		pid_t w;
		while ((w = wait4(S->pid, &S->f.wstatus, __WALL, &S->ru)) < 0 && errno == EINTR)
			;
		S->f.lost = w != S->pid;
		kill_leftovers(S->pre, S->pid, r, &S->left_ru);
		watch_last_call(S->run);
		r->wall_ms = now_ms() - S->t_start;
	}
	input_close(&S->ip);
	for (int k = 0; k < 2; k++) {
		pump_close(&S->sv, &S->sv.pumps[k]);
		pump_write(&S->sv.pumps[k], true);
	}
	if (S->ctlp[0] >= 0)
		drain_ctl(S->run, &S->ctlp[0], &S->f.fatal, &S->f.exec_started);
	for (int k = 0; k < 2; k++)
		if (S->sv.pumps[k].dest_errno) {
			r->delivery_errno[k] = S->sv.pumps[k].dest_errno;
			result_warn(r, "the program's %s could not be written to its destination (%s): the rest of it "
			               "was not delivered",
			            k ? "stderr" : "stdout", strerror(S->sv.pumps[k].dest_errno));
		}
	/* Restore the signal mask; swallow a SIGPIPE this run caused. */
	sigset_t pending_now;
	sigpending(&pending_now);
	if (sigismember(&pending_now, SIGPIPE) && !sigismember(&S->pending_before, SIGPIPE)) {
		sigset_t only_pipe;
		sigemptyset(&only_pipe);
		sigaddset(&only_pipe, SIGPIPE);
		struct timespec zero = { 0, 0 };
		(void)sigtimedwait(&only_pipe, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &S->old_sigs, NULL);
}

/* The facts, decided (outcome.c), written into the result. */
static void sup_result(struct sup *S)
{
	cordon_result *r = S->r;
	struct run *run = S->run;
	rusage_add(&S->ru, &S->left_ru);
	sup_sync_facts(S);
	S->f.error_before = r->status == ST_ERROR;
	S->f.clone_reported = S->f.cloned && clone_req_get(run, &S->creq) && S->creq.have_status;
	S->f.clone_status = S->creq.status;
	for (size_t i = 0; i < run->policy->n_stack; i++)
		S->f.relays_signals |= (run->policy->stack[i].lm.m->flags & CORDON_MOD_RELAYS_SIGNALS) != 0;
	S->f.limit_cpu_ns = run->limit_cpu_ns;
	const struct rusage *ru = &S->ru;
	S->f.cpu_ms = (double)ru->ru_utime.tv_sec * 1e3 + (double)ru->ru_utime.tv_usec / 1e3 +
	              (double)ru->ru_stime.tv_sec * 1e3 + (double)ru->ru_stime.tv_usec / 1e3;
	struct outcome oc;
	outcome_decide(&S->f, &oc);
	r->ran = S->f.exec_started;
	if (S->budgets) {
		r->tree_memory_peak = S->bud.peak_memory;
		r->enforced_by = "supervisor";
	}
	if (oc.program_ended) {
		/* The program's own end: its usage is the run's. */
		r->cpu_ms = S->f.cpu_ms;
		r->max_rss_kb = ru->ru_maxrss;
		r->context_switches = ru->ru_nvcsw + ru->ru_nivcsw;
	}
	switch (oc.error) {
	case OUTCOME_ERR_NONE:
		break;
	case OUTCOME_ERR_ABORTED:
		result_set_error(r, CORDON_EXIT_ERROR, "%s; the run was stopped", run->abort_msg);
		break;
	case OUTCOME_ERR_LOST:
		result_set_error(r, CORDON_EXIT_ERROR, "lost track of the program: something else in this process reaped it");
		break;
	case OUTCOME_ERR_CHILD_ENDED:
		result_set_error(r, CORDON_EXIT_ERROR, "the child ended before running the program (%s %d)",
		                 WIFSIGNALED(oc.detail) ? "signal" : "status",
		                 WIFSIGNALED(oc.detail) ? WTERMSIG(oc.detail) : WEXITSTATUS(oc.detail));
		break;
	case OUTCOME_ERR_PID1_SILENT:
		result_set_error(r, CORDON_EXIT_ERROR,
		                 "the sandbox's pid 1 ended without reporting the program's status (status %d)",
		                 WIFEXITED(oc.detail) ? WEXITSTATUS(oc.detail) : 128 + WTERMSIG(oc.detail));
		break;
	case OUTCOME_ERR_FILTER:
		result_set_error(r, CORDON_EXIT_ERROR, "%s; output after the failure was withheld",
		                 S->sv.filter_error ? S->sv.filter_error : "an output filter failed");
		break;
	}
	if (oc.note == OUTCOME_NOTE_CANCELLED)
		result_warn(r, "the run was cancelled (signal %d)", S->f.cancelled);
	else if (oc.note == OUTCOME_NOTE_CANCELLED_BEFORE_START)
		result_warn(r, "the run was cancelled (signal %d) before the program started", S->f.cancelled);
	if (r->status != ST_ERROR)
		r->status = oc.status;
	r->exit_code = oc.exit_code;
	r->signal = oc.signal;
	r->limit = oc.limit;
	/* The sampled CPU of the tree, when it saw more than rusage did (a
	 * process whose reaper did not wait for it). */
	if (S->budgets && (double)S->bud.cpu_ns / 1e6 > r->cpu_ms)
		r->cpu_ms = (double)S->bud.cpu_ns / 1e6;
}

static void sup_free(struct sup *S)
{
	input_close(&S->ip);
	if (S->pidfd >= 0)
		close(S->pidfd);
	for (int k = 0; k < 2; k++) {
		sb_free(&S->sv.pumps[k].pending);
		if (S->sv.pumps[k].fd >= 0)
			close(S->sv.pumps[k].fd);
		sb_free(&S->sv.bufs[k].sb);
	}
	free(S->sv.filter_error);
	int fds[] = { S->stdin_fd, S->outp[0], S->outp[1], S->errp[0], S->errp[1],
		      S->ctlp[0],  S->ctlp[1], S->syncp[0], S->syncp[1] };
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(S->conf);
	free(S->path);
	free(S->buf);
}

int supervise(struct run *run, const struct cordon_run_options *o, const struct pidset *pre)
{
	struct sup *S = calloc(1, sizeof(*S));
	if (!S) {
		result_set_error(run->result, CORDON_EXIT_ERROR, "out of memory");
		return -1;
	}
	S->run = run;
	S->r = run->result;
	S->o = o;
	S->pre = pre;
	S->sv.run = run;
	S->sv.r = run->result;
	S->ip = (struct input_pump){ .src = -1, .w = -1 };
	S->stdin_fd = S->pidfd = -1;
	int *fds[] = { &S->outp[0], &S->outp[1], &S->errp[0], &S->errp[1],
		       &S->ctlp[0], &S->ctlp[1], &S->syncp[0], &S->syncp[1] };
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		*fds[i] = -1;
	S->cancel_fd = o->cancel_fd > 0 ? o->cancel_fd : -1;
	S->f.cloned = clone_req_get(run, &S->creq);
	int rc = -1;
	if (run->n_sources > MAX_SOURCE_FDS) {
		result_set_error(run->result, CORDON_EXIT_ERROR, "more than %d sources", MAX_SOURCE_FDS);
		free(S);
		return -1;
	}
	if (sup_setup(S) < 0)
		goto out;
	sup_pumps(S);
	/* A cancellation that came during check or prepare: never start. */
	if (S->cancel_fd >= 0) {
		struct pollfd cp = { .fd = S->cancel_fd, .events = POLLIN };
		if (poll(&cp, 1, 0) == 1 && (cp.revents & (POLLIN | POLLHUP))) {
			take_cancel(S->r, S->cancel_fd);
			rc = 0;
			goto out;
		}
	}
	/* The run's own cgroup, where the host delegates one: the kernel then
	 * holds the memory and processes budgets. */
	if (run_cgroup_begin(&run->cgroup, run->limit_memory, run->limit_processes, run->policy->verbose, S->r) < 0) {
		result_set_error(S->r, CORDON_EXIT_ERROR, "out of memory");
		goto out;
	}
	if (sup_spawn(S) < 0)
		goto out;
	S->deadline = run->wall_ns ? S->t_start + (double)run->wall_ns / 1e6 : 0;
	/* The tree's budgets (the policy's memory, cpu and processes limits
	 * over every process of the program) and --output-dir's are sampled
	 * every OUTPUT_SAMPLE_MS. */
	S->bud = (struct budget){ .self = getpid(),
		                  .max_memory = run->cgroup.memory ? 0 : run->limit_memory,
		                  .max_cpu_ns = run->limit_cpu_ns,
		                  .max_processes = run->cgroup.pids ? 0 : run->limit_processes };
	S->budgets = S->bud.max_memory || S->bud.max_cpu_ns || S->bud.max_processes;
	S->next_sample = run->outputs.staging_fd >= 0 || S->budgets || run->cgroup.procs_fd >= 0
	                         ? S->t_start + OUTPUT_SAMPLE_MS
	                         : 0;
	S->buf = malloc(READ_CHUNK);
	if (!S->buf) {
		sup_kill(S);
		result_set_error(S->r, CORDON_EXIT_ERROR, "out of memory");
	}
	while (S->buf && (!S->reaped || S->sv.pumps[0].fd >= 0 || S->sv.pumps[1].fd >= 0))
		if (!sup_turn(S))
			break;
	sup_drain(S);
	sup_result(S);
	rc = 0;
out:
	sup_free(S);
	free(S);
	return rc;
}
