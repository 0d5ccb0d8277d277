/*
 * core/child.c - the child between fork and exec, and the namespaced clone.
 *
 * Order in the child (between fork and exec only async-signal-safe calls):
 *
 *   1. default signal dispositions (the mask stays blocked until 4)
 *   2. setsid(): own session and process group
 *   3. PR_SET_PDEATHSIG(SIGKILL): die with the supervisor
 *   4. descriptors: 0 input, 1/2 pipes, 3.. sealed sources, then the control
 *      socket (close-on-exec); everything else closed; signal mask cleared
 *   5. confine hooks in stack order (rlimits, namespaces, caps, seccomp...)
 *   6. execve with the policy's environment only
 *
 * Any failure in 2-6 is written to the control socket as one fixed-size record
 * (struct ctl_rec) and the child exits without exec: the supervisor reports
 * it, nothing ran.  With launch_clone_ns (a module asked for the child to be
 * created in new namespaces) the child is pid 1 there: it waits for the
 * supervisor to write its uid/gid maps, forks the program and reports the
 * program's wait status (REC_STATUS) before it exits.
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
#include <sys/socket.h>
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

/* launch_clone_ns: which namespace flags a module may ask for. */
#define CLONE_NS_ALLOWED                                                                                     \
	((unsigned long)(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP | \
	                 CLONE_NEWNET))

/* A copy of run's request, if it made one.  The request lives in the run
 * (each run's own structure, touched only by the thread running it). */
bool clone_req_get(const struct run *run, struct clone_req *out)
{
	if (!run->clone.requested)
		return false;
	*out = run->clone;
	return true;
}

void clone_req_drop(struct run *run)
{
	memset(&run->clone, 0, sizeof(run->clone));
	run->clone.pending_fd = -1;
}

void clone_req_status(struct run *run, int status, const struct exit_report *usage)
{
	if (!run->clone.requested)
		return;
	run->clone.have_status = true;
	run->clone.status = status;
	run->clone.usage = *usage;
}

void clone_req_pending(struct run *run, pid_t pid, int pidfd)
{
	run->clone.pending = pid;
	run->clone.pending_fd = pidfd;
}

/* Reap the child of a run that ended on its report (it was exiting then:
 * its own teardown - memory, mount namespace - overlapped with the finish
 * phase).  Blocks until it is gone: nothing of the run outlives cordon_run. */
void clone_req_reap(struct run *run)
{
	struct clone_req req;
	if (!clone_req_get(run, &req) || req.pending <= 0)
		return;
	/* It is exiting by now (the report is its last act).  Should it not
	 * be - a process of the sandbox that gained the capabilities of its
	 * user namespace could forge the report through pid 1 - SIGKILL ends
	 * it and with it the pid namespace, so the wait below is bounded and
	 * nothing outlives the run.  (The pidfd, not the pid: it is unreaped,
	 * but the pidfd cannot name another process in any case.) */
	if (req.pending_fd >= 0)
		(void)syscall(SYS_pidfd_send_signal, req.pending_fd, SIGKILL, NULL, 0);
	else
		(void)kill(req.pending, SIGKILL);
	while (waitpid(req.pending, NULL, __WALL) < 0 && errno == EINTR)
		;
	if (req.pending_fd >= 0)
		close(req.pending_fd);
	clone_req_pending(run, 0, -1);
}


int run_clone_ns(struct run *run, unsigned long flags, unsigned uid, unsigned gid, unsigned host_uid,
                 unsigned host_gid, const char **why)
{
	unsigned long need = (unsigned long)(CLONE_NEWUSER | CLONE_NEWPID);
	if (!run || (flags & ~CLONE_NS_ALLOWED) || (flags & need) != need) {
		*why = "flags must hold CLONE_NEWUSER and CLONE_NEWPID and only namespace flags";
		return -1;
	}
	if (uid == (unsigned)-1 || gid == (unsigned)-1) {
		*why = "uid and gid must be valid ids";
		return -1;
	}
	if (geteuid() == 0 && (host_uid == 0 || host_gid == 0 || host_uid == (unsigned)-1 || host_gid == (unsigned)-1)) {
		*why = "as root, host_uid and host_gid must be valid non-zero ids";
		return -1;
	}
	clone_req_drop(run);
	run->clone.requested = true;
	run->clone.flags = flags;
	run->clone.uid = uid;
	run->clone.gid = gid;
	run->clone.host_uid = host_uid;
	run->clone.host_gid = host_gid;
	return 0;
}

int run_child_exit_status(const struct cordon_child *child, int wstatus)
{
	if (!child || child->control_fd < 0) {
		errno = EBADF;
		return -1;
	}
	struct ctl_rec rec;
	memset(&rec, 0, sizeof(rec));
	rec.kind = REC_STATUS;
	rec.entry = -1;
	rec.err = wstatus;
	/* The CPU time and peak memory wait4 would have given for this
	 * process: its own and its reaped children's (the whole pid
	 * namespace, which the caller has emptied). */
	struct rusage self, kids;
	if (getrusage(RUSAGE_SELF, &self) < 0 || getrusage(RUSAGE_CHILDREN, &kids) < 0)
		return -1;
	struct exit_report u = {
		.utime_us = (int64_t)self.ru_utime.tv_sec * 1000000 + self.ru_utime.tv_usec +
		            (int64_t)kids.ru_utime.tv_sec * 1000000 + kids.ru_utime.tv_usec,
		.stime_us = (int64_t)self.ru_stime.tv_sec * 1000000 + self.ru_stime.tv_usec +
		            (int64_t)kids.ru_stime.tv_sec * 1000000 + kids.ru_stime.tv_usec,
		.maxrss_kb = self.ru_maxrss > kids.ru_maxrss ? self.ru_maxrss : kids.ru_maxrss,
	};
	_Static_assert(sizeof(u) <= sizeof(rec.text), "the report fits a record");
	memcpy(rec.text, &u, sizeof(u));
	ssize_t w;
	do
		w = write(child->control_fd, &rec, sizeof(rec));
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)sizeof(rec)) {
		if (w >= 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

/* The supervisor, right after the clone: the child's one-line maps (see
 * launch_clone_ns).  0 or an errno, with the file that failed in *what. */
int write_child_maps(pid_t pid, const struct clone_req *req, const char **what)
{
	bool root = geteuid() == 0;
	char path[64], line[64];
	const char *files[3] = { "setgroups", "uid_map", "gid_map" };
	for (int i = root ? 1 : 0; i < 3; i++) {
		int n = i == 0   ? snprintf(line, sizeof(line), "deny\n")
		        : i == 1 ? snprintf(line, sizeof(line), "%u %u 1\n", req->uid,
		                            root ? req->host_uid : (unsigned)geteuid())
		                 : snprintf(line, sizeof(line), "%u %u 1\n", req->gid,
		                            root ? req->host_gid : (unsigned)getegid());
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, files[i]);
		*what = files[i];
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return errno;
		ssize_t w = write(fd, line, (size_t)n);
		int e = w == n ? 0 : w < 0 ? errno : EIO;
		close(fd);
		if (e)
			return e;
	}
	return 0;
}

/* In the child only: which stack entry is confining now. */
static int child_entry = -1;
static int child_ctl_fd = -1;

static void child_send(int kind, int entry, int err, const char *text)
{
	struct ctl_rec rec;
	memset(&rec, 0, sizeof(rec));
	rec.kind = kind;
	rec.entry = entry;
	rec.err = err;
	if (text) {
		size_t i = 0;
		for (; i < sizeof(rec.text) - 1 && text[i]; i++)
			rec.text[i] = text[i];
		rec.text[i] = '\0';
	}
	if (child_ctl_fd >= 0) {
		ssize_t w;
		do
			w = write(child_ctl_fd, &rec, sizeof(rec));
		while (w < 0 && errno == EINTR);
	}
}

void child_note(const struct cordon_child *c, const char *msg)
{
	(void)c;
	child_send(REC_NOTE, child_entry, 0, msg);
}

/* give_output: the record and, as SCM_RIGHTS, the directory of /output's
 * tmpfs, on the control socket (any process of the child may call it before
 * the exec: the namespaces module's pid 2 does). */
int child_give_output(const struct cordon_child *c, int dirfd)
{
	if (!c || c->control_fd < 0 || dirfd < 0)
		return EBADF;
	struct ctl_rec rec;
	memset(&rec, 0, sizeof(rec));
	rec.kind = REC_OUTPUT_FD;
	rec.entry = child_entry;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct iovec iov = { .iov_base = &rec, .iov_len = sizeof(rec) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &dirfd, sizeof(int));
	ssize_t w;
	do
		w = sendmsg(c->control_fd, &mh, MSG_NOSIGNAL);
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)sizeof(rec))
		return w < 0 ? errno : EIO;
	return 0;
}

static __attribute__((noreturn)) void child_fail(int kind, int err, const char *step)
{
	child_send(kind, child_entry, err, step);
	_exit(kind == REC_EXEC_FAIL && (err == ENOENT || err == ENOTDIR || err == EACCES || err == ENOEXEC)
	              ? CORDON_EXIT_NOTFOUND
	              : CORDON_EXIT_ERROR);
}

/* glibc keeps two real-time signals for itself and its sigaction refuses
 * them; an ignored disposition inherited from cordon's own parent would
 * survive execve.  Reset them with the raw system call. */
static void reset_reserved_signals(void)
{
#if defined(__x86_64__) || defined(__aarch64__) || defined(__i386__)
	struct {
		void *handler;
		unsigned long flags;
		void *restorer;
		unsigned long mask;
	} ksa;
	memset(&ksa, 0, sizeof(ksa)); /* SIG_DFL */
	for (int s = 32; s < SIGRTMIN; s++)
		(void)syscall(SYS_rt_sigaction, s, &ksa, NULL, sizeof(ksa.mask));
#endif
}

/*
 * The child's copy of cordon's command line and environment, wiped: where
 * the child does not exec (the namespaces module's pid 1, the sandbox's
 * reaper) the program would read them at /proc/1/cmdline and
 * /proc/1/environ: host paths, the policy's name, the caller's whole
 * environment.  The command line becomes "cordon-init".  Only this
 * process's copy is touched (the pages are copied on write); the areas are
 * found in /proc/self/stat (fields 48-51), read without allocating.
 * Async-signal-safe; a failure leaves the areas as they were.
 */
static void wipe_own_cmdline(void)
{
	char buf[1024];
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	char *p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
	if (!p)
		return;
	/* After ")": field 3 (state) on; arg_start is field 48. */
	unsigned long v[4] = { 0, 0, 0, 0 };
	int field = 2;
	for (p++; *p && field < 51;) {
		while (*p == ' ')
			p++;
		field++;
		unsigned long x = 0;
		while (*p >= '0' && *p <= '9')
			x = x * 10 + (unsigned long)(*p++ - '0');
		while (*p && *p != ' ')
			p++;
		if (field >= 48)
			v[field - 48] = x;
	}
	if (field < 51)
		return;
	static const char name[] = "cordon-init";
	if (v[1] > v[0] && v[1] - v[0] < (1ul << 30)) {
		char *a = (char *)v[0];
		size_t len = v[1] - v[0];
		memset(a, 0, len);
		if (len > sizeof(name))
			memcpy(a, name, sizeof(name));
	}
	if (v[3] > v[2] && v[3] - v[2] < (1ul << 30))
		memset((char *)v[2], 0, v[3] - v[2]);
}

__attribute__((noreturn)) void child_main(const struct launch *L)
{
	child_ctl_fd = L->ctl_w;
	pid_t self = getpid();
	wipe_own_cmdline();

	/* 0. Created in new namespaces: wait for the supervisor to write the
	 * user namespace's maps; as root, leave host uid 0 at once. */
	if (L->cloned) {
		close(L->sync_w);
		char go;
		ssize_t n;
		do
			n = read(L->sync_r, &go, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			_exit(CORDON_EXIT_ERROR); /* the supervisor failed or is gone */
		if (L->child.flags & CORDON_CHILD_ROOT) {
			if (setgroups(0, NULL) < 0)
				child_fail(REC_SETUP_FAIL, errno, "setgroups(0) in the new user namespace");
			if (setresgid(L->gid, L->gid, L->gid) < 0)
				child_fail(REC_SETUP_FAIL, errno, "setresgid in the new user namespace");
			if (setresuid(L->uid, L->uid, L->uid) < 0)
				child_fail(REC_SETUP_FAIL, errno, "setresuid in the new user namespace");
		}
	}

	/* 0b. The run's cgroup (core/cgroup.c), before anything forks: the
	 * descriptor was opened by the supervisor, whose credentials the
	 * kernel checks, so this holds in a new user namespace too. */
	if (L->cgroup_fd >= 0) {
		int e = cordon_write_all(L->cgroup_fd, "0\n", 2);
		if (e)
			child_fail(REC_SETUP_FAIL, e, "join the run's cgroup (cgroup.procs)");
	}

	/* 1. Default dispositions for every signal the parent may handle. */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		(void)sigaction(s, &sa, NULL); /* fails harmlessly for SIGKILL, SIGSTOP, reserved */
	reset_reserved_signals();

	/* 2-3. Own session; die with the supervisor. */
	if (setsid() < 0)
		child_fail(REC_SETUP_FAIL, errno, "setsid");
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		child_fail(REC_SETUP_FAIL, errno, "prctl(PR_SET_PDEATHSIG)");
	if (L->cloned) {
		/* The supervisor is in another pid namespace (getppid() is 0):
		 * it holds the other end of sync_r open until the run ends. */
		struct pollfd pf = { .fd = L->sync_r, .events = POLLIN };
		if (poll(&pf, 1, 0) != 0)
			_exit(CORDON_EXIT_ERROR); /* end of file: the supervisor is gone */
		close(L->sync_r);
	} else if (getppid() != L->parent) {
		_exit(CORDON_EXIT_ERROR); /* the supervisor is already gone */
	}

	/* 4. Descriptors.  First move everything above every target so that
	 * no dup2 below overwrites a descriptor still to be moved. */
	int in = fcntl(L->stdin_fd, F_DUPFD_CLOEXEC, L->high);
	int out = fcntl(L->out_w, F_DUPFD_CLOEXEC, L->high);
	int err = fcntl(L->err_w, F_DUPFD_CLOEXEC, L->high);
	int ctl = fcntl(L->ctl_w, F_DUPFD_CLOEXEC, L->high);
	if (in < 0 || out < 0 || err < 0 || ctl < 0)
		child_fail(REC_SETUP_FAIL, errno, "fcntl(F_DUPFD_CLOEXEC)");
	child_ctl_fd = ctl;
	int src_hi[64], pass_hi[RUN_MAX_PASS_FDS];
	for (int i = 0; i < L->n_src; i++) {
		src_hi[i] = fcntl(L->src_fds[i], F_DUPFD_CLOEXEC, L->high);
		if (src_hi[i] < 0)
			child_fail(REC_SETUP_FAIL, errno, "fcntl(F_DUPFD_CLOEXEC)");
	}
	for (int i = 0; i < L->n_pass; i++) {
		pass_hi[i] = fcntl(L->pass_fds[i], F_DUPFD_CLOEXEC, L->high);
		if (pass_hi[i] < 0)
			child_fail(REC_SETUP_FAIL, errno, "fcntl(F_DUPFD_CLOEXEC)");
	}
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		child_fail(REC_SETUP_FAIL, errno, "dup2(stdio)");
	for (int i = 0; i < L->n_src; i++)
		if (dup2(src_hi[i], 3 + i) < 0)
			child_fail(REC_SETUP_FAIL, errno, "dup2(source)");
	int ctl_fd = 3 + L->n_src;
	if (dup3(ctl, ctl_fd, O_CLOEXEC) < 0)
		child_fail(REC_SETUP_FAIL, errno, "dup3(control)");
	child_ctl_fd = ctl_fd;
	/* Descriptors modules passed (launch_pass_fd) follow the control
	 * socket; they stay open for confine hooks only (close-on-exec below). */
	for (int i = 0; i < L->n_pass; i++)
		if (dup3(pass_hi[i], ctl_fd + 1 + i, O_CLOEXEC) < 0)
			child_fail(REC_SETUP_FAIL, errno, "dup3(passed descriptor)");
	int keep_to = ctl_fd + L->n_pass;
	if (syscall(SYS_close_range, (unsigned)keep_to + 1, ~0u, 0) < 0) {
		struct rlimit rl;
		long max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY &&
		                           rl.rlim_max < 1048576
		                   ? (long)rl.rlim_max
		                   : 1048576;
		for (long fd = keep_to + 1; fd < max; fd++)
			(void)close((int)fd);
	}
	sigset_t none;
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		child_fail(REC_SETUP_FAIL, errno, "sigprocmask");

	/* 5. Confinement, in stack order. */
	struct cordon_child child = L->child;
	child.control_fd = ctl_fd;
	for (size_t i = 0; i < L->n_conf; i++) {
		const struct confiner *c = &L->conf[i];
		const char *step = NULL;
		child_entry = c->index;
		pid_t before = getpid();
		int e = c->confine(c->state, &child, &step);
		if (e != 0) {
			/* A hook that forked (into a pid namespace) and failed in the
			 * new process left it in a state no later hook expects:
			 * fail closed, optional or not. */
			if (c->optional && getpid() == before) {
				child_send(REC_OPTIONAL_FAIL, c->index, e, step ? step : "confine");
				continue;
			}
			child_fail(REC_CONFINE_FAIL, e, step ? step : "confine");
		}
	}
	child_entry = -1;

	/* Whatever a hook opened without O_CLOEXEC does not reach the program. */
	(void)syscall(SYS_close_range, (unsigned)ctl_fd + 1, ~0u, CLOSE_RANGE_CLOEXEC);
	/* ...except what a module passed for the wrapper command to read
	 * (CORDON_FD_KEEP_EXEC: bwrap --seccomp FD). */
	for (int i = 0; i < L->n_pass; i++)
		if (L->pass_keep[i] && fcntl(ctl_fd + 1 + i, F_SETFD, 0) < 0)
			child_fail(REC_SETUP_FAIL, errno, "fcntl(F_SETFD) of a passed descriptor");
	/* No privileges gained through execve of set-user-ID files, ever (as
	 * bubblewrap); a seccomp module relies on it too. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail(REC_SETUP_FAIL, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
	/* A hook that changed credentials cleared the parent-death signal; set
	 * it again.  (A hook that forked into a new pid namespace handles its
	 * own: this process is then not the supervisor's child.) */
	if (L->cloned && getpid() == self)
		child_fail(REC_SETUP_FAIL, EPROTO,
		           "launch_clone_ns: no confine hook forked the program's process (pid 1 does not run it)");
	if (getpid() == self) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
			child_fail(REC_SETUP_FAIL, errno, "prctl(PR_SET_PDEATHSIG)");
		if (getppid() != L->parent)
			_exit(CORDON_EXIT_ERROR);
	}

	/* 6. Run. */
	child_send(REC_EXEC, -1, 0, NULL);
	execve(L->path, L->argv, L->envp);
	child_fail(REC_EXEC_FAIL, errno, L->path);
}

/* Resolve a command name on PATH (from the child's environment). */
char *resolve_command(const char *cmd, const struct strv *env)
{
	if (strchr(cmd, '/'))
		return xstrdup(cmd);
	const char *path = DEFAULT_PATH;
	for (size_t i = 0; i < env->n; i++)
		if (strncmp(env->v[i], "PATH=", 5) == 0)
			path = env->v[i] + 5;
	const char *p = path;
	while (*p) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		/* An empty entry would mean cordon's working directory: skipped. */
		char *cand = n ? xasprintf("%.*s/%s", (int)n, p, cmd) : NULL;
		struct stat st;
		if (cand && stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			return cand;
		free(cand);
		p += n;
		if (*p == ':')
			p++;
	}
	return NULL;
}
