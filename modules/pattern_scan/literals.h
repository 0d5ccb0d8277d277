/*
 * modules/pattern_scan/literals.h - the literals a PCRE2 pattern requires,
 * read from the pattern itself, for the prefilter (engine.c).
 *
 * A pattern's prefilter is a set of entries; each entry is a literal byte
 * string with where it sits relative to the start of a match.  The promise,
 * for every match that starts at offset s: some entry's literal occurs in
 * the subject at an offset p with
 *
 *     minoff <= p - s <= maxoff    and every byte of subject[s, p) in `before`
 *
 * so a match can only start in the window that an occurrence of a literal
 * opens before it.  A pattern that uses syntax the reader does not model
 * exactly is over-approximated (a part it does not know may match any
 * text), which never breaks the promise; syntax that could change how the
 * rest of the pattern reads, or what a match is (\K, \G, backtracking verbs,
 * callouts, conditionals, extended mode), gives no prefilter at all.
 */
#ifndef CORDON_PS_LITERALS_H
#define CORDON_PS_LITERALS_H

#include <stddef.h>
#include <stdint.h>

#define PS_LIT_MAX 32     /* bytes of a literal kept (a prefix of a required literal is required) */
#define PS_ENTRIES_MAX 64 /* entries of one pattern's prefilter; beyond, the set is not used */
#define PS_OFF_INF SIZE_MAX

struct ps_lit {
	uint8_t len;
	uint8_t b[PS_LIT_MAX];
};

struct ps_entry {
	struct ps_lit lit;
	size_t minoff, maxoff; /* maxoff PS_OFF_INF: unbounded */
	uint8_t before[32];    /* bytes the match may consume before the literal (bit set) */
};

struct ps_prefilter {
	size_t n; /* 0: no prefilter (the rule scans the whole source) */
	struct ps_entry v[PS_ENTRIES_MAX];
	double cost; /* the estimate that chose it: expected work per source byte */
	const char *why; /* when n == 0: why not (static text) */
};

/* The byte classes of the PCRE2 library in use, asked of the library
 * itself (its character tables decide what \d \s \w \h \v and caseless
 * matching cover). */
struct ps_ctab {
	uint8_t d[32], s[32], w[32], h[32], v[32];
	int caseless_ascii; /* caseless matching folds A-Z/a-z and nothing else below 0x80 */
};

/* Fills *t; -1 when PCRE2 cannot be asked (out of memory). */
int ps_ctab_init(struct ps_ctab *t);

/* The table, asked once per process; NULL when it could not be (then
 * asked again next time). */
const struct ps_ctab *ps_ctab(void);

/* Fills *out with the prefilter of pattern[0, len) (compiled by PCRE2 with
 * PCRE2_MULTILINE | PCRE2_NEVER_UTF | PCRE2_NEVER_UCP, which must succeed
 * before this is called).  Returns 0, or -1 out of memory.  out->n is 0
 * when the pattern has no usable literal, with out->why saying why. */
int ps_literals(const struct ps_ctab *t, const char *pattern, size_t len, struct ps_prefilter *out);

/* The bit set helpers shared with the engine. */
static inline int ps_bit(const uint8_t set[32], unsigned b)
{
	return (set[b >> 3] >> (b & 7)) & 1;
}

#endif
