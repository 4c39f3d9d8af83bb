/* SPDX-License-Identifier: MIT */
/*
 * VMX backend private objects: the backend (capabilities and per-CPU VMXON
 * state), the VM (EPT, MSR bitmap, MSR policy) and the vCPU (VMCS, guest
 * state the VMCS does not hold, lazily synced state).
 */
#ifndef LV_VMX_PRIV_H
#define LV_VMX_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "../../core/ids.h"
#include "../../core/internal.h"
#include "../../core/paging.h"
#include "../../core/policy.h"
#include "../../core/vmx_ctls.h"
#include "../../core/x86_arch.h"
#include "../x86/x86_insn.h"
#include "../x86/x86_vcpu.h"

/* Per host CPU: the VMXON region (the current VMCS is in vmx_backend.current). */
struct vmx_cpu {
	void *vmxon_va;
	uint64_t vmxon_pa;
	bool enabled;
	uint64_t saved_cr4;    /* CR4 before enable (VMXE restored on disable) */
	uint32_t host_tsc_aux; /* the host's TSC_AUX here, read at enable */
};

struct vmx_backend {
	uint64_t basic;
	uint64_t cap[LV_VMX_CTL_COUNT]; /* capability MSR per control word */
	uint64_t ept_vpid;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint32_t ctl[LV_VMX_CTL_COUNT]; /* the control words every VMCS starts with */
	uint32_t revision;
	bool has_vpid, has_ad, has_vnmi;
	bool has_tpr_shadow;	/* PROC_TPR_SHADOW, else CR8 exiting (vmx_choose_tpr()) */
	uint32_t preempt_value; /* VMX-preemption timer slice (PIN_PREEMPT_TIMER) */
	uint32_t preempt_rate;	/* it counts down every 2^preempt_rate TSC ticks */
	uint32_t ncpus;
	struct vmx_cpu *cpus;
	struct vmx_vcpu **current; /* [ncpus]: the vCPU whose VMCS is current there */
	uint64_t ept_sizes;	   /* LV_PT_SIZE_* the EPT may use */
	struct lv_vpid_alloc vpids;
	uint32_t vpid_lock; /* guards vpids */
};

struct vmx_vm {
	struct lv_x86_vm x; /* first: the shared layer's part (EPT, MSR bitmap) */
	uint64_t eptp;
};

/*
 * A vCPU: the shared part (guest GPRs, CR2 and the launched flag the entry
 * stub uses, exit completion, events, policies), then the VMCS and the
 * state it does not hold.
 */
struct vmx_vcpu {
	struct lv_x86_vcpu x;	/* first: the stub gets &x.regs */
	struct vmx_vm *xv;	/* vcpu->vm->priv, kept at hand for the entry path */
	struct vmx_backend *vb; /* vcpu->vm->backend->priv, at hand for the load and done hooks */
	void *vmcs_va;
	uint64_t vmcs_pa;
	uint8_t *vapic; /* virtual-APIC page with the TPR shadow (VTPR at 0x80), else NULL */
	uint64_t vapic_pa;
	const uint32_t *host_aux; /* vmx_cpu.host_tsc_aux of host_cpu */
	int32_t host_cpu;	  /* host CPU whose host state the VMCS holds, -1 if none */
	uint8_t exit_work;	  /* EXIT_WORK_*: what the next exit must undo first */
	uint8_t end_work;	  /* END_WORK_* */
	bool initialized;	  /* VMCS fields written once */
	bool ctl_dirty;		  /* controls / exception bitmap changed */
	uint8_t tpr_threshold;	  /* as in the VMCS (TPR shadow; lv_vmx_tpr_watch()) */
	uint16_t vpid;

	/* Lazily synced state: valid = cache mirrors the vCPU; dirty =
	 * cache must be written to the VMCS before the next entry. */
	struct lv_state cache;
	uint32_t valid, dirty;
	uint32_t cs_ar_set; /* CS access rights last written (see read_group()) */
	uint16_t cs_sel_set;

	/* Controls. */
	uint32_t proc, proc2, entry, pin;
	uint32_t exc_bitmap;
	uint64_t host_cr3, host_cr4, host_fs_base; /* as in the VMCS (host_refresh()) */
	uint64_t host_kgs;			/* KERNEL_GS_BASE as in the exit's MSR-load list */
	uint16_t host_tr;			/* the host's TR selector */
	struct lv_x86_dtr host_gdtr, host_idtr; /* the host's, with their limits */
	uint8_t host_fix;	/* HOST_FIX_*: what every VM exit leaves to put back */
	uint64_t host_debugctl; /* the host's IA32_DEBUGCTL, when HOST_FIX_DEBUGCTL */
	uint16_t host_ldtr;	/* the host's LDTR, when not null (vmx_run_host()) */

	/* Emulated MSRs (not in the VMCS). */
	uint64_t apic_base;
	/*
	 * The MSRs VM entry and exit switch from lists (one page, amsr_pa):
	 * the guest's (amsr[0..AMSR_N-1], the entry MSR-load and exit
	 * MSR-store list) and the host's (amsr[AMSR_HOST..], the exit
	 * MSR-load list). See vmx_vcpu.c.
	 */
	struct vmx_msr_entry *amsr;
	uint64_t amsr_pa;
	uint64_t tsc_offset;

	/*
	 * The event the next entry delivers (VM-entry interruption format,
	 * 0 = none): one the shared queue picked, or one whose delivery a VM
	 * exit interrupted.
	 */
	uint32_t inject_info, inject_err, inject_len;
};

/* An entry of a VM-entry/VM-exit MSR list (SDM Vol. 3, 25.7.2, Table 25-15). */
struct vmx_msr_entry {
	uint32_t index, reserved;
	uint64_t value;
};

/* The switched MSRs, in list order; the host's list starts at AMSR_HOST. */
enum { AMSR_STAR, AMSR_LSTAR, AMSR_CSTAR, AMSR_SFMASK, AMSR_KERNEL_GS_BASE, AMSR_N };
#define AMSR_HOST   8
#define GMSR(xc, i) ((xc)->amsr[(i)].value)		/* the guest's */
#define HMSR(xc, i) ((xc)->amsr[AMSR_HOST + (i)].value) /* the host's */

/* The VTPR byte of the virtual-APIC page (SDM Vol. 3, 29.1.1). */
#define VAPIC_TPR 0x80

/* Groups whose fields (some of them) live in the VMCS after an entry. */
#define VMX_VMCS_GROUPS                                                                            \
	(LV_STATE_GPRS | LV_STATE_SEGMENTS | LV_STATE_CONTROL | LV_STATE_DEBUG | LV_STATE_MSRS |   \
	 LV_STATE_EVENTS)

/*
 * Exceptions that always exit: #UD, so that VMMCALL (AMD's hypercall,
 * undefined on Intel) gives the same hypercall exit as VMCALL; #NM, for
 * the lazy switch of the FPU state (vmx_fpu.c).
 */
#define VMX_EXC_ALWAYS ((1u << 6) | (1u << 7))

/* vmx_vcpu.host_fix bits (write_host_state() in vmx_vcpu.c). */
#define HOST_FIX_DT	  1u /* a GDTR/IDTR limit is not 0xFFFF */
#define HOST_FIX_DEBUGCTL 2u /* the host's IA32_DEBUGCTL is not 0 */

/* vmx_vcpu.exit_work bits. */
#define EXIT_WORK_RAW 1u /* exit.raw.info1/info2/intinfo hold values to clear */
#define EXIT_WORK_TF  2u /* the backend set the guest's RFLAGS.TF (single-step) */
#define EXIT_WORK_DBG 4u /* debug registers to put back (x86_dbg.c) */

/* vmx_vcpu.end_work bits: what lv_vmx_run() does before returning. */
#define END_WORK_FPU 1u	 /* the guest's FPU state is loaded (x86_fpu.h) */
#define END_WORK_AUX 4u	 /* the guest's TSC_AUX is loaded (x86_aux.c) */
#define END_WORK_DBG 8u	 /* the host's DR7 is put back after exits (x86_dbg.c) */
#define END_WORK_LDT 16u /* the host's LDTR (host_ldtr) is loaded again */
#define END_WORK_TR  32u /* the host's TSS is over 67H: TR is loaded again (kept set) */

/* vmx_entry.S: lv_vmx_enter_guest (called only from vmx_run.c's inline asm) and lv_vmx_exit_point (HOST_RIP). */
void lv_vmx_exit_point(void);

/*
 * Test seam (vmx.c): nonzero before lv_backend_open() makes the backend use
 * CR8-load/store exiting even where the CPU has the TPR shadow, so that
 * the fallback for CPUs without it runs on emulators that all have it
 * (ring-0 test vmx_bochs_cr8exit). Not part of the API.
 */
extern int lv_vmx_force_cr8_exiting;

/* The vendor hooks (struct lv_x86_vendor); the table is in vmx_run.c. */
extern const struct lv_x86_vendor lv_vmx_vendor;
int lv_vmx_open(struct lv_backend *b);
void lv_vmx_close(struct lv_backend *b);
int lv_vmx_cpu_enable(struct lv_backend *b);
int lv_vmx_cpu_disable(struct lv_backend *b);

/* vmx_vm.c */
extern const uint32_t lv_vmx_passthrough_msrs[];
long lv_vmx_msr_bitmap_bit(uint32_t msr, bool write);
int lv_vmx_vm_create(struct lv_vm *vm);
void lv_vmx_vm_destroy(struct lv_vm *vm);

/* vmx_vcpu.c */
/*
 * CR0/CR4 bits the host owns (guest/host masks): the fixed bits, for
 * CR0 also CD, NW and TS, for CR4 OSXSAVE (the FPU switch, vmx_fpu.c); PE and PG are the guest's with
 * unrestricted guest. A guest write to an owned bit exits.
 */
static inline uint64_t vmx_cr0_host_mask(const struct vmx_backend *vb)
{
	return ((vb->cr0_fixed0 | ~vb->cr0_fixed1) & ~(CR0_PE | CR0_PG)) | CR0_CD | CR0_NW | CR0_TS;
}

static inline uint64_t vmx_cr4_host_mask(const struct vmx_backend *vb)
{
	return vb->cr4_fixed0 | ~vb->cr4_fixed1 | CR4_OSXSAVE;
}

int lv_vmx_vcpu_create(struct lv_vcpu *vcpu);
void lv_vmx_vcpu_destroy(struct lv_vcpu *vcpu);
int lv_vmx_vcpu_load(struct vmx_backend *vb, struct vmx_vcpu *xc);
/* lv_x86_vendor.guest_timer: the preemption timer's next value (vmx.c). */
int lv_vmx_guest_timer(struct lv_vcpu *v, uint64_t ns_left);
uint32_t lv_vmx_cr8_get(struct lv_vcpu *v);
void lv_vmx_cr8_put(struct lv_vcpu *v, uint32_t cr8);
void lv_vmx_tpr_watch(struct lv_vcpu *v, uint32_t cls);
void lv_vmx_vcpu_put(struct vmx_backend *vb, struct vmx_vcpu *xc);
/* VMCLEAR on the CPU it is active on (lv_plat_call_on_cpu()); interrupts enabled. */
int lv_vmx_vcpu_clear(struct vmx_vcpu *xc);
int lv_vmx_sync_to_vmcs(struct vmx_vcpu *xc);
int lv_vmx_cache_fill(struct vmx_vcpu *xc, uint32_t mask);
int lv_vmx_get_state(struct lv_vcpu *vcpu, uint32_t mask, struct lv_state *st);
int lv_vmx_set_state(struct lv_vcpu *vcpu, uint32_t mask, const struct lv_state *st);
int lv_vmx_get_msr(struct lv_vcpu *vcpu, uint32_t index, uint64_t *value);
int lv_vmx_set_msr(struct lv_vcpu *vcpu, uint32_t index, uint64_t value);
int lv_vmx_load_pdptes(struct vmx_vcpu *xc, uint64_t cr3);
void lv_vmx_intercepts(struct lv_vcpu *vcpu);

/* vmx_events.c */
uint64_t lv_vmx_event_slot(struct lv_vcpu *vcpu, int *nmi_open, int *irq_open);
void lv_vmx_event_put(struct lv_vcpu *vcpu, const struct lv_event *ev);
void lv_vmx_take_back_event(struct vmx_vcpu *xc);
/* The entry's slow work (LV_X86_RQ_WORK), interrupts on, VMCS current (vmx_events.c). */
void lv_vmx_prepare_slow(struct lv_vcpu *v);

/* vmx_fpu.c */
uint64_t lv_vmx_guest_cr0(const struct vmx_backend *vb, const struct vmx_vcpu *xc, uint64_t cr0);
uint64_t lv_vmx_guest_cr4(const struct vmx_backend *vb, const struct vmx_vcpu *xc, uint64_t cr4);
void lv_vmx_fpu_own(struct lv_vcpu *v, int loaded);

#endif /* LV_VMX_PRIV_H */
