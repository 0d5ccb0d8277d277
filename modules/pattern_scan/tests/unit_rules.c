/*
 * modules/pattern_scan/tests/unit_rules.c - every shipped rule against its
 * own examples, through the real path: a policy per language loads the
 * pattern_scan module with all four rule sets, and each `examples.match`
 * sample must produce a finding of that rule, each `examples.no_match`
 * sample none (comments blanked as by default).  Every rule must carry at
 * least one sample of each kind.
 */
#include <unistd.h>

#include "internal.h"
#include "tap.h"

static const char *const rule_files[] = { "python", "javascript", "shell", "java" };
static const char *const interpreters[] = { "/usr/bin/python3", "/usr/bin/node", "/bin/sh", "/usr/bin/java" };
static const char *const langs[] = { "python", "javascript", "shell", "java" };
#define NLANG 4

static char dir[] = "/tmp/cordon-ps-rules.XXXXXX";

static int lang_index(const char *name)
{
	for (int i = 0; i < NLANG; i++)
		if (strcmp(name, langs[i]) == 0)
			return i;
	return -1;
}

/* Findings of rule id for text under policy p: -1 when the check failed. */
static long count_rule(cordon_policy *p, const char *id, const char *text, int *status_error)
{
	char *err = NULL;
	cordon_result *r = cordon_check(p, NULL, text, strlen(text), &err);
	if (!r) {
		diag("check failed: %s", err ? err : "?");
		free(err);
		return -1;
	}
	*status_error = strcmp(cordon_result_status(r), "error") == 0;
	long n = 0;
	for (size_t i = 0; i < cordon_result_finding_count(r); i++) {
		struct cordon_finding f = { .size = sizeof(f) };
		if (cordon_result_finding(r, i, &f) == 0 && strcmp(f.rule, id) == 0)
			n++;
	}
	cordon_result_free(r);
	return n;
}

/* text for a test name: line ends shown as \n */
static const char *shown(const char *t)
{
	static char buf[200];
	size_t o = 0;
	for (; t && *t && o + 3 < sizeof(buf); t++) {
		if (*t == '\n' || *t == '\r') {
			buf[o++] = '\\';
			buf[o++] = *t == '\n' ? 'n' : 'r';
		} else {
			buf[o++] = *t;
		}
	}
	buf[o] = '\0';
	return buf;
}

static const char *scalar_of(const struct cordon_node *n)
{
	return n && n->type == CORDON_NODE_SCALAR ? n->text : NULL;
}

int main(void)
{
	const char *tb = getenv("CORDON_TESTBIN"), *src = getenv("CORDON_SRCDIR");
	if (!tb || !src)
		bail("set CORDON_TESTBIN and CORDON_SRCDIR");
	if (!mkdtemp(dir))
		bail("mkdtemp");
	char *mods = xasprintf("%s/../lib/cordon/modules", tb);
	struct cordon_load_options lo = { .size = sizeof(lo), .module_path = mods };

	cordon_policy *pol[NLANG];
	for (int l = 0; l < NLANG; l++) {
		char *path = xasprintf("%s/%s.yaml", dir, langs[l]);
		FILE *f = fopen(path, "w");
		if (!f)
			bail("cannot write %s", path);
		fprintf(f, "interpreter: [%s]\nstack:\n  - module: pattern_scan\n    with:\n", interpreters[l]);
		fprintf(f, "      threshold: info\n      max_findings: 10000\n      rules:\n");
		for (int k = 0; k < NLANG; k++)
			fprintf(f, "        - %s/policies.d/rules/%s.yaml\n", src, rule_files[k]);
		fclose(f);
		char *err = NULL;
		pol[l] = cordon_policy_load(path, &lo, &err);
		if (!pol[l])
			bail("policy for %s: %s", langs[l], err ? err : "?");
		unlink(path);
		free(path);
	}

	int rules_seen = 0;
	for (int k = 0; k < NLANG; k++) {
		char *path = xasprintf("%s/policies.d/rules/%s.yaml", src, rule_files[k]);
		char *why = NULL;
		struct tree *t = tree_load_file(path, "rule file", &why);
		if (!t)
			bail("%s: %s", path, why ? why : "?");
		const struct cordon_node *rules = node_get(t->root, "rules");
		if (!rules || rules->type != CORDON_NODE_SEQUENCE)
			bail("%s: no rules", path);
		for (size_t i = 0; i < rules->n; i++) {
			const struct cordon_node *r = rules->items[i];
			const char *id = scalar_of(node_get(r, "id"));
			const struct cordon_node *ls = node_get(r, "languages");
			const struct cordon_node *ex = node_get(r, "examples");
			const struct cordon_node *m = ex ? node_get(ex, "match") : NULL;
			const struct cordon_node *nm = ex ? node_get(ex, "no_match") : NULL;
			rules_seen++;
			ok(id && m && nm && m->type == CORDON_NODE_SEQUENCE && nm->type == CORDON_NODE_SEQUENCE && m->n > 0 &&
			           nm->n > 0,
			   "%s: rule %s has match and no_match examples", rule_files[k], id ? id : "?");
			if (!id || !ls || ls->type != CORDON_NODE_SEQUENCE || !m || !nm)
				continue;
			for (size_t j = 0; j < ls->n; j++) {
				int l = lang_index(scalar_of(ls->items[j]) ? scalar_of(ls->items[j]) : "");
				if (l < 0) {
					ok(0, "%s: unknown language", id);
					continue;
				}
				for (size_t e = 0; e < m->n; e++) {
					const char *text = scalar_of(m->items[e]);
					int serr = 0;
					long c = count_rule(pol[l], id, text ? text : "", &serr);
					ok(c > 0 && !serr, "%s (%s) fires on: %s", id, langs[l], shown(text));
				}
				for (size_t e = 0; e < nm->n; e++) {
					const char *text = scalar_of(nm->items[e]);
					int serr = 0;
					long c = count_rule(pol[l], id, text ? text : "", &serr);
					ok(c == 0 && !serr, "%s (%s) quiet on: %s", id, langs[l], shown(text));
					if (c > 0)
						diag("fired %ld time(s)", c);
				}
			}
		}
		tree_free_list(t);
		free(path);
	}
	ok(rules_seen >= 60, "at least 60 rules shipped (%d)", rules_seen);
	for (int l = 0; l < NLANG; l++)
		cordon_policy_free(pol[l]);
	rmdir(dir);
	free(mods);
	return tap_done();
}
