/* SPDX-License-Identifier: MIT */
/*
 * VMX events: the interruptibility the shared queue asks about, the entry's
 * interruption information it fills, and taking back an event a failed
 * entry left behind (Intel SDM Vol. 3, 26.3.1.5, 26.6, 27.6).
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
	xc->x.slow = 1;
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
