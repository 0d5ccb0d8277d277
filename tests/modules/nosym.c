/* tests/modules/nosym.c - a shared object without the cordon_module symbol. */
#include <cordon/module.h>

CORDON_MODULE_EXPORT const struct cordon_module not_the_symbol = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_module),
	.name = "nosym",
};
