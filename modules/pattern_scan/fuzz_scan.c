/*
 * modules/pattern_scan/fuzz_scan.c - libFuzzer target for the comment
 * blankers (strip.c): the first byte picks the language, the rest is the
 * source.  Checked on every input: no crash, no hang (every lexer moves
 * forward on each step), the output has the input's length, line ends are
 * kept, only spaces are written, and a lexer that gives up returns an
 * exact copy with a reason.
 *
 *   make fuzz && build-fuzz/fuzz_scan -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum ps_lang lang = (enum ps_lang)(data[0] % PS_LANG_COUNT);
	const unsigned char *src = data + 1;
	size_t len = size - 1;
	unsigned char *out = malloc(len ? len : 1);
	if (!out)
		return 0;
	const char *why = NULL;
	int r = ps_strip(lang, src, len, out, &why);
	if (r != 0 && r != 1)
		abort();
	if ((r == 1) != (why != NULL))
		abort();
	for (size_t i = 0; i < len; i++) {
		if (out[i] == src[i])
			continue;
		if (r == 1 || out[i] != ' ' || src[i] == '\n' || src[i] == '\r')
			abort();
	}
	free(out);
	return 0;
}
