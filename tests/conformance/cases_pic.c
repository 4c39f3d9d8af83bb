/* SPDX-License-Identifier: MIT */
/*
 * Conformance cases of the PC's legacy interrupt parts in an
 * LV_VM_IRQCHIP VM: the 8259A pair (guest-programmed ICWs, IMR masking,
 * IRR/ISR reads, EOI, the cascade, ELCR level triggering, delivery through
 * the BSP's LINT0 as ExtINT, a HLT woken from another thread) and, with LV_VM_PIT, the 8254 (counter 0's
 * periodic IRQ 0 waking HLT, counter 2's GATE and OUT on port 0x61,
 * read-back status). The GSIs 0-15 of lv_vm_irq_line() reach the PICs as
 * on KVM; the guests never enable their local APIC.
 */
#include "conf.h"
#include "guests.h"

static int pulse_5(struct conf_ctx *c, struct lv_vcpu *v)
{
	(void)v;
	return conf_irq_line(c, 5, 1) ? CONF_FAIL : conf_irq_line(c, 5, 0);
}

static int pulse_12(struct conf_ctx *c, struct lv_vcpu *v)
{
	(void)v;
	return conf_irq_line(c, 12, 1) ? CONF_FAIL : conf_irq_line(c, 12, 0);
}

static int raise_10(struct conf_ctx *c, struct lv_vcpu *v)
{
	(void)v;
	return conf_irq_line(c, 10, 1);
}

static int lower_10(struct conf_ctx *c, struct lv_vcpu *v)
{
	(void)v;
	return conf_irq_line(c, 10, 0);
}

static int pulse_5_later(struct conf_ctx *c, struct lv_vcpu *v)
{
	(void)v;
	return conf_pulse_later(c, 5);
}

/* tests/conformance/guests/irq_pic.asm says what each port reports. */
static const struct step pic_script[] = {
	IO_OUT(0x61, 1, 1),    ACTION(pulse_5),
	IO_OUT(0x64, 1, 0x20),			      /* IRR: IR5 */
	IO_OUT(0x65, 1, 0),			      /* masked: not delivered */
	IO_OUT(0x60, 1, 0x25), IO_OUT(0x66, 1, 0x20), /* ISR in the handler */
	IO_OUT(0x67, 1, 0),			      /* ISR after the EOI */
	IO_OUT(0x62, 1, 2),    ACTION(pulse_12),
	IO_OUT(0x60, 1, 0x2c), IO_OUT(0x63, 1, 3),
	ACTION(raise_10),      IO_OUT(0x60, 1, 0x2a),
	ACTION(lower_10),      IO_OUT(0x68, 1, 2),    /* two deliveries of the level */
	IO_OUT(0x69, 1, 0xdb), IO_OUT(0x6a, 1, 0xeb), /* the IMRs read back */
	IO_OUT(0x6b, 1, 4),    ACTION(pulse_5_later), /* from another thread into HLT */
	IO_OUT(0x60, 1, 0x25), ACTION(conf_pulsed_before),
	IO_OUT(0x66, 1, 0x20), END,
};

/* tests/conformance/guests/irq_pit.asm: PIT ticks waking HLT, then counter 2 on port 0x61. */
static const struct step pit_script[] = {
	IO_OUT(0xe0, 1, 3),    IO_OUT(0xe1, 1, 0x34), IO_OUT(0xe2, 1, 0),
	IO_OUT(0xe3, 1, 0x20), IO_OUT(0xe4, 1, 0xb0), END,
};

const struct conf_case conf_cases_pic[] = {
	{ .name = "irqchip_pic",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_irq_pic,
	  .need_features = LV_FEAT_IRQCHIP,
	  .need_hooks = NEED_CALL_LATER,
	  .vm_flags = LV_VM_IRQCHIP,
	  .script = pic_script },
	{ .name = "irqchip_pit",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_irq_pit,
	  .need_features = LV_FEAT_IRQCHIP,
	  .vm_flags = LV_VM_IRQCHIP | LV_VM_PIT,
	  .script = pit_script },
	{ .name = NULL },
};
