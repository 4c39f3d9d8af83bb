/* SPDX-License-Identifier: MIT */
/*
 * VPID and ASID allocators: exhaustion, reuse, ASID wrap and generations,
 * and the safety property that matters: no vCPU ever runs with an ASID that
 * another vCPU used on that CPU since the last full flush.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include <libvcpu/status.h>

#include "core/ids.h"

static uint64_t rng = 0x1d5eed;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

Test(vpid, exhaustion_and_reuse)
{
	static struct lv_vpid_alloc a;
	static uint8_t seen[65536];
	uint16_t v;
	unsigned i;

	lv_vpid_init(&a);
	cr_expect_not(lv_vpid_in_use(&a, 0));
	for (i = 1; i < 65536; i++) {
		cr_assert_eq(lv_vpid_alloc(&a, &v), LV_OK, "allocation %u", i);
		cr_assert_neq(v, 0, "VPID 0 is the host's");
		cr_assert_eq(seen[v], 0, "VPID %u handed out twice", v);
		seen[v] = 1;
	}
	cr_expect_eq(a.in_use, 65535);
	/* Exhausted: the documented fallback is VPID 0 = run without VPID. */
	v = 77;
	cr_expect_eq(lv_vpid_alloc(&a, &v), LV_ERR_LIMIT);
	cr_expect_eq(v, 0);
	lv_vpid_free(&a, 0); /* no-op */
	cr_expect_eq(a.in_use, 65535);

	/* Free a few scattered ones: exactly those come back. */
	lv_vpid_free(&a, 1);
	lv_vpid_free(&a, 4242);
	lv_vpid_free(&a, 65535);
	lv_vpid_free(&a, 4242); /* double free ignored */
	cr_expect_eq(a.in_use, 65532);
	cr_expect_not(lv_vpid_in_use(&a, 4242));
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 3; i++) {
		cr_assert_eq(lv_vpid_alloc(&a, &v), LV_OK);
		seen[v] = 1;
	}
	cr_expect(seen[1] && seen[4242] && seen[65535]);
	cr_expect_eq(lv_vpid_alloc(&a, &v), LV_ERR_LIMIT);
}

Test(vpid, random_against_model)
{
	static struct lv_vpid_alloc a;
	static uint8_t live[65536];
	static uint16_t held[65536];
	unsigned n = 0, i;
	uint16_t v;

	lv_vpid_init(&a);
	for (i = 0; i < 300000; i++) {
		if (n && (rnd() % 3 == 0 || n == 65535)) {
			unsigned k = (unsigned)(rnd() % n);

			v = held[k];
			held[k] = held[--n];
			cr_assert(lv_vpid_in_use(&a, v));
			lv_vpid_free(&a, v);
			live[v] = 0;
		} else {
			cr_assert_eq(lv_vpid_alloc(&a, &v), LV_OK);
			cr_assert(v != 0 && !live[v], "VPID %u live twice", v);
			live[v] = 1;
			held[n++] = v;
		}
		cr_assert_eq(a.in_use, n);
	}
}

Test(asid, init_checks)
{
	struct lv_asid_cpu c;

	cr_expect_eq(lv_asid_cpu_init(&c, 0, 0), LV_ERR_INVAL);
	cr_expect_eq(lv_asid_cpu_init(&c, 0, 1), LV_ERR_INVAL, "ASID 0 alone leaves no guest ASID");
	cr_expect_eq(lv_asid_cpu_init(&c, 0, 2), LV_OK);
}

Test(asid, wrap_and_generations)
{
	struct lv_asid_cpu c;
	struct lv_asid_vcpu v[17];
	unsigned i;

	/* QEMU TCG advertises 16 ASIDs: 1..15 for guests. */
	cr_assert_eq(lv_asid_cpu_init(&c, 3, 16), LV_OK);
	for (i = 0; i < 17; i++)
		lv_asid_vcpu_init(&v[i]);
	for (i = 0; i < 15; i++) {
		cr_assert_eq(lv_asid_prepare(&c, &v[i]), LV_ASID_FRESH);
		cr_expect_eq(v[i].asid, i + 1);
		cr_expect_eq(v[i].cpu, 3);
		cr_assert_eq(lv_asid_prepare(&c, &v[i]), LV_ASID_KEEP);
		cr_expect_eq(v[i].asid, i + 1);
	}
	/* The 16th vCPU wraps: new generation, flush everything, ASID 1 again. */
	cr_assert_eq(lv_asid_prepare(&c, &v[15]), LV_ASID_FLUSH_ALL);
	cr_expect_eq(v[15].asid, 1);
	cr_expect_eq(c.generation, 2);
	/* vCPU 0 also held ASID 1, in the old generation: it gets a fresh one. */
	cr_assert_eq(lv_asid_prepare(&c, &v[0]), LV_ASID_FRESH);
	cr_expect_eq(v[0].asid, 2);
	cr_assert_eq(lv_asid_prepare(&c, &v[15]), LV_ASID_KEEP);
	/* Invalidation (flush one guest without FlushByAsid): a fresh ASID. */
	lv_asid_vcpu_invalidate(&v[15]);
	cr_assert_eq(lv_asid_prepare(&c, &v[15]), LV_ASID_FRESH);
	cr_expect_eq(v[15].asid, 3);
}

Test(asid, moved_vcpu_gets_fresh_asid)
{
	struct lv_asid_cpu c0, c1;
	struct lv_asid_vcpu v, w;

	cr_assert_eq(lv_asid_cpu_init(&c0, 0, 8), LV_OK);
	cr_assert_eq(lv_asid_cpu_init(&c1, 1, 8), LV_OK);
	lv_asid_vcpu_init(&v);
	lv_asid_vcpu_init(&w);
	cr_assert_eq(lv_asid_prepare(&c0, &v), LV_ASID_FRESH);
	cr_assert_eq(lv_asid_prepare(&c1, &w), LV_ASID_FRESH);
	cr_expect_eq(v.asid, 1);
	cr_expect_eq(w.asid, 1);
	/* v moves to CPU 1: same generation number there, but another CPU. */
	cr_assert_eq(lv_asid_prepare(&c1, &v), LV_ASID_FRESH);
	cr_expect_eq(v.asid, 2);
	cr_expect_eq(v.cpu, 1);
	/* ... and back: CPU 0 hands out a new ASID, never 1 again in this generation. */
	cr_assert_eq(lv_asid_prepare(&c0, &v), LV_ASID_FRESH);
	cr_expect_eq(v.asid, 2);
}

Test(asid, two_asids_flush_every_switch)
{
	struct lv_asid_cpu c;
	struct lv_asid_vcpu a, b;
	int i;

	/* Only ASID 1 for guests: every change of vCPU needs a full flush. */
	cr_assert_eq(lv_asid_cpu_init(&c, 0, 2), LV_OK);
	lv_asid_vcpu_init(&a);
	lv_asid_vcpu_init(&b);
	cr_assert_eq(lv_asid_prepare(&c, &a), LV_ASID_FRESH);
	for (i = 0; i < 10; i++) {
		cr_assert_eq(lv_asid_prepare(&c, &b), LV_ASID_FLUSH_ALL);
		cr_assert_eq(lv_asid_prepare(&c, &b), LV_ASID_KEEP);
		cr_assert_eq(lv_asid_prepare(&c, &a), LV_ASID_FLUSH_ALL);
		cr_expect_eq(a.asid, 1);
		cr_expect_eq(b.asid, 1);
	}
}

/*
 * Random runs of 12 vCPUs over 3 CPUs with 5 ASIDs each. Invariant: the
 * ASID a vCPU runs with was used by nobody else on that CPU since that
 * CPU's last full flush.
 */
Test(asid, random_never_shares_unflushed_asid)
{
	enum { NCPU = 3, NVCPU = 12, NASID = 5 };
	struct lv_asid_cpu c[NCPU];
	struct lv_asid_vcpu v[NVCPU];
	int owner[NCPU][NASID];
	unsigned long flushes = 0, keeps = 0;
	int i, k;

	for (i = 0; i < NCPU; i++) {
		cr_assert_eq(lv_asid_cpu_init(&c[i], (uint32_t)i, NASID), LV_OK);
		for (k = 0; k < NASID; k++)
			owner[i][k] = -1;
	}
	for (i = 0; i < NVCPU; i++)
		lv_asid_vcpu_init(&v[i]);
	for (i = 0; i < 200000; i++) {
		int cpu = (int)(rnd() % NCPU), vc = (int)(rnd() % NVCPU);
		enum lv_asid_action act;

		if (rnd() % 50 == 0)
			lv_asid_vcpu_invalidate(&v[vc]);
		act = lv_asid_prepare(&c[cpu], &v[vc]);
		cr_assert(v[vc].asid >= 1 && v[vc].asid < NASID);
		cr_assert_eq(v[vc].cpu, (uint32_t)cpu);
		if (act == LV_ASID_FLUSH_ALL) {
			flushes++;
			for (k = 0; k < NASID; k++)
				owner[cpu][k] = -1;
		}
		if (act == LV_ASID_KEEP) {
			keeps++;
			cr_assert_eq(owner[cpu][v[vc].asid], vc);
		} else {
			cr_assert_eq(owner[cpu][v[vc].asid], -1, "ASID %u reused without flush",
				     v[vc].asid);
		}
		owner[cpu][v[vc].asid] = vc;
	}
	cr_expect_gt(flushes, 0);
	cr_expect_gt(keeps, 0);
}
