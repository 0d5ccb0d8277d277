/*
 * modules/seccomp/compile.c - turn a policy into a BPF program with
 * libseccomp, in the parent (open), so that the child only loads it.
 *
 * The program checks the architecture first: anything but the native one
 * (i386 through int $0x80 on x86_64, x32 system calls with bit 30 set)
 * takes the bad-architecture action.  libseccomp's binary-tree layout
 * (SCMP_FLTATR_CTL_OPTIMIZE=2) keeps the cost of an allowed system call to
 * a few comparisons whatever the number of rules.
 *
 * A policy with enosys_from (the built-in profiles) gets six instructions
 * in front of libseccomp's program: a native system call numbered from
 * enosys_from up - newer than every call this libseccomp can name - answers
 * ENOSYS, as on a kernel that does not have it, whatever the rules say
 * about anything else.  One comparison instead of one rule per number
 * (libseccomp takes milliseconds to compile hundreds).  Calls of other
 * architectures and x32 numbers (bit 30) go on to libseccomp's own checks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seccomp_rules.h"

static uint32_t bpf_action(struct sc_action a, bool notify, bool audit)
{
	uint32_t report = notify ? SCMP_ACT_NOTIFY : SCMP_ACT_LOG;
	switch (a.kind) {
	case SC_ALLOW:
		return SCMP_ACT_ALLOW;
	case SC_QUIET:
		return SCMP_ACT_ERRNO((uint32_t)a.err);
	case SC_LOG:
		return report;
	case SC_ERRNO:
		return audit || notify ? report : SCMP_ACT_ERRNO((uint32_t)a.err);
	case SC_KILL:
		return audit || notify ? report : SCMP_ACT_KILL_PROCESS;
	case SC_TRAP:
		return audit ? report : SCMP_ACT_TRAP;
	}
	return SCMP_ACT_KILL_PROCESS;
}

static void cond_text(const struct sc_rule *r, char *buf, size_t len)
{
	char name_buf[64];
	char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, r->nr);
	snprintf(name_buf, sizeof(name_buf), "%s", name ? name : "?");
	free(name);
	snprintf(buf, len, "%s%s", name_buf, r->n ? " with the same argument conditions" : "");
}

/*
 * In notify mode, a system call with many conditional rules that all either
 * notify or allow (the default profile's personality: ~90 masked
 * comparisons) becomes one unconditional notification: the supervisor
 * evaluates the rules (sc_policy_match) and lets an allowed call continue.
 * Sound because the rules compare only register values, which the waiting
 * caller cannot change; cheap because such calls are rare.  Keeps the
 * program small and its compilation fast.
 */
#define COLLAPSE_MIN 8

static bool collapsed(const struct sc_policy *p, int nr, bool notify, bool audit)
{
	if (!notify)
		return false;
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct sc_rule *r = &p->v[i];
		if (r->nr != nr)
			continue;
		uint32_t act = bpf_action(r->act, notify, audit);
		if (r->n == 0 || (act != SCMP_ACT_NOTIFY && act != SCMP_ACT_ALLOW))
			return false;
		n++;
	}
	return n >= COLLAPSE_MIN;
}

int sc_compile(const struct sc_policy *p, bool notify, bool audit, struct sc_prog *out, char *err, size_t errlen)
{
	int rc = -1, memfd = -1;
	memset(out, 0, sizeof(*out));
	uint32_t dflt = bpf_action(p->dflt, notify, audit);
	scmp_filter_ctx ctx = seccomp_init(dflt);
	if (!ctx) {
		snprintf(err, errlen, "seccomp_init failed");
		return -1;
	}
	uint32_t badarch = notify ? SCMP_ACT_NOTIFY : audit ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS;
	int e;
	if ((e = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, badarch)) < 0 ||
	    (e = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0 ||
	    (e = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0) {
		snprintf(err, errlen, "seccomp_attr_set: %s", strerror(-e));
		goto out;
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct sc_rule *r = &p->v[i];
		uint32_t act = bpf_action(r->act, notify, audit);
		if (collapsed(p, r->nr, notify, audit)) {
			bool first = true;
			for (size_t j = 0; j < i && first; j++)
				first = p->v[j].nr != r->nr;
			if (first && SCMP_ACT_NOTIFY != dflt &&
			    (e = seccomp_rule_add_exact_array(ctx, SCMP_ACT_NOTIFY, r->nr, 0, NULL)) < 0) {
				snprintf(err, errlen, "%s: libseccomp refused the rule: %s", r->where, strerror(-e));
				goto out;
			}
			continue;
		}
		if (act == dflt)
			continue; /* the default action already does it */
		struct scmp_arg_cmp cmp[SC_MAX_COND];
		for (unsigned j = 0; j < r->n; j++) {
			cmp[j].arg = r->c[j].index;
			cmp[j].op = r->c[j].op;
			cmp[j].datum_a = r->c[j].a;
			cmp[j].datum_b = r->c[j].b;
		}
		e = seccomp_rule_add_exact_array(ctx, act, r->nr, r->n, cmp);
		if (e == -EEXIST && notify)
			continue; /* two reporting actions: the supervisor picks the stricter */
		if (e < 0) {
			char what[128];
			cond_text(r, what, sizeof(what));
			if (e == -EEXIST)
				snprintf(err, errlen, "%s: %s is already given another action by an earlier rule", r->where,
				         what);
			else
				snprintf(err, errlen, "%s: %s: libseccomp refused the rule: %s", r->where, what,
				         strerror(-e));
			goto out;
		}
	}
	memfd = memfd_create("cordon-seccomp", MFD_CLOEXEC);
	if (memfd < 0) {
		snprintf(err, errlen, "memfd_create: %s", strerror(errno));
		goto out;
	}
	if ((e = seccomp_export_bpf(ctx, memfd)) < 0) {
		snprintf(err, errlen, "seccomp_export_bpf: %s", strerror(-e));
		goto out;
	}
	struct stat st;
	if (fstat(memfd, &st) < 0) {
		snprintf(err, errlen, "fstat: %s", strerror(errno));
		goto out;
	}
	/* The ENOSYS prefix: main is the index of libseccomp's first
	 * instruction; a jump goes to its own index + 1 + offset. */
	enum { PRE = 6 };
	const struct sock_filter pre[PRE] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, seccomp_arch_native(), 0, PRE - 2),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x40000000u /* x32 */, PRE - 4, 0),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)p->enosys_from, 0, PRE - 5),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
	};
	size_t npre = p->enosys_from > 0 ? PRE : 0;
	size_t len = (size_t)st.st_size / sizeof(struct sock_filter);
	if (len == 0 || (size_t)st.st_size % sizeof(struct sock_filter) || len + npre > BPF_MAXINSNS) {
		snprintf(err, errlen, "the filter has %zu instructions (the kernel takes 1 to %d)", len + npre,
		         BPF_MAXINSNS);
		goto out;
	}
	out->filter = malloc((len + npre) * sizeof(struct sock_filter));
	if (!out->filter) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	memcpy(out->filter, pre, npre * sizeof(struct sock_filter));
	ssize_t got = pread(memfd, (struct sock_filter *)out->filter + npre, (size_t)st.st_size, 0);
	if (got != st.st_size) {
		snprintf(err, errlen, "reading the exported filter: %s", got < 0 ? strerror(errno) : "short read");
		sc_prog_free(out);
		goto out;
	}
	out->len = (unsigned short)(len + npre);
	rc = 0;
out:
	if (memfd >= 0)
		close(memfd);
	seccomp_release(ctx);
	return rc;
}

void sc_prog_free(struct sc_prog *prog)
{
	free(prog->filter);
	prog->filter = NULL;
	prog->len = 0;
}
