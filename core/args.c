/*
 * core/args.c - strict parsing of typed scalars and validation of a module's
 * declared arguments.  Every malformed value is an error naming the node.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int parse_int(const char *s, int64_t *out)
{
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	for (const char *q = p; *q; q++)
		if (*q < '0' || *q > '9')
			return -1;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int parse_bool(const struct cordon_node *n, int *out)
{
	if (!n || n->type != CORDON_NODE_SCALAR || !n->plain)
		return -1;
	static const char *const yes[] = { "true", "True", "TRUE" };
	static const char *const no[] = { "false", "False", "FALSE" };
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcmp(n->text, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcmp(n->text, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* Digits, then an optional fraction; returns the value scaled by 1e9 in
 * *nano (integer part * 1e9 + fraction) and the rest of the string. */
static int parse_decimal(const char **sp, uint64_t *whole, uint64_t *frac_nano)
{
	const char *s = *sp;
	if (*s < '0' || *s > '9')
		return -1;
	uint64_t w = 0;
	while (*s >= '0' && *s <= '9') {
		unsigned d = (unsigned)(*s - '0');
		if (w > (UINT64_MAX - d) / 10)
			return -1;
		w = w * 10 + d;
		s++;
	}
	uint64_t f = 0;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -1;
		uint64_t scale = 100000000; /* first fractional digit is 1e8 nano */
		while (*s >= '0' && *s <= '9') {
			f += (uint64_t)(*s - '0') * scale;
			scale /= 10;
			s++;
		}
	}
	*whole = w;
	*frac_nano = f;
	*sp = s;
	return 0;
}

/* value * mult where the value is whole + frac/1e9; -1 on overflow. */
static int scale_value(uint64_t whole, uint64_t frac_nano, uint64_t mult, uint64_t *out)
{
	if (whole && mult > UINT64_MAX / whole)
		return -1;
	uint64_t v = whole * mult;
	/* frac_nano < 1e9, so frac_nano * (mult / 1e9 part) fits when done in
	 * two steps. */
	uint64_t hi = mult / 1000000000u, lo = mult % 1000000000u;
	if (hi && frac_nano > UINT64_MAX / hi)
		return -1;
	uint64_t add = frac_nano * hi + (frac_nano * lo) / 1000000000u;
	if (v > UINT64_MAX - add)
		return -1;
	*out = v + add;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	if (strcmp(s, "unlimited") == 0 || strcmp(s, "infinity") == 0) {
		*out = CORDON_UNLIMITED;
		return 0;
	}
	uint64_t whole, frac;
	if (parse_decimal(&s, &whole, &frac) < 0)
		return -1;
	uint64_t mult = 1;
	switch (*s) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mult = 1ull << 10;
		s++;
		break;
	case 'M':
		mult = 1ull << 20;
		s++;
		break;
	case 'G':
		mult = 1ull << 30;
		s++;
		break;
	case 'T':
		mult = 1ull << 40;
		s++;
		break;
	case 'B':
		break;
	default:
		return -1;
	}
	/* Optional "iB" or "B" after a prefix; a bare "B" after digits. */
	if (mult > 1 && s[0] == 'i' && s[1] == 'B')
		s += 2;
	else if (s[0] == 'B')
		s++;
	if (*s)
		return -1;
	if (mult == 1 && frac)
		return -1; /* fractional bytes */
	uint64_t v;
	if (scale_value(whole, frac, mult, &v) < 0 || v == CORDON_UNLIMITED)
		return -1;
	*out = v;
	return 0;
}

int parse_duration(const char *s, uint64_t *ns)
{
	if (strcmp(s, "unlimited") == 0 || strcmp(s, "infinity") == 0) {
		*ns = CORDON_UNLIMITED;
		return 0;
	}
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = {
		/* longest first so that "ms" is not read as "m" */
		{ "min", 60000000000ull }, { "ns", 1ull }, { "us", 1000ull },
		{ "ms", 1000000ull },      { "s", 1000000000ull }, { "m", 60000000000ull },
		{ "h", 3600000000000ull }, { "d", 86400000000000ull },
	};
	uint64_t total = 0;
	int groups = 0;
	while (*s) {
		uint64_t whole, frac;
		if (parse_decimal(&s, &whole, &frac) < 0)
			return -1;
		uint64_t mult = 0;
		if (*s == '\0' && groups == 0) {
			mult = 1000000000ull; /* a bare number is seconds */
		} else {
			for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
				size_t ul = strlen(units[i].unit);
				if (strncmp(s, units[i].unit, ul) == 0 &&
				    !(s[ul] >= 'a' && s[ul] <= 'z')) {
					mult = units[i].ns;
					s += ul;
					break;
				}
			}
			if (!mult)
				return -1;
		}
		uint64_t v;
		if (scale_value(whole, frac, mult, &v) < 0 || v > UINT64_MAX - 1 - total)
			return -1;
		total += v;
		groups++;
		while (*s == ' ')
			s++;
	}
	if (!groups)
		return -1;
	*ns = total;
	return 0;
}

static const char *arg_type_expect(enum cordon_arg_type t)
{
	switch (t) {
	case CORDON_ARG_STRING:
		return "a string";
	case CORDON_ARG_STRINGS:
		return "a string or a list of strings";
	case CORDON_ARG_INT:
		return "an integer";
	case CORDON_ARG_BOOL:
		return "true or false";
	case CORDON_ARG_SIZE:
		return "a size such as 4096, 64K, 256M, 2G or unlimited";
	case CORDON_ARG_DURATION:
		return "a duration such as 500ms, 5s, 2m, 1h or unlimited";
	case CORDON_ARG_MAPPING:
		return "a mapping";
	case CORDON_ARG_SEQUENCE:
		return "a list";
	case CORDON_ARG_ANY:
		return "a value";
	case CORDON_ARG_ENUM:
		return "one of the module's choices";
	case CORDON_ARG_PATH:
		return "a path";
	}
	return "a value";
}

static int scalar_or_err(const char *module, const struct cordon_arg *spec, const struct cordon_node *n, char **err)
{
	if (n->type != CORDON_NODE_SCALAR)
		return err_at(err, n, "%s: %s: expected %s, found %s", module, spec->name,
		              arg_type_expect(spec->type), node_type_name(n));
	return 0;
}

static int bounds_err(const char *module, const struct cordon_arg *spec, const struct cordon_node *n, char **err,
                      const char *unit)
{
	return err_at(err, n, "%s: %s: %s is out of range (%lld%s to %lld%s)", module, spec->name, n->text,
	              (long long)spec->min, unit, (long long)spec->max, unit);
}

int arg_validate(const char *module, const struct cordon_arg *spec, const struct cordon_node *n, char **err)
{
	switch (spec->type) {
	case CORDON_ARG_STRING:
		if (scalar_or_err(module, spec, n, err) < 0)
			return -1;
		if (n->plain && n->len == 0)
			return err_at(err, n, "%s: %s: expected %s, found an empty value", module, spec->name,
			              arg_type_expect(spec->type));
		return 0;
	case CORDON_ARG_STRINGS:
		if (n->type == CORDON_NODE_SCALAR)
			return scalar_or_err(module, spec, n, err);
		if (n->type != CORDON_NODE_SEQUENCE)
			return err_at(err, n, "%s: %s: expected %s, found %s", module, spec->name,
			              arg_type_expect(spec->type), node_type_name(n));
		for (size_t i = 0; i < n->n; i++)
			if (n->items[i]->type != CORDON_NODE_SCALAR)
				return err_at(err, n->items[i], "%s: %s: expected a string, found %s",
				              module, spec->name, node_type_name(n->items[i]));
		return 0;
	case CORDON_ARG_INT: {
		if (scalar_or_err(module, spec, n, err) < 0)
			return -1;
		int64_t v;
		if (parse_int(n->text, &v) < 0)
			return err_at(err, n, "%s: %s: expected an integer, found '%s'", module, spec->name, n->text);
		if ((spec->min || spec->max) && (v < spec->min || v > spec->max))
			return bounds_err(module, spec, n, err, "");
		return 0;
	}
	case CORDON_ARG_BOOL: {
		int b;
		if (parse_bool(n, &b) < 0)
			return err_at(err, n, "%s: %s: expected true or false, found %s%s%s", module, spec->name,
			              n->type == CORDON_NODE_SCALAR ? "'" : "",
			              n->type == CORDON_NODE_SCALAR ? n->text : node_type_name(n),
			              n->type == CORDON_NODE_SCALAR ? "'" : "");
		return 0;
	}
	case CORDON_ARG_SIZE:
	case CORDON_ARG_DURATION: {
		if (scalar_or_err(module, spec, n, err) < 0)
			return -1;
		uint64_t v;
		int r = spec->type == CORDON_ARG_SIZE ? parse_size(n->text, &v)
		                                      : parse_duration(n->text, &v);
		if (r < 0)
			return err_at(err, n, "%s: %s: expected %s, found '%s'", module, spec->name,
			              arg_type_expect(spec->type), n->text);
		if (spec->min || spec->max) {
			if (v == CORDON_UNLIMITED)
				return err_at(err, n, "%s: %s: must be a finite value", module, spec->name);
			if (v < (uint64_t)spec->min || v > (uint64_t)spec->max) {
				if (spec->type == CORDON_ARG_SIZE)
					return bounds_err(module, spec, n, err, " bytes");
				return err_at(err, n, "%s: %s: %s is out of range (%.3fs to %.3fs)", module, spec->name,
				              n->text, (double)spec->min / 1e9, (double)spec->max / 1e9);
			}
		}
		return 0;
	}
	case CORDON_ARG_MAPPING:
		if (n->type != CORDON_NODE_MAPPING)
			return err_at(err, n, "%s: %s: expected a mapping, found %s", module, spec->name,
			              node_type_name(n));
		return 0;
	case CORDON_ARG_SEQUENCE:
		if (n->type != CORDON_NODE_SEQUENCE)
			return err_at(err, n, "%s: %s: expected a list, found %s", module, spec->name,
			              node_type_name(n));
		return 0;
	case CORDON_ARG_ANY:
		return 0;
	case CORDON_ARG_ENUM:
	case CORDON_ARG_PATH:
		break; /* config tables check these as strings (config_table_load) */
	}
	return err_at(err, n, "%s: %s: the module declares an unknown argument type", module, spec->name);
}

int args_validate(const char *module, const struct cordon_arg *specs,
                  const struct cordon_node *with, const struct mark *entry, char **err)
{
	if (!with)
		goto required;
	if (with->type != CORDON_NODE_MAPPING) {
		if (with->type == CORDON_NODE_SCALAR && with->plain && with->len == 0)
			goto required; /* `with:` left empty */
		return err_at(err, with, "with: expected a mapping of arguments for module '%s', found %s",
		              module, node_type_name(with));
	}
	if (!specs && with->n)
		return err_at(err, with->items[0], "module '%s' takes no arguments", module);
	for (size_t i = 0; i < with->n; i++) {
		const struct cordon_node *k = with->items[2 * i];
		const struct cordon_arg *spec = NULL;
		for (const struct cordon_arg *a = specs; a && a->name; a++)
			if (strcmp(a->name, k->text) == 0)
				spec = a;
		if (!spec) {
			struct strbuf names = { 0 };
			for (const struct cordon_arg *a = specs; a && a->name; a++)
				sb_printf(&names, "%s%s", names.len ? ", " : "", a->name);
			err_at(err, k, "unknown argument '%s' for module '%s' (expected one of: %s)",
			       k->text, module, names.data ? names.data : "");
			sb_free(&names);
			return -1;
		}
		if (arg_validate(module, spec, with->items[2 * i + 1], err) < 0)
			return -1;
	}
required:
	for (const struct cordon_arg *a = specs; a && a->name; a++) {
		if ((a->flags & CORDON_ARG_REQUIRED) && !node_get(with, a->name)) {
			struct cordon_node tmp = { .mark = *entry };
			return err_at(err, with ? with : &tmp, "module '%s' needs argument '%s' (%s)",
			              module, a->name, arg_type_expect(a->type));
		}
	}
	return 0;
}

/* ---- ABI 1.4 config tables: checked at load, filled before open ---- */

/* The C size of a config member of type t (0: not a type of config tables). */
static size_t config_member_size(enum cordon_arg_type t)
{
	switch (t) {
	case CORDON_ARG_STRING:
	case CORDON_ARG_PATH:
	case CORDON_ARG_STRINGS:
	case CORDON_ARG_MAPPING:
	case CORDON_ARG_SEQUENCE:
	case CORDON_ARG_ANY:
		return sizeof(void *);
	case CORDON_ARG_INT:
		return sizeof(int64_t);
	case CORDON_ARG_BOOL:
	case CORDON_ARG_ENUM:
		return sizeof(int);
	case CORDON_ARG_SIZE:
	case CORDON_ARG_DURATION:
		return sizeof(uint64_t);
	}
	return 0;
}

#define CONFIG_ARG_SIZE_1_4 (offsetof(struct cordon_config_arg, choices) + sizeof(const char *const *))
#define CONFIG_MAX_ARGS 256

int config_table_load(struct loaded_module *lm, char **err)
{
	const struct cordon_module *m = lm->m;
	if (!module_has(m, offsetof(struct cordon_module, config_size)) || !m->config)
		return 0;
	if (m->args)
		return set_err(err, "%s: module '%s' declares both args and a config table (one or the other)", lm->path,
		               m->name);
	const unsigned char *p = (const unsigned char *)m->config;
	size_t n = 0;
	const struct cordon_config_arg **v = NULL;
	struct cordon_arg *args = NULL;
	for (;;) {
		const struct cordon_config_arg *a = (const struct cordon_config_arg *)(const void *)p;
		if (a->size < CONFIG_ARG_SIZE_1_4 || a->size > 4096 || a->size % sizeof(void *))
			goto bad_size;
		if (!a->name)
			break;
		if (n >= CONFIG_MAX_ARGS) {
			set_err(err, "%s: module '%s' declares more than %d arguments", lm->path, m->name, CONFIG_MAX_ARGS);
			goto fail;
		}
		size_t ms = config_member_size(a->type);
		if (!ms || a->offset > m->config_size || m->config_size - a->offset < ms) {
			set_err(err, "%s: module '%s', argument '%s': %s", lm->path, m->name, a->name,
			        !ms ? "an unknown type" : "its member lies outside the config struct (config_size)");
			goto fail;
		}
		if (a->offset % ms) {
			set_err(err, "%s: module '%s', argument '%s': its member is not aligned for its type", lm->path,
			        m->name, a->name);
			goto fail;
		}
		if (a->type == CORDON_ARG_ENUM && (!a->choices || !a->choices[0])) {
			set_err(err, "%s: module '%s', argument '%s': an enumeration without choices", lm->path, m->name,
			        a->name);
			goto fail;
		}
		const struct cordon_config_arg **nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv)
			goto oom;
		v = nv;
		v[n++] = a;
		p += a->size;
	}
	args = calloc(n + 1, sizeof(*args));
	if (!args)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		args[i].name = v[i]->name;
		/* An enumeration and a path are checked as strings here, then
		 * by config_fill (choices, resolution). */
		args[i].type = v[i]->type == CORDON_ARG_ENUM || v[i]->type == CORDON_ARG_PATH ? CORDON_ARG_STRING
		                                                                              : v[i]->type;
		args[i].flags = v[i]->flags;
		args[i].min = v[i]->min;
		args[i].max = v[i]->max;
		args[i].help = v[i]->help;
	}
	lm->cfg = v;
	lm->n_cfg = n;
	lm->own_args = args;
	lm->args = args;
	return 0;
bad_size:
	set_err(err, "%s: module '%s': a config table entry of a size this cordon does not know (ABI 1.4 entries "
	             "are %zu bytes; the table ends with CORDON_CONFIG_END)",
	        lm->path, m->name, (size_t)CONFIG_ARG_SIZE_1_4);
	goto fail;
oom:
	set_err(err, "out of memory");
fail:
	free(v);
	free(args);
	return -1;
}

/* The value of one entry from node n (or, when n is NULL, from its default
 * text), stored at its offset.  who: for errors about a default. */
static int config_store(struct entry *e, const struct cordon_config_arg *a, const struct cordon_node *n, char **err)
{
	const char *module = e->lm.m->name;
	unsigned char *dst = (unsigned char *)e->config + a->offset;
	const char *text = n ? (n->type == CORDON_NODE_SCALAR ? n->text : NULL) : a->def;
	struct mark m = n ? n->mark : e->mark;
	int64_t iv;
	uint64_t uv;
	int b;
	switch (a->type) {
	case CORDON_ARG_STRING:
		memcpy(dst, &text, sizeof(text));
		return 0;
	case CORDON_ARG_PATH: {
		/* Relative to the file the value was written in (an override's
		 * own file, not the included entry's), as node_path does; a
		 * default, to the entry's. */
		char *abs = NULL;
		if (n && !text[0]) /* a quoted "" (the check refuses a bare empty value) */
			return err_at(err, n, "%s: %s: expected a path, found an empty value", module, a->name);
		if (text[0] == '/') {
			abs = xstrdup(text);
		} else if (n) {
			char *real = realpath(n->mark.file, NULL);
			char *slash = real ? strrchr(real, '/') : NULL;
			if (!slash) {
				free(real);
				return err_at(err, n, "%s: %s: a relative path needs a policy file to be relative to", module,
				              a->name);
			}
			*slash = '\0';
			abs = xasprintf("%s/%s", real, text);
			free(real);
		} else {
			abs = e->policy_dir ? xasprintf("%s/%s", e->policy_dir, text) : xstrdup(text);
		}
		if (!abs || strv_push_owned(&e->owned, abs) < 0)
			return set_err(err, "out of memory");
		const char *c = e->owned.v[e->owned.n - 1];
		memcpy(dst, &c, sizeof(c));
		return 0;
	}
	case CORDON_ARG_STRINGS: {
		size_t k = !n ? 0 : n->type == CORDON_NODE_SEQUENCE ? n->n : 1;
		if (!n && text)
			k = 1; /* a default: one string */
		const char **arr = calloc(k + 1, sizeof(*arr));
		void **na = arr ? realloc(e->config_allocs, (e->n_config_allocs + 1) * sizeof(void *)) : NULL;
		if (!na) {
			free(arr);
			return set_err(err, "out of memory");
		}
		e->config_allocs = na;
		e->config_allocs[e->n_config_allocs++] = arr;
		for (size_t i = 0; i < k; i++)
			arr[i] = !n ? text : n->type == CORDON_NODE_SEQUENCE ? n->items[i]->text : n->text;
		memcpy(dst, &arr, sizeof(arr));
		return 0;
	}
	case CORDON_ARG_INT:
		if (parse_int(text, &iv) < 0)
			goto bad_default;
		memcpy(dst, &iv, sizeof(iv));
		return 0;
	case CORDON_ARG_BOOL:
		if (n) {
			if (parse_bool(n, &b) < 0)
				goto bad_default;
		} else if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0) {
			b = text[0] == 't';
		} else {
			goto bad_default;
		}
		memcpy(dst, &b, sizeof(b));
		return 0;
	case CORDON_ARG_SIZE:
	case CORDON_ARG_DURATION:
		if ((a->type == CORDON_ARG_SIZE ? parse_size(text, &uv) : parse_duration(text, &uv)) < 0)
			goto bad_default;
		memcpy(dst, &uv, sizeof(uv));
		return 0;
	case CORDON_ARG_ENUM:
		for (int i = 0; a->choices[i]; i++) {
			if (strcmp(a->choices[i], text) == 0) {
				memcpy(dst, &i, sizeof(i));
				return 0;
			}
		}
		if (!n)
			goto bad_default;
		{
			struct strbuf names = { 0 };
			for (int i = 0; a->choices[i]; i++)
				sb_printf(&names, "%s%s", i ? ", " : "", a->choices[i]);
			int r = err_at(err, n, "%s: %s: expected one of %s, found '%s'", module, a->name,
			               names.data ? names.data : "", text);
			sb_free(&names);
			return r;
		}
	case CORDON_ARG_MAPPING:
	case CORDON_ARG_SEQUENCE:
	case CORDON_ARG_ANY:
		memcpy(dst, &n, sizeof(n));
		return 0;
	}
bad_default:
	/* The node was checked by args_validate: only a default gets here. */
	{
		struct cordon_node tmp = { .mark = m };
		return err_at(err, &tmp, "module '%s' declares a default for '%s' that is not a valid %s: '%s'", module,
		              a->name, a->type == CORDON_ARG_ENUM ? "choice" : "value", text ? text : "(null)");
	}
}

int config_fill(struct entry *e, char **err)
{
	const struct loaded_module *lm = &e->lm;
	if (!lm->cfg)
		return 0;
	e->config = calloc(1, lm->m->config_size ? lm->m->config_size : 1);
	if (!e->config)
		return set_err(err, "out of memory");
	const struct cordon_node *with = e->with && e->with->type == CORDON_NODE_MAPPING ? e->with : NULL;
	for (size_t i = 0; i < lm->n_cfg; i++) {
		const struct cordon_config_arg *a = lm->cfg[i];
		const struct cordon_node *n = with ? node_get(with, a->name) : NULL;
		if (!n && !a->def)
			continue; /* absent, no default: the member stays zero */
		if (config_store(e, a, n, err) < 0)
			return -1;
	}
	return 0;
}
