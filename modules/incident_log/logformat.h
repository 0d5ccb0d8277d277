/*
 * modules/incident_log/logformat.h - the incident log's format, as the
 * module writes it and `cordon log verify` (core/cli/logverify.c) checks
 * it: one source for both, so that they cannot drift apart.
 *
 * The log is JSON Lines.  Each line is one record, a JSON object whose
 * member ILOG_PREV_KEY is the sha256, in lowercase hex, of the previous
 * line's bytes (its newline excluded); the first line's is ILOG_GENESIS.
 * A line is at most ILOG_MAX_RECORD bytes, newline included (the module's
 * max_record cannot be set higher).  Header-only, no state: the module
 * hashes with nettle, the CLI with core/hash.c.
 */
#ifndef CORDON_ILOG_FORMAT_H
#define CORDON_ILOG_FORMAT_H

#include <string.h>

#include <jansson.h>

#define ILOG_HEX_LEN 64 /* a sha256 in lowercase hex */
/* prev of the first record of a file. */
#define ILOG_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"
/* The member of each record that links it to the line before. */
#define ILOG_PREV_KEY "prev"
/* Bounds of a record line, newline included (max_record's range). */
#define ILOG_MIN_RECORD 4096
#define ILOG_MAX_RECORD (16 << 20)

/* Is s a link: ILOG_HEX_LEN lowercase hex digits? */
static inline int ilog_is_link(const char *s)
{
	if (!s || strlen(s) != ILOG_HEX_LEN)
		return 0;
	for (const char *c = s; *c; c++)
		if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
			return 0;
	return 1;
}

/* The link a parsed record carries (owned by rec), or NULL when rec is not
 * a record: not an object, or no ILOG_PREV_KEY that is a link. */
static inline const char *ilog_record_prev(const json_t *rec)
{
	if (!json_is_object(rec))
		return NULL;
	const char *prev = json_string_value(json_object_get(rec, ILOG_PREV_KEY));
	return ilog_is_link(prev) ? prev : NULL;
}

#endif /* CORDON_ILOG_FORMAT_H */
