/* SPDX-License-Identifier: MIT */
/*
 * System instructions with a memory operand, as the emulator meets them
 * when that operand is MMIO: SMSW m16 (0F 01 /4). Its register form and
 * the other rows of group 7 (SGDT, LGDT, LMSW, INVLPG, ...) are not
 * decoded: no MMIO access reaches them through an exit here.
 */
#include "x86_emul_int.h"

int lv_x86_emul_sys(struct lv_x86_emul *em)
{
	const struct lv_x86_insn *in = &em->insn;

	switch (in->op) {
	case LV_X86_OP_SMSW:
		/*
		 * SDM Vol. 2B, SMSW; APM Vol. 3, SMSW: not privileged, except
		 * that CR4.UMIP makes it #GP(0) above CPL 0 (SDM Vol. 3, 2.5).
		 * The memory form stores CR0[15:0], 16 bits whatever the
		 * operand size; segment and paging faults come first from the
		 * write itself, as for any store.
		 */
		if (em->env->umip && em->env->cpl > 0)
			return lv_x86_emul_raise(em, LV_X86_VEC_GP, 1);
		return lv_x86_emul_opnd_write(em, &in->opnd[0], 2, 0, em->env->msw);
	default:
		return LV_X86_EMUL_UNHANDLEABLE;
	}
}
