/* SPDX-License-Identifier: MIT */
/*
 * x86 MMIO emulator, system instructions (src/core/x86_emul_sys.c):
 * SMSW m16 to a device (SDM Vol. 2B, SMSW; Vol. 3, 2.5 CR4.UMIP), through
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

TestSuite(x86_emul_sys, .init = setup, .fini = teardown);

/* smsw [rbx] with the given prefixes before 0F 01 /4 (ModRM 0x23). */
static int smsw(const uint8_t *pfx, unsigned npfx)
{
	uint8_t code[8];

	if (npfx) /* pfx may be NULL then: memcpy wants a valid pointer even for 0 bytes */
		memcpy(code, pfx, npfx);
	code[npfx] = 0x0f;
	code[npfx + 1] = 0x01;
	code[npfx + 2] = 0x23;
	fake_code(g, code, npfx + 3);
	g->regs.rbx = FAKE_DEV + 0x10;
	memset(&g->dev[0x10], 0xaa, 8);
	return fake_run(g);
}

Test(x86_emul_sys, smsw_stores_16_bits_at_any_operand_size)
{
	static const uint8_t none[1], o16[] = { 0x66 }, rexw[] = { 0x48 };
	const uint8_t *pfx[] = { none, o16, rexw };
	const unsigned npfx[] = { 0, 1, 1 };
	unsigned i;

	for (i = 0; i < 3; i++) {
		fake_init(g, LV_X86_MODE_64);
		g->env.msw = 0x0033; /* PE MP ET NE */
		cr_assert_eq(smsw(pfx[i], npfx[i]), LV_X86_EMUL_DONE, "form %u", i);
		cr_expect_eq(g->em.insn.op, LV_X86_OP_SMSW);
		cr_expect_eq(g->nlog, 1, "one device write");
		cr_expect(g->log[0].is_write && g->log[0].size == 2 &&
			  g->log[0].addr == FAKE_DEV + 0x10);
		cr_expect_eq(g->dev[0x10], 0x33);
		cr_expect_eq(g->dev[0x11], 0x00);
		cr_expect_eq(g->dev[0x12], 0xaa, "bytes past m16 untouched");
		cr_expect_eq(g->regs.rip, 0x1000 + 3 + npfx[i]);
	}
	/* 32-bit protected mode too: 16 bits */
	fake_init(g, LV_X86_MODE_32);
	g->env.msw = 0x0011;
	cr_assert_eq(smsw(NULL, 0), LV_X86_EMUL_DONE);
	cr_expect_eq(g->log[0].size, 2);
	cr_expect_eq(g->dev[0x10], 0x11);
}

Test(x86_emul_sys, smsw_umip)
{
	/* CR4.UMIP at CPL 3: #GP(0), nothing written */
	fake_init(g, LV_X86_MODE_64);
	g->env.umip = 1;
	g->env.cpl = 3;
	cr_assert_eq(smsw(NULL, 0), LV_X86_EMUL_FAULT);
	cr_expect_eq(g->em.fault.vector, LV_X86_VEC_GP);
	cr_expect(g->em.fault.has_error_code && g->em.fault.error_code == 0);
	cr_expect_eq(g->nlog, 0);
	cr_expect_eq(g->set_regs_calls, 0);
	/* UMIP at CPL 0, or CPL 3 without UMIP: stores */
	fake_init(g, LV_X86_MODE_64);
	g->env.umip = 1;
	cr_expect_eq(smsw(NULL, 0), LV_X86_EMUL_DONE);
	fake_init(g, LV_X86_MODE_64);
	g->env.cpl = 3;
	cr_expect_eq(smsw(NULL, 0), LV_X86_EMUL_DONE);
}

Test(x86_emul_sys, group7_rest_not_emulated)
{
	static const uint8_t bad[][3] = {
		{ 0x0f, 0x01, 0xe0 }, /* smsw eax: register form */
		{ 0x0f, 0x01, 0x33 }, /* lmsw [rbx] */
		{ 0x0f, 0x01, 0x03 }, /* sgdt [rbx] */
		{ 0x0f, 0x01, 0x3b }, /* invlpg [rbx] */
		{ 0x0f, 0x01, 0xd9 }, /* vmmcall */
	};
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_init(g, LV_X86_MODE_64);
		fake_code(g, bad[i], 3);
		g->regs.rbx = FAKE_DEV;
		cr_expect_eq(fake_run(g), LV_X86_EMUL_UNHANDLEABLE, "case %u", i);
		cr_expect_eq(g->nlog, 0);
	}
}
