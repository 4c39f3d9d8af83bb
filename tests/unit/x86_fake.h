/* SPDX-License-Identifier: MIT */
/*
 * A fake guest for the x86 emulator tests: identity-mapped RAM at GPA
 * [0, FAKE_RAM), a device (MMIO) window at [FAKE_DEV, FAKE_DEV + FAKE_DEV_SIZE)
 * backed by a byte array, a list of every device access in order, and an
 * optional faulting page. Header-only so each test file stays one unit.
 */
#ifndef LV_TEST_X86_FAKE_H
#define LV_TEST_X86_FAKE_H

#include <string.h>

#include "core/x86_alu.h"
#include "core/x86_emul.h"

#define FAKE_RAM      0x20000u
#define FAKE_DEV      0x100000u
#define FAKE_DEV_SIZE 0x3000u
#define FAKE_MAX_LOG  64

struct fake {
	uint8_t ram[FAKE_RAM];
	uint8_t dev[FAKE_DEV_SIZE];
	uint8_t ports[0x10000];
	struct lv_regs regs;
	struct lv_segs segs;
	struct lv_x86_env env;
	struct lv_x86_emul em;
	struct lv_x86_access log[FAKE_MAX_LOG];
	unsigned nlog;
	uint64_t fault_page; /* linear page that faults (#PF), 0 = none */
	uint64_t ro_page;    /* RAM page mapped read-only (writes become MMIO), 0 = none */
	int set_regs_calls;
};

static int fake_translate(void *ctx, uint64_t gla, uint32_t access, uint64_t *gpa,
			  struct lv_x86_fault *f)
{
	struct fake *g = ctx;

	if (g->fault_page && (gla & ~0xfffull) == g->fault_page) {
		f->vector = LV_X86_VEC_PF;
		f->has_error_code = 1;
		f->error_code = (access & LV_ACCESS_WRITE) ? 2 : 0;
		f->cr2 = gla;
		return LV_X86_EMUL_FAULT;
	}
	*gpa = gla;
	return 0;
}

static void *fake_ram(void *ctx, uint64_t gpa, uint32_t len, uint32_t access)
{
	struct fake *g = ctx;

	if (gpa + len > FAKE_RAM)
		return NULL;
	if ((access & LV_ACCESS_WRITE) && g->ro_page && (gpa & ~0xfffull) == g->ro_page)
		return NULL;
	return &g->ram[gpa];
}

static int fake_get_regs(void *ctx, struct lv_regs *r)
{
	*r = ((struct fake *)ctx)->regs;
	return 0;
}

static int fake_set_regs(void *ctx, const struct lv_regs *r)
{
	struct fake *g = ctx;

	g->regs = *r;
	g->set_regs_calls++;
	return 0;
}

static const struct lv_x86_emul_ops fake_ops = {
	.translate = fake_translate,
	.ram = fake_ram,
	.get_regs = fake_get_regs,
	.set_regs = fake_set_regs,
};

static inline void fake_flat_seg(struct lv_segment *s, uint8_t type, int db)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffffffffu;
	s->type = type;
	s->s = 1;
	s->present = 1;
	s->db = (uint8_t)db;
	s->g = 1;
}

/* A flat guest in the given mode; code at 0x1000. */
static inline void fake_init(struct fake *g, enum lv_x86_mode mode)
{
	memset(g, 0, sizeof(*g));
	fake_flat_seg(&g->segs.cs, 0xb, mode == LV_X86_MODE_32);
	g->segs.cs.l = mode == LV_X86_MODE_64;
	fake_flat_seg(&g->segs.ds, 3, 1);
	g->segs.es = g->segs.ss = g->segs.fs = g->segs.gs = g->segs.ds;
	if (mode == LV_X86_MODE_16) { /* real-mode style 64 KiB segments */
		g->segs.cs.limit = g->segs.ds.limit = 0xffff;
		g->segs.es = g->segs.ss = g->segs.fs = g->segs.gs = g->segs.ds;
	}
	g->env.mode = (uint8_t)mode;
	g->env.pe = mode != LV_X86_MODE_16;
	g->env.segs = &g->segs;
	g->regs.rip = 0x1000;
	g->regs.rflags = 2;
	lv_x86_emul_init(&g->em, &fake_ops, g, &g->env);
}

static inline void fake_code(struct fake *g, const void *bytes, size_t n)
{
	memcpy(&g->ram[g->regs.rip + g->segs.cs.base], bytes, n);
}

/* Run one start() to completion, answering reads from the device/ports arrays. */
static inline int fake_run(struct fake *g)
{
	int st = lv_x86_emul_start(&g->em, NULL, 0);

	while (st == LV_X86_EMUL_ACCESS) {
		struct lv_x86_access *a = &g->em.access;
		uint8_t *mem;

		if (a->is_io)
			mem = &g->ports[a->addr];
		else if (a->addr >= FAKE_DEV && a->addr + a->size <= FAKE_DEV + FAKE_DEV_SIZE)
			mem = &g->dev[a->addr - FAKE_DEV];
		else
			mem = &g->ram[a->addr]; /* a write to a read-only RAM page */
		if (a->is_write)
			memcpy(mem, a->data, a->size);
		else
			memcpy(a->data, mem, a->size);
		if (g->nlog < FAKE_MAX_LOG)
			g->log[g->nlog++] = *a;
		st = lv_x86_emul_resume(&g->em);
	}
	return st;
}

#endif /* LV_TEST_X86_FAKE_H */
