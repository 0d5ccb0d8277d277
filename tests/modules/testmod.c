/*
 * tests/modules/testmod.c - a test-only module whose behaviour in each phase
 * the test sets through its arguments.  Built several times under different
 * names (tm_a, tm_b, tm_c; tm_req with a required argument) so one policy can
 * stack several.  Never installed.
 *
 *   with:
 *     verdict: pass|deny|ignore|error|bogus   what check returns (bogus: 42; warmcrash: crashes on a
 *                                              checker's warm-up source, else as pid)
 *              crash|syscall|whoami|pid        check crashes, makes a system call the
 *                                              checker refuses, reports its ids and fds,
 *                                              or the checker's process id (a finding "pid", and
 *                                              "seen": the sources it checked before)
 *     findings: N                              findings check reports
 *     log: PATH                                append "NAME PHASE" per hook run
 *     open: ok|fail                            open fails with a policy error
 *     prepare: ok|fail|wrap|setenv|wall
 *     confine: ok|fail|note|crash|exit|leakfd|sleep   (sleep: 3 s between fork and exec)
 *     filter: none|upper|fail|hold|tag
 *     finish: ok|fail
 *     nested: {a: ..., b: ...}                 checked with node_check_keys
 *     size: SIZE   duration: DURATION   flag: BOOL   count: INT   names: [..]
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cordon/module.h>

#ifndef TM_NAME
#define TM_NAME "testmod"
#endif

#ifdef TM_REQUIRED
#define REQ CORDON_ARG_REQUIRED
#else
#define REQ 0
#endif

struct state {
	char verdict[16];
	long findings;
	char log[512];
	char prepare[16];
	char confine[16];
	char filter[16];
	char finish[16];
	char confine_line[64];
	int passed; /* prepare=pass: the child's end of a pipe (its number in the child) */
	int watched; /* prepare=pass: the parent's end, watched */
	int watch_calls;
	char peek[64]; /* prepare: get_data of this name, reported as a warning */
};

static const struct cordon_arg args[] = {
	{ "verdict", CORDON_ARG_STRING, 0, 0, 0, "what check returns" },
	{ "findings", CORDON_ARG_INT, 0, 0, 100, "findings to report" },
	{ "log", CORDON_ARG_STRING, 0, 0, 0, "file to log hook calls to" },
	{ "open", CORDON_ARG_STRING, 0, 0, 0, "ok or fail" },
	{ "prepare", CORDON_ARG_STRING, 0, 0, 0, "ok, fail, wrap, setenv, wall, pass, passmany, watchbad, dirs, keepfd, abort" },
	{ "confine", CORDON_ARG_STRING, 0, 0, 0, "ok, fail, note, crash, exit, leakfd, sleep" },
	{ "filter", CORDON_ARG_STRING, 0, 0, 0, "none, upper, fail, hold, tag" },
	{ "finish", CORDON_ARG_STRING, 0, 0, 0, "ok, fail, limit (name memory as the limit), badlimit" },
	{ "nested", CORDON_ARG_MAPPING, 0, 0, 0, "mapping with keys a and b" },
	{ "size", CORDON_ARG_SIZE, 0, 1024, 1048576, "a size between 1K and 1M" },
	{ "duration", CORDON_ARG_DURATION, 0, 1000000, 60000000000, "a duration between 1ms and 60s" },
	{ "flag", CORDON_ARG_BOOL, 0, 0, 0, "a boolean" },
	{ "count", CORDON_ARG_INT, REQ, -5, 5, "an integer between -5 and 5" },
	{ "names", CORDON_ARG_STRINGS, 0, 0, 0, "a string or a list" },
	{ "share", CORDON_ARG_STRING, 0, 0, 0, "NAME=VALUE: set_data at open" },
	{ "peek", CORDON_ARG_STRING, 0, 0, 0, "NAME: get_data at prepare, shown as a warning" },
	{ NULL, 0, 0, 0, 0, NULL },
};

static void log_phase(const struct state *s, const char *phase)
{
	if (!s->log[0])
		return;
	FILE *f = fopen(s->log, "a");
	if (!f)
		return;
	fprintf(f, "%s %s\n", TM_NAME, phase);
	fclose(f);
}

static int copy_arg(cordon_ctx *ctx, const char *name, char *dst, size_t cap, const char *def)
{
	const cordon_node *n = cordon_arg(ctx, name);
	const char *v = n ? cordon_api(ctx)->node_scalar(n, NULL) : def;
	if (!v || strlen(v) >= cap)
		return cordon_error(ctx, n, "%s: too long", name);
	strcpy(dst, v);
	return 0;
}

static int tm_open(cordon_ctx *ctx, void **statep)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	struct state *s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	s->passed = -1;
	s->watched = -1;
	*statep = s;
	if (copy_arg(ctx, "verdict", s->verdict, sizeof(s->verdict), "pass") < 0 ||
	    copy_arg(ctx, "log", s->log, sizeof(s->log), "") < 0 ||
	    copy_arg(ctx, "prepare", s->prepare, sizeof(s->prepare), "ok") < 0 ||
	    copy_arg(ctx, "confine", s->confine, sizeof(s->confine), "ok") < 0 ||
	    copy_arg(ctx, "filter", s->filter, sizeof(s->filter), "none") < 0 ||
	    copy_arg(ctx, "finish", s->finish, sizeof(s->finish), "ok") < 0)
		return -1;
	snprintf(s->confine_line, sizeof(s->confine_line), "%s confine\n", TM_NAME);
	const cordon_node *n = cordon_arg(ctx, "findings");
	if (n) {
		int64_t v;
		if (api->node_int(ctx, n, &v) < 0)
			return -1;
		s->findings = (long)v;
	}
	n = cordon_arg(ctx, "nested");
	if (n) {
		static const char *const keys[] = { "a", "b", NULL };
		if (api->node_check_keys(ctx, n, keys) < 0)
			return -1;
	}
	n = cordon_arg(ctx, "open");
	if (n && strcmp(api->node_scalar(n, NULL), "fail") == 0)
		return cordon_error(ctx, n, "open: failing as asked");
	static const char *const verdicts[] = { "pass", "deny", "ignore", "error", "bogus", "crash", "syscall", "whoami", "pid",
		                                "warmcrash" };
	bool known = false;
	for (size_t i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++)
		known |= strcmp(s->verdict, verdicts[i]) == 0;
	if (!known)
		return cordon_error(ctx, cordon_arg(ctx, "verdict"),
		                    "verdict: expected pass, deny, ignore, error, bogus, crash, syscall, whoami, pid or warmcrash");
	if (copy_arg(ctx, "peek", s->peek, sizeof(s->peek), "") < 0)
		return -1;
	n = cordon_arg(ctx, "share");
	if (n) {
		const char *kv = api->node_scalar(n, NULL);
		const char *eq = strchr(kv, '=');
		if (!eq || eq == kv)
			return cordon_error(ctx, n, "share: expected NAME=VALUE");
		char name[64];
		if ((size_t)(eq - kv) >= sizeof(name))
			return cordon_error(ctx, n, "share: name too long");
		memcpy(name, kv, (size_t)(eq - kv));
		name[eq - kv] = '\0';
		if (!CORDON_API_HAS(ctx, set_data) || api->set_data(ctx, name, eq + 1, strlen(eq + 1)) < 0)
			return cordon_error(ctx, n, "share: set_data failed");
	}
	log_phase(s, "open");
	if (cordon_audit_mode(ctx))
		log_phase(s, "audit");
	return 0;
}

static int tm_check(cordon_ctx *ctx, void *state, const struct cordon_source *src)
{
	struct state *s = state;
	/* The check hook runs in the confined checker, which cannot open the
	 * log: it says that it ran through the result instead. */
	if (s->log[0])
		cordon_warning(ctx, "trace: %s check", TM_NAME);
	if (strcmp(s->verdict, "crash") == 0)
		raise(SIGSEGV);
	if (strcmp(s->verdict, "warmcrash") == 0) {
		/* Crashes on a checker's warm-up source only; else as pid. */
		if (src->name && strcmp(src->name, CORDON_WARMUP_SOURCE) == 0)
			raise(SIGSEGV);
		cordon_finding(ctx, "pid", CORDON_SEV_INFO, 0, 0, "%d", (int)getpid());
		return CORDON_PASS;
	}
	if (strcmp(s->verdict, "syscall") == 0) {
		/* Opening a file is not in the checker's allow list. */
		int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
		return CORDON_PASS;
	}
	if (strcmp(s->verdict, "whoami") == 0) {
		/* What a hostile source that took over a check module would
		 * hold: its ids, and which descriptors are open. */
		/* Zero-length reads and writes: EBADF only on a closed number
		 * (read and write are what the checker allows). */
		unsigned open_fds = 0;
		char none;
		for (int fd = 0; fd < 1024; fd++) {
			bool closed = read(fd, &none, 0) < 0 && errno == EBADF && write(fd, &none, 0) < 0 && errno == EBADF;
			if (!closed)
				open_fds |= fd < 31 ? 1u << fd : 1u << 31;
		}
		cordon_finding(ctx, "whoami", CORDON_SEV_INFO, 0, 0, "uid=%u gid=%u fds=0x%x", (unsigned)getuid(),
		               (unsigned)getgid(), open_fds);
		return CORDON_PASS;
	}
	if (strcmp(s->verdict, "pid") == 0) {
		/* Which checker process saw this source (one per run), and what
		 * it checked before (a checker started ahead: its warm-up). */
		static char seen[256];
		cordon_finding(ctx, "pid", CORDON_SEV_INFO, 0, 0, "%d", (int)getpid());
		cordon_finding(ctx, "seen", CORDON_SEV_INFO, 0, 0, "before: %s", seen);
		size_t k = strlen(seen);
		snprintf(seen + k, sizeof(seen) - k, "%s%s", k ? "," : "", src->name ? src->name : "?");
		return CORDON_PASS;
	}
	for (long i = 0; i < s->findings; i++)
		cordon_finding(ctx, "t-finding", CORDON_SEV_MEDIUM, i + 1, 1, "finding %ld of %s (%zu bytes)",
		               i + 1, TM_NAME, src->len);
	if (strcmp(s->verdict, "deny") == 0)
		return CORDON_DENY;
	if (strcmp(s->verdict, "ignore") == 0)
		return CORDON_IGNORE;
	if (strcmp(s->verdict, "error") == 0) {
		cordon_error(ctx, NULL, "check: erring as asked");
		return CORDON_ERROR;
	}
	if (strcmp(s->verdict, "bogus") == 0)
		return 42;
	return CORDON_PASS;
}

/* prepare=pass: what the child wrote in confine becomes a finding. */
static int tm_watch(cordon_ctx *ctx, void *state, int fd, short revents)
{
	struct state *s = state;
	char buf[128];
	(void)revents;
	s->watch_calls++;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = 0;
		buf[strcspn(buf, "\n")] = 0;
		cordon_finding(ctx, "tm-watch", CORDON_SEV_INFO, 0, 0, "watched: %s", buf);
		/* prepare=abort: what the child said ends the run (ABI 1.2). */
		if (strcmp(s->prepare, "abort") == 0) {
			const struct cordon_core_api *api = cordon_api(ctx);
			if (!CORDON_API_HAS(ctx, run_abort) || api->run_abort(ctx, "told to stop") < 0 ||
			    api->run_abort(ctx, "a second reason") < 0)
				cordon_warning(ctx, "run_abort failed");
		}
		return 0;
	}
	close(fd);
	s->watched = -1;
	return 1;
}

/* prepare=watchbad: a callback that fails at once. */
static int tm_watch_bad(cordon_ctx *ctx, void *state, int fd, short revents)
{
	struct state *s = state;
	(void)revents;
	cordon_warning(ctx, "watch callback failing as asked");
	close(fd);
	s->watched = -1;
	return -1;
}

static int tm_prepare(cordon_ctx *ctx, void *state)
{
	struct state *s = state;
	const struct cordon_core_api *api = cordon_api(ctx);
	log_phase(s, "prepare");
	if (strcmp(s->prepare, "fail") == 0)
		return cordon_error(ctx, NULL, "prepare: failing as asked");
	if (strcmp(s->prepare, "wrap") == 0) {
		static const char *const wrapper[] = { "/usr/bin/env", "TM_WRAPPED=1", NULL };
		return api->launch_wrap(ctx, wrapper);
	}
	if (strcmp(s->prepare, "setenv") == 0)
		return api->launch_setenv(ctx, "TM_SET", TM_NAME);
	if (strcmp(s->prepare, "wall") == 0)
		return api->launch_wall(ctx, 500000000ull);
	if (strcmp(s->prepare, "pass") == 0 || strcmp(s->prepare, "watchbad") == 0 || strcmp(s->prepare, "abort") == 0) {
		/* A pipe: the child writes a line in confine, the watch reads it. */
		if (!CORDON_API_HAS(ctx, launch_pass_fd) || !CORDON_API_HAS(ctx, launch_watch))
			return cordon_error(ctx, NULL, "prepare: the core lacks launch_pass_fd");
		int p[2];
		if (pipe2(p, O_CLOEXEC) < 0)
			return cordon_error(ctx, NULL, "pipe2: %s", strerror(errno));
		s->passed = api->launch_pass_fd(ctx, p[1]);
		if (s->passed < 0) {
			close(p[0]);
			return cordon_error(ctx, NULL, "launch_pass_fd failed");
		}
		s->watched = p[0];
		s->watch_calls = 0;
		if (api->launch_watch(ctx, p[0], strcmp(s->prepare, "watchbad") != 0 ? tm_watch : tm_watch_bad) < 0)
			return cordon_error(ctx, NULL, "launch_watch failed");
		return 0;
	}
	if (strcmp(s->prepare, "dirs") == 0) {
		/* What a wrapping backend sees of --output-dir and --bind-ro. */
		if (!CORDON_API_HAS(ctx, launch_bind_ro))
			return cordon_error(ctx, NULL, "prepare: the core lacks launch_bind_ro");
		const char *out = api->launch_output_dir(ctx);
		const char *const *ro = api->launch_bind_ro(ctx);
		cordon_warning(ctx, "output_dir=%s", out ? out : "(none)");
		const char *in = CORDON_API_HAS(ctx, launch_input_dir) ? api->launch_input_dir(ctx) : NULL;
		if (in)
			cordon_warning(ctx, "input_dir=%s", in);
		for (size_t i = 0; ro && ro[i]; i++)
			cordon_warning(ctx, "bind_ro=%s", ro[i]);
		return ro ? 0 : cordon_error(ctx, NULL, "launch_bind_ro returned NULL");
	}
	if (strcmp(s->prepare, "keepfd") == 0) {
		/* Two memfds: "kept" survives the exec (CORDON_FD_KEEP_EXEC),
		 * "dropped" does not; the warning names both numbers. */
		if (!CORDON_API_HAS(ctx, launch_pass_fd_flags))
			return cordon_error(ctx, NULL, "prepare: the core lacks launch_pass_fd_flags");
		int fds[2] = { -1, -1 };
		static const char *const text[] = { "kept\n", "dropped\n" };
		for (int i = 0; i < 2; i++) {
			int fd = memfd_create(text[i], MFD_CLOEXEC);
			if (fd < 0)
				return cordon_error(ctx, NULL, "memfd_create: %s", strerror(errno));
			size_t n = strlen(text[i]);
			if (write(fd, text[i], n) != (ssize_t)n || lseek(fd, 0, SEEK_SET) != 0) {
				close(fd);
				return cordon_error(ctx, NULL, "memfd write: %s", strerror(errno));
			}
			fds[i] = api->launch_pass_fd_flags(ctx, fd, i == 0 ? CORDON_FD_KEEP_EXEC : 0);
			if (fds[i] < 0)
				return cordon_error(ctx, NULL, "launch_pass_fd_flags failed");
		}
		/* An unknown flag: refused (and the descriptor closed), never taken. */
		int extra = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (extra < 0)
			return cordon_error(ctx, NULL, "open /dev/null: %s", strerror(errno));
		if (api->launch_pass_fd_flags(ctx, extra, 0x80) >= 0)
			return cordon_error(ctx, NULL, "launch_pass_fd_flags took an unknown flag");
		cordon_warning(ctx, "kept=%d dropped=%d", fds[0], fds[1]);
		return 0;
	}
	if (s->peek[0]) {
		size_t len = 0;
		const char *v = CORDON_API_HAS(ctx, get_data) ? api->get_data(ctx, s->peek, &len) : NULL;
		if (v)
			cordon_warning(ctx, "peek %s=%.*s", s->peek, (int)len, v);
		else
			cordon_warning(ctx, "peek %s unset", s->peek);
	}
	if (strcmp(s->prepare, "passmany") == 0) {
		/* More descriptors than the core keeps: the 17th is refused. */
		for (int i = 0; i < 17; i++) {
			int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				return cordon_error(ctx, NULL, "open: %s", strerror(errno));
			if (api->launch_pass_fd(ctx, fd) < 0)
				return cordon_error(ctx, NULL, "launch_pass_fd refused descriptor %d", i + 1);
		}
		return 0;
	}
	return 0;
}

static int tm_confine(void *state, const struct cordon_child *child, const char **step)
{
	struct state *s = state;
	if (s->log[0]) {
		int fd = open(s->log, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (fd >= 0) {
			(void)!write(fd, s->confine_line, strlen(s->confine_line));
			close(fd);
		}
	}
	if (strcmp(s->confine, "fail") == 0) {
		*step = "tm_confine(failing as asked)";
		return EPERM;
	}
	if (strcmp(s->confine, "note") == 0)
		child->note(child, "a note from the child");
	if (strcmp(s->confine, "crash") == 0)
		raise(SIGSEGV);
	if (strcmp(s->confine, "exit") == 0)
		_exit(0);
	if (strcmp(s->confine, "sleep") == 0) {
		/* A window between fork and exec for a test's signal. */
		struct timespec d = { 3, 0 };
		while (nanosleep(&d, &d) < 0 && errno == EINTR)
			;
	}
	if ((strcmp(s->prepare, "pass") == 0 || strcmp(s->prepare, "watchbad") == 0 || strcmp(s->prepare, "abort") == 0) && s->passed > 0) {
		char line[64] = "hello from fd ";
		size_t l = strlen(line);
		int v = s->passed;
		char digits[12];
		int nd = 0;
		do {
			digits[nd++] = (char)('0' + v % 10);
			v /= 10;
		} while (v && nd < (int)sizeof(digits));
		while (nd > 0)
			line[l++] = digits[--nd];
		line[l++] = '\n';
		if (write(s->passed, line, l) != (ssize_t)l) {
			*step = "write(passed descriptor)";
			return errno ? errno : EIO;
		}
	}
	if (strcmp(s->confine, "leakfd") == 0 && open("/dev/null", O_RDONLY) < 0) /* no O_CLOEXEC on purpose */
		return errno;
	return 0;
}

static int tm_filter(cordon_ctx *ctx, void *state, enum cordon_stream stream, const unsigned char *in,
                     size_t len, int eof, cordon_buf *out)
{
	struct state *s = state;
	if (strcmp(s->filter, "fail") == 0 && len)
		return -1;
	if (strcmp(s->filter, "upper") == 0 && stream == CORDON_STDOUT) {
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)toupper(in[i]);
			if (cordon_buf_append(ctx, out, &c, 1) < 0)
				return -1;
		}
		if (len)
			cordon_api(ctx)->redaction(ctx, "t-upper", stream, 1);
		return 0;
	}
	if (strcmp(s->filter, "tag") == 0 && eof)
		if (cordon_buf_append(ctx, out, "[eof]", 5) < 0)
			return -1;
	return cordon_buf_append(ctx, out, in, len);
}

static int tm_finish(cordon_ctx *ctx, void *state, const struct cordon_run_info *info)
{
	struct state *s = state;
	log_phase(s, "finish");
	if (s->log[0]) {
		FILE *f = fopen(s->log, "a");
		if (f) {
			fprintf(f, "%s status=%s exit=%d cli=%d findings=%zu\n", TM_NAME, info->status, info->exit_code,
			        info->cli_exit, info->n_findings);
			fclose(f);
		}
	}
	if (s->watched >= 0) {
		/* Watching ended before finish; the descriptor is still ours. */
		close(s->watched);
		s->watched = -1;
	}
	if (strcmp(s->finish, "fail") == 0)
		return cordon_error(ctx, NULL, "finish: failing as asked");
	if (strcmp(s->finish, "limit") == 0)
		return cordon_api(ctx)->result_limit(ctx, "memory");
	if (strcmp(s->finish, "badlimit") == 0 && cordon_api(ctx)->result_limit(ctx, "bogus") != -1)
		return cordon_error(ctx, NULL, "result_limit accepted an unknown name");
	return 0;
}

static void tm_close(void *state)
{
	struct state *s = state;
	if (s) {
		log_phase(s, "close");
		if (s->watched >= 0)
			close(s->watched);
	}
	free(state);
}

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_module),
	.name = TM_NAME,
	.description = "test module: every hook does what its arguments say",
	.args = args,
	.open = tm_open,
	.check = tm_check,
	.prepare = tm_prepare,
	.confine = tm_confine,
	.filter = tm_filter,
	.finish = tm_finish,
	.close = tm_close,
};
