/* SPDX-License-Identifier: MIT */
/*
 * KVM backend (hosted): private objects shared by the backend's files.
 *
 *   kvm.c        probe, caps, VM lifetime, MSR exit filter, the ops table
 *   kvm_mem.c    guest memory on KVM user memory regions, dirty log
 *   kvm_vcpu.c   vCPU lifetime, kick, events, windows, CPUID, debug
 *   kvm_run.c    the run loop and the exit mapping
 *   kvm_state.c  get/set of the state groups, single MSRs
 *   kvm_probe.c  which exception intercepts and XSETBV really work on this host
 *
 * Reference: Linux Documentation/virt/kvm/api.rst (the KVM API).
 */
#ifndef LV_BACKEND_KVM_PRIV_H
#define LV_BACKEND_KVM_PRIV_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../../core/internal.h"

struct kvm_backend {
	int kvm_fd;
	int kick_signal;	  /* signal sent to a thread inside KVM_RUN by kick */
	size_t run_size;	  /* KVM_GET_VCPU_MMAP_SIZE */
	size_t xsave_size;	  /* bytes of struct kvm_xsave to use (>= 4096) */
	int has_sync_regs;	  /* KVM_CAP_SYNC_REGS covers KVM_SYNC_X86_REGS */
	int has_xsave;		  /* KVM_CAP_XSAVE */
	int has_xsave2;		  /* KVM_CAP_XSAVE2 */
	int has_xcrs;		  /* KVM_CAP_XCRS */
	int has_msr_exit;	  /* KVM_CAP_X86_USER_SPACE_MSR + KVM_CAP_X86_MSR_FILTER */
	int has_readonly;	  /* KVM_CAP_READONLY_MEM */
	int has_guest_debug;	  /* KVM_CAP_SET_GUEST_DEBUG */
	int has_irqchip;	  /* KVM_CAP_IRQCHIP, _SIGNAL_MSI, _MP_STATE, _PIT2 */
	int has_tsc_deadline;	  /* KVM_CAP_TSC_DEADLINE_TIMER */
	uint32_t exception_exits; /* kvm_probe.c: the vectors that really exit */
	int xsetbv_lost;	  /* kvm_probe.c: a guest's XSETBV never reaches KVM */
	struct kvm_cpuid2 *cpuid; /* KVM_GET_SUPPORTED_CPUID */
};

/* One KVM memory slot: a piece of a caller mapping with a protection != 0. */
struct kvm_mslot {
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;
	uint32_t flags;	 /* LV_PROT_* | LV_MAP_DIRTY_LOG */
	uint32_t slot;	 /* KVM slot number */
	uint64_t *dirty; /* accumulated dirty bits (LV_MAP_DIRTY_LOG only) */
};

struct kvm_vm {
	int vm_fd;
	int irqchip; /* KVM_CREATE_IRQCHIP done (LV_VM_IRQCHIP) */
	uint32_t max_slots;
	struct kvm_mslot *ms; /* sorted by gpa, non-overlapping */
	size_t nms, cap;
	uint64_t *slot_used; /* bitmap of KVM slot numbers in use */
	uint32_t mem_busy;   /* __atomic: slots are being replaced, vCPUs stay out */
	uint32_t max_vcpus;
	/*
	 * Every KVM vCPU ever created, by id. KVM frees vCPUs only with the
	 * VM, so a destroyed vCPU is parked here (fd and kvm_run kept) and a
	 * later create of the same id resets and reuses it.
	 */
	struct kvm_vcpu **vcpus;
};

struct kvm_vcpu {
	int fd;
	struct kvm_run *run;
	struct kvm_backend *kb;
	struct kvm_vm *kv;
	uint32_t kick_pending;	  /* __atomic: a kick not yet turned into CANCELLED */
	uint32_t in_run;	  /* __atomic: the owner thread is inside run() */
	int32_t tid;		  /* __atomic: thread inside run() */
	uint32_t complete;	  /* exit needing a completion copy at the next run */
	uint32_t has_run;	  /* KVM_RUN returned at least once */
	uint32_t sync_valid;	  /* run->s.regs holds the authoritative GPRs */
	uint32_t debug_flags;	  /* LV_DEBUG_* */
	uint32_t exc_vectors;	  /* lv_vcpu_set_exception_exits() */
	struct kvm_cpuid2 *cpuid; /* the table last given to KVM_SET_CPUID2 */
	void *xsave;		  /* scratch for XSAVE get/set */
};

/* Completion kinds (kvm_vcpu.complete). */
enum { KVM_COMPLETE_NONE = 0, KVM_COMPLETE_MMIO_READ, KVM_COMPLETE_MSR };

int lv_kvm_errno(int e);

/* kvm_probe.c: fills exception_exits and xsetbv_lost (kb->cpuid set, caps probed). */
void lv_kvm_probe_host(struct kvm_backend *kb);

/* kvm.c */
int lv_kvm_set_msr_exits(struct lv_vm *vm, const struct lv_msr_range *r, size_t n);

/* kvm_mem.c */
int lv_kvm_map(struct lv_vm *vm, void *hva, uint64_t gpa, uint64_t size, uint32_t flags);
int lv_kvm_unmap(struct lv_vm *vm, uint64_t gpa, uint64_t size);
int lv_kvm_protect(struct lv_vm *vm, uint64_t gpa, uint64_t size, uint32_t prot);
int lv_kvm_get_dirty(struct lv_vm *vm, uint64_t gpa, uint64_t size, uint64_t *bitmap);
void lv_kvm_mem_fini(struct kvm_vm *kv);

/* kvm_vcpu.c */
int lv_kvm_vcpu_create(struct lv_vcpu *vcpu);
void lv_kvm_vcpu_destroy(struct lv_vcpu *vcpu);
void lv_kvm_vcpus_free(struct kvm_vm *kv);
int lv_kvm_run(struct lv_vcpu *vcpu);
int lv_kvm_kick(struct lv_vcpu *vcpu);
int lv_kvm_inject(struct lv_vcpu *vcpu, const struct lv_event *ev);
int lv_kvm_request_window(struct lv_vcpu *vcpu, uint32_t mask);
int lv_kvm_set_cpuid(struct lv_vcpu *vcpu, const struct lv_cpuid_entry *e, size_t n);
int lv_kvm_set_exception_exits(struct lv_vcpu *vcpu, uint32_t vectors);
int lv_kvm_set_debug(struct lv_vcpu *vcpu, uint32_t flags);

/* kvm_run.c: fill @p ex from kp->run after KVM_RUN returned 0 (unit-tested). */
void lv_kvm_decode_exit(struct kvm_vcpu *kp, struct lv_exit *ex);

/* kvm_state.c */
int lv_kvm_get_state(struct lv_vcpu *vcpu, uint32_t mask, struct lv_state *st);
int lv_kvm_set_state(struct lv_vcpu *vcpu, uint32_t mask, const struct lv_state *st);
int lv_kvm_get_msr(struct lv_vcpu *vcpu, uint32_t index, uint64_t *value);
int lv_kvm_set_msr(struct lv_vcpu *vcpu, uint32_t index, uint64_t value);

#endif /* LV_BACKEND_KVM_PRIV_H */
