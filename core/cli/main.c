/*
 * core/cli/main.c - the cordon command: argument parsing over libcordon.
 *
 * Exit status (as timeout(1) and env(1)): the child's own status; 128+N when
 * signal N killed it; 124 wall timeout; 125 cordon itself failed or the
 * policy is invalid; 126 denied by the check phase; 127 interpreter or
 * command not found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>

#include <cordon/cordon.h>

#include "logverify.h"
#include "mcp.h"
#include "selftest.h"

#define EXIT_USAGE CORDON_EXIT_ERROR

static const char *prog = "cordon";
static unsigned closed_std; /* bit N: descriptor N was closed when cordon started */

struct opts {
	const char *policy_dir;
	const char *policy;
	int json;
	int verbose;
	int audit; /* --audit */
	const char *input;
	const char *output_dir;
	const char *input_dir;
	const char **bind_ro; /* NULL-terminated */
	size_t n_bind;
	const char **sources;
	size_t n_sources;
	const char **tighten; /* per-call settings, "limit:NAME=VALUE" ...; each string owned */
	size_t n_tighten;
};

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: cordon [--policy-dir DIR] [-v] COMMAND ...\n"
	        "\n"
	        "  cordon run   [-p POLICY] [--json] [--audit] [--input FILE|-] [--output-dir DIR] [--input-dir DIR]\n"
	        "               [--bind-ro PATH]... SOURCE|-\n"
	        "  cordon exec  [-p POLICY] [--json] [--audit] [--input FILE|-] [--output-dir DIR] [--input-dir DIR]\n"
	        "               [--bind-ro PATH]... [--source FILE]... -- COMMAND [ARG...]\n"
	        "  cordon check [-p POLICY] [--json] SOURCE...|-\n"
	        "  cordon policy list | show NAME | lint FILE...\n"
	        "\n"
	        "  Per-call settings (run, exec, check, policy show) may only tighten the policy:\n"
	        "  --limit NAME=VALUE (an rlimit key, at most the policy's), --no-network,\n"
	        "  --deny-import MODULE, --pattern REGEX (a pattern_scan rule that denies).\n"
	        "\n"
	        "  cordon modules [NAME]   (NAME: its argument table)\n"
	        "  cordon log verify FILE\n"
	        "  cordon selftest [-p POLICY] [--json]   (what the policy enforces on this host)\n"
	        "  cordon mcp   (a Model Context Protocol server on stdio: execute_code, check_code, list_policies)\n"
	        "  cordon serve [-c FILE] [--socket PATH] [-v]   (the service: warm policies over HTTP)\n"
	        "  cordon stop --all [--socket PATH]   (the service's kill switch; cordon resume undoes it)\n"
	        "  cordon resume [--socket PATH]\n"
	        "  cordon ps [--json] [--socket PATH]   (the service's runs in flight)\n"
	        "  cordon --help | --version\n"
	        "\n"
	        "Policies are found by NAME in --policy-dir, $CORDON_POLICY_DIR, then the\n"
	        "installed policies.d (the source tree's when run from the build tree);\n"
	        "-p path/to/file.yaml loads that file.\n"
	        "The default policy is 'default'.\n"
	        "--audit (or 'mode: audit' in the policy): nothing is denied for policy\n"
	        "reasons; every finding and would-be denial is reported instead.\n"
	        "\n"
	        "Exit status: the program's own; 128+N killed by signal N; 124 wall timeout;\n"
	        "125 cordon failed or the policy is invalid; 126 denied by the checks;\n"
	        "127 interpreter or command not found.\n");
}

static int die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int die_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry 'cordon --help'.\n");
	va_end(ap);
	return EXIT_USAGE;
}

static int push(const char ***v, size_t *n, const char *s)
{
	const char **nv = realloc(*v, (*n + 2) * sizeof(char *));
	if (!nv) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return -1;
	}
	nv[(*n)++] = s;
	nv[*n] = NULL;
	*v = nv;
	return 0;
}

/* ---- signals: cancel the run, then exit 128+N ---- */

static int cancel_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;
	if (cancel_pipe[1] >= 0)
		(void)!write(cancel_pipe[1], &b, 1);
	errno = saved;
}

static void install_signals(void)
{
	if (pipe2(cancel_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		cancel_pipe[0] = cancel_pipe[1] = -1;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

/* ---- printing ---- */

static const char *sev_name(enum cordon_severity s)
{
	static const char *const n[] = { "info", "low", "medium", "high", "critical" };
	return (unsigned)s < 5 ? n[s] : "critical";
}

/* Findings in the order a reader expects of a compiler: by line and
 * column (those about the whole source first), stable otherwise. */
struct sorted_finding {
	size_t i;
	long line, column;
};

static int by_place(const void *a, const void *b)
{
	const struct sorted_finding *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static void print_findings(const cordon_result *r, const char *file_fallback, FILE *f, const char *prefix)
{
	size_t n = cordon_result_finding_count(r);
	struct sorted_finding *order = calloc(n ? n : 1, sizeof(*order));
	for (size_t k = 0; order && k < n; k++) {
		struct cordon_finding fd = { .size = sizeof(fd) };
		order[k].i = k;
		if (cordon_result_finding(r, k, &fd) == 0) {
			order[k].line = fd.line > 0 ? fd.line : 0;
			order[k].column = fd.column > 0 ? fd.column : 0;
		}
	}
	if (order)
		qsort(order, n, sizeof(*order), by_place);
	for (size_t k = 0; k < n; k++) {
		size_t i = order ? order[k].i : k;
		struct cordon_finding fd = { .size = sizeof(fd) };
		if (cordon_result_finding(r, i, &fd) < 0)
			continue;
		const char *file = fd.file ? fd.file : file_fallback;
		fputs(prefix, f);
		if (fd.line > 0)
			fprintf(f, "%s:%ld:%ld: ", file, fd.line, fd.column > 0 ? fd.column : 1);
		else
			fprintf(f, "%s: ", file);
		fprintf(f, "%s: %s [%s/%s]\n", sev_name(fd.severity), fd.message, fd.module, fd.rule);
	}
	free(order);
}

static void print_warnings(const cordon_result *r)
{
	for (size_t i = 0; i < cordon_result_warning_count(r); i++)
		fprintf(stderr, "%s: warning: %s\n", prog, cordon_result_warning(r, i));
}

/* Load the policy; launch_only: nothing will be checked with it (exec
 * without --source), so check modules may leave their scanners unbuilt. */
static cordon_policy *load_for(const struct opts *o, bool launch_only)
{
	struct cordon_load_options lo = {
		.size = sizeof(lo),
		.policy_dir = o->policy_dir,
		.verbose = o->verbose,
		.audit = o->audit,
		.tighten = o->tighten,
		.launch_only = launch_only,
	};
	char *err = NULL;
	cordon_policy *p = cordon_policy_load(o->policy ? o->policy : "default", &lo, &err);
	if (!p) {
		fprintf(stderr, "%s: %s\n", prog, err ? err : "cannot load the policy");
		free(err);
	}
	return p;
}

static cordon_policy *load(const struct opts *o)
{
	return load_for(o, false);
}

/* ---- write errors on cordon's own stdout ---- */

static int stdout_errno; /* the first failed write to stdout */
static bool reported_stdout; /* ... and a message already said so */

/* Flush stdout and remember why it failed, if it did. */
static void flush_stdout(void)
{
	errno = 0;
	if ((fflush(stdout) != 0 || ferror(stdout)) && !stdout_errno)
		stdout_errno = errno ? errno : EIO;
}

static int print_json(const cordon_result *r)
{
	char *js = cordon_result_json(r);
	if (!js) {
		fprintf(stderr, "%s: cannot format the result as JSON\n", prog);
		return -1;
	}
	errno = 0;
	if (puts(js) < 0 && !stdout_errno)
		stdout_errno = errno ? errno : EIO;
	free(js);
	flush_stdout();
	return stdout_errno ? -1 : 0;
}

/* What the program's own status was, for a message that replaces it. */
static void describe_status(const cordon_result *r, char *buf, size_t len)
{
	const char *st = cordon_result_status(r);
	int sig = cordon_result_signal(r);
	int code = cordon_result_exit_status(r);
	if (strcmp(st, "ok") == 0 || strcmp(st, "failed") == 0)
		snprintf(buf, len, "the program exited %d", code);
	else if (sig)
		snprintf(buf, len, "the run ended %s by signal %d", st, sig);
	else
		snprintf(buf, len, "the run's status was %s (exit status %d)", st, code);
}

/* ---- options shared by run, exec and check ---- */

enum {
	OPT_JSON = 256,
	OPT_INPUT,
	OPT_OUTPUT_DIR,
	OPT_INPUT_DIR,
	OPT_BIND_RO,
	OPT_SOURCE,
	OPT_POLICY_DIR,
	OPT_AUDIT,
	OPT_LIMIT,
	OPT_NO_NETWORK,
	OPT_DENY_IMPORT,
	OPT_PATTERN,
};

/* A per-call setting "KIND:VALUE" for cordon_load_options.tighten. */
static int push_tighten(struct opts *o, const char *kind, const char *value)
{
	char *s = malloc(strlen(kind) + strlen(value) + 1);
	if (!s) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return -1;
	}
	strcpy(s, kind);
	strcat(s, value);
	if (push(&o->tighten, &o->n_tighten, s) < 0) {
		free(s);
		return -1;
	}
	return 0;
}

static int parse_sub(int argc, char **argv, struct opts *o, const char *cmd, int *next)
{
	bool is_run = strcmp(cmd, "run") == 0, is_exec = strcmp(cmd, "exec") == 0;
	static const struct option all[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "input", required_argument, NULL, OPT_INPUT },
		{ "output-dir", required_argument, NULL, OPT_OUTPUT_DIR },
		{ "input-dir", required_argument, NULL, OPT_INPUT_DIR },
		{ "bind-ro", required_argument, NULL, OPT_BIND_RO },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "policy-dir", required_argument, NULL, OPT_POLICY_DIR },
		{ "audit", no_argument, NULL, OPT_AUDIT },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "no-network", no_argument, NULL, OPT_NO_NETWORK },
		{ "deny-import", required_argument, NULL, OPT_DENY_IMPORT },
		{ "pattern", required_argument, NULL, OPT_PATTERN },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	optind = 1;
	opterr = 0;
	int c;
	/* "+": stop at the first operand so that a program's own options
	 * after SOURCE or COMMAND are never taken as cordon's. */
	while ((c = getopt_long(argc, argv, "+p:vh", all, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->policy = optarg;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_POLICY_DIR:
			o->policy_dir = optarg;
			break;
		case OPT_AUDIT:
			if (!is_run && !is_exec)
				return die_usage("%s: this option is for run and exec (check reports every finding anyway)",
				                 argv[optind - 1]);
			o->audit = 1;
			break;
		case OPT_INPUT:
		case OPT_OUTPUT_DIR:
		case OPT_INPUT_DIR:
		case OPT_BIND_RO:
		case OPT_SOURCE:
			if (!is_run && !is_exec)
				return die_usage("%s: this option is for run and exec", argv[optind - 1]);
			if (c == OPT_SOURCE && !is_exec)
				return die_usage("%s: --source is for exec (run takes the source as its operand)",
				                 argv[optind - 1]);
			if (c == OPT_INPUT)
				o->input = optarg;
			else if (c == OPT_OUTPUT_DIR)
				o->output_dir = optarg;
			else if (c == OPT_INPUT_DIR)
				o->input_dir = optarg;
			else if (c == OPT_BIND_RO && push(&o->bind_ro, &o->n_bind, optarg) < 0)
				return EXIT_USAGE;
			else if (c == OPT_SOURCE && push(&o->sources, &o->n_sources, optarg) < 0)
				return EXIT_USAGE;
			break;
		case OPT_LIMIT:
		case OPT_NO_NETWORK:
		case OPT_DENY_IMPORT:
		case OPT_PATTERN: {
			if (!is_run && !is_exec && strcmp(cmd, "check") != 0 && strcmp(cmd, "policy") != 0)
				return die_usage("%s: this option is for run, exec, check and policy show",
				                 argv[optind - 1]);
			static const char *const kind[] = { "limit:", "network:", "deny-import:", "pattern:" };
			if (push_tighten(o, kind[c - OPT_LIMIT], c == OPT_NO_NETWORK ? "none" : optarg) < 0)
				return EXIT_USAGE;
			break;
		}
		case ':':
			return die_usage("%s: needs an argument", argv[optind - 1]);
		default:
			return die_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	*next = optind;
	return 0;
}

static int finish_run(cordon_result *r, const struct opts *o)
{
	int status = cordon_result_exit_status(r);
	char what[128];
	describe_status(r, what, sizeof(what));
	if (o->json) {
		if (print_json(r) < 0) {
			if (stdout_errno)
				fprintf(stderr, "%s: cannot write the result to standard output (%s); %s\n", prog,
				        strerror(stdout_errno), what);
			reported_stdout = true;
			status = CORDON_EXIT_ERROR;
		}
		return status;
	}
	print_warnings(r);
	const char *st = cordon_result_status(r);
	if (strcmp(st, "denied") == 0) {
		print_findings(r, "<source>", stderr, "cordon: ");
		if (cordon_result_ran(r))
			fprintf(stderr, "%s: denied by policy while it ran: the program was stopped\n", prog);
		else
			fprintf(stderr, "%s: denied by policy: nothing was run\n", prog);
	} else if (strcmp(st, "error") == 0) {
		print_findings(r, "<source>", stderr, "cordon: ");
		fprintf(stderr, "%s: %s\n", prog, cordon_result_error(r));
	} else {
		print_findings(r, "<source>", stderr, "cordon: ");
		const char *limit = cordon_result_limit(r);
		int sig = cordon_result_signal(r);
		if (strcmp(st, "timeout") == 0)
			fprintf(stderr, "%s: wall time limit reached: the run was killed\n", prog);
		else if (strcmp(st, "killed") == 0 && limit && sig)
			fprintf(stderr, "%s: %s limit reached: killed by signal %d (%s)\n", prog, limit, sig,
			        strsignal(sig));
		else if (strcmp(st, "killed") == 0 && limit)
			fprintf(stderr, "%s: %s limit reached: the run was stopped\n", prog, limit);
		else if (strcmp(st, "killed") == 0 && sig)
			fprintf(stderr, "%s: killed by signal %d (%s)\n", prog, sig, strsignal(sig));
	}
	/* The output streamed as the program wrote it: a write that failed
	 * (a full disk, a reader that went away) lost the rest (the warning
	 * above says which stream and why). */
	int e0 = cordon_result_delivery_errno(r, 0), e1 = cordon_result_delivery_errno(r, 1);
	if ((e0 || e1) && e0 != ECANCELED && e1 != ECANCELED) {
		fprintf(stderr, "%s: exit status 125: the program's output was not all delivered; %s\n", prog, what);
		status = CORDON_EXIT_ERROR;
	}
	return status;
}

/* cordon exits right after a run: the modules' close hooks run (they
 * remove what they made on the host), the rest is left to the exit, which
 * releases it all at once (unloading ten modules and freeing their tables
 * one by one cost about 2 ms of each `cordon exec -p strict`).  A build
 * with a leak checker frees everything, so that the checker still sees a
 * leak of the run's own. */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define CORDON_CLI_FREE_AT_EXIT 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define CORDON_CLI_FREE_AT_EXIT 1
#endif

/* The heap of a run in one huge page.  A run's few hundred KiB of heap
 * (policy trees, rule tables, libseccomp's and PCRE2's working memory) is
 * first touched page by page, and on a virtual machine whose page-table
 * updates trap to the hypervisor those faults are a large share of a
 * launch (measured on a 2-vCPU guest: 512 pages touched one by one 5-7 ms,
 * one 2 MiB transparent huge page 0.2 ms; `cordon exec -p strict` went
 * from 543 to 354 faults).  So before the policy loads, a block is taken
 * from the heap's top up to just below the first 2 MiB boundary past the
 * heap's end - held until the exit, address space only, never written -
 * which grows the heap by the 6 MiB top pad at once; the aligned part of
 * the new space is advised for huge pages, and what the run allocates
 * next starts on the boundary.  Nothing in that part may be written
 * before the advice: a page already there keeps its 2 MiB range to small
 * pages (a heap grown by a block that ended past the boundary, whose
 * split wrote a header there, got no huge page in one run of five).  The
 * layout is checked (the block from the top, the top after it below the
 * boundary); when it is not the one assumed, nothing is advised.  The
 * thresholds keep large blocks in the heap and the heap from being
 * trimmed for the short life of the command.  Where huge pages are off or
 * refused, or with another allocator, nothing changes but the thresholds.
 * Not in a sanitizer build: its allocator is not glibc's, and the held
 * block would be reported as a leak. */
/* volatile: the compiler may not drop the allocation as unused */
static void *volatile heap_held;

static void heap_huge_start(void)
{
#if !defined(CORDON_CLI_FREE_AT_EXIT) && defined(__GLIBC__) && defined(M_TOP_PAD) && defined(MADV_HUGEPAGE) && \
	(__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	const uintptr_t huge = (uintptr_t)2 << 20;
	/* The heap and its per-thread cache made first, at their usual size. */
	heap_held = malloc(1);
	free(heap_held);
	heap_held = NULL;
	if (!mallopt(M_MMAP_THRESHOLD, 8 << 20) || !mallopt(M_TRIM_THRESHOLD, 64 << 20) || !mallopt(M_TOP_PAD, 6 << 20))
		return;
	struct mallinfo2 mi = mallinfo2();
	void *brk_end = sbrk(0);
	if (brk_end == (void *)-1 || (uintptr_t)brk_end < mi.keepcost || mi.keepcost > ((size_t)1 << 20))
		return;
	uintptr_t end = (uintptr_t)brk_end, free_start = end - mi.keepcost; /* the top chunk */
	/* Past the heap's end (so that the block must grow it), with room
	 * for the headers malloc writes below the boundary. */
	uintptr_t first = (end + 65536 + huge - 1) & ~(huge - 1);
	heap_held = malloc(first - free_start - 64);
	if (!heap_held || (uintptr_t)heap_held < free_start || (uintptr_t)heap_held > first)
		return; /* not from the top: the layout is not the one assumed */
	/* The top chunk (what the run allocates from) must start below the
	 * boundary, its header on the page before. */
	mi = mallinfo2();
	brk_end = sbrk(0);
	if (brk_end == (void *)-1 || (uintptr_t)brk_end < mi.keepcost || (uintptr_t)brk_end - mi.keepcost > first)
		return;
	uintptr_t last = (uintptr_t)brk_end & ~(huge - 1);
	if (last > first)
		(void)madvise((void *)first, last - first, MADV_HUGEPAGE); /* advice: refused is fine */
#endif
}

static void policy_done(cordon_policy *p)
{
#ifdef CORDON_CLI_FREE_AT_EXIT
	cordon_policy_free(p);
#else
	cordon_policy_close(p);
#endif
}

static int cmd_run(int argc, char **argv, struct opts *o, bool exec_mode)
{
	heap_huge_start();
	int next = 0;
	int rc = parse_sub(argc, argv, o, argv[0], &next);
	if (rc)
		return rc;
	struct cordon_run_options ro = {
		.size = sizeof(ro),
		.input = o->input,
		.output_dir = o->output_dir,
		.input_dir = o->input_dir,
		.bind_ro = o->bind_ro,
		.stream_stdout_fd = o->json ? -1 : 1,
		.stream_stderr_fd = o->json ? -1 : 2,
		.cancel_fd = cancel_pipe[0],
	};
	if (exec_mode) {
		if (next < argc && strcmp(argv[next - 1], "--") != 0 && strcmp(argv[next], "--") == 0)
			next++;
		if (next >= argc)
			return die_usage("%s", "exec: expected -- COMMAND [ARG...]");
		ro.argv = (const char *const *)&argv[next];
		ro.sources = o->sources;
	} else {
		if (next >= argc)
			return die_usage("%s", "run: expected a SOURCE file, or - for stdin");
		if (next + 1 < argc)
			return die_usage("run: unexpected argument '%s' (one SOURCE; use exec for a command line)",
			                 argv[next + 1]);
		ro.source_path = argv[next];
	}
	if (o->input && strcmp(o->input, "-") == 0 && ro.source_path && strcmp(ro.source_path, "-") == 0)
		return die_usage("%s", "--input - and a SOURCE of - cannot both read stdin");
	if ((closed_std & 1u) && ((o->input && strcmp(o->input, "-") == 0) ||
	                          (ro.source_path && strcmp(ro.source_path, "-") == 0))) {
		fprintf(stderr, "%s: standard input is closed: nothing to read for '-'\n", prog);
		return CORDON_EXIT_ERROR;
	}
	cordon_policy *p = load_for(o, exec_mode && o->n_sources == 0);
	if (!p)
		return CORDON_EXIT_ERROR;
	/* From here on a signal cancels the run (killing its whole tree)
	 * instead of killing cordon; before, nothing was running. */
	install_signals();
	ro.cancel_fd = cancel_pipe[0];
	char *err = NULL;
	cordon_result *r = cordon_run(p, &ro, &err);
	if (!r) {
		fprintf(stderr, "%s: %s\n", prog, err ? err : "run failed");
		free(err);
		policy_done(p);
		return CORDON_EXIT_ERROR;
	}
	rc = finish_run(r, o);
	cordon_result_free(r);
	policy_done(p);
	return rc;
}

static int cmd_check(int argc, char **argv, struct opts *o)
{
	heap_huge_start();
	int next = 0;
	int rc = parse_sub(argc, argv, o, "check", &next);
	if (rc)
		return rc;
	if (next >= argc)
		return die_usage("%s", "check: expected one or more SOURCE files, or -");
	for (int i = next; i < argc; i++)
		if ((closed_std & 1u) && strcmp(argv[i], "-") == 0) {
			fprintf(stderr, "%s: standard input is closed: nothing to read for '-'\n", prog);
			return CORDON_EXIT_ERROR;
		}
	cordon_policy *p = load(o);
	if (!p)
		return CORDON_EXIT_ERROR;
	int status = 0;
	if (o->json)
		fputs("[", stdout);
	for (int i = next; i < argc; i++) {
		char *err = NULL;
		cordon_result *r = cordon_check(p, argv[i], NULL, 0, &err);
		if (!r) {
			fprintf(stderr, "%s: %s\n", prog, err ? err : "check failed");
			free(err);
			status = CORDON_EXIT_ERROR;
			continue;
		}
		const char *st = cordon_result_status(r);
		const char *shown = strcmp(argv[i], "-") == 0 ? "<stdin>" : argv[i];
		if (strcmp(st, "error") == 0) {
			fprintf(stderr, "%s: %s\n", prog, cordon_result_error(r));
			status = CORDON_EXIT_ERROR;
		} else if (strcmp(st, "denied") == 0 && status == 0) {
			status = CORDON_EXIT_DENIED;
		}
		if (o->json) {
			char *js = cordon_result_json(r);
			if (js) {
				fputs(i > next ? "," : "", stdout);
				fputs(js, stdout);
				free(js);
			} else {
				status = CORDON_EXIT_ERROR;
			}
		} else {
			print_findings(r, shown, stdout, "");
			print_warnings(r);
		}
		cordon_result_free(r);
	}
	if (o->json)
		fputs("]\n", stdout);
	cordon_policy_free(p);
	return status;
}

static int cmd_policy(int argc, char **argv, struct opts *o)
{
	int next = 0;
	int rc = parse_sub(argc, argv, o, "policy", &next);
	if (rc)
		return rc;
	if (next >= argc)
		return die_usage("%s", "policy: expected list, show NAME or lint FILE...");
	const char *sub = argv[next++];
	struct cordon_load_options lo = {
		.size = sizeof(lo), .policy_dir = o->policy_dir, .verbose = o->verbose, .tighten = o->tighten
	};
	if (o->n_tighten && strcmp(sub, "show") != 0)
		return die_usage("policy %s: per-call settings (--limit, --no-network, --deny-import, --pattern) are "
		                 "for policy show",
		                 sub);
	if (strcmp(sub, "list") == 0) {
		if (next < argc)
			return die_usage("policy list: unexpected argument '%s'", argv[next]);
		char *err = NULL;
		char **v = cordon_policy_list(&lo, &err);
		if (!v) {
			fprintf(stderr, "%s: %s\n", prog, err ? err : "cannot list policies");
			free(err);
			return CORDON_EXIT_ERROR;
		}
		for (char **p = v; *p; p++) {
			char *tab = strchr(*p, '\t');
			if (tab)
				*tab = '\0';
			printf("%-16s %s\n", *p, tab ? tab + 1 : "");
		}
		cordon_strv_free(v);
		return 0;
	}
	if (strcmp(sub, "show") == 0) {
		/* Options may come between show and NAME too. */
		int more = 0;
		rc = parse_sub(argc - next + 1, argv + next - 1, o, "policy", &more);
		if (rc)
			return rc;
		next += more - 1;
		if (next + 1 != argc)
			return die_usage("%s", "policy show: expected one policy NAME or FILE");
		o->policy = argv[next];
		cordon_policy *p = load(o);
		if (!p)
			return CORDON_EXIT_ERROR;
		char *dump = cordon_policy_dump(p);
		if (dump)
			fputs(dump, stdout);
		free(dump);
		cordon_policy_free(p);
		return dump ? 0 : CORDON_EXIT_ERROR;
	}
	if (strcmp(sub, "lint") == 0) {
		if (next >= argc)
			return die_usage("%s", "policy lint: expected one or more FILEs");
		int status = 0;
		for (int i = next; i < argc; i++) {
			char *err = NULL;
			cordon_policy *p = cordon_policy_load(argv[i], &lo, &err);
			if (!p) {
				fprintf(stderr, "%s: %s\n", prog, err ? err : "invalid policy");
				free(err);
				status = CORDON_EXIT_ERROR;
				continue;
			}
			size_t nw = cordon_policy_warning_count(p);
			for (size_t w = 0; w < nw; w++)
				printf("%s: warning: %s\n", argv[i], cordon_policy_warning(p, w));
			printf("%s: ok (policy '%s')%s\n", argv[i], cordon_policy_name(p),
			       nw ? ", with the warnings above" : "");
			cordon_policy_free(p);
		}
		return status;
	}
	return die_usage("policy: unknown subcommand '%s' (expected list, show or lint)", sub);
}

static int cmd_modules(int argc, char **argv, struct opts *o)
{
	int next = 0;
	int rc = parse_sub(argc, argv, o, "modules", &next);
	if (rc)
		return rc;
	if (next + 1 < argc)
		return die_usage("modules: unexpected argument '%s' (one module NAME, or none)", argv[next + 1]);
	char *err = NULL;
	if (next < argc) {
		/* One module: its declaration and its argument table. */
		char **a = cordon_module_args(argv[next], NULL, &err);
		if (!a) {
			fprintf(stderr, "%s: %s\n", prog, err ? err : "cannot load the module");
			free(err);
			return CORDON_EXIT_ERROR;
		}
		for (char **p = a; *p; p++) {
			const char *f[5] = { *p, "", "", "", "" };
			char *cur = *p;
			for (int k = 1; k < 5; k++) {
				char *tab = strchr(cur, '\t');
				if (!tab)
					break;
				*tab = '\0';
				f[k] = cur = tab + 1;
			}
			if (p == a) {
				printf("%s (ABI %s) %s\n    %s\n", f[0], f[1], f[2], f[3]);
				if (!p[1])
					printf("  no arguments\n");
				else
					printf("  arguments (under with:):\n");
			} else {
				char kind[64];
				snprintf(kind, sizeof(kind), "%s%s%s", f[1], *f[2] ? ", " : "", f[2]);
				printf("    %-16s %-20s %s%s%s%s\n", f[0], kind, f[4], *f[3] ? "  [" : "", f[3], *f[3] ? "]" : "");
			}
		}
		cordon_strv_free(a);
		return 0;
	}
	char **v = cordon_module_list(NULL, &err);
	if (!v) {
		fprintf(stderr, "%s: %s\n", prog, err ? err : "cannot list modules");
		free(err);
		return CORDON_EXIT_ERROR;
	}
	for (char **p = v; *p; p++) {
		const char *f[4] = { *p, "", "", "" };
		char *cur = *p;
		for (int k = 1; k < 4; k++) {
			char *tab = strchr(cur, '\t');
			if (!tab)
				break;
			*tab = '\0';
			f[k] = cur = tab + 1;
		}
		printf("%-14s ABI %-5s %s\n    %s\n", f[0], f[1], f[2], f[3]);
	}
	cordon_strv_free(v);
	return 0;
}

/* ---- standard descriptors ---- */

/* Before anything is opened: a closed 0, 1 or 2 gets /dev/null, so that no
 * log, policy or source cordon opens can land on a standard number (where
 * the program's output would be appended to it, or it would be read as the
 * source).  What was closed is remembered: reading "-" from a closed stdin,
 * or producing output nobody can see, is refused. */
static int guard_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		closed_std |= 1u << fd;
		int n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (n < 0)
			return -1;
		if (n != fd && (dup2(n, fd) < 0 || close(n) < 0))
			return -1;
	}
	return 0;
}

/* serve, stop, resume, ps (and mcp): the service's program, cordon-serve,
 * beside this one (so that running one sandbox never loads an HTTP
 * server).  Its path; -1 when /proc/self/exe cannot be read or the path
 * does not fit. */
static int service_path(char *self, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", self, size - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (!slash || (size_t)(slash - self) + sizeof("/cordon-serve") > size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(slash, "/cordon-serve");
	return 0;
}

/* `cordon mcp` is served by cordon-serve when it is installed beside
 * cordon (sessions and outputs need a service: core/serve/mcpstdio.c);
 * without it, by this program, with every tool but those. */
static bool service_beside(void)
{
	char self[PATH_MAX];
	return service_path(self, sizeof(self)) == 0 && access(self, X_OK) == 0;
}

static int exec_service(const char *cmd, int argc, char **argv, const struct opts *o)
{
	char self[PATH_MAX];
	if (service_path(self, sizeof(self)) < 0)
		return fprintf(stderr, "%s: cannot find its own program's directory (/proc/self/exe): %s\n", prog,
		               strerror(errno)),
		       CORDON_EXIT_ERROR;
	bool mcp = strcmp(cmd, "mcp") == 0;
	/* The global --policy-dir: mcp's own option (searched before
	 * $CORDON_POLICY_DIR, as the in-process server does), else the
	 * service's variable. */
	if (!mcp && o->policy_dir && setenv("CORDON_POLICY_DIR", o->policy_dir, 1) < 0)
		return fprintf(stderr, "%s: %s\n", prog, strerror(errno)), CORDON_EXIT_ERROR;
	char **av = calloc((size_t)argc + 5, sizeof(char *));
	if (!av)
		return fprintf(stderr, "%s: out of memory\n", prog), CORDON_EXIT_ERROR;
	av[0] = self;
	for (int i = 0; i < argc; i++)
		av[i + 1] = argv[i];
	av[1] = (char *)cmd;
	int n = argc + 1;
	if (mcp && o->verbose)
		av[n++] = (char *)"-v"; /* the global -v, as the command's own */
	if (mcp && o->policy_dir) {
		av[n++] = (char *)"--policy-dir";
		av[n++] = (char *)o->policy_dir;
	}
	fflush(stdout);
	execv(self, av);
	int e = errno;
	free(av);
	fprintf(stderr, "%s: %s: %s (cordon %s needs the service program installed beside cordon)\n", prog, self,
	        strerror(e), cmd);
	return e == ENOENT ? CORDON_EXIT_NOTFOUND : CORDON_EXIT_ERROR;
}

int main(int argc, char **argv)
{
	struct opts o;
	memset(&o, 0, sizeof(o));
	if (guard_std_fds() < 0) {
		/* stderr may be the closed one: nothing to print on. */
		return CORDON_EXIT_ERROR;
	}
	/* Global options before the command. */
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--version") == 0) {
			uint32_t abi = cordon_abi_version();
			printf("cordon %s (module ABI %u.%u)\n", cordon_version(), CORDON_ABI_GET_MAJOR(abi),
			       CORDON_ABI_GET_MINOR(abi));
			return 0;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			o.verbose = 1;
		} else if (strcmp(a, "--policy-dir") == 0) {
			if (i + 1 >= argc)
				return die_usage("%s", "--policy-dir: needs a directory");
			o.policy_dir = argv[++i];
		} else if (strncmp(a, "--policy-dir=", 13) == 0) {
			o.policy_dir = a + 13;
		} else {
			return die_usage("unknown option '%s'", a);
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[i];
	int sub_argc = argc - i;
	char **sub_argv = argv + i;
	if (strcmp(cmd, "serve") == 0 || strcmp(cmd, "stop") == 0 || strcmp(cmd, "resume") == 0 ||
	    strcmp(cmd, "ps") == 0)
		return exec_service(cmd, sub_argc, sub_argv, &o);
	if (closed_std & 2u) {
		fprintf(stderr, "%s: standard output is closed: what cordon prints would be lost "
		                "(redirect it to /dev/null to discard it)\n", prog);
		return CORDON_EXIT_ERROR;
	}
	signal(SIGPIPE, SIG_IGN); /* a closed stdout is an error to report, not a death */
	int rc;
	if (strcmp(cmd, "run") == 0)
		rc = cmd_run(sub_argc, sub_argv, &o, false);
	else if (strcmp(cmd, "exec") == 0)
		rc = cmd_run(sub_argc, sub_argv, &o, true);
	else if (strcmp(cmd, "check") == 0)
		rc = cmd_check(sub_argc, sub_argv, &o);
	else if (strcmp(cmd, "policy") == 0)
		rc = cmd_policy(sub_argc, sub_argv, &o);
	else if (strcmp(cmd, "modules") == 0)
		rc = cmd_modules(sub_argc, sub_argv, &o);
	else if (strcmp(cmd, "log") == 0)
		rc = cordon_cli_log(sub_argc, sub_argv);
	else if (strcmp(cmd, "selftest") == 0)
		rc = cordon_cli_selftest(sub_argc, sub_argv, o.policy_dir, o.verbose);
	else if (strcmp(cmd, "mcp") == 0 && service_beside())
		return exec_service(cmd, sub_argc, sub_argv, &o);
	else if (strcmp(cmd, "mcp") == 0)
		rc = cordon_cli_mcp(sub_argc, sub_argv, o.policy_dir, o.verbose);
	else if (strcmp(cmd, "help") == 0) {
		usage(stdout);
		rc = 0;
	} else
		rc = die_usage("unknown command '%s' (expected run, exec, check, policy, modules, log, selftest, mcp, serve, stop, resume or ps)", cmd);
	free(o.bind_ro);
	free(o.sources);
	for (size_t t = 0; t < o.n_tighten; t++)
		free((char *)o.tighten[t]);
	free(o.tighten);
	/* Interrupted: report it as the shell would. */
	unsigned char sig = 0;
	if (cancel_pipe[0] >= 0 && read(cancel_pipe[0], &sig, 1) == 1 && sig)
		rc = 128 + sig;
	flush_stdout();
	if (stdout_errno) {
		if (!reported_stdout)
			fprintf(stderr, "%s: writing to standard output failed (%s)\n", prog, strerror(stdout_errno));
		rc = CORDON_EXIT_ERROR;
	}
	if (fflush(stderr) != 0 || ferror(stderr))
		rc = CORDON_EXIT_ERROR; /* nowhere left to say it */
#ifndef CORDON_CLI_FREE_AT_EXIT
	/* After a run or an exec nothing is left to do at exit: stdout and
	 * stderr are flushed above, the policy's close hooks have run, and
	 * cordon and its modules register no exit handlers.  _exit skips
	 * the destructors of the dozen loaded objects (each reads pages it
	 * never touched before: about 15 page faults of every run). */
	if (strcmp(cmd, "run") == 0 || strcmp(cmd, "exec") == 0)
		_exit(rc);
#endif
	return rc;
}
