/* SPDX-License-Identifier: MIT */
/*
 * Internal to the page-table core (paging.c, paging_pool.c,
 * paging_change.c): the level and entry helpers every walk uses, and the
 * functions one of those files calls in another.
 */
#ifndef LV_CORE_PAGING_PRIV_H
#define LV_CORE_PAGING_PRIV_H

#include "paging.h"

#include <libvcpu/platform.h>

static inline unsigned lv_pt_level_shift(unsigned level)
{
	return LV_PT_PAGE_SHIFT + LV_PT_LEVEL_BITS * (level - 1);
}

static inline uint64_t lv_pt_level_span(unsigned level)
{
	return (uint64_t)1 << lv_pt_level_shift(level);
}

static inline unsigned lv_pt_level_index(uint64_t va, unsigned level)
{
	return (unsigned)(va >> lv_pt_level_shift(level)) & (LV_PT_ENTRIES - 1);
}

static inline bool lv_pt_is_present(const struct lv_pt *pt, uint64_t e)
{
	return (e & pt->fmt->present) != 0;
}

/* A present entry at @level is a leaf (level 1 always; 2 and 3 with PS). */
static inline bool lv_pt_is_leaf(const struct lv_pt *pt, uint64_t e, unsigned level)
{
	return level == 1 || (e & pt->fmt->large);
}

static inline uint64_t lv_pt_leaf_addr(uint64_t e, unsigned level)
{
	return e & LV_PT_ADDR_MASK & ~(lv_pt_level_span(level) - 1);
}

static inline uint64_t lv_pt_entry_read(const uint64_t *e)
{
	return __atomic_load_n(e, __ATOMIC_RELAXED);
}

static inline uint64_t *lv_pt_table_va(const struct lv_pt *pt, uint64_t pa)
{
	if (pt->p2v_linear)
		return (uint64_t *)(uintptr_t)(pa + pt->p2v_delta);
	if (pt->alloc)
		return pt->alloc->phys_to_virt(pt->alloc_ctx, pa);
	return lv_plat_phys_to_virt(pa);
}

/* Internal (zero-based) address -> the address callers see. */
static inline uint64_t lv_pt_to_external(const struct lv_pt *pt, uint64_t va)
{
	if (pt->fmt->canonical && (va >> (pt->va_bits - 1)) & 1)
		return va | ~(((uint64_t)1 << pt->va_bits) - 1);
	return va;
}

/* The page pool (paging_pool.c); each function is described where it is defined. */
void lv_pt_free_list(struct lv_pt *pt, struct lv_pt_page **list, size_t *count);
int lv_pt_reserve_pages(struct lv_pt *pt, size_t n);
uint64_t *lv_pt_take_page(struct lv_pt *pt, uint64_t *pa, bool filled);
void lv_pt_release_page(struct lv_pt *pt, uint64_t *va, uint64_t pa);
void lv_pt_free_tree(struct lv_pt *pt, uint64_t *t, uint64_t pa, unsigned level);
int lv_pt_reserve_deferred(struct lv_pt *pt, size_t need);

/* Range argument check (paging.c). */
int lv_pt_check_range(const struct lv_pt *pt, uint64_t va, uint64_t size, uint64_t *first,
		      uint64_t *last);

#endif /* LV_CORE_PAGING_PRIV_H */
