/*
 * core/budget.c - resource budgets for the whole process tree, enforced by
 * the supervisor.
 *
 * setrlimit bounds each process: three workers under `memory: 256M` may
 * hold 768M at once, and each has its own CPU allowance.  The policy's
 * memory, cpu and processes limits are also budgets for the program's
 * whole tree: every SAMPLE interval the supervisor reads /proc, finds every
 * process below it that is not one of the caller's own children from
 * before the run (the program, what it started, and what it left behind,
 * reparented to cordon, the subreaper), and adds up
 *
 *   memory     proportional set size plus proportional swap of each process
 *              (smaps_rollup: shared pages counted once over the tree, so
 *              forked workers are not charged for the pages they share),
 *              else resident set size;
 *   cpu        user and system time of each live process plus what it
 *              reaped (cutime, cstime), never decreasing;
 *   processes  threads of every process (as pids.max counts).
 *
 * The first sample over a budget ends the run: the whole tree is killed
 * and the result names the limit ("memory", "cpu", "processes").  This
 * holds on any host (no cgroup needed) and for every backend.  What it
 * cannot see: a process that lives and dies between two samples and whose
 * parent did not reap it (SIGCHLD ignored) - its CPU time is lost; memory
 * allocated and freed between two samples.  The worst overshoot is what the
 * tree can allocate or burn in one interval (each process still bounded by
 * its own rlimits).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

struct proc {
	pid_t pid, ppid;
	uint64_t cpu_ticks; /* utime + stime + cutime + cstime */
	uint64_t rss_pages;
	uint64_t threads;
	int state; /* 0 unknown, 1 in the tree, 2 not */
};

/* Read a small /proc file into buf (NUL-terminated); length or -1. */
static ssize_t read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t got = 0;
	while (got < cap - 1) {
		ssize_t n = read(fd, buf + got, cap - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

/* Fields of /proc/PID/stat after the command name: 4 ppid, 14-17 times,
 * 20 threads, 24 rss. */
static bool parse_stat(const char *buf, struct proc *p)
{
	const char *s = strrchr(buf, ')');
	if (!s)
		return false;
	unsigned long long v[25] = { 0 };
	int field = 2;
	for (s++; *s && field < 24;) {
		while (*s == ' ')
			s++;
		field++;
		if (field == 3) { /* the state letter */
			while (*s && *s != ' ')
				s++;
			continue;
		}
		unsigned long long x = 0;
		bool neg = *s == '-';
		if (neg)
			s++;
		while (*s >= '0' && *s <= '9')
			x = x * 10 + (unsigned long long)(*s++ - '0');
		while (*s && *s != ' ')
			s++;
		v[field] = neg ? 0 : x;
	}
	if (field < 24)
		return false;
	p->ppid = (pid_t)v[4];
	p->cpu_ticks = v[14] + v[15] + v[16] + v[17];
	p->threads = v[20];
	p->rss_pages = v[24];
	return true;
}

/* Pss + SwapPss of a process, in bytes; -1 when unreadable. */
static long long pss_bytes(pid_t pid)
{
	char path[48], buf[2048];
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return -1;
	long long total = 0;
	bool seen = false;
	for (const char *line = buf; line && *line;) {
		unsigned long long kb;
		if (sscanf(line, "Pss: %llu kB", &kb) == 1 || sscanf(line, "SwapPss: %llu kB", &kb) == 1) {
			total += (long long)kb * 1024;
			seen = true;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return seen ? total : -1;
}

static int by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct proc *)a)->pid, y = ((const struct proc *)b)->pid;
	return (x > y) - (x < y);
}

static struct proc *find(struct proc *v, size_t n, pid_t pid)
{
	struct proc key = { .pid = pid };
	return bsearch(&key, v, n, sizeof(*v), by_pid);
}

/* Whether p is in the tree: below `self` through one of its children that
 * is not in `pre`.  Memoised in state. */
static bool in_tree(struct proc *v, size_t n, struct proc *p, pid_t self, const pid_t *pre, size_t n_pre)
{
	struct proc *chain[64];
	size_t depth = 0;
	bool in = false;
	for (struct proc *q = p; q;) {
		if (q->state) {
			in = q->state == 1;
			break;
		}
		if (q->ppid == self) {
			in = true;
			for (size_t i = 0; i < n_pre; i++)
				if (pre[i] == q->pid)
					in = false;
			q->state = in ? 1 : 2;
			break;
		}
		if (depth < ARRAY_SIZE(chain))
			chain[depth++] = q;
		if (q->ppid <= 1 || q->ppid == q->pid)
			break;
		q = find(v, n, q->ppid);
	}
	for (size_t i = 0; i < depth; i++)
		chain[i]->state = in ? 1 : 2;
	return in;
}

int budget_sample(struct budget *b, const pid_t *pre, size_t n_pre)
{
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	size_t n = 0, cap = 0;
	struct proc *v = NULL;
	struct dirent *de;
	char path[48], buf[1024];
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		struct proc p = { .pid = (pid_t)pid };
		if (read_small(path, buf, sizeof(buf)) <= 0 || !parse_stat(buf, &p))
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 512;
			struct proc *nv = realloc(v, nc * sizeof(*nv));
			if (!nv)
				break;
			v = nv;
			cap = nc;
		}
		v[n++] = p;
	}
	closedir(d);
	qsort(v, n, sizeof(*v), by_pid);
	uint64_t mem = 0, ticks = 0, threads = 0;
	long page = sysconf(_SC_PAGESIZE);
	for (size_t i = 0; i < n; i++) {
		if (!in_tree(v, n, &v[i], b->self, pre, n_pre))
			continue;
		ticks += v[i].cpu_ticks;
		threads += v[i].threads;
		if (b->max_memory) {
			long long pss = pss_bytes(v[i].pid);
			mem += pss >= 0 ? (uint64_t)pss : v[i].rss_pages * (uint64_t)(page > 0 ? page : 4096);
		}
	}
	free(v);
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t cpu_ns = ticks * (1000000000ull / (uint64_t)(hz > 0 ? hz : 100));
	if (cpu_ns > b->cpu_ns)
		b->cpu_ns = cpu_ns;
	if (mem > b->peak_memory)
		b->peak_memory = mem;
	if (threads > b->peak_processes)
		b->peak_processes = threads;
	b->samples++;
	if (!b->exceeded) {
		if (b->max_memory && mem > b->max_memory)
			b->exceeded = "memory";
		else if (b->max_cpu_ns && b->cpu_ns > b->max_cpu_ns)
			b->exceeded = "cpu";
		else if (b->max_processes && threads > b->max_processes)
			b->exceeded = "processes";
	}
	return b->exceeded != NULL;
}
