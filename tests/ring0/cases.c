/* SPDX-License-Identifier: MIT */
/* The case table of the ring-0 test kernel. */
#include "cases.h"

static int case_caps(struct lv_backend *b, char *why, size_t n)
{
	struct lv_caps c;

	if (lv_backend_caps(b, &c) != LV_OK) {
		ksnprintf(why, n, "caps failed");
		return CASE_FAIL;
	}
	if (!(c.features & LV_FEAT_RING0)) {
		ksnprintf(why, n, "RING0 feature missing");
		return CASE_FAIL;
	}
	return CASE_PASS;
}

const struct tcase cases[] = {
	{ "caps", case_caps },
};
const unsigned ncases = sizeof(cases) / sizeof(cases[0]);
