/* tests/modules/cfgbad.c - config tables the core must refuse at load, one
 * per build: CFGBAD_BOTH (args and config), CFGBAD_OFFSET (a member past
 * config_size), CFGBAD_DEFAULT (a default that is not a value of its type),
 * CFGBAD_ENTRY (an entry of a size this core does not know). */
#include <stdint.h>

#include <cordon/module.h>

struct config {
	uint64_t size;
};

#if defined(CFGBAD_ENTRY)
static const struct cordon_config_arg config[] = {
	{ 8, "size", CORDON_ARG_SIZE, 0, 0, 0, "a size", 0, NULL, NULL },
	CORDON_CONFIG_END,
};
#else
static const struct cordon_config_arg config[] = {
	CORDON_CONFIG(struct config, size, "size", CORDON_ARG_SIZE, 0, 0, 0,
#ifdef CFGBAD_DEFAULT
	              "lots",
#else
	              "1M",
#endif
	              "a size"),
	CORDON_CONFIG_END,
};
#endif

#ifdef CFGBAD_BOTH
static const struct cordon_arg args[] = {
	{ "size", CORDON_ARG_SIZE, 0, 0, 0, "a size" },
	{ NULL, 0, 0, 0, 0, NULL },
};
#endif

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_module),
	.name = MODNAME,
	.description = "test: a config table the core refuses",
#ifdef CFGBAD_BOTH
	.args = args,
#endif
	.config = config,
#ifdef CFGBAD_OFFSET
	.config_size = 4,
#else
	.config_size = sizeof(struct config),
#endif
};
