/* SPDX-License-Identifier: MIT */
/*
 * The KVM exit -> lv_exit mapping on synthetic kvm_run contents, for the
 * exits this host never produces (FAIL_ENTRY, SYSTEM_EVENT, unknown ones)
 * and the details of the others. Needs no /dev/kvm.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "backend/kvm/kvm_priv.h"

static struct kvm_backend kb;
static struct kvm_vcpu kp;
static struct lv_exit ex;
static struct kvm_run *run;

static void setup(void)
{
	run = calloc(1, 4096);
	cr_assert(run);
	memset(&kp, 0, sizeof(kp));
	memset(&ex, 0xa5, sizeof(ex));
	kp.run = run;
	kp.kb = &kb;
}

static void teardown(void)
{
	free(run);
}

TestSuite(kvm_exits, .init = setup, .fini = teardown);

Test(kvm_exits, io_points_into_kvm_run)
{
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = KVM_EXIT_IO_IN;
	run->io.size = 2;
	run->io.port = 0x1f0;
	run->io.count = 8;
	run->io.data_offset = 0x800;
	lv_kvm_decode_exit(&kp, &ex);
	cr_expect_eq(ex.reason, LV_EXIT_IO);
	cr_expect_eq(ex.io.port, 0x1f0);
	cr_expect_eq(ex.io.size, 2);
	cr_expect_eq(ex.io.count, 8);
	cr_expect_eq(ex.io.is_write, 0);
	cr_expect_eq(ex.io.is_string, 1);
	cr_expect_eq(ex.io.data, (uint8_t *)run + 0x800);
	cr_expect_eq(ex.raw.reason, KVM_EXIT_IO);
}

Test(kvm_exits, mmio_read_marks_completion)
{
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = 0xfee00030;
	run->mmio.len = 4;
	run->mmio.is_write = 0;
	memset(run->mmio.data, 0x77, 8);
	lv_kvm_decode_exit(&kp, &ex);
	cr_expect_eq(ex.reason, LV_EXIT_MMIO);
	cr_expect_eq(ex.mmio.gpa, 0xfee00030);
	cr_expect_eq(ex.mmio.size, 4);
	cr_expect_eq(ex.mmio.data[0], 0); /* a read: the caller fills it */
	cr_expect_eq(kp.complete, KVM_COMPLETE_MMIO_READ);
}

Test(kvm_exits, fail_entry)
{
	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = 0x80000021;
	run->fail_entry.cpu = 3;
	lv_kvm_decode_exit(&kp, &ex);
	cr_expect_eq(ex.reason, LV_EXIT_ENTRY_FAILED);
	cr_expect_eq(ex.entry_failed.kind, LV_ENTRY_FAIL_KVM);
	cr_expect_eq(ex.entry_failed.hw_reason, 0x80000021);
	cr_expect_eq(ex.raw.qual, 0x80000021);
}

Test(kvm_exits, internal_error_and_system_event)
{
	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	run->internal.ndata = 6;
	run->internal.data[0] = 11;
	run->internal.data[3] = 44;
	lv_kvm_decode_exit(&kp, &ex);
	cr_expect_eq(ex.reason, LV_EXIT_INTERNAL_ERROR);
	cr_expect_eq(ex.internal.suberror, KVM_INTERNAL_ERROR_EMULATION);
	cr_expect_eq(ex.internal.ndata, 4);
	cr_expect_eq(ex.internal.data[0], 11);
	cr_expect_eq(ex.internal.data[3], 44);

	memset(run, 0, 4096);
	run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	run->system_event.type = KVM_SYSTEM_EVENT_RESET;
	lv_kvm_decode_exit(&kp, &ex);
	cr_expect_eq(ex.reason, LV_EXIT_SYSTEM_EVENT);
	cr_expect_eq(ex.system_event.type, LV_SYSTEM_EVENT_RESET);
	run->system_event.type = 77;
	lv_kvm_decode_exit(&kp, &ex);
	cr_expect_eq(ex.system_event.type, LV_SYSTEM_EVENT_OTHER);
}

Test(kvm_exits, msr_and_debug)
{
	run->exit_reason = KVM_EXIT_X86_WRMSR;
	run->msr.index = 0x174;
	run->msr.reason = KVM_MSR_EXIT_REASON_UNKNOWN;
	run->msr.data = 0x1234;
	lv_kvm_decode_exit(&kp, &ex);
	cr_expect_eq(ex.reason, LV_EXIT_WRMSR);
	cr_expect_eq(ex.msr.reason, LV_MSR_EXIT_UNKNOWN);
	cr_expect_eq(ex.msr.value, 0x1234);
	cr_expect_eq(kp.complete, KVM_COMPLETE_MSR);

	run->exit_reason = KVM_EXIT_DEBUG;
	run->debug.arch.exception = 3;
	run->debug.arch.pc = 0x8000;
	kp.exc_vectors = 1u << 3;
	lv_kvm_decode_exit(&kp, &ex);
	cr_expect_eq(ex.reason, LV_EXIT_EXCEPTION);
	cr_expect_eq(ex.exception.vector, 3);
	kp.exc_vectors = 0;
	kp.debug_flags = LV_DEBUG_SINGLESTEP;
	run->debug.arch.exception = 1;
	run->debug.arch.dr6 = 1ull << 14;
	lv_kvm_decode_exit(&kp, &ex);
	cr_expect_eq(ex.reason, LV_EXIT_DEBUG);
	cr_expect_eq(ex.debug.pc, 0x8000);
}

Test(kvm_exits, unknown_keeps_raw)
{
	run->exit_reason = 0x7777;
	lv_kvm_decode_exit(&kp, &ex);
	cr_expect_eq(ex.reason, LV_EXIT_UNKNOWN);
	cr_expect_eq(ex.raw.reason, 0x7777);
}
