/*
 * tests/probes/envdump.c - print the environment exactly as the program
 * received it, one NAME=VALUE per line, in order.  A shell would add PWD,
 * SHLVL and friends; this shows what execve was given and nothing else.
 *
 * Exit: 0 after printing.
 */
#include <stdio.h>

extern char **environ;

int main(void)
{
	for (char **e = environ; e && *e; e++)
		printf("%s\n", *e);
	return fflush(stdout) == 0 ? 0 : 1;
}
