/* SPDX-License-Identifier: MIT */
/*
 * Opcode tables of the MMIO decoder subset (SDM Vol. 2, Appendix A opcode
 * maps). One descriptor per opcode byte of the one-byte map and the 0F map;
 * ModRM.reg groups have their own eight-entry tables. Internal to the decoder.
 */
#ifndef LV_CORE_X86_OPCODES_H
#define LV_CORE_X86_OPCODES_H

#include <stdint.h>

/* Operand forms. */
enum lv_x86_form {
	LV_X86_FORM_NONE = 0, /* not in the subset */
	LV_X86_FORM_EG,	      /* r/m (dst), reg (src) */
	LV_X86_FORM_GE,	      /* reg (dst), r/m (src) */
	LV_X86_FORM_GEI,      /* reg (dst), r/m, immediate (IMUL 69/6B) */
	LV_X86_FORM_EGI,      /* r/m (dst), reg, imm8 (SHLD/SHRD 0F A4/AC) */
	LV_X86_FORM_EGC,      /* r/m (dst), reg; CL implicit (SHLD/SHRD 0F A5/AD) */
	LV_X86_FORM_E,	      /* r/m only */
	LV_X86_FORM_EI,	      /* r/m, immediate */
	LV_X86_FORM_AO,	      /* AL/eAX <- moffs */
	LV_X86_FORM_OA,	      /* moffs <- AL/eAX */
	LV_X86_FORM_STR,      /* string instruction, implicit operands */
	LV_X86_FORM_GROUP,    /* op = group index, selected by ModRM.reg */
};

/* Descriptor flags. */
#define LV_X86_F_BYTE	 0x01 /* operand size is 1 */
#define LV_X86_F_LOCK	 0x02 /* LOCK allowed (with a memory destination) */
#define LV_X86_F_MEMONLY 0x04 /* ModRM must name memory */
#define LV_X86_F_IMM8	 0x08 /* 8-bit immediate, sign-extended */
#define LV_X86_F_SRC16	 0x10 /* MOVZX/MOVSX: 16-bit source (else 8-bit) */
#define LV_X86_F_NOPFX	 0x20 /* no 66/F2/F3 prefix allowed (NP encodings) */
#define LV_X86_F_IO	 0x40 /* INS/OUTS: operand size at most 4 */
#define LV_X86_F_UIMM8	 0x80 /* the 8-bit immediate is zero-extended */

struct lv_x86_opdesc {
	uint8_t op;    /* an lv_x86_op, or a group index for LV_X86_FORM_GROUP */
	uint8_t form;  /* an lv_x86_form */
	uint8_t flags; /* LV_X86_F_* */
	uint8_t pad_;
};
_Static_assert(sizeof(struct lv_x86_opdesc) == 4, "opdesc is 4 bytes");

/* Groups (SDM Vol. 2, Table A-6). */
enum lv_x86_group {
	LV_X86_GRP1_EB = 0, /* 80 */
	LV_X86_GRP1_EV,	    /* 81 */
	LV_X86_GRP1_EVIB,   /* 83 */
	LV_X86_GRP3_EB,	    /* F6 */
	LV_X86_GRP3_EV,	    /* F7 */
	LV_X86_GRP4,	    /* FE */
	LV_X86_GRP5,	    /* FF */
	LV_X86_GRP11_EB,    /* C6 */
	LV_X86_GRP11_EV,    /* C7 */
	LV_X86_GRP8,	    /* 0F BA */
	LV_X86_GRP7,	    /* 0F 01 */
	LV_X86_GRP1A,	    /* 8F */
	LV_X86_GROUP_COUNT
};

extern const struct lv_x86_opdesc lv_x86_map1[256];
extern const struct lv_x86_opdesc lv_x86_map2[256];
extern const struct lv_x86_opdesc lv_x86_groups[LV_X86_GROUP_COUNT][8];

#endif /* LV_CORE_X86_OPCODES_H */
