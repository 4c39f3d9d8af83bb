/* SPDX-License-Identifier: MIT */
/*
 * The hosted platform seam's lv_plat_call_on_cpu() (src/platform/hosted.c):
 * the function runs once, on the CPU named (the thread moves there), the
 * caller's CPU set is given back, and CPUs that are not there are refused
 * without running anything.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <sched.h>

#include <libvcpu/platform.h>

struct rec {
	int cpu;
	unsigned calls;
};

static void record(void *arg)
{
	struct rec *r = arg;

	r->cpu = sched_getcpu();
	r->calls++;
}

Test(plat_hosted, call_on_each_allowed_cpu)
{
	cpu_set_t before, after;
	uint32_t cpu, ran = 0;

	cr_assert_eq(sched_getaffinity(0, sizeof(before), &before), 0);
	for (cpu = 0; cpu < lv_plat_cpu_count() && cpu < CPU_SETSIZE; cpu++) {
		struct rec r = { -1, 0 };

		if (!CPU_ISSET(cpu, &before))
			continue; /* outside this process's cpuset: refused like an offline CPU */
		cr_assert_eq(lv_plat_call_on_cpu(cpu, record, &r), 0, "CPU %u refused", cpu);
		cr_assert_eq(r.calls, 1u, "CPU %u: ran %u times", cpu, r.calls);
		cr_assert_eq(r.cpu, (int)cpu, "asked for CPU %u, ran on %d", cpu, r.cpu);
		ran++;
	}
	cr_assert_gt(ran, 0u, "no CPU allowed");
	cr_assert_eq(sched_getaffinity(0, sizeof(after), &after), 0);
	cr_assert(CPU_EQUAL(&before, &after), "the caller's CPU set was not given back");
}

Test(plat_hosted, absent_cpus_refused)
{
	struct rec r = { -1, 0 };

	cr_assert_neq(lv_plat_call_on_cpu(lv_plat_cpu_count(), record, &r), 0);
	cr_assert_neq(lv_plat_call_on_cpu(UINT32_MAX, record, &r), 0);
	cr_assert_eq(r.calls, 0u);
}
