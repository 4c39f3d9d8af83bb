/* SPDX-License-Identifier: MIT */
/*
 * Local APIC model, the timer (SDM Vol. 3, 11.5.4): one-shot and periodic
 * count down TMICT at the bus clock / divisor; the model keeps the expiry
 * time on the caller's now_ns clock (one bus cycle = one unit, see lapic.h)
 * and derives the current count from it. TSC-deadline mode (11.5.4.1)
 * compares IA32_TSC_DEADLINE with the guest TSC.
 */
#include "lapic.h"

static unsigned timer_mode(const struct lv_lapic *l)
{
	return (lv_lapic_get(l, LV_APIC_LVTT) >> 17) & 3u;
}

/* Divide configuration (Figure 11-10): bits 0, 1 and 3 select 2^(n+1), 111b = 1. */
unsigned lv_lapic_timer_divisor(const struct lv_lapic *l)
{
	uint32_t v = lv_lapic_get(l, LV_APIC_TDCR);
	unsigned sel = (v & 3u) | ((v >> 1) & 4u);

	return 1u << ((sel + 1) & 7u);
}

void lv_lapic_timer_stop(struct lv_lapic *l)
{
	l->timer_armed = false;
	l->timer_due = 0;
	l->timer_period = 0;
}

/* Expiry at or after now: a periodic timer that fell behind skips whole periods. */
static uint64_t catch_up(const struct lv_lapic *l, uint64_t now)
{
	uint64_t due = l->timer_due;

	if (now >= due && l->timer_period)
		due += ((now - due) / l->timer_period + 1) * l->timer_period;
	return due;
}

/*
 * Current count (11.5.4): TMICT minus the whole divided bus cycles elapsed,
 * i.e. the remaining time / divisor rounded up; 0 once a one-shot expired
 * and always in TSC-deadline mode.
 */
uint32_t lv_lapic_timer_current(const struct lv_lapic *l, uint64_t now_ns)
{
	uint64_t due, div;

	if (!l->timer_armed || timer_mode(l) == LV_APIC_TIMER_TSCDL)
		return 0;
	due = catch_up(l, now_ns);
	if (now_ns >= due)
		return 0;
	div = lv_lapic_timer_divisor(l);
	return (uint32_t)((due - now_ns + div - 1) / div);
}

unsigned lv_lapic_timer_next(const struct lv_lapic *l, uint64_t *when)
{
	*when = 0;
	if (!lv_lapic_hw_enabled(l))
		return LV_LAPIC_CLOCK_NONE;
	if (timer_mode(l) == LV_APIC_TIMER_TSCDL) {
		if (!l->tsc_deadline)
			return LV_LAPIC_CLOCK_NONE;
		*when = l->tsc_deadline;
		return LV_LAPIC_CLOCK_TSC;
	}
	if (!l->timer_armed)
		return LV_LAPIC_CLOCK_NONE;
	*when = l->timer_due;
	return LV_LAPIC_CLOCK_NS;
}

static bool poll_ns(struct lv_lapic *l, uint64_t now_ns, struct lv_lapic_fx *fx)
{
	if (!l->timer_armed || now_ns < l->timer_due)
		return false;
	if (l->timer_period) {
		/* Periodic: reload from TMICT; missed periods coalesce in IRR. */
		l->timer_due = catch_up(l, now_ns);
	} else {
		l->timer_armed = false; /* one-shot: the count stays at 0 */
	}
	fx->flags |= LV_LAPIC_FX_TIMER;
	lv_lapic_lvt_fire(l, LV_APIC_LVTT, fx);
	return true;
}

bool lv_lapic_timer_poll(struct lv_lapic *l, uint64_t now_ns, uint64_t now_tsc,
			 struct lv_lapic_fx *fx)
{
	if (!lv_lapic_hw_enabled(l))
		return false;
	if (timer_mode(l) == LV_APIC_TIMER_TSCDL) {
		if (!l->tsc_deadline || now_tsc < l->tsc_deadline)
			return false;
		/* 11.5.4.1: the interrupt disarms the timer and clears the MSR. */
		l->tsc_deadline = 0;
		fx->flags |= LV_LAPIC_FX_TIMER;
		lv_lapic_lvt_fire(l, LV_APIC_LVTT, fx);
		return true;
	}
	return poll_ns(l, now_ns, fx);
}

static void start(struct lv_lapic *l, uint64_t count, uint64_t now_ns)
{
	uint64_t div = lv_lapic_timer_divisor(l);

	if (!count) {
		lv_lapic_timer_stop(l); /* 11.5.4: a count of 0 stops the timer */
		return;
	}
	l->timer_armed = true;
	l->timer_due = now_ns + count * div;
	l->timer_period = timer_mode(l) == LV_APIC_TIMER_PERIODIC
				  ? (uint64_t)lv_lapic_get(l, LV_APIC_TMICT) * div
				  : 0;
}

void lv_lapic_timer_write(struct lv_lapic *l, unsigned off, uint32_t val, uint64_t now_ns,
			  struct lv_lapic_fx *fx)
{
	unsigned old_mode = timer_mode(l), new_mode;

	fx->flags |= LV_LAPIC_FX_TIMER;
	switch (off) {
	case LV_APIC_LVTT:
		lv_lapic_put(l, off, val);
		new_mode = timer_mode(l);
		if ((old_mode == LV_APIC_TIMER_TSCDL) != (new_mode == LV_APIC_TIMER_TSCDL)) {
			/* 11.5.4.1: changing to or from TSC-deadline mode disarms
			 * the timer (TMICT and the deadline are cleared, as KVM). */
			lv_lapic_timer_stop(l);
			lv_lapic_put(l, LV_APIC_TMICT, 0);
			l->tsc_deadline = 0;
		} else if (l->timer_armed) {
			/* One-shot <-> periodic: the running count continues, as on
			 * KVM (11.5.4.1 says any mode change disarms; KVM, whose
			 * behaviour the backends must share, only disarms on a
			 * change to or from TSC-deadline mode). */
			l->timer_period = new_mode == LV_APIC_TIMER_PERIODIC
						  ? (uint64_t)lv_lapic_get(l, LV_APIC_TMICT) *
							    lv_lapic_timer_divisor(l)
						  : 0;
		}
		break;
	case LV_APIC_TMICT:
		/* Ignored in TSC-deadline mode (11.5.4.1); otherwise (re)starts. */
		if (old_mode == LV_APIC_TIMER_TSCDL)
			break;
		lv_lapic_put(l, off, val);
		start(l, val, now_ns);
		break;
	case LV_APIC_TDCR: {
		uint32_t cur;

		/* Deliver an expiry that is already due, then keep counting from
		 * the current count at the new rate. */
		poll_ns(l, now_ns, fx);
		cur = lv_lapic_timer_current(l, now_ns);
		lv_lapic_put(l, off, val & 0xbu);
		if (l->timer_armed)
			start(l, cur, now_ns);
		break;
	}
	default:
		break;
	}
}
