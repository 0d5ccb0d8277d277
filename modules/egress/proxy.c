/*
 * modules/egress/proxy.c - the proxy, run from the supervisor's poll loop.
 *
 * The supervisor polls one descriptor of ours, an epoll instance (the
 * core's watches wait for input only, at most 64 of them; epoll gives this
 * module writability, any number of connections and its own timer).  In
 * it: the channel the listener arrives on, the listener (a socket of the
 * sandbox's network namespace), a timerfd for deadlines, every client and
 * upstream socket, and each name lookup's pipe.
 *
 * A connection:  HEAD (the request's line and headers, or a SOCKS5
 *   greeting and request; header_timeout)
 *   -> decision on the name (deny rules, then allow rules) or the literal
 *   -> RESOLVE (pinned, or a forked getaddrinfo bounded by dns_timeout)
 *   -> the decision on each address (deny_ips, allow_ips, special classes)
 *   -> CONNECT (non-blocking, connect_timeout, next address on failure)
 *   -> RELAY (bytes both ways, idle_timeout, max_bytes) -> closed, reported.
 * A refusal is answered (403 with the reason in the body) and reported;
 * it never fails the run.  Memory: max_connections x (2 x buffer + 8K).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/close_range.h>

#include "egress.h"

#define TICK_MS 100

enum kind { K_PASS = 1, K_LISTEN, K_TIMER, K_CLIENT, K_UP, K_DNS };
enum cstate { S_HEAD, S_RESOLVE, S_CONNECT, S_RELAY, S_REPLY };
/* How a connection is reported. */
enum outcome { O_ALLOWED, O_DENIED, O_FAILED, O_LIMIT, O_BAD };

struct conn;
struct tag {
	enum kind kind;
	struct conn *c;
};

struct dbuf {
	char *d;
	size_t off, len;
};

struct conn {
	struct conn *next;
	struct eg_proxy *px;
	int dead;
	int cfd, ufd, dfd;
	pid_t dpid; /* the lookup's process */
	int dpidfd; /* and a pidfd of it: no signal can reach a reused pid */
	struct tag tc, tu, td;
	uint32_t mc, mu; /* registered masks; 0 = not in the epoll set */
	enum cstate st;
	enum outcome out;
	char *head;
	size_t hlen;
	int is_connect;
	int socks; /* a SOCKS5 client (its first byte was 5) */
	int socks_greeted; /* its greeting answered */
	char method[16];
	char host[EG_HOST_MAX + 1];
	int port;
	int literal;
	const char *rule; /* the rule that decided (the policy's text) */
	char why[EG_REASON_MAX]; /* a refusal's, or audit's would-be refusal */
	int audit_note;
	char fail[160]; /* why an allowed connection failed or ended early */
	struct eg_addr addrs[EG_ADDRS_MAX];
	int naddr, ai;
	struct eg_addr peer;
	int have_peer;
	struct dbuf c2u, u2c;
	int c_eof, u_eof, u_shut, c_shut;
	uint64_t up, down;
	double t0, deadline;
};

struct eg_proxy {
	const struct eg_conf *c;
	int audit;
	int ep, pass, lfd, tfd;
	int timer_on;
	double listen_paused; /* accept failed (EMFILE...): off the epoll set until then */
	struct tag tpass, tlisten, ttimer;
	struct conn *conns;
	unsigned nconn;
	uint64_t total;
	unsigned n_all, n_allowed, n_denied, n_failed, n_listed, n_unlisted;
	uint64_t sum_up, sum_down;
	cordon_ctx *ctx; /* during a step or the end: where findings go */
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double ns_ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static int ep_set(struct eg_proxy *p, int fd, uint32_t *have, uint32_t want, struct tag *t)
{
	if (fd < 0 || *have == want)
		return 0;
	struct epoll_event ev = { .events = want, .data.ptr = t };
	int r;
	if (want == 0)
		r = epoll_ctl(p->ep, EPOLL_CTL_DEL, fd, NULL);
	else
		r = epoll_ctl(p->ep, *have ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
	if (r == 0)
		*have = want;
	return r;
}

/* ---- reporting ---- */

static void report(struct eg_proxy *p, struct conn *c)
{
	double ms = now_ms() - c->t0;
	p->n_all++;
	p->sum_up += c->up;
	p->sum_down += c->down;
	if (c->out == O_ALLOWED)
		p->n_allowed++;
	else if (c->out == O_FAILED)
		p->n_failed++;
	else
		p->n_denied++;
	if (!p->ctx)
		return;
	/* The result's "connections" (ABI 1.4), beside the findings. */
	if (CORDON_API_HAS(p->ctx, result_connection)) {
		char addr[INET6_ADDRSTRLEN + 2] = "";
		if (c->have_peer)
			eg_addr_str(&c->peer, addr, sizeof(addr));
		static const char *const verdicts[] = {
			[O_ALLOWED] = "allowed", [O_FAILED] = "failed", [O_DENIED] = "denied",
			[O_LIMIT] = "refused", [O_BAD] = "refused",
		};
		const char *reason = c->out == O_FAILED ? c->fail : c->out == O_ALLOWED ? (c->audit_note ? c->why : NULL)
		                                                                        : c->why;
		struct cordon_connection cc = {
			.size = sizeof(cc),
			.method = c->method[0] ? c->method : NULL,
			.host = c->host,
			.port = c->port,
			.verdict = verdicts[c->out],
			.rule = c->rule,
			.address = addr[0] ? addr : NULL,
			.reason = reason && reason[0] ? reason : NULL,
			.bytes_out = c->up,
			.bytes_in = c->down,
			.ms = now_ms() - c->t0,
		};
		if (cordon_api(p->ctx)->result_connection(p->ctx, &cc) < 0)
			cordon_warning(p->ctx, "egress: a connection could not be recorded in the result (out of memory)");
	}
	if (p->n_listed >= p->c->max_records) {
		p->n_unlisted++;
		return;
	}
	p->n_listed++;
	char target[EG_HOST_MAX + 16];
	if (c->host[0])
		snprintf(target, sizeof(target), "%s:%d", c->host, c->port);
	else
		snprintf(target, sizeof(target), "(no request)");
	char peer[INET6_ADDRSTRLEN + 2] = "";
	if (c->have_peer)
		eg_addr_str(&c->peer, peer, sizeof(peer));
	const char *m = c->method[0] ? c->method : "?";
	switch (c->out) {
	case O_ALLOWED:
		cordon_finding(p->ctx, c->audit_note ? "egress-audit" : "egress-allowed",
		               c->audit_note ? CORDON_SEV_LOW : CORDON_SEV_INFO, 0, 0,
		               "%s %s allowed%s%s%s via %s: %llu bytes out, %llu bytes in, %.0f ms%s%s%s%s%s", m, target,
		               c->rule ? " by '" : "", c->rule ? c->rule : "", c->rule ? "'" : "", peer[0] ? peer : "?",
		               (unsigned long long)c->up, (unsigned long long)c->down, ms, c->fail[0] ? "; " : "", c->fail,
		               c->audit_note ? " (audit mode; would be denied: " : "", c->audit_note ? c->why : "",
		               c->audit_note ? ")" : "");
		break;
	case O_FAILED:
		cordon_finding(p->ctx, "egress-failed", CORDON_SEV_LOW, 0, 0, "%s %s allowed%s%s%s but failed: %s; %.0f ms",
		               m, target, c->rule ? " by '" : "", c->rule ? c->rule : "", c->rule ? "'" : "", c->fail,
		               ms);
		break;
	case O_DENIED:
		cordon_finding(p->ctx, "egress-denied", CORDON_SEV_MEDIUM, 0, 0, "%s %s denied: %s", m, target, c->why);
		break;
	case O_LIMIT:
		cordon_finding(p->ctx, "egress-limit", CORDON_SEV_MEDIUM, 0, 0, "%s %s refused: %s", m, target, c->why);
		break;
	case O_BAD:
		cordon_finding(p->ctx, "egress-bad-request", CORDON_SEV_LOW, 0, 0, "%s %s refused: %s", m, target,
		               c->why);
		break;
	}
}

/* ---- connections ---- */

static void dns_stop(struct conn *c)
{
	if (c->dfd >= 0) {
		(void)epoll_ctl(c->px->ep, EPOLL_CTL_DEL, c->dfd, NULL);
		close(c->dfd);
		c->dfd = -1;
	}
	if (c->dpid > 0 && c->dpidfd >= 0) {
		/* The core's clean-up may have reaped it already (ECHILD):
		 * the pidfd still names that process, never another. */
		(void)syscall(SYS_pidfd_send_signal, c->dpidfd, SIGKILL, NULL, 0);
		siginfo_t si;
		while (waitid((idtype_t)P_PIDFD, (id_t)c->dpidfd, &si, WEXITED) < 0 && errno == EINTR)
			;
	}
	if (c->dpidfd >= 0)
		close(c->dpidfd);
	c->dpidfd = -1;
	c->dpid = 0;
}

static void conn_close(struct conn *c)
{
	if (c->dead)
		return;
	struct eg_proxy *p = c->px;
	c->dead = 1;
	dns_stop(c);
	if (c->cfd >= 0) {
		(void)epoll_ctl(p->ep, EPOLL_CTL_DEL, c->cfd, NULL);
		close(c->cfd);
		c->cfd = -1;
	}
	if (c->ufd >= 0) {
		(void)epoll_ctl(p->ep, EPOLL_CTL_DEL, c->ufd, NULL);
		close(c->ufd);
		c->ufd = -1;
	}
	report(p, c);
	p->nconn--;
}

static void conn_free(struct conn *c)
{
	free(c->head);
	free(c->c2u.d);
	free(c->u2c.d);
	free(c);
}

static void update_masks(struct conn *c)
{
	struct eg_proxy *p = c->px;
	size_t cap = p->c->bufsize;
	uint32_t mc = 0, mu = 0;
	switch (c->st) {
	case S_HEAD:
		mc = EPOLLIN;
		break;
	case S_RESOLVE:
		break;
	case S_CONNECT:
		mu = EPOLLOUT;
		break;
	case S_RELAY:
		if (!c->c_eof && c->c2u.len < cap)
			mc |= EPOLLIN;
		if (c->u2c.len > c->u2c.off)
			mc |= EPOLLOUT;
		if (!c->u_eof && c->u2c.len < cap)
			mu |= EPOLLIN;
		if (c->c2u.len > c->c2u.off)
			mu |= EPOLLOUT;
		break;
	case S_REPLY:
		mc = EPOLLOUT;
		break;
	}
	if (ep_set(p, c->cfd, &c->mc, mc, &c->tc) < 0 || ep_set(p, c->ufd, &c->mu, mu, &c->tu) < 0) {
		snprintf(c->fail, sizeof(c->fail), "epoll_ctl: %s", strerror(errno));
		conn_close(c);
	}
}

/* Answer with an error and close once it is written.  why is the
 * sentence a model reads; it becomes the body. */
static void reply_error(struct conn *c, int code, enum outcome out, const char *why)
{
	static const struct {
		int code;
		const char *text;
	} texts[] = { { 400, "Bad Request" },     { 403, "Forbidden" },           { 405, "Method Not Allowed" },
		      { 408, "Request Timeout" }, { 431, "Request Header Fields Too Large" },
		      { 502, "Bad Gateway" },     { 503, "Service Unavailable" }, { 504, "Gateway Timeout" } };
	const char *text = "Error";
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (texts[i].code == code)
			text = texts[i].text;
	if (why != c->why)
		snprintf(c->why, sizeof(c->why), "%s", why);
	if (out == O_FAILED)
		snprintf(c->fail, sizeof(c->fail), "%s", why);
	c->out = out;
	dns_stop(c);
	if (c->ufd >= 0) {
		(void)epoll_ctl(c->px->ep, EPOLL_CTL_DEL, c->ufd, NULL);
		close(c->ufd);
		c->ufd = -1;
		c->mu = 0;
	}
	if (c->socks) {
		/* SOCKS5 has a code, no sentence: the result carries the why. */
		unsigned char rep = code == 403 ? 0x02 : code == 502 ? 0x05 : code == 504 ? 0x04 : 0x01;
		const unsigned char r[10] = { 5, rep, 0, 1, 0, 0, 0, 0, 0, 0 };
		memcpy(c->u2c.d, r, sizeof(r));
		c->u2c.off = 0;
		c->u2c.len = sizeof(r);
		c->st = S_REPLY;
		c->deadline = now_ms() + 5000;
		update_masks(c);
		return;
	}
	int n = snprintf(c->u2c.d, c->px->c->bufsize,
	                 "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
	                 "X-Cordon-Egress: %s\r\nContent-Length: %zu\r\n\r\n%s\n",
	                 code, text, out == O_ALLOWED ? "allowed" : "refused", strlen(c->why) + 1, c->why);
	c->u2c.off = 0;
	c->u2c.len = n < 0 ? 0 : (size_t)n;
	c->st = S_REPLY;
	c->deadline = now_ms() + 5000;
	update_masks(c);
}

static void deny(struct conn *c, int code, const char *why)
{
	reply_error(c, code, O_DENIED, why);
}

static void set_idle(struct conn *c)
{
	const struct eg_conf *cf = c->px->c;
	c->deadline = cf->idle_ns ? now_ms() + ns_ms(cf->idle_ns) : 0;
}

static void connect_next(struct conn *c);

static void connected(struct conn *c)
{
	c->peer = c->addrs[c->ai];
	c->have_peer = 1;
	c->out = O_ALLOWED;
	c->fail[0] = '\0'; /* an earlier address's failure is no longer the story */
	if (c->socks) {
		static const unsigned char ok[10] = { 5, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
		memcpy(c->u2c.d, ok, sizeof(ok));
		c->u2c.off = 0;
		c->u2c.len = sizeof(ok);
	} else if (c->is_connect) {
		static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
		memcpy(c->u2c.d, ok, sizeof(ok) - 1);
		c->u2c.off = 0;
		c->u2c.len = sizeof(ok) - 1;
	}
	c->st = S_RELAY;
	set_idle(c);
	update_masks(c);
}

static void connect_next(struct conn *c)
{
	struct eg_proxy *p = c->px;
	char as[INET6_ADDRSTRLEN];
	while (c->ai < c->naddr) {
		const struct eg_addr *a = &c->addrs[c->ai];
		eg_addr_str(a, as, sizeof(as));
		int fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			snprintf(c->fail, sizeof(c->fail), "socket: %s", strerror(errno));
			c->ai++;
			continue;
		}
		struct sockaddr_storage ss;
		socklen_t sl;
		memset(&ss, 0, sizeof(ss));
		if (a->family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
			s4->sin_family = AF_INET;
			s4->sin_port = htons((uint16_t)c->port);
			memcpy(&s4->sin_addr, a->a, 4);
			sl = sizeof(*s4);
		} else {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons((uint16_t)c->port);
			memcpy(&s6->sin6_addr, a->a, 16);
			sl = sizeof(*s6);
		}
		if (connect(fd, (struct sockaddr *)&ss, sl) == 0 || errno == EINPROGRESS) {
			c->ufd = fd;
			c->mu = 0;
			c->st = S_CONNECT;
			c->deadline = p->c->connect_ns ? now_ms() + ns_ms(p->c->connect_ns) : 0;
			update_masks(c);
			return;
		}
		snprintf(c->fail, sizeof(c->fail), "connect to %s port %d: %s", as, c->port, strerror(errno));
		close(fd);
		c->ai++;
	}
	char why[EG_REASON_MAX];
	snprintf(why, sizeof(why), "network: could not connect to %s:%d (%s)", c->host, c->port,
	         c->fail[0] ? c->fail : "no address");
	reply_error(c, 502, O_FAILED, why);
}

/* The addresses of an allowed name: each judged, the refused dropped (a
 * name that resolves only to special addresses is DNS rebinding). */
static void have_addrs(struct conn *c, const struct eg_addr *a, int n)
{
	struct eg_proxy *p = c->px;
	char why[EG_REASON_MAX] = "";
	c->naddr = 0;
	for (int i = 0; i < n && c->naddr < EG_ADDRS_MAX; i++) {
		const char *rule;
		char w[EG_REASON_MAX];
		if (eg_decide_addr(p->c, c->literal ? NULL : c->host, &a[i], &rule, w, sizeof(w)) == EG_DENY) {
			if (!why[0])
				snprintf(why, sizeof(why), "%s", w);
			if (!p->audit)
				continue;
			if (!c->audit_note)
				snprintf(c->why, sizeof(c->why), "%s", w);
			c->audit_note = 1;
		} else if (c->literal) {
			c->rule = rule;
		}
		c->addrs[c->naddr++] = a[i];
	}
	if (c->naddr == 0) {
		deny(c, 403, why[0] ? why : "network: no address to connect to");
		return;
	}
	c->ai = 0;
	connect_next(c);
}

/* ---- name lookups: a forked getaddrinfo, bounded by dns_timeout ---- */

struct dns_rec {
	unsigned char family; /* 4 or 6; 0 and a[0] = error code */
	unsigned char a[16];
};

static void dns_start(struct conn *c)
{
	struct eg_proxy *p = c->px;
	int pp[2];
	if (pipe2(pp, O_CLOEXEC | O_NONBLOCK) < 0) {
		char why[EG_REASON_MAX];
		snprintf(why, sizeof(why), "network: could not look up %s (pipe: %s)", c->host, strerror(errno));
		reply_error(c, 502, O_FAILED, why);
		return;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(pp[0]);
		close(pp[1]);
		char why[EG_REASON_MAX];
		snprintf(why, sizeof(why), "network: could not look up %s (fork: %s)", c->host, strerror(errno));
		reply_error(c, 502, O_FAILED, why);
		return;
	}
	if (pid == 0) {
		/* The lookup's process: nothing of the supervisor's but the
		 * pipe; dies with it. */
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		int w = pp[1];
		if (w != 3) {
			if (dup2(w, 3) < 0)
				_exit(1);
			w = 3;
		}
		(void)syscall(SYS_close_range, 4u, ~0u, 0u);
		struct addrinfo hints, *res = NULL;
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		struct dns_rec recs[EG_ADDRS_MAX];
		memset(recs, 0, sizeof(recs));
		int n = 0, e = getaddrinfo(c->host, NULL, &hints, &res);
		if (e) {
			recs[0].family = 0;
			recs[0].a[0] = (unsigned char)(e < 0 ? -e : e);
			n = 1;
		} else {
			for (struct addrinfo *ai = res; ai && n < EG_ADDRS_MAX; ai = ai->ai_next) {
				if (ai->ai_family == AF_INET) {
					recs[n].family = 4;
					memcpy(recs[n].a, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
				} else if (ai->ai_family == AF_INET6) {
					recs[n].family = 6;
					memcpy(recs[n].a, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
				} else {
					continue;
				}
				int dup = 0;
				for (int j = 0; j < n; j++)
					dup |= memcmp(&recs[j], &recs[n], sizeof(recs[n])) == 0;
				if (!dup)
					n++;
			}
		}
		/* one write below PIPE_BUF: atomic */
		ssize_t wr = write(w, recs, (size_t)n * sizeof(recs[0]));
		_exit(wr < 0);
	}
	close(pp[1]);
	c->dfd = pp[0];
	c->dpid = pid;
	c->dpidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (c->dpidfd < 0) {
		/* still ours, unreaped: kill and reap it by pid while that is safe */
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		c->dpid = 0;
		char why[EG_REASON_MAX];
		snprintf(why, sizeof(why), "network: could not look up %s (pidfd_open: %s)", c->host, strerror(errno));
		reply_error(c, 502, O_FAILED, why);
		return;
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &c->td };
	if (epoll_ctl(p->ep, EPOLL_CTL_ADD, c->dfd, &ev) < 0) {
		char why[EG_REASON_MAX];
		snprintf(why, sizeof(why), "network: could not look up %s (epoll: %s)", c->host, strerror(errno));
		reply_error(c, 502, O_FAILED, why);
		return;
	}
	c->st = S_RESOLVE;
	c->deadline = p->c->dns_ns ? now_ms() + ns_ms(p->c->dns_ns) : 0;
	update_masks(c);
}

static void on_dns(struct conn *c)
{
	struct dns_rec recs[EG_ADDRS_MAX];
	ssize_t n = read(c->dfd, recs, sizeof(recs));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	dns_stop(c);
	char why[EG_REASON_MAX];
	if (n <= 0 || n % (ssize_t)sizeof(recs[0]) != 0) {
		snprintf(why, sizeof(why), "network: could not look up %s (the lookup ended without an answer)",
		         c->host);
		reply_error(c, 502, O_FAILED, why);
		return;
	}
	int k = (int)(n / (ssize_t)sizeof(recs[0]));
	if (recs[0].family == 0) {
		snprintf(why, sizeof(why), "network: could not look up %s (%s)", c->host, gai_strerror(-(int)recs[0].a[0]));
		reply_error(c, 502, O_FAILED, why);
		return;
	}
	struct eg_addr a[EG_ADDRS_MAX];
	memset(a, 0, sizeof(a));
	for (int i = 0; i < k; i++) {
		a[i].family = recs[i].family == 4 ? AF_INET : AF_INET6;
		memcpy(a[i].a, recs[i].a, 16);
	}
	have_addrs(c, a, k);
}

/* ---- the request's head ---- */

/* The end of a head in buf[0..len), looking only at what is new since
 * len `from` (each byte is looked at a bounded number of times, however
 * slowly the head arrives). */
static char *find_end(char *buf, size_t len, size_t from, size_t *headlen)
{
	for (size_t i = from > 3 ? from - 3 : 0; i + 1 < len; i++) {
		if (buf[i] == '\n' && buf[i + 1] == '\n') {
			*headlen = i + 2;
			return buf + i;
		}
		if (i + 3 < len && buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
			*headlen = i + 4;
			return buf + i;
		}
	}
	return NULL;
}

/* "host:port", "[v6]:port" or "host" (port def); 0 or -1. */
static int split_authority(const char *s, size_t n, char *host, size_t hostlen, int *port, int def)
{
	const char *h = s, *hend, *colon = NULL;
	if (n && s[0] == '[') {
		const char *rb = memchr(s, ']', n);
		if (!rb)
			return -1;
		h = s + 1;
		hend = rb;
		if (rb + 1 < s + n) {
			if (rb[1] != ':')
				return -1;
			colon = rb + 1;
		}
	} else {
		colon = memchr(s, ':', n);
		hend = colon ? colon : s + n;
	}
	size_t hl = (size_t)(hend - h);
	if (hl == 0 || hl >= hostlen || memchr(s, '@', n))
		return -1;
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (!colon) {
		*port = def;
		return def > 0 ? 0 : -1;
	}
	const char *ps = colon + 1, *pe = s + n;
	if (ps == pe || pe - ps > 5)
		return -1;
	long v = 0;
	for (const char *q = ps; q < pe; q++) {
		if (*q < '0' || *q > '9')
			return -1;
		v = v * 10 + (*q - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

/* Headers a proxy must not forward (hop by hop), and Connection, which we
 * set to close: one request per upstream connection. */
static int hop_header(const char *line, size_t n)
{
	static const char *const drop[] = { "proxy-connection:", "proxy-authorization:", "connection:",
		                            "keep-alive:", "proxy-authenticate:" };
	for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
		size_t l = strlen(drop[i]);
		if (n >= l && strncasecmp(line, drop[i], l) == 0)
			return 1;
	}
	return 0;
}

static void decide(struct conn *c);

/* The head is complete: parse, rewrite (plain HTTP), decide. */
static void on_head(struct conn *c, size_t headlen)
{
	struct eg_proxy *p = c->px;
	char *h = c->head;
	char *eol = memchr(h, '\n', headlen);
	size_t ll = (size_t)(eol - h);
	if (ll && h[ll - 1] == '\r')
		ll--;
	/* METHOD SP TARGET SP HTTP/x.y */
	char *sp1 = memchr(h, ' ', ll);
	char *sp2 = sp1 ? memchr(sp1 + 1, ' ', ll - (size_t)(sp1 + 1 - h)) : NULL;
	if (!sp1 || !sp2 || (size_t)(sp1 - h) >= sizeof(c->method) || sp1 == h ||
	    strncmp(sp2 + 1, "HTTP/1.", 7) != 0) {
		reply_error(c, 400, O_BAD, "network: the proxy expects an HTTP/1.x request (CONNECT host:port, or GET http://host/...)");
		return;
	}
	memcpy(c->method, h, (size_t)(sp1 - h));
	c->method[sp1 - h] = '\0';
	const char *tgt = sp1 + 1;
	size_t tl = (size_t)(sp2 - tgt);
	const char *path = NULL;
	size_t pathlen = 0;
	int absolute = 0; /* GET http://host/... rather than GET / with Host */
	c->is_connect = strcmp(c->method, "CONNECT") == 0;
	if (c->is_connect) {
		if (split_authority(tgt, tl, c->host, sizeof(c->host), &c->port, 0) < 0) {
			reply_error(c, 400, O_BAD, "network: CONNECT needs host:port");
			return;
		}
	} else if (tl > 7 && strncasecmp(tgt, "http://", 7) == 0) {
		const char *auth = tgt + 7, *end = tgt + tl, *q = auth;
		while (q < end && *q != '/' && *q != '?' && *q != '#')
			q++;
		if (split_authority(auth, (size_t)(q - auth), c->host, sizeof(c->host), &c->port, 80) < 0) {
			reply_error(c, 400, O_BAD, "network: the request's URL has no usable host");
			return;
		}
		path = q < end ? q : "/";
		pathlen = q < end ? (size_t)(end - q) : 1;
		absolute = 1;
	} else if (tl > 8 && strncasecmp(tgt, "https://", 8) == 0) {
		reply_error(c, 400, O_BAD, "network: an https:// URL goes through CONNECT (set HTTPS_PROXY)");
		return;
	} else if (tl && tgt[0] == '/') {
		/* origin form: the Host header names the server */
		path = tgt;
		pathlen = tl;
		const char *line = eol + 1, *hend = h + headlen;
		int found = 0;
		while (line < hend) {
			const char *le = memchr(line, '\n', (size_t)(hend - line));
			if (!le)
				break;
			if ((size_t)(le - line) > 5 && strncasecmp(line, "host:", 5) == 0) {
				const char *v = line + 5, *ve = le;
				while (v < ve && (*v == ' ' || *v == '\t'))
					v++;
				while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
					ve--;
				if (found || split_authority(v, (size_t)(ve - v), c->host, sizeof(c->host), &c->port, 80) < 0) {
					reply_error(c, 400, O_BAD, "network: the request needs one Host header naming the server");
					return;
				}
				found = 1;
			}
			line = le + 1;
		}
		if (!found) {
			reply_error(c, 400, O_BAD, "network: the request needs a Host header or an absolute http:// URL");
			return;
		}
	} else {
		reply_error(c, 400, O_BAD, "network: the proxy expects CONNECT host:port or an http:// URL");
		return;
	}
	struct eg_addr lit;
	c->literal = eg_parse_addr(c->host, &lit) == 0;
	if (!c->literal && eg_norm_host(c->host) < 0) {
		reply_error(c, 400, O_BAD, "network: not a host name");
		return;
	}

	/* What goes upstream first: nothing for CONNECT (the tunnel's bytes
	 * follow the 200); for plain HTTP the request in origin form without
	 * hop-by-hop headers, and Connection: close.  Then what the client
	 * sent after the head. */
	struct dbuf *b = &c->c2u;
	b->off = b->len = 0;
	if (!c->is_connect) {
		size_t cap = p->c->bufsize;
		int n = snprintf(b->d, cap, "%s %.*s %.*s\r\n", c->method, (int)pathlen, path, (int)(h + ll - (sp2 + 1)),
		                 sp2 + 1);
		b->len = (size_t)n;
		const char *line = eol + 1, *hend = h + headlen;
		while (line < hend) {
			const char *le = memchr(line, '\n', (size_t)(hend - line));
			if (!le)
				break;
			size_t n2 = (size_t)(le - line) + 1;
			/* absolute form: the URL's host is the one decided on, and
			 * the Host header becomes it (RFC 9112 3.2.2), so no other
			 * site of the same server is reached by a Host of its own */
			int host_line = n2 > 5 && strncasecmp(line, "host:", 5) == 0;
			if (n2 > 2 && !hop_header(line, n2) && !(absolute && host_line)) {
				memcpy(b->d + b->len, line, n2);
				b->len += n2;
			}
			line = le + 1;
		}
		if (absolute) {
			int v6 = strchr(c->host, ':') != NULL;
			char portbuf[8] = "";
			if (c->port != 80)
				snprintf(portbuf, sizeof(portbuf), ":%d", c->port);
			n = snprintf(b->d + b->len, cap - b->len, "Host: %s%s%s%s\r\n", v6 ? "[" : "", c->host, v6 ? "]" : "",
			             portbuf);
			b->len += (size_t)n;
		}
		static const char tail[] = "Connection: close\r\n\r\n";
		memcpy(b->d + b->len, tail, sizeof(tail) - 1);
		b->len += sizeof(tail) - 1;
	}
	c->up += b->len; /* the request as forwarded */
	size_t rest = c->hlen - headlen;
	memcpy(b->d + b->len, c->head + headlen, rest);
	b->len += rest;
	free(c->head);
	c->head = NULL;
	decide(c);
}

/* A SOCKS5 client (RFC 1928): no authentication, CONNECT, a name or an
 * address.  The head buffer holds what has arrived; returns when more is
 * needed. */
static void socks_head(struct conn *c)
{
	unsigned char *h = (unsigned char *)c->head;
	c->socks = 1;
	snprintf(c->method, sizeof(c->method), "SOCKS5");
	if (!c->socks_greeted) {
		if (c->hlen < 2 || c->hlen < 2u + h[1])
			return;
		size_t need = 2u + h[1];
		int noauth = 0;
		for (size_t i = 2; i < need; i++)
			noauth |= h[i] == 0;
		const unsigned char rep[2] = { 5, noauth ? 0 : 0xff };
		if (send(c->cfd, rep, 2, MSG_NOSIGNAL | MSG_DONTWAIT) != 2 || !noauth) {
			snprintf(c->why, sizeof(c->why), "network: the proxy speaks SOCKS5 without authentication only");
			c->out = O_BAD;
			conn_close(c);
			return;
		}
		memmove(h, h + need, c->hlen - need);
		c->hlen -= need;
		c->socks_greeted = 1;
	}
	if (c->hlen < 5)
		return;
	size_t alen = h[3] == 1 ? 4 : h[3] == 4 ? 16 : h[3] == 3 ? 1u + h[4] : 0;
	if (h[0] != 5 || h[2] != 0 || alen == 0) {
		reply_error(c, 400, O_BAD, "network: not a SOCKS5 request");
		return;
	}
	size_t need = 4 + alen + 2;
	if (c->hlen < need)
		return;
	if (h[1] != 1) {
		reply_error(c, 400, O_BAD, "network: the proxy supports SOCKS5 CONNECT only");
		return;
	}
	if (h[3] == 3) {
		if (h[4] == 0 || h[4] > EG_HOST_MAX) {
			reply_error(c, 400, O_BAD, "network: not a host name");
			return;
		}
		memcpy(c->host, h + 5, h[4]);
		c->host[h[4]] = '\0';
		if (memchr(c->host, '\0', h[4])) {
			reply_error(c, 400, O_BAD, "network: not a host name");
			return;
		}
	} else if (!inet_ntop(h[3] == 1 ? AF_INET : AF_INET6, h + 4, c->host, sizeof(c->host))) {
		reply_error(c, 400, O_BAD, "network: not an address");
		return;
	}
	c->port = (h[need - 2] << 8) | h[need - 1];
	c->is_connect = 1;
	struct eg_addr lit;
	c->literal = eg_parse_addr(c->host, &lit) == 0;
	if (c->port == 0 || (!c->literal && eg_norm_host(c->host) < 0)) {
		reply_error(c, 400, O_BAD, c->port ? "network: not a host name" : "network: port 0");
		return;
	}
	size_t rest = c->hlen - need;
	memcpy(c->c2u.d, c->head + need, rest);
	c->c2u.off = 0;
	c->c2u.len = rest;
	free(c->head);
	c->head = NULL;
	decide(c);
}

static void decide(struct conn *c)
{
	struct eg_proxy *p = c->px;
	const struct eg_conf *cf = p->c;
	if (cf->none) {
		/* isolation, not a policy decision: audit mode does not lift it */
		char why[EG_REASON_MAX];
		snprintf(why, sizeof(why), "network: this run has no network access (network: none), %s is not reachable",
		         c->host);
		deny(c, 403, why);
		return;
	}
	if (c->literal) {
		struct eg_addr a;
		(void)eg_parse_addr(c->host, &a);
		have_addrs(c, &a, 1);
		return;
	}
	const char *rule;
	char why[EG_REASON_MAX];
	if (eg_decide_name(cf, c->host, c->port, &rule, why, sizeof(why)) == EG_DENY) {
		if (!p->audit) {
			c->rule = rule;
			deny(c, 403, why);
			return;
		}
		c->audit_note = 1;
		snprintf(c->why, sizeof(c->why), "%s", why);
	}
	c->rule = rule;
	const struct eg_pin *pin = eg_pin_find(cf, c->host);
	if (pin) {
		have_addrs(c, pin->addr, pin->n);
		return;
	}
	if (!cf->dns) {
		snprintf(why, sizeof(why), "network: %s is not pinned in this policy's resolve list, and dns is off",
		         c->host);
		reply_error(c, 502, O_FAILED, why);
		return;
	}
	dns_start(c);
}

/* ---- relaying ---- */

/* Move what src has into buf and buf into dst, until either would block
 * (at most PUMP_ROUNDS buffers per call, so one busy connection does not
 * hold the supervisor's loop); -1 when the connection must end (fail says
 * why, or nothing for an ordinary close). */
#define PUMP_ROUNDS 32
static int pump(struct conn *c, int src, int dst, struct dbuf *b, int *src_eof, int *dst_shut, uint64_t *count)
{
	struct eg_proxy *p = c->px;
	size_t cap = p->c->bufsize;
	for (int round = 0; round < PUMP_ROUNDS; round++) {
		while (b->len > b->off) {
			ssize_t w = send(dst, b->d + b->off, b->len - b->off, MSG_NOSIGNAL);
			if (w > 0) {
				b->off += (size_t)w;
				continue;
			}
			if (w < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			if (w < 0 && errno != EPIPE && errno != ECONNRESET)
				snprintf(c->fail, sizeof(c->fail), "send: %s", strerror(errno));
			return -1;
		}
		if (b->off == b->len)
			b->off = b->len = 0;
		if (*src_eof || b->len >= cap)
			break;
		size_t room = cap - b->len;
		if (p->c->max_bytes != CORDON_UNLIMITED) {
			uint64_t left = p->total < p->c->max_bytes ? p->c->max_bytes - p->total : 0;
			if (left == 0) {
				snprintf(c->fail, sizeof(c->fail), "ended: the run's transfer limit (max_bytes %llu) is used up",
				         (unsigned long long)p->c->max_bytes);
				return -1;
			}
			if (room > left)
				room = (size_t)left;
		}
		ssize_t r = recv(src, b->d + b->len, room, 0);
		if (r > 0) {
			b->len += (size_t)r;
			*count += (uint64_t)r;
			p->total += (uint64_t)r;
			set_idle(c);
		} else if (r == 0) {
			*src_eof = 1;
		} else if (errno == EAGAIN || errno == EINTR) {
			break;
		} else {
			if (errno != ECONNRESET)
				snprintf(c->fail, sizeof(c->fail), "recv: %s", strerror(errno));
			return -1;
		}
	}
	/* what the last read brought, if dst takes it now */
	while (b->len > b->off) {
		ssize_t w = send(dst, b->d + b->off, b->len - b->off, MSG_NOSIGNAL);
		if (w > 0) {
			b->off += (size_t)w;
			continue;
		}
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		return -1;
	}
	if (b->off == b->len)
		b->off = b->len = 0;
	if (*src_eof && b->off == b->len && !*dst_shut) {
		(void)shutdown(dst, SHUT_WR);
		*dst_shut = 1;
	}
	return 0;
}

static void relay(struct conn *c)
{
	if (pump(c, c->cfd, c->ufd, &c->c2u, &c->c_eof, &c->u_shut, &c->up) < 0 ||
	    pump(c, c->ufd, c->cfd, &c->u2c, &c->u_eof, &c->c_shut, &c->down) < 0) {
		conn_close(c);
		return;
	}
	if (c->c_shut && c->u_shut) {
		conn_close(c);
		return;
	}
	update_masks(c);
}

/* ---- events ---- */

static void on_client(struct conn *c, uint32_t ev)
{
	struct eg_proxy *p = c->px;
	switch (c->st) {
	case S_HEAD: {
		ssize_t r = recv(c->cfd, c->head + c->hlen, EG_HEAD_MAX - c->hlen, 0);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r <= 0) {
			snprintf(c->why, sizeof(c->why), "network: the client closed before a complete request");
			c->out = O_BAD;
			conn_close(c);
			return;
		}
		size_t from = c->hlen;
		c->hlen += (size_t)r;
		p->total += (uint64_t)r;
		if (c->socks || (unsigned char)c->head[0] == 5) {
			socks_head(c);
			return;
		}
		size_t headlen;
		if (find_end(c->head, c->hlen, from, &headlen)) {
			on_head(c, headlen);
		} else if (c->hlen >= EG_HEAD_MAX) {
			char why[EG_REASON_MAX];
			snprintf(why, sizeof(why), "network: the request's head is longer than %d bytes", EG_HEAD_MAX);
			reply_error(c, 431, O_BAD, why);
		}
		return;
	}
	case S_RELAY:
		if ((ev & (EPOLLHUP | EPOLLERR)) && !(ev & EPOLLIN)) {
			conn_close(c);
			return;
		}
		relay(c);
		return;
	case S_REPLY:
		while (c->u2c.len > c->u2c.off) {
			ssize_t w = send(c->cfd, c->u2c.d + c->u2c.off, c->u2c.len - c->u2c.off, MSG_NOSIGNAL);
			if (w > 0) {
				c->u2c.off += (size_t)w;
				continue;
			}
			if (w < 0 && (errno == EAGAIN || errno == EINTR))
				return;
			break;
		}
		conn_close(c);
		return;
	case S_RESOLVE:
	case S_CONNECT:
		/* not polled for input: only a hang-up or an error arrives */
		snprintf(c->fail, sizeof(c->fail), "the client went away before the connection was made");
		if (c->out == O_ALLOWED)
			c->out = O_FAILED;
		conn_close(c);
		return;
	}
}

static void on_up(struct conn *c, uint32_t ev)
{
	if (c->st == S_CONNECT) {
		int err = 0;
		socklen_t el = sizeof(err);
		if (getsockopt(c->ufd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			err = errno;
		if (err == 0 && !(ev & EPOLLERR)) {
			connected(c);
			return;
		}
		char as[INET6_ADDRSTRLEN];
		eg_addr_str(&c->addrs[c->ai], as, sizeof(as));
		snprintf(c->fail, sizeof(c->fail), "connect to %s port %d: %s", as, c->port,
		         strerror(err ? err : ECONNREFUSED));
		(void)epoll_ctl(c->px->ep, EPOLL_CTL_DEL, c->ufd, NULL);
		close(c->ufd);
		c->ufd = -1;
		c->mu = 0;
		c->ai++;
		connect_next(c);
		return;
	}
	if (c->st == S_RELAY)
		relay(c);
}

static void on_pass(struct eg_proxy *p)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char tag;
	struct iovec iov = { .iov_base = &tag, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	ssize_t n = recvmsg(p->pass, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	int fd = -1;
	if (n == 1) {
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
			    cm->cmsg_len == CMSG_LEN(sizeof(int)))
				memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	}
	/* One message, then the channel is done. */
	(void)epoll_ctl(p->ep, EPOLL_CTL_DEL, p->pass, NULL);
	close(p->pass);
	p->pass = -1;
	if (fd < 0 || p->lfd >= 0) {
		if (fd >= 0)
			close(fd);
		return;
	}
	int fl = fcntl(fd, F_GETFL);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &p->tlisten };
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || epoll_ctl(p->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		if (p->ctx)
			cordon_warning(p->ctx, "egress: cannot serve the listener: %s", strerror(errno));
		close(fd);
		return;
	}
	p->lfd = fd;
}

/* A connection refused before it was read (a limit): a short answer
 * written at once, best effort. */
static void refuse_now(struct eg_proxy *p, int fd, const char *why)
{
	char msg[EG_REASON_MAX + 200];
	int n = snprintf(msg, sizeof(msg),
	                 "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
	                 "Connection: close\r\nX-Cordon-Egress: refused\r\nContent-Length: %zu\r\n\r\n%s\n",
	                 strlen(why) + 1, why);
	(void)!send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
	struct conn tmp;
	memset(&tmp, 0, sizeof(tmp));
	tmp.t0 = now_ms();
	tmp.out = O_LIMIT;
	snprintf(tmp.why, sizeof(tmp.why), "%s", why);
	report(p, &tmp);
}

static void on_listen(struct eg_proxy *p)
{
	for (int i = 0; i < 64; i++) {
		int fd = accept4(p->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			/* Out of descriptors or memory: the listener stays readable,
			 * so it leaves the epoll set for a tick rather than spin. */
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				(void)epoll_ctl(p->ep, EPOLL_CTL_DEL, p->lfd, NULL);
				p->listen_paused = now_ms() + TICK_MS;
			}
			return;
		}
		char why[EG_REASON_MAX];
		if (p->nconn >= p->c->max_conn) {
			snprintf(why, sizeof(why),
			         "network: too many connections at once (this policy's max_connections is %u)", p->c->max_conn);
			refuse_now(p, fd, why);
			continue;
		}
		if (p->c->max_bytes != CORDON_UNLIMITED && p->total >= p->c->max_bytes) {
			snprintf(why, sizeof(why), "network: the run's transfer limit (max_bytes %llu) is used up",
			         (unsigned long long)p->c->max_bytes);
			refuse_now(p, fd, why);
			continue;
		}
		struct conn *c = calloc(1, sizeof(*c));
		if (c) {
			c->head = malloc(EG_HEAD_MAX);
			c->c2u.d = malloc(p->c->bufsize);
			c->u2c.d = malloc(p->c->bufsize);
		}
		if (!c || !c->head || !c->c2u.d || !c->u2c.d) {
			if (c)
				conn_free(c);
			refuse_now(p, fd, "network: the proxy is out of memory");
			continue;
		}
		c->px = p;
		c->cfd = fd;
		c->ufd = c->dfd = c->dpidfd = -1;
		c->tc = (struct tag){ K_CLIENT, c };
		c->tu = (struct tag){ K_UP, c };
		c->td = (struct tag){ K_DNS, c };
		c->t0 = now_ms();
		c->st = S_HEAD;
		c->out = O_BAD;
		c->deadline = p->c->header_ns ? c->t0 + ns_ms(p->c->header_ns) : 0;
		c->next = p->conns;
		p->conns = c;
		p->nconn++;
		update_masks(c);
	}
}

/* Deadlines: a head too slow (slowloris), a lookup or a connect too slow,
 * a connection idle too long, an answer the client does not read. */
static void sweep(struct eg_proxy *p)
{
	double now = now_ms();
	if (p->listen_paused && now >= p->listen_paused) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &p->tlisten };
		if (epoll_ctl(p->ep, EPOLL_CTL_ADD, p->lfd, &ev) == 0)
			p->listen_paused = 0;
	}
	for (struct conn *c = p->conns; c; c = c->next) {
		if (c->dead || !c->deadline || now < c->deadline)
			continue;
		char why[EG_REASON_MAX];
		switch (c->st) {
		case S_HEAD:
			snprintf(why, sizeof(why), "network: the request's head did not arrive within header_timeout (%.0f ms)",
			         ns_ms(p->c->header_ns));
			reply_error(c, 408, O_BAD, why);
			break;
		case S_RESOLVE:
			snprintf(why, sizeof(why), "network: looking up %s took longer than dns_timeout (%.0f ms)", c->host,
			         ns_ms(p->c->dns_ns));
			reply_error(c, 504, O_FAILED, why);
			break;
		case S_CONNECT: {
			char as[INET6_ADDRSTRLEN];
			eg_addr_str(&c->addrs[c->ai], as, sizeof(as));
			snprintf(c->fail, sizeof(c->fail), "connect to %s port %d: timed out", as, c->port);
			(void)epoll_ctl(p->ep, EPOLL_CTL_DEL, c->ufd, NULL);
			close(c->ufd);
			c->ufd = -1;
			c->mu = 0;
			c->ai++;
			connect_next(c);
			break;
		}
		case S_RELAY:
			snprintf(c->fail, sizeof(c->fail), "ended: idle for idle_timeout (%.0f ms)", ns_ms(p->c->idle_ns));
			conn_close(c);
			break;
		case S_REPLY:
			conn_close(c);
			break;
		}
	}
}

static void reap_dead(struct eg_proxy *p)
{
	struct conn **pp = &p->conns;
	while (*pp) {
		struct conn *c = *pp;
		if (c->dead) {
			*pp = c->next;
			conn_free(c);
		} else {
			pp = &c->next;
		}
	}
}

static void timer_arm(struct eg_proxy *p)
{
	int want = p->nconn > 0 || p->listen_paused;
	if (want == p->timer_on)
		return;
	struct itimerspec its;
	memset(&its, 0, sizeof(its));
	if (want) {
		its.it_value.tv_nsec = TICK_MS * 1000000L;
		its.it_interval.tv_nsec = TICK_MS * 1000000L;
	}
	if (timerfd_settime(p->tfd, 0, &its, NULL) == 0)
		p->timer_on = want;
}

int eg_proxy_step(struct eg_proxy *p, cordon_ctx *ctx)
{
	p->ctx = ctx;
	struct epoll_event ev[64];
	int n = epoll_wait(p->ep, ev, 64, 0);
	for (int i = 0; i < n; i++) {
		struct tag *t = ev[i].data.ptr;
		switch (t->kind) {
		case K_PASS:
			on_pass(p);
			break;
		case K_LISTEN:
			on_listen(p);
			break;
		case K_TIMER: {
			uint64_t ticks;
			(void)!read(p->tfd, &ticks, sizeof(ticks));
			break;
		}
		case K_CLIENT:
			if (!t->c->dead)
				on_client(t->c, ev[i].events);
			break;
		case K_UP:
			if (!t->c->dead)
				on_up(t->c, ev[i].events);
			break;
		case K_DNS:
			if (!t->c->dead && t->c->dfd >= 0)
				on_dns(t->c);
			break;
		}
	}
	sweep(p);
	reap_dead(p);
	timer_arm(p);
	p->ctx = NULL;
	return 0;
}

int eg_proxy_fd(const struct eg_proxy *p)
{
	return p->ep;
}

struct eg_proxy *eg_proxy_new(const struct eg_conf *c, int audit, int pass_fd, char *err, size_t errlen)
{
	struct eg_proxy *p = calloc(1, sizeof(*p));
	if (!p) {
		close(pass_fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->c = c;
	p->audit = audit;
	p->pass = pass_fd;
	p->lfd = -1;
	p->tpass.kind = K_PASS;
	p->tlisten.kind = K_LISTEN;
	p->ttimer.kind = K_TIMER;
	p->ep = epoll_create1(EPOLL_CLOEXEC);
	p->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	struct epoll_event e1 = { .events = EPOLLIN, .data.ptr = &p->tpass };
	struct epoll_event e2 = { .events = EPOLLIN, .data.ptr = &p->ttimer };
	if (p->ep < 0 || p->tfd < 0 || epoll_ctl(p->ep, EPOLL_CTL_ADD, p->pass, &e1) < 0 ||
	    epoll_ctl(p->ep, EPOLL_CTL_ADD, p->tfd, &e2) < 0) {
		snprintf(err, errlen, "epoll or timerfd: %s", strerror(errno));
		eg_proxy_end(p, NULL);
		return NULL;
	}
	return p;
}

void eg_proxy_end(struct eg_proxy *p, cordon_ctx *ctx)
{
	p->ctx = ctx;
	for (struct conn *c = p->conns; c; c = c->next) {
		if (c->dead)
			continue;
		if (c->st == S_RELAY && !c->fail[0])
			snprintf(c->fail, sizeof(c->fail), "ended with the run");
		else if (c->st == S_RESOLVE || c->st == S_CONNECT) {
			snprintf(c->fail, sizeof(c->fail), "the run ended before the connection was made");
			c->out = O_FAILED;
		}
		conn_close(c);
	}
	reap_dead(p);
	if (ctx && p->n_all)
		cordon_finding(ctx, "egress-summary", CORDON_SEV_INFO, 0, 0,
		               "%u connection%s: %u allowed, %u refused, %u failed; %llu bytes out, %llu bytes in%s", p->n_all,
		               p->n_all == 1 ? "" : "s", p->n_allowed, p->n_denied, p->n_failed,
		               (unsigned long long)p->sum_up, (unsigned long long)p->sum_down,
		               p->n_unlisted ? " (the rest past `records` are counted here only)" : "");
	if (p->pass >= 0)
		close(p->pass);
	if (p->lfd >= 0)
		close(p->lfd);
	if (p->tfd >= 0)
		close(p->tfd);
	if (p->ep >= 0)
		close(p->ep);
	free(p);
}
