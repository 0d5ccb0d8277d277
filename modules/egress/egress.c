/*
 * modules/egress/egress.c - network egress through a proxy in the
 * supervisor.  The sandbox's network namespace (the namespaces module's,
 * network: none; under bwrap one this module makes in the child and
 * bubblewrap keeps) holds only lo; this module puts a listener on the
 * sandbox's 127.0.0.1:PORT and serves it from the supervisor's poll loop,
 * which connects out from the host's network namespace by host name, after
 * the policy's allow and deny lists (README.md).
 *
 *   with:
 *     network: proxy                     or none: every connection refused (what
 *                                        `cordon run --no-network` sets)
 *     allow: [pypi.org, "*.pythonhosted.org", "api.example.com:8443"]
 *     deny: ["*.evil.example"]          deny wins over allow
 *     allow_ips: [203.0.113.7, 10.1.0.0/16]   addresses a client may name, and
 *                                        special addresses a name may resolve to
 *     deny_ips: [203.0.113.0/24]
 *     resolve: {pypi.org: 151.101.0.223}   pinned names, never looked up
 *     dns: true                          other names through the system resolver
 *     port: 3128                         the listener inside the sandbox
 *     env: true                          HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY
 *     max_connections: 32  max_bytes: 1G  buffer: 64K  records: 200
 *     idle_timeout: 60s  header_timeout: 10s  connect_timeout: 10s  dns_timeout: 5s
 *
 * Run flow:
 *   prepare   a socketpair: one end passed to the child, the other (with
 *             the proxy's epoll descriptor) watched by the supervisor;
 *             the proxy variables set in the child's environment.
 *   confine   (the program's process, inside the sandbox's network
 *             namespace, after namespaces' hook) refuse the host's network
 *             namespace; socket, bind 127.0.0.1:PORT, listen; the listener
 *             sent to the supervisor (SCM_RIGHTS) and closed here.
 *   watch     proxy.c: accept, parse, decide, resolve, connect, relay.
 *   finish    every connection closed and reported as a finding.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "egress.h"
#include <cordon/modutil.h>

#define DAY_NS 86400000000000ll

/* The arguments as the core fills them (ABI 1.4 config table).  The
 * timeouts are bounded, so never "unlimited". */
struct config {
	int network; /* 0 proxy, 1 none */
	const char *const *allow, *const *deny, *const *allow_ips, *const *deny_ips; /* NULL when absent */
	const cordon_node *resolve;
	int dns, env;
	int64_t port, max_connections, records;
	uint64_t max_bytes, buffer;
	uint64_t idle_timeout, header_timeout, connect_timeout, dns_timeout;
};

static const char *const networks[] = { "proxy", "none", NULL };

#define ARG(member, type, min, max, def, help)                                                                  \
	CORDON_CONFIG(struct config, member, #member, CORDON_ARG_##type, 0, min, max, def, help)
static const struct cordon_config_arg config[] = {
	CORDON_CONFIG_ENUM(struct config, network, "network", networks, "proxy",
	                   "proxy, or none: every connection refused (--no-network)"),
	ARG(allow, STRINGS, 0, 0, NULL, "host names the sandbox may reach: name, *.suffix or *, with :PORT or :*"),
	ARG(deny, STRINGS, 0, 0, NULL, "host names refused even when allowed (same forms)"),
	ARG(allow_ips, STRINGS, 0, 0, NULL, "addresses and CIDRs that may be reached (literals and resolved)"),
	ARG(deny_ips, STRINGS, 0, 0, NULL, "addresses and CIDRs never reached"),
	ARG(resolve, MAPPING, 0, 0, NULL, "name: address (or a list): pinned names, never looked up"),
	ARG(dns, BOOL, 0, 0, "true", "look up names not pinned with the system resolver"),
	ARG(port, INT, 1024, 65535, "3128", "the proxy's port on the sandbox's 127.0.0.1, unprivileged"),
	ARG(env, BOOL, 0, 0, "true", "set HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY"),
	ARG(max_connections, INT, 1, 1024, "32", "connections open at once"),
	ARG(max_bytes, SIZE, 0, 0, "1G", "bytes both ways over the whole run"),
	ARG(buffer, SIZE, 16384, 4 << 20, "64K", "buffer per direction per connection"),
	ARG(records, INT, 0, 100000, "200", "connections reported one by one (then counted)"),
	ARG(idle_timeout, DURATION, 1000000, DAY_NS, "60s", "close a connection idle this long"),
	ARG(header_timeout, DURATION, 1000000, DAY_NS, "10s", "a request's head must arrive within"),
	ARG(connect_timeout, DURATION, 1000000, DAY_NS, "10s", "connecting out"),
	ARG(dns_timeout, DURATION, 1000000, DAY_NS, "5s", "one name lookup"),
	CORDON_CONFIG_END,
};
#undef ARG

struct eg_state {
	struct eg_conf conf;
	dev_t host_net_dev; /* the supervisor's network namespace, set at prepare */
	ino_t host_net_ino;
	int child_fd; /* the passed end's number in the child, set at prepare */
	int own_netns; /* under bwrap: the child makes the network namespace */
	struct eg_proxy *run; /* this run's proxy, prepare to finish */
};

/* A STRINGS argument (vals, as the core filled it from name); visit(text,
 * node) for each, the node being the item's (n itself for one scalar). */
static int each_string(cordon_ctx *ctx, const char *name, const char *const *vals,
                       int (*visit)(cordon_ctx *, struct eg_conf *, const cordon_node *, const char *),
                       struct eg_conf *c)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	const cordon_node *n = cordon_arg(ctx, name);
	for (size_t i = 0; vals && vals[i]; i++)
		if (visit(ctx, c, api->node_type(n) == CORDON_NODE_SCALAR ? n : api->node_at(n, i), vals[i]) < 0)
			return -1;
	return 0;
}

static int grow(void **v, size_t n, size_t elem)
{
	void *nv = realloc(*v, (n + 1) * elem);
	if (!nv)
		return -1;
	*v = nv;
	return 0;
}

static int add_host_rule(cordon_ctx *ctx, const cordon_node *n, const char *text, struct eg_host_rule **v,
                         size_t *nv)
{
	struct eg_host_rule r;
	const char *bad = eg_parse_host_rule(text ? text : "", &r);
	if (bad)
		return cordon_error(ctx, n, "expected %s, found '%s'", bad, text ? text : "");
	if (grow((void **)v, *nv, sizeof(r)) < 0) {
		free(r.text);
		free(r.name);
		return cordon_error(ctx, n, "out of memory");
	}
	(*v)[(*nv)++] = r;
	return 0;
}

static int visit_allow(cordon_ctx *ctx, struct eg_conf *c, const cordon_node *n, const char *t)
{
	return add_host_rule(ctx, n, t, &c->allow, &c->n_allow);
}

static int visit_deny(cordon_ctx *ctx, struct eg_conf *c, const cordon_node *n, const char *t)
{
	return add_host_rule(ctx, n, t, &c->deny, &c->n_deny);
}

static int add_ip_rule(cordon_ctx *ctx, const cordon_node *n, const char *text, struct eg_ip_rule **v, size_t *nv)
{
	struct eg_ip_rule r;
	const char *bad = eg_parse_ip_rule(text ? text : "", &r);
	if (bad)
		return cordon_error(ctx, n, "expected %s, found '%s'", bad, text ? text : "");
	if (grow((void **)v, *nv, sizeof(r)) < 0) {
		free(r.text);
		return cordon_error(ctx, n, "out of memory");
	}
	(*v)[(*nv)++] = r;
	return 0;
}

static int visit_allow_ip(cordon_ctx *ctx, struct eg_conf *c, const cordon_node *n, const char *t)
{
	return add_ip_rule(ctx, n, t, &c->allow_ip, &c->n_allow_ip);
}

static int visit_deny_ip(cordon_ctx *ctx, struct eg_conf *c, const cordon_node *n, const char *t)
{
	return add_ip_rule(ctx, n, t, &c->deny_ip, &c->n_deny_ip);
}

static int pin_addr(cordon_ctx *ctx, struct eg_pin *p, const cordon_node *n)
{
	const char *t = cordon_api(ctx)->node_scalar(n, NULL);
	if (!t)
		return cordon_error(ctx, n, "expected an address (192.0.2.7 or 2001:db8::7)");
	if (p->n >= EG_ADDRS_MAX)
		return cordon_error(ctx, n, "at most %d addresses per pinned name", EG_ADDRS_MAX);
	if (eg_parse_addr(t, &p->addr[p->n]) < 0)
		return cordon_error(ctx, n, "expected an address (192.0.2.7 or 2001:db8::7), found '%s'", t);
	p->n++;
	return 0;
}

static int parse_resolve(cordon_ctx *ctx, struct eg_conf *c, const cordon_node *m)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	if (!m)
		return 0;
	size_t n = api->node_len(m);
	if (n && !(c->pins = calloc(n, sizeof(*c->pins))))
		return cordon_error(ctx, m, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const cordon_node *k = api->node_key_at(m, i), *v = api->node_value_at(m, i);
		const char *name = api->node_scalar(k, NULL);
		struct eg_pin *p = &c->pins[c->n_pins];
		if (!name || !(p->name = strdup(name)))
			return cordon_error(ctx, k, "expected a host name");
		c->n_pins++;
		struct eg_addr dummy;
		if (eg_norm_host(p->name) < 0 || eg_parse_addr(p->name, &dummy) == 0)
			return cordon_error(ctx, k, "expected a host name to pin, found '%s'", name);
		for (size_t j = 0; j + 1 < c->n_pins; j++)
			if (strcmp(c->pins[j].name, p->name) == 0)
				return cordon_error(ctx, k, "'%s' is pinned twice", name);
		if (api->node_type(v) == CORDON_NODE_SEQUENCE) {
			if (api->node_len(v) == 0)
				return cordon_error(ctx, v, "expected at least one address for '%s'", name);
			for (size_t j = 0; j < api->node_len(v); j++)
				if (pin_addr(ctx, p, api->node_at(v, j)) < 0)
					return -1;
		} else if (pin_addr(ctx, p, v) < 0) {
			return -1;
		}
	}
	return 0;
}

static int eg_open(cordon_ctx *ctx, void **statep)
{
	const struct config *a = cordon_config(ctx);
	struct eg_state *s = calloc(1, sizeof(*s));
	if (!s)
		return cordon_error(ctx, NULL, "out of memory");
	*statep = s;
	s->child_fd = -1;
	struct eg_conf *c = &s->conf;
	if (!a)
		return cordon_error(ctx, NULL, "this cordon core does not fill config tables (ABI 1.4 needed)");

	/* The stack this works in: an isolation backend before this entry
	 * that the proxy can be the only way out of.  Under the namespaces
	 * module the program's network namespace is that module's (network:
	 * none); under bubblewrap this module makes it in the child, before
	 * bubblewrap runs, and bubblewrap keeps it (--share-net).  Landlock
	 * cannot: it restricts TCP by port alone, not by address, and not
	 * UDP, so the program would still reach any host. */
	if (cordon_api(ctx)->get_data(ctx, CORDON_DATA_BWRAP_WRAPPER, NULL)) {
		/* bwrap shares the namespace this module makes (--share-net):
		 * a failure here that `optional` skipped would leave the program
		 * the host's network. */
		if (!CORDON_API_HAS(ctx, entry_optional) || cordon_api(ctx)->entry_optional(ctx))
			return cordon_error(ctx, NULL,
			                    "egress under bwrap cannot be control: optional: bwrap shares the network "
			                    "namespace egress makes, so a skipped failure would give the program the host's "
			                    "network");
		s->own_netns = 1;
		if (cordon_api(ctx)->set_data(ctx, CORDON_DATA_EGRESS_NETNS, "own", 3) < 0)
			return cordon_error(ctx, NULL, "out of memory");
	} else if (!cordon_api(ctx)->get_data(ctx, CORDON_DATA_NAMESPACES_VIEW, NULL)) {
		return cordon_error(ctx, NULL,
		                    "egress needs the namespaces module (with network: none) or bwrap earlier in the "
		                    "stack: the proxy must be the sandbox's only way out (landlock cannot make it so: it "
		                    "filters TCP by port only, and not UDP)");
	}
	if (!CORDON_API_HAS(ctx, launch_watch) || !CORDON_API_HAS(ctx, launch_pass_fd))
		return cordon_error(ctx, NULL, "egress needs a core of ABI 1.1 or later (launch_watch)");

	c->none = a->network == 1;
	if (each_string(ctx, "allow", a->allow, visit_allow, c) < 0 ||
	    each_string(ctx, "deny", a->deny, visit_deny, c) < 0 ||
	    each_string(ctx, "allow_ips", a->allow_ips, visit_allow_ip, c) < 0 ||
	    each_string(ctx, "deny_ips", a->deny_ips, visit_deny_ip, c) < 0 || parse_resolve(ctx, c, a->resolve) < 0)
		return -1;
	c->dns = a->dns;
	c->set_env = a->env;
	c->port = (int)a->port;
	c->max_conn = (unsigned)a->max_connections;
	c->max_records = (unsigned)a->records;
	c->max_bytes = a->max_bytes;
	c->bufsize = (size_t)a->buffer;
	c->idle_ns = a->idle_timeout;
	c->header_ns = a->header_timeout;
	c->connect_ns = a->connect_timeout;
	c->dns_ns = a->dns_timeout;
	if (c->n_allow == 0 && c->n_allow_ip == 0 && !c->none)
		cordon_log(ctx, CORDON_LOG_INFO, "no allow or allow_ips: every connection is refused (and reported)");
	return 0;
}

static int on_proxy(cordon_ctx *ctx, void *state, int fd, short revents)
{
	(void)fd;
	(void)revents;
	struct eg_state *s = state;
	if (!s->run)
		return 1;
	return eg_proxy_step(s->run, ctx);
}

static int eg_prepare(cordon_ctx *ctx, void *state)
{
	struct eg_state *s = state;
	const struct cordon_core_api *api = cordon_api(ctx);
	if (s->run) { /* a run that ended before its finish hook */
		eg_proxy_end(s->run, NULL);
		s->run = NULL;
	}
	struct stat st;
	if (stat("/proc/self/ns/net", &st) < 0) {
		cordon_warning(ctx, "egress: stat /proc/self/ns/net: %s", strerror(errno));
		return -1;
	}
	s->host_net_dev = st.st_dev;
	s->host_net_ino = st.st_ino;
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		cordon_warning(ctx, "egress: socketpair: %s", strerror(errno));
		return -1;
	}
	char err[200] = "";
	s->run = eg_proxy_new(&s->conf, cordon_audit_mode(ctx), sv[0], err, sizeof(err));
	if (!s->run) {
		close(sv[1]);
		cordon_warning(ctx, "egress: %s", err);
		return -1;
	}
	if ((s->child_fd = api->launch_pass_fd(ctx, sv[1])) < 0) {
		cordon_warning(ctx, "egress: cannot pass the listener's channel to the child");
		return -1;
	}
	if (api->launch_watch(ctx, eg_proxy_fd(s->run), on_proxy) < 0) {
		cordon_warning(ctx, "egress: cannot watch the proxy's descriptor");
		return -1;
	}
	if (s->conf.set_env) {
		char url[64];
		snprintf(url, sizeof(url), "http://127.0.0.1:%d", s->conf.port);
		static const char *const proxy_vars[] = { "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
		                                          "http_proxy", "https_proxy", "all_proxy" };
		for (size_t i = 0; i < sizeof(proxy_vars) / sizeof(proxy_vars[0]); i++)
			if (api->launch_setenv(ctx, proxy_vars[i], url) < 0)
				return -1;
		if (api->launch_setenv(ctx, "NO_PROXY", "localhost,127.0.0.1,::1") < 0 ||
		    api->launch_setenv(ctx, "no_proxy", "localhost,127.0.0.1,::1") < 0)
			return -1;
	}
	return 0;
}

/* In the program's process, inside the sandbox's namespaces: the listener,
 * sent to the supervisor.  Async-signal-safe only. */
/* Under bubblewrap (run after bwrap's hook, so as the ids bwrap runs as):
 * a user namespace mapping only those ids and a network namespace in it,
 * with lo up and nothing else; bubblewrap then keeps this network
 * namespace for the program (--share-net) and makes its own user
 * namespace inside this one. */
static int own_netns(const char **step)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
		*step = "egress: unshare(CLONE_NEWUSER|CLONE_NEWNET) (the sandbox's network namespace, under bwrap)";
		return errno;
	}
	/* As root, bwrap's hook changed this process's ids, which made it
	 * non-dumpable and its /proc/self files root's: it could not write
	 * its own maps.  It is about to execute bubblewrap as those ids (and
	 * bubblewrap, not set-user-ID, is dumpable again), so nothing is
	 * given away. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0) {
		*step = "egress: prctl(PR_SET_DUMPABLE)";
		return errno;
	}
	int e;
	if ((e = cordon_write_file("/proc/self/setgroups", "deny", 4)) ||
	    (e = cordon_write_id_map("/proc/self/uid_map", (unsigned)uid, (unsigned)uid)) ||
	    (e = cordon_write_id_map("/proc/self/gid_map", (unsigned)gid, (unsigned)gid))) {
		*step = "egress: writing the network namespace's user namespace maps";
		return e;
	}
	/* Not dumpable again, as before bwrap's hook made it so; executing
	 * bubblewrap sets it anew. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		*step = "egress: prctl(PR_SET_DUMPABLE, 0)";
		return errno;
	}
	if ((e = cordon_loopback_up())) {
		*step = "egress: bringing lo up in the sandbox's network namespace";
		return e;
	}
	return 0;
}

static int eg_confine(void *state, const struct cordon_child *child, const char **step)
{
	(void)child;
	const struct eg_state *s = state;
	if (s->own_netns) {
		int e = own_netns(step);
		if (e)
			return e;
	}
	struct stat st;
	if (stat("/proc/self/ns/net", &st) < 0) {
		*step = "egress: stat /proc/self/ns/net (is the sandbox's /proc mounted?)";
		return errno;
	}
	if (st.st_dev == s->host_net_dev && st.st_ino == s->host_net_ino) {
		*step = "egress: the program runs in the host's network namespace, where the proxy would not be "
		        "its only way out (namespaces must keep network: none)";
		return EPERM;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*step = "egress: socket (the proxy's listener)";
		return errno;
	}
	int one = 1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)s->conf.port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		*step = "egress: bind 127.0.0.1:PORT in the sandbox (the port is taken?)";
		return errno;
	}
	if (listen(fd, 128) < 0) {
		*step = "egress: listen";
		return errno;
	}
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	char tag = 'L';
	struct iovec iov = { .iov_base = &tag, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	ssize_t w;
	while ((w = sendmsg(s->child_fd, &mh, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	if (w != 1) {
		*step = "egress: sendmsg (the listener to the supervisor)";
		return w < 0 ? errno : EIO;
	}
	close(fd);
	close(s->child_fd);
	return 0;
}

static int eg_finish(cordon_ctx *ctx, void *state, const struct cordon_run_info *info)
{
	(void)info;
	struct eg_state *s = state;
	if (s->run) {
		eg_proxy_end(s->run, ctx);
		s->run = NULL;
	}
	return 0;
}

static void eg_close(void *state)
{
	struct eg_state *s = state;
	if (!s)
		return;
	if (s->run)
		eg_proxy_end(s->run, NULL);
	eg_conf_free(&s->conf);
	free(s);
}

/* What `cordon selftest` probes (ABI 1.5): the program runs in a network
 * namespace of its own with loopback only (the confine hook refuses the
 * host's), so nothing of the host's network is reached but through the
 * proxy. */
static int eg_requirements(cordon_ctx *ctx, void *state)
{
	(void)state;
	if (cordon_require(ctx, CORDON_PROP_NET_LOOPBACK_ONLY, NULL) < 0 ||
	    cordon_require(ctx, CORDON_PROP_NET_HOST_TCP, NULL) < 0 ||
	    cordon_require(ctx, CORDON_PROP_NET_HOST_UNIX, NULL) < 0)
		return -1;
	return 0;
}

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_module),
	.name = "egress",
	.description = "network egress only through a proxy in the supervisor: host allow/deny lists, every "
	               "connection reported",
	.flags = 0,
	.config = config,
	.config_size = sizeof(struct config),
	.open = eg_open,
	.prepare = eg_prepare,
	.confine = eg_confine,
	.finish = eg_finish,
	.close = eg_close,
	.requirements = eg_requirements,
};
