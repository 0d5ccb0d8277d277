/*
 * modules/pyimport/lex.c - the Python 3 tokenizer (lexical analysis as the
 * language reference and CPython 3.11's tokenizer define it): logical and
 * physical lines with CR, LF and CRLF ends, explicit (backslash) and
 * implicit (bracket) line joining, INDENT/DEDENT with tabs to multiples of
 * eight and the tab-consistency check, identifiers with XID classes and
 * NFKC, every string prefix, triple quotes, numbers with underscores.
 * f-strings are one STRING token here; the parser re-tokenizes their
 * replacement fields.  The input is valid UTF-8 without NUL bytes (checked
 * by the caller).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "py.h"

static int lerr(struct lexer *lx, int line, int col, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int lerr(struct lexer *lx, int line, int col, const char *fmt, ...)
{
	if (!lx->err->set) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(lx->err->msg, sizeof(lx->err->msg), fmt, ap);
		va_end(ap);
		lx->err->set = 1;
		lx->err->line = line;
		lx->err->col = col;
		lx->err->rule = "syntax-error";
	}
	return -1;
}

/* Keyword index of an identifier: a switch on the first character. */
#define KW(word, len_, idx) \
	if (n == (len_) && memcmp(s, word, (len_)) == 0) \
		return (idx)

static inline __attribute__((always_inline)) int kw_of(const char *s, size_t n)
{
	if (n < 2 || n > 8)
		return 0;
	switch (s[0]) {
	case 'F':
		KW("False", 5, 1);
		return 0;
	case 'N':
		KW("None", 4, 2);
		return 0;
	case 'T':
		KW("True", 4, 3);
		return 0;
	case 'a':
		KW("and", 3, 4);
		KW("as", 2, 5);
		KW("assert", 6, 6);
		KW("async", 5, 7);
		KW("await", 5, 8);
		return 0;
	case 'b':
		KW("break", 5, 9);
		return 0;
	case 'c':
		KW("class", 5, 10);
		KW("continue", 8, 11);
		return 0;
	case 'd':
		KW("def", 3, 12);
		KW("del", 3, 13);
		return 0;
	case 'e':
		KW("elif", 4, 14);
		KW("else", 4, 15);
		KW("except", 6, 16);
		return 0;
	case 'f':
		KW("finally", 7, 17);
		KW("for", 3, 18);
		KW("from", 4, 19);
		return 0;
	case 'g':
		KW("global", 6, 20);
		return 0;
	case 'i':
		KW("if", 2, 21);
		KW("import", 6, 22);
		KW("in", 2, 23);
		KW("is", 2, 24);
		return 0;
	case 'l':
		KW("lambda", 6, 25);
		return 0;
	case 'n':
		KW("nonlocal", 8, 26);
		KW("not", 3, 27);
		return 0;
	case 'o':
		KW("or", 2, 28);
		return 0;
	case 'p':
		KW("pass", 4, 29);
		return 0;
	case 'r':
		KW("raise", 5, 30);
		KW("return", 6, 31);
		return 0;
	case 't':
		KW("try", 3, 32);
		return 0;
	case 'w':
		KW("while", 5, 33);
		KW("with", 4, 34);
		return 0;
	case 'y':
		KW("yield", 5, 35);
		return 0;
	default:
		return 0;
	}
}
#undef KW

static int col_of(const struct lexer *lx, size_t pos)
{
	size_t c = pos - lx->line_start;
	return c > INT32_MAX ? INT32_MAX : (int)c;
}

/* Make room for one more token. */
static int grow(struct lexer *lx, int line, int col)
{
	if (lx->max_tokens && lx->ntoks >= lx->max_tokens) {
		lerr(lx, line, col, "too many tokens");
		lx->err->rule = "too-deep";
		return -1;
	}
	size_t nc = lx->captoks ? lx->captoks * 2 : 256;
	if (nc > SIZE_MAX / sizeof(struct token))
		return lerr(lx, line, col, "out of memory");
	struct token *t = realloc(lx->toks, nc * sizeof(struct token));
	if (!t)
		return lerr(lx, line, col, "out of memory");
	lx->toks = t;
	lx->captoks = nc;
	return 0;
}

static inline struct token *push(struct lexer *lx, int type, size_t start, int line, int col)
{
	if (lx->ntoks == lx->captoks && grow(lx, line, col) < 0)
		return NULL;
	struct token *t = &lx->toks[lx->ntoks++];
	*t = (struct token){ .type = (uint8_t)type, .line = line, .col = col, .s = (const char *)lx->src + start,
		             .len = lx->pos - start };
	return t;
}

static int peekc(const struct lexer *lx, size_t off)
{
	return lx->pos + off < lx->len ? lx->src[lx->pos + off] : -1;
}

/* Consume a newline at pos (\n, \r\n or \r); returns 1 if there was one. */
static int eat_newline(struct lexer *lx)
{
	int c = peekc(lx, 0);
	if (c == '\n') {
		lx->pos++;
	} else if (c == '\r') {
		lx->pos++;
		if (peekc(lx, 0) == '\n')
			lx->pos++;
	} else {
		return 0;
	}
	lx->line++;
	lx->line_start = lx->pos;
	return 1;
}

/* identifier characters: ASCII letters, digits, '_' and every byte of a
 * non-ASCII character (verified as XID afterwards) */
static const unsigned char idchar[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1,
	['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1,
	['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['_'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1,
	['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
	['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
	[0x80 ... 0xff] = 2,
};

static int is_idchar(int c)
{
	return c >= 0 && c < 256 && idchar[c];
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int lookahead(const struct lexer *lx, const char *s)
{
	for (size_t i = 0; s[i]; i++)
		if (peekc(lx, i) != (unsigned char)s[i])
			return 0;
	return 1;
}

/* After a number: a keyword may follow directly (1if x else y), an
 * identifier character may not.  pos is at the character after the number. */
static int end_of_number(struct lexer *lx, const char *kind, int line, int col)
{
	int c = peekc(lx, 0);
	int r = 0;
	switch (c) {
	case 'a': r = lookahead(lx, "and"); break;
	case 'e': r = lookahead(lx, "else"); break;
	case 'f': r = lookahead(lx, "for"); break;
	case 'i': r = lookahead(lx, "if") || lookahead(lx, "in") || lookahead(lx, "is"); break;
	case 'n': r = lookahead(lx, "not"); break;
	case 'o': r = lookahead(lx, "or"); break;
	default: break;
	}
	if (r)
		return 0;
	if (c >= 0 && is_idchar(c))
		return lerr(lx, line, col, "invalid %s literal", kind);
	return 0;
}

/* digits with single underscores between them; at least one digit */
static int digits(struct lexer *lx, int (*ok)(int), const char *kind, int line, int col)
{
	if (!ok(peekc(lx, 0)))
		return lerr(lx, line, col, "invalid %s literal", kind);
	for (;;) {
		while (ok(peekc(lx, 0)))
			lx->pos++;
		if (peekc(lx, 0) != '_')
			break;
		lx->pos++;
		if (!ok(peekc(lx, 0)))
			return lerr(lx, line, col, "invalid %s literal", kind);
	}
	return 0;
}

static int is_oct(int c)
{
	return c >= '0' && c <= '7';
}

static int is_bin(int c)
{
	return c == '0' || c == '1';
}

static int exponent_and_imag(struct lexer *lx, int line, int col)
{
	int c = peekc(lx, 0);
	if (c == 'e' || c == 'E') {
		int c1 = peekc(lx, 1);
		if (c1 == '+' || c1 == '-') {
			if (!is_digit(peekc(lx, 2)))
				return lerr(lx, line, col, "invalid decimal literal");
			lx->pos += 2;
		} else if (!is_digit(c1)) {
			/* "1else": the number ends before the e */
			return end_of_number(lx, "decimal", line, col);
		} else {
			lx->pos++;
		}
		if (digits(lx, is_digit, "decimal", line, col) < 0)
			return -1;
	}
	c = peekc(lx, 0);
	if (c == 'j' || c == 'J') {
		lx->pos++;
		return end_of_number(lx, "imaginary", line, col);
	}
	return end_of_number(lx, "decimal", line, col);
}

static int number(struct lexer *lx, int line, int col)
{
	int c = peekc(lx, 0);
	if (c == '.') {
		lx->pos++;
		if (digits(lx, is_digit, "decimal", line, col) < 0)
			return -1;
		return exponent_and_imag(lx, line, col);
	}
	if (c == '0') {
		int c1 = peekc(lx, 1);
		if (c1 == 'x' || c1 == 'X' || c1 == 'o' || c1 == 'O' || c1 == 'b' || c1 == 'B') {
			int (*ok)(int) = (c1 == 'x' || c1 == 'X') ? is_hex : (c1 == 'o' || c1 == 'O') ? is_oct : is_bin;
			const char *kind = ok == is_hex ? "hexadecimal" : ok == is_oct ? "octal" : "binary";
			lx->pos += 2;
			if (peekc(lx, 0) == '_')
				lx->pos++;
			if (!ok(peekc(lx, 0))) {
				int d = peekc(lx, 0);
				if (is_digit(d))
					return lerr(lx, line, col, "invalid digit '%c' in %s literal", d, kind);
				return lerr(lx, line, col, "invalid %s literal", kind);
			}
			if (digits(lx, ok, kind, line, col) < 0)
				return -1;
			int d = peekc(lx, 0);
			if (is_digit(d))
				return lerr(lx, line, col, "invalid digit '%c' in %s literal", d, kind);
			return end_of_number(lx, kind, line, col);
		}
		/* zeros, maybe followed by digits (only valid as a float) */
		int nonzero = 0;
		for (;;) {
			while (peekc(lx, 0) == '0')
				lx->pos++;
			if (peekc(lx, 0) != '_')
				break;
			lx->pos++;
			if (!is_digit(peekc(lx, 0)))
				return lerr(lx, line, col, "invalid decimal literal");
		}
		if (is_digit(peekc(lx, 0))) {
			nonzero = 1;
			if (digits(lx, is_digit, "decimal", line, col) < 0)
				return -1;
		}
		c = peekc(lx, 0);
		if (c == '.') {
			lx->pos++;
			if (is_digit(peekc(lx, 0)) && digits(lx, is_digit, "decimal", line, col) < 0)
				return -1;
			return exponent_and_imag(lx, line, col);
		}
		if (c == 'e' || c == 'E' || c == 'j' || c == 'J') {
			if ((c == 'e' || c == 'E') && !is_digit(peekc(lx, 1)) && peekc(lx, 1) != '+' && peekc(lx, 1) != '-' &&
			    nonzero)
				return lerr(lx, line, col, "leading zeros in decimal integer literals are not permitted; "
				                           "use an 0o prefix for octal integers");
			return exponent_and_imag(lx, line, col);
		}
		if (nonzero)
			return lerr(lx, line, col, "leading zeros in decimal integer literals are not permitted; "
			                           "use an 0o prefix for octal integers");
		return end_of_number(lx, "decimal", line, col);
	}
	if (digits(lx, is_digit, "decimal", line, col) < 0)
		return -1;
	if (peekc(lx, 0) == '.') {
		lx->pos++;
		if (is_digit(peekc(lx, 0)) && digits(lx, is_digit, "decimal", line, col) < 0)
			return -1;
	}
	return exponent_and_imag(lx, line, col);
}

/* the characters a string body's quick scan stops at */
static const unsigned char string_stop[256] = { ['\''] = 1, ['"'] = 1, ['\\'] = 1, ['\n'] = 1, ['\r'] = 1 };

/* A string body from the opening quote at pos. */
static int string_body(struct lexer *lx, int line, int col)
{
	int q = peekc(lx, 0);
	int triple = peekc(lx, 1) == q && peekc(lx, 2) == q;
	lx->pos += triple ? 3 : 1;
	for (;;) {
		/* skip plain characters quickly */
		const unsigned char *src = lx->src;
		size_t pos = lx->pos, len = lx->len;
		for (;;) {
			while (pos < len && !string_stop[src[pos]])
				pos++;
			if (pos < len && src[pos] != q && (src[pos] == '\'' || src[pos] == '"')) {
				pos++; /* the other quote */
				continue;
			}
			break;
		}
		lx->pos = pos;
		int c = peekc(lx, 0);
		if (c < 0) {
			if (triple)
				return lerr(lx, line, col, "unterminated triple-quoted string literal (detected at line %d)",
				            lx->line);
			return lerr(lx, line, col, "unterminated string literal (detected at line %d)", lx->line);
		}
		if (c == '\\') {
			lx->pos++;
			if (eat_newline(lx))
				continue;
			if (peekc(lx, 0) >= 0)
				lx->pos++;
			continue;
		}
		if (c == '\n' || c == '\r') {
			if (!triple)
				return lerr(lx, line, col, "unterminated string literal (detected at line %d)", line);
			eat_newline(lx);
			continue;
		}
		lx->pos++;
		if (c == q) {
			if (!triple)
				return 0;
			if (peekc(lx, 0) == q && peekc(lx, 1) == q) {
				lx->pos += 2;
				return 0;
			}
		}
	}
}

/* An identifier with non-ASCII characters, [start, lx->pos): verified
 * as written (XID_Start XID_Continue*), then normalised (NFKC). */
static __attribute__((noinline)) int identifier_nonascii(struct lexer *lx, size_t start, int line, int col)
{
	size_t n = lx->pos - start;
	const char *s = (const char *)lx->src + start;
	size_t i = 0;
	int first = 1;
	while (i < n) {
		uint32_t cp;
		size_t l = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (!l)
			return lerr(lx, line, col + (int)i, "invalid UTF-8");
		int ok = first ? (cp == '_' || uni_xid_start(cp, lx->pyver)) : uni_xid_continue(cp, lx->pyver);
		if (!ok) {
			if (cp < 0x80)
				return lerr(lx, line, col + (int)i, "invalid decimal literal");
			return lerr(lx, line, col + (int)i, "invalid character '%.*s' (U+%04X)", (int)l, s + i,
			            (unsigned)cp);
		}
		first = 0;
		i += l;
	}
	size_t nl = n;
	char *name = uni_nfkc(lx->arena, s, n, &nl);
	if (!name)
		return lerr(lx, line, col, "out of memory");
	if (nl > UINT32_MAX)
		return lerr(lx, line, col, "identifier too long"); /* node lengths are 32-bit */
	struct token *t = push(lx, TK_NAME, start, line, col);
	if (!t)
		return -1;
	t->s = name;
	t->len = nl;
	t->nonascii = 1;
	if (lx->na_tail) {
		struct node *id = arena_alloc(lx->arena, sizeof(*id));
		if (!id)
			return lerr(lx, line, col, "out of memory");
		id->kind = N_IDENT;
		id->str = name;
		id->slen = nl;
		id->line = lx->na_line > 0 ? lx->na_line : line;
		id->col = lx->na_line > 0 ? lx->na_col : col;
		if (lx->nfs) {
			/* inside an f-string: at the outermost f-string, as in 3.11 */
			id->line = lx->fs[0].line;
			id->col = lx->fs[0].col;
		}
		*lx->na_tail = id;
		lx->na_tail = &id->next;
	}
	return 0;
}

/* An identifier from start (lx->pos == start). */
static inline __attribute__((always_inline)) int identifier(struct lexer *lx, size_t start, int line, int col)
{
	const unsigned char *src = lx->src;
	size_t pos = start, len = lx->len;
	unsigned cls = 0, v;
	/* idchar is 1 for the ASCII identifier characters, 2 for the bytes of
	 * a non-ASCII character */
	while (pos + 4 <= len) {
		if (!(v = idchar[src[pos]]))
			goto end;
		cls |= v;
		if (!(v = idchar[src[pos + 1]])) {
			pos += 1;
			goto end;
		}
		cls |= v;
		if (!(v = idchar[src[pos + 2]])) {
			pos += 2;
			goto end;
		}
		cls |= v;
		if (!(v = idchar[src[pos + 3]])) {
			pos += 3;
			goto end;
		}
		cls |= v;
		pos += 4;
	}
	while (pos < len && (v = idchar[src[pos]]) != 0) {
		cls |= v;
		pos++;
	}
end:
	lx->pos = pos;
	if (cls & 2)
		return identifier_nonascii(lx, start, line, col);
	size_t n = pos - start;
	/* pos <= len, and names has len + 1 bytes */
	char *name = lx->names + start;
	name[n] = '\0';
	if (lx->ntoks == lx->captoks && grow(lx, line, col) < 0)
		return -1;
	struct token *t = &lx->toks[lx->ntoks++];
	*t = (struct token){ .type = TK_NAME, .kw = (uint8_t)kw_of(name, n), .line = line, .col = col, .s = name,
		             .len = n };
	return 0;
}

/* Length of the operator or delimiter at p (longest match), 0 if none. */
static size_t op_len(const unsigned char *p, size_t rem)
{
	int c1 = rem > 1 ? p[1] : 0, c2 = rem > 2 ? p[2] : 0;
	switch (p[0]) {
	case '*':
	case '/':
		if (c1 == p[0])
			return c2 == '=' ? 3 : 2;
		return c1 == '=' ? 2 : 1;
	case '<':
		if (c1 == '<')
			return c2 == '=' ? 3 : 2;
		return (c1 == '=' || c1 == '>') ? 2 : 1;
	case '>':
		if (c1 == '>')
			return c2 == '=' ? 3 : 2;
		return c1 == '=' ? 2 : 1;
	case '.':
		return (c1 == '.' && c2 == '.') ? 3 : 1;
	case '-':
		return (c1 == '=' || c1 == '>') ? 2 : 1;
	case '!':
		return c1 == '=' ? 2 : 0; /* '!' alone: see op() */
	case ':': case '%': case '&': case '+': case '@': case '^': case '|': case '=':
		return c1 == '=' ? 2 : 1;
	case '(': case ')': case '[': case ']': case '{': case '}': case ',': case ';': case '~':
		return 1;
	default:
		return 0;
	}
}

static int op(struct lexer *lx, int line, int col)
{
	size_t start = lx->pos;
	const unsigned char *p = lx->src + lx->pos;
	size_t rem = lx->len - lx->pos;
	size_t n = op_len(p, rem);
	struct fsmode *m = lx->nfs ? &lx->fs[lx->nfs - 1] : NULL;
	if (!n && p[0] == '!' && lx->pyver >= PYV(3, 12))
		n = 1; /* an operator of its own since 3.12 (f-string conversions) */
	if (m && m->expr_start >= 0 && p[0] == ':' && m->curly - 1 == m->expr_start) {
		/* the format spec of a replacement field starts (even before '=') */
		n = 1;
		m->string = 1;
		m->in_spec = 1;
	}
	uint32_t code = n == 3 ? OP3(p[0], p[1], p[2]) : n == 2 ? OP2(p[0], p[1]) : n == 1 ? OP1(p[0]) : 0;
	if (!n) {
		uint32_t cp;
		size_t l = utf8_decode(p, rem, &cp);
		if (cp < 0x20 || cp == 0x7f)
			return lerr(lx, line, col, "invalid non-printable character U+%04X", (unsigned)cp);
		return lerr(lx, line, col, "invalid character '%.*s' (U+%04X)", (int)(l ? l : 1), (const char *)p,
		            (unsigned)cp);
	}
	lx->pos += n;
	if (n == 1 && (p[0] == '(' || p[0] == '[' || p[0] == '{')) {
		if (lx->paren >= 200)
			return lerr(lx, line, col, "too many nested parentheses");
		lx->paren_stack[lx->paren] = (char)p[0];
		lx->paren_line[lx->paren] = line;
		lx->paren++;
		if (m)
			m->curly++;
	} else if (n == 1 && (p[0] == ')' || p[0] == ']' || p[0] == '}')) {
		if (m && m->curly == 0 && p[0] == '}')
			return lerr(lx, line, col, "f-string: single '}' is not allowed");
		if (lx->paren == 0)
			return lerr(lx, line, col, "unmatched '%c'", p[0]);
		char open = lx->paren_stack[lx->paren - 1];
		char want = open == '(' ? ')' : open == '[' ? ']' : '}';
		if (want != (char)p[0]) {
			if (m && open == '{' && m->curly - 1 == m->expr_start)
				return lerr(lx, line, col, "f-string: unmatched '%c'", p[0]);
			return lerr(lx, line, col, "closing parenthesis '%c' does not match opening parenthesis '%c'", p[0],
			            open);
		}
		lx->paren--;
		if (m) {
			if (--m->curly < 0)
				return lerr(lx, line, col, "f-string: unmatched '%c'", p[0]);
			if (p[0] == '}' && m->curly == m->expr_start) {
				/* the replacement field ends: back to the literal part */
				m->expr_start--;
				m->string = 1;
				m->in_spec = 0;
			}
		}
	}
	struct token *t = push(lx, TK_OP, start, line, col);
	if (!t)
		return -1;
	t->op = code;
	return 0;
}

static int last_is_newline(const struct lexer *lx)
{
	if (lx->ntoks == 0)
		return 1;
	int t = lx->toks[lx->ntoks - 1].type;
	return t == TK_NEWLINE || t == TK_INDENT || t == TK_DEDENT;
}

/* Indentation at the beginning of a logical line. */
static int indentation(struct lexer *lx)
{
	int col = 0, alt = 0, cont = 0;
	for (;;) {
		/* a run of spaces, eight at a time */
		const unsigned char *src = lx->src;
		size_t pos = lx->pos, len = lx->len;
		while (len - pos >= 8) {
			uint64_t v;
			memcpy(&v, src + pos, 8);
			if (v != 0x2020202020202020ull)
				break;
			pos += 8;
		}
		while (pos < len && src[pos] == ' ')
			pos++;
		if (pos != lx->pos) {
			size_t n = pos - lx->pos;
			if (n > 100000 || (size_t)col + n > 100000)
				return lerr(lx, lx->line, 0, "indentation too deep");
			col += (int)n;
			alt += (int)n;
			lx->pos = pos;
		}
		int c = peekc(lx, 0);
		if (c == '\\' && (peekc(lx, 1) == '\n' || peekc(lx, 1) == '\r')) {
			/* indentation cannot be split with backslashes: the column of
			 * the first one decides (CPython: cont_line_col) */
			int line = lx->line, bcol = col_of(lx, lx->pos);
			if (!cont)
				cont = col;
			lx->pos++;
			eat_newline(lx);
			if (peekc(lx, 0) < 0)
				return lerr(lx, line, bcol, "unexpected EOF while parsing");
			continue;
		}
		if (c == ' ') {
			col++;
			alt++;
		} else if (c == '\t') {
			col = (col / 8 + 1) * 8;
			alt++;
		} else if (c == '\f') {
			col = alt = 0;
		} else {
			break;
		}
		lx->pos++;
		if (col > 100000)
			return lerr(lx, lx->line, 0, "indentation too deep");
	}
	int c = peekc(lx, 0);
	if (c == '#' || c == '\n' || c == '\r' || c < 0)
		return 0; /* blank line: no indentation change */
	if (cont) {
		col = cont;
		alt = cont;
	}
	int top = lx->indents[lx->n_indent];
	if (col == top) {
		if (alt != lx->altindents[lx->n_indent])
			return lerr(lx, lx->line, col_of(lx, lx->pos), "inconsistent use of tabs and spaces in indentation");
	} else if (col > top) {
		if (lx->n_indent + 1 >= 100)
			return lerr(lx, lx->line, col_of(lx, lx->pos), "too many levels of indentation");
		if (alt <= lx->altindents[lx->n_indent])
			return lerr(lx, lx->line, col_of(lx, lx->pos), "inconsistent use of tabs and spaces in indentation");
		lx->n_indent++;
		lx->indents[lx->n_indent] = col;
		lx->altindents[lx->n_indent] = alt;
		if (!push(lx, TK_INDENT, lx->pos, lx->line, col_of(lx, lx->pos)))
			return -1;
	} else {
		while (lx->n_indent > 0 && col < lx->indents[lx->n_indent]) {
			lx->n_indent--;
			if (!push(lx, TK_DEDENT, lx->pos, lx->line, col_of(lx, lx->pos)))
				return -1;
		}
		if (col != lx->indents[lx->n_indent])
			return lerr(lx, lx->line, col_of(lx, lx->pos), "unindent does not match any outer indentation level");
		if (alt != lx->altindents[lx->n_indent])
			return lerr(lx, lx->line, col_of(lx, lx->pos), "inconsistent use of tabs and spaces in indentation");
	}
	return 0;
}

/* ---- f-strings of Python 3.12 and later (PEP 701), as CPython's
 * tokenizer reads them: a stack of f-strings being read, each either in a
 * literal part (or format spec) or in a replacement field's expression,
 * which is tokenized like any code (quotes, comments, line breaks and
 * nested f-strings included). ---- */

#define MAX_EXPR_NESTING 3 /* CPython's: replacement fields in format specs */

/* The start of an f-string (prefix and quote) at start; pos is at the
 * quote. */
static int fstring_start(struct lexer *lx, size_t start, int line, int col)
{
	if (lx->nfs + 1 >= MAX_FSTRING_NEST)
		return lerr(lx, line, col, "too many nested f-strings");
	if (!lx->fs && !(lx->fs = arena_alloc(lx->arena, MAX_FSTRING_NEST * sizeof(struct fsmode))))
		return lerr(lx, line, col, "out of memory");
	int q = peekc(lx, 0);
	int triple = peekc(lx, 1) == q && peekc(lx, 2) == q;
	int raw = 0;
	for (size_t k = start; k < lx->pos; k++)
		raw |= (lx->src[k] | 0x20) == 'r';
	lx->pos += triple ? 3 : 1;
	struct fsmode *m = &lx->fs[lx->nfs++];
	*m = (struct fsmode){ .quote = (uint8_t)q, .qsize = triple ? 3 : 1, .raw = (uint8_t)raw, .string = 1,
		              .expr_start = -1, .line = line, .col = col, .start_tok = lx->ntoks };
	return push(lx, TK_FSTART, start, line, col) ? 0 : -1;
}

/* In a literal part or format spec of the innermost f-string: a literal
 * part (TK_FMIDDLE, maybe empty: not pushed), the f-string's end, or the
 * switch to a replacement field's expression. */
static int fstring_middle(struct lexer *lx)
{
	struct fsmode *m = &lx->fs[lx->nfs - 1];
	size_t start = lx->pos;
	int line = lx->line, col = col_of(lx, start);
	int c = peekc(lx, 0);
	if (c == '{' && peekc(lx, 1) != '{') {
		if (++m->expr_start >= MAX_EXPR_NESTING)
			return lerr(lx, line, col, "f-string: expressions nested too deeply");
		m->string = 0;
		return 0;
	}
	int end = 1;
	for (int i = 0; i < m->qsize; i++)
		end &= peekc(lx, (size_t)i) == m->quote;
	if (end) {
		lx->pos += m->qsize;
		lx->nfs--;
		if (lx->ntoks > UINT32_MAX)
			return lerr(lx, line, col, "too many tokens");
		lx->toks[m->start_tok].op = (uint32_t)(lx->ntoks - m->start_tok); /* relative: tokens move */
		return push(lx, TK_FEND, start, line, col) ? 0 : -1;
	}
	int in_spec = m->in_spec && m->expr_start >= 0;
	int endq = 0, uescape = 0;
	size_t tok_end = 0, resume = 0;
	for (;;) {
		if (endq == m->qsize) {
			/* the closing quotes: the part ends before them */
			lx->pos -= m->qsize;
			tok_end = resume = lx->pos;
			break;
		}
		c = peekc(lx, 0);
		if (c < 0 || (m->qsize == 1 && (c == '\n' || c == '\r'))) {
			if (in_spec && c >= 0) {
				if (m->qsize == 1 && lx->pyver >= PYV(3, 13)) /* 3.12 allowed it */
					return lerr(lx, lx->line, col_of(lx, lx->pos),
					            "f-string: newlines are not allowed in format specifiers for single quoted "
					            "f-strings");
				m->string = 0;
				m->in_spec = 0;
				tok_end = resume = lx->pos;
				break;
			}
			if (m->qsize == 3)
				return lerr(lx, m->line, m->col,
				            "unterminated triple-quoted f-string literal (detected at line %d)", lx->line);
			return lerr(lx, m->line, m->col, "unterminated f-string literal (detected at line %d)", lx->line);
		}
		if (c == m->quote) {
			endq++;
			lx->pos++;
			continue;
		}
		endq = 0;
		if (c == '\n' || c == '\r') {
			eat_newline(lx);
			continue;
		}
		if (c == '{') {
			if (peekc(lx, 1) != '{' || in_spec) {
				if (++m->expr_start >= MAX_EXPR_NESTING)
					return lerr(lx, lx->line, col_of(lx, lx->pos), "f-string: expressions nested too deeply");
				m->string = 0;
				m->in_spec = 0;
				tok_end = resume = lx->pos;
			} else {
				tok_end = lx->pos + 1; /* "{{": the part ends with one brace */
				resume = lx->pos + 2;
			}
			break;
		}
		if (c == '}') {
			if (uescape) {
				tok_end = resume = lx->pos + 1;
				break;
			}
			if (peekc(lx, 1) == '}' && !in_spec && m->curly == 0) {
				tok_end = lx->pos + 1;
				resume = lx->pos + 2;
			} else {
				m->string = 0;
				m->in_spec = 0;
				tok_end = resume = lx->pos;
			}
			break;
		}
		lx->pos++;
		if (c == '\\') {
			int d = peekc(lx, 0);
			if (d == '{' || d == '}')
				continue; /* the brace is read as a brace */
			if (d == '\r' || d == '\n') {
				eat_newline(lx);
				continue;
			}
			if (d < 0)
				continue;
			lx->pos++;
			if (!m->raw && d == 'N' && peekc(lx, 0) == '{') {
				lx->pos++;
				uescape = 1;
			}
		}
	}
	if (tok_end > start) {
		size_t save = lx->pos;
		lx->pos = tok_end;
		struct token *t = push(lx, TK_FMIDDLE, start, line, col);
		if (!t)
			return -1;
		lx->pos = save;
	}
	lx->pos = resume;
	return 0;
}

/* the lexer's dispatch on the first character of a token */
enum {
	CC_OP = 0, /* an operator, a delimiter or an invalid character (op() tells) */
	CC_SPACE, /* ' ', '\t', '\f' */
	CC_NAME, /* a letter that cannot start a string prefix, '_', a non-ASCII byte */
	CC_PREFIX, /* b B r R u U f F: a string prefix or an identifier */
	CC_DIGIT,
	CC_DOT,
	CC_QUOTE,
	CC_NL, /* '\n', '\r' */
	CC_HASH,
	CC_BACKSLASH,
};
static const unsigned char cclass[256] = {
	[' '] = CC_SPACE, ['\t'] = CC_SPACE, ['\f'] = CC_SPACE,
	['A'] = CC_NAME, ['B'] = CC_PREFIX, ['C' ... 'E'] = CC_NAME, ['F'] = CC_PREFIX, ['G' ... 'Q'] = CC_NAME,
	['R'] = CC_PREFIX, ['S' ... 'T'] = CC_NAME, ['U'] = CC_PREFIX, ['V' ... 'Z'] = CC_NAME,
	['a'] = CC_NAME, ['b'] = CC_PREFIX, ['c' ... 'e'] = CC_NAME, ['f'] = CC_PREFIX, ['g' ... 'q'] = CC_NAME,
	['r'] = CC_PREFIX, ['s' ... 't'] = CC_NAME, ['u'] = CC_PREFIX, ['v' ... 'z'] = CC_NAME,
	['_'] = CC_NAME, [0x80 ... 0xff] = CC_NAME,
	['0' ... '9'] = CC_DIGIT, ['.'] = CC_DOT, ['\''] = CC_QUOTE, ['"'] = CC_QUOTE,
	['\n'] = CC_NL, ['\r'] = CC_NL, ['#'] = CC_HASH, ['\\'] = CC_BACKSLASH,
};

/* The end of the input: ENDMARKER, after NEWLINE and DEDENTs outside an
 * f-string expression. */
static int at_end(struct lexer *lx, int line, int col)
{
	if (lx->fstring_mode) {
		if (lx->paren)
			return lerr(lx, lx->paren_line[lx->paren - 1], 0, "f-string: '%c' was never closed",
			            lx->paren_stack[lx->paren - 1]);
		return push(lx, TK_ENDMARKER, lx->pos, line, col) ? 0 : -1;
	}
	if (lx->paren)
		return lerr(lx, lx->paren_line[lx->paren - 1], 0, "'%c' was never closed", lx->paren_stack[lx->paren - 1]);
	if (!last_is_newline(lx) && !push(lx, TK_NEWLINE, lx->pos, line, col))
		return -1;
	while (lx->n_indent > 0) {
		lx->n_indent--;
		if (!push(lx, TK_DEDENT, lx->pos, line, col))
			return -1;
	}
	return push(lx, TK_ENDMARKER, lx->pos, line, col) ? 0 : -1;
}

/* Does the logical line at pos continue the statement before it (else,
 * elif, except, finally)? */
static int continues(const struct lexer *lx)
{
	static const char *const words[] = { "else", "elif", "except", "finally" };
	for (size_t i = 0; i < 4; i++) {
		size_t n = strlen(words[i]);
		if (lx->len - lx->pos >= n && memcmp(lx->src + lx->pos, words[i], n) == 0 &&
		    !(lx->pos + n < lx->len && idchar[lx->src[lx->pos + n]]))
			return 1;
	}
	return 0;
}

void lex_drop(struct lexer *lx, size_t n)
{
	if (n > lx->ntoks)
		n = lx->ntoks;
	memmove(lx->toks, lx->toks + n, (lx->ntoks - n) * sizeof(*lx->toks));
	lx->ntoks -= n;
}

int lex_all(struct lexer *lx)
{
	if (!lx->started) {
		lx->started = 1;
		lx->at_bol = !lx->fstring_mode;
		lx->want_boundary = !lx->fstring_mode; /* to note a decorator on line 1 */
	}
	if (lx->paused) {
		lx->paused = 0;
		lx->ntoks--; /* the sentinel */
	}
	if (lx->line == 0)
		lx->line = 1;
	if (!lx->names) {
		if (lx->len == SIZE_MAX || !(lx->names = arena_alloc_raw(lx->arena, lx->len + 1)))
			return lerr(lx, lx->line, 0, "out of memory");
		memcpy(lx->names, lx->src, lx->len);
		lx->names[lx->len] = '\0';
	}
	const unsigned char *src = lx->src;
	const size_t len = lx->len;
	for (;;) {
		if (lx->nfs && lx->fs[lx->nfs - 1].string) {
			if (fstring_middle(lx) < 0)
				return -1;
			continue;
		}
		if (lx->at_bol) {
			lx->at_bol = 0;
			if (lx->paren == 0 && indentation(lx) < 0)
				return -1;
			int c = peekc(lx, 0);
			if (lx->want_boundary && c >= 0 && c != '#' && c != '\n' && c != '\r') {
				/* the first line after a logical line: a new top-level
				 * statement starts here unless it continues the last one
				 * (else, elif, except, finally, or after a decorator) */
				lx->want_boundary = 0;
				int after_decorator = lx->decorator;
				lx->decorator = c == '@';
				if (lx->chunked && lx->ntoks && lx->n_indent == 0 && !after_decorator && !continues(lx)) {
					if (!push(lx, TK_ENDMARKER, lx->pos, lx->line, col_of(lx, lx->pos)))
						return -1;
					lx->paused = 1;
					return 1;
				}
			}
		}
		size_t pos = lx->pos;
		if (pos >= len)
			return at_end(lx, lx->line, col_of(lx, pos));
		int c = src[pos];
		int cc = cclass[c];
		if (cc == CC_SPACE) {
			do
				pos++;
			while (pos < len && cclass[src[pos]] == CC_SPACE);
			lx->pos = pos;
			if (pos >= len)
				return at_end(lx, lx->line, col_of(lx, pos));
			c = src[pos];
			cc = cclass[c];
		}
		int line = lx->line, col = col_of(lx, pos);
		size_t start = pos;
		switch (cc) {
		case CC_NAME:
			if (identifier(lx, start, line, col) < 0)
				return -1;
			continue;
		case CC_PREFIX: {
			/* string prefix? */
			int sb = 0, sr = 0, su = 0, sf = 0;
			size_t k = 0;
			for (;;) {
				int d = peekc(lx, k);
				if (!(sb || su || sf) && (d == 'b' || d == 'B'))
					sb = 1;
				else if (!(sb || su || sr || sf) && (d == 'u' || d == 'U'))
					su = 1;
				else if (!(sr || su) && (d == 'r' || d == 'R'))
					sr = 1;
				else if (!(sf || sb || su) && (d == 'f' || d == 'F'))
					sf = 1;
				else
					break;
				k++;
				d = peekc(lx, k);
				if (d == '"' || d == '\'') {
					lx->pos += k;
					if (sf && lx->pyver >= PYV(3, 12)) {
						if (fstring_start(lx, start, line, col) < 0)
							return -1;
						goto next;
					}
					if (string_body(lx, line, col) < 0)
						return -1;
					if (!push(lx, TK_STRING, start, line, col))
						return -1;
					goto next;
				}
			}
			if (identifier(lx, start, line, col) < 0)
				return -1;
			continue;
		}
		case CC_QUOTE:
			if (string_body(lx, line, col) < 0)
				return -1;
			if (!push(lx, TK_STRING, start, line, col))
				return -1;
			continue;
		case CC_DOT:
			if (!(pos + 1 < len && is_digit(src[pos + 1])))
				break; /* an operator */
			/* fall through */
		case CC_DIGIT:
			if (number(lx, line, col) < 0)
				return -1;
			if (!push(lx, TK_NUMBER, start, line, col))
				return -1;
			continue;
		case CC_HASH: {
			if (lx->fstring_mode)
				return lerr(lx, line, col, "f-string expression part cannot include '#'");
			/* to the end of the physical line (LF, or a CR before it) */
			const unsigned char *st = src + pos;
			const unsigned char *e = memchr(st, '\n', len - pos);
			size_t l = e ? (size_t)(e - st) : len - pos;
			const unsigned char *r = memchr(st, '\r', l);
			lx->pos = pos + (r ? (size_t)(r - st) : l);
			if (lx->pos >= len)
				return at_end(lx, line, col);
			/* a newline follows */
		}
			/* fall through */
		case CC_NL: {
			int blank = last_is_newline(lx);
			size_t nlstart = lx->pos;
			eat_newline(lx);
			if (lx->fstring_mode || lx->paren > 0)
				continue;
			if (!blank) {
				/* the position of the newline, or of the comment before it */
				struct token *t = push(lx, TK_NEWLINE, nlstart, line, col);
				if (!t)
					return -1;
				lx->want_boundary = 1;
				t->len = lx->pos - nlstart;
			}
			lx->at_bol = 1;
			continue;
		}
		case CC_BACKSLASH:
			if (lx->fstring_mode)
				return lerr(lx, line, col, "f-string expression part cannot include a backslash");
			lx->pos++;
			if (peekc(lx, 0) < 0)
				return lerr(lx, line, col, "unexpected EOF while parsing");
			if (!eat_newline(lx))
				return lerr(lx, line, col + 1, "unexpected character after line continuation character");
			if (peekc(lx, 0) < 0)
				return lerr(lx, lx->line, 0, "unexpected EOF while parsing");
			continue;
		default:
			break;
		}
		if (op(lx, line, col) < 0)
			return -1;
	next:;
	}
}
