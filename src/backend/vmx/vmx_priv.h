/* SPDX-License-Identifier: MIT */
/*
 * VMX backend private objects: the backend (capabilities and per-CPU VMXON
 * state), the VM (EPT, MSR bitmap, MSR policy) and the vCPU (VMCS, guest
 * GPRs, lazily synced state, pending exit completion).
 */
#ifndef LV_VMX_PRIV_H
#define LV_VMX_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "../../core/ids.h"
#include "../../core/internal.h"
#include "../../core/paging.h"
#include "../../core/policy.h"
#include "../../core/guest_walk.h"
#include "../../core/x86_emul.h"
#include "../../core/vmx_ctls.h"
#include "../../core/x86_arch.h"
#include "../x86/x86_events.h"
#include "../x86/x86_mem.h"

/* Per host CPU: the VMXON region (the current VMCS is in vmx_backend.current). */
struct vmx_cpu {
	void *vmxon_va;
	uint64_t vmxon_pa;
	bool enabled;
	uint64_t saved_cr4; /* CR4 before enable (VMXE restored on disable) */
};

struct vmx_backend {
	uint64_t basic;
	uint64_t cap[LV_VMX_CTL_COUNT]; /* capability MSR per control word */
	uint64_t ept_vpid;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint32_t ctl[LV_VMX_CTL_COUNT]; /* the control words every VMCS starts with */
	uint32_t revision;
	bool has_vpid, has_ad, has_vnmi;
	uint32_t preempt_value; /* VMX-preemption timer slice (PIN_PREEMPT_TIMER) */
	uint32_t ncpus;
	struct vmx_cpu *cpus;
	struct vmx_vcpu **current; /* [ncpus]: the vCPU whose VMCS is current there */
	uint64_t ept_sizes;	   /* LV_PT_SIZE_* the EPT may use */
	struct lv_vpid_alloc vpids;
	uint32_t vpid_lock; /* guards vpids */
};

struct vmx_vm {
	struct lv_x86_npt npt; /* first: the EPT; the shared memory code finds it here */
	uint64_t eptp;
	void *msr_bitmap;
	uint64_t msr_bitmap_pa;
	struct lv_policy msr_exits; /* caller's lv_msr_range policy (lv_vm_set_msr_exits) */
};

/*
 * Guest registers the entry stub loads and saves; the layout is shared
 * with vmx_entry.S (offsets asserted in lv_vmx_run.c).
 */
struct vmx_gprs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t cr2;
	uint64_t launched; /* 0: VMLAUNCH next; the exit stub sets 1 (VMRESUME next) */
};

/* What the next run must do before entering (completing the last exit). */
enum vmx_pending {
	PEND_NONE = 0,
	PEND_IO_IN,  /* write exit.io data to RAX / memory, advance */
	PEND_IO_OUT, /* advance (string: update RSI/RCX) */
	PEND_CPUID,  /* write EAX..EDX, advance */
	PEND_RDMSR,  /* write EDX:EAX or #GP, advance */
	PEND_WRMSR,  /* #GP or advance */
	PEND_MMIO,   /* finish the emulated instruction */
};

struct vmx_vcpu {
	struct vmx_gprs gprs; /* first: the stub gets a pointer to it */
	struct lv_vcpu *vcpu;
	struct vmx_vm *xv; /* vcpu->vm->priv, kept at hand for the entry path */
	void *vmcs_va;
	uint64_t vmcs_pa;
	int32_t cpu;	   /* host CPU where the VMCS is active, -1 if clear */
	int32_t host_cpu;  /* host CPU whose host state the VMCS holds, -1 if none */
	uint8_t exit_work; /* EXIT_WORK_*: what the next exit must undo first */
	bool singlestep;   /* LV_DEBUG_SINGLESTEP: RFLAGS.TF + #DB intercept */
	uint8_t end_work;  /* END_WORK_* */
	bool initialized;  /* VMCS fields written once */
	bool ctl_dirty;	   /* controls / exception bitmap changed */
	bool slow;	   /* the next entry has work besides entering (see prepare_entry()) */
	uint16_t vpid;

	/* Lazily synced state: valid = cache mirrors the vCPU; dirty =
	 * cache must be written to the VMCS before the next entry. */
	struct lv_state cache;
	uint32_t valid, dirty;
	uint32_t cs_ar_set; /* CS access rights last written (see read_group()) */
	uint16_t cs_sel_set;

	/* Controls and policy. */
	uint32_t proc, proc2, entry, pin;
	uint32_t exc_bitmap;
	uint32_t exc_policy;
	uint32_t windows;	/* LV_WINDOW_* the caller asked for */
	struct lv_policy cpuid; /* lv_cpuid_entry overrides (lv_vcpu_set_cpuid) */
	uint64_t host_cr3;
	uint32_t ept_gen; /* the VM's ept_gen this vCPU last flushed for */

	/* Emulated MSRs (not in the VMCS). */
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base, apic_base;
	uint64_t tsc_offset;

	/*
	 * Events. inject_*: the event the next entry delivers (VM-entry
	 * interruption format, 0 = none): one chosen from the queues below,
	 * or one whose delivery a VM exit interrupted. The queues hold what
	 * the caller injected: an exception and an NMI go at the next entry,
	 * an external interrupt once the guest can take it (interrupt-window
	 * exiting until then).
	 */
	uint32_t inject_info, inject_err, inject_len;
	struct lv_x86_events events; /* queued by lv_vcpu_inject() and the emulator */

	/* Exit completion. */
	uint32_t pending;
	uint32_t insn_len;
	uint64_t str_gpa; /* string IO: guest-physical address of the element */
	uint8_t io_buf[8];
	struct lv_x86_emul em;
	uint64_t emul_gpa; /* GPA of the MMIO access being emulated (0: string IO) */
	struct lv_x86_env env;
	struct lv_guest_paging pg;

	/* Kick: set by any CPU, consumed by run. */
	uint32_t kick;

	/* Lazy FPU: the guest's x87/SSE state is in the registers (vmx_fpu.c). */
	bool fpu_loaded;
	struct lv_fpu host_fpu;
};

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

/* vmx_vcpu.exit_work bits. */
#define EXIT_WORK_RAW 1u /* exit.raw.info1/info2/intinfo hold values to clear */
#define EXIT_WORK_TF  2u /* the backend set the guest's RFLAGS.TF (single-step) */

/* vmx_vcpu.end_work bits: what lv_vmx_run() does before returning. */
#define END_WORK_FPU   1u /* the guest's FPU state is loaded */
#define END_WORK_CLEAR 2u /* VMCLEAR (more than one host CPU) */

/* vmx_entry.S: lv_vmx_enter_guest (called only from vmx_run.c's inline asm) and lv_vmx_exit_point (HOST_RIP). */
void lv_vmx_exit_point(void);

/* vmx_vm.c */
int lv_vmx_vm_create(struct lv_vm *vm);
void lv_vmx_vm_destroy(struct lv_vm *vm);
int lv_vmx_set_msr_exits(struct lv_vm *vm, const struct lv_msr_range *r, size_t n);

/* vmx_vcpu.c */
/*
 * CR0/CR4 bits the host owns (guest/host masks): the fixed bits, and for
 * CR0 also CD, NW and TS (the FPU switch); PE and PG are the guest's with
 * unrestricted guest. A guest write to an owned bit exits.
 */
static inline uint64_t vmx_cr0_host_mask(const struct vmx_backend *vb)
{
	return ((vb->cr0_fixed0 | ~vb->cr0_fixed1) & ~(CR0_PE | CR0_PG)) | CR0_CD | CR0_NW | CR0_TS;
}

static inline uint64_t vmx_cr4_host_mask(const struct vmx_backend *vb)
{
	return vb->cr4_fixed0 | ~vb->cr4_fixed1;
}

int lv_vmx_vcpu_create(struct lv_vcpu *vcpu);
void lv_vmx_vcpu_destroy(struct lv_vcpu *vcpu);
int lv_vmx_vcpu_load(struct vmx_backend *vb, struct vmx_vcpu *xc);
void lv_vmx_vcpu_put(struct vmx_backend *vb, struct vmx_vcpu *xc);
int lv_vmx_sync_to_vmcs(struct vmx_vcpu *xc);
int lv_vmx_cache_fill(struct vmx_vcpu *xc, uint32_t mask);
int lv_vmx_get_state(struct lv_vcpu *vcpu, uint32_t mask, struct lv_state *st);
int lv_vmx_set_state(struct lv_vcpu *vcpu, uint32_t mask, const struct lv_state *st);
int lv_vmx_get_msr(struct lv_vcpu *vcpu, uint32_t index, uint64_t *value);
int lv_vmx_set_msr(struct lv_vcpu *vcpu, uint32_t index, uint64_t value);
int lv_vmx_set_cpuid(struct lv_vcpu *vcpu, const struct lv_cpuid_entry *e, size_t n);
int lv_vmx_set_exception_exits(struct lv_vcpu *vcpu, uint32_t vectors);
int lv_vmx_set_debug(struct lv_vcpu *vcpu, uint32_t flags);
int lv_vmx_load_pdptes(struct vmx_vcpu *xc, uint64_t cr3);
int lv_vmx_emulated_msr(struct vmx_vcpu *xc, uint32_t index, uint64_t **slot);

/* lv_vmx_run.c */
/* vmx_events.c: the per-kind event queue and windows. */
void lv_vmx_arm_events(struct vmx_vcpu *xc);
void lv_vmx_take_back_event(struct vmx_vcpu *xc);

int lv_vmx_run(struct lv_vcpu *vcpu);
int lv_vmx_kick(struct lv_vcpu *vcpu);
int lv_vmx_inject(struct lv_vcpu *vcpu, const struct lv_event *ev);
int lv_vmx_request_window(struct lv_vcpu *vcpu, uint32_t mask);

/* vmx_fpu.c */
uint64_t lv_vmx_guest_cr0(const struct vmx_backend *vb, const struct vmx_vcpu *xc, uint64_t cr0);
void lv_vmx_fpu_load(struct vmx_vcpu *xc);
void lv_vmx_fpu_unload(struct vmx_vcpu *xc);

/* vmx_emul.c: MMIO and string IO through the core emulator. Return 0 to
 * re-enter the guest, 1 when the exit record must go to the caller. */
int lv_vmx_emul_mmio(struct vmx_vcpu *xc, struct lv_exit *ex, uint64_t gpa);
int lv_vmx_emul_string_io(struct vmx_vcpu *xc, struct lv_exit *ex);
int lv_vmx_emul_resume(struct vmx_vcpu *xc, struct lv_exit *ex);
/* True when the instruction at CS:RIP starts with @p bytes. */
bool lv_vmx_insn_is(struct vmx_vcpu *xc, const uint8_t *bytes, unsigned n);

#endif /* LV_VMX_PRIV_H */
