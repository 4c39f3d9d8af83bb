/* SPDX-License-Identifier: MIT */
/*
 * The shared ring-0 x86 layer: the one lv_backend_ops of the SVM and VMX
 * backends (as KVM's x86.c over kvm_x86_ops, and Jailhouse's vcpu.c over
 * vcpu_vendor_*). It owns everything that is the same on both vendors:
 * exit completion, the one dispatch on what an exit asks for, CPUID and
 * MSR policy, the per-kind event queue, the emulator glue, nested page
 * faults, guest memory (x86_mem.h) and the MSR permission map (x86_msr.h).
 * A vendor implements only the hooks of struct lv_x86_vendor, each one
 * thing the SDM or the APM says differently. The run loop is x86_run.h.
 *
 * Object layout: the vendor's vCPU (vcpu->priv) begins with a struct
 * lv_x86_vcpu and its VM (vm->priv) with a struct lv_x86_vm; the layer
 * allocates both (sizes in the vendor table). The ops table points to the
 * vendor table (lv_backend_ops.impl).
 */
#ifndef LV_X86_VCPU_H
#define LV_X86_VCPU_H

#include <stddef.h>
#include <stdint.h>

#include "../../core/guest_walk.h"
#include "../../core/internal.h"
#include "../../core/policy.h"
#include "../../core/x86_emul.h"
#include "x86_apic.h"
#include "x86_events.h"
#include "x86_fpu.h"
#include "x86_mem.h"
#include "x86_msr.h"

/* What a vendor's exit decoder asks the shared layer to do (lv_x86_vendor.exit). */
enum lv_x86_act {
	LV_X86_GUEST = 0,  /* handled by the vendor: enter the guest again */
	LV_X86_CALLER,	   /* vcpu->exit is complete: return it to the caller */
	LV_X86_CPUID,	   /* CPUID (leaf in regs.rax, subleaf in regs.rcx) */
	LV_X86_RDMSR,	   /* RDMSR (index in regs.rcx) */
	LV_X86_WRMSR,	   /* WRMSR (index in regs.rcx, value in EDX:EAX) */
	LV_X86_IO,	   /* IN/OUT: x->io_port, x->io_size, x->io_in */
	LV_X86_HLT,	   /* HLT */
	LV_X86_HYPERCALL,  /* VMCALL / VMMCALL (arguments in the GPRs) */
	LV_X86_EMULATE,	   /* run the instruction at CS:RIP in the emulator (string IO) */
	LV_X86_NPF,	   /* nested page fault: x->npf_gpa, x->npf_access, x->npf_walk */
	LV_X86_EXCEPTION,  /* raise the exception in vcpu->exit.exception in the guest */
	LV_X86_IRQ_WINDOW, /* the guest can take an external interrupt */
	LV_X86_NMI_WINDOW, /* the guest can take an NMI */
	LV_X86_FPU,	   /* the guest reached for its FPU state: load it, re-run (x86_fpu.h) */
	LV_X86_XSETBV,	   /* XSETBV (x->insn_len set) */
};

/* What the next run completes before entering (the caller's answer to an exit). */
enum lv_x86_pend {
	LV_X86_PEND_NONE = 0,
	LV_X86_PEND_CPUID,
	LV_X86_PEND_RDMSR,
	LV_X86_PEND_WRMSR,
	LV_X86_PEND_IO_IN,
	LV_X86_PEND_IO_OUT,
	LV_X86_PEND_EMUL,
};

/* lv_x86_vendor.enter() results. */
#define LV_X86_ENTERED 0 /* the guest ran and exited: decode it */
#define LV_X86_KICKED  1 /* a kick was pending: the guest was not entered */
#define LV_X86_FAILED  2 /* the entry failed: vcpu->exit says how */

struct lv_x86_vendor;

/*
 * The debug registers of guest and host (x86_dbg.c). VM entry and exit
 * switch only DR7 (and DR6 on SVM, the guest's DEBUGCTL on VMX);
 * the rest is software's. The guest's DR0-DR3 (and DR6 on VMX) are in the
 * CPU only while 'loaded', from just before an entry to just after its
 * exit, and only while 'on': the guest accessed a debug register since
 * its last exit (MOV DR is intercepted otherwise), or its DR7 enables a
 * breakpoint. The host's DR7 is put back after every exit that changed
 * it.
 */
struct lv_x86_dbg {
	uint64_t dr[4];	     /* the guest's DR0-DR3 */
	uint64_t dr6;	     /* VMX: the guest's DR6 (SVM keeps it in the VMCB) */
	uint64_t host_dr[4]; /* the host's DR0-DR3 and DR6 while the guest's are loaded */
	uint64_t host_dr6;
	uint64_t host_dr7; /* the host's DR7 before the entry */
	uint8_t on;	   /* the guest's DR0-DR3 go in around each entry */
	uint8_t work;	   /* LV_X86_DBG_*: what lv_x86_dbg_put() does after an exit */
};
#define LV_X86_DBG_LOADED 1u /* the guest's DR0-DR3 are in the CPU */
#define LV_X86_DBG_HOST	  2u /* the host's DR7 (host_dr7) is not 400H: put it back */

/* The shared part of a vCPU: the first member of the vendor's vcpu->priv. */
struct lv_x86_vcpu {
	/*
	 * Guest GPRs; the entry stubs load and store RAX..R15 here (offsets
	 * below). RSP, RIP and RFLAGS live in the VMCB / VMCS; SVM copies RAX
	 * to and from its VMCB around VMRUN.
	 */
	struct lv_regs regs;
	uint64_t cr2;	   /* VMX: guest CR2, loaded and stored by the entry stub */
	uint64_t launched; /* VMX: 0 = VMLAUNCH next; the stub sets 1 */
	/* SVM: the PAs svm_entry.S takes from here (one argument, no pushes). */
	uint64_t vmcb_pa;      /* the guest's VMCB */
	uint64_t host_save_pa; /* the host save area of the CPU of the entry */
	struct lv_vcpu *vcpu;
	const struct lv_x86_vendor *vd;
	uint32_t requests;  /* LV_X86_RQ_*: what the next entry does first (lv_x86_rq_set()) */
	int32_t cpu;	    /* host CPU of the current / last run, -1 before the first */
	uint32_t guest_seq; /* odd from the request test to the VM exit (lv_x86_guest_begin()) */
	uint32_t shoot_seq; /* guest_seq lv_x86_shootdown() saw; odd: it waits for a change */
	uint32_t pending;   /* enum lv_x86_pend */
	uint32_t insn_len;  /* length of the exiting instruction (for completion) */
	uint32_t windows;   /* LV_WINDOW_* the caller asked for */
	uint32_t exc_exits; /* lv_vcpu_set_exception_exits() */
	uint8_t singlestep; /* LV_DEBUG_SINGLESTEP */
	uint8_t io_in, io_size;
	uint16_t io_port;
	uint32_t npf_access; /* LV_ACCESS_* of a nested page fault */
	int npf_walk;	     /* ... in the guest's own page walk */
	uint64_t npf_gpa, npf_gva;
	int npf_gva_valid;
	struct lv_x86_events events; /* queued by lv_vcpu_inject() and by the layer */
	struct lv_policy cpuid;	     /* lv_cpuid_entry overrides (lv_vcpu_set_cpuid) */
	/*
	 * The run loop's cache: what lv_x86_cpuid_lookup() found (never NULL)
	 * for cpuid_leaf / cpuid_sub in the current table.
	 */
	const struct lv_cpuid_entry *cpuid_hit;
	uint32_t cpuid_leaf, cpuid_sub;
	/* The host's highest basic and extended leaves, its vendor's rule (lv_x86_cpuid_range). */
	uint32_t cpuid_max_basic, cpuid_max_ext;
	uint8_t cpuid_oor_zero; /* 1: a leaf out of range reads as zeros (AMD, Hygon) */
	uint8_t io_buf[16];	/* IO data handed to the caller (one element per exit) */
	/* MMIO / string IO through the core emulator between an exit and its completion. */
	uint64_t emul_gpa; /* GPA of the access being emulated (0: string IO) */
	struct lv_x86_emul em;
	struct lv_x86_env env;
	struct lv_guest_paging pg;
	struct lv_state scratch; /* the emulator's view of the guest */
	struct lv_x86_fpu fpu;	 /* x87/SSE/AVX registers and XCR0 (x86_fpu.h) */
	struct lv_x86_dbg dbg;	 /* debug registers (x86_dbg.c) */
	uint32_t tsc_aux;	 /* the guest's TSC_AUX (x86_aux.c; bits 63:32 are reserved) */
	uint8_t aux_loaded;	 /* ... is in the MSR now */
	uint64_t misc_enable;	 /* the guest's IA32_MISC_ENABLE (x86_msr.c) */
	/*
	 * LV_VM_IRQCHIP (x86_apic.h): the local APIC; what other vCPUs and
	 * devices posted (LV_X86_REQ_*, under the VM's chip lock) and the
	 * SIPI vector; lv_vcpu_kick() was called (LV_X86_RQ_KICK also means
	 * "work before the entry" then); the guest is in HLT (LV_MP_HALTED).
	 */
	struct lv_lapic *apic;
	uint32_t apic_req;
	uint32_t nmi_queued; /* NMIs posted since lv_x86_apic_arm() last looked (atomic) */
	uint8_t nmi_held;    /* a second NMI waits behind x->events.nmi (x86_apic.h) */
	uint32_t user_kick;
	uint8_t sipi_vector;
	uint8_t halted;
	/* The deadline last given to lv_plat_timer() for the APIC timer (~0: none). */
	uint64_t timer_at;
};

/* Offsets the entry stubs (svm_entry.S, vmx_entry.S) hard-code. */
_Static_assert(offsetof(struct lv_x86_vcpu, regs) == 0, "stubs get &x->regs");
_Static_assert(offsetof(struct lv_regs, rax) == 0 && offsetof(struct lv_regs, rbx) == 8 &&
		       offsetof(struct lv_regs, rcx) == 16 && offsetof(struct lv_regs, rdx) == 24 &&
		       offsetof(struct lv_regs, rsi) == 32 && offsetof(struct lv_regs, rdi) == 40 &&
		       offsetof(struct lv_regs, rbp) == 56 && offsetof(struct lv_regs, r8) == 64 &&
		       offsetof(struct lv_regs, r15) == 120,
	       "GPR offsets of the entry stubs");
_Static_assert(offsetof(struct lv_x86_vcpu, cr2) == 144 &&
		       offsetof(struct lv_x86_vcpu, launched) == 152,
	       "vmx_entry.S X_CR2 / X_LAUNCHED");
_Static_assert(offsetof(struct lv_x86_vcpu, vmcb_pa) == 160 &&
		       offsetof(struct lv_x86_vcpu, host_save_pa) == 168,
	       "svm_entry.S X_VMCB_PA / X_HOST_SAVE_PA");

/* The shared part of a VM: the first member of the vendor's vm->priv. */
struct lv_x86_vm {
	struct lv_x86_npt npt;	    /* first: x86_mem.c finds it here */
	struct lv_policy msr_exits; /* the caller's lv_msr_range policy (lv_vm_set_msr_exits) */
	uint8_t *msr_map;	    /* MSRPM / MSR bitmap */
	uint64_t msr_map_pa;
	struct lv_x86_irqchip *chip; /* LV_VM_IRQCHIP: the IOAPIC and the lock (x86_apic.h) */
};

/*
 * What a vendor implements. Every hook is required. "v" is the public
 * vCPU; its priv begins with struct lv_x86_vcpu.
 */
struct lv_x86_vendor {
	/* Probe and fill b->caps and b->priv. */
	int (*open)(struct lv_backend *b);
	void (*close)(struct lv_backend *b);
	/* Enter / leave SVM or VMX operation on the calling CPU. */
	int (*cpu_enable)(struct lv_backend *b);
	int (*cpu_disable)(struct lv_backend *b);
	/*
	 * The nested table and the vendor's VM fields: vm->priv is allocated
	 * (vm_size bytes, zeroed) and its MSR map too; destroy frees what
	 * create made, and nothing else.
	 */
	int (*vm_create)(struct lv_vm *vm);
	void (*vm_destroy)(struct lv_vm *vm);
	/*
	 * The VMCB / VMCS: vcpu->priv is allocated (vcpu_size bytes, zeroed,
	 * x->vcpu, x->vd and x->cpu set); the layer sets the reset state next.
	 */
	int (*vcpu_create)(struct lv_vcpu *v);
	void (*vcpu_destroy)(struct lv_vcpu *v);
	/*
	 * The hooks of the run loop take the shared vCPU @p x (x->vcpu is the
	 * public one): the loop keeps it in a register the entry stubs
	 * preserve, so no hook loads vcpu->priv again after an entry.
	 *
	 * Enter the guest once: test the request word (LV_X86_RQ_*) with one
	 * compare where no interrupt can slip in (lv_x86_rq_pending()), and
	 * on a set bit take the kick, flush the guest TLB or do the slow work
	 * on a cold path; enter, and come back. @return LV_X86_ENTERED,
	 * LV_X86_KICKED, LV_X86_FAILED, or an LV_ERR_* for the caller.
	 */
	int (*enter)(struct lv_x86_vcpu *x);
	/* Decode the exit into vcpu->exit (raw words, reason) and say what to do. */
	int (*exit)(struct lv_x86_vcpu *x);
	/* Optional: before a run (VMX: make the VMCS current, host CR3). */
	int (*load)(struct lv_x86_vcpu *x);
	/* Optional: the run returns to the caller (the host's FPU state; VMX: VMCLEAR). */
	void (*done)(struct lv_x86_vcpu *x);
	/*
	 * Optional: enter() returned LV_X86_KICKED after its entry work had
	 * armed an event where the layer no longer sees it (VMX: the VMCS's
	 * entry field): back to the layer's queue or the vendor's slot, where
	 * lv_x86_apic_block() and the next entry find it. Called at once, on
	 * the vCPU's CPU, by lv_x86_kicked().
	 */
	void (*kicked)(struct lv_x86_vcpu *x);
	/* Neutral state groups and single MSRs. */
	int (*get_state)(struct lv_vcpu *v, uint32_t mask, struct lv_state *st);
	int (*set_state)(struct lv_vcpu *v, uint32_t mask, const struct lv_state *st);
	int (*get_msr)(struct lv_vcpu *v, uint32_t index, uint64_t *value);
	int (*set_msr)(struct lv_vcpu *v, uint32_t index, uint64_t value);
	/* RIP past the exiting instruction of @p len bytes; ends an STI/MOV-SS shadow. */
	void (*skip)(struct lv_x86_vcpu *x, uint32_t len);
	/*
	 * The raw word of the event the next entry carries (SDM 25.8.3 /
	 * EVENTINJ layout, 0 = none), and whether the guest can take an NMI
	 * and an external interrupt now.
	 */
	uint64_t (*event_slot)(struct lv_vcpu *v, int *nmi_open, int *irq_open);
	/* Put @p ev (exception, NMI or external interrupt) into the next entry. */
	void (*event_put)(struct lv_vcpu *v, const struct lv_event *ev);
	/*
	 * Apply x->windows + the queue's window wishes, x->exc_exits and
	 * x->singlestep to the intercept controls.
	 */
	void (*intercepts)(struct lv_vcpu *v);
	/*
	 * The guest's FPU registers are now (@p loaded = 1) or no longer (0)
	 * in the CPU: run the guest with its own CR0.TS and CR4.OSXSAVE and
	 * without the FPU intercepts, or with TS forced set, OSXSAVE forced
	 * clear, and every fault or CR0/CR4 access that would show it exiting
	 * as LV_X86_FPU (x86_fpu.h). Called only on the vCPU's CPU with its
	 * VMCB / VMCS in use.
	 */
	void (*fpu_own)(struct lv_vcpu *v, int loaded);
	/*
	 * Optional, LV_VM_IRQCHIP: make the next entry end by itself after
	 * at most @p ns_left ns (~0: no limit) while the APIC timer is armed
	 * (VMX: the preemption timer). Called with the vendor's entry work,
	 * on the vCPU's CPU. @return 1 when done, 0 when the vendor cannot
	 * (the layer arms a host timer with lv_plat_timer() instead).
	 */
	int (*guest_timer)(struct lv_vcpu *v, uint64_t ns_left);
	/*
	 * LV_VM_IRQCHIP, the TPR (x86_apic.c): the guest's CR8 (TPR[7:4])
	 * where the vendor keeps it while the guest runs (SVM: V_TPR; VMX:
	 * the virtual-APIC page's VTPR, else the CR8-exit handler's copy).
	 * Both work outside a run too (no VMCS access).
	 */
	uint32_t (*cr8_get)(struct lv_vcpu *v);
	void (*cr8_put)(struct lv_vcpu *v, uint32_t cr8);
	/*
	 * With the vendor's entry work: the guest exits as soon as it lowers
	 * CR8 below @p cls (1-15; 0: no such exit is needed). SVM: the CR8
	 * write intercept; VMX: the TPR threshold (without the TPR shadow
	 * every MOV to CR8 exits anyway).
	 */
	void (*tpr_watch)(struct lv_vcpu *v, uint32_t cls);

	/* Data: object sizes; the MSR permission map's size, bit positions and pass-through MSRs. */
	size_t vm_size, vcpu_size;
	size_t msr_map_bytes;
	lv_x86_msr_bit_fn msr_bit;
	const uint32_t *msr_pass; /* ends with 0 */
};

static inline struct lv_x86_vcpu *lv_x86_of(const struct lv_vcpu *v)
{
	return (struct lv_x86_vcpu *)v->priv;
}

static inline struct lv_x86_vm *lv_x86_vm_of(const struct lv_vm *vm)
{
	return (struct lv_x86_vm *)vm->priv;
}

static inline const struct lv_x86_vendor *lv_x86_vendor_of(const struct lv_backend *b)
{
	return (const struct lv_x86_vendor *)b->ops->impl;
}

/*
 * The request word (lv_x86_vcpu.requests), as KVM's vcpu->requests: what
 * the next entry has to do besides entering, one bit per kind of work.
 * The enter hooks test the whole word with one compare after
 * lv_x86_guest_begin(); a set bit sends the entry to the vendor's cold
 * path, which takes the kick, flushes, or does the slow work, and enters
 * (or returns).
 *
 * Every write is a locked read-modify-write of the whole dword
 * (lv_x86_rq_set(), lv_x86_rq_clear()), also from the vCPU's own thread:
 * other CPUs set bits at any time, and the SDM defines no ordering
 * between a plain byte store and a locked dword operation on the same
 * bytes (Vol. 3, 9.1.2.2: software should access a semaphore with
 * identical addresses and operand lengths). Reads are plain dword loads.
 */
/* lv_vcpu_kick(), or the APIC posted work (x86_apic.h): the entry returns KICKED. */
#define LV_X86_RQ_KICK	 1u
/* Flush this vCPU's guest TLB (lv_x86_shootdown(), a stale-translation fault). */
#define LV_X86_RQ_FLUSH	 2u
/* The layer's entry work: queued events, windows, the APIC, debug registers, TSC_AUX. */
#define LV_X86_RQ_LAYER	 4u
/* The vendor's entry work (VMCB clean bits, VMCS fields, single-step, ...). */
#define LV_X86_RQ_VENDOR 8u
/* The entry's slow work, done by the vendor's slow path (lv_x86_arm_events() among it). */
#define LV_X86_RQ_WORK	 (LV_X86_RQ_LAYER | LV_X86_RQ_VENDOR)

/* Set @p bits in the request word: LOCK OR, a full barrier (SDM Vol. 3, 9.2.2). */
static inline __attribute__((always_inline)) void lv_x86_rq_set(struct lv_x86_vcpu *x,
								uint32_t bits)
{
	__atomic_fetch_or(&x->requests, bits, __ATOMIC_SEQ_CST);
}

/* Clear @p bits in the request word: LOCK AND, a full barrier. */
static inline __attribute__((always_inline)) void lv_x86_rq_clear(struct lv_x86_vcpu *x,
								  uint32_t bits)
{
	__atomic_fetch_and(&x->requests, ~bits, __ATOMIC_SEQ_CST);
}

/*
 * Whether any of @p bits is set: one TEST of the word in memory (a plain
 * load; the caller knows what ordered it).
 */
static inline __attribute__((always_inline)) int lv_x86_rq_test(const struct lv_x86_vcpu *x,
								uint32_t bits)
{
	int set;

	__asm__ volatile("testl %1, %2" : "=@ccnz"(set) : "ri"(bits), "m"(x->requests));
	return set;
}

/*
 * Guest-mode tracking for the remote TLB shootdown (lv_x86_shootdown() in
 * x86_mem.c), as KVM's vcpu->mode: x->guest_seq is odd from just before
 * the vendor's enter hook reads the request word to just after the VM
 * exit; only the vCPU's own thread writes it, with interrupts (SVM: GIF)
 * off throughout the odd phase.
 *
 * Begin is a locked increment, a full barrier on x86 (SDM Vol. 3, 9.2.2:
 * locked instructions are not reordered with loads or stores): the
 * request word is read only after the odd value is visible to every CPU.
 * The shootdown sets LV_X86_RQ_FLUSH in every vCPU of the VM with a
 * locked OR and reads that vCPU's guest_seq after it; a kick
 * (lv_x86_kick(), the APIC's notify) sets LV_X86_RQ_KICK the same way and
 * reads x->cpu / guest_seq after it. Locked instructions have one total
 * order (9.2.3.8), so of the two sequentially consistent pairs (guest_seq
 * LOCK INC, request-word load) and (LOCK OR of the bit, guest_seq load)
 * one comes first: either the vCPU sees the bit and flushes (or returns
 * KICKED) before it enters, or the other side sees the odd value and
 * sends its IPI (which a VM entry with interrupts pending turns into an
 * exit at once); the shootdown then waits until the vCPU has left guest
 * mode, and its next entry sees the bit. A bit the entry path clears
 * after it read it (the flush) is set again by a later shootdown, which
 * is then ordered after this entry's begin and so kicks and waits for it.
 */
static inline __attribute__((always_inline)) void lv_x86_guest_begin(struct lv_x86_vcpu *x)
{
	/* One instruction on the hot path; LOCK makes it the full barrier. */
	__asm__ volatile("lock incl %0" : "+m"(x->guest_seq) : : "memory", "cc");
}

/*
 * Before an entry, with interrupts (SVM: GIF) off: the CPU the vCPU is on
 * (read by lv_x86_kick() and the shootdown), then guest mode begins
 * (above), then the request word is read (lv_x86_rq_pending()). On x86 a
 * plain store is a release store and a locked instruction a full barrier
 * (SDM Vol. 3, 9.2.2); the asm keeps the compiler from hoisting the
 * fields' addresses out of the run loop into spilled registers.
 */
static inline __attribute__((always_inline)) void lv_x86_set_cpu(struct lv_x86_vcpu *x,
								 uint32_t cpu)
{
	__asm__ volatile("movl %1, %0" : "=m"(x->cpu) : "r"(cpu) : "memory");
}

/*
 * The entry's one test: @return whether any request is set. It follows
 * lv_x86_guest_begin()'s LOCK INC, which orders it after the x->cpu store
 * and the odd guest_seq (SDM Vol. 3, 9.2.2: loads are not reordered with
 * locked instructions). One CMP with a memory operand; the asm keeps it
 * after the LOCK INC and in the flags.
 */
static inline __attribute__((always_inline)) int lv_x86_rq_pending(struct lv_x86_vcpu *x)
{
	int set;

	__asm__ volatile("cmpl $0, %1" : "=@ccnz"(set) : "m"(x->requests) : "memory");
	return set;
}

/*
 * After the VM exit (or an entry that did not happen): guest_seq even
 * again. A plain store suffices (x86 stores are not reordered with older
 * stores or loads, SDM Vol. 3, 9.2.2); only this thread writes guest_seq.
 */
static inline __attribute__((always_inline)) void lv_x86_guest_end(struct lv_x86_vcpu *x)
{
	__asm__ volatile("incl %0" : "+m"(x->guest_seq) : : "memory", "cc");
}

/* ---- x86_run.c: the run loop's cold half -------------------------------- */

/* Complete the exit the caller answered (x->pending). @return an lv_x86_act. */
int lv_x86_complete(struct lv_vcpu *v);
/* Everything but the hot CPUID / IO / HLT / MSR exits. @return an lv_x86_act. */
int lv_x86_dispatch(struct lv_vcpu *v, int act);
/* The MSR exit: the layer's own MSRs, or an exit. @return an lv_x86_act. */
int lv_x86_msr_exit(struct lv_vcpu *v, int write);
/* Arm the queued events into the next entry (called by the vendor's slow entry work). */
void lv_x86_arm_events(struct lv_vcpu *v);
/* An exception the layer or the vendor raises in the guest. */
void lv_x86_raise(struct lv_vcpu *v, uint8_t vector, int has_err, uint32_t err);
/* The LV_EXIT_CANCELLED record of a kicked run. */
void lv_x86_cancelled(struct lv_vcpu *v, uint32_t kind);
/*
 * The enter hook found LV_X86_RQ_KICK (and cleared it): LV_X86_CALLER with vcpu->exit
 * LV_EXIT_CANCELLED, or, with a local APIC, its work first
 * (lv_x86_apic_block()): LV_X86_GUEST means enter now.
 */
int lv_x86_kicked(struct lv_vcpu *v);

/*
 * The lv_vcpu_set_cpuid() entry for @p leaf / @p sub, or &lv_x86_cpuid_none;
 * kept in the run loop's cache (x->cpuid_hit) for that key.
 */
const struct lv_cpuid_entry *lv_x86_cpuid_lookup(struct lv_x86_vcpu *x, uint32_t leaf,
						 uint32_t sub);
/* Caches the host's CPUID maxima and vendor rule for lv_x86_cpuid_range() (x86_run.c). */
void lv_x86_cpuid_range_init(struct lv_x86_vcpu *x);

/* Read @p n instruction bytes at CS:RIP (for vendor decoders). */
int lv_x86_fetch(struct lv_vcpu *v, uint8_t *buf, unsigned n);

/* ---- x86_dbg.c: debug registers ---------------------------------------- */

/* The guest accessed a debug register (MOV DR exit): load its own from now on. */
void lv_x86_dbg_use(struct lv_vcpu *v);
/* LV_STATE_DEBUG (DR0-DR3; DR6 when @p dr6, VMX); DR7 is the vendor's. */
void lv_x86_dbg_get(const struct lv_x86_dbg *d, struct lv_debug *st, int dr6);
void lv_x86_dbg_set(struct lv_vcpu *v, const struct lv_debug *st, int dr6);
/* Before an entry, while d->on: the host's DR0-DR3 (and DR6) out, the guest's in. */
void lv_x86_dbg_load(struct lv_x86_dbg *d, int dr6);
/*
 * After an exit (interrupts still off), when d->work is not 0:
 * the guest's DR0-DR3 (and DR6 when @p dr6) saved, the host's DR0-DR3,
 * DR6 and DR7 back. @return 1 when the guest's DR7 (@p
 * guest_dr7) enables no breakpoint and d->on was cleared: the vendor arms
 * its MOV DR intercept again.
 */
int lv_x86_dbg_put(struct lv_x86_dbg *d, int dr6, uint64_t guest_dr7);

/* ---- x86_aux.c: TSC_AUX ------------------------------------------------- */

/* The host's TSC_AUX on the calling CPU (0 when the CPU has none); vendors' cpu_enable. */
uint32_t lv_x86_host_tsc_aux(void);
/* TSC_AUX as lv_x86_own_msr() (x86_msr.c) handles it. */
int lv_x86_aux_msr(struct lv_x86_vcpu *x, int write, uint64_t *value);
/* The guest's TSC_AUX into the MSR (it differs from the host's), and back. */
void lv_x86_aux_load(struct lv_x86_vcpu *x);
void lv_x86_aux_put(struct lv_x86_vcpu *x, uint32_t host);

/* ---- x86_msr.c: the MSRs the layer keeps itself ------------------------- */

/* IA32_MISC_ENABLE's value at power-on (x86_msr.c). */
#define LV_X86_MISC_ENABLE_RESET 0x1800ull
/*
 * An MSR the layer keeps itself (TSC_AUX, IA32_MISC_ENABLE): @return 1
 * when handled (read into / written from *@p value), -1 when the write is
 * invalid (the guest takes #GP), 0 when @p index is not one of them.
 */
int lv_x86_own_msr(struct lv_x86_vcpu *x, uint32_t index, int write, uint64_t *value);

/* ---- x86_ops.c: the lv_backend_ops of both raw backends ----------------- */

/*
 * The ops table of a raw backend: every entry is the shared layer's; only
 * the name, the kind and the run function (the shared loop instantiated
 * with the vendor's hooks, x86_run.h) are the vendor's.
 */
#define LV_X86_BACKEND_OPS(NAME, KIND, VENDOR, RUN)                                                \
	{                                                                                          \
		.name = (NAME), .kind = (KIND), .impl = (VENDOR), .open = lv_x86_open,             \
		.close = lv_x86_close, .cpu_enable = lv_x86_cpu_enable,                            \
		.cpu_disable = lv_x86_cpu_disable, .vm_create = lv_x86_vm_create,                  \
		.vm_destroy = lv_x86_vm_destroy, .map = lv_x86_map, .unmap = lv_x86_unmap,         \
		.protect = lv_x86_protect, .get_dirty = lv_x86_get_dirty,                          \
		.set_msr_exits = lv_x86_set_msr_exits, .vcpu_create = lv_x86_vcpu_create,          \
		.vcpu_destroy = lv_x86_vcpu_destroy, .run_api = (RUN), .kick = lv_x86_kick,        \
		.get_state = lv_x86_get_state, .set_state = lv_x86_set_state,                      \
		.get_msr = lv_x86_get_msr, .set_msr = lv_x86_set_msr, .inject = lv_x86_inject,     \
		.request_window = lv_x86_request_window, .set_cpuid = lv_x86_set_cpuid,            \
		.set_exception_exits = lv_x86_set_exception_exits, .set_debug = lv_x86_set_debug,  \
		.irq_line = lv_x86_irq_line, .signal_msi = lv_x86_signal_msi,                      \
	}

int lv_x86_open(struct lv_backend *b);
void lv_x86_close(struct lv_backend *b);
int lv_x86_cpu_enable(struct lv_backend *b);
int lv_x86_cpu_disable(struct lv_backend *b);
int lv_x86_vm_create(struct lv_vm *vm);
void lv_x86_vm_destroy(struct lv_vm *vm);
int lv_x86_set_msr_exits(struct lv_vm *vm, const struct lv_msr_range *r, size_t n);
int lv_x86_vcpu_create(struct lv_vcpu *v);
void lv_x86_vcpu_destroy(struct lv_vcpu *v);
int lv_x86_kick(struct lv_vcpu *v);
int lv_x86_get_state(struct lv_vcpu *v, uint32_t mask, struct lv_state *st);
int lv_x86_set_state(struct lv_vcpu *v, uint32_t mask, const struct lv_state *st);
int lv_x86_get_msr(struct lv_vcpu *v, uint32_t index, uint64_t *value);
int lv_x86_set_msr(struct lv_vcpu *v, uint32_t index, uint64_t value);
int lv_x86_inject(struct lv_vcpu *v, const struct lv_event *ev);
int lv_x86_request_window(struct lv_vcpu *v, uint32_t mask);
int lv_x86_set_cpuid(struct lv_vcpu *v, const struct lv_cpuid_entry *e, size_t n);
int lv_x86_set_exception_exits(struct lv_vcpu *v, uint32_t vectors);
int lv_x86_set_debug(struct lv_vcpu *v, uint32_t flags);

#endif /* LV_X86_VCPU_H */
