/*
 * core/supervise.c - one run from fork to the last byte: start the child,
 * write its namespace maps, then one poll loop over the program's exit, its
 * output, its input, the control pipe, module watches, the caller's cancel
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
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/close_range.h>


#include "internal.h"
#include "launch.h"

#define COLLECT_CAP_DEFAULT (16u * 1024 * 1024) /* per stream, when collecting without a cap */
#define COLLECT_KEEP_MAX (64u * 1024 * 1024) /* never more kept in a result per stream */
#define STREAM_KEEP (1u * 1024 * 1024) /* kept in the result while streaming */
#define PENDING_MAX (1u * 1024 * 1024) /* stop reading while this much waits for a slow reader */
#define PIPE_GRACE_MS 2000.0 /* after the tree is dead, wait this long for pipes to close */

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

void set_cloexec_nonblock(int fd)
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

int supervise(struct run *run, const struct cordon_run_options *o, const struct pidset *pre)
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
