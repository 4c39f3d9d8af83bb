/* SPDX-License-Identifier: MIT */
/*
 * VMX events: the interruptibility the shared queue asks about, the entry's
 * interruption information it fills, taking back an event a failed
 * entry left behind (Intel SDM Vol. 3, 26.3.1.5, 26.6, 27.6), and the
 * entry's slow work that arms them (lv_vmx_prepare_slow(), called by the
 * enter hook's cold path in vmx_run.c).
 */
#include "../../core/lvlib.h"
#include "vmcs.h"
#include "vmx_insn.h"
#include "vmx_priv.h"
#include "../../core/x86_arch.h"

/*
 * A failed entry leaves the VM-entry interruption-information field valid
 * (only VM exits clear it, 28.2 / 26.8): take the event back so that the
 * state shows it pending and the caller can drop or change it.
 */
void lv_vmx_take_back_event(struct vmx_vcpu *xc)
{
	uint32_t info = (uint32_t)vmread(VMCS_ENTRY_INTR_INFO);

	if (!(info & INTR_INFO_VALID))
		return;
	xc->inject_info = info;
	lv_x86_rq_set(&xc->x, LV_X86_RQ_VENDOR);
	xc->inject_err = (uint32_t)vmread(VMCS_ENTRY_EXC_ERRCODE);
	xc->inject_len = (uint32_t)vmread(VMCS_ENTRY_INSN_LEN);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
}

/*
 * Interruptibility (SDM Vol. 3, 25.4.2, 26.3.1.5): the event the next entry
 * carries (on the entry path also one already in the VMCS), and whether
 * the guest can take an NMI (no NMI blocking, no STI/MOV-SS shadow) or an
 * external interrupt (RFLAGS.IF, no shadow) now.
 * The VMCS is current when the open flags are asked for (entry path).
 */
uint64_t lv_vmx_event_slot(struct lv_vcpu *vcpu, int *nmi_open, int *irq_open)
{
	struct vmx_vcpu *xc = vcpu->priv;

	if (nmi_open || irq_open) {
		uint32_t intr = (uint32_t)vmread(VMCS_GUEST_INTERRUPTIBILITY);
		uint32_t shadow = intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS);

		if (nmi_open)
			*nmi_open = !shadow && !(intr & INTERRUPTIBILITY_NMI);
		if (irq_open)
			*irq_open = !shadow && (vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF);
		/*
		 * An event the entry work already wrote to the VMCS (and took
		 * out of inject_info) for an entry that did not happen (a kick):
		 * the field stays valid until a VM exit clears it (SDM Vol. 3,
		 * 27.2), and nothing may overwrite it.
		 */
		if (!(xc->inject_info & INTR_INFO_VALID)) {
			uint32_t pend = (uint32_t)vmread(VMCS_ENTRY_INTR_INFO);

			if (pend & INTR_INFO_VALID)
				return pend;
		}
	}
	return (xc->inject_info & INTR_INFO_VALID) ? xc->inject_info : 0;
}

/* The picked event into the entry's interruption information (25.8.3). */
void lv_vmx_event_put(struct lv_vcpu *vcpu, const struct lv_event *ev)
{
	struct vmx_vcpu *xc = vcpu->priv;

	switch (ev->type) {
	case LV_EVENT_NMI:
		xc->inject_info = INTR_INFO_VALID | (INTR_TYPE_NMI << 8) | 2;
		break;
	case LV_EVENT_EXTINT:
		xc->inject_info = INTR_INFO_VALID | (INTR_TYPE_EXTINT << 8) | ev->vector;
		break;
	default:
		xc->inject_info = INTR_INFO_VALID | (INTR_TYPE_HW_EXC << 8) | ev->vector;
		if (ev->has_error_code) {
			xc->inject_info |= INTR_INFO_ERRCODE;
			xc->inject_err = ev->error_code;
		}
		break;
	}
}

/*
 * The guest's CR8: with the TPR shadow VTPR[7:4] of the virtual-APIC page
 * (SDM Vol. 3, 29.3: MOV CR8 reads and writes it without an exit), else
 * the copy the CR8-exit handler keeps (vmx_run.c). No VMCS access.
 */
uint32_t lv_vmx_cr8_get(struct lv_vcpu *v)
{
	const struct vmx_vcpu *xc = v->priv;

	if (xc->vapic)
		return (xc->vapic[VAPIC_TPR] >> 4) & 0xfu;
	return (uint32_t)(xc->cache.ctrl.cr8 & 0xf);
}

void lv_vmx_cr8_put(struct lv_vcpu *v, uint32_t cr8)
{
	struct vmx_vcpu *xc = v->priv;

	xc->cache.ctrl.cr8 = cr8 & 0xf;
	if (xc->vapic)
		xc->vapic[VAPIC_TPR] = (uint8_t)((cr8 & 0xf) << 4);
}

/*
 * The TPR threshold (SDM Vol. 3, 25.6.8): a MOV to CR8 that takes VTPR[7:4]
 * below it exits after the write ("TPR below threshold", 29.1.2), so the
 * vector the TPR held back goes in right after. VM entry wants it no
 * larger than VTPR[7:4] (26.2.1.1), which holds: @p cls is at most the
 * TPR's class here. Without the TPR shadow every MOV to CR8 exits.
 */
void lv_vmx_tpr_watch(struct lv_vcpu *v, uint32_t cls)
{
	struct vmx_vcpu *xc = v->priv;

	if (!xc->vapic || cls == xc->tpr_threshold)
		return;
	vmwrite(VMCS_TPR_THRESHOLD, cls);
	xc->tpr_threshold = (uint8_t)cls;
}

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

/* Everything an entry may need besides entering; flagged by LV_X86_RQ_WORK (x86_vcpu.h). */
void lv_vmx_prepare_slow(struct lv_vcpu *v)
{
	struct vmx_vcpu *xc = v->priv;

	if (xc->dirty)
		lv_vmx_sync_to_vmcs(xc);
	if (lv_x86_events_busy(&xc->x.events))
		lv_x86_arm_events(v);
	if (xc->ctl_dirty) {
		uint32_t proc = xc->proc &
				~(PROC_INTR_WINDOW | PROC_NMI_WINDOW | PROC_MOV_DR_EXITING);

		/* MOV DR exits until the guest's own debug registers are loaded (x86_dbg.c). */
		if (!xc->x.dbg.on)
			proc |= PROC_MOV_DR_EXITING;
		if ((xc->x.windows & LV_WINDOW_IRQ) || xc->x.events.want_irq_window)
			proc |= PROC_INTR_WINDOW;
		if ((xc->x.windows & LV_WINDOW_NMI) || xc->x.events.want_nmi_window)
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
	if (xc->x.singlestep)
		arm_singlestep(xc);
	/*
	 * Debug registers (x86_dbg.c): the guest's DR0-DR3 and DR6 in; the
	 * exit (exit_work()) puts the host's back, and its DR7 if not 400H.
	 */
	if (xc->x.dbg.on)
		lv_x86_dbg_load(&xc->x.dbg, 1);
	if (xc->x.dbg.work)
		xc->exit_work |= EXIT_WORK_DBG;
	/*
	 * The guest's TSC_AUX in when it differs from this CPU's (x86_aux.c);
	 * vmx_done() puts the host's back. Whether they differ changes only
	 * with a write of it (lv_x86_own_msr() sets a request) or a new CPU
	 * (lv_vmx_vcpu_load() sets it).
	 */
	if (xc->x.tsc_aux != *xc->host_aux && !xc->x.aux_loaded) {
		lv_x86_aux_load(&xc->x);
		xc->end_work |= END_WORK_AUX;
	}
	/* Queued events, single-step, debug-register work and TSC_AUX keep the slow path. */
	if (!(lv_x86_events_busy(&xc->x.events) || xc->x.singlestep || xc->x.dbg.on ||
	      xc->x.dbg.work || xc->x.tsc_aux != *xc->host_aux))
		lv_x86_rq_clear(&xc->x, LV_X86_RQ_WORK);
}
