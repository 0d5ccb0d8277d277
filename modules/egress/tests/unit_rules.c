/*
 * modules/egress/tests/unit_rules.c - the egress decision without a
 * network: rule parsing (good and bad forms), name matching (exact,
 * wildcards, ports, deny first), address rules (CIDRs, v4-mapped v6), the
 * special address classes, and the sentences a model reads.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "egress.h"
#include "tap.h"

static struct eg_conf conf;

static void add_host(struct eg_host_rule **v, size_t *n, const char *text)
{
	struct eg_host_rule r;
	const char *bad = eg_parse_host_rule(text, &r);
	if (bad)
		bail("rule '%s': %s", text, bad);
	*v = realloc(*v, (*n + 1) * sizeof(r));
	if (!*v)
		bail("memory");
	(*v)[(*n)++] = r;
}

static void add_ip(struct eg_ip_rule **v, size_t *n, const char *text)
{
	struct eg_ip_rule r;
	const char *bad = eg_parse_ip_rule(text, &r);
	if (bad)
		bail("rule '%s': %s", text, bad);
	*v = realloc(*v, (*n + 1) * sizeof(r));
	if (!*v)
		bail("memory");
	(*v)[(*n)++] = r;
}

static char why[EG_REASON_MAX];
static const char *rule;

static int name_ok(const char *host, int port)
{
	return eg_decide_name(&conf, host, port, &rule, why, sizeof(why)) == EG_ALLOW;
}

static int addr_ok(const char *host, const char *addr)
{
	struct eg_addr a;
	if (eg_parse_addr(addr, &a) < 0)
		bail("address '%s'", addr);
	return eg_decide_addr(&conf, host, &a, &rule, why, sizeof(why)) == EG_ALLOW;
}

static const char *special(const char *addr)
{
	struct eg_addr a;
	if (eg_parse_addr(addr, &a) < 0)
		bail("address '%s'", addr);
	return eg_special(&a);
}

int main(void)
{
	/* --- parsing --- */
	static const char *const good_hosts[] = { "pypi.org", "PyPI.org.", "*.pythonhosted.org", "*",
		                                  "api.example.com:8443", "*.x.test:*", "under_score.test" };
	for (size_t i = 0; i < sizeof(good_hosts) / sizeof(good_hosts[0]); i++) {
		struct eg_host_rule r;
		const char *bad = eg_parse_host_rule(good_hosts[i], &r);
		ok(bad == NULL, "host rule '%s' parses", good_hosts[i]);
		free(r.text);
		free(r.name);
	}
	static const char *const bad_hosts[] = { "", "192.0.2.7", "[::1]", "exa*mple.com", "*example.com",
		                                 "example.com:0", "example.com:65536", "example.com:http",
		                                 "a..b", ".a", "a b", "*.", "x.test:" };
	for (size_t i = 0; i < sizeof(bad_hosts) / sizeof(bad_hosts[0]); i++) {
		struct eg_host_rule r;
		ok(eg_parse_host_rule(bad_hosts[i], &r) != NULL, "host rule '%s' is refused", bad_hosts[i]);
	}
	static const char *const bad_ips[] = { "", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/a", "host", "1.2.3" };
	for (size_t i = 0; i < sizeof(bad_ips) / sizeof(bad_ips[0]); i++) {
		struct eg_ip_rule r;
		ok(eg_parse_ip_rule(bad_ips[i], &r) != NULL, "address rule '%s' is refused", bad_ips[i]);
	}

	/* --- names --- */
	add_host(&conf.allow, &conf.n_allow, "pypi.org");
	add_host(&conf.allow, &conf.n_allow, "*.pythonhosted.org");
	add_host(&conf.allow, &conf.n_allow, "api.example.com:8443");
	add_host(&conf.allow, &conf.n_allow, "*.any.test:*");
	add_host(&conf.deny, &conf.n_deny, "evil.pythonhosted.org");
	add_host(&conf.deny, &conf.n_deny, "*.any.test:25");

	ok(name_ok("pypi.org", 443) && strcmp(rule, "pypi.org") == 0, "exact name on 443, the rule named");
	ok(name_ok("pypi.org", 80), "exact name on 80");
	ok(!name_ok("pypi.org", 8080), "a rule without a port: not 8080");
	is_str(why, "network: port 8080 of pypi.org is not in this policy's allow list (a rule without ':PORT' allows 80 and 443)",
	       "... and the sentence says which port");
	ok(!name_ok("www.pypi.org", 443), "an exact rule does not cover subdomains");
	is_str(why, "network: www.pypi.org is not in this policy's allow list", "the model-readable denial");
	ok(name_ok("files.pythonhosted.org", 443), "wildcard: one label");
	ok(name_ok("a.b.pythonhosted.org", 443), "wildcard: two labels");
	ok(!name_ok("pythonhosted.org", 443), "wildcard: not the bare domain");
	ok(!name_ok("evilpythonhosted.org", 443), "wildcard: not a longer label ending the same");
	ok(!name_ok("evil.pythonhosted.org", 443), "deny wins over an allowing wildcard");
	is_str(why, "network: evil.pythonhosted.org:443 is denied by this policy's deny rule 'evil.pythonhosted.org'",
	       "... naming the deny rule");
	ok(name_ok("api.example.com", 8443) && !name_ok("api.example.com", 443), "name:port: that port only");
	ok(name_ok("x.any.test", 9999), "':*': any port");
	ok(!name_ok("x.any.test", 25), "a deny rule with a port: that port only");
	ok(name_ok("x.any.test", 26), "... not others");

	/* --- addresses --- */
	ok(addr_ok("pypi.org", "151.101.0.223"), "a name resolving to a public address");
	ok(!addr_ok("pypi.org", "10.1.2.3"), "a name resolving to 10/8: refused (rebinding)");
	is_str(why, "network: pypi.org resolves to 10.1.2.3, a private (10.0.0.0/8) address, which this policy does not list in allow_ips",
	       "... the sentence");
	ok(!addr_ok(NULL, "151.101.0.223"), "an address literal not listed: refused");
	ok(!addr_ok(NULL, "169.254.169.254"), "the metadata address literal: refused");
	add_ip(&conf.allow_ip, &conf.n_allow_ip, "10.1.0.0/16");
	add_ip(&conf.allow_ip, &conf.n_allow_ip, "203.0.113.7");
	add_ip(&conf.deny_ip, &conf.n_deny_ip, "10.1.2.0/24");
	add_ip(&conf.deny_ip, &conf.n_deny_ip, "2001:db8::/32");
	ok(addr_ok("pypi.org", "10.1.9.9"), "a listed CIDR allows a private address");
	ok(!addr_ok("pypi.org", "10.1.2.3"), "deny_ips wins over allow_ips");
	ok(addr_ok(NULL, "203.0.113.7") && strcmp(rule, "203.0.113.7") == 0, "a listed literal");
	ok(!addr_ok(NULL, "203.0.113.8"), "its neighbour is not");
	ok(addr_ok(NULL, "::ffff:203.0.113.7"), "a v4-mapped v6 address is judged as its v4 address");
	ok(!addr_ok("x.test", "::ffff:127.0.0.1"), "v4-mapped loopback is loopback");
	ok(!addr_ok("x.test", "64:ff9b::a9fe:a9fe"), "NAT64 of the metadata address is link-local");
	ok(!addr_ok("x.test", "2001:db8::1"), "a deny_ips v6 CIDR");
	ok(addr_ok("x.test", "2606:4700::1111"), "a public v6 address");

	static const struct {
		const char *addr;
		int special;
	} cls[] = {
		{ "0.0.0.0", 1 },        { "10.0.0.1", 1 },      { "100.64.0.1", 1 },  { "100.100.100.200", 1 },
		{ "127.0.0.1", 1 },      { "127.255.0.1", 1 },   { "169.254.169.254", 1 }, { "172.16.0.1", 1 },
		{ "172.31.255.255", 1 }, { "172.32.0.1", 0 },    { "192.168.1.1", 1 }, { "192.0.0.192", 1 },
		{ "198.18.0.1", 1 },     { "224.0.0.1", 1 },     { "255.255.255.255", 1 }, { "8.8.8.8", 0 },
		{ "::", 1 },             { "::1", 1 },           { "fd00:ec2::254", 1 }, { "fe80::1", 1 },
		{ "ff02::1", 1 },        { "2606:4700::1111", 0 }, { "[::1]", 1 },
	};
	for (size_t i = 0; i < sizeof(cls) / sizeof(cls[0]); i++)
		ok((special(cls[i].addr) != NULL) == cls[i].special, "%s is %s", cls[i].addr,
		   cls[i].special ? "special" : "ordinary");

	/* --- host names --- */
	char h1[] = "PyPI.ORG.", h2[] = "a..b", h3[] = "x y", h4[] = "";
	ok(eg_norm_host(h1) == 0 && strcmp(h1, "pypi.org") == 0, "names are lowercased, a trailing dot dropped");
	ok(eg_norm_host(h2) < 0 && eg_norm_host(h3) < 0 && eg_norm_host(h4) < 0, "not host names");

	eg_conf_free(&conf);
	return tap_done();
}
