/* SPDX-License-Identifier: MIT */
/* VMX backend (ring 0). Foundation version: CPUID probe only. */
#include "../../core/cpuid.h"
#include "../../core/internal.h"

static int vmx_open(struct lv_backend *b)
{
	uint32_t a, bx, c, d;

	lv_cpuid(1, 0, &a, &bx, &c, &d);
	if (!(c & (1u << 5))) /* CPUID.1:ECX.VMX[bit 5] */
		return LV_ERR_NODEV;
	(void)b;
	return LV_ERR_NOTSUP; /* backend not implemented yet */
}

static void vmx_close(struct lv_backend *b)
{
	(void)b;
}

const struct lv_backend_ops lv_vmx_ops = {
	.name = "vmx",
	.kind = LV_BACKEND_VMX,
	.open = vmx_open,
	.close = vmx_close,
};
