/*
 * modules/pattern_scan/fuzz_scan.c - libFuzzer target for the comment
 * blankers (strip.c) and the one-pass engine (engine.c, literals.c,
 * multilit.c).  The first byte picks what is fuzzed:
 *
 *   0x00-0x3f  the lexer of language (byte % 4) over the rest.  Checked: no
 *              crash, no hang (every lexer moves forward on each step), the
 *              output has the input's length, line ends are kept, only
 *              spaces are written, and a lexer that gives up returns an
 *              exact copy with a reason.
 *   0x40-0x7f  the shipped rules of language (byte % 4) (read once from the
 *              source tree's policies.d/rules) over the rest, as it is and
 *              with its comments blanked.
 *   0x80-0xff  patterns of its own: the rest is up to 8 patterns, one a
 *              line, up to a NUL, then the subject.  Patterns PCRE2 refuses
 *              are dropped.
 *
 * For the engine, difftest.h: the prefiltered engine reports the matches
 * of the plain per-rule loop, and every match contains a literal its
 * rule's prefilter says it must (at the offsets and after the bytes it
 * says).  A failure prints why and aborts.  Nothing is written anywhere.
 *
 *   make fuzz && build-fuzz/fuzz_scan -dict=modules/pattern_scan/fuzz_scan.dict \
 *       -max_total_time=60 NEW_CORPUS_DIR modules/pattern_scan/fuzz_scan.corpus
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "difftest.h"
#include "internal.h"
#include "strip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PATTERNS 8
#define MAX_PATTERN 256

static void fuzz_strip(enum ps_lang lang, const uint8_t *src, size_t len)
{
	unsigned char *out = malloc(len ? len : 1);
	if (!out)
		return;
	const char *why = NULL;
	int r = ps_strip(lang, src, len, out, &why);
	if (r != 0 && r != 1)
		abort();
	if ((r == 1) != (why != NULL))
		abort();
	for (size_t i = 0; i < len; i++) {
		if (out[i] == src[i])
			continue;
		if (r == 1 || out[i] != ' ' || src[i] == '\n' || src[i] == '\r')
			abort();
	}
	free(out);
}

static void check(struct dt *d, const unsigned char *s, size_t len)
{
	char why[512];
	int r = dt_check(d, s, len, why, sizeof(why));
	if (r == -1) {
		fprintf(stderr, "fuzz_scan: %s\n", why);
		abort();
	}
}

/* The shipped rules of each language, loaded on first use. */
static struct dt shipped[PS_LANG_COUNT];
static int shipped_state; /* 0 not yet, 1 loaded, -1 unavailable */

static void load_shipped(void)
{
	static const char *const files[] = { "python", "javascript", "shell", "java" };
	struct tree *t[4] = { NULL, NULL, NULL, NULL };
	shipped_state = -1;
	for (int k = 0; k < 4; k++) {
		char *path = xasprintf("%s/rules/%s.yaml", CORDON_SRC_POLICY_DIR, files[k]);
		char *why = NULL;
		t[k] = tree_load_file(path, "rule file", &why);
		free(why);
		free(path);
		if (!t[k])
			goto out;
	}
	for (int lang = 0; lang < PS_LANG_COUNT; lang++) {
		const char *pat[256];
		size_t len[256], n = 0, bad;
		for (int k = 0; k < 4; k++) {
			const struct cordon_node *rules = node_get(t[k]->root, "rules");
			for (size_t i = 0; rules && i < rules->n && n < 256; i++) {
				const struct cordon_node *ls = node_get(rules->items[i], "languages");
				const struct cordon_node *p = node_get(rules->items[i], "pattern");
				int applies = ls && ls->type == CORDON_NODE_SCALAR && strcmp(ls->text, ps_lang_name((enum ps_lang)lang)) == 0;
				for (size_t j = 0; ls && ls->type == CORDON_NODE_SEQUENCE && j < ls->n; j++)
					applies = applies || strcmp(ls->items[j]->text, ps_lang_name((enum ps_lang)lang)) == 0;
				if (applies && p && p->type == CORDON_NODE_SCALAR) {
					pat[n] = p->text;
					len[n++] = p->len;
				}
			}
		}
		if (dt_init(&shipped[lang], pat, len, n, 1000000, &bad) != 0)
			goto out;
	}
	shipped_state = 1;
out:
	for (int k = 0; k < 4; k++)
		tree_free_list(t[k]);
}

static void fuzz_shipped(enum ps_lang lang, const uint8_t *src, size_t len)
{
	if (shipped_state == 0)
		load_shipped();
	if (shipped_state < 0)
		abort(); /* the rule files must load: a fuzzer without them proves nothing */
	check(&shipped[lang], src, len);
	unsigned char *out = malloc(len ? len : 1);
	const char *why = NULL;
	if (out && ps_strip(lang, src, len, out, &why) == 0)
		check(&shipped[lang], out, len);
	free(out);
}

static void fuzz_patterns(const uint8_t *in, size_t size)
{
	const uint8_t *nul = memchr(in, 0, size);
	if (!nul)
		return;
	const char *pat[MAX_PATTERNS];
	size_t len[MAX_PATTERNS], n = 0, off, bad;
	for (const uint8_t *p = in; p < nul && n < MAX_PATTERNS;) {
		const uint8_t *e = memchr(p, '\n', (size_t)(nul - p));
		if (!e)
			e = nul;
		size_t k = (size_t)(e - p);
		if (k && k <= MAX_PATTERN && ps_pattern_check((const char *)p, k, &off) == 0) {
			pat[n] = (const char *)p;
			len[n++] = k;
		}
		p = e + 1;
	}
	if (!n)
		return;
	struct dt d;
	/* a low match limit: fuzzed patterns can backtrack without end */
	if (dt_init(&d, pat, len, n, 20000, &bad) != 0)
		return;
	check(&d, nul + 1, size - (size_t)(nul + 1 - in));
	dt_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum ps_lang lang = (enum ps_lang)(data[0] % PS_LANG_COUNT);
	if (data[0] < 0x40)
		fuzz_strip(lang, data + 1, size - 1);
	else if (data[0] < 0x80)
		fuzz_shipped(lang, data + 1, size - 1);
	else
		fuzz_patterns(data + 1, size - 1);
	return 0;
}
