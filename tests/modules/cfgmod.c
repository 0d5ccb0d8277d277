/* tests/modules/cfgmod.c - an ABI 1.4 config table of every type; open
 * prints what the core filled in, one warning. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <cordon/module.h>

struct config {
	const char *name;
	const char *file;
	const char *const *list;
	int64_t count;
	int flag;
	uint64_t size;
	uint64_t time;
	int mode;
	const cordon_node *map;
};

static const char *const modes[] = { "off", "on", "auto", NULL };

static const struct cordon_config_arg config[] = {
	CORDON_CONFIG(struct config, name, "name", CORDON_ARG_STRING, 0, 0, 0, "anon", "a string"),
	CORDON_CONFIG(struct config, file, "file", CORDON_ARG_PATH, 0, 0, 0, NULL, "a path"),
	CORDON_CONFIG(struct config, list, "list", CORDON_ARG_STRINGS, 0, 0, 0, NULL, "strings"),
	CORDON_CONFIG(struct config, count, "count", CORDON_ARG_INT, 0, 1, 10, "3", "an integer"),
	CORDON_CONFIG(struct config, flag, "flag", CORDON_ARG_BOOL, 0, 0, 0, "true", "a boolean"),
	CORDON_CONFIG(struct config, size, "size", CORDON_ARG_SIZE, 0, 0, 0, "64K", "a size"),
	CORDON_CONFIG(struct config, time, "time", CORDON_ARG_DURATION, 0, 0, 0, "unlimited", "a duration"),
	CORDON_CONFIG_ENUM(struct config, mode, "mode", modes, "auto", "a choice"),
	CORDON_CONFIG(struct config, map, "map", CORDON_ARG_MAPPING, 0, 0, 0, NULL, "a mapping"),
	CORDON_CONFIG_END,
};

static int cm_open(cordon_ctx *ctx, void **state)
{
	(void)state;
	const struct config *c = cordon_config(ctx);
	if (!c)
		return cordon_error(ctx, NULL, "no config");
	char list[256] = "";
	for (size_t i = 0; c->list && c->list[i]; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? "," : "", c->list[i]);
	cordon_warning(ctx, "cfg name=%s file=%s list=%s count=%" PRId64 " flag=%d size=%" PRIu64 " time=%s mode=%s map=%s",
	               c->name ? c->name : "(null)", c->file ? c->file : "(null)", c->list ? list : "(null)", c->count,
	               c->flag, c->size, c->time == CORDON_UNLIMITED ? "unlimited" : "finite", modes[c->mode],
	               c->map ? "yes" : "no");
	return 0;
}

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_module),
	.name = "cfgmod",
	.description = "test: a config table of every type",
	.open = cm_open,
	.config = config,
	.config_size = sizeof(struct config),
};
