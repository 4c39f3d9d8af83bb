/* SPDX-License-Identifier: MIT */
/*
 * Page-table core: large-page split and merge, empty-table freeing, flush
 * reports, dirty read-and-clear, iteration, deferred freeing, a caller's
 * allocator over "guest memory", and allocation failures at every step.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <libvcpu/hosted.h>
#include <libvcpu/paging.h>
#include <libvcpu/status.h>

#define PG    0x1000ull
#define SZ_2M 0x200000ull
#define SZ_1G 0x40000000ull
#define RWX   (LV_PT_R | LV_PT_W | LV_PT_X)
#define WB    LV_PT_MT(6)

static struct lv_pt *make(enum lv_pt_format f, uint64_t sizes, uint32_t flags)
{
	struct lv_pt_config c = { .format = f, .page_sizes = sizes, .flags = flags };
	struct lv_pt *pt = NULL;

	cr_assert_eq(lv_pt_create(&pt, &c), LV_OK);
	return pt;
}

static struct lv_pt_xlate xl(struct lv_pt *pt, uint64_t va)
{
	struct lv_pt_xlate x;

	cr_assert_eq(lv_pt_translate(pt, va, &x), LV_OK, "va %#lx unmapped", (unsigned long)va);
	return x;
}

Test(paging_ops, split_and_merge_2m)
{
	struct lv_pt *pt = make(LV_PT_EPT4, 0, 0);
	struct lv_pt_flush f = { 0, 0, 0 };

	cr_assert_eq(lv_pt_map(pt, 0x40000000, 0x80000000, 4 * SZ_2M, RWX | WB, &f), LV_OK);
	cr_expect_eq(f.kind, 0, "mapping into empty space needs no flush");
	/* root + PDPT + PD: 2 MiB leaves (the 8 MiB range is not 1 GiB). */
	cr_expect_eq(lv_pt_table_pages(pt), 3);
	cr_expect_eq(xl(pt, 0x40300000).page_size, SZ_2M);

	/* Change one 4 KiB page in the second 2 MiB leaf: split. */
	cr_assert_eq(lv_pt_protect(pt, 0x40201000, PG, LV_PT_R, &f), LV_OK);
	cr_expect_eq(lv_pt_table_pages(pt), 4);
	cr_expect(f.kind & LV_PT_FLUSH_TLB);
	cr_expect_leq(f.start, 0x40201000);
	cr_expect_geq(f.last, 0x40201fff);
	cr_expect_eq(xl(pt, 0x40201000).attrs, LV_PT_R | WB);
	cr_expect_eq(xl(pt, 0x40201000).page_size, PG);
	cr_expect_eq(xl(pt, 0x40202000).attrs, RWX | WB);
	cr_expect_eq(xl(pt, 0x40202abc).pa, 0x80202abc);
	cr_expect_eq(xl(pt, 0x40000000).page_size, SZ_2M);

	/* Restore it: the table is uniform again and merges back. */
	memset(&f, 0, sizeof(f));
	cr_assert_eq(lv_pt_protect(pt, 0x40201000, PG, RWX, &f), LV_OK);
	cr_expect_eq(lv_pt_table_pages(pt), 3);
	cr_expect_eq(f.kind, LV_PT_FLUSH_TLB | LV_PT_FLUSH_PWC);
	cr_expect_eq(xl(pt, 0x40201000).page_size, SZ_2M);
	cr_expect_eq(xl(pt, 0x40201000).pa, 0x80201000);

	/* Unmap a page in the middle, then map it back page by page. */
	cr_assert_eq(lv_pt_unmap(pt, 0x40400000 + 5 * PG, PG, NULL), LV_OK);
	cr_expect_eq(lv_pt_table_pages(pt), 4);
	cr_expect_eq(lv_pt_translate(pt, 0x40405000, &(struct lv_pt_xlate){ 0 }), LV_ERR_NOENT);
	cr_assert_eq(lv_pt_map(pt, 0x40405000, 0x80405000, PG, RWX | LV_PT_MT(0), NULL), LV_OK);
	cr_expect_eq(lv_pt_table_pages(pt), 4, "different memory type: no merge");
	cr_assert_eq(lv_pt_map(pt, 0x40405000, 0x80405000, PG, RWX | WB, NULL), LV_OK);
	cr_expect_eq(lv_pt_table_pages(pt), 3, "uniform again: merged");

	/* Mapping to a different, unaligned output address: 4 KiB leaves. */
	cr_assert_eq(lv_pt_map(pt, 0x40000000, 0x90001000, SZ_2M, RWX | WB, NULL), LV_OK);
	cr_expect_eq(xl(pt, 0x40000000).page_size, PG);
	cr_expect_eq(xl(pt, 0x401ff123).pa, 0x90200123);
	cr_expect_eq(lv_pt_table_pages(pt), 4);

	/* Unmapping everything frees every table but the root. */
	memset(&f, 0, sizeof(f));
	cr_assert_eq(lv_pt_unmap(pt, 0, 1ull << 39, &f), LV_OK);
	cr_expect_eq(lv_pt_table_pages(pt), 1);
	cr_expect_eq(f.kind, LV_PT_FLUSH_TLB | LV_PT_FLUSH_PWC);
	lv_pt_destroy(pt);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}

Test(paging_ops, split_and_merge_1g)
{
	struct lv_pt *pt = make(LV_PT_NPT4, 0, 0);
	uint64_t e;

	cr_assert_eq(lv_pt_map(pt, SZ_1G, SZ_1G, SZ_1G, RWX, NULL), LV_OK);
	cr_expect_eq(xl(pt, SZ_1G + 12345).page_size, SZ_1G);
	cr_expect_eq(lv_pt_table_pages(pt), 2);
	/* One page changes: 1 GiB -> 2 MiB leaves -> one 4 KiB table. */
	cr_assert_eq(lv_pt_unmap(pt, SZ_1G + 3 * SZ_2M + 7 * PG, PG, NULL), LV_OK);
	cr_expect_eq(lv_pt_table_pages(pt), 4);
	cr_expect_eq(xl(pt, SZ_1G).page_size, SZ_2M);
	cr_expect_eq(xl(pt, SZ_1G + 3 * SZ_2M).page_size, PG);
	cr_expect_eq(xl(pt, SZ_1G + 3 * SZ_2M + 8 * PG).pa, SZ_1G + 3 * SZ_2M + 8 * PG);
	cr_expect_eq(lv_pt_read_entry(pt, SZ_1G + 3 * SZ_2M, 1, &e), LV_OK);
	cr_expect_eq(lv_pt_read_entry(pt, SZ_1G, 1, &e), LV_ERR_NOENT);
	/* Map it back: merges twice, up to one 1 GiB leaf. */
	cr_assert_eq(lv_pt_map(pt, SZ_1G + 3 * SZ_2M + 7 * PG, SZ_1G + 3 * SZ_2M + 7 * PG, PG, RWX,
			       NULL),
		     LV_OK);
	cr_expect_eq(lv_pt_table_pages(pt), 2);
	cr_expect_eq(xl(pt, SZ_1G + 12345).page_size, SZ_1G);
	/* Unmap the whole 1 GiB leaf in 2 MiB steps: the tables go as they empty. */
	for (e = 0; e < 512; e++)
		cr_assert_eq(lv_pt_unmap(pt, SZ_1G + e * SZ_2M, SZ_2M, NULL), LV_OK);
	cr_expect_eq(lv_pt_table_pages(pt), 1);
	lv_pt_destroy(pt);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}

Test(paging_ops, small_and_page_size_limits)
{
	struct lv_pt *pt = make(LV_PT_EPT4, LV_PT_SIZE_2M, 0);

	/* 1 GiB not allowed: 2 MiB leaves. */
	cr_assert_eq(lv_pt_map(pt, 0, 0, SZ_1G, RWX | WB, NULL), LV_OK);
	cr_expect_eq(xl(pt, 0x12345678).page_size, SZ_2M);
	cr_expect_eq(lv_pt_table_pages(pt), 3);
	/* LV_PT_SMALL: 4 KiB leaves even where 2 MiB fits; never merged by protect. */
	cr_assert_eq(lv_pt_map(pt, 0, 0, SZ_2M, RWX | WB | LV_PT_SMALL, NULL), LV_OK);
	cr_expect_eq(xl(pt, 0x1000).page_size, PG);
	cr_expect(xl(pt, 0x1000).attrs & LV_PT_SMALL);
	cr_assert_eq(lv_pt_protect(pt, 0, SZ_2M, LV_PT_R, NULL), LV_OK);
	cr_expect_eq(xl(pt, 0x1000).page_size, PG);
	cr_expect_eq(xl(pt, 0x1000).attrs, LV_PT_R | WB | LV_PT_SMALL);
	cr_expect_eq(lv_pt_table_pages(pt), 4);
	/* Remapping without SMALL merges at once. */
	cr_assert_eq(lv_pt_map(pt, 0, 0, SZ_2M, RWX | WB, NULL), LV_OK);
	cr_expect_eq(lv_pt_table_pages(pt), 3);
	lv_pt_destroy(pt);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}

Test(paging_ops, map_over_tables_frees_them)
{
	struct lv_pt *pt = make(LV_PT_EPT4, 0, 0);
	struct lv_pt_flush f = { 0, 0, 0 };

	cr_assert_eq(lv_pt_map(pt, 0, 0x5000, SZ_1G, LV_PT_R, NULL), LV_OK);
	cr_expect_eq(lv_pt_table_pages(pt), 3 + 512);
	/* A 1 GiB leaf replaces the PD and its 512 page tables. */
	cr_assert_eq(lv_pt_map(pt, 0, 0, SZ_1G, LV_PT_R, &f), LV_OK);
	cr_expect_eq(lv_pt_table_pages(pt), 2);
	cr_expect_eq(f.kind, LV_PT_FLUSH_TLB | LV_PT_FLUSH_PWC);
	cr_expect_eq(f.start, 0);
	cr_expect_eq(f.last, SZ_1G - 1);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 1 + 2);
	/* Same mapping again: nothing changes, nothing to flush. */
	memset(&f, 0, sizeof(f));
	cr_assert_eq(lv_pt_map(pt, 0, 0, SZ_1G, LV_PT_R, &f), LV_OK);
	cr_expect_eq(f.kind, 0);
	lv_pt_destroy(pt);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}

struct iter_rec {
	uint64_t va[8], pa[8], size[8];
	uint32_t attrs[8];
	int n, stop_at;
};

static int rec_fn(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint32_t attrs)
{
	struct iter_rec *r = ctx;

	cr_assert_lt(r->n, 8);
	r->va[r->n] = va;
	r->pa[r->n] = pa;
	r->size[r->n] = size;
	r->attrs[r->n] = attrs;
	r->n++;
	return r->n == r->stop_at ? 42 : 0;
}

Test(paging_ops, iterate_clips_and_stops)
{
	struct lv_pt *pt = make(LV_PT_EPT4, 0, 0);
	struct iter_rec r = { .stop_at = 0 };

	cr_assert_eq(lv_pt_map(pt, 0, 0x10000000, SZ_2M, LV_PT_R | WB, NULL), LV_OK);
	cr_assert_eq(lv_pt_map(pt, SZ_2M + PG, 0x7000, 2 * PG, RWX | WB, NULL), LV_OK);
	cr_assert_eq(lv_pt_iterate(pt, 0x1ff000, 4 * PG, rec_fn, &r), LV_OK);
	cr_assert_eq(r.n, 3);
	cr_expect_eq(r.va[0], 0x1ff000);
	cr_expect_eq(r.pa[0], 0x101ff000);
	cr_expect_eq(r.size[0], PG);
	cr_expect_eq(r.attrs[0], LV_PT_R | WB);
	cr_expect_eq(r.va[1], SZ_2M + PG);
	cr_expect_eq(r.pa[1], 0x7000);
	cr_expect_eq(r.va[2], SZ_2M + 2 * PG);
	cr_expect_eq(r.pa[2], 0x8000);
	cr_expect_eq(r.size[2], PG);

	memset(&r, 0, sizeof(r));
	r.stop_at = 2;
	cr_expect_eq(lv_pt_iterate(pt, 0, 1ull << 30, rec_fn, &r), 42);
	cr_expect_eq(r.n, 2);
	cr_expect_eq(r.size[0], SZ_2M);
	lv_pt_destroy(pt);
}

Test(paging_ops, dirty_read_and_clear)
{
	struct lv_pt *pt = make(LV_PT_EPT4, 0, LV_PT_CFG_EPT_AD);
	struct lv_pt_flush f = { 0, 0, 0 };
	uint64_t bm[16] = { 0 }, e;

	/* 4 KiB pages 0..63 (small), one 2 MiB leaf at 2 MiB. */
	cr_assert_eq(lv_pt_map(pt, 0, 0, 64 * PG, RWX | WB | LV_PT_SMALL, NULL), LV_OK);
	cr_assert_eq(lv_pt_map(pt, SZ_2M, SZ_2M, SZ_2M, RWX | WB, NULL), LV_OK);
	/* Pages 3 and 40 dirty (as a CPU would mark them), the 2 MiB leaf too. */
	cr_assert_eq(
		lv_pt_map(pt, 3 * PG, 3 * PG, PG, RWX | WB | LV_PT_SMALL | LV_PT_A | LV_PT_D, NULL),
		LV_OK);
	cr_assert_eq(lv_pt_map(pt, 40 * PG, 40 * PG, PG, RWX | WB | LV_PT_SMALL | LV_PT_D, NULL),
		     LV_OK);
	cr_assert_eq(lv_pt_read_entry(pt, 3 * PG, 1, &e), LV_OK);
	cr_expect_eq(e, 0x0010000000003337ull);
	cr_assert_eq(lv_pt_map(pt, SZ_2M, SZ_2M, SZ_2M, RWX | WB | LV_PT_D, NULL), LV_OK);

	cr_assert_eq(lv_pt_dirty_clear(pt, 0, 64 * PG, bm, &f), LV_OK);
	cr_expect_eq(bm[0], (1ull << 3) | (1ull << 40));
	cr_expect(f.kind & LV_PT_FLUSH_TLB);
	cr_expect_eq(f.start, 3 * PG);
	cr_expect_eq(f.last, 41 * PG - 1);
	/* Cleared: A kept, D gone (0x337 -> 0x137). */
	cr_assert_eq(lv_pt_read_entry(pt, 3 * PG, 1, &e), LV_OK);
	cr_expect_eq(e, 0x0010000000003137ull);
	memset(&f, 0, sizeof(f));
	cr_assert_eq(lv_pt_dirty_clear(pt, 0, 64 * PG, bm, &f), LV_OK);
	cr_expect_eq(bm[0], 0);
	cr_expect_eq(f.kind, 0);

	/* A 2 MiB dirty leaf partly in the range: reported, flag kept. */
	cr_assert_eq(lv_pt_dirty_clear(pt, SZ_2M + 64 * PG, 128 * PG, bm, NULL), LV_OK);
	cr_expect_eq(bm[0], ~0ull);
	cr_expect_eq(bm[1], ~0ull);
	cr_expect_eq(bm[2], 0);
	cr_expect(xl(pt, SZ_2M).attrs & LV_PT_D);
	/* Whole leaf: reported (512 bits) and cleared. */
	cr_assert_eq(lv_pt_dirty_clear(pt, SZ_2M, SZ_2M, (uint64_t[8]){ 0 }, NULL), LV_OK);
	cr_expect_eq(xl(pt, SZ_2M).attrs & LV_PT_D, 0);
	lv_pt_destroy(pt);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}

Test(paging_ops, deferred_free)
{
	struct lv_pt *pt = make(LV_PT_EPT4, 0, LV_PT_CFG_DEFER_FREE);

	cr_assert_eq(lv_pt_map(pt, 0, 0x1000, 4 * SZ_2M, LV_PT_R, NULL), LV_OK);
	cr_expect_eq(lv_pt_table_pages(pt), 3 + 4);
	cr_assert_eq(lv_pt_unmap(pt, 0, 4 * SZ_2M, NULL), LV_OK);
	cr_expect_eq(lv_pt_table_pages(pt), 1);
	/* 6 table pages + the pt + the root + the deferred array are still held. */
	cr_expect_eq(lv_hosted_allocs_outstanding(), 6 + 1 + 1 + 1);
	cr_expect_eq(lv_pt_reclaim(pt), 6);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 3);
	cr_expect_eq(lv_pt_reclaim(pt), 0);
	/* Destroy with deferred pages pending frees them too. */
	cr_assert_eq(lv_pt_map(pt, 0, 0x1000, PG, LV_PT_R, NULL), LV_OK);
	cr_assert_eq(lv_pt_unmap(pt, 0, PG, NULL), LV_OK);
	lv_pt_destroy(pt);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}

/* ---- a caller's allocator: table pages inside a "guest memory" buffer ---- */

#define GMEM_PAGES 64
#define GMEM_GPA   0x100000ull /* guest-physical address of the buffer */

struct gmem {
	uint8_t *buf;
	bool used[GMEM_PAGES];
	int live;
};

static void *g_alloc(void *ctx, uint64_t *pa)
{
	struct gmem *g = ctx;
	int i;

	for (i = 0; i < GMEM_PAGES; i++)
		if (!g->used[i]) {
			g->used[i] = true;
			g->live++;
			memset(g->buf + i * PG, 0, PG);
			*pa = GMEM_GPA + i * PG;
			return g->buf + i * PG;
		}
	return NULL;
}

static void g_free(void *ctx, void *va, uint64_t pa)
{
	struct gmem *g = ctx;
	int i = (int)((pa - GMEM_GPA) / PG);

	cr_assert_eq((uint8_t *)va, g->buf + i * PG);
	cr_assert(g->used[i]);
	g->used[i] = false;
	g->live--;
}

static void *g_p2v(void *ctx, uint64_t pa)
{
	struct gmem *g = ctx;

	cr_assert(pa >= GMEM_GPA && pa < GMEM_GPA + GMEM_PAGES * PG, "pa %#lx", (unsigned long)pa);
	return g->buf + (pa - GMEM_GPA);
}

static const struct lv_pt_alloc_ops gops = { g_alloc, g_free, g_p2v };

/* Walk the guest tables by hand, as the guest's MMU would, from the raw bytes. */
static uint64_t guest_walk(struct gmem *g, uint64_t cr3, uint64_t va)
{
	uint64_t t = cr3, e = 0;
	int l;

	for (l = 4; l >= 1; l--) {
		memcpy(&e, g->buf + (t - GMEM_GPA) + ((va >> (12 + 9 * (l - 1))) & 511) * 8, 8);
		cr_assert(e & 1, "not present at level %d", l);
		if (l == 2 && (e & 0x80))
			return (e & 0x000fffffffe00000ull) | (va & (SZ_2M - 1));
		t = e & 0x000ffffffffff000ull;
	}
	return t | (va & (PG - 1));
}

Test(paging_ops, guest_tables_in_guest_memory)
{
	struct gmem g = { .buf = aligned_alloc(4096, GMEM_PAGES * PG) };
	struct lv_pt_config c = { .format = LV_PT_AMD64_4,
				  .alloc = &gops,
				  .alloc_ctx = &g,
				  .page_sizes = LV_PT_SIZE_2M };
	struct lv_pt *pt;
	uint64_t cr3;

	cr_assert_not_null(g.buf);
	cr_assert_eq(lv_pt_create(&pt, &c), LV_OK);
	cr3 = lv_pt_root(pt);
	cr_expect_eq(cr3, GMEM_GPA);
	/* Identity-map the first 4 MiB (2 MiB pages) and one 4 KiB page high up. */
	cr_assert_eq(lv_pt_map(pt, 0, 0, 2 * SZ_2M, RWX, NULL), LV_OK);
	cr_assert_eq(lv_pt_map(pt, 0xffffffff80000000ull, 0x200000, PG, RWX, NULL), LV_OK);
	cr_expect_eq(guest_walk(&g, cr3, 0x123456), 0x123456);
	cr_expect_eq(guest_walk(&g, cr3, 0x3fffff), 0x3fffff);
	cr_expect_eq(guest_walk(&g, cr3, 0xffffffff80000010ull), 0x200010);
	cr_expect_eq(g.live, (int)lv_pt_table_pages(pt));
	cr_expect_eq(lv_pt_table_pages(pt), 1 + 2 + 2 + 1);
	/* The seam is not used for table pages, only for the lv_pt object. */
	cr_expect_eq(lv_hosted_allocs_outstanding(), 1);
	lv_pt_destroy(pt);
	cr_expect_eq(g.live, 0);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
	free(g.buf);
}

Test(paging_ops, guest_allocator_exhaustion)
{
	struct gmem g = { .buf = aligned_alloc(4096, GMEM_PAGES * PG) };
	struct lv_pt_config c = { .format = LV_PT_AMD64_4, .alloc = &gops, .alloc_ctx = &g };
	struct lv_pt *pt;
	uint64_t i;

	cr_assert_eq(lv_pt_create(&pt, &c), LV_OK);
	/* 4 KiB leaves on 64 different 2 MiB regions need 64 page tables: too many. */
	for (i = 0;; i++) {
		int rc = lv_pt_map(pt, i * SZ_2M, 0x1000, PG, LV_PT_R, NULL);

		if (rc) {
			cr_expect_eq(rc, LV_ERR_NOMEM);
			break;
		}
	}
	cr_expect_eq(g.live, GMEM_PAGES);
	cr_expect_eq(lv_pt_translate(pt, i * SZ_2M, &(struct lv_pt_xlate){ 0 }), LV_ERR_NOENT);
	/* Still usable: a 2 MiB leaf needs no new table. */
	cr_expect_eq(lv_pt_map(pt, (i + 1) * SZ_2M, 0, SZ_2M, LV_PT_R, NULL), LV_OK);
	cr_expect_eq(xl(pt, 0x234).pa, 0x1234);
	lv_pt_destroy(pt);
	cr_expect_eq(g.live, 0);
	free(g.buf);
}

/* ---- failure injection at every allocation of a change ---- */

/* Run @op with the n-th allocation failing, for n = 0, 1, ... until it succeeds. */
/*
 * @slack: allocations a failed call may keep (the deferred-free array, which
 * is grown before any change and kept as capacity).
 */
static void fail_each(struct lv_pt *pt, int (*op)(struct lv_pt *), int min_failures, long slack)
{
	size_t pages = lv_pt_table_pages(pt);
	long outstanding = lv_hosted_allocs_outstanding();
	int n, rc;

	for (n = 0;; n++) {
		struct lv_pt_xlate before, after;
		int rb = lv_pt_translate(pt, 0x40201000, &before), ra;

		lv_hosted_fail_alloc_after(n);
		rc = op(pt);
		lv_hosted_fail_alloc_after(-1);
		if (rc == LV_OK)
			break;
		cr_assert_eq(rc, LV_ERR_NOMEM);
		cr_assert_eq(lv_pt_table_pages(pt), pages, "failed change altered the tree");
		cr_assert_geq(lv_hosted_allocs_outstanding(), outstanding);
		cr_assert_leq(lv_hosted_allocs_outstanding(), outstanding + slack,
			      "failed change leaked");
		ra = lv_pt_translate(pt, 0x40201000, &after);
		cr_assert_eq(ra, rb);
		if (ra == LV_OK) {
			cr_assert_eq(after.pa, before.pa);
			cr_assert_eq(after.attrs, before.attrs);
			cr_assert_eq(after.page_size, before.page_size);
		}
	}
	cr_expect_geq(n, min_failures, "only %d failure points", n);
}

static int op_map_4k(struct lv_pt *pt)
{
	return lv_pt_map(pt, 0x40201000, 0x7000, 3 * PG, LV_PT_R | WB, NULL);
}

static int op_split_unmap(struct lv_pt *pt)
{
	return lv_pt_unmap(pt, 0x40201000, PG, NULL);
}

static int op_split_protect(struct lv_pt *pt)
{
	return lv_pt_protect(pt, 0x40201000, PG, LV_PT_R, NULL);
}

Test(paging_ops, allocation_failures_change_nothing)
{
	struct lv_pt *pt;
	struct lv_pt_config c = { .format = LV_PT_EPT4 };
	int n;

	/* Create: fails cleanly at the object and at the root page. */
	for (n = 0; n < 2; n++) {
		lv_hosted_fail_alloc_after(n);
		cr_expect_eq(lv_pt_create(&pt, &c), LV_ERR_NOMEM);
		lv_hosted_fail_alloc_after(-1);
		cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
	}
	cr_assert_eq(lv_pt_create(&pt, &c), LV_OK);
	/* Empty tree: a 4 KiB map needs PDPT, PD, PT: three failure points. */
	fail_each(pt, op_map_4k, 3, 0);
	cr_expect_eq(xl(pt, 0x40202000).pa, 0x8000);
	cr_assert_eq(lv_pt_unmap(pt, 0, 1ull << 39, NULL), LV_OK);

	/* A 1 GiB leaf; unmapping one page in it needs two splits. */
	cr_assert_eq(lv_pt_map(pt, 0x40000000, 0x40000000, SZ_1G, RWX | WB, NULL), LV_OK);
	fail_each(pt, op_split_unmap, 2, 0);
	cr_expect_eq(lv_pt_translate(pt, 0x40201000, &(struct lv_pt_xlate){ 0 }), LV_ERR_NOENT);
	cr_expect_eq(xl(pt, 0x40202000).pa, 0x40202000);
	cr_assert_eq(lv_pt_map(pt, 0x40000000, 0x40000000, SZ_1G, RWX | WB, NULL), LV_OK);
	cr_expect_eq(lv_pt_table_pages(pt), 2);
	fail_each(pt, op_split_protect, 2, 0);
	cr_expect_eq(xl(pt, 0x40201000).attrs, LV_PT_R | WB);
	lv_pt_destroy(pt);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);

	/* Deferred freeing reserves its bookkeeping before changing anything too. */
	c.flags = LV_PT_CFG_DEFER_FREE;
	cr_assert_eq(lv_pt_create(&pt, &c), LV_OK);
	fail_each(pt, op_map_4k, 3, 1);
	lv_pt_destroy(pt);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}

/* The ready-made arena: a guest's own 4-level tables built in its RAM. */
Test(paging_ops, arena_allocator_builds_guest_tables)
{
	uint8_t *ram = aligned_alloc(4096, 16 * PG);
	struct lv_pt_arena ar;
	struct lv_pt_config c = { .format = LV_PT_AMD64_4,
				  .alloc = &lv_pt_arena_ops,
				  .alloc_ctx = &ar };
	struct lv_pt *pt;
	struct gmem g;
	int i;

	cr_assert_not_null(ram);
	cr_expect_eq(lv_pt_arena_init(&ar, ram, GMEM_GPA, 16 * PG - 1), LV_ERR_ALIGN);
	cr_expect_eq(lv_pt_arena_init(&ar, ram + 8, GMEM_GPA, 16 * PG), LV_ERR_ALIGN);
	cr_expect_eq(lv_pt_arena_init(NULL, ram, GMEM_GPA, 16 * PG), LV_ERR_INVAL);
	memset(ram, 0xee, 16 * PG); /* the arena zeroes what it hands out */
	cr_assert_eq(lv_pt_arena_init(&ar, ram, GMEM_GPA, 16 * PG), LV_OK);
	cr_assert_eq(lv_pt_create(&pt, &c), LV_OK);
	cr_expect_eq(lv_pt_root(pt), GMEM_GPA);
	/* Identity map 4 MiB with 4 KiB pages (2 page tables), 1 GiB at 1 GiB. */
	cr_assert_eq(lv_pt_map(pt, 0, 0, 2 * SZ_2M, RWX | LV_PT_SMALL, NULL), LV_OK);
	cr_assert_eq(lv_pt_map(pt, SZ_1G, SZ_1G, SZ_1G, RWX, NULL), LV_OK);
	cr_expect_eq(ar.live, 5);
	g.buf = ram;
	cr_expect_eq(guest_walk(&g, lv_pt_root(pt), 0x3ff008), 0x3ff008);
	cr_expect_eq(xl(pt, SZ_1G + 0x1234).page_size, SZ_1G);
	/* Free and reuse: unmapping the 4 KiB range frees both page tables and the PD. */
	cr_assert_eq(lv_pt_unmap(pt, 0, 2 * SZ_2M, NULL), LV_OK);
	cr_expect_eq(ar.live, 2);
	for (i = 0; i < 13; i++)
		cr_assert_eq(lv_pt_map(pt, (uint64_t)i * SZ_2M, 0, PG, LV_PT_R, NULL), LV_OK);
	cr_expect_eq(ar.live, 16);
	cr_expect_eq(lv_pt_map(pt, 13 * SZ_2M, 0, PG, LV_PT_R, NULL), LV_ERR_NOMEM);
	lv_pt_destroy(pt);
	cr_expect_eq(ar.live, 0);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
	free(ram);
}

static int never_fn(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint32_t attrs)
{
	(void)ctx;
	(void)va;
	(void)pa;
	(void)size;
	(void)attrs;
	return 1;
}

Test(paging_ops, argument_errors)
{
	struct lv_pt *pt = make(LV_PT_EPT4, 0, LV_PT_CFG_EPT_AD);
	struct lv_pt_xlate x;
	uint64_t e, bm[1];

	cr_expect_eq(lv_pt_map(NULL, 0, 0, PG, LV_PT_R, NULL), LV_ERR_INVAL);
	cr_expect_eq(lv_pt_unmap(NULL, 0, PG, NULL), LV_ERR_INVAL);
	cr_expect_eq(lv_pt_protect(NULL, 0, PG, LV_PT_R, NULL), LV_ERR_INVAL);
	cr_expect_eq(lv_pt_translate(NULL, 0, &x), LV_ERR_INVAL);
	cr_expect_eq(lv_pt_translate(pt, 0, NULL), LV_ERR_INVAL);
	cr_expect_eq(lv_pt_iterate(pt, 0, PG, NULL, NULL), LV_ERR_INVAL);
	cr_expect_eq(lv_pt_iterate(pt, 0, 0, never_fn, NULL), LV_ERR_INVAL);
	cr_expect_eq(lv_pt_iterate(pt, 0, 1ull << 40, never_fn, NULL), LV_OK, "empty: no calls");
	cr_expect_eq(lv_pt_dirty_clear(pt, 0, PG, NULL, NULL), LV_ERR_INVAL);
	cr_expect_eq(lv_pt_dirty_clear(pt, 0x800, PG, bm, NULL), LV_ERR_ALIGN);
	cr_expect_eq(lv_pt_read_entry(pt, 0, 0, &e), LV_ERR_INVAL);
	cr_expect_eq(lv_pt_read_entry(pt, 0, 5, &e), LV_ERR_INVAL);
	cr_expect_eq(lv_pt_read_entry(pt, 0, 1, &e), LV_ERR_NOENT);
	cr_expect_eq(lv_pt_read_entry(pt, 0, 4, &e), LV_OK);
	cr_expect_eq(e, 0);
	cr_expect_eq(lv_pt_read_entry(pt, 1ull << 48, 4, &e), LV_ERR_RANGE);
	cr_expect_eq(lv_pt_translate(pt, 0, &x), LV_ERR_NOENT);
	cr_expect_eq(lv_pt_translate(pt, 1ull << 48, &x), LV_ERR_RANGE);
	cr_expect_eq(lv_pt_root(NULL), 0);
	cr_expect_eq(lv_pt_levels(NULL), 0);
	cr_expect_eq(lv_pt_table_pages(NULL), 0);
	cr_expect_eq(lv_pt_reclaim(NULL), 0);
	lv_pt_destroy(NULL);
	{
		struct lv_pt_config c = { .format = LV_PT_EPT4, .flags = LV_PT_CFG_UNZEROED };
		struct lv_pt *p;
		struct lv_pt_alloc_ops half = { .page_alloc = g_alloc };

		cr_expect_eq(lv_pt_create(&p, &c), LV_ERR_INVAL,
			     "UNZEROED needs a caller allocator");
		c.flags = 0;
		c.alloc = &half;
		cr_expect_eq(lv_pt_create(&p, &c), LV_ERR_INVAL, "allocator without free");
		cr_expect_eq(lv_pt_create(NULL, &c), LV_ERR_INVAL);
		cr_expect_eq(lv_pt_create(&p, NULL), LV_ERR_INVAL);
	}
	/* Flush accumulation: union of ranges, OR of kinds; NULL and kind 0 ignored. */
	{
		struct lv_pt_flush f = { 0, 0, 0 };

		lv_pt_flush_add(NULL, 0, 1, LV_PT_FLUSH_TLB);
		lv_pt_flush_add(&f, 0x5000, 0x5fff, 0);
		cr_expect_eq(f.kind, 0);
		lv_pt_flush_add(&f, 0x5000, 0x5fff, LV_PT_FLUSH_TLB);
		lv_pt_flush_add(&f, 0x1000, 0x1fff, LV_PT_FLUSH_PWC);
		lv_pt_flush_add(&f, 0x3000, 0x9fff, LV_PT_FLUSH_TLB);
		cr_expect_eq(f.start, 0x1000);
		cr_expect_eq(f.last, 0x9fff);
		cr_expect_eq(f.kind, LV_PT_FLUSH_TLB | LV_PT_FLUSH_PWC);
	}
	lv_pt_destroy(pt);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}
