/* SPDX-License-Identifier: MIT */
/* x86 decoder: encodings from the SDM Vol. 2, chapter 2 (the Zydis differential covers breadth). */
#include <criterion/criterion.h>

#include "core/x86_decode.h"

static struct lv_x86_insn in;

static int dec(const char *b, size_t n, enum lv_x86_mode m)
{
	return lv_x86_decode((const uint8_t *)b, n, m, &in);
}

Test(x86_decode, sib_rex_and_disp)
{
	/* mov [r12 + r13*4 + 0x12345678], r9 */
	cr_assert_eq(dec("\x4f\x89\x8c\xac\x78\x56\x34\x12", 8, LV_X86_MODE_64), LV_X86_DEC_OK);
	cr_assert_eq(in.len, 8);
	cr_assert_eq(in.op, LV_X86_OP_MOV);
	cr_assert_eq(in.opsize, 8);
	cr_assert_eq(in.mem.base, 12);
	cr_assert_eq(in.mem.index, 13);
	cr_assert_eq(in.mem.scale, 4);
	cr_assert_eq(in.mem.disp, 0x12345678);
	cr_assert_eq(in.opnd[1].kind, LV_X86_OPND_REG);
	cr_assert_eq(in.opnd[1].reg, 9);
	/* [rbp + disp8] defaults to SS; negative displacement sign-extends */
	cr_assert_eq(dec("\x8b\x45\xf8", 3, LV_X86_MODE_64), LV_X86_DEC_OK);
	cr_assert_eq(in.mem.seg, LV_X86_SEG_SS);
	cr_assert_eq(in.mem.disp, -8);
	/* RIP-relative */
	cr_assert_eq(dec("\x8b\x05\x10\x00\x00\x00", 6, LV_X86_MODE_64), LV_X86_DEC_OK);
	cr_assert_eq(in.mem.base, LV_X86_REG_RIP);
	/* in 32-bit mode the same bytes are an absolute disp32 */
	cr_assert_eq(dec("\x8b\x05\x10\x00\x00\x00", 6, LV_X86_MODE_32), LV_X86_DEC_OK);
	cr_assert_eq(in.mem.base, LV_X86_REG_NONE);
}

Test(x86_decode, prefixes)
{
	/* REX followed by a legacy prefix is ignored: 48 66 89 08 is a 16-bit mov */
	cr_assert_eq(dec("\x48\x66\x89\x08", 4, LV_X86_MODE_64), LV_X86_DEC_OK);
	cr_assert_eq(in.opsize, 2);
	cr_assert_eq(in.rex, 0);
	/* 64-bit mode ignores CS/DS/ES/SS overrides but honours FS/GS */
	cr_assert_eq(dec("\x64\x2e\x89\x08", 4, LV_X86_MODE_64), LV_X86_DEC_OK);
	cr_assert_eq(in.mem.seg, LV_X86_SEG_FS);
	cr_assert_eq(dec("\x2e\x89\x08", 3, LV_X86_MODE_32), LV_X86_DEC_OK);
	cr_assert_eq(in.mem.seg, LV_X86_SEG_CS);
	/* 67 in 64-bit mode: 32-bit addressing */
	cr_assert_eq(dec("\x67\x89\x08", 3, LV_X86_MODE_64), LV_X86_DEC_OK);
	cr_assert_eq(in.addrsize, 4);
	/* rep is kept only for string instructions */
	cr_assert_eq(dec("\xf3\x89\x08", 3, LV_X86_MODE_64), LV_X86_DEC_OK);
	cr_assert_eq(in.rep, LV_X86_REP_NONE);
	cr_assert_eq(dec("\xf2\xa4", 2, LV_X86_MODE_64), LV_X86_DEC_OK);
	cr_assert_eq(in.rep, LV_X86_REP_NE);
	cr_assert_eq(in.op, LV_X86_OP_MOVS);
	/* lock: only lockable forms with a memory destination */
	cr_assert_eq(dec("\xf0\x01\x08", 3, LV_X86_MODE_64), LV_X86_DEC_OK);
	cr_assert_eq(in.lock, 1);
	cr_assert_eq(dec("\xf0\x39\x08", 3, LV_X86_MODE_64), LV_X86_DEC_INVALID);     /* cmp */
	cr_assert_eq(dec("\xf0\x0f\xa3\x08", 4, LV_X86_MODE_64), LV_X86_DEC_INVALID); /* bt */
}

Test(x86_decode, mode16_and_moffs)
{
	cr_assert_eq(dec("\x89\x42\x10", 3, LV_X86_MODE_16), LV_X86_DEC_OK); /* [bp+si+0x10] */
	cr_assert_eq(in.mem.base, 5);
	cr_assert_eq(in.mem.index, 6);
	cr_assert_eq(in.mem.seg, LV_X86_SEG_SS);
	cr_assert_eq(in.opsize, 2);
	cr_assert_eq(dec("\x89\x06\x34\x12", 4, LV_X86_MODE_16), LV_X86_DEC_OK); /* [0x1234] */
	cr_assert_eq(in.mem.base, LV_X86_REG_NONE);
	cr_assert_eq(in.mem.disp, 0x1234);
	cr_assert_eq(in.mem.seg, LV_X86_SEG_DS);
	cr_assert_eq(dec("\xa3\x00\x10", 3, LV_X86_MODE_16), LV_X86_DEC_OK);
	cr_assert_eq(in.len, 3);
	cr_assert_eq(dec("\x48\xa1\x88\x77\x66\x55\x44\x33\x22\x11", 10, LV_X86_MODE_64),
		     LV_X86_DEC_OK);
	cr_assert_eq((uint64_t)in.mem.disp, 0x1122334455667788ull);
	cr_assert_eq(in.opsize, 8);
}

Test(x86_decode, immediates_and_groups)
{
	cr_assert_eq(dec("\x48\x81\x08\xff\xff\xff\xff", 7, LV_X86_MODE_64), LV_X86_DEC_OK);
	cr_assert_eq(in.op, LV_X86_OP_OR);
	cr_assert_eq(in.imm, ~0ull); /* imm32 sign-extended */
	cr_assert_eq(dec("\x66\xc7\x00\x34\x12", 5, LV_X86_MODE_32), LV_X86_DEC_OK);
	cr_assert_eq(in.imm, 0x1234);
	cr_assert_eq(in.len, 5);
	cr_assert_eq(dec("\x0f\xba\x20\x80", 4, LV_X86_MODE_32),
		     LV_X86_DEC_OK);					      /* bt [eax], 0x80 */
	cr_assert_eq(in.imm, 0x80);					      /* zero-extended */
	cr_assert_eq(dec("\xf6\x08", 2, LV_X86_MODE_32), LV_X86_DEC_INVALID); /* F6 /1 */
	cr_assert_eq(dec("\xf7\x08", 2, LV_X86_MODE_32), LV_X86_DEC_INVALID); /* F7 /1 */
	cr_assert_eq(dec("\xff\x10", 2, LV_X86_MODE_32), LV_X86_DEC_INVALID); /* call */
	cr_assert_eq(dec("\x66\x0f\xc3\x08", 4, LV_X86_MODE_64), LV_X86_DEC_INVALID); /* movnti */
	cr_assert_eq(dec("\x0f\xc3\x08", 3, LV_X86_MODE_16), LV_X86_DEC_OK);
	cr_assert_eq(in.opsize, 4);
	cr_assert_eq(dec("\x48\x6d", 2, LV_X86_MODE_64), LV_X86_DEC_OK); /* insd ignores REX.W */
	cr_assert_eq(in.opsize, 4);
}

Test(x86_decode, truncation_and_length_limit)
{
	static const char full[] = "\x48\xc7\x84\x24\x11\x22\x33\x44\x55\x66\x77\x88";

	cr_assert_eq(dec(full, 12, LV_X86_MODE_64), LV_X86_DEC_OK);
	cr_assert_eq(in.len, 12);
	for (size_t n = 0; n < 12; n++)
		cr_assert_eq(dec(full, n, LV_X86_MODE_64), LV_X86_DEC_TRUNCATED, "n=%zu", n);
	/* 14 prefixes + 89 08 = 16 bytes: longer than 15 is invalid, not truncated */
	cr_assert_eq(dec("\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x89\x08", 16,
			 LV_X86_MODE_64),
		     LV_X86_DEC_INVALID);
	cr_assert_eq(dec("\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x66\x89\x08", 15,
			 LV_X86_MODE_64),
		     LV_X86_DEC_OK);
	cr_assert_str_eq(lv_x86_op_name(LV_X86_OP_CMPXCHG), "cmpxchg");
	cr_assert_str_eq(lv_x86_op_name(999), "?");
}
