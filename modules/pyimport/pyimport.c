/*
 * modules/pyimport/pyimport.c - the pyimport module: a Python 3 tokenizer,
 * parser and AST checker (imports, dynamic imports, banned builtins,
 * attribute names used for sandbox escapes).  See README.md beside it.
 *
 *   with:
 *     mode: denylist          denylist (default) or allowlist
 *     allow: [math, json]     modules allowed in allowlist mode (a also allows a.b)
 *     deny: [os, subprocess]  modules denied (a also denies a.b), in either mode
 *     severity: {rule: high}  per-rule severity (info..critical) or off
 *     threshold: low          findings at or above this severity deny
 *     non_ascii: normalize    normalize (NFKC, as CPython) or deny
 *     max_depth: 3000         nesting bound of the parser
 *     max_bytes: 8M           larger sources are denied (too-large)
 *     python: "3.12"          the grammar: a version, or an interpreter to ask
 *                             (default: /usr/bin/python3's version)
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cordon/module.h>

#include "py.h"

static const struct cordon_arg args[] = {
	{ "mode", CORDON_ARG_STRING, 0, 0, 0, "allowlist or denylist (default denylist)" },
	{ "allow", CORDON_ARG_STRINGS, 0, 0, 0, "modules that may be imported in allowlist mode" },
	{ "deny", CORDON_ARG_STRINGS, 0, 0, 0, "modules that may not be imported" },
	{ "severity", CORDON_ARG_MAPPING, 0, 0, 0, "rule id: info, low, medium, high, critical or off" },
	{ "threshold", CORDON_ARG_STRING, 0, 0, 0, "lowest severity that denies (default low)" },
	{ "non_ascii", CORDON_ARG_STRING, 0, 0, 0, "normalize (NFKC, default) or deny non-ASCII identifiers" },
	{ "max_depth", CORDON_ARG_INT, 0, 20, 3000, "nesting bound of the parser in levels of the source (default 3000)" },
	{ "max_bytes", CORDON_ARG_SIZE, 0, 1, 1ll << 30, "larger sources are denied (default 8M)" },
	{ "python", CORDON_ARG_STRING, 0, 0, 0,
	  "the interpreter's version (\"3.12\") or an interpreter to ask (default /usr/bin/python3)" },
	{ NULL, 0, 0, 0, 0, NULL },
};

#define SEV_OFF (-1)

static const int default_sev[R_COUNT] = {
	[R_SYNTAX] = CORDON_SEV_CRITICAL,
	[R_TOO_DEEP] = CORDON_SEV_HIGH,
	[R_CODING] = CORDON_SEV_HIGH,
	[R_NONASCII] = CORDON_SEV_MEDIUM,
	[R_IMPORT_DENIED] = CORDON_SEV_HIGH,
	[R_IMPORT_RELATIVE] = CORDON_SEV_MEDIUM,
	[R_IMPORT_STAR] = CORDON_SEV_MEDIUM,
	[R_DYNAMIC_IMPORT] = CORDON_SEV_HIGH,
	[R_BANNED_BUILTIN] = CORDON_SEV_HIGH,
	[R_GETATTR] = CORDON_SEV_HIGH,
	[R_ESCAPE_ATTR] = CORDON_SEV_HIGH,
	[R_FORMAT_DYNAMIC] = CORDON_SEV_MEDIUM,
	[R_UNICODE_NAME] = CORDON_SEV_MEDIUM,
	[R_TOO_LARGE] = CORDON_SEV_HIGH,
	[R_MODULE_ATTR] = CORDON_SEV_HIGH,
	[R_STRING_EVAL] = CORDON_SEV_HIGH,
};

/* Rules that always deny: the source could not be checked at all. */
static int fail_closed(enum rule_id r)
{
	return r == R_SYNTAX || r == R_TOO_DEEP || r == R_CODING || r == R_TOO_LARGE;
}

struct state {
	struct checkcfg cfg;
	struct py_cache cache; /* memory reused from one source to the next */
	int sev[R_COUNT];
	int threshold;
};

struct run {
	cordon_ctx *ctx;
	const struct state *s;
	int deny;
};

static int parse_sev(const char *s)
{
	static const char *const names[] = { "info", "low", "medium", "high", "critical" };
	for (int i = 0; i < 5; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	if (strcmp(s, "off") == 0)
		return SEV_OFF;
	return -2;
}

static void free_list(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

/* A module list: dotted names of identifiers. */
static int get_list(cordon_ctx *ctx, const char *key, char ***out, size_t *n)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	const cordon_node *node = cordon_arg(ctx, key);
	if (!node)
		return 0;
	size_t cnt = api->node_type(node) == CORDON_NODE_SCALAR ? 1 : api->node_len(node);
	char **l = calloc(cnt ? cnt : 1, sizeof(char *));
	if (!l)
		return cordon_error(ctx, node, "out of memory");
	*out = l;
	for (size_t i = 0; i < cnt; i++) {
		const cordon_node *it = api->node_type(node) == CORDON_NODE_SCALAR ? node : api->node_at(node, i);
		size_t len = 0;
		const char *v = it ? api->node_scalar(it, &len) : NULL;
		if (!v)
			return cordon_error(ctx, it ? it : node, "%s: expected a module name", key);
		/* a dotted name: identifier characters and single dots between them */
		int ok = len > 0 && v[0] != '.' && v[len - 1] != '.';
		for (size_t k = 0; ok && k < len; k++) {
			char c = v[k];
			if (c == '.')
				ok = v[k + 1] != '.';
			else
				ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
				     (unsigned char)c >= 0x80;
		}
		if (!ok)
			return cordon_error(ctx, it, "%s: '%s' is not a dotted module name (like os or os.path)", key, v);
		l[i] = strdup(v);
		if (!l[i])
			return cordon_error(ctx, it, "out of memory");
		(*n)++;
	}
	return 0;
}

/* ---- the grammar version: declared, or the interpreter's ---- */

/* "3.12" -> PYV(3, 12); 0 when not a version.  With suffix, letters may
 * follow ("3.13t", a free-threaded build's name). */
static int parse_version(const char *s, int suffix)
{
	int v[2] = { 0, 0 };
	const char *p = s;
	for (int k = 0; k < 2; k++) {
		if (k && *p++ != '.')
			return 0;
		if (*p < '0' || *p > '9')
			return 0;
		for (; *p >= '0' && *p <= '9'; p++)
			if ((v[k] = v[k] * 10 + (*p - '0')) > 255)
				return 0;
	}
	while (suffix && *p >= 'a' && *p <= 'z')
		p++;
	return *p || v[0] == 0 ? 0 : PYV(v[0], v[1]);
}

/* Run `python -I -S -c ...` and read its version; 0 when it cannot be
 * told (why in err).  The child gets /dev/null as stdin and stderr, an
 * empty environment, and five seconds. */
static int ask_interpreter(const char *path, char *err, size_t errlen)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return 0;
	}
	posix_spawn_file_actions_t fa;
	if (posix_spawn_file_actions_init(&fa) != 0) {
		close(fds[0]);
		close(fds[1]);
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	int r = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (!r)
		r = posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	if (!r)
		r = posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	char *const argv[] = { (char *)path, (char *)"-I", (char *)"-S", (char *)"-c",
		               (char *)"import sys; print('%d.%d' % sys.version_info[:2])", NULL };
	char *const envp[] = { NULL };
	pid_t pid = -1;
	if (!r)
		r = posix_spawn(&pid, path, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (r) {
		close(fds[0]);
		snprintf(err, errlen, "cannot run it: %s", strerror(r));
		return 0;
	}
	char buf[32];
	size_t n = 0;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long ms = 5000 - (long)((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000);
		struct pollfd pfd = { fds[0], POLLIN, 0 };
		int pr = ms > 0 ? poll(&pfd, 1, (int)ms) : 0;
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0) {
			n = SIZE_MAX; /* timed out */
			break;
		}
		ssize_t k = read(fds[0], buf + n, sizeof(buf) - 1 - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
		if (n == sizeof(buf) - 1)
			break;
	}
	close(fds[0]);
	if (n == SIZE_MAX)
		kill(pid, SIGKILL);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (n == SIZE_MAX) {
		snprintf(err, errlen, "it did not answer within 5 seconds");
		return 0;
	}
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	int v = WIFEXITED(st) && WEXITSTATUS(st) == 0 ? parse_version(buf, 0) : 0;
	if (!v)
		snprintf(err, errlen, "it did not print its version (exit status %d)", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return v;
}

/* The version of the interpreter at path: from the name it resolves to
 * (/usr/bin/python3 -> python3.11: no process), else by running it. */
static int interpreter_version(const char *path, char *err, size_t errlen)
{
	char real[PATH_MAX];
	if (!realpath(path, real)) {
		snprintf(err, errlen, "%s", strerror(errno));
		return 0;
	}
	/* the name it resolves to, else the name given */
	const char *names[] = { real, path };
	for (int i = 0; i < 2; i++) {
		const char *base = strrchr(names[i], '/');
		base = base ? base + 1 : names[i];
		if (strncmp(base, "python", 6) == 0) {
			int v = parse_version(base + 6, 1);
			if (v)
				return v;
		}
	}
	return ask_interpreter(real, err, errlen);
}

#define DEFAULT_PYTHON "/usr/bin/python3"

static int open_python(cordon_ctx *ctx, struct state *s)
{
	const cordon_node *n = cordon_arg(ctx, "python");
	const char *v = n ? cordon_api(ctx)->node_scalar(n, NULL) : DEFAULT_PYTHON;
	if (!v)
		return cordon_error(ctx, n, "python: expected a version such as \"3.12\" or an interpreter's path");
	int ver;
	char why[160] = "";
	if (v[0] == '/') {
		ver = interpreter_version(v, why, sizeof(why));
		if (!ver)
			return cordon_error(ctx, n, "python: cannot tell the version of %s (%s); declare it, e.g. python: \"3.12\"",
			                    v, why);
	} else {
		ver = parse_version(v, 0);
		if (!ver)
			return cordon_error(ctx, n, "python: '%s' is not a version such as \"3.12\" or an interpreter's path", v);
	}
	if (ver < PYV_MIN || ver > PYV_MAX)
		return cordon_error(ctx, n,
		                    "python: %s%s%d.%d, and pyimport parses the grammar of Python %d.%d to %d.%d only "
		                    "(declare python: \"%d.%d\" to check with the nearest grammar it knows)",
		                    v[0] == '/' ? v : "", v[0] == '/' ? " is Python " : "Python ", ver >> 8, ver & 0xff,
		                    PYV_MIN >> 8, PYV_MIN & 0xff, PYV_MAX >> 8, PYV_MAX & 0xff,
		                    (ver < PYV_MIN ? PYV_MIN : PYV_MAX) >> 8, (ver < PYV_MIN ? PYV_MIN : PYV_MAX) & 0xff);
	s->cfg.pyver = ver;
	return 0;
}

static int py_open(cordon_ctx *ctx, void **statep)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	struct state *s = calloc(1, sizeof(*s));
	if (!s)
		return cordon_error(ctx, NULL, "out of memory");
	*statep = s;
	memcpy(s->sev, default_sev, sizeof(s->sev));
	s->threshold = CORDON_SEV_LOW;
	s->cfg.max_depth = 3000;
	s->cfg.max_bytes = 8u << 20;

	const cordon_node *n;
	if ((n = cordon_arg(ctx, "mode"))) {
		const char *v = api->node_scalar(n, NULL);
		if (v && strcmp(v, "allowlist") == 0)
			s->cfg.allowlist = 1;
		else if (!v || strcmp(v, "denylist") != 0)
			return cordon_error(ctx, n, "mode: expected allowlist or denylist");
	}
	if (get_list(ctx, "allow", &s->cfg.allow, &s->cfg.n_allow) < 0 ||
	    get_list(ctx, "deny", &s->cfg.deny, &s->cfg.n_deny) < 0)
		return -1;
	if (s->cfg.allowlist && !cordon_arg(ctx, "allow"))
		return cordon_error(ctx, cordon_arg(ctx, "mode"), "mode allowlist needs an allow: list");
	if (!s->cfg.allowlist && cordon_arg(ctx, "allow"))
		return cordon_error(ctx, cordon_arg(ctx, "allow"), "allow: only meaningful with mode: allowlist");
	if ((n = cordon_arg(ctx, "severity"))) {
		for (size_t i = 0; i < api->node_len(n); i++) {
			const cordon_node *k = api->node_key_at(n, i), *v = api->node_value_at(n, i);
			const char *ks = api->node_scalar(k, NULL), *vs = v ? api->node_scalar(v, NULL) : NULL;
			int r = -1;
			for (int j = 0; ks && j < R_COUNT; j++)
				if (strcmp(ks, rule_names[j]) == 0)
					r = j;
			if (r < 0)
				return cordon_error(ctx, k, "severity: unknown rule '%s' (rules: syntax-error, too-deep, "
				                            "coding-cookie, non-ascii-identifier, import-denied, import-relative, "
				                            "import-star, dynamic-import, banned-builtin, getattr-dynamic, "
				                            "escape-attribute, format-dynamic, unicode-name-escape, too-large, "
				                            "module-attribute, string-eval)",
				                    ks ? ks : "");
			int sv = vs ? parse_sev(vs) : -2;
			if (sv == -2)
				return cordon_error(ctx, v ? v : k, "severity: expected info, low, medium, high, critical or off");
			if (sv == SEV_OFF && fail_closed((enum rule_id)r))
				return cordon_error(ctx, v, "severity: %s cannot be off (the source could not be checked)", ks);
			s->sev[r] = sv;
		}
	}
	if ((n = cordon_arg(ctx, "threshold"))) {
		const char *v = api->node_scalar(n, NULL);
		int sv = v ? parse_sev(v) : -2;
		if (sv < 0)
			return cordon_error(ctx, n, "threshold: expected info, low, medium, high or critical");
		s->threshold = sv;
	}
	if ((n = cordon_arg(ctx, "non_ascii"))) {
		const char *v = api->node_scalar(n, NULL);
		if (v && strcmp(v, "deny") == 0)
			s->cfg.non_ascii_deny = 1;
		else if (!v || strcmp(v, "normalize") != 0)
			return cordon_error(ctx, n, "non_ascii: expected normalize or deny");
	}
	if ((n = cordon_arg(ctx, "max_depth"))) {
		int64_t v;
		if (api->node_int(ctx, n, &v) < 0)
			return -1;
		s->cfg.max_depth = (int)v;
	}
	if ((n = cordon_arg(ctx, "max_bytes"))) {
		uint64_t v;
		if (api->node_size(ctx, n, &v) < 0)
			return -1;
		s->cfg.max_bytes = (size_t)v;
	}
	if (open_python(ctx, s) < 0)
		return -1;
	if (s->sev[R_NONASCII] == SEV_OFF && s->cfg.non_ascii_deny)
		return cordon_error(ctx, cordon_arg(ctx, "non_ascii"), "non_ascii: deny with non-ascii-identifier off");
	return 0;
}

static void on_finding(void *ud, enum rule_id rule, const char *name, int line, int col, const char *msg)
{
	struct run *r = ud;
	(void)name;
	int sev = r->s->sev[rule];
	if (sev == SEV_OFF)
		return;
	if (fail_closed(rule) || sev >= r->s->threshold)
		r->deny = 1;
	cordon_finding(r->ctx, rule_names[rule], (enum cordon_severity)sev, line > 0 ? line : 0,
	               line > 0 ? (long)col + 1 : 0, "%s", msg);
}

static int py_check_hook(cordon_ctx *ctx, void *state, const struct cordon_source *src)
{
	struct state *s = state;
	if (src->language && strcmp(src->language, "python") != 0)
		return CORDON_IGNORE;
	struct run r = { ctx, s, 0 };
	if (py_check(&s->cfg, &s->cache, src->data, src->len, on_finding, &r) < 0) {
		cordon_log(ctx, CORDON_LOG_ERROR, "%s: out of memory while checking", src->name);
		return CORDON_ERROR;
	}
	return r.deny ? CORDON_DENY : CORDON_PASS;
}

static void py_close(void *state)
{
	struct state *s = state;
	if (!s)
		return;
	free_list(s->cfg.allow, s->cfg.n_allow);
	free_list(s->cfg.deny, s->cfg.n_deny);
	py_cache_free(&s->cache);
	free(s);
}

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_module),
	.name = "pyimport",
	.description = "Python tokenizer, parser and AST checks: imports, dynamic imports, banned builtins, escapes",
	.args = args,
	.open = py_open,
	.check = py_check_hook,
	.close = py_close,
};
