/*
 * modules/redact/rules.c - the redaction configuration: rule ids and their
 * replacement texts, user rules (PCRE2) and known secret values in every
 * encoding they are looked for in.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"

#define ID_MAX 64
#define REPL_MAX 256

static int fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(char **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = NULL;
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	free(*err);
	*err = m;
	return -1;
}

bool rd_valid_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		          (i > 0 && (c == '-' || c == '_' || c == '.'));
		if (!ok)
			return false;
	}
	return true;
}

/* The template with every {rule} replaced by id. */
static char *expand(const char *tmpl, const char *id, size_t *len)
{
	size_t tl = strlen(tmpl), il = strlen(id), n = 0;
	for (const char *p = tmpl; (p = strstr(p, "{rule}")); p += 6)
		n++;
	size_t out = tl + n * il + 1; /* il <= ID_MAX, tl <= REPL_MAX: no overflow */
	char *r = malloc(out), *o = r;
	if (!r)
		return NULL;
	for (const char *p = tmpl; *p;) {
		if (strncmp(p, "{rule}", 6) == 0) {
			memcpy(o, id, il);
			o += il;
			p += 6;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	*len = (size_t)(o - r);
	return r;
}

static int add_rule(struct rd_config *c, const char *id, char **err)
{
	for (size_t i = 0; i < c->n_rules; i++)
		if (strcmp(c->rules[i].id, id) == 0)
			return fail(err, "rule id \"%s\" is already used%s", id,
			            i < RB_COUNT ? " by a built-in detector" : "");
	struct rd_rule *nr = realloc(c->rules, (c->n_rules + 1) * sizeof(*nr));
	if (!nr)
		return fail(err, "out of memory");
	c->rules = nr;
	struct rd_rule *r = &c->rules[c->n_rules];
	r->id = strdup(id);
	r->repl = expand(c->replacement, id, &r->repl_len);
	if (!r->id || !r->repl) {
		free(r->id);
		free(r->repl);
		return fail(err, "out of memory");
	}
	return (int)c->n_rules++;
}

struct rd_config *rd_config_new(const char *replacement, char **err)
{
	if (!replacement)
		replacement = "[REDACTED:{rule}]";
	if (strlen(replacement) > REPL_MAX) {
		fail(err, "replacement: longer than %d bytes", REPL_MAX);
		return NULL;
	}
	if (strchr(replacement, '\n')) {
		fail(err, "replacement: must be one line");
		return NULL;
	}
	struct rd_config *c = calloc(1, sizeof(*c));
	if (!c || !(c->replacement = strdup(replacement))) {
		free(c);
		fail(err, "out of memory");
		return NULL;
	}
	c->max_match = 4096;
	c->known_rule = -1;
	c->decode = true;
	c->path_rule = -1;
	for (int i = 0; i < RB_COUNT; i++) {
		if (add_rule(c, rd_builtin_ids[i], err) < 0) {
			rd_config_free(c);
			return NULL;
		}
		c->enabled[i] = true;
	}
	return c;
}

int rd_config_disable(struct rd_config *c, const char *id, char **err)
{
	for (int i = 0; i < RB_COUNT; i++)
		if (strcmp(rd_builtin_ids[i], id) == 0) {
			c->enabled[i] = false;
			return 0;
		}
	return fail(err, "\"%s\" is not a built-in detector", id);
}

int rd_config_add_user(struct rd_config *c, const char *id, const char *pattern, const char *validator,
                       char **err)
{
	if (!rd_valid_id(id))
		return fail(err, "id \"%s\": expected lower-case letters, digits, '-', '_' or '.' (at most %d)", id,
		            ID_MAX);
	bool luhn = false;
	if (validator) {
		if (strcmp(validator, "luhn") != 0)
			return fail(err, "validator \"%s\": expected luhn", validator);
		luhn = true;
	}
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_MULTILINE,
	                               &ec, &eo, NULL);
	if (!re) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(ec, msg, sizeof(msg));
		return fail(err, "pattern: %s at offset %zu", (const char *)msg, (size_t)eo);
	}
	uint32_t lb = 0;
	pcre2_pattern_info(re, PCRE2_INFO_MAXLOOKBEHIND, &lb);
	if (lb >= RD_HIST) {
		pcre2_code_free(re);
		return fail(err, "pattern: looks behind %u characters, at most %d are kept", lb, RD_HIST - 1);
	}
	/* JIT for speed when available; the interpreter otherwise. */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE | PCRE2_JIT_PARTIAL_HARD);
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	struct rd_user *nu = md ? realloc(c->users, (c->n_users + 1) * sizeof(*nu)) : NULL;
	if (!nu) {
		pcre2_match_data_free(md);
		pcre2_code_free(re);
		return fail(err, "out of memory");
	}
	c->users = nu;
	int rule = add_rule(c, id, err);
	if (rule < 0) {
		pcre2_match_data_free(md);
		pcre2_code_free(re);
		return -1;
	}
	int group = pcre2_substring_number_from_name(re, (PCRE2_SPTR) "secret");
	struct rd_user *u = &c->users[c->n_users++];
	u->re = re;
	u->md = md;
	u->rule = rule;
	u->luhn = luhn;
	u->group = group > 0 ? group : 0;
	return 0;
}

static int add_lit(struct rd_config *c, const unsigned char *s, size_t len, char **err)
{
	for (size_t i = 0; i < c->n_lits; i++)
		if (c->lits[i].len == len && memcmp(c->lits[i].s, s, len) == 0)
			return 0;
	struct rd_lit *nl = realloc(c->lits, (c->n_lits + 1) * sizeof(*nl));
	if (!nl)
		return fail(err, "out of memory");
	c->lits = nl;
	unsigned char *d = malloc(len);
	if (!d)
		return fail(err, "out of memory");
	memcpy(d, s, len);
	c->lits[c->n_lits].s = d;
	c->lits[c->n_lits].len = len;
	c->lits[c->n_lits].rule = c->known_rule;
	c->n_lits++;
	return 0;
}

static const char b64std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The base64 characters that depend only on the secret when it starts k
 * bytes into a group of three: the same whatever surrounds it. */
static int add_b64(struct rd_config *c, const unsigned char *s, size_t len, size_t k, const char *alpha,
                   char **err)
{
	size_t bits0 = 8 * k, bits1 = 8 * (k + len);
	size_t i0 = (bits0 + 5) / 6, i1 = bits1 / 6;
	if (i1 <= i0)
		return 0;
	unsigned char out[RD_SECRET_MAX * 2];
	size_t n = 0;
	for (size_t i = i0; i < i1; i++) {
		unsigned v = 0;
		for (size_t b = 0; b < 6; b++) {
			size_t bit = 6 * i + b; /* bit index in the padded input */
			size_t byte = bit / 8;
			unsigned x = byte >= k && byte < k + len ? s[byte - k] : 0;
			v = (v << 1) | ((x >> (7 - bit % 8)) & 1u);
		}
		out[n++] = (unsigned char)alpha[v];
	}
	return add_lit(c, out, n, err);
}

int rd_config_add_secret(struct rd_config *c, const unsigned char *s, size_t len, char **err)
{
	if (len < RD_SECRET_MIN)
		return fail(err, "shorter than %d bytes: it would match ordinary text", RD_SECRET_MIN);
	if (len > RD_SECRET_MAX)
		return fail(err, "longer than %d bytes", RD_SECRET_MAX);
	if (c->known_rule < 0) {
		int r = add_rule(c, "known-secret", err);
		if (r < 0)
			return -1;
		c->known_rule = r;
	}
	if (add_lit(c, s, len, err) < 0)
		return -1;
	for (size_t k = 0; k < 3; k++)
		if (add_b64(c, s, len, k, b64std, err) < 0 || add_b64(c, s, len, k, b64url, err) < 0)
			return -1;
	unsigned char hex[RD_SECRET_MAX * 3];
	static const char lo[] = "0123456789abcdef", up[] = "0123456789ABCDEF";
	for (int pass = 0; pass < 2; pass++) {
		const char *digits = pass ? up : lo;
		for (size_t i = 0; i < len; i++) {
			hex[2 * i] = (unsigned char)digits[s[i] >> 4];
			hex[2 * i + 1] = (unsigned char)digits[s[i] & 15];
		}
		if (add_lit(c, hex, 2 * len, err) < 0)
			return -1;
	}
	/* percent-encoded, as in a URL, when that differs */
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char b = s[i];
		bool keep = (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '-' ||
		            b == '_' || b == '.' || b == '~';
		if (keep) {
			hex[n++] = b;
		} else {
			hex[n++] = '%';
			hex[n++] = (unsigned char)up[b >> 4];
			hex[n++] = (unsigned char)up[b & 15];
		}
	}
	if (n != len && add_lit(c, hex, n, err) < 0)
		return -1;
	return 0;
}

int rd_config_enable_paths(struct rd_config *c, char **err)
{
	if (c->path_rule >= 0)
		return 0;
	int r = add_rule(c, "host-path", err);
	if (r < 0)
		return -1;
	c->path_rule = r;
	return 0;
}

void rd_config_clear_paths(struct rd_config *c)
{
	for (size_t i = 0; i < c->n_paths; i++) {
		free(c->paths[i].host);
		free(c->paths[i].name);
	}
	c->n_paths = 0;
}

int rd_config_add_path(struct rd_config *c, const char *host, const char *name, char **err)
{
	size_t hl = strlen(host);
	while (hl > 1 && host[hl - 1] == '/')
		hl--; /* "/srv/data/" is "/srv/data" */
	if (host[0] != '/' || hl < 2 || hl > RD_PATH_MAX)
		return fail(err, "host path \"%s\": expected an absolute path other than /, at most %d bytes", host,
		            RD_PATH_MAX);
	if (c->path_rule < 0 || c->n_paths == RD_PATHS_MAX)
		return 0; /* off, or enough: the first ones stand */
	struct rd_path *p = &c->paths[c->n_paths];
	p->host = strndup(host, hl);
	p->name = strdup(name);
	if (!p->host || !p->name) {
		free(p->host);
		free(p->name);
		return fail(err, "out of memory");
	}
	p->hlen = hl;
	p->nlen = strlen(name);
	c->n_paths++;
	return 0;
}

int rd_config_finish(struct rd_config *c, char **err)
{
	memset(c->trig, 0, sizeof(c->trig));
	rd_builtin_triggers(c);
	free(c->lit_index);
	c->lit_index = calloc(c->n_lits ? c->n_lits : 1, sizeof(*c->lit_index));
	if (!c->lit_index)
		return fail(err, "out of memory");
	size_t count[256] = { 0 };
	for (size_t i = 0; i < c->n_lits; i++)
		count[c->lits[i].s[0]]++;
	c->lit_start[0] = 0;
	for (int b = 0; b < 256; b++)
		c->lit_start[b + 1] = c->lit_start[b] + count[b];
	size_t fill[256];
	memcpy(fill, c->lit_start, sizeof(fill));
	size_t maxlit = 0;
	for (size_t i = 0; i < c->n_lits; i++) {
		c->lit_index[fill[c->lits[i].s[0]]++] = i;
		c->trig[c->lits[i].s[0]] |= TR_LIT;
		c->trig[c->lits[i].s[0]] &= (uint16_t)~TR_BOUND;
		if (c->lits[i].len > maxlit)
			maxlit = c->lits[i].len;
	}
	if (c->n_paths) {
		c->trig['/'] |= TR_PATH;
		c->trig['/'] &= (uint16_t)~TR_BOUND;
	}
	/* tables over the triggers: set them all first */
	for (int b = 0; b < 256; b++)
		c->inword_skip[b] = (rd_cls[b] & CC_ALNUM) && (!c->trig[b] || (c->trig[b] & TR_BOUND));
	memset(c->pair2, 0, sizeof(c->pair2));
	for (int b0 = 0; b0 < 256; b0++) {
		uint16_t t = c->trig[b0];
		if (!t)
			continue;
		for (int b1 = 0; b1 < 256; b1++) {
			bool ok = (t & (TR_LIT | TR_PATH | TR_ASSIGN)) ||
			          ((t & TR_TOKEN) && (c->tokpair[b0][b1 >> 3] & (1u << (b1 & 7)))) ||
			          ((t & TR_JWT) && b1 == 'y') || ((t & TR_DIGIT) && b1 >= '0' && b1 <= '9') ||
			          ((t & (TR_PEM | TR_CMD)) && (b1 == '-' || b1 == 'u' || b1 == 'p'));
			if (ok)
				c->pair2[(b0 << 8 | b1) >> 3] |= (uint8_t)(1u << (b1 & 7));
		}
	}
	c->n_anywhere = 0;
	for (int b = 0; b < 256 && c->n_anywhere >= 0; b++) {
		if (!c->trig[b] || (c->trig[b] & TR_BOUND))
			continue;
		if (c->n_anywhere == (int)sizeof(c->anywhere))
			c->n_anywhere = -1;
		else
			c->anywhere[c->n_anywhere++] = (unsigned char)b;
	}
	rd_fp_build(c);
	c->lookahead = rd_builtin_lookahead();
	if (c->n_users && c->max_match > c->lookahead)
		c->lookahead = c->max_match;
	if (maxlit > c->lookahead)
		c->lookahead = maxlit;
	for (size_t i = 0; i < c->n_paths; i++)
		if (c->paths[i].hlen + 1 > c->lookahead)
			c->lookahead = c->paths[i].hlen + 1;
	return 0;
}

void rd_config_free(struct rd_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_rules; i++) {
		free(c->rules[i].id);
		free(c->rules[i].repl);
	}
	free(c->rules);
	for (size_t i = 0; i < c->n_users; i++) {
		pcre2_match_data_free(c->users[i].md);
		pcre2_code_free(c->users[i].re);
	}
	free(c->users);
	for (size_t i = 0; i < c->n_lits; i++)
		free(c->lits[i].s);
	free(c->lits);
	free(c->lit_index);
	rd_config_clear_paths(c);
	free(c->replacement);
	free(c);
}
