/*
 * modules/redact/redact.c - streaming secret redaction of the program's
 * stdout and stderr (the filter hook).
 *
 *   with:
 *     replacement: "[REDACTED:{rule}]"   text put in place of a secret; {rule} is the rule id
 *     disable: [credit-card]             built-in detectors turned off, by rule id
 *     rules: rules/redact-example.yaml   user rules: a rule file, or a list of
 *                                        {id, pattern, validator} mappings and rule files
 *     secrets: [value, ...]              known secret values
 *     secrets_from_env: [NAME, ...]      variables of cordon's own environment holding secrets
 *     require_env: false                 an unset variable is an error (default: a warning)
 *     max_match: 4K                      longest match of a user rule
 *     host_paths: false                  rewrite --output-dir's host path to /output, the
 *                                        policy directory to [policy-dir]
 *
 * The engine (engine.c, detect.c, rules.c) does the work; README.md
 * documents the detectors, the streaming guarantee and its latency bound.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cordon/module.h>

#include "redact.h"
#include "redact_module.h"

static const struct cordon_arg args[] = {
	{ "replacement", CORDON_ARG_STRING, 0, 0, 0, "text put in place of a secret; {rule} is the rule id" },
	{ "disable", CORDON_ARG_STRINGS, 0, 0, 0, "built-in detectors to turn off, by rule id" },
	{ "rules", CORDON_ARG_ANY, 0, 0, 0, "a rule file, or a list of rules {id, pattern, validator} and rule files" },
	{ "secrets", CORDON_ARG_STRINGS, 0, 0, 0, "known secret values (also found base64- and hex-encoded)" },
	{ "secrets_from_env", CORDON_ARG_STRINGS, 0, 0, 0, "variables of cordon's environment that hold secrets" },
	{ "require_env", CORDON_ARG_BOOL, 0, 0, 0, "an unset secrets_from_env variable is an error, not a warning" },
	{ "max_match", CORDON_ARG_SIZE, 0, 64, 65536, "longest match of a user rule (default 4K)" },
	{ "host_paths", CORDON_ARG_BOOL, 0, 0, 0, "rewrite the host paths cordon knows to the names the program sees (default false)" },
	{ NULL, 0, 0, 0, 0, NULL },
};

struct rd_module *rd_module_new(struct rd_config *cfg)
{
	struct rd_module *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->cfg = cfg;
	for (int i = 0; i < 2; i++)
		if (!(m->st[i] = rd_stream_new(cfg))) {
			rd_module_free(m);
			return NULL;
		}
	return m;
}

void rd_module_free(struct rd_module *m)
{
	if (!m)
		return;
	for (int i = 0; i < 2; i++)
		rd_stream_free(m->st[i]);
	rd_config_free(m->cfg);
	free(m->policy_dir);
	free(m);
}

/* Each scalar of a string or list-of-strings argument, through fn. */
static int each_string(cordon_ctx *ctx, const cordon_node *n,
                       int (*fn)(cordon_ctx *ctx, const cordon_node *at, const char *s, size_t len, void *arg),
                       void *arg)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	size_t len;
	if (api->node_type(n) == CORDON_NODE_SCALAR) {
		const char *s = api->node_scalar(n, &len);
		return fn(ctx, n, s, len, arg);
	}
	for (size_t i = 0; i < api->node_len(n); i++) {
		const cordon_node *it = api->node_at(n, i);
		const char *s = api->node_scalar(it, &len);
		if (!s)
			return cordon_error(ctx, it, "expected a string");
		if (fn(ctx, it, s, len, arg) < 0)
			return -1;
	}
	return 0;
}

static int do_disable(cordon_ctx *ctx, const cordon_node *at, const char *s, size_t len, void *arg)
{
	(void)len;
	char *err = NULL;
	if (rd_config_disable(arg, s, &err) < 0) {
		cordon_error(ctx, at, "disable: %s", err ? err : "out of memory");
		free(err);
		return -1;
	}
	return 0;
}

static int do_secret(cordon_ctx *ctx, const cordon_node *at, const char *s, size_t len, void *arg)
{
	char *err = NULL;
	if (rd_config_add_secret(arg, (const unsigned char *)s, len, &err) < 0) {
		cordon_error(ctx, at, "secrets: a value is %s", err ? err : "out of memory");
		free(err);
		return -1;
	}
	return 0;
}

struct env_arg {
	struct rd_config *cfg;
	int require;
};

static int do_env(cordon_ctx *ctx, const cordon_node *at, const char *name, size_t len, void *arg)
{
	struct env_arg *ea = arg;
	if (len == 0 || strchr(name, '='))
		return cordon_error(ctx, at, "secrets_from_env: \"%s\" is not a variable name", name);
	const char *v = secure_getenv(name);
	if (!v || !*v) {
		if (ea->require)
			return cordon_error(ctx, at, "secrets_from_env: %s is not set (require_env is true)", name);
		cordon_warning(ctx, "redact: secrets_from_env: %s is not set; nothing to redact for it", name);
		return 0;
	}
	char *err = NULL;
	if (rd_config_add_secret(ea->cfg, (const unsigned char *)v, strlen(v), &err) < 0) {
		if (ea->require || !err || strncmp(err, "shorter", 7) != 0) {
			cordon_error(ctx, at, "secrets_from_env: the value of %s is %s", name, err ? err : "out of memory");
			free(err);
			return -1;
		}
		cordon_warning(ctx, "redact: secrets_from_env: the value of %s is %s; not redacted", name, err);
		free(err);
	}
	return 0;
}

static const char *scalar_key(cordon_ctx *ctx, const cordon_node *map, const char *key, bool required,
                              const cordon_node **at)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	const cordon_node *n = api->node_get(map, key);
	*at = n;
	if (!n) {
		if (required)
			cordon_error(ctx, map, "a rule needs \"%s\"", key);
		return NULL;
	}
	const char *s = api->node_scalar(n, NULL);
	if (!s)
		cordon_error(ctx, n, "%s: expected a string", key);
	return s;
}

static int add_rules(cordon_ctx *ctx, struct rd_config *cfg, const cordon_node *n, int depth);

static int add_rule_map(cordon_ctx *ctx, struct rd_config *cfg, const cordon_node *map)
{
	static const char *const keys[] = { "id", "pattern", "validator", "description", NULL };
	const struct cordon_core_api *api = cordon_api(ctx);
	if (api->node_check_keys(ctx, map, keys) < 0)
		return -1;
	const cordon_node *idn, *pn, *vn, *dn;
	const char *id = scalar_key(ctx, map, "id", true, &idn);
	if (!id)
		return -1;
	const char *pat = scalar_key(ctx, map, "pattern", true, &pn);
	if (!pat)
		return -1;
	const char *val = scalar_key(ctx, map, "validator", false, &vn);
	if (vn && !val)
		return -1;
	if (!scalar_key(ctx, map, "description", false, &dn) && dn)
		return -1;
	size_t plen;
	api->node_scalar(pn, &plen);
	if (plen == 0 || strlen(pat) != plen)
		return cordon_error(ctx, pn, "pattern: expected a non-empty regular expression without NUL bytes");
	char *err = NULL;
	if (rd_config_add_user(cfg, id, pat, val, &err) < 0) {
		const cordon_node *at = err && strncmp(err, "pattern", 7) == 0 ? pn
		                        : err && strncmp(err, "validator", 9) == 0 ? vn
		                                                                    : idn;
		cordon_error(ctx, at, "%s", err ? err : "out of memory");
		free(err);
		return -1;
	}
	return 0;
}

static int add_rule_file(cordon_ctx *ctx, struct rd_config *cfg, const cordon_node *n, int depth)
{
	static const char *const keys[] = { "rules", "description", NULL };
	const struct cordon_core_api *api = cordon_api(ctx);
	if (depth > 0)
		return cordon_error(ctx, n, "a rule file cannot name other rule files");
	const char *path = api->node_path(ctx, n);
	if (!path)
		return -1;
	const cordon_node *root = api->load_yaml(ctx, n, path);
	if (!root)
		return -1;
	if (api->node_type(root) != CORDON_NODE_MAPPING)
		return cordon_error(ctx, root, "a redact rule file: expected a mapping with \"rules\"");
	if (api->node_check_keys(ctx, root, keys) < 0)
		return -1;
	const cordon_node *rules = api->node_get(root, "rules");
	if (!rules)
		return cordon_error(ctx, root, "a redact rule file: expected \"rules\"");
	if (api->node_type(rules) != CORDON_NODE_SEQUENCE)
		return cordon_error(ctx, rules, "rules: expected a list of rules");
	return add_rules(ctx, cfg, rules, depth + 1);
}

static int add_rules(cordon_ctx *ctx, struct rd_config *cfg, const cordon_node *n, int depth)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	switch (api->node_type(n)) {
	case CORDON_NODE_SCALAR:
		return add_rule_file(ctx, cfg, n, depth);
	case CORDON_NODE_MAPPING:
		return add_rule_map(ctx, cfg, n);
	case CORDON_NODE_SEQUENCE:
		for (size_t i = 0; i < api->node_len(n); i++) {
			const cordon_node *it = api->node_at(n, i);
			if (api->node_type(it) == CORDON_NODE_SEQUENCE)
				return cordon_error(ctx, it, "rules: expected a rule (a mapping) or a rule file");
			if (add_rules(ctx, cfg, it, depth) < 0)
				return -1;
		}
		return 0;
	}
	return cordon_error(ctx, n, "rules: expected a rule file or a list");
}

static int rd_open(cordon_ctx *ctx, void **statep)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	const cordon_node *n;
	const char *repl = NULL;
	if ((n = cordon_arg(ctx, "replacement")))
		repl = api->node_scalar(n, NULL);
	char *err = NULL;
	struct rd_config *cfg = rd_config_new(repl, &err);
	if (!cfg) {
		cordon_error(ctx, n, "%s", err ? err : "out of memory");
		free(err);
		return -1;
	}
	struct rd_module *m = rd_module_new(cfg);
	if (!m) {
		rd_config_free(cfg);
		return cordon_error(ctx, NULL, "out of memory");
	}
	*statep = m;
	uint64_t size;
	if ((n = cordon_arg(ctx, "max_match"))) {
		if (api->node_size(ctx, n, &size) < 0)
			return -1;
		cfg->max_match = (size_t)size;
	}
	if ((n = cordon_arg(ctx, "disable")) && each_string(ctx, n, do_disable, cfg) < 0)
		return -1;
	if ((n = cordon_arg(ctx, "rules")) && add_rules(ctx, cfg, n, 0) < 0)
		return -1;
	if ((n = cordon_arg(ctx, "secrets")) && each_string(ctx, n, do_secret, cfg) < 0)
		return -1;
	struct env_arg ea = { cfg, 0 };
	if ((n = cordon_arg(ctx, "require_env")) && api->node_bool(ctx, n, &ea.require) < 0)
		return -1;
	if ((n = cordon_arg(ctx, "secrets_from_env")) && each_string(ctx, n, do_env, &ea) < 0)
		return -1;
	int paths = 0;
	if ((n = cordon_arg(ctx, "host_paths")) && api->node_bool(ctx, n, &paths) < 0)
		return -1;
	if (paths) {
		/* the policy's directory: node_path resolves a relative scalar
		 * against the policy file's directory; drop the scalar again */
		const char *at = api->node_path(ctx, n);
		const char *slash = at ? strrchr(at, '/') : NULL;
		if (!slash)
			return -1;
		if (!(m->policy_dir = strndup(at, (size_t)(slash - at))) || rd_config_enable_paths(cfg, &err) < 0) {
			cordon_error(ctx, n, "%s", err ? err : "out of memory");
			free(err);
			return -1;
		}
	}
	if (rd_config_finish(cfg, &err) < 0) {
		cordon_error(ctx, NULL, "%s", err ? err : "out of memory");
		free(err);
		return -1;
	}
	/* the streams were sized for the rules known then */
	for (int i = 0; i < 2; i++) {
		rd_stream_free(m->st[i]);
		if (!(m->st[i] = rd_stream_new(cfg)))
			return cordon_error(ctx, NULL, "out of memory");
	}
	cordon_log(ctx, CORDON_LOG_DEBUG, "%zu rules, %zu encoded secret forms; holds back at most %zu visible bytes",
	           cfg->n_rules, cfg->n_lits, cfg->lookahead);
	return 0;
}

/* A run starts: nothing is left from an earlier run that failed halfway. */
static int rd_prepare(cordon_ctx *ctx, void *state)
{
	struct rd_module *m = state;
	for (int i = 0; i < 2; i++)
		rd_stream_reset(m->st[i]);
	if (m->cfg->path_rule < 0)
		return 0;
	/* This run's host paths.  --output-dir is bound at /output by the
	 * namespaces and bwrap backends (landlock shows the program the core's
	 * staging directory, which is what launch_output_dir gives: rewritten to
	 * /output too, so messages read the same under every backend).
	 * --bind-ro paths are seen at their own path: nothing to rewrite.  The
	 * policy directory is not in the sandbox at all.  Each source is seen
	 * as /proc/self/fd/(3 + i) (launch_sources, ABI 1.4). */
	const struct cordon_core_api *api = cordon_api(ctx);
	char *err = NULL;
	rd_config_clear_paths(m->cfg);
	const char *out = CORDON_API_HAS(ctx, launch_output_dir) ? api->launch_output_dir(ctx) : NULL;
	if ((out && rd_config_add_path(m->cfg, out, "/output", &err) < 0) ||
	    (m->policy_dir && strcmp(m->policy_dir, "") != 0 &&
	     rd_config_add_path(m->cfg, m->policy_dir, "[policy-dir]", &err) < 0)) {
		cordon_error(ctx, NULL, "host_paths: %s", err ? err : "out of memory");
		free(err);
		return -1;
	}
	const char *const *src = CORDON_API_HAS(ctx, launch_sources) ? api->launch_sources(ctx) : NULL;
	for (size_t i = 0; src && src[i]; i++) {
		char seen[48];
		snprintf(seen, sizeof(seen), "/proc/self/fd/%zu", 3 + i);
		/* "" (stdin, data) and / (nothing to say) are not paths to rewrite */
		if (src[i][0] == '/' && src[i][1] && rd_config_add_path(m->cfg, src[i], seen, &err) < 0) {
			cordon_error(ctx, NULL, "host_paths: %s", err ? err : "out of memory");
			free(err);
			return -1;
		}
	}
	if (rd_config_finish(m->cfg, &err) < 0) {
		cordon_error(ctx, NULL, "host_paths: %s", err ? err : "out of memory");
		free(err);
		return -1;
	}
	return 0;
}

struct sink_arg {
	cordon_ctx *ctx;
	cordon_buf *out;
	enum cordon_stream stream;
};

static int sink_out(void *arg, const void *data, size_t len)
{
	struct sink_arg *a = arg;
	return cordon_buf_append(a->ctx, a->out, data, len);
}

static void sink_count(void *arg, const char *rule, uint64_t n)
{
	struct sink_arg *a = arg;
	cordon_api(a->ctx)->redaction(a->ctx, rule, a->stream, n);
}

static int rd_filter(cordon_ctx *ctx, void *state, enum cordon_stream stream, const unsigned char *in, size_t len,
                     int eof, cordon_buf *out)
{
	struct rd_module *m = state;
	struct sink_arg a = { ctx, out, stream };
	struct rd_sink sink = { sink_out, sink_count, &a };
	struct rd_stream *st = m->st[stream == CORDON_STDERR ? 1 : 0];
	if (rd_stream_feed(st, in, len, eof, &sink) < 0) {
		cordon_error(ctx, NULL, "%s: out of memory or a user rule failed to match; the rest of the stream is withheld",
		             stream == CORDON_STDERR ? "stderr" : "stdout");
		return -1;
	}
	return 0;
}

static void rd_close(void *state)
{
	rd_module_free(state);
}

/* What `cordon selftest` probes (ABI 1.5): a fake AWS access key id in the
 * output is redacted, unless the policy disables that detector. */
static int rd_requirements(cordon_ctx *ctx, void *state)
{
	(void)state;
	const struct cordon_core_api *api = cordon_api(ctx);
	const cordon_node *n = cordon_arg(ctx, "disable");
	size_t k = n && api->node_type(n) == CORDON_NODE_SEQUENCE ? api->node_len(n) : n ? 1 : 0;
	for (size_t i = 0; i < k; i++) {
		const cordon_node *item = api->node_type(n) == CORDON_NODE_SEQUENCE ? api->node_at(n, i) : n;
		const char *v = item ? api->node_scalar(item, NULL) : NULL;
		if (v && strcmp(v, "aws-access-key-id") == 0)
			return cordon_require(ctx, CORDON_PROP_NOT_PROBED,
			                      "its aws-access-key-id detector is disabled, and the probe prints such a key");
	}
	return cordon_require(ctx, CORDON_PROP_REDACTION, NULL);
}

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_module),
	.name = "redact",
	.description = "streaming secret redaction of stdout and stderr",
	.args = args,
	.open = rd_open,
	.prepare = rd_prepare,
	.filter = rd_filter,
	.close = rd_close,
	.requirements = rd_requirements,
};
