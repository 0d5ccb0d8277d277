/*
 * modules/pyimport/fuzz_pyimport.c - libFuzzer target for pyimport's
 * tokenizer, parser and checks.
 *
 * Each input is checked three times, as a whole source: with the default
 * configuration (denylist, non_ascii normalize) and with allowlist mode and
 * non_ascii deny, at a small max_depth so the depth bound is reached
 * often, both under the Python 3.11 grammar; then under 3.12 or 3.13 (by
 * the input's size), whose f-strings are tokenized otherwise (PEP 701).  The oracle, besides ASan/UBSan and the leak checker: every
 * finding has a known rule, a name and a message, a line within the source
 * (0 only for findings about the whole source) and a column >= 0; a source
 * that does not parse yields exactly one finding; the second configuration
 * never finds less reason to deny than the first (allowlist denies a
 * superset of imports, non_ascii deny adds findings).  The identifier NFKC
 * is also run on the input's bytes when they are valid UTF-8.
 *
 *   make fuzz && build-fuzz/fuzz_pyimport modules/pyimport/fuzz_pyimport.corpus
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "py.h"

struct tally {
	size_t n;
	size_t unparsed;
	size_t lines; /* lines in the source, for the bound */
};

static void on_finding(void *ud, enum rule_id rule, const char *name, int line, int col, const char *msg)
{
	struct tally *t = ud;
	if ((int)rule < 0 || rule >= R_COUNT || !rule_names[rule] || !name || !msg || !msg[0])
		abort();
	if (line < 0 || (size_t)line > t->lines + 1 || col < 0)
		abort();
	if (rule == R_SYNTAX || rule == R_TOO_DEEP || rule == R_CODING || rule == R_TOO_LARGE)
		t->unparsed++;
	t->n++;
}

static size_t count_lines(const uint8_t *d, size_t n)
{
	size_t l = 1;
	for (size_t i = 0; i < n; i++)
		if (d[i] == '\n' || (d[i] == '\r' && !(i + 1 < n && d[i + 1] == '\n')))
			l++;
	return l;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *deny[] = { "os", "subprocess", "xml.dom" };
	static char *allow[] = { "math", "json", "xml" };
	struct checkcfg a = { 0 }, b = { 0 };
	a.deny = deny;
	a.n_deny = 3;
	a.max_depth = 200;
	a.max_bytes = 1u << 20;
	b = a;
	b.allowlist = 1;
	b.allow = allow;
	b.n_allow = 3;
	b.non_ascii_deny = 1;
	b.max_depth = 30;

	struct tally ta = { 0, 0, count_lines(data, size) }, tb = ta;
	/* the first check with a cache kept across inputs (reuse of chunks and
	 * tokens), the second without */
	static struct py_cache cache;
	if (py_check(&a, &cache, data, size, on_finding, &ta) < 0)
		return 0; /* out of memory: nothing to check */
	if (py_check(&b, NULL, data, size, on_finding, &tb) < 0)
		return 0;
	if (ta.unparsed > 1 || tb.unparsed > 1)
		abort(); /* an unparsed source has exactly one finding */
	if (ta.unparsed && ta.n != 1)
		abort();
	if (tb.unparsed && tb.n != 1)
		abort();
	/* b is stricter: it denies whenever a does (depth may differ: b's bound is lower) */
	if (ta.n > 0 && tb.n == 0)
		abort();

	/* the grammar of 3.12 or 3.13: PEP 701 f-strings, type parameters */
	struct checkcfg c = a;
	c.pyver = size % 2 ? PYV(3, 12) : PYV(3, 13);
	struct tally tc = ta;
	tc.n = tc.unparsed = 0;
	if (py_check(&c, NULL, data, size, on_finding, &tc) < 0)
		return 0;
	if (tc.unparsed > 1 || (tc.unparsed && tc.n != 1))
		abort();

	/* NFKC over the bytes, when they are UTF-8 */
	size_t i = 0;
	while (i < size) {
		uint32_t cp;
		size_t l = utf8_decode(data + i, size - i, &cp);
		if (!l)
			break;
		i += l;
	}
	if (i == size && size > 0 && size < 4096) {
		struct arena ar = { 0 };
		size_t ol = 0;
		char *o = uni_nfkc(&ar, (const char *)data, size, &ol);
		if (o && strlen(o) > ol)
			abort();
		arena_free(&ar);
	}
	return 0;
}
