/* SPDX-License-Identifier: MIT */
/*
 * VMX exit decoder: the VMCS exit-information fields -> the neutral
 * struct lv_exit (include/libvcpu/exit.h) plus struct lv_exit_info
 * (exit_info.h). Table-driven over the basic exit reason (SDM Vol. 3,
 * Appendix C); the raw values are always kept in lv_exit.raw; an unknown
 * reason becomes LV_EXIT_UNKNOWN. Pure, freestanding, no allocation.
 */
#ifndef LV_CORE_EXIT_VMX_H
#define LV_CORE_EXIT_VMX_H

#include <stdint.h>

#include <libvcpu/exit.h>
#include <libvcpu/state.h>

#include "exit_info.h"

/** The VMCS fields an exit decoder reads (SDM Vol. 3, 25.9). */
struct lv_vmx_exit_in {
	uint32_t reason;   /**< VM_EXIT_REASON (full 32 bits). */
	uint32_t insn_len; /**< VM_EXIT_INSTRUCTION_LEN. */
	uint64_t qual;	   /**< EXIT_QUALIFICATION. */
	uint64_t gpa;	   /**< GUEST_PHYSICAL_ADDRESS (read only for reasons 48/49). */
	uint64_t gla;	   /**< GUEST_LINEAR_ADDRESS. */
	uint32_t intr_info, intr_error; /**< VM-exit interruption information / error code. */
	uint32_t idt_info, idt_error;	/**< IDT-vectoring information / error code. */
	uint32_t insn_info;		/**< VM-exit instruction information (INS/OUTS: 28.2.5). */
	uint32_t pad_;
};

/**
 * Decode one exit. @p regs (may be NULL) supplies RAX/RCX/RDX/... for the
 * exits whose record holds register values (CPUID leaf, MSR index and
 * value, hypercall arguments). Always fills @p out (reason, details, raw)
 * and @p info. raw.intinfo / raw.vectoring hold the information field in
 * bits 31:0 and its error code in bits 63:32.
 * @return LV_OK.
 */
int lv_vmx_decode_exit(const struct lv_vmx_exit_in *in, const struct lv_regs *regs,
		       struct lv_exit *out, struct lv_exit_info *info);

#endif /* LV_CORE_EXIT_VMX_H */
