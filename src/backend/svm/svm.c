/* SPDX-License-Identifier: MIT */
/* SVM backend (ring 0). Foundation version: CPUID probe only. */
#include "../../core/cpuid.h"
#include "../../core/internal.h"

static int svm_open(struct lv_backend *b)
{
	uint32_t a, bx, c, d;

	lv_cpuid(0x80000000u, 0, &a, &bx, &c, &d);
	if (a < 0x8000000Au)
		return LV_ERR_NODEV;
	lv_cpuid(0x80000001u, 0, &a, &bx, &c, &d);
	if (!(c & (1u << 2))) /* CPUID Fn8000_0001_ECX[SVM] */
		return LV_ERR_NODEV;
	(void)b;
	return LV_ERR_NOTSUP; /* backend not implemented yet */
}

static void svm_close(struct lv_backend *b)
{
	(void)b;
}

const struct lv_backend_ops lv_svm_ops = {
	.name = "svm",
	.kind = LV_BACKEND_SVM,
	.open = svm_open,
	.close = svm_close,
};
