/* SPDX-License-Identifier: MIT */
/*
 * Integer instructions beyond the classic ALU, as the emulator meets them
 * with an MMIO operand: BSF/BSR (0F BC, 0F BD), IMUL in its three forms
 * (F6/F7 /5, 0F AF, 69/6B), MUL/DIV/IDIV (F6/F7 /4 /6 /7), SHLD/SHRD
 * (0F A4/A5/AC/AD), XADD (0F C0/C1) and CMOVcc (0F 40-4F). Rules from the SDM Vol. 2 instruction pages.
 * Flags the SDM leaves undefined (BSF/BSR: CF, OF, SF, AF, PF; IMUL: SF,
 * ZF, AF, PF) are left as they were: the unit tests compare only the
 * defined ones with the host CPU.
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

/*
 * rDX:rAX (AX for bytes) / @p d, unsigned, as the 128-bit @p hi:@p lo.
 * @return false when the quotient does not fit 64 bits (or @p d is 0).
 * Restoring division, one quotient bit per step: no 128-bit helper from
 * the compiler's runtime in ring 0.
 */
static bool udiv128(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *q, uint64_t *r)
{
	if (hi >= d)
		return false;
	for (unsigned i = 0; i < 64; i++) {
		uint64_t top = hi >> 63;

		hi = hi << 1 | lo >> 63;
		lo <<= 1;
		if (top || hi >= d) {
			hi -= d;
			lo |= 1;
		}
	}
	*q = lo;
	*r = hi;
	return true;
}

/*
 * MUL, DIV, IDIV (F6/F7 /4, /6, /7; SDM Vol. 2A MUL, DIV, IDIV): rDX:rAX
 * (AX for a byte operand) against the r/m operand. MUL sets CF = OF = (high
 * half != 0). DIV/IDIV raise #DE for a zero divisor or a quotient that
 * does not fit (IDIV: the signed range); the quotient truncates towards
 * zero, the remainder has the dividend's sign. Their flags are undefined
 * and left unchanged, as are MUL's SF, ZF, AF, PF.
 */
static int exec_muldiv(struct lv_x86_emul *em)
{
	const struct lv_x86_insn *in = &em->insn;
	unsigned sz = in->opsize;
	const struct lv_x86_operand acc = { LV_X86_OPND_REG, (uint8_t)(sz == 1 ? 2 : sz), 0, 0 };
	const struct lv_x86_operand rdx = { LV_X86_OPND_REG, (uint8_t)sz, 2, 0 };
	uint64_t m = lv_x86_mask(sz), sign = 1ull << (8 * sz - 1), b, a, hi = 0, lo, q, rem;
	bool nneg = false, dneg = false;
	int r;

	r = lv_x86_emul_opnd_read(em, &in->opnd[0], 0, LV_ACCESS_READ, &b);
	if (!r)
		r = lv_x86_emul_opnd_read(em, &acc, 0, LV_ACCESS_READ, &a);
	if (!r && sz > 1)
		r = lv_x86_emul_opnd_read(em, &rdx, 0, LV_ACCESS_READ, &hi);
	if (r)
		return r;
	if (in->op == LV_X86_OP_MUL) {
		if (sz == 8) {
			mul_u64(a, b, &lo, &hi);
		} else {
			lo = (a & m) * b;
			hi = lo >> (8 * sz) & m;
			lo &= m;
		}
		set_cf_of(em, hi != 0);
	} else {
		/* The dividend as the 128-bit hi:lo, the divisor as b. */
		if (sz == 1) {
			lo = a;
		} else if (sz < 8) {
			lo = hi << (8 * sz) | a;
			hi = 0;
		} else {
			lo = a;
		}
		if (in->op == LV_X86_OP_IDIV) {
			if (sz < 8) {
				int64_t n = (int64_t)lv_x86_sext(lo, 2 * sz);

				nneg = n < 0;
				lo = nneg ? 0 - (uint64_t)n : (uint64_t)n;
			} else if (hi >> 63) {
				nneg = true;
				lo = 0 - lo;
				hi = ~hi + (lo == 0);
			}
			dneg = (b & sign) != 0;
			if (dneg)
				b = (0 - b) & m;
		}
		if (!b || !udiv128(hi, lo, b, &q, &rem))
			return lv_x86_emul_raise(em, LV_X86_VEC_DE, 0);
		if (in->op == LV_X86_OP_DIV ? q > m : q > (nneg != dneg ? sign : sign - 1))
			return lv_x86_emul_raise(em, LV_X86_VEC_DE, 0);
		lo = nneg != dneg ? 0 - q : q;
		hi = nneg ? 0 - rem : rem;
	}
	if (sz == 1) /* AX = product; AL = quotient, AH = remainder */
		return lv_x86_emul_opnd_write(
			em, &acc, 2, 0,
			in->op == LV_X86_OP_MUL ? lo | hi << 8 : (lo & 0xff) | (hi & 0xff) << 8);
	r = lv_x86_emul_opnd_write(em, &acc, sz, 0, lo);
	if (!r)
		r = lv_x86_emul_opnd_write(em, &rdx, sz, 0, hi);
	return r;
}

/*
 * SHLD/SHRD (SDM Vol. 2B): shift the destination by the count (imm8 or CL,
 * masked to 5 bits, 6 with REX.W), filling from the register operand. A
 * zero count changes nothing, not even the flags: the destination is read
 * (and may fault) but not written.
 * CF is the last bit shifted out; SF, ZF, PF follow the result; OF is
 * defined for a count of 1 (sign change) and computed the same way for
 * larger counts; AF is undefined and cleared. A 16-bit count above 16
 * (undefined result) shifts the concatenation dst:src:dst, as Intel CPUs do.
 */
static int exec_shxd(struct lv_x86_emul *em)
{
	const struct lv_x86_insn *in = &em->insn;
	unsigned sz = in->opsize, bits = 8 * sz, c;
	uint64_t m = lv_x86_mask(sz), d, s, cnt, res, cf, f = em->regs.rflags;
	bool left = in->op == LV_X86_OP_SHLD;
	int r;

	if (in->nopnd == 3) {
		cnt = in->imm;
	} else { /* 0F A5/AD: the count is CL, an implicit operand */
		const struct lv_x86_operand cl = { LV_X86_OPND_REG, 1, 1, 0 };

		r = lv_x86_emul_opnd_read(em, &cl, 0, LV_ACCESS_READ, &cnt);
		if (r)
			return r;
	}
	c = (unsigned)cnt & (sz == 8 ? 63 : 31);
	r = lv_x86_emul_opnd_read(em, &in->opnd[0], 0, LV_ACCESS_READ | LV_ACCESS_WRITE, &d);
	if (!r)
		r = lv_x86_emul_opnd_read(em, &in->opnd[1], 0, LV_ACCESS_READ, &s);
	if (r || !c)
		return r;
	if (c > bits) { /* 16-bit only: after 16 positions the source is the destination */
		uint64_t t = d;

		d = s;
		s = t;
		c -= bits;
	}
	if (left) {
		res = c == bits ? s : (d << c | s >> (bits - c)) & m;
		cf = d >> (bits - c) & 1;
	} else {
		res = c == bits ? s : (d >> c | s << (bits - c)) & m;
		cf = d >> (c - 1) & 1;
	}
	lv_x86_alu(LV_X86_OP_OR, sz, res, 0, &f); /* SF ZF PF; CF OF AF cleared */
	if (cf)
		f |= LV_X86_CF;
	if ((res ^ d) >> (bits - 1) & 1)
		f |= LV_X86_OF;
	em->regs.rflags = f;
	return lv_x86_emul_opnd_write(em, &in->opnd[0], sz, 0, res);
}

/* XADD (SDM Vol. 2B): TEMP = SRC + DEST; SRC = DEST; DEST = TEMP, flags as ADD. */
static int exec_xadd(struct lv_x86_emul *em)
{
	const struct lv_x86_insn *in = &em->insn;
	unsigned sz = in->opsize;
	uint64_t d, s, sum;
	int r;

	r = lv_x86_emul_opnd_read(em, &in->opnd[0], 0, LV_ACCESS_READ | LV_ACCESS_WRITE, &d);
	if (!r)
		r = lv_x86_emul_opnd_read(em, &in->opnd[1], 0, LV_ACCESS_READ, &s);
	if (r)
		return r;
	sum = lv_x86_alu(LV_X86_OP_ADD, sz, d, s, &em->regs.rflags);
	r = lv_x86_emul_opnd_write(em, &in->opnd[1], sz, 0, d);
	if (!r)
		r = lv_x86_emul_opnd_write(em, &in->opnd[0], sz, 0, sum);
	return r;
}

/* The condition @p cc (SDM Vol. 1, Appendix B, Table B-1) on RFLAGS @p f. */
static bool cond(unsigned cc, uint64_t f)
{
	bool cf = f & LV_X86_CF, zf = f & LV_X86_ZF, sf = f & LV_X86_SF, of = f & LV_X86_OF;
	bool v;

	switch (cc >> 1) {
	case 0: /* O */
		v = of;
		break;
	case 1: /* B */
		v = cf;
		break;
	case 2: /* E */
		v = zf;
		break;
	case 3: /* BE */
		v = cf || zf;
		break;
	case 4: /* S */
		v = sf;
		break;
	case 5: /* P */
		v = f & LV_X86_PF;
		break;
	case 6: /* L */
		v = sf != of;
		break;
	default: /* LE */
		v = zf || sf != of;
		break;
	}
	return (cc & 1) ? !v : v;
}

/*
 * CMOVcc (SDM Vol. 2A): the source is read whatever the condition (a
 * memory fault is taken either way); with a 32-bit operand the
 * destination is written, and so zero-extended, even when it is false.
 */
static int exec_cmov(struct lv_x86_emul *em)
{
	const struct lv_x86_insn *in = &em->insn;
	uint64_t v, old;
	int r;

	r = lv_x86_emul_opnd_read(em, &in->opnd[1], 0, LV_ACCESS_READ, &v);
	if (!r)
		r = lv_x86_emul_opnd_read(em, &in->opnd[0], 0, LV_ACCESS_READ, &old);
	if (r)
		return r;
	if (!cond(in->opcode & 15, em->regs.rflags))
		v = old;
	return lv_x86_emul_opnd_write(em, &in->opnd[0], in->opsize, 0, v);
}

int lv_x86_emul_arith(struct lv_x86_emul *em)
{
	switch (em->insn.op) {
	case LV_X86_OP_SHLD:
	case LV_X86_OP_SHRD:
		return exec_shxd(em);
	case LV_X86_OP_XADD:
		return exec_xadd(em);
	case LV_X86_OP_MUL:
	case LV_X86_OP_DIV:
	case LV_X86_OP_IDIV:
		return exec_muldiv(em);
	case LV_X86_OP_CMOV:
		return exec_cmov(em);
	case LV_X86_OP_BSF:
	case LV_X86_OP_BSR:
		return exec_bitscan(em);
	case LV_X86_OP_IMUL:
		return exec_imul(em);
	default: /* PUSH/POP r/m, or UNHANDLEABLE */
		return lv_x86_emul_stack(em);
	}
}
