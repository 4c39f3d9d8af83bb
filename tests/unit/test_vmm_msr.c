/* SPDX-License-Identifier: MIT */
/*
 * vcpu-run's answer to MSR exits (examples/vmm/dispatch.c, shared by the
 * hosted loop and the ring-0 test kernel): the AMD legacy performance
 * counters that the raw backends pass on as unknown MSRs read 0 and take
 * writes, the run goes on; any other MSR exit stops the guest with a
 * message.
 */
#include <criterion/criterion.h>

#include "vmm_dispatch.h"

static struct lv_exit msr_exit(uint32_t reason, uint32_t index, uint32_t why, uint64_t value)
{
	struct lv_exit ex;

	memset(&ex, 0, sizeof(ex));
	ex.reason = reason;
	ex.msr.index = index;
	ex.msr.reason = why;
	ex.msr.value = value;
	return ex;
}

Test(vmm_msr, amd_perf_counters_read_zero_and_take_writes)
{
	static struct vmm v;
	uint32_t i;

	logged[0] = 0;
	for (i = 0xc0010000u; i <= 0xc0010007u; i++) {
		struct lv_exit rd = msr_exit(LV_EXIT_RDMSR, i, LV_MSR_EXIT_UNKNOWN, 0x1234);
		struct lv_exit wr = msr_exit(LV_EXIT_WRMSR, i, LV_MSR_EXIT_UNKNOWN, 0x430076);

		cr_assert_eq(vmm_handle_exit(&v, NULL, &rd), KEEP_RUNNING, "rdmsr %#x", i);
		cr_assert_eq(rd.msr.value, 0, "rdmsr %#x reads 0", i);
		cr_assert_eq(rd.msr.error, 0, "rdmsr %#x: no #GP", i);
		cr_assert_eq(vmm_handle_exit(&v, NULL, &wr), KEEP_RUNNING, "wrmsr %#x", i);
		cr_assert_eq(wr.msr.error, 0, "wrmsr %#x: no #GP", i);
	}
	cr_assert_str_empty(logged);
}

Test(vmm_msr, other_msrs_stop_the_guest)
{
	static const struct {
		uint32_t reason, index, why;
	} stop[] = {
		{ LV_EXIT_WRMSR, 0xc0010008u, LV_MSR_EXIT_UNKNOWN }, /* past PerfCtr3 */
		{ LV_EXIT_RDMSR, 0xbfffffffu, LV_MSR_EXIT_UNKNOWN },
		{ LV_EXIT_WRMSR, 0x10u, LV_MSR_EXIT_UNKNOWN },
		{ LV_EXIT_RDMSR, 0xc0010000u, LV_MSR_EXIT_FILTER }, /* a policy asked for it */
	};
	static struct vmm v;
	unsigned i;

	for (i = 0; i < sizeof(stop) / sizeof(stop[0]); i++) {
		struct lv_exit ex = msr_exit(stop[i].reason, stop[i].index, stop[i].why, 0);

		logged[0] = 0;
		cr_assert_eq(vmm_handle_exit(&v, NULL, &ex), STATUS_FAILURE, "msr %#x",
			     stop[i].index);
		cr_assert(strstr(logged, "guest stopped"), "message: %s", logged);
	}
}
