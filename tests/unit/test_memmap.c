/* SPDX-License-Identifier: MIT */
/*
 * Memory-slot table (src/core/memmap.c): shape checks, overlap, limits,
 * partial remove/protect splits, lookups at every boundary, 32,000 slots,
 * and allocation failures.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <libvcpu/hosted.h>
#include <libvcpu/libvcpu.h>

#include "core/memmap.h"

#define PG 0x1000ull

/* Host addresses are never dereferenced by the table: any aligned value does. */
#define HVA(x) ((void *)(uintptr_t)(0x7f0000000000ull + (x)))

static void add_ok(struct lv_memmap *mm, uint64_t gpa, uint64_t size, uint32_t flags)
{
	cr_assert_eq(lv_memmap_check_add(mm, HVA(gpa), gpa, size), LV_OK, "add %#lx+%#lx",
		     (unsigned long)gpa, (unsigned long)size);
	lv_memmap_commit_add(mm, HVA(gpa), gpa, size, flags);
}

Test(memmap, init_and_range_shapes)
{
	struct lv_memmap mm;

	cr_expect_eq(lv_memmap_init(NULL, 36, 8), LV_ERR_INVAL);
	cr_expect_eq(lv_memmap_init(&mm, 11, 8), LV_ERR_INVAL);
	cr_expect_eq(lv_memmap_init(&mm, 65, 8), LV_ERR_INVAL);
	cr_expect_eq(lv_memmap_init(&mm, 36, 0), LV_ERR_INVAL);
	cr_assert_eq(lv_memmap_init(&mm, 36, 8), LV_OK);

	cr_expect_eq(lv_memmap_check_range(&mm, 0, 0), LV_ERR_INVAL);
	cr_expect_eq(lv_memmap_check_range(&mm, 0x800, PG), LV_ERR_ALIGN);
	cr_expect_eq(lv_memmap_check_range(&mm, 0, 0x800), LV_ERR_ALIGN);
	cr_expect_eq(lv_memmap_check_range(&mm, 0, PG), LV_OK);
	/* Ends exactly at 2^36: fine; one page further: out of range. */
	cr_expect_eq(lv_memmap_check_range(&mm, (1ull << 36) - PG, PG), LV_OK);
	cr_expect_eq(lv_memmap_check_range(&mm, (1ull << 36) - PG, 2 * PG), LV_ERR_RANGE);
	cr_expect_eq(lv_memmap_check_range(&mm, 1ull << 36, PG), LV_ERR_RANGE);
	/* Wrap-around of the 64-bit space. */
	cr_expect_eq(lv_memmap_check_range(&mm, 0xfffffffffffff000ull, 2 * PG), LV_ERR_RANGE);
	cr_expect_eq(lv_memmap_check_range(&mm, 0xfffffffffffff000ull, PG), LV_ERR_RANGE);
	lv_memmap_fini(&mm);

	/* 64-bit guest-physical space: a range may end exactly at 2^64, not wrap. */
	cr_assert_eq(lv_memmap_init(&mm, 64, 8), LV_OK);
	cr_expect_eq(lv_memmap_check_range(&mm, 0xfffffffffffff000ull, PG), LV_OK);
	cr_expect_eq(lv_memmap_check_range(&mm, 0xfffffffffffff000ull, 2 * PG), LV_ERR_RANGE);
	lv_memmap_fini(&mm);
}

Test(memmap, add_overlap_and_hva_checks)
{
	struct lv_memmap mm;

	cr_assert_eq(lv_memmap_init(&mm, 40, 4), LV_OK);
	add_ok(&mm, 0x10000, 0x4000, LV_PROT_READ);
	/* Every kind of overlap is refused; touching neighbours are fine. */
	cr_expect_eq(lv_memmap_check_add(&mm, HVA(0), 0x10000, PG), LV_ERR_EXIST);
	cr_expect_eq(lv_memmap_check_add(&mm, HVA(0), 0x13000, PG), LV_ERR_EXIST);
	cr_expect_eq(lv_memmap_check_add(&mm, HVA(0), 0xf000, 0x2000), LV_ERR_EXIST);
	cr_expect_eq(lv_memmap_check_add(&mm, HVA(0), 0x13000, 0x2000), LV_ERR_EXIST);
	cr_expect_eq(lv_memmap_check_add(&mm, HVA(0), 0x0, 0x100000), LV_ERR_EXIST);
	cr_expect_eq(lv_memmap_check_add(&mm, HVA(0), 0x11000, PG), LV_ERR_EXIST);
	add_ok(&mm, 0xf000, PG, LV_PROT_READ);
	add_ok(&mm, 0x14000, PG, LV_PROT_READ);
	/* Host pointer: NULL, unaligned, wrapping. */
	cr_expect_eq(lv_memmap_check_add(&mm, NULL, 0x20000, PG), LV_ERR_INVAL);
	cr_expect_eq(lv_memmap_check_add(&mm, (void *)0x1234, 0x20000, PG), LV_ERR_ALIGN);
	cr_expect_eq(
		lv_memmap_check_add(&mm, (void *)(uintptr_t)0xfffffffffffff000ull, 0x20000, 2 * PG),
		LV_ERR_RANGE);
	/* Shape errors come through check_add too. */
	cr_expect_eq(lv_memmap_check_add(&mm, HVA(0), 0x20000, 0), LV_ERR_INVAL);
	cr_expect_eq(lv_memmap_check_add(&mm, HVA(0), 1ull << 40, PG), LV_ERR_RANGE);
	/* Slot limit (4). */
	add_ok(&mm, 0x20000, PG, LV_PROT_READ);
	cr_expect_eq(lv_memmap_check_add(&mm, HVA(0), 0x30000, PG), LV_ERR_LIMIT);
	cr_expect_eq(mm.count, 4);
	/* Sorted, ids unique. */
	cr_expect_eq(mm.slots[0].gpa, 0xf000);
	cr_expect_eq(mm.slots[1].gpa, 0x10000);
	cr_expect_eq(mm.slots[2].gpa, 0x14000);
	cr_expect_eq(mm.slots[3].gpa, 0x20000);
	cr_expect_neq(mm.slots[0].id, mm.slots[1].id);
	lv_memmap_fini(&mm);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}

Test(memmap, lookup_boundaries_and_hva)
{
	struct lv_memmap mm;
	const struct lv_slot *s;

	cr_assert_eq(lv_memmap_init(&mm, 48, 16), LV_OK);
	add_ok(&mm, 0x100000, 0x10000, LV_PROT_READ | LV_PROT_WRITE);
	add_ok(&mm, 0x110000, 0x1000, LV_PROT_READ);
	cr_expect_null(lv_memmap_lookup(&mm, 0xfffff));
	s = lv_memmap_lookup(&mm, 0x100000);
	cr_assert_not_null(s);
	cr_expect_eq(s->gpa, 0x100000);
	cr_expect_eq(lv_memmap_lookup(&mm, 0x10ffff), s);
	cr_expect_eq(lv_memmap_lookup(&mm, 0x110000)->gpa, 0x110000);
	cr_expect_null(lv_memmap_lookup(&mm, 0x111000));
	cr_expect_null(lv_memmap_lookup(&mm, ~0ull));
	cr_expect_eq(lv_memmap_lower_bound(&mm, 0), 0);
	cr_expect_eq(lv_memmap_lower_bound(&mm, 0x10ffff), 0);
	cr_expect_eq(lv_memmap_lower_bound(&mm, 0x110000), 1);
	cr_expect_eq(lv_memmap_lower_bound(&mm, 0x111000), 2);

	/* hva(): inside one slot only, with the flags asked for. */
	cr_expect_eq(lv_memmap_hva(&mm, 0x100010, 8, LV_PROT_WRITE), (uint8_t *)HVA(0x100010));
	cr_expect_eq(lv_memmap_hva(&mm, 0x10fff8, 8, 0), (uint8_t *)HVA(0x10fff8));
	cr_expect_null(lv_memmap_hva(&mm, 0x10fffc, 8, 0), "crosses into the next slot");
	cr_expect_null(lv_memmap_hva(&mm, 0x110000, 4, LV_PROT_WRITE));
	cr_expect_null(lv_memmap_hva(&mm, 0x100000, 0, 0));
	cr_expect_null(lv_memmap_hva(&mm, 0x200000, 1, 0));
	/* all_have(): continuous coverage and flags. */
	cr_expect(lv_memmap_all_have(&mm, 0x100000, 0x11000, LV_PROT_READ));
	cr_expect_not(lv_memmap_all_have(&mm, 0x100000, 0x11000, LV_PROT_WRITE));
	cr_expect_not(lv_memmap_all_have(&mm, 0x100000, 0x12000, LV_PROT_READ));
	cr_expect_not(lv_memmap_all_have(&mm, 0xff000, 0x2000, LV_PROT_READ));
	lv_memmap_fini(&mm);
}

Test(memmap, partial_remove_and_protect)
{
	struct lv_memmap mm;
	uint32_t id;

	cr_assert_eq(lv_memmap_init(&mm, 48, 16), LV_OK);
	add_ok(&mm, 0x0, 0x10000, LV_PROT_ALL | LV_MAP_DIRTY_LOG);
	id = mm.slots[0].id;
	/* Remove the middle: two slots remain, the right one with the right hva. */
	cr_assert_eq(lv_memmap_check_covered(&mm, 0x4000, 0x2000), LV_OK);
	lv_memmap_commit_remove(&mm, 0x4000, 0x2000);
	cr_assert_eq(mm.count, 2);
	cr_expect_eq(mm.slots[0].gpa, 0);
	cr_expect_eq(mm.slots[0].size, 0x4000);
	cr_expect_eq(mm.slots[0].id, id);
	cr_expect_eq(mm.slots[1].gpa, 0x6000);
	cr_expect_eq(mm.slots[1].size, 0xa000);
	cr_expect_eq(mm.slots[1].hva, (uint8_t *)HVA(0x6000));
	cr_expect_neq(mm.slots[1].id, id);
	/* The hole: covered checks fail. */
	cr_expect_eq(lv_memmap_check_covered(&mm, 0x3000, 0x2000), LV_ERR_NOENT);
	cr_expect_eq(lv_memmap_check_covered(&mm, 0x4000, PG), LV_ERR_NOENT);
	cr_expect_eq(lv_memmap_check_covered(&mm, 0xf000, 0x2000), LV_ERR_NOENT);
	/* Protect across both slots' edges: 4 slots, flags split, DIRTY_LOG kept. */
	add_ok(&mm, 0x4000, 0x2000, LV_PROT_READ);
	cr_assert_eq(lv_memmap_check_covered(&mm, 0x2000, 0x6000), LV_OK);
	lv_memmap_commit_protect(&mm, 0x2000, 0x6000, LV_PROT_READ);
	cr_assert_eq(mm.count, 5);
	cr_expect_eq(mm.slots[0].flags, LV_PROT_ALL | LV_MAP_DIRTY_LOG);
	cr_expect_eq(mm.slots[1].gpa, 0x2000);
	cr_expect_eq(mm.slots[1].flags, LV_PROT_READ | LV_MAP_DIRTY_LOG);
	cr_expect_eq(mm.slots[2].flags, LV_PROT_READ);
	cr_expect_eq(mm.slots[3].gpa, 0x6000);
	cr_expect_eq(mm.slots[3].size, 0x2000);
	cr_expect_eq(mm.slots[3].flags, LV_PROT_READ | LV_MAP_DIRTY_LOG);
	cr_expect_eq(mm.slots[4].gpa, 0x8000);
	cr_expect_eq(mm.slots[4].flags, LV_PROT_ALL | LV_MAP_DIRTY_LOG);
	/* Remove spanning several slots exactly. */
	cr_assert_eq(lv_memmap_check_covered(&mm, 0x2000, 0x6000), LV_OK);
	lv_memmap_commit_remove(&mm, 0x2000, 0x6000);
	cr_expect_eq(mm.count, 2);
	cr_expect_null(lv_memmap_lookup(&mm, 0x2000));
	cr_expect_null(lv_memmap_lookup(&mm, 0x7fff));
	cr_expect_not_null(lv_memmap_lookup(&mm, 0x8000));
	lv_memmap_fini(&mm);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}

Test(memmap, split_respects_slot_limit)
{
	struct lv_memmap mm;

	cr_assert_eq(lv_memmap_init(&mm, 48, 2), LV_OK);
	add_ok(&mm, 0, 0x10000, LV_PROT_READ);
	/* One split (edge) fits, two (middle) do not. */
	cr_expect_eq(lv_memmap_check_covered(&mm, 0x4000, 0x2000), LV_ERR_LIMIT);
	cr_expect_eq(lv_memmap_check_covered(&mm, 0x0, 0x2000), LV_OK);
	cr_expect_eq(lv_memmap_check_covered(&mm, 0x0, 0x10000), LV_OK);
	lv_memmap_fini(&mm);
}

Test(memmap, top_of_64bit_space)
{
	struct lv_memmap mm;

	cr_assert_eq(lv_memmap_init(&mm, 64, 8), LV_OK);
	add_ok(&mm, 0xffffffffffff0000ull, 0x10000, LV_PROT_READ);
	cr_expect_not_null(lv_memmap_lookup(&mm, ~0ull));
	cr_expect_eq(lv_memmap_check_add(&mm, HVA(0), 0xfffffffffffff000ull, PG), LV_ERR_EXIST);
	cr_assert_eq(lv_memmap_check_covered(&mm, 0xfffffffffffff000ull, PG), LV_OK);
	lv_memmap_commit_remove(&mm, 0xfffffffffffff000ull, PG);
	cr_expect_null(lv_memmap_lookup(&mm, ~0ull));
	cr_expect_eq(mm.slots[0].size, 0xf000);
	cr_assert_eq(lv_memmap_check_covered(&mm, 0xffffffffffff0000ull, 0xf000), LV_OK);
	lv_memmap_commit_protect(&mm, 0xffffffffffff0000ull, 0xf000, LV_PROT_READ | LV_PROT_EXEC);
	cr_expect_eq(mm.slots[0].flags, LV_PROT_READ | LV_PROT_EXEC);
	lv_memmap_fini(&mm);
}

Test(memmap, thirty_two_thousand_slots)
{
	enum { N = 32000 };
	struct lv_memmap mm;
	uint64_t i, x = 12345;

	cr_assert_eq(lv_memmap_init(&mm, 48, N), LV_OK);
	/* Slot i: one page at 2 * i pages (a one-page hole after each). */
	for (i = 0; i < N; i++)
		add_ok(&mm, 2 * i * PG, PG, LV_PROT_READ);
	cr_expect_eq(mm.count, N);
	cr_expect_eq(lv_memmap_check_add(&mm, HVA(0), 2 * N * PG, PG), LV_ERR_LIMIT);
	for (i = 0; i < 200000; i++) {
		uint64_t pg, gpa;
		const struct lv_slot *s;

		x = x * 6364136223846793005ull + 1442695040888963407ull;
		pg = (x >> 20) % (2 * N + 4);
		gpa = pg * PG + ((x >> 8) & 0xfff);
		s = lv_memmap_lookup(&mm, gpa);
		if (pg % 2 == 0 && pg < 2 * N) {
			cr_assert_not_null(s, "gpa %#lx", (unsigned long)gpa);
			cr_assert_eq(s->gpa, pg * PG);
		} else {
			cr_assert_null(s, "gpa %#lx", (unsigned long)gpa);
		}
	}
	/* Remove every other slot, from the top, then look everything up again. */
	for (i = N; i-- > 0;)
		if (i % 2) {
			cr_assert_eq(lv_memmap_check_covered(&mm, 2 * i * PG, PG), LV_OK);
			lv_memmap_commit_remove(&mm, 2 * i * PG, PG);
		}
	cr_expect_eq(mm.count, N / 2);
	for (i = 0; i < N; i++)
		cr_assert_eq(lv_memmap_lookup(&mm, 2 * i * PG) != NULL, i % 2 == 0);
	lv_memmap_fini(&mm);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}

Test(memmap, allocation_failure_keeps_table)
{
	struct lv_memmap mm;
	uint64_t i;

	cr_assert_eq(lv_memmap_init(&mm, 48, 1000), LV_OK);
	/* Fill the first storage block exactly, then fail the growth. */
	for (i = 0; !mm.capacity || mm.count < mm.capacity; i++)
		add_ok(&mm, i * PG, PG, LV_PROT_READ);
	lv_hosted_fail_alloc_after(0);
	cr_expect_eq(lv_memmap_check_add(&mm, HVA(0), 0x1000000, PG), LV_ERR_NOMEM);
	lv_hosted_fail_alloc_after(-1);
	cr_expect_eq(mm.count, i);
	for (i = 0; i < mm.count; i++)
		cr_assert_eq(lv_memmap_lookup(&mm, i * PG)->gpa, i * PG);
	/* Splits need room too: a middle removal at full capacity fails cleanly. */
	lv_hosted_fail_alloc_after(0);
	cr_expect_eq(lv_memmap_check_covered(&mm, 0, PG), LV_ERR_NOMEM);
	lv_hosted_fail_alloc_after(-1);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 1);
	add_ok(&mm, 0x1000000, PG, LV_PROT_READ);
	lv_memmap_fini(&mm);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}
