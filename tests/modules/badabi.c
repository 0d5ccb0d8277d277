/* tests/modules/badabi.c - a module built for a future ABI major: must be refused. */
#include <cordon/module.h>

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_MKVERSION(CORDON_ABI_MAJOR + 1, 3),
	.size = sizeof(struct cordon_module),
	.name = "badabi",
	.description = "built for the next ABI major",
};
