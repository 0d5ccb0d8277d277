/*
 * modules/pyimport/api.h - allowlist mode as an API allowlist: the public
 * API of the allowed modules (generated per Python version, loaded by
 * pyimport.c from policies.d/rules/python-api-VERSION.yaml) and the checks
 * of api.c over a parsed source.  See README.md, "Allowlist mode with API
 * data".
 */
#ifndef PYIMPORT_API_H
#define PYIMPORT_API_H

#include "py.h"

/* What a name is to the checks (check.c's name table): a bit set. */
enum {
	K_ESCAPE = 1u, K_DYNAMIC = 2u, K_BANNED = 4u, K_GETATTR = 8u, K_ATTRGETTER = 16u, K_FORMAT = 32u,
	K_MODULES = 64u, K_STRING_EVAL = 128u, K_DANGER_MODULE = 256u,
};
#define K_SENSITIVE (K_ESCAPE | K_DYNAMIC | K_BANNED | K_GETATTR | K_ATTRGETTER | K_MODULES | K_STRING_EVAL)
/* The class of name s (n bytes, NUL-terminated). */
unsigned py_name_class(const struct name_tab *t, const char *s, size_t n);
/* Does entry (a dotted module name) cover name: name itself or a submodule? */
int py_name_matches(const char *name, const char *entry);
int py_listed(char **list, size_t n, const char *name);

/* One module's data.  Names are sorted (strcmp) for bsearch.  The
 * strings are the API data's own (pyimport.c: its YAML tree, which the
 * core keeps until close); only the arrays belong to the struct. */
struct py_api_module {
	const char *name; /* the name it is imported by: os.path, json.decoder */
	const char **api; /* public names that are not modules */
	size_t n_api;
	const char **mod_name; /* public names whose value is a module ... */
	const char **mod_target; /* ... and that module's own name (os.path: posixpath) */
	size_t n_mod;
};

struct py_api {
	char *python; /* the version the data describes: "3.11" */
	char *file; /* where it was read from */
	struct py_api_module *mods; /* sorted by name */
	size_t n_mods;
	const char **mod_attrs; /* attributes of public classes whose value is a module (sorted) */
	size_t n_mod_attrs;
	const char **priv_attrs; /* private names the modules use as attributes (sorted) */
	size_t n_priv_attrs;
	const char **metaclasses; /* public metaclasses: "abc.ABCMeta" (sorted) */
	size_t n_metaclasses;
	/* per entry of the policy's allow list: 1 when it names a module
	 * attribute (io.StringIO: io is importable, only StringIO reachable) */
	unsigned char *allow_attr;
};

void py_api_free(struct py_api *api);
const struct py_api_module *py_api_module(const struct py_api *api, const char *name);
int py_api_has(const char *const *sorted, size_t n, const char *name);

/* Allowlist mode with API data: is the import of name refused? */
int py_api_import_denied(const struct checkcfg *c, const char *name);

/* The API checks over a parsed module (cfg->api set), or without API data
 * (denylist mode under an isolation) only the annotation closure and the
 * sinks that run strings as code.  toks: the source's tokens (up to and
 * including TK_ENDMARKER).  Returns 0, -1 when out of memory. */
int py_api_check(const struct checkcfg *cfg, const struct name_tab *tab, struct arena *a, const struct node *mod,
                 const struct token *toks, finding_fn fn, void *ud);

#endif
