/*
 * core/tighten.c - per-call settings that may only tighten a policy.
 *
 * A caller (the CLI's --limit, --no-network, --deny-import, --pattern; the
 * binding's keyword arguments) may adjust the policy it loads for one call,
 * as the seeds' SandboxConfig did, without being able to weaken what an
 * administrator wrote:
 *
 *   limit:NAME=VALUE   an rlimit key, at most the policy's value (a key the
 *                      policy leaves out counts as the module's declared
 *                      default: unlimited, or core 0, output_dir 64M,
 *                      output_files 4096)
 *   network:none       every network setting of the stack becomes none, and
 *                      the TCP port lists of a Landlock entry go
 *   deny-import:MOD    MOD joins pyimport's deny list (either mode)
 *   pattern:REGEX      an inline pattern_scan rule, severity critical (so
 *                      it denies whatever the threshold), every language
 *
 * Each setting is applied to the entries' `with:` mappings before they are
 * validated and opened, so the modules see one ordinary policy and the
 * module's own argument checks apply to the new values.  A setting that
 * would loosen, or that the stack has no module to carry, is an error
 * naming the policy's value and where it was written: it fails closed,
 * never silently ignored.  The settings applied are kept in the policy and
 * every result lists them ("tightened").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Where per-call values say they came from in `policy show` and errors. */
static const char per_call_file[] = "per-call";

static const struct cordon_arg *find_arg(const struct loaded_module *lm, const char *name)
{
	for (const struct cordon_arg *a = lm->args; a && a->name; a++)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

static struct cordon_node *scalar_new(cordon_policy *p, const char *text, size_t idx)
{
	struct mark m = { per_call_file, (long)idx + 1, 1 };
	struct cordon_node *n = synth_new(p, CORDON_NODE_SCALAR, &m, 0);
	if (!n)
		return NULL;
	struct synth *s = (struct synth *)((char *)n - offsetof(struct synth, node));
	s->text = xstrdup(text);
	if (!s->text)
		return NULL;
	n->text = s->text;
	n->len = strlen(text);
	n->plain = false; /* dumped quoted: a per-call value is always a string */
	return n;
}

/* e's `with:` with KEY set to VAL (replaced or appended), or with KEY
 * removed when VAL is NULL.  KEYNODE names the key. */
static int with_set(cordon_policy *p, struct entry *e, struct cordon_node *keynode, struct cordon_node *val)
{
	const struct cordon_node *w = e->with;
	size_t have = w && w->type == CORDON_NODE_MAPPING ? w->n : 0;
	struct mark m = w ? w->mark : e->mark;
	struct cordon_node *nw = synth_new(p, CORDON_NODE_MAPPING, &m, 2 * (have + 1));
	if (!nw)
		return -1;
	bool done = false;
	for (size_t i = 0; i < have; i++) {
		if (strcmp(w->items[2 * i]->text, keynode->text) == 0) {
			if (val) {
				nw->items[2 * nw->n] = keynode;
				nw->items[2 * nw->n + 1] = val;
				nw->n++;
			}
			done = true;
			continue;
		}
		nw->items[2 * nw->n] = w->items[2 * i];
		nw->items[2 * nw->n + 1] = w->items[2 * i + 1];
		nw->n++;
	}
	if (!done && val) {
		nw->items[2 * nw->n] = keynode;
		nw->items[2 * nw->n + 1] = val;
		nw->n++;
	}
	e->with = nw;
	return 0;
}

/* A sequence of OLD's items (a scalar counts as one; NULL as none) and ITEM. */
static struct cordon_node *seq_append(cordon_policy *p, const struct cordon_node *old, struct cordon_node *item)
{
	size_t have = !old ? 0 : old->type == CORDON_NODE_SEQUENCE ? old->n : 1;
	struct cordon_node *s = synth_new(p, CORDON_NODE_SEQUENCE, old ? &old->mark : &item->mark, have + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < have; i++)
		s->items[s->n++] = old->type == CORDON_NODE_SEQUENCE ? old->items[i] : (struct cordon_node *)old;
	s->items[s->n++] = item;
	return s;
}

/* A typed value of an rlimit-style key; CORDON_UNLIMITED for "unlimited". */
static int typed_value(enum cordon_arg_type t, const char *s, uint64_t *out)
{
	if (strcmp(s, "unlimited") == 0 && t != CORDON_ARG_INT) {
		*out = CORDON_UNLIMITED;
		return 0;
	}
	if (t == CORDON_ARG_SIZE)
		return parse_size(s, out);
	if (t == CORDON_ARG_DURATION)
		return parse_duration(s, out);
	int64_t v;
	if (parse_int(s, &v) < 0 || v < 0)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

/* What a key the policy leaves out means: the module's declared default
 * (an ABI 1.4 config table says it), or no limit. */
static uint64_t absent_value(const struct entry *e, const struct cordon_arg *a, const char **text)
{
	*text = "unlimited";
	for (size_t i = 0; i < e->lm.n_cfg; i++) {
		const struct cordon_config_arg *c = e->lm.cfg[i];
		uint64_t v;
		if (strcmp(c->name, a->name) == 0 && c->def && typed_value(a->type, c->def, &v) == 0) {
			*text = c->def;
			return v;
		}
	}
	return CORDON_UNLIMITED;
}

static struct entry *entry_named(cordon_policy *p, const char *name)
{
	for (size_t i = 0; i < p->n_stack; i++)
		if (strcmp(p->stack[i].lm.m->name, name) == 0)
			return &p->stack[i];
	return NULL;
}

static int tighten_limit(cordon_policy *p, const char *spec, const char *item, size_t idx, char **err)
{
	const char *eq = strchr(spec, '=');
	if (!eq || eq == spec || !eq[1])
		return set_err(err, "per-call setting '%s': expected limit:NAME=VALUE (such as limit:memory=128M)",
		               item);
	char *key = xstrndup(spec, (size_t)(eq - spec));
	if (!key)
		return set_err(err, "out of memory");
	const char *val = eq + 1;
	int r = -1;
	struct entry *e = entry_named(p, "rlimit");
	const struct cordon_arg *a = e ? find_arg(&e->lm, key) : NULL;
	if (!e) {
		set_err(err, "per-call setting '%s': policy '%s' has no rlimit entry whose limits it could lower", item,
		        p->name);
		goto out;
	}
	if (!a || (a->type != CORDON_ARG_SIZE && a->type != CORDON_ARG_DURATION && a->type != CORDON_ARG_INT)) {
		struct strbuf names = { 0 };
		for (const struct cordon_arg *x = e->lm.args; x && x->name; x++)
			if (x->type == CORDON_ARG_SIZE || x->type == CORDON_ARG_DURATION || x->type == CORDON_ARG_INT)
				sb_printf(&names, "%s%s", names.len ? ", " : "", x->name);
		set_err(err, "per-call setting '%s': '%s' is not a limit (expected one of %s)", item, key,
		        names.data ? names.data : "none");
		sb_free(&names);
		goto out;
	}
	uint64_t want, have;
	const char *deftext = NULL;
	if (typed_value(a->type, val, &want) < 0 || want == CORDON_UNLIMITED) {
		set_err(err, "per-call setting '%s': '%s' is not a %s value%s", item, val,
		        a->type == CORDON_ARG_SIZE ? "size (4096, 64K, 256M, 2G)" :
		        a->type == CORDON_ARG_DURATION ? "duration (500ms, 5s, 1m30s)" : "whole number",
		        want == CORDON_UNLIMITED ? " (a per-call limit cannot be unlimited)" : "");
		goto out;
	}
	const struct cordon_node *old = e->with && e->with->type == CORDON_NODE_MAPPING ? node_get(e->with, key) : NULL;
	if (old) {
		if (old->type != CORDON_NODE_SCALAR || typed_value(a->type, old->text, &have) < 0) {
			err_at(err, old, "%s: the policy's value is not valid; fix it before tightening it per call", key);
			goto out;
		}
	} else {
		have = absent_value(e, a, &deftext);
	}
	if (want > have) {
		if (old)
			set_err(err,
			        "per-call setting '%s' would loosen policy '%s' (%s: %s at %s:%ld); per-call settings "
			        "may only tighten",
			        item, p->name, key, old->text, old->mark.file, old->mark.line);
		else
			set_err(err, "per-call setting '%s' would loosen policy '%s' (%s is not set there: %s by default); "
			             "per-call settings may only tighten",
			        item, p->name, key, deftext);
		goto out;
	}
	struct cordon_node *k = scalar_new(p, key, idx), *v = scalar_new(p, val, idx);
	if (!k || !v || with_set(p, e, k, v) < 0) {
		set_err(err, "out of memory");
		goto out;
	}
	r = 0;
out:
	free(key);
	return r;
}

static int tighten_network(cordon_policy *p, const char *spec, const char *item, size_t idx, char **err)
{
	if (strcmp(spec, "none") != 0)
		return set_err(err, "per-call setting '%s': expected network:none (a call can only take the network away)",
		               item);
	size_t n = 0;
	for (size_t i = 0; i < p->n_stack; i++) {
		struct entry *e = &p->stack[i];
		const struct cordon_arg *a = find_arg(&e->lm, "network");
		if (!a || a->type != CORDON_ARG_STRING)
			continue;
		struct cordon_node *k = scalar_new(p, "network", idx), *v = scalar_new(p, "none", idx);
		if (!k || !v || with_set(p, e, k, v) < 0)
			return set_err(err, "out of memory");
		/* network none keeps the ports a Landlock entry lists: take those too. */
		static const char *const ports[] = { "connect_tcp", "bind_tcp" };
		for (size_t j = 0; j < ARRAY_SIZE(ports); j++) {
			if (!find_arg(&e->lm, ports[j]) || !e->with || !node_get(e->with, ports[j]))
				continue;
			struct cordon_node *pk = scalar_new(p, ports[j], idx);
			if (!pk || with_set(p, e, pk, NULL) < 0)
				return set_err(err, "out of memory");
		}
		n++;
	}
	if (!n)
		return set_err(err,
		               "per-call setting '%s': policy '%s' has no module with a network setting (namespaces, "
		               "bwrap or landlock), so a call cannot take the network away; use a policy with an "
		               "isolation backend",
		               item, p->name);
	return 0;
}

static bool module_name_ok(const char *s)
{
	bool start = true;
	if (!*s || strlen(s) > 256)
		return false;
	for (; *s; s++) {
		char c = *s;
		if (c == '.') {
			if (start)
				return false;
			start = true;
			continue;
		}
		bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
		if (!alpha && !(c >= '0' && c <= '9' && !start))
			return false;
		start = false;
	}
	return !start;
}

static int tighten_import(cordon_policy *p, const char *spec, const char *item, size_t idx, char **err)
{
	if (!module_name_ok(spec))
		return set_err(err, "per-call setting '%s': '%s' is not a Python module name (such as socket or xml.dom)",
		               item, spec);
	struct entry *e = entry_named(p, "pyimport");
	if (!e || !find_arg(&e->lm, "deny"))
		return set_err(err, "per-call setting '%s': policy '%s' has no pyimport entry to deny imports with", item,
		               p->name);
	const struct cordon_node *old = e->with && e->with->type == CORDON_NODE_MAPPING ? node_get(e->with, "deny") : NULL;
	struct cordon_node *k = scalar_new(p, "deny", idx), *v = scalar_new(p, spec, idx);
	struct cordon_node *seq = v ? seq_append(p, old, v) : NULL;
	if (!k || !seq || with_set(p, e, k, seq) < 0)
		return set_err(err, "out of memory");
	return 0;
}

static int tighten_pattern(cordon_policy *p, const char *spec, const char *item, size_t idx, char **err)
{
	if (!*spec)
		return set_err(err, "per-call setting '%s': expected pattern:REGEX (PCRE2)", item);
	struct entry *e = entry_named(p, "pattern_scan");
	if (!e)
		return set_err(err, "per-call setting '%s': policy '%s' has no pattern_scan entry to add a pattern to",
		               item, p->name);
	char id[32];
	snprintf(id, sizeof(id), "per-call-%zu", idx + 1);
	static const char *const langs[] = { "python", "javascript", "shell", "java" };
	struct mark m = { per_call_file, (long)idx + 1, 1 };
	struct cordon_node *rule = synth_new(p, CORDON_NODE_MAPPING, &m, 12);
	struct cordon_node *ls = synth_new(p, CORDON_NODE_SEQUENCE, &m, ARRAY_SIZE(langs));
	if (!rule || !ls)
		return set_err(err, "out of memory");
	for (size_t i = 0; i < ARRAY_SIZE(langs); i++)
		if (!(ls->items[ls->n++] = scalar_new(p, langs[i], idx)))
			return set_err(err, "out of memory");
	const char *kv[][2] = {
		{ "id", id }, { "pattern", spec }, { "severity", "critical" }, { "description", "a pattern given for this call" },
		{ "message", "a per-call pattern matched" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(kv); i++) {
		struct cordon_node *k = scalar_new(p, kv[i][0], idx), *v = scalar_new(p, kv[i][1], idx);
		if (!k || !v)
			return set_err(err, "out of memory");
		rule->items[2 * rule->n] = k;
		rule->items[2 * rule->n + 1] = v;
		rule->n++;
	}
	struct cordon_node *lk = scalar_new(p, "languages", idx);
	if (!lk)
		return set_err(err, "out of memory");
	rule->items[2 * rule->n] = lk;
	rule->items[2 * rule->n + 1] = ls;
	rule->n++;
	const struct cordon_node *old = e->with && e->with->type == CORDON_NODE_MAPPING ? node_get(e->with, "rules") : NULL;
	struct cordon_node *k = scalar_new(p, "rules", idx);
	struct cordon_node *seq = seq_append(p, old, rule);
	if (!k || !seq || with_set(p, e, k, seq) < 0)
		return set_err(err, "out of memory");
	return 0;
}

int policy_tighten(cordon_policy *p, const char *const *items, char **err)
{
	static const struct {
		const char *prefix;
		int (*fn)(cordon_policy *, const char *, const char *, size_t, char **);
	} kinds[] = {
		{ "limit:", tighten_limit },
		{ "network:", tighten_network },
		{ "deny-import:", tighten_import },
		{ "pattern:", tighten_pattern },
	};
	for (size_t i = 0; items && items[i]; i++) {
		if (i >= 256)
			return set_err(err, "more than 256 per-call settings");
		size_t k;
		for (k = 0; k < ARRAY_SIZE(kinds); k++)
			if (strncmp(items[i], kinds[k].prefix, strlen(kinds[k].prefix)) == 0)
				break;
		if (k == ARRAY_SIZE(kinds))
			return set_err(err,
			               "per-call setting '%s': expected limit:NAME=VALUE, network:none, deny-import:MODULE "
			               "or pattern:REGEX",
			               items[i]);
		if (kinds[k].fn(p, items[i] + strlen(kinds[k].prefix), items[i], i, err) < 0)
			return -1;
		if (strv_push(&p->tightened, items[i]) < 0)
			return set_err(err, "out of memory");
	}
	return 0;
}
