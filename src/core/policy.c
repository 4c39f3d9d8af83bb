/* SPDX-License-Identifier: MIT */
/* Caller-supplied exit policies (policy.h). */
#include <libvcpu/platform.h>
#include <libvcpu/status.h>

#include "lvlib.h"
#include "policy.h"

int lv_policy_replace(struct lv_policy *p, const void *src, size_t n, size_t size, size_t max)
{
	void *copy = NULL;

	if (n > max)
		return LV_ERR_LIMIT;
	if (n) {
		copy = lv_plat_alloc(n * size);
		if (!copy)
			return LV_ERR_NOMEM;
		memcpy(copy, src, n * size);
	}
	lv_plat_free(p->items);
	p->items = copy;
	p->n = n;
	return LV_OK;
}

void lv_policy_free(struct lv_policy *p)
{
	lv_plat_free(p->items);
	p->items = NULL;
	p->n = 0;
}

bool lv_policy_msr_exits(const struct lv_policy *p, uint32_t msr, bool write)
{
	uint32_t need = write ? LV_MSR_EXIT_WRITE : LV_MSR_EXIT_READ;
	const struct lv_msr_range *ranges = p->items;
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct lv_msr_range *r = &ranges[i];

		if (msr - r->first < r->count && (r->flags & need))
			return true;
	}
	return false;
}
