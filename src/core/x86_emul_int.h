/* SPDX-License-Identifier: MIT */
/*
 * Internal to the emulator: what x86_emul.c shares with the files that
 * hold instruction groups of their own (x86_emul_sys.c, x86_emul_arith.c,
 * x86_emul_stack.c).
 */
#ifndef LV_CORE_X86_EMUL_INT_H
#define LV_CORE_X86_EMUL_INT_H

#include "x86_emul.h"

/* Raise exception @p vector (error code 0 when @p has_error_code): returns LV_X86_EMUL_FAULT. */
static inline int lv_x86_emul_raise(struct lv_x86_emul *em, uint8_t vector, uint8_t has_error_code)
{
	em->fault.vector = vector;
	em->fault.has_error_code = has_error_code;
	em->fault.error_code = 0;
	em->fault.cr2 = 0;
	return LV_X86_EMUL_FAULT;
}

/* Read (or, @p write, write at commit) @p size bytes at @p seg:@p ea, segment and paging checked. */
int lv_x86_emul_seg_rw(struct lv_x86_emul *em, unsigned seg, uint64_t ea, unsigned size, bool write,
		       uint64_t *v);
/* Read operand @p o (memory at EA + @p adjust, checked for access @p tacc) into @p v. */
int lv_x86_emul_opnd_read(struct lv_x86_emul *em, const struct lv_x86_operand *o, int64_t adjust,
			  uint32_t tacc, uint64_t *v);
/* Write @p v (@p size bytes) to operand @p o: a register now, memory when the instruction commits. */
int lv_x86_emul_opnd_write(struct lv_x86_emul *em, const struct lv_x86_operand *o, unsigned size,
			   int64_t adjust, uint64_t v);
/* System instructions (SMSW): execute em->insn. @return 0 or an lv_x86_emul_status. */
int lv_x86_emul_sys(struct lv_x86_emul *em);
/* BSF/BSR, IMUL, MUL/DIV/IDIV, SHLD/SHRD, XADD, CMOVcc (x86_emul_arith.c): as above. */
int lv_x86_emul_arith(struct lv_x86_emul *em);
/* PUSH/POP with an r/m operand (x86_emul_stack.c): execute em->insn. @return as above. */
int lv_x86_emul_stack(struct lv_x86_emul *em);

#endif /* LV_CORE_X86_EMUL_INT_H */
