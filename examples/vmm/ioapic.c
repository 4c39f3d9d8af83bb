/* SPDX-License-Identifier: MIT */
/*
 * The register file of an I/O APIC at 0xFEC00000 (Intel 82093AA data sheet,
 * section 3): IOREGSEL at +0x00, IOWIN at +0x10; registers ID (0), version
 * (1), arbitration (2) and the redirection table (0x10-0x3F). Values match
 * QEMU's default: version 0x20 with 24 pins, every pin masked after reset.
 * Nothing is delivered: the demo guests only read and write registers.
 */
#include "devices.h"

#define IOREGSEL      0x00
#define IOWIN	      0x10
#define REG_ID	      0x00
#define REG_VERSION   0x01
#define REG_ARB	      0x02
#define REG_REDIR     0x10
#define IOAPIC_VER    0x20
#define REDIR_MASKED  (1ull << 16)
#define REDIR_RO_BITS ((1ull << 12) | (1ull << 14)) /* delivery status, remote IRR */

void ioapic_init(struct ioapic *io)
{
	unsigned i;

	io->regsel = 0;
	io->id = 0;
	for (i = 0; i < IOAPIC_PINS; i++)
		io->redir[i] = REDIR_MASKED;
}

static int redir_index(uint32_t reg, unsigned *pin, unsigned *high)
{
	if (reg < REG_REDIR || reg >= REG_REDIR + 2 * IOAPIC_PINS)
		return 0;
	*pin = (reg - REG_REDIR) / 2;
	*high = (reg - REG_REDIR) & 1;
	return 1;
}

uint32_t ioapic_read(struct ioapic *io, uint32_t off)
{
	unsigned pin, high;

	if (off == IOREGSEL)
		return io->regsel;
	if (off != IOWIN)
		return 0;
	switch (io->regsel) {
	case REG_ID:
		return io->id << 24;
	case REG_VERSION:
		return ((IOAPIC_PINS - 1) << 16) | IOAPIC_VER;
	case REG_ARB:
		return 0;
	default:
		if (redir_index(io->regsel, &pin, &high))
			return (uint32_t)(io->redir[pin] >> (high ? 32 : 0));
		return 0;
	}
}

void ioapic_write(struct ioapic *io, uint32_t off, uint32_t val)
{
	unsigned pin, high;
	uint64_t keep, v;

	if (off == IOREGSEL) {
		io->regsel = val & 0xff;
		return;
	}
	if (off != IOWIN)
		return;
	if (io->regsel == REG_ID) {
		io->id = (val >> 24) & 0x0f;
	} else if (redir_index(io->regsel, &pin, &high)) {
		if (high) {
			v = (io->redir[pin] & 0xffffffffull) | ((uint64_t)val << 32);
		} else {
			keep = io->redir[pin] & (0xffffffff00000000ull | REDIR_RO_BITS);
			v = keep | (val & ~REDIR_RO_BITS);
		}
		io->redir[pin] = v;
	}
}
