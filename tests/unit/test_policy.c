/* SPDX-License-Identifier: MIT */
/*
 * Caller-supplied exit policies (src/core/policy.{h,c}), shared by the SVM
 * and VMX backends: replace/clear, limits, allocation failure keeping the
 * old policy, CPUID leaf/subleaf matching and MSR range lookups.
 */
#include <criterion/criterion.h>

#include <libvcpu/hosted.h>
#include <libvcpu/libvcpu.h>

#include "core/policy.h"

static void msr_set(struct lv_policy *p, const struct lv_msr_range *r, size_t n)
{
	cr_assert_eq(lv_policy_replace(p, r, n, sizeof(*r), LV_POLICY_MAX_MSR_RANGES), LV_OK);
}

static void cpuid_set(struct lv_policy *p, const struct lv_cpuid_entry *e, size_t n)
{
	cr_assert_eq(lv_policy_replace(p, e, n, sizeof(*e), LV_POLICY_MAX_CPUID), LV_OK);
}

Test(policy, empty_policy_matches_nothing)
{
	struct lv_policy p = { 0 };

	cr_expect_null(lv_policy_cpuid_find(&p, 0, 0));
	cr_expect_not(lv_policy_msr_exits(&p, 0, false));
	cr_expect_not(lv_policy_msr_exits(&p, 0xffffffffu, true));
	lv_policy_free(&p);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}

Test(policy, replace_copies_and_clear_frees)
{
	struct lv_policy p = { 0 };
	struct lv_msr_range r[2] = {
		{ .first = 0x10, .count = 1, .flags = LV_MSR_EXIT_READ },
		{ .first = 0x20, .count = 1, .flags = LV_MSR_EXIT_WRITE },
	};

	msr_set(&p, r, 2);
	cr_expect_eq(p.n, 2);
	cr_expect_neq(p.items, (void *)r, "the caller's array is copied");
	r[0].first = 0x99; /* the caller may reuse its array */
	cr_expect(lv_policy_msr_exits(&p, 0x10, false));
	cr_expect_not(lv_policy_msr_exits(&p, 0x99, false));
	cr_expect_eq(lv_hosted_allocs_outstanding(), 1);

	/* Replacing frees the old copy. */
	msr_set(&p, &r[1], 1);
	cr_expect_eq(p.n, 1);
	cr_expect_not(lv_policy_msr_exits(&p, 0x10, false));
	cr_expect(lv_policy_msr_exits(&p, 0x20, true));
	cr_expect_eq(lv_hosted_allocs_outstanding(), 1);

	/* n = 0 clears (the source pointer is not read). */
	cr_assert_eq(lv_policy_replace(&p, NULL, 0, sizeof(r[0]), LV_POLICY_MAX_MSR_RANGES), LV_OK);
	cr_expect_eq(p.n, 0);
	cr_expect_null(p.items);
	cr_expect_not(lv_policy_msr_exits(&p, 0x20, true));
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
	lv_policy_free(&p);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}

Test(policy, limits)
{
	static struct lv_msr_range r[LV_POLICY_MAX_MSR_RANGES + 1];
	static struct lv_cpuid_entry e[LV_POLICY_MAX_CPUID + 1];
	struct lv_policy p = { 0 };
	size_t i;

	cr_expect_eq(LV_POLICY_MAX_MSR_RANGES, 64);
	cr_expect_eq(LV_POLICY_MAX_CPUID, 256);
	for (i = 0; i <= LV_POLICY_MAX_MSR_RANGES; i++)
		r[i] = (struct lv_msr_range){ .first = (uint32_t)i,
					      .count = 1,
					      .flags = LV_MSR_EXIT_READ };
	for (i = 0; i <= LV_POLICY_MAX_CPUID; i++)
		e[i] = (struct lv_cpuid_entry){ .leaf = (uint32_t)i, .eax = (uint32_t)i };

	msr_set(&p, r, 1);
	cr_expect_eq(lv_policy_replace(&p, r, LV_POLICY_MAX_MSR_RANGES + 1, sizeof(r[0]),
				       LV_POLICY_MAX_MSR_RANGES),
		     LV_ERR_LIMIT);
	cr_expect_eq(p.n, 1, "a rejected policy leaves the old one in force");
	msr_set(&p, r, LV_POLICY_MAX_MSR_RANGES);
	cr_expect(lv_policy_msr_exits(&p, LV_POLICY_MAX_MSR_RANGES - 1, false));
	cr_expect_not(lv_policy_msr_exits(&p, LV_POLICY_MAX_MSR_RANGES, false));
	lv_policy_free(&p);

	cr_expect_eq(lv_policy_replace(&p, e, LV_POLICY_MAX_CPUID + 1, sizeof(e[0]),
				       LV_POLICY_MAX_CPUID),
		     LV_ERR_LIMIT);
	cr_expect_eq(p.n, 0);
	cpuid_set(&p, e, LV_POLICY_MAX_CPUID);
	cr_assert_not_null(lv_policy_cpuid_find(&p, LV_POLICY_MAX_CPUID - 1, 0));
	cr_expect_eq(lv_policy_cpuid_find(&p, LV_POLICY_MAX_CPUID - 1, 0)->eax,
		     LV_POLICY_MAX_CPUID - 1);
	cr_expect_null(lv_policy_cpuid_find(&p, LV_POLICY_MAX_CPUID, 0));
	lv_policy_free(&p);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}

Test(policy, allocation_failure_keeps_old_policy)
{
	struct lv_policy p = { 0 };
	const struct lv_cpuid_entry old = { .leaf = 1, .eax = 0x11 };
	const struct lv_cpuid_entry neu[2] = { { .leaf = 2, .eax = 0x22 }, { .leaf = 3 } };
	void *items;

	cpuid_set(&p, &old, 1);
	items = p.items;
	lv_hosted_fail_alloc_after(0);
	cr_expect_eq(lv_policy_replace(&p, neu, 2, sizeof(neu[0]), LV_POLICY_MAX_CPUID),
		     LV_ERR_NOMEM);
	lv_hosted_fail_alloc_after(-1);
	cr_expect_eq(p.n, 1);
	cr_expect_eq(p.items, items);
	cr_assert_not_null(lv_policy_cpuid_find(&p, 1, 0));
	cr_expect_eq(lv_policy_cpuid_find(&p, 1, 0)->eax, 0x11);
	cr_expect_null(lv_policy_cpuid_find(&p, 2, 0));
	cr_expect_eq(lv_hosted_allocs_outstanding(), 1);

	/* Clearing needs no allocation, so it works even when allocation fails. */
	lv_hosted_fail_alloc_after(0);
	cr_expect_eq(lv_policy_replace(&p, NULL, 0, sizeof(neu[0]), LV_POLICY_MAX_CPUID), LV_OK);
	lv_hosted_fail_alloc_after(-1);
	cr_expect_eq(p.n, 0);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}

Test(policy, cpuid_subleaf_matching)
{
	struct lv_policy p = { 0 };
	const struct lv_cpuid_entry e[] = {
		{ .leaf = 7, .subleaf = 1, .flags = LV_CPUID_SUBLEAF, .eax = 0x71 },
		{ .leaf = 7, .subleaf = 0, .flags = LV_CPUID_SUBLEAF, .eax = 0x70 },
		{ .leaf = 7, .subleaf = 5, .eax = 0x7f },   /* no SUBLEAF: any other ECX */
		{ .leaf = 0xd, .subleaf = 3, .eax = 0xd0 }, /* subleaf ignored */
		{ .leaf = 0xd, .eax = 0xd1 },		    /* shadowed: first match wins */
		{ .leaf = 0x40000000u, .flags = LV_CPUID_EXIT, .ebx = 0xabc },
	};
	const struct lv_cpuid_entry *f;

	cpuid_set(&p, e, sizeof(e) / sizeof(e[0]));
	f = lv_policy_cpuid_find(&p, 7, 1);
	cr_assert_not_null(f);
	cr_expect_eq(f->eax, 0x71);
	f = lv_policy_cpuid_find(&p, 7, 0);
	cr_assert_not_null(f);
	cr_expect_eq(f->eax, 0x70);
	f = lv_policy_cpuid_find(&p, 7, 2);
	cr_assert_not_null(f);
	cr_expect_eq(f->eax, 0x7f);
	f = lv_policy_cpuid_find(&p, 7, 0xffffffffu);
	cr_assert_not_null(f);
	cr_expect_eq(f->eax, 0x7f);
	f = lv_policy_cpuid_find(&p, 0xd, 0);
	cr_assert_not_null(f);
	cr_expect_eq(f->eax, 0xd0);
	f = lv_policy_cpuid_find(&p, 0xd, 3);
	cr_assert_not_null(f);
	cr_expect_eq(f->eax, 0xd0);
	f = lv_policy_cpuid_find(&p, 0x40000000u, 9);
	cr_assert_not_null(f);
	cr_expect_eq(f, &((const struct lv_cpuid_entry *)p.items)[5]);
	cr_expect_eq(f->flags, LV_CPUID_EXIT);
	cr_expect_eq(f->ebx, 0xabc);
	cr_expect_null(lv_policy_cpuid_find(&p, 8, 0));
	cr_expect_null(lv_policy_cpuid_find(&p, 0x40000001u, 0));

	/* Only a SUBLEAF entry for leaf 4: other subleaves fall through to NULL. */
	{
		const struct lv_cpuid_entry only = { .leaf = 4,
						     .subleaf = 2,
						     .flags = LV_CPUID_SUBLEAF };

		cpuid_set(&p, &only, 1);
		cr_expect_not_null(lv_policy_cpuid_find(&p, 4, 2));
		cr_expect_null(lv_policy_cpuid_find(&p, 4, 0));
		cr_expect_null(lv_policy_cpuid_find(&p, 4, 3));
		cr_expect_null(lv_policy_cpuid_find(&p, 2, 2));
	}
	lv_policy_free(&p);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}

Test(policy, msr_range_boundaries)
{
	struct lv_policy p = { 0 };
	const struct lv_msr_range r[] = {
		{ .first = 0x100, .count = 0x10, .flags = LV_MSR_EXIT_READ | LV_MSR_EXIT_WRITE },
		{ .first = 0xc0000080u, .count = 1, .flags = LV_MSR_EXIT_READ | LV_MSR_EXIT_WRITE },
		{ .first = 0xffffff00u, .count = 0x100, .flags = LV_MSR_EXIT_WRITE },
		{ .first = 0, .count = 1, .flags = LV_MSR_EXIT_READ },
	};

	msr_set(&p, r, sizeof(r) / sizeof(r[0]));
	cr_expect_not(lv_policy_msr_exits(&p, 0xff, false));
	cr_expect(lv_policy_msr_exits(&p, 0x100, false));
	cr_expect(lv_policy_msr_exits(&p, 0x10f, true));
	cr_expect_not(lv_policy_msr_exits(&p, 0x110, false));
	cr_expect_not(lv_policy_msr_exits(&p, 0xc000007fu, false));
	cr_expect(lv_policy_msr_exits(&p, 0xc0000080u, false));
	cr_expect_not(lv_policy_msr_exits(&p, 0xc0000081u, true));
	/* A range ending at the top of the index space, and one at 0. */
	cr_expect_not(lv_policy_msr_exits(&p, 0xfffffeffu, true));
	cr_expect(lv_policy_msr_exits(&p, 0xffffff00u, true));
	cr_expect(lv_policy_msr_exits(&p, 0xffffffffu, true));
	cr_expect_not(lv_policy_msr_exits(&p, 0xffffffffu, false));
	cr_expect(lv_policy_msr_exits(&p, 0, false));
	cr_expect_not(lv_policy_msr_exits(&p, 0, true));
	cr_expect_not(lv_policy_msr_exits(&p, 1, false));
	lv_policy_free(&p);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}

Test(policy, msr_read_write_flags)
{
	struct lv_policy p = { 0 };
	const struct lv_msr_range r[] = {
		{ .first = 0x10, .count = 4, .flags = LV_MSR_EXIT_READ },
		{ .first = 0x20, .count = 4, .flags = LV_MSR_EXIT_WRITE },
		/* Overlapping ranges: the flags of every range containing the MSR count. */
		{ .first = 0x30, .count = 8, .flags = LV_MSR_EXIT_READ },
		{ .first = 0x34, .count = 8, .flags = LV_MSR_EXIT_WRITE },
	};

	msr_set(&p, r, sizeof(r) / sizeof(r[0]));
	cr_expect(lv_policy_msr_exits(&p, 0x11, false));
	cr_expect_not(lv_policy_msr_exits(&p, 0x11, true));
	cr_expect_not(lv_policy_msr_exits(&p, 0x21, false));
	cr_expect(lv_policy_msr_exits(&p, 0x21, true));
	cr_expect(lv_policy_msr_exits(&p, 0x33, false));
	cr_expect_not(lv_policy_msr_exits(&p, 0x33, true));
	cr_expect(lv_policy_msr_exits(&p, 0x35, false));
	cr_expect(lv_policy_msr_exits(&p, 0x35, true));
	cr_expect_not(lv_policy_msr_exits(&p, 0x3a, false));
	cr_expect(lv_policy_msr_exits(&p, 0x3a, true));
	lv_policy_free(&p);
	cr_expect_null(p.items);
	cr_expect_eq(p.n, 0);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);
}
