/*
 * tests/unit_modutil.c - the module toolkit (include/cordon/modutil.h):
 * small files read whole or refused, never cut; writes through short
 * writes; the drop to a host identity leaves no id behind (as root).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cordon/module.h>
#include <cordon/modutil.h>

#include "tap.h"

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(2);
	}
}

static volatile sig_atomic_t ticks;
static void on_tick(int sig)
{
	(void)sig;
	ticks++;
}

int main(void)
{
	char dir[] = "/tmp/cordon-modutil.XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	char path[64], buf[8];
	snprintf(path, sizeof(path), "%s/f", dir);

	put(path, "1234567");
	ssize_t n = cordon_read_small_file(path, buf, sizeof(buf));
	ok(n == 7 && strcmp(buf, "1234567") == 0, "a file of cap - 1 bytes is read whole and terminated");
	put(path, "12345678");
	n = cordon_read_small_file(path, buf, sizeof(buf));
	ok(n == -EFBIG, "a file one byte over is refused (EFBIG), not cut");
	put(path, "");
	n = cordon_read_small_file(path, buf, sizeof(buf));
	ok(n == 0 && buf[0] == '\0', "an empty file: 0 and an empty string");
	snprintf(path, sizeof(path), "%s/none", dir);
	ok(cordon_read_small_file(path, buf, sizeof(buf)) == -ENOENT, "a missing file: -ENOENT");
	ok(cordon_read_small_file("/proc/self/stat", buf, 0) == -EINVAL, "no room at all: -EINVAL");
	char stat_buf[4096];
	ok(cordon_read_small_file("/proc/self/stat", stat_buf, sizeof(stat_buf)) > 0, "a /proc file reads");

	/* write_file and write_id_map: the text, whole, through no symlink. */
	char big_path[64], got[64];
	snprintf(big_path, sizeof(big_path), "%s/map", dir);
	put(big_path, "");
	ok(cordon_write_id_map(big_path, 65534, 4294967295u) == 0 &&
	           cordon_read_small_file(big_path, got, sizeof(got)) > 0 && strcmp(got, "65534 4294967295 1\n") == 0,
	   "write_id_map: \"INSIDE OUTSIDE 1\\n\", the largest id whole");
	put(big_path, "");
	ok(cordon_write_id_map(big_path, 0, 0) == 0 && cordon_read_small_file(big_path, got, sizeof(got)) > 0 &&
	           strcmp(got, "0 0 1\n") == 0,
	   "write_id_map: zero is written as 0");
	char link_path[64];
	snprintf(link_path, sizeof(link_path), "%s/link", dir);
	ok(symlink(big_path, link_path) == 0 && cordon_write_file(link_path, "x", 1) == ELOOP,
	   "write_file: a symlink is not followed (ELOOP)");
	unlink(link_path);
	snprintf(link_path, sizeof(link_path), "%s/none/f", dir);
	ok(cordon_write_file(link_path, "x", 1) == ENOENT, "write_file: a missing directory: ENOENT");
	unlink(big_path);

	/* 1 MiB through a pipe whose reader takes it in pieces. */
	int p[2];
	if (pipe(p) < 0)
		return 2;
	size_t len = 1 << 20;
	char *big = malloc(len);
	if (!big)
		return 2;
	memset(big, 'x', len);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[1]);
		size_t total = 0;
		char piece[1000];
		ssize_t r;
		while ((r = read(p[0], piece, sizeof(piece))) > 0)
			total += (size_t)r;
		_exit(total == len ? 0 : 1);
	}
	close(p[0]);
	ok(cordon_write_all(p[1], big, len) == 0, "write_all: 1 MiB into a pipe");
	close(p[1]);
	int st = 0;
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "write_all: the reader got every byte");
	free(big);
	if (pipe(p) < 0)
		return 2;
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	ok(cordon_write_all(p[1], "x", 1) == EPIPE, "write_all to a closed pipe: EPIPE");
	close(p[1]);

	/* writev_all: pieces of every size (empty ones too) through a pipe
	 * whose buffer holds less than them, to a slow reader, with a timer
	 * interrupting the blocked writes: they end mid-piece. */
	{
		enum { PIECES = 40 };
		static char data[PIECES][12000];
		struct iovec iov[PIECES];
		size_t sum = 0;
		for (int i = 0; i < PIECES; i++) {
			size_t len_i = (size_t)((i * 7919) % 12000);
			if (i % 9 == 0)
				len_i = 0;
			for (size_t j = 0; j < len_i; j++)
				data[i][j] = (char)((i * 31 + (int)j) % 251);
			iov[i].iov_base = data[i];
			iov[i].iov_len = len_i;
			sum += len_i;
		}
		int q[2];
		if (pipe(q) < 0)
			return 2;
		pid_t rd = fork();
		if (rd == 0) {
			close(q[1]);
			/* read back and check every byte's piece, in order */
			int bad = 0;
			size_t seen = 0;
			char rbuf[5000];
			int piece = 0;
			size_t in_piece = 0;
			ssize_t r;
			while ((r = read(q[0], rbuf, sizeof(rbuf))) > 0) {
				usleep(300);
				for (ssize_t k = 0; k < r; k++) {
					while (piece < PIECES && in_piece == iov[piece].iov_len) {
						piece++;
						in_piece = 0;
					}
					if (piece >= PIECES || rbuf[k] != (char)((piece * 31 + (int)in_piece) % 251))
						bad = 1;
					in_piece++;
				}
				seen += (size_t)r;
			}
			_exit(!bad && seen == sum ? 0 : 1);
		}
		close(q[0]);
		struct sigaction tick;
		memset(&tick, 0, sizeof(tick));
		tick.sa_handler = on_tick; /* no SA_RESTART: a blocked write returns short */
		sigaction(SIGALRM, &tick, NULL);
		struct itimerval every = { { 0, 500 }, { 0, 500 } }, off;
		memset(&off, 0, sizeof(off));
		setitimer(ITIMER_REAL, &every, NULL);
		int wr = cordon_writev_all(q[1], iov, PIECES);
		setitimer(ITIMER_REAL, &off, NULL);
		ok(wr == 0, "writev_all: %zu bytes in %d pieces into a pipe, interrupted %d times", sum, PIECES, ticks);
		close(q[1]);
		int st2 = 0;
		waitpid(rd, &st2, 0);
		ok(WIFEXITED(st2) && WEXITSTATUS(st2) == 0, "writev_all: every byte at its place");
		struct iovec none[2] = { { data[0], 0 }, { data[1], 0 } };
		ok(cordon_writev_all(-1, none, 2) == 0, "writev_all of empty pieces writes nothing");
		struct iovec one = { data[1], 1 };
		ok(cordon_writev_all(-1, &one, 1) == EBADF, "writev_all to a bad descriptor: EBADF");
	}

	if (geteuid() != 0) {
		tap_count++;
		printf("ok %d # SKIP drop_to_ids needs root (uid %u)\n", tap_count, (unsigned)geteuid());
	} else {
		pid = fork();
		if (pid == 0) {
			const char *step = NULL;
			if (cordon_drop_to_ids(65534, 65534, &step) != 0)
				_exit(3);
			uid_t r, e, s;
			gid_t rg, eg, sg;
			if (getresuid(&r, &e, &s) < 0 || getresgid(&rg, &eg, &sg) < 0)
				_exit(4);
			_exit(r == 65534 && e == 65534 && s == 65534 && rg == 65534 && eg == 65534 && sg == 65534 &&
			              getgroups(0, NULL) == 0
			              ? 0
			              : 5);
		}
		waitpid(pid, &st, 0);
		ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "drop_to_ids as root: every uid and gid 65534, no groups");
	}
	snprintf(path, sizeof(path), "%s/f", dir);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
