/* SPDX-License-Identifier: MIT */
/*
 * KVM backend: guest memory on KVM user memory regions (api.rst 4.35
 * KVM_SET_USER_MEMORY_REGION) and the dirty log (4.8 KVM_GET_DIRTY_LOG).
 *
 * The API layer owns the authoritative table (vm->mem). This file keeps the
 * KVM side: one KVM slot per contiguous piece of a caller mapping whose
 * protection is not 0. KVM cannot change READONLY in place, so unmapping or
 * protecting part of a slot deletes it and re-creates the pieces that stay
 * (running vCPUs are held outside KVM_RUN meanwhile, see vcpus_pause()).
 * Without LV_PROT_WRITE a slot is KVM_MEM_READONLY (writes exit as MMIO);
 * protection 0 means no slot (every access exits).
 * KVM has no no-execute slots: LV_FEAT_NOEXEC_MEM is clear, so the API layer
 * refuses a protection without LV_PROT_EXEC (LV_ERR_NOTSUP).
 *
 * Dirty bits are accumulated per slot: KVM_GET_DIRTY_LOG reads and clears a
 * whole slot, while the caller may ask for part of it or split it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kvm_priv.h"

#define PAGE_SHIFT 12

static uint64_t end_of(const struct kvm_mslot *s)
{
	return s->gpa + s->size;
}

static int bit_test(const uint64_t *b, uint64_t i)
{
	return (b[i / 64] >> (i % 64)) & 1;
}

static void bit_set(uint64_t *b, uint64_t i)
{
	b[i / 64] |= 1ull << (i % 64);
}

static void bit_clear(uint64_t *b, uint64_t i)
{
	b[i / 64] &= ~(1ull << (i % 64));
}

static size_t bitmap_words(uint64_t size)
{
	return (size_t)(((size >> PAGE_SHIFT) + 63) / 64);
}

static int slot_alloc(struct kvm_vm *kv)
{
	uint32_t i;

	for (i = 0; i < kv->max_slots; i++)
		if (!bit_test(kv->slot_used, i)) {
			bit_set(kv->slot_used, i);
			return (int)i;
		}
	return -1;
}

static int region_set(struct kvm_vm *kv, uint32_t slot, uint64_t gpa, uint64_t size,
		      const uint8_t *hva, uint32_t flags)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
	};

	if (size && !(flags & LV_PROT_WRITE))
		r.flags |= KVM_MEM_READONLY;
	if (size && (flags & LV_MAP_DIRTY_LOG))
		r.flags |= KVM_MEM_LOG_DIRTY_PAGES;
	if (ioctl(kv->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		return lv_kvm_errno(errno);
	return LV_OK;
}

/* Make room for @p extra more entries. */
static int reserve(struct kvm_vm *kv, size_t extra)
{
	struct kvm_mslot *n;
	size_t want = kv->nms + extra;

	if (want <= kv->cap)
		return LV_OK;
	n = realloc(kv->ms, want * 2 * sizeof(*n));
	if (!n)
		return LV_ERR_NOMEM;
	kv->ms = n;
	kv->cap = want * 2;
	return LV_OK;
}

/* Fold the kernel's dirty bits of @p s into s->dirty (KVM clears its copy). */
static int sync_dirty(struct kvm_vm *kv, struct kvm_mslot *s)
{
	struct kvm_dirty_log log;
	size_t i, n = bitmap_words(s->size);
	uint64_t *tmp;

	if (!s->dirty)
		return LV_OK;
	tmp = calloc(n, sizeof(uint64_t));
	if (!tmp)
		return LV_ERR_NOMEM;
	memset(&log, 0, sizeof(log));
	log.slot = s->slot;
	log.dirty_bitmap = tmp;
	if (ioctl(kv->vm_fd, KVM_GET_DIRTY_LOG, &log) < 0) {
		free(tmp);
		return lv_kvm_errno(errno);
	}
	for (i = 0; i < n; i++)
		s->dirty[i] |= tmp[i];
	free(tmp);
	return LV_OK;
}

/*
 * Add a KVM slot for [gpa, gpa + size) -> hva. Dirty bits are taken from
 * @p src (page @p src_first onwards) when given. Protection 0: nothing.
 * Room in kv->ms must have been reserved.
 */
static int add_piece(struct kvm_vm *kv, uint64_t gpa, uint64_t size, uint8_t *hva, uint32_t flags,
		     const uint64_t *src, uint64_t src_first)
{
	struct kvm_mslot s = { .gpa = gpa, .size = size, .hva = hva, .flags = flags };
	uint64_t i, pages = size >> PAGE_SHIFT;
	size_t pos;
	int slot, rc;

	if (!(flags & LV_PROT_ALL))
		return LV_OK;
	if (flags & LV_MAP_DIRTY_LOG) {
		s.dirty = calloc(bitmap_words(size), sizeof(uint64_t));
		if (!s.dirty)
			return LV_ERR_NOMEM;
		for (i = 0; src && i < pages; i++)
			if (bit_test(src, src_first + i))
				bit_set(s.dirty, i);
	}
	slot = slot_alloc(kv);
	if (slot < 0) {
		free(s.dirty);
		return LV_ERR_LIMIT;
	}
	s.slot = (uint32_t)slot;
	rc = region_set(kv, s.slot, gpa, size, hva, flags);
	if (rc) {
		bit_clear(kv->slot_used, s.slot);
		free(s.dirty);
		return rc;
	}
	for (pos = 0; pos < kv->nms && kv->ms[pos].gpa < gpa; pos++)
		;
	memmove(&kv->ms[pos + 1], &kv->ms[pos], (kv->nms - pos) * sizeof(s));
	kv->ms[pos] = s;
	kv->nms++;
	return LV_OK;
}

/*
 * Cut [gpa, end) out of every KVM slot overlapping it. The parts outside
 * keep their flags; with @p newprot >= 0 the part inside stays too, with
 * that protection (dirty bits carried over in both cases).
 */
static int split(struct kvm_vm *kv, uint64_t gpa, uint64_t end, int newprot)
{
	size_t i;
	int rc;

	for (i = 0; i < kv->nms;) {
		struct kvm_mslot s = kv->ms[i];
		uint64_t lo, hi;

		if (end_of(&s) <= gpa || s.gpa >= end) {
			i++;
			continue;
		}
		rc = reserve(kv, 3);
		if (rc)
			return rc;
		rc = sync_dirty(kv, &kv->ms[i]);
		if (rc)
			return rc;
		rc = region_set(kv, s.slot, s.gpa, 0, s.hva, 0);
		if (rc)
			return rc;
		bit_clear(kv->slot_used, s.slot);
		memmove(&kv->ms[i], &kv->ms[i + 1], (kv->nms - i - 1) * sizeof(s));
		kv->nms--;
		lo = s.gpa < gpa ? gpa : s.gpa;
		hi = end_of(&s) > end ? end : end_of(&s);
		rc = LV_OK;
		if (s.gpa < lo)
			rc = add_piece(kv, s.gpa, lo - s.gpa, s.hva, s.flags, s.dirty, 0);
		if (!rc && newprot >= 0)
			rc = add_piece(kv, lo, hi - lo, s.hva + (lo - s.gpa),
				       (s.flags & ~(uint32_t)LV_PROT_ALL) | (uint32_t)newprot,
				       s.dirty, (lo - s.gpa) >> PAGE_SHIFT);
		if (!rc && hi < end_of(&s))
			rc = add_piece(kv, hi, end_of(&s) - hi, s.hva + (hi - s.gpa), s.flags,
				       s.dirty, (hi - s.gpa) >> PAGE_SHIFT);
		free(s.dirty);
		if (rc)
			return rc;
		/* The pieces were inserted in order; restart the scan past them. */
		i = 0;
		while (i < kv->nms && kv->ms[i].gpa < hi)
			i++;
	}
	return LV_OK;
}

/* Monotonic nanoseconds (for the re-send interval below). */
static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#define PAUSE_RESEND_NS 20000000u /* 20 ms */

/*
 * Replacing a slot leaves a moment in which its range is absent; a vCPU in
 * KVM_RUN would take a spurious MMIO exit for memory that stays mapped. So
 * every vCPU leaves KVM_RUN (immediate_exit + the kick signal, without a
 * kick being reported) and waits in lv_kvm_run() until the change is done.
 *
 * One signal is enough: immediate_exit is set first, so a thread that has
 * not entered KVM_RUN yet returns at once, and one inside it is interrupted
 * by the signal. The signal is sent again only after PAUSE_RESEND_NS, never
 * in a tight loop: it is a real-time signal and the kernel queues every
 * send, so a flood keeps the vCPU thread running the handler forever and it
 * never gets back to clear in_run (this livelock hung the unmap-while-running
 * test under load).
 */
static void vcpus_pause(struct lv_vm *vm)
{
	struct kvm_vm *kv = vm->priv;
	uint32_t i;

	__atomic_store_n(&kv->mem_busy, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < vm->max_vcpus; i++) {
		struct lv_vcpu *v = vm->vcpus[i];
		struct kvm_vcpu *kp;
		uint64_t next_send = 0; /* now_ns() time of the next (re-)send */

		if (!v || v->state != LV_OBJ_LIVE || !v->priv)
			continue;
		kp = v->priv;
		if (!__atomic_load_n(&kp->in_run, __ATOMIC_SEQ_CST))
			continue;
		__atomic_store_n(&kp->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		while (__atomic_load_n(&kp->in_run, __ATOMIC_SEQ_CST)) {
			int32_t tid = __atomic_load_n(&kp->tid, __ATOMIC_SEQ_CST);
			uint64_t now = now_ns();

			/* A failed send (full signal queue) is retried on the next turn. */
			if (now >= next_send && tid > 0 &&
			    syscall(SYS_tgkill, getpid(), tid, kp->kb->kick_signal) == 0)
				next_send = now + PAUSE_RESEND_NS;
			sched_yield();
		}
	}
}

static void vcpus_resume(struct lv_vm *vm)
{
	struct kvm_vm *kv = vm->priv;

	__atomic_store_n(&kv->mem_busy, 0, __ATOMIC_SEQ_CST);
}

int lv_kvm_map(struct lv_vm *vm, void *hva, uint64_t gpa, uint64_t size, uint32_t flags)
{
	struct kvm_vm *kv = vm->priv;
	int rc = reserve(kv, 1);

	if (rc)
		return rc;
	return add_piece(kv, gpa, size, hva, flags, NULL, 0);
}

int lv_kvm_unmap(struct lv_vm *vm, uint64_t gpa, uint64_t size)
{
	int rc;

	vcpus_pause(vm);
	rc = split(vm->priv, gpa, gpa + size, -1);
	vcpus_resume(vm);
	return rc;
}

int lv_kvm_protect(struct lv_vm *vm, uint64_t gpa, uint64_t size, uint32_t prot)
{
	struct kvm_vm *kv = vm->priv;
	const struct lv_memmap *mm = &vm->mem;
	uint64_t end = gpa + size;
	size_t i;
	int rc;

	vcpus_pause(vm);
	rc = split(kv, gpa, end, (int)prot);
	if (rc) {
		vcpus_resume(vm);
		return rc;
	}
	/* Pieces that had protection 0 have no KVM slot yet. */
	for (i = lv_memmap_lower_bound(mm, gpa); i < mm->count && mm->slots[i].gpa < end; i++) {
		const struct lv_slot *m = &mm->slots[i];
		uint64_t lo = m->gpa < gpa ? gpa : m->gpa;
		uint64_t hi = m->gpa + m->size > end ? end : m->gpa + m->size;

		if ((m->flags & LV_PROT_ALL) || !prot)
			continue;
		rc = reserve(kv, 1);
		if (!rc)
			rc = add_piece(kv, lo, hi - lo, m->hva + (lo - m->gpa),
				       (m->flags & ~(uint32_t)LV_PROT_ALL) | prot, NULL, 0);
		if (rc)
			break;
	}
	vcpus_resume(vm);
	return rc;
}

int lv_kvm_get_dirty(struct lv_vm *vm, uint64_t gpa, uint64_t size, uint64_t *bitmap)
{
	struct kvm_vm *kv = vm->priv;
	uint64_t end = gpa + size, p;
	size_t i;
	int rc;

	memset(bitmap, 0, bitmap_words(size) * sizeof(uint64_t));
	for (i = 0; i < kv->nms; i++) {
		struct kvm_mslot *s = &kv->ms[i];
		uint64_t lo, hi;

		if (end_of(s) <= gpa || s->gpa >= end || !s->dirty)
			continue;
		rc = sync_dirty(kv, s);
		if (rc)
			return rc;
		lo = s->gpa < gpa ? gpa : s->gpa;
		hi = end_of(s) > end ? end : end_of(s);
		for (p = lo; p < hi; p += LV_PAGE_SIZE) {
			uint64_t si = (p - s->gpa) >> PAGE_SHIFT;

			if (bit_test(s->dirty, si)) {
				bit_set(bitmap, (p - gpa) >> PAGE_SHIFT);
				bit_clear(s->dirty, si);
			}
		}
	}
	return LV_OK;
}

void lv_kvm_mem_fini(struct kvm_vm *kv)
{
	size_t i;

	for (i = 0; i < kv->nms; i++)
		free(kv->ms[i].dirty);
	free(kv->ms);
	kv->ms = NULL;
	kv->nms = kv->cap = 0;
}
