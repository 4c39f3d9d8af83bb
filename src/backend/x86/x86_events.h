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
	uint8_t apic;		 /* the vCPU has a local APIC: every entry asks it (x86_apic.h) */
	uint32_t exc_err;
};

/* Bits of the kinds an entry already carries (lv_x86_events_queue()'s @p inflight). */
#define LV_X86_KIND(type) (1u << (type)) /* type: LV_EVENT_* */

/*
 * The kind (LV_X86_KIND() bit, 0 for none) of the event an entry already
 * carries, from the vendor's raw word: VMX's VM-entry interruption
 * information and SVM's EVENTINJ share the layout of their low 32 bits (SDM
 * Vol. 3, 25.8.3; APM Vol. 2, 15.20): valid bit 31, type 10:8 (0 external
 * interrupt, 2 NMI, 3 exception, 4 and up software events), vector 7:0.
 */
static inline uint32_t lv_x86_inflight_kind(uint64_t info)
{
	if (!(info & (1u << 31)))
		return 0;
	switch ((info >> 8) & 7u) {
	case 0:
		return LV_X86_KIND(LV_EVENT_EXTINT);
	case 2:
		return LV_X86_KIND(LV_EVENT_NMI);
	case 3:
		return LV_X86_KIND(LV_EVENT_EXCEPTION);
	default:
		return 0;
	}
}

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
	return q->exc | q->nmi | q->irq | q->want_irq_window | q->want_nmi_window | q->apic;
}

/*
 * The queued events into / from LV_STATE_EVENTS (only the pending fields).
 * to_state also reports the event the next entry already carries
 * (@p inflight, the vendor's raw word as for lv_x86_inflight_kind(), bit 11
 * = error code valid, which is then @p err).
 */
void lv_x86_events_to_state(const struct lv_x86_events *q, uint64_t inflight, uint32_t err,
			    struct lv_events *e);
void lv_x86_events_from_state(struct lv_x86_events *q, const struct lv_events *e);

#endif /* LV_X86_EVENTS_H */
