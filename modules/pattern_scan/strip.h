/*
 * modules/pattern_scan/strip.h - blank the comments of a source so that
 * rules do not fire on them, keeping every byte at its offset.
 *
 * ps_strip() copies src[0..len) to out (len bytes, which the caller
 * allocates) with each byte of a comment replaced by a space, except line
 * ends (\n and \r), which are kept so that `^` and `$` still mean line
 * boundaries.  String literals are kept as they are: their contents are
 * data the program may hand to eval.  Since nothing moves, an offset in
 * out is the same offset in src, and lines and columns are counted on src.
 *
 * The lexers follow each language's quoting rules; where a source cannot
 * be lexed with certainty (an unterminated string or comment, a NUL byte,
 * a construct the lexer does not model), ps_strip returns 1, sets *why,
 * and out is an unchanged copy: the source is then scanned as it is, so an
 * uncertain lexer can only cause findings in comments, never hide code.
 */
#ifndef CORDON_PATTERN_SCAN_STRIP_H
#define CORDON_PATTERN_SCAN_STRIP_H

#include <stddef.h>

enum ps_lang {
	PS_LANG_PYTHON = 0,
	PS_LANG_JAVASCRIPT = 1,
	PS_LANG_SHELL = 2,
	PS_LANG_JAVA = 3,
	PS_LANG_COUNT = 4,
};

/* The language's name as in struct cordon_source ("python", ...). */
const char *ps_lang_name(enum ps_lang lang);
/* The language named name, or -1. */
int ps_lang_from_name(const char *name);

/* Returns 0 when comments were blanked, 1 when out is a plain copy (the
 * reason, a static string, in *why).  why may be NULL. */
int ps_strip(enum ps_lang lang, const unsigned char *src, size_t len, unsigned char *out, const char **why);

#endif
