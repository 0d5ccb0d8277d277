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
 *     api: "3.11"             allowlist mode: the public API of the allowed
 *                             modules (rules/python-api-3.11.yaml, or a path)
 *     isolation: auto         auto, none or contained: whether the policy's
 *                             isolation confines files and the environment
 */
#define _GNU_SOURCE /* pipe2 */
#include <dlfcn.h>
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

#include "api.h"

/* The arguments as the core fills them (ABI 1.4 config table). */
struct config {
	int mode; /* modes[] */
	const char *const *allow, *const *deny; /* NULL-terminated; NULL when absent */
	const cordon_node *severity; /* rule id: severity, checked in open */
	int threshold; /* enum cordon_severity */
	int non_ascii; /* 0 normalize, 1 deny */
	int64_t max_depth;
	uint64_t max_bytes;
	const char *python; /* "3.12" or an interpreter's path */
	const char *api; /* a version or a path, resolved in open */
	int isolation; /* enum isolation */
};

static const char *const modes[] = { "denylist", "allowlist", NULL };
static const char *const severities[] = { "info", "low", "medium", "high", "critical", NULL };
static const char *const non_ascii_choices[] = { "normalize", "deny", NULL };
static const char *const isolations[] = { "auto", "none", "contained", NULL }; /* enum isolation */

#define ARG(member, type, min, max, def, help)                                                                  \
	CORDON_CONFIG(struct config, member, #member, CORDON_ARG_##type, 0, min, max, def, help)
#define CHOICE(member, choices, def, help) CORDON_CONFIG_ENUM(struct config, member, #member, choices, def, help)
static const struct cordon_config_arg config[] = {
	CHOICE(mode, modes, "denylist", "allowlist or denylist"),
	ARG(allow, STRINGS, 0, 0, NULL, "modules that may be imported in allowlist mode"),
	ARG(deny, STRINGS, 0, 0, NULL, "modules that may not be imported"),
	ARG(severity, MAPPING, 0, 0, NULL, "rule id: info, low, medium, high, critical or off"),
	CHOICE(threshold, severities, "low", "lowest severity that denies"),
	CHOICE(non_ascii, non_ascii_choices, "normalize", "normalize (NFKC) or deny non-ASCII identifiers"),
	ARG(max_depth, INT, 20, 3000, "3000", "nesting bound of the parser in levels of the source"),
	ARG(max_bytes, SIZE, 1, 1ll << 30, "8M", "larger sources are denied"),
	ARG(python, STRING, 0, 0, "/usr/bin/python3", "the interpreter's version (\"3.12\") or an interpreter to ask"),
	ARG(api, STRING, 0, 0, NULL,
	    "allowlist mode: Python version of the API data (rules/python-api-VERSION.yaml) or its path"),
	CHOICE(isolation, isolations, "auto", "auto (from the policy's isolation module), none or contained"),
	CORDON_CONFIG_END,
};
#undef ARG
#undef CHOICE

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
	[R_API_DENIED] = CORDON_SEV_HIGH,
	[R_PRIVATE] = CORDON_SEV_HIGH,
	[R_MODULE_VALUE] = CORDON_SEV_HIGH,
	[R_SINK] = CORDON_SEV_HIGH,
	[R_CLASS_HOOK] = CORDON_SEV_HIGH,
	[R_TYPE_EXPR] = CORDON_SEV_HIGH,
};

enum isolation { ISO_AUTO = 0, ISO_NONE, ISO_CONTAINED };

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
	enum isolation isolation;
	struct py_api *api; /* owned; cfg.api points here */
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

/* A module list (vals, as the core filled it from argument key): dotted
 * names of identifiers, copied.  Errors name the item's node. */
static int get_list(cordon_ctx *ctx, const char *key, const char *const *vals, char ***out, size_t *n)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	const cordon_node *node = cordon_arg(ctx, key);
	if (!vals)
		return 0;
	size_t cnt = 0;
	while (vals[cnt])
		cnt++;
	char **l = calloc(cnt ? cnt : 1, sizeof(char *));
	if (!l)
		return cordon_error(ctx, node, "out of memory");
	*out = l;
	for (size_t i = 0; i < cnt; i++) {
		const cordon_node *it = api->node_type(node) == CORDON_NODE_SCALAR ? node : api->node_at(node, i);
		const char *v = vals[i];
		size_t len = strlen(v); /* the loader refuses a NUL in any scalar */
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

static int open_python(cordon_ctx *ctx, struct state *s, const char *v)
{
	const cordon_node *n = cordon_arg(ctx, "python");
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

/* ---- API data (allowlist mode) ---- */

/* The directory of the file that holds node n (canonical), malloc'd. */
static char *node_dir(cordon_ctx *ctx, const cordon_node *n)
{
	const char *file = NULL;
	cordon_api(ctx)->node_mark(n, &file, NULL, NULL);
	char *real = file ? realpath(file, NULL) : NULL;
	char *slash = real ? strrchr(real, '/') : NULL;
	if (!slash) {
		free(real);
		return NULL;
	}
	*slash = '\0';
	return real;
}

/* Is this module loaded from the build tree (not installed)? */
static int from_build_tree(void)
{
	Dl_info info;
	if (!dladdr((const void *)&config, &info) || !info.dli_fname)
		return 0;
	char *real = realpath(info.dli_fname, NULL);
	size_t k = strlen(CORDON_BUILD_LIBDIR);
	int r = real && strncmp(real, CORDON_BUILD_LIBDIR, k) == 0 && real[k] == '/';
	free(real);
	return r;
}

/* api: "3.11" is rules/python-api-3.11.yaml beside the policy, in the
 * installed policies.d, then (build tree only) the source tree's; a value
 * with a '/' or ending in .yaml is a path.  Returns a malloc'd path. */
static char *api_path(cordon_ctx *ctx, const cordon_node *n, const char *v, int *named)
{
	size_t k = strlen(v);
	*named = !(strchr(v, '/') || (k > 5 && strcmp(v + k - 5, ".yaml") == 0));
	if (!*named) {
		const char *p = cordon_api(ctx)->node_path(ctx, n);
		if (!p)
			return NULL;
		char *r = strdup(p);
		if (!r)
			cordon_error(ctx, n, "out of memory");
		return r;
	}
	int ok = k > 0 && k < 16;
	for (size_t i = 0; ok && i < k; i++)
		ok = (v[i] >= '0' && v[i] <= '9') || (v[i] == '.' && i > 0 && v[i - 1] != '.');
	if (!ok || v[k - 1] == '.') {
		cordon_error(ctx, n, "api: expected a Python version such as \"3.11\" or a path to an API data file");
		return NULL;
	}
	char *dir = node_dir(ctx, n);
	char *cand[3] = { NULL, NULL, NULL };
	if (dir && asprintf(&cand[0], "%s/rules/python-api-%s.yaml", dir, v) < 0)
		cand[0] = NULL;
	if (asprintf(&cand[1], "%s/rules/python-api-%s.yaml", CORDON_POLICY_DIR, v) < 0)
		cand[1] = NULL;
	if (from_build_tree() && asprintf(&cand[2], "%s/rules/python-api-%s.yaml", CORDON_SRC_POLICY_DIR, v) < 0)
		cand[2] = NULL;
	free(dir);
	char *found = NULL;
	for (int i = 0; i < 3; i++) {
		if (!found && cand[i] && access(cand[i], F_OK) == 0)
			found = cand[i];
		else
			free(cand[i]);
	}
	if (!found)
		cordon_error(ctx, n, "api: no API data for Python %s (rules/python-api-%s.yaml beside the policy or in %s; "
		                     "policies.d/rules/gen_python_api.py makes it)",
		             v, v, CORDON_POLICY_DIR);
	return found;
}

static int dotted_ok(const char *v)
{
	int ok = v[0] != '\0' && v[0] != '.';
	for (size_t k = 0; ok && v[k]; k++) {
		char c = v[k];
		if (c == '.')
			ok = v[k + 1] != '\0' && v[k + 1] != '.';
		else
			ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
	}
	return ok;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A sequence of names (dotted for metaclasses), sorted.  The strings are
 * the tree's (it lives until close); the generated data comes sorted, so
 * the sort is skipped when it already is. */
static int name_seq(cordon_ctx *ctx, const cordon_node *node, const char *what, const char ***out, size_t *n)
{
	int dotted = strcmp(what, "metaclasses") == 0;
	const struct cordon_core_api *api = cordon_api(ctx);
	if (!node || api->node_type(node) != CORDON_NODE_SEQUENCE)
		return cordon_error(ctx, node, "%s: expected a sequence of names", what);
	size_t cnt = api->node_len(node);
	*out = calloc(cnt ? cnt : 1, sizeof(char *));
	if (!*out)
		return cordon_error(ctx, node, "out of memory");
	int sorted = 1;
	for (size_t i = 0; i < cnt; i++) {
		const cordon_node *it = api->node_at(node, i);
		const char *v = it ? api->node_scalar(it, NULL) : NULL;
		if (!v || !dotted_ok(v) || (!dotted && strchr(v, '.')))
			return cordon_error(ctx, it ? it : node, "%s: expected a name, found '%s'", what, v ? v : "");
		if (i > 0 && sorted && strcmp((*out)[i - 1], v) > 0)
			sorted = 0;
		(*out)[i] = v;
		(*n)++;
	}
	if (!sorted)
		qsort((void *)*out, *n, sizeof(char *), cmp_strp);
	return 0;
}

static int cmp_api_mod(const void *a, const void *b)
{
	return strcmp(((const struct py_api_module *)a)->name, ((const struct py_api_module *)b)->name);
}

static int load_module_entry(cordon_ctx *ctx, struct py_api_module *m, const cordon_node *k, const cordon_node *v)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	static const char *const keys[] = { "api", "modules", NULL };
	const char *name = api->node_scalar(k, NULL);
	if (!name || !dotted_ok(name))
		return cordon_error(ctx, k, "modules: expected a dotted module name");
	m->name = name;
	if (!v || api->node_type(v) != CORDON_NODE_MAPPING)
		return cordon_error(ctx, v ? v : k, "modules: %s: expected a mapping with api: and modules:", name);
	if (api->node_check_keys(ctx, v, keys) < 0)
		return -1;
	if (name_seq(ctx, api->node_get(v, "api"), "api", &m->api, &m->n_api) < 0)
		return -1;
	const cordon_node *mods = api->node_get(v, "modules");
	if (!mods || api->node_type(mods) != CORDON_NODE_MAPPING)
		return cordon_error(ctx, mods ? mods : v, "modules: expected a mapping of names to modules");
	size_t cnt = api->node_len(mods);
	m->mod_name = calloc(cnt ? cnt : 1, sizeof(char *));
	m->mod_target = calloc(cnt ? cnt : 1, sizeof(char *));
	if (!m->mod_name || !m->mod_target)
		return cordon_error(ctx, mods, "out of memory");
	for (size_t i = 0; i < cnt; i++) {
		const char *a = api->node_scalar(api->node_key_at(mods, i), NULL);
		const cordon_node *tn = api->node_value_at(mods, i);
		const char *t = tn ? api->node_scalar(tn, NULL) : NULL;
		if (!a || !t || !dotted_ok(a) || strchr(a, '.') || !dotted_ok(t))
			return cordon_error(ctx, api->node_key_at(mods, i), "modules: expected name: module");
		if (i > 0 && strcmp(m->mod_name[i - 1], a) >= 0)
			return cordon_error(ctx, api->node_key_at(mods, i), "modules: names must be sorted (generated data)");
		m->mod_name[i] = a;
		m->mod_target[i] = t;
		m->n_mod++;
	}
	return 0;
}

/* Each allow entry is a module of the data (or a package of some) or a
 * public name of one (io.StringIO). */
static int classify_allow(cordon_ctx *ctx, struct state *s)
{
	struct py_api *d = s->api;
	const cordon_node *an = cordon_arg(ctx, "allow");
	d->allow_attr = calloc(s->cfg.n_allow ? s->cfg.n_allow : 1, 1);
	if (!d->allow_attr)
		return cordon_error(ctx, an, "out of memory");
	for (size_t i = 0; i < s->cfg.n_allow; i++) {
		const char *e = s->cfg.allow[i];
		size_t l = strlen(e);
		int module = 0;
		for (size_t j = 0; !module && j < d->n_mods; j++)
			module = strcmp(d->mods[j].name, e) == 0 ||
			         (strncmp(d->mods[j].name, e, l) == 0 && d->mods[j].name[l] == '.');
		if (module)
			continue;
		const char *dot = strrchr(e, '.');
		if (dot) {
			char *parent = strndup(e, (size_t)(dot - e));
			if (!parent)
				return cordon_error(ctx, an, "out of memory");
			const struct py_api_module *pm = py_api_module(d, parent);
			free(parent);
			if (pm && py_api_has(pm->api, pm->n_api, dot + 1)) {
				d->allow_attr[i] = 1;
				continue;
			}
		}
		return cordon_error(ctx, an,
		                    "allow: '%s' is neither a module with API data nor a public name of one (%s; add the "
		                    "module to gen_python_api.py's MODULES and regenerate)",
		                    e, d->file);
	}
	return 0;
}

static int load_api(cordon_ctx *ctx, struct state *s, const cordon_node *n)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	const char *v = api->node_scalar(n, NULL);
	if (!v)
		return cordon_error(ctx, n, "api: expected a Python version or a path");
	int named = 0;
	char *path = api_path(ctx, n, v, &named);
	if (!path)
		return -1;
	struct py_api *d = calloc(1, sizeof(*d));
	if (!d) {
		free(path);
		return cordon_error(ctx, n, "out of memory");
	}
	s->api = d;
	d->file = path;
	const cordon_node *root = api->load_yaml(ctx, n, path);
	if (!root)
		return -1;
	static const char *const keys[] = { "python", "modules", "module_attributes", "private_attributes", "metaclasses",
		                            NULL };
	if (api->node_type(root) != CORDON_NODE_MAPPING)
		return cordon_error(ctx, root, "API data: expected a mapping with python:, modules:, module_attributes:");
	if (api->node_check_keys(ctx, root, keys) < 0)
		return -1;
	const cordon_node *py = api->node_get(root, "python");
	const char *pv = py ? api->node_scalar(py, NULL) : NULL;
	if (!pv)
		return cordon_error(ctx, py ? py : root, "API data: expected python: VERSION");
	if (named && strcmp(pv, v) != 0)
		return cordon_error(ctx, py, "API data %s describes Python %s, not %s", path, pv, v);
	if (!(d->python = strdup(pv)))
		return cordon_error(ctx, py, "out of memory");
	const cordon_node *mods = api->node_get(root, "modules");
	if (!mods || api->node_type(mods) != CORDON_NODE_MAPPING)
		return cordon_error(ctx, mods ? mods : root, "API data: expected modules: a mapping");
	size_t cnt = api->node_len(mods);
	d->mods = calloc(cnt ? cnt : 1, sizeof(*d->mods));
	if (!d->mods)
		return cordon_error(ctx, mods, "out of memory");
	for (size_t i = 0; i < cnt; i++) {
		d->n_mods++;
		if (load_module_entry(ctx, &d->mods[i], api->node_key_at(mods, i), api->node_value_at(mods, i)) < 0)
			return -1;
	}
	qsort(d->mods, d->n_mods, sizeof(*d->mods), cmp_api_mod);
	for (size_t i = 1; i < d->n_mods; i++)
		if (strcmp(d->mods[i - 1].name, d->mods[i].name) == 0)
			return cordon_error(ctx, mods, "API data: module '%s' twice", d->mods[i].name);
	const cordon_node *ma = api->node_get(root, "module_attributes");
	if (ma && name_seq(ctx, ma, "module_attributes", &d->mod_attrs, &d->n_mod_attrs) < 0)
		return -1;
	const cordon_node *pa = api->node_get(root, "private_attributes");
	if (!pa)
		return cordon_error(ctx, root, "API data: expected private_attributes: (regenerate with gen_python_api.py)");
	if (name_seq(ctx, pa, "private_attributes", &d->priv_attrs, &d->n_priv_attrs) < 0)
		return -1;
	const cordon_node *mc = api->node_get(root, "metaclasses");
	if (!mc)
		return cordon_error(ctx, root, "API data: expected metaclasses: (regenerate with gen_python_api.py)");
	if (name_seq(ctx, mc, "metaclasses", &d->metaclasses, &d->n_metaclasses) < 0)
		return -1;
	return classify_allow(ctx, s);
}

static int py_open(cordon_ctx *ctx, void **statep)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	const struct config *c = cordon_config(ctx);
	struct state *s = calloc(1, sizeof(*s));
	if (!s)
		return cordon_error(ctx, NULL, "out of memory");
	*statep = s;
	if (!c)
		return cordon_error(ctx, NULL, "this cordon core does not fill config tables (ABI 1.4 needed)");
	memcpy(s->sev, default_sev, sizeof(s->sev));
	s->threshold = c->threshold;
	s->cfg.max_depth = (int)c->max_depth;
	s->cfg.max_bytes = (size_t)c->max_bytes;
	s->cfg.allowlist = c->mode == 1;
	s->cfg.non_ascii_deny = c->non_ascii == 1;
	s->isolation = (enum isolation)c->isolation;

	if (get_list(ctx, "allow", c->allow, &s->cfg.allow, &s->cfg.n_allow) < 0 ||
	    get_list(ctx, "deny", c->deny, &s->cfg.deny, &s->cfg.n_deny) < 0)
		return -1;
	if (s->cfg.allowlist && !c->allow)
		return cordon_error(ctx, cordon_arg(ctx, "mode"), "mode allowlist needs an allow: list");
	if (!s->cfg.allowlist && c->allow)
		return cordon_error(ctx, cordon_arg(ctx, "allow"), "allow: only meaningful with mode: allowlist");
	const cordon_node *n;
	if ((n = c->severity)) {
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
				                            "module-attribute, string-eval, api-denied, private-name, "
				                            "module-value, sink, class-hook, type-expression)",
				                    ks ? ks : "");
			int sv = vs ? parse_sev(vs) : -2;
			if (sv == -2)
				return cordon_error(ctx, v ? v : k, "severity: expected info, low, medium, high, critical or off");
			if (sv == SEV_OFF && fail_closed((enum rule_id)r))
				return cordon_error(ctx, v, "severity: %s cannot be off (the source could not be checked)", ks);
			s->sev[r] = sv;
		}
	}
	if (open_python(ctx, s, c->python) < 0)
		return -1;
	if (s->sev[R_NONASCII] == SEV_OFF && s->cfg.non_ascii_deny)
		return cordon_error(ctx, cordon_arg(ctx, "non_ascii"), "non_ascii: deny with non-ascii-identifier off");
	if (c->api) {
		n = cordon_arg(ctx, "api");
		if (!s->cfg.allowlist)
			return cordon_error(ctx, n, "api: only meaningful with mode: allowlist");
		if (load_api(ctx, s, n) < 0)
			return -1;
		s->cfg.api = s->api;
	}
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

/* Does the policy's isolation contain the program's files and
 * environment?  The namespaces module publishes its view (a read-only
 * system, a private /tmp, /output) and bwrap its wrapper, both at open,
 * before any check runs. */
static int contained(cordon_ctx *ctx, const struct state *s)
{
	if (s->isolation != ISO_AUTO)
		return s->isolation == ISO_CONTAINED;
	if (!CORDON_API_HAS(ctx, get_data))
		return 0;
	const struct cordon_core_api *api = cordon_api(ctx);
	return api->get_data(ctx, CORDON_DATA_NAMESPACES_VIEW, NULL) != NULL || api->get_data(ctx, CORDON_DATA_BWRAP_WRAPPER, NULL) != NULL;
}

static int py_check_hook(cordon_ctx *ctx, void *state, const struct cordon_source *src)
{
	struct state *s = state;
	if (src->language && strcmp(src->language, "python") != 0)
		return CORDON_IGNORE;
	s->cfg.contained = contained(ctx, s);
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
	py_api_free(s->api);
	py_cache_free(&s->cache);
	free(s);
}

/* Nothing `cordon selftest` can probe (ABI 1.5): it runs commands. */
static int py_requirements(cordon_ctx *ctx, void *state)
{
	(void)state;
	return cordon_require(ctx, CORDON_PROP_NOT_PROBED, "a check-phase module sees nothing to check in the probes' runs; see `cordon check`");
}

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_module),
	.name = "pyimport",
	.description = "Python tokenizer, parser and AST checks: imports, dynamic imports, banned builtins, escapes",
	.config = config,
	.config_size = sizeof(struct config),
	.open = py_open,
	.check = py_check_hook,
	.close = py_close,
	.requirements = py_requirements,
};
