/*
 * core/cgroup.c - a cgroup v2 of its own for each run, where the host
 * delegates one: the kernel's counterpart of the tree's budgets (budget.c).
 *
 * Discovery (once per process): cordon's own cgroup, from the "0::" line of
 * /proc/self/cgroup, under the cgroup2 mount found in /proc/self/mountinfo
 * (a pure v2 host's /sys/fs/cgroup, or the unified hierarchy of a hybrid
 * one).  A cgroup that holds processes cannot hand controllers to children
 * (the "no internal processes" rule), so the runs' cgroups are made beside
 * cordon's own, in its parent - or in cordon's own when that is the root.
 * The parent is usable when it is cgroup2, cordon may create directories in
 * it and write its cgroup.procs (needed to move a process between two of
 * its children), and its cgroup.subtree_control already lists memory and
 * pids: as under systemd `Delegate=yes` with `DelegateSubgroup=`, or for
 * root on a pure v2 host.  Nothing here enables controllers in a tree that
 * cordon does not own.  Where nothing is usable, the first run with a
 * budget says so once (a warning) and the supervisor samples the budgets.
 *
 * Per run with a memory or processes budget: PARENT/cordon-PID-N with
 * memory.max = the memory budget, memory.swap.max = 0 and pids.max = the
 * processes budget, whichever were given.  The child joins it first thing
 * (core/child.c, through a cgroup.procs descriptor opened here: the kernel
 * checks the opener's credentials, so this holds in a new user namespace
 * too), before any confine hook forks; a module that moves the child into
 * a cgroup of its own (the namespaces module's `cgroup: {path}`) takes it
 * out again.  The budgets the cgroup holds are not sampled as well: the
 * kernel enforces them (an OOM kill, EAGAIN from fork) - unless a sample
 * finds the cgroup empty while the run goes on (the child was moved out):
 * the supervisor then samples them again.  After the run
 * (every process gone) memory.peak gives the tree's peak, memory.events
 * whether the OOM killer ran, and the cgroup is removed.  The CPU budget
 * stays sampled: cpu.max throttles, it does not end a run at a total.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "internal.h"
#include <cordon/modutil.h>

static pthread_once_t discover_once = PTHREAD_ONCE_INIT;
static char *cg_parent; /* the usable parent, or NULL */
static char cg_why[256]; /* why none is usable */
static bool cg_said; /* the warning was given (runs are serialised: run_lock) */
static unsigned cg_serial;

/* The mount point of the cgroup2 hierarchy (root "/"), or NULL. */
static char *cgroup2_mount(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return NULL;
	char *line = NULL, *found = NULL;
	size_t cap = 0;
	while (!found && getline(&line, &cap, f) > 0) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS */
		char *sep = strstr(line, " - ");
		if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
			continue;
		char root[8], mnt[4096];
		if (sscanf(line, "%*s %*s %*s %7s %4095s", root, mnt) != 2 || strcmp(root, "/") != 0 || strchr(mnt, '\\'))
			continue;
		found = strdup(mnt);
	}
	free(line);
	fclose(f);
	return found;
}

static void discover(void)
{
	char buf[4096];
	const char *rel = NULL;
	snprintf(cg_why, sizeof(cg_why), "no cgroup v2 hierarchy for this process");
	if (cordon_read_small_file("/proc/self/cgroup", buf, sizeof(buf)) <= 0)
		return;
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, "0::", 3) == 0) {
			rel = l + 3;
			char *nl = strchr(l, '\n');
			if (nl)
				*nl = '\0';
			break;
		}
	char *mnt = rel && rel[0] == '/' ? cgroup2_mount() : NULL;
	if (!mnt)
		return;
	char *own = xasprintf("%s%s", mnt, strcmp(rel, "/") == 0 ? "" : rel);
	free(mnt);
	if (!own) {
		snprintf(cg_why, sizeof(cg_why), "out of memory");
		return;
	}
	/* Beside cordon's own cgroup (it holds processes), unless that is
	 * the hierarchy's root. */
	char *parent = own;
	if (strcmp(rel, "/") != 0)
		*strrchr(parent, '/') = '\0'; /* own is mnt + rel, rel starts with '/' */
	char procs[4096];
	struct statfs sf;
	if (statfs(parent, &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC)
		snprintf(cg_why, sizeof(cg_why), "%.200s is not a cgroup v2 directory", parent);
	else if (!cordon_file_lists_word(parent, "cgroup.subtree_control", "memory") ||
	         !cordon_file_lists_word(parent, "cgroup.subtree_control", "pids"))
		snprintf(cg_why, sizeof(cg_why), "%.150s does not hand the memory and pids controllers to its children",
		         parent);
	else if (snprintf(procs, sizeof(procs), "%s/cgroup.procs", parent) >= (int)sizeof(procs) ||
	         access(parent, W_OK | X_OK) < 0 || access(procs, W_OK) < 0)
		snprintf(cg_why, sizeof(cg_why), "%.200s is not delegated to this user", parent);
	else {
		cg_parent = parent;
		return;
	}
	free(parent);
}

static int write_text(const char *dir, const char *file, const char *text)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return ENAMETOOLONG;
	return cordon_write_file(path, text, strlen(text));
}

void run_cgroup_init(struct run_cgroup *cg)
{
	memset(cg, 0, sizeof(*cg));
	cg->procs_fd = -1;
}

int run_cgroup_begin(struct run_cgroup *cg, uint64_t memory, uint64_t processes, int verbose, cordon_result *r)
{
	if (!memory && !processes)
		return 0;
	pthread_once(&discover_once, discover);
	if (!cg_parent) {
		/* Most hosts delegate none to an ordinary process: that is no
		 * warning on every run.  The result's usage.enforced_by says
		 * which mechanism held the budgets ("supervisor"); -v says why. */
		if (verbose && !cg_said)
			fprintf(stderr,
			        "cordon: debug: no delegated cgroup v2 with the memory and pids controllers (%s): the tree's "
			        "memory and processes budgets are sampled every %d ms, not held by the kernel\n",
			        cg_why, OUTPUT_SAMPLE_MS);
		cg_said = true;
		return 0;
	}
	char *dir = xasprintf("%s/cordon-%ld-%u", cg_parent, (long)getpid(), cg_serial++);
	if (!dir)
		return -1;
	if (mkdir(dir, 0755) < 0) {
		result_warn(r, "cannot create the run's cgroup %s (%s): the tree's budgets are sampled", dir,
		            strerror(errno));
		free(dir);
		return 0;
	}
	cg->dir = dir;
	char text[32];
	int e = 0;
	const char *what = "";
	bool memory_held = memory != 0;
	if (memory) {
		snprintf(text, sizeof(text), "%llu", (unsigned long long)memory);
		if ((e = write_text(dir, "memory.max", text))) {
			what = "memory.max";
		} else if ((e = write_text(dir, "memory.swap.max", "0")) == ENOENT) {
			/* No swap accounting: memory.max alone does not bound what
			 * the tree swaps out; the sampler, which counts swap, keeps
			 * the memory budget (the cgroup still holds pids). */
			e = 0;
			memory_held = false;
		} else if (e) {
			what = "memory.swap.max";
		}
	}
	if (!e && processes) {
		snprintf(text, sizeof(text), "%llu", (unsigned long long)processes);
		if ((e = write_text(dir, "pids.max", text)))
			what = "pids.max";
	}
	char procs[4096];
	if (!e && snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir) < (int)sizeof(procs) &&
	    (cg->procs_fd = open(procs, O_WRONLY | O_CLOEXEC)) < 0) {
		e = errno;
		what = "cgroup.procs";
	}
	if (e) {
		result_warn(r, "cannot set up the run's cgroup %s (%s: %s): the tree's budgets are sampled", dir, what,
		            strerror(e));
		run_cgroup_end(cg, NULL);
		return 0;
	}
	cg->memory = memory_held;
	cg->pids = processes != 0;
	if (!cg->memory && !cg->pids) { /* nothing for the kernel to hold */
		run_cgroup_end(cg, NULL);
		return 0;
	}
	return 0;
}

/* A "key value" line of dir/file, or -1. */
static long long stat_value(const char *dir, const char *file, const char *key)
{
	char path[4096], buf[4096];
	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path) || cordon_read_small_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	size_t k = strlen(key);
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, key, k) == 0 && l[k] == ' ')
			return strtoll(l + k + 1, NULL, 10);
	return -1;
}

bool run_cgroup_left(struct run_cgroup *cg)
{
	if (!cg->dir || cg->procs_fd < 0 || (!cg->memory && !cg->pids))
		return false;
	if (stat_value(cg->dir, "cgroup.events", "populated") != 0)
		return false;
	cg->memory = cg->pids = false;
	return true;
}

void run_cgroup_report(struct run_cgroup *cg, cordon_result *r)
{
	if (!cg->dir || cg->procs_fd < 0 || (!cg->memory && !cg->pids))
		return;
	char path[4096], buf[64];
	if (snprintf(path, sizeof(path), "%s/memory.peak", cg->dir) < (int)sizeof(path) &&
	    cordon_read_small_file(path, buf, sizeof(buf)) > 0) {
		unsigned long long peak = strtoull(buf, NULL, 10);
		if (peak > r->tree_memory_peak)
			r->tree_memory_peak = peak;
	}
	long long kills = stat_value(cg->dir, "memory.events", "oom_kill");
	if (kills > 0) {
		r->oom_killed = true;
		result_warn(r, "the run's cgroup memory limit was reached: %lld process%s killed by the OOM killer", kills,
		            kills == 1 ? "" : "es");
		if (r->status == ST_KILLED && !r->limit)
			r->limit = "memory";
	}
	r->enforced_by = "cgroup";
}

void run_cgroup_end(struct run_cgroup *cg, cordon_result *r)
{
	if (cg->procs_fd >= 0)
		close(cg->procs_fd);
	if (cg->dir && rmdir(cg->dir) < 0 && errno != ENOENT && r)
		result_warn(r, "cannot remove the run's cgroup %s: %s", cg->dir, strerror(errno));
	free(cg->dir);
	run_cgroup_init(cg);
}
