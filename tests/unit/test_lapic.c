/* SPDX-License-Identifier: MIT */
/*
 * The local APIC model (src/core/lapic*.c): register semantics, priority
 * arbitration, timer arithmetic, ICR decoding and destination matching,
 * IA32_APIC_BASE transitions, x2APIC MSRs and the state image. Every check
 * is against an exact value taken from the SDM (Vol. 3, chapter 11).
 */
#include <criterion/criterion.h>
#include <string.h>

#include <libvcpu/status.h>

#include "core/lapic.h"
#include "core/x86_arch.h"

static struct lv_lapic L;
static struct lv_lapic_fx fx;
static uint64_t now;

static void setup(uint32_t id, bool bsp)
{
	lv_lapic_reset(&L, id, bsp, true, 46);
	memset(&fx, 0, sizeof(fx));
	now = 0;
}

static void w(unsigned off, uint32_t v)
{
	lv_lapic_mmio_write(&L, off, 4, v, now, &fx);
}

static uint32_t r(unsigned off)
{
	return lv_lapic_mmio_read(&L, off, 4, now);
}

/* Software-enable with spurious vector 0xFF. */
static void enable(void)
{
	w(LV_APIC_SVR, 0x1ff);
}

static void fixed(unsigned vec, bool level)
{
	struct lv_apic_msg m = { .vector = (uint8_t)vec, .delivery = LV_APIC_DM_FIXED };

	m.level_trig = level;
	m.assert = true;
	lv_lapic_accept(&L, &m, &fx);
}

static bool irr(unsigned vec)
{
	return (r(LV_APIC_IRR + (vec / 32) * 16) >> (vec % 32)) & 1;
}

static bool isr(unsigned vec)
{
	return (r(LV_APIC_ISR + (vec / 32) * 16) >> (vec % 32)) & 1;
}

static bool tmr(unsigned vec)
{
	return (r(LV_APIC_TMR + (vec / 32) * 16) >> (vec % 32)) & 1;
}

/* ---- reset and plain registers ---- */

Test(lapic_regs, reset_state)
{
	unsigned off;

	setup(3, false);
	cr_expect_eq(r(LV_APIC_ID), 0x03000000u);
	cr_expect_eq(r(LV_APIC_VER), 0x00050014u);
	cr_expect_eq(r(LV_APIC_TPR), 0);
	cr_expect_eq(r(LV_APIC_PPR), 0);
	cr_expect_eq(r(LV_APIC_LDR), 0);
	cr_expect_eq(r(LV_APIC_DFR), 0xffffffffu);
	cr_expect_eq(r(LV_APIC_SVR), 0xffu);
	for (off = LV_APIC_LVTT; off <= LV_APIC_LVTERR; off += 16)
		cr_expect_eq(r(off), 0x00010000u, "LVT %#x", off);
	cr_expect_eq(L.apic_base, 0xfee00800ull);
	cr_expect_eq(L.mp_state, LV_MP_RUNNABLE);
	setup(0, true);
	cr_expect_eq(L.apic_base, 0xfee00900ull);
	cr_expect(lv_lapic_hw_enabled(&L));
	cr_expect_not(lv_lapic_sw_enabled(&L));
	cr_expect_not(lv_lapic_x2apic_mode(&L));
}

Test(lapic_regs, write_masks_and_read_only)
{
	setup(1, false);
	w(LV_APIC_ID, 0xab123456u);
	cr_expect_eq(r(LV_APIC_ID), 0xab000000u);
	cr_expect_eq(lv_lapic_id(&L), 0xab);
	w(LV_APIC_VER, 0);
	cr_expect_eq(r(LV_APIC_VER), 0x00050014u);
	w(LV_APIC_TPR, 0x1ff);
	cr_expect_eq(r(LV_APIC_TPR), 0xffu);
	cr_expect_eq(r(LV_APIC_PPR), 0xffu);
	w(LV_APIC_PPR, 0);
	cr_expect_eq(r(LV_APIC_PPR), 0xffu, "PPR is read-only");
	w(LV_APIC_LDR, 0xffffffffu);
	cr_expect_eq(r(LV_APIC_LDR), 0xff000000u);
	w(LV_APIC_DFR, 0);
	cr_expect_eq(r(LV_APIC_DFR), 0x0fffffffu, "DFR bits 27:0 read as 1s");
	w(LV_APIC_SVR, 0xffffffffu);
	cr_expect_eq(r(LV_APIC_SVR), 0x3ffu);
	w(LV_APIC_APR, 0x55);
	cr_expect_eq(r(LV_APIC_APR), 0);
	w(LV_APIC_ICR2, 0xffffffffu);
	cr_expect_eq(r(LV_APIC_ICR2), 0xff000000u);
	w(LV_APIC_ICR, 0xffffffffu); /* ExtINT: nothing is sent */
	cr_expect_eq(r(LV_APIC_ICR), 0x000ccfffu);
	cr_expect_not(fx.flags & LV_LAPIC_FX_IPI);
	w(LV_APIC_TDCR, 0xffffffffu);
	cr_expect_eq(r(LV_APIC_TDCR), 0xbu);
	w(LV_APIC_LVT_CMCI, 0x30);
	cr_expect_eq(r(LV_APIC_LVT_CMCI), 0, "no CMCI entry (max LVT 5)");
	w(LV_APIC_IRR + 0x10, 0xffffffffu);
	w(LV_APIC_ISR + 0x10, 0xffffffffu);
	w(LV_APIC_TMR + 0x10, 0xffffffffu);
	cr_expect_eq(r(LV_APIC_IRR + 0x10) | r(LV_APIC_ISR + 0x10) | r(LV_APIC_TMR + 0x10), 0);
	w(LV_APIC_TMCCT, 1234);
	cr_expect_eq(r(LV_APIC_TMCCT), 0);
}

Test(lapic_regs, lvt_masks)
{
	setup(0, true);
	enable();
	w(LV_APIC_LVTT, 0xffffffffu);
	w(LV_APIC_LVTTHMR, 0xffffffffu);
	w(LV_APIC_LVTPC, 0xffffffffu);
	w(LV_APIC_LVT0, 0xffffffffu);
	w(LV_APIC_LVT1, 0xffffffffu);
	w(LV_APIC_LVTERR, 0xffffffffu);
	cr_expect_eq(r(LV_APIC_LVTT), 0x000700ffu);
	cr_expect_eq(r(LV_APIC_LVTTHMR), 0x000107ffu);
	cr_expect_eq(r(LV_APIC_LVTPC), 0x000107ffu);
	cr_expect_eq(r(LV_APIC_LVT0), 0x0001a7ffu, "delivery status and remote IRR are RO");
	cr_expect_eq(r(LV_APIC_LVT1), 0x0001a7ffu);
	cr_expect_eq(r(LV_APIC_LVTERR), 0x000100ffu);
	w(LV_APIC_LVT0, 0x700);
	cr_expect_eq(r(LV_APIC_LVT0), 0x700u);
}

Test(lapic_regs, software_disable_masks_lvts)
{
	setup(0, true);
	enable();
	w(LV_APIC_LVT0, 0x700);
	w(LV_APIC_LVTT, 0x20030);
	w(LV_APIC_SVR, 0xff);
	cr_expect_eq(r(LV_APIC_LVT0), 0x10700u);
	cr_expect_eq(r(LV_APIC_LVTT), 0x30030u);
	w(LV_APIC_LVT0, 0x700);
	cr_expect_eq(r(LV_APIC_LVT0), 0x10700u, "mask cannot be cleared while disabled");
	enable();
	cr_expect_eq(r(LV_APIC_LVT0), 0x10700u, "re-enabling leaves the masks set");
	w(LV_APIC_LVT0, 0x700);
	cr_expect_eq(r(LV_APIC_LVT0), 0x700u);
}

Test(lapic_regs, esr_write_then_read)
{
	setup(0, true);
	enable();
	fixed(7, false); /* illegal vector */
	cr_expect_eq(r(LV_APIC_ESR), 0, "errors are not visible before an ESR write");
	cr_expect_not(irr(7));
	w(LV_APIC_ESR, 0);
	cr_expect_eq(r(LV_APIC_ESR), LV_APIC_ESR_RECV_ILLEGAL_VECTOR);
	w(LV_APIC_ESR, 0);
	cr_expect_eq(r(LV_APIC_ESR), 0);
	/* With LVT error unmasked the error is an interrupt. */
	w(LV_APIC_LVTERR, 0xe3);
	memset(&fx, 0, sizeof(fx));
	fixed(3, false);
	cr_expect(irr(0xe3));
	cr_expect(fx.flags & LV_LAPIC_FX_IRQ);
	w(LV_APIC_ESR, 0);
	cr_expect_eq(r(LV_APIC_ESR), 0x40u);
}

Test(lapic_regs, mmio_access_widths)
{
	setup(0x12, false);
	w(LV_APIC_TPR, 0xa5);
	cr_expect_eq(lv_lapic_mmio_read(&L, LV_APIC_ID + 3, 1, 0), 0x12u);
	cr_expect_eq(lv_lapic_mmio_read(&L, LV_APIC_VER, 2, 0), 0x0014u);
	cr_expect_eq(lv_lapic_mmio_read(&L, LV_APIC_VER + 2, 2, 0), 0x0005u);
	cr_expect_eq(lv_lapic_mmio_read(&L, LV_APIC_TPR + 4, 4, 0), 0, "bytes 4-15 read 0");
	cr_expect_eq(lv_lapic_mmio_read(&L, LV_APIC_TPR + 2, 4, 0), 0, "crosses the dword");
	cr_expect_eq(lv_lapic_mmio_read(&L, 0x400, 4, 0), 0);
	lv_lapic_mmio_write(&L, LV_APIC_TPR, 1, 0x11, 0, &fx);
	lv_lapic_mmio_write(&L, LV_APIC_TPR + 4, 4, 0x22, 0, &fx);
	cr_expect_eq(r(LV_APIC_TPR), 0xa5u, "only aligned dword writes count");
	cr_expect_eq(lv_lapic_mmio_read(&L, LV_APIC_EOI, 4, 0), 0);
}

/* ---- priorities (SDM Vol. 3, 11.8.3) ---- */

Test(lapic_prio, ppr_from_tpr_and_isrv)
{
	setup(0, true);
	enable();
	w(LV_APIC_TPR, 0x35);
	cr_expect_eq(lv_lapic_ppr(&L), 0x35u);
	fixed(0x50, false);
	cr_expect_eq(lv_lapic_ack(&L), 0x50);
	cr_expect(isr(0x50));
	cr_expect_not(irr(0x50));
	cr_expect_eq(r(LV_APIC_PPR), 0x50u, "ISRV class above TPR: PPR = ISRV[7:4] << 4");
	w(LV_APIC_TPR, 0x62);
	cr_expect_eq(r(LV_APIC_PPR), 0x62u);
	w(LV_APIC_TPR, 0x5f);
	cr_expect_eq(r(LV_APIC_PPR), 0x5fu, "equal class: PPR = TPR");
	w(LV_APIC_TPR, 0x4f);
	cr_expect_eq(r(LV_APIC_PPR), 0x50u);
}

Test(lapic_prio, tpr_masks_pending)
{
	setup(0, true);
	enable();
	w(LV_APIC_TPR, 0x40);
	fixed(0x45, false);
	cr_expect_eq(lv_lapic_pending(&L), -1, "class 4 is not above TPR class 4");
	cr_expect_eq(lv_lapic_ack(&L), -1);
	fixed(0x51, false);
	cr_expect_eq(lv_lapic_pending(&L), 0x51);
	w(LV_APIC_TPR, 0x50);
	cr_expect_eq(lv_lapic_pending(&L), -1);
	lv_lapic_set_cr8(&L, 3);
	cr_expect_eq(r(LV_APIC_TPR), 0x30u);
	cr_expect_eq(lv_lapic_get_cr8(&L), 3u);
	cr_expect_eq(lv_lapic_pending(&L), 0x51);
}

Test(lapic_prio, tpr_watch)
{
	setup(0, true);
	enable();
	cr_expect_eq(lv_lapic_tpr_watch(&L), 0u, "nothing pending");
	lv_lapic_set_cr8(&L, 15);
	fixed(0x50, false);
	cr_expect_eq(lv_lapic_tpr_watch(&L), 5u, "0x50 waits for CR8 < 5");
	lv_lapic_set_cr8(&L, 5);
	cr_expect_eq(lv_lapic_tpr_watch(&L), 5u, "class 5 is not above TPR class 5");
	lv_lapic_set_cr8(&L, 4);
	cr_expect_eq(lv_lapic_tpr_watch(&L), 0u, "deliverable: nothing to watch");
	cr_expect_eq(lv_lapic_ack(&L), 0x50);
	fixed(0x41, false);
	lv_lapic_set_cr8(&L, 0);
	cr_expect_eq(lv_lapic_tpr_watch(&L), 0u, "below ISRV's class: only an EOI helps");
	fixed(0x61, false);
	lv_lapic_set_cr8(&L, 6);
	cr_expect_eq(lv_lapic_tpr_watch(&L), 6u, "0x61: above ISRV, masked by the TPR");
}

Test(lapic_prio, isr_nesting_and_eoi_order)
{
	setup(0, true);
	enable();
	fixed(0x40, false);
	cr_expect_eq(lv_lapic_ack(&L), 0x40);
	fixed(0x80, false);
	cr_expect_eq(lv_lapic_ack(&L), 0x80, "a higher class nests");
	fixed(0x60, false);
	fixed(0x8f, false);
	cr_expect_eq(lv_lapic_pending(&L), -1, "0x60 and 0x8f wait for the 0x80 EOI");
	cr_expect_eq(lv_lapic_eoi(&L, &fx), 0x80);
	cr_expect_eq(lv_lapic_ack(&L), 0x8f);
	cr_expect_eq(lv_lapic_eoi(&L, &fx), 0x8f);
	cr_expect_eq(lv_lapic_ack(&L), 0x60);
	cr_expect_eq(lv_lapic_eoi(&L, &fx), 0x60);
	cr_expect(isr(0x40));
	cr_expect_eq(r(LV_APIC_PPR), 0x40u);
	w(LV_APIC_EOI, 0);
	cr_expect_not(isr(0x40));
	cr_expect_eq(r(LV_APIC_PPR), 0);
	cr_expect_eq(lv_lapic_eoi(&L, &fx), -1);
}

Test(lapic_prio, highest_irr_first)
{
	setup(0, true);
	enable();
	fixed(0x31, false);
	fixed(0xf1, false);
	fixed(0x99, false);
	cr_expect_eq(lv_lapic_ack(&L), 0xf1);
	lv_lapic_eoi(&L, &fx);
	cr_expect_eq(lv_lapic_ack(&L), 0x99);
	lv_lapic_eoi(&L, &fx);
	cr_expect_eq(lv_lapic_ack(&L), 0x31);
}

Test(lapic_prio, level_eoi_broadcast)
{
	setup(0, true);
	enable();
	fixed(0x70, true);
	cr_expect(tmr(0x70));
	cr_expect_eq(lv_lapic_ack(&L), 0x70);
	memset(&fx, 0, sizeof(fx));
	w(LV_APIC_EOI, 0);
	cr_expect(fx.flags & LV_LAPIC_FX_EOI_BCAST);
	cr_expect_eq(fx.eoi_vector, 0x70);
	fixed(0x70, false);
	cr_expect_not(tmr(0x70), "an edge accept clears the TMR bit");
	lv_lapic_ack(&L);
	memset(&fx, 0, sizeof(fx));
	w(LV_APIC_EOI, 0);
	cr_expect_not(fx.flags & LV_LAPIC_FX_EOI_BCAST);
	cr_expect(fx.flags & LV_LAPIC_FX_IRQ);
}

Test(lapic_prio, software_disabled_and_spurious)
{
	struct lv_apic_msg nmi = { .delivery = LV_APIC_DM_NMI, .assert = true };

	setup(0, true);
	fixed(0x41, false);
	cr_expect_not(irr(0x41), "software-disabled: fixed interrupts are dropped");
	lv_lapic_accept(&L, &nmi, &fx);
	cr_expect(fx.flags & LV_LAPIC_FX_NMI, "NMI still accepted");
	w(LV_APIC_SVR, 0x1ef);
	cr_expect_eq(lv_lapic_spurious_vector(&L), 0xef);
	fixed(0x41, false);
	cr_expect(irr(0x41));
}

/* ---- timer (SDM Vol. 3, 11.5.4) ---- */

Test(lapic_timer, divide_values)
{
	static const struct {
		uint32_t dcr;
		unsigned div;
	} t[] = { { 0, 2 },  { 1, 4 },	{ 2, 8 },     { 3, 16 },
		  { 8, 32 }, { 9, 64 }, { 0xa, 128 }, { 0xb, 1 } };
	unsigned i;

	setup(0, true);
	cr_expect_eq(lv_lapic_timer_divisor(&L), 2u, "reset value 0 divides by 2");
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		w(LV_APIC_TDCR, t[i].dcr | 0x4); /* bit 2 is reserved */
		cr_expect_eq(lv_lapic_timer_divisor(&L), t[i].div, "DCR %#x", t[i].dcr);
	}
}

Test(lapic_timer, one_shot)
{
	uint64_t when;

	setup(0, true);
	enable();
	w(LV_APIC_LVTT, 0x30);
	now = 100;
	w(LV_APIC_TMICT, 1000);
	cr_expect_eq(r(LV_APIC_TMICT), 1000u);
	cr_expect_eq(lv_lapic_timer_current(&L, 100), 1000u);
	cr_expect_eq(lv_lapic_timer_current(&L, 101), 1000u);
	cr_expect_eq(lv_lapic_timer_current(&L, 102), 999u);
	cr_expect_eq(lv_lapic_timer_current(&L, 1100), 500u);
	now = 1100;
	cr_expect_eq(r(LV_APIC_TMCCT), 500u);
	cr_expect_eq(lv_lapic_timer_next(&L, &when), LV_LAPIC_CLOCK_NS);
	cr_expect_eq(when, 2100u);
	cr_expect_not(lv_lapic_timer_poll(&L, 2099, 0, &fx));
	cr_expect_not(irr(0x30));
	cr_expect(lv_lapic_timer_poll(&L, 2100, 0, &fx));
	cr_expect(irr(0x30));
	cr_expect_eq(lv_lapic_timer_current(&L, 2100), 0u);
	cr_expect_eq(lv_lapic_timer_next(&L, &when), LV_LAPIC_CLOCK_NONE);
	cr_expect_not(lv_lapic_timer_poll(&L, 9999, 0, &fx), "a one-shot fires once");
	cr_expect_eq(lv_lapic_timer_current(&L, 9999), 0u);
}

Test(lapic_timer, periodic_and_missed_periods)
{
	uint64_t when;

	setup(0, true);
	enable();
	w(LV_APIC_TDCR, 0xb); /* divide by 1 */
	w(LV_APIC_LVTT, 0x20031);
	w(LV_APIC_TMICT, 100);
	cr_expect_eq(lv_lapic_timer_current(&L, 50), 50u);
	cr_expect(lv_lapic_timer_poll(&L, 100, 0, &fx));
	cr_expect(irr(0x31));
	lv_lapic_timer_next(&L, &when);
	cr_expect_eq(when, 200u);
	cr_expect_eq(lv_lapic_timer_current(&L, 150), 50u);
	cr_expect_eq(lv_lapic_timer_current(&L, 200), 100u, "reloaded at the period boundary");
	cr_expect(lv_lapic_timer_poll(&L, 450, 0, &fx));
	cr_expect_eq(lv_lapic_timer_next(&L, &when), LV_LAPIC_CLOCK_NS);
	cr_expect_eq(when, 500u, "missed periods are skipped, the phase is kept");
	cr_expect_eq(lv_lapic_timer_current(&L, 450), 50u);
	now = 460;
	w(LV_APIC_TMICT, 0);
	cr_expect_eq(lv_lapic_timer_next(&L, &when), LV_LAPIC_CLOCK_NONE, "TMICT 0 stops");
}

Test(lapic_timer, one_shot_to_periodic_keeps_counting)
{
	uint64_t when;

	setup(0, true);
	enable();
	w(LV_APIC_TDCR, 0xb);
	w(LV_APIC_LVTT, 0x30);
	w(LV_APIC_TMICT, 100);
	now = 30;
	w(LV_APIC_LVTT, 0x20030);
	cr_expect_eq(r(LV_APIC_TMCCT), 70u);
	cr_expect(lv_lapic_timer_poll(&L, 100, 0, &fx));
	cr_expect_eq(lv_lapic_timer_next(&L, &when), LV_LAPIC_CLOCK_NS);
	cr_expect_eq(when, 200u, "now periodic");
	now = 120;
	w(LV_APIC_LVTT, 0x30);
	cr_expect(lv_lapic_timer_poll(&L, 200, 0, &fx));
	cr_expect_eq(lv_lapic_timer_next(&L, &when), LV_LAPIC_CLOCK_NONE, "one-shot again");
}

Test(lapic_timer, masked_lvt_counts_without_interrupt)
{
	setup(0, true);
	enable();
	w(LV_APIC_LVTT, 0x10030);
	w(LV_APIC_TMICT, 10);
	cr_expect(lv_lapic_timer_poll(&L, 20, 0, &fx));
	cr_expect_not(irr(0x30));
	cr_expect_eq(lv_lapic_timer_current(&L, 20), 0u);
}

Test(lapic_timer, divide_change_keeps_count)
{
	uint64_t when;

	setup(0, true);
	enable();
	w(LV_APIC_LVTT, 0x30);
	w(LV_APIC_TMICT, 1000); /* divide by 2: expires at 2000 */
	now = 400;
	cr_expect_eq(r(LV_APIC_TMCCT), 800u);
	w(LV_APIC_TDCR, 0xb);
	cr_expect_eq(r(LV_APIC_TMCCT), 800u);
	lv_lapic_timer_next(&L, &when);
	cr_expect_eq(when, 1200u);
}

Test(lapic_timer, tsc_deadline)
{
	uint64_t v, when;

	setup(0, true);
	enable();
	/* Outside TSC-deadline mode the MSR reads 0 and ignores writes. */
	cr_expect_eq(lv_lapic_msr_write(&L, MSR_TSC_DEADLINE, 5000, 0, 0, &fx), LV_LAPIC_OK);
	lv_lapic_msr_read(&L, MSR_TSC_DEADLINE, 0, &v);
	cr_expect_eq(v, 0u);
	w(LV_APIC_TMICT, 77);
	w(LV_APIC_LVTT, 0x40040);
	cr_expect_eq(r(LV_APIC_TMICT), 0u, "entering TSC-deadline mode disarms");
	w(LV_APIC_TMICT, 77);
	cr_expect_eq(r(LV_APIC_TMICT), 0u, "TMICT writes are ignored");
	cr_expect_eq(lv_lapic_timer_next(&L, &when), LV_LAPIC_CLOCK_NONE);
	lv_lapic_msr_write(&L, MSR_TSC_DEADLINE, 5000, 0, 1000, &fx);
	lv_lapic_msr_read(&L, MSR_TSC_DEADLINE, 0, &v);
	cr_expect_eq(v, 5000u);
	cr_expect_eq(lv_lapic_timer_next(&L, &when), LV_LAPIC_CLOCK_TSC);
	cr_expect_eq(when, 5000u);
	cr_expect_not(lv_lapic_timer_poll(&L, 1u << 30, 4999, &fx), "only the TSC counts");
	cr_expect(lv_lapic_timer_poll(&L, 0, 5000, &fx));
	cr_expect(irr(0x40));
	lv_lapic_msr_read(&L, MSR_TSC_DEADLINE, 0, &v);
	cr_expect_eq(v, 0u, "firing clears the MSR");
	lv_lapic_ack(&L);
	lv_lapic_eoi(&L, &fx);
	/* A deadline already in the past fires at once; 0 disarms. */
	lv_lapic_msr_write(&L, MSR_TSC_DEADLINE, 10, 0, 6000, &fx);
	cr_expect(irr(0x40));
	lv_lapic_msr_write(&L, MSR_TSC_DEADLINE, 9000, 0, 6000, &fx);
	lv_lapic_msr_write(&L, MSR_TSC_DEADLINE, 0, 0, 6000, &fx);
	cr_expect_eq(lv_lapic_timer_next(&L, &when), LV_LAPIC_CLOCK_NONE);
	/* Leaving TSC-deadline mode clears the deadline. */
	lv_lapic_msr_write(&L, MSR_TSC_DEADLINE, 9000, 0, 6000, &fx);
	w(LV_APIC_LVTT, 0x40);
	w(LV_APIC_LVTT, 0x40040);
	lv_lapic_msr_read(&L, MSR_TSC_DEADLINE, 0, &v);
	cr_expect_eq(v, 0u);
}

/* ---- ICR and destinations (SDM Vol. 3, 11.6) ---- */

static struct lv_apic_msg *send(uint32_t hi, uint32_t lo)
{
	memset(&fx, 0, sizeof(fx));
	w(LV_APIC_ICR2, hi);
	w(LV_APIC_ICR, lo);
	return (fx.flags & LV_LAPIC_FX_IPI) ? &fx.msg : NULL;
}

Test(lapic_icr, delivery_modes)
{
	struct lv_apic_msg *m;

	setup(2, true);
	enable();
	m = send(0x05000000, 0x4031);
	cr_assert(m);
	cr_expect_eq(m->vector, 0x31);
	cr_expect_eq(m->delivery, LV_APIC_DM_FIXED);
	cr_expect_eq(m->dest, 5u);
	cr_expect_eq(m->src_id, 2u);
	cr_expect(m->assert);
	cr_expect_not(m->logical || m->level_trig || m->x2apic);
	cr_expect_eq(m->shorthand, LV_APIC_SH_NONE);
	cr_expect_eq(r(LV_APIC_ICR), 0x4031u);
	cr_expect_eq(send(0x05000000, 0x4931)->delivery, LV_APIC_DM_LOWEST);
	cr_expect(send(0x05000000, 0x4931)->logical);
	cr_expect_eq(send(0x05000000, 0x4200)->delivery, LV_APIC_DM_SMI);
	cr_expect_eq(send(0x05000000, 0x4400)->delivery, LV_APIC_DM_NMI);
	m = send(0x05000000, 0xc500);
	cr_expect_eq(m->delivery, LV_APIC_DM_INIT);
	cr_expect_eq(m->shorthand, LV_APIC_SH_NONE);
	m = send(0x05000000, 0x8500);
	cr_expect_eq(m->delivery, LV_APIC_DM_INIT);
	cr_expect(m->level_trig && !m->assert);
	cr_expect_eq(m->shorthand, LV_APIC_SH_ALL, "INIT de-assert goes to all");
	m = send(0x05000000, 0x4608);
	cr_expect_eq(m->delivery, LV_APIC_DM_STARTUP);
	cr_expect_eq(m->vector, 0x08);
	cr_expect_null(send(0x05000000, 0x4330), "reserved delivery mode");
	cr_expect_null(send(0x05000000, 0x4730), "ExtINT is no ICR mode");
	cr_expect_null(send(0x05000000, 0x400f), "fixed vector < 16");
	w(LV_APIC_ESR, 0);
	cr_expect_eq(r(LV_APIC_ESR), LV_APIC_ESR_SEND_ILLEGAL_VECTOR);
}

Test(lapic_icr, shorthands)
{
	struct lv_lapic other;

	setup(2, true);
	enable();
	lv_lapic_reset(&other, 7, false, true, 46);
	cr_expect_eq(send(0, 0x44031)->shorthand, LV_APIC_SH_SELF);
	cr_expect(lv_lapic_msg_targets(&L, &fx.msg, true));
	cr_expect_not(lv_lapic_msg_targets(&other, &fx.msg, false));
	cr_expect_eq(send(0, 0x84031)->shorthand, LV_APIC_SH_ALL);
	cr_expect(lv_lapic_msg_targets(&L, &fx.msg, true));
	cr_expect(lv_lapic_msg_targets(&other, &fx.msg, false));
	cr_expect_eq(send(0, 0xc4031)->shorthand, LV_APIC_SH_ALL_BUT);
	cr_expect_not(lv_lapic_msg_targets(&L, &fx.msg, true));
	cr_expect(lv_lapic_msg_targets(&other, &fx.msg, false));
	send(0x07000000, 0x4031);
	cr_expect(lv_lapic_msg_targets(&other, &fx.msg, false));
	cr_expect_not(lv_lapic_msg_targets(&L, &fx.msg, true));
	/* A globally disabled APIC receives nothing. */
	cr_expect_eq(lv_lapic_set_base(&other, 0xfee00000, false, &fx), LV_LAPIC_OK);
	send(0, 0x84031);
	cr_expect_not(lv_lapic_msg_targets(&other, &fx.msg, false));
}

Test(lapic_icr, physical_and_flat_logical)
{
	setup(5, false);
	cr_expect(lv_lapic_match_dest(&L, 5, false, false));
	cr_expect_not(lv_lapic_match_dest(&L, 6, false, false));
	cr_expect(lv_lapic_match_dest(&L, 0xff, false, false), "physical broadcast");
	cr_expect(lv_lapic_match_dest(&L, 0x105, false, false), "8-bit destination");
	w(LV_APIC_LDR, 0x04000000);
	cr_expect(lv_lapic_match_dest(&L, 0x06, true, false));
	cr_expect_not(lv_lapic_match_dest(&L, 0x03, true, false));
	cr_expect(lv_lapic_match_dest(&L, 0xff, true, false));
}

Test(lapic_icr, cluster_logical)
{
	setup(5, false);
	w(LV_APIC_DFR, 0x0fffffff);
	w(LV_APIC_LDR, 0x21000000); /* cluster 2, member bit 0 */
	cr_expect(lv_lapic_match_dest(&L, 0x21, true, false));
	cr_expect(lv_lapic_match_dest(&L, 0x23, true, false));
	cr_expect_not(lv_lapic_match_dest(&L, 0x31, true, false), "other cluster");
	cr_expect_not(lv_lapic_match_dest(&L, 0x22, true, false), "other member");
	cr_expect(lv_lapic_match_dest(&L, 0xff, true, false));
	w(LV_APIC_DFR, 0x7fffffff);
	cr_expect_not(lv_lapic_match_dest(&L, 0x21, true, false), "undefined model");
}

Test(lapic_icr, x2apic_destinations)
{
	setup(0x25, false);
	cr_assert_eq(lv_lapic_set_base(&L, 0xfee00c00, false, &fx), LV_LAPIC_OK);
	cr_expect_eq(lv_lapic_reg(&L, LV_APIC_LDR), 0x00020020u, "cluster 2, bit 5");
	cr_expect(lv_lapic_match_dest(&L, 0x00020020, true, true));
	cr_expect(lv_lapic_match_dest(&L, 0x00020030, true, true));
	cr_expect_not(lv_lapic_match_dest(&L, 0x00020010, true, true));
	cr_expect_not(lv_lapic_match_dest(&L, 0x00030020, true, true));
	cr_expect(lv_lapic_match_dest(&L, 0xffffffffu, true, true));
	cr_expect(lv_lapic_match_dest(&L, 0x25, false, true));
	cr_expect_not(lv_lapic_match_dest(&L, 0x125, false, true));
	cr_expect(lv_lapic_match_dest(&L, 0xffffffffu, false, true));
	/* 8-bit messages (an IOAPIC) to an x2APIC: physical works, logical not. */
	cr_expect(lv_lapic_match_dest(&L, 0x25, false, false));
	cr_expect(lv_lapic_match_dest(&L, 0xff, false, false));
	cr_expect_not(lv_lapic_match_dest(&L, 0x20, true, false));
}

Test(lapic_icr, init_sipi_mp_state)
{
	struct lv_apic_msg init = { .delivery = LV_APIC_DM_INIT, .assert = true };
	struct lv_apic_msg deassert = { .delivery = LV_APIC_DM_INIT, .level_trig = true };
	struct lv_apic_msg sipi = { .delivery = LV_APIC_DM_STARTUP, .vector = 0x9a };

	setup(4, false);
	enable();
	w(LV_APIC_TPR, 0x20);
	w(LV_APIC_ID, 0x09000000);
	memset(&fx, 0, sizeof(fx));
	lv_lapic_accept(&L, &sipi, &fx);
	cr_expect_eq(fx.flags, 0u, "SIPI ignored while running");
	lv_lapic_accept(&L, &deassert, &fx);
	cr_expect_eq(fx.flags, 0u);
	cr_expect_eq(r(LV_APIC_TPR), 0x20u);
	lv_lapic_accept(&L, &init, &fx);
	cr_expect(fx.flags & LV_LAPIC_FX_INIT);
	cr_expect_eq(L.mp_state, LV_MP_WAIT_SIPI);
	cr_expect_eq(r(LV_APIC_TPR), 0u);
	cr_expect_eq(r(LV_APIC_SVR), 0xffu);
	cr_expect_eq(r(LV_APIC_ID), 0x09000000u, "INIT keeps the APIC ID");
	memset(&fx, 0, sizeof(fx));
	lv_lapic_accept(&L, &sipi, &fx);
	cr_expect(fx.flags & LV_LAPIC_FX_SIPI);
	cr_expect_eq(fx.sipi_vector, 0x9a);
	cr_expect_eq(L.mp_state, LV_MP_RUNNABLE);
	memset(&fx, 0, sizeof(fx));
	lv_lapic_accept(&L, &sipi, &fx);
	cr_expect_not(fx.flags & LV_LAPIC_FX_SIPI, "the second SIPI is ignored");
	/* The BSP restarts at the reset vector rather than waiting. */
	setup(0, true);
	lv_lapic_accept(&L, &init, &fx);
	cr_expect_eq(L.mp_state, LV_MP_RUNNABLE);
}

Test(lapic_icr, other_accept_modes)
{
	struct lv_apic_msg m = { .assert = true };

	setup(0, true);
	enable();
	m.delivery = LV_APIC_DM_LOWEST;
	m.vector = 0x66;
	lv_lapic_accept(&L, &m, &fx);
	cr_expect(irr(0x66), "lowest priority is accepted like fixed");
	memset(&fx, 0, sizeof(fx));
	m.delivery = LV_APIC_DM_SMI;
	lv_lapic_accept(&L, &m, &fx);
	cr_expect_eq(fx.flags, 0u, "SMI is dropped");
	m.delivery = LV_APIC_DM_EXTINT;
	lv_lapic_accept(&L, &m, &fx);
	cr_expect_eq(fx.flags, LV_LAPIC_FX_EXTINT);
	/* LINT0 as ExtINT (virtual wire), LINT1 as NMI. */
	w(LV_APIC_LVT0, 0x700);
	w(LV_APIC_LVT1, 0x400);
	memset(&fx, 0, sizeof(fx));
	lv_lapic_lvt_fire(&L, LV_APIC_LVT0, &fx);
	lv_lapic_lvt_fire(&L, LV_APIC_LVT1, &fx);
	cr_expect_eq(fx.flags, LV_LAPIC_FX_EXTINT | LV_LAPIC_FX_NMI);
}

Test(lapic_icr, msi_decode)
{
	struct lv_apic_msg m;

	cr_assert(lv_apic_msi_decode(0xfee05004, 0x0000c4a1, &m));
	cr_expect_eq(m.dest, 5u);
	cr_expect(m.logical);
	cr_expect_eq(m.vector, 0xa1);
	cr_expect_eq(m.delivery, LV_APIC_DM_NMI);
	cr_expect(m.level_trig && m.assert);
	cr_expect_not(m.x2apic);
	cr_expect_eq(m.shorthand, LV_APIC_SH_NONE);
	cr_assert(lv_apic_msi_decode(0xfeeff000, 0x31, &m));
	cr_expect_eq(m.dest, 0xffu);
	cr_expect_not(m.logical || m.level_trig);
	cr_expect(m.assert, "edge messages always assert");
	cr_expect_eq(m.delivery, LV_APIC_DM_FIXED);
	cr_expect_not(lv_apic_msi_decode(0xfed00000, 0x31, &m));
	cr_expect_not(lv_apic_msi_decode(0x1fee00000ull, 0x31, &m));
}

Test(lapic_icr, lvt_sources)
{
	setup(0, true);
	enable();
	w(LV_APIC_LVT0, 0x8055); /* fixed, level-triggered, vector 0x55 */
	lv_lapic_lvt_fire(&L, LV_APIC_LVT0, &fx);
	cr_expect(irr(0x55));
	cr_expect(tmr(0x55), "a level LINT0 interrupt is level in TMR");
	w(LV_APIC_LVTTHMR, 0x10066);
	lv_lapic_lvt_fire(&L, LV_APIC_LVTTHMR, &fx);
	cr_expect_not(irr(0x66), "masked");
	w(LV_APIC_LVTPC, 0x0077);
	lv_lapic_lvt_fire(&L, LV_APIC_LVTPC, &fx);
	cr_expect(irr(0x77));
	cr_expect_not(tmr(0x77));
	w(LV_APIC_LVTERR, 0x0005); /* illegal vector: only the ESR bit */
	lv_lapic_lvt_fire(&L, LV_APIC_LVTERR, &fx);
	w(LV_APIC_ESR, 0);
	cr_expect_eq(r(LV_APIC_ESR), LV_APIC_ESR_RECV_ILLEGAL_VECTOR);
}
