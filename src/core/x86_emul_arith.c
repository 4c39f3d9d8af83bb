/* SPDX-License-Identifier: MIT */
/*
 * Integer instructions beyond the classic ALU, as the emulator meets them
 * with an MMIO source operand: BSF/BSR (0F BC, 0F BD) and IMUL in its
 * three forms (F6/F7 /5, 0F AF, 69/6B). Rules from the SDM Vol. 2A
 * instruction pages (BSF, BSR, IMUL). Flags the SDM leaves undefined (BSF/
 * BSR: CF, OF, SF, AF, PF; IMUL: SF, ZF, AF, PF) are left as they were:
 * the unit tests compare only the defined ones with the host CPU.
 */
#include "x86_alu.h"
#include "x86_emul_int.h"

/* The 128-bit product of @p a and @p b, unsigned (SDM Vol. 2A, MUL). */
static void mul_u64(uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
	uint64_t al = a & 0xffffffffu, ah = a >> 32, bl = b & 0xffffffffu, bh = b >> 32;
	uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);

	*lo = (ll & 0xffffffffu) | (mid << 32);
	*hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

/*
 * Signed product of two @p size-byte operands, split into its low and high
 * halves of @p size bytes each. @return true when the high half is not the
 * sign extension of the low half: IMUL's CF = OF = 1.
 */
static bool imul_wide(unsigned size, uint64_t a, uint64_t b, uint64_t *lo, uint64_t *hi)
{
	uint64_t m = lv_x86_mask(size), sign = 1ull << (8 * size - 1);

	if (size < 8) {
		int64_t p = (int64_t)lv_x86_sext(a, size) * (int64_t)lv_x86_sext(b, size);

		*lo = (uint64_t)p & m;
		*hi = (uint64_t)(p >> (8 * size)) & m;
	} else {
		/* Two's complement: subtract the other operand for each negative one. */
		mul_u64(a, b, lo, hi);
		*hi -= ((a & sign) ? b : 0) + ((b & sign) ? a : 0);
	}
	return *hi != ((*lo & sign) ? m : 0);
}

static void set_cf_of(struct lv_x86_emul *em, bool v)
{
	em->regs.rflags &= ~(uint64_t)(LV_X86_CF | LV_X86_OF);
	if (v)
		em->regs.rflags |= LV_X86_CF | LV_X86_OF;
}

/*
 * IMUL. One operand: rDX:rAX = rAX * r/m (AX = AL * r/m8). Two: reg =
 * reg * r/m. Three: reg = r/m * imm. CF = OF = 1 when the signed result
 * does not fit the destination.
 */
static int exec_imul(struct lv_x86_emul *em)
{
	const struct lv_x86_insn *in = &em->insn;
	const struct lv_x86_operand acc = { LV_X86_OPND_REG, in->opsize, 0, 0 };
	const struct lv_x86_operand rdx = { LV_X86_OPND_REG, in->opsize, 2, 0 };
	unsigned sz = in->opsize;
	uint64_t a, b, lo, hi;
	bool ovf;
	int r;

	if (in->nopnd == 1) {
		r = lv_x86_emul_opnd_read(em, &in->opnd[0], 0, LV_ACCESS_READ, &b);
		if (!r)
			r = lv_x86_emul_opnd_read(em, &acc, 0, LV_ACCESS_READ, &a);
	} else {
		unsigned src1 = in->nopnd == 3 ? 1 : 0;

		r = lv_x86_emul_opnd_read(em, &in->opnd[src1], 0, LV_ACCESS_READ, &a);
		if (!r)
			r = lv_x86_emul_opnd_read(em, &in->opnd[src1 + 1], 0, LV_ACCESS_READ, &b);
	}
	if (r)
		return r;
	ovf = imul_wide(sz, a, b, &lo, &hi);
	set_cf_of(em, ovf);
	if (in->nopnd > 1)
		return lv_x86_emul_opnd_write(em, &in->opnd[0], sz, 0, lo);
	if (sz == 1) /* AX = AL * r/m8 */
		return lv_x86_emul_opnd_write(em, &acc, 2, 0, lo | hi << 8);
	r = lv_x86_emul_opnd_write(em, &acc, sz, 0, lo);
	if (!r)
		r = lv_x86_emul_opnd_write(em, &rdx, sz, 0, hi);
	return r;
}

/*
 * BSF/BSR: the index of the lowest/highest set bit of the source. A zero
 * source sets ZF and leaves the destination register unchanged: the SDM
 * calls it undefined, the APM Vol. 3 (BSF, BSR) documents it unchanged.
 */
static int exec_bitscan(struct lv_x86_emul *em)
{
	const struct lv_x86_insn *in = &em->insn;
	uint64_t v;
	unsigned i;
	int r;

	r = lv_x86_emul_opnd_read(em, &in->opnd[1], 0, LV_ACCESS_READ, &v);
	if (r)
		return r;
	v &= lv_x86_mask(in->opsize);
	if (!v) {
		em->regs.rflags |= LV_X86_ZF;
		return 0;
	}
	em->regs.rflags &= ~(uint64_t)LV_X86_ZF;
	if (in->op == LV_X86_OP_BSF)
		for (i = 0; !(v >> i & 1); i++)
			;
	else
		for (i = 63; !(v >> i & 1); i--)
			;
	return lv_x86_emul_opnd_write(em, &in->opnd[0], in->opsize, 0, i);
}

int lv_x86_emul_arith(struct lv_x86_emul *em)
{
	switch (em->insn.op) {
	case LV_X86_OP_BSF:
	case LV_X86_OP_BSR:
		return exec_bitscan(em);
	case LV_X86_OP_IMUL:
		return exec_imul(em);
	default:
		return LV_X86_EMUL_UNHANDLEABLE;
	}
}
