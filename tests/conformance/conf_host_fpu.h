/* SPDX-License-Identifier: MIT */
/*
 * The ring-0 harnesses' lv_conf_host.host_fpu (the test kernel's and the
 * Linux module's): load XMM0-15 (YMM0-15 with @p ymm) of the calling CPU
 * from @p pat (16 slots of 32 bytes), or (@p check) store them to @p cur
 * and compare with @p pat. The caller owns the FPU (ring 0: its own; Linux:
 * inside kernel_fpu_begin()). Built without compiler SSE, so the registers
 * are moved with inline asm only.
 */
#ifndef LV_CONF_HOST_FPU_H
#define LV_CONF_HOST_FPU_H

#include <stdint.h>

/* @return 0 after a load, or when the registers still hold @p pat; 1 otherwise. */
static inline int lv_conf_host_fpu_regs(int check, int ymm, const uint8_t *pat, uint8_t *cur)
{
	unsigned i, w = ymm ? 32 : 16;

#define LV_CONF_FPU_ONE(n)                                                                         \
	if (!check && ymm)                                                                         \
		__asm__ volatile(                                                                  \
			"vmovdqu %0, %%ymm" #n ::"m"(*(const uint8_t(*)[32])(pat + 32 * n)));      \
	else if (!check)                                                                           \
		__asm__ volatile(                                                                  \
			"movdqu %0, %%xmm" #n ::"m"(*(const uint8_t(*)[16])(pat + 32 * n)));       \
	else if (ymm)                                                                              \
		__asm__ volatile("vmovdqu %%ymm" #n ", %0"                                         \
				 : "=m"(*(uint8_t(*)[32])(cur + 32 * n)));                         \
	else                                                                                       \
		__asm__ volatile("movdqu %%xmm" #n ", %0" : "=m"(*(uint8_t(*)[16])(cur + 32 * n)));
	LV_CONF_FPU_ONE(0)
	LV_CONF_FPU_ONE(1)
	LV_CONF_FPU_ONE(2)
	LV_CONF_FPU_ONE(3)
	LV_CONF_FPU_ONE(4)
	LV_CONF_FPU_ONE(5)
	LV_CONF_FPU_ONE(6)
	LV_CONF_FPU_ONE(7)
	LV_CONF_FPU_ONE(8)
	LV_CONF_FPU_ONE(9)
	LV_CONF_FPU_ONE(10)
	LV_CONF_FPU_ONE(11)
	LV_CONF_FPU_ONE(12)
	LV_CONF_FPU_ONE(13)
	LV_CONF_FPU_ONE(14)
	LV_CONF_FPU_ONE(15)
#undef LV_CONF_FPU_ONE
	if (!check)
		return 0;
	for (i = 0; i < 512; i++)
		if ((i & 31) < w && cur[i] != pat[i])
			return 1;
	return 0;
}

#endif /* LV_CONF_HOST_FPU_H */
