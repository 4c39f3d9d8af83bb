/* SPDX-License-Identifier: MIT */
/*
 * State values no x86 CPU can hold, refused by lv_vcpu_set_state() on every
 * backend before anything is written (libvcpu.h: arguments are validated
 * first; on error nothing has changed). What only the VM-entry checks of a
 * particular CPU reject is left to them (an #LV_EXIT_ENTRY_FAILED exit).
 */
#include "internal.h"
#include "lvlib.h"
#include "x86_arch.h"

/* Canonical for 57-bit linear addresses (and so for 48-bit ones too). */
static bool canonical57(uint64_t a)
{
	uint64_t top = a >> 56;

	return top == 0 || top == 0xff;
}

/* One-bit fields hold 0 or 1; type 4 bits, DPL 2 bits (state.h). */
static bool seg_ok(const struct lv_segment *s)
{
	return s->type <= 15 && s->dpl <= 3 &&
	       (s->s | s->present | s->avl | s->l | s->db | s->g | s->unusable) <= 1;
}

/*
 * CR0 and CR4 bits 63:32 are reserved; CR0.PG needs PE, NW needs CD
 * (SDM Vol. 3, 2.5); EFER.LMA is LME && PG, and long mode needs CR4.PAE
 * (SDM Vol. 3, 10.8.5; APM Vol. 2, 14.6).
 */
static bool ctrl_ok(const struct lv_ctrl *c)
{
	bool long_mode = (c->efer & EFER_LME) && (c->cr0 & CR0_PG);

	if ((c->cr0 >> 32) || (c->cr4 >> 32))
		return false;
	if (((c->cr0 & CR0_PG) && !(c->cr0 & CR0_PE)) || ((c->cr0 & CR0_NW) && !(c->cr0 & CR0_CD)))
		return false;
	if (long_mode != ((c->efer & EFER_LMA) != 0))
		return false;
	return !long_mode || (c->cr4 & CR4_PAE);
}

/*
 * XCR0 values XSETBV accepts on some CPU (SDM Vol. 1, 13.3): x87 (bit 0)
 * always set, AVX (bit 2) only with SSE (bit 1), the three AVX-512
 * components (bits 5-7) all or none and only with AVX, bit 63 reserved.
 * Which components a vCPU really has is its backend's to check.
 */
static bool xcr0_ok(uint64_t x)
{
	const uint64_t avx512 = 7ull << 5;

	if (!(x & XCR0_X87) || (x >> 63) || ((x & XCR0_AVX) && !(x & XCR0_SSE)))
		return false;
	return !(x & avx512) || ((x & avx512) == avx512 && (x & XCR0_AVX));
}

/*
 * The XSAVE header of struct lv_fpu (SDM Vol. 1, 13.4.2, 13.8.1): XSTATE_BV
 * only for the components the struct carries (x87, SSE, AVX), and the
 * standard format: XCOMP_BV and header bytes 16-23 zero (XRSTOR raises
 * #GP otherwise).
 */
static bool xsave_header_ok(const uint8_t *h)
{
	uint64_t bv, comp, rsv;

	memcpy(&bv, h, 8);
	memcpy(&comp, h + 8, 8);
	memcpy(&rsv, h + 16, 8);
	return !(bv & ~(XCR0_X87 | XCR0_SSE | XCR0_AVX)) && !comp && !rsv;
}

int lv_state_check(uint32_t mask, const struct lv_state *st)
{
	const struct lv_segment *const segs[8] = { &st->segs.cs, &st->segs.ds, &st->segs.es,
						   &st->segs.fs, &st->segs.gs, &st->segs.ss,
						   &st->segs.tr, &st->segs.ldt };
	uint32_t mxcsr;
	unsigned i;

	if ((mask & LV_STATE_GPRS) && !canonical57(st->regs.rip))
		return LV_ERR_INVAL;
	if (mask & LV_STATE_SEGMENTS)
		for (i = 0; i < 8; i++)
			if (!seg_ok(segs[i]))
				return LV_ERR_INVAL;
	if ((mask & LV_STATE_CONTROL) && (!ctrl_ok(&st->ctrl) || !xcr0_ok(st->ctrl.xcr0)))
		return LV_ERR_INVAL;
	/* WRMSR of a non-canonical address raises #GP (SDM Vol. 4, table 2-2). */
	if ((mask & LV_STATE_MSRS) &&
	    (!canonical57(st->msrs.lstar) || !canonical57(st->msrs.cstar) ||
	     !canonical57(st->msrs.kernel_gs_base)))
		return LV_ERR_INVAL;
	if ((mask & LV_STATE_MP) && st->mp_state > LV_MP_WAIT_SIPI)
		return LV_ERR_INVAL;
	if (mask & LV_STATE_FPU) {
		memcpy(&mxcsr, st->fpu.fxsave + 24, sizeof(mxcsr));
		if (mxcsr >> 16) /* reserved: FXRSTOR raises #GP (SDM Vol. 1, 10.2.3) */
			return LV_ERR_INVAL;
		if (!xsave_header_ok(st->fpu.xsave_header))
			return LV_ERR_INVAL;
	}
	return LV_OK;
}
