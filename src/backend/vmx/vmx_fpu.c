/* SPDX-License-Identifier: MIT */
/*
 * The VMX half of the lazy FPU switch (the switch itself is the shared
 * layer's, x86_fpu.h). While the guest's x87/SSE/AVX state is not in the
 * registers the guest runs with CR0.TS set and CR4.OSXSAVE clear; both
 * bits are host-owned (guest/host masks), so the guest reads its own from
 * the CR0/CR4 read shadows and its writes of them exit (SDM Vol. 3,
 * 25.6.6). Its first x87/SSE/AVX/XSAVE instruction then raises #NM, and
 * XGETBV/XSETBV/VEX raise #UD (SDM Vol. 1, 13.6, 14.3); both are always in
 * the exception bitmap (VMX_EXC_ALWAYS), and vmx_run.c turns them into
 * LV_X86_FPU: the layer loads the guest's state and calls
 * lv_vmx_fpu_own(), which gives the guest its own bits, and the
 * instruction runs again.
 */
#include "vmcs.h"
#include "vmx_insn.h"
#include "vmx_priv.h"
#include "../../core/x86_arch.h"

uint64_t lv_vmx_guest_cr0(const struct vmx_backend *vb, const struct vmx_vcpu *xc, uint64_t cr0)
{
	/* PE and PG are free under unrestricted guest (26.3.1.1). */
	cr0 = lv_vmx_apply_fixed(cr0, vb->cr0_fixed0, vb->cr0_fixed1, CR0_PE | CR0_PG);
	return xc->x.fpu.loaded ? cr0 : cr0 | CR0_TS;
}

uint64_t lv_vmx_guest_cr4(const struct vmx_backend *vb, const struct vmx_vcpu *xc, uint64_t cr4)
{
	cr4 = lv_vmx_apply_fixed(cr4, vb->cr4_fixed0, vb->cr4_fixed1, 0);
	return xc->x.fpu.loaded ? cr4 : cr4 & ~CR4_OSXSAVE;
}

/* The fpu_own hook: the real CR0/CR4 from the shadows, with or without the forced bits. */
void lv_vmx_fpu_own(struct lv_vcpu *v, int loaded)
{
	struct vmx_vcpu *xc = v->priv;

	if (loaded)
		xc->end_work |= END_WORK_FPU;
	else
		xc->end_work &= (uint8_t)~END_WORK_FPU;
	/* Only the forced bits change: the guest-owned ones are in the real registers only. */
	vmwrite(VMCS_GUEST_CR0, (vmread(VMCS_GUEST_CR0) & ~CR0_TS) |
					(loaded ? vmread(VMCS_CR0_SHADOW) & CR0_TS : CR0_TS));
	vmwrite(VMCS_GUEST_CR4, (vmread(VMCS_GUEST_CR4) & ~CR4_OSXSAVE) |
					(loaded ? vmread(VMCS_CR4_SHADOW) & CR4_OSXSAVE : 0));
}
