/*
 * core/api.c - the services table handed to modules (struct cordon_core_api).
 *
 * Every service checks the phase it is called in: a module calling a
 * service outside the phases documented in module.h gets -1 (or nothing)
 * and a logged error, never undefined behaviour.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static const char *mod_name(cordon_ctx *ctx)
{
	return ctx->entry && ctx->entry->lm.m ? ctx->entry->lm.m->name : "?";
}

static void api_vlog(cordon_ctx *ctx, enum cordon_log_level level, const char *fmt, va_list ap)
{
	if (ctx->phase == PHASE_CONFINE)
		return;
	if (level < CORDON_LOG_WARNING && !(ctx->policy && ctx->policy->verbose))
		return;
	char *msg = xvasprintf(fmt, ap);
	static const char *const lv[] = { "debug: ", "", "warning: ", "error: " };
	fprintf(stderr, "cordon: %s: %s%s\n", mod_name(ctx), lv[level <= CORDON_LOG_ERROR ? level : 3],
	        msg ? msg : fmt);
	free(msg);
}

static bool wrong_phase(cordon_ctx *ctx, const char *service, unsigned allowed)
{
	if ((1u << ctx->phase) & allowed)
		return false;
	if (ctx->phase != PHASE_CONFINE)
		fprintf(stderr, "cordon: %s: module called %s in a phase where it is not available\n",
		        mod_name(ctx), service);
	return true;
}

#define P(x) (1u << (x))

static int api_verror(cordon_ctx *ctx, const cordon_node *node, const char *fmt, va_list ap)
{
	if (ctx->phase == PHASE_CONFINE)
		return -1;
	char *msg = xvasprintf(fmt, ap);
	if (!msg)
		msg = xstrdup("out of memory");
	const struct mark *m = node ? &node->mark : &ctx->entry->mark;
	if (ctx->phase == PHASE_OPEN && ctx->err) {
		set_err(ctx->err, "%s:%ld:%ld: %s: %s", m->file, m->line, m->column, mod_name(ctx),
		        msg ? msg : "error");
	} else {
		free(ctx->entry->last_error);
		ctx->entry->last_error = node ? xasprintf("%s:%ld:%ld: %s", m->file, m->line, m->column, msg)
		                              : xstrdup(msg ? msg : "error");
	}
	free(msg);
	return -1;
}

static void api_vwarning(cordon_ctx *ctx, const char *fmt, va_list ap)
{
	if (ctx->phase == PHASE_CONFINE)
		return;
	char *msg = xvasprintf(fmt, ap);
	if (!msg)
		return;
	if (ctx->run)
		result_warn(ctx->run->result, "%s: %s", mod_name(ctx), msg);
	else if (ctx->phase == PHASE_OPEN)
		strv_push_owned(&ctx->policy->open_warnings, xasprintf("%s: %s", mod_name(ctx), msg));
	free(msg);
}

static void api_vfinding(cordon_ctx *ctx, const char *rule, enum cordon_severity sev, long line,
                         long column, const char *fmt, va_list ap)
{
	if (wrong_phase(ctx, "cordon_finding", P(PHASE_CHECK) | P(PHASE_WATCH) | P(PHASE_FINISH)) ||
	    !ctx->run)
		return;
	char *msg = xvasprintf(fmt, ap);
	if ((unsigned)sev > CORDON_SEV_CRITICAL)
		sev = CORDON_SEV_CRITICAL;
	const char *file =
		ctx->phase == PHASE_CHECK && ctx->run->cur_source ? ctx->run->cur_source->name : NULL;
	result_add_finding(ctx->run->result, mod_name(ctx), rule && *rule ? rule : "finding", sev,
	                   line < 0 ? 0 : line, column < 0 ? 0 : column, file, msg ? msg : "");
	free(msg);
}

static const cordon_node *api_arg(cordon_ctx *ctx, const char *name)
{
	if (!ctx->entry || !ctx->entry->with)
		return NULL;
	return node_get(ctx->entry->with, name);
}

static enum cordon_node_type api_node_type(const cordon_node *n)
{
	return n ? n->type : 0;
}

static const char *api_node_scalar(const cordon_node *n, size_t *len)
{
	if (!n || n->type != CORDON_NODE_SCALAR)
		return NULL;
	if (len)
		*len = n->len;
	return n->text;
}

static size_t api_node_len(const cordon_node *n)
{
	return n && n->type != CORDON_NODE_SCALAR ? n->n : 0;
}

static const cordon_node *api_node_at(const cordon_node *n, size_t i)
{
	return n && n->type == CORDON_NODE_SEQUENCE && i < n->n ? n->items[i] : NULL;
}

static const cordon_node *api_node_key_at(const cordon_node *n, size_t i)
{
	return n && n->type == CORDON_NODE_MAPPING && i < n->n ? n->items[2 * i] : NULL;
}

static const cordon_node *api_node_value_at(const cordon_node *n, size_t i)
{
	return n && n->type == CORDON_NODE_MAPPING && i < n->n ? n->items[2 * i + 1] : NULL;
}

static const cordon_node *api_node_get(const cordon_node *map, const char *key)
{
	return node_get(map, key);
}

static void api_node_mark(const cordon_node *n, const char **file, long *line, long *column)
{
	if (file)
		*file = n ? n->mark.file : NULL;
	if (line)
		*line = n ? n->mark.line : 0;
	if (column)
		*column = n ? n->mark.column : 0;
}

static int node_error(cordon_ctx *ctx, const cordon_node *n, const char *fmt, ...) CORDON_PRINTF(3, 4);
static int node_error(cordon_ctx *ctx, const cordon_node *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	api_verror(ctx, n, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *shown(const cordon_node *n)
{
	return n && n->type == CORDON_NODE_SCALAR ? n->text : node_type_name(n);
}

static int api_node_int(cordon_ctx *ctx, const cordon_node *n, int64_t *out)
{
	if (!n || n->type != CORDON_NODE_SCALAR || parse_int(n->text, out) < 0)
		return node_error(ctx, n, "expected an integer, found '%s'", shown(n));
	return 0;
}

static int api_node_bool(cordon_ctx *ctx, const cordon_node *n, int *out)
{
	if (parse_bool(n, out) < 0)
		return node_error(ctx, n, "expected true or false, found '%s'", shown(n));
	return 0;
}

static int api_node_size(cordon_ctx *ctx, const cordon_node *n, uint64_t *out)
{
	if (!n || n->type != CORDON_NODE_SCALAR || parse_size(n->text, out) < 0)
		return node_error(ctx, n, "expected a size such as 4096, 64K, 256M, 2G or unlimited, found '%s'",
		                  shown(n));
	return 0;
}

static int api_node_duration(cordon_ctx *ctx, const cordon_node *n, uint64_t *ns)
{
	if (!n || n->type != CORDON_NODE_SCALAR || parse_duration(n->text, ns) < 0)
		return node_error(ctx, n, "expected a duration such as 500ms, 5s, 2m or unlimited, found '%s'",
		                  shown(n));
	return 0;
}

static int api_node_check_keys(cordon_ctx *ctx, const cordon_node *map, const char *const *allowed)
{
	if (!map || map->type != CORDON_NODE_MAPPING)
		return node_error(ctx, map, "expected a mapping, found %s", node_type_name(map));
	for (size_t i = 0; i < map->n; i++) {
		const cordon_node *k = map->items[2 * i];
		bool ok = false;
		for (size_t j = 0; allowed && allowed[j] && !ok; j++)
			ok = strcmp(allowed[j], k->text) == 0;
		if (!ok) {
			struct strbuf names = { 0 };
			for (size_t j = 0; allowed && allowed[j]; j++)
				sb_printf(&names, "%s%s", j ? ", " : "", allowed[j]);
			node_error(ctx, k, "unknown key '%s' (expected one of: %s)", k->text,
			           names.data ? names.data : "nothing");
			sb_free(&names);
			return -1;
		}
	}
	return 0;
}

static const char *api_node_path(cordon_ctx *ctx, const cordon_node *n)
{
	if (!n || n->type != CORDON_NODE_SCALAR || n->len == 0) {
		node_error(ctx, n, "expected a path, found %s", node_type_name(n));
		return NULL;
	}
	char *path;
	if (n->text[0] == '/') {
		path = xstrdup(n->text);
	} else {
		char *real = realpath(n->mark.file, NULL);
		char *slash = real ? strrchr(real, '/') : NULL;
		if (slash)
			*slash = '\0';
		path = slash ? xasprintf("%s/%s", *real ? real : "", n->text) : NULL;
		free(real);
	}
	if (!path || strv_push_owned(&ctx->entry->owned, path) < 0) {
		node_error(ctx, n, "out of memory");
		return NULL;
	}
	return path;
}

static const cordon_node *api_load_yaml(cordon_ctx *ctx, const cordon_node *from, const char *path)
{
	if (wrong_phase(ctx, "load_yaml", P(PHASE_OPEN)))
		return NULL;
	char *why = NULL;
	struct tree *t = tree_load_file(path, "rule file", &why);
	if (!t) {
		node_error(ctx, from, "%s", why ? why : "out of memory");
		free(why);
		return NULL;
	}
	t->next = ctx->entry->extra_trees;
	ctx->entry->extra_trees = t;
	return t->root;
}

static int api_launch_wrap(cordon_ctx *ctx, const char *const *argv)
{
	if (wrong_phase(ctx, "launch_wrap", P(PHASE_PREPARE)) || !argv || !argv[0])
		return -1;
	return strv_insert_front(&ctx->run->argv, argv);
}

static int api_launch_wall(cordon_ctx *ctx, uint64_t ns)
{
	if (wrong_phase(ctx, "launch_wall", P(PHASE_PREPARE)))
		return -1;
	if (ns && ns != CORDON_UNLIMITED && (!ctx->run->wall_ns || ns < ctx->run->wall_ns))
		ctx->run->wall_ns = ns;
	return 0;
}

static int api_launch_output_cap(cordon_ctx *ctx, uint64_t bytes)
{
	if (wrong_phase(ctx, "launch_output_cap", P(PHASE_PREPARE)))
		return -1;
	if (bytes != CORDON_UNLIMITED && (!ctx->run->output_cap || bytes < ctx->run->output_cap))
		ctx->run->output_cap = bytes ? bytes : 1; /* 0 bytes: kill at the first byte */
	return 0;
}

static int api_launch_setenv(cordon_ctx *ctx, const char *name, const char *value)
{
	if (wrong_phase(ctx, "launch_setenv", P(PHASE_PREPARE)) || !name || !*name || strchr(name, '='))
		return -1;
	struct strv *env = &ctx->run->env;
	size_t nl = strlen(name);
	for (size_t i = 0; i < env->n; i++) {
		if (strncmp(env->v[i], name, nl) == 0 && env->v[i][nl] == '=') {
			free(env->v[i]);
			memmove(env->v + i, env->v + i + 1, (env->n - i) * sizeof(char *));
			env->n--;
			break;
		}
	}
	if (!value)
		return 0;
	return strv_push_owned(env, xasprintf("%s=%s", name, value));
}

static int api_launch_limit(cordon_ctx *ctx, const char *limit, uint64_t value)
{
	if (wrong_phase(ctx, "launch_limit", P(PHASE_PREPARE)) || !limit)
		return -1;
	struct run *r = ctx->run;
	if (strcmp(limit, "cpu") == 0)
		r->limit_cpu_ns = value;
	else if (strcmp(limit, "memory") == 0)
		r->limit_memory = value;
	else if (strcmp(limit, "file_size") == 0)
		r->limit_file_size = value;
	else if (strcmp(limit, "processes") == 0)
		r->limit_processes = value;
	else if (strcmp(limit, "output_dir") == 0)
		r->outputs.max_bytes = value;
	else if (strcmp(limit, "output_files") == 0)
		r->outputs.max_entries = value;
	else
		return -1;
	return 0;
}

static int api_buf_append(cordon_ctx *ctx, cordon_buf *out, const void *data, size_t len)
{
	if (wrong_phase(ctx, "cordon_buf_append", P(PHASE_FILTER)) || !out)
		return -1;
	return sb_append(&out->sb, data, len);
}

static void api_redaction(cordon_ctx *ctx, const char *rule, enum cordon_stream stream, uint64_t count)
{
	if (wrong_phase(ctx, "redaction", P(PHASE_FILTER) | P(PHASE_FINISH)) || !ctx->run)
		return;
	result_add_redaction(ctx->run->result, mod_name(ctx), rule ? rule : "redaction", stream, count);
}

static int api_finding_at(cordon_ctx *ctx, size_t i, struct cordon_finding *out)
{
	if (wrong_phase(ctx, "finding_at", P(PHASE_FINISH)) || !ctx->run)
		return -1;
	return cordon_result_finding(ctx->run->result, i, out);
}

static int api_launch_pass_fd_flags(cordon_ctx *ctx, int fd, unsigned flags)
{
	if (fd < 0)
		return -1;
	if (wrong_phase(ctx, "launch_pass_fd", P(PHASE_PREPARE)) || (flags & ~CORDON_FD_KEEP_EXEC)) {
		close(fd);
		return -1;
	}
	struct run *r = ctx->run;
	if (r->n_pass >= RUN_MAX_PASS_FDS) {
		fprintf(stderr, "cordon: %s: more than %d descriptors passed to the child\n", mod_name(ctx),
		        RUN_MAX_PASS_FDS);
		close(fd);
		return -1;
	}
	r->pass_fds[r->n_pass] = fd;
	r->pass_keep[r->n_pass] = (flags & CORDON_FD_KEEP_EXEC) != 0;
	/* The child's layout: 0-2, the sources from 3, the control socket,
	 * then the passed descriptors in the order they were passed. */
	return 3 + (int)r->n_sources + 1 + r->n_pass++;
}

static int api_launch_pass_fd(cordon_ctx *ctx, int fd)
{
	return api_launch_pass_fd_flags(ctx, fd, 0);
}

static int api_launch_watch(cordon_ctx *ctx, int fd,
                            int (*cb)(cordon_ctx *ctx, void *state, int fd, short revents))
{
	if (wrong_phase(ctx, "launch_watch", P(PHASE_PREPARE) | P(PHASE_WATCH)) || fd < 0 || !cb)
		return -1;
	struct run *r = ctx->run;
	size_t live = 0;
	for (size_t i = 0; i < r->n_watches; i++)
		live += r->watches[i].active;
	if (live >= RUN_MAX_WATCHES) {
		fprintf(stderr, "cordon: %s: more than %d watched descriptors\n", mod_name(ctx),
		        RUN_MAX_WATCHES);
		return -1;
	}
	/* Reuse a finished slot before growing. */
	for (size_t i = 0; i < r->n_watches; i++) {
		if (!r->watches[i].active) {
			r->watches[i] = (struct watch){ .fd = fd, .cb = cb, .entry = ctx->entry, .active = true };
			return 0;
		}
	}
	struct watch *w = realloc(r->watches, (r->n_watches + 1) * sizeof(*w));
	if (!w)
		return -1;
	r->watches = w;
	r->watches[r->n_watches++] = (struct watch){ .fd = fd, .cb = cb, .entry = ctx->entry, .active = true };
	return 0;
}

static int api_result_limit(cordon_ctx *ctx, const char *limit)
{
	if (wrong_phase(ctx, "result_limit", P(PHASE_FINISH)) || !ctx->run || !limit)
		return -1;
	static const char *const names[] = { "cpu", "memory", "wall", "output", "processes", "file_size" };
	const char *known = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(limit, names[i]) == 0)
			known = names[i];
	if (!known)
		return -1;
	cordon_result *res = ctx->run->result;
	if (res->status == ST_KILLED && !res->limit)
		res->limit = known;
	return 0;
}

static const char *api_launch_output_dir(cordon_ctx *ctx)
{
	if (wrong_phase(ctx, "launch_output_dir", P(PHASE_PREPARE)) || !ctx->run)
		return NULL;
	return ctx->run->output_dir;
}

static const char *api_launch_input_dir(cordon_ctx *ctx)
{
	if (wrong_phase(ctx, "launch_input_dir", P(PHASE_PREPARE)) || !ctx->run)
		return NULL;
	return ctx->run->input_dir;
}

static int api_checks_expected(cordon_ctx *ctx)
{
	return !(ctx && ctx->policy && ctx->policy->launch_only);
}

static const char *const *api_launch_bind_ro(cordon_ctx *ctx)
{
	static const char *const none[] = { NULL };
	if (wrong_phase(ctx, "launch_bind_ro", P(PHASE_PREPARE)) || !ctx->run || !ctx->run->bind_ro)
		return none;
	return ctx->run->bind_ro;
}

/* The run's sources by their canonical host paths, in the order the child
 * gets them (fd 3 onwards): "" for one without a host path (stdin, data). */
static const char *const *api_launch_sources(cordon_ctx *ctx)
{
	static const char *const none[] = { NULL };
	if (wrong_phase(ctx, "launch_sources", P(PHASE_PREPARE)) || !ctx->run)
		return none;
	struct run *run = ctx->run;
	if (!run->source_paths.v) {
		for (size_t i = 0; i < run->n_sources; i++) {
			const char *name = run->sources[i].name;
			char *real = name && name[0] != '<' ? realpath(name, NULL) : NULL;
			if (strv_push_owned(&run->source_paths, real ? real : xstrdup("")) < 0) {
				strv_clear(&run->source_paths);
				return none;
			}
		}
		if (!run->source_paths.v)
			return none;
	}
	return (const char *const *)run->source_paths.v;
}

static int api_run_audit(cordon_ctx *ctx)
{
	if (wrong_phase(ctx, "run_audit", ~P(PHASE_CONFINE)))
		return 0;
	return ctx->policy && ctx->policy->audit ? 1 : 0;
}

static struct shared_data *find_data(cordon_policy *p, const char *name)
{
	for (size_t i = 0; i < p->n_data; i++)
		if (strcmp(p->data[i].name, name) == 0)
			return &p->data[i];
	return NULL;
}

static int api_set_data(cordon_ctx *ctx, const char *name, const void *data, size_t len)
{
	/* Not in check: check hooks run in the checker process, where
	 * nothing stored would reach the later phases. */
	if (wrong_phase(ctx, "set_data", ~(P(PHASE_CONFINE) | P(PHASE_CHECK))) || !ctx->policy || !name || !*name ||
	    (!data && len) || len == SIZE_MAX)
		return -1;
	cordon_policy *p = ctx->policy;
	/* One byte more, so that a string stored with its length reads as a
	 * NUL-terminated one. */
	void *copy = malloc(len + 1);
	if (!copy)
		return -1;
	if (len)
		memcpy(copy, data, len);
	((char *)copy)[len] = '\0';
	struct shared_data *d = find_data(p, name);
	if (d) {
		free(d->data);
		d->data = copy;
		d->len = len;
		return 0;
	}
	char *n = xstrdup(name);
	struct shared_data *v = n ? realloc(p->data, (p->n_data + 1) * sizeof(*v)) : NULL;
	if (!v) {
		free(n);
		free(copy);
		return -1;
	}
	p->data = v;
	p->data[p->n_data++] = (struct shared_data){ .name = n, .data = copy, .len = len };
	return 0;
}

static const void *api_get_data(cordon_ctx *ctx, const char *name, size_t *len)
{
	if (wrong_phase(ctx, "get_data", ~P(PHASE_CONFINE)) || !ctx->policy || !name)
		return NULL;
	struct shared_data *d = find_data(ctx->policy, name);
	if (!d)
		return NULL;
	if (len)
		*len = d->len;
	return d->data;
}

/* launch_clone_ns and child_exit_status are kept with the launch (run.c). */

static int api_launch_clone_ns(cordon_ctx *ctx, unsigned long flags, unsigned uid, unsigned gid, unsigned host_uid,
                               unsigned host_gid)
{
	if (wrong_phase(ctx, "launch_clone_ns", P(PHASE_PREPARE)))
		return -1;
	/* In a process with other threads the supervisor clones from a forked
	 * helper (supervise.c, clone_from_helper). */
	const char *why = NULL;
	if (run_clone_ns(ctx->run, flags, uid, gid, host_uid, host_gid, &why) < 0) {
		fprintf(stderr, "cordon: %s: launch_clone_ns refused: %s\n", mod_name(ctx), why ? why : "invalid");
		return -1;
	}
	return 0;
}

static int api_child_exit_status(const struct cordon_child *child, int wstatus)
{
	return run_child_exit_status(child, wstatus);
}

static int api_run_abort(cordon_ctx *ctx, const char *why)
{
	if (wrong_phase(ctx, "run_abort", P(PHASE_WATCH)) || !ctx->run)
		return -1;
	if (ctx->run->abort_msg)
		return 0; /* the first reason stands */
	ctx->run->abort_msg = xasprintf("%s: %s", mod_name(ctx), why && *why ? why : "the module stopped the run");
	return ctx->run->abort_msg ? 0 : -1;
}

static const char *const *api_launch_argv(cordon_ctx *ctx)
{
	if (wrong_phase(ctx, "launch_argv", P(PHASE_PREPARE)) || !ctx->run || !ctx->run->argv.v)
		return NULL;
	return (const char *const *)ctx->run->argv.v;
}

static int api_run_deny(cordon_ctx *ctx, const char *why)
{
	if (wrong_phase(ctx, "run_deny", P(PHASE_WATCH)) || !ctx->run)
		return -1;
	if (ctx->policy && ctx->policy->audit)
		return 0; /* audit mode: reported, never denied */
	if (ctx->run->deny_msg)
		return 0; /* the first reason stands */
	ctx->run->deny_msg = xasprintf("%s: %s", mod_name(ctx), why && *why ? why : "denied at run time");
	return ctx->run->deny_msg ? 0 : -1;
}

static const void *api_config(cordon_ctx *ctx)
{
	return ctx && ctx->entry ? ctx->entry->config : NULL;
}

static int api_result_connection(cordon_ctx *ctx, const struct cordon_connection *c)
{
	if (wrong_phase(ctx, "result_connection", P(PHASE_WATCH) | P(PHASE_FINISH)) || !ctx->run || !c ||
	    c->size < offsetof(struct cordon_connection, ms) + sizeof(double))
		return -1;
	return result_add_connection(ctx->run->result, c);
}

static void *api_run_state(cordon_ctx *ctx)
{
	if (wrong_phase(ctx, "run_state", P(PHASE_PREPARE) | P(PHASE_WATCH) | P(PHASE_FILTER) | P(PHASE_FINISH)))
		return NULL;
	return ctx->entry ? ctx->entry->run_state : NULL;
}

static int api_require(cordon_ctx *ctx, const char *property, const char *value)
{
	return policy_require(ctx, property, value);
}

static int api_entry_optional(cordon_ctx *ctx)
{
	return ctx->entry && ctx->entry->control == CONTROL_OPTIONAL;
}

static const struct cordon_core_api api = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_core_api),
	.vlog = api_vlog,
	.verror = api_verror,
	.vwarning = api_vwarning,
	.vfinding = api_vfinding,
	.arg = api_arg,
	.node_type = api_node_type,
	.node_scalar = api_node_scalar,
	.node_len = api_node_len,
	.node_at = api_node_at,
	.node_key_at = api_node_key_at,
	.node_value_at = api_node_value_at,
	.node_get = api_node_get,
	.node_mark = api_node_mark,
	.node_int = api_node_int,
	.node_bool = api_node_bool,
	.node_size = api_node_size,
	.node_duration = api_node_duration,
	.node_check_keys = api_node_check_keys,
	.node_path = api_node_path,
	.load_yaml = api_load_yaml,
	.launch_wrap = api_launch_wrap,
	.launch_wall = api_launch_wall,
	.launch_output_cap = api_launch_output_cap,
	.launch_setenv = api_launch_setenv,
	.launch_limit = api_launch_limit,
	.buf_append = api_buf_append,
	.redaction = api_redaction,
	.finding_at = api_finding_at,
	.launch_pass_fd = api_launch_pass_fd,
	.launch_watch = api_launch_watch,
	.result_limit = api_result_limit,
	.launch_output_dir = api_launch_output_dir,
	.launch_bind_ro = api_launch_bind_ro,
	.run_audit = api_run_audit,
	.set_data = api_set_data,
	.get_data = api_get_data,
	.launch_pass_fd_flags = api_launch_pass_fd_flags,
	.launch_clone_ns = api_launch_clone_ns,
	.child_exit_status = api_child_exit_status,
	.run_abort = api_run_abort,
	.launch_argv = api_launch_argv,
	.run_deny = api_run_deny,
	.config = api_config,
	.launch_sources = api_launch_sources,
	.result_connection = api_result_connection,
	.run_state = api_run_state,
	.require = api_require,
	.entry_optional = api_entry_optional,
	.launch_input_dir = api_launch_input_dir,
	.checks_expected = api_checks_expected,
};

const struct cordon_core_api *core_api(void)
{
	return &api;
}
