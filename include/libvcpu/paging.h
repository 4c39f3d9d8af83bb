/* SPDX-License-Identifier: MIT */
/**
 * @file paging.h
 * @brief The page-table core: EPT, AMD NPT and x86-64 guest page tables.
 *
 * One generic walker builds and edits 4- or 5-level x86 page-table trees in
 * three formats:
 * - #LV_PT_EPT4 / #LV_PT_EPT5: Intel EPT (SDM Vol. 3C, "EPT Translation
 *   Mechanism"); the root goes into the EPTP (lv_pt_eptp()).
 * - #LV_PT_NPT4 / #LV_PT_NPT5: AMD nested page tables (APM Vol. 2, "Nested
 *   Paging"): x86-64 long-mode entries with U set at every level; the root
 *   goes into the VMCB's N_CR3.
 * - #LV_PT_AMD64_4 / #LV_PT_AMD64_5: a guest's own long-mode page tables
 *   (4-level or LA57); the root goes into the guest's CR3. Addresses are
 *   canonical virtual addresses (the upper half works).
 *
 * Operations work on page-aligned ranges: lv_pt_map(), lv_pt_unmap(),
 * lv_pt_protect(), lv_pt_translate(), lv_pt_iterate(), lv_pt_dirty_clear().
 * Leaves are 4 KiB, 2 MiB or 1 GiB, chosen from the alignment of the input
 * and output addresses and the sizes the table allows (lv_pt_config.page_sizes);
 * a large leaf is split when part of it changes, and tables whose 512 leaves
 * become uniform again (contiguous, identical attributes) are merged back
 * into one large leaf. Tables that become empty are freed at once.
 *
 * Atomicity: every changing call first reserves all the table pages it can
 * need, then applies the change, which cannot fail. A call that returns an
 * error (#LV_ERR_NOMEM included) has changed nothing.
 *
 * Flushing: every changing call accumulates into an optional
 * struct lv_pt_flush what the caller must invalidate before the change is
 * guaranteed visible to a CPU (INVEPT, INVVPID, SVM TLB_CONTROL, INVLPG or a
 * CR3 reload). Making a not-present entry present needs no flush.
 *
 * Table memory: by default from the platform seam (lv_plat_page_alloc(),
 * lv_plat_page_free(), lv_plat_phys_to_virt()); a caller can pass its own
 * allocator (struct lv_pt_alloc_ops), e.g. one that carves table pages out of
 * guest memory and reports guest-physical addresses, to build a guest's page
 * tables inside the guest. The lv_pt object itself comes from lv_plat_alloc().
 *
 * Concurrency: a table is not thread-safe. Changes must be serialized by the
 * caller; lv_pt_translate() and lv_pt_iterate() may run concurrently with
 * each other but not with a change. Hardware may walk the table while it is
 * changed: every entry is written with one aligned 64-bit store and a
 * table is linked in only after it is filled. lv_pt_protect() and
 * lv_pt_dirty_clear() update live leaves atomically, so accessed/dirty flags
 * a CPU sets meanwhile are kept; replacing a mapping, splitting and merging
 * may drop the flags of the replaced entries (map dirty-logged ranges with
 * #LV_PT_SMALL: they are never split or merged). Freed table pages may still be
 * cached by a CPU until the caller flushed: use #LV_PT_CFG_DEFER_FREE and
 * lv_pt_reclaim() when guests run while the table changes.
 *
 * Example: identity-map the first 1 GiB of a 64-bit guest with 2 MiB pages,
 * the tables living in the guest's own RAM at guest-physical 0x10000 (@c ram
 * points to guest-physical 0):
 * @code
 * struct lv_pt_arena arena;
 * struct lv_pt_config cfg = { .format = LV_PT_AMD64_4,
 *                             .alloc = &lv_pt_arena_ops, .alloc_ctx = &arena };
 * struct lv_pt *pt;
 *
 * lv_pt_arena_init(&arena, ram + 0x10000, 0x10000, 16 * 4096);
 * lv_pt_create(&pt, &cfg);
 * lv_pt_map(pt, 0, 0, 1ull << 30, LV_PT_R | LV_PT_W | LV_PT_X, NULL);
 * guest_cr3 = lv_pt_root(pt);   // 0x10000
 * // ... run the guest ...
 * lv_pt_destroy(pt);
 * @endcode
 * Keep the tree while the guest uses the tables: destroying it gives the
 * pages back to the arena, which reuses them (and writes into them).
 */
#ifndef LIBVCPU_PAGING_H
#define LIBVCPU_PAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Page-table formats. */
enum lv_pt_format {
	LV_PT_EPT4 = 1,	   /**< Intel EPT, 4-level walk (48-bit guest-physical). */
	LV_PT_EPT5 = 2,	   /**< Intel EPT, 5-level walk (57-bit); needs EPT_VPID_CAP bit 7. */
	LV_PT_NPT4 = 3,	   /**< AMD nested page table, 4-level (U set at every level). */
	LV_PT_NPT5 = 4,	   /**< AMD nested page table, 5-level. */
	LV_PT_AMD64_4 = 5, /**< x86-64 guest page tables, 4-level (48-bit canonical). */
	LV_PT_AMD64_5 = 6, /**< x86-64 guest page tables, 5-level / LA57 (57-bit canonical). */
};

/**
 * @name Leaf attributes (the @p attrs of lv_pt_map() and lv_pt_xlate.attrs)
 * @{
 */
#define LV_PT_R		(1u << 0) /**< Readable. AMD64/NPT: the present bit (required). */
#define LV_PT_W		(1u << 1) /**< Writable (requires #LV_PT_R). */
#define LV_PT_X		(1u << 2) /**< Executable. AMD64/NPT: NX clear. EPT: execute (bit 2). */
/** AMD64: user-accessible (U/S). Always set (at every level) for NPT; ignored for EPT. */
#define LV_PT_U		(1u << 3)
#define LV_PT_G		(1u << 4) /**< AMD64 guest tables: global page. Ignored otherwise. */
#define LV_PT_IPAT	(1u << 5) /**< EPT: ignore guest PAT (bit 6). Ignored otherwise. */
/**
 * Memory type, bits 8-10 of @p attrs. EPT: the EPT memory type (0 UC, 1 WC,
 * 4 WT, 5 WP, 6 WB; others are rejected). AMD64/NPT: the PAT index
 * (bit 2 = PAT, bit 1 = PCD, bit 0 = PWT).
 */
#define LV_PT_MT(t)	(((uint32_t)(t)&7u) << 8)
/** Extract the memory type / PAT index from @p attrs. */
#define LV_PT_MT_OF(a)	(((a) >> 8) & 7u)
/** Mask of the memory-type field. */
#define LV_PT_MT_MASK	LV_PT_MT(7)
/**
 * Keep this mapping in 4 KiB leaves and never merge it (e.g. for dirty
 * logging at page granularity). Stored in a software-available entry bit
 * (bit 52), so it survives lv_pt_protect().
 */
#define LV_PT_SMALL	(1u << 11)
/**
 * Accessed flag. Reported by lv_pt_translate(); given to lv_pt_map() it
 * presets the bit (EPT only with #LV_PT_CFG_EPT_AD).
 */
#define LV_PT_A		(1u << 12)
/** Dirty flag; as #LV_PT_A. */
#define LV_PT_D		(1u << 13)
/** The access bits lv_pt_protect() replaces. */
#define LV_PT_PROT_MASK (LV_PT_R | LV_PT_W | LV_PT_X | LV_PT_U)
/** @} */

/**
 * @name Page sizes (bit n set = 2^n-byte leaves, as lv_caps.page_sizes)
 * @{
 */
#define LV_PT_SIZE_4K (1ull << 12) /**< 4 KiB leaves. */
#define LV_PT_SIZE_2M (1ull << 21) /**< 2 MiB leaves. */
#define LV_PT_SIZE_1G (1ull << 30) /**< 1 GiB leaves. */
/** @} */

/**
 * @name Configuration flags (lv_pt_config.flags)
 * @{
 */
/** EPT: accessed/dirty flags enabled (EPTP bit 6); lv_pt_dirty_clear() works. */
#define LV_PT_CFG_EPT_AD     (1u << 0)
/** AMD64/NPT: never set NX (for a CPU or guest without EFER.NXE). */
#define LV_PT_CFG_NO_NX	     (1u << 1)
/** Do not free table pages at once; keep them until lv_pt_reclaim(). */
#define LV_PT_CFG_DEFER_FREE (1u << 2)
/**
 * The caller's allocator (lv_pt_config.alloc) returns pages with arbitrary
 * contents; the library initializes every entry itself, which spares one
 * pass over the memory of new tables.
 */
#define LV_PT_CFG_UNZEROED   (1u << 3)
/** @} */

/**
 * A table-page allocator. Every function receives lv_pt_config.alloc_ctx.
 * The addresses are the ones the table holds: host-physical for EPT/NPT,
 * guest-physical when building a guest's own tables inside guest memory.
 */
struct lv_pt_alloc_ops {
	/**
	 * One 4 KiB-aligned page, zeroed (unless #LV_PT_CFG_UNZEROED). Store its
	 * table address in @p pa.
	 * @return a pointer through which the library writes the page, or NULL.
	 */
	void *(*page_alloc)(void *ctx, uint64_t *pa);
	/** Free a page from page_alloc (@p va and @p pa as returned). */
	void (*page_free)(void *ctx, void *va, uint64_t pa);
	/** Pointer to the page whose table address is @p pa (a page_alloc result). */
	void *(*phys_to_virt)(void *ctx, uint64_t pa);
};

/** Parameters of lv_pt_create(). Zero-initialize, then set what you need. */
struct lv_pt_config {
	enum lv_pt_format format; /**< Required. */
	/**
	 * Allowed leaf sizes (#LV_PT_SIZE_4K | #LV_PT_SIZE_2M | #LV_PT_SIZE_1G);
	 * 0 = all three. 4 KiB is always allowed. For EPT take them from
	 * IA32_VMX_EPT_VPID_CAP bits 16/17; for NPT 2 MiB is architectural and
	 * 1 GiB needs CPUID 0x80000001.EDX[26].
	 */
	uint64_t page_sizes;
	uint32_t flags; /**< LV_PT_CFG_*. */
	/** Table-page allocator; NULL = the platform seam. */
	const struct lv_pt_alloc_ops *alloc;
	void *alloc_ctx; /**< Passed to every @p alloc function. */
};

/**
 * A ready-made table-page allocator over one caller-owned memory region,
 * e.g. a range of guest RAM in which a guest's own page tables are built:
 * pages are handed out from the start of the region (then reused after
 * being freed), zeroed, and their table addresses are @p base_pa + offset.
 * Use it with #lv_pt_arena_ops and the arena as lv_pt_config.alloc_ctx.
 * Nothing is allocated; the fields are private to lv_pt_arena_*.
 */
struct lv_pt_arena {
	uint8_t *base;	  /**< Host pointer to the region (4 KiB-aligned). */
	uint64_t base_pa; /**< Table address of the region's first byte. */
	size_t pages;	  /**< Pages in the region. */
	size_t used;	  /**< Pages handed out from the start so far. */
	size_t free_head; /**< Freed pages: index + 1 of the first, 0 = none. */
	size_t live;	  /**< Pages currently allocated. */
};

/**
 * Set up an arena over [@p base, @p base + @p size).
 * @param arena the arena to initialize.
 * @param base host pointer, 4 KiB-aligned.
 * @param base_pa the address page tables use for @p base (guest-physical
 *        when the tables live in guest memory), 4 KiB-aligned.
 * @param size bytes, a multiple of 4 KiB.
 * @return #LV_OK, #LV_ERR_INVAL (NULL), #LV_ERR_ALIGN.
 */
int lv_pt_arena_init(struct lv_pt_arena *arena, void *base, uint64_t base_pa, size_t size);

/** The allocator functions of struct lv_pt_arena (context: the arena). */
extern const struct lv_pt_alloc_ops lv_pt_arena_ops;

/** An opaque page-table tree. */
struct lv_pt;

/**
 * @name Flush kinds (lv_pt_flush.kind)
 * @{
 */
/** Translations in [start, last] changed, were removed or lost rights. */
#define LV_PT_FLUSH_TLB (1u << 0)
/**
 * A non-leaf entry was replaced or a table freed: cached paging-structure
 * entries must go too (EPT: INVEPT single-context; guest tables: CR3 reload
 * or INVLPG of the range; NPT: TLB_CONTROL flush of the ASID).
 */
#define LV_PT_FLUSH_PWC (1u << 1)
/** @} */

/**
 * What a change requires the caller to invalidate. Zero-initialize it; each
 * changing call widens it (union of ranges, OR of kinds), so one flush can
 * cover several calls. kind == 0: nothing to flush.
 */
struct lv_pt_flush {
	uint64_t start; /**< First affected address (valid when kind != 0). */
	uint64_t last;	/**< Last affected address, inclusive. */
	uint32_t kind;	/**< LV_PT_FLUSH_* bits. */
};

/** Result of lv_pt_translate(). */
struct lv_pt_xlate {
	uint64_t pa;	    /**< Output address of the translated address (offset included). */
	uint64_t page_size; /**< Size of the leaf: 4 KiB, 2 MiB or 1 GiB. */
	uint32_t attrs;	    /**< LV_PT_* attributes of the leaf, with #LV_PT_A / #LV_PT_D. */
	uint32_t level;	    /**< Level of the leaf: 1 (4 KiB), 2 (2 MiB), 3 (1 GiB). */
};

/**
 * Callback of lv_pt_iterate(): one leaf, clipped to the iterated range.
 * @return 0 to continue; anything else stops the iteration and is returned.
 */
typedef int (*lv_pt_iter_fn)(void *ctx, uint64_t va, uint64_t pa, uint64_t size, uint32_t attrs);

/**
 * Create an empty tree (allocates the root table).
 * @param out receives the tree.
 * @param cfg format, page sizes, flags and allocator.
 * @return #LV_OK, #LV_ERR_INVAL (bad format, flags or page sizes),
 *         #LV_ERR_NOMEM.
 */
int lv_pt_create(struct lv_pt **out, const struct lv_pt_config *cfg);

/** Free every table page (deferred ones too) and the tree. NULL is ignored. */
void lv_pt_destroy(struct lv_pt *pt);

/**
 * Map [va, va + size) to [pa, pa + size) with @p attrs, replacing whatever
 * was mapped there. Large leaves are used where va and pa are both aligned
 * and the size is allowed (unless #LV_PT_SMALL).
 * @param pt the tree.
 * @param va input address (guest-physical; canonical virtual for AMD64), page-aligned.
 * @param pa output address, page-aligned, below 2^52.
 * @param size bytes, a non-zero multiple of 4 KiB.
 * @param attrs LV_PT_* attributes; at least #LV_PT_R (EPT: R or X), W needs R.
 * @param flush accumulates what to invalidate; may be NULL.
 * @return #LV_OK, #LV_ERR_INVAL, #LV_ERR_ALIGN, #LV_ERR_RANGE, #LV_ERR_NOMEM
 *         (then nothing changed).
 */
int lv_pt_map(struct lv_pt *pt, uint64_t va, uint64_t pa, uint64_t size, uint32_t attrs,
	      struct lv_pt_flush *flush);

/**
 * Unmap [va, va + size); holes in the range are fine. Splitting a large leaf
 * that is only partly unmapped may need a table page.
 * @return #LV_OK, #LV_ERR_INVAL, #LV_ERR_ALIGN, #LV_ERR_RANGE, #LV_ERR_NOMEM.
 */
int lv_pt_unmap(struct lv_pt *pt, uint64_t va, uint64_t size, struct lv_pt_flush *flush);

/**
 * Replace the access bits (#LV_PT_PROT_MASK) of every mapped page of
 * [va, va + size) by those of @p attrs; holes are skipped; output address,
 * memory type and the other attributes are kept.
 * @return #LV_OK, #LV_ERR_INVAL, #LV_ERR_ALIGN, #LV_ERR_RANGE, #LV_ERR_NOMEM.
 */
int lv_pt_protect(struct lv_pt *pt, uint64_t va, uint64_t size, uint32_t attrs,
		  struct lv_pt_flush *flush);

/**
 * Translate one address.
 * @return #LV_OK (and @p out filled), #LV_ERR_NOENT (not mapped),
 *         #LV_ERR_RANGE (outside the format's address space), #LV_ERR_INVAL.
 */
int lv_pt_translate(const struct lv_pt *pt, uint64_t va, struct lv_pt_xlate *out);

/**
 * Call @p fn for every leaf that intersects [va, va + size), in ascending
 * address order, clipped to the range. Must not change the tree.
 * @return #LV_OK, the first non-zero value of @p fn, or an argument error.
 */
int lv_pt_iterate(const struct lv_pt *pt, uint64_t va, uint64_t size, lv_pt_iter_fn fn, void *ctx);

/**
 * Read and clear the dirty flags of [va, va + size). Bit i of @p bitmap
 * (bitmap[i / 64] bit i % 64) is set when the 4 KiB page va + i * 4096 lies
 * in a dirty leaf (a dirty 2 MiB leaf sets 512 bits), cleared otherwise;
 * @p bitmap holds (size / 4096 + 63) / 64 words. A dirty leaf that extends
 * beyond the range is reported but keeps its flag (for the pages outside).
 * Leaves that were dirty are reported in @p flush (#LV_PT_FLUSH_TLB), since a
 * CPU sets a dirty flag again only after its cached translation is gone.
 * @return #LV_OK, #LV_ERR_NOTSUP (EPT without #LV_PT_CFG_EPT_AD),
 *         #LV_ERR_INVAL, #LV_ERR_ALIGN, #LV_ERR_RANGE.
 */
int lv_pt_dirty_clear(struct lv_pt *pt, uint64_t va, uint64_t size, uint64_t *bitmap,
		      struct lv_pt_flush *flush);

/**
 * Read the raw entry that maps @p va at @p level (1 = the 4 KiB level, up to
 * the number of levels), for tests and debugging.
 * @return #LV_OK, #LV_ERR_NOENT (the walk ends above @p level), #LV_ERR_INVAL,
 *         #LV_ERR_RANGE.
 */
int lv_pt_read_entry(const struct lv_pt *pt, uint64_t va, unsigned level, uint64_t *entry);

/** Table address of the root (for the EPTP, N_CR3 or the guest's CR3). */
uint64_t lv_pt_root(const struct lv_pt *pt);

/** Number of levels (4 or 5). */
unsigned lv_pt_levels(const struct lv_pt *pt);

/** Number of table pages the tree holds now (root included, deferred excluded). */
size_t lv_pt_table_pages(const struct lv_pt *pt);

/**
 * Free the table pages kept by #LV_PT_CFG_DEFER_FREE. Call it after the
 * flush that covers the changes which released them.
 * @return the number of pages freed.
 */
size_t lv_pt_reclaim(struct lv_pt *pt);

/**
 * Widen @p flush by the range [start, last] and @p kind; for callers that
 * merge their own flush requests.
 */
void lv_pt_flush_add(struct lv_pt_flush *flush, uint64_t start, uint64_t last, uint32_t kind);

/**
 * Build an EPT pointer (SDM Vol. 3C, "Extended-Page-Table Pointer"):
 * memory type in bits 2:0, walk length - 1 in bits 5:3, A/D enable in bit 6,
 * root from bit 12.
 * @param pt an EPT tree (its root, levels and #LV_PT_CFG_EPT_AD are used).
 * @param memtype 0 (UC) or 6 (WB); the CPU advertises which in
 *        IA32_VMX_EPT_VPID_CAP bits 8 and 14.
 * @param eptp receives the value.
 * @return #LV_OK, #LV_ERR_INVAL (not an EPT tree, bad memory type).
 */
int lv_pt_eptp(const struct lv_pt *pt, unsigned memtype, uint64_t *eptp);

#ifdef __cplusplus
}
#endif

#endif /* LIBVCPU_PAGING_H */
