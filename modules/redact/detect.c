/*
 * modules/redact/detect.c - the built-in detectors.
 *
 * Each detector looks at the view from one position p and answers RD_NO,
 * RD_MATCH (filling the span to replace) or RD_MORE when a byte it needs has
 * not arrived yet (rd_ch() == RD_NEED).  A detector looks behind p only
 * through RD_HIST bytes of history and ahead by a bounded amount
 * (rd_builtin_lookahead()), and never answers differently once it has
 * answered NO or MATCH: that is what makes streaming equal to whole-buffer
 * redaction.  README.md documents each detector and where it differs from
 * gitleaks, trufflehog and detect-secrets.
 */
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "redact.h"

const char *const rd_builtin_ids[RB_COUNT] = {
	[RB_AWS_ID] = "aws-access-key-id",
	[RB_AWS_SECRET] = "aws-secret-access-key",
	[RB_GITHUB] = "github-token",
	[RB_GITHUB_PAT] = "github-fine-grained-token",
	[RB_SLACK_TOKEN] = "slack-token",
	[RB_SLACK_WEBHOOK] = "slack-webhook",
	[RB_OPENAI] = "openai-api-key",
	[RB_ANTHROPIC] = "anthropic-api-key",
	[RB_GOOGLE] = "google-api-key",
	[RB_STRIPE] = "stripe-key",
	[RB_JWT] = "jwt",
	[RB_PEM] = "private-key",
	[RB_URL_PASSWORD] = "url-password",
	[RB_PASSWORD] = "password-assignment",
	[RB_SECRET] = "secret-assignment",
	[RB_HUGGINGFACE] = "huggingface-token",
	[RB_GITLAB] = "gitlab-token",
	[RB_NPM] = "npm-token",
	[RB_PYPI] = "pypi-token",
	[RB_GCP_OAUTH] = "gcp-oauth-client-secret",
	[RB_AZURE_STORAGE] = "azure-storage-key",
	[RB_GCP_SA] = "gcp-service-account-key",
	[RB_TWILIO] = "twilio-api-key",
	[RB_SENDGRID] = "sendgrid-api-key",
	[RB_DIGITALOCEAN] = "digitalocean-token",
	[RB_SHOPIFY] = "shopify-token",
	[RB_DATABRICKS] = "databricks-token",
	[RB_AGE] = "age-secret-key",
	[RB_DOPPLER] = "doppler-token",
	[RB_DYNATRACE] = "dynatrace-token",
	[RB_EASYPOST] = "easypost-api-key",
	[RB_LINEAR] = "linear-api-key",
	[RB_POSTMAN] = "postman-api-key",
	[RB_PULUMI] = "pulumi-token",
	[RB_PREFECT] = "prefect-token",
	[RB_README] = "readme-api-key",
	[RB_RUBYGEMS] = "rubygems-token",
	[RB_SENTRY] = "sentry-token",
	[RB_SHIPPO] = "shippo-token",
	[RB_PLANETSCALE] = "planetscale-token",
	[RB_VAULT] = "vault-token",
	[RB_FLYIO] = "flyio-token",
	[RB_GRAFANA] = "grafana-token",
	[RB_HEROKU] = "heroku-api-key",
	[RB_INFRACOST] = "infracost-token",
	[RB_NOTION] = "notion-token",
	[RB_PERPLEXITY] = "perplexity-api-key",
	[RB_OPENSHIFT] = "openshift-token",
	[RB_ARTIFACTORY] = "artifactory-token",
	[RB_CLOJARS] = "clojars-token",
	[RB_DUFFEL] = "duffel-token",
	[RB_FRAMEIO] = "frameio-token",
	[RB_SCALINGO] = "scalingo-token",
	[RB_SENDINBLUE] = "sendinblue-api-key",
	[RB_ALIBABA] = "alibaba-access-key-id",
	[RB_ATLASSIAN] = "atlassian-api-token",
	[RB_SQUARE] = "square-token",
	[RB_BEDROCK] = "aws-bedrock-api-key",
	[RB_SETTLEMINT] = "settlemint-token",
	[RB_TYPEFORM] = "typeform-token",
	[RB_NEWRELIC] = "newrelic-api-key",
	[RB_INTRA42] = "intra42-client-secret",
	[RB_ONEPASSWORD] = "1password-token",
	[RB_CMDLINE] = "command-line-secret",
	[RB_CARD] = "credit-card",
	[RB_SSN] = "us-ssn",
};

#define V_ (CC_VAL)
const uint16_t rd_cls[256] = {
	['A' ... 'F'] = CC_UP | CC_HEX | V_,
	['G' ... 'Z'] = CC_UP | V_,
	['a' ... 'f'] = CC_LO | CC_HEX | V_,
	['g' ... 'z'] = CC_LO | V_,
	['0' ... '9'] = CC_DIG | CC_HEX | V_,
	['_'] = CC_US | V_,
	['-'] = CC_DASH | V_,
	['.'] = CC_DOT | V_,
	['/'] = CC_SLASH | V_,
	['+'] = CC_PLUS | V_,
	['='] = CC_EQ | V_,
	[' '] = CC_SPACE,
	['\t'] = CC_SPACE,
	['!'] = V_, ['#'] = V_, ['$'] = V_, ['%'] = V_, ['('] = V_, ['*'] = V_,
	[':'] = V_, ['?'] = V_, ['@'] = V_, ['['] = V_, ['\\'] = V_, ['^'] = V_,
	['{'] = V_, ['|'] = V_, ['~'] = V_,
	[0x80 ... 0xff] = V_,
};
#undef V_

#define B64URL (CC_ALNUM | CC_US | CC_DASH)

static inline bool is_alnum(int c)
{
	return c >= 0 && (rd_cls[c] & CC_ALNUM);
}

/* The byte before p, or RD_END at the start of the stream. */
static inline int prev_ch(const struct rd_scan *s, size_t p)
{
	return p ? s->v[p - 1] : RD_END;
}

static inline int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* A word may start at p: the byte before is no letter or digit, or an
 * escape sequence or invisible characters were left out just before p
 * ("\e[1mghp_...", an OSC title, a hyperlink's text). */
static inline bool word_start(const struct rd_scan *s, size_t p)
{
	return !is_alnum(prev_ch(s, p)) || (s->rmr && p >= s->h && s->rmr[p]);
}

/* Match a literal at i: RD_MATCH, RD_NO or RD_MORE. */
static int lit_at(const struct rd_scan *s, size_t i, const char *lit, size_t len)
{
	for (size_t k = 0; k < len; k++) {
		int c = rd_ch(s, i + k);
		if (c == RD_NEED)
			return RD_MORE;
		if (c != (unsigned char)lit[k])
			return RD_NO;
	}
	return RD_MATCH;
}

static inline void set_match(struct rd_match *m, size_t rs, size_t re, int rule)
{
	m->rs = rs;
	m->re = re;
	m->end = re;
	m->rule = rule;
	m->mode = RM_NORMAL;
	m->cls = 0;
	m->dotjoin = false;
	m->repl = NULL;
	m->repl_len = 0;
}

/* ---- prefixed tokens ------------------------------------------------------ */

#define TC_MIXED 1 /* the body holds a digit and a letter */
#define TC_EXACT 2 /* the body is exactly min bytes, and no letter or digit follows */

struct tokdef {
	const char *prefix;
	uint8_t plen;
	uint8_t rule;
	uint16_t cls; /* body class */
	uint16_t min; /* shortest body */
	bool boundary; /* the byte before must not be a letter or digit */
	uint8_t check;
};

#define W_ (CC_ALNUM | CC_US) /* \w */
#define WD (CC_ALNUM | CC_US | CC_DASH) /* [\w-] */
#define B64 (CC_ALNUM | CC_PLUS | CC_SLASH)
#define T(p, r, c, m, b, k) { p, sizeof(p) - 1, r, c, m, b, k }
/* In any order: rd_builtin_triggers() groups them by first byte, keeping
 * this order within a group; at one position the first of equally long
 * matches wins, so a longer prefix comes before a shorter one it extends.
 * The prefixes are the vendors' documented ones (README.md, the table
 * against gitleaks' default rules). */
static const struct tokdef toks[] = {
	T("AKIA", RB_AWS_ID, CC_UP | CC_DIG, 16, false, 0),
	T("ASIA", RB_AWS_ID, CC_UP | CC_DIG, 16, false, 0),
	T("ABIA", RB_AWS_ID, CC_UP | CC_DIG, 16, false, 0),
	T("ACCA", RB_AWS_ID, CC_UP | CC_DIG, 16, false, 0),
	T("AGPA", RB_AWS_ID, CC_UP | CC_DIG, 16, false, 0),
	T("AIDA", RB_AWS_ID, CC_UP | CC_DIG, 16, false, 0),
	T("AIPA", RB_AWS_ID, CC_UP | CC_DIG, 16, false, 0),
	T("ANPA", RB_AWS_ID, CC_UP | CC_DIG, 16, false, 0),
	T("ANVA", RB_AWS_ID, CC_UP | CC_DIG, 16, false, 0),
	T("APKA", RB_AWS_ID, CC_UP | CC_DIG, 16, false, 0),
	T("AROA", RB_AWS_ID, CC_UP | CC_DIG, 16, false, 0),
	T("ASCA", RB_AWS_ID, CC_UP | CC_DIG, 16, false, 0),
	T("A3T", RB_AWS_ID, CC_UP | CC_DIG, 17, false, 0),
	T("AIza", RB_GOOGLE, B64URL, 35, false, 0),
	T("ABSK", RB_BEDROCK, B64 | CC_EQ, 109, true, 0),
	T("AGE-SECRET-KEY-1", RB_AGE, CC_UP | CC_DIG, 58, true, 0),
	T("AKCp", RB_ARTIFACTORY, CC_ALNUM, 69, true, 0),
	T("ATATT3", RB_ATLASSIAN, WD | CC_EQ, 100, true, 0),
	T("CLOJARS_", RB_CLOJARS, CC_ALNUM, 60, true, 0),
	T("EZAK", RB_EASYPOST, CC_ALNUM, 54, true, 0),
	T("EZTK", RB_EASYPOST, CC_ALNUM, 54, true, 0),
	T("GOCSPX-", RB_GCP_OAUTH, WD, 28, true, 0),
	T("GR1348941", RB_GITLAB, WD, 20, true, 0),
	T("HRKU-AA", RB_HEROKU, WD, 58, true, 0),
	T("LTAI", RB_ALIBABA, CC_ALNUM, 20, true, 0),
	T("NRAK-", RB_NEWRELIC, CC_ALNUM, 27, true, 0),
	T("NRII-", RB_NEWRELIC, WD, 32, true, 0),
	T("NRJS-", RB_NEWRELIC, CC_HEX, 19, true, 0),
	T("PMAK-", RB_POSTMAN, CC_HEX | CC_DASH, 59, true, 0),
	T("SG.", RB_SENDGRID, WD | CC_DOT | CC_EQ, 66, true, 0),
	T("SK", RB_TWILIO, CC_HEX, 32, true, TC_EXACT),
	T("api_org_", RB_HUGGINGFACE, CC_ALNUM, 34, true, 0),
	T("cmVmd", RB_ARTIFACTORY, CC_ALNUM, 59, true, TC_EXACT),
	T("dapi", RB_DATABRICKS, CC_HEX, 32, true, 0),
	T("doo_v1_", RB_DIGITALOCEAN, CC_HEX, 64, true, 0),
	T("dop_v1_", RB_DIGITALOCEAN, CC_HEX, 64, true, 0),
	T("dor_v1_", RB_DIGITALOCEAN, CC_HEX, 64, true, 0),
	T("dp.pt.", RB_DOPPLER, CC_ALNUM, 43, true, 0),
	T("dt0c01.", RB_DYNATRACE, CC_ALNUM | CC_DOT, 89, true, 0),
	T("duffel_test_", RB_DUFFEL, WD | CC_EQ, 43, true, 0),
	T("duffel_live_", RB_DUFFEL, WD | CC_EQ, 43, true, 0),
	T("fio-u-", RB_FRAMEIO, WD | CC_EQ, 64, true, 0),
	T("fo1_", RB_FLYIO, WD, 43, true, 0),
	T("fm1a_", RB_FLYIO, B64 | CC_EQ, 100, true, 0),
	T("fm1r_", RB_FLYIO, B64 | CC_EQ, 100, true, 0),
	T("fm2_", RB_FLYIO, B64 | CC_EQ, 100, true, 0),
	T("github_pat_", RB_GITHUB_PAT, CC_ALNUM | CC_US, 22, true, 0),
	T("ghp_", RB_GITHUB, CC_ALNUM, 36, true, 0),
	T("gho_", RB_GITHUB, CC_ALNUM, 36, true, 0),
	T("ghu_", RB_GITHUB, CC_ALNUM, 36, true, 0),
	T("ghs_", RB_GITHUB, CC_ALNUM, 36, true, 0),
	T("ghr_", RB_GITHUB, CC_ALNUM, 36, true, 0),
	T("glpat-", RB_GITLAB, WD | CC_DOT, 20, true, 0),
	T("glptt-", RB_GITLAB, CC_HEX, 40, true, 0),
	T("gldt-", RB_GITLAB, WD, 20, true, 0),
	T("glrt-", RB_GITLAB, WD | CC_DOT, 20, true, 0),
	T("glcbt-", RB_GITLAB, WD, 20, true, 0),
	T("glffct-", RB_GITLAB, WD, 20, true, 0),
	T("glft-", RB_GITLAB, WD, 20, true, 0),
	T("glimt-", RB_GITLAB, WD, 25, true, 0),
	T("glagent-", RB_GITLAB, WD, 50, true, 0),
	T("gloas-", RB_GITLAB, WD, 64, true, 0),
	T("glsoat-", RB_GITLAB, WD, 20, true, 0),
	T("glc_", RB_GRAFANA, B64 | CC_EQ, 32, true, 0),
	T("glsa_", RB_GRAFANA, CC_ALNUM | CC_US, 32, true, 0),
	T("hooks.slack.com/services/", RB_SLACK_WEBHOOK, CC_ALNUM | CC_US | CC_DASH | CC_SLASH, 10, true, 0),
	T("hooks.slack.com/workflows/", RB_SLACK_WEBHOOK, CC_ALNUM | CC_US | CC_DASH | CC_SLASH, 10, true, 0),
	T("hooks.slack.com/triggers/", RB_SLACK_WEBHOOK, CC_ALNUM | CC_US | CC_DASH | CC_SLASH, 10, true, 0),
	T("hf_", RB_HUGGINGFACE, CC_ALNUM, 30, true, 0),
	T("hvs.", RB_VAULT, WD, 90, true, 0),
	T("hvb.", RB_VAULT, WD, 138, true, 0),
	T("ico-", RB_INFRACOST, CC_ALNUM, 32, true, 0),
	T("lin_api_", RB_LINEAR, CC_ALNUM, 40, true, 0),
	T("npm_", RB_NPM, CC_ALNUM, 36, true, 0),
	T("ntn_", RB_NOTION, CC_ALNUM, 46, true, 0),
	T("ops_eyJ", RB_ONEPASSWORD, B64 | CC_EQ, 250, true, 0),
	T("pk_live_", RB_STRIPE, CC_ALNUM, 10, true, 0),
	T("pk_test_", RB_STRIPE, CC_ALNUM, 10, true, 0),
	T("pypi-AgEIcHlwaS5vcmc", RB_PYPI, WD, 50, true, 0),
	T("pscale_tkn_", RB_PLANETSCALE, WD | CC_DOT | CC_EQ, 32, true, 0),
	T("pscale_pw_", RB_PLANETSCALE, WD | CC_DOT | CC_EQ, 32, true, 0),
	T("pscale_oauth_", RB_PLANETSCALE, WD | CC_DOT | CC_EQ, 32, true, 0),
	T("pul-", RB_PULUMI, CC_HEX, 40, true, 0),
	T("pnu_", RB_PREFECT, CC_ALNUM, 36, true, 0),
	T("pplx-", RB_PERPLEXITY, CC_ALNUM, 48, true, 0),
	T("rk_live_", RB_STRIPE, CC_ALNUM, 10, true, 0),
	T("rk_test_", RB_STRIPE, CC_ALNUM, 10, true, 0),
	T("rk_prod_", RB_STRIPE, CC_ALNUM, 10, true, 0),
	T("rdme_", RB_README, CC_ALNUM, 70, true, 0),
	T("rubygems_", RB_RUBYGEMS, CC_HEX, 48, true, 0),
	T("sk-ant-", RB_ANTHROPIC, B64URL, 20, true, 0),
	T("sk-", RB_OPENAI, B64URL, 20, true, TC_MIXED),
	T("sk_live_", RB_STRIPE, CC_ALNUM, 10, true, 0),
	T("sk_test_", RB_STRIPE, CC_ALNUM, 10, true, 0),
	T("sk_prod_", RB_STRIPE, CC_ALNUM, 10, true, 0),
	T("sha256~", RB_OPENSHIFT, WD, 43, true, 0),
	T("shpat_", RB_SHOPIFY, CC_HEX, 32, true, 0),
	T("shpca_", RB_SHOPIFY, CC_HEX, 32, true, 0),
	T("shppa_", RB_SHOPIFY, CC_HEX, 32, true, 0),
	T("shpss_", RB_SHOPIFY, CC_HEX, 32, true, 0),
	T("shippo_live_", RB_SHIPPO, CC_HEX, 40, true, 0),
	T("shippo_test_", RB_SHIPPO, CC_HEX, 40, true, 0),
	T("sntryu_", RB_SENTRY, CC_HEX, 64, true, 0),
	T("sntrys_eyJ", RB_SENTRY, B64 | CC_EQ | CC_US, 50, true, 0),
	T("sm_aat_", RB_SETTLEMINT, CC_ALNUM, 16, true, 0),
	T("sm_pat_", RB_SETTLEMINT, CC_ALNUM, 16, true, 0),
	T("sm_sat_", RB_SETTLEMINT, CC_ALNUM, 16, true, 0),
	T("sq0atp-", RB_SQUARE, WD, 22, true, 0),
	T("sq0csp-", RB_SQUARE, WD, 40, true, 0),
	T("s-s4t2ud-", RB_INTRA42, CC_HEX, 64, true, 0),
	T("s-s4t2af-", RB_INTRA42, CC_HEX, 64, true, 0),
	T("tfp_", RB_TYPEFORM, WD | CC_DOT | CC_EQ, 40, true, 0),
	T("tk-us-", RB_SCALINGO, WD, 48, true, 0),
	T("whsec_", RB_STRIPE, CC_ALNUM, 20, true, 0),
	T("xkeysib-", RB_SENDINBLUE, CC_ALNUM | CC_DASH, 64, true, 0),
	T("xoxe.xoxb-", RB_SLACK_TOKEN, CC_ALNUM | CC_DASH, 10, true, TC_MIXED),
	T("xoxe.xoxp-", RB_SLACK_TOKEN, CC_ALNUM | CC_DASH, 10, true, TC_MIXED),
	T("xoxa-", RB_SLACK_TOKEN, CC_ALNUM | CC_DASH, 10, true, TC_MIXED),
	T("xoxb-", RB_SLACK_TOKEN, CC_ALNUM | CC_DASH, 10, true, TC_MIXED),
	T("xoxe-", RB_SLACK_TOKEN, CC_ALNUM | CC_DASH, 10, true, TC_MIXED),
	T("xoxo-", RB_SLACK_TOKEN, CC_ALNUM | CC_DASH, 10, true, TC_MIXED),
	T("xoxp-", RB_SLACK_TOKEN, CC_ALNUM | CC_DASH, 10, true, TC_MIXED),
	T("xoxr-", RB_SLACK_TOKEN, CC_ALNUM | CC_DASH, 10, true, TC_MIXED),
	T("xoxs-", RB_SLACK_TOKEN, CC_ALNUM | CC_DASH, 10, true, TC_MIXED),
	T("xapp-", RB_SLACK_TOKEN, CC_ALNUM | CC_DASH, 10, true, TC_MIXED),
};
#undef T
#define N_TOKS (sizeof(toks) / sizeof(toks[0]))
_Static_assert(N_TOKS < 256, "token indices are bytes");

static int tok_at(const struct rd_scan *s, size_t p, const struct tokdef *t, struct rd_match *m)
{
	int r = lit_at(s, p, t->prefix, t->plen);
	if (r != RD_MATCH)
		return r;
	size_t i = p + t->plen, run = 0;
	bool digit = false, letter = false;
	while (run < RD_DECIDE) {
		int c = rd_ch(s, i);
		if (c == RD_NEED)
			return RD_MORE;
		if (c < 0 || !(rd_cls[c] & t->cls))
			break;
		digit |= (rd_cls[c] & CC_DIG) != 0;
		letter |= (rd_cls[c] & (CC_UP | CC_LO)) != 0;
		run++;
		i++;
	}
	if (run < t->min) {
		/* Cut off: the rest may have gone to the other stream (stdout
		 * and stderr written back to back).  A prefix of three bytes or
		 * more with eight body bytes is a token's start, redacted: at
		 * the end of the stream whatever the body, and where the stream
		 * goes on with a byte outside the token's alphabet when the
		 * token starts a word, its body mixes digits and letters (as
		 * random bodies do and the words and identifiers after such
		 * prefixes do not: npm_lifecycle_event, ghp_placeholder) and
		 * holds at least half the token's shortest body (a CSS class
		 * ico-facebook32, an npm_v8flags2 are shorter than that), and
		 * neither side touches base64 ('+' or '/' before the prefix,
		 * '+', '/' or '=' where the body stops: random base64 holds
		 * such prefixes by chance).  The
		 * prefixes that need no word start (AWS key ids) are left to
		 * the end of the stream: inside base64 they occur by chance;
		 * so are three-byte prefixes (sk-, hf_), which random session
		 * ids of ordinary logs begin with once in 260,000. */
		int c = rd_ch(s, i);
		bool cut = t->plen >= 3 && run >= 8 && t->check != TC_EXACT &&
		           (c == RD_END || (c >= 0 && t->plen >= 4 && t->boundary && digit && letter && run >= t->min / 2 &&
		                            c != '+' && c != '/' && c != '=' &&
		                            !(p > 0 && (s->v[p - 1] == '+' || s->v[p - 1] == '/'))));
		if (!cut)
			return RD_NO;
	}
	if (t->check == TC_MIXED && !(digit && letter))
		return RD_NO;
	if (t->check == TC_EXACT) {
		int c = rd_ch(s, i);
		if (run != t->min || (c >= 0 && (rd_cls[c] & (CC_ALNUM | CC_US))))
			return RD_NO;
	}
	set_match(m, p, i, t->rule);
	if (run == RD_DECIDE) {
		/* longer than we look: replace it once, swallow the rest */
		m->mode = RM_CLASS;
		m->cls = t->cls;
	}
	return RD_MATCH;
}

/* The best of several answers at one position. */
struct best {
	bool more, have;
	struct rd_match m;
};

static void consider(struct best *b, int r, const struct rd_match *m)
{
	if (r == RD_MORE)
		b->more = true;
	else if (r == RD_MATCH && (!b->have || m->end > b->m.end)) {
		b->have = true;
		b->m = *m;
	}
}

static int best_result(const struct best *b, struct rd_match *m)
{
	if (b->more)
		return RD_MORE;
	if (!b->have)
		return RD_NO;
	*m = b->m;
	return RD_MATCH;
}

static void tokens_at(const struct rd_scan *s, size_t p, struct best *b)
{
	int c0 = s->v[p];
	bool bound = word_start(s, p);
	for (size_t k = s->cfg->tok_lo[c0]; k < s->cfg->tok_hi[c0]; k++) {
		const struct tokdef *t = &toks[s->cfg->tok_ord[k]];
		if (!s->cfg->enabled[t->rule] || (t->boundary && !bound))
			continue;
		struct rd_match m;
		consider(b, tok_at(s, p, t, &m), &m);
	}
}

/* ---- JWT -------------------------------------------------------------------- */

/* eyJ<header>.<payload>[.<signature>...]: decided once the header and ten
 * bytes of the payload are seen; the rest is swallowed as a token. */
static int jwt_at(const struct rd_scan *s, size_t p, struct rd_match *m)
{
	if (!word_start(s, p))
		return RD_NO;
	int r = lit_at(s, p, "eyJ", 3);
	if (r != RD_MATCH)
		return r;
	size_t i = p + 3, run = 0;
	for (;;) {
		int c = rd_ch(s, i);
		if (c == RD_NEED)
			return RD_MORE;
		if (c < 0 || !(rd_cls[c] & B64URL))
			break;
		if (++run >= RD_DECIDE)
			return RD_NO; /* not a header: base64 of a large document */
		i++;
	}
	if (run < 10 || rd_ch(s, i) != '.')
		return RD_NO;
	i++;
	for (run = 0; run < 10; run++, i++) {
		int c = rd_ch(s, i);
		if (c == RD_NEED)
			return RD_MORE;
		if (c < 0 || !(rd_cls[c] & B64URL))
			return RD_NO;
	}
	set_match(m, p, i, RB_JWT);
	m->mode = RM_CLASS;
	m->cls = B64URL | CC_EQ;
	m->dotjoin = true;
	return RD_MATCH;
}

/* ---- PEM private keys ------------------------------------------------------- */

#define PEM_LABEL_MAX 64

static int pem_begin_at(const struct rd_scan *s, size_t p, struct rd_match *m)
{
	int r = lit_at(s, p, "-----BEGIN ", 11);
	if (r != RD_MATCH)
		return r;
	char label[PEM_LABEL_MAX + 1];
	size_t i = p + 11, n = 0;
	for (;;) {
		int c = rd_ch(s, i);
		if (c == RD_NEED)
			return RD_MORE;
		if (c == '-')
			break;
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ') || n == PEM_LABEL_MAX)
			return RD_NO;
		label[n++] = (char)c;
		i++;
	}
	label[n] = '\0';
	r = lit_at(s, i, "-----", 5);
	if (r != RD_MATCH)
		return r;
	if (!strstr(label, "PRIVATE KEY"))
		return RD_NO;
	set_match(m, p, i + 5, RB_PEM);
	m->mode = RM_PEM;
	return RD_MATCH;
}

int rd_pem_end(const struct rd_scan *s, size_t p, size_t *endp)
{
	int r = lit_at(s, p, "-----END", 8);
	if (r == RD_MORE)
		return 2;
	if (r == RD_NO)
		return 0;
	size_t i = p + 8, n = 0;
	for (;;) {
		int c = rd_ch(s, i);
		if (c == RD_NEED)
			return 2;
		if (n == PEM_LABEL_MAX || !((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' '))
			break;
		n++;
		i++;
	}
	for (n = 0; n < 5; n++, i++) {
		int c = rd_ch(s, i);
		if (c == RD_NEED)
			return 2;
		if (c != '-')
			break;
	}
	*endp = i;
	return 1;
}

#define IDENT_MAX 64
static int classify(const char *id, size_t n, bool *auth);
static bool placeholder(const unsigned char *v, size_t n);

/* ---- credit cards and social security numbers --------------------------------- */

bool rd_luhn(const unsigned char *d, size_t n)
{
	unsigned sum = 0;
	bool dbl = false;
	size_t digits = 0;
	for (size_t k = n; k-- > 0;) {
		if (d[k] < '0' || d[k] > '9')
			continue;
		unsigned x = d[k] - '0';
		if (dbl) {
			x *= 2;
			if (x > 9)
				x -= 9;
		}
		sum += x;
		dbl = !dbl;
		digits++;
	}
	return digits > 1 && sum % 10 == 0;
}

/* Issuer prefixes and lengths of the card networks. */
static bool iin_ok(const char *d, size_t n)
{
	int a = d[0] - '0', b = d[1] - '0';
	int four = a * 1000 + b * 100 + (d[2] - '0') * 10 + (d[3] - '0');
	switch (a) {
	case 2: /* Mastercard 2221-2720 */
		return four >= 2221 && four <= 2720 && n == 16;
	case 3: /* Amex 34/37; Diners 30/36/38/39; JCB 35 */
		if (b == 4 || b == 7)
			return n == 15;
		if (b == 0 || b == 6 || b == 8 || b == 9)
			return n >= 14;
		return b == 5 && n >= 16;
	case 4: /* Visa */
		return n == 13 || n == 16 || n == 19;
	case 5: /* Mastercard 51-55; Maestro 50, 56-59 */
		return (b >= 1 && b <= 5) ? n == 16 : true;
	case 6: /* Discover, UnionPay, Maestro, RuPay */
		return true;
	default:
		return false;
	}
}

static int card_at(const struct rd_scan *s, size_t p, struct rd_match *m)
{
	int pc = prev_ch(s, p);
	if (is_alnum(pc) || pc == '.')
		return RD_NO;
	char d[20];
	size_t n = 0, i = p, group = 0;
	int sep = 0;
	for (;;) {
		int c = rd_ch(s, i);
		if (c == RD_NEED)
			return RD_MORE;
		if (c >= '0' && c <= '9') {
			if (n == 19)
				return RD_NO; /* too long for a card */
			d[n++] = (char)c;
			group++;
			i++;
			continue;
		}
		/* a separator between groups: the same ' ' or '-' throughout */
		if ((c == ' ' || c == '-') && (sep == 0 || c == sep)) {
			if (sep == 0 && group != 4)
				break;
			if (sep != 0 && (group < 2 || group > 6))
				return RD_NO;
			int c2 = rd_ch(s, i + 1);
			if (c2 == RD_NEED)
				return RD_MORE;
			if (c2 >= '0' && c2 <= '9') {
				sep = c;
				group = 0;
				i++;
				continue;
			}
		}
		if (is_alnum(c))
			return RD_NO;
		break;
	}
	if (sep != 0 && (group < 2 || group > 6))
		return RD_NO;
	if (n < 13 || !iin_ok(d, n) || !rd_luhn((const unsigned char *)d, n))
		return RD_NO;
	set_match(m, p, i, RB_CARD);
	return RD_MATCH;
}

/* The SSA's rules and Presidio's (UsSsnRecognizer.invalidate_result): area
 * not 000, 666 or 9xx, group not 00, serial not 0000, not one digit nine
 * times, not 123456789. */
static bool ssn_valid(const char *d)
{
	if (memcmp(d, "000", 3) == 0 || memcmp(d, "666", 3) == 0 || d[0] == '9' || memcmp(d + 3, "00", 2) == 0 ||
	    memcmp(d + 5, "0000", 4) == 0 || memcmp(d, "123456789", 9) == 0)
		return false;
	for (int k = 1; k < 9; k++)
		if (d[k] != d[0])
			return true;
	return false;
}

/* A context word (Presidio's: ssn, ssns, ss#, ssid, social security)
 * within 64 bytes before p on the same line. */
static bool ssn_context(const struct rd_scan *s, size_t p)
{
	size_t lo = p > 64 ? p - 64 : 0;
	for (size_t i = p; i > lo; i--) {
		size_t k = i - 1;
		int c = lower(s->v[k]);
		if (c == '\n')
			return false;
		if (c != 's' || (k > 0 && is_alnum(s->v[k - 1])))
			continue;
		if (k + 2 < p && lower(s->v[k + 1]) == 's' &&
		    (lower(s->v[k + 2]) == 'n' || s->v[k + 2] == '#' || lower(s->v[k + 2]) == 'i'))
			return true;
		static const char soc[] = "social security";
		size_t j = 0;
		while (j < sizeof(soc) - 1 && k + j < p &&
		       (lower(s->v[k + j]) == soc[j] || (soc[j] == ' ' && (s->v[k + j] == '_' || s->v[k + j] == '-'))))
			j++;
		if (j == sizeof(soc) - 1)
			return true;
	}
	return false;
}

/* ddd-dd-dddd anywhere; with a context word before it also ddd dd dddd,
 * ddd.dd.dddd, mixed separators, ddd-dddddd, ddddd-dddd and ddddddddd. */
static int ssn_at(const struct rd_scan *s, size_t p, struct rd_match *m)
{
	int pc = prev_ch(s, p);
	if (is_alnum(pc) || pc == '-' || pc == '.')
		return RD_NO;
	char d[9];
	int seps[2] = { 0, 0 };
	size_t n = 0, i = p;
	for (;;) {
		int c = rd_ch(s, i);
		if (c == RD_NEED)
			return RD_MORE;
		if (c >= '0' && c <= '9') {
			if (n == 9)
				return RD_NO;
			d[n++] = (char)c;
			i++;
			continue;
		}
		if ((c == '-' || c == ' ' || c == '.') && (n == 3 || n == 5) && !seps[n == 5]) {
			int c2 = rd_ch(s, i + 1);
			if (c2 == RD_NEED)
				return RD_MORE;
			if (c2 >= '0' && c2 <= '9') {
				seps[n == 5] = c;
				i++;
				continue;
			}
		}
		if (is_alnum(c) || c == '-')
			return RD_NO;
		if (c == '.') {
			int c2 = rd_ch(s, i + 1);
			if (c2 == RD_NEED)
				return RD_MORE;
			if (c2 >= '0' && c2 <= '9')
				return RD_NO; /* a decimal number */
		}
		break;
	}
	if (n != 9 || !ssn_valid(d))
		return RD_NO;
	bool dashed = seps[0] == '-' && seps[1] == '-';
	if (!dashed && !ssn_context(s, p))
		return RD_NO;
	set_match(m, p, i, RB_SSN);
	return RD_MATCH;
}

/* ---- command lines: curl -u user:pw, mysql -pPW, --password VALUE --------------- */

/* A word (curl, mysql ...) earlier on the line, within the history. */
static bool line_has_cmd(const struct rd_scan *s, size_t p, const char *const *cmds)
{
	size_t lo = p > 250 ? p - 250 : 0;
	for (size_t i = p; i > lo; i--) {
		size_t k = i - 1;
		if (s->v[k] == '\n')
			return false;
		if (k > 0 && (is_alnum(s->v[k - 1]) || s->v[k - 1] == '-' || s->v[k - 1] == '_'))
			continue;
		for (const char *const *c = cmds; *c; c++) {
			size_t l = strlen(*c);
			if (k + l < p && memcmp(s->v + k, *c, l) == 0 && !is_alnum(s->v[k + l]) && s->v[k + l] != '-')
				return true;
		}
	}
	return false;
}

/* The option's value from j: quoted or up to a blank.  RD_MATCH with
 * [*vs, *ve), RD_NO, RD_MORE. */
static int opt_value(const struct rd_scan *s, size_t j, size_t *vs, size_t *ve)
{
	int q = rd_ch(s, j);
	if (q == RD_NEED)
		return RD_MORE;
	if (q < 0 || q == '-' || q == ' ' || q == '\t' || q == '\n' || q == '\r')
		return RD_NO;
	bool quoted = q == '"' || q == '\'';
	if (quoted)
		j++;
	*vs = j;
	for (size_t len = 0;; len++, j++) {
		int c = rd_ch(s, j);
		if (c == RD_NEED)
			return RD_MORE;
		if (len == RD_VALUE_MAX || c < 0 || c == '\n' || c == '\r' || (quoted ? c == q : (c == ' ' || c == '\t' || c == '\'' || c == '"' || c == ';' || c == '|' || c == '&' || c == '`')))
			break;
	}
	*ve = j;
	return *ve > *vs ? RD_MATCH : RD_NO;
}

static int cmdline_at(const struct rd_scan *s, size_t p, struct rd_match *m)
{
	int pc = prev_ch(s, p);
	if (!(pc == ' ' || pc == '\t' || pc == RD_END || pc == '\'' || pc == '"' || pc == '['))
		return RD_NO;
	int c1 = rd_ch(s, p + 1);
	if (c1 == RD_NEED)
		return RD_MORE;
	size_t vs, ve;
	static const char *const curl[] = { "curl", "wget", "http", "https", NULL };
	static const char *const mysql[] = { "mysql", "mysqldump", "mysqladmin", "mariadb", "mariadb-dump", NULL };
	size_t j; /* where the value of -u / --user may start */
	if (c1 == 'u') {
		j = p + 2;
	} else if (c1 == 'p') {
		/* -pPW (mysql and friends); -p alone: the program asks */
		int c2 = rd_ch(s, p + 2);
		if (c2 == RD_NEED)
			return RD_MORE;
		if (c2 < 0 || c2 == ' ' || c2 == '\t' || c2 == '=' || c2 == '\n')
			return RD_NO;
		int r = opt_value(s, p + 2, &vs, &ve);
		if (r != RD_MATCH)
			return r;
		if (!line_has_cmd(s, p, mysql))
			return RD_NO;
		goto found;
	} else if (c1 == '-') {
		/* --password VALUE, --token VALUE, --api-key VALUE: a blank, not '=' */
		char id[IDENT_MAX + 1];
		size_t n = 0;
		for (j = p + 2;; j++) {
			int c = rd_ch(s, j);
			if (c == RD_NEED)
				return RD_MORE;
			if (!(is_alnum(c) || c == '-' || c == '_') || n == IDENT_MAX)
				break;
			id[n++] = (char)(c == '-' ? '_' : lower(c));
		}
		id[n] = '\0';
		if (strcmp(id, "user") != 0) {
			int c = rd_ch(s, j);
			if (n < 3 || (c != ' ' && c != '\t'))
				return RD_NO;
			bool auth;
			int rule = classify(id, n, &auth);
			if (rule < 0 || auth || !s->cfg->enabled[rule])
				return RD_NO;
			int r = opt_value(s, j + 1, &vs, &ve);
			if (r != RD_MATCH)
				return r;
			goto found;
		}
	} else {
		return RD_NO;
	}
	/* -u USER:PW, --user USER:PW, --user=USER:PW (curl, wget) */
	int c2 = rd_ch(s, j);
	if (c2 == RD_NEED)
		return RD_MORE;
	if (c2 == ' ' || c2 == '\t' || c2 == '=')
		j++;
	else if (!is_alnum(c2) && c2 != '\'' && c2 != '"')
		return RD_NO;
	int r = opt_value(s, j, &vs, &ve);
	if (r != RD_MATCH)
		return r;
	const unsigned char *colon = memchr(s->v + vs, ':', ve - vs);
	if (!colon || (size_t)(colon - s->v) + 1 >= ve || !line_has_cmd(s, p, curl))
		return RD_NO;
	vs = (size_t)(colon - s->v) + 1;
found:
	if (placeholder(s->v + vs, ve - vs))
		return RD_NO;
	set_match(m, vs, ve, RB_CMDLINE);
	return RD_MATCH;
}

/* ---- URLs with a password ------------------------------------------------------ */

/* At the ':' of "scheme://user:password@host": replace the password. */
static int url_at(const struct rd_scan *s, size_t p, struct rd_match *m)
{
	int pc = prev_ch(s, p);
	if (!(is_alnum(pc) || pc == '+' || pc == '.' || pc == '-'))
		return RD_NO;
	int r = lit_at(s, p, "://", 3);
	if (r != RD_MATCH)
		return r;
	size_t i = p + 3, at = 0, colon = 0;
	bool have_at = false, have_colon = false;
	for (size_t k = 0; k < RD_AUTH_MAX; k++, i++) {
		int c = rd_ch(s, i);
		if (c == RD_NEED)
			return RD_MORE;
		if (c < 0 || c <= ' ' || c == '/' || c == '?' || c == '#' || c == '"' || c == '\'' || c == '`' ||
		    c == '<' || c == '>' || c == '\\' || c == 0x7f)
			break;
		if (c == '@') {
			at = i;
			have_at = true;
		} else if (c == ':' && !have_colon) {
			colon = i;
			have_colon = true;
		}
	}
	if (!have_at || !have_colon || colon > at || colon + 1 == at)
		return RD_NO;
	set_match(m, colon + 1, at, RB_URL_PASSWORD);
	m->end = at;
	return RD_MATCH;
}

/* ---- keyword assignments: password=..., "secret": "...", api_key: ... ------------- */


enum kw_where { KW_ANY, KW_US }; /* anything before it, or '_' (or nothing) */

/* Names are compared as words: lower case, with '_' between the words of
 * every case style (snake_case, camelCase, PascalCase, kebab-case,
 * dotted.names, HTTP-Header-Names), so "SessionToken", "x-api-key",
 * "_authToken" and "AUTH_TOKEN" become session_token, x_api_key,
 * _auth_token and auth_token. */
static const struct {
	const char *kw;
	uint8_t len;
	uint8_t rule;
	uint8_t where;
} keywords[] = {
	{ "password", 8, RB_PASSWORD, KW_ANY },
	{ "passwd", 6, RB_PASSWORD, KW_ANY },
	{ "passphrase", 10, RB_PASSWORD, KW_ANY },
	{ "pass", 4, RB_PASSWORD, KW_US },
	{ "pwd", 3, RB_PASSWORD, KW_US }, /* not PWD/OLDPWD, the working directory */
	{ "account_key", 11, RB_AZURE_STORAGE, KW_US }, /* AccountKey= in a connection string */
	{ "shared_access_key", 17, RB_AZURE_STORAGE, KW_US }, /* SharedAccessKey= */
	{ "private_key_id", 14, RB_GCP_SA, KW_US }, /* a service-account JSON */
	{ "secret", 6, RB_SECRET, KW_ANY },
	{ "secret_key", 10, RB_SECRET, KW_ANY },
	{ "secretkey", 9, RB_SECRET, KW_ANY },
	{ "secret_access_key", 17, RB_SECRET, KW_ANY },
	{ "secretaccesskey", 15, RB_AWS_SECRET, KW_ANY },
	{ "api_key", 7, RB_SECRET, KW_ANY },
	{ "apikey", 6, RB_SECRET, KW_ANY },
	{ "access_key", 10, RB_SECRET, KW_ANY },
	{ "accesskey", 9, RB_SECRET, KW_ANY },
	{ "private_key", 11, RB_SECRET, KW_ANY },
	{ "token", 5, RB_SECRET, KW_US },
	{ "auth_token", 10, RB_SECRET, KW_ANY },
	{ "authtoken", 9, RB_SECRET, KW_ANY },
	{ "accesstoken", 11, RB_SECRET, KW_ANY },
	{ "refreshtoken", 12, RB_SECRET, KW_ANY },
	{ "sessiontoken", 12, RB_SECRET, KW_ANY },
	{ "credentials", 11, RB_SECRET, KW_US },
	{ "authorization", 13, RB_SECRET, KW_ANY },
};

/* The identifier before a separator, as words (above); its length, 0 if
 * there is none.  *pathy: a '/' comes just before it (a path, not a name). */
static size_t ident_before(const struct rd_scan *s, size_t p, char *id, bool *pathy)
{
	size_t i = p, k = 0;
	*pathy = false;
	while (i > 0 && k < 4 && (s->v[i - 1] == ' ' || s->v[i - 1] == '\t')) {
		i--;
		k++;
	}
	if (i > 0 && (s->v[i - 1] == '"' || s->v[i - 1] == '\'' || s->v[i - 1] == '`'))
		i--;
	size_t n = 0;
	while (i > 0 && n < IDENT_MAX) {
		int c = s->v[i - 1];
		if (!(is_alnum(c) || c == '_' || c == '-' || c == '.'))
			break;
		i--;
		n++;
	}
	*pathy = i > 0 && s->v[i - 1] == '/';
	size_t o = 0;
	for (size_t k2 = 0; k2 < n; k2++) {
		int c = s->v[i + k2];
		if (c >= 'A' && c <= 'Z' && k2 > 0) {
			int pc = s->v[i + k2 - 1];
			int nc = k2 + 1 < n ? s->v[i + k2 + 1] : 0;
			/* a word starts at an upper-case letter after a lower-case
			 * letter or digit, or before a lower-case one (APIKey) */
			if (((pc >= 'a' && pc <= 'z') || (pc >= '0' && pc <= '9') ||
			     (pc >= 'A' && pc <= 'Z' && nc >= 'a' && nc <= 'z')) &&
			    o > 0 && id[o - 1] != '_')
				id[o++] = '_';
		}
		c = lower(c);
		id[o++] = (char)(c == '-' || c == '.' ? '_' : c);
	}
	id[o] = '\0';
	return o;
}

/* The rule an identifier names, or -1. */
static int classify(const char *id, size_t n, bool *auth)
{
	*auth = false;
	char last = id[n - 1];
	if (last != 'd' && last != 'e' && last != 's' && last != 't' && last != 'y' && last != 'n')
		return -1; /* no keyword ends otherwise */
	for (size_t k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++) {
		size_t kl = keywords[k].len;
		if (n < kl || keywords[k].kw[kl - 1] != last || memcmp(id + n - kl, keywords[k].kw, kl) != 0)
			continue;
		if (keywords[k].where == KW_US && n > kl && id[n - kl - 1] != '_')
			continue;
		if (keywords[k].where == KW_US && n == kl && strcmp(id, "pwd") == 0)
			continue;
		int rule = keywords[k].rule;
		*auth = strcmp(keywords[k].kw, "authorization") == 0;
		if (rule == RB_SECRET && strstr(id, "aws") && strstr(id, "secret"))
			rule = RB_AWS_SECRET;
		if (rule == RB_SECRET && strcmp(id, "secret_access_key") == 0)
			rule = RB_AWS_SECRET; /* SecretAccessKey (STS JSON), SECRET_ACCESS_KEY */
		return rule;
	}
	return -1;
}

static bool placeholder(const unsigned char *v, size_t n)
{
	static const char *const words[] = { "null", "none", "nil", "undefined", "true", "false" };
	for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		size_t wl = strlen(words[k]);
		if (n != wl)
			continue;
		size_t j = 0;
		while (j < n && lower(v[j]) == words[k][j])
			j++;
		if (j == n)
			return true;
	}
	if (n >= 2 && ((v[0] == '$' && v[1] == '{') || (v[0] == '{' && v[1] == '{')))
		return true;
	size_t stars = 0;
	while (stars < n && v[stars] == '*')
		stars++;
	return stars == n;
}

static int value_detect(const struct rd_scan *s, size_t p, struct best *b);

static int assign_at(const struct rd_scan *s, size_t p, struct rd_match *m)
{
	int c0 = s->v[p];
	int pc = prev_ch(s, p);
	if (pc == '=' || pc == '!' || pc == '<' || pc == '>' || pc == ':')
		return RD_NO; /* the second byte of an operator */
	/* the keyword first: it is behind us, so no waiting for ordinary text */
	char id[2 * IDENT_MAX + 1];
	bool pathy;
	size_t n = ident_before(s, p, id, &pathy);
	if (n < 3)
		return RD_NO;
	if (pathy && c0 == ':')
		return RD_NO; /* "cat: /run/secret: No such file": a path, then a message */
	bool auth;
	int rule = classify(id, n, &auth);
	if (rule < 0 || !s->cfg->enabled[rule])
		return RD_NO;
	size_t j = p + 1;
	int c1 = rd_ch(s, j);
	if (c1 == RD_NEED)
		return RD_MORE;
	if (c0 == ':' && (c1 == '/' || c1 == ':'))
		return RD_NO;
	if ((c0 == ':' && c1 == '=') || (c0 == '=' && (c1 == '>' || c1 == '=')))
		j++;
	for (size_t k = 0;; k++, j++) {
		int c = rd_ch(s, j);
		if (c == RD_NEED)
			return RD_MORE;
		if (c != ' ' && c != '\t')
			break;
		if (k == 16)
			return RD_NO;
	}
	int q = rd_ch(s, j);
	if (q == RD_NEED)
		return RD_MORE;
	bool quoted = q == '"' || q == '\'' || q == '`';
	if (quoted)
		j++;
	bool schemed = false;
	if (auth) {
		/* Authorization: <scheme> <credentials> */
		size_t w = 0;
		for (;; w++) {
			int c = rd_ch(s, j + w);
			if (c == RD_NEED)
				return RD_MORE;
			if (!(c >= 0 && (rd_cls[c] & (CC_UP | CC_LO))) || w == 16)
				break;
		}
		if (w > 0 && rd_ch(s, j + w) == ' ') {
			int c = rd_ch(s, j + w + 1);
			if (c == RD_NEED)
				return RD_MORE;
			if (c > ' ' && c != q) {
				j += w + 1;
				schemed = true;
			}
		}
	}
	size_t vs = j, len = 0;
	bool closed = false;
	for (;;) {
		if (len >= RD_VALUE_MAX)
			break;
		int c = rd_ch(s, j);
		if (c == RD_NEED)
			return RD_MORE;
		if (c < 0 || c == '\n' || c == '\r')
			break;
		if (quoted) {
			if (c == q) {
				closed = true;
				break;
			}
			if (c == '\\') {
				int c2 = rd_ch(s, j + 1);
				if (c2 == RD_NEED)
					return RD_MORE;
				if (c2 >= 0 && c2 != '\n' && c2 != '\r') {
					j += 2;
					len += 2;
					continue;
				}
			}
		} else if (!(rd_cls[c] & CC_VAL)) {
			break;
		}
		j++;
		len++;
	}
	size_t ve = j;
	if (ve == vs || placeholder(s->v + vs, ve - vs))
		return RD_NO;
	if (c0 == ':' && !quoted && !schemed) {
		/* "secret: No such file", "token: not found": a keyword, a colon
		 * and prose is a message, not an assignment.  Prose: a value of
		 * letters only, followed by a blank and another letter. */
		bool letters = true;
		for (size_t k = vs; k < ve && letters; k++)
			letters = (rd_cls[s->v[k]] & (CC_UP | CC_LO)) != 0;
		if (letters) {
			size_t k = ve, b = 0;
			for (;; k++, b++) {
				int c = rd_ch(s, k);
				if (c == RD_NEED)
					return RD_MORE;
				if ((c != ' ' && c != '\t') || b == 5)
					break;
			}
			int c = rd_ch(s, k);
			if (b > 0 && b <= 4 && c >= 0 && (rd_cls[c] & (CC_UP | CC_LO)))
				return RD_NO;
		}
	}
	/* A known token as the value: counted under its own rule; a block or
	 * a long token is left to its own detector at the value's start. */
	struct best b = { 0 };
	if (value_detect(s, vs, &b) == RD_MORE)
		return RD_MORE;
	if (b.have && b.m.rs == vs) {
		if (b.m.mode != RM_NORMAL)
			return RD_NO;
		rule = b.m.rule;
		if (b.m.re > ve)
			ve = b.m.re;
	}
	set_match(m, vs, ve, rule);
	if (len >= RD_VALUE_MAX && !closed && ve == j) {
		if (quoted) {
			m->mode = RM_UNTIL;
			m->cls = (uint16_t)q;
		} else {
			m->mode = RM_CLASS;
			m->cls = CC_VAL;
		}
	}
	return RD_MATCH;
}

/* ---- AWS secret keys without a keyword, just after an access key id ------------------ */

int rd_detect_aws_bare(const struct rd_scan *s, size_t p, struct rd_match *m)
{
	const uint16_t k = CC_ALNUM | CC_SLASH | CC_PLUS;
	int pc = prev_ch(s, p);
	if (pc >= 0 && (rd_cls[pc] & (k | CC_EQ)))
		return RD_NO;
	bool up = false, lo = false, dig = false;
	for (size_t i = 0; i < 41; i++) {
		int c = rd_ch(s, p + i);
		if (c == RD_NEED)
			return RD_MORE;
		bool in = c >= 0 && (rd_cls[c] & k);
		if (i == 40) {
			if (in || c == '=')
				return RD_NO;
			break;
		}
		if (!in)
			return RD_NO;
		up |= (rd_cls[c] & CC_UP) != 0;
		lo |= (rd_cls[c] & CC_LO) != 0;
		dig |= (rd_cls[c] & CC_DIG) != 0;
	}
	if (!(up && lo && dig))
		return RD_NO;
	set_match(m, p, p + 40, RB_AWS_SECRET);
	return RD_MATCH;
}


/* ---- encoded runs: base64, hex, percent-encoding, backslash escapes ------------------ */

/*
 * A secret printed encoded is looked for in its decoding, as gitleaks does:
 * a run of base64 or hex characters, or a run of URL or string characters
 * holding %XX, \/, \uXXXX or \xXX escapes, is decoded (at most RD_ENC_MAX
 * view bytes of it) and the built-in detectors run over the decoded bytes,
 * recursively (RD_ENC_DEPTH).  A match there is counted under its own rule.
 * A base64 or hex run is replaced whole (its bytes cannot be told apart);
 * an escaped run has its matching part mapped back and replaced alone.
 * Runs start where the byte before is not of their class, so each is
 * decoded once, from its start: the alignment of a secret inside it does
 * not matter.
 */

#define B64RUN (CC_ALNUM | CC_PLUS | CC_SLASH | CC_US | CC_DASH)

/* Bytes of a URL or of a string's contents: printable, no blank, no quote,
 * no bracket; '\\' and '%' included. */
static const bool wide[256] = {
	['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1,
	['/'] = 1, ['0' ... '9'] = 1, [':'] = 1, [';'] = 1, ['='] = 1, ['?'] = 1, ['@'] = 1, ['A' ... 'Z'] = 1,
	['\\'] = 1, ['^'] = 1, ['_'] = 1, ['a' ... 'z'] = 1, ['|'] = 1, ['~'] = 1,
};

static inline int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The first built-in match in decoded bytes, or false.  The same scan as
 * the engine's, on a buffer that is whole (eof): the prefilter first, the
 * decoders only at their own candidates. */
static bool scan_decoded(const struct rd_scan *outer, const unsigned char *buf, size_t n, struct rd_match *m)
{
	struct rd_scan in = { .v = buf, .n = n, .h = 0, .eof = true, .cfg = outer->cfg, .depth = outer->depth + 1,
			      .restart = SIZE_MAX };
	const uint16_t *trig = outer->cfg->trig;
	size_t cache[4] = { SIZE_MAX, 0, SIZE_MAX, 0 };
	size_t enc = in.depth < RD_ENC_DEPTH ? rd_enc_next(&in, 0, cache) : n;
	bool inword = false;
	for (size_t p = 0; p < n; p++) {
		uint16_t t = trig[buf[p]];
		bool skip = !t || ((t & TR_BOUND) && inword);
		inword = (rd_cls[buf[p]] & CC_ALNUM) != 0;
		t &= (uint16_t)~(TR_BOUND | TR_LIT | TR_PATH);
		if (!skip && t && (p + 3 >= n || rd_prefilter(&in, p, t)) && rd_detect_builtin(&in, p, t, m) == RD_MATCH)
			return true;
		if (p == enc) {
			if (rd_detect_enc(&in, p, m) == RD_MATCH)
				return true;
			enc = rd_enc_next(&in, p + 1, cache);
		}
	}
	return false;
}

static inline unsigned b64v(int c)
{
	if (c >= 'A' && c <= 'Z')
		return (unsigned)(c - 'A');
	if (c >= 'a' && c <= 'z')
		return (unsigned)(c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0' + 52);
	return c == '+' || c == '-' ? 62u : 63u; /* '/' or '_' */
}

/* A base64 or hex run starting at p. */
static int b64hex_at(const struct rd_scan *s, size_t p, struct rd_match *m)
{
	int pc = prev_ch(s, p);
	if (pc >= 0 && ((rd_cls[pc] & B64RUN) || pc == '%' || pc == '\\'))
		return RD_NO;
	size_t n = 0;
	unsigned seen = 0;
	for (;;) {
		int c = rd_ch(s, p + n);
		if (c == RD_NEED)
			return RD_MORE;
		if (c < 0 || !(rd_cls[c] & B64RUN) || n == RD_ENC_MAX)
			break;
		seen |= rd_cls[c];
		n++;
	}
	if (n < RD_ENC_MIN)
		return RD_NO;
	size_t e = p + n, pad = 0;
	for (; pad < 2; pad++) {
		int c = rd_ch(s, e + pad);
		if (c == RD_NEED)
			return RD_MORE;
		if (c != '=')
			break;
	}
	unsigned char buf[RD_ENC_MAX];
	size_t dn = 0;
	bool hex = !(seen & (CC_PLUS | CC_SLASH | CC_US | CC_DASH)) && n % 2 == 0 && pad == 0;
	for (size_t k = 0; hex && k < n; k++)
		if (hexval(s->v[p + k]) < 0)
			hex = false;
	if (hex && !((seen & CC_UP) && (seen & CC_LO))) {
		for (size_t k = 0; k + 1 < n; k += 2)
			buf[dn++] = (unsigned char)(hexval(s->v[p + k]) << 4 | hexval(s->v[p + k + 1]));
	} else {
		/* base64: both cases (text of any length encodes to both), one
		 * alphabet, standard or URL-safe */
		if (!((seen & CC_UP) && (seen & CC_LO)))
			return RD_NO;
		if ((seen & (CC_PLUS | CC_SLASH)) && (seen & (CC_US | CC_DASH)))
			return RD_NO;
		unsigned acc = 0, bits = 0;
		for (size_t k = 0; k < n; k++) {
			acc = (acc << 6 | b64v(s->v[p + k])) & 0xffffff;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				buf[dn++] = (unsigned char)(acc >> bits);
			}
		}
	}
	struct rd_match in;
	if (!scan_decoded(s, buf, dn, &in))
		return RD_NO;
	set_match(m, p, e + pad, in.rule);
	if (n == RD_ENC_MAX) {
		m->mode = RM_CLASS; /* the rest of the run goes too */
		m->cls = B64RUN | CC_EQ;
	}
	return RD_MATCH;
}

/* A run of URL or string characters holding escapes, starting at p. */
static int escaped_at(const struct rd_scan *s, size_t p, struct rd_match *m)
{
	int pc = prev_ch(s, p);
	if (pc >= 0 && wide[pc] && p != s->restart)
		return RD_NO; /* inside a run, unless right after a match in it: a second secret */
	size_t n = 0;
	bool esc = false;
	for (;;) {
		int c = rd_ch(s, p + n);
		if (c == RD_NEED)
			return RD_MORE;
		if (c < 0 || !wide[c] || n == RD_ENC_MAX)
			break;
		esc |= c == '%' || c == '\\';
		n++;
	}
	if (!esc)
		return RD_NO;
	/* decode; off[k] is where decoded byte k starts, off[k + 1] where it ends */
	unsigned char buf[RD_ENC_MAX];
	uint16_t off[RD_ENC_MAX + 1];
	size_t dn = 0, k = 0;
	bool any = false;
	const unsigned char *v = s->v + p;
	while (k < n) {
		size_t used = 1;
		int b = v[k];
		if (v[k] == '%' && k + 2 < n && hexval(v[k + 1]) >= 0 && hexval(v[k + 2]) >= 0) {
			b = hexval(v[k + 1]) << 4 | hexval(v[k + 2]);
			used = 3;
		} else if (v[k] == '\\' && k + 1 < n) {
			int c = v[k + 1];
			if (c == '/' || c == '\\') {
				b = c;
				used = 2;
			} else if (c == 'x' && k + 3 < n && hexval(v[k + 2]) >= 0 && hexval(v[k + 3]) >= 0) {
				b = hexval(v[k + 2]) << 4 | hexval(v[k + 3]);
				used = 4;
			} else if (c == 'u' && k + 5 < n && hexval(v[k + 2]) == 0 && hexval(v[k + 3]) == 0 &&
			           hexval(v[k + 4]) >= 0 && hexval(v[k + 5]) >= 0 && hexval(v[k + 4]) < 8) {
				b = hexval(v[k + 4]) << 4 | hexval(v[k + 5]); /* \\u00XX: ASCII */
				used = 6;
			}
		}
		any |= used > 1;
		off[dn] = (uint16_t)k;
		buf[dn++] = (unsigned char)b;
		k += used;
	}
	off[dn] = (uint16_t)k;
	if (!any)
		return RD_NO;
	struct rd_match in;
	if (!scan_decoded(s, buf, dn, &in))
		return RD_NO;
	/* the decoded span, mapped back; a match running on (a long token, a
	 * PEM block) carries on in the stream as it would have */
	set_match(m, p + off[in.rs], p + off[in.re], in.rule);
	m->end = p + off[in.end < dn ? in.end : dn];
	if (m->end < m->re)
		m->end = m->re;
	m->mode = in.mode;
	m->cls = in.cls;
	m->dotjoin = in.dotjoin;
	return RD_MATCH;
}


/* Where the decoders may match next, at or after p: the start of a base64
 * run of at least RD_ENC_MIN characters, or of a string run holding an
 * escape within its first RD_ENC_MAX bytes, or of an unfinished run at the
 * end of the available bytes (the decoders then ask for more); s->n when
 * there is none.  It depends on the bytes from p - 1 on only, so it finds
 * the same positions whatever the chunking.  A literal prefilter: the
 * escape characters are found with memchr, a base64 run by looking
 * RD_ENC_MIN - 1 bytes ahead. */
#ifdef __SSE2__
/* One bit per byte of p[0, 16): in B64RUN. */
static inline uint32_t b64mask16(const unsigned char *p)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i lo = _mm_or_si128(x, _mm_set1_epi8(0x20)); /* letters in lower case; bytes >= 0x80 are negative */
	__m128i let = _mm_and_si128(_mm_cmpgt_epi8(lo, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(lo, _mm_set1_epi8('z' + 1)));
	__m128i dig = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
	__m128i sym = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('+')), _mm_cmpeq_epi8(x, _mm_set1_epi8('/'))),
	                           _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('_')), _mm_cmpeq_epi8(x, _mm_set1_epi8('-'))));
	return (uint32_t)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(let, dig), sym));
}
#endif

static size_t b64_next_scalar(const struct rd_scan *s, size_t p);

/* The run at r is one b64hex_at answers NO for, whatever follows (it
 * holds a byte that is no hex digit and not letters of both cases, and it
 * ends, with the two bytes after it, in the view): *e is where the search
 * for the next run goes on. */
static bool b64_undecodable(const struct rd_scan *s, size_t r, size_t *e)
{
	const unsigned char *v = s->v;
	size_t n = s->n, i = r;
	unsigned seen = 0;
	while (i < n && i - r < RD_ENC_MAX && (rd_cls[v[i]] & B64RUN))
		seen |= rd_cls[v[i++]] ^ CC_HEX; /* CC_HEX set: some byte is no hex digit */
	if (i - r < RD_ENC_MAX && i + 2 > n && !s->eof)
		return false; /* the run or its padding may go on */
	*e = i;
	return !((seen & CC_UP) && (seen & CC_LO)) && (seen & CC_HEX);
}

static size_t b64_next_raw(const struct rd_scan *s, size_t p);

/* The next run the decoders look into: the next run of RD_ENC_MIN bytes
 * or more (b64_next_raw), passing over runs b64hex_at cannot decode (a
 * request id, a hostname, a path of lower-case words). */
static size_t b64_next(const struct rd_scan *s, size_t p)
{
	if (s->cfg->fp_level < 0)
		return b64_next_raw(s, p); /* tests: the reference */
	for (;;) {
		size_t r = b64_next_raw(s, p), e;
		if (r >= s->n || !b64_undecodable(s, r, &e))
			return r;
		p = e;
	}
}

/* The same answer as b64_next_scalar, 64 bytes at a time: a class mask of
 * 80 bytes, and the positions where 16 set bits in a row start. */
#ifdef __SSE2__
/* Given m, bit j set when v[i + j] is in B64RUN (80 bits), the first
 * j < 64 where a run of RD_ENC_MIN starts that no escape's '%' or '\\'
 * comes just before: i + j, or SIZE_MAX. */
static inline size_t b64_starts(const unsigned char *v, size_t i, unsigned __int128 m)
{
	unsigned __int128 r = m & (m >> 1);
	r &= r >> 2;
	r &= r >> 4;
	r &= r >> 8; /* bit j: bytes j .. j+15 all in the class */
	unsigned __int128 before = m << 1;
	if (i > 0 && (rd_cls[v[i - 1]] & B64RUN))
		before |= 1;
	uint64_t starts = (uint64_t)(r & ~before);
	while (starts) {
		unsigned j = (unsigned)__builtin_ctzll(starts);
		size_t at = i + j;
		if (at == 0 || (v[at - 1] != '%' && v[at - 1] != '\\'))
			return at;
		starts &= starts - 1;
	}
	return SIZE_MAX;
}
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* One bit per byte of p[0, 32): in B64RUN (AVX2). */
__attribute__((target("avx2"))) static inline uint64_t b64mask32(const unsigned char *p)
{
	__m256i x = _mm256_loadu_si256((const __m256i *)(const void *)p);
	__m256i lo = _mm256_or_si256(x, _mm256_set1_epi8(0x20));
	__m256i let = _mm256_and_si256(_mm256_cmpgt_epi8(lo, _mm256_set1_epi8('a' - 1)), _mm256_cmpgt_epi8(_mm256_set1_epi8('z' + 1), lo));
	__m256i dig = _mm256_and_si256(_mm256_cmpgt_epi8(x, _mm256_set1_epi8('0' - 1)), _mm256_cmpgt_epi8(_mm256_set1_epi8('9' + 1), x));
	__m256i sym = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(x, _mm256_set1_epi8('+')), _mm256_cmpeq_epi8(x, _mm256_set1_epi8('/'))),
	                              _mm256_or_si256(_mm256_cmpeq_epi8(x, _mm256_set1_epi8('_')), _mm256_cmpeq_epi8(x, _mm256_set1_epi8('-'))));
	return (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_or_si256(_mm256_or_si256(let, dig), sym));
}

/* b64_next_raw with AVX2: the same masks, 32 bytes a load. */
__attribute__((target("avx2"))) static size_t b64_next_avx2(const struct rd_scan *s, size_t p)
{
	const unsigned char *v = s->v;
	size_t n = s->n, i = p;
	if (i + 96 > n)
		return b64_next_scalar(s, i);
	uint64_t m0 = b64mask32(v + i) | b64mask32(v + i + 32) << 32;
	while (i + 128 <= n) {
		uint64_t m1 = b64mask32(v + i + 64) | b64mask32(v + i + 96) << 32; /* the next block's, carried */
		size_t at = b64_starts(v, i, (unsigned __int128)m0 | (unsigned __int128)m1 << 64);
		if (at != SIZE_MAX)
			return at;
		m0 = m1;
		i += 64;
	}
	if (i + 96 <= n) {
		size_t at = b64_starts(v, i, (unsigned __int128)m0 | (unsigned __int128)b64mask32(v + i + 64) << 64);
		if (at != SIZE_MAX)
			return at;
		i += 64;
	}
	return b64_next_scalar(s, i);
}

/* One bit per byte of p[0, 64): in B64RUN (AVX-512 BW and VBMI). */
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) static inline uint64_t b64mask64(const unsigned char *p, __m512i ta,
                                                                                        __m512i tb)
{
	__m512i x = _mm512_loadu_si512((const void *)p);
	__mmask64 ascii = ~_mm512_movepi8_mask(x);
	return (uint64_t)_mm512_mask_test_epi8_mask(ascii, _mm512_permutex2var_epi8(ta, x, tb), _mm512_set1_epi8(1));
}

/* b64_next_raw with AVX-512 (BW and VBMI): the same masks, 64 bytes a
 * load, each block's mask carried to the next step. */
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) static size_t b64_next_512(const struct rd_scan *s, size_t p)
{
	const unsigned char *v = s->v;
	size_t n = s->n, i = p;
	if (i + 128 > n)
		return b64_next_avx2(s, i);
	const __m512i ta = _mm512_loadu_si512((const void *)s->cfg->b64_x);
	const __m512i tb = _mm512_loadu_si512((const void *)(s->cfg->b64_x + 64));
	uint64_t m0 = b64mask64(v + i, ta, tb);
	while (i + 128 <= n) {
		uint64_t m1 = b64mask64(v + i + 64, ta, tb);
		size_t at = b64_starts(v, i, (unsigned __int128)m0 | (unsigned __int128)m1 << 64);
		if (at != SIZE_MAX)
			return at;
		m0 = m1;
		i += 64;
	}
	return b64_next_avx2(s, i);
}
#endif

static size_t b64_next_raw(const struct rd_scan *s, size_t p)
{
#if defined(__x86_64__) && defined(__GNUC__)
	if (s->cfg->fp_level == 3)
		return b64_next_512(s, p);
	if (s->cfg->fp_level == 2)
		return b64_next_avx2(s, p);
#endif
#ifdef __SSE2__
	const unsigned char *v = s->v;
	size_t n = s->n, i = p;
	while (i + 80 <= n) {
		unsigned __int128 m = (unsigned __int128)b64mask16(v + i) | (unsigned __int128)b64mask16(v + i + 16) << 16 |
		                      (unsigned __int128)b64mask16(v + i + 32) << 32 |
		                      (unsigned __int128)b64mask16(v + i + 48) << 48 |
		                      (unsigned __int128)b64mask16(v + i + 64) << 64;
		size_t at = b64_starts(v, i, m);
		if (at != SIZE_MAX)
			return at;
		i += 64;
	}
	return b64_next_scalar(s, i);
#else
	return b64_next_scalar(s, p);
#endif
}

static size_t b64_next_scalar(const struct rd_scan *s, size_t p)
{
	const unsigned char *v = s->v;
	size_t n = s->n, i = p;
	if (i > 0 && (rd_cls[v[i - 1]] & B64RUN))
		while (i < n && (rd_cls[v[i]] & B64RUN))
			i++; /* the rest of a run that started before p */
	for (;;) {
		if (i + RD_ENC_MIN - 1 >= n) {
			/* the tail: only an unfinished run reaching n counts */
			if (s->eof || i >= n || !(rd_cls[v[n - 1]] & B64RUN))
				return n;
			size_t r = n - 1;
			while (r > i && (rd_cls[v[r - 1]] & B64RUN))
				r--;
			if (r == i && i > 0 && (rd_cls[v[i - 1]] & B64RUN))
				return n;
			return r;
		}
		if (!(rd_cls[v[i + RD_ENC_MIN - 1]] & B64RUN)) {
			i += RD_ENC_MIN;
			continue;
		}
		/* a run covers i + 15: find its start (not before i) and length */
		size_t r = i + RD_ENC_MIN - 1;
		while (r > i && (rd_cls[v[r - 1]] & B64RUN))
			r--;
		size_t e = i + RD_ENC_MIN;
		while (e < n && (rd_cls[v[e]] & B64RUN) && e - r < RD_ENC_MIN)
			e++;
		if (e - r >= RD_ENC_MIN || (e == n && !s->eof)) {
			int pc = r > 0 ? v[r - 1] : -1;
			if (!(pc >= 0 && (rd_cls[pc] & B64RUN)) && pc != '%' && pc != '\\')
				return r;
		}
		while (e < n && (rd_cls[v[e]] & B64RUN))
			e++;
		i = e;
	}
}

/* The next c at or after i (n: none).  cache[0] is the answer to a search
 * from cache[1]: still the answer for any i in [cache[1], cache[0]]. */
static size_t next_byte(const struct rd_scan *s, int c, size_t i, size_t *cache)
{
	if (cache[0] != SIZE_MAX && cache[1] <= i && i <= cache[0])
		return cache[0];
	const unsigned char *x = i < s->n ? memchr(s->v + i, c, s->n - i) : NULL;
	cache[0] = x ? (size_t)(x - s->v) : s->n;
	cache[1] = i;
	return cache[0];
}

static size_t esc_next(const struct rd_scan *s, size_t p, size_t *cache)
{
	const unsigned char *v = s->v;
	size_t n = s->n, i = p;
	for (;;) {
		size_t a = next_byte(s, '%', i, cache), b = next_byte(s, '\\', i, cache + 2);
		const unsigned char *x = a < n || b < n ? v + (a < b ? a : b) : NULL;
		if (!x) {
			/* no escape yet: an unfinished run reaching n may get one */
			if (s->eof || n == 0 || !wide[v[n - 1]])
				return n;
			size_t r = n - 1;
			while (r > 0 && wide[v[r - 1]] && n - r < RD_ENC_MAX)
				r--;
			if (r < p || (r > 0 && wide[v[r - 1]]))
				return n;
			return r;
		}
		size_t e = (size_t)(x - v), r = e;
		while (r > 0 && wide[v[r - 1]] && e - r < RD_ENC_MAX)
			r--;
		if (r >= p && !(r > 0 && wide[v[r - 1]]))
			return r;
		i = e + 1;
	}
}

size_t rd_enc_next(const struct rd_scan *s, size_t p, size_t cache[4])
{
	size_t a = b64_next(s, p), b = esc_next(s, p, cache);
	return a < b ? a : b;
}

/* A host path cordon knows at p (a '/'), as a whole path or a prefix
 * ending at a component's end: replaced by the name the program knows it
 * by.  The longest wins. */
int rd_detect_path(const struct rd_scan *s, size_t p, struct rd_match *m)
{
	const struct rd_config *c = s->cfg;
	int pc = prev_ch(s, p);
	if (pc >= 0 && (is_alnum(pc) || pc == '.' || pc == '_' || pc == '-' || pc == '~' || pc == '/'))
		return RD_NO;
	bool more = false, have = false;
	for (size_t k = 0; k < c->n_paths; k++) {
		const struct rd_path *hp = &c->paths[k];
		size_t avail = s->n - p, cmp = avail < hp->hlen ? avail : hp->hlen;
		if (memcmp(s->v + p, hp->host, cmp) != 0)
			continue;
		if (cmp < hp->hlen) {
			more |= !s->eof;
			continue;
		}
		int nc = rd_ch(s, p + hp->hlen);
		if (nc == RD_NEED) {
			more = true;
			continue;
		}
		if (nc >= 0 && (is_alnum(nc) || nc == '.' || nc == '_' || nc == '-' || nc == '~'))
			continue; /* /srv/data is not /srv/database */
		if (!have || p + hp->hlen > m->re) {
			have = true;
			set_match(m, p, p + hp->hlen, c->path_rule);
			m->repl = hp->name;
			m->repl_len = hp->nlen;
		}
	}
	return more ? RD_MORE : have ? RD_MATCH : RD_NO;
}

int rd_detect_enc(const struct rd_scan *s, size_t p, struct rd_match *m)
{
	struct best b = { 0 };
	struct rd_match x;
	int c = s->v[p];
	if (rd_cls[c] & B64RUN)
		consider(&b, b64hex_at(s, p, &x), &x);
	if (wide[c])
		consider(&b, escaped_at(s, p, &x), &x);
	return best_result(&b, m);
}


/* ---- dispatch -------------------------------------------------------------------- */

/* What may start a value: tokens, JWTs, PEM blocks, cards. */
static int value_detect(const struct rd_scan *s, size_t p, struct best *b)
{
	int c = rd_ch(s, p);
	if (c == RD_NEED)
		return RD_MORE;
	if (c < 0)
		return RD_NO;
	uint16_t t = s->cfg->trig[c];
	struct rd_match m;
	if (t & TR_TOKEN)
		tokens_at(s, p, b);
	if ((t & TR_JWT) && s->cfg->enabled[RB_JWT])
		consider(b, jwt_at(s, p, &m), &m);
	if ((t & TR_PEM) && s->cfg->enabled[RB_PEM])
		consider(b, pem_begin_at(s, p, &m), &m);
	if ((t & TR_DIGIT) && s->cfg->enabled[RB_CARD])
		consider(b, card_at(s, p, &m), &m);
	return b->more ? RD_MORE : RD_NO;
}

int rd_detect_builtin(const struct rd_scan *s, size_t p, uint16_t trig, struct rd_match *m)
{
	struct best b = { 0 };
	struct rd_match x;
	if (trig & TR_TOKEN)
		tokens_at(s, p, &b);
	if ((trig & TR_JWT) && s->cfg->enabled[RB_JWT])
		consider(&b, jwt_at(s, p, &x), &x);
	if ((trig & TR_PEM) && s->cfg->enabled[RB_PEM])
		consider(&b, pem_begin_at(s, p, &x), &x);
	if ((trig & TR_CMD) && s->cfg->enabled[RB_CMDLINE])
		consider(&b, cmdline_at(s, p, &x), &x);
	if (trig & TR_ASSIGN) {
		if (s->v[p] == ':' && s->cfg->enabled[RB_URL_PASSWORD])
			consider(&b, url_at(s, p, &x), &x);
		consider(&b, assign_at(s, p, &x), &x);
	}
	if (trig & TR_DIGIT) {
		if (s->cfg->enabled[RB_CARD])
			consider(&b, card_at(s, p, &x), &x);
		if (s->cfg->enabled[RB_SSN])
			consider(&b, ssn_at(s, p, &x), &x);
	}
	return best_result(&b, m);
}

/* The four-byte filter: every way a token may begin (its prefix, then
 * bytes of its body class when the prefix is shorter than four; every
 * token's body is at least ten bytes). */
static void tok4_add(struct rd_config *c, const struct tokdef *t)
{
	unsigned char b[4];
	size_t pl = t->plen < 4 ? t->plen : 4;
	memcpy(b, t->prefix, pl);
	unsigned span = 1;
	for (size_t j = pl; j < 4; j++)
		span *= 256;
	for (unsigned x = 0; x < span; x++) {
		bool ok = true;
		unsigned y = x;
		for (size_t j = pl; j < 4; j++, y >>= 8) {
			b[j] = (unsigned char)(y & 255);
			if (!(rd_cls[b[j]] & t->cls))
				ok = false;
		}
		if (!ok)
			continue;
		unsigned h = rd_tok4_hash(b);
		c->tok4[h >> 3] |= (uint8_t)(1u << (h & 7));
	}
}

void rd_builtin_triggers(struct rd_config *c)
{
	uint16_t *trig = c->trig;
	memset(c->tok_lo, 0, sizeof(c->tok_lo));
	memset(c->tok_hi, 0, sizeof(c->tok_hi));
	memset(c->tokpair, 0, sizeof(c->tokpair));
	memset(c->tok4, 0, sizeof(c->tok4));
	/* group the table by first byte (a counting sort keeps the order) */
	size_t count[257] = { 0 };
	for (size_t k = 0; k < N_TOKS; k++)
		count[(unsigned char)toks[k].prefix[0] + 1]++;
	for (int b = 0; b < 256; b++)
		count[b + 1] += count[b];
	for (int b = 0; b < 256; b++) {
		c->tok_lo[b] = (uint8_t)count[b];
		c->tok_hi[b] = (uint8_t)count[b];
	}
	for (size_t k = 0; k < N_TOKS; k++) {
		unsigned char b = (unsigned char)toks[k].prefix[0];
		c->tok_ord[c->tok_hi[b]++] = (uint8_t)k;
		if (c->enabled[toks[k].rule]) {
			trig[b] |= TR_TOKEN;
			unsigned char b1 = (unsigned char)toks[k].prefix[1];
			c->tokpair[b][b1 >> 3] |= (uint8_t)(1u << (b1 & 7));
			tok4_add(c, &toks[k]);
		}
	}
	if (c->enabled[RB_JWT])
		trig['e'] |= TR_JWT;
	if (c->enabled[RB_PEM])
		trig['-'] |= TR_PEM;
	if (c->enabled[RB_CMDLINE])
		trig['-'] |= TR_CMD;
	bool assign = c->enabled[RB_URL_PASSWORD] || c->enabled[RB_PASSWORD] || c->enabled[RB_SECRET] ||
	              c->enabled[RB_AWS_SECRET];
	if (assign) {
		trig['='] |= TR_ASSIGN;
		trig[':'] |= TR_ASSIGN;
	}
	if (c->enabled[RB_CARD] || c->enabled[RB_SSN])
		for (int d = '0'; d <= '9'; d++)
			trig[d] |= TR_DIGIT;
	/* Bytes where every detector wants a byte before it that is no
	 * letter or digit: the scan skips them inside words. */
	for (int b = 0; b < 256; b++) {
		if (!trig[b])
			continue;
		bool all = (trig[b] & ~(TR_TOKEN | TR_DIGIT | TR_JWT)) == 0;
		for (size_t k = c->tok_lo[b]; all && k < c->tok_hi[b]; k++)
			if (c->enabled[toks[c->tok_ord[k]].rule] && !toks[c->tok_ord[k]].boundary)
				all = false;
		if (all)
			trig[b] |= TR_BOUND;
	}
}

/* The fingerprint skip needs SSSE3 (PSHUFB), its 64-byte form AVX2 or
 * (whole-byte tables, mask registers) AVX-512BW with VBMI, checked at run
 * time: 3, 2, 1 or 0. */
static int rd_fp_cpu(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi"))
		return 3;
	if (__builtin_cpu_supports("avx2"))
		return 2;
	return __builtin_cpu_supports("ssse3") ? 1 : 0;
#else
	return 0;
#endif
}

/* Put byte x in class bit k of class table t (a superset: see redact.h). */
static void fp_cls(struct rd_config *c, int t, int k, int x)
{
	c->fp_cls_lo[t][x & 15] |= (uint8_t)(1u << k);
	c->fp_cls_hi[t][x >> 4] |= (uint8_t)(1u << k);
	if (x < 128)
		c->fp_cls_x[t][x] |= (uint8_t)(1u << k);
	else
		c->fp_cls_xhi[t] |= (uint8_t)(1u << k);
}

/* Put the four bytes b[0..3] in bucket k of the fingerprint tables; a
 * byte given as -1 is any byte, -2 any byte of class cls. */
static void fp_add(struct rd_config *c, int k, const int b[4], uint16_t cls)
{
	for (int j = 0; j < 4; j++)
		for (int x = 0; x < 256; x++)
			if (b[j] == x || b[j] == -1 || (b[j] == -2 && (rd_cls[x] & cls))) {
				c->fp_lo[j][x & 15] |= (uint8_t)(1u << k);
				c->fp_hi[j][x >> 4] |= (uint8_t)(1u << k);
				if (x < 128)
					c->fp_x[j][x] |= (uint8_t)(1u << k);
				else
					c->fp_xhi[j] |= (uint8_t)(1u << k);
			}
}

void rd_fp_build(struct rd_config *c)
{
	const uint16_t known = TR_TOKEN | TR_DIGIT | TR_ASSIGN | TR_PEM | TR_JWT | TR_LIT | TR_CMD | TR_PATH | TR_BOUND;
	memset(c->fp_lo, 0, sizeof(c->fp_lo));
	memset(c->fp_hi, 0, sizeof(c->fp_hi));
	memset(c->fp_cls_lo, 0, sizeof(c->fp_cls_lo));
	memset(c->fp_cls_hi, 0, sizeof(c->fp_cls_hi));
	memset(c->fp_x, 0, sizeof(c->fp_x));
	memset(c->fp_xhi, 0, sizeof(c->fp_xhi));
	memset(c->fp_cls_x, 0, sizeof(c->fp_cls_x));
	memset(c->fp_cls_xhi, 0, sizeof(c->fp_cls_xhi));
	for (int x = 0; x < 128; x++)
		c->b64_x[x] = (rd_cls[x] & B64RUN) ? 1 : 0;
	static const struct {
		int k;
		const char *x;
	} kw[] = { { FPK_I, "iI" }, { FPK_O, "oO" }, { FPK_Y, "yY" }, { FPK_US, "_-." },
		   { FPK_T, "tT" }, { FPK_A, "aA" }, { FPK_Z, "zZ" }, { FPK_K, "kK" } };
	memset(c->fp_kw_x, 0, sizeof(c->fp_kw_x));
	for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		for (const char *x = kw[i].x; *x; x++)
			c->fp_kw_x[(unsigned char)*x] |= (uint8_t)(1u << kw[i].k);
	c->n_fp_always = 0;
	c->fp_level = c->fp_max = 0;
	c->fp_digit = c->fp_assign = false;
	for (int x = 0; x < 256; x++) {
		uint16_t t = c->trig[x];
		if (t & (uint16_t)~known)
			return; /* a trigger this skip does not know: the byte skip serves */
		if (t & (TR_LIT | TR_PATH)) {
			if (c->n_fp_always == (int)sizeof(c->fp_always))
				return;
			c->fp_always[c->n_fp_always++] = (unsigned char)x;
		}
		if (t & TR_DIGIT) {
			if (x < '0' || x > '9')
				return;
			c->fp_digit = true;
		}
		if (t & TR_ASSIGN) {
			if (x != '=' && x != ':')
				return;
			c->fp_assign = true;
		}
		if ((t & TR_JWT) && x != 'e')
			return;
		if ((t & (TR_PEM | TR_CMD)) && x != '-')
			return;
	}
	if (c->n_anywhere < 0)
		return;
	/* tokens: buckets 0-6, the prefixes in byte order, a bucket never
	 * holding two first bytes that differ in their high nibble while
	 * there are buckets left (then the table's answer for the first byte
	 * stays exact), at most a fifth of the prefixes each */
	uint8_t order[256];
	size_t nt = 0;
	for (size_t i = 0; i < N_TOKS; i++)
		if (c->enabled[toks[i].rule])
			order[nt++] = (uint8_t)i;
	for (size_t i = 1; i < nt; i++) /* insertion sort by prefix */
		for (size_t j = i; j > 0 && strcmp(toks[order[j - 1]].prefix, toks[order[j]].prefix) > 0; j--) {
			uint8_t t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	size_t per = (nt + 4) / 5, in = 0;
	int k = 0;
	for (size_t i = 0; i < nt; i++) {
		const struct tokdef *t = &toks[order[i]];
		if (i > 0 && k < 6 &&
		    ((((unsigned char)t->prefix[0]) >> 4) != (((unsigned char)toks[order[i - 1]].prefix[0]) >> 4) || in >= per)) {
			k++;
			in = 0;
		}
		int b[4];
		for (int j = 0; j < 4; j++)
			b[j] = j < t->plen ? (unsigned char)t->prefix[j] : -2;
		fp_add(c, k, b, t->cls);
		in++;
	}
	/* bucket 7: a JWT's header, a PEM block's dashes, command-line options */
	if (c->trig['e'] & TR_JWT)
		fp_add(c, 7, (const int[4]){ 'e', 'y', 'J', -1 }, 0);
	if (c->trig['-'] & (TR_PEM | TR_CMD)) {
		fp_add(c, 7, (const int[4]){ '-', '-', -1, -1 }, 0);
		fp_add(c, 7, (const int[4]){ '-', 'u', -1, -1 }, 0);
		fp_add(c, 7, (const int[4]){ '-', 'p', -1, -1 }, 0);
	}
	/* the classes of the 64-byte skip (FPC_*) */
	for (int x = '0'; x <= '9'; x++)
		fp_cls(c, 0, FPC_DIGIT, x);
	for (const char *x = " -."; *x; x++)
		fp_cls(c, 0, FPC_SEP, *x);
	for (const char *x = " -"; *x; x++)
		fp_cls(c, 0, FPC_SD, *x);
	for (const char *x = ":="; *x; x++)
		fp_cls(c, 0, FPC_ASSIGN, *x);
	fp_cls(c, 0, FPC_SLASH, '/');
	fp_cls(c, 1, FPC_COLON, ':');
	for (const char *x = "\"'` \t"; *x; x++)
		fp_cls(c, 0, FPC_QB, *x);
	static const struct {
		int t, k;
		const char *x;
	} letters[] = {
		{ 0, FPC_LD, "dD" }, { 0, FPC_LES, "esES" }, { 1, FPC_LTY, "tyTY" }, { 1, FPC_LN, "nN" },
		{ 1, FPC_MRWI, "rwiRWI" }, { 1, FPC_MSL, "slSL" }, { 1, FPC_MEO, "eoEO" },
	};
	for (size_t i = 0; i < sizeof(letters) / sizeof(letters[0]); i++)
		for (const char *x = letters[i].x; *x; x++)
			fp_cls(c, letters[i].t, letters[i].k, *x);
	for (int a = 0; a < c->n_anywhere; a++)
		fp_cls(c, 1, FPC_NB, c->anywhere[a]);
	for (int a = 0; a < c->n_fp_always; a++)
		fp_cls(c, 1, FPC_ALWAYS, c->fp_always[a]);
	c->fp_level = c->fp_max = rd_fp_cpu();
}

/* The furthest any built-in detector looks ahead of its position. */
size_t rd_builtin_lookahead(void)
{
	/* an assignment: "==", 16 blanks, a quote, an auth scheme and its
	 * blank (18), the value, an escape's second byte; and the detectors run
	 * at the value's start (a token: its longest prefix and RD_DECIDE). */
	size_t assign = 2 + 16 + 1 + 18 + RD_VALUE_MAX + 2 + 6; /* + blanks and a letter: prose? */
	size_t value = 2 + 16 + 1 + 18 + 26 + RD_DECIDE + 1;
	size_t url = 3 + RD_AUTH_MAX + 1;
	size_t jwt = 3 + RD_DECIDE + 1 + 10;
	size_t pem = 11 + PEM_LABEL_MAX + 1 + 5;
	size_t max = assign;
	if (value > max)
		max = value;
	if (url > max)
		max = url;
	if (jwt > max)
		max = jwt;
	if (pem > max)
		max = pem;
	size_t enc = RD_ENC_MAX + 2; /* a run, its padding */
	if (enc > max)
		max = enc;
	return max;
}
