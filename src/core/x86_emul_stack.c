/* SPDX-License-Identifier: MIT */
/*
 * PUSH r/m (FF /6) and POP r/m (8F /0), as the emulator meets them with an
 * MMIO operand (SDM Vol. 2B, PUSH, POP). The stack is SS:rSP with the
 * stack-address size: 64 bits in 64-bit mode, else SS.B (32) or 16 (SDM
 * Vol. 1, 6.2.3). A stack access outside SS or non-canonical is #SS(0).
 */
#include "x86_alu.h"
#include "x86_emul_int.h"

int lv_x86_emul_stack(struct lv_x86_emul *em)
{
	const struct lv_x86_insn *in = &em->insn;
	unsigned sz = in->opsize, ssz;
	uint64_t v, sp;
	int r;

	if (in->op != LV_X86_OP_PUSH && in->op != LV_X86_OP_POP)
		return LV_X86_EMUL_UNHANDLEABLE;
	ssz = em->env->mode == LV_X86_MODE_64 ? 8 : em->env->segs->ss.db ? 4 : 2;
	const struct lv_x86_operand rsp = { LV_X86_OPND_REG, (uint8_t)ssz, 4, 0 };

	r = lv_x86_emul_opnd_read(em, &rsp, 0, LV_ACCESS_READ, &sp);
	if (r)
		return r;
	if (in->op == LV_X86_OP_PUSH) {
		/* The source (an rSP-based address included) is read before rSP moves. */
		r = lv_x86_emul_opnd_read(em, &in->opnd[0], 0, LV_ACCESS_READ, &v);
		if (r)
			return r;
		sp = (sp - sz) & lv_x86_mask(ssz);
		r = lv_x86_emul_seg_rw(em, LV_X86_SEG_SS, sp, sz, true, &v);
		if (r)
			return r;
		return lv_x86_emul_opnd_write(em, &rsp, ssz, 0, sp);
	}
	/* POP: an rSP-based destination address uses the incremented rSP. */
	r = lv_x86_emul_seg_rw(em, LV_X86_SEG_SS, sp, sz, false, &v);
	if (!r)
		r = lv_x86_emul_opnd_write(em, &rsp, ssz, 0, sp + sz);
	if (!r)
		r = lv_x86_emul_opnd_write(em, &in->opnd[0], sz, 0, v);
	return r;
}
