/* SPDX-License-Identifier: MIT */
/*
 * SVM exit decoder: VMCB EXITCODE/EXITINFO1/EXITINFO2/EXITINTINFO/nRIP ->
 * the neutral struct lv_exit plus struct lv_exit_info. Table-driven over
 * the exit code (AMD APM Vol. 2, Appendix C); the raw values are always
 * kept; an unknown code becomes LV_EXIT_UNKNOWN. Pure, freestanding.
 */
#ifndef LV_CORE_EXIT_SVM_H
#define LV_CORE_EXIT_SVM_H

#include <stdint.h>

#include <libvcpu/exit.h>
#include <libvcpu/state.h>

#include "exit_info.h"

/** The VMCB control-area fields an exit decoder reads (APM Vol. 2, Table B-1). */
struct lv_svm_exit_in {
	uint64_t exitcode;    /**< VMCB 0x070. */
	uint64_t exitinfo1;   /**< VMCB 0x078. */
	uint64_t exitinfo2;   /**< VMCB 0x080. */
	uint64_t exitintinfo; /**< VMCB 0x088. */
	uint64_t nrip;	      /**< VMCB 0x0C8 (0 without NRIPS). */
	uint64_t rip;	      /**< Guest RIP at the exit (save area), for the instruction length. */
};

/**
 * Decode one exit. @p regs (may be NULL) supplies the registers for CPUID,
 * MSR and hypercall records. raw.reason = EXITCODE, raw.qual = EXITINFO1,
 * raw.info1 = EXITINFO2, raw.info2 = nRIP, raw.intinfo = EXITINTINFO.
 * @return LV_OK.
 */
int lv_svm_decode_exit(const struct lv_svm_exit_in *in, const struct lv_regs *regs,
		       struct lv_exit *out, struct lv_exit_info *info);

#endif /* LV_CORE_EXIT_SVM_H */
