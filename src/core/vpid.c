/* SPDX-License-Identifier: MIT */
/*
 * VPID allocator (see ids.h): a 65536-bit bitmap plus a 1024-bit summary of
 * the bitmap words that still have a free bit, so allocation looks at no
 * more than 16 summary words and one bitmap word.
 */
#include "ids.h"

#include <libvcpu/status.h>

#include "lvlib.h"

_Static_assert(LV_VPID_COUNT == 1u << 16, "VPIDs are 16 bits (SDM Vol. 3C, VPID field)");

void lv_vpid_init(struct lv_vpid_alloc *a)
{
	memset(a, 0, sizeof(*a));
	a->used[0] = 1; /* VPID 0 is the host's: VM entry fails with it */
	memset(a->nonfull, 0xff, sizeof(a->nonfull));
}

int lv_vpid_alloc(struct lv_vpid_alloc *a, uint16_t *vpid)
{
	unsigned s, w, b;

	for (s = 0; s < LV_ARRAY_SIZE(a->nonfull); s++)
		if (a->nonfull[s])
			break;
	if (s == LV_ARRAY_SIZE(a->nonfull)) {
		*vpid = 0; /* documented fallback: run without VPID */
		return LV_ERR_LIMIT;
	}
	w = s * 64 + (unsigned)__builtin_ctzll(a->nonfull[s]);
	b = (unsigned)__builtin_ctzll(~a->used[w]);
	a->used[w] |= 1ull << b;
	if (a->used[w] == ~0ull)
		a->nonfull[w / 64] &= ~(1ull << (w % 64));
	a->in_use++;
	*vpid = (uint16_t)(w * 64 + b);
	return LV_OK;
}

void lv_vpid_free(struct lv_vpid_alloc *a, uint16_t vpid)
{
	unsigned w = vpid / 64u, b = vpid % 64u;

	if (vpid == 0 || !(a->used[w] & (1ull << b)))
		return;
	a->used[w] &= ~(1ull << b);
	a->nonfull[w / 64] |= 1ull << (w % 64);
	a->in_use--;
}

bool lv_vpid_in_use(const struct lv_vpid_alloc *a, uint16_t vpid)
{
	return vpid != 0 && (a->used[vpid / 64u] & (1ull << (vpid % 64u)));
}
