/* SPDX-License-Identifier: MIT */
/*
 * The unit tests' pseudo-random numbers: Marsaglia's xorshift64 (13, 7,
 * 17), "Xorshift RNGs", J. Stat. Softw. 8(14), 2003. Deterministic per
 * seed, so a failing random case repeats.
 */
#ifndef LV_TEST_XORSHIFT_H
#define LV_TEST_XORSHIFT_H

#include <stdint.h>

/* The next number of the sequence in @p s (never seeded with 0). */
static inline uint64_t lv_test_xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#endif /* LV_TEST_XORSHIFT_H */
