/* SPDX-License-Identifier: MIT */
/*
 * The x86 instructions both raw backends use, as inline functions: MSRs,
 * control registers, the TSC, host segment and descriptor-table state. Ring 0 only; the core never
 * includes this. Vendor instructions stay with their vendor (svm_hw.h:
 * CLGI/STGI; vmx_insn.h: VMREAD, VMWRITE, INVEPT, ...).
 */
#ifndef LV_X86_INSN_H
#define LV_X86_INSN_H

#include <stdbool.h>
#include <stdint.h>

static inline uint64_t lv_rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

/*
 * Whether MSR @p msr holds *@p v. EDX:EAX are compared half by half with
 * the two halves of *@p v in memory (little-endian: the low half first),
 * without joining them, each compare branching out at once: RDMSR and
 * four instructions on an entry path (vmx_load()).
 */
static inline __attribute__((always_inline)) bool lv_rdmsr_same(uint32_t msr, const uint64_t *v)
{
	__asm__ goto("rdmsr\n\t"
		     "cmpl %1, %%eax\n\t"
		     "jne %l[differs]\n\t"
		     "cmpl 4+%1, %%edx\n\t"
		     "jne %l[differs]"
		     :
		     : "c"(msr), "m"(*v)
		     : "rax", "rdx", "cc"
		     : differs);
	return true;
differs:
	return false;
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

/* Debug registers DR0-DR3, DR6, DR7 (MOV DR, SDM Vol. 3, 18.2). */
#define LV_DEF_DR(n)                                                                               \
	static inline uint64_t lv_read_dr##n(void)                                                 \
	{                                                                                          \
		uint64_t v;                                                                        \
		__asm__ volatile("mov %%dr" #n ", %0" : "=r"(v));                                  \
		return v;                                                                          \
	}                                                                                          \
	static inline void lv_write_dr##n(uint64_t v)                                              \
	{                                                                                          \
		__asm__ volatile("mov %0, %%dr" #n ::"r"(v) : "memory");                           \
	}
LV_DEF_DR(0)
LV_DEF_DR(1)
LV_DEF_DR(2)
LV_DEF_DR(3)
LV_DEF_DR(6)
LV_DEF_DR(7)
#undef LV_DEF_DR

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

/* Host segment state (what VM exit must restore, or VMX's host-state area needs). */
#define LV_DEF_READ_SEG(n)                                                                         \
	static inline uint16_t lv_read_##n(void)                                                   \
	{                                                                                          \
		uint16_t v;                                                                        \
		__asm__ volatile("mov %%" #n ", %0" : "=r"(v));                                    \
		return v;                                                                          \
	}
LV_DEF_READ_SEG(cs)
LV_DEF_READ_SEG(ss)
LV_DEF_READ_SEG(ds)
LV_DEF_READ_SEG(es)
LV_DEF_READ_SEG(fs)
LV_DEF_READ_SEG(gs)
#undef LV_DEF_READ_SEG

static inline uint16_t lv_read_tr(void)
{
	uint16_t v;

	__asm__ volatile("str %0" : "=r"(v));
	return v;
}

/* LDTR's selector (SLDT) and loading it (LLDT; 0 makes it null). */
static inline uint16_t lv_read_ldtr(void)
{
	uint16_t v;

	__asm__ volatile("sldt %0" : "=r"(v));
	return v;
}

static inline void lv_load_ldtr(uint16_t sel)
{
	__asm__ volatile("lldt %0" ::"r"(sel) : "memory");
}

/* A descriptor's limit (LSL, SDM Vol. 2A; TSS descriptors included). */
static inline uint32_t lv_read_limit(uint16_t sel)
{
	uint32_t v = 0;

	__asm__ volatile("lsl %1, %0" : "+r"(v) : "r"((uint32_t)sel) : "cc");
	return v;
}

/* Load TR (LTR): the TSS descriptor must be available (type 9), not busy. */
static inline void lv_load_tr(uint16_t sel)
{
	__asm__ volatile("ltr %0" ::"r"(sel) : "memory");
}

/* The SGDT/SIDT image (SDM Vol. 3, 3.5.1). */
struct __attribute__((packed)) lv_x86_dtr {
	uint16_t limit;
	uint64_t base;
};

static inline void lv_read_gdtr(struct lv_x86_dtr *d)
{
	__asm__ volatile("sgdt %0" : "=m"(*d));
}

static inline void lv_read_idtr(struct lv_x86_dtr *d)
{
	__asm__ volatile("sidt %0" : "=m"(*d));
}

static inline void lv_load_gdtr(const struct lv_x86_dtr *d)
{
	__asm__ volatile("lgdt %0" ::"m"(*d) : "memory");
}

static inline void lv_load_idtr(const struct lv_x86_dtr *d)
{
	__asm__ volatile("lidt %0" ::"m"(*d) : "memory");
}

#endif /* LV_X86_INSN_H */
