/* SPDX-License-Identifier: MIT */
/*
 * A freestanding local APIC model (SDM Vol. 3, chapter 11 "Advanced
 * Programmable Interrupt Controller (APIC)"; APM Vol. 2, chapter 16 where
 * AMD differs). No hardware access, no allocation, no clock of its own: the
 * caller owns struct lv_lapic, passes the time in, and acts on the effects
 * the model reports (struct lv_lapic_fx).
 *
 * The register state IS the xAPIC register page in the layout of struct
 * lv_apic (offsets 0-0x3FF, 32-bit registers on 16-byte boundaries, KVM's
 * KVM_GET_LAPIC format); a few derived fields (APIC base, timer deadline,
 * pending ESR bits, MP state) sit beside it.
 *
 * Clocks. The one-shot and periodic timer count APIC bus cycles; this model
 * takes one bus cycle to be one unit of the caller's "now_ns" clock (KVM
 * uses 1 ns per bus cycle, so a caller passing nanoseconds gets KVM's
 * rates). TSC-deadline mode compares IA32_TSC_DEADLINE with "now_tsc", the
 * guest's TSC. Both clocks must be monotonic.
 *
 * Locking: none. One vCPU owns its lv_lapic; IPIs from other vCPUs must be
 * serialized by the caller (e.g. posted and accepted by the owner).
 */
#ifndef LV_CORE_LAPIC_H
#define LV_CORE_LAPIC_H

#include <stdbool.h>
#include <stdint.h>

#include <libvcpu/state.h>

/* ---- register offsets in the xAPIC page (SDM Vol. 3, Table 11-1) ---- */
#define LV_APIC_ID	 0x020u
#define LV_APIC_VER	 0x030u
#define LV_APIC_TPR	 0x080u
#define LV_APIC_APR	 0x090u
#define LV_APIC_PPR	 0x0a0u
#define LV_APIC_EOI	 0x0b0u
#define LV_APIC_RRD	 0x0c0u
#define LV_APIC_LDR	 0x0d0u
#define LV_APIC_DFR	 0x0e0u
#define LV_APIC_SVR	 0x0f0u
#define LV_APIC_ISR	 0x100u
#define LV_APIC_TMR	 0x180u
#define LV_APIC_IRR	 0x200u
#define LV_APIC_ESR	 0x280u
#define LV_APIC_LVT_CMCI 0x2f0u
#define LV_APIC_ICR	 0x300u
#define LV_APIC_ICR2	 0x310u
#define LV_APIC_LVTT	 0x320u
#define LV_APIC_LVTTHMR	 0x330u
#define LV_APIC_LVTPC	 0x340u
#define LV_APIC_LVT0	 0x350u
#define LV_APIC_LVT1	 0x360u
#define LV_APIC_LVTERR	 0x370u
#define LV_APIC_TMICT	 0x380u
#define LV_APIC_TMCCT	 0x390u
#define LV_APIC_TDCR	 0x3e0u
#define LV_APIC_SELF_IPI 0x3f0u /* x2APIC only (MSR 0x83F) */

/*
 * Version register: 0x14 (an integrated APIC) with Max LVT Entry = 5 (six
 * LVT entries: timer, thermal, perf, LINT0, LINT1, error; no CMCI), no
 * EOI-broadcast suppression. This is what KVM reports without CMCI.
 */
#define LV_APIC_VERSION_VALUE 0x00050014u

/* IA32_APIC_BASE (SDM Vol. 3, 11.4.4, Figure 11-5; 11.12.1). */
#define LV_APIC_BASE_BSP     (1ull << 8)
#define LV_APIC_BASE_EXTD    (1ull << 10)
#define LV_APIC_BASE_EN	     (1ull << 11)
#define LV_APIC_BASE_DEFAULT 0xfee00000ull

/* x2APIC MSR range (SDM Vol. 3, 11.12.1.2, Table 11-6). */
#define LV_MSR_X2APIC_FIRST   0x800u
#define LV_MSR_X2APIC_LAST    0x8ffu
#define LV_MSR_X2APIC_ICR     0x830u
#define LV_MSR_X2APIC_SELFIPI 0x83fu

/* LVT and ICR fields (SDM Vol. 3, Figures 11-8 and 11-12). */
#define LV_APIC_VECTOR_MASK	0xffu
#define LV_APIC_DM_SHIFT	8
#define LV_APIC_DM_MASK		(7u << 8)
#define LV_APIC_DEST_LOGICAL	(1u << 11)
#define LV_APIC_DELIV_STATUS	(1u << 12)
#define LV_APIC_POLARITY	(1u << 13)
#define LV_APIC_REMOTE_IRR	(1u << 14) /* LVT LINT0/1 */
#define LV_APIC_ICR_LEVEL	(1u << 14) /* ICR: assert (1) / de-assert (0) */
#define LV_APIC_TRIGGER_LEVEL	(1u << 15)
#define LV_APIC_LVT_MASKED	(1u << 16)
#define LV_APIC_TIMER_MODE_MASK (3u << 17)
#define LV_APIC_SHORTHAND_SHIFT 18
#define LV_APIC_SHORTHAND_MASK	(3u << 18)
#define LV_APIC_SVR_ENABLE	(1u << 8)

/* Timer modes, LVT timer bits 18:17 (SDM Vol. 3, 11.5.4, Table 11-2 note). */
#define LV_APIC_TIMER_ONESHOT  0u
#define LV_APIC_TIMER_PERIODIC 1u
#define LV_APIC_TIMER_TSCDL    2u

/* Delivery modes (ICR, LVT and IOAPIC redirection entries, bits 10:8). */
#define LV_APIC_DM_FIXED    0u
#define LV_APIC_DM_LOWEST   1u
#define LV_APIC_DM_SMI	    2u
#define LV_APIC_DM_NMI	    4u
#define LV_APIC_DM_INIT	    5u
#define LV_APIC_DM_STARTUP  6u
#define LV_APIC_DM_EXTINT   7u
#define LV_APIC_DM_RESERVED 3u

/* Destination shorthands, ICR bits 19:18. */
#define LV_APIC_SH_NONE	   0u
#define LV_APIC_SH_SELF	   1u
#define LV_APIC_SH_ALL	   2u
#define LV_APIC_SH_ALL_BUT 3u

/* ESR bits (SDM Vol. 3, 11.5.3, Figure 11-9). */
#define LV_APIC_ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define LV_APIC_ESR_RECV_ILLEGAL_VECTOR (1u << 6)
#define LV_APIC_ESR_ILLEGAL_REGISTER	(1u << 7)

/* Result of an MSR access: the caller turns LV_LAPIC_GP into #GP(0). */
#define LV_LAPIC_OK 0
#define LV_LAPIC_GP 1

/**
 * An interrupt message on the (virtual) APIC bus: an IPI from an ICR, an
 * IOAPIC redirection, or an MSI. Destinations are compared by
 * lv_lapic_msg_targets().
 */
struct lv_apic_msg {
	uint32_t dest;	   /* 8-bit xAPIC destination or 32-bit x2APIC one */
	uint32_t src_id;   /* sender's APIC ID (IPIs; for the shorthands) */
	uint8_t vector;	   /* SIPI: the start page number */
	uint8_t delivery;  /* LV_APIC_DM_* */
	uint8_t shorthand; /* LV_APIC_SH_* (IPIs; 0 from the IOAPIC) */
	bool logical;	   /* destination mode: logical (true) or physical */
	bool level_trig;   /* trigger mode: level (true) or edge */
	bool assert;	   /* level: assert (true) or de-assert */
	bool x2apic;	   /* dest is a 32-bit x2APIC destination */
};

/* Effects a call had; the caller acts on each flag it finds set. */
#define LV_LAPIC_FX_IRQ	      (1u << 0) /* IRR/PPR changed: re-evaluate interrupt injection */
#define LV_LAPIC_FX_IPI	      (1u << 1) /* msg holds an IPI to deliver */
#define LV_LAPIC_FX_EOI_BCAST (1u << 2) /* a level-triggered vector was EOIed: eoi_vector */
#define LV_LAPIC_FX_TIMER     (1u << 3) /* timer (re)armed or stopped: re-read lv_lapic_timer_next() */
#define LV_LAPIC_FX_NMI	      (1u << 4) /* inject an NMI */
#define LV_LAPIC_FX_EXTINT    (1u << 5) /* ExtINT: ask the PIC for the vector */
#define LV_LAPIC_FX_INIT      (1u << 6) /* INIT accepted: reset the vCPU; mp_state tells how */
#define LV_LAPIC_FX_SIPI      (1u << 7) /* start at CS = sipi_vector << 8, IP = 0 */

/** What a call asks of the caller. */
struct lv_lapic_fx {
	uint32_t flags;		/* LV_LAPIC_FX_* */
	struct lv_apic_msg msg; /* LV_LAPIC_FX_IPI */
	uint8_t eoi_vector;	/* LV_LAPIC_FX_EOI_BCAST */
	uint8_t sipi_vector;	/* LV_LAPIC_FX_SIPI */
};

/* Which clock lv_lapic_timer_next() answers in. */
#define LV_LAPIC_CLOCK_NONE 0u /* timer not armed */
#define LV_LAPIC_CLOCK_NS   1u /* one-shot/periodic: the now_ns clock */
#define LV_LAPIC_CLOCK_TSC  2u /* TSC-deadline: the guest TSC */

/** One local APIC. All fields are the model's; read them, do not write them. */
struct lv_lapic {
	struct lv_apic page;   /* the register page, KVM_GET_LAPIC layout */
	uint64_t apic_base;    /* IA32_APIC_BASE */
	uint64_t base_rsvd;    /* reserved bits of IA32_APIC_BASE (from MAXPHYADDR) */
	uint64_t tsc_deadline; /* IA32_TSC_DEADLINE, 0 = disarmed */
	uint64_t timer_due;    /* one-shot/periodic: expiry on the now_ns clock */
	uint64_t timer_period; /* periodic: TMICT * divisor; 0 = one-shot */
	bool timer_armed;      /* one-shot/periodic counting */
	bool x2apic_ok;	       /* x2APIC may be enabled (CPUID.1:ECX[21]) */
	uint32_t initial_id;   /* the initial (x2)APIC ID (CPUID) */
	uint32_t esr_pending;  /* errors since the last ESR write */
	uint32_t mp_state;     /* LV_MP_RUNNABLE or LV_MP_WAIT_SIPI (HALTED is the caller's) */
};

/* ---- life cycle (lapic.c) ---- */

/*
 * Power-up/RESET state (SDM Vol. 3, 11.4.7.1): APIC globally enabled in
 * xAPIC mode at 0xFEE00000, ID = initial_id << 24, BSP flag if @bsp,
 * everything else as after RESET. @maxphyaddr bounds the APIC base.
 */
void lv_lapic_reset(struct lv_lapic *l, uint32_t initial_id, bool bsp, bool x2apic_ok,
		    unsigned maxphyaddr);
/* INIT (SDM Vol. 3, 11.4.7.3): as RESET but the APIC ID and base MSR stay. */
void lv_lapic_init_signal(struct lv_lapic *l);

/* ---- register access ---- */
uint32_t lv_lapic_reg(const struct lv_lapic *l, unsigned off);
bool lv_lapic_hw_enabled(const struct lv_lapic *l);
bool lv_lapic_sw_enabled(const struct lv_lapic *l);
bool lv_lapic_x2apic_mode(const struct lv_lapic *l);
uint32_t lv_lapic_id(const struct lv_lapic *l); /* 8-bit xAPIC or 32-bit x2APIC ID */

/*
 * xAPIC MMIO (SDM Vol. 3, 11.4.1): @off is the offset in the 4 KiB page.
 * Reads of 1, 2 or 4 bytes inside the first dword of a 16-byte slot return
 * that register's bytes; everything else reads 0. Only aligned 4-byte
 * writes at a slot start take effect (others are ignored, as by KVM).
 * In x2APIC mode or with the APIC globally disabled, the page is not
 * decoded: reads return all ones (@p len bytes of them) and writes are
 * dropped, as on KVM. SDM 11.4.3: a disabled APIC is as if the processor
 * had none, and 11.12.1.2: MMIO in x2APIC mode behaves as with the xAPIC
 * globally disabled; nothing answers the access (PCI: a master abort,
 * all ones).
 */
uint32_t lv_lapic_mmio_read(const struct lv_lapic *l, unsigned off, unsigned len, uint64_t now_ns);
void lv_lapic_mmio_write(struct lv_lapic *l, unsigned off, unsigned len, uint32_t val,
			 uint64_t now_ns, struct lv_lapic_fx *fx);

/* x2APIC MSRs 0x800-0x8FF and IA32_TSC_DEADLINE: LV_LAPIC_OK or LV_LAPIC_GP. */
int lv_lapic_msr_read(struct lv_lapic *l, uint32_t msr, uint64_t now_ns, uint64_t *val);
int lv_lapic_msr_write(struct lv_lapic *l, uint32_t msr, uint64_t val, uint64_t now_ns,
		       uint64_t now_tsc, struct lv_lapic_fx *fx);

/*
 * IA32_APIC_BASE write (SDM Vol. 3, 11.12.5, Figure 11-27). @host: a state
 * restore, which may also enter x2APIC mode from disabled. LV_LAPIC_GP for
 * reserved bits and invalid transitions.
 */
int lv_lapic_set_base(struct lv_lapic *l, uint64_t val, bool host, struct lv_lapic_fx *fx);

/* ---- priorities, IRR/ISR/TMR ---- */
uint32_t lv_lapic_ppr(const struct lv_lapic *l);
/* The vector an interrupt window would take now, or -1 (IRRV[7:4] > PPR[7:4]). */
int lv_lapic_pending(const struct lv_lapic *l);
/* INTA: move the highest deliverable IRR vector to ISR; -1 if none. */
int lv_lapic_ack(struct lv_lapic *l);
/* EOI: clear the highest ISR bit; -1 if none. */
int lv_lapic_eoi(struct lv_lapic *l, struct lv_lapic_fx *fx);
/* CR8 reads/writes TPR[7:4] (SDM Vol. 3, 11.8.6). */
uint64_t lv_lapic_get_cr8(const struct lv_lapic *l);
void lv_lapic_set_cr8(struct lv_lapic *l, uint64_t cr8);
/*
 * The priority class (1-15) of the highest IRR vector when only the TPR
 * keeps it from being delivered: it becomes deliverable as soon as
 * TPR[7:4] (CR8) falls below that class. 0 when nothing is masked by the
 * TPR alone (nothing pending, deliverable already, or blocked by ISR).
 */
uint32_t lv_lapic_tpr_watch(const struct lv_lapic *l);
/* The SVR's spurious vector (what INTA yields when nothing is deliverable). */
uint8_t lv_lapic_spurious_vector(const struct lv_lapic *l);

/* ---- messages (lapic_msg.c) ---- */

/*
 * Accept a message that lv_lapic_msg_targets() said is for @l (SDM Vol. 3,
 * 11.6.1, 11.6.2 and 11.8.3); sets flags in @fx.
 */
void lv_lapic_accept(struct lv_lapic *l, const struct lv_apic_msg *m, struct lv_lapic_fx *fx);
/* Does @m address @l? @is_source: @l is the sender (for the shorthands). */
bool lv_lapic_msg_targets(const struct lv_lapic *l, const struct lv_apic_msg *m, bool is_source);
/* Does destination @dest (logical or physical) match @l (SDM Vol. 3, 11.6.2)? */
bool lv_lapic_match_dest(const struct lv_lapic *l, uint32_t dest, bool logical, bool x2apic_fmt);
/*
 * Decode an ICR value (low dword in 31:0, the xAPIC high dword or the x2APIC
 * destination in 63:32) into @m (SDM Vol. 3, 11.6.1). False if nothing is
 * sent: a reserved delivery mode, or a fixed/lowest-priority vector below 16
 * (ESR "send illegal vector", which may fire LVT error into @fx).
 */
bool lv_lapic_icr_decode(struct lv_lapic *l, uint64_t icr, struct lv_apic_msg *m,
			 struct lv_lapic_fx *fx);
/*
 * Decode an MSI write (SDM Vol. 3, 11.11, Figures 11-24/11-25): @addr in
 * 0xFEE00000-0xFEEFFFFF (destination ID 19:12, destination mode bit 2),
 * @data (vector 7:0, delivery mode 10:8, level 14, trigger mode 15). The
 * redirection hint (bit 3) is not modelled: the destination mode bit is
 * used as is, as KVM does. False if @addr is outside the window.
 */
bool lv_apic_msi_decode(uint64_t addr, uint32_t data, struct lv_apic_msg *m);
/* Fire an LVT entry (@off = LV_APIC_LVT*) as the local source would. */
void lv_lapic_lvt_fire(struct lv_lapic *l, unsigned off, struct lv_lapic_fx *fx);

/* ---- timer (lapic_timer.c) ---- */

/* The divisor the divide configuration selects: 1, 2, 4, ... 128. */
unsigned lv_lapic_timer_divisor(const struct lv_lapic *l);
uint32_t lv_lapic_timer_current(const struct lv_lapic *l, uint64_t now_ns);
/* Next expiry: returns LV_LAPIC_CLOCK_*, *when is in that clock. */
unsigned lv_lapic_timer_next(const struct lv_lapic *l, uint64_t *when);
/* Fire the timer if due (sets IRR unless masked, reloads periodic); true if it expired. */
bool lv_lapic_timer_poll(struct lv_lapic *l, uint64_t now_ns, uint64_t now_tsc,
			 struct lv_lapic_fx *fx);
/* Internal to the model (register writes that touch the timer). */
void lv_lapic_timer_write(struct lv_lapic *l, unsigned off, uint32_t val, uint64_t now_ns,
			  struct lv_lapic_fx *fx);
void lv_lapic_timer_stop(struct lv_lapic *l);

/* ---- state group LV_STATE_APIC ---- */
void lv_lapic_get_state(const struct lv_lapic *l, struct lv_apic *out, uint64_t now_ns);
/* LV_OK, or LV_ERR_INVAL if the page is inconsistent with the APIC base / ID. */
int lv_lapic_set_state(struct lv_lapic *l, const struct lv_apic *in, uint64_t now_ns);

/* ---- page helpers shared by lapic*.c (little-endian host, as the page) ---- */
static inline uint32_t lv_lapic_get(const struct lv_lapic *l, unsigned off)
{
	uint32_t v;

	__builtin_memcpy(&v, &l->page.regs[off & 0x3f0u], 4);
	return v;
}

static inline void lv_lapic_put(struct lv_lapic *l, unsigned off, uint32_t v)
{
	__builtin_memcpy(&l->page.regs[off & 0x3f0u], &v, 4);
}

/* Bit @vec of the 256-bit register ISR/TMR/IRR at @base. */
static inline bool lv_lapic_test_vec(const struct lv_lapic *l, unsigned base, unsigned vec)
{
	return (lv_lapic_get(l, base + ((vec >> 5) << 4)) >> (vec & 31)) & 1u;
}

static inline void lv_lapic_set_vec(struct lv_lapic *l, unsigned base, unsigned vec, bool on)
{
	unsigned off = base + ((vec >> 5) << 4);
	uint32_t v = lv_lapic_get(l, off);

	v = on ? v | (1u << (vec & 31)) : v & ~(1u << (vec & 31));
	lv_lapic_put(l, off, v);
}

/* Recompute PPR after TPR or ISR changed (lapic.c). */
void lv_lapic_update_ppr(struct lv_lapic *l);

#endif /* LV_CORE_LAPIC_H */
