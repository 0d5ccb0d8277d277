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

	struct strbuf deep = { 0 };
	for (int i = 0; i < 100; i++)
		sb_puts(&deep, "[");
	for (int i = 0; i < 100; i++)
		sb_puts(&deep, "]");
	refused(deep.data, "nested deeper than 64 levels", "deep nesting");
	sb_free(&deep);
	/* 200000 levels: refused at once, before libyaml's loader (which is
	 * quadratic in the depth) ever sees them. */
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
	return tap_done();
}
