/*
 * cordon/cordon.h - embedding API: load a policy, check a source, run, read
 * the result, free.
 *
 * libcordon never exits the calling process and never writes to its stdout;
 * errors come back as one-line messages (`FILE:LINE:COLUMN: what was
 * expected`) in a string the caller frees with free().
 *
 * Threads: one policy is used by one thread at a time.  cordon_run forks; the
 * calling process is a child subreaper (PR_SET_CHILD_SUBREAPER) while a run
 * is in progress so that descendants which daemonize can still be killed, and
 * every process that becomes its child during the run (other than children it
 * had before the run started) is killed and reaped before cordon_run returns.
 * Because that is process-wide, runs are serialised by a lock: one cordon_run
 * at a time per process.  The process must not ignore SIGCHLD (SIG_IGN or
 * SA_NOCLDWAIT); cordon_run then returns an error result instead of running.
 * SIGPIPE is blocked in the calling thread while a run writes its output.
 */
#ifndef CORDON_CORDON_H
#define CORDON_CORDON_H

#include <stddef.h>
#include <stdint.h>

#include <cordon/module.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CORDON_API __attribute__((visibility("default")))

typedef struct cordon_policy cordon_policy;
typedef struct cordon_result cordon_result;

/* Exit statuses, as timeout(1) and env(1). */
#define CORDON_EXIT_TIMEOUT 124
#define CORDON_EXIT_ERROR 125
#define CORDON_EXIT_DENIED 126
#define CORDON_EXIT_NOTFOUND 127

/* The library's version, e.g. "0.1.0" (not the module ABI). */
CORDON_API const char *cordon_version(void);
/* CORDON_ABI_VERSION of the running library. */
CORDON_API uint32_t cordon_abi_version(void);

struct cordon_load_options {
	size_t size; /* sizeof(struct cordon_load_options) */
	/* Searched first for a policy NAME (not a path); may be NULL. */
	const char *policy_dir;
	/* Modules are searched here before $CORDON_MODULE_PATH; may be NULL. */
	const char *module_path;
	int verbose; /* module DEBUG/INFO logs to stderr */
	/* Load in audit mode whatever the policy's `mode:` says (the CLI's
	 * --audit): check-phase denials do not stop the run, modules report
	 * what they would have denied.  Isolation and limits still hold. */
	int audit;
	/* Per-call settings that may only tighten the policy, NULL-terminated
	 * (may be NULL): "limit:NAME=VALUE" (an rlimit key, at most the
	 * policy's value), "network:none", "deny-import:MODULE" (pyimport),
	 * "pattern:REGEX" (an inline pattern_scan rule of severity critical).
	 * One that would loosen the policy, or that the stack has no module
	 * for, makes the load fail naming the policy's value.  Every result
	 * lists them under "tightened". */
	const char *const *tighten;
	/* Nonzero: this policy will only launch commands, no source will be
	 * checked with it (the CLI's `cordon exec` without --source).  Check
	 * modules may then leave what only their check hook uses (compiled
	 * scanners, automata) unbuilt: a check that comes after all builds it
	 * then, in the checker process.  Every policy error is still reported
	 * here.  (ABI 1.7.) */
	int launch_only;
};

/*
 * Load the policy NAME (searched in opts->policy_dir, $CORDON_POLICY_DIR,
 * the installed policies.d, then the build tree's when running uninstalled)
 * or the file PATH (anything with a '/' or ending in .yaml/.yml).  Every
 * module of the stack is loaded and opened.  Returns NULL and sets *err
 * (free it with free()) on any error.  opts may be NULL.
 */
CORDON_API cordon_policy *cordon_policy_load(const char *name_or_path,
                                             const struct cordon_load_options *opts, char **err);
CORDON_API void cordon_policy_free(cordon_policy *policy);
/*
 * For a process that exits right after: stop the policy's checker and run
 * every module's close hook (what a module made on the host, such as a
 * temporary directory or a proxy, is removed), but unload nothing and free
 * no memory: the kernel releases the whole process at once, faster than
 * freeing it piece by piece (`cordon run` and `cordon exec` end so).  The
 * policy may then only be passed to cordon_policy_free, which frees what is
 * left, or be left to the exit: a run, check, checker, event or
 * requirements call on it is refused with an error.  (ABI 1.8.)
 */
CORDON_API void cordon_policy_close(cordon_policy *policy);
CORDON_API const char *cordon_policy_name(const cordon_policy *policy);
CORDON_API const char *cordon_policy_file(const cordon_policy *policy);
/* The language the policy's interpreter runs ("python", "javascript",
 * "shell", "java"), told by the interpreter's file name as `cordon run`
 * tells it; NULL when cordon does not know it.  A static string. */
CORDON_API const char *cordon_policy_language(const cordon_policy *policy);
/* The policy's interpreter command (NULL-terminated, owned by the policy),
 * or NULL when it has none: what `cordon run` executes the source with. */
CORDON_API const char *const *cordon_policy_interpreter(const cordon_policy *policy);
/* Nonzero when the policy's stack has an isolation backend (namespaces,
 * bwrap, landlock: a module that honours output_dir, input_dir and
 * bind_ro), without which cordon_run refuses those options. */
CORDON_API int cordon_policy_isolated(const cordon_policy *policy);
/* What `cordon policy lint` warns of: what loads but is almost certainly a
 * mistake (no isolation backend, a wall timeout below the CPU limit, an
 * interpreter that is not there, ...).  Valid while the policy is. */
CORDON_API size_t cordon_policy_warning_count(const cordon_policy *policy);
CORDON_API const char *cordon_policy_warning(const cordon_policy *policy, size_t i);
/*
 * The resolved policy (after includes) as YAML text, each stack entry
 * annotated with the file:line it came from; free() it.
 */
CORDON_API char *cordon_policy_dump(const cordon_policy *policy);
/* 1 when the policy is loaded in audit mode (its `mode: audit`, or
 * cordon_load_options.audit): check-phase denials and seccomp report, they
 * do not stop the run (ABI 1.5). */
CORDON_API int cordon_policy_audit(const cordon_policy *policy);
/*
 * What the policy promises to `cordon selftest` (ABI 1.5): one string per
 * promise, "MODULE\tPROPERTY\tVALUE", as each module's requirements hook
 * states it for its configuration (module.h, CORDON_PROP_*: the property's
 * name, and the value expected, empty when the property only holds or
 * not).  The core's own promises come first under the module name
 * "(core)"; a module of the stack that promises nothing gives one line
 * "MODULE\t\t".  In stack order; NULL-terminated, free with
 * cordon_strv_free.  NULL and *err (naming the module's stack entry) when
 * a module's hook fails or states a malformed property.
 */
CORDON_API char **cordon_policy_requirements(cordon_policy *policy, char **err);

/* Hand an event of the policy's life outside a run to the modules that
 * record them (an audit log: the event hook, module ABI 1.6), as a run's
 * outcome is handed to finish: json is one JSON object with "event"
 * naming it, "status" ("ok", "denied" or "error") and "findings" (an
 * array, as in a result), and whatever else identifies it (cordon serve's
 * session cells: "session", "cell", "caller"); code/code_len the source
 * it concerns (its sha256 is recorded), or NULL.  0, or -1 and *err naming
 * the module whose hook failed (the others are still called). */
CORDON_API int cordon_policy_event(cordon_policy *policy, const char *json, const void *code, size_t code_len,
                                   char **err);

/* Policies found on the search path, each name once (the first found wins),
 * sorted, as "NAME\tPATH"; NULL-terminated, free with cordon_strv_free.
 * *err set on error. */
CORDON_API char **cordon_policy_list(const struct cordon_load_options *opts, char **err);
/* Every module found on the module path: "NAME\tABI\tPATH\tDESCRIPTION" per
 * entry (ABI as "MAJOR.MINOR", or an error text where it cannot be loaded). */
CORDON_API char **cordon_module_list(const struct cordon_load_options *opts, char **err);
/* One module's declaration, loaded from the module path: the first string
 * is "NAME\tMAJOR.MINOR\tPATH\tDESCRIPTION", then one per argument,
 * "NAME\tTYPE\trequired-or-empty\tBOUNDS-or-empty\tHELP".  NULL-terminated;
 * free with cordon_strv_free.  NULL and *err when it cannot be loaded. */
CORDON_API char **cordon_module_args(const char *name, const struct cordon_load_options *opts, char **err);
CORDON_API void cordon_strv_free(char **v);

/* Run the check phase over a source file (path, or NULL for data/len). */
CORDON_API cordon_result *cordon_check(cordon_policy *policy, const char *path, const void *data,
                                       size_t len, char **err);

/*
 * A checker started ahead of a run (ABI 1.6).  cordon_run checks a run's
 * sources in a confined checker process of the run's own (forked from the
 * caller, then its descriptors closed, its rlimits set, root dropped to
 * uid 65534, capabilities cleared, no_new_privs and a seccomp allow list,
 * all before it reads any source), ended before the program starts.  A
 * caller that launches many runs (cordon serve) can start that process
 * before a run is asked for, off its request path: cordon_checker_start
 * forks and confines it exactly as cordon_run would and returns at once;
 * the handle goes to ONE run (cordon_run_options.checker), which takes it.
 * A handle is a child process of the caller: the caller must not reap it
 * (a waitpid(-1) loop would make it unusable: the run then falls back to
 * a fresh checker) and must use it in the same process and thread that
 * started it (the checker dies with that thread, PR_SET_PDEATHSIG).  The
 * policy must outlive the handle (a run checks that the handle is its
 * policy's by the policy object's address).  For a policy without check
 * hooks no process is started (the handle is still valid and pid 0).
 */
typedef struct cordon_checker cordon_checker;
/* NULL and *err (free it) when the process cannot be started. */
CORDON_API cordon_checker *cordon_checker_start(cordon_policy *policy, char **err);
/* End a checker that was never given to a run (NULL: nothing). */
CORDON_API void cordon_checker_free(cordon_checker *checker);
/* The checker's process id, 0 when none runs. */
CORDON_API int cordon_checker_pid(const cordon_checker *checker);
/*
 * cordon_check of len bytes of data (as cordon_check with a NULL path),
 * checked in the caller's checker (cordon_checker_start) instead of the
 * policy's own: a caller that checks sources of different callers keeps
 * them apart (cordon serve: a checker per session, one per spare worker).
 * The checker stays the caller's, for more checks, until
 * cordon_checker_free; it must not also be given to a run.  One that
 * ended meanwhile is replaced by a fresh one (a warning says so); one
 * started for another policy object or in another process makes the
 * check an error (nothing is checked: the policy's own checker would not
 * keep the caller's sources apart).  checker NULL: cordon_check.
 * (ABI 1.8.)
 */
CORDON_API cordon_result *cordon_check_with(cordon_policy *policy, cordon_checker *checker, const void *data,
                                            size_t len, char **err);

struct cordon_run_options {
	size_t size; /* sizeof(struct cordon_run_options) */
	/* run: the source, read once into a sealed memfd and executed with
	 * the policy's interpreter: source_path ("-" reads the caller's fd 0),
	 * or source_data/source_len when source_path is NULL. */
	const char *source_path;
	const void *source_data;
	size_t source_len;
	/* exec: the command (NULL-terminated); when set, source_* is unused
	 * and sources lists files to check (may be NULL).  An argument equal
	 * to a source path is replaced by the sealed copy's /proc/self/fd path. */
	const char *const *argv;
	const char *const *sources;
	/* the child's stdin: a file path, "-" for the caller's fd 0, NULL for
	 * /dev/null */
	const char *input;
	const char *output_dir; /* must exist; NULL for none */
	const char *const *bind_ro; /* NULL-terminated; may be NULL */
	/* Pass the child's filtered output through to these descriptors as it
	 * streams; -1 (or 0) to collect it only in the result.  A reader that
	 * goes away ends the passing through, never the caller (SIGPIPE is
	 * blocked during the run). */
	int stream_stdout_fd;
	int stream_stderr_fd;
	/* When this descriptor becomes readable the run is cancelled: the
	 * whole process tree is killed and the result has status "killed"
	 * with the signal number read as one byte (the CLI writes the signal
	 * it received from its handler).  -1 (or 0) for none. */
	int cancel_fd;
	/* Who asked for this run, as a label (cordon serve's caller name, an
	 * application's user): at most 128 printable ASCII characters, kept
	 * in the result ("caller") and the incident record.  NULL for none.
	 * Added in 0.1 after cancel_fd: set options.size to sizeof. */
	const char *caller;
	/* A directory the program sees read-only (--input-dir): at /input
	 * under a backend that can mount (a bind, read-only, nosuid, nodev,
	 * noexec), at its own path under Landlock alone; $CORDON_INPUT_DIR
	 * names where.  Must exist; NULL for none.  The policy needs an
	 * isolation backend of ABI 1.5 or later, or the run is refused.
	 * Added in 0.1 after caller: set options.size to sizeof. */
	const char *input_dir;
	/* A checker started ahead of the run by cordon_checker_start (ABI
	 * 1.6), or NULL for a fresh one.  Taken: whatever cordon_run
	 * returns, the checker is ended and the handle freed (do not use or
	 * free it again).  It checks this run's sources only.  One that is
	 * not usable (ended or killed while it waited, started for another
	 * policy object or by another process) is ended, and a fresh checker
	 * checks the sources, with a warning in the result; nothing is ever
	 * checked unconfined.  Set options.size to sizeof. */
	cordon_checker *checker;
};

/*
 * Run the policy.  Returns a result for every run that got as far as
 * loading the source, including denied, timed-out and failed ones; NULL with
 * *err set only when nothing could be attempted (bad options).
 */
CORDON_API cordon_result *cordon_run(cordon_policy *policy, const struct cordon_run_options *opts,
                                     char **err);

CORDON_API void cordon_result_free(cordon_result *result);
/* "ok", "failed", "denied", "timeout", "killed" or "error". */
CORDON_API const char *cordon_result_status(const cordon_result *result);
/* The exit status the cordon command reports for this result. */
CORDON_API int cordon_result_exit_status(const cordon_result *result);
/* "cpu", "memory", "wall", "output", "processes", "file_size" or NULL. */
CORDON_API const char *cordon_result_limit(const cordon_result *result);
/* The signal that ended the program (or cancelled the run), or 0. */
CORDON_API int cordon_result_signal(const cordon_result *result);
/* The error message when status is "error", else NULL. */
CORDON_API const char *cordon_result_error(const cordon_result *result);
/* 1 when the run was made in audit mode. */
CORDON_API int cordon_result_audit(const cordon_result *result);
/* When the program's output streamed to the caller's descriptors
 * (stream_stdout_fd / stream_stderr_fd): the errno of the first write to
 * that descriptor that failed (stream 0 stdout, 1 stderr), after which the
 * rest of that stream was only collected; 0 when all of it was delivered.
 * A caller that cannot deliver the output should say so: the program's
 * own status does not. */
CORDON_API int cordon_result_delivery_errno(const cordon_result *result, int stream);
/* 1 when the program was started (a denial at run time, by a module's
 * run_deny, comes after it ran for a while); 0 when nothing ran. */
CORDON_API int cordon_result_ran(const cordon_result *result);
CORDON_API size_t cordon_result_finding_count(const cordon_result *result);
/* Fill *out (set out->size first) with the i-th finding; -1 if out of range. */
CORDON_API int cordon_result_finding(const cordon_result *result, size_t i,
                                     struct cordon_finding *out);
CORDON_API size_t cordon_result_warning_count(const cordon_result *result);
CORDON_API const char *cordon_result_warning(const cordon_result *result, size_t i);
/* The result as one JSON object (DESIGN.md schema); for a result of
 * cordon_check, the object {"file", "verdict", "findings"}.  free() it. */
CORDON_API char *cordon_result_json(const cordon_result *result);

#ifdef __cplusplus
}
#endif

#endif /* CORDON_CORDON_H */
