/* SPDX-License-Identifier: MIT */
/*
 * x86 MMIO emulator, BSF/BSR and IMUL (src/core/x86_emul_arith.c) against
 * the host CPU: each runs natively (register form, inline asm) and through
 * the emulator with its r/m operand on a device of the fake guest
 * (tests/unit/x86_fake.h), with the same random operands and flags. The
 * defined flags must match (SDM Vol. 2A: BSF/BSR ZF; IMUL CF and OF); the
 * undefined ones are left unchanged by the emulator.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "core/x86_decode.h"
#include "x86_fake.h"
#include "x86_native_bin.h"
#include "xorshift.h"

#if defined(__x86_64__)

typedef uint64_t (*bin_fn)(uint64_t a, uint64_t b, uint64_t *flags);

NATIVE_BIN(n_bsf_2, "bsf", "w")
NATIVE_BIN(n_bsf_4, "bsf", "k")
NATIVE_BIN(n_bsf_8, "bsf", "q")
NATIVE_BIN(n_bsr_2, "bsr", "w")
NATIVE_BIN(n_bsr_4, "bsr", "k")
NATIVE_BIN(n_bsr_8, "bsr", "q")
NATIVE_BIN(n_imul_2, "imul", "w")
NATIVE_BIN(n_imul_4, "imul", "k")
NATIVE_BIN(n_imul_8, "imul", "q")

/* One-operand MUL/IMUL/DIV/IDIV on rDX:rAX (AX for bytes) and b. */
#define NATIVE_ONE(fn, insn, m)                                                                    \
	static void fn(uint64_t *rax, uint64_t *rdx, uint64_t b, uint64_t *fl)                     \
	{                                                                                          \
		uint64_t f = *fl;                                                                  \
		__asm__ volatile(PRE insn " %" m "[b]" POST                                        \
				 : "+a"(*rax), "+d"(*rdx), [f] "+r"(f)                             \
				 : [b] "r"(b)                                                      \
				 : "cc", "memory");                                                \
		*fl = f;                                                                           \
	}
NATIVE_ONE(n_imul1_1, "imul", "b")
NATIVE_ONE(n_imul1_2, "imul", "w")
NATIVE_ONE(n_imul1_4, "imul", "k")
NATIVE_ONE(n_imul1_8, "imul", "q")
NATIVE_ONE(n_mul_1, "mul", "b")
NATIVE_ONE(n_mul_2, "mul", "w")
NATIVE_ONE(n_mul_4, "mul", "k")
NATIVE_ONE(n_mul_8, "mul", "q")
NATIVE_ONE(n_div_1, "div", "b")
NATIVE_ONE(n_div_2, "div", "w")
NATIVE_ONE(n_div_4, "div", "k")
NATIVE_ONE(n_div_8, "div", "q")
NATIVE_ONE(n_idiv_1, "idiv", "b")
NATIVE_ONE(n_idiv_2, "idiv", "w")
NATIVE_ONE(n_idiv_4, "idiv", "k")
NATIVE_ONE(n_idiv_8, "idiv", "q")

/* SHLD/SHRD d, s, CL. */
#define NATIVE_SHXD(fn, insn, m)                                                                   \
	static uint64_t fn(uint64_t d, uint64_t s, uint8_t c, uint64_t *fl)                        \
	{                                                                                          \
		uint64_t f = *fl;                                                                  \
		__asm__ volatile(PRE insn " %%cl, %" m "[s], %" m "[d]" POST                       \
				 : [d] "+r"(d), [f] "+r"(f)                                        \
				 : [s] "r"(s), "c"(c)                                              \
				 : "cc", "memory");                                                \
		*fl = f;                                                                           \
		return d;                                                                          \
	}
NATIVE_SHXD(n_shld_2, "shld", "w")
NATIVE_SHXD(n_shld_4, "shld", "k")
NATIVE_SHXD(n_shld_8, "shld", "q")
NATIVE_SHXD(n_shrd_2, "shrd", "w")
NATIVE_SHXD(n_shrd_4, "shrd", "k")
NATIVE_SHXD(n_shrd_8, "shrd", "q")

/* XADD d, s: both change. */
#define NATIVE_XADD(fn, m)                                                                         \
	static uint64_t fn(uint64_t d, uint64_t *s, uint64_t *fl)                                  \
	{                                                                                          \
		uint64_t f = *fl;                                                                  \
		__asm__ volatile(PRE "xadd %" m "[s], %" m "[d]" POST                              \
				 : [d] "+r"(d), [s] "+r"(*s), [f] "+r"(f)                          \
				 :                                                                 \
				 : "cc", "memory");                                                \
		*fl = f;                                                                           \
		return d;                                                                          \
	}
NATIVE_XADD(n_xadd_1, "b")
NATIVE_XADD(n_xadd_2, "w")
NATIVE_XADD(n_xadd_4, "k")
NATIVE_XADD(n_xadd_8, "q")

/* CMOVcc r32 (the 32-bit form shows the zero-extension on a false condition). */
NATIVE_BIN(n_cmovo, "cmovo", "k")
NATIVE_BIN(n_cmovno, "cmovno", "k")
NATIVE_BIN(n_cmovb, "cmovb", "k")
NATIVE_BIN(n_cmovnb, "cmovnb", "k")
NATIVE_BIN(n_cmovz, "cmovz", "k")
NATIVE_BIN(n_cmovnz, "cmovnz", "k")
NATIVE_BIN(n_cmovbe, "cmovbe", "k")
NATIVE_BIN(n_cmovnbe, "cmovnbe", "k")
NATIVE_BIN(n_cmovs, "cmovs", "k")
NATIVE_BIN(n_cmovns, "cmovns", "k")
NATIVE_BIN(n_cmovp, "cmovp", "k")
NATIVE_BIN(n_cmovnp, "cmovnp", "k")
NATIVE_BIN(n_cmovl, "cmovl", "k")
NATIVE_BIN(n_cmovnl, "cmovnl", "k")
NATIVE_BIN(n_cmovle, "cmovle", "k")
NATIVE_BIN(n_cmovnle, "cmovnle", "k")
NATIVE_BIN(n_cmovz_2, "cmovz", "w")
NATIVE_BIN(n_cmovz_8, "cmovz", "q")

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	return lv_test_xorshift(&rng);
}

/* Random operand biased towards zero, single bits and the signed limits. */
static uint64_t operand(unsigned size)
{
	static const uint64_t edge[] = { 0,	     1,		 2,	 0x7f,
					 0x80,	     0xff,	 0x7fff, 0x8000,
					 0x7fffffff, 0x80000000, ~0ull,	 0x8000000000000000 };
	uint64_t v;

	switch (rnd() & 7) {
	case 0:
		v = edge[rnd() % 12];
		break;
	case 1:
		v = 1ull << (rnd() % 64);
		break;
	case 2:
		v = rnd() & 0xff; /* small: products that fit */
		break;
	default:
		v = rnd();
	}
	return v & lv_x86_mask(size);
}

static struct fake *g;
static unsigned lock_prefix; /* emulate_w(): start with F0 */

static unsigned size_index(unsigned size)
{
	return size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
}

/*
 * Emulate @p op bytes (after the size prefix) with the device operand
 * [rbx] = @p m and RFLAGS @p flags: one device read, then @p writes writes.
 */
static void emulate_w(unsigned size, const uint8_t *op, unsigned nop, uint64_t m, uint64_t flags,
		      unsigned writes)
{
	uint8_t code[12];
	unsigned n = 0;

	if (lock_prefix)
		code[n++] = 0xf0;
	if (size == 2)
		code[n++] = 0x66;
	if (size == 8)
		code[n++] = 0x48;
	memcpy(code + n, op, nop);
	n += nop;
	fake_code(g, code, n);
	g->regs.rbx = FAKE_DEV;
	g->regs.rflags = flags;
	memcpy(g->dev, &m, 8);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->regs.rip, 0x1000u + n);
	cr_assert_eq(g->nlog, 1u + writes, "one device read, %u writes", writes);
	cr_assert(!g->log[0].is_write && g->log[0].size == size);
	if (writes)
		cr_assert(g->log[1].is_write && g->log[1].size == size);
}

static void emulate(unsigned size, const uint8_t *op, unsigned nop, uint64_t m, uint64_t flags)
{
	emulate_w(size, op, nop, m, flags, 0);
}

Test(x86_emul_arith, bsf_bsr_match_the_cpu)
{
	static const bin_fn bsf[4] = { NULL, n_bsf_2, n_bsf_4, n_bsf_8 };
	static const bin_fn bsr[4] = { NULL, n_bsr_2, n_bsr_4, n_bsr_8 };
	static const unsigned sizes[3] = { 2, 4, 8 };
	unsigned zero = 0;

	g = calloc(1, sizeof(*g));
	for (int it = 0; it < 6000; it++) {
		unsigned size = sizes[rnd() % 3], rev = (unsigned)(rnd() & 1);
		uint64_t src = operand(size), dst = rnd(),
			 f0 = 0x202 | (rnd() & LV_X86_ARITH_FLAGS);
		uint64_t fn = f0, rn = (rev ? bsr : bsf)[size_index(size)](dst, src, &fn);
		/* bsf/bsr ecx, [rbx] */
		const uint8_t op[3] = { 0x0f, rev ? 0xbd : 0xbc, 0x0b };

		fake_init(g, LV_X86_MODE_64);
		g->regs.rcx = dst;
		emulate(size, op, 3, src, f0);
		cr_assert_eq(g->regs.rflags & LV_X86_ZF, fn & LV_X86_ZF, "%s/%u src %#lx",
			     rev ? "bsr" : "bsf", size, (unsigned long)src);
		cr_assert_eq(g->regs.rflags & ~(uint64_t)LV_X86_ZF, f0 & ~(uint64_t)LV_X86_ZF,
			     "undefined flags unchanged");
		if (src) {
			cr_assert_eq(g->regs.rcx, rn, "%s/%u src %#lx: %#lx vs cpu %#lx",
				     rev ? "bsr" : "bsf", size, (unsigned long)src,
				     (unsigned long)g->regs.rcx, (unsigned long)rn);
		} else {
			zero++;
			cr_assert_eq(g->regs.rcx, dst, "zero source: destination unchanged");
			if (size != 4) /* r32: whether the upper half survives is model-specific */
				cr_assert_eq(rn, dst);
		}
	}
	cr_assert_gt(zero, 50);
	free(g);
}

Test(x86_emul_arith, imul_two_and_three_operands_match_the_cpu)
{
	static const bin_fn imul[4] = { NULL, n_imul_2, n_imul_4, n_imul_8 };
	static const unsigned sizes[3] = { 2, 4, 8 };

	g = calloc(1, sizeof(*g));
	for (int it = 0; it < 9000; it++) {
		unsigned size = sizes[rnd() % 3], form = (unsigned)(rnd() % 3), nop;
		uint64_t m = operand(size), rcx = operand(size) | (rnd() << 32 & ~0ull);
		uint64_t f0 = 0x202 | (rnd() & LV_X86_ARITH_FLAGS), fn = f0, rn, b;
		uint32_t imm = (uint32_t)operand(4);
		uint8_t op[8];

		if (form == 0) { /* imul ecx, [rbx] */
			b = rcx;
			op[0] = 0x0f, op[1] = 0xaf, op[2] = 0x0b, nop = 3;
		} else if (form == 1) { /* imul ecx, [rbx], imm8 */
			b = lv_x86_sext(imm & 0xff, 1);
			op[0] = 0x6b, op[1] = 0x0b, op[2] = (uint8_t)imm, nop = 3;
		} else { /* imul ecx, [rbx], imm16/imm32 */
			b = lv_x86_sext(imm, size == 2 ? 2 : 4);
			op[0] = 0x69, op[1] = 0x0b;
			memcpy(op + 2, &imm, size == 2 ? 2 : 4);
			nop = size == 2 ? 4 : 6;
		}
		/* The CPU's two-operand form with the same (sign-extended) factors. */
		rn = imul[size_index(size)](m, b, &fn);
		fake_init(g, LV_X86_MODE_64);
		g->regs.rcx = rcx;
		emulate(size, op, nop, m, f0);
		if (size == 2)
			rn = (rcx & ~0xffffull) | (rn & 0xffff);
		cr_assert_eq(g->regs.rcx, rn, "form %u size %u m %#lx b %#lx: %#lx vs cpu %#lx",
			     form, size, (unsigned long)m, (unsigned long)b,
			     (unsigned long)g->regs.rcx, (unsigned long)rn);
		cr_assert_eq(g->regs.rflags & (LV_X86_CF | LV_X86_OF), fn & (LV_X86_CF | LV_X86_OF),
			     "form %u size %u m %#lx b %#lx", form, size, (unsigned long)m,
			     (unsigned long)b);
		cr_assert_eq(g->regs.rflags & ~(uint64_t)(LV_X86_CF | LV_X86_OF),
			     f0 & ~(uint64_t)(LV_X86_CF | LV_X86_OF));
	}
	free(g);
}

Test(x86_emul_arith, imul_one_operand_matches_the_cpu)
{
	static void (*const one[4])(uint64_t *, uint64_t *, uint64_t,
				    uint64_t *) = { n_imul1_1, n_imul1_2, n_imul1_4, n_imul1_8 };
	static const unsigned sizes[4] = { 1, 2, 4, 8 };

	g = calloc(1, sizeof(*g));
	for (int it = 0; it < 8000; it++) {
		unsigned size = sizes[rnd() % 4];
		uint64_t m = operand(size), rax = operand(size) | (rnd() << 32 & ~0ull);
		uint64_t rdx = rnd(), rax0 = rax, rdx0 = rdx;
		uint64_t f0 = 0x202 | (rnd() & LV_X86_ARITH_FLAGS), fn = f0;
		/* imul byte/word/dword/qword [rbx]: F6 /5 or F7 /5 */
		const uint8_t op[2] = { size == 1 ? 0xf6 : 0xf7, 0x2b };

		one[size_index(size)](&rax, &rdx, m, &fn);
		fake_init(g, LV_X86_MODE_64);
		g->regs.rax = rax0;
		g->regs.rdx = rdx0;
		emulate(size, op, 2, m, f0);
		cr_assert_eq(g->regs.rax, rax, "size %u a %#lx m %#lx: %#lx vs cpu %#lx", size,
			     (unsigned long)rax0, (unsigned long)m, (unsigned long)g->regs.rax,
			     (unsigned long)rax);
		cr_assert_eq(g->regs.rdx, rdx, "size %u: rdx", size);
		cr_assert_eq(g->regs.rflags & (LV_X86_CF | LV_X86_OF), fn & (LV_X86_CF | LV_X86_OF),
			     "size %u a %#lx m %#lx", size, (unsigned long)rax0, (unsigned long)m);
	}
	free(g);
}

typedef void (*one_fn)(uint64_t *, uint64_t *, uint64_t, uint64_t *);

/*
 * Whether DIV (@p is_signed = 0) or IDIV of rDX:rAX (AX) by @p b at @p size
 * raises #DE (SDM Vol. 2A, DIV, IDIV), from the host compiler's 128-bit
 * arithmetic: the reference for the cases the CPU cannot run here.
 */
static bool div_faults(unsigned size, bool is_signed, uint64_t rax, uint64_t rdx, uint64_t b)
{
	__extension__ typedef unsigned __int128 u128;
	__extension__ typedef __int128 s128;
	unsigned bits = 8 * size;
	u128 n = size == 1 ? (rax & 0xffff)
			   : ((u128)(rdx & lv_x86_mask(size)) << bits) | (rax & lv_x86_mask(size));

	b &= lv_x86_mask(size);
	if (!b)
		return true;
	if (!is_signed)
		return n / b > lv_x86_mask(size);
	s128 sn = (s128)(n << (128 - 2 * bits)) >> (128 - 2 * bits);
	s128 sq = sn / (s128)(int64_t)lv_x86_sext(b, size);
	s128 lim = (s128)1 << (bits - 1);

	return sq >= lim || sq < -lim;
}

Test(x86_emul_arith, mul_div_idiv_match_the_cpu)
{
	static const one_fn fns[3][4] = {
		{ n_mul_1, n_mul_2, n_mul_4, n_mul_8 },
		{ n_div_1, n_div_2, n_div_4, n_div_8 },
		{ n_idiv_1, n_idiv_2, n_idiv_4, n_idiv_8 },
	};
	static const unsigned sizes[4] = { 1, 2, 4, 8 };
	unsigned de = 0, ok = 0;

	g = calloc(1, sizeof(*g));
	for (int it = 0; it < 15000; it++) {
		unsigned size = sizes[rnd() % 4], kind = (unsigned)(rnd() % 3);
		uint64_t b = operand(size), rax = rnd(), rdx = (rnd() & 1) ? operand(size) : rnd();
		uint64_t f0 = 0x202 | (rnd() & LV_X86_ARITH_FLAGS), fn = f0, ra = rax, rd = rdx;
		/* mul/div/idiv [rbx]: F6/F7 /4 /6 /7 */
		const uint8_t op[2] = { size == 1 ? 0xf6 : 0xf7,
					(uint8_t)(0x03 | (kind + 4 + !!kind) << 3) };

		if (kind && (rnd() & 1)) /* dividends with a quotient that fits */
			rdx = (rnd() & 1) ? 0 : ~0ull;
		fake_init(g, LV_X86_MODE_64);
		g->regs.rax = rax;
		g->regs.rdx = rdx;
		if (kind && div_faults(size, kind == 2, rax, rdx, b)) {
			uint8_t code[4];
			unsigned n = 0;

			if (size == 2)
				code[n++] = 0x66;
			if (size == 8)
				code[n++] = 0x48;
			memcpy(code + n, op, 2);
			fake_code(g, code, n + 2);
			g->regs.rbx = FAKE_DEV;
			g->regs.rflags = f0;
			memcpy(g->dev, &b, 8);
			cr_assert_eq(fake_run(g), LV_X86_EMUL_FAULT, "kind %u size %u", kind, size);
			cr_assert_eq(g->em.fault.vector, LV_X86_VEC_DE);
			cr_assert_eq(g->em.fault.has_error_code, 0);
			cr_assert_eq(g->set_regs_calls, 0, "#DE changes nothing");
			de++;
			continue;
		}
		rd = rdx;
		fns[kind][size_index(size)](&ra, &rd, b, &fn);
		emulate(size, op, 2, b, f0);
		cr_assert_eq(g->regs.rax, ra,
			     "kind %u size %u rdx:rax %#lx:%#lx b %#lx: %#lx vs cpu %#lx", kind,
			     size, (unsigned long)rdx, (unsigned long)rax, (unsigned long)b,
			     (unsigned long)g->regs.rax, (unsigned long)ra);
		cr_assert_eq(g->regs.rdx, rd, "kind %u size %u: rdx %#lx vs cpu %#lx", kind, size,
			     (unsigned long)g->regs.rdx, (unsigned long)rd);
		if (kind == 0)
			cr_assert_eq(g->regs.rflags & (LV_X86_CF | LV_X86_OF),
				     fn & (LV_X86_CF | LV_X86_OF));
		cr_assert_eq(g->regs.rflags & ~(uint64_t)LV_X86_ARITH_FLAGS,
			     f0 & ~(uint64_t)LV_X86_ARITH_FLAGS);
		ok++;
	}
	cr_assert_gt(de, 500);
	cr_assert_gt(ok, 5000);
	free(g);
}

Test(x86_emul_arith, shld_shrd_match_the_cpu)
{
	typedef uint64_t (*shxd_fn)(uint64_t, uint64_t, uint8_t, uint64_t *);
	static const shxd_fn shld[4] = { NULL, n_shld_2, n_shld_4, n_shld_8 };
	static const shxd_fn shrd[4] = { NULL, n_shrd_2, n_shrd_4, n_shrd_8 };
	static const unsigned sizes[3] = { 2, 4, 8 };
	unsigned zero = 0;

	g = calloc(1, sizeof(*g));
	for (int it = 0; it < 9000; it++) {
		unsigned size = sizes[rnd() % 3], right = (unsigned)(rnd() & 1);
		unsigned imm = (unsigned)(rnd() & 1), c = (unsigned)(rnd() % 80);
		unsigned masked = c & (size == 8 ? 63 : 31);
		uint64_t d = operand(size), f0 = 0x202 | (rnd() & LV_X86_ARITH_FLAGS), fn = f0;
		uint64_t src = (rnd() & ~0xffull) | c, rn, re;
		uint64_t cmp = LV_X86_CF | LV_X86_SF | LV_X86_ZF | LV_X86_PF;
		/* shld/shrd [rbx], ecx, imm8 (0F A4/AC) or CL (0F A5/AD); CL = c either way */
		uint8_t op[4] = { 0x0f, (uint8_t)((right ? 0xac : 0xa4) + !imm), 0x0b, (uint8_t)c };

		if (size == 2 && masked > 16)
			continue; /* undefined result and flags */
		rn = (right ? shrd : shld)[size_index(size)](d, src, (uint8_t)c, &fn) &
		     lv_x86_mask(size);
		fake_init(g, LV_X86_MODE_64);
		g->regs.rcx = src;
		emulate_w(size, op, imm ? 4 : 3, d, f0, masked ? 1 : 0);
		memcpy(&re, g->dev, 8);
		re &= lv_x86_mask(size);
		if (masked == 1)
			cmp |= LV_X86_OF;
		if (!masked) {
			zero++;
			cmp = ~0ull; /* nothing changes */
		}
		cr_assert_eq(re, rn, "%s/%u d %#lx s %#lx c %u: %#lx vs cpu %#lx",
			     right ? "shrd" : "shld", size, (unsigned long)d,
			     (unsigned long)g->regs.rcx, c, (unsigned long)re, (unsigned long)rn);
		cr_assert_eq(g->regs.rflags & cmp, fn & cmp, "%s/%u d %#lx c %u: %#lx vs cpu %#lx",
			     right ? "shrd" : "shld", size, (unsigned long)d, c,
			     (unsigned long)g->regs.rflags, (unsigned long)fn);
	}
	cr_assert_gt(zero, 50);
	free(g);
}

Test(x86_emul_arith, xadd_matches_the_cpu)
{
	static uint64_t (*const xadd[4])(uint64_t, uint64_t *, uint64_t *) = { n_xadd_1, n_xadd_2,
									       n_xadd_4, n_xadd_8 };
	static const unsigned sizes[4] = { 1, 2, 4, 8 };

	g = calloc(1, sizeof(*g));
	for (int it = 0; it < 6000; it++) {
		unsigned size = sizes[rnd() % 4];
		uint64_t d = operand(size), s = rnd(), s0 = s,
			 f0 = 0x202 | (rnd() & LV_X86_ARITH_FLAGS);
		uint64_t fn = f0, rn = xadd[size_index(size)](d, &s, &fn) & lv_x86_mask(size), re;
		/* (lock) xadd [rbx], ecx: 0F C0/C1 0B */
		const uint8_t op[3] = { 0x0f, size == 1 ? 0xc0 : 0xc1, 0x0b };

		fake_init(g, LV_X86_MODE_64);
		g->regs.rcx = s0;
		lock_prefix = (unsigned)(rnd() & 1);
		emulate_w(size, op, 3, d, f0, 1);
		lock_prefix = 0;
		memcpy(&re, g->dev, 8);
		cr_assert_eq(re & lv_x86_mask(size), rn, "size %u", size);
		cr_assert_eq(g->regs.rcx, s, "size %u: rcx %#lx vs cpu %#lx", size,
			     (unsigned long)g->regs.rcx, (unsigned long)s);
		cr_assert_eq(g->regs.rflags, fn, "size %u", size);
	}
	free(g);
}

Test(x86_emul_arith, cmov_matches_the_cpu)
{
	static const bin_fn cmov[16] = { n_cmovo,  n_cmovno,  n_cmovb,	n_cmovnb, n_cmovz, n_cmovnz,
					 n_cmovbe, n_cmovnbe, n_cmovs,	n_cmovns, n_cmovp, n_cmovnp,
					 n_cmovl,  n_cmovnl,  n_cmovle, n_cmovnle };
	unsigned taken = 0;

	g = calloc(1, sizeof(*g));
	for (int it = 0; it < 6000; it++) {
		unsigned cc = (unsigned)(rnd() % 16), wide = (unsigned)(rnd() % 3);
		unsigned size = wide == 0 ? 4 : wide == 1 ? 2 : 8;
		uint64_t m = operand(size), d = rnd(), f0 = 0x202 | (rnd() & LV_X86_ARITH_FLAGS);
		uint64_t fn = f0, rn;
		/* cmovcc ecx, [rbx]: 0F 4x 0B; the 16/64-bit checks use cmovz */
		uint8_t op[3] = { 0x0f, (uint8_t)(0x40 + cc), 0x0b };

		if (size == 2)
			cc = 4, op[1] = 0x44, rn = n_cmovz_2(d, m, &fn);
		else if (size == 8)
			cc = 4, op[1] = 0x44, rn = n_cmovz_8(d, m, &fn);
		else
			rn = cmov[cc](d, m, &fn);
		fake_init(g, LV_X86_MODE_64);
		g->regs.rcx = d;
		emulate(size, op, 3, m, f0);
		taken += (rn & lv_x86_mask(size)) == m && m != (d & lv_x86_mask(size));
		cr_assert_eq(g->regs.rcx, rn, "cc %u size %u flags %#lx: %#lx vs cpu %#lx", cc,
			     size, (unsigned long)f0, (unsigned long)g->regs.rcx,
			     (unsigned long)rn);
		cr_assert_eq(g->regs.rflags, f0);
	}
	cr_assert_gt(taken, 1000);
	free(g);
}

#endif

Test(x86_emul_arith, decoding)
{
	static const struct {
		uint8_t b[8];
		unsigned n, op, nopnd, len;
	} ok[] = {
		{ { 0x0f, 0xbc, 0x0b }, 3, LV_X86_OP_BSF, 2, 3 },
		{ { 0xf2, 0x0f, 0xbd, 0x0b }, 4, LV_X86_OP_BSR, 2, 4 },
		{ { 0x0f, 0xaf, 0x0b }, 3, LV_X86_OP_IMUL, 2, 3 },
		{ { 0x6b, 0x0b, 0x80 }, 3, LV_X86_OP_IMUL, 3, 3 },
		{ { 0x69, 0x0b, 1, 2, 3, 4 }, 6, LV_X86_OP_IMUL, 3, 6 },
		{ { 0x66, 0x69, 0x0b, 1, 2 }, 5, LV_X86_OP_IMUL, 3, 5 },
		{ { 0x0f, 0xa5, 0x0b }, 3, LV_X86_OP_SHLD, 2, 3 }, /* CL implicit */
		{ { 0x0f, 0xac, 0x0b, 0x05 }, 4, LV_X86_OP_SHRD, 3, 4 },
		{ { 0xf0, 0x0f, 0xc1, 0x0b }, 4, LV_X86_OP_XADD, 2, 4 },
		{ { 0x0f, 0x4f, 0x0b }, 3, LV_X86_OP_CMOV, 2, 3 },
		{ { 0xf6, 0x2b }, 2, LV_X86_OP_IMUL, 1, 2 },
	};
	static const uint8_t bad[][4] = {
		{ 0xf3, 0x0f, 0xbc, 0x0b }, /* tzcnt */
		{ 0xf3, 0x0f, 0xbd, 0x0b }, /* lzcnt */
		{ 0xf0, 0x0f, 0xaf, 0x0b }, /* lock imul: #UD */
		{ 0xf0, 0xf7, 0x2b, 0x00 }, /* lock imul [rbx] */
		{ 0xf0, 0x0f, 0xa5, 0x0b }, /* lock shld */
		{ 0xf0, 0x0f, 0x44, 0x0b }, /* lock cmovz */
		{ 0xf0, 0x0f, 0xc1, 0xc1 }, /* lock xadd ecx, eax: register destination */
	};
	struct lv_x86_insn in;
	unsigned i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_assert_eq(lv_x86_decode(ok[i].b, ok[i].n, LV_X86_MODE_64, &in), LV_X86_DEC_OK,
			     "case %u", i);
		cr_expect_eq(in.op, ok[i].op, "case %u", i);
		cr_expect_eq(in.nopnd, ok[i].nopnd, "case %u", i);
		cr_expect_eq(in.len, ok[i].len, "case %u", i);
	}
	cr_expect_eq(in.opnd[0].kind, LV_X86_OPND_MEM);
	cr_expect_eq(in.opnd[0].size, 1);
	cr_assert_eq(lv_x86_decode(ok[3].b, ok[3].n, LV_X86_MODE_64, &in), LV_X86_DEC_OK);
	cr_expect_eq(in.imm, (uint64_t)-128, "imm8 sign-extended");
	cr_expect(in.opnd[0].kind == LV_X86_OPND_REG && in.opnd[0].reg == 1);
	cr_expect_eq(in.opnd[1].kind, LV_X86_OPND_MEM);
	cr_expect_eq(in.opnd[2].kind, LV_X86_OPND_IMM);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(lv_x86_decode(bad[i], 4, LV_X86_MODE_64, &in), LV_X86_DEC_INVALID,
			     "bad %u", i);
}

Test(x86_emul_arith, faults_leave_no_trace)
{
	/* imul ecx, [rbx] on a non-canonical address: #GP(0), nothing changed */
	g = calloc(1, sizeof(*g));
	fake_init(g, LV_X86_MODE_64);
	fake_code(g, "\x0f\xaf\x0b", 3);
	g->regs.rbx = 0x8000000000000000ull;
	g->regs.rcx = 7;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_FAULT);
	cr_expect_eq(g->em.fault.vector, LV_X86_VEC_GP);
	cr_expect_eq(g->set_regs_calls, 0);
	cr_expect_eq(g->nlog, 0);
	/* bsf in 16-bit mode through a page fault on the operand */
	fake_init(g, LV_X86_MODE_16);
	fake_code(g, "\x0f\xbc\x0f", 3); /* bsf cx, [bx] */
	g->regs.rbx = 0x3000;
	g->fault_page = 0x3000;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_FAULT);
	cr_expect_eq(g->em.fault.vector, LV_X86_VEC_PF);
	cr_expect_eq(g->set_regs_calls, 0);
	free(g);
}
