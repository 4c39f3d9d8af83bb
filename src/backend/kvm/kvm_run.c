/* SPDX-License-Identifier: MIT */
/*
 * KVM backend: the run loop and the KVM exit -> lv_exit mapping
 * (api.rst 5 "The kvm_run structure").
 *
 * IO exits are zero-copy: lv_exit.io.data points into the kvm_run page at
 * io.data_offset, so for IN/INS the caller's data is where KVM completes it
 * from on the next KVM_RUN. MMIO read data and RDMSR results are copied
 * back into kvm_run before re-entering.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvm_priv.h"

static __thread int32_t cached_tid;

static int32_t self_tid(void)
{
	if (!cached_tid)
		cached_tid = (int32_t)syscall(SYS_gettid);
	return cached_tid;
}

/* Complete the previous exit's read side (IO data is already in place). */
static void complete_previous(struct kvm_vcpu *kp, const struct lv_exit *ex)
{
	struct kvm_run *run = kp->run;

	if (kp->complete == KVM_COMPLETE_MMIO_READ) {
		memcpy(run->mmio.data, ex->mmio.data, sizeof(run->mmio.data));
	} else if (kp->complete == KVM_COMPLETE_MSR) {
		if (run->exit_reason == KVM_EXIT_X86_RDMSR)
			run->msr.data = ex->msr.value;
		run->msr.error = ex->msr.error ? 1 : 0;
	}
	kp->complete = KVM_COMPLETE_NONE;
}

static void decode_debug(struct kvm_vcpu *kp, struct lv_exit *ex)
{
	const struct kvm_debug_exit_arch *d = &kp->run->debug.arch;
	int singlestep = d->exception == 1 && (kp->debug_flags & LV_DEBUG_SINGLESTEP) &&
			 (d->dr6 & (1ull << 14)); /* DR6.BS, SDM Vol. 3, 18.2.3 */

	ex->raw.qual = d->exception;
	ex->raw.info1 = d->pc;
	if (!singlestep && d->exception < 32 && (kp->exc_vectors & (1u << d->exception))) {
		ex->reason = LV_EXIT_EXCEPTION;
		ex->exception.vector = (uint8_t)d->exception;
		ex->exception.has_error_code = 0;
		ex->exception.error_code = 0;
		ex->exception.cr2 = 0;
		return;
	}
	ex->reason = LV_EXIT_DEBUG;
	ex->debug.dr6 = d->dr6;
	ex->debug.dr7 = d->dr7;
	ex->debug.pc = d->pc;
}

void lv_kvm_decode_exit(struct kvm_vcpu *kp, struct lv_exit *ex)
{
	struct kvm_run *run = kp->run;
	uint32_t i;

	ex->raw.reason = run->exit_reason;
	ex->raw.qual = 0;
	ex->raw.info1 = 0;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		ex->reason = LV_EXIT_IO;
		ex->io.port = run->io.port;
		ex->io.size = run->io.size;
		ex->io.is_write = run->io.direction == KVM_EXIT_IO_OUT;
		/* KVM does not say whether it was INS/OUTS; count > 1 implies it. */
		ex->io.is_string = run->io.count > 1;
		ex->io.is_rep = run->io.count > 1;
		ex->io.count = run->io.count;
		ex->io.data = (uint8_t *)run + run->io.data_offset;
		ex->raw.qual = run->io.data_offset;
		break;
	case KVM_EXIT_MMIO:
		ex->reason = LV_EXIT_MMIO;
		ex->mmio.gpa = run->mmio.phys_addr;
		ex->mmio.size = (uint8_t)run->mmio.len;
		ex->mmio.is_write = run->mmio.is_write;
		memcpy(ex->mmio.data, run->mmio.data, sizeof(ex->mmio.data));
		if (!run->mmio.is_write) {
			memset(ex->mmio.data, 0, sizeof(ex->mmio.data));
			kp->complete = KVM_COMPLETE_MMIO_READ;
		}
		ex->raw.info1 = run->mmio.phys_addr;
		break;
	case KVM_EXIT_HLT:
		ex->reason = LV_EXIT_HLT;
		break;
	case KVM_EXIT_SHUTDOWN:
		ex->reason = LV_EXIT_SHUTDOWN;
		break;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		ex->reason = LV_EXIT_IRQ_WINDOW;
		break;
	case KVM_EXIT_DEBUG:
		decode_debug(kp, ex);
		break;
	case KVM_EXIT_X86_RDMSR:
	case KVM_EXIT_X86_WRMSR:
		ex->reason = run->exit_reason == KVM_EXIT_X86_RDMSR ? LV_EXIT_RDMSR : LV_EXIT_WRMSR;
		ex->msr.index = run->msr.index;
		ex->msr.reason = run->msr.reason == KVM_MSR_EXIT_REASON_FILTER
					 ? LV_MSR_EXIT_FILTER
					 : LV_MSR_EXIT_UNKNOWN;
		ex->msr.value = run->exit_reason == KVM_EXIT_X86_WRMSR ? run->msr.data : 0;
		ex->msr.error = 0;
		ex->raw.qual = run->msr.reason;
		kp->complete = KVM_COMPLETE_MSR;
		break;
	case KVM_EXIT_FAIL_ENTRY:
		ex->reason = LV_EXIT_ENTRY_FAILED;
		ex->entry_failed.kind = LV_ENTRY_FAIL_KVM;
		ex->entry_failed.vm_instruction_error = 0;
		ex->entry_failed.hw_reason = run->fail_entry.hardware_entry_failure_reason;
		ex->entry_failed.qualification = run->fail_entry.cpu;
		ex->raw.qual = run->fail_entry.hardware_entry_failure_reason;
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		ex->reason = LV_EXIT_INTERNAL_ERROR;
		ex->internal.suberror = run->internal.suberror;
		ex->internal.ndata = run->internal.ndata < 4 ? run->internal.ndata : 4;
		for (i = 0; i < 4; i++)
			ex->internal.data[i] = i < ex->internal.ndata ? run->internal.data[i] : 0;
		ex->raw.qual = run->internal.suberror;
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		ex->reason = LV_EXIT_SYSTEM_EVENT;
		switch (run->system_event.type) {
		case KVM_SYSTEM_EVENT_SHUTDOWN:
			ex->system_event.type = LV_SYSTEM_EVENT_SHUTDOWN;
			break;
		case KVM_SYSTEM_EVENT_RESET:
			ex->system_event.type = LV_SYSTEM_EVENT_RESET;
			break;
		case KVM_SYSTEM_EVENT_CRASH:
			ex->system_event.type = LV_SYSTEM_EVENT_CRASH;
			break;
		default:
			ex->system_event.type = LV_SYSTEM_EVENT_OTHER;
			break;
		}
		ex->system_event.data = run->system_event.ndata ? run->system_event.data[0] : 0;
		ex->raw.qual = run->system_event.type;
		break;
	default:
		ex->reason = LV_EXIT_UNKNOWN;
		break;
	}
}

/*
 * Stay out of KVM_RUN while kvm_mem.c replaces slots (see vcpus_pause()
 * there). in_run is set before mem_busy is read and mem_busy before in_run
 * is read on the other side (both seq_cst), so one of them sees the other.
 */
static int enter_allowed(struct kvm_vcpu *kp)
{
	__atomic_store_n(&kp->in_run, 1, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&kp->kv->mem_busy, __ATOMIC_SEQ_CST))
		return 1;
	__atomic_store_n(&kp->in_run, 0, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&kp->kv->mem_busy, __ATOMIC_ACQUIRE))
		sched_yield();
	return 0;
}

int lv_kvm_run(struct lv_vcpu *vcpu)
{
	struct kvm_vcpu *kp = vcpu->priv;
	struct kvm_run *run = kp->run;
	struct lv_exit *ex = &vcpu->exit;
	int r;

	if (kp->complete)
		complete_previous(kp, ex);
	__atomic_store_n(&kp->tid, self_tid(), __ATOMIC_RELAXED);
	for (;;) {
		if (!enter_allowed(kp))
			continue;
		r = ioctl(kp->fd, KVM_RUN, 0);
		__atomic_store_n(&kp->in_run, 0, __ATOMIC_SEQ_CST);
		if (r == 0)
			break;
		if (errno != EINTR && errno != EAGAIN) {
			r = lv_kvm_errno(errno);
			return r == LV_ERR_INVAL ? LV_ERR_HW : r;
		}
		/*
		 * immediate_exit or a signal. Clear immediate_exit; a kick
		 * racing with the clear has set kick_pending: re-arm it.
		 */
		__atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&kp->kick_pending, __ATOMIC_SEQ_CST))
			__atomic_store_n(&run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		if (__atomic_exchange_n(&kp->kick_pending, 0, __ATOMIC_SEQ_CST)) {
			/* Consume one kick; immediate_exit stays set only for a newer one. */
			__atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
			if (__atomic_load_n(&kp->kick_pending, __ATOMIC_SEQ_CST))
				__atomic_store_n(&run->immediate_exit, 1, __ATOMIC_SEQ_CST);
			kp->has_run = 1;
			kp->sync_valid = kp->kb->has_sync_regs;
			ex->reason = LV_EXIT_CANCELLED;
			ex->raw.reason = run->exit_reason;
			ex->raw.qual = (uint64_t)EINTR;
			ex->raw.info1 = 0;
			return LV_OK;
		}
		/* A signal that is not a kick (memory pause, the program's own): enter again. */
	}
	kp->has_run = 1;
	kp->sync_valid = kp->kb->has_sync_regs;
	lv_kvm_decode_exit(kp, ex);
	return LV_OK;
}
