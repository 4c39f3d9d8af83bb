/* SPDX-License-Identifier: MIT */
/*
 * Caller-supplied exit policies shared by the raw backends (SVM, VMX): a
 * private copy of the caller's array (MSR exit ranges of a VM, CPUID
 * overrides of a vCPU) plus its length, and the lookups the exit handlers
 * run on it.
 *
 * Freestanding; storage comes from lv_plat_alloc(). Not thread-safe: the
 * owner serializes lv_policy_replace() against lookups (the API layer runs
 * the setters only while no vCPU of the object is inside lv_vcpu_run()).
 * A zeroed struct lv_policy is a valid empty policy.
 */
#ifndef LV_CORE_POLICY_H
#define LV_CORE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libvcpu/libvcpu.h>

/** Most MSR exit ranges a raw backend accepts (lv_vm_set_msr_exits()). */
#define LV_POLICY_MAX_MSR_RANGES 64
/** Most CPUID entries a raw backend accepts (lv_vcpu_set_cpuid()). */
#define LV_POLICY_MAX_CPUID	 256

/** A copied array of @c n policy items (struct lv_msr_range or struct lv_cpuid_entry). */
struct lv_policy {
	void *items; /* lv_plat_alloc()ed, NULL when n == 0 */
	size_t n;
};

/**
 * Replace @p p with a copy of the @p n items of @p size bytes at @p src;
 * @p n = 0 clears it. On any error @p p is left unchanged (the old policy
 * stays in force).
 * @return #LV_OK; #LV_ERR_LIMIT (@p n > @p max); #LV_ERR_NOMEM.
 */
int lv_policy_replace(struct lv_policy *p, const void *src, size_t n, size_t size, size_t max);

/** Free the copy; @p p becomes the empty policy. */
void lv_policy_free(struct lv_policy *p);

/**
 * The CPUID override for (@p leaf, @p sub): the first entry whose leaf
 * matches and whose subleaf matches too when it has #LV_CPUID_SUBLEAF.
 * Inline: it runs on every CPUID exit. @return the entry or NULL.
 */
static inline const struct lv_cpuid_entry *lv_policy_cpuid_find(const struct lv_policy *p,
								uint32_t leaf, uint32_t sub)
{
	const struct lv_cpuid_entry *entries = p->items;
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct lv_cpuid_entry *e = &entries[i];

		if (e->leaf == leaf && (!(e->flags & LV_CPUID_SUBLEAF) || e->subleaf == sub))
			return e;
	}
	return NULL;
}

/**
 * Whether the caller asked for RDMSR (@p write false) or WRMSR (@p write
 * true) of @p msr to exit: true when any range containing @p msr has
 * #LV_MSR_EXIT_READ resp. #LV_MSR_EXIT_WRITE (ranges may overlap; their
 * flags add up, as with KVM's MSR filter). Out of line: MSR exits are not
 * on the CPUID round-trip path, and inlining it there costs registers.
 */
bool lv_policy_msr_exits(const struct lv_policy *p, uint32_t msr, bool write);

#endif
