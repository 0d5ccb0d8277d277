/*
 * core/serve/mcpstdio.c - `cordon mcp` with sessions and outputs: the MCP
 * server on stdio (core/cli/mcp.c) with a private service behind it.
 *
 * A session's interpreter, a run's kept /output and the files read back
 * from it outlive one tool call; the service (cordon serve) is what holds
 * them.  `cordon mcp` execs `cordon-serve mcp`, which answers every message
 * itself as the stdio server always has, except the tool calls that need
 * such state (execute_code with `session` or `outputs: true`,
 * read_output_file): those go, as they are, to POST /mcp of a service of
 * its own, started at the first such call:
 *
 *   - in a directory of its own (mkdtemp under $TMPDIR or /tmp, 0711: the
 *     sandbox's user passes through it to a run's staged /output):
 *     serve.yaml (written here, so owned by the user the service runs as,
 *     which the service trusts), the socket (0600), the service's log and
 *     what it printed;
 *   - with the policies of the search path that load (a policy that does
 *     not load would stop the service from starting; a call naming it is
 *     answered by the service as a policy it does not offer, and the
 *     policy's own error is what execute_code without a session gives);
 *   - as the caller `owner` (the service's own user): every policy;
 *   - with TMPDIR set to that directory, so its own private directory is
 *     inside it too;
 *   - stopped (SIGTERM, then SIGKILL after five seconds) when the stdio
 *     server ends, and killed by the kernel if this process dies first
 *     (PR_SET_PDEATHSIG): its sessions end with it; the directory is
 *     removed (not when this process is killed with SIGKILL: then the
 *     directory stays, holding no process);
 *   - started again at the next call if it ended meanwhile (its sessions
 *     are then lost: said on stderr, and the next cell of a session is
 *     its first).
 *
 * A service that cannot start makes those calls JSON-RPC errors naming
 * why (the service's own message); everything else still works.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cordon/cordon.h>

#include "../cli/infiles.h"
#include "../cli/mcp.h"
#include "serve.h"

struct fwd {
	const char *policy_dir; /* --policy-dir, or NULL */
	int verbose;
	char *dir; /* the service's directory, or NULL before the first call */
	char sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
	pid_t pid; /* the service, or 0 */
	bool failed; /* it could not be started: why */
	char why[512];
};

static void say(struct fwd *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct fwd *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
}

static char *path_in(const struct fwd *f, const char *name)
{
	char *p;
	return asprintf(&p, "%s/%s", f->dir, name) < 0 ? NULL : p;
}

/* A YAML double-quoted scalar of s (policy names and paths come from the
 * file system: quoted whatever they hold). */
static void yaml_quoted(FILE *o, const char *s)
{
	fputc('"', o);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(o, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(o, "\\x%02x", *p);
		else
			fputc(*p, o);
	}
	fputc('"', o);
}

/* serve.yaml: the socket, the log, the policies that load. */
static int write_conf(struct fwd *f, const char *conf, const char *log)
{
	struct cordon_load_options lo = { .size = sizeof(lo), .policy_dir = f->policy_dir };
	char *err = NULL;
	char **names = cordon_policy_list(&lo, &err);
	if (!names) {
		say(f, "cannot list the policies: %s", err ? err : "unknown error");
		free(err);
		return -1;
	}
	int fd = open(conf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	FILE *o = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!o) {
		say(f, "cannot write %s: %s", conf, strerror(errno));
		if (fd >= 0)
			close(fd);
		cordon_strv_free(names);
		return -1;
	}
	fprintf(o, "listen: {unix: ");
	yaml_quoted(o, f->sock);
	fprintf(o, ", mode: \"0600\"}\nlog: ");
	yaml_quoted(o, log);
	if (f->policy_dir) {
		fprintf(o, "\npolicy_dir: ");
		yaml_quoted(o, f->policy_dir);
	}
	fprintf(o, "\ncallers: []\npolicies: [");
	size_t n = 0;
	for (char **p = names; *p; p++) {
		char *tab = strchr(*p, '\t');
		if (tab)
			*tab = '\0';
		char *lerr = NULL;
		cordon_policy *pol = cordon_policy_load(*p, &lo, &lerr);
		if (!pol) {
			if (f->verbose)
				fprintf(stderr, "cordon: mcp: the service leaves out policy %s: %s\n", *p,
				        lerr ? lerr : "it does not load");
			free(lerr);
			continue;
		}
		cordon_policy_free(pol);
		fprintf(o, "%s", n++ ? ", " : "");
		yaml_quoted(o, *p);
	}
	fprintf(o, "]\n");
	cordon_strv_free(names);
	if (ferror(o) + fclose(o) != 0) {
		say(f, "cannot write %s: %s", conf, strerror(errno));
		return -1;
	}
	if (n == 0) {
		say(f, "no policy loads (cordon list shows them; cordon check -p NAME says why one does not)");
		return -1;
	}
	return 0;
}

/* Whether the socket takes a connection. */
static bool answers(const char *sock)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	memcpy(a.sun_path, sock, strlen(sock) + 1);
	bool ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

/* The last lines of what the service printed, for the reason it gave. */
static void tail_of(struct fwd *f, const char *out)
{
	char buf[400];
	int fd = open(out, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	off_t end = lseek(fd, 0, SEEK_END);
	off_t from = end > (off_t)sizeof(buf) - 1 ? end - (off_t)sizeof(buf) + 1 : 0;
	ssize_t n = end > 0 && lseek(fd, from, SEEK_SET) == from ? read(fd, buf, sizeof(buf) - 1) : 0;
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	char *nl = strrchr(buf, '\n');
	size_t used = strlen(f->why);
	snprintf(f->why + used, sizeof(f->why) - used, ": %s", nl ? nl + 1 : buf);
}

/* The service stopped (SIGTERM, SIGKILL after five seconds) and reaped. */
static void stop_service(struct fwd *f)
{
	if (f->pid <= 0)
		return;
	kill(f->pid, SIGTERM);
	int st;
	pid_t w = 0;
	for (int i = 0; i < 500 && (w = waitpid(f->pid, &st, WNOHANG)) == 0; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (w == 0) {
		kill(f->pid, SIGKILL);
		waitpid(f->pid, &st, 0);
	}
	f->pid = 0;
}

/* The directory and everything in it (the service's own private
 * directory is inside). */
static void remove_dir(struct fwd *f)
{
	if (f->dir) {
		remove_tree(f->dir);
		free(f->dir);
		f->dir = NULL;
	}
}

static int start(struct fwd *f)
{
	const char *tmp = getenv("TMPDIR");
	if (asprintf(&f->dir, "%s/cordon-mcp.XXXXXX", tmp && tmp[0] == '/' ? tmp : "/tmp") < 0) {
		f->dir = NULL;
		say(f, "out of memory");
		return -1;
	}
	if (!mkdtemp(f->dir)) {
		say(f, "cannot make a directory for the service under %s: %s", tmp && tmp[0] == '/' ? tmp : "/tmp",
		    strerror(errno));
		free(f->dir);
		f->dir = NULL;
		return -1;
	}
	/* 0711: the service's TMPDIR, where libcordon stages a run's /output
	 * for the sandbox's user (uid 65534 when this runs as root), who must
	 * pass through; nothing here can be listed, and what is here is 0600
	 * (the socket too). */
	if (chmod(f->dir, 0711) < 0) {
		say(f, "cannot set the mode of %s: %s", f->dir, strerror(errno));
		return -1;
	}
	char *conf = path_in(f, "serve.yaml"), *log = path_in(f, "serve.log"), *out = path_in(f, "serve.out");
	int rc = -1;
	if (!conf || !log || !out) {
		say(f, "out of memory");
		goto done;
	}
	if ((size_t)snprintf(f->sock, sizeof(f->sock), "%s/s.sock", f->dir) >= sizeof(f->sock)) {
		say(f, "the service's socket path is too long (TMPDIR=%s)", tmp ? tmp : "");
		goto done;
	}
	if (write_conf(f, conf, log) < 0)
		goto done;
	int ofd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (ofd < 0) {
		say(f, "cannot write %s: %s", out, strerror(errno));
		goto done;
	}
	char self[4096];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl <= 0) {
		say(f, "cannot find its own program (/proc/self/exe): %s", strerror(errno));
		close(ofd);
		goto done;
	}
	self[sl] = '\0';
	/* Its environment is this one's without what would point it at
	 * another service's socket (cordon serve takes $CORDON_SOCKET as its
	 * listener). */
	extern char **environ;
	size_t ne = 0;
	while (environ[ne])
		ne++;
	char **envp = calloc(ne + 2, sizeof(char *));
	if (!envp) {
		say(f, "out of memory");
		close(ofd);
		goto done;
	}
	char *tmpdir_env = NULL;
	if (asprintf(&tmpdir_env, "TMPDIR=%s", f->dir) < 0) {
		say(f, "out of memory");
		free(envp);
		close(ofd);
		goto done;
	}
	size_t k = 0;
	for (size_t i = 0; i < ne; i++)
		if (strncmp(environ[i], "CORDON_SOCKET=", 14) != 0 && strncmp(environ[i], "CORDON_URL=", 11) != 0 &&
		    strncmp(environ[i], "CORDON_TOKEN=", 13) != 0 && strncmp(environ[i], "TMPDIR=", 7) != 0)
			envp[k++] = environ[i];
	envp[k] = tmpdir_env;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		say(f, "fork: %s", strerror(errno));
		free(envp);
		free(tmpdir_env);
		close(ofd);
		goto done;
	}
	if (pid == 0) {
		/* The service dies with this process; it starts with a clean
		 * signal mask and its own output in serve.out. */
		sigset_t none;
		sigemptyset(&none);
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent ||
		    sigprocmask(SIG_SETMASK, &none, NULL) < 0 || signal(SIGPIPE, SIG_DFL) == SIG_ERR ||
		    dup2(ofd, 1) < 0 || dup2(ofd, 2) < 0)
			_exit(127);
		int nfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (nfd < 0 || dup2(nfd, 0) < 0)
			_exit(127);
		if (nfd > 2)
			close(nfd);
		char *av[] = { self, (char *)"serve", (char *)"-c", conf, NULL };
		execve(self, av, envp);
		_exit(127);
	}
	free(envp);
	free(tmpdir_env);
	close(ofd);
	f->pid = pid;
	/* Up to ten seconds for the socket (the policies load first). */
	for (int i = 0; i < 1000; i++) {
		int st;
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid) {
			f->pid = 0;
			say(f, "the service ended at its start (%s %d)", WIFEXITED(st) ? "status" : "signal",
			    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
			tail_of(f, out);
			goto done;
		}
		if (answers(f->sock)) {
			rc = 0;
			if (f->verbose)
				fprintf(stderr, "cordon: mcp: sessions and outputs through a service of its own (pid %ld, %s)\n",
				        (long)pid, f->sock);
			goto done;
		}
		if (cordon_mcp_stopping()) {
			say(f, "the server is ending");
			goto done;
		}
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	say(f, "the service did not start listening within ten seconds");
	tail_of(f, out);
	stop_service(f); /* never left running unused */
done:
	free(conf);
	free(log);
	free(out);
	return rc;
}

/* A call gives up when the stdio server is told to end. */
static int progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	(void)arg;
	(void)a;
	(void)b;
	(void)c;
	(void)d;
	return cordon_mcp_stopping() ? 1 : 0;
}

static char *fwd_call(void *arg, const char *msg, size_t len, char *why, size_t whylen)
{
	struct fwd *f = arg;
	int st;
	if (f->pid > 0 && waitpid(f->pid, &st, WNOHANG) == f->pid) {
		/* It ended since the last call: said, cleaned up, started again. */
		fprintf(stderr, "cordon: mcp: the service ended (%s %d); its sessions are lost; starting another\n",
		        WIFEXITED(st) ? "status" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		f->pid = 0;
		remove_dir(f);
	}
	if (!f->failed && !f->pid && start(f) < 0) {
		f->failed = true;
		remove_dir(f);
	}
	if (f->failed) {
		snprintf(why, whylen, "sessions and outputs need a service, which could not be started: %s", f->why);
		return NULL;
	}
	CURL *c = curl_easy_init();
	if (!c) {
		snprintf(why, whylen, "cannot reach the service: out of memory");
		return NULL;
	}
	struct serve_buf b = { 0 };
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	struct curl_slist *h2 = h ? curl_slist_append(h, "Accept: application/json, text/event-stream") : NULL;
	if (!h2) {
		curl_slist_free_all(h);
		curl_easy_cleanup(c);
		snprintf(why, whylen, "cannot reach the service: out of memory");
		return NULL;
	}
	h = h2;
	curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, f->sock);
	curl_easy_setopt(c, CURLOPT_URL, "http://cordon/mcp");
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, msg);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, serve_curl_take);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
	/* The service cancels a run or cell after its run_timeout (an hour by
	 * default): a call that outlasts that and a minute is not coming back. */
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 3660L);
	CURLcode rc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	if (rc != CURLE_OK || status != 200) {
		if (rc == CURLE_WRITE_ERROR)
			snprintf(why, whylen, "the service's answer is larger than the 64 MiB this server passes on");
		else if (rc != CURLE_OK)
			snprintf(why, whylen, "the service did not answer: %s", curl_easy_strerror(rc));
		else
			snprintf(why, whylen, "the service answered HTTP %ld: %.300s", status, b.p ? b.p : "");
		free(b.p);
		return NULL;
	}
	return b.p;
}

static void fwd_stop(void *arg)
{
	struct fwd *f = arg;
	stop_service(f);
	remove_dir(f);
}

int cmd_mcp(int argc, char **argv)
{
	/* `cordon mcp` passes its global --policy-dir as $CORDON_POLICY_DIR
	 * (as for serve), the command's own options as they are. */
	struct fwd f = { .policy_dir = NULL };
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0)
			f.verbose = 1;
		else if (strcmp(argv[i], "--policy-dir") == 0 && i + 1 < argc)
			f.policy_dir = argv[++i];
		else if (strncmp(argv[i], "--policy-dir=", 13) == 0)
			f.policy_dir = argv[i] + 13;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "cordon: mcp: cannot initialise libcurl\n");
		return 125;
	}
	/* The service's serve.yaml takes an absolute policy_dir. */
	char *abs_dir = NULL;
	if (f.policy_dir && !(abs_dir = realpath(f.policy_dir, NULL))) {
		fprintf(stderr, "cordon: mcp: --policy-dir %s: %s\n", f.policy_dir, strerror(errno));
		curl_global_cleanup();
		return 125;
	}
	f.policy_dir = abs_dir;
	struct mcp_forward fw = { .arg = &f, .call = fwd_call, .stop = fwd_stop };
	int rc = cordon_cli_mcp_forwarding(argc, argv, NULL, f.verbose, &fw);
	curl_global_cleanup();
	free(abs_dir);
	return rc;
}
