/* SPDX-License-Identifier: MIT */
/*
 * VMX VMs: EPT mappings (map/unmap/protect/dirty log) and the MSR bitmap
 * built from the caller's MSR exit policy.
 */
#include "../../core/lvlib.h"
#include "vmcs.h"
#include "vmx_priv.h"
#include "vmx_insn.h"
#include "../../core/x86_arch.h"
#include "../x86/x86_msr.h"

/*
 * MSRs whose guest value lives in the VMCS (loaded at entry, saved at
 * exit), so the guest may touch them without an exit. Every other MSR
 * exits and is emulated by the backend or given to the caller.
 */
static const uint32_t vmx_passthrough_msrs[] = {
	MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP,
	MSR_PAT, /* with the load/save PAT controls */
	MSR_EFER,	 MSR_FS_BASE,	   MSR_GS_BASE,
};

/*
 * MSR bitmap layout (SDM Vol. 3, 25.6.9): read-low (0-0x1fff) at byte 0,
 * read-high (0xc0000000-0xc0001fff) at 1024, write-low at 2048,
 * write-high at 3072, one bit per MSR; -1 outside those ranges.
 */
static long msr_bitmap_bit(uint32_t msr, bool write)
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

static void msr_bitmap_build(struct vmx_vm *xv)
{
	lv_x86_msr_map_build(xv->msr_bitmap, 4096, vmx_passthrough_msrs,
			     LV_ARRAY_SIZE(vmx_passthrough_msrs), &xv->msr_exits, msr_bitmap_bit);
}

int lv_vmx_set_msr_exits(struct lv_vm *vm, const struct lv_msr_range *r, size_t n)
{
	struct vmx_vm *xv = vm->priv;
	int rc = lv_policy_replace(&xv->msr_exits, r, n, sizeof(*r), LV_POLICY_MAX_MSR_RANGES);

	if (rc)
		return rc;
	msr_bitmap_build(xv);
	return LV_OK;
}

int lv_vmx_vm_create(struct lv_vm *vm)
{
	struct vmx_backend *vb = vm->backend->priv;
	struct vmx_vm *xv = lv_plat_alloc(sizeof(*xv));
	struct lv_pt_config cfg = { 0 };

	if (!xv)
		return LV_ERR_NOMEM;
	cfg.format = LV_PT_EPT4;
	cfg.page_sizes = vb->ept_sizes;
	/* A/D flags when available: dirty logging reads the EPT dirty bits. */
	cfg.flags = vb->has_ad ? LV_PT_CFG_EPT_AD : 0;
	if (lv_pt_create(&xv->npt.pt, &cfg))
		goto fail;
	xv->npt.leaf_base = LV_PT_MT(6); /* write-back */
	xv->npt.has_dirty = vb->has_ad;
	/* EPTP (SDM Vol. 3, 25.6.11): WB, 4-level walk, A/D as configured. */
	if (lv_pt_eptp(xv->npt.pt, 6, &xv->eptp))
		goto fail;
	xv->msr_bitmap = lv_plat_page_alloc(1, &xv->msr_bitmap_pa);
	if (!xv->msr_bitmap)
		goto fail;
	msr_bitmap_build(xv);
	vm->priv = xv;
	return LV_OK;
fail:
	lv_pt_destroy(xv->npt.pt);
	lv_plat_free(xv);
	return LV_ERR_NOMEM;
}

void lv_vmx_vm_destroy(struct lv_vm *vm)
{
	struct vmx_vm *xv = vm->priv;

	lv_pt_destroy(xv->npt.pt);
	lv_plat_page_free(xv->msr_bitmap, 1);
	lv_policy_free(&xv->msr_exits);
	lv_plat_free(xv);
	vm->priv = NULL;
}
