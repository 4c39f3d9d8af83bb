/* SPDX-License-Identifier: MIT */
/*
 * Guest memory of the raw backends (SVM and VMX), implemented once: the
 * nested page table (NPT or EPT, built by the core paging code), map,
 * unmap, protect and the dirty log over it, and the remote TLB shootdown
 * after a change (every vCPU's LV_X86_RQ_FLUSH, x86_vcpu.h). A vendor says only how
 * a leaf encodes rights (its base bits, and whether NX is usable).
 *
 * The vendor's VM object (vm->priv) begins with a struct lv_x86_npt, so
 * these functions are the vendor ops table's map/unmap/protect/get_dirty.
 */
#ifndef LV_X86_MEM_H
#define LV_X86_MEM_H

#include <stdint.h>

#include "../../core/internal.h"
#include "../../core/paging.h"

struct lv_x86_npt {
	struct lv_pt *pt;
	uint32_t leaf_base;    /* bits every leaf carries: EPT WB memory type, NPT U */
	uint32_t exec_implied; /* no usable NX: a mapping without LV_PROT_EXEC executes anyway */
	uint32_t has_dirty;    /* the table keeps dirty flags (EPT A/D, NPT always) */
};

/* The VM's nested table: the first member of the vendor's vm->priv. */
static inline struct lv_x86_npt *lv_x86_npt_of(struct lv_vm *vm)
{
	return (struct lv_x86_npt *)vm->priv;
}

/*
 * After a change to the nested table that needs a TLB flush: set
 * LV_X86_RQ_FLUSH in every vCPU of @p vm, interrupt every vCPU of @p vm that is in guest mode on some
 * CPU and wait until each has left it; then free the table pages the change
 * took out of the tree. On return no CPU can use a translation or a
 * paging-structure cache entry from before the change (every vCPU flushes
 * at its next entry). Spins with interrupts as the caller has them; never
 * call it from an interrupt handler that may have interrupted a vCPU of
 * @p vm on this CPU.
 */
void lv_x86_shootdown(struct lv_vm *vm);

/* What to do with a nested page fault (lv_x86_npf_action()). */
enum lv_x86_npf {
	LV_X86_NPF_RETRY = 0, /* the slot allows it: a stale translation; flush and re-enter */
	LV_X86_NPF_MMIO = 1,  /* a read or write the slot does not allow: emulate as MMIO */
	LV_X86_NPF_EXIT = 2,  /* a fetch, or a fault in the guest's own page walk: LV_EXIT_NPF */
};

/*
 * One rule for both vendors: an access the slot at @p gpa allows is a stale
 * translation (after a change that gave rights back); a read or write
 * without RAM or without the right (read-only, or lv_vm_protect(0)) is MMIO,
 * as on KVM; an instruction fetch, or any fault during the guest's walk of
 * its own page tables (@p walk: there is no instruction operand to emulate),
 * goes to the caller as LV_EXIT_NPF. @p access is one LV_ACCESS_* bit.
 */
int lv_x86_npf_action(struct lv_vcpu *v, uint64_t gpa, uint32_t access, int walk);

/* Leaf attributes (LV_PT_*) for LV_PROT_* and LV_MAP_DIRTY_LOG @p flags. */
uint32_t lv_x86_npt_attrs(const struct lv_x86_npt *n, uint32_t flags);

/* The lv_backend_ops memory operations (see src/core/internal.h). */
int lv_x86_map(struct lv_vm *vm, void *hva, uint64_t gpa, uint64_t size, uint32_t flags);
int lv_x86_unmap(struct lv_vm *vm, uint64_t gpa, uint64_t size);
int lv_x86_protect(struct lv_vm *vm, uint64_t gpa, uint64_t size, uint32_t prot);
int lv_x86_get_dirty(struct lv_vm *vm, uint64_t gpa, uint64_t size, uint64_t *bitmap);

#endif /* LV_X86_MEM_H */
