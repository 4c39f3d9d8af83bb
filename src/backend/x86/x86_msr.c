/* SPDX-License-Identifier: MIT */
/*
 * The MSR permission map of the raw backends (x86_msr.h) and the MSRs the
 * layer keeps itself (lv_x86_own_msr(), x86_vcpu.h).
 */
#include "x86_msr.h"

#include "../../core/lvlib.h"
#include "../../core/x86_arch.h"
#include "x86_vcpu.h"

static void pass_through(uint8_t *map, long bit)
{
	if (bit >= 0)
		map[bit / 8] &= (uint8_t) ~(1u << (bit % 8));
}

void lv_x86_msr_map_build(uint8_t *map, size_t bytes, const uint32_t *pass, size_t npass,
			  const struct lv_policy *exits, lv_x86_msr_bit_fn bit)
{
	size_t i;

	memset(map, 0xff, bytes);
	for (i = 0; i < npass; i++) {
		if (!lv_policy_msr_exits(exits, pass[i], false))
			pass_through(map, bit(pass[i], false));
		if (!lv_policy_msr_exits(exits, pass[i], true))
			pass_through(map, bit(pass[i], true));
	}
}

/*
 * IA32_MISC_ENABLE (SDM Vol. 4, table 2-2): the guest's own, kept here as
 * KVM keeps it (guest RDMSR/WRMSR and lv_vcpu_get_msr / set_msr alike).
 * Power-on value: bits 11 (Branch Trace Storage Unavailable) and 12
 * (Processor Event Based Sampling Unavailable) set, as no vCPU has BTS or
 * PEBS. Those two are read-only: a write that changes one is refused (the
 * guest takes #GP). Bit 7 (Performance Monitoring Available) is read-only
 * too: writes leave it as it is. Every other bit (fast strings, MONITOR
 * FSM, Limit CPUID Maxval, XD Bit Disable, ...) reads back what was
 * written and changes nothing else in the vCPU.
 */
#define MISC_ENABLE_EMON 0x80ull		  /* bit 7 */
#define MISC_ENABLE_RO	 LV_X86_MISC_ENABLE_RESET /* bits 11 and 12 */

static int misc_enable(struct lv_x86_vcpu *x, int write, uint64_t *value)
{
	if (!write) {
		*value = x->misc_enable;
		return 1;
	}
	if ((*value ^ x->misc_enable) & MISC_ENABLE_RO)
		return -1;
	x->misc_enable = (*value & ~MISC_ENABLE_EMON) | (x->misc_enable & MISC_ENABLE_EMON);
	return 1;
}

int lv_x86_own_msr(struct lv_x86_vcpu *x, uint32_t index, int write, uint64_t *value)
{
	switch (index) {
	case MSR_TSC_AUX:
		return lv_x86_aux_msr(x, write, value);
	case MSR_MISC_ENABLE:
		return misc_enable(x, write, value);
	default:
		return 0;
	}
}
