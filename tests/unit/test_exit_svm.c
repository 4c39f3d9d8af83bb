/* SPDX-License-Identifier: MIT */
/* SVM exit decoder: EXITINFO formats from the AMD APM Vol. 2, chapter 15 / Appendix C. */
#include <criterion/criterion.h>

#include <libvcpu/libvcpu.h>

#include "core/exit_svm.h"
#include "core/svm_exitcodes.h"

static struct lv_exit ex;
static struct lv_exit_info xi;

static void dec(uint64_t code, uint64_t i1, uint64_t i2)
{
	struct lv_svm_exit_in in = { .exitcode = code, .exitinfo1 = i1, .exitinfo2 = i2 };

	cr_assert_eq(lv_svm_decode_exit(&in, NULL, &ex, &xi), LV_OK);
}

Test(exit_svm, every_code_keeps_raw_unknown_is_unknown)
{
	for (uint64_t c = 0; c < 0x1000; c++) {
		dec(c, 0x55, 0x66);
		cr_assert_eq(ex.raw.backend, LV_BACKEND_SVM);
		cr_assert_eq(ex.raw.reason, c);
		cr_assert_eq(ex.raw.qual, 0x55);
		cr_assert_eq(ex.raw.info1, 0x66);
		cr_assert_lt(ex.reason, LV_EXIT_REASON_COUNT);
		if ((c > LV_SVM_EXIT_BUSLOCK && c < LV_SVM_EXIT_NPF) || c > LV_SVM_EXIT_VMGEXIT)
			cr_assert_eq(ex.reason, LV_EXIT_UNKNOWN, "code %#lx", (unsigned long)c);
	}
	dec(LV_SVM_EXIT_VMGEXIT, 0, 0);
	cr_assert_eq(ex.reason, LV_EXIT_UNKNOWN);
	dec(0x7fffffff, 0, 0);
	cr_assert_eq(ex.reason, LV_EXIT_UNKNOWN);
	dec(LV_SVM_EXIT_HLT, 0, 0);
	cr_assert_eq(ex.reason, LV_EXIT_HLT);
	dec(LV_SVM_EXIT_SHUTDOWN, 0, 0);
	cr_assert_eq(ex.reason, LV_EXIT_SHUTDOWN);
	dec(LV_SVM_EXIT_VINTR, 0, 0);
	cr_assert_eq(ex.reason, LV_EXIT_IRQ_WINDOW);
	dec(LV_SVM_EXIT_INTR, 0, 0);
	cr_assert_eq(xi.action, LV_XACT_HOST);
	dec(LV_SVM_EXIT_VMRUN, 0, 0);
	cr_assert_eq(xi.action, LV_XACT_INJECT);
	cr_assert_eq(ex.exception.vector, 6);
	dec(LV_SVM_EXIT_CR0_WRITE_TRAP + 4, 0, 0);
	cr_assert_eq(xi.action, LV_XACT_HOST);
}

Test(exit_svm, invalid_in_both_encodings)
{
	dec(0xffffffffffffffffull, 0, 0);
	cr_assert_eq(ex.reason, LV_EXIT_ENTRY_FAILED);
	cr_assert_eq(ex.entry_failed.kind, LV_ENTRY_FAIL_GUEST_STATE);
	dec(0x00000000ffffffffull, 0, 0); /* as QEMU TCG stores it */
	cr_assert_eq(ex.reason, LV_EXIT_ENTRY_FAILED);
	cr_assert_eq(ex.entry_failed.hw_reason, 0xffffffffull);
}

Test(exit_svm, ioio)
{
	struct lv_svm_exit_in in = {
		.exitcode = LV_SVM_EXIT_IOIO,
		.exitinfo1 = (0x3f8ull << 16) | LV_SVM_IO_SZ8 | LV_SVM_IO_A64,
		.exitinfo2 = 0x1001,
		.nrip = 0x1001,
		.rip = 0x1000,
	};

	lv_svm_decode_exit(&in, NULL, &ex, &xi);
	cr_assert_eq(ex.reason, LV_EXIT_IO);
	cr_assert_eq(ex.io.port, 0x3f8);
	cr_assert_eq(ex.io.size, 1);
	cr_assert_eq(ex.io.is_write, 1);
	cr_assert_eq(xi.insn_len, 1);
	cr_assert_eq(xi.next_rip, 0x1001);
	cr_assert_eq(xi.action, LV_XACT_USER);

	in.exitinfo1 = (0x60ull << 16) | LV_SVM_IO_SZ32 | LV_SVM_IO_IN;
	in.nrip = 0; /* no NRIPS: length unknown */
	lv_svm_decode_exit(&in, NULL, &ex, &xi);
	cr_assert_eq(ex.io.size, 4);
	cr_assert_eq(ex.io.is_write, 0);
	cr_assert_eq(xi.insn_len, 0);

	in.exitinfo1 = (0x1f0ull << 16) | LV_SVM_IO_SZ16 | LV_SVM_IO_IN | LV_SVM_IO_STR |
		       LV_SVM_IO_REP | LV_SVM_IO_A32 | (3ull << 10);
	lv_svm_decode_exit(&in, NULL, &ex, &xi);
	cr_assert_eq(ex.io.size, 2);
	cr_assert(ex.io.is_string && ex.io.is_rep);
	cr_assert_eq(xi.io.addr_size, 4);
	cr_assert_eq(xi.io.seg, 3);
	cr_assert_eq(xi.action, LV_XACT_EMULATE);
}

Test(exit_svm, msr_npf_exceptions)
{
	struct lv_regs r = { .rax = 0xaabbccdd, .rcx = 0xc0000080, .rdx = 0x1 };
	struct lv_svm_exit_in in = { .exitcode = LV_SVM_EXIT_MSR, .exitinfo1 = 1 };

	lv_svm_decode_exit(&in, &r, &ex, &xi);
	cr_assert_eq(ex.reason, LV_EXIT_WRMSR);
	cr_assert_eq(ex.msr.index, 0xc0000080);
	cr_assert_eq(ex.msr.value, 0x1aabbccddull);
	in.exitinfo1 = 0;
	lv_svm_decode_exit(&in, &r, &ex, &xi);
	cr_assert_eq(ex.reason, LV_EXIT_RDMSR);

	dec(LV_SVM_EXIT_NPF, LV_SVM_NPF_P | LV_SVM_NPF_RW | LV_SVM_NPF_FINAL, 0xfebf0008);
	cr_assert_eq(ex.reason, LV_EXIT_NPF);
	cr_assert_eq(ex.npf.gpa, 0xfebf0008);
	cr_assert_eq(ex.npf.access, LV_ACCESS_WRITE);
	cr_assert_eq(xi.npf.present, 1);
	cr_assert_eq(xi.npf.in_walk, 0);
	cr_assert_eq(xi.action, LV_XACT_EMULATE);
	dec(LV_SVM_EXIT_NPF, LV_SVM_NPF_ID | LV_SVM_NPF_WALK, 0x2000);
	cr_assert_eq(ex.npf.access, LV_ACCESS_EXEC);
	cr_assert_eq(xi.npf.in_walk, 1);

	dec(LV_SVM_EXIT_EXCP0 + 13, 0x18, 0); /* #GP(0x18) */
	cr_assert_eq(ex.reason, LV_EXIT_EXCEPTION);
	cr_assert_eq(ex.exception.vector, 13);
	cr_assert_eq(ex.exception.has_error_code, 1);
	cr_assert_eq(ex.exception.error_code, 0x18);
	dec(LV_SVM_EXIT_EXCP0 + 14, 2, 0xdead0000); /* #PF */
	cr_assert_eq(ex.exception.cr2, 0xdead0000);
	dec(LV_SVM_EXIT_EXCP0 + 6, 0x99, 0); /* #UD: no error code */
	cr_assert_eq(ex.exception.has_error_code, 0);
	cr_assert_eq(ex.exception.error_code, 0);
	dec(LV_SVM_EXIT_EXCP0 + 8, 0, 0); /* #DF: error code 0 */
	cr_assert_eq(ex.exception.has_error_code, 1);
}

Test(exit_svm, cr_dr_decode_assists_and_exitintinfo)
{
	dec(LV_SVM_EXIT_WRITE_CR0 + 3, LV_SVM_CRDR_VALID | 7, 0);
	cr_assert_eq(xi.action, LV_XACT_HOST);
	cr_assert_eq(xi.cr.cr, 3);
	cr_assert_eq(xi.cr.type, LV_CR_MOV_TO);
	cr_assert_eq(xi.cr.gpr, 7);
	cr_assert(xi.cr.gpr_valid);
	dec(LV_SVM_EXIT_READ_CR0 + 8, 0, 0); /* no decode assists */
	cr_assert_eq(xi.cr.type, LV_CR_MOV_FROM);
	cr_assert(!xi.cr.gpr_valid);
	dec(LV_SVM_EXIT_WRITE_DR0 + 7, LV_SVM_CRDR_VALID | 2, 0);
	cr_assert_eq(xi.dr.dr, 7);
	cr_assert_eq(xi.dr.to_dr, 1);
	dec(LV_SVM_EXIT_READ_DR0 + 6, 0, 0);
	cr_assert_eq(xi.dr.to_dr, 0);

	struct lv_svm_exit_in in = {
		.exitcode = LV_SVM_EXIT_NPF,
		.exitintinfo = LV_SVM_INT_V | LV_SVM_INT_EV | (LV_SVM_INT_TYPE_EXCEPTION << 8) |
			       14 | (0x2ull << 32),
	};
	lv_svm_decode_exit(&in, NULL, &ex, &xi);
	cr_assert(xi.vectoring.valid);
	cr_assert_eq(xi.vectoring.type, LV_XEVT_HW_EXC);
	cr_assert_eq(xi.vectoring.vector, 14);
	cr_assert_eq(xi.vectoring.error_code, 2);
	cr_assert_eq(ex.raw.intinfo, in.exitintinfo);

	dec(LV_SVM_EXIT_TASK_SWITCH, 0x30, LV_SVM_TS_IRET);
	cr_assert_eq(xi.task.selector, 0x30);
	cr_assert_eq(xi.task.source, 1);
	dec(LV_SVM_EXIT_VMMCALL, 0, 0);
	cr_assert_eq(ex.reason, LV_EXIT_HYPERCALL);
	dec(LV_SVM_EXIT_CPUID, 0, 0);
	cr_assert_eq(ex.reason, LV_EXIT_CPUID);
}
