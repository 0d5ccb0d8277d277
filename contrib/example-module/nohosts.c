/*
 * nohosts.c - an out-of-tree cordon rule module: deny code that mentions any
 * host name from a list.
 *
 *   - module: /usr/local/lib/cordon/modules/cordon_nohosts.so   (or a path next to the policy)
 *     with:
 *       hosts: [db.internal, metadata.google.internal, 169.254.169.254]
 *       severity: high          # info, low, medium, high (default), critical
 *
 * A host matches case-insensitively and only as a whole name: the bytes
 * around it must not continue a DNS name.  "db.internal" matches in
 * "postgres://DB.Internal:5432" and at the end of a sentence ("db.internal."),
 * not in "mydb.internal", "x.db.internal" or "db.internal.example.com".
 * Every mention is a finding (rule "host-mentioned") with its line and
 * column, up to MAX_FINDINGS per source.
 *
 * It reads the source as the core sealed it, like any check module; it
 * needs nothing but <cordon/module.h> and does not link libcordon.
 */
#include <stdlib.h>
#include <string.h>

#include <cordon/module.h>

#define MAX_HOSTS 1024
#define MAX_HOST_LEN 253 /* a DNS name in text form */
#define MAX_FINDINGS 100

struct host {
	char *name; /* lower case */
	size_t len;
};

struct state {
	struct host *hosts;
	size_t n;
	enum cordon_severity severity;
};

static const struct cordon_arg args[] = {
	{ "hosts", CORDON_ARG_STRINGS, CORDON_ARG_REQUIRED, 0, 0,
	  "host names (or IPv4 addresses) the code must not mention" },
	{ "severity", CORDON_ARG_STRING, 0, 0, 0, "severity of each finding: info, low, medium, high, critical" },
	{ NULL, 0, 0, 0, 0, NULL },
};

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* A letter, digit or hyphen: a byte that continues a DNS label. */
static int label_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* Letters, digits, hyphens and dots; no empty label; no leading or
 * trailing dot.  NULL when valid, else what is wrong. */
static const char *host_problem(const char *s, size_t len)
{
	if (len == 0)
		return "is empty";
	if (len > MAX_HOST_LEN)
		return "is longer than 253 characters";
	if (s[0] == '.' || s[len - 1] == '.')
		return "starts or ends with a dot";
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return "has an empty label (two dots)";
		} else if (!label_char((unsigned char)s[i])) {
			return "has a character that cannot be in a host name (letters, digits, '-' and '.' only)";
		}
	}
	return NULL;
}

static int add_host(cordon_ctx *ctx, struct state *s, const cordon_node *n)
{
	size_t len = 0;
	const char *v = cordon_api(ctx)->node_scalar(n, &len);
	if (!v)
		return cordon_error(ctx, n, "hosts: expected a host name");
	if (strlen(v) != len)
		return cordon_error(ctx, n, "hosts: a host name contains a NUL byte");
	const char *why = host_problem(v, len);
	if (why)
		return cordon_error(ctx, n, "hosts: '%s' %s", v, why);
	char *name = malloc(len + 1);
	if (!name)
		return cordon_error(ctx, n, "out of memory");
	for (size_t i = 0; i < len; i++)
		name[i] = (char)lower((unsigned char)v[i]);
	name[len] = '\0';
	s->hosts[s->n].name = name;
	s->hosts[s->n].len = len;
	s->n++;
	return 0;
}

static int parse_severity(cordon_ctx *ctx, const cordon_node *n, enum cordon_severity *out)
{
	static const char *const names[] = { "info", "low", "medium", "high", "critical" };
	const char *v = cordon_api(ctx)->node_scalar(n, NULL);
	for (size_t i = 0; v && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(v, names[i]) == 0) {
			*out = (enum cordon_severity)i;
			return 0;
		}
	}
	return cordon_error(ctx, n, "severity: expected info, low, medium, high or critical, found '%s'",
	                    v ? v : "");
}

static int nh_open(cordon_ctx *ctx, void **statep)
{
	const struct cordon_core_api *api = cordon_api(ctx);
	struct state *s = calloc(1, sizeof(*s));
	if (!s)
		return cordon_error(ctx, NULL, "out of memory");
	*statep = s; /* close frees it, also when open fails */
	s->severity = CORDON_SEV_HIGH;

	/* The core checked the declared types already: hosts is a scalar or
	 * a sequence of scalars, and it is present. */
	const cordon_node *hosts = cordon_arg(ctx, "hosts");
	int is_seq = api->node_type(hosts) == CORDON_NODE_SEQUENCE;
	size_t count = is_seq ? api->node_len(hosts) : 1;
	if (count == 0)
		return cordon_error(ctx, hosts, "hosts: the list is empty (name at least one host)");
	if (count > MAX_HOSTS)
		return cordon_error(ctx, hosts, "hosts: more than %d names", MAX_HOSTS);
	s->hosts = calloc(count, sizeof(*s->hosts));
	if (!s->hosts)
		return cordon_error(ctx, hosts, "out of memory");
	for (size_t i = 0; i < count; i++)
		if (add_host(ctx, s, is_seq ? api->node_at(hosts, i) : hosts) < 0)
			return -1;

	const cordon_node *sev = cordon_arg(ctx, "severity");
	if (sev && parse_severity(ctx, sev, &s->severity) < 0)
		return -1;
	return 0;
}

/* Whether host h is at data[i] as a whole name. */
static int match_at(const struct host *h, const unsigned char *data, size_t len, size_t i)
{
	if (len - i < h->len)
		return 0;
	for (size_t k = 0; k < h->len; k++)
		if (lower(data[i + k]) != (unsigned char)h->name[k])
			return 0;
	/* Before: not a label byte, and not a dot that follows one (that
	 * would make this the tail of a longer name, x.db.internal). */
	if (i > 0) {
		unsigned char b = data[i - 1];
		if (label_char(b) || (b == '.' && i > 1 && label_char(data[i - 2])))
			return 0;
	}
	/* After: the same, except that a dot ending a sentence is fine. */
	size_t j = i + h->len;
	if (j < len) {
		unsigned char a = data[j];
		if (label_char(a) || (a == '.' && j + 1 < len && label_char(data[j + 1])))
			return 0;
	}
	return 1;
}

static int nh_check(cordon_ctx *ctx, void *state, const struct cordon_source *src)
{
	const struct state *s = state;
	const unsigned char *data = src->data;
	size_t len = src->len;
	long line = 1, column = 1; /* column counts characters (UTF-8 sequences) */
	size_t found = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = data[i];
		if (c == '\n') {
			line++;
			column = 1;
			continue;
		}
		if (i == 0 || !label_char(data[i - 1])) {
			for (size_t k = 0; k < s->n; k++) {
				if ((unsigned char)s->hosts[k].name[0] != lower(c) || !match_at(&s->hosts[k], data, len, i))
					continue;
				if (found < MAX_FINDINGS)
					cordon_finding(ctx, "host-mentioned", s->severity, line, column,
					               "mentions the host '%s', which this policy does not allow",
					               s->hosts[k].name);
				found++;
				break; /* one finding per position */
			}
		}
		if ((c & 0xc0) != 0x80)
			column++;
	}
	if (found > MAX_FINDINGS)
		cordon_finding(ctx, "host-mentioned", s->severity, 0, 0, "%zu more mentions of listed hosts not shown",
		               found - MAX_FINDINGS);
	return found ? CORDON_DENY : CORDON_PASS;
}

static void nh_close(void *state)
{
	struct state *s = state;
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->hosts[i].name);
	free(s->hosts);
	free(s);
}

CORDON_MODULE_EXPORT const struct cordon_module cordon_module = {
	.abi = CORDON_ABI_VERSION,
	.size = sizeof(struct cordon_module),
	.name = "nohosts",
	.description = "deny code that mentions a listed host name",
	.args = args,
	.open = nh_open,
	.check = nh_check,
	.close = nh_close,
};
