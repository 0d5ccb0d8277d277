/*
 * modules/seccomp/seccomp.c - seccomp filters for the child, and every
 * denied system call reported by name.
 *
 *   with:
 *     profile: default        built-in profile: default (deny list), strict (allow list) or
 *                             javascript (strict's list and what V8 needs)
 *     oci_profile: FILE       an OCI / Docker / Podman JSON profile instead of a built-in one
 *     action: errno(EPERM)    what a denial does: errno(NAME|N), kill_process, trap, log
 *     default_action: ACTION  what a call no rule names does (the profile's own by default)
 *     allow: [NAME | {name: NAME, args: [COND...]}]
 *     deny:  [NAME | {name: NAME, action: ACTION, args: [COND...]}]
 *             COND = {index: 0-5, op: eq|ne|lt|le|gt|ge|masked_eq, value: N, mask: N}
 *     audit: false            nothing is denied; every would-be denial is reported
 *     memfd_exec: true        false: anonymous memory files are never executable (memfd_create
 *                             must ask for MFD_NOEXEC_SEAL); false by default under the
 *                             allow lists (strict, javascript)
 *
 * Order.  The filter is compiled in the parent when the policy is opened;
 * the confine hook only loads it, after setting no_new_privs.  The module
 * belongs last in the stack (after namespaces and caps), so that nothing a
 * later hook does needs to be allowed; the core's own calls after the hooks
 * (close_range, prctl, getpid, getppid, write, execve) are allowed by every
 * profile, and a policy that denies one of them is refused.
 *
 * Reporting.  Denials (errno, kill_process, log, and in audit mode every
 * would-be denial) return SECCOMP_RET_USER_NOTIF.  The confine hook loads
 * the filter with SECCOMP_FILTER_FLAG_NEW_LISTENER and sends the listener
 * over a socket pair to the supervisor (launch_pass_fd), which watches it
 * (launch_watch), evaluates the same rules again to learn which one
 * matched, answers with the rule's errno (or lets the call continue: audit,
 * log), or kills the process, and records the call with its arguments.
 * Allowed calls never leave the kernel: they pay only for the BPF program.
 * The finish hook turns the records into findings.  When the program is
 * already under a listener (cordon inside cordon) or the kernel lacks user
 * notification, the kernel's own actions apply and a warning says that
 * denials are not itemized.
 *
 * Audit mode.  `audit: true`, or the policy's audit mode (mode: audit,
 * --audit), which the module takes as its own.
 *
 * Under bwrap.  When bwrap comes earlier in the stack (it publishes
 * "bwrap.wrapper"), a filter loaded here would confine bubblewrap's own
 * setup: open compiles the program with the kernel's own actions and
 * publishes it as "seccomp.bpf", bwrap hands it to bubblewrap (--seccomp
 * FD), which loads it just before the program; confine loads nothing and
 * prepare checks that bwrap passed it for this run ("bwrap.seccomp_fd"),
 * failing closed otherwise.  Denials are then not itemized, a kill shows as
 * exit status 159, and audit uses the kernel's log action; warnings say so.
 * Loaded in the child, the module publishes "seccomp.confine" so that a
 * bwrap later in the stack refuses the order.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cordon/module.h>

#include "seccomp_rules.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* Linux 6.9 */
#endif

#define MAX_RECORDS 128 /* distinct (system call, outcome) pairs itemized */
#define X32_BIT 0x40000000u

enum outcome {
	OUT_DENIED, /* answered with an errno */
	OUT_KILLED, /* the process was killed */
	OUT_AUDIT, /* audit mode: would have been denied; ran */
	OUT_LOGGED, /* the log action: ran */
};

struct record {
	uint32_t arch;
	int nr;
	enum outcome outcome;
	struct sc_action act; /* what the rule said */
	uint64_t args[6]; /* of the first call */
	uint64_t count;
	const char *where;
};

struct state {
	struct sc_policy pol;
	bool audit;
	bool policy_audit; /* the policy runs in audit mode (mode: audit, --audit) */
	bool wrapped; /* bwrap loads the program (seccomp.bpf); nothing here does */
	struct sc_prog plain; /* the kernel's actions */
	struct sc_prog notify; /* denials notify the supervisor */
	bool use_notify; /* core services and kernel support are there */
	/* per run */
	int child_sock; /* in the child: the socket end to send the listener on */
	int sock; /* supervisor's end, or -1 */
	int listener; /* supervisor's copy of the listener, or -1 */
};

/* What one run's supervisor saw: the core's per-run state (ABI 1.4), zeroed
 * for every run, so nothing of an earlier run's is ever reported again. */
struct run_log {
	struct record rec[MAX_RECORDS];
	size_t n_rec;
	uint64_t unrecorded; /* calls beyond MAX_RECORDS distinct ones */
	bool killed; /* the supervisor killed the program */
};

/* The arguments as the core fills them (ABI 1.4 config table). */
struct config {
	int profile; /* index in profiles */
	const char *oci_profile; /* absolute, or NULL */
	const char *action, *default_action; /* parsed here (sc_parse_action) */
	const cordon_node *allow, *deny;
	int audit;
	int memfd_exec; /* absent: the profile decides (cordon_arg) */
};

static const char *const profiles[] = { "default", "strict", "javascript", NULL };

#define ARG(member, type, def, help) CORDON_CONFIG(struct config, member, #member, CORDON_ARG_##type, 0, 0, 0, def, help)
static const struct cordon_config_arg config[] = {
	CORDON_CONFIG_ENUM(struct config, profile, "profile", profiles, "default",
	                   "built-in profile: default (deny list), strict (allow list) or javascript (strict and V8)"),
	ARG(oci_profile, PATH, NULL, "OCI / Docker JSON seccomp profile (instead of profile)"),
	ARG(action, STRING, "errno(EPERM)", "what a denial does: errno(NAME|N), kill_process, trap, log"),
	ARG(default_action, STRING, NULL, "action for calls no rule names (the profile's own)"),
	ARG(allow, SEQUENCE, NULL, "system calls to allow: names or {name, args}"),
	ARG(deny, SEQUENCE, NULL, "system calls to deny: names or {name, action, args}"),
	ARG(audit, BOOL, "false", "deny nothing, report every would-be denial"),
	ARG(memfd_exec, BOOL, NULL, "false: memfd_create must seal the file non-executable (strict's default)"),
	CORDON_CONFIG_END,
};
#undef ARG

static int sys_seccomp(unsigned op, unsigned flags, void *arg)
{
	return (int)syscall(SYS_seccomp, op, flags, arg);
}

/* ---- open: arguments ---- */

static const char action_expect[] = "expected an action: allow, errno(NAME) or errno(N) with N from 1 to 4095, "
                                    "kill_process, trap or log";

static int node_action(cordon_ctx *ctx, const cordon_node *n, struct sc_action *out)
{
	const char *s = cordon_api(ctx)->node_scalar(n, NULL);
	if (!s || sc_parse_action(s, out) < 0)
		return cordon_error(ctx, n, "%s", action_expect);
	return 0;
}

/* text: the value of argument key (the table checked it is a string). */
static int arg_action(cordon_ctx *ctx, const char *key, const char *text, struct sc_action *out)
{
	if (sc_parse_action(text, out) < 0)
		return cordon_error(ctx, cordon_arg(ctx, key), "%s", action_expect);
	return 0;
}

static char *place(cordon_ctx *ctx, const cordon_node *n, struct state *s)
{
	const char *file;
	long line, col;
	cordon_api(ctx)->node_mark(n, &file, &line, &col);
	char buf[512];
	snprintf(buf, sizeof(buf), "%s:%ld", file ? file : "?", line);
	return (char *)sc_policy_keep(&s->pol, buf);
}

static int parse_cond(cordon_ctx *ctx, const cordon_node *n, struct sc_cond *c)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	static const char *const keys[] = { "index", "op", "value", "mask", NULL };
	if (api->node_type(n) != CORDON_NODE_MAPPING)
		return cordon_error(ctx, n, "expected {index: 0-5, op: eq|ne|lt|le|gt|ge|masked_eq, value: N, mask: N}");
	if (api->node_check_keys(ctx, n, keys) < 0)
		return -1;
	const cordon_node *ix = api->node_get(n, "index"), *op = api->node_get(n, "op"),
	                  *val = api->node_get(n, "value"), *mask = api->node_get(n, "mask");
	int64_t index;
	if (!ix)
		return cordon_error(ctx, n, "index: required (0 to 5)");
	if (api->node_int(ctx, ix, &index) < 0)
		return -1;
	if (index < 0 || index > 5)
		return cordon_error(ctx, ix, "index: expected 0 to 5");
	c->index = (unsigned)index;
	c->op = SCMP_CMP_EQ;
	const char *ops = op ? api->node_scalar(op, NULL) : "eq";
	if (!ops || sc_parse_op(ops, &c->op) < 0)
		return cordon_error(ctx, op, "op: expected eq, ne, lt, le, gt, ge or masked_eq");
	const char *vs = val ? api->node_scalar(val, NULL) : NULL;
	if (!val)
		return cordon_error(ctx, n, "value: required");
	uint64_t v;
	if (!vs || sc_parse_u64(vs, &v) < 0)
		return cordon_error(ctx, val, "value: expected a number (decimal, 0x hex, or negative)");
	if (c->op == SCMP_CMP_MASKED_EQ) {
		const char *ms = mask ? api->node_scalar(mask, NULL) : NULL;
		uint64_t m;
		if (!mask)
			return cordon_error(ctx, n, "mask: required with op masked_eq");
		if (!ms || sc_parse_u64(ms, &m) < 0)
			return cordon_error(ctx, mask, "mask: expected a number (decimal or 0x hex)");
		if ((v & ~m) != 0)
			return cordon_error(ctx, val, "value has bits outside the mask: the rule could never match");
		c->a = m;
		c->b = v;
	} else {
		if (mask)
			return cordon_error(ctx, mask, "mask: only with op masked_eq");
		c->a = v;
		c->b = 0;
	}
	return 0;
}

static bool same_action(struct sc_action a, struct sc_action b)
{
	return a.kind == b.kind && (a.kind != SC_ERRNO && a.kind != SC_QUIET ? true : a.err == b.err);
}

static const char *nr_name(int nr, char *buf, size_t len)
{
	char *n = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	snprintf(buf, len, "%s", n ? n : "?");
	free(n);
	return buf;
}

/* Apply one user rule on top of the profile (see README: user rules). */
static int user_rule(cordon_ctx *ctx, struct state *s, const cordon_node *at, struct sc_rule *r)
{
	char name[64], want[48], have[48];
	nr_name(r->nr, name, sizeof(name));
	sc_action_text(r->act, want, sizeof(want));
	if (r->n == 0) {
		for (size_t i = 0; i < s->pol.n; i++) {
			const struct sc_rule *o = &s->pol.v[i];
			if (o->nr == r->nr && o->user && !same_action(o->act, r->act))
				return cordon_error(ctx, at, "%s: already given %s by %s", name,
				                    (sc_action_text(o->act, have, sizeof(have)), have), o->where);
		}
		/* Replaces whatever the profile said about the call. */
		sc_policy_remove(&s->pol, r->nr);
		if (same_action(r->act, s->pol.dflt))
			return 0;
		return sc_policy_add(&s->pol, r) < 0 ? cordon_error(ctx, at, "out of memory") : 0;
	}
	for (size_t i = 0; i < s->pol.n; i++) {
		const struct sc_rule *o = &s->pol.v[i];
		if (o->nr != r->nr || o->n != 0)
			continue;
		if (same_action(o->act, r->act))
			return 0; /* already so for every argument */
		sc_action_text(o->act, have, sizeof(have));
		return cordon_error(ctx, at,
		                    "%s: %s already gives it %s for every argument, so a rule with arguments cannot "
		                    "narrow it; list the name alone first (deny: [%s] or allow: [%s]) and then the "
		                    "cases with arguments",
		                    name, o->user ? o->where : "the profile", have, name, name);
	}
	if (same_action(r->act, s->pol.dflt)) {
		sc_action_text(s->pol.dflt, have, sizeof(have));
		return cordon_error(ctx, at,
		                    "%s: a %s rule with arguments has no effect: calls no rule names already get the "
		                    "default action %s",
		                    name, want, have);
	}
	return sc_policy_add(&s->pol, r) < 0 ? cordon_error(ctx, at, "out of memory") : 0;
}

static int user_list(cordon_ctx *ctx, struct state *s, const cordon_node *list, bool deny, struct sc_action act)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	if (!list)
		return 0;
	for (size_t i = 0; i < api->node_len(list); i++) {
		const cordon_node *it = api->node_at(list, i);
		const cordon_node *name_node = it;
		struct sc_rule r = { .act = act, .user = true };
		if (api->node_type(it) == CORDON_NODE_MAPPING) {
			static const char *const allow_keys[] = { "name", "args", NULL };
			static const char *const deny_keys[] = { "name", "args", "action", NULL };
			if (api->node_check_keys(ctx, it, deny ? deny_keys : allow_keys) < 0)
				return -1;
			name_node = api->node_get(it, "name");
			if (!name_node)
				return cordon_error(ctx, it, "name: required (a system call name)");
			const cordon_node *a = api->node_get(it, "action");
			if (a) {
				if (node_action(ctx, a, &r.act) < 0)
					return -1;
				if (r.act.kind == SC_ALLOW)
					return cordon_error(ctx, a, "a deny entry cannot allow (put it under allow:)");
			}
			const cordon_node *cs = api->node_get(it, "args");
			if (cs) {
				if (api->node_type(cs) != CORDON_NODE_SEQUENCE || api->node_len(cs) == 0 ||
				    api->node_len(cs) > SC_MAX_COND)
					return cordon_error(ctx, cs, "args: expected a list of 1 to 6 conditions");
				bool used[SC_MAX_COND] = { false };
				for (size_t j = 0; j < api->node_len(cs); j++) {
					const cordon_node *cn = api->node_at(cs, j);
					if (parse_cond(ctx, cn, &r.c[r.n]) < 0)
						return -1;
					if (used[r.c[r.n].index])
						return cordon_error(ctx, cn,
						                    "argument %u is already compared in this rule (one comparison "
						                    "per argument; write several rules for several values)",
						                    r.c[r.n].index);
					used[r.c[r.n].index] = true;
					r.n++;
				}
			}
		} else if (api->node_type(it) != CORDON_NODE_SCALAR)
			return cordon_error(ctx, it, "expected a system call name or {name: NAME, args: [...]}");
		const char *nm = api->node_scalar(name_node, NULL);
		if (!nm || !*nm)
			return cordon_error(ctx, name_node, "expected a system call name");
		int nr = seccomp_syscall_resolve_name(nm);
		if (nr == __NR_SCMP_ERROR)
			return cordon_error(ctx, name_node, "unknown system call %s", nm);
		if (nr < 0) {
			cordon_log(ctx, CORDON_LOG_INFO, "%s is not a system call of this architecture; ignored", nm);
			continue;
		}
		r.nr = nr;
		r.where = place(ctx, name_node, s);
		if (!r.where)
			return cordon_error(ctx, name_node, "out of memory");
		if (user_rule(ctx, s, name_node, &r) < 0)
			return -1;
	}
	return 0;
}

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008u /* Linux 6.3 */
#endif

/*
 * memfd_exec: false.  A program that writes a binary into an anonymous
 * memory file and executes it (memfd_create, then execveat(fd, "",
 * AT_EMPTY_PATH) or execve("/proc/self/fd/N")) runs code that no mount's
 * noexec covers.  memfd_create must then carry MFD_NOEXEC_SEAL: the file
 * gets no execute permission and F_SEAL_EXEC, so the kernel refuses every
 * exec of it, whatever path or descriptor names it, and no chmod can undo
 * that.  Without the flag the call is denied with the policy's action and
 * reported by name.  A kernel before 6.3 does not know the flag (EINVAL):
 * there the program gets no memory file at all.  (vm.memfd_noexec=2 would do
 * the same in the kernel, but only a process whose effective uid is the
 * host's root may write it, which no sandbox process is.)  The descriptor
 * cordon itself passes (the sealed source) is made outside and stays
 * executable, for a source run by its #! line.
 */
static int memfd_rule(cordon_ctx *ctx, struct state *s, const cordon_node *at, const char *profile,
                      struct sc_action deny)
{
	int nr = seccomp_syscall_resolve_name("memfd_create");
	if (nr < 0)
		return 0;
	const uint64_t unsealed[6] = { 0, 0, 0, 0, 0, 0 };
	struct sc_action was = sc_policy_verdict(&s->pol, nr, unsealed);
	if (was.kind >= SC_QUIET)
		return 0; /* already refused without the seal */
	char where[600];
	snprintf(where, sizeof(where), "profile %s: memfd_exec: false", profile);
	if (at) {
		const char *file;
		long line, col;
		cordon_api(ctx)->node_mark(at, &file, &line, &col);
		snprintf(where, sizeof(where), "%s:%ld: memfd_exec: false", file ? file : "?", line);
	}
	struct sc_rule sealed = { .nr = nr, .act = was, .n = 1, .where = "memfd_exec: false",
		                  .c = { { 1, SCMP_CMP_MASKED_EQ, MFD_NOEXEC_SEAL, MFD_NOEXEC_SEAL } } };
	struct sc_rule bare = { .nr = nr, .act = deny, .n = 1, .where = sc_policy_keep(&s->pol, where),
		                .c = { { 1, SCMP_CMP_MASKED_EQ, MFD_NOEXEC_SEAL, 0 } } };
	if (!bare.where)
		return cordon_error(ctx, at, "out of memory");
	/* A rule for every argument would hide a conditional one (libseccomp
	 * keeps the first): it becomes the same action for sealed files. */
	size_t kept = 0;
	bool uncond = false;
	for (size_t i = 0; i < s->pol.n; i++) {
		if (s->pol.v[i].nr == nr && s->pol.v[i].n == 0)
			uncond = true;
		else
			s->pol.v[kept++] = s->pol.v[i];
	}
	s->pol.n = kept;
	if (uncond && !same_action(was, s->pol.dflt) && sc_policy_add(&s->pol, &sealed) < 0)
		return cordon_error(ctx, at, "out of memory");
	return sc_policy_add(&s->pol, &bare) < 0 ? cordon_error(ctx, at, "out of memory") : 0;
}

/* The calls the core makes after the filter is loaded must be allowed. */
static int core_calls(cordon_ctx *ctx, struct state *s, bool oci)
{
	for (size_t i = 0; sc_core_syscalls[i]; i++) {
		int nr = seccomp_syscall_resolve_name(sc_core_syscalls[i]);
		if (nr < 0)
			continue;
		const struct sc_rule *uncond = NULL, *user = NULL;
		for (size_t j = 0; j < s->pol.n; j++) {
			const struct sc_rule *r = &s->pol.v[j];
			if (r->nr != nr)
				continue;
			if (r->user && r->act.kind >= SC_QUIET && !user)
				user = r;
			if (r->n == 0)
				uncond = r;
		}
		if (user)
			return cordon_error(ctx, NULL,
			                    "%s: %s cannot be denied: cordon itself calls it after the filter is loaded "
			                    "(before the program starts)",
			                    user->where, sc_core_syscalls[i]);
		bool allowed = uncond ? uncond->act.kind <= SC_LOG : s->pol.dflt.kind <= SC_LOG;
		if (allowed && (!uncond || uncond->act.kind == SC_ALLOW))
			continue;
		if (!oci)
			return cordon_error(ctx, NULL, "profile does not allow %s, which cordon calls after loading the filter",
			                    sc_core_syscalls[i]);
		cordon_warning(ctx, "oci_profile: allowing %s, which cordon calls after loading the filter",
		               sc_core_syscalls[i]);
		sc_policy_remove(&s->pol, nr);
		struct sc_rule r = { .nr = nr, .act = { SC_ALLOW, 0 }, .where = "cordon" };
		if (sc_policy_add(&s->pol, &r) < 0)
			return cordon_error(ctx, NULL, "out of memory");
	}
	return 0;
}

static bool same_conds(const struct sc_rule *a, const struct sc_rule *b)
{
	if (a->n != b->n)
		return false;
	for (unsigned i = 0; i < a->n; i++)
		if (a->c[i].index != b->c[i].index || a->c[i].op != b->c[i].op || a->c[i].a != b->c[i].a ||
		    a->c[i].b != b->c[i].b)
			return false;
	return true;
}

/* Two rules for the same call and the same conditions with different
 * actions: which one the filter applies would be arbitrary. */
static int conflicts(cordon_ctx *ctx, const struct state *s)
{
	for (size_t i = 0; i < s->pol.n; i++)
		for (size_t j = i + 1; j < s->pol.n; j++) {
			const struct sc_rule *a = &s->pol.v[i], *b = &s->pol.v[j];
			if (a->nr != b->nr || same_action(a->act, b->act) || !same_conds(a, b))
				continue;
			char name[64], x[48], y[48];
			nr_name(a->nr, name, sizeof(name));
			sc_action_text(a->act, x, sizeof(x));
			sc_action_text(b->act, y, sizeof(y));
			return cordon_error(ctx, NULL, "%s: %s already gets %s%s from %s; it cannot also get %s", b->where,
			                    name, x, a->n ? " with the same argument conditions" : "", a->where, y);
		}
	return 0;
}

static bool action_available(uint32_t act)
{
	return sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &act) == 0;
}

/*
 * Under bwrap: the program with the kernel's own actions (errno,
 * kill_process, trap, log), exported for bubblewrap to load with plain
 * seccomp(SECCOMP_SET_MODE_FILTER).  bubblewrap takes no user-notification
 * listener, so denials cannot be itemized; what is lost is said once per
 * result (README: under bwrap).
 */
static int open_wrapped(cordon_ctx *ctx, struct state *s)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	char err[768];
	if (s->audit && !action_available(SECCOMP_RET_LOG))
		return cordon_error(ctx, NULL,
		                    "audit mode under bwrap needs the kernel's log action (SECCOMP_RET_LOG, Linux "
		                    "4.14): this kernel lacks it");
	if (sc_compile(&s->pol, false, s->audit, &s->plain, err, sizeof(err)) < 0)
		return cordon_error(ctx, NULL, "%s", err);
	size_t bytes = (size_t)s->plain.len * sizeof(struct sock_filter);
	if (api->set_data(ctx, CORDON_DATA_SECCOMP_BPF, s->plain.filter, bytes) < 0)
		return cordon_error(ctx, NULL, "out of memory");
	s->wrapped = true;
	if (s->audit)
		cordon_warning(ctx, "audit mode under bwrap: nothing is denied, but bubblewrap loads the filter "
		                    "without a listener, so would-be denials go to the kernel's audit log "
		                    "(SECCOMP_RET_LOG), not to this result; use the namespaces backend to have "
		                    "them itemized");
	else
		cordon_warning(ctx, "under bwrap, bubblewrap loads the filter: denied system calls get their "
		                    "errno but are not itemized by name (a kill by seccomp is reported as "
		                    "SIGSYS, from bubblewrap's exit status 159)");
	return 0;
}

static int sc_open(cordon_ctx *ctx, void **statep)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	struct state *s = calloc(1, sizeof(*s));
	if (!s)
		return cordon_error(ctx, NULL, "out of memory");
	s->sock = s->listener = s->child_sock = -1;
	*statep = s;
	const struct config *c = cordon_config(ctx);
	if (!c)
		return cordon_error(ctx, NULL, "this cordon core does not fill config tables (ABI 1.4 needed)");

	/* The kernel must filter system calls. */
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL)
		return cordon_error(ctx, NULL,
		                    "this kernel has no seccomp support (Hint: it needs CONFIG_SECCOMP and "
		                    "CONFIG_SECCOMP_FILTER; remove the seccomp module from the policy to run without it)");
	if (!action_available(SECCOMP_RET_KILL_PROCESS) || !action_available(SECCOMP_RET_ERRNO))
		return cordon_error(ctx, NULL,
		                    "this kernel cannot load seccomp filters with the actions cordon needs (Hint: "
		                    "Linux 4.14 or later with CONFIG_SECCOMP_FILTER)");

	struct sc_action deny;
	if (arg_action(ctx, "action", c->action, &deny) < 0)
		return -1;
	if (deny.kind == SC_ALLOW)
		return cordon_error(ctx, cordon_arg(ctx, "action"),
		                    "action: a denial cannot allow (use audit: true to deny nothing)");
	s->audit = c->audit;
	/* The policy-wide audit mode is this module's own audit: nothing is
	 * denied, every would-be denial is reported. */
	if (cordon_audit_mode(ctx)) {
		s->audit = true;
		s->policy_audit = true;
	}
	char err[768];
	bool strict = false;
	const char *pname = "default";
	const cordon_node *oci = cordon_arg(ctx, "oci_profile");
	if (cordon_arg(ctx, "profile") && oci)
		return cordon_error(ctx, oci, "oci_profile: give either profile or oci_profile, not both");
	if (c->oci_profile) {
		if (sc_oci_load(&s->pol, c->oci_profile, err, sizeof(err)) < 0)
			return cordon_error(ctx, oci, "oci_profile: %s", err);
	} else {
		pname = profiles[c->profile];
		if (sc_profile_builtin(&s->pol, pname, deny, err, sizeof(err)) < 0)
			return cordon_error(ctx, cordon_arg(ctx, "profile"), "profile: %s", err);
		strict = strcmp(pname, "strict") == 0 || strcmp(pname, "javascript") == 0;
	}
	if (c->default_action && arg_action(ctx, "default_action", c->default_action, &s->pol.dflt) < 0)
		return -1;
	if (user_list(ctx, s, c->allow, false, (struct sc_action){ SC_ALLOW, 0 }) < 0 ||
	    user_list(ctx, s, c->deny, true, deny) < 0)
		return -1;
	/* Executable memory files: refused by default under the allow lists. */
	const cordon_node *n = cordon_arg(ctx, "memfd_exec");
	int memfd_exec = n ? c->memfd_exec : !strict;
	if (!memfd_exec && memfd_rule(ctx, s, n, pname, deny) < 0)
		return -1;
	/* The ENOSYS bound lies above every call a rule names (it would
	 * otherwise override a rule for a call libseccomp names after a gap). */
	for (size_t i = 0; i < s->pol.n; i++)
		if (s->pol.enosys_from > 0 && s->pol.v[i].nr >= s->pol.enosys_from)
			s->pol.enosys_from = s->pol.v[i].nr + 1;
	if (core_calls(ctx, s, oci != NULL) < 0)
		return -1;

	if (conflicts(ctx, s) < 0)
		return -1;

	/* bwrap earlier in the stack wraps the command: a filter loaded here
	 * in the child would confine bubblewrap's own setup (mount,
	 * pivot_root), so bubblewrap loads it (bwrap --seccomp FD) just before
	 * it executes the program. */
	bool shared = CORDON_API_HAS(ctx, set_data) && CORDON_API_HAS(ctx, get_data);
	if (shared && api->get_data(ctx, CORDON_DATA_BWRAP_WRAPPER, NULL))
		return open_wrapped(ctx, s);
	/* Tell a bwrap later in the stack that a filter is loaded in the child
	 * before bubblewrap runs: it refuses that order at open. */
	if (shared && api->set_data(ctx, CORDON_DATA_SECCOMP_CONFINE, "child", 5) < 0)
		return cordon_error(ctx, NULL, "out of memory");

	/* Compile now, so that a policy error shows before anything runs.  The
	 * program with the kernel's own actions is needed only when the
	 * listener cannot be had: no services or kernel support, or cordon
	 * itself already runs under a filter (which may hold a listener). */
	bool services = CORDON_API_HAS(ctx, launch_pass_fd) && CORDON_API_HAS(ctx, launch_watch);
	if (services && action_available(SECCOMP_RET_USER_NOTIF)) {
		if (sc_compile(&s->pol, true, s->audit, &s->notify, err, sizeof(err)) < 0)
			return cordon_error(ctx, NULL, "%s", err);
		s->use_notify = true;
	} else {
		cordon_warning(ctx, "%s: denied system calls are not itemized in the result",
		               services ? "this kernel has no seccomp user notification (Linux 5.5 or later)"
		                        : "this cordon core cannot watch descriptors (ABI 1.1)");
	}
	if ((!s->use_notify || prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 0) &&
	    sc_compile(&s->pol, false, s->audit, &s->plain, err, sizeof(err)) < 0)
		return cordon_error(ctx, NULL, "%s", err);
	return 0;
}

/* ---- supervisor: notifications ---- */

static void arch_name(uint32_t arch, int nr, char *buf, size_t len)
{
	if (arch == SCMP_ARCH_X86_64 && ((unsigned)nr & X32_BIT))
		snprintf(buf, len, "x32");
	else {
		switch (arch) {
		case SCMP_ARCH_X86:
			snprintf(buf, len, "i386");
			break;
		case SCMP_ARCH_X86_64:
			snprintf(buf, len, "x86_64");
			break;
		case SCMP_ARCH_X32:
			snprintf(buf, len, "x32");
			break;
		case SCMP_ARCH_ARM:
			snprintf(buf, len, "arm");
			break;
		case SCMP_ARCH_AARCH64:
			snprintf(buf, len, "aarch64");
			break;
		default:
			snprintf(buf, len, "0x%x", arch);
			break;
		}
	}
}

static bool foreign(uint32_t arch, int nr)
{
	return arch != seccomp_arch_native() || (arch == SCMP_ARCH_X86_64 && ((unsigned)nr & X32_BIT));
}

/* "mount(0x55d0c0de, 0x55d0c0e0, 0, 0, 0, 0)", or "getpid [i386 ABI, #20](...)". */
static void call_text(uint32_t arch, int nr, const uint64_t a[6], char *buf, size_t len)
{
	char *name;
	char abi[32] = "";
	if (foreign(arch, nr)) {
		uint32_t token = arch == SCMP_ARCH_X86_64 && ((unsigned)nr & X32_BIT) ? SCMP_ARCH_X32 : arch;
		name = seccomp_syscall_resolve_num_arch(token, nr);
		char an[16];
		arch_name(arch, nr, an, sizeof(an));
		snprintf(abi, sizeof(abi), " [%s ABI]", an);
	} else
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	char num[24];
	if (!name)
		snprintf(num, sizeof(num), "syscall_%d", nr);
	size_t off = (size_t)snprintf(buf, len, "%s%s(", name ? name : num, abi);
	free(name);
	for (int i = 0; i < 6 && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, a[i] < 4096 ? "%s%llu" : "%s0x%llx", i ? ", " : "",
		                        (unsigned long long)a[i]);
	if (off < len)
		snprintf(buf + off, len - off, ")");
}

static void record(struct run_log *s, const struct seccomp_notif *req, enum outcome out, struct sc_action act,
                   const char *where)
{
	for (size_t i = 0; i < s->n_rec; i++) {
		struct record *r = &s->rec[i];
		if (r->arch == req->data.arch && r->nr == req->data.nr && r->outcome == out && same_action(r->act, act)) {
			r->count++;
			return;
		}
	}
	if (s->n_rec == MAX_RECORDS) {
		s->unrecorded++;
		return;
	}
	struct record *r = &s->rec[s->n_rec++];
	r->arch = req->data.arch;
	r->nr = req->data.nr;
	r->outcome = out;
	r->act = act;
	for (int i = 0; i < 6; i++)
		r->args[i] = req->data.args[i];
	r->count = 1;
	r->where = where;
}

/* SIGSYS as the kernel's kill would, unless the program blocks, ignores or
 * catches it: then SIGKILL. */
static int kill_signal_for(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return SIGKILL;
	unsigned long long bit = 1ull << (SIGSYS - 1), mask;
	bool sigsys_ok = true;
	while (fgets(line, sizeof(line), f)) {
		if ((sscanf(line, "SigBlk: %llx", &mask) == 1 || sscanf(line, "SigIgn: %llx", &mask) == 1 ||
		     sscanf(line, "SigCgt: %llx", &mask) == 1) &&
		    (mask & bit))
			sigsys_ok = false;
	}
	fclose(f);
	return sigsys_ok ? SIGSYS : SIGKILL;
}

/* The listener cannot be served any more: denied calls would fail with
 * ENOSYS instead of their rule's action, and kill rules would stop killing.
 * Fail closed: the core stops the run (ABI 1.2), or, with an older core,
 * the result says so. */
static void listener_lost(cordon_ctx *ctx, const char *what, int err)
{
	char why[160];
	snprintf(why, sizeof(why), "%s: %s; the filter's rules could no longer be enforced as written", what,
	         strerror(err));
	if (CORDON_API_HAS(ctx, run_abort) && cordon_api(ctx)->run_abort(ctx, why) == 0)
		return;
	cordon_warning(ctx, "%s; further denials fail with ENOSYS unreported", why);
}

static int on_listener(cordon_ctx *ctx, void *state, int fd, short revents)
{
	struct state *s = state;
	struct run_log *L = cordon_run_state(ctx);
	if (!L) {
		listener_lost(ctx, "this run's state", ENOMEM);
		close(fd);
		s->listener = -1;
		return 1;
	}
	if (!(revents & POLLIN)) {
		close(fd);
		s->listener = -1;
		return 1;
	}
	struct seccomp_notif req;
	memset(&req, 0, sizeof(req));
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
		if (errno == ENOENT || errno == EINTR || errno == EAGAIN)
			return 0; /* the caller went away before we read it */
		listener_lost(ctx, "reading a seccomp notification", errno);
		close(fd);
		s->listener = -1;
		return 1;
	}
	struct seccomp_notif_resp resp;
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	struct sc_action act;
	const char *where;
	uint64_t a[6];
	for (int i = 0; i < 6; i++)
		a[i] = req.data.args[i];
	if (foreign(req.data.arch, req.data.nr)) {
		act = (struct sc_action){ SC_KILL, 0 };
		where = "foreign ABI";
	} else {
		const struct sc_rule *r = sc_policy_match(&s->pol, req.data.nr, a);
		act = r ? r->act : s->pol.dflt;
		where = r ? r->where : "default action";
	}
	if (act.kind == SC_ALLOW) {
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE; /* overlapping rules; the allow matched */
	} else if (s->audit || act.kind == SC_LOG) {
		record(L, &req, s->audit ? OUT_AUDIT : OUT_LOGGED, act, where);
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	} else if (act.kind == SC_KILL || act.kind == SC_TRAP) {
		record(L, &req, OUT_KILLED, act, where);
		/* A pidfd first, then the check that the caller still waits: the
		 * pidfd then names that very task, never a recycled pid. */
		int pfd = (int)syscall(SYS_pidfd_open, (pid_t)req.pid, 0);
		if (pfd < 0 && errno == EINVAL) /* a thread, not a leader */
			pfd = (int)syscall(SYS_pidfd_open, (pid_t)req.pid, PIDFD_THREAD);
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req.id) == 0) {
			int sig = kill_signal_for((pid_t)req.pid);
			int rc = pfd >= 0 ? (int)syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0)
			                  : kill((pid_t)req.pid, sig);
			if (rc == 0)
				L->killed = true;
		}
		if (pfd >= 0)
			close(pfd);
		/* No answer: the caller stays blocked in the call until it dies.
		 * Should the program catch SIGSYS after all (another thread's
		 * rt_sigaction since the check), the call restarts, notifies
		 * again, and that time gets SIGKILL: a call denied by a kill rule
		 * never completes. */
		return 0;
	} else {
		record(L, &req, OUT_DENIED, act, where);
		resp.error = -(act.err ? act.err : EPERM);
	}
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT)
		cordon_warning(ctx, "answering a seccomp notification: %s", strerror(errno));
	return 0;
}

static int on_socket(cordon_ctx *ctx, void *state, int fd, short revents)
{
	struct state *s = state;
	if (revents & POLLIN) {
		char byte;
		struct iovec iov = { &byte, 1 };
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(sizeof(int))];
		} cbuf;
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.buf,
			             .msg_controllen = sizeof(cbuf.buf) };
		ssize_t got = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		struct cmsghdr *c = got > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
		if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int))) {
			int lfd;
			memcpy(&lfd, CMSG_DATA(c), sizeof(int));
			if (cordon_api(ctx)->launch_watch(ctx, lfd, on_listener) < 0) {
				int e = errno ? errno : ENOMEM;
				close(lfd);
				listener_lost(ctx, "cannot watch the seccomp listener", e);
			} else
				s->listener = lfd;
		}
	}
	/* One message at most: the child closes its end after sending. */
	close(fd);
	s->sock = -1;
	return 1;
}

static int sc_prepare(cordon_ctx *ctx, void *state)
{
	struct state *s = state;
	const struct cordon_core_api *api = cordon_api(ctx);
	s->child_sock = -1;
	if (s->wrapped) {
		/* Fail closed: bwrap's prepare, earlier in the stack, says which
		 * descriptor of this run carries the program; without it nothing
		 * would load the filter. */
		const char *fd = CORDON_API_HAS(ctx, get_data) ? api->get_data(ctx, CORDON_DATA_BWRAP_SECCOMP_FD, NULL) : NULL;
		if (!fd || !*fd)
			return cordon_error(ctx, NULL,
			                    "seccomp after bwrap: bwrap did not pass the compiled filter to bubblewrap "
			                    "for this run, so nothing would load it (bwrap must come before seccomp in "
			                    "the stack and its prepare must succeed)");
		return 0;
	}
	if (!s->use_notify)
		return 0;
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		cordon_warning(ctx, "socketpair: %s", strerror(errno));
		return -1;
	}
	s->child_sock = api->launch_pass_fd(ctx, sp[1]); /* the core owns sp[1] now */
	if (s->child_sock < 0) {
		close(sp[0]);
		cordon_warning(ctx, "cannot pass the listener socket to the child");
		return -1;
	}
	if (api->launch_watch(ctx, sp[0], on_socket) < 0) {
		close(sp[0]);
		cordon_warning(ctx, "cannot watch the listener socket");
		return -1;
	}
	s->sock = sp[0];
	return 0;
}

/* ---- child ---- */

static int send_fd(int sock, int fd)
{
	char byte = 0;
	struct iovec iov = { &byte, 1 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	memset(&cbuf, 0, sizeof(cbuf));
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.buf,
		             .msg_controllen = sizeof(cbuf.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	ssize_t w;
	do
		w = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	return w == 1 ? 0 : -1;
}

/* In the child: async-signal-safe system calls only. */
static int sc_confine(void *state, const struct cordon_child *child, const char **step)
{
	const struct state *s = state;
	if (s->wrapped)
		return 0; /* bubblewrap loads the filter (bwrap --seccomp FD) */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		*step = "prctl(PR_SET_NO_NEW_PRIVS)";
		return errno;
	}
	if (s->use_notify && s->child_sock >= 0) {
		struct sock_fprog prog = { s->notify.len, s->notify.filter };
		int lfd = sys_seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
		if (lfd >= 0) {
			int rc = send_fd(s->child_sock, lfd);
			int e = errno;
			close(lfd);
			close(s->child_sock);
			if (rc < 0) {
				*step = "sendmsg(seccomp listener)";
				return e ? e : EIO;
			}
			return 0;
		}
		if (errno != EBUSY) {
			*step = "seccomp(SECCOMP_SET_MODE_FILTER, NEW_LISTENER)";
			return errno;
		}
		/* Already under a listener (cordon in cordon): the kernel's own
		 * actions, unreported. */
		close(s->child_sock);
		child->note(child, "the program already runs under a seccomp listener (cordon inside "
		                   "cordon?); denials use the kernel's actions and are not itemized");
	}
	if (!s->plain.filter) {
		*step = "seccomp(SECCOMP_SET_MODE_FILTER): a listener already exists";
		return EBUSY;
	}
	struct sock_fprog prog = { s->plain.len, s->plain.filter };
	if (sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
		*step = "seccomp(SECCOMP_SET_MODE_FILTER)";
		return errno;
	}
	return 0;
}

/* ---- finish ---- */

static int sc_finish(cordon_ctx *ctx, void *state, const struct cordon_run_info *info)
{
	struct state *s = state;
	static const struct run_log none;
	const struct run_log *L = cordon_run_state(ctx);
	if (!L)
		L = &none;
	char call[320], act[48];
	for (size_t i = 0; i < L->n_rec; i++) {
		const struct record *r = &L->rec[i];
		call_text(r->arch, r->nr, r->args, call, sizeof(call));
		sc_action_text(r->act, act, sizeof(act));
		char times[48] = "";
		if (r->count > 1)
			snprintf(times, sizeof(times), " (%llu times)", (unsigned long long)r->count);
		switch (r->outcome) {
		case OUT_DENIED:
			cordon_finding(ctx, "denied", CORDON_SEV_MEDIUM, 0, 0, "denied %s: %s [%s]%s", call, act, r->where,
			               times);
			break;
		case OUT_KILLED:
			cordon_finding(ctx, "killed", CORDON_SEV_HIGH, 0, 0, "killed by seccomp: %s [%s]%s", call,
			               r->where, times);
			break;
		case OUT_AUDIT:
			cordon_finding(ctx, "audit", CORDON_SEV_LOW, 0, 0, "would deny %s: %s [%s]%s", call, act, r->where,
			               times);
			break;
		case OUT_LOGGED:
			cordon_finding(ctx, "logged", CORDON_SEV_INFO, 0, 0, "logged %s [%s]%s", call, r->where, times);
			break;
		}
	}
	if (L->unrecorded)
		cordon_warning(ctx, "%llu more reported system calls were not itemized (more than %d distinct)",
		               (unsigned long long)L->unrecorded, MAX_RECORDS);
	if (info->signal == SIGSYS && !L->killed)
		cordon_finding(ctx, "killed", CORDON_SEV_HIGH, 0, 0,
		               "killed by seccomp: SIGSYS from a system call the filter refused without a report "
		               "(the trap action, or a foreign ABI when denials are not itemized)");
	/* bubblewrap relays a death by signal N as exit status 128+N (a core
	 * before CORDON_MOD_RELAYS_SIGNALS reports that as the exit status). */
	if (s->wrapped && !s->audit && info->signal == 0 && info->exit_code == 128 + SIGSYS)
		cordon_finding(ctx, "killed", CORDON_SEV_HIGH, 0, 0,
		               "killed by seccomp: exit status %d (128+SIGSYS) under bwrap, which relays a death by "
		               "signal as 128+N: a system call the filter kills or traps (a foreign ABI, "
		               "kill_process, trap), unless the program exited with %d itself",
		               128 + SIGSYS, 128 + SIGSYS);
	if (s->policy_audit && !s->wrapped) {
		uint64_t would = 0;
		for (size_t i = 0; i < L->n_rec; i++)
			if (L->rec[i].outcome == OUT_AUDIT)
				would += L->rec[i].count;
		cordon_warning(ctx, "audit mode: %llu would-be denied system calls were allowed%s",
		               (unsigned long long)(would + L->unrecorded), would ? " (see the findings)" : "");
	}
	/* Close what a watch did not get to close (the program ended first). */
	if (s->listener >= 0) {
		close(s->listener);
		s->listener = -1;
	}
	if (s->sock >= 0) {
		close(s->sock);
		s->sock = -1;
	}
	return 0;
}

static void sc_close(void *state)
{
	struct state *s = state;
	if (!s)
		return;
	if (s->listener >= 0)
		close(s->listener);
	if (s->sock >= 0)
		close(s->sock);
	sc_prog_free(&s->plain);
	sc_prog_free(&s->notify);
	sc_policy_free(&s->pol);
	free(s);
}

/* What `cordon selftest` probes (ABI 1.5): a filter in the program, and
 * the i386 and x32 ABIs refused, unless in audit mode, where the filter
 * lets every call run and reports it. */
static int sc_requirements(cordon_ctx *ctx, void *state)
{
	const struct state *s = state;
	if (cordon_require(ctx, CORDON_PROP_SECCOMP_FILTER, NULL) < 0 ||
	    cordon_require(ctx, CORDON_PROP_SECCOMP_FOREIGN_ABI,
	                   s && s->audit ? "no: audit mode: reported, not blocked" : NULL) < 0)
		return -1;
	return 0;
}

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_module),
	.name = "seccomp",
	.description = "seccomp filters: profiles, allow/deny lists, OCI import; every denial reported by name",
	.flags = CORDON_MOD_STAGE(CORDON_STAGE_SECCOMP),
	.config = config,
	.config_size = sizeof(struct config),
	.open = sc_open,
	.prepare = sc_prepare,
	.confine = sc_confine,
	.finish = sc_finish,
	.close = sc_close,
	.run_state_size = sizeof(struct run_log),
	.requirements = sc_requirements,
};
