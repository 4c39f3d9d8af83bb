/* SPDX-License-Identifier: MIT */
/*
 * Differential test of the MMIO instruction decoder against Zydis 4.
 *
 * Generates byte sequences (uniform random, random prefixes + subset opcodes,
 * and an enumeration of prefix x opcode x ModRM x SIB) in 16/32/64-bit
 * mode. For every sequence our decoder accepts, Zydis must accept it too and
 * agree on the length, mnemonic, operand and address size, LOCK/REP and
 * every explicit operand (registers, immediates, memory base/index/scale/
 * displacement/segment). Sequences Zydis decodes as a subset mnemonic that we
 * refuse are counted as coverage gaps (reported, not failures: refusing is
 * always allowed).
 *
 * Usage: zydis_diff [sequences] [seed]. Exit status 0 iff no mismatch.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <Zydis/Zydis.h>

#include "core/x86_decode.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

static const ZydisMnemonic plain_mnemonic[LV_X86_OP_COUNT] = {
	[LV_X86_OP_MOV] = ZYDIS_MNEMONIC_MOV,	      [LV_X86_OP_MOVZX] = ZYDIS_MNEMONIC_MOVZX,
	[LV_X86_OP_MOVSX] = ZYDIS_MNEMONIC_MOVSX,     [LV_X86_OP_MOVNTI] = ZYDIS_MNEMONIC_MOVNTI,
	[LV_X86_OP_ADD] = ZYDIS_MNEMONIC_ADD,	      [LV_X86_OP_OR] = ZYDIS_MNEMONIC_OR,
	[LV_X86_OP_ADC] = ZYDIS_MNEMONIC_ADC,	      [LV_X86_OP_SBB] = ZYDIS_MNEMONIC_SBB,
	[LV_X86_OP_AND] = ZYDIS_MNEMONIC_AND,	      [LV_X86_OP_SUB] = ZYDIS_MNEMONIC_SUB,
	[LV_X86_OP_XOR] = ZYDIS_MNEMONIC_XOR,	      [LV_X86_OP_CMP] = ZYDIS_MNEMONIC_CMP,
	[LV_X86_OP_TEST] = ZYDIS_MNEMONIC_TEST,	      [LV_X86_OP_INC] = ZYDIS_MNEMONIC_INC,
	[LV_X86_OP_DEC] = ZYDIS_MNEMONIC_DEC,	      [LV_X86_OP_NEG] = ZYDIS_MNEMONIC_NEG,
	[LV_X86_OP_NOT] = ZYDIS_MNEMONIC_NOT,	      [LV_X86_OP_XCHG] = ZYDIS_MNEMONIC_XCHG,
	[LV_X86_OP_BT] = ZYDIS_MNEMONIC_BT,	      [LV_X86_OP_BTS] = ZYDIS_MNEMONIC_BTS,
	[LV_X86_OP_BTR] = ZYDIS_MNEMONIC_BTR,	      [LV_X86_OP_BTC] = ZYDIS_MNEMONIC_BTC,
	[LV_X86_OP_CMPXCHG] = ZYDIS_MNEMONIC_CMPXCHG, [LV_X86_OP_SMSW] = ZYDIS_MNEMONIC_SMSW,
	[LV_X86_OP_BSF] = ZYDIS_MNEMONIC_BSF,	      [LV_X86_OP_BSR] = ZYDIS_MNEMONIC_BSR,
	[LV_X86_OP_IMUL] = ZYDIS_MNEMONIC_IMUL,	      [LV_X86_OP_SHLD] = ZYDIS_MNEMONIC_SHLD,
	[LV_X86_OP_SHRD] = ZYDIS_MNEMONIC_SHRD,	      [LV_X86_OP_XADD] = ZYDIS_MNEMONIC_XADD,
	[LV_X86_OP_MUL] = ZYDIS_MNEMONIC_MUL,	      [LV_X86_OP_DIV] = ZYDIS_MNEMONIC_DIV,
	[LV_X86_OP_IDIV] = ZYDIS_MNEMONIC_IDIV,	      [LV_X86_OP_PUSH] = ZYDIS_MNEMONIC_PUSH,
	[LV_X86_OP_POP] = ZYDIS_MNEMONIC_POP,
};

/* CMOVcc by condition (opcode & 0xf). */
static const ZydisMnemonic cmov_mnemonic[16] = {
	ZYDIS_MNEMONIC_CMOVO, ZYDIS_MNEMONIC_CMOVNO, ZYDIS_MNEMONIC_CMOVB,  ZYDIS_MNEMONIC_CMOVNB,
	ZYDIS_MNEMONIC_CMOVZ, ZYDIS_MNEMONIC_CMOVNZ, ZYDIS_MNEMONIC_CMOVBE, ZYDIS_MNEMONIC_CMOVNBE,
	ZYDIS_MNEMONIC_CMOVS, ZYDIS_MNEMONIC_CMOVNS, ZYDIS_MNEMONIC_CMOVP,  ZYDIS_MNEMONIC_CMOVNP,
	ZYDIS_MNEMONIC_CMOVL, ZYDIS_MNEMONIC_CMOVNL, ZYDIS_MNEMONIC_CMOVLE, ZYDIS_MNEMONIC_CMOVNLE,
};

/* String mnemonics by operand size 1, 2, 4, 8. */
static const ZydisMnemonic string_mnemonic[LV_X86_OP_COUNT][4] = {
	[LV_X86_OP_MOVS] = { ZYDIS_MNEMONIC_MOVSB, ZYDIS_MNEMONIC_MOVSW, ZYDIS_MNEMONIC_MOVSD,
			     ZYDIS_MNEMONIC_MOVSQ },
	[LV_X86_OP_STOS] = { ZYDIS_MNEMONIC_STOSB, ZYDIS_MNEMONIC_STOSW, ZYDIS_MNEMONIC_STOSD,
			     ZYDIS_MNEMONIC_STOSQ },
	[LV_X86_OP_LODS] = { ZYDIS_MNEMONIC_LODSB, ZYDIS_MNEMONIC_LODSW, ZYDIS_MNEMONIC_LODSD,
			     ZYDIS_MNEMONIC_LODSQ },
	[LV_X86_OP_CMPS] = { ZYDIS_MNEMONIC_CMPSB, ZYDIS_MNEMONIC_CMPSW, ZYDIS_MNEMONIC_CMPSD,
			     ZYDIS_MNEMONIC_CMPSQ },
	[LV_X86_OP_SCAS] = { ZYDIS_MNEMONIC_SCASB, ZYDIS_MNEMONIC_SCASW, ZYDIS_MNEMONIC_SCASD,
			     ZYDIS_MNEMONIC_SCASQ },
	[LV_X86_OP_INS] = { ZYDIS_MNEMONIC_INSB, ZYDIS_MNEMONIC_INSW, ZYDIS_MNEMONIC_INSD, 0 },
	[LV_X86_OP_OUTS] = { ZYDIS_MNEMONIC_OUTSB, ZYDIS_MNEMONIC_OUTSW, ZYDIS_MNEMONIC_OUTSD, 0 },
};

static int size_index(unsigned sz)
{
	return sz == 1 ? 0 : sz == 2 ? 1 : sz == 4 ? 2 : 3;
}

static ZydisMnemonic expected_mnemonic(const struct lv_x86_insn *in)
{
	if (in->op >= LV_X86_OP_MOVS && in->op <= LV_X86_OP_OUTS)
		return string_mnemonic[in->op][size_index(in->opsize)];
	if (in->op == LV_X86_OP_CMOV)
		return cmov_mnemonic[in->opcode & 15];
	return plain_mnemonic[in->op];
}

static bool is_subset_mnemonic(ZydisMnemonic m)
{
	for (unsigned i = 1; i < LV_X86_OP_COUNT; i++) {
		if (plain_mnemonic[i] == m)
			return true;
		for (unsigned j = 0; j < 4; j++)
			if (string_mnemonic[i][j] && string_mnemonic[i][j] == m)
				return true;
	}
	for (unsigned i = 0; i < 16; i++)
		if (cmov_mnemonic[i] == m)
			return true;
	return false;
}

static ZydisRegister gpr(unsigned reg, unsigned size, unsigned high8)
{
	switch (size) {
	case 1:
		if (high8)
			return ZYDIS_REGISTER_AH + reg;
		if (reg < 4)
			return ZYDIS_REGISTER_AL + reg;
		if (reg < 8)
			return ZYDIS_REGISTER_SPL + (reg - 4);
		return ZYDIS_REGISTER_R8B + (reg - 8);
	case 2:
		return ZYDIS_REGISTER_AX + reg;
	case 4:
		return ZYDIS_REGISTER_EAX + reg;
	default:
		return ZYDIS_REGISTER_RAX + reg;
	}
}

static ZydisRegister addr_reg(unsigned reg, unsigned addrsize)
{
	if (reg == LV_X86_REG_NONE)
		return ZYDIS_REGISTER_NONE;
	if (reg == LV_X86_REG_RIP)
		return addrsize == 8 ? ZYDIS_REGISTER_RIP : ZYDIS_REGISTER_EIP;
	return gpr(reg, addrsize, 0);
}

static const ZydisRegister seg_regs[8] = {
	ZYDIS_REGISTER_ES, ZYDIS_REGISTER_CS, ZYDIS_REGISTER_SS,   ZYDIS_REGISTER_DS,
	ZYDIS_REGISTER_FS, ZYDIS_REGISTER_GS, ZYDIS_REGISTER_NONE, ZYDIS_REGISTER_NONE,
};

static ZydisDecoder zdec[3];
static const char *last_why = "";
static uint64_t n_zydis_quirk;
static uint64_t n_seq, n_accepted, n_mismatch, n_gap;

static void dump(const char *why, const uint8_t *b, int mode, const struct lv_x86_insn *in,
		 const ZydisDecodedInstruction *zi)
{
	if (n_mismatch > 40 && strcmp(why, last_why) == 0)
		return;
	last_why = why;
	fprintf(stderr, "MISMATCH (%s) mode %d:", why, 16 << mode);
	for (int i = 0; i < 15; i++)
		fprintf(stderr, " %02x", b[i]);
	fprintf(stderr, " | ours %s len %u osz %u asz %u", lv_x86_op_name(in->op), in->len,
		in->opsize, in->addrsize);
	if (zi)
		fprintf(stderr, " | zydis %s len %u osz %u asz %u",
			ZydisMnemonicGetString(zi->mnemonic), zi->length, zi->operand_width,
			zi->address_width);
	fprintf(stderr, "\n");
}

static bool check_mem(const struct lv_x86_insn *in, const ZydisDecodedOperand *zo)
{
	const struct lv_x86_mem *m = &in->mem;
	int64_t disp = m->disp;

	if (zo->mem.base != addr_reg(m->base, in->addrsize))
		return false;
	if (zo->mem.index != addr_reg(m->index, in->addrsize))
		return false;
	if (m->index != LV_X86_REG_NONE && zo->mem.scale != m->scale)
		return false;
	/*
	 * Without a base register Zydis keeps the displacement as an
	 * address-size quantity (the effective address is truncated to that
	 * size anyway).
	 */
	if (in->addrsize < 8 && m->base == LV_X86_REG_NONE) {
		uint64_t mask = in->addrsize == 2 ? 0xffffu : 0xffffffffu;

		if (((uint64_t)zo->mem.disp.value & mask) != ((uint64_t)disp & mask))
			return false;
	} else if (zo->mem.disp.value != disp) {
		return false;
	}
	if (zo->mem.segment != seg_regs[m->seg])
		return false;
	return true;
}

static void check_one(const uint8_t *b, size_t n, int mode)
{
	struct lv_x86_insn in;
	ZydisDecodedInstruction zi;
	ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
	int r = lv_x86_decode(b, n, (enum lv_x86_mode)mode, &in);
	ZyanStatus zs;

	n_seq++;
	zs = ZydisDecoderDecodeFull(&zdec[mode], b, n, &zi, zo);
	if (r != LV_X86_DEC_OK) {
		if (ZYAN_SUCCESS(zs) && is_subset_mnemonic(zi.mnemonic)) {
			n_gap++;
			if (getenv("LV_SHOW_GAPS") && rnd() % 20000 == 0) {
				fprintf(stderr, "gap mode %d %s:", 16 << mode,
					ZydisMnemonicGetString(zi.mnemonic));
				for (unsigned i = 0; i < zi.length; i++)
					fprintf(stderr, " %02x", b[i]);
				fprintf(stderr, "\n");
			}
		}
		return;
	}
	n_accepted++;
	/*
	 * Zydis 4.0 decodes 67-prefixed SIB.base = 101b with mod = 00 and
	 * REX.B = 1 as [r13d + index] without disp32; the SDM (Vol. 2, Table 2-5,
	 * "REX.B is don't care") says no base + disp32, which we follow.
	 */
	if (mode == 2 && in.addrsize == 4 && in.has_sib && (in.sib & 7) == 5 &&
	    (in.modrm >> 6) == 0 && (in.rex & 1)) {
		n_zydis_quirk++;
		return;
	}
	if (!ZYAN_SUCCESS(zs)) {
		n_mismatch++;
		dump("zydis rejects", b, mode, &in, NULL);
		return;
	}
	const char *why = NULL;

	if (zi.length != in.len)
		why = "length";
	else if (zi.mnemonic != expected_mnemonic(&in))
		why = "mnemonic";
	else if (zi.operand_width != in.opsize * 8 && in.op != LV_X86_OP_MOVNTI &&
		 in.op != LV_X86_OP_SMSW &&
		 !((in.op == LV_X86_OP_INS || in.op == LV_X86_OP_OUTS) && (in.rex & 8) &&
		   zi.operand_width == 64))
		/*
		 * Zydis reports 64 for INS/OUTS with REX.W (the CPU ignores REX.W
		 * there) and the mode's width for MOVNTI and SMSW (whose operands
		 * are always m32/m64 and m16: checked per operand below).
		 */
		why = "operand size";
	else if (zi.address_width != in.addrsize * 8)
		why = "address size";
	else if (!!(zi.attributes & ZYDIS_ATTRIB_HAS_LOCK) != !!in.lock)
		why = "lock";
	else if (in.op >= LV_X86_OP_MOVS && in.op <= LV_X86_OP_OUTS) {
		bool zrep = zi.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE);
		bool zrepne = zi.attributes & ZYDIS_ATTRIB_HAS_REPNE;

		if (zrep != (in.rep == LV_X86_REP_E) || zrepne != (in.rep == LV_X86_REP_NE))
			why = "rep";
		/* The rSI-based source operand carries the (overridable) segment. */
		for (unsigned i = 0; !why && i < zi.operand_count; i++) {
			if (zo[i].type != ZYDIS_OPERAND_TYPE_MEMORY)
				continue;
			if (zo[i].mem.base == addr_reg(6, in.addrsize) &&
			    zo[i].mem.segment != seg_regs[in.mem.seg])
				why = "string segment";
			if (zo[i].mem.base == addr_reg(7, in.addrsize) &&
			    zo[i].mem.segment != ZYDIS_REGISTER_ES)
				why = "string ES";
		}
	} else {
		unsigned k = 0;
		bool moffs = !in.map && in.opcode >= 0xa0 && in.opcode <= 0xa3;

		for (unsigned i = 0; !why && i < zi.operand_count; i++) {
			const ZydisDecodedOperand *o = &zo[i];
			const struct lv_x86_operand *p;

			/* moffs forms: Zydis calls the accumulator implicit. */
			if (o->visibility != ZYDIS_OPERAND_VISIBILITY_EXPLICIT &&
			    !(moffs && o->visibility == ZYDIS_OPERAND_VISIBILITY_IMPLICIT))
				continue;
			if (k >= in.nopnd) {
				why = "operand count";
				break;
			}
			p = &in.opnd[k++];
			if (o->size != p->size * 8 && p->kind != LV_X86_OPND_IMM)
				why = "operand width";
			else if (p->kind == LV_X86_OPND_REG)
				why = o->type == ZYDIS_OPERAND_TYPE_REGISTER &&
						      o->reg.value == gpr(p->reg, p->size, p->high8)
					      ? NULL
					      : "register operand";
			else if (p->kind == LV_X86_OPND_MEM)
				why = o->type == ZYDIS_OPERAND_TYPE_MEMORY && check_mem(&in, o)
					      ? NULL
					      : "memory operand";
			else if (p->kind == LV_X86_OPND_IMM) {
				uint64_t mask = in.opsize == 8 ? ~0ull
							       : (1ull << (in.opsize * 8)) - 1;

				if (o->type != ZYDIS_OPERAND_TYPE_IMMEDIATE ||
				    (o->imm.value.u & mask) != (in.imm & mask))
					why = "immediate";
			}
		}
		if (!why && k != in.nopnd)
			why = "operand count";
	}
	if (why) {
		n_mismatch++;
		dump(why, b, mode, &in, &zi);
	}
}

/* Opcodes worth enumerating: the subset plus neighbours. */
static const uint16_t hot_opcodes[] = {
	0x00,	0x01,	0x02,	0x03,	0x08,	0x09,	0x0a,	0x0b,	0x10,	0x11,
	0x12,	0x13,	0x18,	0x19,	0x1a,	0x1b,	0x20,	0x21,	0x22,	0x23,
	0x28,	0x29,	0x2a,	0x2b,	0x30,	0x31,	0x32,	0x33,	0x38,	0x39,
	0x3a,	0x3b,	0x6c,	0x6d,	0x6e,	0x6f,	0x80,	0x81,	0x82,	0x83,
	0x84,	0x85,	0x86,	0x87,	0x88,	0x89,	0x8a,	0x8b,	0xa0,	0xa1,
	0xa2,	0xa3,	0xa4,	0xa5,	0xa6,	0xa7,	0xaa,	0xab,	0xac,	0xad,
	0xae,	0xaf,	0xc6,	0xc7,	0xf6,	0xf7,	0xfe,	0xff,	0x0fa3, 0x0fab,
	0x0fb0, 0x0fb1, 0x0fb3, 0x0fb6, 0x0fb7, 0x0fba, 0x0fbb, 0x0fbe, 0x0fbf, 0x0fc3,
	0x0fb8, 0x0fbc, 0x0fbd, 0x0fc7, 0x0fb2, 0x0fa5, 0x69,	0x6b,	0x0faf,
};
#define N_HOT (sizeof(hot_opcodes) / sizeof(hot_opcodes[0]))

static const uint8_t prefix_pool[] = { 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36,
				       0x3e, 0x64, 0x65, 0x40, 0x41, 0x44, 0x48, 0x4c,
				       0x4f, 0x42, 0x66, 0x67, 0xf0, 0x48 };

static size_t put_opcode(uint8_t *b, size_t k, uint16_t opc)
{
	if (opc > 0xff)
		b[k++] = 0x0f;
	b[k++] = (uint8_t)opc;
	return k;
}

static void fill_random(uint8_t *b, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		b[i] = (uint8_t)rnd();
}

int main(int argc, char **argv)
{
	uint64_t total = argc > 1 ? strtoull(argv[1], NULL, 0) : 10500000;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : (uint64_t)time(NULL);
	uint8_t b[32];
	uint64_t enum_count = 0;
	clock_t t0 = clock();

	rng_state = seed | 1;
	if (!ZYAN_SUCCESS(ZydisDecoderInit(&zdec[0], ZYDIS_MACHINE_MODE_LEGACY_16,
					   ZYDIS_STACK_WIDTH_16)) ||
	    !ZYAN_SUCCESS(ZydisDecoderInit(&zdec[1], ZYDIS_MACHINE_MODE_LEGACY_32,
					   ZYDIS_STACK_WIDTH_32)) ||
	    !ZYAN_SUCCESS(
		    ZydisDecoderInit(&zdec[2], ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64))) {
		fprintf(stderr, "ZydisDecoderInit failed\n");
		return 2;
	}
	printf("seed %" PRIu64 ", %" PRIu64 " sequences\n", seed, total);

	/* Enumeration: mode x opcode x ModRM x (SIB sweep), one prefix set each. */
	for (int mode = 0; mode < 3; mode++)
		for (size_t o = 0; o < N_HOT; o++)
			for (unsigned modrm = 0; modrm < 256; modrm++)
				for (unsigned s = 0; s < 16; s++) {
					size_t k = 0;

					fill_random(b, 0, sizeof(b));
					if (s & 1)
						b[k++] = 0x66;
					if (s & 2)
						b[k++] = 0x67;
					if (s & 4)
						b[k++] = prefix_pool[rnd() % sizeof(prefix_pool)];
					if ((s & 8) && mode == 2)
						b[k++] = (uint8_t)(0x40 | (rnd() & 15));
					k = put_opcode(b, k, hot_opcodes[o]);
					b[k++] = (uint8_t)modrm;
					b[k] = (uint8_t)((modrm * 16 + s) & 0xff); /* SIB sweep */
					check_one(b, 15, mode);
					enum_count++;
				}
	/* Random: half structured (prefixes + subset opcode), half uniform. */
	while (n_seq < total) {
		int mode = (int)(rnd() % 3);
		size_t k = 0;

		fill_random(b, 0, sizeof(b));
		if (rnd() & 1) {
			unsigned np = (unsigned)(rnd() % 5);

			for (unsigned i = 0; i < np; i++)
				b[k++] = prefix_pool[rnd() % sizeof(prefix_pool)];
			k = put_opcode(b, k, hot_opcodes[rnd() % N_HOT]);
		}
		check_one(b, 15 + (rnd() & 1), mode);
	}
	printf("sequences %" PRIu64 " (enumerated %" PRIu64 "), accepted by us %" PRIu64
	       ", coverage gaps %" PRIu64 ", skipped (Zydis quirk) %" PRIu64 ", mismatches %" PRIu64
	       ", %.1f s\n",
	       n_seq, enum_count, n_accepted, n_gap, n_zydis_quirk, n_mismatch,
	       (double)(clock() - t0) / CLOCKS_PER_SEC);
	return n_mismatch ? 1 : 0;
}
