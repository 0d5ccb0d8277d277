/*
 * core/cli/logverify.h - `cordon log verify FILE`: check an incident log's
 * hash chain (modules/incident_log).
 */
#ifndef CORDON_CLI_LOGVERIFY_H
#define CORDON_CLI_LOGVERIFY_H

/* `cordon log ...`: argv[0] is "log".  Returns the exit status: 0 the chain
 * is intact, 1 a record is broken or missing, 125 usage or I/O error. */
int cordon_cli_log(int argc, char **argv);

#endif
