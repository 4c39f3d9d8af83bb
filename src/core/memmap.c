/* SPDX-License-Identifier: MIT */
/* Memory-slot table: see memmap.h. */
#include "memmap.h"

#include <libvcpu/libvcpu.h>
#include <libvcpu/platform.h>

#include "lvlib.h"

#define PAGE_MASK ((uint64_t)LV_PAGE_SIZE - 1)
#define PROT_BITS (LV_PROT_READ | LV_PROT_WRITE | LV_PROT_EXEC)

int lv_memmap_init(struct lv_memmap *mm, unsigned phys_bits, size_t max_slots)
{
	if (!mm || phys_bits < 12 || phys_bits > 64 || max_slots == 0)
		return LV_ERR_INVAL;
	memset(mm, 0, sizeof(*mm));
	mm->max_slots = max_slots;
	mm->gpa_limit = phys_bits == 64 ? 0 : (uint64_t)1 << phys_bits; /* 0 = no limit */
	mm->next_id = 1;
	return LV_OK;
}

void lv_memmap_fini(struct lv_memmap *mm)
{
	if (!mm)
		return;
	lv_plat_free(mm->slots);
	mm->slots = NULL;
	mm->count = 0;
	mm->capacity = 0;
}

int lv_memmap_check_range(const struct lv_memmap *mm, uint64_t gpa, uint64_t size)
{
	if (size == 0)
		return LV_ERR_INVAL;
	if ((gpa & PAGE_MASK) || (size & PAGE_MASK))
		return LV_ERR_ALIGN;
	if (gpa + size < gpa && gpa + size != 0)
		return LV_ERR_RANGE;
	if (gpa + size == 0) /* ends exactly at 2^64: representable only without a limit */
		return mm->gpa_limit == 0 ? LV_OK : LV_ERR_RANGE;
	if (mm->gpa_limit && gpa + size > mm->gpa_limit)
		return LV_ERR_RANGE;
	return LV_OK;
}

/* Last address of a range (inclusive), safe at the top of the space. */
static inline uint64_t last_of(uint64_t gpa, uint64_t size)
{
	return gpa + (size - 1);
}

size_t lv_memmap_lower_bound(const struct lv_memmap *mm, uint64_t gpa)
{
	size_t lo = 0, hi = mm->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct lv_slot *s = &mm->slots[mid];

		if (last_of(s->gpa, s->size) < gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct lv_slot *lv_memmap_lookup(const struct lv_memmap *mm, uint64_t gpa)
{
	size_t i = lv_memmap_lower_bound(mm, gpa);

	if (i < mm->count && mm->slots[i].gpa <= gpa)
		return &mm->slots[i];
	return NULL;
}

static int reserve(struct lv_memmap *mm, size_t extra)
{
	size_t need = mm->count + extra, cap;
	struct lv_slot *n;

	if (need <= mm->capacity)
		return LV_OK;
	cap = mm->capacity ? mm->capacity : 16;
	while (cap < need)
		cap *= 2;
	n = lv_plat_alloc(cap * sizeof(*n));
	if (!n)
		return LV_ERR_NOMEM;
	if (mm->count)
		memcpy(n, mm->slots, mm->count * sizeof(*n));
	lv_plat_free(mm->slots);
	mm->slots = n;
	mm->capacity = cap;
	return LV_OK;
}

int lv_memmap_check_add(struct lv_memmap *mm, void *hva, uint64_t gpa, uint64_t size)
{
	int rc = lv_memmap_check_range(mm, gpa, size);
	size_t i;

	if (rc)
		return rc;
	if (!hva)
		return LV_ERR_INVAL;
	if ((uintptr_t)hva & PAGE_MASK)
		return LV_ERR_ALIGN;
	if ((uintptr_t)hva + (size - 1) < (uintptr_t)hva)
		return LV_ERR_RANGE;
	i = lv_memmap_lower_bound(mm, gpa);
	if (i < mm->count && mm->slots[i].gpa <= last_of(gpa, size))
		return LV_ERR_EXIST;
	if (mm->count >= mm->max_slots)
		return LV_ERR_LIMIT;
	return reserve(mm, 1);
}

static void insert_at(struct lv_memmap *mm, size_t i, const struct lv_slot *s)
{
	memmove(&mm->slots[i + 1], &mm->slots[i], (mm->count - i) * sizeof(*s));
	mm->slots[i] = *s;
	mm->count++;
}

static void remove_at(struct lv_memmap *mm, size_t i)
{
	memmove(&mm->slots[i], &mm->slots[i + 1], (mm->count - i - 1) * sizeof(mm->slots[0]));
	mm->count--;
}

uint32_t lv_memmap_commit_add(struct lv_memmap *mm, void *hva, uint64_t gpa, uint64_t size,
			      uint32_t flags)
{
	struct lv_slot s = { .gpa = gpa, .size = size, .hva = hva, .flags = flags };

	s.id = mm->next_id++;
	insert_at(mm, lv_memmap_lower_bound(mm, gpa), &s);
	return s.id;
}

int lv_memmap_check_covered(struct lv_memmap *mm, uint64_t gpa, uint64_t size)
{
	int rc = lv_memmap_check_range(mm, gpa, size);
	uint64_t cur = gpa, last = last_of(gpa, size);
	size_t i;

	if (rc)
		return rc;
	i = lv_memmap_lower_bound(mm, gpa);
	for (;;) {
		const struct lv_slot *s;

		if (i >= mm->count)
			return LV_ERR_NOENT;
		s = &mm->slots[i];
		if (s->gpa > cur)
			return LV_ERR_NOENT;
		if (last_of(s->gpa, s->size) >= last)
			break;
		cur = s->gpa + s->size;
		i++;
	}
	/*
	 * Splitting the first and the last mapping adds at most two entries
	 * (counted without crediting removals: conservative at the limit).
	 */
	{
		const struct lv_slot *f = lv_memmap_lookup(mm, gpa);
		const struct lv_slot *l = lv_memmap_lookup(mm, last);
		size_t splits = (f->gpa < gpa) + (last_of(l->gpa, l->size) > last);

		if (mm->count + splits > mm->max_slots)
			return LV_ERR_LIMIT;
	}
	return reserve(mm, 2);
}

/* Split so that a mapping boundary falls at @p at (if @p at is inside one). */
static void split_at(struct lv_memmap *mm, uint64_t at)
{
	size_t i = lv_memmap_lower_bound(mm, at);
	struct lv_slot *s, right;

	if (i >= mm->count)
		return;
	s = &mm->slots[i];
	if (s->gpa >= at)
		return;
	right = *s;
	right.gpa = at;
	right.size = s->gpa + s->size - at;
	right.hva = s->hva + (at - s->gpa);
	right.id = mm->next_id++;
	s->size = at - s->gpa;
	insert_at(mm, i + 1, &right);
}

void lv_memmap_commit_remove(struct lv_memmap *mm, uint64_t gpa, uint64_t size)
{
	size_t i;

	split_at(mm, gpa);
	if (gpa + size != 0)
		split_at(mm, gpa + size);
	i = lv_memmap_lower_bound(mm, gpa);
	while (i < mm->count && mm->slots[i].gpa <= last_of(gpa, size))
		remove_at(mm, i);
}

void lv_memmap_commit_protect(struct lv_memmap *mm, uint64_t gpa, uint64_t size, uint32_t prot)
{
	size_t i;

	split_at(mm, gpa);
	if (gpa + size != 0)
		split_at(mm, gpa + size);
	for (i = lv_memmap_lower_bound(mm, gpa);
	     i < mm->count && mm->slots[i].gpa <= last_of(gpa, size); i++)
		mm->slots[i].flags = (mm->slots[i].flags & ~(uint32_t)PROT_BITS) |
				     (prot & PROT_BITS);
}

void *lv_memmap_hva(const struct lv_memmap *mm, uint64_t gpa, uint64_t len, uint32_t need_flags)
{
	const struct lv_slot *s = lv_memmap_lookup(mm, gpa);

	if (!s || len == 0 || (s->flags & need_flags) != need_flags)
		return NULL;
	if (len - 1 > last_of(s->gpa, s->size) - gpa)
		return NULL;
	return s->hva + (gpa - s->gpa);
}

bool lv_memmap_all_have(const struct lv_memmap *mm, uint64_t gpa, uint64_t size, uint32_t flags)
{
	uint64_t cur = gpa, last = last_of(gpa, size);
	size_t i = lv_memmap_lower_bound(mm, gpa);

	for (; i < mm->count; i++) {
		const struct lv_slot *s = &mm->slots[i];

		if (s->gpa > cur || (s->flags & flags) != flags)
			return false;
		if (last_of(s->gpa, s->size) >= last)
			return true;
		cur = s->gpa + s->size;
	}
	return false;
}
