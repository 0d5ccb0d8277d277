/*
 * core/version.c - library and ABI versions.
 */
#include "internal.h"

#ifndef CORDON_VERSION
#define CORDON_VERSION "0.0.0"
#endif

const char *cordon_version(void)
{
	return CORDON_VERSION;
}

uint32_t cordon_abi_version(void)
{
	return CORDON_ABI_VERSION;
}
