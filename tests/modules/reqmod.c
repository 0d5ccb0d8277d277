/* tests/modules/reqmod.c - selftest requirements (ABI 1.5): the module
 * promises what its `require` argument lists, each "PROPERTY" or
 * "PROPERTY=VALUE", through the requirements hook; `fail: true` makes the
 * hook fail.  tests/selftest.t checks that `cordon selftest` probes what a
 * module it has never heard of promises, and refuses what it does not
 * know, naming the module. */
#include <string.h>

#include <cordon/module.h>

static const struct cordon_arg args[] = {
	{ "require", CORDON_ARG_STRINGS, 0, 0, 0, "PROPERTY or PROPERTY=VALUE, promised to cordon selftest" },
	{ "fail", CORDON_ARG_BOOL, 0, 0, 0, "the requirements hook fails" },
	{ NULL, 0, 0, 0, 0, NULL },
};

static int require_one(cordon_ctx *ctx, const char *item)
{
	char prop[256];
	const char *eq = strchr(item, '=');
	size_t n = eq ? (size_t)(eq - item) : strlen(item);
	if (n >= sizeof(prop))
		return cordon_error(ctx, NULL, "require: '%s' is too long", item);
	memcpy(prop, item, n);
	prop[n] = '\0';
	return cordon_require(ctx, prop, eq ? eq + 1 : NULL);
}

static int rq_requirements(cordon_ctx *ctx, void *state)
{
	(void)state;
	const struct cordon_core_api *api = cordon_api(ctx);
	const cordon_node *f = cordon_arg(ctx, "fail");
	int fail = 0;
	if (f && api->node_bool(ctx, f, &fail) < 0)
		return -1;
	if (fail)
		return cordon_error(ctx, NULL, "asked to fail");
	const cordon_node *n = cordon_arg(ctx, "require");
	if (!n)
		return 0;
	if (api->node_type(n) == CORDON_NODE_SCALAR)
		return require_one(ctx, api->node_scalar(n, NULL));
	for (size_t i = 0; i < api->node_len(n); i++)
		if (require_one(ctx, api->node_scalar(api->node_at(n, i), NULL)) < 0)
			return -1;
	return 0;
}

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_module),
	.name = "reqmod",
	.description = "test: promises the selftest properties it is given",
	.args = args,
	.requirements = rq_requirements,
};
