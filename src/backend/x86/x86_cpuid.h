/* SPDX-License-Identifier: MIT */
/*
 * The default CPUID of the ring-0 backends, the same on SVM and VMX: the
 * host's answer, edited by one table. Applied on every CPUID exit that no
 * lv_vcpu_set_cpuid() entry answers, so it is inline and a leaf the table
 * does not name costs two compares.
 *
 * - CPUID.1:ECX: no VMX (bit 5; nested virtualization is not offered) and
 *   the hypervisor bit (31) set (SDM Vol. 2A, CPUID; APM Vol. 3, E.3.2).
 * - The XSAVE-related bits of leaves 1 and 7 and leaf 0Dh: what the FPU
 *   switch offers (lv_x86_cpuid_fpu(), x86_fpu.c).
 * - CPUID.8000_0001h:ECX: no SVM (bit 2); leaf 8000_000Ah (SVM features)
 *   empty.
 * - Leaf 8000_001Fh (AMD's memory encryption: SME, SEV; APM Vol. 2, 7.10
 *   and 15.34) empty: the guest gets no encrypted memory, and its SEV
 *   status MSR is not implemented (Linux's boot reads it when SEV shows,
 *   as Bochs' ryzen model does).
 * - 4000_0000h-4000_00FFh, the hypervisor range: empty. Under an outer
 *   hypervisor the host's answer names that hypervisor's interface
 *   (KVM's kvmclock MSRs, Hyper-V's), which nothing here implements.
 * - A leaf above the highest basic or extended one: the vendor's rule
 *   (lv_x86_cpuid_range(), x86_run.c), not the host CPU's answer.
 */
#ifndef LV_X86_CPUID_H
#define LV_X86_CPUID_H

#include <stddef.h>

#include <stdint.h>

#include "../../core/cpuid.h"
#include "../../core/policy.h"
#include "x86_apic.h"
#include "x86_fpu.h"

enum { LV_CPUID_EAX = 0, LV_CPUID_EBX = 1, LV_CPUID_ECX = 2, LV_CPUID_EDX = 3 };

/* One edit of one register of one leaf: r = (r & ~clear) | set. */
struct lv_x86_cpuid_edit {
	uint32_t leaf;
	uint32_t reg; /* LV_CPUID_E?X */
	uint32_t clear, set;
};

static const struct lv_x86_cpuid_edit lv_x86_cpuid_edits[] = {
	{ 0x00000001u, LV_CPUID_ECX, 1u << 5, 1u << 31 },
	{ 0x80000001u, LV_CPUID_ECX, 1u << 2, 0 },
	{ 0x8000000au, LV_CPUID_EAX, 0xffffffffu, 0 },
	{ 0x8000000au, LV_CPUID_EBX, 0xffffffffu, 0 },
	{ 0x8000000au, LV_CPUID_ECX, 0xffffffffu, 0 },
	{ 0x8000000au, LV_CPUID_EDX, 0xffffffffu, 0 },
	{ 0x8000001fu, LV_CPUID_EAX, 0xffffffffu, 0 },
	{ 0x8000001fu, LV_CPUID_EBX, 0xffffffffu, 0 },
	{ 0x8000001fu, LV_CPUID_ECX, 0xffffffffu, 0 },
	{ 0x8000001fu, LV_CPUID_EDX, 0xffffffffu, 0 },
};

/* Leaves [first, last] that read as all zeros. */
#define LV_X86_CPUID_HIDDEN_FIRST 0x40000000u
#define LV_X86_CPUID_HIDDEN_LAST  0x400000ffu

/* Apply the default edits to the host's answer @p r (EAX..EDX) for @p leaf. */
static inline void lv_x86_cpuid_default(uint32_t leaf, uint32_t r[4])
{
	unsigned i;

	if (leaf == 0 || (leaf > 1 && leaf < LV_X86_CPUID_HIDDEN_FIRST))
		return; /* the common case: nothing to edit */
	if (leaf <= LV_X86_CPUID_HIDDEN_LAST && leaf >= LV_X86_CPUID_HIDDEN_FIRST) {
		r[0] = r[1] = r[2] = r[3] = 0;
		return;
	}
	for (i = 0; i < sizeof(lv_x86_cpuid_edits) / sizeof(lv_x86_cpuid_edits[0]); i++)
		if (lv_x86_cpuid_edits[i].leaf == leaf)
			r[lv_x86_cpuid_edits[i].reg] = (r[lv_x86_cpuid_edits[i].reg] &
							~lv_x86_cpuid_edits[i].clear) |
						       lv_x86_cpuid_edits[i].set;
}

/*
 * An out-of-range @p leaf (x86_run.c): 1 when it reads as zeros, else 0
 * with @p leaf replaced by the leaf whose data it returns.
 */
struct lv_vcpu;
int lv_x86_cpuid_range(struct lv_vcpu *v, uint32_t *leaf);

/*
 * The answer without an lv_vcpu_set_cpuid() entry (x86_run.c): the host's
 * for @p leaf / @p sub, by the range rule, edited by the table above and
 * the FPU switch's and the APIC's leaves, into @p r (EAX..EDX). Out of
 * line: the run loop's CPUID path keeps @p leaf in a register.
 */
void lv_x86_cpuid_host(struct lv_vcpu *v, uint32_t leaf, uint32_t sub, uint32_t r[4]);

/*
 * The "no lv_vcpu_set_cpuid() entry" answer of lv_x86_cpuid_lookup() and
 * of the run loop's cache (x86_run.h): flags 0, told apart by its address.
 */
extern const struct lv_cpuid_entry lv_x86_cpuid_none;

/*
 * A CPUID exit, the same on SVM and VMX: the answer is @p e, the vCPU's
 * lv_vcpu_set_cpuid() entry for @p leaf/@p sub (lv_x86_cpuid_lookup(), or
 * the run loop's cache of it), else (@p e is &lv_x86_cpuid_none) the
 * host's edited by the table above and the FPU switch's leaves (@p v).
 * @return 1 when the entry asks for an LV_EXIT_CPUID exit (@p ex filled,
 * the entry's values proposed as the answer), else 0 with the answer in
 * @p r (EAX..EDX) for the guest.
 */
static inline int lv_x86_cpuid_exit(struct lv_vcpu *v, const struct lv_cpuid_entry *e,
				    uint32_t leaf, uint32_t sub, uint32_t r[4], struct lv_exit *ex)
{
	if (e->flags & LV_CPUID_EXIT) { /* first: the hot case (lv_x86_cpuid_none has no flags) */
		ex->reason = LV_EXIT_CPUID;
		ex->cpuid.leaf = leaf;
		ex->cpuid.subleaf = sub;
		/* The proposal: EAX..EDX are laid out alike in both (asserted below). */
		__builtin_memcpy(&ex->cpuid.eax, &e->eax, 4 * sizeof(uint32_t));
		return 1;
	}
	if (e == &lv_x86_cpuid_none) {
		lv_x86_cpuid_host(v, leaf, sub, r);
		return 0;
	}
	r[0] = e->eax;
	r[1] = e->ebx;
	r[2] = e->ecx;
	r[3] = e->edx;
	return 0;
}

_Static_assert(offsetof(struct lv_cpuid_entry, edx) - offsetof(struct lv_cpuid_entry, eax) == 12,
	       "lv_cpuid_entry: EAX..EDX contiguous");
_Static_assert(offsetof(struct lv_exit, cpuid.edx) - offsetof(struct lv_exit, cpuid.eax) == 12,
	       "lv_exit.cpuid: EAX..EDX contiguous");

#endif /* LV_X86_CPUID_H */
