/*
 * modules/namespaces/namespaces.c - isolation backend: user, mount, pid,
 * network, IPC, UTS and cgroup namespaces; a read-only view entered with
 * pivot_root; a pid-1 reaper.  Honours --output-dir (at /output) and
 * --bind-ro (at the same path).
 *
 *   with:
 *     network: none        none (a fresh network namespace with loopback only) or host
 *     hostname: cordon     the sandbox's host name
 *     uid: 65534           uid and gid inside the sandbox
 *     gid: 65534
 *     host_uid: 65534      when cordon runs as root: the host ids the sandbox runs as (never 0)
 *     host_gid: 65534
 *     bind_ro: [/opt/x]    more host paths, read-only at the same path (must exist)
 *     default_binds: true  /usr, /bin, /lib*, /sbin and the /etc files python3 and coreutils need
 *     tmp_size: 64M        /tmp tmpfs size; tmp_inodes: 16384
 *     shm_size: 16M        /dev/shm tmpfs size
 *     exec_tmp: false      /tmp, /dev/shm and /output are noexec unless true
 *     nested_userns: false user namespaces inside the sandbox
 *     cgroup: {path: DIR, memory: 256M, pids: 64, cpu: 1.5}   see cgroup.c
 *
 * One launch (see README.md for why).  prepare asks the core to create its
 * child directly in new user, mount, pid, IPC and UTS namespaces
 * (launch_clone_ns, ABI 1.2); the supervisor writes the one-line uid and gid
 * maps (inside id -> cordon's own id, or host_uid/host_gid as root: no
 * sandbox process is ever host root), and the child joins the core's own
 * cgroup for the run, if any, before the hooks run.
 *
 *   pid 1 (the core's child, the reaper)
 *     not dumpable; joins the policy's cgroup (cgroup: {path}, through a
 *     cgroup.procs descriptor opened in prepare), then creates the cgroup
 *     namespace, so that the sandbox's cgroup root is the run's cgroup;
 *     forks pid 2; creates the network namespace (while pid 2 mounts) and
 *     sends pid 2 a descriptor of it; detaches the old root once pid 2 has
 *     called pivot_root; closes every descriptor but the control socket,
 *     drops its capabilities; forwards TERM, INT, HUP, QUIT, USR1, USR2,
 *     WINCH, CONT to pid 2; reaps orphans; when pid 2 ends, kills and reaps
 *     whatever is left in the pid namespace (a double-forked daemon does
 *     not survive) and reports pid 2's status to the supervisor
 *     (child_exit_status).
 *   pid 2
 *     dies with pid 1; mounts (mount.c), hostname; enters the network
 *     namespace pid 1 sent, loopback; takes the sandbox ids; waits for the
 *     old root's detach; returns from the hook, so the later hooks (caps,
 *     seccomp) run in it and the core execs the program.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/close_range.h>

#include "namespaces.h"
#include <cordon/modutil.h>

#define T_1 1099511627776ll /* 1T */
#define NS_EXIT_ERROR 125 /* as cordon itself failing */

static const struct cordon_arg args[] = {
	{ "network", CORDON_ARG_STRING, 0, 0, 0, "none (loopback only, the default) or host" },
	{ "hostname", CORDON_ARG_STRING, 0, 0, 0, "host name inside (default cordon)" },
	{ "uid", CORDON_ARG_INT, 0, 0, 4294967294ll, "uid inside the sandbox (default 65534)" },
	{ "gid", CORDON_ARG_INT, 0, 0, 4294967294ll, "gid inside the sandbox (default 65534)" },
	{ "host_uid", CORDON_ARG_INT, 0, 1, 4294967294ll, "as root: host uid the sandbox runs as (default 65534)" },
	{ "host_gid", CORDON_ARG_INT, 0, 1, 4294967294ll, "as root: host gid the sandbox runs as (default 65534)" },
	{ "bind_ro", CORDON_ARG_STRINGS, 0, 0, 0, "host paths visible read-only at the same path" },
	{ "default_binds", CORDON_ARG_BOOL, 0, 0, 0, "bind /usr, /bin, /lib*, /sbin and some /etc files (default true)" },
	{ "tmp_size", CORDON_ARG_SIZE, 0, 65536, T_1, "size of the /tmp tmpfs (default 64M)" },
	{ "tmp_inodes", CORDON_ARG_INT, 0, 16, 16777216, "inodes of the /tmp tmpfs (default 16384)" },
	{ "shm_size", CORDON_ARG_SIZE, 0, 65536, T_1, "size of the /dev/shm tmpfs (default 16M)" },
	{ "exec_tmp", CORDON_ARG_BOOL, 0, 0, 0, "allow exec from /tmp, /dev/shm and /output (default false)" },
	{ "nested_userns", CORDON_ARG_BOOL, 0, 0, 0, "allow user namespaces inside (default false)" },
	{ "cgroup", CORDON_ARG_MAPPING, 0, 0, 0, "{path: delegated cgroup v2 dir, memory, pids, cpu}" },
	{ NULL, 0, 0, 0, 0, NULL },
};

static int get_int(cordon_ctx *ctx, const char *name, int64_t dflt, int64_t *out)
{
	const cordon_node *n = cordon_arg(ctx, name);
	*out = dflt;
	return n ? cordon_api(ctx)->node_int(ctx, n, out) : 0;
}

static int get_bool(cordon_ctx *ctx, const char *name, bool *out)
{
	const cordon_node *n = cordon_arg(ctx, name);
	int v = *out;
	if (n && cordon_api(ctx)->node_bool(ctx, n, &v) < 0)
		return -1;
	*out = v != 0;
	return 0;
}

static int get_size(cordon_ctx *ctx, const char *name, uint64_t dflt, uint64_t *out)
{
	const cordon_node *n = cordon_arg(ctx, name);
	*out = dflt;
	return n ? cordon_api(ctx)->node_size(ctx, n, out) : 0;
}

static void add_file(struct ns_state *s, const char *dst, char *data)
{
	s->files[s->n_files++] = (struct ns_file){ .dst = dst, .data = data, .len = strlen(data) };
}

static int ns_open(cordon_ctx *ctx, void **statep)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	struct ns_state *s = calloc(1, sizeof(*s));
	if (!s)
		return cordon_error(ctx, NULL, "out of memory");
	*statep = s;
	s->cg.procs_fd = -1;
	/* The one launch: the core's child is pid 1 of the namespaces. */
	if (!CORDON_API_HAS(ctx, launch_clone_ns) || !CORDON_API_HAS(ctx, child_exit_status))
		return cordon_error(ctx, NULL, "this core lacks launch_clone_ns (ABI 1.2), which the namespaces "
		                               "module needs: load it with the core it was built with");
	s->report = api->child_exit_status;

	const cordon_node *n = cordon_arg(ctx, "network");
	if (n) {
		const char *v = api->node_scalar(n, NULL);
		if (v && strcmp(v, "host") == 0)
			s->net_host = true;
		else if (!v || strcmp(v, "none") != 0)
			return cordon_error(ctx, n, "network: expected none or host, got '%s'", v ? v : "");
	}
	n = cordon_arg(ctx, "hostname");
	const char *h = n ? api->node_scalar(n, NULL) : "cordon";
	size_t hl = h ? strlen(h) : 0;
	if (!h || hl == 0 || hl > 64 || strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != hl)
		return cordon_error(ctx, n, "hostname: expected 1 to 64 letters, digits, '-' or '.'");
	if (!(s->hostname = strdup(h)))
		return cordon_error(ctx, NULL, "out of memory");

	int64_t v;
	if (get_int(ctx, "uid", 65534, &v) < 0)
		return -1;
	s->uid = (unsigned)v;
	if (get_int(ctx, "gid", 65534, &v) < 0)
		return -1;
	s->gid = (unsigned)v;
	if (get_int(ctx, "host_uid", 65534, &v) < 0)
		return -1;
	s->host_uid = (unsigned)v;
	if (get_int(ctx, "host_gid", 65534, &v) < 0)
		return -1;
	s->host_gid = (unsigned)v;
	if (get_bool(ctx, "exec_tmp", &s->exec_tmp) < 0 || get_bool(ctx, "nested_userns", &s->nested_userns) < 0)
		return -1;

	uint64_t tmp_size, shm_size;
	int64_t tmp_inodes;
	if (get_size(ctx, "tmp_size", 64ull << 20, &tmp_size) < 0 || get_size(ctx, "shm_size", 16ull << 20, &shm_size) < 0 ||
	    get_int(ctx, "tmp_inodes", 16384, &tmp_inodes) < 0)
		return -1;
	if (asprintf(&s->tmp_opts, "mode=1777,size=%llu,nr_inodes=%lld", (unsigned long long)tmp_size,
	             (long long)tmp_inodes) < 0) {
		s->tmp_opts = NULL;
		return cordon_error(ctx, NULL, "out of memory");
	}
	if (asprintf(&s->shm_opts, "mode=1777,size=%llu,nr_inodes=1024", (unsigned long long)shm_size) < 0) {
		s->shm_opts = NULL;
		return cordon_error(ctx, NULL, "out of memory");
	}

	if (ns_binds_open(ctx, s) < 0 || ns_cgroup_open(ctx, s) < 0)
		return -1;

	/* Who the sandbox is, for programs that look themselves up. */
	const char *user = s->uid == 65534 ? "nobody" : s->uid == 0 ? "root" : "sandbox";
	const char *group = s->gid == 65534 ? "nogroup" : s->gid == 0 ? "root" : "sandbox";
	char *passwd = NULL, *grp = NULL, *hosts = NULL;
	if (asprintf(&passwd, "%s:x:%u:%u:cordon sandbox:/tmp:/usr/sbin/nologin\n", user, s->uid, s->gid) < 0)
		passwd = NULL;
	if (asprintf(&grp, "%s:x:%u:\n", group, s->gid) < 0)
		grp = NULL;
	if (asprintf(&hosts, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t%s\n",
	             s->hostname) < 0)
		hosts = NULL;
	if (!passwd || !grp || !hosts) {
		free(passwd);
		free(grp);
		free(hosts);
		return cordon_error(ctx, NULL, "out of memory");
	}
	/* s owns them from here */
	add_file(s, "etc/passwd", passwd);
	add_file(s, "etc/group", grp);
	add_file(s, "etc/hosts", hosts);
	/* Tell a later module that confines inside this view (landlock) where
	 * things are: --output-dir is seen at /output, /tmp is a private
	 * tmpfs, the working directory is set here (ABI 1.2 shared data). */
	if (CORDON_API_HAS(ctx, set_data) && api->set_data(ctx, CORDON_DATA_NAMESPACES_VIEW, "/output", 7) < 0)
		return cordon_error(ctx, NULL, "out of memory");
	return 0;
}

/* Whether id lies in a range of this process's uid_map or gid_map (file);
 * true when the file cannot be read (the supervisor's write then says). */
static bool id_mapped(const char *file, unsigned id)
{
	FILE *f = fopen(file, "re");
	if (!f)
		return true;
	unsigned long long in, out, n;
	bool found = false;
	while (!found && fscanf(f, "%llu %llu %llu", &in, &out, &n) == 3)
		found = id >= in && id - in < n;
	fclose(f);
	return found;
}

static int ns_prepare(cordon_ctx *ctx, void *state)
{
	struct ns_state *s = state;
	const struct cordon_core_api *api = cordon_api(ctx);
	/* As root, the supervisor maps the sandbox's ids to host_uid and
	 * host_gid: they must exist where cordon runs (not so when that is a
	 * user namespace mapping only root, as under `unshare -Ur`). */
	if (geteuid() == 0 && (!id_mapped("/proc/self/uid_map", s->host_uid) || !id_mapped("/proc/self/gid_map", s->host_gid)))
		return cordon_error(ctx, NULL,
		                    "host_uid %u or host_gid %u is not mapped in cordon's user namespace: the "
		                    "sandbox cannot run as them (choose ids that /proc/self/uid_map and gid_map map)",
		                    s->host_uid, s->host_gid);
	if (s->uid == 0)
		cordon_warning(ctx, "uid 0 inside: the program holds every capability of its user "
		                    "namespace unless the caps module drops them");
	/* --bind-ro paths (canonical, never "/": the core sees to that) must not
	 * land on what the sandbox mounts itself (the /proc masks, /dev). */
	if (CORDON_API_HAS(ctx, launch_bind_ro)) {
		const char *const *ro = api->launch_bind_ro(ctx);
		for (size_t i = 0; ro && ro[i]; i++) {
			/* Under /tmp is fine: it is bound onto the sandbox's own /tmp. */
			bool under_tmp = strncmp(ro[i], "/tmp/", 5) == 0 && ro[i][5];
			if (ro[i][0] != '/' || (ns_reserved(ro[i] + 1) && !under_tmp)) {
				return cordon_error(ctx, NULL,
				                    "--bind-ro %s: /tmp, /dev, /proc and /output are the sandbox's own "
				                    "mounts (paths under /tmp are allowed)",
				                    ro[i]);
			}
		}
	}
	if (ns_cgroup_prepare(ctx, s) < 0)
		return -1;
	/* The core creates the child in every namespace but the network's
	 * (pid 1 makes it in parallel with pid 2's mounts) and the cgroup's
	 * (pid 1 makes it once it is in the run's cgroup). */
	unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS;
	if (api->launch_clone_ns(ctx, flags, s->uid, s->gid, s->host_uid, s->host_gid) < 0)
		return cordon_error(ctx, NULL, "the core refused to create the sandbox's namespaces "
		                               "(launch_clone_ns; the line above says why)");
	return 0;
}

static int ns_finish(cordon_ctx *ctx, void *state, const struct cordon_run_info *info)
{
	(void)info;
	ns_cgroup_finish(ctx, state);
	return 0;
}

static void ns_close(void *state)
{
	struct ns_state *s = state;
	if (!s)
		return;
	for (size_t i = 0; i < s->n_binds; i++) {
		free(s->binds[i].src);
		free(s->binds[i].dst);
	}
	free(s->binds);
	for (size_t i = 0; i < s->n_files; i++)
		free(s->files[i].data);
	free(s->hostname);
	free(s->tmp_opts);
	free(s->shm_opts);
	ns_cgroup_free(s);
	free(s);
}

/* ---- the child: async-signal-safe code only ---- */

static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };

/* Close every descriptor but keep. */
static void close_all_but(int keep)
{
	if (keep > 0 && syscall(SYS_close_range, 0u, (unsigned)keep - 1, 0) < 0)
		for (int fd = 0; fd < keep; fd++)
			(void)close(fd);
	if (syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0) < 0)
		for (int fd = keep + 1; fd < 65536; fd++)
			(void)close(fd);
}

/* Pid 1 after forking pid 2 and setting it up: reap, forward, and report
 * pid 2's status to the supervisor (child_exit_status over the control
 * socket) once the pid namespace is empty. */
static __attribute__((noreturn)) void reaper(pid_t pid2, const struct ns_state *s, const struct cordon_child *child)
{
	close_all_but(child->control_fd);
	/* Nothing in the sandbox may trace or borrow pid 1's privileges. */
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct none[2];
	memset(none, 0, sizeof(none));
	if (syscall(SYS_capset, &hdr, none) < 0) {
		(void)kill(pid2, SIGKILL);
		_exit(NS_EXIT_ERROR);
	}
	sigset_t wait_for;
	sigemptyset(&wait_for);
	sigaddset(&wait_for, SIGCHLD);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(&wait_for, forwarded[i]);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&wait_for, &si);
		if (sig < 0)
			continue; /* EINTR */
		if (sig != SIGCHLD) {
			(void)kill(pid2, sig);
			continue;
		}
		for (;;) {
			int st;
			pid_t w = waitpid(-1, &st, WNOHANG | __WALL);
			if (w <= 0)
				break;
			if (w != pid2)
				continue;
			/* Empty the pid namespace before the report: the
			 * supervisor ends the run on it, so nothing may be left
			 * but this process (every process here has the sandbox's
			 * uid: pid 1 may kill it). */
			(void)kill(-1, SIGKILL);
			while (waitpid(-1, NULL, __WALL) >= 0 || errno == EINTR)
				;
			/* Without a report the supervisor must not take this
			 * exit for the program's. */
			if (errno == ECHILD && s->report(child, st) == 0)
				_exit(0);
			_exit(NS_EXIT_ERROR);
		}
	}
}

/* The channel between pid 1 and pid 2: a SOCK_SEQPACKET socket pair
 * carrying, in this order,
 *   pid 1 -> pid 2: MSG_NETNS, 0 and a descriptor of the network namespace
 *                   (SCM_RIGHTS), or the errno of its creation (network: none)
 *   pid 2 -> pid 1: MSG_PIVOTED, after pivot_root
 *   pid 1 -> pid 2: MSG_DETACHED, 0 or the errno of the old root's detach
 * End of file means the other side ended. */
enum { MSG_NETNS = 1, MSG_PIVOTED = 2, MSG_DETACHED = 3 };

struct ns_msg {
	int tag;
	int err;
};

union cmsg_int {
	char buf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

static void int_msg(struct msghdr *mh, struct iovec *iov, struct ns_msg *value, union cmsg_int *cm)
{
	memset(mh, 0, sizeof(*mh));
	iov->iov_base = value;
	iov->iov_len = sizeof(*value);
	mh->msg_iov = iov;
	mh->msg_iovlen = 1;
	if (cm) {
		memset(cm, 0, sizeof(*cm));
		mh->msg_control = cm->buf;
		mh->msg_controllen = sizeof(cm->buf);
	}
}

/* One message without a descriptor. */
static void send_msg(int sock, int tag, int err)
{
	struct ns_msg m = { tag, err };
	while (send(sock, &m, sizeof(m), MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

/* Receive a message tagged `tag`: its err, or an errno of the channel
 * itself (EPROTO for end of file or anything unexpected). */
static int recv_msg(int sock, int tag)
{
	struct ns_msg m = { 0, 0 };
	ssize_t n;
	while ((n = recv(sock, &m, sizeof(m), 0)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return errno;
	if (n != (ssize_t)sizeof(m) || m.tag != tag)
		return EPROTO;
	return m.err;
}

/* Pid 1, after forking pid 2: create the network namespace (pid 1 holds
 * every capability of the new user namespace, which owns it) and send pid 2
 * a descriptor of it, or the errno of the failure as data without one. */
static void make_netns(int sock, int nsdir)
{
	struct ns_msg err = { MSG_NETNS, 0 };
	int fd = -1;
	if (unshare(CLONE_NEWNET) < 0)
		err.err = errno;
	else if ((fd = openat(nsdir, "net", O_RDONLY | O_CLOEXEC)) < 0)
		err.err = errno ? errno : EIO;
	union cmsg_int u;
	struct iovec iov;
	struct msghdr mh;
	int_msg(&mh, &iov, &err, fd >= 0 ? &u : NULL);
	if (fd >= 0) {
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	while (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
	if (fd >= 0)
		close(fd);
	close(nsdir);
}

/* Pid 1, after the network namespace: once pid 2 has called pivot_root
 * (which moved pid 1's root too: they share the mount namespace), detach
 * the old root and tell pid 2 how that went.  The detach waits for an RCU
 * grace period (about 0.5 ms here); done by pid 1 it overlaps with pid 2's
 * remaining set-up, which waits for the result before any later hook or
 * the program runs.  End of file (pid 2 failed before its pivot_root)
 * needs no answer. */
static void detach_for_pid2(int sock)
{
	if (recv_msg(sock, MSG_PIVOTED) == 0) {
		/* The cwd too leaves the old tree (pivot_root moved the root
		 * only), so that nothing of this process points into it. */
		int e = chdir("/") < 0 ? errno : ns_detach_old_root();
		send_msg(sock, MSG_DETACHED, e);
	}
	close(sock);
}

/* Pid 2: receive the network namespace from pid 1 and enter it. */
static int join_netns(int sock, const char **step)
{
	struct ns_msg err = { 0, 0 };
	int fd = -1;
	union cmsg_int u;
	struct iovec iov;
	struct msghdr mh;
	int_msg(&mh, &iov, &err, &u);
	ssize_t n;
	while ((n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	int e = n < 0 ? errno : 0;
	for (struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (n != (ssize_t)sizeof(err) || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || err.tag != MSG_NETNS ||
	    err.err || fd < 0) {
		if (fd >= 0)
			close(fd);
		*step = n < 0    ? "recvmsg (the network namespace from pid 1)"
		        : n == 0 ? "unshare(CLONE_NEWNET) in pid 1: it ended"
		                 : "unshare(CLONE_NEWNET) (the sandbox's network namespace)";
		return e ? e : err.err ? err.err : EPROTO;
	}
	e = setns(fd, CLONE_NEWNET) < 0 ? errno : 0;
	close(fd);
	if (e)
		*step = "setns (the sandbox's network namespace)";
	return e;
}

/* Pid 2: the sandbox's view, host name and network, then the sandbox ids;
 * returns once the old root is detached. */
static int pid2_setup(const struct ns_state *s, const struct cordon_child *child, int sock, const char **step)
{
	int e;
	if ((e = ns_mount_setup(s, child, step)))
		return e;
	/* The old root is still stacked on the new one: pid 1 detaches it
	 * while this process goes on, and is waited for below. */
	send_msg(sock, MSG_PIVOTED, 0);
	if (sethostname(s->hostname, strlen(s->hostname)) < 0) {
		*step = "sethostname";
		return errno;
	}
	if (!s->net_host) {
		if ((e = join_netns(sock, step)))
			return e;
		if ((e = cordon_loopback_up())) {
			*step = "bring up the loopback interface";
			return e;
		}
	}
	if (setresgid(s->gid, s->gid, s->gid) < 0) {
		*step = "setresgid (sandbox gid)";
		return errno;
	}
	if (setresuid(s->uid, s->uid, s->uid) < 0) {
		*step = "setresuid (sandbox uid)";
		return errno;
	}
	/* Nothing later (hooks, the program) runs before the host's tree is
	 * gone from the mount namespace. */
	if ((e = recv_msg(sock, MSG_DETACHED))) {
		*step = "detach the old root (in pid 1)";
		return e;
	}
	close(sock);
	if (chdir("/tmp") < 0) {
		*step = "chdir /tmp";
		return errno;
	}
	return 0;
}

/* The core created its child in the namespaces (launch_clone_ns): this
 * process is pid 1, the maps are written and, as root, the host ids taken.
 * Pid 1 joins the run's cgroup and roots a cgroup namespace there, forks
 * pid 2 at once; while pid 2 builds the view, pid 1 creates the network
 * namespace and sends it over, then detaches the old root after pid 2's
 * pivot_root, then reaps and reports pid 2's status. */
static int ns_confine(void *state, const struct cordon_child *child, const char **step)
{
	const struct ns_state *s = state;
	int e;
	if (getpid() != 1) {
		*step = "launch_clone_ns: the child is not pid 1 of a new pid namespace";
		return EPROTO;
	}
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		*step = "prctl(PR_SET_DUMPABLE, 0)";
		return errno;
	}
	/* The cgroup namespace is made here, not by the clone: its root is
	 * the cgroup of its creator at that moment, which must be the run's
	 * (the policy's, or the core's, joined before the hooks). */
	if ((e = ns_cgroup_join(s, step)))
		return e;
	if (unshare(CLONE_NEWCGROUP) < 0) {
		*step = "unshare(CLONE_NEWCGROUP)";
		return errno;
	}
	int np[2], nsdir = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, np) < 0) {
		*step = "socketpair (channel to pid 2)";
		return errno;
	}
	if (!s->net_host && (nsdir = open("/proc/self/ns", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		*step = "open /proc/self/ns";
		return errno;
	}
	/* Every signal blocked: pid 1 must not lose a SIGCHLD before it waits
	 * for one. */
	sigset_t all, old;
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &old) < 0) {
		*step = "sigprocmask";
		return errno;
	}
	pid_t pid2 = fork();
	if (pid2 < 0) {
		*step = "fork (the program under the pid-1 reaper)";
		return errno;
	}
	if (pid2 > 0) {
		close(np[1]);
		if (!s->net_host)
			make_netns(np[0], nsdir);
		detach_for_pid2(np[0]);
		reaper(pid2, s, child);
	}
	close(np[0]);
	if (nsdir >= 0)
		close(nsdir);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
		*step = "prctl(PR_SET_PDEATHSIG) in pid 2";
		return errno;
	}
	if (getppid() != 1)
		_exit(NS_EXIT_ERROR);
	if ((e = pid2_setup(s, child, np[1], step)))
		return e;
	if (sigprocmask(SIG_SETMASK, &old, NULL) < 0) {
		*step = "sigprocmask";
		return errno;
	}
	return 0;
}

/* What `cordon selftest` probes for this view (ABI 1.5): a fresh network
 * namespace with loopback only unless network: host, a read-only root, a
 * pid namespace, and no capabilities left to the program. */
static int ns_requirements(cordon_ctx *ctx, void *state)
{
	const struct ns_state *s = state;
	return cordon_require_namespaced_view(ctx, !(s && s->net_host));
}

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_module),
	.name = "namespaces",
	.description = "user, mount, pid, network, IPC, UTS and cgroup namespaces; read-only pivot_root view; pid-1 reaper",
	.flags = CORDON_MOD_ISOLATION | CORDON_MOD_STAGE(CORDON_STAGE_ISOLATION),
	.args = args,
	.open = ns_open,
	.prepare = ns_prepare,
	.confine = ns_confine,
	.finish = ns_finish,
	.close = ns_close,
	.requirements = ns_requirements,
};
