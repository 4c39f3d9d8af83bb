/* SPDX-License-Identifier: MIT */
/*
 * VMX VMs: the EPT and its pointer, and where an MSR's bits are in the MSR
 * bitmap (the shared layer builds it, x86_msr.h).
 */
#include "../../core/lvlib.h"
#include "vmcs.h"
#include "vmx_priv.h"
#include "vmx_insn.h"
#include "../../core/x86_arch.h"

/*
 * MSRs whose guest value lives in the VMCS (loaded at entry, saved at
 * exit), so the guest may touch them without an exit. Every other MSR
 * exits and is emulated by the backend or given to the caller.
 */
const uint32_t lv_vmx_passthrough_msrs[] = {
	MSR_SYSENTER_CS,  MSR_SYSENTER_ESP,
	MSR_SYSENTER_EIP, MSR_PAT, /* with the load/save PAT controls */
	MSR_EFER,	  MSR_FS_BASE,
	MSR_GS_BASE,	  0, /* end */
};

/*
 * MSR bitmap layout (SDM Vol. 3, 25.6.9): read-low (0-0x1fff) at byte 0,
 * read-high (0xc0000000-0xc0001fff) at 1024, write-low at 2048,
 * write-high at 3072, one bit per MSR; -1 outside those ranges.
 */
long lv_vmx_msr_bitmap_bit(uint32_t msr, bool write)
{
	long off;

	if (msr <= 0x1fffu)
		off = 0;
	else if (msr >= 0xc0000000u && msr <= 0xc0001fffu)
		off = 1024;
	else
		return -1;
	if (write)
		off += 2048;
	return off * 8 + (long)(msr & 0x1fffu);
}

/* The EPT and its pointer (the shared layer allocated vm->priv and the MSR bitmap). */
int lv_vmx_vm_create(struct lv_vm *vm)
{
	struct vmx_backend *vb = vm->backend->priv;
	struct vmx_vm *xv = vm->priv;
	struct lv_pt_config cfg = { 0 };
	int rc;

	cfg.format = LV_PT_EPT4;
	cfg.page_sizes = vb->ept_sizes;
	/* A/D flags when available: dirty logging reads the EPT dirty bits. */
	cfg.flags = vb->has_ad ? LV_PT_CFG_EPT_AD : 0;
	cfg.flags |= LV_PT_CFG_DEFER_FREE; /* freed tables wait for lv_x86_shootdown() */
	rc = lv_pt_create(&xv->x.npt.pt, &cfg);
	if (rc)
		return rc;
	xv->x.npt.leaf_base = LV_PT_MT(6); /* write-back */
	xv->x.npt.has_dirty = vb->has_ad;
	/* EPTP (SDM Vol. 3, 25.6.11): WB, 4-level walk, A/D as configured. */
	rc = lv_pt_eptp(xv->x.npt.pt, 6, &xv->eptp);
	if (rc)
		lv_pt_destroy(xv->x.npt.pt);
	return rc;
}

void lv_vmx_vm_destroy(struct lv_vm *vm)
{
	struct vmx_vm *xv = vm->priv;

	lv_pt_destroy(xv->x.npt.pt);
}
