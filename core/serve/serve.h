/*
 * core/serve/serve.h - cordon-serve: the service over libcordon.
 *
 * conf.c     serve.yaml: listeners, policies, callers and their rights
 * jobs.c     runs and checks: the queue, one forked worker per run (a
 *            spare forked ahead with its checker started, when there is
 *            one), the run table, rate limits, the service log, metrics
 * http.c     the HTTP API (libmicrohttpd): routes, callers, bodies;
 *            POST /mcp, the Model Context Protocol's tools over HTTP
 *            (core/cli/mcp.c, the same protocol code as `cordon mcp`)
 * main.c     `cordon serve` (the loop) and the clients `cordon stop`,
 *            `cordon resume`, `cordon ps` (libcurl over the socket)
 */
#ifndef CORDON_SERVE_H
#define CORDON_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <jansson.h>

#include <cordon/cordon.h>

#include "../cli/infiles.h"

#define SERVE_DEFAULT_CONF "/etc/cordon/serve.yaml"
#define SERVE_DEFAULT_SOCKET "/run/cordon/serve.sock"
#define SERVE_MAX_CALLER_GROUPS 256
#define SERVE_MAX_LISTENERS 2

/* A caller: who may use which policies, how much. */
struct caller {
	char *name;
	int line; /* in serve.yaml; 0 for the implicit owner */
	bool by_uid, by_gid, by_token;
	uid_t uid;
	gid_t gid;
	char token_sha256[65]; /* lower-case hex */
	char **policies; /* NULL-terminated; NULL with all_policies */
	bool all_policies;
	bool admin; /* may stop, resume and list every caller's runs */
	unsigned concurrency; /* runs at once, 0 unlimited */
	double runs_per_minute; /* 0 unlimited */
	double cpu_seconds_per_hour; /* 0 unlimited */
	/* state */
	unsigned running;
	double run_tokens, cpu_tokens;
	struct timespec refilled;
	bool bucket_started;
};

struct warm_policy {
	char *name;
	cordon_policy *policy;
	char *language; /* or NULL */
	unsigned long long runs_by_status[6], refused;
	/* the last run of this policy given a worker had no source (argv):
	 * spares forked while it is set start no checker (jobs.c) */
	bool argv_last;
};

struct serve_conf {
	char *path;
	char *unix_path;
	mode_t unix_mode;
	bool has_group;
	gid_t unix_gid;
	char *tcp; /* host:port, or NULL */
	unsigned workers, queue;
	unsigned spare_workers; /* per policy: workers forked ahead, their checker started (jobs.c) */
	unsigned sessions, session_idle_s; /* sessions at once; idle seconds before one ends */
	size_t max_request;
	/* a run's "files" (written to its input directory): decoded bytes in
	 * all, and how many (413 beyond) */
	size_t max_input_bytes;
	unsigned max_input_files;
	unsigned keep_results;
	unsigned run_timeout_s; /* a waiting request gives up after this */
	char *log_path;
	char *policy_dir, *module_path;
	struct warm_policy *policies;
	size_t n_policies;
	struct caller *callers;
	size_t n_callers;
	struct caller owner; /* root and the service's own uid on the socket */
};

/* conf.c */
/* `cordon-serve mcp` (mcpstdio.c): the stdio MCP server with a private
 * service behind it for sessions and outputs. */
int cmd_mcp(int argc, char **argv);

/* A libcurl write callback (main.c) gathering an answer into a serve_buf
 * (p NUL-terminated; free it), at most 64 MiB: past that the transfer
 * fails with CURLE_WRITE_ERROR. */
struct serve_buf {
	char *p;
	size_t n;
};
size_t serve_curl_take(char *ptr, size_t size, size_t nmemb, void *userdata);

/* A file's MIME type by its name's extension (http.c): the one table of
 * the outputs API, read_output_file and a session's returned files. */
const char *serve_content_type(const char *path);
/* What of a policy's output limit a session's returned files may use
 * (session.c). */
uint64_t session_files_budget(cordon_policy *p);

int conf_load(struct serve_conf *c, const char *path, const char *socket_override, char **err);
void conf_free(struct serve_conf *c);
struct warm_policy *conf_policy(struct serve_conf *c, const char *name);
bool caller_may_use(const struct caller *k, const char *policy);
/* The caller on the Unix socket for these credentials, or NULL. */
struct caller *conf_caller_unix(struct serve_conf *c, uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups);
/* The caller whose token this is (TCP), or NULL. */
struct caller *conf_caller_token(struct serve_conf *c, const char *token);
/* *err = the message; returns -1. */
int seterr(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int parse_size(const char *s, uint64_t *out);

/* jobs.c */
enum job_kind { JOB_RUN, JOB_CHECK, JOB_MCP, JOB_SESSION };
enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE };

struct http_wait; /* http.c: a request waiting for a job */
struct job;

/* What an epoll event is about. */
enum ev_kind { EV_SIGNAL, EV_HTTP, EV_RESULT, EV_STREAM, EV_ZYGOTE };
struct evsrc {
	enum ev_kind kind;
	struct job *job;
	int which; /* EV_STREAM: 0 stdout, 1 stderr */
};

struct job {
	char id[33];
	enum job_kind kind;
	enum job_state state;
	struct caller *caller;
	struct warm_policy *wp;
	char **tighten; /* NULL-terminated, or NULL */
	char *code; /* JOB_MCP: the JSON-RPC message */
	size_t code_len;
	char **argv; /* exec, NULL-terminated, or NULL */
	char *input; /* or NULL */
	size_t input_len;
	/* running */
	pid_t pid;
	int result_fd, cancel_fd;
	char *buf;
	size_t len, cap;
	bool cancelled, stopped;
	struct timespec cancel_at; /* a worker still there 10 s after is killed */
	struct timespec submitted, started, ended;
	/* done */
	int http_status;
	char *body; /* the result JSON (or an error object) */
	struct http_wait *waiter;
	/* stream: true: the output as server-sent events while it runs */
	bool stream;
	int stream_fd[2];
	struct evsrc ev_result, ev_stream[2];
	char carry[2][4]; /* an unfinished UTF-8 sequence at a chunk's end */
	size_t carry_len[2];
	char *sse; /* events not yet sent */
	size_t sse_len, sse_off, sse_dropped;
	bool sse_end, sse_attached, sse_suspended;
	void *sse_conn; /* the connection the events go to */
	/* JOB_SESSION (session.c) */
	int stdin_fd; /* the driver's input: cells as frames */
	unsigned cells;
	bool cell_busy, cell_end[2];
	char *cell_out[2];
	size_t cell_out_len[2], cell_out_cap[2], cell_scan[2], cell_dropped;
	char *cell_meta;
	json_t *cell_findings; /* the check's findings of the cell in flight */
	char *mcp_name; /* a session started by an MCP call: its caller-given name */
	cordon_checker *cell_checker; /* the session's own checker for its cells (session.c), or NULL */
	char *pending_code; /* the cell to send once the session is up */
	char *cell_code; /* the cell in flight, for its audit record */
	size_t cell_code_len;
	size_t pending_len;
	struct timespec last_used;
	/* outputs: true - what the program wrote to /output, kept here */
	bool outputs;
	char *out_dir; /* state_dir/ID, made before the worker, removed with the job */
	/* "files": state_dir/cordon-in.XXXXXX, the run's --input-dir, made
	 * before the worker, removed when the run or session ends */
	char *in_dir;
	struct job *next; /* the table, newest first */
	struct job *qnext; /* the queue */
};

struct serve;
int jobs_init(struct serve *s);
void jobs_free(struct serve *s);
/* Admit a job (the caller's rights already checked): start it or queue
 * it.  Returns 0, or -1 with *status and *why (503 queue full, stopped). */
int job_submit(struct serve *s, struct job *j, int *status, const char **why);
struct job *job_find(struct serve *s, const char *id);
int job_cancel(struct serve *s, struct job *j);
/* A worker's result pipe is readable (or closed). */
void job_readable(struct serve *s, struct job *j);
/* One of a streaming job's output pipes is readable (or closed). */
void job_stream_readable(struct serve *s, struct job *j, int which);
/* SIGCHLD: reap workers. */
void jobs_reap(struct serve *s);
void jobs_stop_all(struct serve *s);
double job_cpu_so_far(const struct job *j);
/* remove_tree (a run's outputs, the service's directory): ../cli/infiles.h */
/* A job with every descriptor -1. */
struct job *job_new(enum job_kind kind, struct caller *k, struct warm_policy *wp);
void job_free(struct job *j);
/* The job's policy name ("mcp" for an MCP message, whose policy is in its call). */
const char *job_policy(const struct job *j);
/* Rate limits: 0 when the caller may start a run now, else the seconds
 * to wait, with *why. */
double caller_admit(struct caller *k, const char **why);
void caller_charge(struct caller *k);
/* Fork spare workers up to spare_workers per policy; reap those that
 * ended while they waited (the loop, between iterations: never on a
 * request's path).  Through the zygote while it lives. */
void spares_refill(struct serve *s);
/* The zygote (jobs.c): a copy of the service made before the first
 * request, which forks the spare workers as children of the service
 * (CLONE_PARENT), so that the service itself does not fork for them.
 * 0 started (or spare_workers is 0), -1 not (spares are then forked by
 * the service, as when the zygote is gone). */
int zygote_start(struct serve *s);
/* Its socket is readable: the pids of the spares it forked, in the order
 * asked; at its end the zygote is gone and reaped later. */
void zygote_readable(struct serve *s);
void zygote_stop(struct serve *s);
/* Free finished jobs beyond keep_results (between loop iterations). */
void jobs_prune(struct serve *s);
void serve_log(struct serve *s, const char *kind, const struct caller *k, const char *policy, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
char *metrics_text(struct serve *s);

/* session.c */
extern const char session_driver[];
/* Bytes as a JSON string, invalid UTF-8 as U+FFFD. */
json_t *json_text_lossy(const char *p, size_t n);
/* The length of the valid UTF-8 sequence at p (1..4), 0 when it is
 * invalid, -1 when n ends inside it. */
int utf8_seq_len(const unsigned char *p, size_t n);
/* in as valid UTF-8 into out (room for 3n bytes): an invalid byte as
 * U+FFFD; unless last, an unfinished sequence at the end is left (*used
 * says how much of in was taken).  The bytes written. */
size_t utf8_repair(const unsigned char *in, size_t n, unsigned char *out, bool last, size_t *used);
void session_output(struct serve *s, struct job *j, int which, const char *data, size_t n);
/* Send a cell (the caller checked it); -1 with *why when it cannot. */
int session_send(struct job *j, const char *code, size_t len, const char **why);
/* Check a cell and send it: NULL when sent, else the answer now. */
char *session_check_send(struct serve *s, struct job *j, const char *code, size_t len);
/* The session's worker ended: a cell in flight is answered "ended". */
void session_ended(struct serve *s, struct job *j);

/* http.c */
/* A cell's answer for the request waiting on it (body: taken). */
void http_cell_done(struct job *j, unsigned status, char *body);
int http_start(struct serve *s, char **err);
void http_stop(struct serve *s);
void http_run(struct serve *s);
void http_job_done(struct serve *s, struct job *j);
/* New events for a streaming job's connection. */
void http_sse_wake(struct job *j);
/* Shutting down: answer every request still waiting. */
void http_abandon(struct serve *s);
int http_timeout_ms(struct serve *s);
void http_close_fds_in_worker(struct serve *s);

/* The service. */
struct serve {
	struct serve_conf conf;
	int epfd, sigfd;
	int listen_fd[SERVE_MAX_LISTENERS];
	bool listen_is_unix[SERVE_MAX_LISTENERS];
	void *mhd[SERVE_MAX_LISTENERS];
	int mhd_epfd[SERVE_MAX_LISTENERS];
	size_t n_listen;
	int log_fd;
	char *state_dir; /* private (0700), this service's: runs' outputs */
	bool stopped; /* kill switch on: new runs refused until resume */
	bool prune_pending;
	bool socket_activated; /* the Unix socket is systemd's: never unlinked */
	bool n_unix_made; /* this service made the socket file (removed at exit) */
	bool quit;
	struct job *jobs; /* every job kept, newest first */
	struct job *queue_head, *queue_tail;
	unsigned running, queued, kept, sessions;
	/* connection descriptors, closed in each worker */
	int *conn_fds;
	size_t n_conn_fds, cap_conn_fds;
	/* metrics */
	unsigned long long refused_by_code[6]; /* 401 403 413 429 503 other */
	unsigned long long latency_bucket[12], latency_count;
	double latency_sum;
	json_t *denials_by_rule, *redactions_by_rule; /* object: rule -> count */
	unsigned long long mcp_messages;
	sigset_t saved_mask;
	time_t started;
	/* spare workers (jobs.c): forked ahead, each waits for one run */
	struct spare {
		pid_t pid;
		int fd; /* the service's end of its socket (SOCK_SEQPACKET) */
		struct warm_policy *wp;
		bool checker; /* forked to start a checker (the last run of its policy had a source) */
	} *spares;
	size_t n_spares, cap_spares;
	unsigned long long spares_used, spares_discarded;
	/* the zygote: its pid, the service's end of its socket, and the
	 * spares asked of it whose pids have not come yet, oldest first */
	pid_t zygote_pid;
	int zygote_fd;
	struct evsrc ev_zygote;
	struct spare_asked {
		int fd; /* the service's end of the spare's socket */
		struct warm_policy *wp;
		bool checker;
	} *asked;
	size_t n_asked, cap_asked;
	/* workers whose jobs are done (their results read whole) but that
	 * have not been reaped yet: reaped on SIGCHLD, off the requests'
	 * path (jobs.c) */
	pid_t *exiting;
	size_t n_exiting, cap_exiting;
};

#endif
