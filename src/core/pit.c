/* SPDX-License-Identifier: MIT */
/*
 * The 8254 (pit.h). Section names are those of the Intel 82C54 data sheet
 * (order number 231244): "Control word format", "Counter latch command",
 * "Read-back command", "Mode definitions", "Gate".
 */
#include "pit.h"

#include "lvlib.h"

#define NS_PER_S	1000000000ull
#define CW_SC(v)	((v) >> 6)
#define CW_RW(v)	(((v) >> 4) & 3u)
#define CW_MODE(v)	(((v) >> 1) & 7u)
#define SC_READ_BACK	3u
#define RB_NO_COUNT	0x20u /* read-back: COUNT# (0 = latch the counts) */
#define RB_NO_STATUS	0x10u /* read-back: STATUS# (0 = latch the status) */
#define RW_LSB		1u
#define RW_MSB		2u
#define RW_BOTH		3u
#define PORTB_GATE2	0x01u
#define PORTB_SPEAKER	0x02u
#define PORTB_REFRESH	0x10u
#define PORTB_OUT2	0x20u
#define REFRESH_HALF_NS 15085u /* the PC/AT's refresh request toggles every 15.085 us */

/* Whole input clocks in @p ns (without overflow for any 64-bit ns). */
static uint64_t ns_to_ticks(uint64_t ns)
{
	return ns / NS_PER_S * LV_PIT_HZ + ns % NS_PER_S * LV_PIT_HZ / NS_PER_S;
}

/* The first ns by which @p t clocks have passed (the inverse of ns_to_ticks, rounded up). */
static uint64_t ticks_to_ns(uint64_t t)
{
	return t / LV_PIT_HZ * NS_PER_S + (t % LV_PIT_HZ * NS_PER_S + LV_PIT_HZ - 1) / LV_PIT_HZ;
}

static uint64_t elapsed(const struct lv_pit_counter *c, uint64_t now)
{
	return now > c->start_ns ? ns_to_ticks(now - c->start_ns) : 0;
}

static uint32_t modulus(const struct lv_pit_counter *c)
{
	return c->bcd ? 10000u : 65536u;
}

/* The counting element ("Mode definitions"): 1 to the modulus, the modulus reading as 0. */
static uint32_t value(const struct lv_pit_counter *c, uint64_t now)
{
	uint64_t e, n = c->reload, m = modulus(c), p, half;

	if (!c->counting)
		return c->start_count;
	e = elapsed(c, now);
	switch (c->mode) {
	case 2: /* N, N-1, ..., 1, then N again */
		return (uint32_t)(n - e % n);
	case 3: /* by twos, twice a period */
		p = e % n;
		half = (n + 1) / 2;
		return (uint32_t)(n - 2 * (p < half ? p : p - half));
	default: /* 0, 1, 4, 5: down from the start, wrapping at the modulus */
		return (uint32_t)((c->start_count + m - e % m) % m);
	}
}

static bool out_of(const struct lv_pit_counter *c, uint64_t now)
{
	uint64_t e, n = c->reload;

	if (!c->counting)
		return c->out_held;
	e = elapsed(c, now);
	switch (c->mode) {
	case 0: /* high at terminal count, until a new count or control word */
	case 1:
		return e >= c->start_count;
	case 2: /* low for the clock in which the count is 1 */
		return e % n != n - 1;
	case 3: /* high for the first half of each period */
		return e % n < (n + 1) / 2;
	default: /* 4, 5: low for the one clock after terminal count */
		return e != c->start_count;
	}
}

static uint16_t to_bcd(uint32_t v)
{
	return (uint16_t)(v % 10 | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 |
			  (v / 1000 % 10) << 12);
}

static uint32_t from_bcd(uint32_t v)
{
	return (v & 15) + ((v >> 4) & 15) * 10 + ((v >> 8) & 15) * 100 + ((v >> 12) & 15) * 1000;
}

/* The count as the guest reads it: 16 bits, BCD in BCD mode. */
static uint16_t readable(const struct lv_pit_counter *c, uint32_t v)
{
	return c->bcd ? to_bcd(v % 10000) : (uint16_t)v;
}

/* Stop the counting element where it is, OUT held at @p out. */
static void hold(struct lv_pit_counter *c, uint64_t now, bool out)
{
	c->start_count = value(c, now);
	c->out_held = out;
	c->counting = 0;
}

static void start(struct lv_pit_counter *c, uint64_t now, uint32_t from)
{
	c->start_ns = now;
	c->start_count = from;
	c->edges = 0;
	c->counting = 1;
}

void lv_pit_reset(struct lv_pit *p)
{
	unsigned i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < 3; i++) {
		p->c[i].rw = RW_BOTH;
		p->c[i].reload = 65536;
		p->c[i].gate = i != 2; /* the PC ties GATE0 and GATE1 high */
	}
}

bool lv_pit_port(uint16_t port)
{
	return (port >= LV_PIT_PORT_FIRST && port <= LV_PIT_PORT_CTRL) || port == LV_PIT_PORT_B;
}

/* GATE ("Gate", and per mode in "Mode definitions"). */
static void set_gate(struct lv_pit_counter *c, bool level, uint64_t now)
{
	if (level == (c->gate != 0))
		return;
	c->gate = level;
	switch (c->mode) {
	case 0:
	case 4: /* low suspends counting, high resumes it */
		if (!level && c->counting)
			hold(c, now, out_of(c, now));
		else if (level && c->loaded && !c->counting)
			start(c, now, c->start_count);
		break;
	case 2:
	case 3: /* low stops counting with OUT high; the rising edge reloads */
		if (!level)
			hold(c, now, true);
		else if (c->loaded)
			start(c, now, c->reload);
		break;
	default: /* 1, 5: the rising edge triggers (again) */
		if (level && c->loaded)
			start(c, now, c->reload);
		break;
	}
}

/* A whole count written ("Write operations"). */
static void load(struct lv_pit_counter *c, uint32_t raw, uint64_t now)
{
	uint32_t n = c->bcd ? from_bcd(raw) : raw;

	c->reload = n ? n : modulus(c);
	c->null_count = 0;
	c->loaded = 1;
	if (c->mode == 1 || c->mode == 5)
		return; /* waits for a trigger on GATE */
	if (c->gate) {
		start(c, now, c->reload);
	} else {
		c->start_count = c->reload;
		c->out_held = c->mode != 0;
		c->counting = 0;
	}
}

static void latch_count(struct lv_pit_counter *c, uint64_t now)
{
	if (c->latched)
		return; /* "a second latch command is ignored until the count is read" */
	c->latch = readable(c, value(c, now));
	c->latched = c->rw == RW_BOTH ? 2 : 1;
}

static void latch_status(struct lv_pit_counter *c, uint64_t now)
{
	if (c->status_latched)
		return;
	c->status = (uint8_t)((out_of(c, now) ? 0x80u : 0) | (c->null_count ? 0x40u : 0) |
			      c->rw << 4 | c->mode << 1 | c->bcd);
	c->status_latched = 1;
}

static void control(struct lv_pit *p, uint8_t val, uint64_t now)
{
	struct lv_pit_counter *c;
	unsigned i;

	if (CW_SC(val) == SC_READ_BACK) {
		for (i = 0; i < 3; i++) {
			if (!(val & (2u << i)))
				continue;
			if (!(val & RB_NO_STATUS))
				latch_status(&p->c[i], now);
			if (!(val & RB_NO_COUNT))
				latch_count(&p->c[i], now);
		}
		return;
	}
	c = &p->c[CW_SC(val)];
	if (CW_RW(val) == 0) {
		latch_count(c, now);
		return;
	}
	hold(c, now, false);
	c->rw = (uint8_t)CW_RW(val);
	c->mode = (uint8_t)CW_MODE(val);
	if (c->mode > 5)
		c->mode -= 4; /* 110b and 111b are modes 2 and 3 */
	c->bcd = val & 1u;
	/* "When a control word is written to a counter, all control logic is reset and OUT goes to a known initial state" */
	c->out_held = c->mode != 0;
	c->write_msb = 0;
	c->read_msb = 0;
	c->latched = 0;
	c->status_latched = 0;
	c->null_count = 1;
	c->loaded = 0;
}

static void counter_write(struct lv_pit_counter *c, uint8_t val, uint64_t now)
{
	switch (c->rw) {
	case RW_LSB:
		load(c, val, now);
		break;
	case RW_MSB:
		load(c, (uint32_t)val << 8, now);
		break;
	default:
		if (!c->write_msb) {
			c->lsb = val;
			c->write_msb = 1;
			/* Mode 0: "writing the first byte disables counting", OUT goes low. */
			if (c->mode == 0)
				hold(c, now, false);
			break;
		}
		c->write_msb = 0;
		load(c, c->lsb | (uint32_t)val << 8, now);
		break;
	}
}

static uint8_t counter_read(struct lv_pit_counter *c, uint64_t now)
{
	uint16_t v;
	bool msb;

	if (c->status_latched) {
		c->status_latched = 0;
		return c->status;
	}
	if (c->latched) {
		msb = c->rw == RW_MSB || (c->rw == RW_BOTH && c->latched == 1);
		c->latched--;
		return (uint8_t)(msb ? c->latch >> 8 : c->latch);
	}
	v = readable(c, value(c, now));
	msb = c->rw == RW_MSB;
	if (c->rw == RW_BOTH) {
		msb = c->read_msb;
		c->read_msb ^= 1u;
	}
	return (uint8_t)(msb ? v >> 8 : v);
}

uint8_t lv_pit_read(struct lv_pit *p, uint16_t port, uint64_t now_ns)
{
	if (port == LV_PIT_PORT_B)
		return (uint8_t)((p->c[2].gate ? PORTB_GATE2 : 0) |
				 (p->speaker ? PORTB_SPEAKER : 0) |
				 ((now_ns / REFRESH_HALF_NS) & 1u ? PORTB_REFRESH : 0) |
				 (out_of(&p->c[2], now_ns) ? PORTB_OUT2 : 0));
	if (port >= LV_PIT_PORT_FIRST && port < LV_PIT_PORT_CTRL)
		return counter_read(&p->c[port - LV_PIT_PORT_FIRST], now_ns);
	return 0xff; /* the control word register cannot be read */
}

void lv_pit_write(struct lv_pit *p, uint16_t port, uint8_t val, uint64_t now_ns)
{
	if (port == LV_PIT_PORT_B) {
		p->speaker = (val & PORTB_SPEAKER) != 0;
		set_gate(&p->c[2], (val & PORTB_GATE2) != 0, now_ns);
	} else if (port == LV_PIT_PORT_CTRL) {
		control(p, val, now_ns);
	} else if (port >= LV_PIT_PORT_FIRST && port < LV_PIT_PORT_CTRL) {
		counter_write(&p->c[port - LV_PIT_PORT_FIRST], val, now_ns);
	}
}

bool lv_pit_out(const struct lv_pit *p, unsigned i, uint64_t now_ns)
{
	return i < 3 && out_of(&p->c[i], now_ns);
}

uint32_t lv_pit_count(const struct lv_pit *p, unsigned i, uint64_t now_ns)
{
	return i < 3 ? value(&p->c[i], now_ns) : 0;
}

/* How many times OUT rose in the first @p e clocks of counting. */
static uint64_t edges_by(const struct lv_pit_counter *c, uint64_t e)
{
	switch (c->mode) {
	case 2:
	case 3:
		return e / c->reload;
	case 0:
	case 1:
		return e >= c->start_count;
	default:
		return e >= (uint64_t)c->start_count + 1;
	}
}

bool lv_pit_irq0_poll(struct lv_pit *p, uint64_t now_ns)
{
	struct lv_pit_counter *c = &p->c[0];
	uint64_t n;

	if (!c->counting)
		return false;
	n = edges_by(c, elapsed(c, now_ns));
	if (n <= c->edges)
		return false;
	c->edges = n;
	return true;
}

uint64_t lv_pit_irq0_next(const struct lv_pit *p)
{
	const struct lv_pit_counter *c = &p->c[0];
	uint64_t t;

	if (!c->counting)
		return LV_PIT_NO_DEADLINE;
	switch (c->mode) {
	case 2:
	case 3:
		t = (c->edges + 1) * c->reload;
		break;
	case 0:
	case 1:
		if (c->edges)
			return LV_PIT_NO_DEADLINE;
		t = c->start_count;
		break;
	default:
		if (c->edges)
			return LV_PIT_NO_DEADLINE;
		t = (uint64_t)c->start_count + 1;
		break;
	}
	return c->start_ns + ticks_to_ns(t);
}
