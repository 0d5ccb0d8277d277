/*
 * modules/pattern_scan/literals.c - the literals a pattern requires (see
 * literals.h for the promise).
 *
 * A recursive-descent reader of PCRE2's syntax (10.42, 8-bit, no UTF, no
 * extended mode) computes for every part of the pattern:
 *
 *   - the least and the greatest length of the text it matches and the set
 *     of bytes that text can hold (over-approximated: a byte that cannot be
 *     matched may be in the set, never the reverse);
 *   - its prefix set: strings one of which starts every text it matches,
 *     and whether the set is exact (the text is always one of the strings);
 *   - its best candidate: a set of entries (literal, offsets, bytes before)
 *     that every match of the part satisfies.
 *
 * In a sequence A B C the candidates are those of each element, shifted by
 * what the elements before it can match, and the literals built by joining
 * the exact prefix sets of consecutive elements (`__(?:class|base)__` gives
 * __class__ and __base__); an alternation needs a candidate of every
 * branch; a repeat with a minimum of one keeps its element's.  Assertions
 * match no text: their contents are read for syntax and do not count.  A
 * part the reader does not model (a back-reference, a recursion, \X, a
 * POSIX class...) matches "any text" for this purpose, which keeps every
 * result sound and only loses literals.  Among the candidates the cheapest
 * by an estimate wins: how often its literals occur in source code (a byte
 * frequency table), times the work a window costs.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "literals.h"

#define SET_MAX PS_ENTRIES_MAX /* strings in a prefix set */
#define CLASS_ENUM 16          /* a class of at most this many bytes is a set of literals */
#define DEPTH_MAX 64           /* group nesting read; deeper: no prefilter (bounds the stack) */
#define CALL_COST 8.0          /* one confirmation call, in bytes scanned */

/* Byte frequencies in source code, per 65536 bytes (the mean over Python's
 * standard library, C headers, shell scripts and JavaScript; at least 1). */
static const uint16_t freq[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1033, 1783, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	12035, 55, 987, 404, 306, 30, 115, 249, 686, 719, 355, 59, 732, 448, 803, 341,
	220, 201, 138, 98, 61, 38, 49, 23, 54, 40, 324, 343, 49, 479, 88, 37,
	17, 358, 100, 246, 197, 481, 178, 305, 100, 365, 13, 54, 389, 175, 338, 278,
	318, 28, 382, 319, 452, 136, 77, 59, 87, 93, 42, 164, 77, 163, 13, 1087,
	31, 2196, 466, 1248, 1346, 4539, 1218, 658, 1010, 2715, 71, 226, 1543, 856, 2472, 2187,
	991, 64, 2241, 2305, 3307, 1060, 409, 288, 328, 424, 98, 163, 115, 163, 4, 1,
	7, 4, 4, 8, 2, 2, 2, 1, 5, 1, 1, 1, 2, 4, 1, 1,
	2, 2, 1, 1, 3, 2, 1, 2, 3, 2, 2, 3, 5, 2, 6, 4,
	1, 5, 1, 1, 7, 3, 1, 3, 3, 2, 1, 2, 1, 1, 7, 3,
	6, 4, 3, 2, 7, 9, 2, 1, 9, 2, 3, 2, 2, 4, 3, 4,
	1, 1, 1, 8, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 5, 2,
	35, 14, 1, 1, 1, 5, 1, 4, 7, 5, 1, 1, 1, 1, 1, 1,
	23, 12, 1, 1, 2, 2, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* ---- byte sets ---- */

typedef uint8_t bset[32];

static void bs_add(uint8_t *s, unsigned b)
{
	s[b >> 3] |= (uint8_t)(1u << (b & 7));
}

static void bs_or(uint8_t *d, const uint8_t *s)
{
	for (int i = 0; i < 32; i++)
		d[i] |= s[i];
}

static void bs_all(uint8_t *s)
{
	memset(s, 0xff, 32);
}

static int bs_count(const uint8_t *s)
{
	int n = 0;
	for (int i = 0; i < 32; i++)
		for (unsigned v = s[i]; v; v &= v - 1)
			n++;
	return n;
}

static int is_alpha(unsigned c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

/* ---- the library's classes ---- */

static int probe(const char *pat, uint8_t *set)
{
	int err;
	PCRE2_SIZE off;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
	                              PCRE2_MULTILINE | PCRE2_NEVER_UTF | PCRE2_NEVER_UCP, &err, &off, NULL);
	pcre2_match_data *md = c ? pcre2_match_data_create_from_pattern(c, NULL) : NULL;
	if (!md) {
		pcre2_code_free(c);
		return -1;
	}
	memset(set, 0, 32);
	for (unsigned b = 0; b < 256; b++) {
		unsigned char s = (unsigned char)b;
		if (pcre2_match(c, &s, 1, 0, PCRE2_ANCHORED, md, NULL) >= 0)
			bs_add(set, b);
	}
	pcre2_match_data_free(md);
	pcre2_code_free(c);
	return 0;
}

int ps_ctab_init(struct ps_ctab *t)
{
	bset up, rest, want;
	if (probe("\\d", t->d) < 0 || probe("\\s", t->s) < 0 || probe("\\w", t->w) < 0 || probe("\\h", t->h) < 0 ||
	    probe("\\v", t->v) < 0 || probe("(?i)[a-z]", up) < 0 || probe("(?i)[\\x00-\\x40\\x5b-\\x60\\x7b-\\x7f]", rest) < 0)
		return -1;
	memset(want, 0, sizeof(want));
	for (unsigned b = 0; b < 128; b++)
		if (is_alpha(b))
			bs_add(want, b);
	t->caseless_ascii = memcmp(up, want, 32) == 0;
	for (int i = 0; i < 32; i++)
		want[i] = (uint8_t)(i < 16 ? ~want[i] : 0);
	t->caseless_ascii = t->caseless_ascii && memcmp(rest, want, 32) == 0;
	return 0;
}

static pthread_mutex_t ctab_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ps_ctab ctab_cache;
static int ctab_ready;

const struct ps_ctab *ps_ctab(void)
{
	pthread_mutex_lock(&ctab_lock);
	if (!ctab_ready && ps_ctab_init(&ctab_cache) == 0)
		ctab_ready = 1;
	int ready = ctab_ready;
	pthread_mutex_unlock(&ctab_lock);
	return ready ? &ctab_cache : NULL;
}

/* ---- literal sets ---- */

struct lset {
	int exact; /* the text matched is always one of the strings */
	size_t n;
	struct ps_lit v[SET_MAX];
};

struct cand {
	size_t n; /* 0: none */
	double cost;
	struct ps_entry v[PS_ENTRIES_MAX];
};

struct info {
	size_t minlen, maxlen; /* maxlen PS_OFF_INF: unbounded */
	bset bytes;
	struct lset pre;
	struct cand cand;
};

static size_t sat_add(size_t a, size_t b)
{
	return a > PS_OFF_INF - b ? PS_OFF_INF : a + b;
}

static size_t sat_mul(size_t a, size_t n)
{
	if (a == 0 || n == 0)
		return 0;
	if (a == PS_OFF_INF || n == PS_OFF_INF || a > PS_OFF_INF / n)
		return PS_OFF_INF;
	return a * n;
}

static int lit_eq(const struct ps_lit *a, const struct ps_lit *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

static void lset_copy(struct lset *d, const struct lset *s)
{
	d->exact = s->exact;
	d->n = s->n;
	memcpy(d->v, s->v, s->n * sizeof(s->v[0]));
}

static void lset_one(struct lset *s, int exact)
{
	s->exact = exact;
	s->n = 1;
	s->v[0].len = 0;
}

/* Adds x unless present; -1 when full. */
static int lset_add(struct lset *s, const struct ps_lit *x)
{
	for (size_t i = 0; i < s->n; i++)
		if (lit_eq(&s->v[i], x))
			return 0;
	if (s->n == SET_MAX)
		return -1;
	s->v[s->n++] = *x;
	return 0;
}

/* a ∪= b; a set too large becomes "anything" ({""}, not exact). */
static void lset_union(struct lset *a, const struct lset *b)
{
	a->exact = a->exact && b->exact;
	for (size_t i = 0; i < b->n; i++)
		if (lset_add(a, &b->v[i]) < 0) {
			lset_one(a, 0);
			return;
		}
}

/* out = a . b (every string of a followed by every string of b; a is
 * exact); -1 when the product would be too large. */
static int lset_cross(const struct lset *a, const struct lset *b, struct lset *out)
{
	if (a->n * b->n > SET_MAX)
		return -1;
	out->exact = b->exact;
	out->n = 0;
	for (size_t i = 0; i < a->n; i++)
		for (size_t j = 0; j < b->n; j++) {
			struct ps_lit z = a->v[i];
			size_t k = b->v[j].len;
			if (z.len + k > PS_LIT_MAX) {
				k = PS_LIT_MAX - z.len;
				out->exact = 0; /* cut: only a prefix of the text is known */
			}
			memcpy(z.b + z.len, b->v[j].b, k);
			z.len = (uint8_t)(z.len + k);
			(void)lset_add(out, &z);
		}
	return 0;
}

/* ---- candidates and their cost ---- */

static double lit_freq(const struct ps_lit *l)
{
	double f = 1;
	for (size_t i = 0; i < l->len; i++)
		f *= freq[l->b[i]] / 65536.0;
	return f;
}

/* The expected width of a window: the length of a run of bytes of S
 * before the literal, at most maxoff - minoff. */
static double width(size_t minoff, size_t maxoff, const uint8_t *S)
{
	unsigned q = 0;
	for (unsigned i = 0; i < 32; i++)
		for (unsigned v = S[i]; v; v &= v - 1)
			q += freq[i * 8 + (unsigned)__builtin_ctz(v)];
	double f = q / 65536.0, w = f >= 0.999 ? 1000 : f / (1 - f);
	if (maxoff != PS_OFF_INF && (double)(maxoff - minoff) < w)
		w = (double)(maxoff - minoff);
	return w;
}

static double entry_cost(const struct ps_entry *e)
{
	return lit_freq(&e->lit) * (CALL_COST + width(e->minoff, e->maxoff, e->before));
}

/* Drops entries another entry makes redundant (its literal is a prefix of
 * this one's and its window contains this one's), then prices the rest. */
static void cand_finish(struct cand *c)
{
	size_t k = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct ps_entry *e = &c->v[i];
		int redundant = 0;
		for (size_t j = 0; j < c->n && !redundant; j++) {
			const struct ps_entry *f = &c->v[j];
			if (j == i || f->lit.len > e->lit.len || memcmp(f->lit.b, e->lit.b, f->lit.len) != 0 ||
			    f->minoff > e->minoff || f->maxoff < e->maxoff)
				continue;
			int sub = 1;
			for (int b = 0; b < 32; b++)
				sub = sub && (e->before[b] & ~f->before[b]) == 0;
			/* of two equal entries, keep the first */
			int same = sub && f->lit.len == e->lit.len && f->minoff == e->minoff && f->maxoff == e->maxoff &&
			           memcmp(f->before, e->before, 32) == 0;
			redundant = sub && (!same || j < i);
		}
		if (!redundant)
			c->v[k++] = *e;
	}
	c->n = k;
	c->cost = 0;
	for (size_t i = 0; i < c->n; i++)
		c->cost += entry_cost(&c->v[i]);
}

/* The entries of a prefix set placed at [omin, omax] after bytes S. */
static void cand_from_set(const struct lset *s, size_t omin, size_t omax, const uint8_t *S, struct cand *c)
{
	for (size_t i = 0; i < s->n; i++) {
		struct ps_entry *e = &c->v[i];
		e->lit = s->v[i];
		e->minoff = omin;
		e->maxoff = omax;
		memcpy(e->before, S, 32);
	}
	c->n = s->n;
	cand_finish(c);
}

/* The cost of a prefix set as a candidate at [omin, omax] after S; -1
 * when it holds the empty string (then it requires nothing). */
static double set_cost(const struct lset *s, size_t omin, size_t omax, const uint8_t *S)
{
	double f = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].len == 0)
			return -1;
		f += lit_freq(&s->v[i]);
	}
	return f * (CALL_COST + width(omin, omax, S));
}

/* The cost of candidate c shifted by [omin, omax] after S. */
static double shifted_cost(const struct cand *c, size_t omin, size_t omax, const uint8_t *S)
{
	double cost = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct ps_entry *e = &c->v[i];
		bset b;
		for (int k = 0; k < 32; k++)
			b[k] = e->before[k] | S[k];
		cost += lit_freq(&e->lit) * (CALL_COST + width(sat_add(e->minoff, omin), sat_add(e->maxoff, omax), b));
	}
	return cost;
}

static void cand_shift(struct cand *c, size_t omin, size_t omax, const uint8_t *S)
{
	for (size_t i = 0; i < c->n; i++) {
		c->v[i].minoff = sat_add(c->v[i].minoff, omin);
		c->v[i].maxoff = sat_add(c->v[i].maxoff, omax);
		bs_or(c->v[i].before, S);
	}
	cand_finish(c);
}

/* ---- the reader ---- */

struct rd {
	const struct ps_ctab *t;
	const uint8_t *p, *end;
	int caseless;
	int inquote; /* inside \Q...\E */
	int depth;
	const char *bail; /* set: no prefilter, and why */
	int oom;
};

static struct info *info_new(struct rd *r)
{
	struct info *i = malloc(sizeof(*i));
	if (!i) {
		r->oom = 1;
		return NULL;
	}
	i->minlen = i->maxlen = 0;
	memset(i->bytes, 0, 32);
	lset_one(&i->pre, 1);
	i->cand.n = 0;
	i->cand.cost = 0;
	return i;
}

/* Matches any text: what the reader does not model. */
static void info_any(struct info *i)
{
	i->minlen = 0;
	i->maxlen = PS_OFF_INF;
	bs_all(i->bytes);
	lset_one(&i->pre, 0);
	i->cand.n = 0;
}

/* One byte of the set. */
static void info_byte(struct info *i, const uint8_t *set)
{
	i->minlen = i->maxlen = 1;
	memcpy(i->bytes, set, 32);
	i->cand.n = 0;
	int n = bs_count(set);
	if (n == 0 || n > CLASS_ENUM) {
		lset_one(&i->pre, 0);
		return;
	}
	i->pre.exact = 1;
	i->pre.n = 0;
	for (unsigned k = 0; k < 32; k++)
		for (unsigned v = set[k]; v; v &= v - 1) {
			struct ps_lit *l = &i->pre.v[i->pre.n++];
			l->len = 1;
			l->b[0] = (uint8_t)(k * 8 + (unsigned)__builtin_ctz(v));
		}
}

static int fail(struct rd *r, const char *why)
{
	if (!r->bail)
		r->bail = why;
	return -1;
}

static int peek(const struct rd *r, size_t k)
{
	return r->p + k < r->end ? r->p[k] : -1;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* A literal byte, caseless where that is in force: 1, or 0 when the set
 * is every byte because the reader cannot say which bytes fold to it. */
static int lit_byte_set(const struct rd *r, unsigned b, uint8_t *set)
{
	memset(set, 0, 32);
	bs_add(set, b);
	if (r->caseless) {
		if (!r->t->caseless_ascii || b >= 0x80) {
			bs_all(set);
			return 0;
		}
		if (is_alpha(b))
			bs_add(set, b ^ 0x20);
	}
	return 1;
}

enum esc { E_BYTE, E_SET, E_ASSERT, E_ANY, E_NONE };

/* The escape after a backslash (r->p on the character after it).  E_BYTE:
 * *byte; E_SET: *set (one byte of it); E_ASSERT: matches no text; E_ANY:
 * any text; E_NONE: nothing (\E).  -1: bail. */
static int escape(struct rd *r, int in_class, unsigned *byte, uint8_t *set)
{
	int c = peek(r, 0);
	if (c < 0)
		return fail(r, "a trailing backslash");
	r->p++;
	const uint8_t *cls = NULL;
	int negate = 0;
	switch (c) {
	case 'a': *byte = 7; return E_BYTE;
	case 'e': *byte = 27; return E_BYTE;
	case 'f': *byte = 12; return E_BYTE;
	case 'n': *byte = 10; return E_BYTE;
	case 'r': *byte = 13; return E_BYTE;
	case 't': *byte = 9; return E_BYTE;
	case 'd': case 'D': cls = r->t->d; negate = c == 'D'; break;
	case 's': case 'S': cls = r->t->s; negate = c == 'S'; break;
	case 'w': case 'W': cls = r->t->w; negate = c == 'W'; break;
	case 'h': case 'H': cls = r->t->h; negate = c == 'H'; break;
	case 'v': case 'V': cls = r->t->v; negate = c == 'V'; break;
	case 'b':
		if (in_class) {
			*byte = 8;
			return E_BYTE;
		}
		return E_ASSERT;
	case 'B': case 'A': case 'z': case 'Z':
		return in_class ? fail(r, "an assertion escape in a class") : E_ASSERT;
	case 'E':
		return E_NONE;
	case 'Q':
		r->inquote = 1;
		return E_NONE;
	case 'x': {
		unsigned v = 0;
		if (peek(r, 0) == '{') {
			r->p++;
			int h, n = 0;
			while ((h = hexval(peek(r, 0))) >= 0) {
				v = v * 16 + (unsigned)h;
				if (v > 255)
					return fail(r, "a \\x{} above 0xff");
				r->p++;
				n++;
			}
			if (peek(r, 0) != '}' || n == 0)
				return fail(r, "an unterminated \\x{");
			r->p++;
		} else {
			for (int n = 0, h; n < 2 && (h = hexval(peek(r, 0))) >= 0; n++, r->p++)
				v = v * 16 + (unsigned)h;
		}
		*byte = v;
		return E_BYTE;
	}
	case 'o': {
		unsigned v = 0;
		int n = 0;
		if (peek(r, 0) != '{')
			return fail(r, "\\o without {");
		r->p++;
		while (peek(r, 0) >= '0' && peek(r, 0) <= '7') {
			v = v * 8 + (unsigned)(peek(r, 0) - '0');
			if (v > 255)
				return fail(r, "a \\o{} above 0377");
			r->p++;
			n++;
		}
		if (peek(r, 0) != '}' || n == 0)
			return fail(r, "an unterminated \\o{");
		r->p++;
		*byte = v;
		return E_BYTE;
	}
	case 'c': {
		int x = peek(r, 0);
		if (x < 32 || x > 126)
			return fail(r, "\\c without a printable character");
		r->p++;
		if (x >= 'a' && x <= 'z')
			x -= 32;
		*byte = (unsigned)x ^ 0x40;
		return E_BYTE;
	}
	case '0': {
		unsigned v = 0;
		for (int n = 0; n < 2 && peek(r, 0) >= '0' && peek(r, 0) <= '7'; n++, r->p++)
			v = v * 8 + (unsigned)(peek(r, 0) - '0');
		*byte = v;
		return E_BYTE;
	}
	case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8': case '9':
		if (in_class) {
			if (c > '7')
				return fail(r, "\\8 or \\9 in a class");
			unsigned v = (unsigned)(c - '0');
			for (int n = 0; n < 2 && peek(r, 0) >= '0' && peek(r, 0) <= '7'; n++, r->p++)
				v = v * 8 + (unsigned)(peek(r, 0) - '0');
			if (v > 255)
				return fail(r, "an octal escape above 0377");
			*byte = v;
			return E_BYTE;
		}
		/* a back-reference or an octal byte: either way within "any text" */
		while (is_digit(peek(r, 0)))
			r->p++;
		return E_ANY;
	case 'g': case 'k': {
		if (in_class)
			return fail(r, "\\g or \\k in a class");
		int open = peek(r, 0);
		int close = open == '{' ? '}' : open == '<' ? '>' : open == '\'' ? '\'' : -1;
		if (close < 0) {
			if (c == 'k')
				return fail(r, "\\k without a delimiter");
			if (peek(r, 0) == '-' || peek(r, 0) == '+')
				r->p++;
			if (!is_digit(peek(r, 0)))
				return fail(r, "\\g without a number");
			while (is_digit(peek(r, 0)))
				r->p++;
			return E_ANY;
		}
		r->p++;
		while (peek(r, 0) >= 0 && peek(r, 0) != close)
			r->p++;
		if (peek(r, 0) != close)
			return fail(r, "an unterminated \\g or \\k");
		r->p++;
		return E_ANY; /* a back-reference or a subroutine call */
	}
	case 'N':
		if (in_class || peek(r, 0) == '{')
			return fail(r, "\\N{} or \\N in a class");
		bs_all(set);
		return E_SET;
	case 'C':
		if (in_class)
			return fail(r, "\\C in a class");
		bs_all(set);
		return E_SET;
	case 'p': case 'P':
		if (peek(r, 0) == '{') {
			while (peek(r, 0) >= 0 && peek(r, 0) != '}')
				r->p++;
			if (peek(r, 0) != '}')
				return fail(r, "an unterminated \\p{");
			r->p++;
		} else if (peek(r, 0) >= 0) {
			r->p++;
		}
		bs_all(set);
		return E_SET;
	case 'R': case 'X':
		if (in_class)
			return fail(r, "\\R or \\X in a class");
		return E_ANY;
	default:
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			return fail(r, "an escape the reader does not model (\\G, \\K, ...)");
		*byte = (unsigned)c;
		return E_BYTE;
	}
	memcpy(set, cls, 32);
	if (negate)
		for (int i = 0; i < 32; i++)
			set[i] = (uint8_t)~set[i];
	return E_SET;
}

/* A class: r->p after the '['.  *set: the bytes it matches (for a class
 * the reader is not sure of, every byte when it is positive). */
static int parse_class(struct rd *r, uint8_t *set)
{
	bset s;
	memset(s, 0, 32);
	int sure = 1, negate = 0, first = 1;
	if (r->end - r->p >= 6 && (memcmp(r->p, "[:<:]]", 6) == 0 || memcmp(r->p, "[:>:]]", 6) == 0))
		return fail(r, "a [[:<:]] word boundary");
	if (peek(r, 0) == '^') {
		negate = 1;
		r->p++;
	}
	int prev = -1; /* the last single byte, for a range */
	for (;;) {
		int c = peek(r, 0);
		if (c < 0)
			return fail(r, "an unterminated class");
		if (c == ']' && !first) {
			r->p++;
			break;
		}
		first = 0;
		if (c == '[' && (peek(r, 1) == ':' || peek(r, 1) == '.' || peek(r, 1) == '=')) {
			int kind = peek(r, 1);
			const uint8_t *q = r->p + 2;
			while (q + 1 < r->end && !(q[0] == kind && q[1] == ']'))
				q++;
			if (q + 1 >= r->end)
				return fail(r, "an unterminated POSIX class");
			if (kind != ':')
				return fail(r, "a POSIX collating element");
			r->p = q + 2;
			sure = 0; /* not modelled: every byte, below */
			prev = -1;
			continue;
		}
		if (c == '\\') {
			r->p++;
			unsigned b = 0;
			bset es;
			if (peek(r, 0) == 'Q')
				return fail(r, "\\Q in a class");
			if (peek(r, 0) == 'p' || peek(r, 0) == 'P')
				sure = 0; /* a property: every byte, below */
			if (peek(r, 0) == 'E') {
				r->p++;
				continue;
			}
			int k = escape(r, 1, &b, es);
			if (k < 0)
				return -1;
			if (k == E_SET) {
				bs_or(s, es);
				prev = -1;
				continue;
			}
			if (k != E_BYTE)
				return fail(r, "an escape in a class the reader does not model");
			c = (int)b;
			goto single;
		}
		r->p++;
		if (c == '-' && prev >= 0 && peek(r, 0) != ']' && peek(r, 0) >= 0) {
			/* a range prev-hi */
			int hi = peek(r, 0);
			if (hi == '[' && (peek(r, 1) == ':' || peek(r, 1) == '.' || peek(r, 1) == '='))
				return fail(r, "a range ending in a POSIX class");
			if (hi == '\\') {
				r->p++;
				unsigned b = 0;
				bset es;
				if (peek(r, 0) == 'Q' || peek(r, 0) == 'E')
					return fail(r, "\\Q or \\E as the end of a range");
				int k = escape(r, 1, &b, es);
				if (k < 0)
					return -1;
				if (k != E_BYTE)
					return fail(r, "a range ending in a class escape");
				hi = (int)b;
			} else {
				r->p++;
			}
			if (hi < prev)
				return fail(r, "a range out of order");
			for (int b = prev; b <= hi; b++) {
				bset one;
				sure &= lit_byte_set(r, (unsigned)b, one);
				bs_or(s, one);
			}
			prev = -1;
			continue;
		}
	single: {
		bset one;
		sure &= lit_byte_set(r, (unsigned)c, one);
		bs_or(s, one);
		prev = c;
	}
	}
	if (!sure) {
		if (negate)
			return fail(r, "a negated class the reader cannot enumerate");
		bs_all(s);
	}
	if (negate)
		for (int i = 0; i < 32; i++)
			s[i] = (uint8_t)~s[i];
	memcpy(set, s, 32);
	return 0;
}

/* A quantifier at r->p: 1 and *min, *max (PS_OFF_INF); 0: none; -1 bail. */
static int quantifier(struct rd *r, size_t *min, size_t *max)
{
	int c = peek(r, 0);
	if (c == '*' || c == '+' || c == '?') {
		r->p++;
		*min = c == '+';
		*max = c == '?' ? 1 : PS_OFF_INF;
	} else if (c == '{') {
		/* PCRE2 10.42: {n} {n,} {n,m}; anything else is a literal '{'.
		 * Forms that later versions read as quantifiers ({,m}, spaces)
		 * are not read either way. */
		const uint8_t *q = r->p + 1;
		size_t a = 0, b = 0;
		int na = 0, nb = 0, comma = 0, loose = 0;
		while (q < r->end && (is_digit(*q) || *q == ' ' || *q == '\t')) {
			if (is_digit(*q)) {
				if (loose & 2)
					loose |= 4; /* digits after a space */
				a = a * 10 + (size_t)(*q - '0');
				if (a > 65535)
					return fail(r, "a quantifier above 65535");
				na++;
			} else {
				loose |= na ? 2 : 1;
			}
			q++;
		}
		if (q < r->end && *q == ',') {
			comma = 1;
			q++;
			while (q < r->end && (is_digit(*q) || *q == ' ' || *q == '\t')) {
				if (is_digit(*q)) {
					b = b * 10 + (size_t)(*q - '0');
					if (b > 65535)
						return fail(r, "a quantifier above 65535");
					nb++;
				} else {
					loose |= 8;
				}
				q++;
			}
		}
		if (q >= r->end || *q != '}')
			return 0; /* a literal '{' */
		if (loose || !na)
			return (na || nb) ? fail(r, "a quantifier form PCRE2 versions read differently") : 0;
		r->p = q + 1;
		*min = a;
		*max = comma ? (nb ? b : PS_OFF_INF) : a;
		if (*max < *min)
			return fail(r, "a quantifier out of order");
	} else {
		return 0;
	}
	if (peek(r, 0) == '+' || peek(r, 0) == '?')
		r->p++; /* possessive or lazy: matches a subset, no matter */
	return 1;
}

static struct info *parse_alt(struct rd *r);

static void quantify(struct info *i, size_t min, size_t max)
{
	size_t clen = i->maxlen;
	i->minlen = sat_mul(i->minlen, min);
	i->maxlen = max == 0 ? 0 : (max == PS_OFF_INF ? (clen == 0 ? 0 : PS_OFF_INF) : sat_mul(clen, max));
	if (max == 0) {
		memset(i->bytes, 0, 32);
		lset_one(&i->pre, 1);
		i->cand.n = 0;
		return;
	}
	if (min == 0) {
		struct lset e;
		lset_one(&e, 1);
		int exact = i->pre.exact && max == 1;
		lset_union(&i->pre, &e);
		i->pre.exact = i->pre.exact && exact;
		i->cand.n = 0;
	} else if (!(min == 1 && max == 1)) {
		i->pre.exact = 0;
	}
}

/* A group: r->p after the '('.  NULL with r->bail or r->oom set, or an
 * info; *none = 1 for an option setting or a comment (no item). */
static struct info *parse_group(struct rd *r, int *none)
{
	*none = 0;
	int saved = r->caseless, assertion = 0;
	if (peek(r, 0) == '*') {
		fail(r, "a (* verb or alpha assertion");
		return NULL;
	}
	if (peek(r, 0) == '?') {
		r->p++;
		int c = peek(r, 0);
		if (c == ':' || c == '|' || c == '>') {
			r->p++;
		} else if (c == '=' || c == '!') {
			r->p++;
			assertion = 1;
		} else if (c == '<' && (peek(r, 1) == '=' || peek(r, 1) == '!')) {
			r->p += 2;
			assertion = 1;
		} else if (c == '<' || c == '\'' || (c == 'P' && peek(r, 1) == '<')) {
			int close = c == '\'' ? '\'' : '>';
			r->p += c == 'P' ? 2 : 1;
			while (peek(r, 0) >= 0 && peek(r, 0) != close)
				r->p++;
			if (peek(r, 0) != close) {
				fail(r, "an unterminated group name");
				return NULL;
			}
			r->p++;
		} else if (c == '#') {
			while (peek(r, 0) >= 0 && peek(r, 0) != ')')
				r->p++;
			if (peek(r, 0) != ')') {
				fail(r, "an unterminated comment");
				return NULL;
			}
			r->p++;
			*none = 1;
			return NULL;
		} else if (c == 'R' || c == '&' || c == '+' || c == '-' || is_digit(c) ||
		           (c == 'P' && (peek(r, 1) == '=' || peek(r, 1) == '>'))) {
			if (c == '-' && !is_digit(peek(r, 1)))
				goto options;
			/* a back-reference or a recursion: any text */
			while (peek(r, 0) >= 0 && peek(r, 0) != ')')
				r->p++;
			if (peek(r, 0) != ')') {
				fail(r, "an unterminated recursion");
				return NULL;
			}
			r->p++;
			struct info *i = info_new(r);
			if (i)
				info_any(i);
			return i;
		} else {
		options:;
			/* (?flags) or (?flags:...) */
			int on = 1, cl = r->caseless, term;
			if (peek(r, 0) == '^') {
				cl = 0;
				r->p++;
			}
			for (;;) {
				int f = peek(r, 0);
				if (f < 0) {
					fail(r, "an unterminated option setting");
					return NULL;
				}
				r->p++;
				if (f == ')' || f == ':') {
					term = f;
					break;
				}
				if (f == '-') {
					on = 0;
				} else if (f == 'i') {
					cl = on;
				} else if (f != 'm' && f != 's' && f != 'n' && f != 'U' && f != 'J') {
					/* m s n U J do not change which bytes can match */
					fail(r, f == 'x' ? "extended mode (?x)" : "an option the reader does not model");
					return NULL;
				}
			}
			r->caseless = cl;
			if (term == ')') {
				/* an option setting: lasts to the end of the enclosing group */
				*none = 1;
				return NULL;
			}
		}
	}
	if (++r->depth > DEPTH_MAX) {
		fail(r, "groups nested too deep");
		return NULL;
	}
	struct info *i = parse_alt(r);
	r->depth--;
	r->caseless = saved;
	if (!i)
		return NULL;
	if (peek(r, 0) != ')') {
		free(i);
		fail(r, "an unterminated group");
		return NULL;
	}
	r->p++;
	if (assertion) {
		/* matches no text; what it looks at does not count */
		i->minlen = i->maxlen = 0;
		memset(i->bytes, 0, 32);
		lset_one(&i->pre, 1);
		i->cand.n = 0;
	}
	return i;
}

/* One item (without its quantifier); NULL with *none set when the item
 * matches nothing and takes no quantifier (\E, (?i), a comment). */
static struct info *parse_atom(struct rd *r, int *none)
{
	*none = 0;
	bset set;
	int c = peek(r, 0);
	if (r->inquote) {
		if (c == '\\' && peek(r, 1) == 'E') {
			r->p += 2;
			r->inquote = 0;
			*none = 1;
			return NULL;
		}
		r->p++;
		goto literal;
	}
	r->p++;
	switch (c) {
	case '(':
		return parse_group(r, none);
	case '[': {
		struct info *i = info_new(r);
		if (!i)
			return NULL;
		if (parse_class(r, set) < 0) {
			free(i);
			return NULL;
		}
		info_byte(i, set);
		return i;
	}
	case '.': {
		struct info *i = info_new(r);
		if (i) {
			bs_all(set);
			info_byte(i, set);
		}
		return i;
	}
	case '^': case '$':
		return info_new(r); /* an assertion: no text */
	case '\\': {
		unsigned b = 0;
		int k = escape(r, 0, &b, set);
		if (k < 0)
			return NULL;
		if (k == E_NONE) {
			*none = 1;
			return NULL;
		}
		struct info *i = info_new(r);
		if (!i)
			return NULL;
		if (k == E_ANY)
			info_any(i);
		else if (k == E_SET)
			info_byte(i, set);
		else if (k == E_BYTE) {
			lit_byte_set(r, b, set);
			info_byte(i, set);
		}
		return i;
	}
	case '*': case '+': case '?':
		fail(r, "a quantifier with nothing to repeat");
		return NULL;
	case '{': {
		size_t a, b;
		r->p--;
		const uint8_t *at = r->p;
		int q = quantifier(r, &a, &b);
		if (q != 0) {
			if (q > 0)
				fail(r, "a quantifier with nothing to repeat");
			return NULL;
		}
		r->p = at + 1;
		break;
	}
	default:
		break;
	}
literal:
	lit_byte_set(r, (unsigned)c, set);
	struct info *i = info_new(r);
	if (i)
		info_byte(i, set);
	return i;
}

/* A sequence up to '|' or ')' or the end. */
static struct info *parse_seq(struct rd *r)
{
	struct info **kids = NULL, *res = NULL;
	size_t n = 0, cap = 0;
	while (r->p < r->end && (r->inquote || (*r->p != '|' && *r->p != ')'))) {
		int none = 0;
		struct info *a = parse_atom(r, &none);
		if (!a && !none)
			goto out;
		size_t min, max;
		int q;
		while ((q = r->inquote ? 0 : quantifier(r, &min, &max)) > 0) {
			if (!a) {
				fail(r, "a quantifier after an option setting or a comment");
				goto out;
			}
			quantify(a, min, max);
		}
		if (q < 0) {
			free(a);
			goto out;
		}
		if (!a)
			continue;
		if (n == cap) {
			size_t nc = cap ? 2 * cap : 8;
			struct info **v = realloc(kids, nc * sizeof(*v));
			if (!v) {
				free(a);
				r->oom = 1;
				goto out;
			}
			kids = v;
			cap = nc;
		}
		kids[n++] = a;
	}
	if (!(res = info_new(r)))
		goto out;
	/* lengths, bytes, the prefix set (joined while exact) */
	for (size_t j = 0; j < n; j++) {
		res->minlen = sat_add(res->minlen, kids[j]->minlen);
		res->maxlen = sat_add(res->maxlen, kids[j]->maxlen);
		bs_or(res->bytes, kids[j]->bytes);
	}
	/* the cheapest candidate: an element's own, shifted by what comes
	 * before it, or the literals joined from an element on */
	struct lset *run = malloc(3 * sizeof(*run));
	if (!run) {
		free(res);
		res = NULL;
		r->oom = 1;
		goto out;
	}
	size_t omin = 0, omax = 0, bmin = 0, bmax = 0, bj = 0;
	double best = -1;
	int kind = 0; /* 1: element bj's candidate; 2: the joined set run[2] */
	bset S, bS;
	memset(S, 0, 32);
	for (size_t j = 0; j < n; j++) {
		double cost;
		if (kids[j]->cand.n && ((cost = shifted_cost(&kids[j]->cand, omin, omax, S)) < best || best < 0)) {
			best = cost;
			kind = 1;
			bj = j;
			bmin = omin;
			bmax = omax;
			memcpy(bS, S, 32);
		}
		struct lset *cur = &run[0], *next = &run[1];
		lset_copy(cur, &kids[j]->pre);
		for (size_t m = j + 1; m < n && cur->exact; m++) {
			if (lset_cross(cur, &kids[m]->pre, next) < 0) {
				cur->exact = 0;
				break;
			}
			struct lset *t = cur;
			cur = next;
			next = t;
		}
		if (j == 0)
			lset_copy(&res->pre, cur);
		if ((cost = set_cost(cur, omin, omax, S)) >= 0 && (cost < best || best < 0)) {
			best = cost;
			kind = 2;
			lset_copy(&run[2], cur);
			bmin = omin;
			bmax = omax;
			memcpy(bS, S, 32);
		}
		omin = sat_add(omin, kids[j]->minlen);
		omax = sat_add(omax, kids[j]->maxlen);
		bs_or(S, kids[j]->bytes);
	}
	if (kind == 1) {
		res->cand = kids[bj]->cand;
		cand_shift(&res->cand, bmin, bmax, bS);
	} else if (kind == 2) {
		cand_from_set(&run[2], bmin, bmax, bS, &res->cand);
	}
	free(run);
out:
	for (size_t j = 0; j < n; j++)
		free(kids[j]);
	free(kids);
	return res;
}

/* Branches separated by '|', up to ')' or the end. */
static struct info *parse_alt(struct rd *r)
{
	struct info *res = parse_seq(r);
	int ok = res && res->cand.n;
	while (res && r->p < r->end && *r->p == '|') {
		r->p++;
		struct info *b = parse_seq(r);
		if (!b) {
			free(res);
			return NULL;
		}
		res->minlen = res->minlen < b->minlen ? res->minlen : b->minlen;
		res->maxlen = res->maxlen > b->maxlen ? res->maxlen : b->maxlen;
		bs_or(res->bytes, b->bytes);
		lset_union(&res->pre, &b->pre);
		if (ok && b->cand.n && res->cand.n + b->cand.n <= PS_ENTRIES_MAX) {
			memcpy(&res->cand.v[res->cand.n], b->cand.v, b->cand.n * sizeof(b->cand.v[0]));
			res->cand.n += b->cand.n;
		} else {
			ok = 0;
		}
		free(b);
	}
	if (res && !ok)
		res->cand.n = 0;
	else if (res)
		cand_finish(&res->cand);
	return res;
}

int ps_literals(const struct ps_ctab *t, const char *pattern, size_t len, struct ps_prefilter *out)
{
	struct rd r = { .t = t, .p = (const uint8_t *)pattern, .end = (const uint8_t *)pattern + len };
	out->n = 0;
	out->cost = 0;
	out->why = NULL;
	struct info *i = parse_alt(&r);
	if (r.oom) {
		free(i);
		return -1;
	}
	if (i && r.p != r.end && !r.bail)
		r.bail = "an unmatched ')'";
	if (!i || r.bail) {
		out->why = r.bail ? r.bail : "unreadable";
		free(i);
		return 0;
	}
	if (!i->cand.n) {
		out->why = "no literal every match must contain";
	} else {
		out->n = i->cand.n;
		out->cost = i->cand.cost;
		memcpy(out->v, i->cand.v, i->cand.n * sizeof(i->cand.v[0]));
	}
	free(i);
	return 0;
}
