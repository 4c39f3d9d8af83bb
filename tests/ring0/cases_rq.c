/* SPDX-License-Identifier: MIT */
/*
 * White-box case of the raw backends' request word (lv_x86_vcpu.requests,
 * src/backend/x86/x86_vcpu.h): the TLB flush a nested-table change asks of
 * every vCPU. No guest here shows a missing flush: with the flush request
 * never set, every other ring-0 and conformance case still passes under
 * QEMU TCG and Bochs (their guest TLBs do not outlive an entry or exit
 * there, it seems), so this case looks at the word itself: the shootdown
 * sets LV_X86_RQ_FLUSH in a vCPU outside guest mode, a kicked entry leaves
 * it, and the next entry takes it.
 */
#include "../../src/backend/x86/x86_vcpu.h"
#include "cases.h"
#include "guest.h"

GUEST_SNIPPET(bench);

#define RQ_GPA 0x200000u /* a page the guest never touches, outside its RAM */

static int flush_requested(struct lv_vcpu *v)
{
	return (__atomic_load_n(&lv_x86_of(v)->requests, __ATOMIC_SEQ_CST) & LV_X86_RQ_FLUSH) != 0;
}

int case_rq_flush(struct lv_backend *b, char *why, size_t n);
int case_rq_flush(struct lv_backend *b, char *why, size_t n)
{
	static const struct lv_cpuid_entry ent = { 0x40000001u, 0, LV_CPUID_EXIT, 0, 0, 0, 0 };
	struct lv_caps caps;
	struct guest g;
	uint8_t *page;
	uint64_t pa;
	int round;

	lv_backend_caps(b, &caps);
	if (caps.kind != LV_BACKEND_SVM && caps.kind != LV_BACKEND_VMX) {
		ksnprintf(why, n, "the request word is the raw backends'");
		return CASE_SKIP;
	}
	page = lv_plat_page_alloc(1, &pa);
	if (!page)
		return CASE_FAIL;
	if (guest_setup(&g, b, g_bench, g_bench_end, why, n)) {
		lv_plat_page_free(page, 1);
		return CASE_FAIL;
	}
	EXPECT(lv_vcpu_set_cpuid(g.vcpu, &ent, 1) == LV_OK, "set_cpuid");
	RUN_EXPECT(&g, LV_EXIT_CPUID);
	EXPECT(!flush_requested(g.vcpu), "a flush is still requested after an entry");
	/* Round 0: unmap, then run. Round 1: unmap, kick, run (cancelled), run. */
	for (round = 0; round < 2; round++) {
		EXPECT(lv_vm_map(g.vm, page, RQ_GPA, LV_PAGE_SIZE, LV_PROT_ALL) == LV_OK,
		       "round %d: map", round);
		RUN_EXPECT(&g, LV_EXIT_CPUID);
		EXPECT(lv_vm_unmap(g.vm, RQ_GPA, LV_PAGE_SIZE) == LV_OK, "round %d: unmap", round);
		EXPECT(flush_requested(g.vcpu),
		       "round %d: the unmap did not request a flush of the vCPU outside guest mode",
		       round);
		if (round == 1) {
			EXPECT(lv_vcpu_kick(g.vcpu) == LV_OK, "kick");
			RUN_EXPECT(&g, LV_EXIT_CANCELLED);
			EXPECT(flush_requested(g.vcpu),
			       "the kicked run dropped the flush request without entering");
		}
		RUN_EXPECT(&g, LV_EXIT_CPUID);
		EXPECT(!flush_requested(g.vcpu),
		       "round %d: the entry did not take the flush request", round);
	}
	guest_teardown(&g);
	lv_plat_page_free(page, 1);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	lv_plat_page_free(page, 1);
	return CASE_FAIL;
}
