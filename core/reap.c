/*
 * core/reap.c - the process tree: the caller's children from before the run
 * (never touched), the program's leftovers found by walking /proc after the
 * program ended (killed, reaped, their CPU time added), and killing the
 * program without signalling a pid that something else reaped.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/close_range.h>


#include <cordon/modutil.h>

#include "internal.h"
#include "launch.h"

/* ---- process tree ---- */


bool pidset_has(const struct pidset *s, pid_t p)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == p)
			return true;
	return false;
}

int pidset_add(struct pidset *s, pid_t p)
{
	if (pidset_has(s, p))
		return 0;
	if (grow_array((void **)&s->v, &s->cap, s->n + 1, sizeof(pid_t)) < 0)
		return -1;
	s->v[s->n++] = p;
	return 0;
}

/* Parse the ppid out of /proc/PID/stat (after the last ')'). */
static pid_t stat_ppid(const char *pid)
{
	char path[300], buf[1024];
	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	char *rp = strrchr(buf, ')');
	int ppid;
	char state;
	if (!rp || sscanf(rp + 1, " %c %d", &state, &ppid) != 2)
		return -1;
	return ppid;
}

/* Our direct children (of every thread), except those in `skip`. */
int list_children(struct pidset *out, const struct pidset *skip)
{
	out->n = 0;
	pid_t self = getpid();
	DIR *tasks = opendir("/proc/self/task");
	bool have_children_files = false;
	if (tasks) {
		struct dirent *de;
		while ((de = readdir(tasks))) {
			if (de->d_name[0] == '.')
				continue;
			char path[300]; /* d_name is at most 255 bytes */
			snprintf(path, sizeof(path), "/proc/self/task/%s/children", de->d_name);
			int fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			have_children_files = true;
			struct strbuf sb = { 0 };
			char buf[4096];
			ssize_t n;
			while ((n = read(fd, buf, sizeof(buf))) > 0)
				sb_append(&sb, buf, (size_t)n);
			close(fd);
			for (char *p = sb.data, *end; p && *p; p = end) {
				long v = strtol(p, &end, 10);
				if (end == p)
					break;
				if (v > 0 && !pidset_has(skip, (pid_t)v))
					pidset_add(out, (pid_t)v);
			}
			sb_free(&sb);
		}
		closedir(tasks);
	}
	if (have_children_files)
		return 0;
	/* Without CONFIG_PROC_CHILDREN: scan every process for its parent. */
	DIR *proc = opendir("/proc");
	if (!proc)
		return -1;
	struct dirent *de;
	while ((de = readdir(proc))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (stat_ppid(de->d_name) == self) {
			pid_t v = (pid_t)strtol(de->d_name, NULL, 10);
			if (!pidset_has(skip, v))
				pidset_add(out, v);
		}
	}
	closedir(proc);
	return 0;
}

/* Whether a process is already on its way out: a zombie, exiting
 * (PF_EXITING in /proc/PID/stat's flags) or with SIGKILL pending (a
 * parent-death signal already sent, as for a wrapper's own pid 1 when the
 * wrapper exited first).  Such a process is reaped but not reported as left
 * running. */
static bool already_ending(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (cordon_read_small_file(path, buf, sizeof(buf)) <= 0)
		return false;
	const char *p = strrchr(buf, ')'); /* the command name may hold anything */
	if (!p || p[1] != ' ')
		return false;
	char state = p[2];
	if (state == 'Z' || state == 'X' || state == 'x')
		return true;
	/* Fields after the state: ppid pgrp session tty_nr tpgid flags (the
	 * sixth; f starts at the space before ppid). */
	const char *f = p + 3;
	for (int k = 0; k < 6 && f; k++) {
		f = strchr(f, ' ');
		if (f)
			f++;
	}
	if (f && (strtoul(f, NULL, 10) & 0x4u)) /* PF_EXITING */
		return true;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	char st[16384]; /* a long Groups: line fits; a longer file is refused, not cut */
	if (cordon_read_small_file(path, st, sizeof(st)) <= 0)
		return false;
	static const char *const keys[] = { "\nSigPnd:", "\nShdPnd:" };
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		const char *q = strstr(st, keys[k]);
		if (q && (strtoull(q + strlen(keys[k]), NULL, 16) & (1ull << (SIGKILL - 1))))
			return true;
	}
	return false;
}

/*
 * Kill every process the run left behind.  The supervisor is a child
 * subreaper, so when a process of the run dies its children become ours:
 * kill our children, reap them, and repeat until none is left.  A process
 * forked meanwhile has a parent that is about to die, so it surfaces in a
 * later round.
 */
/* acc += the CPU times of ru; acc's peak RSS the larger of the two. */
void rusage_add(struct rusage *acc, const struct rusage *ru)
{
	timeradd(&acc->ru_utime, &ru->ru_utime, &acc->ru_utime);
	timeradd(&acc->ru_stime, &ru->ru_stime, &acc->ru_stime);
	if (ru->ru_maxrss > acc->ru_maxrss)
		acc->ru_maxrss = ru->ru_maxrss;
	acc->ru_nvcsw += ru->ru_nvcsw;
	acc->ru_nivcsw += ru->ru_nivcsw;
}

/* Kill and reap what the program left (reparented to cordon, the
 * subreaper).  Their resource use (with that of every process they
 * reaped) is added to *acc when acc is not NULL: it is the program's too
 * (a wrapper's pid 1 that reaped the program, a daemon it started). */
int kill_leftovers(const struct pidset *preexisting, pid_t main_pid, cordon_result *r, struct rusage *acc)
{
	struct pidset kids = { 0 }, skip = { 0 };
	int killed = 0, unkillable = 0;
	for (size_t i = 0; i < preexisting->n; i++)
		pidset_add(&skip, preexisting->v[i]);
	pidset_add(&skip, main_pid);
	for (int round = 0; round < 10000; round++) {
		if (list_children(&kids, &skip) < 0) {
			if (r)
				result_warn(r, "cannot list the processes the program left (/proc unavailable): "
				               "some may still be running");
			break;
		}
		if (kids.n == 0)
			break;
		for (size_t i = 0; i < kids.n; i++) {
			bool ending = already_ending(kids.v[i]);
			kill(-kids.v[i], SIGKILL); /* its process group, if it leads one */
			if (kill(kids.v[i], SIGKILL) < 0 && errno == EPERM) {
				/* e.g. a set-user-ID program: leave it, do not wait on it */
				pidset_add(&skip, kids.v[i]);
				unkillable++;
				kids.v[i] = 0;
				continue;
			}
			if (!ending)
				killed++;
		}
		for (size_t i = 0; i < kids.n; i++) {
			struct rusage ru;
			memset(&ru, 0, sizeof(ru));
			pid_t w = -1;
			if (kids.v[i] > 0)
				while ((w = wait4(kids.v[i], NULL, __WALL, &ru)) < 0 && errno == EINTR)
					;
			if (w > 0 && acc)
				rusage_add(acc, &ru);
		}
	}
	free(kids.v);
	free(skip.v);
	if (killed && r)
		result_warn(r, "killed %d process%s the program left running", killed, killed == 1 ? "" : "es");
	if (unkillable && r)
		result_warn(r, "%d process%s the program started could not be killed (not permitted)", unkillable,
		            unkillable == 1 ? "" : "es");
	return killed;
}

/* Kill the program's process group and the program, unless something else
 * in this process already reaped it (then its pid may name another process
 * by now, and nothing is sent). */
void kill_main(pid_t pid, int pidfd)
{
	if (pidfd >= 0) {
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
			return;
		/* Unreaped, so its pid and process group are still its own. */
		kill(-pid, SIGKILL);
		(void)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		return;
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
}
