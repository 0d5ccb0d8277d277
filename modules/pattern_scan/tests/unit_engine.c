/*
 * modules/pattern_scan/tests/unit_engine.c - the one-pass engine: the
 * literals read from patterns, the multi-string automaton, and the engine
 * against the plain per-rule loop (difftest.h: same matches, and every
 * match keeps its rule's promise) over hand-made patterns, the shipped
 * rule sets and a corpus (the rules' examples, generated sources, and this
 * machine's Python standard library, JavaScript and shell scripts where
 * present).
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "internal.h"
#include "tap.h"

#include "difftest.h"
#include "multilit.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* ---- literals read from patterns ---- */

static const struct {
	const char *pattern, *want; /* want: the prefilter as dt_format writes it; NULL: none */
} lit_cases[] = {
	{ "abc", "abc" },
	{ "__(?:class|base)__", "__base__ __class__" },
	{ "a[bc]d", "abd acd" },
	{ "ab?c", "abc ac" },
	{ "x\\Qa.b|\\Ey", "xa.b|y" },
	{ "(?<=foo)bar", "bar" },
	{ "(?<![\\w.])eval\\b", "eval" },
	{ "foo(?#a comment)bar", "foobar" },
	{ "a{0}bc", "bc" },
	{ "(?:abc){2,}", "abc" },
	{ "\\x41\\o{102}\\x43\\cD", "ABC\\x04" },
	{ "x?\\12bc", "bc@0+" }, /* a back-reference or an octal escape: any text */
	{ "(?i)ab", "AB Ab aB ab" },
	{ "(?i:a)B", "AB aB" },
	{ "\\w\\w-abc", "-abc@2-2" },
	{ "\\d\\d-abc", "0-abc@1-1 1-abc@1-1 2-abc@1-1 3-abc@1-1 4-abc@1-1 5-abc@1-1 6-abc@1-1 7-abc@1-1 8-abc@1-1 9-abc@1-1" },
	{ "(?:abc|xyz)+q", "abc xyz" },
	{ "(?<n>abc)\\k<n>", "abc" },
	{ "pre(?:\\s*x)?fix", "fix@3+" },
	{ "\\bos\\s*\\.\\s*system\\b", "system@3+" },
	/* no literal every match must contain */
	{ "(?=foo)\\w+", NULL },
	{ "foo|\\w+", NULL },
	{ "a?b?", NULL },
	{ "(\\w+\\s?)+$", NULL },
	{ "[a-z]+[^a-z\\s]", NULL },
	/* syntax that could change what a match is: never a prefilter */
	{ "foo\\Kbar", NULL },
	{ "\\Gfoo", NULL },
	{ "foo(*COMMIT)bar", NULL },
	{ "(*LF)foo", NULL },
	{ "(?x) f o o", NULL },
	{ "(a)?(?(1)foo|bar)", NULL },
	{ "foo(?C1)bar", NULL },
	{ "[[:<:]]foo", NULL },
};

static void test_literals(void)
{
	struct ps_ctab ctab;
	struct ps_prefilter *pf = malloc(sizeof(*pf));
	char got[1024];
	if (!pf || ps_ctab_init(&ctab) < 0)
		bail("out of memory");
	for (size_t i = 0; i < sizeof(lit_cases) / sizeof(lit_cases[0]); i++) {
		const char *p = lit_cases[i].pattern;
		size_t off;
		if (ps_pattern_check(p, strlen(p), &off) != 0)
			bail("test pattern %s does not compile", p);
		if (ps_literals(&ctab, p, strlen(p), pf) < 0)
			bail("out of memory");
		/* sorted, for a stable comparison */
		for (size_t a = 1; a < pf->n; a++)
			for (size_t b = a; b > 0; b--) {
				struct ps_lit *x = &pf->v[b - 1].lit, *y = &pf->v[b].lit;
				size_t k = x->len < y->len ? x->len : y->len;
				int c = memcmp(x->b, y->b, k);
				if (c < 0 || (c == 0 && x->len <= y->len))
					break;
				struct ps_entry t = pf->v[b - 1];
				pf->v[b - 1] = pf->v[b];
				pf->v[b] = t;
			}
		dt_format(pf, got, sizeof(got));
		if (lit_cases[i].want)
			is_str(got, lit_cases[i].want, "literals of %s", p);
		else
			ok(pf->n == 0 && pf->why, "no prefilter for %s (%s)", p, pf->why ? pf->why : got);
	}
	free(pf);
}

/* ---- the automaton against a naive search ---- */

static int cmp_match(const void *x, const void *y)
{
	const struct dt_match *a = x, *b = y;
	if (a->rule != b->rule)
		return a->rule < b->rule ? -1 : 1;
	return a->a < b->a ? -1 : a->a > b->a;
}

static void on_hit(void *arg, size_t i, size_t end)
{
	dt_collect(arg, i, end, end);
}

static void test_multilit(void)
{
	enum { NS = 40, LEN = 9000 };
	int good = 1;
	for (int round = 0; round < 30 && good; round++) {
		uint8_t buf[NS][8];
		const uint8_t *lits[NS];
		size_t lens[NS], n = 0;
		const char *alpha = round % 2 ? "ab" : "abcdxyz\n";
		size_t na = strlen(alpha);
		for (size_t i = 0; i < NS; i++) {
			size_t l = 1 + rnd(round % 3 == 0 ? 7 : 4);
			for (size_t k = 0; k < l; k++)
				buf[n][k] = (uint8_t)alpha[rnd((unsigned)na)];
			int dup = 0;
			for (size_t j = 0; j < n; j++)
				dup = dup || (lens[j] == l && memcmp(lits[j], buf[n], l) == 0);
			if (dup)
				continue;
			lits[n] = buf[n];
			lens[n++] = l;
		}
		unsigned char *data = malloc(LEN);
		if (!data)
			bail("out of memory");
		size_t len = round < 5 ? (size_t)rnd(2000) : LEN - rnd(64);
		for (size_t i = 0; i < len; i++)
			data[i] = (unsigned char)alpha[rnd((unsigned)na)];
		struct ps_ac *ac = ps_ac_new(lits, lens, n);
		if (!ac)
			bail("out of memory");
		struct dt_list hits = { 0 };
		ps_ac_scan(ac, data, len, on_hit, &hits);
		/* every occurrence, once: both lists in (string, end) order */
		qsort(hits.v, hits.n, sizeof(*hits.v), cmp_match);
		size_t h = 0;
		for (size_t i = 0; i < n && good; i++)
			for (size_t e = lens[i]; e <= len && good; e++)
				if (memcmp(data + e - lens[i], lits[i], lens[i]) == 0) {
					if (h >= hits.n || hits.v[h].rule != i || hits.v[h].a != e) {
						diag("round %d: string %zu ending at %zu not reported (or out of place)", round, i, e);
						good = 0;
					}
					h++;
				}
		if (good && h != hits.n) {
			diag("round %d: %zu hits, %zu occurrences", round, hits.n, h);
			good = 0;
		}
		free(hits.v);
		free(data);
		ps_ac_free(ac);
	}
	ok(good, "the automaton reports every occurrence of every string once (30 random sets and texts)");
}

/* ---- the engine against the plain loop ---- */

static int check_one(struct dt *d, const unsigned char *s, size_t len, const char *what)
{
	char why[512];
	int r = dt_check(d, s, len, why, sizeof(why));
	if (r == -2)
		bail("out of memory");
	if (r < 0)
		diag("%s: %s", what, why);
	return r == 0;
}

/* Patterns chosen to stress the reader: each with subjects built from
 * its own pieces, so that near-matches are frequent. */
static const char *const tricky[] = {
	"\\bos\\s*\\.\\s*(?:system|popen[234]?)\\b",
	"(?<![\\w.])eval\\b",
	"([\"'])(?:os|sys|eval)\\1",
	"\\.\\s*(?:f_back|gi_frame)|\\bsys\\s*\\._getframe\\b",
	"(?i)coding[:=]\\s*utf-?8",
	"\\A(?:[^\\r\\n]*(?:\\r\\n|\\r|\\n))?[ \\t\\f]*#[^\\r\\n]*?coding[:=][ \\t]*[-\\w.]+",
	"a(?:b|c)*d",
	"(?:ab)+c|x[yz]{2,3}",
	"[^a-c]+z",
	"\\W+q",
	"(?i)[^a]b",
	"[\\x00-\\x1f\\x7f-\\xff]+k",
	"^\\s*import\\s+\\w+$",
	"(?m)end$",
	"\\Bab\\B",
	"x*y*z",
	"(?:a|ab)(?:c|bcd)(?:d*)",
	"(?>a+)b",
	"a++b",
	"[[:alpha:]]+9",
	"\\p{L}q",
	"(?s).{3}abc",
	"(?:(?=ab)a|b)c",
	"(\\w)\\1x",
	"\\Qa+b\\E+c",
	"(?|(a)|(b))c",
	"ab{0}c",
	"[]a]b",
	"[^]a]b",
	"\\N+!",
	"\\R=",
	"\\h+\\v",
	"a(?:zq)?b",
	"(?:zq)*ab",
	"(?:zq|)ab",
	"a(?=zq)",
};

static void test_tricky(void)
{
	static const char *const pieces[] = { "a", "b", "c", "d", "x", "y", "z", "q", "k", "9", "!", "=", "ab", "os",
		                              "sys", ".", "_getframe", "f_back", "system", "popen2", "eval", "'", "\"",
		                              "coding", ":", "=", "utf-8", "UTF8", "#", " ", "\t", "\n", "\r", "\r\n",
		                              "import", "end", "\x01", "\xe9", "\x7f", "A", "B", "zq" };
	size_t np = sizeof(pieces) / sizeof(pieces[0]);
	unsigned char *s = malloc(70000);
	if (!s)
		bail("out of memory");
	for (size_t i = 0; i < sizeof(tricky) / sizeof(tricky[0]); i++) {
		struct dt d;
		size_t bad, len = strlen(tricky[i]);
		if (dt_init(&d, &tricky[i], &len, 1, 100000, &bad) != 0)
			bail("pattern %s does not compile", tricky[i]);
		int good = 1;
		for (int round = 0; round < 200 && good; round++) {
			size_t n = 0, want = round % 10 == 9 ? 60000 : rnd(300);
			while (n < want) {
				const char *p = pieces[rnd((unsigned)np)];
				size_t k = strlen(p);
				if (n + k > want)
					break;
				memcpy(s + n, p, k);
				n += k;
			}
			good = check_one(&d, s, n, tricky[i]);
		}
		ok(good, "engine = plain loop, every match keeps its promise: %s (200 subjects)", tricky[i]);
		dt_free(&d);
	}
	free(s);
}

/* A class the reader gets wrong would break the promise of "[C]+Q" on the
 * subject "bQ" for some byte b: every byte is tried. */
static void test_classes(void)
{
	static const char *const classes[] = { "[a-z]",  "[^a-z]", "[\\w.]", "[\\W]",   "[^\\W\\d]", "[\\s\\S]",
		                               "[\\h]",  "[\\v]",  "[^\\s]", "[\\D]",   "[-a]",      "[a-]",
		                               "[\\x41-\\x5a_]", "[]x]", "[^]x]", "[\\\\\\]]", "[\\b]", "[\\0-\\07]",
		                               "(?i)[a-c]", "(?i)[^a-c]", "(?i)[^Q]", "[\\cA-\\cZ]", "[\\e\\a]" };
	unsigned char s[3];
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		char pat[64];
		snprintf(pat, sizeof(pat), "%s+Q", classes[i]);
		if (strncmp(classes[i], "(?i)", 4) == 0)
			snprintf(pat, sizeof(pat), "(?i)%s+(?-i)Q", classes[i] + 4);
		struct dt d;
		size_t bad, len = strlen(pat);
		if (dt_init(&d, (const char *const *)&(const char *){ pat }, &len, 1, 100000, &bad) != 0)
			bail("pattern %s does not compile", pat);
		int good = d.pfs[0].n > 0;
		for (unsigned b = 0; b < 256 && good; b++) {
			s[0] = (unsigned char)b;
			s[1] = 'Q';
			good = check_one(&d, s, 2, pat);
		}
		ok(good, "class %s: every byte it matches is allowed before the literal", classes[i]);
		dt_free(&d);
	}
}

/* ---- the shipped rules over a corpus ---- */

struct rules {
	const char **pat;
	size_t *len;
	const char **id;
	size_t n;
	struct tree *t[4];
	/* examples, as extra sources */
	const char **ex;
	size_t nex;
};

static const char *const langs[] = { "python", "javascript", "shell", "java" };

static void load_rules(const char *src, int lang, struct rules *R)
{
	memset(R, 0, sizeof(*R));
	for (int k = 0; k < 4; k++) {
		char *path = xasprintf("%s/policies.d/rules/%s.yaml", src, langs[k]);
		char *why = NULL;
		R->t[k] = tree_load_file(path, "rule file", &why);
		if (!R->t[k])
			bail("%s: %s", path, why ? why : "?");
		const struct cordon_node *rules = node_get(R->t[k]->root, "rules");
		for (size_t i = 0; rules && i < rules->n; i++) {
			const struct cordon_node *r = rules->items[i], *ls = node_get(r, "languages");
			int applies = ls && ls->type == CORDON_NODE_SCALAR && strcmp(ls->text, langs[lang]) == 0;
			for (size_t j = 0; ls && ls->type == CORDON_NODE_SEQUENCE && j < ls->n; j++)
				applies = applies || strcmp(ls->items[j]->text, langs[lang]) == 0;
			if (!applies)
				continue;
			const struct cordon_node *p = node_get(r, "pattern"), *ex = node_get(r, "examples");
			R->pat = realloc(R->pat, (R->n + 1) * sizeof(*R->pat));
			R->len = realloc(R->len, (R->n + 1) * sizeof(*R->len));
			R->id = realloc(R->id, (R->n + 1) * sizeof(*R->id));
			if (!R->pat || !R->len || !R->id)
				bail("out of memory");
			R->pat[R->n] = p->text;
			R->len[R->n] = p->len;
			R->id[R->n] = node_get(r, "id")->text;
			R->n++;
			for (int kind = 0; ex && kind < 2; kind++) {
				const struct cordon_node *l = node_get(ex, kind ? "no_match" : "match");
				for (size_t j = 0; l && j < l->n; j++) {
					R->ex = realloc(R->ex, (R->nex + 1) * sizeof(*R->ex));
					if (!R->ex)
						bail("out of memory");
					R->ex[R->nex++] = l->items[j]->text;
				}
			}
		}
		free(path);
	}
}

static void free_rules(struct rules *R)
{
	for (int k = 0; k < 4; k++)
		tree_free_list(R->t[k]);
	free(R->pat);
	free(R->len);
	free(R->id);
	free(R->ex);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *out = NULL, *err = NULL;
	if (fd < 0)
		return NULL;
	if (read_all(fd, (size_t)1 << 24, &out, len, path, &err) < 0)
		out = NULL;
	free(err);
	close(fd);
	return (unsigned char *)out;
}

struct walk {
	struct dt *d;
	const char *suffix, *shebang;
	size_t files, bytes, bad;
	size_t max_bytes;
};

static void walk_dir(struct walk *w, const char *dir, int depth)
{
	DIR *dh = opendir(dir);
	if (!dh || depth > 8) {
		if (dh)
			closedir(dh);
		return;
	}
	struct dirent *de;
	while ((de = readdir(dh)) && w->bytes < w->max_bytes) {
		if (de->d_name[0] == '.')
			continue;
		char *p = xasprintf("%s/%s", dir, de->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			walk_dir(w, p, depth + 1);
		} else if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < (1 << 24)) {
			size_t k = strlen(de->d_name), sl = w->suffix ? strlen(w->suffix) : 0;
			int want = w->suffix && k > sl && strcmp(de->d_name + k - sl, w->suffix) == 0;
			size_t len = 0;
			unsigned char *s = want || w->shebang ? slurp(p, &len) : NULL;
			if (s && !want && w->shebang)
				want = len > strlen(w->shebang) && memcmp(s, w->shebang, strlen(w->shebang)) == 0;
			if (s && want) {
				w->files++;
				w->bytes += len;
				if (!check_one(w->d, s, len, p))
					w->bad++;
			}
			free(s);
		}
		free(p);
	}
	closedir(dh);
}

static void test_shipped(const char *src)
{
	/* where each language's real code is on this machine */
	static const struct {
		const char *dir, *suffix, *shebang;
	} corpora[] = {
		{ "/usr/lib/python3.11", ".py", NULL },
		{ "/usr/share/javascript", ".js", NULL },
		{ "/usr/bin", NULL, "#!/bin/sh" },
		{ NULL, ".java", NULL },
	};
	for (int lang = 0; lang < 4; lang++) {
		struct rules R;
		struct dt d;
		size_t bad;
		load_rules(src, lang, &R);
		if (dt_init(&d, R.pat, R.len, R.n, 1000000, &bad) != 0)
			bail("%s: rule %s does not compile", langs[lang], R.id[bad]);
		size_t with = 0;
		for (size_t i = 0; i < R.n; i++) {
			struct ps_rule_info info;
			ps_engine_rule_info(d.pf, i, &info);
			with += info.has_prefilter;
			if (!info.has_prefilter)
				diag("%s: rule %s is scanned whole: %s", langs[lang], R.id[i], info.why);
		}
		ok(with == R.n, "%s: every shipped rule has a prefilter (%zu of %zu)", langs[lang], with, R.n);

		/* the examples, one by one and all together */
		int good = 1;
		size_t total = 0;
		for (size_t i = 0; i < R.nex; i++) {
			good = check_one(&d, (const unsigned char *)R.ex[i], strlen(R.ex[i]), R.ex[i]) && good;
			total += strlen(R.ex[i]) + 1;
		}
		ok(good, "%s: engine = plain loop on each of the %zu rule examples", langs[lang], R.nex);

		/* generated sources: examples cut and joined with noise, long
		 * enough for the automaton's four streams and the 1 KiB cuts */
		unsigned char *s = malloc(total * 3 + 100000);
		if (!s)
			bail("out of memory");
		good = 1;
		for (int round = 0; round < 60 && good; round++) {
			size_t n = 0, want = round < 20 ? rnd(4000) : 20000 + rnd(60000);
			while (n < want && R.nex) {
				const char *e = R.ex[rnd((unsigned)R.nex)];
				size_t k = strlen(e), from = rnd(4) == 0 && k ? rnd((unsigned)k) : 0;
				memcpy(s + n, e + from, k - from);
				n += k - from;
				static const char *const glue[] = { "\n", " ", "", "\r\n", "(", "'", "#", ".", "\t", "\\\n" };
				const char *g = glue[rnd(10)];
				memcpy(s + n, g, strlen(g));
				n += strlen(g);
			}
			good = check_one(&d, s, n, "a generated source");
		}
		ok(good, "%s: engine = plain loop on 60 sources made of the rules' examples", langs[lang]);
		free(s);

		/* the machine's own code */
		if (!corpora[lang].dir || access(corpora[lang].dir, R_OK) != 0) {
			printf("ok %d # SKIP %s: no corpus of real %s code on this machine\n", ++tap_count, langs[lang],
			       langs[lang]);
		} else {
			struct walk w = { &d, corpora[lang].suffix, corpora[lang].shebang, 0, 0, 0, (size_t)64 << 20 };
			walk_dir(&w, corpora[lang].dir, 0);
			if (w.files == 0)
				printf("ok %d # SKIP %s: no %s files under %s\n", ++tap_count, langs[lang], langs[lang],
				       corpora[lang].dir);
			else
				ok(w.bad == 0, "%s: engine = plain loop on %zu files (%zu bytes) under %s", langs[lang],
				   w.files, w.bytes, corpora[lang].dir);
		}
		dt_free(&d);
		free_rules(&R);
	}
}

/* ---- what the engine does with a rule ---- */

static size_t count_cb_n;
static int count_cb(void *arg, size_t rule, size_t a, size_t b)
{
	(void)arg, (void)rule, (void)a, (void)b;
	count_cb_n++;
	return 0;
}

static struct ps_engine *engine_of(const char *const *pats, size_t n, uint32_t limit)
{
	struct ps_engine *e = ps_engine_new(1, limit, 4096);
	size_t off, nj;
	int je;
	for (size_t i = 0; e && i < n; i++)
		if (ps_engine_add(e, pats[i], strlen(pats[i]), &off) != 0)
			bail("pattern %s", pats[i]);
	if (!e || ps_engine_build(e, &nj, &je) < 0)
		bail("out of memory");
	return e;
}

static void test_modes(void)
{
	static const char *const pats[] = { "\\bzebra_\\w+", "[a-z]+[^a-z\\s]", "(?<![\\w.])eval\\b" };
	struct ps_engine *e = engine_of(pats, 3, 1000000);
	struct ps_rule_info info;
	size_t fr, fo;
	int frc;
	const char *clean = "def f(x):\n    return sorted(x)[0]  # nothing here\n";
	count_cb_n = 0;
	is_int(ps_engine_scan(e, (const unsigned char *)clean, strlen(clean), count_cb, NULL, &fr, &fo, &frc), 0,
	       "a source without the literals scans");
	ps_engine_rule_info(e, 0, &info);
	ok(info.has_prefilter && info.mode == PS_MODE_WINDOWS && info.windows == 0 && info.calls == 0,
	   "a rule whose literal is absent runs no confirmation (mode %d, %zu windows, %zu calls)", (int)info.mode,
	   info.windows, info.calls);
	ps_engine_rule_info(e, 1, &info);
	ok(!info.has_prefilter && info.why && info.mode == PS_MODE_WHOLE && info.calls >= 1,
	   "a rule with no literal is scanned whole (%s; %zu calls)", info.why ? info.why : "?", info.calls);
	ps_engine_rule_info(e, 2, &info);
	ok(info.calls == 0, "eval absent: no call for py-eval's pattern (%zu)", info.calls);

	const char *hit = "zebra_crossing = eval(x1) if zebra else a2\n";
	count_cb_n = 0;
	ps_engine_scan(e, (const unsigned char *)hit, strlen(hit), count_cb, NULL, &fr, &fo, &frc);
	ps_engine_rule_info(e, 0, &info);
	ok(info.windows == 1 && info.calls == 1, "where the literal is seen, the rule is tried there (%zu windows, %zu calls)",
	   info.windows, info.calls);
	is_int(count_cb_n, 1 + 4 + 1, "matches: zebra_crossing; zebra_ eval( x1 a2; eval");
	ps_engine_free(e);

	/* a literal too frequent: the rule goes whole, with the same matches */
	static const char *const dense[] = { "x[^x]" };
	struct dt d;
	size_t bad, len = strlen(dense[0]);
	if (dt_init(&d, dense, &len, 1, 1000000, &bad) != 0)
		bail("dense pattern");
	size_t n = 300000;
	unsigned char *s = malloc(n);
	if (!s)
		bail("out of memory");
	for (size_t i = 0; i < n; i++)
		s[i] = i % 3 ? 'x' : 'y';
	ok(check_one(&d, s, n, "dense"), "a rule whose literal is everywhere: engine = plain loop");
	ps_engine_rule_info(d.pf, 0, &info);
	is_int(info.mode, PS_MODE_DENSE, "and it was scanned whole (the windows' budget is a fraction of the source)");
	dt_free(&d);
	free(s);

	/* a PCRE2 limit inside a window fails the scan, naming the rule */
	static const char *const slow[] = { "eval", "x(\\w+\\s?)+$" };
	e = engine_of(slow, 2, 1000);
	char subj[64];
	snprintf(subj, sizeof(subj), "eval x%s!", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	count_cb_n = 0;
	int rc = ps_engine_scan(e, (const unsigned char *)subj, strlen(subj), count_cb, NULL, &fr, &fo, &frc);
	ok(rc < 0 && fr == 1 && frc == PCRE2_ERROR_MATCHLIMIT && count_cb_n == 1,
	   "a match limit in a window fails the scan on that rule, after the earlier rules' matches (rc %d, rule %zu, %d)",
	   rc, fr, frc);
	ps_engine_free(e);
}

int main(void)
{
	const char *src = getenv("CORDON_SRCDIR");
	if (!src)
		bail("set CORDON_SRCDIR");
	test_literals();
	test_multilit();
	test_classes();
	test_tricky();
	test_modes();
	test_shipped(src);
	return tap_done();
}
