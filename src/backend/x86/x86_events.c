/* SPDX-License-Identifier: MIT */
/* The per-kind event queue of the raw backends (x86_events.h). */
#include "x86_events.h"

int lv_x86_events_queue(struct lv_x86_events *q, const struct lv_event *ev, uint32_t inflight)
{
	if (inflight & LV_X86_KIND(ev->type))
		return LV_ERR_BUSY;
	switch (ev->type) {
	case LV_EVENT_EXTINT:
		if (q->irq)
			return LV_ERR_BUSY;
		q->irq = 1;
		q->irq_vector = ev->vector;
		break;
	case LV_EVENT_NMI:
		if (q->nmi)
			return LV_ERR_BUSY;
		q->nmi = 1;
		break;
	default:
		if (q->exc)
			return LV_ERR_BUSY;
		lv_x86_events_exception(q, ev->vector, ev->has_error_code, ev->error_code);
		break;
	}
	return LV_OK;
}

void lv_x86_events_exception(struct lv_x86_events *q, uint8_t vector, int has_err, uint32_t err)
{
	q->exc = 1;
	q->exc_vector = vector;
	q->exc_has_err = has_err != 0;
	q->exc_err = has_err ? err : 0;
}

int lv_x86_events_pick(struct lv_x86_events *q, int slot_busy, int nmi_open, int irq_open,
		       int nmi_window, struct lv_event *out)
{
	int type = -1;

	q->want_irq_window = q->want_nmi_window = 0;
	if (!slot_busy) {
		if (q->exc) {
			type = LV_EVENT_EXCEPTION;
			out->vector = q->exc_vector;
			out->has_error_code = q->exc_has_err;
			out->error_code = q->exc_err;
			q->exc = 0;
		} else if (q->nmi && nmi_open) {
			type = LV_EVENT_NMI;
			out->vector = 2;
			q->nmi = 0;
		} else if (q->irq && irq_open && !q->nmi) {
			type = LV_EVENT_EXTINT;
			out->vector = q->irq_vector;
			q->irq = 0;
		}
		if (type >= 0)
			out->type = (uint32_t)type;
	}
	/*
	 * What still waits because the guest blocks it, or behind the event
	 * going in now: exit as soon as the guest can take it. (An interrupt
	 * held back only by a queued NMI waits for that NMI's window instead,
	 * or it would exit at once, again and again.)
	 */
	if (q->irq && (!irq_open || slot_busy || type >= 0))
		q->want_irq_window = 1;
	if (q->nmi && nmi_window && (!nmi_open || slot_busy || type >= 0))
		q->want_nmi_window = 1;
	return type;
}

void lv_x86_events_to_state(const struct lv_x86_events *q, uint64_t inflight, uint32_t err,
			    struct lv_events *e)
{
	/* The event the next entry carries counts as pending too. */
	switch (lv_x86_inflight_kind(inflight)) {
	case LV_X86_KIND(LV_EVENT_NMI):
		e->nmi_pending = 1;
		break;
	case LV_X86_KIND(LV_EVENT_EXTINT):
		e->interrupt_pending = 1;
		e->interrupt_vector = (uint8_t)inflight;
		break;
	case LV_X86_KIND(LV_EVENT_EXCEPTION):
		e->exception_pending = 1;
		e->exception_vector = (uint8_t)inflight;
		e->exception_has_error_code = (inflight >> 11) & 1;
		e->exception_error_code = e->exception_has_error_code ? err : 0;
		break;
	default:
		break;
	}
	if (q->exc) {
		e->exception_pending = 1;
		e->exception_vector = q->exc_vector;
		e->exception_has_error_code = q->exc_has_err;
		e->exception_error_code = q->exc_err;
	}
	if (q->nmi)
		e->nmi_pending = 1;
	if (q->irq) {
		e->interrupt_pending = 1;
		e->interrupt_vector = q->irq_vector;
	}
}

void lv_x86_events_from_state(struct lv_x86_events *q, const struct lv_events *e)
{
	q->exc = e->exception_pending != 0;
	q->exc_vector = e->exception_vector;
	q->exc_has_err = e->exception_has_error_code != 0;
	q->exc_err = e->exception_has_error_code ? e->exception_error_code : 0;
	q->nmi = e->nmi_pending != 0;
	q->irq = e->interrupt_pending != 0;
	q->irq_vector = e->interrupt_vector;
	q->want_irq_window = q->want_nmi_window = 0;
}
