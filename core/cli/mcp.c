/*
 * core/cli/mcp.c - `cordon mcp`: a Model Context Protocol server on stdio.
 *
 * Messages are JSON-RPC 2.0 objects, one per line, read from stdin and
 * written to stdout (MCP's stdio transport); nothing else ever reaches
 * stdout: the protocol gets a private duplicate of descriptor 1, and 1
 * itself is pointed at stderr before anything runs, so a stray write by a
 * library or module lands in the log, not in the protocol.  Likewise the
 * protocol's input is a private duplicate of 0, and 0 becomes /dev/null.
 *
 * Tools (tools/list gives their JSON Schemas):
 *   execute_code  run code under a policy NAME (never a path: the client is
 *                 a model), chosen by language when none is given; optional
 *                 stdin text and per-call limits that may only tighten
 *   check_code    the check phase only
 *   list_policies the policy names this cordon finds
 * Policies are loaded once per (name, limits) and kept (MCP_CACHE, least
 * recently used evicted).  A run's result is cordon's --json object
 * (structuredContent) and a text a model can act on; a denial names its
 * findings with their lines and says not to work around the policy.
 *
 * Everything read is bounded: a message (MCP_MAX_MESSAGE), the code
 * (MCP_MAX_CODE), the input (MCP_MAX_INPUT), the limits; the program's
 * output is bounded by the policy as for `cordon run`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <jansson.h>

#include <cordon/cordon.h>

#include "infiles.h"
#include "mcp.h"

#define MCP_MAX_MESSAGE (8u * 1024 * 1024) /* one JSON-RPC message, newline excluded */
#define MCP_MAX_CODE (1u * 1024 * 1024)    /* execute_code / check_code's code */
#define MCP_MAX_INPUT (4u * 1024 * 1024)   /* execute_code's stdin text */
#define MCP_MAX_NAME 64                    /* a policy name */
#define MCP_MAX_LIMITS 16                  /* per-call limits in one call */
#define MCP_MAX_LIMIT_TEXT 32              /* a limit's name or value */
#define MCP_CACHE 16                       /* loaded policies kept */

/* JSON-RPC 2.0 error codes. */
#define RPC_PARSE_ERROR (-32700)
#define RPC_INVALID_REQUEST (-32600)
#define RPC_METHOD_NOT_FOUND (-32601)
#define RPC_INVALID_PARAMS (-32602)
#define RPC_INTERNAL_ERROR (-32603)

static const char *const protocol_versions[] = { "2025-06-18", "2025-03-26", "2024-11-05" };

static const char deny_advice[] =
	"The policy denied this code; do not try to work around the policy — change the approach or ask the user.";

/* The shipped preset for each language, used when a call names no policy. */
static const struct {
	const char *language, *policy;
} presets[] = {
	{ "python", "default" },
	{ "javascript", "javascript" },
	{ "shell", "shell" },
};

struct cached {
	char *key; /* name, then NUL-separated per-call settings, then an empty one */
	size_t key_len;
	cordon_policy *policy;
	const char *language; /* what its interpreter runs (static), or NULL */
	unsigned long used;
	bool borrowed; /* the host's policy: never freed here */
};

struct server {
	int in_fd, out_fd;
	const char *policy_dir;
	int verbose;
	const struct mcp_host *host; /* another transport's decisions, or NULL */
	const struct mcp_forward *fwd; /* stdio with a service behind it, or NULL */
	char *captured; /* with host: the answer, instead of writing it */
	struct cached cache[MCP_CACHE];
	unsigned long tick;
	int out_errno; /* the protocol's output failed */
};

/* A JSON-RPC error for the request being answered. */
struct rpc_err {
	int code;
	char msg[512];
};

static int rpc_fail(struct rpc_err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int rpc_fail(struct rpc_err *e, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	e->code = code;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logmsg(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("cordon mcp: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ---- signals: end the server (and cancel a run in progress) ---- */

static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;
	got_signal = sig;
	if (sig_pipe[1] >= 0)
		(void)!write(sig_pipe[1], &b, 1);
	errno = saved;
}

static int install_signals(void)
{
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -1;
	return 0;
}

/* ---- JSON helpers ---- */

/* A JSON string of text that may not be valid UTF-8 (an error message
 * naming a file): invalid bytes become '?'. */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s ? s : "");
	if (j || !s)
		return j;
	char *c = strdup(s);
	if (!c)
		return NULL;
	for (unsigned char *p = (unsigned char *)c; *p; p++)
		if (*p >= 0x80)
			*p = '?';
	j = json_string(c);
	free(c);
	return j;
}

/* A growing text, for the tool results' text content. */
struct text {
	char *s;
	size_t len, cap;
	bool oom;
};

static void tadd(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tadd(struct text *t, const char *fmt, ...)
{
	if (t->oom)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		t->oom = true;
		return;
	}
	if (t->len + (size_t)n + 1 > t->cap) {
		size_t cap = (t->len + (size_t)n + 1) * 2;
		char *ns = realloc(t->s, cap);
		if (!ns) {
			t->oom = true;
			return;
		}
		t->s = ns;
		t->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

/* Text bytes as they are (output may hold NULs: the JSON string kept them). */
static void tadd_bytes(struct text *t, const char *s, size_t n)
{
	if (t->oom)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = (t->len + n + 1) * 2;
		char *ns = realloc(t->s, cap);
		if (!ns) {
			t->oom = true;
			return;
		}
		t->s = ns;
		t->cap = cap;
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

/* The result of tools/call: one text block, isError, and the structured
 * result when there is one (owned: stolen). */
static json_t *tool_result(struct text *t, bool is_error, json_t *structured, struct rpc_err *e)
{
	json_t *text = NULL;
	if (!t->oom)
		text = json_stringn(t->s ? t->s : "", t->len);
	free(t->s);
	memset(t, 0, sizeof(*t));
	json_t *r = text ? json_pack("{s:[{s:s,s:o}],s:b}", "content", "type", "text", "text", text, "isError",
	                             is_error)
	                 : NULL;
	if (r && structured && json_object_set_new(r, "structuredContent", structured) == 0)
		structured = NULL;
	json_decref(structured);
	if (!r)
		rpc_fail(e, RPC_INTERNAL_ERROR, "out of memory");
	return r;
}

/* A tool error a model can act on: isError with one text. */
static json_t *tool_error(struct rpc_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static json_t *tool_error(struct rpc_err *e, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	struct text t = { 0 };
	tadd(&t, "%s", buf);
	return tool_result(&t, true, NULL, e);
}

/* ---- arguments ---- */

/* Every key of args is one of allowed (NULL-terminated). */
static int args_known(json_t *args, const char *tool, const char *const *allowed, struct rpc_err *e)
{
	const char *k;
	json_t *v;
	json_object_foreach(args, k, v) {
		size_t i = 0;
		while (allowed[i] && strcmp(allowed[i], k) != 0)
			i++;
		if (!allowed[i])
			return rpc_fail(e, RPC_INVALID_PARAMS, "%s: unknown argument '%.64s'", tool, k);
	}
	return 0;
}

/* A string argument of at most max bytes; *out NULL when absent and not
 * required.  nul_ok: the string may hold NUL bytes (code, input). */
static int arg_string(json_t *args, const char *tool, const char *name, bool required, size_t max, bool nul_ok,
                      const char **out, size_t *len, struct rpc_err *e)
{
	json_t *v = json_object_get(args, name);
	*out = NULL;
	if (len)
		*len = 0;
	if (!v) {
		if (required)
			return rpc_fail(e, RPC_INVALID_PARAMS, "%s: the argument '%s' is required", tool, name);
		return 0;
	}
	if (!json_is_string(v))
		return rpc_fail(e, RPC_INVALID_PARAMS, "%s: '%s' must be a string", tool, name);
	size_t n = json_string_length(v);
	if (n > max)
		return rpc_fail(e, RPC_INVALID_PARAMS, "%s: '%s' is %zu bytes, more than the %zu allowed", tool, name, n,
		                max);
	if (!nul_ok && strlen(json_string_value(v)) != n)
		return rpc_fail(e, RPC_INVALID_PARAMS, "%s: '%s' must not contain a NUL character", tool, name);
	*out = json_string_value(v);
	if (len)
		*len = n;
	return 0;
}

static const char *preset_for(const char *language)
{
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
		if (strcmp(presets[i].language, language) == 0)
			return presets[i].policy;
	return NULL;
}

static int arg_language(json_t *args, const char *tool, const char **lang, struct rpc_err *e)
{
	if (arg_string(args, tool, "language", true, 32, false, lang, NULL, e) < 0)
		return -1;
	if (!preset_for(*lang))
		return rpc_fail(e, RPC_INVALID_PARAMS, "%s: 'language' must be python, javascript or shell, not '%.32s'",
		                tool, *lang);
	return 0;
}

/* A policy NAME as cordon_policy_load takes it, never a path: no '/', no
 * .yaml/.yml ending (both would load a file), letters, digits and ._-. */
static const char *policy_name_problem(const char *name)
{
	size_t n = strlen(name);
	if (n == 0)
		return "it is empty";
	if (strchr(name, '/'))
		return "it is a path (it has a '/')";
	if ((n > 5 && strcmp(name + n - 5, ".yaml") == 0) || (n > 4 && strcmp(name + n - 4, ".yml") == 0))
		return "it is a file name (it ends in .yaml or .yml)";
	if (name[0] == '.' || name[0] == '-')
		return "it starts with '.' or '-'";
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '-' || *p == '.'))
			return "it has a character other than letters, digits, '_', '-' and '.'";
	return NULL;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The per-call limits object as "limit:NAME=VALUE" strings, sorted (so
 * that the cache sees one key for one set), NULL-terminated in *out
 * (strings owned by it; free with free_strv).  Names and values are
 * restricted to what an rlimit key and value are made of; whether a value
 * tightens is the library's decision (tighten.c). */
static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int arg_limits(json_t *args, const char *tool, char ***out, struct rpc_err *e)
{
	*out = NULL;
	json_t *lim = json_object_get(args, "limits");
	if (!lim)
		return 0;
	if (!json_is_object(lim))
		return rpc_fail(e, RPC_INVALID_PARAMS, "%s: 'limits' must be an object such as {\"wall\": \"5s\"}", tool);
	size_t n = json_object_size(lim);
	if (n > MCP_MAX_LIMITS)
		return rpc_fail(e, RPC_INVALID_PARAMS, "%s: 'limits' has %zu entries, more than %d", tool, n,
		                MCP_MAX_LIMITS);
	char **v = calloc(n + 1, sizeof(char *));
	if (!v)
		return rpc_fail(e, RPC_INTERNAL_ERROR, "out of memory");
	size_t i = 0;
	const char *k;
	json_t *val;
	json_object_foreach(lim, k, val) {
		char num[32];
		const char *s = NULL;
		if (json_is_integer(val) && json_integer_value(val) >= 0) {
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(val));
			s = num;
		} else if (json_is_string(val)) {
			s = json_string_value(val);
		}
		bool ok_name = *k && strlen(k) <= MCP_MAX_LIMIT_TEXT;
		for (const char *p = k; ok_name && *p; p++)
			ok_name = (*p >= 'a' && *p <= 'z') || *p == '_';
		bool ok_val = s && *s && strlen(s) <= MCP_MAX_LIMIT_TEXT &&
		              (!json_is_string(val) || strlen(s) == json_string_length(val));
		for (const char *p = s; ok_val && *p; p++)
			ok_val = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			         *p == '.';
		if (!ok_name || !ok_val) {
			free_strv(v);
			return rpc_fail(e, RPC_INVALID_PARAMS,
			                "%s: limits: '%.32s' must be an rlimit key (cpu, wall, memory, output, processes, "
			                "...) with a value such as \"5s\", \"64M\" or a non-negative integer",
			                tool, k);
		}
		if (asprintf(&v[i], "limit:%s=%s", k, s) < 0) {
			v[i] = NULL;
			free_strv(v);
			return rpc_fail(e, RPC_INTERNAL_ERROR, "out of memory");
		}
		i++;
	}
	qsort(v, i, sizeof(char *), by_string);
	*out = v;
	return 0;
}

/* ---- policies, loaded once ---- */

/* The policy NAME tightened by limits, from the cache or loaded into it.
 * NULL and *why (free it) when it cannot be loaded. */
static struct cached *policy_get(struct server *s, const char *name, char **limits, char **why)
{
	size_t key_len = strlen(name) + 1;
	for (size_t i = 0; limits && limits[i]; i++)
		key_len += strlen(limits[i]) + 1;
	key_len++;
	char *key = malloc(key_len);
	if (!key) {
		*why = strdup("out of memory");
		return NULL;
	}
	size_t at = 0;
	memcpy(key, name, strlen(name) + 1);
	at += strlen(name) + 1;
	for (size_t i = 0; limits && limits[i]; i++) {
		memcpy(key + at, limits[i], strlen(limits[i]) + 1);
		at += strlen(limits[i]) + 1;
	}
	key[at] = '\0';
	struct cached *slot = &s->cache[0];
	for (size_t i = 0; i < MCP_CACHE; i++) {
		struct cached *c = &s->cache[i];
		if (c->policy && c->key_len == key_len && memcmp(c->key, key, key_len) == 0) {
			free(key);
			c->used = ++s->tick;
			return c;
		}
		if (!c->policy || (slot->policy && c->used < slot->used))
			slot = c;
	}
	struct cordon_load_options lo = {
		.size = sizeof(lo),
		.policy_dir = s->policy_dir,
		.verbose = s->verbose,
		.tighten = (const char *const *)limits,
	};
	char *err = NULL;
	cordon_policy *p = NULL;
	bool borrowed = false;
	if (s->host && s->host->warm_policy && !(limits && limits[0]) &&
	    (p = s->host->warm_policy(s->host->arg, name)) != NULL)
		borrowed = true;
	else
		p = cordon_policy_load(name, &lo, &err);
	if (!p) {
		free(key);
		*why = err ? err : strdup("cannot load the policy");
		return NULL;
	}
	if (slot->policy) {
		if (s->verbose)
			logmsg("policy cache full: dropping '%s'", cordon_policy_name(slot->policy));
		if (!slot->borrowed)
			cordon_policy_free(slot->policy);
		free(slot->key);
	}
	slot->policy = p;
	slot->borrowed = borrowed;
	slot->key = key;
	slot->key_len = key_len;
	slot->language = cordon_policy_language(p);
	slot->used = ++s->tick;
	if (s->verbose)
		logmsg("loaded policy '%s' from %s", cordon_policy_name(p), cordon_policy_file(p));
	return slot;
}

/* The policy a call asked for (or the language's preset), checked to be a
 * name and to run the language.  NULL with a tool error in *terr (or an
 * RPC error in e when *terr is NULL too). */
static struct cached *call_policy(struct server *s, json_t *args, const char *tool, const char *language,
                                  char **limits, json_t **terr, struct rpc_err *e)
{
	const char *name;
	*terr = NULL;
	if (arg_string(args, tool, "policy", false, MCP_MAX_NAME, false, &name, NULL, e) < 0)
		return NULL;
	if (!name) {
		name = preset_for(language);
	} else {
		const char *problem = policy_name_problem(name);
		if (problem) {
			*terr = tool_error(e,
			                   "policy '%s' refused: %s. 'policy' takes the NAME of a policy this server "
			                   "offers (list_policies shows them), never a path; leave it out to use the "
			                   "preset for %s ('%s').",
			                   name, problem, language, preset_for(language));
			return NULL;
		}
	}
	const char *refused = s->host && s->host->refuse_policy ? s->host->refuse_policy(s->host->arg, name) : NULL;
	if (refused) {
		*terr = tool_error(e, "policy '%s' refused, nothing was run: %s. list_policies shows the policies you may use.",
		                   name, refused);
		return NULL;
	}
	char *why = NULL;
	struct cached *c = policy_get(s, name, limits, &why);
	if (!c) {
		*terr = tool_error(e, "the policy could not be loaded, nothing was run: %s", why ? why : "unknown error");
		free(why);
		return NULL;
	}
	if (c->language && strcmp(c->language, language) != 0) {
		*terr = tool_error(e,
		                   "policy '%s' runs %s, but the code is %s: nothing was run. Use the policy '%s' for "
		                   "%s (or leave 'policy' out).",
		                   name, c->language, language, preset_for(language), language);
		return NULL;
	}
	return c;
}

/* ---- results as text ---- */

static long jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_integer(v) ? (long)json_integer_value(v) : 0;
}

static const char *jtext(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));
	return v ? v : "";
}

static int by_line(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	long lx = jint(x, "line"), ly = jint(y, "line");
	if (lx != ly)
		return lx < ly ? -1 : 1;
	long cx = jint(x, "column"), cy = jint(y, "column");
	return cx < cy ? -1 : cx > cy;
}

/* The findings, by line: "line L, column C: SEVERITY: MESSAGE [MODULE/RULE]". */
static void text_findings(struct text *t, json_t *findings)
{
	size_t n = json_array_size(findings);
	if (!n)
		return;
	json_t **v = calloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		if (v)
			v[i] = json_array_get(findings, i);
	if (v)
		qsort(v, n, sizeof(*v), by_line);
	tadd(t, "findings:\n");
	for (size_t i = 0; i < n; i++) {
		json_t *f = v ? v[i] : json_array_get(findings, i);
		long line = jint(f, "line"), col = jint(f, "column");
		if (line > 0)
			tadd(t, "  line %ld, column %ld: ", line, col > 0 ? col : 1);
		else
			tadd(t, "  (the whole source): ");
		tadd(t, "%s: %s [%s/%s]\n", jtext(f, "severity"), jtext(f, "message"), jtext(f, "module"),
		     jtext(f, "rule"));
	}
	free(v);
}

static void text_stream(struct text *t, json_t *res, const char *name)
{
	json_t *v = json_object_get(res, name);
	size_t n = json_string_length(v);
	bool cut = json_is_true(json_object_get(json_object_get(res, "truncated"), name));
	if (!n && !cut)
		return;
	tadd(t, "%s%s:\n", name, cut ? " (truncated by the policy's output limit)" : "");
	tadd_bytes(t, json_string_value(v) ? json_string_value(v) : "", n);
	if (n && json_string_value(v)[n - 1] != '\n')
		tadd(t, "\n");
}

static void text_warnings(struct text *t, json_t *res)
{
	size_t i;
	json_t *w;
	json_array_foreach(json_object_get(res, "warnings"), i, w)
	{
		if (json_is_string(w))
			tadd(t, "warning: %s\n", json_string_value(w));
	}
}

/* ---- tools ---- */

static json_t *tool_execute_code(struct server *s, json_t *args, struct rpc_err *e)
{
	static const char *const allowed[] = { "language", "code", "policy", "input", "limits", "session", "outputs",
		                               "files", NULL };
	const char *tool = "execute_code", *lang, *code, *input, *session;
	size_t code_len, input_len;
	json_t *outputs = json_object_get(args, "outputs");
	if (outputs && !json_is_boolean(outputs))
		return rpc_fail(e, RPC_INVALID_PARAMS, "execute_code: 'outputs' must be true or false"), NULL;
	if (json_is_true(outputs) && !(s->host && s->host->output_dir))
		return tool_error(e, "outputs are kept only by cordon serve's /mcp (read them with read_output_file); "
		                     "over stdio leave 'outputs' out");
	if (args_known(args, tool, allowed, e) < 0 || arg_language(args, tool, &lang, e) < 0 ||
	    arg_string(args, tool, "code", true, MCP_MAX_CODE, true, &code, &code_len, e) < 0 ||
	    arg_string(args, tool, "input", false, MCP_MAX_INPUT, true, &input, &input_len, e) < 0 ||
	    arg_string(args, tool, "session", false, 256, true, &session, NULL, e) < 0)
		return NULL;
	if (session)
		return tool_error(e, "sessions are not available here (they need cordon-serve installed beside cordon). Call "
		                     "execute_code without 'session': each call runs in a fresh sandbox, so pass everything "
		                     "the code needs in 'code' and 'input'.");
	char **limits = NULL;
	if (arg_limits(args, tool, &limits, e) < 0)
		return NULL;
	json_t *terr = NULL;
	struct cached *c = call_policy(s, args, tool, lang, limits, &terr, e);
	free_strv(limits);
	if (!c)
		return terr;

	/* The files, in a fresh directory of the run's own (the service's
	 * private one, else TMPDIR), removed after the run. */
	char *in_dir = NULL;
	json_t *files = json_object_get(args, "files");
	if (files) {
		const char *tmp = getenv("TMPDIR");
		const char *base = s->host && s->host->input_base ? s->host->input_base
		                   : tmp && tmp[0] == '/'         ? tmp
		                                                  : "/tmp";
		struct infiles_limits lim = { INFILES_DEFAULT_BYTES, INFILES_DEFAULT_FILES };
		if (s->host && s->host->input_base)
			lim = (struct infiles_limits){ s->host->max_input_bytes, s->host->max_input_files };
		char why[400];
		int status = 0;
		if (infiles_write(files, base, &lim, &in_dir, &status, why, sizeof(why)) < 0)
			return tool_error(e, "%s", why);
	}
	/* The input text, as a sealed memory file the run opens by its
	 * /proc/self/fd name (never a file in a directory someone shares). */
	int in_fd = -1;
	char in_path[64];
	if (input) {
		in_fd = memfd_create("cordon-mcp-input", MFD_CLOEXEC | MFD_ALLOW_SEALING);
		size_t off = 0;
		while (in_fd >= 0 && off < input_len) {
			ssize_t w = write(in_fd, input + off, input_len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		if (in_fd < 0 || off < input_len ||
		    fcntl(in_fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0) {
			int err = errno;
			if (in_fd >= 0)
				close(in_fd);
			remove_tree(in_dir);
			free(in_dir);
			return tool_error(e, "cannot store the input: %s", strerror(err));
		}
		snprintf(in_path, sizeof(in_path), "/proc/self/fd/%d", in_fd);
	}
	struct cordon_run_options ro = {
		.size = sizeof(ro),
		.source_data = code,
		.source_len = code_len,
		.input = input ? in_path : NULL,
		.stream_stdout_fd = -1,
		.stream_stderr_fd = -1,
		.cancel_fd = s->host ? s->host->cancel_fd : sig_pipe[0],
		.caller = s->host ? s->host->caller : NULL,
		.output_dir = json_is_true(outputs) ? s->host->output_dir : NULL,
		.input_dir = in_dir,
	};
	char *err = NULL;
	cordon_result *r = cordon_run(c->policy, &ro, &err);
	if (in_fd >= 0)
		close(in_fd);
	remove_tree(in_dir);
	free(in_dir);
	if (!r) {
		json_t *out = tool_error(e, "the run could not be attempted: %s", err ? err : "unknown error");
		free(err);
		return out;
	}
	char *js = cordon_result_json(r);
	json_error_t jerr;
	json_t *res = js ? json_loads(js, 0, &jerr) : NULL;
	free(js);
	if (!res) {
		cordon_result_free(r);
		return tool_error(e, "cannot read the run's result");
	}
	const char *st = cordon_result_status(r);
	struct text t = { 0 };
	bool is_error = false;
	tadd(&t, "policy: %s\n", cordon_policy_name(c->policy));
	if (strcmp(st, "ok") == 0 || strcmp(st, "failed") == 0) {
		tadd(&t, "status: %s (exit code %d)\n", st, cordon_result_exit_status(r));
	} else if (strcmp(st, "denied") == 0) {
		is_error = true;
		tadd(&t, "status: denied (%s)\n",
		     cordon_result_ran(r) ? "stopped by the policy while it ran" : "nothing was run");
	} else if (strcmp(st, "timeout") == 0) {
		is_error = true;
		tadd(&t, "status: timeout (the wall time limit was reached and the run was killed)\n");
	} else if (strcmp(st, "killed") == 0) {
		is_error = true;
		const char *limit = cordon_result_limit(r);
		int sig = cordon_result_signal(r);
		if (limit)
			tadd(&t, "status: killed (the %s limit was reached", limit);
		else
			tadd(&t, "status: killed (");
		if (sig)
			tadd(&t, "%ssignal %d, %s", limit ? "; " : "", sig, strsignal(sig));
		tadd(&t, ")\n");
	} else {
		is_error = true;
		tadd(&t, "status: %s: %s\n", st, cordon_result_error(r) ? cordon_result_error(r) : "unknown error");
	}
	text_findings(&t, json_object_get(res, "findings"));
	text_warnings(&t, res);
	text_stream(&t, res, "stdout");
	text_stream(&t, res, "stderr");
	if (json_is_true(outputs)) {
		size_t k;
		json_t *o;
		tadd(&t, "outputs (read one with read_output_file, run %s):\n", s->host->run_id ? s->host->run_id : "?");
		json_array_foreach(json_object_get(res, "outputs"), k, o)
		tadd(&t, "  %s (%lld bytes)\n", jtext(o, "path"), (long long)jint(o, "size"));
		if (!json_array_size(json_object_get(res, "outputs")))
			tadd(&t, "  (none: the program wrote nothing to /output)\n");
		json_object_set_new(res, "run", jstr(s->host->run_id ? s->host->run_id : ""));
	}
	if (strcmp(st, "denied") == 0)
		tadd(&t, "%s\n", deny_advice);
	cordon_result_free(r);
	return tool_result(&t, is_error, res, e);
}

static json_t *tool_check_code(struct server *s, json_t *args, struct rpc_err *e)
{
	static const char *const allowed[] = { "language", "code", "policy", NULL };
	const char *tool = "check_code", *lang, *code;
	size_t code_len;
	if (args_known(args, tool, allowed, e) < 0 || arg_language(args, tool, &lang, e) < 0 ||
	    arg_string(args, tool, "code", true, MCP_MAX_CODE, true, &code, &code_len, e) < 0)
		return NULL;
	json_t *terr = NULL;
	struct cached *c = call_policy(s, args, tool, lang, NULL, &terr, e);
	if (!c)
		return terr;
	char *err = NULL;
	cordon_result *r = cordon_check(c->policy, NULL, code, code_len, &err);
	if (!r) {
		json_t *out = tool_error(e, "the code could not be checked: %s", err ? err : "unknown error");
		free(err);
		return out;
	}
	if (strcmp(cordon_result_status(r), "error") == 0) {
		json_t *out = tool_error(e, "the code could not be checked: %s",
		                         cordon_result_error(r) ? cordon_result_error(r) : "unknown error");
		cordon_result_free(r);
		return out;
	}
	char *js = cordon_result_json(r);
	json_error_t jerr;
	json_t *res = js ? json_loads(js, 0, &jerr) : NULL;
	free(js);
	bool denied = strcmp(cordon_result_status(r), "denied") == 0;
	cordon_result_free(r);
	if (!res)
		return tool_error(e, "cannot read the check's result");
	struct text t = { 0 };
	tadd(&t, "policy: %s\nverdict: %s (%s)\n", cordon_policy_name(c->policy), denied ? "deny" : "pass",
	     denied ? "execute_code would refuse this code" : "the checks allow it to run");
	text_findings(&t, json_object_get(res, "findings"));
	if (denied)
		tadd(&t, "%s\n", deny_advice);
	return tool_result(&t, false, res, e);
}

static json_t *tool_list_policies(struct server *s, json_t *args, struct rpc_err *e)
{
	static const char *const allowed[] = { NULL };
	if (args_known(args, "list_policies", allowed, e) < 0)
		return NULL;
	struct cordon_load_options lo = { .size = sizeof(lo), .policy_dir = s->policy_dir, .verbose = s->verbose };
	char *err = NULL;
	char **v = NULL;
	const char *const *names_of_host = s->host && s->host->policy_names ? s->host->policy_names(s->host->arg) : NULL;
	if (names_of_host) {
		size_t n = 0;
		while (names_of_host[n])
			n++;
		if ((v = calloc(n + 1, sizeof(char *))) != NULL)
			for (size_t i = 0; i < n; i++)
				if (!(v[i] = strdup(names_of_host[i]))) {
					cordon_strv_free(v);
					v = NULL;
					break;
				}
		if (!v)
			err = strdup("out of memory");
	} else {
		v = cordon_policy_list(&lo, &err);
	}
	if (!v) {
		json_t *out = tool_error(e, "cannot list the policies: %s", err ? err : "unknown error");
		free(err);
		return out;
	}
	json_t *names = json_array(), *defaults = json_object();
	struct text t = { 0 };
	tadd(&t, "policies (pass one as 'policy'; without it, execute_code uses the default for the language):\n");
	for (char **p = v; *p; p++) {
		char *tab = strchr(*p, '\t');
		if (tab)
			*tab = '\0';
		if (names)
			json_array_append_new(names, jstr(*p));
		tadd(&t, "  %s", *p);
		for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
			if (strcmp(presets[i].policy, *p) == 0)
				tadd(&t, " (the default for %s)", presets[i].language);
		tadd(&t, "\n");
	}
	cordon_strv_free(v);
	for (size_t i = 0; defaults && i < sizeof(presets) / sizeof(presets[0]); i++) {
		bool offered = !names_of_host;
		for (size_t k = 0; names_of_host && names_of_host[k]; k++)
			offered = offered || strcmp(names_of_host[k], presets[i].policy) == 0;
		if (offered)
			json_object_set_new(defaults, presets[i].language, json_string(presets[i].policy));
	}
	json_t *res = names && defaults ? json_pack("{s:o,s:o}", "policies", names, "defaults", defaults) : NULL;
	if (!res) {
		json_decref(names);
		json_decref(defaults);
		free(t.s);
		rpc_fail(e, RPC_INTERNAL_ERROR, "out of memory");
		return NULL;
	}
	return tool_result(&t, false, res, e);
}

/* execute_code's files: the schema of one entry. */
static json_t *files_schema(void)
{
	json_error_t jerr;
	return json_pack_ex(&jerr, 0, "{s:s,s:s,s:{s:s,s:{s:{s:s},s:{s:s},s:{s:s,s:[ss]}},s:[ss],s:b}}", "type", "array",
	                    "description",
	                    "Files the program reads at /input (read-only; $CORDON_INPUT_DIR names it): each a path "
	                    "relative to /input (no '..'), its content, and its encoding (utf-8, the default, or base64 "
	                    "for bytes).",
	                    "items", "type", "object", "properties", "path", "type", "string", "content", "type",
	                    "string", "encoding", "type", "string", "enum", "utf-8", "base64", "required", "path",
	                    "content", "additionalProperties", 0);
}

/* tools/list: each tool with its JSON Schema. */
static json_t *tools_list(void)
{
	static const char code_desc[] = "The program's source text.";
	static const char policy_desc[] =
		"The NAME of a policy (list_policies shows them; never a path). Default: the preset for the "
		"language (python: default, javascript: javascript, shell: shell).";
	json_error_t jerr;
	json_t *l = json_pack_ex(
		&jerr, 0,
		"{s:[{s:s,s:s,s:{s:s,s:{s:{s:s,s:[sss],s:s},s:{s:s,s:s},s:{s:s,s:s},s:{s:s,s:s},"
		"s:{s:s,s:s,s:{s:[ss]}},s:{s:s,s:s}},s:[ss],s:b}},"
		"{s:s,s:s,s:{s:s,s:{s:{s:s,s:[sss]},s:{s:s,s:s},s:{s:s,s:s}},s:[ss],s:b}},"
		"{s:s,s:s,s:{s:s,s:{},s:b}}]}",
		"tools",
		/* execute_code */
		"name", "execute_code", "description",
		"Run code in cordon's sandbox under a policy and return its status, exit code, output and the "
		"policy's findings (with line numbers). Each call runs in a fresh sandbox. A denial is the "
		"policy's decision: do not try to work around it.",
		"inputSchema", "type", "object", "properties",
		"language", "type", "string", "enum", "python", "javascript", "shell", "description",
		"The language of the code; picks the interpreter's policy when 'policy' is not given.",
		"code", "type", "string", "description", code_desc,
		"policy", "type", "string", "description", policy_desc,
		"input", "type", "string", "description", "Text given to the program on its standard input.",
		"limits", "type", "object", "description",
		"Per-call resource limits that may only tighten the policy's, by rlimit key: cpu, wall, memory, "
		"output, processes, open_files, file_size, ... e.g. {\"wall\": \"5s\", \"memory\": \"128M\"}.",
		"additionalProperties", "type", "string", "integer",
		"session", "type", "string", "description",
		"A name for a Python session whose variables live between calls (started by the first call "
		"with the name; over cordon serve's /mcp only: `cordon mcp` on stdio refuses it).",
		"required", "language", "code", "additionalProperties", 0,
		/* check_code */
		"name", "check_code", "description",
		"Run only the policy's checks over code, without running it: the verdict (pass or deny) and the "
		"findings with line numbers.",
		"inputSchema", "type", "object", "properties",
		"language", "type", "string", "enum", "python", "javascript", "shell",
		"code", "type", "string", "description", code_desc,
		"policy", "type", "string", "description", policy_desc,
		"required", "language", "code", "additionalProperties", 0,
		/* list_policies */
		"name", "list_policies", "description",
		"The names of the policies this server offers, and the default policy for each language.",
		"inputSchema", "type", "object", "properties", "additionalProperties", 0);
	json_t *props = json_object_get(json_object_get(json_array_get(json_object_get(l, "tools"), 0), "inputSchema"),
	                                "properties");
	if (props)
		json_object_set_new(props, "files", files_schema());
	return l;
}

/* Over cordon serve's /mcp: execute_code's outputs and read_output_file. */
static json_t *tools_list_hosted(void)
{
	json_t *l = tools_list();
	json_t *tools = json_object_get(l, "tools");
	json_t *ex = json_array_get(tools, 0);
	json_t *props = json_object_get(json_object_get(ex, "inputSchema"), "properties");
	json_error_t jerr;
	if (props)
		json_object_set_new(props, "outputs",
		                    json_pack_ex(&jerr, 0, "{s:s,s:s}", "type", "boolean", "description",
		                                 "Keep what the program writes to /output (plots, data files); the result "
		                                 "names the run and lists the files for read_output_file."));
	if (tools)
		json_array_append_new(
			tools, json_pack_ex(&jerr, 0, "{s:s,s:s,s:{s:s,s:{s:{s:s},s:{s:s}},s:[ss],s:b}}", "name",
			                    "read_output_file", "description",
			                    "Read a file that a run of execute_code with outputs: true left in /output: text as "
			                    "text, an image as an image, anything else as a base64 blob.",
			                    "inputSchema", "type", "object", "properties", "run", "type", "string", "path", "type",
			                    "string", "required", "run", "path", "additionalProperties", 0));
	return l;
}

/* ---- the protocol ---- */

static json_t *handle_initialize(json_t *params, struct rpc_err *e)
{
	const char *want = json_string_value(json_object_get(params, "protocolVersion"));
	if (!want)
		return rpc_fail(e, RPC_INVALID_PARAMS, "initialize: 'protocolVersion' (a string) is required"), NULL;
	/* The client's version when this server speaks it, else the latest
	 * this server speaks (the client then decides). */
	const char *ver = protocol_versions[0];
	for (size_t i = 0; i < sizeof(protocol_versions) / sizeof(protocol_versions[0]); i++)
		if (strcmp(want, protocol_versions[i]) == 0)
			ver = protocol_versions[i];
	json_t *r = json_pack("{s:s,s:{s:{s:b}},s:{s:s,s:s},s:s}", "protocolVersion", ver, "capabilities", "tools",
	                      "listChanged", 0, "serverInfo", "name", "cordon", "version", cordon_version(),
	                      "instructions",
	                      "cordon runs code in a sandbox under a named policy. list_policies gives the names; "
	                      "execute_code runs code, check_code only checks it. When a policy denies code, do not "
	                      "try to work around it: change the approach or ask the user.");
	if (!r)
		rpc_fail(e, RPC_INTERNAL_ERROR, "out of memory");
	return r;
}

static json_t *handle_tools_call(struct server *s, json_t *params, struct rpc_err *e)
{
	const char *name = json_string_value(json_object_get(params, "name"));
	if (!name)
		return rpc_fail(e, RPC_INVALID_PARAMS, "tools/call: 'name' (a string) is required"), NULL;
	json_t *args = json_object_get(params, "arguments");
	json_t *empty = NULL;
	if (!args)
		args = empty = json_object();
	json_t *r = NULL;
	if (!args)
		rpc_fail(e, RPC_INTERNAL_ERROR, "out of memory");
	else if (!json_is_object(args))
		rpc_fail(e, RPC_INVALID_PARAMS, "tools/call: 'arguments' must be an object");
	else if (strcmp(name, "execute_code") == 0)
		r = tool_execute_code(s, args, e);
	else if (strcmp(name, "check_code") == 0)
		r = tool_check_code(s, args, e);
	else if (strcmp(name, "list_policies") == 0)
		r = tool_list_policies(s, args, e);
	else
		rpc_fail(e, RPC_INVALID_PARAMS, "unknown tool '%.64s' (tools/list: execute_code, check_code, list_policies)",
		         name);
	json_decref(empty);
	return r;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Write one message (stolen) as a line. */
static void send_msg(struct server *s, json_t *msg)
{
	if (!msg || s->out_errno) {
		if (!msg && !s->out_errno)
			logmsg("cannot build a reply: out of memory");
		json_decref(msg);
		return;
	}
	char *text = json_dumps(msg, JSON_COMPACT | JSON_REAL_PRECISION(9));
	json_decref(msg);
	if (!text) {
		logmsg("cannot format a reply: out of memory");
		return;
	}
	size_t n = strlen(text);
	if (s->host) { /* another transport sends it */
		free(s->captured);
		s->captured = text;
		return;
	}
	text[n] = '\n'; /* in place of the NUL: the line is written in one go */
	if (write_all(s->out_fd, text, n + 1) < 0)
		s->out_errno = errno ? errno : EIO;
	free(text);
}

static void send_error(struct server *s, json_t *id, int code, const char *msg)
{
	send_msg(s, json_pack("{s:s,s:O,s:{s:i,s:o}}", "jsonrpc", "2.0", "id", id ? id : json_null(), "error", "code",
	                      code, "message", jstr(msg)));
}

/* A tool call that only a service can answer: a session's cell, a run
 * whose /output is kept, a kept file read back. */
static bool needs_service(json_t *params)
{
	const char *name = json_string_value(json_object_get(params, "name"));
	json_t *args = json_object_get(params, "arguments");
	if (!name)
		return false;
	if (strcmp(name, "read_output_file") == 0)
		return true;
	return strcmp(name, "execute_code") == 0 &&
	       (json_is_string(json_object_get(args, "session")) || json_is_true(json_object_get(args, "outputs")));
}

/* The service's answer, passed on as it is (it is a JSON-RPC message to
 * this request: checked to be one, with this id). */
static void forward_call(struct server *s, json_t *id, const char *line, size_t len)
{
	char why[512] = "";
	char *answer = s->fwd->call(s->fwd->arg, line, len, why, sizeof(why));
	json_t *msg = answer ? json_loads(answer, JSON_REJECT_DUPLICATES, NULL) : NULL;
	free(answer);
	if (msg && json_is_object(msg) && json_equal(json_object_get(msg, "id"), id)) {
		send_msg(s, msg);
		return;
	}
	json_decref(msg);
	if (!why[0])
		snprintf(why, sizeof(why), "the service's answer is not a JSON-RPC response to this request");
	send_error(s, id, RPC_INTERNAL_ERROR, why);
}

static void handle_message(struct server *s, const char *line, size_t len)
{
	json_error_t jerr;
	json_t *msg = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!msg) {
		char m[300];
		snprintf(m, sizeof(m), "Parse error: %s at byte %d", jerr.text, jerr.position);
		send_error(s, NULL, RPC_PARSE_ERROR, m);
		return;
	}
	if (json_is_array(msg)) {
		send_error(s, NULL, RPC_INVALID_REQUEST, "Invalid Request: batches are not supported (one message a line)");
		json_decref(msg);
		return;
	}
	if (!json_is_object(msg)) {
		send_error(s, NULL, RPC_INVALID_REQUEST, "Invalid Request: a message is a JSON object");
		json_decref(msg);
		return;
	}
	json_t *id = json_object_get(msg, "id");
	json_t *method_j = json_object_get(msg, "method");
	json_t *params = json_object_get(msg, "params");
	const char *method = json_string_value(method_j);
	/* MCP: an id is a string or an integer, never null. */
	if (id && !json_is_string(id) && !json_is_integer(id)) {
		send_error(s, NULL, RPC_INVALID_REQUEST, "Invalid Request: 'id' must be a string or an integer");
		goto out;
	}
	if (!json_is_string(json_object_get(msg, "jsonrpc")) ||
	    strcmp(json_string_value(json_object_get(msg, "jsonrpc")), "2.0") != 0) {
		send_error(s, id, RPC_INVALID_REQUEST, "Invalid Request: 'jsonrpc' must be \"2.0\"");
		goto out;
	}
	if (!method_j && id && (json_object_get(msg, "result") || json_object_get(msg, "error")))
		goto out; /* a response: this server sends no requests, nothing to match */
	if (!method) {
		send_error(s, id, RPC_INVALID_REQUEST, "Invalid Request: 'method' (a string) is required");
		goto out;
	}
	if (!id) {
		/* A notification: never answered, whatever it is. */
		if (s->verbose)
			logmsg("notification %s", method);
		goto out;
	}
	if (params && !json_is_object(params)) {
		send_error(s, id, RPC_INVALID_PARAMS, "Invalid params: 'params' must be an object");
		goto out;
	}
	struct rpc_err e = { RPC_INTERNAL_ERROR, "internal error" };
	json_t *result = NULL;
	if (strcmp(method, "initialize") == 0)
		result = handle_initialize(params, &e);
	else if (strcmp(method, "ping") == 0)
		result = json_object();
	else if (strcmp(method, "tools/list") == 0)
		result = (s->host && s->host->offer_outputs) || s->fwd ? tools_list_hosted() : tools_list();
	else if (strcmp(method, "tools/call") == 0 && s->fwd && needs_service(params)) {
		forward_call(s, id, line, len);
		goto out;
	} else if (strcmp(method, "tools/call") == 0)
		result = handle_tools_call(s, params, &e);
	else
		rpc_fail(&e, RPC_METHOD_NOT_FOUND, "Method not found: '%.64s'", method);
	if (result)
		send_msg(s, json_pack("{s:s,s:O,s:o}", "jsonrpc", "2.0", "id", id, "result", result));
	else
		send_error(s, id, e.code, e.msg);
out:
	json_decref(msg);
}

/* Lines from the protocol's input: each complete one handled, one longer
 * than MCP_MAX_MESSAGE answered with an error and skipped to its end.
 * Returns 0 at end of input, -1 when reading or writing failed or a
 * signal came. */
static int serve(struct server *s)
{
	size_t cap = 64 * 1024, len = 0;
	char *buf = malloc(cap);
	bool skipping = false;
	if (!buf) {
		logmsg("out of memory");
		return -1;
	}
	int rc = 0;
	for (;;) {
		if (got_signal || s->out_errno) {
			rc = -1;
			break;
		}
		struct pollfd pf[2] = { { s->in_fd, POLLIN, 0 }, { sig_pipe[0], POLLIN, 0 } };
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			logmsg("poll: %s", strerror(errno));
			rc = -1;
			break;
		}
		if (pf[1].revents)
			continue; /* got_signal is set */
		if (len == cap) {
			size_t ncap = cap * 2 > MCP_MAX_MESSAGE + 2 ? MCP_MAX_MESSAGE + 2 : cap * 2;
			char *nb = ncap > cap ? realloc(buf, ncap) : NULL;
			if (!nb) {
				logmsg("out of memory");
				rc = -1;
				break;
			}
			buf = nb;
			cap = ncap;
		}
		ssize_t n = read(s->in_fd, buf + len, cap - len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			logmsg("reading the input: %s", strerror(errno));
			rc = -1;
			break;
		}
		if (n == 0) {
			/* A last message without its newline is still one. */
			while (len && (buf[len - 1] == '\r' || buf[len - 1] == ' ' || buf[len - 1] == '\t'))
				len--;
			if (len && !skipping)
				handle_message(s, buf, len);
			break;
		}
		len += (size_t)n;
		size_t start = 0;
		for (;;) {
			char *nl = memchr(buf + start, '\n', len - start);
			if (!nl)
				break;
			size_t ll = (size_t)(nl - (buf + start));
			if (skipping) {
				skipping = false;
			} else {
				const char *l = buf + start;
				size_t k = ll;
				while (k && (l[k - 1] == '\r' || l[k - 1] == ' ' || l[k - 1] == '\t'))
					k--;
				if (k > MCP_MAX_MESSAGE)
					send_error(s, NULL, RPC_INVALID_REQUEST,
					           "Invalid Request: a message is larger than 8388608 bytes");
				else if (k)
					handle_message(s, l, k);
			}
			start += ll + 1;
		}
		memmove(buf, buf + start, len - start);
		len -= start;
		if (len > MCP_MAX_MESSAGE + 1 && !skipping) {
			send_error(s, NULL, RPC_INVALID_REQUEST, "Invalid Request: a message is larger than 8388608 bytes");
			skipping = true;
		}
		if (skipping)
			len = 0;
	}
	free(buf);
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: cordon [--policy-dir DIR] mcp [--policy-dir DIR] [-v]\n"
	           "\n"
	           "A Model Context Protocol server on stdio: JSON-RPC 2.0 messages, one a line.\n"
	           "Tools: execute_code, check_code, list_policies.\n");
}

int cordon_mcp_stopping(void)
{
	return got_signal != 0;
}

int cordon_cli_mcp(int argc, char **argv, const char *policy_dir, int verbose)
{
	return cordon_cli_mcp_forwarding(argc, argv, policy_dir, verbose, NULL);
}

static int mcp_stdio(int argc, char **argv, const char *policy_dir, int verbose, const struct mcp_forward *fwd);

int cordon_cli_mcp_forwarding(int argc, char **argv, const char *policy_dir, int verbose,
                              const struct mcp_forward *fwd)
{
	int rc = mcp_stdio(argc, argv, policy_dir, verbose, fwd);
	if (fwd && fwd->stop)
		fwd->stop(fwd->arg);
	return rc;
}

static int mcp_stdio(int argc, char **argv, const char *policy_dir, int verbose, const struct mcp_forward *fwd)
{
	struct server s;
	memset(&s, 0, sizeof(s));
	s.policy_dir = policy_dir;
	s.verbose = verbose;
	s.fwd = fwd;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			s.verbose = 1;
		} else if (strcmp(a, "--policy-dir") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "cordon: mcp: --policy-dir: needs a directory\nTry 'cordon --help'.\n");
				return CORDON_EXIT_ERROR;
			}
			s.policy_dir = argv[++i];
		} else if (strncmp(a, "--policy-dir=", 13) == 0) {
			s.policy_dir = a + 13;
		} else {
			fprintf(stderr, "cordon: mcp: unexpected argument '%s'\nTry 'cordon --help'.\n", a);
			return CORDON_EXIT_ERROR;
		}
	}
	/* The protocol's own descriptors; 0 and 1 then point elsewhere so
	 * that nothing else can read the messages or write among them. */
	fflush(stdout);
	s.in_fd = fcntl(0, F_DUPFD_CLOEXEC, 3);
	s.out_fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
	int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (s.in_fd < 0 || s.out_fd < 0 || null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(2, 1) < 0) {
		fprintf(stderr, "cordon: mcp: cannot set up the standard descriptors: %s\n", strerror(errno));
		return CORDON_EXIT_ERROR;
	}
	close(null_fd);
	if (install_signals() < 0) {
		fprintf(stderr, "cordon: mcp: cannot install signal handlers: %s\n", strerror(errno));
		return CORDON_EXIT_ERROR;
	}
	if (s.verbose)
		logmsg("serving on stdio (cordon %s)", cordon_version());
	int rc = serve(&s) < 0 ? CORDON_EXIT_ERROR : 0;
	if (s.out_errno)
		logmsg("writing to the client failed: %s", strerror(s.out_errno));
	if (got_signal)
		rc = 128 + got_signal;
	for (size_t i = 0; i < MCP_CACHE; i++) {
		if (s.cache[i].policy)
			cordon_policy_free(s.cache[i].policy);
		free(s.cache[i].key);
	}
	close(s.in_fd);
	close(s.out_fd);
	return rc;
}

/* ---- another transport ---- */

char *cordon_mcp_handle(const struct mcp_host *host, const char *msg, size_t len)
{
	struct server s;
	memset(&s, 0, sizeof(s));
	s.in_fd = s.out_fd = -1;
	s.host = host;
	s.policy_dir = host->policy_dir;
	s.verbose = host->verbose;
	if (len > MCP_MAX_MESSAGE)
		send_error(&s, NULL, RPC_INVALID_REQUEST, "Invalid Request: a message is larger than 8388608 bytes");
	else
		handle_message(&s, msg, len);
	for (size_t i = 0; i < MCP_CACHE; i++) {
		if (s.cache[i].policy && !s.cache[i].borrowed)
			cordon_policy_free(s.cache[i].policy);
		free(s.cache[i].key);
	}
	return s.captured;
}

char *cordon_mcp_method(const char *msg, size_t len)
{
	json_t *m = json_loadb(msg, len, JSON_REJECT_DUPLICATES, NULL);
	const char *method = json_string_value(json_object_get(m, "method"));
	char *out = method && json_object_get(m, "id") ? strdup(method) : NULL;
	json_decref(m);
	return out;
}
