/*
 * core/policy.c - find a policy, read it and its includes, load and open the
 * modules of its stack.
 *
 * Policy file (see README.md "Policy format"):
 *
 *     name: NAME
 *     description: TEXT
 *     include: [NAME|PATH, ...]     # stacks spliced where the key stands
 *     interpreter: [PATH, ARG...]
 *     env: {NAME: VALUE, ...}
 *     stack:
 *       - module: NAME|PATH
 *         control: required|requisite|sufficient|optional
 *         with: {...}
 *       - include: NAME|PATH        # spliced at this position
 *
 * An included file's interpreter and env are defaults: the including file's
 * own values win whatever the key order (env merges by variable).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#ifndef CORDON_POLICY_DIR
#define CORDON_POLICY_DIR "/usr/local/etc/cordon/policies.d"
#endif

static const char *const control_names[] = { "required", "requisite", "sufficient", "optional" };

const char *control_name(enum control c)
{
	return (unsigned)c < ARRAY_SIZE(control_names) ? control_names[c] : "?";
}

int policy_search_dirs(const char *extra, struct strv *dirs)
{
	if (extra && *extra && strv_push(dirs, extra) < 0)
		return -1;
	const char *env = getenv("CORDON_POLICY_DIR");
	if (env && *env && strv_push(dirs, env) < 0)
		return -1;
	/* From the build tree: the source tree's policies, never an installed
	 * directory (as module_search_dirs). */
#ifdef CORDON_SRC_POLICY_DIR
	if (build_tree_libdir())
		return strv_push(dirs, CORDON_SRC_POLICY_DIR) < 0 ? -1 : 0;
#endif
	return strv_push(dirs, CORDON_POLICY_DIR) < 0 ? -1 : 0;
}

static bool is_path(const char *s)
{
	size_t n = strlen(s);
	return strchr(s, '/') || (n > 5 && strcmp(s + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(s + n - 4, ".yml") == 0);
}

static bool valid_policy_name(const char *s)
{
	if (!*s || *s == '.' || *s == '-' || strlen(s) > 128)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-' || *s == '.'))
			return false;
	return true;
}

static char *dir_of(const char *path)
{
	char *real = realpath(path, NULL);
	if (!real)
		return NULL;
	char *slash = strrchr(real, '/');
	if (slash == real)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	return real;
}

/* Resolve NAME or PATH to a file.  first_dir (may be NULL) is searched
 * before the search path for names, and relative paths are taken from it. */
static char *resolve_policy(const char *ref, const char *first_dir, const struct strv *dirs,
                            char **err)
{
	if (is_path(ref)) {
		if (ref[0] == '/' || !first_dir)
			return xstrdup(ref);
		/* An include's relative path: beside the including file, then
		 * in each policy directory (so base/... pieces resolve from a
		 * policy anywhere). */
		char *near = xasprintf("%s/%s", first_dir, ref);
		if (!near || access(near, F_OK) == 0)
			return near;
		for (size_t i = 0; i < dirs->n; i++) {
			char *path = xasprintf("%s/%s", dirs->v[i], ref);
			if (!path || access(path, F_OK) == 0) {
				free(near);
				return path;
			}
			free(path);
		}
		return near; /* not found: the error names the path beside the includer */
	}
	if (!valid_policy_name(ref)) {
		set_err(err, "'%s' is not a policy name ([A-Za-z0-9_.-]) or a path to a .yaml file", ref);
		return NULL;
	}
	struct strbuf searched = { 0 };
	for (size_t i = first_dir ? 0 : 1; i <= dirs->n; i++) {
		const char *d = i == 0 ? first_dir : dirs->v[i - 1];
		char *path = xasprintf("%s/%s.yaml", d, ref);
		if (!path)
			break;
		if (access(path, F_OK) == 0) {
			sb_free(&searched);
			return path;
		}
		sb_printf(&searched, "%s%s", searched.len ? ", " : "", path);
		free(path);
	}
	set_err(err, "policy '%s' not found (searched: %s)", ref, searched.data ? searched.data : "nothing");
	sb_free(&searched);
	return NULL;
}

/* ---- reading files ---- */

struct raw_entry {
	char *ref;
	struct mark mark;
	enum control control;
	bool control_set; /* `control:` written in the entry */
	const struct cordon_node *with;
	char *policy_dir;
};

struct loader {
	cordon_policy *p;
	const struct strv *dirs;
	struct raw_entry *entries;
	size_t n_entries, cap_entries;
	struct raw_entry *overrides; /* `override: true` entries, applied after every file is read */
	size_t n_overrides, cap_overrides;
	char *chain[POLICY_MAX_INCLUDE_DEPTH + 1]; /* canonical paths being read */
	int depth;
	char **err;
};

/* Per-file values applied after the file's includes. */
struct file_values {
	const struct cordon_node *interpreter;
	const struct cordon_node *env;
};

static int load_file(struct loader *L, const char *path, const struct cordon_node *from);

static int env_name_ok(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return 0;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_'))
			return 0;
	return 1;
}

static int check_interpreter(const struct cordon_node *n, char **err)
{
	if (n->type != CORDON_NODE_SEQUENCE || n->n == 0)
		return err_at(err, n, "interpreter: expected a non-empty list such as [/usr/bin/python3, -I], found %s",
		              node_type_name(n));
	for (size_t i = 0; i < n->n; i++) {
		const struct cordon_node *it = n->items[i];
		if (it->type != CORDON_NODE_SCALAR)
			return err_at(err, it, "interpreter: expected a string, found %s", node_type_name(it));
		if (i == 0 && it->len == 0)
			return err_at(err, it, "interpreter: the program must not be empty");
	}
	return 0;
}

static int check_env(const struct cordon_node *n, char **err)
{
	if (n->type != CORDON_NODE_MAPPING)
		return err_at(err, n, "env: expected a mapping of NAME: value, found %s", node_type_name(n));
	if (n->n > POLICY_MAX_ENV)
		return err_at(err, n, "env: more than %d variables", POLICY_MAX_ENV);
	for (size_t i = 0; i < n->n; i++) {
		const struct cordon_node *k = n->items[2 * i], *v = n->items[2 * i + 1];
		if (!env_name_ok(k->text))
			return err_at(err, k, "env: '%s' is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*)",
			              k->text);
		if (v->type != CORDON_NODE_SCALAR)
			return err_at(err, v, "env: %s: expected a string, found %s", k->text, node_type_name(v));
	}
	return 0;
}

static int apply_values(struct loader *L, const struct file_values *fv)
{
	cordon_policy *p = L->p;
	if (fv->interpreter) {
		strv_clear(&p->interpreter);
		for (size_t i = 0; i < fv->interpreter->n; i++)
			if (strv_push(&p->interpreter, fv->interpreter->items[i]->text) < 0)
				return set_err(L->err, "out of memory");
	}
	if (fv->env) {
		p->has_env = true;
		for (size_t i = 0; i < fv->env->n; i++) {
			const char *k = fv->env->items[2 * i]->text, *v = fv->env->items[2 * i + 1]->text;
			size_t j;
			for (j = 0; j < p->n_env; j++)
				if (strcmp(p->env[j].name, k) == 0)
					break;
			char *nv = xstrdup(v);
			if (!nv)
				return set_err(L->err, "out of memory");
			if (j < p->n_env) {
				free(p->env[j].value);
				p->env[j].value = nv;
				continue;
			}
			if (p->n_env >= POLICY_MAX_ENV) {
				free(nv);
				return err_at(L->err, fv->env->items[2 * i], "env: more than %d variables after includes",
				              POLICY_MAX_ENV);
			}
			struct env_var *ne = realloc(p->env, (p->n_env + 1) * sizeof(*ne));
			if (!ne) {
				free(nv);
				return set_err(L->err, "out of memory");
			}
			p->env = ne;
			p->env[p->n_env].name = xstrdup(k);
			p->env[p->n_env].value = nv;
			if (!p->env[p->n_env].name) {
				free(nv);
				return set_err(L->err, "out of memory");
			}
			p->n_env++;
		}
	}
	return 0;
}

static int include_one(struct loader *L, const struct cordon_node *ref, const char *dir)
{
	if (ref->type != CORDON_NODE_SCALAR || ref->len == 0)
		return err_at(L->err, ref, "include: expected a policy name or path, found %s",
		              node_type_name(ref));
	char *why = NULL;
	char *path = resolve_policy(ref->text, dir, L->dirs, &why);
	if (!path) {
		err_at(L->err, ref, "include: %s", why ? why : "out of memory");
		free(why);
		return -1;
	}
	int r = load_file(L, path, ref);
	free(path);
	return r;
}

static int add_entry(struct loader *L, const struct cordon_node *item, const char *dir)
{
	static const char *const keys[] = { "module", "control", "with", "include", "override", NULL };
	if (item->type != CORDON_NODE_MAPPING)
		return err_at(L->err, item,
		              "stack: expected an entry such as {module: rlimit, control: required, with: {...}}, found %s",
		              node_type_name(item));
	for (size_t i = 0; i < item->n; i++) {
		const struct cordon_node *k = item->items[2 * i];
		bool known = false;
		for (size_t j = 0; keys[j]; j++)
			known |= strcmp(k->text, keys[j]) == 0;
		if (!known)
			return err_at(L->err, k,
			              "unknown key '%s' in a stack entry (expected module, control, with, override or include)",
			              k->text);
	}
	const struct cordon_node *inc = node_get(item, "include");
	if (inc) {
		if (item->n != 1)
			return err_at(L->err, item, "a stack entry with 'include' takes no other keys");
		if (inc->type == CORDON_NODE_SEQUENCE) {
			for (size_t i = 0; i < inc->n; i++)
				if (include_one(L, inc->items[i], dir) < 0)
					return -1;
			return 0;
		}
		return include_one(L, inc, dir);
	}
	const struct cordon_node *mod = node_get(item, "module");
	if (!mod)
		return err_at(L->err, item, "stack entry without 'module' (expected module: NAME or a path to a .so)");
	if (mod->type != CORDON_NODE_SCALAR || mod->len == 0)
		return err_at(L->err, mod, "module: expected a module name or path, found %s",
		              node_type_name(mod));
	enum control control = CONTROL_REQUIRED;
	const struct cordon_node *ctl = node_get(item, "control");
	if (ctl) {
		size_t c;
		for (c = 0; c < ARRAY_SIZE(control_names); c++)
			if (ctl->type == CORDON_NODE_SCALAR && strcmp(ctl->text, control_names[c]) == 0)
				break;
		if (c == ARRAY_SIZE(control_names))
			return err_at(L->err, ctl,
			              "control: expected required, requisite, sufficient or optional, found %s%s%s",
			              ctl->type == CORDON_NODE_SCALAR ? "'" : "",
			              ctl->type == CORDON_NODE_SCALAR ? ctl->text : node_type_name(ctl),
			              ctl->type == CORDON_NODE_SCALAR ? "'" : "");
		control = (enum control)c;
	}
	int over = 0;
	const struct cordon_node *ov = node_get(item, "override");
	if (ov && parse_bool(ov, &over) < 0)
		return err_at(L->err, ov, "override: expected true or false, found %s%s%s",
		              ov->type == CORDON_NODE_SCALAR ? "'" : "",
		              ov->type == CORDON_NODE_SCALAR ? ov->text : node_type_name(ov),
		              ov->type == CORDON_NODE_SCALAR ? "'" : "");
	struct raw_entry **arr = over ? &L->overrides : &L->entries;
	size_t *n = over ? &L->n_overrides : &L->n_entries;
	size_t *cap = over ? &L->cap_overrides : &L->cap_entries;
	if (*n >= POLICY_MAX_STACK)
		return err_at(L->err, item, "more than %d stack entries", POLICY_MAX_STACK);
	if (grow_array((void **)arr, cap, *n + 1, sizeof(**arr)) < 0)
		return set_err(L->err, "out of memory");
	struct raw_entry *e = &(*arr)[*n];
	memset(e, 0, sizeof(*e));
	e->ref = xstrdup(mod->text);
	e->policy_dir = xstrdup(dir);
	if (!e->ref || !e->policy_dir) {
		free(e->ref);
		free(e->policy_dir);
		return set_err(L->err, "out of memory");
	}
	e->mark = item->mark;
	e->control = control;
	e->control_set = ctl != NULL;
	e->with = node_get(item, "with");
	(*n)++;
	return 0;
}

static int load_file(struct loader *L, const char *path, const struct cordon_node *from)
{
	char *canon = realpath(path, NULL);
	if (!canon) {
		int e = errno;
		if (from)
			return err_at(L->err, from, "include: %s: %s", path, strerror(e));
		return set_err(L->err, "%s: cannot open policy: %s", path, strerror(e));
	}
	for (int i = 0; i < L->depth; i++) {
		if (strcmp(L->chain[i], canon) == 0) {
			free(canon);
			return err_at(L->err, from, "include cycle: %s is already being read", path);
		}
	}
	if (L->depth >= POLICY_MAX_INCLUDE_DEPTH) {
		free(canon);
		return err_at(L->err, from, "includes nested deeper than %d files", POLICY_MAX_INCLUDE_DEPTH);
	}
	char *why = NULL;
	struct tree *t = tree_load_file(path, "policy", &why);
	if (!t) {
		/* Problems inside an included file name their own file:line; a
		 * file that cannot be opened or trusted is named from the include. */
		if (from && why && strncmp(why, path, strlen(path)) == 0 && why[strlen(path)] == ':' &&
		    why[strlen(path) + 1] == ' ')
			err_at(L->err, from, "include: %s", why);
		else
			set_err(L->err, "%s", why ? why : "out of memory");
		free(why);
		free(canon);
		return -1;
	}
	t->next = L->p->trees;
	L->p->trees = t;
	L->chain[L->depth++] = canon;

	int r = -1;
	char *dir = dir_of(path);
	const struct cordon_node *root = t->root;
	struct file_values fv = { 0 };
	if (!dir) {
		set_err(L->err, "out of memory");
		goto out;
	}
	if (root->type != CORDON_NODE_MAPPING) {
		err_at(L->err, root, "expected a policy (a mapping with keys such as name, interpreter, stack), found %s",
		       node_type_name(root));
		goto out;
	}
	for (size_t i = 0; i < root->n; i++) {
		const struct cordon_node *k = root->items[2 * i], *v = root->items[2 * i + 1];
		if (strcmp(k->text, "name") == 0) {
			if (v->type != CORDON_NODE_SCALAR || !valid_policy_name(v->text)) {
				err_at(L->err, v, "name: expected a policy name of [A-Za-z0-9_.-], found %s%s%s",
				       v->type == CORDON_NODE_SCALAR ? "'" : "",
				       v->type == CORDON_NODE_SCALAR ? v->text : node_type_name(v),
				       v->type == CORDON_NODE_SCALAR ? "'" : "");
				goto out;
			}
			if (L->depth == 1 && !(L->p->name = xstrdup(v->text)))
				goto oom;
		} else if (strcmp(k->text, "description") == 0) {
			if (v->type != CORDON_NODE_SCALAR) {
				err_at(L->err, v, "description: expected a string, found %s", node_type_name(v));
				goto out;
			}
			if (L->depth == 1 && !(L->p->description = xstrdup(v->text)))
				goto oom;
		} else if (strcmp(k->text, "mode") == 0) {
			if (v->type != CORDON_NODE_SCALAR ||
			    (strcmp(v->text, "enforce") != 0 && strcmp(v->text, "audit") != 0)) {
				err_at(L->err, v, "mode: expected enforce or audit, found %s%s%s",
				       v->type == CORDON_NODE_SCALAR ? "'" : "",
				       v->type == CORDON_NODE_SCALAR ? v->text : node_type_name(v),
				       v->type == CORDON_NODE_SCALAR ? "'" : "");
				goto out;
			}
			/* Only the policy a user names decides the mode: an
			 * included piece that could switch a whole policy to
			 * audit would be easy to miss. */
			if (L->depth != 1) {
				err_at(L->err, k, "mode: only the top-level policy file sets the mode, not an included one");
				goto out;
			}
			L->p->audit = strcmp(v->text, "audit") == 0;
		} else if (strcmp(k->text, "isolation") == 0) {
			/* `isolation: none`: a stack without an isolation backend
			 * on purpose (no warning then). */
			if (v->type != CORDON_NODE_SCALAR || strcmp(v->text, "none") != 0) {
				err_at(L->err, v, "isolation: expected none (a policy that means to run without an "
				                  "isolation backend); leave it out otherwise");
				goto out;
			}
			if (L->depth != 1) {
				err_at(L->err, k, "isolation: only the top-level policy file says none, not an included one");
				goto out;
			}
			L->p->isolation_none = true;
		} else if (strcmp(k->text, "include") == 0) {
			if (v->type == CORDON_NODE_SEQUENCE) {
				for (size_t j = 0; j < v->n; j++)
					if (include_one(L, v->items[j], dir) < 0)
						goto out;
			} else if (include_one(L, v, dir) < 0) {
				goto out;
			}
		} else if (strcmp(k->text, "interpreter") == 0) {
			if (check_interpreter(v, L->err) < 0)
				goto out;
			fv.interpreter = v;
		} else if (strcmp(k->text, "env") == 0) {
			if (check_env(v, L->err) < 0)
				goto out;
			fv.env = v;
		} else if (strcmp(k->text, "stack") == 0) {
			if (v->type != CORDON_NODE_SEQUENCE) {
				if (!(v->type == CORDON_NODE_SCALAR && v->plain && v->len == 0)) {
					err_at(L->err, v, "stack: expected a list of modules, found %s", node_type_name(v));
					goto out;
				}
				continue; /* `stack:` left empty */
			}
			for (size_t j = 0; j < v->n; j++)
				if (add_entry(L, v->items[j], dir) < 0)
					goto out;
		} else {
			err_at(L->err, k,
			       "unknown key '%s' (expected name, description, mode, isolation, include, interpreter, env or stack)",
			       k->text);
			goto out;
		}
	}
	r = apply_values(L, &fv);
	goto out;
oom:
	set_err(L->err, "out of memory");
out:
	free(dir);
	free(L->chain[--L->depth]);
	L->chain[L->depth] = NULL;
	return r;
}

/* ---- overrides: an entry that changes an included one ---- */

/* A node of type t with room for n item pointers, owned by the policy. */
struct cordon_node *synth_new(cordon_policy *p, enum cordon_node_type t, const struct mark *m, size_t n)
{
	struct synth *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->node.items = calloc(n ? n : 1, sizeof(*s->node.items));
	if (!s->node.items) {
		free(s);
		return NULL;
	}
	s->node.type = t;
	s->node.mark = *m;
	s->next = p->synth;
	p->synth = s;
	return &s->node;
}

static void synth_free(struct synth *s)
{
	while (s) {
		struct synth *next = s->next;
		free(s->node.items);
		free(s->text);
		free(s);
		s = next;
	}
}

/* The mapping BASE with the keys of OVER set (replaced where BASE has them,
 * appended where not).  Either may be NULL.  *out borrows both. */
static int merge_with(cordon_policy *p, const struct cordon_node *base, const struct cordon_node *over,
                      const struct cordon_node **out, char **err)
{
	if (!over) {
		*out = base;
		return 0;
	}
	if (over->type != CORDON_NODE_MAPPING)
		return err_at(err, over, "with: expected a mapping of the module's arguments, found %s",
		              node_type_name(over));
	if (!base) {
		*out = over;
		return 0;
	}
	if (base->type != CORDON_NODE_MAPPING)
		return err_at(err, base, "with: expected a mapping of the module's arguments, found %s",
		              node_type_name(base));
	struct cordon_node *m = synth_new(p, CORDON_NODE_MAPPING, &base->mark, 2 * (base->n + over->n));
	if (!m)
		return set_err(err, "out of memory");
	for (size_t i = 0; i < base->n; i++) {
		const struct cordon_node *v = node_get(over, base->items[2 * i]->text);
		size_t j;
		for (j = 0; v && j < over->n; j++)
			if (over->items[2 * j + 1] == v)
				break;
		m->items[2 * m->n] = v ? over->items[2 * j] : base->items[2 * i];
		m->items[2 * m->n + 1] = v ? (struct cordon_node *)v : base->items[2 * i + 1];
		m->n++;
	}
	for (size_t j = 0; j < over->n; j++) {
		if (node_get(base, over->items[2 * j]->text))
			continue;
		m->items[2 * m->n] = over->items[2 * j];
		m->items[2 * m->n + 1] = over->items[2 * j + 1];
		m->n++;
	}
	*out = m;
	return 0;
}

/* Each `override: true` entry, in the order read, changes the entry of the
 * same module that the includes (or the file itself) put in the stack: its
 * `with:` keys replace or join the included ones, its `control:` (when
 * written) replaces the included control.  The entry keeps its place. */
static int apply_overrides(struct loader *L)
{
	for (size_t i = 0; i < L->n_overrides; i++) {
		struct raw_entry *o = &L->overrides[i];
		struct raw_entry *base = NULL;
		for (size_t j = 0; j < L->n_entries && !base; j++)
			if (strcmp(L->entries[j].ref, o->ref) == 0)
				base = &L->entries[j];
		if (!base) {
			struct strbuf have = { 0 };
			for (size_t j = 0; j < L->n_entries; j++)
				sb_printf(&have, "%s%s", j ? ", " : "", L->entries[j].ref);
			struct cordon_node tmp = { .mark = o->mark };
			err_at(L->err, &tmp,
			       "override: no stack entry of module '%s' to override (the stack has: %s); "
			       "drop 'override: true' to add the module",
			       o->ref, have.data ? have.data : "nothing");
			sb_free(&have);
			return -1;
		}
		if (merge_with(L->p, base->with, o->with, &base->with, L->err) < 0)
			return -1;
		if (o->control_set)
			base->control = o->control;
	}
	return 0;
}

/* ---- the stack's order, and what is almost certainly a mistake ---- */

/* Edit distance of a and b (both short names), capped at 9. */
static unsigned name_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return 9;
	unsigned row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb] > 9 ? 9 : row[lb];
}

/* The module name on the module path closest to ref (at most two edits
 * away), malloc'd, or NULL: "namespace" -> "namespaces". */
static char *closest_module(const char *ref, const struct strv *dirs)
{
	char *best = NULL;
	unsigned best_d = 3;
	for (size_t i = 0; i < dirs->n; i++) {
		DIR *d = opendir(dirs->v[i]);
		if (!d)
			continue;
		struct dirent *de;
		while ((de = readdir(d))) {
			size_t n = strlen(de->d_name);
			if (n <= 10 || strncmp(de->d_name, "cordon_", 7) != 0 || strcmp(de->d_name + n - 3, ".so") != 0)
				continue;
			char *name = xstrndup(de->d_name + 7, n - 10);
			unsigned dist = name ? name_distance(ref, name) : 9;
			if (dist < best_d) {
				free(best);
				best = name;
				best_d = dist;
			} else {
				free(name);
			}
		}
		closedir(d);
	}
	return best;
}

static const char *stage_name(unsigned st)
{
	static const char *const n[] = { "", "limits", "isolation", "capabilities", "LSM", "seccomp" };
	return st < ARRAY_SIZE(n) ? n[st] : "?";
}

/* Limits and isolation, then capabilities and LSMs, then seccomp. */
static int stage_rank(unsigned st)
{
	return st == CORDON_STAGE_LIMITS || st == CORDON_STAGE_ISOLATION ? 1
	       : st == CORDON_STAGE_CAPS || st == CORDON_STAGE_LSM       ? 2
	       : st == CORDON_STAGE_SECCOMP                              ? 3
	                                                                 : 0;
}

/*
 * The confinement order is a property of the stack the core keeps: each
 * module declares its stage (CORDON_MOD_STAGE), and an entry that would
 * confine before one it needs (seccomp or caps before namespaces: the
 * mounts would then fail; landlock before namespaces: Landlock forbids
 * them) is refused here, naming both entries and the order.  Two isolation
 * backends in one stack are refused too.
 */
static int check_stack_order(cordon_policy *p, char **err)
{
	const struct entry *highest = NULL, *backend = NULL;
	int highest_rank = 0;
	for (size_t i = 0; i < p->n_stack; i++) {
		const struct entry *e = &p->stack[i];
		unsigned st = CORDON_MOD_STAGE_OF(e->lm.m->flags);
		int rank = stage_rank(st);
		if (!rank)
			continue;
		struct cordon_node at = { .mark = e->mark };
		if (st == CORDON_STAGE_ISOLATION) {
			if (backend)
				return err_at(err, &at,
				              "%s and %s (%s:%ld) are both isolation backends: a stack has one (use "
				              "namespaces or bwrap, not both)",
				              e->lm.m->name, backend->lm.m->name, backend->mark.file, backend->mark.line);
			backend = e;
		}
		if (rank < highest_rank)
			return err_at(err, &at,
			              "%s (%s) comes after %s (%s, %s:%ld): it must come before it; the confinement order "
			              "is limits and isolation (rlimit, namespaces, bwrap), then capabilities and LSMs "
			              "(caps, landlock), then seccomp",
			              e->lm.m->name, stage_name(st), highest->lm.m->name,
			              stage_name(CORDON_MOD_STAGE_OF(highest->lm.m->flags)), highest->mark.file,
			              highest->mark.line);
		if (rank > highest_rank) {
			highest_rank = rank;
			highest = e;
		}
	}
	return 0;
}

/* The value of a duration argument of the entry of module `name`, or 0. */
static uint64_t entry_duration(const cordon_policy *p, const char *name, const char *key)
{
	for (size_t i = 0; i < p->n_stack; i++) {
		const struct entry *e = &p->stack[i];
		if (strcmp(e->lm.m->name, name) != 0 || !e->with || e->with->type != CORDON_NODE_MAPPING)
			continue;
		for (size_t k = 0; k < e->with->n; k++) {
			const struct cordon_node *kn = e->with->items[2 * k], *vn = e->with->items[2 * k + 1];
			uint64_t ns = 0;
			if (strcmp(kn->text, key) == 0 && vn->type == CORDON_NODE_SCALAR && parse_duration(vn->text, &ns) == 0 &&
			    ns != CORDON_UNLIMITED)
				return ns;
		}
	}
	return 0;
}

/* Warnings `policy lint` prints: what loads but is almost certainly not
 * what was meant.  The missing backend is also said in every run. */
static void lint_policy(cordon_policy *p)
{
	bool backend = false;
	for (size_t i = 0; i < p->n_stack; i++)
		backend |= (p->stack[i].lm.m->flags & CORDON_MOD_ISOLATION) != 0;
	p->no_backend = !backend && !p->isolation_none;
	if (p->no_backend)
		strv_push_owned(&p->lint_warnings,
		                xasprintf("policy '%s' has no isolation backend (namespaces, bwrap or landlock): the program "
		                          "runs with the caller's access to this host; say `isolation: none` in the policy "
		                          "if that is meant",
		                          p->name));
	uint64_t wall = entry_duration(p, "rlimit", "wall"), cpu = entry_duration(p, "rlimit", "cpu");
	if (wall && cpu && wall < cpu)
		strv_push_owned(&p->lint_warnings,
		                xasprintf("rlimit: wall (%.3g s) is below cpu (%.3g s): the wall timeout always ends the run "
		                          "first, so the CPU limit never applies",
		                          (double)wall / 1e9, (double)cpu / 1e9));
	if (wall > 3600ull * 1000000000ull)
		strv_push_owned(&p->lint_warnings,
		                xasprintf("rlimit: wall is %.3g hours: a sandboxed run is rarely meant to last over an hour",
		                          (double)wall / 3.6e12));
	if (p->interpreter.n && access(p->interpreter.v[0], X_OK) != 0)
		strv_push_owned(&p->lint_warnings,
		                xasprintf("interpreter %s: %s on this host (cordon run will fail with 127)",
		                          p->interpreter.v[0], strerror(errno)));
}

/* ---- opening modules ---- */

static int open_entry(cordon_policy *p, struct entry *e, char **err)
{
	const struct cordon_module *m = e->lm.m;
	char *why = NULL;
	if (args_validate(m->name, e->lm.args, e->with, &e->mark, &why) < 0) {
		set_err(err, "%s", why);
		free(why);
		return -1;
	}
	if (config_fill(e, err) < 0)
		return -1;
	e->ctx.api = core_api();
	e->ctx.policy = p;
	e->ctx.entry = e;
	e->ctx.phase = PHASE_OPEN;
	e->ctx.err = err;
	int (*open_hook)(cordon_ctx *, void **) = MODULE_HOOK(m, open);
	int r = 0;
	e->opened = true; /* close is called even when open fails */
	if (open_hook) {
		r = open_hook(&e->ctx, &e->state);
		if (r != 0) {
			struct cordon_node tmp = { .mark = e->mark };
			err_at(err, &tmp, "module '%s' failed to open", m->name);
			r = -1;
		}
	}
	e->ctx.err = NULL;
	return r;
}

/* Stop the checker and run every opened module's close hook, last module
 * first, once. */
static void close_modules(cordon_policy *p)
{
	checker_stop(&p->checker);
	for (size_t i = p->n_stack; i-- > 0;) {
		struct entry *e = &p->stack[i];
		if (e->opened && e->lm.m) {
			void (*close_hook)(void *) = MODULE_HOOK(e->lm.m, close);
			e->ctx.phase = PHASE_CLOSE;
			e->opened = false;
			if (close_hook)
				close_hook(e->state);
		}
	}
}

void cordon_policy_close(cordon_policy *p)
{
	if (p) {
		close_modules(p);
		p->closed = true;
	}
}

void cordon_policy_free(cordon_policy *p)
{
	if (!p)
		return;
	close_modules(p);
	for (size_t i = p->n_stack; i-- > 0;) {
		struct entry *e = &p->stack[i];
		tree_free_list(e->extra_trees);
		strv_clear(&e->owned);
		free(e->config);
		for (size_t k = 0; k < e->n_config_allocs; k++)
			free(e->config_allocs[k]);
		free(e->config_allocs);
		free(e->last_error);
		module_unload(&e->lm);
		free(e->ref);
		free(e->policy_dir);
	}
	free(p->stack);
	for (size_t i = 0; i < p->n_data; i++) {
		free(p->data[i].name);
		free(p->data[i].data);
	}
	free(p->data);
	free(p->check_buf);
	for (size_t i = 0; i < p->n_env; i++) {
		free(p->env[i].name);
		free(p->env[i].value);
	}
	free(p->env);
	strv_clear(&p->interpreter);
	strv_clear(&p->open_warnings);
	strv_clear(&p->lint_warnings);
	tree_free_list(p->trees);
	synth_free(p->synth);
	strv_clear(&p->tightened);
	free(p->name);
	free(p->description);
	free(p->file);
	free(p);
}

static char *stem_of(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	size_t n = strlen(b);
	if (n > 5 && strcmp(b + n - 5, ".yaml") == 0)
		n -= 5;
	else if (n > 4 && strcmp(b + n - 4, ".yml") == 0)
		n -= 4;
	return xstrndup(b, n);
}

static void loader_free(struct loader *L)
{
	for (size_t i = 0; i < L->n_entries; i++) {
		free(L->entries[i].ref);
		free(L->entries[i].policy_dir);
	}
	free(L->entries);
	for (size_t i = 0; i < L->n_overrides; i++) {
		free(L->overrides[i].ref);
		free(L->overrides[i].policy_dir);
	}
	free(L->overrides);
}

cordon_policy *cordon_policy_load(const char *ref, const struct cordon_load_options *opts, char **err)
{
	if (err)
		*err = NULL;
	char *local_err = NULL;
	char **e = err ? err : &local_err;
	if (!ref || !*ref) {
		set_err(e, "no policy given");
		return NULL;
	}
	if (std_fds_safe() < 0) {
		set_err(e, "a standard descriptor (0, 1 or 2) is closed and /dev/null cannot be opened: %s",
		        strerror(errno));
		return NULL;
	}
	const char *policy_dir = NULL, *module_path = NULL;
	int verbose = 0;
	bool audit = false, launch_only = false;
	const char *const *tighten = NULL;
	if (opts) {
		if (opts->size >= offsetof(struct cordon_load_options, policy_dir) + sizeof(char *))
			policy_dir = opts->policy_dir;
		if (opts->size >= offsetof(struct cordon_load_options, module_path) + sizeof(char *))
			module_path = opts->module_path;
		if (opts->size >= offsetof(struct cordon_load_options, verbose) + sizeof(int))
			verbose = opts->verbose;
		if (opts->size >= offsetof(struct cordon_load_options, audit) + sizeof(int))
			audit = opts->audit != 0;
		if (opts->size >= offsetof(struct cordon_load_options, tighten) + sizeof(char *))
			tighten = opts->tighten;
		if (opts->size >= offsetof(struct cordon_load_options, launch_only) + sizeof(int))
			launch_only = opts->launch_only != 0;
	}
	struct strv dirs = { 0 }, mdirs = { 0 };
	struct loader L = { 0 };
	cordon_policy *p = calloc(1, sizeof(*p));
	if (!p || policy_search_dirs(policy_dir, &dirs) < 0 || module_search_dirs(module_path, &mdirs) < 0) {
		set_err(e, "out of memory");
		goto fail;
	}
	p->verbose = verbose;
	p->launch_only = launch_only;
	checker_init(&p->checker);
	L.p = p;
	L.dirs = &dirs;
	L.err = e;
	p->file = resolve_policy(ref, NULL, &dirs, e);
	if (!p->file)
		goto fail;
	if (load_file(&L, p->file, NULL) < 0 || apply_overrides(&L) < 0)
		goto fail;
	if (audit)
		p->audit = true;
	if (!p->name && !(p->name = stem_of(p->file))) {
		set_err(e, "out of memory");
		goto fail;
	}
	if (!valid_policy_name(p->name)) {
		set_err(e, "%s: the file name does not give a valid policy name; add 'name:'", p->file);
		goto fail;
	}

	p->stack = xcalloc(L.n_entries, sizeof(*p->stack));
	if (!p->stack) {
		set_err(e, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < L.n_entries; i++) {
		struct raw_entry *re = &L.entries[i];
		struct entry *en = &p->stack[i];
		en->ref = re->ref;
		en->policy_dir = re->policy_dir;
		re->ref = re->policy_dir = NULL;
		en->mark = re->mark;
		en->control = re->control;
		en->with = re->with;
		p->n_stack = i + 1;
		char *why = NULL;
		if (module_load(en->ref, en->policy_dir, &mdirs, &en->lm, &why) < 0) {
			struct cordon_node tmp = { .mark = en->mark };
			char *near = strchr(en->ref, '/') ? NULL : closest_module(en->ref, &mdirs);
			err_at(e, &tmp, "%s%s%s%s", why ? why : "out of memory", near ? "; did you mean '" : "",
			       near ? near : "", near ? "'?" : "");
			free(near);
			free(why);
			goto fail;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(p->stack[j].lm.m->name, en->lm.m->name) == 0) {
				struct cordon_node tmp = { .mark = en->mark };
				err_at(e, &tmp,
				       "module '%s' is already in the stack at %s:%ld:%ld (a module appears once per policy; "
				       "to change the included entry, add 'override: true' to this one)",
				       en->lm.m->name, p->stack[j].mark.file, p->stack[j].mark.line,
				       p->stack[j].mark.column);
				goto fail;
			}
		}
	}
	if (policy_tighten(p, tighten, e) < 0 || check_stack_order(p, e) < 0)
		goto fail;
	for (size_t i = 0; i < p->n_stack; i++)
		if (open_entry(p, &p->stack[i], e) < 0)
			goto fail;
	lint_policy(p);
	loader_free(&L);
	strv_clear(&dirs);
	strv_clear(&mdirs);
	return p;
fail:
	loader_free(&L);
	strv_clear(&dirs);
	strv_clear(&mdirs);
	cordon_policy_free(p);
	free(local_err);
	return NULL;
}

const char *cordon_policy_name(const cordon_policy *p)
{
	return p ? p->name : NULL;
}

const char *cordon_policy_file(const cordon_policy *p)
{
	return p ? p->file : NULL;
}

const char *cordon_policy_language(const cordon_policy *p)
{
	return p ? language_of(NULL, &p->interpreter) : NULL;
}

const char *const *cordon_policy_interpreter(const cordon_policy *p)
{
	return p && p->interpreter.n ? (const char *const *)p->interpreter.v : NULL;
}

int cordon_policy_isolated(const cordon_policy *p)
{
	for (size_t i = 0; p && i < p->n_stack; i++)
		if (p->stack[i].lm.m->flags & CORDON_MOD_ISOLATION)
			return 1;
	return 0;
}

size_t cordon_policy_warning_count(const cordon_policy *p)
{
	return p ? p->lint_warnings.n : 0;
}

const char *cordon_policy_warning(const cordon_policy *p, size_t i)
{
	return p && i < p->lint_warnings.n ? p->lint_warnings.v[i] : NULL;
}

/* ---- dump ---- */

static bool plain_ok(const char *s)
{
	if (!*s)
		return false;
	static const char *const reserved[] = { "true", "false", "null", "yes", "no", "on", "off", "~" };
	for (size_t i = 0; i < ARRAY_SIZE(reserved); i++)
		if (strcasecmp(s, reserved[i]) == 0)
			return false;
	if (strchr("-?:,[]{}#&*!|>'\"%@` ", s[0]))
		return false;
	for (const char *c = s; *c; c++) {
		unsigned char u = (unsigned char)*c;
		if (u < 0x20 || u >= 0x7f || strchr(",[]{}#:\"'", u))
			return false; /* non-ASCII text is always quoted */
	}
	return s[strlen(s) - 1] != ' ';
}

static void emit_scalar(struct strbuf *sb, const char *s, bool force_quote)
{
	if (!force_quote && plain_ok(s)) {
		sb_puts(sb, s);
		return;
	}
	sb_puts(sb, "\"");
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			sb_printf(sb, "\\%c", *c);
		else if (*c == '\n')
			sb_puts(sb, "\\n");
		else if (*c == '\t')
			sb_puts(sb, "\\t");
		else if (*c < 0x20 || *c == 0x7f)
			sb_printf(sb, "\\x%02x", *c);
		else if (*c == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f) {
			/* C1 controls (U+0085 is a YAML line break) */
			sb_printf(sb, "\\u%04x", c[1]);
			c++;
		} else if (*c == 0xe2 && c[1] == 0x80 && (c[2] == 0xa8 || c[2] == 0xa9)) {
			sb_puts(sb, c[2] == 0xa8 ? "\\L" : "\\P"); /* line and paragraph separators */
			c += 2;
		} else if (*c == 0xef && c[1] == 0xbb && c[2] == 0xbf) {
			sb_puts(sb, "\\ufeff"); /* a byte order mark */
			c += 2;
		} else if (*c == 0xef && c[1] == 0xbf && (c[2] == 0xbe || c[2] == 0xbf)) {
			sb_puts(sb, c[2] == 0xbe ? "\\ufffe" : "\\uffff"); /* noncharacters YAML refuses raw */
			c += 2;
		} else
			sb_append(sb, c, 1);
	}
	sb_puts(sb, "\"");
}

static void emit_node(struct strbuf *sb, const struct cordon_node *n)
{
	switch (n->type) {
	case CORDON_NODE_SCALAR:
		/* A plain true/false/null stays plain: quoted, it would
		 * read back as a string (a boolean argument refuses that). */
		if (n->plain && n->len && !plain_ok(n->text) &&
		    strspn(n->text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ~") == n->len) {
			sb_puts(sb, n->text);
			return;
		}
		emit_scalar(sb, n->text, !n->plain);
		return;
	case CORDON_NODE_SEQUENCE:
		sb_puts(sb, "[");
		for (size_t i = 0; i < n->n; i++) {
			if (i)
				sb_puts(sb, ", ");
			emit_node(sb, n->items[i]);
		}
		sb_puts(sb, "]");
		return;
	case CORDON_NODE_MAPPING:
		sb_puts(sb, "{");
		for (size_t i = 0; i < n->n; i++) {
			if (i)
				sb_puts(sb, ", ");
			emit_node(sb, n->items[2 * i]);
			sb_puts(sb, ": ");
			emit_node(sb, n->items[2 * i + 1]);
		}
		sb_puts(sb, "}");
		return;
	}
}

char *cordon_policy_dump(const cordon_policy *p)
{
	struct strbuf sb = { 0 };
	sb_printf(&sb, "# resolved from %s\nname: ", p->file);
	emit_scalar(&sb, p->name, false);
	if (p->description) {
		sb_puts(&sb, "\ndescription: ");
		emit_scalar(&sb, p->description, false);
	}
	if (p->audit)
		sb_puts(&sb, "\nmode: audit");
	if (p->interpreter.n) {
		sb_puts(&sb, "\ninterpreter: [");
		for (size_t i = 0; i < p->interpreter.n; i++) {
			if (i)
				sb_puts(&sb, ", ");
			emit_scalar(&sb, p->interpreter.v[i], false);
		}
		sb_puts(&sb, "]");
	}
	if (p->has_env) {
		sb_puts(&sb, "\nenv:");
		if (!p->n_env)
			sb_puts(&sb, " {}");
		for (size_t i = 0; i < p->n_env; i++) {
			sb_printf(&sb, "\n  %s: ", p->env[i].name);
			emit_scalar(&sb, p->env[i].value, true);
		}
	}
	sb_puts(&sb, "\nstack:");
	if (!p->n_stack)
		sb_puts(&sb, " []");
	for (size_t i = 0; i < p->n_stack; i++) {
		const struct entry *e = &p->stack[i];
		sb_printf(&sb, "\n  # %s:%ld:%ld, %s, ABI %u.%u\n  - module: ", e->mark.file, e->mark.line,
		          e->mark.column, e->lm.path, CORDON_ABI_GET_MAJOR(e->lm.m->abi),
		          CORDON_ABI_GET_MINOR(e->lm.m->abi));
		emit_scalar(&sb, e->ref, false);
		sb_printf(&sb, "\n    control: %s", control_name(e->control));
		if (e->with && e->with->type == CORDON_NODE_MAPPING && e->with->n) {
			/* One argument a line, each with the file:line it
			 * came from (an override or a per-call setting shows
			 * where the value was set, not where the entry was). */
			sb_puts(&sb, "\n    with:");
			for (size_t k = 0; k < e->with->n; k++) {
				const struct cordon_node *key = e->with->items[2 * k];
				sb_puts(&sb, "\n      ");
				emit_scalar(&sb, key->text, false);
				sb_puts(&sb, ": ");
				emit_node(&sb, e->with->items[2 * k + 1]);
				sb_printf(&sb, "  # %s:%ld", key->mark.file, key->mark.line);
			}
		}
	}
	sb_puts(&sb, "\n");
	return sb_steal(&sb);
}

/* ---- listing ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void cordon_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

char **cordon_policy_list(const struct cordon_load_options *opts, char **err)
{
	if (err)
		*err = NULL;
	struct strv dirs = { 0 }, names = { 0 };
	const char *extra = opts && opts->size >= offsetof(struct cordon_load_options, policy_dir) + sizeof(char *)
	                            ? opts->policy_dir
	                            : NULL;
	if (policy_search_dirs(extra, &dirs) < 0) {
		set_err(err, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < dirs.n; i++) {
		DIR *d = opendir(dirs.v[i]);
		if (!d)
			continue;
		struct dirent *de;
		while ((de = readdir(d))) {
			size_t n = strlen(de->d_name);
			if (de->d_name[0] == '.' || n <= 5 || strcmp(de->d_name + n - 5, ".yaml") != 0)
				continue;
			char *stem = xstrndup(de->d_name, n - 5);
			if (!stem)
				continue;
			bool dup = false;
			for (size_t j = 0; j < names.n && !dup; j++) {
				const char *tab = strchr(names.v[j], '\t');
				dup = tab && (size_t)(tab - names.v[j]) == n - 5 && memcmp(names.v[j], stem, n - 5) == 0;
			}
			if (!dup && valid_policy_name(stem))
				strv_push_owned(&names, xasprintf("%s\t%s/%s", stem, dirs.v[i], de->d_name));
			free(stem);
		}
		closedir(d);
	}
	strv_clear(&dirs);
	if (names.n)
		qsort(names.v, names.n, sizeof(char *), cmp_str);
	if (!names.v) {
		/* empty list: allocate the terminator */
		names.v = calloc(1, sizeof(char *));
		if (!names.v)
			set_err(err, "out of memory");
	}
	return names.v;
}

static const char *arg_type_name(enum cordon_arg_type t)
{
	switch (t) {
	case CORDON_ARG_STRING:
		return "string";
	case CORDON_ARG_STRINGS:
		return "strings";
	case CORDON_ARG_INT:
		return "integer";
	case CORDON_ARG_BOOL:
		return "boolean";
	case CORDON_ARG_SIZE:
		return "size";
	case CORDON_ARG_DURATION:
		return "duration";
	case CORDON_ARG_MAPPING:
		return "mapping";
	case CORDON_ARG_SEQUENCE:
		return "sequence";
	case CORDON_ARG_ANY:
		return "any";
	case CORDON_ARG_ENUM:
		return "choice";
	case CORDON_ARG_PATH:
		return "path";
	}
	return "?";
}

char **cordon_module_args(const char *name, const struct cordon_load_options *opts, char **err)
{
	if (err)
		*err = NULL;
	struct strv dirs = { 0 }, out = { 0 };
	const char *extra = opts && opts->size >= offsetof(struct cordon_load_options, module_path) + sizeof(char *)
	                            ? opts->module_path
	                            : NULL;
	if (!name || module_search_dirs(extra, &dirs) < 0) {
		set_err(err, name ? "out of memory" : "no module name");
		return NULL;
	}
	struct loaded_module lm;
	char *why = NULL;
	if (module_load(name, NULL, &dirs, &lm, &why) < 0) {
		strv_clear(&dirs);
		set_err(err, "%s", why ? why : "cannot load the module");
		free(why);
		return NULL;
	}
	strv_clear(&dirs);
	/* name, ABI, path and description first, then one line per argument:
	 * name, type, "required" or "", bounds or "", help. */
	int bad = strv_push_owned(&out, xasprintf("%s\t%u.%u\t%s\t%s", lm.m->name, CORDON_ABI_GET_MAJOR(lm.m->abi),
	                                          CORDON_ABI_GET_MINOR(lm.m->abi), lm.path ? lm.path : "",
	                                          lm.m->description ? lm.m->description : ""));
	size_t k = 0;
	for (const struct cordon_arg *a = lm.args; !bad && a && a->name; a++, k++) {
		char bounds[96] = "";
		if (a->min || a->max) {
			const char *unit = a->type == CORDON_ARG_SIZE ? " bytes" : a->type == CORDON_ARG_DURATION ? " ns" : "";
			snprintf(bounds, sizeof(bounds), "%lld..%lld%s", (long long)a->min, (long long)a->max, unit);
		}
		/* A config table (ABI 1.4) says its default and choices itself. */
		const struct cordon_config_arg *c = lm.cfg && k < lm.n_cfg ? lm.cfg[k] : NULL;
		struct strbuf help = { 0 };
		sb_puts(&help, a->help ? a->help : "");
		if (c && c->type == CORDON_ARG_ENUM) {
			sb_puts(&help, " (one of");
			for (size_t i = 0; c->choices[i]; i++)
				sb_printf(&help, "%s %s", i ? "," : "", c->choices[i]);
			sb_puts(&help, ")");
		}
		if (c && c->def)
			sb_printf(&help, " [default %s]", c->def);
		bad = strv_push_owned(&out, xasprintf("%s\t%s\t%s\t%s\t%s", a->name,
		                                      arg_type_name(c ? c->type : a->type),
		                                      (a->flags & CORDON_ARG_REQUIRED) ? "required" : "", bounds,
		                                      help.data ? help.data : ""));
		sb_free(&help);
	}
	module_unload(&lm);
	if (bad || !out.v) {
		strv_clear(&out);
		set_err(err, "out of memory");
		return NULL;
	}
	return out.v;
}

char **cordon_module_list(const struct cordon_load_options *opts, char **err)
{
	if (err)
		*err = NULL;
	struct strv dirs = { 0 }, out = { 0 };
	const char *extra = opts && opts->size >= offsetof(struct cordon_load_options, module_path) + sizeof(char *)
	                            ? opts->module_path
	                            : NULL;
	if (module_search_dirs(extra, &dirs) < 0) {
		set_err(err, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < dirs.n; i++) {
		DIR *d = opendir(dirs.v[i]);
		if (!d)
			continue;
		struct strv files = { 0 };
		struct dirent *de;
		while ((de = readdir(d))) {
			size_t n = strlen(de->d_name);
			if (n > 10 && strncmp(de->d_name, "cordon_", 7) == 0 && strcmp(de->d_name + n - 3, ".so") == 0)
				strv_push(&files, de->d_name);
		}
		closedir(d);
		if (files.n)
			qsort(files.v, files.n, sizeof(char *), cmp_str);
		for (size_t f = 0; f < files.n; f++) {
			const char *fn = files.v[f];
			char *name = xstrndup(fn + 7, strlen(fn) - 10);
			char *path = xasprintf("%s/%s", dirs.v[i], fn);
			bool dup = false;
			for (size_t j = 0; name && j < out.n && !dup; j++) {
				const char *tab = strchr(out.v[j], '\t');
				dup = tab && (size_t)(tab - out.v[j]) == strlen(name) &&
				      memcmp(out.v[j], name, strlen(name)) == 0;
			}
			if (name && path && !dup) {
				struct loaded_module lm;
				char *why = NULL;
				if (module_load(name, NULL, &(struct strv){ .v = (char *[]){ dirs.v[i], NULL }, .n = 1 },
				                &lm, &why) == 0) {
					strv_push_owned(&out, xasprintf("%s\t%u.%u\t%s\t%s", name,
					                                CORDON_ABI_GET_MAJOR(lm.m->abi),
					                                CORDON_ABI_GET_MINOR(lm.m->abi), path,
					                                lm.m->description ? lm.m->description : ""));
					module_unload(&lm);
				} else {
					strv_push_owned(&out, xasprintf("%s\t-\t%s\t%s", name, path, why ? why : "cannot load"));
				}
				free(why);
			}
			free(name);
			free(path);
		}
		strv_clear(&files);
	}
	strv_clear(&dirs);
	if (!out.v) {
		out.v = calloc(1, sizeof(char *));
		if (!out.v)
			set_err(err, "out of memory");
	}
	return out.v;
}
