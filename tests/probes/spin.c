/*
 * tests/probes/spin.c - burn CPU in user space.  Gives up after SECONDS of
 * wall-clock time (default 60) so that a broken CPU limit cannot hang a test.
 *
 * Exit: 0 "spun for N s" when it gave up (no CPU limit stopped it);
 * 2 bad usage.  A CPU limit shows as death by SIGXCPU or SIGKILL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	long secs = argc > 1 ? strtol(argv[1], NULL, 10) : 60;
	if (secs <= 0) {
		fprintf(stderr, "usage: spin [SECONDS]\n");
		return 2;
	}
	time_t start = time(NULL);
	volatile unsigned long n = 0;
	while (time(NULL) - start < secs)
		for (unsigned long i = 0; i < 1000000; i++)
			n += i;
	printf("spun for %ld s\n", secs);
	return 0;
}
