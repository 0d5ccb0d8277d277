/* tests/modules/runstate.c - per-run state (ABI 1.4): prepare and finish
 * say what they find in it, then change it; a second run of the same
 * policy must find it zeroed again. */
#include <cordon/module.h>

struct run_state {
	int prepared, finished;
};

static int rs_prepare(cordon_ctx *ctx, void *state)
{
	(void)state;
	struct run_state *r = cordon_run_state(ctx);
	if (!r)
		return cordon_error(ctx, NULL, "no run state");
	cordon_warning(ctx, "runstate prepare: prepared=%d finished=%d", r->prepared, r->finished);
	r->prepared++;
	return 0;
}

static int rs_finish(cordon_ctx *ctx, void *state, const struct cordon_run_info *info)
{
	(void)state;
	(void)info;
	struct run_state *r = cordon_run_state(ctx);
	if (!r)
		return cordon_error(ctx, NULL, "no run state");
	cordon_warning(ctx, "runstate finish: prepared=%d finished=%d", r->prepared, r->finished);
	r->finished++;
	return 0;
}

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_module),
	.name = "runstate",
	.description = "test: per-run state",
	.prepare = rs_prepare,
	.finish = rs_finish,
	.run_state_size = sizeof(struct run_state),
};
