/*
 * core/result.c - the result of a run or a check, and its JSON form
 * (DESIGN.md "Result"), written with jansson.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"

static const char *const status_names[] = { "ok", "failed", "denied", "timeout", "killed", "error" };
static const char *const severity_names[] = { "info", "low", "medium", "high", "critical" };

const char *status_name(enum status s)
{
	return (unsigned)s < ARRAY_SIZE(status_names) ? status_names[s] : "error";
}

const char *severity_name(enum cordon_severity s)
{
	return (unsigned)s < ARRAY_SIZE(severity_names) ? severity_names[s] : "critical";
}

cordon_result *result_new(const cordon_policy *p)
{
	cordon_result *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->policy = xstrdup(p ? p->name : "");
	r->exit_code = -1;
	r->error_exit = CORDON_EXIT_ERROR;
	r->audit = p && p->audit;
	if (!r->policy) {
		free(r);
		return NULL;
	}
	if (p) {
		r->modules = xcalloc(p->n_stack, sizeof(*r->modules));
		if (!r->modules) {
			free(r->policy);
			free(r);
			return NULL;
		}
		r->n_modules = p->n_stack;
		for (size_t i = 0; i < p->n_stack; i++) {
			r->modules[i].name = xstrdup(p->stack[i].lm.m->name);
			if (!r->modules[i].name) {
				cordon_result_free(r);
				return NULL;
			}
			r->modules[i].control = p->stack[i].control;
			r->modules[i].verdict = "pass";
		}
		for (size_t i = 0; i < p->open_warnings.n; i++)
			strv_push(&r->warnings, p->open_warnings.v[i]);
		for (size_t i = 0; i < p->tightened.n; i++)
			if (strv_push(&r->tightened, p->tightened.v[i]) < 0) {
				cordon_result_free(r);
				return NULL;
			}
	}
	return r;
}

void cordon_result_free(cordon_result *r)
{
	if (!r)
		return;
	free(r->policy);
	free(r->error);
	free(r->check_file);
	free(r->caller);
	sb_free(&r->out[0]);
	sb_free(&r->out[1]);
	for (size_t i = 0; i < r->n_findings; i++) {
		free(r->findings[i].module);
		free(r->findings[i].rule);
		free(r->findings[i].message);
		free(r->findings[i].file);
	}
	free(r->findings);
	for (size_t i = 0; i < r->n_redactions; i++) {
		free(r->redactions[i].module);
		free(r->redactions[i].rule);
	}
	free(r->redactions);
	for (size_t i = 0; i < r->n_outputs; i++)
		free(r->outputs[i].path);
	free(r->outputs);
	for (size_t i = 0; i < r->n_connections; i++) {
		struct connection *c = &r->connections[i];
		free(c->method);
		free(c->host);
		free(c->verdict);
		free(c->rule);
		free(c->address);
		free(c->reason);
	}
	free(r->connections);
	for (size_t i = 0; i < r->n_modules; i++)
		free(r->modules[i].name);
	free(r->modules);
	strv_clear(&r->warnings);
	strv_clear(&r->tightened);
	free(r);
}

/* Keep messages to one line: control characters become spaces. */
static char *one_line(const char *s)
{
	char *d = xstrdup(s ? s : "");
	for (char *c = d; c && *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	return d;
}

int result_add_finding(cordon_result *r, const char *module, const char *rule,
                       enum cordon_severity sev, long line, long col, const char *file,
                       const char *msg)
{
	if (r->n_findings >= RESULT_MAX_FINDINGS) {
		r->dropped_findings++;
		return -1;
	}
	if (grow_array((void **)&r->findings, &r->cap_findings, r->n_findings + 1, sizeof(*r->findings)) < 0)
		return -1;
	struct finding *f = &r->findings[r->n_findings];
	f->module = xstrdup(module);
	f->rule = one_line(rule);
	f->severity = sev;
	f->message = one_line(msg);
	f->line = line;
	f->column = col;
	f->file = file ? xstrdup(file) : NULL;
	if (!f->module || !f->rule || !f->message || (file && !f->file)) {
		free(f->module);
		free(f->rule);
		free(f->message);
		free(f->file);
		return -1;
	}
	r->n_findings++;
	return 0;
}

/* A copy cut to one line of at most max bytes, or NULL for NULL. */
static char *conn_text(const char *s, size_t max)
{
	if (!s)
		return NULL;
	char *t = one_line(s);
	if (t && strlen(t) > max)
		t[max] = '\0';
	return t;
}

int result_add_connection(cordon_result *r, const struct cordon_connection *c)
{
	if (r->n_connections >= CORDON_MAX_CONNECTIONS) {
		r->dropped_connections++;
		return 0;
	}
	if (grow_array((void **)&r->connections, &r->cap_connections, r->n_connections + 1,
	               sizeof(*r->connections)) < 0)
		return -1;
	struct connection *x = &r->connections[r->n_connections];
	memset(x, 0, sizeof(*x));
	x->method = conn_text(c->method ? c->method : "?", 32);
	x->host = conn_text(c->host ? c->host : "", 255);
	x->verdict = conn_text(c->verdict ? c->verdict : "?", 16);
	x->rule = conn_text(c->rule, 300);
	x->address = conn_text(c->address, 64);
	x->reason = conn_text(c->reason, 1000);
	if (!x->method || !x->host || !x->verdict || (c->rule && !x->rule) || (c->address && !x->address) ||
	    (c->reason && !x->reason)) {
		free(x->method);
		free(x->host);
		free(x->verdict);
		free(x->rule);
		free(x->address);
		free(x->reason);
		return -1;
	}
	x->port = c->port;
	x->bytes_out = c->bytes_out;
	x->bytes_in = c->bytes_in;
	x->ms = c->ms;
	r->n_connections++;
	return 0;
}

int result_add_redaction(cordon_result *r, const char *module, const char *rule,
                         enum cordon_stream stream, uint64_t count)
{
	for (size_t i = 0; i < r->n_redactions; i++) {
		struct redaction *x = &r->redactions[i];
		if (x->stream == stream && strcmp(x->module, module) == 0 && strcmp(x->rule, rule) == 0) {
			x->count += count;
			return 0;
		}
	}
	if (grow_array((void **)&r->redactions, &r->cap_redactions, r->n_redactions + 1,
	               sizeof(*r->redactions)) < 0)
		return -1;
	struct redaction *x = &r->redactions[r->n_redactions];
	x->module = xstrdup(module);
	x->rule = one_line(rule);
	x->stream = stream;
	x->count = count;
	if (!x->module || !x->rule) {
		free(x->module);
		free(x->rule);
		return -1;
	}
	r->n_redactions++;
	return 0;
}

void result_warn(cordon_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	if (!s)
		return;
	char *l = one_line(s);
	free(s);
	if (l && r->warnings.n >= RESULT_MAX_WARNINGS) {
		r->dropped_warnings++;
		free(l);
		return;
	}
	for (size_t i = 0; l && i < r->warnings.n; i++) {
		if (strcmp(r->warnings.v[i], l) == 0) {
			free(l);
			return;
		}
	}
	strv_push_owned(&r->warnings, l);
}

void result_set_error(cordon_result *r, int exit_status, const char *fmt, ...)
{
	r->status = ST_ERROR;
	r->error_exit = exit_status;
	if (r->error)
		return; /* the first cause is the one to report */
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	r->error = one_line(s ? s : "error");
	free(s);
}

/* ---- public accessors ---- */

const char *cordon_result_status(const cordon_result *r)
{
	return status_name(r->status);
}

int cordon_result_exit_status(const cordon_result *r)
{
	switch (r->status) {
	case ST_OK:
		return 0;
	case ST_FAILED:
		return r->exit_code >= 0 ? r->exit_code : 1;
	case ST_DENIED:
		return CORDON_EXIT_DENIED;
	case ST_TIMEOUT:
		return CORDON_EXIT_TIMEOUT;
	case ST_KILLED:
		/* Without a signal the program exited on its own just as a
		 * limit (the output cap) ended the run: report it as killed. */
		return 128 + (r->signal > 0 ? r->signal : SIGKILL);
	case ST_ERROR:
		return r->error_exit;
	}
	return CORDON_EXIT_ERROR;
}

int cordon_result_audit(const cordon_result *r)
{
	return r->audit ? 1 : 0;
}

int cordon_result_ran(const cordon_result *r)
{
	return r->ran ? 1 : 0;
}

int cordon_result_delivery_errno(const cordon_result *r, int stream)
{
	return stream == 0 || stream == 1 ? r->delivery_errno[stream] : 0;
}

const char *cordon_result_limit(const cordon_result *r)
{
	return r->limit;
}

int cordon_result_signal(const cordon_result *r)
{
	return r->signal > 0 ? r->signal : 0;
}

const char *cordon_result_error(const cordon_result *r)
{
	return r->status == ST_ERROR ? (r->error ? r->error : "error") : NULL;
}

size_t cordon_result_finding_count(const cordon_result *r)
{
	return r->n_findings;
}

int cordon_result_finding(const cordon_result *r, size_t i, struct cordon_finding *out)
{
	if (!out || i >= r->n_findings || out->size < offsetof(struct cordon_finding, file) + sizeof(char *))
		return -1;
	const struct finding *f = &r->findings[i];
	out->module = f->module;
	out->rule = f->rule;
	out->severity = f->severity;
	out->message = f->message;
	out->line = f->line;
	out->column = f->column;
	out->file = f->file;
	return 0;
}

size_t cordon_result_warning_count(const cordon_result *r)
{
	return r->warnings.n;
}

const char *cordon_result_warning(const cordon_result *r, size_t i)
{
	return i < r->warnings.n ? r->warnings.v[i] : NULL;
}

/* ---- JSON ---- */

/* A JSON string of len bytes.  Every string goes through the UTF-8 repair
 * (invalid bytes become U+FFFD): one invalid byte in a file name or a
 * message must not lose the whole result.  Text that is all ASCII (nearly
 * everything) is handed to jansson as is; the rest is made valid first, so
 * jansson need not check it again. */
static json_t *jtext(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < len && u[i] < 0x80)
		i++;
	if (i == len)
		return json_stringn_nocheck(s, len);
	size_t n = 0;
	char *clean = utf8_sanitize(s, len, &n);
	if (!clean)
		return NULL;
	json_t *j = json_stringn_nocheck(clean, n);
	free(clean);
	return j;
}

static json_t *jstr(const char *s)
{
	return s ? jtext(s, strlen(s)) : json_null();
}

static json_t *jbytes(const struct strbuf *sb)
{
	return jtext(sb->data ? sb->data : "", sb->len);
}

/* json_object_set_new that remembers a failure.  Keys are the literal
 * ASCII names of the result's schema. */
static void put(json_t *obj, const char *key, json_t *val, bool *ok)
{
	if (!val || json_object_set_new_nocheck(obj, key, val) < 0)
		*ok = false;
}

static json_t *findings_json(const cordon_result *r, bool *ok)
{
	json_t *arr = json_array();
	if (!arr) {
		*ok = false;
		return NULL;
	}
	for (size_t i = 0; i < r->n_findings; i++) {
		const struct finding *f = &r->findings[i];
		json_t *o = json_object();
		if (!o) {
			*ok = false;
			break;
		}
		put(o, "module", jstr(f->module), ok);
		put(o, "rule", jstr(f->rule), ok);
		put(o, "severity", json_string_nocheck(severity_name(f->severity)), ok);
		put(o, "message", jstr(f->message), ok);
		put(o, "line", f->line ? json_integer(f->line) : json_null(), ok);
		put(o, "column", f->line && f->column > 0 ? json_integer(f->column) : json_null(), ok);
		if (f->file)
			put(o, "file", jstr(f->file), ok);
		if (json_array_append_new(arr, o) < 0)
			*ok = false;
	}
	return arr;
}

/* The per-call settings the policy was tightened with, as given. */
static json_t *tightened_json(const cordon_result *r, bool *ok)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < r->tightened.n; i++)
		if (json_array_append_new(arr, jstr(r->tightened.v[i])) < 0)
			*ok = false;
	return arr;
}

/* The findings of one check, as `cordon check --json` prints per file. */
static char *check_json(const cordon_result *r)
{
	bool ok = true;
	json_t *o = json_object();
	if (!o)
		return NULL;
	put(o, "file", jstr(r->check_file), &ok);
	put(o, "verdict", json_string(r->status == ST_DENIED ? "deny" : r->status == ST_ERROR ? "error" : "pass"),
	    &ok);
	put(o, "findings", findings_json(r, &ok), &ok);
	if (r->status == ST_ERROR)
		put(o, "error", jstr(r->error ? r->error : "error"), &ok);
	if (r->tightened.n)
		put(o, "tightened", tightened_json(r, &ok), &ok);
	char *s = ok ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : NULL;
	json_decref(o);
	return s;
}

char *cordon_result_json(const cordon_result *r)
{
	if (r->check_file)
		return check_json(r);
	bool ok = true;
	json_t *o = json_object();
	if (!o)
		return NULL;
	put(o, "cordon", json_integer(1), &ok);
	put(o, "policy", jstr(r->policy), &ok);
	if (r->caller)
		put(o, "caller", jstr(r->caller), &ok);
	put(o, "mode", json_string(r->audit ? "audit" : "enforce"), &ok);
	put(o, "status", json_string(status_name(r->status)), &ok);
	put(o, "exit_code", r->exit_code >= 0 ? json_integer(r->exit_code) : json_null(), &ok);
	put(o, "signal", r->signal > 0 ? json_integer(r->signal) : json_null(), &ok);
	put(o, "limit", jstr(r->limit), &ok);
	put(o, "error", r->status == ST_ERROR ? jstr(r->error ? r->error : "error") : json_null(), &ok);
	put(o, "stdout", jbytes(&r->out[0]), &ok);
	put(o, "stderr", jbytes(&r->out[1]), &ok);
	json_t *tr = json_object();
	if (tr) {
		put(tr, "stdout", json_boolean(r->truncated[0]), &ok);
		put(tr, "stderr", json_boolean(r->truncated[1]), &ok);
	}
	put(o, "truncated", tr, &ok);
	put(o, "findings", findings_json(r, &ok), &ok);
	json_t *red = json_array();
	for (size_t i = 0; red && i < r->n_redactions; i++) {
		const struct redaction *x = &r->redactions[i];
		json_t *ro = json_object();
		if (!ro) {
			ok = false;
			break;
		}
		put(ro, "module", jstr(x->module), &ok);
		put(ro, "rule", jstr(x->rule), &ok);
		put(ro, "stream", json_string(x->stream == CORDON_STDERR ? "stderr" : "stdout"), &ok);
		put(ro, "count", json_integer((json_int_t)x->count), &ok);
		if (json_array_append_new(red, ro) < 0)
			ok = false;
	}
	put(o, "redactions", red, &ok);
	json_t *outs = json_array();
	for (size_t i = 0; outs && i < r->n_outputs; i++) {
		const struct output *x = &r->outputs[i];
		json_t *xo = json_object();
		if (!xo) {
			ok = false;
			break;
		}
		put(xo, "path", jstr(x->path), &ok);
		put(xo, "size", json_integer((json_int_t)x->size), &ok);
		put(xo, "sha256", jstr(x->sha256), &ok);
		if (json_array_append_new(outs, xo) < 0)
			ok = false;
	}
	put(o, "outputs", outs, &ok);
	json_t *conns = json_array();
	for (size_t i = 0; conns && i < r->n_connections; i++) {
		const struct connection *x = &r->connections[i];
		json_t *xo = json_object();
		if (!xo) {
			ok = false;
			break;
		}
		put(xo, "method", jstr(x->method), &ok);
		put(xo, "host", jstr(x->host), &ok);
		put(xo, "port", json_integer(x->port), &ok);
		put(xo, "verdict", jstr(x->verdict), &ok);
		put(xo, "rule", x->rule ? jstr(x->rule) : json_null(), &ok);
		put(xo, "address", x->address ? jstr(x->address) : json_null(), &ok);
		put(xo, "reason", x->reason ? jstr(x->reason) : json_null(), &ok);
		put(xo, "bytes_out", json_integer((json_int_t)x->bytes_out), &ok);
		put(xo, "bytes_in", json_integer((json_int_t)x->bytes_in), &ok);
		put(xo, "ms", json_real(x->ms), &ok);
		if (json_array_append_new(conns, xo) < 0)
			ok = false;
	}
	put(o, "connections", conns, &ok);
	if (r->dropped_connections)
		put(o, "connections_dropped", json_integer((json_int_t)r->dropped_connections), &ok);
	json_t *usage = json_object();
	if (usage) {
		put(usage, "wall_ms", json_real(r->wall_ms), &ok);
		put(usage, "cpu_ms", json_real(r->cpu_ms), &ok);
		put(usage, "max_rss_kb", json_integer(r->max_rss_kb), &ok);
		put(usage, "tree_memory_peak_kb", json_integer((json_int_t)(r->tree_memory_peak / 1024)), &ok);
		put(usage, "context_switches", json_integer(r->context_switches), &ok);
		put(usage, "oom_killed", json_boolean(r->oom_killed), &ok);
		put(usage, "enforced_by", jstr(r->enforced_by), &ok);
		put(usage, "output_dir_enforced_by", jstr(r->output_enforced_by), &ok);
	}
	put(o, "usage", usage, &ok);
	json_t *mods = json_array();
	for (size_t i = 0; mods && i < r->n_modules; i++) {
		json_t *mo = json_object();
		if (!mo) {
			ok = false;
			break;
		}
		put(mo, "name", jstr(r->modules[i].name), &ok);
		put(mo, "control", json_string(control_name(r->modules[i].control)), &ok);
		put(mo, "verdict", jstr(r->modules[i].verdict), &ok);
		put(mo, "ms", json_real(r->modules[i].ms), &ok);
		if (json_array_append_new(mods, mo) < 0)
			ok = false;
	}
	put(o, "modules", mods, &ok);
	json_t *w = json_array();
	for (size_t i = 0; w && i < r->warnings.n; i++)
		if (json_array_append_new(w, jstr(r->warnings.v[i])) < 0)
			ok = false;
	if (w && (r->dropped_findings || r->dropped_warnings)) {
		char *more = xasprintf("%zu more findings and %zu more warnings were not kept", r->dropped_findings,
		                       r->dropped_warnings);
		if (!more || json_array_append_new(w, jstr(more)) < 0)
			ok = false;
		free(more);
	}
	put(o, "warnings", w, &ok);
	put(o, "tightened", tightened_json(r, &ok), &ok);
	char *s = ok ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) : NULL;
	json_decref(o);
	return s;
}
