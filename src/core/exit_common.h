/* SPDX-License-Identifier: MIT */
/* Helpers shared by the VMX and SVM exit decoders. Internal. */
#ifndef LV_CORE_EXIT_COMMON_H
#define LV_CORE_EXIT_COMMON_H

#include <libvcpu/exit.h>
#include <libvcpu/state.h>

#include "exit_info.h"

/** Exceptions that push an error code (SDM Vol. 3, Table 6-1; APM Vol. 2, Table 8-1). */
static inline int lv_exc_has_error_code(unsigned vector)
{
	return vector < 32 && ((1u << vector) & 0x60227d00u) != 0;
}

/** Fill the register-derived parts of CPUID/MSR/hypercall records. */
static inline void lv_exit_fill_from_regs(struct lv_exit *out, const struct lv_regs *r)
{
	if (!r)
		return;
	switch (out->reason) {
	case LV_EXIT_CPUID:
		out->cpuid.leaf = (uint32_t)r->rax;
		out->cpuid.subleaf = (uint32_t)r->rcx;
		break;
	case LV_EXIT_RDMSR:
		out->msr.index = (uint32_t)r->rcx;
		break;
	case LV_EXIT_WRMSR:
		out->msr.index = (uint32_t)r->rcx;
		out->msr.value = (r->rdx << 32) | (r->rax & 0xffffffffull);
		break;
	case LV_EXIT_HYPERCALL:
		out->hypercall.nr = r->rax;
		out->hypercall.args[0] = r->rbx;
		out->hypercall.args[1] = r->rcx;
		out->hypercall.args[2] = r->rdx;
		out->hypercall.args[3] = r->rsi;
		out->hypercall.args[4] = r->rdi;
		break;
	default:
		break;
	}
}

#endif /* LV_CORE_EXIT_COMMON_H */
