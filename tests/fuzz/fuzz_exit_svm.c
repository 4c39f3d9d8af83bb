/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: SVM exit decoder. Input: the VMCB exit fields and a
 * register file. Invariants as for the VMX decoder.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/exit_svm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lv_svm_exit_in in;
	struct lv_regs regs;
	struct lv_exit ex;
	struct lv_exit_info xi;

	if (size < sizeof(in))
		return 0;
	memcpy(&in, data, sizeof(in));
	if (data[0] & 0x80)
		in.exitcode &= 0x4ff; /* visit the defined codes often */
	memset(&regs, 0, sizeof(regs));
	memcpy(&regs, data + sizeof(in),
	       size - sizeof(in) < sizeof(regs) ? size - sizeof(in) : sizeof(regs));
	lv_svm_decode_exit(&in, (data[1] & 1) ? &regs : NULL, &ex, &xi);
	if (ex.reason >= LV_EXIT_REASON_COUNT || xi.action > LV_XACT_EMULATE)
		abort();
	if (ex.raw.reason != in.exitcode || ex.raw.qual != in.exitinfo1)
		abort();
	if (xi.insn_len > 15)
		abort();
	if (ex.reason == LV_EXIT_IO && (ex.io.size != 1 && ex.io.size != 2 && ex.io.size != 4))
		abort();
	return 0;
}
