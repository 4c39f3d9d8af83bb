/* SPDX-License-Identifier: MIT */
/*
 * VMX guest state: the neutral lv_state written into the VMCS (cache ->
 * VMCS before entry) and read back lazily, group by group, after an exit
 * (Intel SDM Vol. 3, chapters 25-27). The VMCS lifetime is in vmx_vcpu.c.
 */
#include "../../core/lvlib.h"
#include "../../core/seg_attr.h"
#include "vmcs.h"
#include "vmx_insn.h"
#include "vmx_priv.h"
#include "../../core/x86_arch.h"

/* ---- segments ---------------------------------------------------------- */

struct seg_fields {
	uint16_t sel, limit, ar, base;
};

/* VMCS fields of ES, CS, SS, DS, FS, GS, LDTR, TR (in that order). */
static const struct seg_fields seg_vmcs[8] = {
	{ VMCS_GUEST_ES_SEL, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_AR, VMCS_GUEST_ES_BASE },
	{ VMCS_GUEST_CS_SEL, VMCS_GUEST_CS_LIMIT, VMCS_GUEST_CS_AR, VMCS_GUEST_CS_BASE },
	{ VMCS_GUEST_SS_SEL, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_AR, VMCS_GUEST_SS_BASE },
	{ VMCS_GUEST_DS_SEL, VMCS_GUEST_DS_LIMIT, VMCS_GUEST_DS_AR, VMCS_GUEST_DS_BASE },
	{ VMCS_GUEST_FS_SEL, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_FS_AR, VMCS_GUEST_FS_BASE },
	{ VMCS_GUEST_GS_SEL, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_GS_AR, VMCS_GUEST_GS_BASE },
	{ VMCS_GUEST_LDTR_SEL, VMCS_GUEST_LDTR_LIMIT, VMCS_GUEST_LDTR_AR, VMCS_GUEST_LDTR_BASE },
	{ VMCS_GUEST_TR_SEL, VMCS_GUEST_TR_LIMIT, VMCS_GUEST_TR_AR, VMCS_GUEST_TR_BASE },
};

static struct lv_segment *seg_of(struct lv_segs *s, unsigned i)
{
	struct lv_segment *order[8] = { &s->es, &s->cs, &s->ss,	 &s->ds,
					&s->fs, &s->gs, &s->ldt, &s->tr };

	return order[i];
}

/*
 * Access-rights format (SDM Vol. 3, 25.4.1): type 3:0, S 4, DPL 6:5, P 7,
 * AVL 12, L 13, D/B 14, G 15, unusable 16. A usable code/data segment
 * gets its accessed bit set, as loading it on the CPU would (entry
 * requires it, 27.3.1.2).
 */
static uint32_t seg_ar(const struct lv_segment *s)
{
	uint32_t ar;

	if (s->unusable)
		return SEG_AR_UNUSABLE;
	ar = lv_seg_attr(s);
	if (s->s)
		ar |= 1; /* accessed */
	return ar;
}

static void seg_from_ar(struct lv_segment *s, uint32_t ar)
{
	lv_seg_set_attr(s, ar);
	s->unusable = (ar >> 16) & 1;
}

/* ---- guest state: cache -> VMCS --------------------------------------------- */

/* PAE paging without IA-32e mode: the PDPTEs come from the VMCS (26.3.2.4). */
int lv_vmx_load_pdptes(struct vmx_vcpu *xc, uint64_t cr3)
{
	struct lv_vcpu *v = xc->x.vcpu;
	const uint64_t *pdpt;
	unsigned i;

	lv_mem_read_begin(v); /* vm->mem against a concurrent change (internal.h) */
	pdpt = lv_memmap_hva(&v->vm->mem, cr3 & 0xffffffe0u, 32, 0);
	for (i = 0; pdpt && i < 4; i++)
		vmwrite(VMCS_GUEST_PDPTE0 + 2 * i, pdpt[i]);
	lv_mem_read_end(v);
	return pdpt ? LV_OK : LV_ERR_INVAL;
}

static void sync_control(struct vmx_backend *vb, struct vmx_vcpu *xc)
{
	const struct lv_ctrl *c = &xc->cache.ctrl;

	vmwrite(VMCS_GUEST_CR0, lv_vmx_guest_cr0(vb, xc, c->cr0));
	vmwrite(VMCS_CR0_SHADOW, c->cr0);
	vmwrite(VMCS_GUEST_CR4, lv_vmx_guest_cr4(vb, xc, c->cr4));
	vmwrite(VMCS_CR4_SHADOW, c->cr4);
	vmwrite(VMCS_GUEST_CR3, c->cr3);
	vmwrite(VMCS_GUEST_EFER, c->efer);
	xc->x.cr2 = c->cr2;
	xc->apic_base = c->apic_base;
	/* The IA-32e mode guest entry control mirrors EFER.LMA (26.2.4). */
	if (c->efer & EFER_LMA)
		xc->entry |= ENTRY_IA32E_GUEST;
	else
		xc->entry &= ~ENTRY_IA32E_GUEST;
	vmwrite(VMCS_ENTRY_CTLS, xc->entry);
	if ((c->cr0 & CR0_PG) && (c->cr4 & CR4_PAE) && !(c->efer & EFER_LMA))
		lv_vmx_load_pdptes(xc, c->cr3);
}

static void sync_segments(struct vmx_vcpu *xc)
{
	struct lv_segs *s = &xc->cache.segs;
	unsigned i;

	for (i = 0; i < 8; i++) {
		const struct lv_segment *sg = seg_of(s, i);

		vmwrite(seg_vmcs[i].sel, sg->selector);
		vmwrite(seg_vmcs[i].base, sg->base);
		vmwrite(seg_vmcs[i].limit, sg->limit);
		vmwrite(seg_vmcs[i].ar, seg_ar(sg));
	}
	xc->cs_ar_set = seg_ar(&s->cs);
	xc->cs_sel_set = s->cs.selector;
	vmwrite(VMCS_GUEST_GDTR_BASE, s->gdt.base);
	vmwrite(VMCS_GUEST_GDTR_LIMIT, s->gdt.limit);
	vmwrite(VMCS_GUEST_IDTR_BASE, s->idt.base);
	vmwrite(VMCS_GUEST_IDTR_LIMIT, s->idt.limit);
}

static void sync_events(struct vmx_vcpu *xc)
{
	const struct lv_events *e = &xc->cache.events;
	uint32_t intr = 0;

	if (e->interrupt_shadow)
		intr |= INTERRUPTIBILITY_STI;
	if (e->nmi_masked)
		intr |= INTERRUPTIBILITY_NMI;
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY, intr);
}

int lv_vmx_sync_to_vmcs(struct vmx_vcpu *xc)
{
	struct vmx_backend *vb = xc->x.vcpu->vm->backend->priv;
	uint32_t d = xc->dirty;

	if (d & LV_STATE_GPRS) {
		vmwrite(VMCS_GUEST_RSP, xc->cache.regs.rsp);
		vmwrite(VMCS_GUEST_RIP, xc->cache.regs.rip);
		vmwrite(VMCS_GUEST_RFLAGS, xc->cache.regs.rflags);
	}
	if (d & LV_STATE_SEGMENTS)
		sync_segments(xc);
	if (d & LV_STATE_CONTROL)
		sync_control(vb, xc);
	if (d & LV_STATE_DEBUG)
		vmwrite(VMCS_GUEST_DR7, xc->cache.debug.dr7);
	if (d & LV_STATE_MSRS) {
		const struct lv_msrs *m = &xc->cache.msrs;

		vmwrite(VMCS_GUEST_SYSENTER_CS, m->sysenter_cs);
		vmwrite(VMCS_GUEST_SYSENTER_ESP, m->sysenter_esp);
		vmwrite(VMCS_GUEST_SYSENTER_EIP, m->sysenter_eip);
		vmwrite(VMCS_GUEST_PAT, m->pat);
		GMSR(xc, AMSR_STAR) = m->star;
		GMSR(xc, AMSR_LSTAR) = m->lstar;
		GMSR(xc, AMSR_CSTAR) = m->cstar;
		GMSR(xc, AMSR_SFMASK) = m->sfmask;
		GMSR(xc, AMSR_KERNEL_GS_BASE) = m->kernel_gs_base;
		xc->tsc_offset = m->tsc - lv_rdtsc();
		vmwrite(VMCS_TSC_OFFSET, xc->tsc_offset);
	}
	if (d & LV_STATE_EVENTS)
		sync_events(xc);
	xc->dirty = 0;
	return LV_OK;
}

/* ---- guest state: VMCS -> cache (lazily, per group) ------------------------ */

static void read_gprs(struct vmx_vcpu *xc)
{
	struct lv_regs *r = &xc->cache.regs;
	uint64_t rsp = r->rsp, rip = r->rip, rflags = r->rflags;

	*r = xc->x.regs; /* RSP, RIP and RFLAGS there are not kept on VMX */
	if (xc->valid & LV_STATE_GPRS) {
		r->rsp = rsp;
		r->rip = rip;
		r->rflags = rflags;
	} else {
		r->rsp = vmread(VMCS_GUEST_RSP);
		r->rip = vmread(VMCS_GUEST_RIP);
		r->rflags = vmread(VMCS_GUEST_RFLAGS);
	}
}

static void read_group(struct vmx_backend *vb, struct vmx_vcpu *xc, uint32_t g)
{
	struct lv_state *c = &xc->cache;
	unsigned i;

	switch (g) {
	case LV_STATE_SEGMENTS:
		for (i = 0; i < 8; i++) {
			struct lv_segment *sg = seg_of(&c->segs, i);

			sg->selector = (uint16_t)vmread(seg_vmcs[i].sel);
			sg->base = vmread(seg_vmcs[i].base);
			sg->limit = (uint32_t)vmread(seg_vmcs[i].limit);
			seg_from_ar(sg, (uint32_t)vmread(seg_vmcs[i].ar));
		}
		/*
		 * Bochs stores a real-mode CS with type 3 (data) at VM exit even
		 * when the guest never loaded CS; report the type that was set
		 * while CS still holds the selector that was set.
		 */
		if (!(vmread(VMCS_GUEST_CR0) & CR0_PE) && c->segs.cs.selector == xc->cs_sel_set &&
		    c->segs.cs.type == 3 && (xc->cs_ar_set & 0xf) == 0xb)
			c->segs.cs.type = 0xb;
		c->segs.gdt.base = vmread(VMCS_GUEST_GDTR_BASE);
		c->segs.gdt.limit = (uint16_t)vmread(VMCS_GUEST_GDTR_LIMIT);
		c->segs.idt.base = vmread(VMCS_GUEST_IDTR_BASE);
		c->segs.idt.limit = (uint16_t)vmread(VMCS_GUEST_IDTR_LIMIT);
		break;
	case LV_STATE_CONTROL: {
		uint64_t m0 = vmx_cr0_host_mask(vb), m4 = vmx_cr4_host_mask(vb);

		c->ctrl.cr0 = (vmread(VMCS_GUEST_CR0) & ~m0) | (vmread(VMCS_CR0_SHADOW) & m0);
		c->ctrl.cr4 = (vmread(VMCS_GUEST_CR4) & ~m4) | (vmread(VMCS_CR4_SHADOW) & m4);
		c->ctrl.cr3 = vmread(VMCS_GUEST_CR3);
		c->ctrl.efer = vmread(VMCS_GUEST_EFER);
		c->ctrl.cr2 = xc->x.cr2;
		c->ctrl.apic_base = xc->apic_base;
		if (xc->vapic) /* the TPR shadow: VTPR bits 7:4 are CR8 (SDM Vol. 3, 29.3) */
			c->ctrl.cr8 = (xc->vapic[VAPIC_TPR] >> 4) & 0xf;
		break;
	}
	case LV_STATE_DEBUG:
		lv_x86_dbg_get(&xc->x.dbg, &c->debug, 1);
		c->debug.dr7 = vmread(VMCS_GUEST_DR7);
		break;
	case LV_STATE_MSRS:
		c->msrs.sysenter_cs = vmread(VMCS_GUEST_SYSENTER_CS);
		c->msrs.sysenter_esp = vmread(VMCS_GUEST_SYSENTER_ESP);
		c->msrs.sysenter_eip = vmread(VMCS_GUEST_SYSENTER_EIP);
		c->msrs.pat = vmread(VMCS_GUEST_PAT);
		c->msrs.star = GMSR(xc, AMSR_STAR);
		c->msrs.lstar = GMSR(xc, AMSR_LSTAR);
		c->msrs.cstar = GMSR(xc, AMSR_CSTAR);
		c->msrs.sfmask = GMSR(xc, AMSR_SFMASK);
		c->msrs.kernel_gs_base = GMSR(xc, AMSR_KERNEL_GS_BASE);
		c->msrs.tsc = lv_rdtsc() + xc->tsc_offset;
		break;
	case LV_STATE_EVENTS: {
		uint32_t intr = (uint32_t)vmread(VMCS_GUEST_INTERRUPTIBILITY);

		c->events.interrupt_shadow = (intr &
					      (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS)) != 0;
		c->events.nmi_masked = (intr & INTERRUPTIBILITY_NMI) != 0;
		break;
	}
	default:
		break;
	}
}

int lv_vmx_cache_fill(struct vmx_vcpu *xc, uint32_t mask)
{
	struct vmx_backend *vb = xc->x.vcpu->vm->backend->priv;
	uint32_t need = mask & ~xc->valid & VMX_VMCS_GROUPS;
	bool outside = need && !__atomic_load_n(&xc->x.vcpu->running, __ATOMIC_RELAXED);
	uint64_t fl = 0;
	uint32_t g, id;

	while (need) {
		int rc = lv_vmx_vcpu_load(vb, xc);

		if (rc)
			return rc;
		if (!outside)
			break; /* inside a run: preemption is off, the CPU stays */
		/*
		 * A state call may be preempted and migrated: read with
		 * interrupts off on the CPU the VMCS is current on, and load
		 * again if that is no longer this one. The VMCS then stays
		 * active here (vmx_vcpu.c), as after a run.
		 */
		irq_save(&fl);
		id = lv_plat_cpu_id();
		if (id < vb->ncpus && vb->current[id] == xc)
			break;
		irq_restore(&fl);
	}
	if (mask & LV_STATE_GPRS) {
		read_gprs(xc);
		xc->valid |= LV_STATE_GPRS;
	}
	for (g = LV_STATE_SEGMENTS; g <= LV_STATE_EVENTS; g <<= 1) {
		if (need & g) {
			read_group(vb, xc, g);
			xc->valid |= g;
		}
	}
	if (outside)
		irq_restore(&fl);
	return LV_OK;
}

int lv_vmx_get_state(struct lv_vcpu *vcpu, uint32_t mask, struct lv_state *st)
{
	struct vmx_vcpu *xc = vcpu->priv;
	int rc = lv_vmx_cache_fill(xc, mask);

	if (rc)
		return rc;
	if (mask & LV_STATE_GPRS)
		st->regs = xc->cache.regs;
	if (mask & LV_STATE_SEGMENTS)
		st->segs = xc->cache.segs;
	if (mask & LV_STATE_CONTROL) {
		st->ctrl = xc->cache.ctrl;
		st->ctrl.xcr0 = 1; /* the shared layer's (x86_fpu.c) */
	}
	if (mask & LV_STATE_DEBUG)
		st->debug = xc->cache.debug;
	if (mask & LV_STATE_MSRS)
		st->msrs = xc->cache.msrs;
	if (mask & LV_STATE_EVENTS) {
		/* Shadow and NMI blocking from the VMCS; what is pending from the queue. */
		memset(&st->events, 0, sizeof(st->events));
		st->events.interrupt_shadow = xc->cache.events.interrupt_shadow;
		st->events.nmi_masked = xc->cache.events.nmi_masked;
		lv_x86_events_to_state(&xc->x.events,
				       (xc->inject_info & INTR_INFO_VALID) ? xc->inject_info : 0,
				       xc->inject_err, &st->events);
	}
	return LV_OK;
}

/*
 * Control-register combinations the CPU itself never allows (MOV to CR0
 * raises #GP, SDM Vol. 3, 2.5; EFER.LMA follows LME and PG, 10.8.5) are
 * rejected when set, as KVM does; everything else is left to the VM-entry
 * checks, which report an entry failure.
 */
static int check_control(const struct vmx_backend *vb, const struct lv_ctrl *c)
{
	bool lma = (c->efer & EFER_LMA) != 0;

	if ((c->cr0 >> 32) || ((c->cr0 & CR0_NW) && !(c->cr0 & CR0_CD)) ||
	    ((c->cr0 & CR0_PG) && !(c->cr0 & CR0_PE)))
		return LV_ERR_INVAL;
	if (c->cr4 & (~vb->cr4_fixed1 | CR4_VMXE))
		return LV_ERR_INVAL; /* unknown bits, or nested VMX */
	if ((c->efer & EFER_LME) && (c->cr0 & CR0_PG)) {
		if (!lma || !(c->cr4 & CR4_PAE))
			return LV_ERR_INVAL;
	} else if (lma) {
		return LV_ERR_INVAL;
	}
	return LV_OK;
}

int lv_vmx_set_state(struct lv_vcpu *vcpu, uint32_t mask, const struct lv_state *st)
{
	struct vmx_backend *vb = vcpu->vm->backend->priv;
	struct vmx_vcpu *xc = vcpu->priv;

	if ((mask & LV_STATE_CONTROL) && check_control(vb, &st->ctrl))
		return LV_ERR_INVAL;

	if (mask & LV_STATE_GPRS) {
		xc->x.regs = st->regs;
		xc->cache.regs = st->regs;
	}
	if (mask & LV_STATE_SEGMENTS)
		xc->cache.segs = st->segs;
	if (mask & LV_STATE_CONTROL) {
		xc->cache.ctrl = st->ctrl;
		xc->cache.ctrl.cr8 &= 0xf;
		if (xc->vapic)
			xc->vapic[VAPIC_TPR] = (uint8_t)(xc->cache.ctrl.cr8 << 4);
	}
	if (mask & LV_STATE_DEBUG) {
		xc->cache.debug = st->debug;
		lv_x86_dbg_set(vcpu, &st->debug, 1);
	}
	if (mask & LV_STATE_MSRS)
		xc->cache.msrs = st->msrs;
	if (mask & LV_STATE_EVENTS) {
		xc->cache.events = st->events;
		/* The state the caller set replaces everything queued or in flight. */
		xc->inject_info = 0;
		lv_x86_events_from_state(&xc->x.events, &st->events);
	}
	xc->valid |= mask;
	xc->dirty |= mask & VMX_VMCS_GROUPS;
	lv_x86_rq_set(&xc->x, LV_X86_RQ_VENDOR);
	return LV_OK;
}
