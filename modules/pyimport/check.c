/*
 * modules/pyimport/check.c - what pyimport looks for in the AST.  The same
 * rules are written in Python over CPython's ast in
 * tests/reference/pyimport_ref.py; the two must agree on every file of the
 * standard library (modules/pyimport/tests/reference.t).  Change both or
 * neither.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

const char *const rule_names[R_COUNT] = {
	[R_SYNTAX] = "syntax-error",
	[R_TOO_DEEP] = "too-deep",
	[R_CODING] = "coding-cookie",
	[R_NONASCII] = "non-ascii-identifier",
	[R_IMPORT_DENIED] = "import-denied",
	[R_IMPORT_RELATIVE] = "import-relative",
	[R_IMPORT_STAR] = "import-star",
	[R_DYNAMIC_IMPORT] = "dynamic-import",
	[R_BANNED_BUILTIN] = "banned-builtin",
	[R_GETATTR] = "getattr-dynamic",
	[R_ESCAPE_ATTR] = "escape-attribute",
	[R_FORMAT_DYNAMIC] = "format-dynamic",
	[R_UNICODE_NAME] = "unicode-name-escape",
	[R_TOO_LARGE] = "too-large",
	[R_MODULE_ATTR] = "module-attribute",
	[R_STRING_EVAL] = "string-eval",
	[R_API_DENIED] = "api-denied",
	[R_PRIVATE] = "private-name",
	[R_MODULE_VALUE] = "module-value",
	[R_SINK] = "sink",
	[R_CLASS_HOOK] = "class-hook",
	[R_TYPE_EXPR] = "type-expression",
};

/* Attribute names that reach interpreter internals (sandbox escapes). */
static const char *const escape_names[] = {
	"__class__", "__base__", "__bases__", "__mro__", "__subclasses__", "__globals__", "__builtins__",
	"__code__", "__dict__", "__getattribute__", "__self__", "__spec__", "__closure__", "__func__",
	"__defaults__", "__kwdefaults__", "__traceback__", "__objclass__", "__reduce__", "__reduce_ex__",
	"f_back", "f_globals", "f_builtins", "f_locals", "f_code", "gi_frame", "gi_code", "cr_frame",
	"cr_code", "ag_frame", "ag_code", "tb_frame", "tb_next", "_getframe", "__annotations__", NULL,
};
/* Library functions that evaluate strings as code (type hints evaluated
 * from strings: functools.singledispatch's register evaluates annotations). */
static const char *const string_eval_names[] = {
	"get_type_hints", "ForwardRef", "_eval_type", "_evaluate", "singledispatch", "singledispatchmethod",
	"get_annotations", NULL,
};
/* Names that load or reach modules by name at run time. */
static const char *const dynamic_names[] = {
	"__import__", "__loader__", "load_module", "exec_module", "import_module", NULL,
};
/* Builtins denied however they are referenced. */
static const char *const banned_names[] = {
	"eval", "exec", "compile", "open", "input", "breakpoint", "globals", "locals", "vars", "help",
	"__build_class__", NULL,
};
static const char *const getattr_names[] = { "getattr", "setattr", "delattr", NULL };
static const char *const attrgetter_names[] = { "attrgetter", "methodcaller", NULL };
static const char *const format_names[] = { "format", "format_map", "vformat", NULL };
/* Modules that reach the system or the interpreter's internals: an
 * attribute of that name (random._os, dataclasses.inspect, typing.sys)
 * hands the module over without an import. */
static const char *const dangerous_modules[] = {
	"os", "posix", "nt", "sys", "subprocess", "shutil", "socket", "ctypes", "inspect", "importlib", "builtins",
	"gc", "signal", "pty", "io", "pathlib", "tempfile", "multiprocessing", "threading", "thread", "asyncio",
	"pickle", "marshal", "code", "codeop", "runpy", "imp", "zipimport", "pkgutil", "types", NULL,
};
/* Modules whose import is a dynamic import in itself. */
static const char *const dynamic_modules[] = { "importlib", "imp", "runpy", "zipimport", "pkgutil", NULL };

#define MAX_FINDINGS 5000
#define MAX_WALK_DEPTH 3000

static int in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (strcmp(*l, s) == 0)
			return 1;
	return 0;
}

/* What a name is to the checks: a bit set over the lists above (K_*,
 * api.h), found in one hash lookup (every identifier of the source is
 * looked up). */
#define NAME_TAB 256u
#define NAME_MAXLEN 31u /* longest name the quick rejection covers */

struct name_tab {
	const char *name[NAME_TAB];
	unsigned cls[NAME_TAB];
	/* quick rejection: bit (first character & 63) of first[length] is set
	 * when some listed name of that length starts with that character */
	uint64_t first[NAME_MAXLEN + 1];
	int any_long; /* some listed name is longer than NAME_MAXLEN */
};

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void tab_add(struct name_tab *t, const char *const *l, unsigned cls)
{
	for (; *l; l++) {
		uint32_t i = name_hash(*l) & (NAME_TAB - 1);
		while (t->name[i] && strcmp(t->name[i], *l) != 0)
			i = (i + 1) & (NAME_TAB - 1);
		t->name[i] = *l;
		t->cls[i] |= cls;
		size_t len = strlen(*l);
		if (len > NAME_MAXLEN)
			t->any_long = 1; /* no quick rejection for long names */
		else
			t->first[len] |= 1ull << ((unsigned char)(*l)[0] & 63);
	}
}

static const char *const modules_name[] = { "modules", NULL };

static void tab_init(struct name_tab *t)
{
	memset(t, 0, sizeof(*t));
	tab_add(t, escape_names, K_ESCAPE);
	tab_add(t, dynamic_names, K_DYNAMIC);
	tab_add(t, banned_names, K_BANNED);
	tab_add(t, getattr_names, K_GETATTR);
	tab_add(t, attrgetter_names, K_ATTRGETTER);
	tab_add(t, format_names, K_FORMAT);
	tab_add(t, modules_name, K_MODULES);
	tab_add(t, string_eval_names, K_STRING_EVAL);
	tab_add(t, dangerous_modules, K_DANGER_MODULE);
}

/* The class of s, n = strnlen(s, NAME_MAXLEN + 1) or, when known, its
 * length. */
static unsigned name_class_n(const struct name_tab *t, const char *s, size_t n)
{
	if (n > NAME_MAXLEN ? !t->any_long : !(t->first[n] & (1ull << ((unsigned char)s[0] & 63))))
		return 0;
	uint32_t i = name_hash(s) & (NAME_TAB - 1);
	while (t->name[i]) {
		if (strcmp(t->name[i], s) == 0)
			return t->cls[i];
		i = (i + 1) & (NAME_TAB - 1);
	}
	return 0;
}

static unsigned name_class(const struct name_tab *t, const char *s)
{
	return name_class_n(t, s, strnlen(s, NAME_MAXLEN + 1));
}

unsigned py_name_class(const struct name_tab *t, const char *s, size_t n)
{
	return name_class_n(t, s, n);
}

struct walk {
	const struct checkcfg *cfg;
	const struct name_tab *tab;
	finding_fn fn;
	void *ud;
	int depth;
	int fs; /* inside an f-string: positions are the f-string's */
	int fs_line, fs_col;
	int unknown_str; /* inside a string whose value is not known */
	size_t nfind;
	int too_deep;
	/* quick rejection for the deny list's entries, as in struct name_tab */
	uint64_t deny_first[NAME_MAXLEN + 1];
	int deny_long;
};

static void emitf(struct walk *w, enum rule_id r, const char *name, const struct node *n, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* every message names the offending identifier or module once */
#define emit(w, r, name, n, fmt) emitf(w, r, name, n, fmt, name)
#define CLS(w, s) name_class((w)->tab, (s))
/* sensitive names: a getattr/attrgetter with one of these as a literal is denied */
#define SENSITIVE(w, s) (CLS(w, s) & K_SENSITIVE)

static void emitf(struct walk *w, enum rule_id r, const char *name, const struct node *n, const char *fmt, ...)
{
	if (w->nfind >= MAX_FINDINGS)
		return;
	w->nfind++;
	char msg[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	int line = w->fs ? w->fs_line : n->line;
	int col = w->fs ? w->fs_col : n->col;
	w->fn(w->ud, r, name, line, col, msg);
}

/* identifier anywhere (Name, def, argument, keyword, alias, global, match capture) */
static void ident_cls(struct walk *w, const char *s, unsigned cls, const struct node *at)
{
	if (cls & K_ESCAPE)
		emit(w, R_ESCAPE_ATTR, s, at, "'%s' reaches interpreter internals");
	else if (cls & K_DYNAMIC)
		emit(w, R_DYNAMIC_IMPORT, s, at, "'%s' imports or loads modules at run time");
}

static void check_ident(struct walk *w, const char *s, const struct node *at)
{
	if (s)
		ident_cls(w, s, CLS(w, s), at);
}

/* a name used to look up an attribute (x.NAME, from m import NAME, case C(NAME=...)) */
#define listed py_listed

/* An attribute named after a dangerous or denied module (leading
 * underscores aside: random._os), unless allowlist mode allows it.  cls is
 * the name class of s. */
static int module_attr(const struct walk *w, const char *s, unsigned cls)
{
	if (*s == '_') {
		while (*s == '_')
			s++;
		if (!*s)
			return 0;
		cls = CLS(w, s);
	}
	const struct checkcfg *c = w->cfg;
	int hit = (cls & K_DANGER_MODULE) != 0;
	if (!hit && c->n_deny) {
		size_t n = strnlen(s, NAME_MAXLEN + 1);
		if (n > NAME_MAXLEN ? w->deny_long : (w->deny_first[n] & (1ull << ((unsigned char)s[0] & 63))) != 0)
			for (size_t i = 0; !hit && i < c->n_deny; i++)
				hit = strcmp(c->deny[i], s) == 0;
	}
	if (hit && c->allowlist && listed(c->allow, c->n_allow, s) && !listed(c->deny, c->n_deny, s))
		hit = 0;
	return hit;
}

/* Denylist mode under an isolation runs the annotation closure of api.c
 * (without API data): see string_eval. */
static int types_closed(const struct checkcfg *c)
{
	return !c->api && c->contained && !c->allowlist;
}

/* With API data (or with the closure alone, above), the names that evaluate annotations (get_type_hints,
 * singledispatch's register, ForwardRef) are safe to call: every
 * annotation the code can make is a checked type expression (api.c); the
 * ones left (get_annotations, _eval_type, _evaluate) stay string-eval. */
static int string_eval(const struct walk *w, const char *s, unsigned cls)
{
	if (!(cls & K_STRING_EVAL))
		return 0;
	if (!w->cfg->api && !types_closed(w->cfg))
		return 1;
	static const char *const closed[] = { "get_type_hints", "singledispatch", "singledispatchmethod",
		                              "ForwardRef", NULL };
	return !in_list(closed, s);
}

static void attrlike_cls(struct walk *w, const char *s, unsigned cls, const struct node *at)
{
	if (module_attr(w, s, cls))
		emit(w, R_MODULE_ATTR, s, at, "attribute '%s' names a module that is not allowed");
	if (string_eval(w, s, cls))
		emit(w, R_STRING_EVAL, s, at, "'%s' evaluates strings as code");
	else if (cls & K_MODULES)
		emit(w, R_DYNAMIC_IMPORT, s, at, "'%s' reaches the loaded modules (sys.modules)");
	else
		ident_cls(w, s, cls, at);
}

static void check_attrlike(struct walk *w, const char *s, const struct node *at)
{
	if (s)
		attrlike_cls(w, s, CLS(w, s), at);
}

static int known_str(const struct node *n)
{
	return n && n->kind == N_CONSTANT && (n->flags & C_STR) && !(n->flags & C_UNKNOWN);
}

/* str.format fields in a literal: every '.NAME' inside '{...}' */
static void scan_format(struct walk *w, const struct node *n)
{
	const char *s = n->str;
	size_t len = n->slen;
	for (size_t i = 0; i < len; i++) {
		const char *b = memchr(s + i, '{', len - i);
		if (!b)
			break;
		i = (size_t)(b - s);
		size_t j = i + 1;
		while (j < len && s[j] != '}') {
			if (s[j] == '.') {
				size_t k = j + 1;
				while (k < len && ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z') ||
				                   (s[k] >= '0' && s[k] <= '9') || s[k] == '_'))
					k++;
				char name[64];
				if (k - j - 1 < sizeof(name)) {
					memcpy(name, s + j + 1, k - j - 1);
					name[k - j - 1] = '\0';
					if ((CLS(w, name) & K_ESCAPE))
						emit(w, R_ESCAPE_ATTR, name, n, "format field reaches '%s'");
					else if ((CLS(w, name) & K_DYNAMIC))
						emit(w, R_DYNAMIC_IMPORT, name, n, "format field reaches '%s'");
				}
				j = k;
				continue;
			}
			j++;
		}
		i = j < len ? j : len;
	}
}

static void check_string(struct walk *w, const struct node *n)
{
	if (!(n->flags & C_STR) || w->unknown_str || (n->flags & C_UNKNOWN))
		return;
	/* a listed name is at most NAME_MAXLEN long and has no NUL */
	if ((n->slen <= NAME_MAXLEN || w->tab->any_long) && !memchr(n->str, 0, n->slen)) {
		if ((CLS(w, n->str) & K_ESCAPE))
			emit(w, R_ESCAPE_ATTR, n->str, n, "string '%s' names an interpreter internal");
		else if ((CLS(w, n->str) & K_DYNAMIC))
			emit(w, R_DYNAMIC_IMPORT, n->str, n, "string '%s' names a dynamic import");
	}
	scan_format(w, n);
}

static void walk(struct walk *w, const struct node *n);

static void walk_list(struct walk *w, const struct node *n)
{
	for (; n; n = n->next)
		walk(w, n);
}

static void walk_kids(struct walk *w, const struct node *n)
{
	for (int i = 0; i < 4; i++)
		walk_list(w, n->kids[i]);
}

/* getattr(x, 'literal') and friends: allowed only with a harmless literal name */
static int getattr_ok(const struct walk *w, const struct node *call, int attrgetter, const char *which)
{
	if (!call)
		return 0;
	const struct node *a = call->kids[1];
	if (!attrgetter) {
		if (!a || a->kind == N_STARRED || !a->next)
			return 0;
		a = a->next;
		return a->kind != N_STARRED && known_str(a) && strlen(a->str) == a->slen && !SENSITIVE(w, a->str);
	}
	if (!a)
		return 0;
	int only_first = strcmp(which, "methodcaller") == 0;
	for (; a; a = only_first ? NULL : a->next) {
		if (a->kind == N_STARRED || !known_str(a) || strlen(a->str) != a->slen)
			return 0;
		/* every dotted part */
		const char *s = a->str;
		while (*s) {
			const char *d = strchr(s, '.');
			size_t l = d ? (size_t)(d - s) : strlen(s);
			char part[128];
			if (l >= sizeof(part))
				return 0;
			memcpy(part, s, l);
			part[l] = '\0';
			if (SENSITIVE(w, part))
				return 0;
			s += l;
			if (*s == '.')
				s++;
		}
	}
	return 1;
}

/* Reading x.__class__ is type(x), which no mode denies: the escape is the
 * step after it (__base__, __mro__, __subclasses__ ...), which stays an
 * escape.  Allowed with API data and in denylist mode under an isolation
 * that contains the program; without either the list stays as it was. */
static int class_read_ok(const struct walk *w, const struct node *n)
{
	return n->ctx == CTX_LOAD && (w->cfg->api || (w->cfg->contained && !w->cfg->allowlist)) &&
	       n->slen == 9 && memcmp(n->str, "__class__", 9) == 0;
}

/* open() in denylist mode under an isolation that contains the program:
 * it reads what the sandbox's view shows and writes where the view is
 * writable (its private /tmp, /output), so it is no escape (README.md,
 * "Isolation"). */
static int open_ok(const struct walk *w, const struct node *n)
{
	return w->cfg->contained && !w->cfg->allowlist && n->slen == 4 && memcmp(n->str, "open", 4) == 0;
}

/* a Name; call is the Call it is the function of, or NULL */
static void walk_name(struct walk *w, const struct node *n, const struct node *call)
{
	const char *s = n->str;
	/* a name's slen is its strlen (identifiers have no NUL) */
	unsigned cls = name_class_n(w->tab, s, n->slen);
	if (cls & (K_ESCAPE | K_DYNAMIC)) {
		if (!class_read_ok(w, n))
			ident_cls(w, s, cls, n);
	} else if (cls & K_BANNED) {
		if (!open_ok(w, n))
			emit(w, R_BANNED_BUILTIN, s, n, "builtin '%s' is not allowed");
	} else if (cls & K_STRING_EVAL) {
		if (string_eval(w, s, cls))
			emit(w, R_STRING_EVAL, s, n, "'%s' evaluates strings as code");
	} else if (cls & K_GETATTR) {
		if (!getattr_ok(w, call, 0, s))
			emit(w, R_GETATTR, s, n, "'%s' with a name that is not a harmless literal");
	} else if (cls & K_ATTRGETTER) {
		if (!getattr_ok(w, call, 1, s))
			emit(w, R_GETATTR, s, n, "'%s' with a name that is not a harmless literal");
	}
}

static void walk_attr(struct walk *w, const struct node *n, const struct node *call)
{
	const char *s = n->str;
	/* a name's slen is its strlen (identifiers have no NUL) */
	unsigned cls = name_class_n(w->tab, s, n->slen);
	if (cls & K_ATTRGETTER) {
		if (!getattr_ok(w, call, 1, s))
			emit(w, R_GETATTR, s, n, "'%s' with a name that is not a harmless literal");
	} else if ((cls & K_FORMAT) && n->ctx == CTX_LOAD) {
		int ok = known_str(n->kids[0]);
		if (!ok && call) {
			const struct node *a = call->kids[1];
			ok = a && a->kind != N_STARRED && known_str(a);
		}
		if (!ok)
			emit(w, R_FORMAT_DYNAMIC, s, n, "'%s' on a format string that is not a literal");
	} else if (!class_read_ok(w, n)) {
		attrlike_cls(w, s, cls, n);
	}
	walk(w, n->kids[0]);
}

int py_name_matches(const char *name, const char *entry)
{
	/* entry matches name itself and every submodule of it */
	size_t l = strlen(entry);
	return strncmp(name, entry, l) == 0 && (name[l] == '\0' || name[l] == '.');
}

int py_listed(char **list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (py_name_matches(name, list[i]))
			return 1;
	return 0;
}

static int module_denied(const struct checkcfg *c, const char *name)
{
	if (py_name_matches(name, "__future__"))
		return 0; /* compiler directives, not modules */
	if (c->api)
		return py_api_import_denied(c, name);
	if (c->allowlist)
		return !listed(c->allow, c->n_allow, name) || listed(c->deny, c->n_deny, name);
	return listed(c->deny, c->n_deny, name);
}

static int first_component_in(const char *name, const char *const *l)
{
	for (; *l; l++)
		if (py_name_matches(name, *l))
			return 1;
	return 0;
}

static void check_module_special(struct walk *w, const char *m, const struct node *at)
{
	if (first_component_in(m, dynamic_modules))
		emit(w, R_DYNAMIC_IMPORT, m, at, "module '%s' imports modules at run time");
	else if (py_name_matches(m, "builtins"))
		emit(w, R_BANNED_BUILTIN, m, at, "module '%s' exposes every builtin");
}

static void walk_import(struct walk *w, const struct node *n)
{
	for (const struct node *a = n->kids[0]; a; a = a->next) {
		check_module_special(w, a->str, a);
		if (module_denied(w->cfg, a->str))
			emit(w, R_IMPORT_DENIED, a->str, a, "import of '%s' is not allowed");
		check_ident(w, a->str2, a);
	}
}

static void walk_importfrom(struct walk *w, const struct node *n)
{
	char rel[300];
	const char *m = n->str;
	if (n->level > 0) {
		int lv = n->level > 200 ? 200 : n->level;
		memset(rel, '.', (size_t)lv);
		snprintf(rel + lv, sizeof(rel) - (size_t)lv, "%s", m ? m : "");
		emit(w, R_IMPORT_RELATIVE, rel, n, "relative import '%s'");
	} else {
		check_module_special(w, m, n);
		if (module_denied(w->cfg, m))
			emit(w, R_IMPORT_DENIED, m, n, "import from '%s' is not allowed");
	}
	for (const struct node *a = n->kids[0]; a; a = a->next) {
		if (strcmp(a->str, "*") == 0) {
			emit(w, R_IMPORT_STAR, n->level > 0 ? rel : m, n, "import * from '%s'");
			continue;
		}
		if (n->level == 0 && !module_denied(w->cfg, m)) {
			size_t l = strlen(m) + 1 + strlen(a->str) + 1;
			char *full = malloc(l);
			if (full) {
				snprintf(full, l, "%s.%s", m, a->str);
				if (module_denied(w->cfg, full))
					emit(w, R_IMPORT_DENIED, full, a, "import of '%s' is not allowed");
				free(full);
			}
		}
		check_attrlike(w, a->str, a);
		check_ident(w, a->str2, a);
	}
}

static void walk(struct walk *w, const struct node *n)
{
	if (!n)
		return;
	if (w->depth >= MAX_WALK_DEPTH) {
		if (!w->too_deep) {
			w->too_deep = 1;
			emit(w, R_TOO_DEEP, "ast", n, "syntax tree deeper than the walk bound (%s)");
		}
		return;
	}
	w->depth++;
	switch (n->kind) {
	case N_NAME:
		walk_name(w, n, NULL);
		break;
	case N_ATTRIBUTE:
		walk_attr(w, n, NULL);
		break;
	case N_CALL: {
		const struct node *f = n->kids[0];
		if (f->kind == N_NAME)
			walk_name(w, f, n);
		else if (f->kind == N_ATTRIBUTE)
			walk_attr(w, f, n);
		else
			walk(w, f);
		walk_list(w, n->kids[1]);
		walk_list(w, n->kids[2]);
		break;
	}
	case N_CONSTANT:
		if ((n->flags & C_UNKNOWN) && !w->fs)
			emit(w, R_UNICODE_NAME, "\\N", n, "string with a '%s{...}' escape: its value cannot be checked");
		check_string(w, n);
		break;
	case N_JOINEDSTR: {
		int outer = !w->fs;
		int saved_unknown = w->unknown_str;
		if (outer) {
			w->fs = 1;
			w->fs_line = n->line;
			w->fs_col = n->col;
			if (n->flags & C_UNKNOWN) {
				emit(w, R_UNICODE_NAME, "\\N", n, "string with a '%s{...}' escape: its value cannot be checked");
				w->unknown_str = 1;
			}
		}
		walk_kids(w, n);
		if (outer) {
			w->fs = 0;
			w->unknown_str = saved_unknown;
		}
		break;
	}
	case N_KEYWORD:
		check_ident(w, n->str, n);
		walk_kids(w, n);
		break;
	case N_ARG:
		check_ident(w, n->str, n);
		walk_kids(w, n);
		break;
	case N_FUNCDEF:
	case N_CLASSDEF:
		check_ident(w, n->str, n);
		walk_kids(w, n);
		break;
	case N_IMPORT:
		walk_import(w, n);
		break;
	case N_IMPORTFROM:
		walk_importfrom(w, n);
		break;
	case N_GLOBAL:
	case N_NONLOCAL:
		for (const struct node *i = n->kids[0]; i; i = i->next)
			check_ident(w, i->str, n);
		break;
	case N_EXCEPTHANDLER:
	case N_MATCHAS:
	case N_MATCHSTAR:
	case N_MATCHMAPPING:
		check_ident(w, n->str, n);
		walk_kids(w, n);
		break;
	case N_TYPEVAR:
	case N_PARAMSPEC:
	case N_TYPEVARTUPLE:
		check_ident(w, n->str, n);
		walk_kids(w, n);
		break;
	case N_MATCHCLASS:
		walk(w, n->kids[0]);
		walk_list(w, n->kids[1]);
		for (const struct node *i = n->kids[2]; i; i = i->next)
			check_attrlike(w, i->str, n);
		walk_list(w, n->kids[3]);
		break;
	default:
		walk_kids(w, n);
		break;
	}
	w->depth--;
}

/* ---- source-level checks: UTF-8, NUL, BOM, coding cookie ---- */

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\f';
}

/* Accepted spellings of UTF-8 in a coding cookie: what Python's codec
 * registry maps to utf-8 or utf-8-sig. */
static int utf8_name(const char *enc, size_t n)
{
	char norm[64];
	size_t o = 0;
	int us = 0;
	if (n >= sizeof(norm))
		return 0;
	/* the tokenizer's own normalisation: utf-8 and utf-8-* are UTF-8 */
	char low[64];
	for (size_t i = 0; i < n; i++) {
		char c = enc[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		low[i] = c == '_' ? '-' : c;
	}
	low[n] = '\0';
	if (strcmp(low, "utf-8") == 0 || strncmp(low, "utf-8-", 6) == 0)
		return 1;
	/* codecs.lookup normalisation: non-alphanumerics (but '.') become '_' */
	for (size_t i = 0; i < n; i++) {
		char c = low[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.';
		if (alnum) {
			if (us && o > 0)
				norm[o++] = '_';
			us = 0;
			norm[o++] = c;
		} else {
			us = 1;
		}
	}
	norm[o] = '\0';
	static const char *const ok[] = { "utf_8", "utf8", "u8", "utf", "utf8_ucs2", "utf8_ucs4", "cp65001",
		                          "utf_8_sig", NULL };
	return in_list(ok, norm);
}

/* After a BOM, CPython's tokenizer accepts only what its own normalisation
 * makes "utf-8": utf-8 and utf-8-anything, in any case, '_' for '-'. */
static int utf8_with_bom(const char *enc, size_t n)
{
	char low[13];
	size_t k = 0;
	for (; k < n && k < 12; k++) {
		char c = enc[k];
		low[k] = c == '_' ? '-' : (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	low[k] = '\0';
	return (n == 5 && strcmp(low, "utf-8") == 0) || strncmp(low, "utf-8-", 6) == 0;
}

/* Look for a coding cookie on physical line [s, e).  Returns 1 and sets
 * enc when found. */
static int cookie(const unsigned char *s, const unsigned char *e, const char **enc, size_t *enclen)
{
	const unsigned char *p = s;
	while (p < e && is_space(*p))
		p++;
	if (p >= e || *p != '#')
		return 0;
	/* ^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+) */
	for (const unsigned char *q = p; q + 7 <= e; q++) {
		if (memcmp(q, "coding", 6) != 0 || (q[6] != ':' && q[6] != '='))
			continue;
		const unsigned char *v = q + 7;
		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
		const unsigned char *ve = v;
		while (ve < e && ((*ve >= 'a' && *ve <= 'z') || (*ve >= 'A' && *ve <= 'Z') || (*ve >= '0' && *ve <= '9') ||
		                  *ve == '_' || *ve == '-' || *ve == '.'))
			ve++;
		if (ve == v)
			continue;
		*enc = (const char *)v;
		*enclen = (size_t)(ve - v);
		return 1;
	}
	return 0;
}

static int blank_line(const unsigned char *s, const unsigned char *e)
{
	while (s < e && is_space(*s))
		s++;
	return s >= e || *s == '#';
}

static const unsigned char *line_end(const unsigned char *s, const unsigned char *end)
{
	while (s < end && *s != '\n' && *s != '\r')
		s++;
	return s;
}

static const unsigned char *next_line(const unsigned char *e, const unsigned char *end)
{
	if (e < end && *e == '\r')
		e++;
	if (e < end && *e == '\n')
		e++;
	return e;
}

/* What a cache keeps between sources: up to 8 MB of arena chunks and a
 * token array of up to a million tokens. */
#define CACHE_ARENA (8u << 20)
#define CACHE_TOKENS (1u << 20)

void py_cache_free(struct py_cache *c)
{
	if (!c)
		return;
	free(c->tab);
	c->tab = NULL;
	arena_free(&c->arena);
	free(c->toks);
	c->toks = NULL;
	c->captoks = 0;
}

static void cache_done(struct py_cache *c)
{
	arena_reset(&c->arena, CACHE_ARENA);
	if (c->captoks > CACHE_TOKENS) {
		free(c->toks);
		c->toks = NULL;
		c->captoks = 0;
	}
}

/* Line and 0-based column of byte offset off (lines end at LF, CR or CRLF). */
static void position(const unsigned char *src, size_t len, size_t off, int *line, int *col)
{
	int l = 1;
	size_t ls = 0;
	for (size_t i = 0; i < off; i++)
		if (src[i] == '\n' || (src[i] == '\r' && !(i + 1 < len && src[i + 1] == '\n'))) {
			l++;
			ls = i + 1;
		}
	*line = l;
	*col = (int)(off - ls);
}

int py_check(const struct checkcfg *cfg, struct py_cache *cache, const unsigned char *src, size_t len,
             finding_fn fn, void *ud)
{
	/* the name table is built once per cache */
	struct name_tab local_tab;
	const struct name_tab *tab = cache ? cache->tab : NULL;
	if (!tab) {
		struct name_tab *t = cache ? malloc(sizeof(*t)) : &local_tab;
		if (!t)
			return -1;
		tab_init(t);
		if (cache)
			cache->tab = t;
		tab = t;
	}
	struct walk w = { .cfg = cfg, .tab = tab, .fn = fn, .ud = ud };
	for (size_t i = 0; i < cfg->n_deny; i++) {
		size_t l = strlen(cfg->deny[i]);
		if (l > NAME_MAXLEN)
			w.deny_long = 1;
		else
			w.deny_first[l] |= 1ull << ((unsigned char)cfg->deny[i][0] & 63);
	}
	char msg[300];
	if (cfg->max_bytes && len > cfg->max_bytes) {
		snprintf(msg, sizeof(msg), "source of %zu bytes is larger than max_bytes (%zu)", len, cfg->max_bytes);
		fn(ud, R_TOO_LARGE, "source", 1, 0, msg);
		return 0;
	}
	int bom = len >= 3 && memcmp(src, "\xef\xbb\xbf", 3) == 0;
	const unsigned char *s = src + (bom ? 3 : 0), *end = src + len;
	/* the coding cookie on line 1, or on line 2 after a blank or comment line */
	const unsigned char *l1e = line_end(s, end);
	const char *enc = NULL;
	size_t enclen = 0;
	int cl = 0;
	if (cookie(s, l1e, &enc, &enclen)) {
		cl = 1;
	} else if (blank_line(s, l1e)) {
		const unsigned char *l2 = next_line(l1e, end);
		if (l2 < end && cookie(l2, line_end(l2, end), &enc, &enclen))
			cl = 2;
	}
	if (cl && !utf8_name(enc, enclen)) {
		char name[80];
		snprintf(name, sizeof(name), "%.*s", (int)(enclen > 60 ? 60 : enclen), enc);
		snprintf(msg, sizeof(msg),
		         "coding cookie '%s': the interpreter would decode the source differently from this check", name);
		fn(ud, R_CODING, name, cl, 0, msg);
		return 0;
	}
	if (cl && bom && !utf8_with_bom(enc, enclen)) {
		/* CPython refuses any other spelling after a BOM */
		char name[80];
		snprintf(name, sizeof(name), "%.*s", (int)(enclen > 60 ? 60 : enclen), enc);
		snprintf(msg, sizeof(msg), "encoding problem: '%s' with BOM", name);
		fn(ud, R_SYNTAX, name, cl, 0, msg);
		return 0;
	}

	/* strict UTF-8 and no NUL bytes, as CPython's reader requires; the
	 * position is worked out only for an error */
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		/* eight ASCII bytes without NUL at a time */
		while (i + 8 <= len) {
			uint64_t v;
			memcpy(&v, src + i, 8);
			if ((v & 0x8080808080808080ull) || ((v - 0x0101010101010101ull) & ~v & 0x8080808080808080ull))
				break;
			i += 8;
		}
		if (i >= len)
			break;
		if (src[i] != 0 && src[i] < 0x80) {
			i++;
			continue;
		}
		int line, col;
		if (src[i] == 0) {
			position(src, len, i, &line, &col);
			fn(ud, R_SYNTAX, "NUL", line, col, "source code cannot contain null bytes");
			return 0;
		}
		size_t l = utf8_decode(src + i, len - i, &cp);
		if (!l) {
			position(src, len, i, &line, &col);
			snprintf(msg, sizeof(msg), "invalid UTF-8 (byte 0x%02x)", src[i]);
			fn(ud, R_SYNTAX, "utf-8", line, col, msg);
			return 0;
		}
		i += l;
	}
	struct py_cache local = { 0 };
	struct py_cache *pc = cache ? cache : &local;
	struct arena *a = &pc->arena;
	/* at most one 80-byte node per source byte, the source's copy, string
	 * values and normalised names: 88 bytes a byte bound what any valid
	 * source takes (parse.c) */
	a->limit = cfg->max_bytes ? (cfg->max_bytes <= SIZE_MAX / 88 ? cfg->max_bytes * 88 : 0) + (64u << 20) : 0;
	arena_reset(a, CACHE_ARENA); /* after the limit: the fast path's end depends on it */
	struct pyerr err = { 0 };
	size_t max_tokens = len + 16;
	struct node *nonascii = NULL;
	int pyver = cfg->pyver ? cfg->pyver : PYV_MIN;
	struct node *mod = py_parse(a, pyver, pyver, s, (size_t)(end - s), cfg->max_depth, max_tokens, &err,
	                            cfg->non_ascii_deny ? &nonascii : NULL, &pc->toks, &pc->captoks);
	int rc = 0;
	if (!mod) {
		if (a->failed && !err.set) {
			rc = -1;
		} else {
			enum rule_id r = strcmp(err.rule ? err.rule : "", "too-deep") == 0 ? R_TOO_DEEP : R_SYNTAX;
			fn(ud, r, r == R_TOO_DEEP ? "depth" : "syntax", err.line, err.col, err.msg);
		}
	} else {
		for (const struct node *id = nonascii; id; id = id->next)
			emit(&w, R_NONASCII, id->str, id, "identifier '%s' is not ASCII (non_ascii: deny)");
		walk_list(&w, mod->kids[0]);
		/* a tree too deep to walk is denied already (too-deep) */
		if ((cfg->api || types_closed(cfg)) && !w.too_deep && py_api_check(cfg, tab, a, mod, pc->toks, fn, ud) < 0)
			rc = -1;
	}
	if (cache)
		cache_done(cache);
	else
		py_cache_free(&local);
	return rc;
}
