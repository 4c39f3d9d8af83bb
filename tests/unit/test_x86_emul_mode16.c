/* SPDX-License-Identifier: MIT */
/*
 * The emulator in 16-bit mode against the host CPU: random instructions of
 * the subset run natively in a 16-bit protected-mode code segment of the
 * process's LDT (modify_ldt), with DS = ES = a 16-bit data segment based at
 * a buffer (SS stays the flat 32-bit USER_DS), entered with a far return
 * and left with a far jump back to 0x33; and through the emulator with the
 * same segments and registers, once with the buffer as RAM and once as a
 * device. EAX..EDI (low 32 bits), the arithmetic flags and DF, and the
 * buffer must match. 16- and 32-bit addressing (67) are both exercised.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <asm/ldt.h>

#include "core/x86_alu.h"
#include "core/x86_emul.h"

#if defined(__x86_64__) && defined(__linux__) && defined(MAP_32BIT)

#define BUF_SIZE 0x10000u
#define LOW_SIZE 0x10000u

void lv_m16_run(struct lv_regs *regs);
void lv_m16_back(void);
uint64_t lv_m16_saved_rsp, lv_m16_low_stack, lv_m16_entry, lv_m16_cs, lv_m16_ds;

__asm__(".pushsection .text\n"
	".globl lv_m16_run\n"
	"lv_m16_run:\n"
	"	push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
	"	mov %rsp, lv_m16_saved_rsp(%rip)\n"
	"	mov lv_m16_low_stack(%rip), %rsp\n"
	"	mov lv_m16_ds(%rip), %rax\n" /* the 16-bit data segment */
	"	mov %eax, %ds\n"
	"	mov %eax, %es\n"
	"	pushq lv_m16_cs(%rip)\n"
	"	pushq lv_m16_entry(%rip)\n"
	"	pushq 136(%rdi)\n"
	"	popfq\n"
	"	mov 0(%rdi), %rax\n mov 8(%rdi), %rbx\n mov 16(%rdi), %rcx\n mov 24(%rdi), %rdx\n"
	"	mov 32(%rdi), %rsi\n mov 56(%rdi), %rbp\n mov 40(%rdi), %rdi\n"
	"	lretq\n"
	".globl lv_m16_back\n"
	"lv_m16_back:\n"
	"	mov lv_m16_saved_rsp(%rip), %rsp\n"
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
	lv_m16_low_stack = (uintptr_t)low + LOW_SIZE - 64;
	lv_m16_entry = 0; /* IP 0 of the code segment */
	/* 64-bit stub at code + 0xf00: jmp *[rip] to lv_m16_back */
	uint64_t back = (uintptr_t)lv_m16_back;

	memcpy(code + 0xf00, "\xff\x25\x00\x00\x00\x00", 6);
	memcpy(code + 0xf06, &back, 8);

	/* LDT 0: 16-bit code at the code page; LDT 1: 16-bit data at the buffer */
	struct user_desc cd = { .entry_number = 0,
				.base_addr = (uint32_t)(uintptr_t)code,
				.limit = 0xffff,
				.contents = MODIFY_LDT_CONTENTS_CODE,
				.useable = 1 };
	struct user_desc dd = { .entry_number = 1,
				.base_addr = (uint32_t)(uintptr_t)buf,
				.limit = 0xffff,
				.contents = MODIFY_LDT_CONTENTS_DATA,
				.useable = 1 };

	cr_assert_eq(syscall(SYS_modify_ldt, 1, &cd, sizeof(cd)), 0);
	cr_assert_eq(syscall(SYS_modify_ldt, 1, &dd, sizeof(dd)), 0);
	lv_m16_cs = 0x07; /* LDT index 0, RPL 3 */
	lv_m16_ds = 0x0f; /* LDT index 1, RPL 3 */

	memset(&segs, 0, sizeof(segs));
	segs.cs.base = (uintptr_t)code;
	segs.cs.limit = 0xffff;
	segs.cs.type = 0xb;
	segs.cs.s = segs.cs.present = 1;
	segs.cs.dpl = 3;
	segs.ds = segs.cs;
	segs.ds.base = (uintptr_t)buf;
	segs.ds.type = 3;
	segs.es = segs.ds;
	flat(&segs.ss, 3);
	segs.fs = segs.gs = segs.ds;
	env.mode = LV_X86_MODE_16;
	env.pe = 1;
	env.cpl = 3;
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

/* 16-bit code after the instruction: store EAX..EDI and EFLAGS at DS:OUT, ljmp 0x33. */
#define OUT 0xff00u
static unsigned epilogue(uint8_t *p)
{
	static const uint8_t modrm[8] = { 0, 0x0e, 0x16, 0x1e, 0, 0x2e, 0x36, 0x3e };
	uint32_t stub = (uint32_t)(uintptr_t)code + 0xf00;
	unsigned k = 0;

	p[k++] = 0x66; /* pushfd (SS is 32-bit: ESP) */
	p[k++] = 0x9c;
	p[k++] = 0x66; /* mov [OUT], eax */
	p[k++] = 0xa3;
	p[k++] = OUT & 0xff;
	p[k++] = OUT >> 8;
	for (unsigned r = 1; r < 8; r++) {
		uint16_t a = (uint16_t)(OUT + 4 * r);

		if (r == 4)
			continue;
		p[k++] = 0x66; /* mov [OUT + 4r], r32 */
		p[k++] = 0x89;
		p[k++] = modrm[r];
		memcpy(p + k, &a, 2);
		k += 2;
	}
	p[k++] = 0x66; /* pop dword [OUT + 32] */
	p[k++] = 0x8f;
	p[k++] = 0x06;
	p[k++] = (OUT + 32) & 0xff;
	p[k++] = (OUT + 32) >> 8;
	p[k++] = 0x66; /* ljmp 0x33:stub (32-bit offset) */
	p[k++] = 0xea;
	memcpy(p + k, &stub, 4);
	k += 4;
	p[k++] = 0x33;
	p[k++] = 0x00;
	return k;
}

static bool generate(struct lv_x86_insn *in)
{
	/* no CS (writes #GP), no SS (flat, below 64 KiB nothing is mapped) */
	static const uint8_t pfx[] = { 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x3e, 0x26 };
	uint8_t b[16];
	unsigned k = 0, np = (unsigned)(rnd() % 3);
	uint16_t opc = opcodes[rnd() % (sizeof(opcodes) / sizeof(opcodes[0]))];
	uint32_t target = 0x1000 + (uint32_t)(rnd() % 0xc000); /* offset in DS */

	for (int i = 0; i < 16; i++)
		b[i] = (uint8_t)rnd();
	for (unsigned i = 0; i < np; i++)
		b[k++] = pfx[rnd() % sizeof(pfx)];
	if (opc > 0xff)
		b[k++] = 0x0f;
	b[k++] = (uint8_t)opc;
	b[k] = (uint8_t)((b[k] & 0x3f) | ((rnd() % 4) << 6));
	if (lv_x86_decode(b, 15, LV_X86_MODE_16, in) != LV_X86_DEC_OK)
		return false;
	if (in->op == LV_X86_OP_INS || in->op == LV_X86_OP_OUTS || !harness_op_ok(in))
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
		if (in->mem.seg != LV_X86_SEG_DS && in->mem.seg != LV_X86_SEG_ES)
			return false;
		regs.rsi = target;
		regs.rdi = target + 0x800 - (rnd() % 16);
		regs.rcx = rnd() % 6;
		if (in->addrsize == 2) { /* only the low halves count */
			regs.rsi |= (uint32_t)rnd() & 0xffff0000u;
			regs.rdi |= (uint32_t)rnd() & 0xffff0000u;
			regs.rcx |= (uint32_t)rnd() & 0xffff0000u;
		}
	} else if (in->has_modrm && (in->modrm >> 6) != 3) {
		uint32_t idx = 0;

		if (in->mem.seg != LV_X86_SEG_DS && in->mem.seg != LV_X86_SEG_ES)
			return false; /* BP-based forms default to SS */
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
		if (in->addrsize == 2) /* 16-bit EA wraps: keep noise in the upper half */
			*gpr(&regs, in->mem.base) = (*gpr(&regs, in->mem.base) & 0xffff) |
						    ((uint32_t)rnd() & 0xffff0000u);
		if (in->op >= LV_X86_OP_BT && in->op <= LV_X86_OP_BTC &&
		    in->opnd[1].kind == LV_X86_OPND_REG) {
			if (in->opnd[1].reg == in->mem.base || in->opnd[1].reg == in->mem.index)
				return false;
			*gpr(&regs, in->opnd[1].reg) = (uint32_t)((rnd() % 4096) - 2048);
		}
	} else if (!in->has_modrm && in->op == LV_X86_OP_MOV) {
		if (in->mem.seg != LV_X86_SEG_DS && in->mem.seg != LV_X86_SEG_ES)
			return false;
		memcpy(b + in->len - in->addrsize, &target, in->addrsize);
		if (lv_x86_decode(b, 15, LV_X86_MODE_16, in) != LV_X86_DEC_OK)
			return false;
	}
	memcpy(code, b, in->len);
	epilogue(code + in->len);
	return true;
}

Test(x86_emul_mode16, random_instructions_match_the_cpu_in_16bit_mode, .init = setup,
     .fini = teardown)
{
	const struct low32_test t = {
		.mode = "16-bit",
		.want = 10000,
		.max_tries = 1000000,
		.generate = generate,
		.epilogue = epilogue,
		.run_native = lv_m16_run,
		.out = buf + OUT,
		.rip = 0,	/* IP 0 of the code segment */
		.mem_len = OUT, /* the epilogue stored the CPU registers at DS:OUT.. */
	};

	compare_low32(&t);
}

#else
Test(x86_emul_mode16, needs_x86_64_linux, .disabled = true)
{
}
#endif
