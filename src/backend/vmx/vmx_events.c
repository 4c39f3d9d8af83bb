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
	bool irq_win = false, nmi_win = false;

	if (!(xc->inject_info & INTR_INFO_VALID)) {
		if (xc->pend_exc_info) {
			xc->inject_info = xc->pend_exc_info;
			xc->inject_err = xc->pend_exc_err;
			xc->pend_exc_info = 0;
		} else if (xc->pend_nmi) {
			uint32_t intr = (uint32_t)vmread(VMCS_GUEST_INTERRUPTIBILITY);

			if (!(intr & (INTERRUPTIBILITY_NMI | INTERRUPTIBILITY_MOVSS |
				      INTERRUPTIBILITY_STI))) {
				xc->inject_info = INTR_INFO_VALID | (INTR_TYPE_NMI << 8) | 2;
				xc->pend_nmi = false;
			} else {
				nmi_win = true;
			}
		} else if (xc->pend_irq) {
			uint32_t intr = (uint32_t)vmread(VMCS_GUEST_INTERRUPTIBILITY);

			if ((vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
			    !(intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOVSS))) {
				xc->inject_info = INTR_INFO_VALID | (INTR_TYPE_EXTINT << 8) |
						  xc->pend_irq_vector;
				xc->pend_irq = false;
			} else {
				irq_win = true;
			}
		}
	}
	/* Still queued behind the event going in now: exit when it can go. */
	if (xc->pend_irq && !irq_win && (xc->inject_info & INTR_INFO_VALID))
		irq_win = true;
	if (xc->pend_nmi && !nmi_win && (xc->inject_info & INTR_INFO_VALID))
		nmi_win = xc->vcpu->vm->backend->caps.features & LV_FEAT_NMI_WINDOW;
	if (irq_win != xc->want_irq_window || nmi_win != xc->want_nmi_window) {
		xc->want_irq_window = irq_win;
		xc->want_nmi_window = nmi_win;
		xc->ctl_dirty = true;
	}
}

/* ---- events and windows ------------------------------------------------------ */

int lv_vmx_inject(struct lv_vcpu *vcpu, const struct lv_event *ev)
{
	struct vmx_vcpu *xc = vcpu->priv;
	uint32_t inflight = xc->inject_info & INTR_INFO_VALID ? INTR_INFO_TYPE(xc->inject_info) : 8;

	if (xc->dirty & LV_STATE_EVENTS) {
		/* Events set by the caller and not applied yet: queue into them. */
		struct lv_events *e = &xc->cache.events;

		if (ev->type == LV_EVENT_EXTINT) {
			if (e->interrupt_pending)
				return LV_ERR_BUSY;
			e->interrupt_pending = 1;
			e->interrupt_vector = ev->vector;
		} else if (ev->type == LV_EVENT_NMI) {
			if (e->nmi_pending)
				return LV_ERR_BUSY;
			e->nmi_pending = 1;
		} else {
			if (e->exception_pending)
				return LV_ERR_BUSY;
			e->exception_pending = 1;
			e->exception_vector = ev->vector;
			e->exception_has_error_code = ev->has_error_code;
			e->exception_error_code = ev->has_error_code ? ev->error_code : 0;
		}
		xc->slow = true;
		return LV_OK;
	}
	if (ev->type == LV_EVENT_EXTINT) {
		if (xc->pend_irq || inflight == INTR_TYPE_EXTINT)
			return LV_ERR_BUSY;
		xc->pend_irq = true;
		xc->pend_irq_vector = ev->vector;
	} else if (ev->type == LV_EVENT_NMI) {
		if (xc->pend_nmi || inflight == INTR_TYPE_NMI)
			return LV_ERR_BUSY;
		xc->pend_nmi = true;
	} else {
		if (xc->pend_exc_info || inflight == INTR_TYPE_HW_EXC)
			return LV_ERR_BUSY;
		xc->pend_exc_info = INTR_INFO_VALID | (INTR_TYPE_HW_EXC << 8) | ev->vector;
		if (ev->has_error_code) {
			xc->pend_exc_info |= INTR_INFO_ERRCODE;
			xc->pend_exc_err = ev->error_code;
		}
	}
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
