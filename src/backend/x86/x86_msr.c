/* SPDX-License-Identifier: MIT */
/* The MSR permission map of the raw backends (x86_msr.h). */
#include "x86_msr.h"

#include "../../core/lvlib.h"

static void pass_through(uint8_t *map, long bit)
{
	if (bit >= 0)
		map[bit / 8] &= (uint8_t) ~(1u << (bit % 8));
}

void lv_x86_msr_map_build(uint8_t *map, size_t bytes, const uint32_t *pass, size_t npass,
			  const struct lv_policy *exits, lv_x86_msr_bit_fn bit)
{
	size_t i;

	memset(map, 0xff, bytes);
	for (i = 0; i < npass; i++) {
		if (!lv_policy_msr_exits(exits, pass[i], false))
			pass_through(map, bit(pass[i], false));
		if (!lv_policy_msr_exits(exits, pass[i], true))
			pass_through(map, bit(pass[i], true));
	}
}
