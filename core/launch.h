/*
 * core/launch.h - what the files of a run share (seal.c, child.c, reap.c,
 * pump.c, supervise.c, outcome.c, run.c) and nothing else includes: the
 * child's launch description, the control records, the pumps.
 */
#ifndef CORDON_LAUNCH_H
#define CORDON_LAUNCH_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "internal.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define READ_CHUNK 65536
#define SEAL_CANCELLED (-2) /* seal_fd: the caller cancelled the run while the source was read */
#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

/* ---- launch ---- */

enum rec_kind {
	REC_CONFINE_FAIL = 1, /* a required confine hook failed: nothing ran */
	REC_NOTE = 2, /* a note from a confine hook */
	REC_EXEC_FAIL = 3,
	REC_SETUP_FAIL = 4, /* the core's own child setup failed */
	REC_OPTIONAL_FAIL = 5, /* an optional confine hook failed: go on */
	REC_EXEC = 6, /* confinement done: execve comes next */
	REC_STATUS = 7, /* child_exit_status: the program's wait status in err */
	REC_OUTPUT_FD = 8, /* give_output: /output's tmpfs, its root directory passed with SCM_RIGHTS */
};

struct ctl_rec {
	int32_t kind;
	int32_t entry; /* stack index, or -1 */
	int32_t err;
	char text[200];
};

struct confiner {
	int (*confine)(void *state, const struct cordon_child *child, const char **step);
	void *state;
	int index;
	bool optional;
};

struct launch {
	const char *path; /* resolved argv[0] */
	char *const *argv;
	char *const *envp;
	int stdin_fd; /* -1: /dev/null opened by the parent */
	int out_w, err_w, ctl_w;
	const int *src_fds;
	int n_src;
	const int *pass_fds; /* launch_pass_fd, placed after the control socket */
	const bool *pass_keep; /* CORDON_FD_KEEP_EXEC: left open across exec */
	int n_pass;
	int high; /* first descriptor above every one we move */
	const struct confiner *conf;
	size_t n_conf;
	struct cordon_child child;
	pid_t parent;
	/* launch_clone_ns: the child is pid 1 of new namespaces; it waits on
	 * sync_r for the supervisor's maps, then takes uid/gid as root */
	bool cloned;
	int sync_r, sync_w;
	unsigned uid, gid;
	int cgroup_fd; /* the run's cgroup.procs (cgroup.c), joined first; -1: none */
};

/* ---- the pump ---- */

struct pump {
	int fd; /* read end; -1 once closed */
	int index; /* 0 stdout, 1 stderr */
	uint64_t raw; /* bytes read from the child */
	bool poisoned; /* a filter failed: nothing more passes */
	int dest; /* stream destination or -1 */
	int dest_errno; /* why the destination was given up, or 0 */
	int cancel_fd; /* the caller's: ends a blocking flush to a stalled destination */
	bool dest_only; /* streaming: the result keeps only a prefix, silently */
	struct strbuf pending;
	size_t pend_off; /* bytes of pending already written */
};

struct supervisor {
	struct run *run;
	cordon_result *r;
	struct pump pumps[2];
	uint64_t cap; /* per stream */
	uint64_t keep; /* kept in the result per stream */
	bool capped;
	bool output_over; /* the staging of --output-dir passed its budget */
	const char *budget_exceeded; /* a tree budget the samples saw passed */
	bool filter_failed;
	struct cordon_buf bufs[2];
	char *filter_error;
};

struct input_pump {
	int src; /* what the supervisor copies from, or -1 */
	bool own_src; /* src is cordon's to close (not its stdin) */
	int w; /* write end of the program's stdin pipe, or -1 */
	struct strbuf buf;
};

struct pidset {
	pid_t *v;
	size_t n, cap;
};

/* ---- outcome.c: the facts a run gathers and what they decide ---- */

struct outcome_facts {
	bool error_before; /* an error is already in the result */
	bool aborted; /* run_abort: a module could no longer enforce */
	bool denied_at_run; /* run_deny: a module denied what the program did */
	bool lost; /* something else in this process reaped the program */
	bool fatal; /* the child reported a failure before the exec */
	bool exec_started; /* the child reached execve */
	int cancelled; /* the caller's signal, or 0 */
	bool cloned; /* launch_clone_ns: the child is pid 1 of its namespaces */
	bool ended_early; /* ...and the run ended on its report */
	bool clone_reported; /* ...which said how the program ended: */
	int clone_status; /* its wait status */
	bool killed_main; /* cordon killed the program */
	int wstatus; /* the child's wait status */
	bool timed_out, capped, output_over, filter_failed;
	const char *budget_exceeded; /* a tree budget the samples saw passed */
	bool relays_signals; /* a backend that exits 128+N for signal N */
	uint64_t limit_cpu_ns;
	double cpu_ms; /* of the whole tree, from rusage */
};

enum outcome_error {
	OUTCOME_ERR_NONE = 0,
	OUTCOME_ERR_ABORTED, /* "ABORT_MSG; the run was stopped" */
	OUTCOME_ERR_LOST, /* the program was reaped by something else */
	OUTCOME_ERR_CHILD_ENDED, /* died before the exec without a record (detail: wait status) */
	OUTCOME_ERR_PID1_SILENT, /* the namespaced pid 1 ended without a report (detail: wait status) */
	OUTCOME_ERR_FILTER, /* an output filter failed: the program's status is kept */
};

enum outcome_note {
	OUTCOME_NOTE_NONE = 0,
	OUTCOME_NOTE_CANCELLED, /* "the run was cancelled (signal N)" */
	OUTCOME_NOTE_CANCELLED_BEFORE_START,
};

struct outcome {
	enum status status;
	int exit_code; /* -1: none */
	int signal; /* 0: none */
	const char *limit; /* static, or NULL */
	enum outcome_error error; /* to record (the result keeps its first error) */
	int detail;
	enum outcome_note note;
	bool program_ended; /* the status is the program's own end: its usage is the run's */
};

/* While the program runs: kill the tree now?  *timed_out: the kill is the
 * wall timeout (nothing else asked for it). */
HIDDEN bool outcome_should_stop(const struct outcome_facts *f, bool deadline_passed, bool *timed_out);
/* After it ended: the result's fields. */
HIDDEN void outcome_decide(const struct outcome_facts *f, struct outcome *o);

/* seal.c */
HIDDEN int write_full(int fd, const void *buf, size_t len);
HIDDEN void take_cancel(cordon_result *r, int cancel_fd);
HIDDEN ssize_t read_stream(int fd, void *buf, size_t len, int cancel_fd);
HIDDEN int open_caller_path(const char *path, const char *what, int *fd, struct stat *st, char **err);
HIDDEN int seal_path(const char *path, struct source *s, int cancel_fd, char **err);
HIDDEN int wait_readable(int fd, int cancel_fd);
HIDDEN int seal_fd(int in_fd, const struct stat *st, const char *name, struct source *s, int cancel_fd, char **err);

/* child.c */
HIDDEN bool clone_req_get(const struct run *run, struct clone_req *out);
HIDDEN void clone_req_drop(struct run *run);
HIDDEN void clone_req_status(struct run *run, int status, const struct exit_report *usage);
HIDDEN void clone_req_pending(struct run *run, pid_t pid, int pidfd);
HIDDEN void clone_req_reap(struct run *run);
HIDDEN int write_child_maps(pid_t pid, const struct clone_req *req, const char **what);
HIDDEN void child_note(const struct cordon_child *c, const char *msg);
HIDDEN int child_give_output(const struct cordon_child *c, int dirfd);
HIDDEN __attribute__((noreturn)) void child_main(const struct launch *L);
HIDDEN char *resolve_command(const char *cmd, const struct strv *env);

/* reap.c */
HIDDEN int list_children(struct pidset *out, const struct pidset *skip);
HIDDEN void rusage_add(struct rusage *acc, const struct rusage *ru);
HIDDEN int kill_leftovers(const struct pidset *preexisting, pid_t main_pid, cordon_result *r, struct rusage *acc);
HIDDEN void kill_main(pid_t pid, int pidfd);
HIDDEN bool pidset_has(const struct pidset *s, pid_t p);
HIDDEN int pidset_add(struct pidset *s, pid_t p);

/* pump.c */
HIDDEN size_t pend_len(const struct pump *pu);
HIDDEN void pend_consume(struct pump *pu, size_t n);
HIDDEN void pump_feed(struct supervisor *sv, struct pump *pu, const unsigned char *data, size_t len, int eof);
HIDDEN void pump_close(struct supervisor *sv, struct pump *pu);
HIDDEN void pump_write(struct pump *pu, bool block);
HIDDEN int open_input(const struct cordon_run_options *o, struct input_pump *ip, cordon_result *r);
HIDDEN void input_src_close(struct input_pump *ip);
HIDDEN void input_close(struct input_pump *ip);

/* supervise.c */
HIDDEN void set_cloexec_nonblock(int fd);
HIDDEN int supervise(struct run *run, const struct cordon_run_options *o, const struct pidset *pre);

/* hostpath.c */
HIDDEN int check_dirs(const struct cordon_run_options *o, cordon_result *r);
HIDDEN const char *host_path_problem(const char *real);

/* run.c */
HIDDEN void close_passed(struct run *run);
HIDDEN void run_end(struct run *run);
HIDDEN char *hook_failure(struct entry *e, const char *hook);

#endif
