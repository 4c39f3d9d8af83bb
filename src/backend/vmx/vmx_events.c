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
