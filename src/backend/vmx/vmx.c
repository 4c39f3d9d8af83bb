/* SPDX-License-Identifier: MIT */
/*
 * VMX backend: probing, capabilities, control words, and per-CPU
 * enable/disable (VMXON/VMXOFF). Intel SDM Vol. 3, chapters 23-24 and
 * Appendix A.
 */
#include "../../core/cpuid.h"
#include "../../core/lvlib.h"
#include "vmcs.h"
#include "vmx_insn.h"
#include "vmx_priv.h"
#include "../../core/x86_arch.h"

/* Controls this backend cannot work without / uses when present. */
#define PIN_REQ (PIN_EXTINT_EXITING | PIN_NMI_EXITING)
#define PIN_OPT (PIN_VIRTUAL_NMIS | PIN_PREEMPT_TIMER)
#define PROC_REQ                                                                                   \
	(PROC_HLT_EXITING | PROC_UNCOND_IO | PROC_USE_MSR_BITMAPS | PROC_SECONDARY |               \
	 PROC_TSC_OFFSET | PROC_MOV_DR_EXITING)
/* The TPR: PROC_TPR_SHADOW or CR8 load/store exiting, chosen by vmx_choose_tpr(). */
#define PROC_FORBID                                                                                \
	(PROC_USE_IO_BITMAPS | PROC_CR3_LOAD | PROC_CR3_STORE | PROC_INTR_WINDOW |                 \
	 PROC_NMI_WINDOW | PROC_MTF | PROC_INVLPG_EXITING | PROC_RDTSC_EXITING |                   \
	 PROC_RDPMC_EXITING)
#define PROC2_REQ (PROC2_ENABLE_EPT | PROC2_UNRESTRICTED)
#define PROC2_OPT (PROC2_ENABLE_VPID | PROC2_RDTSCP | PROC2_INVPCID | PROC2_XSAVES)
/*
 * DR7 and IA32_DEBUGCTL are the guest's through the VMCS (x86_dbg.c); so
 * is IA32_PAT, which the guest writes directly (vmx_vm.c): without the PAT
 * controls its writes would stay in the host's (every CPU with EPT has
 * them).
 */
#define EXIT_REQ                                                                                   \
	(EXIT_HOST_64 | EXIT_SAVE_EFER | EXIT_LOAD_EFER | EXIT_SAVE_DEBUG | EXIT_SAVE_PAT |        \
	 EXIT_LOAD_PAT)
#define EXIT_OPT     0
#define EXIT_FORBID  (EXIT_ACK_INTR)
#define ENTRY_REQ    (ENTRY_LOAD_EFER | ENTRY_LOAD_DEBUG | ENTRY_LOAD_PAT)
#define ENTRY_OPT    0
#define ENTRY_FORBID (ENTRY_IA32E_GUEST) /* set per vCPU from EFER.LMA */

static void vmx_log(const char *msg)
{
	lv_plat_log(LV_LOG_ERROR, msg);
}

static int vmx_probe_cpuid(void)
{
	uint32_t a, b, c, d;

	lv_cpuid(0, 0, &a, &b, &c, &d);
	if (a < 1)
		return LV_ERR_NODEV;
	lv_cpuid(1, 0, &a, &b, &c, &d);
	if (!(c & (1u << 5))) /* CPUID.1:ECX.VMX[bit 5] (SDM Vol. 3, 24.6) */
		return LV_ERR_NODEV;
	return LV_OK;
}

static int vmx_compute_controls(struct vmx_backend *vb)
{
	static const uint32_t req[LV_VMX_CTL_COUNT] = { PIN_REQ, PROC_REQ, PROC2_REQ, EXIT_REQ,
							ENTRY_REQ };
	static const uint32_t opt[LV_VMX_CTL_COUNT] = { PIN_OPT, 0, PROC2_OPT, EXIT_OPT,
							ENTRY_OPT };
	static const uint32_t forbid[LV_VMX_CTL_COUNT] = { 0, PROC_FORBID, 0, EXIT_FORBID,
							   ENTRY_FORBID };
	unsigned i;
	int rc;

	for (i = 0; i < LV_VMX_CTL_COUNT; i++) {
		vb->cap[i] = lv_rdmsr(lv_vmx_ctl_msr(vb->basic, i));
		rc = lv_vmx_ctl_compute(vb->cap[i], req[i], opt[i], forbid[i], &vb->ctl[i]);
		if (rc) {
			vmx_log("vmx: a required VMX control is not available");
			return rc;
		}
	}
	return LV_OK;
}

/*
 * The guest's TPR must never reach the host's (CR8 is the local APIC's TPR
 * in 64-bit mode, SDM Vol. 3, 10.8.6.1): with the TPR shadow a guest's
 * MOV CR8 reads and writes the VTPR byte of the virtual-APIC page instead
 * (SDM Vol. 3, 29.1.1, 29.3; the TPR threshold is 0 unless the local APIC
 * of LV_VM_IRQCHIP waits for the guest to lower it, lv_vmx_tpr_watch()); without it, CR8-load and
 * CR8-store exiting (25.6.2) and the exit handler keeps the guest's TPR
 * (vmx_run.c). Either way the guest's TPR is lv_ctrl.cr8.
 */
int lv_vmx_force_cr8_exiting;

static int vmx_choose_tpr(struct vmx_backend *vb)
{
	const uint32_t cr8 = PROC_CR8_LOAD | PROC_CR8_STORE;
	uint64_t cap = vb->cap[LV_VMX_CTL_PROC];
	uint32_t must1 = (uint32_t)cap; /* allowed 0-settings: bits that must be 1 (A.3.2) */

	vb->ctl[LV_VMX_CTL_PROC] &= ~(cr8 | PROC_TPR_SHADOW);
	if (lv_vmx_ctl_allowed1(cap, PROC_TPR_SHADOW) && !(must1 & cr8) &&
	    !lv_vmx_force_cr8_exiting) {
		vb->ctl[LV_VMX_CTL_PROC] |= PROC_TPR_SHADOW;
		vb->has_tpr_shadow = true;
		return LV_OK;
	}
	if (!lv_vmx_ctl_allowed1(cap, cr8) || (must1 & PROC_TPR_SHADOW))
		return LV_ERR_NOTSUP;
	vb->ctl[LV_VMX_CTL_PROC] |= cr8;
	return LV_OK;
}

int lv_vmx_open(struct lv_backend *b)
{
	struct vmx_backend *vb;
	uint32_t a, bx, c, d;
	int rc = vmx_probe_cpuid();

	if (rc)
		return lv_backend_fail(b, rc, LV_OPEN_NO_CPU_SUPPORT, 0, 0,
				       "this CPU offers no VMX (CPUID.1:ECX.VMX is clear)", "");
	vb = lv_plat_alloc(sizeof(*vb));
	if (!vb)
		return LV_ERR_NOMEM;
	vb->basic = lv_rdmsr(LV_MSR_VMX_BASIC);
	vb->revision = LV_VMX_BASIC_REVISION(vb->basic);
	rc = LV_ERR_NOTSUP;
	/* The VMXON region and VMCS must fit in one page and be WB (A.1). */
	if (LV_VMX_BASIC_REGION_SIZE(vb->basic) > 4096 || LV_VMX_BASIC_MEMTYPE(vb->basic) != 6) {
		vmx_log("vmx: unsupported VMCS size or memory type");
		goto fail;
	}
	rc = vmx_compute_controls(vb);
	if (rc)
		goto fail;
	rc = vmx_choose_tpr(vb);
	if (rc) {
		vmx_log("vmx: neither a TPR shadow nor CR8 exiting");
		goto fail;
	}
	vb->ept_vpid = lv_rdmsr(LV_MSR_VMX_EPT_VPID_CAP);
	if ((vb->ept_vpid & (EPTCAP_WALK4 | EPTCAP_WB | EPTCAP_INVEPT | EPTCAP_INVEPT_SINGLE)) !=
	    (EPTCAP_WALK4 | EPTCAP_WB | EPTCAP_INVEPT | EPTCAP_INVEPT_SINGLE)) {
		vmx_log("vmx: EPT lacks 4-level walks, WB or single-context INVEPT");
		rc = LV_ERR_NOTSUP;
		goto fail;
	}
	vb->has_vpid = (vb->ctl[LV_VMX_CTL_PROC2] & PROC2_ENABLE_VPID) &&
		       (vb->ept_vpid & (VPIDCAP_INVVPID | VPIDCAP_SINGLE)) ==
			       (VPIDCAP_INVVPID | VPIDCAP_SINGLE);
	if (!vb->has_vpid)
		vb->ctl[LV_VMX_CTL_PROC2] &= ~PROC2_ENABLE_VPID;
	vb->has_ad = (vb->ept_vpid & EPTCAP_AD) != 0;
	vb->has_vnmi = (vb->ctl[LV_VMX_CTL_PIN] & PIN_VIRTUAL_NMIS) != 0;
	/*
	 * The preemption timer counts down every 2^rate TSC ticks (VMX_MISC
	 * bits 4:0, A.6); about 2^22 ticks per slice (a few milliseconds).
	 * Its exits only return to the run loop, where a pending host
	 * interrupt is taken and a kick is seen: a guest that spins with
	 * interrupts off still lets the host in on an emulator (Bochs 2.7)
	 * that does not exit on host interrupts while guest RFLAGS.IF = 0.
	 */
	vb->preempt_rate = LV_MIN((uint32_t)lv_rdmsr(LV_MSR_VMX_MISC) & 0x1f, 22u);
	vb->preempt_value = 1u << (22 - vb->preempt_rate);
	vb->cr0_fixed0 = lv_rdmsr(LV_MSR_VMX_CR0_FIXED0);
	vb->cr0_fixed1 = lv_rdmsr(LV_MSR_VMX_CR0_FIXED1);
	vb->cr4_fixed0 = lv_rdmsr(LV_MSR_VMX_CR4_FIXED0);
	vb->cr4_fixed1 = lv_rdmsr(LV_MSR_VMX_CR4_FIXED1);
	lv_vpid_init(&vb->vpids);
	vb->ept_sizes = LV_PT_SIZE_4K;
	if (vb->ept_vpid & EPTCAP_2M)
		vb->ept_sizes |= LV_PT_SIZE_2M;
	if (vb->ept_vpid & EPTCAP_1G)
		vb->ept_sizes |= LV_PT_SIZE_1G;

	vb->ncpus = lv_plat_cpu_count();
	rc = LV_ERR_NOMEM;
	vb->cpus = lv_plat_alloc(vb->ncpus * sizeof(*vb->cpus));
	vb->current = lv_plat_alloc(vb->ncpus * sizeof(*vb->current));
	if (!vb->cpus || !vb->current)
		goto fail;

	b->priv = vb;
	b->caps.kind = LV_BACKEND_VMX;
	b->caps.max_vcpus = 64;
	b->caps.max_slots = 512;
	lv_cpuid(0x80000000u, 0, &a, &bx, &c, &d);
	b->caps.guest_phys_bits = 36;
	if (a >= 0x80000008u) {
		lv_cpuid(0x80000008u, 0, &a, &bx, &c, &d);
		b->caps.guest_phys_bits = LV_MIN(a & 0xffu, 48u); /* 4-level EPT: 48 bits */
	}
	b->caps.page_sizes = vb->ept_sizes;
	b->caps.features = LV_FEAT_UNRESTRICTED_GUEST | LV_FEAT_READONLY_MEM | LV_FEAT_NOEXEC_MEM |
			   LV_FEAT_CPUID_EXIT | LV_FEAT_MSR_EXIT | LV_FEAT_IRQ_WINDOW |
			   LV_FEAT_HYPERCALL_EXIT | LV_FEAT_NESTED_PAGING | LV_FEAT_RING0 |
			   LV_FEAT_SINGLESTEP;
	if (vb->has_vnmi && lv_vmx_ctl_allowed1(vb->cap[LV_VMX_CTL_PROC], PROC_NMI_WINDOW))
		b->caps.features |= LV_FEAT_NMI_WINDOW;
	if (vb->has_ad)
		b->caps.features |= LV_FEAT_DIRTY_LOG;
	if (vb->has_vpid)
		b->caps.features |= LV_FEAT_TLB_TAGGED;
	b->caps.exception_exits = ~(1u << 2); /* every vector but NMI */
	b->caps.num_asids = vb->has_vpid ? LV_VPID_COUNT - 1 : 0;
	b->caps.raw[0] = vb->basic;
	b->caps.raw[1] = vb->ept_vpid;
	b->caps.raw[2] = ((uint64_t)vb->ctl[LV_VMX_CTL_PROC2] << 32) | vb->ctl[LV_VMX_CTL_PROC];
	b->caps.raw[3] = ((uint64_t)vb->ctl[LV_VMX_CTL_ENTRY] << 32) | vb->ctl[LV_VMX_CTL_EXIT];
	return LV_OK;
fail:
	lv_plat_free(vb->cpus);
	lv_plat_free(vb->current);
	lv_plat_free(vb);
	return rc;
}

void lv_vmx_close(struct lv_backend *b)
{
	struct vmx_backend *vb = b->priv;

	lv_plat_free(vb->cpus);
	lv_plat_free(vb->current);
	lv_plat_free(vb);
	b->priv = NULL;
}

/* ---- per-CPU enable/disable (SDM Vol. 3, 24.7, 24.8) -------------------- */

int lv_vmx_cpu_enable(struct lv_backend *b)
{
	struct vmx_backend *vb = b->priv;
	uint32_t id = lv_plat_cpu_id();
	struct vmx_cpu *pc;
	uint64_t fc, cr0, cr4;
	int rc;

	if (id >= vb->ncpus)
		return LV_ERR_INVAL;
	pc = &vb->cpus[id];
	if (pc->enabled)
		return LV_ERR_EXIST;
	if (vmx_probe_cpuid())
		return LV_ERR_NODEV;

	/* IA32_FEATURE_CONTROL: lock it with VMXON enabled if the firmware
	 * left it unlocked; locked without bit 2 means disabled (23.7). */
	fc = lv_rdmsr(LV_MSR_IA32_FEATURE_CONTROL);
	if (!(fc & LV_FEATCTL_LOCK)) {
		fc |= LV_FEATCTL_LOCK | LV_FEATCTL_VMXON_OUTSIDE_SMX;
		lv_wrmsr(LV_MSR_IA32_FEATURE_CONTROL, fc);
	} else if (!(fc & LV_FEATCTL_VMXON_OUTSIDE_SMX)) {
		vmx_log("vmx: disabled by IA32_FEATURE_CONTROL (locked, VMXON off)");
		return LV_ERR_DISABLED;
	}

	/* CR0/CR4 must satisfy the fixed bits in VMX operation (23.8). */
	cr0 = lv_read_cr0();
	cr4 = lv_read_cr4();
	if (!lv_vmx_fixed_ok(cr0, vb->cr0_fixed0, vb->cr0_fixed1, 0)) {
		vmx_log("vmx: host CR0 violates VMX fixed bits");
		return LV_ERR_STATE;
	}
	if (cr4 & CR4_VMXE) {
		vmx_log("vmx: CR4.VMXE already set: VMX in use by someone else");
		return LV_ERR_BUSY;
	}
	if (!lv_vmx_fixed_ok(cr4 | CR4_VMXE, vb->cr4_fixed0, vb->cr4_fixed1, 0)) {
		vmx_log("vmx: host CR4 violates VMX fixed bits");
		return LV_ERR_STATE;
	}
	if (!pc->vmxon_va) {
		pc->vmxon_va = lv_plat_page_alloc(1, &pc->vmxon_pa);
		if (!pc->vmxon_va)
			return LV_ERR_NOMEM;
	}
	memset(pc->vmxon_va, 0, 4096);
	*(uint32_t *)pc->vmxon_va = vb->revision;
	pc->saved_cr4 = cr4;
	lv_write_cr4(cr4 | CR4_VMXE);
	rc = vmxon(pc->vmxon_pa);
	if (rc != VMX_OK) {
		lv_write_cr4(cr4);
		vmx_log("vmx: VMXON failed");
		return LV_ERR_HW;
	}
	pc->host_tsc_aux = lv_x86_host_tsc_aux(); /* put back after runs (x86_aux.c) */
	pc->enabled = true;
	vb->current[id] = NULL;
	/* Nothing tagged with our VPIDs or EPTPs may survive from before. */
	if (vb->ept_vpid & EPTCAP_INVEPT_ALL)
		invept(LV_INVEPT_ALL_CONTEXT, 0);
	if (vb->has_vpid && (vb->ept_vpid & VPIDCAP_ALL))
		invvpid(LV_INVVPID_ALL_CONTEXT, 0, 0);
	return LV_OK;
}

/* VMCLEAR every VMCS active on CPU @p id (this one, interrupts off): their
 * state goes to memory and they may be loaded on any CPU afterwards (SDM
 * Vol. 3, 25.11.1). VMCSs stay active after runs (vmx_vcpu.c), so there
 * may be several, of any VM. */
static void vmx_put_all(struct lv_backend *b, uint32_t id)
{
	struct vmx_backend *vb = b->priv;
	struct lv_vm *vm;
	uint32_t i;

	for (vm = b->vms; vm; vm = vm->next) {
		if (vm->state != LV_OBJ_LIVE)
			continue;
		for (i = 0; i < vm->max_vcpus; i++) {
			struct lv_vcpu *v = vm->vcpus[i];
			struct vmx_vcpu *xc = v && v->state == LV_OBJ_LIVE ? v->priv : NULL;

			if (xc && xc->x.cpu == (int32_t)id)
				lv_vmx_vcpu_put(vb, xc);
		}
	}
}

int lv_vmx_cpu_disable(struct lv_backend *b)
{
	struct vmx_backend *vb = b->priv;
	uint32_t id = lv_plat_cpu_id();
	struct vmx_cpu *pc;
	uint64_t fl;

	if (id >= vb->ncpus)
		return LV_ERR_INVAL;
	pc = &vb->cpus[id];
	if (!pc->enabled)
		return LV_ERR_STATE;
	/*
	 * Interrupts off from the sweep to VMXOFF: a clear that another CPU
	 * asks for (lv_plat_call_on_cpu()) runs before it or finds nothing
	 * left (x.cpu is -1 then; clear_here() in vmx_vcpu.c).
	 */
	irq_save(&fl);
	vmx_put_all(b, id);
	vmxoff();
	pc->enabled = false;
	irq_restore(&fl);
	lv_write_cr4(pc->saved_cr4 & ~CR4_VMXE);
	lv_plat_page_free(pc->vmxon_va, 1);
	pc->vmxon_va = NULL;
	return LV_OK;
}

/*
 * The APIC timer of an LV_VM_IRQCHIP vCPU while the guest runs (x86_apic.c):
 * the preemption timer (SDM Vol. 3, 26.5.1) ends this entry after @p
 * ns_left, taken as TSC ticks (exact where the seam's clock is the TSC;
 * early where the TSC is faster, which costs an exit), or after the usual
 * slice when that is sooner or there is no deadline (~0). VM entry loads
 * the field each time (no "save preemption timer value"), so the value
 * written here is this entry's; the caller is the slow entry path, with
 * the VMCS current. @return 0 without the preemption timer.
 */
int lv_vmx_guest_timer(struct lv_vcpu *v, uint64_t ns_left)
{
	struct vmx_vcpu *xc = v->priv;
	const struct vmx_backend *vb = v->vm->backend->priv;
	uint64_t n = ns_left >> vb->preempt_rate;

	if (!(xc->pin & PIN_PREEMPT_TIMER))
		return 0;
	vmwrite(VMCS_PREEMPT_TIMER, (uint32_t)LV_MIN(n, (uint64_t)vb->preempt_value));
	return 1;
}
