/*
 * cordon/modutil.h - a header-only toolkit for modules: what several modules
 * would otherwise each write again, written once and reviewed once.
 *
 * Everything here is async-signal-safe (usable in a confine hook, between
 * fork and exec) unless its comment says otherwise, and reports failure as
 * the convention of confine hooks: a non-zero errno value, with *step set to
 * a static string naming what failed.
 */
#ifndef CORDON_MODUTIL_H
#define CORDON_MODUTIL_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cordon/module.h>

/* Become uid:gid with no supplementary groups (setgroups, then the group,
 * then the user, each real, effective and saved), as root leaving for an
 * unprivileged host identity.  0, or errno with *step naming the call. */
static inline int cordon_drop_to_ids(uid_t uid, gid_t gid, const char **step)
{
	if (setgroups(0, NULL) < 0) {
		*step = "setgroups(0) (drop supplementary groups)";
		return errno;
	}
	if (setresgid(gid, gid, gid) < 0) {
		*step = "setresgid(host_gid)";
		return errno;
	}
	if (setresuid(uid, uid, uid) < 0) {
		*step = "setresuid(host_uid)";
		return errno;
	}
	/* Fail closed if the kernel left any id behind. */
	uid_t r, e, s;
	gid_t rg, eg, sg;
	if (getresuid(&r, &e, &s) < 0 || r != uid || e != uid || s != uid) {
		*step = "setresuid(host_uid) left another uid";
		return EPERM;
	}
	if (getresgid(&rg, &eg, &sg) < 0 || rg != gid || eg != gid || sg != gid) {
		*step = "setresgid(host_gid) left another gid";
		return EPERM;
	}
	return 0;
}

/* Write all of buf, through EINTR and short writes.  0, or errno. */
static inline int cordon_write_all(int fd, const void *buf, size_t len)
{
	const char *p = (const char *)buf;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		if (n == 0)
			return EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Past the first `done` bytes of the *n pieces at *iov: whole pieces
 * (and empty ones) dropped, the next one started where it was left. */
static inline void cordon_iov_advance(struct iovec **iov, int *n, size_t done)
{
	while (*n > 0 && done >= (*iov)->iov_len) {
		done -= (*iov)->iov_len;
		(*iov)++;
		(*n)--;
	}
	if (*n > 0) {
		(*iov)->iov_base = (char *)(*iov)->iov_base + done;
		(*iov)->iov_len -= done;
	}
}

/* Write the n pieces of iov in order, through EINTR and short writes (the
 * array is advanced past what was written).  0, or errno. */
static inline int cordon_writev_all(int fd, struct iovec *iov, int n)
{
	cordon_iov_advance(&iov, &n, 0);
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno;
		if (w == 0)
			return EIO;
		cordon_iov_advance(&iov, &n, (size_t)w);
	}
	return 0;
}

/* Write all of data to the file at path (a /proc or cgroup control file),
 * opened without following a symlink and without truncating it: 0, or an
 * errno value (the close's too: a control file may refuse the write only
 * then). */
static inline int cordon_write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0)
		return errno;
	int e = cordon_write_all(fd, data, len);
	if (close(fd) < 0 && !e && errno != EINTR)
		e = errno;
	return e;
}

/* Write a one-line user namespace map, "INSIDE OUTSIDE 1", to path
 * (/proc/self/uid_map or gid_map): 0 or an errno value.  The writer
 * must be dumpable (an id change as root made it not), and for gid_map
 * an unprivileged one must have written "deny" to setgroups first. */
static inline int cordon_write_id_map(const char *path, unsigned inside, unsigned outside)
{
	char line[32];
	size_t n = 0;
	unsigned v[2] = { inside, outside };
	for (int k = 0; k < 2; k++) {
		char tmp[10];
		size_t t = 0;
		do
			tmp[t++] = (char)('0' + v[k] % 10);
		while ((v[k] /= 10) && t < sizeof(tmp));
		while (t)
			line[n++] = tmp[--t];
		line[n++] = ' ';
	}
	line[n++] = '1';
	line[n++] = '\n';
	return cordon_write_file(path, line, n);
}

/* Bring the loopback interface of the current network namespace up: 0
 * or an errno value (needs CAP_NET_ADMIN over that namespace). */
static inline int cordon_loopback_up(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	int e = 0;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		e = errno;
	} else {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			e = errno;
	}
	close(fd);
	return e;
}

/* Read a small file (a /proc or /sys entry) into buf, NUL-terminated:
 * the bytes read (at most cap - 1), or -errno.  A file longer than
 * cap - 1 bytes is -EFBIG, never a silent cut. */
static inline ssize_t cordon_read_small_file(const char *path, char *buf, size_t cap)
{
	if (cap == 0)
		return -EINVAL;
	int fd;
	do
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -errno;
	size_t got = 0;
	for (;;) {
		if (got == cap - 1) {
			char extra;
			ssize_t n;
			do
				n = read(fd, &extra, 1);
			while (n < 0 && errno == EINTR);
			close(fd);
			if (n < 0)
				return -errno;
			if (n > 0)
				return -EFBIG;
			break;
		}
		ssize_t n = read(fd, buf + got, cap - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		if (n == 0) {
			close(fd);
			break;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	return (ssize_t)got;
}

/* Not async-signal-safe: for the requirements hook (ABI 1.5) of an
 * isolation backend that runs the program in new user, mount, pid and
 * (unless private_net is 0) network namespaces under a read-only root,
 * with no capabilities left: what it promises to `cordon selftest`.  The
 * namespaces and bwrap modules share it.  0, or -1 (the core said why). */
static inline int cordon_require_namespaced_view(cordon_ctx *ctx, int private_net)
{
	if (private_net && (cordon_require(ctx, CORDON_PROP_NET_LOOPBACK_ONLY, NULL) < 0 ||
	                    cordon_require(ctx, CORDON_PROP_NET_HOST_TCP, NULL) < 0 ||
	                    cordon_require(ctx, CORDON_PROP_NET_HOST_UNIX, NULL) < 0))
		return -1;
	if (cordon_require(ctx, CORDON_PROP_ROOT_READ_ONLY, NULL) < 0 ||
	    cordon_require(ctx, CORDON_PROP_PROCS_HIDDEN, NULL) < 0 || cordon_require(ctx, CORDON_PROP_CAPS_NONE, NULL) < 0)
		return -1;
	return 0;
}

/* Is word one of the space-separated words of dir/file (a cgroup's
 * cgroup.controllers or cgroup.subtree_control)?  0 or 1; 0 when the
 * file cannot be read. */
static inline int cordon_file_lists_word(const char *dir, const char *file, const char *word)
{
	char path[4096], buf[1024];
	size_t ld = strlen(dir), lf = strlen(file), lw = strlen(word);
	if (ld + 1 + lf >= sizeof(path) || lw == 0)
		return 0;
	memcpy(path, dir, ld);
	path[ld] = '/';
	memcpy(path + ld + 1, file, lf + 1);
	if (cordon_read_small_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	for (char *p = buf; (p = strstr(p, word)); p += lw)
		if ((p == buf || p[-1] == ' ') && (p[lw] == ' ' || p[lw] == '\n' || p[lw] == '\0'))
			return 1;
	return 0;
}

#endif
