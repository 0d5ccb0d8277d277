/*
 * core/modload.c - find, check and dlopen modules.
 *
 * A module file is opened once and checked like a policy file (regular, not
 * group/world-writable, trusted owner); the checked descriptor itself is
 * then loaded through /proc/self/fd/N, so the file that was checked is the
 * file that is mapped.  Only the `cordon_module` symbol is looked up.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#ifndef CORDON_MODULE_DIR
#define CORDON_MODULE_DIR "/usr/local/lib/cordon/modules"
#endif

/* The size of struct cordon_module in ABI 1.0: everything up to close. */
#define MODULE_SIZE_1_0 (offsetof(struct cordon_module, close) + sizeof(void (*)(void *)))

static int push_path_list(struct strv *dirs, const char *list)
{
	if (!list || !*list)
		return 0;
	const char *p = list;
	while (*p) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		if (n && strv_push_owned(dirs, xstrndup(p, n)) < 0)
			return -1;
		p += n;
		if (*p == ':')
			p++;
	}
	return 0;
}

int module_search_dirs(const char *extra, struct strv *dirs)
{
	if (push_path_list(dirs, extra) < 0 || push_path_list(dirs, getenv("CORDON_MODULE_PATH")) < 0)
		return -1;
	/* A library running from the build tree uses the build tree's
	 * modules, never an installed directory: what the build tree trusts
	 * must not depend on what is (or may later be) installed where. */
	const char *bt = build_tree_libdir();
	if (bt)
		return strv_push_owned(dirs, xasprintf("%s/cordon/modules", bt)) < 0 ? -1 : 0;
	return strv_push(dirs, CORDON_MODULE_DIR) < 0 ? -1 : 0;
}

bool module_has(const struct cordon_module *m, size_t off)
{
	return off + sizeof(void *) <= m->size;
}

static bool valid_name(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* The canonical path of an open file, from /proc/self/fd (one readlink
 * where realpath() takes one per path component); NULL if /proc is not
 * there or the answer is not an absolute path (the file was deleted, or it
 * lies outside this process's root).  The caller falls back to realpath().
 * Either way the file loaded by that name is then compared with the checked
 * descriptor (device and inode), so a wrong answer can only refuse a module. */
static char *fd_path(int fd)
{
	char link[32], buf[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, buf, sizeof(buf));
	if (n <= 0 || (size_t)n >= sizeof(buf) || buf[0] != '/')
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

static int load_path(const char *path, struct loaded_module *out, char **err)
{
	char *why = NULL;
	int fd = open_trusted(path, "module", &why);
	if (fd < 0) {
		set_err(err, "%s", why);
		free(why);
		return -1;
	}
	/* Load the checked file by its canonical path, and make sure that is
	 * still the file that was checked.  (Loading through /proc/self/fd/N
	 * would not do: the dynamic loader tells objects apart by name, and
	 * descriptor numbers are reused.)  The trust check above ensures no
	 * one but root or this user can swap the file in between. */
	struct stat before, after;
	char *real = fd_path(fd);
	if (!real)
		real = realpath(path, NULL);
	if (!real || fstat(fd, &before) < 0) {
		int e = errno;
		close(fd);
		free(real);
		return set_err(err, "%s: cannot load module: %s", path, strerror(e));
	}
	close(fd);
	dlerror();
	void *dl = dlopen(real, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		const char *e = dlerror();
		free(real);
		return set_err(err, "%s: cannot load module: %s", path, e ? e : "dlopen failed");
	}
	if (stat(real, &after) < 0 || after.st_dev != before.st_dev || after.st_ino != before.st_ino) {
		dlclose(dl);
		free(real);
		return set_err(err, "%s: the module file changed while it was loaded; refusing it", path);
	}
	free(real);
	dlerror();
	const struct cordon_module *m = dlsym(dl, "cordon_module");
	if (!m) {
		dlclose(dl);
		return set_err(err, "%s: not a cordon module (it does not export the symbol 'cordon_module')",
		               path);
	}
	if (CORDON_ABI_GET_MAJOR(m->abi) != CORDON_ABI_MAJOR) {
		unsigned maj = CORDON_ABI_GET_MAJOR(m->abi), min = CORDON_ABI_GET_MINOR(m->abi);
		dlclose(dl);
		return set_err(err,
		               "%s: module built for cordon ABI %u.%u, but this cordon has ABI %u.%u "
		               "(rebuild the module against this cordon's headers)",
		               path, maj, min, CORDON_ABI_MAJOR, CORDON_ABI_MINOR);
	}
	if (m->size < MODULE_SIZE_1_0) {
		unsigned sz = m->size;
		dlclose(dl);
		return set_err(err, "%s: module descriptor is %u bytes, smaller than ABI %u.0 requires (%zu)",
		               path, sz, CORDON_ABI_MAJOR, (size_t)MODULE_SIZE_1_0);
	}
	if (!valid_name(m->name)) {
		dlclose(dl);
		return set_err(err, "%s: module name must be 1 to 64 characters of [a-z0-9_]", path);
	}
	out->dl = dl;
	out->m = m;
	out->args = m->args;
	out->path = xstrdup(path);
	if (!out->path) {
		dlclose(dl);
		memset(out, 0, sizeof(*out));
		return set_err(err, "out of memory");
	}
	if (config_table_load(out, err) < 0) {
		module_unload(out);
		return -1;
	}
	return 0;
}

int module_load(const char *ref, const char *policy_dir, const struct strv *dirs,
                struct loaded_module *out, char **err)
{
	memset(out, 0, sizeof(*out));
	size_t rl = strlen(ref);
	if (strchr(ref, '/') || (rl > 3 && strcmp(ref + rl - 3, ".so") == 0)) {
		char *path = ref[0] == '/' || !policy_dir ? xstrdup(ref)
		                                          : xasprintf("%s/%s", policy_dir, ref);
		if (!path)
			return set_err(err, "out of memory");
		int r = load_path(path, out, err);
		free(path);
		return r;
	}
	if (!valid_name(ref))
		return set_err(err, "module '%s': expected a module name of [a-z0-9_] or a path to a .so",
		               ref);
	struct strbuf searched = { 0 };
	for (size_t i = 0; i < dirs->n; i++) {
		char *path = xasprintf("%s/cordon_%s.so", dirs->v[i], ref);
		if (!path) {
			sb_free(&searched);
			return set_err(err, "out of memory");
		}
		if (access(path, F_OK) == 0) {
			int r = load_path(path, out, err);
			if (r == 0 && strcmp(out->m->name, ref) != 0) {
				set_err(err, "%s: module declares the name '%s', expected '%s'", path,
				        out->m->name, ref);
				module_unload(out);
				r = -1;
			}
			free(path);
			sb_free(&searched);
			return r;
		}
		sb_printf(&searched, "%s%s", searched.len ? ", " : "", path);
		free(path);
	}
	set_err(err, "module '%s' not found (searched: %s)", ref,
	        searched.data ? searched.data : "no directories");
	sb_free(&searched);
	return -1;
}

void module_unload(struct loaded_module *lm)
{
	if (lm->dl)
		dlclose(lm->dl);
	free(lm->path);
	free(lm->own_args);
	free(lm->cfg);
	memset(lm, 0, sizeof(*lm));
}
