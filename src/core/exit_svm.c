/* SPDX-License-Identifier: MIT */
/*
 * SVM exit decoder. The CR/DR/exception intercepts (codes 0x00-0x5f) are
 * ranges decoded arithmetically; the rest of the dense range 0x60-0xa5 is
 * one table row per exit code (APM Vol. 2, Table C-1); NPF, the AVIC codes
 * and the negative codes are listed explicitly.
 */
#include "exit_svm.h"
#include "exit_common.h"
#include "lvlib.h"
#include "svm_exitcodes.h"

#include <libvcpu/libvcpu.h>

enum fmt {
	F_NONE = 0,
	F_IO,  /* 15.10.2 */
	F_MSR, /* EXITINFO1: 0 = RDMSR, 1 = WRMSR */
	F_TASK,
	F_UD, /* SVM instruction in the guest: inject #UD */
};

struct row {
	uint8_t reason, action, fmt, known;
};

#define R(n, r, a, f) [LV_SVM_EXIT_##n - LV_SVM_EXIT_INTR] = { LV_EXIT_##r, LV_XACT_##a, f, 1 }

static const struct row rows[LV_SVM_EXIT_BUSLOCK - LV_SVM_EXIT_INTR + 1] = {
	R(INTR, NONE, HOST, F_NONE),
	R(NMI, NONE, HOST, F_NONE),
	R(SMI, NONE, HOST, F_NONE),
	R(INIT, NONE, HOST, F_NONE),
	R(VINTR, IRQ_WINDOW, USER, F_NONE),
	R(CR0_SEL_WRITE, NONE, HOST, F_NONE),
	R(IDTR_READ, UNKNOWN, USER, F_NONE),
	R(GDTR_READ, UNKNOWN, USER, F_NONE),
	R(LDTR_READ, UNKNOWN, USER, F_NONE),
	R(TR_READ, UNKNOWN, USER, F_NONE),
	R(IDTR_WRITE, UNKNOWN, USER, F_NONE),
	R(GDTR_WRITE, UNKNOWN, USER, F_NONE),
	R(LDTR_WRITE, UNKNOWN, USER, F_NONE),
	R(TR_WRITE, UNKNOWN, USER, F_NONE),
	R(RDTSC, UNKNOWN, USER, F_NONE),
	R(RDPMC, UNKNOWN, USER, F_NONE),
	R(PUSHF, UNKNOWN, USER, F_NONE),
	R(POPF, UNKNOWN, USER, F_NONE),
	R(CPUID, CPUID, USER, F_NONE),
	R(RSM, UNKNOWN, USER, F_NONE),
	R(IRET, NONE, HOST, F_NONE), /* used by backends to open an NMI window */
	R(SWINT, UNKNOWN, USER, F_NONE),
	R(INVD, NONE, HOST, F_NONE),
	R(PAUSE, NONE, HOST, F_NONE),
	R(HLT, HLT, USER, F_NONE),
	R(INVLPG, UNKNOWN, USER, F_NONE),
	R(INVLPGA, EXCEPTION, INJECT, F_UD),
	R(IOIO, IO, USER, F_IO),
	R(MSR, RDMSR, USER, F_MSR),
	R(TASK_SWITCH, UNKNOWN, USER, F_TASK),
	R(FERR_FREEZE, UNKNOWN, USER, F_NONE),
	R(SHUTDOWN, SHUTDOWN, USER, F_NONE),
	R(VMRUN, EXCEPTION, INJECT, F_UD),
	R(VMMCALL, HYPERCALL, USER, F_NONE),
	R(VMLOAD, EXCEPTION, INJECT, F_UD),
	R(VMSAVE, EXCEPTION, INJECT, F_UD),
	R(STGI, EXCEPTION, INJECT, F_UD),
	R(CLGI, EXCEPTION, INJECT, F_UD),
	R(SKINIT, EXCEPTION, INJECT, F_UD),
	R(RDTSCP, UNKNOWN, USER, F_NONE),
	R(ICEBP, UNKNOWN, USER, F_NONE),
	R(WBINVD, NONE, HOST, F_NONE),
	R(MONITOR, UNKNOWN, USER, F_NONE),
	R(MWAIT, UNKNOWN, USER, F_NONE),
	R(MWAIT_CONDITIONAL, UNKNOWN, USER, F_NONE),
	R(XSETBV, NONE, HOST, F_NONE),
	R(RDPRU, UNKNOWN, USER, F_NONE),
	R(EFER_WRITE_TRAP, NONE, HOST, F_NONE),
	[LV_SVM_EXIT_CR0_WRITE_TRAP - LV_SVM_EXIT_INTR... LV_SVM_EXIT_CR0_WRITE_TRAP + 15 -
		LV_SVM_EXIT_INTR] = { LV_EXIT_NONE, LV_XACT_HOST, F_NONE, 1 },
	R(INVLPGB, UNKNOWN, USER, F_NONE),
	R(INVLPGB_ILLEGAL, UNKNOWN, USER, F_NONE),
	R(INVPCID, UNKNOWN, USER, F_NONE),
	R(MCOMMIT, UNKNOWN, USER, F_NONE),
	R(TLBSYNC, UNKNOWN, USER, F_NONE),
	R(BUSLOCK, NONE, HOST, F_NONE),
};

static void decode_io(const struct lv_svm_exit_in *in, struct lv_exit *out,
		      struct lv_exit_info *info)
{
	uint64_t i = in->exitinfo1;

	out->io.port = (uint16_t)LV_SVM_IO_PORT(i);
	out->io.size = (i & LV_SVM_IO_SZ32) ? 4 : (i & LV_SVM_IO_SZ16) ? 2 : 1;
	out->io.is_write = !(i & LV_SVM_IO_IN);
	out->io.is_string = (i & LV_SVM_IO_STR) != 0;
	out->io.is_rep = (i & LV_SVM_IO_REP) != 0;
	out->io.count = 1;
	info->io.addr_size = (i & LV_SVM_IO_A64)   ? 8
			     : (i & LV_SVM_IO_A32) ? 4
			     : (i & LV_SVM_IO_A16) ? 2
						   : 0;
	info->io.seg = (uint8_t)LV_SVM_IO_SEG(i); /* meaningful only with decode assists */
	if (out->io.is_string)
		info->action = LV_XACT_EMULATE;
}

int lv_svm_decode_exit(const struct lv_svm_exit_in *in, const struct lv_regs *regs,
		       struct lv_exit *out, struct lv_exit_info *info)
{
	/* Compare the low 32 bits: VMEXIT_INVALID may be stored as 0x00000000ffffffff. */
	uint32_t code = (uint32_t)in->exitcode;
	uint64_t i1 = in->exitinfo1, ii = in->exitintinfo;

	memset(out, 0, sizeof(*out));
	memset(info, 0, sizeof(*info));
	out->raw.backend = LV_BACKEND_SVM;
	out->raw.reason = in->exitcode;
	out->raw.qual = i1;
	out->raw.info1 = in->exitinfo2;
	out->raw.info2 = in->nrip;
	out->raw.intinfo = ii;
	info->next_rip = in->nrip;
	if (in->nrip > in->rip && in->nrip - in->rip <= 15)
		info->insn_len = (uint32_t)(in->nrip - in->rip);
	/* EXITINTINFO: the event being delivered when the exit happened (15.7.2). */
	if (ii & LV_SVM_INT_V) {
		info->vectoring.valid = 1;
		info->vectoring.type = (uint8_t)LV_SVM_INT_TYPE(ii);
		info->vectoring.vector = (uint8_t)LV_SVM_INT_VECTOR(ii);
		info->vectoring.has_error_code = (ii & LV_SVM_INT_EV) != 0;
		info->vectoring.error_code = info->vectoring.has_error_code ? LV_SVM_INT_ERRCODE(ii)
									    : 0;
	}
	info->action = LV_XACT_USER;

	if (code < LV_SVM_EXIT_READ_DR0) { /* CR read/write: backend-internal */
		out->reason = LV_EXIT_NONE;
		info->action = LV_XACT_HOST;
		info->cr.cr = (uint8_t)(code & 15);
		info->cr.type = code < LV_SVM_EXIT_WRITE_CR0 ? LV_CR_MOV_FROM : LV_CR_MOV_TO;
		info->cr.gpr = (uint8_t)LV_SVM_CRDR_GPR(i1);
		info->cr.gpr_valid = (i1 & LV_SVM_CRDR_VALID) != 0;
		return LV_OK;
	}
	if (code < LV_SVM_EXIT_EXCP0) { /* DR read/write */
		out->reason = LV_EXIT_NONE;
		info->action = LV_XACT_HOST;
		info->dr.dr = (uint8_t)(code & 15);
		info->dr.to_dr = code >= LV_SVM_EXIT_WRITE_DR0;
		info->dr.gpr = (uint8_t)LV_SVM_CRDR_GPR(i1);
		info->dr.gpr_valid = (i1 & LV_SVM_CRDR_VALID) != 0;
		return LV_OK;
	}
	if (code < LV_SVM_EXIT_INTR) { /* exception intercepts (15.12) */
		unsigned vec = code - LV_SVM_EXIT_EXCP0;

		out->reason = LV_EXIT_EXCEPTION;
		out->exception.vector = (uint8_t)vec;
		if (lv_exc_has_error_code(vec)) {
			out->exception.has_error_code = 1;
			out->exception.error_code = (uint32_t)i1;
		}
		if (vec == 14)
			out->exception.cr2 = in->exitinfo2;
		return LV_OK;
	}
	if (code <= LV_SVM_EXIT_BUSLOCK && rows[code - LV_SVM_EXIT_INTR].known) {
		const struct row *row = &rows[code - LV_SVM_EXIT_INTR];

		out->reason = row->reason;
		info->action = row->action;
		switch (row->fmt) {
		case F_IO:
			decode_io(in, out, info);
			break;
		case F_MSR:
			out->reason = (i1 & 1) ? LV_EXIT_WRMSR : LV_EXIT_RDMSR;
			break;
		case F_TASK:
			info->task.selector = (uint16_t)i1;
			info->task.source = (in->exitinfo2 & LV_SVM_TS_IRET)  ? 1
					    : (in->exitinfo2 & LV_SVM_TS_JMP) ? 2
									      : 0;
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
	switch (code) {
	case LV_SVM_EXIT_NPF: /* EXITINFO1 = #PF-style code, EXITINFO2 = GPA (15.25.6) */
		out->reason = LV_EXIT_NPF;
		out->npf.gpa = in->exitinfo2;
		out->npf.access = (i1 & LV_SVM_NPF_ID)	 ? LV_ACCESS_EXEC
				  : (i1 & LV_SVM_NPF_RW) ? LV_ACCESS_WRITE
							 : LV_ACCESS_READ;
		info->npf.in_walk = (i1 & LV_SVM_NPF_WALK) != 0;
		info->npf.present = (i1 & LV_SVM_NPF_P) != 0;
		info->action = LV_XACT_EMULATE;
		break;
	case LV_SVM_EXIT_INVALID:
	case LV_SVM_EXIT_BUSY:
		out->reason = LV_EXIT_ENTRY_FAILED;
		out->entry_failed.kind = LV_ENTRY_FAIL_GUEST_STATE;
		out->entry_failed.hw_reason = in->exitcode;
		out->entry_failed.qualification = i1;
		break;
	case LV_SVM_EXIT_AVIC_INCOMPLETE_IPI:
	case LV_SVM_EXIT_AVIC_NOACCEL:
		out->reason = LV_EXIT_NONE;
		info->action = LV_XACT_HOST;
		break;
	default:
		out->reason = LV_EXIT_UNKNOWN;
		break;
	}
	return LV_OK;
}
