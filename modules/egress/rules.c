/*
 * modules/egress/rules.c - the egress decision: host rules (exact names,
 * "*.suffix" wildcards, ":port"), address rules (addresses and CIDRs), the
 * special address classes refused unless listed.  Pure functions over a
 * parsed configuration; tests/unit_rules.c calls them without a network.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "egress.h"

int eg_norm_host(char *host)
{
	size_t n = strlen(host);
	if (n > 0 && host[n - 1] == '.')
		host[--n] = '\0';
	if (n == 0 || n > EG_HOST_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)host[i];
		if (isupper(ch))
			host[i] = (char)tolower(ch);
		else if (!(islower(ch) || isdigit(ch) || ch == '-' || ch == '_' || ch == '.'))
			return -1;
	}
	if (host[0] == '.' || strstr(host, ".."))
		return -1;
	return 0;
}

int eg_parse_addr(const char *text, struct eg_addr *out)
{
	char buf[64];
	size_t n = strlen(text);
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, text, n + 1);
	if (buf[0] == '[') {
		if (n < 3 || buf[n - 1] != ']')
			return -1;
		buf[n - 1] = '\0';
		memmove(buf, buf + 1, n - 1);
		memset(out, 0, sizeof(*out));
		out->family = AF_INET6;
		return inet_pton(AF_INET6, buf, out->a) == 1 ? 0 : -1;
	}
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, out->a) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, out->a) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	return -1;
}

/* Strict decimal port 1..65535; -1 otherwise. */
static int parse_port(const char *s)
{
	if (!*s || strlen(s) > 5)
		return -1;
	long v = 0;
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v >= 1 && v <= 65535 ? (int)v : -1;
}

const char *eg_parse_host_rule(const char *text, struct eg_host_rule *out)
{
	static const char expected[] =
		"a host name, '*.example.com' or '*', optionally followed by ':PORT' or ':*' "
		"(addresses and CIDRs go in allow_ips/deny_ips)";
	memset(out, 0, sizeof(*out));
	out->port = -1;
	char buf[EG_HOST_MAX + 16];
	size_t n = strlen(text);
	if (n == 0 || n >= sizeof(buf))
		return expected;
	memcpy(buf, text, n + 1);
	char *colon = strchr(buf, ':');
	if (colon) {
		*colon = '\0';
		if (strcmp(colon + 1, "*") == 0)
			out->port = 0;
		else if ((out->port = parse_port(colon + 1)) < 0)
			return "a port 1..65535 or '*' after ':'";
	}
	struct eg_addr a;
	if (eg_parse_addr(buf, &a) == 0)
		return "a host name, not an address: addresses and CIDRs go in allow_ips/deny_ips";
	char *name = buf;
	if (strcmp(name, "*") == 0) {
		out->name = NULL;
	} else {
		if (name[0] == '*') {
			if (name[1] != '.')
				return expected;
			out->wildcard = 1;
			name += 2;
		}
		if (strchr(name, '*') || eg_norm_host(name) < 0)
			return expected;
		if (out->wildcard) {
			/* keep the leading dot: "*.x" matches "a.x", never "ax" */
			name -= 1;
			name[0] = '.';
		}
		if (!(out->name = strdup(name)))
			return "memory";
	}
	if (!(out->text = strdup(text))) {
		free(out->name);
		out->name = NULL;
		return "memory";
	}
	return NULL;
}

const char *eg_parse_ip_rule(const char *text, struct eg_ip_rule *out)
{
	memset(out, 0, sizeof(*out));
	char buf[64];
	size_t n = strlen(text);
	if (n == 0 || n >= sizeof(buf))
		return "an address or a CIDR (10.0.0.0/8, 192.0.2.7, fd00::/8)";
	memcpy(buf, text, n + 1);
	char *slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (eg_parse_addr(buf, &out->addr) < 0)
		return "an address or a CIDR (10.0.0.0/8, 192.0.2.7, fd00::/8)";
	int max = out->addr.family == AF_INET ? 32 : 128;
	out->prefix = max;
	if (slash) {
		const char *p = slash + 1;
		if (!*p || strlen(p) > 3)
			return "a prefix length after '/'";
		int v = 0;
		for (; *p; p++) {
			if (!isdigit((unsigned char)*p))
				return "a prefix length after '/'";
			v = v * 10 + (*p - '0');
		}
		if (v > max)
			return out->addr.family == AF_INET ? "a prefix length of 0..32" : "a prefix length of 0..128";
		out->prefix = v;
	}
	if (!(out->text = strdup(text)))
		return "memory";
	return NULL;
}

static int prefix_match(const unsigned char *a, const unsigned char *net, int prefix)
{
	int full = prefix / 8, rest = prefix % 8;
	if (memcmp(a, net, (size_t)full) != 0)
		return 0;
	if (rest) {
		unsigned char mask = (unsigned char)(0xffu << (8 - rest));
		if ((a[full] & mask) != (net[full] & mask))
			return 0;
	}
	return 1;
}

/* An IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) address is
 * judged as the IPv4 address it carries. */
static struct eg_addr unmap(const struct eg_addr *a)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct eg_addr v = *a;
	if (a->family == AF_INET6 && (memcmp(a->a, mapped, 12) == 0 || memcmp(a->a, nat64, 12) == 0)) {
		memset(&v, 0, sizeof(v));
		v.family = AF_INET;
		memcpy(v.a, a->a + 12, 4);
	}
	return v;
}

static int ip_rule_match(const struct eg_ip_rule *r, const struct eg_addr *a0)
{
	struct eg_addr a = unmap(a0), n = unmap(&r->addr);
	int prefix = r->prefix;
	if (n.family != r->addr.family)
		prefix -= 96; /* a rule written as ::ffff:10.0.0.0/104 */
	if (a.family != n.family || prefix < 0)
		return 0;
	return prefix_match(a.a, n.a, prefix);
}

const char *eg_special(const struct eg_addr *a0)
{
	static const struct {
		int family;
		unsigned char net[16];
		int prefix;
		const char *what;
	} classes[] = {
		{ AF_INET, { 0 }, 8, "an unspecified (0.0.0.0/8) address" },
		{ AF_INET, { 10 }, 8, "a private (10.0.0.0/8) address" },
		{ AF_INET, { 100, 64 }, 10, "a carrier-grade NAT (100.64.0.0/10) address" },
		{ AF_INET, { 127 }, 8, "a loopback address" },
		{ AF_INET, { 169, 254 }, 16, "a link-local address (where cloud metadata services live)" },
		{ AF_INET, { 172, 16 }, 12, "a private (172.16.0.0/12) address" },
		{ AF_INET, { 192, 0, 0 }, 24, "an IETF protocol assignment (192.0.0.0/24) address" },
		{ AF_INET, { 192, 168 }, 16, "a private (192.168.0.0/16) address" },
		{ AF_INET, { 198, 18 }, 15, "a benchmarking (198.18.0.0/15) address" },
		{ AF_INET, { 224 }, 4, "a multicast address" },
		{ AF_INET, { 240 }, 4, "a reserved or broadcast address" },
		{ AF_INET6, { 0 }, 128, "the unspecified address" },
		{ AF_INET6, { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 128, "the loopback address" },
		{ AF_INET6, { 0xfc }, 7, "a unique local (fc00::/7) address (cloud metadata lives here too)" },
		{ AF_INET6, { 0xfe, 0x80 }, 10, "a link-local address" },
		{ AF_INET6, { 0xfe, 0xc0 }, 10, "a site-local address" },
		{ AF_INET6, { 0xff }, 8, "a multicast address" },
		{ AF_INET6, { 0x01, 0x00 }, 64, "a discard-only (100::/64) address" },
	};
	struct eg_addr a = unmap(a0);
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (classes[i].family == a.family && prefix_match(a.a, classes[i].net, classes[i].prefix))
			return classes[i].what;
	return NULL;
}

void eg_addr_str(const struct eg_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family, a->a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

static int host_rule_match(const struct eg_host_rule *r, const char *host, int port, int is_deny)
{
	if (r->port > 0 && r->port != port)
		return 0;
	if (r->port < 0 && !is_deny && port != 80 && port != 443)
		return 0;
	if (!r->name)
		return 1;
	if (!r->wildcard)
		return strcmp(r->name, host) == 0;
	size_t hn = strlen(host), sn = strlen(r->name);
	return hn > sn && strcmp(host + hn - sn, r->name) == 0;
}

enum eg_verdict eg_decide_name(const struct eg_conf *c, const char *host, int port, const char **rule,
                               char *why, size_t whylen)
{
	for (size_t i = 0; i < c->n_deny; i++)
		if (host_rule_match(&c->deny[i], host, port, 1)) {
			*rule = c->deny[i].text;
			snprintf(why, whylen, "network: %s:%d is denied by this policy's deny rule '%s'", host, port,
			         c->deny[i].text);
			return EG_DENY;
		}
	for (size_t i = 0; i < c->n_allow; i++)
		if (host_rule_match(&c->allow[i], host, port, 0)) {
			*rule = c->allow[i].text;
			return EG_ALLOW;
		}
	*rule = NULL;
	int name_listed = 0;
	for (size_t i = 0; i < c->n_allow; i++) {
		struct eg_host_rule any = c->allow[i];
		any.port = 0;
		if (host_rule_match(&any, host, port, 0))
			name_listed = 1;
	}
	if (name_listed)
		snprintf(why, whylen,
		         "network: port %d of %s is not in this policy's allow list (a rule without ':PORT' allows 80 "
		         "and 443)",
		         port, host);
	else
		snprintf(why, whylen, "network: %s is not in this policy's allow list", host);
	return EG_DENY;
}

enum eg_verdict eg_decide_addr(const struct eg_conf *c, const char *host, const struct eg_addr *a,
                               const char **rule, char *why, size_t whylen)
{
	char as[INET6_ADDRSTRLEN];
	eg_addr_str(a, as, sizeof(as));
	for (size_t i = 0; i < c->n_deny_ip; i++)
		if (ip_rule_match(&c->deny_ip[i], a)) {
			*rule = c->deny_ip[i].text;
			if (host)
				snprintf(why, whylen, "network: %s resolves to %s, denied by this policy's deny_ips rule '%s'",
				         host, as, c->deny_ip[i].text);
			else
				snprintf(why, whylen, "network: %s is denied by this policy's deny_ips rule '%s'", as,
				         c->deny_ip[i].text);
			return EG_DENY;
		}
	for (size_t i = 0; i < c->n_allow_ip; i++)
		if (ip_rule_match(&c->allow_ip[i], a)) {
			*rule = c->allow_ip[i].text;
			return EG_ALLOW;
		}
	*rule = NULL;
	const char *sp = eg_special(a);
	if (!host) {
		/* A literal: only what allow_ips lists. */
		if (sp)
			snprintf(why, whylen, "network: %s is %s and not in this policy's allow_ips", as, sp);
		else
			snprintf(why, whylen, "network: %s is an address not in this policy's allow_ips", as);
		return EG_DENY;
	}
	if (sp) {
		snprintf(why, whylen,
		         "network: %s resolves to %s, %s, which this policy does not list in allow_ips", host, as, sp);
		return EG_DENY;
	}
	return EG_ALLOW;
}

const struct eg_pin *eg_pin_find(const struct eg_conf *c, const char *host)
{
	for (size_t i = 0; i < c->n_pins; i++)
		if (strcmp(c->pins[i].name, host) == 0)
			return &c->pins[i];
	return NULL;
}

void eg_conf_free(struct eg_conf *c)
{
	for (size_t i = 0; i < c->n_allow; i++) {
		free(c->allow[i].text);
		free(c->allow[i].name);
	}
	for (size_t i = 0; i < c->n_deny; i++) {
		free(c->deny[i].text);
		free(c->deny[i].name);
	}
	for (size_t i = 0; i < c->n_allow_ip; i++)
		free(c->allow_ip[i].text);
	for (size_t i = 0; i < c->n_deny_ip; i++)
		free(c->deny_ip[i].text);
	for (size_t i = 0; i < c->n_pins; i++)
		free(c->pins[i].name);
	free(c->allow);
	free(c->deny);
	free(c->allow_ip);
	free(c->deny_ip);
	free(c->pins);
	memset(c, 0, sizeof(*c));
}
