/* SPDX-License-Identifier: MIT */
/*
 * The event queue behind lv_vcpu_inject() on the raw backends, implemented
 * once: at most one exception, one NMI and one external interrupt wait
 * (libvcpu.h: "one per kind"), each until the guest can take it. Before an
 * entry the vendor says what the guest can take now (its interruptibility
 * state) and whether the entry already carries an event; the queue picks
 * what goes in (exception, then NMI, then interrupt; one per entry, SDM
 * Vol. 3, 6.9 / APM Vol. 2, 8.5) and which window exits it needs. The
 * vendor encodes the picked event (VMX entry interruption info, SVM
 * EVENTINJ) and arms the windows.
 */
#ifndef LV_X86_EVENTS_H
#define LV_X86_EVENTS_H

#include <stdint.h>

#include <libvcpu/libvcpu.h>
#include <libvcpu/state.h>

struct lv_x86_events {
	uint8_t exc, nmi, irq; /* queued, one per kind */
	uint8_t exc_vector, exc_has_err, irq_vector;
	uint8_t want_irq_window; /* a queued interrupt waits for the guest */
	uint8_t want_nmi_window; /* a queued NMI waits for the guest */
	uint32_t exc_err;
};

/* Bits of the kinds an entry already carries (lv_x86_events_queue()'s @p inflight). */
#define LV_X86_KIND(type) (1u << (type)) /* type: LV_EVENT_* */

/*
 * Queue @p ev (already validated by the API layer). @return LV_OK, or
 * LV_ERR_BUSY when an event of its kind is queued or in flight (@p inflight:
 * LV_X86_KIND() bits of the event the next entry already carries).
 */
int lv_x86_events_queue(struct lv_x86_events *q, const struct lv_event *ev, uint32_t inflight);

/* An exception raised by the backend itself (emulator fault): replaces a queued one. */
void lv_x86_events_exception(struct lv_x86_events *q, uint8_t vector, int has_err, uint32_t err);

/*
 * Pick what goes into the next entry. @p slot_busy: the entry already
 * carries an event (nothing more goes in). @p nmi_open, @p irq_open: the
 * guest can take an NMI / an external interrupt now. @p nmi_window: the
 * vendor can exit on an NMI window. Sets q->want_*_window.
 * @return the LV_EVENT_* type dequeued into @p out, or -1 for none.
 */
int lv_x86_events_pick(struct lv_x86_events *q, int slot_busy, int nmi_open, int irq_open,
		       int nmi_window, struct lv_event *out);

/* Anything queued or waited for: the entry path must call lv_x86_events_pick(). */
static inline int lv_x86_events_busy(const struct lv_x86_events *q)
{
	return q->exc | q->nmi | q->irq | q->want_irq_window | q->want_nmi_window;
}

/* The queued events into / from LV_STATE_EVENTS (only the pending fields). */
void lv_x86_events_to_state(const struct lv_x86_events *q, struct lv_events *e);
void lv_x86_events_from_state(struct lv_x86_events *q, const struct lv_events *e);

#endif /* LV_X86_EVENTS_H */
