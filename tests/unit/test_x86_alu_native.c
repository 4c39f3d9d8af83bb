/* SPDX-License-Identifier: MIT */
/*
 * The emulator's ALU results and RFLAGS against the host CPU: every ALU
 * instruction of the subset runs natively (register form, inline asm) and
 * through the emulator (memory form on an MMIO operand) with the same
 * random operands and incoming flags; result and flags must be identical.
 * Flags the SDM leaves undefined (BT*: OF/SF/AF/PF) are not compared.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "x86_fake.h"
#include "x86_native_bin.h"
#include "xorshift.h"

#if defined(__x86_64__)

typedef uint64_t (*native_fn)(uint64_t a, uint64_t b, uint64_t *flags);

#define NATIVE_UN(fn, insn, m)                                                                     \
	static uint64_t fn(uint64_t a, uint64_t b, uint64_t *fl)                                   \
	{                                                                                          \
		uint64_t f = *fl;                                                                  \
		(void)b;                                                                           \
		__asm__ volatile(PRE insn " %" m "[a]" POST                                        \
				 : [a] "+r"(a), [f] "+r"(f)                                        \
				 :                                                                 \
				 : "cc", "memory");                                                \
		*fl = f;                                                                           \
		return a;                                                                          \
	}
#define SIZES(mac, name, insn)                                                                     \
	mac(name##_1, insn, "b") mac(name##_2, insn, "w") mac(name##_4, insn, "k")                 \
		mac(name##_8, insn, "q")
#define SIZES_NO8BIT(mac, name, insn)                                                              \
	mac(name##_2, insn, "w") mac(name##_4, insn, "k") mac(name##_8, insn, "q")

SIZES(NATIVE_BIN, n_add, "add")
SIZES(NATIVE_BIN, n_or, "or")
SIZES(NATIVE_BIN, n_adc, "adc")
SIZES(NATIVE_BIN, n_sbb, "sbb")
SIZES(NATIVE_BIN, n_and, "and")
SIZES(NATIVE_BIN, n_sub, "sub")
SIZES(NATIVE_BIN, n_xor, "xor")
SIZES(NATIVE_BIN, n_cmp, "cmp")
SIZES(NATIVE_BIN, n_test, "test")
SIZES(NATIVE_UN, n_inc, "inc")
SIZES(NATIVE_UN, n_dec, "dec")
SIZES(NATIVE_UN, n_neg, "neg")
SIZES(NATIVE_UN, n_not, "not")
SIZES_NO8BIT(NATIVE_BIN, n_bt, "bt")
SIZES_NO8BIT(NATIVE_BIN, n_bts, "bts")
SIZES_NO8BIT(NATIVE_BIN, n_btr, "btr")
SIZES_NO8BIT(NATIVE_BIN, n_btc, "btc")

struct case_desc {
	const char *name;
	unsigned op;
	native_fn fn[4];			/* sizes 1, 2, 4, 8 */
	uint8_t map, opc_byte, opc_full, modrm; /* memory form: [rbx], rcx (or /digit) */
	uint8_t writes, unary, bt;
};

#define FNS(n)                                                                                     \
	{                                                                                          \
		n##_1, n##_2, n##_4, n##_8                                                         \
	}
#define FNS_NO8(n)                                                                                 \
	{                                                                                          \
		NULL, n##_2, n##_4, n##_8                                                          \
	}

static const struct case_desc cases[] = {
	{ "add", LV_X86_OP_ADD, FNS(n_add), 0, 0x00, 0x01, 0x0b, 1, 0, 0 },
	{ "or", LV_X86_OP_OR, FNS(n_or), 0, 0x08, 0x09, 0x0b, 1, 0, 0 },
	{ "adc", LV_X86_OP_ADC, FNS(n_adc), 0, 0x10, 0x11, 0x0b, 1, 0, 0 },
	{ "sbb", LV_X86_OP_SBB, FNS(n_sbb), 0, 0x18, 0x19, 0x0b, 1, 0, 0 },
	{ "and", LV_X86_OP_AND, FNS(n_and), 0, 0x20, 0x21, 0x0b, 1, 0, 0 },
	{ "sub", LV_X86_OP_SUB, FNS(n_sub), 0, 0x28, 0x29, 0x0b, 1, 0, 0 },
	{ "xor", LV_X86_OP_XOR, FNS(n_xor), 0, 0x30, 0x31, 0x0b, 1, 0, 0 },
	{ "cmp", LV_X86_OP_CMP, FNS(n_cmp), 0, 0x38, 0x39, 0x0b, 0, 0, 0 },
	{ "test", LV_X86_OP_TEST, FNS(n_test), 0, 0x84, 0x85, 0x0b, 0, 0, 0 },
	{ "inc", LV_X86_OP_INC, FNS(n_inc), 0, 0xfe, 0xff, 0x03, 1, 1, 0 },
	{ "dec", LV_X86_OP_DEC, FNS(n_dec), 0, 0xfe, 0xff, 0x0b, 1, 1, 0 },
	{ "neg", LV_X86_OP_NEG, FNS(n_neg), 0, 0xf6, 0xf7, 0x1b, 1, 1, 0 },
	{ "not", LV_X86_OP_NOT, FNS(n_not), 0, 0xf6, 0xf7, 0x13, 1, 1, 0 },
	{ "bt", LV_X86_OP_BT, FNS_NO8(n_bt), 1, 0, 0xa3, 0x0b, 0, 0, 1 },
	{ "bts", LV_X86_OP_BTS, FNS_NO8(n_bts), 1, 0, 0xab, 0x0b, 1, 0, 1 },
	{ "btr", LV_X86_OP_BTR, FNS_NO8(n_btr), 1, 0, 0xb3, 0x0b, 1, 0, 1 },
	{ "btc", LV_X86_OP_BTC, FNS_NO8(n_btc), 1, 0, 0xbb, 0x0b, 1, 0, 1 },
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	return lv_test_xorshift(&rng);
}

/* Random operand biased towards the carry/overflow boundaries. */
static uint64_t operand(unsigned size)
{
	static const uint64_t edge[] = { 0,
					 1,
					 0x7f,
					 0x80,
					 0xff,
					 0x7fff,
					 0x8000,
					 0xffff,
					 0x7fffffff,
					 0x80000000,
					 0xffffffff,
					 0x7fffffffffffffff,
					 0x8000000000000000,
					 ~0ull,
					 0xf,
					 0x10 };
	uint64_t v = (rnd() & 3) == 0 ? edge[rnd() % 16] : rnd();

	return v & lv_x86_mask(size);
}

static struct fake *g;

static void emulate(const struct case_desc *c, unsigned size, uint64_t a, uint64_t b,
		    uint64_t flags, uint64_t *res, uint64_t *rflags)
{
	uint8_t code[8];
	unsigned n = 0;

	fake_init(g, LV_X86_MODE_64);
	if (size == 2)
		code[n++] = 0x66;
	if (size == 8)
		code[n++] = 0x48;
	if (c->map)
		code[n++] = 0x0f;
	code[n++] = size == 1 ? c->opc_byte : c->opc_full;
	code[n++] = c->modrm;
	fake_code(g, code, n);
	g->regs.rbx = FAKE_DEV;
	g->regs.rcx = b;
	g->regs.rflags = flags;
	memcpy(g->dev, &a, 8);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE, "%s/%u", c->name, size);
	cr_assert_eq(g->regs.rip, 0x1000u + n);
	memcpy(res, g->dev, 8);
	*res &= lv_x86_mask(size);
	*rflags = g->regs.rflags;
	/* a write exit happens iff the instruction writes (even when the value is unchanged) */
	cr_assert_eq(g->nlog, c->writes ? 2u : 1u, "%s/%u accesses", c->name, size);
}

Test(x86_alu_native, every_alu_op_matches_the_cpu)
{
	static const unsigned sizes[4] = { 1, 2, 4, 8 };
	unsigned checked = 0;

	g = calloc(1, sizeof(*g));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct case_desc *c = &cases[i];

		for (int s = 0; s < 4; s++) {
			unsigned size = sizes[s];
			uint64_t mask = lv_x86_mask(size);

			if (!c->fn[s])
				continue;
			for (int it = 0; it < 1500; it++) {
				uint64_t a = operand(size), b = operand(size);
				uint64_t f0 = 0x202 | (rnd() & LV_X86_ARITH_FLAGS);
				uint64_t fn = f0, fe, rn, re, cmpmask = LV_X86_ARITH_FLAGS;

				if (c->bt) {
					b &= 8 * size - 1; /* register-form bit offset */
					cmpmask = LV_X86_CF | LV_X86_ZF;
				}
				rn = c->fn[s](a, b, &fn) & mask;
				emulate(c, size, a, b, f0, &re, &fe);
				if (c->writes)
					cr_assert_eq(
						re, rn, "%s/%u a=%#lx b=%#lx: %#lx vs cpu %#lx",
						c->name, size, (unsigned long)a, (unsigned long)b,
						(unsigned long)re, (unsigned long)rn);
				cr_assert_eq(fe & cmpmask, fn & cmpmask,
					     "%s/%u a=%#lx b=%#lx f=%#lx: flags %#lx vs cpu %#lx",
					     c->name, size, (unsigned long)a, (unsigned long)b,
					     (unsigned long)f0, (unsigned long)(fe & cmpmask),
					     (unsigned long)(fn & cmpmask));
				/* non-arithmetic flags are untouched */
				cr_assert_eq(fe & ~(uint64_t)LV_X86_ARITH_FLAGS,
					     f0 & ~(uint64_t)LV_X86_ARITH_FLAGS);
				checked++;
			}
		}
	}
	free(g);
	cr_assert_gt(checked, 80000);
}

/* Group-1 immediate forms (80/81/83) against the CPU: imm8 is sign-extended. */
Test(x86_alu_native, immediate_forms)
{
	static const native_fn add8[4] = FNS(n_add), sub8[4] = FNS(n_sub), and8[4] = FNS(n_and);
	static const unsigned sizes[4] = { 2, 4, 8, 1 };

	g = calloc(1, sizeof(*g));
	for (int it = 0; it < 3000; it++) {
		unsigned si = (unsigned)(rnd() % 4), size = sizes[si];
		int fi = (int)(size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3);
		unsigned which = (unsigned)(rnd() % 3), reg = which == 0 ? 0 : which == 1 ? 5 : 4;
		const native_fn *fns = which == 0 ? add8 : which == 1 ? sub8 : and8;
		uint8_t imm8 = (uint8_t)rnd();
		uint64_t a = operand(size), b = (uint64_t)(int64_t)(int8_t)imm8 & lv_x86_mask(size);
		uint64_t f0 = 0x202 | (rnd() & LV_X86_ARITH_FLAGS), fn = f0, rn, re;
		uint8_t code[8];
		unsigned n = 0;

		rn = fns[fi](a, b, &fn) & lv_x86_mask(size);
		fake_init(g, LV_X86_MODE_64);
		if (size == 2)
			code[n++] = 0x66;
		if (size == 8)
			code[n++] = 0x48;
		code[n++] = size == 1 ? 0x80 : 0x83;
		code[n++] = (uint8_t)(0x03 | (reg << 3));
		code[n++] = imm8;
		fake_code(g, code, n);
		g->regs.rbx = FAKE_DEV;
		g->regs.rflags = f0;
		memcpy(g->dev, &a, 8);
		cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
		memcpy(&re, g->dev, 8);
		cr_assert_eq(re & lv_x86_mask(size), rn);
		cr_assert_eq(g->regs.rflags, fn);
	}
	free(g);
}

/* CMPXCHG: flags, accumulator and destination against the CPU. */
Test(x86_alu_native, cmpxchg_matches_the_cpu)
{
	g = calloc(1, sizeof(*g));
	for (int it = 0; it < 4000; it++) {
		uint64_t a = operand(4), src = operand(4), acc = (rnd() & 1) ? a : operand(4);
		uint64_t f = 0x202 | (rnd() & LV_X86_ARITH_FLAGS), f0 = f;
		uint64_t rax = acc | 0xdead000000000000ull, rax0 = rax, dst = a, re;
		uint32_t d32 = (uint32_t)dst;

		__asm__ volatile(PRE "cmpxchg %k[s], %k[d]" POST
				 : [d] "+r"(d32), [f] "+r"(f), "+a"(rax)
				 : [s] "r"(src)
				 : "cc", "memory");
		fake_init(g, LV_X86_MODE_64);
		fake_code(g, "\x0f\xb1\x0b", 3);
		g->regs.rbx = FAKE_DEV;
		g->regs.rcx = src;
		g->regs.rax = rax0;
		g->regs.rflags = f0;
		memcpy(g->dev, &a, 4);
		cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
		memcpy(&re, g->dev, 8);
		cr_assert_eq((uint32_t)re, d32);
		cr_assert_eq(g->regs.rflags, f);
		/* The CPU only loads EAX (zero-extending) when the comparison fails. */
		if (f & LV_X86_ZF)
			cr_assert_eq(g->regs.rax, rax0);
		else
			cr_assert_eq(g->regs.rax, rax);
	}
	free(g);
}

#else
Test(x86_alu_native, needs_x86_64_host, .disabled = true)
{
}
#endif
