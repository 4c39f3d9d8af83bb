/* SPDX-License-Identifier: MIT */
/*
 * VMX backend: entering the guest and decoding its exits (Intel SDM Vol. 3,
 * chapters 26-28 and Appendix C) -- the vendor hooks load, enter, exit,
 * skip and done of the shared x86 layer (x86_vcpu.h), which finishes every
 * exit. The hot exits are decoded inline; the rest by the core's table
 * (exit_vmx.h).
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
#include "../x86/x86_run.h"

/*
 * Enter the guest through vmx_entry.S. The stub keeps only RBP and RSP;
 * every other GPR is declared clobbered here, so the compiler saves just
 * the registers it has live. -mno-red-zone makes the CALL from inline asm
 * safe. @return VMX_OK after a VM exit, VMX_FAIL_* if the entry failed.
 */
static inline int vmx_enter(struct lv_x86_vcpu *g)
{
	register struct lv_x86_vcpu *rdi __asm__("rdi") = g;
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
static inline bool vmcs_is_current(uint64_t pa, uint64_t cr4)
{
	uint64_t cur;

	if (!(cr4 & CR4_VMXE))
		return false;
	__asm__ volatile("vmptrst %0" : "=m"(cur));
	return cur == pa;
}

/* ---- helpers ------------------------------------------------------------ */

/* Advance RIP past the exiting instruction; ends STI/MOV-SS blocking (25.4.2). */
static inline __attribute__((always_inline)) void vmx_skip(struct lv_x86_vcpu *x, uint32_t len)
{
	struct vmx_vcpu *xc = (struct vmx_vcpu *)x;
	uint32_t intr;

	xc->valid &= ~(LV_STATE_GPRS | LV_STATE_EVENTS); /* the cache may hold the old RIP */
	vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + len);
	intr = (uint32_t)vmread(VMCS_GUEST_INTERRUPTIBILITY);
	if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS))
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY,
			intr & ~(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS));
}

/* GPR by the index the exit qualification uses (Table 28-3). */
static uint64_t *gpr_ptr(struct vmx_vcpu *xc, unsigned idx)
{
	struct lv_regs *g = &xc->x.regs;
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

/* MOV to/from CR0/CR4/CR8, CLTS, LMSW (Table 28-3). */
static int handle_cr(struct lv_vcpu *v, struct vmx_vcpu *xc, uint64_t q)
{
	struct vmx_backend *vb = v->vm->backend->priv;
	unsigned cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
	uint64_t val, old;

	if (type == 0 && cr == 8) {
		xc->cache.ctrl.cr8 = gpr_get(xc, reg) & 15;
	} else if (type == 1 && cr == 8) {
		gpr_set(xc, reg, xc->cache.ctrl.cr8);
	} else if ((type == 0 || type >= 2) && cr == 0) {
		old = vmread(VMCS_CR0_SHADOW);
		if (type == 0)
			val = gpr_get(xc, reg);
		else if (type == 2)
			val = old & ~CR0_TS; /* CLTS */
		else
			val = (old & ~0xeull) | ((q >> 16) & 0xf) | (old & CR0_PE); /* LMSW */
		vmwrite(VMCS_CR0_SHADOW, val);
		vmwrite(VMCS_GUEST_CR0, lv_vmx_guest_cr0(vb, xc, val));
		/* Paging on/off with EFER.LME switches IA-32e mode (SDM Vol. 3, 10.8.5). */
		if ((val ^ old) & CR0_PG) {
			uint64_t efer = vmread(VMCS_GUEST_EFER);

			if ((val & CR0_PG) && (efer & EFER_LME)) {
				efer |= EFER_LMA;
				xc->entry |= ENTRY_IA32E_GUEST;
			} else if (!(val & CR0_PG)) {
				efer &= ~EFER_LMA;
				xc->entry &= ~ENTRY_IA32E_GUEST;
			}
			vmwrite(VMCS_GUEST_EFER, efer);
			vmwrite(VMCS_ENTRY_CTLS, xc->entry);
			if ((val & CR0_PG) && !(efer & EFER_LMA) &&
			    (vmread(VMCS_GUEST_CR4) & CR4_PAE))
				lv_vmx_load_pdptes(xc, vmread(VMCS_GUEST_CR3));
		}
	} else if (type == 0 && cr == 4) {
		val = gpr_get(xc, reg);
		vmwrite(VMCS_CR4_SHADOW, val);
		vmwrite(VMCS_GUEST_CR4, lv_vmx_guest_cr4(vb, xc, val));
	} else {
		v->exit.reason = LV_EXIT_UNKNOWN;
		return LV_X86_CALLER;
	}
	vmx_skip(&xc->x, (uint32_t)vmread(VMCS_EXIT_INSN_LEN));
	return LV_X86_GUEST;
}

/* True when the instruction at CS:RIP is @p bytes. */
static bool insn_is(struct lv_vcpu *v, const uint8_t *bytes, unsigned n)
{
	uint8_t buf[4];

	return n <= sizeof(buf) && lv_x86_fetch(v, buf, n) == LV_OK && memcmp(buf, bytes, n) == 0;
}

static int handle_exception(struct lv_vcpu *v, struct vmx_vcpu *xc, uint64_t q)
{
	struct lv_exit *ex = &v->exit;
	uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR_INFO);
	uint8_t vec = (uint8_t)INTR_INFO_VECTOR(info);

	ex->raw.intinfo = info;
	xc->exit_work |= EXIT_WORK_RAW;
	if (INTR_INFO_TYPE(info) == INTR_TYPE_NMI)
		return LV_X86_GUEST; /* a host NMI; nothing for the guest */
	if (vec == 1 && xc->x.singlestep) {
		/* The step trap: report it instead of delivering it (27.1). */
		ex->reason = LV_EXIT_DEBUG;
		ex->debug.dr6 = 0xffff0ff0u | (q & 0x600fu);
		ex->debug.dr7 = vmread(VMCS_GUEST_DR7);
		ex->debug.pc = vmread(VMCS_GUEST_CS_BASE) + vmread(VMCS_GUEST_RIP);
		return LV_X86_CALLER;
	}
	if (vec == 6) {
		static const uint8_t vmmcall[3] = { 0x0f, 0x01, 0xd9 };

		if (insn_is(v, vmmcall, sizeof(vmmcall))) {
			xc->x.insn_len = sizeof(vmmcall);
			return LV_X86_HYPERCALL;
		}
	}
	/*
	 * Lazy FPU (vmx_fpu.c): #NM or #UD while the guest's state is not
	 * loaded may come from the forced CR0.TS / CR4.OSXSAVE: load it and
	 * run the instruction again; a fault of the guest's own comes back.
	 */
	if ((vec == 6 || vec == 7) && !xc->x.fpu.loaded)
		return LV_X86_FPU;
	ex->exception.vector = vec;
	ex->exception.has_error_code = (info & INTR_INFO_ERRCODE) != 0;
	ex->exception.error_code = ex->exception.has_error_code
					   ? (uint32_t)vmread(VMCS_EXIT_INTR_ERRCODE)
					   : 0;
	ex->exception.cr2 = vec == 14 ? q : 0;
	if (!(xc->x.exc_exits & (1u << vec)))
		return LV_X86_EXCEPTION; /* not the caller's: deliver it to the guest unchanged */
	ex->reason = LV_EXIT_EXCEPTION;
	return LV_X86_CALLER;
}

static int handle_ept_violation(struct vmx_vcpu *xc, struct lv_exit *ex, uint64_t q)
{
	xc->x.npf_gpa = vmread(VMCS_GUEST_PHYS_ADDR);
	xc->x.npf_access = (q & EPTQ_WRITE)   ? LV_ACCESS_WRITE
			   : (q & EPTQ_FETCH) ? LV_ACCESS_EXEC
					      : LV_ACCESS_READ;
	/* GLA valid but not its translation: the guest's own walk (27.2.1, Table 28-7). */
	xc->x.npf_walk = (q & EPTQ_GLA_VALID) && !(q & EPTQ_GLA_TRANSLATED);
	xc->x.npf_gva_valid = (q & EPTQ_GLA_VALID) != 0;
	ex->raw.info1 = xc->x.npf_gpa;
	xc->exit_work |= EXIT_WORK_RAW;
	if (xc->x.npf_gva_valid)
		ex->raw.info2 = xc->x.npf_gva = vmread(VMCS_GUEST_LINEAR_ADDR);
	return LV_X86_NPF;
}

/*
 * Every exit handle_exit() does not handle inline (the hot ones are
 * decoded there) goes through the core's table-driven decoder, which
 * classifies all of Appendix C and keeps the raw values.
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
		return LV_X86_CALLER;
	lv_vmx_decode_exit(&in, &xc->cache.regs, ex, &info);
	ex->io.data = io_data;
	xc->exit_work |= EXIT_WORK_RAW;
	switch (info.action) {
	case LV_XACT_HOST:
		/* Cache flushes are no-ops for a guest. */
		if ((reason & 0xffff) == LV_VMX_EXIT_INVD ||
		    (reason & 0xffff) == LV_VMX_EXIT_WBINVD)
			vmx_skip(&xc->x, in.insn_len);
		return LV_X86_GUEST;
	case LV_XACT_INJECT:
		return LV_X86_EXCEPTION;
	case LV_XACT_EMULATE:
		return LV_X86_EMULATE;
	default:
		return LV_X86_CALLER;
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
	xc->x.launched = 0;
	return LV_X86_CALLER;
}

static void dbg_exit(struct vmx_vcpu *xc);

/* Undo what the previous exit or entry left behind (rare: one flag test). */
__attribute__((noinline, cold)) static void exit_work(struct vmx_vcpu *xc)
{
	struct lv_exit *ex = &xc->x.vcpu->exit;

	if (xc->exit_work & EXIT_WORK_DBG)
		dbg_exit(xc);
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

/* The exit hook: decode into v->exit and say what the shared layer does. */
static inline __attribute__((always_inline)) int vmx_exit(struct lv_x86_vcpu *x)
{
	struct vmx_vcpu *xc = (struct vmx_vcpu *)x;
	struct lv_vcpu *v = x->vcpu;
	struct lv_exit *ex = &v->exit;
	/* A 32-bit field: VMREAD zero-extends it (SDM Vol. 3, 31.3); no cast, no copy. */
	uint64_t reason64 = vmread(VMCS_EXIT_REASON), q;
	uint32_t reason = (uint32_t)reason64, vect;

	/* raw.backend and flags are set once, at vCPU creation. */
	ex->raw.reason = reason64;
	if (xc->exit_work)
		exit_work(xc);
	if (__builtin_expect(reason64 == LV_VMX_EXIT_CPUID, 1)) {
		/*
		 * The hottest exit, with two VMREADs fewer: an instruction exit
		 * happens outside event delivery, so the IDT-vectoring field is
		 * invalid (SDM Vol. 3, 28.2.4), and CPUID defines no exit
		 * qualification, which is then cleared (28.2.1).
		 */
		ex->raw.qual = 0;
		ex->raw.vectoring = 0;
		xc->x.insn_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
		return LV_X86_CPUID;
	}
	vect = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);
	/* Zero for exits that define none (28.2.1); one VMREAD beats a test. */
	q = vmread(VMCS_EXIT_QUAL);
	ex->raw.qual = q;
	ex->raw.vectoring = vect;

	/* An event whose delivery the exit interrupted is delivered again (28.2.4). */
	if (vect & INTR_INFO_VALID) {
		xc->inject_info = vect & ~INTR_INFO_NMI_UNBLOCK;
		lv_x86_rq_set(&xc->x, LV_X86_RQ_VENDOR);
		if (vect & INTR_INFO_ERRCODE)
			xc->inject_err = (uint32_t)vmread(VMCS_IDT_VECTORING_ERR);
		if (INTR_INFO_TYPE(vect) >= INTR_TYPE_SW_INT)
			xc->inject_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
	}

again:
	switch (reason) {
	case LV_VMX_EXIT_CPUID:
		xc->x.insn_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
		return LV_X86_CPUID;
	case LV_VMX_EXIT_IO_INSTRUCTION:
		if (q & IOQ_STRING)
			return LV_X86_EMULATE; /* INS/OUTS: the emulator */
		xc->x.insn_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
		xc->x.io_port = (uint16_t)IOQ_PORT(q);
		xc->x.io_size = (uint8_t)IOQ_SIZE(q);
		xc->x.io_in = (q & IOQ_IN) != 0;
		return LV_X86_IO;
	case LV_VMX_EXIT_HLT:
		xc->x.insn_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
		return LV_X86_HLT;
	case LV_VMX_EXIT_RDMSR:
	case LV_VMX_EXIT_WRMSR:
		xc->x.insn_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
		return reason == LV_VMX_EXIT_WRMSR ? LV_X86_WRMSR : LV_X86_RDMSR;
	case LV_VMX_EXIT_EXTERNAL_INTERRUPT:
	case LV_VMX_EXIT_PREEMPTION_TIMER:
		return LV_X86_GUEST; /* the host takes it once interrupts are on again */
	case LV_VMX_EXIT_TPR_BELOW_THRESHOLD:
		return LV_X86_GUEST; /* after the MOV CR8: the entry's APIC work delivers */
	case LV_VMX_EXIT_EXCEPTION_NMI:
		return handle_exception(v, xc, q);
	case LV_VMX_EXIT_TRIPLE_FAULT:
		ex->reason = LV_EXIT_SHUTDOWN;
		return LV_X86_CALLER;
	case LV_VMX_EXIT_INTERRUPT_WINDOW:
		return LV_X86_IRQ_WINDOW;
	case LV_VMX_EXIT_NMI_WINDOW:
		return LV_X86_NMI_WINDOW;
	case LV_VMX_EXIT_VMCALL:
		xc->x.insn_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
		return LV_X86_HYPERCALL;
	case LV_VMX_EXIT_CR_ACCESS:
		return handle_cr(v, xc, q);
	case LV_VMX_EXIT_XSETBV:
		xc->x.insn_len = (uint32_t)vmread(VMCS_EXIT_INSN_LEN);
		return LV_X86_XSETBV;
	case LV_VMX_EXIT_DR_ACCESS:
		/* MOV DR exiting: the guest's DR0-DR3/DR6 go in, and it runs again without it. */
		lv_x86_dbg_use(v);
		return LV_X86_GUEST;
	case LV_VMX_EXIT_EPT_VIOLATION:
		return handle_ept_violation(xc, ex, q);
	case LV_VMX_EXIT_EPT_MISCONFIG:
		ex->raw.info1 = vmread(VMCS_GUEST_PHYS_ADDR);
		xc->exit_work |= EXIT_WORK_RAW;
		ex->reason = LV_EXIT_INTERNAL_ERROR;
		ex->internal.suberror = LV_VMX_EXIT_EPT_MISCONFIG;
		ex->internal.ndata = 1;
		ex->internal.data[0] = ex->raw.info1;
		return LV_X86_CALLER;
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
 * The kicked hook: the enter hook's cold path may have run
 * lv_vmx_prepare_slow() before it found the kick request (one that came
 * during the slow work), so a kicked entry may have armed an event in the
 * VMCS's entry field and out of the layer's sight (a halted vCPU would
 * sleep on with its interrupt there: halt_ends() in x86_apic.c). An external
 * interrupt goes back to the layer's queue, any other event to
 * inject_info (inject_err and inject_len still hold the rest); the next
 * entry arms it again. Out of the enter hook, so the entry path stays as
 * it is.
 */
static void vmx_kicked(struct lv_x86_vcpu *x)
{
	struct vmx_vcpu *xc = (struct vmx_vcpu *)x;
	uint32_t info = (uint32_t)vmread(VMCS_ENTRY_INTR_INFO);

	if (!(info & INTR_INFO_VALID))
		return;
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	if (INTR_INFO_TYPE(info) == INTR_TYPE_EXTINT) {
		xc->x.events.irq = 1;
		xc->x.events.irq_vector = (uint8_t)INTR_INFO_VECTOR(info);
	} else {
		xc->inject_info = info;
	}
	lv_x86_rq_set(&xc->x, LV_X86_RQ_VENDOR);
}

/*
 * After the exit (exit_work(), or a kick or failed entry that left them
 * loaded): the host's debug registers back. Until then DR7 is 400H, so the
 * guest's DR0-DR3 match nothing.
 */
__attribute__((noinline, cold)) static void dbg_exit(struct vmx_vcpu *xc)
{
	xc->exit_work &= (uint8_t)~EXIT_WORK_DBG;
	if (lv_x86_dbg_put(&xc->x.dbg, 1, vmread(VMCS_GUEST_DR7)))
		lv_vmx_intercepts(xc->x.vcpu);
}

/*
 * Once per run, when the host's DR7 (@p dr7) is not 400H, to which every
 * VM exit sets it (SDM Vol. 3, 28.5.1): it is put back after each exit
 * (x86_dbg.c). When the host has an LDT (@p ldtr), which every VM exit
 * makes null (28.5.2): vmx_done() loads it again (the host's own code
 * uses none in between). vmx_done() ends both.
 */
__attribute__((noinline, cold)) static void vmx_run_host(struct vmx_vcpu *xc, uint64_t dr7,
							 uint16_t ldtr)
{
	if (ldtr) {
		xc->host_ldtr = ldtr;
		xc->end_work |= END_WORK_LDT;
	}
	if (dr7 != DR7_RESET) {
		xc->x.dbg.host_dr7 = dr7;
		xc->x.dbg.work |= LV_X86_DBG_HOST;
		xc->end_work |= END_WORK_DBG;
		/* lv_vmx_prepare_slow() arms EXIT_WORK_DBG */
		lv_x86_rq_set(&xc->x, LV_X86_RQ_VENDOR);
	}
}

/*
 * The host state that may change between runs on the same CPU: CR3 (an
 * address space), CR4 (Linux flips TSD and PCE per task) and the FS base
 * (a user thread's TLS, which arch_prctl may move between two runs). VM
 * exit loads all three from the VMCS (SDM Vol. 3, 28.5.1, 28.5.2), so the
 * VMCS follows the host; KERNEL_GS_BASE (a user thread's GS base) likewise
 * comes from the exit's MSR-load list (vmx_load()). The others (GS base, selectors, GDTR/IDTR/TR
 * bases, SYSENTER, EFER, PAT) are per-CPU constants: written when the
 * vCPU comes to a CPU (write_host_state() in vmx_vcpu.c).
 */
__attribute__((noinline, cold)) static void host_refresh(struct vmx_vcpu *xc, uint64_t cr3,
							 uint64_t cr4, uint64_t fsb)
{
	if (cr3 != xc->host_cr3)
		vmwrite(VMCS_HOST_CR3, cr3);
	if (cr4 != xc->host_cr4)
		vmwrite(VMCS_HOST_CR4, cr4);
	if (fsb != xc->host_fs_base)
		vmwrite(VMCS_HOST_FS_BASE, fsb);
	xc->host_cr3 = cr3;
	xc->host_cr4 = cr4;
	xc->host_fs_base = fsb;
}

/*
 * The host's TSS is larger than the 67H limit VM exit gave TR (SDM Vol. 3,
 * 28.5.2): its I/O permission bitmap would be out of reach. LTR loads the
 * whole descriptor again; it wants an available TSS, so the busy bit
 * (type 0BH -> 09H, 8.2.2) is cleared in the host's GDT first.
 */
__attribute__((noinline, cold)) static void host_tr_reload(struct vmx_vcpu *xc)
{
	uint8_t *type = (uint8_t *)(uintptr_t)xc->host_gdtr.base + (xc->host_tr & ~7u) + 5;

	*type = (uint8_t)(*type & ~0x02u);
	lv_load_tr(xc->host_tr);
}

/*
 * After an exit, what VM exit changed (SDM Vol. 3, 28.5.1, 28.5.2) when it
 * is more than the GDTR/IDTR limits, before the host's interrupts come
 * back: the limits, and IA32_DEBUGCTL, which the exit cleared.
 */
__attribute__((noinline, cold)) static void host_fix(struct vmx_vcpu *xc)
{
	if (xc->host_fix & HOST_FIX_DT) {
		lv_load_gdtr(&xc->host_gdtr);
		lv_load_idtr(&xc->host_idtr);
	}
	if (xc->host_fix & HOST_FIX_DEBUGCTL)
		lv_wrmsr(MSR_DEBUGCTL, xc->host_debugctl);
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

/*
 * The host state changed since the last run here (or this is the first):
 * read it all again and bring the VMCS and the exit's MSR-load list up to
 * date (host_refresh(), vmx_run_host()).
 */
__attribute__((noinline, cold)) static void host_changed(struct vmx_vcpu *xc, uint64_t cr4)
{
	uint64_t kgs = lv_rdmsr(MSR_KERNEL_GS_BASE);

	host_refresh(xc, lv_read_cr3(), cr4, lv_rdmsr(MSR_FS_BASE));
	xc->host_kgs = kgs;
	HMSR(xc, AMSR_KERNEL_GS_BASE) = kgs; /* the exit's MSR-load list */
	vmx_run_host(xc, lv_read_dr7(), lv_read_ldtr());
}

/*
 * The load hook: this vCPU's VMCS current here (fast: VMPTRST), the host
 * state the VMCS and the exit's MSR-load list hold still the host's. Each
 * compare branches out on its own: fewer instructions than joining them
 * into one test.
 */
static inline __attribute__((always_inline)) int vmx_load(struct lv_x86_vcpu *x)
{
	struct vmx_vcpu *xc = (struct vmx_vcpu *)x;
	uint64_t cr4 = lv_read_cr4(); /* loading a VMCS does not change it */

	if (!vmcs_is_current(xc->vmcs_pa, cr4)) {
		int rc = lv_vmx_vcpu_load(xc->vb, xc);

		if (rc)
			return rc;
	}
	if (__builtin_expect(lv_read_cr3() != xc->host_cr3, 0) ||
	    __builtin_expect(cr4 != xc->host_cr4, 0) ||
	    __builtin_expect(lv_read_dr7() != DR7_RESET, 0) ||
	    __builtin_expect(lv_read_ldtr() != 0, 0) ||
	    __builtin_expect(!lv_rdmsr_same(MSR_FS_BASE, &xc->host_fs_base), 0) ||
	    __builtin_expect(!lv_rdmsr_same(MSR_KERNEL_GS_BASE, &xc->host_kgs), 0))
		host_changed(xc, cr4);
	return LV_OK;
}

/*
 * The enter hook's cold path, with interrupts off and guest_seq odd: a
 * request is set (x86_vcpu.h). A kick ends the entry. LV_X86_RQ_FLUSH is
 * cleared before its INVEPT (a shootdown whose bit the clear took changed
 * the table before it, and one after the clear sets the bit again and,
 * ordered after this entry's begin, kicks and waits for it). The slow
 * work runs with interrupts on, as it may take the irqchip lock and arm
 * a host timer: guest mode ends around it and begins again, and the word
 * is read again for a kick or a flush that came meanwhile (the work bits
 * may stay set for the next entry). @return LV_X86_ENTERED (interrupts
 * off, guest_seq odd: enter now) or LV_X86_KICKED (guest mode ended,
 * interrupts as before the entry).
 */
__attribute__((noinline, cold)) static int enter_requests(struct vmx_vcpu *xc, uint64_t *flags)
{
	int worked = 0;

	for (;;) {
		uint32_t rq = __atomic_load_n(&xc->x.requests, __ATOMIC_RELAXED);

		if (rq & LV_X86_RQ_KICK) {
			lv_x86_rq_clear(&xc->x, LV_X86_RQ_KICK);
			lv_x86_guest_end(&xc->x);
			if (xc->exit_work & EXIT_WORK_DBG)
				dbg_exit(xc);
			irq_restore(flags);
			return LV_X86_KICKED;
		}
		if (rq & LV_X86_RQ_FLUSH) {
			lv_x86_rq_clear(&xc->x, LV_X86_RQ_FLUSH);
			invept(LV_INVEPT_SINGLE_CONTEXT, xc->xv->eptp);
		}
		if (!(rq & LV_X86_RQ_WORK) || worked)
			return LV_X86_ENTERED;
		lv_x86_guest_end(&xc->x);
		irq_restore(flags);
		lv_vmx_prepare_slow(xc->x.vcpu);
		worked = 1;
		irq_save(flags);
		lv_x86_guest_begin(&xc->x);
	}
}

/*
 * The enter hook. Interrupts are off from the request-word test to the VM
 * entry: a kick after the test finds vcpu->running set (the API layer set
 * it before the run) and sends an IPI, which stays pending and makes the
 * entry exit at once (external-interrupt exiting). The test follows
 * guest_seq going odd, so a remote shootdown either waits for this
 * entry's exit or its LV_X86_RQ_FLUSH is seen here (x86_vcpu.h).
 */
static inline __attribute__((always_inline)) int vmx_enter_hook(struct lv_x86_vcpu *x)
{
	struct vmx_vcpu *xc = (struct vmx_vcpu *)x;
	uint64_t flags;
	int r;

	irq_save(&flags);
	lv_x86_guest_begin(&xc->x);
	if (__builtin_expect(lv_x86_rq_pending(&xc->x), 0) &&
	    enter_requests(xc, &flags) != LV_X86_ENTERED)
		return LV_X86_KICKED;
	r = vmx_enter(&xc->x);
	lv_x86_guest_end(&xc->x);
	if (__builtin_expect(xc->host_fix == HOST_FIX_DT, 1)) {
		/* VM exit left the GDTR and IDTR limits at 0xFFFF (SDM Vol. 3, 28.5.2). */
		lv_load_gdtr(&xc->host_gdtr);
		lv_load_idtr(&xc->host_idtr);
	} else {
		host_fix(xc); /* nothing when host_fix is 0 */
	}
	irq_restore(&flags);
	xc->valid &= ~VMX_VMCS_GROUPS;
	if (r != VMX_OK) {
		if (xc->exit_work & EXIT_WORK_DBG)
			dbg_exit(xc);
		entry_failed(xc, &x->vcpu->exit, r);
		return LV_X86_FAILED;
	}
	return LV_X86_ENTERED;
}

/*
 * The done hook: what the run leaves behind for the caller. The VMCS stays
 * active on this CPU, launched (vmx_vcpu.c: a run or state call on another
 * CPU clears it here first).
 */
static inline __attribute__((always_inline)) void vmx_done(struct lv_x86_vcpu *x)
{
	struct vmx_vcpu *xc = (struct vmx_vcpu *)x;

	if (__builtin_expect(xc->end_work != 0, 0)) {
		/* The caller may use the FPU between runs: give the host its state. */
		if (xc->end_work & END_WORK_FPU)
			lv_x86_fpu_put(x->vcpu);
		if (xc->end_work & (END_WORK_AUX | END_WORK_DBG | END_WORK_LDT)) {
			if (xc->x.aux_loaded)
				lv_x86_aux_put(&xc->x, *xc->host_aux);
			if (xc->end_work & END_WORK_LDT)
				lv_load_ldtr(xc->host_ldtr);
			xc->x.dbg.work &= (uint8_t)~LV_X86_DBG_HOST;
			xc->end_work &= ~(END_WORK_AUX | END_WORK_DBG | END_WORK_LDT);
		}
		if (xc->end_work & END_WORK_TR)
			host_tr_reload(xc);
	}
}

const struct lv_x86_vendor lv_vmx_vendor = {
	.open = lv_vmx_open,
	.close = lv_vmx_close,
	.cpu_enable = lv_vmx_cpu_enable,
	.cpu_disable = lv_vmx_cpu_disable,
	.vm_create = lv_vmx_vm_create,
	.vm_destroy = lv_vmx_vm_destroy,
	.vcpu_create = lv_vmx_vcpu_create,
	.vcpu_destroy = lv_vmx_vcpu_destroy,
	.load = vmx_load,
	.enter = vmx_enter_hook,
	.exit = vmx_exit,
	.done = vmx_done,
	.kicked = vmx_kicked,
	.get_state = lv_vmx_get_state,
	.set_state = lv_vmx_set_state,
	.get_msr = lv_vmx_get_msr,
	.set_msr = lv_vmx_set_msr,
	.skip = vmx_skip,
	.event_slot = lv_vmx_event_slot,
	.event_put = lv_vmx_event_put,
	.intercepts = lv_vmx_intercepts,
	.fpu_own = lv_vmx_fpu_own,
	.guest_timer = lv_vmx_guest_timer,
	.cr8_get = lv_vmx_cr8_get,
	.cr8_put = lv_vmx_cr8_put,
	.tpr_watch = lv_vmx_tpr_watch,
	.vm_size = sizeof(struct vmx_vm),
	.vcpu_size = sizeof(struct vmx_vcpu),
	.msr_map_bytes = 4096,
	.msr_bit = lv_vmx_msr_bitmap_bit,
	.msr_pass = lv_vmx_passthrough_msrs,
};

/* The shared run loop with the VMX hooks (x86_run.h). */
static int lv_vmx_run(struct lv_vcpu *v, struct lv_exit **exit)
{
	return lv_x86_run_with(v, exit, &lv_vmx_vendor);
}

const struct lv_backend_ops lv_vmx_ops = LV_X86_BACKEND_OPS("vmx", LV_BACKEND_VMX, &lv_vmx_vendor,
							    lv_vmx_run);
