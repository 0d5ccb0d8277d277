/*
 * cordon/module.h - the hook interface between the cordon core and its modules.
 *
 * A module is a shared object that exports exactly one symbol:
 *
 *     CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
 *         .abi = CORDON_ABI_VERSION,
 *         .size = sizeof(struct cordon_module),
 *         .name = "example",
 *         ...
 *     };
 *
 * Build it with -fvisibility=hidden so that nothing else is exported. A module
 * does not link libcordon: everything the core offers (argument access,
 * findings, warnings, logging, launch adjustments, output buffers) reaches it
 * through the context pointer each hook receives, via the inline wrappers at
 * the end of this header.
 *
 * Versioning.  The ABI word is (major << 16 | minor).  The core refuses a
 * module whose major differs from its own and names both versions.  Within a
 * major, structures only grow at their end: every structure the core and a
 * module exchange starts with its own size, so each side can tell which
 * members the other knows.  The core calls a hook that a later minor added
 * only when the module's struct is large enough to contain it.
 *
 * Phases, in order, and where each hook runs:
 *
 *     open     parent  parse arguments, allocate state, compile rules
 *     check    parent  inspect the submitted source
 *     prepare  parent  before fork: adjust the launch
 *     confine  child   after fork, before exec, in stack order
 *     filter   parent  rewrite stdout/stderr chunks as they stream
 *     (watch)  parent  while the program runs: a descriptor a module asked
 *                      the supervisor to poll has events (since 1.1)
 *     finish   parent  see the whole result
 *     close    parent  free state
 *
 * Outside the runs, `requirements` (since 1.5) states which selftest
 * properties the module's configuration promises, when asked, and `event`
 * (since 1.6) hands an audit log what happens outside a run (a session's
 * cells in cordon serve).
 *
 * Any hook may be NULL.  open and close are called once per loaded policy;
 * check, prepare, confine, filter and finish once per run (check also once per
 * source for `cordon check`).  A policy may be used for several runs, one at a
 * time: the core never calls two hooks of one policy concurrently.
 */
#ifndef CORDON_MODULE_H
#define CORDON_MODULE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CORDON_ABI_MAJOR 1
#define CORDON_ABI_MINOR 8
#define CORDON_ABI_MKVERSION(major, minor) (((uint32_t)(major) << 16) | (uint32_t)(minor))
#define CORDON_ABI_VERSION CORDON_ABI_MKVERSION(CORDON_ABI_MAJOR, CORDON_ABI_MINOR)
#define CORDON_ABI_GET_MAJOR(v) ((uint32_t)(v) >> 16)
#define CORDON_ABI_GET_MINOR(v) ((uint32_t)(v) & 0xffffu)

/* Put this in front of the module's one exported definition. */
#define CORDON_MODULE_EXPORT __attribute__((visibility("default")))

#if defined(__GNUC__)
#define CORDON_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CORDON_PRINTF(fmt, args)
#endif

/* What a check hook decides about a source. */
enum cordon_verdict {
	CORDON_PASS = 0, /* nothing this module objects to */
	CORDON_DENY = 1, /* the source must not run; findings say why */
	CORDON_IGNORE = 2, /* this module has no opinion (e.g. another language) */
	CORDON_ERROR = 3, /* the module could not decide: for a required or requisite
	                     entry the run is an error (125), never a denial */
};

enum cordon_severity {
	CORDON_SEV_INFO = 0,
	CORDON_SEV_LOW = 1,
	CORDON_SEV_MEDIUM = 2,
	CORDON_SEV_HIGH = 3,
	CORDON_SEV_CRITICAL = 4,
};

enum cordon_stream {
	CORDON_STDOUT = 1,
	CORDON_STDERR = 2,
};

enum cordon_log_level {
	CORDON_LOG_DEBUG = 0,
	CORDON_LOG_INFO = 1,
	CORDON_LOG_WARNING = 2,
	CORDON_LOG_ERROR = 3,
};

/* Opaque: the core's context for one module instance in one phase. */
typedef struct cordon_ctx cordon_ctx;
/* Opaque: one node of a policy's YAML tree (mapping, sequence or scalar). */
typedef struct cordon_node cordon_node;
/* Opaque: an output buffer a filter hook appends to. */
typedef struct cordon_buf cordon_buf;

enum cordon_node_type {
	CORDON_NODE_SCALAR = 1,
	CORDON_NODE_SEQUENCE = 2,
	CORDON_NODE_MAPPING = 3,
};

/*
 * Declared arguments (the keys of a stack entry's `with:` mapping).
 *
 * Before open is called, the core checks the `with:` mapping against the
 * module's table: an undeclared key, a missing required key, a value of the
 * wrong type or out of bounds is a policy error naming file:line:column, and
 * open is never called.  A module with no table takes no arguments.
 */
enum cordon_arg_type {
	CORDON_ARG_STRING = 1, /* scalar */
	CORDON_ARG_STRINGS = 2, /* a scalar or a sequence of scalars */
	CORDON_ARG_INT = 3, /* decimal integer, optional sign; bounds in min/max */
	CORDON_ARG_BOOL = 4, /* true or false */
	CORDON_ARG_SIZE = 5, /* bytes: 4096, 64K, 256M, 2G, 1T (powers of 1024); "unlimited" */
	CORDON_ARG_DURATION = 6, /* 5s, 500ms, 1m30s, 2h, 100us; a bare number is seconds; "unlimited" */
	CORDON_ARG_MAPPING = 7, /* nested mapping, validated by the module */
	CORDON_ARG_SEQUENCE = 8, /* sequence, validated by the module */
	CORDON_ARG_ANY = 9, /* anything, validated by the module */
	/* ABI 1.4, in config tables (struct cordon_config_arg) only: */
	CORDON_ARG_ENUM = 10, /* one of the entry's choices; the member gets its index */
	CORDON_ARG_PATH = 11, /* a path; a relative one is taken from the policy file's directory */
};

#define CORDON_ARG_REQUIRED 0x1u /* the key must be present */

struct cordon_arg {
	const char *name;
	enum cordon_arg_type type;
	uint32_t flags; /* CORDON_ARG_REQUIRED */
	/* Inclusive bounds for INT (as signed), SIZE (bytes) and DURATION
	 * (nanoseconds); both zero means unbounded.  "unlimited" parses to
	 * CORDON_UNLIMITED and is accepted only when max is zero. */
	int64_t min;
	int64_t max;
	const char *help; /* one line describing the argument */
};

#define CORDON_UNLIMITED UINT64_MAX

/*
 * ABI 1.4: a config table, which the core checks as it checks `args` and
 * then also fills the module's own struct with, before open.  A module sets
 * either `args` or `config` (with `config_size`), not both; its open reads
 * the filled struct with cordon_config(ctx) and keeps only what is truly its
 * own (cross-argument rules, files to read).
 *
 * Each entry carries its size (entries may grow within 1.x: the core steps
 * through the table by each entry's size); the table ends with an entry
 * whose name is NULL.  The member at `offset` has the type's C type:
 *
 *   STRING, PATH       const char *     (NULL when absent and no default;
 *                                        a PATH made absolute)
 *   STRINGS            const char *const *  (NULL-terminated; NULL when absent)
 *   INT                int64_t
 *   BOOL               int              (0 or 1)
 *   SIZE               uint64_t         (bytes; CORDON_UNLIMITED)
 *   DURATION           uint64_t         (nanoseconds; CORDON_UNLIMITED)
 *   ENUM               int              (the index in choices)
 *   MAPPING, SEQUENCE, ANY  const cordon_node *  (checked by the module)
 *
 * `def` is the default as a policy would write it ("64M", "true", "none");
 * NULL leaves the member zero when the key is absent (cordon_arg tells
 * whether it was given).  `cordon modules NAME` shows defaults and choices.
 * Everything the core stores stays valid while the policy is loaded.
 */
struct cordon_config_arg {
	uint32_t size; /* sizeof(struct cordon_config_arg) */
	const char *name;
	enum cordon_arg_type type;
	uint32_t flags; /* CORDON_ARG_REQUIRED */
	int64_t min; /* bounds as in struct cordon_arg */
	int64_t max;
	const char *help;
	size_t offset; /* of the member in the module's config struct */
	const char *def; /* the default, as written in a policy; NULL: none */
	const char *const *choices; /* ENUM: the allowed words, NULL-terminated */
};

/* One entry: CORDON_CONFIG(struct my_config, member, "name", TYPE, ...). */
#define CORDON_CONFIG(stype, member, name_, type_, flags_, min_, max_, def_, help_)                              \
	{ sizeof(struct cordon_config_arg), (name_), (type_), (flags_), (min_), (max_), (help_),                 \
	  offsetof(stype, member), (def_), NULL }
#define CORDON_CONFIG_ENUM(stype, member, name_, choices_, def_, help_)                                         \
	{ sizeof(struct cordon_config_arg), (name_), CORDON_ARG_ENUM, 0, 0, 0, (help_), offsetof(stype, member),   \
	  (def_), (choices_) }
#define CORDON_CONFIG_END { sizeof(struct cordon_config_arg), NULL, 0, 0, 0, 0, NULL, 0, NULL, NULL }

/* One connection of the run, as a proxy module reports it (ABI 1.4). */
struct cordon_connection {
	size_t size; /* sizeof(struct cordon_connection) */
	const char *method; /* "CONNECT", "GET", "SOCKS5", ... */
	const char *host; /* the name asked for (or an address literal) */
	int port;
	const char *verdict; /* "allowed", "denied", "failed" or "refused" (a limit, a bad request) */
	const char *rule; /* the rule that decided, or NULL */
	const char *address; /* the address connected to, or NULL */
	const char *reason; /* why it was denied or failed, readable by a model; or NULL */
	uint64_t bytes_out, bytes_in;
	double ms;
};
#define CORDON_MAX_CONNECTIONS 1000

/* The submitted source, as sealed by the core.  Read-only. */
struct cordon_source {
	size_t size; /* sizeof(struct cordon_source) */
	const char *name; /* path as given, or "<stdin>" */
	const unsigned char *data; /* the sealed bytes; not NUL-terminated */
	size_t len;
	/* "python", "javascript", "shell", "java" or NULL: from the file's
	 * extension, else from the policy's interpreter. */
	const char *language;
};

/*
 * What a confine hook sees in the child.  Everything here is set up before
 * fork; a confine hook must not allocate, use stdio, or call anything that is
 * not async-signal-safe.
 */
struct cordon_child {
	size_t size; /* sizeof(struct cordon_child) */
	int control_fd; /* close-on-exec socket to the supervisor; a confine hook
	                 * that forks a process which never execs (a pid-1
	                 * reaper) closes it there */
	int first_source_fd; /* sealed source memfds occupy [first, first+n) */
	int n_source_fds;
	uint32_t flags; /* CORDON_CHILD_* */
	int supervisor_pid; /* pid of the supervising process */
	unsigned outer_uid; /* real uid and gid cordon runs as */
	unsigned outer_gid;
	const char *output_dir; /* --output-dir, absolute, or NULL */
	const char *const *bind_ro; /* --bind-ro paths, absolute, NULL-terminated */
	/* Report a non-fatal note from the child; it becomes a warning in the
	 * result.  Async-signal-safe; at most 200 bytes of msg are carried. */
	void (*note)(const struct cordon_child *child, const char *msg);
	/* --- added in ABI 1.4: test child->size (offsetof + sizeof) --- */
	/* The budget of --output-dir (the rlimit module's output_dir and
	 * output_files); 0 without --output-dir. */
	uint64_t output_max_bytes, output_max_entries;
	/* A backend that can mount makes /output a tmpfs of that size
	 * (size=output_max_bytes, nr_inodes=output_max_entries + 1, the root)
	 * instead of showing output_dir, and hands a descriptor of its root
	 * directory to the supervisor, which copies out of it after the run:
	 * the kernel then bounds what the program leaves (ENOSPC), where the
	 * staging directory is only sampled.  Once, from any process of the
	 * child that holds control_fd, before the program runs (a wrapper's
	 * helper may call it after the exec of the wrapper, which holds the
	 * program back meanwhile); 0 or an errno (the backend should then
	 * show output_dir as before).  The caller keeps dirfd.
	 * Async-signal-safe. */
	int (*give_output)(const struct cordon_child *child, int dirfd);
	/* --- added in ABI 1.5: test child->size (offsetof + sizeof) --- */
	/* --input-dir, absolute and canonical, or NULL.  A backend that can
	 * mount shows it at /input, read-only, nosuid, nodev, noexec, opened
	 * without following any symlink; one that cannot (Landlock) allows
	 * it read-only at its own path.  The core refuses --input-dir when an
	 * isolation backend of the stack predates 1.5. */
	const char *input_dir;
};

#define CORDON_CHILD_ROOT 0x1u /* the supervisor's effective uid is 0 */

/* Read-only view of a finding, for finish hooks and embedders. */
struct cordon_finding {
	size_t size; /* sizeof(struct cordon_finding) */
	const char *module;
	const char *rule;
	enum cordon_severity severity;
	const char *message;
	long line; /* 0 when it does not apply */
	long column; /* 0 when it does not apply; 1-based otherwise */
	const char *file; /* source the finding is about, or NULL */
};

/* Read-only view of a finished run, for finish hooks.  It is brought up to
 * date before each finish hook, so a hook later in the stack (an audit log)
 * sees the findings, warnings, redactions and limit that earlier finish
 * hooks added. */
struct cordon_run_info {
	size_t size; /* sizeof(struct cordon_run_info) */
	const char *policy; /* policy name */
	const char *status; /* "ok", "failed", "denied", "timeout", "killed", "error" */
	int exit_code; /* the child's exit status, or -1 when it did not exit */
	int signal; /* the signal that killed it, or 0 */
	const char *limit; /* "cpu", "wall", "output", ... or NULL */
	int cli_exit; /* the exit status `cordon` reports (0..255) */
	double wall_ms;
	double cpu_ms;
	long max_rss_kb;
	const unsigned char *source; /* the sealed source, or NULL (exec without --source) */
	size_t source_len;
	const char *json; /* the whole result as one JSON object */
	size_t n_findings;
};

/*
 * The services the core offers.  Reach them through the inline wrappers
 * below; the table is reached through the context and carries its own size,
 * so a module built against a later minor can test whether a service exists.
 *
 * Strings passed in are copied unless a comment says otherwise.  Strings and
 * nodes handed out are owned by the core: nodes and node strings until the
 * module's close hook returns, everything else until the hook that received
 * them returns.
 */
struct cordon_core_api {
	uint32_t abi;
	uint32_t size; /* sizeof(struct cordon_core_api) */

	/* Logging to cordon's stderr (`cordon: MODULE: message`); DEBUG and
	 * INFO only when verbose.  Any phase but confine. */
	void (*vlog)(cordon_ctx *ctx, enum cordon_log_level level, const char *fmt, va_list ap);
	/* A policy error at a node (file:line:column); node NULL means the
	 * module's stack entry.  Any phase but confine; returns -1 so that
	 * `return cordon_error(...)` reads naturally. */
	int (*verror)(cordon_ctx *ctx, const cordon_node *node, const char *fmt, va_list ap);
	/* A line in the result's "warnings".  Any phase but confine. */
	void (*vwarning)(cordon_ctx *ctx, const char *fmt, va_list ap);
	/* A finding about the source (check) or the run (finish).  line and
	 * column are 1-based, 0 when they do not apply.  rule is an id such as
	 * "os-system"; the message is one line. */
	void (*vfinding)(cordon_ctx *ctx, const char *rule, enum cordon_severity sev, long line,
	                 long column, const char *fmt, va_list ap);

	/* --- argument tree (open; the tree lives until close) --- */
	const cordon_node *(*arg)(cordon_ctx *ctx, const char *name); /* `with:` key or NULL */
	enum cordon_node_type (*node_type)(const cordon_node *node);
	/* Scalar text (NUL-terminated; *len may be NULL).  NULL if not a scalar. */
	const char *(*node_scalar)(const cordon_node *node, size_t *len);
	size_t (*node_len)(const cordon_node *node); /* items or pairs; 0 for scalars */
	const cordon_node *(*node_at)(const cordon_node *node, size_t i); /* sequence item */
	const cordon_node *(*node_key_at)(const cordon_node *node, size_t i); /* mapping key */
	const cordon_node *(*node_value_at)(const cordon_node *node, size_t i); /* mapping value */
	const cordon_node *(*node_get)(const cordon_node *map, const char *key);
	/* Where the node is: file path (owned by the core), 1-based line and column. */
	void (*node_mark)(const cordon_node *node, const char **file, long *line, long *column);
	/* Typed conversions: 0 on success; on failure a policy error naming
	 * the node has been reported and -1 is returned. */
	int (*node_int)(cordon_ctx *ctx, const cordon_node *node, int64_t *out);
	int (*node_bool)(cordon_ctx *ctx, const cordon_node *node, int *out);
	int (*node_size)(cordon_ctx *ctx, const cordon_node *node, uint64_t *out);
	int (*node_duration)(cordon_ctx *ctx, const cordon_node *node, uint64_t *ns);
	/* Check a nested mapping's keys against a NULL-terminated list. */
	int (*node_check_keys)(cordon_ctx *ctx, const cordon_node *map, const char *const *allowed);
	/* A path written in the policy, resolved against the directory of the
	 * policy file that contains the node.  Owned by the core until close. */
	const char *(*node_path)(cordon_ctx *ctx, const cordon_node *node);
	/* Load another YAML file (a rule set) with the same safety checks as a
	 * policy file (regular file, not group/world-writable, owner).  The
	 * tree lives until close.  On error, reported at `from` and NULL. */
	const cordon_node *(*load_yaml)(cordon_ctx *ctx, const cordon_node *from, const char *path);

	/* --- launch adjustments (prepare; -1 in any other phase) --- */
	/* Prepend a wrapper command (argv NULL-terminated, copied); the last
	 * wrapper prepended runs outermost. */
	int (*launch_wrap)(cordon_ctx *ctx, const char *const *argv);
	/* Kill the whole run after this many nanoseconds of wall time; the
	 * smallest value any module sets wins. */
	int (*launch_wall)(cordon_ctx *ctx, uint64_t ns);
	/* Keep at most this many bytes of each of stdout and stderr, then kill
	 * the run; the smallest value any module sets wins. */
	int (*launch_output_cap)(cordon_ctx *ctx, uint64_t bytes);
	/* Set (value non-NULL) or remove (value NULL) a variable of the
	 * child's environment. */
	int (*launch_setenv)(cordon_ctx *ctx, const char *name, const char *value);
	/* Tell the core a resource limit the module applies in the child, so
	 * that the result can say which limit ended the run: "cpu" (ns),
	 * "memory" (bytes), "file_size" (bytes), "processes" (count). */
	int (*launch_limit)(cordon_ctx *ctx, const char *limit, uint64_t value);

	/* --- filter --- */
	/* Append bytes to a filter's output buffer; -1 on allocation failure. */
	int (*buf_append)(cordon_ctx *ctx, cordon_buf *out, const void *data, size_t len);
	/* Count redactions made by this module (result "redactions"). */
	void (*redaction)(cordon_ctx *ctx, const char *rule, enum cordon_stream stream, uint64_t count);

	/* --- finish --- */
	/* The i-th finding of the run (0 <= i < info->n_findings). */
	int (*finding_at)(cordon_ctx *ctx, size_t i, struct cordon_finding *out);

	/* --- added in ABI 1.1: test with CORDON_API_HAS(ctx, member) --- */

	/* prepare: hand a descriptor to the child.  The core takes ownership of
	 * fd whatever the outcome: it keeps it open in the child across the
	 * step that closes every other descriptor, at the number returned
	 * (valid in confine hooks; close-on-exec before the program runs), and
	 * closes the parent's copy once the child is forked (or the run ends
	 * without one).  At most 16 per run; -1 on failure (fd closed). */
	int (*launch_pass_fd)(cordon_ctx *ctx, int fd);
	/* prepare, or a watch callback: poll fd in the supervisor's loop while
	 * the program runs and call cb (in phase "watch") when it has events
	 * (POLLIN, POLLHUP, POLLERR).  cb returns 0 to keep watching, 1 to stop
	 * (the module closes fd itself; the core never does), -1 on failure
	 * (it should have said why with cordon_warning; watching stops).  In a
	 * callback the module may log, warn, add findings about the run and
	 * watch further descriptors.  After the program's whole process tree
	 * has ended, each watch with pending events is called once more, then
	 * watching ends before the finish hooks.  At most 64 per run. */
	int (*launch_watch)(cordon_ctx *ctx, int fd,
	                    int (*cb)(cordon_ctx *ctx, void *state, int fd, short revents));
	/* finish: name the limit that ended a killed run when the core could
	 * not tell ("memory" for a cgroup OOM kill, ...): one of the result's
	 * limit names.  Ignored (0) when the run was not killed or a limit is
	 * already named; -1 for an unknown name. */
	int (*result_limit)(cordon_ctx *ctx, const char *limit);
	/* prepare: this run's --output-dir (absolute, canonical) or NULL, and
	 * its --bind-ro paths (absolute, NULL-terminated; never NULL), for a
	 * backend that wraps the command (bwrap) rather than confining the
	 * child (struct cordon_child carries the same for confine hooks). */
	const char *(*launch_output_dir)(cordon_ctx *ctx);
	const char *const *(*launch_bind_ro)(cordon_ctx *ctx);

	/* --- added in ABI 1.2 --- */

	/* Any phase but confine: 1 when the policy runs in audit mode (`mode:
	 * audit`, `cordon run --audit`), else 0.  In audit mode nothing is
	 * denied or killed for policy reasons: the core lets a check-phase
	 * DENY pass (its findings stay in the result), and a module that
	 * enforces a decision of its own (seccomp) reports what it would
	 * have denied instead.  Isolation and resource limits still hold.
	 * The mode is fixed when the policy is loaded, before open. */
	int (*run_audit)(cordon_ctx *ctx);
	/* Named values the modules of one policy share, as pam_set_data and
	 * pam_get_data: a backend tells another module what it does ("bwrap.
	 * wrapper"), a module hands another a compiled artefact ("seccomp.
	 * bpf").  Names are "MODULE.KEY" by convention.  set_data copies len
	 * bytes (len may be 0) and replaces an earlier value of that name;
	 * -1 on allocation failure.  get_data returns NULL when the name is
	 * unset, else the bytes (*len set; len may be NULL), valid until the
	 * name is set again or the policy is freed.  set_data: any phase but
	 * check and confine (check hooks run in the confined checker process,
	 * where nothing stored would reach later phases); get_data: any phase
	 * but confine. */
	int (*set_data)(cordon_ctx *ctx, const char *name, const void *data, size_t len);
	const void *(*get_data)(cordon_ctx *ctx, const char *name, size_t *len);
	/* prepare: launch_pass_fd with flags.  CORDON_FD_KEEP_EXEC keeps the
	 * descriptor open across the exec, for a wrapper command that reads
	 * it (bwrap --seccomp FD); the wrapper must close it before the
	 * program runs. */
	int (*launch_pass_fd_flags)(cordon_ctx *ctx, int fd, unsigned flags);

	/* --- added in ABI 1.2 (later): test with CORDON_API_HAS --- */

	/* prepare: create this run's child directly in new namespaces, with
	 * clone(flags) instead of fork, so that the core's child is pid 1 of
	 * the new pid namespace (an isolation module then needs no process of
	 * its own between the supervisor and the sandbox).  flags: CLONE_NEWUSER
	 * and CLONE_NEWPID, optionally CLONE_NEWNS, NEWIPC, NEWUTS, NEWCGROUP,
	 * NEWNET; nothing else.  (The child joins the run's cgroup, the
	 * core's, only after the clone: a module that wants the cgroup
	 * namespace rooted there leaves NEWCGROUP out and unshares it in its
	 * confine hook, after joining any cgroup of its own.)  The supervisor
	 * writes the new user namespace's one-line maps before the child goes
	 * on: inside uid -> host_uid and
	 * gid -> host_gid when cordon runs as root (both must then be non-zero),
	 * else inside uid/gid -> cordon's own effective ids with setgroups
	 * denied.  As root the child then drops its supplementary groups and
	 * takes uid/gid (setgroups stays allowed in that namespace, with only
	 * gid mapped) before anything else, so no code but the core's first
	 * system calls runs with host uid 0; it keeps every capability of the
	 * new user namespace for the confine hooks.  The child's parent is in
	 * another pid namespace (getppid() is 0; cordon_child.supervisor_pid
	 * means nothing inside): the core checks the supervisor is alive
	 * itself.  The hook that asked must fork the program's process (pid 1
	 * of a pid namespace must not run the program; the core refuses to
	 * exec in it) and report the program's wait status with
	 * child_exit_status, since pid 1 cannot end by a signal.  -1 (a
	 * warning said why) when flags or ids are refused.  (In a process
	 * with other threads, an embedder's, the core clones from a forked
	 * helper with CLONE_PARENT, so that the child never inherits glibc's
	 * view of threads it does not have: the hook sees no difference.) */
	int (*launch_clone_ns)(cordon_ctx *ctx, unsigned long flags, unsigned uid, unsigned gid, unsigned host_uid,
	                       unsigned host_gid);
	/* In the launch_clone_ns child (pid 1 of its pid namespace), once the
	 * program's process has ended and every other process of the pid
	 * namespace has been killed and reaped, right before it exits: tell
	 * the supervisor the program's wait status (as from waitpid).  The
	 * supervisor then takes the run as ended: it reports that status
	 * instead of the child's own exit status (pid 1 cannot end by a
	 * signal), with the CPU time and peak memory the call measures here
	 * (getrusage of this process and its reaped children, what wait4 would
	 * give), runs the finish hooks while the child's teardown (its memory,
	 * its mount namespace) goes on, and kills (SIGKILL, in case it is not
	 * exiting after all) and reaps the child before cordon_run returns.
	 * Heeded only in a run started with launch_clone_ns; the status counts
	 * only once the program was executed.  Async-signal-safe; 0, or -1
	 * with errno. */
	int (*child_exit_status)(const struct cordon_child *child, int wstatus);
	/* A watch callback: the module can no longer enforce what it promised
	 * for this run (a seccomp listener that failed would let denied calls
	 * fail with ENOSYS instead of the rule's action, and kill rules stop
	 * killing).  The supervisor kills the whole process tree at once; the
	 * result is an error (exit status 125) whose message is "MODULE: why;
	 * the run was stopped", whatever the program did.  The first reason
	 * given stands.  0, or -1 outside a watch callback. */
	int (*run_abort)(cordon_ctx *ctx, const char *why);

	/* --- added in ABI 1.3: test with CORDON_API_HAS --- */

	/* prepare: the command as it stands (the policy's interpreter and the
	 * source's /proc/self/fd path for `cordon run`, the given command for
	 * `cordon exec`), with the wrappers that modules earlier in the stack
	 * prepended; NULL-terminated, owned by the core until the hook
	 * returns.  A module that runs the program through a wrapper of its
	 * own reads it to build that wrapper.  NULL in any other phase. */
	const char *const *(*launch_argv)(cordon_ctx *ctx);
	/* A watch callback: the program did at run time what the policy
	 * forbids, and the module stopped it (a runtime guard reporting over
	 * a passed descriptor).  Add the findings that say what first.  The
	 * supervisor kills the whole process tree at once if it still runs;
	 * the result is `denied` (exit status 126) with exit_code and signal
	 * null, whatever the program's own status (its output so far is
	 * kept), unless the run is already an error (run_abort, a failed
	 * filter).  Also heeded in the last call after the program ended.
	 * In audit mode nothing is denied: 0 and no effect.  The first
	 * reason stands; 0, or -1 outside a watch callback. */
	int (*run_deny)(cordon_ctx *ctx, const char *why);

	/* --- added in ABI 1.4: test with CORDON_API_HAS --- */

	/* The module's config struct, filled by the core from its config
	 * table before open (NULL for a module without one).  Valid while the
	 * policy is loaded; read-only. */
	const void *(*config)(cordon_ctx *ctx);
	/* prepare: the run's sources by their canonical host paths, in the
	 * order the child gets them (source i is descriptor 3 + i, the program
	 * sees it as /proc/self/fd/(3 + i)); "" for a source with no host path
	 * (stdin, data); NULL-terminated, valid until the run ends.  For a
	 * filter that rewrites host paths to the names the program sees. */
	const char *const *(*launch_sources)(cordon_ctx *ctx);
	/* watch, finish: one network connection of the run, for the result's
	 * "connections" (a proxy module: egress).  Strings are copied; at most
	 * CORDON_MAX_CONNECTIONS per run are kept, the rest counted. */
	int (*result_connection)(cordon_ctx *ctx, const struct cordon_connection *c);
	/* prepare, watch, filter, finish: this run's state (run_state_size
	 * bytes, zeroed when the run began), or NULL for a module without. */
	void *(*run_state)(cordon_ctx *ctx);

	/* --- added in ABI 1.5: test with CORDON_API_HAS --- */

	/* requirements (the hook): one selftest property this module's
	 * configuration promises, by its name (CORDON_PROP_*, below) and the
	 * value it expects: NULL for a property that holds or not, the limit
	 * as the policy writes it for a limit.* property ("5s", "256M",
	 * "unlimited"), the reason for CORDON_PROP_NOT_PROBED.  "no" or
	 * "no: REASON" waives a yes/no property on purpose (caps keeping some
	 * capabilities, seccomp in audit mode): it is then not required
	 * whatever other modules promise, and REASON is shown with it.
	 * Strings are copied; at most 200 bytes each, no tab or newline.
	 * 0, or -1 (logged) outside the hook or for a malformed name or
	 * value.  `cordon selftest` refuses a name it does not know, naming
	 * the module. */
	int (*require)(cordon_ctx *ctx, const char *property, const char *value);

	/* 1 when this stack entry's control is `optional` (a failure of its
	 * hooks is noted and skipped), else 0; any phase.  A module whose
	 * failure would leave unkept what it promised another module (egress
	 * making the network namespace bwrap then shares) refuses optional at
	 * open. */
	int (*entry_optional)(cordon_ctx *ctx);
	/* prepare: this run's --input-dir (absolute, canonical) or NULL, for
	 * a backend that wraps the command (bwrap); struct cordon_child's
	 * input_dir carries the same for confine hooks. */
	const char *(*launch_input_dir)(cordon_ctx *ctx);

	/* --- added in ABI 1.7: test with CORDON_API_HAS --- */

	/* open: 0 when whoever loaded the policy said no source will be
	 * checked with it (cordon_load_options.launch_only: `cordon exec`
	 * without --source), 1 otherwise.  A check module may then leave
	 * what only its check hook uses unbuilt (a compiled scanner, an
	 * automaton); its check hook must build it if a check comes after
	 * all (in the checker process: nothing built there reaches the
	 * policy's later checkers, and the checker may not make memory
	 * executable: no JIT code).  Every policy error is still reported at
	 * open.  Any phase. */
	int (*checks_expected)(cordon_ctx *ctx);

	/* ABI 1.8 adds nothing here: the library function
	 * cordon_policy_close (cordon.h), and CORDON_WARMUP_SOURCE below.
	 * Modules see no change: their close hook is still called once, and
	 * they may still free their state in it (the memory they free then
	 * is simply not reused). */
};

/* The name of the source a checker started ahead (cordon_checker_start:
 * cordon serve's spare workers) checks once before it waits, a short fixed
 * program in the policy's language, so that the first touch of the check
 * hooks' memory is not on a real check's path; what it finds is dropped.
 * A check hook that counts or logs what it sees may skip it.  (ABI 1.8.) */
#define CORDON_WARMUP_SOURCE "<warm-up>"

#define CORDON_FD_KEEP_EXEC 0x1u

/* Whether the core's services table has a member (a module built against a
 * later minor than the core it runs in). */
#define CORDON_API_HAS(ctx, member) \
	(cordon_api(ctx)->size >= offsetof(struct cordon_core_api, member) + \
	                              sizeof(((struct cordon_core_api *)0)->member) && \
	 cordon_api(ctx)->member != NULL)

/*
 * The module descriptor.  Hooks return 0 on success and -1 on failure unless
 * stated otherwise; a hook that fails should have said why through
 * cordon_error, cordon_warning or cordon_log first.
 */
struct cordon_module {
	uint32_t abi; /* CORDON_ABI_VERSION the module was built against */
	uint32_t size; /* sizeof(struct cordon_module) */
	const char *name; /* [a-z0-9_]+, unique in a policy */
	const char *description; /* one line */
	uint32_t flags; /* CORDON_MOD_* */
	const struct cordon_arg *args; /* terminated by {NULL}; NULL = no arguments */

	/* Parse arguments; set *state (may stay NULL).  The core checked the
	 * declared arguments already. */
	int (*open)(cordon_ctx *ctx, void **state);
	/* Inspect a source; report findings; return a cordon_verdict.  Runs
	 * in the core's confined checker process, a fork of the caller made
	 * after open: no descriptors but stderr, no privileges, and a seccomp
	 * allow list of read, write, memory management (no PROT_EXEC), time
	 * and exit (README "The checker").  Compute and report; open nothing,
	 * and keep nothing in state that a later phase needs. */
	int (*check)(cordon_ctx *ctx, void *state, const struct cordon_source *src);
	/* Adjust the launch (wrappers, timeouts, caps, environment). */
	int (*prepare)(cordon_ctx *ctx, void *state);
	/* In the child, after fork and before exec.  Return 0, or an errno
	 * value and set *step to a fixed string naming what failed
	 * ("setrlimit(RLIMIT_CPU)").  Async-signal-safe code only. */
	int (*confine)(void *state, const struct cordon_child *child, const char **step);
	/* Rewrite a chunk of a stream: read in[0..len), append the rewritten
	 * bytes with cordon_buf_append.  A filter may hold bytes back between
	 * calls; when eof is set it must flush everything it holds.  len may be
	 * 0 (only eof). */
	int (*filter)(cordon_ctx *ctx, void *state, enum cordon_stream stream,
	              const unsigned char *in, size_t len, int eof, cordon_buf *out);
	/* See the finished run. */
	int (*finish)(cordon_ctx *ctx, void *state, const struct cordon_run_info *info);
	/* Free state (called even when open failed, with whatever *state was). */
	void (*close)(void *state);

	/* --- added in ABI 1.4 --- */

	/* A config table (see struct cordon_config_arg) instead of `args`,
	 * and the size of the struct it fills. */
	const struct cordon_config_arg *config;
	size_t config_size;
	/* Bytes of per-run state: the core allocates them zeroed when each run
	 * begins (before prepare) and frees them after finish; cordon_run_state(ctx) returns them.  What belongs to
	 * one run lives here, so nothing of an earlier run is ever left to
	 * reset by hand.  0: none. */
	size_t run_state_size;

	/* --- added in ABI 1.5 --- */

	/* State which selftest properties this module's configuration
	 * promises, one cordon_require(ctx, property, value) each (the
	 * properties below, CORDON_PROP_*): `cordon selftest` probes them on
	 * the host and fails when one does not hold, so an isolation backend,
	 * or any module that confines, says what it provides here and the
	 * command needs no knowledge of it.  Called after open, with the
	 * state open set, only when an embedder asks
	 * (cordon_policy_requirements), never during a run; the arguments
	 * (cordon_arg, cordon_config) are readable.  NULL, or a hook that
	 * requires nothing, shows the module as not probed. */
	int (*requirements)(cordon_ctx *ctx, void *state);

	/* --- added in ABI 1.6 --- */

	/* An event of the policy's life outside cordon_run that an audit log
	 * records as it records a run's outcome (cordon_policy_event): cordon
	 * serve's session cells, each checked and sent to a session's
	 * interpreter without a run of its own.  info is filled as for
	 * finish: policy, status ("ok", "denied" or "error"), exit_code and
	 * signal -1, no usage, n_findings, source the cell's code, and json
	 * the event as one object with "event" naming it ("session-cell"),
	 * and "session", "cell", "caller", "findings".  Called with the state
	 * open set, never during a run; NULL: the module records no events. */
	int (*event)(cordon_ctx *ctx, void *state, const struct cordon_run_info *info);
};

#define CORDON_MOD_ISOLATION 0x1u /* an isolation backend: honours --output-dir and --bind-ro,
                                    * and from ABI 1.5 --input-dir */
/* The module runs the program under a wrapper (launch_wrap) that relays a
 * death by signal N as its own exit status 128+N, as bubblewrap does: the
 * core reports such a status as the signal, so that a result means the
 * same whichever backend ran the program (cores of ABI 1.3 and later). */
#define CORDON_MOD_RELAYS_SIGNALS 0x2u
/* The confinement stage of a module with a confine hook, in bits 8-11 of
 * flags.  The core keeps the order at load (a policy error names both
 * entries): limits and isolation first (either order), then capabilities
 * and LSMs (either order), then seccomp, last, so that its filter need
 * only allow what the core does before execve.  Two modules of the
 * isolation stage (two backends) are an error.  0: no stage (checks,
 * filters, finish hooks, or a module that may go anywhere). */
#define CORDON_MOD_STAGE(n) ((uint32_t)(n) << 8)
#define CORDON_MOD_STAGE_OF(flags) (((flags) >> 8) & 0xfu)
#define CORDON_STAGE_LIMITS 1 /* setrlimit: rlimit */
#define CORDON_STAGE_ISOLATION 2 /* namespaces, a mount view: namespaces, bwrap */
#define CORDON_STAGE_CAPS 3 /* capabilities: caps */
#define CORDON_STAGE_LSM 4 /* an LSM's rules: landlock */
#define CORDON_STAGE_SECCOMP 5 /* a seccomp filter: seccomp */

/* ------------------------------------------------------------------------
 * Selftest properties (ABI 1.5): what a requirements hook may promise with
 * cordon_require.  `cordon selftest` (core/cli/selftest.c, one table) probes
 * each on the host under the policy; a name it does not know is an error
 * naming the module.  Yes/no properties take no value (or "no: REASON").
 */
/* The program sees only the loopback interface and no route off it. */
#define CORDON_PROP_NET_LOOPBACK_ONLY "network.loopback_only"
/* A TCP listener on the host's 127.0.0.1 cannot be connected to. */
#define CORDON_PROP_NET_HOST_TCP "network.host_tcp_unreachable"
/* A host abstract unix socket cannot be connected to. */
#define CORDON_PROP_NET_HOST_UNIX "network.host_unix_unreachable"
/* Neither / nor /usr can be written. */
#define CORDON_PROP_ROOT_READ_ONLY "filesystem.root_read_only"
/* cordon's own process is not visible in /proc. */
#define CORDON_PROP_PROCS_HIDDEN "processes.host_invisible"
/* No effective, permitted, inheritable or ambient capability. */
#define CORDON_PROP_CAPS_NONE "capabilities.none"
/* An empty bounding set. */
#define CORDON_PROP_CAPS_BOUNDING "capabilities.bounding_empty"
/* no_new_privs set (the core promises it for every run). */
#define CORDON_PROP_NO_NEW_PRIVS "no_new_privs"
/* A seccomp filter is loaded. */
#define CORDON_PROP_SECCOMP_FILTER "seccomp.filter"
/* System calls of the i386 and x32 ABIs (x86_64 hosts) are refused or kill. */
#define CORDON_PROP_SECCOMP_FOREIGN_ABI "seccomp.foreign_abi_blocked"
/* Resource limits, soft and hard, at most the value (as a policy writes it;
 * "unlimited" asks for nothing): limit.cpu (a duration), limit.memory,
 * limit.file_size, limit.core, limit.stack (sizes), limit.processes,
 * limit.open_files (numbers). */
#define CORDON_PROP_LIMIT_PREFIX "limit."
/* The whole tree's memory budget, enforced by the supervisor rather than an
 * RLIMIT_AS (shown, not probed); the value as a policy writes it. */
#define CORDON_PROP_MEMORY_BUDGET "limit.memory_budget"
/* A fake AWS access key id printed by the program is redacted. */
#define CORDON_PROP_REDACTION "redaction.cloud_key"
/* Nothing the selftest can probe; the value says why ("a check-phase
 * module sees nothing to check in the probes' runs"). */
#define CORDON_PROP_NOT_PROBED "not_probed"

/* ------------------------------------------------------------------------
 * Shared-data names (set_data / get_data) the shipped modules agree on: a
 * second interface between modules, so declared here with the values'
 * types.  A module of one's own may read them; one that sets them promises
 * what the comment says.  Values are bytes; "text" means without a NUL.
 */
/* text "/output": set by namespaces at open.  The program runs inside the
 * namespaces module's view (read-only root, private /tmp, --output-dir seen
 * at the value); a later LSM (landlock) confines paths inside that view. */
#define CORDON_DATA_NAMESPACES_VIEW "namespaces.view"
/* text, the bubblewrap binary: set by bwrap at open.  The command is
 * wrapped in bubblewrap, which does its own mount setup in the child. */
#define CORDON_DATA_BWRAP_WRAPPER "bwrap.wrapper"
/* text "child": set by seccomp at open when it loads its filter in the
 * child itself (no wrapper before it); a later bwrap refuses that order. */
#define CORDON_DATA_SECCOMP_CONFINE "seccomp.confine"
/* struct sock_filter[] (len a multiple of its size): set by seccomp at open
 * after a wrapper; the wrapper loads it just before the program. */
#define CORDON_DATA_SECCOMP_BPF "seccomp.bpf"
/* text, a decimal descriptor number, or empty: set by bwrap at prepare.
 * The descriptor of this run that carries CORDON_DATA_SECCOMP_BPF to
 * bubblewrap (--seccomp FD); empty until the command is wrapped. */
#define CORDON_DATA_BWRAP_SECCOMP_FD "bwrap.seccomp_fd"
/* text "own": set by egress at open under a wrapper (bwrap).  egress makes
 * the sandbox's network namespace itself in the child (a user and network
 * namespace holding only lo, the proxy's listener in it) before the
 * wrapper runs; the wrapper shares that namespace with the program
 * (bwrap --share-net) instead of making another. */
#define CORDON_DATA_EGRESS_NETNS "egress.netns"

/* ------------------------------------------------------------------------
 * Wrappers.  The context's first member is the services table; the rest of
 * it is private to the core.
 */
struct cordon_ctx_public {
	const struct cordon_core_api *api;
};

static inline const struct cordon_core_api *cordon_api(cordon_ctx *ctx)
{
	return ((const struct cordon_ctx_public *)(const void *)ctx)->api;
}

static inline CORDON_PRINTF(3, 4) void cordon_log(cordon_ctx *ctx, enum cordon_log_level level,
                                                  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cordon_api(ctx)->vlog(ctx, level, fmt, ap);
	va_end(ap);
}

static inline CORDON_PRINTF(3, 4) int cordon_error(cordon_ctx *ctx, const cordon_node *node,
                                                   const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = cordon_api(ctx)->verror(ctx, node, fmt, ap);
	va_end(ap);
	return r;
}

static inline CORDON_PRINTF(2, 3) void cordon_warning(cordon_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cordon_api(ctx)->vwarning(ctx, fmt, ap);
	va_end(ap);
}

static inline CORDON_PRINTF(6, 7) void cordon_finding(cordon_ctx *ctx, const char *rule,
                                                      enum cordon_severity sev, long line,
                                                      long column, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cordon_api(ctx)->vfinding(ctx, rule, sev, line, column, fmt, ap);
	va_end(ap);
}

/* This run's state (ABI 1.4 run_state_size), zeroed when the run began. */
static inline void *cordon_run_state(cordon_ctx *ctx)
{
	return CORDON_API_HAS(ctx, run_state) ? cordon_api(ctx)->run_state(ctx) : NULL;
}

/* A selftest property this module promises (ABI 1.5; in the requirements
 * hook).  -1 with an older core, which never calls that hook. */
static inline int cordon_require(cordon_ctx *ctx, const char *property, const char *value)
{
	return CORDON_API_HAS(ctx, require) ? cordon_api(ctx)->require(ctx, property, value) : -1;
}

/* The module's filled config struct (ABI 1.4 config tables). */
static inline const void *cordon_config(cordon_ctx *ctx)
{
	return CORDON_API_HAS(ctx, config) ? cordon_api(ctx)->config(ctx) : NULL;
}

static inline const cordon_node *cordon_arg(cordon_ctx *ctx, const char *name)
{
	return cordon_api(ctx)->arg(ctx, name);
}

/* Audit mode (ABI 1.2); 0 with an older core. */
static inline int cordon_audit_mode(cordon_ctx *ctx)
{
	if (!CORDON_API_HAS(ctx, run_audit))
		return 0;
	return cordon_api(ctx)->run_audit(ctx);
}

static inline int cordon_buf_append(cordon_ctx *ctx, cordon_buf *out, const void *data, size_t len)
{
	return cordon_api(ctx)->buf_append(ctx, out, data, len);
}

#ifdef __cplusplus
}
#endif

#endif /* CORDON_MODULE_H */
