/* SPDX-License-Identifier: MIT */
/*
 * The page-table core around the change walk (API: include/libvcpu/paging.h):
 * flush ranges, accessors, the range check, and the walks that never add or
 * remove a table: lv_pt_read_entry(), lv_pt_translate(), lv_pt_iterate()
 * and lv_pt_dirty_clear(). Everything format-specific comes from struct
 * lv_pt_format_desc (paging_formats.c); map/unmap/protect are in
 * paging_change.c, the table pages and create/destroy in paging_pool.c.
 */
#include "paging_priv.h"

#include <libvcpu/status.h>

#include "lvlib.h"

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

/* ---- accessors ---- */

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
int lv_pt_check_range(const struct lv_pt *pt, uint64_t va, uint64_t size, uint64_t *first,
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

/* ---- read-only walks ---- */

int lv_pt_read_entry(const struct lv_pt *pt, uint64_t va, unsigned level, uint64_t *entry)
{
	const uint64_t *t;
	uint64_t iva;
	unsigned l;
	int rc;

	if (!pt || !entry || level < 1 || level > pt->fmt->levels)
		return LV_ERR_INVAL;
	rc = lv_pt_check_range(pt, va & ~(LV_PT_PAGE_SIZE - 1), LV_PT_PAGE_SIZE, &iva, NULL);
	if (rc)
		return rc;
	t = pt->root;
	for (l = pt->fmt->levels;; l--) {
		uint64_t e = lv_pt_entry_read(&t[lv_pt_level_index(iva, l)]);

		if (l == level) {
			*entry = e;
			return LV_OK;
		}
		if (!lv_pt_is_present(pt, e) || lv_pt_is_leaf(pt, e, l))
			return LV_ERR_NOENT;
		t = lv_pt_table_va(pt, e & LV_PT_ADDR_MASK);
	}
}

/*
 * Internal address of a single address @va (the fast form of lv_pt_check_range()
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
		uint64_t e = lv_pt_entry_read(&t[lv_pt_level_index(iva, l)]);

		if (!lv_pt_is_present(pt, e))
			return LV_ERR_NOENT;
		if (lv_pt_is_leaf(pt, e, l)) {
			out->pa = lv_pt_leaf_addr(e, l) | (iva & (lv_pt_level_span(l) - 1));
			out->page_size = lv_pt_level_span(l);
			out->attrs = pt->fmt->decode(pt, e, l);
			out->level = l;
			return LV_OK;
		}
		t = lv_pt_table_va(pt, e & LV_PT_ADDR_MASK);
	}
}

/* Next table below the non-leaf entry @e when p2v_linear holds. */
static inline const uint64_t *linear_next(uint64_t e, uint64_t delta, uint64_t iva, unsigned level)
{
	const uint64_t *t = (const uint64_t *)(uintptr_t)((e & LV_PT_ADDR_MASK) + delta);

	return &t[lv_pt_level_index(iva, level)];
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
	e = lv_pt_entry_read(&pt->root[lv_pt_level_index(iva, 4)]);
	if (!(e & present) || (e & large))
		return translate_walk(pt, iva, out);
	e = lv_pt_entry_read(linear_next(e, delta, iva, 3));
	if (!(e & present) || (e & large))
		return translate_walk(pt, iva, out);
	e = lv_pt_entry_read(linear_next(e, delta, iva, 2));
	if (!(e & present) || (e & large))
		return translate_walk(pt, iva, out);
	e = lv_pt_entry_read(linear_next(e, delta, iva, 1));
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
	uint64_t span = lv_pt_level_span(level);
	uint64_t lo_va = LV_MAX(w->first, base);
	uint64_t hi_va = LV_MIN(w->last, base + (span << LV_PT_LEVEL_BITS) - 1);
	unsigned i;

	for (i = lv_pt_level_index(lo_va, level); i <= lv_pt_level_index(hi_va, level); i++) {
		uint64_t eva = base + (uint64_t)i * span, e = lv_pt_entry_read(&t[i]);
		uint64_t a = LV_MAX(w->first, eva), b = LV_MIN(w->last, eva + span - 1);
		int rc;

		if (!lv_pt_is_present(pt, e))
			continue;
		if (!lv_pt_is_leaf(pt, e, level)) {
			rc = iter_walk(pt, w, lv_pt_table_va(pt, e & LV_PT_ADDR_MASK), level - 1,
				       eva);
			if (rc)
				return rc;
			continue;
		}
		rc = w->fn(w->ctx, lv_pt_to_external(pt, a), lv_pt_leaf_addr(e, level) + (a - eva),
			   b - a + 1, pt->fmt->decode(pt, e, level));
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
	rc = lv_pt_check_range(pt, va, size, &w.first, &w.last);
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
	uint64_t span = lv_pt_level_span(level), dirty = pt->fmt->dirty;
	uint64_t lo_va = LV_MAX(w->first, base);
	uint64_t hi_va = LV_MIN(w->last, base + (span << LV_PT_LEVEL_BITS) - 1);
	unsigned i;

	for (i = lv_pt_level_index(lo_va, level); i <= lv_pt_level_index(hi_va, level); i++) {
		uint64_t eva = base + (uint64_t)i * span, e = lv_pt_entry_read(&t[i]);
		uint64_t a = LV_MAX(w->first, eva), b = LV_MIN(w->last, eva + span - 1);

		if (!lv_pt_is_present(pt, e))
			continue;
		if (!lv_pt_is_leaf(pt, e, level)) {
			dirty_walk(pt, w, lv_pt_table_va(pt, e & LV_PT_ADDR_MASK), level - 1, eva);
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
			lv_pt_flush_add(w->flush, lv_pt_to_external(pt, a),
					lv_pt_to_external(pt, b), LV_PT_FLUSH_TLB);
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
	rc = lv_pt_check_range(pt, va, size, &w.first, &w.last);
	if (rc)
		return rc;
	memset(bitmap, 0, ((size >> LV_PT_PAGE_SHIFT) + 63) / 64 * sizeof(uint64_t));
	dirty_walk(pt, &w, pt->root, pt->fmt->levels, 0);
	return LV_OK;
}
