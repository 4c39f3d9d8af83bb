/* SPDX-License-Identifier: MIT */
/*
 * VMX capability arithmetic: the control-word algorithm and the CR0/CR4
 * fixed bits (Intel SDM Vol. 3, Appendix A). Pure functions over MSR
 * values, written once for every control word, used by the VMX backend and
 * unit-tested on the host against the values Bochs reports.
 */
#ifndef LV_CORE_VMX_CTLS_H
#define LV_CORE_VMX_CTLS_H

#include <stdbool.h>
#include <stdint.h>

/* VMX capability MSRs (SDM Vol. 3, A.1-A.10). */
#define LV_MSR_IA32_FEATURE_CONTROL   0x03au
#define LV_MSR_VMX_BASIC	      0x480u
#define LV_MSR_VMX_PINBASED_CTLS      0x481u
#define LV_MSR_VMX_PROCBASED_CTLS     0x482u
#define LV_MSR_VMX_EXIT_CTLS	      0x483u
#define LV_MSR_VMX_ENTRY_CTLS	      0x484u
#define LV_MSR_VMX_MISC		      0x485u
#define LV_MSR_VMX_CR0_FIXED0	      0x486u
#define LV_MSR_VMX_CR0_FIXED1	      0x487u
#define LV_MSR_VMX_CR4_FIXED0	      0x488u
#define LV_MSR_VMX_CR4_FIXED1	      0x489u
#define LV_MSR_VMX_PROCBASED_CTLS2    0x48bu
#define LV_MSR_VMX_EPT_VPID_CAP	      0x48cu
#define LV_MSR_VMX_TRUE_PINBASED_CTLS 0x48du
#define LV_MSR_VMX_TRUE_PROCBASED     0x48eu
#define LV_MSR_VMX_TRUE_EXIT_CTLS     0x48fu
#define LV_MSR_VMX_TRUE_ENTRY_CTLS    0x490u

/* IA32_FEATURE_CONTROL bits (SDM Vol. 3, 23.7). */
#define LV_FEATCTL_LOCK		     (1ull << 0)
#define LV_FEATCTL_VMXON_OUTSIDE_SMX (1ull << 2)

/* IA32_VMX_BASIC fields (SDM Vol. 3, A.1). */
#define LV_VMX_BASIC_REVISION(b)    ((uint32_t)((b)&0x7fffffffu))
#define LV_VMX_BASIC_REGION_SIZE(b) ((uint32_t)(((b) >> 32) & 0x1fffu))
#define LV_VMX_BASIC_MEMTYPE(b)	    ((uint32_t)(((b) >> 50) & 0xfu))
#define LV_VMX_BASIC_INSOUTS_INFO   (1ull << 54)
#define LV_VMX_BASIC_TRUE_CTLS	    (1ull << 55)

/* The five control words. */
enum lv_vmx_ctl {
	LV_VMX_CTL_PIN = 0,
	LV_VMX_CTL_PROC = 1,
	LV_VMX_CTL_PROC2 = 2,
	LV_VMX_CTL_EXIT = 3,
	LV_VMX_CTL_ENTRY = 4,
	LV_VMX_CTL_COUNT
};

/*
 * The capability MSR that governs control word @p ctl: the TRUE_* MSR
 * (0x48D-0x490) when VMX_BASIC bit 55 is set, the default one
 * (0x481-0x484) otherwise; secondary processor-based controls always come
 * from 0x48B (SDM Vol. 3, A.3.3). Returns 0 for an unknown @p ctl.
 */
uint32_t lv_vmx_ctl_msr(uint64_t vmx_basic, unsigned ctl);

/*
 * Compute a control word from its capability MSR value @p cap (allowed-0
 * settings in bits 31:0: a 1 there means the control must be 1; allowed-1
 * settings in bits 63:32: a 0 there means the control must be 0; SDM Vol.
 * 3, A.3-A.5). @p required bits must be 1 and @p forbidden bits must be 0,
 * otherwise LV_ERR_NOTSUP; @p optional bits are set where allowed. Every
 * must-be-1 bit is set. Returns LV_OK and the word in @p *out, or
 * LV_ERR_NOTSUP / LV_ERR_INVAL (required and forbidden overlap).
 */
int lv_vmx_ctl_compute(uint64_t cap, uint32_t required, uint32_t optional, uint32_t forbidden,
		       uint32_t *out);

/* True when every control in @p bits may be set to 1 under @p cap. */
static inline bool lv_vmx_ctl_allowed1(uint64_t cap, uint32_t bits)
{
	return ((uint32_t)(cap >> 32) & bits) == bits;
}

/*
 * Apply CR0/CR4 fixed bits (SDM Vol. 3, A.7/A.8): bits set in @p fixed0
 * are forced to 1, bits clear in @p fixed1 are forced to 0, except the
 * bits in @p exempt (CR0.PE/PG under unrestricted guest, SDM Vol. 3,
 * 26.3.1.1), which keep their value.
 */
uint64_t lv_vmx_apply_fixed(uint64_t value, uint64_t fixed0, uint64_t fixed1, uint64_t exempt);

/* True when @p value satisfies the fixed bits outside @p exempt. */
bool lv_vmx_fixed_ok(uint64_t value, uint64_t fixed0, uint64_t fixed1, uint64_t exempt);

#endif /* LV_CORE_VMX_CTLS_H */
