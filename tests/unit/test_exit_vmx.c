/* SPDX-License-Identifier: MIT */
/* VMX exit decoder: qualification formats from the SDM Vol. 3, 28.2.1. */
#include <criterion/criterion.h>

#include <libvcpu/libvcpu.h>

#include "core/exit_vmx.h"
#include "core/vmx_exit_reasons.h"

static struct lv_exit ex;
static struct lv_exit_info xi;

static void dec(uint32_t reason, uint64_t qual)
{
	struct lv_vmx_exit_in in = { .reason = reason, .qual = qual, .insn_len = 2 };

	cr_assert_eq(lv_vmx_decode_exit(&in, NULL, &ex, &xi), LV_OK);
}

Test(exit_vmx, every_reason_keeps_raw_and_unknown_is_unknown)
{
	static const uint32_t unknown[] = { 35, 38, 42, 71, 80, 200, 0xffff };

	for (uint32_t r = 0; r <= 0xffff; r++) {
		dec(r, 0x1234);
		cr_assert_eq(ex.raw.backend, LV_BACKEND_VMX);
		cr_assert_eq(ex.raw.reason, r);
		cr_assert_eq(ex.raw.qual, 0x1234);
		cr_assert_lt(ex.reason, LV_EXIT_REASON_COUNT);
		cr_assert_leq(xi.action, LV_XACT_EMULATE);
		if (r > LV_VMX_EXIT_MAX)
			cr_assert_eq(ex.reason, LV_EXIT_UNKNOWN, "reason %u", r);
	}
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		dec(unknown[i], 0);
		cr_assert_eq(ex.reason, LV_EXIT_UNKNOWN, "reason %u", unknown[i]);
		cr_assert_eq(xi.action, LV_XACT_USER);
	}
	dec(LV_VMX_EXIT_HLT, 0);
	cr_assert_eq(ex.reason, LV_EXIT_HLT);
	cr_assert_eq(xi.insn_len, 2);
	dec(LV_VMX_EXIT_TRIPLE_FAULT, 0);
	cr_assert_eq(ex.reason, LV_EXIT_SHUTDOWN);
	dec(LV_VMX_EXIT_EXTERNAL_INTERRUPT, 0);
	cr_assert_eq(xi.action, LV_XACT_HOST);
	dec(LV_VMX_EXIT_INTERRUPT_WINDOW, 0);
	cr_assert_eq(ex.reason, LV_EXIT_IRQ_WINDOW);
	dec(LV_VMX_EXIT_NMI_WINDOW, 0);
	cr_assert_eq(ex.reason, LV_EXIT_NMI_WINDOW);
	dec(LV_VMX_EXIT_MTF, 0);
	cr_assert_eq(ex.reason, LV_EXIT_DEBUG);
	dec(LV_VMX_EXIT_VMXON, 0);
	cr_assert_eq(xi.action, LV_XACT_INJECT);
	cr_assert_eq(ex.exception.vector, 6);
}

Test(exit_vmx, io_qualification)
{
	dec(LV_VMX_EXIT_IO_INSTRUCTION, 0x3f8ull << 16); /* out dx, al */
	cr_assert_eq(ex.reason, LV_EXIT_IO);
	cr_assert_eq(ex.io.port, 0x3f8);
	cr_assert_eq(ex.io.size, 1);
	cr_assert_eq(ex.io.is_write, 1);
	cr_assert_eq(ex.io.is_string, 0);
	cr_assert_eq(ex.io.count, 1);
	cr_assert_eq(xi.action, LV_XACT_USER);

	dec(LV_VMX_EXIT_IO_INSTRUCTION, (0x60ull << 16) | LV_VMX_IO_IMM | LV_VMX_IO_IN | 3);
	cr_assert_eq(ex.io.port, 0x60); /* in eax, 0x60 */
	cr_assert_eq(ex.io.size, 4);
	cr_assert_eq(ex.io.is_write, 0);
	cr_assert_eq(xi.io.imm, 1);

	dec(LV_VMX_EXIT_IO_INSTRUCTION,
	    (0x1f0ull << 16) | LV_VMX_IO_STRING | LV_VMX_IO_REP | LV_VMX_IO_IN | 1);
	cr_assert_eq(ex.io.size, 2); /* rep insw */
	cr_assert(ex.io.is_string && ex.io.is_rep);
	cr_assert_eq(xi.action, LV_XACT_EMULATE);

	struct lv_vmx_exit_in in = { .reason = LV_VMX_EXIT_IO_INSTRUCTION,
				     .qual = (0x3f8ull << 16) | LV_VMX_IO_STRING,
				     .insn_info = (1u << 7) | (3u << 15) }; /* 32-bit, DS */
	lv_vmx_decode_exit(&in, NULL, &ex, &xi);
	cr_assert_eq(xi.io.addr_size, 4);
	cr_assert_eq(xi.io.seg, 3);
}

Test(exit_vmx, cr_dr_task_apic)
{
	dec(LV_VMX_EXIT_CR_ACCESS, 3 | (LV_VMX_CR_TYPE_MOV_TO << 4) | (5 << 8)); /* mov cr3, rbp */
	cr_assert_eq(xi.action, LV_XACT_HOST);
	cr_assert_eq(xi.cr.cr, 3);
	cr_assert_eq(xi.cr.type, LV_CR_MOV_TO);
	cr_assert_eq(xi.cr.gpr, 5);
	cr_assert(xi.cr.gpr_valid);
	dec(LV_VMX_EXIT_CR_ACCESS, 0 | (LV_VMX_CR_TYPE_LMSW << 4) | (0x000bull << 16));
	cr_assert_eq(xi.cr.type, LV_CR_LMSW);
	cr_assert_eq(xi.cr.lmsw_data, 0xb);
	cr_assert(!xi.cr.gpr_valid);
	dec(LV_VMX_EXIT_CR_ACCESS, 8 | (LV_VMX_CR_TYPE_MOV_FROM << 4) | (12 << 8));
	cr_assert_eq(xi.cr.cr, 8);
	cr_assert_eq(xi.cr.type, LV_CR_MOV_FROM);
	cr_assert_eq(xi.cr.gpr, 12);

	dec(LV_VMX_EXIT_DR_ACCESS, 7 | LV_VMX_DR_FROM | (1 << 8)); /* mov rcx, dr7 */
	cr_assert_eq(xi.dr.dr, 7);
	cr_assert_eq(xi.dr.to_dr, 0);
	cr_assert_eq(xi.dr.gpr, 1);
	dec(LV_VMX_EXIT_DR_ACCESS, 2 | (9 << 8)); /* mov dr2, r9 */
	cr_assert_eq(xi.dr.to_dr, 1);
	cr_assert_eq(xi.dr.gpr, 9);

	dec(LV_VMX_EXIT_TASK_SWITCH, 0x28 | (3ull << 30));
	cr_assert_eq(xi.task.selector, 0x28);
	cr_assert_eq(xi.task.source, 3);

	dec(LV_VMX_EXIT_APIC_ACCESS, 0x0b0 | (LV_VMX_APIC_LINEAR_WRITE << 12));
	cr_assert_eq(xi.action, LV_XACT_EMULATE);
	cr_assert_eq(xi.apic.offset, 0xb0);
	cr_assert_eq(xi.apic.type, LV_VMX_APIC_LINEAR_WRITE);
}

Test(exit_vmx, ept_violation_and_misconfig)
{
	struct lv_vmx_exit_in in = {
		.reason = LV_VMX_EXIT_EPT_VIOLATION,
		.qual = LV_VMX_EPT_WRITE | LV_VMX_EPT_READABLE | LV_VMX_EPT_GLA_VALID |
			LV_VMX_EPT_GLA_TRANSLATED,
		.gpa = 0xfee00030,
		.gla = 0xffff800000001030ull,
	};

	lv_vmx_decode_exit(&in, NULL, &ex, &xi);
	cr_assert_eq(ex.reason, LV_EXIT_NPF);
	cr_assert_eq(xi.action, LV_XACT_EMULATE);
	cr_assert_eq(ex.npf.gpa, 0xfee00030);
	cr_assert_eq(ex.npf.access, LV_ACCESS_WRITE);
	cr_assert_eq(ex.npf.gva_valid, 1);
	cr_assert_eq(ex.npf.gva, 0xffff800000001030ull);
	cr_assert_eq(xi.npf.present, 1);
	cr_assert_eq(xi.npf.in_walk, 0);
	cr_assert_eq(ex.raw.info1, 0xfee00030);

	in.qual = LV_VMX_EPT_READ | LV_VMX_EPT_GLA_VALID; /* during the guest walk */
	lv_vmx_decode_exit(&in, NULL, &ex, &xi);
	cr_assert_eq(ex.npf.access, LV_ACCESS_READ);
	cr_assert_eq(xi.npf.in_walk, 1);
	cr_assert_eq(xi.npf.present, 0);

	in.qual = LV_VMX_EPT_FETCH; /* no linear address */
	lv_vmx_decode_exit(&in, NULL, &ex, &xi);
	cr_assert_eq(ex.npf.access, LV_ACCESS_EXEC);
	cr_assert_eq(ex.npf.gva_valid, 0);
	cr_assert_eq(ex.npf.gva, 0);

	in.reason = LV_VMX_EXIT_EPT_MISCONFIG;
	lv_vmx_decode_exit(&in, NULL, &ex, &xi);
	cr_assert_eq(ex.reason, LV_EXIT_NPF);
	cr_assert_eq(xi.npf.misconfig, 1);

	/* the GPA field is stale outside reasons 48/49: not reported */
	in.reason = LV_VMX_EXIT_HLT;
	lv_vmx_decode_exit(&in, NULL, &ex, &xi);
	cr_assert_eq(ex.raw.info1, 0);
}

Test(exit_vmx, exceptions_nmi_and_vectoring)
{
	struct lv_vmx_exit_in in = {
		.reason = LV_VMX_EXIT_EXCEPTION_NMI,
		.qual = 0xdeadb000,
		.intr_info = LV_VMX_INTR_VALID | LV_VMX_INTR_ERROR_VALID |
			     (LV_VMX_INTR_TYPE_HW_EXC << 8) | 14,
		.intr_error = 6,
		.idt_info = LV_VMX_INTR_VALID | (LV_VMX_INTR_TYPE_EXT_INT << 8) | 0x30,
	};

	lv_vmx_decode_exit(&in, NULL, &ex, &xi);
	cr_assert_eq(ex.reason, LV_EXIT_EXCEPTION);
	cr_assert_eq(ex.exception.vector, 14);
	cr_assert_eq(ex.exception.has_error_code, 1);
	cr_assert_eq(ex.exception.error_code, 6);
	cr_assert_eq(ex.exception.cr2, 0xdeadb000);
	cr_assert(xi.vectoring.valid);
	cr_assert_eq(xi.vectoring.type, LV_XEVT_EXT_INT);
	cr_assert_eq(xi.vectoring.vector, 0x30);
	cr_assert_eq(xi.vectoring.has_error_code, 0);
	cr_assert_eq(ex.raw.intinfo, in.intr_info | (6ull << 32));

	in.intr_info = LV_VMX_INTR_VALID | (LV_VMX_INTR_TYPE_HW_EXC << 8) | 6; /* #UD */
	in.idt_info = 0;
	lv_vmx_decode_exit(&in, NULL, &ex, &xi);
	cr_assert_eq(ex.exception.vector, 6);
	cr_assert_eq(ex.exception.has_error_code, 0);
	cr_assert_eq(ex.exception.cr2, 0);
	cr_assert(!xi.vectoring.valid);

	in.intr_info = LV_VMX_INTR_VALID | (LV_VMX_INTR_TYPE_NMI << 8) | 2;
	lv_vmx_decode_exit(&in, NULL, &ex, &xi);
	cr_assert_eq(ex.reason, LV_EXIT_NONE);
	cr_assert_eq(xi.action, LV_XACT_HOST);
}

Test(exit_vmx, entry_failure)
{
	dec(LV_VMX_EXIT_ENTRY_FAIL_GUEST_STATE | LV_VMX_EXIT_REASON_ENTRY_FAIL, 3);
	cr_assert_eq(ex.reason, LV_EXIT_ENTRY_FAILED);
	cr_assert_eq(ex.entry_failed.kind, LV_ENTRY_FAIL_GUEST_STATE);
	cr_assert_eq(ex.entry_failed.hw_reason, 0x80000021u);
	cr_assert_eq(ex.entry_failed.qualification, 3);
	dec(LV_VMX_EXIT_ENTRY_FAIL_MSR_LOADING | LV_VMX_EXIT_REASON_ENTRY_FAIL, 2);
	cr_assert_eq(ex.reason, LV_EXIT_ENTRY_FAILED);
	dec(LV_VMX_EXIT_ENTRY_FAIL_MCE | LV_VMX_EXIT_REASON_ENTRY_FAIL, 0);
	cr_assert_eq(ex.reason, LV_EXIT_ENTRY_FAILED);
}

Test(exit_vmx, register_derived_records)
{
	struct lv_regs r = { .rax = 0x8000000000000007ull,
			     .rcx = 0xffffffff00000001ull,
			     .rdx = 0x11,
			     .rbx = 1,
			     .rsi = 4,
			     .rdi = 5 };
	struct lv_vmx_exit_in in = { .reason = LV_VMX_EXIT_CPUID };

	lv_vmx_decode_exit(&in, &r, &ex, &xi);
	cr_assert_eq(ex.cpuid.leaf, 7);
	cr_assert_eq(ex.cpuid.subleaf, 1);
	in.reason = LV_VMX_EXIT_WRMSR;
	lv_vmx_decode_exit(&in, &r, &ex, &xi);
	cr_assert_eq(ex.reason, LV_EXIT_WRMSR);
	cr_assert_eq(ex.msr.index, 1);
	cr_assert_eq(ex.msr.value, 0x1100000007ull);
	in.reason = LV_VMX_EXIT_RDMSR;
	lv_vmx_decode_exit(&in, &r, &ex, &xi);
	cr_assert_eq(ex.reason, LV_EXIT_RDMSR);
	cr_assert_eq(ex.msr.index, 1);
	in.reason = LV_VMX_EXIT_VMCALL;
	lv_vmx_decode_exit(&in, &r, &ex, &xi);
	cr_assert_eq(ex.reason, LV_EXIT_HYPERCALL);
	cr_assert_eq(ex.hypercall.nr, r.rax);
	cr_assert_eq(ex.hypercall.args[0], 1);
	cr_assert_eq(ex.hypercall.args[4], 5);
}
