/*
 * core/run.c - one run and one check, phase by phase: seal the sources
 * (seal.c), run the check hooks in the checker process (checker.c), the
 * prepare hooks (argv, environment, limits, descriptors), then hand the
 * launch to the supervisor (supervise.c: the child, the pumps, the loop, the
 * outcome) and run the finish hooks over the result.  cordon_check is the
 * check phase alone.
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

/* ---- per-run bookkeeping ---- */

static void run_begin(struct run *run, cordon_policy *p, cordon_result *r)
{
	memset(run, 0, sizeof(*run));
	clone_req_drop(run);
	run->policy = p;
	run->result = r;
	checker_init(&run->checker);
	outputs_init(&run->outputs);
	run_cgroup_init(&run->cgroup);
	run->cancel_fd = -1;
	for (size_t i = 0; i < p->n_stack; i++) {
		struct entry *e = &p->stack[i];
		e->verdict = NULL;
		e->ms = 0;
		free(e->last_error);
		e->last_error = NULL;
		e->ctx.run = run;
		free(e->run_state);
		e->run_state = NULL;
	}
}

/* Each module's per-run state (ABI 1.4), zeroed: -1 when out of memory. */
static int run_states_alloc(cordon_policy *p)
{
	for (size_t i = 0; i < p->n_stack; i++) {
		struct entry *e = &p->stack[i];
		const struct cordon_module *m = e->lm.m;
		size_t n = module_has(m, offsetof(struct cordon_module, run_state_size)) ? m->run_state_size : 0;
		if (n && !(e->run_state = calloc(1, n)))
			return -1;
	}
	return 0;
}

/* Close the parent's copies of what modules passed to the child. */
void close_passed(struct run *run)
{
	for (int i = 0; i < run->n_pass; i++) {
		if (run->pass_fds[i] >= 0)
			close(run->pass_fds[i]);
		run->pass_fds[i] = -1;
	}
}

void run_end(struct run *run)
{
	cordon_policy *p = run->policy;
	cordon_result *r = run->result;
	checker_stop(&run->checker);
	clone_req_reap(run);
	run_cgroup_end(&run->cgroup, r); /* every process of the run is gone */
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
	for (size_t i = 0; i < p->n_stack; i++) {
		free(p->stack[i].run_state);
		p->stack[i].run_state = NULL;
	}
	strv_clear(&run->argv);
	strv_clear(&run->env);
	strv_clear(&run->source_paths);
	clone_req_drop(run);
}

/* Which hook failed, and why, as one string. */
char *hook_failure(struct entry *e, const char *hook)
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

/* cordon_check, and cordon_check_with (checker: the caller's, started
 * ahead, or NULL). */
static cordon_result *check_one(cordon_policy *p, const char *path, const void *data, size_t len,
                                cordon_checker *checker, char **err)
{
	if (err)
		*err = NULL;
	if (!p)
		return set_err(err, "no policy"), NULL;
	if (p->closed)
		return set_err(err, "cordon_check: the policy was closed (cordon_policy_close)"), NULL;
	if (std_fds_safe() < 0)
		return set_err(err, "a standard descriptor is closed and /dev/null cannot be opened: %s", strerror(errno)),
		       NULL;
	cordon_result *r = result_new(p);
	if (!r)
		return set_err(err, "out of memory"), NULL;
	r->check_file = xstrdup(path ? (strcmp(path, "-") == 0 ? "<stdin>" : path) : "<data>");
	struct run run;
	run_begin(&run, p, r);
	const char *unusable = NULL;
	if (checker)
		run.check_with = checker_for_check(p, checker, &unusable);
	run.sources = calloc(1, sizeof(struct source));
	char *why = NULL;
	if (!run.sources || !r->check_file) {
		result_set_error(r, CORDON_EXIT_ERROR, "out of memory");
	} else if (unusable) {
		result_set_error(r, CORDON_EXIT_ERROR, "the checker given to this check cannot be used (%s): nothing was "
		                                       "checked", unusable);
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

cordon_result *cordon_check(cordon_policy *p, const char *path, const void *data, size_t len, char **err)
{
	return check_one(p, path, data, len, NULL, err);
}

cordon_result *cordon_check_with(cordon_policy *p, cordon_checker *checker, const void *data, size_t len, char **err)
{
	return check_one(p, NULL, data, len, checker, err);
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

/* A caller label: printable ASCII, no control characters. */
static bool printable_label(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

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

/* One caller directory made canonical into *real and checked; *path then
 * points to it. */
static int caller_dir(const char *opt, const char **path, char **real, cordon_result *r)
{
	const char *given = *path;
	*real = realpath(given, NULL);
	if (!*real) {
		result_set_error(r, CORDON_EXIT_ERROR, "%s %s: %s", opt, given, strerror(errno));
		return -1;
	}
	const char *bad = host_path_problem(*real);
	if (bad) {
		result_set_error(r, CORDON_EXIT_ERROR, "%s %s: %s: nothing was run", opt, given, bad);
		return -1;
	}
	*path = *real;
	return 0;
}

/* --input-dir reaches only a backend that knows it (ABI 1.5): one built
 * earlier would leave the directory unshown, or under Landlock alone not
 * readable, without a word.  The first isolation backend that cannot
 * honour it is named, or NULL. */
static const char *input_dir_unknown(const cordon_policy *p)
{
	for (size_t i = 0; i < p->n_stack; i++) {
		const struct cordon_module *m = p->stack[i].lm.m;
		if ((m->flags & CORDON_MOD_ISOLATION) && CORDON_ABI_GET_MINOR(m->abi) < 5)
			return m->name;
	}
	return NULL;
}

/* --output-dir, --input-dir and --bind-ro canonical and checked before
 * anything runs: a backend binds them at the path it is given, so
 * "/usr/../x" or a symlink must not reach it.  o's paths then point into
 * *out_dir, *in_dir and *binds. */
static int caller_paths(cordon_policy *p, struct cordon_run_options *o, char **out_dir, char **in_dir,
                        struct strv *binds, cordon_result *r)
{
	if (check_dirs(o, r) < 0)
		return -1;
	if (o->output_dir && caller_dir("--output-dir", &o->output_dir, out_dir, r) < 0)
		return -1;
	if (o->input_dir && caller_dir("--input-dir", &o->input_dir, in_dir, r) < 0)
		return -1;
	if (o->input_dir) {
		const char *old = input_dir_unknown(p);
		if (old) {
			result_set_error(r, CORDON_EXIT_ERROR,
			                 "policy '%s': its isolation backend %s was built for an ABI before 1.5 and cannot "
			                 "show --input-dir: nothing was run",
			                 p->name, old);
			return -1;
		}
	}
	for (size_t i = 0; o->bind_ro && o->bind_ro[i]; i++) {
		char *real = realpath(o->bind_ro[i], NULL);
		if (!real) {
			result_set_error(r, CORDON_EXIT_ERROR, "--bind-ro %s: %s", o->bind_ro[i], strerror(errno));
			return -1;
		}
		const char *bad = host_path_problem(real);
		if (bad) {
			free(real);
			result_set_error(r, CORDON_EXIT_ERROR, "--bind-ro %s: %s: nothing was run", o->bind_ro[i], bad);
			return -1;
		}
		if (strv_push_owned(binds, real) < 0) {
			result_set_error(r, CORDON_EXIT_ERROR, "out of memory");
			return -1;
		}
	}
	if (o->bind_ro) {
		if (!binds->v && !(binds->v = calloc(1, sizeof(char *)))) {
			result_set_error(r, CORDON_EXIT_ERROR, "out of memory");
			return -1;
		}
		o->bind_ro = (const char *const *)binds->v;
	}
	if (o->output_dir || o->input_dir || binds->n) {
		if (!cordon_policy_isolated(p)) {
			result_set_error(r, CORDON_EXIT_ERROR,
			                 "policy '%s' has no isolation backend to honour --output-dir, --input-dir and "
			                 "--bind-ro (they would restrict nothing): nothing was run",
			                 p->name);
			return -1;
		}
	}
	return 0;
}

/* The source(s) sealed: the run's one source, or exec's --source files.
 * 0, -1 with the error set, or SEAL_CANCELLED. */
static int seal_sources(struct run *run, const struct cordon_run_options *o, char **why)
{
	size_t n_src = 0;
	if (!o->argv)
		n_src = 1;
	else
		while (o->sources && o->sources[n_src])
			n_src++;
	run->sources = xcalloc(n_src, sizeof(struct source));
	if (!run->sources) {
		result_set_error(run->result, CORDON_EXIT_ERROR, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n_src; i++) {
		run->sources[i].fd = run->sources[i].rofd = -1;
		run->n_sources = i + 1;
		int s;
		if (!o->argv && !o->source_path)
			s = source_seal_data(o->source_data, o->source_len, "<data>", &run->sources[i], why);
		else
			s = seal_path(o->argv ? o->sources[i] : o->source_path, &run->sources[i],
			              o->cancel_fd > 0 ? o->cancel_fd : -1, why);
		if (s == SEAL_CANCELLED)
			return SEAL_CANCELLED;
		if (s < 0) {
			result_set_error(run->result, CORDON_EXIT_ERROR, "%s", *why ? *why : "cannot read the source");
			return -1;
		}
		run->sources[i].language = language_of(run->sources[i].name, &run->policy->interpreter);
	}
	return 0;
}

/* The check phase over every source, in a confined checker of this run's
 * own (checker.c): 0 pass, 1 denied, -1 error or cancelled (in the result). */
static int check_sources(struct run *run, const struct cordon_run_options *o)
{
	cordon_policy *p = run->policy;
	cordon_result *r = run->result;
	bool denied = false;
	run->cancel_fd = o->cancel_fd > 0 ? o->cancel_fd : -1;
	for (size_t i = 0; i < run->n_sources; i++) {
		int v = check_phase(run, &run->sources[i]);
		if (v == -2) {
			take_cancel(r, o->cancel_fd);
			return -1;
		}
		if (v == CORDON_ERROR) {
			if (r->status != ST_ERROR)
				result_set_error(r, CORDON_EXIT_ERROR, "the source could not be checked");
			return -1;
		}
		if (v != CORDON_PASS)
			denied = true;
	}
	/* Its socket closed: the checker ends while the run is prepared,
	 * and is reaped before the program starts (cordon_run). */
	checker_release(&run->checker);
	if (!run->n_sources)
		for (size_t i = 0; i < p->n_stack; i++)
			if (MODULE_HOOK(p->stack[i].lm.m, check))
				p->stack[i].verdict = "skipped";
	return denied ? 1 : 0;
}

/* Run, under a subreaper so that nothing escapes.  One run at a time per
 * process: the subreaper setting and the leftover sweep are process-wide. */
static void launch_supervised(struct run *run, const struct cordon_run_options *o)
{
	cordon_result *r = run->result;
	struct sigaction chld;
	if (sigaction(SIGCHLD, NULL, &chld) == 0 && (chld.sa_handler == SIG_IGN || (chld.sa_flags & SA_NOCLDWAIT))) {
		result_set_error(r, CORDON_EXIT_ERROR, "SIGCHLD is ignored in this process: cordon could not wait for the program");
		return;
	}
	pthread_mutex_lock(&run_lock);
	struct pidset pre = { 0 };
	list_children(&pre, &(struct pidset){ 0 });
	int prev_subreaper = 0;
	prctl(PR_GET_CHILD_SUBREAPER, &prev_subreaper);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		result_warn(r, "cannot become a child subreaper (%s): daemonized processes may outlive the run",
		            strerror(errno));
	supervise(run, o, &pre);
	run_cgroup_report(&run->cgroup, r);
	if (!prev_subreaper)
		prctl(PR_SET_CHILD_SUBREAPER, 0);
	pthread_mutex_unlock(&run_lock);
	free(pre.v);
	/* Nothing of the program is left: what it wrote to /output goes to
	 * --output-dir (before finish, so the hooks see the list). */
	if (r->exit_code >= 0 || r->status == ST_KILLED || r->status == ST_TIMEOUT)
		outputs_collect(&run->outputs, r);
}

cordon_result *cordon_run(cordon_policy *p, const struct cordon_run_options *opts, char **err)
{
	if (err)
		*err = NULL;
	if (!p || !opts || opts->size < offsetof(struct cordon_run_options, cancel_fd) + sizeof(int)) {
		/* The checker handle is taken whatever cordon_run returns. */
		if (opts && opts->size >= offsetof(struct cordon_run_options, checker) + sizeof(opts->checker))
			cordon_checker_free(opts->checker);
		return set_err(err, "cordon_run: missing policy or options (set options.size)"), NULL;
	}
	if (p->closed) {
		if (opts->size >= offsetof(struct cordon_run_options, checker) + sizeof(opts->checker))
			cordon_checker_free(opts->checker);
		return set_err(err, "cordon_run: the policy was closed (cordon_policy_close)"), NULL;
	}
	/* A caller built against an older cordon.h passes a shorter struct:
	 * the members it does not have read as zero. */
	struct cordon_run_options o;
	memset(&o, 0, sizeof(o));
	memcpy(&o, opts, opts->size < sizeof(o) ? opts->size : sizeof(o));
	/* o.checker is taken whatever happens: ended on every early return. */
	if (o.caller && (strlen(o.caller) > 128 || !printable_label(o.caller)))
		return cordon_checker_free(o.checker),
		       set_err(err, "cordon_run: caller: expected at most 128 printable characters"), NULL;
	if (!o.argv && !o.source_path && !o.source_data && o.source_len)
		return cordon_checker_free(o.checker), set_err(err, "cordon_run: no source"), NULL;
	if (std_fds_safe() < 0)
		return cordon_checker_free(o.checker),
		       set_err(err, "a standard descriptor is closed and /dev/null cannot be opened: %s", strerror(errno)),
		       NULL;
	cordon_result *r = result_new(p);
	if (!r)
		return cordon_checker_free(o.checker), set_err(err, "out of memory"), NULL;

	char *out_dir = NULL, *in_dir = NULL;
	struct strv binds = { 0 };
	struct run run;
	run_begin(&run, p, r);
	checker_adopt(&run, o.checker); /* ended in run_end, or before the program starts */
	char *why = NULL;
	if (o.caller && !(r->caller = strdup(o.caller))) {
		result_set_error(r, CORDON_EXIT_ERROR, "out of memory");
		goto done;
	}
	if (run_states_alloc(p) < 0) {
		result_set_error(r, CORDON_EXIT_ERROR, "out of memory");
		goto done;
	}
	if (caller_paths(p, &o, &out_dir, &in_dir, &binds, r) < 0)
		goto done;
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
	int sealed = seal_sources(&run, &o, &why);
	if (sealed == SEAL_CANCELLED)
		take_cancel(r, o.cancel_fd);
	if (sealed != 0)
		goto done;
	int checked = check_sources(&run, &o);
	if (checked < 0)
		goto finish;
	if (checked > 0) {
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
	run.input_dir = o.input_dir;
	/* Where the program finds the output and input directories (landlock,
	 * which shows them at their own paths, sets its own). */
	if ((run.output_dir && strv_push(&run.env, "CORDON_OUTPUT_DIR=/output") < 0) ||
	    (run.input_dir && strv_push(&run.env, "CORDON_INPUT_DIR=/input") < 0)) {
		result_set_error(r, CORDON_EXIT_ERROR, "out of memory");
		goto finish;
	}
	if (prepare_phase(&run) < 0)
		goto finish;
	/* No checker that saw a source lives beside the program: the
	 * supervisor reaps it before the child may go on (sup_spawn).  One
	 * started ahead and never used was killed in check_sources and is
	 * reaped by run_end: it is in the run's pre-existing children, never
	 * swept as the program's. */
	launch_supervised(&run, &o);
finish:
	finish_phase(&run);
done:
	run_end(&run);
	free(why);
	free(out_dir);
	free(in_dir);
	strv_clear(&binds);
	return r;
}
