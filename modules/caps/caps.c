/*
 * modules/caps/caps.c - drop capabilities and lock the securebits.
 *
 *   with:
 *     keep: [CAP_NET_BIND_SERVICE]   capabilities the program keeps (default: none)
 *     securebits: true               lock SECBIT_NOROOT, NO_SETUID_FIXUP, KEEP_CAPS off,
 *                                    NO_CAP_AMBIENT_RAISE (default true)
 *
 * Names are parsed with libcap-ng in open (CAP_ prefix and case optional);
 * an unknown name is a policy error.  libcap-ng is loaded (dlopen) only
 * when keep names a capability and unloaded after parsing: a policy that
 * keeps none, the usual case, does not pay for loading it on every launch.  The child applies them with raw
 * prctl/capset only (async-signal-safe), in this order:
 *
 *   1. inheritable set = keep (what the ambient set may hold)
 *   2. ambient set cleared, then raised for each kept capability, so that a
 *      non-root program keeps it across execve
 *   3. bounding set: every other capability dropped
 *   4. securebits set and locked (NO_CAP_AMBIENT_RAISE last: after 2)
 *   5. effective and permitted sets = keep
 *   6. no_new_privs
 *
 * Steps 3 and 4 need CAP_SETPCAP (in the current user namespace).  Without
 * it - an unprivileged cordon without the namespaces module - they are
 * skipped with a note: no_new_privs already keeps set-user-ID and file
 * capabilities from granting anything.  A kept capability that cordon does
 * not hold cannot be kept; that is noted too.  Stack it after namespaces
 * (whose pid 2 holds every capability of its new user namespace until
 * execve) and before seccomp.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cap-ng.h>
#include <linux/capability.h>
#include <linux/securebits.h>

#include <cordon/module.h>

struct state {
	uint64_t keep; /* bit per capability */
	int last_cap;
	int securebits;
};

/* The arguments as the core fills them (ABI 1.4 config table). */
struct config {
	const char *const *keep; /* NULL-terminated; NULL: none */
	int securebits;
};

#define ARG(member, type, def, help) CORDON_CONFIG(struct config, member, #member, CORDON_ARG_##type, 0, 0, 0, def, help)
static const struct cordon_config_arg config[] = {
	ARG(keep, STRINGS, NULL, "capabilities kept (e.g. CAP_NET_BIND_SERVICE); none when absent"),
	ARG(securebits, BOOL, "true", "lock the securebits"),
	CORDON_CONFIG_END,
};
#undef ARG

/* keep: names (CAP_ prefix and case optional) to bits, with libcap-ng.
 * Errors name the item's node: n itself when keep is one scalar. */
static int parse_keep(cordon_ctx *ctx, struct state *s, const char *const *keep, const cordon_node *n,
                      int (*name_to_cap)(const char *))
{
	const struct cordon_core_api *api = cordon_api(ctx);
	for (size_t i = 0; keep[i]; i++) {
		const cordon_node *item = api->node_type(n) == CORDON_NODE_SCALAR ? n : api->node_at(n, i);
		const char *name = keep[i];
		char low[64];
		size_t len = strlen(name);
		if (len >= 4 && strncasecmp(name, "cap_", 4) == 0) {
			name += 4;
			len -= 4;
		}
		if (len == 0 || len >= sizeof(low))
			return cordon_error(ctx, item, "keep: expected a capability name such as CAP_NET_BIND_SERVICE");
		for (size_t k = 0; k <= len; k++)
			low[k] = (char)tolower((unsigned char)name[k]);
		int cap = name_to_cap(low);
		if (cap < 0 || cap > 63)
			return cordon_error(ctx, item,
			                    "keep: unknown capability '%s' (expected a name such as CAP_NET_BIND_SERVICE)",
			                    keep[i]);
		if (cap > s->last_cap)
			return cordon_error(ctx, item, "keep: %s is not known to this kernel", keep[i]);
		s->keep |= 1ull << cap;
	}
	return 0;
}

static int caps_open(cordon_ctx *ctx, void **statep)
{
	const struct config *c = cordon_config(ctx);
	struct state *s = calloc(1, sizeof(*s));
	if (!s)
		return cordon_error(ctx, NULL, "out of memory");
	*statep = s;
	if (!c)
		return cordon_error(ctx, NULL, "this cordon core does not fill config tables (ABI 1.4 needed)");
	s->securebits = c->securebits;
	/* The highest capability this kernel knows (PR_CAPBSET_READ fails with
	 * EINVAL above it): a binary search over 0..63, six calls. */
	int lo = 0, hi = 63;
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;
		if (prctl(PR_CAPBSET_READ, (unsigned long)mid, 0, 0, 0) >= 0)
			lo = mid;
		else
			hi = mid - 1;
	}
	s->last_cap = lo;
	if (!c->keep || !c->keep[0])
		return 0;
	const cordon_node *n = cordon_arg(ctx, "keep");
	void *capng = dlopen(CAPNG_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!capng)
		return cordon_error(ctx, n, "keep: cannot load libcap-ng (%s) to parse capability names: %s",
		                    CAPNG_SONAME, dlerror());
	__typeof__(capng_name_to_capability) *name_to_cap;
	*(void **)&name_to_cap = dlsym(capng, "capng_name_to_capability");
	if (!name_to_cap) {
		dlclose(capng);
		return cordon_error(ctx, n, "keep: %s has no capng_name_to_capability", CAPNG_SONAME);
	}
	int r = parse_keep(ctx, s, c->keep, n, name_to_cap);
	dlclose(capng);
	return r;
}

static int capget_raw(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	return (int)syscall(SYS_capget, &h, d);
}

static int capset_raw(uint64_t eff, uint64_t perm, uint64_t inh)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {
		{ (uint32_t)eff, (uint32_t)perm, (uint32_t)inh },
		{ (uint32_t)(eff >> 32), (uint32_t)(perm >> 32), (uint32_t)(inh >> 32) },
	};
	return (int)syscall(SYS_capset, &h, d);
}

/* In the child: raw system calls only. */
static int caps_confine(void *state, const struct cordon_child *child, const char **step)
{
	const struct state *s = state;
	struct __user_cap_data_struct d[2];
	if (capget_raw(d) < 0) {
		*step = "capget";
		return errno;
	}
	uint64_t perm = (uint64_t)d[0].permitted | (uint64_t)d[1].permitted << 32;
	uint64_t keep = s->keep & perm;
	if (keep != s->keep)
		child->note(child, "a capability listed in keep is not held by cordon here: not kept");

	/* 1 */
	if (capset_raw(perm & ~0ull, perm, keep) < 0) {
		*step = "capset (inheritable set)";
		return errno;
	}
	/* 2 */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		*step = "prctl(PR_CAP_AMBIENT_CLEAR_ALL)";
		return errno;
	}
	for (int c = 0; c <= s->last_cap; c++)
		if ((keep >> c) & 1 && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)c, 0, 0) < 0) {
			*step = "prctl(PR_CAP_AMBIENT_RAISE)";
			return errno;
		}
	/* 3 */
	int setpcap = (perm >> CAP_SETPCAP) & 1;
	for (int c = 0; c <= s->last_cap; c++) {
		if ((s->keep >> c) & 1)
			continue;
		if (prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0) != 1)
			continue;
		if (!setpcap) {
			child->note(child, "no CAP_SETPCAP: the bounding set stays (no_new_privs keeps "
			                   "set-user-ID and file capabilities from granting anything)");
			break;
		}
		if (prctl(PR_CAPBSET_DROP, (unsigned long)c, 0, 0, 0) < 0) {
			*step = "prctl(PR_CAPBSET_DROP)";
			return errno;
		}
	}
	/* 4 */
	if (s->securebits) {
		unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
		                     SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
		                     SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
		if (!setpcap)
			child->note(child, "no CAP_SETPCAP: securebits not locked");
		else if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) < 0) {
			*step = "prctl(PR_SET_SECUREBITS)";
			return errno;
		}
	}
	/* 5 */
	if (capset_raw(keep, keep, keep) < 0) {
		*step = "capset (drop effective and permitted)";
		return errno;
	}
	/* 6 */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		*step = "prctl(PR_SET_NO_NEW_PRIVS)";
		return errno;
	}
	return 0;
}

static void caps_close(void *state)
{
	free(state);
}

/* What `cordon selftest` probes (ABI 1.5): every capability set empty,
 * unless the policy keeps some on purpose. */
static int caps_requirements(cordon_ctx *ctx, void *state)
{
	const struct state *s = state;
	const char *v = s && s->keep ? "no: the policy keeps some" : NULL;
	if (cordon_require(ctx, CORDON_PROP_CAPS_NONE, v) < 0 || cordon_require(ctx, CORDON_PROP_CAPS_BOUNDING, v) < 0)
		return -1;
	return 0;
}

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_module),
	.name = "caps",
	.description = "drop capabilities (bounding, ambient, inheritable, effective, permitted), lock securebits, no_new_privs",
	.flags = CORDON_MOD_STAGE(CORDON_STAGE_CAPS),
	.config = config,
	.config_size = sizeof(struct config),
	.open = caps_open,
	.confine = caps_confine,
	.close = caps_close,
	.requirements = caps_requirements,
};
