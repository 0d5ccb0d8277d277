/*
 * core/serve/main.c - cordon-serve: `cordon serve`, and its clients
 * `cordon stop --all`, `cordon resume` and `cordon ps`.
 *
 * The `cordon` command executes this program for those four commands, so
 * the command that runs one sandbox does not load an HTTP server and
 * client at every launch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <curl/curl.h>

#include "serve.h"


static struct evsrc ev_signal = { .kind = EV_SIGNAL };

static void usage(FILE *f)
{
	fputs("usage: cordon serve [-c FILE] [--socket PATH] [-v]\n"
	      "       cordon stop --all [--socket PATH]\n"
	      "       cordon resume [--socket PATH]\n"
	      "       cordon ps [--json] [--socket PATH]\n"
	      "\n"
	      "serve   run the service: the policies of FILE (default " SERVE_DEFAULT_CONF ") kept loaded,\n"
	      "        runs over HTTP on a Unix socket (and a TCP port with bearer tokens)\n"
	      "stop    kill switch: kill every run, empty the queue, refuse runs until resume\n"
	      "resume  accept runs again\n"
	      "ps      the runs in flight: id, caller, policy, age, CPU so far\n"
	      "\n"
	      "The socket is $CORDON_SOCKET, else " SERVE_DEFAULT_SOCKET ".\n",
	      f);
}

/* ---- the service ---- */

static int load_policies(struct serve *s, int verbose, char **err)
{
	struct cordon_load_options lo = { .size = sizeof(lo),
		                          .policy_dir = s->conf.policy_dir,
		                          .module_path = s->conf.module_path,
		                          .verbose = verbose };
	for (size_t i = 0; i < s->conf.n_policies; i++) {
		struct warm_policy *w = &s->conf.policies[i];
		char *e = NULL;
		w->policy = cordon_policy_load(w->name, &lo, &e);
		if (!w->policy) {
			if (asprintf(err, "%s: policy '%s': %s", s->conf.path, w->name, e ? e : "cannot be loaded") < 0)
				*err = NULL;
			free(e);
			return -1;
		}
		const char *lang = cordon_policy_language(w->policy);
		if (lang && !(w->language = strdup(lang)))
			return -1;
		for (size_t k = 0; k < cordon_policy_warning_count(w->policy); k++)
			fprintf(stderr, "cordon serve: policy '%s': warning: %s\n", w->name, cordon_policy_warning(w->policy, k));
	}
	return 0;
}

static int open_log(struct serve *s, char **err)
{
	s->log_fd = -1;
	if (!s->conf.log_path)
		return 0;
	s->log_fd = open(s->conf.log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	struct stat st;
	if (s->log_fd < 0 || fstat(s->log_fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022)) {
		int e = errno;
		if (asprintf(err, "%s: log: %s", s->conf.log_path,
		             s->log_fd < 0 ? strerror(e)
		                           : "must be a regular file of the service's user, not writable by others") < 0)
			*err = NULL;
		return -1;
	}
	return 0;
}

static int setup(struct serve *s, int verbose, char **err)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, &s->saved_mask) < 0 || (s->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0 ||
	    (s->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return seterr(err, "cannot set up the event loop: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &ev_signal };
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->sigfd, &ev) < 0)
		return seterr(err, "epoll: %s", strerror(errno));
	/* Runs' outputs: a private directory of this service's, removed at
	 * exit (a run's with its job). */
	const char *tmp = getenv("TMPDIR");
	if (asprintf(&s->state_dir, "%s/cordon-serve.XXXXXX", tmp && tmp[0] == '/' ? tmp : "/var/tmp") < 0) {
		s->state_dir = NULL;
		return seterr(err, "out of memory");
	}
	if (!mkdtemp(s->state_dir)) {
		int e = errno;
		free(s->state_dir);
		s->state_dir = NULL;
		return seterr(err, "cannot make the service's private directory under %s: %s",
		              tmp && tmp[0] == '/' ? tmp : "/var/tmp", strerror(e));
	}
	/* Searchable, not listable: a run's "files" (cordon-in.XXXXXX, 0755)
	 * are read by the sandbox's user at their own path under Landlock
	 * alone; outputs stay in directories of mode 0700. */
	if (chmod(s->state_dir, 0711) < 0)
		return seterr(err, "cannot chmod the service's private directory %s: %s", s->state_dir, strerror(errno));
	if (jobs_init(s) < 0 || open_log(s, err) < 0 || load_policies(s, verbose, err) < 0 || http_start(s, err) < 0)
		return -1;
	return 0;
}

static void on_signal(struct serve *s)
{
	struct signalfd_siginfo si;
	while (read(s->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			jobs_reap(s);
		} else if (si.ssi_signo == SIGHUP) {
			serve_log(s, "signal", NULL, NULL, "SIGHUP: nothing to reload (restart the service to read %s again)",
			          s->conf.path);
		} else if (!s->quit) {
			s->quit = true;
			s->stopped = true;
			serve_log(s, "shutdown", NULL, NULL, "signal %u: the runs in flight are cancelled", si.ssi_signo);
			jobs_stop_all(s);
		}
	}
}

/* A run that outlives run_timeout (its own limits failed to end it, or
 * the policy has no wall limit) is cancelled. */
static void check_timeouts(struct serve *s)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	for (struct job *j = s->jobs; j; j = j->next) {
		if (j->kind == JOB_SESSION && j->state == JOB_RUNNING && !j->cancelled && !j->cell_busy &&
		    now.tv_sec - j->last_used.tv_sec > (time_t)s->conf.session_idle_s) {
			serve_log(s, "session", j->caller, job_policy(j), "session %s idle for session_idle (%u s): ended",
			          j->id, s->conf.session_idle_s);
			job_cancel(s, j);
			continue;
		}
		if (j->state == JOB_RUNNING && j->cancelled && j->pid > 0 && now.tv_sec - j->cancel_at.tv_sec > 10) {
			/* Cancelled 10 s ago and its worker is still there (stuck
			 * before it reads the cancel pipe): killed. */
			serve_log(s, "timeout", j->caller, job_policy(j), "run %s: its worker did not end 10 s after the "
			          "cancel: killed", j->id);
			kill(j->pid, SIGKILL);
			j->cancel_at = now;
			continue;
		}
		if (j->state == JOB_RUNNING && !j->cancelled && now.tv_sec - j->started.tv_sec > (time_t)s->conf.run_timeout_s) {
			serve_log(s, "timeout", j->caller, job_policy(j), "run %s passed run_timeout (%u s): cancelled", j->id,
			          s->conf.run_timeout_s);
			job_cancel(s, j);
		}
	}
}

static int serve_loop(struct serve *s)
{
	struct timespec quit_at = { 0 };
	spares_refill(s);
	for (;;) {
		unsigned long long given = s->spares_used;
		int timeout = http_timeout_ms(s);
		if (timeout < 0 || timeout > 1000)
			timeout = 1000;
		struct epoll_event evs[32];
		int n = epoll_wait(s->epfd, evs, 32, timeout);
		if (n < 0 && errno != EINTR) {
			serve_log(s, "error", NULL, NULL, "epoll_wait: %s", strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++) {
			struct evsrc *src = evs[i].data.ptr;
			if (src->kind == EV_SIGNAL)
				on_signal(s);
			else if (src->kind == EV_RESULT)
				job_readable(s, src->job);
			else if (src->kind == EV_STREAM)
				job_stream_readable(s, src->job, src->which);
			else if (src->kind == EV_ZYGOTE)
				zygote_readable(s);
		}
		http_run(s);
		check_timeouts(s);
		/* Workers that ended after their results were read: their
		 * SIGCHLD may have come before they were listed. */
		if (s->n_exiting)
			jobs_reap(s);
		/* After the requests of this turn are answered, and not in a turn
		 * that gave a spare away: the new one's fork would hold up the
		 * spare just given on the CPU it was woken on. */
		if (s->spares_used == given)
			spares_refill(s);
		if (s->prune_pending) {
			s->prune_pending = false;
			jobs_prune(s);
		}
		if (s->quit) {
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (!quit_at.tv_sec)
				quit_at = now;
			/* Runs were cancelled: wait for their results (bounded),
			 * answer the callers, then leave. */
			if ((s->running == 0 && s->queued == 0) || now.tv_sec - quit_at.tv_sec > 10)
				break;
		}
	}
	return 0;
}

static int cmd_serve(int argc, char **argv)
{
	const char *conf = SERVE_DEFAULT_CONF, *sock = getenv("CORDON_SOCKET");
	int verbose = 0;
	static const struct option opts[] = { { "config", required_argument, NULL, 'c' },
		                              { "socket", required_argument, NULL, 's' },
		                              { "verbose", no_argument, NULL, 'v' },
		                              { "help", no_argument, NULL, 'h' },
		                              { NULL, 0, NULL, 0 } };
	int c;
	while ((c = getopt_long(argc, argv, "+c:s:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': conf = optarg; break;
		case 's': sock = optarg; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "cordon serve: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	struct serve s;
	memset(&s, 0, sizeof(s));
	s.epfd = s.sigfd = s.log_fd = s.zygote_fd = -1;
	char *err = NULL;
	if (conf_load(&s.conf, conf, sock, &err) < 0 || setup(&s, verbose, &err) < 0) {
		fprintf(stderr, "cordon serve: %s\n", err ? err : "out of memory");
		free(err);
		http_stop(&s);
		if (s.n_unix_made)
			unlink(s.conf.unix_path);
		jobs_free(&s);
		if (s.state_dir) {
			remove_tree(s.state_dir);
			free(s.state_dir);
		}
		if (s.log_fd >= 0)
			close(s.log_fd);
		if (s.epfd >= 0)
			close(s.epfd);
		if (s.sigfd >= 0)
			close(s.sigfd);
		conf_free(&s.conf);
		return CORDON_EXIT_ERROR;
	}
	s.started = time(NULL);
	if (zygote_start(&s) < 0)
		serve_log(&s, "error", NULL, NULL, "cannot start the zygote that forks spare workers (%s): the service "
		          "forks them itself", strerror(errno));
	serve_log(&s, "start", NULL, NULL, "listening on %s%s%s; %zu policies; %u workers, queue %u; runs' outputs in %s",
	          s.conf.unix_path, s.conf.tcp ? " and " : "", s.conf.tcp ? s.conf.tcp : "", s.conf.n_policies,
	          s.conf.workers, s.conf.queue, s.state_dir);
	int rc = serve_loop(&s);
	http_abandon(&s);
	http_stop(&s);
	if (!s.socket_activated)
		unlink(s.conf.unix_path);
	jobs_free(&s);
	if (s.state_dir) {
		remove_tree(s.state_dir);
		free(s.state_dir);
	}
	if (s.log_fd >= 0)
		close(s.log_fd);
	conf_free(&s.conf);
	free(s.conn_fds);
	return rc;
}

/* ---- clients ---- */

size_t serve_curl_take(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct serve_buf *b = userdata;
	size_t len = size * nmemb;
	if (len > (64u << 20) - b->n)
		return 0;
	char *np = realloc(b->p, b->n + len + 1);
	if (!np)
		return 0;
	b->p = np;
	memcpy(b->p + b->n, ptr, len);
	b->n += len;
	b->p[b->n] = '\0';
	return len;
}

static int request(const char *sock, const char *method, const char *path, json_t **out, long *status)
{
	CURL *c = curl_easy_init();
	if (!c)
		return -1;
	char url[256];
	snprintf(url, sizeof(url), "http://localhost%s", path);
	struct serve_buf b = { 0 };
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "POST") == 0)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{}");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, serve_curl_take);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	CURLcode rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		fprintf(stderr, "cordon: %s: %s (is cordon serve running? the socket is $CORDON_SOCKET or --socket)\n", sock,
		        curl_easy_strerror(rc));
		curl_easy_cleanup(c);
		free(b.p);
		return -1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(c);
	*out = b.p ? json_loads(b.p, 0, NULL) : NULL;
	free(b.p);
	if (!*out) {
		fprintf(stderr, "cordon: %s: the service's answer is not JSON (HTTP %ld)\n", sock, *status);
		return -1;
	}
	return 0;
}

static int cmd_client(const char *cmd, int argc, char **argv)
{
	const char *sock = getenv("CORDON_SOCKET");
	int all = 0, as_json = 0;
	static const struct option opts[] = { { "socket", required_argument, NULL, 's' },
		                              { "all", no_argument, NULL, 'a' },
		                              { "json", no_argument, NULL, 'j' },
		                              { "help", no_argument, NULL, 'h' },
		                              { NULL, 0, NULL, 0 } };
	int c;
	while ((c = getopt_long(argc, argv, "+s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 'a': all = 1; break;
		case 'j': as_json = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "cordon %s: unexpected argument '%s'\n", cmd, argv[optind]);
		return 2;
	}
	if (strcmp(cmd, "stop") == 0 && !all) {
		fputs("cordon stop: expected --all (kill every run and refuse new ones until cordon resume)\n", stderr);
		return 2;
	}
	if ((all && strcmp(cmd, "stop") != 0) || (as_json && strcmp(cmd, "ps") != 0)) {
		fprintf(stderr, "cordon %s: %s is not an option of this command\n", cmd, all ? "--all" : "--json");
		return 2;
	}
	if (!sock)
		sock = SERVE_DEFAULT_SOCKET;
	json_t *o = NULL;
	long status = 0;
	const char *path = strcmp(cmd, "stop") == 0 ? "/v1/stop" : strcmp(cmd, "resume") == 0 ? "/v1/resume" : "/v1/runs";
	curl_global_init(CURL_GLOBAL_NOTHING);
	int rc = request(sock, strcmp(cmd, "ps") == 0 ? "GET" : "POST", path, &o, &status);
	curl_global_cleanup();
	if (rc < 0)
		return CORDON_EXIT_ERROR;
	if (status != 200) {
		const char *e = json_string_value(json_object_get(o, "error"));
		fprintf(stderr, "cordon %s: refused (HTTP %ld): %s\n", cmd, status, e ? e : "no reason given");
		json_decref(o);
		return 1;
	}
	if (strcmp(cmd, "stop") == 0)
		printf("stopped: %lld runs killed, %lld queued runs dropped; new runs are refused until `cordon resume`\n",
		       (long long)json_integer_value(json_object_get(o, "killed")),
		       (long long)json_integer_value(json_object_get(o, "dequeued")));
	else if (strcmp(cmd, "resume") == 0)
		puts("resumed: runs are accepted");
	else if (as_json) {
		char *t = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (t)
			puts(t);
		free(t);
	} else {
		json_t *runs = json_object_get(o, "runs"), *r;
		size_t i;
		printf("%-32s  %-16s  %-14s  %-7s  %8s  %8s\n", "ID", "CALLER", "POLICY", "STATE", "AGE", "CPU");
		json_array_foreach(runs, i, r)
		printf("%-32s  %-16s  %-14s  %-7s  %7.1fs  %7.2fs\n", json_string_value(json_object_get(r, "id")),
		       json_string_value(json_object_get(r, "caller")), json_string_value(json_object_get(r, "policy")),
		       json_string_value(json_object_get(r, "state")), json_number_value(json_object_get(r, "age_s")),
		       json_number_value(json_object_get(r, "cpu_s")));
		if (json_is_true(json_object_get(o, "stopped")))
			puts("(the service is stopped: `cordon resume` accepts runs again)");
	}
	json_decref(o);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(argc - 1, argv + 1);
	if (strcmp(cmd, "stop") == 0 || strcmp(cmd, "resume") == 0 || strcmp(cmd, "ps") == 0)
		return cmd_client(cmd, argc - 1, argv + 1);
	if (strcmp(cmd, "mcp") == 0)
		return cmd_mcp(argc - 1, argv + 1);
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "cordon-serve: unknown command '%s' (expected serve, stop, resume, ps or mcp)\n", cmd);
	return 2;
}
