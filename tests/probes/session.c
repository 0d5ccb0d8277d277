/*
 * tests/probes/session.c - report the process's session, process group and
 * parent-death signal:
 *
 *   pid=N sid=N pgid=N pdeathsig=N
 *   own-session: yes|no
 *   own-group: yes|no
 *
 * Exit: 0 when it leads its own session and process group and dies with
 * SIGKILL when its parent does; 1 otherwise; 2 the prctl failed.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(void)
{
	pid_t pid = getpid(), sid = getsid(0), pgid = getpgid(0);
	int pdeath = -1;
	if (prctl(PR_GET_PDEATHSIG, &pdeath) < 0) {
		perror("session: prctl(PR_GET_PDEATHSIG)");
		return 2;
	}
	printf("pid=%d sid=%d pgid=%d pdeathsig=%d\n", (int)pid, (int)sid, (int)pgid, pdeath);
	printf("own-session: %s\n", sid == pid ? "yes" : "no");
	printf("own-group: %s\n", pgid == pid ? "yes" : "no");
	return sid == pid && pgid == pid && pdeath == SIGKILL ? 0 : 1;
}
