/*
 * tests/probes/flood.c - write "y\n" to descriptor FD (default 1) forever,
 * 4K at a time, the way a chatty program does.  With "quiet-epipe" it
 * ignores SIGPIPE and exits 0 as soon as a write fails (as a program that
 * treats a closed output as "nobody is listening, done" would).
 *
 * Exit: never on its own unless a write fails: then 0 with quiet-epipe,
 * 3 otherwise.  An output cap normally shows as death by SIGKILL.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd = argc > 1 ? atoi(argv[1]) : 1;
	int quiet = argc > 2 && strcmp(argv[2], "quiet-epipe") == 0;
	if (quiet)
		signal(SIGPIPE, SIG_IGN);
	static char buf[4096];
	for (size_t i = 0; i < sizeof(buf); i += 2) {
		buf[i] = 'y';
		buf[i + 1] = '\n';
	}
	for (;;)
		if (write(fd, buf, sizeof(buf)) < 0)
			return quiet ? 0 : 3;
}
