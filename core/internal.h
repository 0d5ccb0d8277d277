/*
 * core/internal.h - libcordon's private declarations.
 */
#ifndef CORDON_INTERNAL_H
#define CORDON_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cordon/cordon.h>
#include <cordon/module.h>

#define HIDDEN __attribute__((visibility("hidden")))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Limits on policy input; beyond them the loader reports an error. */
#define POLICY_MAX_BYTES (1024 * 1024) /* one policy or rule file */
#define POLICY_MAX_DEPTH 64 /* YAML nesting */
#define POLICY_MAX_NODES 200000 /* YAML nodes per file */
#define POLICY_MAX_INCLUDE_DEPTH 16
#define POLICY_MAX_STACK 64 /* stack entries after includes */
#define POLICY_MAX_ENV 1024 /* variables in a policy's env */
#define SOURCE_MAX_BYTES (64u * 1024 * 1024) /* a submitted source */
#define RESULT_MAX_FINDINGS 10000 /* per result; more are counted, not kept */
#define RESULT_MAX_WARNINGS 1000

/* ---- util.c ---------------------------------------------------------- */

HIDDEN char *xstrdup(const char *s);
HIDDEN char *xstrndup(const char *s, size_t n);
HIDDEN char *xasprintf(const char *fmt, ...) CORDON_PRINTF(1, 2);
HIDDEN char *xvasprintf(const char *fmt, va_list ap) CORDON_PRINTF(1, 0);
/* Set *err to a formatted message unless it is already set (first error
 * wins).  err may be NULL.  Always returns -1. */
HIDDEN int set_err(char **err, const char *fmt, ...) CORDON_PRINTF(2, 3);
HIDDEN int vset_err(char **err, const char *fmt, va_list ap) CORDON_PRINTF(2, 0);
HIDDEN double now_ms(void); /* CLOCK_MONOTONIC in milliseconds */

/* A growable byte buffer. */
struct strbuf {
	char *data; /* NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
	bool failed; /* an allocation failed; contents are incomplete */
};
HIDDEN int sb_append(struct strbuf *sb, const void *data, size_t len);
HIDDEN int sb_puts(struct strbuf *sb, const char *s);
HIDDEN int sb_printf(struct strbuf *sb, const char *fmt, ...) CORDON_PRINTF(2, 3);
HIDDEN void sb_consume(struct strbuf *sb, size_t n); /* drop n bytes from the front */
HIDDEN void sb_free(struct strbuf *sb);
HIDDEN char *sb_steal(struct strbuf *sb); /* the string (never NULL unless failed) */

/* A NULL-terminated vector of owned strings. */
struct strv {
	char **v;
	size_t n;
	size_t cap;
};
HIDDEN int strv_push(struct strv *sv, const char *s); /* copies s */
HIDDEN int strv_push_owned(struct strv *sv, char *s); /* takes s, frees it on failure */
HIDDEN void strv_clear(struct strv *sv);
HIDDEN int strv_insert_front(struct strv *sv, const char *const *items); /* copies */

/* Overflow-checked allocation of n elements of size sz. */
HIDDEN void *xcalloc(size_t n, size_t sz);
HIDDEN int grow_array(void **arr, size_t *cap, size_t need, size_t elem);

/* Replace invalid UTF-8 with U+FFFD; returns a new NUL-terminated buffer of
 * *outlen bytes (NULs kept), or NULL on allocation failure. */
HIDDEN char *utf8_sanitize(const char *in, size_t len, size_t *outlen);

/* Open a file that configures cordon (policy, rule set, module) and check
 * that it is safe to trust: a regular file, not group- or world-writable,
 * owned by root or (when not running as root) by the effective uid, in a
 * directory that no one else may write to (unless sticky).  Returns an
 * O_CLOEXEC descriptor or -1 with *err set to "PATH: reason". */
HIDDEN int open_trusted(const char *path, const char *what, char **err);
/* Give each closed descriptor 0, 1, 2 /dev/null, so that nothing cordon opens
 * lands on a standard number.  0, or -1 (errno) when /dev/null cannot be had. */
HIDDEN int std_fds_safe(void);
/* Read a whole descriptor, at most max bytes (more is an error). */
HIDDEN int read_all(int fd, size_t max, char **out, size_t *outlen, const char *path, char **err);

/* Directory containing libcordon when it runs from its build tree (the
 * build's lib directory), or NULL when it runs installed. */
HIDDEN const char *build_tree_libdir(void);

/* ---- node.c: YAML tree with marks ------------------------------------ */

struct mark {
	const char *file; /* owned by the tree's arena */
	long line; /* 1-based */
	long column; /* 1-based */
};

struct cordon_node {
	enum cordon_node_type type;
	bool plain; /* scalar written without quotes */
	struct mark mark;
	char *text; /* scalar: NUL-terminated */
	size_t len;
	struct cordon_node **items; /* sequence items; mapping: key, value, key, value... */
	size_t n; /* items, or pairs for a mapping */
};

struct arena;
struct tree {
	struct arena *arena;
	struct cordon_node *root;
	char *file; /* canonical path, in the arena */
	struct tree *next; /* trees are kept in lists by their owner */
};

/* Parse a YAML text into a tree.  file names the text in marks. */
HIDDEN struct tree *tree_parse(const char *file, const char *text, size_t len, char **err);
/* Open with open_trusted, read and parse. */
HIDDEN struct tree *tree_load_file(const char *path, const char *what, char **err);
HIDDEN void tree_free_list(struct tree *t);
HIDDEN const struct cordon_node *node_get(const struct cordon_node *map, const char *key);
HIDDEN const char *node_type_name(const struct cordon_node *n);
HIDDEN int err_at(char **err, const struct cordon_node *n, const char *fmt, ...) CORDON_PRINTF(3, 4);
HIDDEN int verr_at(char **err, const struct mark *m, const char *fmt, va_list ap) CORDON_PRINTF(3, 0);

/* ---- args.c: typed scalars ------------------------------------------- */

HIDDEN int parse_int(const char *s, int64_t *out);
struct loaded_module;
/* A module's config table (ABI 1.4) checked at load: -1 and *err naming the
 * module's file when it is malformed; lm->args and lm->cfg set. */
HIDDEN int config_table_load(struct loaded_module *lm, char **err);
/* Fill a config struct from `with:` and the table's defaults (after
 * args_validate): enumerations and paths resolved; -1 and *err at the node. */
struct entry;
HIDDEN int config_fill(struct entry *e, char **err);
HIDDEN int parse_bool(const struct cordon_node *n, int *out);
HIDDEN int parse_size(const char *s, uint64_t *out);
HIDDEN int parse_duration(const char *s, uint64_t *ns);
/* Check a node against an argument declaration, reporting at the node. */
HIDDEN int arg_validate(const char *module, const struct cordon_arg *spec, const struct cordon_node *n,
                        char **err);
/* Check a `with:` mapping against a module's table. */
HIDDEN int args_validate(const char *module, const struct cordon_arg *specs,
                         const struct cordon_node *with, const struct mark *entry, char **err);

/* ---- modload.c ------------------------------------------------------- */

struct loaded_module {
	void *dl;
	const struct cordon_module *m;
	char *path; /* where it was found */
	/* The argument table the core checks `with:` against: the module's
	 * `args`, or one made from its config table (ABI 1.4; owned). */
	const struct cordon_arg *args;
	struct cordon_arg *own_args;
	const struct cordon_config_arg **cfg; /* the config table's entries, or NULL */
	size_t n_cfg;
};

/* Search order for modules (colon-separated lists allowed in each). */
HIDDEN int module_search_dirs(const char *extra, struct strv *dirs);
HIDDEN int module_load(const char *ref, const char *policy_dir, const struct strv *dirs,
                       struct loaded_module *out, char **err);
HIDDEN void module_unload(struct loaded_module *lm);
/* Whether the core calls hook at byte offset off for this module. */
HIDDEN bool module_has(const struct cordon_module *m, size_t off);
#define MODULE_HOOK(m, hook) \
	(module_has((m), offsetof(struct cordon_module, hook)) ? (m)->hook : NULL)

/* ---- policy.c -------------------------------------------------------- */

enum control {
	CONTROL_REQUIRED = 0,
	CONTROL_REQUISITE,
	CONTROL_SUFFICIENT,
	CONTROL_OPTIONAL,
};
HIDDEN const char *control_name(enum control c);

enum phase {
	PHASE_OPEN = 0,
	PHASE_CHECK,
	PHASE_PREPARE,
	PHASE_CONFINE,
	PHASE_FILTER,
	PHASE_FINISH,
	PHASE_CLOSE,
	PHASE_WATCH, /* a launch_watch callback while the program runs */
	PHASE_REQUIRE, /* the requirements hook (require.c), outside any run */
	PHASE_EVENT, /* the event hook (event.c), outside any run */
};

struct run;
struct cordon_ctx {
	const struct cordon_core_api *api; /* first: see struct cordon_ctx_public */
	struct cordon_policy *policy;
	struct entry *entry;
	enum phase phase;
	struct run *run; /* during check/prepare/filter/finish */
	char **err; /* during open: where policy errors go */
};

struct entry {
	char *ref; /* `module:` as written */
	struct mark mark; /* of the stack entry */
	enum control control;
	const struct cordon_node *with; /* NULL when absent */
	char *policy_dir; /* directory of the file the entry is written in */
	struct loaded_module lm;
	void *state;
	bool opened;
	struct cordon_ctx ctx;
	struct tree *extra_trees; /* rule files loaded through load_yaml */
	struct strv owned; /* strings handed out with the module's lifetime */
	void *config; /* the module's config struct (ABI 1.4), filled before open */
	void *run_state; /* this run's state (ABI 1.4 run_state_size), or NULL */
	void **config_allocs; /* what config points into: STRINGS arrays */
	size_t n_config_allocs;
	char *last_error; /* cordon_error outside open: why the hook failed */
	const char *verdict; /* for the result's "modules" (static string) */
	double ms; /* time spent in this module's hooks during the run */
};

/* A checker process (checker.c): the check hooks run there, confined. */
struct checker {
	pid_t pid; /* -1: not running */
	pid_t owner; /* the process that started it (its parent) */
	int fd; /* the parent's end of its socket */
	volatile int32_t *progress; /* shared page: the entry whose hook runs */
	bool pooled; /* started ahead of its run (cordon_checker_start), not sent a source yet */
	bool warm; /* warming up (started ahead): says CHECKER_READY when done, before its first request */
};

struct env_var {
	char *name;
	char *value;
};

struct cordon_policy {
	char *name;
	char *description;
	char *file; /* the top-level policy file */
	struct strv interpreter;
	struct env_var *env;
	size_t n_env;
	bool has_env;
	struct entry *stack;
	size_t n_stack;
	struct tree *trees; /* every policy file read, kept for marks and nodes */
	struct synth *synth; /* nodes the core made: merged overrides, per-call settings */
	struct strv tightened; /* the per-call settings applied, as given ("limit:memory=128M") */
	struct strv open_warnings; /* cordon_warning during open: in every result */
	struct strv lint_warnings; /* what `policy lint` says: likely mistakes (policy.c) */
	bool isolation_none; /* `isolation: none`: no backend on purpose */
	bool no_backend; /* no isolation backend, not on purpose: every run says so */
	int verbose;
	bool audit; /* `mode: audit` or cordon_load_options.audit */
	bool launch_only; /* cordon_load_options.launch_only: no source will be checked */
	bool closed; /* cordon_policy_close: the modules' states are gone; nothing more runs */
	struct strv *requirements; /* during a requirements hook: where require adds (require.c) */
	bool requirements_bad; /* a require call of that hook was refused */
	struct shared_data *data; /* set_data / get_data */
	size_t n_data;
	struct checker checker; /* cordon_check's checker process (checker.c) */
	volatile int32_t *checker_progress; /* inside a checker: where it says which hook runs */
	unsigned char *check_buf; /* cordon_check: sources are read here, buffer reused */
	size_t check_cap;
};

/* A mapping or sequence the core composed from nodes of several trees (an
 * override merged into an included entry, a per-call setting): the items
 * are borrowed from the policy's trees, only the array is owned. */
struct synth {
	struct synth *next;
	struct cordon_node node;
	char *text; /* a scalar's text, when the core made it */
};
HIDDEN struct cordon_node *synth_new(cordon_policy *p, enum cordon_node_type t, const struct mark *m, size_t n);
/* tighten.c: per-call settings that may only tighten the loaded stack
 * (cordon_load_options.tighten); before the entries are opened. */
HIDDEN int policy_tighten(cordon_policy *p, const char *const *items, char **err);

/* A named value the policy's modules share (set_data / get_data). */
struct shared_data {
	char *name;
	void *data;
	size_t len;
};

HIDDEN const struct cordon_core_api *core_api(void);
/* require.c: the require service (ABI 1.5). */
HIDDEN int policy_require(cordon_ctx *ctx, const char *property, const char *value);

/* Search order for policies. */
HIDDEN int policy_search_dirs(const char *extra, struct strv *dirs);

/* ---- dispatch.c ------------------------------------------------------ */

enum action {
	ACT_OK = 0, /* counts as a pass; go on */
	ACT_DONE, /* pass and end the phase here, unless something failed */
	ACT_BAD, /* failure; go on so every finding is reported */
	ACT_DIE, /* failure; end the phase now */
	ACT_IGNORE, /* does not count either way */
	ACT_ERROR, /* the module could not decide: the run is an error (125), now */
};
HIDDEN enum action control_action(enum control c, enum cordon_verdict v);
HIDDEN const char *verdict_name(int v);

/* ---- result.c -------------------------------------------------------- */

struct finding {
	char *module;
	char *rule;
	enum cordon_severity severity;
	char *message;
	long line;
	long column;
	char *file;
};

/* A file collected from /output into --output-dir (outputs.c). */
struct output {
	char *path; /* relative to --output-dir */
	uint64_t size;
	char sha256[65];
};

struct redaction {
	char *module;
	char *rule;
	enum cordon_stream stream;
	uint64_t count;
};

struct connection {
	char *method, *host, *verdict, *rule, *address, *reason;
	int port;
	uint64_t bytes_out, bytes_in;
	double ms;
};

struct module_report {
	char *name; /* a copy: results outlive their policy */
	enum control control;
	const char *verdict; /* static string */
	double ms;
};

enum status {
	ST_OK = 0,
	ST_FAILED,
	ST_DENIED,
	ST_TIMEOUT,
	ST_KILLED,
	ST_ERROR,
};

struct cordon_result {
	char *policy;
	enum status status;
	char *error; /* status error */
	int error_exit; /* 125 or 127 */
	int exit_code; /* -1: none */
	int signal; /* 0: none */
	const char *limit; /* static string or NULL */
	struct strbuf out[2]; /* stdout, stderr */
	bool truncated[2];
	int delivery_errno[2]; /* first failed write to the caller's stream descriptor */
	struct finding *findings;
	size_t n_findings, cap_findings;
	struct redaction *redactions;
	size_t n_redactions, cap_redactions;
	struct output *outputs;
	size_t n_outputs, cap_outputs;
	struct connection *connections;
	size_t n_connections, cap_connections, dropped_connections;
	struct module_report *modules;
	size_t n_modules;
	struct strv warnings;
	struct strv tightened; /* the policy's per-call settings */
	char *caller; /* who asked for the run (cordon_run_options.caller), or NULL */
	double wall_ms, cpu_ms;
	long max_rss_kb;
	uint64_t tree_memory_peak; /* bytes, from the budget samples */
	long context_switches;
	const char *enforced_by; /* which mechanism held the tree's budgets (static), or NULL */
	bool oom_killed; /* the run's cgroup saw an OOM kill */
	const char *output_enforced_by; /* --output-dir: "tmpfs" or "supervisor" (static), or NULL */
	bool ran; /* the program was started (exec reached) */
	char *check_file; /* set for results of cordon_check */
	bool audit; /* the policy ran in audit mode */
	size_t dropped_findings;
	size_t dropped_warnings;
};

HIDDEN cordon_result *result_new(const cordon_policy *p);
HIDDEN int result_add_connection(cordon_result *r, const struct cordon_connection *c);
HIDDEN int result_add_finding(cordon_result *r, const char *module, const char *rule,
                              enum cordon_severity sev, long line, long col, const char *file,
                              const char *msg);
HIDDEN int result_add_redaction(cordon_result *r, const char *module, const char *rule,
                                enum cordon_stream stream, uint64_t count);
HIDDEN void result_warn(cordon_result *r, const char *fmt, ...) CORDON_PRINTF(2, 3);
HIDDEN void result_set_error(cordon_result *r, int exit_status, const char *fmt, ...)
	CORDON_PRINTF(3, 4);
HIDDEN const char *status_name(enum status s);
HIDDEN const char *severity_name(enum cordon_severity s);

/* ---- run.c / check ------------------------------------------------------ */

struct source {
	char *name;
	int fd; /* sealed memfd, O_RDWR as created */
	int rofd; /* read-only descriptor for the child */
	const unsigned char *map; /* read-only mapping, or NULL when empty */
	bool borrowed; /* map is not this source's (`cordon check`: a buffer the policy keeps) */
	size_t len;
	const char *language;
};

/* What child_exit_status sends with the wait status (REC_STATUS text). */
struct exit_report {
	int64_t utime_us, stime_us, maxrss_kb;
};

/* launch_clone_ns: this run's child is created directly in new namespaces. */
struct clone_req {
	bool requested;
	unsigned long flags;
	unsigned uid, gid, host_uid, host_gid;
	bool have_status; /* child_exit_status seen */
	int status;
	struct exit_report usage;
	/* The run ended on the report: the child (exiting) is reaped in
	 * run_end, after the finish phase. */
	pid_t pending;
	int pending_fd;
};

/* A run in progress: what hooks see through their context. */
#define RUN_MAX_PASS_FDS 16
#define RUN_MAX_WATCHES 64
struct watch;
/* Budgets for the whole process tree (budget.c), sampled by the supervisor. */
struct budget {
	pid_t self; /* the supervisor: the tree is below it */
	uint64_t max_memory, max_cpu_ns, max_processes; /* 0: none */
	uint64_t peak_memory, cpu_ns, peak_processes; /* what the samples saw */
	unsigned samples;
	const char *exceeded; /* "memory", "cpu", "processes" or NULL */
};
/* One sample of the tree (pre: the caller's own children from before the
 * run, not counted): 1 when a budget is passed (b->exceeded says which). */
HIDDEN int budget_sample(struct budget *b, const pid_t *pre, size_t n_pre);

/* --output-dir (outputs.c): a tmpfs of the budget's size that the backend
 * mounts at /output and hands over (give_output), or else a private staging
 * directory the backend shows there, sampled while the program runs;
 * collected after it. */
#define OUTPUT_DIR_DEFAULT_BYTES (64u * 1024 * 1024)
#define OUTPUT_DIR_DEFAULT_ENTRIES 4096u
#define OUTPUT_SAMPLE_MS 100
struct outputs {
	char *parent; /* TMPDIR/cordon-out.XXXXXX, mode 0711 */
	char *staging; /* parent/o, mode 0777: what the backend shows */
	int staging_fd; /* -1: no --output-dir */
	int tmpfs_fd; /* /output's tmpfs (give_output), or -1: the staging directory is used */
	bool sample_entries; /* the tmpfs has no inode cap of the budget's: entries are sampled */
	int dest_fd; /* the caller's directory, opened without following links */
	uint64_t max_bytes, max_entries; /* the budget (rlimit: output_dir, output_files) */
	uint64_t peak_bytes; /* the most the samples saw */
	uint64_t copied; /* bytes copied out */
	uint64_t entries; /* entries looked at while copying out */
	bool over; /* over the budget */
};
HIDDEN void outputs_init(struct outputs *o);
/* Open dest (canonical, checked) and make the staging directory; -1 with
 * the result's error set. */
HIDDEN int outputs_begin(struct outputs *o, const char *dest, cordon_result *r);
/* The root of /output's tmpfs from the child (REC_OUTPUT_FD): checked and
 * kept (0), or refused with a warning (-1; the caller closes fd). */
HIDDEN int outputs_take_tmpfs(struct outputs *o, int fd, cordon_result *r);
/* A sample of the staging tree: true when it is over the budget (never
 * with a tmpfs, which the kernel bounds). */
HIDDEN bool outputs_over(struct outputs *o);
/* Copy regular files and directories into dest and list them in r. */
HIDDEN void outputs_collect(struct outputs *o, cordon_result *r);
/* Remove the staging directory, close everything (r may be NULL). */
HIDDEN void outputs_end(struct outputs *o, cordon_result *r);

/* The run's own cgroup v2 (cgroup.c), where the host delegates one. */
struct run_cgroup {
	char *dir; /* PARENT/cordon-PID-N, or NULL */
	int procs_fd; /* its cgroup.procs, for the child to join; -1: none */
	bool memory, pids; /* memory.max, pids.max hold the budget */
};
HIDDEN void run_cgroup_init(struct run_cgroup *cg);
/* Before the fork: a cgroup for a run with these budgets (0: none), where
 * one is usable; else a warning, once per process.  -1 out of memory. */
HIDDEN int run_cgroup_begin(struct run_cgroup *cg, uint64_t memory, uint64_t processes, int verbose,
                            cordon_result *r);
/* While the run goes on: true (once) when the program was moved out of the
 * cgroup (a module's own cgroup): it holds no budget any more. */
HIDDEN bool run_cgroup_left(struct run_cgroup *cg);
/* After the tree is gone: peak memory, OOM kills, enforced_by. */
HIDDEN void run_cgroup_report(struct run_cgroup *cg, cordon_result *r);
/* Remove it (r may be NULL). */
HIDDEN void run_cgroup_end(struct run_cgroup *cg, cordon_result *r);

struct run {
	cordon_policy *policy;
	cordon_result *result;
	struct strv source_paths; /* launch_sources: canonical host paths, "" for none */
	/* launch, built by prepare hooks */
	struct strv argv;
	struct strv env; /* NAME=VALUE */
	uint64_t wall_ns; /* 0: none */
	uint64_t output_cap; /* 0: none */
	uint64_t limit_cpu_ns, limit_memory, limit_file_size, limit_processes;
	struct source *sources;
	size_t n_sources;
	const struct source *cur_source; /* during check */
	/* launch_pass_fd: descriptors for the child, -1 once closed */
	int pass_fds[RUN_MAX_PASS_FDS];
	bool pass_keep[RUN_MAX_PASS_FDS]; /* CORDON_FD_KEEP_EXEC */
	int n_pass;
	/* launch_watch */
	struct watch *watches;
	size_t n_watches;
	/* run_abort: why a module ended the run from a watch callback */
	char *abort_msg;
	/* run_deny: why a module denied what the program did at run time */
	char *deny_msg;
	struct clone_req clone; /* launch_clone_ns */
	/* --output-dir and --bind-ro as the child gets them (prepare) */
	const char *output_dir;
	const char *const *bind_ro;
	const char *input_dir; /* --input-dir, canonical */
	struct checker checker; /* the run's checker (checker.c) */
	struct checker *check_with; /* cordon_check_with: the caller's checker for this check, or NULL */
	struct outputs outputs; /* --output-dir (outputs.c) */
	struct run_cgroup cgroup; /* the run's cgroup (cgroup.c) */
	int cancel_fd; /* the caller's, or -1 */
};

/* The launch services kept with the supervisor (api.c calls them). */
HIDDEN int run_clone_ns(struct run *run, unsigned long flags, unsigned uid, unsigned gid, unsigned host_uid,
                        unsigned host_gid, const char **why);
HIDDEN int run_child_exit_status(const struct cordon_child *child, int wstatus);

struct watch {
	int fd;
	int (*cb)(cordon_ctx *ctx, void *state, int fd, short revents);
	struct entry *entry;
	bool active;
};

struct cordon_buf {
	struct strbuf sb;
};

HIDDEN int source_seal_data(const void *data, size_t len, const char *name, struct source *s,
                            char **err);
HIDDEN void source_close(struct source *s);
HIDDEN const char *language_of(const char *name, const struct strv *interpreter);
/* `cordon run SOURCE`: -1 with a message in *err when SOURCE's name says a
 * language other than the one the policy's interpreter runs; 0 otherwise. */
HIDDEN int source_language_refused(const cordon_policy *p, const char *path, char **err);
/* The check phase over one source; returns the phase verdict. */
/* The check phase over one source: CORDON_PASS, CORDON_DENY, or
 * CORDON_ERROR (the result then holds the error: a module could not
 * check, or the checker failed).  The hooks run in a confined checker
 * process (checker.c); their findings, warnings and verdicts come back
 * into run->result and the entries. */
HIDDEN int check_phase(struct run *run, const struct source *src);

/* What one source's check left for an entry: the code its hook returned
 * (CORDON_PASS..CORDON_ERROR), CHECK_NO_HOOK, or CHECK_NOT_RUN (the phase
 * ended before it), and the time its hook took. */
#define CHECK_NO_HOOK (-1)
#define CHECK_NOT_RUN (-2)
struct check_out {
	int code;
	double ms;
};
/* Run the check hooks in this process (dispatch.c): findings and warnings
 * go to run->result, out[i] (one per entry) says what each did; a module
 * error of a required or requisite entry sets the result's error.  Returns
 * as check_phase. */
HIDDEN int check_hooks(struct run *run, const struct source *src, struct check_out *out);
/* Fold one source's out[] into the entries: the worst verdict of a module
 * over several sources is kept, times add up. */
HIDDEN void check_merge(cordon_policy *p, const struct check_out *out);
HIDDEN void checker_init(struct checker *c);
/* A checker, if started: ended and reaped (the run's before the program
 * starts and in run_end; the policy's in cordon_policy_free). */
HIDDEN void checker_stop(struct checker *c);
/* The run's checks are done: its socket closed, so that the checker ends
 * while the run is prepared; checker_stop still reaps it (before the
 * program starts).  One started ahead and never sent a source is killed
 * and reaped in run_end. */
HIDDEN void checker_release(struct checker *c);
/* cordon_run_options.checker: taken into run->checker when it was started
 * for this policy by this process, else ended (a fresh checker will check,
 * and the result says why).  The handle is freed either way. */
HIDDEN void checker_adopt(struct run *run, cordon_checker *h);
HIDDEN struct checker *checker_for_check(cordon_policy *p, cordon_checker *h, const char **why);
/* Inside a checker, before an entry's check hook: say which (so that a
 * crash is blamed on it).  Nothing outside a checker. */
HIDDEN void checker_announce(cordon_policy *p, size_t entry);

#endif /* CORDON_INTERNAL_H */
