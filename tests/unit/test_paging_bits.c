/* SPDX-License-Identifier: MIT */
/*
 * Page-table core: bit-exact entries. Every expected value below is a
 * literal worked out by hand from the manuals' bit definitions, never from
 * the library's own macros:
 *
 * EPT (SDM Vol. 3C, "Format of an EPT PML4 Entry" ... "EPT Page-Table
 * Entry that Maps a 4-KByte Page"): bit 0 R, 1 W, 2 X, 5:3 memory type
 * (0 UC, 1 WC, 4 WT, 5 WP, 6 WB), 6 ignore PAT, 7 page size, 8 accessed,
 * 9 dirty, 51:12 address, 52 software-available (ours: "keep small").
 * EPTP (SDM "Extended-Page-Table Pointer"): 2:0 memory type, 5:3 walk
 * length - 1, 6 A/D enable, 51:12 root.
 *
 * AMD64 / NPT (APM Vol. 2, "Long-Mode Page Translation", "Nested Paging"):
 * bit 0 P, 1 R/W, 2 U/S, 3 PWT, 4 PCD, 5 A, 6 D, 7 PS (PAT in a 4 KiB
 * PTE), 8 G, 12 PAT in a 2 MiB/1 GiB leaf, 63 NX.
 */
#include <criterion/criterion.h>

#include <libvcpu/hosted.h>
#include <libvcpu/paging.h>
#include <libvcpu/status.h>

static struct lv_pt *make(enum lv_pt_format f, uint32_t flags)
{
	struct lv_pt_config c = { .format = f, .flags = flags };
	struct lv_pt *pt = NULL;

	cr_assert_eq(lv_pt_create(&pt, &c), LV_OK);
	return pt;
}

static uint64_t entry(struct lv_pt *pt, uint64_t va, unsigned level)
{
	uint64_t e = 0;

	cr_assert_eq(lv_pt_read_entry(pt, va, level, &e), LV_OK, "va %#lx level %u",
		     (unsigned long)va, level);
	return e;
}

static void map_ok(struct lv_pt *pt, uint64_t va, uint64_t pa, uint64_t size, uint32_t attrs)
{
	cr_assert_eq(lv_pt_map(pt, va, pa, size, attrs, NULL), LV_OK, "map %#lx",
		     (unsigned long)va);
}

/* Non-leaf entries: the address of the next table plus the given low bits. */
static void expect_table(struct lv_pt *pt, uint64_t va, unsigned level, uint64_t low12)
{
	uint64_t e = entry(pt, va, level);

	cr_expect_eq(e & 0xfff, low12, "level %u entry %#lx", level, (unsigned long)e);
	cr_expect_eq(e & 0xfff0000000000000ull, 0, "level %u high bits %#lx", level,
		     (unsigned long)e);
	cr_expect_neq(e & 0x000ffffffffff000ull, 0);
}

Test(paging_bits, ept_leaves)
{
	struct lv_pt *pt = make(LV_PT_EPT4, 0);
	uint64_t eptp;

	/* 4 KiB, RWX, WB, ignore PAT: 0x7 | 6 << 3 | 1 << 6 = 0x77. */
	map_ok(pt, 0x1000, 0xabcde000, 0x1000,
	       LV_PT_R | LV_PT_W | LV_PT_X | LV_PT_MT(6) | LV_PT_IPAT);
	cr_expect_eq(entry(pt, 0x1000, 1), 0x00000000abcde077ull);
	/* 4 KiB, read-only, UC: 0x1. */
	map_ok(pt, 0x2000, 0x12345000, 0x1000, LV_PT_R);
	cr_expect_eq(entry(pt, 0x2000, 1), 0x0000000012345001ull);
	/* 4 KiB execute-only, WC: 0x4 | 1 << 3 = 0xc. */
	map_ok(pt, 0x3000, 0xfffff000, 0x1000, LV_PT_X | LV_PT_MT(1));
	cr_expect_eq(entry(pt, 0x3000, 1), 0x00000000fffff00cull);
	/* High address bit 51: pa 0x000f_ffff_ffff_f000, RW, WT: 0x3 | 4 << 3 = 0x23. */
	map_ok(pt, 0x4000, 0x000ffffffffff000ull, 0x1000, LV_PT_R | LV_PT_W | LV_PT_MT(4));
	cr_expect_eq(entry(pt, 0x4000, 1), 0x000ffffffffff023ull);
	/* Keep-small: software bit 52. RW, WB: 0x3 | 0x30. */
	map_ok(pt, 0x5000, 0x5000, 0x1000, LV_PT_R | LV_PT_W | LV_PT_MT(6) | LV_PT_SMALL);
	cr_expect_eq(entry(pt, 0x5000, 1), 0x0010000000005033ull);

	/* 2 MiB, RW, WB: 0x3 | 0x30 | 0x80 (page size) = 0xb3. */
	map_ok(pt, 0x40000000, 0x80000000, 0x200000, LV_PT_R | LV_PT_W | LV_PT_MT(6));
	cr_expect_eq(entry(pt, 0x40000000, 2), 0x00000000800000b3ull);
	/* 1 GiB, RWX, WB, ignore PAT: 0x7 | 0x30 | 0x40 | 0x80 = 0xf7. */
	map_ok(pt, 0x80000000, 0x180000000ull, 0x40000000,
	       LV_PT_R | LV_PT_W | LV_PT_X | LV_PT_MT(6) | LV_PT_IPAT);
	cr_expect_eq(entry(pt, 0x80000000, 3), 0x00000001800000f7ull);

	/* Non-leaf EPT entries: R, W and X set (0x7), nothing else. */
	expect_table(pt, 0x1000, 4, 0x007);
	expect_table(pt, 0x1000, 3, 0x007);
	expect_table(pt, 0x1000, 2, 0x007);

	/* Without the A/D feature, A/D requests are not written. */
	map_ok(pt, 0x6000, 0x6000, 0x1000, LV_PT_R | LV_PT_MT(6) | LV_PT_A | LV_PT_D);
	cr_expect_eq(entry(pt, 0x6000, 1), 0x0000000000006031ull);
	cr_expect_eq(lv_pt_dirty_clear(pt, 0, 0x10000, &eptp, NULL), LV_ERR_NOTSUP);

	/* EPTP: WB (6) | (4 - 1) << 3 = 0x1e, root in 51:12. */
	cr_assert_eq(lv_pt_eptp(pt, 6, &eptp), LV_OK);
	cr_expect_eq(eptp, lv_pt_root(pt) | 0x1e);
	cr_assert_eq(lv_pt_eptp(pt, 0, &eptp), LV_OK);
	cr_expect_eq(eptp, lv_pt_root(pt) | 0x18);
	cr_expect_eq(lv_pt_eptp(pt, 1, &eptp), LV_ERR_INVAL);
	lv_pt_destroy(pt);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}

Test(paging_bits, ept_accessed_dirty_and_5level)
{
	struct lv_pt *pt = make(LV_PT_EPT4, LV_PT_CFG_EPT_AD);
	uint64_t eptp;

	/* A (bit 8) and D (bit 9) preset: 0x3 | 0x30 | 0x100 | 0x200 = 0x333. */
	map_ok(pt, 0x7000, 0x7000, 0x1000, LV_PT_R | LV_PT_W | LV_PT_MT(6) | LV_PT_A | LV_PT_D);
	cr_expect_eq(entry(pt, 0x7000, 1), 0x0000000000007333ull);
	/* EPTP with A/D: 0x1e | 1 << 6 = 0x5e. */
	cr_assert_eq(lv_pt_eptp(pt, 6, &eptp), LV_OK);
	cr_expect_eq(eptp, lv_pt_root(pt) | 0x5e);
	lv_pt_destroy(pt);

	pt = make(LV_PT_EPT5, 0);
	cr_expect_eq(lv_pt_levels(pt), 5);
	/* 57-bit guest-physical: va 0x0100_0000_0000_0000 (bit 56) is valid in 5 levels. */
	map_ok(pt, 0x0100000000000000ull, 0x200000, 0x200000, LV_PT_R | LV_PT_MT(6));
	cr_expect_eq(entry(pt, 0x0100000000000000ull, 2), 0x00000000002000b1ull);
	expect_table(pt, 0x0100000000000000ull, 5, 0x007);
	/* EPTP: WB | (5 - 1) << 3 = 0x26. */
	cr_assert_eq(lv_pt_eptp(pt, 6, &eptp), LV_OK);
	cr_expect_eq(eptp, lv_pt_root(pt) | 0x26);
	cr_expect_eq(lv_pt_map(pt, 0x0200000000000000ull, 0, 0x1000, LV_PT_R, NULL), LV_ERR_RANGE);
	lv_pt_destroy(pt);

	pt = make(LV_PT_NPT4, 0);
	cr_expect_eq(lv_pt_eptp(pt, 6, &eptp), LV_ERR_INVAL);
	lv_pt_destroy(pt);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}

Test(paging_bits, npt_leaves)
{
	struct lv_pt *pt = make(LV_PT_NPT4, 0);

	/* 4 KiB RW, no X, PAT index 0: P | RW | US = 0x7, NX bit 63. U forced. */
	map_ok(pt, 0x1000, 0xabcde000, 0x1000, LV_PT_R | LV_PT_W);
	cr_expect_eq(entry(pt, 0x1000, 1), 0x80000000abcde007ull);
	/* 4 KiB R + X: P | US = 0x5. */
	map_ok(pt, 0x2000, 0x2000, 0x1000, LV_PT_R | LV_PT_X);
	cr_expect_eq(entry(pt, 0x2000, 1), 0x0000000000002005ull);
	/* 4 KiB RWX, PAT index 7: PWT 0x8 | PCD 0x10 | PAT(4K) 0x80 | 0x7 = 0x9f. */
	map_ok(pt, 0x3000, 0x3000, 0x1000, LV_PT_R | LV_PT_W | LV_PT_X | LV_PT_MT(7));
	cr_expect_eq(entry(pt, 0x3000, 1), 0x000000000000309full);
	/* G is not used in nested tables. */
	map_ok(pt, 0x4000, 0x4000, 0x1000, LV_PT_R | LV_PT_X | LV_PT_G);
	cr_expect_eq(entry(pt, 0x4000, 1), 0x0000000000004005ull);

	/* 2 MiB RWX: P | RW | US | PS = 0x87. */
	map_ok(pt, 0x40000000, 0x40000000, 0x200000, LV_PT_R | LV_PT_W | LV_PT_X);
	cr_expect_eq(entry(pt, 0x40000000, 2), 0x0000000040000087ull);
	/* 2 MiB R, PAT index 4 -> PAT bit 12 of a large leaf: 0x5 | 0x80 | 0x1000 | NX. */
	map_ok(pt, 0x40200000, 0x40200000, 0x200000, LV_PT_R | LV_PT_MT(4));
	cr_expect_eq(entry(pt, 0x40200000, 2), 0x8000000040201085ull);
	/* 1 GiB RWX, PAT index 3 (PCD | PWT): 0x7 | 0x18 | 0x80 = 0x9f. */
	map_ok(pt, 0x80000000, 0x180000000ull, 0x40000000,
	       LV_PT_R | LV_PT_W | LV_PT_X | LV_PT_MT(3));
	cr_expect_eq(entry(pt, 0x80000000, 3), 0x000000018000009full);

	/* Non-leaf NPT entries: P | RW | US = 0x7 (U at every level). */
	expect_table(pt, 0x1000, 4, 0x007);
	expect_table(pt, 0x1000, 3, 0x007);
	expect_table(pt, 0x1000, 2, 0x007);

	/*
	 * Splitting the PAT-4 2 MiB leaf by changing its first page: the other
	 * 4 KiB leaves keep the translation and move PAT to bit 7:
	 * page 2 = 0x40202000 | P | US | PAT(4K) 0x80 | NX.
	 */
	cr_assert_eq(lv_pt_protect(pt, 0x40200000, 0x1000, LV_PT_R | LV_PT_W, NULL), LV_OK);
	cr_expect_eq(entry(pt, 0x40202000, 1), 0x8000000040202085ull);
	cr_expect_eq(entry(pt, 0x40200000, 1), 0x8000000040200087ull);
	expect_table(pt, 0x40200000, 2, 0x007);
	lv_pt_destroy(pt);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}

Test(paging_bits, amd64_guest_leaves)
{
	struct lv_pt *pt = make(LV_PT_AMD64_4, 0);
	struct lv_pt_xlate x;

	/* Supervisor read-only, no X: P | NX. */
	map_ok(pt, 0x1000, 0x1000, 0x1000, LV_PT_R);
	cr_expect_eq(entry(pt, 0x1000, 1), 0x8000000000001001ull);
	/* Global (bit 8), accessed (5) and dirty (6) preset, RW: 0x1 | 0x2 | 0x20 | 0x40 | 0x100. */
	map_ok(pt, 0x2000, 0x2000, 0x1000,
	       LV_PT_R | LV_PT_W | LV_PT_G | LV_PT_A | LV_PT_D | LV_PT_X);
	cr_expect_eq(entry(pt, 0x2000, 1), 0x0000000000002163ull);
	/* User RWX: 0x7. */
	map_ok(pt, 0x3000, 0x3000, 0x1000, LV_PT_R | LV_PT_W | LV_PT_X | LV_PT_U);
	cr_expect_eq(entry(pt, 0x3000, 1), 0x0000000000003007ull);

	/* Upper half: 0xffff_8000_0000_0000 is PML4 index 256. 2 MiB supervisor RX: 0x81. */
	map_ok(pt, 0xffff800000000000ull, 0x200000, 0x200000, LV_PT_R | LV_PT_X);
	cr_expect_eq(entry(pt, 0xffff800000000000ull, 2), 0x0000000000200081ull);
	expect_table(pt, 0xffff800000000000ull, 4, 0x007);
	cr_assert_eq(lv_pt_translate(pt, 0xffff800000001234ull, &x), LV_OK);
	cr_expect_eq(x.pa, 0x201234);
	cr_expect_eq(x.page_size, 0x200000);
	cr_expect_eq(x.level, 2);
	/* Non-canonical and hole-crossing addresses are rejected. */
	cr_expect_eq(lv_pt_map(pt, 0x0000800000000000ull, 0, 0x1000, LV_PT_R, NULL), LV_ERR_RANGE);
	cr_expect_eq(lv_pt_map(pt, 0xffff000000000000ull, 0, 0x1000, LV_PT_R, NULL), LV_ERR_RANGE);
	cr_expect_eq(lv_pt_map(pt, 0x00007ffffffff000ull, 0, 0x2000, LV_PT_R, NULL), LV_ERR_RANGE);
	cr_expect_eq(lv_pt_translate(pt, 0x0000800000000000ull, &x), LV_ERR_RANGE);
	lv_pt_destroy(pt);

	/* LA57: 0xff00_0000_0000_0000 is canonical with 57 bits (PML5 index 256). */
	pt = make(LV_PT_AMD64_5, LV_PT_CFG_NO_NX);
	map_ok(pt, 0xff00000000000000ull, 0x5000, 0x1000, LV_PT_R);
	/* NO_NX: a non-executable request still has bit 63 clear: P only. */
	cr_expect_eq(entry(pt, 0xff00000000000000ull, 1), 0x0000000000005001ull);
	expect_table(pt, 0xff00000000000000ull, 5, 0x007);
	cr_expect_eq(lv_pt_translate(pt, 0xff00000000000000ull, &x), LV_OK);
	cr_expect_eq(x.pa, 0x5000);
	lv_pt_destroy(pt);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}

Test(paging_bits, attribute_checks)
{
	struct lv_pt *pt = make(LV_PT_EPT4, 0);
	struct lv_pt *npt = make(LV_PT_NPT4, 0);

	/* EPT: W without R is a misconfiguration; no access at all is not a mapping. */
	cr_expect_eq(lv_pt_map(pt, 0, 0, 0x1000, LV_PT_W, NULL), LV_ERR_INVAL);
	cr_expect_eq(lv_pt_map(pt, 0, 0, 0x1000, 0, NULL), LV_ERR_INVAL);
	/* Reserved EPT memory types 2, 3, 7. */
	cr_expect_eq(lv_pt_map(pt, 0, 0, 0x1000, LV_PT_R | LV_PT_MT(2), NULL), LV_ERR_INVAL);
	cr_expect_eq(lv_pt_map(pt, 0, 0, 0x1000, LV_PT_R | LV_PT_MT(3), NULL), LV_ERR_INVAL);
	cr_expect_eq(lv_pt_map(pt, 0, 0, 0x1000, LV_PT_R | LV_PT_MT(7), NULL), LV_ERR_INVAL);
	cr_expect_eq(lv_pt_map(pt, 0, 0, 0x1000, LV_PT_R | (1u << 20), NULL), LV_ERR_INVAL);
	/* Shape errors. */
	cr_expect_eq(lv_pt_map(pt, 0x800, 0, 0x1000, LV_PT_R, NULL), LV_ERR_ALIGN);
	cr_expect_eq(lv_pt_map(pt, 0, 0x800, 0x1000, LV_PT_R, NULL), LV_ERR_ALIGN);
	cr_expect_eq(lv_pt_map(pt, 0, 0, 0x800, LV_PT_R, NULL), LV_ERR_ALIGN);
	cr_expect_eq(lv_pt_map(pt, 0, 0, 0, LV_PT_R, NULL), LV_ERR_INVAL);
	cr_expect_eq(lv_pt_map(pt, 0x0000fffffffff000ull, 0, 0x2000, LV_PT_R, NULL), LV_ERR_RANGE);
	cr_expect_eq(lv_pt_map(pt, 0, 0x000ffffffffff000ull, 0x2000, LV_PT_R, NULL), LV_ERR_RANGE);
	cr_expect_eq(lv_pt_map(pt, 0xfffffffffffff000ull, 0, 0x1000, LV_PT_R, NULL), LV_ERR_RANGE);
	cr_expect_eq(lv_pt_unmap(pt, 0, 0, NULL), LV_ERR_INVAL);
	cr_expect_eq(lv_pt_protect(pt, 0, 0x1000, LV_PT_MT(6) | LV_PT_R, NULL), LV_ERR_INVAL);
	/* NPT/AMD64 need present. */
	cr_expect_eq(lv_pt_map(npt, 0, 0, 0x1000, LV_PT_X, NULL), LV_ERR_INVAL);
	cr_expect_eq(lv_pt_protect(npt, 0, 0x1000, LV_PT_W, NULL), LV_ERR_INVAL);
	/* Nothing was created by the failures. */
	cr_expect_eq(lv_pt_table_pages(pt), 1);
	cr_expect_eq(lv_pt_table_pages(npt), 1);
	lv_pt_destroy(pt);
	lv_pt_destroy(npt);

	{
		struct lv_pt_config c = { .format = 0 };
		struct lv_pt *p = (struct lv_pt *)1;

		cr_expect_eq(lv_pt_create(&p, &c), LV_ERR_INVAL);
		cr_expect_null(p);
		c.format = LV_PT_EPT4;
		c.page_sizes = 1ull << 13;
		cr_expect_eq(lv_pt_create(&p, &c), LV_ERR_INVAL);
		c.page_sizes = 0;
		c.flags = 1u << 30;
		cr_expect_eq(lv_pt_create(&p, &c), LV_ERR_INVAL);
	}
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}
