/* SPDX-License-Identifier: MIT */
/*
 * Integer ALU with exact flags. Flag rules: SDM Vol. 2 (ADD, ADC, SUB, SBB,
 * CMP, AND, OR, XOR, TEST, INC, DEC, NEG, NOT): CF/OF from the unsigned/
 * signed overflow, AF from the carry out of bit 3, PF from the parity of
 * the low byte, ZF/SF from the result. AF after AND/OR/XOR/TEST is
 * undefined in the SDM; the CPUs we test on clear it, and so do we.
 */
#include "x86_alu.h"
#include "x86_decode.h"

#include <stdbool.h>

static uint64_t szp(uint64_t r, unsigned size)
{
	uint64_t f = 0;
	uint8_t p = (uint8_t)r;

	p ^= p >> 4;
	p ^= p >> 2;
	p ^= p >> 1;
	if (!(p & 1))
		f |= LV_X86_PF;
	if (!(r & lv_x86_mask(size)))
		f |= LV_X86_ZF;
	if (r >> (8 * size - 1) & 1)
		f |= LV_X86_SF;
	return f;
}

/* a + b + c with carry out, at the given size. */
static uint64_t add_flags(unsigned size, uint64_t a, uint64_t b, unsigned c, uint64_t *f)
{
	uint64_t m = lv_x86_mask(size), sign = 1ull << (8 * size - 1);
	uint64_t r = (a + b + c) & m;
	bool cf;

	if (size == 8)
		cf = r < a || (c && r == a);
	else
		cf = ((a + b + c) >> (8 * size)) & 1;
	*f = szp(r, size) | (cf ? LV_X86_CF : 0) | ((a ^ b ^ r) & LV_X86_AF) |
	     (((a ^ r) & (b ^ r) & sign) ? LV_X86_OF : 0);
	return r;
}

/* a - b - c with borrow. */
static uint64_t sub_flags(unsigned size, uint64_t a, uint64_t b, unsigned c, uint64_t *f)
{
	uint64_t m = lv_x86_mask(size), sign = 1ull << (8 * size - 1);
	uint64_t r = (a - b - c) & m;
	bool cf = a < b || (c && a == b);

	*f = szp(r, size) | (cf ? LV_X86_CF : 0) | ((a ^ b ^ r) & LV_X86_AF) |
	     (((a ^ b) & (a ^ r) & sign) ? LV_X86_OF : 0);
	return r;
}

uint64_t lv_x86_alu(unsigned op, unsigned size, uint64_t a, uint64_t b, uint64_t *flags)
{
	uint64_t m = lv_x86_mask(size), f = 0, r;
	uint64_t old = *flags;
	unsigned cin = (unsigned)(old & LV_X86_CF);

	a &= m;
	b &= m;
	switch (op) {
	case LV_X86_OP_ADD:
		r = add_flags(size, a, b, 0, &f);
		break;
	case LV_X86_OP_ADC:
		r = add_flags(size, a, b, cin, &f);
		break;
	case LV_X86_OP_SUB:
	case LV_X86_OP_CMP:
	case LV_X86_OP_CMPXCHG:
		r = sub_flags(size, a, b, 0, &f);
		break;
	case LV_X86_OP_SBB:
		r = sub_flags(size, a, b, cin, &f);
		break;
	case LV_X86_OP_AND:
	case LV_X86_OP_TEST:
		r = a & b;
		f = szp(r, size);
		break;
	case LV_X86_OP_OR:
		r = a | b;
		f = szp(r, size);
		break;
	case LV_X86_OP_XOR:
		r = a ^ b;
		f = szp(r, size);
		break;
	case LV_X86_OP_INC: /* CF is not affected */
		r = add_flags(size, a, 1, 0, &f);
		f = (f & ~(uint64_t)LV_X86_CF) | (old & LV_X86_CF);
		break;
	case LV_X86_OP_DEC:
		r = sub_flags(size, a, 1, 0, &f);
		f = (f & ~(uint64_t)LV_X86_CF) | (old & LV_X86_CF);
		break;
	case LV_X86_OP_NEG: /* CF = (source != 0), the rest as 0 - a */
		r = sub_flags(size, 0, a, 0, &f);
		break;
	case LV_X86_OP_NOT: /* no flags */
		*flags = old;
		return ~a & m;
	default:
		return a;
	}
	*flags = (old & ~(uint64_t)LV_X86_ARITH_FLAGS) | f;
	return r;
}
