/* SPDX-License-Identifier: MIT */
/*
 * Memory-slot table: the authoritative list of a VM's guest-physical
 * mappings (GPA range -> host-virtual address + flags), kept sorted by GPA
 * in one array so lookup is a binary search (O(log n)).
 *
 * Freestanding; storage comes from lv_plat_alloc(). Not thread-safe: the
 * owner (a VM) serializes changes; lookups may run concurrently with each
 * other but not with a change (a VM's vCPU threads and its changes are kept
 * apart by lv_mem_read_begin() / lv_mem_write_begin(), internal.h).
 *
 * Changes are split in two steps so a backend can act between them without
 * any chance of a late allocation failure:
 *   lv_memmap_check_*()  validate and reserve capacity (may allocate),
 *   lv_memmap_commit_*() apply (never fails once the check passed).
 */
#ifndef LV_CORE_MEMMAP_H
#define LV_CORE_MEMMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** One mapping: [gpa, gpa + size) -> [hva, hva + size). */
struct lv_slot {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;
	uint32_t flags; /* LV_PROT_* | LV_MAP_* */
	uint32_t id;	/* unique per table, never reused while the table lives */
};

struct lv_memmap {
	struct lv_slot *slots; /* sorted by gpa, non-overlapping */
	size_t count;
	size_t capacity;
	size_t max_slots;   /* limit on count */
	uint64_t gpa_limit; /* exclusive upper bound: 1 << guest_phys_bits */
	uint32_t next_id;
};

/** Initialize an empty table. @p phys_bits in [12, 64]. No allocation. */
int lv_memmap_init(struct lv_memmap *mm, unsigned phys_bits, size_t max_slots);

/** Free the table's storage. The table is empty and reusable afterwards. */
void lv_memmap_fini(struct lv_memmap *mm);

/**
 * Validate a range's shape: non-zero size, page-aligned gpa and size, no
 * wrap-around, end within gpa_limit. @return LV_OK, LV_ERR_INVAL (size 0),
 * LV_ERR_ALIGN, LV_ERR_RANGE.
 */
int lv_memmap_check_range(const struct lv_memmap *mm, uint64_t gpa, uint64_t size);

/**
 * Check that a new mapping can be added (range shape, hva alignment, no
 * overlap, slot limit) and reserve room for it. May allocate.
 * @return LV_OK, LV_ERR_INVAL, LV_ERR_ALIGN, LV_ERR_RANGE, LV_ERR_EXIST,
 *         LV_ERR_LIMIT, LV_ERR_NOMEM.
 */
int lv_memmap_check_add(struct lv_memmap *mm, void *hva, uint64_t gpa, uint64_t size);

/** Insert the mapping checked by lv_memmap_check_add(). Returns its id. */
uint32_t lv_memmap_commit_add(struct lv_memmap *mm, void *hva, uint64_t gpa, uint64_t size,
			      uint32_t flags);

/**
 * Check that every page of [gpa, gpa + size) is mapped (LV_ERR_NOENT if not)
 * and reserve room for the up to two extra entries that splitting the first
 * and last mapping needs. May allocate.
 */
int lv_memmap_check_covered(struct lv_memmap *mm, uint64_t gpa, uint64_t size);

/** Remove [gpa, gpa + size), which lv_memmap_check_covered() accepted. */
void lv_memmap_commit_remove(struct lv_memmap *mm, uint64_t gpa, uint64_t size);

/**
 * Replace the LV_PROT_* bits of [gpa, gpa + size), which
 * lv_memmap_check_covered() accepted; other flag bits are kept.
 */
void lv_memmap_commit_protect(struct lv_memmap *mm, uint64_t gpa, uint64_t size, uint32_t prot);

/** The mapping containing @p gpa, or NULL. O(log n). */
const struct lv_slot *lv_memmap_lookup(const struct lv_memmap *mm, uint64_t gpa);

/** Index of the first mapping whose end is above @p gpa (count if none). */
size_t lv_memmap_lower_bound(const struct lv_memmap *mm, uint64_t gpa);

/**
 * Host pointer for guest range [gpa, gpa + len) if it lies within ONE
 * mapping that has all of @p need_flags, else NULL.
 */
void *lv_memmap_hva(const struct lv_memmap *mm, uint64_t gpa, uint64_t len, uint32_t need_flags);

/** True when every page of [gpa, gpa + size) is mapped with all of @p flags. */
bool lv_memmap_all_have(const struct lv_memmap *mm, uint64_t gpa, uint64_t size, uint32_t flags);

#endif /* LV_CORE_MEMMAP_H */
