/*
 * modules/incident_log/tests/unit_chain.c - the incident log's pieces: the
 * default path, opening refusals, the tail link, appending to the chain,
 * the lock, time stamps, text cutting, kinds and the record's size bound.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "incident_log.h"
#include "tap.h"

static char dir[] = "/tmp/unit_ilog.XXXXXX";

static char *at(const char *name)
{
	static char buf[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", dir, name);
	return buf[k];
}

static void put_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		bail("cannot write %s: %s", path, strerror(errno));
	close(fd);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	char *buf = malloc(1 << 20);
	size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	if (buf)
		buf[n] = '\0';
	*len = n;
	return buf;
}

static void hex_of(const char *s, char hex[ILOG_HEX_LEN + 1])
{
	if (ilog_sha256_hex(s, strlen(s), hex) < 0)
		bail("sha256 failed");
}

static void test_default_path(void)
{
	char *err = NULL;
	char *p = ilog_default_path(0, NULL, "/x/state", "/home/u", &err);
	is_str(p, "/var/log/cordon/incidents.jsonl", "root: /var/log/cordon/incidents.jsonl");
	free(p);
	p = ilog_default_path(1000, NULL, "/x/state", "/home/u", &err);
	is_str(p, "/x/state/cordon/incidents.jsonl", "user: $XDG_STATE_HOME/cordon/incidents.jsonl");
	free(p);
	p = ilog_default_path(1000, NULL, "relative/state", "/home/u", &err);
	is_str(p, "/home/u/.local/state/cordon/incidents.jsonl", "a relative XDG_STATE_HOME is ignored");
	free(p);
	p = ilog_default_path(1000, NULL, NULL, "/home/u", &err);
	is_str(p, "/home/u/.local/state/cordon/incidents.jsonl", "user: ~/.local/state/cordon/incidents.jsonl");
	free(p);
	p = ilog_default_path(0, "/run/svc/logs", "/x/state", "/home/u", &err);
	is_str(p, "/run/svc/logs/incidents.jsonl", "$LOGS_DIRECTORY first, root too");
	free(p);
	p = ilog_default_path(1000, "logs", NULL, "/home/u", &err);
	is_str(p, "/home/u/.local/state/cordon/incidents.jsonl", "a relative LOGS_DIRECTORY is ignored");
	free(p);
	p = ilog_default_path(3999999, NULL, NULL, NULL, &err);
	ok(p == NULL && err && strstr(err, "no home directory"), "no HOME and no passwd entry: an error (%s)",
	   err ? err : "none");
	free(p);
	free(err);
	err = NULL;
	p = ilog_default_path(1000, "/run/svc/a:/run/svc/b", NULL, "/home/u", &err);
	is_str(p, "/run/svc/a/incidents.jsonl", "a LogsDirectory= of several: the first of $LOGS_DIRECTORY");
	free(p);
	free(err);
}

/* A service account's home that cannot hold the log: the fallback. */
static void test_default_place(void)
{
	char *err = NULL, *note = NULL;
	uid_t me = geteuid();
	if (mkdir(at("place"), 0755) < 0 || mkdir(at("place/home"), 0755) < 0 || mkdir(at("place/tmp"), 01777) < 0 ||
	    chmod(at("place/tmp"), 01777) < 0)
		bail("mkdir: %s", strerror(errno));
	/* A home that is a regular file: nothing can be made under it, even as root. */
	put_file(at("place/nohome"), "", 0);
	char *p = ilog_default_place(me == 0 ? 1000 : me, NULL, NULL, at("place/home"), at("place/tmp"), &note, &err);
	if (me == 0) {
		/* As root for another uid: the home is made (root can); the point
		 * is only that the home's path is the answer. */
		ok(p && strstr(p, "place/home/.local/state/cordon/incidents.jsonl") && !note,
		   "a home that can hold the log is used, no note (%s)", p ? p : err);
	} else {
		is_str(p, at("place/home/.local/state/cordon/incidents.jsonl"), "a writable home is used");
		ok(!note, "no note when the home holds the log");
	}
	free(p);
	free(note);
	note = NULL;
	if (me != 0) {
		p = ilog_default_place(me, NULL, NULL, at("place/nohome"), at("place/tmp"), &note, &err);
		char want[600];
		snprintf(want, sizeof(want), "%s/cordon-%u/incidents.jsonl", at("place/tmp"), (unsigned)me);
		is_str(p, want, "a home that cannot hold the log: FALLBACK/cordon-UID/incidents.jsonl");
		ok(note && strstr(note, "fallback"), "... and a note says so (%s)", note ? note : "none");
		struct stat st;
		snprintf(want, sizeof(want), "%s/cordon-%u", at("place/tmp"), (unsigned)me);
		ok(stat(want, &st) == 0 && (st.st_mode & 07777) == 0700 && st.st_uid == me,
		   "the fallback is mode 0700, ours");
		free(p);
		free(note);
		note = NULL;
		/* The fallback cannot be made either: the error names each setting. */
		p = ilog_default_place(me, NULL, NULL, at("place/nohome"), at("place/nohome"), &note, &err);
		ok(!p && err && strstr(err, "$XDG_STATE_HOME") && strstr(err, "LogsDirectory=") && strstr(err, "path:"),
		   "no home, no fallback: the error names path:, $XDG_STATE_HOME and LogsDirectory= (%s)",
		   err ? err : "none");
		free(p);
		free(err);
		err = NULL;
		/* An explicit $XDG_STATE_HOME that cannot be made: its error, no fallback. */
		p = ilog_default_place(me, NULL, at("place/nohome/x"), at("place/home"), at("place/tmp"), &note, &err);
		ok(!p && err && strstr(err, "$XDG_STATE_HOME="), "an unusable $XDG_STATE_HOME: an error naming it (%s)",
		   err ? err : "none");
		free(p);
		free(err);
		err = NULL;
	} else {
		/* (tests/service-account.t runs these through setpriv) */
		for (int i = 0; i < 5; i++)
			ok(1, "# SKIP as root: the fallback is tested unprivileged");
	}
	/* The private directory's checks. */
	ok(ilog_private_dir(at("place/priv"), me, &err) == 0, "a private directory is made");
	if (chmod(at("place/priv"), 0750) < 0)
		bail("chmod: %s", strerror(errno));
	ok(ilog_private_dir(at("place/priv"), me, &err) < 0 && err && strstr(err, "0750"),
	   "a private directory with group access is refused (%s)", err ? err : "none");
	free(err);
	err = NULL;
	if (me == 0) {
		if (mkdir(at("place/theirs"), 0700) < 0 || chown(at("place/theirs"), 65534, 65534) < 0)
			bail("theirs: %s", strerror(errno));
		ok(ilog_private_dir(at("place/theirs"), 0, &err) < 0 && err && strstr(err, "owned by uid 65534"),
		   "a directory another account owns is refused (%s)", err ? err : "none");
	} else {
		ok(ilog_private_dir("/", me, &err) < 0 && err && strstr(err, "owned by uid 0"),
		   "a directory another account owns is refused (%s)", err ? err : "none");
	}
	free(err);
	err = NULL;
	if (mkdir(at("place/open"), 0777) < 0 || chmod(at("place/open"), 0777) < 0)
		bail("mkdir: %s", strerror(errno));
	ok(ilog_private_dir(at("place/open/d"), me, &err) < 0 && err && strstr(err, "sticky"),
	   "in a world-writable directory without the sticky bit: refused (%s)", err ? err : "none");
	free(err);
}

/* What lint sees: a path checked, nothing created. */
static void test_check_path(void)
{
	char *err = NULL;
	ok(ilog_check_path(at("chk.jsonl"), geteuid(), &err) == 0, "a log to be created in a writable directory: ok");
	ok(access(at("chk.jsonl"), F_OK) < 0 && errno == ENOENT, "... and checking created nothing");
	ok(ilog_check_path(at("nodir/chk.jsonl"), geteuid(), &err) < 0 && err && strstr(err, "No such file"),
	   "a missing directory: refused (%s)", err ? err : "none");
	free(err);
	err = NULL;
	ok(access(at("nodir"), F_OK) < 0, "... and not created");
	ok(ilog_check_path(dir, geteuid(), &err) < 0 && err && strstr(err, "Is a directory"),
	   "a directory: refused (%s)", err ? err : "none");
	free(err);
	err = NULL;
	if (symlink(at("chk.jsonl"), at("chk.link")) < 0)
		bail("symlink: %s", strerror(errno));
	ok(ilog_check_path(at("chk.link"), geteuid(), &err) < 0 && err && strstr(err, "symbolic link"),
	   "a symbolic link: refused (%s)", err ? err : "none");
	free(err);
	err = NULL;
	put_file(at("chk.ww"), "", 0);
	if (chmod(at("chk.ww"), 0666) < 0)
		bail("chmod: %s", strerror(errno));
	ok(ilog_check_path(at("chk.ww"), geteuid(), &err) < 0 && err && strstr(err, "world-writable"),
	   "a world-writable log: refused (%s)", err ? err : "none");
	free(err);
}

static void test_make_parents(void)
{
	char *err = NULL;
	ok(ilog_make_parents(at("a/b/c/log.jsonl"), &err) == 0, "missing directories are created");
	struct stat st;
	ok(stat(at("a/b/c"), &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700,
	   "created directories are mode 0700");
	ok(ilog_make_parents(at("a/b/c/log.jsonl"), &err) == 0, "existing directories are fine");
	put_file(at("plain"), "x", 1);
	int rc = ilog_make_parents(at("plain/sub/log.jsonl"), &err);
	ok(rc < 0 && err && strstr(err, "plain/sub"),
	   "a file in the way: an error naming the directory (%s)", err ? err : "none");
	free(err);
}

static void test_open(void)
{
	char *err = NULL;
	uid_t me = geteuid();
	int fd = ilog_open(at("new.jsonl"), me, &err);
	struct stat st;
	ok(fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600, "created with mode 0600");
	ok(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "close-on-exec");
	ok(fd >= 0 && (fcntl(fd, F_GETFL) & O_APPEND), "append mode");
	if (fd >= 0)
		close(fd);

	if (symlink(at("new.jsonl"), at("link.jsonl")) < 0)
		bail("symlink: %s", strerror(errno));
	fd = ilog_open(at("link.jsonl"), me, &err);
	ok(fd < 0 && err && strstr(err, "symbolic link"), "a symbolic link is refused (%s)", err ? err : "none");

	if (link(at("new.jsonl"), at("hard.jsonl")) < 0)
		bail("link: %s", strerror(errno));
	fd = ilog_open(at("hard.jsonl"), me, &err);
	ok(fd < 0 && err && strstr(err, "2 hard links"), "a file with two links is refused (%s)", err ? err : "none");
	unlink(at("hard.jsonl"));

	put_file(at("ww.jsonl"), "", 0);
	chmod(at("ww.jsonl"), 0666);
	fd = ilog_open(at("ww.jsonl"), me, &err);
	ok(fd < 0 && err && strstr(err, "world-writable"), "a world-writable file is refused (%s)",
	   err ? err : "none");

	if (mkfifo(at("fifo"), 0600) < 0)
		bail("mkfifo: %s", strerror(errno));
	fd = ilog_open(at("fifo"), me, &err);
	ok(fd < 0 && err && strstr(err, "not a regular file"), "a FIFO is refused (%s)", err ? err : "none");

	fd = ilog_open(dir, me, &err);
	ok(fd < 0 && err && strstr(err, "Is a directory"), "a directory is refused (%s)", err ? err : "none");

	fd = ilog_open(at("new.jsonl"), me == 0 ? 12345 : me + 1, &err);
	if (me == 0)
		ok(fd >= 0, "a file owned by root is accepted for any user");
	else
		ok(fd < 0 && err && strstr(err, "owned by uid"), "a file owned by someone else is refused (%s)",
		   err ? err : "none");
	if (fd >= 0)
		close(fd);
	free(err);
}

static int tail_of(const char *content, size_t len, char hex[ILOG_HEX_LEN + 1], int *partial)
{
	put_file(at("tail"), content, len);
	int fd = open(at("tail"), O_RDONLY | O_CLOEXEC);
	char *err = NULL;
	int rc = ilog_tail_link(fd, (off_t)len, hex, partial, NULL, &err);
	if (rc < 0)
		diag("tail_link: %s", err ? err : "?");
	free(err);
	close(fd);
	return rc;
}

static void test_tail(void)
{
	char got[ILOG_HEX_LEN + 1], want[ILOG_HEX_LEN + 1];
	int partial = -1;
	ok(tail_of("", 0, got, &partial) == 0 && strcmp(got, ILOG_GENESIS) == 0 && partial == 0,
	   "empty file: the genesis link (64 zeros)");
	hex_of("abc", want);
	ok(tail_of("abc\n", 4, got, &partial) == 0 && strcmp(got, want) == 0 && !partial, "one line: its hash");
	ok(tail_of("first\nabc\n", 10, got, &partial) == 0 && strcmp(got, want) == 0 && !partial,
	   "two lines: the last one's hash");
	hex_of("ab", want);
	ok(tail_of("first\nab", 8, got, &partial) == 0 && strcmp(got, want) == 0 && partial == 1,
	   "an unfinished last line: its bytes, flagged partial");
	hex_of("", want);
	ok(tail_of("x\n\n", 3, got, &partial) == 0 && strcmp(got, want) == 0 && !partial,
	   "an empty last line: the hash of nothing");
	/* A last line longer than the backwards read chunk. */
	size_t big = 10000;
	char *buf = malloc(big + 16);
	if (!buf)
		bail("out of memory");
	memcpy(buf, "short\n", 6);
	memset(buf + 6, 'y', big);
	buf[6 + big] = '\0';
	hex_of(buf + 6, want);
	buf[6 + big] = '\n';
	ok(tail_of(buf, big + 7, got, &partial) == 0 && strcmp(got, want) == 0,
	   "a 10000-byte last line is read back across chunks");
	memset(buf, 'z', big);
	buf[big] = '\0';
	hex_of(buf, want);
	buf[big] = '\n';
	ok(tail_of(buf, big + 1, got, &partial) == 0 && strcmp(got, want) == 0,
	   "a long single line from the start of the file");
	free(buf);
}

static char *fixed_line(void *arg, const char *prev, char **err)
{
	(void)err;
	char *s = NULL;
	if (asprintf(&s, "{\"n\":%d,\"prev\":\"%s\"}", *(int *)arg, prev) < 0)
		return NULL;
	return s;
}

static void test_append(void)
{
	char *err = NULL, *line = NULL;
	off_t cut = -1;
	int fd = ilog_open(at("chain.jsonl"), geteuid(), &err);
	if (fd < 0)
		bail("open: %s", err);
	int rc = 0;
	for (int i = 1; i <= 3; i++) {
		rc |= ilog_append(fd, 1000000000ull, 1, fixed_line, &i, &line, &cut, &err);
		free(line);
	}
	ok(rc == 0, "three appends");
	size_t len;
	char *data = slurp(at("chain.jsonl"), &len);
	char h1[ILOG_HEX_LEN + 1], h2[ILOG_HEX_LEN + 1], want[1024];
	snprintf(want, sizeof(want), "{\"n\":1,\"prev\":\"%s\"}", ILOG_GENESIS);
	hex_of(want, h1);
	char l2[256];
	snprintf(l2, sizeof(l2), "{\"n\":2,\"prev\":\"%s\"}", h1);
	hex_of(l2, h2);
	char all[2048];
	snprintf(all, sizeof(all), "%s\n%s\n{\"n\":3,\"prev\":\"%s\"}\n", want, l2, h2);
	is_str(data, all, "each record's prev is the sha256 of the line before; first is zeros");
	free(data);

	/* A torn record at the end (a writer killed inside its write) is cut
	 * off, and the next record links to the last whole one. */
	ok(cut == 0, "nothing was cut from a log that ends in a newline");
	if (write(fd, "{\"torn", 6) != 6)
		bail("write: %s", strerror(errno));
	int four = 4;
	rc = ilog_append(fd, 1000000000ull, 0, fixed_line, &four, &line, &cut, &err);
	char h3[ILOG_HEX_LEN + 1], l3[256];
	snprintf(l3, sizeof(l3), "{\"n\":3,\"prev\":\"%s\"}", h2);
	hex_of(l3, h3);
	data = slurp(at("chain.jsonl"), &len);
	char tail[512];
	snprintf(tail, sizeof(tail), "%s\n{\"n\":4,\"prev\":\"%s\"}\n", l3, h3);
	ok(rc == 0 && data && len > strlen(tail) && strcmp(data + len - strlen(tail), tail) == 0,
	   "after a torn record: it is cut off and the new record links to the last whole one");
	ok(cut == 6, "the caller is told how many bytes were cut (%lld)", (long long)cut);
	ok(data && !strstr(data, "torn"), "nothing of the torn record is left");
	snprintf(tail, sizeof(tail), "{\"n\":4,\"prev\":\"%s\"}", h3);
	is_str(line, tail, "the line written is handed back (without its newline)");
	free(line);
	free(data);

	close(fd);
	free(err);
}

static char *failing_line(void *arg, const char *prev, char **err)
{
	(void)arg;
	(void)prev;
	ilog_set_err(err, "builder failed");
	return NULL;
}

static void test_append_fail_and_lock(void)
{
	char *err = NULL, *line = NULL;
	off_t cut = -1;
	int fd = ilog_open(at("lock.jsonl"), geteuid(), &err);
	int other = open(at("lock.jsonl"), O_RDONLY | O_CLOEXEC);
	if (fd < 0 || other < 0)
		bail("open: %s", err ? err : strerror(errno));
	int rc = ilog_append(fd, 1000000000ull, 0, failing_line, NULL, &line, &cut, &err);
	struct stat st;
	ok(rc < 0 && err && strcmp(err, "builder failed") == 0 && fstat(fd, &st) == 0 && st.st_size == 0,
	   "a record that cannot be built: an error and nothing written");
	ok(flock(other, LOCK_EX | LOCK_NB) == 0, "the lock is released after a failed append");
	int one = 1;
	rc = ilog_append(fd, 50000000ull, 0, fixed_line, &one, &line, &cut, &err);
	ok(rc < 0 && err && strstr(err, "stayed locked"), "a log locked by another writer: an error after the timeout (%s)",
	   err ? err : "none");
	ok(fstat(fd, &st) == 0 && st.st_size == 0, "nothing written without the lock");
	flock(other, LOCK_UN);
	rc = ilog_append(fd, 50000000ull, 0, fixed_line, &one, &line, &cut, &err);
	ok(rc == 0, "once the other writer lets go, the append goes through");
	free(line);
	free(err);
	close(other);
	close(fd);
}

static void test_time(void)
{
	struct timespec ts = { 1, 234567890 };
	char buf[64];
	setenv("TZ", "UTC", 1);
	tzset();
	ok(ilog_format_time(&ts, buf, sizeof(buf)) == 0, "time formats");
	is_str(buf, "1970-01-01T00:00:01.234+00:00", "UTC: RFC 3339 with milliseconds and +00:00");
	setenv("TZ", "XYZ-05:30", 1);
	tzset();
	ilog_format_time(&ts, buf, sizeof(buf));
	is_str(buf, "1970-01-01T05:30:01.234+05:30", "east of UTC: +05:30");
	setenv("TZ", "ABC+03", 1);
	tzset();
	ilog_format_time(&ts, buf, sizeof(buf));
	is_str(buf, "1969-12-31T21:00:01.234-03:00", "west of UTC: -03:00");
	ok(ilog_format_time(&ts, buf, 10) < 0, "a buffer too small: an error, not a cut stamp");
	unsetenv("TZ");
	tzset();
}

static void test_text(void)
{
	json_t *j = ilog_json_text("h\xc3\xa9llo w\xc3\xb6rld", 8);
	/* 8 bytes: room for 5 before "...": "h\xc3\xa9ll" is 5 bytes. */
	is_str(json_string_value(j), "h\xc3\xa9ll...", "cut at a UTF-8 boundary, marked with ...");
	json_decref(j);
	j = ilog_json_text("\xc3\xa9\xc3\xa9\xc3\xa9", 6);
	is_str(json_string_value(j), "\xc3\xa9\xc3\xa9\xc3\xa9", "a string that fits is kept whole");
	json_decref(j);
	j = ilog_json_text("ab\xc3\xa9\xc3\xa9xyz", 6);
	is_str(json_string_value(j), "ab...", "a cut never splits a character");
	json_decref(j);
	j = ilog_json_text("ok\xff\xfe", 100);
	is_str(json_string_value(j), "ok??", "bytes that are not UTF-8 become ?");
	json_decref(j);
	j = ilog_json_text(NULL, 100);
	ok(json_is_null(j), "NULL becomes null");
	json_decref(j);
}

static struct cordon_run_info base_info(void)
{
	struct cordon_run_info in;
	memset(&in, 0, sizeof(in));
	in.size = sizeof(in);
	in.policy = "p";
	in.status = "ok";
	in.exit_code = 0;
	return in;
}

static void test_kinds(void)
{
	struct cordon_run_info in = base_info();
	json_t *none = json_array();
	is_int(ilog_kinds(&in, none, NULL), 0, "an ok run is no incident");
	in.status = "failed";
	in.exit_code = 3;
	is_int(ilog_kinds(&in, none, NULL), 0, "a failed run (non-zero exit) is no incident");
	in.status = "denied";
	is_int(ilog_kinds(&in, none, NULL), ILOG_K_DENIED, "denied");
	in.status = "error";
	is_int(ilog_kinds(&in, none, NULL), ILOG_K_ERROR, "error");
	in.status = "killed";
	in.signal = 9;
	in.limit = "cpu";
	is_int(ilog_kinds(&in, none, NULL), ILOG_K_LIMIT, "killed by a limit: limit, not signal");
	in.limit = NULL;
	is_int(ilog_kinds(&in, none, NULL), ILOG_K_SIGNAL, "killed by a signal no limit explains: signal");
	json_t *sc = json_pack("[{s:s},{s:s}]", "module", "pyimport", "module", "seccomp");
	in.signal = 31;
	is_int(ilog_kinds(&in, sc, NULL), ILOG_K_SIGNAL | ILOG_K_SECCOMP, "a seccomp finding: seccomp");
	json_t *res = json_pack("{s:[{s:s,s:i},{s:s,s:i}],s:[{s:s},{s:s}]}", "redactions", "rule", "a", "count", 0,
	                        "rule", "b", "count", 2, "modules", "verdict", "pass", "verdict", "error");
	in.status = "ok";
	in.signal = 0;
	is_int(ilog_kinds(&in, none, res), ILOG_K_REDACTION | ILOG_K_MODULE_ERROR,
	       "redactions with a count and a module verdict error");
	json_decref(sc);
	json_decref(res);
	json_decref(none);
}

static void test_record(void)
{
	struct cordon_run_info in = base_info();
	in.status = "denied";
	in.cli_exit = 126;
	in.exit_code = -1;
	in.source = (const unsigned char *)"print(1)\n";
	in.source_len = 9;
	struct ilog_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.info = &in;
	snprintf(ev.facts.time, sizeof(ev.facts.time), "2026-01-01T00:00:00.000+00:00");
	ev.facts.host = "h";
	ev.facts.uid = 7;
	ev.facts.user = "u";
	ev.facts.pid = 42;
	ev.facts.version = "9.9";
	ev.kinds = ILOG_K_DENIED;
	ev.findings = json_array();
	char msg[300];
	memset(msg, 'm', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	for (int i = 0; i < 200; i++)
		json_array_append_new(ev.findings, json_pack("{s:s,s:s,s:s,s:i}", "module", "x", "rule", "r", "message",
		                                             msg, "line", i + 1));
	ev.result = json_pack("{s:s,s:[s,s]}", "error", "boom", "warnings", "w1", "w2");
	char *err = NULL;
	char *line = ilog_record_line(&ev, ILOG_GENESIS, 1 << 20, &err);
	json_t *r = line ? json_loads(line, 0, NULL) : NULL;
	ok(r && json_array_size(json_object_get(r, "findings")) == 200 && !json_object_get(r, "findings_dropped"),
	   "room enough: every finding is kept");
	char want[ILOG_HEX_LEN + 1];
	hex_of("print(1)\n", want);
	is_str(json_string_value(json_object_get(r, "sha256")), want, "sha256 is that of the sealed source");
	is_str(json_string_value(json_object_get(r, "error")), "boom", "error from the result");
	is_int(json_array_size(json_object_get(r, "warnings")), 2, "warnings from the result");
	ok(json_is_null(json_object_get(r, "exit_code")), "exit_code null when the program did not exit");
	ok(line && !strchr(line, '\n'), "one line");
	const char *last_key = NULL;
	const char *k;
	json_t *v;
	json_object_foreach(r, k, v) last_key = k;
	is_str(last_key, "prev", "prev is the last key");
	/* logformat.h: how `cordon log verify` reads the link of a record. */
	is_str(ilog_record_prev(r), ILOG_GENESIS, "the verifier's reading of the link is the prev written");
	json_object_set_new(r, ILOG_PREV_KEY, json_string("0000"));
	ok(!ilog_record_prev(r), "a prev that is not 64 hex digits is no link");
	json_object_del(r, ILOG_PREV_KEY);
	ok(!ilog_record_prev(r), "a record without prev is no record");
	json_t *arr = json_array();
	ok(!ilog_record_prev(arr), "an array is no record");
	json_decref(arr);
	ok(ilog_is_link(ILOG_GENESIS) && !ilog_is_link("ABCDEF0000000000000000000000000000000000000000000000000000000000"),
	   "links are lowercase hex");
	json_decref(r);
	free(line);

	line = ilog_record_line(&ev, ILOG_GENESIS, 4095, &err);
	r = line ? json_loads(line, 0, NULL) : NULL;
	size_t kept = json_array_size(json_object_get(r, "findings"));
	json_int_t dropped = json_integer_value(json_object_get(r, "findings_dropped"));
	ok(r && strlen(line) <= 4095, "a 4K bound holds (%zu bytes)", line ? strlen(line) : 0);
	ok(kept > 0 && kept + (size_t)dropped == 200, "findings are dropped from the end and counted (%zu + %lld)",
	   kept, (long long)dropped);
	char *more = NULL;
	if (r && kept < 200) {
		/* One more finding would not have fit. */
		json_t *first = json_array();
		for (size_t i = 0; i <= kept; i++)
			json_array_append(first, json_array_get(ev.findings, i));
		json_t *saved = ev.findings;
		ev.findings = first;
		more = ilog_record_line(&ev, ILOG_GENESIS, 1 << 20, &err);
		ev.findings = saved;
		json_decref(first);
	}
	ok(more && strlen(more) > 4095, "and as many as fit are kept");
	free(more);
	json_decref(r);
	free(line);

	line = ilog_record_line(&ev, ILOG_GENESIS, 300, &err);
	ok(!line && err && strstr(err, "does not fit"), "a bound nothing fits in: an error (%s)", err ? err : "none");
	free(err);
	json_decref(ev.findings);
	json_decref(ev.result);
}

static void test_summary(void)
{
	struct cordon_run_info in = base_info();
	in.policy = "my policy\n";
	in.status = "killed";
	in.limit = "wall";
	in.cli_exit = 124;
	struct ilog_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.info = &in;
	ev.facts.uid = 5;
	ev.facts.user = "bob";
	ev.facts.pid = 77;
	ev.kinds = ILOG_K_LIMIT | ILOG_K_SECCOMP;
	ev.findings = json_array();
	char *s = ilog_summary(&ev, "abcd");
	is_str(s,
	       "incident policy=my_policy_ uid=5 user=bob pid=77 kinds=limit,seccomp status=killed exit=124 limit=wall "
	       "findings=0 sha256=- record=abcd",
	       "syslog summary: one line, no control characters, the record's hash last");
	free(s);
	json_decref(ev.findings);
}

int main(void)
{
	if (!mkdtemp(dir))
		bail("mkdtemp: %s", strerror(errno));
	test_default_path();
	test_default_place();
	test_check_path();
	test_make_parents();
	test_open();
	test_tail();
	test_append();
	test_append_fail_and_lock();
	test_time();
	test_text();
	test_kinds();
	test_record();
	test_summary();
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return tap_done();
}
