/*
 * core/cli/infiles.h - files a caller hands to a run ("files" of MCP's
 * execute_code and of the service's POST /v1/runs and /v1/sessions):
 * checked, decoded, and written into a fresh directory that the run gets
 * as its --input-dir (the program sees it read-only at /input).
 */
#ifndef CORDON_INFILES_H
#define CORDON_INFILES_H

#include <stddef.h>

#include <jansson.h>

#define INFILES_DEFAULT_BYTES (16u << 20) /* decoded bytes of all files */
#define INFILES_DEFAULT_FILES 256u
#define INFILES_MAX_DEPTH 16 /* path components */
#define INFILES_MAX_PATH 1024 /* bytes of a path */

struct infiles_limits {
	size_t max_bytes, max_files;
};

/* files: a JSON array of {"path": "data/a.csv", "content": "...",
 * "encoding": "utf-8" (the default) or "base64"}.  A path is relative,
 * of at most INFILES_MAX_DEPTH components, none empty, "." or "..", with no
 * NUL.  Makes BASE/cordon-in.XXXXXX (0755, the files 0644, so that the
 * sandbox's user can read them) and writes each file beneath it, opened
 * without following links, never over another.  0 with *dir the new
 * directory (the caller owns it: remove_tree, then free); else -1,
 * nothing left behind, *status 400 (malformed: why names the entry), 413
 * (over lim) or 500 (the host), and why set. */
int infiles_write(const json_t *files, const char *base, const struct infiles_limits *lim, char **dir,
                  int *status, char *why, size_t whylen);
/* Remove a directory tree without following links (infiles_write's, a
 * service run's outputs; 64 levels deep at most).  NULL: nothing. */
void remove_tree(const char *path);

#endif
