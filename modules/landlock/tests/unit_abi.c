/*
 * modules/landlock/tests/unit_abi.c - what each Landlock ABI enforces of a
 * policy's request (with made-up ABI numbers: the kernel running the tests
 * has only one), and the ruleset applied for real in a child: Landlock
 * restricts whoever runs it, root included.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "landlock.h"
#include "tap.h"

static bool mentions(const struct ll_plan *p, const char *word)
{
	for (size_t i = 0; i < p->n_missing; i++)
		if (strstr(p->missing[i], word))
			return true;
	return false;
}

static void plans(void)
{
	const struct ll_want all = { .tcp = true, .scope_abstract = true, .scope_signal = true };
	const struct ll_want fs_only = { 0 };
	struct ll_plan p;

	ok(ll_fs_rights(0) == 0, "ABI 0: no rights");
	ok(ll_fs_rights(1) == 0x1fff, "ABI 1: execute .. make_sym (13 rights)");
	ok(ll_fs_rights(2) == 0x3fff, "ABI 2: + refer");
	ok(ll_fs_rights(3) == 0x7fff, "ABI 3: + truncate");
	ok(ll_fs_rights(4) == 0x7fff, "ABI 4: no new filesystem right");
	ok(ll_fs_rights(5) == 0xffff, "ABI 5: + ioctl_dev");
	ok(ll_fs_rights(99) == 0xffff, "a future ABI: the rights this module knows");

	ll_plan(1, &all, &p);
	ok(p.handled_net == 0 && p.scoped == 0, "ABI 1: no network, no scopes");
	is_int(p.n_missing, 5, "ABI 1: five requested protections missing");
	ok(mentions(&p, "truncat") && mentions(&p, "ioctl") && mentions(&p, "TCP") && mentions(&p, "abstract") &&
	           mentions(&p, "signals"),
	   "ABI 1: truncate, ioctl, TCP, abstract sockets and signals reported");
	ok(p.missing[p.n_missing] == NULL, "the list is NULL-terminated");

	ll_plan(3, &all, &p);
	ok(!mentions(&p, "truncat") && mentions(&p, "ABI 4"), "ABI 3: truncate enforced; TCP names ABI 4");

	ll_plan(4, &all, &p);
	ok(p.handled_net == (LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP), "ABI 4: TCP handled");
	ok(!mentions(&p, "TCP") && mentions(&p, "ioctl") && p.scoped == 0, "ABI 4: ioctl and scopes still missing");

	ll_plan(5, &all, &p);
	is_int(p.n_missing, 2, "ABI 5: only the two scopes missing");

	ll_plan(6, &all, &p);
	is_int(p.n_missing, 0, "ABI 6: everything enforced");
	ok(p.scoped == (LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL), "ABI 6: both scopes");

	ll_plan(7, &all, &p);
	ok(p.n_missing == 0 && p.abi == 7 && p.handled_fs == 0xffff, "ABI 7: everything enforced");

	ll_plan(4, &fs_only, &p);
	ok(p.handled_net == 0 && p.scoped == 0 && !mentions(&p, "TCP") && !mentions(&p, "signals"),
	   "network: host and no scopes: nothing asked, nothing reported on an ABI 4 kernel");
	is_int(p.n_missing, 1, "... but ioctl on devices (ABI 5) is");

	struct ll_want sig = { .scope_signal = true };
	ll_plan(5, &sig, &p);
	ok(p.n_missing == 1 && mentions(&p, "signals") && !mentions(&p, "abstract"), "only what was asked is reported");
}

/* Apply a ruleset allowing /usr (read+exec) in a child and report whether
 * reading path is denied: 1 denied with EACCES, 0 allowed, -1 other. */
static int denied_in_child(const char *path)
{
	pid_t pid = fork();
	if (pid < 0)
		bail("fork: %s", strerror(errno));
	if (pid == 0) {
		struct ll_want want = { .tcp = true, .scope_abstract = true, .scope_signal = true };
		struct ll_path paths[] = { { .path = (char *)"/usr", .access = LL_FS_EXEC, .origin = LL_POLICY } };
		struct ll_state s = { .paths = paths, .n_paths = 1, .want = want };
		long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
		if (abi < 1)
			_exit(3);
		ll_plan((int)abi, &want, &s.plan);
		const char *step = NULL;
		if (ll_restrict(&s, NULL, &step) != 0)
			_exit(4);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			_exit(0);
		_exit(errno == EACCES ? 1 : 5);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st) == 1 ? 1 : WEXITSTATUS(st) == 0 ? 0 : -WEXITSTATUS(st);
}

int main(void)
{
	plans();
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1) {
		ok(1, "# SKIP Landlock is not available on this kernel");
		ok(1, "# SKIP Landlock is not available on this kernel");
	} else {
		diag("running kernel: Landlock ABI %ld, uid %u", abi, (unsigned)geteuid());
		is_int(denied_in_child("/etc/hostname"), 1,
		       "the ruleset denies /etc/hostname to this uid (%u; root too)", (unsigned)geteuid());
		is_int(denied_in_child("/usr/bin/env"), 0, "and allows /usr/bin/env");
	}
	return tap_done();
}
