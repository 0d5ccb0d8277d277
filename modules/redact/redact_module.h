/*
 * modules/redact/redact_module.h - the redact module's state, shared with its
 * unit tests (which drive the filter hook directly).
 */
#ifndef CORDON_REDACT_MODULE_H
#define CORDON_REDACT_MODULE_H

#include "redact.h"

struct rd_module {
	struct rd_config *cfg; /* owned */
	struct rd_stream *st[2]; /* stdout, stderr */
	char *policy_dir; /* host_paths: the policy file's directory (owned), or NULL */
};

/* Takes ownership of cfg (also on failure: NULL, cfg not freed). */
struct rd_module *rd_module_new(struct rd_config *cfg);
void rd_module_free(struct rd_module *m);

/* The descriptor (redact.c), for tests that call its hooks. */
struct cordon_module;
extern const struct cordon_module cordon_module;

#endif
