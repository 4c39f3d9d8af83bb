/* SPDX-License-Identifier: MIT */
/*
 * A one-shot timer callback for the conformance suite's call_later hook:
 * the 8259 PICs remapped to vectors 32-47 with every IRQ masked, the 8254
 * PIT channel 0 in mode 0 (interrupt on terminal count, 1.193182 MHz), IRQ 0
 * unmasked only while a callback is pending. Interrupts are enabled (STI)
 * when the first callback is scheduled; the callback runs in the IRQ
 * handler, e.g. while lv_vcpu_run() is in its loop: the IRQ makes VMRUN
 * exit (INTR intercept) and is taken after STGI. pic_irq() gives another
 * line of the master PIC a handler (vcpu-run's console input: COM2, IRQ 3).
 */
#include "kernel.h"

static void (*pending_fn)(void *);
static void *pending_arg;
static uint8_t mask1 = 0xff;
static void (*irq_fn[8])(void);

void timer_init(void)
{
	/* ICW1-4: edge, cascade, vectors 32/40, slave on IRQ 2, 8086 mode (8259A datasheet). */
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 0x20);
	outb(0xa1, 0x28);
	outb(0x21, 0x04);
	outb(0xa1, 0x02);
	outb(0x21, 0x01);
	outb(0xa1, 0x01);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

int timer_call_later(uint32_t usec, void (*fn)(void *arg), void *arg)
{
	uint64_t count = (uint64_t)usec * 1193182u / 1000000u;

	if (pending_fn)
		return -1;
	if (count < 1)
		count = 1;
	if (count > 0xffff)
		count = 0xffff;
	pending_arg = arg;
	__atomic_store_n(&pending_fn, fn, __ATOMIC_RELEASE);
	outb(0x43, 0x30); /* channel 0, lobyte/hibyte, mode 0 */
	outb(0x40, (uint8_t)count);
	outb(0x40, (uint8_t)(count >> 8));
	mask1 &= (uint8_t)~1u;
	outb(0x21, mask1);
	__asm__ volatile("sti");
	return 0;
}

void pic_irq(unsigned irq, void (*fn)(void))
{
	if (irq == 0 || irq >= 8)
		return;
	irq_fn[irq] = fn;
	if (fn)
		mask1 &= (uint8_t) ~(1u << irq);
	else
		mask1 |= (uint8_t)(1u << irq);
	outb(0x21, mask1);
}

void timer_irq(unsigned irq)
{
	void (*fn)(void *);

	if (irq == 7 || irq == 15) /* possibly spurious: no EOI for a spurious IRQ 7 */
		return;
	if (irq >= 8)
		outb(0xa0, 0x20);
	outb(0x20, 0x20);
	if (irq != 0) {
		if (irq < 8 && irq_fn[irq])
			irq_fn[irq]();
		return;
	}
	mask1 |= 1;
	outb(0x21, mask1);
	fn = pending_fn;
	pending_fn = NULL;
	if (fn)
		fn(pending_arg);
}
