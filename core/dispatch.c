/*
 * core/dispatch.c - control flags as presets over one verdict -> action
 * table (as Linux-PAM), and the check phase that applies it.
 *
 *                 PASS     DENY     IGNORE   ERROR
 *     required    ok       bad      ignore   error
 *     requisite   ok       die      ignore   error
 *     sufficient  done     ignore   ignore   ignore
 *     optional    ignore   ignore   ignore   ignore
 *
 * ok: a pass, go on.  bad: the phase fails, but go on so every finding is
 * reported.  die: the phase fails now.  done: the phase passes here, unless
 * something failed before (then it counts as ignore).  ignore: reported,
 * never decides.  error: the module could not decide, so nothing was
 * decided about the source: the run is an error (125) at once, never a
 * denial (126) — a caller (or a model) must not be told "denied by policy"
 * for a fault of the checker.
 *
 * The phase fails when anything was bad or died; otherwise it passes, also
 * when every module ignored (nothing objected).
 *
 * Audit mode (`mode: audit`, --audit): a DENY counts as ignore, after a
 * warning naming the module that would have denied, and nothing ends the
 * phase early, so every module's findings are collected.  An ERROR keeps
 * its action: a module that could not decide is not a policy decision,
 * and the run still fails closed.  `cordon check` reports verdicts as they
 * are in either mode.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const enum action table[4][4] = {
	/*                    PASS        DENY        IGNORE      ERROR */
	[CONTROL_REQUIRED] = { ACT_OK, ACT_BAD, ACT_IGNORE, ACT_ERROR },
	[CONTROL_REQUISITE] = { ACT_OK, ACT_DIE, ACT_IGNORE, ACT_ERROR },
	[CONTROL_SUFFICIENT] = { ACT_DONE, ACT_IGNORE, ACT_IGNORE, ACT_IGNORE },
	[CONTROL_OPTIONAL] = { ACT_IGNORE, ACT_IGNORE, ACT_IGNORE, ACT_IGNORE },
};

enum action control_action(enum control c, enum cordon_verdict v)
{
	if ((unsigned)c >= 4 || (unsigned)v >= 4)
		return ACT_DIE; /* cannot happen; fail closed */
	return table[c][v];
}

const char *verdict_name(int v)
{
	switch (v) {
	case CORDON_PASS:
		return "pass";
	case CORDON_DENY:
		return "deny";
	case CORDON_IGNORE:
		return "ignore";
	case CORDON_ERROR:
		return "error";
	}
	return "error";
}

int check_hooks(struct run *run, const struct source *src, struct check_out *out)
{
	cordon_policy *p = run->policy;
	cordon_result *r = run->result;
	bool failed = false;
	/* `cordon check` reports the verdicts as they are in either mode. */
	bool audit = p->audit && !r->check_file;
	struct cordon_source cs = {
		.size = sizeof(cs),
		.name = src->name,
		.data = src->map ? src->map : (const unsigned char *)"",
		.len = src->len,
		.language = src->language,
	};
	run->cur_source = src;
	int result = CORDON_PASS;
	size_t i;
	for (i = 0; i < p->n_stack; i++)
		out[i] = (struct check_out){ .code = CHECK_NO_HOOK };
	for (i = 0; i < p->n_stack; i++) {
		struct entry *e = &p->stack[i];
		int (*check)(cordon_ctx *, void *, const struct cordon_source *) = MODULE_HOOK(e->lm.m, check);
		if (!check)
			continue;
		size_t before = r->n_findings;
		e->ctx.phase = PHASE_CHECK;
		e->ctx.run = run;
		free(e->last_error);
		e->last_error = NULL;
		checker_announce(p, i);
		double t0 = now_ms();
		int v = check(&e->ctx, e->state, &cs);
		out[i].ms = now_ms() - t0;
		if (v < CORDON_PASS || v > CORDON_ERROR)
			v = CORDON_ERROR; /* an out-of-range answer is an error */
		out[i].code = v;
		/* A denial always carries a finding saying so. */
		if (v == CORDON_DENY && r->n_findings == before)
			result_add_finding(r, e->lm.m->name, "denied", CORDON_SEV_HIGH, 0, 0, src->name,
			                   e->last_error ? e->last_error : "the module denied this source");
		enum action a = control_action(e->control, (enum cordon_verdict)v);
		if (v == CORDON_ERROR && a != ACT_ERROR)
			result_warn(r, "%s: the module could not check %s%s%s", e->lm.m->name, src->name,
			            e->last_error ? ": " : "", e->last_error ? e->last_error : "");
		if (audit) {
			if (v == CORDON_DENY && (a == ACT_BAD || a == ACT_DIE))
				result_warn(r, "audit: %s (%s) would have denied %s", e->lm.m->name,
				            control_name(e->control), src->name);
			if (v == CORDON_DENY || a == ACT_DONE)
				a = ACT_IGNORE;
		}
		if (a == ACT_ERROR) {
			result_set_error(r, CORDON_EXIT_ERROR, "%s could not check %s%s%s: nothing was run", e->lm.m->name,
			                 src->name, e->last_error ? ": " : "", e->last_error ? e->last_error : "");
			result = CORDON_ERROR;
			i++;
			break;
		} else if (a == ACT_BAD) {
			failed = true;
		} else if (a == ACT_DIE) {
			failed = true;
			i++;
			break;
		} else if (a == ACT_DONE && !failed) {
			i++;
			break;
		}
	}
	/* Modules after an early end are reported as not run. */
	for (; i < p->n_stack; i++)
		if (MODULE_HOOK(p->stack[i].lm.m, check))
			out[i].code = CHECK_NOT_RUN;
	run->cur_source = NULL;
	if (result == CORDON_ERROR)
		return CORDON_ERROR;
	return failed ? CORDON_DENY : CORDON_PASS;
}

void check_merge(cordon_policy *p, const struct check_out *out)
{
	for (size_t i = 0; i < p->n_stack; i++) {
		struct entry *e = &p->stack[i];
		if (out[i].code == CHECK_NO_HOOK)
			continue;
		if (out[i].code == CHECK_NOT_RUN) {
			if (!e->verdict)
				e->verdict = "not-run";
			continue;
		}
		e->ms += out[i].ms;
		/* With several sources the worst verdict of a module is kept. */
		if (!e->verdict || strcmp(e->verdict, "pass") == 0 || strcmp(e->verdict, "ignore") == 0 ||
		    strcmp(e->verdict, "not-run") == 0)
			e->verdict = verdict_name(out[i].code);
	}
}
