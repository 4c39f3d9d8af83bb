/* SPDX-License-Identifier: MIT */
/*
 * SVM backend: VMs, guest memory behind nested paging (APM Vol. 2, 15.25),
 * built by the core's page-table core in AMD64/NPT format, and the MSR
 * permission map (APM Vol. 2, 15.11).
 */
#include <libvcpu/paging.h>

#include "../../core/lvlib.h"
#include "svm_priv.h"
#include "../../core/x86_arch.h"

/* ---- MSR permission map ------------------------------------------------- */

/*
 * MSRs whose guest copy lives in the VMCB and is switched by VMRUN/#VMEXIT
 * or VMLOAD/VMSAVE (APM Vol. 2, 15.5.1 and 15.5.2): they need no intercept
 * unless the caller asked to see them.
 */
const uint32_t lv_svm_passthrough_msrs[] = {
	MSR_SYSENTER_CS,
	MSR_SYSENTER_ESP,
	MSR_SYSENTER_EIP,
	MSR_STAR,
	MSR_LSTAR,
	MSR_CSTAR,
	MSR_SFMASK,
	MSR_FS_BASE,
	MSR_GS_BASE,
	MSR_KERNEL_GS_BASE,
	0, /* end */
};

/*
 * The MSRPM (APM Vol. 2, 15.11): two bits per MSR, read then write, for
 * 0-0x1fff from byte 0, 0xc0000000-0xc0001fff from 0x800 and
 * 0xc0010000-0xc0011fff from 0x1000; -1 outside those ranges.
 */
long lv_svm_msrpm_bit(uint32_t msr, bool write)
{
	long base;

	if (msr <= 0x1fffu)
		base = (long)msr * 2;
	else if (msr >= 0xc0000000u && msr <= 0xc0001fffu)
		base = 0x800 * 8 + (long)(msr - 0xc0000000u) * 2;
	else if (msr >= 0xc0010000u && msr <= 0xc0011fffu)
		base = 0x1000 * 8 + (long)(msr - 0xc0010000u) * 2;
	else
		return -1;
	return base + (write ? 1 : 0);
}

/* ---- VM lifetime -------------------------------------------------------- */

/* The nested table (the shared layer allocated vm->priv and the MSRPM). */
int lv_svm_vm_create(struct lv_vm *vm)
{
	struct svm_backend *sb = vm->backend->priv;
	struct svm_vm *sv = vm->priv;
	struct lv_pt_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.format = LV_PT_NPT4;
	cfg.page_sizes = LV_PT_SIZE_4K | LV_PT_SIZE_2M;
	/* Freed tables wait for the shootdown (lv_x86_shootdown()). */
	cfg.flags = LV_PT_CFG_DEFER_FREE | (sb->host_nx ? 0 : LV_PT_CFG_NO_NX);
	/* NPT leaves need U at every level (APM Vol. 2, 15.25.5: nested walks are user accesses). */
	sv->x.npt.leaf_base = LV_PT_U;
	sv->x.npt.exec_implied = !sb->host_nx;
	sv->x.npt.has_dirty = 1;
	return lv_pt_create(&sv->x.npt.pt, &cfg);
}

void lv_svm_vm_destroy(struct lv_vm *vm)
{
	struct svm_vm *sv = vm->priv;

	lv_pt_destroy(sv->x.npt.pt);
}
