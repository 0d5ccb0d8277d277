/*
 * modules/landlock/abi.c - which Landlock features each ABI version has, and
 * what of a policy's request the running kernel can enforce.
 *
 *   ABI  kernel  adds
 *   1    5.13    filesystem: execute, read/write files, read dirs, remove, make *
 *   2    5.19    filesystem: refer (rename and link across directories)
 *   3    6.2     filesystem: truncate
 *   4    6.7     network: TCP bind and connect by port
 *   5    6.10    filesystem: ioctl on device files
 *   6    6.12    scopes: abstract unix sockets, signals
 *   7    6.15    denials logged to the audit subsystem (used in audit mode)
 */
#include <string.h>

#include "landlock.h"

uint64_t ll_fs_rights(int abi)
{
	if (abi < 1)
		return 0;
	uint64_t r = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1; /* execute .. make_sym */
	if (abi >= 2)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return r;
}

uint32_t ll_log_flags(int abi, bool audit)
{
	/* The program runs after an execve: without NEW_EXEC_ON the kernel
	 * logs only what the child is denied before it. */
	return audit && abi >= 7 ? LL_RESTRICT_LOG_NEW_EXEC_ON : 0;
}

static void missing(struct ll_plan *p, const char *what)
{
	if (p->n_missing < sizeof(p->missing) / sizeof(p->missing[0]) - 1)
		p->missing[p->n_missing++] = what;
	p->missing[p->n_missing] = NULL;
}

void ll_plan(int abi, const struct ll_want *want, struct ll_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->abi = abi;
	p->handled_fs = ll_fs_rights(abi);
	/* Without "refer" (ABI 1) the kernel denies every rename or link
	 * across directories: stricter, nothing to report. */
	if (abi < 3)
		missing(p, "truncating files is not restricted (Landlock ABI 3, Linux 6.2)");
	if (abi < 5)
		missing(p, "ioctl on device files is not restricted (Landlock ABI 5, Linux 6.10)");
	if (want->tcp) {
		if (abi >= 4)
			p->handled_net = LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP;
		else
			missing(p, "TCP bind and connect are not restricted (Landlock ABI 4, Linux 6.7)");
	}
	if (want->scope_abstract) {
		if (abi >= 6)
			p->scoped |= LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
		else
			missing(p, "abstract unix sockets outside the sandbox are reachable (Landlock ABI 6, Linux 6.12)");
	}
	if (want->scope_signal) {
		if (abi >= 6)
			p->scoped |= LANDLOCK_SCOPE_SIGNAL;
		else
			missing(p, "signals to processes outside the sandbox are not blocked (Landlock ABI 6, Linux 6.12)");
	}
}
