/* SPDX-License-Identifier: MIT */
/*
 * Page-table formats: the data and the few hooks that make the generic walker
 * in paging.c build Intel EPT, AMD NPT or x86-64 guest page tables.
 *
 * Entry layouts:
 * - EPT: SDM Vol. 3C, "EPT Translation Mechanism", tables "Format of an EPT
 *   PML5/PML4/PDPT/PD/PT Entry" (bits 0-2 R/W/X, 5:3 memory type, 6 ignore
 *   PAT, 7 page size, 8 accessed, 9 dirty, 51:12 address, 52-62 ignored).
 * - AMD64: APM Vol. 2, "Long-Mode Page Translation" (bit 0 P, 1 R/W, 2 U/S,
 *   3 PWT, 4 PCD, 5 A, 6 D, 7 PS (PAT in a 4 KiB PTE), 8 G, 12 PAT in a large
 *   leaf, 52-58 available, 63 NX). NPT (APM Vol. 2, "Nested Paging") uses the
 *   same format; every nested access is a user access, so U must be set at
 *   every level.
 */
#include "paging.h"

#include <libvcpu/status.h>

/* ---- EPT ---- */

#define EPT_R	     (1ull << 0)
#define EPT_W	     (1ull << 1)
#define EPT_X	     (1ull << 2)
#define EPT_MT_SHIFT 3
#define EPT_IPAT     (1ull << 6)
#define EPT_LARGE    (1ull << 7)
#define EPT_A	     (1ull << 8)
#define EPT_D	     (1ull << 9)

static int ept_check(const struct lv_pt *pt, uint32_t attrs)
{
	unsigned mt = LV_PT_MT_OF(attrs);

	(void)pt;
	/* R=0 W=1 is an EPT misconfiguration (SDM "EPT Misconfigurations"). */
	if ((attrs & LV_PT_W) && !(attrs & LV_PT_R))
		return LV_ERR_INVAL;
	if (!(attrs & (LV_PT_R | LV_PT_X)))
		return LV_ERR_INVAL;
	/* Memory types 2, 3 and 7 are reserved in a leaf (misconfiguration). */
	if (mt == 2 || mt == 3 || mt == 7)
		return LV_ERR_INVAL;
	return LV_OK;
}

static uint64_t ept_encode(const struct lv_pt *pt, uint32_t attrs, unsigned level)
{
	uint64_t e = 0;

	if (attrs & LV_PT_R)
		e |= EPT_R;
	if (attrs & LV_PT_W)
		e |= EPT_W;
	if (attrs & LV_PT_X)
		e |= EPT_X;
	e |= (uint64_t)LV_PT_MT_OF(attrs) << EPT_MT_SHIFT;
	if (attrs & LV_PT_IPAT)
		e |= EPT_IPAT;
	if (level > 1)
		e |= EPT_LARGE;
	if (pt->flags & LV_PT_CFG_EPT_AD) {
		if (attrs & LV_PT_A)
			e |= EPT_A;
		if (attrs & LV_PT_D)
			e |= EPT_D;
	}
	if (attrs & LV_PT_SMALL)
		e |= LV_PT_SW_SMALL;
	return e;
}

_Static_assert(LV_PT_R == EPT_R && LV_PT_W == EPT_W && LV_PT_X == EPT_X, "R/W/X at bits 2:0");
_Static_assert(LV_PT_MT(7) == 7u << 8 && EPT_MT_SHIFT == 3, "memory type: entry 5:3, attrs 10:8");
_Static_assert(EPT_IPAT == 1u << 6 && LV_PT_IPAT == 1u << 5, "ignore PAT: entry 6, attrs 5");
_Static_assert(EPT_A == 1u << 8 && EPT_D == 1u << 9 && LV_PT_A == 1u << 12 && LV_PT_D == 1u << 13,
	       "A/D: entry 9:8, attrs 13:12");
_Static_assert(LV_PT_SW_SMALL == 1ull << 52 && LV_PT_SMALL == 1u << 11,
	       "small: entry 52, attrs 11");

static uint32_t ept_decode(const struct lv_pt *pt, uint64_t e, unsigned level)
{
	(void)level;
	return lv_pt_ept_attrs(e, pt->flags & LV_PT_CFG_EPT_AD);
}

/* ---- AMD64 long mode (guest tables and NPT) ---- */

#define X64_P	  (1ull << 0)
#define X64_RW	  (1ull << 1)
#define X64_US	  (1ull << 2)
#define X64_PWT	  (1ull << 3)
#define X64_PCD	  (1ull << 4)
#define X64_A	  (1ull << 5)
#define X64_D	  (1ull << 6)
#define X64_PS	  (1ull << 7)
#define X64_PAT4K (1ull << 7)
#define X64_G	  (1ull << 8)
#define X64_PATLG (1ull << 12)
#define X64_NX	  (1ull << 63)

static int x64_check(const struct lv_pt *pt, uint32_t attrs)
{
	(void)pt;
	/* Present is the only "read" there is; W needs it anyway. */
	if (!(attrs & LV_PT_R))
		return LV_ERR_INVAL;
	return LV_OK;
}

static uint64_t x64_encode_common(const struct lv_pt *pt, uint32_t attrs, unsigned level,
				  bool force_user)
{
	uint64_t e = X64_P;
	unsigned mt = LV_PT_MT_OF(attrs);

	if (attrs & LV_PT_W)
		e |= X64_RW;
	if ((attrs & LV_PT_U) || force_user)
		e |= X64_US;
	if (!(attrs & LV_PT_X) && !(pt->flags & LV_PT_CFG_NO_NX))
		e |= X64_NX;
	if (mt & 1)
		e |= X64_PWT;
	if (mt & 2)
		e |= X64_PCD;
	if (mt & 4)
		e |= level > 1 ? X64_PATLG : X64_PAT4K;
	if (level > 1)
		e |= X64_PS;
	if (attrs & LV_PT_A)
		e |= X64_A;
	if (attrs & LV_PT_D)
		e |= X64_D;
	if ((attrs & LV_PT_G) && !force_user)
		e |= X64_G;
	if (attrs & LV_PT_SMALL)
		e |= LV_PT_SW_SMALL;
	return e;
}

static uint64_t x64_encode(const struct lv_pt *pt, uint32_t attrs, unsigned level)
{
	return x64_encode_common(pt, attrs, level, false);
}

static uint64_t npt_encode(const struct lv_pt *pt, uint32_t attrs, unsigned level)
{
	return x64_encode_common(pt, attrs, level, true);
}

static uint32_t x64_decode(const struct lv_pt *pt, uint64_t e, unsigned level)
{
	uint32_t a = LV_PT_R;
	unsigned mt = 0;

	if (e & X64_RW)
		a |= LV_PT_W;
	if (e & X64_US)
		a |= LV_PT_U;
	if (!(e & X64_NX))
		a |= LV_PT_X;
	if (e & X64_PWT)
		mt |= 1;
	if (e & X64_PCD)
		mt |= 2;
	if (e & (level > 1 ? X64_PATLG : X64_PAT4K))
		mt |= 4;
	a |= LV_PT_MT(mt);
	if (e & X64_A)
		a |= LV_PT_A;
	if (e & X64_D)
		a |= LV_PT_D;
	if ((e & X64_G) && pt->fmt->canonical)
		a |= LV_PT_G;
	if (e & LV_PT_SW_SMALL)
		a |= LV_PT_SMALL;
	return a;
}

/* ---- descriptors ---- */

#define EPT_DESC(nm, lv)                                                                           \
	{                                                                                          \
		.name = nm, .levels = lv, .leaf_levels = 7, .is_ept = true, .canonical = false,    \
		.present = EPT_R | EPT_W | EPT_X, .large = EPT_LARGE, .accessed = EPT_A,           \
		.dirty = EPT_D, .table_bits = EPT_R | EPT_W | EPT_X, .encode = ept_encode,         \
		.decode = ept_decode, .check = ept_check,                                          \
	}

/*
 * Non-leaf AMD64 entries grant everything (P, R/W, U/S, no NX): the leaf
 * decides, since the effective rights are the AND over all levels. For NPT
 * that also gives the required U at every level.
 */
#define X64_DESC(nm, lv, canon, enc)                                                               \
	{                                                                                          \
		.name = nm, .levels = lv, .leaf_levels = 7, .is_ept = false, .canonical = canon,   \
		.present = X64_P, .large = X64_PS, .accessed = X64_A, .dirty = X64_D,              \
		.table_bits = X64_P | X64_RW | X64_US, .encode = enc, .decode = x64_decode,        \
		.check = x64_check,                                                                \
	}

static const struct lv_pt_format_desc formats[] = {
	[LV_PT_EPT4] = EPT_DESC("ept4", 4),
	[LV_PT_EPT5] = EPT_DESC("ept5", 5),
	[LV_PT_NPT4] = X64_DESC("npt4", 4, false, npt_encode),
	[LV_PT_NPT5] = X64_DESC("npt5", 5, false, npt_encode),
	[LV_PT_AMD64_4] = X64_DESC("amd64-4", 4, true, x64_encode),
	[LV_PT_AMD64_5] = X64_DESC("amd64-5", 5, true, x64_encode),
};

_Static_assert(EPT_LARGE == X64_PS, "both formats mark large leaves with bit 7");
_Static_assert((LV_PT_SW_SMALL & LV_PT_ADDR_MASK) == 0, "software bit outside the address");
_Static_assert((X64_PATLG & LV_PT_ADDR_MASK) != 0 && X64_PATLG < (1ull << 21),
	       "large-leaf PAT bit lies below every large-page address");

const struct lv_pt_format_desc *lv_pt_format_get(enum lv_pt_format fmt)
{
	if ((unsigned)fmt >= sizeof(formats) / sizeof(formats[0]) || !formats[fmt].levels)
		return NULL;
	return &formats[fmt];
}
