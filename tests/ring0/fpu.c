/* SPDX-License-Identifier: MIT */
/*
 * The test kernel's own FPU, set up as an OS would (SDM Vol. 3, 13.1-13.3):
 * x87 native (CR0.EM clear, MP set), SSE on (CR4.OSFXSR, OSXMMEXCPT) and,
 * where the CPU has XSAVE, CR4.OSXSAVE with XCR0 = every component of
 * x87, SSE, AVX and AVX-512 the CPU has, so the library's switch has a
 * host state as large as Linux's to keep. The kernel's C code never uses
 * these registers (-mgeneral-regs-only); the conformance harness loads and
 * checks them around lv_vcpu_run() through host_fpu_hook().
 */
#include <stdint.h>

#include "cases.h"
#include "../conformance/conf_host_fpu.h"
#include "kernel.h"

static int ymm_on;

static inline void cpuid2(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

void host_fpu_init(void)
{
	uint64_t cr0, cr4, xcr0 = 0;
	uint32_t r[4];

	cpuid2(1, 0, r);
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
	cr0 = (cr0 & ~((1ull << 2) | (1ull << 3))) | (1ull << 1); /* EM, TS clear; MP */
	__asm__ volatile("mov %0, %%cr0" ::"r"(cr0));
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	cr4 |= (1ull << 9) | (1ull << 10);
	if (r[2] & (1u << 26)) {
		cr4 |= 1ull << 18;
		__asm__ volatile("mov %0, %%cr4" ::"r"(cr4));
		cpuid2(0xd, 0, r);
		xcr0 = r[0] & 0xe7u; /* x87, SSE, AVX, opmask, ZMM_Hi256, Hi16_ZMM */
		if ((xcr0 & 0xe0u) != 0xe0u)
			xcr0 &= 7;
		__asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)xcr0), "d"(0));
		ymm_on = (xcr0 & 4) != 0;
	} else {
		__asm__ volatile("mov %0, %%cr4" ::"r"(cr4));
	}
	kprintf("LVT FPU host cr4=%#lx xcr0=%#lx ymm=%d\n", (unsigned long)cr4, (unsigned long)xcr0,
		ymm_on);
}

static uint8_t cur[512] __attribute__((aligned(32)));

/* lv_conf_host.host_fpu: load (check = 0) or compare (check = 1) XMM/YMM 0-15 with @p pat. */
int host_fpu_hook(void *ctx, int check, const uint8_t *pat)
{
	(void)ctx;
	return lv_conf_host_fpu_regs(check, ymm_on, pat, cur);
}
