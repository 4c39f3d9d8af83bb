/* SPDX-License-Identifier: MIT */
/*
 * Guest page walker against hand-built page tables in a guest RAM buffer,
 * one test per paging mode and per access-rights rule (SDM Vol. 3,
 * 4.3-4.8). Error codes are the ones the SDM's 4.7 lists.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <libvcpu/libvcpu.h>

#include "core/guest_walk.h"

#define RAM_SIZE (8u << 20) /* guest RAM at GPA 0, 8 MiB */

#define P   0x1ull
#define RW  0x2ull
#define US  0x4ull
#define A   0x20ull
#define D   0x40ull
#define PS  0x80ull
#define NX  (1ull << 63)
#define ALL (P | RW | US)

static uint8_t *ram;
static struct lv_memmap mm;
static uint64_t next_page;
static struct lv_guest_paging pg;
static struct lv_walk_result res;

static void setup(void)
{
	ram = aligned_alloc(1u << 21, RAM_SIZE);
	cr_assert_not_null(ram);
	memset(ram, 0, RAM_SIZE);
	cr_assert_eq(lv_memmap_init(&mm, 52, 8), LV_OK);
	cr_assert_eq(lv_memmap_check_add(&mm, ram, 0, RAM_SIZE), LV_OK);
	lv_memmap_commit_add(&mm, ram, 0, RAM_SIZE, LV_PROT_ALL);
	next_page = 0x100000; /* tables from 1 MiB */
	memset(&pg, 0, sizeof(pg));
}

static void teardown(void)
{
	lv_memmap_fini(&mm);
	free(ram);
}

TestSuite(guest_walk, .init = setup, .fini = teardown);

static uint64_t page(void)
{
	uint64_t p = next_page;

	next_page += 0x1000;
	return p;
}

static void set64(uint64_t gpa, uint64_t v)
{
	memcpy(ram + gpa, &v, 8);
}

static uint64_t get64(uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, ram + gpa, 8);
	return v;
}

static void set32(uint64_t gpa, uint32_t v)
{
	memcpy(ram + gpa, &v, 4);
}

static int walk(uint64_t gva, uint32_t access)
{
	return lv_guest_walk(&mm, &pg, gva, access, &res);
}

/* 4-level tables mapping gva -> pa with the given rights at each level (leaf last). */
static uint64_t map4(uint64_t root, uint64_t gva, uint64_t pa, const uint64_t fl[4])
{
	uint64_t t = root;

	for (int lvl = 4; lvl >= 2; lvl--) {
		uint64_t e = t + ((gva >> (12 + 9 * (lvl - 1))) & 511) * 8;

		if (!(get64(e) & P))
			set64(e, page() | fl[4 - lvl]);
		t = get64(e) & 0x000ffffffffff000ull;
	}
	set64(t + ((gva >> 12) & 511) * 8, pa | fl[3]);
	return t + ((gva >> 12) & 511) * 8;
}

static void long_mode(uint64_t cr3)
{
	pg.cr0 = 0x80010011; /* PG | WP | ET | PE */
	pg.cr4 = 0x20;	     /* PAE */
	pg.efer = 0xd00;     /* LMA | LME | NXE */
	pg.cr3 = cr3;
}

Test(guest_walk, no_paging)
{
	pg.cr0 = 1;
	cr_assert_eq(walk(0x123456789ull, LV_ACCESS_WRITE), LV_WALK_OK);
	cr_assert_eq(res.gpa, 0x23456789ull);
}

Test(guest_walk, four_level_4k_2m_1g)
{
	uint64_t root = page();
	static const uint64_t fl[4] = { ALL, ALL, ALL, ALL };

	long_mode(root);
	map4(root, 0x00007f1234567000ull, 0x345000, fl);
	cr_assert_eq(walk(0x00007f1234567abcull, LV_ACCESS_READ), LV_WALK_OK);
	cr_assert_eq(res.gpa, 0x345abc);
	cr_assert_eq(res.page_size, 0x1000);
	cr_assert_eq(res.level, 1);

	/* 2 MiB page: PDE with PS */
	uint64_t pdpt = page(), pd = page();

	set64(root + 1 * 8, pdpt | ALL); /* gva 0x0000008000000000 */
	set64(pdpt + 0, pd | ALL);
	set64(pd + 3 * 8, 0x40200000ull | ALL | PS);
	cr_assert_eq(walk(0x0000008000712345ull, LV_ACCESS_READ), LV_WALK_OK);
	cr_assert_eq(res.gpa, 0x40312345ull);
	cr_assert_eq(res.page_size, 2u << 20);
	/* 1 GiB page: PDPTE with PS */
	set64(pdpt + 2 * 8, 0x1c0000000ull | ALL | PS);
	cr_assert_eq(walk(0x00000080bfffffffull, LV_ACCESS_READ), LV_WALK_OK);
	cr_assert_eq(res.gpa, 0x1ffffffffull);
	cr_assert_eq(res.page_size, 1u << 30);
	/* reserved bits in a 2 MiB PDE (bit 13) and in a 1 GiB PDPTE (bit 20) */
	set64(pd + 4 * 8, 0x40400000ull | ALL | PS | (1ull << 13));
	cr_assert_eq(walk(0x0000008000800000ull, LV_ACCESS_READ), LV_WALK_FAULT);
	cr_assert_eq(res.pf_error, LV_PFEC_P | LV_PFEC_RSVD);
	set64(pdpt + 3 * 8, 0x1c0000000ull | ALL | PS | (1ull << 20));
	cr_assert_eq(walk(0x00000080c0000000ull, LV_ACCESS_WRITE), LV_WALK_FAULT);
	cr_assert_eq(res.pf_error, LV_PFEC_P | LV_PFEC_RSVD | LV_PFEC_W);
	/* PS in a PML4E is reserved */
	set64(root + 2 * 8, page() | ALL | PS);
	cr_assert_eq(walk(0x0000010000000000ull, LV_ACCESS_READ), LV_WALK_FAULT);
	cr_assert(res.pf_error & LV_PFEC_RSVD);
}

Test(guest_walk, not_present_at_each_level)
{
	uint64_t root = page();
	static const uint64_t fl[4] = { ALL, ALL, ALL, ALL };
	uint64_t pte;

	long_mode(root);
	pg.cpl = 3;
	cr_assert_eq(walk(0x1000, LV_ACCESS_READ), LV_WALK_FAULT);
	cr_assert_eq(res.pf_error, LV_PFEC_U);
	cr_assert_eq(res.level, 4);
	pte = map4(root, 0x1000, 0x5000, fl);
	set64(pte, 0);
	cr_assert_eq(walk(0x1000, LV_ACCESS_WRITE), LV_WALK_FAULT);
	cr_assert_eq(res.pf_error, LV_PFEC_U | LV_PFEC_W);
	cr_assert_eq(res.level, 1);
	/* fetch with NXE: I/D set even for not-present */
	cr_assert_eq(walk(0x1000, LV_ACCESS_EXEC), LV_WALK_FAULT);
	cr_assert_eq(res.pf_error, LV_PFEC_U | LV_PFEC_I);
	/* non-canonical bits above 47 are ignored by the walk itself (the caller checks) */
}

Test(guest_walk, user_supervisor_and_combined_rights)
{
	uint64_t root = page();
	static const uint64_t sup_at_top[4] = { P | RW, ALL, ALL, ALL };
	static const uint64_t ro_leaf[4] = { ALL, ALL, ALL, P | US };

	long_mode(root);
	map4(root, 0x2000, 0x7000, ro_leaf);
	map4(root, 0x0000008000000000ull, 0x8000, sup_at_top);
	pg.cpl = 3;
	cr_assert_eq(walk(0x2000, LV_ACCESS_READ), LV_WALK_OK);
	cr_assert_eq(walk(0x2000, LV_ACCESS_WRITE), LV_WALK_FAULT);
	cr_assert_eq(res.pf_error, LV_PFEC_P | LV_PFEC_W | LV_PFEC_U);
	/* U/S = 0 at the top level wins over U/S = 1 below */
	cr_assert_eq(walk(0x0000008000000000ull, LV_ACCESS_READ), LV_WALK_FAULT);
	cr_assert_eq(res.pf_error, LV_PFEC_P | LV_PFEC_U);
	cr_assert_eq(res.user, 0);
	/* supervisor writes to a read-only page: allowed with WP = 0, fault with WP = 1 */
	pg.cpl = 0;
	cr_assert_eq(walk(0x2000, LV_ACCESS_WRITE), LV_WALK_FAULT);
	cr_assert_eq(res.pf_error, LV_PFEC_P | LV_PFEC_W);
	pg.cr0 &= ~(1ull << 16);
	cr_assert_eq(walk(0x2000, LV_ACCESS_WRITE), LV_WALK_OK);
	cr_assert_eq(res.gpa, 0x7000);
	/* implicit supervisor accesses at CPL 3 are supervisor accesses */
	pg.cpl = 3;
	cr_assert_eq(walk(0x0000008000000000ull, LV_ACCESS_READ | LV_WALK_IMPLICIT_SV), LV_WALK_OK);
}

Test(guest_walk, nx_smep_smap)
{
	uint64_t root = page();
	static const uint64_t user_nx[4] = { ALL, ALL, ALL, ALL | NX };
	static const uint64_t user_x[4] = { ALL, ALL, ALL, ALL };

	long_mode(root);
	map4(root, 0x3000, 0x9000, user_nx);
	map4(root, 0x4000, 0xa000, user_x);
	cr_assert_eq(walk(0x3000, LV_ACCESS_EXEC), LV_WALK_FAULT);
	cr_assert_eq(res.pf_error, LV_PFEC_P | LV_PFEC_I);
	cr_assert_eq(walk(0x3000, LV_ACCESS_READ), LV_WALK_OK);
	cr_assert_eq(res.nx, 1);
	/* without NXE bit 63 is reserved */
	pg.efer &= ~(1ull << 11);
	cr_assert_eq(walk(0x3000, LV_ACCESS_READ), LV_WALK_FAULT);
	cr_assert_eq(res.pf_error, LV_PFEC_P | LV_PFEC_RSVD);
	pg.efer |= 1ull << 11;
	/* SMEP: supervisor fetch from a user page */
	cr_assert_eq(walk(0x4000, LV_ACCESS_EXEC), LV_WALK_OK);
	pg.cr4 |= 1ull << 20;
	cr_assert_eq(walk(0x4000, LV_ACCESS_EXEC), LV_WALK_FAULT);
	cr_assert_eq(res.pf_error, LV_PFEC_P | LV_PFEC_I);
	pg.cpl = 3;
	cr_assert_eq(walk(0x4000, LV_ACCESS_EXEC), LV_WALK_OK); /* SMEP is supervisor-only */
	pg.cpl = 0;
	/* SMAP: supervisor data access to a user page; RFLAGS.AC overrides explicit ones */
	cr_assert_eq(walk(0x4000, LV_ACCESS_READ), LV_WALK_OK);
	pg.cr4 |= 1ull << 21;
	cr_assert_eq(walk(0x4000, LV_ACCESS_READ), LV_WALK_FAULT);
	cr_assert_eq(res.pf_error, LV_PFEC_P);
	cr_assert_eq(walk(0x4000, LV_ACCESS_WRITE), LV_WALK_FAULT);
	cr_assert_eq(res.pf_error, LV_PFEC_P | LV_PFEC_W);
	pg.ac = 1;
	cr_assert_eq(walk(0x4000, LV_ACCESS_WRITE), LV_WALK_OK);
	cr_assert_eq(walk(0x4000, LV_ACCESS_READ | LV_WALK_IMPLICIT_SV), LV_WALK_FAULT);
}

Test(guest_walk, accessed_and_dirty)
{
	uint64_t root = page();
	static const uint64_t fl[4] = { ALL, ALL, ALL, ALL };
	static const uint64_t ro[4] = { ALL, ALL, ALL, P | US };
	uint64_t pte = map4(root, 0x5000, 0xb000, fl), pte_ro;

	long_mode(root);
	cr_assert_eq(walk(0x5000, LV_ACCESS_WRITE), LV_WALK_OK);
	cr_assert_eq(get64(pte) & (A | D), 0); /* not asked */
	cr_assert_eq(walk(0x5000, LV_ACCESS_READ | LV_WALK_SET_AD), LV_WALK_OK);
	cr_assert_eq(get64(pte) & (A | D), A);
	cr_assert(get64(root) & A);
	cr_assert_eq(walk(0x5000, LV_ACCESS_WRITE | LV_WALK_SET_AD), LV_WALK_OK);
	cr_assert_eq(get64(pte) & (A | D), A | D);
	/* a faulting access sets nothing */
	pte_ro = map4(root, 0x6000, 0xc000, ro);
	cr_assert_eq(walk(0x6000, LV_ACCESS_WRITE | LV_WALK_SET_AD), LV_WALK_FAULT);
	cr_assert_eq(get64(pte_ro) & (A | D), 0);
}

Test(guest_walk, five_level)
{
	uint64_t root = page(), pml4 = page();
	static const uint64_t fl[4] = { ALL, ALL, ALL, ALL };
	uint64_t gva = (3ull << 48) | 0x1234567000ull; /* PML5 index 3 */

	long_mode(root);
	pg.cr4 |= 1ull << 12; /* LA57 */
	set64(root + 3 * 8, pml4 | ALL);
	map4(pml4, gva, 0xd000, fl);
	cr_assert_eq(walk(gva | 0x10, LV_ACCESS_READ), LV_WALK_OK);
	cr_assert_eq(res.gpa, 0xd010);
	/* the same address under 4-level paging ignores bits 56:48 and misses */
	pg.cr4 &= ~(1ull << 12);
	cr_assert_eq(walk(gva, LV_ACCESS_READ), LV_WALK_FAULT);
}

Test(guest_walk, pae)
{
	uint64_t pdpt = 0x1000e0; /* 32-byte aligned, inside a table page */
	uint64_t pd = page(), pt = page();

	next_page += 0; /* pdpt lives in page 0x100000 */
	pg.cr0 = 0x80010011;
	pg.cr4 = 0x20;
	pg.efer = 0x800; /* NXE, no LMA */
	pg.cr3 = pdpt;
	set64(pdpt + 2 * 8, pd | P); /* gva 0x80000000 */
	set64(pd + 1 * 8, pt | ALL);
	set64(pt + 5 * 8, 0x12345000ull | ALL | NX);
	cr_assert_eq(walk(0x80205678ull, LV_ACCESS_READ), LV_WALK_OK);
	cr_assert_eq(res.gpa, 0x12345678ull);
	cr_assert_eq(walk(0x80205678ull, LV_ACCESS_EXEC), LV_WALK_FAULT);
	cr_assert_eq(res.pf_error, LV_PFEC_P | LV_PFEC_I);
	/* 2 MiB page */
	set64(pd + 2 * 8, 0x40000000ull | ALL | PS);
	cr_assert_eq(walk(0x80412345ull, LV_ACCESS_WRITE), LV_WALK_OK);
	cr_assert_eq(res.gpa, 0x40012345ull);
	/* not-present PDPTE, and reserved PDPTE bits (bit 1) */
	cr_assert_eq(walk(0xc0000000ull, LV_ACCESS_READ), LV_WALK_FAULT);
	cr_assert_eq(res.pf_error, 0);
	set64(pdpt + 3 * 8, pd | P | RW);
	cr_assert_eq(walk(0xc0000000ull, LV_ACCESS_READ), LV_WALK_FAULT);
	cr_assert_eq(res.pf_error, LV_PFEC_P | LV_PFEC_RSVD);
}

Test(guest_walk, legacy_32bit_pse)
{
	uint64_t pd = page(), pt = page();

	pg.cr0 = 0x80000011;
	pg.cr3 = pd;
	set32(pd + 1 * 4, (uint32_t)(pt | ALL)); /* gva 0x00400000 */
	set32(pt + 2 * 4, 0x00abc000u | ALL);
	cr_assert_eq(walk(0x00402123ull, LV_ACCESS_WRITE), LV_WALK_OK);
	cr_assert_eq(res.gpa, 0xabc123);
	/* fetch without SMEP and without PAE: no I/D bit in the error code */
	set32(pt + 3 * 4, 0);
	cr_assert_eq(walk(0x00403000ull, LV_ACCESS_EXEC), LV_WALK_FAULT);
	cr_assert_eq(res.pf_error, 0);
	/* 4 MiB page with PSE; PSE-36 high bits; without PSE, PS is ignored */
	set32(pd + 2 * 4, 0x01c00000u | (0x3u << 13) | ALL | PS); /* PA bits 33:32 = 3 */
	pg.cr4 = 0x10;
	pg.maxphyaddr = 40;
	cr_assert_eq(walk(0x00812345ull, LV_ACCESS_READ), LV_WALK_OK);
	cr_assert_eq(res.gpa, 0x301c12345ull);
	cr_assert_eq(res.page_size, 4u << 20);
	pg.maxphyaddr = 36; /* bits 20:17 now reserved: 3 << 13 is still fine */
	cr_assert_eq(walk(0x00812345ull, LV_ACCESS_READ), LV_WALK_OK);
	set32(pd + 3 * 4, 0x00c00000u | (1u << 21) | ALL | PS); /* bit 21 is reserved */
	cr_assert_eq(walk(0x00c00000ull, LV_ACCESS_READ), LV_WALK_FAULT);
	cr_assert_eq(res.pf_error, LV_PFEC_P | LV_PFEC_RSVD);
	pg.cr4 = 0; /* PS ignored: the PDE names a page table at 0x01c06000, outside RAM */
	cr_assert_eq(walk(0x00812345ull, LV_ACCESS_READ), LV_ERR_NOENT);
	/* gva is truncated to 32 bits */
	cr_assert_eq(walk(0x100402123ull, LV_ACCESS_READ), LV_WALK_OK);
	cr_assert_eq(res.gpa, 0xabc123);
}

Test(guest_walk, maxphyaddr_and_tables_outside_ram)
{
	uint64_t root = page();
	static const uint64_t fl[4] = { ALL, ALL, ALL, ALL };
	uint64_t pte = map4(root, 0x7000, 0xe000, fl);

	long_mode(root);
	pg.maxphyaddr = 39;
	set64(pte, (1ull << 40) | ALL);
	cr_assert_eq(walk(0x7000, LV_ACCESS_READ), LV_WALK_FAULT);
	cr_assert_eq(res.pf_error, LV_PFEC_P | LV_PFEC_RSVD);
	pg.maxphyaddr = 0; /* 52 */
	cr_assert_eq(walk(0x7000, LV_ACCESS_READ), LV_WALK_OK);
	cr_assert_eq(res.gpa, 1ull << 40);
	/* a table beyond guest RAM cannot be walked */
	set64(root + 5 * 8, 0x40000000ull | ALL);
	cr_assert_eq(walk(0x0000028000000000ull, LV_ACCESS_READ), LV_ERR_NOENT);
}

Test(guest_walk, ad_update_needs_writable_tables)
{
	uint64_t root = page();
	static const uint64_t fl[4] = { ALL, ALL, ALL, ALL };

	map4(root, 0x8000, 0xf000, fl);
	long_mode(root);
	cr_assert_eq(lv_memmap_check_covered(&mm, 0x100000, 0x100000), LV_OK);
	lv_memmap_commit_protect(&mm, 0x100000, 0x100000, LV_PROT_READ);
	cr_assert_eq(walk(0x8000, LV_ACCESS_READ), LV_WALK_OK);
	cr_assert_eq(walk(0x8000, LV_ACCESS_READ | LV_WALK_SET_AD), LV_ERR_PERM);
}

Test(guest_walk, emulator_adapter_and_state)
{
	uint64_t root = page(), gpa = 0;
	static const uint64_t fl[4] = { ALL, ALL, ALL, ALL };
	uint64_t pte = map4(root, 0x9000, 0x3000, fl);
	struct lv_x86_fault f;
	struct lv_state st;

	memset(&st, 0, sizeof(st));
	lv_state_init_long64(&st, root);
	st.segs.ss.dpl = 3;
	st.regs.rflags = 2 | (1u << 18);
	lv_guest_paging_from_state(&pg, &st);
	cr_assert_eq(pg.cpl, 3);
	cr_assert_eq(pg.ac, 1);
	cr_assert_eq(pg.cr3, root);
	cr_assert_eq(lv_guest_walk_x86(&mm, &pg, 0x9abc, LV_ACCESS_WRITE, &gpa, &f), 0);
	cr_assert_eq(gpa, 0x3abc);
	cr_assert_eq(get64(pte) & (A | D), A | D); /* the CPU sets A/D: so does the adapter */
	cr_assert_eq(lv_guest_walk_x86(&mm, &pg, 0xa000, LV_ACCESS_READ, &gpa, &f),
		     LV_X86_EMUL_FAULT);
	cr_assert_eq(f.vector, LV_X86_VEC_PF);
	cr_assert_eq(f.error_code, LV_PFEC_U);
	cr_assert_eq(f.cr2, 0xa000);
	set64(root + 8, 0x40000000ull | ALL); /* table outside RAM */
	cr_assert_eq(lv_guest_walk_x86(&mm, &pg, 0x0000008000000000ull, LV_ACCESS_READ, &gpa, &f),
		     LV_X86_EMUL_UNHANDLEABLE);
}
