/*
 * core/checker.c - the check phase in a confined process.
 *
 * Check modules parse hostile source (a Python parser, regex engines, a
 * module of the user's own): that is attack surface, and it must not run
 * in the supervisor's process with its privileges, nor take the
 * supervisor down when it crashes.  The hooks run in a checker: a child of
 * the caller, forked with the policy's modules already opened, that before
 * it reads any source
 *
 *   1. closes every descriptor but its socket and stderr (logging),
 *   2. dies with its parent (PR_SET_PDEATHSIG),
 *   3. bounds its CPU time and address space (RLIMIT_CPU, RLIMIT_AS above
 *      what it already maps, RLIMIT_NOFILE, no core),
 *   4. as root, drops to uid/gid 65534 with no supplementary groups; in
 *      any case clears every capability,
 *   5. sets no_new_privs and loads a seccomp allow list (read and write on
 *      what it holds, memory management without PROT_EXEC, time, its own
 *      ids, exit, signals to itself): any other system call kills it.
 *
 * The parent sends a source (name, language, bytes) over a socket; the
 * checker runs check_hooks() on it and sends back, as a stream of records,
 * which hook it is entering (so a crash is blamed on the right module),
 * then the findings, warnings, error and each entry's verdict.  A checker
 * that dies, sends nonsense or does not answer within CHECK_TIMEOUT_MS is
 * killed and the source's check is an error (125), never a denial or a
 * pass: "pyimport crashed on x.py (SIGSEGV)".
 *
 * cordon_run checks in a checker of its own, ended before the program
 * starts: no run's checker has seen another run's source.  A caller may
 * start that checker ahead of the run (cordon_checker_start: the same
 * fork and confinement, off the run's path - cordon serve's spare
 * workers do) and give it to exactly one run; one that died while it
 * waited is found before the source is sent (reaped, or its socket
 * readable) or when the send fails, and a fresh checker takes the source
 * with a warning in the result.  cordon_check
 * keeps one checker per policy for its life (the CLI's `cordon check` of a
 * thousand files forks once): a source that could take over the checker
 * (a memory-safety bug in a check module) could then influence the
 * verdicts of later sources of the same policy object, though never
 * anything outside the checker's confinement.  A checker that failed is
 * replaced by a new one at the next source.
 *
 * What a check hook can still do: compute, allocate, log.  It cannot open
 * files (rule files are read at open, in the parent), and set_data in the
 * check phase is refused (nothing it stored would reach later phases).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/close_range.h>

#include <cordon/modutil.h>

#include "internal.h"

#define CHECK_TIMEOUT_MS 60000 /* one source, all its hooks */
#define CHECK_CPU_SECONDS 120 /* the checker's whole life (cordon_check: the whole batch) */
#define CHECK_AS_EXTRA (4ull << 30) /* address space beyond what the checker maps at start */
#define CHECK_MAX_RECORD (SOURCE_MAX_BYTES + 4096u)
#define CHECK_UNPRIVILEGED 65534

/* Parent -> checker: one request per source, a header then the name, the
 * language and the bytes.  Checker -> parent: one answer per source, a u32
 * length then records, each a type byte and its fields.  Which hook is
 * running is not a message: the checker stores the entry's index in a
 * page shared with the parent before it calls the hook, so a crash is
 * blamed on the right module without a system call per hook. */
enum {
	REC_FINDING = 'F', /* u8 severity, i64 line, i64 column, then strings module, rule, file, message */
	REC_WARNING = 'W', /* string */
	REC_DONE = 'D', /* i32 result, u64 dropped findings, u64 dropped warnings, i32 error exit,
	                   string error (empty: none), then per entry i32 code and f64 ms; last */
};

struct request_hdr {
	uint32_t magic;
	uint32_t flags; /* REQ_CHECK_FILE: a `cordon check` result (audit does not apply) */
	uint32_t name_len, lang_len;
	uint64_t data_len;
};
#define REQ_MAGIC 0x63686b31u /* "chk1" */
#define REQ_CHECK_FILE 1u

/* ---- I/O ---- */

/* Send all of iov (MSG_NOSIGNAL: a checker that died is an EPIPE here,
 * not a SIGPIPE for the caller's process).  0, or -1 with errno. */
static int send_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = (size_t)n };
		ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		cordon_iov_advance(&iov, &n, (size_t)w);
	}
	return 0;
}

static int read_full_fd(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EPIPE;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int put_u32(struct strbuf *sb, uint32_t v)
{
	return sb_append(sb, &v, sizeof(v));
}

static int put_str(struct strbuf *sb, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n > UINT32_MAX)
		n = UINT32_MAX;
	return put_u32(sb, (uint32_t)n) < 0 || sb_append(sb, s ? s : "", n) < 0 ? -1 : 0;
}

/* A cursor over a received answer. */
struct cur {
	const unsigned char *p, *end;
	bool bad;
};

static void get(struct cur *c, void *out, size_t n)
{
	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = true;
		memset(out, 0, n);
		return;
	}
	memcpy(out, c->p, n);
	c->p += n;
}

/* A string of the answer, malloc'd and NUL-terminated (NULL when bad). */
static char *get_str(struct cur *c)
{
	uint32_t n = 0;
	get(c, &n, sizeof(n));
	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = true;
		return NULL;
	}
	char *s = xstrndup((const char *)c->p, n);
	c->p += n;
	if (!s)
		c->bad = true;
	return s;
}

/* ---- the checker's side ---- */

/* The checker's exit status when it cannot even start confined. */
#define CHECKER_SETUP_FAILED 99
/* A checker started ahead: the byte it sends when its warm-up is done, and
 * what its progress page holds meanwhile. */
#define CHECKER_READY 'R'
#define CHECKER_WARMING (-2)

static int drop_privileges(void)
{
	if (geteuid() == 0 || getuid() == 0) {
		if (setgroups(0, NULL) < 0 || setresgid(CHECK_UNPRIVILEGED, CHECK_UNPRIVILEGED, CHECK_UNPRIVILEGED) < 0 ||
		    setresuid(CHECK_UNPRIVILEGED, CHECK_UNPRIVILEGED, CHECK_UNPRIVILEGED) < 0)
			return -1;
	}
	/* Whatever capabilities are left (file capabilities, an ambient
	 * set): none.  The raw call, so the core needs no libcap. */
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d) < 0)
		return -1;
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return 0;
}

static int set_limits(void)
{
	struct rlimit cpu = { CHECK_CPU_SECONDS, CHECK_CPU_SECONDS };
	struct rlimit none = { 0, 0 };
	struct rlimit files = { 16, 16 };
	/* No RLIMIT_FSIZE: stderr, where modules log, may be a file. */
	if (setrlimit(RLIMIT_CPU, &cpu) < 0 || setrlimit(RLIMIT_CORE, &none) < 0 ||
	    setrlimit(RLIMIT_NOFILE, &files) < 0)
		return -1;
	/* Address space: what is mapped now (the policy's compiled rules; a
	 * sanitizer's shadow, in sanitizer builds) plus a fixed budget. */
	unsigned long long size_pages = 0;
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	char buf[128];
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n > 0) {
		buf[n] = '\0';
		size_pages = strtoull(buf, NULL, 10);
	}
	if (!size_pages)
		return 0; /* no /proc: the CPU limit and the parent's timeout still hold */
	unsigned long long as = size_pages * (unsigned long long)sysconf(_SC_PAGESIZE) + CHECK_AS_EXTRA;
	struct rlimit mem = { (rlim_t)as, (rlim_t)as };
	return setrlimit(RLIMIT_AS, &mem);
}

#if defined(__x86_64__)
#define CHECK_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define CHECK_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#define LD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
#define ALLOW_NR(name) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_##name, 0, 1), BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/*
 * The allow list.  mmap and mprotect only without PROT_EXEC (JIT code was
 * made at open, in the parent); tgkill only to this process (abort());
 * everything else kills the whole checker.
 */
static int load_filter(pid_t self)
{
#ifdef CHECK_AUDIT_ARCH
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, CHECK_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		LD_NR,
#if defined(__x86_64__)
		/* x32 system calls (bit 30) are another ABI: refused. */
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
#endif
		ALLOW_NR(read),
		ALLOW_NR(write),
		ALLOW_NR(readv),
		ALLOW_NR(writev),
		ALLOW_NR(close),
		ALLOW_NR(munmap),
		ALLOW_NR(mremap),
		ALLOW_NR(brk),
		ALLOW_NR(madvise),
		ALLOW_NR(futex),
		ALLOW_NR(clock_gettime),
		ALLOW_NR(gettimeofday),
		ALLOW_NR(getpid),
		ALLOW_NR(gettid),
		ALLOW_NR(getuid),
		ALLOW_NR(geteuid),
		ALLOW_NR(getgid),
		ALLOW_NR(getegid),
		ALLOW_NR(rt_sigprocmask),
		ALLOW_NR(sysinfo), /* glibc's qsort sizes its buffer by the machine's memory */
		ALLOW_NR(rt_sigreturn),
		ALLOW_NR(exit),
		ALLOW_NR(exit_group),
		/* mmap, mprotect: not executable. */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mprotect, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		/* tgkill(self, ...): abort() raising SIGABRT on itself. */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_tgkill, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)self, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	struct sock_fprog prog = { .len = (unsigned short)ARRAY_SIZE(f), .filter = f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
#else
	(void)self;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
#endif
}

/* The answer for one source: its findings, new warnings and the verdicts,
 * as one frame. */
static int answer(int fd, cordon_policy *p, const cordon_result *r, size_t warn0, int res,
                  const struct check_out *out)
{
	struct strbuf sb = { 0 };
	int bad = put_u32(&sb, 0); /* the length, filled in last */
	for (size_t i = 0; !bad && i < r->n_findings; i++) {
		const struct finding *f = &r->findings[i];
		uint8_t sev = (uint8_t)f->severity;
		int64_t line = f->line, col = f->column;
		bad = sb_append(&sb, "F", 1) < 0 || sb_append(&sb, &sev, 1) < 0 || sb_append(&sb, &line, 8) < 0 ||
		      sb_append(&sb, &col, 8) < 0 || put_str(&sb, f->module) < 0 || put_str(&sb, f->rule) < 0 ||
		      put_str(&sb, f->file) < 0 || put_str(&sb, f->message) < 0;
	}
	for (size_t i = warn0; !bad && i < r->warnings.n; i++)
		bad = sb_append(&sb, "W", 1) < 0 || put_str(&sb, r->warnings.v[i]) < 0;
	int32_t res32 = res, exit32 = r->status == ST_ERROR ? r->error_exit : 0;
	uint64_t df = r->dropped_findings, dw = r->dropped_warnings;
	bad = bad || sb_append(&sb, "D", 1) < 0 || sb_append(&sb, &res32, 4) < 0 || sb_append(&sb, &df, 8) < 0 ||
	      sb_append(&sb, &dw, 8) < 0 || sb_append(&sb, &exit32, 4) < 0 ||
	      put_str(&sb, r->status == ST_ERROR ? r->error : "") < 0;
	for (size_t i = 0; !bad && i < p->n_stack; i++) {
		int32_t code = out[i].code;
		double ms = out[i].ms;
		bad = sb_append(&sb, &code, 4) < 0 || sb_append(&sb, &ms, sizeof(ms)) < 0;
	}
	if (!bad && sb.len - 4 > CHECK_MAX_RECORD)
		bad = 1; /* more than the parent takes: an error there */
	if (!bad) {
		uint32_t len = (uint32_t)(sb.len - 4);
		memcpy(sb.data, &len, 4);
		/* write, not sendmsg: the filter allows read and write only (a
		 * parent that went away ends the checker by SIGPIPE: fine). */
		for (size_t off = 0; !bad && off < sb.len;) {
			ssize_t w = write(fd, sb.data + off, sb.len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				bad = 1;
			else
				off += (size_t)w;
		}
	}
	sb_free(&sb);
	return bad ? -1 : 0;
}

/* A checker started ahead (cordon_checker_start) checks a short fixed
 * source of the policy's language once before it waits, and drops what
 * that found: the pages the check hooks use (the parser's arenas, the
 * scanners' match data) are then its own already, so that the first
 * touch of each - a copy of the page in a forked process, costly on some
 * hosts - is not on the real check's path.  The source is named
 * CORDON_WARMUP_SOURCE (module.h), so that a module can tell it apart. */
static void checker_warm(cordon_policy *p, struct check_out *out)
{
	static const struct {
		const char *lang, *text;
	} snippets[] = {
		{ "python", "import math\nx = [math.sqrt(i) for i in range(3)]\nprint(\"%s\" % x, {'a': 1}.get('a'))\n" },
		{ "javascript", "const x = [1, 2, 3].map((i) => Math.sqrt(i));\nconsole.log(`${x}`, {a: 1}.a);\n" },
		{ "shell", "x=$(printf '%s' abc)\nfor i in 1 2 3; do echo \"$x $i\"; done\n" },
		{ "java", "public class Main { public static void main(String[] a) { System.out.println(Math.sqrt(2)); } }\n" },
	};
	const char *lang = cordon_policy_language(p);
	for (size_t i = 0; lang && i < ARRAY_SIZE(snippets); i++) {
		if (strcmp(lang, snippets[i].lang) != 0)
			continue;
		cordon_result *r = result_new(p);
		if (!r)
			return;
		struct run run;
		memset(&run, 0, sizeof(run));
		run.policy = p;
		run.result = r;
		char name[] = CORDON_WARMUP_SOURCE;
		struct source src = { .name = name, .map = (const unsigned char *)snippets[i].text,
			              .len = strlen(snippets[i].text), .language = lang, .fd = -1, .rofd = -1,
			              .borrowed = true };
		(void)check_hooks(&run, &src, out);
		cordon_result_free(r);
	}
}

/* Serve requests until the parent closes the socket. */
static void checker_serve(cordon_policy *p, int fd, volatile int32_t *progress, bool warm)
{
	struct check_out *out = calloc(p->n_stack ? p->n_stack : 1, sizeof(*out));
	if (!out)
		_exit(CHECKER_SETUP_FAILED);
	if (warm) {
		/* Warming up: the page says so (a crash here is not blamed on
		 * a source), then CHECKER_READY tells the parent it may send. */
		*progress = CHECKER_WARMING;
		checker_warm(p, out);
		*progress = -1;
		char ready = CHECKER_READY;
		ssize_t w;
		while ((w = write(fd, &ready, 1)) < 0 && errno == EINTR)
			;
		if (w != 1)
			_exit(CHECKER_SETUP_FAILED);
	}
	p->checker_progress = progress;
	for (;;) {
		struct request_hdr h;
		if (read_full_fd(fd, &h, sizeof(h)) < 0)
			_exit(0); /* the parent is done */
		if (h.magic != REQ_MAGIC || h.name_len > PATH_MAX * 4 || h.lang_len > 64 || h.data_len > SOURCE_MAX_BYTES)
			_exit(CHECKER_SETUP_FAILED);
		/* One buffer: name, NUL, language, NUL, bytes. */
		size_t total = (size_t)h.name_len + 1 + h.lang_len + 1 + (size_t)h.data_len;
		char *buf = malloc(total);
		if (!buf || read_full_fd(fd, buf, h.name_len) < 0 ||
		    read_full_fd(fd, buf + h.name_len + 1, h.lang_len) < 0 ||
		    read_full_fd(fd, buf + h.name_len + h.lang_len + 2, (size_t)h.data_len) < 0)
			_exit(CHECKER_SETUP_FAILED);
		char *name = buf, *lang = buf + h.name_len + 1;
		name[h.name_len] = '\0';
		lang[h.lang_len] = '\0';
		const unsigned char *data = (const unsigned char *)lang + h.lang_len + 1;

		cordon_result *r = result_new(p);
		if (!r)
			_exit(CHECKER_SETUP_FAILED);
		if (h.flags & REQ_CHECK_FILE)
			r->check_file = xstrdup(name);
		size_t warn0 = r->warnings.n;
		struct run run;
		memset(&run, 0, sizeof(run));
		run.policy = p;
		run.result = r;
		struct source src = { .name = name, .map = h.data_len ? data : NULL, .len = (size_t)h.data_len,
			              .language = h.lang_len ? lang : NULL, .fd = -1, .rofd = -1, .borrowed = true };
		int res = check_hooks(&run, &src, out);
		*progress = -1;
		if (answer(fd, p, r, warn0, res, out) < 0)
			_exit(CHECKER_SETUP_FAILED);
		cordon_result_free(r);
		free(buf);
	}
}

void checker_announce(cordon_policy *p, size_t entry)
{
	if (p->checker_progress)
		*p->checker_progress = (int32_t)entry;
}

static int checker_start(cordon_policy *p, struct checker *c, bool warm, char **why)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		*why = xasprintf("cannot start the checker: socketpair: %s", strerror(errno));
		return -1;
	}
	/* The page where the checker says which hook runs. */
	void *page = mmap(NULL, sizeof(int32_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		*why = xasprintf("cannot start the checker: mmap: %s", strerror(e));
		return -1;
	}
	volatile int32_t *progress = page;
	*progress = -1;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		munmap(page, sizeof(int32_t));
		*why = xasprintf("cannot start the checker: fork: %s", strerror(e));
		return -1;
	}
	if (pid == 0) {
		/* The checker: confined before it reads any source. */
		int fd = sv[1];
		sigset_t none;
		sigemptyset(&none);
		for (int s = 1; s < NSIG; s++)
			if (s != SIGKILL && s != SIGSTOP)
				(void)signal(s, SIG_DFL);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(CHECKER_SETUP_FAILED);
		/* Descriptors: 0 and 1 become /dev/null, 2 stays (logging), the
		 * socket moves to 3, everything else closes. */
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0)
			_exit(CHECKER_SETUP_FAILED);
		if (fd != 3 && dup2(fd, 3) < 0)
			_exit(CHECKER_SETUP_FAILED);
		fd = 3;
		if (syscall(SYS_close_range, 4, ~0u, 0) < 0) {
			for (int i = 4; i < 65536; i++)
				close(i);
		}
		if (set_limits() < 0 || drop_privileges() < 0 || load_filter(getpid()) < 0)
			_exit(CHECKER_SETUP_FAILED);
		checker_serve(p, fd, progress, warm);
		_exit(0);
	}
	close(sv[1]);
	c->pid = pid;
	c->owner = parent;
	c->fd = sv[0];
	c->progress = progress;
	c->pooled = false;
	c->warm = warm;
	return 0;
}

/* ---- the parent's side ---- */

/* A checker this process did not start (it was forked from the process
 * that did, a policy's checker copied with its memory: cordon serve's
 * workers hold the service's): not its to use, end or reap - another
 * process's checker may hold other callers' sources and answers.  This
 * process's copies of its descriptor and page are let go.  True when it
 * was such a one (c is then empty). */
static bool checker_disown_inherited(struct checker *c)
{
	if (c->pid <= 0 || c->owner == getpid())
		return false;
	if (c->fd >= 0)
		close(c->fd);
	if (c->progress)
		munmap((void *)c->progress, sizeof(int32_t));
	*c = (struct checker){ .pid = -1, .fd = -1 };
	return true;
}

/* End the checker: closing its socket ends a healthy one; one that does
 * not end at once is killed.  *wstatus: how it ended (0 if unknown). */
static void checker_end(struct checker *c, int *wstatus)
{
	if (checker_disown_inherited(c)) {
		if (wstatus)
			*wstatus = 0;
		return;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	int st = 0;
	pid_t w = 0;
	if (c->pid > 0) {
		/* It ends as soon as it reads the end of its socket: wait for
		 * that on a pidfd (woken the moment it exits), up to 100 ms;
		 * where there is none, poll in steps that start short. */
		w = waitpid(c->pid, &st, WNOHANG);
		int pfd = w == 0 ? (int)syscall(SYS_pidfd_open, c->pid, 0) : -1;
		if (pfd >= 0) {
			struct pollfd pf = { .fd = pfd, .events = POLLIN };
			double deadline = now_ms() + 100;
			while (w == 0) {
				double left = deadline - now_ms();
				if (left <= 0)
					break;
				int n = poll(&pf, 1, (int)left + 1);
				if (n < 0 && errno != EINTR)
					break;
				w = waitpid(c->pid, &st, WNOHANG);
			}
			close(pfd);
		}
		long step_ns = 50000;
		for (long waited = 0; w == 0 && pfd < 0 && waited < 100000000; waited += step_ns) {
			struct timespec d = { 0, step_ns };
			nanosleep(&d, NULL);
			w = waitpid(c->pid, &st, WNOHANG);
			if (step_ns < 2000000)
				step_ns *= 2;
		}
		if (w == 0) {
			kill(c->pid, SIGKILL);
			while ((w = waitpid(c->pid, &st, 0)) < 0 && errno == EINTR)
				;
		}
	}
	if (wstatus)
		*wstatus = w == c->pid ? st : 0;
	if (c->progress)
		munmap((void *)c->progress, sizeof(int32_t));
	*c = (struct checker){ .pid = -1, .fd = -1 };
}

void checker_init(struct checker *c)
{
	*c = (struct checker){ .pid = -1, .fd = -1 };
}

void checker_stop(struct checker *c)
{
	if (c->pid > 0)
		checker_end(c, NULL);
}

void checker_release(struct checker *c)
{
	if (checker_disown_inherited(c))
		return;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	/* One started ahead that was never sent a source (a run with none)
	 * holds nothing of the run's: killed now, reaped when the run ends,
	 * so that its exit is not on the run's path. */
	if (c->pooled && c->pid > 0)
		kill(c->pid, SIGKILL);
}

/* Read len bytes by the deadline (now_ms time), or until cancel_fd fires:
 * 1 read, 0 timed out, -2 cancelled, -1 error or end of stream. */
static int read_by(int fd, void *buf, size_t len, double deadline, int cancel_fd)
{
	char *p = buf;
	while (len) {
		double now = now_ms();
		if (now >= deadline)
			return 0;
		struct pollfd pf[2] = { { .fd = fd, .events = POLLIN }, { .fd = cancel_fd, .events = POLLIN } };
		int n = poll(pf, cancel_fd >= 0 ? 2 : 1, (int)(deadline - now) + 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (cancel_fd >= 0 && (pf[1].revents & (POLLIN | POLLHUP)))
			return -2;
		if (cancel_fd >= 0 && (pf[1].revents & (POLLNVAL | POLLERR)))
			cancel_fd = -1; /* not a descriptor to watch: no cancellation */
		if (!pf[0].revents)
			continue;
		ssize_t got = read(fd, p, len);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got <= 0)
			return -1;
		p += got;
		len -= (size_t)got;
	}
	return 1;
}

static const char *signal_text(int sig, char *buf, size_t len)
{
	const char *a = sigabbrev_np(sig);
	if (a)
		snprintf(buf, len, "SIG%s", a);
	else
		snprintf(buf, len, "signal %d", sig);
	return buf;
}

/* Take one answer into the result and out[]: the check's result, or -1
 * when the answer is malformed. */
static int take_answer(struct run *run, const unsigned char *a, size_t len, struct check_out *out)
{
	cordon_policy *p = run->policy;
	cordon_result *r = run->result;
	struct cur c = { a, a + len, false };
	while (!c.bad && c.p < c.end) {
		char type = (char)*c.p++;
		if (type == REC_FINDING) {
			uint8_t sev = 0;
			int64_t line = 0, col = 0;
			get(&c, &sev, 1);
			get(&c, &line, 8);
			get(&c, &col, 8);
			char *mod = get_str(&c), *rule = get_str(&c), *file = get_str(&c), *msg = get_str(&c);
			if (!c.bad && sev <= CORDON_SEV_CRITICAL)
				result_add_finding(r, mod, rule, (enum cordon_severity)sev, (long)line, (long)col, file, msg);
			else
				c.bad = true;
			free(mod);
			free(rule);
			free(file);
			free(msg);
		} else if (type == REC_WARNING) {
			char *w = get_str(&c);
			if (!c.bad)
				result_warn(r, "%s", w);
			free(w);
		} else if (type == REC_DONE) {
			int32_t res32 = 0, exit32 = 0;
			uint64_t df = 0, dw = 0;
			get(&c, &res32, 4);
			get(&c, &df, 8);
			get(&c, &dw, 8);
			get(&c, &exit32, 4);
			char *err = get_str(&c);
			for (size_t i = 0; i < p->n_stack && !c.bad; i++) {
				int32_t code = 0;
				double ms = 0;
				get(&c, &code, 4);
				get(&c, &ms, sizeof(ms));
				if (code < CHECK_NOT_RUN || code > CORDON_ERROR || !(ms >= 0 && ms < 1e12))
					c.bad = true;
				out[i] = (struct check_out){ .code = code, .ms = ms };
			}
			bool ok = !c.bad && c.p == c.end && (res32 == CORDON_PASS || res32 == CORDON_DENY ||
			                                    res32 == CORDON_ERROR);
			if (ok) {
				r->dropped_findings += df;
				r->dropped_warnings += dw;
				if (res32 == CORDON_ERROR)
					result_set_error(r, exit32 == CORDON_EXIT_NOTFOUND ? exit32 : CORDON_EXIT_ERROR, "%s",
					                 err && *err ? err : "a module could not check the source");
			}
			free(err);
			return ok ? res32 : -1;
		} else {
			c.bad = true;
		}
	}
	return -1; /* no end record */
}

/* Send one request (header, name, language, bytes): 0, or -1 with errno. */
static int send_request(struct checker *c, const struct request_hdr *h, const struct source *src, const char *lang)
{
	struct request_hdr copy = *h;
	struct iovec iov[4] = {
		{ &copy, sizeof(copy) },
		{ (void *)src->name, h->name_len },
		{ (void *)lang, h->lang_len },
		{ (void *)src->map, src->len },
	};
	return send_all(c->fd, iov, src->len ? 4 : 3);
}

/* A checker started ahead, before its first request: still there, and
 * silent (a checker speaks only to answer; its socket readable or hung up
 * means it has ended or is not the process that was confined).  One that
 * ended is reaped here (c->pid -1); one that is not our child any more
 * (reaped by someone else) counts as ended. */
static bool pooled_usable(struct checker *c)
{
	if (c->pid <= 0 || c->fd < 0)
		return false;
	int st = 0;
	pid_t w = waitpid(c->pid, &st, WNOHANG);
	if (w != 0) {
		if (w == c->pid || (w < 0 && errno == ECHILD))
			c->pid = -1; /* nothing left to reap */
		return false;
	}
	struct pollfd pf = { .fd = c->fd, .events = POLLIN };
	int n;
	while ((n = poll(&pf, 1, 0)) < 0 && errno == EINTR)
		;
	return n == 0;
}

/*
 * One source through the checker *c (started when not running).  Returns
 * as check_phase; -2 when cancel_fd fired (nothing decided).
 */
static int checker_check(struct run *run, const struct source *src, struct checker *c, int cancel_fd,
                         struct check_out *out)
{
	cordon_policy *p = run->policy;
	cordon_result *r = run->result;
	char *why = NULL;
	for (size_t i = 0; i < p->n_stack; i++)
		out[i] = (struct check_out){ .code = CHECK_NO_HOOK };
	checker_disown_inherited(c); /* a fresh one of this process's own is started below */
	pid_t ahead = c->pid;
	if (c->pid > 0 && c->warm) {
		/* Started ahead: its warm-up must have ended (CHECKER_READY)
		 * before a source is sent, within the check's time. */
		char b = 0;
		int got = read_by(c->fd, &b, 1, now_ms() + CHECK_TIMEOUT_MS, cancel_fd);
		if (got == -2) {
			checker_end(c, NULL);
			return -2;
		}
		c->warm = false;
		/* Ended (its socket hung up): told below, as one that ended
		 * while it waited; silent or saying something else: ended here. */
		if (got == 0 || (got == 1 && b != CHECKER_READY)) {
			result_warn(r, "the checker started ahead of this %s (pid %d) did not finish its warm-up: a fresh "
			               "checker checked the sources",
			            r->check_file ? "check" : "run", (int)ahead);
			checker_end(c, NULL);
		}
	}
	if (c->pooled && !pooled_usable(c)) {
		result_warn(r, "the checker started ahead of this run (pid %d) had ended before it was used: a fresh "
		               "checker checked the sources", (int)ahead);
		checker_end(c, NULL);
	}
	if (c->pid <= 0 && checker_start(p, c, false, &why) < 0) {
		result_set_error(r, CORDON_EXIT_ERROR, "%s: nothing was checked", why ? why : "cannot start the checker");
		free(why);
		return CORDON_ERROR;
	}
	const char *lang = src->language ? src->language : "";
	struct request_hdr h = {
		.magic = REQ_MAGIC,
		.flags = r->check_file ? REQ_CHECK_FILE : 0,
		.name_len = (uint32_t)strlen(src->name),
		.lang_len = (uint32_t)strlen(lang),
		.data_len = src->len,
	};
	const char *failure = NULL;
	unsigned char *a = NULL;
	uint32_t len = 0;
	int res = -1;
	double deadline = now_ms() + CHECK_TIMEOUT_MS;
	int sent = send_request(c, &h, src, lang);
	if (sent < 0 && c->pooled) {
		/* A checker started ahead that went away before it had the
		 * whole request (killed while it waited): no hook saw the
		 * source; a fresh checker takes it. */
		result_warn(r, "the checker started ahead of this run (pid %d) went away before it was used: a fresh "
		               "checker checked the sources", (int)c->pid);
		checker_end(c, NULL);
		if (checker_start(p, c, false, &why) < 0) {
			result_set_error(r, CORDON_EXIT_ERROR, "%s: nothing was checked",
			                 why ? why : "cannot start the checker");
			free(why);
			return CORDON_ERROR;
		}
		sent = send_request(c, &h, src, lang);
	}
	c->pooled = false; /* it has (or may have) this run's source now: never another's */
	if (sent < 0) {
		failure = "the checker went away";
	} else {
		int got = read_by(c->fd, &len, sizeof(len), deadline, cancel_fd);
		if (got == 1 && len > CHECK_MAX_RECORD)
			failure = "the checker sent a malformed answer";
		else if (got == 1 && !(a = malloc(len ? len : 1)))
			failure = "out of memory";
		else if (got == 1)
			got = read_by(c->fd, a, len, deadline, cancel_fd);
		if (got == -2) {
			free(a);
			checker_end(c, NULL);
			return -2;
		}
		if (!failure && got == 0)
			failure = "timeout";
		else if (!failure && got < 0)
			failure = "the checker went away";
		else if (!failure && (res = take_answer(run, a, len, out)) < 0)
			failure = "the checker sent a malformed answer";
	}
	free(a);
	if (!failure)
		return res;

	/* The checker failed: it is ended, and the check is an error. */
	long last = c->progress ? *c->progress : -1;
	if (last >= (long)p->n_stack)
		last = -1;
	int wstatus = 0;
	bool timeout = strcmp(failure, "timeout") == 0;
	if (timeout && c->pid > 0)
		kill(c->pid, SIGKILL);
	checker_end(c, &wstatus);
	const char *who = last >= 0 ? p->stack[last].lm.m->name : "the checker";
	char sigbuf[32];
	if (timeout)
		result_set_error(r, CORDON_EXIT_ERROR, "%s did not finish checking %s within %d s: nothing was run", who,
		                 src->name, CHECK_TIMEOUT_MS / 1000);
	else if (WIFSIGNALED(wstatus))
		result_set_error(r, CORDON_EXIT_ERROR, "%s crashed on %s (%s%s): nothing was run", who, src->name,
		                 signal_text(WTERMSIG(wstatus), sigbuf, sizeof(sigbuf)),
		                 WTERMSIG(wstatus) == SIGSYS ? ", a system call the checker does not allow" : "");
	else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == CHECKER_SETUP_FAILED && last < 0)
		result_set_error(r, CORDON_EXIT_ERROR,
		                 "the checker could not be confined or could not take %s: nothing was run", src->name);
	else
		result_set_error(r, CORDON_EXIT_ERROR, "%s failed on %s (%s, %s %d): nothing was run", who, src->name,
		                 failure, WIFEXITED(wstatus) ? "exit status" : "wait status",
		                 WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : wstatus);
	for (size_t i = 0; i < p->n_stack; i++) {
		out[i] = (struct check_out){ .code = CHECK_NO_HOOK };
		if (MODULE_HOOK(p->stack[i].lm.m, check))
			out[i].code = (long)i == last ? CORDON_ERROR : CHECK_NOT_RUN;
	}
	return CORDON_ERROR;
}

int check_phase(struct run *run, const struct source *src)
{
	cordon_policy *p = run->policy;
	bool any = false;
	for (size_t i = 0; i < p->n_stack && !any; i++)
		any = MODULE_HOOK(p->stack[i].lm.m, check) != NULL;
	if (!any)
		return CORDON_PASS;
	struct check_out *out = calloc(p->n_stack, sizeof(*out));
	if (!out) {
		result_set_error(run->result, CORDON_EXIT_ERROR, "out of memory");
		return CORDON_ERROR;
	}
	int res;
	if (run->result->check_file)
		/* cordon_check: the policy's checker, kept from source to source;
		 * cordon_check_with: the caller's. */
		res = checker_check(run, src, run->check_with ? run->check_with : &p->checker, -1, out);
	else
		/* cordon_run: a checker of the run's own, for all its sources. */
		res = checker_check(run, src, &run->checker, run->cancel_fd, out);
	if (res != -2)
		check_merge(p, out);
	free(out);
	return res;
}

/* ---- checkers started ahead of a run (cordon.h, ABI 1.6) ---- */

struct cordon_checker {
	cordon_policy *policy; /* the policy it was forked with */
	pid_t owner; /* the process that forked it (its parent) */
	struct checker c;
};

static bool has_check_hooks(const cordon_policy *p)
{
	for (size_t i = 0; i < p->n_stack; i++)
		if (MODULE_HOOK(p->stack[i].lm.m, check))
			return true;
	return false;
}

cordon_checker *cordon_checker_start(cordon_policy *p, char **err)
{
	if (err)
		*err = NULL;
	if (!p)
		return set_err(err, "cordon_checker_start: no policy"), NULL;
	if (p->closed)
		return set_err(err, "cordon_checker_start: the policy was closed (cordon_policy_close)"), NULL;
	cordon_checker *h = calloc(1, sizeof(*h));
	if (!h)
		return set_err(err, "out of memory"), NULL;
	h->policy = p;
	h->owner = getpid();
	checker_init(&h->c);
	if (!has_check_hooks(p))
		return h; /* nothing to check: no process */
	char *why = NULL;
	if (checker_start(p, &h->c, true, &why) < 0) {
		set_err(err, "%s", why ? why : "cannot start the checker");
		free(why);
		free(h);
		return NULL;
	}
	h->c.pooled = true;
	return h;
}

void cordon_checker_free(cordon_checker *h)
{
	if (!h)
		return;
	/* A copy in a forked child is not ours to end or reap: checker_stop
	 * then only lets go of our descriptor and mapping
	 * (checker_disown_inherited). */
	checker_stop(&h->c);
	free(h);
}

int cordon_checker_pid(const cordon_checker *h)
{
	return h && h->c.pid > 0 ? (int)h->c.pid : 0;
}

/* Why a handle cannot serve policy p in this process, or NULL. */
static const char *handle_unusable(const cordon_checker *h, const cordon_policy *p)
{
	if (h->policy != p)
		return "it was started for another policy object";
	if (h->owner != getpid())
		return "it was started by another process";
	return NULL;
}

/* cordon_check_with: the caller's checker for this check, or NULL and
 * *why when it cannot serve (the check is then an error: the caller asked
 * for its sources to be kept apart, and the policy's own checker, shared by
 * every cordon_check of the policy, would not keep them so). */
struct checker *checker_for_check(cordon_policy *p, cordon_checker *h, const char **why)
{
	*why = handle_unusable(h, p);
	return *why ? NULL : &h->c;
}

void checker_adopt(struct run *run, cordon_checker *h)
{
	if (!h)
		return;
	const char *why = handle_unusable(h, run->policy);
	if (!why && run->checker.pid > 0)
		why = "the run has a checker already";
	if (why) {
		if (h->c.pid > 0)
			result_warn(run->result, "the checker given to this run was not used (%s): a fresh checker checks "
			                         "the sources", why);
		cordon_checker_free(h);
		return;
	}
	run->checker = h->c;
	free(h);
}
