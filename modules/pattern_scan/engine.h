/*
 * modules/pattern_scan/engine.h - a set of PCRE2 rules scanned over a
 * source in one pass.
 *
 * Each rule's matches are those of the plain loop (pcre2_match from offset
 * 0, then from the end of each match, one byte on after an empty match):
 * the same matches at the same offsets, reported rule by rule in the order
 * the rules were added.  With the prefilter on, one pass of a multi-string
 * automaton finds the literals the rules require (literals.h); a rule is
 * then tried only in the windows its literals open, with PCRE2's offset
 * limit bounding each attempt.  A rule without a usable literal, or whose
 * literals occur too often in a source, is scanned whole as before.
 */
#ifndef CORDON_PS_ENGINE_H
#define CORDON_PS_ENGINE_H

#include <stddef.h>
#include <stdint.h>

struct ps_engine;

/* prefilter: 0 scans every rule over the whole source (the plain loop). */
struct ps_engine *ps_engine_new(int prefilter, uint32_t match_limit, uint32_t heap_limit_kib);
void ps_engine_free(struct ps_engine *e);

/* Compiles pattern[0, len) as the next rule (numbered from 0).  Returns 0;
 * PCRE2's error code (positive; pcre2_get_error_message() says it) and the
 * offset in the pattern *erroff when the pattern is invalid; -1 when out
 * of memory. */
int ps_engine_add(struct ps_engine *e, const char *pattern, size_t len, size_t *erroff);

/* The same check without keeping the rule (for a disabled rule). */
int ps_pattern_check(const char *pattern, size_t len, size_t *erroff);

/* After the last add: JIT compilation, the literals and the automaton.
 * -1 when out of memory.  *no_jit: rules left to PCRE2's interpreter (the
 * JIT refused, error *jit_err). */
int ps_engine_build(struct ps_engine *e, size_t *no_jit, int *jit_err);

/* Before the build: no JIT code at all, every rule in PCRE2's interpreter
 * (for a build in a process that may not make memory executable: the
 * confined checker). */
void ps_engine_no_jit(struct ps_engine *e);

/* Scans data[0, len): on_match(arg, rule, start, end) for every match, rule
 * by rule, each rule's in order.  0; -1 when PCRE2 could not finish a match
 * attempt (a limit): *fail_rule, *fail_off (where the search started) and
 * *fail_rc, after the matches found before it; on_match may return nonzero
 * to stop (the scan then returns 1). */
typedef int (*ps_match_fn)(void *arg, size_t rule, size_t start, size_t end);
int ps_engine_scan(struct ps_engine *e, const unsigned char *data, size_t len, ps_match_fn on_match, void *arg,
                   size_t *fail_rule, size_t *fail_off, int *fail_rc);

/* What the engine did with a rule. */
enum ps_mode {
	PS_MODE_WHOLE,   /* no prefilter: scanned whole */
	PS_MODE_WINDOWS, /* tried only where its literals were seen */
	PS_MODE_DENSE,   /* its literals were too many in the last source: scanned whole */
};
struct ps_rule_info {
	int has_prefilter;
	const char *why;   /* without: the reason */
	size_t nliterals;  /* entries of its prefilter */
	enum ps_mode mode; /* in the last scan */
	size_t windows;    /* in the last scan: windows its literals opened */
	size_t calls;      /* in the last scan: pcre2_match calls */
};
void ps_engine_rule_info(const struct ps_engine *e, size_t rule, struct ps_rule_info *out);
size_t ps_engine_count(const struct ps_engine *e);

#endif
