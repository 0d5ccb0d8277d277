/*
 * modules/pyimport/api.c - allowlist mode as an API allowlist (`api:`).
 *
 * check.c judges names by their spelling.  Here the question is what a
 * name is bound to: a module (import, alias, attribute that is a module),
 * a member of a module (from-import, alias), a builtin, or something the
 * checker cannot follow.  Over that, for every source:
 *
 *   api-denied       an attribute of a module outside its public API, an
 *                    assignment to a module's attribute, an allowed module
 *                    without API data
 *   private-name     a leading-underscore name (after name mangling) on
 *                    anything but the code's own self/cls in its own class
 *                    for names its class defines; special (dunder)
 *                    attributes outside the data-model list
 *   module-attribute an attribute whose value is a module that is not allowed
 *   banned-builtin   eval, exec, open ... reached as an attribute of any
 *                    object or as the literal key of a subscript
 *   module-value     a module used as a value (passed, stored, returned):
 *                    the checker could no longer follow what is reached
 *                    through it
 *   sink             a standard-library callable that turns strings into
 *                    attribute access or code, called with a non-literal
 *                    argument where the danger lies, or used as a value
 *   class-hook       metaclass=, __init_subclass__, __set_name__,
 *                    __class_getitem__, __prepare__, __mro_entries__,
 *                    __match_args__ (but a literal tuple of public names),
 *                    module-level __getattr__/__dir__
 *   type-expression  an annotation (or a name used in one, or a typing
 *                    argument) that is not a static type expression:
 *                    typing.get_type_hints and singledispatch evaluate
 *                    annotations, so every annotation must be text the
 *                    checker has read
 *
 * The analysis is flow-insensitive: a name's bindings are the union over
 * the whole file, so a name that is a module anywhere is checked as a
 * module everywhere.  See README.md, "Allowlist mode with API data".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

#define MAX_FINDINGS 5000
#define MAX_DEPTH 3000
#define MAXV 8 /* modules or members one name may be bound to */

/* ---------------------------------------------------------------- data */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int py_api_has(const char *const *sorted, size_t n, const char *name)
{
	return n && bsearch(&name, sorted, n, sizeof(char *), cmp_str) != NULL;
}

static int cmp_mod(const void *a, const void *b)
{
	return strcmp(((const struct py_api_module *)a)->name, ((const struct py_api_module *)b)->name);
}

const struct py_api_module *py_api_module(const struct py_api *api, const char *name)
{
	if (!api || !api->n_mods)
		return NULL;
	struct py_api_module key = { .name = name };
	return bsearch(&key, api->mods, api->n_mods, sizeof(key), cmp_mod);
}

void py_api_free(struct py_api *api)
{
	if (!api)
		return;
	for (size_t i = 0; i < api->n_mods; i++) {
		struct py_api_module *m = &api->mods[i];
		free(m->api);
		free(m->mod_name);
		free(m->mod_target);
	}
	free(api->mods);
	free(api->mod_attrs);
	free(api->priv_attrs);
	free(api->metaclasses);
	free(api->python);
	free(api->file);
	free(api->allow_attr);
	free(api);
}

/* ---------------------------------------------------- allowed modules */

enum { MS_NO = 0, MS_FULL, MS_PARTIAL };

/* Is name covered by an allow entry that names a module (not io.StringIO)? */
static int module_entry(const struct checkcfg *c, const char *name)
{
	for (size_t i = 0; i < c->n_allow; i++)
		if (!c->api->allow_attr[i] && py_name_matches(name, c->allow[i]))
			return 1;
	return 0;
}

/* Is name exactly an attribute entry (io.StringIO)? */
static int attr_entry(const struct checkcfg *c, const char *name)
{
	for (size_t i = 0; i < c->n_allow; i++)
		if (c->api->allow_attr[i] && strcmp(name, c->allow[i]) == 0)
			return 1;
	return 0;
}

/* Is name the module of an attribute entry (io for io.StringIO)? */
static int attr_parent(const struct checkcfg *c, const char *name)
{
	size_t l = strlen(name);
	for (size_t i = 0; i < c->n_allow; i++)
		if (c->api->allow_attr[i] && strncmp(c->allow[i], name, l) == 0 && c->allow[i][l] == '.' &&
		    !strchr(c->allow[i] + l + 1, '.'))
			return 1;
	return 0;
}

static int mod_status(const struct checkcfg *c, const char *name)
{
	if (py_listed(c->deny, c->n_deny, name))
		return MS_NO;
	if (module_entry(c, name))
		return MS_FULL;
	if (attr_parent(c, name))
		return MS_PARTIAL;
	return MS_NO;
}

int py_api_import_denied(const struct checkcfg *c, const char *name)
{
	if (py_listed(c->deny, c->n_deny, name))
		return 1;
	return mod_status(c, name) == MS_NO && !attr_entry(c, name);
}

/* ------------------------------------------------------------ analysis */

struct vals {
	const char *mod[MAXV]; /* modules (canonical names) */
	const char *mem[MAXV]; /* members: "module.name" */
	unsigned char nmod, nmem;
	unsigned char over; /* more than MAXV: the rest is lost */
};

enum {
	BF_OTHER = 1u, /* bound to something the checker does not follow */
	BF_ASSIGN = 2u, /* bound by a simple assignment (name = value) */
	BF_CLASS = 4u,
	BF_DEF = 8u,
	BF_IMPORT = 16u,
	BF_NONTYPE = 32u, /* may hold something that is not a type: not for annotations */
	BF_ENUM = 64u, /* a class derived from an enum: its call may be the functional API */
	BF_STRING = 128u, /* may hold a string (a type expression with a string in it) */
};

/* What to look at again when a name's binding changes (the fixed points
 * below are worklists: linear in the source, whatever the order). */
struct dep {
	void *item; /* a struct assign or a struct cls */
	int is_class;
	struct dep *next;
};

struct bind {
	const char *name;
	unsigned flags;
	struct vals v;
	struct dep *deps; /* assignments and classes whose value or bases name it */
	const struct cls *cls; /* the class of this file it is bound to (if ncls == 1) */
	unsigned ncls;
};

struct assign {
	const char *target; /* mangled */
	const struct node *value;
	const struct cls *scope; /* the class whose mangling applies to value */
	struct assign *next;
	int queued;
};

struct cls {
	const struct node *node;
	const char *name; /* as bound (mangled in its outer class) */
	const char *prefix; /* the name without leading underscores, for mangling; NULL: none */
	const struct cls *outer; /* enclosing class, for the mangling of its bases */
	int queued;
};

/* A hash set of (owner, name) pairs with a value: the names each class
 * defines (owner: the class; owner NULL: any class of the file), and the
 * class of each class statement (owner: the node, name NULL). */
struct pair {
	const void *owner;
	const char *name;
	const void *value;
};
struct pairset {
	struct pair *v;
	size_t cap, n;
};

struct an {
	const struct checkcfg *cfg;
	const struct py_api *api;
	const struct name_tab *tab;
	struct arena *a;
	finding_fn fn;
	void *ud;
	size_t nfind;
	int oom;
	struct bind *b; /* open addressing, by name */
	size_t cap_b, n_b;
	struct assign *assigns;
	struct cls **cls; /* every class, in source order */
	size_t n_cls, cap_cls;
	struct pairset defs; /* (class or NULL, name) it defines; (node, NULL) -> class */
	void **work; /* the worklist of the fixed points */
	size_t n_work, cap_work;
	const struct token *toks;
	size_t ntoks;
	int depth;
	/* where the walk is */
	const struct cls *cur; /* innermost class (mangling) */
	const char *self; /* the enclosing method's self/cls (mangled), NULL if none */
	const struct cls *self_cls;
	/* the walk: the method whose body may rebind self, searched on first
	 * use (NULL once searched) */
	const struct node *self_body;
	int in_body; /* directly in a class body */
	int at_module; /* directly at module level */
	int fs; /* inside an f-string: findings at its position */
	int fs_line, fs_col;
	/* denylist mode under an isolation (no API data): only the annotation
	 * closure and the sinks that run strings as code */
	int types_only;
	/* type expressions given to a factory: no strings (a class a factory
	 * makes may be evaluated in the factory's module: make_dataclass's
	 * classes are made in module types) */
	int no_strings;
};

static void *aalloc(struct an *an, size_t n)
{
	void *p = an->oom ? NULL : arena_alloc(an->a, n);
	if (!p)
		an->oom = 1;
	return p;
}

static const char *astrcat3(struct an *an, const char *x, const char *sep, const char *y)
{
	size_t lx = strlen(x), ls = strlen(sep), ly = strlen(y);
	char *s = aalloc(an, lx + ls + ly + 1);
	if (!s)
		return "";
	memcpy(s, x, lx);
	memcpy(s + lx, sep, ls);
	memcpy(s + lx + ls, y, ly + 1);
	return s;
}

static void emitf(struct an *an, enum rule_id r, const char *name, const struct node *n, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void emitf(struct an *an, enum rule_id r, const char *name, const struct node *n, const char *fmt, ...)
{
	if (an->nfind >= MAX_FINDINGS)
		return;
	an->nfind++;
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	an->fn(an->ud, r, name, an->fs ? an->fs_line : n->line, an->fs ? an->fs_col : n->col, msg);
}

#define CLS(an, s) py_name_class((an)->tab, (s), strlen(s))

static int is_dunder(const char *s)
{
	size_t l = strlen(s);
	return l > 4 && s[0] == '_' && s[1] == '_' && s[l - 1] == '_' && s[l - 2] == '_';
}

/* The name as the interpreter sees it inside class c: __x is _C__x. */
static const char *mangle_in(struct an *an, const struct cls *c, const char *s)
{
	if (!c || !c->prefix || s[0] != '_' || s[1] != '_' || is_dunder(s) || strchr(s, '.'))
		return s;
	return astrcat3(an, "_", c->prefix, s);
}

#define MANGLE(an, s) mangle_in((an), (an)->cur, (s))

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static size_t pair_hash(const void *owner, const char *name)
{
	uint32_t h = name ? hash_str(name) : 0u;
	return (size_t)(h ^ (uint32_t)((uintptr_t)owner >> 4) ^ (uint32_t)((uint64_t)(uintptr_t)owner >> 32)) * 2654435761u;
}

static int pair_eq(const struct pair *p, const void *owner, const char *name)
{
	return p->owner == owner && (p->name == name || (p->name && name && strcmp(p->name, name) == 0));
}

static const struct pair *pair_get(const struct pairset *s, const void *owner, const char *name)
{
	if (!s->cap)
		return NULL;
	size_t i = pair_hash(owner, name) & (s->cap - 1);
	while (s->v[i].owner || s->v[i].name) {
		if (pair_eq(&s->v[i], owner, name))
			return &s->v[i];
		i = (i + 1) & (s->cap - 1);
	}
	return NULL;
}

static void *aalloc(struct an *an, size_t n);

static void pair_put(struct an *an, struct pairset *s, const void *owner, const char *name, const void *value)
{
	if (pair_get(s, owner, name))
		return;
	if (s->n * 2 >= s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct pair *nv = aalloc(an, cap * sizeof(*nv));
		if (!nv)
			return;
		for (size_t k = 0; k < s->cap; k++) {
			if (!s->v[k].owner && !s->v[k].name)
				continue;
			size_t i = pair_hash(s->v[k].owner, s->v[k].name) & (cap - 1);
			while (nv[i].owner || nv[i].name)
				i = (i + 1) & (cap - 1);
			nv[i] = s->v[k];
		}
		s->v = nv;
		s->cap = cap;
	}
	size_t i = pair_hash(owner, name) & (s->cap - 1);
	while (s->v[i].owner || s->v[i].name)
		i = (i + 1) & (s->cap - 1);
	s->v[i] = (struct pair){ owner, name, value };
	s->n++;
}

/* Is the name bound in the file?  (An entry may exist only because some
 * value names it: see add_deps.) */
#define BOUND (BF_OTHER | BF_ASSIGN | BF_CLASS | BF_DEF | BF_IMPORT)

static struct bind *lookup(struct an *an, const char *name)
{
	if (!an->cap_b)
		return NULL;
	size_t i = hash_str(name) & (an->cap_b - 1);
	while (an->b[i].name) {
		if (strcmp(an->b[i].name, name) == 0)
			return &an->b[i];
		i = (i + 1) & (an->cap_b - 1);
	}
	return NULL;
}

static struct bind *intern(struct an *an, const char *name)
{
	struct bind *e = lookup(an, name);
	if (e)
		return e;
	if (an->n_b * 2 >= an->cap_b) {
		size_t cap = an->cap_b ? an->cap_b * 2 : 256;
		struct bind *nb = aalloc(an, cap * sizeof(*nb));
		if (!nb)
			return NULL;
		for (size_t k = 0; k < an->cap_b; k++) {
			if (!an->b[k].name)
				continue;
			size_t i = hash_str(an->b[k].name) & (cap - 1);
			while (nb[i].name)
				i = (i + 1) & (cap - 1);
			nb[i] = an->b[k];
		}
		an->b = nb;
		an->cap_b = cap;
	}
	size_t i = hash_str(name) & (an->cap_b - 1);
	while (an->b[i].name)
		i = (i + 1) & (an->cap_b - 1);
	an->b[i].name = name;
	an->n_b++;
	return &an->b[i];
}

/* Add a module or member to a set; returns 1 when it was new. */
static int vadd(const char **v, unsigned char *n, unsigned char *over, const char *s)
{
	for (unsigned i = 0; i < *n; i++)
		if (strcmp(v[i], s) == 0)
			return 0;
	if (*n >= MAXV) {
		*over = 1;
		return 0;
	}
	v[(*n)++] = s;
	return 1;
}

static int vmerge(struct vals *to, const struct vals *from)
{
	int ch = 0;
	for (unsigned i = 0; i < from->nmod; i++)
		ch |= vadd(to->mod, &to->nmod, &to->over, from->mod[i]);
	for (unsigned i = 0; i < from->nmem; i++)
		ch |= vadd(to->mem, &to->nmem, &to->over, from->mem[i]);
	if (from->over && !to->over) {
		to->over = 1;
		ch = 1;
	}
	return ch;
}

static void bind_flags(struct an *an, const char *name, unsigned flags)
{
	struct bind *e = intern(an, name);
	if (e)
		e->flags |= flags;
}

static void cls_define(struct an *an, struct cls *c, const char *name)
{
	/* only the names the rules ask about: private ones and builtins' */
	if (an->types_only || (name[0] != '_' && !(CLS(an, name) & K_BANNED)))
		return;
	pair_put(an, &an->defs, c, name, c);
	pair_put(an, &an->defs, NULL, name, c);
}

/* A name bound by a statement at the current place (mangled already). */
static void bind_at(struct an *an, const char *name, unsigned flags)
{
	bind_flags(an, name, flags);
	if (an->in_body && an->cur)
		cls_define(an, (struct cls *)(uintptr_t)an->cur, name);
}

static const struct cls *cls_of(const struct an *an, const struct node *n)
{
	const struct pair *p = pair_get(&an->defs, n, NULL);
	return p ? p->value : NULL;
}

/* The submodule M.n as a canonical module name, or NULL when M.n is not
 * known to be a module. */
static const char *submodule(struct an *an, const char *m, const char *n)
{
	const char *full = astrcat3(an, m, ".", n);
	if (py_api_module(an->api, full))
		return full;
	for (size_t i = 0; an->api && i < an->cfg->n_allow; i++) /* an allowed submodule without data */
		if (!an->cfg->api->allow_attr[i] && strcmp(an->cfg->allow[i], full) == 0)
			return full;
	const struct py_api_module *pm = py_api_module(an->api, m);
	if (pm && pm->n_mod) {
		const char **hit = bsearch(&n, pm->mod_name, pm->n_mod, sizeof(char *), cmp_str);
		if (hit)
			return pm->mod_target[hit - pm->mod_name];
	}
	return NULL;
}

static int starts_with_module(const char *mem, const char *m)
{
	size_t l = strlen(m);
	return strncmp(mem, m, l) == 0 && mem[l] == '.' && !strchr(mem + l + 1, '.');
}

/* Builtins that are sinks when the name is not bound to something else. */

static int builtin_sink(const char *s)
{
	switch (s[0]) {
	case 't': return strcmp(s, "type") == 0;
	case 'g': return strcmp(s, "getattr") == 0;
	case 's': return strcmp(s, "setattr") == 0;
	case 'd': return strcmp(s, "delattr") == 0;
	case 'h': return strcmp(s, "hasattr") == 0;
	default: return 0;
	}
}

static int in_strlist(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (strcmp(*l, s) == 0)
			return 1;
	return 0;
}

static int vals_has_mem(const struct vals *v, const char *qual);

static int stores_name(const struct node *n, const char *name, int depth);

/* Is n the enclosing method's self/cls (not rebound in the method)? */
static int is_self(struct an *an, const struct node *n)
{
	if (!an->self || !n || n->kind != N_NAME || strcmp(MANGLE(an, n->str), an->self) != 0)
		return 0;
	if (an->self_body) {
		if (stores_name(an->self_body, an->self, 0))
			an->self = NULL;
		an->self_body = NULL;
	}
	return an->self != NULL;
}

#define TYPE_OF "type(...)"

/* A module is at most this many attributes deep (xml.etree.ElementTree):
 * a longer chain resolves to nothing, in constant time. */
#define MAX_RESOLVE 16

static void resolve_at(struct an *an, const struct node *n, struct vals *out, int depth);

/* What an expression is bound to: modules and members it may be. */
static void resolve(struct an *an, const struct node *n, struct vals *out)
{
	resolve_at(an, n, out, 0);
}

static void resolve_at(struct an *an, const struct node *n, struct vals *out, int depth)
{
	out->nmod = out->nmem = out->over = 0; /* the arrays are read up to the counts */
	if (!n || depth > MAX_RESOLVE)
		return;
	if (n->kind == N_NAME) {
		const char *s = MANGLE(an, n->str);
		const struct bind *e = lookup(an, s);
		if (e && (e->v.nmod || e->v.nmem || e->v.over))
			*out = e->v;
		if (builtin_sink(s) && (!e || !(e->flags & BOUND) || (e->flags & (BF_OTHER | BF_ASSIGN))))
			vadd(out->mem, &out->nmem, &out->over, astrcat3(an, "builtins", ".", s));
		return;
	}
	if (n->kind == N_NAMEDEXPR) {
		resolve_at(an, n->kids[1], out, depth + 1);
		return;
	}
	/* the class of an object: type(x), x.__class__ (but the code's own
	 * self/cls): it may be a class that is not allowed (io.FileIO behind
	 * sys.stdout.buffer.raw) or a metaclass (type(int) is type) */
	if (n->kind == N_CALL && n->kids[1] && !n->kids[1]->next && n->kids[1]->kind != N_STARRED && !n->kids[2]) {
		struct vals f;
		resolve_at(an, n->kids[0], &f, depth + 1);
		if (vals_has_mem(&f, "builtins.type") && !is_self(an, n->kids[1]))
			vadd(out->mem, &out->nmem, &out->over, TYPE_OF);
		return;
	}
	if (n->kind == N_ATTRIBUTE && strcmp(n->str, "__class__") == 0) {
		if (!is_self(an, n->kids[0]))
			vadd(out->mem, &out->nmem, &out->over, TYPE_OF);
		return;
	}
	if (n->kind == N_ATTRIBUTE) {
		struct vals o;
		resolve_at(an, n->kids[0], &o, depth + 1);
		out->over = o.over;
		const char *attr = n->str;
		for (unsigned i = 0; i < o.nmod; i++) {
			const char *sub = submodule(an, o.mod[i], attr);
			if (sub)
				vadd(out->mod, &out->nmod, &out->over, sub);
			else
				vadd(out->mem, &out->nmem, &out->over, astrcat3(an, o.mod[i], ".", attr));
		}
	}
}

static int vals_has_mem(const struct vals *v, const char *qual)
{
	for (unsigned i = 0; i < v->nmem; i++)
		if (strcmp(v->mem[i], qual) == 0)
			return 1;
	return 0;
}

/* ------------------------------------------------------------ pre-pass */

static void collect(struct an *an, const struct node *n);

static void collect_list(struct an *an, const struct node *n)
{
	for (; n && !an->oom; n = n->next)
		collect(an, n);
}

static void collect_kids(struct an *an, const struct node *n)
{
	for (int i = 0; i < 4; i++)
		collect_list(an, n->kids[i]);
}

static void record_assign(struct an *an, const char *target, const struct node *value)
{
	struct assign *as = aalloc(an, sizeof(*as));
	if (!as)
		return;
	as->target = target;
	as->value = value;
	as->scope = an->cur;
	as->next = an->assigns;
	an->assigns = as;
}

/* A simple assignment target (a Name) or anything else. */
static void collect_target(struct an *an, const struct node *t, const struct node *value)
{
	if (t->kind == N_NAME && value) {
		const char *s = MANGLE(an, t->str);
		bind_at(an, s, BF_ASSIGN);
		record_assign(an, s, value);
	} else {
		collect(an, t);
	}
}

/* A method's first parameter (self or cls), NULL for a static method or
 * one without parameters. */
static const char *first_param(const struct node *fn)
{
	for (const struct node *d = fn->kids[0]; d; d = d->next)
		if (d->kind == N_NAME && strcmp(d->str, "staticmethod") == 0)
			return NULL;
	const struct node *args = fn->kids[1];
	const struct node *a = args ? args->kids[0] : NULL;
	if (!a || (a->flags & F_STARARG))
		return NULL;
	return a->str;
}

static int has_param(const struct node *args, const char *name)
{
	for (const struct node *a = args ? args->kids[0] : NULL; a; a = a->next)
		if (strcmp(a->str, name) == 0)
			return 1;
	return 0;
}

static void collect_func(struct an *an, const struct node *n)
{
	bind_at(an, MANGLE(an, n->str), BF_DEF);
	collect_list(an, n->kids[0]); /* decorators */
	const char *saved_self = an->self;
	const struct cls *saved_scls = an->self_cls;
	int saved_body = an->in_body, saved_mod = an->at_module;
	an->in_body = 0; /* parameters are not class attributes */
	collect(an, n->kids[1]); /* parameters: annotations, defaults, the names */
	collect(an, n->kids[2]);
	if (saved_body) {
		const char *p = first_param(n);
		an->self = p ? MANGLE(an, p) : NULL;
		an->self_cls = an->cur;
	} else if (an->self && has_param(n->kids[1], an->self)) {
		an->self = NULL;
	}
	an->in_body = 0;
	an->at_module = 0;
	collect_list(an, n->kids[3]);
	an->self = saved_self;
	an->self_cls = saved_scls;
	an->in_body = saved_body;
	an->at_module = saved_mod;
}

static void collect_class(struct an *an, const struct node *n)
{
	const char *name = MANGLE(an, n->str);
	bind_at(an, name, BF_CLASS);
	collect_list(an, n->kids[0]);
	collect_list(an, n->kids[1]);
	collect_list(an, n->kids[2]);
	struct cls *c = aalloc(an, sizeof(*c));
	if (!c)
		return;
	c->node = n;
	c->name = name;
	c->outer = an->cur;
	const char *p = n->str;
	while (*p == '_')
		p++;
	c->prefix = *p ? p : NULL;
	if (an->n_cls == an->cap_cls) {
		size_t cap = an->cap_cls ? an->cap_cls * 2 : 16;
		struct cls **v = aalloc(an, cap * sizeof(*v));
		if (!v)
			return;
		if (an->n_cls)
			memcpy(v, an->cls, an->n_cls * sizeof(*v));
		an->cls = v;
		an->cap_cls = cap;
	}
	an->cls[an->n_cls++] = c;
	pair_put(an, &an->defs, n, NULL, c);
	struct bind *e = lookup(an, name);
	if (e) {
		e->cls = c;
		e->ncls++;
	}
	const struct cls *saved = an->cur;
	int saved_body = an->in_body, saved_mod = an->at_module;
	an->cur = c;
	an->in_body = 1;
	an->at_module = 0;
	collect_list(an, n->kids[3]);
	an->cur = saved;
	an->in_body = saved_body;
	an->at_module = saved_mod;
}

static void collect_import(struct an *an, const struct node *n)
{
	for (const struct node *al = n->kids[0]; al; al = al->next) {
		const char *bound;
		const char *mod;
		if (al->str2) {
			bound = al->str2;
			mod = al->str;
		} else {
			const char *dot = strchr(al->str, '.');
			bound = mod = dot ? arena_strndup(an->a, al->str, (size_t)(dot - al->str)) : al->str;
			if (!bound) {
				an->oom = 1;
				return;
			}
		}
		bound = MANGLE(an, bound);
		bind_at(an, bound, BF_IMPORT);
		struct bind *e = lookup(an, bound);
		if (e)
			vadd(e->v.mod, &e->v.nmod, &e->v.over, mod);
	}
}

static void collect_importfrom(struct an *an, const struct node *n)
{
	for (const struct node *al = n->kids[0]; al; al = al->next) {
		if (strcmp(al->str, "*") == 0)
			continue;
		const char *bound = MANGLE(an, al->str2 ? al->str2 : al->str);
		if (n->level > 0 || !n->str) {
			bind_at(an, bound, BF_OTHER);
			continue;
		}
		bind_at(an, bound, BF_IMPORT);
		struct bind *e = lookup(an, bound);
		if (!e)
			continue;
		const char *sub = submodule(an, n->str, al->str);
		if (sub)
			vadd(e->v.mod, &e->v.nmod, &e->v.over, sub);
		else
			vadd(e->v.mem, &e->v.nmem, &e->v.over, astrcat3(an, n->str, ".", al->str));
	}
}

static void collect(struct an *an, const struct node *n)
{
	if (!n || an->oom || an->depth >= MAX_DEPTH)
		return;
	an->depth++;
	switch (n->kind) {
	case N_CLASSDEF:
		collect_class(an, n);
		break;
	case N_FUNCDEF:
		collect_func(an, n);
		break;
	case N_LAMBDA: {
		const char *saved = an->self;
		if (an->self && has_param(n->kids[0], an->self))
			an->self = NULL;
		collect_kids(an, n);
		an->self = saved;
		break;
	}
	case N_ARG:
		bind_at(an, MANGLE(an, n->str), BF_OTHER);
		collect_kids(an, n);
		break;
	case N_NAME:
		if (n->ctx != CTX_LOAD)
			bind_at(an, MANGLE(an, n->str), BF_OTHER);
		break;
	case N_ATTRIBUTE:
		if (n->ctx != CTX_LOAD && an->self && an->self_cls && n->kids[0]->kind == N_NAME &&
		    strcmp(MANGLE(an, n->kids[0]->str), an->self) == 0)
			cls_define(an, (struct cls *)(uintptr_t)an->self_cls, MANGLE(an, n->str));
		collect(an, n->kids[0]);
		break;
	case N_ASSIGN:
		for (const struct node *t = n->kids[0]; t; t = t->next)
			collect_target(an, t, n->kids[1]);
		collect(an, n->kids[1]);
		break;
	case N_ANNASSIGN:
		if (n->kids[0]->kind == N_NAME && !n->kids[2]) {
			if (an->in_body && an->cur) /* x: int in a class body: a field */
				cls_define(an, (struct cls *)(uintptr_t)an->cur, MANGLE(an, n->kids[0]->str));
		} else {
			collect_target(an, n->kids[0], n->kids[2]);
		}
		collect(an, n->kids[1]);
		collect(an, n->kids[2]);
		break;
	case N_NAMEDEXPR:
		collect_target(an, n->kids[0], n->kids[1]);
		collect(an, n->kids[1]);
		break;
	case N_IMPORT:
		collect_import(an, n);
		break;
	case N_IMPORTFROM:
		collect_importfrom(an, n);
		break;
	case N_EXCEPTHANDLER:
	case N_MATCHAS:
	case N_MATCHSTAR:
	case N_MATCHMAPPING:
		if (n->str)
			bind_at(an, MANGLE(an, n->str), BF_OTHER);
		collect_kids(an, n);
		break;
	default:
		collect_kids(an, n);
		break;
	}
	an->depth--;
}

/* ---------------------------------------------------- type expressions */

/* Is the binary operator of b a '|'?  The tree does not keep operators:
 * the token before b's right operand (past its opening parentheses) is
 * the operator. */
static int binop_is_or(const struct an *an, const struct node *b)
{
	const struct node *r = b->kids[1];
	size_t lo = 0, hi = an->ntoks;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct token *t = &an->toks[mid];
		if (t->line < r->line || (t->line == r->line && t->col < r->col))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= an->ntoks || an->toks[lo].line != r->line || an->toks[lo].col != r->col)
		return 0;
	size_t i = lo;
	while (i > 0 && an->toks[i - 1].type == TK_OP && an->toks[i - 1].op == '(')
		i--;
	return i > 0 && an->toks[i - 1].type == TK_OP && an->toks[i - 1].op == '|';
}

static int ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int ident_char(int c)
{
	return ident_start(c) || (c >= '0' && c <= '9');
}

static const char *const py_keywords[] = {
	"and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else",
	"except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not",
	"or", "pass", "raise", "return", "try", "while", "with", "yield", NULL,
};

/* A string that typing evaluates as a forward reference: only dotted
 * names, subscripts, commas, '|', '...', numbers and nested quotes; no
 * call, operator or keyword; no private, special or sensitive name. */
static int ste_string_ok(struct an *an, const char *s, size_t len)
{
	if (len > 1000)
		return 0;
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		if (ident_char(c)) {
			size_t j = i;
			while (j < len && ident_char((unsigned char)s[j]))
				j++;
			if (ident_start(c)) {
				char word[128];
				if (j - i >= sizeof(word))
					return 0;
				memcpy(word, s + i, j - i);
				word[j - i] = '\0';
				int after_dot = i > 0 && s[i - 1] == '.';
				if (in_strlist(py_keywords, word) || is_dunder(word) || (after_dot && word[0] == '_') ||
				    (CLS(an, word) & K_SENSITIVE))
					return 0;
			}
			i = j;
			continue;
		}
		if (c == '.' || c == '[' || c == ']' || c == ',' || c == '|' || c == ' ' || c == '\'' || c == '"') {
			i++;
			continue;
		}
		return 0;
	}
	return 1;
}

static const struct node *ste_bad(struct an *an, const struct node *n, int depth);

static int is_typing(const struct vals *v, const char *name)
{
	for (unsigned i = 0; i < v->nmem; i++) {
		const char *m = v->mem[i];
		const char *dot = strrchr(m, '.');
		if (dot && strcmp(dot + 1, name) == 0 &&
		    (starts_with_module(m, "typing") || starts_with_module(m, "typing_extensions")))
			return 1;
	}
	return 0;
}

/* The object of an attribute in a type expression: a dotted name (a
 * module may stand here: np.ndarray). */
static const struct node *ste_prefix_bad(struct an *an, const struct node *n, int depth)
{
	if (depth > 100)
		return n;
	if (n->kind == N_NAME) {
		const struct bind *e = lookup(an, MANGLE(an, n->str));
		return e && (e->flags & BF_NONTYPE) ? n : NULL;
	}
	if (n->kind == N_ATTRIBUTE) {
		if (n->str[0] == '_' || (CLS(an, n->str) & K_SENSITIVE))
			return n;
		return ste_prefix_bad(an, n->kids[0], depth + 1);
	}
	return n;
}

static const struct node *ste_list_bad(struct an *an, const struct node *l, int depth)
{
	for (; l; l = l->next) {
		const struct node *b = ste_bad(an, l, depth + 1);
		if (b)
			return b;
	}
	return NULL;
}

/* Is n a static type expression?  NULL if it is, else the offending
 * part.  Names must not hold anything but types (BF_NONTYPE), and no
 * name or attribute may be a module. */
static const struct node *ste_bad(struct an *an, const struct node *n, int depth)
{
	if (!n || depth > 100)
		return n;
	switch (n->kind) {
	case N_CONSTANT:
		if (n->flags & (C_NONE | C_ELLIPSIS))
			return NULL;
		if ((n->flags & C_STR) && !(n->flags & C_UNKNOWN) && !an->no_strings && ste_string_ok(an, n->str, n->slen))
			return NULL;
		return n;
	case N_NAME:
	case N_ATTRIBUTE: {
		const struct node *b = ste_prefix_bad(an, n, depth);
		if (b)
			return b;
		if (an->no_strings && n->kind == N_NAME) {
			const struct bind *e = lookup(an, MANGLE(an, n->str));
			if (e && (e->flags & BF_STRING))
				return n;
		}
		struct vals v;
		resolve(an, n, &v);
		return v.nmod || v.over ? n : NULL;
	}
	case N_SUBSCRIPT: {
		const struct node *base = n->kids[0];
		const struct node *b = ste_bad(an, base, depth + 1);
		if (b)
			return b;
		struct vals v;
		resolve(an, base, &v);
		const struct node *sl = n->kids[1];
		const struct node *items = sl->kind == N_TUPLE ? sl->kids[0] : sl;
		int literal = is_typing(&v, "Literal");
		int annotated = is_typing(&v, "Annotated");
		if (literal) /* Literal's arguments are values, not evaluated */
			return NULL;
		if (annotated) /* Annotated[T, metadata...]: only T is a type */
			return ste_bad(an, items, depth + 1);
		return sl->kind == N_TUPLE ? ste_list_bad(an, items, depth) : ste_bad(an, sl, depth + 1);
	}
	case N_BINOP:
		if (!binop_is_or(an, n))
			return n;
		return ste_list_bad(an, n->kids[0], depth) ? n->kids[0] : ste_bad(an, n->kids[1], depth + 1);
	case N_LIST:
	case N_TUPLE:
		return ste_list_bad(an, n->kids[0], depth);
	case N_STARRED:
		return ste_bad(an, n->kids[0], depth + 1);
	default:
		return n;
	}
}

static void check_annotation(struct an *an, const struct node *ann)
{
	if (!ann)
		return;
	const struct node *b = ste_bad(an, ann, 0);
	if (b) {
		const char *what = b->kind == N_NAME || b->kind == N_ATTRIBUTE ? b->str : "expression";
		emitf(an, R_TYPE_EXPR, what, b,
		      "annotation part '%s' is not a static type expression (typing and singledispatch evaluate "
		      "annotations)",
		      what);
	}
}

/* ------------------------------------------------------------- sinks */

/* A type expression given to a factory (no strings). */
static const struct node *factory_type_bad(struct an *an, const struct node *n)
{
	an->no_strings = 1;
	const struct node *b = ste_bad(an, n, 0);
	an->no_strings = 0;
	return b;
}

/* Positional argument i of a call: the node, NULL when absent; *star set
 * when a *args comes at or before it (its position is unknown). */
static const struct node *arg_at(const struct node *call, int i, int *star)
{
	int k = 0;
	*star = 0;
	for (const struct node *a = call->kids[1]; a; a = a->next, k++) {
		if (a->kind == N_STARRED) {
			*star = 1;
			return NULL;
		}
		if (k == i)
			return a;
	}
	return NULL;
}

static int n_args(const struct node *call)
{
	int k = 0;
	for (const struct node *a = call->kids[1]; a; a = a->next)
		k++;
	return k;
}

static int has_star(const struct node *call)
{
	for (const struct node *a = call->kids[1]; a; a = a->next)
		if (a->kind == N_STARRED)
			return 1;
	for (const struct node *k = call->kids[2]; k; k = k->next)
		if (!k->str)
			return 1;
	return 0;
}

static const struct node *kwarg(const struct node *call, const char *name)
{
	for (const struct node *k = call->kids[2]; k; k = k->next)
		if (k->str && strcmp(k->str, name) == 0)
			return k->kids[0];
	return NULL;
}

/* Argument i or keyword name (whichever is given). */
static const struct node *param(const struct node *call, int i, const char *name)
{
	int star;
	const struct node *a = i >= 0 ? arg_at(call, i, &star) : NULL;
	return a ? a : kwarg(call, name);
}

static int known_str(const struct node *n)
{
	return n && n->kind == N_CONSTANT && (n->flags & C_STR) && !(n->flags & C_UNKNOWN) && strlen(n->str) == n->slen;
}

/* A public identifier that names nothing sensitive. */
static int public_ident(struct an *an, const char *s)
{
	if (!ident_start((unsigned char)s[0]) || s[0] == '_')
		return 0;
	for (const char *p = s; *p; p++)
		if (!ident_char((unsigned char)*p))
			return 0;
	return !(CLS(an, s) & (K_SENSITIVE | K_DANGER_MODULE));
}

static int lit_ident(struct an *an, const struct node *n)
{
	return known_str(n) && public_ident(an, n->str);
}

/* A literal sequence (list or tuple) of public identifier strings. */
static const struct node *ident_seq_bad(struct an *an, const struct node *n)
{
	if (!n || (n->kind != N_LIST && n->kind != N_TUPLE))
		return n;
	for (const struct node *e = n->kids[0]; e; e = e->next)
		if (!lit_ident(an, e))
			return e;
	return NULL;
}

/* A string of public identifiers separated by spaces or commas (the field
 * names of namedtuple, the member names of Enum). */
static int ident_words_ok(struct an *an, const struct node *n)
{
	if (!known_str(n))
		return 0;
	const char *s = n->str;
	char word[128];
	while (*s) {
		while (*s == ' ' || *s == ',')
			s++;
		size_t l = 0;
		while (s[l] && s[l] != ' ' && s[l] != ',')
			l++;
		if (!l)
			break;
		if (l >= sizeof(word))
			return 0;
		memcpy(word, s, l);
		word[l] = '\0';
		if (!public_ident(an, word))
			return 0;
		s += l;
	}
	return 1;
}

/* A dict literal whose keys are literal public identifiers (keys_ok) or
 * any literal strings, and whose values are static type expressions
 * (values_ste).  A '**' item is not marked in the tree: it shows as an
 * odd number of items or a non-literal key. */
static const struct node *dict_bad(struct an *an, const struct node *d, int idents, int values_ste)
{
	if (!d || d->kind != N_DICT)
		return d;
	int k = 0;
	const struct node *key = NULL;
	for (const struct node *e = d->kids[0]; e; e = e->next, k++) {
		if (k % 2 == 0) {
			key = e;
			if (!known_str(e) || (idents && !public_ident(an, e->str)))
				return e;
		} else if (values_ste) {
			const struct node *b = ste_bad(an, e, 0);
			if (b)
				return b;
		}
	}
	return k % 2 ? key : NULL;
}

/* The danger of each sink, as a check of the call: NULL when the call is
 * safe, else the offending argument (or the call). */
typedef const struct node *(*sink_check)(struct an *an, const struct node *call);

static const struct node *ck_never(struct an *an, const struct node *call)
{
	(void)an;
	return call;
}

/* type(x) is fine; type(name, bases, namespace) creates a class from a
 * namespace: literal name, bases that are dotted names, a dict literal of
 * public names (no hook can hide in it). */
static const struct node *ck_type(struct an *an, const struct node *call)
{
	if (has_star(call) || call->kids[2])
		return call;
	int n = n_args(call);
	if (n == 1)
		return NULL;
	if (n != 3)
		return call;
	int star;
	const struct node *name = arg_at(call, 0, &star), *bases = arg_at(call, 1, &star), *ns = arg_at(call, 2, &star);
	if (!lit_ident(an, name))
		return name;
	if (!bases || bases->kind != N_TUPLE)
		return bases ? bases : call;
	for (const struct node *b = bases->kids[0]; b; b = b->next)
		if (ste_prefix_bad(an, b, 0))
			return b;
	return dict_bad(an, ns, 1, 0);
}

/* getattr family with a literal name: the name must be public (or the
 * code's own on self) and not banned; check.c checks the rest. */
static const struct node *attr_literal_bad(struct an *an, const struct node *obj, const struct node *name, int store);

static const struct node *ck_getattr(struct an *an, const struct node *call)
{
	int star;
	const struct node *obj = arg_at(call, 0, &star), *name = arg_at(call, 1, &star);
	if (!obj || !known_str(name))
		return NULL; /* check.c: getattr-dynamic */
	const struct node *f = call->kids[0];
	int store = f->kind == N_NAME && (strcmp(f->str, "setattr") == 0 || strcmp(f->str, "delattr") == 0);
	return attr_literal_bad(an, obj, name, store);
}

static int dotted_public(struct an *an, const char *s)
{
	char part[128];
	while (*s) {
		const char *d = strchr(s, '.');
		size_t l = d ? (size_t)(d - s) : strlen(s);
		if (!l || l >= sizeof(part))
			return 0;
		memcpy(part, s, l);
		part[l] = '\0';
		if (!public_ident(an, part) || (CLS(an, part) & K_BANNED))
			return 0;
		s += l;
		if (*s == '.')
			s++;
	}
	return 1;
}

static const struct node *ck_attrgetter(struct an *an, const struct node *call)
{
	if (has_star(call) || !call->kids[1])
		return call;
	for (const struct node *a = call->kids[1]; a; a = a->next)
		if (!known_str(a) || !dotted_public(an, a->str))
			return a;
	return NULL;
}

static const struct node *ck_methodcaller(struct an *an, const struct node *call)
{
	int star;
	const struct node *name = arg_at(call, 0, &star);
	if (star || !name)
		return call;
	return lit_ident(an, name) ? NULL : name;
}

/* assigned/updated of update_wrapper and wraps: the default, the
 * functools constants, or a literal tuple of names (the standard special
 * names or public ones). */
static const struct node *wrapper_names_bad(struct an *an, const struct node *n, int assigned)
{
	static const char *const std[] = { "__module__", "__name__", "__qualname__", "__doc__", "__annotations__",
		                           "__dict__", NULL };
	if (!n)
		return NULL;
	if (n->kind == N_NAME || n->kind == N_ATTRIBUTE) {
		struct vals v;
		resolve(an, n, &v);
		if (vals_has_mem(&v, "functools.WRAPPER_ASSIGNMENTS") ||
		    (!assigned && vals_has_mem(&v, "functools.WRAPPER_UPDATES")))
			return NULL;
		return n;
	}
	if (n->kind != N_TUPLE && n->kind != N_LIST)
		return n;
	int annotations = 0;
	for (const struct node *e = n->kids[0]; e; e = e->next) {
		if (!known_str(e) || (!in_strlist(std, e->str) && !public_ident(an, e->str)))
			return e;
		annotations |= strcmp(e->str, "__annotations__") == 0;
	}
	/* without __annotations__ the wrapper keeps its own annotations and
	 * gets __wrapped__: typing would evaluate them in the wrapped
	 * function's module */
	return assigned && !annotations ? n : NULL;
}

static const struct node *ck_wrapper(struct an *an, const struct node *call, int first)
{
	if (has_star(call))
		return call;
	const struct node *b = wrapper_names_bad(an, param(call, first, "assigned"), 1);
	return b ? b : wrapper_names_bad(an, param(call, first + 1, "updated"), 0);
}

static const struct node *ck_update_wrapper(struct an *an, const struct node *call)
{
	return ck_wrapper(an, call, 2);
}

static const struct node *ck_wraps(struct an *an, const struct node *call)
{
	return ck_wrapper(an, call, 1);
}

static const struct node *ck_make_dataclass(struct an *an, const struct node *call)
{
	if (has_star(call))
		return call;
	const struct node *name = param(call, 0, "cls_name"), *fields = param(call, 1, "fields");
	if (!lit_ident(an, name))
		return name ? name : call;
	if (!fields || (fields->kind != N_LIST && fields->kind != N_TUPLE))
		return fields ? fields : call;
	for (const struct node *f = fields->kids[0]; f; f = f->next) {
		if (lit_ident(an, f))
			continue;
		if (f->kind != N_TUPLE || !lit_ident(an, f->kids[0]) || !f->kids[0]->next)
			return f;
		const struct node *b = factory_type_bad(an, f->kids[0]->next);
		if (b)
			return b;
	}
	const struct node *ns = kwarg(call, "namespace");
	if (ns && !(ns->kind == N_CONSTANT && (ns->flags & C_NONE)))
		return ns;
	const struct node *bases = kwarg(call, "bases");
	if (bases) {
		if (bases->kind != N_TUPLE)
			return bases;
		for (const struct node *b = bases->kids[0]; b; b = b->next)
			if (ste_prefix_bad(an, b, 0))
				return b;
	}
	return NULL;
}

static const struct node *ck_namedtuple(struct an *an, const struct node *call)
{
	if (has_star(call))
		return call;
	const struct node *name = param(call, 0, "typename"), *fields = param(call, 1, "field_names");
	if (!lit_ident(an, name))
		return name ? name : call;
	if (!fields)
		return call;
	if (fields->kind == N_CONSTANT ? !ident_words_ok(an, fields) : ident_seq_bad(an, fields) != NULL)
		return fields;
	return kwarg(call, "module"); /* names the module its annotations are evaluated in */
}

/* typing.NamedTuple('P', [('x', int)]) and keyword fields */
static const struct node *ck_NamedTuple(struct an *an, const struct node *call)
{
	if (has_star(call))
		return call;
	const struct node *name = param(call, 0, "typename");
	if (!lit_ident(an, name))
		return name ? name : call;
	int star;
	const struct node *fields = arg_at(call, 1, &star);
	if (fields) {
		if (fields->kind != N_LIST && fields->kind != N_TUPLE)
			return fields;
		for (const struct node *f = fields->kids[0]; f; f = f->next) {
			if (f->kind != N_TUPLE || !lit_ident(an, f->kids[0]) || !f->kids[0]->next || f->kids[0]->next->next)
				return f;
			const struct node *b = factory_type_bad(an, f->kids[0]->next);
			if (b)
				return b;
		}
	}
	for (const struct node *k = call->kids[2]; k; k = k->next) {
		const struct node *b = factory_type_bad(an, k->kids[0]);
		if (b)
			return b;
	}
	return NULL;
}

static const struct node *ck_TypedDict(struct an *an, const struct node *call)
{
	if (has_star(call))
		return call;
	const struct node *name = param(call, 0, "typename");
	if (!lit_ident(an, name))
		return name ? name : call;
	int star;
	const struct node *fields = arg_at(call, 1, &star);
	if (fields) {
		an->no_strings = 1;
		const struct node *b = dict_bad(an, fields, 0, 1);
		an->no_strings = 0;
		if (b)
			return b;
	}
	for (const struct node *k = call->kids[2]; k; k = k->next) {
		if (strcmp(k->str, "total") == 0)
			continue;
		const struct node *b = factory_type_bad(an, k->kids[0]);
		if (b)
			return b;
	}
	return NULL;
}

static const struct node *ck_ForwardRef(struct an *an, const struct node *call)
{
	int star;
	const struct node *arg = arg_at(call, 0, &star);
	if (star || !arg)
		arg = kwarg(call, "arg");
	const struct node *m = kwarg(call, "module");
	if (m) /* the module the reference is evaluated in */
		return m;
	return arg && known_str(arg) && ste_string_ok(an, arg->str, arg->slen) ? NULL : (arg ? arg : call);
}

static const struct node *ck_TypeVar(struct an *an, const struct node *call)
{
	if (has_star(call))
		return call;
	int star;
	const struct node *pos = arg_at(call, 0, &star);
	const struct node *name = pos ? pos : kwarg(call, "name");
	if (!known_str(name))
		return name ? name : call;
	const struct node *b = pos && pos->next ? ste_list_bad(an, pos->next, 0) : NULL; /* constraints */
	if (b)
		return b;
	const struct node *bound = kwarg(call, "bound");
	return bound ? ste_bad(an, bound, 0) : NULL;
}

static const struct node *ck_NewType(struct an *an, const struct node *call)
{
	if (has_star(call))
		return call;
	const struct node *name = param(call, 0, "name"), *tp = param(call, 1, "tp");
	if (!known_str(name))
		return name ? name : call;
	return tp ? factory_type_bad(an, tp) : call;
}

static const struct node *ck_name_only(struct an *an, const struct node *call)
{
	(void)an;
	if (has_star(call))
		return call;
	const struct node *name = param(call, 0, "name");
	return known_str(name) ? NULL : (name ? name : call);
}

/* Enum('Name', names): the functional API makes members (class
 * attributes) from the names; one argument is a lookup by value. */
static const struct node *ck_enum(struct an *an, const struct node *call)
{
	if (has_star(call))
		return call;
	int star;
	const struct node *names = arg_at(call, 1, &star);
	if (!names)
		names = kwarg(call, "names");
	if (!names)
		return NULL;
	const struct node *value = param(call, 0, "value");
	if (!lit_ident(an, value))
		return value ? value : call;
	if (names->kind == N_CONSTANT) {
		if (!ident_words_ok(an, names))
			return names;
	} else if (names->kind == N_LIST || names->kind == N_TUPLE) {
		for (const struct node *e = names->kids[0]; e; e = e->next)
			if (!lit_ident(an, e) && !(e->kind == N_TUPLE && lit_ident(an, e->kids[0])))
				return e;
	} else {
		const struct node *b = dict_bad(an, names, 1, 0);
		if (b)
			return b;
	}
	const struct node *m = kwarg(call, "module"), *q = kwarg(call, "qualname"), *t = kwarg(call, "type");
	if (m) /* the module global_enum and typing resolve names in */
		return m;
	if (q && !known_str(q))
		return q;
	return t ? ste_bad(an, t, 0) : NULL;
}

/* timeit runs its statements as source: only callables (a lambda or a
 * function defined here) are allowed. */
static const struct node *callable_bad(struct an *an, const struct node *n)
{
	if (!n || n->kind == N_LAMBDA)
		return NULL;
	if (n->kind == N_NAME) {
		const struct bind *e = lookup(an, MANGLE(an, n->str));
		if (e && (e->flags & ~(unsigned)(BF_DEF | BF_NONTYPE)) == 0 && (e->flags & BF_DEF))
			return NULL;
	}
	return n;
}

static const struct node *ck_timeit(struct an *an, const struct node *call)
{
	if (has_star(call))
		return call;
	const struct node *b = callable_bad(an, param(call, 0, "stmt"));
	return b ? b : callable_bad(an, param(call, 1, "setup"));
}

/* logging's '{' style formats the record with str.format: the format must
 * then be a literal (whose fields check.c reads). */
static const struct node *ck_log_format(struct an *an, const struct node *call, int fmt_i, const char *fmt_kw,
                                        int style_i)
{
	(void)an;
	if (has_star(call))
		return call;
	const struct node *style = param(call, style_i, "style");
	if (!style || (known_str(style) && (strcmp(style->str, "%") == 0 || strcmp(style->str, "$") == 0)))
		return NULL;
	const struct node *fmt = param(call, fmt_i, fmt_kw);
	return !fmt || known_str(fmt) ? NULL : fmt;
}

static const struct node *ck_log_formatter(struct an *an, const struct node *call)
{
	return ck_log_format(an, call, 0, "fmt", 2);
}

static const struct node *ck_basic_config(struct an *an, const struct node *call)
{
	return ck_log_format(an, call, -1, "format", -1);
}

enum {
	SK_CLASS = 1u, /* may be a base class or an isinstance argument */
	SK_SAFE = 2u, /* documented, no check */
	SK_CODE = 4u, /* the strings reach code (exec, or typing's evaluation): checked in denylist mode too */
};

struct sink {
	const char *qual;
	unsigned flags;
	sink_check check;
	const char *why;
};

/* The standard-library callables that turn strings into attribute access
 * or code.  README.md lists them with what must be literal. */
static const struct sink sinks[] = {
	{ "builtins.type", SK_CLASS, ck_type, "type() with three arguments builds a class from a namespace" },
	{ TYPE_OF, 0, ck_never,
	  "the class of an object may be one that is not allowed (io.FileIO) or a metaclass; only self's class is "
	  "called" },
	{ "builtins.getattr", 0, ck_getattr, "getattr() reaches an attribute by name" },
	{ "builtins.setattr", 0, ck_getattr, "setattr() sets an attribute by name" },
	{ "builtins.delattr", 0, ck_getattr, "delattr() deletes an attribute by name" },
	{ "builtins.hasattr", SK_SAFE, NULL, "hasattr() answers True or False: nothing is handed over" },
	{ "operator.attrgetter", 0, ck_attrgetter, "attrgetter() reaches attributes by name" },
	{ "operator.methodcaller", 0, ck_methodcaller, "methodcaller() calls a method by name" },
	{ "functools.update_wrapper", 0, ck_update_wrapper, "update_wrapper() copies the attributes it is given" },
	{ "functools.wraps", 0, ck_wraps, "wraps() copies the attributes it is given" },
	{ "dataclasses.make_dataclass", SK_CODE, ck_make_dataclass, "make_dataclass() writes its field names into code" },
	{ "dataclasses.field", SK_SAFE, NULL, "no argument reaches code (its default's __set_name__ is a class hook)" },
	{ "collections.namedtuple", 0, ck_namedtuple, "namedtuple() writes its field names into code" },
	{ "typing.NamedTuple", SK_CLASS | SK_CODE, ck_NamedTuple, "NamedTuple() takes field types that typing evaluates" },
	{ "typing.TypedDict", SK_CLASS | SK_CODE, ck_TypedDict, "TypedDict() takes field types that typing evaluates" },
	{ "typing.ForwardRef", SK_CLASS | SK_CODE, ck_ForwardRef, "ForwardRef() is evaluated as code" },
	{ "typing.TypeVar", SK_CLASS | SK_CODE, ck_TypeVar, "TypeVar() takes a bound that typing evaluates" },
	{ "typing.NewType", SK_CLASS | SK_CODE, ck_NewType, "NewType() takes a type that typing evaluates" },
	{ "typing.ParamSpec", SK_CLASS, ck_name_only, "ParamSpec() takes a name" },
	{ "typing.TypeVarTuple", SK_CLASS, ck_name_only, "TypeVarTuple() takes a name" },
	{ "typing.get_type_hints", SK_SAFE, NULL, "evaluates annotations, which are all static type expressions" },
	{ "enum.Enum", SK_CLASS, ck_enum, "the enum functional API makes class attributes from names" },
	{ "enum.IntEnum", SK_CLASS, ck_enum, "the enum functional API makes class attributes from names" },
	{ "enum.StrEnum", SK_CLASS, ck_enum, "the enum functional API makes class attributes from names" },
	{ "enum.Flag", SK_CLASS, ck_enum, "the enum functional API makes class attributes from names" },
	{ "enum.IntFlag", SK_CLASS, ck_enum, "the enum functional API makes class attributes from names" },
	{ "enum.ReprEnum", SK_CLASS, ck_enum, "the enum functional API makes class attributes from names" },
	{ "enum.global_enum", 0, ck_never, "global_enum() writes members into the namespace its class names" },
	{ "timeit.timeit", SK_CODE, ck_timeit, "timeit() runs its statements as source" },
	{ "timeit.repeat", SK_CODE, ck_timeit, "repeat() runs its statements as source" },
	{ "timeit.Timer", SK_CLASS | SK_CODE, ck_timeit, "Timer() runs its statements as source" },
	{ "timeit.main", SK_CODE, ck_never, "timeit.main() runs its arguments as source" },
	{ "types.new_class", 0, ck_never, "new_class() runs a namespace callback and hooks" },
	{ "types.prepare_class", 0, ck_never, "prepare_class() runs a metaclass's __prepare__" },
	{ "types.FunctionType", 0, ck_never, "FunctionType() makes a function from a code object" },
	{ "types.LambdaType", 0, ck_never, "LambdaType() makes a function from a code object" },
	{ "types.CodeType", 0, ck_never, "CodeType() makes a code object" },
	{ "logging.Formatter", SK_CLASS, ck_log_formatter, "a '{' style format is applied with str.format" },
	{ "logging.basicConfig", 0, ck_basic_config, "a '{' style format is applied with str.format" },
};

static const struct sink metaclass_sink = { "metaclass", SK_CLASS, ck_type,
	                                     "a metaclass called with three arguments builds a class from a namespace" };

static const struct sink *sink_of_api(const struct py_api *api, const char *qual)
{
	for (size_t i = 0; i < sizeof(sinks) / sizeof(sinks[0]); i++)
		if (strcmp(sinks[i].qual, qual) == 0)
			return &sinks[i];
	if (api && py_api_has(api->metaclasses, api->n_metaclasses, qual))
		return &metaclass_sink;
	return NULL;
}

#define sink_of(qual) sink_of_api(an->api, (qual))

/* ----------------------------------------------------------- the walk */

enum use {
	U_VALUE = 0, /* anything the code may pass on */
	U_ATTR, /* the object of an attribute: x in x.y */
	U_CALLEE, /* the function of a call */
	U_ALIAS, /* the value of a simple assignment to a name: followed */
	U_BASE, /* a base class */
	U_ISINST, /* the class argument of isinstance/issubclass, a class pattern */
	U_HARMLESS, /* compared, tested, printed: nothing reached through it */
};

static void aw(struct an *an, const struct node *n, enum use use);

static void aw_list(struct an *an, const struct node *n, enum use use)
{
	for (; n; n = n->next)
		aw(an, n, use);
}

static void aw_kids(struct an *an, const struct node *n)
{
	for (int i = 0; i < 4; i++)
		aw_list(an, n->kids[i], U_VALUE);
}

/* Special attributes of the data model that hand nothing over. */
static const char *const safe_dunders[] = {
	"__name__", "__qualname__", "__doc__", "__module__", "__init__", "__len__", "__iter__", "__next__",
	"__enter__", "__exit__", "__repr__", "__str__", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__",
	"__hash__", "__contains__", "__getitem__", "__setitem__", "__delitem__", "__call__", "__bool__",
	"__add__", "__sub__", "__mul__", "__truediv__", "__floordiv__", "__mod__", "__pow__", "__neg__", "__pos__",
	"__abs__", "__radd__", "__rsub__", "__rmul__", "__rtruediv__", "__iadd__", "__isub__", "__imul__",
	"__and__", "__or__", "__xor__", "__invert__", "__matmul__", "__divmod__", "__round__", "__floor__",
	"__ceil__", "__trunc__", "__int__", "__float__", "__complex__", "__index__", "__bytes__", "__format__",
	"__reversed__", "__missing__", "__length_hint__", "__sizeof__", "__copy__", "__deepcopy__", "__post_init__",
	"__slots__", "__version__", "__members__", "__file__", "__all__", "__class__", "__wrapped__", NULL,
};
/* namedtuple's public API is spelled with a leading underscore. */
static const char *const namedtuple_api[] = { "_asdict", "_replace", "_make", "_fields", "_field_defaults", NULL };
/* Hooks the interpreter runs when a class is made, or when matching. */
static const char *const class_hooks[] = { "__init_subclass__", "__set_name__", "__class_getitem__", "__prepare__",
	                                   "__mro_entries__", "__match_args__", NULL };
/* Builtins to which a module may be given harmlessly. */
static const char *const harmless_fns[] = { "print", "repr", "str", "id", "hash", "dir", "bool", NULL };

/* Does class c (or a class of this file it derives from) define name? */
static int cls_defines(const struct an *an, const struct cls *c, const char *name, int depth)
{
	/* the class and the classes of this file it derives from, each once, at
	 * most 64 (a miss denies: fail closed) */
	const struct cls *seen[64];
	size_t n = 0, next = 0;
	(void)depth;
	if (c)
		seen[n++] = c;
	while (next < n) {
		const struct cls *k = seen[next++];
		if (pair_get(&an->defs, k, name))
			return 1;
		/* a base that is a name bound to exactly one class of this file,
		 * and to nothing else (an imported class of the same name is not
		 * ours) */
		for (const struct node *b = k->node->kids[1]; b && n < 64; b = b->next) {
			if (b->kind != N_NAME)
				continue;
			const char *bn = mangle_in((struct an *)(uintptr_t)an, k->outer, b->str);
			const struct bind *e = lookup((struct an *)(uintptr_t)an, bn);
			if (!e || (e->flags & ~(unsigned)(BF_CLASS | BF_NONTYPE | BF_ENUM | BF_STRING)) != 0 || e->ncls != 1)
				continue;
			int dup = 0;
			for (size_t i = 0; i < n && !dup; i++)
				dup = seen[i] == e->cls;
			if (!dup)
				seen[n++] = e->cls;
		}
	}
	return 0;
}

/* Is obj the enclosing method's self/cls, and does its class define name? */
static int own_name(struct an *an, const struct node *obj, const char *name)
{
	return is_self(an, obj) && cls_defines(an, an->self_cls, name, 0);
}

/* A private name that a class of this file defines and that no allowed
 * module (nor what it loads) uses as an attribute: the code's own
 * protocol on whatever object it is looked up (other._key() in __eq__).
 * On an object of the standard library it does not exist. */
static int own_protocol(const struct an *an, const char *name)
{
	if (!an->api || py_api_has(an->api->priv_attrs, an->api->n_priv_attrs, name))
		return 0;
	return pair_get(&an->defs, NULL, name) != NULL;
}

/* self/cls, super(), or a name bound to a class of this file only */
static int own_object(struct an *an, const struct node *obj)
{
	if (is_self(an, obj))
		return 1;
	if (obj->kind == N_CALL && obj->kids[0]->kind == N_NAME && strcmp(obj->kids[0]->str, "super") == 0)
		return 1;
	if (obj->kind == N_NAME) {
		const struct bind *e = lookup(an, MANGLE(an, obj->str));
		return e && (e->flags & BF_CLASS) && !(e->flags & ~(unsigned)(BF_CLASS | BF_NONTYPE | BF_ENUM | BF_STRING));
	}
	return 0;
}

static int safe_module_dunder(const char *s)
{
	static const char *const ok[] = { "__name__", "__doc__", "__version__", "__file__", "__all__", NULL };
	return in_strlist(ok, s);
}

/* n.attr where n may be module m. */
static void module_attr_check(struct an *an, const struct node *at, const char *m, const char *attr, int ctx)
{
	if (ctx != CTX_LOAD) {
		emitf(an, R_API_DENIED, attr, at, "assignment to '%s' of module '%s': modules are not changed", attr, m);
		return;
	}
	const char *sub = submodule(an, m, attr);
	if (sub) {
		/* the module it is (dataclasses.inspect is inspect), not its spelling */
		if (mod_status(an->cfg, sub) == MS_NO)
			emitf(an, R_MODULE_ATTR, sub, at, "'%s.%s' is module '%s', which is not allowed", m, attr, sub);
		return;
	}
	if (attr[0] == '_') {
		unsigned c = CLS(an, attr);
		if (!safe_module_dunder(attr) && !(c & (K_ESCAPE | K_DYNAMIC)))
			emitf(an, R_PRIVATE, attr, at, "'%s' of module '%s' is not public", attr, m);
		return;
	}
	int st = mod_status(an->cfg, m);
	const char *full = astrcat3(an, m, ".", attr);
	if (st == MS_NO) {
		emitf(an, R_API_DENIED, full, at, "'%s': module '%s' is not allowed (only its allowed submodules are)",
		      full, m);
		return;
	}
	if (py_listed(an->cfg->deny, an->cfg->n_deny, full)) {
		emitf(an, R_API_DENIED, full, at, "'%s' is denied", full);
		return;
	}
	if (st == MS_PARTIAL) {
		if (!attr_entry(an->cfg, full))
			emitf(an, R_API_DENIED, full, at, "'%s' is not among the allowed names of module '%s'", full, m);
		return;
	}
	const struct py_api_module *pm = py_api_module(an->api, m);
	if (!pm)
		emitf(an, R_API_DENIED, m, at, "no API data for module '%s' (Python %s)", m, an->api->python);
	else if (!py_api_has(pm->api, pm->n_api, attr))
		emitf(an, CLS(an, attr) & K_BANNED ? R_BANNED_BUILTIN : R_API_DENIED, full, at,
		      "'%s' is not in the public API of module '%s'", full, m);
}

/* obj.attr where obj is not (only) a module. */
static void object_attr_check(struct an *an, const struct node *at, const struct node *obj, const char *attr,
                              int ctx, int mangle)
{
	const char *m = mangle ? MANGLE(an, attr) : attr;
	unsigned c = CLS(an, attr);
	if (is_dunder(attr)) {
		if ((c & (K_ESCAPE | K_DYNAMIC)) && !(ctx == CTX_LOAD && strcmp(attr, "__class__") == 0))
			return; /* check.c reports it */
		if (ctx != CTX_LOAD)
			emitf(an, R_PRIVATE, attr, at, "assignment to special attribute '%s'", attr);
		else if (!in_strlist(safe_dunders, attr))
			emitf(an, R_PRIVATE, attr, at, "special attribute '%s' is not allowed", attr);
		else if (strcmp(attr, "__init__") == 0 && obj && !own_object(an, obj))
			emitf(an, R_PRIVATE, attr, at,
			      "'%s' of an object that is not the code's own: it would initialise it again", attr);
	} else if (strcmp(attr, "mro") == 0) {
		emitf(an, R_PRIVATE, attr, at, "'%s' hands over the classes of a class, its metaclass among them", attr);
	} else if (attr[0] == '_') {
		if (ctx == CTX_LOAD && in_strlist(namedtuple_api, attr))
			return;
		if (own_name(an, obj, m) || own_protocol(an, m))
			return;
		emitf(an, R_PRIVATE, m, at,
		      "'%s' is private: only the code's own names on its own objects (self/cls, or names no allowed "
		      "module uses)",
		      m);
	} else if (c & K_BANNED) {
		if (!own_name(an, obj, attr))
			emitf(an, R_BANNED_BUILTIN, attr, at, "'%s' reached as an attribute", attr);
	} else if (an->api->n_mod_attrs && py_api_has(an->api->mod_attrs, an->api->n_mod_attrs, attr)) {
		emitf(an, R_MODULE_ATTR, attr, at, "attribute '%s' holds a module", attr);
	}
}

static void attr_check(struct an *an, const struct node *at, const struct node *obj, const char *attr, int ctx)
{
	struct vals o;
	resolve(an, obj, &o);
	for (unsigned i = 0; i < o.nmod; i++)
		module_attr_check(an, at, o.mod[i], attr, ctx);
	if (o.over)
		emitf(an, R_MODULE_VALUE, attr, at, "'%s': the object may be too many things to follow", attr);
	/* anything else the object may be */
	int only_module = o.nmod > 0;
	if (obj->kind == N_NAME) {
		const struct bind *e = lookup(an, MANGLE(an, obj->str));
		if (!e || (e->flags & (BF_OTHER | BF_ASSIGN | BF_CLASS | BF_DEF)) || e->v.nmem)
			only_module = 0;
	} else if (obj->kind == N_ATTRIBUTE) {
		only_module = only_module && o.nmem == 0;
	} else {
		only_module = 0;
	}
	if (!only_module)
		object_attr_check(an, at, obj, attr, ctx, 1);
}

/* getattr(obj, 'name') and friends: the literal is looked up as written
 * (a string is not mangled); setattr and delattr (store) never take a
 * special name. */
static const struct node *attr_literal_bad(struct an *an, const struct node *obj, const struct node *name, int store)
{
	const char *s = name->str;
	struct vals o;
	resolve(an, obj, &o);
	if (o.nmod) {
		for (unsigned i = 0; i < o.nmod; i++)
			module_attr_check(an, name, o.mod[i], s, store ? CTX_STORE : CTX_LOAD);
		return NULL;
	}
	if (s[0] == '_' && !is_dunder(s) && !own_name(an, obj, s) && !own_protocol(an, s))
		return name;
	if (is_dunder(s) && (store || !in_strlist(safe_dunders, s)) && !(CLS(an, s) & K_SENSITIVE))
		return name; /* check.c reports the sensitive ones */
	return NULL;
}

/* A value use of n (a Name or Attribute): modules and sinks must not
 * escape the checker's sight. */
static void value_use(struct an *an, const struct node *n, enum use use)
{
	if (use == U_ATTR || use == U_ALIAS || use == U_HARMLESS || use == U_CALLEE)
		return; /* a callee: call_check (a module cannot be called) */
	struct vals v;
	resolve(an, n, &v);
	if ((v.nmod || v.over) && !an->types_only) {
		const char *what = v.nmod ? v.mod[0] : n->str;
		emitf(an, R_MODULE_VALUE, what, n,
		      "module '%s' used as a value: what is reached through it can no longer be checked", what);
	}
	for (unsigned i = 0; i < v.nmem; i++) {
		const struct sink *sk = sink_of(v.mem[i]);
		if (!sk || (sk->flags & SK_SAFE) || (an->types_only && !(sk->flags & SK_CODE)))
			continue;
		if ((sk->flags & SK_CLASS) && (use == U_BASE || use == U_ISINST))
			continue;
		if (strcmp(v.mem[i], TYPE_OF) == 0 && use == U_ISINST)
			continue;
		if (strcmp(v.mem[i], "builtins.getattr") == 0 || strcmp(v.mem[i], "builtins.setattr") == 0 ||
		    strcmp(v.mem[i], "builtins.delattr") == 0)
			continue; /* check.c: getattr-dynamic */
		const char *what = n->kind == N_CALL ? "type" : n->str;
		emitf(an, R_SINK, what, n, "'%s' (%s) used as a value: its arguments cannot be checked (%s)", what,
		      v.mem[i], sk->why);
	}
}

/* str.format fields in a literal, beyond check.c's: private and banned
 * names after '.', private keys in '[...]'. */
static void scan_fields(struct an *an, const struct node *n)
{
	const char *s = n->str;
	size_t len = n->slen;
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '{')
			continue;
		size_t j = i + 1;
		while (j < len && s[j] != '}') {
			if (s[j] == '.' || s[j] == '[') {
				size_t k = j + 1;
				while (k < len && ident_char((unsigned char)s[k]))
					k++;
				char name[64];
				if (k - j - 1 > 0 && k - j - 1 < sizeof(name)) {
					memcpy(name, s + j + 1, k - j - 1);
					name[k - j - 1] = '\0';
					unsigned c = CLS(an, name);
					if (name[0] == '_' && !(c & (K_ESCAPE | K_DYNAMIC)) && !in_strlist(safe_dunders, name))
						emitf(an, R_PRIVATE, name, n, "format field reaches '%s'", name);
					else if (s[j] == '.' && (c & K_BANNED))
						emitf(an, R_BANNED_BUILTIN, name, n, "format field reaches '%s'", name);
				}
				j = k;
				continue;
			}
			j++;
		}
		i = j;
	}
}

/* Subscript keys that name builtins: ns['exec'] (open, input, help are
 * ordinary data keys: OHLC prices, form fields; the namespaces that would
 * hold those builtins are unreachable). */
static void subscript_check(struct an *an, const struct node *n)
{
	static const char *const keys[] = { "eval", "exec", "compile", "breakpoint", "globals", "locals", "vars",
		                            "__build_class__", "__import__", NULL };
	const struct node *k = n->kids[1];
	if (known_str(k) && in_strlist(keys, k->str))
		emitf(an, R_BANNED_BUILTIN, k->str, k, "builtin '%s' looked up by name", k->str);
}

/* v: what the call's function resolves to */
static void call_check(struct an *an, const struct node *call, const struct vals *vp)
{
	const struct node *f = call->kids[0];
	const struct vals v = *vp;
	int checked_getattr = 0;
	for (unsigned i = 0; i < v.nmem; i++) {
		const struct sink *sk = sink_of(v.mem[i]);
		if (!sk || !sk->check || (an->types_only && !(sk->flags & SK_CODE)))
			continue;
		if (sk->check == ck_getattr) {
			if (checked_getattr++)
				continue;
		}
		const struct node *bad = sk->check(an, call);
		if (bad) {
			const char *what = v.mem[i];
			if (sk->check == ck_getattr)
				emitf(an, bad->kind == N_CONSTANT && bad->str[0] == '_' && !is_dunder(bad->str) ? R_PRIVATE
				                                                                                : R_SINK,
				      what, bad, "'%s' with a name that is not public (%s)", what, sk->why);
			else
				emitf(an, R_SINK, what, bad, "'%s' with an argument that is not a checked literal: %s", what,
				      sk->why);
		}
	}
	if (an->types_only)
		return;
	/* calls of the code's own enum classes may use the functional API */
	if (f->kind == N_NAME) {
		const struct bind *e = lookup(an, MANGLE(an, f->str));
		if (e && (e->flags & BF_ENUM)) {
			const struct node *bad = ck_enum(an, call);
			if (bad)
				emitf(an, R_SINK, f->str, bad,
				      "enum '%s' called with names that are not literal: the functional API makes class "
				      "attributes from them",
				      f->str);
		}
	}
	/* object.__setattr__(self, 'x', v): a setattr with its name literal */
	if (f->kind == N_ATTRIBUTE && (strcmp(f->str, "__setattr__") == 0 || strcmp(f->str, "__delattr__") == 0)) {
		int star, lit = 0, bad = has_star(call);
		for (int i = 0; i < 2 && !bad; i++) {
			const struct node *a = arg_at(call, i, &star);
			if (known_str(a)) {
				lit = 1;
				bad = is_dunder(a->str) || (a->str[0] == '_' && !own_protocol(an, a->str) &&
				                            !cls_defines(an, an->self_cls, a->str, 0));
			}
		}
		if (bad || !lit)
			emitf(an, R_SINK, f->str, call, "'%s' with a name that is not a public literal: it sets attributes by name",
			      f->str);
	}
	/* string.Formatter's get_field walks attributes by name */
	if (f->kind == N_ATTRIBUTE && strcmp(f->str, "get_field") == 0) {
		int star;
		const struct node *a = arg_at(call, 0, &star);
		if (!known_str(a))
			emitf(an, R_SINK, "get_field", a ? a : call,
			      "'%s' with a field that is not a literal: it reaches attributes by name", "get_field");
	}
}

/* How a call uses its arguments: printed (harmless), an isinstance class,
 * or anything (a value).  v: what the call's function resolves to. */
enum arg_kind { ARGS_VALUE, ARGS_HARMLESS, ARGS_ISINSTANCE };

static enum arg_kind arg_kind(struct an *an, const struct node *f, const struct vals *v)
{
	const struct bind *e = f->kind == N_NAME ? lookup(an, MANGLE(an, f->str)) : NULL;
	if (f->kind != N_NAME || v->nmod || v->nmem || (e && (e->flags & BOUND)))
		return ARGS_VALUE;
	if (in_strlist(harmless_fns, f->str))
		return ARGS_HARMLESS;
	if (strcmp(f->str, "isinstance") == 0 || strcmp(f->str, "issubclass") == 0)
		return ARGS_ISINSTANCE;
	return ARGS_VALUE;
}

static void aw_call(struct an *an, const struct node *n)
{
	const struct node *f = n->kids[0];
	struct vals fv;
	resolve(an, f, &fv);
	call_check(an, n, &fv);
	aw(an, f, U_CALLEE);
	/* getattr(module, 'name') is module.name */
	int ga = vals_has_mem(&fv, "builtins.getattr") || vals_has_mem(&fv, "builtins.hasattr");
	enum arg_kind kind = n->kids[1] ? arg_kind(an, f, &fv) : ARGS_VALUE;
	int i = 0;
	for (const struct node *a = n->kids[1]; a; a = a->next, i++) {
		enum use u = kind == ARGS_HARMLESS ? U_HARMLESS : kind == ARGS_ISINSTANCE && i == 1 ? U_ISINST : U_VALUE;
		if (ga && i == 0 && a->next && known_str(a->next))
			u = U_ATTR;
		aw(an, a, u);
	}
	for (const struct node *k = n->kids[2]; k; k = k->next) {
		if (k->str && k->str[0] == '_' && !an->types_only)
			emitf(an, R_PRIVATE, k->str, k, "keyword argument '%s' is private", k->str);
		aw(an, k->kids[0], U_VALUE);
	}
}

static int hook_name(const char *s)
{
	return in_strlist(class_hooks, s);
}

/* __match_args__ = ('x', 'y'): the names a class pattern looks up, as a
 * keyword pattern would; allowed when they are literal public names. */
static int match_args_ok(struct an *an, const struct node *value)
{
	return value && value->kind == N_TUPLE && !ident_seq_bad(an, value);
}

static void hook_check(struct an *an, const struct node *at, const char *name, const struct node *value)
{
	if (an->types_only)
		return;
	if (an->in_body && strcmp(name, "__module__") == 0) {
		emitf(an, R_CLASS_HOOK, name, at,
		      "'%s' in a class body chooses the module typing evaluates the class's annotations in", name);
	} else if (an->in_body && hook_name(name)) {
		if (strcmp(name, "__match_args__") == 0 && match_args_ok(an, value))
			return;
		emitf(an, R_CLASS_HOOK, name, at, "class hook '%s' runs when a class is made or matched", name);
	} else if (an->at_module && (strcmp(name, "__getattr__") == 0 || strcmp(name, "__dir__") == 0)) {
		emitf(an, R_CLASS_HOOK, name, at, "module-level '%s' runs on attribute lookups of the module", name);
	}
}

static int stores_name(const struct node *n, const char *name, int depth)
{
	for (; n; n = n->next) {
		if (depth > MAX_DEPTH)
			return 1;
		if ((n->kind == N_NAME && n->ctx != CTX_LOAD) || n->kind == N_ARG || n->kind == N_EXCEPTHANDLER ||
		    n->kind == N_MATCHAS || n->kind == N_MATCHSTAR || n->kind == N_FUNCDEF || n->kind == N_CLASSDEF) {
			if (n->str && strcmp(n->str, name) == 0)
				return 1;
		}
		if (n->kind == N_ALIAS && ((n->str2 && strcmp(n->str2, name) == 0) || strcmp(n->str, name) == 0))
			return 1;
		for (int i = 0; i < 4; i++)
			if (stores_name(n->kids[i], name, depth + 1))
				return 1;
	}
	return 0;
}

static void aw_func(struct an *an, const struct node *n)
{
	hook_check(an, n, n->str, NULL);
	aw_list(an, n->kids[0], U_VALUE);
	for (const struct node *a = n->kids[1] ? n->kids[1]->kids[0] : NULL; a; a = a->next) {
		check_annotation(an, a->kids[0]);
		aw(an, a->kids[0], U_VALUE);
		aw(an, a->kids[1], U_VALUE);
	}
	check_annotation(an, n->kids[2]);
	aw(an, n->kids[2], U_VALUE);
	const char *saved_self = an->self;
	const struct cls *saved_scls = an->self_cls;
	const struct node *saved_sbody = an->self_body;
	int saved_body = an->in_body, saved_mod = an->at_module;
	if (an->in_body) {
		const char *p = first_param(n);
		an->self = p ? MANGLE(an, p) : NULL;
		an->self_cls = an->cur;
		an->self_body = n->kids[3];
	} else if (an->self && has_param(n->kids[1], an->self)) {
		an->self = NULL;
	}
	an->in_body = 0;
	an->at_module = 0;
	aw_list(an, n->kids[3], U_VALUE);
	an->self = saved_self;
	an->self_cls = saved_scls;
	an->self_body = saved_sbody;
	an->in_body = saved_body;
	an->at_module = saved_mod;
}

/* Is base type or a metaclass (a class derived from it is a metaclass)? */
static int metaclass_base(struct an *an, const struct node *base)
{
	struct vals v;
	resolve(an, base, &v);
	for (unsigned i = 0; i < v.nmem; i++) {
		const struct sink *sk = sink_of(v.mem[i]);
		if (sk && sk->check == ck_type)
			return 1;
	}
	return 0;
}

static void aw_class(struct an *an, const struct node *n)
{
	aw_list(an, n->kids[0], U_VALUE);
	aw_list(an, n->kids[1], U_BASE);
	for (const struct node *b = n->kids[1]; b && !an->types_only; b = b->next)
		if (metaclass_base(an, b))
			emitf(an, R_CLASS_HOOK, n->str, b,
			      "class '%s' is a metaclass: it makes classes from namespaces when called or named", n->str);
	for (const struct node *k = n->kids[2]; k; k = k->next) {
		if (an->types_only)
			;
		else if (k->str && strcmp(k->str, "metaclass") == 0)
			emitf(an, R_CLASS_HOOK, "metaclass", k, "'%s=': a metaclass runs when the class is made", "metaclass");
		else if (!k->str)
			emitf(an, R_CLASS_HOOK, "**", k, "class keywords '%s' cannot be checked", "**");
		aw(an, k->kids[0], U_VALUE);
	}
	const struct cls *saved = an->cur;
	int saved_body = an->in_body, saved_mod = an->at_module;
	an->cur = cls_of(an, n);
	an->in_body = 1;
	an->at_module = 0;
	aw_list(an, n->kids[3], U_VALUE);
	an->cur = saved;
	an->in_body = saved_body;
	an->at_module = saved_mod;
}

/* An import in a class body binds a class attribute (C.m), which the
 * checker cannot follow. */
static void import_in_class(struct an *an, const struct node *n)
{
	if (an->in_body)
		emitf(an, R_MODULE_VALUE, "import", n,
		      "'%s' in a class body binds a class attribute the checker cannot follow", "import");
}

static void aw_importfrom(struct an *an, const struct node *n)
{
	import_in_class(an, n);
	const char *m = n->str;
	if (n->level > 0 || !m || strcmp(m, "__future__") == 0)
		return;
	int st = mod_status(an->cfg, m);
	if (st == MS_NO)
		return; /* check.c: import-denied */
	for (const struct node *al = n->kids[0]; al; al = al->next) {
		const char *nm = al->str;
		if (strcmp(nm, "*") == 0)
			continue;
		const char *full = astrcat3(an, m, ".", nm);
		const char *sub = submodule(an, m, nm);
		if (sub) {
			if (mod_status(an->cfg, sub) == MS_NO)
				emitf(an, R_MODULE_ATTR, sub, al, "'%s' is module '%s', which is not allowed", full, sub);
			else if (!py_api_module(an->api, sub) && !py_api_module(an->api, full))
				emitf(an, R_API_DENIED, full, al, "no API data for module '%s' (Python %s)", full,
				      an->api->python);
			continue;
		}
		if (nm[0] == '_') {
			if (!(CLS(an, nm) & (K_ESCAPE | K_DYNAMIC)))
				emitf(an, R_PRIVATE, full, al, "'%s' is not public", full);
			continue;
		}
		if (st == MS_PARTIAL || py_listed(an->cfg->deny, an->cfg->n_deny, full))
			continue; /* check.c: import-denied unless an allowed name */
		const struct py_api_module *pm = py_api_module(an->api, m);
		if (!pm)
			emitf(an, R_API_DENIED, m, al, "no API data for module '%s' (Python %s)", m, an->api->python);
		else if (!py_api_has(pm->api, pm->n_api, nm))
			emitf(an, CLS(an, nm) & K_BANNED ? R_BANNED_BUILTIN : R_API_DENIED, full, al,
			      "'%s' is not in the public API of module '%s'", full, m);
	}
}

static void aw_import(struct an *an, const struct node *n)
{
	import_in_class(an, n);
	for (const struct node *al = n->kids[0]; al; al = al->next)
		if (mod_status(an->cfg, al->str) != MS_NO && !py_api_module(an->api, al->str))
			emitf(an, R_API_DENIED, al->str, al, "no API data for module '%s' (Python %s)", al->str,
			      an->api->python);
}

static void aw_assign(struct an *an, const struct node *n)
{
	int all_names = !an->in_body; /* in a class body a name is a class attribute: C.m escapes the checker */
	for (const struct node *t = n->kids[0]; t; t = t->next) {
		if (t->kind == N_NAME)
			hook_check(an, t, t->str, n->kids[1]);
		else
			all_names = 0;
		aw(an, t, U_VALUE);
	}
	aw(an, n->kids[1], all_names ? U_ALIAS : U_VALUE);
}

static void aw(struct an *an, const struct node *n, enum use use)
{
	if (!n || an->oom || an->depth >= MAX_DEPTH)
		return;
	an->depth++;
	switch (n->kind) {
	case N_NAME:
		if (n->ctx == CTX_LOAD)
			value_use(an, n, use);
		break;
	case N_ATTRIBUTE:
		if (!an->types_only && !(use == U_CALLEE && (strcmp(n->str, "__setattr__") == 0 ||
		                                             strcmp(n->str, "__delattr__") == 0)))
			attr_check(an, n, n->kids[0], n->str, n->ctx); /* a call of __setattr__: call_check */
		if (n->ctx == CTX_LOAD)
			value_use(an, n, use);
		aw(an, n->kids[0], U_ATTR);
		break;
	case N_CALL:
		aw_call(an, n);
		value_use(an, n, use);
		break;
	case N_SUBSCRIPT:
		if (!an->types_only)
			subscript_check(an, n);
		aw(an, n->kids[0], U_VALUE);
		aw(an, n->kids[1], U_HARMLESS); /* a key is hashed and compared */
		break;
	case N_COMPARE:
		aw_list(an, n->kids[0], U_HARMLESS);
		aw_list(an, n->kids[1], U_HARMLESS);
		break;
	case N_IF:
	case N_WHILE:
		aw(an, n->kids[0], U_HARMLESS);
		aw_list(an, n->kids[1], U_VALUE);
		aw_list(an, n->kids[2], U_VALUE);
		aw_list(an, n->kids[3], U_VALUE);
		break;
	case N_ASSIGN:
		aw_assign(an, n);
		break;
	case N_ANNASSIGN:
		if (n->kids[0]->kind == N_NAME)
			hook_check(an, n->kids[0], n->kids[0]->str, n->kids[2]);
		check_annotation(an, n->kids[1]);
		aw(an, n->kids[0], U_VALUE);
		aw(an, n->kids[1], U_VALUE);
		aw(an, n->kids[2], n->kids[0]->kind == N_NAME && !an->in_body ? U_ALIAS : U_VALUE);
		break;
	case N_NAMEDEXPR:
		aw(an, n->kids[1], an->in_body ? U_VALUE : U_ALIAS);
		break;
	case N_FUNCDEF:
		aw_func(an, n);
		break;
	case N_LAMBDA: {
		const char *saved = an->self;
		if (an->self && has_param(n->kids[0], an->self))
			an->self = NULL;
		aw_kids(an, n);
		an->self = saved;
		break;
	}
	case N_CLASSDEF:
		aw_class(an, n);
		break;
	case N_IMPORT:
		if (!an->types_only)
			aw_import(an, n);
		break;
	case N_IMPORTFROM:
		if (!an->types_only)
			aw_importfrom(an, n);
		break;
	case N_CONSTANT:
		if ((n->flags & C_STR) && !(n->flags & C_UNKNOWN) && !an->types_only)
			scan_fields(an, n);
		break;
	case N_JOINEDSTR: {
		int outer = !an->fs;
		if (outer) {
			an->fs = 1;
			an->fs_line = n->line;
			an->fs_col = n->col;
		}
		aw_kids(an, n);
		if (outer)
			an->fs = 0;
		break;
	}
	case N_MATCHCLASS:
		aw(an, n->kids[0], U_ISINST);
		aw_list(an, n->kids[1], U_VALUE);
		for (const struct node *i = n->kids[2]; i && !an->types_only; i = i->next)
			object_attr_check(an, i, NULL, i->str, CTX_LOAD, 0); /* not mangled */
		aw_list(an, n->kids[3], U_VALUE);
		break;
	case N_MATCHVALUE:
		aw(an, n->kids[0], U_HARMLESS);
		break;
	case N_UNARYOP:
		aw(an, n->kids[0], U_HARMLESS);
		break;
	default:
		aw_kids(an, n);
		break;
	}
	an->depth--;
}

/* ------------------------------------------------- after the pre-pass */

/* ---- the fixed points, as worklists ---- */

static void push(struct an *an, void *item, int *queued)
{
	if (*queued || an->oom)
		return;
	if (an->n_work == an->cap_work) {
		size_t cap = an->cap_work ? an->cap_work * 2 : 256;
		void **v = aalloc(an, cap * sizeof(*v));
		if (!v)
			return;
		if (an->n_work)
			memcpy(v, an->work, an->n_work * sizeof(*v));
		an->work = v;
		an->cap_work = cap;
	}
	an->work[an->n_work++] = item;
	*queued = 1;
}

/* Each assignment is looked at again when a name in its value changes;
 * each class when a name among its bases does.  n: one node (list: and
 * its siblings). */
static void add_deps(struct an *an, const struct node *n, int list, void *item, int is_class, int depth)
{
	for (; n && depth < 120 && !an->oom; n = list ? n->next : NULL) {
		if (n->kind == N_NAME) {
			struct bind *e = intern(an, MANGLE(an, n->str));
			struct dep *d = e ? aalloc(an, sizeof(*d)) : NULL;
			if (!d)
				return;
			*d = (struct dep){ item, is_class, e->deps };
			e->deps = d;
			continue;
		}
		if (n->kind == N_LAMBDA || n->kind == N_LISTCOMP || n->kind == N_SETCOMP || n->kind == N_DICTCOMP ||
		    n->kind == N_GENEXP)
			continue; /* nothing a type expression or an alias looks into */
		for (int i = 0; i < 4; i++)
			add_deps(an, n->kids[i], 1, item, is_class, depth + 1);
	}
}

static void build_deps(struct an *an)
{
	for (struct assign *as = an->assigns; as && !an->oom; as = as->next) {
		const struct cls *saved = an->cur;
		an->cur = as->scope;
		add_deps(an, as->value, 0, as, 0, 0);
		an->cur = saved;
	}
	for (size_t i = 0; i < an->n_cls && !an->oom; i++) {
		const struct cls *saved = an->cur;
		an->cur = an->cls[i]->outer;
		add_deps(an, an->cls[i]->node->kids[1], 1, an->cls[i], 1, 0);
		an->cur = saved;
	}
}

static void push_deps(struct an *an, const struct bind *e, int classes)
{
	for (const struct dep *d = e->deps; d; d = d->next)
		if (d->is_class == classes)
			push(an, d->item, d->is_class ? &((struct cls *)d->item)->queued : &((struct assign *)d->item)->queued);
}

/* Simple assignments of modules and members: name = os, md = make_dataclass */
static void propagate_aliases(struct an *an)
{
	for (struct assign *as = an->assigns; as; as = as->next)
		push(an, as, &as->queued);
	while (an->n_work && !an->oom) {
		struct assign *as = an->work[--an->n_work];
		as->queued = 0;
		const struct cls *saved = an->cur;
		an->cur = as->scope;
		struct vals v;
		resolve(an, as->value, &v);
		an->cur = saved;
		if (!v.nmod && !v.nmem && !v.over)
			continue;
		struct bind *e = intern(an, as->target);
		if (e && vmerge(&e->v, &v))
			push_deps(an, e, 0);
	}
}

static int is_enum_member(const struct an *an, const struct vals *v)
{
	for (unsigned i = 0; i < v->nmem; i++)
		if (starts_with_module(v->mem[i], "enum")) {
			const struct sink *sk = sink_of(v->mem[i]);
			if (sk && sk->check == ck_enum)
				return 1;
		}
	return 0;
}

/* Classes derived from an enum (their call may be the functional API). */
static void mark_enums(struct an *an)
{
	for (size_t i = 0; i < an->n_cls; i++)
		push(an, an->cls[i], &an->cls[i]->queued);
	while (an->n_work && !an->oom) {
		struct cls *c = an->work[--an->n_work];
		c->queued = 0;
		struct bind *e = lookup(an, c->name);
		if (!e || (e->flags & BF_ENUM))
			continue;
		const struct cls *saved = an->cur;
		an->cur = c->outer;
		for (const struct node *b = c->node->kids[1]; b; b = b->next) {
			struct vals v;
			resolve(an, b, &v);
			const struct bind *be = b->kind == N_NAME ? lookup(an, MANGLE(an, b->str)) : NULL;
			if (is_enum_member(an, &v) || (be && (be->flags & BF_ENUM))) {
				e->flags |= BF_ENUM;
				push_deps(an, e, 1);
				break;
			}
		}
		an->cur = saved;
	}
}

/* Does a type expression hold a string (itself, or through a name)? */
static int ste_has_string(struct an *an, const struct node *n, int depth)
{
	if (!n || depth > 100)
		return 0;
	if (n->kind == N_CONSTANT)
		return (n->flags & C_STR) != 0;
	if (n->kind == N_NAME) {
		const struct bind *e = lookup(an, MANGLE(an, n->str));
		return e && (e->flags & BF_STRING);
	}
	if (n->kind == N_ATTRIBUTE)
		return 0;
	for (int i = 0; i < 4; i++)
		for (const struct node *k = n->kids[i]; k; k = k->next)
			if (ste_has_string(an, k, depth + 1))
				return 1;
	return 0;
}

/* Type factories: a name assigned from one of them holds a type. */
static int type_factory(struct an *an, const struct node *value)
{
	if (value->kind != N_CALL)
		return 0;
	struct vals v;
	resolve(an, value->kids[0], &v);
	static const char *const factories[] = {
		"typing.TypeVar", "typing.NewType", "typing.ParamSpec", "typing.TypeVarTuple", "typing.NamedTuple",
		"typing.TypedDict", "collections.namedtuple", "dataclasses.make_dataclass", "builtins.type", NULL,
	};
	for (unsigned i = 0; i < v.nmem; i++)
		if (in_strlist(factories, v.mem[i]))
			return 1;
	return is_enum_member(an, &v);
}

/* Which names may hold something that is not a type: bound otherwise
 * than by class, def, import or an assignment of a type expression (or a
 * type factory's result), to a fixed point. */
static void mark_nontypes(struct an *an)
{
	for (size_t i = 0; i < an->cap_b; i++)
		if (an->b[i].name && (an->b[i].flags & BF_OTHER))
			an->b[i].flags |= BF_NONTYPE;
	for (struct assign *as = an->assigns; as; as = as->next)
		push(an, as, &as->queued);
	while (an->n_work && !an->oom) {
		struct assign *as = an->work[--an->n_work];
		as->queued = 0;
		struct bind *e = lookup(an, as->target);
		if (!e || (e->flags & BF_NONTYPE))
			continue;
		const struct cls *saved = an->cur;
		an->cur = as->scope;
		int ok = type_factory(an, as->value) || !ste_bad(an, as->value, 0);
		int str = ok && !(e->flags & BF_STRING) && ste_has_string(an, as->value, 0);
		an->cur = saved;
		if (!ok || str) {
			e->flags |= ok ? BF_STRING : BF_NONTYPE;
			push_deps(an, e, 0);
		}
	}
}

/* Without API data only annotations and the sinks that run strings as
 * code are checked: a source with no annotation and no import of the
 * modules those sinks live in has nothing to check. */
static int needs_types(const struct node *n, int depth)
{
	static const char *const mods[] = { "dataclasses", "typing", "timeit", "typing_extensions", NULL };
	for (; n; n = n->next) {
		if (depth > MAX_DEPTH)
			return 1;
		switch (n->kind) {
		case N_ANNASSIGN:
			return 1;
		case N_ARG:
			if (n->kids[0])
				return 1;
			break;
		case N_FUNCDEF:
			if (n->kids[2])
				return 1;
			break;
		case N_IMPORT:
			for (const struct node *al = n->kids[0]; al; al = al->next)
				for (const char *const *m = mods; *m; m++)
					if (py_name_matches(al->str, *m))
						return 1;
			continue;
		case N_IMPORTFROM:
			for (const char *const *m = mods; *m; m++)
				if (n->str && py_name_matches(n->str, *m))
					return 1;
			continue;
		case N_CONSTANT:
		case N_NAME:
			continue;
		default:
			break;
		}
		for (int i = 0; i < 4; i++)
			if (needs_types(n->kids[i], depth + 1))
				return 1;
	}
	return 0;
}

int py_api_check(const struct checkcfg *cfg, const struct name_tab *tab, struct arena *a, const struct node *mod,
                 const struct token *toks, finding_fn fn, void *ud)
{
	if (!cfg->api && !needs_types(mod->kids[0], 0))
		return 0;
	struct an an = { .cfg = cfg, .api = cfg->api, .tab = tab, .a = a, .fn = fn, .ud = ud, .toks = toks,
		         .types_only = cfg->api == NULL };
	while (toks && toks[an.ntoks].type != TK_ENDMARKER)
		an.ntoks++;
	an.at_module = 1;
	collect_list(&an, mod->kids[0]);
	if (!an.oom) {
		build_deps(&an);
		propagate_aliases(&an);
		mark_enums(&an);
		mark_nontypes(&an);
	}
	an.cur = NULL;
	an.self = NULL;
	an.in_body = 0;
	an.at_module = 1;
	an.depth = 0;
	if (!an.oom)
		aw_list(&an, mod->kids[0], U_VALUE);
	return an.oom ? -1 : 0;
}
