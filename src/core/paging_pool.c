/* SPDX-License-Identifier: MIT */
/*
 * The page pool of a tree: table pages taken from the caller's allocator or
 * the platform seam, the phys-to-virt shortcut (p2v_linear), the pages
 * reserved ahead of a change, the deferred-free array behind
 * lv_pt_reclaim(), and create/destroy, which allocate the root and free the
 * whole tree.
 */
#include "paging_priv.h"

#include <libvcpu/status.h>

#include "lvlib.h"

static void *raw_alloc(struct lv_pt *pt, uint64_t *pa)
{
	if (pt->alloc)
		return pt->alloc->page_alloc(pt->alloc_ctx, pa);
	return lv_plat_page_alloc(1, pa);
}

/*
 * The allocator's pointer @va reads the page whose table address is @pa
 * for as long as it is allocated. While all pages of the tree sit at one
 * offset (a direct map, the hosted seam, an arena), p2v_linear stays set
 * and lv_pt_table_va() needs no phys_to_virt() call.
 */
static void note_page(struct lv_pt *pt, const void *va, uint64_t pa)
{
	if ((uint64_t)(uintptr_t)va - pa != pt->p2v_delta)
		pt->p2v_linear = false;
}

static void raw_free(struct lv_pt *pt, void *va, uint64_t pa)
{
	if (pt->alloc)
		pt->alloc->page_free(pt->alloc_ctx, va, pa);
	else
		lv_plat_page_free(va, 1);
}

void lv_pt_free_list(struct lv_pt *pt, struct lv_pt_page **list, size_t *count)
{
	while (*list) {
		struct lv_pt_page *p = *list;
		uint64_t pa = p->pa;

		*list = p->next;
		raw_free(pt, p, pa);
		(*count)--;
	}
}

/* Reserve @n more pages for the change about to be applied. */
int lv_pt_reserve_pages(struct lv_pt *pt, size_t n)
{
	while (n--) {
		uint64_t pa;
		struct lv_pt_page *p = raw_alloc(pt, &pa);

		if (!p) {
			lv_pt_free_list(pt, &pt->reserve, &pt->reserved_count);
			return LV_ERR_NOMEM;
		}
		note_page(pt, p, pa);
		p->next = pt->reserve;
		p->pa = pa;
		pt->reserve = p;
		pt->reserved_count++;
	}
	return LV_OK;
}

/*
 * Take a reserved page as a new table. Never fails. The page is all zero,
 * except with @filled (the caller writes all 512 entries) and
 * LV_PT_CFG_UNZEROED, where its contents are left as they are.
 */
uint64_t *lv_pt_take_page(struct lv_pt *pt, uint64_t *pa, bool filled)
{
	struct lv_pt_page *p = pt->reserve;

	pt->reserve = p->next;
	pt->reserved_count--;
	*pa = p->pa;
	if (!(pt->flags & LV_PT_CFG_UNZEROED))
		memset(p, 0, sizeof(*p)); /* only the list link was written */
	else if (!filled)
		memset(p, 0, LV_PT_PAGE_SIZE);
	pt->table_pages++;
	return (uint64_t *)p;
}

/* A table left the tree: free it now or keep it until lv_pt_reclaim(). */
void lv_pt_release_page(struct lv_pt *pt, uint64_t *va, uint64_t pa)
{
	pt->table_pages--;
	if (pt->flags & LV_PT_CFG_DEFER_FREE) {
		/* run_op() made room for every table that exists or is reserved. */
		pt->deferred[pt->deferred_count].va = va;
		pt->deferred[pt->deferred_count].pa = pa;
		pt->deferred_count++;
		return;
	}
	raw_free(pt, va, pa);
}

/* Free a table at @level and every table below it. */
void lv_pt_free_tree(struct lv_pt *pt, uint64_t *t, uint64_t pa, unsigned level)
{
	unsigned i;

	if (level > 1) {
		for (i = 0; i < LV_PT_ENTRIES; i++) {
			uint64_t e = t[i];

			if (lv_pt_is_present(pt, e) && !lv_pt_is_leaf(pt, e, level)) {
				uint64_t cpa = e & LV_PT_ADDR_MASK;

				lv_pt_free_tree(pt, lv_pt_table_va(pt, cpa), cpa, level - 1);
			}
		}
	}
	lv_pt_release_page(pt, t, pa);
}

size_t lv_pt_reclaim(struct lv_pt *pt)
{
	size_t n;

	if (!pt)
		return 0;
	n = pt->deferred_count;
	while (pt->deferred_count) {
		struct lv_pt_deferred *d = &pt->deferred[--pt->deferred_count];

		raw_free(pt, d->va, d->pa);
	}
	return n;
}

/*
 * With LV_PT_CFG_DEFER_FREE, make sure every table that can leave the tree
 * during the change (all existing ones, all new ones and the root excluded)
 * has a slot in the deferred array, so the apply pass cannot fail.
 */
int lv_pt_reserve_deferred(struct lv_pt *pt, size_t need)
{
	size_t want = pt->deferred_count + pt->table_pages + need, cap;
	struct lv_pt_deferred *n;

	if (!(pt->flags & LV_PT_CFG_DEFER_FREE) || want <= pt->deferred_cap)
		return LV_OK;
	cap = LV_MAX(want, 2 * pt->deferred_cap);
	n = lv_plat_alloc(cap * sizeof(*n));
	if (!n)
		return LV_ERR_NOMEM;
	if (pt->deferred_count)
		memcpy(n, pt->deferred, pt->deferred_count * sizeof(*n));
	lv_plat_free(pt->deferred);
	pt->deferred = n;
	pt->deferred_cap = cap;
	return LV_OK;
}

/* ---- create / destroy ---- */

#define KNOWN_SIZES (LV_PT_SIZE_4K | LV_PT_SIZE_2M | LV_PT_SIZE_1G)
#define KNOWN_FLAGS (LV_PT_CFG_EPT_AD | LV_PT_CFG_NO_NX | LV_PT_CFG_DEFER_FREE | LV_PT_CFG_UNZEROED)

int lv_pt_create(struct lv_pt **out, const struct lv_pt_config *cfg)
{
	const struct lv_pt_format_desc *fmt;
	uint64_t sizes;
	struct lv_pt *pt;

	if (!out || !cfg)
		return LV_ERR_INVAL;
	*out = NULL;
	fmt = lv_pt_format_get(cfg->format);
	sizes = cfg->page_sizes ? cfg->page_sizes | LV_PT_SIZE_4K : KNOWN_SIZES;
	if (!fmt || (sizes & ~KNOWN_SIZES) || (cfg->flags & ~KNOWN_FLAGS))
		return LV_ERR_INVAL;
	if (cfg->alloc &&
	    (!cfg->alloc->page_alloc || !cfg->alloc->page_free || !cfg->alloc->phys_to_virt))
		return LV_ERR_INVAL;
	if ((cfg->flags & LV_PT_CFG_UNZEROED) && !cfg->alloc)
		return LV_ERR_INVAL; /* the seam's pages are zeroed anyway */
	pt = lv_plat_alloc(sizeof(*pt));
	if (!pt)
		return LV_ERR_NOMEM;
	pt->fmt = fmt;
	pt->page_sizes = sizes;
	pt->flags = cfg->flags;
	pt->leaf_levels = fmt->leaf_levels & (1u | (sizes & LV_PT_SIZE_2M ? 2u : 0u) |
					      (sizes & LV_PT_SIZE_1G ? 4u : 0u));
	pt->va_bits = LV_PT_PAGE_SHIFT + LV_PT_LEVEL_BITS * fmt->levels;
	pt->alloc = cfg->alloc;
	pt->alloc_ctx = cfg->alloc_ctx;
	pt->root = raw_alloc(pt, &pt->root_pa);
	if (!pt->root) {
		lv_plat_free(pt);
		return LV_ERR_NOMEM;
	}
	if (pt->flags & LV_PT_CFG_UNZEROED)
		memset(pt->root, 0, LV_PT_PAGE_SIZE);
	pt->p2v_delta = (uint64_t)(uintptr_t)pt->root - pt->root_pa;
	pt->p2v_linear = true;
	pt->table_pages = 1;
	*out = pt;
	return LV_OK;
}

void lv_pt_destroy(struct lv_pt *pt)
{
	if (!pt)
		return;
	/* Destroying: the caller guarantees no CPU uses the tree any more. */
	lv_pt_reclaim(pt);
	pt->flags &= ~LV_PT_CFG_DEFER_FREE;
	lv_pt_free_tree(pt, pt->root, pt->root_pa, pt->fmt->levels);
	lv_plat_free(pt->deferred);
	lv_plat_free(pt);
}
