/*
 * modules/pattern_scan/tests/unit_strip.c - the comment blankers: what is
 * blanked, what is kept (strings, here-documents, regular expressions),
 * where each lexer gives up (and then returns an unchanged copy), and the
 * invariants for every case: same length, line ends kept, only spaces
 * written.
 */
#include <stdlib.h>
#include <string.h>

#include "strip.h"
#include "tap.h"

struct tcase {
	enum ps_lang lang;
	const char *in;
	int ret; /* 0: stripped, 1: gave up */
	const char *keep; /* must still be in the output, or NULL */
	const char *gone; /* must not be in the output, or NULL */
};

#define PY PS_LANG_PYTHON
#define SH PS_LANG_SHELL
#define JS PS_LANG_JAVASCRIPT
#define JV PS_LANG_JAVA

static const struct tcase cases[] = {
	/* python */
	{ PY, "x = 1 # os.system('a')\n", 0, "x = 1", "os.system" },
	{ PY, "s = '# not a comment'; eval(s)\n", 0, "# not a comment", NULL },
	{ PY, "'''\n# inside\n'''\n", 0, "# inside", NULL },
	{ PY, "r\"\\\\\" # c\n", 0, "r\"\\\\\"", "# c" },
	{ PY, "x = \"a\\\"b\" # c\n", 0, "\"a\\\"b\"", "# c" },
	{ PY, "# c\ros.system(1)\n", 0, "os.system(1)", "# c" },
	{ PY, "# c\r\nos.system(1)\n", 0, "os.system(1)", "# c" },
	{ PY, "f\"{x!r:>{w}}\" # c\n", 0, "{x!r:>{w}}", "# c" },
	{ PY, "f\"{'#'}\" # c\n", 0, "'#'", "# c" },
	{ PY, "f\"{\"#\"}\" # c\n", 0, "\"#\"", "# c" },
	{ PY, "f'''{x:{'#'}}''' # c\n", 0, "'#'", "# c" },
	{ PY, "f\"\\N{BULLET} {x}\" # c\n", 0, "BULLET", "# c" },
	{ PY, "rf\"\\{x}\" # c\n", 0, "\\{x}", "# c" },
	{ PY, "f\"{x # c\n}\"\n", 1, "# c", NULL },
	{ PY, "f\"{d['#']:{'>'}10}\" # c\n", 0, "'#'", "# c" },
	{ PY, "\"unterminated # x\n", 1, "# x", NULL },
	{ PY, "'''never closed # x\n", 1, "# x", NULL },
	{ PY, "# -*- coding: latin-1 -*-\n# other\n", 0, "coding: latin-1", "# other" },
	{ PY, "x = 1\ny = 2\n# coding: latin-1\n", 0, NULL, "coding" },
	{ PY, "os.\\\nsystem('x')\n", 0, "os. \nsystem", NULL },
	{ PY, "rb'\\'' # c\n", 0, "rb'\\''", "# c" },
	{ PY, "bR\"x\" # c\n", 0, "bR\"x\"", "# c" },
	{ PY, "xr\"# s\"\n", 0, "# s", NULL },
	{ PY, "'''a''' '# s' # c\n", 0, "'# s'", "# c" },
	{ PY, "s = 'a\\\r\nb' # c\n", 0, "'a\\\r\nb'", "# c" },
	/* shell */
	{ SH, "echo a # c\n", 0, "echo a", "# c" },
	{ SH, "echo a#b\n", 0, "a#b", NULL },
	{ SH, "echo '# not'\n", 0, "'# not'", NULL },
	{ SH, "echo \"# not $(echo 1 # c\n)\"\n", 0, "# not", "# c" },
	{ SH, "echo ${x#pre} # c\n", 0, "${x#pre}", "# c" },
	{ SH, "echo $# # c\n", 0, "$#", "# c" },
	{ SH, "cat <<EOF\n# body\nEOF\n# c\n", 0, "# body", "# c" },
	{ SH, "cat <<'E'\n# b\nE\n", 0, "# b", NULL },
	{ SH, "cat <<-EOF\n\t# b\n\tEOF\n# c\n", 0, "# b", "# c" },
	{ SH, "cat <<A <<B\n# a\nA\n# b\nB\n# c\n", 0, "# b", "# c" },
	{ SH, "echo a\\ #b\n", 0, "#b", NULL },
	{ SH, "echo \"unterminated\n", 1, NULL, NULL },
	{ SH, "x=$(case a in a) echo;; esac) # c\n", 1, "# c", NULL },
	{ SH, "# c\rrm -rf /\n", 0, NULL, "rm -rf" },
	{ SH, "echo \"${x:-'}'}\" # c\n", 1, "# c", NULL },
	{ SH, "echo $'a\\'b' # c\n", 0, "$'a\\'b'", "# c" },
	{ SH, "echo `echo # x`\n", 0, "# x", NULL },
	{ SH, "cat <<EOF\nno end\n", 1, NULL, NULL },
	{ SH, "echo $(( 16#ff )) # c\n", 0, "16#ff", "# c" },
	{ SH, "#!/bin/sh\necho hi\n", 0, "echo hi", "#!/bin/sh" },
	{ SH, "echo x;# c\n", 0, "echo x;", "# c" },
	{ SH, "echo $(echo a)#b\n", 0, ")#b", NULL },
	{ SH, "read x <<< \"$(echo a)\" # c\necho y\n", 0, "echo y", "# c" },
	{ SH, "cat <<<word # c\n", 0, "<<<word", "# c" },
	/* javascript */
	{ JS, "a = 1 // eval(x)\n", 0, "a = 1", "eval" },
	{ JS, "/* eval */ b\n", 0, "b", "eval" },
	{ JS, "s = \"// not\"\n", 0, "// not", NULL },
	{ JS, "t = `${\"//\"} // x ${a /* c */}`\n", 0, "// x", "/* c */" },
	{ JS, "r = /[/*]/; eval(x) /* c */\n", 0, "eval(x)", "/* c */" },
	{ JS, "x = a / b // c\n", 0, "a / b", "// c" },
	{ JS, "if (x) /[/*]/.test(s); eval(y) // c\n", 0, "eval(y)", "// c" },
	{ JS, "x = (a) / 2 // c\n", 0, "(a) / 2", "// c" },
	{ JS, "function f() { return /a\\/\\/b/ }\n", 0, "/a\\/\\/b/", NULL },
	{ JS, "a = {}\n/[/*]/.test(s); eval(y) /* */\n", 1, "eval(y)", NULL },
	{ JS, "// c\xe2\x80\xa8" "eval(x)\n", 0, "eval(x)", "// c" },
	{ JS, "x =\xc2\xa0/[//]/; eval(1)\n", 0, "eval(1)", NULL },
	{ JS, "s = \"unterminated\n", 1, NULL, NULL },
	{ JS, "/* unterminated\n", 1, NULL, NULL },
	{ JS, "#!/usr/bin/env node\nx()\n", 0, "x()", "#!/usr/bin/env" },
	{ JS, "a++ / 2 // c\n", 0, "a++ / 2", "// c" },
	{ JS, "x = typeof /re/ // c\n", 0, "/re/", "// c" },
	{ JS, "x = a.return / 2 // c\n", 0, "/ 2", "// c" },
	{ JS, "t = `a ${ `b ${ c // x\n} d` } e` // y\n", 0, "d` } e`", "// y" },
	{ JS, "t = `never closed\n", 1, NULL, NULL },
	/* java */
	{ JV, "int a; // Runtime.exec\n", 0, "int a;", "Runtime" },
	{ JV, "/* x */ int b;\n", 0, "int b;", "/* x */" },
	{ JV, "String s = \"// no\";\n", 0, "// no", NULL },
	{ JV, "char c = '\"'; // c\n", 0, "'\"'", "// c" },
	{ JV, "String t = \"\"\"\n// in block\n\"\"\"; // c\n", 0, "// in block", "// c" },
	{ JV, "// \\u000a Runtime.getRuntime().exec(\"x\");\n", 1, "Runtime", NULL },
	{ JV, "String s = \"unterminated;\n", 1, NULL, NULL },
	{ JV, "int x; // c\rRuntime.exec();\n", 0, "Runtime.exec();", "// c" },
};

static int has(const unsigned char *buf, size_t len, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = 0; k <= len && i + k <= len; i++)
		if (memcmp(buf + i, needle, k) == 0)
			return 1;
	return 0;
}

/* text for a test name: line ends and control bytes shown as escapes */
static const char *shown(const char *t, char *buf, size_t cap)
{
	size_t o = 0;
	for (; *t && o + 5 < cap; t++) {
		unsigned char c = (unsigned char)*t;
		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}

int main(void)
{
	char nb[256];
	size_t n = sizeof(cases) / sizeof(cases[0]);
	for (size_t c = 0; c < n; c++) {
		const struct tcase *t = &cases[c];
		size_t len = strlen(t->in);
		unsigned char *out = malloc(len + 1);
		if (!out)
			bail("out of memory");
		const char *why = NULL;
		int r = ps_strip(t->lang, (const unsigned char *)t->in, len, out, &why);
		int inv = 1;
		for (size_t i = 0; i < len; i++) {
			unsigned char a = (unsigned char)t->in[i];
			if (out[i] != a && (out[i] != ' ' || a == '\n' || a == '\r'))
				inv = 0;
		}
		if (r == 1 && memcmp(out, t->in, len) != 0)
			inv = 0;
		ok(r == t->ret && (r == 0) == (why == NULL), "%s case %zu: %s%s%s", ps_lang_name(t->lang), c,
		   t->ret ? "gives up" : "strips", why ? ": " : "", why ? why : "");
		ok(inv, "%s case %zu: same length, line ends kept, only spaces written", ps_lang_name(t->lang), c);
		if (t->keep)
			ok(has(out, len, t->keep), "%s case %zu: keeps %s", ps_lang_name(t->lang), c, shown(t->keep, nb, sizeof(nb)));
		if (t->gone)
			ok(!has(out, len, t->gone), "%s case %zu: blanks %s", ps_lang_name(t->lang), c, shown(t->gone, nb, sizeof(nb)));
		free(out);
	}
	/* a NUL byte: every lexer gives up */
	static const unsigned char nul[] = "x = 1\n\0# c\n";
	for (int l = 0; l < PS_LANG_COUNT; l++) {
		unsigned char out[sizeof(nul)];
		ok(ps_strip((enum ps_lang)l, nul, sizeof(nul) - 1, out, NULL) == 1 && memcmp(out, nul, sizeof(nul) - 1) == 0,
		   "%s: a NUL byte makes it give up with a copy", ps_lang_name((enum ps_lang)l));
	}
	/* the empty source, and an unknown language */
	unsigned char one[1] = { 'x' };
	ok(ps_strip(PY, (const unsigned char *)"", 0, one, NULL) == 0, "an empty source strips to nothing");
	const char *why = NULL;
	ok(ps_strip((enum ps_lang)9, (const unsigned char *)"x", 1, one, &why) == 1 && one[0] == 'x' && why,
	   "an unknown language gives up with a copy");
	ok(ps_lang_from_name("python") == PY && ps_lang_from_name("java") == JV && ps_lang_from_name("perl") == -1 &&
	           ps_lang_from_name(NULL) == -1,
	   "language names");
	return tap_done();
}
