/*
 * tests/tap.h - the Test Anything Protocol for C tests, as c-tap-harness:
 * plan(), ok(), is_int(), is_str(), diag(), bail().  Header-only.
 */
#ifndef CORDON_TAP_H
#define CORDON_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count, tap_failed, tap_planned;

__attribute__((format(printf, 1, 2), unused)) static void diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	fputs("\n", stdout);
	va_end(ap);
}

__attribute__((unused)) static void plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

__attribute__((format(printf, 1, 2), noreturn, unused)) static void bail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("Bail out! ", stdout);
	vprintf(fmt, ap);
	fputs("\n", stdout);
	va_end(ap);
	exit(255);
}

__attribute__((format(printf, 2, 3), unused)) static int ok(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tap_count++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	fputs("\n", stdout);
	fflush(stdout);
	va_end(ap);
	if (!cond)
		tap_failed++;
	return cond;
}

#define is_int(got, want, ...)                                                        \
	do {                                                                          \
		long long tap_g_ = (long long)(got), tap_w_ = (long long)(want);      \
		if (!ok(tap_g_ == tap_w_, __VA_ARGS__))                               \
			diag("     got: %lld\n#   expected: %lld", tap_g_, tap_w_);    \
	} while (0)

#define is_str(got, want, ...)                                                          \
	do {                                                                            \
		const char *tap_g_ = (got), *tap_w_ = (want);                           \
		int tap_same_ = (tap_g_ && tap_w_) ? strcmp(tap_g_, tap_w_) == 0 : tap_g_ == tap_w_; \
		if (!ok(tap_same_, __VA_ARGS__))                                        \
			diag("     got: '%s'\n#   expected: '%s'", tap_g_ ? tap_g_ : "(null)", \
			     tap_w_ ? tap_w_ : "(null)");                               \
	} while (0)

/* Call at the end of main: the exit status says whether all passed. */
__attribute__((unused)) static int tap_done(void)
{
	if (tap_planned && tap_count != tap_planned) {
		diag("planned %d tests but ran %d", tap_planned, tap_count);
		return 1;
	}
	if (!tap_planned)
		printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
