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

#endif
