/* SPDX-License-Identifier: MIT */
/*
 * The CMOS RAM and real-time clock of a PC (Motorola MC146818A data sheet):
 * an index written to port 0x70 (bit 7 is the NMI mask, ignored), the byte
 * read or written at port 0x71. The clock registers (0, 2, 4, 6-9, and the
 * century at 0x32) give the host's UTC time in BCD, 24-hour mode (register
 * B = 0x02), with no update in progress (register A bit 7 clear) and valid
 * RAM (register D bit 7); writes to them are ignored. The other bytes of
 * the 128 keep what is written. Nothing raises IRQ 8: no alarm, periodic
 * or update interrupt.
 */
#define _GNU_SOURCE
#include <time.h>

#include "devices.h"

#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d

void rtc_init(struct rtc *r)
{
	*r = (struct rtc){ 0 };
	r->ram[REG_A] = 0x26; /* 32.768 kHz time base, 1024 Hz rate */
	r->ram[REG_B] = 0x02; /* 24-hour, BCD */
	r->ram[REG_D] = 0x80; /* RAM and time valid */
}

static uint8_t bcd(int v)
{
	return (uint8_t)((v / 10) << 4 | (v % 10));
}

static int clock_reg(uint8_t idx, uint8_t *out)
{
	time_t now = time(NULL);
	struct tm tm;

	if (!gmtime_r(&now, &tm))
		return 0;
	switch (idx) {
	case 0x00:
		*out = bcd(tm.tm_sec);
		return 1;
	case 0x02:
		*out = bcd(tm.tm_min);
		return 1;
	case 0x04:
		*out = bcd(tm.tm_hour);
		return 1;
	case 0x06:
		*out = bcd(tm.tm_wday + 1);
		return 1;
	case 0x07:
		*out = bcd(tm.tm_mday);
		return 1;
	case 0x08:
		*out = bcd(tm.tm_mon + 1);
		return 1;
	case 0x09:
		*out = bcd(tm.tm_year % 100);
		return 1;
	case 0x32:
		*out = bcd(19 + tm.tm_year / 100);
		return 1;
	default:
		return 0;
	}
}

uint8_t rtc_read(struct rtc *r, uint16_t port)
{
	uint8_t v;

	if (port == RTC_INDEX)
		return r->index;
	if (clock_reg(r->index, &v))
		return v;
	return r->ram[r->index];
}

void rtc_write(struct rtc *r, uint16_t port, uint8_t val)
{
	if (port == RTC_INDEX) {
		r->index = val & 0x7f;
		return;
	}
	if (r->index == REG_C || r->index == REG_D)
		return; /* read-only */
	if (r->index == REG_A)
		val &= 0x7f; /* UIP is read-only */
	r->ram[r->index] = val;
}
