/*
 * modules/landlock/tests/unit_audit.c - the audit-mode collector fed with
 * records as the kernel writes them (captured from a Linux 6.18 host,
 * Landlock ABI 7, then edited): which domain is the run's, the marker,
 * deduplication, pids from SYSCALL records, hex-encoded paths, the
 * domain's end, records of other domains and malformed records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "landlock.h"
#include "tap.h"

#define A LL_AUDIT_ACCESS
#define D LL_AUDIT_DOMAIN
#define S LL_AUDIT_SYSCALL

static void parsing(void)
{
	uint64_t serial = 0;
	const char *body = NULL;
	char v[64];

	ok(ll_audit_serial("audit(1795453924.947:33): domain=1d6e81f44 x=1", &serial, &body) == 0 && serial == 33 &&
	           strcmp(body, "domain=1d6e81f44 x=1") == 0,
	   "serial and body of a record");
	ok(ll_audit_serial("audit(1795453924.947): x=1", &serial, &body) < 0, "no serial: malformed");
	ok(ll_audit_serial("audit(1795453924.947:3a): x=1", &serial, &body) < 0, "a serial that is not a number");
	ok(ll_audit_serial("audit(1795453924.947:99999999999999999999): x", &serial, &body) < 0, "an overflowing serial");
	ok(ll_audit_serial("type=1423 x", &serial, &body) < 0, "no audit( prefix");
	ok(ll_audit_serial("audit(1.2:", &serial, &body) < 0, "cut short");

	const char *rec = "ppid=1 pid=42 comm=\"cat\" exe=\"/usr/bin/cat\" path=2F746D702F6120622F63 ino=810 dev=\"vda\"";
	ok(ll_audit_field(rec, "pid", v, sizeof(v)) && strcmp(v, "42") == 0, "pid, not ppid");
	ok(ll_audit_field(rec, "exe", v, sizeof(v)) && strcmp(v, "/usr/bin/cat") == 0, "a quoted value");
	ok(ll_audit_field(rec, "path", v, sizeof(v)) && strcmp(v, "/tmp/a b/c") == 0,
	   "a hex-encoded value (a path with a space)");
	ok(ll_audit_field(rec, "ino", v, sizeof(v)) && strcmp(v, "810") == 0, "a number stays a number");
	ok(!ll_audit_field(rec, "name", v, sizeof(v)) && v[0] == '\0', "an absent field");
	ok(ll_audit_field("path=0A41", "path", v, sizeof(v)) && strcmp(v, "?A") == 0,
	   "a control character in a path is replaced");
	ok(ll_audit_field(rec, "exe", v, 5) && strcmp(v, "/usr") == 0, "truncated to the buffer");
	ok(ll_audit_field("domain=1234", "domain", v, sizeof(v)) && strcmp(v, "1234") == 0,
	   "a domain id is never decoded as hex");
	ok(ll_audit_field("exe=\"/x", "exe", v, sizeof(v)) && strcmp(v, "/x") == 0, "an unterminated quote");
}

static void feed(struct ll_audit *a, const int *types, const char *const *texts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ll_audit_record(a, types[i], texts[i]);
}

static const struct ll_denial *find(const struct ll_audit *a, const char *blockers, const char *object)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->d[i].blockers, blockers) == 0 && strcmp(a->d[i].object, object) == 0)
			return &a->d[i];
	return NULL;
}

static void collecting(void)
{
	struct ll_audit a;
	memset(&a, 0, sizeof(a));
	a.fd = -1;
	snprintf(a.comm, sizeof(a.comm), "cordon-1234abcd");
	static const int types[] = { A, A, D, S, 1327, 1320, A, S, A, 1326, S, A, A, S, A, A, S, D, D };
	static const char *const texts[] = {
		/* another sandbox's domain, seen first */
		"audit(1795453924.900:30): domain=1aaaaaaaa blockers=fs.read_file path=\"/etc/shadow\" dev=\"vda\" ino=1",
		/* the marker and the announcement of the run's domain */
		"audit(1795453924.947:32): domain=1d6e81f44 blockers=fs.make_char path=\"/tmp\" dev=\"vda\" ino=247066",
		"audit(1795453924.947:32): domain=1d6e81f44 status=allocated mode=enforcing pid=13627 uid=0 "
		"exe=\"/tmp/llinv/exp\" comm=\"cordon-1234abcd\"",
		"audit(1795453924.947:32): arch=c000003e syscall=259 success=no exit=-13 ppid=13622 pid=13627 "
		"comm=\"cordon-1234abcd\" exe=\"/tmp/llinv/exp\" key=(null)",
		"audit(1795453924.947:32): proctitle=2E2F65787000320031",
		"audit(1795453924.947:32): ",
		"audit(1795453924.947:33): domain=1d6e81f44 blockers=fs.read_file path=\"/etc/hostname\" dev=\"vda\" ino=733",
		"audit(1795453924.947:33): arch=c000003e syscall=257 success=no exit=-13 ppid=13627 pid=13628 "
		"comm=\"cat\" exe=\"/usr/bin/cat\" key=(null)",
		"audit(1795453924.947:34): domain=1d6e81f44 blockers=fs.read_file path=\"/etc/hostname\" dev=\"vda\" ino=733",
		"audit(1795453924.947:35): auid=4294967295 uid=65534 pid=13632 comm=\"sc_deny\" syscall=165",
		"audit(1795453924.947:34): arch=c000003e syscall=257 success=no exit=-13 ppid=13627 pid=13631 "
		"comm=\"cat\" exe=\"/usr/bin/cat\" key=(null)",
		/* a path with a space (hex), without a SYSCALL record */
		"audit(1795453924.951:38): domain=1d6e81f44 blockers=fs.write_file path=2F746D702F6120622F63 dev=\"vda\" ino=9",
		/* another domain after the run's is known: ignored */
		"audit(1795453924.951:39): domain=1aaaaaaaa blockers=fs.read_file path=\"/etc/passwd\" dev=\"vda\" ino=2",
		"audit(1795453924.951:39): arch=c000003e syscall=257 pid=999 comm=\"x\" exe=\"/x\"",
		/* a network denial, and a signal */
		"audit(1795453924.951:40): domain=1d6e81f44 blockers=net.connect_tcp daddr=127.0.0.1 dest=80",
		"audit(1795453924.951:41): domain=1d6e81f44 blockers=scope.signal opid=1 ocomm=\"systemd\"",
		"audit(1795453924.951:41): arch=c000003e syscall=62 pid=13640 comm=\"kill\" exe=\"/usr/bin/kill\"",
		/* another domain's end, then the run's */
		"audit(1795453925.003:42): domain=1aaaaaaaa status=deallocated denials=2",
		"audit(1795453925.003:43): domain=1d6e81f44 status=deallocated denials=6",
	};
	_Static_assert(sizeof(types) / sizeof(types[0]) == sizeof(texts) / sizeof(texts[0]), "one type per record");
	feed(&a, types, texts, sizeof(types) / sizeof(types[0]));

	is_str(a.domain, "1d6e81f44", "the run's domain is the one its child's name announced");
	ok(a.marker, "the marker was recognised");
	is_int(a.events, 5, "five denials logged for the run (the marker and other domains left out)");
	is_int(a.n, 4, "four distinct denials");
	const struct ll_denial *d = find(&a, "fs.read_file", "/etc/hostname");
	ok(d && d->count == 2, "/etc/hostname: read twice, one entry");
	ok(d && d->pid == 13628 && d->exe && strcmp(d->exe, "/usr/bin/cat") == 0,
	   "its pid and executable come from the first SYSCALL record of the same event");
	d = find(&a, "fs.write_file", "/tmp/a b/c");
	ok(d && d->pid == 0 && !d->exe, "a hex-encoded path is decoded; no SYSCALL record, no pid");
	ok(find(&a, "net.connect_tcp", "daddr=127.0.0.1 dest=80") != NULL, "a network denial keeps its fields");
	d = find(&a, "scope.signal", "opid=1 ocomm=\"systemd\"");
	ok(d && d->pid == 13640, "a signal denial, with the sender's pid");
	ok(!find(&a, "fs.read_file", "/etc/shadow") && !find(&a, "fs.read_file", "/etc/passwd"),
	   "another domain's denials are not the run's");
	ok(a.ended && a.total == 6, "the domain's end and its count (the marker included)");
	ll_audit_clear(&a);

	/* The announcement never came (a host that drops records). */
	memset(&a, 0, sizeof(a));
	snprintf(a.comm, sizeof(a.comm), "cordon-1234abcd");
	ll_audit_record(&a, A, "audit(1.0:1): domain=1d6e81f44 blockers=fs.read_file path=\"/etc/hostname\"");
	ll_audit_record(&a, D, "audit(1.0:1): domain=1d6e81f44 status=allocated comm=\"cordon-99999999\"");
	ok(!a.domain[0] && a.n == 0, "a domain announced under another name is not the run's");
	ll_audit_record(&a, D, "audit(1.0:1): domain=1d6e81f44 status=deallocated denials=4");
	ok(!a.ended, "nor is its end");
	ll_audit_clear(&a);

	/* More distinct denials than are listed; malformed records. */
	memset(&a, 0, sizeof(a));
	snprintf(a.comm, sizeof(a.comm), "cordon-1234abcd");
	ll_audit_record(&a, A, "audit(1.0:1): domain=ab blockers=fs.make_char path=\"/tmp/x\"");
	ll_audit_record(&a, D, "audit(1.0:1): domain=ab status=allocated mode=enforcing comm=\"cordon-1234abcd\"");
	for (int i = 0; i < LL_AUDIT_MAX_DENIALS + 10; i++) {
		char t[128];
		snprintf(t, sizeof(t), "audit(1.0:%d): domain=ab blockers=fs.read_file path=\"/f%d\"", i + 2, i);
		ll_audit_record(&a, A, t);
	}
	is_int(a.n, LL_AUDIT_MAX_DENIALS, "at most LL_AUDIT_MAX_DENIALS are listed");
	is_int(a.unlisted, 10, "the rest are counted");
	size_t before = a.n;
	ll_audit_record(&a, A, "domain=ab blockers=fs.read_file path=\"/g\"");
	ll_audit_record(&a, A, "audit(1.0:5) domain=ab blockers=fs.read_file");
	ll_audit_record(&a, A, "audit(1.0:5): blockers=fs.read_file path=\"/h\"");
	ll_audit_record(&a, A, "");
	ll_audit_record(&a, D, "audit(1.0:6): domain=ab status=deallocated denials=x");
	ll_audit_record(&a, S, "audit(1.0:7): pid=-3");
	ok(a.n == before && a.unlisted == 10 && !a.ended, "malformed records change nothing");
	ll_audit_record(&a, A, "audit(1.0:8): domain=ab path=\"/nob\"");
	ok(a.unlisted == 11, "a record without blockers is still counted");
	ll_audit_clear(&a);
}

int main(void)
{
	parsing();
	collecting();
	is_int(ll_log_flags(7, true), LL_RESTRICT_LOG_NEW_EXEC_ON, "ABI 7, audit mode: log after the execve");
	is_int(ll_log_flags(9, true), LL_RESTRICT_LOG_NEW_EXEC_ON, "a later ABI: the same");
	is_int(ll_log_flags(6, true), 0, "ABI 6: no logging flag exists");
	is_int(ll_log_flags(7, false), 0, "outside audit mode: no flag");
	return tap_done();
}
