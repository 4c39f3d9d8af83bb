/* SPDX-License-Identifier: MIT */
/*
 * VMX exit decoder. One table row per basic exit reason (SDM Vol. 3,
 * Appendix C): the neutral reason, what the backend should do, and which
 * qualification format to decode (SDM Vol. 3, 28.2.1).
 */
#include "exit_vmx.h"
#include "exit_common.h"
#include "lvlib.h"
#include "vmx_exit_reasons.h"

#include <libvcpu/libvcpu.h>

enum fmt {
	F_NONE = 0,
	F_EXC,	      /* exception or NMI: interruption information */
	F_IO,	      /* Table 28-5 */
	F_CR,	      /* Table 28-3 */
	F_DR,	      /* Table 28-4 */
	F_EPT,	      /* Table 28-7 */
	F_EPT_MISC,   /* guest-physical address only */
	F_TASK,	      /* Table 28-2 */
	F_APIC,	      /* Table 28-6 */
	F_ENTRY_FAIL, /* 33, 34, 41 */
	F_UD,	      /* VMX instruction in the guest: inject #UD */
};

struct row {
	uint8_t reason; /* lv_exit_reason */
	uint8_t action; /* lv_exit_action */
	uint8_t fmt;	/* enum fmt */
	uint8_t known;
};

#define R(n, r, a, f) [LV_VMX_EXIT_##n] = { LV_EXIT_##r, LV_XACT_##a, f, 1 }

static const struct row rows[LV_VMX_EXIT_MAX + 1] = {
	R(EXCEPTION_NMI, EXCEPTION, USER, F_EXC),
	R(EXTERNAL_INTERRUPT, NONE, HOST, F_NONE),
	R(TRIPLE_FAULT, SHUTDOWN, USER, F_NONE),
	R(INIT, NONE, HOST, F_NONE),
	R(SIPI, NONE, HOST, F_NONE),
	R(IO_SMI, NONE, HOST, F_NONE),
	R(OTHER_SMI, NONE, HOST, F_NONE),
	R(INTERRUPT_WINDOW, IRQ_WINDOW, USER, F_NONE),
	R(NMI_WINDOW, NMI_WINDOW, USER, F_NONE),
	R(TASK_SWITCH, UNKNOWN, USER, F_TASK),
	R(CPUID, CPUID, USER, F_NONE),
	R(GETSEC, UNKNOWN, USER, F_NONE),
	R(HLT, HLT, USER, F_NONE),
	R(INVD, NONE, HOST, F_NONE),
	R(INVLPG, UNKNOWN, USER, F_NONE),
	R(RDPMC, UNKNOWN, USER, F_NONE),
	R(RDTSC, UNKNOWN, USER, F_NONE),
	R(RSM, UNKNOWN, USER, F_NONE),
	R(VMCALL, HYPERCALL, USER, F_NONE),
	R(VMCLEAR, EXCEPTION, INJECT, F_UD),
	R(VMLAUNCH, EXCEPTION, INJECT, F_UD),
	R(VMPTRLD, EXCEPTION, INJECT, F_UD),
	R(VMPTRST, EXCEPTION, INJECT, F_UD),
	R(VMREAD, EXCEPTION, INJECT, F_UD),
	R(VMRESUME, EXCEPTION, INJECT, F_UD),
	R(VMWRITE, EXCEPTION, INJECT, F_UD),
	R(VMXOFF, EXCEPTION, INJECT, F_UD),
	R(VMXON, EXCEPTION, INJECT, F_UD),
	R(CR_ACCESS, NONE, HOST, F_CR),
	R(DR_ACCESS, NONE, HOST, F_DR),
	R(IO_INSTRUCTION, IO, USER, F_IO),
	R(RDMSR, RDMSR, USER, F_NONE),
	R(WRMSR, WRMSR, USER, F_NONE),
	R(ENTRY_FAIL_GUEST_STATE, ENTRY_FAILED, USER, F_ENTRY_FAIL),
	R(ENTRY_FAIL_MSR_LOADING, ENTRY_FAILED, USER, F_ENTRY_FAIL),
	R(MWAIT, UNKNOWN, USER, F_NONE),
	R(MTF, DEBUG, USER, F_NONE),
	R(MONITOR, UNKNOWN, USER, F_NONE),
	R(PAUSE, NONE, HOST, F_NONE),
	R(ENTRY_FAIL_MCE, ENTRY_FAILED, USER, F_ENTRY_FAIL),
	R(TPR_BELOW_THRESHOLD, NONE, HOST, F_NONE),
	R(APIC_ACCESS, NONE, EMULATE, F_APIC),
	R(VIRTUALIZED_EOI, NONE, HOST, F_NONE),
	R(GDTR_IDTR, UNKNOWN, USER, F_NONE),
	R(LDTR_TR, UNKNOWN, USER, F_NONE),
	R(EPT_VIOLATION, NPF, EMULATE, F_EPT),
	R(EPT_MISCONFIG, NPF, EMULATE, F_EPT_MISC),
	R(INVEPT, EXCEPTION, INJECT, F_UD),
	R(RDTSCP, UNKNOWN, USER, F_NONE),
	R(PREEMPTION_TIMER, NONE, HOST, F_NONE),
	R(INVVPID, EXCEPTION, INJECT, F_UD),
	R(WBINVD, NONE, HOST, F_NONE),
	R(XSETBV, NONE, HOST, F_NONE),
	R(APIC_WRITE, NONE, HOST, F_NONE),
	R(RDRAND, UNKNOWN, USER, F_NONE),
	R(INVPCID, UNKNOWN, USER, F_NONE),
	R(VMFUNC, EXCEPTION, INJECT, F_UD),
	R(ENCLS, UNKNOWN, USER, F_NONE),
	R(RDSEED, UNKNOWN, USER, F_NONE),
	R(PML_FULL, NONE, HOST, F_NONE),
	R(XSAVES, UNKNOWN, USER, F_NONE),
	R(XRSTORS, UNKNOWN, USER, F_NONE),
	R(PCONFIG, UNKNOWN, USER, F_NONE),
	R(SPP_EVENT, UNKNOWN, USER, F_NONE),
	R(UMWAIT, UNKNOWN, USER, F_NONE),
	R(TPAUSE, UNKNOWN, USER, F_NONE),
	R(LOADIWKEY, UNKNOWN, USER, F_NONE),
	R(ENCLV, UNKNOWN, USER, F_NONE),
	R(ENQCMD_PASID_FAIL, UNKNOWN, USER, F_NONE),
	R(ENQCMDS_PASID_FAIL, UNKNOWN, USER, F_NONE),
	R(BUS_LOCK, NONE, HOST, F_NONE),
	R(INSTRUCTION_TIMEOUT, UNKNOWN, USER, F_NONE),
	R(SEAMCALL, UNKNOWN, USER, F_NONE),
	R(TDCALL, UNKNOWN, USER, F_NONE),
	R(RDMSRLIST, UNKNOWN, USER, F_NONE),
	R(WRMSRLIST, UNKNOWN, USER, F_NONE),
};

static void event(struct lv_exit_event *e, uint32_t info, uint32_t err)
{
	e->valid = (info & LV_VMX_INTR_VALID) != 0;
	if (!e->valid)
		return;
	e->type = (uint8_t)LV_VMX_INTR_TYPE(info);
	e->vector = (uint8_t)LV_VMX_INTR_VECTOR(info);
	e->has_error_code = (info & LV_VMX_INTR_ERROR_VALID) != 0;
	e->error_code = e->has_error_code ? err : 0;
}

int lv_vmx_decode_exit(const struct lv_vmx_exit_in *in, const struct lv_regs *regs,
		       struct lv_exit *out, struct lv_exit_info *info)
{
	unsigned basic = LV_VMX_EXIT_REASON_BASIC(in->reason);
	const struct row *row = basic <= LV_VMX_EXIT_MAX ? &rows[basic] : NULL;
	uint64_t q = in->qual;

	memset(out, 0, sizeof(*out));
	memset(info, 0, sizeof(*info));
	out->raw.backend = LV_BACKEND_VMX;
	out->raw.reason = in->reason;
	out->raw.qual = q;
	/* The guest-physical address field is only defined for EPT exits (28.2.1). */
	if (basic == LV_VMX_EXIT_EPT_VIOLATION || basic == LV_VMX_EXIT_EPT_MISCONFIG)
		out->raw.info1 = in->gpa;
	out->raw.info2 = in->gla;
	out->raw.intinfo = in->intr_info | ((uint64_t)in->intr_error << 32);
	out->raw.vectoring = in->idt_info | ((uint64_t)in->idt_error << 32);
	info->insn_len = in->insn_len;
	event(&info->vectoring, in->idt_info, in->idt_error);

	/* A failed VM entry sets bit 31 whatever the basic reason (28.8). */
	if (in->reason & LV_VMX_EXIT_REASON_ENTRY_FAIL) {
		out->reason = LV_EXIT_ENTRY_FAILED;
		out->entry_failed.kind = LV_ENTRY_FAIL_GUEST_STATE;
		out->entry_failed.hw_reason = in->reason;
		out->entry_failed.qualification = q;
		info->action = LV_XACT_USER;
		return LV_OK;
	}
	if (!row || !row->known) {
		out->reason = LV_EXIT_UNKNOWN;
		info->action = LV_XACT_USER;
		return LV_OK;
	}
	out->reason = row->reason;
	info->action = row->action;
	switch (row->fmt) {
	case F_EXC: {
		struct lv_exit_event e = { 0 };

		event(&e, in->intr_info, in->intr_error);
		if (e.valid && e.type == LV_XEVT_NMI) {
			out->reason = LV_EXIT_NONE; /* a host NMI: the backend handles it */
			info->action = LV_XACT_HOST;
			break;
		}
		out->exception.vector = e.vector;
		out->exception.has_error_code = e.has_error_code;
		out->exception.error_code = e.error_code;
		if (e.vector == 14)
			out->exception.cr2 = q; /* #PF: the qualification is the linear address */
		break;
	}
	case F_IO:
		out->io.port = (uint16_t)LV_VMX_IO_PORT(q);
		out->io.size = (uint8_t)LV_VMX_IO_SIZE(q);
		out->io.is_write = !(q & LV_VMX_IO_IN);
		out->io.is_string = (q & LV_VMX_IO_STRING) != 0;
		out->io.is_rep = (q & LV_VMX_IO_REP) != 0;
		out->io.count = 1;
		info->io.imm = (q & LV_VMX_IO_IMM) != 0;
		info->io.seg = 0xff;
		if (out->io.is_string) {
			info->action = LV_XACT_EMULATE;
			info->io.addr_size = (uint8_t)LV_VMX_IOINFO_ADDR_SIZE(in->insn_info);
			if (info->io.addr_size > 8)
				info->io.addr_size = 0; /* reserved encoding */
			info->io.seg = (uint8_t)LV_VMX_IOINFO_SEG(in->insn_info);
		}
		break;
	case F_CR:
		info->cr.cr = (uint8_t)LV_VMX_CR_NUM(q);
		info->cr.type = (uint8_t)LV_VMX_CR_TYPE(q);
		info->cr.gpr = (uint8_t)LV_VMX_CR_GPR(q);
		info->cr.gpr_valid = info->cr.type <= LV_CR_MOV_FROM;
		info->cr.lmsw_mem = (q & LV_VMX_CR_LMSW_MEM) != 0;
		info->cr.lmsw_data = (uint16_t)LV_VMX_CR_LMSW_DATA(q);
		break;
	case F_DR:
		info->dr.dr = (uint8_t)LV_VMX_DR_NUM(q);
		info->dr.to_dr = !(q & LV_VMX_DR_FROM);
		info->dr.gpr = (uint8_t)LV_VMX_DR_GPR(q);
		info->dr.gpr_valid = 1;
		break;
	case F_EPT:
		out->npf.gpa = in->gpa;
		out->npf.access = ((q & LV_VMX_EPT_READ) ? LV_ACCESS_READ : 0) |
				  ((q & LV_VMX_EPT_WRITE) ? LV_ACCESS_WRITE : 0) |
				  ((q & LV_VMX_EPT_FETCH) ? LV_ACCESS_EXEC : 0);
		if (q & LV_VMX_EPT_GLA_VALID) {
			out->npf.gva = in->gla;
			out->npf.gva_valid = 1;
			info->npf.in_walk = !(q & LV_VMX_EPT_GLA_TRANSLATED);
		}
		info->npf.present = (q & (LV_VMX_EPT_READABLE | LV_VMX_EPT_WRITABLE |
					  LV_VMX_EPT_EXECUTABLE)) != 0;
		break;
	case F_EPT_MISC:
		out->npf.gpa = in->gpa;
		info->npf.misconfig = 1;
		break;
	case F_TASK:
		info->task.selector = (uint16_t)LV_VMX_TS_SELECTOR(q);
		info->task.source = (uint8_t)LV_VMX_TS_SOURCE(q);
		break;
	case F_APIC:
		info->apic.offset = (uint16_t)LV_VMX_APIC_OFFSET(q);
		info->apic.type = (uint8_t)LV_VMX_APIC_TYPE(q);
		break;
	case F_ENTRY_FAIL: /* bit 31 is always set with these; kept for a malformed field */
		out->entry_failed.kind = LV_ENTRY_FAIL_GUEST_STATE;
		out->entry_failed.hw_reason = in->reason;
		out->entry_failed.qualification = q;
		break;
	case F_UD:
		out->exception.vector = 6;
		break;
	default:
		break;
	}
	lv_exit_fill_from_regs(out, regs);
	return LV_OK;
}
