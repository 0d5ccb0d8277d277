/*
 * modules/redact/redact.h - the streaming redaction engine behind the redact
 * module, independent of the cordon context so that tests and the fuzz
 * target drive it directly.
 *
 * Model.  The engine scans a *view* of each stream: the stream's bytes with
 * invisible characters (zero-width and bidi marks, soft hyphens, BEL) and
 * ANSI escape sequences left out, each view byte remembering where it came
 * from.  At every view position, left to right, each detector answers
 * MATCH (with the span to replace), NO, or MORE (it needs bytes that have
 * not arrived yet).  The earliest position with a match wins; at one
 * position the match that reaches furthest wins, then the first detector.
 * Scanning resumes after the match.  A detector never looks more than a
 * bounded number of view bytes ahead (rd_config.lookahead), so the engine
 * holds back only from the first position where some detector said MORE and
 * passes everything before it on at once: the output of any chunking of a
 * stream is the output of the whole stream in one piece.
 *
 * Matches that can be longer than the lookahead (a PEM block up to its END
 * line, a Stripe key of any length, a long JWT) are decided on their first
 * bytes; the engine then replaces them once and swallows the rest of the
 * block or token as it streams by (modes below).
 *
 * Speed.  Most positions are passed over without asking any detector: a
 * SIMD skip marks, 64 bytes at a time, the bytes where some detector's
 * necessary condition holds (engine.c's header comment says which, and
 * how each stays a necessary condition); the detectors run only there.
 */
#ifndef CORDON_REDACT_H
#define CORDON_REDACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#define RD_HIST 256 /* view bytes kept before the scan position, for look-behind */
#define RD_RM_MAX 64 /* invisible bytes left out between two visible ones, at most */
#define RD_DECIDE 256 /* token bytes looked at before a long token is decided */
#define RD_VALUE_MAX 512 /* bytes of an assigned value (password=...) looked at */
#define RD_AUTH_MAX 512 /* bytes of a URL's authority looked at */
#define RD_SECRET_MAX 512 /* longest known secret value */
#define RD_SECRET_MIN 6 /* shortest known secret value */
#define RD_SLICE 65536 /* input is processed in slices of at most this size */
#define RD_ENC_MAX 1024 /* view bytes of an encoded run decoded and looked into */
#define RD_ENC_MIN 16 /* shortest base64 or hex run decoded */
#define RD_ENC_DEPTH 2 /* decodings inside decodings */
#define RD_AWS_WINDOW 512 /* view bytes after an AWS key id where a bare 40-character key counts */

/* Class bits of the 64-byte skip (rd_config.fp_cls_*); the keyword
 * tails of rd_kw_tail are the last letter d after r, w or i; e or s
 * after s or l; t, y or n after e or o (t and y, and n, in classes of
 * their own: looked up by nibble, "tyn" would also hold d and i). */
#define FPC_DIGIT 0
#define FPC_SEP 1 /* ' ', '-', '.' */
#define FPC_SD 2 /* ' ', '-' */
#define FPC_ASSIGN 3 /* ':', '=' */
#define FPC_SLASH 4
#define FPC_QB 5 /* a quote or a blank */
#define FPC_LD 6 /* d */
#define FPC_LES 7 /* e, s */
#define FPC_NB 0 /* table 1: a trigger byte that needs no word boundary */
#define FPC_ALWAYS 1 /* table 1: the first byte of a known secret or a host path */
#define FPC_LTY 2 /* table 1: t, y */
#define FPC_MRWI 3 /* table 1: r, w, i */
#define FPC_MSL 4 /* table 1: s, l */
#define FPC_MEO 5 /* table 1: e, o */
#define FPC_LN 6 /* table 1: n */
#define FPC_COLON 7 /* table 1: ':' (a URL's \"://\") */
/* Letters of the AVX-512 skip's keyword test (rd_config.fp_kw_x, exact,
 * either case): what rd_kw_tail looks for before a keyword's last two
 * letters ("y_id", "yid", "zation", "ase", "key", "ken") and the letters
 * of those two that the nibble classes cannot tell apart. */
#define FPK_I 0
#define FPK_O 1
#define FPK_Y 2
#define FPK_US 3 /* '_', '-', '.' */
#define FPK_T 4
#define FPK_A 5
#define FPK_Z 6
#define FPK_K 7

#define RD_TOK4_BITS 32768 /* the hashed four-byte token filter (rd_config.tok4) */

/* Built-in rules, in this order; their ids are in rd_builtin_ids. */
enum rd_builtin {
	RB_AWS_ID = 0,
	RB_AWS_SECRET,
	RB_GITHUB,
	RB_GITHUB_PAT,
	RB_SLACK_TOKEN,
	RB_SLACK_WEBHOOK,
	RB_OPENAI,
	RB_ANTHROPIC,
	RB_GOOGLE,
	RB_STRIPE,
	RB_JWT,
	RB_PEM,
	RB_URL_PASSWORD,
	RB_PASSWORD,
	RB_SECRET,
	RB_HUGGINGFACE,
	RB_GITLAB,
	RB_NPM,
	RB_PYPI,
	RB_GCP_OAUTH,
	RB_AZURE_STORAGE,
	RB_GCP_SA,
	RB_TWILIO,
	RB_SENDGRID,
	RB_DIGITALOCEAN,
	RB_SHOPIFY,
	RB_DATABRICKS,
	RB_AGE,
	RB_DOPPLER,
	RB_DYNATRACE,
	RB_EASYPOST,
	RB_LINEAR,
	RB_POSTMAN,
	RB_PULUMI,
	RB_PREFECT,
	RB_README,
	RB_RUBYGEMS,
	RB_SENTRY,
	RB_SHIPPO,
	RB_PLANETSCALE,
	RB_VAULT,
	RB_FLYIO,
	RB_GRAFANA,
	RB_HEROKU,
	RB_INFRACOST,
	RB_NOTION,
	RB_PERPLEXITY,
	RB_OPENSHIFT,
	RB_ARTIFACTORY,
	RB_CLOJARS,
	RB_DUFFEL,
	RB_FRAMEIO,
	RB_SCALINGO,
	RB_SENDINBLUE,
	RB_ALIBABA,
	RB_ATLASSIAN,
	RB_SQUARE,
	RB_BEDROCK,
	RB_SETTLEMINT,
	RB_TYPEFORM,
	RB_NEWRELIC,
	RB_INTRA42,
	RB_ONEPASSWORD,
	RB_CMDLINE,
	RB_CARD,
	RB_SSN,
	RB_COUNT,
};
extern const char *const rd_builtin_ids[RB_COUNT];

enum rd_res { RD_NO = 0, RD_MATCH = 1, RD_MORE = 2 };

/* What a match does after its replacement. */
enum rd_mode {
	RM_NORMAL = 0,
	RM_PEM, /* swallow up to and including an END line, or to the end of the stream */
	RM_CLASS, /* swallow view bytes of a character class (a token longer than RD_DECIDE) */
	RM_UNTIL, /* swallow up to (not including) a byte or a newline (a long quoted value) */
};

struct rd_match {
	size_t rs, re; /* view span replaced */
	size_t end; /* scanning resumes here (>= re) */
	int rule;
	enum rd_mode mode;
	uint16_t cls; /* RM_CLASS: class mask; RM_UNTIL: the closing byte */
	bool dotjoin; /* RM_CLASS: a '.' followed by a class byte continues the token */
	const char *repl; /* the replacement text, or NULL for the rule's */
	size_t repl_len;
};

/* A user rule: a PCRE2 pattern. */
struct rd_user {
	pcre2_code *re;
	pcre2_match_data *md;
	int rule;
	bool luhn; /* validator: the match's digits pass the Luhn check */
	int group; /* capture group "secret" (replaced alone), or 0 */
};

/* A known secret value in one of its encodings. */
struct rd_lit {
	unsigned char *s;
	size_t len;
	int rule;
};

/* A host path and the name the program knows it by (host_paths). */
struct rd_path {
	char *host, *name; /* owned */
	size_t hlen, nlen;
};
#define RD_PATHS_MAX 16
#define RD_PATH_MAX 1024

struct rd_rule {
	char *id;
	char *repl; /* replacement text, {rule} expanded */
	size_t repl_len;
};

struct rd_config {
	struct rd_rule *rules; /* built-ins first (enum rd_builtin), then user rules, then known-secret */
	size_t n_rules;
	bool enabled[RB_COUNT];
	struct rd_user *users;
	size_t n_users;
	struct rd_lit *lits;
	size_t n_lits;
	size_t *lit_index; /* literal indices grouped by first byte */
	size_t lit_start[257];
	size_t max_match; /* user rules decide within this many view bytes */
	size_t lookahead; /* the latency bound, in view bytes (computed) */
	char *replacement; /* the template */
	uint16_t trig[256]; /* which detectors may start at a byte */
	uint8_t tok_lo[256], tok_hi[256]; /* tok_ord[tok_lo[b], tok_hi[b]): the prefixed tokens starting with b */
	uint8_t tok_ord[256]; /* indices of the token table grouped by first byte */
	bool inword_skip[256]; /* a letter or digit no detector starts at inside a word */
	uint8_t pair2[8192]; /* bit b0 * 256 + b1: some detector may start at a byte b0 followed by b1 */
	unsigned char anywhere[16]; /* the trigger bytes that need no word boundary before them */
	int n_anywhere; /* how many, or -1: too many for the sixteen-byte skip */
	uint8_t tokpair[256][32]; /* bit set: some enabled token starts with these two bytes */
	uint8_t tok4[RD_TOK4_BITS / 8]; /* bit rd_tok4_hash(first four bytes) set: some enabled token may start so */
	/* The fingerprint skip (engine.c, rd_fp_build): for the first four
	 * bytes of every enabled token (a short prefix: then bytes of its
	 * body class) and of "eyJ", "--", "-u", "-p", a bucket bit in a table
	 * by low nibble and one by high nibble, for each of the four bytes; a
	 * byte's bits are the AND of the two (a superset of the bytes put in:
	 * both tables are unions). */
	uint8_t fp_lo[4][16], fp_hi[4][16];
	unsigned char fp_always[16]; /* the bytes a literal or a host path starts with: always candidates */
	int n_fp_always;
	bool fp_digit; /* digits trigger the card and SSN detectors */
	bool fp_assign; /* '=' and ':' trigger the assignment and URL detectors */
	/* Class tables (the same nibble lookup): table 0 bits FPC_DIGIT ..
	 * FPC_LES, table 1 FPC_NB .. FPC_COLON.  Each class is a superset
	 * of the bytes put in, so each is only ever a necessary condition. */
	uint8_t fp_cls_lo[2][16], fp_cls_hi[2][16];
	/* The same tables by whole byte (the AVX-512 skip looks them up with
	 * VPERMI2B, 128 entries at a time): exact for bytes below 0x80; each
	 * *_xhi is what every byte from 0x80 on answers (the union of theirs). */
	uint8_t fp_x[4][128], fp_xhi[4];
	uint8_t fp_cls_x[2][128], fp_cls_xhi[2];
	uint8_t fp_kw_x[128]; /* FPK_* bits by byte; 0 from 0x80 on */
	uint8_t b64_x[128]; /* 1 for the bytes of a base64 or hex run the decoders look into (B64RUN) */
	int fp_max; /* what this CPU and configuration allow: 3 the 64-byte skip with AVX-512 (BW and VBMI), 2 with AVX2, 1 the 16-byte one (SSSE3), 0 none */
	int fp_level; /* what is used (= fp_max; tests set it lower; -1: the reference, the byte skip alone and no skipping of undecodable runs) */
	int known_rule; /* rule index of known-secret, or -1 */
	bool decode; /* look into encoded runs (on unless turned off) */
	int path_rule; /* rule index of host-path, or -1 (host_paths off) */
	struct rd_path paths[RD_PATHS_MAX];
	size_t n_paths;
};

/* Configuration (rules.c).  Functions returning int return 0 or -1 with a
 * message in *err (malloc'd, owned by the caller). */
struct rd_config *rd_config_new(const char *replacement, char **err);
int rd_config_disable(struct rd_config *c, const char *id, char **err);
/* pattern is NUL-terminated; validator NULL or "luhn". */
int rd_config_add_user(struct rd_config *c, const char *id, const char *pattern, const char *validator,
                       char **err);
int rd_config_add_secret(struct rd_config *c, const unsigned char *s, size_t len, char **err);
/* host_paths: the host-path rule (at open), then each run's paths (at
 * prepare: clear, add, rd_config_finish).  A path is absolute, at most
 * RD_PATH_MAX bytes, not "/"; name is what replaces it. */
int rd_config_enable_paths(struct rd_config *c, char **err);
void rd_config_clear_paths(struct rd_config *c);
int rd_config_add_path(struct rd_config *c, const char *host, const char *name, char **err);
/* Compute tables; call once after the last add (again after the paths change). */
int rd_config_finish(struct rd_config *c, char **err);
void rd_config_free(struct rd_config *c);
bool rd_valid_id(const char *id);

/* Where the engine's output and counts go. */
struct rd_sink {
	int (*out)(void *arg, const void *data, size_t len); /* 0 or -1 */
	void (*count)(void *arg, const char *rule, uint64_t n);
	void *arg;
};

struct rd_user_cache {
	size_t s, e, rs, re; /* next candidate at s; match [s, e), replace [rs, re) */
	int state; /* UC_NONE (search needed), UC_MATCH, UC_PARTIAL, UC_NOTHING */
};

struct rd_stream {
	const struct rd_config *cfg;
	/* raw[0, hlen): view history; raw[hlen, hlen+plen): pending input */
	unsigned char *raw;
	size_t hlen, plen, rawcap;
	/* the view when it differs from raw */
	unsigned char *view;
	uint32_t *map; /* view index -> offset in pending */
	uint8_t *rmr; /* invisible bytes left out just before each view byte */
	size_t vcap;
	unsigned rm_carry; /* invisible bytes left out before the first pending byte */
	enum rd_mode mode;
	uint16_t mcls;
	bool mdot;
	int mrule;
	uint64_t vpos; /* stream offset (in view bytes) of the first pending view byte */
	uint64_t aws_until; /* stream view offset before which a bare 40-character AWS key counts */
	uint64_t restart; /* stream view offset where the last match ended: an escaped run may start again there */
	uint64_t *counts; /* per rule, since last reported */
	struct rd_user_cache *uc;
	bool failed;
};

struct rd_stream *rd_stream_new(const struct rd_config *c);
void rd_stream_reset(struct rd_stream *st);
void rd_stream_free(struct rd_stream *st);
/* Feed bytes (eof: the stream ends after them; everything is flushed and the
 * stream is reset for reuse).  0, or -1 when out of memory or the sink
 * failed (the stream then refuses further input until reset). */
int rd_stream_feed(struct rd_stream *st, const unsigned char *in, size_t len, int eof,
                   const struct rd_sink *sink);

/* The scanner's view of the data at one call (engine.c, detect.c). */
struct rd_scan {
	const unsigned char *v;
	const uint8_t *rmr; /* rmr[i] > 0: invisible bytes or an escape were left out before v[i] (i >= h); NULL: none */
	size_t n; /* view bytes available */
	size_t h; /* v[0, h) is history (already passed) */
	bool eof; /* n is the end of the stream */
	uint64_t vbase; /* stream view offset of v[h] */
	const struct rd_config *cfg;
	struct rd_stream *st; /* NULL in a scan of decoded bytes */
	int depth; /* decodings around this scan (detect.c, rd_enc_*) */
	size_t restart; /* v[restart] follows a match: an escaped run may start there (SIZE_MAX: none) */
};

#define RD_END (-1) /* ch(): past the end of the stream */
#define RD_NEED (-2) /* ch(): not arrived yet */
static inline int rd_ch(const struct rd_scan *s, size_t i)
{
	if (i < s->n)
		return s->v[i];
	return s->eof ? RD_END : RD_NEED;
}

/* Character classes (detect.c). */
#define CC_UP 0x001u
#define CC_LO 0x002u
#define CC_DIG 0x004u
#define CC_US 0x008u /* _ */
#define CC_DASH 0x010u
#define CC_DOT 0x020u
#define CC_SLASH 0x040u
#define CC_PLUS 0x080u
#define CC_EQ 0x100u
#define CC_VAL 0x200u /* may be part of an unquoted assigned value */
#define CC_SPACE 0x400u /* space or tab */
#define CC_HEX 0x800u /* 0-9 a-f A-F */
#define CC_ALNUM (CC_UP | CC_LO | CC_DIG)
extern const uint16_t rd_cls[256];

/* Trigger bits (rd_config.trig). */
#define TR_TOKEN 0x01u
#define TR_DIGIT 0x02u
#define TR_ASSIGN 0x04u
#define TR_PEM 0x08u
#define TR_JWT 0x10u
#define TR_LIT 0x20u
#define TR_CMD 0x80u /* an option on a command line: -u, -p, --password */
#define TR_PATH 0x100u /* a host path may start: '/' */
#define TR_BOUND 0x8000u /* every detector at this byte needs a byte before it that is no letter or digit */

/* Built-in detection at one position: RD_NO, RD_MATCH (filling *m) or RD_MORE. */
int rd_detect_builtin(const struct rd_scan *s, size_t p, uint16_t trig, struct rd_match *m);
/* A bare 40-character AWS secret key at p (only called inside the window). */
int rd_detect_aws_bare(const struct rd_scan *s, size_t p, struct rd_match *m);
/* In RM_PEM mode at p: 1 and *endp set when an END line spans [p, *endp);
 * 0 when not at p; RD_MORE as 2 when it may be. */
int rd_pem_end(const struct rd_scan *s, size_t p, size_t *endp);
/* The decoders (detect.c): the next position where one may match, and
 * their answer there. */
size_t rd_enc_next(const struct rd_scan *s, size_t p, size_t cache[4]); /* cache: SIZE_MAX at first */
int rd_detect_enc(const struct rd_scan *s, size_t p, struct rd_match *m);
int rd_detect_path(const struct rd_scan *s, size_t p, struct rd_match *m);
void rd_builtin_triggers(struct rd_config *c);
/* The fingerprint tables above, from the triggers (after the literals and
 * paths are in c->trig); sets c->fp_on. */
void rd_fp_build(struct rd_config *c);

size_t rd_builtin_lookahead(void);
bool rd_luhn(const unsigned char *s, size_t len);

static inline int rd_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* The prefilter: a cheap necessary condition for a built-in detector to
 * answer anything but NO at p, given trigger bits t (without TR_BOUND) and
 * p + 3 < s->n; false means none will, and the scan moves on. */
/* The last three bytes of a name before p, lower case, are those of a
 * keyword's end (classify() decides; this only rules names out fast). */
static inline bool rd_kw_tail(const struct rd_scan *s, size_t p)
{
	size_t i = p, k = 0;
	while (i > 0 && k < 4 && (s->v[i - 1] == ' ' || s->v[i - 1] == '\t')) {
		i--;
		k++;
	}
	if (i > 0 && (s->v[i - 1] == '"' || s->v[i - 1] == '\'' || s->v[i - 1] == '`'))
		i--;
	if (i < 3)
		return false;
	unsigned a = (unsigned)rd_lower(s->v[i - 3]), b = (unsigned)rd_lower(s->v[i - 2]), c = (unsigned)rd_lower(s->v[i - 1]);
	if (a == '-' || a == '.')
		a = '_';
	unsigned x = a << 16 | b << 8 | c;
#define K3(s) ((unsigned)(s)[0] << 16 | (unsigned)(s)[1] << 8 | (unsigned)(s)[2])
	switch (c) {
	case 'd':
		if (x == K3("_id")) /* only private_key_id ends so: key_id, key-id, KEY_ID */
			return i >= 4 && rd_lower(s->v[i - 4]) == 'y';
		return x == K3("ord") || x == K3("swd") || x == K3("pwd") || x == K3("yid");
	case 'e':
		return x == K3("ase");
	case 's':
		return x == K3("ass") || x == K3("als");
	case 't':
		return x == K3("ret");
	case 'y':
		return x == K3("key");
	case 'n':
		if (x == K3("ion")) /* only authorization ends so */
			return i >= 6 && rd_lower(s->v[i - 4]) == 't' && rd_lower(s->v[i - 5]) == 'a' &&
			       rd_lower(s->v[i - 6]) == 'z';
		return x == K3("ken");
	default:
		return false;
	}
#undef K3
}

static inline unsigned rd_tok4_hash(const unsigned char *b)
{
	uint32_t x = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return (unsigned)((x * 2654435761u) >> 17); /* 15 bits: RD_TOK4_BITS */
}

__attribute__((always_inline)) static inline bool rd_prefilter(const struct rd_scan *s, size_t p, uint16_t t)
{
	const unsigned char *v = s->v;
	unsigned b0 = v[p], b1 = v[p + 1];
	if (t & (TR_LIT | TR_PATH))
		return true;
	if ((t & TR_TOKEN) && (s->cfg->tokpair[b0][b1 >> 3] & (1u << (b1 & 7)))) {
		/* and the first four bytes: a prefix's, or a shorter prefix's
		 * and then bytes of its body */
		unsigned h = rd_tok4_hash(v + p);
		if (s->cfg->tok4[h >> 3] & (1u << (h & 7)))
			return true;
	}
	if ((t & TR_JWT) && b1 == 'y')
		return true;
	if ((t & TR_DIGIT) && (rd_cls[b1] & CC_DIG) && (rd_cls[v[p + 2]] & CC_DIG)) {
		/* an SSN: ddd, then a separator and dd, or two more digits; a
		 * card: dddd, then a digit, or a separator and four digits */
		if (p + 9 > s->n)
			return true;
#define D_(k) ((rd_cls[v[p + (k)]] & CC_DIG) != 0)
#define S_(k) (v[p + (k)] == '-' || v[p + (k)] == ' ' || v[p + (k)] == '.')
		if ((S_(3) && D_(4) && D_(5)) || (D_(3) && D_(4)))
			return true;
		if (D_(3) && (v[p + 4] == ' ' || v[p + 4] == '-') && D_(5) && D_(6) && D_(7) && D_(8))
			return true;
#undef D_
#undef S_
	}
	if ((t & (TR_PEM | TR_CMD)) && (b1 == '-' || b1 == 'u' || b1 == 'p'))
		return true;
	if (t & TR_ASSIGN) {
		if (b0 == ':' && b1 == '/')
			return true;
		if (rd_kw_tail(s, p))
			return true;
	}
	return false;
}

#endif /* CORDON_REDACT_H */
