/*
 * tests/unit_outcome.c - how a run's facts become its result (core/outcome.c),
 * case by case, without forking: the program's own end, each of cordon's
 * reasons to kill it and which one wins, the errors before the exec, the
 * namespaced pid 1's report, a wrapper that relays signals as 128+N, and
 * run-time denial.
 */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "internal.h"
#include "launch.h"
#include "tap.h"

/* Wait statuses as the kernel writes them. */
#define EXITED(n) (((n)&0xff) << 8)
#define KILLED(sig) ((sig)&0x7f)

static struct outcome_facts ran(int wstatus)
{
	struct outcome_facts f;
	memset(&f, 0, sizeof(f));
	f.exec_started = true;
	f.wstatus = wstatus;
	return f;
}

static struct outcome decide(const struct outcome_facts *f)
{
	struct outcome o;
	outcome_decide(f, &o);
	return o;
}

static int same_limit(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int main(void)
{
	struct outcome_facts f;
	struct outcome o;

	/* The program's own end. */
	f = ran(EXITED(0));
	o = decide(&f);
	ok(o.status == ST_OK && o.exit_code == 0 && o.signal == 0 && !o.limit && !o.error, "exit 0: ok");
	ok(o.program_ended, "exit 0: the usage is the program's");
	f = ran(EXITED(3));
	o = decide(&f);
	ok(o.status == ST_FAILED && o.exit_code == 3, "exit 3: failed, exit code 3");
	f = ran(KILLED(SIGSEGV));
	o = decide(&f);
	ok(o.status == ST_KILLED && o.signal == SIGSEGV && o.exit_code == -1 && !o.limit, "SIGSEGV: killed, no limit");

	/* The CPU limit: SIGXCPU, or a SIGKILL cordon did not send to a
	 * program that used at least half of its CPU limit. */
	f = ran(KILLED(SIGXCPU));
	o = decide(&f);
	ok(o.status == ST_KILLED && same_limit(o.limit, "cpu"), "SIGXCPU: limit cpu");
	f = ran(KILLED(SIGKILL));
	f.limit_cpu_ns = 2000000000ull;
	f.cpu_ms = 1500;
	o = decide(&f);
	ok(same_limit(o.limit, "cpu"), "SIGKILL after 1.5 s of a 2 s CPU limit: limit cpu");
	f.cpu_ms = 500;
	o = decide(&f);
	ok(o.status == ST_KILLED && !o.limit, "SIGKILL after 0.5 s of a 2 s CPU limit: no limit (an outside kill)");
	f.limit_cpu_ns = 0;
	f.cpu_ms = 5000;
	o = decide(&f);
	ok(!o.limit, "SIGKILL with no CPU limit: no limit");
	f = ran(KILLED(SIGXFSZ));
	o = decide(&f);
	ok(same_limit(o.limit, "file_size"), "SIGXFSZ: limit file_size");

	/* cordon's own kill: its cause wins over the signal, in order. */
	f = ran(KILLED(SIGKILL));
	f.timed_out = true;
	o = decide(&f);
	ok(o.status == ST_TIMEOUT && same_limit(o.limit, "wall") && o.signal == SIGKILL, "wall timeout: timeout, wall");
	f.capped = f.output_over = true;
	f.budget_exceeded = "memory";
	o = decide(&f);
	ok(o.status == ST_TIMEOUT, "wall timeout wins over the output cap and the budgets");
	f.timed_out = false;
	o = decide(&f);
	ok(o.status == ST_KILLED && same_limit(o.limit, "output"), "output cap wins over output_dir and budgets");
	f.capped = false;
	o = decide(&f);
	ok(same_limit(o.limit, "output_dir"), "output_dir wins over the tree budgets");
	f.output_over = false;
	o = decide(&f);
	ok(o.status == ST_KILLED && same_limit(o.limit, "memory"), "tree budget: killed, limit memory");
	f.cancelled = SIGINT;
	f.timed_out = true;
	o = decide(&f);
	ok(o.status == ST_KILLED && o.signal == SIGINT && o.exit_code == -1 && !o.limit &&
	           o.note == OUTCOME_NOTE_CANCELLED,
	   "the caller's signal wins over every limit: killed by it, noted");
	f = ran(EXITED(0));
	f.capped = true;
	o = decide(&f);
	ok(o.status == ST_KILLED && o.exit_code == 0 && same_limit(o.limit, "output"),
	   "exited 0 as the output cap ended the run: killed, limit output");

	/* A wrapper that relays signal N as exit 128+N (bubblewrap). */
	f = ran(EXITED(137));
	f.relays_signals = true;
	f.limit_cpu_ns = 1000000000ull;
	f.cpu_ms = 990;
	o = decide(&f);
	ok(o.status == ST_KILLED && o.signal == SIGKILL && o.exit_code == -1 && same_limit(o.limit, "cpu"),
	   "relayed 137: killed by SIGKILL, limit cpu, as the other backends say");
	f.relays_signals = false;
	o = decide(&f);
	ok(o.status == ST_FAILED && o.exit_code == 137, "137 from a program under a backend that does not relay: exit 137");
	f = ran(EXITED(200));
	f.relays_signals = true;
	o = decide(&f);
	ok(o.status == ST_FAILED && o.exit_code == 200, "relayed 200 is no signal: exit 200");

	/* A failed output filter: an error that keeps what the program did. */
	f = ran(EXITED(0));
	f.filter_failed = true;
	o = decide(&f);
	ok(o.status == ST_ERROR && o.error == OUTCOME_ERR_FILTER && o.exit_code == 0, "filter failed: error, exit 0 kept");

	/* Before the exec. */
	memset(&f, 0, sizeof(f));
	f.wstatus = EXITED(1);
	o = decide(&f);
	ok(o.status == ST_ERROR && o.error == OUTCOME_ERR_CHILD_ENDED && o.detail == EXITED(1) && o.exit_code == -1 &&
	           !o.program_ended,
	   "the child ended before the exec without a record: error, nothing ran");
	f.cancelled = SIGTERM;
	o = decide(&f);
	ok(o.status == ST_KILLED && o.signal == SIGTERM && o.exit_code == -1 &&
	           o.note == OUTCOME_NOTE_CANCELLED_BEFORE_START && !o.program_ended,
	   "cancelled before the exec: killed by that signal, noted");
	f.error_before = true;
	o = decide(&f);
	ok(o.status == ST_ERROR && o.error == OUTCOME_ERR_NONE && o.exit_code == -1,
	   "an error already recorded stays the outcome (a confine failure)");
	f = ran(EXITED(0));
	f.fatal = f.error_before = true;
	o = decide(&f);
	ok(o.status == ST_ERROR && o.exit_code == -1 && !o.program_ended, "exec failed after REC_EXEC: error, no exit code");

	/* run_abort and a lost child. */
	f = ran(EXITED(0));
	f.aborted = true;
	o = decide(&f);
	ok(o.status == ST_ERROR && o.error == OUTCOME_ERR_ABORTED, "run_abort: error whatever the program did");
	f.lost = true;
	o = decide(&f);
	ok(o.error == OUTCOME_ERR_ABORTED, "run_abort is the first cause, also when the program was then lost");
	f.aborted = false;
	o = decide(&f);
	ok(o.status == ST_ERROR && o.error == OUTCOME_ERR_LOST, "reaped by something else: error");

	/* The namespaced child: pid 1 reports the program's status. */
	f = ran(EXITED(0));
	f.cloned = true;
	f.clone_reported = true;
	f.clone_status = EXITED(4);
	o = decide(&f);
	ok(o.status == ST_FAILED && o.exit_code == 4, "clone: the reported status is the program's, not pid 1's");
	f.clone_reported = false;
	o = decide(&f);
	ok(o.status == ST_ERROR && o.error == OUTCOME_ERR_PID1_SILENT, "clone: pid 1 ended without a report: error");
	f.killed_main = true;
	o = decide(&f);
	ok(o.status == ST_OK, "clone: killed by cordon without a report: its own status, no error");
	f = ran(KILLED(SIGKILL));
	f.cloned = f.ended_early = true;
	o = decide(&f);
	ok(o.status == ST_KILLED && o.signal == SIGKILL, "clone: the run ended on the report: that status");

	/* run_deny: denied, whatever the status; not over an error. */
	f = ran(KILLED(SIGKILL));
	f.denied_at_run = true;
	o = decide(&f);
	ok(o.status == ST_DENIED && o.exit_code == -1 && o.signal == 0 && !o.limit, "run_deny: denied");
	f.filter_failed = true;
	o = decide(&f);
	ok(o.status == ST_ERROR, "run_deny after a failed filter: the error stays");
	memset(&f, 0, sizeof(f));
	f.denied_at_run = true;
	f.wstatus = EXITED(1);
	o = decide(&f);
	ok(o.status == ST_ERROR, "run_deny before the exec: the child's failure is the outcome");

	/* While it runs: when to kill, and whether the kill is the timeout. */
	bool to = true;
	memset(&f, 0, sizeof(f));
	ok(!outcome_should_stop(&f, false, &to) && !to, "nothing happened: go on");
	ok(outcome_should_stop(&f, true, &to) && to, "deadline passed alone: stop, timed out");
	f.capped = true;
	ok(outcome_should_stop(&f, true, &to) && !to, "deadline and output cap: stop, not a timeout");
	static const char *const names[] = { "cancelled", "fatal", "output_over", "budget", "filter", "abort", "deny" };
	for (int i = 0; i < 7; i++) {
		memset(&f, 0, sizeof(f));
		switch (i) {
		case 0: f.cancelled = SIGINT; break;
		case 1: f.fatal = true; break;
		case 2: f.output_over = true; break;
		case 3: f.budget_exceeded = "cpu"; break;
		case 4: f.filter_failed = true; break;
		case 5: f.aborted = true; break;
		case 6: f.denied_at_run = true; break;
		}
		ok(outcome_should_stop(&f, false, &to) && !to, "%s: stop", names[i]);
	}
	return tap_done();
}
