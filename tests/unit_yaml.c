/*
 * tests/unit_yaml.c - YAML text to node trees with marks (core/node.c):
 * line and column of every node, and the refusals (aliases, duplicate keys,
 * several documents, deep nesting, NUL bytes).
 */
#include "internal.h"
#include "tap.h"

static struct tree *parse(const char *text, char **err)
{
	*err = NULL;
	return tree_parse("t.yaml", text, strlen(text), err);
}

static void refused_n(const char *text, size_t len, const char *want, const char *what)
{
	char *err = NULL;
	struct tree *t = tree_parse("t.yaml", text, len, &err);
	ok(!t && err && strstr(err, want), "%s: refused with '%s'", what, want);
	if (t || !err || !strstr(err, want))
		diag("got: %s", err ? err : "(accepted)");
	tree_free_list(t);
	free(err);
}

static void refused(const char *text, const char *want, const char *what)
{
	refused_n(text, strlen(text), want, what);
}

int main(void)
{
	char *err = NULL;
	struct tree *t = parse("name: x\nstack:\n  - module: rlimit\n    with: {cpu: 5s}\n", &err);
	ok(t != NULL, "a small policy parses");
	if (!t)
		bail("%s", err);
	const struct cordon_node *stack = node_get(t->root, "stack");
	ok(stack && stack->type == CORDON_NODE_SEQUENCE && stack->n == 1, "stack is a sequence of 1");
	const struct cordon_node *e = stack->items[0];
	is_int(e->mark.line, 3, "entry on line 3");
	is_int(e->mark.column, 5, "entry at column 5");
	const struct cordon_node *cpu = node_get(node_get(e, "with"), "cpu");
	is_str(cpu ? cpu->text : NULL, "5s", "nested scalar text");
	is_int(cpu ? cpu->mark.line : 0, 4, "nested scalar line");
	is_int(cpu ? cpu->mark.column : 0, 17, "nested scalar column");
	ok(cpu && cpu->plain, "plain scalar is marked plain");
	tree_free_list(t);

	t = parse("a: 'yes'\nb: \"x\"\nc:\n", &err);
	ok(t && !node_get(t->root, "a")->plain, "quoted scalar is not plain");
	ok(t && node_get(t->root, "c")->len == 0, "empty value is an empty scalar");
	tree_free_list(t);

	refused("a: [1, 2\n", "t.yaml:2:1: invalid YAML", "unclosed flow sequence");
	refused("a:\n\tb: 1\n", "t.yaml:2:1: invalid YAML", "tab indentation");
	refused("a: 'x\n", "invalid YAML", "unterminated quote");
	refused("", "t.yaml:1:1: empty file", "empty text");
	refused("# only a comment\n", "empty file", "comment only");
	refused("a: 1\n---\nb: 2\n", "t.yaml:2:1: a second YAML document", "two documents");
	refused("a: &x 1\nb: *x\n", "t.yaml:2:4: YAML aliases", "alias");
	refused("a: 1\nb: 2\na: 3\n", "t.yaml:3:1: duplicate key 'a' (first at line 1)", "duplicate key");
	refused("? [a]\n: 1\n", "expected a plain key", "sequence as a key");
	refused_n("a: 1\nb: \0\n", 10, "t.yaml:2:4: contains a NUL byte", "NUL byte");

	/* one pass over libyaml's events: what the document loader resolved
	 * is told here */
	refused("a:\n  b: [1, &x {c: 2}]\n  d: [3, *x]\n", "t.yaml:3:10: YAML aliases", "alias in a nested flow sequence");
	refused("a: !!int 1\n", "t.yaml:1:4: YAML tags (!!int)", "a standard tag");
	refused("a: !custom x\n", "YAML tags (!custom)", "a local tag");
	refused("a: !!map {b: 1}\nb: !!seq {}\n", "t.yaml:2:4: YAML tags (!!seq)", "a collection's tag that does not fit");
	refused("? {a: 1}\n: 1\n", "t.yaml:1:3: expected a plain key, found a mapping", "mapping as a key");
	refused("a:\n  - b: 1\n    b: 2\n", "t.yaml:3:5: duplicate key 'b' (first at line 2)", "duplicate key in a nested mapping");
	refused("a: \"x\\0y\"\n", "t.yaml:1:4: a NUL character", "an escaped NUL");
	refused("a: 1\n--- \n", "t.yaml:2:1: a second YAML document", "an empty second document");
	refused("a: &x 1\nb:\n  - &y 2\n  - &x 3\n", "t.yaml:4:5: duplicate anchor &x (first at line 1)", "an anchor given twice");
	refused("? &k a\n: &k b\n", "t.yaml:2:3: duplicate anchor &k (first at line 1)", "an anchor given twice on a key and its value");
	static const char *const empties[] = { "{}\n", "[]\n", "[[]]\n", "- []\n- {}\n", "a: []\nb: {}\nc: [[], {}]\n" };
	for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
		err = NULL;
		t = parse(empties[i], &err);
		ok(t && t->root && (t->root->type == CORDON_NODE_SEQUENCE || t->root->type == CORDON_NODE_MAPPING),
		   "empty collections parse: %.*s", (int)strcspn(empties[i], "\n"), empties[i]);
		tree_free_list(t);
		free(err);
	}
	t = parse("a: &anchor 1\nb: !!str 2\nc: ! 3\nd: !!map {e: !!seq [f]}\n...\n", &err);
	ok(t && strcmp(node_get(t->root, "a")->text, "1") == 0 && strcmp(node_get(t->root, "b")->text, "2") == 0 &&
	       strcmp(node_get(t->root, "c")->text, "3") == 0 &&
	       node_get(node_get(t->root, "d"), "e")->type == CORDON_NODE_SEQUENCE,
	   "an anchor without an alias, !!str, the non-specific '!', fitting collection tags and an explicit end parse");
	if (!t)
		diag("%s", err);
	tree_free_list(t);
	free(err);
	err = NULL;
	t = parse("- [a, {b: c}]\n- d\n", &err);
	ok(t && t->root->type == CORDON_NODE_SEQUENCE && t->root->n == 2 && t->root->items[0]->n == 2 &&
	       t->root->items[0]->items[1]->type == CORDON_NODE_MAPPING && t->root->items[0]->items[1]->n == 1 &&
	       strcmp(t->root->items[1]->text, "d") == 0 && t->root->items[1]->mark.line == 2,
	   "nested collections keep their items in order, with marks");
	tree_free_list(t);
	free(err);
	err = NULL;
	struct strbuf at = { 0 };
	for (int i = 0; i < 64; i++)
		sb_puts(&at, "[");
	sb_puts(&at, "x");
	for (int i = 0; i < 64; i++)
		sb_puts(&at, "]");
	t = parse(at.data, &err);
	ok(t != NULL, "a scalar 64 levels deep parses");
	tree_free_list(t);
	free(err);
	err = NULL;
	sb_free(&at);
	for (int i = 0; i < 65; i++)
		sb_puts(&at, "[");
	sb_puts(&at, "x");
	for (int i = 0; i < 65; i++)
		sb_puts(&at, "]");
	refused(at.data, "t.yaml:1:66: nested deeper than 64 levels", "a scalar 65 levels deep");
	sb_free(&at);

	struct strbuf deep = { 0 };
	for (int i = 0; i < 100; i++)
		sb_puts(&deep, "[");
	for (int i = 0; i < 100; i++)
		sb_puts(&deep, "]");
	refused(deep.data, "nested deeper than 64 levels", "deep nesting");
	sb_free(&deep);
	/* 200000 levels: refused at the limit, the rest never parsed. */
	for (int i = 0; i < 200000; i++)
		sb_puts(&deep, "[");
	refused(deep.data, "t.yaml:1:66: nested deeper than 64 levels", "very deep nesting, refused at the limit");
	sb_free(&deep);

	/* A file of many nodes within the limit is fine. */
	struct strbuf wide = { 0 };
	sb_puts(&wide, "a: [");
	for (int i = 0; i < 5000; i++)
		sb_printf(&wide, "%s%d", i ? "," : "", i);
	sb_puts(&wide, "]\n");
	t = parse(wide.data, &err);
	ok(t && node_get(t->root, "a")->n == 5000, "5000 items parse");
	tree_free_list(t);
	free(err);
	sb_free(&wide);

	/* A large text's tree spans many arena chunks (core/node.c) and a
	 * scalar larger than a chunk gets its own. */
	struct strbuf big = { 0 };
	sb_puts(&big, "long: '");
	for (int i = 0; i < 300000; i++)
		sb_puts(&big, "0123456789");
	sb_puts(&big, "'\nitems: [");
	for (int i = 0; i < 60000; i++)
		sb_printf(&big, "%sname%d", i ? "," : "", i);
	sb_puts(&big, "]\n");
	ok(big.len > 1000000, "the large text is %zu bytes", big.len);
	t = parse(big.data, &err);
	const struct cordon_node *items = t ? node_get(t->root, "items") : NULL;
	const struct cordon_node *lng = t ? node_get(t->root, "long") : NULL;
	ok(items && items->n == 60000, "60000 items parse (a tree of about 4 MiB)");
	bool all = items != NULL;
	char want[32];
	for (size_t i = 0; all && i < items->n; i++) {
		snprintf(want, sizeof(want), "name%zu", i);
		all = items->items[i]->type == CORDON_NODE_SCALAR && strcmp(items->items[i]->text, want) == 0 &&
		      items->items[i]->mark.line == 2;
	}
	ok(all, "every item's text and line intact across chunks");
	ok(lng && lng->len == 3000000 && lng->text[0] == '0' && lng->text[2999999] == '9' && lng->text[3000000] == 0,
	   "a 3 MB scalar kept whole");
	tree_free_list(t);
	free(err);
	err = NULL;
	/* Refused after the whole tree was built (a duplicate key at the
	 * end): its chunks go back (the sanitizer build's leak check). */
	sb_puts(&big, "items: 1\n");
	refused(big.data, "duplicate key", "a large text refused after its tree was built");
	sb_free(&big);
	return tap_done();
}
