/*
 * core/serve/conf.c - serve.yaml: what the service listens on, which
 * policies it keeps warm, and who may call it for what.
 *
 * The file is trusted only as sshd trusts its configuration: a regular
 * file (not a symlink), owned by root or by the service's own user, not
 * writable by group or others.  Every error names the file, the line and
 * what was expected, and the service does not start.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "../cli/infiles.h"
#include "../hash.h"
#include "serve.h"

struct yctx {
	yaml_document_t doc;
	const char *path;
	char **err;
};

static int cerr(struct yctx *y, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int cerr(struct yctx *y, const yaml_node_t *n, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	free(*y->err);
	*y->err = NULL;
	if (n) {
		if (asprintf(y->err, "%s:%zu:%zu: %s", y->path, n->start_mark.line + 1, n->start_mark.column + 1,
		             msg ? msg : "out of memory") < 0)
			*y->err = NULL;
	} else if (asprintf(y->err, "%s: %s", y->path, msg ? msg : "out of memory") < 0) {
		*y->err = NULL;
	}
	free(msg);
	return -1;
}

int seterr(char **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(err, fmt, ap) < 0)
		*err = NULL;
	va_end(ap);
	return -1;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *node(struct yctx *y, int id)
{
	return yaml_document_get_node(&y->doc, id);
}

/* Check the keys of a mapping against the known ones. */
static int known_keys(struct yctx *y, yaml_node_t *m, const char *what, const char *const *keys)
{
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(y, p->key);
		const char *ks = scalar(k);
		/* A key given twice is an error, not "the first one wins". */
		for (yaml_node_pair_t *q = m->data.mapping.pairs.start; ks && q < p; q++) {
			const char *qs = scalar(node(y, q->key));
			if (qs && strcmp(qs, ks) == 0)
				return cerr(y, k, "%s: '%s' is given twice (first at line %zu)", what, ks,
				            node(y, q->key)->start_mark.line + 1);
		}
		bool ok = false;
		for (size_t i = 0; ks && keys[i]; i++)
			ok = ok || strcmp(ks, keys[i]) == 0;
		if (!ok) {
			char list[512] = "";
			size_t off = 0;
			for (size_t i = 0; keys[i] && off < sizeof(list); i++) {
				int w = snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "", keys[i]);
				if (w < 0)
					break;
				off += (size_t)w;
			}
			return cerr(y, k, "%s: unknown key '%s' (expected one of: %s)", what, ks ? ks : "?", list);
		}
	}
	return 0;
}

static yaml_node_t *get(struct yctx *y, yaml_node_t *m, const char *key)
{
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *ks = scalar(node(y, p->key));
		if (ks && strcmp(ks, key) == 0)
			return node(y, p->value);
	}
	return NULL;
}

int parse_size(const char *s, uint64_t *out)
{
	if (!s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	unsigned shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	else if (*end == 'M')
		shift = 20, end++;
	else if (*end == 'G')
		shift = 30, end++;
	if (*end)
		return -1;
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int get_uint(struct yctx *y, yaml_node_t *m, const char *key, unsigned lo, unsigned hi, unsigned *out)
{
	yaml_node_t *n = get(y, m, key);
	if (!n)
		return 0;
	const char *s = scalar(n);
	char *end = NULL;
	errno = 0;
	unsigned long v = s && isdigit((unsigned char)*s) ? strtoul(s, &end, 10) : 0;
	if (!s || !end || *end || errno || v < lo || v > hi)
		return cerr(y, n, "%s: expected a whole number from %u to %u", key, lo, hi);
	*out = (unsigned)v;
	return 0;
}

static int get_rate(struct yctx *y, yaml_node_t *m, const char *key, double *out)
{
	yaml_node_t *n = get(y, m, key);
	if (!n)
		return 0;
	const char *s = scalar(n);
	char *end = NULL;
	errno = 0;
	double v = s ? strtod(s, &end) : -1;
	if (!s || !end || *end || errno || !(v > 0) || v > 1e9)
		return cerr(y, n, "%s: expected a positive number (leave it out for no limit)", key);
	*out = v;
	return 0;
}

static int get_str(struct yctx *y, yaml_node_t *m, const char *key, bool abs_path, char **out)
{
	yaml_node_t *n = get(y, m, key);
	if (!n)
		return 0;
	const char *s = scalar(n);
	if (!s || !*s || (abs_path && s[0] != '/'))
		return cerr(y, n, "%s: expected %s", key, abs_path ? "an absolute path" : "a string");
	free(*out);
	if (!(*out = strdup(s)))
		return cerr(y, n, "out of memory");
	return 0;
}

static int get_bool(struct yctx *y, yaml_node_t *m, const char *key, bool *out)
{
	yaml_node_t *n = get(y, m, key);
	if (!n)
		return 0;
	const char *s = scalar(n);
	if (s && strcmp(s, "true") == 0)
		*out = true;
	else if (s && strcmp(s, "false") == 0)
		*out = false;
	else
		return cerr(y, n, "%s: expected true or false", key);
	return 0;
}

static int id_of(const char *s, bool group, unsigned *out)
{
	char *end = NULL;
	errno = 0;
	if (isdigit((unsigned char)*s)) {
		unsigned long v = strtoul(s, &end, 10);
		if (*end || errno || v >= (unsigned long)UINT32_MAX)
			return -1;
		*out = (unsigned)v;
		return 0;
	}
	if (group) {
		struct group *g = getgrnam(s);
		if (!g)
			return -1;
		*out = g->gr_gid;
	} else {
		struct passwd *pw = getpwnam(s);
		if (!pw)
			return -1;
		*out = pw->pw_uid;
	}
	return 0;
}

static int parse_listen(struct yctx *y, struct serve_conf *c, yaml_node_t *root)
{
	yaml_node_t *l = get(y, root, "listen");
	if (!l)
		return 0;
	static const char *const keys[] = { "unix", "mode", "group", "tcp", NULL };
	if (l->type != YAML_MAPPING_NODE)
		return cerr(y, l, "listen: expected a mapping {unix, mode, group, tcp}");
	if (known_keys(y, l, "listen", keys) < 0 || get_str(y, l, "unix", true, &c->unix_path) < 0 ||
	    get_str(y, l, "tcp", false, &c->tcp) < 0)
		return -1;
	yaml_node_t *n = get(y, l, "mode");
	if (n) {
		const char *s = scalar(n);
		char *end = NULL;
		unsigned long m = s ? strtoul(s, &end, 8) : 0;
		if (!s || !*s || *end || m > 0777 || !(m & 0200))
			return cerr(y, n, "mode: expected an octal mode such as \"0660\" (callers need write permission "
			                  "to connect; who may do what is still decided by callers:)");
		c->unix_mode = (mode_t)m;
	}
	if ((n = get(y, l, "group"))) {
		unsigned g;
		if (!scalar(n) || id_of(scalar(n), true, &g) < 0)
			return cerr(y, n, "group: expected a group name or number known to this host");
		c->unix_gid = (gid_t)g;
		c->has_group = true;
	}
	if (c->tcp) {
		const char *colon = strrchr(c->tcp, ':');
		if (!colon || colon == c->tcp || !colon[1])
			return cerr(y, get(y, l, "tcp"), "tcp: expected HOST:PORT (for instance 127.0.0.1:8750)");
	}
	return 0;
}

static int parse_policies(struct yctx *y, struct serve_conf *c, yaml_node_t *root)
{
	yaml_node_t *l = get(y, root, "policies");
	if (!l)
		return cerr(y, root, "policies: missing (the list of policies the service keeps loaded, e.g. [default])");
	if (l->type != YAML_SEQUENCE_NODE || l->data.sequence.items.top == l->data.sequence.items.start)
		return cerr(y, l, "policies: expected a list of policy names");
	size_t n = (size_t)(l->data.sequence.items.top - l->data.sequence.items.start);
	if (!(c->policies = calloc(n, sizeof(*c->policies))))
		return cerr(y, l, "out of memory");
	for (yaml_node_item_t *it = l->data.sequence.items.start; it < l->data.sequence.items.top; it++) {
		yaml_node_t *pn = node(y, *it);
		const char *s = scalar(pn);
		if (!s || !*s)
			return cerr(y, pn, "policies: expected a policy name");
		if (conf_policy(c, s))
			return cerr(y, pn, "policies: '%s' is listed twice", s);
		struct warm_policy *w = &c->policies[c->n_policies];
		if (!(w->name = strdup(s)))
			return cerr(y, pn, "out of memory");
		c->n_policies++;
	}
	return 0;
}

static int parse_caller_policies(struct yctx *y, struct serve_conf *c, struct caller *k, yaml_node_t *m)
{
	yaml_node_t *l = get(y, m, "policies");
	if (!l)
		return cerr(y, m, "caller '%s': policies: missing (the policies it may use, or [\"*\"])", k->name);
	if (l->type != YAML_SEQUENCE_NODE)
		return cerr(y, l, "caller '%s': policies: expected a list of policy names", k->name);
	size_t n = (size_t)(l->data.sequence.items.top - l->data.sequence.items.start);
	if (!(k->policies = calloc(n + 1, sizeof(char *))))
		return cerr(y, l, "out of memory");
	size_t i = 0;
	for (yaml_node_item_t *it = l->data.sequence.items.start; it < l->data.sequence.items.top; it++) {
		yaml_node_t *pn = node(y, *it);
		const char *s = scalar(pn);
		if (s && strcmp(s, "*") == 0) {
			k->all_policies = true;
			continue;
		}
		if (!s || !conf_policy(c, s))
			return cerr(y, pn, "caller '%s': policy '%s' is not one of the service's policies", k->name,
			            s ? s : "?");
		if (!(k->policies[i++] = strdup(s)))
			return cerr(y, pn, "out of memory");
	}
	return 0;
}

static int parse_caller(struct yctx *y, struct serve_conf *c, struct caller *k, yaml_node_t *m)
{
	static const char *const keys[] = { "name", "uid", "gid", "token_sha256", "policies", "admin",
		                            "concurrency", "runs_per_minute", "cpu_seconds_per_hour", NULL };
	if (m->type != YAML_MAPPING_NODE)
		return cerr(y, m, "callers: expected a mapping per caller {name, uid|gid|token_sha256, policies, ...}");
	if (known_keys(y, m, "caller", keys) < 0 || get_str(y, m, "name", false, &k->name) < 0)
		return -1;
	k->line = (int)m->start_mark.line + 1;
	if (!k->name)
		return cerr(y, m, "caller: name: missing (a label recorded in every result and incident record)");
	if (strlen(k->name) > 128)
		return cerr(y, get(y, m, "name"), "name: at most 128 characters");
	for (const char *p = k->name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.@", *p))
			return cerr(y, get(y, m, "name"), "name: expected letters, digits, '-', '_', '.' or '@'");
	yaml_node_t *n;
	unsigned v;
	if ((n = get(y, m, "uid"))) {
		if (!scalar(n) || id_of(scalar(n), false, &v) < 0)
			return cerr(y, n, "uid: expected a user name or number known to this host");
		k->uid = (uid_t)v;
		k->by_uid = true;
	}
	if ((n = get(y, m, "gid"))) {
		if (!scalar(n) || id_of(scalar(n), true, &v) < 0)
			return cerr(y, n, "gid: expected a group name or number known to this host");
		k->gid = (gid_t)v;
		k->by_gid = true;
	}
	if ((n = get(y, m, "token_sha256"))) {
		const char *s = scalar(n);
		size_t len = s ? strlen(s) : 0;
		for (size_t i = 0; i < len; i++)
			if (!isxdigit((unsigned char)s[i]))
				len = 0;
		if (len != 64)
			return cerr(y, n, "token_sha256: expected the 64 hex digits of the token's SHA-256 "
			                  "(printf %%s TOKEN | sha256sum)");
		for (size_t i = 0; i < 64; i++)
			k->token_sha256[i] = (char)tolower((unsigned char)s[i]);
		k->by_token = true;
	}
	if ((int)k->by_uid + (int)k->by_gid + (int)k->by_token != 1)
		return cerr(y, m, "caller '%s': expected exactly one of uid, gid (the Unix socket) or token_sha256 (TCP)",
		            k->name);
	if (parse_caller_policies(y, c, k, m) < 0 || get_bool(y, m, "admin", &k->admin) < 0 ||
	    get_uint(y, m, "concurrency", 1, 100000, &k->concurrency) < 0 ||
	    get_rate(y, m, "runs_per_minute", &k->runs_per_minute) < 0 ||
	    get_rate(y, m, "cpu_seconds_per_hour", &k->cpu_seconds_per_hour) < 0)
		return -1;
	return 0;
}

static int parse_callers(struct yctx *y, struct serve_conf *c, yaml_node_t *root)
{
	yaml_node_t *l = get(y, root, "callers");
	if (!l)
		return 0;
	if (l->type != YAML_SEQUENCE_NODE)
		return cerr(y, l, "callers: expected a list of callers");
	size_t n = (size_t)(l->data.sequence.items.top - l->data.sequence.items.start);
	if (n && !(c->callers = calloc(n, sizeof(*c->callers))))
		return cerr(y, l, "out of memory");
	for (yaml_node_item_t *it = l->data.sequence.items.start; it < l->data.sequence.items.top; it++) {
		struct caller *k = &c->callers[c->n_callers++];
		yaml_node_t *m = node(y, *it);
		if (parse_caller(y, c, k, m) < 0)
			return -1;
		for (size_t i = 0; i + 1 < c->n_callers; i++) {
			struct caller *o = &c->callers[i];
			if (strcmp(o->name, k->name) == 0)
				return cerr(y, m, "caller '%s' is listed twice (line %d)", k->name, o->line);
			if ((k->by_uid && o->by_uid && k->uid == o->uid) || (k->by_gid && o->by_gid && k->gid == o->gid) ||
			    (k->by_token && o->by_token && strcmp(k->token_sha256, o->token_sha256) == 0))
				return cerr(y, m, "caller '%s' has the same identity as '%s' (line %d)", k->name, o->name,
				            o->line);
		}
	}
	return 0;
}

static int parse_root(struct yctx *y, struct serve_conf *c, yaml_node_t *root)
{
	static const char *const keys[] = { "listen",      "workers",    "queue",       "max_request", "keep_results",
		                            "run_timeout", "log",        "policy_dir",  "module_path", "policies",
		                            "callers",     "sessions",   "session_idle", "max_input_bytes", "max_input_files",
		                            "spare_workers", NULL };
	if (!root || root->type != YAML_MAPPING_NODE)
		return cerr(y, root, "expected a mapping (listen, workers, queue, policies, callers, ...)");
	if (known_keys(y, root, "serve.yaml", keys) < 0 || parse_listen(y, c, root) < 0 ||
	    get_uint(y, root, "workers", 1, 4096, &c->workers) < 0 || get_uint(y, root, "queue", 0, 100000, &c->queue) < 0 ||
	    get_uint(y, root, "keep_results", 0, 100000, &c->keep_results) < 0 ||
	    get_uint(y, root, "run_timeout", 1, 86400, &c->run_timeout_s) < 0 ||
	    get_uint(y, root, "sessions", 0, 4096, &c->sessions) < 0 ||
	    get_uint(y, root, "session_idle", 1, 86400, &c->session_idle_s) < 0 ||
	    get_uint(y, root, "max_input_files", 0, 100000, &c->max_input_files) < 0 ||
	    get_uint(y, root, "spare_workers", 0, 64, &c->spare_workers) < 0 ||
	    get_str(y, root, "log", true, &c->log_path) < 0 || get_str(y, root, "policy_dir", true, &c->policy_dir) < 0 ||
	    get_str(y, root, "module_path", true, &c->module_path) < 0 || parse_policies(y, c, root) < 0 ||
	    parse_callers(y, c, root) < 0)
		return -1;
	yaml_node_t *n = get(y, root, "max_request");
	if (n) {
		uint64_t v;
		if (parse_size(scalar(n), &v) < 0 || v < 1024 || v > (1ull << 30))
			return cerr(y, n, "max_request: expected a size from 1K to 1G (e.g. 16M)");
		c->max_request = (size_t)v;
	}
	if ((n = get(y, root, "max_input_bytes"))) {
		uint64_t v;
		if (parse_size(scalar(n), &v) < 0 || v > (1ull << 30))
			return cerr(y, n, "max_input_bytes: expected a size up to 1G (e.g. 16M)");
		c->max_input_bytes = (size_t)v;
	}
	return 0;
}

/* Open the file as sshd opens its configuration. */
static FILE *open_trusted(const char *path, char **err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0) {
		if (asprintf(err, "%s: %s", path, strerror(errno)) < 0)
			*err = NULL;
		return NULL;
	}
	struct stat st;
	const char *why = NULL;
	if (fstat(fd, &st) < 0)
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if (st.st_uid != 0 && st.st_uid != geteuid())
		why = "owned by another user (it must belong to root or to the user the service runs as)";
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		why = "writable by group or others (chmod go-w)";
	if (why) {
		if (asprintf(err, "%s: %s", path, why) < 0)
			*err = NULL;
		close(fd);
		return NULL;
	}
	FILE *f = fdopen(fd, "r");
	if (!f) {
		if (asprintf(err, "%s: %s", path, strerror(errno)) < 0)
			*err = NULL;
		close(fd);
	}
	return f;
}

int conf_load(struct serve_conf *c, const char *path, const char *socket_override, char **err)
{
	memset(c, 0, sizeof(*c));
	*err = NULL;
	c->unix_mode = 0660;
	c->queue = 64;
	c->max_request = 16u << 20;
	c->max_input_bytes = INFILES_DEFAULT_BYTES;
	c->max_input_files = INFILES_DEFAULT_FILES;
	c->keep_results = 256;
	c->run_timeout_s = 3600;
	c->sessions = (unsigned)-1; /* unset: as many as workers */
	c->session_idle_s = 300;
	c->spare_workers = (unsigned)-1; /* unset: 2, at most workers */
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	c->workers = cpus > 0 && cpus < 1024 ? (unsigned)cpus * 2 : 2;
	if (!(c->path = strdup(path)))
		return -1;
	FILE *f = open_trusted(path, err);
	if (!f)
		return -1;
	yaml_parser_t parser;
	struct yctx y = { .path = path, .err = err };
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return cerr(&y, NULL, "out of memory");
	}
	yaml_parser_set_input_file(&parser, f);
	int rc = -1;
	if (!yaml_parser_load(&parser, &y.doc)) {
		if (asprintf(err, "%s:%zu:%zu: %s", path, parser.problem_mark.line + 1, parser.problem_mark.column + 1,
		             parser.problem ? parser.problem : "malformed YAML") < 0)
			*err = NULL;
		yaml_parser_delete(&parser);
		fclose(f);
		return -1;
	}
	yaml_node_t *root = yaml_document_get_root_node(&y.doc);
	if (!root)
		cerr(&y, NULL, "empty file (expected a mapping with policies: and callers:)");
	else
		rc = parse_root(&y, c, root);
	if (rc == 0) { /* one document: a second one would be silently ignored */
		yaml_document_t more;
		if (!yaml_parser_load(&parser, &more)) {
			rc = cerr(&y, NULL, "malformed YAML after the first document");
		} else {
			if (yaml_document_get_root_node(&more))
				rc = cerr(&y, NULL, "more than one YAML document (expected one mapping)");
			yaml_document_delete(&more);
		}
	}
	yaml_document_delete(&y.doc);
	yaml_parser_delete(&parser);
	fclose(f);
	if (rc < 0)
		return -1;
	if (c->sessions == (unsigned)-1)
		c->sessions = c->workers;
	if (c->spare_workers == (unsigned)-1)
		c->spare_workers = c->workers < 2 ? c->workers : 2;
	else if (c->spare_workers > c->workers)
		c->spare_workers = c->workers; /* at most workers (README): each spare is two processes */
	if (socket_override) {
		free(c->unix_path);
		c->unix_path = strdup(socket_override);
	} else if (!c->unix_path) {
		c->unix_path = strdup(SERVE_DEFAULT_SOCKET);
	}
	if (!c->unix_path)
		return -1;
	/* The service's owner: root and the service's own user, on the Unix
	 * socket, may use every policy and stop the service, unless a caller
	 * entry says otherwise for that uid. */
	c->owner.name = strdup("owner");
	c->owner.all_policies = true;
	c->owner.admin = true;
	return c->owner.name ? 0 : -1;
}

void conf_free(struct serve_conf *c)
{
	for (size_t i = 0; i < c->n_policies; i++) {
		free(c->policies[i].name);
		free(c->policies[i].language);
		if (c->policies[i].policy)
			cordon_policy_free(c->policies[i].policy);
	}
	free(c->policies);
	for (size_t i = 0; i < c->n_callers; i++) {
		free(c->callers[i].name);
		for (size_t j = 0; c->callers[i].policies && c->callers[i].policies[j]; j++)
			free(c->callers[i].policies[j]);
		free(c->callers[i].policies);
	}
	free(c->callers);
	free(c->owner.name);
	free(c->path);
	free(c->unix_path);
	free(c->tcp);
	free(c->log_path);
	free(c->policy_dir);
	free(c->module_path);
	memset(c, 0, sizeof(*c));
}

struct warm_policy *conf_policy(struct serve_conf *c, const char *name)
{
	for (size_t i = 0; name && i < c->n_policies; i++)
		if (c->policies[i].name && strcmp(c->policies[i].name, name) == 0)
			return &c->policies[i];
	return NULL;
}

bool caller_may_use(const struct caller *k, const char *policy)
{
	if (k->all_policies)
		return true;
	for (size_t i = 0; k->policies && k->policies[i]; i++)
		if (strcmp(k->policies[i], policy) == 0)
			return true;
	return false;
}

struct caller *conf_caller_unix(struct serve_conf *c, uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups)
{
	for (size_t i = 0; i < c->n_callers; i++)
		if (c->callers[i].by_uid && c->callers[i].uid == uid)
			return &c->callers[i];
	if (uid == 0 || uid == geteuid())
		return &c->owner;
	for (size_t i = 0; i < c->n_callers; i++) {
		if (!c->callers[i].by_gid)
			continue;
		if (c->callers[i].gid == gid)
			return &c->callers[i];
		for (size_t g = 0; g < n_groups; g++)
			if (groups[g] == c->callers[i].gid)
				return &c->callers[i];
	}
	return NULL;
}

struct caller *conf_caller_token(struct serve_conf *c, const char *token)
{
	if (!token || !*token)
		return NULL;
	struct sha256_ctx h;
	if (sha256_begin(&h))
		return NULL;
	sha256_feed(&h, token, strlen(token));
	char hex[SHA256_HEX_LEN + 1];
	sha256_end_hex(&h, hex);
	struct caller *found = NULL;
	/* Compare every entry in full, whatever matched: the time taken says
	 * nothing of how much of a guess was right. */
	for (size_t i = 0; i < c->n_callers; i++) {
		if (!c->callers[i].by_token)
			continue;
		unsigned char diff = 0;
		for (size_t j = 0; j < 64; j++)
			diff |= (unsigned char)(hex[j] ^ c->callers[i].token_sha256[j]);
		if (!diff)
			found = &c->callers[i];
	}
	return found;
}
