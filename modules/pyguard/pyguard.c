/*
 * pyguard - a runtime guard for Python programs: a CPython audit hook
 * (PEP 578) installed before the program's first line.
 *
 *     - module: pyguard
 *       with:
 *         mode: allowlist          denylist (default) or allowlist, as pyimport
 *         allow: [math, json]      modules the program may import (allowlist)
 *         deny: [subprocess]       modules it may not import, in either mode
 *         read: [/data]            paths it may read besides the interpreter's library
 *         write: [/tmp, /output]   paths it may write (default /tmp and /output)
 *
 * prepare: the command must be a Python interpreter running a script (the
 * policy's interpreter and /proc/self/fd/3 for `cordon run`).  pyguard
 * writes bootstrap.py, behind one line of configuration, into a sealed
 * memfd, passes it and the write end of a report pipe to the child, and
 * wraps the command so that the same interpreter, with the same options,
 * runs the bootstrap first: `python3 -I -B /proc/self/fd/B python3 -I -B
 * /proc/self/fd/3`.  The bootstrap installs the hook, says hello on the pipe
 * and runs the program as the interpreter would have.
 *
 * watch: each line the hook writes is a denial ("D"), an audit-mode report
 * ("A") or the bootstrap's failure ("X"); a denial becomes a finding
 * pyguard/RULE and ends the run as denied (run_deny).  finish: a program
 * that ran without the hello ran unguarded: the run is an error.
 */
#define _GNU_SOURCE
#include <cordon/module.h>
#include <cordon/modutil.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

/* bootstrap.py, and its bytecode (MAGIC_NUMBER + marshal) for the build's
 * python3 or nothing, each as the body of a Python bytes literal (made at
 * build time: modules/pyguard/module.mk), with a 0 after it (an array is
 * never empty). */
static const unsigned char bootstrap[] = {
#include "gen/pyguard_bootstrap.h"
	0
};
static const unsigned char bytecode[] = {
#include "gen/pyguard_bytecode.h"
	0
};

/* What the interpreter runs: the bytecode when its version matches, else
 * the source; compiled under one fixed name that the guard trusts as its
 * own and refuses to code the program makes (see bootstrap.py). */
static const char stub[] =
	"def _pyguard_load():\n"
	"    import marshal, _frozen_importlib_external as f\n"
	"    m = f.MAGIC_NUMBER\n"
	"    if len(_PYGUARD_BC) > len(m) and _PYGUARD_BC[:len(m)] == m:\n"
	"        try:\n"
	"            return marshal.loads(_PYGUARD_BC[len(m):])\n"
	"        except Exception:\n"
	"            pass\n"
	"    return compile(_PYGUARD_SRC, '<pyguard bootstrap>', 'exec', dont_inherit=True)\n"
	"_pyguard_code = _pyguard_load()\n"
	"del _pyguard_load, _PYGUARD_BC, _PYGUARD_SRC\n"
	"exec(_pyguard_code)\n";

/* The arguments as the core fills them (ABI 1.4 config table).  A list
 * is NULL-terminated, NULL when absent; write's default (/tmp and /output)
 * is two items, which a table's one-string default cannot say: open adds
 * it. */
struct config {
	int mode; /* modes[] */
	const char *const *allow, *const *deny, *const *read, *const *write, *const *soft;
};

static const char *const modes[] = { "denylist", "allowlist", NULL };

#define LIST(member, help) CORDON_CONFIG(struct config, member, #member, CORDON_ARG_STRINGS, 0, 0, 0, NULL, help)
static const struct cordon_config_arg config[] = {
	CORDON_CONFIG_ENUM(struct config, mode, "mode", modes, "denylist", "allowlist or denylist, as pyimport"),
	LIST(allow, "modules the program may import in allowlist mode"),
	LIST(deny, "modules the program may not import"),
	LIST(read, "absolute paths the program may read (the library always)"),
	LIST(write, "absolute paths the program may write (/tmp and /output when absent)"),
	LIST(soft, "rules whose denials raise PermissionError in the program and let the run go on"),
	CORDON_CONFIG_END,
};
#undef LIST

/* The rules the hook reports; anything else on the pipe is tampering. */
static const char *const rules[] = { "import", "exec", "code", "open", "path", "process",
	                             "socket", "ctypes", "frame", "internal", NULL };

#define MAX_LINE 2048
#define MAX_FINDINGS 1000

struct list {
	char **v;
	size_t n;
};

/* One run: the report pipe as the supervisor reads it. */
struct run {
	int fd; /* read end, -1 once closed */
	bool hello; /* the hook is installed */
	bool ended; /* EOF seen */
	size_t n_reports;
	size_t len;
	char line[MAX_LINE];
};

struct state {
	bool allowlist;
	struct list allow, deny, read, write, soft;
	struct run *run; /* this run's, from prepare to finish */
};

static void list_free(struct list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int list_push(struct list *l, const char *s, size_t len)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(char *));
	if (!v)
		return -1;
	l->v = v;
	if (!(v[l->n] = strndup(s, len)))
		return -1;
	l->n++;
	return 0;
}

static bool module_name_ok(const char *v, size_t len)
{
	if (len == 0 || v[0] == '.' || v[len - 1] == '.')
		return false;
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)v[k];
		if (c == '.') {
			if (v[k + 1] == '.')
				return false;
		} else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		             c == '_' || c >= 0x80)) {
			return false;
		}
	}
	return true;
}

/* An absolute path, printable ASCII without quotes or backslashes, no "."
 * or ".." component; stored without trailing slashes ("/" as ""). */
static bool path_ok(const char *v, size_t len, size_t *keep)
{
	if (len == 0 || v[0] != '/')
		return false;
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)v[k];
		if (c < 0x20 || c > 0x7e || c == '\'' || c == '\\')
			return false;
		if (c == '/' && k + 1 < len && v[k + 1] == '/')
			return false;
		if (c == '/') {
			size_t e = k + 1;
			while (e < len && v[e] != '/')
				e++;
			size_t cl = e - k - 1;
			if ((cl == 1 && v[k + 1] == '.') || (cl == 2 && v[k + 1] == '.' && v[k + 2] == '.'))
				return false;
		}
	}
	while (len > 0 && v[len - 1] == '/')
		len--;
	*keep = len;
	return true;
}

/* A string list argument (vals, as the core filled it from key): module
 * names or absolute paths.  Errors name the item's node. */
static int get_list(cordon_ctx *ctx, const char *key, const char *const *vals, bool paths, struct list *out)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	const cordon_node *node = cordon_arg(ctx, key);
	for (size_t i = 0; vals && vals[i]; i++) {
		const cordon_node *it = api->node_type(node) == CORDON_NODE_SCALAR ? node : api->node_at(node, i);
		size_t len = 0, keep = 0;
		const char *v = api->node_scalar(it, &len);
		if (!v || strlen(v) != len)
			return cordon_error(ctx, it, "%s: expected %s", key,
			                    paths ? "an absolute path" : "a module name");
		if (paths && !path_ok(v, len, &keep))
			return cordon_error(ctx, it,
			                    "%s: '%s' is not an absolute path of printable ASCII without '.', '..', "
			                    "'//', quotes or backslashes",
			                    key, v);
		if (!paths && !module_name_ok(v, len))
			return cordon_error(ctx, it, "%s: '%s' is not a dotted module name (like os or os.path)", key, v);
		if (list_push(out, v, paths ? keep : len) < 0)
			return cordon_error(ctx, it, "out of memory");
	}
	return 0;
}

static bool known_rule(const char *r)
{
	for (size_t i = 0; rules[i]; i++)
		if (strcmp(r, rules[i]) == 0)
			return true;
	return false;
}

static void pg_close(void *state);

static int pg_open(cordon_ctx *ctx, void **statep)
{
	const struct config *c = cordon_config(ctx);
	struct state *s = calloc(1, sizeof(*s));
	if (!s)
		return cordon_error(ctx, NULL, "out of memory");
	*statep = s;
	if (!c)
		return cordon_error(ctx, NULL, "this cordon core does not fill config tables (ABI 1.4 needed)");
	s->allowlist = c->mode == 1;
	if (get_list(ctx, "allow", c->allow, false, &s->allow) < 0 ||
	    get_list(ctx, "deny", c->deny, false, &s->deny) < 0 || get_list(ctx, "read", c->read, true, &s->read) < 0 ||
	    get_list(ctx, "write", c->write, true, &s->write) < 0 || get_list(ctx, "soft", c->soft, false, &s->soft) < 0)
		return -1;
	const cordon_node *sn = cordon_arg(ctx, "soft");
	for (size_t i = 0; i < s->soft.n; i++) {
		const char *v = s->soft.v[i];
		if (!known_rule(v) || strcmp(v, "internal") == 0)
			return cordon_error(ctx, sn,
			                    "soft: '%s' is not a rule (import, exec, code, open, path, process, socket, "
			                    "ctypes, frame)",
			                    v);
	}
	if (s->allowlist && !c->allow)
		return cordon_error(ctx, cordon_arg(ctx, "mode"), "mode allowlist needs an allow: list");
	if (!s->allowlist && c->allow)
		return cordon_error(ctx, cordon_arg(ctx, "allow"), "allow: only meaningful with mode: allowlist");
	if (!c->write &&
	    (list_push(&s->write, "/tmp", 4) < 0 || list_push(&s->write, "/output", 7) < 0))
		return cordon_error(ctx, NULL, "out of memory");
	if (!CORDON_API_HAS(ctx, launch_argv) || !CORDON_API_HAS(ctx, run_deny) ||
	    !CORDON_API_HAS(ctx, launch_pass_fd_flags) || !CORDON_API_HAS(ctx, launch_watch))
		return cordon_error(ctx, NULL, "pyguard needs a cordon core with ABI 1.3 (launch_argv, run_deny)");
	return 0;
}

/* ---- the configuration line: a Python tuple literal ---- */

struct text {
	char *p;
	size_t len, cap;
	bool oom;
};

static void put(struct text *t, const char *s, size_t n)
{
	if (t->oom)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 256;
		while (cap < t->len + n + 1)
			cap *= 2;
		char *p = realloc(t->p, cap);
		if (!p) {
			t->oom = true;
			return;
		}
		t->p = p;
		t->cap = cap;
	}
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
}

static void puts_(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

/* Strings were validated at open: no quote, backslash or control byte. */
static void put_tuple(struct text *t, const struct list *l)
{
	puts_(t, "(");
	for (size_t i = 0; i < l->n; i++) {
		puts_(t, "'");
		puts_(t, l->v[i]);
		puts_(t, "',");
	}
	puts_(t, ")");
}

/* ---- the command ---- */

static bool is_python(const char *argv0)
{
	const char *b = strrchr(argv0, '/');
	b = b ? b + 1 : argv0;
	return strncmp(b, "python", 6) == 0;
}

/* The index of the script in a Python command line, or -1 (*why says why)
 * when the command runs no script pyguard can put itself in front of. */
static int script_index(const char *const *argv, const char **why)
{
	for (int i = 1; argv[i]; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			if (!argv[i + 1])
				break;
			return i + 1;
		}
		if (a[0] != '-')
			return i;
		if (a[1] == '\0') {
			*why = "the program comes from standard input ('-')";
			return -1;
		}
		if (a[1] == '-') {
			if (strcmp(a, "--check-hash-based-pycs") == 0 && argv[i + 1]) {
				i++;
				continue;
			}
			*why = "an option pyguard does not know";
			return -1;
		}
		for (const char *c = a + 1; *c; c++) {
			if (strchr("bBdEiIOPqsSuv", *c))
				continue;
			if (*c == 'W' || *c == 'X') {
				if (!c[1] && !argv[++i]) {
					*why = "an option without its value";
					return -1;
				}
				break;
			}
			*why = *c == 'c' ? "the program is given with -c" :
			       *c == 'm' ? "the program is a module (-m)" :
			       *c == 'x' ? "-x skips the program's first line" : "an option pyguard does not know";
			return -1;
		}
	}
	if (!*why)
		*why = "no script";
	return -1;
}

static int on_report(cordon_ctx *ctx, void *state, int fd, short revents);

/* A sealed memfd holding the n pieces of iov in order. */
static int memfd_sealed(struct iovec *iov, int n)
{
	int fd = memfd_create("pyguard-bootstrap", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	int e = cordon_writev_all(fd, iov, n);
	if (e) {
		close(fd);
		errno = e;
		return -1;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int pg_prepare(cordon_ctx *ctx, void *state)
{
	struct state *s = state;
	const struct cordon_core_api *api = cordon_api(ctx);
	if (s->run) { /* a run whose finish never came (it failed before) */
		if (s->run->fd >= 0)
			close(s->run->fd);
		free(s->run);
		s->run = NULL;
	}

	const char *const *argv = api->launch_argv(ctx);
	if (!argv || !argv[0])
		return cordon_error(ctx, NULL, "no command to guard");
	if (!is_python(argv[0])) {
		cordon_warning(ctx, "pyguard: %s is not a Python interpreter; the command runs without the guard",
		               argv[0]);
		return 0;
	}
	const char *why = NULL;
	int k = script_index(argv, &why);
	if (k < 0)
		return cordon_error(ctx, NULL, "cannot guard this Python command: %s", why);

	struct run *r = calloc(1, sizeof(*r));
	if (!r)
		return cordon_error(ctx, NULL, "out of memory");
	r->fd = -1;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(r);
		return cordon_error(ctx, NULL, "pipe: %s", strerror(errno));
	}
	/* The supervisor's end never blocks: a watch callback reads what is there. */
	if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		free(r);
		return cordon_error(ctx, NULL, "fcntl: %s", strerror(e));
	}
	int child_w = api->launch_pass_fd_flags(ctx, p[1], CORDON_FD_KEEP_EXEC); /* owns p[1] */
	if (child_w < 0) {
		close(p[0]);
		free(r);
		return cordon_error(ctx, NULL, "cannot pass the report pipe to the program");
	}
	if (api->launch_watch(ctx, p[0], on_report) < 0) {
		close(p[0]);
		free(r);
		return cordon_error(ctx, NULL, "cannot watch the report pipe");
	}
	r->fd = p[0];
	s->run = r; /* from here on the watch owns p[0] */

	/* This run's --bind-ro and --input-dir paths are readable and its
	 * --output-dir writable, at the path the backend shows it (/output in
	 * a namespace, its own path under landlock). */
	struct list rd = { 0 }, wr = { 0 };
	int bad = 0;
	for (size_t i = 0; i < s->read.n && !bad; i++)
		bad = list_push(&rd, s->read.v[i], strlen(s->read.v[i]));
	for (size_t i = 0; i < s->write.n && !bad; i++)
		bad = list_push(&wr, s->write.v[i], strlen(s->write.v[i]));
	const char *const *ro = CORDON_API_HAS(ctx, launch_bind_ro) ? api->launch_bind_ro(ctx) : NULL;
	const char *od = CORDON_API_HAS(ctx, launch_output_dir) ? api->launch_output_dir(ctx) : NULL;
	for (size_t i = 0; ro && ro[i] && !bad; i++) {
		size_t keep;
		if (!path_ok(ro[i], strlen(ro[i]), &keep)) {
			list_free(&rd);
			list_free(&wr);
			return cordon_error(ctx, NULL, "--bind-ro %s: a path pyguard cannot pass on (quotes, backslashes "
			                               "or non-printable bytes)", ro[i]);
		}
		bad = list_push(&rd, ro[i], keep);
	}
	if (od && !bad) {
		size_t keep;
		if (!path_ok(od, strlen(od), &keep)) {
			list_free(&rd);
			list_free(&wr);
			return cordon_error(ctx, NULL, "--output-dir %s: a path pyguard cannot pass on (quotes, "
			                               "backslashes or non-printable bytes)", od);
		}
		bad = list_push(&wr, od, keep) || list_push(&wr, "/output", 7);
	}
	/* --input-dir readable, at /input or its own path (landlock). */
	const char *in = CORDON_API_HAS(ctx, launch_input_dir) ? api->launch_input_dir(ctx) : NULL;
	size_t in_keep = 0;
	if (in && !bad && !path_ok(in, strlen(in), &in_keep)) {
		list_free(&rd);
		list_free(&wr);
		return cordon_error(ctx, NULL, "--input-dir %s: a path pyguard cannot pass on (quotes, backslashes or "
		                               "non-printable bytes)", in);
	}
	if (in && !bad)
		bad = list_push(&rd, in, in_keep) || list_push(&rd, "/input", 6);
	if (bad) {
		list_free(&rd);
		list_free(&wr);
		return cordon_error(ctx, NULL, "out of memory");
	}

	struct text t = { 0 };
	char num[32];
	snprintf(num, sizeof(num), "%d", child_w);
	puts_(&t, "_PYGUARD_CFG = (");
	puts_(&t, num);
	puts_(&t, cordon_audit_mode(ctx) ? ", True, '" : ", False, '");
	puts_(&t, s->allowlist ? "allowlist" : "denylist");
	puts_(&t, "', ");
	put_tuple(&t, &s->allow);
	puts_(&t, ", ");
	put_tuple(&t, &s->deny);
	puts_(&t, ", ");
	put_tuple(&t, &rd);
	puts_(&t, ", ");
	put_tuple(&t, &wr);
	puts_(&t, ", ");
	put_tuple(&t, &s->soft);
	list_free(&rd);
	list_free(&wr);
	snprintf(num, sizeof(num), ", %d)\n", k);
	puts_(&t, num);
	if (t.oom) {
		free(t.p);
		return cordon_error(ctx, NULL, "out of memory");
	}
	/* The configuration line, then the literals (escaped at build time)
	 * and the stub straight from the module's constants: a run copies
	 * none of their 130 KB through its own (freshly forked) heap. */
	static const char bc_head[] = "_PYGUARD_BC = b'", src_head[] = "'\n_PYGUARD_SRC = b'", tail[] = "'\n";
	struct iovec parts[] = {
		{ t.p, t.len },
		{ (void *)bc_head, sizeof(bc_head) - 1 },
		{ (void *)bytecode, sizeof(bytecode) - 1 },
		{ (void *)src_head, sizeof(src_head) - 1 },
		{ (void *)bootstrap, sizeof(bootstrap) - 1 },
		{ (void *)tail, sizeof(tail) - 1 },
		{ (void *)stub, sizeof(stub) - 1 },
	};
	int mfd = memfd_sealed(parts, (int)(sizeof(parts) / sizeof(parts[0])));
	free(t.p);
	if (mfd < 0)
		return cordon_error(ctx, NULL, "the bootstrap memfd: %s", strerror(errno));
	int child_b = api->launch_pass_fd_flags(ctx, mfd, CORDON_FD_KEEP_EXEC); /* owns mfd */
	if (child_b < 0)
		return cordon_error(ctx, NULL, "cannot pass the bootstrap to the program");

	/* The same interpreter and options, running the bootstrap first. */
	char path[48];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", child_b);
	const char **wrap = calloc((size_t)k + 2, sizeof(char *));
	if (!wrap)
		return cordon_error(ctx, NULL, "out of memory");
	for (int i = 0; i < k; i++)
		wrap[i] = argv[i];
	wrap[k] = path;
	int rc = api->launch_wrap(ctx, wrap);
	free(wrap);
	if (rc < 0)
		return cordon_error(ctx, NULL, "cannot wrap the command");
	return 0;
}

/* ---- the reports ---- */

/* One line from the hook: "H", "D\tRULE\tEVENT\tDETAIL", "A\t..." or
 * "X\tinternal\tbootstrap\tWHY".  Anything else was written by the program
 * itself (the descriptor is in its process): a denial, since a program
 * that writes to the guard's channel is tampering with it. */
static void report_line(cordon_ctx *ctx, struct run *r, char *line)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	if (strcmp(line, "H") == 0 || (strcmp(line, "N") == 0 && !r->hello)) {
		r->hello = true; /* installed, or the program could not even start */
		return;
	}
	char kind = line[0];
	char *rule = NULL, *event = NULL, *detail = NULL;
	if ((kind == 'D' || kind == 'A' || kind == 'S' || kind == 'X') && line[1] == '\t') {
		rule = line + 2;
		event = strchr(rule, '\t');
		if (event) {
			*event++ = '\0';
			detail = strchr(event, '\t');
			if (detail)
				*detail++ = '\0';
		}
	}
	if (!detail || !known_rule(rule)) {
		cordon_finding(ctx, "channel", CORDON_SEV_HIGH, 0, 0,
		               "the program wrote to the guard's report descriptor");
		api->run_deny(ctx, "the program wrote to the guard's report descriptor");
		return;
	}
	if (kind == 'X') {
		api->run_abort(ctx, detail);
		return;
	}
	if (++r->n_reports > MAX_FINDINGS) {
		if (r->n_reports == MAX_FINDINGS + 1)
			cordon_warning(ctx, "pyguard: more than %d reports; the rest are not listed", MAX_FINDINGS);
		return;
	}
	bool audit = cordon_audit_mode(ctx);
	cordon_finding(ctx, rule, CORDON_SEV_HIGH, 0, 0, "%s%s%s%s%s", audit ? "audit: would deny " : "", event,
	               *detail ? ": " : "", detail, kind == 'S' ? " (refused: the program got PermissionError)" : "");
	if (kind == 'D' && !audit)
		api->run_deny(ctx, event);
}

static int on_report(cordon_ctx *ctx, void *state, int fd, short revents)
{
	struct state *s = state;
	struct run *r = s->run;
	if (!r || fd != r->fd)
		return 1; /* not this run's (cannot happen: one run at a time) */
	char buf[4096];
	for (;;) {
		ssize_t got = (revents & (POLLIN | POLLHUP | POLLERR)) ? read(fd, buf, sizeof(buf)) : 0;
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == EAGAIN)
			return 0;
		if (got <= 0)
			break;
		for (ssize_t i = 0; i < got; i++) {
			if (buf[i] == '\n') {
				r->line[r->len] = '\0';
				report_line(ctx, r, r->line);
				r->len = 0;
			} else if (r->len + 1 < sizeof(r->line)) {
				r->line[r->len++] = buf[i] ? buf[i] : ' ';
			}
		}
		if ((size_t)got < sizeof(buf))
			return 0; /* drained for now; poll says when there is more */
	}
	/* End of the stream: every copy of the write end is closed. */
	if (r->len) {
		r->line[r->len] = '\0';
		report_line(ctx, r, r->line);
		r->len = 0;
	}
	r->ended = true;
	close(fd);
	r->fd = -1;
	return 1;
}

static int pg_finish(cordon_ctx *ctx, void *state, const struct cordon_run_info *info)
{
	struct state *s = state;
	struct run *r = s->run;
	s->run = NULL;
	if (!r)
		return 0;
	if (r->fd >= 0)
		close(r->fd);
	bool hello = r->hello;
	free(r);
	/* The program ran to its end (it was not stopped first) without the
	 * hook saying it was installed: it ran unguarded. */
	if (!hello && (strcmp(info->status, "ok") == 0 || strcmp(info->status, "failed") == 0)) {
		cordon_warning(ctx, "pyguard: the program ran without the guard reporting it was installed");
		return -1;
	}
	return 0;
}

static void pg_close(void *state)
{
	struct state *s = state;
	if (!s)
		return;
	if (s->run) {
		if (s->run->fd >= 0)
			close(s->run->fd);
		free(s->run);
	}
	list_free(&s->allow);
	list_free(&s->deny);
	list_free(&s->read);
	list_free(&s->write);
	list_free(&s->soft);
	free(s);
}

/* Nothing `cordon selftest` can probe (ABI 1.5): the guard lives inside
 * the Python programs `cordon run` starts from a source. */
static int pg_requirements(cordon_ctx *ctx, void *state)
{
	(void)state;
	return cordon_require(ctx, CORDON_PROP_NOT_PROBED,
	                      "a runtime guard inside Python programs run from a source; the probes do not try what it "
	                      "forbids");
}

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_module),
	.name = "pyguard",
	.description = "runtime guard for Python: an audit hook installed before the program's first line",
	.config = config,
	.config_size = sizeof(struct config),
	.open = pg_open,
	.prepare = pg_prepare,
	.finish = pg_finish,
	.close = pg_close,
	.requirements = pg_requirements,
};
