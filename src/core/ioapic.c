/* SPDX-License-Identifier: MIT */
/*
 * IOAPIC model (see ioapic.h). Register layout after the 82093AA datasheet,
 * section 3: IOREGSEL at 0x00 and IOWIN at 0x10 of the MMIO window; index 0
 * ID, 1 version, 2 arbitration ID, 0x10-0x3F the redirection table.
 */
#include "ioapic.h"

#include "lvlib.h"

/*
 * Writable bits of a redirection entry: vector (7:0), delivery mode (10:8),
 * destination mode (11), polarity (13), trigger mode (15), mask (16) and the
 * destination (63:56). Delivery status (12) and remote IRR (14) are
 * read-only, the rest reserved.
 */
#define RTE_WMASK   0xff0000000001afffull
#define RTE_LEVEL   (1ull << 15)
#define RTE_LOGICAL (1ull << 11)

void lv_ioapic_reset(struct lv_ioapic *io, lv_ioapic_send_fn send, void *ctx)
{
	unsigned i;

	memset(io, 0, sizeof(*io));
	for (i = 0; i < LV_IOAPIC_PINS; i++)
		io->redir[i] = LV_IOAPIC_RTE_MASKED;
	io->send = send;
	io->send_ctx = ctx;
}

/* Send pin @pin's message if the entry lets it through. */
static void service(struct lv_ioapic *io, unsigned pin)
{
	uint64_t e = io->redir[pin];
	struct lv_apic_msg m;

	if (e & LV_IOAPIC_RTE_MASKED)
		return;
	/* A level interrupt is not resent until the local APIC's EOI clears
	 * remote IRR. */
	if ((e & RTE_LEVEL) && (e & LV_IOAPIC_RTE_REMOTE_IRR))
		return;
	memset(&m, 0, sizeof(m));
	m.vector = (uint8_t)e;
	m.delivery = (uint8_t)((e >> 8) & 7u);
	m.logical = (e & RTE_LOGICAL) != 0;
	m.level_trig = (e & RTE_LEVEL) != 0;
	m.assert = true;
	m.dest = (uint32_t)(e >> 56);
	if (e & RTE_LEVEL)
		io->redir[pin] = e | LV_IOAPIC_RTE_REMOTE_IRR;
	if (io->send)
		io->send(io->send_ctx, &m);
}

uint32_t lv_ioapic_read_reg(const struct lv_ioapic *io, unsigned reg)
{
	unsigned idx;

	switch (reg) {
	case LV_IOAPIC_REG_ID:
	case LV_IOAPIC_REG_ARB: /* the arbitration ID follows the ID */
		return io->id;
	case LV_IOAPIC_REG_VER:
		return LV_IOAPIC_VERSION | ((LV_IOAPIC_PINS - 1) << 16);
	default:
		break;
	}
	if (reg < LV_IOAPIC_REG_REDTBL || reg >= LV_IOAPIC_REG_REDTBL + 2 * LV_IOAPIC_PINS)
		return 0;
	idx = (reg - LV_IOAPIC_REG_REDTBL) / 2;
	return (reg & 1u) ? (uint32_t)(io->redir[idx] >> 32) : (uint32_t)io->redir[idx];
}

void lv_ioapic_write_reg(struct lv_ioapic *io, unsigned reg, uint32_t val)
{
	unsigned idx;
	uint64_t e, v, wm;

	if (reg == LV_IOAPIC_REG_ID) {
		io->id = val & 0x0f000000u; /* 4-bit ID in 27:24 */
		return;
	}
	if (reg < LV_IOAPIC_REG_REDTBL || reg >= LV_IOAPIC_REG_REDTBL + 2 * LV_IOAPIC_PINS)
		return; /* version, arbitration and reserved: read-only */
	idx = (reg - LV_IOAPIC_REG_REDTBL) / 2;
	e = io->redir[idx];
	wm = RTE_WMASK & ((reg & 1u) ? 0xffffffff00000000ull : 0xffffffffull);
	v = (reg & 1u) ? (uint64_t)val << 32 : val;
	e = (e & ~wm) | (v & wm);
	/* An edge entry has no remote IRR. */
	if (!(e & RTE_LEVEL))
		e &= ~LV_IOAPIC_RTE_REMOTE_IRR;
	io->redir[idx] = e;
	/* Unmasking (or re-programming) a level entry whose pin is asserted
	 * delivers it now. */
	if ((e & RTE_LEVEL) && (io->level >> idx & 1u))
		service(io, idx);
}

uint32_t lv_ioapic_mmio_read(struct lv_ioapic *io, unsigned off)
{
	switch (off) {
	case LV_IOAPIC_IOREGSEL:
		return io->ioregsel;
	case LV_IOAPIC_IOWIN:
		return lv_ioapic_read_reg(io, io->ioregsel);
	default:
		return 0;
	}
}

void lv_ioapic_mmio_write(struct lv_ioapic *io, unsigned off, uint32_t val)
{
	switch (off) {
	case LV_IOAPIC_IOREGSEL:
		io->ioregsel = val & 0xffu;
		break;
	case LV_IOAPIC_IOWIN:
		lv_ioapic_write_reg(io, io->ioregsel, val);
		break;
	default:
		break;
	}
}

void lv_ioapic_set_irq(struct lv_ioapic *io, unsigned pin, bool level)
{
	uint32_t bit, old;

	if (pin >= LV_IOAPIC_PINS)
		return;
	bit = 1u << pin;
	old = io->level & bit;
	io->level = level ? io->level | bit : io->level & ~bit;
	if (!level)
		return;
	if (io->redir[pin] & RTE_LEVEL)
		service(io, pin); /* held while remote IRR is set */
	else if (!old)
		service(io, pin); /* rising edge; lost if masked */
}

void lv_ioapic_eoi(struct lv_ioapic *io, uint8_t vector)
{
	unsigned pin;

	for (pin = 0; pin < LV_IOAPIC_PINS; pin++) {
		uint64_t e = io->redir[pin];

		if (!(e & RTE_LEVEL) || (uint8_t)e != vector || !(e & LV_IOAPIC_RTE_REMOTE_IRR))
			continue;
		io->redir[pin] = e & ~LV_IOAPIC_RTE_REMOTE_IRR;
		/* Still asserted: the interrupt is delivered again. */
		if (io->level >> pin & 1u)
			service(io, pin);
	}
}
