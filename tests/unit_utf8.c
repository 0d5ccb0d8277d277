/*
 * tests/unit_utf8.c - invalid UTF-8 becomes U+FFFD in results
 * (core/util.c utf8_sanitize), valid text passes unchanged.
 */
#include "internal.h"
#include "tap.h"

static void same(const char *in, size_t len, const char *what)
{
	size_t n = 0;
	char *out = utf8_sanitize(in, len, &n);
	ok(out && n == len && memcmp(out, in, len) == 0, "%s passes unchanged", what);
	free(out);
}

static void becomes(const char *in, size_t len, const char *want, size_t wlen, const char *what)
{
	size_t n = 0;
	char *out = utf8_sanitize(in, len, &n);
	ok(out && n == wlen && memcmp(out, want, wlen) == 0, "%s", what);
	free(out);
}

#define R "\xef\xbf\xbd"

int main(void)
{
	same("hello", 5, "ASCII");
	same("h\0i", 3, "an embedded NUL");
	same("\xc3\xa9t\xc3\xa9", 6, "two-byte sequences");
	same("\xe2\x82\xac", 3, "three-byte sequence");
	same("\xf0\x9f\x98\x80", 4, "four-byte sequence");
	same("\xf4\x8f\xbf\xbf", 4, "U+10FFFF");
	becomes("\xff\xfe", 2, R R, 6, "bytes that never start UTF-8");
	becomes("\xc0\xaf", 2, R R, 6, "overlong two-byte");
	becomes("\xe0\x80\xaf", 3, R R R, 9, "overlong three-byte");
	becomes("\xed\xa0\x80", 3, R R R, 9, "a surrogate");
	becomes("\xf4\x90\x80\x80", 4, R R R R, 12, "beyond U+10FFFF");
	becomes("a\xc3", 2, "a" R, 4, "a sequence cut at the end");
	becomes("\xe2\x82x", 3, R R "x", 7, "a sequence cut by ASCII");
	becomes("\x80", 1, R, 3, "a lone continuation byte");
	return tap_done();
}
