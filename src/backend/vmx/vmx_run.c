/* SPDX-License-Identifier: MIT */
/*
 * VMX run loop: completion of the previous exit, event injection, the
 * kick check, VM entry, and exit handling into the neutral exit record
 * (Intel SDM Vol. 3, chapters 26-28 and Appendix C).
 */
#include <stddef.h>

#include "../../core/cpuid.h"
#include "../../core/exit_common.h"
#include "../../core/lvlib.h"
#include "vmcs.h"
#include "vmx_insn.h"
#include "vmx_priv.h"
#include "../../core/exit_vmx.h"
#include "../../core/x86_arch.h"
#include "../x86/x86_cpuid.h"

_Static_assert(offsetof(struct vmx_vcpu, gprs) == 0, "stub gets &xc->gprs");
_Static_assert(offsetof(struct vmx_gprs, rax) == 0 && offsetof(struct vmx_gprs, rdi) == 40 &&
		       offsetof(struct vmx_gprs, rbp) == 48 &&
		       offsetof(struct vmx_gprs, r8) == 56 &&
		       offsetof(struct vmx_gprs, r15) == 112 &&
		       offsetof(struct vmx_gprs, cr2) == 120,
	       "layout shared with vmx_entry.S");

enum { CONTINUE = 0, TO_USER = 1 };

static inline uint64_t irq_save(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(f)::"memory");
	return f;
}

static inline void irq_restore(uint64_t f)
{
	__asm__ volatile("pushq %0; popfq" ::"r"(f) : "memory", "cc");
}

/*
 * Enter the guest through vmx_entry.S. The stub keeps only RBP and RSP;
 * every other GPR is declared clobbered here, so the compiler saves just
 * the registers it has live. -mno-red-zone makes the CALL from inline asm
 * safe. @return VMX_OK after a VM exit, VMX_FAIL_* if the entry failed.
 */
static inline int vmx_enter(struct vmx_gprs *g)
{
	register struct vmx_gprs *rdi __asm__("rdi") = g;
	int r;

	__asm__ volatile("call lv_vmx_enter_guest"
			 : "=a"(r), "+r"(rdi)
			 :
			 : "rbx", "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "r12", "r13",
			   "r14", "r15", "memory", "cc");
	return r;
}

/*
 * True when this CPU is in VMX operation with @p pa as its current VMCS
 * (VMPTRST, SDM Vol. 3, 31.3): then the vCPU last ran here and nothing
 * else was loaded since. Cheaper than asking the platform for the CPU id.
 * CR4.VMXE is tested first: VMPTRST outside VMX operation raises #UD.
 */
static inline bool vmcs_is_current(uint64_t pa)
{
	uint64_t cur;

	if (!(lv_read_cr4() & CR4_VMXE))
		return false;
	__asm__ volatile("vmptrst %0" : "=m"(cur));
	return cur == pa;
}

/* ---- helpers ------------------------------------------------------------ */

/* Advance RIP past the exiting instruction; ends STI/MOV-SS blocking (25.4.2). */
static void skip_insn(struct vmx_vcpu *xc, uint32_t len)
{
	uint32_t intr;

	xc->valid &= ~(LV_STATE_GPRS | LV_STATE_EVENTS); /* the cache may hold the old RIP */
	vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + len);
	intr = (uint32_t)vmread(VMCS_GUEST_INTERRUPTIBILITY);
	if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS))
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
			intr & ~(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS));
}

static void inject_hw_exception(struct vmx_vcpu *xc, uint8_t vector, bool has_err, uint32_t err)
{
	xc->inject_info = INTR_INFO_VALID | (INTR_TYPE_HW_EXC << 8) | vector;
	xc->slow = true;
	if (has_err) {
		xc->inject_info |= INTR_INFO_ERRCODE;
		xc->inject_err = err;
	}
}

/* GPR by the index the exit qualification uses (Table 28-3). */
static uint64_t *gpr_ptr(struct vmx_vcpu *xc, unsigned idx)
{
	struct vmx_gprs *g = &xc->gprs;
	uint64_t *map[16] = { &g->rax, &g->rcx, &g->rdx, &g->rbx, NULL,	   &g->rbp,
			      &g->rsi, &g->rdi, &g->r8,	 &g->r9,  &g->r10, &g->r11,
			      &g->r12, &g->r13, &g->r14, &g->r15 };

	return map[idx & 15];
}

static uint64_t gpr_get(struct vmx_vcpu *xc, unsigned idx)
{
	uint64_t *p = gpr_ptr(xc, idx);

	return p ? *p : vmread(VMCS_GUEST_RSP);
}

static void gpr_set(struct vmx_vcpu *xc, unsigned idx, uint64_t v)
{
	uint64_t *p = gpr_ptr(xc, idx);

	if (p)
		*p = v;
	else
		vmwrite(VMCS_GUEST_RSP, v);
}

/* ---- completion of the previous exit ------------------------------------- */

static int complete_pending(struct vmx_vcpu *xc)
{
	struct lv_exit *ex = &xc->vcpu->exit;
	struct vmx_gprs *g = &xc->gprs;

	switch (xc->pending) {
	case PEND_MMIO:
		/* The emulated instruction continues (and may need more exits). */
		xc->pending = PEND_NONE;
		return lv_vmx_emul_resume(xc, ex);
	case PEND_IO_IN: {
		uint64_t v = 0;

		memcpy(&v, ex->io.data, ex->io.size);
		if (ex->io.size == 4)
			g->rax = v; /* a 32-bit destination zero-extends */
		else if (ex->io.size == 2)
			g->rax = (g->rax & ~0xffffull) | (v & 0xffff);
		else
			g->rax = (g->rax & ~0xffull) | (v & 0xff);
		skip_insn(xc, xc->insn_len);
		break;
	}
	case PEND_CPUID:
		g->rax = ex->cpuid.eax;
		g->rbx = ex->cpuid.ebx;
		g->rcx = ex->cpuid.ecx;
		g->rdx = ex->cpuid.edx;
		skip_insn(xc, xc->insn_len);
		break;
	case PEND_RDMSR:
		if (ex->msr.error) {
			inject_hw_exception(xc, 13, true, 0);
			break;
		}
		g->rax = (uint32_t)ex->msr.value;
		g->rdx = ex->msr.value >> 32;
		skip_insn(xc, xc->insn_len);
		break;
	case PEND_WRMSR:
		if (ex->msr.error)
			inject_hw_exception(xc, 13, true, 0);
		else
			skip_insn(xc, xc->insn_len);
		break;
	default:
		break;
	}
	xc->pending = PEND_NONE;
	return CONTINUE;
}

/* ---- exit handlers ---------------------------------------------------------- */

static int handle_cpuid(struct vmx_vcpu *xc, struct lv_exit *ex)
{
	struct vmx_gprs *g = &xc->gprs;
	uint32_t r[4];

	if (lv_x86_cpuid_exit(&xc->cpuid, (uint32_t)g->rax, (uint32_t)g->rcx, r, ex)) {
		xc->pending = PEND_CPUID;
		return TO_USER;
	}
	g->rax = r[0];
	g->rbx = r[1];
	g->rcx = r[2];
	g->rdx = r[3];
	skip_insn(xc, xc->insn_len);
	return CONTINUE;
}

static int handle_io(struct vmx_vcpu *xc, struct lv_exit *ex, uint64_t q)
{
	if (q & IOQ_STRING) {
		/* INS/OUTS go through the instruction emulator (vmx_emul.c). */
		return lv_vmx_emul_string_io(xc, ex);
	}
	lv_exit_set_pio(ex, (uint16_t)IOQ_PORT(q), (uint8_t)IOQ_SIZE(q), !(q & IOQ_IN),
			xc->gprs.rax, xc->io_buf, sizeof(xc->io_buf));
	if (ex->io.is_write) {
		skip_insn(xc, xc->insn_len); /* nothing left to complete */
	} else {
		xc->pending = PEND_IO_IN;
	}
	return TO_USER;
}

static int handle_msr(struct vmx_vcpu *xc, struct lv_exit *ex, bool write)
{
	struct vmx_vm *xv = xc->vcpu->vm->priv;
	struct vmx_gprs *g = &xc->gprs;
	uint32_t index = (uint32_t)g->rcx;
	uint64_t value = ((uint64_t)(uint32_t)g->rdx << 32) | (uint32_t)g->rax;
	uint64_t *slot;

	if (!lv_policy_msr_exits(&xv->msr_exits, index, write)) {
		if (lv_vmx_emulated_msr(xc, index, &slot)) {
			if (write)
				*slot = value;
			else
				value = *slot;
		} else if (index == MSR_TSC) {
			if (write)
				xc->tsc_offset = value - lv_rdtsc();
			else
				value = lv_rdtsc() + xc->tsc_offset;
			if (write)
				vmwrite(VMCS_TSC_OFFSET, xc->tsc_offset);
		} else {
			goto to_user;
		}
		if (!write) {
			g->rax = (uint32_t)value;
			g->rdx = value >> 32;
		}
		skip_insn(xc, xc->insn_len);
		return CONTINUE;
	}
to_user:
	lv_exit_set_msr(ex, &xv->msr_exits, index, write, value);
	xc->pending = write ? PEND_WRMSR : PEND_RDMSR;
	return TO_USER;
}

/* MOV to/from CR0/CR4/CR8, CLTS, LMSW (Table 28-3). */
static int handle_cr(struct vmx_vcpu *xc, struct lv_exit *ex, uint64_t q)
{
	struct vmx_backend *vb = xc->vcpu->vm->backend->priv;
	unsigned cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
	uint64_t v, old;

	if (type == 0 && cr == 8) {
		xc->cache.ctrl.cr8 = gpr_get(xc, reg) & 15;
	} else if (type == 1 && cr == 8) {
		gpr_set(xc, reg, xc->cache.ctrl.cr8);
	} else if ((type == 0 || type >= 2) && cr == 0) {
		old = vmread(VMCS_CR0_SHADOW);
		if (type == 0)
			v = gpr_get(xc, reg);
		else if (type == 2)
			v = old & ~CR0_TS; /* CLTS */
		else
			v = (old & ~0xeull) | ((q >> 16) & 0xf) | (old & CR0_PE); /* LMSW */
		vmwrite(VMCS_CR0_SHADOW, v);
		vmwrite(VMCS_GUEST_CR0, lv_vmx_guest_cr0(vb, xc, v));
		/* Paging on/off with EFER.LME switches IA-32e mode (SDM Vol. 3, 10.8.5). */
		if ((v ^ old) & CR0_PG) {
			uint64_t efer = vmread(VMCS_GUEST_EFER);

			if ((v & CR0_PG) && (efer & EFER_LME)) {
				efer |= EFER_LMA;
				xc->entry |= ENTRY_IA32E_GUEST;
			} else if (!(v & CR0_PG)) {
				efer &= ~EFER_LMA;
				xc->entry &= ~ENTRY_IA32E_GUEST;
			}
			vmwrite(VMCS_GUEST_EFER, efer);
			vmwrite(VMCS_ENTRY_CTLS, xc->entry);
			if ((v & CR0_PG) && !(efer & EFER_LMA) &&
			    (vmread(VMCS_GUEST_CR4) & CR4_PAE))
				lv_vmx_load_pdptes(xc, vmread(VMCS_GUEST_CR3));
		}
	} else if (type == 0 && cr == 4) {
		v = gpr_get(xc, reg);
		vmwrite(VMCS_CR4_SHADOW, v);
		vmwrite(VMCS_GUEST_CR4, lv_vmx_apply_fixed(v, vb->cr4_fixed0, vb->cr4_fixed1, 0));
	} else {
		ex->reason = LV_EXIT_UNKNOWN;
		return TO_USER;
	}
	skip_insn(xc, xc->insn_len);
	return CONTINUE;
}

static void fill_hypercall(struct vmx_vcpu *xc, struct lv_exit *ex)
{
	const struct vmx_gprs *g = &xc->gprs;

	lv_exit_set_hypercall(ex, g->rax, g->rbx, g->rcx, g->rdx, g->rsi, g->rdi);
}

static int handle_exception(struct vmx_vcpu *xc, struct lv_exit *ex, uint64_t q)
{
	uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);
	uint8_t vec = (uint8_t)INTR_INFO_VECTOR(info);

	ex->raw.intinfo = info;
	xc->exit_work |= EXIT_WORK_RAW;
	if (INTR_INFO_TYPE(info) == INTR_TYPE_NMI)
		return CONTINUE; /* a host NMI; nothing for the guest */
	if (vec == 1 && xc->singlestep) {
		/* The step trap: report it instead of delivering it (27.1). */
		ex->reason = LV_EXIT_DEBUG;
		ex->debug.dr6 = 0xffff0ff0u | (q & 0x600fu);
		ex->debug.dr7 = vmread(VMCS_GUEST_DR7);
		ex->debug.pc = vmread(VMCS_GUEST_CS_BASE) + vmread(VMCS_GUEST_RIP);
		return TO_USER;
	}
	if (vec == 7 && !xc->fpu_loaded) {
		/* Lazy FPU: load the guest's state; re-run the instruction unless
		 * the guest's own TS asks for the #NM. */
		lv_vmx_fpu_load(xc);
		if (!(vmread(VMCS_CR0_SHADOW) & CR0_TS))
			return CONTINUE;
	}
	if (vec == 6) {
		static const uint8_t vmmcall[3] = { 0x0f, 0x01, 0xd9 };

		if (lv_vmx_insn_is(xc, vmmcall, sizeof(vmmcall))) {
			skip_insn(xc, sizeof(vmmcall));
			ex->reason = LV_EXIT_HYPERCALL;
			fill_hypercall(xc, ex);
			return TO_USER;
		}
	}
	if (!(xc->exc_policy & (1u << vec))) {
		/* Not the caller's: deliver it to the guest unchanged. */
		inject_hw_exception(xc, vec, info & INTR_INFO_ERRCODE,
				    (uint32_t)vmread(VMCS_EXIT_INTR_ERRCODE));
		return CONTINUE;
	}
	ex->reason = LV_EXIT_EXCEPTION;
	ex->exception.vector = vec;
	ex->exception.has_error_code = (info & INTR_INFO_ERRCODE) != 0;
	ex->exception.error_code = ex->exception.has_error_code
					   ? (uint32_t)vmread(VMCS_EXIT_INTR_ERRCODE)
					   : 0;
	ex->exception.cr2 = vec == 14 ? q : 0;
	return TO_USER;
}

static int handle_ept_violation(struct vmx_vcpu *xc, struct lv_exit *ex, uint64_t q)
{
	struct lv_vm *vm = xc->vcpu->vm;
	uint64_t gpa = vmread(VMCS_GUEST_PHYS_ADDR);
	uint32_t access = (q & EPTQ_WRITE)   ? LV_ACCESS_WRITE
			  : (q & EPTQ_FETCH) ? LV_ACCESS_EXEC
					     : LV_ACCESS_READ;
	/* GLA valid but not its translation: the guest's own walk (27.2.1, Table 28-7). */
	int walk = (q & EPTQ_GLA_VALID) && !(q & EPTQ_GLA_TRANSLATED);

	ex->raw.info1 = gpa;
	xc->exit_work |= EXIT_WORK_RAW;
	if (q & EPTQ_GLA_VALID)
		ex->raw.info2 = vmread(VMCS_GUEST_LINEAR_ADDR);
	switch (lv_x86_npf_action(vm, gpa, access, walk)) {
	case LV_X86_NPF_RETRY:
		xc->ept_gen--; /* INVEPT at the next entry */
		return CONTINUE;
	case LV_X86_NPF_MMIO:
		return lv_vmx_emul_mmio(xc, ex, gpa);
	default:
		break;
	}
	ex->reason = LV_EXIT_NPF;
	ex->npf.gpa = gpa;
	ex->npf.access = access;
	ex->npf.gva_valid = (q & EPTQ_GLA_VALID) != 0;
	ex->npf.gva = ex->npf.gva_valid ? ex->raw.info2 : 0;
	return TO_USER;
}

/*
 * Every exit the switch in handle_exit() does not handle inline (the hot
 * ones are decoded there, within the instruction budget of a CPUID round
 * trip) goes through the core's table-driven decoder, which classifies all
 * of Appendix C and keeps the raw values.
 */
static int decode_other(struct vmx_vcpu *xc, struct lv_exit *ex, uint32_t reason, uint64_t q)
{
	struct lv_vmx_exit_in in = { 0 };
	struct lv_exit_info info;
	uint8_t *io_data = ex->io.data;

	in.reason = reason;
	in.qual = q;
	in.insn_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
	in.gla = vmread(VMCS_GUEST_LINEAR_ADDR);
	in.intr_info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);
	in.intr_error = (uint32_t)vmread(VMCS_EXIT_INTR_ERRCODE);
	in.idt_info = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);
	in.idt_error = (uint32_t)vmread(VMCS_IDT_VECTORING_ERR);
	in.insn_info = (uint32_t)vmread(VMCS_EXIT_INSN_INFO);
	if (lv_vmx_cache_fill(xc, LV_STATE_GPRS))
		return TO_USER;
	lv_vmx_decode_exit(&in, &xc->cache.regs, ex, &info);
	ex->io.data = io_data;
	xc->exit_work |= EXIT_WORK_RAW;
	switch (info.action) {
	case LV_XACT_HOST:
		/* Cache flushes are no-ops for a guest; XSETBV is not offered
		 * (CPUID hides XSAVE), so it faults as on a CPU without it. */
		if ((reason & 0xffff) == LV_VMX_EXIT_XSETBV)
			inject_hw_exception(xc, 6, false, 0);
		else if ((reason & 0xffff) == LV_VMX_EXIT_INVD ||
			 (reason & 0xffff) == LV_VMX_EXIT_WBINVD)
			skip_insn(xc, in.insn_len);
		return CONTINUE;
	case LV_XACT_INJECT:
		inject_hw_exception(xc, ex->exception.vector, ex->exception.has_error_code,
				    ex->exception.error_code);
		return CONTINUE;
	case LV_XACT_EMULATE:
		return lv_vmx_emul_mmio(xc, ex, 0);
	default:
		return TO_USER;
	}
}

/* VM entry failed after VMLAUNCH/VMRESUME had passed its checks (26.8). */
static int entry_failed_exit(struct vmx_vcpu *xc, struct lv_exit *ex, uint32_t reason, uint64_t q)
{
	/* Invalid guest state (33) or MSR loading (34). */
	ex->reason = LV_EXIT_ENTRY_FAILED;
	ex->entry_failed.kind = LV_ENTRY_FAIL_GUEST_STATE;
	ex->entry_failed.vm_instruction_error = 0;
	ex->entry_failed.hw_reason = reason;
	ex->entry_failed.qualification = q;
	/* Nothing was delivered; the IDT-vectoring field means nothing here. */
	xc->inject_info = 0;
	lv_vmx_take_back_event(xc);
	/* Make the launch state known (clear) whichever instruction failed. */
	vmclear(xc->vmcs_pa);
	vmptrld(xc->vmcs_pa);
	xc->gprs.launched = 0;
	return TO_USER;
}

/* Undo what the previous exit or entry left behind (rare: one flag test). */
static void exit_work(struct vmx_vcpu *xc, struct lv_exit *ex)
{
	if (xc->exit_work & EXIT_WORK_RAW) {
		/* Only the exception and EPT exits fill these. */
		ex->raw.info1 = 0;
		ex->raw.info2 = 0;
		ex->raw.intinfo = 0;
	}
	if (xc->exit_work & EXIT_WORK_TF)
		vmwrite(VMCS_GUEST_RFLAGS, vmread(VMCS_GUEST_RFLAGS) & ~RFLAGS_TF);
	xc->exit_work = 0;
}

static int handle_exit(struct vmx_vcpu *xc, struct lv_exit *ex)
{
	uint32_t reason = (uint32_t)vmread(VMCS_EXIT_REASON);
	uint32_t vect = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);
	/* Zero for exits that define none (28.2.1); one VMREAD beats a test. */
	uint64_t q = vmread(VMCS_EXIT_QUAL);

	/* raw.backend and flags are set once, at vCPU creation. */
	ex->raw.reason = reason;
	ex->raw.qual = q;
	ex->raw.vectoring = vect;
	if (xc->exit_work)
		exit_work(xc, ex);

	/* An event whose delivery the exit interrupted is delivered again (28.2.4). */
	if (vect & INTR_INFO_VALID) {
		xc->inject_info = vect & ~INTR_INFO_NMI_UNBLOCK;
		xc->slow = true;
		if (vect & INTR_INFO_ERRCODE)
			xc->inject_err = (uint32_t)vmread(VMCS_IDT_VECTORING_ERR);
		if (INTR_INFO_TYPE(vect) >= INTR_TYPE_SW_INT)
			xc->inject_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
	}

again:
	switch (reason) {
	case LV_VMX_EXIT_EXCEPTION_NMI:
		return handle_exception(xc, ex, q);
	case LV_VMX_EXIT_EXTERNAL_INTERRUPT:
		return CONTINUE; /* the host takes it once interrupts are on again */
	case LV_VMX_EXIT_TRIPLE_FAULT:
		ex->reason = LV_EXIT_SHUTDOWN;
		return TO_USER;
	case LV_VMX_EXIT_INTERRUPT_WINDOW:
		if (!(xc->windows & LV_WINDOW_IRQ))
			return CONTINUE; /* ours: a queued interrupt can go in now */
		ex->reason = LV_EXIT_IRQ_WINDOW;
		return TO_USER;
	case LV_VMX_EXIT_NMI_WINDOW:
		if (!(xc->windows & LV_WINDOW_NMI))
			return CONTINUE;
		ex->reason = LV_EXIT_NMI_WINDOW;
		return TO_USER;
	case LV_VMX_EXIT_CPUID:
		xc->insn_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
		return handle_cpuid(xc, ex);
	case LV_VMX_EXIT_HLT:
		skip_insn(xc, (uint32_t)vmread(VMCS_EXIT_INSN_LEN));
		ex->reason = LV_EXIT_HLT;
		return TO_USER;
	case LV_VMX_EXIT_VMCALL:
		skip_insn(xc, (uint32_t)vmread(VMCS_EXIT_INSN_LEN));
		ex->reason = LV_EXIT_HYPERCALL;
		fill_hypercall(xc, ex);
		return TO_USER;
	case LV_VMX_EXIT_CR_ACCESS:
		xc->insn_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
		return handle_cr(xc, ex, q);
	case LV_VMX_EXIT_IO_INSTRUCTION:
		xc->insn_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
		return handle_io(xc, ex, q);
	case LV_VMX_EXIT_RDMSR:
	case LV_VMX_EXIT_WRMSR:
		xc->insn_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
		return handle_msr(xc, ex, (reason & 0xffff) == LV_VMX_EXIT_WRMSR);
	case LV_VMX_EXIT_EPT_VIOLATION:
		return handle_ept_violation(xc, ex, q);
	case LV_VMX_EXIT_EPT_MISCONFIG:
		ex->raw.info1 = vmread(VMCS_GUEST_PHYS_ADDR);
		xc->exit_work |= EXIT_WORK_RAW;
		ex->reason = LV_EXIT_INTERNAL_ERROR;
		ex->internal.suberror = LV_VMX_EXIT_EPT_MISCONFIG;
		ex->internal.ndata = 1;
		ex->internal.data[0] = ex->raw.info1;
		return TO_USER;
	case LV_VMX_EXIT_PREEMPTION_TIMER:
		return CONTINUE;
	default:
		if (reason & LV_VMX_EXIT_REASON_ENTRY_FAIL)
			return entry_failed_exit(xc, ex, reason, q);
		if (reason >> 16) {
			reason &= 0xffff; /* flag bits 27-29: dispatch on the basic reason */
			goto again;
		}
		return decode_other(xc, ex, reason, q);
	}
}

/* ---- entry -------------------------------------------------------------------- */

/*
 * Single-step: TF makes the guest trap after one instruction (#DB, which
 * exits). With STI/MOV-SS blocking, VM entry wants the pending single-step
 * recorded in the pending-debug-exceptions field (BS, 26.3.1.5).
 */
static void arm_singlestep(struct vmx_vcpu *xc)
{
	uint64_t rf = vmread(VMCS_GUEST_RFLAGS);

	if (!(rf & RFLAGS_TF)) {
		vmwrite(VMCS_GUEST_RFLAGS, rf | RFLAGS_TF);
		xc->exit_work |= EXIT_WORK_TF;
	}
	if (vmread(VMCS_GUEST_INTERRUPTIBILITY) & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS))
		vmwrite(VMCS_GUEST_PENDING_DBG, 1u << 14);
}

/* Everything an entry may need besides entering; flagged by xc->slow. */
static void prepare_slow(struct vmx_vcpu *xc)
{
	if (xc->dirty)
		lv_vmx_sync_to_vmcs(xc);
	if (lv_x86_events_busy(&xc->events))
		lv_vmx_arm_events(xc);
	if (xc->ctl_dirty) {
		uint32_t proc = xc->proc & ~(PROC_INTR_WINDOW | PROC_NMI_WINDOW);

		if ((xc->windows & LV_WINDOW_IRQ) || xc->events.want_irq_window)
			proc |= PROC_INTR_WINDOW;
		if ((xc->windows & LV_WINDOW_NMI) || xc->events.want_nmi_window)
			proc |= PROC_NMI_WINDOW;
		if (proc != xc->proc) {
			xc->proc = proc;
			vmwrite(VMCS_PROC_CTLS, proc);
		}
		vmwrite(VMCS_EXCEPTION_BITMAP, xc->exc_bitmap);
		xc->ctl_dirty = false;
	}
	if (xc->inject_info & INTR_INFO_VALID) {
		vmwrite(VMCS_ENTRY_INTR_INFO, xc->inject_info);
		if (xc->inject_info & INTR_INFO_ERRCODE)
			vmwrite(VMCS_ENTRY_EXC_ERRCODE, xc->inject_err);
		if (INTR_INFO_TYPE(xc->inject_info) >= INTR_TYPE_SW_INT)
			vmwrite(VMCS_ENTRY_INSN_LEN, xc->inject_len);
		xc->inject_info = 0;
	}
	if (xc->singlestep)
		arm_singlestep(xc);
	/* Queued events and single-step keep the slow path. */
	xc->slow = lv_x86_events_busy(&xc->events) || xc->singlestep;
}

static void prepare_entry(struct vmx_vcpu *xc)
{
	struct vmx_vm *xv = xc->xv;
	uint32_t gen = lv_x86_npt_gen(&xv->npt);

	if (xc->slow)
		prepare_slow(xc);
	if (gen != xc->ept_gen) {
		invept(LV_INVEPT_SINGLE_CONTEXT, xv->eptp);
		xc->ept_gen = gen;
	}
}

static void entry_failed(struct vmx_vcpu *xc, struct lv_exit *ex, int r)
{
	lv_vmx_take_back_event(xc);
	ex->reason = LV_EXIT_ENTRY_FAILED;
	ex->flags = 0;
	memset(&ex->raw, 0, sizeof(ex->raw));
	ex->raw.backend = LV_BACKEND_VMX;
	ex->entry_failed.hw_reason = 0;
	ex->entry_failed.qualification = 0;
	if (r == VMX_FAIL_VALID) {
		ex->entry_failed.kind = LV_ENTRY_FAIL_VMFAIL_VALID;
		ex->entry_failed.vm_instruction_error = (uint32_t)vmread(VMCS_VM_INSN_ERROR);
	} else {
		ex->entry_failed.kind = LV_ENTRY_FAIL_VMFAIL_INVALID;
		ex->entry_failed.vm_instruction_error = 0;
	}
}

static inline int run_loop(struct lv_vcpu *vcpu)
{
	struct vmx_backend *vb = vcpu->vm->backend->priv;
	struct vmx_vcpu *xc = vcpu->priv;
	struct lv_exit *ex = &vcpu->exit;
	uint64_t cr3;
	int rc;

	/* Fast path: the VMCS is current on this CPU already. */
	if (!vmcs_is_current(xc->vmcs_pa)) {
		rc = lv_vmx_vcpu_load(vb, xc);
		if (rc)
			return rc;
	}
	cr3 = lv_read_cr3();
	if (cr3 != xc->host_cr3) {
		vmwrite(VMCS_HOST_CR3, cr3);
		xc->host_cr3 = cr3;
	}
	if (xc->pending && complete_pending(xc) == TO_USER)
		return LV_OK;
	for (;;) {
		uint64_t flags;
		int r;

		prepare_entry(xc);
		flags = irq_save();
		/*
		 * Interrupts are off from here to the VM entry: a kick after this
		 * check finds vcpu->running set (the API layer set it before
		 * calling us) and sends an IPI, which stays pending and makes the
		 * entry exit at once (external-interrupt exiting).
		 */
		if (__atomic_load_n(&xc->kick, __ATOMIC_ACQUIRE) &&
		    __atomic_exchange_n(&xc->kick, 0, __ATOMIC_SEQ_CST)) {
			irq_restore(flags);
			ex->reason = LV_EXIT_CANCELLED;
			memset(&ex->raw, 0, sizeof(ex->raw));
			ex->raw.backend = LV_BACKEND_VMX;
			return LV_OK;
		}
		r = vmx_enter(&xc->gprs);
		irq_restore(flags);
		xc->valid &= ~VMX_VMCS_GROUPS;
		if (r != VMX_OK) {
			entry_failed(xc, ex, r);
			return LV_OK;
		}
		if (handle_exit(xc, ex) == TO_USER)
			return LV_OK;
	}
}

int lv_vmx_run(struct lv_vcpu *vcpu)
{
	struct vmx_vcpu *xc = vcpu->priv;
	int rc = run_loop(vcpu);

	if (xc->end_work) {
		/* The caller may use the FPU between runs: give the host its state. */
		if (xc->end_work & END_WORK_FPU)
			lv_vmx_fpu_unload(xc);
		/*
		 * With more than one CPU the vCPU may run on another one next
		 * time, and only this CPU can VMCLEAR its VMCS (SDM Vol. 3,
		 * 25.11.1); the seam has no cross-CPU call, so clear it now (the
		 * next run on any CPU does VMPTRLD + VMLAUNCH). A one-CPU host
		 * keeps it current.
		 */
		if (xc->end_work & END_WORK_CLEAR)
			lv_vmx_vcpu_put(vcpu->vm->backend->priv, xc);
	}
	return rc;
}

int lv_vmx_kick(struct lv_vcpu *vcpu)
{
	struct vmx_vcpu *xc = vcpu->priv;

	int32_t cpu;

	__atomic_store_n(&xc->kick, 1, __ATOMIC_SEQ_CST);
	cpu = __atomic_load_n(&xc->cpu, __ATOMIC_RELAXED);
	if (__atomic_load_n(&vcpu->running, __ATOMIC_SEQ_CST) && cpu >= 0)
		lv_plat_kick_cpu((uint32_t)cpu);
	return LV_OK;
}
