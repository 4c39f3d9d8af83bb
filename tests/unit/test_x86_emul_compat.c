/* SPDX-License-Identifier: MIT */
/*
 * The emulator in 32-bit mode against the host CPU in compatibility mode:
 * random instructions of the subset run natively in a 32-bit code segment
 * (Linux's USER32_CS, selector 0x23, entered with a far return and left
 * with a far jump back to 0x33) and through the emulator with the same
 * registers on the same buffer below 4 GiB, once as RAM and once as a
 * device. The low 32 bits of EAX..EDI, the arithmetic flags and DF, and the
 * memory must match (the upper halves are undefined after the mode switch).
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

#if defined(__x86_64__) && defined(__linux__) && defined(MAP_32BIT)

#define BUF_SIZE 0x10000u
#define LOW_SIZE 0x10000u

void lv_compat_run(struct lv_regs *regs);
void lv_compat_back(void);
uint64_t lv_compat_saved_rsp, lv_compat_low_stack, lv_compat_entry;

__asm__(".pushsection .text\n"
	".globl lv_compat_run\n"
	"lv_compat_run:\n"
	"	push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
	"	mov %rsp, lv_compat_saved_rsp(%rip)\n"
	"	mov lv_compat_low_stack(%rip), %rsp\n"
	"	mov $0x2b, %eax\n" /* USER_DS: null DS/ES fault in compatibility mode */
	"	mov %eax, %ds\n"
	"	mov %eax, %es\n"
	"	pushq $0x23\n"
	"	pushq lv_compat_entry(%rip)\n"
	"	pushq 136(%rdi)\n"
	"	popfq\n"
	"	mov 0(%rdi), %rax\n mov 8(%rdi), %rbx\n mov 16(%rdi), %rcx\n mov 24(%rdi), %rdx\n"
	"	mov 32(%rdi), %rsi\n mov 56(%rdi), %rbp\n mov 40(%rdi), %rdi\n"
	"	lretq\n"
	".globl lv_compat_back\n"
	"lv_compat_back:\n"
	"	mov lv_compat_saved_rsp(%rip), %rsp\n"
	"	xor %eax, %eax\n"
	"	mov %eax, %ds\n"
	"	mov %eax, %es\n"
	"	cld\n"
	"	pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
	"	ret\n"
	".popsection\n");

static uint8_t *low;
#define HARNESS_SEED 0x13198a2e03707344ull
#include "x86_native_harness.h"

static void setup(void)
{
	code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	/* 64 KiB: the out area at +0x800 and a stack below +LOW_SIZE big enough for signal frames */
	low = mmap(NULL, LOW_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
		   -1, 0);
	buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
		   -1, 0);
	cr_assert(code != MAP_FAILED && low != MAP_FAILED && buf != MAP_FAILED);
	init = malloc(BUF_SIZE);
	native_after = malloc(BUF_SIZE);
	lv_compat_low_stack = (uintptr_t)low + LOW_SIZE - 64;
	lv_compat_entry = (uintptr_t)code;
	/* 64-bit stub at code + 0xf00: jmp *[rip] to lv_compat_back */
	uint64_t back = (uintptr_t)lv_compat_back;

	memcpy(code + 0xf00, "\xff\x25\x00\x00\x00\x00", 6);
	memcpy(code + 0xf06, &back, 8);
	flat(&segs.cs, 0xb);
	flat(&segs.ds, 3);
	segs.es = segs.ss = segs.fs = segs.gs = segs.ds;
	env.mode = LV_X86_MODE_32;
	env.pe = 1;
	env.segs = &segs;
}

static void teardown(void)
{
	munmap(code, 4096);
	munmap(low, LOW_SIZE);
	munmap(buf, BUF_SIZE);
	free(init);
	free(native_after);
}

/* 32-bit code after the instruction: store EAX..EDI and EFLAGS at low + 0x800, ljmp 0x33. */
static unsigned epilogue(uint8_t *p)
{
	static const uint8_t modrm[8] = { 0, 0x0d, 0x15, 0x1d, 0, 0x2d, 0x35, 0x3d };
	uint32_t out = (uint32_t)(uintptr_t)low + 0x800, stub = (uint32_t)(uintptr_t)code + 0xf00;
	unsigned k = 0;

	p[k++] = 0x9c; /* pushfd */
	p[k++] = 0xa3; /* mov [out], eax */
	memcpy(p + k, &out, 4);
	k += 4;
	for (unsigned r = 1; r < 8; r++) {
		uint32_t a = out + 4 * r;

		if (r == 4)
			continue;
		p[k++] = 0x89; /* mov [out + 4r], r32 */
		p[k++] = modrm[r];
		memcpy(p + k, &a, 4);
		k += 4;
	}
	p[k++] = 0x8f; /* pop dword [out + 32] */
	p[k++] = 0x05;
	uint32_t fl = out + 32;

	memcpy(p + k, &fl, 4);
	k += 4;
	p[k++] = 0xea; /* ljmp 0x33:stub */
	memcpy(p + k, &stub, 4);
	k += 4;
	p[k++] = 0x33;
	p[k++] = 0x00;
	return k;
}

static bool generate(struct lv_x86_insn *in)
{
	static const uint8_t pfx[] = {
		0x66, 0xf0, 0xf2, 0xf3, 0x3e, 0x26, 0x36
	}; /* no CS: writes #GP */
	uint8_t b[16];
	unsigned k = 0, np = (unsigned)(rnd() % 3);
	uint16_t opc = opcodes[rnd() % (sizeof(opcodes) / sizeof(opcodes[0]))];
	uint32_t target = (uint32_t)(uintptr_t)buf + 0x4000 + (uint32_t)(rnd() % 0x8000);

	for (int i = 0; i < 16; i++)
		b[i] = (uint8_t)rnd();
	for (unsigned i = 0; i < np; i++)
		b[k++] = pfx[rnd() % sizeof(pfx)];
	if (opc > 0xff)
		b[k++] = 0x0f;
	b[k++] = (uint8_t)opc;
	b[k] = (uint8_t)((b[k] & 0x3f) | ((rnd() % 4) << 6));
	if (lv_x86_decode(b, 15, LV_X86_MODE_32, in) != LV_X86_DEC_OK)
		return false;
	if (in->addrsize != 4 || in->op == LV_X86_OP_INS || in->op == LV_X86_OP_OUTS ||
	    !harness_op_ok(in))
		return false;
	for (unsigned i = 0; i < in->nopnd; i++)
		if (in->opnd[i].kind == LV_X86_OPND_REG && in->opnd[i].reg == 4 &&
		    !in->opnd[i].high8)
			return false;
	if (in->mem.base == 4 || in->mem.index == 4)
		return false;
	for (unsigned r = 0; r < 8; r++)
		*gpr(&regs, r) = (rnd() & 1) ? (uint32_t)rnd() : rnd() % 512;
	regs.rsp = 0;
	regs.rflags = 0x202 | (rnd() & (LV_X86_ARITH_FLAGS | LV_X86_DF));
	if (in->op >= LV_X86_OP_MOVS && in->op <= LV_X86_OP_SCAS) {
		regs.rsi = target;
		regs.rdi = target + 0x800 - (rnd() % 16);
		regs.rcx = rnd() % 6;
	} else if (in->has_modrm && (in->modrm >> 6) != 3) {
		uint32_t idx = 0;

		if (in->mem.base == LV_X86_REG_NONE)
			return false;
		if (in->mem.index != LV_X86_REG_NONE) {
			if (in->mem.index == in->mem.base)
				return false;
			idx = (uint32_t)*gpr(&regs, in->mem.index) & 0xff;
			*gpr(&regs, in->mem.index) = idx;
		}
		*gpr(&regs, in->mem.base) = (uint32_t)(target - (uint32_t)in->mem.disp -
						       idx * in->mem.scale);
		if (in->op >= LV_X86_OP_BT && in->op <= LV_X86_OP_BTC &&
		    in->opnd[1].kind == LV_X86_OPND_REG) {
			if (in->opnd[1].reg == in->mem.base || in->opnd[1].reg == in->mem.index)
				return false;
			*gpr(&regs, in->opnd[1].reg) = (uint32_t)((rnd() % 4096) - 2048);
		}
	} else if (!in->has_modrm && in->op == LV_X86_OP_MOV) {
		memcpy(b + in->len - 4, &target, 4);
		if (lv_x86_decode(b, 15, LV_X86_MODE_32, in) != LV_X86_DEC_OK)
			return false;
	}
	memcpy(code, b, in->len);
	epilogue(code + in->len);
	return true;
}

Test(x86_emul_compat, random_instructions_match_the_cpu_in_32bit_mode, .init = setup,
     .fini = teardown)
{
	const struct low32_test t = {
		.mode = "32-bit",
		.want = 20000,
		.max_tries = 2000000,
		.generate = generate,
		.epilogue = epilogue,
		.run_native = lv_compat_run,
		.out = low + 0x800,
		.rip = (uintptr_t)code,
		.mem_len = BUF_SIZE,
	};

	compare_low32(&t);
}

#else
Test(x86_emul_compat, needs_x86_64_linux, .disabled = true)
{
}
#endif
