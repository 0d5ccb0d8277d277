/*
 * modules/seccomp/fuzz_oci.c - libFuzzer target for the OCI profile reader:
 * any bytes either load (and then compile in both modes) or fail with a
 * message, never crash, leak or read out of bounds.
 *
 *   make fuzz && build-fuzz/fuzz_oci -dict=modules/seccomp/fuzz_oci.dict \
 *       -max_total_time=60 CORPUS_COPY modules/seccomp/fuzz_oci.corpus
 *
 * The seeds (fuzz_oci.corpus/) are Docker's current default profile and
 * Debian's, trimmed to one entry of each shape, and small valid and invalid
 * profiles; the dictionary holds the format's keys, actions, operators and
 * names.  The reader takes a path (it checks the file's owner and mode): the
 * input goes into a memfd read back as /proc/self/fd/N, so nothing is left
 * on disk.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seccomp_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;
	if (fd < 0) {
		fd = memfd_create("cordon-fuzz-oci", MFD_CLOEXEC);
		/* A memfd is created 0777: the reader refuses files writable by others. */
		if (fd < 0 || fchmod(fd, 0600) < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
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
