/*
 * modules/rlimit/rlimit.c - resource limits for the child.
 *
 *   with:
 *     cpu: 5s            RLIMIT_CPU (rounded up to whole seconds)
 *     memory: 256M       RLIMIT_AS (address space), and the whole tree's budget
 *     address_space: true  false: memory is the tree's budget only, no RLIMIT_AS (for
 *                        runtimes that reserve far more address space than they use:
 *                        V8 reserves gigabytes at start and dies under RLIMIT_AS)
 *     processes: 32      RLIMIT_NPROC (counts every process of the real uid)
 *     open_files: 64     RLIMIT_NOFILE
 *     file_size: 16M     RLIMIT_FSIZE
 *     core: 0            RLIMIT_CORE (default 0: no core dumps)
 *     stack: 8M          RLIMIT_STACK
 *     wall: 10s          wall-clock timeout, enforced by the supervisor
 *     output: 1M         cap on each of stdout and stderr, enforced by the supervisor
 *     output_dir: 64M    bytes the program may leave in /output (--output-dir), default 64M
 *     output_files: 4096 files and directories it may leave there, default 4096
 *
 * Soft and hard limits are set equal so the program cannot raise them.  A
 * value above the hard limit cordon itself runs under is lowered to that
 * hard limit (an unprivileged process cannot raise it) and noted as a
 * warning.  "unlimited" leaves a limit as cordon's own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <stddef.h>

#include <cordon/module.h>

#define NS_PER_S 1000000000ull

struct limit {
	int resource;
	rlim_t value;
	const char *step; /* fixed text for failures */
	const char *lowered; /* fixed text for the note when lowered */
};

struct state {
	struct limit limits[8];
	size_t n;
	uint64_t wall_ns; /* 0: none */
	uint64_t output; /* 0: none */
	uint64_t cpu_ns, memory, file_size, processes;
	uint64_t output_dir, output_files; /* 0: the core's defaults */
	int have_output;
};

/* The arguments as the core fills them (ABI 1.4 config table): absent keys
 * take the defaults below; "unlimited" is CORDON_UNLIMITED. */
struct config {
	uint64_t cpu, memory, file_size, core, stack, wall, output, output_dir;
	int64_t processes, open_files, output_files; /* 0: absent (the bounds start at 1) */
	int address_space;
};

#define ARG(member, type, min, max, def, help)                                                                  \
	CORDON_CONFIG(struct config, member, #member, CORDON_ARG_##type, 0, min, max, def, help)
static const struct cordon_config_arg config[] = {
	ARG(cpu, DURATION, 0, 0, "unlimited", "CPU time (RLIMIT_CPU), whole seconds, rounded up"),
	ARG(memory, SIZE, 0, 0, "unlimited", "address space (RLIMIT_AS) and the whole tree's memory budget"),
	ARG(address_space, BOOL, 0, 0, "true",
	    "false: memory is the tree's budget only, without RLIMIT_AS (V8, which reserves gigabytes)"),
	ARG(processes, INT, 1, 1000000, NULL, "processes of the user (RLIMIT_NPROC)"),
	ARG(open_files, INT, 4, 1048576, NULL, "open descriptors (RLIMIT_NOFILE)"),
	ARG(file_size, SIZE, 0, 0, "unlimited", "largest file it may write (RLIMIT_FSIZE)"),
	ARG(core, SIZE, 0, 0, "0", "core dump size (RLIMIT_CORE)"),
	ARG(stack, SIZE, 0, 0, "unlimited", "stack size (RLIMIT_STACK)"),
	ARG(wall, DURATION, 0, 0, "unlimited", "wall-clock time for the whole run"),
	ARG(output, SIZE, 0, 0, "unlimited", "bytes kept of each of stdout and stderr"),
	ARG(output_dir, SIZE, 0, 0, "64M", "bytes the program may leave in /output"),
	ARG(output_files, INT, 1, 1000000, "4096", "entries the program may leave in /output"),
	CORDON_CONFIG_END,
};

static void add(struct state *s, int resource, uint64_t v, const char *step, const char *lowered)
{
	s->limits[s->n].resource = resource;
	s->limits[s->n].value = (rlim_t)v;
	s->limits[s->n].step = step;
	s->limits[s->n].lowered = lowered;
	s->n++;
}

/* What the table cannot say: values that are valid sizes or durations but
 * no program could run under, and one argument that needs another. */
static int rl_open(cordon_ctx *ctx, void **statep)
{
	const struct config *c = cordon_config(ctx);
	struct state *s = calloc(1, sizeof(*s));
	if (!s)
		return cordon_error(ctx, NULL, "out of memory");
	*statep = s;
	if (!c)
		return cordon_error(ctx, NULL, "this cordon core does not fill config tables (ABI 1.4 needed)");
	if (c->cpu != CORDON_UNLIMITED) {
		if (c->cpu == 0)
			return cordon_error(ctx, cordon_arg(ctx, "cpu"), "cpu: must be more than 0");
		uint64_t secs = c->cpu / NS_PER_S + (c->cpu % NS_PER_S ? 1 : 0);
		if (secs > 100ull * 365 * 86400)
			return cordon_error(ctx, cordon_arg(ctx, "cpu"), "cpu: more than 100 years (use unlimited)");
		s->cpu_ns = secs * NS_PER_S;
		add(s, RLIMIT_CPU, secs, "setrlimit(RLIMIT_CPU)", "cpu limit lowered to cordon's own hard limit");
	}
	if (c->memory != CORDON_UNLIMITED) {
		if (c->memory < (1u << 20))
			return cordon_error(ctx, cordon_arg(ctx, "memory"),
			                    "memory: too small for any program to start (at least 1M)");
		s->memory = c->memory;
	}
	if (!c->address_space && !s->memory)
		return cordon_error(ctx, cordon_arg(ctx, "address_space"),
		                    "address_space: false needs a memory budget (memory: SIZE)");
	if (s->memory && c->address_space)
		add(s, RLIMIT_AS, s->memory, "setrlimit(RLIMIT_AS)", "memory limit lowered to cordon's own hard limit");
	if (c->processes) {
		s->processes = (uint64_t)c->processes;
		add(s, RLIMIT_NPROC, s->processes, "setrlimit(RLIMIT_NPROC)",
		    "processes limit lowered to cordon's own hard limit");
	}
	if (c->open_files)
		add(s, RLIMIT_NOFILE, (uint64_t)c->open_files, "setrlimit(RLIMIT_NOFILE)",
		    "open_files limit lowered to cordon's own hard limit");
	if (c->file_size != CORDON_UNLIMITED) {
		s->file_size = c->file_size;
		add(s, RLIMIT_FSIZE, c->file_size, "setrlimit(RLIMIT_FSIZE)",
		    "file_size limit lowered to cordon's own hard limit");
	}
	if (c->core != CORDON_UNLIMITED)
		add(s, RLIMIT_CORE, c->core, "setrlimit(RLIMIT_CORE)", "core limit lowered to cordon's own hard limit");
	if (c->stack != CORDON_UNLIMITED) {
		if (c->stack < 65536)
			return cordon_error(ctx, cordon_arg(ctx, "stack"), "stack: too small for any program (at least 64K)");
		add(s, RLIMIT_STACK, c->stack, "setrlimit(RLIMIT_STACK)", "stack limit lowered to cordon's own hard limit");
	}
	if (c->wall != CORDON_UNLIMITED) {
		if (c->wall == 0)
			return cordon_error(ctx, cordon_arg(ctx, "wall"), "wall: must be more than 0");
		s->wall_ns = c->wall;
	}
	if (c->output != CORDON_UNLIMITED) {
		s->output = c->output;
		s->have_output = 1;
	}
	if (c->output_dir == CORDON_UNLIMITED)
		return cordon_error(ctx, cordon_arg(ctx, "output_dir"),
		                    "output_dir: the output directory always has a budget (a size such as 64M)");
	s->output_dir = c->output_dir ? c->output_dir : 1; /* 0: nothing may be left there */
	s->output_files = (uint64_t)c->output_files;
	return 0;
}

static int rl_prepare(cordon_ctx *ctx, void *state)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	struct state *s = state;
	if (s->wall_ns && api->launch_wall(ctx, s->wall_ns) < 0)
		return -1;
	if (s->have_output && api->launch_output_cap(ctx, s->output) < 0)
		return -1;
	if (s->cpu_ns)
		api->launch_limit(ctx, "cpu", s->cpu_ns);
	if (s->memory)
		api->launch_limit(ctx, "memory", s->memory);
	if (s->file_size)
		api->launch_limit(ctx, "file_size", s->file_size);
	if (s->processes)
		api->launch_limit(ctx, "processes", s->processes);
	if (s->output_dir && api->launch_limit(ctx, "output_dir", s->output_dir) < 0)
		return cordon_error(ctx, NULL, "output_dir: this cordon core has no output directory budget");
	if (s->output_files && api->launch_limit(ctx, "output_files", s->output_files) < 0)
		return cordon_error(ctx, NULL, "output_files: this cordon core has no output directory budget");
	return 0;
}

/* In the child: async-signal-safe system calls only. */
static int rl_confine(void *state, const struct cordon_child *child, const char **step)
{
	const struct state *s = state;
	for (size_t i = 0; i < s->n; i++) {
		const struct limit *l = &s->limits[i];
		struct rlimit cur, want = { l->value, l->value };
		if (getrlimit(l->resource, &cur) < 0) {
			*step = l->step;
			return errno;
		}
		if (cur.rlim_max != RLIM_INFINITY && want.rlim_max > cur.rlim_max) {
			/* Cannot raise a hard limit: apply the lower one. */
			want.rlim_cur = want.rlim_max = cur.rlim_max;
			child->note(child, l->lowered);
		}
		if (setrlimit(l->resource, &want) < 0) {
			*step = l->step;
			return errno;
		}
	}
	return 0;
}

static void rl_close(void *state)
{
	free(state);
}

/* What `cordon selftest` probes (ABI 1.5): each limit the policy writes
 * (a default is not promised), as written; memory without address_space
 * is the tree's budget, held by the supervisor rather than an RLIMIT_AS. */
static int rl_requirements(cordon_ctx *ctx, void *state)
{
	(void)state;
	static const struct {
		const char *key, *prop;
	} limits[] = {
		{ "cpu", CORDON_PROP_LIMIT_PREFIX "cpu" },
		{ "memory", CORDON_PROP_LIMIT_PREFIX "memory" },
		{ "processes", CORDON_PROP_LIMIT_PREFIX "processes" },
		{ "open_files", CORDON_PROP_LIMIT_PREFIX "open_files" },
		{ "file_size", CORDON_PROP_LIMIT_PREFIX "file_size" },
		{ "core", CORDON_PROP_LIMIT_PREFIX "core" },
		{ "stack", CORDON_PROP_LIMIT_PREFIX "stack" },
	};
	const struct config *c = cordon_config(ctx);
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		const cordon_node *n = cordon_arg(ctx, limits[i].key);
		const char *v = n ? cordon_api(ctx)->node_scalar(n, NULL) : NULL;
		if (!v)
			continue;
		const char *prop = limits[i].prop;
		if (strcmp(limits[i].key, "memory") == 0 && c && !c->address_space)
			prop = CORDON_PROP_MEMORY_BUDGET;
		if (cordon_require(ctx, prop, v) < 0)
			return -1;
	}
	return 0;
}

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_module),
	.name = "rlimit",
	.description = "resource limits (setrlimit), wall timeout and output caps",
	.flags = CORDON_MOD_STAGE(CORDON_STAGE_LIMITS),
	.config = config,
	.config_size = sizeof(struct config),
	.open = rl_open,
	.prepare = rl_prepare,
	.confine = rl_confine,
	.close = rl_close,
	.requirements = rl_requirements,
};
