/* SPDX-License-Identifier: MIT */
/*
 * The generic page-table walker (see include/libvcpu/paging.h). Everything
 * format-specific comes from struct lv_pt_format_desc (paging_formats.c).
 *
 * A change runs the same recursive walk twice: first counting the table
 * pages it will need (no writes), then, once that many pages are reserved,
 * applying it. The apply pass cannot fail, so a call either succeeds or
 * changes nothing.
 */
#include "paging.h"

#include <libvcpu/platform.h>
#include <libvcpu/status.h>

#include "lvlib.h"

/* ---- small helpers ---- */

static inline unsigned level_shift(unsigned level)
{
	return LV_PT_PAGE_SHIFT + LV_PT_LEVEL_BITS * (level - 1);
}

static inline uint64_t level_span(unsigned level)
{
	return (uint64_t)1 << level_shift(level);
}

static inline unsigned level_index(uint64_t va, unsigned level)
{
	return (unsigned)(va >> level_shift(level)) & (LV_PT_ENTRIES - 1);
}

static inline bool is_present(const struct lv_pt *pt, uint64_t e)
{
	return (e & pt->fmt->present) != 0;
}

/* A present entry at @level is a leaf (level 1 always; 2 and 3 with PS). */
static inline bool is_leaf(const struct lv_pt *pt, uint64_t e, unsigned level)
{
	return level == 1 || (e & pt->fmt->large);
}

static inline uint64_t leaf_addr(uint64_t e, unsigned level)
{
	return e & LV_PT_ADDR_MASK & ~(level_span(level) - 1);
}

static inline uint64_t read_entry(const uint64_t *e)
{
	return __atomic_load_n(e, __ATOMIC_RELAXED);
}

/* One aligned 64-bit store; release so a table is filled before it is linked. */
static inline void write_entry(uint64_t *e, uint64_t v)
{
	__atomic_store_n(e, v, __ATOMIC_RELEASE);
}

static inline uint64_t *table_va(const struct lv_pt *pt, uint64_t pa)
{
	if (pt->p2v_linear)
		return (uint64_t *)(uintptr_t)(pa + pt->p2v_delta);
	if (pt->alloc)
		return pt->alloc->phys_to_virt(pt->alloc_ctx, pa);
	return lv_plat_phys_to_virt(pa);
}

/* Internal (zero-based) address -> the address callers see. */
static inline uint64_t to_external(const struct lv_pt *pt, uint64_t va)
{
	if (pt->fmt->canonical && (va >> (pt->va_bits - 1)) & 1)
		return va | ~(((uint64_t)1 << pt->va_bits) - 1);
	return va;
}

void lv_pt_flush_add(struct lv_pt_flush *flush, uint64_t start, uint64_t last, uint32_t kind)
{
	if (!flush || !kind)
		return;
	if (!flush->kind) {
		flush->start = start;
		flush->last = last;
	} else {
		flush->start = LV_MIN(flush->start, start);
		flush->last = LV_MAX(flush->last, last);
	}
	flush->kind |= kind;
}

/* ---- table pages ---- */

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
 * and table_va() needs no phys_to_virt() call.
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

static void free_list(struct lv_pt *pt, struct lv_pt_page **list, size_t *count)
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
static int reserve_pages(struct lv_pt *pt, size_t n)
{
	while (n--) {
		uint64_t pa;
		struct lv_pt_page *p = raw_alloc(pt, &pa);

		if (!p) {
			free_list(pt, &pt->reserve, &pt->reserved_count);
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
static uint64_t *take_page(struct lv_pt *pt, uint64_t *pa, bool filled)
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
static void release_page(struct lv_pt *pt, uint64_t *va, uint64_t pa)
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
static void free_tree(struct lv_pt *pt, uint64_t *t, uint64_t pa, unsigned level)
{
	unsigned i;

	if (level > 1) {
		for (i = 0; i < LV_PT_ENTRIES; i++) {
			uint64_t e = t[i];

			if (is_present(pt, e) && !is_leaf(pt, e, level)) {
				uint64_t cpa = e & LV_PT_ADDR_MASK;

				free_tree(pt, table_va(pt, cpa), cpa, level - 1);
			}
		}
	}
	release_page(pt, t, pa);
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

/* ---- create / destroy / accessors ---- */

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
	free_tree(pt, pt->root, pt->root_pa, pt->fmt->levels);
	lv_plat_free(pt->deferred);
	lv_plat_free(pt);
}

uint64_t lv_pt_root(const struct lv_pt *pt)
{
	return pt ? pt->root_pa : 0;
}

unsigned lv_pt_levels(const struct lv_pt *pt)
{
	return pt ? pt->fmt->levels : 0;
}

size_t lv_pt_table_pages(const struct lv_pt *pt)
{
	return pt ? pt->table_pages : 0;
}

int lv_pt_eptp(const struct lv_pt *pt, unsigned memtype, uint64_t *eptp)
{
	/* SDM Vol. 3C, "Extended-Page-Table Pointer (EPTP)". */
	if (!pt || !eptp || !pt->fmt->is_ept || (memtype != 0 && memtype != 6))
		return LV_ERR_INVAL;
	*eptp = pt->root_pa | (uint64_t)memtype | ((uint64_t)(pt->fmt->levels - 1) << 3) |
		((pt->flags & LV_PT_CFG_EPT_AD) ? (1ull << 6) : 0);
	return LV_OK;
}

/* ---- argument checks ---- */

/*
 * Validate [va, va + size) and give its first and last (inclusive; @last
 * may be NULL) internal zero-based addresses. Canonical formats take
 * sign-extended addresses from either half but a range may not leave its
 * half.
 */
static int check_range(const struct lv_pt *pt, uint64_t va, uint64_t size, uint64_t *first,
		       uint64_t *last)
{
	uint64_t top = (uint64_t)1 << pt->va_bits, half = top >> 1;

	if (size == 0)
		return LV_ERR_INVAL;
	if ((va | size) & (LV_PT_PAGE_SIZE - 1))
		return LV_ERR_ALIGN;
	if (pt->fmt->canonical && va >= half) {
		uint64_t hi = va & ~(top - 1);

		if (hi != ~(top - 1) || (va & (top - 1)) < half)
			return LV_ERR_RANGE;
		va &= top - 1;
		if (size > top - va)
			return LV_ERR_RANGE;
	} else {
		uint64_t end = pt->fmt->canonical ? half : top;

		if (va >= end || size > end - va)
			return LV_ERR_RANGE;
	}
	*first = va;
	if (last)
		*last = va + (size - 1);
	return LV_OK;
}

#define KNOWN_ATTRS                                                                                \
	(LV_PT_R | LV_PT_W | LV_PT_X | LV_PT_U | LV_PT_G | LV_PT_IPAT | LV_PT_MT_MASK |            \
	 LV_PT_SMALL | LV_PT_A | LV_PT_D)

/* ---- the change walk ---- */

enum op_kind { OP_MAP, OP_UNMAP, OP_PROTECT };

struct op {
	enum op_kind kind;
	bool counting;	/* first pass: count pages, write nothing */
	uint64_t first; /* internal address range [first, last] */
	uint64_t last;
	uint64_t pa;		     /* OP_MAP: output address of @first */
	uint32_t attrs;		     /* OP_MAP: leaf attributes; OP_PROTECT: new rights */
	uint8_t leaf_levels;	     /* OP_MAP: levels that may take the new leaves */
	uint64_t leaf_bits[4];	     /* OP_MAP: encoded attributes per leaf level 1..3 */
	uint64_t memo_old, memo_new; /* OP_PROTECT: last (old bits -> new bits) pair */
	const uint64_t *fresh;	     /* a table just taken: zero, not linked yet */
	size_t need;		     /* counting: pages needed */
	struct lv_pt_flush *flush;
};

static void note_flush(const struct lv_pt *pt, struct op *op, uint64_t va, unsigned level,
		       uint32_t kind)
{
	lv_pt_flush_add(op->flush, to_external(pt, va), to_external(pt, va + level_span(level) - 1),
			kind);
}

/* Entry bits of the leaves that replace leaf @e of @level one level down. */
static uint64_t split_bits(const struct lv_pt *pt, uint64_t e, unsigned level)
{
	return pt->fmt->encode(pt, pt->fmt->decode(pt, e, level), level - 1);
}

/*
 * Split leaf @e of @level into a new table of 512 leaves of @level - 1 with
 * the same translation. Returns the table; it is not linked yet.
 */
static uint64_t *split_leaf(struct lv_pt *pt, uint64_t e, unsigned level, uint64_t *pa)
{
	uint64_t *t = take_page(pt, pa, true);
	uint64_t bits = split_bits(pt, e, level), addr = leaf_addr(e, level);
	uint64_t step = level_span(level - 1);
	unsigned i;

	for (i = 0; i < LV_PT_ENTRIES; i++)
		t[i] = (addr + i * step) | bits;
	return t;
}

/*
 * After a change inside the table @t below entry @pe (which sits at
 * @level, mapping [va, va + span)): free @t if it is empty, or replace it by
 * one large leaf if its 512 entries are uniform leaves.
 */
static void collapse(struct lv_pt *pt, struct op *op, uint64_t *pe, uint64_t va, unsigned level)
{
	const struct lv_pt_format_desc *f = pt->fmt;
	uint64_t tpa = read_entry(pe) & LV_PT_ADDR_MASK, *t = table_va(pt, tpa);
	uint64_t ad = f->accessed | f->dirty, e0 = t[0], want, seen_ad = 0;
	unsigned i, cl = level - 1;
	uint32_t attrs;

	if (!is_present(pt, e0)) {
		if (op->kind != OP_UNMAP || is_present(pt, t[LV_PT_ENTRIES - 1]))
			return;
		for (i = 1; i < LV_PT_ENTRIES; i++)
			if (t[i])
				return;
		write_entry(pe, 0);
		release_page(pt, t, tpa);
		note_flush(pt, op, va, level, LV_PT_FLUSH_TLB | LV_PT_FLUSH_PWC);
		return;
	}
	/* Merge: level must take leaves, and the leaves must be contiguous from an aligned base. */
	if (!(pt->leaf_levels & (1u << (level - 1))) || !is_leaf(pt, e0, cl) ||
	    (e0 & LV_PT_SW_SMALL) || (leaf_addr(e0, cl) & (level_span(level) - 1)))
		return;
	want = e0 & ~ad;
	if ((t[LV_PT_ENTRIES - 1] & ~ad) != want + (uint64_t)(LV_PT_ENTRIES - 1) * level_span(cl))
		return;
	for (i = 0; i < LV_PT_ENTRIES; i++) {
		uint64_t e = t[i];

		if ((e & ~ad) != want)
			return;
		seen_ad |= e & ad;
		want += level_span(cl);
	}
	attrs = f->decode(pt, (e0 & ~ad) | seen_ad, cl);
	write_entry(pe, leaf_addr(e0, cl) | f->encode(pt, attrs, level));
	release_page(pt, t, tpa);
	note_flush(pt, op, va, level, LV_PT_FLUSH_TLB | LV_PT_FLUSH_PWC);
}

/*
 * OP_MAP at level 1 into a table just taken (not visible to any CPU yet):
 * plain stores, nothing to compare; entries outside [lo, hi] are zeroed
 * when the allocator does not zero pages.
 */
static void map_ptes_fresh(struct lv_pt *pt, struct op *op, uint64_t *t, uint64_t va, unsigned lo,
			   unsigned hi)
{
	uint64_t bits = op->leaf_bits[1], pa = op->pa + (va - op->first);
	unsigned i;

	if (pt->flags & LV_PT_CFG_UNZEROED) {
		memset(t, 0, lo * sizeof(*t));
		memset(&t[hi + 1], 0, (LV_PT_ENTRIES - 1 - hi) * sizeof(*t));
	}
	for (i = lo; i <= hi; i++, pa += LV_PT_PAGE_SIZE)
		t[i] = pa | bits;
}

/* OP_MAP at level 1 into a live table: the hot loop, one entry per 4 KiB page. */
static void map_ptes(struct lv_pt *pt, struct op *op, uint64_t *t, uint64_t va, unsigned lo,
		     unsigned hi)
{
	uint64_t bits = op->leaf_bits[1], pa = op->pa + (va - op->first);
	unsigned i, first = LV_PT_ENTRIES, last = 0;

	if (t == op->fresh) {
		map_ptes_fresh(pt, op, t, va, lo, hi);
		return;
	}
	for (i = lo; i <= hi; i++, pa += LV_PT_PAGE_SIZE) {
		uint64_t old = t[i], v = pa | bits;

		if (old != v && is_present(pt, old)) {
			first = LV_MIN(first, i);
			last = i;
		}
		write_entry(&t[i], v);
	}
	if (first <= last)
		lv_pt_flush_add(op->flush, to_external(pt, va + (first - lo) * LV_PT_PAGE_SIZE),
				to_external(pt, va + (last - lo + 1) * LV_PT_PAGE_SIZE - 1),
				LV_PT_FLUSH_TLB);
}

/* New bits of leaf @e (level @level) under OP_PROTECT. */
static uint64_t protect_entry(const struct lv_pt *pt, struct op *op, uint64_t e, unsigned level)
{
	uint64_t addr = leaf_addr(e, level), bits = e & ~addr;
	uint32_t a;

	if (level == 1 && bits == op->memo_old)
		return addr | op->memo_new;
	a = pt->fmt->decode(pt, e, level);
	a = (a & ~LV_PT_PROT_MASK) | (op->attrs & LV_PT_PROT_MASK);
	if (level == 1) {
		op->memo_old = bits;
		op->memo_new = pt->fmt->encode(pt, a, level);
		return addr | op->memo_new;
	}
	return addr | pt->fmt->encode(pt, a, level);
}

/*
 * Apply (or count) @op on table @t at @level, whose first entry maps
 * internal address @base. In the counting pass @t may be NULL: a table that
 * does not exist yet, or one that a split would create; its entries count as
 * present leaves.
 */
static void walk(struct lv_pt *pt, struct op *op, uint64_t *t, unsigned level, uint64_t base)
{
	uint64_t span = level_span(level);
	uint64_t lo_va = LV_MAX(op->first, base);
	uint64_t hi_va = LV_MIN(op->last, base + (span << LV_PT_LEVEL_BITS) - 1);
	unsigned i, lo = level_index(lo_va, level), hi = level_index(hi_va, level);

	if (op->counting && level == 1)
		return; /* level-1 entries never need a table */
	if (level == 1 && op->kind == OP_MAP) {
		map_ptes(pt, op, t, base + (uint64_t)lo * span, lo, hi);
		return;
	}
	for (i = lo; i <= hi; i++) {
		uint64_t eva = base + (uint64_t)i * span;
		uint64_t a = LV_MAX(op->first, eva), b = LV_MIN(op->last, eva + span - 1);
		bool full = a == eva && b == eva + span - 1;
		uint64_t *pe = t ? &t[i] : NULL;
		uint64_t old = t ? read_entry(pe) : pt->fmt->present | pt->fmt->large;
		bool present = is_present(pt, old), leaf = present && is_leaf(pt, old, level);
		uint64_t *child = NULL, cpa = 0;

		if (op->kind == OP_MAP) {
			uint64_t pa = op->pa + (a - op->first);

			if (level == 1 || (full && (op->leaf_levels & (1u << (level - 1))) &&
					   !(pa & (span - 1)))) {
				uint64_t v = pa | op->leaf_bits[level];

				if (op->counting || old == v)
					continue;
				write_entry(pe, v);
				if (present)
					note_flush(pt, op, eva, level, LV_PT_FLUSH_TLB);
				if (present && !leaf) {
					cpa = old & LV_PT_ADDR_MASK;
					free_tree(pt, table_va(pt, cpa), cpa, level - 1);
					note_flush(pt, op, eva, level, LV_PT_FLUSH_PWC);
				}
				continue;
			}
		} else {
			if (!present)
				continue;
			if (op->kind == OP_UNMAP && full) {
				if (op->counting)
					continue;
				write_entry(pe, 0);
				note_flush(pt, op, eva, level, LV_PT_FLUSH_TLB);
				if (!leaf) {
					cpa = old & LV_PT_ADDR_MASK;
					free_tree(pt, table_va(pt, cpa), cpa, level - 1);
					note_flush(pt, op, eva, level, LV_PT_FLUSH_PWC);
				}
				continue;
			}
			if (op->kind == OP_PROTECT && leaf && full) {
				uint64_t v;

				if (op->counting)
					continue;
				/*
				 * Compare-and-swap: a CPU may set the accessed or
				 * dirty flag meanwhile, and it must not be lost.
				 */
				do {
					v = protect_entry(pt, op, old, level);
				} while (v != old && !__atomic_compare_exchange_n(
							     pe, &old, v, false, __ATOMIC_SEQ_CST,
							     __ATOMIC_RELAXED));
				if (v != old)
					note_flush(pt, op, eva, level, LV_PT_FLUSH_TLB);
				continue;
			}
			/* Protect on a whole table has nothing to split: skip it when counting. */
			if (op->counting && full)
				continue;
		}

		/* Descend: into the existing table, a new one, or a split leaf. */
		if (op->counting) {
			if (!t || !present || leaf) {
				op->need++;
				walk(pt, op, NULL, level - 1, eva);
			} else {
				cpa = old & LV_PT_ADDR_MASK;
				walk(pt, op, table_va(pt, cpa), level - 1, eva);
			}
			continue;
		}
		if (present && !leaf) {
			cpa = old & LV_PT_ADDR_MASK;
			walk(pt, op, table_va(pt, cpa), level - 1, eva);
		} else {
			if (present) {
				child = split_leaf(pt, old, level, &cpa);
				note_flush(pt, op, eva, level, LV_PT_FLUSH_TLB);
			} else {
				/* map_ptes_fresh() initializes a new page table itself. */
				child = take_page(pt, &cpa, op->kind == OP_MAP && level == 2);
				op->fresh = child;
			}
			walk(pt, op, child, level - 1, eva);
			write_entry(pe, cpa | pt->fmt->table_bits);
		}
		collapse(pt, op, pe, eva, level);
	}
}

/*
 * With LV_PT_CFG_DEFER_FREE, make sure every table that can leave the tree
 * during the change (all existing ones, all new ones and the root excluded)
 * has a slot in the deferred array, so the apply pass cannot fail.
 */
static int reserve_deferred(struct lv_pt *pt, size_t need)
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

/* Count, reserve, apply. */
static int run_op(struct lv_pt *pt, struct op *op)
{
	int rc;

	op->counting = true;
	op->need = 0;
	walk(pt, op, pt->root, pt->fmt->levels, 0);
	rc = reserve_deferred(pt, op->need);
	if (rc)
		return rc;
	rc = reserve_pages(pt, op->need);
	if (rc)
		return rc;
	op->counting = false;
	op->memo_old = ~0ull;
	walk(pt, op, pt->root, pt->fmt->levels, 0);
	/* The count is exact; anything left over (never expected) goes back. */
	free_list(pt, &pt->reserve, &pt->reserved_count);
	return LV_OK;
}

int lv_pt_map(struct lv_pt *pt, uint64_t va, uint64_t pa, uint64_t size, uint32_t attrs,
	      struct lv_pt_flush *flush)
{
	struct op op = { .kind = OP_MAP, .flush = flush };
	unsigned l;
	int rc;

	if (!pt || (attrs & ~KNOWN_ATTRS))
		return LV_ERR_INVAL;
	rc = check_range(pt, va, size, &op.first, &op.last);
	if (rc)
		return rc;
	if (pa & (LV_PT_PAGE_SIZE - 1))
		return LV_ERR_ALIGN;
	if (pa >= LV_PT_PA_LIMIT || size > LV_PT_PA_LIMIT - pa)
		return LV_ERR_RANGE;
	rc = pt->fmt->check(pt, attrs);
	if (rc)
		return rc;
	op.pa = pa;
	op.attrs = attrs;
	op.leaf_levels = (attrs & LV_PT_SMALL) ? 1 : pt->leaf_levels;
	for (l = 1; l <= 3; l++)
		op.leaf_bits[l] = pt->fmt->encode(pt, attrs, l);
	return run_op(pt, &op);
}

int lv_pt_unmap(struct lv_pt *pt, uint64_t va, uint64_t size, struct lv_pt_flush *flush)
{
	struct op op = { .kind = OP_UNMAP, .flush = flush };
	int rc;

	if (!pt)
		return LV_ERR_INVAL;
	rc = check_range(pt, va, size, &op.first, &op.last);
	if (rc)
		return rc;
	return run_op(pt, &op);
}

int lv_pt_protect(struct lv_pt *pt, uint64_t va, uint64_t size, uint32_t attrs,
		  struct lv_pt_flush *flush)
{
	struct op op = { .kind = OP_PROTECT, .flush = flush };
	int rc;

	if (!pt || (attrs & ~LV_PT_PROT_MASK))
		return LV_ERR_INVAL;
	rc = check_range(pt, va, size, &op.first, &op.last);
	if (rc)
		return rc;
	/* The new rights must be valid by themselves (memory type 0 is always valid). */
	rc = pt->fmt->check(pt, attrs);
	if (rc)
		return rc;
	op.attrs = attrs;
	return run_op(pt, &op);
}

/* ---- read-only walks ---- */

int lv_pt_read_entry(const struct lv_pt *pt, uint64_t va, unsigned level, uint64_t *entry)
{
	const uint64_t *t;
	uint64_t iva;
	unsigned l;
	int rc;

	if (!pt || !entry || level < 1 || level > pt->fmt->levels)
		return LV_ERR_INVAL;
	rc = check_range(pt, va & ~(LV_PT_PAGE_SIZE - 1), LV_PT_PAGE_SIZE, &iva, NULL);
	if (rc)
		return rc;
	t = pt->root;
	for (l = pt->fmt->levels;; l--) {
		uint64_t e = read_entry(&t[level_index(iva, l)]);

		if (l == level) {
			*entry = e;
			return LV_OK;
		}
		if (!is_present(pt, e) || is_leaf(pt, e, l))
			return LV_ERR_NOENT;
		t = table_va(pt, e & LV_PT_ADDR_MASK);
	}
}

/*
 * Internal address of a single address @va (the fast form of check_range()
 * for lookups): below 2^va_bits, or canonical for canonical formats.
 */
static inline int lookup_addr(const struct lv_pt *pt, uint64_t va, uint64_t *iva)
{
	if (pt->fmt->canonical) {
		int64_t sign = (int64_t)va >> (pt->va_bits - 1);

		if (sign != 0 && sign != -1)
			return LV_ERR_RANGE;
		*iva = va & (((uint64_t)1 << pt->va_bits) - 1);
		return LV_OK;
	}
	if (va >> pt->va_bits)
		return LV_ERR_RANGE;
	*iva = va;
	return LV_OK;
}

/* The generic lookup: any number of levels, any allocator. */
__attribute__((noinline)) static int translate_walk(const struct lv_pt *pt, uint64_t iva,
						    struct lv_pt_xlate *out)
{
	const uint64_t *t = pt->root;
	unsigned l;

	for (l = pt->fmt->levels;; l--) {
		uint64_t e = read_entry(&t[level_index(iva, l)]);

		if (!is_present(pt, e))
			return LV_ERR_NOENT;
		if (is_leaf(pt, e, l)) {
			out->pa = leaf_addr(e, l) | (iva & (level_span(l) - 1));
			out->page_size = level_span(l);
			out->attrs = pt->fmt->decode(pt, e, l);
			out->level = l;
			return LV_OK;
		}
		t = table_va(pt, e & LV_PT_ADDR_MASK);
	}
}

/* Next table below the non-leaf entry @e when p2v_linear holds. */
static inline const uint64_t *linear_next(uint64_t e, uint64_t delta, uint64_t iva, unsigned level)
{
	const uint64_t *t = (const uint64_t *)(uintptr_t)((e & LV_PT_ADDR_MASK) + delta);

	return &t[level_index(iva, level)];
}

/*
 * The hot lookup. On a tree larger than the caches its speed comes from
 * overlapping the cache misses of consecutive calls, which needs a short,
 * branch-predictable path: for the 4-level formats with linearly mapped
 * tables, a 4 KiB leaf is found by an unrolled walk with no calls but the
 * attribute decoding. Everything else (large leaves, holes, 5 levels,
 * other allocators) takes the generic walk.
 */
int lv_pt_translate(const struct lv_pt *pt, uint64_t va, struct lv_pt_xlate *out)
{
	uint64_t iva, e, present, large, delta;
	const struct lv_pt_format_desc *f;

	if (!pt || !out)
		return LV_ERR_INVAL;
	if (lookup_addr(pt, va, &iva))
		return LV_ERR_RANGE;
	f = pt->fmt;
	if (f->levels != 4 || !pt->p2v_linear)
		return translate_walk(pt, iva, out);
	present = f->present;
	large = f->large;
	delta = pt->p2v_delta;
	e = read_entry(&pt->root[level_index(iva, 4)]);
	if (!(e & present) || (e & large))
		return translate_walk(pt, iva, out);
	e = read_entry(linear_next(e, delta, iva, 3));
	if (!(e & present) || (e & large))
		return translate_walk(pt, iva, out);
	e = read_entry(linear_next(e, delta, iva, 2));
	if (!(e & present) || (e & large))
		return translate_walk(pt, iva, out);
	e = read_entry(linear_next(e, delta, iva, 1));
	if (!(e & present))
		return LV_ERR_NOENT;
	out->pa = (e & LV_PT_ADDR_MASK) | (iva & (LV_PT_PAGE_SIZE - 1));
	out->page_size = LV_PT_PAGE_SIZE;
	out->attrs = f->is_ept ? lv_pt_ept_attrs(e, pt->flags & LV_PT_CFG_EPT_AD)
			       : f->decode(pt, e, 1);
	out->level = 1;
	return LV_OK;
}

struct ro_walk {
	uint64_t first, last;
	lv_pt_iter_fn fn;
	void *ctx;
	uint64_t *bitmap;	   /* dirty_clear */
	struct lv_pt_flush *flush; /* dirty_clear */
};

static int iter_walk(const struct lv_pt *pt, struct ro_walk *w, const uint64_t *t, unsigned level,
		     uint64_t base)
{
	uint64_t span = level_span(level);
	uint64_t lo_va = LV_MAX(w->first, base);
	uint64_t hi_va = LV_MIN(w->last, base + (span << LV_PT_LEVEL_BITS) - 1);
	unsigned i;

	for (i = level_index(lo_va, level); i <= level_index(hi_va, level); i++) {
		uint64_t eva = base + (uint64_t)i * span, e = read_entry(&t[i]);
		uint64_t a = LV_MAX(w->first, eva), b = LV_MIN(w->last, eva + span - 1);
		int rc;

		if (!is_present(pt, e))
			continue;
		if (!is_leaf(pt, e, level)) {
			rc = iter_walk(pt, w, table_va(pt, e & LV_PT_ADDR_MASK), level - 1, eva);
			if (rc)
				return rc;
			continue;
		}
		rc = w->fn(w->ctx, to_external(pt, a), leaf_addr(e, level) + (a - eva), b - a + 1,
			   pt->fmt->decode(pt, e, level));
		if (rc)
			return rc;
	}
	return 0;
}

int lv_pt_iterate(const struct lv_pt *pt, uint64_t va, uint64_t size, lv_pt_iter_fn fn, void *ctx)
{
	struct ro_walk w = { .fn = fn, .ctx = ctx };
	int rc;

	if (!pt || !fn)
		return LV_ERR_INVAL;
	rc = check_range(pt, va, size, &w.first, &w.last);
	if (rc)
		return rc;
	return iter_walk(pt, &w, pt->root, pt->fmt->levels, 0);
}

/* Set bits [from, from + n) of a bitmap. */
static void set_bits(uint64_t *bm, uint64_t from, uint64_t n)
{
	while (n && (from & 63)) {
		bm[from / 64] |= 1ull << (from & 63);
		from++;
		n--;
	}
	for (; n >= 64; n -= 64, from += 64)
		bm[from / 64] = ~0ull;
	for (; n; n--, from++)
		bm[from / 64] |= 1ull << (from & 63);
}

static void dirty_walk(const struct lv_pt *pt, struct ro_walk *w, uint64_t *t, unsigned level,
		       uint64_t base)
{
	uint64_t span = level_span(level), dirty = pt->fmt->dirty;
	uint64_t lo_va = LV_MAX(w->first, base);
	uint64_t hi_va = LV_MIN(w->last, base + (span << LV_PT_LEVEL_BITS) - 1);
	unsigned i;

	for (i = level_index(lo_va, level); i <= level_index(hi_va, level); i++) {
		uint64_t eva = base + (uint64_t)i * span, e = read_entry(&t[i]);
		uint64_t a = LV_MAX(w->first, eva), b = LV_MIN(w->last, eva + span - 1);

		if (!is_present(pt, e))
			continue;
		if (!is_leaf(pt, e, level)) {
			dirty_walk(pt, w, table_va(pt, e & LV_PT_ADDR_MASK), level - 1, eva);
			continue;
		}
		if (!(e & dirty))
			continue;
		/*
		 * A leaf wholly inside the range is cleared with an atomic AND
		 * (the CPU may set flags concurrently); one that reaches
		 * outside keeps its flag for the pages beyond the range.
		 */
		if (a == eva && b == eva + span - 1) {
			__atomic_fetch_and(&t[i], ~dirty, __ATOMIC_SEQ_CST);
			lv_pt_flush_add(w->flush, to_external(pt, a), to_external(pt, b),
					LV_PT_FLUSH_TLB);
		}
		set_bits(w->bitmap, (a - w->first) >> LV_PT_PAGE_SHIFT,
			 (b - a + 1) >> LV_PT_PAGE_SHIFT);
	}
}

int lv_pt_dirty_clear(struct lv_pt *pt, uint64_t va, uint64_t size, uint64_t *bitmap,
		      struct lv_pt_flush *flush)
{
	struct ro_walk w = { .bitmap = bitmap, .flush = flush };
	int rc;

	if (!pt || !bitmap)
		return LV_ERR_INVAL;
	if (pt->fmt->is_ept && !(pt->flags & LV_PT_CFG_EPT_AD))
		return LV_ERR_NOTSUP;
	rc = check_range(pt, va, size, &w.first, &w.last);
	if (rc)
		return rc;
	memset(bitmap, 0, ((size >> LV_PT_PAGE_SHIFT) + 63) / 64 * sizeof(uint64_t));
	dirty_walk(pt, &w, pt->root, pt->fmt->levels, 0);
	return LV_OK;
}
