/* SPDX-License-Identifier: MIT */
/*
 * The ACPI fixed-hardware power management registers that acpi.c's FADT
 * points at (ACPI 6.4, 4.8.3 "PM1 Event Grouping" and "PM1 Control
 * Grouping"): a PM1a event block (PM1_STS, PM1_EN, 16 bits each) and a
 * PM1a control block (PM1_CNT, 16 bits) at PM_BASE, the ports QEMU's PIIX4
 * power management function uses. No fixed event ever happens, so PM1_STS
 * stays 0 (its bits are write-one-to-clear) and the SCI is never raised;
 * PM1_EN keeps what is written. PM1_CNT reads SCI_EN set (the FADT has no
 * SMI_CMD: the system is always in ACPI mode, 4.8.3.2.1) and keeps SLP_TYP;
 * a write with SLP_EN set and SLP_TYP = ACPI_S5_SLP_TYP (the value the
 * DSDT's \_S5 package gives) is the power-off request (7.4.2 "\_Sx (System
 * States)", 16.1.6 "Transitioning from the Working to the Soft Off State").
 */
#include <stdint.h>

#include "devices.h"

#define PM1_STS	       0u /* register offsets from PM_BASE */
#define PM1_EN	       2u
#define PM1_CNT	       4u
#define PM1_EN_BITS    0x0521u /* TMR_EN, GBL_EN, PWRBTN_EN, SLPBTN_EN, RTC_EN (Table 4.14) */
#define PM1_SCI_EN     0x0001u /* Table 4.16 */
#define PM1_SLP_TYP    0x1c00u
#define PM1_SLP_TYP_SH 10
#define PM1_SLP_EN     0x2000u /* write-only: reads as 0 */

void acpi_pm_init(struct acpi_pm *p)
{
	p->sts = 0;
	p->en = 0;
	p->cnt = PM1_SCI_EN;
}

int acpi_pm_claims(uint16_t port)
{
	return port >= PM_BASE && port < PM_BASE + PM_LEN;
}

uint32_t acpi_pm_read(const struct acpi_pm *p, uint16_t port, unsigned size)
{
	uint32_t val = 0;
	unsigned i;

	for (i = 0; i < size; i++) {
		unsigned off = port + i - PM_BASE;
		uint16_t reg = off >= PM_LEN		? 0xffffu
			       : off / 2 == PM1_STS / 2 ? p->sts
			       : off / 2 == PM1_EN / 2	? p->en
							: p->cnt;

		val |= (uint32_t)(uint8_t)(reg >> (8 * (off & 1))) << (8 * i);
	}
	return val;
}

int acpi_pm_write(struct acpi_pm *p, uint16_t port, unsigned size, uint32_t val)
{
	int off_req = 0;
	unsigned i;

	for (i = 0; i < size; i++) {
		unsigned off = port + i - PM_BASE, sh = 8 * (off & 1);
		uint16_t v = (uint16_t)((val >> (8 * i)) & 0xff) << sh,
			 mask = (uint16_t)(0xff << sh);

		if (off >= PM_LEN)
			break;
		if (off / 2 == PM1_STS / 2) {
			p->sts &= (uint16_t)~v;
		} else if (off / 2 == PM1_EN / 2) {
			p->en = (uint16_t)((p->en & ~mask) | (v & PM1_EN_BITS));
		} else {
			p->cnt = (uint16_t)((p->cnt & ~(mask & PM1_SLP_TYP)) | (v & PM1_SLP_TYP));
			if ((v & PM1_SLP_EN) &&
			    (p->cnt & PM1_SLP_TYP) >> PM1_SLP_TYP_SH == ACPI_S5_SLP_TYP)
				off_req = 1;
		}
	}
	return off_req;
}
