/*
 * modules/seccomp/rules.c - the rule model: building a policy, parsing
 * actions, errno names and conditions, and evaluating rules in userspace
 * exactly as the BPF program does (to answer a notification with the action
 * of the rule that matched).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp_rules.h"

void sc_policy_free(struct sc_policy *p)
{
	free(p->v);
	for (size_t i = 0; i < p->n_strings; i++)
		free(p->strings[i]);
	free(p->strings);
	memset(p, 0, sizeof(*p));
}

static bool same_rule(const struct sc_rule *a, const struct sc_rule *b)
{
	if (a->nr != b->nr || a->n != b->n || a->act.kind != b->act.kind || a->act.err != b->act.err)
		return false;
	for (unsigned i = 0; i < a->n; i++)
		if (a->c[i].index != b->c[i].index || a->c[i].op != b->c[i].op || a->c[i].a != b->c[i].a ||
		    a->c[i].b != b->c[i].b)
			return false;
	return true;
}

int sc_policy_add(struct sc_policy *p, const struct sc_rule *r)
{
	for (size_t i = 0; i < p->n; i++)
		if (same_rule(&p->v[i], r))
			return 0; /* already there */
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct sc_rule *v = realloc(p->v, cap * sizeof(*v));
		if (!v)
			return -1;
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = *r;
	return 0;
}

void sc_policy_remove(struct sc_policy *p, int nr)
{
	size_t j = 0;
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].nr != nr)
			p->v[j++] = p->v[i];
	p->n = j;
}

const char *sc_policy_keep(struct sc_policy *p, const char *s)
{
	if (p->n_strings == p->cap_strings) {
		size_t cap = p->cap_strings ? p->cap_strings * 2 : 16;
		char **v = realloc(p->strings, cap * sizeof(*v));
		if (!v)
			return NULL;
		p->strings = v;
		p->cap_strings = cap;
	}
	char *c = strdup(s);
	if (!c)
		return NULL;
	p->strings[p->n_strings++] = c;
	return c;
}

int sc_parse_u64(const char *s, uint64_t *out)
{
	if (!s || !*s)
		return -1;
	bool neg = *s == '-';
	const char *d = neg ? s + 1 : s;
	if (*d < '0' || *d > '9')
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(d, &end, 0);
	if (errno || *end || end == d)
		return -1;
	if (neg) {
		if (v > (unsigned long long)INT64_MAX + 1ull)
			return -1;
		v = (unsigned long long)(-(long long)(v - 1) - 1);
	}
	*out = (uint64_t)v;
	return 0;
}

int sc_parse_errno(const char *s)
{
	uint64_t v;
	if (sc_parse_u64(s, &v) == 0)
		return v >= 1 && v <= 4095 ? (int)v : -1;
	for (int e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);
		if (n && strcmp(n, s) == 0)
			return e;
	}
	return -1;
}

int sc_parse_action(const char *s, struct sc_action *out)
{
	if (strcmp(s, "allow") == 0)
		*out = (struct sc_action){ SC_ALLOW, 0 };
	else if (strcmp(s, "kill_process") == 0 || strcmp(s, "kill") == 0)
		*out = (struct sc_action){ SC_KILL, 0 };
	else if (strcmp(s, "trap") == 0)
		*out = (struct sc_action){ SC_TRAP, 0 };
	else if (strcmp(s, "log") == 0)
		*out = (struct sc_action){ SC_LOG, 0 };
	else if (strncmp(s, "errno(", 6) == 0) {
		size_t len = strlen(s);
		if (len < 8 || s[len - 1] != ')' || len - 7 > 31)
			return -1;
		char inner[32];
		memcpy(inner, s + 6, len - 7);
		inner[len - 7] = '\0';
		int e = sc_parse_errno(inner);
		if (e < 0)
			return -1;
		*out = (struct sc_action){ SC_ERRNO, e };
	} else
		return -1;
	return 0;
}

void sc_action_text(struct sc_action a, char *buf, size_t len)
{
	const char *n;
	switch (a.kind) {
	case SC_ALLOW:
		snprintf(buf, len, "allow");
		return;
	case SC_LOG:
		snprintf(buf, len, "log");
		return;
	case SC_TRAP:
		snprintf(buf, len, "trap");
		return;
	case SC_KILL:
		snprintf(buf, len, "kill_process");
		return;
	case SC_ERRNO:
	case SC_QUIET:
		n = strerrorname_np(a.err);
		if (n)
			snprintf(buf, len, "errno(%s)", n);
		else
			snprintf(buf, len, "errno(%d)", a.err);
		return;
	}
	snprintf(buf, len, "?");
}

int sc_parse_op(const char *s, enum scmp_compare *out)
{
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = {
		{ "eq", SCMP_CMP_EQ }, { "ne", SCMP_CMP_NE }, { "lt", SCMP_CMP_LT }, { "le", SCMP_CMP_LE },
		{ "gt", SCMP_CMP_GT }, { "ge", SCMP_CMP_GE }, { "masked_eq", SCMP_CMP_MASKED_EQ },
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(s, ops[i].name) == 0) {
			*out = ops[i].op;
			return 0;
		}
	return -1;
}

bool sc_rule_matches(const struct sc_rule *r, const uint64_t args[6])
{
	for (unsigned i = 0; i < r->n; i++) {
		const struct sc_cond *c = &r->c[i];
		uint64_t v = args[c->index];
		bool ok;
		switch (c->op) {
		case SCMP_CMP_NE:
			ok = v != c->a;
			break;
		case SCMP_CMP_LT:
			ok = v < c->a;
			break;
		case SCMP_CMP_LE:
			ok = v <= c->a;
			break;
		case SCMP_CMP_EQ:
			ok = v == c->a;
			break;
		case SCMP_CMP_GE:
			ok = v >= c->a;
			break;
		case SCMP_CMP_GT:
			ok = v > c->a;
			break;
		case SCMP_CMP_MASKED_EQ:
			ok = (v & c->a) == c->b;
			break;
		default:
			ok = false;
			break;
		}
		if (!ok)
			return false;
	}
	return true;
}

const struct sc_rule *sc_policy_match(const struct sc_policy *p, int nr, const uint64_t args[6])
{
	const struct sc_rule *best = NULL;
	for (size_t i = 0; i < p->n; i++) {
		const struct sc_rule *r = &p->v[i];
		if (r->nr != nr || !sc_rule_matches(r, args))
			continue;
		if (!best || r->act.kind > best->act.kind)
			best = r;
	}
	return best;
}

struct sc_action sc_policy_verdict(const struct sc_policy *p, int nr, const uint64_t args[6])
{
	if (p->enosys_from > 0 && nr >= p->enosys_from && !((unsigned)nr & 0x40000000u))
		return (struct sc_action){ SC_QUIET, ENOSYS };
	const struct sc_rule *r = sc_policy_match(p, nr, args);
	return r ? r->act : p->dflt;
}

int sc_enosys_from(void)
{
	/* Numbers from pidfd_send_signal (424 on most architectures) on are
	 * one table for all and dense: start at the newest of these names
	 * this libseccomp knows, then a run of 16 unnamed numbers ends what it
	 * knows.  About 20 lookups, kept for the process, whose libseccomp
	 * does not change. */
	static const char *const newest_first[] = {
		"file_setattr", "open_tree_attr", "removexattrat", "mseal", "lsm_list_modules", "listmount",
		"futex_requeue", "map_shadow_stack", "cachestat", "futex_waitv", "memfd_secret", "landlock_create_ruleset",
		"close_range", "clone3", "pidfd_send_signal", NULL,
	};
	static int cached; /* 0: not known yet; -1: none */
	int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
	if (v)
		return v > 0 ? v : 0;
	int last = -1;
	for (size_t i = 0; newest_first[i] && last < 0; i++)
		last = seccomp_syscall_resolve_name(newest_first[i]);
	if (last < 0) {
		__atomic_store_n(&cached, -1, __ATOMIC_RELAXED);
		return 0;
	}
	for (int nr = last + 1, miss = 0; miss < 16; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		if (name) {
			free(name);
			last = nr;
			miss = 0;
		} else
			miss++;
	}
	__atomic_store_n(&cached, last + 1, __ATOMIC_RELAXED);
	return last + 1;
}
