/* SPDX-License-Identifier: MIT */
/*
 * x86 instruction decoder for the MMIO subset. Encoding rules from the SDM
 * Vol. 2, chapter 2 (instruction format, 2.1; REX, 2.2.1; ModRM/SIB
 * addressing, Tables 2-1 to 2-3; 64-bit mode, 2.2.1.6 RIP-relative).
 */
#include "x86_decode.h"
#include "x86_opcodes.h"
#include "lvlib.h"

/* Decoding cursor. */
struct cursor {
	const uint8_t *buf;
	size_t avail;
	size_t pos;
};

/* Read @n little-endian bytes; false when the buffer or 15-byte limit ends. */
static inline int take(struct cursor *c, unsigned n, uint64_t *v)
{
	uint64_t x = 0;
	unsigned i;

	if (c->pos + n > LV_X86_MAX_INSN_LEN)
		return LV_X86_DEC_INVALID; /* longer than 15 bytes: #GP on hardware */
	if (c->pos + n > c->avail)
		return LV_X86_DEC_TRUNCATED;
	for (i = 0; i < n; i++)
		x |= (uint64_t)c->buf[c->pos + i] << (8 * i);
	c->pos += n;
	*v = x;
	return LV_X86_DEC_OK;
}

static inline int64_t sext(uint64_t v, unsigned bytes)
{
	unsigned sh = 64 - 8 * bytes;

	return (int64_t)(v << sh) >> sh;
}

/* 16-bit ModRM addressing, SDM Vol. 2, Table 2-1. */
static const uint8_t modrm16_base[8] = { 3, 3, 5, 5, 6, 7, 5, 3 }; /* BX BX BP BP SI DI BP BX */
static const uint8_t modrm16_index[8] = { 6, 7, 6, 7, 0xff, 0xff, 0xff, 0xff }; /* SI DI SI DI */

static int decode_modrm_mem(struct cursor *c, struct lv_x86_insn *in)
{
	unsigned mod = in->modrm >> 6, rm = in->modrm & 7;
	struct lv_x86_mem *m = &in->mem;
	unsigned dsz = 0;
	uint64_t v;
	int r;

	m->base = LV_X86_REG_NONE;
	m->index = LV_X86_REG_NONE;
	m->scale = 1;
	m->disp = 0;
	if (in->addrsize == 2) {
		if (mod == 0 && rm == 6) {
			dsz = 2;
		} else {
			m->base = modrm16_base[rm];
			m->index = modrm16_index[rm];
		}
		if (mod == 1)
			dsz = 1;
		else if (mod == 2)
			dsz = 2;
	} else {
		if (rm == 4) {
			unsigned sib, ss, idx, base;

			r = take(c, 1, &v);
			if (r)
				return r;
			sib = (unsigned)v;
			in->sib = (uint8_t)sib;
			in->has_sib = 1;
			ss = sib >> 6;
			idx = ((sib >> 3) & 7) | ((in->rex & 2u) << 2);
			base = (sib & 7) | ((in->rex & 1u) << 3);
			if (idx != 4) /* SIB.index = 100b without REX.X means none */
				m->index = (uint8_t)idx;
			m->scale = (uint8_t)(1u << ss);
			if ((sib & 7) == 5 && mod == 0)
				dsz = 4; /* no base, disp32 */
			else
				m->base = (uint8_t)base;
		} else if (mod == 0 && rm == 5) {
			dsz = 4;
			if (in->mode == LV_X86_MODE_64)
				m->base = LV_X86_REG_RIP; /* SDM Vol. 2, 2.2.1.6 */
		} else {
			m->base = (uint8_t)(rm | ((in->rex & 1u) << 3));
		}
		if (mod == 1)
			dsz = 1;
		else if (mod == 2)
			dsz = 4;
	}
	if (dsz) {
		r = take(c, dsz, &v);
		if (r)
			return r;
		m->disp = sext(v, dsz);
	}
	/* Default segment: SS for (E/R)BP/(E/R)SP-based forms, DS otherwise (SDM Vol. 1, 3.7.4). */
	if (in->seg_override != LV_X86_SEG_NONE)
		m->seg = in->seg_override;
	else if (m->base == 4 || m->base == 5)
		m->seg = LV_X86_SEG_SS;
	else
		m->seg = LV_X86_SEG_DS;
	return LV_X86_DEC_OK;
}

static void set_reg(struct lv_x86_operand *o, unsigned reg, unsigned size, unsigned rex)
{
	o->kind = LV_X86_OPND_REG;
	o->size = (uint8_t)size;
	o->reg = (uint8_t)reg;
	o->high8 = 0;
	if (size == 1 && !rex && reg >= 4 && reg < 8) {
		o->reg = (uint8_t)(reg - 4);
		o->high8 = 1;
	}
}

static void set_mem(struct lv_x86_operand *o, unsigned size)
{
	o->kind = LV_X86_OPND_MEM;
	o->size = (uint8_t)size;
	o->reg = 0;
	o->high8 = 0;
}

int lv_x86_decode(const uint8_t *buf, size_t avail, enum lv_x86_mode mode, struct lv_x86_insn *in)
{
	struct cursor c = { buf, avail, 0 };
	const struct lv_x86_opdesc *d;
	unsigned opsz_pfx = 0, adsz_pfx = 0, mand_pfx = 0, b, osz, imm_sz = 0;
	unsigned seg_pfx = LV_X86_SEG_NONE;
	/* The last segment prefix counts; 64-bit mode ignores ES/CS/SS/DS (SDM Vol. 1, 3.3.7.1). */
	bool null_seg = mode == LV_X86_MODE_64;
	uint64_t v;
	int r;

	memset(in, 0, sizeof(*in));
	in->mode = (uint8_t)mode;
	in->seg_override = LV_X86_SEG_NONE;

	/* Prefixes (SDM Vol. 2, 2.1.1). A REX not directly before the opcode is ignored. */
	for (;;) {
		r = take(&c, 1, &v);
		if (r)
			return r;
		b = (unsigned)v;
		switch (b) {
		case 0x66:
			opsz_pfx = 1;
			mand_pfx = 1;
			break;
		case 0x67:
			adsz_pfx = 1;
			break;
		case 0x26:
			seg_pfx = null_seg ? seg_pfx : LV_X86_SEG_ES;
			break;
		case 0x2e:
			seg_pfx = null_seg ? seg_pfx : LV_X86_SEG_CS;
			break;
		case 0x36:
			seg_pfx = null_seg ? seg_pfx : LV_X86_SEG_SS;
			break;
		case 0x3e:
			seg_pfx = null_seg ? seg_pfx : LV_X86_SEG_DS;
			break;
		case 0x64:
			seg_pfx = LV_X86_SEG_FS;
			break;
		case 0x65:
			seg_pfx = LV_X86_SEG_GS;
			break;
		case 0xf0:
			in->lock = 1;
			break;
		case 0xf2:
			in->rep = LV_X86_REP_NE;
			mand_pfx = 1;
			break;
		case 0xf3:
			in->rep = LV_X86_REP_E;
			mand_pfx = 1;
			break;
		default:
			if (mode == LV_X86_MODE_64 && (b & 0xf0) == 0x40) {
				in->rex = (uint8_t)b;
				continue;
			}
			goto opcode;
		}
		in->rex = 0;
	}
opcode:
	in->seg_override = (uint8_t)seg_pfx;
	if (b == 0x0f) {
		r = take(&c, 1, &v);
		if (r)
			return r;
		b = (unsigned)v;
		in->map = 1;
		d = &lv_x86_map2[b];
	} else {
		d = &lv_x86_map1[b];
	}
	in->opcode = (uint8_t)b;
	if (d->form == LV_X86_FORM_NONE)
		return LV_X86_DEC_INVALID;

	/* Sizes (SDM Vol. 1, 3.6; Vol. 2, 2.2.1.2). */
	if (mode == LV_X86_MODE_64) {
		in->addrsize = adsz_pfx ? 4 : 8;
		osz = (in->rex & 8) ? 8 : (opsz_pfx ? 2 : 4);
	} else {
		unsigned def = mode == LV_X86_MODE_32 ? 4 : 2;

		in->addrsize = (uint8_t)(adsz_pfx ? 6 - def : def);
		osz = opsz_pfx ? 6 - def : def;
	}

	if (d->form == LV_X86_FORM_GROUP || d->form == LV_X86_FORM_EG ||
	    d->form == LV_X86_FORM_GE || d->form == LV_X86_FORM_GEI || d->form == LV_X86_FORM_EGI ||
	    d->form == LV_X86_FORM_EGC) {
		r = take(&c, 1, &v);
		if (r)
			return r;
		in->modrm = (uint8_t)v;
		in->has_modrm = 1;
		if (d->form == LV_X86_FORM_GROUP) {
			d = &lv_x86_groups[d->op][(in->modrm >> 3) & 7];
			if (d->form == LV_X86_FORM_NONE)
				return LV_X86_DEC_INVALID;
		}
	}
	in->op = d->op;
	if (d->flags & LV_X86_F_BYTE)
		osz = 1;
	if ((d->flags & LV_X86_F_IO) && osz == 8)
		osz = 4; /* REX.W is ignored by INS/OUTS */
	if (in->op == LV_X86_OP_MOVNTI)
		osz = (in->rex & 8) ? 8 : 4; /* m32/m64 only */
	if ((in->op == LV_X86_OP_PUSH || in->op == LV_X86_OP_POP) && mode == LV_X86_MODE_64)
		osz = (in->rex & 8) || !opsz_pfx ? 8
						 : 2; /* 64 by default, no 32 (SDM Vol. 1, 3.6) */
	if (in->op == LV_X86_OP_SMSW)
		osz = 2; /* m16 whatever the operand size (SDM Vol. 2B, SMSW) */
	in->opsize = (uint8_t)osz;
	if ((d->flags & LV_X86_F_NOPFX) && mand_pfx)
		return LV_X86_DEC_INVALID;
	if ((in->op == LV_X86_OP_BSF || in->op == LV_X86_OP_BSR) && in->rep == LV_X86_REP_E)
		return LV_X86_DEC_INVALID; /* TZCNT/LZCNT on CPUs with BMI1/ABM */
	if (in->lock && (!(d->flags & LV_X86_F_LOCK) || (in->modrm >> 6) == 3))
		return LV_X86_DEC_INVALID; /* #UD, SDM Vol. 2, LOCK */
	if (d->form != LV_X86_FORM_STR)
		in->rep = LV_X86_REP_NONE; /* ignored outside string instructions */

	switch (d->form) {
	case LV_X86_FORM_AO:
	case LV_X86_FORM_OA:
		r = take(&c, in->addrsize, &v);
		if (r)
			return r;
		in->mem.base = LV_X86_REG_NONE;
		in->mem.index = LV_X86_REG_NONE;
		in->mem.scale = 1;
		in->mem.disp = (int64_t)v;
		in->mem.seg = in->seg_override != LV_X86_SEG_NONE ? in->seg_override
								  : LV_X86_SEG_DS;
		set_reg(&in->opnd[d->form == LV_X86_FORM_AO ? 0 : 1], 0, osz, in->rex);
		set_mem(&in->opnd[d->form == LV_X86_FORM_AO ? 1 : 0], osz);
		in->nopnd = 2;
		break;
	case LV_X86_FORM_STR:
		in->mem.base = LV_X86_REG_NONE;
		in->mem.index = LV_X86_REG_NONE;
		in->mem.scale = 1;
		/* The DS:rSI source may be overridden; ES:rDI never (SDM Vol. 2, MOVS). */
		in->mem.seg = in->seg_override != LV_X86_SEG_NONE ? in->seg_override
								  : LV_X86_SEG_DS;
		break;
	default: {
		unsigned reg = ((in->modrm >> 3) & 7) | ((in->rex & 4u) << 1);
		unsigned rm = (in->modrm & 7) | ((in->rex & 1u) << 3);
		unsigned esz = osz, mod = in->modrm >> 6;
		bool ge = d->form == LV_X86_FORM_GE || d->form == LV_X86_FORM_GEI;
		bool eg = d->form == LV_X86_FORM_EG || d->form == LV_X86_FORM_EGI ||
			  d->form == LV_X86_FORM_EGC;
		struct lv_x86_operand *e, *g;

		if (in->op == LV_X86_OP_MOVZX || in->op == LV_X86_OP_MOVSX)
			esz = (d->flags & LV_X86_F_SRC16) ? 2 : 1;
		if (mod == 3 && (d->flags & LV_X86_F_MEMONLY))
			return LV_X86_DEC_INVALID;
		e = &in->opnd[ge ? 1 : 0];
		g = &in->opnd[ge ? 0 : 1];
		if (mod == 3) {
			set_reg(e, rm, esz, in->rex);
		} else {
			r = decode_modrm_mem(&c, in);
			if (r)
				return r;
			set_mem(e, esz);
		}
		in->nopnd = 1;
		if (eg || ge) {
			set_reg(g, reg, osz, in->rex);
			in->nopnd = 2;
		}
		if (d->form == LV_X86_FORM_EI || d->form == LV_X86_FORM_GEI ||
		    d->form == LV_X86_FORM_EGI) {
			imm_sz = (d->flags & (LV_X86_F_BYTE | LV_X86_F_IMM8)) ? 1
									      : (osz == 2 ? 2 : 4);
			in->opnd[in->nopnd].kind = LV_X86_OPND_IMM;
			in->opnd[in->nopnd].size = (uint8_t)imm_sz;
			in->nopnd++;
		}
		break;
	}
	}
	if (imm_sz) {
		r = take(&c, imm_sz, &v);
		if (r)
			return r;
		in->imm = (d->flags & LV_X86_F_UIMM8) ? v : (uint64_t)sext(v, imm_sz);
	}
	in->len = (uint8_t)c.pos;
	return LV_X86_DEC_OK;
}

static const char *const op_names[LV_X86_OP_COUNT] = {
	[LV_X86_OP_NONE] = "?",		 [LV_X86_OP_MOV] = "mov",	[LV_X86_OP_MOVZX] = "movzx",
	[LV_X86_OP_MOVSX] = "movsx",	 [LV_X86_OP_MOVNTI] = "movnti", [LV_X86_OP_MOVS] = "movs",
	[LV_X86_OP_STOS] = "stos",	 [LV_X86_OP_LODS] = "lods",	[LV_X86_OP_CMPS] = "cmps",
	[LV_X86_OP_SCAS] = "scas",	 [LV_X86_OP_INS] = "ins",	[LV_X86_OP_OUTS] = "outs",
	[LV_X86_OP_ADD] = "add",	 [LV_X86_OP_OR] = "or",		[LV_X86_OP_ADC] = "adc",
	[LV_X86_OP_SBB] = "sbb",	 [LV_X86_OP_AND] = "and",	[LV_X86_OP_SUB] = "sub",
	[LV_X86_OP_XOR] = "xor",	 [LV_X86_OP_CMP] = "cmp",	[LV_X86_OP_TEST] = "test",
	[LV_X86_OP_INC] = "inc",	 [LV_X86_OP_DEC] = "dec",	[LV_X86_OP_NEG] = "neg",
	[LV_X86_OP_NOT] = "not",	 [LV_X86_OP_XCHG] = "xchg",	[LV_X86_OP_BT] = "bt",
	[LV_X86_OP_BTS] = "bts",	 [LV_X86_OP_BTR] = "btr",	[LV_X86_OP_BTC] = "btc",
	[LV_X86_OP_CMPXCHG] = "cmpxchg", [LV_X86_OP_SMSW] = "smsw",	[LV_X86_OP_BSF] = "bsf",
	[LV_X86_OP_BSR] = "bsr",	 [LV_X86_OP_IMUL] = "imul",	[LV_X86_OP_SHLD] = "shld",
	[LV_X86_OP_SHRD] = "shrd",	 [LV_X86_OP_XADD] = "xadd",	[LV_X86_OP_CMOV] = "cmov",
	[LV_X86_OP_MUL] = "mul",	 [LV_X86_OP_DIV] = "div",	[LV_X86_OP_IDIV] = "idiv",
	[LV_X86_OP_PUSH] = "push",	 [LV_X86_OP_POP] = "pop",
};

const char *lv_x86_op_name(unsigned op)
{
	return op < LV_X86_OP_COUNT ? op_names[op] : "?";
}
