/* SPDX-License-Identifier: MIT */
/*
 * A freestanding IOAPIC model (Intel 82093AA I/O APIC datasheet; the
 * registers KVM's IOAPIC emulates): IOREGSEL/IOWIN indirect access, ID,
 * version 0x11 with 24 pins, arbitration ID, the 24-entry redirection table,
 * edge and level pins, remote IRR and the EOI broadcast from the local
 * APICs. No hardware access, no allocation: every interrupt message it
 * sends goes to the caller's callback as a struct lv_apic_msg, which the
 * caller offers to the local APICs (lv_lapic_msg_targets/lv_lapic_accept).
 *
 * Pin levels are logical: set_irq(pin, 1) means "asserted", whatever the
 * entry's polarity bit says (the polarity is stored for the guest to read,
 * as in KVM).
 *
 * Locking: none; the caller serializes all calls on one IOAPIC.
 */
#ifndef LV_CORE_IOAPIC_H
#define LV_CORE_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include "lapic.h"

#define LV_IOAPIC_PINS		 24u
#define LV_IOAPIC_VERSION	 0x11u
#define LV_IOAPIC_DEFAULT_BASE	 0xfec00000ull
#define LV_IOAPIC_IOREGSEL	 0x00u /* MMIO offsets */
#define LV_IOAPIC_IOWIN		 0x10u
#define LV_IOAPIC_REG_ID	 0x00u /* indirect registers */
#define LV_IOAPIC_REG_VER	 0x01u
#define LV_IOAPIC_REG_ARB	 0x02u
#define LV_IOAPIC_REG_REDTBL	 0x10u /* entry n: low dword 0x10 + 2n, high 0x11 + 2n */
#define LV_IOAPIC_RTE_REMOTE_IRR (1ull << 14)
#define LV_IOAPIC_RTE_MASKED	 (1ull << 16)

/** Called for every interrupt message the IOAPIC sends. */
typedef void (*lv_ioapic_send_fn)(void *ctx, const struct lv_apic_msg *m);

/** One IOAPIC; the fields are the model's. */
struct lv_ioapic {
	uint64_t redir[LV_IOAPIC_PINS]; /* redirection table entries */
	uint32_t id;			/* ID register (bits 27:24) */
	uint32_t ioregsel;		/* selected register (bits 7:0) */
	uint32_t level;			/* pin input levels, bit n = pin n asserted */
	lv_ioapic_send_fn send;		/* message sink */
	void *send_ctx;			/* its argument */
};

/* RESET: all entries masked, ID 0, every pin de-asserted. */
void lv_ioapic_reset(struct lv_ioapic *io, lv_ioapic_send_fn send, void *ctx);
/* MMIO at @off (IOREGSEL 0x00, IOWIN 0x10; 32-bit accesses). */
uint32_t lv_ioapic_mmio_read(struct lv_ioapic *io, unsigned off);
void lv_ioapic_mmio_write(struct lv_ioapic *io, unsigned off, uint32_t val);
/* Indirect register access as through IOWIN. */
uint32_t lv_ioapic_read_reg(const struct lv_ioapic *io, unsigned reg);
void lv_ioapic_write_reg(struct lv_ioapic *io, unsigned reg, uint32_t val);
/* Drive input @pin to @level (1 = asserted); edges and levels per the entry. */
void lv_ioapic_set_irq(struct lv_ioapic *io, unsigned pin, bool level);
/* A local APIC EOIed level-triggered @vector (LV_LAPIC_FX_EOI_BCAST). */
void lv_ioapic_eoi(struct lv_ioapic *io, uint8_t vector);

#endif /* LV_CORE_IOAPIC_H */
