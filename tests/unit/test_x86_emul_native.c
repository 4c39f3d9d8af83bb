/* SPDX-License-Identifier: MIT */
/*
 * Whole-instruction differential test of the emulator against the host CPU
 * (64-bit mode). Random instructions of the subset (random prefixes, REX,
 * ModRM/SIB/displacement, immediates) are executed natively from an
 * executable page on a data buffer below 4 GiB, and by the emulator on the
 * same addresses, once with the buffer as RAM and once as a device (every
 * access an MMIO exit). All general registers, RFLAGS (minus the flags the
 * SDM leaves undefined) and the buffer contents must match. REP string
 * instructions are driven element by element until RIP moves on.
 *
 * Instructions that would touch RSP, FS/GS, ports, or memory outside the
 * buffer are not generated / skipped (they would crash the test process).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/x86_alu.h"
#include "core/x86_emul.h"

#if defined(__x86_64__) && defined(MAP_32BIT)

#define BUF_SIZE 0x10000u

/* Runs lv_native_code with the registers of *regs (RSP and RIP excepted). */
void lv_native_run(struct lv_regs *regs);
void *lv_native_code;

_Static_assert(offsetof(struct lv_regs, rax) == 0, "lv_regs layout used by the trampoline");
_Static_assert(offsetof(struct lv_regs, rdi) == 40, "lv_regs layout used by the trampoline");
_Static_assert(offsetof(struct lv_regs, rbp) == 56, "lv_regs layout used by the trampoline");
_Static_assert(offsetof(struct lv_regs, r15) == 120, "lv_regs layout used by the trampoline");
_Static_assert(offsetof(struct lv_regs, rflags) == 136, "lv_regs layout used by the trampoline");

__asm__(".pushsection .text\n"
	".globl lv_native_run\n"
	"lv_native_run:\n"
	"	push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
	"	push %rdi\n"
	"	pushq 136(%rdi)\n"
	"	popfq\n"
	"	mov 0(%rdi), %rax\n mov 8(%rdi), %rbx\n mov 16(%rdi), %rcx\n mov 24(%rdi), %rdx\n"
	"	mov 32(%rdi), %rsi\n mov 56(%rdi), %rbp\n mov 64(%rdi), %r8\n mov 72(%rdi), %r9\n"
	"	mov 80(%rdi), %r10\n mov 88(%rdi), %r11\n mov 96(%rdi), %r12\n"
	"	mov 104(%rdi), %r13\n mov 112(%rdi), %r14\n mov 120(%rdi), %r15\n"
	"	mov 40(%rdi), %rdi\n"
	"	call *lv_native_code(%rip)\n"
	"	xchg %rdi, (%rsp)\n"
	"	mov %rax, 0(%rdi)\n mov %rbx, 8(%rdi)\n mov %rcx, 16(%rdi)\n mov %rdx, 24(%rdi)\n"
	"	mov %rsi, 32(%rdi)\n mov %rbp, 56(%rdi)\n mov %r8, 64(%rdi)\n mov %r9, 72(%rdi)\n"
	"	mov %r10, 80(%rdi)\n mov %r11, 88(%rdi)\n mov %r12, 96(%rdi)\n"
	"	mov %r13, 104(%rdi)\n mov %r14, 112(%rdi)\n mov %r15, 120(%rdi)\n"
	"	pushfq\n"
	"	popq 136(%rdi)\n"
	"	popq 40(%rdi)\n"
	"	cld\n"
	"	pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
	"	ret\n"
	".popsection\n");

#define HARNESS_SEED 0x243f6a8885a308d3ull
#include "x86_native_harness.h"

static bool in_buf(uint64_t a, uint64_t len)
{
	return a >= (uintptr_t)buf + 256 && a + len <= (uintptr_t)buf + BUF_SIZE - 256;
}

/* Device accesses must start inside the buffer, away from its edges. */
static bool dev_access_ok(uint64_t addr, uint32_t size)
{
	(void)size;
	return in_buf(addr, 0);
}

static void setup(void)
{
	code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
		   -1, 0);
	cr_assert(code != MAP_FAILED && buf != MAP_FAILED);
	init = malloc(BUF_SIZE);
	native_after = malloc(BUF_SIZE);
	memset(&segs, 0, sizeof(segs));
	env.mode = LV_X86_MODE_64;
	env.pe = 1;
	env.segs = &segs;
	lv_native_code = code;
}

static void teardown(void)
{
	munmap(code, 4096);
	munmap(buf, BUF_SIZE);
	free(init);
	free(native_after);
}

static bool uses_rsp(const struct lv_x86_insn *in)
{
	for (unsigned i = 0; i < in->nopnd; i++)
		if (in->opnd[i].kind == LV_X86_OPND_REG && in->opnd[i].reg == 4 &&
		    !in->opnd[i].high8)
			return true;
	return in->mem.base == 4 || in->mem.index == 4;
}

/* Build one instruction + ret and registers that keep every access inside the buffer. */
static bool generate(struct lv_x86_insn *in, unsigned *len)
{
	static const uint8_t pfx[] = { 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x3e, 0x26, 0x36 };
	uint8_t b[16];
	unsigned k = 0, np = (unsigned)(rnd() % 3);
	uint16_t opc = opcodes[rnd() % (sizeof(opcodes) / sizeof(opcodes[0]))];
	uint64_t target = (uintptr_t)buf + 0x4000 + (rnd() % 0x8000);
	unsigned mod;

	for (int i = 0; i < 16; i++)
		b[i] = (uint8_t)rnd();
	for (unsigned i = 0; i < np; i++)
		b[k++] = pfx[rnd() % sizeof(pfx)];
	if (rnd() & 1)
		b[k++] = (uint8_t)(0x40 | (rnd() & 15));
	if (opc > 0xff)
		b[k++] = 0x0f;
	b[k++] = (uint8_t)opc;
	mod = (unsigned)(rnd() % 4);
	b[k] = (uint8_t)((b[k] & 0x3f) | (mod << 6)); /* ModRM (if any): every mod */
	if (lv_x86_decode(b, 15, LV_X86_MODE_64, in) != LV_X86_DEC_OK)
		return false;
	if (in->seg_override == LV_X86_SEG_FS || in->seg_override == LV_X86_SEG_GS)
		return false;
	if (uses_rsp(in) || in->op == LV_X86_OP_INS || in->op == LV_X86_OP_OUTS ||
	    !harness_op_ok(in))
		return false;
	if (in->mem.base == LV_X86_REG_RIP)
		return false;

	/* Registers: small random values; base/moffs/string pointers aimed into the buffer. */
	for (unsigned r = 0; r < 16; r++)
		*gpr(&regs, r) = (rnd() & 1) ? rnd() : rnd() % 512;
	regs.rsp = 0;
	regs.rflags = 0x202 | (rnd() & (LV_X86_ARITH_FLAGS | LV_X86_DF));
	if (in->op >= LV_X86_OP_MOVS && in->op <= LV_X86_OP_SCAS) {
		regs.rsi = target;
		regs.rdi = target + 0x800 - (rnd() % 16);
		regs.rcx = rnd() % 6;
		if (in->addrsize == 4) { /* only the low halves count */
			regs.rsi |= rnd() << 32;
			regs.rdi |= rnd() << 32;
			regs.rcx = (regs.rcx & 0xffffffff) | (rnd() << 32);
		}
	} else if (in->has_modrm && (in->modrm >> 6) != 3) {
		uint64_t idx = 0, ea;

		if (in->mem.base == LV_X86_REG_NONE)
			return false; /* absolute disp32: cannot aim it */
		if (in->mem.index != LV_X86_REG_NONE) {
			if (in->mem.index == in->mem.base)
				return false;
			idx = *gpr(&regs, in->mem.index) & 0xff;
			*gpr(&regs, in->mem.index) = idx;
		}
		*gpr(&regs, in->mem.base) = target - (uint64_t)in->mem.disp - idx * in->mem.scale;
		ea = *gpr(&regs, in->mem.base) + idx * in->mem.scale + (uint64_t)in->mem.disp;
		if (in->addrsize == 4)
			ea &= 0xffffffff;
		if (ea != target)
			return false;
		/* BT* with a register offset: keep the offset small and distinct */
		if (in->op >= LV_X86_OP_BT && in->op <= LV_X86_OP_BTC &&
		    in->opnd[1].kind == LV_X86_OPND_REG) {
			if (in->opnd[1].reg == in->mem.base || in->opnd[1].reg == in->mem.index)
				return false;
			*gpr(&regs, in->opnd[1].reg) = (rnd() % 4096) - 2048;
		}
	} else if (!in->has_modrm && (in->op == LV_X86_OP_MOV)) { /* moffs */
		uint64_t a = target;

		if (in->addrsize == 4)
			return false;
		memcpy(b + in->len - 8, &a, 8);
		if (lv_x86_decode(b, 15, LV_X86_MODE_64, in) != LV_X86_DEC_OK)
			return false;
	}
	memcpy(code, b, in->len);
	code[in->len] = 0xc3; /* ret */
	*len = in->len;
	return true;
}

static void dump(const struct lv_x86_insn *in, unsigned len)
{
	char hex[64] = "";

	for (unsigned i = 0; i < len; i++)
		sprintf(hex + 3 * i, "%02x ", code[i]);
	cr_log_error("insn %s (%s) as_device=%d", hex, lv_x86_op_name(in->op), as_device);
}

Test(x86_emul_native, random_instructions_match_the_cpu, .init = setup, .fini = teardown)
{
	unsigned done = 0, tries = 0;

	while (done < 20000 && tries < 2000000) {
		struct lv_x86_insn in;
		struct lv_regs start, native;
		uint64_t fmask = LV_X86_ARITH_FLAGS | LV_X86_DF;
		unsigned len;

		tries++;
		if (!generate(&in, &len))
			continue;
		/* string pointers and operands must stay in the buffer for every element */
		for (unsigned i = 0; i < BUF_SIZE; i++)
			buf[i] = (uint8_t)rnd();
		memcpy(init, buf, BUF_SIZE);
		start = regs;
		lv_native_run(&regs);
		native = regs;
		memcpy(native_after, buf, BUF_SIZE);
		if (in.op >= LV_X86_OP_BT && in.op <= LV_X86_OP_BTC)
			fmask = LV_X86_CF | LV_X86_ZF | LV_X86_DF; /* OF/SF/AF/PF undefined */

		for (as_device = 0; as_device < 2; as_device++) {
			memcpy(buf, init, BUF_SIZE);
			regs = start;
			run_emulator((uintptr_t)code, len, dev_access_ok);
			for (unsigned r = 0; r < 16; r++) {
				if (r == 4)
					continue;
				if (*gpr(&regs, r) != *gpr(&native, r))
					dump(&in, len);
				cr_assert_eq(*gpr(&regs, r), *gpr(&native, r),
					     "reg %u: emulator %#lx cpu %#lx", r,
					     (unsigned long)*gpr(&regs, r),
					     (unsigned long)*gpr(&native, r));
			}
			if ((regs.rflags & fmask) != (native.rflags & fmask))
				dump(&in, len);
			cr_assert_eq(regs.rflags & fmask, native.rflags & fmask,
				     "flags emulator %#lx cpu %#lx", (unsigned long)regs.rflags,
				     (unsigned long)native.rflags);
			if (memcmp(buf, native_after, BUF_SIZE) != 0)
				dump(&in, len);
			cr_assert_eq(memcmp(buf, native_after, BUF_SIZE), 0, "memory differs");
		}
		done++;
	}
	cr_log_info("%u instructions compared (%u generated)", done, tries);
	cr_assert_eq(done, 20000, "only %u usable instructions in %u tries", done, tries);
}

#else
Test(x86_emul_native, needs_x86_64_linux, .disabled = true)
{
}
#endif
