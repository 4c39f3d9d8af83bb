/* SPDX-License-Identifier: MIT */
/* Architectural reset and flat-mode state templates (SDM Vol. 3, 10.1.1). */
#include <libvcpu/libvcpu.h>

#include "lvlib.h"
#include "x86_arch.h"

static void seg(struct lv_segment *s, uint16_t sel, uint64_t base, uint32_t limit, uint8_t type,
		uint8_t s_bit, uint8_t l, uint8_t db, uint8_t g)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->base = base;
	s->limit = limit;
	s->type = type;
	s->s = s_bit;
	s->present = 1;
	s->l = l;
	s->db = db;
	s->g = g;
}

void lv_state_init_reset(struct lv_state *st)
{
	memset(st, 0, sizeof(*st));
	st->regs.rip = 0xfff0;
	st->regs.rflags = 0x2;
	st->regs.rdx = 0x600; /* processor signature: family 6 */
	seg(&st->segs.cs, 0xf000, 0xffff0000, 0xffff, 0xb, 1, 0, 0, 0);
	seg(&st->segs.ds, 0, 0, 0xffff, 0x3, 1, 0, 0, 0);
	st->segs.es = st->segs.ss = st->segs.fs = st->segs.gs = st->segs.ds;
	seg(&st->segs.tr, 0, 0, 0xffff, 0xb, 0, 0, 0, 0);
	seg(&st->segs.ldt, 0, 0, 0xffff, 0x2, 0, 0, 0, 0);
	st->segs.gdt.limit = 0xffff;
	st->segs.idt.limit = 0xffff;
	st->ctrl.cr0 = CR0_ET | CR0_NW | CR0_CD;
	st->ctrl.xcr0 = 1;
	st->ctrl.apic_base = 0xfee00000ull | (1ull << 11) | (1ull << 8); /* enabled, BSP */
	st->debug.dr6 = 0xffff0ff0;
	st->debug.dr7 = 0x400;
	st->msrs.pat = 0x0007040600070406ull;
	/* FXSAVE image: FCW = 0x37f, MXCSR = 0x1f80. */
	st->fpu.fxsave[0] = 0x7f;
	st->fpu.fxsave[1] = 0x03;
	st->fpu.fxsave[24] = 0x80;
	st->fpu.fxsave[25] = 0x1f;
	st->fpu.xsave_header[0] = 3; /* XSTATE_BV: x87 and SSE as given above */
}

static void flat_common(struct lv_state *st, int long_mode)
{
	seg(&st->segs.cs, 0x08, 0, 0xffffffff, 0xb, 1, (uint8_t)long_mode, (uint8_t)!long_mode, 1);
	seg(&st->segs.ds, 0x10, 0, 0xffffffff, 0x3, 1, 0, 1, 1);
	st->segs.es = st->segs.ss = st->segs.fs = st->segs.gs = st->segs.ds;
	seg(&st->segs.tr, 0x18, 0, 0x67, 0xb, 0, 0, 0, 0);
	memset(&st->segs.ldt, 0, sizeof(st->segs.ldt));
	st->segs.ldt.unusable = 1;
	st->segs.ldt.type = 0x2;
	st->regs.rflags = 0x2;
}

void lv_state_init_protected32(struct lv_state *st)
{
	flat_common(st, 0);
	st->ctrl.cr0 = CR0_PE | CR0_ET | CR0_NE;
	st->ctrl.cr3 = 0;
	st->ctrl.cr4 = 0;
	st->ctrl.efer = 0;
}

void lv_state_init_long64(struct lv_state *st, uint64_t cr3)
{
	flat_common(st, 1);
	st->ctrl.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	st->ctrl.cr3 = cr3;
	st->ctrl.cr4 = CR4_PAE;
	st->ctrl.efer = EFER_LME | EFER_LMA;
}
