/* SPDX-License-Identifier: MIT */
/*
 * A freestanding model of the PC's 8254 programmable interval timer (Intel
 * "82C54 CHMOS Programmable Interval Timer", order number 231244; cited as
 * "8254") with the PC's wiring: a 1.193182 MHz clock on all three
 * counters, counter 0's OUT on IRQ 0, counters 0 and 1 gated high, and
 * counter 2's GATE and OUT on port 0x61 (bit 0 GATE2, bit 1 speaker
 * data enable, bit 4 refresh toggle, bit 5 OUT2).
 *
 * Counts are computed, not ticked: each counter remembers when it started
 * counting (the caller's nanosecond clock, now_ns) and from what value, and
 * every read works out the count and OUT from the time passed. Modes 0-5,
 * the counter latch command, read-back (count and status), LSB / MSB /
 * LSB-then-MSB access and BCD counting are modelled.
 *
 * Choices: a new count in mode 2 or 3 starts a new period at once (the
 * 8254 waits for the current period to end); the one clock between writing
 * a count and loading it is not modelled; counter 0's missed periods
 * coalesce into one interrupt (lv_pit_irq0_poll()).
 *
 * No hardware access, no allocation, no locking: the caller serializes all
 * calls on one struct lv_pit.
 */
#ifndef LV_CORE_PIT_H
#define LV_CORE_PIT_H

#include <stdbool.h>
#include <stdint.h>

#define LV_PIT_HZ	   1193182u
#define LV_PIT_PORT_FIRST  0x40u
#define LV_PIT_PORT_CTRL   0x43u
#define LV_PIT_PORT_B	   0x61u /* the PC's system control port B */
#define LV_PIT_NO_DEADLINE (~(uint64_t)0)

/* One counter. The fields are the model's. */
struct lv_pit_counter {
	uint64_t start_ns;    /* when counting (re)started from start_count */
	uint64_t edges;	      /* OUT rising edges already reported (counter 0) */
	uint32_t reload;      /* the count register, 1-65536 (binary) or 1-10000 (BCD) */
	uint32_t start_count; /* the counting element's value at start_ns */
	uint16_t latch;	      /* the latched count */
	uint8_t latched;      /* a count is latched: 1 = both bytes to read, 2 = only the MSB */
	uint8_t status;	      /* the latched status byte */
	uint8_t status_latched;
	uint8_t mode; /* 0-5 */
	uint8_t rw;   /* 1 LSB, 2 MSB, 3 LSB then MSB */
	uint8_t bcd;
	uint8_t write_msb; /* rw 3: the next write is the MSB */
	uint8_t read_msb;  /* rw 3: the next read is the MSB */
	uint8_t lsb;	   /* rw 3: the LSB written */
	uint8_t gate;
	uint8_t counting;   /* the counting element runs */
	uint8_t loaded;	    /* a count was written since the control word */
	uint8_t null_count; /* status bit 6: a count written is not loaded yet */
	uint8_t out_held;   /* OUT while not counting */
};

struct lv_pit {
	struct lv_pit_counter c[3];
	uint8_t speaker; /* port 0x61 bit 1 */
};

/* RESET: every counter in mode 0 without a count, OUT low; gates 0 and 1 high, gate 2 low. */
void lv_pit_reset(struct lv_pit *p);
/* Is @p port one of the PIT's (0x40-0x43) or port 0x61? */
bool lv_pit_port(uint16_t port);
/* A one-byte guest access to @p port at time @p now_ns (a read gives 0xFF for another port). */
uint8_t lv_pit_read(struct lv_pit *p, uint16_t port, uint64_t now_ns);
void lv_pit_write(struct lv_pit *p, uint16_t port, uint8_t val, uint64_t now_ns);
/* Counter @p i's OUT and current count at @p now_ns. */
bool lv_pit_out(const struct lv_pit *p, unsigned i, uint64_t now_ns);
uint32_t lv_pit_count(const struct lv_pit *p, unsigned i, uint64_t now_ns);
/*
 * Counter 0 (IRQ 0): @return true when OUT rose since the last call (the
 * caller pulses IRQ 0 once, however many periods passed).
 */
bool lv_pit_irq0_poll(struct lv_pit *p, uint64_t now_ns);
/* When counter 0's OUT rises next (now_ns clock), or LV_PIT_NO_DEADLINE. */
uint64_t lv_pit_irq0_next(const struct lv_pit *p);

#endif /* LV_CORE_PIT_H */
