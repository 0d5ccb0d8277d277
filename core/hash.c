/*
 * core/hash.c - sha256 through nettle, loaded on first use.
 *
 * nettle is opened with dlopen, by the SONAME the build read from the
 * development link, rather than linked: only `cordon log verify` and runs
 * that collect output files hash anything, and every other launch would
 * otherwise map, relocate and initialise it (its constructor probes the
 * CPU) for nothing.  Used by libcordon (outputs.c) and compiled into the
 * cordon command too (log verify) and the service; base64 decoding (files
 * given to a run: core/cli/infiles.c) comes from the same load.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "hash.h"

#ifndef NETTLE_SONAME
#define NETTLE_SONAME "libnettle.so.8"
#endif

static struct {
	__typeof__(nettle_sha256_init) *init;
	__typeof__(nettle_sha256_update) *update;
	__typeof__(nettle_sha256_digest) *digest;
	__typeof__(nettle_base64_decode_init) *b64_init;
	__typeof__(nettle_base64_decode_update) *b64_update;
	__typeof__(nettle_base64_decode_final) *b64_final;
	char error[256];
} sha;
static pthread_once_t sha_once = PTHREAD_ONCE_INIT;

static void load(void)
{
	void *h = dlopen(NETTLE_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(sha.error, sizeof(sha.error), "cannot load %s: %s", NETTLE_SONAME, dlerror());
		return;
	}
	/* dlsym returns void *; the function pointers are taken through a
	 * copy of the bytes (ISO C has no object-to-function conversion). */
	void *f[3] = { dlsym(h, "nettle_sha256_init"), dlsym(h, "nettle_sha256_update"),
		       dlsym(h, "nettle_sha256_digest") };
	if (!f[0] || !f[1] || !f[2]) {
		snprintf(sha.error, sizeof(sha.error), "%s lacks the sha256 functions", NETTLE_SONAME);
		dlclose(h);
		return;
	}
	memcpy(&sha.init, &f[0], sizeof(sha.init));
	memcpy(&sha.update, &f[1], sizeof(sha.update));
	memcpy(&sha.digest, &f[2], sizeof(sha.digest));
	void *b[3] = { dlsym(h, "nettle_base64_decode_init"), dlsym(h, "nettle_base64_decode_update"),
		       dlsym(h, "nettle_base64_decode_final") };
	if (b[0] && b[1] && b[2]) {
		memcpy(&sha.b64_init, &b[0], sizeof(sha.b64_init));
		memcpy(&sha.b64_update, &b[1], sizeof(sha.b64_update));
		memcpy(&sha.b64_final, &b[2], sizeof(sha.b64_final));
	}
	/* h stays loaded for the process's life */
}

const char *sha256_begin(struct sha256_ctx *ctx)
{
	pthread_once(&sha_once, load);
	if (!sha.digest)
		return sha.error[0] ? sha.error : "nettle could not be loaded";
	sha.init(ctx);
	return NULL;
}

void sha256_feed(struct sha256_ctx *ctx, const void *data, size_t len)
{
	sha.update(ctx, len, data);
}

void sha256_end_hex(struct sha256_ctx *ctx, char hex[SHA256_HEX_LEN + 1])
{
	unsigned char md[SHA256_DIGEST_SIZE];
	sha.digest(ctx, sizeof(md), md);
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < SHA256_DIGEST_SIZE; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[SHA256_HEX_LEN] = '\0';
}

int base64_decode_all(const char *in, size_t len, unsigned char *out, size_t *out_len, const char **why)
{
	pthread_once(&sha_once, load);
	if (!sha.b64_final) {
		*why = sha.error[0] ? sha.error : "nettle's base64 could not be loaded";
		return -2;
	}
	struct base64_decode_ctx ctx;
	sha.b64_init(&ctx);
	size_t n = BASE64_DECODE_LENGTH(len);
	/* nettle skips white space; padding is checked by final */
	if (!sha.b64_update(&ctx, &n, out, len, in) || !sha.b64_final(&ctx)) {
		*why = "not valid base64";
		return -1;
	}
	*out_len = n;
	return 0;
}
