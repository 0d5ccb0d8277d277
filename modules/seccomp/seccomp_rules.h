/*
 * modules/seccomp/seccomp_rules.h - the seccomp module's rule model, shared by the
 * profile tables (profile.c), the OCI importer (oci.c), the compiler
 * (compile.c) and the hooks (seccomp.c).
 *
 * A policy is a default action and a list of rules.  Each rule names one
 * native system call number, up to six argument conditions (all must hold)
 * and an action.  Rules are kept in the order they were added; the compiler
 * turns them into two BPF programs (one answering denials through a
 * user-notification listener, one with the kernel's own actions) and the
 * supervisor evaluates the same rules again to answer a notification.
 */
#ifndef CORDON_SECCOMP_SC_H
#define CORDON_SECCOMP_SC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seccomp.h>

/* Ordered by restrictiveness, as the kernel orders filter results. */
enum sc_kind {
	SC_ALLOW = 0,
	SC_LOG = 1, /* allowed and reported */
	SC_QUIET = 2, /* errno, not reported (clone3 -> ENOSYS) */
	SC_ERRNO = 3, /* denied with an errno and reported */
	SC_TRAP = 4, /* SIGSYS to the thread (the program may handle it) */
	SC_KILL = 5, /* the whole process dies, reported as killed by seccomp */
};

struct sc_action {
	enum sc_kind kind;
	int err; /* SC_ERRNO, SC_QUIET */
};

#define SC_MAX_COND 6

struct sc_cond {
	unsigned index; /* 0..5 */
	enum scmp_compare op;
	uint64_t a; /* value, or the mask for SCMP_CMP_MASKED_EQ */
	uint64_t b; /* the value for SCMP_CMP_MASKED_EQ */
};

struct sc_rule {
	int nr; /* native system call number */
	struct sc_action act;
	unsigned n;
	struct sc_cond c[SC_MAX_COND];
	bool user; /* written in the policy's allow/deny lists */
	const char *where; /* "file:line" or "profile default"; owned by the policy */
};

struct sc_policy {
	struct sc_action dflt; /* when no rule matches */
	/* Native numbers from here up answer ENOSYS before any rule (0: none):
	 * system calls newer than this libseccomp's table, which no rule can
	 * name (see sc_enosys_from). */
	int enosys_from;
	struct sc_rule *v;
	size_t n, cap;
	char **strings; /* owned strings (rule places) */
	size_t n_strings, cap_strings;
};

/* One entry of a profile table: a name list shares an action and conditions. */
void sc_policy_free(struct sc_policy *p);
/* Append a rule (copied).  -1 on allocation failure. */
int sc_policy_add(struct sc_policy *p, const struct sc_rule *r);
/* Remove every rule for nr. */
void sc_policy_remove(struct sc_policy *p, int nr);
/* Keep a string until the policy is freed; returns it, or NULL. */
const char *sc_policy_keep(struct sc_policy *p, const char *s);

/* Built-in profiles: "default" (deny list) and "strict" (allow list).
 * deny is what a denial does.  0, or -1 with a message in err. */
int sc_profile_builtin(struct sc_policy *p, const char *name, struct sc_action deny, char *err, size_t errlen);
/* Names of the system calls cordon itself makes after the filter is loaded
 * (NULL-terminated): every profile must allow them. */
extern const char *const sc_core_syscalls[];
/* The default profile's deny list, for tests (NULL-terminated). */
extern const char *const sc_default_denied[];

/* "errno(EPERM)", "errno(1)", "kill_process", "trap", "log", "allow". */
int sc_parse_action(const char *s, struct sc_action *out);
/* Errno by name ("EPERM") or number; -1 if neither. */
int sc_parse_errno(const char *s);
/* Text of an action, e.g. "errno(EPERM)". */
void sc_action_text(struct sc_action a, char *buf, size_t len);
/* A number: decimal, 0x hex or 0 octal, optionally negative (two's
 * complement); 0 or -1. */
int sc_parse_u64(const char *s, uint64_t *out);
/* "eq", "ne", "lt", "le", "gt", "ge", "masked_eq"; -1 if unknown. */
int sc_parse_op(const char *s, enum scmp_compare *out);

/* Does the rule match these arguments (as the BPF program evaluates it)? */
bool sc_rule_matches(const struct sc_rule *r, const uint64_t args[6]);
/* The most restrictive matching rule for nr, or NULL: the default applies. */
const struct sc_rule *sc_policy_match(const struct sc_policy *p, int nr, const uint64_t args[6]);
/* What the compiled program does with nr and these arguments (enosys_from,
 * then the rules, then the default). */
struct sc_action sc_policy_verdict(const struct sc_policy *p, int nr, const uint64_t args[6]);
/* The first native system call number above the newest one this
 * libseccomp names (numbers from the unified table, which every
 * architecture shares from pidfd_send_signal on, grow with each kernel),
 * or 0 when it names none of them. */
int sc_enosys_from(void);

/* Load an OCI runtime-spec / Docker seccomp profile.  Sets the default
 * action and appends rules.  0, or -1 with "PATH: JSON.PATH: what" in err. */
int sc_oci_load(struct sc_policy *p, const char *path, char *err, size_t errlen);

/* A compiled BPF program. */
struct sc_prog {
	void *filter; /* struct sock_filter[len] */
	unsigned short len;
};

/*
 * Compile the policy.  notify: denials (errno, kill, log and, in audit mode,
 * everything that is not allowed) return SECCOMP_RET_USER_NOTIF for the
 * supervisor to answer; otherwise the kernel's own actions.  audit: nothing
 * is denied (plain mode: logged by the kernel).  Foreign architectures (i386,
 * x32) end in the bad-architecture action: kill the process, or notify.
 * 0, or -1 with a message in err.
 */
int sc_compile(const struct sc_policy *p, bool notify, bool audit, struct sc_prog *out, char *err, size_t errlen);
void sc_prog_free(struct sc_prog *prog);

#endif
