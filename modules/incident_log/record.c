/*
 * modules/incident_log/record.c - one record of the incident log: which
 * incidents a run is, the record's fields, and its size bound.
 *
 * A record is one line of compact JSON (jansson escapes every control
 * character, so a record never contains a newline), keys in a fixed order,
 * prev last.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "incident_log.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

int ilog_format_time(const struct timespec *ts, char *buf, size_t cap)
{
	struct tm tm;
	if (!localtime_r(&ts->tv_sec, &tm))
		return -1;
	char date[32];
	if (strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return -1;
	long off = tm.tm_gmtoff;
	char sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	int n = snprintf(buf, cap, "%s.%03ld%c%02ld:%02ld", date, ts->tv_nsec / 1000000, sign, off / 3600,
	                 off % 3600 / 60);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

json_t *ilog_json_text(const char *s, size_t max)
{
	if (!s)
		return json_null();
	size_t len = strlen(s);
	int cut = 0;
	if (len > max) {
		/* Back off to the start of a UTF-8 sequence, leaving room for "...". */
		len = max > 3 ? max - 3 : 0;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
		cut = 1;
	}
	char *copy = malloc(len + 4);
	if (!copy)
		return NULL;
	memcpy(copy, s, len);
	if (cut)
		memcpy(copy + len, "...", 3);
	size_t n = len + (cut ? 3 : 0);
	copy[n] = '\0';
	json_t *j = json_stringn(copy, n);
	if (!j) {
		/* Not UTF-8 (a module's message with raw bytes): keep it ASCII. */
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)copy[i] >= 0x80)
				copy[i] = '?';
		j = json_stringn(copy, n);
	}
	free(copy);
	return j;
}

unsigned ilog_kinds(const struct cordon_run_info *info, json_t *findings, json_t *result)
{
	unsigned k = 0;
	const char *st = info->status ? info->status : "error";
	if (strcmp(st, "denied") == 0)
		k |= ILOG_K_DENIED;
	if (strcmp(st, "error") == 0)
		k |= ILOG_K_ERROR;
	if (info->limit)
		k |= ILOG_K_LIMIT;
	else if (info->signal > 0)
		k |= ILOG_K_SIGNAL;
	size_t i;
	json_t *v;
	json_array_foreach(findings, i, v)
	{
		const char *m = json_string_value(json_object_get(v, "module"));
		if (m && strcmp(m, "seccomp") == 0)
			k |= ILOG_K_SECCOMP;
		const char *rule = json_string_value(json_object_get(v, "rule"));
		if (m && rule && strcmp(m, "egress") == 0 && strcmp(rule, "egress-denied") == 0)
			k |= ILOG_K_NETWORK;
	}
	json_array_foreach(json_object_get(result, "redactions"), i, v)
	{
		if (json_integer_value(json_object_get(v, "count")) > 0)
			k |= ILOG_K_REDACTION;
	}
	json_array_foreach(json_object_get(result, "modules"), i, v)
	{
		const char *verdict = json_string_value(json_object_get(v, "verdict"));
		if (verdict && strcmp(verdict, "error") == 0)
			k |= ILOG_K_MODULE_ERROR;
	}
	return k;
}

static const struct {
	unsigned bit;
	const char *name;
} kind_names[] = {
	{ ILOG_K_DENIED, "denied" }, { ILOG_K_ERROR, "error" },        { ILOG_K_LIMIT, "limit" },
	{ ILOG_K_SIGNAL, "signal" }, { ILOG_K_SECCOMP, "seccomp" },    { ILOG_K_REDACTION, "redaction" },
	{ ILOG_K_MODULE_ERROR, "module_error" }, { ILOG_K_AUDIT, "audit" },    { ILOG_K_NETWORK, "network" },
};

/* Set key to val (stolen); a NULL val (allocation failure) clears *ok. */
static void put(json_t *o, const char *key, json_t *val, int *ok)
{
	if (!val || json_object_set_new(o, key, val) < 0)
		*ok = 0;
}

/* Milliseconds to the microsecond, so they print short. */
static json_t *ms(double v)
{
	if (!(v >= 0 && v < 1e12))
		return json_real(0);
	return json_real((double)(long long)(v * 1000.0 + 0.5) / 1000.0);
}

static json_t *int_or_null(long long v, int is_null)
{
	return is_null ? json_null() : json_integer(v);
}

/* The result's array KEY of strings (warnings, per-call settings), at most
 * ILOG_MAX_WARNINGS, each cut. */
static json_t *strings_of(json_t *result, const char *key)
{
	json_t *out = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(result, key), i, v)
	{
		if (!out || i >= ILOG_MAX_WARNINGS)
			break;
		const char *s = json_string_value(v);
		if (s && json_array_append_new(out, ilog_json_text(s, ILOG_MAX_STRING)) < 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

static json_t *redactions_of(json_t *result)
{
	json_t *out = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(result, "redactions"), i, v)
	{
		if (!out || i >= ILOG_MAX_REDACTIONS)
			break;
		int ok = 1;
		json_t *r = json_object();
		if (!r) {
			json_decref(out);
			return NULL;
		}
		put(r, "module", ilog_json_text(json_string_value(json_object_get(v, "module")), 64), &ok);
		put(r, "rule", ilog_json_text(json_string_value(json_object_get(v, "rule")), 128), &ok);
		put(r, "stream", ilog_json_text(json_string_value(json_object_get(v, "stream")), 16), &ok);
		put(r, "count", json_integer(json_integer_value(json_object_get(v, "count"))), &ok);
		if (!ok || json_array_append_new(out, r) < 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* The record with the first keep findings; lean drops warnings and redactions. */
static char *render(const struct ilog_event *ev, const char *prev, size_t keep, int lean)
{
	const struct cordon_run_info *in = ev->info;
	const struct ilog_facts *f = &ev->facts;
	json_t *o = json_object();
	if (!o)
		return NULL;
	int ok = 1;
	put(o, "time", json_string(f->time), &ok);
	put(o, "host", ilog_json_text(f->host, 256), &ok);
	put(o, "uid", json_integer(f->uid), &ok);
	put(o, "user", ilog_json_text(f->user, 256), &ok);
	put(o, "pid", json_integer(f->pid), &ok);
	put(o, "policy", ilog_json_text(in->policy, 256), &ok);
	put(o, "mode", json_string(f->audit ? "audit" : "enforce"), &ok);
	json_t *kinds = json_array();
	for (size_t i = 0; kinds && i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if ((ev->kinds & kind_names[i].bit) && json_array_append_new(kinds, json_string(kind_names[i].name)) < 0)
			ok = 0;
	put(o, "kinds", kinds, &ok);
	put(o, "status", ilog_json_text(in->status, 32), &ok);
	put(o, "exit", json_integer(in->cli_exit), &ok);
	put(o, "exit_code", int_or_null(in->exit_code, in->exit_code < 0), &ok);
	put(o, "signal", int_or_null(in->signal, in->signal <= 0), &ok);
	put(o, "limit", ilog_json_text(in->limit, 32), &ok);
	put(o, "error", ilog_json_text(json_string_value(json_object_get(ev->result, "error")), ILOG_MAX_STRING),
	    &ok);
	size_t total = json_array_size(ev->findings);
	json_t *fs = json_array();
	for (size_t i = 0; fs && i < keep && i < total; i++)
		if (json_array_append(fs, json_array_get(ev->findings, i)) < 0)
			ok = 0;
	put(o, "findings", fs, &ok);
	if (keep < total)
		put(o, "findings_dropped", json_integer((json_int_t)(total - keep)), &ok);
	put(o, "redactions", lean ? json_array() : redactions_of(ev->result), &ok);
	put(o, "warnings", lean ? json_array() : strings_of(ev->result, "warnings"), &ok);
	/* Who asked for the run (cordon serve's caller), when someone said. */
	if (json_is_string(json_object_get(ev->result, "caller")))
		put(o, "caller", ilog_json_text(json_string_value(json_object_get(ev->result, "caller")), 128), &ok);
	/* An event outside a run (a session's cell): what it was, and which. */
	if (json_is_string(json_object_get(ev->result, "event")))
		put(o, "event", ilog_json_text(json_string_value(json_object_get(ev->result, "event")), 64), &ok);
	if (json_is_string(json_object_get(ev->result, "session")))
		put(o, "session", ilog_json_text(json_string_value(json_object_get(ev->result, "session")), 64), &ok);
	if (json_is_integer(json_object_get(ev->result, "cell")))
		put(o, "cell", json_integer(json_integer_value(json_object_get(ev->result, "cell"))), &ok);
	/* A run whose policy a caller tightened says so (the settings as given). */
	if (json_array_size(json_object_get(ev->result, "tightened")))
		put(o, "tightened", strings_of(ev->result, "tightened"), &ok);
	json_t *usage = json_object();
	if (usage) {
		put(usage, "wall_ms", ms(in->wall_ms), &ok);
		put(usage, "cpu_ms", ms(in->cpu_ms), &ok);
		put(usage, "max_rss_kb", json_integer(in->max_rss_kb), &ok);
	}
	put(o, "usage", usage, &ok);
	char hex[ILOG_HEX_LEN + 1];
	if (in->source && ilog_sha256_hex(in->source, in->source_len, hex) == 0) {
		put(o, "sha256", json_string(hex), &ok);
		put(o, "code_bytes", json_integer((json_int_t)in->source_len), &ok);
	} else {
		if (in->source)
			ok = 0;
		put(o, "sha256", json_null(), &ok);
		put(o, "code_bytes", json_null(), &ok);
	}
	put(o, "cordon_version", ilog_json_text(f->version, 64), &ok);
	if (lean)
		put(o, "truncated", json_true(), &ok);
	put(o, ILOG_PREV_KEY, json_string(prev), &ok);
	char *text = ok ? json_dumps(o, DUMP_FLAGS) : NULL;
	json_decref(o);
	return text;
}

char *ilog_record_line(const struct ilog_event *ev, const char *prev, size_t max_len, char **err)
{
	size_t total = json_array_size(ev->findings);
	char *text = render(ev, prev, total, 0);
	if (!text) {
		ilog_set_err(err, "cannot build the record (out of memory)");
		return NULL;
	}
	if (strlen(text) <= max_len)
		return text;
	free(text);
	/* Too long: the largest number of findings that fits, by bisection. */
	size_t lo = 0, hi = total; /* hi does not fit; lo is unknown until tried */
	char *best = NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		char *t = render(ev, prev, mid, 0);
		if (!t) {
			free(best);
			ilog_set_err(err, "cannot build the record (out of memory)");
			return NULL;
		}
		if (strlen(t) <= max_len) {
			free(best);
			best = t;
			lo = mid + 1;
		} else {
			free(t);
			hi = mid;
		}
	}
	if (best)
		return best;
	/* Not even without findings: drop warnings and redactions too. */
	text = render(ev, prev, 0, 1);
	if (!text) {
		ilog_set_err(err, "cannot build the record (out of memory)");
		return NULL;
	}
	if (strlen(text) <= max_len)
		return text;
	ilog_set_err(err, "the record does not fit in max_record (%zu bytes) even without its findings",
	             max_len + 1);
	free(text);
	return NULL;
}

/* Copy s for a syslog line: control characters and spaces become '_'. */
static void clean_token(char *dst, size_t cap, const char *s)
{
	size_t n = 0;
	for (; s && *s && n + 1 < cap; s++, n++)
		dst[n] = ((unsigned char)*s <= 0x20 || *s == 0x7f) ? '_' : *s;
	dst[n] = '\0';
	if (n == 0 && cap > 1)
		snprintf(dst, cap, "-");
}

char *ilog_summary(const struct ilog_event *ev, const char *record_hex)
{
	const struct cordon_run_info *in = ev->info;
	char kinds[128] = "";
	size_t used = 0;
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
		if (!(ev->kinds & kind_names[i].bit))
			continue;
		int n = snprintf(kinds + used, sizeof(kinds) - used, "%s%s", used ? "," : "", kind_names[i].name);
		if (n < 0 || (size_t)n >= sizeof(kinds) - used)
			break;
		used += (size_t)n;
	}
	if (!used)
		snprintf(kinds, sizeof(kinds), "none");
	char policy[128], user[64], limit[32];
	clean_token(policy, sizeof(policy), in->policy);
	clean_token(user, sizeof(user), ev->facts.user);
	clean_token(limit, sizeof(limit), in->limit);
	char sha[ILOG_HEX_LEN + 1] = "-";
	if (in->source && ilog_sha256_hex(in->source, in->source_len, sha) < 0)
		snprintf(sha, sizeof(sha), "?");
	char *s = NULL;
	if (asprintf(&s,
	             "%s policy=%s uid=%u user=%s pid=%ld kinds=%s status=%s exit=%d limit=%s findings=%zu sha256=%s "
	             "record=%s",
	             ev->kinds ? "incident" : "run", policy, ev->facts.uid, user, ev->facts.pid, kinds,
	             in->status ? in->status : "-", in->cli_exit, limit, json_array_size(ev->findings), sha,
	             record_hex ? record_hex : "unwritten") < 0)
		return NULL;
	return s;
}
