/*
 * core/cli/mcp.h - `cordon mcp`: a Model Context Protocol server on stdio
 * (newline-delimited JSON-RPC 2.0) whose tools run and check code under
 * cordon's policies.
 */
#ifndef CORDON_CLI_MCP_H
#define CORDON_CLI_MCP_H

/* `cordon mcp [--policy-dir DIR] [-v]`: argv[0] is "mcp"; policy_dir and
 * verbose are the global options given before the command (may be NULL /
 * 0).  Serves until end of input or a signal.  Returns the exit status: 0
 * at end of input, 125 on a usage error or when the protocol's output can
 * no longer be written, 128+N after signal N. */
int cordon_cli_mcp(int argc, char **argv, const char *policy_dir, int verbose);

#include <cordon/cordon.h>

/* The same protocol for another transport (cordon serve's POST /mcp): what
 * the host decides instead of the stdio server. */
struct mcp_host {
	const char *policy_dir;
	int verbose;
	void *arg;
	/* NULL when the caller may use policy NAME, else why not (static). */
	const char *(*refuse_policy)(void *arg, const char *name);
	/* The host's loaded policy NAME (owned by the host), or NULL to load it. */
	cordon_policy *(*warm_policy)(void *arg, const char *name);
	/* The policy names the caller may use (NULL-terminated, the host's), or
	 * NULL for every installed one. */
	const char *const *(*policy_names)(void *arg);
	const char *caller; /* recorded in each run's result, or NULL */
	/* execute_code with outputs: true: where the run's /output is
	 * collected, and the run's id for read_output_file (NULL: refused). */
	const char *output_dir, *run_id;
	int offer_outputs; /* tools/list shows outputs and read_output_file */
	/* execute_code's files: written under input_base (NULL: TMPDIR or
	 * /tmp, with infiles.h's default bounds), at most these bounds. */
	const char *input_base;
	size_t max_input_bytes, max_input_files;
	int cancel_fd; /* a run is cancelled when it becomes readable; -1 none */
};

/* The stdio server with a service behind it (`cordon-serve mcp`): the
 * tool calls that need one (execute_code with a session or with outputs:
 * true, read_output_file) are handed to call(), which answers with the
 * service's JSON-RPC message as text (free it), or NULL with why filled
 * (the call then gets a JSON-RPC error); stop() is called once the server
 * is done, whatever happened. */
struct mcp_forward {
	void *arg;
	char *(*call)(void *arg, const char *msg, size_t len, char *why, size_t whylen);
	void (*stop)(void *arg);
};
int cordon_cli_mcp_forwarding(int argc, char **argv, const char *policy_dir, int verbose,
                              const struct mcp_forward *fwd);
/* Nonzero once the stdio server got a signal that ends it (a forwarder's
 * long call gives up then). */
int cordon_mcp_stopping(void);

/* One JSON-RPC message: the answer as text (free it), or NULL when there
 * is none to send (a notification, a response). */
char *cordon_mcp_handle(const struct mcp_host *host, const char *msg, size_t len);

/* The method of a message that parses as a JSON-RPC request, else NULL
 * (free it): the transport's routing decides before handling. */
char *cordon_mcp_method(const char *msg, size_t len);

#endif
