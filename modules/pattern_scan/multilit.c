/*
 * modules/pattern_scan/multilit.c - Aho-Corasick over byte classes.
 *
 * The bytes that occur in no string share one class, every other byte has
 * its own, so the transition table has (states x classes) cells.  The trie
 * is completed into a DFA (each missing edge follows the failure link), so
 * the scan is one table load per byte.  States are numbered so that the
 * ones where a string ends come last: the scan tests one comparison per
 * byte, and only at a hit looks up which strings end there.  Transitions
 * hold the target's row offset (state x classes), not its number, which
 * saves a multiplication per byte.
 */
#include <stdlib.h>
#include <string.h>

#include "multilit.h"

struct ps_ac {
	uint16_t cls[256];
	size_t ncls;
	uint32_t *delta;    /* nstates * ncls: row offsets */
	uint32_t match_row; /* rows at or after this offset end a string */
	size_t nplain;      /* states that end no string */
	size_t maxlen;      /* of the strings */
	uint32_t *out_off;  /* per matching state: its strings in out[out_off[k], out_off[k+1]) */
	uint32_t *out;
};

void ps_ac_free(struct ps_ac *ac)
{
	if (!ac)
		return;
	free(ac->delta);
	free(ac->out_off);
	free(ac->out);
	free(ac);
}

struct ps_ac *ps_ac_new(const uint8_t *const *lits, const size_t *lens, size_t n)
{
	size_t total = 0, ac_maxlen = 0;
	for (size_t i = 0; i < n; i++) {
		if (lens[i] == 0)
			return NULL;
		total += lens[i];
		if (lens[i] > ac_maxlen)
			ac_maxlen = lens[i];
		if (total > PS_AC_BYTES_MAX)
			return NULL;
	}
	struct ps_ac *ac = calloc(1, sizeof(*ac));
	size_t maxst = total + 1, ns = 1;
	uint32_t *go = NULL, *fail = NULL, *queue = NULL, *renum = NULL;
	int32_t *own = NULL, *dict = NULL;
	if (!ac)
		return NULL;
	ac->maxlen = ac_maxlen;
	/* classes */
	uint8_t used[256] = { 0 };
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < lens[i]; k++)
			used[lits[i][k]] = 1;
	ac->ncls = 1;
	for (int b = 0; b < 256; b++)
		ac->cls[b] = used[b] ? (uint16_t)ac->ncls++ : 0;
	size_t nc = ac->ncls;
	go = calloc(maxst * nc, sizeof(*go));
	fail = calloc(maxst, sizeof(*fail));
	queue = malloc(maxst * sizeof(*queue));
	renum = malloc(maxst * sizeof(*renum));
	own = malloc(maxst * sizeof(*own));
	dict = malloc(maxst * sizeof(*dict));
	if (!go || !fail || !queue || !renum || !own || !dict)
		goto fail;
	for (size_t s = 0; s < maxst; s++)
		own[s] = dict[s] = -1;
	/* the trie: state 0 is the root; an edge to 0 is "none" while building */
	for (size_t i = 0; i < n; i++) {
		size_t s = 0;
		for (size_t k = 0; k < lens[i]; k++) {
			uint32_t *e = &go[s * nc + ac->cls[lits[i][k]]];
			if (!*e)
				*e = (uint32_t)ns++;
			s = *e;
		}
		own[s] = (int32_t)i;
	}
	/* failure links breadth first; missing edges follow them */
	size_t qh = 0, qt = 0;
	for (size_t c = 0; c < nc; c++)
		if (go[c]) {
			fail[go[c]] = 0;
			queue[qt++] = go[c];
		}
	while (qh < qt) {
		uint32_t s = queue[qh++];
		uint32_t f = fail[s];
		dict[s] = own[f] >= 0 ? (int32_t)f : dict[f];
		for (size_t c = 0; c < nc; c++) {
			uint32_t t = go[s * nc + c];
			if (t) {
				fail[t] = go[f * nc + c];
				queue[qt++] = t;
			} else {
				go[s * nc + c] = go[f * nc + c];
			}
		}
	}
	/* number: states that end no string first (the root stays 0) */
	size_t k = 0, nmatch = 0;
	for (size_t s = 0; s < ns; s++)
		if (own[s] < 0 && dict[s] < 0)
			renum[s] = (uint32_t)k++;
	ac->nplain = k;
	for (size_t s = 0; s < ns; s++)
		if (own[s] >= 0 || dict[s] >= 0) {
			renum[s] = (uint32_t)k++;
			nmatch++;
		}
	size_t nout = 0;
	for (size_t s = 0; s < ns; s++)
		for (int32_t t = own[s] >= 0 ? (int32_t)s : dict[s]; t >= 0; t = dict[t])
			nout++;
	ac->delta = malloc(ns * nc * sizeof(*ac->delta));
	ac->out_off = malloc((nmatch + 1) * sizeof(*ac->out_off));
	ac->out = malloc((nout ? nout : 1) * sizeof(*ac->out));
	if (!ac->delta || !ac->out_off || !ac->out)
		goto fail;
	for (size_t s = 0; s < ns; s++)
		for (size_t c = 0; c < nc; c++)
			ac->delta[renum[s] * nc + c] = (uint32_t)(renum[go[s * nc + c]] * nc);
	ac->match_row = (uint32_t)(ac->nplain * nc);
	/* outputs in the new numbering: the state's own string (the longest),
	 * then the shorter ones on its dictionary chain */
	uint32_t *byst = calloc(nmatch + 1, sizeof(*byst));
	if (!byst)
		goto fail;
	for (size_t s = 0; s < ns; s++)
		if (renum[s] >= ac->nplain)
			byst[renum[s] - ac->nplain] = (uint32_t)s;
	size_t o = 0;
	for (size_t m = 0; m < nmatch; m++) {
		uint32_t s = byst[m];
		ac->out_off[m] = (uint32_t)o;
		for (int32_t t = own[s] >= 0 ? (int32_t)s : dict[s]; t >= 0; t = dict[t])
			ac->out[o++] = (uint32_t)own[t];
	}
	ac->out_off[nmatch] = (uint32_t)o;
	free(byst);
	free(go);
	free(fail);
	free(queue);
	free(renum);
	free(own);
	free(dict);
	return ac;
fail:
	free(go);
	free(fail);
	free(queue);
	free(renum);
	free(own);
	free(dict);
	ps_ac_free(ac);
	return NULL;
}

static void report(const struct ps_ac *ac, uint32_t s, size_t end, ps_ac_hit_fn hit, void *arg)
{
	size_t m = s / ac->ncls - ac->nplain;
	for (uint32_t k = ac->out_off[m]; k < ac->out_off[m + 1]; k++)
		hit(arg, ac->out[k], end);
}

/* data[from, to) from state s, reporting. */
static uint32_t run1(const struct ps_ac *ac, uint32_t s, const uint8_t *data, size_t from, size_t to, ps_ac_hit_fn hit,
                     void *arg)
{
	const uint32_t *delta = ac->delta;
	const uint16_t *cls = ac->cls;
	const uint32_t mrow = ac->match_row;
	for (size_t i = from; i < to; i++) {
		s = delta[s + cls[data[i]]];
		if (__builtin_expect(s >= mrow, 0))
			report(ac, s, i + 1, hit, arg);
	}
	return s;
}

#define STREAMS 4
#define STREAM_MIN 256 /* bytes per stream below which one stream runs */

/* A transition is a dependent load, so one stream runs at the cache's
 * latency; the source is cut into STREAMS parts scanned in one
 * interleaved loop.  Each part after the first starts maxlen - 1 bytes
 * early (without reporting) so that an occurrence across the cut is found
 * by the part where it ends.  Hits then come in order within each part,
 * not overall. */
void ps_ac_scan(const struct ps_ac *ac, const uint8_t *data, size_t len, ps_ac_hit_fn hit, void *arg)
{
	if (len < STREAMS * STREAM_MIN) {
		run1(ac, 0, data, 0, len, hit, arg);
		return;
	}
	const uint32_t *delta = ac->delta;
	const uint16_t *cls = ac->cls;
	const uint32_t mrow = ac->match_row;
	size_t at[STREAMS], end[STREAMS];
	uint32_t s[STREAMS];
	for (int k = 0; k < STREAMS; k++) {
		at[k] = len / STREAMS * (size_t)k;
		end[k] = k + 1 < STREAMS ? len / STREAMS * (size_t)(k + 1) : len;
		s[k] = 0;
		size_t warm = ac->maxlen - 1 < at[k] ? ac->maxlen - 1 : at[k];
		for (size_t i = at[k] - warm; i < at[k]; i++)
			s[k] = delta[s[k] + cls[data[i]]];
	}
	size_t steps = len / STREAMS;
	uint32_t s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
	const uint8_t *d0 = data + at[0], *d1 = data + at[1], *d2 = data + at[2], *d3 = data + at[3];
	for (size_t i = 0; i < steps; i++) {
		s0 = delta[s0 + cls[d0[i]]];
		s1 = delta[s1 + cls[d1[i]]];
		s2 = delta[s2 + cls[d2[i]]];
		s3 = delta[s3 + cls[d3[i]]];
		if (__builtin_expect((s0 >= mrow) | (s1 >= mrow) | (s2 >= mrow) | (s3 >= mrow), 0)) {
			if (s0 >= mrow)
				report(ac, s0, at[0] + i + 1, hit, arg);
			if (s1 >= mrow)
				report(ac, s1, at[1] + i + 1, hit, arg);
			if (s2 >= mrow)
				report(ac, s2, at[2] + i + 1, hit, arg);
			if (s3 >= mrow)
				report(ac, s3, at[3] + i + 1, hit, arg);
		}
	}
	s[0] = s0;
	s[1] = s1;
	s[2] = s2;
	s[3] = s3;
	for (int k = 0; k < STREAMS; k++)
		run1(ac, s[k], data, at[k] + steps, end[k], hit, arg);
}
