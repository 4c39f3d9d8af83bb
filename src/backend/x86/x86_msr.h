/* SPDX-License-Identifier: MIT */
/*
 * The MSR permission map of a VM on the raw backends (SVM's MSRPM, VMX's
 * MSR bitmap), built once for both: every access exits, except reads and
 * writes of the MSRs the hardware switches itself (the vendor's list) that
 * the caller's lv_vm_set_msr_exits() policy does not ask to see. Vendors
 * differ only in where an access's intercept bit is.
 */
#ifndef LV_X86_MSR_H
#define LV_X86_MSR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../core/policy.h"

/* Bit index of the intercept bit of a read (or @p write) of @p msr; -1 outside the map. */
typedef long (*lv_x86_msr_bit_fn)(uint32_t msr, bool write);

void lv_x86_msr_map_build(uint8_t *map, size_t bytes, const uint32_t *pass, size_t npass,
			  const struct lv_policy *exits, lv_x86_msr_bit_fn bit);

#endif /* LV_X86_MSR_H */
