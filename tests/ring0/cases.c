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
	{ "caps", case_caps, 0 },
	{ "harness_timer", case_timer, 0 },
	{ "harness_call_on_cpu", case_call_on_cpu, 0 },
	{ "smoke_io", case_io, 0 },
	{ "host_dtables", case_host_dtables, 0 },
	{ "host_ldt", case_host_ldt, 0 },
	{ "host_tr", case_host_tr, 0 },
	{ "host_fs_cr4", case_host_fs_cr4, 0 },
	{ "host_debugctl", case_host_debugctl, 0 },
	{ "smoke_cpuid", case_cpuid, 0 },
	{ "smoke_cpuid_cache", case_cpuid_cache, 0 },
	{ "smoke_mmio", case_mmio, 0 },
	{ "smoke_readonly", case_readonly, 0 },
	{ "smoke_dirty_flush", case_dirty_flush, 0 },
	{ "rq_flush", case_rq_flush, 0 },
	{ "smoke_msr", case_msr, 0 },
	{ "smoke_hypercall", case_hypercall, 0 },
	{ "smoke_exception_exit", case_exception_exit, 0 },
	{ "smoke_triple_fault", case_triple_fault, 0 },
	{ "smoke_entry_failed", case_entry_failed, 0 },
	{ "smoke_invalid_control", case_invalid_control, 0 },
	{ "smoke_kick", case_kick, 0 },
	{ "smoke_kick_irq_if1", case_kick_spin_if1, 0 },
	{ "smoke_kick_irq_if0", case_kick_spin_if0, 0 },
	{ "smoke_kick_remote_cpu", case_kick_remote, 2 },
	{ "smoke_irq_window", case_irq_window, 0 },
	{ "smoke_irq_queued", case_irq_queued, 0 },
	{ "smoke_inject_exception", case_inject_exception, 0 },
	{ "bench_cpuid", case_bench_cpuid, 0 },
};
const unsigned ncases = sizeof(cases) / sizeof(cases[0]);
