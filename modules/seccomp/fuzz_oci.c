/*
 * modules/seccomp/fuzz_oci.c - libFuzzer target for the OCI profile reader:
 * any bytes either load (and then compile in both modes) or fail with a
 * message, never crash, leak or read out of bounds.
 *
 *   make fuzz && build-fuzz/fuzz_oci -max_total_time=60
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The reader takes a path (it checks the file's owner and mode). */
	static char path[] = "/tmp/cordon-fuzz-oci.XXXXXX";
	static int fd = -1;
	if (fd < 0 && (fd = mkstemp(path)) < 0)
		abort();
	if (ftruncate(fd, 0) < 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	struct sc_policy p;
	memset(&p, 0, sizeof(p));
	char err[512];
	if (sc_oci_load(&p, path, err, sizeof(err)) == 0) {
		struct sc_prog prog;
		if (sc_compile(&p, true, false, &prog, err, sizeof(err)) == 0)
			sc_prog_free(&prog);
		if (sc_compile(&p, false, true, &prog, err, sizeof(err)) == 0)
			sc_prog_free(&prog);
	} else if (!memchr(err, '\0', sizeof(err)) || !err[0])
		abort(); /* a failure always says why */
	sc_policy_free(&p);
	return 0;
}
