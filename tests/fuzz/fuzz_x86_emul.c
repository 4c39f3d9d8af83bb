/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: decoder + emulator. Input layout:
 *   byte 0      mode (bits 1:0), DF (bit 2), faulting page (bit 3), RO page (bit 4)
 *   bytes 1-16  seeds for RBX/RSI/RDI/RCX (4 bytes each, scaled into the fake guest)
 *   bytes 17-31 the instruction
 *   rest        data returned by device reads, in order
 * Invariants: every status is one of the defined ones, every device access
 * has a size of 1-8 and lies inside the device window or a port, and the
 * protocol never needs more than a bounded number of steps.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/x86_emul.h"

#define RAM  0x4000u
#define DEV  0x10000u
#define DEVN 0x2000u

struct ctx {
	uint8_t ram[RAM];
	struct lv_regs regs;
	uint64_t fault_page, ro_page;
};

static int tr(void *c, uint64_t gla, uint32_t acc, uint64_t *gpa, struct lv_x86_fault *f)
{
	struct ctx *x = c;

	(void)acc;
	if (x->fault_page && (gla & ~0xfffull) == x->fault_page) {
		f->vector = 14;
		f->cr2 = gla;
		return LV_X86_EMUL_FAULT;
	}
	*gpa = gla & 0x1ffff; /* fold into [0, 128 KiB) */
	return 0;
}

static void *ram(void *c, uint64_t gpa, uint32_t len, uint32_t acc)
{
	struct ctx *x = c;

	if (len == 0 || len > 4096 || ((gpa & 0xfff) + len) > 4096)
		abort(); /* the emulator must never ask across a page */
	if (gpa + len > RAM)
		return NULL;
	if ((acc & LV_ACCESS_WRITE) && x->ro_page && (gpa & ~0xfffull) == x->ro_page)
		return NULL;
	return &x->ram[gpa];
}

static int get(void *c, struct lv_regs *r)
{
	*r = ((struct ctx *)c)->regs;
	return 0;
}

static int set(void *c, const struct lv_regs *r)
{
	((struct ctx *)c)->regs = *r;
	return 0;
}

static const struct lv_x86_emul_ops ops = { tr, ram, get, set };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctx x;
	struct lv_segs segs;
	struct lv_x86_env env;
	struct lv_x86_emul em;
	uint32_t seeds[4];
	size_t pos = 32;
	int st, steps = 0;

	if (size < 32)
		return 0;
	memset(&x, 0, sizeof(x));
	memset(&segs, 0, sizeof(segs));
	memset(&env, 0, sizeof(env));
	env.mode = data[0] % 3;
	env.pe = env.mode != LV_X86_MODE_16;
	segs.cs.limit = segs.ds.limit = env.mode == LV_X86_MODE_16 ? 0xffff : 0xffffffff;
	segs.cs.type = 0xb;
	segs.ds.type = 3;
	segs.cs.present = segs.ds.present = 1;
	segs.cs.db = env.mode == LV_X86_MODE_32;
	segs.cs.l = env.mode == LV_X86_MODE_64;
	segs.ds.db = 1;
	segs.es = segs.ss = segs.fs = segs.gs = segs.ds;
	env.segs = &segs;
	memcpy(seeds, data + 1, 16);
	x.regs.rbx = DEV + (seeds[0] % (DEVN + 64)) - 32;
	x.regs.rsi = seeds[1] & 1 ? DEV + (seeds[1] >> 1) % DEVN : (seeds[1] >> 1) % RAM;
	x.regs.rdi = seeds[2] & 1 ? DEV + (seeds[2] >> 1) % DEVN : (seeds[2] >> 1) % RAM;
	x.regs.rcx = seeds[3] % 5;
	x.regs.rax = seeds[0] ^ seeds[3];
	x.regs.rdx = seeds[1] ^ seeds[2];
	x.regs.rflags = 2 | ((data[0] & 4) ? 0x400 : 0);
	x.regs.rip = 0x1000;
	if (data[0] & 8)
		x.fault_page = 0x2000;
	if (data[0] & 16)
		x.ro_page = 0x3000;
	memcpy(&x.ram[0x1000], data + 17, 15);

	lv_x86_emul_init(&em, &ops, &x, &env);
	st = lv_x86_emul_start(&em, NULL, 0);
	while (st == LV_X86_EMUL_ACCESS) {
		if (em.access.size < 1 || em.access.size > 8)
			abort();
		if (!em.access.is_io && em.access.addr + em.access.size > 0x20000)
			abort();
		if (!em.access.is_write) {
			for (unsigned i = 0; i < em.access.size; i++)
				em.access.data[i] = pos < size ? data[pos++] : 0;
		}
		if (++steps > 16)
			abort(); /* at most 4 reads + 2 writes per step */
		st = lv_x86_emul_resume(&em);
	}
	if (st != LV_X86_EMUL_DONE && st != LV_X86_EMUL_FAULT && st != LV_X86_EMUL_UNHANDLEABLE)
		abort();
	return 0;
}
