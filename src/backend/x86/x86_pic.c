/* SPDX-License-Identifier: MIT */
/*
 * The 8259A pair and the 8254 of LV_VM_IRQCHIP VMs on the raw backends
 * (x86_pic.h): the core's models (src/core/pic.h, pit.h) behind the VM's
 * chip lock, their ports answered inside lv_vcpu_run(), the PIC's INT
 * delivered as ExtINT through LINT0 of the local APICs that take it, the
 * PIT's counter 0 pulsing GSI 0.
 */
#include "x86_pic.h"

#include "../../core/lvlib.h"
#include "x86_vcpu.h"

/*
 * Does vCPU @p v take the PIC's INT (lock held)? Through LINT0 when that is
 * unmasked in ExtINT mode (virtual-wire mode, SDM Vol. 3, 11.5.1 and the MP
 * specification 1.4, 3.6.2.2), or straight to the CPU while the APIC is
 * disabled in IA32_APIC_BASE (11.4.3: the CPU then behaves as without one).
 * KVM's in-kernel irqchip decides the same way.
 */
int lv_x86_pic_takes(const struct lv_vcpu *v)
{
	const struct lv_lapic *l = lv_x86_of(v)->apic;
	uint32_t lvt0;

	if (!l)
		return 0;
	if (!lv_lapic_hw_enabled(l))
		return 1;
	lvt0 = lv_lapic_get(l, LV_APIC_LVT0);
	return !(lvt0 & LV_APIC_LVT_MASKED) &&
	       ((lvt0 & LV_APIC_DM_MASK) >> LV_APIC_DM_SHIFT) == LV_APIC_DM_EXTINT;
}

/*
 * LINT0 of the BSP in ExtINT mode at reset, as KVM leaves it (its default
 * quirk KVM_X86_QUIRK_LINT0_REENABLED): a PC guest that never touches its
 * APIC (real mode, a BIOS-era kernel) gets the PIC's interrupts.
 */
void lv_x86_pic_lint0_reset(struct lv_lapic *l)
{
	lv_lapic_put(l, LV_APIC_LVT0, LV_APIC_DM_EXTINT << LV_APIC_DM_SHIFT);
}

/* The PIC's INT is high: wake or kick every other vCPU that takes it (lock held). */
void lv_x86_pic_update(struct lv_vm *vm, struct lv_vcpu *src)
{
	struct lv_x86_irqchip *c = lv_x86_vm_of(vm)->chip;
	uint32_t i;

	if (!lv_pic_output(&c->pic))
		return;
	for (i = 0; i < c->nvcpus; i++) {
		struct lv_vcpu *t = c->vcpus[i];

		/* The source's own next entry asks the PIC (lv_x86_apic_arm()). */
		if (t && t != src && lv_x86_pic_takes(t))
			lv_x86_apic_notify(t);
	}
}

/* One byte at @p port of the PICs or the PIT (lock held). */
static void isa_byte(struct lv_x86_irqchip *c, uint16_t port, int write, uint8_t *d, uint64_t now)
{
	if (lv_pic_port(port)) {
		if (write)
			lv_pic_write(&c->pic, port, *d);
		else
			*d = lv_pic_read(&c->pic, port);
	} else if (c->pit && lv_pit_port(port)) {
		if (write)
			lv_pit_write(c->pit, port, *d, now);
		else
			*d = lv_pit_read(c->pit, port, now);
	} else if (!write) {
		*d = 0xff;
	}
}

int lv_x86_isa_pio(struct lv_vcpu *v, uint16_t port, unsigned size, int write, uint8_t *data)
{
	struct lv_x86_irqchip *c = lv_x86_vm_of(v->vm)->chip;
	uint64_t fl, now = 0;
	unsigned i;

	if (!lv_pic_port(port) && !(c->pit && lv_pit_port(port)))
		return 0;
	if (c->pit && lv_pit_port(port))
		now = lv_plat_now_ns();
	/* A wider access reaches the next ports too (a word OUT to 0x20 writes 0x21). */
	fl = lv_x86_chip_lock(c);
	for (i = 0; i < size; i++)
		isa_byte(c, (uint16_t)(port + i), write, &data[i], now);
	if (write)
		lv_x86_pic_update(v->vm, v);
	lv_x86_chip_unlock(c, fl);
	return 1;
}

/* Counter 0's OUT rose: a pulse on GSI 0 (the PIC's IRQ 0 and IOAPIC pin 0), as KVM's PIT. */
void lv_x86_pit_poll(struct lv_vcpu *v)
{
	struct lv_x86_irqchip *c = lv_x86_vm_of(v->vm)->chip;
	uint64_t now = lv_plat_now_ns(), fl = lv_x86_chip_lock(c);

	if (lv_pit_irq0_poll(c->pit, now)) {
		lv_x86_gsi_locked(v->vm, 0, 1);
		lv_x86_gsi_locked(v->vm, 0, 0);
	}
	lv_x86_chip_unlock(c, fl);
}

uint64_t lv_x86_pit_limit(struct lv_vm *vm, uint64_t at)
{
	struct lv_x86_irqchip *c = lv_x86_vm_of(vm)->chip;
	uint64_t fl, next;

	if (!c->pit)
		return at;
	fl = lv_x86_chip_lock(c);
	next = lv_pit_irq0_next(c->pit);
	lv_x86_chip_unlock(c, fl);
	return next < at ? next : at;
}

int lv_x86_pio_insn(struct lv_vcpu *v)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	uint8_t d[4];
	uint64_t mask;

	memcpy(d, &x->regs.rax, sizeof(d));
	if (!lv_x86_isa_pio(v, x->io_port, x->io_size, !x->io_in, d))
		return 0;
	if (x->io_in) {
		uint32_t val = 0;

		memcpy(&val, d, x->io_size);
		/* As lv_x86_complete() does: 32-bit results zero-extend. */
		mask = x->io_size == 4 ? ~0ull : (1ull << (x->io_size * 8)) - 1;
		x->regs.rax = (x->regs.rax & ~mask) | val;
	}
	return 1;
}
