/* SPDX-License-Identifier: MIT */
/*
 * The guest's x87/SSE/AVX registers and XCR0, switched lazily and written
 * once for both vendors (x86_fpu.c). While the guest's state is not in
 * the CPU, the guest runs with CR0.TS forced set and CR4.OSXSAVE forced
 * clear, so every instruction that would touch the FPU/SSE/AVX registers
 * or XCR0 faults (#NM for x87/SSE/AVX/XSAVE under TS, SDM Vol. 3, 2.5 and
 * Vol. 1, 13.5; #UD for XGETBV/XSETBV/XSAVE/AVX without OSXSAVE, Vol. 1,
 * 13.6 and 14.3), and the vendor makes those faults exit together with any
 * guest access to CR0/CR4 that would show the forced bits (VMX: #NM and
 * #UD in the exception bitmap, TS and OSXSAVE host-owned with read
 * shadows; SVM: #NM/#UD and CR0/CR4 read/write intercepts, APM Vol. 2,
 * 15.9 and 15.12, since SVM has no read shadow). Such an exit loads the
 * guest's state (lv_x86_fpu_load) and re-executes the instruction, now
 * with the guest's own CR0/CR4 and no intercepts. Before lv_vcpu_run()
 * returns the guest's state is saved into the vCPU and the host's is put
 * back (lv_x86_fpu_put), XCR0 included. A run that never touches the FPU
 * costs one test.
 */
#ifndef LV_X86_FPU_H
#define LV_X86_FPU_H

#include <stdint.h>

#include <libvcpu/state.h>

struct lv_vcpu;

struct lv_x86_fpu {
	uint8_t *area;	    /* the guest's XSAVE area (page-aligned, LV_FPU_XSAVE_SIZE) */
	uint8_t *host;	    /* the host's save area while the guest's state is loaded */
	uint64_t xcr0;	    /* the guest's XCR0 */
	uint64_t xcr0_ok;   /* components the guest may enable (its CPUID leaf 0Dh) */
	uint64_t host_xcr0; /* the host's XCR0, saved by the load */
	uint64_t hidden_bv; /* XSTATE_BV bits outside the guest's XCR0, kept across a load */
	uint32_t pages;	    /* pages behind area + host */
	uint8_t loaded;	    /* the guest's state is in the registers */
	uint8_t xsave;	    /* the host CPU has XSAVE (else FXSAVE, and XCR0 stays 1) */
};

/* At vCPU creation / destruction: probe the host CPU, allocate the save areas. */
int lv_x86_fpu_init(struct lv_x86_fpu *f);
void lv_x86_fpu_fini(struct lv_x86_fpu *f);
/* Save the host's registers and XCR0, load the guest's (an exit asked for them). */
void lv_x86_fpu_load(struct lv_vcpu *v);
/* Save the guest's registers and XCR0, load the host's (end of a run). */
void lv_x86_fpu_put(struct lv_vcpu *v);
/* XSETBV exit (SDM Vol. 3, XSETBV; Vol. 1, 13.3). @return an lv_x86_act. */
int lv_x86_xsetbv(struct lv_vcpu *v);
/* The FPU group and XCR0 of lv_vcpu_get_state() / lv_vcpu_set_state(). */
int lv_x86_fpu_check(const struct lv_x86_fpu *f, uint32_t mask, const struct lv_state *st);
void lv_x86_fpu_get(const struct lv_x86_fpu *f, uint32_t mask, struct lv_state *st);
void lv_x86_fpu_set(struct lv_x86_fpu *f, uint32_t mask, const struct lv_state *st);
/* The XSAVE-related CPUID leaves 1, 7 and 0Dh, edited to what the guest gets. */
void lv_x86_cpuid_fpu(struct lv_vcpu *v, uint32_t leaf, uint32_t sub, uint32_t r[4]);

#endif /* LV_X86_FPU_H */
