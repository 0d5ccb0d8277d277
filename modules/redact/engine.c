/*
 * modules/redact/engine.c - the streaming part of the redaction engine: the
 * view (invisible characters and ANSI escapes left out), the scan, the
 * output with replacements, and what is held back between calls.
 *
 * Memory.  A stream holds RD_HIST bytes of view history, the bytes from the
 * first undecided position on (at most rd_config.lookahead view bytes, each
 * preceded by at most RD_RM_MAX invisible bytes) and one input slice of at
 * most RD_SLICE bytes: bounded whatever the size of the output.
 *
 * The fast path.  Ordinary output (logs, JSON, prose) holds a secret
 * rarely, so what decides the speed is how fast the scan gets past bytes
 * where no detector can start.  scan() asks each detector only where it
 * may answer anything but NO, and finds those places in layers, each a
 * necessary condition of the one after it, none a guess:
 *
 *   1. the skip (skip_fp512 with AVX-512 BW and VBMI and skip_fp64 with
 *      AVX2, 64 bytes a step; skip_fp with SSSE3, 16; skip16 or the byte
 *      loop otherwise, and always when invisible
 *      characters were left out of the view) computes, for a whole block
 *      at once, a bit for each byte where a detector's necessary condition
 *      holds: the first four bytes of a token prefix, "eyJ", "--", "-u" or
 *      "-p" (fingerprint tables looked up by nibble with PSHUFB, as in
 *      Hyperscan's Teddy: rd_config.fp_lo/fp_hi, built by rd_fp_build);
 *      three digits that go on as a card (13 bytes of digits, blanks and
 *      dashes) or as one of the SSN forms; an '=' or ':' after the last two
 *      letters of a keyword (rd_kw_tail; skip_fp512: its letters as far
 *      back as rd_kw_tail looks), or after a quote or a blank, or a ':'
 *      before '/'; each at a word start unless its first byte needs none;
 *      and the first byte of a known secret or host path anywhere.  The
 *      tables only ever answer with a superset of the bytes put in (the
 *      whole-byte tables of skip_fp512 with the bytes themselves), so a
 *      bit is missing only where the condition fails.  A token bit also
 *      has to pass the hashed four-byte filter (rd_config.tok4).
 *   2. at each bit, cand_at: the trigger table, the two-byte table pair2
 *      and rd_prefilter (the byte loop's own test: what the slow path of
 *      before did at every byte);
 *   3. the detectors (detect.c) at the positions that pass.
 * The decoders have their own search: base64 and hex runs of RD_ENC_MIN
 * bytes or more, 64 bytes a step (b64_next; runs that hold a byte that is
 * no hex digit and not letters of both cases are passed over, since
 * b64hex_at answers NO for them), escapes with memchr (esc_next); and in
 * the window after an AWS key id, aws_next finds where a bare secret key
 * may start.  The user rules' PCRE2 searches and these searches bound how
 * far the skip may go (lim).  A block the skip cannot finish (the last
 * bytes before lim or the end of the view) goes to the byte loop.
 *
 * rd_config.fp_level selects the layer-1 skip (rd_fp_build sets the best
 * the CPU has); modules/redact/tests/unit_redact_fast.c runs every level against
 * fp_level -1, the byte loop alone with no run passed over, on streams
 * dense with every detector's trigger bytes, and requires the same output.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

enum { UC_NONE = 0, UC_MATCH, UC_PARTIAL, UC_NOTHING };

/* Bytes that may begin an invisible character or an escape sequence. */
static const bool special[256] = {
	[0x07] = true, [0x1b] = true, [0xc2] = true, [0xcd] = true, [0xd8] = true,
	[0xe1] = true, [0xe2] = true, [0xe3] = true, [0xef] = true, [0xf0] = true, [0xf3] = true,
};

#define RM_SEP 0x10000 /* removable() flag: the sequence ends a string (OSC's BEL or ST): a line break in the view */

/* Default_Ignorable_Code_Point (Unicode 15) in UTF-8, as ranges of
 * sequences of the same length that differ in their last byte only, or
 * (the tag block) in their last two. */
static const struct {
	uint8_t len, b[3], lo, hi;
} ignorable[] = {
	{ 2, { 0xc2 }, 0xad, 0xad }, /* U+00AD soft hyphen */
	{ 2, { 0xcd }, 0x8f, 0x8f }, /* U+034F combining grapheme joiner */
	{ 2, { 0xd8 }, 0x9c, 0x9c }, /* U+061C Arabic letter mark */
	{ 3, { 0xe1, 0x85 }, 0x9f, 0xa0 }, /* U+115F, U+1160 Hangul fillers */
	{ 3, { 0xe1, 0x9e }, 0xb4, 0xb5 }, /* U+17B4, U+17B5 Khmer vowels inherent */
	{ 3, { 0xe1, 0xa0 }, 0x8b, 0x8f }, /* U+180B-U+180F Mongolian selectors, vowel separator */
	{ 3, { 0xe2, 0x80 }, 0x8b, 0x8f }, /* U+200B-U+200F zero-width, marks */
	{ 3, { 0xe2, 0x80 }, 0xaa, 0xae }, /* U+202A-U+202E bidi embeddings */
	{ 3, { 0xe2, 0x81 }, 0xa0, 0xaf }, /* U+2060-U+206F word joiner, invisible operators, isolates, deprecated */
	{ 3, { 0xe3, 0x85 }, 0xa4, 0xa4 }, /* U+3164 Hangul filler */
	{ 3, { 0xef, 0xb8 }, 0x80, 0x8f }, /* U+FE00-U+FE0F variation selectors */
	{ 3, { 0xef, 0xbb }, 0xbf, 0xbf }, /* U+FEFF zero-width no-break space */
	{ 3, { 0xef, 0xbe }, 0xa0, 0xa0 }, /* U+FFA0 halfwidth Hangul filler */
	{ 3, { 0xef, 0xbf }, 0xb0, 0xb8 }, /* U+FFF0-U+FFF8 unassigned, ignorable */
	{ 4, { 0xf0, 0x9b, 0xb2 }, 0xa0, 0xa3 }, /* U+1BCA0-U+1BCA3 shorthand format controls */
	{ 4, { 0xf0, 0x9d, 0x85 }, 0xb3, 0xba }, /* U+1D173-U+1D17A musical format controls */
	{ 4, { 0xf3, 0xa0, 0x80 }, 0x80, 0xbf }, /* U+E0000-U+E003F tags (the rest below) */
	{ 4, { 0xf3, 0xa0, 0x81 }, 0x80, 0xbf },
	{ 4, { 0xf3, 0xa0, 0x82 }, 0x80, 0xbf }, /* ... U+E00BF */
	{ 4, { 0xf3, 0xa0, 0x83 }, 0x80, 0xbf }, /* U+E00C0-U+E00FF */
};

/* U+E0100-U+E0FFF (variation selectors supplement, unassigned ignorables):
 * F3 A0 84..BF xx. */
static int ignorable_len(const unsigned char *b, size_t avail, int need)
{
	for (size_t k = 0; k < sizeof(ignorable) / sizeof(ignorable[0]); k++) {
		size_t n = ignorable[k].len, j = 0;
		for (; j + 1 < n; j++) {
			if (j >= avail)
				return need; /* could still be one */
			if (b[j] != ignorable[k].b[j])
				break;
		}
		if (j + 1 < n)
			continue;
		if (n - 1 >= avail)
			return need;
		if (b[n - 1] >= ignorable[k].lo && b[n - 1] <= ignorable[k].hi)
			return (int)n;
	}
	if (b[0] == 0xf3) {
		if (avail < 2)
			return need;
		if (b[1] != 0xa0)
			return 0;
		if (avail < 4)
			return need;
		if (b[2] >= 0x84 && b[2] <= 0xbf && b[3] >= 0x80 && b[3] <= 0xbf)
			return 4;
	}
	return 0;
}

/* Length of the invisible character or escape sequence at b: > 0 its
 * length (with RM_SEP when it ends an OSC string), 0 none, -1 it cannot be
 * told before more bytes arrive. */
static int removable(const unsigned char *b, size_t avail, bool eof)
{
	const int need = eof ? 0 : -1;
	switch (b[0]) {
	case 0x07: /* BEL, the end of an OSC string (a title, a hyperlink) */
		return 1 | RM_SEP;
	case 0x1b: {
		if (avail < 2)
			return need;
		unsigned c = b[1];
		if (c == '[') { /* CSI: parameters, intermediates, final byte */
			size_t k = 2;
			while (k < avail && k < 32 && b[k] >= 0x30 && b[k] <= 0x3f)
				k++;
			while (k < avail && k < 32 && b[k] >= 0x20 && b[k] <= 0x2f)
				k++;
			if (k >= 32)
				return 0;
			if (k == avail)
				return need;
			return b[k] >= 0x40 && b[k] <= 0x7e ? (int)k + 1 : 0;
		}
		if (c == ']') {
			/* OSC: the introducer and its number ("ESC ] 0 ;"), and for
			 * a hyperlink its parameters ("ESC ] 8 ; id=x ;"): its text
			 * (a title, a URI) stays in the view, since it may carry a
			 * token or a URL with a password */
			size_t k = 2;
			while (k < avail && k < 6 && b[k] >= '0' && b[k] <= '9')
				k++;
			if (k == avail)
				return need;
			if (k == 2 || k == 6 || b[k] != ';')
				return 2;
			k++;
			if (k == 4 && b[2] == '8') {
				size_t s = k;
				while (k < avail && k < s + 64 && b[k] != ';' && b[k] >= 0x20 && b[k] < 0x7f)
					k++;
				if (k == avail)
					return need;
				if (b[k] != ';')
					return (int)s;
				k++;
			}
			return (int)k;
		}
		if (c == '\\') /* ST, the end of an OSC string */
			return 2 | RM_SEP;
		if (c >= 0x20 && c <= 0x2f) { /* nF: intermediates, final byte */
			size_t k = 1;
			while (k < avail && k < 8 && b[k] >= 0x20 && b[k] <= 0x2f)
				k++;
			if (k >= 8)
				return 0;
			if (k == avail)
				return need;
			return b[k] >= 0x30 && b[k] <= 0x7e ? (int)k + 1 : 0;
		}
		if (c >= 0x30 && c <= 0x7e) /* Fp, Fe, Fs */
			return 2;
		return 0;
	}
	default:
		return ignorable_len(b, avail, need);
	}
}

struct rd_stream *rd_stream_new(const struct rd_config *c)
{
	struct rd_stream *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->cfg = c;
	st->restart = UINT64_MAX;
	st->counts = calloc(c->n_rules ? c->n_rules : 1, sizeof(*st->counts));
	st->uc = calloc(c->n_users ? c->n_users : 1, sizeof(*st->uc));
	if (!st->counts || !st->uc) {
		rd_stream_free(st);
		return NULL;
	}
	return st;
}

void rd_stream_reset(struct rd_stream *st)
{
	st->hlen = st->plen = 0;
	st->rm_carry = 0;
	st->mode = RM_NORMAL;
	st->vpos = 0;
	st->aws_until = 0;
	st->restart = UINT64_MAX;
	memset(st->counts, 0, (st->cfg->n_rules ? st->cfg->n_rules : 1) * sizeof(*st->counts));
	st->failed = false;
}

void rd_stream_free(struct rd_stream *st)
{
	if (!st)
		return;
	free(st->raw);
	free(st->view);
	free(st->map);
	free(st->rmr);
	free(st->counts);
	free(st->uc);
	free(st);
}

static int grow_raw(struct rd_stream *st, size_t need)
{
	if (st->raw && need <= st->rawcap)
		return 0;
	size_t cap = st->rawcap ? st->rawcap : 4096;
	while (cap < need)
		cap *= 2;
	unsigned char *p = realloc(st->raw, cap);
	if (!p)
		return -1;
	st->raw = p;
	st->rawcap = cap;
	return 0;
}

static int grow_view(struct rd_stream *st, size_t need)
{
	if (need <= st->vcap)
		return 0;
	size_t cap = st->vcap ? st->vcap : 4096;
	while (cap < need)
		cap *= 2;
	unsigned char *v = realloc(st->view, cap);
	if (!v)
		return -1;
	st->view = v;
	uint32_t *m = realloc(st->map, cap * sizeof(*m));
	if (!m)
		return -1;
	st->map = m;
	uint8_t *r = realloc(st->rmr, cap);
	if (!r)
		return -1;
	st->rmr = r;
	st->vcap = cap;
	return 0;
}

/* One call's working state. */
struct work {
	struct rd_stream *st;
	struct rd_scan s;
	const struct rd_sink *sink;
	const unsigned char *pend; /* the pending input */
	bool ident; /* the view is raw itself */
	size_t out; /* pending bytes before this are passed on or dropped */
	size_t norm_stop; /* pending bytes the view covers */
	unsigned norm_rm;
	bool failed;
};

/* Offset in pending of view byte i (i >= h). */
static inline size_t orig(const struct work *w, size_t i)
{
	return w->ident ? i - w->s.h : w->st->map[i];
}

static void emit_to(struct work *w, size_t o)
{
	if (o > w->out) {
		if (!w->failed && w->sink->out(w->sink->arg, w->pend + w->out, o - w->out) < 0)
			w->failed = true;
		w->out = o;
	}
}

static void emit_rule(struct work *w, int rule, const char *repl, size_t repl_len)
{
	const struct rd_rule *r = &w->st->cfg->rules[rule];
	if (!repl) {
		repl = r->repl;
		repl_len = r->repl_len;
	}
	if (!w->failed && repl_len && w->sink->out(w->sink->arg, repl, repl_len) < 0)
		w->failed = true;
	w->st->counts[rule]++;
}

/* Build the view of pending input into st->view (or use raw as it is). */
static int build_view(struct work *w, bool eof)
{
	struct rd_stream *st = w->st;
	const unsigned char *pend = st->raw + st->hlen;
	size_t plen = st->plen, i;
	w->pend = pend;
	i = 0;
	/* eight bytes at a time while none is a control byte or non-ASCII
	 * (which every special byte is) */
#ifdef __SSE2__
	/* sixteen at a time: the special bytes are BEL, ESC and bytes from
	 * 0xc2 on (-62 to -1 as signed bytes); the table decides among those */
	while (i + 16 <= plen) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(pend + i));
		__m128i hi = _mm_and_si128(_mm_cmplt_epi8(x, _mm_setzero_si128()), _mm_cmpgt_epi8(x, _mm_set1_epi8(-63)));
		__m128i ctl = _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(0x07)), _mm_cmpeq_epi8(x, _mm_set1_epi8(0x1b)));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(hi, ctl));
		while (m && !special[pend[i + (unsigned)__builtin_ctz(m)]])
			m &= m - 1; /* a letter of another script */
		if (m)
			break;
		i += 16;
	}
#endif
	while (i < plen) {
		if (i + 8 <= plen) {
			uint64_t x;
			memcpy(&x, pend + i, 8);
			if (!(((x - 0x2020202020202020ull) | x) & 0x8080808080808080ull)) {
				i += 8;
				continue;
			}
			size_t k = 0;
			while (k < 8 && !special[pend[i + k]])
				k++;
			i += k;
			if (k < 8)
				break;
			continue;
		}
		if (special[pend[i]])
			break;
		i++;
	}
	if (i == plen && st->rm_carry == 0) {
		w->ident = true;
		w->s.v = st->raw;
		w->s.n = st->hlen + plen;
		w->norm_stop = plen;
		w->norm_rm = 0;
		return 0;
	}
	if (grow_view(st, st->hlen + plen) < 0)
		return -1;
	w->ident = false;
	memcpy(st->view, st->raw, st->hlen);
	size_t vi = st->hlen;
	unsigned rm = st->rm_carry;
	i = 0;
	while (i < plen) {
		unsigned char b = pend[i];
		if (special[b]) {
			int r = removable(pend + i, plen - i, eof);
			if (r < 0)
				break;
			if (r & RM_SEP) {
				/* the end of an OSC string: a line break in the view, so
				 * that the text after it starts a word */
				st->view[vi] = '\n';
				st->map[vi] = (uint32_t)i;
				st->rmr[vi] = (uint8_t)(rm ? rm : 1);
				rm = 0;
				vi++;
				i += (size_t)(r & ~RM_SEP);
				continue;
			}
			if (r > 0 && rm + (unsigned)r <= RD_RM_MAX) {
				rm += (unsigned)r;
				i += (size_t)r;
				continue;
			}
		}
		st->view[vi] = b;
		st->map[vi] = (uint32_t)i;
		st->rmr[vi] = (uint8_t)rm;
		rm = 0;
		vi++;
		i++;
	}
	w->s.v = st->view;
	w->s.rmr = st->rmr;
	w->s.n = vi;
	w->norm_stop = i;
	w->norm_rm = rm;
	return 0;
}

/* ---- user rules ------------------------------------------------------------------ */

static int user_search(struct work *w, size_t r, size_t from)
{
	const struct rd_config *c = w->st->cfg;
	const struct rd_user *u = &c->users[r];
	struct rd_user_cache *uc = &w->st->uc[r];
	const struct rd_scan *s = &w->s;
	for (;;) {
		if (from > s->n) {
			uc->state = UC_NOTHING;
			return 0;
		}
		uint32_t opts = s->eof ? 0 : PCRE2_PARTIAL_HARD;
		/* the subject starts in the stream's history, not at its start */
		if (s->vbase > s->h)
			opts |= PCRE2_NOTBOL;
		int rc = pcre2_match(u->re, s->v, s->n, from, opts, u->md, NULL);
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(u->md);
		if (rc == PCRE2_ERROR_NOMATCH) {
			uc->state = UC_NOTHING;
			return 0;
		}
		if (rc == PCRE2_ERROR_PARTIAL) {
			size_t at = ov[0] > from ? ov[0] : from;
			if (s->n - at < c->max_match) {
				uc->state = UC_PARTIAL;
				uc->s = at;
				return 0;
			}
			/* It cannot be decided within max_match: decide on what is there. */
			rc = pcre2_match(u->re, s->v, s->n, at, PCRE2_ANCHORED | (opts & PCRE2_NOTBOL), u->md, NULL);
			if (rc == PCRE2_ERROR_NOMATCH) {
				from = at + 1;
				continue;
			}
		}
		if (rc < 0 && rc != PCRE2_ERROR_NOMATCH)
			return -1; /* match limit or another error: fail closed */
		size_t ms = ov[0], me = ov[1];
		if (ms < from || me <= ms) { /* empty (or \K oddities): nothing to replace here */
			from = (ms > from ? ms : from) + 1;
			continue;
		}
		size_t rs = ms, re = me;
		if (u->group > 0 && (size_t)rc > (size_t)u->group) {
			PCRE2_SIZE gs = ov[2 * u->group], ge = ov[2 * u->group + 1];
			if (gs != PCRE2_UNSET && ge > gs) {
				rs = gs;
				re = ge;
			}
		}
		if (u->luhn && !rd_luhn(s->v + rs, re - rs)) {
			from = ms + 1;
			continue;
		}
		if (rs < from) {
			from = ms + 1;
			continue;
		}
		uc->state = UC_MATCH;
		uc->s = ms;
		uc->e = me;
		uc->rs = rs;
		uc->re = re;
		return 0;
	}
}

/* ---- the scan ----------------------------------------------------------------- */

static void consider(bool *more, bool *have, struct rd_match *best, int r, const struct rd_match *m)
{
	if (r == RD_MORE)
		*more = true;
	else if (r == RD_MATCH && (!*have || m->end > best->end)) {
		*have = true;
		*best = *m;
	}
}

static int lits_at(const struct work *w, size_t p, struct rd_match *m)
{
	const struct rd_config *c = w->st->cfg;
	const struct rd_scan *s = &w->s;
	unsigned char b = s->v[p];
	bool more = false, have = false;
	for (size_t k = c->lit_start[b]; k < c->lit_start[b + 1]; k++) {
		const struct rd_lit *l = &c->lits[c->lit_index[k]];
		size_t avail = s->n - p;
		size_t cmp = avail < l->len ? avail : l->len;
		if (memcmp(s->v + p, l->s, cmp) != 0)
			continue;
		if (cmp < l->len) {
			if (!s->eof)
				more = true;
			continue;
		}
		if (!have || p + l->len > m->end) {
			have = true;
			m->rs = p;
			m->re = m->end = p + l->len;
			m->rule = l->rule;
			m->mode = RM_NORMAL;
			m->cls = 0;
			m->dotjoin = false;
			m->repl = NULL;
			m->repl_len = 0;
		}
	}
	return more ? RD_MORE : have ? RD_MATCH : RD_NO;
}

/* Swallow in a block or token mode from *pp: 1 when it must wait at *pp. */
static int swallow(struct work *w, size_t *pp)
{
	struct rd_stream *st = w->st;
	const struct rd_scan *s = &w->s;
	size_t p = *pp, n = s->n;
	int wait = 0;
	switch (st->mode) {
	case RM_PEM:
		while (p < n) {
			const unsigned char *d = memchr(s->v + p, '-', n - p);
			if (!d) {
				p = n;
				break;
			}
			p = (size_t)(d - s->v);
			size_t e;
			int r = rd_pem_end(s, p, &e);
			if (r == 2) {
				wait = 1;
				break;
			}
			if (r == 1) {
				p = e;
				st->mode = RM_NORMAL;
				break;
			}
			p++;
		}
		break;
	case RM_CLASS:
		while (p < n) {
			unsigned char c = s->v[p];
			if (rd_cls[c] & st->mcls) {
				p++;
				continue;
			}
			if (st->mdot && c == '.') {
				int c2 = rd_ch(s, p + 1);
				if (c2 == RD_NEED) {
					wait = 1;
					break;
				}
				if (c2 >= 0 && (rd_cls[c2] & st->mcls)) {
					p += 2;
					continue;
				}
			}
			st->mode = RM_NORMAL;
			break;
		}
		break;
	case RM_UNTIL:
		while (p < n) {
			unsigned char c = s->v[p];
			if (c == st->mcls || c == '\n' || c == '\r') {
				st->mode = RM_NORMAL;
				break;
			}
			p++;
		}
		break;
	case RM_NORMAL:
		break;
	}
	if (p > *pp)
		w->out = orig(w, p - 1) + 1; /* dropped */
	*pp = p;
	return wait;
}

static void apply(struct work *w, const struct rd_match *m)
{
	struct rd_stream *st = w->st;
	emit_to(w, orig(w, m->rs));
	emit_rule(w, m->rule, m->repl, m->repl_len);
	w->out = orig(w, m->re - 1) + 1;
	st->mode = m->mode;
	st->mcls = m->cls;
	st->mdot = m->dotjoin;
	st->mrule = m->rule;
	if (m->rule == RB_AWS_ID)
		st->aws_until = w->s.vbase + (m->end - w->s.h) + RD_AWS_WINDOW;
	if (m->mode == RM_NORMAL)
		st->restart = w->s.vbase + (m->end - w->s.h);
}

#ifdef __SSE2__
/* The skip, sixteen bytes at a time (a view with nothing left out): the
 * candidates are the bytes after one that is no letter or digit, and the
 * trigger bytes that need no word boundary (c->anywhere); each is put to
 * the same test as in the byte loop below.  Returns the first position
 * that passes, or where fewer than sixteen bytes are left before lim. */
static size_t skip16(const struct rd_config *c, const struct rd_scan *s, size_t p, size_t lim)
{
	const unsigned char *v = s->v;
	size_t n = s->n;
	while (p + 16 <= lim) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(v + p));
		__m128i lo = _mm_or_si128(x, _mm_set1_epi8(0x20));
		__m128i let = _mm_and_si128(_mm_cmpgt_epi8(lo, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(lo, _mm_set1_epi8('z' + 1)));
		__m128i dig = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
		uint32_t alnum = (uint32_t)_mm_movemask_epi8(_mm_or_si128(let, dig));
		__m128i any = _mm_setzero_si128();
		for (int k = 0; k < c->n_anywhere; k++)
			any = _mm_or_si128(any, _mm_cmpeq_epi8(x, _mm_set1_epi8((char)c->anywhere[k])));
		uint32_t prev = alnum << 1 | (p > 0 && (rd_cls[v[p - 1]] & CC_ALNUM) ? 1u : 0u);
		uint32_t cand = ((~prev) | (uint32_t)_mm_movemask_epi8(any)) & 0xffffu;
		while (cand) {
			unsigned k = (unsigned)__builtin_ctz(cand);
			size_t q = p + k;
			cand &= cand - 1;
			if (q + 1 < n) {
				unsigned pr = (unsigned)v[q] << 8 | v[q + 1];
				if (!(c->pair2[pr >> 3] & (1u << (pr & 7))))
					continue;
			}
			uint16_t t = c->trig[v[q]];
			bool inword = (prev >> k) & 1u;
			if (t && (!(t & TR_BOUND) || !inword) && (q + 3 >= n || rd_prefilter(s, q, t & (uint16_t)~TR_BOUND)))
				return q;
		}
		p += 16;
	}
	return p;
}
#endif

/* The byte test of the skip at q: some detector may start there (the
 * same test as the byte loop in scan()). */
static inline bool cand_at(const struct rd_config *c, const struct rd_scan *s, size_t q, bool inword)
{
	const unsigned char *v = s->v;
	if (q + 1 < s->n) {
		unsigned pr = (unsigned)v[q] << 8 | v[q + 1];
		if (!(c->pair2[pr >> 3] & (1u << (pr & 7))))
			return false;
	}
	uint16_t t = c->trig[v[q]];
	return t && (!(t & TR_BOUND) || !inword) && (q + 3 >= s->n || rd_prefilter(s, q, t & (uint16_t)~TR_BOUND));
}

/* The first bit k of cand where cand_at passes at p + k (bit k of prev:
 * the byte before p + k is a letter or digit), or SIZE_MAX. */
static inline size_t first_cand(const struct rd_config *c, const struct rd_scan *s, size_t p, uint64_t cand,
                                uint64_t prev)
{
	while (cand) {
		unsigned k = (unsigned)__builtin_ctzll(cand);
		cand &= cand - 1;
		if (cand_at(c, s, p + k, (prev >> k) & 1u))
			return p + k;
	}
	return SIZE_MAX;
}

/* first_cand out of line: the 64-byte skips' loops keep their registers */
__attribute__((noinline)) static size_t first_cand_out(const struct rd_config *c, const struct rd_scan *s, size_t p,
                                                      uint64_t cand, uint64_t prev)
{
	return first_cand(c, s, p, cand, prev);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <tmmintrin.h>
#define RD_HAVE_FP 1
/* The fingerprint skip, sixteen view bytes at a time (a view with nothing
 * left out, SSSE3): a bit for each byte where a detector's necessary
 * condition holds, computed for all sixteen at once, and the byte test
 * (cand_at) only at those bits.  The conditions, each implied by what
 * cand_at and the detectors behind it require:
 *   - a prefixed token, a JWT ("eyJ"), a PEM block or a command-line
 *     option ("--", "-u", "-p"): the first four bytes are in one bucket
 *     of the fingerprint tables (rd_fp_build; PSHUFB by low and by high
 *     nibble, as in Hyperscan's Teddy);
 *   - a card or an SSN: the digits and separators of rd_prefilter, as bit
 *     masks over the next 32 bytes;
 *   - an assignment ('=' or ':'): the byte before is the last letter of a
 *     keyword and the one before that its middle letter, or a quote or a
 *     blank comes between (rd_kw_tail), or "://" begins;
 *   - each of these at a word start, or at a byte that needs none;
 *   - the first byte of a known secret or a host path, anywhere.
 * Returns the first position that passes cand_at, or where fewer than 16
 * bytes are left before lim or 32 before the end of the view (the byte
 * loop goes on from there). */
__attribute__((target("ssse3"))) static size_t skip_fp(const struct rd_config *c, const struct rd_scan *s, size_t p,
                                                        size_t lim)
{
	const unsigned char *v = s->v;
	size_t n = s->n;
	for (; p < 2 && p < lim; p++)
		if (cand_at(c, s, p, p > 0 && (rd_cls[v[p - 1]] & CC_ALNUM)))
			return p;
	const __m128i nib = _mm_set1_epi8(0x0f);
	__m128i lo0 = _mm_loadu_si128((const __m128i *)(const void *)c->fp_lo[0]);
	__m128i hi0 = _mm_loadu_si128((const __m128i *)(const void *)c->fp_hi[0]);
	__m128i lo1 = _mm_loadu_si128((const __m128i *)(const void *)c->fp_lo[1]);
	__m128i hi1 = _mm_loadu_si128((const __m128i *)(const void *)c->fp_hi[1]);
	__m128i lo2 = _mm_loadu_si128((const __m128i *)(const void *)c->fp_lo[2]);
	__m128i hi2 = _mm_loadu_si128((const __m128i *)(const void *)c->fp_hi[2]);
	__m128i lo3 = _mm_loadu_si128((const __m128i *)(const void *)c->fp_lo[3]);
	__m128i hi3 = _mm_loadu_si128((const __m128i *)(const void *)c->fp_hi[3]);
#define LD(o) _mm_loadu_si128((const __m128i *)(const void *)(v + p + (o)))
#define EQ(x, b) _mm_cmpeq_epi8((x), _mm_set1_epi8((char)(b)))
#define MM(x) ((uint32_t)_mm_movemask_epi8(x))
#define BUCKETS(x, lo, hi) \
	_mm_and_si128(_mm_shuffle_epi8((lo), _mm_and_si128((x), nib)), \
	              _mm_shuffle_epi8((hi), _mm_and_si128(_mm_srli_epi16((x), 4), nib)))
#define DIGITS(x) _mm_and_si128(_mm_cmpgt_epi8((x), _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8((x), _mm_set1_epi8('9' + 1)))
	while (p + 16 <= lim && p + 32 <= n) {
		__m128i x0 = LD(0), x1 = LD(1), x2 = LD(2), x3 = LD(3);
		__m128i f = _mm_and_si128(_mm_and_si128(BUCKETS(x0, lo0, hi0), BUCKETS(x1, lo1, hi1)),
		                          _mm_and_si128(BUCKETS(x2, lo2, hi2), BUCKETS(x3, lo3, hi3)));
		uint32_t cand = ~MM(_mm_cmpeq_epi8(f, _mm_setzero_si128())) & 0xffffu;
		if (c->fp_digit) {
			__m128i x16 = LD(16);
			uint32_t d = MM(DIGITS(x0)) | MM(DIGITS(x16)) << 16;
			uint32_t sd = MM(_mm_or_si128(EQ(x0, ' '), EQ(x0, '-'))) | MM(_mm_or_si128(EQ(x16, ' '), EQ(x16, '-'))) << 16;
			uint32_t sep = sd | MM(EQ(x0, '.')) | MM(EQ(x16, '.')) << 16;
			uint32_t d3 = d & d >> 1 & d >> 2, ds = d | sd, d6 = d3 >> 4 & d >> 7 & d >> 8 & d >> 9;
			/* a card: 13 to 19 digits, first group of four, one blank
			 * or dash between groups: its first 13 bytes are digits
			 * or those separators */
			uint32_t card = d3 & d >> 3, w = ds >> 4;
			for (int k = 5; k <= 12; k++)
				w &= ds >> k;
			card &= w;
			/* an SSN: ddddddddd, ddddd-dddd, ddd-dd-dddd, ddd-dddddd
			 * (ssn_at; '-', ' ' or '.') */
			uint32_t ssn = d3 & ((d >> 3 & d >> 4 & d >> 5 & d >> 6 & d >> 7 & d >> 8) |
			                     (d >> 3 & d >> 4 & sep >> 5 & d >> 6 & d >> 7 & d >> 8 & d >> 9) |
			                     (sep >> 3 & d >> 4 & d >> 5 & sep >> 6 & d >> 7 & d >> 8 & d >> 9 & d >> 10) |
			                     (sep >> 3 & d >> 4 & d >> 5 & d6));
			cand |= card | ssn;
		}
		if (c->fp_assign) {
			uint32_t col = MM(EQ(x0, ':'));
			uint32_t at = MM(EQ(x0, '=')) | col;
			if (at & 0xffffu) {
				__m128i y1 = LD(-1), y2 = LD(-2);
				__m128i l1 = _mm_or_si128(y1, _mm_set1_epi8(0x20)), l2 = _mm_or_si128(y2, _mm_set1_epi8(0x20));
#define LAST(l) _mm_or_si128(_mm_or_si128(_mm_or_si128(EQ(l, 'd'), EQ(l, 'e')), _mm_or_si128(EQ(l, 's'), EQ(l, 't'))), \
                             _mm_or_si128(EQ(l, 'y'), EQ(l, 'n')))
#define QUOTE(y) _mm_or_si128(_mm_or_si128(EQ(y, '"'), EQ(y, '\'')), EQ(y, '`'))
#define BLANK(y) _mm_or_si128(EQ(y, ' '), EQ(y, '\t'))
				__m128i mid2 = _mm_or_si128(_mm_or_si128(_mm_or_si128(EQ(l2, 'r'), EQ(l2, 'w')), _mm_or_si128(EQ(l2, 'i'), EQ(l2, 's'))),
				                            _mm_or_si128(_mm_or_si128(EQ(l2, 'l'), EQ(l2, 'e')), EQ(l2, 'o')));
				__m128i last2 = LAST(l2), q2 = QUOTE(y2), b2 = BLANK(y2);
				__m128i kw = _mm_or_si128(_mm_or_si128(_mm_and_si128(LAST(l1), mid2), _mm_and_si128(QUOTE(y1), last2)),
				                          _mm_and_si128(BLANK(y1), _mm_or_si128(_mm_or_si128(b2, q2), last2)));
				cand |= (at & MM(kw)) | (col & MM(EQ(x1, '/')));
#undef LAST
#undef QUOTE
#undef BLANK
			}
		}
		/* at a word start, or at a byte that needs none */
		__m128i l0 = _mm_or_si128(x0, _mm_set1_epi8(0x20));
		__m128i let = _mm_and_si128(_mm_cmpgt_epi8(l0, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(l0, _mm_set1_epi8('z' + 1)));
		uint32_t alnum = MM(_mm_or_si128(let, DIGITS(x0)));
		uint32_t prev = alnum << 1 | ((rd_cls[v[p - 1]] & CC_ALNUM) ? 1u : 0u);
		__m128i nb = _mm_setzero_si128(), al = _mm_setzero_si128();
		for (int k = 0; k < c->n_anywhere; k++)
			nb = _mm_or_si128(nb, EQ(x0, c->anywhere[k]));
		for (int k = 0; k < c->n_fp_always; k++)
			al = _mm_or_si128(al, EQ(x0, c->fp_always[k]));
		size_t q = first_cand(c, s, p, (cand & (~prev | MM(nb)) & 0xffffu) | MM(al), prev);
		if (q != SIZE_MAX)
			return q;
		p += 16;
	}
#undef LD
#undef EQ
#undef MM
#undef BUCKETS
#undef DIGITS
	return p;
}

#include <immintrin.h>
/* The card and SSN starts of a 64-byte block, from its masks of digits
 * (d), separators ' ', '-', '.' (sep) and ' ', '-' (sd) and those of the
 * next sixteen bytes (dn, sepn, sdn): runs of digits (dK: K digits from
 * here on) and of digits and blanks or dashes (sK) by doubling.  Out of
 * line: the 64-byte skips' loops keep their registers. */
__attribute__((noinline)) static uint64_t digit_runs(uint64_t d, uint64_t sep, uint64_t sd, uint64_t dn, uint64_t sepn,
                                                     uint64_t sdn)
{
	typedef unsigned __int128 u128;
	u128 D = (u128)dn << 64 | d, S = (u128)sepn << 64 | sep, DS = (u128)(dn | sdn) << 64 | (d | sd);
	u128 d2 = D & D >> 1, d3 = d2 & D >> 2, d4 = d2 & d2 >> 2, d8 = d4 & d4 >> 4;
	u128 s2 = DS & DS >> 1, s4 = s2 & s2 >> 2, s9 = s4 & s4 >> 4 & DS >> 8;
	/* a card: four digits, then nine digits, blanks or dashes */
	uint64_t card = (uint64_t)(d4 & s9 >> 4);
	/* an SSN: ddddddddd, ddddd-dddd, ddd-dd-dddd, ddd-dddddd */
	uint64_t ssn = (uint64_t)((d8 & D >> 8) | (d4 & D >> 4 & S >> 5 & d4 >> 6) | (d3 & S >> 3 & d2 >> 4 & S >> 6 & d4 >> 7) |
	                          (d3 & S >> 3 & d4 >> 4 & d2 >> 8));
	return card | ssn;
}

/* The same conditions 64 bytes at a time (AVX2): the token fingerprint
 * as above; the others from two class tables looked up by nibble
 * (rd_config.fp_cls_*: each class a superset of its bytes) as 64-bit
 * masks, where a byte's neighbours are a shift away.  The bytes before p
 * count as members of every class.  Goes on with skip_fp for the last
 * bytes before lim or the end of the view. */
__attribute__((target("avx2"))) static size_t skip_fp64(const struct rd_config *c, const struct rd_scan *s, size_t p,
                                                         size_t lim)
{
	const unsigned char *v = s->v;
	size_t n = s->n;
	if (p < 2)
		return skip_fp(c, s, p, lim);
	const __m256i nib = _mm256_set1_epi8(0x0f);
#define T256(a) _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)(a)))
	const __m256i lo0 = T256(c->fp_lo[0]), hi0 = T256(c->fp_hi[0]), lo1 = T256(c->fp_lo[1]), hi1 = T256(c->fp_hi[1]);
	const __m256i lo2 = T256(c->fp_lo[2]), hi2 = T256(c->fp_hi[2]), lo3 = T256(c->fp_lo[3]), hi3 = T256(c->fp_hi[3]);
	const __m256i ca_lo = T256(c->fp_cls_lo[0]), ca_hi = T256(c->fp_cls_hi[0]);
	const __m256i cb_lo = T256(c->fp_cls_lo[1]), cb_hi = T256(c->fp_cls_hi[1]);
	const __m128i ca_lo16 = _mm_loadu_si128((const __m128i *)(const void *)c->fp_cls_lo[0]);
	const __m128i ca_hi16 = _mm_loadu_si128((const __m128i *)(const void *)c->fp_cls_hi[0]);
#undef T256
#define LD(o) _mm256_loadu_si256((const __m256i *)(const void *)(v + p + (o)))
#define LOOK(x, lo, hi) \
	_mm256_and_si256(_mm256_shuffle_epi8((lo), _mm256_and_si256((x), nib)), \
	                 _mm256_shuffle_epi8((hi), _mm256_and_si256(_mm256_srli_epi16((x), 4), nib)))
#define MM(x) ((uint64_t)(uint32_t)_mm256_movemask_epi8(x))
#define M64(a, b) (MM(a) | MM(b) << 32)
/* bit k of each byte, as a mask (its top bit after a 16-bit shift) */
#define BIT(x, k) _mm256_slli_epi16((x), 7 - (k))
#define CLS(a, b, k) M64(BIT(a, k), BIT(b, k))
/* the mask of bytes i + k, k in 1 .. 63, the next block's in nx */
#define AHEAD(m, nx, k) ((m) >> (k) | (nx) << (64 - (k)))
	/* before p: every class */
	uint64_t pmrwi = ~0ull, pmsl = ~0ull, pmeo = ~0ull, ptail = ~0ull, pqb = ~0ull;
	while (p + 64 <= lim && p + 80 <= n) {
		__m256i xa = LD(0), xb = LD(32);
		/* tokens, JWTs, PEM blocks, command-line options */
		__m256i fa = _mm256_and_si256(_mm256_and_si256(LOOK(xa, lo0, hi0), LOOK(LD(1), lo1, hi1)),
		                              _mm256_and_si256(LOOK(LD(2), lo2, hi2), LOOK(LD(3), lo3, hi3)));
		__m256i fb = _mm256_and_si256(_mm256_and_si256(LOOK(xb, lo0, hi0), LOOK(LD(33), lo1, hi1)),
		                              _mm256_and_si256(LOOK(LD(34), lo2, hi2), LOOK(LD(35), lo3, hi3)));
		__m256i z = _mm256_setzero_si256();
		/* buckets 0-6 tokens, bucket 7 (the top bit) the others */
		__m256i tb = _mm256_set1_epi8(0x7f);
		uint64_t tokm = ~M64(_mm256_cmpeq_epi8(_mm256_and_si256(fa, tb), z), _mm256_cmpeq_epi8(_mm256_and_si256(fb, tb), z));
		uint64_t cand = M64(fa, fb);
		__m256i ka = LOOK(xa, ca_lo, ca_hi), kb = LOOK(xb, ca_lo, ca_hi);
		__m128i xc = _mm_loadu_si128((const __m128i *)(const void *)(v + p + 64));
		__m128i kc = _mm_and_si128(_mm_shuffle_epi8(ca_lo16, _mm_and_si128(xc, _mm_set1_epi8(0x0f))),
		                           _mm_shuffle_epi8(ca_hi16, _mm_and_si128(_mm_srli_epi16(xc, 4), _mm_set1_epi8(0x0f))));
		/* cards and SSNs */
		if (c->fp_digit) {
			uint64_t d = CLS(ka, kb, FPC_DIGIT);
			uint64_t dn = (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_slli_epi16(kc, 7 - FPC_DIGIT));
			/* three digits in a row somewhere (the next block's first two count) */
			if (d & (d >> 1 | dn << 63) & (d >> 2 | dn << 62))
				cand |= digit_runs(d, CLS(ka, kb, FPC_SEP), CLS(ka, kb, FPC_SD), dn,
				                   (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_slli_epi16(kc, 7 - FPC_SEP)),
				                   (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_slli_epi16(kc, 7 - FPC_SD)));
		}
		__m256i ba = LOOK(xa, cb_lo, cb_hi), bb = LOOK(xb, cb_lo, cb_hi);
		/* assignments: the end of a keyword before, or a quote or a
		 * blank and the end of a keyword or another before that; or
		 * "://".  tail: the last two letters of a keyword end here. */
		uint64_t qb = CLS(ka, kb, FPC_QB);
		uint64_t tail = (CLS(ka, kb, FPC_LD) & (CLS(ba, bb, FPC_MRWI) << 1 | pmrwi >> 63)) |
		                (CLS(ka, kb, FPC_LES) & (CLS(ba, bb, FPC_MSL) << 1 | pmsl >> 63)) |
		                ((CLS(ba, bb, FPC_LTY) | CLS(ba, bb, FPC_LN)) & (CLS(ba, bb, FPC_MEO) << 1 | pmeo >> 63));
		if (c->fp_assign) {
			uint64_t at = CLS(ka, kb, FPC_ASSIGN);
			if (at) {
				uint64_t t1 = tail << 1 | ptail >> 63, t2 = tail << 2 | ptail >> 62;
				uint64_t q1 = qb << 1 | pqb >> 63, q2 = qb << 2 | pqb >> 62;
				uint64_t sl = CLS(ka, kb, FPC_SLASH);
				uint64_t sln = (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_slli_epi16(kc, 7 - FPC_SLASH));
				cand |= (at & (t1 | (q1 & (q2 | t2)))) | (CLS(ba, bb, FPC_COLON) & AHEAD(sl, sln, 1));
			}
		}
		pmrwi = CLS(ba, bb, FPC_MRWI);
		pmsl = CLS(ba, bb, FPC_MSL);
		pmeo = CLS(ba, bb, FPC_MEO);
		ptail = tail;
		pqb = qb;
		/* at a word start, or at a byte that needs none; known secrets anywhere */
		__m256i la = _mm256_or_si256(xa, _mm256_set1_epi8(0x20)), lb = _mm256_or_si256(xb, _mm256_set1_epi8(0x20));
#define ALNUM(x, l)                                                                                                     \
	_mm256_or_si256(_mm256_and_si256(_mm256_cmpgt_epi8((l), _mm256_set1_epi8('a' - 1)),                              \
	                                 _mm256_cmpgt_epi8(_mm256_set1_epi8('z' + 1), (l))),                             \
	                _mm256_and_si256(_mm256_cmpgt_epi8((x), _mm256_set1_epi8('0' - 1)),                              \
	                                 _mm256_cmpgt_epi8(_mm256_set1_epi8('9' + 1), (x))))
		uint64_t alnum = M64(ALNUM(xa, la), ALNUM(xb, lb));
#undef ALNUM
		uint64_t prev = alnum << 1 | ((rd_cls[v[p - 1]] & CC_ALNUM) ? 1u : 0u);
		uint64_t where = ~prev | CLS(ba, bb, FPC_NB);
		/* a token's first four bytes pass the hashed filter (rd_prefilter) */
		tokm &= where & ~cand;
		while (tokm) {
			unsigned k = (unsigned)__builtin_ctzll(tokm);
			tokm &= tokm - 1;
			unsigned h = rd_tok4_hash(v + p + k);
			cand |= (uint64_t)((c->tok4[h >> 3] >> (h & 7)) & 1u) << k;
		}
		size_t q = first_cand(c, s, p, (cand & where) | CLS(ba, bb, FPC_ALWAYS), prev);
		if (q != SIZE_MAX)
			return q;
		p += 64;
	}
#undef LD
#undef LOOK
#undef MM
#undef M64
#undef BIT
#undef CLS
#undef AHEAD
	return skip_fp(c, s, p, lim);
}
#endif

#if defined(__x86_64__) && defined(__GNUC__)
/* skip_fp64 with AVX-512 (BW and VBMI): the same conditions over the
 * same 64-byte blocks, from the whole-byte tables (rd_config.fp_x,
 * fp_cls_x: VPERMI2B looks up 128 entries, exact where the nibble tables
 * answer with a superset, so fewer bytes go on to the byte test), each
 * class a single test into a mask register.  Goes on with skip_fp64 for
 * the last bytes before lim or the end of the view. */
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) static size_t skip_fp512(const struct rd_config *c,
                                                                                 const struct rd_scan *s, size_t p,
                                                                                 size_t lim)
{
	const unsigned char *v = s->v;
	size_t n = s->n;
	if (p < 5)
		return skip_fp64(c, s, p, lim); /* the keyword test looks five bytes back */
#define TAB(a) _mm512_loadu_si512((const void *)(a))
	const __m512i f0a = TAB(c->fp_x[0]), f0b = TAB(c->fp_x[0] + 64), f1a = TAB(c->fp_x[1]), f1b = TAB(c->fp_x[1] + 64);
	const __m512i f2a = TAB(c->fp_x[2]), f2b = TAB(c->fp_x[2] + 64), f3a = TAB(c->fp_x[3]), f3b = TAB(c->fp_x[3] + 64);
	const __m512i caa = TAB(c->fp_cls_x[0]), cab = TAB(c->fp_cls_x[0] + 64);
	const __m512i cba = TAB(c->fp_cls_x[1]), cbb = TAB(c->fp_cls_x[1] + 64);
	const __m512i kwa = TAB(c->fp_kw_x), kwb = TAB(c->fp_kw_x + 64), zero = _mm512_setzero_si512();
#undef TAB
	const __m512i f0h = _mm512_set1_epi8((char)c->fp_xhi[0]), f1h = _mm512_set1_epi8((char)c->fp_xhi[1]);
	const __m512i f2h = _mm512_set1_epi8((char)c->fp_xhi[2]), f3h = _mm512_set1_epi8((char)c->fp_xhi[3]);
	const __m512i cah = _mm512_set1_epi8((char)c->fp_cls_xhi[0]), cbh = _mm512_set1_epi8((char)c->fp_cls_xhi[1]);
#define LD(o) _mm512_loadu_si512((const void *)(v + p + (o)))
/* the table's entry for each byte: VPERMI2B by its low seven bits, the
 * *_xhi answer where the top bit is set */
#define LOOK(x, ta, tb, th) _mm512_mask_blend_epi8(_mm512_movepi8_mask(x), _mm512_permutex2var_epi8((ta), (x), (tb)), (th))
#define CLS(x, k) ((uint64_t)_mm512_test_epi8_mask((x), _mm512_set1_epi8((char)(1u << (k)))))
/* the keyword letters of each byte (none from 0x80 on) */
#define KW(x) _mm512_mask_blend_epi8(_mm512_movepi8_mask(x), _mm512_permutex2var_epi8(kwa, (x), kwb), zero)
#define AHEAD(m, nx, k) ((m) >> (k) | (nx) << (64 - (k)))
	uint64_t ptail = ~0ull, pqb = ~0ull;
	while (p + 64 <= lim && p + 80 <= n) {
		__m512i x = LD(0);
		/* tokens, JWTs, PEM blocks, command-line options */
		__m512i f = _mm512_and_si512(_mm512_and_si512(LOOK(x, f0a, f0b, f0h), LOOK(LD(1), f1a, f1b, f1h)),
		                             _mm512_and_si512(LOOK(LD(2), f2a, f2b, f2h), LOOK(LD(3), f3a, f3b, f3h)));
		/* buckets 0-6 tokens, bucket 7 (the top bit) the others */
		uint64_t tokm = (uint64_t)_mm512_test_epi8_mask(f, _mm512_set1_epi8(0x7f));
		uint64_t cand = (uint64_t)_mm512_movepi8_mask(f);
		__m512i k = LOOK(x, caa, cab, cah);
		__m512i xn = _mm512_maskz_loadu_epi8((__mmask64)0xffff, (const void *)(v + p + 64)); /* 16 bytes */
		__m512i kn = LOOK(xn, caa, cab, cah);
		/* cards and SSNs */
		if (c->fp_digit) {
			uint64_t d = CLS(k, FPC_DIGIT);
			/* three digits in a row somewhere (the next block's first two count) */
			uint64_t dn = CLS(kn, FPC_DIGIT) & 0xffff;
			if (d & (d >> 1 | dn << 63) & (d >> 2 | dn << 62))
				cand |= digit_runs(d, CLS(k, FPC_SEP), CLS(k, FPC_SD), dn, CLS(kn, FPC_SEP) & 0xffff,
				                   CLS(kn, FPC_SD) & 0xffff);
		}
		__m512i b = LOOK(x, cba, cbb, cbh);
		uint64_t qb = CLS(k, FPC_QB);
		/* tail: a keyword of rd_kw_tail ends here, its letters looked at
		 * as far back as that test does (the bytes before the block
		 * loaded again, not carried) */
		__m512i b1 = LOOK(LD(-1), cba, cbb, cbh), k1 = KW(LD(-1)), k2 = KW(LD(-2));
		uint64_t i1 = CLS(k1, FPK_I), o1 = CLS(k1, FPK_O), e1 = CLS(b1, FPC_MEO) & ~o1;
		uint64_t tail = 0;
		if (c->fp_assign) {
			__m512i k3 = KW(LD(-3));
			/* d after r or w; "yid", "y_id"; e or s after s or l, after a;
			 * t or y after e; "ken"; "zation" */
			uint64_t yid = CLS(k2, FPK_Y) | (CLS(k2, FPK_US) & CLS(k3, FPK_Y));
			uint64_t zat = CLS(k2, FPK_I) & CLS(k3, FPK_T);
			if (zat)
				zat &= CLS(KW(LD(-4)), FPK_A) & CLS(KW(LD(-5)), FPK_Z);
			tail = (CLS(k, FPC_LD) & ((CLS(b1, FPC_MRWI) & ~i1) | (i1 & yid))) |
			       (CLS(k, FPC_LES) & CLS(b1, FPC_MSL) & CLS(k2, FPK_A)) | (CLS(b, FPC_LTY) & e1) |
			       (CLS(b, FPC_LN) & ((e1 & CLS(k2, FPK_K)) | (o1 & zat)));
		}
		if (c->fp_assign) {
			uint64_t at = CLS(k, FPC_ASSIGN);
			if (at) {
				uint64_t t1 = tail << 1 | ptail >> 63, t2 = tail << 2 | ptail >> 62;
				uint64_t q1 = qb << 1 | pqb >> 63, q2 = qb << 2 | pqb >> 62;
				uint64_t sl = CLS(k, FPC_SLASH), sln = CLS(kn, FPC_SLASH);
				cand |= (at & (t1 | (q1 & (q2 | t2)))) | (CLS(b, FPC_COLON) & AHEAD(sl, sln, 1));
			}
		}
		ptail = tail;
		pqb = qb;
		/* at a word start, or at a byte that needs none; known secrets anywhere */
		__m512i l = _mm512_or_si512(x, _mm512_set1_epi8(0x20));
		uint64_t alnum = (uint64_t)_mm512_cmple_epu8_mask(_mm512_sub_epi8(l, _mm512_set1_epi8('a')), _mm512_set1_epi8(25)) |
		                 (uint64_t)_mm512_cmple_epu8_mask(_mm512_sub_epi8(x, _mm512_set1_epi8('0')), _mm512_set1_epi8(9));
		uint64_t prev = alnum << 1 | ((rd_cls[v[p - 1]] & CC_ALNUM) ? 1u : 0u);
		uint64_t where = ~prev | CLS(b, FPC_NB);
		/* a token's first four bytes pass the hashed filter (rd_prefilter) */
		tokm &= where & ~cand;
		while (tokm) {
			unsigned j = (unsigned)__builtin_ctzll(tokm);
			tokm &= tokm - 1;
			unsigned h = rd_tok4_hash(v + p + j);
			cand |= (uint64_t)((c->tok4[h >> 3] >> (h & 7)) & 1u) << j;
		}
		uint64_t m = (cand & where) | CLS(b, FPC_ALWAYS);
		if (m) {
			size_t q = first_cand_out(c, s, p, m, prev);
			if (q != SIZE_MAX)
				return q;
		}
		p += 64;
	}
#undef LD
#undef LOOK
#undef CLS
#undef KW
#undef AHEAD
	return skip_fp64(c, s, p, lim);
}
#endif

/* Where in [p, end) a bare AWS secret key may start (rd_detect_aws_bare):
 * a byte of its class after one that is neither of it nor '=', with 40
 * of them in a row or a run reaching the end of the view; end if none. */
static size_t aws_next(const struct rd_scan *s, size_t p, size_t end)
{
	const uint16_t k = CC_ALNUM | CC_SLASH | CC_PLUS;
	const unsigned char *v = s->v;
	size_t i = p;
	while (i < end) {
		if (!(rd_cls[v[i]] & k) || (i > 0 && (rd_cls[v[i - 1]] & (k | CC_EQ)))) {
			i++;
			continue;
		}
		size_t e = i;
		while (e < s->n && e - i < 40 && (rd_cls[v[e]] & k))
			e++;
		if (e - i == 40 || e == s->n)
			return i;
		i = e; /* the rest of a short run: no start inside it */
	}
	return end;
}

/* Scan from the first pending view byte; returns where scanning stopped
 * (the first undecided position, or n). */
static int scan(struct work *w, size_t *stop)
{
	struct rd_stream *st = w->st;
	const struct rd_config *c = st->cfg;
	const struct rd_scan *s = &w->s;
	const unsigned char *v = s->v;
	size_t n = s->n, p = s->h;
	for (size_t r = 0; r < c->n_users; r++)
		st->uc[r].state = UC_NONE;
	bool aws_on = c->enabled[RB_AWS_SECRET];
	size_t aws_at = 0; /* where a bare AWS key may start next (valid when >= p) */
	size_t enc = 0; /* the decoders' next candidate, valid when >= p */
	bool enc_valid = false;
	size_t enc_cache[4] = { SIZE_MAX, 0, SIZE_MAX, 0 };
	while (p < n) {
		if (st->mode != RM_NORMAL) {
			if (swallow(w, &p))
				break;
			continue;
		}
		/* where the next user-rule candidate is */
		size_t lim = n;
		for (size_t r = 0; r < c->n_users; r++) {
			struct rd_user_cache *uc = &st->uc[r];
			if (uc->state == UC_NONE || ((uc->state == UC_MATCH || uc->state == UC_PARTIAL) && uc->s < p))
				if (user_search(w, r, p) < 0)
					return -1;
			if ((uc->state == UC_MATCH || uc->state == UC_PARTIAL) && uc->s < lim)
				lim = uc->s;
		}
		if (c->decode) {
			if (!enc_valid || enc < p) {
				enc = rd_enc_next(s, p, enc_cache);
				enc_valid = true;
			}
			/* right after a match, an escaped run may go on with another secret */
			w->s.restart = SIZE_MAX;
			if (st->restart != UINT64_MAX && st->restart >= s->vbase) {
				uint64_t r = st->restart - s->vbase + s->h;
				if (r >= p && r < n) {
					w->s.restart = (size_t)r;
					if (r < lim)
						lim = (size_t)r;
				}
			}
			if (enc < lim)
				lim = enc;
		}
		size_t aws_end = 0;
		if (aws_on && st->aws_until > s->vbase + (p - s->h)) {
			aws_end = (size_t)(st->aws_until - s->vbase) + s->h;
			if (aws_end > n)
				aws_end = n;
		}
		/* inside the window after an AWS key id: the skip stops where a
		 * bare key may start (the reference looks at every byte there) */
		bool aws_skip = p < aws_end && c->fp_level >= 0;
		if (aws_skip) {
			if (aws_at < p || aws_at > aws_end)
				aws_at = aws_next(s, p, aws_end);
			if (aws_at < lim)
				lim = aws_at;
		}
		if (p >= aws_end || aws_skip) {
			/* skip what starts no match: bytes no detector starts at, and
			 * letters and digits inside words for detectors that need a
			 * word boundary */
			const uint8_t *rmr = s->rmr;
			const uint16_t *trig = c->trig;
#ifdef RD_HAVE_FP
			if (!rmr && c->fp_level == 3)
				p = skip_fp512(c, s, p, lim);
			else if (!rmr && c->fp_level == 2)
				p = skip_fp64(c, s, p, lim);
			else if (!rmr && c->fp_level == 1)
				p = skip_fp(c, s, p, lim);
			else
#endif
#ifdef __SSE2__
			if (!rmr && c->n_anywhere >= 0)
				p = skip16(c, s, p, lim);
#endif
			bool inword = p > 0 && (rd_cls[v[p - 1]] & CC_ALNUM);
			while (p < lim) {
				if (inword && !rmr) /* the rest of a word, where no detector starts */
					while (p < lim && c->inword_skip[v[p]])
						p++;
				if (p == lim)
					break;
				uint16_t t = trig[v[p]];
				if (t && (!(t & TR_BOUND) || !inword || (rmr && rmr[p])) &&
				    (p + 3 >= n || rd_prefilter(s, p, t & (uint16_t)~TR_BOUND)))
					break;
				inword = (rd_cls[v[p]] & CC_ALNUM) != 0;
				p++;
			}
		}
		if (p == n)
			break;
		bool more = false, have = false;
		struct rd_match best = { 0 }, m = { 0 };
		uint16_t t = c->trig[v[p]] & (uint16_t)~TR_BOUND;
		if (t & ~(TR_LIT | TR_PATH))
			consider(&more, &have, &best, rd_detect_builtin(s, p, t, &m), &m);
		if ((enc_valid && enc == p) || s->restart == p)
			consider(&more, &have, &best, rd_detect_enc(s, p, &m), &m);
		if (p < aws_end && (!aws_skip || p == aws_at))
			consider(&more, &have, &best, rd_detect_aws_bare(s, p, &m), &m);
		for (size_t r = 0; r < c->n_users; r++) {
			const struct rd_user_cache *uc = &st->uc[r];
			if ((uc->state != UC_PARTIAL && uc->state != UC_MATCH) || uc->s != p)
				continue;
			if (uc->state == UC_PARTIAL) {
				more = true;
			} else if (uc->state == UC_MATCH) {
				m.rs = uc->rs;
				m.re = uc->re;
				m.end = uc->e;
				m.rule = c->users[r].rule;
				m.mode = RM_NORMAL;
				m.cls = 0;
				m.dotjoin = false;
				m.repl = NULL;
				m.repl_len = 0;
				consider(&more, &have, &best, RD_MATCH, &m);
			}
		}
		if (t & TR_LIT)
			consider(&more, &have, &best, lits_at(w, p, &m), &m);
		if (t & TR_PATH)
			consider(&more, &have, &best, rd_detect_path(s, p, &m), &m);
		if (more)
			break;
		if (have) {
			apply(w, &best);
			p = best.end > p ? best.end : p + 1;
			continue;
		}
		p++;
	}
	*stop = p;
	return 0;
}

static int process(struct rd_stream *st, bool eof, const struct rd_sink *sink)
{
	struct work w = { .st = st, .sink = sink, .s = { .restart = SIZE_MAX } };
	if (build_view(&w, eof) < 0)
		return -1;
	w.s.h = st->hlen;
	w.s.eof = eof && w.norm_stop == st->plen;
	w.s.vbase = st->vpos;
	w.s.cfg = st->cfg;
	w.s.st = st;
	size_t q;
	if (scan(&w, &q) < 0)
		return -1;
	if (w.failed)
		return -1;
	if (eof) {
		/* everything is decided; an open block runs to the end of the stream */
		if (st->mode != RM_NORMAL)
			w.out = st->plen;
		else
			emit_to(&w, st->plen);
		return w.failed ? -1 : 0;
	}
	size_t cut;
	unsigned rm;
	if (st->mode == RM_NORMAL) {
		if (q < w.s.n) {
			cut = orig(&w, q);
			rm = w.ident ? (q == w.s.h ? st->rm_carry : 0) : st->rmr[q];
		} else {
			cut = w.norm_stop;
			rm = w.norm_rm;
		}
		emit_to(&w, cut);
	} else if (q > w.s.h) {
		cut = orig(&w, q - 1) + 1;
		rm = 0;
	} else {
		cut = 0;
		rm = st->rm_carry;
	}
	if (w.failed)
		return -1;
	/* keep the view history and what is not decided */
	unsigned char hist[RD_HIST];
	size_t hs = q > RD_HIST ? q - RD_HIST : 0, hn = q - hs;
	memcpy(hist, w.s.v + hs, hn);
	size_t rest = st->plen - cut;
	memmove(st->raw + hn, st->raw + st->hlen + cut, rest);
	memcpy(st->raw, hist, hn);
	st->vpos += q - w.s.h;
	st->hlen = hn;
	st->plen = rest;
	st->rm_carry = rm;
	return 0;
}

static void report(struct rd_stream *st, const struct rd_sink *sink)
{
	for (size_t r = 0; r < st->cfg->n_rules; r++)
		if (st->counts[r]) {
			if (sink->count)
				sink->count(sink->arg, st->cfg->rules[r].id, st->counts[r]);
			st->counts[r] = 0;
		}
}

int rd_stream_feed(struct rd_stream *st, const unsigned char *in, size_t len, int eof,
                   const struct rd_sink *sink)
{
	if (st->failed)
		return -1;
	if (len == 0 && !eof)
		return 0;
	do {
		size_t take = len < RD_SLICE ? len : RD_SLICE;
		bool last = take == len;
		if (grow_raw(st, st->hlen + st->plen + take) < 0) {
			st->failed = true;
			break;
		}
		if (take)
			memcpy(st->raw + st->hlen + st->plen, in, take);
		st->plen += take;
		if (process(st, eof && last, sink) < 0) {
			st->failed = true;
			break;
		}
		if (take) {
			in += take;
			len -= take;
		}
	} while (len > 0);
	report(st, sink);
	if (st->failed)
		return -1;
	if (eof)
		rd_stream_reset(st);
	return 0;
}
