/*
 * core/event.c - events of a policy's life outside a run (ABI 1.6): the
 * modules' event hooks (an audit log records them as it records runs).
 *
 * cordon serve hands each session cell here: a cell is checked by the
 * policy's check modules and sent to the session's interpreter, with no
 * run of its own whose finish would record it, so without this only the
 * session's whole run would be in the audit log.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int cordon_policy_event(cordon_policy *p, const char *json, const void *code, size_t code_len, char **err)
{
	if (err)
		*err = NULL;
	if (!p || !json)
		return set_err(err, "cordon_policy_event: no policy or no event"), -1;
	if (p->closed)
		return set_err(err, "cordon_policy_event: the policy was closed (cordon_policy_close)"), -1;
	json_t *ev = json_loads(json, 0, NULL);
	const char *status = json_string_value(json_object_get(ev, "status"));
	if (!json_is_object(ev) || !json_is_string(json_object_get(ev, "event")) || !status ||
	    (strcmp(status, "ok") != 0 && strcmp(status, "denied") != 0 && strcmp(status, "error") != 0) ||
	    !json_is_array(json_object_get(ev, "findings"))) {
		json_decref(ev);
		return set_err(err, "cordon_policy_event: expected an object with \"event\", \"status\" (ok, denied or "
		                    "error) and \"findings\" (an array)"),
		       -1;
	}
	struct cordon_run_info info = {
		.size = sizeof(info),
		.policy = p->name,
		.status = status,
		.exit_code = -1,
		.signal = -1,
		.cli_exit = strcmp(status, "ok") == 0 ? 0 : strcmp(status, "denied") == 0 ? CORDON_EXIT_DENIED
		                                                                             : CORDON_EXIT_ERROR,
		.source = code,
		.source_len = code ? code_len : 0,
		.json = json,
		.n_findings = json_array_size(json_object_get(ev, "findings")),
	};
	int rc = 0;
	for (size_t i = 0; i < p->n_stack; i++) {
		struct entry *e = &p->stack[i];
		int (*hook)(cordon_ctx *, void *, const struct cordon_run_info *) = MODULE_HOOK(e->lm.m, event);
		if (!hook)
			continue;
		enum phase was = e->ctx.phase;
		free(e->last_error);
		e->last_error = NULL;
		e->ctx.phase = PHASE_EVENT;
		int r = hook(&e->ctx, e->state, &info);
		e->ctx.phase = was;
		if (r != 0 && rc == 0) {
			set_err(err, "%s:%ld:%ld: module '%s' could not record the event%s%s", e->mark.file, e->mark.line,
			        e->mark.column, e->lm.m->name, e->last_error ? ": " : "", e->last_error ? e->last_error : "");
			rc = -1;
		}
	}
	json_decref(ev);
	return rc;
}
