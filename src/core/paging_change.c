/* SPDX-License-Identifier: MIT */
/*
 * The change walk: lv_pt_map(), lv_pt_unmap() and lv_pt_protect() over one
 * recursive range walker that splits large leaves, merges uniform tables
 * back into large leaves and frees tables left empty.
 *
 * A change runs the same recursive walk twice: first counting the table
 * pages it will need (no writes), then, once that many pages are reserved,
 * applying it. The apply pass cannot fail, so a call either succeeds or
 * changes nothing.
 */
#include "paging_priv.h"

#include <libvcpu/status.h>

#include "lvlib.h"

/* One aligned 64-bit store; release so a table is filled before it is linked. */
static inline void write_entry(uint64_t *e, uint64_t v)
{
	__atomic_store_n(e, v, __ATOMIC_RELEASE);
}

#define KNOWN_ATTRS                                                                                \
	(LV_PT_R | LV_PT_W | LV_PT_X | LV_PT_U | LV_PT_G | LV_PT_IPAT | LV_PT_MT_MASK |            \
	 LV_PT_SMALL | LV_PT_A | LV_PT_D)

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
	lv_pt_flush_add(op->flush, lv_pt_to_external(pt, va),
			lv_pt_to_external(pt, va + lv_pt_level_span(level) - 1), kind);
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
	uint64_t *t = lv_pt_take_page(pt, pa, true);
	uint64_t bits = split_bits(pt, e, level), addr = lv_pt_leaf_addr(e, level);
	uint64_t step = lv_pt_level_span(level - 1);
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
	uint64_t tpa = lv_pt_entry_read(pe) & LV_PT_ADDR_MASK, *t = lv_pt_table_va(pt, tpa);
	uint64_t ad = f->accessed | f->dirty, e0 = t[0], want, seen_ad = 0;
	unsigned i, cl = level - 1;
	uint32_t attrs;

	if (!lv_pt_is_present(pt, e0)) {
		if (op->kind != OP_UNMAP || lv_pt_is_present(pt, t[LV_PT_ENTRIES - 1]))
			return;
		for (i = 1; i < LV_PT_ENTRIES; i++)
			if (t[i])
				return;
		write_entry(pe, 0);
		lv_pt_release_page(pt, t, tpa);
		note_flush(pt, op, va, level, LV_PT_FLUSH_TLB | LV_PT_FLUSH_PWC);
		return;
	}
	/* Merge: level must take leaves, and the leaves must be contiguous from an aligned base. */
	if (!(pt->leaf_levels & (1u << (level - 1))) || !lv_pt_is_leaf(pt, e0, cl) ||
	    (e0 & LV_PT_SW_SMALL) || (lv_pt_leaf_addr(e0, cl) & (lv_pt_level_span(level) - 1)))
		return;
	want = e0 & ~ad;
	if ((t[LV_PT_ENTRIES - 1] & ~ad) !=
	    want + (uint64_t)(LV_PT_ENTRIES - 1) * lv_pt_level_span(cl))
		return;
	for (i = 0; i < LV_PT_ENTRIES; i++) {
		uint64_t e = t[i];

		if ((e & ~ad) != want)
			return;
		seen_ad |= e & ad;
		want += lv_pt_level_span(cl);
	}
	attrs = f->decode(pt, (e0 & ~ad) | seen_ad, cl);
	write_entry(pe, lv_pt_leaf_addr(e0, cl) | f->encode(pt, attrs, level));
	lv_pt_release_page(pt, t, tpa);
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

		if (old != v && lv_pt_is_present(pt, old)) {
			first = LV_MIN(first, i);
			last = i;
		}
		write_entry(&t[i], v);
	}
	if (first <= last)
		lv_pt_flush_add(op->flush,
				lv_pt_to_external(pt, va + (first - lo) * LV_PT_PAGE_SIZE),
				lv_pt_to_external(pt, va + (last - lo + 1) * LV_PT_PAGE_SIZE - 1),
				LV_PT_FLUSH_TLB);
}

/* New bits of leaf @e (level @level) under OP_PROTECT. */
static uint64_t protect_entry(const struct lv_pt *pt, struct op *op, uint64_t e, unsigned level)
{
	uint64_t addr = lv_pt_leaf_addr(e, level), bits = e & ~addr;
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
	uint64_t span = lv_pt_level_span(level);
	uint64_t lo_va = LV_MAX(op->first, base);
	uint64_t hi_va = LV_MIN(op->last, base + (span << LV_PT_LEVEL_BITS) - 1);
	unsigned i, lo = lv_pt_level_index(lo_va, level), hi = lv_pt_level_index(hi_va, level);

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
		uint64_t old = t ? lv_pt_entry_read(pe) : pt->fmt->present | pt->fmt->large;
		bool present = lv_pt_is_present(pt, old),
		     leaf = present && lv_pt_is_leaf(pt, old, level);
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
					lv_pt_free_tree(pt, lv_pt_table_va(pt, cpa), cpa,
							level - 1);
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
					lv_pt_free_tree(pt, lv_pt_table_va(pt, cpa), cpa,
							level - 1);
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
				walk(pt, op, lv_pt_table_va(pt, cpa), level - 1, eva);
			}
			continue;
		}
		if (present && !leaf) {
			cpa = old & LV_PT_ADDR_MASK;
			walk(pt, op, lv_pt_table_va(pt, cpa), level - 1, eva);
		} else {
			if (present) {
				child = split_leaf(pt, old, level, &cpa);
				note_flush(pt, op, eva, level, LV_PT_FLUSH_TLB);
			} else {
				/* map_ptes_fresh() initializes a new page table itself. */
				child = lv_pt_take_page(pt, &cpa, op->kind == OP_MAP && level == 2);
				op->fresh = child;
			}
			walk(pt, op, child, level - 1, eva);
			write_entry(pe, cpa | pt->fmt->table_bits);
		}
		collapse(pt, op, pe, eva, level);
	}
}

/* Count, reserve, apply. */
static int run_op(struct lv_pt *pt, struct op *op)
{
	int rc;

	op->counting = true;
	op->need = 0;
	walk(pt, op, pt->root, pt->fmt->levels, 0);
	rc = lv_pt_reserve_deferred(pt, op->need);
	if (rc)
		return rc;
	rc = lv_pt_reserve_pages(pt, op->need);
	if (rc)
		return rc;
	op->counting = false;
	op->memo_old = ~0ull;
	walk(pt, op, pt->root, pt->fmt->levels, 0);
	/* The count is exact; anything left over (never expected) goes back. */
	lv_pt_free_list(pt, &pt->reserve, &pt->reserved_count);
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
	rc = lv_pt_check_range(pt, va, size, &op.first, &op.last);
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
	rc = lv_pt_check_range(pt, va, size, &op.first, &op.last);
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
	rc = lv_pt_check_range(pt, va, size, &op.first, &op.last);
	if (rc)
		return rc;
	/* The new rights must be valid by themselves (memory type 0 is always valid). */
	rc = pt->fmt->check(pt, attrs);
	if (rc)
		return rc;
	op.attrs = attrs;
	return run_op(pt, &op);
}
