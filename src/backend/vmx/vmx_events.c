/* SPDX-License-Identifier: MIT */
/*
 * VMX events: the queue behind lv_vcpu_inject() (one event per kind), the
 * interrupt/NMI windows, arming a queued event into the next VM entry when
 * the guest can take it, and taking back an event a failed entry left
 * behind (Intel SDM Vol. 3, 26.3.1.5, 26.6, 27.6).
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
	xc->slow = true;
	xc->inject_err = (uint32_t)vmread(VMCS_ENTRY_EXC_ERRCODE);
	xc->inject_len = (uint32_t)vmread(VMCS_ENTRY_INSN_LEN);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
}

/*
 * Move a queued event into the entry's injection when the guest can take
 * it (SDM Vol. 3, 26.3.1.5 / 27.6), else open the matching window exit.
 * Order: exception, NMI, external interrupt; one per entry.
 */
void lv_vmx_arm_events(struct vmx_vcpu *xc)
{
	uint32_t intr = (uint32_t)vmread(VMCS_GUEST_INTERRUPTIBILITY);
	bool irq_win = xc->events.want_irq_window, nmi_win = xc->events.want_nmi_window;
	int nmi_open = !(intr &
			 (INTERRUPTIBILITY_NMI | INTERRUPTIBILITY_MOVSS | INTERRUPTIBILITY_STI));
	int irq_open = (vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
		       !(intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS));
	int nmi_window = (xc->vcpu->vm->backend->caps.features & LV_FEAT_NMI_WINDOW) != 0;
	struct lv_event ev;

	switch (lv_x86_events_pick(&xc->events, (xc->inject_info & INTR_INFO_VALID) != 0, nmi_open,
				   irq_open, nmi_window, &ev)) {
	case LV_EVENT_EXCEPTION:
		xc->inject_info = INTR_INFO_VALID | (INTR_TYPE_HW_EXC << 8) | ev.vector;
		if (ev.has_error_code) {
			xc->inject_info |= INTR_INFO_ERRCODE;
			xc->inject_err = ev.error_code;
		}
		break;
	case LV_EVENT_NMI:
		xc->inject_info = INTR_INFO_VALID | (INTR_TYPE_NMI << 8) | 2;
		break;
	case LV_EVENT_EXTINT:
		xc->inject_info = INTR_INFO_VALID | (INTR_TYPE_EXTINT << 8) | ev.vector;
		break;
	default:
		break;
	}
	if (irq_win != xc->events.want_irq_window || nmi_win != xc->events.want_nmi_window)
		xc->ctl_dirty = true;
}

/* ---- events and windows ------------------------------------------------------ */

int lv_vmx_inject(struct lv_vcpu *vcpu, const struct lv_event *ev)
{
	struct vmx_vcpu *xc = vcpu->priv;
	int rc;

	if (xc->dirty & LV_STATE_EVENTS) {
		/* Events set by the caller and not applied yet: queue into them, same rule. */
		struct lv_x86_events q = { 0 };

		lv_x86_events_from_state(&q, &xc->cache.events);
		rc = lv_x86_events_queue(&q, ev, 0);
		if (rc)
			return rc;
		lv_x86_events_to_state(&q, &xc->cache.events);
		xc->slow = true;
		return LV_OK;
	}
	rc = lv_x86_events_queue(&xc->events, ev, lv_x86_inflight_kind(xc->inject_info));
	if (rc)
		return rc;
	xc->valid &= ~LV_STATE_EVENTS;
	xc->slow = true;
	return LV_OK;
}

int lv_vmx_request_window(struct lv_vcpu *vcpu, uint32_t mask)
{
	struct vmx_backend *vb = vcpu->vm->backend->priv;
	struct vmx_vcpu *xc = vcpu->priv;

	if ((mask & LV_WINDOW_NMI) && !(vcpu->vm->backend->caps.features & LV_FEAT_NMI_WINDOW))
		return LV_ERR_NOTSUP;
	xc->windows = mask;
	xc->ctl_dirty = true;
	xc->slow = true;
	(void)vb;
	return LV_OK;
}
