/* SPDX-License-Identifier: MIT */
/*
 * Opcode tables of the MMIO decoder subset, transcribed from the SDM Vol. 2
 * opcode maps (Appendix A, Tables ). Entries not listed are
 * zero: not in the subset.
 */
#include "x86_opcodes.h"
#include "x86_decode.h"

#define D(o, f, fl)                                                                                \
	{                                                                                          \
		.op = LV_X86_OP_##o, .form = LV_X86_FORM_##f, .flags = (fl)                        \
	}
#define G(g)                                                                                       \
	{                                                                                          \
		.op = LV_X86_##g, .form = LV_X86_FORM_GROUP                                        \
	}
#define B  LV_X86_F_BYTE
#define L  LV_X86_F_LOCK
#define I8 LV_X86_F_IMM8
#define U8 (LV_X86_F_IMM8 | LV_X86_F_UIMM8)

/* The six r/m,reg / reg,r/m forms of one classic ALU operation at base opcode b. */
#define ALU(b, o, lk)                                                                              \
	[(b) + 0] = D(o, EG, B | (lk)), [(b) + 1] = D(o, EG, (lk)), [(b) + 2] = D(o, GE, B),       \
	       [(b) + 3] = D(o, GE, 0)

const struct lv_x86_opdesc lv_x86_map1[256] = {
	ALU(0x00, ADD, L),
	ALU(0x08, OR, L),
	ALU(0x10, ADC, L),
	ALU(0x18, SBB, L),
	ALU(0x20, AND, L),
	ALU(0x28, SUB, L),
	ALU(0x30, XOR, L),
	ALU(0x38, CMP, 0),
	[0x69] = D(IMUL, GEI, 0),
	[0x6b] = D(IMUL, GEI, I8),
	[0x6c] = D(INS, STR, B | LV_X86_F_IO),
	[0x6d] = D(INS, STR, LV_X86_F_IO),
	[0x6e] = D(OUTS, STR, B | LV_X86_F_IO),
	[0x6f] = D(OUTS, STR, LV_X86_F_IO),
	[0x80] = G(GRP1_EB),
	[0x81] = G(GRP1_EV),
	[0x83] = G(GRP1_EVIB),
	[0x84] = D(TEST, EG, B),
	[0x85] = D(TEST, EG, 0),
	[0x86] = D(XCHG, EG, B | L),
	[0x87] = D(XCHG, EG, L),
	[0x88] = D(MOV, EG, B),
	[0x89] = D(MOV, EG, 0),
	[0x8a] = D(MOV, GE, B),
	[0x8b] = D(MOV, GE, 0),
	[0x8f] = G(GRP1A),
	[0xa0] = D(MOV, AO, B),
	[0xa1] = D(MOV, AO, 0),
	[0xa2] = D(MOV, OA, B),
	[0xa3] = D(MOV, OA, 0),
	[0xa4] = D(MOVS, STR, B),
	[0xa5] = D(MOVS, STR, 0),
	[0xa6] = D(CMPS, STR, B),
	[0xa7] = D(CMPS, STR, 0),
	[0xaa] = D(STOS, STR, B),
	[0xab] = D(STOS, STR, 0),
	[0xac] = D(LODS, STR, B),
	[0xad] = D(LODS, STR, 0),
	[0xae] = D(SCAS, STR, B),
	[0xaf] = D(SCAS, STR, 0),
	[0xc6] = G(GRP11_EB),
	[0xc7] = G(GRP11_EV),
	[0xf6] = G(GRP3_EB),
	[0xf7] = G(GRP3_EV),
	[0xfe] = G(GRP4),
	[0xff] = G(GRP5),
};

/* CMOVcc 0F 40-4F (SDM Vol. 2A, CMOVcc): the condition is the low nibble. */
#define CMOV(b) [0x40 + (b)] = D(CMOV, GE, 0)

const struct lv_x86_opdesc lv_x86_map2[256] = {
	[0x01] = G(GRP7),
	CMOV(0),
	CMOV(1),
	CMOV(2),
	CMOV(3),
	CMOV(4),
	CMOV(5),
	CMOV(6),
	CMOV(7),
	CMOV(8),
	CMOV(9),
	CMOV(10),
	CMOV(11),
	CMOV(12),
	CMOV(13),
	CMOV(14),
	CMOV(15),
	[0xa3] = D(BT, EG, 0),
	[0xa4] = D(SHLD, EGI, U8),
	[0xa5] = D(SHLD, EGC, 0),
	[0xac] = D(SHRD, EGI, U8),
	[0xad] = D(SHRD, EGC, 0),
	[0xaf] = D(IMUL, GE, 0),
	[0xab] = D(BTS, EG, L),
	[0xb0] = D(CMPXCHG, EG, B | L),
	[0xb1] = D(CMPXCHG, EG, L),
	[0xb3] = D(BTR, EG, L),
	[0xb6] = D(MOVZX, GE, 0),
	[0xb7] = D(MOVZX, GE, LV_X86_F_SRC16),
	[0xba] = G(GRP8),
	[0xbb] = D(BTC, EG, L),
	[0xbc] = D(BSF, GE, 0), /* F3 0F BC is TZCNT: refused by the decoder */
	[0xbd] = D(BSR, GE, 0), /* F3 0F BD is LZCNT */
	[0xbe] = D(MOVSX, GE, 0),
	[0xbf] = D(MOVSX, GE, LV_X86_F_SRC16),
	[0xc0] = D(XADD, EG, B | L),
	[0xc1] = D(XADD, EG, L),
	[0xc3] = D(MOVNTI, EG, LV_X86_F_MEMONLY | LV_X86_F_NOPFX),
};

const struct lv_x86_opdesc lv_x86_groups[LV_X86_GROUP_COUNT][8] = {
	[LV_X86_GRP1_EB] = { D(ADD, EI, B | L), D(OR, EI, B | L), D(ADC, EI, B | L),
			     D(SBB, EI, B | L), D(AND, EI, B | L), D(SUB, EI, B | L),
			     D(XOR, EI, B | L), D(CMP, EI, B) },
	[LV_X86_GRP1_EV] = { D(ADD, EI, L), D(OR, EI, L), D(ADC, EI, L), D(SBB, EI, L),
			     D(AND, EI, L), D(SUB, EI, L), D(XOR, EI, L), D(CMP, EI, 0) },
	[LV_X86_GRP1_EVIB] = { D(ADD, EI, I8 | L), D(OR, EI, I8 | L), D(ADC, EI, I8 | L),
			       D(SBB, EI, I8 | L), D(AND, EI, I8 | L), D(SUB, EI, I8 | L),
			       D(XOR, EI, I8 | L), D(CMP, EI, I8) },
	[LV_X86_GRP3_EB] = { [0] = D(TEST, EI, B),
			     [2] = D(NOT, E, B | L),
			     [3] = D(NEG, E, B | L),
			     [4] = D(MUL, E, B),
			     [5] = D(IMUL, E, B),
			     [6] = D(DIV, E, B),
			     [7] = D(IDIV, E, B) },
	[LV_X86_GRP3_EV] = { [0] = D(TEST, EI, 0),
			     [2] = D(NOT, E, L),
			     [3] = D(NEG, E, L),
			     [4] = D(MUL, E, 0),
			     [5] = D(IMUL, E, 0),
			     [6] = D(DIV, E, 0),
			     [7] = D(IDIV, E, 0) },
	[LV_X86_GRP4] = { [0] = D(INC, E, B | L), [1] = D(DEC, E, B | L) },
	[LV_X86_GRP5] = { [0] = D(INC, E, L), [1] = D(DEC, E, L), [6] = D(PUSH, E, 0) },
	/* 8F /1-/7 are XOP prefixes (AMD) or invalid. */
	[LV_X86_GRP1A] = { [0] = D(POP, E, 0) },
	/* C6/C7 with ModRM.reg != 0 are XABORT/XBEGIN or invalid. */
	[LV_X86_GRP11_EB] = { [0] = D(MOV, EI, B) },
	[LV_X86_GRP11_EV] = { [0] = D(MOV, EI, 0) },
	[LV_X86_GRP8] = { [4] = D(BT, EI, U8),
			  [5] = D(BTS, EI, U8 | L),
			  [6] = D(BTR, EI, U8 | L),
			  [7] = D(BTC, EI, U8 | L) },
	/*
	 * 0F 01: only SMSW m16 (/4). The register forms of /4 and /6 and the
	 * other rows (descriptor tables, INVLPG, the mod = 3 instructions)
	 * never touch MMIO.
	 */
	[LV_X86_GRP7] = { [4] = D(SMSW, E, LV_X86_F_MEMONLY) },
};
