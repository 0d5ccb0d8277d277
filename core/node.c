/*
 * core/node.c - YAML documents as trees of nodes that remember where they
 * were written (file, line, column), built in one pass over libyaml's
 * events (no document of libyaml's own in between).
 *
 * Aliases are refused: a policy is short, and aliases would let a small file
 * expand into a large tree (an anchor without an alias is harmless and
 * allowed; the same anchor twice is not).  Duplicate mapping keys, non-scalar keys, NUL characters (raw or
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

/* n bytes aligned to align (a power of two, at most max_align_t's): nodes
 * and pointer arrays at their own alignment, strings at none, so that a
 * large rule file's tree touches as few pages as it can (every first touch
 * of a page costs a fault). */
static void *arena_alloc_align(struct arena **ap, size_t n, size_t align)
{
	struct arena *a = *ap;
	size_t pad = a ? (align - (a->used & (align - 1))) & (align - 1) : 0;
	if (!a || a->cap - a->used < n || a->cap - a->used - n < pad) {
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
		pad = 0;
	}
	void *p = (char *)a->data + a->used + pad;
	a->used += pad + n;
	return p;
}

static void *arena_alloc(struct arena **ap, size_t n)
{
	return arena_alloc_align(ap, n, _Alignof(max_align_t));
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
	char *p = arena_alloc_align(ap, n + 1, 1);
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

/* ---- building the tree from events ---- */

struct conv {
	struct tree *tree;
	size_t count; /* nodes so far */
	char **err;
	/* the children of the open collections, innermost last: frame k's
	 * start at items[frame[k].first] */
	struct cordon_node **items;
	size_t n_items, cap_items;
	struct frame {
		struct cordon_node *n;
		size_t first;
	} frame[POLICY_MAX_DEPTH + 1];
	int depth; /* open collections */
	/* the anchors (&name) met, in document order: a name given twice is
	 * refused, as libyaml's document loader did */
	struct anchor {
		const char *name;
		struct mark mark;
	} *anchors;
	size_t n_anchors, cap_anchors;
};

static int cmp_anchor(const void *a, const void *b)
{
	const struct anchor *x = a, *y = b;
	int r = strcmp(x->name, y->name);
	if (r)
		return r;
	return x->mark.line != y->mark.line ? (x->mark.line < y->mark.line ? -1 : 1)
	                                    : (x->mark.column < y->mark.column ? -1 : x->mark.column > y->mark.column);
}

/* An anchor given twice: the second occurrence first in the document
 * (sorted by name, then place). */
static int check_anchors(struct conv *c)
{
	if (c->n_anchors < 2)
		return 0;
	qsort(c->anchors, c->n_anchors, sizeof(*c->anchors), cmp_anchor);
	const struct anchor *dup = NULL, *first = NULL;
	for (size_t k = 1; k < c->n_anchors; k++) {
		const struct anchor *x = &c->anchors[k - 1], *y = &c->anchors[k];
		if (strcmp(x->name, y->name) != 0)
			continue;
		const struct anchor *f = x;
		while (f > c->anchors && strcmp((f - 1)->name, y->name) == 0)
			f--;
		if (!dup || y->mark.line < dup->mark.line ||
		    (y->mark.line == dup->mark.line && y->mark.column < dup->mark.column)) {
			dup = y;
			first = f;
		}
	}
	if (!dup)
		return 0;
	struct cordon_node tmp = { .mark = dup->mark };
	return err_at(c->err, &tmp, "duplicate anchor &%s (first at line %ld)", dup->name, first->mark.line);
}

static int note_anchor(struct conv *c, const yaml_char_t *anchor, const struct mark *m)
{
	if (!anchor)
		return 0;
	if (c->n_anchors == c->cap_anchors) {
		size_t cap = c->cap_anchors ? 2 * c->cap_anchors : 16;
		struct anchor *v = realloc(c->anchors, cap * sizeof(*v));
		if (!v)
			return set_err(c->err, "out of memory");
		c->anchors = v;
		c->cap_anchors = cap;
	}
	const char *name = arena_strndup(&c->tree->arena, (const char *)anchor, strlen((const char *)anchor));
	if (!name)
		return set_err(c->err, "out of memory");
	c->anchors[c->n_anchors++] = (struct anchor){ name, *m };
	return 0;
}

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

/* A new node at an event: its mark, the tag, depth and count checked.
 * depth is the node's own (the root's is 0). */
static struct cordon_node *node_new(struct conv *c, const yaml_event_t *ev, const yaml_char_t *anchor,
                                    const yaml_char_t *tag, const char *want_tag)
{
	struct mark m = { c->tree->file, (long)ev->start_mark.line + 1, (long)ev->start_mark.column + 1 };
	struct cordon_node tmp = { .mark = m };
	if (note_anchor(c, anchor, &m) < 0)
		return NULL;
	/* A tag (!!binary, !!int, !custom) would mean something cordon does
	 * not do: every value is read as text by the typed helpers.  Refused,
	 * like aliases, rather than silently ignored ("!" alone is the
	 * default tag). */
	if (tag && strcmp((const char *)tag, "!") != 0 && strcmp((const char *)tag, want_tag) != 0) {
		const char *t = (const char *)tag;
		const char *core = "tag:yaml.org,2002:";
		bool std = strncmp(t, core, strlen(core)) == 0;
		err_at(c->err, &tmp, "YAML tags (%s%s) are not supported in cordon files: write the value plainly",
		       std ? "!!" : "", std ? t + strlen(core) : t);
		return NULL;
	}
	if (c->depth > POLICY_MAX_DEPTH) {
		err_at(c->err, &tmp, "nested deeper than %d levels", POLICY_MAX_DEPTH);
		return NULL;
	}
	if (++c->count > POLICY_MAX_NODES) {
		err_at(c->err, &tmp, "more than %d YAML nodes", POLICY_MAX_NODES);
		return NULL;
	}
	struct cordon_node *n = arena_alloc_align(&c->tree->arena, sizeof(*n), _Alignof(struct cordon_node));
	if (!n) {
		set_err(c->err, "out of memory");
		return NULL;
	}
	memset(n, 0, sizeof(*n));
	n->mark = m;
	return n;
}

/* A finished node: the root, or the next child of the innermost open
 * collection (a mapping's keys must be scalars). */
static int node_done(struct conv *c, struct cordon_node *n)
{
	if (c->depth == 0) {
		c->tree->root = n;
		return 0;
	}
	const struct frame *f = &c->frame[c->depth - 1];
	if (f->n->type == CORDON_NODE_MAPPING && (c->n_items - f->first) % 2 == 0 && n->type != CORDON_NODE_SCALAR)
		return err_at(c->err, n, "expected a plain key, found %s", node_type_name(n));
	if (c->n_items == c->cap_items) {
		size_t cap = c->cap_items ? 2 * c->cap_items : 256;
		struct cordon_node **v = realloc(c->items, cap * sizeof(*v));
		if (!v)
			return set_err(c->err, "out of memory");
		c->items = v;
		c->cap_items = cap;
	}
	c->items[c->n_items++] = n;
	return 0;
}

/* The event ev of the one document: 1 when it ended the root, 0 to go on,
 * -1 on an error (*c->err set). */
static int conv_event(struct conv *c, const yaml_event_t *ev)
{
	struct cordon_node *n;
	switch (ev->type) {
	case YAML_ALIAS_EVENT: {
		struct cordon_node tmp = { .mark = { c->tree->file, (long)ev->start_mark.line + 1,
		                                     (long)ev->start_mark.column + 1 } };
		return err_at(c->err, &tmp, "YAML aliases (*name) are not supported in cordon files");
	}
	case YAML_SCALAR_EVENT:
		if (!(n = node_new(c, ev, ev->data.scalar.anchor, ev->data.scalar.tag, YAML_STR_TAG)))
			return -1;
		n->type = CORDON_NODE_SCALAR;
		n->len = ev->data.scalar.length;
		n->text = arena_strndup(&c->tree->arena, (const char *)ev->data.scalar.value, n->len);
		if (!n->text)
			return set_err(c->err, "out of memory");
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (memchr(n->text, '\0', n->len))
			return err_at(c->err, n, "a NUL character (\\0) is not allowed");
		if (node_done(c, n) < 0)
			return -1;
		return c->depth == 0;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
		if (!(n = node_new(c, ev, seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor,
		                   seq ? ev->data.sequence_start.tag : ev->data.mapping_start.tag,
		                   seq ? YAML_SEQ_TAG : YAML_MAP_TAG)))
			return -1;
		n->type = seq ? CORDON_NODE_SEQUENCE : CORDON_NODE_MAPPING;
		c->frame[c->depth].n = n;
		c->frame[c->depth].first = c->n_items;
		c->depth++;
		return 0;
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: {
		const struct frame *f = &c->frame[--c->depth];
		n = f->n;
		size_t k = c->n_items - f->first;
		n->items = arena_alloc_align(&c->tree->arena, (k ? k : 1) * sizeof(*n->items), _Alignof(struct cordon_node *));
		if (!n->items)
			return set_err(c->err, "out of memory");
		if (k)
			memcpy(n->items, c->items + f->first, k * sizeof(*n->items));
		c->n_items = f->first;
		n->n = n->type == CORDON_NODE_MAPPING ? k / 2 : k;
		if (n->type == CORDON_NODE_MAPPING && check_duplicates(c, n) < 0)
			return -1;
		if (node_done(c, n) < 0)
			return -1;
		return c->depth == 0;
	}
	default:
		return 0;
	}
}

static void parser_error(yaml_parser_t *p, const char *file, const char *text, size_t len, char **err);

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
	if (!yaml_parser_initialize(&parser)) {
		arena_free(t->arena);
		set_err(err, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	struct conv c = { .tree = t, .err = err };
	int docs = 0, r = 0;
	bool in_doc = false;
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			parser_error(&parser, file, text, len, err);
			r = -1;
			break;
		}
		yaml_event_type_t type = ev.type;
		if (type == YAML_DOCUMENT_START_EVENT) {
			/* exactly one document */
			if (++docs > 1) {
				set_err(err, "%s:%ld:%ld: a second YAML document (expected one)", file,
				        (long)ev.start_mark.line + 1, (long)ev.start_mark.column + 1);
				r = -1;
			}
			in_doc = true;
		} else if (type == YAML_DOCUMENT_END_EVENT) {
			in_doc = false;
		} else if (in_doc && conv_event(&c, &ev) < 0) {
			r = -1;
		}
		yaml_event_delete(&ev);
		if (r < 0 || type == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&parser);
	free(c.items);
	if (r == 0 && !t->root) {
		set_err(err, "%s:1:1: empty file (expected a YAML mapping)", file);
		r = -1;
	}
	if (r == 0 && check_anchors(&c) < 0)
		r = -1;
	free(c.anchors);
	if (r < 0) {
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
