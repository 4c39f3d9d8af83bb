/* SPDX-License-Identifier: MIT */
/*
 * x86 MMIO emulator, PUSH r/m (FF /6) and POP r/m (8F /0) with a device
 * operand (src/core/x86_emul_stack.c; SDM Vol. 2B, PUSH, POP): operand and
 * stack-address sizes, the rSP rules for rSP-based addresses, #SS, through
 * the fake guest of tests/unit/x86_fake.h.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "core/x86_decode.h"
#include "x86_fake.h"

static struct fake *g;

static void setup(void)
{
	g = calloc(1, sizeof(*g));
}

static void teardown(void)
{
	free(g);
}

TestSuite(x86_emul_stack, .init = setup, .fini = teardown);

static uint64_t ram64(uint64_t a)
{
	uint64_t v;

	memcpy(&v, &g->ram[a], 8);
	return v;
}

Test(x86_emul_stack, push_mmio_64)
{
	const uint64_t v = 0x1122334455667788ull;

	/* push qword [rbx] */
	fake_init(g, LV_X86_MODE_64);
	fake_code(g, "\xff\x33", 2);
	g->regs.rbx = FAKE_DEV;
	g->regs.rsp = 0x8000;
	memcpy(g->dev, &v, 8);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_expect_eq(g->regs.rsp, 0x7ff8);
	cr_expect_eq(ram64(0x7ff8), v);
	cr_expect_eq(g->nlog, 1);
	cr_expect(!g->log[0].is_write && g->log[0].size == 8 && g->log[0].addr == FAKE_DEV);
	cr_expect_eq(g->regs.rip, 0x1002);
	/* 66: push word [rbx], two bytes */
	fake_init(g, LV_X86_MODE_64);
	fake_code(g, "\x66\xff\x33", 3);
	g->regs.rbx = FAKE_DEV;
	g->regs.rsp = 0x8000;
	memset(&g->ram[0x7ff8], 0xee, 8);
	memcpy(g->dev, &v, 8);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_expect_eq(g->regs.rsp, 0x7ffe);
	cr_expect_eq(ram64(0x7ff8), 0x7788eeeeeeeeeeeeull);
	cr_expect_eq(g->log[0].size, 2);
}

Test(x86_emul_stack, pop_mmio_64)
{
	const uint64_t v = 0x0102030405060708ull;

	/* pop qword [rbx] */
	fake_init(g, LV_X86_MODE_64);
	fake_code(g, "\x8f\x03", 2);
	g->regs.rbx = FAKE_DEV + 8;
	g->regs.rsp = 0x8000;
	memcpy(&g->ram[0x8000], &v, 8);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_expect_eq(g->regs.rsp, 0x8008);
	cr_expect_eq(g->nlog, 1);
	cr_expect(g->log[0].is_write && g->log[0].size == 8 && g->log[0].addr == FAKE_DEV + 8);
	cr_expect_eq(memcmp(&g->dev[8], &v, 8), 0);
}

Test(x86_emul_stack, rsp_based_addresses)
{
	/* pop qword [rsp]: the address uses the incremented RSP */
	fake_init(g, LV_X86_MODE_64);
	fake_code(g, "\x8f\x04\x24", 3);
	g->regs.rsp = 0x8000;
	memcpy(&g->ram[0x8000], "AAAAAAAA", 8);
	memcpy(&g->ram[0x8008], "BBBBBBBB", 8);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_expect_eq(g->regs.rsp, 0x8008);
	cr_expect_eq(memcmp(&g->ram[0x8008], "AAAAAAAA", 8), 0);
	/* push qword [rsp]: the source is read before RSP moves */
	fake_init(g, LV_X86_MODE_64);
	fake_code(g, "\xff\x34\x24", 3);
	g->regs.rsp = 0x8000;
	memcpy(&g->ram[0x8000], "CCCCCCCC", 8);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_expect_eq(g->regs.rsp, 0x7ff8);
	cr_expect_eq(memcmp(&g->ram[0x7ff8], "CCCCCCCC", 8), 0);
}

Test(x86_emul_stack, sixteen_bit_stack_wraps)
{
	const uint32_t v = 0xcafef00d;

	/* 32-bit code, 16-bit stack (SS.B = 0): push dword [ebx] at SP = 2 wraps to 0xfffe */
	fake_init(g, LV_X86_MODE_32);
	g->segs.ss.db = 0;
	fake_code(g, "\xff\x33", 2);
	g->regs.rbx = FAKE_DEV;
	g->regs.rsp = 0x12340002;
	memcpy(g->dev, &v, 4);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_expect_eq(g->regs.rsp, 0x1234fffe, "only SP changes");
	cr_expect_eq(memcmp(&g->ram[0xfffe], &v, 4), 0);
	cr_expect_eq(g->log[0].size, 4);
}

Test(x86_emul_stack, faults)
{
	/* non-canonical stack: #SS(0), nothing changed, the device read already done */
	fake_init(g, LV_X86_MODE_64);
	fake_code(g, "\xff\x33", 2);
	g->regs.rbx = FAKE_DEV;
	g->regs.rsp = 0x8000000000000008ull;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_FAULT);
	cr_expect_eq(g->em.fault.vector, LV_X86_VEC_SS);
	cr_expect(g->em.fault.has_error_code && g->em.fault.error_code == 0);
	cr_expect_eq(g->set_regs_calls, 0);
	/* pop to a faulting page: RSP is not incremented */
	fake_init(g, LV_X86_MODE_64);
	fake_code(g, "\x8f\x03", 2);
	g->regs.rbx = 0x5000;
	g->fault_page = 0x5000;
	g->regs.rsp = 0x8000;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_FAULT);
	cr_expect_eq(g->em.fault.vector, LV_X86_VEC_PF);
	cr_expect_eq(g->regs.rsp, 0x8000);
}

Test(x86_emul_stack, decoding)
{
	static const uint8_t xop[] = { 0x8f, 0x0b };	    /* 8F /1: XOP, not POP */
	static const uint8_t lock[] = { 0xf0, 0xff, 0x33 }; /* LOCK PUSH: #UD */
	struct lv_x86_insn in;

	cr_assert_eq(lv_x86_decode((const uint8_t *)"\xff\x33", 2, LV_X86_MODE_64, &in), 0);
	cr_expect(in.op == LV_X86_OP_PUSH && in.opsize == 8, "64 bits without REX.W");
	cr_assert_eq(lv_x86_decode((const uint8_t *)"\x66\x8f\x03", 3, LV_X86_MODE_64, &in), 0);
	cr_expect(in.op == LV_X86_OP_POP && in.opsize == 2);
	cr_assert_eq(lv_x86_decode((const uint8_t *)"\x8f\x03", 2, LV_X86_MODE_32, &in), 0);
	cr_expect_eq(in.opsize, 4);
	cr_expect_eq(lv_x86_decode(xop, 2, LV_X86_MODE_64, &in), LV_X86_DEC_INVALID);
	cr_expect_eq(lv_x86_decode(lock, 3, LV_X86_MODE_64, &in), LV_X86_DEC_INVALID);
}
