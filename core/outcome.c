/*
 * core/outcome.c - what a run's result says, decided in one place.
 *
 * The supervisor (supervise.c) gathers facts while the run goes on: how the
 * program ended (its wait status, or the namespaced child's report of it),
 * whether the exec was reached, which limit or event made it kill the tree,
 * whether the caller cancelled.  Two pure functions turn those facts into
 * decisions, so the rules have one home and unit tests (tests/unit_outcome)
 * cover them without forking:
 *
 *   outcome_should_stop  while the program runs: whether to kill the tree
 *                        now, and whether that kill is the wall timeout;
 *   outcome_decide       after it ended: status, exit code, signal, limit,
 *                        the error to record and the note to add.
 *
 * Precedence, first match wins: an error already recorded; a module's
 * run_abort; a program something else reaped; the caller's signal before
 * the exec (killed by it); a child that died before the exec without a
 * record (error); the namespaced pid 1 that ended without a report (error);
 * then the wait status, overridden by the cause of cordon's own kill in the
 * order cancel, wall timeout, output cap, output directory budget, tree
 * budget; a failed output filter makes the result an error that keeps the
 * program's status; last, a run_deny makes a run that got that far denied.
 */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "internal.h"
#include "launch.h"

bool outcome_should_stop(const struct outcome_facts *f, bool deadline_passed, bool *timed_out)
{
	bool other = f->cancelled || f->fatal || f->capped || f->output_over || f->budget_exceeded ||
	             f->filter_failed || f->aborted || f->denied_at_run;
	*timed_out = deadline_passed && !other;
	return other || deadline_passed;
}

/* The program's own status and cordon's reason for killing it. */
static void attribute(const struct outcome_facts *f, int wstatus, struct outcome *o)
{
	o->program_ended = true;
	/* A wrapper that relays a death by signal N as exit status 128+N
	 * (bubblewrap): reported as that signal, as the other backends do. */
	if (f->relays_signals && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) > 128 && WEXITSTATUS(wstatus) < 128 + 65)
		wstatus = WEXITSTATUS(wstatus) - 128; /* as a wait status: terminated by that signal */
	if (WIFEXITED(wstatus)) {
		o->exit_code = WEXITSTATUS(wstatus);
		o->status = o->exit_code == 0 ? ST_OK : ST_FAILED;
	} else if (WIFSIGNALED(wstatus)) {
		o->signal = WTERMSIG(wstatus);
		o->status = ST_KILLED;
		/* RLIMIT_CPU with soft = hard ends in SIGKILL.  The kernel checks
		 * tick-sampled CPU time while rusage reports precise time, which
		 * can read well below the limit on a busy machine: a SIGKILL that
		 * cordon did not send, to a program that used at least half its
		 * CPU limit, is taken as the CPU limit. */
		double cpu_limit_ms = (double)f->limit_cpu_ns / 1e6;
		if (o->signal == SIGXCPU || (o->signal == SIGKILL && f->limit_cpu_ns && f->cpu_ms >= cpu_limit_ms / 2))
			o->limit = "cpu";
		else if (o->signal == SIGXFSZ)
			o->limit = "file_size";
	}
	if (f->cancelled) {
		o->status = ST_KILLED;
		o->signal = f->cancelled;
		o->exit_code = -1;
		o->limit = NULL;
		o->note = OUTCOME_NOTE_CANCELLED;
	} else if (f->timed_out) {
		o->status = ST_TIMEOUT;
		o->limit = "wall";
	} else if (f->capped) {
		o->status = ST_KILLED;
		o->limit = "output";
	} else if (f->output_over) {
		o->status = ST_KILLED;
		o->limit = "output_dir";
	} else if (f->budget_exceeded) {
		o->status = ST_KILLED;
		o->limit = f->budget_exceeded;
	}
	if (f->filter_failed)
		o->error = OUTCOME_ERR_FILTER;
}

void outcome_decide(const struct outcome_facts *f, struct outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->status = ST_ERROR;
	o->exit_code = -1;
	bool error = f->error_before, fatal = f->fatal;
	/* A module that could no longer enforce what it promised ended the
	 * run (run_abort): an error whatever the program did, also when the
	 * kill came before the exec. */
	if (f->aborted && !error) {
		o->error = OUTCOME_ERR_ABORTED;
		error = true;
	}
	if (f->lost) {
		if (!o->error)
			o->error = OUTCOME_ERR_LOST;
		error = true;
	} else if (!error && !fatal && !f->exec_started && f->cancelled) {
		/* The caller's signal came between fork and exec: the run ended
		 * by that signal (128+N), as it would a moment later. */
		o->status = ST_KILLED;
		o->signal = f->cancelled;
		o->note = OUTCOME_NOTE_CANCELLED_BEFORE_START;
		fatal = true;
	} else if (!error && !fatal && !f->exec_started) {
		/* The child died between fork and exec without a record (a
		 * confine hook crashed or exited): nothing of the program ran. */
		o->error = OUTCOME_ERR_CHILD_ENDED;
		o->detail = f->wstatus;
		error = fatal = true;
	}
	/* launch_clone_ns: the child is pid 1 of its pid namespace and cannot
	 * end by a signal; it reported the program's own status. */
	int wstatus = f->wstatus;
	if (f->cloned && !f->ended_early && f->clone_reported && f->exec_started) {
		wstatus = f->clone_status;
	} else if (f->cloned && !f->ended_early && f->exec_started && !f->killed_main && !error && !fatal) {
		/* pid 1 ended on its own without saying how the program ended:
		 * its own exit status is not the program's. */
		o->error = OUTCOME_ERR_PID1_SILENT;
		o->detail = wstatus;
		error = true;
	}
	if (!error && !fatal)
		attribute(f, wstatus, o);
	/* A module denied what the program did at run time (run_deny): the
	 * run is denied whatever the program's status, which is not its own
	 * (it was stopped). */
	if (f->denied_at_run && !error && !fatal && f->exec_started && !o->error) {
		o->status = ST_DENIED;
		o->exit_code = -1;
		o->signal = 0;
		o->limit = NULL;
	}
	if (o->error)
		o->status = ST_ERROR;
}
