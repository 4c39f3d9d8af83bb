/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: VMX exit decoder. The input is the exit-information
 * fields and a register file. Invariants: the reason is in range, raw
 * values are kept, the action is defined, reasons outside Appendix C are
 * LV_EXIT_UNKNOWN.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/exit_vmx.h"
#include "core/vmx_exit_reasons.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lv_vmx_exit_in in;
	struct lv_regs regs;
	struct lv_exit ex;
	struct lv_exit_info xi;

	if (size < sizeof(in))
		return 0;
	memcpy(&in, data, sizeof(in));
	memset(&regs, 0, sizeof(regs));
	memcpy(&regs, data + sizeof(in),
	       size - sizeof(in) < sizeof(regs) ? size - sizeof(in) : sizeof(regs));
	lv_vmx_decode_exit(&in, (data[0] & 0x40) ? &regs : NULL, &ex, &xi);
	if (ex.reason >= LV_EXIT_REASON_COUNT || xi.action > LV_XACT_EMULATE)
		abort();
	if (ex.raw.reason != in.reason || ex.raw.qual != in.qual)
		abort();
	if (!(in.reason & LV_VMX_EXIT_REASON_ENTRY_FAIL) &&
	    LV_VMX_EXIT_REASON_BASIC(in.reason) > LV_VMX_EXIT_MAX && ex.reason != LV_EXIT_UNKNOWN)
		abort();
	if (ex.reason == LV_EXIT_IO && (ex.io.size < 1 || ex.io.size > 8 || ex.io.count != 1))
		abort();
	return 0;
}
