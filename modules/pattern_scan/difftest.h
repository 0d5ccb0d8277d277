/*
 * modules/pattern_scan/difftest.h - the engine's checks, shared by
 * tests/unit_engine.c and fuzz_scan.c (header-only; not part of the
 * module).  For one set of patterns and one subject:
 *
 *   - the prefiltered engine reports the same matches as the plain loop
 *     (every rule over the whole subject), rule by rule, in order;
 *   - every match of the plain loop keeps the promise of its rule's
 *     prefilter (literals.h): a literal of an entry at the offsets the
 *     entry allows, after bytes the entry allows.
 *
 * The second is the stronger: it fails on a literal the reader took as
 * required when it is not, even where the windows happen to cover the
 * match anyway.  When the plain loop fails on a PCRE2 limit, the
 * prefiltered engine may get further (it tries fewer starts), never less
 * far: the matches before the failure must agree.
 */
#ifndef CORDON_PS_DIFFTEST_H
#define CORDON_PS_DIFFTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "literals.h"

struct dt_match {
	size_t rule, a, b;
};

struct dt_list {
	struct dt_match *v;
	size_t n, cap;
	int oom;
};

struct dt {
	struct ps_engine *pf, *plain;
	struct ps_prefilter *pfs; /* each rule's, as the engine reads it */
	size_t n;
	struct dt_list got, want;
};

static int dt_collect(void *arg, size_t rule, size_t a, size_t b)
{
	struct dt_list *l = arg;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		struct dt_match *v = realloc(l->v, cap * sizeof(*v));
		if (!v) {
			l->oom = 1;
			return 1;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (struct dt_match){ rule, a, b };
	return 0;
}

static void dt_free(struct dt *d)
{
	ps_engine_free(d->pf);
	ps_engine_free(d->plain);
	free(d->pfs);
	free(d->got.v);
	free(d->want.v);
	memset(d, 0, sizeof(*d));
}

/* 0; 1 when pattern *bad does not compile; -1 out of memory. */
static int dt_init(struct dt *d, const char *const *pats, const size_t *lens, size_t n, uint32_t match_limit,
                   size_t *bad)
{
	const struct ps_ctab *ctab = ps_ctab();
	memset(d, 0, sizeof(*d));
	d->n = n;
	d->pf = ps_engine_new(1, match_limit, 4096);
	d->plain = ps_engine_new(0, match_limit, 4096);
	d->pfs = calloc(n ? n : 1, sizeof(*d->pfs));
	if (!d->pf || !d->plain || !d->pfs || !ctab)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		size_t off;
		int rc = ps_engine_add(d->pf, pats[i], lens[i], &off);
		if (rc == 0)
			rc = ps_engine_add(d->plain, pats[i], lens[i], &off);
		if (rc < 0)
			goto oom;
		if (rc > 0) {
			*bad = i;
			dt_free(d);
			return 1;
		}
		if (ps_literals(ctab, pats[i], lens[i], &d->pfs[i]) < 0)
			goto oom;
	}
	size_t nj;
	int je;
	if (ps_engine_build(d->pf, &nj, &je) < 0 || ps_engine_build(d->plain, &nj, &je) < 0)
		goto oom;
	/* what the engine uses is what is checked */
	for (size_t i = 0; i < n; i++) {
		struct ps_rule_info info;
		ps_engine_rule_info(d->pf, i, &info);
		if (!info.has_prefilter)
			d->pfs[i].n = 0;
	}
	return 0;
oom:
	dt_free(d);
	return -1;
}

/* Does a match starting at `start` keep the promise of pf? */
static int dt_promise(const struct ps_prefilter *pf, const unsigned char *s, size_t len, size_t start)
{
	for (size_t k = 0; k < pf->n; k++) {
		const struct ps_entry *e = &pf->v[k];
		for (size_t p = start; p + e->lit.len <= len; p++) {
			if (p - start > e->maxoff || (p > start && !ps_bit(e->before, s[p - 1])))
				break;
			if (p - start >= e->minoff && memcmp(s + p, e->lit.b, e->lit.len) == 0)
				return 1;
		}
	}
	return 0;
}

static void dt_show(const unsigned char *s, size_t len, size_t at, char *out, size_t cap)
{
	size_t from = at > 20 ? at - 20 : 0, o = 0;
	for (size_t i = from; i < len && i < at + 40 && o + 5 < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, s[i] >= 32 && s[i] < 127 && s[i] != '\\' ? "%c" : "\\x%02x",
		                      s[i]);
	out[o] = '\0';
}

/* 0 when both checks hold; -1 with why; -2 out of memory. */
static int dt_check(struct dt *d, const unsigned char *s, size_t len, char *why, size_t cap)
{
	size_t fr_got = 0, fr_want = 0, fo;
	int frc;
	char ctx[256];
	d->got.n = d->want.n = 0;
	d->got.oom = d->want.oom = 0;
	int rg = ps_engine_scan(d->pf, s, len, dt_collect, &d->got, &fr_got, &fo, &frc);
	int rw = ps_engine_scan(d->plain, s, len, dt_collect, &d->want, &fr_want, &fo, &frc);
	if (d->got.oom || d->want.oom)
		return -2;
	if (rg < 0 && (rw == 0 || fr_want > fr_got)) {
		snprintf(why, cap, "the prefiltered engine failed on rule %zu where the plain loop did not", fr_got);
		return -1;
	}
	/* compare up to the plain loop's failure, if any */
	size_t stop = rw < 0 ? fr_want : (size_t)-1;
	size_t i = 0, j = 0;
	for (; i < d->got.n && j < d->want.n; i++, j++) {
		const struct dt_match *g = &d->got.v[i], *w = &d->want.v[j];
		if (w->rule >= stop || g->rule >= stop)
			break;
		if (g->rule != w->rule || g->a != w->a || g->b != w->b) {
			dt_show(s, len, w->a < g->a ? w->a : g->a, ctx, sizeof(ctx));
			snprintf(why, cap, "match %zu: prefiltered rule %zu [%zu, %zu), plain rule %zu [%zu, %zu) near \"%s\"", i,
			         g->rule, g->a, g->b, w->rule, w->a, w->b, ctx);
			return -1;
		}
	}
	if (rw == 0 && rg == 0 && (i < d->got.n || j < d->want.n)) {
		const struct dt_match *x = i < d->got.n ? &d->got.v[i] : &d->want.v[j];
		dt_show(s, len, x->a, ctx, sizeof(ctx));
		snprintf(why, cap, "%s has a match more: rule %zu [%zu, %zu) near \"%s\"",
		         i < d->got.n ? "the prefiltered engine" : "the plain loop", x->rule, x->a, x->b, ctx);
		return -1;
	}
	if (rw < 0) {
		/* the failing rule: the plain loop's matches are a prefix of the other's */
		for (; j < d->want.n && d->want.v[j].rule < fr_want; j++)
			;
		for (; i < d->got.n && d->got.v[i].rule < fr_want; i++)
			;
		for (; i < d->got.n && j < d->want.n && d->got.v[i].rule == fr_want; i++, j++)
			if (d->got.v[i].a != d->want.v[j].a || d->got.v[i].b != d->want.v[j].b) {
				snprintf(why, cap, "rule %zu (failing in the plain loop): a match differs", fr_want);
				return -1;
			}
	}
	for (size_t k = 0; k < d->want.n; k++) {
		const struct dt_match *w = &d->want.v[k];
		if (d->pfs[w->rule].n && !dt_promise(&d->pfs[w->rule], s, len, w->a)) {
			dt_show(s, len, w->a, ctx, sizeof(ctx));
			snprintf(why, cap, "rule %zu: the match at %zu contains none of its required literals: \"%s\"", w->rule,
			         w->a, ctx);
			return -1;
		}
	}
	return 0;
}

/* The prefilter as text: lit@min-max ... (for messages). */
static void dt_format(const struct ps_prefilter *pf, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = '\0';
	for (size_t k = 0; k < pf->n && o + 8 < cap; k++) {
		const struct ps_entry *e = &pf->v[k];
		if (k)
			out[o++] = ' ';
		for (size_t i = 0; i < e->lit.len && o + 6 < cap; i++)
			o += (size_t)snprintf(out + o, cap - o,
			                      e->lit.b[i] >= 33 && e->lit.b[i] < 127 && e->lit.b[i] != '\\' ? "%c" : "\\x%02x",
			                      e->lit.b[i]);
		if (e->minoff || e->maxoff) {
			if (e->maxoff == PS_OFF_INF)
				o += (size_t)snprintf(out + o, cap - o, "@%zu+", e->minoff);
			else
				o += (size_t)snprintf(out + o, cap - o, "@%zu-%zu", e->minoff, e->maxoff);
		}
		if (o >= cap)
			o = cap - 1;
	}
	out[o] = '\0';
}

#endif
