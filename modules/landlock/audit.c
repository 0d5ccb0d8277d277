/*
 * modules/landlock/audit.c - audit mode: report the denials of this run's
 * Landlock domain, which the kernel (Landlock ABI 7) writes to the audit
 * subsystem.
 *
 * Landlock has no permissive mode, and its rules are this backend's
 * isolation: they stay enforced in audit mode.  What audit mode adds is the
 * report.  In prepare the module opens a NETLINK_AUDIT socket in the
 * AUDIT_NLGRP_READLOG multicast group (it needs CAP_AUDIT_READ in the
 * initial user namespace), which receives a copy of every audit record of
 * the host, whether auditd runs or not.  The core polls it while the
 * program runs (launch_watch); finish reads what is left and adds one
 * finding per distinct denial.
 *
 * Which records are this run's: the child names itself cordon-XXXXXXXX
 * (random per run) just before landlock_restrict_self, and the kernel's
 * "allocated" record of a domain carries that name (comm=).  The domain is
 * announced together with its first logged denial, so the child makes one
 * denial on purpose (the marker, make_char in its working directory) before
 * the execve: the announcement then comes even when the program is never
 * denied, and its absence at the end means the mechanism failed on this
 * host, which the result says.  Denials of a domain not identified yet are
 * kept (a bounded ring) until its announcement arrives.  A denial's pid and
 * executable come from the SYSCALL record of the same audit event, when the
 * host's audit rules let the kernel write one.  When the domain is freed
 * the kernel writes how many requests it denied in all (denials=): finish
 * waits a moment for that record and says when fewer were logged.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/netlink.h>

#include "landlock.h"

#define LL_AUDIT_RCVBUF (4 << 20) /* socket buffer asked for: bursts of denials */
#define LL_AUDIT_MSG 9216 /* > MAX_AUDIT_MESSAGE_LENGTH (8970) */
#define LL_AUDIT_WAIT_MS 2000 /* finish: longest wait for the domain's last records */
#define LL_AUDIT_GET_MS 1000 /* prepare: longest wait for the AUDIT_GET answer */

/* ---- parsing (pure) ---- */

int ll_audit_serial(const char *text, uint64_t *serial, const char **body)
{
	if (strncmp(text, "audit(", 6) != 0)
		return -1;
	const char *colon = strchr(text + 6, ':');
	const char *close = strchr(text + 6, ')');
	if (!colon || !close || colon > close || close[1] != ':')
		return -1;
	uint64_t v = 0;
	const char *p = colon + 1;
	if (p == close)
		return -1;
	for (; p < close; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*serial = v;
	*body = close[2] == ' ' ? close + 3 : close + 2;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int ll_audit_field(const char *body, const char *key, char *out, size_t cap)
{
	size_t klen = strlen(key);
	const char *p = body;
	out[0] = '\0';
	for (;;) {
		p = strstr(p, key);
		if (!p)
			return 0;
		if ((p == body || p[-1] == ' ') && p[klen] == '=')
			break;
		p += klen;
	}
	const char *v = p + klen + 1;
	size_t n = 0;
	if (*v == '"') {
		/* audit_log_untrustedstring quotes only strings without a quote */
		for (v++; *v && *v != '"' && n + 1 < cap; v++)
			out[n++] = *v;
	} else {
		size_t len = strcspn(v, " ");
		bool hex = len > 0 && len % 2 == 0;
		for (size_t i = 0; hex && i < len; i++)
			hex = hexval(v[i]) >= 0 && (v[i] < 'a' || v[i] > 'f');
		/* Hex-encoded (a path with a space, a quote or a control
		 * character) unless the field is a number or an id. */
		bool numeric = strspn(v, "0123456789") == len;
		if (hex && !numeric && strcmp(key, "domain") != 0) {
			for (size_t i = 0; i + 1 < len && n + 1 < cap; i += 2) {
				int c = hexval(v[i]) << 4 | hexval(v[i + 1]);
				/* keep the finding one printable line */
				out[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
			}
		} else {
			for (size_t i = 0; i < len && n + 1 < cap; i++)
				out[n++] = v[i];
		}
	}
	out[n] = '\0';
	return 1;
}

/* The record's fields after "domain=ID blockers=LIST ": the object (cap > 8). */
static void object_of(const char *body, char *out, size_t cap)
{
	if (ll_audit_field(body, "path", out, cap))
		return;
	memcpy(out, "name ", 5);
	if (ll_audit_field(body, "name", out + 5, cap - 5))
		return;
	const char *p = strstr(body, "blockers=");
	p = p ? strchr(p, ' ') : NULL;
	size_t n = 0;
	if (p)
		for (p++; *p && n + 1 < cap; p++)
			out[n++] = *p >= 0x20 && *p < 0x7f ? *p : '?';
	out[n] = '\0';
	if (n == 0)
		snprintf(out, cap, "(no object)");
}

static void add_denial(struct ll_audit *a, uint64_t serial, const char *blockers, const char *object)
{
	for (size_t i = 0; i < a->n; i++) {
		struct ll_denial *d = &a->d[i];
		if (strcmp(d->blockers, blockers) == 0 && strcmp(d->object, object) == 0) {
			d->count++;
			if (d->pid == 0)
				d->await = serial;
			return;
		}
	}
	if (a->n >= LL_AUDIT_MAX_DENIALS) {
		a->unlisted++;
		return;
	}
	char *b = strdup(blockers), *o = strdup(object);
	if (!b || !o) {
		free(b);
		free(o);
		a->unlisted++; /* out of memory: counted, not listed */
		return;
	}
	a->d[a->n++] = (struct ll_denial){ .blockers = b, .object = o, .count = 1, .await = serial };
}

/* An ACCESS record of this run's domain. */
static void own_access(struct ll_audit *a, uint64_t serial, const char *body)
{
	char blockers[128], object[LL_AUDIT_FIELD];
	if (!ll_audit_field(body, "blockers", blockers, sizeof(blockers)))
		snprintf(blockers, sizeof(blockers), "unknown");
	/* The first denial of the domain is the child's marker. */
	if (!a->marker && a->events == 0 && strcmp(blockers, LL_AUDIT_MARKER_BLOCKER) == 0) {
		a->marker = true;
		return;
	}
	/* The kernel writes one record each time it counts a denial. */
	a->events++;
	object_of(body, object, sizeof(object));
	add_denial(a, serial, blockers, object);
}

static void access_record(struct ll_audit *a, const char *text)
{
	uint64_t serial;
	const char *body;
	char domain[32];
	if (ll_audit_serial(text, &serial, &body) < 0 || !ll_audit_field(body, "domain", domain, sizeof(domain)))
		return;
	if (a->domain[0]) {
		if (strcmp(domain, a->domain) == 0)
			own_access(a, serial, body);
		return;
	}
	/* Not identified yet: keep it until the domain is announced. */
	char *copy = strndup(text, LL_AUDIT_MSG);
	if (!copy)
		return;
	free(a->pending[a->pending_next]);
	a->pending[a->pending_next] = copy;
	a->pending_next = (a->pending_next + 1) % LL_AUDIT_PENDING;
}

static void domain_record(struct ll_audit *a, const char *text)
{
	uint64_t serial;
	const char *body;
	char domain[32], status[32], comm[32], denials[32];
	if (ll_audit_serial(text, &serial, &body) < 0 || !ll_audit_field(body, "domain", domain, sizeof(domain)) ||
	    !ll_audit_field(body, "status", status, sizeof(status)))
		return;
	if (!a->domain[0] && strcmp(status, "allocated") == 0 && ll_audit_field(body, "comm", comm, sizeof(comm)) &&
	    strcmp(comm, a->comm) == 0) {
		snprintf(a->domain, sizeof(a->domain), "%s", domain);
		/* Its denials that came first, oldest first. */
		for (size_t k = 0; k < LL_AUDIT_PENDING; k++) {
			size_t i = (a->pending_next + k) % LL_AUDIT_PENDING;
			char *t = a->pending[i];
			a->pending[i] = NULL;
			if (t)
				access_record(a, t);
			free(t);
		}
		return;
	}
	if (a->domain[0] && strcmp(domain, a->domain) == 0 && strcmp(status, "deallocated") == 0 &&
	    ll_audit_field(body, "denials", denials, sizeof(denials))) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(denials, &end, 10);
		if (!errno && end != denials && !*end) {
			a->total = v;
			a->ended = true;
		}
	}
}

static void syscall_record(struct ll_audit *a, const char *text)
{
	uint64_t serial;
	const char *body;
	if (!a->domain[0] || ll_audit_serial(text, &serial, &body) < 0)
		return;
	for (size_t i = 0; i < a->n; i++) {
		struct ll_denial *d = &a->d[i];
		if (d->pid != 0 || d->await != serial)
			continue;
		char pid[32], exe[LL_AUDIT_FIELD];
		if (!ll_audit_field(body, "pid", pid, sizeof(pid)))
			return;
		char *end;
		long v = strtol(pid, &end, 10);
		if (end == pid || *end || v <= 0)
			return;
		d->pid = v;
		if (ll_audit_field(body, "exe", exe, sizeof(exe)) && !d->exe)
			d->exe = strdup(exe); /* NULL when out of memory: the pid alone */
	}
}

void ll_audit_record(struct ll_audit *a, int type, const char *text)
{
	switch (type) {
	case LL_AUDIT_ACCESS:
		access_record(a, text);
		break;
	case LL_AUDIT_DOMAIN:
		domain_record(a, text);
		break;
	case LL_AUDIT_SYSCALL:
		syscall_record(a, text);
		break;
	default:
		break;
	}
}

void ll_audit_clear(struct ll_audit *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->d[i].blockers);
		free(a->d[i].object);
		free(a->d[i].exe);
	}
	a->n = 0;
	for (size_t i = 0; i < LL_AUDIT_PENDING; i++) {
		free(a->pending[i]);
		a->pending[i] = NULL;
	}
}

/* ---- the socket ---- */

/* Read every record waiting on the socket.  0, or -1 with errno on a
 * failure other than "nothing more now". */
static int drain(struct ll_audit *a)
{
	char buf[LL_AUDIT_MSG + 1];
	for (;;) {
		struct sockaddr_nl from;
		socklen_t fromlen = sizeof(from);
		ssize_t n = recvfrom(a->fd, buf, LL_AUDIT_MSG, MSG_DONTWAIT, (struct sockaddr *)&from, &fromlen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				a->lost = true; /* the kernel dropped records for this socket */
				continue;
			}
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		/* One record per datagram; only the kernel's count. */
		if ((size_t)n < NLMSG_HDRLEN || fromlen < sizeof(from) || from.nl_pid != 0)
			continue;
		const struct nlmsghdr *h = (const struct nlmsghdr *)(const void *)buf;
		size_t len = h->nlmsg_len < (size_t)n ? h->nlmsg_len : (size_t)n;
		if (len < NLMSG_HDRLEN)
			continue;
		buf[len] = '\0'; /* the text may not be terminated */
		ll_audit_record(a, h->nlmsg_type, buf + NLMSG_HDRLEN);
	}
}

static int on_records(cordon_ctx *ctx, void *state, int fd, short revents)
{
	(void)fd;
	struct ll_state *s = state;
	if (!s->audit || s->audit->fd < 0)
		return 1;
	if (revents & POLLERR)
		s->audit->lost = true;
	if (drain(s->audit) < 0) {
		cordon_warning(ctx, "audit: reading the kernel audit log failed: %s; landlock denials after this "
		                    "point are not reported", strerror(errno));
		return -1;
	}
	return 0;
}

/* Ask the kernel whether the audit subsystem is enabled: 1 or 0, or -1 with
 * errno (EPERM without CAP_AUDIT_CONTROL or outside the initial pid
 * namespace). */
static int audit_enabled(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (fd < 0)
		return -1;
	struct {
		struct nlmsghdr h;
		char pad[64];
	} req = { .h = { .nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = AUDIT_GET, .nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = 1 } };
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	union {
		struct nlmsghdr h;
		char b[1024];
	} rep;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, LL_AUDIT_GET_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			errno = r == 0 ? ETIMEDOUT : errno;
			return -1;
		}
		ssize_t n = recv(fd, &rep, sizeof(rep), MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < (ssize_t)NLMSG_HDRLEN) {
			int e = n < 0 ? errno : EPROTO;
			close(fd);
			errno = e;
			return -1;
		}
		if (rep.h.nlmsg_type == NLMSG_ERROR && (size_t)n >= NLMSG_HDRLEN + sizeof(struct nlmsgerr)) {
			const struct nlmsgerr *err = NLMSG_DATA(&rep.h);
			if (err->error == 0)
				continue; /* an acknowledgement */
			close(fd);
			errno = -err->error;
			return -1;
		}
		if (rep.h.nlmsg_type == AUDIT_GET && (size_t)n >= NLMSG_HDRLEN + 2 * sizeof(uint32_t)) {
			struct audit_status st;
			size_t have = (size_t)n - NLMSG_HDRLEN;
			memset(&st, 0, sizeof(st));
			memcpy(&st, NLMSG_DATA(&rep.h), have < sizeof(st) ? have : sizeof(st));
			close(fd);
			return st.enabled ? 1 : 0;
		}
	}
}

#define NOT_REPORTED "audit: landlock denials cannot be reported on this host: "

int ll_audit_prepare(cordon_ctx *ctx, struct ll_state *s)
{
	ll_audit_free(s); /* a run that never reached finish */
	s->restrict_flags = ll_log_flags(s->plan.abi, cordon_audit_mode(ctx) != 0);
	s->audit_comm[0] = '\0';
	if (!cordon_audit_mode(ctx))
		return 0;
	if (s->plan.abi < 7) {
		cordon_warning(ctx, NOT_REPORTED "this kernel's Landlock ABI %d cannot log denials (ABI 7, Linux 6.15); "
		                                 "the rules are enforced all the same", s->plan.abi);
		return 0;
	}
	if (!CORDON_API_HAS(ctx, launch_watch)) {
		cordon_warning(ctx, NOT_REPORTED "this cordon cannot watch a descriptor while the program runs");
		return 0;
	}
	int enabled = audit_enabled();
	int enabled_errno = errno;
	if (enabled == 0) {
		cordon_warning(ctx, NOT_REPORTED "the kernel audit subsystem is disabled (auditctl -e 1 enables it); "
		                                 "the rules are enforced all the same");
		return 0;
	}
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_AUDIT);
	if (fd < 0) {
		cordon_warning(ctx, NOT_REPORTED "socket(NETLINK_AUDIT): %s", strerror(errno));
		return 0;
	}
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1) };
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		if (e == EPERM)
			cordon_warning(ctx, NOT_REPORTED "reading the kernel audit log needs CAP_AUDIT_READ in the initial "
			                                 "user namespace, which cordon (uid %u) does not have; the denials "
			                                 "still reach the host's audit log if it is enabled",
			               (unsigned)geteuid());
		else
			cordon_warning(ctx, NOT_REPORTED "joining the audit log's multicast group: %s", strerror(e));
		return 0;
	}
	int size = LL_AUDIT_RCVBUF;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)); /* capped by rmem_max: still works */

	struct ll_audit *a = calloc(1, sizeof(*a));
	uint32_t token;
	if (!a || getrandom(&token, sizeof(token), 0) != (ssize_t)sizeof(token)) {
		int e = a ? errno : ENOMEM;
		free(a);
		close(fd);
		return cordon_error(ctx, NULL, "audit: %s", strerror(e));
	}
	a->fd = fd;
	snprintf(a->comm, sizeof(a->comm), "cordon-%08x", (unsigned)token);
	s->audit = a;
	if (cordon_api(ctx)->launch_watch(ctx, fd, on_records) < 0) {
		ll_audit_free(s);
		cordon_warning(ctx, NOT_REPORTED "the core could not watch the audit socket");
		return 0;
	}
	memcpy(s->audit_comm, a->comm, sizeof(s->audit_comm));
	if (enabled < 0)
		cordon_log(ctx, CORDON_LOG_DEBUG, "audit: cannot ask whether auditing is enabled (%s); the marker will tell",
		           strerror(enabled_errno));
	return 0;
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

void ll_audit_finish(cordon_ctx *ctx, struct ll_state *s)
{
	struct ll_audit *a = s->audit;
	if (!a)
		return;
	/* The kernel hands records to its audit thread, which passes them on:
	 * the last ones, and the domain's end (written once the program's
	 * whole process tree is gone), may come a little after the run. */
	double deadline = now_ms() + LL_AUDIT_WAIT_MS;
	bool failed = false;
	for (;;) {
		if (drain(a) < 0) {
			failed = true;
			break;
		}
		if (a->ended)
			break;
		double left = deadline - now_ms();
		if (left <= 0)
			break;
		struct pollfd p = { .fd = a->fd, .events = POLLIN };
		if (poll(&p, 1, (int)left + 1) < 0 && errno != EINTR) {
			failed = true;
			break;
		}
	}
	if (failed)
		cordon_warning(ctx, "audit: reading the kernel audit log failed: %s; landlock denials may be missing",
		               strerror(errno));

	for (size_t i = 0; i < a->n; i++) {
		const struct ll_denial *d = &a->d[i];
		char who[LL_AUDIT_FIELD + 64] = "";
		if (d->pid > 0)
			snprintf(who, sizeof(who), "%spid %ld%s%s", d->count > 1 ? "; first by " : "", d->pid,
			         d->exe ? " " : "", d->exe ? d->exe : "");
		if (d->count > 1)
			cordon_finding(ctx, "landlock-denied", CORDON_SEV_LOW, 0, 0, "%s denied: %s (%llu times%s)",
			               d->blockers, d->object, (unsigned long long)d->count, who);
		else
			cordon_finding(ctx, "landlock-denied", CORDON_SEV_LOW, 0, 0, "%s denied: %s%s%s%s", d->blockers,
			               d->object, who[0] ? " (" : "", who, who[0] ? ")" : "");
	}
	if (a->unlisted)
		cordon_finding(ctx, "landlock-denied", CORDON_SEV_LOW, 0, 0,
		               "%llu more denials of other accesses or objects (only the first %d are listed)",
		               (unsigned long long)a->unlisted, LL_AUDIT_MAX_DENIALS);
	if (!a->domain[0] || !a->marker)
		cordon_warning(ctx, "audit: no Landlock audit record of this run reached cordon (is the kernel audit "
		                    "subsystem enabled? `auditctl -s`); landlock denials, if any, are not reported");
	else if (a->ended && a->total > a->events + 1)
		cordon_warning(ctx, "audit: the kernel counted %llu Landlock denials in this run but logged %llu (audit "
		                    "rules, the audit backlog limit or lost records); the findings are incomplete",
		               (unsigned long long)(a->total - 1), (unsigned long long)a->events);
	else if (!a->ended)
		cordon_warning(ctx, "audit: the kernel had not reported the end of this run's Landlock domain %d ms "
		                    "after the run (a process outside the run may hold a descriptor the program "
		                    "opened); later denials are not reported", LL_AUDIT_WAIT_MS);
	if (a->lost)
		cordon_warning(ctx, "audit: the audit socket's buffer overflowed and records were dropped; the "
		                    "landlock findings are incomplete");
	ll_audit_free(s);
}

void ll_audit_free(struct ll_state *s)
{
	struct ll_audit *a = s->audit;
	if (!a)
		return;
	ll_audit_clear(a);
	if (a->fd >= 0)
		close(a->fd);
	free(a);
	s->audit = NULL;
	s->audit_comm[0] = '\0';
}
