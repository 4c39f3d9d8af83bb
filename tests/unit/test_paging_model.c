/* SPDX-License-Identifier: MIT */
/*
 * Page-table core against a reference model: a plain array page ->
 * (output address, attributes) over a 4 GiB window, driven by seeded random
 * map / unmap / protect sequences (with allocation failures injected now and
 * then). After every operation the translations of the touched range (and its
 * neighbours) are checked with lv_pt_translate() (every page of ranges up to
 * 128 pages, a sample of larger ones); every 1000 operations and at the end
 * every page of the window is compared through lv_pt_iterate(), and the number of table pages
 * is compared with the number the canonical tree (largest leaves, uniform
 * tables merged, empty tables freed) must have, computed from the model
 * alone. Seam allocations are counted: nothing leaks, destroy frees all.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <libvcpu/hosted.h>
#include <libvcpu/paging.h>
#include <libvcpu/status.h>

#define WIN_PAGES (1u << 20) /* 4 GiB of 4 KiB pages */
#define PG	  4096ull
#define SZ_2M	  (1ull << 21)
#define SZ_1G	  (1ull << 30)

/* Criterion's per-assertion bookkeeping dominates hot loops: test first. */
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond))                                                                       \
			cr_assert(cond, __VA_ARGS__);                                              \
	} while (0)

/* Model entry: 0 = unmapped, else (pa >> 12) << 16 | attrs << 1 | 1. */
static uint64_t *model;
static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic for a given seed. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

static inline uint64_t m_pack(uint64_t pa, uint32_t attrs)
{
	return (pa >> 12) << 16 | (uint64_t)attrs << 1 | 1;
}

static inline uint64_t m_pa(uint64_t m)
{
	return (m >> 16) << 12;
}

static inline uint32_t m_attrs(uint64_t m)
{
	return (uint32_t)(m >> 1) & 0x7fff;
}

/*
 * A caller allocator whose pages come back full of garbage (for
 * LV_PT_CFG_UNZEROED), with its own live count and failure injection.
 */
static long garbage_live, garbage_fail_after = -1;

static void *garbage_alloc(void *ctx, uint64_t *pa)
{
	void *p;

	(void)ctx;
	if (garbage_fail_after == 0)
		return NULL;
	if (garbage_fail_after > 0)
		garbage_fail_after--;
	p = aligned_alloc(4096, 4096);
	CHECK(p != NULL, "out of memory");
	memset(p, 0xa5, 4096);
	garbage_live++;
	*pa = (uint64_t)(uintptr_t)p;
	return p;
}

static void garbage_free(void *ctx, void *va, uint64_t pa)
{
	(void)ctx;
	CHECK((uint64_t)(uintptr_t)va == pa, "pa/va mismatch");
	memset(va, 0x5a, 4096); /* a use after free shows up as garbage entries */
	free(va);
	garbage_live--;
}

static void *garbage_p2v(void *ctx, uint64_t pa)
{
	(void)ctx;
	return (void *)(uintptr_t)pa;
}

static const struct lv_pt_alloc_ops garbage_ops = { garbage_alloc, garbage_free, garbage_p2v };

static void set_fail(long n)
{
	lv_hosted_fail_alloc_after(n);
	garbage_fail_after = n;
}

struct ctx {
	struct lv_pt *pt;
	bool garbage; /* tables from garbage_ops with LV_PT_CFG_UNZEROED */
	bool defer;   /* LV_PT_CFG_DEFER_FREE, reclaimed after every operation */
	enum lv_pt_format fmt;
	uint64_t base;	 /* window start (external address) */
	uint32_t forced; /* attributes the format always reports (NPT: U) */
	uint64_t sizes;	 /* allowed page sizes */
	long baseline;	 /* seam allocations outstanding before the tree */
	unsigned long ops, nomem, checked;
};

/* Attributes the tree reports for a mapping made with @a. */
static uint32_t expect_attrs(const struct ctx *c, uint32_t a)
{
	return a | c->forced;
}

static uint32_t random_attrs(const struct ctx *c)
{
	static const uint32_t ept_prot[] = { LV_PT_R, LV_PT_R | LV_PT_W, LV_PT_R | LV_PT_X,
					     LV_PT_R | LV_PT_W | LV_PT_X, LV_PT_X };
	static const uint32_t x64_prot[] = { LV_PT_R, LV_PT_R | LV_PT_W, LV_PT_R | LV_PT_X,
					     LV_PT_R | LV_PT_W | LV_PT_X };
	uint32_t a;
	bool ept = c->fmt == LV_PT_EPT4 || c->fmt == LV_PT_EPT5;

	/* Few distinct values, so that uniform (mergeable) regions are common. */
	if (rnd_below(4))
		return ept ? LV_PT_R | LV_PT_W | LV_PT_X | LV_PT_MT(6)
			   : LV_PT_R | LV_PT_W | LV_PT_X;
	if (ept) {
		a = ept_prot[rnd_below(5)] | LV_PT_MT(rnd_below(2) ? 6 : 0);
		if (rnd_below(4) == 0)
			a |= LV_PT_IPAT;
	} else {
		a = x64_prot[rnd_below(4)] | LV_PT_MT(rnd_below(8));
		if (c->fmt == LV_PT_AMD64_4 && rnd_below(2))
			a |= LV_PT_U;
		if (c->fmt == LV_PT_AMD64_4 && rnd_below(4) == 0)
			a |= LV_PT_G;
	}
	if (rnd_below(16) == 0)
		a |= LV_PT_SMALL;
	return a;
}

static uint32_t random_prot(const struct ctx *c)
{
	bool ept = c->fmt == LV_PT_EPT4 || c->fmt == LV_PT_EPT5;
	uint32_t p;

	do {
		p = (uint32_t)rnd_below(8);
		if (c->fmt == LV_PT_AMD64_4 && rnd_below(2))
			p |= LV_PT_U;
	} while (ept ? (!(p & (LV_PT_R | LV_PT_X)) || ((p & LV_PT_W) && !(p & LV_PT_R)))
		     : !(p & LV_PT_R));
	return p;
}

/* Random range inside the window: [*pg, *pg + *n) in pages. */
static void random_range(uint64_t *pg, uint64_t *n)
{
	unsigned k = (unsigned)rnd_below(1000);

	if (k < 550) {
		*n = 1 + rnd_below(16);
		*pg = rnd_below(WIN_PAGES - *n + 1);
		/* Often near a 2 MiB boundary, where splits and merges happen. */
		if (rnd_below(2))
			*pg = (*pg & ~511ull) + (rnd_below(2) ? 0 : 512 - *n);
		if (*pg + *n > WIN_PAGES)
			*pg = WIN_PAGES - *n;
	} else if (k < 850) {
		*n = 1 + rnd_below(1024);
		*pg = rnd_below(WIN_PAGES - *n + 1);
	} else if (k < 975) {
		*n = 512 * (1 + rnd_below(4));
		*pg = rnd_below(WIN_PAGES / 512 - *n / 512 + 1) * 512;
	} else if (k < 995) {
		*n = 512 * (1 + rnd_below(64));
		*pg = rnd_below(WIN_PAGES / 512 - *n / 512 + 1) * 512 + (rnd_below(2) ? 0 : 7);
		if (*pg + *n > WIN_PAGES)
			*pg -= 7;
	} else {
		*n = 262144;
		*pg = rnd_below(4) * 262144;
	}
}

/* Output address for a map of window page @pg: mostly "va + small delta". */
static uint64_t random_pa(uint64_t pg)
{
	static const uint64_t delta[] = { 0, SZ_1G, 3 * SZ_2M, 5 * PG, 64 * SZ_1G };
	unsigned k = (unsigned)rnd_below(8);

	if (k < 5)
		return pg * PG + delta[k];
	return (rnd_below(1ull << 28) << 12);
}

static void check_page(struct ctx *c, uint64_t pg)
{
	struct lv_pt_xlate x;
	uint64_t m = model[pg], va = c->base + pg * PG + (pg & 0xff8);
	int rc = lv_pt_translate(c->pt, va, &x);

	c->checked++;
	if (!m) {
		CHECK(rc == LV_ERR_NOENT, "op %lu page %#lx should be unmapped (rc %d)", c->ops,
		      (unsigned long)pg, rc);
		return;
	}
	CHECK(rc == LV_OK, "op %lu page %#lx should be mapped", c->ops, (unsigned long)pg);
	CHECK(x.pa == m_pa(m) + (pg & 0xff8), "op %lu page %#lx pa %#lx want %#lx", c->ops,
	      (unsigned long)pg, (unsigned long)x.pa, (unsigned long)m_pa(m));
	CHECK((x.attrs & ~(LV_PT_A | LV_PT_D)) == m_attrs(m), "op %lu page %#lx attrs %#x want %#x",
	      c->ops, (unsigned long)pg, x.attrs, m_attrs(m));
	CHECK(x.page_size == PG || x.page_size == SZ_2M || x.page_size == SZ_1G, "size");
	CHECK(x.page_size & c->sizes, "leaf size %#lx not allowed", (unsigned long)x.page_size);
	if (m_attrs(m) & LV_PT_SMALL)
		CHECK(x.page_size == PG, "SMALL leaf not 4K");
}

static void check_range(struct ctx *c, uint64_t pg, uint64_t n)
{
	uint64_t i;

	if (pg)
		check_page(c, pg - 1);
	if (pg + n < WIN_PAGES)
		check_page(c, pg + n);
	if (n <= 128) {
		for (i = 0; i < n; i++)
			check_page(c, pg + i);
		return;
	}
	/* Large ranges: both ends, every 2 MiB boundary, random pages (the sweeps see all). */
	check_page(c, pg);
	check_page(c, pg + n - 1);
	for (i = (pg + 511) & ~511ull; i < pg + n && i - pg < 64 * 512; i += 512)
		check_page(c, i);
	for (i = 0; i < 64; i++)
		check_page(c, pg + rnd_below(n));
}

/* ---- whole-window comparison ---- */

struct sweep {
	struct ctx *c;
	uint64_t next_pg; /* first page not yet accounted for */
};

static int sweep_fn(void *vctx, uint64_t va, uint64_t pa, uint64_t size, uint32_t attrs)
{
	struct sweep *s = vctx;
	uint64_t pg = (va - s->c->base) / PG, i;

	CHECK(pg >= s->next_pg, "iterate out of order");
	for (i = s->next_pg; i < pg; i++)
		CHECK(model[i] == 0, "op %lu page %#lx mapped in model, hole in tree", s->c->ops,
		      (unsigned long)i);
	for (i = 0; i < size / PG; i++) {
		uint64_t m = model[pg + i];

		CHECK(m != 0, "op %lu page %#lx mapped in tree only", s->c->ops,
		      (unsigned long)(pg + i));
		CHECK(m_pa(m) == pa + i * PG, "pa");
		CHECK(m_attrs(m) == (attrs & ~(LV_PT_A | LV_PT_D)), "attrs");
	}
	s->next_pg = pg + size / PG;
	return 0;
}

/*
 * State of an aligned region of 2^level_pages pages, computed from the
 * model: 0 empty, 1 uniform (one leaf can map it), 2 mixed. For uniform
 * regions *pa and *attrs describe the leaf.
 */
struct region {
	int state;
	uint64_t pa;
	uint32_t attrs;
};

static struct region region_of_pages(const struct ctx *c, uint64_t pg)
{
	struct region r = { 0, 0, 0 };
	uint64_t m0 = model[pg], i;
	bool any = false;

	for (i = 0; i < 512; i++)
		if (model[pg + i]) {
			any = true;
			break;
		}
	if (!any)
		return r;
	r.state = 2;
	if (!m0 || !(c->sizes & SZ_2M) || (m_attrs(m0) & LV_PT_SMALL) || (m_pa(m0) & (SZ_2M - 1)))
		return r;
	for (i = 1; i < 512; i++)
		if (model[pg + i] != m0 + (i << 16))
			return r;
	r.state = 1;
	r.pa = m_pa(m0);
	r.attrs = m_attrs(m0);
	return r;
}

/* Expected table pages of the canonical tree for the window (one 512 GiB slot). */
static size_t expected_tables(const struct ctx *c)
{
	size_t tables = 0;
	bool any = false;
	uint64_t g, i;

	for (g = 0; g < WIN_PAGES / 262144; g++) {
		struct region sub[512];
		bool uniform = true, gany = false;

		for (i = 0; i < 512; i++) {
			sub[i] = region_of_pages(c, g * 262144 + i * 512);
			if (sub[i].state)
				gany = true;
			if (sub[i].state != 1 || sub[i].attrs != sub[0].attrs ||
			    sub[i].pa != sub[0].pa + i * SZ_2M)
				uniform = false;
		}
		if (!gany)
			continue;
		any = true;
		if (uniform && (c->sizes & SZ_1G) && !(sub[0].pa & (SZ_1G - 1)))
			continue; /* one 1 GiB leaf */
		tables++;	  /* the page directory */
		for (i = 0; i < 512; i++)
			tables += sub[i].state == 2;
	}
	/* Root, plus the tables between the root and the page directories. */
	return 1 + (any ? lv_pt_levels(c->pt) - 3 : 0) + tables;
}

static void full_check(struct ctx *c)
{
	struct sweep s = { .c = c, .next_pg = 0 };
	uint64_t i;

	cr_assert_eq(lv_pt_iterate(c->pt, c->base, WIN_PAGES * PG, sweep_fn, &s), LV_OK);
	for (i = s.next_pg; i < WIN_PAGES; i++)
		CHECK(model[i] == 0, "op %lu page %#lx missing at the end", c->ops,
		      (unsigned long)i);
	cr_assert_eq(lv_pt_table_pages(c->pt), expected_tables(c),
		     "op %lu: %zu table pages, canonical tree has %zu", c->ops,
		     lv_pt_table_pages(c->pt), expected_tables(c));
	if (c->garbage) {
		cr_assert_eq(garbage_live, (long)lv_pt_table_pages(c->pt), "table pages leak");
		cr_assert_eq(lv_hosted_allocs_outstanding(), c->baseline + 1);
	} else {
		/* The tree, its table pages and, when deferring, the deferred-page array. */
		cr_assert_eq(lv_hosted_allocs_outstanding(),
			     c->baseline + 1 + (long)lv_pt_table_pages(c->pt) + (c->defer ? 1 : 0),
			     "seam allocations leak");
	}
}

/* Pages whose translation changed must be inside the reported flush. */
static void check_flush(struct ctx *c, const struct lv_pt_flush *f, uint64_t lo_pg, uint64_t hi_pg)
{
	if (lo_pg > hi_pg)
		return;
	cr_assert(f->kind & LV_PT_FLUSH_TLB, "op %lu: change not reported for flushing", c->ops);
	cr_assert_leq(f->start, c->base + lo_pg * PG);
	cr_assert_geq(f->last, c->base + hi_pg * PG + PG - 1);
}

static void run_model(enum lv_pt_format fmt, uint64_t base, uint64_t sizes, unsigned long nops,
		      uint64_t seed, bool garbage, bool defer)
{
	struct lv_pt_config cfg = { .format = fmt, .page_sizes = sizes };
	struct ctx c = { .fmt = fmt,
			 .base = base,
			 .sizes = sizes ? sizes | PG : PG | SZ_2M | SZ_1G };
	unsigned long op;

	rng_state = seed;
	model = calloc(WIN_PAGES, sizeof(*model));
	cr_assert_not_null(model);
	c.garbage = garbage;
	c.defer = defer;
	if (defer)
		cfg.flags |= LV_PT_CFG_DEFER_FREE;
	if (garbage) {
		cfg.alloc = &garbage_ops;
		cfg.flags |= LV_PT_CFG_UNZEROED;
	}
	c.forced = (fmt == LV_PT_NPT4 || fmt == LV_PT_NPT5) ? LV_PT_U : 0;
	c.baseline = lv_hosted_allocs_outstanding();
	cr_assert_eq(lv_pt_create(&c.pt, &cfg), LV_OK);

	for (op = 0; op < nops; op++) {
		uint64_t pg, n, i, lo = ~0ull, hi = 0;
		struct lv_pt_flush f = { 0, 0, 0 };
		unsigned kind = (unsigned)rnd_below(10);
		bool inject = rnd_below(100) == 0;
		size_t pages_before = lv_pt_table_pages(c.pt);
		uint32_t a = 0;
		uint64_t pa = 0;
		int rc;

		c.ops = op;
		random_range(&pg, &n);
		if (inject)
			set_fail((long)rnd_below(3));
		if (kind < 5) {
			a = random_attrs(&c);
			pa = random_pa(pg);
			rc = lv_pt_map(c.pt, base + pg * PG, pa, n * PG, a, &f);
		} else if (kind < 8) {
			rc = lv_pt_unmap(c.pt, base + pg * PG, n * PG, &f);
		} else {
			a = random_prot(&c);
			rc = lv_pt_protect(c.pt, base + pg * PG, n * PG, a, &f);
		}
		set_fail(-1);
		if (rc == LV_ERR_NOMEM && inject) {
			/* Nothing may have changed: model stays, tree must agree. */
			c.nomem++;
			cr_assert_eq(lv_pt_table_pages(c.pt), pages_before);
			cr_assert_eq(f.kind, 0, "failed op reported a flush");
			check_range(&c, pg, n);
			continue;
		}
		cr_assert_eq(rc, LV_OK, "op %lu kind %u rc %d", op, kind, rc);
		if (defer)
			lv_pt_reclaim(c.pt); /* after the (imaginary) flush */
		for (i = 0; i < n; i++) {
			uint64_t old = model[pg + i], nw;

			if (kind < 5)
				nw = m_pack(pa + i * PG, expect_attrs(&c, a));
			else if (kind < 8)
				nw = 0;
			else if (old)
				nw = m_pack(m_pa(old), (m_attrs(old) & ~(uint32_t)LV_PT_PROT_MASK) |
							       expect_attrs(&c, a));
			else
				nw = 0;
			if (old && old != nw) {
				lo = lo < pg + i ? lo : pg + i;
				hi = pg + i;
			}
			model[pg + i] = nw;
		}
		check_flush(&c, &f, lo, hi);
		check_range(&c, pg, n);
		if (op % 1000 == 999)
			full_check(&c);
	}
	full_check(&c);
	cr_log_info("format %d: %lu ops, %lu injected failures, %lu translations checked", (int)fmt,
		    nops, c.nomem, c.checked);
	cr_assert_gt(c.nomem, 0, "failure injection never hit");
	lv_pt_destroy(c.pt);
	cr_assert_eq(lv_hosted_allocs_outstanding(), c.baseline, "destroy leaked table pages");
	cr_assert_eq(garbage_live, 0, "destroy leaked table pages");
	free(model);
}

Test(paging_model, ept4_100k_ops, .timeout = 300)
{
	run_model(LV_PT_EPT4, 0, 0, 100000, 0x5eed0001, false, false);
}

Test(paging_model, npt4_2m_only, .timeout = 300)
{
	/* NPT without 1 GiB pages, the window above 4 GiB, freed tables deferred. */
	run_model(LV_PT_NPT4, 1ull << 32, LV_PT_SIZE_2M, 20000, 0x5eed0002, false, true);
}

Test(paging_model, amd64_upper_half_4k_only, .timeout = 300)
{
	run_model(LV_PT_AMD64_4, 0xffffff8000000000ull, LV_PT_SIZE_4K, 20000, 0x5eed0003, false,
		  false);
}

Test(paging_model, ept5_unzeroed_caller_allocator, .timeout = 300)
{
	/* Pages arrive full of 0xa5: every entry the tree relies on must be written. */
	run_model(LV_PT_EPT5, 1ull << 50, 0, 20000, 0x5eed0004, true, false);
}
