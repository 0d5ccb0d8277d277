/* tests/modules/oldiso.c - an isolation backend as ABI 1.4 built it, before
 * --input-dir: the core must refuse --input-dir rather than let it go
 * unshown (tests/supervisor.t).  It confines nothing itself. */
#include <stddef.h>

#include <cordon/module.h>

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_MKVERSION(1, 4),
	.size = offsetof(struct cordon_module, requirements),
	.name = "oldiso",
	.description = "test: an isolation backend of ABI 1.4",
	.flags = CORDON_MOD_ISOLATION,
};
