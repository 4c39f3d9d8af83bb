/* SPDX-License-Identifier: MIT */
/*
 * Local APIC model, part 1 (see lapic.h): reset/INIT, the register file with
 * its read/write masks (xAPIC MMIO and x2APIC MSRs), IA32_APIC_BASE, the
 * priorities (TPR/PPR), acknowledge and EOI, and the LV_STATE_APIC image.
 */
#include "lapic.h"

#include <libvcpu/status.h>

#include "lvlib.h"
#include "x86_arch.h"

_Static_assert(sizeof(((struct lv_apic *)0)->regs) == 1024, "the xAPIC page image is 1 KiB");

/* ICR low (Figure 11-12): vector, delivery mode, destination mode, level,
 * trigger mode and shorthand. Delivery status (12) always reads 0 here:
 * the model hands the IPI to the caller at once. Bit 13 is reserved. */
#define ICR_LO_WMASK 0x000ccfffu

/* ---- reset / INIT (SDM Vol. 3, 11.4.7.1 and 11.4.7.3) ---- */

static void regs_reset(struct lv_lapic *l)
{
	unsigned off;

	memset(&l->page, 0, sizeof(l->page));
	lv_lapic_put(l, LV_APIC_VER, LV_APIC_VERSION_VALUE);
	/* DFR = all 1s (flat model), SVR = 0xFF (software-disabled), LVTs masked. */
	lv_lapic_put(l, LV_APIC_DFR, 0xffffffffu);
	lv_lapic_put(l, LV_APIC_SVR, 0xffu);
	for (off = LV_APIC_LVTT; off <= LV_APIC_LVTERR; off += 16)
		lv_lapic_put(l, off, LV_APIC_LVT_MASKED);
	l->esr_pending = 0;
	l->tsc_deadline = 0;
	lv_lapic_timer_stop(l);
}

/* x2APIC logical ID: cluster = ID[31:4] in 31:16, 1 << ID[3:0] (SDM Vol. 3, 11.12.10.2). */
static uint32_t x2apic_ldr(uint32_t id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xfu));
}

static void enter_x2apic(struct lv_lapic *l)
{
	/* SDM Vol. 3, 11.12.5.1: the x2APIC ID is the initial APIC ID and the
	 * logical x2APIC ID (LDR) is derived from it. Other registers keep their
	 * values (architecturally undefined); ICR high is cleared since its
	 * xAPIC format means nothing in x2APIC mode. DFR is unreachable and
	 * keeps its all-1s value, as in KVM's register image. */
	lv_lapic_put(l, LV_APIC_ID, l->initial_id);
	lv_lapic_put(l, LV_APIC_LDR, x2apic_ldr(l->initial_id));
	lv_lapic_put(l, LV_APIC_ICR2, 0);
}

void lv_lapic_reset(struct lv_lapic *l, uint32_t initial_id, bool bsp, bool x2apic_ok,
		    unsigned maxphyaddr)
{
	memset(l, 0, sizeof(*l));
	l->initial_id = initial_id;
	l->x2apic_ok = x2apic_ok;
	/* Bits 7:0 and 9 are reserved, and the base above MAXPHYADDR. */
	l->base_rsvd = 0x2ffull;
	if (maxphyaddr < 64)
		l->base_rsvd |= ~((1ull << maxphyaddr) - 1);
	l->apic_base = LV_APIC_BASE_DEFAULT | LV_APIC_BASE_EN | (bsp ? LV_APIC_BASE_BSP : 0);
	regs_reset(l);
	lv_lapic_put(l, LV_APIC_ID, initial_id << 24);
	l->mp_state = LV_MP_RUNNABLE;
}

void lv_lapic_init_signal(struct lv_lapic *l)
{
	uint32_t id = lv_lapic_get(l, LV_APIC_ID);
	uint32_t ldr = lv_lapic_get(l, LV_APIC_LDR);
	bool x2 = lv_lapic_x2apic_mode(l);

	regs_reset(l);
	lv_lapic_put(l, LV_APIC_ID, id);
	if (x2) {
		/* 11.12.5.1: INIT keeps x2APIC mode and the 32-bit ID; the
		 * read-only LDR is derived from that ID and stays (as on KVM). */
		lv_lapic_put(l, LV_APIC_LDR, ldr);
	}
	/* An AP enters the wait-for-SIPI state (SDM Vol. 3, 11.4.7.3 and
	 * 9.4.2); the BSP (IA32_APIC_BASE.BSP) restarts at the reset vector,
	 * as on KVM. */
	l->mp_state = (l->apic_base & LV_APIC_BASE_BSP) ? LV_MP_RUNNABLE : LV_MP_WAIT_SIPI;
}

/* ---- modes ---- */

bool lv_lapic_hw_enabled(const struct lv_lapic *l)
{
	return (l->apic_base & LV_APIC_BASE_EN) != 0;
}

bool lv_lapic_sw_enabled(const struct lv_lapic *l)
{
	return (lv_lapic_get(l, LV_APIC_SVR) & LV_APIC_SVR_ENABLE) != 0;
}

bool lv_lapic_x2apic_mode(const struct lv_lapic *l)
{
	return (l->apic_base & (LV_APIC_BASE_EN | LV_APIC_BASE_EXTD)) ==
	       (LV_APIC_BASE_EN | LV_APIC_BASE_EXTD);
}

uint32_t lv_lapic_id(const struct lv_lapic *l)
{
	uint32_t id = lv_lapic_get(l, LV_APIC_ID);

	return lv_lapic_x2apic_mode(l) ? id : id >> 24;
}

uint32_t lv_lapic_reg(const struct lv_lapic *l, unsigned off)
{
	return lv_lapic_get(l, off);
}

uint8_t lv_lapic_spurious_vector(const struct lv_lapic *l)
{
	return (uint8_t)lv_lapic_get(l, LV_APIC_SVR);
}

/* ---- priorities (SDM Vol. 3, 11.8.3.1) ---- */

/* Highest set bit of the 256-bit register at @base, or -1. */
static int highest_vec(const struct lv_lapic *l, unsigned base)
{
	int w;

	for (w = 7; w >= 0; w--) {
		uint32_t v = lv_lapic_get(l, base + (unsigned)w * 16);

		if (v)
			return w * 32 + 31 - __builtin_clz(v);
	}
	return -1;
}

void lv_lapic_update_ppr(struct lv_lapic *l)
{
	uint32_t tpr = lv_lapic_get(l, LV_APIC_TPR) & 0xffu;
	int isrv = highest_vec(l, LV_APIC_ISR);
	uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0u;

	/* PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4] << 4. */
	lv_lapic_put(l, LV_APIC_PPR, (tpr & 0xf0u) >= isr_class ? tpr : isr_class);
}

uint32_t lv_lapic_ppr(const struct lv_lapic *l)
{
	return lv_lapic_get(l, LV_APIC_PPR);
}

int lv_lapic_pending(const struct lv_lapic *l)
{
	int irrv;

	if (!lv_lapic_hw_enabled(l))
		return -1;
	irrv = highest_vec(l, LV_APIC_IRR);
	/* 11.8.3.1: deliverable only if its class is above PPR's class. */
	if (irrv < 0 || ((uint32_t)irrv & 0xf0u) <= (lv_lapic_ppr(l) & 0xf0u))
		return -1;
	return irrv;
}

int lv_lapic_ack(struct lv_lapic *l)
{
	int v = lv_lapic_pending(l);

	if (v < 0)
		return -1;
	lv_lapic_set_vec(l, LV_APIC_IRR, (unsigned)v, false);
	lv_lapic_set_vec(l, LV_APIC_ISR, (unsigned)v, true);
	lv_lapic_update_ppr(l);
	return v;
}

int lv_lapic_eoi(struct lv_lapic *l, struct lv_lapic_fx *fx)
{
	int v = highest_vec(l, LV_APIC_ISR);

	if (v < 0)
		return -1;
	lv_lapic_set_vec(l, LV_APIC_ISR, (unsigned)v, false);
	lv_lapic_update_ppr(l);
	fx->flags |= LV_LAPIC_FX_IRQ;
	/* 11.8.5: a level-triggered vector (TMR set) is broadcast to the IOAPICs. */
	if (lv_lapic_test_vec(l, LV_APIC_TMR, (unsigned)v)) {
		fx->flags |= LV_LAPIC_FX_EOI_BCAST;
		fx->eoi_vector = (uint8_t)v;
	}
	return v;
}

uint64_t lv_lapic_get_cr8(const struct lv_lapic *l)
{
	return (lv_lapic_get(l, LV_APIC_TPR) >> 4) & 0xfu;
}

void lv_lapic_set_cr8(struct lv_lapic *l, uint64_t cr8)
{
	lv_lapic_put(l, LV_APIC_TPR, (uint32_t)(cr8 & 0xfu) << 4);
	lv_lapic_update_ppr(l);
}

uint32_t lv_lapic_tpr_watch(const struct lv_lapic *l)
{
	int irrv = lv_lapic_hw_enabled(l) ? highest_vec(l, LV_APIC_IRR) : -1;
	int isrv = highest_vec(l, LV_APIC_ISR);
	uint32_t cls;

	if (irrv < 0)
		return 0;
	cls = ((uint32_t)irrv >> 4) & 0xfu;
	/*
	 * 11.8.3.1: deliverable once IRRV[7:4] > PPR[7:4], PPR[7:4] being the
	 * larger of TPR[7:4] and ISRV[7:4]. Only the TPR stands in the way
	 * when the vector's class is above ISRV's but not above TPR's.
	 */
	if (isrv >= 0 && cls <= (((uint32_t)isrv >> 4) & 0xfu))
		return 0;
	if (cls <= lv_lapic_get_cr8(l))
		return cls;
	return 0;
}

/* ---- register file ---- */

/* Writable bits of each LVT entry (SDM Vol. 3, Figure 11-8). */
static uint32_t lvt_wmask(unsigned off)
{
	switch (off) {
	case LV_APIC_LVTT:
		return 0xffu | LV_APIC_LVT_MASKED | LV_APIC_TIMER_MODE_MASK;
	case LV_APIC_LVTTHMR:
	case LV_APIC_LVTPC:
		return 0xffu | LV_APIC_DM_MASK | LV_APIC_LVT_MASKED;
	case LV_APIC_LVT0:
	case LV_APIC_LVT1:
		return 0xffu | LV_APIC_DM_MASK | LV_APIC_POLARITY | LV_APIC_TRIGGER_LEVEL |
		       LV_APIC_LVT_MASKED;
	default: /* LVT error */
		return 0xffu | LV_APIC_LVT_MASKED;
	}
}

/* Read-only bits of an LVT entry: delivery status, and remote IRR of LINT0/1. */
static uint32_t lvt_romask(unsigned off)
{
	if (off == LV_APIC_LVT0 || off == LV_APIC_LVT1)
		return LV_APIC_DELIV_STATUS | LV_APIC_REMOTE_IRR;
	return LV_APIC_DELIV_STATUS;
}

static bool is_lvt(unsigned off)
{
	return off >= LV_APIC_LVTT && off <= LV_APIC_LVTERR;
}

static void send_icr(struct lv_lapic *l, uint64_t icr, struct lv_lapic_fx *fx)
{
	if (lv_lapic_icr_decode(l, icr, &fx->msg, fx))
		fx->flags |= LV_LAPIC_FX_IPI;
}

/* A register write with the mode's checks already done. */
static void reg_write(struct lv_lapic *l, unsigned off, uint32_t val, uint64_t now_ns,
		      struct lv_lapic_fx *fx)
{
	bool x2 = lv_lapic_x2apic_mode(l);

	if (is_lvt(off)) {
		val &= lvt_wmask(off);
		val |= lv_lapic_get(l, off) & lvt_romask(off) & ~LV_APIC_DELIV_STATUS;
		/* 11.4.7.2: while software-disabled the mask bits cannot be cleared. */
		if (!lv_lapic_sw_enabled(l))
			val |= LV_APIC_LVT_MASKED;
		if (off == LV_APIC_LVTT)
			lv_lapic_timer_write(l, off, val, now_ns, fx);
		else
			lv_lapic_put(l, off, val);
		return;
	}
	switch (off) {
	case LV_APIC_ID:
		/* Writable in xAPIC mode (bits 31:24), read-only in x2APIC mode. */
		if (!x2)
			lv_lapic_put(l, off, val & 0xff000000u);
		break;
	case LV_APIC_TPR:
		lv_lapic_put(l, off, val & 0xffu);
		lv_lapic_update_ppr(l);
		fx->flags |= LV_LAPIC_FX_IRQ;
		break;
	case LV_APIC_EOI:
		lv_lapic_eoi(l, fx);
		break;
	case LV_APIC_LDR:
		if (!x2)
			lv_lapic_put(l, off, val & 0xff000000u);
		break;
	case LV_APIC_DFR:
		/* Bits 27:0 are reserved and read as 1s (Figure 11-14). */
		if (!x2)
			lv_lapic_put(l, off, val | 0x0fffffffu);
		break;
	case LV_APIC_SVR: {
		unsigned o;

		/* Vector, APIC enable (8), focus checking (9); no EOI-broadcast
		 * suppression (bit 12) since the version does not offer it. */
		lv_lapic_put(l, off, val & 0x3ffu);
		if (!(val & LV_APIC_SVR_ENABLE))
			for (o = LV_APIC_LVTT; o <= LV_APIC_LVTERR; o += 16)
				lv_lapic_put(l, o, lv_lapic_get(l, o) | LV_APIC_LVT_MASKED);
		fx->flags |= LV_LAPIC_FX_IRQ;
		break;
	}
	case LV_APIC_ESR:
		/* 11.5.3: a write latches the errors seen since the last write. */
		lv_lapic_put(l, off, l->esr_pending);
		l->esr_pending = 0;
		break;
	case LV_APIC_ICR:
		lv_lapic_put(l, off, val & ICR_LO_WMASK);
		if (!x2)
			send_icr(l, ((uint64_t)lv_lapic_get(l, LV_APIC_ICR2) << 32) | val, fx);
		break;
	case LV_APIC_ICR2:
		if (!x2)
			lv_lapic_put(l, off, val & 0xff000000u);
		break;
	case LV_APIC_TMICT:
	case LV_APIC_TDCR:
		lv_lapic_timer_write(l, off, val, now_ns, fx);
		break;
	default:
		/* Read-only and reserved registers: the write is dropped. */
		break;
	}
}

uint32_t lv_lapic_mmio_read(const struct lv_lapic *l, unsigned off, unsigned len, uint64_t now_ns)
{
	unsigned reg = off & 0xff0u, byte = off & 0xfu;
	uint32_t v;

	if (!lv_lapic_hw_enabled(l) || lv_lapic_x2apic_mode(l))
		return len >= 4 ? 0xffffffffu : (1u << (len * 8)) - 1; /* not decoded (lapic.h) */
	if (reg >= 0x400u)
		return 0;
	if (byte + len > 4 || (len != 1 && len != 2 && len != 4))
		return 0;
	if (reg == LV_APIC_TMCCT)
		v = lv_lapic_timer_current(l, now_ns);
	else if (reg == LV_APIC_SELF_IPI || reg == LV_APIC_EOI || reg == LV_APIC_APR)
		v = 0; /* write-only / APR reads 0 as on KVM */
	else
		v = lv_lapic_get(l, reg);
	v >>= byte * 8;
	return len == 4 ? v : v & ((1u << (len * 8)) - 1);
}

void lv_lapic_mmio_write(struct lv_lapic *l, unsigned off, unsigned len, uint32_t val,
			 uint64_t now_ns, struct lv_lapic_fx *fx)
{
	if (!lv_lapic_hw_enabled(l) || lv_lapic_x2apic_mode(l))
		return;
	if (len != 4 || (off & 0xfu) || off >= 0x400u || off == LV_APIC_SELF_IPI)
		return;
	reg_write(l, off, val, now_ns, fx);
}

/* ---- x2APIC MSRs (SDM Vol. 3, 11.12.1.2, Table 11-6; 11.12.1.3) ---- */

/* Bits a WRMSR may set without #GP (0 = the MSR is not writable). */
static uint32_t x2_wmask(unsigned off)
{
	if (is_lvt(off))
		return lvt_wmask(off) | lvt_romask(off);
	switch (off) {
	case LV_APIC_TPR:
		return 0xffu;
	case LV_APIC_SVR:
		return 0x3ffu;
	case LV_APIC_TMICT:
		return 0xffffffffu;
	case LV_APIC_TDCR:
		return 0xbu;
	case LV_APIC_EOI:
	case LV_APIC_ESR:
		return 0; /* only the value 0 is accepted */
	default:
		return 0;
	}
}

static bool x2_readable(unsigned off)
{
	if (off >= LV_APIC_ISR && off < LV_APIC_ESR)
		return true;
	if (is_lvt(off))
		return true;
	switch (off) {
	case LV_APIC_ID:
	case LV_APIC_VER:
	case LV_APIC_TPR:
	case LV_APIC_PPR:
	case LV_APIC_LDR:
	case LV_APIC_SVR:
	case LV_APIC_ESR:
	case LV_APIC_ICR:
	case LV_APIC_TMICT:
	case LV_APIC_TMCCT:
	case LV_APIC_TDCR:
		return true;
	default:
		return false; /* APR, EOI, RRD, DFR, ICR2, CMCI, SELF IPI, reserved */
	}
}

int lv_lapic_msr_read(struct lv_lapic *l, uint32_t msr, uint64_t now_ns, uint64_t *val)
{
	unsigned off;

	if (msr == MSR_APIC_BASE) {
		*val = l->apic_base;
		return LV_LAPIC_OK;
	}
	if (msr == MSR_TSC_DEADLINE) {
		/* 11.5.4.1: reads 0 outside TSC-deadline mode. */
		uint32_t mode = (lv_lapic_get(l, LV_APIC_LVTT) >> 17) & 3u;

		*val = (lv_lapic_hw_enabled(l) && mode == LV_APIC_TIMER_TSCDL) ? l->tsc_deadline
									       : 0;
		return LV_LAPIC_OK;
	}
	if (msr < LV_MSR_X2APIC_FIRST || msr > LV_MSR_X2APIC_LAST || !lv_lapic_x2apic_mode(l))
		return LV_LAPIC_GP;
	off = (msr - LV_MSR_X2APIC_FIRST) << 4;
	if (!x2_readable(off))
		return LV_LAPIC_GP;
	if (off == LV_APIC_ICR)
		*val = ((uint64_t)lv_lapic_get(l, LV_APIC_ICR2) << 32) | lv_lapic_get(l, off);
	else if (off == LV_APIC_TMCCT)
		*val = lv_lapic_timer_current(l, now_ns);
	else
		*val = lv_lapic_get(l, off);
	return LV_LAPIC_OK;
}

static int x2_write(struct lv_lapic *l, unsigned off, uint64_t val, uint64_t now_ns,
		    struct lv_lapic_fx *fx)
{
	if (off == LV_APIC_ICR) {
		/* One 64-bit register: destination in 63:32; reserved bits 13, 16,
		 * 17 and 31:20 of the low half fault. Bit 12 (delivery status in
		 * xAPIC mode) is ignored, as Intel CPUs and KVM do. */
		if (val & 0xfff32000ull)
			return LV_LAPIC_GP;
		lv_lapic_put(l, LV_APIC_ICR, (uint32_t)val & ICR_LO_WMASK);
		lv_lapic_put(l, LV_APIC_ICR2, (uint32_t)(val >> 32));
		send_icr(l, val, fx);
		return LV_LAPIC_OK;
	}
	if (off == LV_APIC_SELF_IPI) {
		/* 11.12.11: a fixed, edge IPI to self; bits 31:8 reserved. */
		uint64_t icr = (val & 0xffu) |
			       ((uint64_t)LV_APIC_SH_SELF << LV_APIC_SHORTHAND_SHIFT);

		if (val >> 8)
			return LV_LAPIC_GP;
		send_icr(l, icr, fx);
		return LV_LAPIC_OK;
	}
	if (val >> 32)
		return LV_LAPIC_GP;
	if (off == LV_APIC_EOI || off == LV_APIC_ESR) {
		if (val) /* 11.12.1.3: a non-zero write faults */
			return LV_LAPIC_GP;
	} else if (!x2_wmask(off) || (val & ~(uint64_t)x2_wmask(off))) {
		return LV_LAPIC_GP; /* read-only, not present, or reserved bits */
	}
	reg_write(l, off, (uint32_t)val, now_ns, fx);
	return LV_LAPIC_OK;
}

int lv_lapic_msr_write(struct lv_lapic *l, uint32_t msr, uint64_t val, uint64_t now_ns,
		       uint64_t now_tsc, struct lv_lapic_fx *fx)
{
	if (msr == MSR_APIC_BASE)
		return lv_lapic_set_base(l, val, false, fx);
	if (msr == MSR_TSC_DEADLINE) {
		uint32_t mode = (lv_lapic_get(l, LV_APIC_LVTT) >> 17) & 3u;

		/* 11.5.4.1: writes outside TSC-deadline mode are ignored; 0 disarms. */
		if (!lv_lapic_hw_enabled(l) || mode != LV_APIC_TIMER_TSCDL)
			return LV_LAPIC_OK;
		l->tsc_deadline = val;
		fx->flags |= LV_LAPIC_FX_TIMER;
		lv_lapic_timer_poll(l, now_ns, now_tsc, fx);
		return LV_LAPIC_OK;
	}
	if (msr < LV_MSR_X2APIC_FIRST || msr > LV_MSR_X2APIC_LAST || !lv_lapic_x2apic_mode(l))
		return LV_LAPIC_GP;
	return x2_write(l, (msr - LV_MSR_X2APIC_FIRST) << 4, val, now_ns, fx);
}

/* ---- IA32_APIC_BASE (SDM Vol. 3, 11.4.4 and 11.12.5) ---- */

enum { APIC_OFF, APIC_XAPIC, APIC_X2APIC, APIC_INVALID };

static int base_mode(uint64_t v)
{
	bool en = (v & LV_APIC_BASE_EN) != 0, extd = (v & LV_APIC_BASE_EXTD) != 0;

	if (!en)
		return extd ? APIC_INVALID : APIC_OFF;
	return extd ? APIC_X2APIC : APIC_XAPIC;
}

int lv_lapic_set_base(struct lv_lapic *l, uint64_t val, bool host, struct lv_lapic_fx *fx)
{
	uint64_t rsvd = l->base_rsvd | (l->x2apic_ok ? 0 : LV_APIC_BASE_EXTD);
	int from = base_mode(l->apic_base), to = base_mode(val);

	if (val & rsvd)
		return LV_LAPIC_GP;
	/* Figure 11-27: EN=0/EXTD=1 is invalid; x2APIC -> xAPIC must go through
	 * disabled; disabled -> x2APIC must go through xAPIC (a host restore may
	 * jump straight there). */
	if (to == APIC_INVALID || (from == APIC_X2APIC && to == APIC_XAPIC) ||
	    (from == APIC_OFF && to == APIC_X2APIC && !host))
		return LV_LAPIC_GP;
	if (to == APIC_OFF && from != APIC_OFF) {
		/* 11.4.3: globally disabled; the state is reset on re-enable. */
		lv_lapic_timer_stop(l);
		l->tsc_deadline = 0;
	}
	l->apic_base = val;
	if (from == APIC_OFF && to != APIC_OFF) {
		regs_reset(l);
		lv_lapic_put(l, LV_APIC_ID, l->initial_id << 24);
	}
	if (to == APIC_X2APIC && from != APIC_X2APIC)
		enter_x2apic(l);
	lv_lapic_update_ppr(l);
	fx->flags |= LV_LAPIC_FX_IRQ | LV_LAPIC_FX_TIMER;
	return LV_LAPIC_OK;
}

/* ---- LV_STATE_APIC ---- */

void lv_lapic_get_state(const struct lv_lapic *l, struct lv_apic *out, uint64_t now_ns)
{
	uint32_t cur = lv_lapic_timer_current(l, now_ns);

	memcpy(out->regs, l->page.regs, sizeof(out->regs));
	memcpy(&out->regs[LV_APIC_TMCCT], &cur, 4);
	out->tsc_deadline = ((lv_lapic_get(l, LV_APIC_LVTT) >> 17) & 3u) == LV_APIC_TIMER_TSCDL
				    ? l->tsc_deadline
				    : 0;
}

/* The bits of register @off that a state image may carry. */
static uint32_t state_mask(unsigned off, bool x2)
{
	if (is_lvt(off))
		return lvt_wmask(off) | lvt_romask(off);
	if (off >= LV_APIC_ISR && off < LV_APIC_ESR)
		return 0xffffffffu; /* ISR, TMR, IRR */
	switch (off) {
	case LV_APIC_ID:
	case LV_APIC_ICR2:
		return x2 ? 0xffffffffu : 0xff000000u;
	case LV_APIC_LDR:
		return 0xff000000u;
	case LV_APIC_DFR:
		return 0xf0000000u; /* 27:0 are set below */
	case LV_APIC_TPR:
	case LV_APIC_ESR:
		return 0xffu;
	case LV_APIC_SVR:
		return 0x3ffu;
	case LV_APIC_ICR:
		return ICR_LO_WMASK;
	case LV_APIC_TMICT:
	case LV_APIC_TMCCT:
		return 0xffffffffu;
	case LV_APIC_TDCR:
		return 0xbu;
	default:
		return 0; /* version, APR, PPR, EOI, RRD, CMCI, SELF IPI, reserved */
	}
}

int lv_lapic_set_state(struct lv_lapic *l, const struct lv_apic *in, uint64_t now_ns)
{
	uint32_t id, cur, lvtt, v;
	unsigned off;

	memcpy(&id, &in->regs[LV_APIC_ID], 4);
	/* In x2APIC mode the ID is the initial x2APIC ID (it is read-only). */
	if (lv_lapic_x2apic_mode(l) && id != l->initial_id)
		return LV_ERR_INVAL;
	/* Only the defined bits of the defined registers are taken; bytes 4-15
	 * of each slot, reserved slots and reserved bits become 0. Derived and
	 * read-only registers are the model's, not the image's. */
	for (off = 0; off < sizeof(l->page.regs); off += 16) {
		memcpy(&v, &in->regs[off], 4);
		memset(&l->page.regs[off], 0, 16);
		lv_lapic_put(l, off, v & state_mask(off, lv_lapic_x2apic_mode(l)));
	}
	lv_lapic_put(l, LV_APIC_VER, LV_APIC_VERSION_VALUE);
	if (lv_lapic_x2apic_mode(l)) {
		lv_lapic_put(l, LV_APIC_LDR, x2apic_ldr(id));
	}
	lv_lapic_put(l, LV_APIC_DFR, lv_lapic_get(l, LV_APIC_DFR) | 0x0fffffffu);
	lv_lapic_update_ppr(l);
	/* Resume the timer from the saved current count, as KVM_SET_LAPIC. */
	cur = lv_lapic_get(l, LV_APIC_TMCCT);
	lv_lapic_put(l, LV_APIC_TMCCT, 0);
	lvtt = lv_lapic_get(l, LV_APIC_LVTT);
	lv_lapic_timer_stop(l);
	if (((lvtt >> 17) & 3u) != LV_APIC_TIMER_TSCDL && cur) {
		uint64_t div = lv_lapic_timer_divisor(l);

		l->timer_armed = true;
		l->timer_due = now_ns + (uint64_t)cur * div;
		if (((lvtt >> 17) & 3u) == LV_APIC_TIMER_PERIODIC)
			l->timer_period = (uint64_t)lv_lapic_get(l, LV_APIC_TMICT) * div;
	}
	/* IA32_TSC_DEADLINE after the registers, as KVM_SET_MSRS after KVM_SET_LAPIC. */
	l->tsc_deadline = ((lvtt >> 17) & 3u) == LV_APIC_TIMER_TSCDL ? in->tsc_deadline : 0;
	return LV_OK;
}
