/* SPDX-License-Identifier: MIT */
/*
 * The emulator's view of a vCPU (struct lv_x86_env) from its neutral state:
 * operating mode, CPL, and the control bits the emulator checks. The
 * backends call it before emulating an MMIO or string-IO instruction.
 */
#include "x86_arch.h"
#include "x86_emul.h"
#include "lvlib.h"

void lv_x86_env_from_state(struct lv_x86_env *env, const struct lv_state *st)
{
	memset(env, 0, sizeof(*env));
	env->segs = &st->segs;
	env->pe = (st->ctrl.cr0 & CR0_PE) != 0;
	env->la57 = (st->ctrl.cr4 & CR4_LA57) != 0;
	env->am = (st->ctrl.cr0 & CR0_AM) != 0;
	env->umip = (st->ctrl.cr4 & CR4_UMIP) != 0;
	env->msw = (uint16_t)st->ctrl.cr0;
	/* Mode: SDM Vol. 3, 9.8.5 (IA-32e, CS.L) and 3.4.5 (CS.D); VM8086 is 16-bit. */
	if ((st->ctrl.efer & EFER_LMA) && st->segs.cs.l)
		env->mode = LV_X86_MODE_64;
	else if (env->pe && !(st->regs.rflags & RFLAGS_VM) && st->segs.cs.db)
		env->mode = LV_X86_MODE_32;
	else
		env->mode = LV_X86_MODE_16;
	if (!env->pe)
		env->cpl = 0;
	else if (st->regs.rflags & RFLAGS_VM)
		env->cpl = 3;
	else
		env->cpl = st->segs.ss.dpl;
}
