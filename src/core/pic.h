/* SPDX-License-Identifier: MIT */
/*
 * A freestanding model of the PC's two 8259A programmable interrupt
 * controllers (Intel, "8259A Programmable Interrupt Controller", order
 * number 231468; cited below as "8259A"), cascaded as on every PC: the
 * master at ports 0x20/0x21 takes IRQ 0-7, the slave at 0xA0/0xA1 takes
 * IRQ 8-15 and signals the master on IR2. The edge/level control registers
 * of the PC chipsets (ELCR, ports 0x4D0/0x4D1) choose the trigger per IRQ.
 *
 * What is modelled: the initialization sequence ICW1-ICW4, OCW1 (IMR),
 * OCW2 (non-specific, specific and rotating EOI, set priority, rotate in
 * automatic EOI mode), OCW3 (read IRR/ISR, poll, special mask mode), fully
 * nested priority with rotation, automatic EOI, special fully nested mode
 * on the master, INTA (lv_pic_intack()) with the spurious IR7 of a request
 * that went away, and edge/level triggering.
 *
 * Choices the data sheet leaves to the board, made as PC virtual machines
 * (QEMU, KVM) make them, because PC guests rely on them:
 * - An edge stays latched in IRR when its line falls before INTA (8259A,
 *   "Edge and level triggered modes", asks the line to stay high until
 *   INTA, else a default IR7 occurs): kvm-unit-tests' realmode pulses
 *   IRQ 11 with interrupts off and waits for vector 0x73 after STI.
 * - Only 8086 mode: ICW4 bit 0 (uPM) is stored, the vectors are always
 *   the 8086 ones (ICW2 bits 7:3 plus the IR number); buffered mode is
 *   stored and has no effect.
 * - IRQ 0, 1, 2, 8 and 13 are always edge-triggered (their ELCR bits read
 *   0), as on the PIIX/ICH chipsets.
 *
 * No hardware access, no allocation, no locking: the caller serializes all
 * calls on one struct lv_pic.
 */
#ifndef LV_CORE_PIC_H
#define LV_CORE_PIC_H

#include <stdbool.h>
#include <stdint.h>

#define LV_PIC_MASTER_CMD  0x20u
#define LV_PIC_MASTER_DATA 0x21u
#define LV_PIC_SLAVE_CMD   0xa0u
#define LV_PIC_SLAVE_DATA  0xa1u
#define LV_PIC_ELCR1	   0x4d0u
#define LV_PIC_ELCR2	   0x4d1u
#define LV_PIC_CASCADE_IR  2u /* the slave's INT on the master's IR2 */

/* One 8259A. The fields are the model's (and the state image). */
struct lv_pic_chip {
	uint8_t irr;	      /* interrupt request register */
	uint8_t isr;	      /* in-service register */
	uint8_t imr;	      /* interrupt mask register (OCW1) */
	uint8_t line;	      /* the IR inputs' levels */
	uint8_t elcr;	      /* level-triggered IRs (ELCR) */
	uint8_t elcr_mask;    /* ELCR bits that can be set */
	uint8_t base;	      /* ICW2 bits 7:3: the vector of IR0 */
	uint8_t icw3;	      /* master: IRs with a slave; slave: its ID */
	uint8_t lowest;	      /* the IR of lowest priority (rotation) */
	uint8_t init_step;    /* 0 operational; 2, 3, 4: the ICW expected next */
	uint8_t need_icw4;    /* ICW1 IC4 */
	uint8_t single;	      /* ICW1 SNGL: no ICW3 */
	uint8_t ltim;	      /* ICW1 LTIM: every IR level-triggered */
	uint8_t icw4;	      /* the last ICW4 (uPM, AEOI, M/S, BUF, SFNM) */
	uint8_t rotate_aeoi;  /* OCW2 "rotate in automatic EOI mode" */
	uint8_t read_isr;     /* OCW3 RR/RIS: an even-port read gives ISR (else IRR) */
	uint8_t poll;	      /* OCW3 P: the next even-port read is a poll */
	uint8_t special_mask; /* OCW3 special mask mode */
};

/** The cascaded pair: chip[0] the master, chip[1] the slave. */
struct lv_pic {
	struct lv_pic_chip chip[2];
};

/* RESET: both chips uninitialized (IMR 0, base 0), every line low, ELCR 0. */
void lv_pic_reset(struct lv_pic *p);
/* Drive IRQ @p irq (0-15) to @p level (true = high). */
void lv_pic_set_irq(struct lv_pic *p, unsigned irq, bool level);
/*
 * A guest access to @p port (0x20, 0x21, 0xA0, 0xA1, 0x4D0, 0x4D1; one
 * byte). @return for lv_pic_read() the byte; for both, nothing happens for
 * another port (a read gives 0xFF).
 */
uint8_t lv_pic_read(struct lv_pic *p, uint16_t port);
void lv_pic_write(struct lv_pic *p, uint16_t port, uint8_t val);
/* Is the master's INT output high (a request the CPU should acknowledge)? */
bool lv_pic_output(const struct lv_pic *p);
/*
 * INTA: the vector of the highest-priority request, its ISR bit set (unless
 * automatic EOI), its IRR bit cleared when edge-triggered; the spurious IR7
 * of a chip without a request (8259A, "Interrupt sequence").
 */
uint8_t lv_pic_intack(struct lv_pic *p);
/* Is @p port one of the ports above? */
bool lv_pic_port(uint16_t port);

#endif /* LV_CORE_PIC_H */
