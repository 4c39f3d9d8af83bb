/* SPDX-License-Identifier: MIT */
/* Guest memory of the raw backends over the core paging code (x86_mem.h). */
#include "x86_mem.h"

#include "../../core/lvlib.h"
#include "x86_vcpu.h"

/*
 * The remote TLB shootdown (in the spirit of KVM's kvm_flush_remote_tlbs).
 * A vCPU in guest mode on another CPU keeps using the translations its TLB
 * and paging-structure caches hold (SDM Vol. 3, 29.4; APM Vol. 2, 15.16)
 * until it flushes, which it does only at an entry that finds its
 * LV_X86_RQ_FLUSH set. So every vCPU of the VM gets the bit (a locked OR,
 * in guest mode or not), and every one whose guest_seq is odd after that
 * is kicked (lv_plat_kick_cpu(): the IPI makes the guest exit, or the entry
 * exit at once if the vCPU is still between its request-word test and VMRUN /
 * VMLAUNCH) and waited for until guest_seq moves on. Why an even guest_seq
 * needs no wait: x86_vcpu.h, lv_x86_guest_begin(). All IPIs go out first,
 * then the waits, so the vCPUs exit in parallel.
 *
 * Table pages a change took out of the tree were kept (LV_PT_CFG_DEFER_FREE)
 * and are freed only now: before, a walker on another CPU may still have
 * been reading them.
 *
 * The vCPU array is stable: calls on one VM (vCPU create/destroy among
 * them) are serialized by the caller (libvcpu.h).
 */
void lv_x86_shootdown(struct lv_vm *vm)
{
	struct lv_x86_npt *n = lv_x86_npt_of(vm);
	uint32_t i, pass;

	for (pass = 0; pass < 2 && vm->vcpus; pass++) {
		for (i = 0; i < vm->max_vcpus; i++) {
			struct lv_vcpu *v = vm->vcpus[i];
			struct lv_x86_vcpu *x;
			uint32_t seq;
			int32_t cpu;

			if (!v || !v->priv)
				continue;
			x = lv_x86_of(v);
			if (pass == 1) {
				/* Only a kicked vCPU; its guest_seq moves on at its exit. */
				while ((x->shoot_seq & 1) &&
				       __atomic_load_n(&x->guest_seq, __ATOMIC_ACQUIRE) ==
					       x->shoot_seq)
					__asm__ volatile("pause");
				continue;
			}
			/* The Dekker pair of x86_vcpu.h: the bit first, then guest_seq. */
			lv_x86_rq_set(x, LV_X86_RQ_FLUSH);
			seq = __atomic_load_n(&x->guest_seq, __ATOMIC_SEQ_CST);
			x->shoot_seq = seq; /* even: outside guest mode, no wait */
			if (!(seq & 1))
				continue;
			/* Published before the odd guest_seq (vendor load / enter hooks). */
			cpu = __atomic_load_n(&x->cpu, __ATOMIC_ACQUIRE);
			if (cpu >= 0)
				lv_plat_kick_cpu((uint32_t)cpu);
		}
	}
	lv_pt_reclaim(n->pt);
}

/* A change that needs a flush: no vCPU may use the old translations after this. */
static void changed(struct lv_vm *vm, const struct lv_pt_flush *f)
{
	if (f->kind)
		lv_x86_shootdown(vm);
	else
		lv_pt_reclaim(lv_x86_npt_of(vm)->pt);
}

uint32_t lv_x86_npt_attrs(const struct lv_x86_npt *n, uint32_t flags)
{
	uint32_t a = n->leaf_base;

	if (flags & LV_PROT_READ)
		a |= LV_PT_R;
	if (flags & LV_PROT_WRITE)
		a |= LV_PT_W;
	if ((flags & LV_PROT_EXEC) || n->exec_implied)
		a |= LV_PT_X;
	if (flags & LV_MAP_DIRTY_LOG)
		a |= LV_PT_SMALL; /* dirty flags per 4 KiB page */
	return a;
}

/*
 * One lv_pt_map() per physically contiguous run of the host range (so that
 * large leaves can be used); on failure the runs already mapped are undone,
 * since the range was free before.
 */
static int map_runs(struct lv_x86_npt *n, void *hva, uint64_t gpa, uint64_t size, uint32_t flags,
		    struct lv_pt_flush *f)
{
	uint32_t attrs = lv_x86_npt_attrs(n, flags);
	uint8_t *va = hva;
	uint64_t off = 0;
	int rc = LV_OK;

	while (off < size) {
		uint64_t pa = lv_plat_virt_to_phys(va + off), len = LV_PAGE_SIZE;

		while (off + len < size && lv_plat_virt_to_phys(va + off + len) == pa + len)
			len += LV_PAGE_SIZE;
		rc = lv_pt_map(n->pt, gpa + off, pa, len, attrs, f);
		if (rc)
			break;
		off += len;
	}
	if (rc && off)
		lv_pt_unmap(n->pt, gpa, off, f);
	return rc;
}

int lv_x86_map(struct lv_vm *vm, void *hva, uint64_t gpa, uint64_t size, uint32_t flags)
{
	struct lv_x86_npt *n = lv_x86_npt_of(vm);
	struct lv_pt_flush f = { 0 };
	int rc = map_runs(n, hva, gpa, size, flags, &f);

	changed(vm, &f);
	return rc;
}

int lv_x86_unmap(struct lv_vm *vm, uint64_t gpa, uint64_t size)
{
	struct lv_x86_npt *n = lv_x86_npt_of(vm);
	struct lv_pt_flush f = { 0 };
	int rc = lv_pt_unmap(n->pt, gpa, size, &f);

	changed(vm, &f);
	return rc;
}

/*
 * Neither EPT nor NPT has a leaf that keeps its address without read
 * access (EPT: write without read is a misconfiguration; NPT: present means
 * readable). So a protection without LV_PROT_READ takes the leaves out,
 * and every access to the range becomes an MMIO exit, as on KVM; the slot
 * keeps its host pages, and giving READ back maps them again. vm->mem still
 * shows the slots as they were before this change.
 */
int lv_x86_protect(struct lv_vm *vm, uint64_t gpa, uint64_t size, uint32_t prot)
{
	struct lv_x86_npt *n = lv_x86_npt_of(vm);
	struct lv_pt_flush f = { 0 };
	uint64_t end = gpa + size;
	size_t i;
	int rc = LV_OK;

	for (i = lv_memmap_lower_bound(&vm->mem, gpa); i < vm->mem.count && !rc; i++) {
		const struct lv_slot *s = &vm->mem.slots[i];
		uint64_t lo = LV_MAX(gpa, s->gpa), hi = LV_MIN(end, s->gpa + s->size);

		if (lo >= end)
			break;
		if (!(prot & LV_PROT_READ))
			rc = lv_pt_unmap(n->pt, lo, hi - lo, &f);
		else if (s->flags & LV_PROT_READ)
			rc = lv_pt_protect(n->pt, lo, hi - lo,
					   lv_x86_npt_attrs(n, prot) & LV_PT_PROT_MASK, &f);
		else
			rc = map_runs(n, s->hva + (lo - s->gpa), lo, hi - lo,
				      prot | (s->flags & LV_MAP_DIRTY_LOG), &f);
	}
	changed(vm, &f);
	return rc;
}

int lv_x86_npf_action(struct lv_vcpu *v, uint64_t gpa, uint32_t access, int walk)
{
	const struct lv_slot *s;
	uint32_t need = access == LV_ACCESS_WRITE  ? LV_PROT_WRITE
			: access == LV_ACCESS_EXEC ? LV_PROT_EXEC
						   : LV_PROT_READ;
	int allowed;

	lv_mem_read_begin(v); /* vm->mem against a concurrent change (internal.h) */
	s = lv_memmap_lookup(&v->vm->mem, gpa);
	allowed = s && (s->flags & need);
	lv_mem_read_end(v);
	if (allowed)
		return LV_X86_NPF_RETRY;
	if (walk || access == LV_ACCESS_EXEC)
		return LV_X86_NPF_EXIT;
	return LV_X86_NPF_MMIO;
}

/*
 * The dirty log from the table's own dirty flags (EPT with A/D, SDM Vol. 3,
 * 29.3.5; NPT, APM Vol. 2, 15.25.5). A CPU that cached a writable
 * translation with the flag set writes through it without setting the flag
 * again, so the shootdown makes every vCPU drop such translations before
 * this returns: a write after it sets the flag anew (and shows in the next
 * call), and one before it lands in a page this call reported dirty.
 */
int lv_x86_get_dirty(struct lv_vm *vm, uint64_t gpa, uint64_t size, uint64_t *bitmap)
{
	struct lv_x86_npt *n = lv_x86_npt_of(vm);
	struct lv_pt_flush f = { 0 };
	int rc;

	if (!n->has_dirty)
		return LV_ERR_NOTSUP;
	rc = lv_pt_dirty_clear(n->pt, gpa, size, bitmap, &f);
	changed(vm, &f);
	return rc;
}
