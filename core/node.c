/*
 * core/node.c - YAML documents as trees of nodes that remember where they
 * were written (file, line, column), parsed with libyaml's document API.
 *
 * Aliases are refused: a policy is short, and aliases would let a small file
 * expand into a large tree (an anchor without an alias is harmless and
 * allowed).  Duplicate mapping keys, non-scalar keys, NUL characters (raw or
 * escaped as "\0"), more than one document, nesting deeper than
 * POLICY_MAX_DEPTH and more than POLICY_MAX_NODES nodes are errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "internal.h"

/* ---- arena: everything of one tree is freed at once ---- */

struct arena {
	struct arena *next;
	size_t used;
	size_t cap;
	max_align_t data[];
};

static void *arena_alloc(struct arena **ap, size_t n)
{
	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	struct arena *a = *ap;
	if (!a || a->cap - a->used < n) {
		size_t cap = n > 16384 ? n : 16384;
		if (cap > SIZE_MAX - sizeof(struct arena))
			return NULL;
		struct arena *na = malloc(sizeof(struct arena) + cap);
		if (!na)
			return NULL;
		na->next = a;
		na->used = 0;
		na->cap = cap;
		*ap = na;
		a = na;
	}
	void *p = (char *)a->data + a->used;
	a->used += n;
	return p;
}

static void arena_free(struct arena *a)
{
	while (a) {
		struct arena *next = a->next;
		free(a);
		a = next;
	}
}

static char *arena_strndup(struct arena **ap, const char *s, size_t n)
{
	if (n == SIZE_MAX)
		return NULL;
	char *p = arena_alloc(ap, n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void tree_free_list(struct tree *t)
{
	while (t) {
		struct tree *next = t->next;
		struct arena *a = t->arena;
		/* The tree struct itself lives in its arena. */
		arena_free(a);
		t = next;
	}
}

/* ---- errors ---- */

int verr_at(char **err, const struct mark *m, const char *fmt, va_list ap)
{
	char *msg = xvasprintf(fmt, ap);
	if (!msg)
		return set_err(err, "out of memory");
	if (m && m->file)
		set_err(err, "%s:%ld:%ld: %s", m->file, m->line, m->column, msg);
	else
		set_err(err, "%s", msg);
	free(msg);
	return -1;
}

int err_at(char **err, const struct cordon_node *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verr_at(err, n ? &n->mark : NULL, fmt, ap);
	va_end(ap);
	return -1;
}

const char *node_type_name(const struct cordon_node *n)
{
	if (!n)
		return "nothing";
	switch (n->type) {
	case CORDON_NODE_SCALAR:
		return n->len == 0 ? "an empty value" : "a scalar";
	case CORDON_NODE_SEQUENCE:
		return "a sequence";
	case CORDON_NODE_MAPPING:
		return "a mapping";
	}
	return "an unknown node";
}

const struct cordon_node *node_get(const struct cordon_node *map, const char *key)
{
	if (!map || map->type != CORDON_NODE_MAPPING)
		return NULL;
	for (size_t i = 0; i < map->n; i++) {
		const struct cordon_node *k = map->items[2 * i];
		if (k->type == CORDON_NODE_SCALAR && strcmp(k->text, key) == 0)
			return map->items[2 * i + 1];
	}
	return NULL;
}

/* ---- conversion ---- */

struct conv {
	yaml_document_t *doc;
	const char *text;
	size_t len;
	struct tree *tree;
	unsigned char *seen; /* per libyaml node index: visited once */
	size_t n_doc_nodes;
	size_t count;
	char **err;
};

static int cmp_keys(const void *a, const void *b, void *base)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	struct cordon_node *const *items = base;
	const struct cordon_node *x = items[2 * i], *y = items[2 * j];
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	int r = memcmp(x->text, y->text, x->len);
	if (r)
		return r;
	return i < j ? -1 : i > j ? 1 : 0;
}

/* Duplicate keys, found by sorting (a mapping may have many keys); the
 * duplicate reported is the first one in document order. */
static int check_duplicates(struct conv *c, const struct cordon_node *map)
{
	if (map->n < 2)
		return 0;
	size_t *idx = malloc(map->n * sizeof(size_t));
	if (!idx)
		return set_err(c->err, "out of memory");
	for (size_t i = 0; i < map->n; i++)
		idx[i] = i;
	qsort_r(idx, map->n, sizeof(size_t), cmp_keys, map->items);
	size_t dup = SIZE_MAX, first = 0;
	for (size_t k = 1; k < map->n; k++) {
		const struct cordon_node *x = map->items[2 * idx[k - 1]], *y = map->items[2 * idx[k]];
		if (x->len == y->len && memcmp(x->text, y->text, x->len) == 0 && (dup == SIZE_MAX || idx[k] < dup)) {
			dup = idx[k];
			/* the first occurrence of this key: walk back over equal keys */
			size_t f = k - 1;
			while (f > 0 && map->items[2 * idx[f - 1]]->len == y->len &&
			       memcmp(map->items[2 * idx[f - 1]]->text, y->text, y->len) == 0)
				f--;
			first = idx[f];
		}
	}
	free(idx);
	if (dup == SIZE_MAX)
		return 0;
	const struct cordon_node *key = map->items[2 * dup];
	return err_at(c->err, key, "duplicate key '%s' (first at line %ld)", key->text,
	              map->items[2 * first]->mark.line);
}

/* The document API resolves aliases; to say where one was written, scan
 * the events for the first alias. */
static void alias_mark(const struct conv *c, struct mark *m)
{
	yaml_parser_t p;
	yaml_event_t ev;
	if (!yaml_parser_initialize(&p))
		return;
	yaml_parser_set_input_string(&p, (const unsigned char *)c->text, c->len);
	while (yaml_parser_parse(&p, &ev)) {
		yaml_event_type_t type = ev.type;
		if (type == YAML_ALIAS_EVENT) {
			m->line = (long)ev.start_mark.line + 1;
			m->column = (long)ev.start_mark.column + 1;
		}
		yaml_event_delete(&ev);
		if (type == YAML_ALIAS_EVENT || type == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&p);
}

static struct cordon_node *convert(struct conv *c, int index, int depth)
{
	yaml_node_t *yn = yaml_document_get_node(c->doc, index);
	struct mark m = { c->tree->file, 1, 1 };
	if (!yn) {
		set_err(c->err, "%s: invalid YAML node reference", c->tree->file);
		return NULL;
	}
	m.line = (long)yn->start_mark.line + 1;
	m.column = (long)yn->start_mark.column + 1;
	if (c->seen[index - 1]) {
		struct cordon_node tmp = { .mark = m };
		alias_mark(c, &tmp.mark);
		err_at(c->err, &tmp, "YAML aliases (*name) are not supported in cordon files");
		return NULL;
	}
	c->seen[index - 1] = 1;
	/* A tag (!!binary, !!int, !custom) would mean something cordon does
	 * not do: every value is read as text by the typed helpers.  Refused,
	 * like aliases, rather than silently ignored. */
	const char *want_tag = yn->type == YAML_SCALAR_NODE     ? YAML_STR_TAG
	                       : yn->type == YAML_SEQUENCE_NODE ? YAML_SEQ_TAG
	                                                        : YAML_MAP_TAG;
	if (yn->tag && strcmp((const char *)yn->tag, want_tag) != 0) {
		struct cordon_node tmp = { .mark = m };
		const char *t = (const char *)yn->tag;
		const char *core = "tag:yaml.org,2002:";
		bool std = strncmp(t, core, strlen(core)) == 0;
		err_at(c->err, &tmp, "YAML tags (%s%s) are not supported in cordon files: write the value plainly",
		       std ? "!!" : "", std ? t + strlen(core) : t);
		return NULL;
	}
	if (depth > POLICY_MAX_DEPTH) {
		struct cordon_node tmp = { .mark = m };
		err_at(c->err, &tmp, "nested deeper than %d levels", POLICY_MAX_DEPTH);
		return NULL;
	}
	if (++c->count > POLICY_MAX_NODES) {
		struct cordon_node tmp = { .mark = m };
		err_at(c->err, &tmp, "more than %d YAML nodes", POLICY_MAX_NODES);
		return NULL;
	}
	struct cordon_node *n = arena_alloc(&c->tree->arena, sizeof(*n));
	if (!n) {
		set_err(c->err, "out of memory");
		return NULL;
	}
	memset(n, 0, sizeof(*n));
	n->mark = m;
	switch (yn->type) {
	case YAML_SCALAR_NODE:
		n->type = CORDON_NODE_SCALAR;
		n->len = yn->data.scalar.length;
		n->text = arena_strndup(&c->tree->arena, (const char *)yn->data.scalar.value, n->len);
		if (!n->text) {
			set_err(c->err, "out of memory");
			return NULL;
		}
		n->plain = yn->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (memchr(n->text, '\0', n->len)) {
			err_at(c->err, n, "a NUL character (\\0) is not allowed");
			return NULL;
		}
		return n;
	case YAML_SEQUENCE_NODE: {
		n->type = CORDON_NODE_SEQUENCE;
		size_t k = (size_t)(yn->data.sequence.items.top - yn->data.sequence.items.start);
		n->items = arena_alloc(&c->tree->arena, (k ? k : 1) * sizeof(*n->items));
		if (!n->items) {
			set_err(c->err, "out of memory");
			return NULL;
		}
		for (size_t i = 0; i < k; i++) {
			n->items[i] = convert(c, yn->data.sequence.items.start[i], depth + 1);
			if (!n->items[i])
				return NULL;
		}
		n->n = k;
		return n;
	}
	case YAML_MAPPING_NODE: {
		n->type = CORDON_NODE_MAPPING;
		size_t k = (size_t)(yn->data.mapping.pairs.top - yn->data.mapping.pairs.start);
		n->items = arena_alloc(&c->tree->arena, (k ? 2 * k : 1) * sizeof(*n->items));
		if (!n->items) {
			set_err(c->err, "out of memory");
			return NULL;
		}
		for (size_t i = 0; i < k; i++) {
			yaml_node_pair_t *pair = &yn->data.mapping.pairs.start[i];
			struct cordon_node *key = convert(c, pair->key, depth + 1);
			if (!key)
				return NULL;
			if (key->type != CORDON_NODE_SCALAR) {
				err_at(c->err, key, "expected a plain key, found %s", node_type_name(key));
				return NULL;
			}
			struct cordon_node *val = convert(c, pair->value, depth + 1);
			if (!val)
				return NULL;
			n->items[2 * i] = key;
			n->items[2 * i + 1] = val;
			n->n = i + 1;
		}
		if (check_duplicates(c, n) < 0)
			return NULL;
		return n;
	}
	default:
		err_at(c->err, n, "empty YAML node");
		return NULL;
	}
}

static void parser_error(yaml_parser_t *p, const char *file, const char *text, size_t len, char **err);

/* libyaml's document loader does work proportional to the nesting depth for
 * every token, so a file of 500000 '[' takes minutes.  Walk the events first
 * and stop at the depth limit. */
static int depth_prepass(const char *file, const char *text, size_t len, char **err)
{
	yaml_parser_t p;
	yaml_event_t ev;
	if (!yaml_parser_initialize(&p))
		return set_err(err, "out of memory");
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	int depth = 0, r = 0;
	for (;;) {
		if (!yaml_parser_parse(&p, &ev)) {
			parser_error(&p, file, text, len, err);
			r = -1;
			break;
		}
		yaml_event_type_t type = ev.type;
		if (type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT) {
			/* the root is level 0, as in convert() */
			if (++depth > POLICY_MAX_DEPTH + 1) {
				set_err(err, "%s:%ld:%ld: nested deeper than %d levels", file, (long)ev.start_mark.line + 1,
				        (long)ev.start_mark.column + 1, POLICY_MAX_DEPTH);
				r = -1;
			}
		} else if (type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT) {
			depth--;
		}
		yaml_event_delete(&ev);
		if (r < 0 || type == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&p);
	return r;
}

/* Line and column (1-based, in characters) of a byte offset. */
static void offset_mark(const char *text, size_t len, size_t off, long *line, long *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && i < len; i++) {
		unsigned char b = (unsigned char)text[i];
		if (b == '\n') {
			(*line)++;
			*col = 1;
		} else if ((b & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

/* The byte at a 0-based line and character column, or -1. */
static int char_at(const char *text, size_t len, size_t line, size_t col)
{
	size_t i = 0;
	for (size_t l = 0; l < line && i < len; i++)
		if (text[i] == '\n')
			l++;
	for (size_t k = 0; i < len; i++) {
		if (((unsigned char)text[i] & 0xc0) == 0x80)
			continue;
		if (k++ == col)
			return (unsigned char)text[i];
	}
	return -1;
}

static void parser_error(yaml_parser_t *p, const char *file, const char *text, size_t len, char **err)
{
	const char *problem = p->problem ? p->problem : "invalid YAML";
	long line = (long)p->problem_mark.line + 1;
	long col = (long)p->problem_mark.column + 1;
	const char *hint = "";
	if (p->error == YAML_MEMORY_ERROR) {
		set_err(err, "%s: out of memory while parsing YAML", file);
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		/* libyaml gives reader errors as a byte offset only */
		offset_mark(text, len, p->problem_offset, &line, &col);
		if (p->problem_value > 0xff)
			set_err(err, "%s:%ld:%ld: invalid YAML: %s (character U+%04X)", file, line, col, problem,
			        (unsigned)p->problem_value);
		else
			set_err(err, "%s:%ld:%ld: invalid YAML: %s (byte 0x%02x)", file, line, col, problem,
			        p->problem_value >= 0 ? (unsigned)p->problem_value : 0u);
		return;
	}
	if (char_at(text, len, p->problem_mark.line, p->problem_mark.column) == '\t')
		hint = " (a tab: YAML indents with spaces)";
	if (p->context)
		set_err(err, "%s:%ld:%ld: invalid YAML: %s %s (line %ld)%s", file, line, col, problem, p->context,
		        (long)p->context_mark.line + 1, hint);
	else
		set_err(err, "%s:%ld:%ld: invalid YAML: %s%s", file, line, col, problem, hint);
}

struct tree *tree_parse(const char *file, const char *text, size_t len, char **err)
{
	const char *z = memchr(text, '\0', len);
	if (z) {
		long line, col;
		offset_mark(text, len, (size_t)(z - text), &line, &col);
		set_err(err, "%s:%ld:%ld: contains a NUL byte (not a text file)", file, line, col);
		return NULL;
	}
	struct arena *a = NULL;
	struct tree *t = arena_alloc(&a, sizeof(*t));
	if (!t) {
		set_err(err, "out of memory");
		return NULL;
	}
	memset(t, 0, sizeof(*t));
	t->file = arena_strndup(&a, file, strlen(file));
	t->arena = a;
	if (!t->file) {
		arena_free(a);
		set_err(err, "out of memory");
		return NULL;
	}

	yaml_parser_t parser;
	yaml_document_t doc;
	if (!yaml_parser_initialize(&parser)) {
		arena_free(t->arena);
		set_err(err, "out of memory");
		return NULL;
	}
	if (depth_prepass(file, text, len, err) < 0) {
		yaml_parser_delete(&parser);
		arena_free(t->arena);
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		parser_error(&parser, file, text, len, err);
		yaml_parser_delete(&parser);
		arena_free(t->arena);
		return NULL;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	struct conv c = { .doc = &doc, .text = text, .len = len, .tree = t, .err = err };
	int ok = 0;
	if (!root) {
		set_err(err, "%s:1:1: empty file (expected a YAML mapping)", file);
	} else {
		c.n_doc_nodes = (size_t)(doc.nodes.top - doc.nodes.start);
		c.seen = calloc(c.n_doc_nodes ? c.n_doc_nodes : 1, 1);
		if (!c.seen)
			set_err(err, "out of memory");
		else if ((t->root = convert(&c, 1, 0)) != NULL)
			ok = 1;
		free(c.seen);
	}
	yaml_document_delete(&doc);
	if (ok) {
		/* Exactly one document. */
		yaml_document_t extra;
		if (!yaml_parser_load(&parser, &extra)) {
			parser_error(&parser, file, text, len, err);
			ok = 0;
		} else {
			if (yaml_document_get_root_node(&extra)) {
				set_err(err, "%s:%ld:%ld: a second YAML document (expected one)", file,
				        (long)extra.start_mark.line + 1, (long)extra.start_mark.column + 1);
				ok = 0;
			}
			yaml_document_delete(&extra);
		}
	}
	yaml_parser_delete(&parser);
	if (!ok) {
		arena_free(t->arena);
		return NULL;
	}
	return t;
}

struct tree *tree_load_file(const char *path, const char *what, char **err)
{
	int fd = open_trusted(path, what, err);
	if (fd < 0)
		return NULL;
	char *text = NULL;
	size_t len = 0;
	int r = read_all(fd, POLICY_MAX_BYTES, &text, &len, path, err);
	close(fd);
	if (r < 0)
		return NULL;
	struct tree *t = tree_parse(path, text, len, err);
	free(text);
	return t;
}
