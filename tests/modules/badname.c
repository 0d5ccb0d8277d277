/* tests/modules/badname.c - a module whose declared name differs from its file name. */
#include <cordon/module.h>

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_module),
	.name = "othername",
	.description = "declares a name that is not its file's",
};
