/* SPDX-License-Identifier: MIT */
/*
 * SVM backend: the run loop and the exit handlers (APM Vol. 2, 15.5-15.6,
 * 15.9-15.14, Appendix C). Exits the library can finish itself (CPUID
 * answered from the policy, MSRs it keeps, SVM instructions -> #UD,
 * physical interrupts) re-enter the guest; every other exit fills
 * vcpu->exit and returns to the caller, which completes it on the next run.
 */
#include "../../core/cpuid.h"
#include "../../core/exit_common.h"
#include "../../core/lvlib.h"
#include "../../core/exit_svm.h"
#include "svm_hw.h"
#include "svm_mmio.h"
#include "svm_priv.h"
#include "../../core/x86_arch.h"
#include "../x86/x86_cpuid.h"

#define RET_GUEST  0 /* handled: enter the guest again */
#define RET_CALLER 1 /* vcpu->exit is filled: return to the caller */

#define UD_VECTOR 6
#define GP_VECTOR 13

/* An exception the backend raises itself goes through the shared queue. */
static void queue_exception(struct svm_vcpu *s, uint8_t vector, int has_err, uint32_t err)
{
	lv_x86_events_exception(&s->events, vector, has_err, err);
	s->slow = 1;
}

/*
 * Length of an intercepted instruction: nRIP when the CPU has NRIPS (APM
 * 15.7.1; valid for instruction intercepts only), else the fixed length of
 * the only encoding the intercept can come from (QEMU TCG has no NRIPS).
 */
static void skip_insn(struct svm_vcpu *s, unsigned len)
{
	struct vmcb *vm = s->vmcb;

	if (s->nrips && vm->c.nrip)
		vm->s.rip = vm->c.nrip;
	else
		vm->s.rip += len;
	vm->c.int_state &= ~VMCB_INT_SHADOW;
}

/* ---- completion of the previous exit ------------------------------------ */

static void set_rdx_rax(struct svm_vcpu *s, uint64_t v)
{
	s->vmcb->s.rax = (uint32_t)v;
	s->regs.rdx = v >> 32;
}

static int complete(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;
	struct lv_exit *ex = &v->exit;
	struct vmcb *vm = s->vmcb;
	uint32_t p = s->pending;

	s->pending = SVM_PEND_NONE;
	switch (p) {
	case SVM_PEND_CPUID:
		vm->s.rax = ex->cpuid.eax;
		s->regs.rbx = ex->cpuid.ebx;
		s->regs.rcx = ex->cpuid.ecx;
		s->regs.rdx = ex->cpuid.edx;
		skip_insn(s, 2);
		break;
	case SVM_PEND_RDMSR:
	case SVM_PEND_WRMSR:
		if (ex->msr.error) {
			queue_exception(s, GP_VECTOR, 1, 0);
			break;
		}
		if (p == SVM_PEND_RDMSR)
			set_rdx_rax(s, ex->msr.value);
		skip_insn(s, 2);
		break;
	case SVM_PEND_IO_IN: {
		uint64_t d = 0;

		memcpy(&d, s->io_buf, ex->io.size);
		if (ex->io.size == 4)
			vm->s.rax = (uint32_t)
				d; /* 32-bit results zero-extend (APM Vol. 1, 3.1.2.3) */
		else if (ex->io.size == 2)
			vm->s.rax = (vm->s.rax & ~0xffffull) | (d & 0xffff);
		else
			vm->s.rax = (vm->s.rax & ~0xffull) | (d & 0xff);
	}
		/* fall through */
	case SVM_PEND_IO_OUT:
		vm->s.rip = s->next_rip;
		vm->c.int_state &= ~VMCB_INT_SHADOW;
		break;
	case SVM_PEND_MMIO:
		return lv_svm_mmio_resume(v);
	default:
		break;
	}
	return RET_GUEST;
}

/* ---- CPUID -------------------------------------------------------------- */

static int exit_cpuid(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;
	uint32_t r[4];

	if (lv_x86_cpuid_exit(&s->cpuid, (uint32_t)s->vmcb->s.rax, (uint32_t)s->regs.rcx, r,
			      &v->exit)) {
		s->pending = SVM_PEND_CPUID;
		return RET_CALLER;
	}
	s->vmcb->s.rax = r[0];
	s->regs.rbx = r[1];
	s->regs.rcx = r[2];
	s->regs.rdx = r[3];
	skip_insn(s, 2);
	return RET_GUEST;
}

/* ---- MSR (APM Vol. 2, 15.11: EXITINFO1 0 = RDMSR, 1 = WRMSR) ------------ */

static int exit_msr(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;
	const struct svm_vm *sv = v->vm->priv;
	struct lv_exit *ex = &v->exit;
	uint32_t index = (uint32_t)s->regs.rcx;
	bool write = s->vmcb->c.exitinfo1 & 1;
	uint64_t val = (uint32_t)s->vmcb->s.rax | (s->regs.rdx << 32);
	int known;

	if (!lv_policy_msr_exits(&sv->msr_exits, index, write)) {
		if (write) {
			known = lv_svm_set_msr(v, index, val) == LV_OK;
		} else {
			known = lv_svm_get_msr(v, index, &val) == LV_OK;
			if (known)
				set_rdx_rax(s, val);
		}
		if (known) {
			skip_insn(s, 2);
			return RET_GUEST;
		}
	}
	lv_exit_set_msr(ex, &sv->msr_exits, index, write, val);
	s->pending = write ? SVM_PEND_WRMSR : SVM_PEND_RDMSR;
	return RET_CALLER;
}

/* ---- IO (APM Vol. 2, 15.10.2: EXITINFO1 layout, EXITINFO2 = next RIP) --- */

static int exit_io(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;
	struct lv_exit *ex = &v->exit;
	uint64_t info = s->vmcb->c.exitinfo1;
	unsigned sz = (unsigned)(info >> SVM_IOIO_SZ_SHIFT) & 7;

	if (info & SVM_IOIO_STR)
		return lv_svm_mmio_start(v, 1);
	lv_exit_set_pio(ex, (uint16_t)(info >> SVM_IOIO_PORT_SHIFT),
			(uint8_t)(sz == 4   ? 4
				  : sz == 2 ? 2
					    : 1),
			!(info & SVM_IOIO_IN), s->vmcb->s.rax, s->io_buf, sizeof(s->io_buf));
	s->next_rip = s->vmcb->c.exitinfo2;
	s->pending = ex->io.is_write ? SVM_PEND_IO_OUT : SVM_PEND_IO_IN;
	return RET_CALLER;
}

/* ---- the rest ----------------------------------------------------------- */

/*
 * INTn intercept (only armed for QEMU's INT3, see lv_svm_set_exception_exits):
 * INT3 becomes the #BP exception exit the caller asked for, RIP on the
 * INT3 as with the exception intercept; INT n and INTO are delivered to
 * the guest as the CPU would (RIP past the instruction, then EVENTINJ
 * software interrupt / #OF, APM Vol. 2, 15.20).
 */
__attribute__((noinline, cold)) static int exit_swint(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;
	struct vmcb *vm = s->vmcb;
	struct lv_exit *ex = &v->exit;
	uint8_t b[2];

	if (lv_svm_fetch(v, b, 1) != LV_OK)
		goto unknown;
	if (b[0] == 0xcc) {
		ex->reason = LV_EXIT_EXCEPTION;
		ex->exception.vector = 3;
		ex->exception.has_error_code = 0;
		ex->exception.error_code = 0;
		ex->exception.cr2 = 0;
		return RET_CALLER;
	}
	if (b[0] == 0xcd && lv_svm_fetch(v, b, 2) == LV_OK) {
		vm->s.rip += 2;
		vm->c.eventinj = VMCB_EVT_VALID | VMCB_EVT_TYPE_SOFT | b[1];
		return RET_GUEST;
	}
	if (b[0] == 0xce) {
		vm->s.rip += 1;
		if (vm->s.rflags & (1u << 11)) /* OF */
			vm->c.eventinj = VMCB_EVT_VALID | VMCB_EVT_TYPE_EXC | 4;
		return RET_GUEST;
	}
unknown:
	ex->reason = LV_EXIT_UNKNOWN;
	return RET_CALLER;
}

/*
 * Every exit off the hot path: decoded by the core (exit_svm.h), then
 * finished here according to the decoder's action.
 */
__attribute__((noinline, cold)) static int exit_decoded(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;
	struct vmcb *vm = s->vmcb;
	struct lv_exit *ex = &v->exit;
	struct lv_svm_exit_in in;
	struct lv_exit_info info;
	struct lv_regs r = s->regs;

	r.rax = vm->s.rax;
	r.rsp = vm->s.rsp;
	r.rip = vm->s.rip;
	r.rflags = vm->s.rflags;
	in.exitcode = vm->c.exitcode;
	in.exitinfo1 = vm->c.exitinfo1;
	in.exitinfo2 = vm->c.exitinfo2;
	in.exitintinfo = vm->c.exitintinfo;
	in.nrip = s->nrips ? vm->c.nrip : 0;
	in.rip = vm->s.rip;
	lv_svm_decode_exit(&in, &r, ex, &info);

	switch (info.action) {
	case LV_XACT_HOST:
		return RET_GUEST; /* interrupts, NMI, SMI, INIT: taken by the host after STGI */
	case LV_XACT_INJECT:
		/* SVM instructions: the guest sees no SVM (15.5.1), they are #UD to it. */
		queue_exception(s, ex->exception.vector, 0, 0);
		return RET_GUEST;
	case LV_XACT_EMULATE:
		return lv_svm_npf(v);
	default:
		break;
	}
	switch (ex->reason) {
	case LV_EXIT_IRQ_WINDOW:
		if (s->events.irq) {
			/* The queued external interrupt goes in first (pre_vmrun_slow()). */
			s->slow = 1;
			return RET_GUEST;
		}
		return (s->window & LV_WINDOW_IRQ) ? RET_CALLER : RET_GUEST;
	case LV_EXIT_HYPERCALL:
		skip_insn(s, 3); /* 0F 01 D9: RIP is past the VMMCALL at the exit */
		return RET_CALLER;
	case LV_EXIT_EXCEPTION:
		if (ex->exception.vector == 1 && s->singlestep) {
			/* #DB after a single step (APM Vol. 2, 13.1.3.5: DR6.BS). */
			ex->reason = LV_EXIT_DEBUG;
			ex->debug.dr6 = vm->s.dr6;
			ex->debug.dr7 = vm->s.dr7;
			ex->debug.pc = vm->s.cs.base + vm->s.rip;
			vm->s.dr6 &= ~(1ull << 14); /* BS is sticky: clear it for the next step */
		}
		return RET_CALLER;
	default:
		if ((uint32_t)vm->c.exitcode == LV_SVM_EXIT_SWINT)
			return exit_swint(v);
		return RET_CALLER;
	}
}

/*
 * The hot exits (CPUID, port IO, HLT, MSR, host interrupts) are decoded
 * inline, the rest by the core's decoder (exit_decoded()).
 */
static int handle_exit(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;
	struct vmcb *vm = s->vmcb;
	struct lv_exit *ex = &v->exit;
	uint32_t code = (uint32_t)vm->c.exitcode;

	switch (code) {
	/*
	 * Instruction intercepts: the instruction runs only after any event
	 * delivery has completed, so EXITINTINFO is never valid for these.
	 */
	case LV_SVM_EXIT_CPUID:
	case LV_SVM_EXIT_IOIO:
	case LV_SVM_EXIT_HLT:
	case LV_SVM_EXIT_MSR:
		/* flags, raw.backend and raw.vectoring are constant on this path. */
		ex->raw.reason = vm->c.exitcode;
		ex->raw.qual = vm->c.exitinfo1;
		ex->raw.info1 = vm->c.exitinfo2;
		ex->raw.info2 = vm->c.nrip;
		ex->raw.intinfo = vm->c.exitintinfo;
		if (code == LV_SVM_EXIT_CPUID)
			return exit_cpuid(v);
		if (code == LV_SVM_EXIT_IOIO)
			return exit_io(v);
		if (code == LV_SVM_EXIT_MSR)
			return exit_msr(v);
		skip_insn(s, 1);
		ex->reason = LV_EXIT_HLT;
		return RET_CALLER;
	default:
		break;
	}
	/* An event whose delivery the exit interrupted is delivered again (APM 15.7.2). */
	if ((vm->c.exitintinfo & VMCB_EVT_VALID) && code != LV_SVM_EXIT_SHUTDOWN)
		vm->c.eventinj = vm->c.exitintinfo;
	switch (code) {
	case LV_SVM_EXIT_INTR:
	case LV_SVM_EXIT_NMI:
		return RET_GUEST; /* the host took it after STGI; the kick flag is checked next */
	case LV_SVM_EXIT_XSETBV:
		/* XCR0 is not switched and CPUID hides XSAVE: XSETBV is #UD to the guest. */
		queue_exception(s, UD_VECTOR, 0, 0);
		return RET_GUEST;
	default:
		return exit_decoded(v);
	}
}

/* ---- the loop ----------------------------------------------------------- */

/*
 * A queued event into EVENTINJ when the guest can take it (APM Vol. 2,
 * 15.20; the pick is the shared queue's). SVM here has no NMI window: a
 * queued NMI goes in at the next VMRUN whose EVENTINJ is free. An external
 * interrupt the guest blocks waits for the VINTR exit.
 */
static void arm_events(struct svm_vcpu *s)
{
	struct vmcb *vm = s->vmcb;
	int irq_open = (vm->s.rflags & RFLAGS_IF) && !(vm->c.int_state & VMCB_INT_SHADOW);
	struct lv_event ev;
	uint64_t e;

	switch (lv_x86_events_pick(&s->events, (vm->c.eventinj & VMCB_EVT_VALID) != 0, 1, irq_open,
				   0, &ev)) {
	case LV_EVENT_EXCEPTION:
		e = VMCB_EVT_VALID | VMCB_EVT_TYPE_EXC | ev.vector;
		if (ev.has_error_code)
			e |= VMCB_EVT_EV | ((uint64_t)ev.error_code << VMCB_EVT_ERR_SHIFT);
		vm->c.eventinj = e;
		break;
	case LV_EVENT_NMI:
		vm->c.eventinj = VMCB_EVT_VALID | VMCB_EVT_TYPE_NMI | 2;
		break;
	case LV_EVENT_EXTINT:
		vm->c.eventinj = VMCB_EVT_VALID | VMCB_EVT_TYPE_INTR | ev.vector;
		break;
	default:
		break;
	}
	lv_svm_update_vintr(s);
}

/* Rare work before VMRUN, behind one flag (s->slow). */
__attribute__((noinline, cold)) static void pre_vmrun_slow(struct svm_vcpu *s)
{
	if (s->load_cr2) {
		/*
		 * VMRUN loads CR2 from the VMCB (APM 15.5.1), but Bochs 2.7 does
		 * not: the guest would see the host's CR2. With GIF = 0 nothing
		 * can fault in between, so load it here.
		 */
		lv_write_cr2(s->vmcb->s.cr2);
		s->load_cr2 = 0;
	}
	/*
	 * Single-step: RFLAGS.TF makes the guest take #DB (intercepted) after
	 * one instruction; the backend's TF is removed again at the exit.
	 */
	if (s->singlestep && !(s->vmcb->s.rflags & RFLAGS_TF)) {
		s->vmcb->s.rflags |= RFLAGS_TF;
		s->tf_ours = 1;
	}
	if (lv_x86_events_busy(&s->events))
		arm_events(s);
	s->slow = s->singlestep || lv_x86_events_busy(&s->events);
}

/*
 * TLB_CONTROL for this VMRUN (APM Vol. 2, 15.16): the ASID allocator says
 * whether the ASID is fresh or the generation wrapped; an NPT change since
 * this vCPU's last run needs its ASID flushed: TLB_CONTROL 3 with
 * FlushByAsid, else a fresh ASID (which is never stale).
 */
static uint8_t prepare_asid(struct svm_backend *sb, struct svm_cpu *c, struct svm_vcpu *s,
			    const struct svm_vm *sv)
{
	uint32_t gen = lv_x86_npt_gen(&sv->npt);
	enum lv_asid_action a;
	uint8_t tlb = LV_SVM_TLB_NOTHING;

	/* Fast path: same CPU, same generation, no NPT change (lv_asid_prepare's KEEP). */
	if (gen == s->npt_gen && s->asid.generation == c->asid.generation &&
	    s->asid.cpu == c->asid.cpu && s->asid.asid)
		return LV_SVM_TLB_NOTHING;

	if (gen != s->npt_gen && !(sb->features & CPUID_SVM_FLUSHBYASID))
		lv_asid_vcpu_invalidate(&s->asid);
	a = lv_asid_prepare(&c->asid, &s->asid);
	if (a == LV_ASID_FLUSH_ALL)
		tlb = LV_SVM_TLB_FLUSH_ALL;
	else if (gen != s->npt_gen && a == LV_ASID_KEEP)
		tlb = LV_SVM_TLB_FLUSH_ASID;
	s->npt_gen = gen;
	s->vmcb->c.asid = s->asid.asid;
	return tlb;
}

int lv_svm_run(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;
	struct svm_backend *sb = svm_b(v);
	const struct svm_vm *sv = v->vm->priv;
	int r;

	if (s->pending) {
		r = complete(v);
		if (r == RET_CALLER)
			return LV_OK;
	}
	for (;;) {
		struct svm_cpu *c;
		uint32_t cpu;

		/*
		 * GIF = 0 first: from here to VMRUN no interrupt, NMI or
		 * preemption can move this thread to another CPU, and a kick's
		 * IPI stays pending until VMRUN, which then exits at once.
		 */
		svm_clgi();
		cpu = lv_plat_cpu_id();
		if (cpu >= sb->ncpus || !sb->cpus[cpu].enabled) {
			svm_stgi();
			return LV_ERR_STATE;
		}
		c = &sb->cpus[cpu];
		__atomic_store_n(&s->cpu, cpu, __ATOMIC_RELEASE);
		if (__atomic_exchange_n(&s->kick, 0, __ATOMIC_SEQ_CST)) {
			svm_stgi();
			v->exit.reason = LV_EXIT_CANCELLED;
			v->exit.raw.backend = LV_BACKEND_SVM;
			v->exit.raw.reason = 0;
			return LV_OK;
		}
		s->vmcb->c.tlb_control = prepare_asid(sb, c, s, sv);
		if (s->slow)
			pre_vmrun_slow(s);
		svm_vmrun(s->vmcb_pa, &s->regs, c->host_save_pa);
		svm_stgi();
		if (s->slow && s->tf_ours) { /* tf_ours implies slow: one test on the fast path */
			s->vmcb->s.rflags &= ~RFLAGS_TF;
			s->tf_ours = 0;
		}
		if (handle_exit(v) == RET_CALLER)
			return LV_OK;
	}
}
