/*
 * modules/seccomp/oci.c - import a seccomp profile in the OCI runtime-spec /
 * Docker / Podman JSON format (as /usr/share/containers/seccomp.json).
 *
 * Read: defaultAction, defaultErrnoRet (or defaultErrno by name),
 * architectures / archMap (the native architecture must be among them;
 * cordon filters only the native one and ends every other in the
 * bad-architecture action), syscalls[] with names (or name), action,
 * errnoRet (or errno by name), args {index, value, valueTwo, op},
 * includes / excludes {caps, arches, minKernel}, comment.
 *
 * Decisions:
 * - cordon grants the program no capabilities, so a rule that includes caps
 *   is skipped and a rule that excludes caps applies (the profile as it
 *   stands for a container without added capabilities);
 * - arches compare with the native architecture in Go's names (amd64...),
 *   minKernel with the running kernel (uname);
 * - several conditions on the same argument make one rule per condition, as
 *   runc does; a call already given an action without conditions keeps the
 *   first one (libseccomp's behaviour, so runc's and crun's);
 * - a name unknown to this libseccomp is skipped (profiles list system calls
 *   of every kernel and architecture); SCMP_ACT_KILL and SCMP_ACT_KILL_THREAD
 *   kill the whole process (stricter);
 * - what cordon cannot honour is an error naming the field: SCMP_ACT_TRACE,
 *   SCMP_ACT_NOTIFY, listenerPath, listenerMetadata, flags, unknown keys,
 *   unknown actions and operators, a profile without the native architecture.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <jansson.h>

#include "seccomp_rules.h"

#define OCI_MAX_SIZE (16 << 20)

struct oci {
	struct sc_policy *p;
	const char *path;
	char *err;
	size_t errlen;
	unsigned kernel[3];
};

static __attribute__((format(printf, 3, 4))) int fail(struct oci *o, const char *where, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(o->err, o->errlen, "%s: %s: %s", o->path, where, msg);
	return -1;
}

static int check_keys(struct oci *o, const char *where, json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		bool ok = false;
		for (size_t i = 0; allowed[i]; i++)
			ok |= strcmp(key, allowed[i]) == 0;
		if (!ok) {
			char w[256];
			snprintf(w, sizeof(w), "%s.%s", where, key);
			return fail(o, w, "cordon cannot honour this field");
		}
	}
	return 0;
}

static const char *native_go_arch(void)
{
	uint32_t a = seccomp_arch_native();
	switch (a) {
	case SCMP_ARCH_X86_64:
		return "amd64";
	case SCMP_ARCH_AARCH64:
		return "arm64";
	case SCMP_ARCH_PPC64LE:
		return "ppc64le";
	case SCMP_ARCH_S390X:
		return "s390x";
	case SCMP_ARCH_RISCV64:
		return "riscv64";
	case SCMP_ARCH_X86:
		return "386";
	case SCMP_ARCH_ARM:
		return "arm";
	default:
		return "?";
	}
}

/* "SCMP_ARCH_X86_64" names the native architecture? */
static bool is_native_scmp_arch(const char *s)
{
	if (strncmp(s, "SCMP_ARCH_", 10) != 0)
		return false;
	char lower[32];
	size_t i = 0;
	for (const char *c = s + 10; *c && i < sizeof(lower) - 1; c++)
		lower[i++] = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
	lower[i] = '\0';
	uint32_t tok = seccomp_arch_resolve_name(lower);
	return tok && tok == seccomp_arch_native();
}

static int parse_action(struct oci *o, const char *where, json_t *act, json_t *errno_ret, json_t *errno_name,
                        struct sc_action *out)
{
	if (!json_is_string(act))
		return fail(o, where, "expected an action string such as SCMP_ACT_ERRNO");
	const char *s = json_string_value(act);
	int e = -1;
	if (errno_ret && !json_is_null(errno_ret)) {
		if (!json_is_integer(errno_ret) || json_integer_value(errno_ret) < 0 ||
		    json_integer_value(errno_ret) > 4095)
			return fail(o, where, "errnoRet: expected an errno number from 0 to 4095");
		e = (int)json_integer_value(errno_ret);
	}
	if (errno_name && !json_is_null(errno_name)) {
		int byname = json_is_string(errno_name) ? sc_parse_errno(json_string_value(errno_name)) : -1;
		if (byname < 0)
			return fail(o, where, "errno: expected an errno name such as EPERM");
		if (e >= 0 && e != byname)
			return fail(o, where, "errno and errnoRet disagree (%s is %d, errnoRet %d)",
			            json_string_value(errno_name), byname, e);
		e = byname;
	}
	if (strcmp(s, "SCMP_ACT_ALLOW") == 0)
		*out = (struct sc_action){ SC_ALLOW, 0 };
	else if (strcmp(s, "SCMP_ACT_ERRNO") == 0)
		*out = (struct sc_action){ SC_ERRNO, e >= 0 ? e : EPERM };
	else if (strcmp(s, "SCMP_ACT_KILL") == 0 || strcmp(s, "SCMP_ACT_KILL_PROCESS") == 0 ||
	         strcmp(s, "SCMP_ACT_KILL_THREAD") == 0)
		*out = (struct sc_action){ SC_KILL, 0 };
	else if (strcmp(s, "SCMP_ACT_TRAP") == 0)
		*out = (struct sc_action){ SC_TRAP, 0 };
	else if (strcmp(s, "SCMP_ACT_LOG") == 0)
		*out = (struct sc_action){ SC_LOG, 0 };
	else if (strcmp(s, "SCMP_ACT_TRACE") == 0)
		return fail(o, where, "SCMP_ACT_TRACE needs a tracer; cordon has none");
	else if (strcmp(s, "SCMP_ACT_NOTIFY") == 0)
		return fail(o, where, "SCMP_ACT_NOTIFY needs a listenerPath; cordon's own supervisor reports denials");
	else
		return fail(o, where, "unknown action %s", s);
	if (out->kind == SC_ERRNO && out->err == 0)
		return fail(o, where, "errnoRet 0 (success without running the call) is not supported");
	return 0;
}

static int parse_version(const char *s, unsigned v[3])
{
	v[0] = v[1] = v[2] = 0;
	for (int i = 0; i < 3 && *s; i++) {
		if (*s < '0' || *s > '9')
			return i ? 0 : -1;
		char *end;
		unsigned long x = strtoul(s, &end, 10);
		if (x > 100000)
			return -1;
		v[i] = (unsigned)x;
		s = end;
		if (*s != '.')
			break;
		s++;
	}
	return 0;
}

static int cmp_version(const unsigned a[3], const unsigned b[3])
{
	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/* Does a filter (includes or excludes) hold for cordon's program?  1 yes,
 * 0 no, -1 error.  An empty filter holds for includes (vacuously) and not for
 * excludes. */
static int filter_holds(struct oci *o, const char *where, json_t *f, bool *empty)
{
	static const char *const keys[] = { "caps", "arches", "minKernel", NULL };
	*empty = true;
	if (!f || json_is_null(f))
		return 1;
	if (!json_is_object(f))
		return fail(o, where, "expected an object");
	if (check_keys(o, where, f, keys) < 0)
		return -1;
	bool holds = true;
	json_t *caps = json_object_get(f, "caps");
	if (caps && !json_is_null(caps)) {
		if (!json_is_array(caps))
			return fail(o, where, "caps: expected a list");
		if (json_array_size(caps)) {
			*empty = false;
			holds = false; /* the program has no capabilities */
		}
	}
	json_t *arches = json_object_get(f, "arches");
	if (arches && !json_is_null(arches)) {
		if (!json_is_array(arches))
			return fail(o, where, "arches: expected a list");
		if (json_array_size(arches)) {
			*empty = false;
			bool found = false;
			size_t i;
			json_t *a;
			json_array_foreach(arches, i, a)
			{
				if (!json_is_string(a))
					return fail(o, where, "arches[%zu]: expected a string", i);
				found |= strcmp(json_string_value(a), native_go_arch()) == 0;
			}
			holds &= found;
		}
	}
	json_t *mk = json_object_get(f, "minKernel");
	if (mk && !json_is_null(mk)) {
		unsigned v[3];
		if (!json_is_string(mk) || parse_version(json_string_value(mk), v) < 0)
			return fail(o, where, "minKernel: expected a version such as \"5.8\"");
		if (*json_string_value(mk)) {
			*empty = false;
			holds &= cmp_version(o->kernel, v) >= 0;
		}
	}
	return holds ? 1 : 0;
}

static int add_names(struct oci *o, const char *where, json_t *names, struct sc_action act, struct sc_cond *c,
                     unsigned n, const char *place)
{
	size_t i;
	json_t *nm;
	json_array_foreach(names, i, nm)
	{
		if (!json_is_string(nm))
			return fail(o, where, "names[%zu]: expected a system call name", i);
		int nr = seccomp_syscall_resolve_name(json_string_value(nm));
		if (nr < 0)
			continue; /* unknown here, or not of this architecture */
		/* A call already given an action for every argument keeps it:
		 * libseccomp keeps the first such rule, so runc and crun do too
		 * (the shipped profile lists setns, for one, both as allowed and
		 * in an EPERM group). */
		bool first = true;
		for (size_t k = 0; k < o->p->n && first && n == 0; k++)
			first = !(o->p->v[k].nr == nr && o->p->v[k].n == 0);
		if (!first)
			continue;
		struct sc_rule r = { .nr = nr, .act = act, .n = n, .where = place };
		if (n)
			memcpy(r.c, c, n * sizeof(*c));
		if (sc_policy_add(o->p, &r) < 0)
			return fail(o, where, "out of memory");
	}
	return 0;
}

static int parse_syscall(struct oci *o, size_t idx, json_t *sc)
{
	static const char *const keys[] = { "names", "name", "action", "errnoRet", "errno", "args",
		                            "comment", "includes", "excludes", NULL };
	char where[64];
	snprintf(where, sizeof(where), "syscalls[%zu]", idx);
	if (!json_is_object(sc))
		return fail(o, where, "expected an object");
	if (check_keys(o, where, sc, keys) < 0)
		return -1;
	char w[96];
	bool empty;
	snprintf(w, sizeof(w), "%s.includes", where);
	int inc = filter_holds(o, w, json_object_get(sc, "includes"), &empty);
	if (inc < 0)
		return -1;
	snprintf(w, sizeof(w), "%s.excludes", where);
	int exc = filter_holds(o, w, json_object_get(sc, "excludes"), &empty);
	if (exc < 0)
		return -1;
	/* excludes: skip when any of its non-empty criteria names us. */
	if (!empty) {
		json_t *f = json_object_get(sc, "excludes");
		json_t *arches = json_object_get(f, "arches");
		bool excluded = false;
		size_t i;
		json_t *a;
		if (json_is_array(arches))
			json_array_foreach(arches, i, a) excluded |=
				json_is_string(a) && strcmp(json_string_value(a), native_go_arch()) == 0;
		json_t *mk = json_object_get(f, "minKernel");
		unsigned v[3];
		if (json_is_string(mk) && *json_string_value(mk) && parse_version(json_string_value(mk), v) == 0)
			excluded |= cmp_version(o->kernel, v) >= 0;
		/* excluded caps: the program never has them, so the rule applies */
		if (excluded)
			return 0;
	}
	if (!inc)
		return 0;

	json_t *names = json_object_get(sc, "names");
	json_t *name = json_object_get(sc, "name");
	json_t *one = NULL;
	if (name) {
		if (!json_is_string(name))
			return fail(o, where, "name: expected a system call name");
		one = json_array();
		if (!one || json_array_append(one, name) < 0) {
			json_decref(one);
			return fail(o, where, "out of memory");
		}
		if (names && json_is_array(names)) {
			size_t i;
			json_t *x;
			json_array_foreach(names, i, x) json_array_append(one, x);
		}
		names = one;
	}
	int rc = -1;
	if (!names || !json_is_array(names)) {
		fail(o, where, "names: expected a list of system call names");
		goto out;
	}
	snprintf(w, sizeof(w), "%s.action", where);
	struct sc_action act;
	if (parse_action(o, w, json_object_get(sc, "action"), json_object_get(sc, "errnoRet"),
	                 json_object_get(sc, "errno"), &act) < 0)
		goto out;
	char place[512];
	const char *base = strrchr(o->path, '/');
	snprintf(place, sizeof(place), "%s: %s", base ? base + 1 : o->path, where);
	const char *kept = sc_policy_keep(o->p, place);
	if (!kept) {
		fail(o, where, "out of memory");
		goto out;
	}
	json_t *args = json_object_get(sc, "args");
	struct sc_cond c[SC_MAX_COND];
	unsigned n = 0;
	bool index_used[SC_MAX_COND] = { false }, repeated = false;
	if (args && !json_is_null(args)) {
		if (!json_is_array(args)) {
			fail(o, where, "args: expected a list");
			goto out;
		}
		if (json_array_size(args) > SC_MAX_COND) {
			fail(o, where, "args: at most %d conditions", SC_MAX_COND);
			goto out;
		}
		size_t i;
		json_t *a;
		json_array_foreach(args, i, a)
		{
			static const char *const akeys[] = { "index", "value", "valueTwo", "op", NULL };
			snprintf(w, sizeof(w), "%s.args[%zu]", where, i);
			if (!json_is_object(a)) {
				fail(o, w, "expected an object");
				goto out;
			}
			if (check_keys(o, w, a, akeys) < 0)
				goto out;
			json_t *ix = json_object_get(a, "index"), *v1 = json_object_get(a, "value"),
			       *v2 = json_object_get(a, "valueTwo"), *op = json_object_get(a, "op");
			if (!json_is_integer(ix) || json_integer_value(ix) < 0 || json_integer_value(ix) >= SC_MAX_COND) {
				fail(o, w, "index: expected 0 to 5");
				goto out;
			}
			if (!json_is_integer(v1) || (v2 && !json_is_null(v2) && !json_is_integer(v2))) {
				fail(o, w, "value and valueTwo: expected integers");
				goto out;
			}
			static const struct {
				const char *name;
				enum scmp_compare op;
			} ops[] = { { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT },
				    { "SCMP_CMP_LE", SCMP_CMP_LE }, { "SCMP_CMP_EQ", SCMP_CMP_EQ },
				    { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
				    { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ } };
			size_t k = 0;
			for (; k < sizeof(ops) / sizeof(ops[0]); k++)
				if (json_is_string(op) && strcmp(json_string_value(op), ops[k].name) == 0)
					break;
			if (k == sizeof(ops) / sizeof(ops[0])) {
				fail(o, w, "op: expected SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT or _MASKED_EQ");
				goto out;
			}
			unsigned index = (unsigned)json_integer_value(ix);
			repeated |= index_used[index];
			index_used[index] = true;
			c[n++] = (struct sc_cond){ index, ops[k].op, (uint64_t)json_integer_value(v1),
				                   v2 && json_is_integer(v2) ? (uint64_t)json_integer_value(v2) : 0 };
		}
	}
	if (repeated) {
		/* One rule per condition (runc's reading of repeated indexes). */
		for (unsigned i = 0; i < n; i++)
			if (add_names(o, where, names, act, &c[i], 1, kept) < 0)
				goto out;
	} else if (add_names(o, where, names, act, c, n, kept) < 0)
		goto out;
	rc = 0;
out:
	json_decref(one);
	return rc;
}

int sc_oci_load(struct sc_policy *p, const char *path, char *err, size_t errlen)
{
	struct oci o = { .p = p, .path = path, .err = err, .errlen = errlen };
	struct utsname u;
	if (uname(&u) < 0 || parse_version(u.release, o.kernel) < 0)
		o.kernel[0] = o.kernel[1] = o.kernel[2] = 0;
	/* The same trust as a policy file: a regular file that only its owner
	 * (root or the user running cordon) can write. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 022) || (st.st_uid != 0 && st.st_uid != getuid())) {
		snprintf(err, errlen, "%s: %s", path,
		         !S_ISREG(st.st_mode) ? "not a regular file"
		         : (st.st_mode & 022) ? "writable by others than its owner (chmod go-w)"
		                              : "owned by another user");
		close(fd);
		return -1;
	}
	/* Read it whole (jansson's own descriptor reader makes a system call
	 * per byte), with a bound. */
	if (st.st_size > OCI_MAX_SIZE) {
		snprintf(err, errlen, "%s: larger than %d bytes", path, OCI_MAX_SIZE);
		close(fd);
		return -1;
	}
	size_t cap = (size_t)st.st_size + 1, len = 0;
	char *buf = malloc(cap);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return -1;
	}
	for (;;) {
		ssize_t got = read(fd, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 || (got > 0 && len + (size_t)got >= cap)) {
			snprintf(err, errlen, "%s: %s", path, got < 0 ? strerror(errno) : "changed while being read");
			free(buf);
			close(fd);
			return -1;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	json_error_t je;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	if (!root) {
		snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		return -1;
	}
	int rc = -1;
	static const char *const keys[] = { "defaultAction", "defaultErrnoRet", "defaultErrno", "architectures",
		                            "archMap", "syscalls", "flags", "listenerPath", "listenerMetadata",
		                            NULL };
	if (!json_is_object(root)) {
		fail(&o, "$", "expected a JSON object");
		goto out;
	}
	if (check_keys(&o, "$", root, keys) < 0)
		goto out;
	json_t *x;
	if ((x = json_object_get(root, "listenerPath")) && !(json_is_string(x) && !*json_string_value(x))) {
		fail(&o, "listenerPath", "cordon's own supervisor answers notifications; no listener can be given");
		goto out;
	}
	if ((x = json_object_get(root, "listenerMetadata")) && !(json_is_string(x) && !*json_string_value(x))) {
		fail(&o, "listenerMetadata", "no listener can be given");
		goto out;
	}
	if ((x = json_object_get(root, "flags")) && !(json_is_array(x) && json_array_size(x) == 0)) {
		fail(&o, "flags", "cordon loads the filter with flags of its own; none can be given");
		goto out;
	}
	if (parse_action(&o, "defaultAction", json_object_get(root, "defaultAction"),
	                 json_object_get(root, "defaultErrnoRet"), json_object_get(root, "defaultErrno"),
	                 &p->dflt) < 0)
		goto out;
	/* The native architecture must be one the profile was written for. */
	bool listed = false, native = false;
	json_t *arches = json_object_get(root, "architectures");
	if (arches && !json_is_null(arches)) {
		if (!json_is_array(arches)) {
			fail(&o, "architectures", "expected a list");
			goto out;
		}
		size_t i;
		json_t *a;
		json_array_foreach(arches, i, a)
		{
			if (!json_is_string(a)) {
				fail(&o, "architectures", "expected SCMP_ARCH_ names");
				goto out;
			}
			listed = true;
			native |= is_native_scmp_arch(json_string_value(a));
		}
	}
	json_t *map = json_object_get(root, "archMap");
	if (map && !json_is_null(map)) {
		if (!json_is_array(map)) {
			fail(&o, "archMap", "expected a list");
			goto out;
		}
		size_t i;
		json_t *m;
		json_array_foreach(map, i, m)
		{
			static const char *const mkeys[] = { "architecture", "subArchitectures", NULL };
			char w[64];
			snprintf(w, sizeof(w), "archMap[%zu]", i);
			if (!json_is_object(m) || check_keys(&o, w, m, mkeys) < 0) {
				if (!json_is_object(m))
					fail(&o, w, "expected an object");
				goto out;
			}
			json_t *a = json_object_get(m, "architecture");
			if (!json_is_string(a)) {
				fail(&o, w, "architecture: expected a SCMP_ARCH_ name");
				goto out;
			}
			listed = true;
			native |= is_native_scmp_arch(json_string_value(a));
		}
	}
	if (listed && !native) {
		fail(&o, "architectures", "the profile does not cover this machine's architecture");
		goto out;
	}
	json_t *sys = json_object_get(root, "syscalls");
	if (sys && !json_is_null(sys)) {
		if (!json_is_array(sys)) {
			fail(&o, "syscalls", "expected a list");
			goto out;
		}
		size_t i;
		json_t *s;
		json_array_foreach(sys, i, s) if (parse_syscall(&o, i, s) < 0) goto out;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}
