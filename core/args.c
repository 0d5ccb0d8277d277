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
