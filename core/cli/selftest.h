/*
 * core/cli/selftest.h - `cordon selftest`: run probes under a policy on
 * this host and report which of its promises actually hold.
 */
#ifndef CORDON_CLI_SELFTEST_H
#define CORDON_CLI_SELFTEST_H

/* `cordon selftest [-p POLICY] [--json]`: argv[0] is "selftest"; policy_dir
 * and verbose are the global options given before the command (may be NULL
 * / 0).  Returns the exit status: 0 every check the policy requires holds,
 * 1 one does not, 125 usage error, invalid policy or internal failure. */
int cordon_cli_selftest(int argc, char **argv, const char *policy_dir, int verbose);

#endif
