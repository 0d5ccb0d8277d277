/*
 * core/cli/selftest.c - `cordon selftest [-p POLICY] [--json]`.
 *
 * Runs probes under the policy on this host, through the same libcordon
 * calls as `cordon exec`, and prints which properties actually hold: the
 * network, the filesystem view, the process view, capabilities,
 * no_new_privs, the seccomp filter and the foreign ABIs, each resource
 * limit, redaction.  What the policy asks for is what its modules promise
 * (cordon_policy_requirements: each module's requirements hook names the
 * properties of the `props` table below that its configuration provides,
 * with the value expected), so the command names no module and a new
 * isolation backend needs no change here; a property name the table does
 * not have is an error naming the module.  Properties nobody promises are
 * still probed and shown as "not required".  The exit status is 0 only
 * when every required check passes.
 *
 * The probes run as commands (exec style, no source), so check-phase
 * modules see nothing to check and are listed as not probed: a probe
 * touching sockets, ctypes and /proc would be denied by any sensible
 * static check.  Two runs: a python3 probe (JSON facts on stdout; the
 * foreign-ABI calls are made in forked children, since the seccomp module
 * kills a process that makes one), and a sh printf for redaction.  The
 * probe's results are parsed from the run's JSON result with jansson.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stddef.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include <cordon/cordon.h>

#include "selftest.h"

#define EXIT_FAILED 1
#define PYTHON "/usr/bin/python3"
#define SHELL "/bin/sh"
/* A fake AWS access key id of the documentation's form; printed in two
 * pieces so that the argument vector itself never holds it whole. */
#define FAKE_KEY_A "AKIA"
#define FAKE_KEY_B "IOSFODNN7SELFTEST"

/* The python3 probe.  argv[1] is a JSON object: port (a TCP listener on the
 * host's 127.0.0.1), abstract (a host abstract unix socket), pid and start
 * (this process's pid and start time, to recognise it in /proc), memory,
 * open_files, file_size (the policy's limits to try, or null).  It prints
 * one JSON object of facts and makes no decision itself. */
static const char probe_py[] =
	"import errno, json, mmap, os, signal, socket, sys, tempfile\n"
	"a = json.loads(sys.argv[1])\n"
	"out = {}\n"
	"def ename(e):\n"
	"    return errno.errorcode.get(e.errno, str(e.errno)) if isinstance(e, OSError) and e.errno else type(e).__name__\n"
	"def rd(p):\n"
	"    try:\n"
	"        with open(p) as f:\n"
	"            return f.read()\n"
	"    except OSError as e:\n"
	"        return None\n"
	"t = rd(\"/proc/net/dev\")\n"
	"out[\"ifaces\"] = None if t is None else sorted(l.split(\":\")[0].strip() for l in t.splitlines()[2:] if \":\" in l)\n"
	"t = rd(\"/proc/net/route\")\n"
	"r4 = None if t is None else sum(1 for l in t.splitlines()[1:] if l.split() and l.split()[0] != \"lo\")\n"
	"t = rd(\"/proc/net/ipv6_route\")\n"
	"r6 = None if t is None else sum(1 for l in t.splitlines() if l.split() and l.split()[-1] != \"lo\")\n"
	"out[\"routes\"] = None if r4 is None else r4 + (r6 or 0)\n"
	"def conn(fam, typ, addr):\n"
	"    try:\n"
	"        s = socket.socket(fam, typ)\n"
	"    except OSError as e:\n"
	"        return \"socket: \" + ename(e)\n"
	"    try:\n"
	"        s.settimeout(3)\n"
	"        s.connect(addr)\n"
	"        return \"connected\"\n"
	"    except OSError as e:\n"
	"        return ename(e)\n"
	"    finally:\n"
	"        s.close()\n"
	"out[\"udp\"] = conn(socket.AF_INET, socket.SOCK_DGRAM, (\"192.0.2.1\", 9))\n"
	"out[\"tcp\"] = conn(socket.AF_INET, socket.SOCK_STREAM, (\"127.0.0.1\", a[\"port\"]))\n"
	"out[\"unix\"] = conn(socket.AF_UNIX, socket.SOCK_STREAM, \"\\0\" + a[\"abstract\"])\n"
	"w = {}\n"
	"for d in (\"/\", \"/usr\"):\n"
	"    p = os.path.join(d, \".cordon-selftest-%d\" % os.getpid())\n"
	"    try:\n"
	"        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)\n"
	"        os.close(fd)\n"
	"        os.unlink(p)\n"
	"        w[d] = \"created\"\n"
	"    except OSError as e:\n"
	"        w[d] = ename(e)\n"
	"out[\"rootwrite\"] = w\n"
	"t = rd(\"/proc/%d/stat\" % a[\"pid\"])\n"
	"out[\"hostpid\"] = t is not None and t[t.rfind(\")\") + 2:].split()[19] == str(a[\"start\"])\n"
	"out[\"nprocs\"] = sum(1 for n in os.listdir(\"/proc\") if n.isdigit())\n"
	"st = {}\n"
	"for l in (rd(\"/proc/self/status\") or \"\").splitlines():\n"
	"    k, _, v = l.partition(\":\")\n"
	"    if k in (\"CapInh\", \"CapPrm\", \"CapEff\", \"CapBnd\", \"CapAmb\", \"NoNewPrivs\", \"Seccomp\", \"Seccomp_filters\"):\n"
	"        st[k] = v.strip()\n"
	"out[\"status\"] = st\n"
	"out[\"uid\"] = os.getuid()\n"
	"out[\"uid_map\"] = \" \".join((rd(\"/proc/self/uid_map\") or \"\").split())\n"
	"lim = {}\n"
	"for l in (rd(\"/proc/self/limits\") or \"\").splitlines()[1:]:\n"
	"    lim[l[:26].strip()] = [l[26:47].strip(), l[47:68].strip()]\n"
	"out[\"limits\"] = lim\n"
	"if a.get(\"memory\") is not None:\n"
	"    try:\n"
	"        m = mmap.mmap(-1, a[\"memory\"])\n"
	"        m.close()\n"
	"        out[\"memory\"] = \"mapped\"\n"
	"    except (OSError, OverflowError, ValueError, MemoryError) as e:\n"
	"        out[\"memory\"] = ename(e) if isinstance(e, OSError) else type(e).__name__\n"
	"if a.get(\"open_files\") is not None:\n"
	"    fds, res = [], \"opened\"\n"
	"    try:\n"
	"        for i in range(a[\"open_files\"] + 1):\n"
	"            fds.append(os.open(\"/dev/null\", os.O_RDONLY))\n"
	"    except OSError as e:\n"
	"        res = ename(e)\n"
	"    out[\"open_files\"] = [res, len(fds)]\n"
	"    for fd in fds:\n"
	"        os.close(fd)\n"
	"if a.get(\"file_size\") is not None:\n"
	"    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
	"    try:\n"
	"        fd, p = tempfile.mkstemp()\n"
	"        os.unlink(p)\n"
	"        try:\n"
	"            os.pwrite(fd, b\"x\", a[\"file_size\"])\n"
	"            out[\"file_size\"] = \"written\"\n"
	"        except OSError as e:\n"
	"            out[\"file_size\"] = ename(e)\n"
	"        finally:\n"
	"            os.close(fd)\n"
	"    except OSError as e:\n"
	"        out[\"file_size\"] = \"untested: temporary file: \" + ename(e)\n"
	"def abi(which):\n"
	"    rfd, wfd = os.pipe()\n"
	"    pid = os.fork()\n"
	"    if pid == 0:\n"
	"        os.close(rfd)\n"
	"        try:\n"
	"            import ctypes\n"
	"            if which == \"x32\":\n"
	"                libc = ctypes.CDLL(None, use_errno=True)\n"
	"                r = libc.syscall(ctypes.c_long(0x40000000 | 39))\n"
	"                msg = \"returned %d\" % r if r >= 0 else \"errno \" + errno.errorcode.get(ctypes.get_errno(), \"?\")\n"
	"            else:\n"
	"                m = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)\n"
	"                m.write(b\"\\xb8\\x14\\x00\\x00\\x00\\xcd\\x80\\xc3\")\n"
	"                f = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(m)))\n"
	"                r = f()\n"
	"                msg = \"returned %d\" % r if r >= 0 else \"errno \" + errno.errorcode.get(-r, str(-r))\n"
	"        except BaseException as e:\n"
	"            msg = \"untested: \" + (ename(e) if isinstance(e, OSError) else type(e).__name__)\n"
	"        os.write(wfd, msg.encode())\n"
	"        os._exit(0)\n"
	"    os.close(wfd)\n"
	"    msg = b\"\"\n"
	"    while True:\n"
	"        b = os.read(rfd, 256)\n"
	"        if not b:\n"
	"            break\n"
	"        msg += b\n"
	"    os.close(rfd)\n"
	"    _, status = os.waitpid(pid, 0)\n"
	"    if os.WIFSIGNALED(status):\n"
	"        return \"signal %s\" % signal.Signals(os.WTERMSIG(status)).name\n"
	"    return msg.decode()\n"
	"if os.uname().machine == \"x86_64\":\n"
	"    out[\"abi\"] = {\"i386\": abi(\"i386\"), \"x32\": abi(\"x32\")}\n"
	"print(json.dumps(out))\n";

static const char *prog = "cordon";

enum lim_kind { LIM_SIZE, LIM_DURATION, LIM_INT };

/* ---- the policy's values: sizes and durations as cordon writes them ---- */

static bool eq_ci(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

/* 1: unlimited; 0: *out set; -1: not a size. */
static int parse_size(const char *s, uint64_t *out)
{
	if (strcmp(s, "unlimited") == 0)
		return 1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s || errno || *s == '-')
		return -1;
	unsigned shift = 0;
	if (*end) {
		static const char units[] = "KMGT";
		const char *u = strchr(units, end[0] == 'k' ? 'K' : end[0]);
		if (!u || !*u)
			return -1;
		shift = 10 * (unsigned)(u - units + 1);
		const char *rest = end + 1;
		if (*rest && !eq_ci(rest, "iB") && !eq_ci(rest, "B"))
			return -1;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

/* 1: unlimited; 0: *out set (nanoseconds); -1: not a duration. */
static int parse_duration(const char *s, uint64_t *out)
{
	if (strcmp(s, "unlimited") == 0)
		return 1;
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000ULL }, { "min", 60000000000ULL },
		{ "m", 60000000000ULL }, { "h", 3600000000000ULL }, { "d", 86400000000000ULL },
	};
	uint64_t total = 0;
	const char *p = s;
	if (!*p)
		return -1;
	while (*p) {
		if (*p < '0' || *p > '9')
			return -1;
		char *end;
		errno = 0;
		unsigned long long v = strtoull(p, &end, 10);
		if (errno)
			return -1;
		uint64_t mul = 0;
		if (!*end && p == s) {
			mul = 1000000000ULL; /* a bare number of seconds */
		} else {
			for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
				size_t n = strlen(units[i].unit);
				if (strncmp(end, units[i].unit, n) == 0 && !(end[n] >= 'a' && end[n] <= 'z')) {
					mul = units[i].ns;
					end += n;
					break;
				}
			}
			if (!mul)
				return -1;
		}
		if (v > UINT64_MAX / mul || total > UINT64_MAX - v * mul)
			return -1;
		total += v * mul;
		p = end;
	}
	*out = total;
	return 0;
}

/* The policy's value in /proc/self/limits units: 1 unlimited, 0 set, -1
 * unreadable. */
static int limit_value(enum lim_kind kind, const char *text, uint64_t *out)
{
	if (kind == LIM_SIZE)
		return parse_size(text, out);
	if (kind == LIM_DURATION) {
		uint64_t ns;
		int r = parse_duration(text, &ns);
		if (r == 0)
			*out = ns / 1000000000ULL + (ns % 1000000000ULL != 0); /* rounded up, as rlimit does */
		return r;
	}
	if (strcmp(text, "unlimited") == 0)
		return 1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (end == text || *end || errno || *text == '-')
		return -1;
	*out = v;
	return 0;
}

/* ---- what the policy asks for: the properties its modules promise ---- */

/* The yes/no properties. */
enum flag {
	F_NET_LO,
	F_NET_TCP,
	F_NET_UNIX,
	F_ROOT_RO,
	F_PROCS,
	F_CAPS,
	F_CAPS_BND,
	F_NNP,
	F_SECCOMP,
	F_FOREIGN_ABI,
	F_REDACT,
	N_FLAGS
};

enum prop_kind {
	P_FLAG, /* holds or not; "no: REASON" waives it */
	P_LIMIT, /* a resource limit, at most the value */
	P_BUDGET, /* the tree's memory budget: shown, not probed */
	P_NOTE, /* not probed; the value says why */
};

/* Every property the probes check, as modules name them in their
 * requirements hooks (module.h, CORDON_PROP_*): the one place that says
 * what selftest knows.  Limits are checked in this order. */
static const struct prop {
	const char *name;
	enum prop_kind kind;
	enum flag flag; /* P_FLAG */
	const char *proc; /* P_LIMIT: the line of /proc/self/limits */
	enum lim_kind lim; /* P_LIMIT, P_BUDGET: how the value is written */
} props[] = {
	{ CORDON_PROP_NET_LOOPBACK_ONLY, P_FLAG, F_NET_LO, NULL, 0 },
	{ CORDON_PROP_NET_HOST_TCP, P_FLAG, F_NET_TCP, NULL, 0 },
	{ CORDON_PROP_NET_HOST_UNIX, P_FLAG, F_NET_UNIX, NULL, 0 },
	{ CORDON_PROP_ROOT_READ_ONLY, P_FLAG, F_ROOT_RO, NULL, 0 },
	{ CORDON_PROP_PROCS_HIDDEN, P_FLAG, F_PROCS, NULL, 0 },
	{ CORDON_PROP_CAPS_NONE, P_FLAG, F_CAPS, NULL, 0 },
	{ CORDON_PROP_CAPS_BOUNDING, P_FLAG, F_CAPS_BND, NULL, 0 },
	{ CORDON_PROP_NO_NEW_PRIVS, P_FLAG, F_NNP, NULL, 0 },
	{ CORDON_PROP_SECCOMP_FILTER, P_FLAG, F_SECCOMP, NULL, 0 },
	{ CORDON_PROP_SECCOMP_FOREIGN_ABI, P_FLAG, F_FOREIGN_ABI, NULL, 0 },
	{ CORDON_PROP_LIMIT_PREFIX "cpu", P_LIMIT, 0, "Max cpu time", LIM_DURATION },
	{ CORDON_PROP_LIMIT_PREFIX "memory", P_LIMIT, 0, "Max address space", LIM_SIZE },
	{ CORDON_PROP_MEMORY_BUDGET, P_BUDGET, 0, NULL, LIM_SIZE },
	{ CORDON_PROP_LIMIT_PREFIX "processes", P_LIMIT, 0, "Max processes", LIM_INT },
	{ CORDON_PROP_LIMIT_PREFIX "open_files", P_LIMIT, 0, "Max open files", LIM_INT },
	{ CORDON_PROP_LIMIT_PREFIX "file_size", P_LIMIT, 0, "Max file size", LIM_SIZE },
	{ CORDON_PROP_LIMIT_PREFIX "core", P_LIMIT, 0, "Max core file size", LIM_SIZE },
	{ CORDON_PROP_LIMIT_PREFIX "stack", P_LIMIT, 0, "Max stack size", LIM_SIZE },
	{ CORDON_PROP_REDACTION, P_FLAG, F_REDACT, NULL, 0 },
	{ CORDON_PROP_NOT_PROBED, P_NOTE, 0, NULL, 0 },
};
#define N_PROPS (sizeof(props) / sizeof(props[0]))

static const struct prop *prop_find(const char *name)
{
	for (size_t i = 0; i < N_PROPS; i++)
		if (strcmp(props[i].name, name) == 0)
			return &props[i];
	return NULL;
}

/* "cpu" for "limit.cpu". */
static const char *limit_key(const struct prop *p)
{
	return p->name + strlen(CORDON_PROP_LIMIT_PREFIX);
}

struct note {
	char *module;
	char *why; /* NULL: the module promises nothing */
};

struct want {
	bool req[N_FLAGS]; /* promised and not waived */
	bool promised[N_FLAGS];
	char *waived[N_FLAGS]; /* " (why)" when a module waived it, or NULL */
	char *limit[N_PROPS]; /* P_LIMIT, P_BUDGET: the value as written, or NULL */
	bool limits; /* some module promised a limit */
	bool audit;
	struct note *notes; /* modules selftest does not probe, in stack order */
	size_t n_notes;
};

static void want_free(struct want *w)
{
	for (size_t i = 0; i < N_FLAGS; i++)
		free(w->waived[i]);
	for (size_t i = 0; i < N_PROPS; i++)
		free(w->limit[i]);
	for (size_t i = 0; i < w->n_notes; i++) {
		free(w->notes[i].module);
		free(w->notes[i].why);
	}
	free(w->notes);
}

static int add_note(struct want *w, const char *module, const char *why)
{
	struct note *nv = realloc(w->notes, (w->n_notes + 1) * sizeof(*nv));
	if (!nv)
		return -1;
	w->notes = nv;
	struct note *n = &w->notes[w->n_notes];
	n->module = strdup(module);
	n->why = why ? strdup(why) : NULL;
	if (!n->module || (why && !n->why)) {
		free(n->module);
		free(n->why);
		return -1;
	}
	w->n_notes++;
	return 0;
}

static int want_err(char **err, const char *module, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int want_err(char **err, const char *module, const char *fmt, ...)
{
	char *what = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) < 0)
		what = NULL;
	va_end(ap);
	if (asprintf(err, "module '%s' %s", module, what ? what : "states a malformed requirement") < 0)
		*err = NULL;
	free(what);
	return -1;
}

/* One promise of one module: "MODULE\tPROPERTY\tVALUE". */
static int want_one(struct want *w, char *line, char **err)
{
	char *module = line, *name = strchr(line, '\t'), *value = name ? strchr(name + 1, '\t') : NULL;
	if (!value) {
		*err = strdup("libcordon stated a requirement without its module, property and value");
		return -1;
	}
	*name++ = '\0';
	*value++ = '\0';
	if (!*name)
		return add_note(w, module, NULL);
	const struct prop *p = prop_find(name);
	if (!p) {
		char known[1024] = "";
		for (size_t i = 0; i < N_PROPS; i++) {
			size_t used = strlen(known);
			snprintf(known + used, sizeof(known) - used, "%s%s", i ? ", " : "", props[i].name);
		}
		return want_err(err, module, "requires the selftest property '%s', which cordon selftest does not know "
		                             "(it knows %s)",
		                name, known);
	}
	uint64_t v;
	switch (p->kind) {
	case P_FLAG:
		if (*value && strcmp(value, "no") != 0 && strncmp(value, "no: ", 4) != 0)
			return want_err(err, module, "requires %s with the value '%s' (expected none, or 'no: REASON')",
			                name, value);
		if (*value) {
			free(w->waived[p->flag]);
			if (asprintf(&w->waived[p->flag], " (%s%s)", value[2] ? value + 4 : "waived by ", value[2] ? "" : module) <
			    0) {
				w->waived[p->flag] = NULL;
				return -1;
			}
		} else {
			w->promised[p->flag] = true;
		}
		w->req[p->flag] = w->promised[p->flag] && !w->waived[p->flag];
		return 0;
	case P_LIMIT:
	case P_BUDGET:
		if (limit_value(p->lim, value, &v) < 0)
			return want_err(err, module, "requires %s to be '%s', which is not a limit cordon writes", name,
			                value);
		w->limits = true;
		/* Two modules promising one limit: the first stands. */
		return w->limit[p - props] ? 0 : (w->limit[p - props] = strdup(value)) ? 0 : -1;
	case P_NOTE:
		return add_note(w, module, *value ? value : NULL);
	}
	return 0;
}

/* What the policy's modules promise (cordon_policy_requirements). */
static int read_want(cordon_policy *p, struct want *w, char **err)
{
	w->audit = cordon_policy_audit(p) != 0;
	char **req = cordon_policy_requirements(p, err);
	if (!req)
		return -1;
	int rc = 0;
	for (size_t i = 0; req[i] && rc == 0; i++)
		if ((rc = want_one(w, req[i], err)) < 0 && !*err)
			*err = strdup("out of memory");
	cordon_strv_free(req);
	return rc;
}

/* ---- the checks ---- */

struct check {
	char *name;
	bool required;
	const char *result; /* "pass", "fail", "skipped" */
	char *detail;
};

struct checks {
	struct check *v;
	size_t n;
	bool oom;
};

static void add(struct checks *c, const char *name, bool required, const char *result, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void add(struct checks *c, const char *name, bool required, const char *result, const char *fmt, ...)
{
	struct check *nv = realloc(c->v, (c->n + 1) * sizeof(*nv));
	if (!nv) {
		c->oom = true;
		return;
	}
	c->v = nv;
	struct check *k = &c->v[c->n];
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&k->detail, fmt, ap);
	va_end(ap);
	k->name = strdup(name);
	if (r < 0 || !k->name) {
		if (r >= 0)
			free(k->detail);
		free(k->name);
		c->oom = true;
		return;
	}
	k->required = required;
	k->result = result;
	c->n++;
}

static void checks_free(struct checks *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].name);
		free(c->v[i].detail);
	}
	free(c->v);
}

/* ---- host side: listeners the sandbox must not reach ---- */

struct host {
	int tcp, unix_fd;
	int port;
	char abstract[64];
	char tcp_err[128], unix_err[128];
	long pid;
	unsigned long long start;
};

static void host_setup(struct host *h)
{
	h->tcp = h->unix_fd = -1;
	h->pid = (long)getpid();
	h->start = 0;
	FILE *f = fopen("/proc/self/stat", "re");
	if (f) {
		char buf[1024];
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
		/* Fields from the 3rd on follow the last ')'; starttime is the 22nd. */
		char *p = strrchr(buf, ')');
		for (int field = 2; p && field < 22; field++)
			p = strchr(p + 1, ' ');
		if (p)
			h->start = strtoull(p + 1, NULL, 10);
	}

	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sin);
	if (s < 0 || bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(s, 8) < 0 ||
	    getsockname(s, (struct sockaddr *)&sin, &sl) < 0) {
		snprintf(h->tcp_err, sizeof(h->tcp_err), "no TCP listener on the host's 127.0.0.1: %s", strerror(errno));
		if (s >= 0)
			close(s);
	} else {
		h->tcp = s;
		h->port = ntohs(sin.sin_port);
	}

	snprintf(h->abstract, sizeof(h->abstract), "cordon-selftest-%ld-%lx", h->pid, (unsigned long)time(NULL));
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t an = strlen(h->abstract);
	memcpy(sun.sun_path + 1, h->abstract, an); /* sun_path[0] = '\0': abstract */
	socklen_t ul = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + an);
	if (s < 0 || bind(s, (struct sockaddr *)&sun, ul) < 0 || listen(s, 8) < 0) {
		snprintf(h->unix_err, sizeof(h->unix_err), "no abstract unix listener on the host: %s", strerror(errno));
		if (s >= 0)
			close(s);
	} else {
		h->unix_fd = s;
	}
}

static void host_close(struct host *h)
{
	if (h->tcp >= 0)
		close(h->tcp);
	if (h->unix_fd >= 0)
		close(h->unix_fd);
	h->tcp = h->unix_fd = -1;
}

/* ---- runs ---- */

struct run {
	json_t *res;    /* the run's JSON result, or NULL */
	char *problem;  /* why the run gave no usable answer, or NULL */
};

static void run_free(struct run *r)
{
	json_decref(r->res);
	free(r->problem);
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* Run ARGV under the policy, collecting the result.  With must_succeed, a
 * run that did not exit 0 sets r->problem. */
static int run_probe(cordon_policy *p, const char *const *argv, struct run *r, bool verbose)
{
	memset(r, 0, sizeof(*r));
	struct cordon_run_options ro = {
		.size = sizeof(ro),
		.argv = argv,
		.stream_stdout_fd = -1,
		.stream_stderr_fd = -1,
		.cancel_fd = -1,
	};
	char *err = NULL;
	cordon_result *res = cordon_run(p, &ro, &err);
	if (!res) {
		if (asprintf(&r->problem, "the run failed: %s", err ? err : "?") < 0)
			r->problem = NULL;
		free(err);
		return r->problem ? 0 : -1;
	}
	for (size_t i = 0; i < cordon_result_warning_count(res); i++)
		if (verbose)
			fprintf(stderr, "%s: selftest: warning: %s\n", prog, cordon_result_warning(res, i));
	char *js = cordon_result_json(res);
	cordon_result_free(res);
	if (!js)
		return -1;
	json_error_t jerr;
	r->res = json_loads(js, 0, &jerr);
	free(js);
	if (!r->res)
		return -1;
	const char *status = jstr(r->res, "status");
	if (strcmp(status, "ok") != 0) {
		const char *why = jstr(r->res, "error");
		const char *se = jstr(r->res, "stderr");
		const char *nl = strchr(se, '\n');
		int n = nl ? (int)(nl - se) : (int)strlen(se);
		if (n > 200)
			n = 200;
		if (asprintf(&r->problem, "the probe's run ended '%s'%s%s%s%.*s", status, *why ? ": " : "", why,
		             n ? "; stderr: " : "", n, se) < 0)
			r->problem = NULL;
		return r->problem ? 0 : -1;
	}
	return 0;
}

/* ---- evaluating the probe's facts ---- */

static const char *jget_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static bool hex_zero(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (*s != '0')
			return false;
	return true;
}

static const char *or_q(const char *s)
{
	return s ? s : "?";
}

/* " (REASON)" when a module waived the property on purpose, else "". */
static const char *waived(const struct want *w, enum flag f)
{
	return w->waived[f] ? w->waived[f] : "";
}

static void eval_network(struct checks *c, const struct want *w, json_t *f, const struct host *h, const char *problem)
{
	bool req_lo = w->req[F_NET_LO], req_tcp = w->req[F_NET_TCP], req_unix = w->req[F_NET_UNIX];
	if (problem) {
		add(c, "network: only loopback", req_lo, "fail", "%s%s", problem, waived(w, F_NET_LO));
		add(c, "network: host TCP listener unreachable", req_tcp, "fail", "%s%s", problem, waived(w, F_NET_TCP));
		add(c, "network: host abstract unix socket unreachable", req_unix, "fail", "%s%s", problem,
		    waived(w, F_NET_UNIX));
		return;
	}
	json_t *ifs = json_object_get(f, "ifaces");
	char names[256] = "";
	bool only_lo = json_is_array(ifs) && json_array_size(ifs) == 1 &&
	               strcmp(or_q(json_string_value(json_array_get(ifs, 0))), "lo") == 0;
	size_t i;
	json_t *v;
	json_array_foreach(ifs, i, v)
	{
		size_t used = strlen(names);
		snprintf(names + used, sizeof(names) - used, "%s%s", i ? "," : "", or_q(json_string_value(v)));
	}
	json_t *routes = json_object_get(f, "routes");
	const char *udp = or_q(jget_str(f, "udp"));
	bool pass = only_lo && json_is_integer(routes) && json_integer_value(routes) == 0 &&
	            strcmp(udp, "connected") != 0;
	add(c, "network: only loopback", req_lo, pass ? "pass" : "fail",
	    "interfaces: %s; routes off lo: %s; UDP to 192.0.2.1: %s%s", json_is_array(ifs) ? names : "unreadable",
	    json_is_integer(routes) ? (json_integer_value(routes) ? "some" : "none") : "unreadable", udp,
	    waived(w, F_NET_LO));

	if (h->tcp < 0) {
		add(c, "network: host TCP listener unreachable", req_tcp, req_tcp ? "fail" : "skipped", "%s",
		    h->tcp_err);
	} else {
		const char *t = or_q(jget_str(f, "tcp"));
		add(c, "network: host TCP listener unreachable", req_tcp, strcmp(t, "connected") ? "pass" : "fail",
		    "connect to 127.0.0.1:%d (listening on the host): %s%s", h->port, t, waived(w, F_NET_TCP));
	}
	if (h->unix_fd < 0) {
		add(c, "network: host abstract unix socket unreachable", req_unix, req_unix ? "fail" : "skipped", "%s",
		    h->unix_err);
	} else {
		const char *u = or_q(jget_str(f, "unix"));
		add(c, "network: host abstract unix socket unreachable", req_unix,
		    strcmp(u, "connected") ? "pass" : "fail", "connect to @%s (listening on the host): %s%s", h->abstract,
		    u, waived(w, F_NET_UNIX));
	}
}

static void eval_views(struct checks *c, const struct want *w, json_t *f, const struct host *h, const char *problem)
{
	if (problem) {
		add(c, "filesystem: root read-only", w->req[F_ROOT_RO], "fail", "%s%s", problem, waived(w, F_ROOT_RO));
		add(c, "processes: host processes invisible", w->req[F_PROCS], "fail", "%s%s", problem,
		    waived(w, F_PROCS));
		return;
	}
	json_t *rw = json_object_get(f, "rootwrite");
	const char *r1 = or_q(jget_str(rw, "/")), *r2 = or_q(jget_str(rw, "/usr"));
	bool pass = json_is_object(rw) && strcmp(r1, "created") && strcmp(r2, "created") && strcmp(r1, "?") &&
	            strcmp(r2, "?");
	add(c, "filesystem: root read-only", w->req[F_ROOT_RO], pass ? "pass" : "fail",
	    "creating a file in /: %s; in /usr: %s%s", r1, r2, waived(w, F_ROOT_RO));
	json_t *hp = json_object_get(f, "hostpid");
	json_t *np = json_object_get(f, "nprocs");
	add(c, "processes: host processes invisible", w->req[F_PROCS], json_is_false(hp) ? "pass" : "fail",
	    "cordon's pid %ld is %s inside; %" JSON_INTEGER_FORMAT " processes visible%s", h->pid,
	    json_is_false(hp) ? "not visible" : "visible", json_integer_value(np), waived(w, F_PROCS));
}

static void eval_status(struct checks *c, const struct want *w, json_t *f, const char *problem)
{
	bool req_caps = w->req[F_CAPS], req_bnd = w->req[F_CAPS_BND];
	if (problem) {
		add(c, "capabilities: none effective or permitted", req_caps, "fail", "%s%s", problem, waived(w, F_CAPS));
		add(c, "capabilities: bounding set empty", req_bnd, "fail", "%s%s", problem, waived(w, F_CAPS_BND));
		add(c, "no_new_privs", w->req[F_NNP], "fail", "%s%s", problem, waived(w, F_NNP));
		add(c, "seccomp: filter active", w->req[F_SECCOMP], "fail", "%s%s", problem, waived(w, F_SECCOMP));
		return;
	}
	json_t *st = json_object_get(f, "status");
	const char *eff = jget_str(st, "CapEff"), *prm = jget_str(st, "CapPrm"), *inh = jget_str(st, "CapInh"),
	           *amb = jget_str(st, "CapAmb"), *bnd = jget_str(st, "CapBnd");
	bool pass = hex_zero(eff) && hex_zero(prm) && hex_zero(inh) && (!amb || hex_zero(amb));
	add(c, "capabilities: none effective or permitted", req_caps, pass ? "pass" : "fail",
	    "CapEff %s, CapPrm %s, CapInh %s, CapAmb %s%s", or_q(eff), or_q(prm), or_q(inh), or_q(amb),
	    waived(w, F_CAPS));
	add(c, "capabilities: bounding set empty", req_bnd, hex_zero(bnd) ? "pass" : "fail", "CapBnd %s%s", or_q(bnd),
	    waived(w, F_CAPS_BND));
	const char *nnp = jget_str(st, "NoNewPrivs");
	add(c, "no_new_privs", w->req[F_NNP], nnp && strcmp(nnp, "1") == 0 ? "pass" : "fail", "NoNewPrivs: %s%s",
	    or_q(nnp), waived(w, F_NNP));
	const char *sc = jget_str(st, "Seccomp"), *scn = jget_str(st, "Seccomp_filters");
	add(c, "seccomp: filter active", w->req[F_SECCOMP], sc && strcmp(sc, "2") == 0 ? "pass" : "fail",
	    "Seccomp: %s%s%s%s%s", or_q(sc), sc && strcmp(sc, "2") == 0 ? " (filter mode)" : "", scn ? ", filters: " : "",
	    scn ? scn : "", waived(w, F_SECCOMP));
}

static void eval_abi(struct checks *c, const struct want *w, json_t *f, const char *problem)
{
	static const struct {
		const char *key, *name, *call;
	} abis[] = {
		{ "i386", "seccomp: i386 ABI blocked", "getpid through int $0x80" },
		{ "x32", "seccomp: x32 ABI blocked", "getpid with the x32 bit" },
	};
	json_t *abi = problem ? NULL : json_object_get(f, "abi");
	/* A module may waive it (seccomp in audit mode lets every call run
	 * and reports it): the reason is shown. */
	bool want = w->req[F_FOREIGN_ABI];
	for (size_t i = 0; i < 2; i++) {
		if (problem) {
			add(c, abis[i].name, want, "fail", "%s%s", problem, waived(w, F_FOREIGN_ABI));
			continue;
		}
		if (!abi) {
			add(c, abis[i].name, false, "skipped", "not an x86_64 host: no foreign ABI probe");
			continue;
		}
		const char *r = or_q(jget_str(abi, abis[i].key));
		const char *result = "fail", *why = "the call went through";
		if (strcmp(r, "signal SIGSYS") == 0 || strcmp(r, "signal SIGKILL") == 0) {
			result = "pass";
			why = "the process was killed";
		} else if (strcmp(r, "signal SIGSEGV") == 0) {
			result = "pass";
			why = "this kernel has no i386 entry point";
		} else if (strcmp(r, "errno ENOSYS") == 0) {
			result = "pass";
			why = "refused (the kernel has no such ABI, or the filter)";
		} else if (strncmp(r, "errno ", 6) == 0) {
			result = "pass";
			why = "refused";
		} else if (strncmp(r, "untested", 8) == 0) {
			why = "the probe could not make the call";
		}
		add(c, abis[i].name, want, result, "%s: %s: %s%s", abis[i].call, r, why, waived(w, F_FOREIGN_ABI));
	}
}

static void eval_limits(struct checks *c, const struct want *w, json_t *f, const char *problem)
{
	json_t *lims = problem ? NULL : json_object_get(f, "limits");
	bool host_root = false;
	if (!problem) {
		const char *map = jget_str(f, "uid_map");
		host_root = json_integer_value(json_object_get(f, "uid")) == 0 && map &&
		            strcmp(map, "0 0 4294967295") == 0;
	}
	for (size_t i = 0; i < N_PROPS; i++) {
		const struct prop *d = &props[i];
		if (!w->limit[i])
			continue;
		if (d->kind == P_BUDGET) {
			/* No RLIMIT_AS to read back or map past: the supervisor's
			 * tree budget holds it (tests/javascript.t proves it). */
			add(c, "limit: memory", false, "skipped",
			    "policy %s is the whole tree's budget (address_space: false), enforced by the supervisor "
			    "every 100 ms, not an RLIMIT_AS to read back",
			    w->limit[i]);
			continue;
		}
		const char *key = limit_key(d);
		char name[64];
		snprintf(name, sizeof(name), "limit: %s", key);
		uint64_t want = 0;
		int pr = limit_value(d->lim, w->limit[i], &want);
		if (pr == 1)
			continue; /* unlimited: nothing asked for */
		if (problem) {
			add(c, name, true, "fail", "%s", problem);
			continue;
		}
		json_t *pair = json_object_get(lims, d->proc);
		const char *soft = or_q(json_string_value(json_array_get(pair, 0)));
		const char *hard = or_q(json_string_value(json_array_get(pair, 1)));
		char *end;
		errno = 0;
		unsigned long long have = strtoull(soft, &end, 10);
		bool numeric = end != soft && !*end && !errno;
		bool pass = numeric && strcmp(soft, hard) == 0;
		if (pass && pr == 0)
			pass = have <= want;
		char extra[160] = "";
		if (strcmp(key, "memory") == 0 && json_object_get(f, "memory")) {
			const char *m = or_q(jget_str(f, "memory"));
			bool ok = strcmp(m, "mapped") != 0;
			pass = pass && ok;
			snprintf(extra, sizeof(extra), "; mapping the limit's size: %s", ok ? m : "succeeded");
		} else if (strcmp(key, "open_files") == 0 && json_object_get(f, "open_files")) {
			json_t *of = json_object_get(f, "open_files");
			const char *e = or_q(json_string_value(json_array_get(of, 0)));
			bool ok = strcmp(e, "EMFILE") == 0;
			pass = pass && ok;
			snprintf(extra, sizeof(extra), "; opening descriptors: %s after %" JSON_INTEGER_FORMAT " more",
			         ok ? e : "no EMFILE", json_integer_value(json_array_get(of, 1)));
		} else if (strcmp(key, "file_size") == 0 && json_object_get(f, "file_size")) {
			const char *e = or_q(jget_str(f, "file_size"));
			if (strncmp(e, "untested", 8) != 0) {
				bool ok = strcmp(e, "EFBIG") == 0;
				pass = pass && ok;
				snprintf(extra, sizeof(extra), "; writing past the limit: %s",
				         ok ? e : "succeeded");
			} else {
				snprintf(extra, sizeof(extra), "; %s", e);
			}
		} else if (strcmp(key, "processes") == 0 && host_root) {
			pass = false;
			snprintf(extra, sizeof(extra),
			         "; the program runs as host root, to which RLIMIT_NPROC does not apply");
		}
		add(c, name, true, pass ? "pass" : "fail", "policy %s%s; soft %s, hard %s%s", w->limit[i],
		    pr < 0 ? " (unreadable)" : "", soft, hard, extra);
	}
	if (!w->limits)
		add(c, "limits", false, "skipped", "no module of the policy promises a resource limit");
}

static void eval_redact(struct checks *c, const struct want *w, const struct run *r)
{
	const char *name = "redaction: a fake cloud key in the output";
	if (r->problem) {
		add(c, name, w->req[F_REDACT], "fail", "%s%s", r->problem, waived(w, F_REDACT));
		return;
	}
	const char *out = jstr(r->res, "stdout");
	size_t n = 0;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(r->res, "redactions"), i, v)
		n += (size_t)json_integer_value(json_object_get(v, "count"));
	bool leaked = strstr(out, FAKE_KEY_A FAKE_KEY_B) != NULL;
	char shown[96];
	snprintf(shown, sizeof(shown), "%s", out);
	shown[strcspn(shown, "\n")] = '\0';
	add(c, name, w->req[F_REDACT], !leaked && n > 0 ? "pass" : "fail",
	    "printed %s...; stdout: '%s'; %zu redaction%s%s", FAKE_KEY_A, shown, n, n == 1 ? "" : "s",
	    waived(w, F_REDACT));
}

/* ---- output ---- */

static bool all_hold(const struct checks *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].required && strcmp(c->v[i].result, "pass") != 0)
			return false;
	return true;
}

static int print_json(const char *policy, bool audit, const struct checks *c)
{
	json_t *o = json_object(), *arr = json_array();
	int rc = -1;
	if (!o || !arr)
		goto out;
	for (size_t i = 0; i < c->n; i++) {
		json_t *k = json_pack("{s:s, s:b, s:s, s:s}", "name", c->v[i].name, "required", c->v[i].required,
		                      "result", c->v[i].result, "detail", c->v[i].detail);
		if (!k || json_array_append_new(arr, k) < 0)
			goto out;
	}
	if (json_object_set_new(o, "policy", json_string(policy)) < 0 ||
	    json_object_set_new(o, "mode", json_string(audit ? "audit" : "enforce")) < 0 ||
	    json_object_set_new(o, "ok", json_boolean(all_hold(c))) < 0 || json_object_set(o, "checks", arr) < 0)
		goto out;
	char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (!s)
		goto out;
	puts(s);
	free(s);
	rc = 0;
out:
	json_decref(arr);
	json_decref(o);
	return rc;
}

static void print_table(const char *policy, const char *file, bool audit, const struct checks *c)
{
	size_t w = 0, required = 0, failed = 0;
	for (size_t i = 0; i < c->n; i++) {
		size_t n = strlen(c->v[i].name);
		w = n > w ? n : w;
		if (c->v[i].required) {
			required++;
			failed += strcmp(c->v[i].result, "pass") != 0;
		}
	}
	printf("cordon selftest: policy '%s' (%s)%s\n", policy, file,
	       audit ? ", audit mode: checks and seccomp report, they do not deny" : "");
	for (size_t i = 0; i < c->n; i++) {
		const struct check *k = &c->v[i];
		const char *res = k->result;
		if (k->required && strcmp(res, "pass") != 0)
			res = "FAIL";
		printf("  %-7s %-12s  %-*s  %s\n", res, k->required ? "required" : "not required", (int)w, k->name,
		       k->detail);
	}
	if (failed)
		printf("cordon selftest: FAILED: %zu of %zu required checks do not hold on this host\n", failed,
		       required);
	else
		printf("cordon selftest: ok: all %zu required checks hold on this host\n", required);
}

/* ---- the command ---- */

static void usage(FILE *f)
{
	fprintf(f, "usage: cordon selftest [-p POLICY] [--json] [--policy-dir DIR] [-v]\n"
	           "\n"
	           "Runs probes under POLICY (default: 'default') on this host and prints which of\n"
	           "the properties it asks for hold.  Exit status: 0 all hold, 1 one does not,\n"
	           "125 the policy is invalid or the selftest could not run.\n");
}

enum { OPT_JSON = 256, OPT_POLICY_DIR };

struct opts {
	const char *policy;
	const char *policy_dir;
	int verbose;
	int json;
};

/* -1: go on; else the exit status. */
static int parse_options(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "policy-dir", required_argument, NULL, OPT_POLICY_DIR },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+p:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->policy = optarg;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_POLICY_DIR:
			o->policy_dir = optarg;
			break;
		case ':':
			fprintf(stderr, "%s: %s: needs an argument\nTry 'cordon selftest --help'.\n", prog,
			        argv[optind - 1]);
			return CORDON_EXIT_ERROR;
		default:
			fprintf(stderr, "%s: unknown option '%s'\nTry 'cordon selftest --help'.\n", prog,
			        argv[optind - 1]);
			return CORDON_EXIT_ERROR;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: selftest: unexpected argument '%s'\nTry 'cordon selftest --help'.\n", prog,
		        argv[optind]);
		return CORDON_EXIT_ERROR;
	}
	return -1;
}

/* The python3 probe's argument: where the host listens, who we are, which
 * limits to try.  NULL when out of memory. */
static char *probe_arg(const struct want *w, const struct host *h)
{
	json_t *a = json_pack("{s:i, s:s, s:I, s:I}", "port", h->tcp >= 0 ? h->port : 1, "abstract", h->abstract,
	                      "pid", (json_int_t)h->pid, "start", (json_int_t)h->start);
	if (!a)
		return NULL;
	static const char *const tried[] = { "memory", "open_files", "file_size" };
	for (size_t i = 0; i < N_PROPS; i++) {
		uint64_t v;
		if (props[i].kind != P_LIMIT || !w->limit[i])
			continue;
		for (size_t t = 0; t < sizeof(tried) / sizeof(tried[0]); t++)
			if (strcmp(limit_key(&props[i]), tried[t]) == 0 &&
			    limit_value(props[i].lim, w->limit[i], &v) == 0 && v <= (uint64_t)INT64_MAX &&
			    (strcmp(tried[t], "open_files") != 0 || v <= 65536))
				json_object_set_new(a, tried[t], json_integer((json_int_t)v));
	}
	char *arg = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return arg;
}

/* Run the python3 probe; *facts its JSON facts, or *problem why there are
 * none.  -1 when out of memory. */
static int probe_facts(cordon_policy *p, const char *arg, struct run *pr, bool verbose, json_t **facts,
                       const char **problem)
{
	*facts = NULL;
	*problem = NULL;
	if (access(PYTHON, X_OK) != 0) {
		*problem = "the probe needs " PYTHON " on the host";
		return 0;
	}
	const char *const argv_py[] = { PYTHON, "-I", "-B", "-c", probe_py, arg, NULL };
	if (run_probe(p, argv_py, pr, verbose) < 0)
		return -1;
	*problem = pr->problem;
	if (!*problem) {
		json_error_t jerr;
		*facts = json_loads(jstr(pr->res, "stdout"), 0, &jerr);
		if (!json_is_object(*facts))
			*problem = "the probe printed no result (its output was cut or filtered?)";
	}
	return 0;
}

/* Every check, in the table's order. */
static void evaluate(struct checks *ck, cordon_policy *p, const struct want *w, json_t *facts, const struct host *h,
                     const char *problem, const struct run *rr)
{
	/* A stack without an isolation backend runs the program with the
	 * caller's access: a required check, unless the policy says
	 * `isolation: none` (then no lint warning names it). */
	bool no_backend = false;
	for (size_t i = 0; i < cordon_policy_warning_count(p); i++)
		no_backend |= strstr(cordon_policy_warning(p, i), "has no isolation backend") != NULL;
	add(ck, "isolation backend", no_backend, no_backend ? "fail" : "pass", "%s",
	    no_backend ? "none in the stack (namespaces, bwrap or landlock): the program runs with the caller's access; "
	                 "add one, or say `isolation: none` if that is meant"
	               : "the stack has one, or the policy says isolation: none");
	eval_network(ck, w, facts, h, problem);
	eval_views(ck, w, facts, h, problem);
	eval_status(ck, w, facts, problem);
	eval_abi(ck, w, facts, problem);
	eval_limits(ck, w, facts, problem);
	eval_redact(ck, w, rr);
	for (size_t i = 0; i < w->n_notes; i++) {
		char name[128];
		snprintf(name, sizeof(name), "module %s", w->notes[i].module);
		add(ck, name, false, "skipped", "not probed: %s",
		    w->notes[i].why ? w->notes[i].why : "the module promises no property the selftest probes");
	}
}

/* Probe, evaluate, print: the exit status. */
static int selftest(cordon_policy *p, const struct opts *o)
{
	int rc = CORDON_EXIT_ERROR;
	struct want w;
	memset(&w, 0, sizeof(w));
	struct checks ck;
	memset(&ck, 0, sizeof(ck));
	struct host h;
	memset(&h, 0, sizeof(h));
	h.tcp = h.unix_fd = -1;
	struct run pr, rr;
	memset(&pr, 0, sizeof(pr));
	memset(&rr, 0, sizeof(rr));
	json_t *facts = NULL;
	char *arg = NULL, *err = NULL;
	const char *problem = NULL;

	if (read_want(p, &w, &err) < 0) {
		fprintf(stderr, "%s: selftest: %s\n", prog, err ? err : "out of memory");
		free(err);
		goto out;
	}
	host_setup(&h);
	if (!(arg = probe_arg(&w, &h))) {
		fprintf(stderr, "%s: selftest: out of memory\n", prog);
		goto out;
	}
	const char *const argv_sh[] = { SHELL, "-c", "printf '%s%s\\n' \"$0\" \"$1\"", FAKE_KEY_A, FAKE_KEY_B, NULL };
	if (probe_facts(p, arg, &pr, o->verbose, &facts, &problem) < 0 ||
	    run_probe(p, argv_sh, &rr, o->verbose) < 0) {
		fprintf(stderr, "%s: selftest: cannot run the probe: out of memory\n", prog);
		goto out;
	}
	evaluate(&ck, p, &w, facts, &h, problem, &rr);
	if (ck.oom) {
		fprintf(stderr, "%s: selftest: out of memory\n", prog);
		goto out;
	}
	if (o->json) {
		if (print_json(cordon_policy_name(p), w.audit, &ck) < 0) {
			fprintf(stderr, "%s: selftest: cannot format the result as JSON\n", prog);
			goto out;
		}
	} else {
		print_table(cordon_policy_name(p), cordon_policy_file(p), w.audit, &ck);
	}
	rc = all_hold(&ck) ? 0 : EXIT_FAILED;
out:
	host_close(&h);
	json_decref(facts);
	free(arg);
	run_free(&pr);
	run_free(&rr);
	checks_free(&ck);
	want_free(&w);
	return rc;
}

int cordon_cli_selftest(int argc, char **argv, const char *policy_dir, int verbose)
{
	struct opts o = { .policy = "default", .policy_dir = policy_dir, .verbose = verbose };
	int rc = parse_options(argc, argv, &o);
	if (rc >= 0)
		return rc;
	struct cordon_load_options lo = { .size = sizeof(lo), .policy_dir = o.policy_dir, .verbose = o.verbose };
	char *err = NULL;
	cordon_policy *p = cordon_policy_load(o.policy, &lo, &err);
	if (!p) {
		fprintf(stderr, "%s: %s\n", prog, err ? err : "cannot load the policy");
		free(err);
		return CORDON_EXIT_ERROR;
	}
	rc = selftest(p, &o);
	cordon_policy_free(p);
	return rc;
}
