/*
 * tests/unit_embed.c - the embedding API (include/cordon/cordon.h) used as a
 * library: load, check, run from memory, read the result; the caller's own
 * children are spared when a run's leftovers are killed, and the caller's
 * subreaper setting is restored.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "tap.h"

static char dir[] = "/tmp/cordon-embed.XXXXXX";

/* An embedder's other thread, busy in malloc (whose locks a child made by a
 * raw clone would inherit held). */
static volatile int hammer_stop;
static void *hammer(void *arg)
{
	(void)arg;
	while (!hammer_stop) {
		void *v = malloc(64 + (size_t)(rand() % 4096));
		free(v);
	}
	return NULL;
}

static char *write_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		bail("cannot write %s", path);
	fputs(text, f);
	fclose(f);
	return path;
}

/* The pid a run's checker reported (tm_a with verdict: pid), or 0. */
static int checker_pid_of(const cordon_result *r)
{
	for (size_t i = 0; r && i < cordon_result_finding_count(r); i++) {
		struct cordon_finding f = { .size = sizeof(f) };
		if (cordon_result_finding(r, i, &f) == 0 && f.rule && strcmp(f.rule, "pid") == 0 && f.message)
			return atoi(f.message);
	}
	return 0;
}

static bool has_warning(const cordon_result *r, const char *part)
{
	for (size_t i = 0; r && i < cordon_result_warning_count(r); i++)
		if (strstr(cordon_result_warning(r, i), part))
			return true;
	return false;
}

/* A process that is gone (reaped: no such pid) or at least dead. */
static bool gone(int pid)
{
	return pid > 0 && kill(pid, 0) < 0 && errno == ESRCH;
}

/* Wait until pid is a zombie (killed, not reaped): up to 5 s. */
static bool wait_zombie(int pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(path, "re");
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		if (f)
			fclose(f);
		buf[n] = '\0';
		char *rp = strrchr(buf, ')');
		if (rp && rp[1] == ' ' && rp[2] == 'Z')
			return true;
		usleep(10000);
	}
	return false;
}

/* cordon_policy_close (ABI 1.8): every close hook runs once, last module
 * first, and nothing else is freed; what would call a hook again is
 * refused; a later cordon_policy_free frees the rest without calling the
 * hooks again. */
static void close_at_exit(const struct cordon_load_options *lo)
{
	char *log = xasprintf("%s/close.log", dir);
	char *text = xasprintf("isolation: none\ninterpreter: [/bin/sh]\nstack:\n"
	                       "  - {module: tm_a, with: {verdict: pass, log: %s}}\n"
	                       "  - {module: tm_b, with: {verdict: pass, log: %s}}\n",
	                       log, log);
	char *pp = write_file("close.yaml", text);
	char *err = NULL;
	cordon_policy *p = cordon_policy_load(pp, lo, &err);
	ok(p != NULL, "close: the policy loads (%s)", err ? err : "no error");
	free(err);
	cordon_policy_close(p);
	char buf[256] = "";
	FILE *f = fopen(log, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
	is_str(buf, "tm_a open\ntm_b open\ntm_b close\ntm_a close\n",
	       "cordon_policy_close: each close hook once, in reverse stack order");
	static const char src[] = "true\n";
	struct cordon_run_options ro = { .size = sizeof(ro), .source_data = src, .source_len = sizeof(src) - 1,
		                         .stream_stdout_fd = -1, .stream_stderr_fd = -1, .cancel_fd = -1 };
	cordon_result *r = cordon_run(p, &ro, &err);
	ok(!r && err && strstr(err, "closed"), "a run of a closed policy: refused (%s)", err ? err : "no error");
	free(err);
	err = NULL;
	r = cordon_check(p, NULL, src, sizeof(src) - 1, &err);
	ok(!r && err && strstr(err, "closed"), "a check of a closed policy: refused");
	free(err);
	err = NULL;
	cordon_checker *ck = cordon_checker_start(p, &err);
	ok(!ck && err && strstr(err, "closed"), "a checker of a closed policy: refused");
	free(err);
	err = NULL;
	cordon_result_free(r);
	cordon_policy_free(p);
	f = fopen(log, "r");
	n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
	is_str(buf, "tm_a open\ntm_b open\ntm_b close\ntm_a close\n",
	       "cordon_policy_free after it: the rest freed, no hook called again");
	cordon_policy_close(NULL); /* does nothing */
	unlink(log);
	unlink(pp);
	free(log);
	free(text);
	free(pp);
}

/* A policy loaded launch_only (ABI 1.7: pattern_scan leaves its scanners
 * unbuilt) still checks a source when asked: the scanners are built in the
 * checker then, and the verdict and findings are those of a policy loaded
 * for checks; a bad pattern is refused at load either way. */
static void launch_only(const struct cordon_load_options *base)
{
	struct cordon_load_options lo = *base;
	char *err = NULL;
	char *pp = write_file("scan.yaml", "isolation: none\ninterpreter: [/usr/bin/python3]\n"
	                                   "stack:\n  - module: pattern_scan\n    with:\n      rules:\n"
	                                   "        - {id: no-system, pattern: 'os\\.system\\(', severity: critical,"
	                                   " description: d, languages: [python]}\n"
	                                   "        - {id: no-eval, pattern: '\\beval\\s*\\(', severity: high,"
	                                   " description: d, languages: [python]}\n");
	static const char src[] = "import os\nx = 1\nos.system('id')\ny = eval('2')\n";
	char *js[2] = { NULL, NULL };
	for (int k = 0; k < 2; k++) {
		lo.launch_only = k;
		cordon_policy *p = cordon_policy_load(pp, &lo, &err);
		if (!p)
			bail("%s", err);
		cordon_result *r = cordon_check(p, NULL, src, sizeof(src) - 1, &err);
		ok(r && strcmp(cordon_result_status(r), "denied") == 0 && cordon_result_finding_count(r) == 2,
		   "launch_only %d: a check still finds both rules' matches and denies", k);
		js[k] = r ? cordon_result_json(r) : NULL;
		cordon_result_free(r);
		cordon_policy_free(p);
	}
	ok(js[0] && js[1] && strcmp(js[0], js[1]) == 0, "launch_only 1 and 0: the same result, finding for finding");
	free(js[0]);
	free(js[1]);
	char *bp = write_file("badscan.yaml", "isolation: none\nstack:\n  - module: pattern_scan\n    with:\n"
	                                      "      rules: [{id: bad, pattern: 'a(b', severity: low, description: d,"
	                                      " languages: [python]}]\n");
	lo.launch_only = 1;
	cordon_policy *p = cordon_policy_load(bp, &lo, &err);
	ok(!p && err && strstr(err, "rule 'bad': invalid pattern"), "launch_only: a bad pattern is still a policy error");
	free(err);
	unlink(pp);
	unlink(bp);
	free(pp);
	free(bp);
}

/* Checkers started ahead of a run (ABI 1.6): each goes to one run, which
 * ends it; one killed while it waited is replaced; one of another policy
 * object is not used. */
static void checkers_ahead(const struct cordon_load_options *lo)
{
	char *err = NULL;
	char *pp = write_file("pid.yaml", "isolation: none\ninterpreter: [/bin/sh]\n"
	                                  "stack:\n  - module: tm_a\n    with: {verdict: pid}\n");
	cordon_policy *p = cordon_policy_load(pp, lo, &err), *q = cordon_policy_load(pp, lo, &err);
	if (!p || !q)
		bail("%s", err);
	static const char quiet[] = "true\n";
	struct cordon_run_options o = { .size = sizeof(o), .source_data = quiet, .source_len = sizeof(quiet) - 1,
		                        .stream_stdout_fd = -1, .stream_stderr_fd = -1, .cancel_fd = -1 };

	cordon_checker *h = cordon_checker_start(p, &err);
	int pid1 = cordon_checker_pid(h);
	ok(h && pid1 > 0, "cordon_checker_start: a checker process (pid %d)", pid1);
	o.checker = h;
	cordon_result *r = cordon_run(p, &o, &err);
	ok(r && strcmp(cordon_result_status(r), "ok") == 0, "a run with a checker started ahead: ok");
	is_int(checker_pid_of(r), pid1, "the run's source was checked in that checker");
	ok(r && !has_warning(r, "checker"), "no warning about the checker");
	ok(gone(pid1), "the run ended and reaped it");
	cordon_result_free(r);

	h = cordon_checker_start(p, &err);
	int pid2 = cordon_checker_pid(h);
	o.checker = h;
	r = cordon_run(p, &o, &err);
	ok(pid2 > 0 && pid2 != pid1 && checker_pid_of(r) == pid2, "the next run: another checker (%d, then %d)", pid1,
	   pid2);
	cordon_result_free(r);
	o.checker = NULL;
	r = cordon_run(p, &o, &err);
	int pid3 = checker_pid_of(r);
	ok(pid3 > 0 && pid3 != pid1 && pid3 != pid2, "without one: a fresh checker of the run's own");
	cordon_result_free(r);

	/* A run with no source to check: the checker given is not used, and
	 * still ended. */
	h = cordon_checker_start(p, &err);
	int pid9 = cordon_checker_pid(h);
	static const char *const true_argv[] = { "true", NULL };
	o.checker = h;
	o.argv = true_argv;
	r = cordon_run(p, &o, &err);
	ok(r && strcmp(cordon_result_status(r), "ok") == 0 && checker_pid_of(r) == 0 && !has_warning(r, "checker"),
	   "a run with no source: ok, nothing checked");
	ok(pid9 > 0 && gone(pid9), "the unused checker was ended and reaped");
	cordon_result_free(r);
	o.argv = NULL;

	/* Killed while it waited: a fresh checker checks; never unchecked. */
	h = cordon_checker_start(p, &err);
	int pid4 = cordon_checker_pid(h);
	ok(pid4 > 0 && kill(pid4, SIGKILL) == 0 && wait_zombie(pid4), "a checker started ahead is killed");
	o.checker = h;
	r = cordon_run(p, &o, &err);
	ok(r && strcmp(cordon_result_status(r), "ok") == 0, "the run is still ok");
	int pid5 = checker_pid_of(r);
	ok(pid5 > 0 && pid5 != pid4, "its source was checked by a fresh checker (%d, not %d)", pid5, pid4);
	ok(has_warning(r, "had ended before it was used"), "the result says so");
	ok(gone(pid4), "the dead one was reaped");
	cordon_result_free(r);

	/* Started for another policy object: not used. */
	h = cordon_checker_start(q, &err);
	int pid6 = cordon_checker_pid(h);
	o.checker = h;
	r = cordon_run(p, &o, &err);
	ok(r && strcmp(cordon_result_status(r), "ok") == 0 && checker_pid_of(r) != pid6 &&
	       has_warning(r, "started for another policy object"),
	   "a checker of another policy object is not used");
	ok(gone(pid6), "and is ended");
	cordon_result_free(r);

	/* Taken on an early error too; freed unused. */
	h = cordon_checker_start(p, &err);
	int pid7 = cordon_checker_pid(h);
	o.checker = h;
	o.caller = "bad\ncaller";
	r = cordon_run(p, &o, &err);
	ok(!r && err && gone(pid7), "refused options: NULL, and the checker given is ended");
	free(err);
	err = NULL;
	o.caller = NULL;
	h = cordon_checker_start(p, &err);
	int pid8 = cordon_checker_pid(h);
	cordon_checker_free(h);
	ok(pid8 > 0 && gone(pid8), "cordon_checker_free ends an unused one");
	cordon_checker_free(NULL);

	/* No check hooks: no process, and the run is as without one. */
	char *np = write_file("nocheck.yaml", "isolation: none\ninterpreter: [/bin/sh]\n"
	                                      "stack:\n  - module: rlimit\n    with: {wall: 20s}\n");
	cordon_policy *n = cordon_policy_load(np, lo, &err);
	if (!n)
		bail("%s", err);
	h = cordon_checker_start(n, &err);
	ok(h && cordon_checker_pid(h) == 0, "a policy without check hooks: a handle, no process");
	o.checker = h;
	r = cordon_run(n, &o, &err);
	ok(r && strcmp(cordon_result_status(r), "ok") == 0, "and its run is ok");
	cordon_result_free(r);
	ok(cordon_checker_start(NULL, &err) == NULL && err, "no policy: NULL and an error");
	free(err);
	err = NULL;

	/* cordon_check_with (ABI 1.8): a check in the caller's checker (one
	 * started ahead, warmed up first on CORDON_WARMUP_SOURCE), which stays
	 * the caller's for more checks; the policy's own checker is another.
	 * A checker of another policy object is not used. */
	cordon_policy *c = cordon_policy_load(pp, lo, &err);
	if (!c)
		bail("%s", err);
	h = cordon_checker_start(c, &err);
	int pid10 = cordon_checker_pid(h);
	r = cordon_check_with(c, h, quiet, sizeof(quiet) - 1, &err);
	ok(r && strcmp(cordon_result_status(r), "ok") == 0 && checker_pid_of(r) == pid10 && pid10 > 0,
	   "cordon_check_with: checked in the checker given (%d)", pid10);
	ok(r && !has_warning(r, "checker"), "... without a warning");
	const char *seen = NULL;
	for (size_t i = 0; r && i < cordon_result_finding_count(r); i++) {
		struct cordon_finding f = { .size = sizeof(f) };
		if (cordon_result_finding(r, i, &f) == 0 && f.rule && strcmp(f.rule, "seen") == 0)
			seen = f.message;
	}
	is_str(seen, "before: " CORDON_WARMUP_SOURCE, "... which had checked only its warm-up source before");
	cordon_result_free(r);
	r = cordon_check_with(c, h, quiet, sizeof(quiet) - 1, &err);
	ok(r && checker_pid_of(r) == pid10, "the next cordon_check_with with it: the same checker");
	cordon_result_free(r);
	r = cordon_check(c, NULL, quiet, sizeof(quiet) - 1, &err);
	int own = checker_pid_of(r);
	ok(own > 0 && own != pid10, "cordon_check of the policy: its own checker, not the caller's (%d)", own);
	cordon_result_free(r);
	cordon_checker *hq = cordon_checker_start(q, &err);
	int pid11 = cordon_checker_pid(hq);
	r = cordon_check_with(c, hq, quiet, sizeof(quiet) - 1, &err);
	ok(r && strcmp(cordon_result_status(r), "error") == 0 && checker_pid_of(r) == 0 && cordon_result_error(r) &&
	       strstr(cordon_result_error(r), "started for another policy object") && !gone(pid11),
	   "a checker of another policy object: an error, nothing checked (not the policy's shared checker), and the "
	   "checker left to its owner");
	cordon_result_free(r);
	cordon_checker_free(hq);
	ok(gone(pid11), "... until its owner frees it");
	r = cordon_check_with(NULL, h, quiet, 1, &err);
	ok(!r && err, "cordon_check_with without a policy: NULL and an error");
	free(err);
	err = NULL;
	cordon_checker_free(h);
	ok(gone(pid10), "cordon_checker_free ends a checker used for checks");

	/* A policy's checker copied into a forked process (cordon serve's
	 * workers hold the service's) is not that process's to use or end: it
	 * starts its own, and the parent's still answers afterwards. */
	r = cordon_check(c, NULL, quiet, sizeof(quiet) - 1, &err);
	int mine = checker_pid_of(r);
	cordon_result_free(r);
	pid_t kid = fork();
	if (kid == 0) {
		cordon_result *kr = cordon_check(c, NULL, quiet, sizeof(quiet) - 1, NULL);
		int theirs = checker_pid_of(kr);
		cordon_result_free(kr);
		_exit(theirs > 0 && theirs != mine ? 0 : 1);
	}
	int kst = -1;
	while (kid > 0 && waitpid(kid, &kst, 0) < 0 && errno == EINTR)
		;
	ok(mine > 0 && kid > 0 && WIFEXITED(kst) && WEXITSTATUS(kst) == 0,
	   "a forked process does not use the policy's checker it inherited (%d): it starts its own", mine);
	r = cordon_check(c, NULL, quiet, sizeof(quiet) - 1, &err);
	ok(checker_pid_of(r) == mine, "... and the parent's checker still answers it");
	cordon_result_free(r);
	cordon_policy_free(c);

	/* A checker started ahead whose warm-up crashes: the run's source is
	 * checked by a fresh checker, and the result says so. */
	char *wp = write_file("warm.yaml", "isolation: none\ninterpreter: [/bin/sh]\n"
	                                   "stack:\n  - module: tm_a\n    with: {verdict: warmcrash}\n");
	cordon_policy *w = cordon_policy_load(wp, lo, &err);
	if (!w)
		bail("%s", err);
	h = cordon_checker_start(w, &err);
	int pid12 = cordon_checker_pid(h);
	o.checker = h;
	r = cordon_run(w, &o, &err);
	ok(r && strcmp(cordon_result_status(r), "ok") == 0 && checker_pid_of(r) > 0 && checker_pid_of(r) != pid12,
	   "a checker whose warm-up crashed: a fresh checker checks the run's source");
	ok(has_warning(r, "did not finish its warm-up") || has_warning(r, "had ended before it was used"),
	   "... and the result says so");
	cordon_result_free(r);
	o.checker = NULL;
	cordon_policy_free(w);
	unlink(wp);
	free(wp);
	cordon_policy_free(n);
	cordon_policy_free(p);
	cordon_policy_free(q);
	unlink(np);
	free(np);
	unlink(pp);
	free(pp);
}

int main(void)
{
	const char *tb = getenv("CORDON_TESTBIN");
	if (!tb)
		bail("set CORDON_TESTBIN");
	if (!mkdtemp(dir))
		bail("mkdtemp");
	char *mods = xasprintf("%s/modules:%s/../lib/cordon/modules", tb, tb);
	struct cordon_load_options lo = { .size = sizeof(lo), .module_path = mods };
	char *err = NULL;

	ok(cordon_abi_version() == CORDON_ABI_VERSION, "the library's ABI is the header's");
	ok(cordon_version() && *cordon_version(), "a version string");

	char *bad = write_file("bad.yaml", "stack: [{module: tm_a, with: {count: 9}}]\n");
	cordon_policy *p = cordon_policy_load(bad, &lo, &err);
	ok(!p && err && strstr(err, "bad.yaml:1:38: tm_a: count: 9 is out of range (-5 to 5)"),
	   "a bad argument: NULL and a one-line error with file:line:column");
	diag("%s", err ? err : "(no error)");
	free(err);
	err = NULL;

	char *pol = write_file("p.yaml", "interpreter: [/bin/sh]\n"
	                                 "env: {PATH: /usr/bin:/bin}\n"
	                                 "stack:\n"
	                                 "  - module: tm_a\n"
	                                 "    with: {verdict: pass}\n"
	                                 "  - module: rlimit\n"
	                                 "    with: {wall: 20s}\n");
	p = cordon_policy_load(pol, &lo, &err);
	ok(p != NULL, "a good policy loads");
	if (!p)
		bail("%s", err);
	is_str(cordon_policy_name(p), "p", "its name is the file stem");
	is_str(cordon_policy_language(p), "shell", "its interpreter /bin/sh runs shell");
	ok(cordon_policy_language(NULL) == NULL, "no policy, no language");
	ok(cordon_policy_audit(p) == 0 && cordon_policy_audit(NULL) == 0, "not in audit mode");

	/* Selftest requirements (ABI 1.5): the core's own first, then each
	 * entry's in stack order; a module without the hook gives one empty
	 * line.  rlimit promises only the limits the policy writes, and wall
	 * is not one the selftest probes: nothing either. */
	char **req = cordon_policy_requirements(p, &err);
	ok(req && req[0] && req[1] && req[2] && !req[3], "requirements: one line each for the core, tm_a, rlimit (%s)",
	   err ? err : "no error");
	if (req && req[0] && req[1] && req[2]) {
		is_str(req[0], "(core)\tno_new_privs\t", "requirements: the core promises no_new_privs");
		is_str(req[1], "tm_a\t\t", "requirements: a module without the hook promises nothing");
		is_str(req[2], "rlimit\t\t", "requirements: rlimit with only a wall timeout promises nothing");
	}
	cordon_strv_free(req);
	ok(cordon_policy_requirements(NULL, &err) == NULL && err, "requirements of no policy: NULL and an error");
	free(err);
	err = NULL;

	cordon_result *r = cordon_check(p, NULL, "echo hi\n", 8, &err);
	ok(r && strcmp(cordon_result_status(r), "ok") == 0, "check from memory passes");
	char *js = r ? cordon_result_json(r) : NULL;
	ok(js && strstr(js, "\"file\":\"<data>\"") && strstr(js, "\"verdict\":\"pass\""), "check JSON names the file");
	free(js);
	cordon_result_free(r);

	/* A child of the caller that must survive the run. */
	pid_t mine = fork();
	if (mine == 0) {
		pause();
		_exit(0);
	}
	int prev = -1;
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	static const char src[] = "(setsid sleep 300 &) ; echo out; echo err >&2; exit 7\n";
	struct cordon_run_options ro = {
		.size = sizeof(ro),
		.source_data = src,
		.source_len = sizeof(src) - 1,
		.stream_stdout_fd = -1,
		.stream_stderr_fd = -1,
		.cancel_fd = -1,
	};
	r = cordon_run(p, &ro, &err);
	ok(r != NULL, "run from memory returns a result");
	if (!r)
		bail("%s", err);
	is_str(cordon_result_status(r), "failed", "status failed (exit 7)");
	is_int(cordon_result_exit_status(r), 7, "exit status 7");
	js = cordon_result_json(r);
	ok(js && strstr(js, "\"stdout\":\"out\\n\"") && strstr(js, "\"stderr\":\"err\\n\""), "stdout and stderr collected");
	ok(js && strstr(js, "killed 1 process the program left running"), "the daemon it left was killed");
	free(js);
	ok(kill(mine, 0) == 0, "the caller's own child was spared");
	prctl(PR_GET_CHILD_SUBREAPER, &prev);
	is_int(prev, 0, "the caller's subreaper setting is restored");
	cordon_result_free(r);
	kill(mine, SIGKILL);
	waitpid(mine, NULL, 0);

	/* exec with a command and a cancel descriptor. */
	int cp[2];
	if (pipe(cp) < 0)
		bail("pipe");
	const char *argv[] = { "sleep", "30", NULL };
	ro.argv = argv;
	ro.cancel_fd = cp[0];
	unsigned char sig = SIGINT;
	if (write(cp[1], &sig, 1) != 1)
		bail("write");
	r = cordon_run(p, &ro, &err);
	ok(r && strcmp(cordon_result_status(r), "killed") == 0, "a cancelled run is killed");
	is_int(r ? cordon_result_exit_status(r) : -1, 128 + SIGINT, "and reports 128 + the signal");
	ok(r && cordon_result_signal(r) == SIGINT, "cordon_result_signal names it");
	cordon_result_free(r);
	close(cp[0]);
	close(cp[1]);

	/* A process that ignores SIGCHLD cannot wait for the program: refused. */
	ro.argv = NULL;
	ro.cancel_fd = -1;
	signal(SIGCHLD, SIG_IGN);
	r = cordon_run(p, &ro, &err);
	ok(r && strcmp(cordon_result_status(r), "error") == 0 && cordon_result_error(r) &&
	       strstr(cordon_result_error(r), "SIGCHLD is ignored"),
	   "SIGCHLD ignored by the caller: an error, not a wrong status");
	signal(SIGCHLD, SIG_DFL);
	cordon_result_free(r);

	/* A result outlives its policy. */
	r = cordon_run(p, &ro, &err);
	cordon_policy *p2 = cordon_policy_load(pol, &lo, &err);
	cordon_policy_free(p);
	p = p2;
	js = r ? cordon_result_json(r) : NULL;
	ok(js && strstr(js, "\"name\":\"tm_a\""), "a result still reads after its policy is freed");
	free(js);
	cordon_result_free(r);

	r = cordon_check(p, NULL, NULL, 16, &err);
	ok(r && strcmp(cordon_result_status(r), "error") == 0 && cordon_result_error(r) &&
	       strstr(cordon_result_error(r), "no bytes given"),
	   "check of NULL data with a length: an error, nothing read");
	cordon_result_free(r);

	/* The namespaces module in a process with other threads: the core then
	 * clones into the namespaces from a forked helper (a raw clone's child
	 * of this process could hang in glibc's set*id or fork, on the malloc
	 * locks the threads hold); every run must end at once. */
	char *nspol = write_file("ns.yaml", "env: {PATH: /usr/bin:/bin}\n"
	                                    "stack:\n"
	                                    "  - module: rlimit\n"
	                                    "    with: {wall: 20s}\n"
	                                    "  - module: namespaces\n");
	cordon_policy *nsp = cordon_policy_load(nspol, &lo, &err);
	ok(nsp != NULL, "a namespaces policy loads");
	if (nsp) {
		pthread_t th[2];
		for (int i = 0; i < 2; i++)
			pthread_create(&th[i], NULL, hammer, NULL);
		const char *const tav[] = { "/bin/true", NULL };
		struct cordon_run_options tro = { .size = sizeof(tro), .argv = tav, .stream_stdout_fd = -1,
			                          .stream_stderr_fd = -1, .cancel_fd = -1 };
		int good = 0;
		for (int i = 0; i < 8; i++) {
			cordon_result *tr = cordon_run(nsp, &tro, &err);
			char *tj = tr ? cordon_result_json(tr) : NULL;
			if (tr && strcmp(cordon_result_status(tr), "ok") == 0)
				good++;
			else
				diag("run %d: %s", i, tj ? tj : err ? err : "(no result)");
			free(tj);
			cordon_result_free(tr);
		}
		hammer_stop = 1;
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		is_int(good, 8, "with other threads running, every namespaces run ends ok (no hang until the wall limit)");
		cordon_policy_free(nsp);
	} else {
		diag("%s", err ? err : "");
		free(err);
		err = NULL;
	}
	unlink(nspol);
	free(nspol);

	/* A closed standard descriptor: the library gives it /dev/null before
	 * it opens anything, so nothing of its own lands on 0-2. */
	int saved0 = dup(0);
	if (saved0 < 0)
		bail("dup");
	close(0);
	cordon_policy *p3 = cordon_policy_load(pol, &lo, &err);
	char link[64] = "";
	ssize_t ln = readlink("/proc/self/fd/0", link, sizeof(link) - 1);
	if (ln > 0)
		link[ln] = '\0';
	ok(p3 && strcmp(link, "/dev/null") == 0, "cordon_policy_load with fd 0 closed: fd 0 is /dev/null (%s)", link);
	cordon_policy_free(p3);
	if (dup2(saved0, 0) < 0)
		bail("dup2");
	close(saved0);

	/* Streaming to a descriptor that fails: the result says so. */
	int sp[2];
	if (pipe(sp) < 0)
		bail("pipe");
	close(sp[0]); /* nobody reads: every write fails with EPIPE */
	static const char loud[] = "echo to nobody\n";
	struct cordon_run_options so = { .size = sizeof(so), .source_data = loud, .source_len = sizeof(loud) - 1,
		                         .stream_stdout_fd = sp[1], .stream_stderr_fd = -1, .cancel_fd = -1 };
	signal(SIGPIPE, SIG_IGN);
	r = cordon_run(p, &so, &err);
	ok(r && strcmp(cordon_result_status(r), "ok") == 0, "a run whose output cannot be delivered still ends ok");
	is_int(r ? cordon_result_delivery_errno(r, 0) : -1, EPIPE, "cordon_result_delivery_errno(stdout) is EPIPE");
	is_int(r ? cordon_result_delivery_errno(r, 1) : -1, 0, "stderr was delivered (nothing to deliver)");
	cordon_result_free(r);
	signal(SIGPIPE, SIG_DFL);
	close(sp[1]);

	ro.size = 8; /* too small: an old caller */
	r = cordon_run(p, &ro, &err);
	ok(!r && err, "options smaller than known are refused");
	free(err);
	err = NULL;

	cordon_policy_free(p);

	/* Per-run state (ABI 1.4): zeroed for each run of the same policy. */
	char *rsp = write_file("rs.yaml", "isolation: none\ninterpreter: [/bin/sh]\nstack:\n  - module: runstate\n");
	p = cordon_policy_load(rsp, &lo, &err);
	ok(p != NULL, "a policy with a per-run state module loads");
	if (!p)
		bail("%s", err);
	for (int round = 0; round < 2; round++) {
		static const char quiet[] = "true\n";
		struct cordon_run_options qo = {
			.size = sizeof(qo), .source_data = quiet, .source_len = sizeof(quiet) - 1,
			.stream_stdout_fd = -1, .stream_stderr_fd = -1, .cancel_fd = -1,
		};
		r = cordon_run(p, &qo, &err);
		char seen[256] = "";
		for (size_t i = 0; r && i < cordon_result_warning_count(r); i++) {
			const char *w = cordon_result_warning(r, i);
			if (strstr(w, "runstate "))
				snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s|", strstr(w, "runstate "));
		}
		is_str(seen, "runstate prepare: prepared=0 finished=0|runstate finish: prepared=1 finished=0|",
		       "run %d: the state is zeroed when the run begins, kept from prepare to finish", round + 1);
		cordon_result_free(r);
	}
	cordon_policy_free(p);
	unlink(rsp);
	free(rsp);

	checkers_ahead(&lo);
	launch_only(&lo);
	close_at_exit(&lo);
	unlink(bad);
	unlink(pol);
	rmdir(dir);
	free(bad);
	free(pol);
	free(mods);
	return tap_done();
}
