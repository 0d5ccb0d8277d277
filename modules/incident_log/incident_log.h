/*
 * modules/incident_log/incident_log.h - the incident log's internal interface: the
 * log file (default path, opening, the hash chain, appending) and the record.
 * Nothing here is exported from cordon_incident_log.so (hidden visibility);
 * the unit tests link these files directly.
 */
#ifndef CORDON_ILOG_H
#define CORDON_ILOG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <jansson.h>

#include <cordon/module.h>

#include "logformat.h" /* ILOG_HEX_LEN, ILOG_GENESIS, ILOG_PREV_KEY, ILOG_MAX_RECORD */

/* Longest string kept in a record (messages, errors, warnings); longer ones
 * are cut at a UTF-8 boundary and end in "...". */
#define ILOG_MAX_STRING 1024
#define ILOG_MAX_WARNINGS 20
#define ILOG_MAX_REDACTIONS 100

/* ---- chain.c: the log file ---- */

/* Replace *err (if err) by a malloc'd message; returns -1. */
int ilog_set_err(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The default log path for a process whose effective uid is euid:
 * $LOGS_DIRECTORY/incidents.jsonl (systemd's LogsDirectory=; the first of
 * a colon-separated list) when set and absolute, else
 * /var/log/cordon/incidents.jsonl for root, else
 * $XDG_STATE_HOME/cordon/incidents.jsonl (when set and absolute), else
 * HOME/.local/state/cordon/incidents.jsonl.  home may be NULL (then the
 * password database is asked).  Nothing is created.  Returns a malloc'd
 * path, or NULL with *err (malloc'd) saying why.
 */
char *ilog_default_path(uid_t euid, const char *logs_directory, const char *xdg_state_home,
                        const char *home, char **err);

/*
 * The default log path with its directories made (ilog_make_parents).  When
 * the path is the home directory's and that cannot be made (a service
 * account: www-data's /var/www, nobody's /nonexistent), the fallback
 * fallback_base/cordon-UID/incidents.jsonl (ilog_private_dir) and *note
 * (malloc'd) says so.  Returns a malloc'd path, or NULL with *err (malloc'd)
 * naming the settings that give the log a place.
 */
char *ilog_default_place(uid_t euid, const char *logs_directory, const char *xdg_state_home, const char *home,
                         const char *fallback_base, char **note, char **err);

/* Make dir (mode 0700) unless it exists; either way it must be a
 * directory owned by euid with mode 0700, in a parent that is not
 * world-writable without the sticky bit.  0, or -1 with *err. */
int ilog_private_dir(const char *dir, uid_t euid, char **err);

/* The password database's home directory (want_home) or name of uid,
 * malloc'd, or NULL. */
char *ilog_passwd(uid_t uid, int want_home);

/* Create the missing directories above the file `path`, each mode 0700.
 * 0, or -1 with *err (malloc'd). */
int ilog_make_parents(const char *path, char **err);

/*
 * Open the log for appending: O_RDWR|O_APPEND|O_CREAT|O_CLOEXEC|O_NOFOLLOW|O_NOCTTY,
 * mode 0600 when created (read access is needed to hash the last line).
 * Refused: anything but a regular file, a file with more than one link, a
 * world-writable file, a file owned by someone other than euid or root.
 * Returns the descriptor, or -1 with *err (malloc'd).
 */
int ilog_open(const char *path, uid_t euid, char **err);

/* What ilog_open would refuse, found without creating or opening anything:
 * an existing path must pass ilog_open's checks and be readable and
 * writable; a missing one needs a writable directory.  0, or -1 with *err
 * (malloc'd) in ilog_open's words. */
int ilog_check_path(const char *path, uid_t euid, char **err);

/* sha256 of data, as lowercase hex plus NUL in hex[65]. 0 or -1. */
int ilog_sha256_hex(const void *data, size_t len, char hex[ILOG_HEX_LEN + 1]);

/*
 * The link to the end of the log: sha256 of the file's last line (its bytes
 * without the newline), found by reading backwards from `size`; ILOG_GENESIS
 * for an empty file.  *partial is set when the file does not end in a newline
 * (an interrupted write): that unfinished line is what is hashed.  When
 * line_start is not NULL it gets the offset where that last line begins.
 * 0, or -1 with *err (malloc'd).
 */
int ilog_tail_link(int fd, off_t size, char hex[ILOG_HEX_LEN + 1], int *partial, off_t *line_start,
                   char **err);

/* Take the exclusive lock on the log (flock), retrying until timeout_ns.
 * 0, or -1 with errno (EWOULDBLOCK when the time ran out). */
int ilog_lock(int fd, uint64_t timeout_ns);

/*
 * Append one record under the lock: cut off a torn last record (an
 * unfinished line: *cut gets its length, else 0), read the tail link, let
 * `make` build the line (without its newline) for that prev, write it with
 * its newline in one write(), and fdatasync when do_sync.  A short or failed
 * write is cut off again (ftruncate to the size before it), so a record is
 * written whole or not at all.  On success *line (malloc'd, NUL-terminated,
 * no newline) is the line written.  0, or -1 with *err (malloc'd).
 */
typedef char *(*ilog_make_line)(void *arg, const char *prev, char **err);
int ilog_append(int fd, uint64_t lock_timeout_ns, int do_sync, ilog_make_line make, void *arg,
                char **line, off_t *cut, char **err);

/* ---- record.c: one record ---- */

/* RFC 3339 local time with milliseconds and offset:
 * 2026-11-23T14:35:02.123+01:00.  0, or -1 if it does not fit. */
int ilog_format_time(const struct timespec *ts, char *buf, size_t cap);

/* Incident kinds, in the order they are listed. */
enum {
	ILOG_K_DENIED = 1u << 0, /* the check phase denied the source */
	ILOG_K_ERROR = 1u << 1, /* status error: nothing ran or confinement failed */
	ILOG_K_LIMIT = 1u << 2, /* a limit ended the run (cpu, wall, output, ...) */
	ILOG_K_SIGNAL = 1u << 3, /* killed by a signal that no limit explains */
	ILOG_K_SECCOMP = 1u << 4, /* a finding of the seccomp module */
	ILOG_K_REDACTION = 1u << 5, /* output was redacted */
	ILOG_K_MODULE_ERROR = 1u << 6, /* a module's hook failed (verdict error) */
	ILOG_K_AUDIT = 1u << 7, /* audit mode: findings of what enforcing would have denied */
	ILOG_K_NETWORK = 1u << 8, /* a connection the egress proxy refused */
};

/* What the record says that is not in cordon_run_info. */
struct ilog_facts {
	char time[64];
	const char *host; /* NULL: unknown */
	unsigned uid;
	const char *user; /* NULL: not in the password database */
	long pid;
	const char *version; /* cordon's version, or NULL */
	int audit; /* the policy runs in audit mode */
};

/*
 * Everything a record holds but prev, gathered at finish.  findings is an
 * array of finding objects (owned); result is the parsed run result (owned,
 * may be NULL when it could not be parsed).
 */
struct ilog_event {
	const struct cordon_run_info *info;
	struct ilog_facts facts;
	json_t *findings;
	json_t *result;
	unsigned kinds;
};

/* Kinds for a run: from its status, limit, signal, findings (module
 * "seccomp"), the result's "redactions" and "modules". */
unsigned ilog_kinds(const struct cordon_run_info *info, json_t *findings, json_t *result);

/* A copy of s cut to at most max bytes at a UTF-8 boundary ("..." marks a
 * cut), with bytes that are not UTF-8 replaced by '?', as a JSON string. */
json_t *ilog_json_text(const char *s, size_t max);

/*
 * The record line (compact JSON, no newline) for prev, at most max_len bytes:
 * when it would be longer, findings are dropped from the end (the record
 * says how many in "findings_dropped"), then warnings and redactions
 * ("truncated": true).  Returns malloc'd text, or NULL with *err.
 */
char *ilog_record_line(const struct ilog_event *ev, const char *prev, size_t max_len, char **err);

/* One-line syslog summary of a record (malloc'd), ending with the sha256 of
 * the record line so that an outside copy anchors the chain's head. */
char *ilog_summary(const struct ilog_event *ev, const char *record_hex);

#endif /* CORDON_ILOG_H */
