/*
 * modules/pyimport/unicode.c - the arena, strict UTF-8, identifier classes
 * and NFKC normalisation of identifiers (as CPython's parser applies to
 * every identifier that is not ASCII), over the tables in unidata.c.
 */
#include <stdlib.h>
#include <string.h>

#include "py.h"
#include "unidata.h"

/* ---- arena ---- */
struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	_Alignas(16) unsigned char data[];
};

#define CHUNK_MIN (64u * 1024u)

/* After a change of ptr: used brought up to date, end set from the
 * chunk's end and the limit. */
static void arena_sync(struct arena *a)
{
	if (a->ptr && a->mark)
		a->used += (size_t)(a->ptr - a->mark);
	a->mark = a->ptr;
	a->end = a->chunk_end;
	if (a->limit && a->ptr) {
		size_t room = a->used < a->limit ? a->limit - a->used : 0;
		if (room < (size_t)(a->chunk_end - a->ptr))
			a->end = a->ptr + room;
	}
}

static void *arena_fail(struct arena *a)
{
	a->failed = 1;
	a->ptr = a->end = a->chunk_end = a->mark = NULL;
	return NULL;
}

void *arena_alloc_slow(struct arena *a, size_t n)
{
	if (a->failed)
		return NULL;
	size_t used = a->used + (a->ptr && a->mark ? (size_t)(a->ptr - a->mark) : 0);
	if (a->limit && (n > a->limit || used > a->limit - n))
		return arena_fail(a);
	struct arena_chunk *c = a->cur;
	if (!c || (size_t)(a->chunk_end - a->ptr) < n) {
		/* the next kept chunk if it fits, else a new one after the current */
		if (c && c->next && c->next->size >= n) {
			c = c->next;
		} else {
			size_t sz = n > CHUNK_MIN ? n : CHUNK_MIN;
			if (sz > SIZE_MAX - sizeof(*c))
				return arena_fail(a);
			struct arena_chunk *nc = malloc(sizeof(*nc) + sz);
			if (!nc)
				return arena_fail(a);
			nc->size = sz;
			if (c) {
				nc->next = c->next;
				c->next = nc;
			} else {
				nc->next = a->head;
				a->head = nc;
			}
			c = nc;
		}
		a->cur = c;
		a->ptr = a->mark = c->data;
		a->chunk_end = c->data + c->size;
		a->used = used;
	}
	void *p = a->ptr;
	a->ptr += n;
	arena_sync(a);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	if (n == SIZE_MAX)
		return NULL;
	char *p = arena_alloc_raw(a, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head;
	while (c) {
		struct arena_chunk *n = c->next;
		free(c);
		c = n;
	}
	a->head = a->cur = NULL;
	a->ptr = a->end = a->chunk_end = a->mark = NULL;
	a->used = 0;
	a->failed = 0;
}

void arena_reset(struct arena *a, size_t keep)
{
	size_t kept = 0;
	struct arena_chunk **pp = &a->head;
	while (*pp) {
		struct arena_chunk *c = *pp;
		if (kept + c->size <= keep) {
			kept += c->size;
			pp = &c->next;
		} else {
			*pp = c->next;
			free(c);
		}
	}
	a->cur = a->head;
	a->ptr = a->mark = a->head ? a->head->data : NULL;
	a->chunk_end = a->head ? a->head->data + a->head->size : NULL;
	a->used = 0;
	a->failed = 0;
	arena_sync(a);
}

/* ---- UTF-8 ---- */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (n == 0)
		return 0;
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		if (n < 2 || (s[1] & 0xc0) != 0x80)
			return 0;
		*cp = ((uint32_t)(c & 0x1f) << 6) | (s[1] & 0x3fu);
		return 2;
	}
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0; /* surrogate */
		*cp = ((uint32_t)(c & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3fu);
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;
		if (c == 0xf4 && s[1] >= 0x90)
			return 0;
		*cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) |
		      ((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3fu);
		return 4;
	}
	return 0;
}

size_t utf8_encode(uint32_t c, char *o)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* ---- classes ---- */
static int in_ranges(const struct uni_range *r, size_t n, uint32_t c)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c < r[mid].lo)
			hi = mid;
		else if (c > r[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

/* The classes of the newest version not newer than pyver. */
static const struct uni_xid *xid_of(int pyver)
{
	size_t i = 0;
	while (i + 1 < uni_xid_n && uni_xid[i + 1].pyver <= pyver)
		i++;
	return &uni_xid[i];
}

int uni_xid_start(uint32_t c, int pyver)
{
	const struct uni_xid *x = xid_of(pyver);
	return in_ranges(x->start, x->start_n, c);
}

int uni_xid_continue(uint32_t c, int pyver)
{
	const struct uni_xid *x = xid_of(pyver);
	return in_ranges(x->cont, x->cont_n, c);
}

static unsigned ccc_of(uint32_t c)
{
	size_t lo = 0, hi = uni_ccc_n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c < uni_ccc[mid].cp)
			hi = mid;
		else if (c > uni_ccc[mid].cp)
			lo = mid + 1;
		else
			return uni_ccc[mid].ccc;
	}
	return 0;
}

static const struct uni_decomp *decomp_of(uint32_t c)
{
	size_t lo = 0, hi = uni_decomp_n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c < uni_decomp[mid].cp)
			hi = mid;
		else if (c > uni_decomp[mid].cp)
			lo = mid + 1;
		else
			return &uni_decomp[mid];
	}
	return NULL;
}

#define SBASE 0xAC00u
#define LBASE 0x1100u
#define VBASE 0x1161u
#define TBASE 0x11A7u
#define LCOUNT 19u
#define VCOUNT 21u
#define TCOUNT 28u
#define NCOUNT (VCOUNT * TCOUNT)
#define SCOUNT (LCOUNT * NCOUNT)

static uint32_t compose(uint32_t a, uint32_t b)
{
	if (a >= LBASE && a < LBASE + LCOUNT && b >= VBASE && b < VBASE + VCOUNT)
		return SBASE + ((a - LBASE) * VCOUNT + (b - VBASE)) * TCOUNT;
	if (a >= SBASE && a < SBASE + SCOUNT && (a - SBASE) % TCOUNT == 0 && b > TBASE && b < TBASE + TCOUNT)
		return a + (b - TBASE);
	size_t lo = 0, hi = uni_comp_n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct uni_comp *e = &uni_comp[mid];
		if (a < e->first || (a == e->first && b < e->second))
			hi = mid;
		else if (a > e->first || b > e->second)
			lo = mid + 1;
		else
			return e->composite;
	}
	return 0;
}

/* Canonical ordering of a run of n non-starters (ccc in cc[]): a stable
 * sort by combining class, by insertion for short runs and by counting
 * (classes 1..254) for long ones, so that a long run of marks costs
 * linear time.  tmp and tcc have room for n. */
static void order_run(uint32_t *b, uint8_t *cc, size_t n, uint32_t *tmp, uint8_t *tcc)
{
	if (n <= 16) {
		for (size_t i = 1; i < n; i++) {
			uint32_t c = b[i];
			uint8_t k = cc[i];
			size_t j = i;
			for (; j > 0 && cc[j - 1] > k; j--) {
				b[j] = b[j - 1];
				cc[j] = cc[j - 1];
			}
			b[j] = c;
			cc[j] = k;
		}
		return;
	}
	size_t count[257] = { 0 };
	for (size_t i = 0; i < n; i++)
		count[cc[i] + 1]++;
	for (size_t k = 1; k < 257; k++)
		count[k] += count[k - 1];
	for (size_t i = 0; i < n; i++) {
		size_t at = count[cc[i]]++;
		tmp[at] = b[i];
		tcc[at] = cc[i];
	}
	memcpy(b, tmp, n * sizeof(*b));
	memcpy(cc, tcc, n);
}

/*
 * NFKC: full compatibility decomposition, canonical ordering, canonical
 * composition (UAX #15), in time linear in n.  Input characters outside
 * the identifier classes have no entry in the decomposition table and are
 * kept as they are (the tokenizer has already refused them).
 */
char *uni_nfkc(struct arena *a, const char *s, size_t n, size_t *outlen)
{
	/* the decomposition's length first, so that its buffer is exact */
	size_t m = 0;
	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t l = utf8_decode((const unsigned char *)s + i, n - i, &c);
		if (!l)
			return NULL;
		i += l;
		if (c >= SBASE && c < SBASE + SCOUNT) {
			m += (c - SBASE) % TCOUNT ? 3 : 2;
			continue;
		}
		const struct uni_decomp *d = c >= 0x80 ? decomp_of(c) : NULL;
		m += d ? d->len : 1;
	}
	if (m > SIZE_MAX / (2 * (sizeof(uint32_t) + 1)))
		return NULL;
	/* code points, their combining classes, and room to sort them */
	uint32_t *buf = malloc(m * 2 * (sizeof(uint32_t) + 1) + 1);
	if (!buf)
		return NULL;
	uint32_t *tmp = buf + m;
	uint8_t *cc = (uint8_t *)(tmp + m), *tcc = cc + m;
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		uint32_t c;
		i += utf8_decode((const unsigned char *)s + i, n - i, &c);
		if (c >= SBASE && c < SBASE + SCOUNT) {
			uint32_t si = c - SBASE;
			buf[k++] = LBASE + si / NCOUNT;
			buf[k++] = VBASE + (si % NCOUNT) / TCOUNT;
			if (si % TCOUNT)
				buf[k++] = TBASE + si % TCOUNT;
			continue;
		}
		const struct uni_decomp *d = c >= 0x80 ? decomp_of(c) : NULL;
		if (d) {
			for (uint32_t j = 0; j < d->len; j++)
				buf[k++] = uni_pool[d->off + j];
		} else {
			buf[k++] = c;
		}
	}
	for (size_t i = 0; i < m; i++)
		cc[i] = buf[i] < 0x300 ? 0 : (uint8_t)ccc_of(buf[i]);
	/* canonical ordering: each run of non-starters */
	for (size_t i = 0; i < m;) {
		if (!cc[i]) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < m && cc[j])
			j++;
		if (j - i > 1)
			order_run(buf + i, cc + i, j - i, tmp, tcc);
		i = j;
	}
	/* composition */
	size_t o = 0;
	if (m > 0) {
		size_t starter = 0;
		int have_starter = cc[0] == 0;
		unsigned last = have_starter ? 0 : 256;
		o = 1;
		for (size_t i = 1; i < m; i++) {
			uint32_t c = buf[i];
			unsigned ci = cc[i];
			if (have_starter && (last < ci || last == 0)) {
				uint32_t comp = compose(buf[starter], c);
				if (comp && (last < ci || (last == 0 && starter == o - 1))) {
					buf[starter] = comp;
					continue;
				}
			}
			if (ci == 0) {
				starter = o;
				have_starter = 1;
			}
			last = ci;
			buf[o++] = c;
		}
	}
	if (o > (SIZE_MAX - 1) / 4) {
		free(buf);
		return NULL;
	}
	char *out = arena_alloc_raw(a, o * 4 + 1);
	if (!out) {
		free(buf);
		return NULL;
	}
	size_t ol = 0;
	for (size_t i = 0; i < o; i++)
		ol += utf8_encode(buf[i], out + ol);
	out[ol] = '\0';
	free(buf);
	*outlen = ol;
	return out;
}
