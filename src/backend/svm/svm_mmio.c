/* SPDX-License-Identifier: MIT */
/*
 * SVM backend: nested page faults (APM Vol. 2, 15.25.6) and the emulation
 * of MMIO and string port IO through the core emulator (x86_emul.h),
 * presenting the same MMIO / IO exits as the KVM backend.
 */
#include "../../core/exit_common.h"
#include "../../core/guest_walk.h"
#include "../../core/lvlib.h"
#include "../../core/x86_emul.h"
#include "svm_mmio.h"
#include "svm_priv.h"

#define RET_GUEST  0
#define RET_CALLER 1

static void *emu_ram(void *ctx, uint64_t gpa, uint32_t len, uint32_t access)
{
	struct lv_vcpu *v = ctx;
	uint32_t need = LV_PROT_READ;

	if (access & LV_ACCESS_WRITE)
		need |= LV_PROT_WRITE;
	return lv_memmap_hva(&v->vm->mem, gpa, len, need);
}

static int emu_get_regs(void *ctx, struct lv_regs *regs)
{
	struct lv_vcpu *v = ctx;
	struct svm_vcpu *s = v->priv;

	*regs = s->regs;
	regs->rax = s->vmcb->s.rax;
	regs->rsp = s->vmcb->s.rsp;
	regs->rip = s->vmcb->s.rip;
	regs->rflags = s->vmcb->s.rflags;
	return 0;
}

static int emu_set_regs(void *ctx, const struct lv_regs *regs)
{
	struct lv_vcpu *v = ctx;
	struct svm_vcpu *s = v->priv;

	if (regs->rip != s->vmcb->s.rip)
		s->vmcb->c.int_state &= ~VMCB_INT_SHADOW;
	s->regs = *regs;
	s->vmcb->s.rax = regs->rax;
	s->vmcb->s.rsp = regs->rsp;
	s->vmcb->s.rip = regs->rip;
	s->vmcb->s.rflags = regs->rflags;
	return 0;
}

static void paging_from_vmcb(struct lv_guest_paging *pg, const struct vmcb *vm)
{
	memset(pg, 0, sizeof(*pg));
	pg->cr0 = vm->s.cr0;
	pg->cr3 = vm->s.cr3;
	pg->cr4 = vm->s.cr4;
	pg->efer = vm->s.efer & ~EFER_SVME;
	pg->cpl = vm->s.cpl;
	pg->ac = (vm->s.rflags >> 18) & 1;
}

/* Guest linear -> physical through the core's walker, controls read from the VMCB. */
static int emu_translate(void *ctx, uint64_t gla, uint32_t access, uint64_t *gpa,
			 struct lv_x86_fault *fault)
{
	struct lv_vcpu *v = ctx;
	struct svm_vcpu *s = v->priv;
	struct lv_guest_paging pg;

	paging_from_vmcb(&pg, s->vmcb);
	return lv_guest_walk_x86(&v->vm->mem, &pg, gla, access, gpa, fault);
}

int lv_svm_fetch(struct lv_vcpu *v, uint8_t *buf, unsigned n)
{
	struct svm_vcpu *s = v->priv;
	const struct vmcb *vm = s->vmcb;
	struct lv_guest_paging pg;
	struct lv_walk_result res;
	uint64_t la = vm->s.cs.base + vm->s.rip;
	unsigned i;

	if (!(vm->s.efer & (1ull << 10))) /* outside long mode addresses wrap at 4 GiB */
		la = (uint32_t)la;
	paging_from_vmcb(&pg, vm);
	for (i = 0; i < n; i++) {
		const uint8_t *p;

		if (lv_guest_walk(&v->vm->mem, &pg, la + i, LV_ACCESS_EXEC, &res) != LV_WALK_OK)
			return LV_ERR_NOENT;
		p = lv_memmap_hva(&v->vm->mem, res.gpa, 1, LV_PROT_READ);
		if (!p)
			return LV_ERR_NOENT;
		buf[i] = *p;
	}
	return LV_OK;
}

static const struct lv_x86_emul_ops emu_ops = {
	.translate = emu_translate,
	.ram = emu_ram,
	.get_regs = emu_get_regs,
	.set_regs = emu_set_regs,
};

/* Turn an emulator status into "enter the guest" or an exit for the caller. */
static int dispatch(struct lv_vcpu *v, int st)
{
	struct svm_vcpu *s = v->priv;
	struct lv_exit *ex = &v->exit;
	struct lv_x86_emul *em = &s->em;

	switch (st) {
	case LV_X86_EMUL_DONE:
		return RET_GUEST;
	case LV_X86_EMUL_FAULT:
		if (em->fault.vector == 14)
			s->vmcb->s.cr2 = em->fault.cr2;
		lv_x86_events_exception(&s->events, em->fault.vector, em->fault.has_error_code,
					em->fault.error_code);
		s->slow = 1;
		return RET_GUEST;
	case LV_X86_EMUL_ACCESS:
		s->pending = SVM_PEND_MMIO;
		lv_exit_set_emul_access(ex, em, s->io_buf);
		return RET_CALLER;
	default:
		lv_exit_set_emul_failure(ex, s->emul_gpa, s->vmcb->s.rip);
		return RET_CALLER;
	}
}

int lv_svm_mmio_start(struct lv_vcpu *v, int is_io)
{
	struct svm_vcpu *s = v->priv;
	int rc;

	/* For an error record: NPF gives the GPA in EXITINFO2; string IO has none. */
	s->emul_gpa = is_io ? 0 : s->vmcb->c.exitinfo2;
	rc = lv_svm_get_state(v, LV_STATE_SEGMENTS | LV_STATE_CONTROL, &s->scratch);
	if (rc)
		return dispatch(v, LV_X86_EMUL_UNHANDLEABLE);
	lv_x86_env_from_state(&s->env, &s->scratch);
	s->env.segs = &s->scratch.segs;
	lv_x86_emul_init(&s->em, &emu_ops, v, &s->env);
	return dispatch(v, lv_x86_emul_start(&s->em, NULL, 0));
}

int lv_svm_mmio_resume(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;
	struct lv_exit *ex = &v->exit;

	if (!s->em.access.is_write) {
		if (s->em.access.is_io)
			memcpy(s->em.access.data, ex->io.data, s->em.access.size);
		else
			memcpy(s->em.access.data, ex->mmio.data, s->em.access.size);
	}
	return dispatch(v, lv_x86_emul_resume(&s->em));
}

/*
 * A nested page fault: EXITINFO2 is the guest-physical address, EXITINFO1
 * a #PF-style error code (APM 15.25.6), classified by the shared rule
 * (lv_x86_npf_action()). During the guest's own walk (bit 33) both
 * emulators report RW = 1 even for reads: the access type is not taken
 * from RW then.
 */
int lv_svm_npf(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;
	struct lv_exit *ex = &v->exit;
	uint64_t info = s->vmcb->c.exitinfo1, gpa = s->vmcb->c.exitinfo2;
	uint32_t access;

	if (info & SVM_NPF_PAGEWALK)
		access = LV_ACCESS_READ;
	else if (info & SVM_NPF_ID)
		access = LV_ACCESS_EXEC;
	else if (info & SVM_NPF_RW)
		access = LV_ACCESS_WRITE;
	else
		access = LV_ACCESS_READ;

	switch (lv_x86_npf_action(v->vm, gpa, access, (info & SVM_NPF_PAGEWALK) != 0)) {
	case LV_X86_NPF_RETRY:
		s->npt_gen--; /* this vCPU flushes its ASID at the next VMRUN */
		return RET_GUEST;
	case LV_X86_NPF_MMIO:
		return lv_svm_mmio_start(v, 0);
	default:
		break;
	}

	ex->reason = LV_EXIT_NPF;
	ex->npf.gpa = gpa;
	ex->npf.gva = 0;
	ex->npf.gva_valid = 0;
	ex->npf.access = access;
	return RET_CALLER;
}
