/* SPDX-License-Identifier: MIT */
/*
 * The 8259A pair (pic.h). Section names are those of the Intel 8259A
 * data sheet (order number 231468).
 */
#include "pic.h"

#include "lvlib.h"

#define ICW1_IC4	 0x01u
#define ICW1_SNGL	 0x02u
#define ICW1_LTIM	 0x08u
#define ICW1_BIT	 0x10u /* D4 = 1 at the even port: ICW1 */
#define OCW3_BIT	 0x08u /* D4 = 0, D3 = 1: OCW3; D3 = 0: OCW2 */
#define ICW4_AEOI	 0x02u
#define ICW4_SFNM	 0x10u
#define OCW3_RIS	 0x01u
#define OCW3_RR		 0x02u
#define OCW3_P		 0x04u
#define OCW3_SMM	 0x20u
#define OCW3_ESMM	 0x40u
#define POLL_INT	 0x80u
#define SPURIOUS_IR	 7u
#define NONE		 8u /* no IR */
/* IRQ 0, 1, 2 (timer, keyboard, cascade), 8 (RTC) and 13 (FPU) are edge-only. */
#define ELCR_MASK_MASTER 0xf8u
#define ELCR_MASK_SLAVE	 0xdeu

static struct lv_pic_chip *master(struct lv_pic *p)
{
	return &p->chip[0];
}

static struct lv_pic_chip *slave(struct lv_pic *p)
{
	return &p->chip[1];
}

/* The IR of priority @p rank (0 highest): the one after the lowest, and so on. */
static unsigned ir_of_rank(const struct lv_pic_chip *c, unsigned rank)
{
	return (c->lowest + 1u + rank) & 7u;
}

/* The highest-priority IR whose bit is set in @p bits, or NONE. */
static unsigned highest(const struct lv_pic_chip *c, uint8_t bits)
{
	unsigned rank;

	for (rank = 0; rank < 8; rank++)
		if (bits & (1u << ir_of_rank(c, rank)))
			return ir_of_rank(c, rank);
	return NONE;
}

static unsigned rank_of(const struct lv_pic_chip *c, unsigned ir)
{
	return (ir - c->lowest - 1u) & 7u;
}

static bool is_level(const struct lv_pic_chip *c, unsigned ir)
{
	return c->ltim || (c->elcr & (1u << ir));
}

/*
 * The IR the chip would interrupt for ("Fully nested mode", "Special mask
 * mode", "Special fully nested mode"): the highest unmasked request of
 * higher priority than every in-service level that counts. In special mask
 * mode a masked in-service level does not count; in special fully nested
 * mode (master) a slave's in-service level does not block that slave.
 */
static unsigned chip_pending(const struct lv_pic_chip *c, bool is_master)
{
	unsigned req = highest(c, c->irr & (uint8_t)~c->imr), srv;
	uint8_t isr = c->isr;

	if (req == NONE || c->init_step)
		return NONE;
	if (c->special_mask)
		isr &= (uint8_t)~c->imr;
	if (is_master && (c->icw4 & ICW4_SFNM) && (c->icw3 & (1u << req)))
		isr &= (uint8_t) ~(1u << req);
	srv = highest(c, isr);
	if (srv != NONE && rank_of(c, srv) <= rank_of(c, req))
		return NONE;
	return req;
}

/* One chip's IR input: an edge latches in IRR, a level is IRR ("Edge and level triggered modes"). */
static void chip_set_irq(struct lv_pic_chip *c, unsigned ir, bool level)
{
	uint8_t bit = (uint8_t)(1u << ir);

	if (level) {
		if (is_level(c, ir) || !(c->line & bit))
			c->irr |= bit;
		c->line |= bit;
	} else {
		if (is_level(c, ir))
			c->irr &= (uint8_t)~bit;
		c->line &= (uint8_t)~bit;
	}
}

/* The slave's INT output is the master's IR2 input. */
static void cascade(struct lv_pic *p)
{
	chip_set_irq(master(p), LV_PIC_CASCADE_IR, chip_pending(slave(p), false) != NONE);
}

void lv_pic_reset(struct lv_pic *p)
{
	memset(p, 0, sizeof(*p));
	master(p)->elcr_mask = ELCR_MASK_MASTER;
	slave(p)->elcr_mask = ELCR_MASK_SLAVE;
	master(p)->lowest = slave(p)->lowest = 7;
}

void lv_pic_set_irq(struct lv_pic *p, unsigned irq, bool level)
{
	if (irq >= 16)
		return;
	chip_set_irq(&p->chip[irq >> 3], irq & 7u, level);
	cascade(p);
}

bool lv_pic_output(const struct lv_pic *p)
{
	return chip_pending(&p->chip[0], true) != NONE;
}

bool lv_pic_port(uint16_t port)
{
	switch (port) {
	case LV_PIC_MASTER_CMD:
	case LV_PIC_MASTER_DATA:
	case LV_PIC_SLAVE_CMD:
	case LV_PIC_SLAVE_DATA:
	case LV_PIC_ELCR1:
	case LV_PIC_ELCR2:
		return true;
	default:
		return false;
	}
}

/* End of interrupt for in-service level @p ir, with rotation when @p rotate. */
static void eoi(struct lv_pic_chip *c, unsigned ir, bool rotate)
{
	if (ir == NONE)
		return;
	c->isr &= (uint8_t) ~(1u << ir);
	if (rotate)
		c->lowest = (uint8_t)ir; /* the serviced level becomes the lowest */
}

/*
 * INTA on one chip: the IR it answers for (NONE: nothing pending, the
 * caller gives the spurious IR7), its ISR bit set unless automatic EOI.
 */
static unsigned chip_ack(struct lv_pic_chip *c, bool is_master)
{
	unsigned ir = chip_pending(c, is_master);
	uint8_t bit;

	if (ir == NONE)
		return NONE;
	bit = (uint8_t)(1u << ir);
	/* A level IR stays requested while its line is high. */
	if (!is_level(c, ir) || !(c->line & bit))
		c->irr &= (uint8_t)~bit;
	if (c->icw4 & ICW4_AEOI) {
		/* "Automatic end of interrupt mode": no ISR bit; rotation if set so. */
		if (c->rotate_aeoi)
			c->lowest = (uint8_t)ir;
	} else {
		c->isr |= bit;
	}
	return ir;
}

uint8_t lv_pic_intack(struct lv_pic *p)
{
	struct lv_pic_chip *m = master(p), *s = slave(p);
	unsigned ir = chip_ack(m, true), sir;
	uint8_t vec;

	if (ir == NONE) {
		vec = (uint8_t)(m->base | SPURIOUS_IR);
	} else if (!m->single && (m->icw3 & (1u << ir))) {
		/* A slave's request: the slave puts out the vector ("Cascade mode"). */
		sir = chip_ack(s, false);
		vec = (uint8_t)(s->base | (sir == NONE ? SPURIOUS_IR : sir));
	} else {
		vec = (uint8_t)(m->base | ir);
	}
	cascade(p);
	return vec;
}

/* ICW1 ("Initialization command words"). */
static void icw1(struct lv_pic_chip *c, uint8_t val)
{
	c->irr = 0;
	c->isr = 0;
	c->imr = 0;
	c->lowest = 7;
	c->special_mask = 0;
	c->read_isr = 0;
	c->poll = 0;
	c->rotate_aeoi = 0;
	c->icw3 = 7; /* "slave mode address is set to 7" */
	c->need_icw4 = (val & ICW1_IC4) != 0;
	c->single = (val & ICW1_SNGL) != 0;
	c->ltim = (val & ICW1_LTIM) != 0;
	if (!c->need_icw4)
		c->icw4 = 0; /* "all functions selected in ICW4 are set to zero" */
	/*
	 * "The edge sense circuit is reset": an edge IR whose line is high
	 * requests again only after it falls and rises; a level IR requests
	 * while its line is high.
	 */
	if (c->ltim)
		c->irr = c->line;
	else
		c->irr = c->line & c->elcr;
	c->init_step = 2;
}

/* OCW2 ("Operation command words"): R, SL, EOI in bits 7:5, the level in 2:0. */
static void ocw2(struct lv_pic_chip *c, uint8_t val)
{
	unsigned level = val & 7u, cmd = val >> 5;
	uint8_t isr = c->isr;

	if (c->special_mask)
		isr &= (uint8_t)~c->imr;
	switch (cmd) {
	case 1: /* non-specific EOI */
		eoi(c, highest(c, isr), false);
		break;
	case 5: /* rotate on non-specific EOI */
		eoi(c, highest(c, isr), true);
		break;
	case 3: /* specific EOI */
		eoi(c, level, false);
		break;
	case 7: /* rotate on specific EOI */
		eoi(c, level, true);
		break;
	case 6: /* set priority: @level becomes the lowest */
		c->lowest = (uint8_t)level;
		break;
	case 4: /* rotate in automatic EOI mode (set) */
		c->rotate_aeoi = 1;
		break;
	case 0: /* rotate in automatic EOI mode (clear) */
		c->rotate_aeoi = 0;
		break;
	default: /* 2: no operation */
		break;
	}
}

static void ocw3(struct lv_pic_chip *c, uint8_t val)
{
	if (val & OCW3_ESMM)
		c->special_mask = (val & OCW3_SMM) != 0;
	if (val & OCW3_RR)
		c->read_isr = (val & OCW3_RIS) != 0;
	c->poll = (val & OCW3_P) != 0;
}

static void chip_write(struct lv_pic_chip *c, bool odd, uint8_t val, bool is_master)
{
	if (!odd) {
		if (val & ICW1_BIT)
			icw1(c, val);
		else if (val & OCW3_BIT)
			ocw3(c, val);
		else
			ocw2(c, val);
		return;
	}
	switch (c->init_step) {
	case 2: /* ICW2: T7-T3 of the vectors (8086 mode) */
		c->base = val & 0xf8u;
		c->init_step = c->single ? (c->need_icw4 ? 4 : 0) : 3;
		break;
	case 3: /* ICW3: master, the IRs with a slave; slave, its ID */
		c->icw3 = is_master ? val : (uint8_t)(val & 7u);
		c->init_step = c->need_icw4 ? 4 : 0;
		break;
	case 4:
		c->icw4 = val;
		c->init_step = 0;
		break;
	default: /* OCW1 */
		c->imr = val;
		break;
	}
}

/* A poll ("The poll command"): the highest request as an INTA would take it. */
static uint8_t chip_poll(struct lv_pic *p, struct lv_pic_chip *c)
{
	bool is_master = c == master(p);
	unsigned ir = chip_ack(c, is_master);

	c->poll = 0;
	if (ir == NONE)
		return 0;
	if (is_master && !c->single && (c->icw3 & (1u << ir)))
		(void)chip_ack(slave(p), false); /* the master's poll reports IR2 only */
	return (uint8_t)(POLL_INT | ir);
}

uint8_t lv_pic_read(struct lv_pic *p, uint16_t port)
{
	struct lv_pic_chip *c;
	uint8_t val;

	switch (port) {
	case LV_PIC_ELCR1:
	case LV_PIC_ELCR2:
		return p->chip[port & 1u].elcr;
	case LV_PIC_MASTER_CMD:
	case LV_PIC_MASTER_DATA:
		c = master(p);
		break;
	case LV_PIC_SLAVE_CMD:
	case LV_PIC_SLAVE_DATA:
		c = slave(p);
		break;
	default:
		return 0xff;
	}
	if (c->poll && !(port & 1u)) {
		val = chip_poll(p, c);
		cascade(p);
		return val;
	}
	if (port & 1u)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

void lv_pic_write(struct lv_pic *p, uint16_t port, uint8_t val)
{
	struct lv_pic_chip *c;
	unsigned ir;

	switch (port) {
	case LV_PIC_ELCR1:
	case LV_PIC_ELCR2:
		c = &p->chip[port & 1u];
		c->elcr = val & c->elcr_mask;
		/* An edge IR keeps its latch; a level IR's request is its line. */
		for (ir = 0; ir < 8; ir++)
			if (is_level(c, ir) && !(c->line & (1u << ir)))
				c->irr &= (uint8_t) ~(1u << ir);
		break;
	case LV_PIC_MASTER_CMD:
	case LV_PIC_MASTER_DATA:
		chip_write(master(p), port & 1u, val, true);
		break;
	case LV_PIC_SLAVE_CMD:
	case LV_PIC_SLAVE_DATA:
		chip_write(slave(p), port & 1u, val, false);
		break;
	default:
		return;
	}
	cascade(p);
}
