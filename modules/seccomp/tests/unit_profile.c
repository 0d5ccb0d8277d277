/*
 * modules/seccomp/tests/unit_profile.c - the rule model: parsing of
 * actions, errnos, numbers and operators; the userspace evaluation that
 * answers notifications; the personality complement; the default profile
 * against the Docker/Podman profile Debian ships; the strict profile
 * allowing what cordon needs; both programs compiling within the kernel's
 * limit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sc.h"
#include "tap.h"

static int nr_of(const char *name)
{
	return seccomp_syscall_resolve_name(name);
}

/* The action the policy gives nr with these arguments. */
static struct sc_action verdict(const struct sc_policy *p, int nr, uint64_t a0, uint64_t a1)
{
	uint64_t args[6] = { a0, a1, 0, 0, 0, 0 };
	const struct sc_rule *r = sc_policy_match(p, nr, args);
	return r ? r->act : p->dflt;
}

static bool denies(const struct sc_policy *p, const char *name, uint64_t a0, uint64_t a1)
{
	return verdict(p, nr_of(name), a0, a1).kind >= SC_QUIET;
}

static void parsing(void)
{
	struct sc_action a;
	ok(sc_parse_action("errno(EPERM)", &a) == 0 && a.kind == SC_ERRNO && a.err == EPERM, "errno(EPERM)");
	ok(sc_parse_action("errno(38)", &a) == 0 && a.kind == SC_ERRNO && a.err == ENOSYS, "errno(38)");
	ok(sc_parse_action("errno(0x26)", &a) == 0 && a.err == ENOSYS, "errno(0x26)");
	ok(sc_parse_action("kill_process", &a) == 0 && a.kind == SC_KILL, "kill_process");
	ok(sc_parse_action("trap", &a) == 0 && a.kind == SC_TRAP, "trap");
	ok(sc_parse_action("log", &a) == 0 && a.kind == SC_LOG, "log");
	ok(sc_parse_action("allow", &a) == 0 && a.kind == SC_ALLOW, "allow");
	static const char *const bad[] = { "errno()", "errno(0)", "errno(4096)", "errno(EFOO)", "errno(EPERM",
		                           "errno(-1)", "kill_thread", "", "ERRNO(EPERM)", "errno(EPERM) " };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(sc_parse_action(bad[i], &a) < 0, "action '%s' refused", bad[i]);
	char t[48];
	sc_action_text((struct sc_action){ SC_ERRNO, EACCES }, t, sizeof(t));
	is_str(t, "errno(EACCES)", "action text names the errno");
	uint64_t v;
	ok(sc_parse_u64("0xffffffffffffffff", &v) == 0 && v == UINT64_MAX, "64-bit hex");
	ok(sc_parse_u64("-100", &v) == 0 && v == (uint64_t)-100, "negative: two's complement (AT_FDCWD)");
	ok(sc_parse_u64("-9223372036854775808", &v) == 0 && v == 0x8000000000000000ull, "INT64_MIN");
	ok(sc_parse_u64("0x1ffffffffffffffff", &v) < 0, "overflow refused");
	ok(sc_parse_u64("12abc", &v) < 0 && sc_parse_u64("", &v) < 0 && sc_parse_u64("-", &v) < 0 &&
	       sc_parse_u64(" 1", &v) < 0 && sc_parse_u64("+1", &v) < 0,
	   "junk refused");
	enum scmp_compare op;
	ok(sc_parse_op("masked_eq", &op) == 0 && op == SCMP_CMP_MASKED_EQ, "masked_eq");
	ok(sc_parse_op("EQ", &op) < 0, "operators are lower case");
}

static void matching(void)
{
	struct sc_policy p = { .dflt = { SC_ALLOW, 0 } };
	int nr = nr_of("ioctl");
	struct sc_rule r1 = { .nr = nr, .act = { SC_ERRNO, EPERM }, .n = 1,
		              .c = { { 1, SCMP_CMP_MASKED_EQ, 0xffffffff, 0x5412 } } };
	struct sc_rule r2 = { .nr = nr, .act = { SC_KILL, 0 }, .n = 1, .c = { { 0, SCMP_CMP_EQ, 7, 0 } } };
	ok(sc_policy_add(&p, &r1) == 0 && sc_policy_add(&p, &r2) == 0 && sc_policy_add(&p, &r1) == 0 && p.n == 2,
	   "a rule added twice is kept once");
	ok(verdict(&p, nr, 0, 0x5412).kind == SC_ERRNO, "TIOCSTI matches");
	ok(verdict(&p, nr, 0, 0xdead00005412ull).kind == SC_ERRNO, "TIOCSTI with high bits matches");
	ok(verdict(&p, nr, 0, 0x5413).kind == SC_ALLOW, "TIOCGWINSZ does not");
	ok(verdict(&p, nr, 7, 0x5412).kind == SC_KILL, "two matching rules: the more restrictive wins");
	static const enum scmp_compare ops[] = { SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_GE, SCMP_CMP_GT };
	static const bool want[][3] = { /* 4, 5, 6 against 5 */
		                        { true, false, true },  { true, false, false }, { true, true, false },
		                        { false, true, true }, { false, false, true } };
	for (size_t i = 0; i < 5; i++)
		for (unsigned v = 4; v <= 6; v++) {
			struct sc_rule r = { .nr = nr, .n = 1, .c = { { 2, ops[i], 5, 0 } } };
			uint64_t args[6] = { 0, 0, v, 0, 0, 0 };
			ok(sc_rule_matches(&r, args) == want[i][v - 4], "operator %d: %u against 5", (int)ops[i], v);
		}
	sc_policy_remove(&p, nr);
	ok(p.n == 0, "remove drops every rule of the call");
	sc_policy_free(&p);
}

static void default_profile(void)
{
	struct sc_policy p = { 0 };
	char err[256];
	ok(sc_profile_builtin(&p, "default", (struct sc_action){ SC_ERRNO, EPERM }, err, sizeof(err)) == 0,
	   "default profile builds");
	static const uint64_t harmless[] = { 0, 8, 0x20000, 0x20008, 0xffffffff, 0x100000000ull,
		                             0xffffffff00020008ull };
	for (size_t i = 0; i < sizeof(harmless) / sizeof(harmless[0]); i++)
		ok(!denies(&p, "personality", harmless[i], 0), "personality(0x%llx) allowed",
		   (unsigned long long)harmless[i]);
	static const uint64_t bad[] = { 1, 7, 9, 0x10, 0x1ffff, 0x20001, 0x20007, 0x20009, 0x400000, 0x40000,
		                        0x80000000, 0xfffffffe, 0x100400000ull };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(denies(&p, "personality", bad[i], 0), "personality(0x%llx) denied", (unsigned long long)bad[i]);
	/* every 32-bit value in a sweep: only the five harmless ones pass */
	unsigned passed = 0;
	for (uint64_t v = 0; v < 0x100000000ull; v += 0x1001)
		passed += !denies(&p, "personality", v, 0);
	passed += !denies(&p, "personality", 0x20008, 0) + !denies(&p, "personality", 0xffffffff, 0);
	is_int(passed, 3, "a sweep of 2^32/4097 values finds only the harmless ones (0 and the two added)");
	ok(denies(&p, "clone", 0x10000011, 0) && !denies(&p, "clone", 0x01200011, 0), "clone: CLONE_NEWUSER denied, fork's flags allowed");
	ok(verdict(&p, nr_of("clone3"), 0, 0).kind == SC_QUIET && verdict(&p, nr_of("clone3"), 0, 0).err == ENOSYS,
	   "clone3: ENOSYS, not reported");
	ok(denies(&p, "ioctl", 0, 0x5412) && denies(&p, "ioctl", 0, (1ull << 32) | 0x5412) &&
	       denies(&p, "ioctl", 0, 0x541c) && !denies(&p, "ioctl", 0, 0x5401),
	   "ioctl: TIOCSTI (also with bit 32) and TIOCLINUX denied, TCGETS allowed");
	for (size_t i = 0; sc_core_syscalls[i]; i++)
		ok(!denies(&p, sc_core_syscalls[i], 0, 0), "default allows %s (cordon needs it)", sc_core_syscalls[i]);

	/* At least as strict as the Docker/Podman profile for a container
	 * without added capabilities: every native call that profile refuses
	 * outright, this one refuses too (save calls newer than the shipped
	 * profile, which current Docker profiles allow). */
	static const char *const newer[] = { "fchmodat2", "futex_requeue", "futex_wait", "futex_waitv",
		                             "futex_wake", "cachestat", "map_shadow_stack", "clone3", NULL };
	const char *path = "/usr/share/containers/seccomp.json";
	const char *go_arch = seccomp_arch_native() == SCMP_ARCH_X86_64    ? "amd64"
	                      : seccomp_arch_native() == SCMP_ARCH_AARCH64 ? "arm64"
	                                                                   : "?";
	json_t *root = access(path, R_OK) == 0 ? json_load_file(path, 0, NULL) : NULL;
	if (!root) {
		ok(1, "# SKIP %s missing (golang-github-containers-common)", path);
	} else {
		bool allowed[1024] = { false };
		size_t i;
		json_t *s;
		json_array_foreach(json_object_get(root, "syscalls"), i, s)
		{
			json_t *inc = json_object_get(s, "includes");
			if (inc && json_array_size(json_object_get(inc, "caps")))
				continue; /* for capabilities cordon never grants */
			json_t *arches = inc ? json_object_get(inc, "arches") : NULL;
			bool native = !json_array_size(arches);
			size_t ai;
			json_t *an;
			json_array_foreach(arches, ai, an) native |= strcmp(json_string_value(an), go_arch) == 0;
			if (!native)
				continue; /* for other architectures */
			if (strcmp(json_string_value(json_object_get(s, "action")), "SCMP_ACT_ALLOW") != 0)
				continue;
			size_t k;
			json_t *n;
			json_array_foreach(json_object_get(s, "names"), k, n)
			{
				int nr = nr_of(json_string_value(n));
				if (nr >= 0 && nr < 1024)
					allowed[nr] = true; /* outright or for some arguments */
			}
		}
		unsigned missing = 0, checked = 0;
		for (int nr = 0; nr < 1024; nr++) {
			char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
			if (!name)
				continue;
			bool skip = allowed[nr];
			for (size_t k = 0; newer[k]; k++)
				skip |= strcmp(newer[k], name) == 0;
			if (!skip) {
				checked++;
				if (!denies(&p, name, 0, 0)) {
					missing++;
					diag("the Docker profile denies %s; the default profile does not", name);
				}
			}
			free(name);
		}
		ok(checked > 40 && missing == 0, "default denies all %u calls the shipped Docker profile denies", checked);
		json_decref(root);
	}
	struct sc_prog a, b;
	ok(sc_compile(&p, false, false, &a, err, sizeof(err)) == 0 && a.len > 10 && a.len < 4096,
	   "default compiles (kernel actions): %u instructions", a.len);
	ok(sc_compile(&p, true, false, &b, err, sizeof(err)) == 0 && b.len < a.len,
	   "default compiles (notify): %u instructions, fewer than with distinct errnos", b.len);
	sc_prog_free(&a);
	sc_prog_free(&b);
	sc_policy_free(&p);
}

static void strict_profile(void)
{
	struct sc_policy p = { 0 };
	char err[256];
	ok(sc_profile_builtin(&p, "strict", (struct sc_action){ SC_ERRNO, EPERM }, err, sizeof(err)) == 0,
	   "strict profile builds");
	ok(p.dflt.kind == SC_ERRNO, "strict denies by default");
	for (size_t i = 0; sc_core_syscalls[i]; i++)
		ok(!denies(&p, sc_core_syscalls[i], 0, 0), "strict allows %s (cordon needs it)", sc_core_syscalls[i]);
	ok(denies(&p, "socket", 2, 1) && !denies(&p, "socket", 1, 1), "strict: AF_UNIX sockets only");
	ok(denies(&p, "clone", 0x10000011, 0) && !denies(&p, "clone", 0x003d0f00, 0), "strict: threads yes, namespaces no");
	ok(denies(&p, "ioctl", 0, 0x5412) && !denies(&p, "ioctl", 0, 0x5401) && !denies(&p, "ioctl", 0, (1ull << 32) | 0x5401),
	   "strict: TIOCSTI no, TCGETS yes");
	ok(denies(&p, "mount", 0, 0) && denies(&p, "ptrace", 0, 0) && denies(&p, "bpf", 0, 0), "strict: mount, ptrace, bpf denied");
	ok(sc_profile_builtin(&p, "lenient", (struct sc_action){ SC_ERRNO, EPERM }, err, sizeof(err)) < 0 &&
	       strstr(err, "lenient"),
	   "an unknown profile is named");
	struct sc_prog a;
	ok(sc_compile(&p, true, true, &a, err, sizeof(err)) == 0 && a.len < 4096, "strict compiles (audit): %u instructions", a.len);
	sc_prog_free(&a);
	sc_policy_free(&p);
}

static void oci(void)
{
	const char *path = "/usr/share/containers/seccomp.json";
	if (access(path, R_OK) != 0) {
		ok(1, "# SKIP %s missing", path);
		return;
	}
	struct sc_policy p = { 0 };
	char err[512];
	int rc = sc_oci_load(&p, path, err, sizeof(err));
	ok(rc == 0, "the shipped profile loads");
	if (rc)
		diag("%s", err);
	ok(p.dflt.kind == SC_ERRNO && p.dflt.err == ENOSYS, "defaultAction SCMP_ACT_ERRNO with defaultErrnoRet 38");
	ok(!denies(&p, "read", 0, 0) && !denies(&p, "arch_prctl", 0, 0), "read and (amd64) arch_prctl allowed");
	ok(verdict(&p, nr_of("bpf"), 0, 0).err == EPERM, "bpf: EPERM (the rule for no CAP_SYS_ADMIN)");
	ok(verdict(&p, nr_of("add_key"), 0, 0).err == ENOSYS, "add_key: not listed, ENOSYS");
	ok(!denies(&p, "personality", 8, 0) && denies(&p, "personality", 0x400000, 0), "personality by value");
	ok(!denies(&p, "setns", 0, 0), "setns: listed as allowed and in an EPERM group: the first wins (as runc)");
	ok(verdict(&p, nr_of("socket"), 16, 0).kind == SC_ALLOW, "socket(AF_NETLINK, x, 0) allowed");
	uint64_t args[6] = { 16, 3, 9, 0, 0, 0 };
	const struct sc_rule *r = sc_policy_match(&p, nr_of("socket"), args);
	ok(r && r->act.kind == SC_ERRNO && r->act.err == EINVAL, "socket(AF_NETLINK, x, NETLINK_AUDIT): EINVAL");
	struct sc_prog a;
	ok(sc_compile(&p, false, false, &a, err, sizeof(err)) == 0, "it compiles");
	sc_prog_free(&a);
	sc_policy_free(&p);
}

int main(void)
{
	parsing();
	matching();
	default_profile();
	strict_profile();
	oci();
	return tap_done();
}
