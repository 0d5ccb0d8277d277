/*
 * tests/probes/sealed.c - try every way to change the sealed source the
 * supervisor hands over at descriptor FD (default 3), and report each
 * attempt on its own line as "ATTEMPT: denied ERRNO" or "ATTEMPT: ALLOWED":
 *
 *   seals: WRITE SHRINK GROW SEAL ... (0xN)   fcntl(F_GET_SEALS)
 *   write: ...              write() on FD itself
 *   reopen-write: ...       open /proc/self/fd/FD for writing, then write()
 *   shrink: ...             ftruncate() to 0
 *   grow: ...               ftruncate() one page past the end
 *   fallocate: ...          fallocate() past the end
 *   pwrite-past-end: ...    pwrite() one byte at the end
 *   mmap-write: ...         a shared writable mapping
 *   add-seals: ...          F_ADD_SEALS (F_SEAL_SEAL forbids any change)
 *   parent-write: ...       the supervisor's own descriptor of the source,
 *                           reached through /proc/PPID/fd (or "unreachable")
 *   unchanged: yes|no       size and bytes after all of the above
 *
 * The size-changing attempts use the descriptor reopened read-write when
 * the reopen succeeds (so that only the seals can stop them), FD otherwise.
 *
 * Exit: 0 every attempt was denied, the seals include WRITE, SHRINK, GROW
 * and SEAL, and the content is unchanged; 1 otherwise; 2 FD is not usable.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

static int failures;

static const char *errname(int e)
{
	static char buf[32];
	switch (e) {
	case EPERM: return "EPERM";
	case EBADF: return "EBADF";
	case EINVAL: return "EINVAL";
	case EACCES: return "EACCES";
	case EROFS: return "EROFS";
	case ETXTBSY: return "ETXTBSY";
	case EFBIG: return "EFBIG";
	case ENOENT: return "ENOENT";
	case EBUSY: return "EBUSY";
	case ENODEV: return "ENODEV";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default:
		snprintf(buf, sizeof(buf), "errno%d", e);
		return buf;
	}
}

/* rc < 0 means denied (errno says why). */
static void report(const char *what, long rc, int err)
{
	if (rc < 0) {
		printf("%s: denied %s\n", what, errname(err));
	} else {
		printf("%s: ALLOWED\n", what);
		failures++;
	}
}

static char *slurp(int fd, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (!buf)
			return NULL;
		ssize_t r = pread(fd, buf + n, cap - n, (off_t)n);
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap) {
			cap *= 2;
			char *nb = realloc(buf, cap);
			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	*len = n;
	return buf;
}

/* Find the supervisor's descriptor of the same memfd and try to write it. */
static void parent_write(int fd)
{
	struct stat want;
	if (fstat(fd, &want) < 0)
		return;
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)getppid());
	DIR *d = opendir(dir);
	if (!d) {
		printf("parent-write: unreachable %s\n", errname(errno));
		return;
	}
	struct dirent *de;
	bool found = false;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		char path[320];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(path, &st) < 0 || st.st_dev != want.st_dev || st.st_ino != want.st_ino)
			continue;
		found = true;
		int w = open(path, O_WRONLY | O_CLOEXEC);
		if (w < 0) {
			report("parent-write", -1, errno);
			continue;
		}
		ssize_t r = write(w, "X", 1);
		report("parent-write", r, errno);
		close(w);
	}
	closedir(d);
	if (!found)
		printf("parent-write: unreachable (no descriptor of the source)\n");
}

int main(int argc, char **argv)
{
	int fd = argc > 1 ? atoi(argv[1]) : 3;
	size_t len0 = 0;
	char *before = slurp(fd, &len0);
	if (!before) {
		printf("fd %d: not readable: %s\n", fd, errname(errno));
		return 2;
	}

	int seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0) {
		printf("seals: none (%s)\n", errname(errno));
		failures++;
	} else {
		printf("seals:%s%s%s%s%s%s (0x%x)\n", seals & F_SEAL_WRITE ? " WRITE" : "",
		       seals & F_SEAL_SHRINK ? " SHRINK" : "", seals & F_SEAL_GROW ? " GROW" : "",
		       seals & F_SEAL_SEAL ? " SEAL" : "", seals & F_SEAL_FUTURE_WRITE ? " FUTURE_WRITE" : "",
		       seals & F_SEAL_EXEC ? " EXEC" : "", (unsigned)seals);
		int need = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;
		if ((seals & need) != need)
			failures++;
	}

	ssize_t w = write(fd, "X", 1);
	report("write", w, errno);

	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	int rw = open(self, O_RDWR | O_CLOEXEC);
	if (rw < 0) {
		report("reopen-write", -1, errno);
	} else {
		w = write(rw, "X", 1);
		report("reopen-write", w, errno);
	}
	int sz = rw >= 0 ? rw : fd;
	report("shrink", ftruncate(sz, 0), errno);
	report("grow", ftruncate(sz, (off_t)len0 + 4096), errno);
	report("fallocate", fallocate(sz, 0, (off_t)len0, 4096), errno);
	report("pwrite-past-end", pwrite(sz, "X", 1, (off_t)len0), errno);
	void *m = mmap(NULL, len0 ? len0 : 4096, PROT_READ | PROT_WRITE, MAP_SHARED, sz, 0);
	report("mmap-write", m == MAP_FAILED ? -1 : 0, errno);
	if (m != MAP_FAILED)
		munmap(m, len0 ? len0 : 4096);
	report("add-seals", fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE), errno);
	parent_write(fd);

	size_t len1 = 0;
	char *after = slurp(fd, &len1);
	bool same = after && len1 == len0 && memcmp(before, after, len0) == 0;
	printf("unchanged: %s\n", same ? "yes" : "no");
	if (!same)
		failures++;
	free(before);
	free(after);
	return failures ? 1 : 0;
}
