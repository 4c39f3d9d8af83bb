/* SPDX-License-Identifier: MIT */
/*
 * Minimal ACPI tables for a Linux guest (ACPI Specification 6.4), written
 * into the BIOS area at ACPI_TABLES_ADDR, where Linux looks for the RSDP
 * (5.2.5.1: a 16-byte aligned "RSD PTR " in 0xe0000-0xfffff):
 *  - RSDP (5.2.5.3), revision 2, pointing at both the RSDT and the XSDT;
 *  - RSDT (5.2.7) and XSDT (5.2.8): the FADT and the MADT;
 *  - FADT (5.2.9), the full ACPI 6.0 layout (276 bytes): not hardware-
 *    reduced, because Linux on x86 then drops the PICs and the PIT
 *    (acpi_reduced_hw_init() in arch/x86/kernel/acpi/boot.c), which is how
 *    this VMM times the boot. Instead the fixed hardware Linux needs to
 *    power off: a PM1a event block (status and enable, 4 bytes) and a PM1a
 *    control block (2 bytes) at the ports pm.c answers, the SCI on ISA
 *    IRQ 9, no SMI command port (always in ACPI mode, nothing to enable),
 *    no PM timer (PM_TMR_LEN 0: optional, Table 5.9), no GPE blocks, C2 and
 *    C3 not supported, the CMOS century byte at 0x32 (rtc.c), and the boot
 *    architecture flags of a PC (legacy devices, an 8042);
 *  - FACS (5.2.10), which a FADT that is not hardware-reduced points at;
 *  - DSDT (5.2.11.1) with one object, \_S5 (7.4.2), the SLP_TYP value for
 *    soft-off; Linux then installs acpi_power_off(), which writes SLP_TYP
 *    and then SLP_TYP | SLP_EN to PM1a_CNT (16.1.6);
 *  - MADT (5.2.12) with what the MP table (mptable.c) says, so that both
 *    agree: a local APIC per vCPU (processor UID = APIC ID = vCPU number),
 *    the I/O APIC (ID = the number of vCPUs) with GSIs 0-23, and the
 *    local APICs' LINT1 as NMI. ISA IRQs are identity-mapped to GSIs, as
 *    the backend routes them (KVM's default routing: GSI n is I/O APIC pin
 *    n, and its PIT is on GSI 0): unlike QEMU's pc machine, which routes
 *    the PIT to pin 2, there is no IRQ0 -> GSI2 override. The one override
 *    makes the SCI (IRQ 9) level-triggered, active high (QEMU's too):
 *    without it Linux would take the SCI as active low (5.2.12.5).
 */
#include <stdint.h>
#include <string.h>

#include "devices.h"
#include "vmm.h"

#define ACPI_TABLES_ADDR 0xe0000u
#define ACPI_TABLES_END	 0xf0000u /* the MP table follows (mptable.c) */
#define LAPIC_ADDR	 0xfee00000u
#define IOAPIC_ADDR	 0xfec00000u
#define HDR_LEN		 36u /* the System Description Table Header (5.2.6) */

/* A bump allocator in the BIOS area, and little-endian stores. */
struct acpi_area {
	uint8_t *ram;
	uint32_t next;
};

static uint32_t acpi_alloc(struct acpi_area *a, uint32_t len, uint32_t align)
{
	uint32_t at = (a->next + align - 1) & ~(align - 1);

	if (at + len > ACPI_TABLES_END)
		return 0;
	a->next = at + len;
	memset(a->ram + at, 0, len);
	return at;
}

static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2); /* x86 hosts only: little-endian */
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* The 8-bit checksum that makes the bytes sum to 0. */
static uint8_t sum0(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return (uint8_t)-s;
}

/* The header of a table of @p len bytes at @p t; its checksum (offset 9) when complete. */
static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "LIBVCP", 6);   /* OEM ID */
	memcpy(t + 16, "VCPU-RUN", 8); /* OEM table ID */
	put32(t + 24, 1);	       /* OEM revision */
	memcpy(t + 28, "LVCP", 4);     /* creator ID */
	put32(t + 32, 1);	       /* creator revision */
}

static void seal(uint8_t *t)
{
	uint32_t len;

	memcpy(&len, t + 4, 4);
	t[9] = sum0(t, len);
}

/*
 * The DSDT's AML (20.2): DefName (NameOp 0x08) of \_S5 to a package of
 * four elements, PM1a SLP_TYP, PM1b SLP_TYP and two reserved (7.4.2).
 */
/* clang-format off */
static const uint8_t dsdt_aml[] = {
	0x08,			/* NameOp */
	'_', 'S', '5', '_',	/* NameSeg "_S5_", in the root scope: \_S5 */
	0x12,			/* PackageOp */
	0x08,			/* PkgLength: the 8 bytes from here to the end, itself included */
	0x04,			/* NumElements */
	0x0a, ACPI_S5_SLP_TYP,	/* BytePrefix, the byte: PM1a_CNT.SLP_TYP for S5 */
	0x0a, ACPI_S5_SLP_TYP,	/* BytePrefix, the byte: PM1b_CNT.SLP_TYP (there is no PM1b) */
	0x00,			/* ZeroOp: reserved */
	0x00,			/* ZeroOp: reserved */
};
/* clang-format on */

#define FADT_LEN	 276u
#define FADT_FLAGS	 0x75u /* WBINVD, PROC_C1, PWR_BUTTON, SLP_BUTTON, FIX_RTC (Table 5.10) */
#define FADT_BOOT_ARCH	 0x3u  /* LEGACY_DEVICES, 8042 (Table 5.11) */
#define FADT_CENTURY_REG 0x32u

static void fadt(uint8_t *t, uint32_t facs, uint32_t dsdt)
{
	header(t, "FACP", FADT_LEN, 6);
	put32(t + 36, facs);		/* FIRMWARE_CTRL (no X_FIRMWARE_CTRL: one FACS) */
	put32(t + 40, dsdt);		/* DSDT */
	put16(t + 46, ACPI_SCI_IRQ);	/* SCI_INT */
	put32(t + 56, PM_BASE);		/* PM1a_EVT_BLK */
	put32(t + 64, PM_BASE + 4);	/* PM1a_CNT_BLK */
	t[88] = 4;			/* PM1_EVT_LEN */
	t[89] = 2;			/* PM1_CNT_LEN */
	put16(t + 96, 101);		/* P_LVL2_LAT > 100: no C2 */
	put16(t + 98, 1001);		/* P_LVL3_LAT > 1000: no C3 */
	t[108] = FADT_CENTURY_REG;	/* CENTURY */
	put16(t + 109, FADT_BOOT_ARCH); /* IAPC_BOOT_ARCH */
	put32(t + 112, FADT_FLAGS);	/* Flags */
	put64(t + 140, dsdt);		/* X_DSDT */
	/* X_PM1a_EVT_BLK and X_PM1a_CNT_BLK: Generic Address Structures (5.2.3.2), system IO */
	t[148] = 1, t[149] = 32, t[151] = 2, put64(t + 152, PM_BASE);
	t[172] = 1, t[173] = 16, t[175] = 2, put64(t + 176, PM_BASE + 4);
	seal(t);
}

/* The MADT: local APICs, the I/O APIC, the SCI's override, LINT1 = NMI. */
static uint32_t madt(struct acpi_area *a, unsigned ncpus)
{
	uint32_t len = 44 + 8 * ncpus + 12 + 10 + 6, at = acpi_alloc(a, len, 16);
	uint8_t *t = a->ram + at, *p;
	unsigned i;

	if (!at)
		return 0;
	header(t, "APIC", len, 5);
	put32(t + 36, LAPIC_ADDR);
	put32(t + 40, 1); /* PCAT_COMPAT: the 8259 PICs are there too */
	p = t + 44;
	for (i = 0; i < ncpus; i++, p += 8) { /* Processor Local APIC (5.2.12.2) */
		p[0] = 0;
		p[1] = 8;
		p[2] = (uint8_t)i; /* ACPI processor UID */
		p[3] = (uint8_t)i; /* APIC ID */
		put32(p + 4, 1);   /* Enabled */
	}
	p[0] = 1; /* I/O APIC (5.2.12.3) */
	p[1] = 12;
	p[2] = (uint8_t)ncpus;
	put32(p + 4, IOAPIC_ADDR);
	put32(p + 8, 0); /* GSI base */
	p += 12;
	p[0] = 2; /* Interrupt Source Override (5.2.12.5) */
	p[1] = 10;
	p[2] = 0; /* bus: ISA */
	p[3] = ACPI_SCI_IRQ;
	put32(p + 4, ACPI_SCI_IRQ);
	put16(p + 8, 0x000d); /* polarity 01 active high, trigger mode 11 level */
	p += 10;
	p[0] = 4; /* Local APIC NMI (5.2.12.7) */
	p[1] = 6;
	p[2] = 0xff; /* all processors */
	put16(p + 3, 0x0000);
	p[5] = 1; /* LINT1 */
	seal(t);
	return at;
}

int acpi_write(struct guest_mem *m, unsigned ncpus)
{
	struct acpi_area a = { m->ram, ACPI_TABLES_ADDR };
	uint32_t rsdp = acpi_alloc(&a, 36, 16), rsdt = acpi_alloc(&a, HDR_LEN + 8, 16);
	uint32_t xsdt = acpi_alloc(&a, HDR_LEN + 16, 16), facs = acpi_alloc(&a, 64, 64);
	uint32_t fadt_at = acpi_alloc(&a, FADT_LEN, 16);
	uint32_t dsdt = acpi_alloc(&a, HDR_LEN + sizeof(dsdt_aml), 16), madt_at;
	uint8_t *p;

	if (ncpus > 255 || !dsdt || !(madt_at = madt(&a, ncpus)))
		return -1;
	p = m->ram + facs; /* FACS (Table 5.14): no checksum, nothing for a guest to use */
	memcpy(p, "FACS", 4);
	put32(p + 4, 64);
	p[32] = 2; /* version */

	p = m->ram + dsdt;
	header(p, "DSDT", HDR_LEN + sizeof(dsdt_aml), 2);
	memcpy(p + HDR_LEN, dsdt_aml, sizeof(dsdt_aml));
	seal(p);

	fadt(m->ram + fadt_at, facs, dsdt);

	p = m->ram + rsdt;
	header(p, "RSDT", HDR_LEN + 8, 1);
	put32(p + HDR_LEN, fadt_at);
	put32(p + HDR_LEN + 4, madt_at);
	seal(p);
	p = m->ram + xsdt;
	header(p, "XSDT", HDR_LEN + 16, 1);
	put64(p + HDR_LEN, fadt_at);
	put64(p + HDR_LEN + 8, madt_at);
	seal(p);

	p = m->ram + rsdp; /* RSDP (Table 5.3) */
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "LIBVCP", 6);
	p[15] = 2; /* revision: ACPI 2.0+, with the XSDT */
	put32(p + 16, rsdt);
	put32(p + 20, 36);
	put64(p + 24, xsdt);
	p[8] = sum0(p, 20);
	p[32] = sum0(p, 36);
	return 0;
}
