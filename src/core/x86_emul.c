/* SPDX-License-Identifier: MIT */
/*
 * x86 emulator for MMIO and string IO. See x86_emul.h for the protocol.
 * Execution works on a copy of the registers; memory writes are collected
 * and applied only when the instruction commits, so a fault or a pending
 * device read leaves no trace and the instruction can be replayed.
 */
#include "x86_emul.h"
#include "x86_alu.h"
#include "x86_emul_int.h"
#include "lvlib.h"

#include <stddef.h>

enum { ST_IDLE = 0, ST_READ, ST_WRITES };

#define PAGE_SIZE 4096u

/* Internal result of an execution step: 0 = ok, else an lv_x86_emul_status. */
#define OK 0

/* ---- registers ---- */

/* struct lv_regs field of each register number in encoding order (SDM Vol. 2, Table 2-2). */
static const uint8_t reg_off[16] = {
	offsetof(struct lv_regs, rax), offsetof(struct lv_regs, rcx), offsetof(struct lv_regs, rdx),
	offsetof(struct lv_regs, rbx), offsetof(struct lv_regs, rsp), offsetof(struct lv_regs, rbp),
	offsetof(struct lv_regs, rsi), offsetof(struct lv_regs, rdi), offsetof(struct lv_regs, r8),
	offsetof(struct lv_regs, r9),  offsetof(struct lv_regs, r10), offsetof(struct lv_regs, r11),
	offsetof(struct lv_regs, r12), offsetof(struct lv_regs, r13), offsetof(struct lv_regs, r14),
	offsetof(struct lv_regs, r15),
};

static uint64_t *reg_ptr(struct lv_regs *r, unsigned n)
{
	return (uint64_t *)((char *)r + reg_off[n & 15]);
}

static uint64_t reg_read(struct lv_regs *r, unsigned n, unsigned size, unsigned high8)
{
	uint64_t v = *reg_ptr(r, n);

	if (high8)
		return (v >> 8) & 0xff;
	return v & lv_x86_mask(size);
}

/* Register write semantics: 32-bit results zero-extend, 8/16-bit merge (SDM Vol. 1, 3.4.1.1). */
static void reg_write(struct lv_regs *r, unsigned n, unsigned size, unsigned high8, uint64_t v)
{
	uint64_t *p = reg_ptr(r, n);

	if (high8)
		*p = (*p & ~0xff00ull) | ((v & 0xff) << 8);
	else if (size == 4)
		*p = v & 0xffffffffull;
	else if (size == 8)
		*p = v;
	else
		*p = (*p & ~lv_x86_mask(size)) | (v & lv_x86_mask(size));
}

/* ---- segmentation (SDM Vol. 3, 5.3 limit checking, 5.4 type checking) ---- */

static const struct lv_segment *seg_of(const struct lv_x86_emul *em, unsigned seg)
{
	const struct lv_segs *s = em->env->segs;

	switch (seg) {
	case LV_X86_SEG_ES:
		return &s->es;
	case LV_X86_SEG_CS:
		return &s->cs;
	case LV_X86_SEG_SS:
		return &s->ss;
	case LV_X86_SEG_FS:
		return &s->fs;
	case LV_X86_SEG_GS:
		return &s->gs;
	default:
		return &s->ds;
	}
}

static int seg_fault(struct lv_x86_emul *em, unsigned seg)
{
	em->fault.vector = seg == LV_X86_SEG_SS ? LV_X86_VEC_SS : LV_X86_VEC_GP;
	em->fault.has_error_code = 1;
	em->fault.error_code = 0;
	em->fault.cr2 = 0;
	return LV_X86_EMUL_FAULT;
}

static bool canonical(uint64_t la, bool la57)
{
	unsigned sh = la57 ? 7 : 16;

	return (uint64_t)((int64_t)(la << sh) >> sh) == la;
}

/* Linear address of seg:ea for an access of @size bytes. */
static int linear(struct lv_x86_emul *em, unsigned seg, uint64_t ea, unsigned size, uint32_t acc,
		  uint64_t *la)
{
	const struct lv_segment *s = seg_of(em, seg);

	if (em->env->mode == LV_X86_MODE_64) {
		uint64_t base = (seg == LV_X86_SEG_FS || seg == LV_X86_SEG_GS) ? s->base : 0;

		*la = base + ea;
		if (!canonical(*la, em->env->la57) || !canonical(*la + size - 1, em->env->la57))
			return seg_fault(em, seg);
		return OK;
	}
	if (em->env->pe) {
		if (s->unusable || !s->present)
			return seg_fault(em, seg);
		if (s->type & 8) { /* code: never writable, readable only with R */
			if ((acc & LV_ACCESS_WRITE) || (!(acc & LV_ACCESS_EXEC) && !(s->type & 2)))
				return seg_fault(em, seg);
		} else if ((acc & LV_ACCESS_WRITE) && !(s->type & 2)) {
			return seg_fault(em, seg);
		}
	}
	if (!(s->type & 8) && (s->type & 4) && em->env->pe) {
		/* expand-down: valid offsets are (limit, 0xffff or 0xffffffff] */
		uint64_t top = s->db ? 0xffffffffull : 0xffffull;

		if (ea <= s->limit || ea + size - 1 > top)
			return seg_fault(em, seg);
	} else if (ea + size - 1 > s->limit) {
		return seg_fault(em, seg);
	}
	*la = (s->base + ea) & 0xffffffffull;
	return OK;
}

/* ---- memory ---- */

struct frag {
	uint64_t gpa;
	unsigned len;
};

/* Translate the (at most two) page fragments of [la, la + size). */
static int translate(struct lv_x86_emul *em, uint64_t la, unsigned size, uint32_t acc,
		     struct frag f[2], unsigned *nf)
{
	unsigned done = 0, n = 0;

	while (done < size) {
		uint64_t a = la + done;
		unsigned chunk;
		int r;

		if (em->env->mode != LV_X86_MODE_64)
			a &= 0xffffffffull;
		chunk = PAGE_SIZE - (unsigned)(a & (PAGE_SIZE - 1));
		if (chunk > size - done)
			chunk = size - done;
		r = em->ops->translate(em->ctx, a, acc, &f[n].gpa, &em->fault);
		if (r == LV_X86_EMUL_FAULT)
			return r;
		if (r)
			return LV_X86_EMUL_UNHANDLEABLE;
		f[n++].len = chunk;
		done += chunk;
	}
	*nf = n;
	return OK;
}

/* A device read: replayed from the log, or a new pending access. */
static int ext_read(struct lv_x86_emul *em, uint64_t addr, unsigned len, bool io, uint8_t *out)
{
	struct lv_x86_access *a;

	if (em->cursor < em->nlog) {
		a = &em->log[em->cursor++];
		if (a->addr != addr || a->size != len || a->is_io != io || a->is_write)
			return LV_X86_EMUL_UNHANDLEABLE; /* not a replay of the same step */
		memcpy(out, a->data, len);
		return OK;
	}
	if (em->nlog >= LV_X86_EMUL_MAX_READS)
		return LV_X86_EMUL_UNHANDLEABLE;
	memset(&em->access, 0, sizeof(em->access));
	em->access.addr = addr;
	em->access.size = (uint8_t)len;
	em->access.is_io = io;
	return LV_X86_EMUL_ACCESS;
}

static int ext_write(struct lv_x86_emul *em, uint64_t addr, unsigned len, bool io,
		     const uint8_t *data)
{
	struct lv_x86_access *a;

	if (em->nwq >= LV_X86_EMUL_MAX_WRITES)
		return LV_X86_EMUL_UNHANDLEABLE;
	a = &em->wq[em->nwq++];
	memset(a, 0, sizeof(*a));
	a->addr = addr;
	a->size = (uint8_t)len;
	a->is_write = 1;
	a->is_io = io;
	memcpy(a->data, data, len);
	return OK;
}

static uint64_t le_load(const uint8_t *b, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | b[n];
	return v;
}

static void le_store(uint8_t *b, unsigned n, uint64_t v)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		b[i] = (uint8_t)v;
}

/* #AC(0): misaligned data access at CPL 3 with CR0.AM and RFLAGS.AC (SDM Vol. 3, 6.15). */
static int align_check(struct lv_x86_emul *em, uint64_t la, unsigned size)
{
	const uint64_t rflags_ac = 1ull << 18;

	if (!em->env->am || em->env->cpl != 3 || !(em->regs.rflags & rflags_ac) ||
	    !(la & (size - 1)))
		return OK;
	em->fault.vector = LV_X86_VEC_AC;
	em->fault.has_error_code = 1;
	em->fault.error_code = 0;
	em->fault.cr2 = 0;
	return LV_X86_EMUL_FAULT;
}

/* Read @size bytes at linear @la; @tacc is the access checked by the walk. */
static int mem_read(struct lv_x86_emul *em, uint64_t la, unsigned size, uint32_t tacc,
		    uint64_t *val)
{
	struct frag f[2];
	uint8_t buf[8];
	unsigned nf, i, off = 0;
	int r = align_check(em, la, size);

	if (!r)
		r = translate(em, la, size, tacc, f, &nf);
	if (r)
		return r;
	for (i = 0; i < nf; i++) {
		void *p = em->ops->ram(em->ctx, f[i].gpa, f[i].len, LV_ACCESS_READ);

		if (p)
			memcpy(buf + off, p, f[i].len);
		else if ((r = ext_read(em, f[i].gpa, f[i].len, false, buf + off)) != OK)
			return r;
		off += f[i].len;
	}
	*val = le_load(buf, size);
	return OK;
}

/* Write @size bytes at linear @la: RAM parts at commit, device parts queued. */
static int mem_write(struct lv_x86_emul *em, uint64_t la, unsigned size, uint64_t val)
{
	struct frag f[2];
	uint8_t buf[8];
	unsigned nf, i, off = 0;
	int r = align_check(em, la, size);

	if (!r)
		r = translate(em, la, size, LV_ACCESS_WRITE, f, &nf);
	if (r)
		return r;
	le_store(buf, size, val);
	for (i = 0; i < nf; i++) {
		void *p = em->ops->ram(em->ctx, f[i].gpa, f[i].len, LV_ACCESS_WRITE);

		if (p) {
			if (em->nram >= LV_X86_EMUL_MAX_WRITES)
				return LV_X86_EMUL_UNHANDLEABLE;
			em->ramw[em->nram].hva = p;
			em->ramw[em->nram].len = (uint8_t)f[i].len;
			memcpy(em->ramw[em->nram].data, buf + off, f[i].len);
			em->nram++;
		} else if ((r = ext_write(em, f[i].gpa, f[i].len, false, buf + off)) != OK) {
			return r;
		}
		off += f[i].len;
	}
	return OK;
}

int lv_x86_emul_seg_rw(struct lv_x86_emul *em, unsigned seg, uint64_t ea, unsigned size, bool write,
		       uint64_t *v)
{
	uint64_t la;
	int r = linear(em, seg, ea, size, write ? LV_ACCESS_WRITE : LV_ACCESS_READ, &la);

	if (r)
		return r;
	return write ? mem_write(em, la, size, *v) : mem_read(em, la, size, LV_ACCESS_READ, v);
}

/* ---- operands ---- */

static uint64_t next_rip(const struct lv_x86_emul *em)
{
	uint64_t ip = em->saved.rip + em->insn.len;

	if (em->env->mode == LV_X86_MODE_16)
		return ip & 0xffff;
	if (em->env->mode == LV_X86_MODE_32)
		return ip & 0xffffffffull;
	return ip;
}

/* Effective address of the ModRM/moffs operand (SDM Vol. 1, 3.7.5), address-size wrapped. */
static uint64_t modrm_ea(struct lv_x86_emul *em)
{
	const struct lv_x86_mem *m = &em->insn.mem;
	uint64_t ea = (uint64_t)m->disp;

	if (m->base == LV_X86_REG_RIP)
		ea += next_rip(em);
	else if (m->base != LV_X86_REG_NONE)
		ea += *reg_ptr(&em->regs, m->base);
	if (m->index != LV_X86_REG_NONE)
		ea += *reg_ptr(&em->regs, m->index) * m->scale;
	return ea & lv_x86_mask(em->insn.addrsize);
}

/* The memory operand's linear address; @adjust is added to the EA (BT bit strings). */
static int mem_la(struct lv_x86_emul *em, int64_t adjust, unsigned size, uint32_t acc, uint64_t *la)
{
	uint64_t ea = (modrm_ea(em) + (uint64_t)adjust) & lv_x86_mask(em->insn.addrsize);

	return linear(em, em->insn.mem.seg, ea, size, acc, la);
}

int lv_x86_emul_opnd_read(struct lv_x86_emul *em, const struct lv_x86_operand *o, int64_t adjust,
			  uint32_t tacc, uint64_t *v)
{
	uint64_t la;
	int r;

	switch (o->kind) {
	case LV_X86_OPND_REG:
		*v = reg_read(&em->regs, o->reg, o->size, o->high8);
		return OK;
	case LV_X86_OPND_IMM:
		*v = em->insn.imm;
		return OK;
	case LV_X86_OPND_MEM:
		r = mem_la(em, adjust, o->size, tacc, &la);
		if (r)
			return r;
		return mem_read(em, la, o->size, tacc, v);
	default:
		return LV_X86_EMUL_UNHANDLEABLE;
	}
}

int lv_x86_emul_opnd_write(struct lv_x86_emul *em, const struct lv_x86_operand *o, unsigned size,
			   int64_t adjust, uint64_t v)
{
	uint64_t la;
	int r;

	if (o->kind == LV_X86_OPND_REG) {
		reg_write(&em->regs, o->reg, size, o->high8, v);
		return OK;
	}
	if (o->kind != LV_X86_OPND_MEM)
		return LV_X86_EMUL_UNHANDLEABLE;
	r = mem_la(em, adjust, size, LV_ACCESS_WRITE, &la);
	if (r)
		return r;
	return mem_write(em, la, size, v);
}

/* ---- instructions ---- */

static int exec_alu(struct lv_x86_emul *em)
{
	const struct lv_x86_insn *in = &em->insn;
	unsigned op = in->op, sz = in->opsize;
	bool writes = op != LV_X86_OP_CMP && op != LV_X86_OP_TEST;
	uint32_t tacc = writes ? LV_ACCESS_READ | LV_ACCESS_WRITE : LV_ACCESS_READ;
	uint64_t a, b = 0, res;
	int r;

	r = lv_x86_emul_opnd_read(em, &in->opnd[0], 0, tacc, &a);
	if (r)
		return r;
	if (in->nopnd > 1) {
		r = lv_x86_emul_opnd_read(em, &in->opnd[1], 0, LV_ACCESS_READ, &b);
		if (r)
			return r;
	}
	res = lv_x86_alu(op, sz, a, b, &em->regs.rflags);
	if (writes)
		return lv_x86_emul_opnd_write(em, &in->opnd[0], sz, 0, res);
	return OK;
}

/* BT/BTS/BTR/BTC: bit-string addressing for memory with a register offset (SDM Vol. 2, BT). */
static int exec_bt(struct lv_x86_emul *em)
{
	const struct lv_x86_insn *in = &em->insn;
	unsigned sz = in->opsize, bits = 8 * sz, shift = sz == 2 ? 4 : sz == 4 ? 5 : 6;
	uint32_t tacc = in->op == LV_X86_OP_BT ? LV_ACCESS_READ : LV_ACCESS_READ | LV_ACCESS_WRITE;
	int64_t adjust = 0;
	uint64_t off, v, bit;
	int r;

	r = lv_x86_emul_opnd_read(em, &in->opnd[1], 0, LV_ACCESS_READ, &off);
	if (r)
		return r;
	if (in->opnd[1].kind == LV_X86_OPND_REG && in->opnd[0].kind == LV_X86_OPND_MEM) {
		int64_t s = (int64_t)lv_x86_sext(off, sz);

		adjust = (s >> shift) * (int64_t)sz;
	}
	bit = off & (bits - 1);
	r = lv_x86_emul_opnd_read(em, &in->opnd[0], adjust, tacc, &v);
	if (r)
		return r;
	em->regs.rflags = (em->regs.rflags & ~(uint64_t)LV_X86_CF) | ((v >> bit) & 1);
	switch (in->op) {
	case LV_X86_OP_BTS:
		v |= 1ull << bit;
		break;
	case LV_X86_OP_BTR:
		v &= ~(1ull << bit);
		break;
	case LV_X86_OP_BTC:
		v ^= 1ull << bit;
		break;
	default:
		return OK;
	}
	return lv_x86_emul_opnd_write(em, &in->opnd[0], sz, adjust, v);
}

static int exec_cmpxchg(struct lv_x86_emul *em)
{
	const struct lv_x86_insn *in = &em->insn;
	unsigned sz = in->opsize;
	uint64_t d, src, acc = reg_read(&em->regs, 0, sz, 0);
	int r;

	r = lv_x86_emul_opnd_read(em, &in->opnd[0], 0, LV_ACCESS_READ | LV_ACCESS_WRITE, &d);
	if (r)
		return r;
	src = reg_read(&em->regs, in->opnd[1].reg, sz, in->opnd[1].high8);
	lv_x86_alu(LV_X86_OP_CMP, sz, acc, d, &em->regs.rflags);
	if (em->regs.rflags & LV_X86_ZF)
		return lv_x86_emul_opnd_write(em, &in->opnd[0], sz, 0, src);
	/*
	 * Failure: the accumulator is loaded; a memory destination is written
	 * back unchanged (the locked read is always paired with a write, SDM
	 * Vol. 2, CMPXCHG). A register destination is left alone, as the AMD
	 * host the tests compare against does (no zero-extension of r32).
	 */
	if (in->opnd[0].kind == LV_X86_OPND_MEM) {
		r = lv_x86_emul_opnd_write(em, &in->opnd[0], sz, 0, d);
		if (r)
			return r;
	}
	reg_write(&em->regs, 0, sz, 0, d);
	return OK;
}

static int exec_string(struct lv_x86_emul *em)
{
	const struct lv_x86_insn *in = &em->insn;
	unsigned sz = in->opsize, as = in->addrsize;
	uint64_t amask = lv_x86_mask(as);
	struct lv_regs *g = &em->regs;
	uint64_t si = g->rsi & amask, di = g->rdi & amask, cnt = g->rcx & amask;
	uint64_t delta = (g->rflags & LV_X86_DF) ? (uint64_t)0 - sz : sz;
	uint64_t la, v = 0, w = 0;
	uint8_t buf[8];
	bool more;
	int r = OK;

	if (in->rep && cnt == 0) {
		g->rip = next_rip(em);
		return OK;
	}
	switch (in->op) {
	case LV_X86_OP_MOVS:
	case LV_X86_OP_LODS:
	case LV_X86_OP_CMPS:
	case LV_X86_OP_OUTS:
		r = lv_x86_emul_seg_rw(em, in->mem.seg, si, sz, false, &v);
		if (r)
			return r;
		break;
	default:
		break;
	}
	switch (in->op) {
	case LV_X86_OP_CMPS:
	case LV_X86_OP_SCAS:
		r = lv_x86_emul_seg_rw(em, LV_X86_SEG_ES, di, sz, false, &w);
		if (r)
			return r;
		if (in->op == LV_X86_OP_SCAS)
			lv_x86_alu(LV_X86_OP_CMP, sz, reg_read(g, 0, sz, 0), w, &g->rflags);
		else
			lv_x86_alu(LV_X86_OP_CMP, sz, v, w, &g->rflags);
		break;
	case LV_X86_OP_INS: {
		struct frag f[2];
		unsigned nf;

		/* Check the destination first: a fault must come before the port is read. */
		r = linear(em, LV_X86_SEG_ES, di, sz, LV_ACCESS_WRITE, &la);
		if (!r)
			r = translate(em, la, sz, LV_ACCESS_WRITE, f, &nf);
		if (!r)
			r = ext_read(em, g->rdx & 0xffff, sz, true, buf);
		if (r)
			return r;
	}
		v = le_load(buf, sz);
		/* fall through */
	case LV_X86_OP_MOVS:
	case LV_X86_OP_STOS:
		if (in->op == LV_X86_OP_STOS)
			v = reg_read(g, 0, sz, 0);
		r = lv_x86_emul_seg_rw(em, LV_X86_SEG_ES, di, sz, true, &v);
		break;
	case LV_X86_OP_LODS:
		reg_write(g, 0, sz, 0, v);
		break;
	case LV_X86_OP_OUTS:
		le_store(buf, sz, v);
		r = ext_write(em, g->rdx & 0xffff, sz, true, buf);
		break;
	default:
		return LV_X86_EMUL_UNHANDLEABLE;
	}
	if (r)
		return r;
	/* Index registers move by the element size, wrapped to the address size. */
	if (in->op != LV_X86_OP_STOS && in->op != LV_X86_OP_SCAS && in->op != LV_X86_OP_INS)
		reg_write(g, 6, as, 0, si + delta);
	if (in->op != LV_X86_OP_LODS && in->op != LV_X86_OP_OUTS)
		reg_write(g, 7, as, 0, di + delta);
	more = false;
	if (in->rep) {
		reg_write(g, 1, as, 0, cnt - 1);
		more = ((cnt - 1) & amask) != 0;
		/* REPE/REPNE end on ZF only for CMPS/SCAS (SDM Vol. 2, REP). */
		if (in->op == LV_X86_OP_CMPS || in->op == LV_X86_OP_SCAS) {
			bool zf = g->rflags & LV_X86_ZF;

			if ((in->rep == LV_X86_REP_E && !zf) || (in->rep == LV_X86_REP_NE && zf))
				more = false;
		}
	}
	if (!more)
		g->rip = next_rip(em);
	return OK;
}

static int exec(struct lv_x86_emul *em)
{
	const struct lv_x86_insn *in = &em->insn;
	uint64_t v;
	int r;

	if (in->op >= LV_X86_OP_MOVS && in->op <= LV_X86_OP_OUTS)
		return exec_string(em);
	em->regs.rip = next_rip(em);
	switch (in->op) {
	case LV_X86_OP_MOV:
	case LV_X86_OP_MOVNTI:
		r = lv_x86_emul_opnd_read(em, &in->opnd[1], 0, LV_ACCESS_READ, &v);
		if (r)
			return r;
		return lv_x86_emul_opnd_write(em, &in->opnd[0], in->opsize, 0, v);
	case LV_X86_OP_MOVZX:
	case LV_X86_OP_MOVSX:
		r = lv_x86_emul_opnd_read(em, &in->opnd[1], 0, LV_ACCESS_READ, &v);
		if (r)
			return r;
		if (in->op == LV_X86_OP_MOVSX)
			v = lv_x86_sext(v, in->opnd[1].size);
		return lv_x86_emul_opnd_write(em, &in->opnd[0], in->opsize, 0, v);
	case LV_X86_OP_XCHG: {
		uint64_t m;

		r = lv_x86_emul_opnd_read(em, &in->opnd[0], 0, LV_ACCESS_READ | LV_ACCESS_WRITE,
					  &m);
		if (r)
			return r;
		v = reg_read(&em->regs, in->opnd[1].reg, in->opsize, in->opnd[1].high8);
		r = lv_x86_emul_opnd_write(em, &in->opnd[0], in->opsize, 0, v);
		if (r)
			return r;
		return lv_x86_emul_opnd_write(em, &in->opnd[1], in->opsize, 0, m);
	}
	case LV_X86_OP_BT:
	case LV_X86_OP_BTS:
	case LV_X86_OP_BTR:
	case LV_X86_OP_BTC:
		return exec_bt(em);
	case LV_X86_OP_CMPXCHG:
		return exec_cmpxchg(em);
	case LV_X86_OP_SMSW:
		return lv_x86_emul_sys(em);

	case LV_X86_OP_ADD:
	case LV_X86_OP_OR:
	case LV_X86_OP_ADC:
	case LV_X86_OP_SBB:
	case LV_X86_OP_AND:
	case LV_X86_OP_SUB:
	case LV_X86_OP_XOR:
	case LV_X86_OP_CMP:
	case LV_X86_OP_TEST:
	case LV_X86_OP_INC:
	case LV_X86_OP_DEC:
	case LV_X86_OP_NEG:
	case LV_X86_OP_NOT:
		return exec_alu(em);
	default: /* the groups of x86_emul_arith.c, or UNHANDLEABLE */
		return lv_x86_emul_arith(em);
	}
}

/* ---- driver ---- */

static int commit(struct lv_x86_emul *em)
{
	const uint64_t rflags_tf = 1ull << 8, rflags_rf = 1ull << 16;
	unsigned i;

	/* RF is cleared once an instruction completes (SDM Vol. 3, 18.3.1.1). */
	em->regs.rflags &= ~rflags_rf;
	em->single_step = (em->saved.rflags & rflags_tf) != 0;
	for (i = 0; i < em->nram; i++)
		memcpy(em->ramw[i].hva, em->ramw[i].data, em->ramw[i].len);
	if (em->ops->set_regs(em->ctx, &em->regs))
		return LV_X86_EMUL_UNHANDLEABLE;
	em->nlog = 0;
	if (em->nwq) {
		em->access = em->wq[0];
		em->wq_pos = 1;
		em->state = ST_WRITES;
		return LV_X86_EMUL_ACCESS;
	}
	em->state = ST_IDLE;
	return LV_X86_EMUL_DONE;
}

static int run(struct lv_x86_emul *em)
{
	int r;

	em->regs = em->saved;
	em->cursor = 0;
	em->nwq = 0;
	em->nram = 0;
	r = exec(em);
	if (r == OK)
		return commit(em);
	if (r == LV_X86_EMUL_ACCESS) {
		em->state = ST_READ;
		return r;
	}
	em->state = ST_IDLE;
	em->nlog = 0;
	return r == LV_X86_EMUL_FAULT ? r : LV_X86_EMUL_UNHANDLEABLE;
}

/* Fetch up to 15 bytes at CS:RIP (SDM Vol. 3, 5.3: CS limit applies to fetches). */
static int fetch(struct lv_x86_emul *em, uint8_t *buf, unsigned *n, bool *tail_fault)
{
	const struct lv_segment *cs = &em->env->segs->cs;
	uint64_t rip = em->saved.rip, la;
	unsigned want = LV_X86_MAX_INSN_LEN, got = 0;
	int r;

	*tail_fault = false;
	if (em->env->mode != LV_X86_MODE_64) {
		if (rip > cs->limit)
			return seg_fault(em, LV_X86_SEG_CS);
		if (cs->limit - rip + 1 < want)
			want = (unsigned)(cs->limit - rip + 1);
		la = (cs->base + rip) & 0xffffffffull;
	} else {
		la = rip;
		if (!canonical(la, em->env->la57))
			return seg_fault(em, LV_X86_SEG_CS);
	}
	while (got < want) {
		uint64_t a = la + got, gpa;
		unsigned chunk;
		void *p;

		if (em->env->mode != LV_X86_MODE_64)
			a &= 0xffffffffull;
		chunk = PAGE_SIZE - (unsigned)(a & (PAGE_SIZE - 1));
		if (chunk > want - got)
			chunk = want - got;
		r = em->ops->translate(em->ctx, a, LV_ACCESS_EXEC, &gpa, &em->fault);
		if (r == LV_X86_EMUL_FAULT && got) {
			*tail_fault = true; /* decode what we have; fault only if needed */
			break;
		}
		if (r)
			return r == LV_X86_EMUL_FAULT ? r : LV_X86_EMUL_UNHANDLEABLE;
		p = em->ops->ram(em->ctx, gpa, chunk, LV_ACCESS_READ);
		if (!p)
			return LV_X86_EMUL_UNHANDLEABLE; /* executing from a device */
		memcpy(buf + got, p, chunk);
		got += chunk;
	}
	*n = got;
	return OK;
}

void lv_x86_emul_init(struct lv_x86_emul *em, const struct lv_x86_emul_ops *ops, void *ctx,
		      const struct lv_x86_env *env)
{
	memset(em, 0, sizeof(*em));
	em->ops = ops;
	em->ctx = ctx;
	em->env = env;
}

int lv_x86_emul_start(struct lv_x86_emul *em, const uint8_t *bytes, unsigned n)
{
	uint8_t buf[LV_X86_MAX_INSN_LEN];
	bool tail_fault = false;
	int r;

	em->state = ST_IDLE;
	em->nlog = 0;
	em->single_step = 0;
	if (em->ops->get_regs(em->ctx, &em->saved))
		return LV_X86_EMUL_UNHANDLEABLE;
	if (n) { /* bytes from the hardware; too few of them: fetch instead */
		r = lv_x86_decode(bytes, n, (enum lv_x86_mode)em->env->mode, &em->insn);
		if (r == LV_X86_DEC_TRUNCATED)
			n = 0;
		else if (r)
			return LV_X86_EMUL_UNHANDLEABLE;
	}
	if (n == 0) {
		r = fetch(em, buf, &n, &tail_fault);
		if (r)
			return r;
		r = lv_x86_decode(buf, n, (enum lv_x86_mode)em->env->mode, &em->insn);
		if (r == LV_X86_DEC_TRUNCATED && tail_fault)
			return LV_X86_EMUL_FAULT; /* the instruction continues on a faulting page */
		if (r == LV_X86_DEC_TRUNCATED && n < LV_X86_MAX_INSN_LEN)
			return seg_fault(em, LV_X86_SEG_CS); /* it runs past the CS limit */
		if (r)
			return LV_X86_EMUL_UNHANDLEABLE;
	}
	return run(em);
}

int lv_x86_emul_resume(struct lv_x86_emul *em)
{
	switch (em->state) {
	case ST_READ:
		em->log[em->nlog++] = em->access;
		return run(em);
	case ST_WRITES:
		if (em->wq_pos < em->nwq) {
			em->access = em->wq[em->wq_pos++];
			return LV_X86_EMUL_ACCESS;
		}
		em->state = ST_IDLE;
		return LV_X86_EMUL_DONE;
	default:
		return LV_X86_EMUL_UNHANDLEABLE;
	}
}
