/* SPDX-License-Identifier: MIT */
/*
 * API layer: status names, argument validation, object lifetimes and
 * dispatch, checked against a mock backend (no hardware needed).
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libvcpu/hosted.h>
#include <libvcpu/libvcpu.h>

#include "core/internal.h"

/* ---- a mock backend that records calls -------------------------------- */

static struct {
	int maps, unmaps, protects, runs, kicks, vm_creates, vm_destroys;
	int vcpu_creates, vcpu_destroys;
	int fail_map; /* status to return from map, 0 = succeed */
	uint64_t last_gpa, last_size;
	uint32_t last_flags;
	void (*change_hook)(void); /* called inside map and unmap (the mem_lock tests) */
} mock;

static int m_open(struct lv_backend *b)
{
	b->caps.max_vcpus = 4;
	b->caps.max_slots = 8;
	b->caps.guest_phys_bits = 36;
	b->caps.exception_exits = 1u << 6;
	b->caps.features = LV_FEAT_NOEXEC_MEM;
	return LV_OK;
}
static void m_close(struct lv_backend *b)
{
	(void)b;
}
static int m_vm_create(struct lv_vm *vm)
{
	(void)vm;
	mock.vm_creates++;
	return LV_OK;
}
static void m_vm_destroy(struct lv_vm *vm)
{
	(void)vm;
	mock.vm_destroys++;
}
static int m_map(struct lv_vm *vm, void *hva, uint64_t gpa, uint64_t size, uint32_t flags)
{
	(void)vm;
	(void)hva;
	mock.maps++;
	mock.last_gpa = gpa;
	mock.last_size = size;
	mock.last_flags = flags;
	if (mock.change_hook)
		mock.change_hook();
	return mock.fail_map;
}
static int m_unmap(struct lv_vm *vm, uint64_t gpa, uint64_t size)
{
	(void)vm;
	mock.unmaps++;
	mock.last_gpa = gpa;
	mock.last_size = size;
	if (mock.change_hook)
		mock.change_hook();
	return LV_OK;
}
static int m_protect(struct lv_vm *vm, uint64_t gpa, uint64_t size, uint32_t prot)
{
	(void)vm;
	mock.protects++;
	mock.last_gpa = gpa;
	mock.last_size = size;
	mock.last_flags = prot;
	return LV_OK;
}
static int m_vcpu_create(struct lv_vcpu *v)
{
	(void)v;
	mock.vcpu_creates++;
	return LV_OK;
}
static void m_vcpu_destroy(struct lv_vcpu *v)
{
	(void)v;
	mock.vcpu_destroys++;
}
static int m_run(struct lv_vcpu *v)
{
	mock.runs++;
	v->exit.reason = LV_EXIT_HLT;
	return LV_OK;
}
static int m_get_state(struct lv_vcpu *v, uint32_t mask, struct lv_state *st)
{
	(void)v;
	if (mask & LV_STATE_GPRS)
		st->regs.rip = 0x1234;
	return LV_OK;
}
static int m_set_exc(struct lv_vcpu *v, uint32_t vectors)
{
	(void)v;
	(void)vectors;
	return LV_OK;
}

static const struct lv_backend_ops mock_ops = {
	.name = "mock",
	.kind = LV_BACKEND_KVM,
	.open = m_open,
	.close = m_close,
	.vm_create = m_vm_create,
	.vm_destroy = m_vm_destroy,
	.map = m_map,
	.unmap = m_unmap,
	.protect = m_protect,
	.vcpu_create = m_vcpu_create,
	.vcpu_destroy = m_vcpu_destroy,
	.run = m_run,
	.get_state = m_get_state,
	.set_exception_exits = m_set_exc,
};

static struct lv_backend *b;
static struct lv_vm *vm;
static uint8_t *ram;
#define RAM_SIZE (64 * 4096)

static void setup(void)
{
	memset(&mock, 0, sizeof(mock));
	cr_assert_eq(lv_backend_open_ops(&mock_ops, &b), LV_OK);
	cr_assert_eq(lv_vm_create(b, NULL, &vm), LV_OK);
	ram = aligned_alloc(4096, RAM_SIZE);
	cr_assert_not_null(ram);
}

static void teardown(void)
{
	if (vm)
		lv_vm_destroy(vm);
	cr_assert_eq(lv_backend_close(b), LV_OK);
	free(ram);
	cr_assert_eq(lv_hosted_allocs_outstanding(), 0, "library leaked %ld allocations",
		     lv_hosted_allocs_outstanding());
}

TestSuite(api, .init = setup, .fini = teardown);

/* ---- status codes ----------------------------------------------------- */

Test(status, names_are_distinct_and_total)
{
	for (int i = 0; i > -LV_STATUS_COUNT; i--) {
		cr_assert_str_neq(lv_status_name(i), "LV_ERR_UNKNOWN", "code %d unnamed", i);
		cr_assert_str_neq(lv_strerror(i), "unknown status");
		for (int j = 0; j > i; j--)
			cr_assert_str_neq(lv_status_name(i), lv_status_name(j));
	}
	cr_assert_str_eq(lv_status_name(LV_OK), "LV_OK");
	cr_assert_str_eq(lv_status_name(LV_ERR_NOTSUP), "LV_ERR_NOTSUP");
	cr_assert_str_eq(lv_strerror(LV_ERR_NOTSUP), "not supported by this backend");
	cr_assert_str_eq(lv_status_name(1), "LV_ERR_UNKNOWN");
	cr_assert_str_eq(lv_status_name(-LV_STATUS_COUNT), "LV_ERR_UNKNOWN");
	cr_assert_str_eq(lv_status_name(-2147483647 - 1), "LV_ERR_UNKNOWN");
	cr_assert_str_eq(lv_strerror(12345), "unknown status");
}

Test(status, exit_and_backend_names)
{
	cr_assert_str_eq(lv_exit_reason_name(LV_EXIT_MMIO), "MMIO");
	cr_assert_str_eq(lv_exit_reason_name(LV_EXIT_CANCELLED), "CANCELLED");
	cr_assert_str_eq(lv_exit_reason_name(LV_EXIT_REASON_COUNT), "UNKNOWN");
	cr_assert_str_eq(lv_exit_reason_name(0xffffffffu), "UNKNOWN");
	for (uint32_t r = 0; r < LV_EXIT_REASON_COUNT; r++)
		cr_assert_not_null(lv_exit_reason_name(r));
	cr_assert_str_eq(lv_backend_kind_name(LV_BACKEND_KVM), "kvm");
	cr_assert_str_eq(lv_backend_kind_name(LV_BACKEND_SVM), "svm");
	cr_assert_str_eq(lv_backend_kind_name(LV_BACKEND_VMX), "vmx");
	cr_assert_str_eq(lv_backend_kind_name(99), "unknown");
	cr_assert_str_eq(lv_feature_name(LV_FEAT_CPUID_EXIT), "cpuid-exit");
	cr_assert_str_eq(lv_feature_name(LV_FEAT_UNRESTRICTED_GUEST), "unrestricted-guest");
	cr_assert_str_eq(lv_feature_name(LV_FEAT_RING0), "ring0");
	cr_assert_str_eq(lv_feature_name(0), "unknown");
	cr_assert_str_eq(lv_feature_name(LV_FEAT_DIRTY_LOG | LV_FEAT_RING0), "unknown");
	cr_assert_str_eq(lv_feature_name(1ull << 63), "unknown");
	/* Every defined bit up to LV_FEAT_RING0 has its own name. */
	for (uint64_t f = 1; f <= LV_FEAT_RING0; f <<= 1)
		cr_assert_str_neq(lv_feature_name(f), "unknown", "bit %#llx",
				  (unsigned long long)f);
}

/* ---- backends --------------------------------------------------------- */

Test(backend, open_rejects_bad_arguments)
{
	struct lv_backend *x = (void *)1;

	cr_assert_eq(lv_backend_open(LV_BACKEND_ANY, NULL), LV_ERR_INVAL);
	cr_assert_eq(lv_backend_open(77, &x), LV_ERR_INVAL);
	cr_assert_null(x);
	/* The hosted archive holds no raw backends. */
	cr_assert_eq(lv_backend_open(LV_BACKEND_VMX, &x), LV_ERR_NODEV);
	cr_assert_eq(lv_backend_open(LV_BACKEND_SVM, &x), LV_ERR_NODEV);
	cr_assert_eq(lv_backend_close(NULL), LV_ERR_INVAL);
	cr_assert_eq(lv_backend_caps(NULL, NULL), LV_ERR_INVAL);
	cr_assert_eq(lv_backend_open_ops(NULL, &x), LV_ERR_INVAL);
	cr_assert_eq(lv_cpu_enable(NULL), LV_ERR_INVAL);
	cr_assert_eq(lv_cpu_disable(NULL), LV_ERR_INVAL);
}

/* Opens that fail: one says why through lv_backend_fail(), one does not. */
static int m_open_says_why(struct lv_backend *bk)
{
	return lv_backend_fail(bk, LV_ERR_NOTSUP, LV_OPEN_MISSING_EXTENSION, 0, 136,
			       "KVM lacks KVM_CAP_IMMEDIATE_EXIT", "use a newer Linux kernel");
}
static int m_open_silent(struct lv_backend *bk)
{
	(void)bk;
	return LV_ERR_DISABLED;
}

Test(backend, open_ex_reports_the_cause)
{
	struct lv_backend_ops why_ops = mock_ops, silent_ops = mock_ops;
	struct lv_open_info w;
	struct lv_backend *x = NULL;

	why_ops.open = m_open_says_why;
	silent_ops.open = m_open_silent;
	memset(&w, 0x5a, sizeof(w));
	cr_assert_eq(lv_backend_open_ops_ex(&why_ops, &x, &w), LV_ERR_NOTSUP);
	cr_expect_null(x);
	cr_expect_eq(w.status, LV_ERR_NOTSUP);
	cr_expect_eq(w.cause, LV_OPEN_MISSING_EXTENSION);
	cr_expect_eq(w.detail, 136);
	cr_expect_eq(w.os_error, 0);
	cr_expect_str_eq(w.what, "KVM lacks KVM_CAP_IMMEDIATE_EXIT");
	cr_expect_str_eq(w.hint, "use a newer Linux kernel");

	/* A backend that says nothing: the cause follows from the status. */
	memset(&w, 0x5a, sizeof(w));
	cr_assert_eq(lv_backend_open_ops_ex(&silent_ops, &x, &w), LV_ERR_DISABLED);
	cr_expect_eq(w.cause, LV_OPEN_DISABLED);
	cr_expect_not_null(w.what);
	cr_expect_not_null(w.hint);
	cr_expect_eq(lv_hosted_allocs_outstanding(), 0);

	/* Success says so; NULL info is allowed. */
	cr_assert_eq(lv_backend_open_ops_ex(&mock_ops, &x, &w), LV_OK);
	cr_expect_eq(w.status, LV_OK);
	cr_expect_eq(w.cause, LV_OPEN_OK);
	cr_expect_str_eq(w.hint, "");
	cr_assert_eq(lv_backend_close(x), LV_OK);
	cr_assert_eq(lv_backend_open_ops_ex(&mock_ops, &x, NULL), LV_OK);
	cr_assert_eq(lv_backend_close(x), LV_OK);
}

Test(backend, open_ex_bad_arguments_and_unbuilt_kinds)
{
	struct lv_open_info w;
	struct lv_backend *x = (void *)1;

	cr_assert_eq(lv_backend_open_ex(LV_BACKEND_ANY, NULL, &w), LV_ERR_INVAL);
	cr_expect_eq(w.status, LV_ERR_INVAL);
	cr_expect_not_null(w.what);
	cr_assert_eq(lv_backend_open_ex(77, &x, &w), LV_ERR_INVAL);
	cr_expect_null(x);
	cr_expect_str_eq(w.what, "unknown backend kind");
	/* The hosted archive holds no raw backends: NOT_BUILT, and how to get one. */
	cr_assert_eq(lv_backend_open_ex(LV_BACKEND_SVM, &x, &w), LV_ERR_NODEV);
	cr_expect_eq(w.cause, LV_OPEN_NOT_BUILT);
	cr_expect_eq(w.kind, LV_BACKEND_SVM);
	cr_expect(strstr(w.hint, "libvcpu_kernel") != NULL, "hint: %s", w.hint);
	cr_assert_eq(lv_backend_open_ex(LV_BACKEND_VMX, &x, NULL), LV_ERR_NODEV);
}

Test(backend, open_fails_cleanly_without_memory)
{
	struct lv_backend *x = NULL;

	lv_hosted_fail_alloc_after(0);
	cr_assert_eq(lv_backend_open_ops(&mock_ops, &x), LV_ERR_NOMEM);
	lv_hosted_fail_alloc_after(-1);
	cr_assert_eq(lv_hosted_allocs_outstanding(), 0);
}

Test(api, caps_and_close_with_live_vm)
{
	struct lv_caps caps;

	cr_assert_eq(lv_backend_caps(b, &caps), LV_OK);
	cr_assert_eq(caps.max_vcpus, 4);
	cr_assert_eq(lv_backend_close(b), LV_ERR_BUSY, "close must refuse while a VM lives");
	/* Hosted-style backend: enabling a CPU is a no-op. */
	cr_assert_eq(lv_cpu_enable(b), LV_OK);
	cr_assert_eq(lv_cpu_disable(b), LV_OK);
}

/* ---- VMs -------------------------------------------------------------- */

Test(api, vm_create_validates)
{
	struct lv_vm *x = (void *)1;
	struct lv_vm_config cfg = { .max_vcpus = 5 };

	cr_assert_eq(lv_vm_create(NULL, NULL, &x), LV_ERR_INVAL);
	cr_assert_eq(lv_vm_create(b, NULL, NULL), LV_ERR_INVAL);
	cr_assert_eq(lv_vm_create(b, &cfg, &x), LV_ERR_LIMIT);
	cr_assert_null(x);
	cfg.max_vcpus = 1;
	cfg.flags = 1u << 2; /* unknown */
	cr_assert_eq(lv_vm_create(b, &cfg, &x), LV_ERR_INVAL);
	cfg.flags = LV_VM_PIT; /* a PIT needs the irqchip */
	cr_assert_eq(lv_vm_create(b, &cfg, &x), LV_ERR_INVAL);
	cfg.flags = LV_VM_IRQCHIP; /* the mock backend has no LV_FEAT_IRQCHIP */
	cr_assert_eq(lv_vm_create(b, &cfg, &x), LV_ERR_NOTSUP);
	cr_assert_null(x);
	cfg.flags = 0;
	cr_assert_eq(lv_vm_create(b, &cfg, &x), LV_OK);
	/* Without an interrupt controller: no lines, no MSIs, no APIC/MP state. */
	cr_assert_eq(lv_vm_irq_line(x, 4, 1), LV_ERR_NOTSUP);
	cr_assert_eq(lv_vm_irq_line(x, 24, 1), LV_ERR_INVAL);
	cr_assert_eq(lv_vm_irq_line(x, 4, 2), LV_ERR_INVAL);
	cr_assert_eq(lv_vm_signal_msi(x, 0xfee00000u, 0x30), LV_ERR_NOTSUP);
	cr_assert_eq(lv_vm_signal_msi(x, 0xfec00000u, 0x30), LV_ERR_INVAL);
	cr_assert_eq(lv_vm_irq_line(NULL, 4, 1), LV_ERR_INVAL);
	cr_assert_eq(lv_vm_destroy(x), LV_OK);
	cr_assert_eq(lv_vm_irq_line(x, 4, 1), LV_ERR_STALE);
	cr_assert_eq(lv_vm_signal_msi(x, 0xfee00000u, 0x30), LV_ERR_STALE);
}

Test(api, vm_destroy_lifecycle)
{
	struct lv_vcpu *v;
	struct lv_vm *x;

	cr_assert_eq(lv_vm_destroy(NULL), LV_ERR_INVAL);
	cr_assert_eq(lv_vcpu_create(vm, 0, &v), LV_OK);
	cr_assert_eq(lv_vm_destroy(vm), LV_ERR_BUSY, "vCPUs still exist");
	cr_assert_eq(lv_vcpu_destroy(v), LV_OK);
	cr_assert_eq(lv_vm_destroy(vm), LV_OK);
	cr_assert_eq(mock.vm_destroys, 1);
	/* Every call on the destroyed VM is refused, not a use-after-free. */
	cr_assert_eq(lv_vm_destroy(vm), LV_ERR_STALE);
	cr_assert_eq(lv_vm_map(vm, ram, 0, 4096, LV_PROT_ALL), LV_ERR_STALE);
	cr_assert_eq(lv_vm_unmap(vm, 0, 4096), LV_ERR_STALE);
	cr_assert_eq(lv_vcpu_create(vm, 0, &v), LV_ERR_STALE);
	/* The memory is reused by the next VM. */
	cr_assert_eq(lv_vm_create(b, NULL, &x), LV_OK);
	cr_assert_eq(x, vm);
}

Test(api, vm_create_out_of_memory_then_recovers)
{
	struct lv_vm *x = NULL;
	long n;
	int rc;

	/* Fail each allocation in turn: never a leak, never a half-made VM. */
	for (n = 0; n < 8; n++) {
		lv_hosted_fail_alloc_after(n);
		rc = lv_vm_create(b, NULL, &x);
		lv_hosted_fail_alloc_after(-1);
		if (rc == LV_OK) {
			cr_assert_eq(lv_vm_destroy(x), LV_OK);
			break;
		}
		cr_assert_eq(rc, LV_ERR_NOMEM);
		cr_assert_null(x);
	}
	cr_assert_lt(n, 8);
	cr_assert_eq(lv_vm_create(b, NULL, &x), LV_OK);
	cr_assert_eq(lv_vm_destroy(x), LV_OK);
}

/* ---- memory ----------------------------------------------------------- */

Test(api, map_validates_arguments)
{
	cr_assert_eq(lv_vm_map(NULL, ram, 0, 4096, LV_PROT_ALL), LV_ERR_INVAL);
	cr_assert_eq(lv_vm_map(vm, NULL, 0, 4096, LV_PROT_ALL), LV_ERR_INVAL);
	cr_assert_eq(lv_vm_map(vm, ram, 0, 0, LV_PROT_ALL), LV_ERR_INVAL, "zero size");
	cr_assert_eq(lv_vm_map(vm, ram, 0, 4096, 0), LV_ERR_INVAL, "no access");
	cr_assert_eq(lv_vm_map(vm, ram, 0, 4096, LV_PROT_WRITE), LV_ERR_INVAL, "W without R");
	cr_assert_eq(lv_vm_map(vm, ram, 0, 4096, LV_PROT_ALL | (1u << 20)), LV_ERR_INVAL);
	cr_assert_eq(lv_vm_map(vm, ram, 0x800, 4096, LV_PROT_ALL), LV_ERR_ALIGN);
	cr_assert_eq(lv_vm_map(vm, ram, 0, 4095, LV_PROT_ALL), LV_ERR_ALIGN);
	cr_assert_eq(lv_vm_map(vm, ram + 1, 0, 4096, LV_PROT_ALL), LV_ERR_ALIGN);
	cr_assert_eq(lv_vm_map(vm, ram, 1ull << 36, 4096, LV_PROT_ALL), LV_ERR_RANGE,
		     "beyond guest_phys_bits");
	cr_assert_eq(lv_vm_map(vm, ram, (1ull << 36) - 4096, 8192, LV_PROT_ALL), LV_ERR_RANGE);
	cr_assert_eq(lv_vm_map(vm, ram, 0xfffffffffffff000ull, 8192, LV_PROT_ALL), LV_ERR_RANGE,
		     "wrap-around");
	cr_assert_eq(mock.maps, 0, "nothing reached the backend");
}

Test(api, map_overlap_and_limit)
{
	cr_assert_eq(lv_vm_map(vm, ram, 0x10000, 0x4000, LV_PROT_ALL), LV_OK);
	cr_assert_eq(mock.maps, 1);
	cr_assert_eq(mock.last_gpa, 0x10000);
	cr_assert_eq(lv_vm_map(vm, ram, 0x10000, 0x1000, LV_PROT_ALL), LV_ERR_EXIST);
	cr_assert_eq(lv_vm_map(vm, ram, 0xf000, 0x2000, LV_PROT_ALL), LV_ERR_EXIST);
	cr_assert_eq(lv_vm_map(vm, ram, 0x13000, 0x1000, LV_PROT_ALL), LV_ERR_EXIST);
	cr_assert_eq(lv_vm_map(vm, ram, 0x8000, 0x20000, LV_PROT_ALL), LV_ERR_EXIST, "covers");
	cr_assert_eq(lv_vm_map(vm, ram, 0x14000, 0x1000, LV_PROT_ALL), LV_OK, "adjacent");
	cr_assert_eq(lv_vm_map(vm, ram, 0xf000, 0x1000, LV_PROT_ALL), LV_OK, "adjacent below");
	/* The mock allows 8 mappings. */
	for (int i = 0; i < 5; i++)
		cr_assert_eq(lv_vm_map(vm, ram, 0x100000 + i * 0x2000, 0x1000, LV_PROT_READ),
			     LV_OK);
	cr_assert_eq(lv_vm_map(vm, ram, 0x200000, 0x1000, LV_PROT_ALL), LV_ERR_LIMIT);
}

/* Without LV_FEAT_NOEXEC_MEM a protection without EXEC is refused, not ignored. */
Test(api, noexec_needs_the_feature)
{
	cr_assert_eq(lv_vm_map(vm, ram, 0x10000, 0x1000, LV_PROT_READ | LV_PROT_WRITE), LV_OK);
	b->caps.features &= ~LV_FEAT_NOEXEC_MEM;
	cr_assert_eq(lv_vm_map(vm, ram, 0x20000, 0x1000, LV_PROT_READ), LV_ERR_NOTSUP);
	cr_assert_eq(lv_vm_protect(vm, 0x10000, 0x1000, LV_PROT_READ), LV_ERR_NOTSUP);
	cr_assert_eq(lv_vm_protect(vm, 0x10000, 0x1000, 0), LV_OK, "no access at all");
	cr_assert_eq(lv_vm_protect(vm, 0x10000, 0x1000, LV_PROT_READ | LV_PROT_EXEC), LV_OK);
	cr_assert_eq(mock.maps, 1);
}

Test(api, map_backend_failure_changes_nothing)
{
	mock.fail_map = LV_ERR_HW;
	cr_assert_eq(lv_vm_map(vm, ram, 0, 0x1000, LV_PROT_ALL), LV_ERR_HW);
	mock.fail_map = 0;
	cr_assert_eq(lv_vm_unmap(vm, 0, 0x1000), LV_ERR_NOENT);
	cr_assert_eq(lv_vm_map(vm, ram, 0, 0x1000, LV_PROT_ALL), LV_OK);
}

Test(api, unmap_and_protect_need_full_coverage)
{
	cr_assert_eq(lv_vm_map(vm, ram, 0x10000, 0x4000, LV_PROT_ALL), LV_OK);
	cr_assert_eq(lv_vm_map(vm, ram + 0x4000, 0x14000, 0x4000, LV_PROT_ALL), LV_OK);
	cr_assert_eq(lv_vm_unmap(vm, 0x0f000, 0x2000), LV_ERR_NOENT);
	cr_assert_eq(lv_vm_unmap(vm, 0x17000, 0x2000), LV_ERR_NOENT);
	cr_assert_eq(lv_vm_unmap(vm, 0x10000, 0), LV_ERR_INVAL);
	cr_assert_eq(lv_vm_unmap(vm, 0x10800, 0x1000), LV_ERR_ALIGN);
	cr_assert_eq(lv_vm_protect(vm, 0x10000, 0x1000, LV_PROT_WRITE), LV_ERR_INVAL);
	cr_assert_eq(lv_vm_protect(vm, 0x10000, 0x1000, LV_MAP_DIRTY_LOG), LV_ERR_INVAL);
	cr_assert_eq(mock.unmaps + mock.protects, 0);
	/* Across two mappings, splitting both. */
	cr_assert_eq(lv_vm_protect(vm, 0x12000, 0x4000, LV_PROT_READ), LV_OK);
	cr_assert_eq(mock.last_gpa, 0x12000);
	cr_assert_eq(mock.last_size, 0x4000);
	cr_assert_eq(vm->mem.count, 4);
	/* A hole in the middle. */
	cr_assert_eq(lv_vm_unmap(vm, 0x13000, 0x2000), LV_OK);
	cr_assert_eq(lv_vm_unmap(vm, 0x13000, 0x1000), LV_ERR_NOENT, "already gone");
	cr_assert_eq(lv_vm_map(vm, ram, 0x13000, 0x2000, LV_PROT_ALL), LV_OK, "hole reusable");
	/* Protection with no access at all is allowed (every access exits). */
	cr_assert_eq(lv_vm_protect(vm, 0x10000, 0x1000, 0), LV_OK);
}

Test(api, get_dirty_validates)
{
	uint64_t bm[1];

	cr_assert_eq(lv_vm_map(vm, ram, 0x10000, 0x4000, LV_PROT_ALL), LV_OK);
	cr_assert_eq(lv_vm_get_dirty(vm, 0x10000, 0x4000, NULL), LV_ERR_INVAL);
	/* The mock has no get_dirty: the distinct NOTSUP status. */
	cr_assert_eq(lv_vm_get_dirty(vm, 0x10000, 0x4000, bm), LV_ERR_NOTSUP);
}

Test(api, msr_exits_validate)
{
	struct lv_msr_range r = { .first = 0x10, .count = 1, .flags = LV_MSR_EXIT_READ };

	cr_assert_eq(lv_vm_set_msr_exits(vm, NULL, 1), LV_ERR_INVAL);
	r.count = 0;
	cr_assert_eq(lv_vm_set_msr_exits(vm, &r, 1), LV_ERR_INVAL);
	r.count = 1;
	r.flags = 0;
	cr_assert_eq(lv_vm_set_msr_exits(vm, &r, 1), LV_ERR_INVAL);
	r.flags = 8;
	cr_assert_eq(lv_vm_set_msr_exits(vm, &r, 1), LV_ERR_INVAL);
	r.flags = LV_MSR_EXIT_WRITE;
	r.first = 0xffffffffu;
	r.count = 2;
	cr_assert_eq(lv_vm_set_msr_exits(vm, &r, 1), LV_ERR_INVAL, "wraps");
	r.count = 1;
	cr_assert_eq(lv_vm_set_msr_exits(vm, &r, 1), LV_ERR_NOTSUP);
}

/* ---- vCPUs ------------------------------------------------------------ */

Test(api, vcpu_create_validates)
{
	struct lv_vcpu *v, *w;

	cr_assert_eq(lv_vcpu_create(NULL, 0, &v), LV_ERR_INVAL);
	cr_assert_eq(lv_vcpu_create(vm, 0, NULL), LV_ERR_INVAL);
	cr_assert_eq(lv_vcpu_create(vm, 4, &v), LV_ERR_LIMIT);
	cr_assert_eq(lv_vcpu_create(vm, 3, &v), LV_OK);
	cr_assert_eq(lv_vcpu_create(vm, 3, &w), LV_ERR_EXIST);
	cr_assert_eq(lv_vcpu_destroy(v), LV_OK);
	cr_assert_eq(lv_vcpu_destroy(v), LV_ERR_STALE);
	cr_assert_eq(lv_vcpu_destroy(NULL), LV_ERR_INVAL);
}

Test(api, calls_on_destroyed_vcpu_are_refused)
{
	struct lv_vcpu *v;
	struct lv_exit *e = (void *)1;
	struct lv_state st;
	struct lv_event ev = { .type = LV_EVENT_NMI };
	uint64_t val;

	cr_assert_eq(lv_vcpu_create(vm, 0, &v), LV_OK);
	cr_assert_eq(lv_vcpu_destroy(v), LV_OK);
	cr_assert_eq(lv_vcpu_run(v, &e), LV_ERR_STALE);
	cr_assert_eq(lv_vcpu_kick(v), LV_ERR_STALE);
	cr_assert_eq(lv_vcpu_get_state(v, LV_STATE_ALL, &st), LV_ERR_STALE);
	cr_assert_eq(lv_vcpu_set_state(v, LV_STATE_ALL, &st), LV_ERR_STALE);
	cr_assert_eq(lv_vcpu_get_msr(v, 0x10, &val), LV_ERR_STALE);
	cr_assert_eq(lv_vcpu_set_msr(v, 0x10, 0), LV_ERR_STALE);
	cr_assert_eq(lv_vcpu_inject(v, &ev), LV_ERR_STALE);
	cr_assert_eq(lv_vcpu_request_window(v, LV_WINDOW_IRQ), LV_ERR_STALE);
	cr_assert_eq(lv_vcpu_set_cpuid(v, NULL, 0), LV_ERR_STALE);
	cr_assert_eq(lv_vcpu_set_exception_exits(v, 0), LV_ERR_STALE);
	cr_assert_eq(lv_vcpu_set_debug(v, 0), LV_ERR_STALE);
}

Test(api, run_and_state_dispatch)
{
	struct lv_vcpu *v;
	struct lv_exit *e = NULL;
	struct lv_state st;

	cr_assert_eq(lv_vcpu_create(vm, 1, &v), LV_OK);
	cr_assert_eq(lv_vcpu_run(v, NULL), LV_ERR_INVAL);
	cr_assert_eq(lv_vcpu_run(v, &e), LV_OK);
	cr_assert_not_null(e);
	cr_assert_eq(e->reason, LV_EXIT_HLT);
	memset(&st, 0, sizeof(st));
	cr_assert_eq(lv_vcpu_get_state(v, LV_STATE_GPRS, &st), LV_OK);
	cr_assert_eq(st.regs.rip, 0x1234);
	cr_assert_eq(lv_vcpu_get_state(v, 1u << 7, &st), LV_ERR_INVAL, "unknown group");
	cr_assert_eq(lv_vcpu_get_state(v, LV_STATE_APIC, &st), LV_ERR_NOTSUP, "no irqchip");
	cr_assert_eq(lv_vcpu_set_state(v, LV_STATE_MP, &st), LV_ERR_NOTSUP, "no irqchip");
	cr_assert_eq(lv_vcpu_get_state(v, LV_STATE_ALL, NULL), LV_ERR_INVAL);
	/* Not implemented by the mock: the distinct NOTSUP status. */
	cr_assert_eq(lv_vcpu_set_state(v, LV_STATE_GPRS, &st), LV_ERR_NOTSUP);
	cr_assert_eq(lv_vcpu_kick(v), LV_ERR_NOTSUP);
	cr_assert_eq(lv_vcpu_set_debug(v, 2), LV_ERR_INVAL);
	cr_assert_eq(lv_vcpu_set_debug(v, LV_DEBUG_SINGLESTEP), LV_ERR_NOTSUP);
	cr_assert_eq(lv_vcpu_request_window(v, 4), LV_ERR_INVAL);
	cr_assert_eq(lv_vcpu_set_exception_exits(v, 1u << 6), LV_OK);
	cr_assert_eq(lv_vcpu_set_exception_exits(v, 1u << 14), LV_ERR_NOTSUP);
	cr_assert_eq(lv_vcpu_destroy(v), LV_OK);
}

/* XCR0 and the XSAVE header are checked before the backend sees them (state.h). */
Test(api, xcr0_and_xsave_header_are_validated)
{
	struct lv_vcpu *v;
	struct lv_state st;
	const uint32_t ctl = LV_STATE_CONTROL, fpu = LV_STATE_FPU;

	cr_assert_eq(lv_vcpu_create(vm, 1, &v), LV_OK);
	lv_state_init_reset(&st);
	/* Valid: the mock's NOTSUP, not INVAL. */
	cr_assert_eq(lv_vcpu_set_state(v, ctl | fpu, &st), LV_ERR_NOTSUP);
	st.ctrl.xcr0 = 7;
	st.fpu.xsave_header[0] = 7;
	cr_assert_eq(lv_vcpu_set_state(v, ctl | fpu, &st), LV_ERR_NOTSUP, "x87 | SSE | AVX");
	st.ctrl.xcr0 = 0xe7;
	cr_assert_eq(lv_vcpu_set_state(v, ctl, &st), LV_ERR_NOTSUP, "AVX-512 complete");
	/* SDM Vol. 1, 13.3: x87 always, AVX needs SSE, AVX-512 all or none and needs AVX. */
	st.ctrl.xcr0 = 6;
	cr_assert_eq(lv_vcpu_set_state(v, ctl, &st), LV_ERR_INVAL, "no x87");
	st.ctrl.xcr0 = 5;
	cr_assert_eq(lv_vcpu_set_state(v, ctl, &st), LV_ERR_INVAL, "AVX without SSE");
	st.ctrl.xcr0 = 0x27;
	cr_assert_eq(lv_vcpu_set_state(v, ctl, &st), LV_ERR_INVAL, "opmask alone");
	st.ctrl.xcr0 = 0xe3;
	cr_assert_eq(lv_vcpu_set_state(v, ctl, &st), LV_ERR_INVAL, "AVX-512 without AVX");
	st.ctrl.xcr0 = 1ull << 63 | 1;
	cr_assert_eq(lv_vcpu_set_state(v, ctl, &st), LV_ERR_INVAL, "bit 63");
	st.ctrl.xcr0 = 1;
	/* SDM Vol. 1, 13.8.1: what XRSTOR of the standard format refuses. */
	st.fpu.xsave_header[0] = 0x0f;
	cr_assert_eq(lv_vcpu_set_state(v, fpu, &st), LV_ERR_INVAL, "XSTATE_BV beyond AVX");
	st.fpu.xsave_header[0] = 7;
	st.fpu.xsave_header[15] = 0x80;
	cr_assert_eq(lv_vcpu_set_state(v, fpu, &st), LV_ERR_INVAL, "compacted format");
	st.fpu.xsave_header[15] = 0;
	st.fpu.xsave_header[20] = 1;
	cr_assert_eq(lv_vcpu_set_state(v, fpu, &st), LV_ERR_INVAL, "header bytes 16-23");
	st.fpu.xsave_header[20] = 0;
	st.fpu.fxsave[26] = 1;
	cr_assert_eq(lv_vcpu_set_state(v, fpu, &st), LV_ERR_INVAL, "MXCSR reserved");
	cr_assert_eq(lv_vcpu_destroy(v), LV_OK);
}

Test(api, running_vcpu_refuses_other_calls)
{
	struct lv_vcpu *v;
	struct lv_exit *e;
	struct lv_state st;

	cr_assert_eq(lv_vcpu_create(vm, 0, &v), LV_OK);
	/* Simulate another thread inside run(). */
	v->running = 1;
	cr_assert_eq(lv_vcpu_run(v, &e), LV_ERR_BUSY);
	cr_assert_eq(lv_vcpu_get_state(v, LV_STATE_GPRS, &st), LV_ERR_BUSY);
	cr_assert_eq(lv_vcpu_destroy(v), LV_ERR_BUSY);
	v->running = 0;
	cr_assert_eq(lv_vcpu_destroy(v), LV_OK);
}

Test(api, inject_and_cpuid_validate)
{
	struct lv_vcpu *v;
	struct lv_event ev = { .type = LV_EVENT_EXTINT, .vector = 31 };
	struct lv_cpuid_entry c = { .leaf = 1, .flags = 4 };

	cr_assert_eq(lv_vcpu_create(vm, 0, &v), LV_OK);
	cr_assert_eq(lv_vcpu_inject(v, NULL), LV_ERR_INVAL);
	cr_assert_eq(lv_vcpu_inject(v, &ev), LV_ERR_INVAL, "vector < 32");
	ev.vector = 32;
	ev.has_error_code = 1;
	cr_assert_eq(lv_vcpu_inject(v, &ev), LV_ERR_INVAL, "external int with error code");
	ev.type = LV_EVENT_EXCEPTION;
	ev.vector = 32;
	cr_assert_eq(lv_vcpu_inject(v, &ev), LV_ERR_INVAL, "exception vector >= 32");
	ev.vector = 2;
	cr_assert_eq(lv_vcpu_inject(v, &ev), LV_ERR_INVAL, "NMI as exception");
	ev.type = 9;
	cr_assert_eq(lv_vcpu_inject(v, &ev), LV_ERR_INVAL);
	ev.type = LV_EVENT_EXCEPTION;
	ev.vector = 13;
	cr_assert_eq(lv_vcpu_inject(v, &ev), LV_ERR_NOTSUP);
	cr_assert_eq(lv_vcpu_set_cpuid(v, NULL, 1), LV_ERR_INVAL);
	cr_assert_eq(lv_vcpu_set_cpuid(v, &c, 1), LV_ERR_INVAL, "unknown flag");
	c.flags = LV_CPUID_EXIT;
	cr_assert_eq(lv_vcpu_set_cpuid(v, &c, 1), LV_ERR_NOTSUP, "no CPUID exits here");
	cr_assert_eq(lv_vcpu_destroy(v), LV_OK);
}

/* ---- state templates -------------------------------------------------- */

Test(state, reset_values_match_the_sdm)
{
	struct lv_state st;

	memset(&st, 0xa5, sizeof(st));
	lv_state_init_reset(&st);
	cr_assert_eq(st.regs.rip, 0xfff0);
	cr_assert_eq(st.regs.rflags, 2);
	cr_assert_eq(st.segs.cs.selector, 0xf000);
	cr_assert_eq(st.segs.cs.base, 0xffff0000);
	cr_assert_eq(st.segs.cs.limit, 0xffff);
	cr_assert_eq(st.ctrl.cr0, 0x60000010);
	cr_assert_eq(st.debug.dr6, 0xffff0ff0);
	cr_assert_eq(st.debug.dr7, 0x400);
	cr_assert_eq(st.msrs.pat, 0x0007040600070406ull);
	cr_assert_eq(st.regs.rax, 0);
	cr_assert_eq(st.ctrl.xcr0, 1);
	cr_assert_eq(st.fpu.xsave_header[0], 3, "XSTATE_BV: x87 and SSE as given");
	cr_assert_eq(st.fpu.ymm_hi128[0], 0);
}

Test(state, long_mode_template)
{
	struct lv_state st;

	memset(&st, 0, sizeof(st));
	lv_state_init_long64(&st, 0x9000);
	cr_assert_eq(st.ctrl.cr3, 0x9000);
	cr_assert_eq(st.ctrl.cr0, 0x80010033);
	cr_assert_eq(st.ctrl.cr4, 0x20);
	cr_assert_eq(st.ctrl.efer, 0x500);
	cr_assert_eq(st.segs.cs.l, 1);
	cr_assert_eq(st.segs.cs.db, 0);
	lv_state_init_protected32(&st);
	cr_assert_eq(st.ctrl.cr0, 0x31);
	cr_assert_eq(st.segs.cs.db, 1);
	cr_assert_eq(st.segs.cs.l, 0);
	cr_assert_eq(st.ctrl.efer, 0);
}

/* ---- the memory-table lock (internal.h): vCPU readers against changes ---- */

static struct {
	struct lv_vcpu *v;
	int stop, rounds, inside, writing, violations;
} ml;

static void nap_us(long us)
{
	struct timespec t = { 0, us * 1000 };

	nanosleep(&t, NULL);
}

/* A vCPU thread's exit handling: long read sections. */
static void *long_reader(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&ml.stop, __ATOMIC_ACQUIRE)) {
		lv_mem_read_begin(ml.v);
		__atomic_store_n(&ml.inside, 1, __ATOMIC_SEQ_CST);
		nap_us(500);
		__atomic_store_n(&ml.inside, 0, __ATOMIC_SEQ_CST);
		lv_mem_read_end(ml.v);
		__atomic_add_fetch(&ml.rounds, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void change_sees_no_reader(void)
{
	if (__atomic_load_n(&ml.inside, __ATOMIC_SEQ_CST))
		ml.violations++;
}

/* Changes alternate with a reader that holds the table most of the time. */
Test(api, mem_change_waits_for_vcpu_readers)
{
	pthread_t t;
	int i;

	cr_assert_eq(lv_vcpu_create(vm, 0, &ml.v), LV_OK);
	cr_assert_eq(lv_vm_map(vm, ram, 0, 4096, LV_PROT_READ), LV_OK);
	mock.change_hook = change_sees_no_reader;
	cr_assert_eq(pthread_create(&t, NULL, long_reader, NULL), 0);
	while (!__atomic_load_n(&ml.rounds, __ATOMIC_RELAXED))
		nap_us(100);
	for (i = 0; i < 40; i++) {
		cr_assert_eq(lv_vm_map(vm, ram + 4096, 0x10000, 4096, LV_PROT_READ), LV_OK);
		cr_assert_eq(lv_vm_unmap(vm, 0x10000, 4096), LV_OK);
	}
	__atomic_store_n(&ml.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	mock.change_hook = NULL;
	cr_assert_eq(ml.violations, 0, "%d of 80 changes ran while a vCPU was reading the table",
		     ml.violations);
	cr_assert_eq(lv_vcpu_destroy(ml.v), LV_OK);
}

/* A change that takes a while; readers must not start during it. */
static void slow_change(void)
{
	__atomic_store_n(&ml.writing, 1, __ATOMIC_SEQ_CST);
	nap_us(500);
	__atomic_store_n(&ml.writing, 0, __ATOMIC_SEQ_CST);
}

static void *short_reader(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&ml.stop, __ATOMIC_ACQUIRE)) {
		lv_mem_read_begin(ml.v);
		lv_mem_read_begin(ml.v); /* nested, as an emulator inside a fault handler */
		if (__atomic_load_n(&ml.writing, __ATOMIC_SEQ_CST))
			__atomic_add_fetch(&ml.violations, 1, __ATOMIC_RELAXED);
		lv_mem_read_end(ml.v);
		lv_mem_read_end(ml.v);
		__atomic_add_fetch(&ml.rounds, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

Test(api, vcpu_readers_wait_for_mem_changes)
{
	pthread_t t;
	int i;

	memset(&ml, 0, sizeof(ml));
	cr_assert_eq(lv_vcpu_create(vm, 0, &ml.v), LV_OK);
	mock.change_hook = slow_change;
	cr_assert_eq(pthread_create(&t, NULL, short_reader, NULL), 0);
	for (i = 0; i < 40; i++) {
		cr_assert_eq(lv_vm_map(vm, ram, 0x10000, 4096, LV_PROT_READ), LV_OK);
		cr_assert_eq(lv_vm_unmap(vm, 0x10000, 4096), LV_OK);
	}
	__atomic_store_n(&ml.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	mock.change_hook = NULL;
	cr_assert_gt(ml.rounds, 0, "the reader never ran");
	cr_assert_eq(ml.violations, 0, "a vCPU read the table %d times during a change",
		     ml.violations);
	cr_assert_eq(ml.v->mem_reading, 0, "the nesting depth did not come back to 0");
	cr_assert_eq(lv_vcpu_destroy(ml.v), LV_OK);
}
