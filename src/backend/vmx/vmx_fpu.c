/* SPDX-License-Identifier: MIT */
/*
 * Lazy switch of the x87/SSE state. While the guest's state is not in the
 * registers, the guest runs with CR0.TS set (TS is host-owned: the guest
 * reads its own TS from the CR0 read shadow), so its first FPU/SSE
 * instruction raises #NM, which exits (#NM is always in the exception
 * bitmap). The backend then saves the host's state, loads the guest's and
 * gives the guest its own TS back (SDM Vol. 3, 2.5 and 13.4). Before
 * lv_vcpu_run() returns, the guest's state goes back into the vCPU (the
 * FPU state group) and the host's is restored. A guest that never touches
 * the FPU costs one test per run.
 */
#include "vmcs.h"
#include "vmx_insn.h"
#include "vmx_priv.h"
#include "../../core/x86_arch.h"

_Static_assert(sizeof(struct lv_fpu) == 512, "FXSAVE image (SDM Vol. 1, 10.5.1)");

uint64_t lv_vmx_guest_cr0(const struct vmx_backend *vb, const struct vmx_vcpu *xc, uint64_t cr0)
{
	/* PE and PG are free under unrestricted guest (26.3.1.1). */
	cr0 = lv_vmx_apply_fixed(cr0, vb->cr0_fixed0, vb->cr0_fixed1, CR0_PE | CR0_PG);
	return xc->fpu_loaded ? cr0 : cr0 | CR0_TS;
}

/*
 * FXSAVE/FXRSTOR with the host's CR0.TS clear and CR4.OSFXSR set (without
 * OSFXSR they may skip the XMM registers, SDM Vol. 2, FXSAVE).
 */
static void fpu_swap(struct lv_fpu *save, const struct lv_fpu *load)
{
	uint64_t cr0 = lv_read_cr0(), cr4 = lv_read_cr4();

	if (cr0 & CR0_TS)
		lv_write_cr0(cr0 & ~CR0_TS);
	if (!(cr4 & CR4_OSFXSR))
		lv_write_cr4(cr4 | CR4_OSFXSR);
	__asm__ volatile("fxsave64 %0" : "=m"(*save));
	__asm__ volatile("fxrstor64 %0" ::"m"(*load));
	if (!(cr4 & CR4_OSFXSR))
		lv_write_cr4(cr4);
	if (cr0 & CR0_TS)
		lv_write_cr0(cr0);
}

void lv_vmx_fpu_load(struct vmx_vcpu *xc)
{
	fpu_swap(&xc->host_fpu, &xc->cache.fpu);
	xc->fpu_loaded = true;
	xc->end_work |= END_WORK_FPU;
	/* The guest's own TS from now on. */
	vmwrite(VMCS_GUEST_CR0,
		(vmread(VMCS_GUEST_CR0) & ~CR0_TS) | (vmread(VMCS_CR0_SHADOW) & CR0_TS));
}

void lv_vmx_fpu_unload(struct vmx_vcpu *xc)
{
	fpu_swap(&xc->cache.fpu, &xc->host_fpu);
	xc->fpu_loaded = false;
	xc->end_work &= (uint8_t)~END_WORK_FPU;
	vmwrite(VMCS_GUEST_CR0, vmread(VMCS_GUEST_CR0) | CR0_TS);
}
