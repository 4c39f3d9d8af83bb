/* SPDX-License-Identifier: MIT */
/*
 * The page-table core with an allocator whose table pages do NOT sit at a
 * fixed distance from their addresses (physical addresses handed out in
 * reverse order, memory from a scattered pool): lv_pt_translate() must then
 * take the phys_to_virt() path. Two trees, one over such an allocator and
 * one over the platform seam, get the same random operations and must
 * translate every probed address identically.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <libvcpu/hosted.h>
#include <libvcpu/paging.h>
#include <libvcpu/status.h>

#define POOL	 512
#define FAKE_TOP 0x7ff00000000ull /* pa of slot i: FAKE_TOP - i * 4096 */

static struct {
	void *page[POOL];
	int used[POOL];
	long p2v_calls;
} sc;

static void *sc_alloc(void *ctx, uint64_t *pa)
{
	(void)ctx;
	/* Hand out slots in a scrambled order so distances differ. */
	for (int k = 0; k < POOL; k++) {
		int i = (int)(((long)k * 1031) % POOL);

		if (!sc.used[i]) {
			sc.used[i] = 1;
			memset(sc.page[i], 0, 4096);
			*pa = FAKE_TOP - (uint64_t)i * 4096;
			return sc.page[i];
		}
	}
	return NULL;
}

static void sc_free(void *ctx, void *va, uint64_t pa)
{
	int i = (int)((FAKE_TOP - pa) / 4096);

	(void)ctx;
	cr_assert(i >= 0 && i < POOL && sc.used[i] && sc.page[i] == va, "bad free");
	sc.used[i] = 0;
}

static void *sc_p2v(void *ctx, uint64_t pa)
{
	int i = (int)((FAKE_TOP - pa) / 4096);

	(void)ctx;
	sc.p2v_calls++;
	cr_assert(i >= 0 && i < POOL && sc.used[i], "phys_to_virt of a page not allocated");
	return sc.page[i];
}

static const struct lv_pt_alloc_ops sc_ops = { sc_alloc, sc_free, sc_p2v };

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void run_format(enum lv_pt_format fmt, uint32_t base_attrs)
{
	struct lv_pt_config a = { .format = fmt, .alloc = &sc_ops };
	struct lv_pt_config b = { .format = fmt };
	struct lv_pt *ta, *tb;
	uint64_t s = 0x1234567887654321ull ^ fmt;
	const uint64_t span = 1ull << 30; /* 1 GiB window */

	for (int i = 0; i < POOL; i++) {
		/* Separate allocations: no fixed distance between pages. */
		sc.page[i] = aligned_alloc(4096, 4096);
		cr_assert_not_null(sc.page[i]);
		sc.used[i] = 0;
	}
	sc.p2v_calls = 0;
	cr_assert_eq(lv_pt_create(&ta, &a), LV_OK);
	cr_assert_eq(lv_pt_create(&tb, &b), LV_OK);
	for (int op = 0; op < 3000; op++) {
		uint64_t sz = ((rnd(&s) % 1024) + 1) * 4096;
		uint64_t va = (rnd(&s) % (span / 4096)) * 4096;
		uint64_t pa = (rnd(&s) % (1ull << 26)) * 4096;
		uint32_t at = base_attrs | ((rnd(&s) & 1) ? LV_PT_W : 0);
		int ra, rb;

		if (va + sz > span)
			sz = span - va;
		switch (rnd(&s) % 3) {
		case 0:
			ra = lv_pt_map(ta, va, pa, sz, at, NULL);
			rb = lv_pt_map(tb, va, pa, sz, at, NULL);
			break;
		case 1:
			ra = lv_pt_unmap(ta, va, sz, NULL);
			rb = lv_pt_unmap(tb, va, sz, NULL);
			break;
		default:
			ra = lv_pt_protect(ta, va, sz, at, NULL);
			rb = lv_pt_protect(tb, va, sz, at, NULL);
			break;
		}
		cr_assert_eq(ra, rb, "op %d: %d vs %d", op, ra, rb);
		for (int k = 0; k < 16; k++) {
			uint64_t q = (rnd(&s) % span) & ~0xfffull;
			struct lv_pt_xlate xa, xb;

			memset(&xa, 0, sizeof(xa));
			memset(&xb, 0, sizeof(xb));
			ra = lv_pt_translate(ta, q, &xa);
			rb = lv_pt_translate(tb, q, &xb);
			cr_assert_eq(ra, rb, "translate %#llx: %d vs %d", (unsigned long long)q, ra,
				     rb);
			if (ra == LV_OK) {
				cr_assert_eq(xa.pa, xb.pa);
				cr_assert_eq(xa.attrs, xb.attrs);
				cr_assert_eq(xa.page_size, xb.page_size);
			}
		}
	}
	cr_assert_gt(sc.p2v_calls, 0, "the phys_to_virt path was never taken");
	lv_pt_destroy(ta);
	lv_pt_destroy(tb);
	for (int i = 0; i < POOL; i++) {
		cr_assert_eq(sc.used[i], 0, "table page %d leaked", i);
		free(sc.page[i]);
	}
	cr_assert_eq(lv_hosted_allocs_outstanding(), 0);
}

Test(paging_scatter, ept4_matches_seam_tree)
{
	run_format(LV_PT_EPT4, LV_PT_R | LV_PT_X | LV_PT_MT(6));
}

Test(paging_scatter, npt4_matches_seam_tree)
{
	run_format(LV_PT_NPT4, LV_PT_R | LV_PT_U);
}

Test(paging_scatter, amd64_4_matches_seam_tree)
{
	run_format(LV_PT_AMD64_4, LV_PT_R);
}
