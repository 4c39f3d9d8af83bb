/* SPDX-License-Identifier: MIT */
/*
 * x86 instruction decoder for the instructions that touch MMIO and port IO
 * (the subset listed in x86_opcodes.c): legacy prefixes, REX, ModRM/SIB/
 * displacement including RIP-relative addressing, 16/32/64-bit modes
 * (Intel SDM Vol. 2, chapter 2; AMD APM Vol. 3, chapter 1).
 *
 * Anything outside the subset, and any encoding the CPU would reject (#UD:
 * LOCK on a non-lockable form, register operand where only memory is
 * allowed, ...), is refused with LV_X86_DEC_INVALID: the decoder never
 * guesses. Freestanding, no allocation, no global state besides the
 * constant opcode tables.
 */
#ifndef LV_CORE_X86_DECODE_H
#define LV_CORE_X86_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Longest legal x86 instruction (SDM Vol. 2, 2.3.11). */
#define LV_X86_MAX_INSN_LEN 15

/** Execution mode: the code segment's default sizes (CS.D, CS.L with EFER.LMA). */
enum lv_x86_mode {
	LV_X86_MODE_16 = 0,
	LV_X86_MODE_32 = 1,
	LV_X86_MODE_64 = 2,
};

/** Decoder results. */
enum lv_x86_dec_status {
	LV_X86_DEC_OK = 0,
	LV_X86_DEC_INVALID = -1,   /**< Not in the subset, or an encoding the CPU rejects. */
	LV_X86_DEC_TRUNCATED = -2, /**< The buffer ends before the instruction does. */
};

/** Instructions of the subset. */
enum lv_x86_op {
	LV_X86_OP_NONE = 0,
	LV_X86_OP_MOV,
	LV_X86_OP_MOVZX,
	LV_X86_OP_MOVSX,
	LV_X86_OP_MOVNTI,
	LV_X86_OP_MOVS,
	LV_X86_OP_STOS,
	LV_X86_OP_LODS,
	LV_X86_OP_CMPS,
	LV_X86_OP_SCAS,
	LV_X86_OP_INS,
	LV_X86_OP_OUTS,
	/* The eight group-1 ALU operations, in ModRM.reg order (SDM Vol. 2, A.4). */
	LV_X86_OP_ADD,
	LV_X86_OP_OR,
	LV_X86_OP_ADC,
	LV_X86_OP_SBB,
	LV_X86_OP_AND,
	LV_X86_OP_SUB,
	LV_X86_OP_XOR,
	LV_X86_OP_CMP,
	LV_X86_OP_TEST,
	LV_X86_OP_INC,
	LV_X86_OP_DEC,
	LV_X86_OP_NEG,
	LV_X86_OP_NOT,
	LV_X86_OP_XCHG,
	LV_X86_OP_BT,
	LV_X86_OP_BTS,
	LV_X86_OP_BTR,
	LV_X86_OP_BTC,
	LV_X86_OP_CMPXCHG,
	LV_X86_OP_SMSW, /* system instructions (x86_emul_sys.c) */
	LV_X86_OP_BSF,	/* bit scans and multiplies (x86_emul_arith.c) */
	LV_X86_OP_BSR,
	LV_X86_OP_IMUL,
	LV_X86_OP_SHLD,
	LV_X86_OP_SHRD,
	LV_X86_OP_XADD,
	LV_X86_OP_CMOV, /* condition: opcode & 0xf */
	LV_X86_OP_MUL,
	LV_X86_OP_DIV,
	LV_X86_OP_IDIV,
	LV_X86_OP_PUSH, /* r/m forms (x86_emul_stack.c) */
	LV_X86_OP_POP,
	LV_X86_OP_COUNT
};

/** Segment registers, in the SDM's Sreg encoding order. */
enum lv_x86_seg {
	LV_X86_SEG_ES = 0,
	LV_X86_SEG_CS = 1,
	LV_X86_SEG_SS = 2,
	LV_X86_SEG_DS = 3,
	LV_X86_SEG_FS = 4,
	LV_X86_SEG_GS = 5,
	LV_X86_SEG_NONE = 7,
};

/** General registers in encoding order (RAX = 0 .. R15 = 15), plus RIP for addressing. */
#define LV_X86_REG_RIP	16
#define LV_X86_REG_NONE 0xff

/** Operand kinds. */
enum lv_x86_opnd_kind {
	LV_X86_OPND_NONE = 0,
	LV_X86_OPND_REG, /**< A general register. */
	LV_X86_OPND_MEM, /**< The memory operand described by lv_x86_insn.mem. */
	LV_X86_OPND_IMM, /**< lv_x86_insn.imm. */
};

struct lv_x86_operand {
	uint8_t kind;  /**< An #lv_x86_opnd_kind. */
	uint8_t size;  /**< Bytes: 1, 2, 4 or 8. */
	uint8_t reg;   /**< REG: 0-15. */
	uint8_t high8; /**< REG, size 1: AH/CH/DH/BH (reg 4-7 without REX). */
};

/** The (single) explicit memory operand: seg:[base + index * scale + disp]. */
struct lv_x86_mem {
	uint8_t base;  /**< 0-15, LV_X86_REG_RIP, or LV_X86_REG_NONE. */
	uint8_t index; /**< 0-15 or LV_X86_REG_NONE. */
	uint8_t scale; /**< 1, 2, 4 or 8. */
	uint8_t seg;   /**< Effective segment (override or default), an #lv_x86_seg. */
	int64_t disp;  /**< Sign-extended displacement; for moffs the (zero-extended) offset. */
};

/** Repeat prefixes. */
#define LV_X86_REP_NONE 0
#define LV_X86_REP_E	1 /**< F3: REP / REPE. */
#define LV_X86_REP_NE	2 /**< F2: REPNE. */

/** A decoded instruction. */
struct lv_x86_insn {
	uint8_t len;	      /**< Length in bytes. */
	uint8_t op;	      /**< An #lv_x86_op. */
	uint8_t mode;	      /**< The #lv_x86_mode it was decoded in. */
	uint8_t opsize;	      /**< Operand size in bytes (of the destination for MOVZX/MOVSX). */
	uint8_t addrsize;     /**< Address size in bytes: 2, 4 or 8. */
	uint8_t rep;	      /**< LV_X86_REP_*, kept only for the string instructions. */
	uint8_t lock;	      /**< LOCK prefix present. */
	uint8_t seg_override; /**< #lv_x86_seg of the last segment prefix, or LV_X86_SEG_NONE. */
	uint8_t rex;	      /**< The REX byte, 0 if none. */
	uint8_t opcode;	      /**< Last opcode byte. */
	uint8_t map;	      /**< 0: one-byte map, 1: 0F map. */
	uint8_t modrm;	      /**< ModRM byte when has_modrm. */
	uint8_t has_modrm;
	uint8_t nopnd; /**< Number of explicit operands (0-3). */
	uint8_t sib;   /**< SIB byte when has_sib. */
	uint8_t has_sib;
	struct lv_x86_operand opnd[3]; /**< opnd[0] is the destination (or first source). */
	struct lv_x86_mem mem;
	uint64_t imm; /**< Immediate, sign- or zero-extended as the instruction defines. */
};

/**
 * Decode one instruction from @p buf (@p avail bytes are readable) in
 * @p mode. @return LV_X86_DEC_OK with @p out filled, LV_X86_DEC_INVALID, or
 * LV_X86_DEC_TRUNCATED when more bytes would be needed (at most 15 are ever
 * read).
 */
int lv_x86_decode(const uint8_t *buf, size_t avail, enum lv_x86_mode mode, struct lv_x86_insn *out);

/** Name of an #lv_x86_op ("mov", "add", ...), "?" when out of range. */
const char *lv_x86_op_name(unsigned op);

#endif /* LV_CORE_X86_DECODE_H */
