/*
 * core/hash.h - sha256 through nettle, loaded on first use (hash.c).
 */
#ifndef CORDON_HASH_H
#define CORDON_HASH_H

#include <stddef.h>

#include <nettle/base64.h>
#include <nettle/sha2.h>

#define SHA256_HEX_LEN (2 * SHA256_DIGEST_SIZE)

#if defined(__GNUC__)
#define CORDON_HASH_HIDDEN __attribute__((visibility("hidden")))
#else
#define CORDON_HASH_HIDDEN
#endif

/* Start a hash: NULL, or why nettle could not be had (nothing else is
 * then valid on ctx). */
CORDON_HASH_HIDDEN const char *sha256_begin(struct sha256_ctx *ctx);
CORDON_HASH_HIDDEN void sha256_feed(struct sha256_ctx *ctx, const void *data, size_t len);
/* The digest as lowercase hex, NUL-terminated. */
CORDON_HASH_HIDDEN void sha256_end_hex(struct sha256_ctx *ctx, char hex[SHA256_HEX_LEN + 1]);

/* Standard base64 (RFC 4648, padded) of in[0..len) into out, which has
 * room for BASE64_DECODE_LENGTH(len) bytes; *out_len the bytes decoded.
 * 0; -1 when the text is not base64; -2 when nettle could not be had
 * (*why says why). */
CORDON_HASH_HIDDEN int base64_decode_all(const char *in, size_t len, unsigned char *out, size_t *out_len,
                                         const char **why);

#endif
