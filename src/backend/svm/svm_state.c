/* SPDX-License-Identifier: MIT */
/*
 * SVM backend: the neutral vCPU state <-> VMCB (APM Vol. 2, Appendix B).
 * GPRs other than RSP live in the shared x.regs (the entry stub loads and
 * stores them, RAX is copied around VMRUN); everything else is read from / written to the
 * VMCB directly, so there is nothing to sync lazily beyond that.
 */
#include "../../core/lvlib.h"
#include "../../core/seg_attr.h"
#include "svm_hw.h"
#include "svm_priv.h"
#include "../../core/x86_arch.h"

/* VMCB segment attributes: descriptor bits 40-47 -> 0-7, 52-55 -> 8-11 (Table B-2). */
static void seg_to_vmcb(struct vmcb_seg *d, const struct lv_segment *s)
{
	uint32_t a = lv_seg_attr(s);

	if (s->unusable)
		a &= ~(1u << 7);
	d->selector = s->selector;
	d->attrib = lv_seg_attr_to_vmcb(a);
	d->limit = s->limit;
	d->base = s->base;
}

static void seg_from_vmcb(struct lv_segment *s, const struct vmcb_seg *d)
{
	memset(s, 0, sizeof(*s));
	s->selector = d->selector;
	s->base = d->base;
	s->limit = d->limit;
	lv_seg_set_attr(s, lv_seg_attr_from_vmcb(d->attrib));
	s->unusable = !s->present;
}

/* Neutral state field <-> VMCB save-area field, one list for get and set. */
#define SVM_SEGS(X)                                                                                \
	X(cs, cs) X(ds, ds) X(es, es) X(fs, fs) X(gs, gs) X(ss, ss) X(tr, tr) X(ldt, ldtr)
#define SVM_MSRS(X)                                                                                \
	X(star, star)                                                                              \
	X(lstar, lstar)                                                                            \
	X(cstar, cstar)                                                                            \
	X(sfmask, sfmask)                                                                          \
	X(kernel_gs_base, kernel_gs_base)                                                          \
	X(sysenter_cs, sysenter_cs)                                                                \
	X(sysenter_esp, sysenter_esp)                                                              \
	X(sysenter_eip, sysenter_eip)                                                              \
	X(pat, g_pat)

static void dt_to_vmcb(struct vmcb_seg *d, const struct lv_dtable *t)
{
	d->selector = 0;
	d->attrib = 0;
	d->limit = t->limit;
	d->base = t->base;
}

static void dt_from_vmcb(struct lv_dtable *t, const struct vmcb_seg *d)
{
	memset(t, 0, sizeof(*t));
	t->base = d->base;
	t->limit = (uint16_t)d->limit;
}

int lv_svm_get_state(struct lv_vcpu *v, uint32_t mask, struct lv_state *st)
{
	struct svm_vcpu *s = v->priv;
	const struct vmcb *vm = s->vmcb;

	if (mask & LV_STATE_GPRS) {
		st->regs = s->x.regs;
		st->regs.rsp = vm->s.rsp;
		st->regs.rip = vm->s.rip;
		st->regs.rflags = vm->s.rflags;
	}
	if (mask & LV_STATE_SEGMENTS) {
#define X(l, v) seg_from_vmcb(&st->segs.l, &vm->s.v);
		SVM_SEGS(X)
#undef X
		/*
		 * Real mode: CS is code whatever the VMCB says (Bochs saves the
		 * real-mode CS as a data segment, type 3, on #VMEXIT).
		 */
		if (!(vm->s.cr0 & 1) && st->segs.cs.s && !(st->segs.cs.type & 8))
			st->segs.cs.type |= 8;
		dt_from_vmcb(&st->segs.gdt, &vm->s.gdtr);
		dt_from_vmcb(&st->segs.idt, &vm->s.idtr);
	}
	if (mask & LV_STATE_CONTROL) {
		st->ctrl.cr0 = vm->s.cr0;
		st->ctrl.cr2 = vm->s.cr2;
		st->ctrl.cr3 = vm->s.cr3;
		st->ctrl.cr4 = vm->s.cr4;
		if (!s->x.fpu.loaded) { /* the guest's own bits, not the forced ones */
			st->ctrl.cr0 = (st->ctrl.cr0 & ~CR0_TS) | s->own_ts;
			st->ctrl.cr4 = (st->ctrl.cr4 & ~CR4_OSXSAVE) | s->own_osxsave;
		}
		st->ctrl.cr8 = vm->c.vintr & VMCB_VINTR_TPR_MASK;
		st->ctrl.efer = vm->s.efer & ~EFER_SVME; /* the guest sees no SVM */
		st->ctrl.xcr0 = 1;			 /* the shared layer's (x86_fpu.c) */
		st->ctrl.apic_base = s->apic_base;
	}
	if (mask & LV_STATE_DEBUG) {
		lv_x86_dbg_get(&s->x.dbg, &st->debug, 0);
		st->debug.dr6 = vm->s.dr6;
		st->debug.dr7 = vm->s.dr7;
	}
	if (mask & LV_STATE_MSRS) {
#define X(l, v) st->msrs.l = vm->s.v;
		SVM_MSRS(X)
#undef X
		st->msrs.tsc = lv_rdtsc() + vm->c.tsc_offset;
	}
	if (mask & LV_STATE_EVENTS) {
		uint64_t e = vm->c.eventinj;

		memset(&st->events, 0, sizeof(st->events));
		st->events.interrupt_shadow = (vm->c.int_state & VMCB_INT_SHADOW) != 0;
		st->events.nmi_masked = s->nmi_masked;
		lv_x86_events_to_state(&s->x.events, e, (uint32_t)(e >> VMCB_EVT_ERR_SHIFT),
				       &st->events);
	}
	return LV_OK;
}

/*
 * CR0/CR4/EFER combinations no CPU can hold are refused when set, as KVM
 * refuses them (SDM Vol. 3, 2.5 / APM Vol. 2, 3.1.1 and the VMRUN checks
 * of 15.5.1); other invalid guest state reaches VMRUN and comes back as
 * an entry failure.
 */
static int check_control(const struct lv_ctrl *c)
{
	const uint64_t pe = 1, nw = 1ull << 29, cd = 1ull << 30, pg = 1ull << 31;
	const uint64_t pae = 1ull << 5, lme = 1ull << 8;

	if (c->cr0 >> 32 || ((c->cr0 & pg) && !(c->cr0 & pe)) || ((c->cr0 & nw) && !(c->cr0 & cd)))
		return LV_ERR_INVAL;
	if ((c->efer & lme) && (c->cr0 & pg) && !(c->cr4 & pae))
		return LV_ERR_INVAL;
	return LV_OK;
}

int lv_svm_set_state(struct lv_vcpu *v, uint32_t mask, const struct lv_state *st)
{
	struct svm_vcpu *s = v->priv;
	struct vmcb *vm = s->vmcb;

	if ((mask & LV_STATE_CONTROL) && check_control(&st->ctrl))
		return LV_ERR_INVAL;
	svm_dirty(s);

	if (mask & LV_STATE_GPRS) {
		s->x.regs = st->regs;
		vm->s.rsp = st->regs.rsp;
		vm->s.rip = st->regs.rip;
		vm->s.rflags = st->regs.rflags;
	}
	if (mask & LV_STATE_SEGMENTS) {
#define X(l, v) seg_to_vmcb(&vm->s.v, &st->segs.l);
		SVM_SEGS(X)
#undef X
		dt_to_vmcb(&vm->s.gdtr, &st->segs.gdt);
		dt_to_vmcb(&vm->s.idtr, &st->segs.idt);
		vm->s.cpl = st->segs.ss.dpl; /* APM 15.5.1: CPL is SS.DPL */
	}
	if (mask & LV_STATE_CONTROL) {
		vm->s.cr0 = st->ctrl.cr0;
		vm->s.cr4 = st->ctrl.cr4;
		if (!s->x.fpu.loaded)
			lv_svm_fpu_own(v, 0); /* keeps the guest's own bits, forces TS / OSXSAVE */
		vm->s.cr2 = st->ctrl.cr2;
		s->load_cr2 = 1;
		lv_x86_rq_set(&s->x, LV_X86_RQ_VENDOR);
		vm->s.cr3 = st->ctrl.cr3;
		vm->c.vintr = (vm->c.vintr & ~VMCB_VINTR_TPR_MASK) | (st->ctrl.cr8 & 0xf);
		/* VMRUN requires the guest's EFER.SVME (APM 15.5.1 consistency checks). */
		vm->s.efer = st->ctrl.efer | EFER_SVME;
		s->apic_base = st->ctrl.apic_base;
	}
	if (mask & LV_STATE_DEBUG) {
		vm->s.dr6 = st->debug.dr6;
		vm->s.dr7 = st->debug.dr7;
		lv_x86_dbg_set(v, &st->debug, 0);
	}
	if (mask & LV_STATE_MSRS) {
#define X(l, v) vm->s.v = st->msrs.l;
		SVM_MSRS(X)
#undef X
		vm->c.tsc_offset = st->msrs.tsc - lv_rdtsc();
	}
	if (mask & LV_STATE_EVENTS) {
		if (st->events.interrupt_shadow)
			vm->c.int_state |= VMCB_INT_SHADOW;
		else
			vm->c.int_state &= ~VMCB_INT_SHADOW;
		s->nmi_masked = st->events.nmi_masked;
		/* The state the caller set replaces everything queued or in flight. */
		vm->c.eventinj = 0;
		s->nmi_step = 0;
		lv_x86_events_from_state(&s->x.events, &st->events);
		lv_x86_rq_set(&s->x, LV_X86_RQ_VENDOR);
		lv_svm_intercepts(v);
	}
	return LV_OK;
}

/* ---- single MSRs (lv_vcpu_get_msr / lv_vcpu_set_msr) -------------------- */

static uint64_t *msr_slot(struct svm_vcpu *s, uint32_t index)
{
	struct vmcb *vm = s->vmcb;

	switch (index) {
	case MSR_SYSENTER_CS:
		return &vm->s.sysenter_cs;
	case MSR_SYSENTER_ESP:
		return &vm->s.sysenter_esp;
	case MSR_SYSENTER_EIP:
		return &vm->s.sysenter_eip;
	case MSR_PAT:
		return &vm->s.g_pat;
	case MSR_STAR:
		return &vm->s.star;
	case MSR_LSTAR:
		return &vm->s.lstar;
	case MSR_CSTAR:
		return &vm->s.cstar;
	case MSR_SFMASK:
		return &vm->s.sfmask;
	case MSR_FS_BASE:
		return &vm->s.fs.base;
	case MSR_GS_BASE:
		return &vm->s.gs.base;
	case MSR_KERNEL_GS_BASE:
		return &vm->s.kernel_gs_base;
	case MSR_APIC_BASE:
		return &s->apic_base;
	default:
		return NULL;
	}
}

int lv_svm_get_msr(struct lv_vcpu *v, uint32_t index, uint64_t *value)
{
	struct svm_vcpu *s = v->priv;
	uint64_t *p;

	if (index == MSR_EFER) {
		*value = s->vmcb->s.efer & ~EFER_SVME;
		return LV_OK;
	}
	if (index == MSR_TSC) {
		*value = lv_rdtsc() + s->vmcb->c.tsc_offset;
		return LV_OK;
	}
	p = msr_slot(s, index);
	if (!p)
		return LV_ERR_NOENT;
	*value = *p;
	return LV_OK;
}

int lv_svm_set_msr(struct lv_vcpu *v, uint32_t index, uint64_t value)
{
	struct svm_vcpu *s = v->priv;
	uint64_t *p;

	svm_dirty(s);
	if (index == MSR_EFER) {
		s->vmcb->s.efer = value | EFER_SVME;
		return LV_OK;
	}
	if (index == MSR_TSC) {
		s->vmcb->c.tsc_offset = value - lv_rdtsc();
		return LV_OK;
	}
	p = msr_slot(s, index);
	if (!p)
		return LV_ERR_NOENT;
	*p = value;
	return LV_OK;
}
