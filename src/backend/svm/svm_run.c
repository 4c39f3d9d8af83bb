/* SPDX-License-Identifier: MIT */
/*
 * SVM backend: entering the guest and decoding its exits (APM Vol. 2,
 * 15.5-15.6, 15.9-15.14, Appendix C) -- the vendor hooks enter, exit and
 * skip of the shared x86 layer (x86_vcpu.h), which finishes every exit.
 * The hot exits (CPUID, port IO, HLT, MSR) are decoded inline; the rest by
 * the core's table (exit_svm.h).
 */
#include "../../core/cpuid.h"
#include "../../core/exit_common.h"
#include "../../core/lvlib.h"
#include "../../core/exit_svm.h"
#include "svm_hw.h"
#include "svm_priv.h"
#include "../../core/x86_arch.h"
#include "../x86/x86_run.h"

#define DB_VECTOR 1
#define UD_VECTOR 6
#define NM_VECTOR 7

/*
 * Length of an intercepted instruction: nRIP - RIP when the CPU has NRIPS
 * (APM 15.7.1; valid for instruction intercepts only), else the fixed
 * length of the only encoding the intercept can come from (QEMU TCG has
 * no NRIPS). A CPU without NRIPS never writes the field, which stays 0
 * from the VMCB's creation, so nRIP itself says which (one test, on the
 * value the exit hook loads for raw.info2 anyway).
 */
static inline uint32_t insn_len(const struct svm_vcpu *s, uint32_t fixed)
{
	const struct vmcb *vm = s->vmcb;

	return vm->c.nrip ? (uint32_t)(vm->c.nrip - vm->s.rip) : fixed;
}

/* RIP past the exiting instruction; the interrupt shadow ends (APM 15.21.5). */
static inline __attribute__((always_inline)) void svm_skip(struct lv_x86_vcpu *x, uint32_t len)
{
	struct svm_vcpu *s = (struct svm_vcpu *)x;

	s->vmcb->s.rip += len;
	s->vmcb->c.int_state &= ~VMCB_INT_SHADOW;
}

/* ---- exits off the hot path ------------------------------------------------ */

/*
 * INTn intercept (only armed for QEMU's INT3, see lv_svm_intercepts()):
 * INT3 becomes the #BP exception exit the caller asked for, RIP on the
 * INT3 as with the exception intercept; INT n and INTO are delivered to
 * the guest as the CPU would (RIP past the instruction, then EVENTINJ
 * software interrupt / #OF, APM Vol. 2, 15.20).
 */
static int exit_swint(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;
	struct vmcb *vm = s->vmcb;
	struct lv_exit *ex = &v->exit;
	uint8_t b[2];

	if (lv_x86_fetch(v, b, 1) != LV_OK)
		goto unknown;
	if (b[0] == 0xcc) {
		ex->reason = LV_EXIT_EXCEPTION;
		ex->exception.vector = 3;
		ex->exception.has_error_code = 0;
		ex->exception.error_code = 0;
		ex->exception.cr2 = 0;
		return LV_X86_CALLER;
	}
	if (b[0] == 0xcd && lv_x86_fetch(v, b, 2) == LV_OK) {
		vm->s.rip += 2;
		vm->c.eventinj = VMCB_EVT_VALID | VMCB_EVT_TYPE_SOFT | b[1];
		return LV_X86_GUEST;
	}
	if (b[0] == 0xce) {
		vm->s.rip += 1;
		if (vm->s.rflags & RFLAGS_OF)
			vm->c.eventinj = VMCB_EVT_VALID | VMCB_EVT_TYPE_EXC | 4;
		return LV_X86_GUEST;
	}
unknown:
	ex->reason = LV_EXIT_UNKNOWN;
	return LV_X86_CALLER;
}

/*
 * IRET while NMIs are blocked: the blocking ends when the IRET retires,
 * so single-step it; the #DB after it opens the NMI window (KVM does the
 * same on SVM).
 */
static int exit_iret(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;

	s->nmi_masked = 0;
	s->nmi_step = 1;
	lv_x86_rq_set(&s->x, LV_X86_RQ_VENDOR); /* pre_vmrun_slow() sets TF */
	lv_svm_intercepts(v);
	return LV_X86_GUEST;
}

/* #DB: the end of a single step (the caller's, or the IRET's above). */
static int exit_db(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;
	struct vmcb *vm = s->vmcb;
	struct lv_exit *ex = &v->exit;

	svm_dirty(s); /* DR6 */
	if (s->nmi_step) {
		s->nmi_step = 0;
		vm->s.dr6 &= ~(1ull << 14); /* BS is sticky */
		lv_svm_intercepts(v);
		if (!s->x.singlestep)
			return LV_X86_NMI_WINDOW;
	}
	if (!s->x.singlestep)
		return LV_X86_CALLER;
	/* #DB after a single step (APM Vol. 2, 13.1.3.5: DR6.BS). */
	ex->reason = LV_EXIT_DEBUG;
	ex->debug.dr6 = vm->s.dr6;
	ex->debug.dr7 = vm->s.dr7;
	ex->debug.pc = vm->s.cs.base + vm->s.rip;
	vm->s.dr6 &= ~(1ull << 14); /* BS is sticky: clear it for the next step */
	return LV_X86_CALLER;
}

/*
 * A nested page fault: EXITINFO2 is the guest-physical address, EXITINFO1
 * a #PF-style error code (APM 15.25.6). During the guest's own walk (bit
 * 33) both emulators report RW = 1 even for reads: the access type is not
 * taken from RW then.
 */
static int exit_npf(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;
	uint64_t info = s->vmcb->c.exitinfo1;

	s->x.npf_gpa = s->vmcb->c.exitinfo2;
	s->x.npf_walk = (info & SVM_NPF_PAGEWALK) != 0;
	if (s->x.npf_walk)
		s->x.npf_access = LV_ACCESS_READ;
	else if (info & SVM_NPF_ID)
		s->x.npf_access = LV_ACCESS_EXEC;
	else if (info & SVM_NPF_RW)
		s->x.npf_access = LV_ACCESS_WRITE;
	else
		s->x.npf_access = LV_ACCESS_READ;
	s->x.npf_gva_valid = 0;
	return LV_X86_NPF;
}

/* The GPR of ModRM.rm (+ REX.B) @p n: RSP is in the VMCB (Table 2-2 order: RAX, RCX, RDX, RBX, ...). */
static uint64_t gpr(const struct svm_vcpu *s, unsigned n)
{
	const struct lv_regs *r = &s->x.regs;
	const uint64_t v[16] = { r->rax, r->rcx, r->rdx, r->rbx, s->vmcb->s.rsp, r->rbp,
				 r->rsi, r->rdi, r->r8,	 r->r9,	 r->r10,	 r->r11,
				 r->r12, r->r13, r->r14, r->r15 };

	return v[n & 15];
}

/*
 * MOV to CR8, intercepted while the TPR masks a pending vector of the
 * local APIC (lv_svm_tpr_watch()). The write intercept comes before the
 * write (APM Vol. 2, 15.9), so it is done here: V_TPR takes the value,
 * and the next entry's lv_x86_arm_events() takes that over into the APIC
 * and delivers what it unmasked, before the next instruction. CR8 needs
 * REX.R in 64-bit mode (REX 0F 22 /r, ModRM.reg = 0 + REX.R); other modes
 * have only LOCK 0F 22 /0 (AMD's alternative encoding, CPUID
 * Fn8000_0001_ECX[4]); the privilege check was the CPU's (15.7.1:
 * instruction intercepts come after simple exceptions). Set bits 63:4 are
 * #GP(0) (APM Vol. 2, 3.1.5).
 */
static int exit_cr8_write(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;
	uint8_t b[4];
	unsigned rex = 0;
	uint64_t val;

	if (lv_x86_fetch(v, b, sizeof(b)) != LV_OK)
		goto unknown;
	if ((b[0] & 0xf0) == 0x40 && (b[0] & 4)) /* in 32-bit code 4xh is INC/DEC, no CR write */
		rex = b[0];
	else if (b[0] != 0xf0)
		goto unknown;
	if (b[1] != 0x0f || b[2] != 0x22 || (b[3] & 0xf8) != 0xc0)
		goto unknown; /* mod = 3, reg = 0 (+ REX.R: CR8) */
	val = gpr(s, ((rex & 1u) << 3) | (b[3] & 7u));
	if (val >> 4) {
		lv_x86_raise(v, 13, 1, 0);
		return LV_X86_GUEST;
	}
	lv_svm_cr8_put(v, (uint32_t)val);
	svm_skip(&s->x, insn_len(s, sizeof(b)));
	return LV_X86_GUEST;
unknown:
	v->exit.reason = LV_EXIT_UNKNOWN;
	return LV_X86_CALLER;
}

/* Every exit off the hot path: decoded by the core (exit_svm.h), then sorted. */
__attribute__((noinline, cold)) static int exit_decoded(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;
	struct vmcb *vm = s->vmcb;
	struct lv_exit *ex = &v->exit;
	uint32_t code = (uint32_t)vm->c.exitcode;
	struct lv_svm_exit_in in;
	struct lv_exit_info info;
	struct lv_regs r = s->x.regs;

	/* An event whose delivery the exit interrupted is delivered again (APM 15.7.2). */
	if ((vm->c.exitintinfo & VMCB_EVT_VALID) && code != LV_SVM_EXIT_SHUTDOWN)
		vm->c.eventinj = vm->c.exitintinfo;
	switch (code) {
	case LV_SVM_EXIT_INTR:
	case LV_SVM_EXIT_NMI:
		return LV_X86_GUEST; /* the host took it after STGI; the request word is tested next */
	case LV_SVM_EXIT_XSETBV:
		s->x.insn_len = insn_len(s, 3); /* 0F 01 D1 */
		return LV_X86_XSETBV;
	case LV_SVM_EXIT_READ_CR0:
	case LV_SVM_EXIT_WRITE_CR0:
	case LV_SVM_EXIT_READ_CR0 + 4:
	case LV_SVM_EXIT_WRITE_CR0 + 4:
	case LV_SVM_EXIT_EXCP0 + UD_VECTOR:
	case LV_SVM_EXIT_EXCP0 + NM_VECTOR:
		/* The FPU switch's intercepts (lv_svm_fpu_own()): load, run it again. */
		if (!s->x.fpu.loaded)
			return LV_X86_FPU;
		break;
	case LV_SVM_EXIT_IRET:
		return exit_iret(v);
	case LV_SVM_EXIT_WRITE_CR0 + 8:
		return exit_cr8_write(v);
	default:
		/*
		 * MOV DR intercepted (DR0-DR3, DR7 writes; lv_svm_intercepts()):
		 * the guest's own debug registers go in, and the instruction runs
		 * again without the intercept (x86_dbg.c).
		 */
		if (code >= LV_SVM_EXIT_READ_DR0 && code < LV_SVM_EXIT_WRITE_DR0 + 16) {
			lv_x86_dbg_use(v);
			return LV_X86_GUEST;
		}
		break;
	}
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
		return LV_X86_GUEST; /* SMI, INIT: taken by the host after STGI */
	case LV_XACT_INJECT:
		/* SVM instructions: the guest sees no SVM (15.5.1), they are #UD to it. */
		return LV_X86_EXCEPTION;
	case LV_XACT_EMULATE:
		return exit_npf(v);
	default:
		break;
	}
	switch (ex->reason) {
	case LV_EXIT_IRQ_WINDOW:
		return LV_X86_IRQ_WINDOW;
	case LV_EXIT_HYPERCALL:
		s->x.insn_len = 3; /* 0F 01 D9 */
		return LV_X86_HYPERCALL;
	case LV_EXIT_EXCEPTION:
		if (ex->exception.vector == DB_VECTOR && (s->x.singlestep || s->nmi_step))
			return exit_db(v);
		return LV_X86_CALLER;
	default:
		if (code == LV_SVM_EXIT_SWINT)
			return exit_swint(v);
		return LV_X86_CALLER;
	}
}

/*
 * The exit hook: the hot exits are instruction intercepts, which run only
 * after any event delivery has completed, so EXITINTINFO is never valid
 * for them; flags, raw.backend and raw.vectoring are constant on this path.
 */
static inline __attribute__((always_inline)) void hot_raw(struct lv_exit *ex, const struct vmcb *vm)
{
	ex->raw.reason = vm->c.exitcode;
	ex->raw.qual = vm->c.exitinfo1;
	ex->raw.info1 = vm->c.exitinfo2;
	ex->raw.info2 = vm->c.nrip;
	ex->raw.intinfo = 0; /* see above */
}

static inline __attribute__((always_inline)) int svm_exit(struct lv_x86_vcpu *x)
{
	struct svm_vcpu *s = (struct svm_vcpu *)x;
	struct vmcb *vm = s->vmcb;
	struct lv_exit *ex = &x->vcpu->exit;
	uint32_t code = (uint32_t)vm->c.exitcode;
	uint64_t info = vm->c.exitinfo1;

	if (__builtin_expect(code == LV_SVM_EXIT_CPUID, 1)) { /* first: the hottest */
		hot_raw(ex, vm);
		s->x.insn_len = insn_len(s, 2);
		return LV_X86_CPUID;
	}
	if (code == LV_SVM_EXIT_IOIO) {
		/* APM 15.10.2: EXITINFO1 layout, EXITINFO2 = next RIP (with or without NRIPS). */
		unsigned sz = (unsigned)(info >> SVM_IOIO_SZ_SHIFT) & 7;

		hot_raw(ex, vm);
		if (info & SVM_IOIO_STR)
			return LV_X86_EMULATE;
		s->x.io_port = (uint16_t)(info >> SVM_IOIO_PORT_SHIFT);
		s->x.io_size = (uint8_t)(sz == 4 ? 4 : sz == 2 ? 2 : 1);
		s->x.io_in = (info & SVM_IOIO_IN) != 0;
		s->x.insn_len = (uint32_t)(vm->c.exitinfo2 - vm->s.rip);
		return LV_X86_IO;
	}
	if (code == LV_SVM_EXIT_MSR) { /* APM 15.11: EXITINFO1 0 = RDMSR, 1 = WRMSR */
		hot_raw(ex, vm);
		s->x.insn_len = insn_len(s, 2);
		return (info & 1) ? LV_X86_WRMSR : LV_X86_RDMSR;
	}
	if (code == LV_SVM_EXIT_HLT) {
		hot_raw(ex, vm);
		s->x.insn_len = insn_len(s, 1);
		return LV_X86_HLT;
	}
	return exit_decoded(x->vcpu);
}

/* ---- entry ------------------------------------------------------------------ */

/* Rare work before VMRUN, behind two request bits (LV_X86_RQ_WORK, x86_vcpu.h). */
__attribute__((noinline, cold)) static void pre_vmrun_slow(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;

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
	if ((s->x.singlestep || s->nmi_step) && !(s->vmcb->s.rflags & RFLAGS_TF)) {
		s->vmcb->s.rflags |= RFLAGS_TF;
		s->tf_ours = 1;
	}
	if (lv_x86_events_busy(&s->x.events))
		lv_x86_arm_events(v);
	/* The guest's DR0-DR3 (DR6 and DR7 are in the VMCB), x86_dbg.c. */
	if (s->x.dbg.on)
		lv_x86_dbg_load(&s->x.dbg, 0);
	/*
	 * The guest's TSC_AUX in (x86_aux.c); GIF is 0 already. Whether it
	 * differs from this CPU's changes only with a write of it (which sets
	 * LV_X86_RQ_LAYER, lv_x86_own_msr()) or a new CPU (enter_prepare()
	 * sets LV_X86_RQ_VENDOR).
	 */
	if (s->x.tsc_aux != s->fast_c->host_tsc_aux && !s->x.aux_loaded)
		lv_x86_aux_load(&s->x);
	/* VMCB clean bits (svm_priv.h): post_vmrun_slow() sets them after this VMRUN. */
	if (!(s->x.singlestep || s->nmi_step || lv_x86_events_busy(&s->x.events) || s->x.dbg.on ||
	      s->x.aux_loaded || s->vmcb->c.clean != LV_SVM_CLEAN_ALL))
		lv_x86_rq_clear(&s->x, LV_X86_RQ_WORK);
}

/*
 * Rare work right before VMRUN, with GIF = 0: the host's DR7 (@p
 * host_dr7) is not 400H. post_vmrun_slow() puts it back.
 */
__attribute__((noinline, cold)) static void pre_vmrun_host(struct svm_vcpu *s, uint64_t host_dr7)
{
	s->x.dbg.host_dr7 = host_dr7; /* not in the host save area (APM 15.5.1) */
	s->x.dbg.work |= LV_X86_DBG_HOST;
	lv_x86_rq_set(&s->x, LV_X86_RQ_VENDOR);
}

/*
 * Rare work right after #VMEXIT, still with GIF = 0: the host's TSC_AUX
 * back (x86_aux.c); the backend's TF off again; the host's debug
 * registers back (x86_dbg.c).
 */
__attribute__((noinline, cold)) static void post_vmrun_slow(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;

	s->vmcb->c.clean = LV_SVM_CLEAN_ALL; /* this VMRUN loaded every group (svm_priv.h) */
	/* enter_prepare()'s flush (it made this entry slow) was done by this VMRUN. */
	s->vmcb->c.tlb_control = LV_SVM_TLB_NOTHING;
	if (s->x.aux_loaded)
		lv_x86_aux_put(&s->x, s->sb->cpus[s->x.cpu].host_tsc_aux);
	if (s->tf_ours) {
		s->vmcb->s.rflags &= ~RFLAGS_TF;
		s->tf_ours = 0;
	}
	if (s->x.dbg.work && lv_x86_dbg_put(&s->x.dbg, 0, s->vmcb->s.dr7))
		lv_svm_intercepts(v);
	s->x.dbg.work = 0;
}

/*
 * The entry's CPU checks and TLB_CONTROL (APM Vol. 2, 15.16), off the fast
 * path: the CPU must be enabled; the ASID allocator says whether the ASID
 * is fresh or the CPU's generation wrapped; a nested-table change (@p
 * flush: LV_X86_RQ_FLUSH was set) needs this vCPU's ASID flushed
 * (TLB_CONTROL 3 with FlushByAsid, else a fresh ASID, which is never
 * stale). It leaves the fast-path key (fast_cpu, fast_c) describing this
 * CPU, so the next entry here with no request and no new ASID generation
 * skips all of it. @return LV_OK, or LV_ERR_STATE (CPU not enabled).
 */
static int enter_prepare(struct svm_vcpu *s, uint32_t cpu, int flush)
{
	struct svm_backend *sb = s->sb;
	struct svm_cpu *c;
	enum lv_asid_action a;
	uint8_t tlb = LV_SVM_TLB_NOTHING;

	s->fast_cpu = LV_SVM_NO_CPU;
	if (cpu >= sb->ncpus || !sb->cpus[cpu].enabled)
		return LV_ERR_STATE;
	c = &sb->cpus[cpu];
	if (flush && !(sb->features & CPUID_SVM_FLUSHBYASID))
		lv_asid_vcpu_invalidate(&s->asid);
	a = lv_asid_prepare(&c->asid, &s->asid);
	if (a == LV_ASID_FLUSH_ALL)
		tlb = LV_SVM_TLB_FLUSH_ALL;
	else if (flush && a == LV_ASID_KEEP)
		tlb = LV_SVM_TLB_FLUSH_ASID;
	s->vmcb->c.asid = s->asid.asid;
	s->vmcb->c.tlb_control = tlb;
	s->x.host_save_pa = c->host_save_pa;
	s->fast_c = c;
	svm_dirty(s); /* ASID; and a CPU's cached VMCB state is its own (APM 15.15.3) */
	if (s->x.tsc_aux != c->host_tsc_aux)
		lv_x86_rq_set(&s->x, LV_X86_RQ_VENDOR); /* pre_vmrun_slow(): TSC_AUX */
	s->fast_cpu = cpu;
	return LV_OK;
}

/*
 * The enter hook's cold path, still with GIF = 0 and guest_seq odd: a
 * request is set (x86_vcpu.h), or the entry is not on the CPU and ASID
 * generation of the last one. A kick ends the entry; LV_X86_RQ_FLUSH goes
 * into TLB_CONTROL through enter_prepare() and is cleared (the flush
 * happens at VMRUN, after the clear: a shootdown whose bit the clear took
 * is covered by it, and one after the clear sets the bit again and,
 * ordered after this entry's begin, kicks and waits for it); then the
 * slow work. @return LV_X86_ENTERED (go on to VMRUN), LV_X86_KICKED or
 * LV_ERR_STATE, both with guest_seq even and GIF = 1 again.
 */
__attribute__((noinline, cold)) static int enter_requests(struct svm_vcpu *s, uint32_t cpu)
{
	uint32_t rq = __atomic_load_n(&s->x.requests, __ATOMIC_RELAXED);
	int r = LV_X86_KICKED, flush = (rq & LV_X86_RQ_FLUSH) != 0;

	if (rq & LV_X86_RQ_KICK) {
		lv_x86_rq_clear(&s->x, LV_X86_RQ_KICK);
		goto out;
	}
	/* TLB_CONTROL is LV_SVM_TLB_NOTHING unless enter_prepare() sets it for this VMRUN. */
	if (flush || cpu != s->fast_cpu || s->fast_c->asid.generation != s->asid.generation) {
		r = enter_prepare(s, cpu, flush);
		if (r != LV_OK)
			goto out;
	}
	if (flush)
		lv_x86_rq_clear(&s->x, LV_X86_RQ_FLUSH);
	if (lv_x86_rq_test(&s->x, LV_X86_RQ_WORK))
		pre_vmrun_slow(s->x.vcpu);
	return LV_X86_ENTERED;
out:
	lv_x86_guest_end(&s->x);
	svm_stgi();
	return r;
}

/*
 * What VMRUN and #VMEXIT do to the host (APM Vol. 2, 15.5.1, 15.6), item
 * by item: CR0, CR3, CR4, EFER, RFLAGS, RIP, RSP, RAX, GDTR, IDTR and the
 * ES/CS/SS/DS segments are saved to the host save area and reloaded; FS,
 * GS, TR and LDTR (hidden parts too), KERNEL_GS_BASE, STAR/LSTAR/CSTAR/
 * SFMASK and SYSENTER_* are the host's again by VMLOAD after the exit
 * (svm_entry.S); CR8/TPR never is the guest's (V_INTR_MASKING: its MOV CR8
 * writes V_TPR, 15.21.1; conformance tpr_isolation); DR6 and DR7 come from
 * the VMCB, so the host's DR7 is put back here when it was not 400H and
 * DR0-DR3 are switched by hand (x86_dbg.c); DEBUGCTL is the host's all
 * along (no LBR virtualization, and the guest's RDMSR/WRMSR of it exit);
 * TSC_AUX is switched by hand (x86_aux.c); PAT is the guest's only as
 * G_PAT in nested paging. CR2 keeps the guest's value, which a host only
 * reads in its #PF handler.
 *
 * The enter hook. GIF = 0 first: from there to VMRUN no interrupt, NMI or
 * preemption can move this thread to another CPU, and a kick's IPI stays
 * pending until VMRUN, which then exits at once (INTR intercept, 15.17).
 * guest_seq is odd from before the request word is read to after VMRUN,
 * so a kick or a remote shootdown either sees this entry in guest mode
 * (its IPI makes it exit; the shootdown waits for the exit) or its bit is
 * seen here (x86_vcpu.h). The fast path is an entry on the CPU of the
 * last one, with the same ASID generation and no request: nothing to
 * flush, no slow work. Everything else is enter_requests().
 */
static inline __attribute__((always_inline)) int svm_enter(struct lv_x86_vcpu *x)
{
	struct svm_vcpu *s = (struct svm_vcpu *)x;
	struct vmcb *vm = s->vmcb;
	uint64_t host_dr7;
	uint32_t cpu;

	svm_clgi();
	cpu = lv_plat_cpu_id();
	lv_x86_set_cpu(&s->x, cpu);
	lv_x86_guest_begin(&s->x);
	host_dr7 = lv_read_dr7(); /* before pre_vmrun_slow() may change it */
	if (__builtin_expect(lv_x86_rq_pending(&s->x) || cpu != s->fast_cpu ||
				     s->fast_c->asid.generation != s->asid.generation,
			     0)) {
		int r = enter_requests(s, cpu);

		if (r != LV_X86_ENTERED)
			return r;
	}
	if (__builtin_expect(host_dr7 != DR7_RESET, 0))
		pre_vmrun_host(s, host_dr7);
	vm->s.rax = s->x.regs.rax;
	svm_vmrun(&s->x);
	lv_x86_guest_end(&s->x);
	/* tf_ours, aux_loaded and dbg.work imply LV_X86_RQ_WORK: one test */
	if (lv_x86_rq_test(&s->x, LV_X86_RQ_WORK))
		post_vmrun_slow(x->vcpu);
	svm_stgi();
	s->x.regs.rax = s->vmcb->s.rax;
	return LV_X86_ENTERED;
}

/* The done hook: the host gets its FPU registers and XCR0 back (x86_fpu.h). */
static inline __attribute__((always_inline)) void svm_done(struct lv_x86_vcpu *x)
{
	if (x->fpu.loaded)
		lv_x86_fpu_put(x->vcpu);
}

const struct lv_x86_vendor lv_svm_vendor = {
	.open = lv_svm_open,
	.close = lv_svm_close,
	.cpu_enable = lv_svm_cpu_enable,
	.cpu_disable = lv_svm_cpu_disable,
	.vm_create = lv_svm_vm_create,
	.vm_destroy = lv_svm_vm_destroy,
	.vcpu_create = lv_svm_vcpu_create,
	.vcpu_destroy = lv_svm_vcpu_destroy,
	.enter = svm_enter,
	.exit = svm_exit,
	.done = svm_done,
	.get_state = lv_svm_get_state,
	.set_state = lv_svm_set_state,
	.get_msr = lv_svm_get_msr,
	.set_msr = lv_svm_set_msr,
	.skip = svm_skip,
	.event_slot = lv_svm_event_slot,
	.event_put = lv_svm_event_put,
	.intercepts = lv_svm_intercepts,
	.fpu_own = lv_svm_fpu_own,
	.cr8_get = lv_svm_cr8_get,
	.cr8_put = lv_svm_cr8_put,
	.tpr_watch = lv_svm_tpr_watch,
	.vm_size = sizeof(struct svm_vm),
	.vcpu_size = sizeof(struct svm_vcpu),
	.msr_map_bytes = SVM_MSRPM_PAGES * LV_PAGE_SIZE,
	.msr_bit = lv_svm_msrpm_bit,
	.msr_pass = lv_svm_passthrough_msrs,
};

/* The shared run loop with the SVM hooks (x86_run.h). */
static int lv_svm_run(struct lv_vcpu *v, struct lv_exit **exit)
{
	return lv_x86_run_with(v, exit, &lv_svm_vendor);
}

const struct lv_backend_ops lv_svm_ops = LV_X86_BACKEND_OPS("svm", LV_BACKEND_SVM, &lv_svm_vendor,
							    lv_svm_run);
