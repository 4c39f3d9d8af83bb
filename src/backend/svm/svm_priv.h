/* SPDX-License-Identifier: MIT */
/* SVM backend: private objects shared by the backend's files. */
#ifndef LV_SVM_PRIV_H
#define LV_SVM_PRIV_H

#include <stddef.h>

#include "../../core/ids.h"
#include "../../core/x86_emul.h"
#include "../../core/internal.h"
#include "../../core/policy.h"
#include "vmcb.h"
#include "../x86/x86_events.h"
#include "../x86/x86_mem.h"

/* Offsets the entry stub (svm_entry.S) hard-codes. */
_Static_assert(offsetof(struct lv_regs, rbx) == 8, "svm_entry.S R_RBX");
_Static_assert(offsetof(struct lv_regs, rsi) == 32, "svm_entry.S R_RSI");
_Static_assert(offsetof(struct lv_regs, rdi) == 40, "svm_entry.S R_RDI");
_Static_assert(offsetof(struct lv_regs, rbp) == 56, "svm_entry.S R_RBP");
_Static_assert(offsetof(struct lv_regs, r8) == 64, "svm_entry.S R_R8");
_Static_assert(offsetof(struct lv_regs, r15) == 120, "svm_entry.S R_R15");

/*
 * Enter the guest (svm_entry.S). The stub keeps only RBP and RSP, so the
 * call is made from inline asm that declares every other GPR clobbered.
 * No red zone exists in freestanding code (-mno-red-zone), so the CALL's
 * push cannot overwrite live data below RSP.
 */
static inline void svm_vmrun(uint64_t vmcb_pa, struct lv_regs *regs, uint64_t host_save_pa)
{
	uint64_t a = vmcb_pa, r = (uint64_t)(uintptr_t)regs, h = host_save_pa;

	__asm__ volatile("call lv_svm_vmrun"
			 : "+D"(a), "+S"(r), "+d"(h)
			 :
			 : "rax", "rbx", "rcx", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
			   "r15", "memory", "cc");
}

/* Per host CPU (index lv_plat_cpu_id()). */
struct svm_cpu {
	uint32_t enabled;
	uint32_t pad_;
	void *hsave; /* VM_HSAVE_PA page */
	uint64_t hsave_pa;
	void *host_save; /* VMSAVE/VMLOAD area for the host's extra state */
	uint64_t host_save_pa;
	uint64_t saved_efer; /* EFER before enable */
	struct lv_asid_cpu asid;
};

struct svm_backend {
	uint32_t features; /* CPUID Fn8000_000A_EDX */
	uint32_t nasids;   /* CPUID Fn8000_000A_EBX */
	uint32_t ncpus;
	uint32_t host_nx; /* host EFER.NXE at open: NX usable in NPT leaves */
	void *iopm;	  /* shared: every port intercepted */
	uint64_t iopm_pa;
	struct svm_cpu *cpus;
};

struct svm_vm {
	struct lv_x86_npt npt; /* first: the shared memory code finds it here */
	void *msrpm;
	uint64_t msrpm_pa;
	struct lv_policy msr_exits; /* caller's lv_msr_range policy (lv_vm_set_msr_exits) */
};

/* What the next run must complete before entering the guest. */
enum svm_pending {
	SVM_PEND_NONE = 0,
	SVM_PEND_CPUID,
	SVM_PEND_RDMSR,
	SVM_PEND_WRMSR,
	SVM_PEND_IO_IN,
	SVM_PEND_IO_OUT,
	SVM_PEND_MMIO,
};

struct svm_vcpu {
	struct vmcb *vmcb; /* first: hot */
	uint64_t vmcb_pa;
	struct lv_regs regs; /* RBX..R15 live here; RAX, RSP, RIP, RFLAGS in the VMCB */
	uint32_t kick;	     /* set by lv_vcpu_kick(), consumed by run */
	uint32_t cpu;	     /* CPU of the last run */
	uint32_t pending;    /* enum svm_pending */
	uint32_t window;     /* LV_WINDOW_* requested */
	uint64_t next_rip;   /* RIP after the pending instruction */
	uint32_t npt_gen;    /* svm_vm.npt_gen this vCPU's TLB reflects */
	uint32_t exc_exits;  /* lv_vcpu_set_exception_exits() */
	struct lv_asid_vcpu asid;
	struct lv_policy cpuid; /* lv_cpuid_entry overrides (lv_vcpu_set_cpuid) */
	uint64_t apic_base;
	uint64_t dr[4];
	uint8_t nmi_masked;
	uint8_t load_cr2;	     /* CR2 was set: also load it by hand before VMRUN (Bochs) */
	uint8_t nrips;		     /* the CPU fills nRIP (CPUID Fn8000_000A_EDX[3]) */
	uint8_t slow;		     /* load_cr2, singlestep or events: pre_vmrun_slow() has work */
	uint8_t singlestep;	     /* LV_DEBUG_SINGLESTEP */
	uint8_t tf_ours;	     /* RFLAGS.TF was set by the backend for this entry */
	struct lv_x86_events events; /* queued by lv_vcpu_inject() and by the backend */
	uint8_t io_buf[16];	     /* IO data handed to the caller (one element per exit) */
	uint64_t emul_gpa;	     /* GPA of the MMIO access being emulated (0: string IO) */
	struct lv_fpu fpu;	     /* kept, not switched (see docs) */
	/* MMIO / string-IO emulation state between an exit and its completion. */
	struct lv_x86_emul em;
	struct lv_x86_env env;
	struct lv_state scratch; /* segments + control for the emulator */
};

/* svm_state.c */
int lv_svm_get_state(struct lv_vcpu *v, uint32_t mask, struct lv_state *st);
int lv_svm_set_state(struct lv_vcpu *v, uint32_t mask, const struct lv_state *st);
int lv_svm_get_msr(struct lv_vcpu *v, uint32_t index, uint64_t *value);
int lv_svm_set_msr(struct lv_vcpu *v, uint32_t index, uint64_t value);

/* svm_vm.c */
int lv_svm_vm_create(struct lv_vm *vm);
void lv_svm_vm_destroy(struct lv_vm *vm);
int lv_svm_set_msr_exits(struct lv_vm *vm, const struct lv_msr_range *r, size_t n);

/* svm_vcpu.c */
int lv_svm_vcpu_create(struct lv_vcpu *v);
void lv_svm_vcpu_destroy(struct lv_vcpu *v);
int lv_svm_inject(struct lv_vcpu *v, const struct lv_event *ev);
int lv_svm_request_window(struct lv_vcpu *v, uint32_t mask);
int lv_svm_set_cpuid(struct lv_vcpu *v, const struct lv_cpuid_entry *e, size_t n);
int lv_svm_set_exception_exits(struct lv_vcpu *v, uint32_t vectors);
int lv_svm_kick(struct lv_vcpu *v);
void lv_svm_update_vintr(struct svm_vcpu *s);
int lv_svm_set_debug(struct lv_vcpu *v, uint32_t flags);

/* svm_run.c */
int lv_svm_run(struct lv_vcpu *v);

static inline struct svm_backend *svm_b(const struct lv_vcpu *v)
{
	return (struct svm_backend *)v->vm->backend->priv;
}

#endif /* LV_SVM_PRIV_H */
