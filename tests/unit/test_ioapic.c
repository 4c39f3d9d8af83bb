/* SPDX-License-Identifier: MIT */
/*
 * The IOAPIC model (src/core/ioapic.c): indirect register access, ID,
 * version and arbitration, redirection-entry masks, edge and level pins,
 * remote IRR and the EOI broadcast, and one end-to-end route through a
 * local APIC model.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/ioapic.h"

static struct lv_ioapic io;
static struct lv_apic_msg sent[16];
static unsigned nsent;

static void sink(void *ctx, const struct lv_apic_msg *m)
{
	(void)ctx;
	cr_assert_lt(nsent, 16u);
	sent[nsent++] = *m;
}

static void setup(void)
{
	lv_ioapic_reset(&io, sink, NULL);
	nsent = 0;
}

static void rte(unsigned pin, uint32_t lo, uint32_t hi)
{
	lv_ioapic_mmio_write(&io, LV_IOAPIC_IOREGSEL, 0x11 + 2 * pin);
	lv_ioapic_mmio_write(&io, LV_IOAPIC_IOWIN, hi);
	lv_ioapic_mmio_write(&io, LV_IOAPIC_IOREGSEL, 0x10 + 2 * pin);
	lv_ioapic_mmio_write(&io, LV_IOAPIC_IOWIN, lo);
}

static uint32_t reg(unsigned r)
{
	lv_ioapic_mmio_write(&io, LV_IOAPIC_IOREGSEL, r);
	return lv_ioapic_mmio_read(&io, LV_IOAPIC_IOWIN);
}

Test(ioapic, reset_and_identification)
{
	unsigned pin;

	setup();
	cr_expect_eq(reg(LV_IOAPIC_REG_VER), 0x00170011u, "version 0x11, 24 entries");
	cr_expect_eq(lv_ioapic_mmio_read(&io, LV_IOAPIC_IOREGSEL), 0x01u);
	cr_expect_eq(reg(LV_IOAPIC_REG_ID), 0);
	for (pin = 0; pin < 24; pin++) {
		cr_expect_eq(reg(0x10 + 2 * pin), 0x00010000u, "pin %u masked", pin);
		cr_expect_eq(reg(0x11 + 2 * pin), 0, "pin %u", pin);
	}
	cr_expect_eq(reg(0x40), 0, "beyond the table");
	lv_ioapic_mmio_write(&io, LV_IOAPIC_IOREGSEL, 0x1ff);
	cr_expect_eq(lv_ioapic_mmio_read(&io, LV_IOAPIC_IOREGSEL), 0xffu);
	lv_ioapic_mmio_write(&io, LV_IOAPIC_IOREGSEL, LV_IOAPIC_REG_ID);
	lv_ioapic_mmio_write(&io, LV_IOAPIC_IOWIN, 0xffffffffu);
	cr_expect_eq(reg(LV_IOAPIC_REG_ID), 0x0f000000u);
	cr_expect_eq(reg(LV_IOAPIC_REG_ARB), 0x0f000000u);
	lv_ioapic_mmio_write(&io, LV_IOAPIC_IOREGSEL, LV_IOAPIC_REG_VER);
	lv_ioapic_mmio_write(&io, LV_IOAPIC_IOWIN, 0);
	cr_expect_eq(reg(LV_IOAPIC_REG_VER), 0x00170011u, "read-only");
	cr_expect_eq(lv_ioapic_mmio_read(&io, 0x20), 0, "no EOI register in version 0x11");
}

Test(ioapic, redirection_entry_masks)
{
	setup();
	rte(3, 0xffffffffu, 0xffffffffu);
	cr_expect_eq(reg(0x16), 0x0001afffu, "delivery status, remote IRR, 31:17 read-only");
	cr_expect_eq(reg(0x17), 0xff000000u);
	cr_expect_eq(io.redir[3], 0xff0000000001afffull);
	cr_expect_eq(nsent, 0u);
}

Test(ioapic, edge_pin)
{
	setup();
	rte(1, 0x0831, 0x02000000); /* vector 0x31, fixed, logical, edge */
	lv_ioapic_set_irq(&io, 1, true);
	cr_assert_eq(nsent, 1u);
	cr_expect_eq(sent[0].vector, 0x31);
	cr_expect_eq(sent[0].dest, 2u);
	cr_expect_eq(sent[0].delivery, LV_APIC_DM_FIXED);
	cr_expect(sent[0].logical);
	cr_expect_not(sent[0].level_trig);
	cr_expect_not(sent[0].x2apic);
	cr_expect_eq(sent[0].shorthand, 0);
	lv_ioapic_set_irq(&io, 1, true);
	cr_expect_eq(nsent, 1u, "no edge while held high");
	lv_ioapic_set_irq(&io, 1, false);
	lv_ioapic_set_irq(&io, 1, true);
	cr_expect_eq(nsent, 2u);
	cr_expect_eq(reg(0x12) & (1u << 14), 0, "edge entries have no remote IRR");
	/* A masked edge is lost, also after unmasking. */
	lv_ioapic_set_irq(&io, 1, false);
	rte(1, 0x10831, 0x02000000);
	lv_ioapic_set_irq(&io, 1, true);
	rte(1, 0x0831, 0x02000000);
	cr_expect_eq(nsent, 2u);
	lv_ioapic_set_irq(&io, 24, true);
	lv_ioapic_set_irq(&io, 1000, true);
	cr_expect_eq(nsent, 2u, "pins >= 24 do not exist");
}

Test(ioapic, level_pin_remote_irr_and_eoi)
{
	setup();
	rte(9, 0x8139, 0x05000000); /* vector 0x39, lowest priority, level */
	lv_ioapic_set_irq(&io, 9, true);
	cr_assert_eq(nsent, 1u);
	cr_expect(sent[0].level_trig);
	cr_expect_eq(sent[0].delivery, LV_APIC_DM_LOWEST);
	cr_expect_eq(sent[0].dest, 5u);
	cr_expect_eq(reg(0x22), 0x0000c139u, "remote IRR set");
	lv_ioapic_set_irq(&io, 9, true);
	cr_expect_eq(nsent, 1u, "held by remote IRR");
	lv_ioapic_eoi(&io, 0x38);
	cr_expect_eq(nsent, 1u, "EOI of another vector");
	cr_expect_eq(reg(0x22), 0x0000c139u);
	lv_ioapic_eoi(&io, 0x39);
	cr_expect_eq(nsent, 2u, "still asserted: delivered again");
	cr_expect_eq(reg(0x22), 0x0000c139u);
	lv_ioapic_set_irq(&io, 9, false);
	lv_ioapic_eoi(&io, 0x39);
	cr_expect_eq(nsent, 2u);
	cr_expect_eq(reg(0x22), 0x00008139u, "remote IRR cleared");
	/* The guest cannot set remote IRR. */
	rte(9, 0xc139, 0x05000000);
	cr_expect_eq(reg(0x22), 0x00008139u);
}

Test(ioapic, level_unmask_while_asserted)
{
	setup();
	rte(4, 0x18044, 0); /* masked, level, vector 0x44 */
	lv_ioapic_set_irq(&io, 4, true);
	cr_expect_eq(nsent, 0u);
	rte(4, 0x08044, 0);
	cr_assert_eq(nsent, 1u, "delivered on unmask");
	cr_expect_eq(sent[0].vector, 0x44);
	/* Switching the entry to edge drops remote IRR. */
	rte(4, 0x00044, 0);
	cr_expect_eq(reg(0x18) & (1u << 14), 0);
}

struct route {
	struct lv_lapic *cpu[2];
	struct lv_lapic_fx fx[2];
};

static void to_lapics(void *ctx, const struct lv_apic_msg *m)
{
	struct route *rt = ctx;
	unsigned i;

	for (i = 0; i < 2; i++)
		if (lv_lapic_msg_targets(rt->cpu[i], m, false))
			lv_lapic_accept(rt->cpu[i], m, &rt->fx[i]);
}

Test(ioapic, level_interrupt_through_a_local_apic)
{
	static struct lv_lapic a, b;
	struct route rt;
	struct lv_lapic_fx fx = { 0 };

	memset(&rt, 0, sizeof(rt));
	rt.cpu[0] = &a;
	rt.cpu[1] = &b;
	lv_lapic_reset(&a, 0, true, true, 46);
	lv_lapic_reset(&b, 1, false, true, 46);
	lv_lapic_mmio_write(&a, LV_APIC_SVR, 4, 0x1ff, 0, &fx);
	lv_lapic_mmio_write(&b, LV_APIC_SVR, 4, 0x1ff, 0, &fx);
	lv_ioapic_reset(&io, to_lapics, &rt);
	rte(10, 0x8062, 0x01000000); /* level, vector 0x62, physical APIC 1 */
	lv_ioapic_set_irq(&io, 10, true);
	cr_expect_eq(lv_lapic_pending(&a), -1);
	cr_assert_eq(lv_lapic_ack(&b), 0x62);
	memset(&fx, 0, sizeof(fx));
	lv_lapic_mmio_write(&b, LV_APIC_EOI, 4, 0, 0, &fx);
	cr_assert(fx.flags & LV_LAPIC_FX_EOI_BCAST);
	cr_expect_eq(fx.eoi_vector, 0x62);
	lv_ioapic_eoi(&io, fx.eoi_vector);
	cr_expect_eq(lv_lapic_pending(&b), 0x62, "the line is still high: IRR again");
	lv_ioapic_set_irq(&io, 10, false);
	lv_lapic_ack(&b);
	memset(&fx, 0, sizeof(fx));
	lv_lapic_eoi(&b, &fx);
	lv_ioapic_eoi(&io, fx.eoi_vector);
	cr_expect_eq(lv_lapic_pending(&b), -1);
	cr_expect_eq(io.redir[10] & LV_IOAPIC_RTE_REMOTE_IRR, 0);
}
