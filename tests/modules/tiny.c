/* tests/modules/tiny.c - a descriptor smaller than ABI 1.0's: must be refused. */
#include <cordon/module.h>

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION,
	.size = 16,
	.name = "tiny",
};
