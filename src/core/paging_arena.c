/* SPDX-License-Identifier: MIT */
/*
 * A table-page allocator over one caller-owned region (struct lv_pt_arena,
 * include/libvcpu/paging.h): a bump pointer plus a free list linked through
 * the freed pages themselves (they are no longer part of any table).
 */
#include "paging.h"

#include <libvcpu/status.h>

#include "lvlib.h"

int lv_pt_arena_init(struct lv_pt_arena *arena, void *base, uint64_t base_pa, size_t size)
{
	if (!arena || !base)
		return LV_ERR_INVAL;
	if (((uintptr_t)base | base_pa | size) & (LV_PT_PAGE_SIZE - 1))
		return LV_ERR_ALIGN;
	arena->base = base;
	arena->base_pa = base_pa;
	arena->pages = size / LV_PT_PAGE_SIZE;
	arena->used = 0;
	arena->free_head = 0;
	arena->live = 0;
	return LV_OK;
}

static void *arena_alloc(void *ctx, uint64_t *pa)
{
	struct lv_pt_arena *a = ctx;
	size_t idx;
	uint8_t *p;

	if (a->free_head) {
		idx = a->free_head - 1;
		memcpy(&a->free_head, a->base + idx * LV_PT_PAGE_SIZE, sizeof(a->free_head));
	} else if (a->used < a->pages) {
		idx = a->used++;
	} else {
		return NULL;
	}
	p = a->base + idx * LV_PT_PAGE_SIZE;
	memset(p, 0, LV_PT_PAGE_SIZE);
	a->live++;
	*pa = a->base_pa + idx * LV_PT_PAGE_SIZE;
	return p;
}

static void arena_free(void *ctx, void *va, uint64_t pa)
{
	struct lv_pt_arena *a = ctx;
	size_t next = a->free_head;

	(void)pa;
	memcpy(va, &next, sizeof(next));
	a->free_head = (size_t)((uint8_t *)va - a->base) / LV_PT_PAGE_SIZE + 1;
	a->live--;
}

static void *arena_p2v(void *ctx, uint64_t pa)
{
	struct lv_pt_arena *a = ctx;

	return a->base + (pa - a->base_pa);
}

const struct lv_pt_alloc_ops lv_pt_arena_ops = {
	.page_alloc = arena_alloc,
	.page_free = arena_free,
	.phys_to_virt = arena_p2v,
};
