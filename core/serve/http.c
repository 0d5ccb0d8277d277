/*
 * core/serve/http.c - the HTTP API, through libmicrohttpd.
 *
 * Each listener is a libmicrohttpd daemon driven by the service's own
 * epoll loop (no thread of its own: the service forks workers, which must
 * not happen while another thread holds a lock).  A request that waits
 * for a run is suspended and resumed when the worker's result is in.
 *
 * Who is calling: on the Unix socket, the peer's credentials
 * (SO_PEERCRED, SO_PEERGROUPS), never anything the request says; on TCP,
 * `Authorization: Bearer TOKEN`, matched by its SHA-256 against
 * serve.yaml.  TLS is left to a reverse proxy in front of the TCP port.
 *
 *   POST   /v1/runs          run code (or argv) under a policy; with
 *                             "stream": true, server-sent events of the
 *                             output as it comes, then the result
 *   GET    /v1/runs          the runs in flight (an admin sees everyone's)
 *   GET    /v1/runs/ID       a run: its state, or its result
 *   DELETE /v1/runs/ID       cancel a run
 *   POST   /v1/checks        check code (the check phase only)
 *   GET    /v1/policies      the policies this caller may use
 *   POST   /v1/stop          kill switch (admin): kill all, refuse new runs
 *   POST   /v1/resume        (admin) accept runs again
 *   GET    /v1/health        liveness and readiness (no caller needed)
 *   GET    /metrics          Prometheus text format
 *   POST   /v1/sessions      start a session (a Python interpreter kept)
 *   POST   /v1/sessions/ID/execute   run a cell in it (checked first)
 *   GET / DELETE /v1/sessions/ID     its state / end it
 *   POST   /mcp              the Model Context Protocol (execute_code,
 *                             check_code, list_policies), one JSON answer
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include <linux/openat2.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <nettle/base64.h>

#include "../cli/infiles.h"
#include "../cli/mcp.h"
#include "serve.h"

#define MAX_CODE (4u << 20)

struct http_wait {
	struct serve *s;
	struct MHD_Connection *conn;
	bool is_unix;
	bool started;
	char *body;
	size_t len;
	bool too_big;
	bool discard; /* a refused caller's body: read to its end and dropped */
	struct caller *caller;
	int auth_status; /* 0, or 401/403 */
	char auth_why[200];
	struct job *job; /* waited on */
	bool ready; /* the job is done: respond */
	struct job *session; /* a session whose cell this request waits for */
	json_t *mcp_id; /* an MCP call's id: the cell's answer goes back as its result */
	char *reply; /* the answer, when it came from elsewhere */
	unsigned reply_status;
};

static struct evsrc ev_http = { .kind = EV_HTTP };

/* ---- responses ---- */

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *type, const char *text,
                                 const char *h1, const char *v1, const char *h2, const char *v2)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (h1 && v1)
		MHD_add_response_header(r, h1, v1);
	if (h2 && v2)
		MHD_add_response_header(r, h2, v2);
	enum MHD_Result rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, json_t *o, const char *h1,
                                 const char *v1)
{
	char *t = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!t)
		return send_text(c, 500, "application/json", "{\"error\":\"out of memory\"}", NULL, NULL, NULL, NULL);
	enum MHD_Result rc = send_text(c, status, "application/json", t, h1, v1, NULL, NULL);
	free(t);
	return rc;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
	return send_json(c, status, json_pack("{s:s}", "error", msg), NULL, NULL);
}

/* A refusal: the reason in the body, a record in the service log. */
static enum MHD_Result refuse(struct http_wait *w, unsigned status, const char *policy, const char *msg,
                              double retry_after)
{
	struct serve *s = w->s;
	int idx = status == 401 ? 0 : status == 403 ? 1 : status == 413 ? 2 : status == 429 ? 3 : status == 503 ? 4 : 5;
	s->refused_by_code[idx]++;
	struct warm_policy *wp = policy ? conf_policy(&s->conf, policy) : NULL;
	if (wp)
		wp->refused++;
	serve_log(s, "refused", w->caller, policy, "%u: %s", status, msg);
	json_t *o = json_pack("{s:s,s:i}", "error", msg, "status", (int)status);
	char ra[32];
	snprintf(ra, sizeof(ra), "%.0f", retry_after < 1 ? 1 : retry_after);
	const char *h1 = status == 401 ? "WWW-Authenticate" : status == 429 || status == 503 ? "Retry-After" : NULL;
	const char *v1 = status == 401 ? "Bearer realm=\"cordon\"" : ra;
	/* A body read only to be dropped (a refused caller's, one past
	 * max_request): the connection ends with the answer, as a server's
	 * lingering close does, so that a peer gets one such read per
	 * connection. */
	const char *h2 = w->discard || w->too_big ? "Connection" : NULL;
	char *t = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!t)
		return send_text(w->conn, 500, "application/json", "{\"error\":\"out of memory\"}", NULL, NULL, NULL, NULL);
	enum MHD_Result rc = send_text(w->conn, status, "application/json", t, h1, v1, h2, "close");
	free(t);
	return rc;
}

/* ---- callers ---- */

static void identify(struct http_wait *w)
{
	struct serve_conf *c = &w->s->conf;
	if (w->is_unix) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(w->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		struct ucred cr;
		socklen_t len = sizeof(cr);
		if (!ci || getsockopt(ci->connect_fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0) {
			w->auth_status = 403;
			snprintf(w->auth_why, sizeof(w->auth_why), "the caller's credentials cannot be read");
			return;
		}
		gid_t groups[SERVE_MAX_CALLER_GROUPS];
		socklen_t glen = sizeof(groups);
		size_t ng = 0;
		if (getsockopt(ci->connect_fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == 0)
			ng = glen / sizeof(gid_t);
		w->caller = conf_caller_unix(c, cr.uid, cr.gid, groups, ng);
		if (!w->caller) {
			w->auth_status = 403;
			snprintf(w->auth_why, sizeof(w->auth_why), "uid %u (gid %u) is not a caller in %s", (unsigned)cr.uid,
			         (unsigned)cr.gid, c->path);
		}
		return;
	}
	const char *h = MHD_lookup_connection_value(w->conn, MHD_HEADER_KIND, "Authorization");
	if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
		w->auth_status = 401;
		snprintf(w->auth_why, sizeof(w->auth_why), "a bearer token is required on this port (Authorization: Bearer TOKEN)");
		return;
	}
	w->caller = conf_caller_token(c, h + 7);
	if (!w->caller) {
		w->auth_status = 401;
		snprintf(w->auth_why, sizeof(w->auth_why), "the bearer token is not one of %s's callers", c->path);
	}
}

/* ---- request bodies ---- */

static const char *known(json_t *o, const char *const *keys)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		bool ok = false;
		for (size_t i = 0; keys[i]; i++)
			ok = ok || strcmp(k, keys[i]) == 0;
		if (!ok)
			return k;
	}
	return NULL;
}

static int push(char ***v, size_t *n, char *s)
{
	char **nv = s ? realloc(*v, (*n + 2) * sizeof(char *)) : NULL;
	if (!nv) {
		free(s);
		return -1;
	}
	*v = nv;
	nv[(*n)++] = s;
	nv[*n] = NULL;
	return 0;
}

/* "tighten": {"limit": {NAME: VALUE}, "no_network": true, "deny_import":
 * [M...], "pattern": [REGEX...]}: the CLI's per-call options. */
static int parse_tighten(json_t *t, char ***out, char *why, size_t whylen)
{
	static const char *const keys[] = { "limit", "no_network", "deny_import", "pattern", NULL };
	size_t n = 0;
	const char *bad;
	if (!json_is_object(t)) {
		snprintf(why, whylen, "tighten: expected an object {limit, no_network, deny_import, pattern}");
		return -1;
	}
	if ((bad = known(t, keys))) {
		snprintf(why, whylen, "tighten: unknown key '%s' (expected limit, no_network, deny_import, pattern)", bad);
		return -1;
	}
	json_t *lim = json_object_get(t, "limit"), *v;
	const char *k;
	if (lim && !json_is_object(lim)) {
		snprintf(why, whylen, "tighten.limit: expected an object {NAME: VALUE} (rlimit keys: cpu, memory, ...)");
		return -1;
	}
	json_object_foreach(lim, k, v)
	{
		char *s = NULL;
		if (json_is_string(v))
			s = NULL, (void)!asprintf(&s, "limit:%s=%s", k, json_string_value(v));
		else if (json_is_integer(v))
			s = NULL, (void)!asprintf(&s, "limit:%s=%lld", k, (long long)json_integer_value(v));
		else {
			snprintf(why, whylen, "tighten.limit.%s: expected a string or a number", k);
			return -1;
		}
		if (push(out, &n, s) < 0)
			goto oom;
	}
	json_t *nn = json_object_get(t, "no_network");
	if (nn && !json_is_boolean(nn)) {
		snprintf(why, whylen, "tighten.no_network: expected true or false");
		return -1;
	}
	if (json_is_true(nn) && push(out, &n, strdup("network:none")) < 0)
		goto oom;
	static const char *const lists[][2] = { { "deny_import", "deny-import:" }, { "pattern", "pattern:" } };
	for (size_t l = 0; l < 2; l++) {
		json_t *a = json_object_get(t, lists[l][0]);
		size_t i;
		if (a && !json_is_array(a)) {
			snprintf(why, whylen, "tighten.%s: expected a list of strings", lists[l][0]);
			return -1;
		}
		json_array_foreach(a, i, v)
		{
			char *s = NULL;
			if (!json_is_string(v)) {
				snprintf(why, whylen, "tighten.%s[%zu]: expected a string", lists[l][0], i);
				return -1;
			}
			if (asprintf(&s, "%s%s", lists[l][1], json_string_value(v)) < 0)
				s = NULL;
			if (push(out, &n, s) < 0)
				goto oom;
		}
	}
	return 0;
oom:
	snprintf(why, whylen, "out of memory");
	return -1;
}

/* The policy a request names, or the caller's first. */
static const char *pick_policy(struct http_wait *w, json_t *body)
{
	const char *p = json_string_value(json_object_get(body, "policy"));
	if (p)
		return p;
	if (!w->caller->all_policies && w->caller->policies && w->caller->policies[0])
		return w->caller->policies[0];
	return w->s->conf.n_policies ? w->s->conf.policies[0].name : NULL;
}

static int parse_job(json_t *body, struct job *j, bool check, char *why, size_t whylen)
{
	static const char *const run_keys[] = { "policy", "code", "argv", "input", "tighten", "wait", "stream",
		                                "outputs", "files", NULL };
	static const char *const check_keys[] = { "policy", "code", NULL };
	const char *bad = known(body, check ? check_keys : run_keys);
	if (bad) {
		snprintf(why, whylen, "unknown key '%s' (expected %s)", bad,
		         check ? "policy, code" : "policy, code or argv, input, tighten, wait, stream, outputs, files");
		return -1;
	}
	json_t *code = json_object_get(body, "code"), *argv = json_object_get(body, "argv");
	json_t *input = json_object_get(body, "input"), *t = json_object_get(body, "tighten");
	if ((code && !json_is_string(code)) || (argv && !json_is_array(argv)) || (input && !json_is_string(input)) ||
	    (json_object_get(body, "policy") && !json_is_string(json_object_get(body, "policy"))) ||
	    (json_object_get(body, "wait") && !json_is_boolean(json_object_get(body, "wait"))) ||
	    (json_object_get(body, "stream") && !json_is_boolean(json_object_get(body, "stream"))) ||
	    (json_object_get(body, "outputs") && !json_is_boolean(json_object_get(body, "outputs")))) {
		snprintf(why, whylen, "expected strings for policy, code and input, a list of strings for argv, true or "
		                      "false for wait, stream and outputs");
		return -1;
	}
	if (!!code == !!argv || (check && !code)) {
		snprintf(why, whylen, check ? "code: missing (the source to check)"
		                            : "expected one of code (a program for the policy's interpreter) or argv");
		return -1;
	}
	if (code) {
		j->code_len = json_string_length(code);
		if (j->code_len > MAX_CODE) {
			snprintf(why, whylen, "code: larger than %u bytes", MAX_CODE);
			return -1;
		}
		if (!(j->code = malloc(j->code_len + 1)))
			goto oom;
		memcpy(j->code, json_string_value(code), j->code_len + 1);
	}
	if (argv) {
		size_t i, n = 0;
		json_t *v;
		if (!json_array_size(argv)) {
			snprintf(why, whylen, "argv: expected at least the command");
			return -1;
		}
		json_array_foreach(argv, i, v)
		{
			if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
				snprintf(why, whylen, "argv[%zu]: expected a string without NUL", i);
				return -1;
			}
			if (push(&j->argv, &n, strdup(json_string_value(v))) < 0)
				goto oom;
		}
	}
	if (input) {
		j->input_len = json_string_length(input);
		if (!(j->input = malloc(j->input_len + 1)))
			goto oom;
		memcpy(j->input, json_string_value(input), j->input_len + 1);
	}
	if (t && parse_tighten(t, &j->tighten, why, whylen) < 0)
		return -1;
	j->outputs = json_is_true(json_object_get(body, "outputs"));
	return 0;
oom:
	snprintf(why, whylen, "out of memory");
	return -1;
}

/* A request's "files" (if any) into the job's own input directory under
 * the service's private one: 0, or -1 with *status (400, 413, 500) and why. */
static int take_files(struct serve *s, json_t *body, struct job *j, int *status, char *why, size_t whylen)
{
	json_t *files = json_object_get(body, "files");
	if (!files)
		return 0;
	const struct infiles_limits lim = { s->conf.max_input_bytes, s->conf.max_input_files };
	return infiles_write(files, s->state_dir, &lim, &j->in_dir, status, why, whylen);
}

static json_t *job_state_json(const struct job *j)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double age = (double)(now.tv_sec - j->submitted.tv_sec) + (double)(now.tv_nsec - j->submitted.tv_nsec) / 1e9;
	static const char *const states[] = { "queued", "running", "done" };
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:f,s:f}", "id", j->id, "state", states[j->state], "kind",
	                 j->kind == JOB_RUN     ? "run"
	                 : j->kind == JOB_CHECK ? "check"
	                 : j->kind == JOB_MCP   ? "mcp"
	                                        : "session",
	                 "caller", j->caller->name,
	                 "policy", job_policy(j),
	                 "age_s", age, "cpu_s", job_cpu_so_far(j));
}

static enum MHD_Result respond_job(struct http_wait *w, struct job *j)
{
	char loc[64];
	snprintf(loc, sizeof(loc), "/v1/runs/%s", j->id);
	const char *body = j->body ? j->body : "{\"error\":\"out of memory\"}";
	return send_text(w->conn, (unsigned)j->http_status, "application/json", body, "X-Cordon-Run", j->id,
	                 "Content-Location", loc);
}

/* ---- server-sent events: a run's output as it streams ---- */

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct job *j = cls;
	if (j->sse_off < j->sse_len) {
		size_t n = j->sse_len - j->sse_off < max ? j->sse_len - j->sse_off : max;
		memcpy(buf, j->sse + j->sse_off, n);
		j->sse_off += n;
		return (ssize_t)n;
	}
	if (j->sse_end)
		return MHD_CONTENT_READER_END_OF_STREAM;
	/* Nothing yet: rest until the worker's output or result comes. */
	MHD_suspend_connection(j->sse_conn);
	j->sse_suspended = true;
	return 0;
}

static void sse_free(void *cls)
{
	struct job *j = cls;
	j->sse_attached = false;
	j->sse_conn = NULL;
	j->sse_suspended = false;
}

void http_sse_wake(struct job *j)
{
	if (j->sse_attached && j->sse_suspended && j->sse_conn) {
		j->sse_suspended = false;
		MHD_resume_connection(j->sse_conn);
	}
}

static enum MHD_Result start_sse(struct http_wait *w, struct job *j)
{
	struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 65536, sse_read, j, sse_free);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/event-stream");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "X-Cordon-Run", j->id);
	j->sse_conn = w->conn;
	j->sse_attached = true;
	enum MHD_Result rc = MHD_queue_response(w->conn, 200, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result post_job(struct http_wait *w, bool check)
{
	struct serve *s = w->s;
	json_error_t je;
	/* NUL is allowed in strings: an input may be binary; argv refuses it. */
	json_t *body = json_loadb(w->body ? w->body : "", w->len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (!json_is_object(body)) {
		char msg[300];
		snprintf(msg, sizeof(msg), "the body must be a JSON object (%s at byte %d)", body ? "not an object" : je.text,
		         je.position);
		json_decref(body);
		return send_error(w->conn, 400, msg);
	}
	const char *pname = pick_policy(w, body);
	struct warm_policy *wp = pname ? conf_policy(&s->conf, pname) : NULL;
	char why[512];
	if (!wp) {
		snprintf(why, sizeof(why), "policy '%s' is not served here (GET /v1/policies lists them)",
		         pname ? pname : "?");
		json_decref(body);
		return send_error(w->conn, 404, why);
	}
	if (!caller_may_use(w->caller, wp->name)) {
		if (w->caller->line)
			snprintf(why, sizeof(why), "caller '%s' may not use policy '%s' (%s line %d)", w->caller->name,
			         wp->name, s->conf.path, w->caller->line);
		else
			snprintf(why, sizeof(why), "caller '%s' may not use policy '%s'", w->caller->name, wp->name);
		json_decref(body);
		return refuse(w, 403, wp->name, why, 0);
	}
	struct job *j = job_new(check ? JOB_CHECK : JOB_RUN, w->caller, wp);
	if (!j) {
		json_decref(body);
		return send_error(w->conn, 500, "out of memory");
	}
	bool wait = !json_is_false(json_object_get(body, "wait"));
	j->stream = !check && json_is_true(json_object_get(body, "stream"));
	if (j->stream && !wait) {
		json_decref(body);
		job_free(j);
		return send_error(w->conn, 400, "stream and wait: false exclude each other (a stream is read as it runs)");
	}
	int rc = parse_job(body, j, check, why, sizeof(why));
	if (rc < 0) {
		json_decref(body);
		job_free(j);
		return send_error(w->conn, 400, why);
	}
	const char *rwhy = NULL;
	double retry = caller_admit(w->caller, &rwhy);
	if (retry > 0) {
		json_decref(body);
		job_free(j);
		snprintf(why, sizeof(why), "%s (caller '%s')", rwhy, w->caller->name);
		return refuse(w, 429, wp->name, why, retry);
	}
	int status = 0;
	rc = take_files(s, body, j, &status, why, sizeof(why));
	json_decref(body);
	if (rc < 0) {
		job_free(j);
		return status == 400 ? send_error(w->conn, 400, why) : refuse(w, (unsigned)status, wp->name, why, 0);
	}
	if (job_submit(s, j, &status, &rwhy) < 0) {
		job_free(j);
		return refuse(w, (unsigned)status, wp->name, rwhy, 1);
	}
	if (j->stream)
		return start_sse(w, j);
	if (j->state == JOB_DONE) /* could not start */
		return respond_job(w, j);
	if (!wait) {
		char loc[64];
		snprintf(loc, sizeof(loc), "/v1/runs/%s", j->id);
		return send_json(w->conn, 202, job_state_json(j), "Location", loc);
	}
	w->job = j;
	j->waiter = w;
	MHD_suspend_connection(w->conn);
	return MHD_YES;
}

void http_job_done(struct serve *s, struct job *j)
{
	(void)s;
	/* The run's or session's "files" go as soon as it has ended. */
	if (j->in_dir) {
		remove_tree(j->in_dir);
		free(j->in_dir);
		j->in_dir = NULL;
	}
	struct http_wait *w = j->waiter;
	if (!w)
		return;
	w->ready = true;
	MHD_resume_connection(w->conn);
}

static bool may_see(const struct http_wait *w, const struct job *j)
{
	return w->caller->admin || j->caller == w->caller;
}

static enum MHD_Result get_runs(struct http_wait *w)
{
	json_t *a = json_array();
	for (struct job *j = w->s->jobs; a && j; j = j->next)
		if (j->state != JOB_DONE && may_see(w, j))
			json_array_append_new(a, job_state_json(j));
	return send_json(w->conn, 200, json_pack("{s:o,s:b}", "runs", a, "stopped", w->s->stopped), NULL, NULL);
}

static enum MHD_Result one_run(struct http_wait *w, const char *id, bool del)
{
	struct job *j = job_find(w->s, id);
	if (!j || !may_see(w, j))
		return send_error(w->conn, 404, "no such run (finished runs are kept for keep_results runs)");
	if (del) {
		int r = job_cancel(w->s, j);
		if (r < 0)
			return send_error(w->conn, 500, "cannot cancel the run");
		serve_log(w->s, "cancel", w->caller, job_policy(j), "run %s", j->id);
		if (j->state == JOB_DONE) /* it had finished, or never started */
			return respond_job(w, j);
		return send_json(w->conn, 202, job_state_json(j), NULL, NULL);
	}
	if (j->state == JOB_DONE)
		return respond_job(w, j);
	return send_json(w->conn, 200, job_state_json(j), NULL, NULL);
}

/* GET /v1/runs/ID/outputs/PATH: a file the run left in /output, opened
 * beneath the run's own directory without following any link. */
const char *serve_content_type(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = { { ".png", "image/png" },        { ".jpg", "image/jpeg" },       { ".jpeg", "image/jpeg" },
		      { ".gif", "image/gif" },        { ".webp", "image/webp" },      { ".svg", "image/svg+xml" },
		      { ".pdf", "application/pdf" },  { ".csv", "text/csv" },         { ".json", "application/json" },
		      { ".txt", "text/plain" },       { ".md", "text/markdown" },     { ".html", "text/html" } };
	size_t n = strlen(path);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t e = strlen(types[i].ext);
		if (n > e && strcasecmp(path + n - e, types[i].ext) == 0)
			return types[i].type;
	}
	return "application/octet-stream";
}

/* A run's output file (the caller's own run, finished, kept), opened
 * beneath the run's directory without following links: a descriptor,
 * or -1 with *status and *why. */
static int open_output(struct http_wait *w, const char *id, const char *path, struct stat *st, unsigned *status,
                       const char **why)
{
	struct job *j = strlen(id) == 32 ? job_find(w->s, id) : NULL;
	*status = 404;
	if (!j || !may_see(w, j))
		return *why = "no such run", -1;
	if (!j->out_dir)
		return *why = "the run kept no outputs (ask with \"outputs\": true)", -1;
	if (j->state != JOB_DONE)
		return *status = 409, *why = "the run has not finished: its outputs are collected when it ends", -1;
	*why = "no such output (the run's result lists them in outputs)";
	if (!*path || strlen(path) > 4096)
		return -1;
	int dfd = open(j->out_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW,
		                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
	int fd = dfd >= 0 ? (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how)) : -1;
	if (dfd >= 0)
		close(dfd);
	if (fd < 0 || fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static enum MHD_Result get_output(struct http_wait *w, const char *url_id, const char *path)
{
	char id[33];
	memcpy(id, url_id, 32);
	id[32] = '\0';
	struct stat st;
	unsigned status;
	const char *why;
	int fd = open_output(w, id, path, &st, &status, &why);
	if (fd < 0)
		return send_error(w->conn, status, why);
	struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)st.st_size, fd); /* owns fd */
	if (!r) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", serve_content_type(path));
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Content-Disposition", "attachment");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	enum MHD_Result rc = MHD_queue_response(w->conn, 200, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result get_policies(struct http_wait *w)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < w->s->conf.n_policies; i++) {
		struct warm_policy *wp = &w->s->conf.policies[i];
		if (!caller_may_use(w->caller, wp->name))
			continue;
		json_array_append_new(a, json_pack("{s:s,s:s?,s:s?}", "name", wp->name, "language", wp->language, "file",
		                                   cordon_policy_file(wp->policy)));
	}
	return send_json(w->conn, 200, json_pack("{s:o}", "policies", a), NULL, NULL);
}

static enum MHD_Result stop_resume(struct http_wait *w, bool stop)
{
	struct serve *s = w->s;
	if (!w->caller->admin)
		return refuse(w, 403, NULL, stop ? "only an admin caller may stop the service" : "only an admin caller may resume the service", 0);
	if (!stop && s->quit)
		return refuse(w, 503, NULL, "the service is shutting down", 1);
	unsigned running = s->running, queued = s->queued;
	if (stop) {
		s->stopped = true;
		jobs_stop_all(s);
		serve_log(s, "stop", w->caller, NULL, "kill switch: %u runs killed, %u queued runs dropped; new runs refused",
		          running, queued);
		return send_json(w->conn, 200,
		                 json_pack("{s:b,s:i,s:i}", "stopped", 1, "killed", (int)running, "dequeued", (int)queued),
		                 NULL, NULL);
	}
	s->stopped = false;
	serve_log(s, "resume", w->caller, NULL, "runs accepted again");
	return send_json(w->conn, 200, json_pack("{s:b}", "stopped", 0), NULL, NULL);
}

/* ---- the Model Context Protocol over HTTP (streamable HTTP transport,
 * answering each POST with one JSON response; no server-initiated stream,
 * no Mcp-Session-Id: every tools/call runs in a fresh sandbox) ---- */

static const char *mcp_no_policy(void *arg, const char *name)
{
	(void)arg;
	(void)name;
	return "not here";
}

static char *mcp_cell_reply(json_t *id, const struct job *j, unsigned status, const char *body);

static enum MHD_Result mcp_tool_error(struct http_wait *w, json_t *id, const char *text)
{
	json_t *msg = json_pack("{s:s,s:O,s:{s:[{s:s,s:s}],s:b}}", "jsonrpc", "2.0", "id", id, "result", "content",
	                        "type", "text", "text", text, "isError", 1);
	return send_json(w->conn, 200, msg, NULL, NULL);
}

/* execute_code with a session: a Python session of this caller's, by the
 * name the call gives, started at its first call; kept by the service
 * (not by a worker), so it is handled here. */
static enum MHD_Result mcp_session_call(struct http_wait *w, json_t *msg)
{
	struct serve *s = w->s;
	json_t *id = json_object_get(msg, "id");
	json_t *args = json_object_get(json_object_get(msg, "params"), "arguments");
	const char *name = json_string_value(json_object_get(args, "session"));
	json_t *code = json_object_get(args, "code");
	const char *lang = json_string_value(json_object_get(args, "language"));
	const char *pname = json_string_value(json_object_get(args, "policy"));
	char why[400];
	size_t nl = name ? strlen(name) : 0;
	bool name_ok = nl > 0 && nl <= 64;
	for (size_t i = 0; name_ok && i < nl; i++)
		name_ok = isalnum((unsigned char)name[i]) || name[i] == '-' || name[i] == '_';
	if (!name_ok)
		return mcp_tool_error(w, id, "session: expected a name of 1 to 64 letters, digits, '-' or '_' (the same name "
		                             "reaches the same session)");
	if (!json_is_string(code))
		return mcp_tool_error(w, id, "code: required (a string)");
	if (!lang || strcmp(lang, "python") != 0)
		return mcp_tool_error(w, id, "sessions are Python interpreters: language must be python");
	if (json_object_get(args, "input") || json_object_get(args, "limits"))
		return mcp_tool_error(w, id, "input and limits are not available in a session (its limits are its "
		                             "policy's, for its whole life): leave them out");
	struct job *j = NULL;
	for (struct job *k = s->jobs; k; k = k->next)
		if (k->kind == JOB_SESSION && k->caller == w->caller && k->state == JOB_RUNNING && k->mcp_name &&
		    strcmp(k->mcp_name, name) == 0)
			j = k;
	const char *rwhy = NULL;
	double retry = caller_admit(w->caller, &rwhy);
	if (retry > 0) {
		snprintf(why, sizeof(why), "%s (caller '%s')", rwhy, w->caller->name);
		return refuse(w, 429, NULL, why, retry);
	}
	if (j) {
		if (pname && strcmp(pname, j->wp->name) != 0) {
			snprintf(why, sizeof(why), "session '%s' runs policy '%s', not '%s'", name, j->wp->name, pname);
			return mcp_tool_error(w, id, why);
		}
		if (j->cell_busy)
			return mcp_tool_error(w, id, "a cell of this session is still running: one at a time");
		if (json_object_get(args, "files"))
			return mcp_tool_error(w, id, "files are given with a session's first call, and stay at /input for "
			                             "its life: leave them out");
		char *now = session_check_send(s, j, json_string_value(code), json_string_length(code));
		if (now) { /* denied, or it could not be sent */
			char *reply = mcp_cell_reply(id, j, 200, now);
			free(now);
			enum MHD_Result rc = send_text(w->conn, 200, "application/json", reply, NULL, NULL, NULL, NULL);
			free(reply);
			return rc;
		}
		caller_charge(w->caller);
	} else {
		struct warm_policy *wp = conf_policy(&s->conf, pname ? pname : "default");
		if (!wp || !caller_may_use(w->caller, wp->name) || !wp->language || strcmp(wp->language, "python") != 0) {
			snprintf(why, sizeof(why), "policy '%s' refused: %s", pname ? pname : "default",
			         !wp ? "it is not one of this service's policies"
			         : !caller_may_use(w->caller, wp->name) ? "this caller may not use it"
			                                                : "it does not run Python");
			return mcp_tool_error(w, id, why);
		}
		if (!(j = job_new(JOB_SESSION, w->caller, wp)) || !(j->mcp_name = strdup(name)) ||
		    !(j->pending_code = malloc(json_string_length(code) + 1))) {
			job_free(j);
			return send_error(w->conn, 500, "out of memory");
		}
		memcpy(j->pending_code, json_string_value(code), json_string_length(code) + 1);
		j->pending_len = json_string_length(code);
		int status = 0;
		if (take_files(s, args, j, &status, why, sizeof(why)) < 0) {
			job_free(j);
			return mcp_tool_error(w, id, why);
		}
		if (job_submit(s, j, &status, &rwhy) < 0) {
			job_free(j);
			return refuse(w, (unsigned)status, wp->name, rwhy, 5);
		}
		j->cell_busy = true; /* cell 0: the interpreter coming up, then the pending cell */
	}
	w->mcp_id = json_incref(id);
	w->session = j;
	j->waiter = w;
	MHD_suspend_connection(w->conn);
	return MHD_YES;
}

/* read_output_file {run, path}: a file of the caller's run, as MCP
 * content: text, an image, or a base64 blob. */
#define MCP_READ_MAX (4u << 20)
static enum MHD_Result mcp_read_output(struct http_wait *w, json_t *msg)
{
	json_t *id = json_object_get(msg, "id");
	json_t *args = json_object_get(json_object_get(msg, "params"), "arguments");
	const char *run = json_string_value(json_object_get(args, "run"));
	const char *path = json_string_value(json_object_get(args, "path"));
	const char *bad = json_is_object(args) ? known(args, (const char *const[]){ "run", "path", NULL }) : NULL;
	if (!run || !path || bad)
		return mcp_tool_error(w, id, "read_output_file: expected {run, path}: the run named by execute_code with "
		                             "outputs: true, and one of the paths it listed");
	struct stat st;
	unsigned status;
	const char *why;
	int fd = open_output(w, run, path, &st, &status, &why);
	if (fd < 0)
		return mcp_tool_error(w, id, why);
	if ((uint64_t)st.st_size > MCP_READ_MAX) {
		close(fd);
		char t[300];
		snprintf(t, sizeof(t), "%s is %lld bytes, more than read_output_file gives (%u): GET /v1/runs/%s/outputs/%s",
		         path, (long long)st.st_size, MCP_READ_MAX, run, path);
		return mcp_tool_error(w, id, t);
	}
	size_t n = (size_t)st.st_size, got = 0;
	uint8_t *buf = malloc(n ? n : 1);
	while (buf && got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (!buf || got < n) {
		free(buf);
		return mcp_tool_error(w, id, "cannot read the file");
	}
	const char *type = serve_content_type(path);
	bool text = memchr(buf, 0, n) == NULL;
	for (size_t i = 0; text && i < n;) {
		int l = utf8_seq_len(buf + i, n - i);
		text = l > 0;
		i += l > 0 ? (size_t)l : 1;
	}
	json_t *content;
	if (strncmp(type, "image/", 6) == 0 && strcmp(type, "image/svg+xml") != 0) {
		char *b64 = malloc(BASE64_ENCODE_RAW_LENGTH(n) + 1);
		if (b64) {
			base64_encode_raw(b64, n, buf);
			b64[BASE64_ENCODE_RAW_LENGTH(n)] = '\0';
		}
		content = json_pack("{s:s,s:s?,s:s}", "type", "image", "data", b64, "mimeType", type);
		free(b64);
	} else if (text) {
		content = json_pack("{s:s,s:s%}", "type", "text", "text", (const char *)buf, n);
	} else {
		char *b64 = malloc(BASE64_ENCODE_RAW_LENGTH(n) + 1);
		if (b64) {
			base64_encode_raw(b64, n, buf);
			b64[BASE64_ENCODE_RAW_LENGTH(n)] = '\0';
		}
		char uri[4200];
		snprintf(uri, sizeof(uri), "cordon://runs/%s/outputs/%s", run, path);
		content = json_pack("{s:s,s:{s:s,s:s,s:s?}}", "type", "resource", "resource", "uri", uri, "mimeType", type,
		                    "blob", b64);
		free(b64);
	}
	free(buf);
	json_t *reply = json_pack("{s:s,s:O,s:{s:[o*],s:b}}", "jsonrpc", "2.0", "id", id, "result", "content", content,
	                          "isError", 0);
	return send_json(w->conn, 200, reply, NULL, NULL);
}

static enum MHD_Result post_mcp(struct http_wait *w)
{
	struct serve *s = w->s;
	/* A browser page must not drive the service (DNS rebinding): MCP
	 * clients are programs, which send no Origin. */
	if (MHD_lookup_connection_value(w->conn, MHD_HEADER_KIND, "Origin"))
		return refuse(w, 403, NULL, "a request with an Origin header is refused on /mcp (no browser pages)", 0);
	const char *ver = MHD_lookup_connection_value(w->conn, MHD_HEADER_KIND, "MCP-Protocol-Version");
	if (ver && strcmp(ver, "2025-06-18") != 0 && strcmp(ver, "2025-03-26") != 0 && strcmp(ver, "2024-11-05") != 0)
		return send_error(w->conn, 400, "MCP-Protocol-Version: not one this server speaks (2025-06-18, 2025-03-26, "
		                                "2024-11-05)");
	char *method = cordon_mcp_method(w->body ? w->body : "", w->len);
	bool call = method && strcmp(method, "tools/call") == 0;
	free(method);
	if (!call) {
		/* initialize, ping, tools/list, notifications, responses and
		 * malformed messages: answered here, nothing runs. */
		struct mcp_host h = {
			.policy_dir = s->conf.policy_dir, .refuse_policy = mcp_no_policy, .cancel_fd = -1, .offer_outputs = 1
		};
		char *answer = cordon_mcp_handle(&h, w->body ? w->body : "", w->len);
		enum MHD_Result rc = answer ? send_text(w->conn, 200, "application/json", answer, NULL, NULL, NULL, NULL)
		                            : send_text(w->conn, 202, "application/json", "", NULL, NULL, NULL, NULL);
		free(answer);
		return rc;
	}
	json_t *msg = json_loadb(w->body ? w->body : "", w->len, JSON_REJECT_DUPLICATES, NULL);
	json_t *params = json_object_get(msg, "params");
	if (json_is_string(json_object_get(json_object_get(params, "arguments"), "session")) &&
	    json_is_string(json_object_get(params, "name")) &&
	    strcmp(json_string_value(json_object_get(params, "name")), "execute_code") == 0) {
		enum MHD_Result rc = mcp_session_call(w, msg);
		json_decref(msg);
		return rc;
	}
	const char *tname = json_string_value(json_object_get(params, "name"));
	if (tname && strcmp(tname, "read_output_file") == 0) {
		enum MHD_Result rc = mcp_read_output(w, msg);
		json_decref(msg);
		return rc;
	}
	bool outputs = json_is_true(json_object_get(json_object_get(params, "arguments"), "outputs"));
	json_decref(msg);
	const char *rwhy = NULL;
	char why[300];
	double retry = caller_admit(w->caller, &rwhy);
	if (retry > 0) {
		snprintf(why, sizeof(why), "%s (caller '%s')", rwhy, w->caller->name);
		return refuse(w, 429, NULL, why, retry);
	}
	struct job *j = job_new(JOB_MCP, w->caller, NULL);
	if (!j || !(j->code = malloc(w->len + 1))) {
		job_free(j);
		return send_error(w->conn, 500, "out of memory");
	}
	memcpy(j->code, w->body ? w->body : "", w->len);
	j->code[w->len] = '\0';
	j->code_len = w->len;
	j->outputs = outputs; /* execute_code's /output, for read_output_file */
	int status = 0;
	if (job_submit(s, j, &status, &rwhy) < 0) {
		job_free(j);
		return refuse(w, (unsigned)status, NULL, rwhy, 1);
	}
	if (j->state == JOB_DONE)
		return respond_job(w, j);
	w->job = j;
	j->waiter = w;
	MHD_suspend_connection(w->conn);
	return MHD_YES;
}

/* ---- sessions ---- */

static enum MHD_Result post_session(struct http_wait *w)
{
	struct serve *s = w->s;
	json_error_t je;
	json_t *body = json_loadb(w->body ? w->body : "{}", w->body ? w->len : 2, JSON_REJECT_DUPLICATES, &je);
	static const char *const keys[] = { "policy", "files", NULL };
	const char *bad = json_is_object(body) ? known(body, keys) : NULL;
	char why[400];
	if (!json_is_object(body) || bad ||
	    (json_object_get(body, "policy") && !json_is_string(json_object_get(body, "policy")))) {
		snprintf(why, sizeof(why), "the body must be a JSON object {policy, files}%s%s",
		         bad ? ": unknown key " : "", bad ? bad : "");
		json_decref(body);
		return send_error(w->conn, 400, why);
	}
	const char *pname = pick_policy(w, body);
	struct warm_policy *wp = pname ? conf_policy(&s->conf, pname) : NULL;
	if (!wp) {
		snprintf(why, sizeof(why), "policy '%s' is not served here (GET /v1/policies lists them)", pname ? pname : "?");
		json_decref(body);
		return send_error(w->conn, 404, why);
	}
	if (!caller_may_use(w->caller, wp->name)) {
		json_decref(body);
		snprintf(why, sizeof(why), "caller '%s' may not use policy '%s'", w->caller->name, wp->name);
		return refuse(w, 403, wp->name, why, 0);
	}
	if (!wp->language || strcmp(wp->language, "python") != 0 || !cordon_policy_interpreter(wp->policy)) {
		json_decref(body);
		snprintf(why, sizeof(why), "policy '%s' does not run Python: sessions are Python interpreters", wp->name);
		return send_error(w->conn, 400, why);
	}
	const char *rwhy = NULL;
	double retry = caller_admit(w->caller, &rwhy);
	if (retry > 0) {
		json_decref(body);
		snprintf(why, sizeof(why), "%s (caller '%s')", rwhy, w->caller->name);
		return refuse(w, 429, wp->name, why, retry);
	}
	struct job *j = job_new(JOB_SESSION, w->caller, wp);
	if (!j) {
		json_decref(body);
		return send_error(w->conn, 500, "out of memory");
	}
	int status = 0;
	int rc = take_files(s, body, j, &status, why, sizeof(why));
	json_decref(body);
	if (rc < 0) {
		job_free(j);
		return status == 400 ? send_error(w->conn, 400, why) : refuse(w, (unsigned)status, wp->name, why, 0);
	}
	if (job_submit(s, j, &status, &rwhy) < 0) {
		job_free(j);
		return refuse(w, (unsigned)status, wp->name, rwhy, 5);
	}
	/* Answered when the interpreter is up (cell 0), or with why not. */
	j->cell_busy = true;
	w->session = j;
	j->waiter = w;
	MHD_suspend_connection(w->conn);
	return MHD_YES;
}

static struct job *find_session(struct http_wait *w, const char *id)
{
	struct job *j = job_find(w->s, id);
	return j && j->kind == JOB_SESSION && may_see(w, j) ? j : NULL;
}

static enum MHD_Result session_cell(struct http_wait *w, struct job *j)
{
	struct serve *s = w->s;
	char why[400];
	if (j->state != JOB_RUNNING || j->stdin_fd < 0)
		return send_json(w->conn, 410,
		                 json_pack("{s:s,s:s}", "error", "the session has ended", "session", j->id), NULL, NULL);
	if (j->cell_busy)
		return send_error(w->conn, 409, "a cell of this session is still running (one at a time)");
	json_error_t je;
	json_t *body = json_loadb(w->body ? w->body : "", w->len, JSON_REJECT_DUPLICATES, &je);
	static const char *const keys[] = { "code", NULL };
	json_t *code = json_object_get(body, "code");
	if (!json_is_object(body) || known(body, keys) || !json_is_string(code)) {
		json_decref(body);
		return send_error(w->conn, 400, "the body must be a JSON object {code}");
	}
	int pipe_size = fcntl(j->stdin_fd, F_GETPIPE_SZ);
	size_t max = pipe_size > 64 ? (size_t)pipe_size - 32 : 0;
	if (json_string_length(code) > max) {
		snprintf(why, sizeof(why), "code: a cell is at most %zu bytes", max);
		json_decref(body);
		return send_error(w->conn, 413, why);
	}
	const char *rwhy = NULL;
	double retry = caller_admit(w->caller, &rwhy);
	if (retry > 0) {
		json_decref(body);
		snprintf(why, sizeof(why), "%s (caller '%s')", rwhy, w->caller->name);
		return refuse(w, 429, j->wp->name, why, retry);
	}
	/* The policy's checks over the cell, here: a denied cell is never
	 * sent and the session stays as it was. */
	char *now = session_check_send(s, j, json_string_value(code), json_string_length(code));
	json_decref(body);
	if (now) {
		enum MHD_Result rc = send_text(w->conn, 200, "application/json", now, NULL, NULL, NULL, NULL);
		free(now);
		return rc;
	}
	caller_charge(w->caller);
	w->session = j;
	j->waiter = w;
	MHD_suspend_connection(w->conn);
	return MHD_YES;
}

/* A cell's answer as the MCP tool result of execute_code: a text a model
 * reads, the cell's object as structuredContent. */
/* Whether a returned file may go to the client as MCP image content: a
 * PNG, JPEG, GIF or WebP whose first bytes are that format's signature (a
 * model's API refuses an image that is not one; the type came from the
 * file's name).  b64: the content in base64, as the service checked it. */
static bool image_content_ok(const char *mime, const char *b64)
{
	static const struct {
		const char *mime, *sig;
		size_t len, at;
	} sigs[] = { { "image/png", "\x89PNG\r\n\x1a\n", 8, 0 },
		     { "image/jpeg", "\xff\xd8\xff", 3, 0 },
		     { "image/gif", "GIF8", 4, 0 },
		     { "image/webp", "WEBP", 4, 8 } };
	uint8_t head[16];
	size_t n = sizeof(head);
	struct base64_decode_ctx ctx;
	size_t blen = strlen(b64) < 24 ? strlen(b64) - strlen(b64) % 4 : 24; /* 24 characters: 18 bytes */
	base64_decode_init(&ctx);
	uint8_t buf[BASE64_DECODE_LENGTH(24)];
	size_t got = sizeof(buf);
	if (!base64_decode_update(&ctx, &got, buf, blen, b64))
		return false;
	n = got < n ? got : n;
	memcpy(head, buf, n);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (strcmp(mime, sigs[i].mime) == 0)
			return n >= sigs[i].at + sigs[i].len && memcmp(head + sigs[i].at, sigs[i].sig, sigs[i].len) == 0 &&
			       (sigs[i].at == 0 || memcmp(head, "RIFF", 4) == 0);
	return false;
}

static char *mcp_cell_reply(json_t *id, const struct job *j, unsigned status, const char *body)
{
	json_t *cell = body ? json_loads(body, 0, NULL) : NULL;
	const char *st = json_string_value(json_object_get(cell, "status"));
	char *text = NULL;
	size_t tlen = 0;
	FILE *f = open_memstream(&text, &tlen);
	if (f) {
		fprintf(f, "session: %s (policy %s", j->mcp_name ? j->mcp_name : j->id, job_policy(j));
		if (json_integer_value(json_object_get(cell, "cell")) > 0)
			fprintf(f, ", cell %lld", (long long)json_integer_value(json_object_get(cell, "cell")));
		fputs(")\n", f);
		if (status != 200 || !st) {
			const char *e = json_string_value(json_object_get(cell, "error"));
			fprintf(f, "status: error: %s\n", e ? e : "the session could not run the cell");
		} else {
			fprintf(f, "status: %s\n", st);
		}
		const char *v = json_string_value(json_object_get(cell, "value"));
		if (v)
			fprintf(f, "value: %s\n", v);
		const char *et = json_string_value(json_object_get(cell, "error_type"));
		if (et)
			fprintf(f, "exception: %s: %s\n", et, json_string_value(json_object_get(cell, "error")) ?: "");
		static const char *const streams[] = { "stdout", "stderr" };
		for (int i = 0; i < 2; i++) {
			const char *t = json_string_value(json_object_get(cell, streams[i]));
			if (t && *t)
				fprintf(f, "%s:\n%s%s", streams[i], t, t[strlen(t) - 1] == '\n' ? "" : "\n");
		}
		size_t k;
		json_t *fi;
		json_array_foreach(json_object_get(cell, "findings"), k, fi)
		fprintf(f, "line %lld: %s: %s [%s/%s]\n", (long long)json_integer_value(json_object_get(fi, "line")),
		        json_string_value(json_object_get(fi, "severity")) ?: "?",
		        json_string_value(json_object_get(fi, "message")) ?: "",
		        json_string_value(json_object_get(fi, "module")) ?: "?",
		        json_string_value(json_object_get(fi, "rule")) ?: "?");
		json_t *files = json_object_get(cell, "files");
		if (json_array_size(files) > 0)
			fputs("files this cell left in /output:\n", f);
		json_array_foreach(files, k, fi) {
			const char *om = json_string_value(json_object_get(fi, "omitted"));
			fprintf(f, "  %s (%lld bytes, %s)%s%s\n", json_string_value(json_object_get(fi, "path")) ?: "?",
			        (long long)json_integer_value(json_object_get(fi, "size")),
			        json_string_value(json_object_get(fi, "mime")) ?: "?", om ? ": " : "", om ? om : "");
		}
		if (st && strcmp(st, "denied") == 0)
			fputs("The policy denied this code; do not try to work around the policy — change the approach or ask "
			      "the user. The session is as it was before this call.\n",
			      f);
		if (st && strcmp(st, "ended") == 0) {
			json_t *rr = json_object_get(cell, "result");
			const char *lim = json_string_value(json_object_get(rr, "limit"));
			const char *rst = json_string_value(json_object_get(rr, "status"));
			fputs("The session has ended (its interpreter is gone)", f);
			if (lim)
				fprintf(f, ": it reached its policy's %s limit", lim);
			else if (rst)
				fprintf(f, " (its run's status: %s)", rst);
			fputs("; its variables are lost, and the next call with this name starts a new one.\n", f);
		}
		fclose(f);
	}
	bool is_error = status != 200 || !st || strcmp(st, "ok") != 0;
	json_t *res = json_pack("{s:[{s:s,s:s}],s:b}", "content", "type", "text", "text", text ? text : "", "isError",
	                        is_error);
	/* An image the cell left is image content (its base64 moved out of
	 * structuredContent, which keeps its path, size and sha256); other
	 * files keep their content in structuredContent. */
	size_t k;
	json_t *fi;
	json_array_foreach(json_object_get(cell, "files"), k, fi) {
		const char *mime = json_string_value(json_object_get(fi, "mime"));
		json_t *data = json_object_get(fi, "data");
		if (!res || !mime || !json_is_string(data) || !image_content_ok(mime, json_string_value(data)))
			continue;
		json_t *img = json_pack("{s:s,s:O,s:s}", "type", "image", "data", data, "mimeType", mime);
		if (img && json_array_append_new(json_object_get(res, "content"), img) == 0) {
			json_object_del(fi, "data");
			json_object_set_new(fi, "returned_as", json_string("image content"));
		}
	}
	if (res && cell)
		json_object_set(res, "structuredContent", cell);
	json_t *msg = json_pack("{s:s,s:O,s:o*}", "jsonrpc", "2.0", "id", id, "result", res);
	char *out = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
	json_decref(msg);
	json_decref(cell);
	free(text);
	return out ? out : strdup("{}");
}

void http_cell_done(struct job *j, unsigned status, char *body)
{
	struct http_wait *w = j->waiter;
	if (!w || w->session != j) {
		free(body);
		return;
	}
	j->waiter = NULL;
	w->session = NULL;
	if (w->mcp_id) {
		w->reply = mcp_cell_reply(w->mcp_id, j, status, body);
		w->reply_status = 200;
		free(body);
	} else {
		w->reply = body;
		w->reply_status = status;
	}
	w->ready = true;
	MHD_resume_connection(w->conn);
}

static enum MHD_Result sessions_route(struct http_wait *w, const char *url, bool get, bool post, bool del)
{
	if (strcmp(url, "/v1/sessions") == 0 && post)
		return post_session(w);
	if (strcmp(url, "/v1/sessions") == 0)
		return send_error(w->conn, 405, "POST starts a session");
	const char *id = url + strlen("/v1/sessions/");
	char idbuf[33];
	size_t idlen = strcspn(id, "/");
	if (idlen != 32)
		return send_error(w->conn, 404, "no such session");
	memcpy(idbuf, id, 32);
	idbuf[32] = '\0';
	struct job *j = find_session(w, idbuf);
	if (!j)
		return send_error(w->conn, 404, "no such session");
	const char *rest = id + 32;
	if (strcmp(rest, "/execute") == 0 && post)
		return session_cell(w, j);
	if (*rest)
		return send_error(w->conn, 404, "no such path (POST /v1/sessions/ID/execute runs a cell)");
	if (del) {
		if (job_cancel(w->s, j) < 0)
			return send_error(w->conn, 500, "cannot end the session");
		serve_log(w->s, "session", w->caller, j->wp->name, "session %s ended by its caller", j->id);
		return send_json(w->conn, 202, job_state_json(j), NULL, NULL);
	}
	if (get) {
		if (j->state == JOB_DONE)
			return respond_job(w, j);
		json_t *o = job_state_json(j);
		json_object_set_new(o, "cells", json_integer(j->cells));
		json_object_set_new(o, "busy", json_boolean(j->cell_busy));
		return send_json(w->conn, 200, o, NULL, NULL);
	}
	return send_error(w->conn, 405, "GET, DELETE, or POST .../execute");
}

/* The largest body past max_request that is read (and dropped) before
 * its 413: four times max_request, at most 64 MiB; a larger one is refused
 * from its Content-Length at once. */
static unsigned long long drain_max(const struct serve *s)
{
	unsigned long long m = 4ull * s->conf.max_request, cap = 64ull << 20;
	return m < cap ? m : cap;
}

static enum MHD_Result route(struct http_wait *w, const char *url, const char *method)
{
	bool get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0, del = strcmp(method, "DELETE") == 0;
	if (strcmp(url, "/v1/health") == 0 && get)
		return send_json(w->conn, w->s->stopped ? 503 : 200,
		                 json_pack("{s:s,s:s,s:b,s:i,s:i,s:i}", "status", w->s->stopped ? "stopped" : "ok", "version",
		                           cordon_version(), "stopped", w->s->stopped, "running", (int)w->s->running,
		                           "queued", (int)w->s->queued, "policies", (int)w->s->conf.n_policies),
		                 NULL, NULL);
	if (w->auth_status)
		return refuse(w, (unsigned)w->auth_status, NULL, w->auth_why, 0);
	if (w->too_big) {
		char msg[96];
		snprintf(msg, sizeof(msg), "the request body is larger than max_request (%zu bytes)", w->s->conf.max_request);
		return refuse(w, 413, NULL, msg, 0);
	}
	if (strcmp(url, "/metrics") == 0 && get) {
		char *t = metrics_text(w->s);
		if (!t)
			return send_error(w->conn, 500, "out of memory");
		enum MHD_Result rc = send_text(w->conn, 200, "text/plain; version=0.0.4", t, NULL, NULL, NULL, NULL);
		free(t);
		return rc;
	}
	if (strcmp(url, "/v1/runs") == 0 && post)
		return post_job(w, false);
	if (strcmp(url, "/v1/checks") == 0 && post)
		return post_job(w, true);
	if (strcmp(url, "/v1/runs") == 0 && get)
		return get_runs(w);
	if (strncmp(url, "/v1/runs/", 9) == 0 && (get || del) && strlen(url + 9) == 32)
		return one_run(w, url + 9, del);
	if (strncmp(url, "/v1/runs/", 9) == 0 && get && strncmp(url + 9 + 32, "/outputs/", 9) == 0)
		return get_output(w, url + 9, url + 9 + 32 + 9);
	if (strcmp(url, "/v1/policies") == 0 && get)
		return get_policies(w);
	if (strcmp(url, "/v1/sessions") == 0 || strncmp(url, "/v1/sessions/", 13) == 0)
		return sessions_route(w, url, get, post, del);
	if (strcmp(url, "/mcp") == 0 && post)
		return post_mcp(w);
	if (strcmp(url, "/mcp") == 0)
		return send_text(w->conn, 405, "application/json",
		                 "{\"error\":\"POST a JSON-RPC message; this server opens no event stream\"}", "Allow", "POST",
		                 NULL, NULL);
	if ((strcmp(url, "/v1/stop") == 0 || strcmp(url, "/v1/resume") == 0) && post)
		return stop_resume(w, url[4] == 's');
	static const char *const paths[] = { "/v1/runs", "/v1/checks", "/v1/policies", "/v1/stop", "/v1/resume",
		                             "/v1/health", "/metrics", NULL };
	for (size_t i = 0; paths[i]; i++)
		if (strcmp(url, paths[i]) == 0)
			return send_error(w->conn, 405, "method not allowed on this path");
	return send_error(w->conn, 404, "no such path (see /v1/runs, /v1/checks, /v1/policies, /v1/health, /metrics)");
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	(void)version;
	struct serve *s = cls;
	struct http_wait *w = *con_cls;
	if (!w) {
		if (!(w = calloc(1, sizeof(*w))))
			return MHD_NO;
		w->s = s;
		w->conn = conn;
		const union MHD_ConnectionInfo *di = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_DAEMON);
		for (size_t i = 0; di && i < s->n_listen; i++)
			if (di->daemon == s->mhd[i])
				w->is_unix = s->listen_is_unix[i];
		identify(w);
		*con_cls = w;
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
		unsigned long long clen = cl ? strtoull(cl, NULL, 10) : 0;
		/* Who may not call is refused without keeping anything of the
		 * body: a body up to drain_max that is already coming is read
		 * and dropped first, for the reason below (a 401 sent
		 * mid-upload was seen lost so), and the connection then closed
		 * (refuse); any other (larger, of no stated length, or held
		 * back for a 100 Continue) is answered at once and
		 * libmicrohttpd closes the connection. */
		const char *expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");
		bool asks_continue = expect && strcasestr(expect, "100-continue");
		if (w->auth_status && strcmp(url, "/v1/health") != 0) {
			/* A client that waits for 100 Continue has sent nothing: no
			 * race, so no body is invited (refused at once). */
			if (cl && clen > 0 && clen <= drain_max(s) && !asks_continue) {
				w->discard = true;
				return MHD_YES;
			}
			w->started = true;
			return refuse(w, (unsigned)w->auth_status, NULL, w->auth_why, 0);
		}
		if (cl && clen > s->conf.max_request && clen <= drain_max(s) && !asks_continue) {
			/* Read to its end and dropped, then 413: an answer sent while
			 * the client is still sending races its upload (a connection
			 * closed with unread data is reset, and the client may never
			 * read the answer). */
			w->too_big = true;
			return MHD_YES;
		}
		if (cl && clen > s->conf.max_request) {
			char msg[96];
			w->started = true;
			snprintf(msg, sizeof(msg), "the request body is larger than max_request (%zu bytes)",
			         s->conf.max_request);
			return refuse(w, 413, NULL, msg, 0);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (w->started || w->discard) { /* answered already, or refused: the rest is discarded */
			*upload_size = 0;
			return MHD_YES;
		}
		if (!w->too_big && w->len + *upload_size <= s->conf.max_request) {
			char *nb = realloc(w->body, w->len + *upload_size + 1);
			if (!nb)
				return MHD_NO;
			w->body = nb;
			memcpy(w->body + w->len, upload, *upload_size);
			w->len += *upload_size;
			w->body[w->len] = '\0';
		} else {
			w->too_big = true;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (w->reply || (w->ready && !w->job)) {
		enum MHD_Result rc = w->reply ? send_text(conn, w->reply_status, "application/json", w->reply, NULL, NULL,
		                                          NULL, NULL)
		                              : send_error(conn, 503, "the service is shutting down");
		free(w->reply);
		w->reply = NULL;
		w->ready = false;
		return rc;
	}
	if (w->session) /* resumed for another reason: wait on */
		return MHD_YES;
	if (w->job) {
		if (!w->ready) /* resumed for another reason: wait on */
			return MHD_YES;
		struct job *j = w->job;
		w->job = NULL;
		j->waiter = NULL;
		if (j->state != JOB_DONE)
			return send_error(conn, 503, "the service is shutting down; the run was cancelled");
		return respond_job(w, j);
	}
	if (w->started)
		return MHD_YES;
	w->started = true;
	return route(w, url, method);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	(void)toe;
	struct serve *s = cls;
	struct http_wait *w = *con_cls;
	if (!w)
		return;
	if (w->job) { /* the client went away: the run goes on, its result is kept */
		w->job->waiter = NULL;
		(void)s;
	}
	if (w->session && w->session->waiter == w)
		w->session->waiter = NULL;
	json_decref(w->mcp_id);
	free(w->reply);
	free(w->body);
	free(w);
	*con_cls = NULL;
}

static void notify_conn(void *cls, struct MHD_Connection *conn, void **socket_context,
                        enum MHD_ConnectionNotificationCode toe)
{
	(void)socket_context;
	struct serve *s = cls;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!ci)
		return;
	int fd = ci->connect_fd;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		if (s->n_conn_fds == s->cap_conn_fds) {
			size_t nc = s->cap_conn_fds ? s->cap_conn_fds * 2 : 64;
			int *nv = realloc(s->conn_fds, nc * sizeof(int));
			if (!nv)
				return;
			s->conn_fds = nv;
			s->cap_conn_fds = nc;
		}
		s->conn_fds[s->n_conn_fds++] = fd;
	} else {
		for (size_t i = 0; i < s->n_conn_fds; i++)
			if (s->conn_fds[i] == fd) {
				s->conn_fds[i] = s->conn_fds[--s->n_conn_fds];
				break;
			}
	}
}

/* ---- listeners ---- */

static int listen_unix(struct serve *s, char **err)
{
	const char *path = s->conf.unix_path;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return seterr(err, "%s: socket path too long (at most %zu bytes)", path, sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return seterr(err, "socket: %s", strerror(errno));
	/* A socket left by a service that is gone is replaced; one that
	 * answers belongs to a service still running. */
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			close(fd);
			return seterr(err, "%s: exists and is not a socket", path);
		}
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		bool alive = probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		if (probe >= 0)
			close(probe);
		if (alive) {
			close(fd);
			return seterr(err, "%s: another cordon serve is listening there", path);
		}
		unlink(path);
	}
	mode_t old = umask(0777 & ~s->conf.unix_mode);
	int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	int e = errno;
	umask(old);
	/* The mode came with the umask at bind; the group is set on the
	 * name without following a symlink someone could have put there. */
	if (rc == 0)
		s->n_unix_made = true;
	if (rc < 0 ||
	    (s->conf.has_group && fchownat(AT_FDCWD, path, (uid_t)-1, s->conf.unix_gid, AT_SYMLINK_NOFOLLOW) < 0) ||
	    listen(fd, 128) < 0) {
		if (rc == 0)
			e = errno;
		close(fd);
		return seterr(err, "%s: %s", path, strerror(e));
	}
	return fd;
}

static int listen_tcp(struct serve *s, char **err)
{
	char *hp = strdup(s->conf.tcp);
	if (!hp)
		return -1;
	char *colon = strrchr(hp, ':');
	*colon = '\0';
	char *host = hp;
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		host[strlen(host) - 1] = '\0';
		host++;
	}
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	int g = getaddrinfo(host, colon + 1, &hints, &ai);
	if (g) {
		seterr(err, "listen.tcp %s: %s", s->conf.tcp, gai_strerror(g));
		free(hp);
		return -1;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 128) < 0) {
		seterr(err, "listen.tcp %s: %s", s->conf.tcp, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	free(hp);
	return fd;
}

static int add_daemon(struct serve *s, int fd, bool is_unix, char **err)
{
	size_t i = s->n_listen;
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	struct MHD_Daemon *d = MHD_start_daemon(
		flags, 0, NULL, NULL, handler, s, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_NOTIFY_COMPLETED, completed, s,
		MHD_OPTION_NOTIFY_CONNECTION, notify_conn, s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024,
		/* TCP: one address cannot take every connection. */
		is_unix ? MHD_OPTION_END : MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_END);
	if (!d) {
		close(fd);
		return seterr(err, "cannot start the HTTP listener on %s", is_unix ? s->conf.unix_path : s->conf.tcp);
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &ev_http };
	if (!di || epoll_ctl(s->epfd, EPOLL_CTL_ADD, di->epoll_fd, &ev) < 0) {
		MHD_stop_daemon(d);
		close(fd);
		return seterr(err, "cannot watch the HTTP listener: %s", strerror(errno));
	}
	s->mhd[i] = d;
	s->mhd_epfd[i] = di->epoll_fd;
	s->listen_fd[i] = fd;
	s->listen_is_unix[i] = is_unix;
	s->n_listen++;
	return 0;
}

int http_start(struct serve *s, char **err)
{
	int fd = -1;
	/* systemd socket activation: the Unix socket comes as fd 3. */
	const char *lp = getenv("LISTEN_PID"), *lf = getenv("LISTEN_FDS");
	if (lp && lf && atol(lp) == (long)getpid() && atoi(lf) >= 1) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		if (getsockname(3, (struct sockaddr *)&ss, &sl) == 0 && ss.ss_family == AF_UNIX) {
			fd = 3;
			s->socket_activated = true;
			fcntl(fd, F_SETFD, FD_CLOEXEC);
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		}
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
	}
	if (fd < 0 && (fd = listen_unix(s, err)) < 0)
		return -1;
	if (add_daemon(s, fd, true, err) < 0)
		return -1;
	if (s->conf.tcp) {
		if ((fd = listen_tcp(s, err)) < 0 || add_daemon(s, fd, false, err) < 0)
			return -1;
	}
	return 0;
}

void http_run(struct serve *s)
{
	for (size_t i = 0; i < s->n_listen; i++)
		MHD_run(s->mhd[i]);
}

int http_timeout_ms(struct serve *s)
{
	int best = -1;
	for (size_t i = 0; i < s->n_listen; i++) {
		MHD_UNSIGNED_LONG_LONG t;
		if (MHD_get_timeout(s->mhd[i], &t) == MHD_YES) {
			int ms = t > INT_MAX ? INT_MAX : (int)t;
			if (best < 0 || ms < best)
				best = ms;
		}
	}
	return best;
}

void http_abandon(struct serve *s)
{
	for (struct job *j = s->jobs; j; j = j->next) {
		if (j->waiter && !j->waiter->ready) {
			j->waiter->ready = true;
			if (j->waiter->session)
				j->waiter->session = NULL; /* answered 503 */
			MHD_resume_connection(j->waiter->conn);
		}
		if (j->sse_attached) {
			j->sse_end = true;
			http_sse_wake(j);
		}
	}
	for (int i = 0; i < 4; i++)
		http_run(s);
}

void http_stop(struct serve *s)
{
	for (size_t i = 0; i < s->n_listen; i++) {
		MHD_stop_daemon(s->mhd[i]); /* closes the listening socket */
	}
	s->n_listen = 0;
}

void http_close_fds_in_worker(struct serve *s)
{
	for (size_t i = 0; i < s->n_listen; i++) {
		close(s->listen_fd[i]);
		close(s->mhd_epfd[i]);
	}
	for (size_t i = 0; i < s->n_conn_fds; i++)
		close(s->conn_fds[i]);
}
