/*
 * modules/pattern_scan/pattern_scan.c - regular-expression rules over the
 * submitted source (check phase).
 *
 *   with:
 *     rules: [python, ./more.yaml, {id: no-sleep, pattern: '\bsleep\b', ...}]
 *                          rule sets and inline rules (required); a bare
 *                          name is rules/NAME.yaml (beside the policy, then
 *                          the installed policies.d, then the source
 *                          tree's for a cordon run from its build tree)
 *     threshold: low       the least severity that denies (default low:
 *                          everything but info)
 *     disable: [py-ast]    rule ids left out (an unknown id is an error)
 *     skip_comments: true  blank comments before scanning (default true)
 *     max_findings: 100    findings listed per source; the rest are counted
 *     match_limit: 1000000 PCRE2 match limit per match attempt
 *     unknown_language: ignore   ignore | deny: a source whose language is
 *                          unknown (neither extension nor interpreter)
 *     prefilter: true      scan for the rules' literals once and run each
 *                          rule only where they occur (false: every rule
 *                          over the whole source; same findings)
 *
 * Every pattern is compiled once at open with PCRE2 and JIT-compiled
 * (falling back to the interpreter, with a log line, where the JIT is not
 * available).  Patterns match bytes: \w, \s, \b are ASCII; `^` and `$`
 * match at line boundaries (PCRE2_MULTILINE).  A rule applies to a source
 * whose language is in its `languages`; the rules of each language form
 * one engine (engine.c), which scans a source in one pass.
 */
#define _GNU_SOURCE
#define PCRE2_CODE_UNIT_WIDTH 8
#include <dlfcn.h>
#include <limits.h>
#include <pcre2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cordon/module.h>

#include "engine.h"
#include "strip.h"

#define MAX_RULES 10000
#define HEAP_LIMIT_KIB 65536u /* PCRE2 heap for one match attempt */
#define SHOWN_CHARS 60 /* of the matched text in a message */

struct rule {
	const char *id; /* node strings: owned by the core until close */
	const char *description;
	const char *message; /* or NULL */
	enum cordon_severity severity;
	unsigned langs; /* 1 << enum ps_lang */
	int disabled;
	size_t order; /* load order, for duplicate reports */
	const cordon_node *node; /* the rule's mapping */
	const cordon_node *pattern_node;
	size_t count; /* matches in the current source */
};

struct state {
	struct rule *rules;
	size_t n, cap;
	enum cordon_severity threshold;
	int skip_comments;
	int deny_unknown;
	int64_t max_findings;
	uint32_t match_limit;
	int prefilter;
	struct ps_engine *eng[PS_LANG_COUNT]; /* the enabled rules of each language */
	int unbuilt; /* 1: the engines' prefilters, automata and JIT code not built yet (no check was expected);
	              * -1: building them failed (every check is then an error: a half-built engine is never built again) */
	size_t *map[PS_LANG_COUNT];           /* engine rule -> index in rules */
	unsigned char *buf; /* the source with comments blanked */
	size_t buf_cap;
	struct cursor *ck; /* line and column every 1 KiB of the current source */
	size_t ck_n, ck_cap;
};

/* The arguments as the core fills them (ABI 1.4 config table). */
struct config {
	const cordon_node *rules; /* rule sets and inline rules, loaded in open */
	int threshold; /* enum cordon_severity */
	const char *const *disable; /* NULL-terminated; NULL when absent */
	int skip_comments;
	int64_t max_findings, match_limit;
	int unknown_language; /* 0 ignore, 1 deny */
	int prefilter;
};

static const char *const sev_names[] = { "info", "low", "medium", "high", "critical", NULL };
static const char *const unknown_choices[] = { "ignore", "deny", NULL };

#define ARG(member, type, flags, min, max, def, help)                                                           \
	CORDON_CONFIG(struct config, member, #member, CORDON_ARG_##type, flags, min, max, def, help)
static const struct cordon_config_arg config[] = {
	ARG(rules, ANY, CORDON_ARG_REQUIRED, 0, 0, NULL,
	    "rule sets (a name such as python, or a path) and inline rules (mappings)"),
	CORDON_CONFIG_ENUM(struct config, threshold, "threshold", sev_names, "low", "least severity that denies"),
	ARG(disable, STRINGS, 0, 0, 0, NULL, "rule ids to leave out"),
	ARG(skip_comments, BOOL, 0, 0, 0, "true", "blank comments before scanning"),
	ARG(max_findings, INT, 0, 1, 10000, "100", "findings listed per source; the rest are counted"),
	ARG(match_limit, INT, 0, 1000, 1000000000, "1000000", "PCRE2 match limit per attempt"),
	CORDON_CONFIG_ENUM(struct config, unknown_language, "unknown_language", unknown_choices, "ignore",
	                   "ignore or deny a source of unknown language"),
	ARG(prefilter, BOOL, 0, 0, 0, "true", "find the rules' literals in one pass and run each rule only where they occur"),
	CORDON_CONFIG_END,
};
#undef ARG

static int parse_severity(const char *s, enum cordon_severity *out)
{
	for (int i = 0; i <= CORDON_SEV_CRITICAL; i++)
		if (s && strcmp(s, sev_names[i]) == 0) {
			*out = (enum cordon_severity)i;
			return 0;
		}
	return -1;
}

static const char *scalar(cordon_ctx *ctx, const cordon_node *n)
{
	return n ? cordon_api(ctx)->node_scalar(n, NULL) : NULL;
}

static const char *type_name(cordon_ctx *ctx, const cordon_node *n)
{
	switch (cordon_api(ctx)->node_type(n)) {
	case CORDON_NODE_SCALAR:
		return "a scalar";
	case CORDON_NODE_SEQUENCE:
		return "a sequence";
	case CORDON_NODE_MAPPING:
		return "a mapping";
	}
	return "nothing";
}

/* A required string key of a rule mapping; NULL after reporting. */
static const char *rule_str(cordon_ctx *ctx, const cordon_node *map, const char *key, int required)
{
	const cordon_node *n = cordon_api(ctx)->node_get(map, key);
	if (!n) {
		if (required)
			cordon_error(ctx, map, "rule: missing key '%s'", key);
		return NULL;
	}
	const char *s = scalar(ctx, n);
	if (!s) {
		cordon_error(ctx, n, "%s: expected a string, found %s", key, type_name(ctx, n));
		return NULL;
	}
	if (!*s) {
		cordon_error(ctx, n, "%s: must not be empty", key);
		return NULL;
	}
	return s;
}

static int valid_id(const char *id)
{
	size_t k = strlen(id);
	if (k == 0 || k > 64)
		return 0;
	for (size_t i = 0; i < k; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

/* examples: {match: [...], no_match: [...]}: samples the test suite runs. */
static int check_examples(cordon_ctx *ctx, const cordon_node *ex)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	static const char *const keys[] = { "match", "no_match", NULL };
	if (api->node_check_keys(ctx, ex, keys) < 0)
		return -1;
	for (size_t i = 0; i < api->node_len(ex); i++) {
		const cordon_node *v = api->node_value_at(ex, i);
		if (api->node_type(v) != CORDON_NODE_SEQUENCE)
			return cordon_error(ctx, v, "examples: expected a sequence of strings, found %s",
			                    type_name(ctx, v));
		for (size_t j = 0; j < api->node_len(v); j++)
			if (!scalar(ctx, api->node_at(v, j)))
				return cordon_error(ctx, api->node_at(v, j), "examples: expected a string, found %s",
				                    type_name(ctx, api->node_at(v, j)));
	}
	return 0;
}

static int add_rule(cordon_ctx *ctx, struct state *s, const cordon_node *map)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	static const char *const keys[] = { "id",      "pattern", "severity", "description",
		                            "message", "languages", "examples", NULL };
	if (api->node_type(map) != CORDON_NODE_MAPPING)
		return cordon_error(ctx, map, "rule: expected a mapping (id, pattern, severity, description, languages), "
		                              "found %s", type_name(ctx, map));
	if (api->node_check_keys(ctx, map, keys) < 0)
		return -1;
	if (s->n >= MAX_RULES)
		return cordon_error(ctx, map, "more than %d rules", MAX_RULES);
	struct rule r = { 0 };
	r.node = map;
	r.order = s->n;
	if (!(r.id = rule_str(ctx, map, "id", 1)) || !rule_str(ctx, map, "pattern", 1) ||
	    !(r.description = rule_str(ctx, map, "description", 1)))
		return -1;
	if (!valid_id(r.id))
		return cordon_error(ctx, api->node_get(map, "id"),
		                    "id: expected letters, digits, '-', '_' or '.' (at most 64), found '%s'", r.id);
	r.pattern_node = api->node_get(map, "pattern");
	const char *sev = rule_str(ctx, map, "severity", 1);
	if (!sev)
		return -1;
	if (parse_severity(sev, &r.severity) < 0)
		return cordon_error(ctx, api->node_get(map, "severity"),
		                    "severity: expected info, low, medium, high or critical, found '%s'", sev);
	if (api->node_get(map, "message") && !(r.message = rule_str(ctx, map, "message", 1)))
		return -1;
	const cordon_node *langs = api->node_get(map, "languages");
	if (!langs)
		return cordon_error(ctx, map, "rule '%s': missing key 'languages'", r.id);
	size_t nl = api->node_type(langs) == CORDON_NODE_SEQUENCE ? api->node_len(langs) : 1;
	if (api->node_type(langs) == CORDON_NODE_MAPPING || nl == 0)
		return cordon_error(ctx, langs, "languages: expected a list of python, javascript, shell, java");
	for (size_t i = 0; i < nl; i++) {
		const cordon_node *l = api->node_type(langs) == CORDON_NODE_SEQUENCE ? api->node_at(langs, i) : langs;
		int li = ps_lang_from_name(scalar(ctx, l));
		if (li < 0)
			return cordon_error(ctx, l, "languages: expected python, javascript, shell or java, found %s%s%s",
			                    scalar(ctx, l) ? "'" : "", scalar(ctx, l) ? scalar(ctx, l) : type_name(ctx, l),
			                    scalar(ctx, l) ? "'" : "");
		r.langs |= 1u << li;
	}
	const cordon_node *ex = api->node_get(map, "examples");
	if (ex && check_examples(ctx, ex) < 0)
		return -1;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct rule *v = realloc(s->rules, cap * sizeof(*v));
		if (!v)
			return cordon_error(ctx, map, "out of memory");
		s->rules = v;
		s->cap = cap;
	}
	s->rules[s->n++] = r;
	return 0;
}

/* A rule file: a mapping with `rules:` (a sequence of rules) and an
 * optional `description:`. */
static int load_ruleset(cordon_ctx *ctx, struct state *s, const cordon_node *from, const char *path)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	const cordon_node *root = api->load_yaml(ctx, from, path);
	if (!root)
		return -1;
	static const char *const keys[] = { "description", "rules", NULL };
	if (api->node_type(root) != CORDON_NODE_MAPPING)
		return cordon_error(ctx, root, "rule file: expected a mapping with 'rules:', found %s", type_name(ctx, root));
	if (api->node_check_keys(ctx, root, keys) < 0)
		return -1;
	const cordon_node *rules = api->node_get(root, "rules");
	if (!rules)
		return cordon_error(ctx, root, "rule file: missing key 'rules'");
	if (api->node_type(rules) != CORDON_NODE_SEQUENCE)
		return cordon_error(ctx, rules, "rules: expected a sequence of rules, found %s", type_name(ctx, rules));
	for (size_t i = 0; i < api->node_len(rules); i++)
		if (add_rule(ctx, s, api->node_at(rules, i)) < 0)
			return -1;
	return 0;
}

static int is_regular(const char *path)
{
	return access(path, F_OK) == 0;
}

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

/* A bare rule-set name: rules/NAME.yaml beside the policy file, in the
 * installed policies.d, then (build tree only) the source tree's. */
static int load_named(cordon_ctx *ctx, struct state *s, const cordon_node *n, const char *name)
{
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return cordon_error(ctx, n,
			                    "rules: expected a rule-set name ([a-z0-9_-]), a path (with '/' or ending in "
			                    ".yaml) or an inline rule, found '%s'",
			                    name);
	char *dir = node_dir(ctx, n);
	char *cand[3] = { NULL, NULL, NULL };
	if (dir && asprintf(&cand[0], "%s/rules/%s.yaml", dir, name) < 0)
		cand[0] = NULL;
	if (asprintf(&cand[1], "%s/rules/%s.yaml", CORDON_POLICY_DIR, name) < 0)
		cand[1] = NULL;
	if (from_build_tree() && asprintf(&cand[2], "%s/rules/%s.yaml", CORDON_SRC_POLICY_DIR, name) < 0)
		cand[2] = NULL;
	free(dir);
	int r = -2;
	for (int i = 0; i < 3 && r == -2; i++)
		if (cand[i] && is_regular(cand[i]))
			r = load_ruleset(ctx, s, n, cand[i]);
	if (r == -2)
		r = cordon_error(ctx, n, "rules: no rule set '%s' (looked for %s%s%s%s%s)", name,
		                 cand[0] ? cand[0] : "", cand[0] ? ", " : "", cand[1] ? cand[1] : "",
		                 cand[2] ? ", " : "", cand[2] ? cand[2] : "");
	for (int i = 0; i < 3; i++)
		free(cand[i]);
	return r;
}

static int load_item(cordon_ctx *ctx, struct state *s, const cordon_node *item)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	if (api->node_type(item) == CORDON_NODE_MAPPING)
		return add_rule(ctx, s, item);
	const char *text = scalar(ctx, item);
	if (!text)
		return cordon_error(ctx, item, "rules: expected a rule-set name, a path or an inline rule, found %s",
		                    type_name(ctx, item));
	size_t k = strlen(text);
	if (k == 0)
		return cordon_error(ctx, item, "rules: expected a rule-set name or path, found an empty string");
	int is_path = strchr(text, '/') || (k > 5 && strcmp(text + k - 5, ".yaml") == 0) ||
	              (k > 4 && strcmp(text + k - 4, ".yml") == 0);
	if (!is_path)
		return load_named(ctx, s, item, text);
	const char *path = api->node_path(ctx, item);
	if (!path)
		return -1;
	if (!is_regular(path))
		return cordon_error(ctx, item, "rules: cannot read rule file %s: no such file", path);
	return load_ruleset(ctx, s, item, path);
}

static int cmp_rule(const void *a, const void *b)
{
	const struct rule *x = *(const struct rule *const *)a, *y = *(const struct rule *const *)b;
	int c = strcmp(x->id, y->id);
	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int check_duplicates(cordon_ctx *ctx, struct state *s)
{
	if (s->n < 2)
		return 0;
	struct rule **v = malloc(s->n * sizeof(*v));
	if (!v)
		return cordon_error(ctx, NULL, "out of memory");
	for (size_t i = 0; i < s->n; i++)
		v[i] = &s->rules[i];
	qsort(v, s->n, sizeof(*v), cmp_rule);
	/* Report the duplicate that comes first in load order. */
	size_t best = 0;
	for (size_t i = 1; i < s->n; i++)
		if (strcmp(v[i - 1]->id, v[i]->id) == 0 && (!best || v[i]->order < v[best]->order))
			best = i;
	int r = 0;
	if (best) {
		size_t first = best - 1;
		while (first > 0 && strcmp(v[first - 1]->id, v[best]->id) == 0)
			first--;
		const char *file = NULL;
		long line = 0, col = 0;
		cordon_api(ctx)->node_mark(v[first]->node, &file, &line, &col);
		r = cordon_error(ctx, cordon_api(ctx)->node_get(v[best]->node, "id"),
		                 "duplicate rule id '%s' (first defined at %s:%ld:%ld)", v[best]->id, file ? file : "?",
		                 line, col);
	}
	free(v);
	return r;
}

static int apply_disable(cordon_ctx *ctx, struct state *s, const char *const *ids)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	const cordon_node *d = cordon_arg(ctx, "disable");
	for (size_t i = 0; ids && ids[i]; i++) {
		const cordon_node *item = api->node_type(d) == CORDON_NODE_SEQUENCE ? api->node_at(d, i) : d;
		const char *id = ids[i];
		int found = 0;
		for (size_t j = 0; j < s->n; j++)
			if (strcmp(s->rules[j].id, id) == 0) {
				s->rules[j].disabled = 1;
				found = 1;
			}
		if (!found)
			return cordon_error(ctx, item, "disable: no rule with id '%s' among the loaded rules", id);
	}
	return 0;
}

static int pattern_error(cordon_ctx *ctx, const struct rule *r, int err, size_t off)
{
	if (err < 0)
		return cordon_error(ctx, r->pattern_node, "out of memory");
	PCRE2_UCHAR msg[256];
	if (pcre2_get_error_message(err, msg, sizeof(msg)) < 0)
		snprintf((char *)msg, sizeof(msg), "error %d", err);
	return cordon_error(ctx, r->pattern_node, "rule '%s': invalid pattern at offset %zu: %s", r->id, off,
	                    (const char *)msg);
}

static int build_engines(cordon_ctx *ctx, struct state *s, bool jit);

/* Every pattern compiled (a disabled rule's too, to report it); the
 * enabled rules of each language in that language's engine, in load order. */
static int compile_rules(cordon_ctx *ctx, struct state *s)
{
	for (int l = 0; l < PS_LANG_COUNT; l++) {
		s->eng[l] = ps_engine_new(s->prefilter, s->match_limit, HEAP_LIMIT_KIB);
		s->map[l] = malloc((s->n ? s->n : 1) * sizeof(*s->map[l]));
		if (!s->eng[l] || !s->map[l])
			return cordon_error(ctx, NULL, "out of memory");
	}
	for (size_t i = 0; i < s->n; i++) {
		struct rule *r = &s->rules[i];
		size_t plen = 0, off = 0;
		const char *pat = cordon_api(ctx)->node_scalar(r->pattern_node, &plen);
		int err = 0;
		if (r->disabled || !r->langs) {
			if ((err = ps_pattern_check(pat, plen, &off)) != 0)
				return pattern_error(ctx, r, err, off);
			continue;
		}
		for (int l = 0; l < PS_LANG_COUNT; l++) {
			if (!(r->langs & (1u << l)))
				continue;
			if ((err = ps_engine_add(s->eng[l], pat, plen, &off)) != 0)
				return pattern_error(ctx, r, err, off);
			s->map[l][ps_engine_count(s->eng[l]) - 1] = i;
		}
	}
	/* every pattern is compiled and valid; the scanners are built now
	 * unless no source will be checked with this policy (cordon exec) */
	if (CORDON_API_HAS(ctx, checks_expected) && !cordon_api(ctx)->checks_expected(ctx)) {
		s->unbuilt = 1;
		cordon_log(ctx, CORDON_LOG_DEBUG, "no source will be checked: the scanners are left unbuilt");
		return 0;
	}
	return build_engines(ctx, s, true);
}

/* The engines' literal prefilters, automata and (jit) JIT code, from the
 * rules compile_rules added. */
static int build_engines(cordon_ctx *ctx, struct state *s, bool jit)
{
	size_t no_jit = 0;
	int jit_err = 0;
	for (int l = 0; l < PS_LANG_COUNT; l++) {
		size_t nj = 0;
		int je = 0;
		if (!jit)
			ps_engine_no_jit(s->eng[l]);
		if (ps_engine_build(s->eng[l], &nj, &je) < 0)
			return cordon_error(ctx, NULL, "out of memory");
		no_jit += nj;
		if (nj)
			jit_err = je;
		for (size_t k = 0; k < ps_engine_count(s->eng[l]); k++) {
			struct ps_rule_info info;
			ps_engine_rule_info(s->eng[l], k, &info);
			if (!info.has_prefilter && s->prefilter)
				cordon_log(ctx, CORDON_LOG_DEBUG, "rule '%s' (%s) is scanned whole: %s",
				           s->rules[s->map[l][k]].id, ps_lang_name((enum ps_lang)l), info.why);
		}
	}
	if (no_jit) {
		PCRE2_UCHAR msg[256];
		if (pcre2_get_error_message(jit_err, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", jit_err);
		cordon_log(ctx, CORDON_LOG_INFO, "PCRE2 JIT unavailable for %zu rule(s) (%s): they run in the interpreter",
		           no_jit, (const char *)msg);
	}
	return 0;
}

static int ps_open(cordon_ctx *ctx, void **statep)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	const struct config *c = cordon_config(ctx);
	struct state *s = calloc(1, sizeof(*s));
	if (!s)
		return cordon_error(ctx, NULL, "out of memory");
	*statep = s;
	if (!c)
		return cordon_error(ctx, NULL, "this cordon core does not fill config tables (ABI 1.4 needed)");
	s->threshold = (enum cordon_severity)c->threshold;
	s->skip_comments = c->skip_comments;
	s->prefilter = c->prefilter;
	s->max_findings = c->max_findings;
	s->match_limit = (uint32_t)c->match_limit;
	s->deny_unknown = c->unknown_language == 1;
	const cordon_node *rules = c->rules;
	if (api->node_type(rules) == CORDON_NODE_SEQUENCE) {
		if (api->node_len(rules) == 0)
			return cordon_error(ctx, rules, "rules: expected at least one rule set or rule");
		for (size_t i = 0; i < api->node_len(rules); i++)
			if (load_item(ctx, s, api->node_at(rules, i)) < 0)
				return -1;
	} else if (load_item(ctx, s, rules) < 0) {
		return -1;
	}
	if (check_duplicates(ctx, s) < 0 || apply_disable(ctx, s, c->disable) < 0 || compile_rules(ctx, s) < 0)
		return -1;
	size_t on = 0;
	for (size_t i = 0; i < s->n; i++)
		on += !s->rules[i].disabled;
	cordon_log(ctx, CORDON_LOG_DEBUG, "%zu rules (%zu disabled), threshold %s", on, s->n - on,
	           sev_names[s->threshold]);
	return 0;
}

/* ---- check ---- */

/* Line and column of successive offsets: 1-based; lines end at \n, \r\n
 * or a lone \r; a column counts characters (UTF-8 lead bytes; an invalid
 * byte counts as one character). */
struct cursor {
	size_t off;
	long line, col;
};

/* Characters in p[0, k): bytes that are not UTF-8 continuation bytes. */
static size_t chars(const unsigned char *p, size_t k)
{
	size_t n = 0, i = 0;
	for (; i + 8 <= k; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		uint64_t cont = w & ~(w << 1) & 0x8080808080808080ull; /* 10xxxxxx */
		n += 8 - (size_t)__builtin_popcountll(cont);
	}
	for (; i < k; i++)
		n += (p[i] & 0xC0) != 0x80;
	return n;
}

static void advance(const unsigned char *s, size_t n, struct cursor *c, size_t target)
{
	size_t end = target < n ? target : n;
	if (c->off < end && !memchr(s + c->off, '\r', end - c->off)) {
		/* no CR: lines end at each LF */
		const unsigned char *p = s + c->off, *e = s + end, *q;
		while ((q = memchr(p, '\n', (size_t)(e - p)))) {
			c->line++;
			c->col = 1;
			p = q + 1;
		}
		c->col += (long)chars(p, (size_t)(e - p));
		c->off = target;
		return;
	}
	for (size_t i = c->off; i < end; i++) {
		unsigned char b = s[i];
		if (b == '\n' || (b == '\r' && !(i + 1 < n && s[i + 1] == '\n'))) {
			c->line++;
			c->col = 1;
		} else if (b != '\r' && (b & 0xC0) != 0x80) {
			c->col++;
		}
	}
	c->off = target;
}

/* The cursor at every 1 KiB of the source, computed as far as a finding
 * needs: each finding then costs at most 1 KiB of counting, however many
 * rules report findings far into a large source. */
#define CK_SHIFT 10

static void position(struct state *s, const unsigned char *data, size_t n, size_t off, struct cursor *out)
{
	size_t k = off >> CK_SHIFT;
	while (s->ck_n <= k) {
		if (s->ck_n == s->ck_cap) {
			size_t cap = s->ck_cap ? 2 * s->ck_cap : 256;
			struct cursor *v = realloc(s->ck, cap * sizeof(*v));
			if (!v)
				break; /* counted from the last checkpoint instead */
			s->ck = v;
			s->ck_cap = cap;
		}
		struct cursor c = { 0, 1, 1 };
		if (s->ck_n) {
			c = s->ck[s->ck_n - 1];
			advance(data, n, &c, s->ck_n << CK_SHIFT);
		}
		s->ck[s->ck_n++] = c;
	}
	*out = s->ck_n ? s->ck[k < s->ck_n ? k : s->ck_n - 1] : (struct cursor){ 0, 1, 1 };
	advance(data, n, out, off);
}

/* Length of a valid UTF-8 sequence at s[0..n), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t k;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		k = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		k = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		k = 4, cp = c & 0x07;
	else
		return 0;
	if (k > n)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	if (cp == 0x2028 || cp == 0x2029 || cp == 0x85 || (cp >= 0x80 && cp < 0xA0))
		return 0; /* line breaks and C1 controls: shown as '?' */
	return k;
}

/* The matched text for a message: at most SHOWN_CHARS characters, white
 * space runs as one space, control bytes and invalid UTF-8 as '?'. */
static void shown_text(const unsigned char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0, chars = 0, i = 0;
	int space = 0;
	while (i < n && chars < SHOWN_CHARS && o + 5 < cap) {
		unsigned char c = s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			if (!space && o > 0) {
				out[o++] = ' ';
				chars++;
			}
			space = 1;
			i++;
			continue;
		}
		space = 0;
		size_t k = c >= 0x20 && c != 0x7F ? utf8_len(s + i, n - i) : 0;
		if (k == 0) {
			out[o++] = '?';
			i++;
		} else {
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
		}
		chars++;
	}
	if (o > 0 && out[o - 1] == ' ')
		o--;
	if (i < n && o + 4 <= cap) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* One check's findings, as the engine reports matches rule by rule. */
struct tally {
	cordon_ctx *ctx;
	struct state *s;
	const size_t *map;
	const unsigned char *orig, *data; /* the source, and what was scanned */
	size_t len;
	int64_t listed;
	size_t suppressed;
	enum cordon_severity worst, worst_hidden;
	int any;
};

static int on_match(void *arg, size_t erule, size_t a, size_t b)
{
	struct tally *t = arg;
	struct rule *r = &t->s->rules[t->map[erule]];
	r->count++;
	t->any = 1;
	if (r->severity > t->worst)
		t->worst = r->severity;
	if (t->listed < t->s->max_findings) {
		char text[SHOWN_CHARS * 4 + 8];
		struct cursor cur;
		shown_text(t->data + a, b - a, text, sizeof(text));
		position(t->s, t->orig, t->len, a, &cur);
		cordon_finding(t->ctx, r->id, r->severity, cur.line, cur.col, "%s (matched \"%s\")",
		               r->message ? r->message : r->description, text);
		t->listed++;
	} else {
		t->suppressed++;
		if (r->severity > t->worst_hidden)
			t->worst_hidden = r->severity;
	}
	return 0;
}

static int ps_check(cordon_ctx *ctx, void *state, const struct cordon_source *src)
{
	struct state *s = state;
	int lang = ps_lang_from_name(src->language);
	if (lang < 0) {
		if (!s->deny_unknown)
			return CORDON_IGNORE;
		cordon_finding(ctx, "unknown-language", CORDON_SEV_HIGH, 0, 0,
		               "the source's language is not known (no rule applies; unknown_language: deny)");
		return CORDON_DENY;
	}
	if (s->unbuilt < 0) {
		cordon_error(ctx, NULL, "the scanners could not be built (out of memory)");
		return CORDON_ERROR;
	}
	if (s->unbuilt) {
		/* in the checker, which may not make memory executable: PCRE2's
		 * interpreter, not its JIT */
		cordon_log(ctx, CORDON_LOG_DEBUG, "building the scanners at the first check (without JIT)");
		if (build_engines(ctx, s, false) < 0) {
			s->unbuilt = -1;
			return CORDON_ERROR;
		}
		s->unbuilt = 0;
	}
	struct ps_engine *eng = s->eng[lang];
	for (size_t i = 0; i < s->n; i++)
		s->rules[i].count = 0;
	if (!ps_engine_count(eng))
		return CORDON_IGNORE;

	const unsigned char *data = src->data;
	size_t len = src->len;
	if (s->skip_comments && len) {
		if (len > s->buf_cap) {
			unsigned char *b = malloc(len);
			if (!b) {
				cordon_error(ctx, NULL, "out of memory (%zu bytes to scan)", len);
				return CORDON_ERROR;
			}
			free(s->buf);
			s->buf = b;
			s->buf_cap = len;
		}
		const char *why = NULL;
		if (ps_strip((enum ps_lang)lang, src->data, len, s->buf, &why) == 0)
			data = s->buf;
		else
			cordon_log(ctx, CORDON_LOG_DEBUG, "%s: scanned with its comments (%s)", src->name, why);
	}

	struct tally t = { ctx, s, s->map[lang], src->data, data, len, 0, 0, CORDON_SEV_INFO, CORDON_SEV_INFO, 0 };
	s->ck_n = 0;
	size_t fail_rule = 0, fail_off = 0;
	int fail_rc = 0;
	int failed = ps_engine_scan(eng, data, len, on_match, &t, &fail_rule, &fail_off, &fail_rc) < 0;
	if (failed) {
		PCRE2_UCHAR msg[256];
		if (pcre2_get_error_message(fail_rc, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "error %d", fail_rc);
		struct cursor cur;
		position(s, src->data, len, fail_off, &cur);
		cordon_error(ctx, NULL, "rule '%s' could not be matched from line %ld: %s (the source is not "
		                        "fully checked)", s->rules[s->map[lang][fail_rule]].id, cur.line, (const char *)msg);
	}
	if (s->prefilter) {
		size_t win = 0, calls = 0, whole = 0, nr = ps_engine_count(eng);
		for (size_t k = 0; k < nr; k++) {
			struct ps_rule_info info;
			ps_engine_rule_info(eng, k, &info);
			whole += info.mode != PS_MODE_WINDOWS;
			win += info.windows;
			calls += info.calls;
		}
		cordon_log(ctx, CORDON_LOG_DEBUG, "%s: %zu rules: %zu scanned whole, the rest at %zu literal hits "
		           "(%zu PCRE2 calls in all)", src->name, nr, whole, win, calls);
	}
	if (t.suppressed) {
		/* One more finding counts the rest, by rule. */
		char msg[1024];
		size_t o = (size_t)snprintf(msg, sizeof(msg), "%zu more findings not listed (max_findings %lld):",
		                            t.suppressed, (long long)s->max_findings);
		int64_t seen = 0;
		for (size_t i = 0; i < s->n && o < sizeof(msg); i++) {
			struct rule *r = &s->rules[i];
			if (!r->count)
				continue;
			/* findings were listed in rule order: skip what was listed */
			int64_t hidden = (int64_t)r->count;
			if (seen < s->max_findings) {
				int64_t shown = s->max_findings - seen < hidden ? s->max_findings - seen : hidden;
				hidden -= shown;
			}
			seen += (int64_t)r->count;
			if (hidden > 0) {
				int w = snprintf(msg + o, sizeof(msg) - o, " %s %lld", r->id, (long long)hidden);
				o = w < 0 ? sizeof(msg) : o + (size_t)w;
			}
		}
		if (o >= sizeof(msg))
			memcpy(msg + sizeof(msg) - 4, "...", 4);
		cordon_finding(ctx, "more-findings", t.worst_hidden, 0, 0, "%s", msg);
	}
	if (failed)
		return CORDON_ERROR;
	return t.any && t.worst >= s->threshold ? CORDON_DENY : CORDON_PASS;
}

static void ps_close(void *state)
{
	struct state *s = state;
	if (!s)
		return;
	for (int l = 0; l < PS_LANG_COUNT; l++) {
		ps_engine_free(s->eng[l]);
		free(s->map[l]);
	}
	free(s->rules);
	free(s->buf);
	free(s->ck);
	free(s);
}

/* Nothing `cordon selftest` can probe (ABI 1.5): it runs commands. */
static int ps_requirements(cordon_ctx *ctx, void *state)
{
	(void)state;
	return cordon_require(ctx, CORDON_PROP_NOT_PROBED, "a check-phase module sees nothing to check in the probes' runs; see `cordon check`");
}

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_module),
	.name = "pattern_scan",
	.description = "regular-expression rules (PCRE2 with JIT) over the source, by language, with a threshold",
	.config = config,
	.config_size = sizeof(struct config),
	.open = ps_open,
	.check = ps_check,
	.close = ps_close,
	.requirements = ps_requirements,
};
