/*
 * modules/pyimport/parse.c - a recursive-descent parser for the statements
 * and expressions of the Python 3.11 grammar, building the AST the checks
 * walk.  Node positions follow CPython's ast: line 1-based, column the
 * 0-based UTF-8 byte offset of the first token of the node's rule (so
 * `(a).b` starts at the parenthesis and `(a)` at `a`).
 *
 * Anything the grammar does not accept is a syntax error: the parser never
 * skips input it does not understand.  Recursion is bounded by max_depth
 * (a "too-deep" error, never a crash), counted in nesting levels of the
 * source: each bracket (of an atom, a call or a subscript), unary
 * operator, 'not', power, lambda, conditional expression, f-string and
 * replacement field, block and pattern is one level, so that the
 * tokenizer's 200 brackets (CPython's limit) are what bounds a data
 * literal.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "py.h"

#define TOK (&p->toks[p->i])
#define NEXT(k) (&p->toks[p->i + (k) < p->ntoks ? p->i + (k) : p->ntoks - 1])

static int perr(struct parser *p, const struct token *t, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(struct parser *p, const struct token *t, const char *fmt, ...)
{
	if (!p->err->set) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
		va_end(ap);
		p->err->set = 1;
		p->err->rule = "syntax-error";
		if (p->fstring_level > 0) {
			p->err->line = p->fs_line;
			p->err->col = p->fs_col;
		} else {
			p->err->line = t ? t->line : 0;
			p->err->col = t ? t->col : 0;
		}
	}
	return -1;
}

static void *oom(struct parser *p)
{
	perr(p, TOK, "out of memory");
	return NULL;
}

static int enter(struct parser *p)
{
	if (++p->depth > p->max_depth) {
		if (!p->err->set) {
			perr(p, TOK, "nesting deeper than %d levels", p->max_depth);
			p->err->rule = "too-deep";
		}
		return -1;
	}
	return 0;
}

static void leave(struct parser *p)
{
	p->depth--;
}

static struct node *mk(struct parser *p, int kind, const struct token *t)
{
	struct node *n = arena_alloc_raw(p->arena, sizeof(*n));
	if (!n)
		return oom(p);
	*n = (struct node){ .kind = (uint16_t)kind, .line = t->line, .col = t->col };
	return n;
}

static int is_op(const struct token *t, uint32_t op)
{
	return t->type == TK_OP && t->op == op;
}

static int at_op(struct parser *p, uint32_t op)
{
	return is_op(TOK, op);
}

static int at_kw(struct parser *p, int kw)
{
	return TOK->type == TK_NAME && TOK->kw == kw;
}

static int accept_op(struct parser *p, uint32_t op)
{
	if (at_op(p, op)) {
		p->i++;
		return 1;
	}
	return 0;
}

static int accept_kw(struct parser *p, int kw)
{
	if (at_kw(p, kw)) {
		p->i++;
		return 1;
	}
	return 0;
}

static const char *tokdesc(const struct token *t)
{
	switch (t->type) {
	case TK_ENDMARKER: return "end of input";
	case TK_NEWLINE: return "end of line";
	case TK_INDENT: return "indent";
	case TK_DEDENT: return "dedent";
	default: return NULL;
	}
}

static int syntax(struct parser *p)
{
	const struct token *t = TOK;
	if (t->type == TK_INDENT)
		return perr(p, t, "unexpected indent");
	if (t->type == TK_DEDENT)
		return perr(p, t, "unindent does not match any outer indentation level");
	const char *d = tokdesc(t);
	if (d)
		return perr(p, t, "invalid syntax (unexpected %s)", d);
	return perr(p, t, "invalid syntax at '%.*s'", (int)(t->len > 40 ? 40 : t->len), t->s);
}

static int expect_op(struct parser *p, uint32_t op, const char *what)
{
	if (accept_op(p, op))
		return 0;
	if (p->err->set)
		return -1;
	const struct token *t = TOK;
	const char *d = tokdesc(t);
	if (t->type == TK_INDENT)
		return perr(p, t, "unexpected indent");
	if (d)
		return perr(p, t, "expected '%s' (found %s)", what, d);
	return perr(p, t, "expected '%s'", what);
}

static int is_name(struct parser *p)
{
	return TOK->type == TK_NAME && TOK->kw == KW_NONE;
}

static int is_soft(const struct token *t, const char *s)
{
	return t->type == TK_NAME && t->kw == KW_NONE && strcmp(t->s, s) == 0;
}

/* append to a list given its tail pointer */
static void lappend(struct node ***tail, struct node *n)
{
	**tail = n;
	*tail = &n->next;
}

/* forward */
static struct node *expression(struct parser *p);
static struct node *named_expression(struct parser *p);
static struct node *star_expressions(struct parser *p);
static struct node *star_named_expression(struct parser *p);
static struct node *bitwise_or(struct parser *p);
static struct node *disjunction(struct parser *p);
static struct node *primary(struct parser *p);
static struct node *atom(struct parser *p);
static struct node *block(struct parser *p);
static struct node *statement(struct parser *p, struct node **last);
static struct node *pattern(struct parser *p);
static struct node *paren_contents(struct parser *p, const struct token *open, int fstring);
static struct node *yield_expr(struct parser *p);
static struct node *star_expression(struct parser *p);
static struct node *type_alias(struct parser *p);

/* ------------------------------------------------------------------ targets */

enum tgt { TGT_STAR, TGT_DEL, TGT_AUG, TGT_ANN };

static const char *kind_desc(const struct node *n)
{
	switch (n->kind) {
	case N_CALL: return "function call";
	case N_CONSTANT: return "literal";
	case N_COMPARE: return "comparison";
	case N_BINOP: case N_UNARYOP: case N_BOOLOP: return "expression";
	case N_LAMBDA: return "lambda";
	case N_IFEXP: return "conditional expression";
	case N_NAMEDEXPR: return "named expression";
	case N_JOINEDSTR: return "f-string expression";
	case N_YIELD: case N_YIELDFROM: return "yield expression";
	case N_AWAIT: return "await expression";
	case N_DICT: return "dict literal";
	case N_SET: return "set display";
	case N_GENEXP: return "generator expression";
	case N_LISTCOMP: return "list comprehension";
	case N_SETCOMP: return "set comprehension";
	case N_DICTCOMP: return "dict comprehension";
	case N_STARRED: return "starred";
	case N_TUPLE: return "tuple";
	case N_SLICE: return "slice";
	default: return "expression";
	}
}

static int set_target(struct parser *p, struct node *n, enum tgt how, const struct token *at)
{
	uint8_t ctx = how == TGT_DEL ? CTX_DEL : CTX_STORE;
	switch (n->kind) {
	case N_NAME:
		n->ctx = ctx;
		return 0;
	case N_ATTRIBUTE:
	case N_SUBSCRIPT:
		n->ctx = ctx;
		return 0;
	case N_STARRED:
		if (how != TGT_STAR)
			break;
		n->ctx = ctx;
		return set_target(p, n->kids[0], how, at);
	case N_TUPLE:
	case N_LIST:
		if (how == TGT_AUG || how == TGT_ANN)
			break;
		n->ctx = ctx;
		for (struct node *k = n->kids[0]; k; k = k->next)
			if (set_target(p, k, how, at) < 0)
				return -1;
		return 0;
	default:
		break;
	}
	if (how == TGT_AUG)
		return perr(p, at, "'%s' is an illegal expression for augmented assignment", kind_desc(n));
	if (how == TGT_ANN)
		return perr(p, at, "only single target (not %s) can be annotated", kind_desc(n));
	return perr(p, at, "cannot %s %s", how == TGT_DEL ? "delete" : "assign to", kind_desc(n));
}

/* star_targets for `for` and comprehensions: targets never contain a bare
 * comparison, so they are parsed as (starred) primaries. */
static struct node *star_target(struct parser *p)
{
	const struct token *t = TOK;
	if (accept_op(p, '*')) {
		if (at_op(p, '*'))
			return syntax(p), NULL;
		struct node *n = mk(p, N_STARRED, t);
		if (!n || enter(p) < 0)
			return NULL;
		n->kids[0] = star_target(p);
		leave(p);
		return n->kids[0] ? n : NULL;
	}
	return primary(p);
}

static struct node *star_targets(struct parser *p)
{
	const struct token *t = TOK;
	struct node *first = star_target(p);
	if (!first)
		return NULL;
	if (!at_op(p, ','))
		return set_target(p, first, TGT_STAR, t) < 0 ? NULL : first;
	struct node *tup = mk(p, N_TUPLE, t);
	if (!tup)
		return NULL;
	struct node **tail = &tup->kids[0];
	lappend(&tail, first);
	while (accept_op(p, ',')) {
		if (at_kw(p, KW_IN) || at_op(p, '=') || at_op(p, ')') || at_op(p, ':'))
			break;
		struct node *n = star_target(p);
		if (!n)
			return NULL;
		lappend(&tail, n);
	}
	return set_target(p, tup, TGT_STAR, t) < 0 ? NULL : tup;
}

/* ------------------------------------------------------------------ strings */

struct sbuf {
	char *d;
	size_t n, cap;
	int oom;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->cap - b->n < n + 1) {
		size_t nc = b->cap ? b->cap : 64;
		while (nc - b->n < n + 1) {
			if (nc > SIZE_MAX / 2) {
				b->oom = 1;
				return;
			}
			nc *= 2;
		}
		char *d = realloc(b->d, nc);
		if (!d) {
			b->oom = 1;
			return;
		}
		b->d = d;
		b->cap = nc;
	}
	memcpy(b->d + b->n, s, n);
	b->n += n;
	b->d[b->n] = '\0';
}

static void sb_putc(struct sbuf *b, uint32_t c)
{
	char u[4];
	size_t l = utf8_encode(c, u);
	sb_put(b, u, l);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode a literal piece s[0..n) of a string (already without quotes) into
 * b.  raw: no escapes.  bytes: \u, \U, \N are not escapes.  *unknown is set
 * when a \N{...} escape makes the value unknowable here.  Newlines (CR, CRLF)
 * become LF as CPython's reader does.
 */
static int decode_piece(struct parser *p, const struct token *t, const char *s, size_t n, int raw, int bytes,
                        struct sbuf *b, int *unknown)
{
	size_t i = 0;
	while (i < n) {
		/* a run of plain characters in one copy */
		size_t r = i;
		while (r < n && s[r] != '\\' && s[r] != '\r' && !(bytes && (unsigned char)s[r] >= 0x80))
			r++;
		if (r > i) {
			sb_put(b, s + i, r - i);
			i = r;
			continue;
		}
		unsigned char c = (unsigned char)s[i];
		if (bytes && c >= 0x80)
			return perr(p, t, "bytes can only contain ASCII literal characters");
		if (c == '\r') {
			sb_put(b, "\n", 1);
			i += (i + 1 < n && s[i + 1] == '\n') ? 2 : 1;
			continue;
		}
		if (c != '\\' || raw) {
			if (c == '\\' && raw && i + 1 < n) {
				/* a raw string keeps the backslash and the escaped character */
				if (s[i + 1] == '\r') {
					sb_put(b, "\\", 1);
					i++;
					continue;
				}
				sb_put(b, s + i, 2);
				i += 2;
				continue;
			}
			sb_put(b, s + i, 1);
			i++;
			continue;
		}
		if (i + 1 >= n) {
			sb_put(b, "\\", 1);
			i++;
			continue;
		}
		unsigned char e = (unsigned char)s[i + 1];
		i += 2;
		switch (e) {
		case '\n': break;
		case '\r':
			if (i < n && s[i] == '\n')
				i++;
			break;
		case '\\': sb_put(b, "\\", 1); break;
		case '\'': sb_put(b, "'", 1); break;
		case '"': sb_put(b, "\"", 1); break;
		case 'a': sb_put(b, "\a", 1); break;
		case 'b': sb_put(b, "\b", 1); break;
		case 'f': sb_put(b, "\f", 1); break;
		case 'n': sb_put(b, "\n", 1); break;
		case 'r': sb_put(b, "\r", 1); break;
		case 't': sb_put(b, "\t", 1); break;
		case 'v': sb_put(b, "\v", 1); break;
		case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
			uint32_t v = e - '0';
			for (int k = 0; k < 2 && i < n && s[i] >= '0' && s[i] <= '7'; k++)
				v = v * 8 + (uint32_t)(s[i++] - '0');
			if (bytes) {
				char ch = (char)(v & 0xff);
				sb_put(b, &ch, 1);
			} else {
				sb_putc(b, v);
			}
			break;
		}
		case 'x': case 'u': case 'U': {
			if (bytes && e != 'x') {
				sb_put(b, s + i - 2, 2);
				break;
			}
			int nd = e == 'x' ? 2 : e == 'u' ? 4 : 8;
			uint32_t v = 0;
			for (int k = 0; k < nd; k++) {
				int h = i < n ? hexval((unsigned char)s[i]) : -1;
				if (h < 0) {
					if (bytes)
						return perr(p, t, "(value error) invalid \\x escape");
					return perr(p, t, "(unicode error) 'unicodeescape' codec can't decode bytes: truncated \\%c escape",
					            e);
				}
				v = v * 16 + (uint32_t)h;
				i++;
			}
			if (v > 0x10ffff)
				return perr(p, t, "(unicode error) 'unicodeescape' codec can't decode bytes: illegal Unicode character");
			if (bytes) {
				char ch = (char)v;
				sb_put(b, &ch, 1);
			} else {
				sb_putc(b, v);
			}
			break;
		}
		case 'N':
			if (bytes) {
				sb_put(b, "\\N", 2);
				break;
			}
			if (i >= n || s[i] != '{')
				return perr(p, t, "(unicode error) 'unicodeescape' codec can't decode bytes: malformed \\N character escape");
			{
				size_t j = i + 1;
				while (j < n && s[j] != '}')
					j++;
				if (j >= n || j == i + 1)
					return perr(p, t, "(unicode error) 'unicodeescape' codec can't decode bytes: malformed \\N character escape");
				/* the character's name cannot be looked up here: the value is unknown */
				*unknown = 1;
				sb_put(b, "\xef\xbf\xbd", 3);
				i = j + 1;
			}
			break;
		default:
			/* an invalid escape keeps its backslash (a DeprecationWarning in CPython) */
			sb_put(b, s + i - 2, 2);
			break;
		}
	}
	return b->oom ? (oom(p), -1) : 0;
}

struct strtok {
	int raw, bytes, fstr;
	const char *body;
	size_t n;
};

static void split_string(const struct token *t, struct strtok *st)
{
	const char *s = t->s;
	size_t i = 0;
	memset(st, 0, sizeof(*st));
	while (s[i] != '\'' && s[i] != '"') {
		char c = s[i] | 0x20;
		if (c == 'r')
			st->raw = 1;
		else if (c == 'b')
			st->bytes = 1;
		else if (c == 'f')
			st->fstr = 1;
		i++;
	}
	size_t q = (t->len - i >= 6 && s[i + 1] == s[i] && s[i + 2] == s[i]) ? 3 : 1;
	st->body = s + i + q;
	st->n = t->len - i - 2 * q;
}

/* The JoinedStr under construction: literal text accumulates until a
 * replacement field flushes it as a Constant part. */
struct jstr {
	struct node *node;
	struct node **tail;
	struct sbuf lit;
	int unknown;
};

static int jflush(struct parser *p, struct jstr *j, const struct token *t)
{
	if (j->unknown)
		p->saw_unknown = 1;
	if (j->lit.n == 0 && !j->unknown)
		return 0;
	struct node *c = mk(p, N_CONSTANT, t);
	if (!c)
		return -1;
	c->flags = C_STR | (j->unknown ? C_UNKNOWN : 0);
	c->str = arena_strndup(p->arena, j->lit.d ? j->lit.d : "", j->lit.n);
	c->slen = j->lit.n;
	if (!c->str)
		return oom(p), -1;
	lappend(&j->tail, c);
	j->lit.n = 0;
	j->unknown = 0;
	return 0;
}

static int fstring_body(struct parser *p, const struct token *t, const char *s, size_t n, size_t *pos, int raw,
                        int lvl, struct jstr *j);

/* Parse the expression text s[0..n) of a replacement field (as CPython 3.11
 * does: as if written in parentheses). */
static struct node *fstring_expr(struct parser *p, const struct token *t, const char *s, size_t n)
{
	size_t k = 0;
	while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r' || s[k] == '\f' || s[k] == '\v'))
		k++;
	if (k == n)
		return perr(p, t, "f-string: empty expression not allowed"), NULL;
	struct lexer lx = { 0 };
	lx.arena = p->arena;
	lx.src = (const unsigned char *)s;
	lx.len = n;
	lx.fstring_mode = 1;
	lx.pyver = p->pyver;
	lx.err = p->err;
	lx.max_tokens = 0;
	lx.na_tail = p->na_tail;
	lx.na_line = p->fs_line;
	lx.na_col = p->fs_col;
	int lr = lex_all(&lx);
	p->na_tail = lx.na_tail;
	if (lr < 0) {
		free(lx.toks);
		return NULL;
	}
	struct parser sub = *p;
	sub.toks = lx.toks;
	sub.ntoks = lx.ntoks;
	sub.i = 0;
	struct node *e = paren_contents(&sub, t, 1);
	p->depth = sub.depth;
	p->na_tail = sub.na_tail;
	free(lx.toks);
	return e;
}

/*
 * One level of an f-string body from *pos: literal text and replacement
 * fields; at lvl 1 (a format spec) it stops at the closing '}'.
 */
static int fstring_body(struct parser *p, const struct token *t, const char *s, size_t n, size_t *pos, int raw,
                        int lvl, struct jstr *j)
{
	size_t i = *pos;
	while (i < n) {
		/* literal part */
		size_t start = i;
		while (i < n) {
			char c = s[i];
			if (c == '\\' && !raw && i + 1 < n) {
				if (s[i + 1] == 'N' && i + 2 < n && s[i + 2] == '{') {
					size_t k = i + 3;
					while (k < n && s[k] != '}')
						k++;
					i = k < n ? k + 1 : n;
					continue;
				}
				i += 2;
				continue;
			}
			if (c == '{' || c == '}')
				break;
			i++;
		}
		if (decode_piece(p, t, s + start, i - start, raw, 0, &j->lit, &j->unknown) < 0)
			return -1;
		if (i >= n)
			break;
		char c = s[i];
		if (lvl == 0 && i + 1 < n && s[i + 1] == c) {
			sb_put(&j->lit, &c, 1);
			i += 2;
			continue;
		}
		if (c == '}') {
			if (lvl > 0)
				break; /* end of the format spec */
			return perr(p, t, "f-string: single '}' is not allowed");
		}
		/* replacement field */
		if (lvl >= 2)
			return perr(p, t, "f-string: expressions nested too deeply");
		i++;
		size_t es = i;
		char quote = 0;
		int triple = 0, depth = 0;
		char stack[200];
		for (; i < n; i++) {
			char ch = s[i];
			if (ch == '\\')
				return perr(p, t, "f-string expression part cannot include a backslash");
			if (quote) {
				if (ch == quote) {
					if (!triple) {
						quote = 0;
					} else if (i + 2 < n && s[i + 1] == ch && s[i + 2] == ch) {
						i += 2;
						quote = 0;
					}
				}
				continue;
			}
			if (ch == '\'' || ch == '"') {
				if (i + 2 < n && s[i + 1] == ch && s[i + 2] == ch) {
					triple = 1;
					i += 2;
				} else {
					triple = 0;
				}
				quote = ch;
				continue;
			}
			if (ch == '[' || ch == '{' || ch == '(') {
				if (depth >= 200)
					return perr(p, t, "f-string: too many nested parenthesis");
				stack[depth++] = ch;
				continue;
			}
			if (ch == '#')
				return perr(p, t, "f-string expression part cannot include '#'");
			if (depth == 0 && (ch == '!' || ch == ':' || ch == '}' || ch == '=' || ch == '>' || ch == '<')) {
				if (i + 1 < n && s[i + 1] == '=' && (ch == '!' || ch == '=' || ch == '<' || ch == '>')) {
					i++;
					continue;
				}
				if (ch == '>' || ch == '<')
					continue;
				break;
			}
			if (ch == ']' || ch == '}' || ch == ')') {
				if (depth == 0)
					return perr(p, t, "f-string: unmatched '%c'", ch);
				char open = stack[--depth];
				if ((open == '(' && ch != ')') || (open == '[' && ch != ']') || (open == '{' && ch != '}'))
					return perr(p, t, "f-string: closing parenthesis '%c' does not match opening parenthesis '%c'",
					            ch, open);
			}
		}
		if (quote)
			return perr(p, t, "f-string: unterminated string");
		if (depth)
			return perr(p, t, "f-string: unmatched '%c'", stack[depth - 1]);
		if (i >= n)
			return perr(p, t, "f-string: expecting '}'");
		size_t ee = i;
		struct node *e = fstring_expr(p, t, s + es, ee - es);
		if (!e)
			return -1;
		int debug = 0;
		if (s[i] == '=') {
			i++;
			while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f' ||
			                 s[i] == '\v'))
				i++;
			if (i >= n)
				return perr(p, t, "f-string: expecting '}'");
			/* the expression's text and '=' join the literal before it */
			sb_put(&j->lit, s + es, i - es);
			debug = 1;
		}
		int conv = 0;
		if (s[i] == '!') {
			i++;
			if (i >= n)
				return perr(p, t, "f-string: expecting '}'");
			conv = s[i];
			if (conv != 's' && conv != 'r' && conv != 'a')
				return perr(p, t, "f-string: invalid conversion character: expected 's', 'r', or 'a'");
			i++;
			if (i >= n)
				return perr(p, t, "f-string: expecting '}'");
		}
		struct node *spec = NULL;
		if (s[i] == ':') {
			i++;
			spec = mk(p, N_JOINEDSTR, t);
			if (!spec)
				return -1;
			struct jstr sj = { spec, &spec->kids[0], { 0 }, 0 };
			int r = fstring_body(p, t, s, n, &i, raw, lvl + 1, &sj);
			if (r == 0)
				r = jflush(p, &sj, t);
			free(sj.lit.d);
			if (r < 0)
				return -1;
		}
		if (i >= n || s[i] != '}')
			return perr(p, t, "f-string: expecting '}'");
		i++;
		(void)debug;
		if (jflush(p, j, t) < 0)
			return -1;
		struct node *fv = mk(p, N_FORMATTED, t);
		if (!fv)
			return -1;
		fv->kids[0] = e;
		fv->kids[1] = spec;
		fv->level = conv;
		lappend(&j->tail, fv);
	}
	*pos = i;
	return 0;
}

static int replacement_field(struct parser *p, struct jstr *j, int raw);

/* Text of a debug field (f'{x = }') from after its '{' to before the
 * '!', ':' or '}' after the '=', without comments, as CPython 3.12 keeps
 * it; appended to j's literal text. */
static void debug_text(struct jstr *j, const char *s, const char *e)
{
	while (s < e) {
		const char *h = memchr(s, '#', (size_t)(e - s));
		if (!h) {
			sb_put(&j->lit, s, (size_t)(e - s));
			return;
		}
		sb_put(&j->lit, s, (size_t)(h - s));
		const char *nl = memchr(h, '\n', (size_t)(e - h));
		s = nl ? nl : e;
	}
}

/* The parts of a format spec (3.12 and later) up to its '}'. */
static struct node *format_spec(struct parser *p, int raw)
{
	struct node *spec = mk(p, N_JOINEDSTR, TOK);
	if (!spec)
		return NULL;
	struct jstr sj = { spec, &spec->kids[0], { 0 }, 0 };
	int r = 0;
	while (r == 0 && !at_op(p, '}')) {
		const struct token *t = TOK;
		if (t->type == TK_FMIDDLE) {
			r = decode_piece(p, t, t->s, t->len, raw, 0, &sj.lit, &sj.unknown);
			p->i++;
		} else if (is_op(t, '{')) {
			r = replacement_field(p, &sj, raw);
		} else {
			r = perr(p, t, "f-string: expecting '}', or format specs");
		}
	}
	if (r == 0)
		r = jflush(p, &sj, TOK);
	free(sj.lit.d);
	return r < 0 ? NULL : spec;
}

/* A replacement field of an f-string (3.12 and later), from its '{'. */
static int replacement_field(struct parser *p, struct jstr *j, int raw)
{
	const struct token *lb = TOK;
	p->i++;
	const struct token *t = TOK;
	if (t->type == TK_OP && (t->op == '=' || t->op == '!' || t->op == ':' || t->op == '}'))
		return perr(p, t, "f-string: valid expression required before '%c'", (int)t->op);
	if (enter(p) < 0)
		return -1;
	struct node *e = at_kw(p, KW_YIELD) ? yield_expr(p) : star_expressions(p);
	leave(p);
	if (!e)
		return -1;
	int debug = accept_op(p, '=');
	if (debug) {
		t = TOK;
		if (!(t->type == TK_OP && (t->op == '!' || t->op == ':' || t->op == '}')))
			return perr(p, t, "f-string: expecting '!', or ':', or '}'");
		debug_text(j, lb->s + 1, t->s);
	}
	int conv = 0;
	if (at_op(p, '!')) {
		const struct token *bang = TOK;
		p->i++;
		t = TOK;
		if (at_op(p, ':') || at_op(p, '}'))
			return perr(p, t, "f-string: missing conversion character");
		if (t->type != TK_NAME)
			return perr(p, t, "f-string: invalid conversion character");
		if (t->line != bang->line || t->col != bang->col + 1)
			return perr(p, t, "f-string: conversion type must come right after the exclamanation mark");
		if (t->len != 1 || (t->s[0] != 's' && t->s[0] != 'r' && t->s[0] != 'a'))
			return perr(p, t, "f-string: invalid conversion character %.*s: expected 's', 'r', or 'a'",
			            (int)(t->len > 20 ? 20 : t->len), t->s);
		conv = t->s[0];
		p->i++;
	}
	struct node *spec = NULL;
	if (at_op(p, ':')) {
		p->i++;
		if (!(spec = format_spec(p, raw)))
			return -1;
	}
	if (!at_op(p, '}'))
		return perr(p, TOK, conv || spec ? "f-string: expecting '}'" : "f-string: expecting ':' or '}'");
	p->i++;
	if (debug && !conv && !spec)
		conv = 'r';
	if (jflush(p, j, lb) < 0)
		return -1;
	struct node *fv = mk(p, N_FORMATTED, lb);
	if (!fv)
		return -1;
	fv->kids[0] = e;
	fv->kids[1] = spec;
	fv->level = conv;
	lappend(&j->tail, fv);
	return 0;
}

/* An f-string of 3.12 and later from its TK_FSTART to its TK_FEND. */
static int fstring_tokens(struct parser *p, struct jstr *j)
{
	const struct token *st = TOK;
	int raw = 0;
	for (size_t k = 0; k < st->len && st->s[k] != '\'' && st->s[k] != '"'; k++)
		raw |= (st->s[k] | 0x20) == 'r';
	p->i++;
	for (;;) {
		const struct token *t = TOK;
		if (t->type == TK_FEND) {
			p->i++;
			return 0;
		}
		if (t->type == TK_FMIDDLE) {
			if (decode_piece(p, t, t->s, t->len, raw, 0, &j->lit, &j->unknown) < 0)
				return -1;
			p->i++;
		} else if (is_op(t, '{')) {
			if (replacement_field(p, j, raw) < 0)
				return -1;
		} else {
			return syntax(p);
		}
	}
}

static int is_string_tok(const struct token *t)
{
	return t->type == TK_STRING || t->type == TK_FSTART;
}

/* Consecutive STRING tokens (and f-strings of 3.12 and later): a Constant
 * (str or bytes) or a JoinedStr. */
static struct node *strings(struct parser *p)
{
	const struct token *first = TOK;
	size_t i0 = p->i;
	int any_f = 0, any_b = 0, any_s = 0;
	size_t nparts = 0;
	for (size_t k = p->i;; nparts++) {
		const struct token *t = &p->toks[k];
		if (t->type == TK_FSTART) {
			any_f = any_s = 1;
			k += (size_t)t->op + 1; /* after its TK_FEND */
			continue;
		}
		if (t->type != TK_STRING)
			break;
		struct strtok st;
		split_string(t, &st);
		any_f |= st.fstr;
		if (st.bytes)
			any_b = 1;
		else
			any_s = 1;
		k++;
	}
	if (any_b && any_s)
		return perr(p, first, "cannot mix bytes and nonbytes literals"), NULL;
	struct node *n = mk(p, any_f ? N_JOINEDSTR : N_CONSTANT, first);
	if (!n)
		return NULL;
	struct jstr j = { n, &n->kids[0], { 0 }, 0 };
	int outer = p->fstring_level == 0;
	if (outer) {
		p->fs_line = first->line;
		p->fs_col = first->col;
		p->saw_unknown = 0;
	}
	if (!any_f && !any_b && nparts == 1) {
		p->i++;
		/* one plain str token without escapes or CR: its value is its body */
		struct strtok st;
		split_string(first, &st);
		if (!memchr(st.body, '\\', st.n) && !memchr(st.body, '\r', st.n)) {
			n->flags = C_STR;
			n->str = arena_strndup(p->arena, st.body, st.n);
			n->slen = st.n;
			return n->str ? n : oom(p);
		}
		p->i = i0;
	}
	int r = 0;
	for (size_t k = 0; k < nparts && r == 0; k++) {
		const struct token *t = TOK;
		if (t->type == TK_FSTART) {
			if (enter(p) < 0) {
				r = -1;
				break;
			}
			p->fstring_level++;
			r = fstring_tokens(p, &j);
			p->fstring_level--;
			leave(p);
			continue;
		}
		p->i++;
		struct strtok st;
		split_string(t, &st);
		if (st.fstr) {
			if (enter(p) < 0) {
				r = -1;
				break;
			}
			p->fstring_level++;
			size_t pos = 0;
			r = fstring_body(p, t, st.body, st.n, &pos, st.raw, 0, &j);
			p->fstring_level--;
			leave(p);
		} else {
			r = decode_piece(p, t, st.body, st.n, st.raw, st.bytes, &j.lit, &j.unknown);
		}
	}
	if (r == 0) {
		if (j.unknown || p->saw_unknown)
			n->flags |= C_UNKNOWN;
		if (j.unknown && !outer)
			p->saw_unknown = 1; /* a string inside a replacement field (3.12) */
		if (any_f) {
			r = jflush(p, &j, first);
		} else {
			n->flags = (any_b ? C_BYTES : C_STR) | (j.unknown ? C_UNKNOWN : 0);
			n->str = arena_strndup(p->arena, j.lit.d ? j.lit.d : "", j.lit.n);
			n->slen = j.lit.n;
			if (!n->str)
				r = -1, oom(p);
		}
	}
	free(j.lit.d);
	return r < 0 ? NULL : n;
}

/* ------------------------------------------------------------ expressions */

static struct node *name_node(struct parser *p)
{
	if (!is_name(p))
		return syntax(p), NULL;
	struct node *n = mk(p, N_NAME, TOK);
	if (!n)
		return NULL;
	n->str = TOK->s;
	n->slen = TOK->len;
	p->i++;
	return n;
}

static struct node *comprehension_clauses(struct parser *p)
{
	struct node *head = NULL, **tail = &head;
	while (at_kw(p, KW_FOR) || (at_kw(p, KW_ASYNC) && NEXT(1)->type == TK_NAME && NEXT(1)->kw == KW_FOR)) {
		struct node *c = mk(p, N_COMPREHENSION, TOK);
		if (!c)
			return NULL;
		if (accept_kw(p, KW_ASYNC))
			c->flags = 1;
		p->i++; /* for */
		c->kids[0] = star_targets(p);
		if (!c->kids[0])
			return NULL;
		if (!accept_kw(p, KW_IN))
			return perr(p, TOK, "expected 'in'"), NULL;
		c->kids[1] = disjunction(p);
		if (!c->kids[1])
			return NULL;
		struct node **itail = &c->kids[2];
		while (accept_kw(p, KW_IF)) {
			struct node *e = disjunction(p);
			if (!e)
				return NULL;
			lappend(&itail, e);
		}
		lappend(&tail, c);
	}
	return head;
}

static int at_comp_for(struct parser *p)
{
	return at_kw(p, KW_FOR) || (at_kw(p, KW_ASYNC) && NEXT(1)->type == TK_NAME && NEXT(1)->kw == KW_FOR);
}

static struct node *yield_expr(struct parser *p)
{
	const struct token *t = TOK;
	p->i++; /* yield */
	if (accept_kw(p, KW_FROM)) {
		struct node *n = mk(p, N_YIELDFROM, t);
		if (!n)
			return NULL;
		n->kids[0] = expression(p);
		return n->kids[0] ? n : NULL;
	}
	struct node *n = mk(p, N_YIELD, t);
	if (!n)
		return NULL;
	if (!at_op(p, ')') && !at_op(p, ']') && !at_op(p, '}') && !at_op(p, '=') && !at_op(p, ';') &&
	    TOK->type != TK_NEWLINE && TOK->type != TK_ENDMARKER && !at_op(p, ':')) {
		n->kids[0] = star_expressions(p);
		if (!n->kids[0])
			return NULL;
	}
	return n;
}

/* The inside of '(' ... ')': empty tuple, yield, group, tuple or generator.
 * With fstring set, the closing token is the end of the expression text. */
static struct node *paren_contents(struct parser *p, const struct token *open, int fstring)
{
	uint32_t close = ')';
#define AT_CLOSE() (fstring ? TOK->type == TK_ENDMARKER : at_op(p, close))
	if (enter(p) < 0)
		return NULL;
	struct node *r = NULL;
	if (AT_CLOSE()) {
		if (fstring) {
			perr(p, open, "f-string: empty expression not allowed");
			goto out;
		}
		r = mk(p, N_TUPLE, open);
		goto done;
	}
	if (at_kw(p, KW_YIELD)) {
		r = yield_expr(p);
		if (!r)
			goto out;
		goto done;
	}
	struct node *first = star_named_expression(p);
	if (!first)
		goto out;
	if (at_comp_for(p)) {
		if (first->kind == N_STARRED) {
			perr(p, open, "iterable unpacking cannot be used in comprehension");
			goto out;
		}
		r = mk(p, N_GENEXP, open);
		if (!r)
			goto out;
		r->kids[0] = first;
		r->kids[1] = comprehension_clauses(p);
		if (!r->kids[1])
			r = NULL;
		goto done;
	}
	if (!at_op(p, ',')) {
		if (first->kind == N_STARRED) {
			perr(p, open, "cannot use starred expression here");
			goto out;
		}
		first->flags |= F_PAREN;
		r = first;
		goto done;
	}
	r = mk(p, N_TUPLE, open);
	if (!r)
		goto out;
	r->flags |= F_PAREN;
	{
		struct node **tail = &r->kids[0];
		lappend(&tail, first);
		while (accept_op(p, ',')) {
			if (AT_CLOSE())
				break;
			struct node *e = star_named_expression(p);
			if (!e) {
				r = NULL;
				goto out;
			}
			lappend(&tail, e);
		}
	}
done:
	if (r) {
		if (fstring) {
			if (TOK->type != TK_ENDMARKER) {
				syntax(p);
				r = NULL;
			}
		} else if (expect_op(p, ')', ")") < 0) {
			r = NULL;
		}
	}
out:
	leave(p);
	return r;
#undef AT_CLOSE
}

static struct node *list_display(struct parser *p)
{
	const struct token *open = TOK;
	p->i++;
	if (accept_op(p, ']'))
		return mk(p, N_LIST, open);
	struct node *first = star_named_expression(p);
	if (!first)
		return NULL;
	if (at_comp_for(p)) {
		if (first->kind == N_STARRED)
			return perr(p, open, "iterable unpacking cannot be used in comprehension"), NULL;
		struct node *r = mk(p, N_LISTCOMP, open);
		if (!r)
			return NULL;
		r->kids[0] = first;
		r->kids[1] = comprehension_clauses(p);
		if (!r->kids[1] || expect_op(p, ']', "]") < 0)
			return NULL;
		return r;
	}
	struct node *r = mk(p, N_LIST, open);
	if (!r)
		return NULL;
	struct node **tail = &r->kids[0];
	lappend(&tail, first);
	while (accept_op(p, ',')) {
		if (at_op(p, ']'))
			break;
		struct node *e = star_named_expression(p);
		if (!e)
			return NULL;
		lappend(&tail, e);
	}
	return expect_op(p, ']', "]") < 0 ? NULL : r;
}

static struct node *dict_or_set(struct parser *p)
{
	const struct token *open = TOK;
	p->i++;
	if (accept_op(p, '}'))
		return mk(p, N_DICT, open);
	struct node *r;
	struct node **tail;
	{
		/* first item decides */
		int dict;
		struct node *k = NULL, *v = NULL;
		if (accept_op(p, OP2('*', '*'))) {
			dict = 1;
			v = bitwise_or(p);
			if (!v)
				return NULL;
		} else {
			k = star_named_expression(p);
			if (!k)
				return NULL;
			if (k->kind != N_STARRED && !(k->kind == N_NAMEDEXPR && !(k->flags & F_PAREN)) && accept_op(p, ':')) {
				dict = 1;
				v = expression(p);
				if (!v)
					return NULL;
			} else {
				dict = 0;
			}
		}
		if (at_comp_for(p)) {
			if (dict && !k)
				return perr(p, open, "dict unpacking cannot be used in dict comprehension"), NULL;
			if (!dict && k->kind == N_STARRED)
				return perr(p, open, "iterable unpacking cannot be used in comprehension"), NULL;
			r = mk(p, dict ? N_DICTCOMP : N_SETCOMP, open);
			if (!r)
				return NULL;
			r->kids[0] = k;
			r->kids[1] = v;
			r->kids[2] = comprehension_clauses(p);
			if (!r->kids[2] || expect_op(p, '}', "}") < 0)
				return NULL;
			return r;
		}
		r = mk(p, dict ? N_DICT : N_SET, open);
		if (!r)
			return NULL;
		tail = &r->kids[0];
		if (k)
			lappend(&tail, k);
		if (v)
			lappend(&tail, v);
		while (accept_op(p, ',')) {
			if (at_op(p, '}'))
				break;
			if (dict) {
				if (accept_op(p, OP2('*', '*'))) {
					v = bitwise_or(p);
					if (!v)
						return NULL;
					lappend(&tail, v);
					continue;
				}
				k = expression(p);
				if (!k || expect_op(p, ':', ":") < 0)
					return NULL;
				v = expression(p);
				if (!v)
					return NULL;
				lappend(&tail, k);
				lappend(&tail, v);
			} else {
				k = star_named_expression(p);
				if (!k)
					return NULL;
				lappend(&tail, k);
			}
		}
	}
	return expect_op(p, '}', "}") < 0 ? NULL : r;
}

static struct node *atom(struct parser *p)
{
	const struct token *t = TOK;
	switch (t->type) {
	case TK_NAME:
		switch (t->kw) {
		case KW_NONE:
			return name_node(p);
		case KW_TRUE:
		case KW_FALSE:
		case KW_NONE_: {
			struct node *n = mk(p, N_CONSTANT, t);
			if (!n)
				return NULL;
			n->flags = t->kw == KW_NONE_ ? C_NONE : C_BOOL;
			p->i++;
			return n;
		}
		default:
			return syntax(p), NULL;
		}
	case TK_NUMBER: {
		struct node *n = mk(p, N_CONSTANT, t);
		if (!n)
			return NULL;
		n->flags = C_NUM;
		p->i++;
		return n;
	}
	case TK_STRING:
	case TK_FSTART:
		return strings(p);
	case TK_OP:
		if (t->op == '(') {
			p->i++;
			return paren_contents(p, t, 0);
		}
		if (t->op == '[') {
			if (enter(p) < 0)
				return NULL;
			struct node *n = list_display(p);
			leave(p);
			return n;
		}
		if (t->op == '{') {
			if (enter(p) < 0)
				return NULL;
			struct node *n = dict_or_set(p);
			leave(p);
			return n;
		}
		if (t->op == OP3('.', '.', '.')) {
			struct node *n = mk(p, N_CONSTANT, t);
			if (!n)
				return NULL;
			n->flags = C_ELLIPSIS;
			p->i++;
			return n;
		}
		return syntax(p), NULL;
	default:
		return syntax(p), NULL;
	}
}

/* call arguments after '(' up to and including ')' */
static int arguments(struct parser *p, struct node *call, const struct token *open, int genexp_ok)
{
	struct node **at = &call->kids[1], **kt = &call->kids[2];
	int seen_kw = 0, seen_dstar = 0, n = 0;
	while (!at_op(p, ')')) {
		const struct token *t = TOK;
		if (accept_op(p, OP2('*', '*'))) {
			struct node *k = mk(p, N_KEYWORD, t);
			if (!k)
				return -1;
			k->kids[0] = expression(p);
			if (!k->kids[0])
				return -1;
			lappend(&kt, k);
			seen_dstar = 1;
		} else if (accept_op(p, '*')) {
			struct node *s = mk(p, N_STARRED, t);
			if (!s)
				return -1;
			s->kids[0] = expression(p);
			if (!s->kids[0])
				return -1;
			if (seen_dstar)
				return perr(p, t, "iterable argument unpacking follows keyword argument unpacking");
			lappend(&at, s);
		} else if (t->type == TK_NAME && t->kw == KW_NONE && is_op(NEXT(1), '=')) {
			struct node *k = mk(p, N_KEYWORD, t);
			if (!k)
				return -1;
			k->str = t->s;
			k->slen = t->len;
			p->i += 2;
			k->kids[0] = expression(p);
			if (!k->kids[0])
				return -1;
			lappend(&kt, k);
			seen_kw = 1;
		} else {
			struct node *e = named_expression(p);
			if (!e)
				return -1;
			if (at_op(p, '=')) {
				if (e->kind == N_CONSTANT || e->kind == N_NAME)
					return perr(p, t, "expression cannot contain assignment, perhaps you meant \"==\"?");
				return perr(p, t, "expression cannot contain assignment, perhaps you meant \"==\"?");
			}
			if (at_comp_for(p)) {
				if (!genexp_ok)
					return syntax(p);
				struct node *g = mk(p, N_GENEXP, open);
				if (!g)
					return -1;
				g->kids[0] = e;
				g->kids[1] = comprehension_clauses(p);
				if (!g->kids[1])
					return -1;
				if (n > 0 || !at_op(p, ')'))
					return perr(p, t, "Generator expression must be parenthesized");
				e = g;
			}
			if (seen_dstar)
				return perr(p, t, "positional argument follows keyword argument unpacking");
			if (seen_kw)
				return perr(p, t, "positional argument follows keyword argument");
			lappend(&at, e);
		}
		n++;
		if (!accept_op(p, ','))
			break;
	}
	return expect_op(p, ')', ")");
}

static struct node *slice_item(struct parser *p)
{
	const struct token *t = TOK;
	if (at_op(p, '*')) {
		p->i++;
		struct node *s = mk(p, N_STARRED, t);
		if (!s)
			return NULL;
		s->kids[0] = bitwise_or(p);
		return s->kids[0] ? s : NULL;
	}
	struct node *lower = NULL;
	if (!at_op(p, ':')) {
		lower = named_expression(p);
		if (!lower)
			return NULL;
		if (!at_op(p, ':'))
			return lower;
	}
	struct node *s = mk(p, N_SLICE, t);
	if (!s)
		return NULL;
	s->kids[0] = lower;
	p->i++; /* ':' */
	if (!at_op(p, ':') && !at_op(p, ',') && !at_op(p, ']')) {
		s->kids[1] = expression(p);
		if (!s->kids[1])
			return NULL;
	}
	if (accept_op(p, ':')) {
		if (!at_op(p, ',') && !at_op(p, ']')) {
			s->kids[2] = expression(p);
			if (!s->kids[2])
				return NULL;
		}
	}
	return s;
}

static struct node *slices(struct parser *p)
{
	const struct token *t = TOK;
	struct node *first = slice_item(p);
	if (!first)
		return NULL;
	if (!at_op(p, ',')) {
		if (first->kind == N_STARRED) {
			struct node *tup = mk(p, N_TUPLE, t);
			if (!tup)
				return NULL;
			tup->kids[0] = first;
			return tup;
		}
		return first;
	}
	struct node *tup = mk(p, N_TUPLE, t);
	if (!tup)
		return NULL;
	struct node **tail = &tup->kids[0];
	lappend(&tail, first);
	while (accept_op(p, ',')) {
		if (at_op(p, ']'))
			break;
		struct node *e = slice_item(p);
		if (!e)
			return NULL;
		lappend(&tail, e);
	}
	return tup;
}

/* A NAME, NUMBER, True, False or None: an operand that atom() makes one
 * node of, without looking further. */
static inline int is_leaf(const struct token *t)
{
	return t->type == TK_NUMBER ||
	       (t->type == TK_NAME && (t->kw == KW_NONE || t->kw == KW_TRUE || t->kw == KW_FALSE || t->kw == KW_NONE_));
}

/* The token after a leaf operand cannot continue a primary (. ( [) or a
 * power (**): the operand is the atom alone. */
static inline int ends_primary(const struct token *t)
{
	return t->type != TK_OP || (t->op != '.' && t->op != '(' && t->op != '[' && t->op != OP2('*', '*'));
}

/* A primary: an atom and its trailers.  The brackets of a call or a
 * subscript are one nesting level each (as those of an atom). */
static struct node *primary(struct parser *p)
{
	const struct token *start = TOK;
	struct node *n = atom(p);
	while (n) {
		const struct token *t = TOK;
		if (accept_op(p, '.')) {
			if (!is_name(p)) {
				syntax(p);
				n = NULL;
				break;
			}
			struct node *a = mk(p, N_ATTRIBUTE, start);
			if (!a) {
				n = NULL;
				break;
			}
			a->kids[0] = n;
			a->str = TOK->s;
			a->slen = TOK->len;
			p->i++;
			n = a;
		} else if (accept_op(p, '(')) {
			struct node *c = mk(p, N_CALL, start);
			if (!c) {
				n = NULL;
				break;
			}
			c->kids[0] = n;
			int r = enter(p) < 0 ? -1 : arguments(p, c, t, 1);
			leave(p);
			if (r < 0) {
				n = NULL;
				break;
			}
			n = c;
		} else if (accept_op(p, '[')) {
			struct node *s = mk(p, N_SUBSCRIPT, start);
			if (!s) {
				n = NULL;
				break;
			}
			s->kids[0] = n;
			s->kids[1] = enter(p) < 0 ? NULL : slices(p);
			leave(p);
			if (!s->kids[1] || expect_op(p, ']', "]") < 0) {
				n = NULL;
				break;
			}
			n = s;
		} else {
			break;
		}
	}
	return n;
}

static struct node *await_primary(struct parser *p)
{
	const struct token *t = TOK;
	if (accept_kw(p, KW_AWAIT)) {
		struct node *n = mk(p, N_AWAIT, t);
		if (!n)
			return NULL;
		n->kids[0] = primary(p);
		return n->kids[0] ? n : NULL;
	}
	return primary(p);
}

static struct node *factor(struct parser *p);

static struct node *power(struct parser *p)
{
	const struct token *t = TOK;
	struct node *l = await_primary(p);
	if (!l)
		return NULL;
	if (accept_op(p, OP2('*', '*'))) {
		struct node *b = mk(p, N_BINOP, t);
		if (!b || enter(p) < 0)
			return NULL;
		b->kids[0] = l;
		b->kids[1] = factor(p);
		leave(p);
		return b->kids[1] ? b : NULL;
	}
	return l;
}

static struct node *factor(struct parser *p)
{
	const struct token *t = TOK;
	/* a leaf operand: the node primary() would make (power ->
	 * await_primary -> primary -> atom, shortened) */
	if (is_leaf(t) && ends_primary(t + 1))
		return atom(p);
	if (at_op(p, '+') || at_op(p, '-') || at_op(p, '~')) {
		p->i++;
		struct node *u = mk(p, N_UNARYOP, t);
		if (!u || enter(p) < 0)
			return NULL;
		u->kids[0] = factor(p);
		leave(p);
		return u->kids[0] ? u : NULL;
	}
	return power(p);
}

/* The binary-operator level of an operator token: 1 term (* / // %% @),
 * 2 sum, 3 shift, 4 &, 5 ^, 6 |; 0 for anything else. */
static int binop_level(const struct token *t)
{
	if (t->type != TK_OP)
		return 0;
	switch (t->op) {
	case '*': case '/': case OP2('/', '/'): case '%': case '@': return 1;
	case '+': case '-': return 2;
	case OP2('<', '<'): case OP2('>', '>'): return 3;
	case '&': return 4;
	case '^': return 5;
	case '|': return 6;
	default: return 0;
	}
}

/* The binary operators by precedence climbing: operands bound tighter than
 * maxlevel, left-associative; the same tree as one function per level. */
static struct node *binary(struct parser *p, int maxlevel)
{
	const struct token *t = TOK;
	struct node *l = factor(p);
	for (;;) {
		if (!l)
			return NULL;
		int lv = binop_level(TOK);
		if (lv == 0 || lv > maxlevel)
			return l;
		p->i++;
		struct node *b = mk(p, N_BINOP, t);
		if (!b)
			return NULL;
		b->kids[0] = l;
		b->kids[1] = binary(p, lv - 1);
		if (!b->kids[1])
			return NULL;
		l = b;
	}
}

static struct node *bitwise_or(struct parser *p)
{
	return binary(p, 6);
}

static int comp_op(struct parser *p)
{
	const struct token *t = TOK;
	if (t->type == TK_OP) {
		switch (t->op) {
		case OP2('=', '='): case OP2('!', '='): case '<': case '>': case OP2('<', '='): case OP2('>', '='):
			p->i++;
			return 1;
		default:
			return 0;
		}
	}
	if (t->type == TK_NAME) {
		if (t->kw == KW_IN) {
			p->i++;
			return 1;
		}
		if (t->kw == KW_NOT && NEXT(1)->type == TK_NAME && NEXT(1)->kw == KW_IN) {
			p->i += 2;
			return 1;
		}
		if (t->kw == KW_IS) {
			p->i++;
			accept_kw(p, KW_NOT);
			return 1;
		}
	}
	return 0;
}

static struct node *comparison(struct parser *p)
{
	const struct token *t = TOK;
	struct node *l = bitwise_or(p);
	if (!l)
		return NULL;
	struct node *c = NULL, **tail = NULL;
	while (comp_op(p)) {
		if (!c) {
			c = mk(p, N_COMPARE, t);
			if (!c)
				return NULL;
			c->kids[0] = l;
			tail = &c->kids[1];
		}
		struct node *r = bitwise_or(p);
		if (!r)
			return NULL;
		lappend(&tail, r);
	}
	return c ? c : l;
}

static struct node *inversion(struct parser *p)
{
	const struct token *t = TOK;
	if (accept_kw(p, KW_NOT)) {
		struct node *u = mk(p, N_UNARYOP, t);
		if (!u || enter(p) < 0)
			return NULL;
		u->kids[0] = inversion(p);
		leave(p);
		return u->kids[0] ? u : NULL;
	}
	return comparison(p);
}

/* and/or chains; written out per operator so that the levels inline */
#define BOOLOP(name, sub, kw) \
	static struct node *name(struct parser *p) \
	{ \
		const struct token *t = TOK; \
		struct node *l = sub(p); \
		if (!l || !at_kw(p, kw)) \
			return l; \
		struct node *b = mk(p, N_BOOLOP, t); \
		if (!b) \
			return NULL; \
		struct node **tail = &b->kids[0]; \
		lappend(&tail, l); \
		while (accept_kw(p, kw)) { \
			struct node *r = sub(p); \
			if (!r) \
				return NULL; \
			lappend(&tail, r); \
		} \
		return b; \
	}

BOOLOP(conjunction, inversion, KW_AND)
BOOLOP(disjunction, conjunction, KW_OR)
#undef BOOLOP

/* parameters of def (annotations allowed) or lambda; stops at ')' or ':' */
static struct node *parameters(struct parser *p, int lambda, const struct token *at)
{
	struct node *args = mk(p, N_ARGUMENTS, at);
	if (!args)
		return NULL;
	struct node **tail = &args->kids[0];
	uint32_t end = lambda ? ':' : ')';
	int seen_default = 0, seen_star = 0, seen_slash = 0, seen_dstar = 0, n = 0, star_bare = 0, kwonly = 0;
	while (!at_op(p, end)) {
		const struct token *t = TOK;
		if (seen_dstar)
			return perr(p, t, "arguments cannot follow var-keyword argument"), NULL;
		if (accept_op(p, '/')) {
			if (seen_slash)
				return perr(p, t, "/ may appear only once"), NULL;
			if (seen_star)
				return perr(p, t, "/ must be ahead of *"), NULL;
			if (n == 0)
				return perr(p, t, "at least one argument must precede /"), NULL;
			seen_slash = 1;
		} else if (at_op(p, '*') || at_op(p, OP2('*', '*'))) {
			int dstar = at_op(p, OP2('*', '*'));
			p->i++;
			if (!dstar && seen_star)
				return perr(p, t, "* argument may appear only once"), NULL;
			if (!dstar && (at_op(p, ',') || at_op(p, end))) {
				seen_star = 1;
				star_bare = 1;
				kwonly = 0;
			} else {
				if (!is_name(p))
					return syntax(p), NULL;
				struct node *a = mk(p, N_ARG, TOK);
				if (!a)
					return NULL;
				a->str = TOK->s;
				a->slen = TOK->len;
				a->flags = F_STARARG;
				p->i++;
				if (!lambda && accept_op(p, ':')) {
					if (!dstar && at_op(p, '*')) {
						const struct token *st = TOK;
						p->i++;
						struct node *s = mk(p, N_STARRED, st);
						if (!s)
							return NULL;
						s->kids[0] = expression(p);
						if (!s->kids[0])
							return NULL;
						a->kids[0] = s;
					} else {
						a->kids[0] = expression(p);
						if (!a->kids[0])
							return NULL;
					}
				}
				if (at_op(p, '='))
					return perr(p, TOK, "var-positional argument cannot have default value"), NULL;
				lappend(&tail, a);
				if (dstar)
					seen_dstar = 1;
				else
					seen_star = 1;
			}
		} else {
			if (!is_name(p))
				return syntax(p), NULL;
			struct node *a = mk(p, N_ARG, TOK);
			if (!a)
				return NULL;
			a->str = TOK->s;
			a->slen = TOK->len;
			p->i++;
			if (!lambda && accept_op(p, ':')) {
				a->kids[0] = expression(p);
				if (!a->kids[0])
					return NULL;
			}
			if (accept_op(p, '=')) {
				a->kids[1] = expression(p);
				if (!a->kids[1])
					return NULL;
				if (!seen_star)
					seen_default = 1;
			} else if (seen_default && !seen_star) {
				return perr(p, t, "non-default argument follows default argument"), NULL;
			}
			if (seen_star)
				kwonly = 1;
			lappend(&tail, a);
		}
		n++;
		if (!accept_op(p, ','))
			break;
	}
	if (star_bare && !kwonly)
		return perr(p, TOK, "named arguments must follow bare *"), NULL;
	if (!at_op(p, end))
		return syntax(p), NULL;
	return args;
}

static struct node *lambdef(struct parser *p)
{
	const struct token *t = TOK;
	p->i++;
	struct node *l = mk(p, N_LAMBDA, t);
	if (!l || enter(p) < 0)
		return NULL;
	l->kids[0] = parameters(p, 1, t);
	if (!l->kids[0] || expect_op(p, ':', ":") < 0) {
		leave(p);
		return NULL;
	}
	l->kids[1] = expression(p);
	leave(p);
	return l->kids[1] ? l : NULL;
}

/* The token after an operand ends an expression at every level: a
 * delimiter, NEWLINE or ENDMARKER (none continues a primary, an operator
 * chain, a comparison, and/or, a conditional expression or a walrus). */
static inline int ends_expression(const struct token *t)
{
	if (t->type == TK_OP) {
		switch (t->op) {
		case ',': case ')': case ']': case '}': case ':': case '=': case ';':
			return 1;
		default:
			return 0;
		}
	}
	return t->type == TK_NEWLINE || t->type == TK_ENDMARKER;
}

static struct node *expression(struct parser *p)
{
	if (at_kw(p, KW_LAMBDA))
		return lambdef(p);
	const struct token *t = TOK;
	/* a leaf operand followed by a token that ends every expression level
	 * (no operator, call, subscript, attribute, comparison, and/or/if):
	 * the node the full descent makes */
	if (is_leaf(t) && ends_expression(t + 1))
		return atom(p);
	struct node *d = disjunction(p);
	if (d && accept_kw(p, KW_IF)) {
		struct node *c = mk(p, N_IFEXP, t);
		if (!c)
			return NULL;
		c->kids[1] = d;
		c->kids[0] = disjunction(p);
		if (!c->kids[0] || (!accept_kw(p, KW_ELSE) && (perr(p, TOK, "expected 'else' after 'if' expression"), 1)))
			return NULL;
		/* the else branch nests: one level */
		c->kids[2] = enter(p) < 0 ? NULL : expression(p);
		leave(p);
		d = c->kids[2] ? c : NULL;
	}
	return d;
}

static struct node *named_expression(struct parser *p)
{
	const struct token *t = TOK;
	if (t->type == TK_NAME && t->kw == KW_NONE && is_op(NEXT(1), OP2(':', '='))) {
		struct node *target = name_node(p);
		if (!target)
			return NULL;
		target->ctx = CTX_STORE;
		p->i++;
		struct node *n = mk(p, N_NAMEDEXPR, t);
		if (!n)
			return NULL;
		n->kids[0] = target;
		n->kids[1] = expression(p);
		return n->kids[1] ? n : NULL;
	}
	struct node *e = expression(p);
	if (e && at_op(p, OP2(':', '=')))
		return perr(p, TOK, "cannot use assignment expressions with %s", kind_desc(e)), NULL;
	return e;
}

static struct node *star_named_expression(struct parser *p)
{
	const struct token *t = TOK;
	if (accept_op(p, '*')) {
		struct node *s = mk(p, N_STARRED, t);
		if (!s)
			return NULL;
		s->kids[0] = bitwise_or(p);
		return s->kids[0] ? s : NULL;
	}
	return named_expression(p);
}

static struct node *star_expression(struct parser *p)
{
	const struct token *t = TOK;
	if (accept_op(p, '*')) {
		struct node *s = mk(p, N_STARRED, t);
		if (!s)
			return NULL;
		s->kids[0] = bitwise_or(p);
		return s->kids[0] ? s : NULL;
	}
	return expression(p);
}

static int at_expr_end(struct parser *p)
{
	const struct token *t = TOK;
	if (t->type == TK_NEWLINE || t->type == TK_ENDMARKER)
		return 1;
	if (t->type == TK_OP) {
		switch (t->op) {
		case '=': case ';': case ')': case ']': case '}': case ':':
		case OP2('+', '='): case OP2('-', '='): case OP2('*', '='): case OP2('/', '='): case OP2('%', '='):
		case OP2('&', '='): case OP2('|', '='): case OP2('^', '='): case OP2('@', '='): case OP3('*', '*', '='):
		case OP3('/', '/', '='): case OP3('<', '<', '='): case OP3('>', '>', '='):
			return 1;
		default:
			return 0;
		}
	}
	return t->type == TK_NAME && (t->kw == KW_IN || t->kw == KW_FROM);
}

static struct node *star_expressions(struct parser *p)
{
	const struct token *t = TOK;
	struct node *first = star_expression(p);
	if (!first || !at_op(p, ','))
		return first;
	struct node *tup = mk(p, N_TUPLE, t);
	if (!tup)
		return NULL;
	struct node **tail = &tup->kids[0];
	lappend(&tail, first);
	while (accept_op(p, ',')) {
		if (at_expr_end(p))
			break;
		struct node *e = star_expression(p);
		if (!e)
			return NULL;
		lappend(&tail, e);
	}
	return tup;
}

/* ------------------------------------------------------------- statements */

static int end_simple(struct parser *p)
{
	if (at_op(p, ';') || TOK->type == TK_NEWLINE)
		return 0;
	return syntax(p);
}

static struct node *dotted_name(struct parser *p, const char **out, uint32_t *outlen)
{
	struct sbuf b = { 0 };
	if (!is_name(p))
		return syntax(p), NULL;
	sb_put(&b, TOK->s, TOK->len);
	p->i++;
	while (at_op(p, '.') && NEXT(1)->type == TK_NAME && NEXT(1)->kw == KW_NONE) {
		sb_put(&b, ".", 1);
		p->i++;
		sb_put(&b, TOK->s, TOK->len);
		p->i++;
	}
	if (b.oom) {
		free(b.d);
		return oom(p);
	}
	*out = arena_strndup(p->arena, b.d, b.n);
	*outlen = (uint32_t)b.n; /* b.n <= the source's length */
	free(b.d);
	if (!*out)
		return oom(p);
	return (struct node *)1;
}

static struct node *import_stmt(struct parser *p)
{
	const struct token *t = TOK;
	p->i++;
	struct node *n = mk(p, N_IMPORT, t);
	if (!n)
		return NULL;
	struct node **tail = &n->kids[0];
	do {
		struct node *a = mk(p, N_ALIAS, TOK);
		if (!a || !dotted_name(p, &a->str, &a->slen))
			return NULL;
		if (accept_kw(p, KW_AS)) {
			if (!is_name(p))
				return syntax(p), NULL;
			a->str2 = TOK->s;
			p->i++;
		}
		lappend(&tail, a);
	} while (accept_op(p, ','));
	return n;
}

static struct node *from_stmt(struct parser *p)
{
	const struct token *t = TOK;
	p->i++;
	struct node *n = mk(p, N_IMPORTFROM, t);
	if (!n)
		return NULL;
	for (;;) {
		if (accept_op(p, '.'))
			n->level++;
		else if (accept_op(p, OP3('.', '.', '.')))
			n->level += 3;
		else
			break;
	}
	if (!at_kw(p, KW_IMPORT) || n->level == 0) {
		if (!dotted_name(p, &n->str, &n->slen))
			return NULL;
	}
	if (!accept_kw(p, KW_IMPORT))
		return perr(p, TOK, "expected 'import'"), NULL;
	struct node **tail = &n->kids[0];
	if (at_op(p, '*')) {
		struct node *a = mk(p, N_ALIAS, TOK);
		if (!a)
			return NULL;
		a->str = "*";
		a->slen = 1;
		p->i++;
		lappend(&tail, a);
		return n;
	}
	int paren = accept_op(p, '(');
	for (;;) {
		if (!is_name(p))
			return syntax(p), NULL;
		struct node *a = mk(p, N_ALIAS, TOK);
		if (!a)
			return NULL;
		a->str = TOK->s;
		a->slen = TOK->len;
		p->i++;
		if (accept_kw(p, KW_AS)) {
			if (!is_name(p))
				return syntax(p), NULL;
			a->str2 = TOK->s;
			p->i++;
		}
		lappend(&tail, a);
		if (!accept_op(p, ','))
			break;
		if (paren && at_op(p, ')'))
			break;
		if (!paren && (TOK->type == TK_NEWLINE || at_op(p, ';')))
			return perr(p, TOK, "trailing comma not allowed without surrounding parentheses"), NULL;
	}
	if (paren && expect_op(p, ')', ")") < 0)
		return NULL;
	return n;
}

static struct node *names_stmt(struct parser *p, int kind)
{
	const struct token *t = TOK;
	p->i++;
	struct node *n = mk(p, kind, t);
	if (!n)
		return NULL;
	struct node **tail = &n->kids[0];
	do {
		if (!is_name(p))
			return syntax(p), NULL;
		struct node *id = mk(p, N_IDENT, t);
		if (!id)
			return NULL;
		id->str = TOK->s;
		id->slen = TOK->len;
		p->i++;
		lappend(&tail, id);
	} while (accept_op(p, ','));
	return n;
}

static const uint32_t aug_ops[] = {
	OP2('+', '='), OP2('-', '='), OP2('*', '='), OP2('/', '='), OP2('%', '='), OP2('&', '='),
	OP2('|', '='), OP2('^', '='), OP2('@', '='), OP3('*', '*', '='), OP3('/', '/', '='), OP3('<', '<', '='),
	OP3('>', '>', '='), 0,
};

static struct node *assign_rhs(struct parser *p)
{
	if (at_kw(p, KW_YIELD))
		return yield_expr(p);
	return star_expressions(p);
}

static struct node *expr_stmt(struct parser *p)
{
	const struct token *t = TOK;
	struct node *first = assign_rhs(p);
	if (!first)
		return NULL;
	if (at_op(p, ':')) {
		const struct token *ct = TOK;
		p->i++;
		struct node *a = mk(p, N_ANNASSIGN, t);
		if (!a || set_target(p, first, TGT_ANN, ct) < 0)
			return NULL;
		a->kids[0] = first;
		a->kids[1] = expression(p);
		if (!a->kids[1])
			return NULL;
		if (accept_op(p, '=')) {
			a->kids[2] = assign_rhs(p);
			if (!a->kids[2])
				return NULL;
		}
		return a;
	}
	for (const uint32_t *o = aug_ops; *o; o++) {
		if (at_op(p, *o)) {
			const struct token *ot = TOK;
			p->i++;
			struct node *a = mk(p, N_AUGASSIGN, t);
			if (!a || set_target(p, first, TGT_AUG, ot) < 0)
				return NULL;
			a->kids[0] = first;
			a->kids[1] = assign_rhs(p);
			return a->kids[1] ? a : NULL;
		}
	}
	if (!at_op(p, '=')) {
		struct node *e = mk(p, N_EXPR, t);
		if (!e)
			return NULL;
		e->kids[0] = first;
		return e;
	}
	struct node *a = mk(p, N_ASSIGN, t);
	if (!a)
		return NULL;
	struct node **tail = &a->kids[0];
	struct node *cur = first;
	while (at_op(p, '=')) {
		const struct token *et = TOK;
		p->i++;
		if (cur->kind == N_YIELD || cur->kind == N_YIELDFROM)
			return perr(p, et, "assignment to yield expression not possible"), NULL;
		if (set_target(p, cur, TGT_STAR, et) < 0)
			return NULL;
		lappend(&tail, cur);
		cur = assign_rhs(p);
		if (!cur)
			return NULL;
	}
	a->kids[1] = cur;
	return a;
}

static struct node *simple_stmt(struct parser *p)
{
	const struct token *t = TOK;
	if (t->type == TK_NAME) {
		switch (t->kw) {
		case KW_PASS: p->i++; return mk(p, N_PASS, t);
		case KW_BREAK: p->i++; return mk(p, N_BREAK, t);
		case KW_CONTINUE: p->i++; return mk(p, N_CONTINUE, t);
		case KW_RETURN: {
			p->i++;
			struct node *n = mk(p, N_RETURN, t);
			if (n && !at_op(p, ';') && TOK->type != TK_NEWLINE) {
				n->kids[0] = star_expressions(p);
				if (!n->kids[0])
					return NULL;
			}
			return n;
		}
		case KW_RAISE: {
			p->i++;
			struct node *n = mk(p, N_RAISE, t);
			if (n && !at_op(p, ';') && TOK->type != TK_NEWLINE) {
				n->kids[0] = expression(p);
				if (!n->kids[0])
					return NULL;
				if (accept_kw(p, KW_FROM)) {
					n->kids[1] = expression(p);
					if (!n->kids[1])
						return NULL;
				}
			}
			return n;
		}
		case KW_GLOBAL: return names_stmt(p, N_GLOBAL);
		case KW_NONLOCAL: return names_stmt(p, N_NONLOCAL);
		case KW_DEL: {
			p->i++;
			struct node *n = mk(p, N_DELETE, t);
			if (!n)
				return NULL;
			struct node **tail = &n->kids[0];
			do {
				if (at_op(p, ';') || TOK->type == TK_NEWLINE)
					break;
				const struct token *dt = TOK;
				struct node *e = bitwise_or(p);
				if (!e || set_target(p, e, TGT_DEL, dt) < 0)
					return NULL;
				lappend(&tail, e);
			} while (accept_op(p, ','));
			if (!n->kids[0])
				return syntax(p), NULL;
			return n;
		}
		case KW_ASSERT: {
			p->i++;
			struct node *n = mk(p, N_ASSERT, t);
			if (!n)
				return NULL;
			n->kids[0] = expression(p);
			if (!n->kids[0])
				return NULL;
			if (accept_op(p, ',')) {
				n->kids[1] = expression(p);
				if (!n->kids[1])
					return NULL;
			}
			return n;
		}
		case KW_IMPORT: return import_stmt(p);
		case KW_FROM: return from_stmt(p);
		case KW_NONE:
			if (NEXT(1)->type == TK_NAME && NEXT(1)->kw == KW_NONE && is_soft(t, "type"))
				return type_alias(p);
			break;
		default: break;
		}
	}
	return expr_stmt(p);
}

/* simple_stmts: simple_stmt (';' simple_stmt)* [';'] NEWLINE */
static struct node *simple_stmts(struct parser *p, struct node **last)
{
	struct node *head = NULL, **tail = &head;
	for (;;) {
		struct node *s = simple_stmt(p);
		if (!s || end_simple(p) < 0)
			return NULL;
		lappend(&tail, s);
		*last = s;
		if (!accept_op(p, ';'))
			break;
		if (TOK->type == TK_NEWLINE)
			break;
	}
	if (TOK->type != TK_NEWLINE)
		return syntax(p), NULL;
	p->i++;
	return head;
}

static struct node *block(struct parser *p)
{
	if (enter(p) < 0)
		return NULL;
	struct node *head = NULL, **tail = &head, *last = NULL;
	if (TOK->type == TK_NEWLINE) {
		p->i++;
		if (TOK->type != TK_INDENT) {
			perr(p, TOK, "expected an indented block");
			leave(p);
			return NULL;
		}
		p->i++;
		while (TOK->type != TK_DEDENT) {
			if (TOK->type == TK_ENDMARKER) {
				syntax(p);
				leave(p);
				return NULL;
			}
			struct node *s = statement(p, &last);
			if (!s) {
				leave(p);
				return NULL;
			}
			*tail = s;
			tail = &last->next;
		}
		p->i++;
	} else {
		head = simple_stmts(p, &last);
	}
	leave(p);
	return head;
}

static struct node *colon_block(struct parser *p)
{
	if (expect_op(p, ':', ":") < 0)
		return NULL;
	return block(p);
}

/* if / elif / else: an elif chain is built in a loop (a long chain is no
 * deeper than a short one) */
static struct node *if_stmt(struct parser *p)
{
	struct node *first = NULL, *prev = NULL;
	for (;;) {
		const struct token *t = TOK;
		p->i++; /* if / elif */
		struct node *n = mk(p, N_IF, t);
		if (!n)
			return NULL;
		n->kids[0] = named_expression(p);
		if (!n->kids[0])
			return NULL;
		n->kids[1] = colon_block(p);
		if (!n->kids[1])
			return NULL;
		if (prev)
			prev->kids[2] = n;
		else
			first = n;
		prev = n;
		if (!at_kw(p, KW_ELIF))
			break;
	}
	if (accept_kw(p, KW_ELSE)) {
		prev->kids[2] = colon_block(p);
		if (!prev->kids[2])
			return NULL;
	}
	return first;
}

static struct node *while_stmt(struct parser *p)
{
	const struct token *t = TOK;
	p->i++;
	struct node *n = mk(p, N_WHILE, t);
	if (!n)
		return NULL;
	n->kids[0] = named_expression(p);
	if (!n->kids[0] || !(n->kids[1] = colon_block(p)))
		return NULL;
	if (accept_kw(p, KW_ELSE) && !(n->kids[2] = colon_block(p)))
		return NULL;
	return n;
}

static struct node *for_stmt(struct parser *p, const struct token *t)
{
	p->i++; /* for */
	struct node *n = mk(p, N_FOR, t);
	if (!n)
		return NULL;
	n->kids[0] = star_targets(p);
	if (!n->kids[0])
		return NULL;
	if (!accept_kw(p, KW_IN))
		return perr(p, TOK, "expected 'in'"), NULL;
	n->kids[1] = star_expressions(p);
	if (!n->kids[1] || !(n->kids[3] = colon_block(p)))
		return NULL;
	if (accept_kw(p, KW_ELSE) && !(n->kids[2] = colon_block(p)))
		return NULL;
	return n;
}

/* Is the '(' at the current token closed by a ')' followed by ':'? */
static int paren_then_colon(struct parser *p)
{
	int depth = 0;
	for (size_t k = p->i; k < p->ntoks; k++) {
		const struct token *t = &p->toks[k];
		if (t->type == TK_NEWLINE || t->type == TK_ENDMARKER)
			return 0;
		if (t->type != TK_OP)
			continue;
		if (t->op == '(' || t->op == '[' || t->op == '{')
			depth++;
		else if (t->op == ')' || t->op == ']' || t->op == '}') {
			if (--depth == 0)
				return k + 1 < p->ntoks && is_op(&p->toks[k + 1], ':');
		}
	}
	return 0;
}

static struct node *with_item(struct parser *p, int paren)
{
	struct node *w = mk(p, N_WITHITEM, TOK);
	if (!w)
		return NULL;
	w->kids[0] = expression(p);
	if (!w->kids[0])
		return NULL;
	if (accept_kw(p, KW_AS)) {
		const struct token *tt = TOK;
		struct node *tg = star_target(p);
		if (!tg || set_target(p, tg, TGT_STAR, tt) < 0)
			return NULL;
		if (!at_op(p, ',') && !at_op(p, ':') && !(paren && at_op(p, ')')))
			return syntax(p), NULL;
		w->kids[1] = tg;
	}
	return w;
}

static struct node *with_stmt(struct parser *p, const struct token *t)
{
	p->i++; /* with */
	struct node *n = mk(p, N_WITH, t);
	if (!n)
		return NULL;
	struct node **tail = &n->kids[0];
	if (at_op(p, '(') && paren_then_colon(p)) {
		/* try the parenthesized form: ( item, ... ) */
		size_t save = p->i;
		p->i++;
		int ok = 1;
		while (!at_op(p, ')')) {
			const struct token *it = TOK;
			struct node *w = mk(p, N_WITHITEM, it);
			if (!w)
				return NULL;
			w->kids[0] = expression(p);
			if (!w->kids[0]) {
				ok = 0;
				break;
			}
			if (accept_kw(p, KW_AS)) {
				const struct token *tt = TOK;
				struct node *tg = star_target(p);
				if (!tg || set_target(p, tg, TGT_STAR, tt) < 0) {
					ok = 0;
					break;
				}
				w->kids[1] = tg;
			}
			if (!at_op(p, ',') && !at_op(p, ')')) {
				ok = 0;
				break;
			}
			lappend(&tail, w);
			if (!accept_op(p, ','))
				break;
		}
		if (ok && accept_op(p, ')') && at_op(p, ':') && n->kids[0]) {
			n->kids[3] = colon_block(p);
			return n->kids[3] ? n : NULL;
		}
		if (p->err->set && !ok && strcmp(p->err->rule, "too-deep") == 0)
			return NULL;
		/* not the parenthesized form: parse again as expressions */
		p->err->set = 0;
		p->i = save;
		n->kids[0] = NULL;
		tail = &n->kids[0];
	}
	do {
		struct node *w = with_item(p, 0);
		if (!w)
			return NULL;
		lappend(&tail, w);
	} while (accept_op(p, ','));
	n->kids[3] = colon_block(p);
	return n->kids[3] ? n : NULL;
}

static struct node *try_stmt(struct parser *p)
{
	const struct token *t = TOK;
	p->i++;
	struct node *n = mk(p, N_TRY, t);
	if (!n || !(n->kids[0] = colon_block(p)))
		return NULL;
	struct node **tail = &n->kids[1];
	int star = -1;
	while (at_kw(p, KW_EXCEPT)) {
		const struct token *et = TOK;
		p->i++;
		struct node *h = mk(p, N_EXCEPTHANDLER, et);
		if (!h)
			return NULL;
		int s = accept_op(p, '*');
		if (star >= 0 && s != star)
			return perr(p, et, "cannot have both 'except' and 'except*' on the same 'try'"), NULL;
		star = s;
		if (!at_op(p, ':')) {
			const struct token *xt = TOK;
			h->kids[0] = expression(p);
			if (!h->kids[0])
				return NULL;
			if (at_op(p, ','))
				return perr(p, xt, "multiple exception types must be parenthesized"), NULL;
			if (accept_kw(p, KW_AS)) {
				if (!is_name(p))
					return perr(p, TOK, "cannot use except statement with %s",
					            TOK->type == TK_NAME ? "keyword" : "expression"), NULL;
				h->str = TOK->s;
				h->slen = TOK->len;
				p->i++;
			}
		} else if (s) {
			return perr(p, TOK, "expected one or more exception types"), NULL;
		}
		h->kids[1] = colon_block(p);
		if (!h->kids[1])
			return NULL;
		lappend(&tail, h);
	}
	if (n->kids[1] && accept_kw(p, KW_ELSE) && !(n->kids[2] = colon_block(p)))
		return NULL;
	if (accept_kw(p, KW_FINALLY)) {
		if (!(n->kids[3] = colon_block(p)))
			return NULL;
	} else if (!n->kids[1]) {
		return perr(p, TOK, "expected 'except' or 'finally' block"), NULL;
	}
	return n;
}

/* A construct of a later Python than the policy's interpreter: refused,
 * naming it and both versions. */
static int too_new(struct parser *p, const struct token *t, int ver, const char *what)
{
	return perr(p, t, "%s: syntax of Python %d.%d, and the policy's interpreter is Python %d.%d", what, ver >> 8,
	            ver & 0xff, p->target >> 8, p->target & 0xff);
}

/* type_params (3.12, PEP 695; defaults 3.13, PEP 696) from '[': the list
 * of N_TYPEVAR, N_TYPEVARTUPLE and N_PARAMSPEC nodes. */
static struct node *type_params(struct parser *p)
{
	if (p->target < PYV(3, 12))
		return too_new(p, TOK, PYV(3, 12), "type parameters (PEP 695)"), NULL;
	p->i++;
	if (at_op(p, ']'))
		return perr(p, TOK, "Type parameter list cannot be empty"), NULL;
	struct node *head = NULL, **tail = &head;
	do {
		if (at_op(p, ']'))
			break;
		const struct token *t = TOK;
		int kind = N_TYPEVAR;
		if (accept_op(p, '*'))
			kind = N_TYPEVARTUPLE;
		else if (accept_op(p, OP2('*', '*')))
			kind = N_PARAMSPEC;
		if (!is_name(p))
			return syntax(p), NULL;
		struct node *tp = mk(p, kind, t);
		if (!tp)
			return NULL;
		tp->str = TOK->s;
		tp->slen = TOK->len;
		p->i++;
		if (at_op(p, ':')) {
			if (kind != N_TYPEVAR)
				return perr(p, TOK, "cannot use bound with %s",
				            kind == N_PARAMSPEC ? "ParamSpec" : "TypeVarTuple"), NULL;
			p->i++;
			if (!(tp->kids[0] = expression(p)))
				return NULL;
		}
		if (at_op(p, '=')) {
			if (p->target < PYV(3, 13))
				return too_new(p, TOK, PYV(3, 13), "type parameter defaults (PEP 696)"), NULL;
			p->i++;
			if (!(tp->kids[1] = kind == N_TYPEVARTUPLE ? star_expression(p) : expression(p)))
				return NULL;
		}
		lappend(&tail, tp);
	} while (accept_op(p, ','));
	if (expect_op(p, ']', "]") < 0)
		return NULL;
	return head;
}

/* The type parameters of a def or class, if any: an N_TYPEPARAMS node
 * appended to its decorator list. */
static int def_type_params(struct parser *p, struct node *def)
{
	if (!at_op(p, '['))
		return 0;
	struct node *w = mk(p, N_TYPEPARAMS, TOK);
	if (!w || !(w->kids[0] = type_params(p)))
		return -1;
	struct node **tail = &def->kids[0];
	while (*tail)
		tail = &(*tail)->next;
	*tail = w;
	return 0;
}

/* type X[T] = value (3.12, PEP 695) */
static struct node *type_alias(struct parser *p)
{
	const struct token *t = TOK;
	if (p->target < PYV(3, 12))
		return too_new(p, t, PYV(3, 12), "the type statement (PEP 695)"), NULL;
	p->i++;
	struct node *n = mk(p, N_TYPEALIAS, t);
	if (!n || !(n->kids[0] = name_node(p)))
		return NULL;
	n->kids[0]->ctx = CTX_STORE;
	if (at_op(p, '[') && !(n->kids[1] = type_params(p)))
		return NULL;
	if (expect_op(p, '=', "=") < 0 || !(n->kids[2] = expression(p)))
		return NULL;
	return n;
}

static struct node *funcdef(struct parser *p, const struct token *t, struct node *decorators)
{
	if (at_kw(p, KW_ASYNC))
		p->i++;
	p->i++; /* def */
	if (!is_name(p))
		return syntax(p), NULL;
	struct node *n = mk(p, N_FUNCDEF, t);
	if (!n)
		return NULL;
	n->str = TOK->s;
	n->slen = TOK->len;
	n->kids[0] = decorators;
	p->i++;
	if (def_type_params(p, n) < 0)
		return NULL;
	const struct token *open = TOK;
	if (expect_op(p, '(', "(") < 0)
		return NULL;
	n->kids[1] = parameters(p, 0, open);
	if (!n->kids[1] || expect_op(p, ')', ")") < 0)
		return NULL;
	if (accept_op(p, OP2('-', '>'))) {
		n->kids[2] = expression(p);
		if (!n->kids[2])
			return NULL;
	}
	n->kids[3] = colon_block(p);
	return n->kids[3] ? n : NULL;
}

static struct node *classdef(struct parser *p, struct node *decorators)
{
	const struct token *t = TOK;
	p->i++;
	if (!is_name(p))
		return syntax(p), NULL;
	struct node *n = mk(p, N_CLASSDEF, t);
	if (!n)
		return NULL;
	n->str = TOK->s;
	n->slen = TOK->len;
	n->kids[0] = decorators;
	p->i++;
	if (def_type_params(p, n) < 0)
		return NULL;
	const struct token *open = TOK;
	if (accept_op(p, '(')) {
		struct node call = { 0 };
		if (arguments(p, &call, open, 0) < 0)
			return NULL;
		n->kids[1] = call.kids[1];
		n->kids[2] = call.kids[2];
	}
	n->kids[3] = colon_block(p);
	return n->kids[3] ? n : NULL;
}

/* ---------------------------------------------------------------- match */

static struct node *capture_target(struct parser *p, struct node *as)
{
	if (!is_name(p) || strcmp(TOK->s, "_") == 0)
		return perr(p, TOK, "invalid pattern target"), NULL;
	as->str = TOK->s;
	as->slen = TOK->len;
	p->i++;
	return as;
}

static int is_number_tok(const struct token *t)
{
	return t->type == TK_NUMBER;
}

static int is_imag(const struct token *t)
{
	char c = t->s[t->len - 1];
	return c == 'j' || c == 'J';
}

/* literal number pattern: -? NUMBER [(+|-) imaginary] */
static struct node *number_pattern(struct parser *p)
{
	const struct token *t = TOK;
	struct node *v;
	if (accept_op(p, '-')) {
		if (!is_number_tok(TOK))
			return syntax(p), NULL;
		v = mk(p, N_UNARYOP, t);
		if (!v)
			return NULL;
		struct node *c = mk(p, N_CONSTANT, TOK);
		if (!c)
			return NULL;
		c->flags = C_NUM;
		v->kids[0] = c;
	} else {
		v = mk(p, N_CONSTANT, t);
		if (!v)
			return NULL;
		v->flags = C_NUM;
	}
	const struct token *num = TOK;
	p->i++;
	if (at_op(p, '+') || at_op(p, '-')) {
		if (is_imag(num))
			return perr(p, num, "real number required in complex literal"), NULL;
		p->i++;
		if (!is_number_tok(TOK) || !is_imag(TOK))
			return perr(p, TOK, "imaginary number required in complex literal"), NULL;
		struct node *b = mk(p, N_BINOP, t);
		struct node *c = mk(p, N_CONSTANT, TOK);
		if (!b || !c)
			return NULL;
		c->flags = C_NUM;
		b->kids[0] = v;
		b->kids[1] = c;
		p->i++;
		v = b;
	}
	struct node *m = mk(p, N_MATCHVALUE, t);
	if (!m)
		return NULL;
	m->kids[0] = v;
	return m;
}

static struct node *name_or_attr(struct parser *p)
{
	const struct token *start = TOK;
	struct node *n = name_node(p);
	while (n && at_op(p, '.')) {
		p->i++;
		if (!is_name(p))
			return syntax(p), NULL;
		struct node *a = mk(p, N_ATTRIBUTE, start);
		if (!a)
			return NULL;
		a->kids[0] = n;
		a->str = TOK->s;
		a->slen = TOK->len;
		p->i++;
		n = a;
	}
	return n;
}

static struct node *sequence_items(struct parser *p, struct node *seq, uint32_t close)
{
	struct node **tail = &seq->kids[0];
	while (!at_op(p, close)) {
		struct node *e;
		const struct token *t = TOK;
		if (accept_op(p, '*')) {
			e = mk(p, N_MATCHSTAR, t);
			if (!e)
				return NULL;
			if (is_soft(TOK, "_"))
				p->i++;
			else if (!capture_target(p, e))
				return NULL;
		} else {
			e = pattern(p);
			if (!e)
				return NULL;
		}
		lappend(&tail, e);
		if (!accept_op(p, ','))
			break;
	}
	if (expect_op(p, close, close == ']' ? "]" : ")") < 0)
		return NULL;
	return seq;
}

static struct node *closed_pattern(struct parser *p)
{
	const struct token *t = TOK;
	if (enter(p) < 0)
		return NULL;
	struct node *r = NULL;
	if (is_number_tok(t) || at_op(p, '-')) {
		r = number_pattern(p);
	} else if (is_string_tok(t)) {
		/* f-strings parse here (the compiler, not the parser, refuses them) */
		struct node *c = strings(p);
		if (c && (r = mk(p, N_MATCHVALUE, t)))
			r->kids[0] = c;
	} else if (t->type == TK_NAME && (t->kw == KW_NONE_ || t->kw == KW_TRUE || t->kw == KW_FALSE)) {
		r = mk(p, N_MATCHSINGLETON, t);
		p->i++;
	} else if (is_name(p)) {
		if (is_soft(t, "_") && !is_op(NEXT(1), '.') && !is_op(NEXT(1), '(')) {
			r = mk(p, N_MATCHAS, t); /* wildcard */
			p->i++;
			goto out;
		}
		if (!is_op(NEXT(1), '.') && !is_op(NEXT(1), '(')) {
			r = mk(p, N_MATCHAS, t);
			if (r)
				capture_target(p, r);
			goto out;
		}
		struct node *v = name_or_attr(p);
		if (!v)
			goto out;
		if (!accept_op(p, '(')) {
			if (v->kind == N_NAME) {
				syntax(p);
				goto out;
			}
			r = mk(p, N_MATCHVALUE, t);
			if (r)
				r->kids[0] = v;
			goto out;
		}
		/* class pattern */
		r = mk(p, N_MATCHCLASS, t);
		if (!r)
			goto out;
		r->kids[0] = v;
		struct node **pt = &r->kids[1], **kt = &r->kids[2], **kp = &r->kids[3];
		int kw = 0;
		while (!at_op(p, ')')) {
			if (is_name(p) && is_op(NEXT(1), '=')) {
				struct node *id = mk(p, N_IDENT, t);
				if (!id) {
					r = NULL;
					goto out;
				}
				id->str = TOK->s;
				id->slen = TOK->len;
				p->i += 2;
				struct node *pp = pattern(p);
				if (!pp) {
					r = NULL;
					goto out;
				}
				lappend(&kt, id);
				lappend(&kp, pp);
				kw = 1;
			} else {
				const struct token *pt0 = TOK;
				struct node *pp = pattern(p);
				if (!pp) {
					r = NULL;
					goto out;
				}
				if (kw) {
					perr(p, pt0, "positional patterns follow keyword patterns");
					r = NULL;
					goto out;
				}
				lappend(&pt, pp);
			}
			if (!accept_op(p, ','))
				break;
		}
		if (expect_op(p, ')', ")") < 0)
			r = NULL;
	} else if (accept_op(p, '(')) {
		if (accept_op(p, ')')) {
			r = mk(p, N_MATCHSEQUENCE, t);
			goto out;
		}
		/* group or sequence */
		const struct token *it = TOK;
		struct node *first;
		int star = 0;
		if (accept_op(p, '*')) {
			first = mk(p, N_MATCHSTAR, it);
			star = 1;
			if (first) {
				if (is_soft(TOK, "_"))
					p->i++;
				else if (!capture_target(p, first))
					first = NULL;
			}
		} else {
			first = pattern(p);
		}
		if (!first)
			goto out;
		if (!star && accept_op(p, ')')) {
			r = first;
			goto out;
		}
		if (!at_op(p, ',')) {
			syntax(p);
			goto out;
		}
		p->i++;
		r = mk(p, N_MATCHSEQUENCE, t);
		if (!r)
			goto out;
		r->kids[0] = first;
		struct node seq = { 0 };
		if (!sequence_items(p, &seq, ')')) {
			r = NULL;
			goto out;
		}
		first->next = seq.kids[0];
	} else if (accept_op(p, '[')) {
		r = mk(p, N_MATCHSEQUENCE, t);
		if (r && !sequence_items(p, r, ']'))
			r = NULL;
	} else if (accept_op(p, '{')) {
		r = mk(p, N_MATCHMAPPING, t);
		if (!r)
			goto out;
		struct node **kt = &r->kids[0], **vt = &r->kids[1];
		while (!at_op(p, '}')) {
			if (accept_op(p, OP2('*', '*'))) {
				if (!is_name(p) || !(r->str = TOK->s)) {
					syntax(p);
					r = NULL;
					goto out;
				}
				r->slen = TOK->len;
				p->i++;
				accept_op(p, ',');
				break;
			}
			struct node *k;
			const struct token *kt0 = TOK;
			if (is_number_tok(kt0) || at_op(p, '-')) {
				struct node *m = number_pattern(p);
				k = m ? m->kids[0] : NULL;
			} else if (is_string_tok(kt0)) {
				k = strings(p);
			} else if (kt0->type == TK_NAME && (kt0->kw == KW_NONE_ || kt0->kw == KW_TRUE || kt0->kw == KW_FALSE)) {
				k = mk(p, N_CONSTANT, kt0);
				if (k)
					k->flags = kt0->kw == KW_NONE_ ? C_NONE : C_BOOL;
				p->i++;
			} else if (is_name(p) && is_op(NEXT(1), '.')) {
				k = name_or_attr(p);
			} else {
				syntax(p);
				k = NULL;
			}
			if (!k || expect_op(p, ':', ":") < 0) {
				r = NULL;
				goto out;
			}
			struct node *v = pattern(p);
			if (!v) {
				r = NULL;
				goto out;
			}
			lappend(&kt, k);
			lappend(&vt, v);
			if (!accept_op(p, ','))
				break;
		}
		if (expect_op(p, '}', "}") < 0)
			r = NULL;
	} else {
		syntax(p);
	}
out:
	leave(p);
	return r;
}

static struct node *pattern(struct parser *p)
{
	const struct token *t = TOK;
	struct node *first = closed_pattern(p);
	if (!first)
		return NULL;
	if (at_op(p, '|')) {
		struct node *o = mk(p, N_MATCHOR, t);
		if (!o)
			return NULL;
		struct node **tail = &o->kids[0];
		lappend(&tail, first);
		while (accept_op(p, '|')) {
			struct node *n = closed_pattern(p);
			if (!n)
				return NULL;
			lappend(&tail, n);
		}
		first = o;
	}
	if (accept_kw(p, KW_AS)) {
		struct node *as = mk(p, N_MATCHAS, t);
		if (!as)
			return NULL;
		as->kids[0] = first;
		return capture_target(p, as);
	}
	return first;
}

/* patterns: open_sequence_pattern | pattern */
static struct node *patterns(struct parser *p)
{
	const struct token *t = TOK;
	struct node *first;
	int star = 0;
	if (accept_op(p, '*')) {
		star = 1;
		first = mk(p, N_MATCHSTAR, t);
		if (first) {
			if (is_soft(TOK, "_"))
				p->i++;
			else if (!capture_target(p, first))
				return NULL;
		}
	} else {
		first = pattern(p);
	}
	if (!first)
		return NULL;
	if (!at_op(p, ',')) {
		if (star)
			return perr(p, t, "can't use starred pattern here"), NULL;
		return first;
	}
	p->i++;
	struct node *seq = mk(p, N_MATCHSEQUENCE, t);
	if (!seq)
		return NULL;
	struct node **tail = &seq->kids[0];
	lappend(&tail, first);
	while (!at_op(p, ':') && !at_kw(p, KW_IF)) {
		const struct token *it = TOK;
		struct node *e;
		if (accept_op(p, '*')) {
			e = mk(p, N_MATCHSTAR, it);
			if (!e)
				return NULL;
			if (is_soft(TOK, "_"))
				p->i++;
			else if (!capture_target(p, e))
				return NULL;
		} else {
			e = pattern(p);
			if (!e)
				return NULL;
		}
		lappend(&tail, e);
		if (!accept_op(p, ','))
			break;
	}
	return seq;
}

/* Is this line `match <subject>:` (a line whose last token is ':')? */
static int looks_like_match(struct parser *p)
{
	const struct token *n1 = NEXT(1);
	if (n1->type == TK_NEWLINE || n1->type == TK_ENDMARKER)
		return 0;
	if (n1->type == TK_OP) {
		switch (n1->op) {
		case '(': case '[': case '{': case '-': case '+': case '~': case '*': case OP3('.', '.', '.'):
			break;
		default:
			return 0;
		}
	}
	if (n1->type == TK_NAME && (n1->kw == KW_IN || n1->kw == KW_IS || n1->kw == KW_AND || n1->kw == KW_OR ||
	                            n1->kw == KW_IF || n1->kw == KW_ELSE || n1->kw == KW_FOR || n1->kw == KW_AS))
		return 0;
	int depth = 0;
	for (size_t k = p->i + 1; k < p->ntoks; k++) {
		const struct token *t = &p->toks[k];
		if (t->type == TK_NEWLINE || t->type == TK_ENDMARKER)
			return k > 0 && is_op(&p->toks[k - 1], ':') && depth == 0;
		if (t->type == TK_OP) {
			if (t->op == '(' || t->op == '[' || t->op == '{')
				depth++;
			else if (t->op == ')' || t->op == ']' || t->op == '}')
				depth--;
		}
	}
	return 0;
}

static struct node *match_stmt(struct parser *p)
{
	const struct token *t = TOK;
	p->i++;
	struct node *m = mk(p, N_MATCH, t);
	if (!m)
		return NULL;
	/* subject: star_named_expression ',' star_named_expressions? | named_expression */
	const struct token *st = TOK;
	struct node *first = star_named_expression(p);
	if (!first)
		return NULL;
	if (at_op(p, ',')) {
		struct node *tup = mk(p, N_TUPLE, st);
		if (!tup)
			return NULL;
		struct node **tail = &tup->kids[0];
		lappend(&tail, first);
		while (accept_op(p, ',')) {
			if (at_op(p, ':'))
				break;
			struct node *e = star_named_expression(p);
			if (!e)
				return NULL;
			lappend(&tail, e);
		}
		first = tup;
	} else if (first->kind == N_STARRED) {
		return perr(p, st, "cannot use starred expression here"), NULL;
	}
	m->kids[0] = first;
	if (expect_op(p, ':', ":") < 0)
		return NULL;
	if (TOK->type != TK_NEWLINE)
		return syntax(p), NULL;
	p->i++;
	if (TOK->type != TK_INDENT)
		return perr(p, TOK, "expected an indented block"), NULL;
	p->i++;
	struct node **tail = &m->kids[1];
	while (TOK->type != TK_DEDENT) {
		if (!is_soft(TOK, "case"))
			return syntax(p), NULL;
		const struct token *ct = TOK;
		p->i++;
		struct node *c = mk(p, N_MATCHCASE, ct);
		if (!c || enter(p) < 0)
			return NULL;
		c->kids[0] = patterns(p);
		leave(p);
		if (!c->kids[0])
			return NULL;
		if (accept_kw(p, KW_IF)) {
			c->kids[1] = named_expression(p);
			if (!c->kids[1])
				return NULL;
		}
		c->kids[2] = colon_block(p);
		if (!c->kids[2])
			return NULL;
		lappend(&tail, c);
	}
	p->i++;
	if (!m->kids[1])
		return syntax(p), NULL;
	return m;
}

static struct node *decorated(struct parser *p)
{
	struct node *head = NULL, **tail = &head;
	while (at_op(p, '@')) {
		p->i++;
		struct node *d = named_expression(p);
		if (!d)
			return NULL;
		if (TOK->type != TK_NEWLINE)
			return syntax(p), NULL;
		p->i++;
		lappend(&tail, d);
	}
	const struct token *t = TOK;
	if (at_kw(p, KW_DEF) || (at_kw(p, KW_ASYNC) && NEXT(1)->type == TK_NAME && NEXT(1)->kw == KW_DEF))
		return funcdef(p, t, head);
	if (at_kw(p, KW_CLASS))
		return classdef(p, head);
	return syntax(p), NULL;
}

static struct node *statement(struct parser *p, struct node **last)
{
	const struct token *t = TOK;
	struct node *s = NULL;
	if (enter(p) < 0)
		return NULL;
	if (t->type == TK_NAME) {
		switch (t->kw) {
		case KW_IF: s = if_stmt(p); goto compound;
		case KW_WHILE: s = while_stmt(p); goto compound;
		case KW_FOR: s = for_stmt(p, t); goto compound;
		case KW_WITH: s = with_stmt(p, t); goto compound;
		case KW_TRY: s = try_stmt(p); goto compound;
		case KW_DEF: s = funcdef(p, t, NULL); goto compound;
		case KW_CLASS: s = classdef(p, NULL); goto compound;
		case KW_ASYNC: {
			const struct token *n1 = NEXT(1);
			if (n1->type == TK_NAME && n1->kw == KW_DEF) {
				s = funcdef(p, t, NULL);
			} else if (n1->type == TK_NAME && n1->kw == KW_FOR) {
				p->i++;
				s = for_stmt(p, t);
			} else if (n1->type == TK_NAME && n1->kw == KW_WITH) {
				p->i++;
				s = with_stmt(p, t);
			} else {
				syntax(p);
			}
			goto compound;
		}
		case KW_ELSE: case KW_ELIF: case KW_EXCEPT: case KW_FINALLY:
			syntax(p);
			goto compound;
		case KW_NONE:
			if (is_soft(t, "match") && looks_like_match(p)) {
				s = match_stmt(p);
				goto compound;
			}
			break;
		default:
			break;
		}
	} else if (at_op(p, '@')) {
		s = decorated(p);
		goto compound;
	} else if (t->type == TK_INDENT) {
		perr(p, t, "unexpected indent");
		goto compound;
	}
	s = simple_stmts(p, last);
	leave(p);
	return s;
compound:
	leave(p);
	*last = s;
	return s;
}

static struct node *parse_once(struct arena *a, int pyver, int target, const unsigned char *src, size_t len,
                               int max_depth, size_t max_tokens, struct pyerr *err, struct node **nonascii,
                               struct token **toks, size_t *captoks)
{
	struct lexer lx = { 0 };
	lx.arena = a;
	lx.pyver = pyver;
	lx.src = src;
	lx.len = len;
	lx.err = err;
	lx.max_tokens = max_tokens;
	lx.na_tail = nonascii;
	lx.chunked = 1;
	if (toks) {
		/* the caller's token array, kept from an earlier source */
		lx.toks = *toks;
		lx.captoks = *captoks;
	}
	struct parser p = { 0 };
	p.arena = a;
	p.pyver = pyver;
	p.target = target;
	p.err = err;
	p.max_depth = max_depth;
	p.src = src;
	struct node *mod = NULL;
	int lr = lex_all(&lx);
	if (lr >= 0) {
		p.toks = lx.toks;
		p.ntoks = lx.ntoks;
		p.na_tail = lx.na_tail;
		mod = mk(&p, N_MODULE, &p.toks[0]);
	}
	if (mod) {
		mod->line = 1;
		mod->col = 0;
		struct node **tail = &mod->kids[0], *last = NULL;
		for (;;) {
			if (lr == 1 && p.i + 1 == p.ntoks) {
				/* at the sentinel that ends the chunk: drop the tokens
				 * parsed and read the next chunk */
				lex_drop(&lx, p.i);
				p.i = 0;
				lx.na_tail = p.na_tail;
				lr = lex_all(&lx);
				p.na_tail = lx.na_tail;
				p.toks = lx.toks;
				p.ntoks = lx.ntoks;
				if (lr < 0) {
					mod = NULL;
					break;
				}
			}
			if (p.toks[p.i].type == TK_ENDMARKER)
				break;
			if (p.toks[p.i].type == TK_NEWLINE) {
				p.i++;
				continue;
			}
			size_t at = p.i;
			struct node *s = statement(&p, &last);
			if (lr == 1 && !s) {
				/* failed: read the rest of the source at once and parse
				 * the statement again (a chunk ends where a statement
				 * ends, so this is for a real error: should the guess be
				 * wrong, it costs time, never a verdict) */
				lx.chunked = 0;
				lx.na_tail = p.na_tail;
				lr = lex_all(&lx);
				p.na_tail = lx.na_tail;
				p.toks = lx.toks;
				p.ntoks = lx.ntoks;
				if (lr < 0) {
					mod = NULL;
					break;
				}
				err->set = 0;
				p.i = at;
				p.depth = 0;
				continue;
			}
			if (!s) {
				if (!err->set)
					syntax(&p);
				mod = NULL;
				break;
			}
			*tail = s;
			tail = &last->next;
		}
	}
	if (toks) {
		*toks = lx.toks;
		*captoks = lx.captoks;
	} else {
		free(lx.toks);
	}
	if (err->set)
		return NULL;
	return mod;
}

struct node *py_parse(struct arena *a, int pyver, int target, const unsigned char *src, size_t len, int max_depth,
                      size_t max_tokens, struct pyerr *err, struct node **nonascii, struct token **toks,
                      size_t *captoks)
{
	struct node *mod = parse_once(a, pyver, target, src, len, max_depth, max_tokens, err, nonascii, toks, captoks);
	if (mod || pyver >= PYV(3, 12) || a->failed || !err->rule || strcmp(err->rule, "syntax-error") != 0)
		return mod;
	/* Not Python 3.11: is it the f-strings of 3.12 (PEP 701)?  Parsed
	 * again with those (any other construct of 3.12 still refused), to
	 * say so instead of the error of the 3.11 tokenizer. */
	struct pyerr again = { 0 };
	if (parse_once(a, PYV(3, 12), target, src, len, max_depth, max_tokens, &again, NULL, toks, captoks))
		snprintf(err->msg, sizeof(err->msg),
		         "f-string syntax of Python 3.12 (PEP 701: a quote, backslash, comment or line break inside "
		         "a replacement field), and the policy's interpreter is Python %d.%d",
		         target >> 8, target & 0xff);
	return NULL;
}
