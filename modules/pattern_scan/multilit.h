/*
 * modules/pattern_scan/multilit.h - every occurrence of a set of byte
 * strings in one pass (Aho-Corasick, compiled to a DFA over byte classes).
 */
#ifndef CORDON_PS_MULTILIT_H
#define CORDON_PS_MULTILIT_H

#include <stddef.h>
#include <stdint.h>

#define PS_AC_BYTES_MAX 16384 /* total bytes of the strings of one automaton */

struct ps_ac;

/* An automaton for strings lits[i] (lens[i] bytes, each at least 1, no two
 * equal).  NULL when out of memory or the strings are too many
 * (PS_AC_BYTES_MAX).  The strings are copied. */
struct ps_ac *ps_ac_new(const uint8_t *const *lits, const size_t *lens, size_t n);
void ps_ac_free(struct ps_ac *ac);

/* Calls hit(arg, i, end) for each occurrence of string i ending at offset
 * end (exclusive) in data[0, len), in the order of `end` (strings ending at
 * the same offset: longest first). */
typedef void (*ps_ac_hit_fn)(void *arg, size_t i, size_t end);
void ps_ac_scan(const struct ps_ac *ac, const uint8_t *data, size_t len, ps_ac_hit_fn hit, void *arg);

#endif
