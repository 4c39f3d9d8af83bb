/* SPDX-License-Identifier: MIT */
/*
 * VMX vCPUs: the VMCS and its VMCLEAR/VMPTRLD discipline, host state for a
 * 64-bit host, and guest state written from the neutral lv_state and read
 * back lazily, group by group (Intel SDM Vol. 3, chapters 25-27).
 */
#include "../../core/lvlib.h"
#include "../../core/seg_attr.h"
#include "vmcs.h"
#include "vmx_insn.h"
#include "vmx_priv.h"
#include "../../core/x86_arch.h"

#define VPID_NONE 0

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

/* ---- host state (SDM Vol. 3, 25.5, 27.2.3) -------------------------------- */

static uint64_t host_tr_base(uint16_t tr)
{
	struct vmx_dtr gdtr;
	const uint8_t *d;
	uint64_t base;

	read_gdtr(&gdtr);
	d = (const uint8_t *)(uintptr_t)gdtr.base + (tr & ~7u);
	base = (uint64_t)d[2] | ((uint64_t)d[3] << 8) | ((uint64_t)d[4] << 16) |
	       ((uint64_t)d[7] << 24);
	base |= (uint64_t)(*(const uint32_t *)(d + 8)) << 32; /* 16-byte system descriptor */
	return base;
}

/* Host fields that differ per CPU or may change between loads. */
static void write_host_state(void)
{
	struct vmx_dtr dtr;
	uint16_t tr = read_tr();

	vmwrite(VMCS_HOST_CR0, lv_read_cr0());
	vmwrite(VMCS_HOST_CR3, lv_read_cr3());
	vmwrite(VMCS_HOST_CR4, lv_read_cr4());
	/* Selector RPL/TI must be 0 (27.2.3); the kernel's are. */
	vmwrite(VMCS_HOST_CS_SEL, read_cs() & 0xf8u);
	vmwrite(VMCS_HOST_SS_SEL, read_ss() & 0xf8u);
	vmwrite(VMCS_HOST_DS_SEL, read_ds() & 0xf8u);
	vmwrite(VMCS_HOST_ES_SEL, read_es() & 0xf8u);
	vmwrite(VMCS_HOST_FS_SEL, read_fs() & 0xf8u);
	vmwrite(VMCS_HOST_GS_SEL, read_gs() & 0xf8u);
	vmwrite(VMCS_HOST_TR_SEL, tr & 0xf8u);
	vmwrite(VMCS_HOST_TR_BASE, tr ? host_tr_base(tr) : 0);
	vmwrite(VMCS_HOST_FS_BASE, lv_rdmsr(MSR_FS_BASE));
	vmwrite(VMCS_HOST_GS_BASE, lv_rdmsr(MSR_GS_BASE));
	read_gdtr(&dtr);
	vmwrite(VMCS_HOST_GDTR_BASE, dtr.base);
	read_idtr(&dtr);
	vmwrite(VMCS_HOST_IDTR_BASE, dtr.base);
	vmwrite(VMCS_HOST_SYSENTER_CS, lv_rdmsr(MSR_SYSENTER_CS));
	vmwrite(VMCS_HOST_SYSENTER_ESP, lv_rdmsr(MSR_SYSENTER_ESP));
	vmwrite(VMCS_HOST_SYSENTER_EIP, lv_rdmsr(MSR_SYSENTER_EIP));
	vmwrite(VMCS_HOST_EFER, lv_rdmsr(MSR_EFER));
	vmwrite(VMCS_HOST_PAT, lv_rdmsr(MSR_PAT));
	vmwrite(VMCS_HOST_RIP, (uint64_t)(uintptr_t)lv_vmx_exit_stub);
}

/* Masks of CR0/CR4 bits the host owns: every fixed bit (A.7, A.8), and
 * CD/NW (as KVM: Bochs does not keep them in a guest's CR0), and TS (lazy
 * FPU, vmx_fpu.c); guest reads of them come from the read shadow (25.6.6),
 * writes that change them exit. */
static uint64_t cr0_host_mask(const struct vmx_backend *vb)
{
	return ((vb->cr0_fixed0 | ~vb->cr0_fixed1) & ~(CR0_PE | CR0_PG)) | CR0_CD | CR0_NW | CR0_TS;
}

static uint64_t cr4_host_mask(const struct vmx_backend *vb)
{
	return vb->cr4_fixed0 | ~vb->cr4_fixed1;
}

/* Fields written once per VMCS. */
static void write_static_fields(struct vmx_backend *vb, struct vmx_vcpu *xc)
{
	struct vmx_vm *xv = xc->vcpu->vm->priv;

	vmwrite(VMCS_LINK_POINTER, ~0ull);
	vmwrite(VMCS_PIN_CTLS, xc->pin);
	vmwrite(VMCS_PROC_CTLS, xc->proc);
	vmwrite(VMCS_PROC_CTLS2, xc->proc2);
	vmwrite(VMCS_EXIT_CTLS, vb->ctl[LV_VMX_CTL_EXIT]);
	vmwrite(VMCS_ENTRY_CTLS, xc->entry);
	vmwrite(VMCS_EXCEPTION_BITMAP, xc->exc_bitmap);
	vmwrite(VMCS_PF_ERRCODE_MASK, 0);
	vmwrite(VMCS_PF_ERRCODE_MATCH, 0);
	vmwrite(VMCS_CR3_TARGET_COUNT, 0);
	vmwrite(VMCS_EXIT_MSR_STORE_CNT, 0);
	vmwrite(VMCS_EXIT_MSR_LOAD_CNT, 0);
	vmwrite(VMCS_ENTRY_MSR_LOAD_CNT, 0);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	vmwrite(VMCS_MSR_BITMAP, xv->msr_bitmap_pa);
	vmwrite(VMCS_EPT_POINTER, xv->eptp);
	if (xc->vpid != VPID_NONE)
		vmwrite(VMCS_VPID, xc->vpid);
	vmwrite(VMCS_CR0_MASK, cr0_host_mask(vb));
	vmwrite(VMCS_CR4_MASK, cr4_host_mask(vb));
	vmwrite(VMCS_TSC_OFFSET, xc->tsc_offset);
	vmwrite(VMCS_GUEST_ACTIVITY, 0);
	vmwrite(VMCS_GUEST_PENDING_DBG, 0);
	vmwrite(VMCS_GUEST_DEBUGCTL, 0);
	if (xc->pin & PIN_PREEMPT_TIMER)
		vmwrite(VMCS_PREEMPT_TIMER, vb->preempt_value); /* reloaded at every entry */
}

/* ---- VMCS load discipline (SDM Vol. 3, 25.1, 25.11.3) -------------------- */

int lv_vmx_vcpu_load(struct vmx_backend *vb, struct vmx_vcpu *xc)
{
	uint32_t id = lv_plat_cpu_id();
	struct vmx_cpu *pc;

	if (id >= vb->ncpus)
		return LV_ERR_STATE;
	pc = &vb->cpus[id];
	if (!pc->enabled)
		return LV_ERR_STATE;
	if (vb->current[id] == xc)
		return LV_OK;
	/*
	 * A VMCS active on another CPU must be VMCLEARed there first (its
	 * data may be cached in that CPU). With more than one CPU every run
	 * and state access ends with VMCLEAR (lv_vmx_run(), lv_vmx_cache_fill()),
	 * so this only happens if the embedder broke that; lv_cpu_disable()
	 * on the other CPU clears it too.
	 */
	if (xc->cpu >= 0 && (uint32_t)xc->cpu != id)
		return LV_ERR_STATE;
	if (!xc->initialized && vmclear(xc->vmcs_pa) != VMX_OK)
		return LV_ERR_HW;
	if (vmptrld(xc->vmcs_pa) != VMX_OK)
		return LV_ERR_HW;
	vb->current[id] = xc;
	if (xc->cpu < 0)
		xc->cpu = (int32_t)id;
	if (xc->host_cpu != (int32_t)id) {
		/* First time on this CPU (or back from another one). */
		xc->host_cpu = (int32_t)id;
		write_host_state();
		xc->host_cr3 = lv_read_cr3();
		/*
		 * This CPU may hold translations of an earlier stay, or of a
		 * destroyed vCPU that had the same VPID: flush both kinds
		 * (SDM Vol. 3, 29.4.3). The INVEPT happens at the next entry.
		 */
		xc->ept_gen = xc->xv->ept_gen - 1;
		if (xc->vpid != VPID_NONE)
			invvpid((vb->ept_vpid & VPIDCAP_SINGLE) ? INVVPID_SINGLE : INVVPID_ALL,
				xc->vpid, 0);
	}
	if (!xc->initialized) {
		write_static_fields(vb, xc);
		xc->initialized = true;
	}
	return LV_OK;
}

void lv_vmx_vcpu_put(struct vmx_backend *vb, struct vmx_vcpu *xc)
{
	if (xc->cpu < 0)
		return;
	vmclear(xc->vmcs_pa);
	if (vb->current[xc->cpu] == xc)
		vb->current[xc->cpu] = NULL;
	xc->cpu = -1;
	xc->gprs.launched = 0;
}

/*
 * The VPID space is global (ids.h: callers serialize). vCPUs of different
 * VMs may be created on different CPUs at once, so a spin lock guards it.
 */
static void vpid_lock(struct vmx_backend *vb)
{
	while (__atomic_exchange_n(&vb->vpid_lock, 1, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause");
}

static void vpid_unlock(struct vmx_backend *vb)
{
	__atomic_store_n(&vb->vpid_lock, 0, __ATOMIC_RELEASE);
}

/* ---- create / destroy ------------------------------------------------- */

int lv_vmx_vcpu_create(struct lv_vcpu *vcpu)
{
	struct vmx_backend *vb = vcpu->vm->backend->priv;
	struct vmx_vcpu *xc = lv_plat_alloc(sizeof(*xc));

	if (!xc)
		return LV_ERR_NOMEM;
	xc->vmcs_va = lv_plat_page_alloc(1, &xc->vmcs_pa);
	if (!xc->vmcs_va) {
		lv_plat_free(xc);
		return LV_ERR_NOMEM;
	}
	*(uint32_t *)xc->vmcs_va = vb->revision; /* bit 31 clear: ordinary VMCS */
	xc->vcpu = vcpu;
	xc->xv = vcpu->vm->priv;
	xc->cpu = -1;
	xc->host_cpu = -1;
	if (vb->ncpus > 1)
		xc->end_work = END_WORK_CLEAR;
	vcpu->exit.raw.backend = LV_BACKEND_VMX; /* never changes (flags stay 0) */
	xc->vpid = VPID_NONE;
	if (vb->has_vpid) {
		vpid_lock(vb);
		lv_vpid_alloc(&vb->vpids, &xc->vpid); /* 0 on exhaustion: run untagged */
		vpid_unlock(vb);
	}
	xc->pin = vb->ctl[LV_VMX_CTL_PIN];
	xc->proc = vb->ctl[LV_VMX_CTL_PROC];
	xc->proc2 = vb->ctl[LV_VMX_CTL_PROC2];
	if (xc->vpid == VPID_NONE)
		xc->proc2 &= ~PROC2_ENABLE_VPID;
	xc->entry = vb->ctl[LV_VMX_CTL_ENTRY];
	xc->exc_bitmap = VMX_EXC_ALWAYS;
	lv_state_init_reset(&xc->cache);
	xc->gprs.rdx = xc->cache.regs.rdx;
	xc->apic_base = xc->cache.ctrl.apic_base;
	xc->valid = LV_STATE_ALL;
	xc->dirty = LV_STATE_ALL;
	xc->slow = true;
	vcpu->priv = xc;
	return LV_OK;
}

void lv_vmx_vcpu_destroy(struct lv_vcpu *vcpu)
{
	struct vmx_backend *vb = vcpu->vm->backend->priv;
	struct vmx_vcpu *xc = vcpu->priv;

	if (xc->cpu >= 0 && (uint32_t)xc->cpu == lv_plat_cpu_id())
		lv_vmx_vcpu_put(vb, xc);
	else if (xc->cpu >= 0)
		lv_plat_log(LV_LOG_WARN, "vmx: vCPU destroyed while its VMCS is active elsewhere");
	vpid_lock(vb);
	lv_vpid_free(&vb->vpids, xc->vpid);
	vpid_unlock(vb);
	lv_policy_free(&xc->cpuid);
	lv_plat_page_free(xc->vmcs_va, 1);
	lv_plat_free(xc);
	vcpu->priv = NULL;
}

/* ---- guest state: cache -> VMCS --------------------------------------------- */

/* PAE paging without IA-32e mode: the PDPTEs come from the VMCS (26.3.2.4). */
int lv_vmx_load_pdptes(struct vmx_vcpu *xc, uint64_t cr3)
{
	const struct lv_memmap *mm = &xc->vcpu->vm->mem;
	const uint64_t *pdpt = lv_memmap_hva(mm, cr3 & 0xffffffe0u, 32, 0);
	unsigned i;

	if (!pdpt)
		return LV_ERR_INVAL;
	for (i = 0; i < 4; i++)
		vmwrite(VMCS_GUEST_PDPTE0 + 2 * i, pdpt[i]);
	return LV_OK;
}

static void sync_control(struct vmx_backend *vb, struct vmx_vcpu *xc)
{
	const struct lv_ctrl *c = &xc->cache.ctrl;

	vmwrite(VMCS_GUEST_CR0, lv_vmx_guest_cr0(vb, xc, c->cr0));
	vmwrite(VMCS_CR0_SHADOW, c->cr0);
	vmwrite(VMCS_GUEST_CR4, lv_vmx_apply_fixed(c->cr4, vb->cr4_fixed0, vb->cr4_fixed1, 0));
	vmwrite(VMCS_CR4_SHADOW, c->cr4);
	vmwrite(VMCS_GUEST_CR3, c->cr3);
	vmwrite(VMCS_GUEST_EFER, c->efer);
	xc->gprs.cr2 = c->cr2;
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
	/* The state the caller set replaces everything queued or in flight. */
	xc->inject_info = 0;
	xc->pend_exc_info = 0;
	if (e->exception_pending) {
		xc->pend_exc_info = INTR_INFO_VALID | (INTR_TYPE_HW_EXC << 8) | e->exception_vector;
		if (e->exception_has_error_code) {
			xc->pend_exc_info |= INTR_INFO_ERRCODE;
			xc->pend_exc_err = e->exception_error_code;
		}
	}
	xc->pend_nmi = e->nmi_pending != 0;
	xc->pend_irq = e->interrupt_pending != 0;
	xc->pend_irq_vector = e->interrupt_vector;
}

int lv_vmx_sync_to_vmcs(struct vmx_vcpu *xc)
{
	struct vmx_backend *vb = xc->vcpu->vm->backend->priv;
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
		xc->star = m->star;
		xc->lstar = m->lstar;
		xc->cstar = m->cstar;
		xc->sfmask = m->sfmask;
		xc->kernel_gs_base = m->kernel_gs_base;
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
	const struct vmx_gprs *g = &xc->gprs;

	r->rax = g->rax;
	r->rbx = g->rbx;
	r->rcx = g->rcx;
	r->rdx = g->rdx;
	r->rsi = g->rsi;
	r->rdi = g->rdi;
	r->rbp = g->rbp;
	r->r8 = g->r8;
	r->r9 = g->r9;
	r->r10 = g->r10;
	r->r11 = g->r11;
	r->r12 = g->r12;
	r->r13 = g->r13;
	r->r14 = g->r14;
	r->r15 = g->r15;
	if (!(xc->valid & LV_STATE_GPRS)) {
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
		uint64_t m0 = cr0_host_mask(vb), m4 = cr4_host_mask(vb);

		c->ctrl.cr0 = (vmread(VMCS_GUEST_CR0) & ~m0) | (vmread(VMCS_CR0_SHADOW) & m0);
		c->ctrl.cr4 = (vmread(VMCS_GUEST_CR4) & ~m4) | (vmread(VMCS_CR4_SHADOW) & m4);
		c->ctrl.cr3 = vmread(VMCS_GUEST_CR3);
		c->ctrl.efer = vmread(VMCS_GUEST_EFER);
		c->ctrl.cr2 = xc->gprs.cr2;
		c->ctrl.apic_base = xc->apic_base;
		break;
	}
	case LV_STATE_DEBUG:
		c->debug.dr7 = vmread(VMCS_GUEST_DR7);
		break;
	case LV_STATE_MSRS:
		c->msrs.sysenter_cs = vmread(VMCS_GUEST_SYSENTER_CS);
		c->msrs.sysenter_esp = vmread(VMCS_GUEST_SYSENTER_ESP);
		c->msrs.sysenter_eip = vmread(VMCS_GUEST_SYSENTER_EIP);
		c->msrs.pat = vmread(VMCS_GUEST_PAT);
		c->msrs.star = xc->star;
		c->msrs.lstar = xc->lstar;
		c->msrs.cstar = xc->cstar;
		c->msrs.sfmask = xc->sfmask;
		c->msrs.kernel_gs_base = xc->kernel_gs_base;
		c->msrs.tsc = lv_rdtsc() + xc->tsc_offset;
		break;
	case LV_STATE_EVENTS: {
		uint32_t intr = (uint32_t)vmread(VMCS_GUEST_INTERRUPTIBILITY);
		uint32_t inj = xc->inject_info & INTR_INFO_VALID ? xc->inject_info : 0;
		uint32_t exc = xc->pend_exc_info;
		uint32_t exc_err = xc->pend_exc_err;

		memset(&c->events, 0, sizeof(c->events));
		c->events.interrupt_shadow = (intr &
					      (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS)) != 0;
		c->events.nmi_masked = (intr & INTERRUPTIBILITY_NMI) != 0;
		c->events.nmi_pending = xc->pend_nmi ||
					(inj && INTR_INFO_TYPE(inj) == INTR_TYPE_NMI);
		c->events.interrupt_pending = xc->pend_irq;
		c->events.interrupt_vector = xc->pend_irq_vector;
		if (inj && INTR_INFO_TYPE(inj) == INTR_TYPE_EXTINT) {
			c->events.interrupt_pending = 1;
			c->events.interrupt_vector = (uint8_t)INTR_INFO_VECTOR(inj);
		} else if (inj && INTR_INFO_TYPE(inj) != INTR_TYPE_NMI) {
			exc = inj;
			exc_err = xc->inject_err;
		}
		if (exc & INTR_INFO_VALID) {
			c->events.exception_pending = 1;
			c->events.exception_vector = (uint8_t)INTR_INFO_VECTOR(exc);
			c->events.exception_has_error_code = (exc & INTR_INFO_ERRCODE) != 0;
			c->events.exception_error_code = exc & INTR_INFO_ERRCODE ? exc_err : 0;
		}
		break;
	}
	default:
		break;
	}
}

int lv_vmx_cache_fill(struct vmx_vcpu *xc, uint32_t mask)
{
	struct vmx_backend *vb = xc->vcpu->vm->backend->priv;
	uint32_t need = mask & ~xc->valid & VMX_VMCS_GROUPS;
	uint32_t g;

	if (need) {
		int rc = lv_vmx_vcpu_load(vb, xc);

		if (rc)
			return rc;
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
	/* Outside a run on an SMP host: leave the VMCS clear (see lv_vmx_run()). */
	if (need && vb->ncpus > 1 && !__atomic_load_n(&xc->vcpu->running, __ATOMIC_RELAXED))
		lv_vmx_vcpu_put(vb, xc);
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
	if (mask & LV_STATE_CONTROL)
		st->ctrl = xc->cache.ctrl;
	if (mask & LV_STATE_DEBUG)
		st->debug = xc->cache.debug;
	if (mask & LV_STATE_MSRS)
		st->msrs = xc->cache.msrs;
	if (mask & LV_STATE_EVENTS)
		st->events = xc->cache.events;
	if (mask & LV_STATE_FPU)
		st->fpu = xc->cache.fpu;
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
		const struct lv_regs *r = &st->regs;
		struct vmx_gprs *g = &xc->gprs;

		g->rax = r->rax;
		g->rbx = r->rbx;
		g->rcx = r->rcx;
		g->rdx = r->rdx;
		g->rsi = r->rsi;
		g->rdi = r->rdi;
		g->rbp = r->rbp;
		g->r8 = r->r8;
		g->r9 = r->r9;
		g->r10 = r->r10;
		g->r11 = r->r11;
		g->r12 = r->r12;
		g->r13 = r->r13;
		g->r14 = r->r14;
		g->r15 = r->r15;
		xc->cache.regs = *r;
		xc->pending = PEND_NONE; /* new registers: the old exit is void */
	}
	if (mask & LV_STATE_SEGMENTS)
		xc->cache.segs = st->segs;
	if (mask & LV_STATE_CONTROL)
		xc->cache.ctrl = st->ctrl;
	if (mask & LV_STATE_DEBUG)
		xc->cache.debug = st->debug;
	if (mask & LV_STATE_MSRS)
		xc->cache.msrs = st->msrs;
	if (mask & LV_STATE_EVENTS)
		xc->cache.events = st->events;
	if (mask & LV_STATE_FPU)
		xc->cache.fpu = st->fpu;
	xc->valid |= mask;
	xc->dirty |= mask & VMX_VMCS_GROUPS;
	xc->slow = true;
	return LV_OK;
}

/* ---- MSRs, CPUID, exception policy ---------------------------------------- */

/* MSRs the backend keeps for the guest: read one. */
int lv_vmx_emulated_msr(struct vmx_vcpu *xc, uint32_t index, uint64_t **slot)
{
	switch (index) {
	case MSR_STAR:
		*slot = &xc->star;
		return 1;
	case MSR_LSTAR:
		*slot = &xc->lstar;
		return 1;
	case MSR_CSTAR:
		*slot = &xc->cstar;
		return 1;
	case MSR_SFMASK:
		*slot = &xc->sfmask;
		return 1;
	case MSR_KERNEL_GS_BASE:
		*slot = &xc->kernel_gs_base;
		return 1;
	case MSR_APIC_BASE:
		*slot = &xc->apic_base;
		return 1;
	default:
		return 0;
	}
}

/* Where MSR @p index lives in the state cache, and its group; NULL if not kept. */
static uint64_t *msr_in_cache(struct vmx_vcpu *xc, uint32_t index, uint32_t *group)
{
	struct lv_state *c = &xc->cache;

	*group = LV_STATE_MSRS;
	switch (index) {
	case MSR_EFER:
		*group = LV_STATE_CONTROL;
		return &c->ctrl.efer;
	case MSR_FS_BASE:
		*group = LV_STATE_SEGMENTS;
		return &c->segs.fs.base;
	case MSR_GS_BASE:
		*group = LV_STATE_SEGMENTS;
		return &c->segs.gs.base;
	case MSR_SYSENTER_CS:
		return &c->msrs.sysenter_cs;
	case MSR_SYSENTER_ESP:
		return &c->msrs.sysenter_esp;
	case MSR_SYSENTER_EIP:
		return &c->msrs.sysenter_eip;
	case MSR_PAT:
		return &c->msrs.pat;
	case MSR_TSC:
		return &c->msrs.tsc;
	default:
		return NULL;
	}
}

int lv_vmx_get_msr(struct lv_vcpu *vcpu, uint32_t index, uint64_t *value)
{
	struct vmx_vcpu *xc = vcpu->priv;
	uint64_t *slot;
	uint32_t group;
	int rc;

	if (lv_vmx_emulated_msr(xc, index, &slot)) {
		*value = *slot;
		return LV_OK;
	}
	slot = msr_in_cache(xc, index, &group);
	if (!slot)
		return LV_ERR_NOENT;
	if (index == MSR_TSC)
		xc->valid &= ~LV_STATE_MSRS; /* the TSC moves: read it now */
	rc = lv_vmx_cache_fill(xc, group);
	if (rc)
		return rc;
	*value = *slot;
	return LV_OK;
}

int lv_vmx_set_msr(struct lv_vcpu *vcpu, uint32_t index, uint64_t value)
{
	struct vmx_vcpu *xc = vcpu->priv;
	uint64_t *slot;
	uint32_t group;
	int rc;

	if (lv_vmx_emulated_msr(xc, index, &slot)) {
		*slot = value;
		xc->valid &= ~(LV_STATE_MSRS | LV_STATE_CONTROL); /* cache copies are stale */
		return LV_OK;
	}
	slot = msr_in_cache(xc, index, &group);
	if (!slot)
		return LV_ERR_NOENT;
	rc = lv_vmx_cache_fill(xc, group);
	if (rc)
		return rc;
	*slot = value;
	return lv_vmx_set_state(vcpu, group, &xc->cache);
}

int lv_vmx_set_cpuid(struct lv_vcpu *vcpu, const struct lv_cpuid_entry *e, size_t n)
{
	struct vmx_vcpu *xc = vcpu->priv;

	return lv_policy_replace(&xc->cpuid, e, n, sizeof(*e), LV_POLICY_MAX_CPUID);
}

static void update_exc_bitmap(struct vmx_vcpu *xc)
{
	xc->exc_bitmap = xc->exc_policy | VMX_EXC_ALWAYS | (xc->singlestep ? 1u << 1 : 0);
	xc->ctl_dirty = true;
	xc->slow = true;
}

int lv_vmx_set_exception_exits(struct lv_vcpu *vcpu, uint32_t vectors)
{
	struct vmx_vcpu *xc = vcpu->priv;

	xc->exc_policy = vectors;
	update_exc_bitmap(xc);
	return LV_OK;
}

/*
 * Single-step without the monitor trap flag (Bochs has none): the backend
 * sets the guest's RFLAGS.TF before each entry and intercepts #DB (see
 * prepare_slow() and handle_exception() in lv_vmx_run.c), as KVM does.
 */
int lv_vmx_set_debug(struct lv_vcpu *vcpu, uint32_t flags)
{
	struct vmx_vcpu *xc = vcpu->priv;

	xc->singlestep = (flags & LV_DEBUG_SINGLESTEP) != 0;
	update_exc_bitmap(xc);
	return LV_OK;
}
