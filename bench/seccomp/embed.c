/*
 * bench/seccomp/embed.c - per-run cost of the seccomp module when the policy
 * is loaded once (the embedding API: a service running many programs): the
 * filter is compiled at load, so each run pays only for the socket pair,
 * loading the filter in the child, passing the listener and watching it.
 *
 *   embed RUNS POLICY...   runs /bin/true RUNS times under each policy, in
 *                          interleaved rounds; prints the median and the
 *                          minimum per policy, in ms
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cordon/cordon.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: embed RUNS POLICY...\n");
		return 2;
	}
	int runs = atoi(argv[1]), np = argc - 2;
	if (runs <= 0 || np > 8)
		return 2;
	cordon_policy *pol[8];
	double *t[8];
	for (int i = 0; i < np; i++) {
		char *err = NULL;
		pol[i] = cordon_policy_load(argv[2 + i], NULL, &err);
		t[i] = calloc((size_t)runs, sizeof(double));
		if (!pol[i] || !t[i]) {
			fprintf(stderr, "embed: %s: %s\n", argv[2 + i], err ? err : "out of memory");
			return 1;
		}
	}
	const char *cmd[] = { "/bin/true", NULL };
	struct cordon_run_options o = { .size = sizeof(o), .argv = cmd, .stream_stdout_fd = -1, .stream_stderr_fd = -1,
		                        .cancel_fd = -1 };
	for (int r = 0; r < runs; r++)
		for (int i = 0; i < np; i++) {
			char *err = NULL;
			double t0 = now_ms();
			cordon_result *res = cordon_run(pol[i], &o, &err);
			t[i][r] = now_ms() - t0;
			if (!res || cordon_result_exit_status(res) != 0) {
				fprintf(stderr, "embed: run failed under %s: %s\n", argv[2 + i],
				        res ? cordon_result_status(res) : err);
				return 1;
			}
			cordon_result_free(res);
		}
	for (int i = 0; i < np; i++) {
		qsort(t[i], (size_t)runs, sizeof(double), cmp);
		printf("%-40s median %.3f ms  min %.3f ms\n", argv[2 + i], t[i][runs / 2], t[i][0]);
		cordon_policy_free(pol[i]);
		free(t[i]);
	}
	return 0;
}
