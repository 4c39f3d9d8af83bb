/* SPDX-License-Identifier: MIT */
/*
 * The CMOS RAM and real-time clock of a PC (Motorola MC146818A data sheet):
 * an index written to port 0x70 (bit 7 is the NMI mask, ignored), the byte
 * read or written at port 0x71. The clock registers (0, 2, 4, 6-9, and the
 * century at 0x32) give the UTC time of the caller's clock (rtc_init()) in BCD, 24-hour mode (register
 * B = 0x02), with no update in progress (register A bit 7 clear) and valid
 * RAM (register D bit 7); writes to them are ignored. The other bytes of
 * the 128 keep what is written. Nothing raises IRQ 8: no alarm, periodic
 * or update interrupt.
 */
#include "devices.h"

#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d

void rtc_init(struct rtc *r, rtc_clock_fn *clock)
{
	*r = (struct rtc){ .clock = clock };
	r->ram[REG_A] = 0x26; /* 32.768 kHz time base, 1024 Hz rate */
	r->ram[REG_B] = 0x02; /* 24-hour, BCD */
	r->ram[REG_D] = 0x80; /* RAM and time valid */
}

static uint8_t bcd(int v)
{
	return (uint8_t)((v / 10) << 4 | (v % 10));
}

/* The calendar of a day count since 1970-01-01 (proleptic Gregorian, 400-year eras). */
struct date {
	int year, month, day, wday; /* month 1-12, day 1-31, wday 0 = Sunday */
};

static struct date civil(uint64_t days)
{
	/* Shift the epoch to 0000-03-01 so that the leap day ends each year. */
	uint64_t z = days + 719468, era = z / 146097, doe = z % 146097;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	struct date d;

	d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
	d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
	d.year = (int)(yoe + era * 400 + (d.month <= 2));
	d.wday = (int)((days + 4) % 7); /* 1970-01-01 was a Thursday */
	return d;
}

static int clock_reg(const struct rtc *r, uint8_t idx, uint8_t *out)
{
	uint64_t now = r->clock ? r->clock() : 0, secs = now % 86400;
	struct date d = civil(now / 86400);

	switch (idx) {
	case 0x00:
		*out = bcd((int)(secs % 60));
		return 1;
	case 0x02:
		*out = bcd((int)(secs / 60 % 60));
		return 1;
	case 0x04:
		*out = bcd((int)(secs / 3600));
		return 1;
	case 0x06:
		*out = bcd(d.wday + 1);
		return 1;
	case 0x07:
		*out = bcd(d.day);
		return 1;
	case 0x08:
		*out = bcd(d.month);
		return 1;
	case 0x09:
		*out = bcd(d.year % 100);
		return 1;
	case 0x32:
		*out = bcd(d.year / 100);
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
	if (clock_reg(r, r->index, &v))
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
