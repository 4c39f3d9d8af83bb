/* SPDX-License-Identifier: MIT */
/* The case table of the ring-0 test kernel. */
#include "cases.h"

static int case_caps(struct lv_backend *b, char *why, size_t n)
{
	struct lv_caps c;

	if (lv_backend_caps(b, &c) != LV_OK) {
		ksnprintf(why, n, "caps failed");
		return CASE_FAIL;
	}
	if (!(c.features & LV_FEAT_RING0)) {
		ksnprintf(why, n, "RING0 feature missing");
		return CASE_FAIL;
	}
	/* Both raw backends have the shared layer's interrupt controller (docs/apic.md). */
	if (!(c.features & LV_FEAT_IRQCHIP)) {
		ksnprintf(why, n, "IRQCHIP feature missing");
		return CASE_FAIL;
	}
	return CASE_PASS;
}

int case_io(struct lv_backend *b, char *why, size_t n);
int case_host_dtables(struct lv_backend *b, char *why, size_t n);
int case_host_ldt(struct lv_backend *b, char *why, size_t n);
int case_host_tr(struct lv_backend *b, char *why, size_t n);
int case_host_fs_cr4(struct lv_backend *b, char *why, size_t n);
int case_host_debugctl(struct lv_backend *b, char *why, size_t n);
int case_cpuid(struct lv_backend *b, char *why, size_t n);
int case_cpuid_cache(struct lv_backend *b, char *why, size_t n);
int case_mmio(struct lv_backend *b, char *why, size_t n);
int case_readonly(struct lv_backend *b, char *why, size_t n);
int case_msr(struct lv_backend *b, char *why, size_t n);
int case_hypercall(struct lv_backend *b, char *why, size_t n);
int case_exception_exit(struct lv_backend *b, char *why, size_t n);
int case_triple_fault(struct lv_backend *b, char *why, size_t n);
int case_entry_failed(struct lv_backend *b, char *why, size_t n);
int case_invalid_control(struct lv_backend *b, char *why, size_t n);
int case_kick(struct lv_backend *b, char *why, size_t n);
int case_irq_window(struct lv_backend *b, char *why, size_t n);
int case_inject_exception(struct lv_backend *b, char *why, size_t n);
int case_bench_cpuid(struct lv_backend *b, char *why, size_t n);
int case_timer(struct lv_backend *b, char *why, size_t n);
int case_dirty_flush(struct lv_backend *b, char *why, size_t n);
int case_kick_spin_if0(struct lv_backend *b, char *why, size_t n);
int case_kick_spin_if1(struct lv_backend *b, char *why, size_t n);
int case_kick_remote(struct lv_backend *b, char *why, size_t n);
int case_irq_queued(struct lv_backend *b, char *why, size_t n);
int case_call_on_cpu(struct lv_backend *b, char *why, size_t n);
int case_rq_flush(struct lv_backend *b, char *why, size_t n);

const struct tcase cases[] = {
	{ "caps", case_caps },
	{ "harness_timer", case_timer },
	{ "harness_call_on_cpu", case_call_on_cpu },
	{ "smoke_io", case_io },
	{ "host_dtables", case_host_dtables },
	{ "host_ldt", case_host_ldt },
	{ "host_tr", case_host_tr },
	{ "host_fs_cr4", case_host_fs_cr4 },
	{ "host_debugctl", case_host_debugctl },
	{ "smoke_cpuid", case_cpuid },
	{ "smoke_cpuid_cache", case_cpuid_cache },
	{ "smoke_mmio", case_mmio },
	{ "smoke_readonly", case_readonly },
	{ "smoke_dirty_flush", case_dirty_flush },
	{ "rq_flush", case_rq_flush },
	{ "smoke_msr", case_msr },
	{ "smoke_hypercall", case_hypercall },
	{ "smoke_exception_exit", case_exception_exit },
	{ "smoke_triple_fault", case_triple_fault },
	{ "smoke_entry_failed", case_entry_failed },
	{ "smoke_invalid_control", case_invalid_control },
	{ "smoke_kick", case_kick },
	{ "smoke_kick_irq_if1", case_kick_spin_if1 },
	{ "smoke_kick_irq_if0", case_kick_spin_if0 },
	{ "smoke_kick_remote_cpu", case_kick_remote },
	{ "smoke_irq_window", case_irq_window },
	{ "smoke_irq_queued", case_irq_queued },
	{ "smoke_inject_exception", case_inject_exception },
	{ "bench_cpuid", case_bench_cpuid },
};
const unsigned ncases = sizeof(cases) / sizeof(cases[0]);
