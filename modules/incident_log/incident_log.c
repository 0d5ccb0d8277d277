/*
 * modules/incident_log/incident_log.c - an audit record per incident, as
 * JSON Lines, hash-chained, optionally mirrored to syslog.
 *
 *   with:
 *     path: /var/log/cordon/incidents.jsonl   absolute, or relative to the policy file's directory;
 *                                             default: $LOGS_DIRECTORY/incidents.jsonl (systemd),
 *                                             root /var/log/cordon/incidents.jsonl, others
 *                                             $XDG_STATE_HOME/cordon/incidents.jsonl or
 *                                             ~/.local/state/cordon/incidents.jsonl, and an
 *                                             account whose home cannot hold it
 *                                             /var/tmp/cordon-UID/incidents.jsonl
 *     all_runs: false        also one record per run that is no incident
 *     fsync: true            fdatasync after each record
 *     syslog: false          one summary line per record through syslog(3)
 *     facility: user         user, daemon, auth, authpriv, local0 .. local7
 *     max_record: 64K        longest record line, newline included (findings dropped beyond)
 *     lock_timeout: 10s      how long to wait for another writer's lock
 *
 * Loading a policy creates and opens nothing: `policy lint`, `policy show`
 * and `check` run no program and leave no log behind.  The open hook checks
 * a given path without creating it (so lint reports a path that cannot be
 * appended to); the log is opened (and created, mode 0600, with its
 * default directories) by the first prepare hook, before anything runs, or
 * by the finish hook of a run that ended before prepare (denied by the
 * checks); the finish hook appends to that descriptor.  Put incident_log last in the
 * stack: a finish hook sees the findings that the finish hooks before it
 * added (the seccomp module's reports of blocked system calls).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "incident_log.h"

#if defined(__has_include)
#if __has_include("config.h")
#include "config.h" /* CORDON_VERSION of the build tree */
#endif
#endif

/* Findings taken from a run: the core keeps at most 10000. */
#define MAX_FINDINGS 100000

/* Where the default log goes when the account's home cannot hold it. */
#define FALLBACK_BASE "/var/tmp"

struct state {
	int fd;
	int prepare_failed; /* this run's prepare could not open the log (and said so) */
	char *path; /* NULL until opened when the default is used */
	int all_runs;
	int do_sync;
	int to_syslog;
	int facility;
	uint64_t max_record;
	uint64_t lock_timeout_ns;
};

/* The arguments as the core fills them (ABI 1.4 config table). */
struct config {
	const char *path; /* absolute; NULL: the default place, found when the log is opened */
	int all_runs, fsync, syslog;
	int facility; /* index in facility_names and facility_values */
	uint64_t max_record, lock_timeout;
};

static const char *const facility_names[] = { "user",   "daemon", "auth",   "authpriv", "local0", "local1", "local2",
	                                      "local3", "local4", "local5", "local6",   "local7", NULL };
static const int facility_values[] = { LOG_USER,   LOG_DAEMON, LOG_AUTH,   LOG_AUTHPRIV, LOG_LOCAL0, LOG_LOCAL1,
	                               LOG_LOCAL2, LOG_LOCAL3, LOG_LOCAL4, LOG_LOCAL5,   LOG_LOCAL6, LOG_LOCAL7 };

#define ARG(member, type, min, max, def, help)                                                                  \
	CORDON_CONFIG(struct config, member, #member, CORDON_ARG_##type, 0, min, max, def, help)
static const struct cordon_config_arg config[] = {
	ARG(path, PATH, 0, 0, NULL, "log file (absolute, or relative to the policy file); a default place when absent"),
	ARG(all_runs, BOOL, 0, 0, "false", "a record for every run, not only incidents"),
	ARG(fsync, BOOL, 0, 0, "true", "fdatasync after each record"),
	ARG(syslog, BOOL, 0, 0, "false", "also send a summary line to syslog"),
	CORDON_CONFIG_ENUM(struct config, facility, "facility", facility_names, "user", "syslog facility"),
	ARG(max_record, SIZE, ILOG_MIN_RECORD, ILOG_MAX_RECORD, "64K", "longest record line"),
	ARG(lock_timeout, DURATION, 1000000, 600000000000, "10s", "wait for the log's lock"),
	CORDON_CONFIG_END,
};
#undef ARG

static int il_open(cordon_ctx *ctx, void **statep)
{
	const struct config *c = cordon_config(ctx);
	struct state *s = calloc(1, sizeof(*s));
	if (!s)
		return cordon_error(ctx, NULL, "out of memory");
	s->fd = -1;
	*statep = s;
	if (!c)
		return cordon_error(ctx, NULL, "this cordon core does not fill config tables (ABI 1.4 needed)");
	s->all_runs = c->all_runs;
	s->do_sync = c->fsync;
	s->to_syslog = c->syslog;
	s->facility = facility_values[c->facility];
	s->max_record = c->max_record;
	s->lock_timeout_ns = c->lock_timeout;

	const cordon_node *pn = cordon_arg(ctx, "path");
	if (c->path) {
		if (!(s->path = strdup(c->path)))
			return cordon_error(ctx, pn, "out of memory");
		char *err = NULL;
		if (ilog_check_path(s->path, geteuid(), &err) < 0) {
			/* Fail closed: a policy that asks for an audit log runs
			 * nothing it could not record. */
			cordon_error(ctx, pn, "%s", err ? err : "cannot open the incident log");
			free(err);
			return -1;
		}
	}
	return 0;
}

/* Open the log once (prepare, or finish of a run that ended before it):
 * the default path's directories are made here, not when the policy is
 * loaded. */
static int log_ready(cordon_ctx *ctx, struct state *s)
{
	if (s->fd >= 0)
		return 0;
	char *err = NULL;
	if (!s->path) {
		char *note = NULL;
		s->path = ilog_default_place(geteuid(), getenv("LOGS_DIRECTORY"), getenv("XDG_STATE_HOME"),
		                             getenv("HOME"), FALLBACK_BASE, &note, &err);
		if (note)
			cordon_log(ctx, CORDON_LOG_INFO, "%s", note);
		free(note);
		if (!s->path) {
			cordon_error(ctx, NULL, "incident log: %s", err ? err : "out of memory");
			free(err);
			return -1;
		}
	}
	s->fd = ilog_open(s->path, geteuid(), &err);
	if (s->fd < 0) {
		cordon_error(ctx, cordon_arg(ctx, "path"), "%s", err ? err : "cannot open the incident log");
		free(err);
		return -1;
	}
	cordon_log(ctx, CORDON_LOG_DEBUG, "incidents are logged to %s", s->path);
	return 0;
}

static int il_prepare(cordon_ctx *ctx, void *state)
{
	struct state *s = state;
	int rc = log_ready(ctx, s);
	s->prepare_failed = rc < 0;
	return rc;
}

/* cordon's version: the running libcordon's when it is in the global
 * scope (the cordon command), else the build tree's. */
static const char *core_version(void)
{
	const char *(*fn)(void) = (const char *(*)(void))dlsym(RTLD_DEFAULT, "cordon_version");
	if (fn)
		return fn();
#ifdef CORDON_VERSION
	return CORDON_VERSION;
#else
	return NULL;
#endif
}

struct make_arg {
	const struct ilog_event *ev;
	size_t max_len;
};

static char *make_line(void *arg, const char *prev, char **err)
{
	const struct make_arg *m = arg;
	return ilog_record_line(m->ev, prev, m->max_len, err);
}

/* The run's findings, as JSON objects, through finding_at: also those that
 * finish hooks earlier in the stack added. */
static json_t *collect_findings(cordon_ctx *ctx)
{
	static const char *const sev[] = { "info", "low", "medium", "high", "critical" };
	json_t *a = json_array();
	for (size_t i = 0; a && i < MAX_FINDINGS; i++) {
		struct cordon_finding f;
		memset(&f, 0, sizeof(f));
		f.size = sizeof(f);
		if (cordon_api(ctx)->finding_at(ctx, i, &f) < 0)
			break;
		json_t *o = json_object();
		int bad = !o;
		bad |= json_object_set_new(o, "module", ilog_json_text(f.module, 64)) < 0;
		bad |= json_object_set_new(o, "rule", ilog_json_text(f.rule, 128)) < 0;
		bad |= json_object_set_new(o, "severity",
		                           json_string((unsigned)f.severity < 5 ? sev[f.severity] : "critical")) < 0;
		bad |= json_object_set_new(o, "message", ilog_json_text(f.message, ILOG_MAX_STRING)) < 0;
		bad |= json_object_set_new(o, "line", f.line > 0 ? json_integer(f.line) : json_null()) < 0;
		bad |= json_object_set_new(o, "column", f.column > 0 ? json_integer(f.column) : json_null()) < 0;
		bad |= json_object_set_new(o, "file", ilog_json_text(f.file, 1024)) < 0;
		if (bad || json_array_append_new(a, o) < 0) {
			if (!bad)
				o = NULL; /* appended_new freed it */
			json_decref(o);
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/*
 * Whether the result (the core's compact JSON) surely has no redaction and
 * no module verdict "error", without parsing it.  Sound because a JSON
 * string escapes every quote: the byte sequences below, with their bare
 * quotes, occur only as the result's own keys.  When the core's format
 * changes they are not found, and the caller parses: never a missed record.
 */
static int nothing_in_result(const char *json)
{
	return json && strstr(json, "\"redactions\":[]") && !strstr(json, "\"verdict\":\"error\"");
}

/* Append the record of a run's outcome or of an event (its findings:
 * taken, freed here) when the log's rules want one. */
static int write_record(cordon_ctx *ctx, struct state *s, const struct cordon_run_info *info, json_t *findings)
{
	if (log_ready(ctx, s) < 0) {
		json_decref(findings);
		return -1;
	}
	struct ilog_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.info = info;
	ev.findings = findings;
	if (!ev.findings)
		return cordon_error(ctx, NULL, "%s: out of memory collecting the findings", s->path);
	/* In audit mode a finding is what enforcing would have denied:
	 * always worth a record. */
	ev.facts.audit = cordon_audit_mode(ctx);
	unsigned audit_kind = ev.facts.audit && json_array_size(ev.findings) > 0 ? ILOG_K_AUDIT : 0;
	/* Most runs are no incident: spare them parsing a result that may
	 * hold megabytes of output. */
	if (!s->all_runs && !audit_kind && !ilog_kinds(info, ev.findings, NULL) && nothing_in_result(info->json)) {
		json_decref(ev.findings);
		return 0;
	}
	json_error_t jerr;
	ev.result = info->json ? json_loads(info->json, JSON_ALLOW_NUL, &jerr) : NULL;
	if (!json_is_object(ev.result)) {
		json_decref(ev.result);
		ev.result = NULL;
	}
	ev.kinds = ilog_kinds(info, ev.findings, ev.result) | audit_kind;
	if (!ev.kinds && !s->all_runs) {
		json_decref(ev.findings);
		json_decref(ev.result);
		return 0;
	}

	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	if (ilog_format_time(&now, ev.facts.time, sizeof(ev.facts.time)) < 0)
		snprintf(ev.facts.time, sizeof(ev.facts.time), "%lld", (long long)now.tv_sec);
	char host[256];
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		ev.facts.host = host;
	}
	ev.facts.uid = (unsigned)getuid();
	char *user = ilog_passwd(getuid(), 0);
	ev.facts.user = user;
	ev.facts.pid = (long)getpid();
	ev.facts.version = core_version();

	struct make_arg ma = { &ev, (size_t)s->max_record - 1 };
	char *line = NULL, *err = NULL;
	off_t cut = 0;
	int rc = ilog_append(s->fd, s->lock_timeout_ns, s->do_sync, make_line, &ma, &line, &cut, &err);
	if (cut)
		cordon_warning(ctx, "%s: cut off a torn last record (%lld bytes) that an interrupted write had left",
		               s->path, (long long)cut);
	if (s->to_syslog) {
		char hex[ILOG_HEX_LEN + 1];
		int have = line && ilog_sha256_hex(line, strlen(line), hex) == 0;
		char *sum = ilog_summary(&ev, have ? hex : NULL);
		int prio = ev.kinds ? LOG_WARNING : LOG_INFO;
		if (sum)
			syslog(LOG_MAKEPRI(s->facility, prio), "%s", sum);
		free(sum);
	}
	if (rc < 0)
		cordon_error(ctx, NULL, "%s: %s", s->path, err ? err : "cannot append the record");
	else
		cordon_log(ctx, CORDON_LOG_DEBUG, "record appended to %s", s->path);
	free(err);
	free(line);
	free(user);
	json_decref(ev.findings);
	json_decref(ev.result);
	return rc;
}

static int il_finish(cordon_ctx *ctx, void *state, const struct cordon_run_info *info)
{
	struct state *s = state;
	/* Opening failed at this run's prepare: the run was stopped, or
	 * (optional) went on with a warning; either way that was said. */
	int said = s->prepare_failed;
	s->prepare_failed = 0;
	if (s->fd < 0 && said)
		return 0;
	return write_record(ctx, s, info, collect_findings(ctx));
}

/* An event outside a run (ABI 1.6: cordon serve's session cells): a record
 * as a run's, by the same rules (a denied or failed cell is an incident;
 * with log: all, every cell), with the event's session, cell and caller. */
static int il_event(cordon_ctx *ctx, void *state, const struct cordon_run_info *info)
{
	json_t *ev = info->json ? json_loads(info->json, 0, NULL) : NULL;
	json_t *findings = json_array();
	size_t i;
	json_t *f;
	json_array_foreach(json_object_get(ev, "findings"), i, f) {
		if (i >= MAX_FINDINGS)
			break;
		if (json_is_object(f))
			json_array_append(findings, f);
	}
	json_decref(ev);
	return write_record(ctx, state, info, findings);
}

static void il_close(void *state)
{
	struct state *s = state;
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	free(s);
}

/* Nothing `cordon selftest` can probe (ABI 1.5). */
static int il_requirements(cordon_ctx *ctx, void *state)
{
	(void)state;
	return cordon_require(ctx, CORDON_PROP_NOT_PROBED,
	                      "the selftest's runs are logged like any other; see `cordon log verify`");
}

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_module),
	.name = "incident_log",
	.description = "hash-chained JSON Lines audit records of incidents; syslog",
	.config = config,
	.config_size = sizeof(struct config),
	.open = il_open,
	.prepare = il_prepare,
	.finish = il_finish,
	.event = il_event,
	.close = il_close,
	.requirements = il_requirements,
};
