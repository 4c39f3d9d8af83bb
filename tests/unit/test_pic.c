/* SPDX-License-Identifier: MIT */
/*
 * The 8259A pair (src/core/pic.c) against the Intel 8259A data sheet:
 * initialization, masks, priority and rotation, EOI forms, automatic EOI,
 * cascade, spurious IR7, poll, IRR/ISR reads, special mask mode, and edge
 * versus level (ELCR) triggering.
 */
#include <criterion/criterion.h>

#include "core/pic.h"

static struct lv_pic pic;

/* The PC BIOS layout: master base 0x08, slave 0x70, slave on IR2; ICW4 @p icw4. */
static void init_pc(uint8_t icw4)
{
	lv_pic_reset(&pic);
	lv_pic_write(&pic, 0x20, 0x11);
	lv_pic_write(&pic, 0x21, 0x08);
	lv_pic_write(&pic, 0x21, 0x04);
	lv_pic_write(&pic, 0x21, icw4);
	lv_pic_write(&pic, 0xa0, 0x11);
	lv_pic_write(&pic, 0xa1, 0x70);
	lv_pic_write(&pic, 0xa1, 0x02);
	lv_pic_write(&pic, 0xa1, icw4);
	lv_pic_write(&pic, 0x21, 0x00);
	lv_pic_write(&pic, 0xa1, 0x00);
}

static void pulse(unsigned irq)
{
	lv_pic_set_irq(&pic, irq, true);
	lv_pic_set_irq(&pic, irq, false);
}

Test(pic, uninitialized_gives_nothing_until_icws_done)
{
	lv_pic_reset(&pic);
	lv_pic_write(&pic, 0x20, 0x11);
	lv_pic_set_irq(&pic, 1, true);
	cr_expect(!lv_pic_output(&pic), "no INT while ICW2-4 are awaited");
	lv_pic_write(&pic, 0x21, 0x20);
	lv_pic_write(&pic, 0x21, 0x04);
	lv_pic_write(&pic, 0x21, 0x01);
	cr_expect(lv_pic_output(&pic));
	cr_expect_eq(lv_pic_intack(&pic), 0x21);
}

Test(pic, edge_irq_vector_isr_and_eoi)
{
	init_pc(0x01);
	cr_expect(!lv_pic_output(&pic));
	pulse(3);
	cr_expect(lv_pic_output(&pic), "an edge stays latched after the line falls");
	cr_expect_eq(lv_pic_read(&pic, 0x20), 0x08, "IRR read after init");
	cr_expect_eq(lv_pic_intack(&pic), 0x0b);
	cr_expect(!lv_pic_output(&pic));
	lv_pic_write(&pic, 0x20, 0x0b); /* OCW3: read ISR */
	cr_expect_eq(lv_pic_read(&pic, 0x20), 0x08);
	lv_pic_write(&pic, 0x20, 0x20); /* non-specific EOI */
	cr_expect_eq(lv_pic_read(&pic, 0x20), 0x00);
	lv_pic_set_irq(&pic, 3, true); /* a held line gives no new edge */
	lv_pic_set_irq(&pic, 3, true);
	cr_expect_eq(lv_pic_intack(&pic), 0x0b);
	lv_pic_write(&pic, 0x20, 0x20);
	cr_expect(!lv_pic_output(&pic));
}

Test(pic, imr_masks_and_unmask_delivers)
{
	init_pc(0x01);
	lv_pic_write(&pic, 0x21, 0xff);
	cr_expect_eq(lv_pic_read(&pic, 0x21), 0xff);
	pulse(4);
	cr_expect(!lv_pic_output(&pic), "masked");
	lv_pic_write(&pic, 0x21, 0xef);
	cr_expect(lv_pic_output(&pic), "the latched request after unmasking");
	cr_expect_eq(lv_pic_intack(&pic), 0x0c);
}

Test(pic, fully_nested_priority)
{
	init_pc(0x01);
	pulse(5);
	cr_expect_eq(lv_pic_intack(&pic), 0x0d);
	pulse(6);
	cr_expect(!lv_pic_output(&pic), "IR6 waits behind in-service IR5");
	pulse(1);
	cr_expect(lv_pic_output(&pic), "IR1 preempts IR5");
	cr_expect_eq(lv_pic_intack(&pic), 0x09);
	lv_pic_write(&pic, 0x20, 0x20); /* EOI ends IR1, the highest in service */
	cr_expect(!lv_pic_output(&pic));
	lv_pic_write(&pic, 0x20, 0x65); /* specific EOI for IR5 */
	cr_expect_eq(lv_pic_intack(&pic), 0x0e);
}

Test(pic, cascade_slave_vector_and_both_eois)
{
	init_pc(0x01);
	pulse(11);
	cr_expect(lv_pic_output(&pic));
	cr_expect_eq(lv_pic_intack(&pic), 0x73);
	lv_pic_write(&pic, 0x20, 0x0b);
	lv_pic_write(&pic, 0xa0, 0x0b);
	cr_expect_eq(lv_pic_read(&pic, 0x20), 0x04, "master in service on IR2");
	cr_expect_eq(lv_pic_read(&pic, 0xa0), 0x08, "slave in service on IR3");
	pulse(12);
	cr_expect(!lv_pic_output(&pic), "lower priority on the slave waits");
	lv_pic_write(&pic, 0xa0, 0x20);
	cr_expect(!lv_pic_output(&pic), "the master's IR2 is still in service");
	lv_pic_write(&pic, 0x20, 0x20);
	cr_expect_eq(lv_pic_intack(&pic), 0x74);
	lv_pic_write(&pic, 0xa1, 0x10); /* slave IMR masks IR4: no effect now */
	lv_pic_write(&pic, 0xa1, 0x08);
	pulse(11);
	cr_expect(!lv_pic_output(&pic), "slave masked IR3");
}

Test(pic, spurious_ir7_when_request_vanishes)
{
	init_pc(0x01);
	lv_pic_write(&pic, 0x4d0, 0x20); /* IRQ 5 level-triggered */
	lv_pic_write(&pic, 0x4d1, 0x08); /* IRQ 11 level-triggered */
	cr_expect_eq(lv_pic_read(&pic, 0x4d1), 0x08);
	lv_pic_set_irq(&pic, 5, true);
	cr_expect(lv_pic_output(&pic));
	lv_pic_set_irq(&pic, 5, false);
	cr_expect(!lv_pic_output(&pic), "a level request ends with its line");
	cr_expect_eq(lv_pic_intack(&pic), 0x0f, "INTA with nothing pending: IR7");
	lv_pic_write(&pic, 0x20, 0x0b);
	cr_expect_eq(lv_pic_read(&pic, 0x20), 0x00, "spurious IR7 sets no ISR bit");
	/* The slave's request goes away after its edge reached the master's IR2. */
	lv_pic_set_irq(&pic, 11, true);
	lv_pic_set_irq(&pic, 11, false);
	cr_expect_eq(lv_pic_intack(&pic), 0x77, "the slave answers with its IR7");
	lv_pic_write(&pic, 0xa0, 0x0b);
	cr_expect_eq(lv_pic_read(&pic, 0xa0), 0x00);
}

Test(pic, level_trigger_stays_until_line_falls)
{
	init_pc(0x01);
	lv_pic_write(&pic, 0x4d0, 0xff);
	cr_expect_eq(lv_pic_read(&pic, 0x4d0), 0xf8, "IRQ 0-2 are edge only");
	lv_pic_set_irq(&pic, 5, true);
	cr_expect_eq(lv_pic_intack(&pic), 0x0d);
	lv_pic_write(&pic, 0x20, 0x20);
	cr_expect(lv_pic_output(&pic), "still high: requested again after EOI");
	lv_pic_set_irq(&pic, 5, false);
	cr_expect(!lv_pic_output(&pic));
}

Test(pic, auto_eoi_and_rotation)
{
	init_pc(0x03); /* 8086, AEOI */
	pulse(3);
	pulse(6);
	cr_expect_eq(lv_pic_intack(&pic), 0x0b);
	lv_pic_write(&pic, 0x20, 0x0b);
	cr_expect_eq(lv_pic_read(&pic, 0x20), 0x00, "AEOI: nothing in service");
	cr_expect_eq(lv_pic_intack(&pic), 0x0e);
	init_pc(0x01);
	lv_pic_write(&pic, 0x20, 0xc4); /* set priority: IR4 lowest, IR5 highest */
	pulse(1);
	pulse(6);
	cr_expect_eq(lv_pic_intack(&pic), 0x0e, "IR6 ranks above IR1 now");
	lv_pic_write(&pic, 0x20, 0xa0); /* rotate on non-specific EOI: IR6 lowest */
	pulse(6);
	cr_expect_eq(lv_pic_intack(&pic), 0x09, "IR1 before IR6 after rotation");
}

Test(pic, poll_command)
{
	init_pc(0x01);
	lv_pic_write(&pic, 0x20, 0x0c); /* OCW3: poll */
	cr_expect_eq(lv_pic_read(&pic, 0x20), 0x00, "nothing requested");
	pulse(6);
	lv_pic_write(&pic, 0x20, 0x0c);
	cr_expect_eq(lv_pic_read(&pic, 0x20), 0x86);
	cr_expect(!lv_pic_output(&pic), "the poll acknowledged it");
	lv_pic_write(&pic, 0x20, 0x0b);
	cr_expect_eq(lv_pic_read(&pic, 0x20), 0x40);
}

Test(pic, special_mask_mode)
{
	init_pc(0x01);
	pulse(3);
	cr_expect_eq(lv_pic_intack(&pic), 0x0b);
	pulse(5);
	cr_expect(!lv_pic_output(&pic));
	lv_pic_write(&pic, 0x21, 0x08); /* mask the in-service level ... */
	lv_pic_write(&pic, 0x20, 0x68); /* ... and enter special mask mode */
	cr_expect(lv_pic_output(&pic), "lower levels open in special mask mode");
	cr_expect_eq(lv_pic_intack(&pic), 0x0d);
	lv_pic_write(&pic, 0x20, 0x48); /* leave it */
	pulse(6);
	cr_expect(!lv_pic_output(&pic));
}

Test(pic, ports_and_icw1_resets)
{
	cr_expect(lv_pic_port(0x20) && lv_pic_port(0xa1) && lv_pic_port(0x4d1));
	cr_expect(!lv_pic_port(0x22) && !lv_pic_port(0x40));
	init_pc(0x01);
	lv_pic_write(&pic, 0x21, 0x55);
	pulse(4);
	lv_pic_write(&pic, 0x20, 0x11);
	cr_expect_eq(lv_pic_read(&pic, 0x20), 0x00, "ICW1 drops the edge latch");
	lv_pic_write(&pic, 0x21, 0x08);
	lv_pic_write(&pic, 0x21, 0x04);
	lv_pic_write(&pic, 0x21, 0x01);
	cr_expect_eq(lv_pic_read(&pic, 0x21), 0x00, "ICW1 clears IMR");
	cr_expect_eq(lv_pic_read(&pic, 0x40), 0xff);
}
