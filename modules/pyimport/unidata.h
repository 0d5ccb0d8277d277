/* modules/pyimport/unidata.h - the generated Unicode tables (unidata.c). */
#ifndef PYIMPORT_UNIDATA_H
#define PYIMPORT_UNIDATA_H
#include <stddef.h>
#include <stdint.h>

struct uni_range {
	uint32_t lo, hi;
};
struct uni_decomp {
	uint32_t cp;
	uint32_t off; /* into uni_pool */
	uint32_t len;
};
struct uni_ccc {
	uint32_t cp;
	uint32_t ccc;
};
struct uni_comp {
	uint32_t first, second, composite;
};

/* The identifier classes of one Python version (its Unicode version). */
struct uni_xid {
	int pyver; /* PYV() */
	const char *unicode;
	const struct uni_range *start;
	size_t start_n;
	const struct uni_range *cont;
	size_t cont_n;
};
extern const struct uni_xid uni_xid[]; /* by version, oldest first */
extern const size_t uni_xid_n;
extern const struct uni_decomp uni_decomp[];
extern const size_t uni_decomp_n;
extern const uint32_t uni_pool[];
extern const size_t uni_pool_n;
extern const struct uni_ccc uni_ccc[];
extern const size_t uni_ccc_n;
extern const struct uni_comp uni_comp[];
extern const size_t uni_comp_n;
#endif
