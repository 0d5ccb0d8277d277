/*
 * core/require.c - what a loaded policy promises to `cordon selftest`
 * (ABI 1.5): each module's requirements hook states the selftest
 * properties its configuration provides through the require service, and
 * cordon_policy_requirements hands them to the embedder as
 * "MODULE\tPROPERTY\tVALUE" lines.  The core knows no property names but
 * its own (no_new_privs, which it sets before every execve); whether a name
 * is one the probes check is the selftest's business.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define REQUIRE_MAX 200 /* bytes of a property name or value */

/* The core's own promises, under a name no module can have. */
#define CORE_NAME "(core)"

static bool valid_property(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > REQUIRE_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '.'))
			return false;
	return true;
}

static bool valid_value(const char *s)
{
	return strlen(s) <= REQUIRE_MAX && !strpbrk(s, "\t\n\r");
}

/* A refused promise: the reason becomes the entry's error, and the hook's
 * failure names it. */
static int refuse(cordon_ctx *ctx, char *why)
{
	ctx->policy->requirements_bad = true;
	if (ctx->entry && why) {
		free(ctx->entry->last_error);
		ctx->entry->last_error = why;
	} else {
		free(why);
	}
	return -1;
}

int policy_require(cordon_ctx *ctx, const char *property, const char *value)
{
	if (ctx->phase != PHASE_REQUIRE || !ctx->policy || !ctx->policy->requirements) {
		fprintf(stderr, "cordon: %s: module called require outside its requirements hook\n",
		        ctx->entry && ctx->entry->lm.m ? ctx->entry->lm.m->name : "?");
		return -1;
	}
	const char *name = ctx->entry->lm.m->name;
	if (!property || !valid_property(property))
		return refuse(ctx, xasprintf("require: '%.*s' is not a property name (1 to %d characters of [a-z0-9_.])",
		                             REQUIRE_MAX, property ? property : "", REQUIRE_MAX));
	if (value && !valid_value(value))
		return refuse(ctx, xasprintf("require: the value of %s is over %d bytes or holds a tab or newline",
		                             property, REQUIRE_MAX));
	if (strv_push_owned(ctx->policy->requirements, xasprintf("%s\t%s\t%s", name, property, value ? value : "")) < 0)
		return refuse(ctx, xstrdup("out of memory"));
	return 0;
}

/* One entry's promises: its hook's lines, or "MODULE\t\t" when it has
 * none. */
static int entry_requirements(cordon_policy *p, struct entry *e, struct strv *out, char **err)
{
	const struct cordon_module *m = e->lm.m;
	int (*hook)(cordon_ctx *, void *) = MODULE_HOOK(m, requirements);
	size_t before = out->n;
	if (hook) {
		enum phase was = e->ctx.phase;
		free(e->last_error);
		e->last_error = NULL;
		e->ctx.phase = PHASE_REQUIRE;
		p->requirements = out;
		p->requirements_bad = false;
		int r = hook(&e->ctx, e->state);
		p->requirements = NULL;
		e->ctx.phase = was;
		if (r != 0 || p->requirements_bad) {
			set_err(err, "%s:%ld:%ld: module '%s' could not state its selftest requirements%s%s", e->mark.file,
			        e->mark.line, e->mark.column, m->name, e->last_error ? ": " : "",
			        e->last_error ? e->last_error : "");
			return -1;
		}
	}
	if (out->n == before && strv_push_owned(out, xasprintf("%s\t\t", m->name)) < 0) {
		set_err(err, "out of memory");
		return -1;
	}
	return 0;
}

char **cordon_policy_requirements(cordon_policy *p, char **err)
{
	if (err)
		*err = NULL;
	if (!p || p->closed) {
		set_err(err, p ? "the policy was closed (cordon_policy_close)" : "no policy");
		return NULL;
	}
	struct strv out = { 0 };
	/* The core sets no_new_privs before every execve, whatever the stack. */
	if (strv_push(&out, CORE_NAME "\t" CORDON_PROP_NO_NEW_PRIVS "\t") < 0) {
		set_err(err, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < p->n_stack; i++) {
		if (entry_requirements(p, &p->stack[i], &out, err) < 0) {
			strv_clear(&out);
			return NULL;
		}
	}
	return out.v;
}

int cordon_policy_audit(const cordon_policy *p)
{
	return p && p->audit ? 1 : 0;
}
