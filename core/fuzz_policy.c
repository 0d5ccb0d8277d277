/*
 * core/fuzz_policy.c - libFuzzer target for the policy loader.
 *
 * Each input is used three ways:
 *
 *   1. tree_parse() on the raw bytes (NULs and all), then a walk over the
 *      tree that checks the invariants the rest of the core relies on
 *      (scalars NUL-terminated at len, mapping keys are scalars, marks are
 *      1-based, no NULL children);
 *   2. parse_size(), parse_duration(), parse_int() and parse_bool() on the
 *      input as a NUL-terminated string;
 *   3. the whole loader: the input is written to policy.yaml in a private
 *      directory (made once with mkdtemp, 0700; the file is 0600 so that
 *      open_trusted accepts it) and loaded with cordon_policy_load(), so
 *      includes, stack entries, module loading (dlopen) and argument
 *      validation all run.  A loaded policy is dumped, the dump is parsed
 *      again and its name, description, interpreter and env must read back
 *      unchanged (CORDON_FUZZ_DUMP_CHECK=0 turns that oracle off), and the
 *      policy is freed.
 *
 * Modules come from $CORDON_FUZZ_MODULES (colon-separated list allowed;
 * default build/lib/cordon/modules relative to the working directory), made
 * absolute and exported as CORDON_MODULE_PATH, so `module: rlimit` really
 * loads.  The private directory also holds a few fixed files an input may
 * include by name or path (base, env, loop -> policy, bad), so the include
 * splicing and the interpreter/env merging are reachable, and two files
 * that sit exactly at the loader's limits (full-env: POLICY_MAX_ENV
 * variables; full-stack: POLICY_MAX_STACK entries), so that a small input
 * can cross a limit "after includes" - beyond reach of -max_len otherwise.
 *
 * Build and run (see the Makefile's fuzz target):
 *
 *   make fuzz
 *   mkdir -p build-fuzz/corpus && cp -R core/fuzz_policy.corpus/. build-fuzz/corpus/
 *   ./build-fuzz/fuzz_policy -max_len=4096 -dict=core/fuzz_policy.dict \
 *       -timeout=5 -rss_limit_mb=2048 build-fuzz/corpus core/fuzz_policy.corpus
 *
 * CORDON_FUZZ_VERBOSE=1 prints what each load gave (a dump or the error),
 * handy when running single inputs.
 *
 * Nothing may leak per iteration: every error string, tree, dump and policy
 * is freed here, so LeakSanitizer reports point at the core.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_dir[PATH_MAX]; /* private directory, made once */
static int verbose; /* $CORDON_FUZZ_VERBOSE: print each load's outcome */
static int dump_check = 1; /* $CORDON_FUZZ_DUMP_CHECK=0: do not re-read dumps */
static char policy_path[PATH_MAX]; /* fuzz_dir/policy.yaml */

/* Fixed neighbours of the fuzzed file, reachable by `include:`. */
static const struct {
	const char *name;
	const char *text;
} fixtures[] = {
	{ "base.yaml", "name: base\n"
	               "description: included defaults\n"
	               "interpreter: [/bin/sh, -e]\n"
	               "env: {PATH: /usr/bin:/bin, LANG: C.UTF-8}\n"
	               "stack:\n"
	               "  - module: rlimit\n"
	               "    control: requisite\n"
	               "    with: {cpu: 2s, memory: 64M, wall: 1m, output: 64K}\n" },
	{ "env.yaml", "env:\n  HOME: /tmp\n  LANG: C\ninterpreter: [/usr/bin/python3, -I]\nstack:\n" },
	{ "loop.yaml", "include: policy\n" },
	{ "bad.yaml", "stack:\n  - module: rlimit\n    with: {cpu: -1s}\n" },
};

static void die(const char *what)
{
	fprintf(stderr, "fuzz_policy: %s: %s\n", what, strerror(errno));
	abort();
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		die(path);
	if (fchmod(fd, 0600) < 0) /* whatever the umask */
		die(path);
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die(path);
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) < 0)
		die(path);
}

/* Generated fixtures at the limits. */
static const char *const limit_fixtures[] = { "full-env.yaml", "full-stack.yaml" };

static void write_limit_fixtures(void)
{
	char path[PATH_MAX + 64];
	struct strbuf sb = { 0 };
	/* E0..E1023: names no seed uses, so any other variable is one more */
	sb_puts(&sb, "env: {");
	for (int i = 0; i < POLICY_MAX_ENV; i++)
		sb_printf(&sb, "%sE%d: v", i ? ", " : "", i);
	sb_puts(&sb, "}\n");
	if (sb.failed)
		die("out of memory");
	snprintf(path, sizeof(path), "%s/%s", fuzz_dir, limit_fixtures[0]);
	write_file(path, sb.data, sb.len);
	sb_free(&sb);

	/* Entries are checked for the limit before modules are loaded, so the
	 * same module POLICY_MAX_STACK times is enough. */
	sb_puts(&sb, "stack:\n");
	for (int i = 0; i < POLICY_MAX_STACK; i++)
		sb_puts(&sb, "  - {module: rlimit, control: optional}\n");
	if (sb.failed)
		die("out of memory");
	snprintf(path, sizeof(path), "%s/%s", fuzz_dir, limit_fixtures[1]);
	write_file(path, sb.data, sb.len);
	sb_free(&sb);
}

static void cleanup(void)
{
	if (!fuzz_dir[0])
		return;
	char path[PATH_MAX + 64];
	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++) {
		snprintf(path, sizeof(path), "%s/%s", fuzz_dir, fixtures[i].name);
		unlink(path);
	}
	for (size_t i = 0; i < ARRAY_SIZE(limit_fixtures); i++) {
		snprintf(path, sizeof(path), "%s/%s", fuzz_dir, limit_fixtures[i]);
		unlink(path);
	}
	unlink(policy_path);
	rmdir(fuzz_dir);
}

/* Each colon-separated part of list made absolute (parts that do not exist
 * are kept as written: module_load then reports them as not found). */
static char *absolute_list(const char *list)
{
	struct strbuf sb = { 0 };
	const char *p = list;
	while (*p) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		if (n) {
			char *part = xstrndup(p, n);
			char *real = part ? realpath(part, NULL) : NULL;
			if (!real)
				fprintf(stderr, "fuzz_policy: warning: module directory %s: %s\n",
				        part ? part : "?", strerror(errno));
			sb_printf(&sb, "%s%s", sb.len ? ":" : "", real ? real : part);
			free(real);
			free(part);
		}
		p += n;
		if (*p == ':')
			p++;
	}
	return sb_steal(&sb);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *mods = getenv("CORDON_FUZZ_MODULES");
	if (!mods || !*mods)
		mods = "build/lib/cordon/modules";
	char *abs = absolute_list(mods);
	if (!abs || setenv("CORDON_MODULE_PATH", abs, 1) < 0)
		die("CORDON_MODULE_PATH");
	free(abs);

	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/cordon-fuzz-XXXXXX", tmp) >= (int)sizeof(fuzz_dir))
		die("TMPDIR too long");
	if (!mkdtemp(fuzz_dir))
		die("mkdtemp");
	if (chmod(fuzz_dir, 0700) < 0)
		die(fuzz_dir);
	/* Names are searched in the including file's directory first; point
	 * the policy search path here too so nothing of the caller's leaks in. */
	if (setenv("CORDON_POLICY_DIR", fuzz_dir, 1) < 0)
		die("CORDON_POLICY_DIR");
	snprintf(policy_path, sizeof(policy_path), "%s/policy.yaml", fuzz_dir);
	char path[PATH_MAX + 64];
	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++) {
		snprintf(path, sizeof(path), "%s/%s", fuzz_dir, fixtures[i].name);
		write_file(path, fixtures[i].text, strlen(fixtures[i].text));
	}
	write_limit_fixtures();
	atexit(cleanup);
	verbose = getenv("CORDON_FUZZ_VERBOSE") != NULL;
	const char *dc = getenv("CORDON_FUZZ_DUMP_CHECK");
	dump_check = !(dc && strcmp(dc, "0") == 0);
	fprintf(stderr, "fuzz_policy: policy file %s, CORDON_MODULE_PATH=%s\n", policy_path,
	        getenv("CORDON_MODULE_PATH"));
	return 0;
}

/* ---- 1: the YAML tree ---- */

static size_t walk(const struct cordon_node *n, int depth)
{
	if (!n || depth > POLICY_MAX_DEPTH + 1)
		abort();
	if (n->mark.line < 1 || n->mark.column < 1 || !n->mark.file)
		abort();
	(void)node_type_name(n);
	size_t count = 1;
	switch (n->type) {
	case CORDON_NODE_SCALAR:
		if (!n->text || n->text[n->len] != '\0' || memchr(n->text, '\0', n->len))
			abort();
		break;
	case CORDON_NODE_SEQUENCE:
		for (size_t i = 0; i < n->n; i++)
			count += walk(n->items[i], depth + 1);
		break;
	case CORDON_NODE_MAPPING:
		for (size_t i = 0; i < n->n; i++) {
			const struct cordon_node *k = n->items[2 * i];
			if (!k || k->type != CORDON_NODE_SCALAR)
				abort();
			count += walk(k, depth + 1);
			count += walk(n->items[2 * i + 1], depth + 1);
			/* Keys are unique and hold no NUL, so looking a key up
			 * by its text finds exactly its own value. */
			if (node_get(n, k->text) != n->items[2 * i + 1])
				abort();
		}
		break;
	default:
		abort();
	}
	return count;
}

static void fuzz_tree(const uint8_t *data, size_t size)
{
	char *err = NULL;
	struct tree *t = tree_parse("fuzz.yaml", (const char *)data, size, &err);
	if (t) {
		if (err) /* success never leaves an error behind */
			abort();
		if (walk(t->root, 0) > POLICY_MAX_NODES)
			abort();
	} else if (!err) {
		abort(); /* every failure explains itself */
	}
	tree_free_list(t);
	free(err);
}

/* ---- 2: typed scalars ---- */

static void fuzz_scalars(const char *s, size_t len)
{
	uint64_t u = 0;
	int64_t i = 0;
	bool named = strcmp(s, "unlimited") == 0 || strcmp(s, "infinity") == 0;
	if (parse_size(s, &u) == 0 && u == CORDON_UNLIMITED && !named)
		abort();
	if (parse_duration(s, &u) == 0 && u == CORDON_UNLIMITED && !named)
		abort();
	if (parse_int(s, &i) == 0) {
		/* Only [+-]digits are integers, and they round-trip. */
		char buf[32];
		snprintf(buf, sizeof(buf), "%lld", (long long)i);
		const char *d = s + (s[0] == '+' || s[0] == '-');
		while (d[0] == '0' && d[1])
			d++;
		if (i != 0 && (strcmp(buf + (buf[0] == '-'), d) != 0 || (i < 0) != (s[0] == '-')))
			abort();
	}
	struct cordon_node n = { .type = CORDON_NODE_SCALAR, .mark = { "fuzz", 1, 1 },
		                 .text = (char *)s, .len = len, .plain = true };
	int b;
	(void)parse_bool(&n, &b);
}

/* ---- 3: the loader ---- */

static void print_escaped(const char *s)
{
	if (!s) {
		fputs("(nothing)", stderr);
		return;
	}
	fputc('"', stderr);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c < 0x20 || *c >= 0x7f || *c == '"' || *c == '\\')
			fprintf(stderr, "\\x%02x", *c);
		else
			fputc(*c, stderr);
	fputc('"', stderr);
}

static void dump_differs(const char *what, const char *want, const char *got, const char *dump)
{
	fprintf(stderr, "fuzz_policy: the dump changes %s: ", what);
	print_escaped(want);
	fputs(" reads back as ", stderr);
	print_escaped(got);
	fprintf(stderr, "\n--- dump:\n%s---\n", dump);
	abort();
}

/* The dump is YAML again, and its scalars read back as the policy's. */
static void check_dump(const cordon_policy *p, const char *dump)
{
	char *err = NULL;
	struct tree *t = tree_parse("dump.yaml", dump, strlen(dump), &err);
	if (!t) {
		fprintf(stderr, "fuzz_policy: the dump does not parse: %s\n%s", err, dump);
		abort();
	}
	const struct cordon_node *r = t->root, *n;
	n = node_get(r, "name");
	if (!n || strcmp(n->text, p->name) != 0)
		dump_differs("the name", p->name, n ? n->text : NULL, dump);
	n = node_get(r, "description");
	if (p->description && (!n || strcmp(n->text, p->description) != 0))
		dump_differs("the description", p->description, n ? n->text : NULL, dump);
	n = node_get(r, "interpreter");
	for (size_t i = 0; i < p->interpreter.n; i++) {
		const char *got = n && n->type == CORDON_NODE_SEQUENCE && i < n->n ? n->items[i]->text : NULL;
		if (!got || strcmp(got, p->interpreter.v[i]) != 0)
			dump_differs("an interpreter argument", p->interpreter.v[i], got, dump);
	}
	n = node_get(r, "env");
	for (size_t i = 0; i < p->n_env; i++) {
		const struct cordon_node *v = node_get(n, p->env[i].name);
		if (!v || strcmp(v->text, p->env[i].value) != 0)
			dump_differs("an env value", p->env[i].value, v ? v->text : NULL, dump);
	}
	tree_free_list(t);
	free(err);
}

static void fuzz_load(const uint8_t *data, size_t size)
{
	write_file(policy_path, data, size);
	struct cordon_load_options opts = { .size = sizeof(opts) };
	char *err = NULL;
	cordon_policy *p = cordon_policy_load(policy_path, &opts, &err);
	if (p) {
		if (err)
			abort();
		if (!cordon_policy_name(p) || !cordon_policy_file(p) || p->n_stack > POLICY_MAX_STACK)
			abort();
		for (size_t k = 0; k < p->n_stack; k++)
			if (!p->stack[k].lm.m || !p->stack[k].opened)
				abort();
		char *dump = cordon_policy_dump(p);
		if (verbose)
			fprintf(stderr, "fuzz_policy: loaded:\n%s", dump ? dump : "(no dump)\n");
		if (dump && dump_check)
			check_dump(p, dump);
		free(dump);
		cordon_policy_free(p);
	} else if (!err) {
		abort();
	} else if (verbose) {
		fprintf(stderr, "fuzz_policy: refused: %s\n", err);
	}
	free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_tree(data, size);

	char *s = xstrndup((const char *)data, size);
	if (!s)
		return 0;
	fuzz_scalars(s, strlen(s));
	free(s);

	fuzz_load(data, size);
	return 0;
}
