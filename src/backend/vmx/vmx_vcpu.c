/* SPDX-License-Identifier: MIT */
/*
 * VMX vCPUs: the VMCS and its VMCLEAR/VMPTRLD discipline, host state for a
 * 64-bit host, create/destroy, single MSRs, CPUID and exception policy
 * (Intel SDM Vol. 3, chapters 25-27). Guest state groups: vmx_state.c.
 */
#include "../../core/lvlib.h"
#include "../../core/seg_attr.h"
#include "vmcs.h"
#include "vmx_insn.h"
#include "vmx_priv.h"
#include "../../core/x86_arch.h"

#define VPID_NONE 0

static const uint32_t no_aux; /* host_aux before the first load */

/* ---- host state (SDM Vol. 3, 25.5, 27.2.3) -------------------------------- */

static uint64_t host_tr_base(uint16_t tr)
{
	struct lv_x86_dtr gdtr;
	const uint8_t *d;
	uint64_t base;

	lv_read_gdtr(&gdtr);
	d = (const uint8_t *)(uintptr_t)gdtr.base + (tr & ~7u);
	base = (uint64_t)d[2] | ((uint64_t)d[3] << 8) | ((uint64_t)d[4] << 16) |
	       ((uint64_t)d[7] << 24);
	base |= (uint64_t)(*(const uint32_t *)(d + 8)) << 32; /* 16-byte system descriptor */
	return base;
}

/*
 * Host fields that differ per CPU or may change between loads.
 *
 * What a VM exit does to the host (SDM Vol. 3, 28.5), item by item:
 *  - CR0, CR3, CR4, SYSENTER_CS/ESP/EIP, EFER, PAT, the segment selectors
 *    and the FS, GS, TR, GDTR, IDTR bases: loaded from these fields
 *    (28.5.1, 28.5.2). They are read when the vCPU first runs on a CPU;
 *    CR3 is read again before every run (vmx_load()). The others must not
 *    change while vCPUs run on that CPU (docs/backend-vmx.md).
 *  - GDTR and IDTR limits: set to 0xFFFF (28.5.2); put back after every
 *    exit when they differ (HOST_FIX_DT, ring-0 case host_dtables).
 *  - TR limit: set to 67H (28.5.2). A host whose TSS is larger (an I/O
 *    permission bitmap) gets TR loaded again before lv_vcpu_run()
 *    returns (vmx_done(): the descriptor's busy bit cleared in the GDT,
 *    then LTR), so the GDT must be writable there (ring-0 case host_tr).
 *  - LDTR: unusable, selector 0 (28.5.2). Loaded again before
 *    lv_vcpu_run() returns when the host had one (vmx_run_host(); ring-0
 *    case host_ldt).
 *  - DR7: 400H; IA32_DEBUGCTL: 0 (28.5.1). DR7 is put back (x86_dbg.c);
 *    DEBUGCTL, read here, right after every exit when it is not 0
 *    (HOST_FIX_DEBUGCTL; the host must not change it while vCPUs run on
 *    the CPU, as for the rest read here; ring-0 case host_debugctl).
 *  - RFLAGS: all clear but bit 1 (28.5.3): the caller's IF comes back with
 *    irq_restore() in vmx_enter_hook().
 *  - Not loaded at all, so switched by the backend where the guest can
 *    change them: DR0-DR3 and DR6 (x86_dbg.c), TSC_AUX (x86_aux.c), the
 *    x87/SSE state (vmx_fpu.c), CR8 (never the guest's: TPR shadow or CR8
 *    exits, vmx.c); STAR, LSTAR, CSTAR, SFMASK, KERNEL_GS_BASE and the
 *    other MSRs are never written by the guest (its WRMSR exits). CR2
 *    keeps the guest's value, which a host only reads in its #PF handler.
 */
static void write_host_state(struct vmx_vcpu *xc)
{
	uint16_t tr = lv_read_tr();
	unsigned i;

	xc->host_cr3 = lv_read_cr3();
	xc->host_cr4 = lv_read_cr4();
	xc->host_fs_base = lv_rdmsr(MSR_FS_BASE);
	vmwrite(VMCS_HOST_CR0, lv_read_cr0());
	vmwrite(VMCS_HOST_CR3, xc->host_cr3);
	vmwrite(VMCS_HOST_CR4, xc->host_cr4);
	/* Selector RPL/TI must be 0 (27.2.3); the kernel's are. */
	vmwrite(VMCS_HOST_CS_SEL, lv_read_cs() & 0xf8u);
	vmwrite(VMCS_HOST_SS_SEL, lv_read_ss() & 0xf8u);
	vmwrite(VMCS_HOST_DS_SEL, lv_read_ds() & 0xf8u);
	vmwrite(VMCS_HOST_ES_SEL, lv_read_es() & 0xf8u);
	vmwrite(VMCS_HOST_FS_SEL, lv_read_fs() & 0xf8u);
	vmwrite(VMCS_HOST_GS_SEL, lv_read_gs() & 0xf8u);
	vmwrite(VMCS_HOST_TR_SEL, tr & 0xf8u);
	vmwrite(VMCS_HOST_TR_BASE, tr ? host_tr_base(tr) : 0);
	vmwrite(VMCS_HOST_FS_BASE, xc->host_fs_base);
	vmwrite(VMCS_HOST_GS_BASE, lv_rdmsr(MSR_GS_BASE));
	lv_read_gdtr(&xc->host_gdtr);
	vmwrite(VMCS_HOST_GDTR_BASE, xc->host_gdtr.base);
	lv_read_idtr(&xc->host_idtr);
	vmwrite(VMCS_HOST_IDTR_BASE, xc->host_idtr.base);
	/* VM exit sets both limits to 0xFFFF (28.5.2): vmx_enter_hook() puts these back. */
	xc->host_fix = 0;
	if (xc->host_gdtr.limit != 0xffff || xc->host_idtr.limit != 0xffff)
		xc->host_fix |= HOST_FIX_DT;
	/* VM exit clears IA32_DEBUGCTL (28.5.1): vmx_enter_hook() puts a host's LBR/BTF back. */
	xc->host_debugctl = lv_rdmsr(MSR_DEBUGCTL);
	if (xc->host_debugctl)
		xc->host_fix |= HOST_FIX_DEBUGCTL;
	/* VM exit sets the TR limit to 67H (28.5.2): vmx_done() reloads a larger one. */
	xc->host_tr = tr;
	if (tr && lv_read_limit(tr) != 0x67)
		xc->end_work |= END_WORK_TR;
	else
		xc->end_work &= (uint8_t)~END_WORK_TR;
	vmwrite(VMCS_HOST_SYSENTER_CS, lv_rdmsr(MSR_SYSENTER_CS));
	vmwrite(VMCS_HOST_SYSENTER_ESP, lv_rdmsr(MSR_SYSENTER_ESP));
	vmwrite(VMCS_HOST_SYSENTER_EIP, lv_rdmsr(MSR_SYSENTER_EIP));
	vmwrite(VMCS_HOST_EFER, lv_rdmsr(MSR_EFER));
	vmwrite(VMCS_HOST_PAT, lv_rdmsr(MSR_PAT));
	for (i = 0; i < AMSR_N; i++)
		HMSR(xc, i) = lv_rdmsr(xc->amsr[AMSR_HOST + i].index);
	xc->host_kgs = HMSR(xc, AMSR_KERNEL_GS_BASE);
	vmwrite(VMCS_HOST_RIP, (uint64_t)(uintptr_t)lv_vmx_exit_point);
}

/* Masks of CR0/CR4 bits the host owns: every fixed bit (A.7, A.8), and
 * CD/NW (as KVM: Bochs does not keep them in a guest's CR0), and TS and
 * CR4.OSXSAVE (lazy FPU, vmx_fpu.c); guest reads of them come from the
 * read shadow (25.6.6), writes that change them exit. */
/* Fields written once per VMCS. */
static void write_static_fields(struct vmx_backend *vb, struct vmx_vcpu *xc)
{
	struct vmx_vm *xv = xc->xv;

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
	/* The switched MSRs (amsr_init()): entry loads the guest's, exit stores them and loads the host's. */
	vmwrite(VMCS_ENTRY_MSR_LOAD, xc->amsr_pa);
	vmwrite(VMCS_EXIT_MSR_STORE, xc->amsr_pa);
	vmwrite(VMCS_EXIT_MSR_LOAD, xc->amsr_pa + AMSR_HOST * sizeof(struct vmx_msr_entry));
	vmwrite(VMCS_ENTRY_MSR_LOAD_CNT, AMSR_N);
	vmwrite(VMCS_EXIT_MSR_STORE_CNT, AMSR_N);
	vmwrite(VMCS_EXIT_MSR_LOAD_CNT, AMSR_N);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	vmwrite(VMCS_MSR_BITMAP, xv->x.msr_map_pa);
	vmwrite(VMCS_EPT_POINTER, xv->eptp);
	if (xc->vpid != VPID_NONE)
		vmwrite(VMCS_VPID, xc->vpid);
	vmwrite(VMCS_CR0_MASK, vmx_cr0_host_mask(vb));
	vmwrite(VMCS_CR4_MASK, vmx_cr4_host_mask(vb));
	vmwrite(VMCS_TSC_OFFSET, xc->tsc_offset);
	vmwrite(VMCS_GUEST_ACTIVITY, 0);
	vmwrite(VMCS_GUEST_PENDING_DBG, 0);
	vmwrite(VMCS_GUEST_DEBUGCTL, 0);
	if (xc->vapic) {
		vmwrite(VMCS_VIRTUAL_APIC, xc->vapic_pa);
		vmwrite(VMCS_TPR_THRESHOLD, 0);
	}
	if (xc->pin & PIN_PREEMPT_TIMER)
		vmwrite(VMCS_PREEMPT_TIMER, vb->preempt_value); /* reloaded at every entry */
}

/* ---- VMCS load discipline (SDM Vol. 3, 25.1, 25.11) ---------------------- */

/*
 * A vCPU's VMCS stays active on the CPU it last ran on (or was read on),
 * launched, also while other VMCSs are loaded there: a VMPTRLD on the same
 * CPU keeps its launch state, so it resumes with VMRESUME (25.11.3). Only
 * that CPU may VMCLEAR it (25.11.1), so it is cleared there, through
 * lv_plat_call_on_cpu(), when the vCPU moves to another CPU (load below),
 * when it is destroyed, and by lv_cpu_disable() of that CPU before VMXOFF
 * (25.11.1: VMXOFF leaves active VMCSs' data in the CPU), as KVM does.
 *
 * xc->x.cpu is the CPU the VMCS is active on (-1: clear); vb->current[id]
 * the VMCS current on CPU id. Both change only on that CPU with interrupts
 * off (the load's local part, clear_here() in the call's IPI, the disable),
 * and only for a vCPU no other thread uses (one thread runs a vCPU; state
 * calls and destroy refuse a running one), so an IPI that clears one VMCS
 * never meets a load of the same vCPU on the target CPU.
 */

/* The load's result when the VMCS is active on another CPU: clear it there, then again. */
#define LOAD_ELSEWHERE 1

/* The part of the load on this CPU (interrupts off: the CPU cannot change under it). */
static int load_here(struct vmx_backend *vb, struct vmx_vcpu *xc)
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
	if (xc->x.cpu >= 0 && (uint32_t)xc->x.cpu != id)
		return LOAD_ELSEWHERE;
	/* Still active here (another VMCS was loaded meanwhile): VMPTRLD, launched stays. */
	if (!xc->initialized && vmclear(xc->vmcs_pa) != VMX_OK)
		return LV_ERR_HW;
	if (vmptrld(xc->vmcs_pa) != VMX_OK)
		return LV_ERR_HW;
	vb->current[id] = xc;
	xc->x.cpu = (int32_t)id;
	if (xc->host_cpu != (int32_t)id) {
		/* First time on this CPU (or back from another one). */
		xc->host_cpu = (int32_t)id;
		xc->host_aux = &pc->host_tsc_aux;
		/* lv_vmx_prepare_slow(): the guest's TSC_AUX against this CPU's */
		lv_x86_rq_set(&xc->x, LV_X86_RQ_VENDOR);
		write_host_state(xc);
		/*
		 * This CPU may hold translations of an earlier stay, or of a
		 * destroyed vCPU that had the same VPID: flush both kinds
		 * (SDM Vol. 3, 29.4.3). The INVEPT happens at the next entry.
		 */
		lv_x86_rq_set(&xc->x, LV_X86_RQ_FLUSH);
		if (xc->vpid != VPID_NONE)
			invvpid((vb->ept_vpid & VPIDCAP_SINGLE) ? LV_INVVPID_SINGLE_CONTEXT
								: LV_INVVPID_ALL_CONTEXT,
				xc->vpid, 0);
	}
	if (!xc->initialized) {
		write_static_fields(vb, xc);
		xc->initialized = true;
	}
	return LV_OK;
}

/*
 * Make the VMCS current on this CPU. Called with interrupts enabled (the
 * clear on another CPU waits for it); when the caller may be migrated
 * (a state call outside a run) it checks afterwards that it is still on
 * the CPU the VMCS is current on (lv_vmx_cache_fill()).
 */
int lv_vmx_vcpu_load(struct vmx_backend *vb, struct vmx_vcpu *xc)
{
	uint64_t fl;
	int rc;

	for (;;) {
		irq_save(&fl);
		rc = load_here(vb, xc);
		irq_restore(&fl);
		if (rc != LOAD_ELSEWHERE)
			return rc;
		rc = lv_vmx_vcpu_clear(xc);
		if (rc)
			return rc;
	}
}

/* VMCLEAR on the CPU the VMCS is active on, interrupts off. */
void lv_vmx_vcpu_put(struct vmx_backend *vb, struct vmx_vcpu *xc)
{
	if (xc->x.cpu < 0)
		return;
	vmclear(xc->vmcs_pa);
	if (vb->current[xc->x.cpu] == xc)
		vb->current[xc->x.cpu] = NULL;
	xc->x.cpu = -1;
	xc->x.launched = 0;
}

/*
 * lv_plat_call_on_cpu()'s function: on the CPU that held the VMCS active
 * when the caller looked, interrupts off. lv_cpu_disable() there may have
 * cleared it already.
 */
static void clear_here(void *arg)
{
	struct vmx_vcpu *xc = arg;

	if (xc->x.cpu == (int32_t)lv_plat_cpu_id())
		lv_vmx_vcpu_put(xc->vb, xc);
}

/*
 * A refused call (the CPU went offline) is an error only while the VMCS is
 * still recorded there: lv_cpu_disable() on that CPU may have cleared it
 * just before.
 */
int lv_vmx_vcpu_clear(struct vmx_vcpu *xc)
{
	int32_t cpu = __atomic_load_n(&xc->x.cpu, __ATOMIC_ACQUIRE);

	if (cpu >= 0 && lv_plat_call_on_cpu((uint32_t)cpu, clear_here, xc) &&
	    __atomic_load_n(&xc->x.cpu, __ATOMIC_ACQUIRE) >= 0)
		return LV_ERR_STATE;
	return LV_OK;
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

/*
 * The MSRs a guest can reach without an exit and that VM entry and exit do
 * not switch through VMCS fields (SDM Vol. 3, 27.3.2, 28.5): SYSCALL takes
 * STAR, LSTAR, CSTAR and SFMASK, and SWAPGS exchanges GS base with
 * KERNEL_GS_BASE. Left alone, a guest's SWAPGS would read and write the
 * host's KERNEL_GS_BASE (a user thread's GS base under Linux) and its
 * SYSCALL would jump to the host's LSTAR (conformance syscall_msrs). So
 * they switch through the VM-entry MSR-load list (the guest's values),
 * the VM-exit MSR-store list (the same entries: the exit saves what the
 * guest left, 28.3) and the VM-exit MSR-load list (the host's, read with
 * the rest of the host state and KERNEL_GS_BASE before every run). Their
 * RDMSR/WRMSR still exit and read or write the guest's entries.
 */
static void amsr_init(struct vmx_vcpu *xc)
{
	static const uint32_t index[AMSR_N] = {
		[AMSR_STAR] = MSR_STAR,
		[AMSR_LSTAR] = MSR_LSTAR,
		[AMSR_CSTAR] = MSR_CSTAR,
		[AMSR_SFMASK] = MSR_SFMASK,
		[AMSR_KERNEL_GS_BASE] = MSR_KERNEL_GS_BASE,
	};
	unsigned i;

	memset(xc->amsr, 0, LV_PAGE_SIZE);
	for (i = 0; i < AMSR_N; i++) {
		xc->amsr[i].index = index[i];
		xc->amsr[AMSR_HOST + i].index = index[i];
	}
}

/* The VMCS (the shared layer allocated vcpu->priv and sets the reset state next). */
int lv_vmx_vcpu_create(struct lv_vcpu *vcpu)
{
	struct vmx_backend *vb = vcpu->vm->backend->priv;
	struct vmx_vcpu *xc = vcpu->priv;

	xc->vmcs_va = lv_plat_page_alloc(1, &xc->vmcs_pa);
	if (!xc->vmcs_va)
		return LV_ERR_NOMEM;
	*(uint32_t *)xc->vmcs_va = vb->revision; /* bit 31 clear: ordinary VMCS */
	xc->amsr = lv_plat_page_alloc(1, &xc->amsr_pa);
	if (!xc->amsr) {
		lv_plat_page_free(xc->vmcs_va, 1);
		return LV_ERR_NOMEM;
	}
	amsr_init(xc);
	if (vb->has_tpr_shadow) {
		xc->vapic = lv_plat_page_alloc(1, &xc->vapic_pa);
		if (!xc->vapic) {
			lv_plat_page_free(xc->amsr, 1);
			lv_plat_page_free(xc->vmcs_va, 1);
			return LV_ERR_NOMEM;
		}
		memset(xc->vapic, 0, LV_PAGE_SIZE);
	}
	xc->xv = vcpu->vm->priv;
	xc->vb = vb;
	xc->host_cpu = -1;
	xc->host_aux = &no_aux;
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
	return LV_OK;
}

void lv_vmx_vcpu_destroy(struct lv_vcpu *vcpu)
{
	struct vmx_backend *vb = vcpu->vm->backend->priv;
	struct vmx_vcpu *xc = vcpu->priv;
	bool cleared = lv_vmx_vcpu_clear(xc) == LV_OK; /* on the CPU it is active on */

	vpid_lock(vb);
	lv_vpid_free(&vb->vpids, xc->vpid);
	vpid_unlock(vb);
	/* A CPU that went offline with the VMCS active may still write it back: keep the page. */
	if (cleared)
		lv_plat_page_free(xc->vmcs_va, 1);
	else
		lv_plat_log(LV_LOG_WARN,
			    "vmx: vCPU destroyed with its VMCS active on an offline CPU");
	lv_plat_page_free(xc->amsr, 1);
	if (xc->vapic)
		lv_plat_page_free(xc->vapic, 1);
}

/* ---- MSRs, CPUID, exception policy ---------------------------------------- */

/* MSRs the backend keeps for the guest: read one. */
static int emulated_msr(struct vmx_vcpu *xc, uint32_t index, uint64_t **slot)
{
	switch (index) {
	case MSR_STAR:
		*slot = &GMSR(xc, AMSR_STAR);
		return 1;
	case MSR_LSTAR:
		*slot = &GMSR(xc, AMSR_LSTAR);
		return 1;
	case MSR_CSTAR:
		*slot = &GMSR(xc, AMSR_CSTAR);
		return 1;
	case MSR_SFMASK:
		*slot = &GMSR(xc, AMSR_SFMASK);
		return 1;
	case MSR_KERNEL_GS_BASE:
		*slot = &GMSR(xc, AMSR_KERNEL_GS_BASE);
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

	if (emulated_msr(xc, index, &slot)) {
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

	if (emulated_msr(xc, index, &slot)) {
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

/*
 * The intercepts the shared policy asks for, applied at the next entry
 * (the VMCS may not be current now): the caller's exception exits, the
 * ones the backend always takes (VMX_EXC_ALWAYS), #DB while single-stepping
 * (without the monitor trap flag, which Bochs lacks: RFLAGS.TF is set before
 * each entry, as KVM does), and the interrupt/NMI-window controls.
 */
void lv_vmx_intercepts(struct lv_vcpu *vcpu)
{
	struct vmx_vcpu *xc = vcpu->priv;

	xc->exc_bitmap = xc->x.exc_exits | VMX_EXC_ALWAYS | (xc->x.singlestep ? 1u << 1 : 0);
	xc->ctl_dirty = true;
	lv_x86_rq_set(&xc->x, LV_X86_RQ_VENDOR);
}
