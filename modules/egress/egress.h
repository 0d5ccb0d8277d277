/*
 * modules/egress/egress.h - what egress.c (the module), rules.c (the
 * decision, pure) and proxy.c (the proxy in the supervisor's loop) share.
 */
#ifndef CORDON_EGRESS_H
#define CORDON_EGRESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cordon/module.h>

#define EG_HOST_MAX 253 /* a DNS name's longest text form */
#define EG_ADDRS_MAX 8 /* addresses tried per name */
#define EG_HEAD_MAX 8192 /* a request's line and headers */
#define EG_REASON_MAX 768

/* An IPv4 (in a[0..3]) or IPv6 address. */
struct eg_addr {
	int family; /* AF_INET or AF_INET6 */
	unsigned char a[16];
};

/* A host rule: "name", "*.suffix" or "*", optionally ":port" or ":*". */
struct eg_host_rule {
	char *text; /* as written, for reasons */
	char *name; /* lowercased; for "*.x" the ".x" suffix; NULL for "*" */
	int wildcard; /* "*.x" */
	int port; /* >0 that port; 0 any; -1 not written (allow: 80 and 443; deny: any) */
};

/* An address rule: an address or a CIDR. */
struct eg_ip_rule {
	char *text;
	struct eg_addr addr;
	int prefix;
};

/* A pinned name (`resolve:`): looked up here only, never in DNS. */
struct eg_pin {
	char *name;
	struct eg_addr addr[EG_ADDRS_MAX];
	int n;
};

struct eg_conf {
	struct eg_host_rule *allow, *deny;
	size_t n_allow, n_deny;
	struct eg_ip_rule *allow_ip, *deny_ip;
	size_t n_allow_ip, n_deny_ip;
	struct eg_pin *pins;
	size_t n_pins;
	int none; /* network: none (a per-call --no-network): every connection refused */
	int dns; /* names not pinned go to the system resolver */
	int port; /* the listener's port on the sandbox's 127.0.0.1 */
	int set_env; /* HTTP_PROXY and friends in the child's environment */
	unsigned max_conn; /* concurrent connections */
	uint64_t max_bytes; /* both ways, the whole run; CORDON_UNLIMITED */
	size_t bufsize; /* per direction per connection */
	unsigned max_records; /* connections reported one by one */
	uint64_t idle_ns, header_ns, connect_ns, dns_ns;
};

/* --- rules.c (pure: no I/O, unit-tested) --- */

enum eg_verdict { EG_ALLOW = 0, EG_DENY = 1 };

/* Parse one host rule / address rule; NULL on success, else what was
 * expected (a static string). */
const char *eg_parse_host_rule(const char *text, struct eg_host_rule *out);
const char *eg_parse_ip_rule(const char *text, struct eg_ip_rule *out);
/* An address literal: "1.2.3.4", "::1", "[::1]"; 0 or -1. */
int eg_parse_addr(const char *text, struct eg_addr *out);
/* Normalise a host name in place (lowercase, one trailing dot dropped);
 * 0, or -1 when it is not a host name (letters, digits, '-', '_', '.'). */
int eg_norm_host(char *host);

/* The decision on a name (not an address literal) and port: deny rules
 * first, then allow rules.  *rule is the rule that decided (NULL: none
 * matched, denied); why gets a sentence a model can read when denied. */
enum eg_verdict eg_decide_name(const struct eg_conf *c, const char *host, int port, const char **rule,
                               char *why, size_t whylen);
/* The decision on one address (a literal, or what a name resolved to):
 * deny_ips first, then allow_ips; an address not listed is allowed unless
 * it is special (private, loopback, link-local, ...).  host is the name
 * it came from (NULL for a literal), for the sentence. */
enum eg_verdict eg_decide_addr(const struct eg_conf *c, const char *host, const struct eg_addr *a,
                               const char **rule, char *why, size_t whylen);
/* NULL for an ordinary public address, else what it is ("loopback"). */
const char *eg_special(const struct eg_addr *a);
void eg_addr_str(const struct eg_addr *a, char *buf, size_t len);
const struct eg_pin *eg_pin_find(const struct eg_conf *c, const char *host);
void eg_conf_free(struct eg_conf *c);

/* --- proxy.c --- */

struct eg_proxy;
/* A proxy for one run: returns NULL on allocation failure.  pass_fd is
 * the supervisor's end of the channel the listener arrives on (owned from
 * here on); the returned proxy's epoll descriptor is eg_proxy_fd. */
struct eg_proxy *eg_proxy_new(const struct eg_conf *c, int audit, int pass_fd, char *err, size_t errlen);
int eg_proxy_fd(const struct eg_proxy *p);
/* The watch callback's work: handle what is ready; 0 to keep watching. */
int eg_proxy_step(struct eg_proxy *p, cordon_ctx *ctx);
/* The run is over: close every connection (reporting each), end the
 * resolvers, add the summary finding, free everything. */
void eg_proxy_end(struct eg_proxy *p, cordon_ctx *ctx);

#endif
