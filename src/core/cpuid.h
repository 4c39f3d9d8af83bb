/* SPDX-License-Identifier: MIT */
/* CPUID for freestanding code (no <cpuid.h>). */
#ifndef LV_CORE_CPUID_H
#define LV_CORE_CPUID_H

#include <stdint.h>

static inline void lv_cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c,
			    uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

#endif /* LV_CORE_CPUID_H */
