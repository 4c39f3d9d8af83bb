/* SPDX-License-Identifier: MIT */
/* VMX control-word algorithm and fixed bits (Intel SDM Vol. 3, Appendix A). */
#include <libvcpu/status.h>

#include "vmx_ctls.h"

uint32_t lv_vmx_ctl_msr(uint64_t vmx_basic, unsigned ctl)
{
	bool t = (vmx_basic & LV_VMX_BASIC_TRUE_CTLS) != 0;

	switch (ctl) {
	case LV_VMX_CTL_PIN:
		return t ? LV_MSR_VMX_TRUE_PINBASED_CTLS : LV_MSR_VMX_PINBASED_CTLS;
	case LV_VMX_CTL_PROC:
		return t ? LV_MSR_VMX_TRUE_PROCBASED : LV_MSR_VMX_PROCBASED_CTLS;
	case LV_VMX_CTL_PROC2:
		return LV_MSR_VMX_PROCBASED_CTLS2; /* no TRUE form (A.3.3) */
	case LV_VMX_CTL_EXIT:
		return t ? LV_MSR_VMX_TRUE_EXIT_CTLS : LV_MSR_VMX_EXIT_CTLS;
	case LV_VMX_CTL_ENTRY:
		return t ? LV_MSR_VMX_TRUE_ENTRY_CTLS : LV_MSR_VMX_ENTRY_CTLS;
	default:
		return 0;
	}
}

int lv_vmx_ctl_compute(uint64_t cap, uint32_t required, uint32_t optional, uint32_t forbidden,
		       uint32_t *out)
{
	uint32_t must1 = (uint32_t)cap;	       /* allowed-0 settings */
	uint32_t may1 = (uint32_t)(cap >> 32); /* allowed-1 settings */

	if (required & forbidden)
		return LV_ERR_INVAL;
	if (required & ~may1)
		return LV_ERR_NOTSUP; /* a control we need cannot be 1 */
	if (forbidden & must1)
		return LV_ERR_NOTSUP; /* a control we cannot use must be 1 */
	*out = must1 | required | (optional & may1 & ~forbidden);
	return LV_OK;
}

uint64_t lv_vmx_apply_fixed(uint64_t value, uint64_t fixed0, uint64_t fixed1, uint64_t exempt)
{
	uint64_t keep = value & exempt;

	value = (value | fixed0) & fixed1;
	return (value & ~exempt) | keep;
}

bool lv_vmx_fixed_ok(uint64_t value, uint64_t fixed0, uint64_t fixed1, uint64_t exempt)
{
	return lv_vmx_apply_fixed(value, fixed0, fixed1, exempt) == value;
}
