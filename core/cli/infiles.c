/*
 * core/cli/infiles.c - files a caller hands to a run, written into a fresh
 * input directory (infiles.h).  Every name is checked before anything is
 * written; the directory is made with mkdtemp under a directory the caller
 * chooses (the service's private one, or TMPDIR for `cordon mcp`) and
 * everything beneath it is created relative to descriptors, without
 * following links, never replacing what exists.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cordon/modutil.h>

#include "../hash.h"
#include "infiles.h"

/* A relative path of INFILES_MAX_DEPTH components at most, none empty,
 * "." or "..", each at most NAME_MAX bytes.  NULL, or what is wrong. */
static const char *path_problem(const char *p, size_t len)
{
	if (len == 0)
		return "empty";
	if (strlen(p) != len)
		return "contains a NUL byte";
	if (len > INFILES_MAX_PATH)
		return "longer than 1024 bytes";
	if (p[0] == '/')
		return "absolute (expected a path relative to /input)";
	size_t depth = 0;
	for (const char *c = p; *c;) {
		const char *end = strchr(c, '/');
		size_t n = end ? (size_t)(end - c) : strlen(c);
		if (n == 0)
			return "has an empty component (\"//\" or a trailing \"/\")";
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return "has a \".\" or \"..\" component";
		if (n > 255)
			return "has a component longer than 255 bytes";
		if (++depth > INFILES_MAX_DEPTH)
			return "deeper than 16 components";
		c += n + (end ? 1 : 0);
	}
	return NULL;
}

/* data at path beneath dfd: its directories made (0755) or entered
 * without following links, the file created (0644), never an existing
 * one.  0, or an errno with *what naming the step. */
static int put_file(int dfd, const char *path, const void *data, size_t len, const char **what)
{
	char *copy = strdup(path);
	if (!copy)
		return *what = "out of memory", ENOMEM;
	int cur = dfd, e = 0;
	char *c = copy;
	for (char *slash; (slash = strchr(c, '/')); c = slash + 1) {
		*slash = '\0';
		if (mkdirat(cur, c, 0755) < 0 && errno != EEXIST) {
			e = errno;
			*what = "cannot make a directory";
			break;
		}
		int next = openat(cur, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 || fchmod(next, 0755) < 0) {
			e = errno;
			*what = e == ENOTDIR || e == ELOOP ? "a directory of its path is also given as a file"
			                                   : "cannot open a directory";
			if (next >= 0)
				close(next);
			break;
		}
		if (cur != dfd)
			close(cur);
		cur = next;
	}
	if (!e) {
		int fd = openat(cur, c, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0) {
			e = errno;
			*what = e == EEXIST ? "given twice (or also as a directory)" : "cannot create the file";
		} else {
			if ((e = cordon_write_all(fd, data, len)) || (fchmod(fd, 0644) < 0 && (e = errno)))
				*what = "cannot write the file";
			if (close(fd) < 0 && !e) {
				e = errno;
				*what = "cannot write the file";
			}
		}
	}
	if (cur != dfd)
		close(cur);
	free(copy);
	return e;
}

static void remove_at(int dfd, int depth)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0 || errno != EISDIR || depth > 64)
			continue;
		int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0)
			remove_at(sub, depth + 1);
		unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

void remove_tree(const char *path)
{
	if (!path)
		return;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		remove_at(fd, 0);
	rmdir(path);
}

/* Every entry's shape, path and encoding, and the count, before anything
 * is written. */
static int check_entries(const json_t *files, const struct infiles_limits *lim, int *status, char *why,
                         size_t whylen)
{
	if (!json_is_array(files)) {
		snprintf(why, whylen, "files: expected a list of {path, content, encoding}");
		return *status = 400, -1;
	}
	if (json_array_size(files) > lim->max_files) {
		snprintf(why, whylen, "files: %zu files, more than the %zu allowed", json_array_size(files),
		         lim->max_files);
		return *status = 413, -1;
	}
	size_t i;
	json_t *f;
	json_array_foreach(files, i, f)
	{
		json_t *path = json_object_get(f, "path"), *content = json_object_get(f, "content");
		json_t *enc = json_object_get(f, "encoding");
		const char *key;
		json_t *v;
		const char *bad = NULL;
		if (json_is_object(f))
			json_object_foreach((json_t *)f, key, v)
				if (strcmp(key, "path") != 0 && strcmp(key, "content") != 0 && strcmp(key, "encoding") != 0)
					bad = key;
		if (!json_is_object(f) || bad || !json_is_string(path) || !json_is_string(content) ||
		    (enc && !json_is_string(enc))) {
			snprintf(why, whylen, "files[%zu]: expected {path, content, encoding} with strings%s%s", i,
			         bad ? "; unknown key " : "", bad ? bad : "");
			return *status = 400, -1;
		}
		const char *e = enc ? json_string_value(enc) : "utf-8";
		if (strcmp(e, "utf-8") != 0 && strcmp(e, "base64") != 0) {
			snprintf(why, whylen, "files[%zu]: encoding: expected \"utf-8\" or \"base64\"", i);
			return *status = 400, -1;
		}
		const char *pb = path_problem(json_string_value(path), json_string_length(path));
		if (pb) {
			snprintf(why, whylen, "files[%zu]: path %.200s: %s", i, json_string_value(path), pb);
			return *status = 400, -1;
		}
	}
	return 0;
}

int infiles_write(const json_t *files, const char *base, const struct infiles_limits *lim, char **dir,
                  int *status, char *why, size_t whylen)
{
	*dir = NULL;
	if (check_entries(files, lim, status, why, whylen) < 0)
		return -1;
	char *d = NULL;
	if (asprintf(&d, "%s/cordon-in.XXXXXX", base) < 0) {
		snprintf(why, whylen, "out of memory");
		return *status = 500, -1;
	}
	int dfd = -1;
	bool made = false;
	if (!(made = mkdtemp(d) != NULL) || (dfd = open(d, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    fchmod(dfd, 0755) < 0) {
		snprintf(why, whylen, "cannot make the input directory under %s: %s", base, strerror(errno));
		if (dfd >= 0)
			close(dfd);
		if (made)
			rmdir(d);
		free(d);
		return *status = 500, -1;
	}
	size_t total = 0, i;
	json_t *f;
	json_array_foreach(files, i, f)
	{
		json_t *content = json_object_get(f, "content"), *enc = json_object_get(f, "encoding");
		const char *text = json_string_value(content);
		size_t len = json_string_length(content);
		unsigned char *bytes = NULL;
		if (enc && strcmp(json_string_value(enc), "base64") == 0) {
			if (!(bytes = malloc(BASE64_DECODE_LENGTH(len) + 1))) {
				snprintf(why, whylen, "out of memory");
				*status = 500;
				goto fail;
			}
			const char *bad = NULL;
			int rc = base64_decode_all(text, len, bytes, &len, &bad);
			if (rc < 0) {
				snprintf(why, whylen, "files[%zu]: content: %s", i, bad);
				*status = rc == -1 ? 400 : 500;
				free(bytes);
				goto fail;
			}
			text = (const char *)bytes;
		}
		if (len > lim->max_bytes - total) {
			snprintf(why, whylen, "files: more than %zu bytes in all", lim->max_bytes);
			*status = 413;
			free(bytes);
			goto fail;
		}
		total += len;
		const char *what = NULL;
		int e = put_file(dfd, json_string_value(json_object_get(f, "path")), text, len, &what);
		free(bytes);
		if (e) {
			snprintf(why, whylen, "files[%zu]: path %.200s: %s (%s)", i,
			         json_string_value(json_object_get(f, "path")), what, strerror(e));
			*status = e == EEXIST || e == ENOTDIR || e == ELOOP ? 400 : 500;
			goto fail;
		}
	}
	close(dfd);
	*dir = d;
	return 0;
fail:
	close(dfd);
	remove_tree(d);
	free(d);
	return -1;
}
