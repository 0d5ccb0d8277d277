/* tests/modules/abi12.c - a module as ABI 1.2 built it: its descriptor ends
 * before the 1.4 members.  What lies after it in memory (here, a config
 * pointer to nothing valid) must never be read. */
#include <stddef.h>

#include <cordon/module.h>

static const struct cordon_arg args[] = {
	{ "level", CORDON_ARG_INT, 0, 1, 5, "a level" },
	{ NULL, 0, 0, 0, 0, NULL },
};

static int a_open(cordon_ctx *ctx, void **state)
{
	(void)state;
	const cordon_node *n = cordon_arg(ctx, "level");
	int64_t v = 0;
	if (n && cordon_api(ctx)->node_int(ctx, n, &v) < 0)
		return -1;
	cordon_warning(ctx, "abi12 level=%lld config=%s", (long long)v, cordon_config(ctx) ? "set" : "none");
	return 0;
}

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_MKVERSION(1, 2),
	.size = offsetof(struct cordon_module, config),
	.name = "abi12",
	.description = "test: a module of ABI 1.2",
	.args = args,
	.open = a_open,
	.config = (const struct cordon_config_arg *)(const void *)args, /* beyond .size: never read */
	.config_size = 1,
};
