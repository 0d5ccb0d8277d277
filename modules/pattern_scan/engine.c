/*
 * modules/pattern_scan/engine.c - the rules of one language over a source,
 * in one pass (see engine.h).
 *
 * Why the windows find every match the plain loop finds, and no other: the
 * plain loop's next match is the leftmost start s >= cur (cur: the end of
 * the previous match) at which the pattern matches, taking the first
 * alternative that succeeds there.  Every start at which the pattern can
 * match lies in some window (the promise of literals.h), so among the
 * windows, taken in order of their first offset and merged where they
 * touch, the first start in [max(lo, cur), hi] at which PCRE2 matches is
 * that same start, and pcre2_match() with start offset max(lo, cur) and
 * offset limit hi returns the same match (the match at a start does not
 * depend on where the search began: lookbehinds, \b and ^ read the subject
 * before the start offset; the patterns that would depend on it, with \G,
 * \K or backtracking verbs, get no prefilter).  A window that fails proves
 * that no match starts in it, so the search moves past it.
 *
 * A match attempt that hits a PCRE2 limit fails the scan as before; the
 * windows only attempt starts that the plain loop would attempt too.
 */
#define _GNU_SOURCE /* qsort_r */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "literals.h"
#include "multilit.h"

#define JIT_STACK_MAX (1u << 20)
#define WIN_FREE_ABOVE 65536 /* window buffers larger than this are not kept between scans */

struct erule {
	char *pattern; /* a copy, for the literals */
	size_t plen;
	pcre2_code *code;
	size_t e0, ne; /* entries: e->ent[e0, e0 + ne) */
	const char *why;
	/* the current scan */
	uint64_t *win; /* windows: lo << 32 | hi */
	size_t nwin, capwin;
	int dense, unsorted;
	enum ps_mode mode;
	size_t windows, calls;
};

struct eentry {
	uint32_t rule;
	size_t minoff, maxoff;
	uint8_t before[32];
	int before_all; /* every byte may come before: no run to measure */
	/* the current scan: the run of `before` bytes measured at the last hit */
	int seen;
	size_t mp, mq; /* data[mq, mp) are all `before` bytes */
	int mexact;    /* and data[mq - 1] is not (or mq is 0) */
};

struct ps_engine {
	int prefilter;
	uint32_t match_limit, heap_kib;
	struct erule *r;
	size_t n, cap;
	struct eentry *ent;
	size_t nent;
	size_t nlit;
	size_t *lit_len;
	uint32_t *lit_off, *lit_ent; /* literal i: entries lit_ent[lit_off[i], lit_off[i + 1]) */
	struct ps_ac *ac;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jit_stack;
	int no_jit; /* ps_engine_no_jit: the interpreter only */
	/* the current scan */
	const unsigned char *data;
	size_t len;
	size_t win_total, win_cap;
};

#define COMPILE_OPTIONS (PCRE2_MULTILINE | PCRE2_NEVER_UTF | PCRE2_NEVER_UCP)

struct ps_engine *ps_engine_new(int prefilter, uint32_t match_limit, uint32_t heap_limit_kib)
{
	struct ps_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->prefilter = prefilter;
	e->match_limit = match_limit;
	e->heap_kib = heap_limit_kib;
	return e;
}

void ps_engine_free(struct ps_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++) {
		free(e->r[i].pattern);
		pcre2_code_free(e->r[i].code);
		free(e->r[i].win);
	}
	free(e->r);
	free(e->ent);
	free(e->lit_len);
	free(e->lit_off);
	free(e->lit_ent);
	ps_ac_free(e->ac);
	pcre2_match_data_free(e->md);
	pcre2_match_context_free(e->mctx);
	pcre2_jit_stack_free(e->jit_stack);
	free(e);
}

size_t ps_engine_count(const struct ps_engine *e)
{
	return e->n;
}

/* The compiled pattern, or NULL with PCRE2's error code (positive) and
 * the offset in the pattern. */
static pcre2_code *compile(const char *pattern, size_t len, uint32_t extra, int *err, size_t *erroff)
{
	int ec = 0;
	PCRE2_SIZE off = 0;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)pattern, len, COMPILE_OPTIONS | extra, &ec, &off, NULL);
	*erroff = (size_t)off;
	*err = c ? 0 : (ec > 0 ? ec : 1);
	return c;
}

int ps_pattern_check(const char *pattern, size_t len, size_t *erroff)
{
	int err;
	pcre2_code_free(compile(pattern, len, 0, &err, erroff));
	return err;
}

int ps_engine_add(struct ps_engine *e, const char *pattern, size_t len, size_t *erroff)
{
	int err;
	if (e->n == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 16;
		struct erule *v = realloc(e->r, cap * sizeof(*v));
		if (!v)
			return -1;
		e->r = v;
		e->cap = cap;
	}
	struct erule *r = &e->r[e->n];
	memset(r, 0, sizeof(*r));
	if (!(r->code = compile(pattern, len, 0, &err, erroff)))
		return err;
	if (!(r->pattern = malloc(len ? len : 1))) {
		pcre2_code_free(r->code);
		return -1;
	}
	memcpy(r->pattern, pattern, len);
	r->plen = len;
	r->why = e->prefilter ? NULL : "the prefilter is off";
	e->n++;
	return 0;
}

static int cmp_lit_entry(const void *a, const void *b, void *arg)
{
	const struct ps_lit *lits = arg;
	const struct ps_lit *x = &lits[*(const uint32_t *)a], *y = &lits[*(const uint32_t *)b];
	size_t k = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->b, y->b, k);
	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* The literals of every rule with a prefilter, in one automaton. */
static int build_prefilter(struct ps_engine *e)
{
	const struct ps_ctab *ctab = ps_ctab();
	struct ps_prefilter *pf = malloc(sizeof(*pf));
	struct ps_lit *lits = NULL;
	uint32_t *order = NULL;
	const uint8_t **strs = NULL;
	int rc = -1;
	if (!pf || !ctab)
		goto out;
	size_t cap = 0, bytes = 0;
	for (size_t i = 0; i < e->n; i++) {
		struct erule *r = &e->r[i];
		if (ps_literals(ctab, r->pattern, r->plen, pf) < 0)
			goto out;
		if (!pf->n) {
			r->why = pf->why;
			continue;
		}
		size_t b = 0;
		for (size_t k = 0; k < pf->n; k++)
			b += pf->v[k].lit.len;
		if (bytes + b > PS_AC_BYTES_MAX) {
			r->why = "the rule set's literals exceed the automaton's size";
			continue;
		}
		/* the same pattern, compiled to accept an offset limit */
		int err;
		size_t off;
		pcre2_code *c = compile(r->pattern, r->plen, PCRE2_USE_OFFSET_LIMIT, &err, &off);
		if (!c)
			goto out;
		pcre2_code_free(r->code);
		r->code = c;
		bytes += b;
		if (e->nent + pf->n > cap) {
			size_t nc = cap ? 2 * cap : 256;
			while (nc < e->nent + pf->n)
				nc *= 2;
			struct eentry *v = realloc(e->ent, nc * sizeof(*v));
			struct ps_lit *l = realloc(lits, nc * sizeof(*l));
			if (v)
				e->ent = v;
			if (l)
				lits = l;
			if (!v || !l)
				goto out;
			cap = nc;
		}
		r->e0 = e->nent;
		r->ne = pf->n;
		for (size_t k = 0; k < pf->n; k++) {
			struct eentry *en = &e->ent[e->nent];
			memset(en, 0, sizeof(*en));
			en->rule = (uint32_t)i;
			en->minoff = pf->v[k].minoff;
			en->maxoff = pf->v[k].maxoff;
			memcpy(en->before, pf->v[k].before, 32);
			en->before_all = 1;
			for (int j = 0; j < 32; j++)
				en->before_all = en->before_all && en->before[j] == 0xff;
			lits[e->nent++] = pf->v[k].lit;
		}
	}
	if (!e->nent) {
		rc = 0;
		goto out;
	}
	/* one automaton string per distinct literal, each with its entries */
	order = malloc(e->nent * sizeof(*order));
	e->lit_len = malloc(e->nent * sizeof(*e->lit_len));
	e->lit_off = malloc((e->nent + 1) * sizeof(*e->lit_off));
	e->lit_ent = malloc(e->nent * sizeof(*e->lit_ent));
	strs = malloc(e->nent * sizeof(*strs));
	if (!order || !e->lit_len || !e->lit_off || !e->lit_ent || !strs)
		goto out;
	for (size_t k = 0; k < e->nent; k++)
		order[k] = (uint32_t)k;
	qsort_r(order, e->nent, sizeof(*order), cmp_lit_entry, lits);
	e->nlit = 0;
	for (size_t k = 0; k < e->nent; k++) {
		const struct ps_lit *l = &lits[order[k]];
		if (k == 0 || l->len != lits[order[k - 1]].len || memcmp(l->b, lits[order[k - 1]].b, l->len) != 0) {
			e->lit_off[e->nlit] = (uint32_t)k;
			e->lit_len[e->nlit] = l->len;
			strs[e->nlit] = l->b;
			e->nlit++;
		}
		e->lit_ent[k] = order[k];
	}
	e->lit_off[e->nlit] = (uint32_t)e->nent;
	if (!(e->ac = ps_ac_new(strs, e->lit_len, e->nlit)))
		goto out;
	rc = 0;
out:
	free(pf);
	free(lits);
	free(order);
	free(strs);
	return rc;
}

void ps_engine_no_jit(struct ps_engine *e)
{
	e->no_jit = 1;
}

int ps_engine_build(struct ps_engine *e, size_t *no_jit, int *jit_err)
{
	*no_jit = 0;
	*jit_err = 0;
	if (e->prefilter && build_prefilter(e) < 0)
		return -1;
	uint32_t max_pairs = 1;
	for (size_t i = 0; i < e->n; i++) {
		int jr = e->no_jit ? 0 : pcre2_jit_compile(e->r[i].code, PCRE2_JIT_COMPLETE);
		if (jr < 0) {
			(*no_jit)++;
			*jit_err = jr;
		}
		uint32_t caps = 0;
		if (pcre2_pattern_info(e->r[i].code, PCRE2_INFO_CAPTURECOUNT, &caps) == 0 && caps + 1 > max_pairs)
			max_pairs = caps + 1;
	}
	e->md = pcre2_match_data_create(max_pairs, NULL);
	e->mctx = pcre2_match_context_create(NULL);
	if (!e->no_jit)
		e->jit_stack = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX, NULL);
	if (!e->md || !e->mctx || (!e->no_jit && !e->jit_stack))
		return -1;
	pcre2_set_match_limit(e->mctx, e->match_limit);
	pcre2_set_depth_limit(e->mctx, e->match_limit);
	pcre2_set_heap_limit(e->mctx, e->heap_kib);
	if (e->jit_stack)
		pcre2_jit_stack_assign(e->mctx, NULL, e->jit_stack);
	return 0;
}

void ps_engine_rule_info(const struct ps_engine *e, size_t rule, struct ps_rule_info *out)
{
	const struct erule *r = &e->r[rule];
	out->has_prefilter = r->ne > 0;
	out->why = r->ne ? NULL : r->why;
	out->nliterals = r->ne;
	out->mode = r->mode;
	out->windows = r->windows;
	out->calls = r->calls;
}

/* ---- the scan ---- */

/* A rule whose windows outgrow the budget is scanned whole instead. */
static void make_dense(struct ps_engine *e, struct erule *r)
{
	r->dense = 1;
	e->win_total -= r->nwin;
	r->nwin = 0;
	free(r->win);
	r->win = NULL;
	r->capwin = 0;
}

static void push_window(struct ps_engine *e, struct erule *r, size_t lo, size_t hi)
{
	uint64_t w = (uint64_t)lo << 32 | hi;
	r->windows++;
	if (r->nwin) {
		uint64_t last = r->win[r->nwin - 1];
		if (w == last)
			return;
		if (w < last)
			r->unsorted = 1;
	}
	if (e->win_total >= e->win_cap) {
		/* over budget: the rule with the most windows goes whole */
		struct erule *big = r;
		for (size_t i = 0; i < e->n; i++)
			if (!e->r[i].dense && e->r[i].nwin > big->nwin)
				big = &e->r[i];
		make_dense(e, big);
		if (big == r)
			return;
	}
	if (r->nwin == r->capwin) {
		size_t cap = r->capwin ? 2 * r->capwin : 64;
		uint64_t *v = realloc(r->win, cap * sizeof(*v));
		if (!v) {
			make_dense(e, r); /* the whole scan needs no memory */
			return;
		}
		r->win = v;
		r->capwin = cap;
	}
	r->win[r->nwin++] = w;
	e->win_total++;
}

static void on_literal(void *arg, size_t lit, size_t end)
{
	struct ps_engine *e = arg;
	const unsigned char *d = e->data;
	size_t p = end - e->lit_len[lit];
	for (uint32_t k = e->lit_off[lit]; k < e->lit_off[lit + 1]; k++) {
		struct eentry *en = &e->ent[e->lit_ent[k]];
		struct erule *r = &e->r[en->rule];
		if (r->dense || p < en->minoff)
			continue;
		size_t hi = p - en->minoff;
		size_t lo = en->maxoff == PS_OFF_INF || p < en->maxoff ? 0 : p - en->maxoff;
		if (!en->before_all) {
			/* the match consumes only `before` bytes up to the literal */
			size_t q = p;
			while (q > lo && ps_bit(en->before, d[q - 1])) {
				q--;
				if (en->seen && q == en->mp) {
					q = en->mq > lo ? en->mq : lo;
					if (en->mexact)
						break;
				}
			}
			en->seen = 1;
			en->mp = p;
			en->mq = q;
			en->mexact = q == 0 || !ps_bit(en->before, d[q - 1]);
			lo = q;
		}
		if (lo <= hi)
			push_window(e, r, lo, hi);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

struct scan {
	struct ps_engine *e;
	ps_match_fn on_match;
	void *arg;
	size_t *fail_off;
	int *fail_rc;
};

/* Matches of rule i starting in [start, limit] (PCRE2_UNSET: anywhere)
 * from *cur on: 0 done, 1 stopped by the caller, -1 a PCRE2 failure. */
static int run(struct scan *sc, size_t i, size_t start, size_t limit, size_t *cur)
{
	struct ps_engine *e = sc->e;
	struct erule *r = &e->r[i];
	size_t len = e->len;
	if (limit != PCRE2_UNSET)
		pcre2_set_offset_limit(e->mctx, limit);
	while (start <= len && start <= limit) {
		r->calls++;
		int rc = pcre2_match(r->code, e->data, len, start, 0, e->md, e->mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			break;
		if (rc < 0) {
			*sc->fail_off = start;
			*sc->fail_rc = rc;
			return -1;
		}
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(e->md);
		size_t a = ov[0], b = ov[1];
		if (a > len || b > len || b < a) /* \K in a lookahead can do this */
			a = b = a > len ? len : a;
		if (sc->on_match(sc->arg, i, a, b))
			return 1;
		start = b > a ? b : b + 1; /* an empty match moves on by one */
		*cur = start;
	}
	return 0;
}

static int scan_rule(struct scan *sc, size_t i)
{
	struct ps_engine *e = sc->e;
	struct erule *r = &e->r[i];
	size_t cur = 0;
	if (!r->ne || r->dense) {
		r->mode = r->ne ? PS_MODE_DENSE : PS_MODE_WHOLE;
		pcre2_set_offset_limit(e->mctx, PCRE2_UNSET);
		return run(sc, i, 0, PCRE2_UNSET, &cur);
	}
	r->mode = PS_MODE_WINDOWS;
	if (r->unsorted)
		qsort(r->win, r->nwin, sizeof(*r->win), cmp_u64);
	for (size_t k = 0; k < r->nwin;) {
		size_t lo = (size_t)(r->win[k] >> 32), hi = (size_t)(r->win[k] & 0xffffffffu);
		for (k++; k < r->nwin && (size_t)(r->win[k] >> 32) <= hi + 1; k++)
			if ((size_t)(r->win[k] & 0xffffffffu) > hi)
				hi = (size_t)(r->win[k] & 0xffffffffu);
		if (hi < cur)
			continue;
		int rc = run(sc, i, lo > cur ? lo : cur, hi, &cur);
		if (rc)
			return rc;
		if (cur <= hi)
			cur = hi + 1; /* no match starts in the rest of the window */
	}
	return 0;
}

int ps_engine_scan(struct ps_engine *e, const unsigned char *data, size_t len, ps_match_fn on_match, void *arg,
                   size_t *fail_rule, size_t *fail_off, int *fail_rc)
{
	struct scan sc = { e, on_match, arg, fail_off, fail_rc };
	e->data = data;
	e->len = len;
	e->win_total = 0;
	e->win_cap = len / 8 + 4096;
	for (size_t i = 0; i < e->n; i++) {
		struct erule *r = &e->r[i];
		r->nwin = 0;
		r->unsorted = 0;
		r->windows = r->calls = 0;
		/* offsets are kept in 32 bits */
		r->dense = len > 0xfffffffeu;
	}
	for (size_t k = 0; k < e->nent; k++)
		e->ent[k].seen = 0;
	if (e->ac && len <= 0xfffffffeu)
		ps_ac_scan(e->ac, data, len, on_literal, e);
	int rc = 0;
	for (size_t i = 0; i < e->n && !rc; i++) {
		rc = scan_rule(&sc, i);
		if (rc < 0)
			*fail_rule = i;
	}
	for (size_t i = 0; i < e->n; i++)
		if (e->r[i].capwin > WIN_FREE_ABOVE) {
			free(e->r[i].win);
			e->r[i].win = NULL;
			e->r[i].capwin = 0;
		}
	e->data = NULL;
	return rc;
}
