/*
 * modules/namespaces/cgroup.c - optional cgroup v2 limits for the whole tree.
 *
 *   cgroup: {path: /sys/fs/cgroup/delegated, memory: 256M, pids: 64, cpu: 1.5}
 *
 * prepare creates a child cgroup of `path` for the run, writes memory.max
 * (with memory.swap.max 0), pids.max and cpu.max, and opens its
 * cgroup.procs for the child (launch_pass_fd); in confine, pid 1 joins it
 * through that descriptor before anything of the sandbox forks (the kernel
 * checks the opener's credentials, cordon's own, not those of pid 1 in its
 * new user namespace) and only then creates the cgroup namespace, so the
 * sandbox sees that cgroup as its root; finish reads memory.events for OOM
 * kills and removes the cgroup.  A limit that cannot be applied (no cgroup
 * v2 there, controller not delegated) is a warning in the result naming the
 * limit: cordon never pretends a limit holds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>

#include "namespaces.h"
#include <cordon/modutil.h>

int ns_cgroup_open(cordon_ctx *ctx, struct ns_state *s)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	const cordon_node *n = cordon_arg(ctx, "cgroup");
	if (!n)
		return 0;
	static const char *const keys[] = { "path", "memory", "pids", "cpu", NULL };
	if (api->node_type(n) != CORDON_NODE_MAPPING)
		return cordon_error(ctx, n, "cgroup: expected a mapping {path, memory, pids, cpu}");
	if (api->node_check_keys(ctx, n, keys) < 0)
		return -1;
	const cordon_node *p = api->node_get(n, "path");
	const char *path = p ? api->node_scalar(p, NULL) : NULL;
	if (!path || path[0] != '/')
		return cordon_error(ctx, p ? p : n, "cgroup: path: expected the absolute path of a delegated cgroup v2 directory");
	s->cg.parent = strdup(path);
	if (!s->cg.parent)
		return cordon_error(ctx, n, "out of memory");
	const cordon_node *v;
	if ((v = api->node_get(n, "memory"))) {
		if (api->node_size(ctx, v, &s->cg.memory) < 0)
			return -1;
		if (s->cg.memory == CORDON_UNLIMITED)
			s->cg.memory = 0;
		else if (s->cg.memory < (1u << 20))
			return cordon_error(ctx, v, "cgroup: memory: at least 1M");
	}
	if ((v = api->node_get(n, "pids"))) {
		int64_t i;
		if (api->node_int(ctx, v, &i) < 0)
			return -1;
		if (i < 1 || i > 4194304)
			return cordon_error(ctx, v, "cgroup: pids: expected 1..4194304");
		s->cg.pids = (uint64_t)i;
	}
	if ((v = api->node_get(n, "cpu"))) {
		const char *t = api->node_scalar(v, NULL);
		char *end = NULL;
		errno = 0;
		double cpus = t ? strtod(t, &end) : 0;
		if (!t || end == t || *end || errno || !(cpus >= 0.01 && cpus <= 1024))
			return cordon_error(ctx, v, "cgroup: cpu: expected a number of CPUs between 0.01 and 1024 (e.g. 1.5)");
		s->cg.cpu_quota_us = (uint64_t)(cpus * 100000.0 + 0.5);
	}
	return 0;
}

static int write_at(const char *dir, const char *file, const char *text)
{
	char path[4096];
	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return ENAMETOOLONG;
	return cordon_write_file(path, text, strlen(text));
}

int ns_cgroup_prepare(cordon_ctx *ctx, struct ns_state *s)
{
	struct ns_cgroup *cg = &s->cg;
	if (!cg->parent)
		return 0;
	ns_cgroup_finish(NULL, s); /* a previous run's leftovers */
	struct statfs sf;
	if (statfs(cg->parent, &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC) {
		cordon_warning(ctx, "%s is not a cgroup v2 directory (%s): no cgroup limits (memory, "
		                    "pids, cpu) hold for this run",
		               cg->parent, errno ? strerror(errno) : "not cgroup2");
		return 0;
	}
	static const struct {
		const char *ctrl;
	} ctrls[] = { { "memory" }, { "pids" }, { "cpu" } };
	uint64_t want[] = { cg->memory, cg->pids, cg->cpu_quota_us };
	bool have[3];
	for (int i = 0; i < 3; i++) {
		have[i] = false;
		if (!want[i])
			continue;
		if (!cordon_file_lists_word(cg->parent, "cgroup.subtree_control", ctrls[i].ctrl) &&
		    cordon_file_lists_word(cg->parent, "cgroup.controllers", ctrls[i].ctrl)) {
			char plus[16];
			snprintf(plus, sizeof(plus), "+%s", ctrls[i].ctrl);
			(void)write_at(cg->parent, "cgroup.subtree_control", plus);
		}
		have[i] = cordon_file_lists_word(cg->parent, "cgroup.subtree_control", ctrls[i].ctrl);
		if (!have[i])
			cordon_warning(ctx, "the %s controller is not delegated to %s: the cgroup %s "
			                    "limit does not hold for this run",
			               ctrls[i].ctrl, cg->parent, ctrls[i].ctrl);
	}
	char *dir = NULL;
	if (asprintf(&dir, "%s/cordon-%ld-%u", cg->parent, (long)getpid(), cg->serial++) < 0)
		return cordon_error(ctx, NULL, "out of memory");
	if (mkdir(dir, 0755) < 0) {
		cordon_warning(ctx, "cannot create the run's cgroup %s (%s): no cgroup limits hold "
		                    "for this run",
		               dir, strerror(errno));
		free(dir);
		return 0;
	}
	cg->dir = dir;
	/* Opened here, with cordon's credentials; pid 1 joins through it. */
	char procs[4096];
	int fd = -1;
	if (snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir) >= (int)sizeof(procs))
		errno = ENAMETOOLONG;
	else
		fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		cordon_warning(ctx, "cannot open %s/cgroup.procs (%s): no cgroup limits hold for this run", dir,
		               strerror(errno));
		ns_cgroup_finish(NULL, s); /* nothing joins it: no limit is named */
		return 0;
	}
	if ((cg->procs_fd = cordon_api(ctx)->launch_pass_fd(ctx, fd)) < 0)
		return cordon_error(ctx, NULL, "cannot pass the cgroup descriptor to the child");
	char text[64];
	const char *what[] = { "memory.max", "pids.max", "cpu.max" };
	bool applied[3] = { false, false, false };
	for (int i = 0; i < 3; i++) {
		if (!have[i])
			continue;
		if (i == 2)
			snprintf(text, sizeof(text), "%" PRIu64 " 100000", want[i]);
		else
			snprintf(text, sizeof(text), "%" PRIu64, want[i]);
		int e = write_at(dir, what[i], text);
		if (e) {
			cordon_warning(ctx, "cannot write %s/%s (%s): that limit does not hold", dir,
			               what[i], strerror(e));
			continue;
		}
		applied[i] = true;
		if (i == 0 && (e = write_at(dir, "memory.swap.max", "0")) != 0 && e != ENOENT)
			cordon_warning(ctx, "cannot write %s/memory.swap.max (%s): the program may swap beyond "
			                    "memory.max",
			               dir, strerror(e));
	}
	/* Only the limits that were written are named to the core. */
	if (applied[0])
		cordon_api(ctx)->launch_limit(ctx, "memory", cg->memory);
	if (applied[1])
		cordon_api(ctx)->launch_limit(ctx, "processes", cg->pids);
	return 0;
}

/* In the child (pid 1), before anything forks and before the cgroup
 * namespace: join the run's cgroup. */
int ns_cgroup_join(const struct ns_state *s, const char **step)
{
	if (s->cg.procs_fd < 0)
		return 0;
	int e = cordon_write_all(s->cg.procs_fd, "0\n", 2);
	close(s->cg.procs_fd);
	if (e)
		*step = "join the run's cgroup (write cgroup.procs)";
	return e;
}

/* Finish runs while pid 1, which reported the program's end, still exits
 * (the core reaps it after the finish phase): rmdir fails with EBUSY until
 * the kernel has taken it out of the cgroup.  Retried after 0.25 ms, the
 * wait doubling up to 10 ms, for about a second in all (cgroup.events
 * would tell, but the kernel rate-limits its notifications to one per
 * 10 ms; each rmdir takes the kernel's cgroup lock, so a slow exit is not
 * polled thousands of times).  0 or the errno of the last rmdir. */
static int remove_when_empty(const char *dir)
{
	int e = rmdir(dir) < 0 ? errno : 0;
	long wait_ns = 250000, waited_ns = 0;
	while (e == EBUSY && waited_ns < 1000000000L) {
		struct timespec t = { 0, wait_ns };
		(void)nanosleep(&t, NULL);
		waited_ns += wait_ns;
		if (wait_ns < 10000000L)
			wait_ns = wait_ns * 2 > 10000000L ? 10000000L : wait_ns * 2;
		e = rmdir(dir) < 0 ? errno : 0;
	}
	return e;
}

void ns_cgroup_finish(cordon_ctx *ctx, struct ns_state *s)
{
	struct ns_cgroup *cg = &s->cg;
	if (!cg->dir)
		return;
	char path[4096], buf[4096];
	if (ctx && snprintf(path, sizeof(path), "%s/memory.events", cg->dir) < (int)sizeof(path)) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ssize_t n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n > 0) {
				buf[n] = '\0';
				char *p = strstr(buf, "oom_kill ");
				long kills = p ? strtol(p + 9, NULL, 10) : 0;
				if (kills > 0) {
					cordon_warning(ctx, "the cgroup memory limit was reached: %ld process%s "
					                    "killed by the OOM killer",
					               kills, kills == 1 ? "" : "es");
					if (CORDON_API_HAS(ctx, result_limit))
						(void)cordon_api(ctx)->result_limit(ctx, "memory");
				}
			}
		}
	}
	int e = ctx ? remove_when_empty(cg->dir) : rmdir(cg->dir) < 0 ? errno : 0;
	if (e && e != ENOENT && ctx)
		cordon_warning(ctx, "cannot remove the run's cgroup %s: %s", cg->dir, strerror(e));
	free(cg->dir);
	cg->dir = NULL;
	cg->procs_fd = -1;
}

void ns_cgroup_free(struct ns_state *s)
{
	ns_cgroup_finish(NULL, s);
	free(s->cg.parent);
	s->cg.parent = NULL;
}
