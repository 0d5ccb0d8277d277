/*
 * core/hostpath.c - host paths a caller hands to the sandbox (--output-dir,
 * --bind-ro): canonical, existing directories, never / nor a kernel
 * interface (/proc, /sys, /dev, or anything mounted from procfs, sysfs,
 * devtmpfs... beneath any path).
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


#include "internal.h"
#include "launch.h"

/* --output-dir, --input-dir: an existing directory. */
static int check_dir(const char *opt, const char *path, cordon_result *r)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		result_set_error(r, CORDON_EXIT_ERROR, "%s %s: %s", opt, path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		result_set_error(r, CORDON_EXIT_ERROR, "%s %s: not a directory", opt, path);
		return -1;
	}
	return 0;
}

int check_dirs(const struct cordon_run_options *o, cordon_result *r)
{
	struct stat st;
	if (o->output_dir && check_dir("--output-dir", o->output_dir, r) < 0)
		return -1;
	if (o->input_dir && check_dir("--input-dir", o->input_dir, r) < 0)
		return -1;
	for (size_t i = 0; o->bind_ro && o->bind_ro[i]; i++) {
		if (o->bind_ro[i][0] != '/') {
			result_set_error(r, CORDON_EXIT_ERROR, "--bind-ro %s: expected an absolute path", o->bind_ro[i]);
			return -1;
		}
		if (stat(o->bind_ro[i], &st) < 0) {
			result_set_error(r, CORDON_EXIT_ERROR, "--bind-ro %s: %s", o->bind_ro[i], strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Whether a kernel interface file system is mounted below `real`: a bind
 * is recursive (bubblewrap's always), so it would come along.  From
 * /proc/self/mountinfo (mount point: field 5, octal escapes; type: after
 * " - ").  NULL when none is, or mountinfo cannot be read (the top
 * directory was checked already). */
static const char *submount_problem(const char *real)
{
	static const char *const kinds[] = { "proc",     "sysfs",     "devpts",     "devtmpfs",   "cgroup",
		                             "cgroup2",  "debugfs",   "tracefs",    "securityfs", "bpf",
		                             "configfs", "pstore",    "efivarfs",   "mqueue",     "binfmt_misc",
		                             "selinuxfs", "fusectl",  "nsfs",       "rpc_pipefs", "nfsd" };
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return NULL;
	size_t rl = strlen(real);
	char *line = NULL;
	size_t cap = 0;
	const char *why = NULL;
	while (!why && getline(&line, &cap, f) > 0) {
		/* id parent major:minor root MOUNTPOINT options ... - TYPE ... */
		char *save = NULL, *field = strtok_r(line, " ", &save);
		for (int k = 1; field && k < 5; k++)
			field = strtok_r(NULL, " ", &save);
		if (!field)
			continue;
		/* Unescape \ooo in place. */
		char *w = field;
		for (char *r = field; *r; r++) {
			if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
			    r[3] <= '7') {
				*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
				r += 3;
			} else {
				*w++ = *r;
			}
		}
		*w = '\0';
		bool below = strcmp(real, "/") == 0 ? strcmp(field, "/") != 0
		                                     : strncmp(field, real, rl) == 0 && field[rl] == '/';
		if (!below)
			continue;
		char *type = NULL;
		for (char *t = strtok_r(NULL, " ", &save); t; t = strtok_r(NULL, " ", &save))
			if (strcmp(t, "-") == 0) {
				type = strtok_r(NULL, " ", &save);
				break;
			}
		for (size_t i = 0; type && i < ARRAY_SIZE(kinds); i++)
			if (strcmp(type, kinds[i]) == 0)
				why = "a kernel interface file system is mounted below it (a bind would bring it along)";
	}
	free(line);
	fclose(f);
	return why;
}

/*
 * A caller's --output-dir or --bind-ro path (canonical) that must not be
 * made visible in a sandbox: the whole host file system, or a kernel
 * interface (/proc, /sys, /dev and any file system of that kind wherever it
 * is mounted: a host procfs at /output would hand the program every host
 * process's descriptors and memory, writable).  NULL when it may be used.
 */
const char *host_path_problem(const char *real)
{
	static const char *const roots[] = { "/proc", "/sys", "/dev" };
	if (strcmp(real, "/") == 0)
		return "that is the whole host file system";
	for (size_t i = 0; i < ARRAY_SIZE(roots); i++) {
		size_t n = strlen(roots[i]);
		if (strncmp(real, roots[i], n) == 0 && (real[n] == '\0' || real[n] == '/'))
			return "a kernel interface (/proc, /sys and /dev are never passed to a sandbox)";
	}
	static const unsigned long kernel_fs[] = {
		0x9fa0,     /* proc */
		0x62656572, /* sysfs */
		0x1cd1,     /* devpts */
		0x27e0eb,   /* cgroup */
		0x63677270, /* cgroup2 */
		0x64626720, /* debugfs */
		0x74726163, /* tracefs */
		0x73636673, /* securityfs */
		0xcafe4a11, /* bpf */
		0x62656570, /* configfs */
		0x6165676c, /* pstore */
		0xde5e81e4, /* efivarfs */
		0x19800202, /* mqueue */
		0x42494e4d, /* binfmt_misc */
		0xf97cff8c, /* selinuxfs */
		0x65735543, /* fusectl */
		0x6e736673, /* nsfs */
	};
	struct statfs sf;
	if (statfs(real, &sf) < 0)
		return "its file system cannot be examined";
	for (size_t i = 0; i < ARRAY_SIZE(kernel_fs); i++)
		if ((unsigned long)sf.f_type == kernel_fs[i])
			return "on a kernel interface file system (proc, sysfs, cgroup, ...)";
	return submount_problem(real);
}
