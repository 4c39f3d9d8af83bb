/* SPDX-License-Identifier: MIT */
/*
 * Tagged-TLB identifiers: Intel VPIDs and AMD ASIDs, plus the flush policy
 * values (INVEPT/INVVPID types, SVM TLB_CONTROL) the backends use.
 *
 * Locking:
 * - VPIDs are global to the host: one struct lv_vpid_alloc for all CPUs.
 *   lv_vpid_alloc() and lv_vpid_free() must be serialized by the caller (a
 *   lock, or vCPU create/destroy already being serialized).
 * - ASIDs are per host CPU: one struct lv_asid_cpu per CPU, touched only by
 *   that CPU with preemption (or interrupts) disabled, right before VMRUN.
 *   lv_asid_prepare() needs no lock. struct lv_asid_vcpu belongs to the vCPU
 *   and is touched only by the thread running it.
 */
#ifndef LV_CORE_IDS_H
#define LV_CORE_IDS_H

#include <stdbool.h>
#include <stdint.h>

/* ---- flush policy values ---- */

/* INVEPT types (SDM Vol. 3C, "INVEPT"): the descriptor holds the EPTP. */
#define LV_INVEPT_SINGLE_CONTEXT 1u
#define LV_INVEPT_ALL_CONTEXT	 2u

/* INVVPID types (SDM Vol. 3C, "INVVPID"). */
#define LV_INVVPID_ADDRESS		     0u
#define LV_INVVPID_SINGLE_CONTEXT	     1u
#define LV_INVVPID_ALL_CONTEXT		     2u
#define LV_INVVPID_SINGLE_CONTEXT_NON_GLOBAL 3u

/* VMCB TLB_CONTROL (APM Vol. 2, "TLB Control", VMCB offset 0x5C). */
#define LV_SVM_TLB_NOTHING	    0u
#define LV_SVM_TLB_FLUSH_ALL	    1u /* every ASID; the only flush without FlushByAsid */
#define LV_SVM_TLB_FLUSH_ASID	    3u /* this guest's ASID; needs CPUID 0x8000000A.EDX[6] */
#define LV_SVM_TLB_FLUSH_ASID_LOCAL 7u /* this ASID, non-global entries only */

/* ---- VPID allocator (global) ---- */

#define LV_VPID_COUNT 65536u /* 16-bit VPID; 0 is the host's (VM entry fails with 0) */
#define LV_VPID_WORDS (LV_VPID_COUNT / 64u)

struct lv_vpid_alloc {
	uint64_t used[LV_VPID_WORDS];	       /* bit set = VPID in use (VPID 0 always set) */
	uint64_t nonfull[LV_VPID_WORDS / 64u]; /* bit w set = used[w] has a free bit */
	uint32_t in_use;		       /* allocated VPIDs, 0 excluded */
};
_Static_assert(LV_VPID_WORDS / 64u <= 64u, "summary fits one level");

/* Empty allocator: every VPID 1..65535 free. */
void lv_vpid_init(struct lv_vpid_alloc *a);

/*
 * Allocate a VPID. O(1): at most 16 summary words and one bitmap word are
 * scanned. Exhaustion (65535 live VPIDs) is not an error for the vCPU:
 * the call returns LV_ERR_LIMIT and sets *vpid = 0, and the backend runs that
 * vCPU with "enable VPID" clear; VM entry and exit then invalidate the
 * guest's cached linear translations by themselves (SDM Vol. 3C, "VPID"
 * and "Invalidation of TLBs and Paging-Structure Caches"), which is correct,
 * only slower. lv_vpid_free(0) is then a no-op.
 */
int lv_vpid_alloc(struct lv_vpid_alloc *a, uint16_t *vpid);

/* Return a VPID (0 and VPIDs not in use are ignored). O(1). */
void lv_vpid_free(struct lv_vpid_alloc *a, uint16_t vpid);

/* True when @vpid is allocated. */
bool lv_vpid_in_use(const struct lv_vpid_alloc *a, uint16_t vpid);

/* ---- ASID allocator (per host CPU) ---- */

/* Per host CPU. */
struct lv_asid_cpu {
	uint64_t generation; /* starts at 1; 0 never matches a live generation */
	uint32_t next;	     /* next ASID to hand out in this generation */
	uint32_t count;	     /* number of ASIDs, from CPUID 0x8000000A.EBX */
	uint32_t cpu;	     /* this CPU's index */
};

/* Per vCPU: the ASID it holds and where/when it got it. */
struct lv_asid_vcpu {
	uint64_t generation; /* 0 = none yet */
	uint32_t cpu;
	uint32_t asid;
};

/* What the backend must put into TLB_CONTROL for this VMRUN. */
enum lv_asid_action {
	LV_ASID_KEEP = 0,      /* same ASID as last time on this CPU, nothing to flush */
	LV_ASID_FRESH = 1,     /* a never-used-since-flush ASID: nothing to flush */
	LV_ASID_FLUSH_ALL = 2, /* ASIDs wrapped: new generation, flush every ASID (TLB_CONTROL 1) */
};

/*
 * Initialize CPU @cpu's state. @count = CPUID 0x8000000A.EBX (the number of
 * ASIDs, ASID 0 included, which is the host's). LV_ERR_INVAL if count < 2.
 */
int lv_asid_cpu_init(struct lv_asid_cpu *c, uint32_t cpu, uint32_t count);

/* A vCPU that holds no ASID yet (or must get a new one at its next run). */
void lv_asid_vcpu_init(struct lv_asid_vcpu *v);

/*
 * Before VMRUN on CPU @c (per-CPU, preemption disabled): give @v a valid
 * ASID for this CPU and generation and return the flush it needs. A vCPU
 * that ran on another CPU, or whose generation is stale, gets a fresh ASID;
 * when the CPU runs out, the generation is bumped and the whole TLB must be
 * flushed (LV_ASID_FLUSH_ALL), after which ASIDs restart at 1.
 */
enum lv_asid_action lv_asid_prepare(struct lv_asid_cpu *c, struct lv_asid_vcpu *v);

/*
 * Make @v take a fresh ASID at its next lv_asid_prepare(): the way to flush
 * one guest's translations on a CPU without FlushByAsid.
 */
void lv_asid_vcpu_invalidate(struct lv_asid_vcpu *v);

#endif /* LV_CORE_IDS_H */
