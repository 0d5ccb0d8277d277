/*
 * tests/unit_args.c - strict parsing of integers, sizes, durations and
 * booleans (core/args.c).
 */
#include "internal.h"
#include "tap.h"

static void size_ok(const char *s, uint64_t want)
{
	uint64_t v = 0;
	int r = parse_size(s, &v);
	ok(r == 0 && v == want, "size '%s' = %llu", s, (unsigned long long)want);
	if (r != 0 || v != want)
		diag("got r=%d v=%llu", r, (unsigned long long)v);
}

static void size_bad(const char *s)
{
	uint64_t v = 0;
	ok(parse_size(s, &v) < 0, "size '%s' is refused", s);
}

static void dur_ok(const char *s, uint64_t want)
{
	uint64_t v = 0;
	int r = parse_duration(s, &v);
	ok(r == 0 && v == want, "duration '%s' = %llu ns", s, (unsigned long long)want);
	if (r != 0 || v != want)
		diag("got r=%d v=%llu", r, (unsigned long long)v);
}

static void dur_bad(const char *s)
{
	uint64_t v = 0;
	ok(parse_duration(s, &v) < 0, "duration '%s' is refused", s);
}

static void int_case(const char *s, int good, int64_t want)
{
	int64_t v = 0;
	int r = parse_int(s, &v);
	if (good)
		ok(r == 0 && v == want, "int '%s' = %lld", s, (long long)want);
	else
		ok(r < 0, "int '%s' is refused", s);
}

static void bool_case(const char *s, int plain, int want)
{
	struct cordon_node n = { .type = CORDON_NODE_SCALAR, .text = (char *)s, .len = strlen(s), .plain = plain };
	int v = -1;
	int r = parse_bool(&n, &v);
	if (want < 0)
		ok(r < 0, "bool %s'%s' is refused", plain ? "" : "quoted ", s);
	else
		ok(r == 0 && v == want, "bool '%s' = %d", s, want);
}

int main(void)
{
	size_ok("0", 0);
	size_ok("4096", 4096);
	size_ok("4096B", 4096);
	size_ok("64K", 65536);
	size_ok("64k", 65536);
	size_ok("64KiB", 65536);
	size_ok("64KB", 65536);
	size_ok("256M", 256ull << 20);
	size_ok("2G", 2ull << 30);
	size_ok("1T", 1ull << 40);
	size_ok("1.5M", 3ull << 19);
	size_ok("0.5K", 512);
	size_ok("unlimited", CORDON_UNLIMITED);
	size_bad("");
	size_bad("M");
	size_bad("-1M");
	size_bad("+1M");
	size_bad("1.5");
	size_bad("12Q");
	size_bad("1 M");
	size_bad("1MM");
	size_bad("1m"); /* minutes are not a size */
	size_bad("99999999999T");
	size_bad("18446744073709551616");
	size_bad("1.");
	size_bad(".5K");
	size_bad("0x10");

	dur_ok("5s", 5000000000ull);
	dur_ok("5", 5000000000ull);
	dur_ok("500ms", 500000000ull);
	dur_ok("100us", 100000ull);
	dur_ok("7ns", 7ull);
	dur_ok("2m", 120000000000ull);
	dur_ok("2min", 120000000000ull);
	dur_ok("1h", 3600000000000ull);
	dur_ok("1d", 86400000000000ull);
	dur_ok("1m30s", 90000000000ull);
	dur_ok("1m 30s", 90000000000ull);
	dur_ok("1.5s", 1500000000ull);
	dur_ok("0.001s", 1000000ull);
	dur_ok("unlimited", CORDON_UNLIMITED);
	dur_bad("");
	dur_bad("s");
	dur_bad("5x");
	dur_bad("5sec");
	dur_bad("-5s");
	dur_bad("1.s");
	dur_bad("1s5");
	dur_bad("ms");
	dur_bad("99999999999999d");
	dur_bad("5 s");

	int_case("0", 1, 0);
	int_case("42", 1, 42);
	int_case("-5", 1, -5);
	int_case("+7", 1, 7);
	int_case("9223372036854775807", 1, INT64_MAX);
	int_case("9223372036854775808", 0, 0);
	int_case("", 0, 0);
	int_case("-", 0, 0);
	int_case("1e3", 0, 0);
	int_case("0x10", 0, 0);
	int_case(" 1", 0, 0);
	int_case("1 ", 0, 0);
	int_case("1.0", 0, 0);

	bool_case("true", 1, 1);
	bool_case("True", 1, 1);
	bool_case("FALSE", 1, 0);
	bool_case("false", 1, 0);
	bool_case("yes", 1, -1);
	bool_case("on", 1, -1);
	bool_case("1", 1, -1);
	bool_case("true", 0, -1);
	return tap_done();
}
