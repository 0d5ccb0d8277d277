/*
 * modules/pyimport/fuzz_pyapi.c - libFuzzer target for allowlist mode with
 * API data (api.c): bindings, the walk with its contexts, sinks, class
 * hooks and type expressions, over whatever the parser accepts.
 *
 * Each input is checked twice: in allowlist mode with a small API data set
 * built here (whole modules, a module allowed by one name, a submodule of
 * a module that is not allowed, a metaclass, private names), and in
 * denylist mode under an isolation (the annotation closure alone).  The
 * oracle, besides ASan/UBSan and the leak checker: every finding has a
 * known rule, a name, a message, a line within the source and a column >=
 * 0; a source that does not parse yields exactly one finding.
 *
 *   make fuzz && build-fuzz/fuzz_pyapi modules/pyimport/fuzz_pyapi.corpus
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

struct tally {
	size_t n, unparsed, lines;
};

static void on_finding(void *ud, enum rule_id rule, const char *name, int line, int col, const char *msg)
{
	struct tally *t = ud;
	if ((int)rule < 0 || rule >= R_COUNT || !rule_names[rule] || !name || !msg || !msg[0])
		abort();
	if (line < 0 || (size_t)line > t->lines + 1 || col < 0)
		abort();
	if (rule == R_SYNTAX || rule == R_TOO_DEEP || rule == R_CODING || rule == R_TOO_LARGE)
		t->unparsed++;
	t->n++;
}

static size_t count_lines(const uint8_t *d, size_t n)
{
	size_t l = 1;
	for (size_t i = 0; i < n; i++)
		if (d[i] == '\n' || (d[i] == '\r' && !(i + 1 < n && d[i + 1] == '\n')))
			l++;
	return l;
}

/* A fixed data set: names sorted, as the loader leaves them. */
static const char *api_enum[] = { "Enum", "EnumType", "IntEnum", "auto", "global_enum" };
static const char *mod_enum[] = { "bltns", "sys" }, *tgt_enum[] = { "builtins", "sys" };
static const char *api_io[] = { "BytesIO", "FileIO", "StringIO", "open" };
static const char *api_json[] = { "JSONDecoder", "dumps", "loads" };
static const char *mod_json[] = { "codecs", "decoder" }, *tgt_json[] = { "codecs", "json.decoder" };
static const char *api_jdec[] = { "JSONDecoder" };
static const char *api_math[] = { "pi", "sqrt", "tau" };
static const char *api_path[] = { "join", "split" };
static const char *mod_path[] = { "os" }, *tgt_path[] = { "os" };
static const char *api_typing[] = { "Annotated", "ForwardRef", "List", "Literal", "NamedTuple", "TypeVar",
	                      "get_type_hints" };
static const char *api_dc[] = { "dataclass", "field", "make_dataclass" };
static const char *api_op[] = { "attrgetter", "itemgetter", "methodcaller" };
static const char *priv[] = { "_cache", "_randbelow" };
static const char *metas[] = { "enum.EnumType" };

static struct py_api_module mods[] = {
	{ "dataclasses", api_dc, 3, NULL, NULL, 0 },
	{ "enum", api_enum, 5, mod_enum, tgt_enum, 2 },
	{ "io", api_io, 4, NULL, NULL, 0 },
	{ "json", api_json, 3, mod_json, tgt_json, 2 },
	{ "json.decoder", api_jdec, 1, NULL, NULL, 0 },
	{ "math", api_math, 3, NULL, NULL, 0 },
	{ "operator", api_op, 3, NULL, NULL, 0 },
	{ "os.path", api_path, 2, mod_path, tgt_path, 1 },
	{ "typing", api_typing, 7, NULL, NULL, 0 },
};
static char *allow[] = { "dataclasses", "enum", "io.StringIO", "json", "math", "operator", "os.path", "typing" };
static unsigned char allow_attr[] = { 0, 0, 1, 0, 0, 0, 0, 0 };
static struct py_api api = {
	.python = "3.11", .file = "fuzz", .mods = mods, .n_mods = sizeof(mods) / sizeof(mods[0]),
	.priv_attrs = priv, .n_priv_attrs = 2, .metaclasses = metas, .n_metaclasses = 1, .allow_attr = allow_attr,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *deny[] = { "os", "json.tool" };
	struct checkcfg a = { 0 }, b = { 0 };
	a.allowlist = 1;
	a.allow = allow;
	a.n_allow = sizeof(allow) / sizeof(allow[0]);
	a.deny = deny;
	a.n_deny = 2;
	a.max_depth = 200;
	a.max_bytes = 1u << 20;
	a.api = &api;
	b = a;
	b.allowlist = 0;
	b.allow = NULL;
	b.n_allow = 0;
	b.api = NULL;
	b.contained = 1;

	struct tally ta = { 0, 0, count_lines(data, size) }, tb = ta;
	static struct py_cache cache;
	if (py_check(&a, &cache, data, size, on_finding, &ta) < 0)
		return 0;
	if (py_check(&b, NULL, data, size, on_finding, &tb) < 0)
		return 0;
	if (ta.unparsed > 1 || tb.unparsed > 1 || (ta.unparsed && ta.n != 1) || (tb.unparsed && tb.n != 1))
		abort(); /* an unparsed source has exactly one finding */
	if (ta.unparsed != tb.unparsed)
		abort(); /* the parse does not depend on the mode */
	return 0;
}
