/* SPDX-License-Identifier: MIT */
/*
 * The privileged x86 instructions both raw backends use, as inline
 * functions: MSRs, control registers, the TSC. Ring 0 only; the core never
 * includes this. Vendor instructions stay with their vendor (svm_hw.h:
 * CLGI/STGI; vmx_insn.h: VMREAD, VMWRITE, INVEPT, ...).
 */
#ifndef LV_X86_INSN_H
#define LV_X86_INSN_H

#include <stdint.h>

static inline uint64_t lv_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void lv_wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline uint64_t lv_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#define LV_DEF_READ_CR(n)                                                                          \
	static inline uint64_t lv_read_cr##n(void)                                                 \
	{                                                                                          \
		uint64_t v;                                                                        \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                  \
		return v;                                                                          \
	}
LV_DEF_READ_CR(0)
LV_DEF_READ_CR(2)
LV_DEF_READ_CR(3)
LV_DEF_READ_CR(4)
#undef LV_DEF_READ_CR

static inline void lv_write_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory");
}

static inline void lv_write_cr2(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr2" ::"r"(v) : "memory");
}

static inline void lv_write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory");
}

#endif /* LV_X86_INSN_H */
