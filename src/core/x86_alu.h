/* SPDX-License-Identifier: MIT */
/*
 * Integer ALU with exact arithmetic flags, as the SDM Vol. 2 defines them
 * per instruction and Vol. 1, 3.4.3.1 (status flags). Pure functions used
 * by the emulator and checked against the host CPU in the unit tests.
 */
#ifndef LV_CORE_X86_ALU_H
#define LV_CORE_X86_ALU_H

#include <stdint.h>

/* RFLAGS bits (SDM Vol. 1, Figure 3-8). */
#define LV_X86_CF	   0x0001u
#define LV_X86_PF	   0x0004u
#define LV_X86_AF	   0x0010u
#define LV_X86_ZF	   0x0040u
#define LV_X86_SF	   0x0080u
#define LV_X86_DF	   0x0400u
#define LV_X86_OF	   0x0800u
#define LV_X86_ARITH_FLAGS (LV_X86_CF | LV_X86_PF | LV_X86_AF | LV_X86_ZF | LV_X86_SF | LV_X86_OF)

/** All-ones mask of an operand of @p size bytes (1, 2, 4, 8). */
static inline uint64_t lv_x86_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/** @p v of @p size bytes (1, 2, 4, 8) sign-extended to 64 bits. */
static inline uint64_t lv_x86_sext(uint64_t v, unsigned size)
{
	unsigned sh = 64 - 8 * size;

	return (uint64_t)((int64_t)(v << sh) >> sh);
}

/**
 * Compute @p op (an lv_x86_op among ADD..NOT and CMPXCHG's compare) on
 * @p a (destination) and @p b (source) of @p size bytes. @p flags is the
 * RFLAGS value before (CF input for ADC/SBB, kept bits for INC/DEC); the
 * new RFLAGS is returned in @p flags. Returns the result (for CMP/TEST
 * the value that is not written).
 */
uint64_t lv_x86_alu(unsigned op, unsigned size, uint64_t a, uint64_t b, uint64_t *flags);

#endif /* LV_CORE_X86_ALU_H */
