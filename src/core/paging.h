/* SPDX-License-Identifier: MIT */
/*
 * Page-table core, internal part. The API is the public
 * include/libvcpu/paging.h; this header adds the per-format descriptor that
 * drives the one generic walker (paging.c, paging_change.c, paging_pool.c; the formats are in
 * paging_formats.c) and the tree object.
 */
#ifndef LV_CORE_PAGING_H
#define LV_CORE_PAGING_H

#include <libvcpu/paging.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LV_PT_ENTRIES	 512u
#define LV_PT_LEVEL_BITS 9u
#define LV_PT_MAX_LEVELS 5u
#define LV_PT_PAGE_SHIFT 12u
#define LV_PT_PAGE_SIZE	 ((uint64_t)1 << LV_PT_PAGE_SHIFT)
#define LV_PT_PA_LIMIT	 ((uint64_t)1 << 52)   /* MAXPHYADDR is at most 52 (SDM/APM) */
#define LV_PT_ADDR_MASK	 0x000ffffffffff000ull /* bits 51:12 of an entry */
#define LV_PT_SW_SMALL	 (1ull << 52)	       /* software-available in EPT and AMD64 entries */

struct lv_pt;

/*
 * One format. Levels are numbered as in the manuals' tables: 1 holds 4 KiB
 * leaves (PTE), 2 maps 2 MiB per entry (PDE), 3 maps 1 GiB (PDPTE), 4 the
 * PML4E, 5 the PML5E.
 */
struct lv_pt_format_desc {
	const char *name;
	uint8_t levels;	     /* 4 or 5 */
	uint8_t leaf_levels; /* bit L-1 set: level L may hold a leaf */
	bool is_ept;
	bool canonical;	     /* input addresses are sign-extended virtual addresses */
	uint64_t present;    /* entry is present when any of these bits is set */
	uint64_t large;	     /* PS bit: a level-2/3 entry is a leaf */
	uint64_t accessed;   /* leaf accessed flag (0 = none) */
	uint64_t dirty;	     /* leaf dirty flag (0 = none) */
	uint64_t table_bits; /* bits of a non-leaf entry besides the address */
	/* Leaf bits for @attrs at @level (no address). Checked attrs only. */
	uint64_t (*encode)(const struct lv_pt *pt, uint32_t attrs, unsigned level);
	/* LV_PT_* attributes of a present leaf entry at @level. */
	uint32_t (*decode)(const struct lv_pt *pt, uint64_t entry, unsigned level);
	/* LV_OK or LV_ERR_INVAL for map attributes of this format. */
	int (*check)(const struct lv_pt *pt, uint32_t attrs);
};

/*
 * LV_PT_* attributes of a present EPT leaf @e, with the accessed/dirty flags
 * when @ad (EPTP bit 6). SDM Vol. 3C, "Format of an EPT Page-Table Entry":
 * bits 2:0 R/W/X (= LV_PT_R/W/X), 5:3 memory type, 6 ignore PAT, 8 accessed,
 * 9 dirty; bit 52 is LV_PT_SW_SMALL. Inline and branch-free because
 * lv_pt_translate() uses it on its hot path; paging_formats.c asserts the
 * bit correspondences.
 */
static inline uint32_t lv_pt_ept_attrs(uint64_t e, bool ad)
{
	uint64_t a = (e & 7u) | ((e >> 3) & 7u) << 8 | ((e >> 6) & 1u) << 5 |
		     ((e >> 52) & 1u) << 11 | ((e >> 8) & (ad ? 3u : 0u)) << 12;

	return (uint32_t)a;
}

/* The descriptor of a format, or NULL. */
const struct lv_pt_format_desc *lv_pt_format_get(enum lv_pt_format fmt);

/* A page reserved before a change is applied (the list runs through the pages). */
struct lv_pt_page {
	struct lv_pt_page *next;
	uint64_t pa;
};

/*
 * A table page waiting for lv_pt_reclaim(). Kept outside the page, which a
 * CPU may still walk until the caller has flushed.
 */
struct lv_pt_deferred {
	void *va;
	uint64_t pa;
};

struct lv_pt {
	const struct lv_pt_format_desc *fmt;
	uint64_t root_pa;
	uint64_t *root;
	uint64_t page_sizes; /* allowed leaf sizes (LV_PT_SIZE_*) */
	uint32_t flags;	     /* LV_PT_CFG_* */
	uint8_t leaf_levels; /* fmt->leaf_levels restricted by page_sizes */
	unsigned va_bits;    /* 12 + 9 * levels */
	size_t table_pages;
	const struct lv_pt_alloc_ops *alloc;
	void *alloc_ctx;
	/*
	 * While true, every table page taken so far had va == pa + p2v_delta,
	 * so walks find a table without calling phys_to_virt().
	 */
	bool p2v_linear;
	uint64_t p2v_delta;
	struct lv_pt_page *reserve; /* pages reserved for the change in progress */
	size_t reserved_count;
	struct lv_pt_deferred *deferred; /* LV_PT_CFG_DEFER_FREE: lv_plat_alloc() array */
	size_t deferred_count;
	size_t deferred_cap;
};

#endif /* LV_CORE_PAGING_H */
