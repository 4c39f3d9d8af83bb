/* SPDX-License-Identifier: MIT */
/*
 * An MP table (Intel MultiProcessor Specification 1.4, chapter 4) so that a
 * Linux guest finds its CPUs and the I/O APIC without ACPI: the MP floating
 * pointer at the start of the BIOS area (0xf0000, which Linux scans) and
 * after it a configuration table with one processor entry per vCPU (local
 * APIC ID = vCPU number, vCPU 0 the bootstrap processor), one ISA bus, the
 * I/O APIC at 0xfec00000 (ID = the number of vCPUs, after the local APICs),
 * ISA IRQs 0-15 except the cascade (2) on I/O APIC pins with the same
 * number (KVM's default GSI routing: GSI n is pin n), and the local
 * interrupts: ExtINT (the PICs) on LINT0, NMI on LINT1 of every CPU.
 */
#include <string.h>

#include "vmm.h"

#define MP_TABLE_ADDR 0xf0000u
#define LAPIC_ADDR    0xfee00000u
#define IOAPIC_ADDR   0xfec00000u
#define LAPIC_VERSION 0x14u /* an integrated APIC (4.3.1) */
#define IOAPIC_VER    0x11u
#define CPU_SIGNATURE 0x600u /* family 6 */
#define CPU_FEATURES  0x201u /* FPU, APIC (CPUID.1:EDX) */

enum { ENT_CPU = 0, ENT_BUS = 1, ENT_IOAPIC = 2, ENT_IOINT = 3, ENT_LINT = 4 };
enum { INT_INT = 0, INT_NMI = 1, INT_EXTINT = 3 };

static uint8_t checksum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return (uint8_t)-s;
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
	return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
	return p + 4;
}

/* An 8-byte interrupt assignment entry (4.3.4, 4.3.5). */
static uint8_t *intr(uint8_t *p, uint8_t kind, uint8_t type, uint8_t bus, uint8_t irq, uint8_t dest,
		     uint8_t pin)
{
	p[0] = kind;
	p[1] = type;
	p[2] = p[3] = 0; /* polarity and trigger: as the bus says */
	p[4] = bus;
	p[5] = irq;
	p[6] = dest;
	p[7] = pin;
	return p + 8;
}

int mptable_write(struct guest_mem *m, unsigned ncpus)
{
	uint8_t *fp = m->ram + MP_TABLE_ADDR, *t = fp + 16, *p;
	uint16_t entries = 0;
	unsigned i;

	if (MP_TABLE_ADDR + 16 + 44 + ncpus * 20u + 0x100 > LEGACY_HOLE_END)
		return -1;
	memset(fp, 0, 16 + 44 + ncpus * 20u + 0x100);
	/* The floating pointer structure (4.1). */
	memcpy(fp, "_MP_", 4);
	put32(fp + 4, MP_TABLE_ADDR + 16);
	fp[8] = 1; /* length in 16-byte units */
	fp[9] = 4; /* specification 1.4 */
	/* feature bytes 0: a configuration table is present; no IMCR (virtual wire) */
	fp[10] = checksum(fp, 16);

	/* The configuration table header (4.2), completed below. */
	memcpy(t, "PCMP", 4);
	t[6] = 4;
	memcpy(t + 8, "LIBVCPU ", 8);
	memcpy(t + 16, "VCPU-RUN    ", 12);
	put32(t + 36, LAPIC_ADDR);
	p = t + 44;
	for (i = 0; i < ncpus; i++, entries++) { /* processors (4.3.1) */
		p[0] = ENT_CPU;
		p[1] = (uint8_t)i;
		p[2] = LAPIC_VERSION;
		p[3] = (uint8_t)(1 | (i == 0 ? 2 : 0)); /* enabled, bootstrap processor */
		put32(p + 4, CPU_SIGNATURE);
		put32(p + 8, CPU_FEATURES);
		p += 20;
	}
	p[0] = ENT_BUS; /* bus 0: ISA (4.3.2) */
	memcpy(p + 2, "ISA   ", 6);
	p += 8;
	entries++;
	p[0] = ENT_IOAPIC; /* (4.3.3) */
	p[1] = (uint8_t)ncpus;
	p[2] = IOAPIC_VER;
	p[3] = 1; /* enabled */
	put32(p + 4, IOAPIC_ADDR);
	p += 8;
	entries++;
	for (i = 0; i < 16; i++, entries++) {
		if (i == 2) {
			entries--;
			continue;
		}
		p = intr(p, ENT_IOINT, INT_INT, 0, (uint8_t)i, (uint8_t)ncpus, (uint8_t)i);
	}
	p = intr(p, ENT_LINT, INT_EXTINT, 0, 0, 0xff, 0);
	p = intr(p, ENT_LINT, INT_NMI, 0, 0, 0xff, 1);
	entries += 2;
	put16(t + 4, (uint16_t)(p - t));
	put16(t + 34, entries);
	t[7] = checksum(t, (size_t)(p - t));
	return 0;
}
