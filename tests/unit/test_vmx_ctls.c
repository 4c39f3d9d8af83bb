/* SPDX-License-Identifier: MIT */
/*
 * The VMX control-word algorithm and fixed bits (src/core/vmx_ctls.c),
 * checked against values worked out by hand from the SDM Vol. 3,
 * Appendix A rules and against the MSR values Bochs' corei7 models report
 * (shared/TESTING.md: VMX_BASIC 0x00d810000000002b, CR0_FIXED0 0x80000021,
 * CR4_FIXED0 0x2000).
 */
#include <criterion/criterion.h>

#include "core/vmx_ctls.h"

#define BOCHS_VMX_BASIC 0x00d810000000002bull

Test(vmx_ctls, basic_fields_of_bochs)
{
	cr_expect_eq(LV_VMX_BASIC_REVISION(BOCHS_VMX_BASIC), 0x2b);
	cr_expect_eq(LV_VMX_BASIC_REGION_SIZE(BOCHS_VMX_BASIC), 0x1000);
	cr_expect_eq(LV_VMX_BASIC_MEMTYPE(BOCHS_VMX_BASIC), 6); /* WB */
	cr_expect(BOCHS_VMX_BASIC & LV_VMX_BASIC_TRUE_CTLS);
	cr_expect(BOCHS_VMX_BASIC & LV_VMX_BASIC_INSOUTS_INFO);
}

Test(vmx_ctls, msr_choice_follows_bit_55)
{
	/* Bit 55 set: TRUE_* MSRs 0x48D-0x490; secondary always 0x48B (A.3.3). */
	cr_expect_eq(lv_vmx_ctl_msr(BOCHS_VMX_BASIC, LV_VMX_CTL_PIN), 0x48d);
	cr_expect_eq(lv_vmx_ctl_msr(BOCHS_VMX_BASIC, LV_VMX_CTL_PROC), 0x48e);
	cr_expect_eq(lv_vmx_ctl_msr(BOCHS_VMX_BASIC, LV_VMX_CTL_EXIT), 0x48f);
	cr_expect_eq(lv_vmx_ctl_msr(BOCHS_VMX_BASIC, LV_VMX_CTL_ENTRY), 0x490);
	cr_expect_eq(lv_vmx_ctl_msr(BOCHS_VMX_BASIC, LV_VMX_CTL_PROC2), 0x48b);
	/* Bit 55 clear: the default MSRs 0x481-0x484. */
	cr_expect_eq(lv_vmx_ctl_msr(0x2b, LV_VMX_CTL_PIN), 0x481);
	cr_expect_eq(lv_vmx_ctl_msr(0x2b, LV_VMX_CTL_PROC), 0x482);
	cr_expect_eq(lv_vmx_ctl_msr(0x2b, LV_VMX_CTL_EXIT), 0x483);
	cr_expect_eq(lv_vmx_ctl_msr(0x2b, LV_VMX_CTL_ENTRY), 0x484);
	cr_expect_eq(lv_vmx_ctl_msr(0x2b, LV_VMX_CTL_PROC2), 0x48b);
	cr_expect_eq(lv_vmx_ctl_msr(0x2b, 99), 0);
}

Test(vmx_ctls, must_be_one_bits_are_set)
{
	/* Pin-based default1 class 0x16 (bits 1, 2, 4) must be 1; may-be-1 0x7f. */
	uint64_t cap = (0x7full << 32) | 0x16;
	uint32_t w = 0;

	cr_assert_eq(lv_vmx_ctl_compute(cap, 0x1 | 0x8, 0, 0, &w), 0);
	cr_expect_eq(w, 0x1f); /* 0x16 | EXTINT (bit 0) | NMI (bit 3) */
}

Test(vmx_ctls, optional_only_where_allowed)
{
	uint64_t cap = (0x0000f0f0ull << 32) | 0x00000010u;
	uint32_t w = 0;

	/* Optional bits 0x0f0f: none allowed; 0x00f0: all allowed. */
	cr_assert_eq(lv_vmx_ctl_compute(cap, 0, 0x0fffu, 0, &w), 0);
	cr_expect_eq(w, 0x00f0u);
}

Test(vmx_ctls, required_but_not_allowed_is_notsup)
{
	uint64_t cap = (0x0000000full << 32) | 0;
	uint32_t w = 0xdead;

	cr_expect_eq(lv_vmx_ctl_compute(cap, 0x10, 0, 0, &w), -3 /* LV_ERR_NOTSUP */);
	cr_expect_eq(w, 0xdead); /* untouched on error */
}

Test(vmx_ctls, forbidden_but_must_be_one_is_notsup)
{
	uint64_t cap = (0xffffffffull << 32) | 0x4;
	uint32_t w = 0;

	cr_expect_eq(lv_vmx_ctl_compute(cap, 0, 0, 0x4, &w), -3);
	/* Forbidding a bit that may be 0 is fine, and it stays 0 even if optional. */
	cr_assert_eq(lv_vmx_ctl_compute(cap, 0, 0x8, 0x8, &w), 0);
	cr_expect_eq(w, 0x4);
}

Test(vmx_ctls, required_and_forbidden_overlap_is_inval)
{
	uint32_t w;

	cr_expect_eq(lv_vmx_ctl_compute(~0ull, 0x2, 0, 0x2, &w), -1 /* LV_ERR_INVAL */);
}

Test(vmx_ctls, cr0_fixed_bits_with_unrestricted_guest)
{
	/* Bochs: CR0_FIXED0 = PG | NE | PE; FIXED1 = all ones in the low 32 bits. */
	const uint64_t f0 = 0x80000021, f1 = 0xffffffff, exempt = 0x80000001;

	/* Real mode guest (CR0 = 0x60000010 at reset) gets NE only. */
	cr_expect_eq(lv_vmx_apply_fixed(0x60000010, f0, f1, exempt), 0x60000030);
	/* Without the exemption PE and PG are forced too. */
	cr_expect_eq(lv_vmx_apply_fixed(0x60000010, f0, f1, 0), 0xe0000031);
	cr_expect(!lv_vmx_fixed_ok(0x60000010, f0, f1, exempt));
	cr_expect(lv_vmx_fixed_ok(0x60000030, f0, f1, exempt));
	/* A bit above FIXED1 is cleared. */
	cr_expect_eq(lv_vmx_apply_fixed(0x100000031ull, f0, f1, exempt), 0x31);
}

Test(vmx_ctls, cr4_fixed_bits)
{
	/* CR4_FIXED0 = VMXE (bit 13). */
	cr_expect_eq(lv_vmx_apply_fixed(0x20, 0x2000, 0x3727ff, 0), 0x2020);
	cr_expect(lv_vmx_fixed_ok(0x2020, 0x2000, 0x3727ff, 0));
	cr_expect(!lv_vmx_fixed_ok(0x20, 0x2000, 0x3727ff, 0));
}
