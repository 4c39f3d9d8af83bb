/* SPDX-License-Identifier: MIT */
/*
 * The 8254 model (src/core/pit.c) against the Intel 82C54 data sheet, on a
 * fake nanosecond clock: modes 0, 2, 3 and 4, counter 0's IRQ 0 edges and
 * deadlines, the latch and read-back commands, LSB-only and BCD access, and
 * counter 2's GATE and OUT on port 0x61.
 */
#include <criterion/criterion.h>

#include "core/pit.h"

static struct lv_pit pit;
static uint64_t now;

/* ns in which @p t clocks of 1.193182 MHz pass (rounded up). */
static uint64_t ns_of(uint64_t t)
{
	return (t * 1000000000ull + LV_PIT_HZ - 1) / LV_PIT_HZ;
}

static void setup(void)
{
	lv_pit_reset(&pit);
	now = 1000000;
}

static void out(uint16_t port, uint8_t v)
{
	lv_pit_write(&pit, port, v, now);
}

static uint8_t in(uint16_t port)
{
	return lv_pit_read(&pit, port, now);
}

/* Counter @p i: control word @p cw, then the count as @p rw asks. */
static void program(unsigned i, uint8_t cw, uint16_t count)
{
	out(0x43, cw);
	if (((cw >> 4) & 3) != 2)
		out((uint16_t)(0x40 + i), (uint8_t)count);
	if (((cw >> 4) & 3) != 1)
		out((uint16_t)(0x40 + i), (uint8_t)(count >> 8));
}

static uint16_t latched(unsigned i)
{
	uint16_t lo;

	out(0x43, (uint8_t)(i << 6)); /* counter latch command */
	lo = in((uint16_t)(0x40 + i));
	return (uint16_t)(lo | in((uint16_t)(0x40 + i)) << 8);
}

Test(pit, reset_is_quiet, .init = setup)
{
	cr_expect(!lv_pit_irq0_poll(&pit, now + 1000000000ull));
	cr_expect_eq(lv_pit_irq0_next(&pit), LV_PIT_NO_DEADLINE);
	cr_expect_eq(in(0x61) & 0x21, 0, "GATE2 low, OUT2 low after reset");
	cr_expect(lv_pit_port(0x40) && lv_pit_port(0x43) && lv_pit_port(0x61));
	cr_expect(!lv_pit_port(0x44) && !lv_pit_port(0x60));
}

Test(pit, mode2_periodic_irq0, .init = setup)
{
	uint64_t t0 = now, next;

	program(0, 0x34, 1193); /* counter 0, LSB then MSB, mode 2: about 1 kHz */
	next = lv_pit_irq0_next(&pit);
	cr_expect_eq(next, t0 + ns_of(1193));
	cr_expect(!lv_pit_irq0_poll(&pit, next - 1));
	cr_expect(lv_pit_irq0_poll(&pit, next), "OUT rises when the count passes 1");
	cr_expect(!lv_pit_irq0_poll(&pit, next), "once per edge");
	cr_expect_eq(lv_pit_irq0_next(&pit), t0 + ns_of(2 * 1193));
	cr_expect(lv_pit_irq0_poll(&pit, t0 + ns_of(10 * 1193)), "missed periods coalesce");
	cr_expect(!lv_pit_irq0_poll(&pit, t0 + ns_of(10 * 1193)));
	cr_expect_eq(lv_pit_irq0_next(&pit), t0 + ns_of(11 * 1193));
	now = t0 + ns_of(100);
	cr_expect_eq(latched(0), 1093);
	cr_expect(lv_pit_out(&pit, 0, now));
	now = t0 + ns_of(1192);
	cr_expect(!lv_pit_out(&pit, 0, now), "low while the count is 1");
}

Test(pit, latch_holds_and_byte_order, .init = setup)
{
	uint64_t t0 = now;

	program(0, 0x30, 5000); /* mode 0 */
	now = t0 + ns_of(1000);
	out(0x43, 0x00);
	now = t0 + ns_of(3000);
	cr_expect_eq(in(0x40), (uint8_t)4000, "the latched LSB");
	out(0x43, 0x00); /* ignored: the latched MSB is still unread */
	cr_expect_eq(in(0x40), (uint8_t)(4000 >> 8));
	cr_expect_eq(in(0x40), (uint8_t)2000, "unlatched: the live count again");
	cr_expect_eq(in(0x40), (uint8_t)(2000 >> 8));
	program(1, 0x50, 0x77); /* counter 1, LSB only, mode 0 */
	cr_expect_eq(in(0x41), 0x77);
	cr_expect_eq(in(0x41), 0x77, "LSB only: no MSB read in between");
}

Test(pit, read_back_status_then_count, .init = setup)
{
	uint8_t st;

	out(0x43, 0x34);
	out(0x40, 0x10);
	out(0x43, 0xe2); /* read-back of counter 0: status only */
	st = in(0x40);
	cr_expect_eq(st, 0xc0 | 0x34, "OUT high, null count (MSB not written), RW 3, mode 2");
	out(0x40, 0x00);
	out(0x43, 0xc2);
	cr_expect_eq(in(0x40), 0x80 | 0x34, "count loaded");
	cr_expect_eq(in(0x40), 0x10);
	cr_expect_eq(in(0x40), 0x00);
}

Test(pit, mode3_square_wave, .init = setup)
{
	uint64_t t0 = now;

	program(0, 0x36, 1000);
	cr_expect(lv_pit_out(&pit, 0, t0 + ns_of(499)));
	cr_expect(!lv_pit_out(&pit, 0, t0 + ns_of(500)));
	cr_expect(!lv_pit_out(&pit, 0, t0 + ns_of(999)));
	cr_expect(lv_pit_out(&pit, 0, t0 + ns_of(1000)));
	now = t0 + ns_of(250);
	cr_expect_eq(latched(0), 500, "counts by twos");
	cr_expect_eq(lv_pit_irq0_next(&pit), t0 + ns_of(1000));
}

Test(pit, mode4_strobe_and_bcd, .init = setup)
{
	uint64_t t0 = now;

	program(0, 0x38, 100); /* mode 4 */
	cr_expect(lv_pit_out(&pit, 0, t0 + ns_of(99)));
	cr_expect(!lv_pit_out(&pit, 0, t0 + ns_of(100)), "one clock low at terminal count");
	cr_expect(lv_pit_out(&pit, 0, t0 + ns_of(101)));
	cr_expect_eq(lv_pit_irq0_next(&pit), t0 + ns_of(101));
	cr_expect(lv_pit_irq0_poll(&pit, t0 + ns_of(101)));
	cr_expect_eq(lv_pit_irq0_next(&pit), LV_PIT_NO_DEADLINE, "a strobe fires once");
	program(1, 0x71, 0x1000); /* counter 1, BCD 1000 */
	now += ns_of(100);
	cr_expect_eq(latched(1), 0x0900);
}

Test(pit, channel2_gate_and_out_on_port_61, .init = setup)
{
	uint64_t t0;

	out(0x61, 0x01);	 /* GATE2 high, speaker off: a calibration loop's setup */
	program(2, 0xb0, 11932); /* counter 2, mode 0: 10 ms */
	t0 = now;
	cr_expect_eq(in(0x61) & 0x21, 0x01, "OUT2 low while counting");
	now = t0 + 5000000;
	cr_expect_eq(in(0x61) & 0x20, 0);
	now = t0 + 10100000;
	cr_expect_eq(in(0x61) & 0x20, 0x20, "OUT2 high at terminal count");
	cr_expect(!lv_pit_irq0_poll(&pit, now), "counter 2 is not IRQ 0");
	/* Gate low: the count waits; high: it runs from where it was. */
	out(0x61, 0x00);
	program(2, 0xb0, 1000);
	now += 50000000;
	cr_expect_eq(latched(2), 1000, "no counting with GATE2 low");
	cr_expect_eq(in(0x61) & 0x20, 0);
	out(0x61, 0x03);
	cr_expect_eq(in(0x61) & 0x03, 0x03);
	now += ns_of(1000);
	cr_expect_eq(in(0x61) & 0x20, 0x20);
	out(0x61, 0x01);
	program(2, 0xb6, 100); /* mode 3 while GATE2 stays high */
	t0 = now;
	now = t0 + ns_of(60);
	cr_expect_eq(in(0x61) & 0x20, 0, "second half of the square wave");
}
