/* SPDX-License-Identifier: MIT */
/* SVM backend: private objects shared by the backend's files. */
#ifndef LV_SVM_PRIV_H
#define LV_SVM_PRIV_H

#include <stddef.h>

#include "../../core/ids.h"
#include "../../core/internal.h"
#include "../../core/policy.h"
#include "vmcb.h"
#include "../x86/x86_vcpu.h"

/*
 * Enter the guest (svm_entry.S) with the shared vCPU @p x: its GPRs, its
 * vmcb_pa and host_save_pa. The stub keeps only RBP and RSP, so the call
 * is made from inline asm that declares every other GPR clobbered. No red
 * zone exists in freestanding code (-mno-red-zone), so the CALL's push
 * cannot overwrite live data below RSP.
 */
static inline void svm_vmrun(struct lv_x86_vcpu *x)
{
	uint64_t r = (uint64_t)(uintptr_t)x;

	__asm__ volatile("call lv_svm_vmrun"
			 : "+S"(r)
			 :
			 : "rax", "rbx", "rcx", "rdx", "rdi", "r8", "r9", "r10", "r11", "r12",
			   "r13", "r14", "r15", "memory", "cc");
}

#define LV_SVM_NO_CPU 0xffffffffu

/* Per host CPU (index lv_plat_cpu_id()). */
struct svm_cpu {
	uint32_t enabled;
	uint32_t host_tsc_aux; /* the host's TSC_AUX here, read at enable (x86_aux.c) */
	void *hsave;	       /* VM_HSAVE_PA page */
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
	struct lv_x86_vm x; /* first: the shared layer's part (nested table, MSRPM) */
};

/*
 * A vCPU: the shared part, then the VMCB and what the VMCB does not hold.
 * Guest RBX..R15 live in x.regs (the entry stub loads and stores them);
 * x.regs.rax is copied to and from the VMCB around VMRUN; RSP, RIP and
 * RFLAGS live in the VMCB.
 */
struct svm_vcpu {
	struct lv_x86_vcpu x;
	struct vmcb *vmcb;	/* its PA is x.vmcb_pa */
	struct svm_backend *sb; /* at hand for the entry path */
	struct lv_asid_vcpu asid;
	/*
	 * The entry fast path's key (svm_run.c): the CPU of the last entry
	 * (LV_SVM_NO_CPU: none), that CPU (its ASID generation, its host
	 * TSC_AUX) and its host-save area (x.host_save_pa). A CPU's
	 * generation moves on a wrap and on lv_cpu_disable(), so a stale key
	 * never matches.
	 */
	uint32_t fast_cpu;
	const struct svm_cpu *fast_c;
	uint64_t apic_base;
	uint8_t nmi_masked; /* an NMI was delivered and its IRET not seen (APM 15.21.3) */
	uint8_t nmi_step;   /* single-stepping the guest's IRET to open the NMI window */
	uint8_t load_cr2;   /* CR2 was set: also load it by hand before VMRUN (Bochs) */
	uint8_t nrips;	    /* the CPU fills nRIP (CPUID Fn8000_000A_EDX[3]) */
	uint8_t tf_ours;    /* RFLAGS.TF was set by the backend for this entry */
	uint8_t tpr_watch;  /* MOV to CR8 exits: the TPR masks a pending vector (irqchip) */
	/*
	 * The guest's own CR0.TS and CR4.OSXSAVE while its FPU state is not
	 * loaded (the VMCB then holds TS = 1, OSXSAVE = 0; svm_fpu_own()).
	 */
	uint64_t own_ts, own_osxsave;
};

/* svm_vm.c, svm_vcpu.c, svm_state.c: the vendor hooks (struct lv_x86_vendor). */
extern const struct lv_x86_vendor lv_svm_vendor;
int lv_svm_open(struct lv_backend *b);
void lv_svm_close(struct lv_backend *b);
int lv_svm_cpu_enable(struct lv_backend *b);
int lv_svm_cpu_disable(struct lv_backend *b);
int lv_svm_vm_create(struct lv_vm *vm);
void lv_svm_vm_destroy(struct lv_vm *vm);
long lv_svm_msrpm_bit(uint32_t msr, bool write);
extern const uint32_t lv_svm_passthrough_msrs[];
int lv_svm_vcpu_create(struct lv_vcpu *v);
void lv_svm_vcpu_destroy(struct lv_vcpu *v);
uint64_t lv_svm_event_slot(struct lv_vcpu *v, int *nmi_open, int *irq_open);
void lv_svm_event_put(struct lv_vcpu *v, const struct lv_event *ev);
void lv_svm_intercepts(struct lv_vcpu *v);
void lv_svm_fpu_own(struct lv_vcpu *v, int loaded);
uint32_t lv_svm_cr8_get(struct lv_vcpu *v);
void lv_svm_cr8_put(struct lv_vcpu *v, uint32_t cr8);
void lv_svm_tpr_watch(struct lv_vcpu *v, uint32_t cls);
int lv_svm_get_state(struct lv_vcpu *v, uint32_t mask, struct lv_state *st);
int lv_svm_set_state(struct lv_vcpu *v, uint32_t mask, const struct lv_state *st);
int lv_svm_get_msr(struct lv_vcpu *v, uint32_t index, uint64_t *value);
int lv_svm_set_msr(struct lv_vcpu *v, uint32_t index, uint64_t value);

/*
 * VMCB clean bits (APM Vol. 2, 15.15.3 "VMCB Clean Field"): a set bit
 * lets VMRUN use the CPU's cached copy of that group of VMCB fields
 * instead of reading it again. Bits 0-10: intercepts and TSC offset,
 * IOPM/MSRPM bases, ASID, V_TPR/V_IRQ (vintr), nested paging, CR0/CR3/
 * CR4/EFER, DR6/DR7, GDT/IDT, segments and CPL, CR2, LBR. RIP, RSP, RAX,
 * RFLAGS, TLB_CONTROL, EVENTINJ and the interrupt shadow have no bit:
 * VMRUN always reads them, so the entry fast path (which writes only
 * those) keeps the clean field as it is. Every other write of the VMCB
 * goes with svm_dirty(): all bits clear for the next VMRUN, after which
 * post_vmrun_slow() sets them all again (the CPU then holds what the VMCB
 * holds, and #VMEXIT writes back what the guest changed).
 */
#define LV_SVM_CLEAN_ALL 0x7ffu

static inline void svm_dirty(struct svm_vcpu *s)
{
	s->vmcb->c.clean = 0;
	lv_x86_rq_set(&s->x, LV_X86_RQ_VENDOR); /* post_vmrun_slow() marks it clean again */
}

static inline struct svm_backend *svm_b(const struct lv_vcpu *v)
{
	return (struct svm_backend *)v->vm->backend->priv;
}

#endif /* LV_SVM_PRIV_H */
