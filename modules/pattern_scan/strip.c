/*
 * modules/pattern_scan/strip.c - comment blanking for python, shell,
 * javascript and java sources (see strip.h).
 *
 * Each lexer walks the source once, recognising string literals (so that a
 * comment marker inside a string is left alone) and comments (blanked).
 * Whatever a lexer cannot follow with certainty makes it give up, and the
 * source is scanned unchanged: the one failure that matters — blanking
 * bytes the interpreter would execute — must not happen, while scanning a
 * comment only costs a false positive.
 */
#include <string.h>

#include "strip.h"

#define MAX_NEST 64 /* nesting of f-strings, shell contexts, JS braces */

static const char *const lang_names[PS_LANG_COUNT] = { "python", "javascript", "shell", "java" };

const char *ps_lang_name(enum ps_lang lang)
{
	return (unsigned)lang < PS_LANG_COUNT ? lang_names[lang] : "?";
}

int ps_lang_from_name(const char *name)
{
	for (int i = 0; name && i < PS_LANG_COUNT; i++)
		if (strcmp(name, lang_names[i]) == 0)
			return i;
	return -1;
}

struct lx {
	const unsigned char *s;
	size_t n;
	unsigned char *o;
	const char *why; /* set when giving up */
};

#define FAIL ((size_t)-1)

static size_t fail(struct lx *x, const char *why)
{
	if (!x->why)
		x->why = why;
	return FAIL;
}

/* Blank [a, b) of the output, keeping line ends. */
static void blank(struct lx *x, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++)
		if (x->o[i] != '\n' && x->o[i] != '\r')
			x->o[i] = ' ';
}

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A slash-star comment at s[i]: blanked; returns the index after it. */
static size_t block_comment(struct lx *x, size_t i)
{
	size_t j = i + 2;
	while (j + 1 < x->n && !(x->s[j] == '*' && x->s[j + 1] == '/'))
		j++;
	if (j + 1 >= x->n)
		return fail(x, "an unterminated block comment");
	blank(x, i, j + 2);
	return j + 2;
}

/* ------------------------------------------------------------------ python
 *
 * Comments run from `#` to the end of the line; a line ends at \n, \r\n or
 * a lone \r (the interpreter reads with universal newlines, so a comment
 * cannot swallow code behind a bare \r).  A backslash that joins lines
 * outside a string is blanked too, so that `os.\<newline>system` reads as
 * `os. system`.  A comment on line 1 or 2 that declares an encoding is
 * kept: the interpreter obeys it, and a rule may look at it.
 *
 * Strings: every prefix (r, u, b, f and their pairs in any case), single
 * and triple quotes, backslash escapes (in raw strings a backslash still
 * keeps the next character from closing the string).  f-strings are
 * followed into their replacement fields with the rules of Python 3.12
 * (PEP 701), which agree with 3.11 on every string 3.11 accepts: nested
 * strings of any quote, nested fields in format specs, `!r` conversions.
 * A `#` inside a replacement field makes the lexer give up.
 */

static int py_idc(unsigned char c)
{
	return is_alnum(c) || c == '_' || c >= 0x80;
}

/* Is s[0..k) a string prefix?  Sets raw and fstr. */
static int py_prefix(const unsigned char *s, size_t k, int *raw, int *fstr)
{
	if (k == 0 || k > 2)
		return 0;
	int r = 0, f = 0, b = 0, u = 0;
	for (size_t i = 0; i < k; i++) {
		unsigned char c = s[i] | 0x20;
		if (c == 'r')
			r++;
		else if (c == 'f')
			f++;
		else if (c == 'b')
			b++;
		else if (c == 'u')
			u++;
		else
			return 0;
	}
	if (r > 1 || f > 1 || b > 1 || u > 1 || (f && b) || (u && k > 1))
		return 0;
	*raw = r;
	*fstr = f;
	return 1;
}

static size_t py_string(struct lx *x, size_t i, int raw, int fstr, int depth);
static size_t py_fexpr(struct lx *x, size_t i, unsigned char q, int triple, int depth);

/* At s[i], an identifier or a prefixed string; returns the index after it. */
static size_t py_word(struct lx *x, size_t i, int depth)
{
	size_t j = i;
	while (j < x->n && py_idc(x->s[j]))
		j++;
	int raw, fstr;
	if (j < x->n && (x->s[j] == '\'' || x->s[j] == '"') && py_prefix(x->s + i, j - i, &raw, &fstr))
		return py_string(x, j, raw, fstr, depth);
	return j;
}

/* The closing quote of a format spec's field: returns after its '}'. */
static size_t py_fspec(struct lx *x, size_t i, unsigned char q, int triple, int depth)
{
	while (i < x->n) {
		unsigned char c = x->s[i];
		if (c == '}')
			return i + 1;
		if (c == '{') {
			i = py_fexpr(x, i + 1, q, triple, depth + 1);
			if (i == FAIL)
				return FAIL;
			continue;
		}
		if (c == q && (!triple || (i + 2 < x->n && x->s[i + 1] == q && x->s[i + 2] == q)))
			return fail(x, "an f-string ends inside a format spec");
		if ((c == '\n' || c == '\r') && !triple)
			return fail(x, "a line ends inside an f-string's format spec");
		if (c == 0)
			return fail(x, "a NUL byte");
		i++;
	}
	return fail(x, "an unterminated f-string");
}

/* A replacement field, from after its '{'; returns after its '}'. */
static size_t py_fexpr(struct lx *x, size_t i, unsigned char q, int triple, int depth)
{
	if (depth > MAX_NEST)
		return fail(x, "f-strings nested too deeply");
	int br = 0;
	while (i < x->n) {
		unsigned char c = x->s[i];
		if (c == 0)
			return fail(x, "a NUL byte");
		if (c == '#')
			return fail(x, "a '#' inside an f-string's replacement field");
		if (c == '\'' || c == '"') {
			i = py_string(x, i, 0, 0, depth + 1);
		} else if (py_idc(c)) {
			i = py_word(x, i, depth + 1);
		} else if (c == '(' || c == '[' || c == '{') {
			br++;
			i++;
		} else if (c == ')' || c == ']') {
			if (--br < 0)
				return fail(x, "unbalanced brackets in an f-string's replacement field");
			i++;
		} else if (c == '}') {
			if (br == 0)
				return i + 1;
			br--;
			i++;
		} else if (c == '!' && br == 0 && i + 1 < x->n && x->s[i + 1] != '=') {
			i++; /* conversion: !r, !s, !a; then ':' or '}' */
			while (i < x->n && py_idc(x->s[i]))
				i++;
		} else if (c == ':' && br == 0) {
			return py_fspec(x, i + 1, q, triple, depth);
		} else {
			i++;
		}
		if (i == FAIL)
			return FAIL;
	}
	return fail(x, "an unterminated f-string");
}

/* A string from its opening quote at s[i]; returns after its closing quote. */
static size_t py_string(struct lx *x, size_t i, int raw, int fstr, int depth)
{
	if (depth > MAX_NEST)
		return fail(x, "strings nested too deeply");
	const unsigned char *s = x->s;
	size_t n = x->n;
	unsigned char q = s[i];
	int triple = i + 2 < n && s[i + 1] == q && s[i + 2] == q;
	i += triple ? 3 : 1;
	while (i < n) {
		unsigned char c = s[i];
		if (c == 0)
			return fail(x, "a NUL byte");
		if (c == '\\') {
			if (i + 1 >= n)
				break;
			unsigned char nx = s[i + 1];
			if (fstr && !raw && nx == 'N' && i + 2 < n && s[i + 2] == '{') {
				/* \N{NAME}: the braces are not a field */
				size_t j = i + 3;
				while (j < n && s[j] != '}' && s[j] != '\n' && s[j] != '\r' && s[j] != q)
					j++;
				if (j >= n || s[j] != '}')
					return fail(x, "an unterminated \\N{...} escape");
				i = j + 1;
			} else if (fstr && nx == '{') {
				i++; /* a backslash does not escape a brace */
			} else if (nx == '\r' && i + 2 < n && s[i + 2] == '\n') {
				i += 3;
			} else {
				i += 2;
			}
			continue;
		}
		if (c == q) {
			if (!triple)
				return i + 1;
			if (i + 2 < n && s[i + 1] == q && s[i + 2] == q)
				return i + 3;
			i++;
			continue;
		}
		if ((c == '\n' || c == '\r') && !triple)
			return fail(x, "a line ends inside a string");
		if (fstr && c == '{') {
			if (i + 1 < n && s[i + 1] == '{') {
				i += 2;
				continue;
			}
			i = py_fexpr(x, i + 1, q, triple, depth + 1);
			if (i == FAIL)
				return FAIL;
			continue;
		}
		i++;
	}
	return fail(x, "an unterminated string");
}

/* Does the comment c[0..k) declare an encoding (coding: or coding=)? */
static int py_coding(const unsigned char *c, size_t k)
{
	for (size_t i = 0; i + 7 <= k; i++)
		if (memcmp(c + i, "coding", 6) == 0 && (c[i + 6] == ':' || c[i + 6] == '='))
			return 1;
	return 0;
}

static size_t line_end(const unsigned char *s, size_t n, size_t i)
{
	while (i < n && s[i] != '\n' && s[i] != '\r')
		i++;
	return i;
}

static int strip_python(struct lx *x)
{
	const unsigned char *s = x->s;
	size_t n = x->n;
	/* end of line 2: comments before it may be encoding declarations */
	size_t l2 = line_end(s, n, 0);
	if (l2 < n)
		l2 = line_end(s, n, l2 + (s[l2] == '\r' && l2 + 1 < n && s[l2 + 1] == '\n' ? 2 : 1));
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c == 0) {
			fail(x, "a NUL byte");
			return -1;
		}
		if (c == '#') {
			size_t j = line_end(s, n, i);
			if (!(i < l2 && py_coding(s + i, j - i)))
				blank(x, i, j);
			i = j;
		} else if (c == '\\') {
			if (i + 1 < n && (s[i + 1] == '\n' || s[i + 1] == '\r'))
				blank(x, i, i + 1);
			i++;
		} else if (c == '\'' || c == '"') {
			i = py_string(x, i, 0, 0, 0);
		} else if (py_idc(c)) {
			i = py_word(x, i, 0);
		} else {
			i++;
		}
		if (i == FAIL)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------- shell
 *
 * POSIX sh and bash quoting: a `#` starts a comment only at the start of a
 * word (after a blank, a line end, or one of ; & | ( ) outside quotes), and
 * runs to the line feed (a \r is an ordinary character to the shell).
 * Followed: backslash escapes, '...', $'...', "..." with $(...), ${...} and
 * `...` inside, nested $(...) with comments of its own, here-documents
 * (their bodies are data, never blanked).  A `case` inside $(...) (whose
 * unbalanced `)` the lexer does not model), an unterminated quote or
 * substitution, or a here-document without its delimiter makes it give up.
 */

enum sh_ctx { SH_TOP, SH_DQ, SH_CMD, SH_PARAM };

struct sh_frame {
	enum sh_ctx type;
	int parens; /* SH_CMD: open '(' inside */
};

#define SH_MAX_HEREDOCS 16
#define SH_MAX_DELIM 256

struct sh_heredoc {
	unsigned char word[SH_MAX_DELIM];
	size_t len;
	int tabs; /* <<- strips leading tabs */
};

static int sh_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static int sh_meta(unsigned char c)
{
	return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '<' || c == '>';
}

/* From after an opening backquote: returns after the closing one. */
static size_t sh_backquote(struct lx *x, size_t i)
{
	while (i < x->n) {
		if (x->s[i] == '\\')
			i += 2;
		else if (x->s[i] == '`')
			return i + 1;
		else
			i++;
	}
	return fail(x, "an unterminated `...` substitution");
}

/* At `<<` (not `<<<`): read the delimiter word into h; returns after it. */
static size_t sh_heredoc_op(struct lx *x, size_t i, struct sh_heredoc *h)
{
	const unsigned char *s = x->s;
	size_t n = x->n;
	i += 2;
	h->tabs = 0;
	h->len = 0;
	if (i < n && s[i] == '-') {
		h->tabs = 1;
		i++;
	}
	while (i < n && sh_blank(s[i]))
		i++;
	while (i < n && !sh_blank(s[i]) && s[i] != '\n' && !sh_meta(s[i])) {
		unsigned char c = s[i];
		if (c == '\'' || c == '"') {
			size_t j = i + 1;
			while (j < n && s[j] != c) {
				if (c == '"' && s[j] == '\\' && j + 1 < n)
					j++;
				if (h->len >= SH_MAX_DELIM)
					return fail(x, "a here-document delimiter too long");
				h->word[h->len++] = s[j++];
			}
			if (j >= n)
				return fail(x, "an unterminated quote in a here-document delimiter");
			i = j + 1;
			continue;
		}
		if (c == '\\' && i + 1 < n)
			c = s[++i];
		if (h->len >= SH_MAX_DELIM)
			return fail(x, "a here-document delimiter too long");
		h->word[h->len++] = c;
		i++;
	}
	if (h->len == 0)
		return fail(x, "a here-document without a delimiter");
	return i;
}

/* At the start of a here-document body: returns after its delimiter line. */
static size_t sh_heredoc_body(struct lx *x, size_t i, const struct sh_heredoc *h)
{
	const unsigned char *s = x->s;
	size_t n = x->n;
	while (i < n) {
		size_t a = i, e = i;
		while (e < n && s[e] != '\n')
			e++;
		if (h->tabs)
			while (a < e && s[a] == '\t')
				a++;
		if (e - a == h->len && memcmp(s + a, h->word, h->len) == 0)
			return e < n ? e + 1 : e;
		i = e + 1;
	}
	return fail(x, "a here-document without its delimiter line");
}

static int strip_shell(struct lx *x)
{
	const unsigned char *s = x->s;
	size_t n = x->n;
	struct sh_frame st[MAX_NEST];
	struct sh_heredoc hd[SH_MAX_HEREDOCS];
	size_t nhd = 0;
	int sp = 1;
	st[0].type = SH_TOP;
	st[0].parens = 0;
	int word_start = 1;
	size_t i = 0;
#define PUSH(t)                                                         \
	do {                                                            \
		if (sp >= MAX_NEST) {                                   \
			fail(x, "substitutions nested too deeply");     \
			return -1;                                      \
		}                                                       \
		st[sp].type = (t);                                      \
		st[sp++].parens = 0;                                    \
	} while (0)
	while (i < n) {
		unsigned char c = s[i];
		unsigned char nx = i + 1 < n ? s[i + 1] : 0;
		struct sh_frame *top = &st[sp - 1];
		if (c == 0) {
			fail(x, "a NUL byte");
			return -1;
		}
		/* Everywhere but in single quotes (handled whole below). */
		if (c == '\\') {
			if (nx == '\n') {
				i += 2; /* line continuation: removed, word state kept */
				continue;
			}
			i += 2;
			word_start = 0;
			continue;
		}
		if (c == '`') {
			i = sh_backquote(x, i + 1);
			if (i == FAIL)
				return -1;
			word_start = 0;
			continue;
		}
		if (c == '$' && nx == '(') {
			PUSH(SH_CMD);
			i += 2;
			word_start = 1;
			continue;
		}
		if (c == '$' && nx == '{') {
			PUSH(SH_PARAM);
			i += 2;
			word_start = 0;
			continue;
		}
		if (top->type == SH_DQ) {
			if (c == '"') {
				sp--;
				word_start = 0;
			}
			i++;
			continue;
		}
		if (c == '"') {
			PUSH(SH_DQ);
			i++;
			word_start = 0;
			continue;
		}
		if (c == '\'' && top->type == SH_PARAM && sp >= 2 && st[sp - 2].type == SH_DQ) {
			/* "${x:-'}'}": bash quotes, dash does not */
			fail(x, "a ' inside \"${...}\" (shells differ)");
			return -1;
		}
		if (c == '\'') {
			/* '...' has no escapes; $'...' has backslash escapes */
			int ansi = i > 0 && s[i - 1] == '$';
			size_t j = i + 1;
			while (j < n && s[j] != '\'') {
				if (ansi && s[j] == '\\')
					j++;
				j++;
			}
			if (j >= n) {
				fail(x, "an unterminated '...' string");
				return -1;
			}
			i = j + 1;
			word_start = 0;
			continue;
		}
		if (top->type == SH_PARAM) {
			if (c == '}')
				sp--;
			i++;
			word_start = 0;
			continue;
		}
		/* SH_TOP or SH_CMD: commands. */
		if (c == '#' && word_start) {
			size_t j = i;
			while (j < n && s[j] != '\n')
				j++;
			blank(x, i, j);
			i = j;
			continue;
		}
		if (c == '<' && nx == '<' && i + 2 < n && s[i + 2] == '<') {
			i += 3; /* <<< here-string: a word follows, not a here-document */
			word_start = 1;
			continue;
		}
		if (c == '<' && nx == '<') {
			if (nhd >= SH_MAX_HEREDOCS) {
				fail(x, "too many here-documents on one line");
				return -1;
			}
			i = sh_heredoc_op(x, i, &hd[nhd++]);
			if (i == FAIL)
				return -1;
			word_start = 0;
			continue;
		}
		if (c == '\n') {
			i++;
			for (size_t k = 0; k < nhd; k++) {
				i = sh_heredoc_body(x, i, &hd[k]);
				if (i == FAIL)
					return -1;
			}
			nhd = 0;
			word_start = 1;
			continue;
		}
		if (top->type == SH_CMD) {
			if (word_start && i + 4 <= n && memcmp(s + i, "case", 4) == 0 &&
			    (i + 4 == n || sh_blank(s[i + 4]) || s[i + 4] == '\n')) {
				fail(x, "a case statement inside $(...)");
				return -1;
			}
			if (c == '(') {
				top->parens++;
			} else if (c == ')') {
				if (top->parens == 0) {
					sp--;
					i++;
					word_start = 0; /* $(...)# is one word */
					continue;
				}
				top->parens--;
			}
		}
		word_start = sh_blank(c) || sh_meta(c);
		i++;
	}
#undef PUSH
	if (sp != 1) {
		fail(x, st[sp - 1].type == SH_DQ ? "an unterminated \"...\" string" : "an unterminated substitution");
		return -1;
	}
	if (nhd) {
		fail(x, "a here-document without a body");
		return -1;
	}
	return 0;
}

/* -------------------------------------------------------------- javascript
 *
 * `//` comments end at a line terminator (LF, CR, U+2028, U+2029); block
 * comments at the first `*\/`.  Strings '...' and "..." with escapes;
 * template literals with `${...}` nested to any depth.  A `/` is a regular
 * expression literal or a division depending on the token before it: after
 * an identifier, a number, `]` or `)` it divides — except after the `)` of
 * `if (...)`, `while (...)`, `for (...)`, `with (...)`, and after keywords
 * such as `return` or `typeof` — elsewhere it starts a regular expression.
 * A `/` right after `}` (a block or an object literal: the lexer cannot
 * tell) makes it give up.  Non-ASCII white space (U+00A0, U+FEFF, U+1680,
 * U+2000-U+200A, U+202F, U+205F, U+3000) counts as white space.  JSX is not
 * JavaScript and is not modelled.
 */

enum js_prev { JS_REGEX, JS_DIV, JS_BRACE };

/* Length of a non-ASCII white space or line terminator at s[i], or 0;
 * *lt set when it ends a line (U+2028, U+2029). */
static size_t js_uspace(const unsigned char *s, size_t n, size_t i, int *lt)
{
	*lt = 0;
	if (i + 1 < n && s[i] == 0xC2 && s[i + 1] == 0xA0)
		return 2;
	if (i + 2 >= n)
		return 0;
	unsigned char a = s[i], b = s[i + 1], c = s[i + 2];
	if (a == 0xEF && b == 0xBB && c == 0xBF)
		return 3;
	if (a == 0xE1 && b == 0x9A && c == 0x80)
		return 3;
	if (a == 0xE3 && b == 0x80 && c == 0x80)
		return 3;
	if (a == 0xE2 && b == 0x80) {
		if (c == 0xA8 || c == 0xA9) {
			*lt = 1;
			return 3;
		}
		if ((c >= 0x80 && c <= 0x8A) || c == 0xAF)
			return 3;
	}
	if (a == 0xE2 && b == 0x81 && c == 0x9F)
		return 3;
	return 0;
}

static int js_idc(unsigned char c)
{
	return is_alnum(c) || c == '_' || c == '$' || c == '\\' || c == '#' || c >= 0x80;
}

static size_t js_line_end(const unsigned char *s, size_t n, size_t i)
{
	while (i < n) {
		int lt;
		if (s[i] == '\n' || s[i] == '\r')
			return i;
		if (s[i] >= 0x80 && js_uspace(s, n, i, &lt) && lt)
			return i;
		i++;
	}
	return i;
}

static int js_kw_regex(const unsigned char *w, size_t k)
{
	static const char *const kw[] = { "return", "typeof", "instanceof", "in",   "of",    "new",
		                          "delete", "void",   "throw",      "case", "do",    "else",
		                          "yield",  "await",  "extends",    NULL };
	for (size_t i = 0; kw[i]; i++)
		if (strlen(kw[i]) == k && memcmp(kw[i], w, k) == 0)
			return 1;
	return 0;
}

static int js_kw_paren(const unsigned char *w, size_t k)
{
	return (k == 2 && memcmp(w, "if", 2) == 0) || (k == 5 && memcmp(w, "while", 5) == 0) ||
	       (k == 3 && memcmp(w, "for", 3) == 0) || (k == 4 && memcmp(w, "with", 4) == 0);
}

/* A '...' or "..." string from its quote; returns after the closing one. */
static size_t js_string(struct lx *x, size_t i)
{
	unsigned char q = x->s[i++];
	while (i < x->n) {
		unsigned char c = x->s[i];
		if (c == '\\') {
			i += (i + 2 < x->n && x->s[i + 1] == '\r' && x->s[i + 2] == '\n') ? 3 : 2;
			continue;
		}
		if (c == q)
			return i + 1;
		if (c == '\n' || c == '\r')
			return fail(x, "a line ends inside a string");
		i++;
	}
	return fail(x, "an unterminated string");
}

/* Template literal text from s[i]: returns after the closing backquote
 * (*expr = 0) or after a `${` (*expr = 1). */
static size_t js_template(struct lx *x, size_t i, int *expr)
{
	while (i < x->n) {
		unsigned char c = x->s[i];
		if (c == '\\') {
			i += 2;
			continue;
		}
		if (c == '`') {
			*expr = 0;
			return i + 1;
		}
		if (c == '$' && i + 1 < x->n && x->s[i + 1] == '{') {
			*expr = 1;
			return i + 2;
		}
		i++;
	}
	return fail(x, "an unterminated template literal");
}

/* A regular expression literal from its '/'; returns after its flags. */
static size_t js_regex(struct lx *x, size_t i)
{
	int cls = 0;
	i++;
	while (i < x->n) {
		unsigned char c = x->s[i];
		int lt;
		if (c == '\n' || c == '\r' || (c >= 0x80 && js_uspace(x->s, x->n, i, &lt) && lt))
			return fail(x, "a line ends inside a regular expression");
		if (c == '\\') {
			i += 2;
			continue;
		}
		if (c == '[')
			cls = 1;
		else if (c == ']')
			cls = 0;
		else if (c == '/' && !cls) {
			i++;
			while (i < x->n && js_idc(x->s[i]) && x->s[i] != '\\')
				i++;
			return i;
		}
		i++;
	}
	return fail(x, "an unterminated regular expression");
}

static int strip_javascript(struct lx *x)
{
	const unsigned char *s = x->s;
	size_t n = x->n;
	/* One stack for (, { and ${: '(' plain, 'i' after if/while/for/with,
	 * '{' a block or object, '$' a template's substitution. */
	unsigned char st[4 * MAX_NEST];
	size_t sp = 0;
	enum js_prev prev = JS_REGEX;
	int paren_kw = 0, after_dot = 0;
	size_t i = 0;
	if (n >= 2 && s[0] == '#' && s[1] == '!') { /* hashbang line */
		size_t j = js_line_end(s, n, 0);
		blank(x, 0, j);
		i = j;
	}
	while (i < n) {
		unsigned char c = s[i];
		unsigned char nx = i + 1 < n ? s[i + 1] : 0;
		int lt;
		size_t k;
		if (c == 0) {
			fail(x, "a NUL byte");
			return -1;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
			i++;
			continue;
		}
		if (c >= 0x80 && (k = js_uspace(s, n, i, &lt)) > 0) {
			i += k;
			continue;
		}
		if (c == '/' && nx == '/') {
			size_t j = js_line_end(s, n, i);
			blank(x, i, j);
			i = j;
			continue;
		}
		if (c == '/' && nx == '*') {
			if ((i = block_comment(x, i)) == FAIL)
				return -1;
			continue;
		}
		int was_kw = paren_kw;
		paren_kw = 0;
		int was_dot = after_dot;
		after_dot = 0;
		if (c == '/') {
			if (prev == JS_BRACE) {
				fail(x, "a '/' after '}' (a division or a regular expression)");
				return -1;
			}
			if (prev == JS_REGEX) {
				i = js_regex(x, i);
				if (i == FAIL)
					return -1;
				prev = JS_DIV;
			} else {
				i++;
				prev = JS_REGEX;
			}
			continue;
		}
		if (c == '\'' || c == '"') {
			i = js_string(x, i);
			if (i == FAIL)
				return -1;
			prev = JS_DIV;
			continue;
		}
		if (c == '`' || (c == '}' && sp > 0 && st[sp - 1] == '$')) {
			if (c == '}')
				sp--;
			int expr;
			i = js_template(x, i + 1, &expr);
			if (i == FAIL)
				return -1;
			if (expr) {
				if (sp >= sizeof(st)) {
					fail(x, "nested too deeply");
					return -1;
				}
				st[sp++] = '$';
				prev = JS_REGEX;
			} else {
				prev = JS_DIV;
			}
			continue;
		}
		if (c == '(' || c == '{') {
			if (sp >= sizeof(st)) {
				fail(x, "nested too deeply");
				return -1;
			}
			st[sp++] = c == '{' ? '{' : (was_kw ? 'i' : '(');
			prev = JS_REGEX;
			i++;
			continue;
		}
		if (c == ')') {
			int kw = sp > 0 && st[sp - 1] == 'i';
			if (sp > 0 && (st[sp - 1] == '(' || st[sp - 1] == 'i'))
				sp--;
			prev = kw ? JS_REGEX : JS_DIV;
			i++;
			continue;
		}
		if (c == '}') {
			if (sp > 0 && st[sp - 1] == '{')
				sp--;
			prev = JS_BRACE;
			i++;
			continue;
		}
		if (c == ']') {
			prev = JS_DIV;
			i++;
			continue;
		}
		if (js_idc(c)) {
			size_t j = i;
			int num = c >= '0' && c <= '9';
			while (j < n && (js_idc(s[j]) || (num && s[j] == '.'))) {
				if (s[j] == '\\')
					j++;
				else if (s[j] >= 0x80 && js_uspace(s, n, j, &lt))
					break;
				j++;
			}
			if (j > n)
				j = n;
			prev = JS_DIV;
			if (!num && !was_dot) {
				if (js_kw_regex(s + i, j - i))
					prev = JS_REGEX;
				paren_kw = js_kw_paren(s + i, j - i);
			}
			i = j;
			continue;
		}
		if (c == '.' && nx >= '0' && nx <= '9') {
			while (i < n && (js_idc(s[i]) || s[i] == '.'))
				i++;
			prev = JS_DIV;
			continue;
		}
		if ((c == '+' || c == '-') && nx == c) {
			i += 2;
			prev = JS_DIV;
			continue;
		}
		after_dot = c == '.' && nx != '.';
		prev = JS_REGEX; /* any other punctuator */
		i++;
	}
	for (size_t k = 0; k < sp; k++)
		if (st[k] == '$') {
			fail(x, "an unterminated template literal");
			return -1;
		}
	return 0;
}

/* -------------------------------------------------------------------- java
 *
 * `//` to the end of the line (LF or CR), block comments, "..." strings, '...'
 * characters and """ text blocks.  Java turns \uXXXX escapes into
 * characters before it reads anything else (so `// \u000a code` is code on
 * a new line): a source with a backslash followed by `u` anywhere is
 * scanned unchanged.
 */

static int strip_java(struct lx *x)
{
	const unsigned char *s = x->s;
	size_t n = x->n;
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == '\\' && s[i + 1] == 'u') {
			fail(x, "a \\u escape (Java decodes them before comments)");
			return -1;
		}
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		unsigned char nx = i + 1 < n ? s[i + 1] : 0;
		if (c == 0) {
			fail(x, "a NUL byte");
			return -1;
		}
		if (c == '/' && nx == '/') {
			size_t j = line_end(s, n, i);
			blank(x, i, j);
			i = j;
		} else if (c == '/' && nx == '*') {
			if ((i = block_comment(x, i)) == FAIL)
				return -1;
		} else if (c == '"' && nx == '"' && i + 2 < n && s[i + 2] == '"') {
			size_t j = i + 3;
			while (j + 2 < n && !(s[j] == '"' && s[j + 1] == '"' && s[j + 2] == '"'))
				j += s[j] == '\\' ? 2 : 1;
			if (j + 2 >= n) {
				fail(x, "an unterminated text block");
				return -1;
			}
			i = j + 3;
		} else if (c == '"' || c == '\'') {
			size_t j = i + 1;
			while (j < n && s[j] != c && s[j] != '\n' && s[j] != '\r')
				j += s[j] == '\\' ? 2 : 1;
			if (j >= n || s[j] != c) {
				fail(x, "an unterminated string or character literal");
				return -1;
			}
			i = j + 1;
		} else {
			i++;
		}
	}
	return 0;
}

int ps_strip(enum ps_lang lang, const unsigned char *src, size_t len, unsigned char *out, const char **why)
{
	struct lx x = { .s = src, .n = len, .o = out, .why = NULL };
	if (len)
		memcpy(out, src, len);
	int r;
	switch (lang) {
	case PS_LANG_PYTHON:
		r = strip_python(&x);
		break;
	case PS_LANG_SHELL:
		r = strip_shell(&x);
		break;
	case PS_LANG_JAVASCRIPT:
		r = strip_javascript(&x);
		break;
	case PS_LANG_JAVA:
		r = strip_java(&x);
		break;
	default:
		r = -1;
		x.why = "an unknown language";
		break;
	}
	if (r == 0) {
		if (why)
			*why = NULL;
		return 0;
	}
	if (len)
		memcpy(out, src, len);
	if (why)
		*why = x.why ? x.why : "the source could not be lexed";
	return 1;
}
