/* SPDX-License-Identifier: MIT */
/*
 * Local APIC model, messages: ICR decoding (SDM Vol. 3, 11.6.1), destination
 * matching (11.6.2; x2APIC 11.12.9/11.12.10), acceptance of fixed, NMI,
 * INIT, SIPI and ExtINT messages (11.6.1, 11.8.3), the LVT local sources
 * (11.5.1) and the error register (11.5.3).
 *
 * The model never delivers to another APIC: an IPI comes back to the caller
 * as an lv_apic_msg, which the caller offers to every APIC of the VM with
 * lv_lapic_msg_targets() and lv_lapic_accept(). Lowest-priority delivery is
 * not arbitrated (11.6.2.4 lets the chipset pick): the caller delivers it
 * as fixed to one target, the lowest-numbered vCPU that matches.
 */
#include "lapic.h"

#include "lvlib.h"

static void set_irr(struct lv_lapic *l, unsigned vec, bool level, struct lv_lapic_fx *fx)
{
	lv_lapic_set_vec(l, LV_APIC_IRR, vec, true);
	/* 11.8.4: TMR records the trigger mode of the accepted interrupt. */
	lv_lapic_set_vec(l, LV_APIC_TMR, vec, level);
	fx->flags |= LV_LAPIC_FX_IRQ;
}

/* Record @esr_bit and raise the error LVT, which cannot recurse. */
static void error(struct lv_lapic *l, uint32_t esr_bit, bool from_lvt_error, struct lv_lapic_fx *fx)
{
	uint32_t lvt = lv_lapic_get(l, LV_APIC_LVTERR);
	unsigned vec = lvt & LV_APIC_VECTOR_MASK;

	l->esr_pending |= esr_bit;
	if (from_lvt_error || (lvt & LV_APIC_LVT_MASKED))
		return;
	if (vec < 16) {
		l->esr_pending |= LV_APIC_ESR_RECV_ILLEGAL_VECTOR;
		return;
	}
	set_irr(l, vec, false, fx);
}

void lv_lapic_accept(struct lv_lapic *l, const struct lv_apic_msg *m, struct lv_lapic_fx *fx)
{
	if (!lv_lapic_hw_enabled(l))
		return;
	switch (m->delivery) {
	case LV_APIC_DM_FIXED:
	case LV_APIC_DM_LOWEST:
		/* A software-disabled APIC drops fixed interrupts (as KVM does;
		 * 11.4.7.2 keeps only INIT, NMI, SMI and SIPI working). */
		if (!lv_lapic_sw_enabled(l))
			return;
		if (m->vector < 16) {
			/* 11.5.3: vectors 0-15 are illegal ("receive illegal vector"). */
			error(l, LV_APIC_ESR_RECV_ILLEGAL_VECTOR, false, fx);
			return;
		}
		set_irr(l, m->vector, m->level_trig, fx);
		break;
	case LV_APIC_DM_NMI:
		fx->flags |= LV_LAPIC_FX_NMI;
		break;
	case LV_APIC_DM_INIT:
		/* INIT level de-assert (level trigger, level 0) only resynchronizes
		 * arbitration IDs: nothing to do (not on Pentium 4 and later). */
		if (m->level_trig && !m->assert)
			break;
		lv_lapic_init_signal(l);
		fx->flags |= LV_LAPIC_FX_INIT | LV_LAPIC_FX_IRQ | LV_LAPIC_FX_TIMER;
		break;
	case LV_APIC_DM_STARTUP:
		/* 11.6.1 / 11.4.7.3: a SIPI only starts a processor that is in
		 * the wait-for-SIPI state; otherwise it is ignored. */
		if (l->mp_state != LV_MP_WAIT_SIPI)
			break;
		l->mp_state = LV_MP_RUNNABLE;
		fx->flags |= LV_LAPIC_FX_SIPI;
		fx->sipi_vector = m->vector;
		break;
	case LV_APIC_DM_EXTINT:
		fx->flags |= LV_LAPIC_FX_EXTINT;
		break;
	default:
		/* SMI: SMM is not modelled, the message is dropped; 011b reserved. */
		break;
	}
}

void lv_lapic_lvt_fire(struct lv_lapic *l, unsigned off, struct lv_lapic_fx *fx)
{
	uint32_t lvt = lv_lapic_get(l, off);
	struct lv_apic_msg m;

	if (!lv_lapic_hw_enabled(l) || (lvt & LV_APIC_LVT_MASKED))
		return;
	memset(&m, 0, sizeof(m));
	m.vector = (uint8_t)(lvt & LV_APIC_VECTOR_MASK);
	/* The timer and error entries have no delivery mode: always fixed. */
	if (off != LV_APIC_LVTT && off != LV_APIC_LVTERR)
		m.delivery = (uint8_t)((lvt & LV_APIC_DM_MASK) >> LV_APIC_DM_SHIFT);
	m.level_trig = (off == LV_APIC_LVT0 || off == LV_APIC_LVT1) &&
		       (lvt & LV_APIC_TRIGGER_LEVEL) && m.delivery == LV_APIC_DM_FIXED;
	m.assert = true;
	if (m.delivery == LV_APIC_DM_FIXED && m.vector < 16) {
		error(l, LV_APIC_ESR_RECV_ILLEGAL_VECTOR, off == LV_APIC_LVTERR, fx);
		return;
	}
	if (m.delivery == LV_APIC_DM_STARTUP || m.delivery == LV_APIC_DM_LOWEST)
		return; /* not valid LVT delivery modes (Figure 11-8) */
	lv_lapic_accept(l, &m, fx);
}

bool lv_lapic_icr_decode(struct lv_lapic *l, uint64_t icr, struct lv_apic_msg *m,
			 struct lv_lapic_fx *fx)
{
	uint32_t lo = (uint32_t)icr;
	bool x2 = lv_lapic_x2apic_mode(l);

	memset(m, 0, sizeof(*m));
	m->vector = (uint8_t)(lo & LV_APIC_VECTOR_MASK);
	m->delivery = (uint8_t)((lo & LV_APIC_DM_MASK) >> LV_APIC_DM_SHIFT);
	m->logical = (lo & LV_APIC_DEST_LOGICAL) != 0;
	m->assert = (lo & LV_APIC_ICR_LEVEL) != 0;
	m->level_trig = (lo & LV_APIC_TRIGGER_LEVEL) != 0;
	m->shorthand = (uint8_t)((lo & LV_APIC_SHORTHAND_MASK) >> LV_APIC_SHORTHAND_SHIFT);
	m->src_id = lv_lapic_id(l);
	m->x2apic = x2;
	m->dest = x2 ? (uint32_t)(icr >> 32) : (uint32_t)(icr >> 56);
	switch (m->delivery) {
	case LV_APIC_DM_FIXED:
	case LV_APIC_DM_LOWEST:
		if (m->vector < 16) {
			error(l, LV_APIC_ESR_SEND_ILLEGAL_VECTOR, false, fx);
			return false;
		}
		break;
	case LV_APIC_DM_INIT:
		/* 11.6.1: INIT level de-assert goes to all, whatever the fields say. */
		if (m->level_trig && !m->assert)
			m->shorthand = LV_APIC_SH_ALL;
		break;
	case LV_APIC_DM_RESERVED:
	case LV_APIC_DM_EXTINT: /* not a valid ICR delivery mode (Figure 11-12) */
		return false;
	default: /* SMI, NMI, SIPI */
		break;
	}
	return true;
}

bool lv_apic_msi_decode(uint64_t addr, uint32_t data, struct lv_apic_msg *m)
{
	memset(m, 0, sizeof(*m));
	if ((addr >> 20) != 0xfeeu)
		return false;
	m->dest = (uint32_t)(addr >> 12) & 0xffu;
	m->logical = (addr & (1u << 2)) != 0;
	m->vector = (uint8_t)(data & LV_APIC_VECTOR_MASK);
	m->delivery = (uint8_t)((data & LV_APIC_DM_MASK) >> LV_APIC_DM_SHIFT);
	m->assert = (data & LV_APIC_ICR_LEVEL) != 0;
	m->level_trig = (data & LV_APIC_TRIGGER_LEVEL) != 0;
	/* An edge message asserts whatever bit 14 says (11.11.2). */
	if (!m->level_trig)
		m->assert = true;
	return true;
}

/* x2APIC logical destination (11.12.10.2): cluster in 31:16, member bitmap in 15:0. */
static bool match_x2_logical(uint32_t ldr, uint32_t dest)
{
	return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffffu) != 0;
}

/* xAPIC logical destination (11.6.2.2): flat (DFR model 1111b) or cluster (0000b). */
static bool match_xapic_logical(const struct lv_lapic *l, uint8_t dest)
{
	uint8_t ldr = (uint8_t)(lv_lapic_get(l, LV_APIC_LDR) >> 24);
	uint32_t model = lv_lapic_get(l, LV_APIC_DFR) >> 28;

	if (model == 0xfu)
		return (ldr & dest) != 0;
	if (model == 0)
		return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xfu) != 0;
	return false; /* undefined model */
}

bool lv_lapic_match_dest(const struct lv_lapic *l, uint32_t dest, bool logical, bool x2apic_fmt)
{
	bool x2 = lv_lapic_x2apic_mode(l);
	uint32_t bcast = x2apic_fmt ? 0xffffffffu : 0xffu;

	if (!lv_lapic_hw_enabled(l))
		return false;
	if (!x2apic_fmt)
		dest &= 0xffu;
	/* All 1s is the broadcast in both destination modes (11.6.2.1/2). */
	if (dest == bcast)
		return true;
	if (!logical)
		return dest == lv_lapic_id(l);
	if (x2)
		/* An 8-bit logical destination has no x2APIC meaning: no match. */
		return x2apic_fmt && match_x2_logical(lv_lapic_get(l, LV_APIC_LDR), dest);
	return match_xapic_logical(l, (uint8_t)dest);
}

bool lv_lapic_msg_targets(const struct lv_lapic *l, const struct lv_apic_msg *m, bool is_source)
{
	if (!lv_lapic_hw_enabled(l))
		return false;
	switch (m->shorthand) {
	case LV_APIC_SH_SELF:
		return is_source;
	case LV_APIC_SH_ALL:
		return true;
	case LV_APIC_SH_ALL_BUT:
		return !is_source;
	default:
		return lv_lapic_match_dest(l, m->dest, m->logical, m->x2apic);
	}
}
