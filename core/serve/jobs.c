/*
 * core/serve/jobs.c - runs and checks: one forked worker per job.
 *
 * The service loads each policy once (modules opened, rules compiled,
 * seccomp programs built) and forks a worker per job from that state, as
 * a pre-forking server does: the worker has the loaded policy already,
 * runs cordon_run or cordon_check in a process of its own (so runs do not
 * share libcordon's process-wide subreaper and leftover sweep, and one
 * run's failure cannot reach another or the service), writes the result
 * JSON to a pipe and exits.  The service stays single-threaded: the HTTP
 * library, the workers' pipes and signals all go through one epoll loop,
 * so fork never happens with another thread holding a lock.
 *
 * The worker learns it is cancelled through its cancel pipe (libcordon's
 * cancel_fd): a byte (the signal) from DELETE or the kill switch, or the
 * end of the pipe if the service itself goes away, so no sandbox outlives
 * the service.
 *
 * Spare workers take the two forks of a run (the worker's, and its
 * checker's) off the request's path, and a zygote forks them off the
 * service's: see "spare workers" and "the zygote" below.
 *
 * Worker protocol: "STATUS\n" then the body (the result JSON, or an error
 * object), then EOF.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cordon/modutil.h>

#include "../cli/mcp.h"
#include "serve.h"

#define RESULT_MAX (512u << 20) /* a worker's result beyond this is cut off: an error */
#define SESSION_PIPE (1u << 20) /* a session's input pipe: the largest cell and its header */

static void job_notify(struct serve *s, struct job *j);
static void spares_free(struct serve *s);
static int watch(struct serve *s, int fd, struct evsrc *src, enum ev_kind kind, struct job *j, int which);
static int exiting_add(struct serve *s, pid_t pid);

static double ts_s(const struct timespec *t)
{
	return (double)t->tv_sec + (double)t->tv_nsec / 1e9;
}

/* ---- the service log ---- */

void serve_log(struct serve *s, const char *kind, const struct caller *k, const char *policy, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	json_t *o = json_object();
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	if (o) {
		json_object_set_new(o, "time", json_real((double)t.tv_sec + (double)t.tv_nsec / 1e9));
		json_object_set_new(o, "kind", json_string(kind));
		if (k)
			json_object_set_new(o, "caller", json_string(k->name));
		if (policy)
			json_object_set_new(o, "policy", json_string(policy));
		json_object_set_new(o, "message", msg ? json_string(msg) : json_null());
	}
	char *line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (line) {
		fprintf(stderr, "cordon serve: %s\n", line);
		size_t len = strlen(line);
		char *nl = realloc(line, len + 2);
		if (nl) {
			line = nl;
			line[len] = '\n';
			line[len + 1] = '\0';
			/* One write with O_APPEND: a record is whole or absent. */
			if (s->log_fd >= 0 && write(s->log_fd, line, len + 1) != (ssize_t)(len + 1))
				fprintf(stderr, "cordon serve: %s: cannot write the service log: %s\n", s->conf.log_path,
				        strerror(errno));
		}
	}
	free(line);
	free(msg);
}

/* ---- rate limits ---- */

static void refill(struct caller *k)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (!k->bucket_started) {
		k->run_tokens = k->runs_per_minute;
		k->cpu_tokens = k->cpu_seconds_per_hour;
		k->bucket_started = true;
		k->refilled = t;
		return;
	}
	double dt = ts_s(&t) - ts_s(&k->refilled);
	k->refilled = t;
	if (dt <= 0)
		return;
	k->run_tokens = fmin(k->runs_per_minute, k->run_tokens + dt * k->runs_per_minute / 60.0);
	k->cpu_tokens = fmin(k->cpu_seconds_per_hour, k->cpu_tokens + dt * k->cpu_seconds_per_hour / 3600.0);
}

double caller_admit(struct caller *k, const char **why)
{
	refill(k);
	if (k->concurrency && k->running >= k->concurrency) {
		*why = "the caller's concurrency (runs at once) is used up";
		return 1;
	}
	if (k->runs_per_minute > 0 && k->run_tokens < 1) {
		*why = "the caller's runs_per_minute is used up";
		return ceil((1 - k->run_tokens) * 60.0 / k->runs_per_minute);
	}
	if (k->cpu_seconds_per_hour > 0 && k->cpu_tokens <= 0) {
		*why = "the caller's cpu_seconds_per_hour is used up";
		return ceil((0.001 - k->cpu_tokens) * 3600.0 / k->cpu_seconds_per_hour);
	}
	return 0;
}

/* A run the caller asked for was accepted: one token of runs_per_minute
 * (a refusal after caller_admit costs none). */
void caller_charge(struct caller *k)
{
	if (k->runs_per_minute > 0)
		k->run_tokens -= 1;
}

/* ---- the table ---- */

int jobs_init(struct serve *s)
{
	s->denials_by_rule = json_object();
	s->redactions_by_rule = json_object();
	return s->denials_by_rule && s->redactions_by_rule ? 0 : -1;
}

void job_free(struct job *j)
{
	if (!j)
		return;
	for (size_t i = 0; j->tighten && j->tighten[i]; i++)
		free(j->tighten[i]);
	free(j->tighten);
	for (size_t i = 0; j->argv && j->argv[i]; i++)
		free(j->argv[i]);
	free(j->argv);
	free(j->code);
	free(j->input);
	free(j->buf);
	free(j->body);
	free(j->sse);
	for (int i = 0; i < 2; i++) {
		if (j->stream_fd[i] >= 0)
			close(j->stream_fd[i]);
		free(j->cell_out[i]);
	}
	free(j->cell_meta);
	cordon_checker_free(j->cell_checker);
	free(j->mcp_name);
	free(j->pending_code);
	free(j->cell_code);
	json_decref(j->cell_findings);
	if (j->stdin_fd >= 0)
		close(j->stdin_fd);
	if (j->out_dir) {
		remove_tree(j->out_dir);
		free(j->out_dir);
	}
	if (j->in_dir) { /* a job that never ran (http_job_done removes it otherwise) */
		remove_tree(j->in_dir);
		free(j->in_dir);
	}
	if (j->result_fd >= 0)
		close(j->result_fd);
	if (j->cancel_fd >= 0)
		close(j->cancel_fd);
	free(j);
}

void jobs_free(struct serve *s)
{
	for (struct job *j = s->jobs, *n; j; j = n) {
		n = j->next;
		job_free(j);
	}
	s->jobs = NULL;
	zygote_stop(s);
	spares_free(s);
	/* Workers that wrote their results and were exiting: they hold no
	 * sandbox any more (a run's whole tree is gone before its result is
	 * written); killed (one stopped or stuck on its way out must not hold
	 * the service's end) and waited for, so that none is left a zombie. */
	for (size_t i = 0; i < s->n_exiting; i++) {
		kill(s->exiting[i], SIGKILL);
		while (waitpid(s->exiting[i], NULL, 0) < 0 && errno == EINTR)
			;
	}
	free(s->exiting);
	s->exiting = NULL;
	s->n_exiting = s->cap_exiting = 0;
	json_decref(s->denials_by_rule);
	json_decref(s->redactions_by_rule);
}

struct job *job_new(enum job_kind kind, struct caller *k, struct warm_policy *wp)
{
	struct job *j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->kind = kind;
	j->caller = k;
	j->wp = wp;
	j->result_fd = j->cancel_fd = j->stdin_fd = -1;
	j->stream_fd[0] = j->stream_fd[1] = -1;
	return j;
}

const char *job_policy(const struct job *j)
{
	return j->wp ? j->wp->name : "mcp";
}

struct job *job_find(struct serve *s, const char *id)
{
	for (struct job *j = s->jobs; j; j = j->next)
		if (strcmp(j->id, id) == 0)
			return j;
	return NULL;
}

/* Keep at most keep_results finished jobs (those nobody waits for). */
void jobs_prune(struct serve *s)
{
	unsigned done = 0;
	for (struct job **pp = &s->jobs; *pp;) {
		struct job *j = *pp;
		if (j->state == JOB_DONE && !j->waiter && !j->sse_attached && ++done > s->conf.keep_results) {
			*pp = j->next;
			job_free(j);
			continue;
		}
		pp = &j->next;
	}
}

/* ---- the worker ---- */

/* A worker's reply on its result pipe: "STATUS LENGTH\n", then LENGTH
 * bytes of body (reply_parse reads it). */
static void worker_reply(int fd, int status, const char *body)
{
	char head[48];
	int n = snprintf(head, sizeof(head), "%d %zu\n", status, strlen(body));
	/* A reply that cannot be written is seen by the service as a worker
	 * that ended without a result. */
	if (cordon_write_all(fd, head, (size_t)n) == 0)
		(void)cordon_write_all(fd, body, strlen(body));
}

static void worker_error(int fd, int status, const char *msg)
{
	json_t *o = json_pack("{s:s}", "error", msg);
	char *b = o ? json_dumps(o, JSON_COMPACT) : NULL;
	worker_reply(fd, status, b ? b : "{\"error\":\"out of memory\"}");
	free(b);
	json_decref(o);
}

/* The input, as a sealed memory file the run opens by its /proc name. */
static int input_memfd(const struct job *j)
{
	int fd = memfd_create("cordon-serve-input", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < j->input_len) {
		ssize_t w = write(fd, j->input + off, j->input_len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (off < j->input_len || fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* MCP over HTTP: the protocol code of `cordon mcp`, with this service's
 * policies (kept loaded) and the caller's rights. */
struct mcp_ctx {
	struct serve *s;
	struct caller *k;
	const char **names;
};

static const char *mcp_refuse(void *arg, const char *name)
{
	struct mcp_ctx *m = arg;
	if (!conf_policy(&m->s->conf, name))
		return "it is not one of this service's policies";
	if (!caller_may_use(m->k, name))
		return "this caller may not use it";
	return NULL;
}

static cordon_policy *mcp_warm(void *arg, const char *name)
{
	struct mcp_ctx *m = arg;
	struct warm_policy *w = conf_policy(&m->s->conf, name);
	return w ? w->policy : NULL;
}

static const char *const *mcp_names(void *arg)
{
	return (const char *const *)((struct mcp_ctx *)arg)->names;
}

static void worker_mcp(struct serve *s, struct job *j, int out_fd, int cancel_fd)
{
	struct mcp_ctx m = { s, j->caller, calloc(s->conf.n_policies + 1, sizeof(char *)) };
	if (!m.names) {
		worker_error(out_fd, 500, "out of memory");
		return;
	}
	size_t n = 0;
	for (size_t i = 0; i < s->conf.n_policies; i++)
		if (caller_may_use(j->caller, s->conf.policies[i].name))
			m.names[n++] = s->conf.policies[i].name;
	struct mcp_host h = { .policy_dir = s->conf.policy_dir,
		              .output_dir = j->out_dir,
		              .run_id = j->id,
		              .offer_outputs = 1,
		              .input_base = s->state_dir,
		              .max_input_bytes = s->conf.max_input_bytes,
		              .max_input_files = s->conf.max_input_files,
		              .arg = &m,
		              .refuse_policy = mcp_refuse,
		              .warm_policy = mcp_warm,
		              .policy_names = mcp_names,
		              .caller = j->caller->name,
		              .cancel_fd = cancel_fd };
	char *answer = cordon_mcp_handle(&h, j->code, j->code_len);
	if (answer)
		worker_reply(out_fd, 200, answer);
	else
		worker_reply(out_fd, 202, "");
	free(answer);
	free(m.names);
}

/* A session's command: the policy's interpreter, -c, the driver. */
static char **session_command(cordon_policy *p)
{
	const char *const *interp = cordon_policy_interpreter(p);
	size_t n = 0;
	while (interp && interp[n])
		n++;
	char **v = calloc(n + 4, sizeof(char *));
	if (!v)
		return NULL;
	static char budget[32]; /* the driver's argv[1]: this worker runs one session */
	snprintf(budget, sizeof(budget), "%llu", (unsigned long long)session_files_budget(p));
	for (size_t i = 0; i < n; i++)
		v[i] = (char *)interp[i];
	v[n] = (char *)"-c";
	v[n + 1] = (char *)session_driver;
	v[n + 2] = budget;
	return v;
}

/* In a worker (fresh or spare), first: nothing of the service's - its
 * listeners, connections, loop, log, the other jobs' pipes (a cancel pipe
 * held here would keep another run alive after the service went away),
 * the spare workers' sockets but keep_fd - and the signals as they were. */
static void scrub(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

static void worker_detach(struct serve *s, const struct job *j, int keep_fd)
{
	http_close_fds_in_worker(s);
	close(s->epfd);
	close(s->sigfd);
	if (s->log_fd >= 0)
		close(s->log_fd);
	for (struct job *o = s->jobs; o; o = o->next) {
		if (o == j)
			continue;
		/* Other callers' code, input and command lines, as they sent
		 * them: wiped from this copy of the service's memory, so that
		 * neither this worker nor the checker it forks (the one process
		 * a hostile source could take over) holds them.  Their results
		 * are not wiped: they have passed their policies' filters
		 * (redaction), and wiping them would copy every kept result's
		 * pages into every worker. */
		scrub(o->code, o->code_len);
		scrub(o->input, o->input_len);
		scrub(o->pending_code, o->pending_len);
		scrub(o->cell_code, o->cell_code_len);
		for (char **a = o->argv; a && *a; a++)
			scrub(*a, strlen(*a));
		if (o->result_fd >= 0)
			close(o->result_fd);
		if (o->cancel_fd >= 0)
			close(o->cancel_fd);
		for (int i = 0; i < 2; i++)
			if (o->stream_fd[i] >= 0)
				close(o->stream_fd[i]);
		if (o->stdin_fd >= 0)
			close(o->stdin_fd);
		/* A session's checker is the service's child: this copy lets go
		 * of its descriptor (cordon_checker_free in a forked process
		 * neither kills nor reaps). */
		cordon_checker_free(o->cell_checker);
		o->cell_checker = NULL;
	}
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigprocmask(SIG_SETMASK, &s->saved_mask, NULL);
	for (size_t i = 0; i < s->n_spares; i++)
		if (s->spares[i].fd != keep_fd)
			close(s->spares[i].fd);
}

/* The job, in its worker: the result on out_fd, then _exit.  checker: one
 * started ahead for this run (a spare's), or NULL. */
static void worker_run(struct serve *s, struct job *j, int out_fd, int cancel_fd, const int stream_w[2],
                       cordon_checker *checker)
{
	if (j->kind != JOB_RUN && j->kind != JOB_SESSION && j->kind != JOB_CHECK) {
		cordon_checker_free(checker); /* only cordon_run and cordon_check_with take one */
		checker = NULL;
	}
	if (j->kind == JOB_MCP) {
		worker_mcp(s, j, out_fd, cancel_fd);
		_exit(0);
	}
	char **session_argv = NULL;
	if (j->kind == JOB_SESSION && !(session_argv = session_command(j->wp->policy))) {
		worker_error(out_fd, 500, "out of memory");
		_exit(0);
	}
	cordon_policy *p = j->wp->policy, *own = NULL;
	if (j->tighten) {
		cordon_checker_free(checker); /* forked with the warm policy, not this load */
		checker = NULL;
		/* Per-call settings: this job's own load of the policy (the
		 * library decides what tightens and refuses what loosens). */
		struct cordon_load_options lo = { .size = sizeof(lo),
			                          .policy_dir = s->conf.policy_dir,
			                          .module_path = s->conf.module_path,
			                          .tighten = (const char *const *)j->tighten };
		char *err = NULL;
		own = cordon_policy_load(j->wp->name, &lo, &err);
		if (!own) {
			worker_error(out_fd, 400, err ? err : "the policy could not be tightened");
			_exit(0);
		}
		p = own;
	}
	cordon_result *r = NULL;
	char *err = NULL;
	if (j->kind == JOB_CHECK) {
		/* The spare's checker (it ends with this process). */
		r = cordon_check_with(p, checker, j->code, j->code_len, &err);
		checker = NULL;
	} else {
		int in_fd = -1;
		char in_path[64];
		if (session_argv) { /* cells come on stdin (fd 0, from the service) */
			snprintf(in_path, sizeof(in_path), "-");
		} else if (j->input && (in_fd = input_memfd(j)) < 0) {
			worker_error(out_fd, 500, "cannot store the input");
			_exit(0);
		}
		if (in_fd >= 0)
			snprintf(in_path, sizeof(in_path), "/proc/self/fd/%d", in_fd);
		struct cordon_run_options ro = {
			.size = sizeof(ro),
			.source_data = j->argv || session_argv ? NULL : j->code,
			.source_len = j->argv || session_argv ? 0 : j->code_len,
			.argv = session_argv ? (const char *const *)session_argv : (const char *const *)j->argv,
			.input = in_fd >= 0 || session_argv ? in_path : NULL,
			.stream_stdout_fd = stream_w[0],
			.stream_stderr_fd = stream_w[1],
			.cancel_fd = cancel_fd,
			.caller = j->caller->name,
			.output_dir = j->out_dir,
			.input_dir = j->in_dir,
			.checker = checker,
		};
		checker = NULL; /* taken */
		r = cordon_run(p, &ro, &err);
	}
	if (!r) {
		worker_error(out_fd, 400, err ? err : "the run could not be attempted");
		_exit(0);
	}
	char *js = cordon_result_json(r);
	/* The run and its whole tree are over (a check's checker ends with
	 * this process): the output streams end here, and the result is
	 * closed once written whole, so that the service answers at once (it
	 * need not wait for this process to exit, which tears down its copy
	 * of the service's memory). */
	for (int i = 0; i < 2; i++)
		if (stream_w[i] >= 0)
			close(stream_w[i]);
	if (!js)
		worker_error(out_fd, 500, "out of memory");
	else
		worker_reply(out_fd, 200, js);
	close(out_fd);
	_exit(0);
}

static void worker_main(struct serve *s, struct job *j, int out_fd, int cancel_fd, const int stream_w[2])
{
	worker_detach(s, j, -1);
	worker_run(s, j, out_fd, cancel_fd, stream_w, NULL);
}

/* ---- spare workers ----
 *
 * A run's worker is a fork of the service, and its checks run in a
 * checker the worker forks: two forks on every run's path.  A spare
 * worker is forked ahead, from the loop between requests, for one warm
 * policy: it lets go of the service's descriptors as any worker does,
 * starts its checker (cordon_checker_start: forked and confined exactly
 * as a run's own, before it has seen any source) and waits on a socket.
 * A run of that policy (no per-call settings, not a session) is handed to
 * it: one message with the job in a sealed memory file and the job's
 * pipes.  The spare runs that one job and exits as a fresh worker does;
 * it is never given another.  What a spare holds of other callers is what
 * a fresh worker holds: the service's memory at its fork.  A spare that
 * has ended, or cannot take the message, is discarded (killed, reaped)
 * and the run gets a fresh worker; a spare's checker that died while it
 * waited is replaced by a fresh checker in cordon_run (the result says
 * so). */

#define SPARE_MAGIC 0x73706a31u /* "spj1" */
#define SPARE_FDS 5 /* the job, result, cancel, stdout, stderr */

struct spare_msg {
	uint32_t magic;
	uint32_t n_fds;
	uint32_t kind; /* JOB_RUN or JOB_CHECK */
};

/* One field of the job file: a u64 length (UINT64_MAX: absent), the bytes. */
static int put_blob(int fd, const void *p, size_t len, bool present)
{
	uint64_t n = present ? (uint64_t)len : UINT64_MAX;
	return cordon_write_all(fd, &n, sizeof(n)) != 0 || (present && len && cordon_write_all(fd, p, len) != 0) ? -1 : 0;
}

/* The job's fields for a spare: caller, output directory, code, input,
 * input directory ("files"), then the command's arguments (a count, then
 * each). */
static int job_file(const struct job *j)
{
	int fd = memfd_create("cordon-serve-job", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	size_t argc = 0;
	while (j->argv && j->argv[argc])
		argc++;
	uint64_t n = j->argv ? (uint64_t)argc : UINT64_MAX;
	int bad = put_blob(fd, j->caller->name, strlen(j->caller->name), true) < 0 ||
	          put_blob(fd, j->out_dir, j->out_dir ? strlen(j->out_dir) : 0, j->out_dir != NULL) < 0 ||
	          put_blob(fd, j->code, j->code_len, j->code != NULL) < 0 ||
	          put_blob(fd, j->input, j->input_len, j->input != NULL) < 0 ||
	          put_blob(fd, j->in_dir, j->in_dir ? strlen(j->in_dir) : 0, j->in_dir != NULL) < 0 ||
	          cordon_write_all(fd, &n, sizeof(n)) != 0;
	for (size_t i = 0; !bad && i < argc; i++)
		bad = put_blob(fd, j->argv[i], strlen(j->argv[i]), true) < 0;
	if (bad || fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

struct cursor {
	const char *p, *end;
};

/* A field of the job file, malloc'd with a NUL after it; *absent when it
 * is.  -1 when the file is malformed or out of memory. */
static int get_blob(struct cursor *c, char **out, size_t *len, bool *absent)
{
	uint64_t n;
	*out = NULL;
	*absent = false;
	if ((size_t)(c->end - c->p) < sizeof(n))
		return -1;
	memcpy(&n, c->p, sizeof(n));
	c->p += sizeof(n);
	if (n == UINT64_MAX) {
		*absent = true;
		return 0;
	}
	if (n > (uint64_t)(c->end - c->p) || !(*out = malloc((size_t)n + 1)))
		return -1;
	memcpy(*out, c->p, (size_t)n);
	(*out)[n] = '\0';
	c->p += n;
	if (len)
		*len = (size_t)n;
	return 0;
}

/* The job a spare was given, from its file (into j, whose strings it
 * owns from then on); -1 when malformed. */
static int job_read(int fd, struct job *j, struct caller *k)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size < 0 || (uint64_t)st.st_size > (uint64_t)SIZE_MAX / 2 || st.st_size == 0)
		return -1;
	size_t size = (size_t)st.st_size;
	char *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return -1;
	struct cursor c = { map, map + size };
	enum { FIELDS = 5 };
	bool absent[FIELDS];
	char *field[FIELDS];
	size_t len[FIELDS] = { 0 };
	int bad = 0;
	for (int i = 0; i < FIELDS; i++)
		bad = bad || get_blob(&c, &field[i], &len[i], &absent[i]) < 0;
	uint64_t argc = 0;
	if (!bad && (size_t)(c.end - c.p) >= sizeof(argc)) {
		memcpy(&argc, c.p, sizeof(argc));
		c.p += sizeof(argc);
	} else {
		bad = 1;
	}
	if (!bad && argc != UINT64_MAX && argc < size) {
		j->argv = calloc((size_t)argc + 1, sizeof(char *));
		bad = !j->argv;
		for (uint64_t i = 0; !bad && i < argc; i++) {
			bool none;
			bad = get_blob(&c, &j->argv[i], NULL, &none) < 0 || none;
		}
	} else if (argc != UINT64_MAX) {
		bad = 1;
	}
	bad = bad || c.p != c.end || absent[0];
	munmap(map, size);
	if (bad)
		return -1;
	k->name = field[0];
	j->caller = k;
	j->out_dir = field[1];
	j->code = field[2];
	j->code_len = len[2];
	j->input = field[3];
	j->input_len = len[3];
	j->in_dir = field[4];
	return 0;
}

/* The spare: wait for one job, run it, exit.  fd: its socket; checker:
 * whether to start a checker ahead. */
static void spare_main(struct serve *s, struct warm_policy *wp, int fd, bool checker)
{
	worker_detach(s, NULL, fd);
	/* A checker only where the next run is likely to have a source: after
	 * a run without one (argv), none is started (one started for such a
	 * run is killed unused: a fork and a confinement for nothing); a run
	 * with a source that comes to this spare starts its own, as a fresh
	 * worker's run does. */
	char *err = NULL;
	cordon_checker *ck = checker ? cordon_checker_start(wp->policy, &err) : NULL;
	if (!ck && checker) /* the run starts a checker of its own (and says why it cannot) */
		fprintf(stderr, "cordon serve: a spare worker of '%s' could not start its checker: %s\n", wp->name,
		        err ? err : "out of memory");
	free(err);
	struct spare_msg m;
	union {
		char buf[CMSG_SPACE(SPARE_FDS * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { &m, sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	ssize_t n;
	while ((n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	int fds[SPARE_FDS] = { -1, -1, -1, -1, -1 };
	size_t got = 0;
	for (struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < k; i++) {
				int f;
				memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
				if (got < SPARE_FDS)
					fds[got++] = f;
				else
					close(f);
			}
		}
	close(fd);
	/* The end of the socket (the service let this spare go, or went
	 * away), or a message that is not one job: nothing to do. */
	if (n != (ssize_t)sizeof(m) || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || m.magic != SPARE_MAGIC ||
	    (m.n_fds != 3 && m.n_fds != SPARE_FDS) || got != m.n_fds || (m.kind != JOB_RUN && m.kind != JOB_CHECK)) {
		cordon_checker_free(ck);
		_exit(0);
	}
	struct caller k = { 0 };
	struct job *j = job_new((enum job_kind)m.kind, &k, wp);
	if (!j || job_read(fds[0], j, &k) < 0) {
		worker_error(fds[1], 500, "the spare worker could not read its job");
		cordon_checker_free(ck);
		_exit(0);
	}
	close(fds[0]);
	int stream_w[2] = { fds[3], fds[4] };
	worker_run(s, j, fds[1], fds[2], stream_w, ck);
	_exit(0);
}

/* A spare not reaped yet (so its pid is still its own): killed, reaped,
 * out of the pool. */
static void spare_end(const struct spare *sp)
{
	close(sp->fd);
	kill(sp->pid, SIGKILL);
	while (waitpid(sp->pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static void spare_discard(struct serve *s, size_t i)
{
	spare_end(&s->spares[i]);
	s->spares[i] = s->spares[--s->n_spares];
}

/* One message of len bytes and n descriptors (SCM_RIGHTS, at most
 * SPARE_FDS) on a SOCK_SEQPACKET socket, without blocking: what sendmsg
 * returns. */
static ssize_t send_with_fds(int sock, const void *msg, size_t len, const int *fds, unsigned n)
{
	union {
		char buf[CMSG_SPACE(SPARE_FDS * sizeof(int))];
		struct cmsghdr align;
	} u;
	if (n == 0 || n > SPARE_FDS) {
		errno = EINVAL;
		return -1;
	}
	memset(&u, 0, sizeof(u));
	struct iovec iov = { (void *)msg, len };
	struct msghdr mh = { .msg_iov = &iov,
		             .msg_iovlen = 1,
		             .msg_control = u.buf,
		             .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	ssize_t w;
	while ((w = sendmsg(sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	return w;
}

static int spares_room(struct serve *s)
{
	if (s->n_spares < s->cap_spares)
		return 0;
	size_t ncap = s->cap_spares ? s->cap_spares * 2 : 8;
	struct spare *nv = realloc(s->spares, ncap * sizeof(*nv));
	if (!nv)
		return -1;
	s->spares = nv;
	s->cap_spares = ncap;
	return 0;
}

/* ---- the zygote ----
 *
 * Every fork write-protects the forking process's pages: after it, each
 * page the service writes costs a fault and a copy (about 12 us a page
 * on a paravirtualised guest, 60-80 pages a request), and the fork itself
 * (about 1 ms for the service's 10 MB) holds up the loop.  So the spares
 * are forked by the zygote: a copy of the service made once, before the
 * first request, that does nothing but fork.  It clones each spare with
 * CLONE_PARENT, so that the spare is the service's child as one forked by
 * the service is (reaped, killed and counted by the service, its exit
 * signalled to it); the spare's socket comes from the service with the
 * request, and the zygote answers with the spare's pid, or -errno.  A
 * spare forked this way holds the service's memory as it was before any
 * request: no caller's code, input or result at all.
 *
 * The zygote ends when the service closes its socket or dies
 * (PR_SET_PDEATHSIG).  If it ends on its own, the service reaps it, logs
 * it, and forks its spares itself from then on; a spare it cloned whose
 * pid never came is not known to the service: it ends at its socket's
 * end (closed then) and stays a zombie until the service exits. */

#define ZYGOTE_MAGIC 0x7a796731u /* "zyg1" */

struct zygote_ask {
	uint32_t magic;
	uint32_t policy; /* index in conf.policies */
	uint32_t checker;
};

struct zygote_answer {
	uint32_t magic;
	int32_t pid; /* or -errno */
};

static void zygote_main(struct serve *s, int fd, pid_t service)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != service)
		_exit(0);
	(void)prctl(PR_SET_NAME, "cordon-zygote");
	worker_detach(s, NULL, -1);
	/* What worker_detach closed is closed here for good: a spare cloned
	 * from this copy must not close those numbers again (by then they
	 * may be its own descriptors). */
	s->n_listen = 0;
	s->n_conn_fds = 0;
	s->epfd = s->sigfd = s->log_fd = -1;
	s->n_spares = 0;
	s->zygote_fd = -1;
	for (;;) {
		struct zygote_ask q;
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} u;
		struct iovec iov = { &q, sizeof(q) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
		ssize_t n;
		while ((n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
			;
		if (n <= 0)
			_exit(0); /* the service closed its end, or is gone */
		int sfd = -1;
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&sfd, CMSG_DATA(cm), sizeof(int));
		struct zygote_answer a = { .magic = ZYGOTE_MAGIC, .pid = -EINVAL };
		if (n == (ssize_t)sizeof(q) && !(mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) && q.magic == ZYGOTE_MAGIC &&
		    q.policy < s->conf.n_policies && sfd >= 0) {
			pid_t pid = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, NULL);
			if (pid == 0) {
				close(fd);
				(void)prctl(PR_SET_NAME, "cordon-serve"); /* a worker's name, as a fork of the service has */
				spare_main(s, &s->conf.policies[q.policy], sfd, q.checker != 0);
				_exit(0);
			}
			a.pid = pid > 0 ? pid : -errno;
		}
		if (sfd >= 0)
			close(sfd);
		ssize_t w;
		while ((w = send(fd, &a, sizeof(a), MSG_NOSIGNAL)) < 0 && errno == EINTR)
			;
		if (w != (ssize_t)sizeof(a))
			_exit(0);
	}
}

int zygote_start(struct serve *s)
{
	s->zygote_fd = -1;
	s->zygote_pid = 0;
	if (!s->conf.spare_workers || !s->conf.n_policies)
		return 0;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	pid_t service = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		zygote_main(s, sv[1], service);
		_exit(0);
	}
	close(sv[1]);
	s->zygote_fd = sv[0];
	s->zygote_pid = pid;
	if (watch(s, s->zygote_fd, &s->ev_zygote, EV_ZYGOTE, NULL, 0) < 0) {
		int e = errno;
		zygote_stop(s);
		errno = e;
		return -1;
	}
	return 0;
}

/* The zygote is gone, or must go: its socket closed (it ends at that),
 * the spares asked of it forgotten (each ends at its socket's end), and
 * it is reaped with the exiting workers. */
static void zygote_lost(struct serve *s, const char *why)
{
	if (s->zygote_fd < 0)
		return;
	close(s->zygote_fd);
	s->zygote_fd = -1;
	for (size_t i = 0; i < s->n_asked; i++)
		close(s->asked[i].fd);
	s->n_asked = 0;
	if (s->zygote_pid > 0) {
		kill(s->zygote_pid, SIGKILL);
		if (exiting_add(s, s->zygote_pid) < 0)
			while (waitpid(s->zygote_pid, NULL, 0) < 0 && errno == EINTR)
				;
		s->zygote_pid = 0;
	}
	if (why)
		serve_log(s, "error", NULL, NULL, "the zygote that forks spare workers %s: the service forks them itself "
		          "from now on", why);
}

void zygote_stop(struct serve *s)
{
	zygote_lost(s, NULL);
	free(s->asked);
	s->asked = NULL;
	s->cap_asked = 0;
}

/* Ask the zygote for a spare of wp: 0 asked, -1 not (the zygote is gone
 * or cannot take it: the caller forks the spare itself). */
static int zygote_ask(struct serve *s, struct warm_policy *wp, bool checker)
{
	if (s->n_asked == s->cap_asked) {
		size_t ncap = s->cap_asked ? s->cap_asked * 2 : 8;
		struct spare_asked *nv = realloc(s->asked, ncap * sizeof(*nv));
		if (!nv)
			return -1;
		s->asked = nv;
		s->cap_asked = ncap;
	}
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	struct zygote_ask q = { .magic = ZYGOTE_MAGIC, .policy = (uint32_t)(wp - s->conf.policies), .checker = checker };
	ssize_t w = send_with_fds(s->zygote_fd, &q, sizeof(q), &sv[1], 1);
	int e = errno;
	close(sv[1]);
	if (w != (ssize_t)sizeof(q)) {
		close(sv[0]);
		if (w >= 0 || (e != EAGAIN && e != EWOULDBLOCK && e != ENOBUFS))
			zygote_lost(s, "cannot be asked for a spare");
		return -1;
	}
	s->asked[s->n_asked++] = (struct spare_asked){ .fd = sv[0], .wp = wp, .checker = checker };
	return 0;
}

void zygote_readable(struct serve *s)
{
	while (s->zygote_fd >= 0) {
		struct zygote_answer a;
		ssize_t n = recv(s->zygote_fd, &a, sizeof(a), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n != (ssize_t)sizeof(a) || a.magic != ZYGOTE_MAGIC || !s->n_asked) {
			zygote_lost(s, n == 0 ? "ended" : "sent a malformed answer");
			return;
		}
		struct spare_asked q = s->asked[0];
		memmove(s->asked, s->asked + 1, (s->n_asked - 1) * sizeof(*s->asked));
		s->n_asked--;
		if (a.pid <= 0) {
			close(q.fd);
			continue;
		}
		struct spare sp = { .pid = a.pid, .fd = q.fd, .wp = q.wp, .checker = q.checker };
		if (s->stopped || s->quit || spares_room(s) < 0) {
			/* Not wanted any more (the kill switch, the end), or no
			 * room: discarded as a spare is. */
			spare_end(&sp);
			s->spares_discarded++;
			continue;
		}
		s->spares[s->n_spares++] = sp;
	}
}

void spares_refill(struct serve *s)
{
	/* Those that ended while they waited: reaped and discarded. */
	for (size_t i = 0; i < s->n_spares;) {
		pid_t w = waitpid(s->spares[i].pid, NULL, WNOHANG);
		if (w == 0) {
			i++;
			continue;
		}
		if (w < 0 && errno != ECHILD) {
			i++;
			continue;
		}
		close(s->spares[i].fd);
		s->spares[i] = s->spares[--s->n_spares];
		s->spares_discarded++;
	}
	if (s->stopped || s->quit)
		return;
	for (size_t p = 0; p < s->conf.n_policies; p++) {
		struct warm_policy *wp = &s->conf.policies[p];
		unsigned have = 0;
		for (size_t i = 0; i < s->n_spares; i++)
			have += s->spares[i].wp == wp;
		for (size_t i = 0; i < s->n_asked; i++)
			have += s->asked[i].wp == wp;
		for (; have < s->conf.spare_workers; have++) {
			if (s->zygote_fd >= 0 && zygote_ask(s, wp, !wp->argv_last) == 0)
				continue;
			if (spares_room(s) < 0)
				return;
			int sv[2];
			if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
				return;
			pid_t pid = fork();
			if (pid < 0) {
				close(sv[0]);
				close(sv[1]);
				return;
			}
			if (pid == 0) {
				close(sv[0]);
				spare_main(s, wp, sv[1], !wp->argv_last);
				_exit(0);
			}
			close(sv[1]);
			s->spares[s->n_spares++] = (struct spare){ .pid = pid, .fd = sv[0], .wp = wp, .checker = !wp->argv_last };
		}
	}
}

/* Which jobs a spare takes: a run, an exec or a check of a warm policy as
 * it is loaded (no per-call settings: those load their own copy), not a
 * session (a check takes the spare's checker: cordon_check_with).
 * Everything such a job's worker reads of it goes through job_file: a new
 * field of struct job that a run uses must be carried there, or its jobs
 * kept out here. */
static bool spare_fits(const struct job *j)
{
	return (j->kind == JOB_RUN || j->kind == JOB_CHECK) && !j->tighten && j->wp;
}

/* Hand job j to a spare of its policy with its descriptors (job file,
 * result, cancel, and the stream pipes when it streams): the spare's pid,
 * or 0 when there is none that takes it (a fresh worker is forked). */
static pid_t spare_give(struct serve *s, struct job *j, const int fds[SPARE_FDS], unsigned n_fds)
{
	/* First a spare that fits the job's kind: one with a checker for a
	 * job with a source, one without for a command (a checker given to a
	 * command is killed unused; a run with a source given a spare without
	 * one starts its own, a fork and a confinement on its path); then any
	 * spare of the policy. */
	bool want_checker = j->kind == JOB_CHECK || !j->argv;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < s->n_spares;) {
			if (s->spares[i].wp != j->wp || (pass == 0 && s->spares[i].checker != want_checker)) {
				i++;
				continue;
			}
			struct spare sp = s->spares[i];
			struct spare_msg m = { .magic = SPARE_MAGIC, .n_fds = n_fds, .kind = (uint32_t)j->kind };
			/* Still there (not ended), and the message goes whole: else
			 * discarded, and the next one is tried. */
			if (waitpid(sp.pid, NULL, WNOHANG) != 0) { /* ended (now reaped), or not ours */
				close(sp.fd);
				s->spares[i] = s->spares[--s->n_spares];
				s->spares_discarded++;
				continue;
			}
			if (send_with_fds(sp.fd, &m, sizeof(m), fds, n_fds) != (ssize_t)sizeof(m)) {
				spare_discard(s, i);
				s->spares_discarded++;
				continue;
			}
			/* Given: the spare is the job's worker now, and leaves the pool
			 * (its socket has done its work). */
			close(sp.fd);
			s->spares[i] = s->spares[--s->n_spares];
			s->spares_used++;
			return sp.pid;
		}
	return 0;
}

static void spares_free(struct serve *s)
{
	while (s->n_spares)
		spare_discard(s, s->n_spares - 1);
	free(s->spares);
	s->spares = NULL;
	s->cap_spares = 0;
}

static void random_id(char id[33])
{
	unsigned char b[16];
	size_t got = 0;
	while (got < sizeof(b)) {
		ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < sizeof(b)) { /* no entropy source: time and a counter, still unique */
		static unsigned long long seq;
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		unsigned long long v[2] = { (unsigned long long)t.tv_sec * 1000000000ull + (unsigned long long)t.tv_nsec,
			                    ++seq ^ ((unsigned long long)getpid() << 32) };
		memcpy(b, v, sizeof(b));
	}
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(id + 2 * i, 3, "%02x", b[i]);
}

static void close_pair(int p[2])
{
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0) {
			close(p[i]);
			p[i] = -1;
		}
}

static int watch(struct serve *s, int fd, struct evsrc *src, enum ev_kind kind, struct job *j, int which)
{
	src->kind = kind;
	src->job = j;
	src->which = which;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = src };
	return epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static int job_start(struct serve *s, struct job *j)
{
	int res[2] = { -1, -1 }, can[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 }, in[2] = { -1, -1 };
	bool session = j->kind == JOB_SESSION;
	if (pipe2(res, O_CLOEXEC) < 0 || pipe2(can, O_CLOEXEC) < 0 ||
	    ((j->stream || session) && (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)) ||
	    (session && pipe2(in, O_CLOEXEC) < 0))
		goto fail;
	/* A cell is written whole into an empty pipe: make it large enough
	 * for the largest cell (the session's cells are bounded by it). */
	if (session && fcntl(in[1], F_SETPIPE_SZ, SESSION_PIPE) < 0 && fcntl(in[1], F_GETPIPE_SZ) < 65536)
		goto fail;
	/* A spare worker of the policy takes the run when there is one
	 * (spare_fits); else a worker is forked now.  Whether this run has a
	 * source decides whether the spares forked next start a checker. */
	if ((j->kind == JOB_RUN || j->kind == JOB_CHECK) && j->wp)
		j->wp->argv_last = j->kind == JOB_RUN && j->argv != NULL;
	pid_t pid = 0;
	if (spare_fits(j) && s->n_spares) {
		int jf = job_file(j);
		if (jf >= 0) {
			int fds[SPARE_FDS] = { jf, res[1], can[0], out[1], err[1] };
			pid = spare_give(s, j, fds, j->stream ? SPARE_FDS : 3);
			close(jf);
		}
	}
	if (pid == 0)
		pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0) {
		close(res[0]);
		close(can[1]);
		if (j->stream || session) {
			close(out[0]);
			close(err[0]);
		}
		if (session) {
			close(in[1]);
			if (dup2(in[0], 0) < 0)
				_exit(1);
			close(in[0]);
		}
		int stream_w[2] = { out[1], err[1] };
		worker_main(s, j, res[1], can[0], stream_w);
		_exit(0);
	}
	close(res[1]);
	close(can[0]);
	j->pid = pid;
	j->result_fd = res[0];
	j->cancel_fd = can[1];
	if (session) {
		close(in[0]);
		j->stdin_fd = in[1];
		fcntl(j->stdin_fd, F_SETFL, O_NONBLOCK);
		clock_gettime(CLOCK_MONOTONIC, &j->last_used);
	}
	if (j->stream || session) {
		close(out[1]);
		close(err[1]);
		j->stream_fd[0] = out[0];
		j->stream_fd[1] = err[0];
		for (int i = 0; i < 2; i++)
			if (watch(s, j->stream_fd[i], &j->ev_stream[i], EV_STREAM, j, i) < 0) {
				close(j->stream_fd[i]); /* the output still comes in the result */
				j->stream_fd[i] = -1;
			}
	}
	if (watch(s, j->result_fd, &j->ev_result, EV_RESULT, j, 0) < 0) {
		/* Cannot watch it: cancel the worker; the reaper ends the job. */
		char sig = SIGKILL;
		if (write(j->cancel_fd, &sig, 1) < 0) {
		}
		close(j->result_fd);
		j->result_fd = -1;
	}
	j->state = JOB_RUNNING;
	clock_gettime(CLOCK_MONOTONIC, &j->started);
	if (session)
		s->sessions++;
	else
		s->running++;
	return 0;
fail:;
	int e = errno;
	close_pair(in);
	close_pair(res);
	close_pair(can);
	close_pair(out);
	close_pair(err);
	errno = e;
	return -1;
}

static void start_queued(struct serve *s)
{
	while (!s->stopped && s->queue_head && s->running < s->conf.workers) {
		struct job *j = s->queue_head;
		s->queue_head = j->qnext;
		if (!s->queue_head)
			s->queue_tail = NULL;
		j->qnext = NULL;
		s->queued--;
		if (job_start(s, j) < 0) {
			j->state = JOB_DONE;
			j->http_status = 500;
			json_t *o = json_pack("{s:s}", "error", "cannot start a worker");
			j->body = o ? json_dumps(o, JSON_COMPACT) : NULL;
			json_decref(o);
			j->caller->running--;
			job_notify(s, j);
		}
	}
}

int job_submit(struct serve *s, struct job *j, int *status, const char **why)
{
	if (s->stopped) {
		*status = 503;
		*why = "the service is stopped (cordon stop --all): new runs are refused until cordon resume";
		return -1;
	}
	if (s->running >= s->conf.workers && s->queued >= s->conf.queue) {
		*status = 503;
		*why = "every worker is busy and the queue is full";
		return -1;
	}
	if (j->kind == JOB_SESSION && s->sessions >= s->conf.sessions) {
		*status = 503;
		*why = "the service holds as many sessions as it may (serve.yaml sessions:)";
		return -1;
	}
	random_id(j->id);
	j->result_fd = j->cancel_fd = -1;
	j->stream_fd[0] = j->stream_fd[1] = -1;
	j->stdin_fd = -1;
	if (j->outputs || (j->kind == JOB_SESSION && cordon_policy_isolated(j->wp->policy))) {
		/* The run's own directory, which libcordon fills with what the
		 * program left in /output (collected, never shared).  A session
		 * has one wherever its policy has a backend to show it: its
		 * cells return the files they leave there (session.c). */
		if (asprintf(&j->out_dir, "%s/%s", s->state_dir, j->id) < 0) {
			j->out_dir = NULL;
			*status = 500;
			*why = "out of memory";
			return -1;
		}
		if (mkdir(j->out_dir, 0700) < 0) {
			free(j->out_dir);
			j->out_dir = NULL;
			*status = 500;
			*why = "cannot make the run's output directory";
			return -1;
		}
	}
	j->state = JOB_QUEUED;
	if (j->kind == JOB_SESSION) {
		/* A session does not wait in the run queue: it starts now or
		 * is refused. */
		clock_gettime(CLOCK_MONOTONIC, &j->submitted);
		if (job_start(s, j) < 0) {
			*status = 503;
			*why = "cannot start the session's worker";
			return -1;
		}
		j->next = s->jobs;
		s->jobs = j;
		j->caller->running++;
		caller_charge(j->caller);
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &j->submitted);
	j->next = s->jobs;
	s->jobs = j;
	j->caller->running++;
	if (s->queue_tail)
		s->queue_tail->qnext = j;
	else
		s->queue_head = j;
	s->queue_tail = j;
	s->queued++;
	caller_charge(j->caller);
	start_queued(s);
	return 0;
}

/* ---- results ---- */

static void count_rules(json_t *counts, json_t *arr, const char *field_count)
{
	size_t i;
	json_t *f;
	json_array_foreach(arr, i, f)
	{
		const char *rule = json_string_value(json_object_get(f, "rule"));
		const char *mod = json_string_value(json_object_get(f, "module"));
		if (!rule)
			continue;
		char key[256];
		snprintf(key, sizeof(key), "%s/%s", mod ? mod : "?", rule);
		json_int_t add = field_count ? json_integer_value(json_object_get(f, field_count)) : 1;
		json_int_t have = json_integer_value(json_object_get(counts, key));
		json_object_set_new(counts, key, json_integer(have + (add > 0 ? add : 1)));
	}
}

static const char *const statuses[] = { "ok", "failed", "denied", "timeout", "killed", "error" };

/* What the service learns from a result: metrics and the CPU used. */
static void account(struct serve *s, struct job *j)
{
	double lat = ts_s(&j->ended) - ts_s(&j->submitted);
	static const double bounds[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
	for (size_t i = 0; j->kind != JOB_SESSION && i < sizeof(bounds) / sizeof(bounds[0]); i++)
		if (lat <= bounds[i])
			s->latency_bucket[i]++;
	if (j->kind != JOB_SESSION) { /* a session's life is no run's latency */
		s->latency_count++;
		s->latency_sum += lat;
	}
	if (j->kind == JOB_MCP) {
		s->mcp_messages++;
		return;
	}
	if (j->http_status >= 400 && j->http_status < 500) {
		/* A request the worker refused (a per-call setting that would
		 * loosen the policy): a refusal, not a run, and no run's token. */
		s->refused_by_code[5]++;
		if (j->caller->runs_per_minute > 0) {
			refill(j->caller);
			j->caller->run_tokens = fmin(j->caller->runs_per_minute, j->caller->run_tokens + 1);
		}
		return;
	}
	json_t *o = j->body ? json_loads(j->body, 0, NULL) : NULL;
	const char *st = json_string_value(json_object_get(o, "status"));
	if (j->kind == JOB_CHECK)
		st = json_string_value(json_object_get(o, "verdict"));
	int idx = 5;
	for (int i = 0; st && i < 6; i++)
		if (strcmp(st, statuses[i]) == 0)
			idx = i;
	if (st && strcmp(st, "deny") == 0)
		idx = 2;
	if (st && strcmp(st, "pass") == 0)
		idx = 0;
	j->wp->runs_by_status[idx]++;
	if (idx == 2)
		count_rules(s->denials_by_rule, json_object_get(o, "findings"), NULL);
	count_rules(s->redactions_by_rule, json_object_get(o, "redactions"), "count");
	double cpu_ms = json_number_value(json_object_get(json_object_get(o, "usage"), "cpu_ms"));
	if (j->caller->cpu_seconds_per_hour > 0) {
		refill(j->caller);
		j->caller->cpu_tokens -= cpu_ms / 1000.0;
	}
	json_decref(o);
}

/* ---- server-sent events ---- */

#define SSE_MAX (64u << 20) /* events not yet sent; beyond, output events are dropped (the result has it all) */

static void sse_add(struct job *j, const char *event, const char *data, bool always)
{
	size_t need = strlen("event: \ndata: \n\n") + strlen(event) + strlen(data);
	if (!always && (!j->sse_attached || j->sse_len - j->sse_off + need > SSE_MAX)) {
		j->sse_dropped += strlen(data); /* nobody reads, or too far behind */
		return;
	}
	if (j->sse_off && j->sse_off == j->sse_len) {
		j->sse_off = j->sse_len = 0;
	} else if (j->sse_off > j->sse_len / 2) { /* the sent part goes */
		memmove(j->sse, j->sse + j->sse_off, j->sse_len - j->sse_off);
		j->sse_len -= j->sse_off;
		j->sse_off = 0;
	}
	char *nb = realloc(j->sse, j->sse_len + need + 1);
	if (!nb)
		return;
	j->sse = nb;
	j->sse_len += (size_t)sprintf(j->sse + j->sse_len, "event: %s\ndata: %s\n\n", event, data);
}

/* One chunk of a stream as an event: a JSON string, with an unfinished
 * UTF-8 sequence at the end kept for the next chunk and invalid bytes as
 * U+FFFD. */
static void sse_output(struct job *j, int which, const char *data, size_t n, bool last)
{
	size_t total = j->carry_len[which] + n;
	unsigned char *in = malloc(total ? total : 1), *out = malloc(total * 3 + 1);
	if (!in || !out) {
		free(in);
		free(out);
		return;
	}
	memcpy(in, j->carry[which], j->carry_len[which]);
	memcpy(in + j->carry_len[which], data, n);
	j->carry_len[which] = 0;
	size_t used = 0;
	size_t o = utf8_repair(in, total, out, last, &used);
	if (used < total) { /* at most 3 bytes: an unfinished sequence */
		memcpy(j->carry[which], in + used, total - used);
		j->carry_len[which] = total - used;
	}
	if (o) {
		json_t *str = json_stringn((const char *)out, o);
		char *text = str ? json_dumps(str, JSON_ENCODE_ANY) : NULL;
		if (text)
			sse_add(j, which ? "stderr" : "stdout", text, false);
		free(text);
		json_decref(str);
	}
	free(in);
	free(out);
}

void job_stream_readable(struct serve *s, struct job *j, int which)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(j->stream_fd[which], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			if (j->kind != JOB_SESSION)
				sse_output(j, which, "", 0, true);
			epoll_ctl(s->epfd, EPOLL_CTL_DEL, j->stream_fd[which], NULL);
			close(j->stream_fd[which]);
			j->stream_fd[which] = -1;
			break;
		}
		if (j->kind == JOB_SESSION)
			session_output(s, j, which, buf, (size_t)n);
		else
			sse_output(j, which, buf, (size_t)n, false);
	}
	http_sse_wake(j);
}

/* The worker's reply in the job's buffer (worker_reply): "STATUS LENGTH\n"
 * with a status of 200-599 and exactly LENGTH bytes after it.  Returns
 * the body's offset and sets *status, or -1 when the buffer holds no whole
 * reply (nothing, a torn head, a body cut short or with bytes after it). */
static long reply_parse(const struct job *j, int *status)
{
	if (!j->buf)
		return -1;
	const char *b = j->buf, *end = b + j->len, *p = b;
	int st = 0;
	for (int k = 0; k < 3; k++, p++) {
		if (p == end || *p < '0' || *p > '9')
			return -1;
		st = st * 10 + (*p - '0');
	}
	if (p == end || *p++ != ' ' || st < 200 || st > 599)
		return -1;
	unsigned long long blen = 0;
	const char *digits = p;
	for (; p < end && *p >= '0' && *p <= '9' && p - digits < 19; p++)
		blen = blen * 10 + (unsigned long long)(*p - '0');
	if (p == digits || p == end || *p++ != '\n' || blen != (unsigned long long)(end - p))
		return -1;
	*status = st;
	return (long)(p - b);
}

static void job_finish(struct serve *s, struct job *j, int wstatus)
{
	j->state = JOB_DONE;
	clock_gettime(CLOCK_MONOTONIC, &j->ended);
	if (j->kind == JOB_SESSION)
		s->sessions--;
	else
		s->running--;
	j->caller->running--;
	if (j->cancel_fd >= 0) {
		close(j->cancel_fd);
		j->cancel_fd = -1;
	}
	int status = 0;
	long off = reply_parse(j, &status);
	if (off >= 0) {
		j->http_status = status;
		j->body = strndup(j->buf + off, j->len - (size_t)off);
	}
	if (!j->body || j->http_status < 200 || j->http_status > 599) {
		free(j->body);
		char msg[160];
		if (WIFSIGNALED(wstatus))
			snprintf(msg, sizeof(msg), "the worker ended without a result (signal %d, %s)", WTERMSIG(wstatus),
			         strsignal(WTERMSIG(wstatus)));
		else
			snprintf(msg, sizeof(msg), "the worker ended without a result (exit status %d)",
			         WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
		json_t *o = json_pack("{s:s}", "error", msg);
		j->body = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		j->http_status = 500;
	}
	free(j->buf);
	j->buf = NULL;
	j->len = j->cap = 0;
	account(s, j);
	if (j->kind == JOB_SESSION) {
		for (int i = 0; i < 2; i++)
			if (j->stream_fd[i] >= 0)
				job_stream_readable(s, j, i);
		session_ended(s, j);
	}
	job_notify(s, j);
	/* Freed between loop iterations (jobs_prune), never while events of
	 * this epoll batch may still point into a job. */
	s->prune_pending = true;
	start_queued(s);
}

/* A job is done: its waiting request is answered; a streaming one gets
 * the rest of its output, then the result, as events. */
static void job_notify(struct serve *s, struct job *j)
{
	if (j->stream && !j->sse_end) {
		/* The worker is gone: what is left in its output pipes is all
		 * there is; then the result. */
		for (int i = 0; i < 2; i++)
			if (j->stream_fd[i] >= 0)
				job_stream_readable(s, j, i);
		if (j->sse_dropped) {
			char note[96];
			snprintf(note, sizeof(note), "{\"dropped_bytes\":%zu}", j->sse_dropped);
			sse_add(j, "dropped", note, true);
		}
		sse_add(j, "result", j->body ? j->body : "{\"error\":\"out of memory\"}", true);
		j->sse_end = true;
		http_sse_wake(j);
	}
	http_job_done(s, j);
}

static int exiting_add(struct serve *s, pid_t pid)
{
	if (s->n_exiting == s->cap_exiting) {
		size_t ncap = s->cap_exiting ? s->cap_exiting * 2 : 16;
		pid_t *nv = realloc(s->exiting, ncap * sizeof(*nv));
		if (!nv)
			return -1; /* the job is finished when its worker is reaped */
		s->exiting = nv;
		s->cap_exiting = ncap;
	}
	s->exiting[s->n_exiting++] = pid;
	return 0;
}

void job_readable(struct serve *s, struct job *j)
{
	for (;;) {
		if (j->cap - j->len < 65536) {
			size_t ncap = j->cap ? j->cap * 2 : 131072;
			char *nb = ncap <= RESULT_MAX + 1 ? realloc(j->buf, ncap) : NULL;
			if (!nb) { /* too large or no memory: the job ends as an error */
				free(j->buf);
				j->buf = NULL;
				j->len = j->cap = 0;
				break;
			}
			j->buf = nb;
			j->cap = ncap;
		}
		ssize_t n = read(j->result_fd, j->buf + j->len, j->cap - j->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			break;
		j->len += (size_t)n;
		j->buf[j->len] = '\0';
	}
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, j->result_fd, NULL);
	close(j->result_fd);
	j->result_fd = -1;
	/* A worker of a run or a check closes its result once it has written
	 * it whole, after the run's tree is gone and its output streams are
	 * closed (a check's checker ends with the worker): a reply that reads
	 * whole (its head gives its length) ends the job now, and the
	 * worker's own exit is reaped later, off the request's path.  A
	 * worker that ended without one (killed, crashed, cut short in the
	 * middle of its reply) is finished by the reaper, with its exit
	 * status in the error. */
	int status;
	if (j->kind != JOB_SESSION && j->pid > 0 && reply_parse(j, &status) >= 0 && exiting_add(s, j->pid) == 0) {
		j->pid = 0;
		job_finish(s, j, 0);
		return;
	}
	jobs_reap(s);
}

void jobs_reap(struct serve *s)
{
	for (size_t i = 0; i < s->n_exiting;) {
		pid_t w = waitpid(s->exiting[i], NULL, WNOHANG);
		if (w == s->exiting[i] || (w < 0 && errno == ECHILD))
			s->exiting[i] = s->exiting[--s->n_exiting];
		else
			i++;
	}
	for (struct job *j = s->jobs; j; j = j->next) {
		if (j->state != JOB_RUNNING || j->result_fd >= 0 || j->pid <= 0)
			continue;
		int st = 0;
		pid_t w = waitpid(j->pid, &st, WNOHANG);
		if (w == j->pid || (w < 0 && errno == ECHILD)) {
			j->pid = 0;
			job_finish(s, j, st);
			return jobs_reap(s); /* the list changed */
		}
	}
	/* Anything else that ended (a worker whose pipe is still open is
	 * reaped when its pipe closes). */
}

int job_cancel(struct serve *s, struct job *j)
{
	if (j->state == JOB_QUEUED) {
		for (struct job **pp = &s->queue_head; *pp; pp = &(*pp)->qnext)
			if (*pp == j) {
				*pp = j->qnext;
				break;
			}
		s->queue_tail = NULL;
		for (struct job *q = s->queue_head; q; q = q->qnext)
			s->queue_tail = q;
		s->queued--;
		j->state = JOB_DONE;
		j->caller->running--;
		clock_gettime(CLOCK_MONOTONIC, &j->ended);
		j->http_status = 409;
		json_t *o = json_pack("{s:s,s:s}", "error", j->stopped ? "the service was stopped before the run started"
		                                                         : "the run was cancelled before it started",
		                      "id", j->id);
		j->body = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		job_notify(s, j);
		return 0;
	}
	if (j->state == JOB_RUNNING && j->cancel_fd >= 0 && !j->cancelled) {
		char sig = SIGKILL;
		j->cancelled = true;
		clock_gettime(CLOCK_MONOTONIC, &j->cancel_at);
		ssize_t w = write(j->cancel_fd, &sig, 1);
		/* EPIPE: the worker has ended already (not reaped yet). */
		return w == 1 || errno == EPIPE ? 0 : -1;
	}
	return j->state == JOB_DONE ? 1 : 0;
}

void jobs_stop_all(struct serve *s)
{
	while (s->queue_head) {
		s->queue_head->stopped = true;
		job_cancel(s, s->queue_head);
	}
	for (struct job *j = s->jobs; j; j = j->next)
		if (j->state == JOB_RUNNING) {
			j->stopped = true;
			job_cancel(s, j);
		}
}

/* CPU used so far by a worker's tree (the worker, the supervisor's
 * children): utime+stime of each process under it, from /proc. */
static double tree_cpu(pid_t pid, int depth)
{
	if (depth > 16)
		return 0;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	double total = 0;
	FILE *f = fopen(path, "re");
	if (f) {
		char buf[1024];
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		char *rp = strrchr(buf, ')');
		unsigned long ut = 0, st = 0;
		if (rp && sscanf(rp + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2)
			total += (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	f = fopen(path, "re");
	if (f) {
		int child;
		while (fscanf(f, "%d", &child) == 1)
			total += tree_cpu(child, depth + 1);
		fclose(f);
	}
	return total;
}

double job_cpu_so_far(const struct job *j)
{
	return j->state == JOB_RUNNING && j->pid > 0 ? tree_cpu(j->pid, 0) : 0;
}

/* ---- metrics: Prometheus text format ---- */

static void label_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f), fputc(*s, f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

char *metrics_text(struct serve *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	fputs("# HELP cordon_runs_total Runs and checks finished, by policy and status.\n"
	      "# TYPE cordon_runs_total counter\n",
	      f);
	for (size_t i = 0; i < s->conf.n_policies; i++)
		for (int k = 0; k < 6; k++) {
			fputs("cordon_runs_total{policy=\"", f);
			label_escape(f, s->conf.policies[i].name);
			fprintf(f, "\",status=\"%s\"} %llu\n", statuses[k], s->conf.policies[i].runs_by_status[k]);
		}
	fputs("# HELP cordon_run_latency_seconds From the request to the result, queueing included.\n"
	      "# TYPE cordon_run_latency_seconds histogram\n",
	      f);
	static const char *const le[] = { "0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
		                          "0.5",   "1",    "2.5",   "5",    "10" };
	for (size_t i = 0; i < 11; i++)
		fprintf(f, "cordon_run_latency_seconds_bucket{le=\"%s\"} %llu\n", le[i], s->latency_bucket[i]);
	fprintf(f, "cordon_run_latency_seconds_bucket{le=\"+Inf\"} %llu\n", s->latency_count);
	fprintf(f, "cordon_run_latency_seconds_sum %.6f\ncordon_run_latency_seconds_count %llu\n", s->latency_sum,
	        s->latency_count);
	fprintf(f,
	        "# HELP cordon_queue_depth Runs waiting for a worker.\n# TYPE cordon_queue_depth gauge\n"
	        "cordon_queue_depth %u\n"
	        "# HELP cordon_runs_in_flight Runs in a worker now.\n# TYPE cordon_runs_in_flight gauge\n"
	        "cordon_runs_in_flight %u\n"
	        "# HELP cordon_stopped 1 while the kill switch is on.\n# TYPE cordon_stopped gauge\n"
	        "cordon_stopped %d\n",
	        s->queued, s->running, s->stopped ? 1 : 0);
	fprintf(f,
	        "# HELP cordon_spare_workers Workers forked ahead, waiting for a run (their checker started).\n"
	        "# TYPE cordon_spare_workers gauge\ncordon_spare_workers %zu\n"
	        "# HELP cordon_spare_workers_used_total Runs given to a spare worker.\n"
	        "# TYPE cordon_spare_workers_used_total counter\ncordon_spare_workers_used_total %llu\n"
	        "# HELP cordon_spare_workers_discarded_total Spare workers found ended or unusable, never given a run.\n"
	        "# TYPE cordon_spare_workers_discarded_total counter\ncordon_spare_workers_discarded_total %llu\n",
	        s->n_spares, s->spares_used, s->spares_discarded);
	static const char *const codes[] = { "401", "403", "413", "429", "503", "other" };
	fprintf(f, "# HELP cordon_mcp_calls_total MCP tool calls answered over HTTP (POST /mcp).\n"
	           "# TYPE cordon_mcp_calls_total counter\ncordon_mcp_calls_total %llu\n",
	        s->mcp_messages);
	fputs("# HELP cordon_refusals_total Requests refused, by HTTP status.\n# TYPE cordon_refusals_total counter\n", f);
	for (int i = 0; i < 6; i++)
		fprintf(f, "cordon_refusals_total{code=\"%s\"} %llu\n", codes[i], s->refused_by_code[i]);
	const char *key;
	json_t *v;
	fputs("# HELP cordon_denials_total Findings of denied runs, by module/rule.\n"
	      "# TYPE cordon_denials_total counter\n",
	      f);
	json_object_foreach(s->denials_by_rule, key, v)
	{
		fputs("cordon_denials_total{rule=\"", f);
		label_escape(f, key);
		fprintf(f, "\"} %lld\n", (long long)json_integer_value(v));
	}
	fputs("# HELP cordon_redactions_total Secrets redacted from output, by module/rule.\n"
	      "# TYPE cordon_redactions_total counter\n",
	      f);
	json_object_foreach(s->redactions_by_rule, key, v)
	{
		fputs("cordon_redactions_total{rule=\"", f);
		label_escape(f, key);
		fprintf(f, "\"} %lld\n", (long long)json_integer_value(v));
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
