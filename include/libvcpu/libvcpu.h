/* SPDX-License-Identifier: MIT */
/**
 * @file libvcpu.h
 * @brief The backend-neutral libvcpu API: backends, VMs, memory, vCPUs, exits.
 *
 * Include this header only; it pulls in status.h, state.h and exit.h.
 *
 * Objects and ownership
 * ---------------------
 * A backend (`struct lv_backend`) owns its VMs; a VM (`struct lv_vm`) owns its
 * vCPUs (`struct lv_vcpu`). Each has a create/destroy pair. Handles are pointers the
 * library allocates; their memory stays valid until the owner is gone
 * (vCPU memory until its VM is destroyed, VM memory until its backend is
 * closed), so any call on a destroyed vCPU or VM returns #LV_ERR_STALE
 * instead of touching freed memory. A destroyed object's memory may be
 * reused by a later create of the same kind on the same owner (like a
 * file descriptor number): do not keep using handles after destroy.
 *
 * Threads and CPUs
 * ----------------
 * - Calls on one vCPU must not overlap, except lv_vcpu_kick(), which is
 *   callable from any thread (hosted) or CPU (ring 0) at any time.
 * - In ring 0 a vCPU runs on the CPU that calls lv_vcpu_run(); that CPU must
 *   have been enabled with lv_cpu_enable(). A vCPU may move between CPUs
 *   between runs; the backend handles it.
 * - Calls on one VM (map/unmap/protect/dirty log/vCPU create/destroy) must be
 *   serialized by the caller; they may run while other threads run vCPUs of
 *   that VM, except that a range must not be unmapped while a vCPU is in the
 *   middle of an exit that refers to it. lv_vm_map(), lv_vm_unmap() and
 *   lv_vm_protect() wait for vCPUs that are handling an exit inside
 *   lv_vcpu_run() (emulating an instruction, walking the guest's page
 *   tables) to finish it: once they return, no vCPU uses the old mapping,
 *   in guest mode or in the library.
 * - Backend open/close and lv_cpu_enable()/lv_cpu_disable() must be serialized
 *   by the caller.
 *
 * Errors
 * ------
 * Every call returns #LV_OK or a negative #lv_status. Arguments are
 * validated first; on error nothing has changed. A call the selected backend
 * does not implement returns #LV_ERR_NOTSUP. The library never aborts and
 * never prints; in ring 0 it allocates only through the platform seam
 * (platform.h) and only in the calls documented to allocate.
 */
#ifndef LIBVCPU_LIBVCPU_H
#define LIBVCPU_LIBVCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libvcpu/exit.h>
#include <libvcpu/state.h>
#include <libvcpu/status.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LV_VERSION_MAJOR 0 /**< Major version: incompatible API changes. */
#define LV_VERSION_MINOR 1 /**< Minor version: additions. */
#define LV_VERSION_PATCH 0 /**< Patch version: fixes. */

/** Guest page size the API works in: every address and size is a multiple. */
#define LV_PAGE_SIZE 4096u

struct lv_backend;
struct lv_vm;
struct lv_vcpu;

/* ------------------------------------------------------------------------ */
/** @name Backends and capabilities */
/**@{*/

/** Backend kinds. */
enum lv_backend_kind {
	LV_BACKEND_ANY = 0, /**< Probe: the first compiled-in backend that works here. */
	LV_BACKEND_KVM = 1, /**< Linux /dev/kvm (hosted archive). */
	LV_BACKEND_SVM = 2, /**< Raw AMD-V in ring 0 (freestanding archive). */
	LV_BACKEND_VMX = 3, /**< Raw Intel VT-x in ring 0 (freestanding archive). */
};

/** @name Feature bits of #lv_caps.features */
/**@{*/
#define LV_FEAT_UNRESTRICTED_GUEST (1ull << 0) /**< Real mode and unpaged protected mode run. */
#define LV_FEAT_DIRTY_LOG	   (1ull << 1) /**< lv_vm_get_dirty() works. */
#define LV_FEAT_READONLY_MEM                                                                       \
	(1ull << 2) /**< LV_PROT_READ without WRITE gives MMIO exits on write. */
#define LV_FEAT_NOEXEC_MEM     (1ull << 3)  /**< Mappings without LV_PROT_EXEC fault on fetch. */
#define LV_FEAT_CPUID_EXIT     (1ull << 4)  /**< LV_CPUID_EXIT entries produce #LV_EXIT_CPUID. */
#define LV_FEAT_MSR_EXIT       (1ull << 5)  /**< lv_vm_set_msr_exits() works. */
#define LV_FEAT_IRQ_WINDOW     (1ull << 6)  /**< #LV_WINDOW_IRQ works. */
#define LV_FEAT_NMI_WINDOW     (1ull << 7)  /**< #LV_WINDOW_NMI works. */
#define LV_FEAT_SINGLESTEP     (1ull << 8)  /**< #LV_DEBUG_SINGLESTEP works. */
#define LV_FEAT_HYPERCALL_EXIT (1ull << 9)  /**< VMCALL/VMMCALL give #LV_EXIT_HYPERCALL. */
#define LV_FEAT_NESTED_PAGING  (1ull << 10) /**< Guest memory is behind EPT/NPT. */
#define LV_FEAT_TLB_TAGGED     (1ull << 11) /**< VPID/ASID tagging in use. */
#define LV_FEAT_SYNC_REGS      (1ull << 12) /**< Registers come back with the exit (cheap GPR sync). */
#define LV_FEAT_RING0	       (1ull << 13) /**< Backend needs lv_cpu_enable() on each CPU. */
/** #LV_VM_IRQCHIP works: local APICs, IOAPIC, lv_vm_irq_line(), lv_vm_signal_msi(). */
#define LV_FEAT_IRQCHIP	       (1ull << 14)
/**@}*/

/** What a backend can do on this host. Filled by lv_backend_caps(). */
struct lv_caps {
	uint32_t kind;		  /**< #lv_backend_kind. */
	uint32_t max_vcpus;	  /**< Per VM. */
	uint32_t max_slots;	  /**< Distinct memory mappings per VM. */
	uint32_t guest_phys_bits; /**< Guest-physical address width. */
	uint64_t page_sizes;	  /**< Bit n set: 2^n-byte leaf pages usable (bits 12, 21, 30). */
	uint64_t features;	  /**< LV_FEAT_* bits. */
	uint32_t
		exception_exits; /**< Vectors lv_vcpu_set_exception_exits() accepts (bit n = vector n). */
	uint32_t num_asids; /**< SVM ASIDs / VMX VPIDs available (0 if not applicable). */
	uint64_t raw[4]; /**< Backend-specific: KVM API version, VMX_BASIC, CPUID 8000000A, ... */
};

/**
 * Open a backend.
 * @param kind #LV_BACKEND_ANY to probe (hosted archive: KVM; freestanding:
 *        VMX then SVM by CPUID), or a specific kind.
 * @param out receives the handle; the caller owns it and closes it.
 * @return #LV_OK; #LV_ERR_INVAL (NULL @p out, unknown kind); #LV_ERR_NODEV
 *         (not compiled in or not usable on this host, e.g. no /dev/kvm or
 *         no VMX/SVM); #LV_ERR_DISABLED (firmware disabled it);
 *         #LV_ERR_PERM; #LV_ERR_NOTSUP (a required feature or kernel
 *         extension is missing); #LV_ERR_NOMEM. Allocates.
 *         lv_backend_open_ex() also says why.
 */
int lv_backend_open(uint32_t kind, struct lv_backend **out);

/** Why lv_backend_open_ex() could not open a backend (#lv_open_info.cause). */
enum lv_open_cause {
	LV_OPEN_OK = 0,		    /**< It opened. */
	LV_OPEN_NOT_BUILT = 1,	    /**< That kind is not compiled into this archive. */
	LV_OPEN_NO_CPU_SUPPORT = 2, /**< The CPU (as this system sees it) lacks VMX/SVM or a
				         feature the backend requires (@c detail: which). */
	LV_OPEN_DISABLED = 3,	    /**< Firmware disabled it (IA32_FEATURE_CONTROL, VM_CR). */
	LV_OPEN_NO_DEVICE = 4,	    /**< No /dev/kvm (@c os_error: errno of open()). */
	LV_OPEN_PERMISSION = 5,	    /**< /dev/kvm exists but may not be opened read-write. */
	LV_OPEN_API_VERSION = 6,    /**< KVM_GET_API_VERSION is not 12 (@c detail: what it said). */
	LV_OPEN_MISSING_EXTENSION = 7, /**< A KVM extension the backend needs is missing (@c detail:
					    its KVM_CAP_* number; @c what names it). */
	LV_OPEN_NO_MEMORY = 8,	       /**< Allocation failed. */
	LV_OPEN_OTHER = 9,	       /**< Anything else (@c what says). */
};

/**
 * The cause of an lv_backend_open_ex() failure, for people: @c what and
 * @c hint are static one-line strings (never NULL after the call, never to be
 * freed), e.g. what "/dev/kvm does not exist" and hint "load kvm_amd or
 * kvm_intel (modprobe); ...".
 */
struct lv_open_info {
	int status;	  /**< The call's return value (#LV_OK when a backend opened). */
	uint32_t kind;	  /**< The backend kind this is about (#lv_backend_kind). */
	uint32_t cause;	  /**< #lv_open_cause. */
	int32_t os_error; /**< Host error number (errno) behind it; 0 if none. */
	uint64_t detail;  /**< Cause-specific number (see #lv_open_cause); 0 if none. */
	const char *what; /**< What is wrong, one line, no trailing newline. */
	const char *hint; /**< What to do about it, one line; "" when there is nothing to say. */
};

/**
 * lv_backend_open(), and on failure the cause in @p info.
 * With #LV_BACKEND_ANY and several backends failing, @p info describes the
 * failure whose status lv_backend_open() would return.
 * @param kind as for lv_backend_open().
 * @param out as for lv_backend_open().
 * @param info may be NULL; otherwise filled on success and on failure.
 * @return as lv_backend_open().
 */
int lv_backend_open_ex(uint32_t kind, struct lv_backend **out, struct lv_open_info *info);

/**
 * Close a backend. All its VMs must have been destroyed and (ring 0) every
 * CPU disabled. @return #LV_OK; #LV_ERR_INVAL (NULL); #LV_ERR_BUSY (VMs or
 * enabled CPUs remain; nothing is freed).
 */
int lv_backend_close(struct lv_backend *b);

/** Fill @p caps. @return #LV_OK or #LV_ERR_INVAL (NULL argument). */
int lv_backend_caps(const struct lv_backend *b, struct lv_caps *caps);

/** Name of a backend kind ("kvm", "svm", "vmx", "any"); "unknown" otherwise. */
const char *lv_backend_kind_name(uint32_t kind);

/**
 * Name of one feature bit, e.g. "cpuid-exit" for #LV_FEAT_CPUID_EXIT.
 * @param feature exactly one LV_FEAT_* bit.
 * @return a static string; "unknown" for 0, several bits or an unused bit.
 */
const char *lv_feature_name(uint64_t feature);

/**
 * Enable virtualization on the calling CPU (ring-0 backends: VMXON, or
 * EFER.SVME + VM_HSAVE_PA). Call once on every CPU that will run vCPUs,
 * with preemption disabled. Hosted backends: a no-op returning #LV_OK.
 * @return #LV_OK; #LV_ERR_INVAL; #LV_ERR_EXIST (already enabled on this
 *         CPU); #LV_ERR_DISABLED (BIOS lock / VM_CR.SVMDIS); #LV_ERR_HW
 *         (VMXON failed); #LV_ERR_NOMEM. Allocates per-CPU pages.
 */
int lv_cpu_enable(struct lv_backend *b);

/**
 * Disable virtualization on the calling CPU (VMXOFF / clear EFER.SVME) and
 * free its per-CPU pages. No vCPU may be loaded on it. Hosted: no-op.
 * @return #LV_OK; #LV_ERR_INVAL; #LV_ERR_STATE (not enabled here).
 */
int lv_cpu_disable(struct lv_backend *b);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Virtual machines and guest memory */
/**@{*/

/** @name lv_vm_config::flags */
/**@{*/
/**
 * An interrupt controller in the VM (needs #LV_FEAT_IRQCHIP): a local APIC
 * per vCPU (xAPIC MMIO at its APIC base, x2APIC MSRs, the timer in
 * one-shot, periodic and TSC-deadline modes, IPIs including INIT and SIPI,
 * EOI, TPR/PPR), an IOAPIC at 0xFEC00000 whose inputs are GSIs 0-23
 * (lv_vm_irq_line()), and MSI delivery (lv_vm_signal_msi()). Guest accesses
 * to them never reach the caller. HLT is handled inside lv_vcpu_run(),
 * which returns when something else exits or lv_vcpu_kick() is called.
 * vCPU 0 starts runnable; every other vCPU starts waiting for INIT/SIPI
 * (#LV_MP_WAIT_SIPI), as on a PC: its lv_vcpu_run() blocks until a SIPI
 * starts it (or a kick). The groups #LV_STATE_APIC and #LV_STATE_MP save
 * and restore it. The PC's two 8259A PICs are part of it on every backend:
 * their ports (0x20/0x21, 0xA0/0xA1, the ELCR at 0x4D0/0x4D1) are answered
 * inside lv_vcpu_run(), GSIs 0-15 reach both the PICs and the IOAPIC, and
 * the PICs' interrupt goes to the vCPUs whose local APIC takes it: LINT0
 * unmasked in ExtINT mode (vCPU 0's starts so, as on KVM) or the APIC
 * disabled in IA32_APIC_BASE. On KVM this is the
 * kernel's irqchip; on SVM and VMX the library's own models. The PICs' and
 * the PIT's registers have no state group.
 */
#define LV_VM_IRQCHIP (1u << 0)
/** With #LV_VM_IRQCHIP: also an 8254 PIT at ports 0x40-0x43, its counter 0 on GSI 0, and port 0x61 (counter 2's gate and output, the speaker enable bit), all answered inside lv_vcpu_run(). */
#define LV_VM_PIT     (1u << 1)
/**@}*/

/** Options for lv_vm_create(); NULL means all defaults. */
struct lv_vm_config {
	uint32_t max_vcpus; /**< 0 = backend maximum. */
	uint32_t flags;	    /**< LV_VM_* bits; 0 = no interrupt controller. */
};

/**
 * Create a VM with no memory and no vCPUs.
 * @param b an open backend. @param cfg NULL or options.
 * @param out receives the handle.
 * @return #LV_OK; #LV_ERR_INVAL (unknown flag, #LV_VM_PIT without
 *         #LV_VM_IRQCHIP); #LV_ERR_NOTSUP (#LV_VM_IRQCHIP without
 *         #LV_FEAT_IRQCHIP); #LV_ERR_STALE (backend closed);
 *         #LV_ERR_NOMEM; #LV_ERR_HW (kernel refused). Allocates.
 */
int lv_vm_create(struct lv_backend *b, const struct lv_vm_config *cfg, struct lv_vm **out);

/**
 * Drive interrupt line @p gsi of a VM created with #LV_VM_IRQCHIP: @p level
 * 1 raises it, 0 lowers it. An edge-triggered input fires on the rising
 * edge (raise, then lower); a level-triggered one stays asserted while
 * raised. Any thread, any time.
 * @param vm the VM. @param gsi 0-23 (IOAPIC pins; 0-15 are also the PICs' IRQs).
 * @param level 0 or 1.
 * @return #LV_OK; #LV_ERR_INVAL (@p gsi out of range, @p level not 0/1);
 *         #LV_ERR_NOTSUP (the VM has no interrupt controller); #LV_ERR_STALE.
 */
int lv_vm_irq_line(struct lv_vm *vm, uint32_t gsi, uint32_t level);

/**
 * Deliver a message-signalled interrupt to a VM created with
 * #LV_VM_IRQCHIP: a 32-bit write of @p data to @p addr in the 0xFEE00000-0xFEEFFFFF
 * window, as a PCI device would (SDM Vol. 3, 11.11: destination in address
 * bits 19:12, vector and delivery mode in @p data). Any thread, any time.
 * @param vm the VM. @param addr the message address. @param data the message data.
 * @return #LV_OK (also when no APIC accepted it); #LV_ERR_INVAL (@p addr
 *         outside 0xFEE00000-0xFEEFFFFF); #LV_ERR_NOTSUP (no interrupt
 *         controller); #LV_ERR_STALE.
 */
int lv_vm_signal_msi(struct lv_vm *vm, uint64_t addr, uint32_t data);

/**
 * Destroy a VM and release its memory mappings (the caller's host memory
 * is not freed). All its vCPUs must have been destroyed.
 * @return #LV_OK; #LV_ERR_INVAL; #LV_ERR_STALE; #LV_ERR_BUSY (vCPUs remain).
 */
int lv_vm_destroy(struct lv_vm *vm);

/** @name Mapping flags for lv_vm_map() / lv_vm_protect() */
/**@{*/
#define LV_PROT_READ	 (1u << 0) /**< Guest may read. */
#define LV_PROT_WRITE	 (1u << 1) /**< Guest may write (requires READ). */
#define LV_PROT_EXEC	 (1u << 2) /**< Guest may execute. */
/** Read, write and execute. */
#define LV_PROT_ALL	 (LV_PROT_READ | LV_PROT_WRITE | LV_PROT_EXEC)
#define LV_MAP_DIRTY_LOG (1u << 8) /**< Track writes for lv_vm_get_dirty(). */
/**@}*/

/**
 * Map @p size bytes of host memory at @p hva to guest-physical @p gpa.
 * @param vm the VM. @param hva host (ring 0: kernel-virtual) address.
 * @param gpa guest-physical address. @param size bytes, a page multiple.
 * The caller keeps ownership of the host memory and must keep it valid and
 * (ring 0) pinned until it is unmapped. In ring 0, @p hva is a kernel-virtual
 * address translated page by page with lv_plat_virt_to_phys().
 * @param flags LV_PROT_* (at least READ; WRITE requires READ) and
 *        optionally #LV_MAP_DIRTY_LOG.
 * @return #LV_OK; #LV_ERR_INVAL (NULL @p hva, zero size, bad flags);
 *         #LV_ERR_ALIGN (hva/gpa/size not page-aligned); #LV_ERR_RANGE
 *         (wraps, or beyond guest_phys_bits); #LV_ERR_EXIST (overlaps an
 *         existing mapping); #LV_ERR_LIMIT (too many mappings); #LV_ERR_NOTSUP
 *         (protection the backend cannot express: no #LV_PROT_EXEC without
 *         #LV_FEAT_NOEXEC_MEM); #LV_ERR_NOMEM; #LV_ERR_STALE.
 *         Allocates.
 */
int lv_vm_map(struct lv_vm *vm, void *hva, uint64_t gpa, uint64_t size, uint32_t flags);

/**
 * Unmap a guest-physical range. Every page of it must be mapped; a range
 * may cover several mappings or part of one (the rest stays mapped).
 * Accesses to it afterwards are MMIO exits.
 *
 * When it returns, no vCPU of the VM, on any CPU, can still reach the old
 * host pages: the caller may reuse or free them at once, also while vCPUs
 * run. KVM flushes remote TLBs in the kernel; the raw backends bump the
 * VM's TLB generation, interrupt every vCPU in guest mode on another CPU
 * (lv_plat_kick_cpu()) and wait until it has left guest mode, and free
 * nested page-table pages only after that (a remote TLB shootdown). So the
 * call may spin until other CPUs have taken that interrupt (a few
 * microseconds): in ring 0 call it only where lv_plat_kick_cpu() works, and
 * never from a handler that may have interrupted lv_vcpu_run() on the same
 * CPU (an NMI on VMX), whose vCPU it would wait for.
 * @param vm the VM. @param gpa start of the range. @param size its length.
 * @return #LV_OK; #LV_ERR_INVAL; #LV_ERR_ALIGN; #LV_ERR_RANGE; #LV_ERR_NOENT
 *         (a page of the range is not mapped; nothing changed); #LV_ERR_STALE;
 *         #LV_ERR_NOMEM (splitting a mapping needed memory).
 */
int lv_vm_unmap(struct lv_vm *vm, uint64_t gpa, uint64_t size);

/**
 * Change the protection (LV_PROT_* bits only) of a mapped range in place.
 * Errors as lv_vm_unmap(), plus #LV_ERR_NOTSUP for a protection the
 * backend cannot express (no #LV_PROT_EXEC without #LV_FEAT_NOEXEC_MEM;
 * @p prot = 0, no access at all, works everywhere). A fetch from a page
 * without EXEC gives #LV_EXIT_NPF with access #LV_ACCESS_EXEC.
 * Taking rights away is complete when it returns, on every CPU, as for
 * lv_vm_unmap() (and with the same calling rules): the guest's next access
 * that needs a removed right exits.
 * @param vm the VM. @param gpa start of the range. @param size its length.
 * @param prot the new LV_PROT_* bits.
 */
int lv_vm_protect(struct lv_vm *vm, uint64_t gpa, uint64_t size, uint32_t prot);

/**
 * Read and clear the dirty bits of a range mapped with #LV_MAP_DIRTY_LOG.
 * @param vm the VM. @param gpa start of the range. @param size its length.
 * @param bitmap receives size / 4096 bits, bit i = page gpa + i * 4096
 *        written since the last call (bit i of 64-bit word i / 64).
 *        The caller owns it: ((size / 4096) + 63) / 64 words.
 * No write is lost, also while vCPUs run on other CPUs: a write that
 * happened before the call returned is in this bitmap or an earlier one
 * (its page's contents, read after the return, include it), and a later
 * write shows in a later call. The raw backends get this from the same
 * remote TLB shootdown as lv_vm_unmap() (same calling rules).
 * @return #LV_OK; #LV_ERR_INVAL; #LV_ERR_ALIGN; #LV_ERR_NOENT (a page is not
 *         mapped with dirty logging); #LV_ERR_NOTSUP; #LV_ERR_STALE.
 */
int lv_vm_get_dirty(struct lv_vm *vm, uint64_t gpa, uint64_t size, uint64_t *bitmap);

/** MSR exit policy flags. */
#define LV_MSR_EXIT_READ  (1u << 0) /**< RDMSR of these MSRs gives #LV_EXIT_RDMSR. */
#define LV_MSR_EXIT_WRITE (1u << 1) /**< WRMSR of these MSRs gives #LV_EXIT_WRMSR. */

/** A range of MSR indices and which accesses exit to the caller. */
struct lv_msr_range {
	uint32_t first; /**< First MSR index. */
	uint32_t count; /**< Number of consecutive MSRs, >= 1. */
	uint32_t flags; /**< LV_MSR_EXIT_* bits. */
};

/**
 * Set which MSR accesses exit to the caller, for every vCPU of the VM (KVM's
 * MSR filter is VM-wide). Replaces the previous policy; @p n = 0 clears it.
 * MSRs the backend does not implement exit as well, with reason
 * #LV_MSR_EXIT_UNKNOWN.
 * @return #LV_OK; #LV_ERR_INVAL (NULL with n > 0, count 0, bad flags,
 *         wrap); #LV_ERR_LIMIT (too many ranges for the backend);
 *         #LV_ERR_NOTSUP; #LV_ERR_STALE. May allocate.
 */
int lv_vm_set_msr_exits(struct lv_vm *vm, const struct lv_msr_range *ranges, size_t n);
/**@}*/

/* ------------------------------------------------------------------------ */
/** @name Virtual CPUs */
/**@{*/

/**
 * Create vCPU number @p id (0 .. max_vcpus-1) in the RESET state
 * (lv_state_init_reset()).
 * @return #LV_OK; #LV_ERR_INVAL; #LV_ERR_EXIST (id in use); #LV_ERR_LIMIT
 *         (id too large); #LV_ERR_NOMEM; #LV_ERR_HW; #LV_ERR_STALE (VM
 *         destroyed). Allocates.
 */
int lv_vcpu_create(struct lv_vm *vm, uint32_t id, struct lv_vcpu **out);

/**
 * Destroy a vCPU. It must not be running.
 * @return #LV_OK; #LV_ERR_INVAL; #LV_ERR_STALE; #LV_ERR_BUSY (running).
 */
int lv_vcpu_destroy(struct lv_vcpu *vcpu);

/**
 * Run the vCPU until the next exit the caller must see. Completes the
 * previous exit first (IO/MMIO reads, CPUID, RDMSR results taken from the
 * record). Returns with @p *exit pointing to the vCPU's exit record, valid
 * and writable until the next run; never NULL on #LV_OK.
 * A kick that lands at any time after the previous run returned makes this
 * run return at once with #LV_EXIT_CANCELLED (the pending exit completion is
 * still done first).
 * Ring 0: call it with preemption disabled and interrupts ENABLED. The
 * backends let host interrupts end guest execution only while the caller's
 * RFLAGS.IF is set (SVM's V_INTR_MASKING gates physical interrupts with the
 * host IF); with IF = 0 a kick IPI to a guest that spins with its own
 * interrupts off may not land until the guest exits for another reason.
 * @return #LV_OK (look at the exit); #LV_ERR_INVAL; #LV_ERR_STALE;
 *         #LV_ERR_BUSY (already running on another thread); #LV_ERR_STATE
 *         (ring 0: CPU not enabled); #LV_ERR_HW (the kernel/hardware failed
 *         the run itself).
 */
int lv_vcpu_run(struct lv_vcpu *vcpu, struct lv_exit **exit);

/**
 * Make the vCPU leave lv_vcpu_run() with #LV_EXIT_CANCELLED as soon as
 * possible. Callable from any thread or CPU at any time, also from a signal
 * handler (hosted) or interrupt handler (ring 0). One kick cancels one run:
 * if the vCPU is not running, the next run returns at once.
 * @return #LV_OK; #LV_ERR_INVAL; #LV_ERR_STALE.
 */
int lv_vcpu_kick(struct lv_vcpu *vcpu);

/**
 * Read the groups in @p mask of the vCPU's state into @p st. Fields of other
 * groups are left untouched. The x87/SSE/AVX registers are #LV_STATE_FPU,
 * one standard-format XSAVE area of #LV_FPU_XSAVE_SIZE bytes (struct
 * lv_fpu: the components x87, SSE and AVX, the only ones the vCPU's
 * default CPUID leaf 0Dh reports); XCR0 is lv_ctrl::xcr0 in
 * #LV_STATE_CONTROL. Every backend carries both, AVX included where the
 * CPU has it (KVM: KVM_GET_XSAVE / KVM_GET_XCRS).
 * @return #LV_OK; #LV_ERR_INVAL (NULL, unknown mask bits); #LV_ERR_STALE;
 *         #LV_ERR_BUSY (running); #LV_ERR_HW.
 */
int lv_vcpu_get_state(struct lv_vcpu *vcpu, uint32_t mask, struct lv_state *st);

/**
 * Write the groups in @p mask of @p st into the vCPU.
 * @return as lv_vcpu_get_state(), plus #LV_ERR_INVAL for a state the backend
 *         rejects when it is set (KVM refuses inconsistent CR0/CR4/EFER; an
 *         XCR0 or XSAVE header XSETBV / XRSTOR would refuse, see struct
 *         lv_fpu and lv_ctrl::xcr0); a
 *         state the hardware rejects only at entry gives an
 *         #LV_EXIT_ENTRY_FAILED exit instead (see docs/backends.md).
 */
int lv_vcpu_set_state(struct lv_vcpu *vcpu, uint32_t mask, const struct lv_state *st);

/**
 * Read one MSR of the guest. @return #LV_OK; #LV_ERR_INVAL; #LV_ERR_NOENT
 * (not an MSR the backend keeps); #LV_ERR_STALE; #LV_ERR_BUSY.
 */
int lv_vcpu_get_msr(struct lv_vcpu *vcpu, uint32_t index, uint64_t *value);

/** Write one MSR of the guest. Errors as lv_vcpu_get_msr(). */
int lv_vcpu_set_msr(struct lv_vcpu *vcpu, uint32_t index, uint64_t value);

/** Event kinds for lv_vcpu_inject(). */
enum lv_event_type {
	LV_EVENT_EXTINT = 0,	/**< External interrupt with a vector (32-255). */
	LV_EVENT_NMI = 1,	/**< Non-maskable interrupt. */
	LV_EVENT_EXCEPTION = 2, /**< Hardware exception (vector 0-31), optional error code. */
};

/** An event to inject. */
struct lv_event {
	uint32_t type;		/**< An #lv_event_type. */
	uint8_t vector;		/**< IDT vector. */
	uint8_t has_error_code; /**< Exceptions: push @c error_code. */
	uint8_t pad_[2];	/**< Reserved, 0. */
	uint32_t error_code;	/**< Error code for exceptions that have one. */
	uint32_t pad2_;		/**< Reserved, 0. */
};

/**
 * Queue an event for delivery through the guest's IDT. Exceptions and NMIs
 * are delivered on the next entry. An external interrupt stays queued until
 * the guest can take it (RFLAGS.IF = 1, no interrupt shadow); to inject at
 * the right moment, request #LV_WINDOW_IRQ and inject on #LV_EXIT_IRQ_WINDOW.
 * @return #LV_OK; #LV_ERR_INVAL (bad type or vector); #LV_ERR_BUSY (an event
 *         of that kind is already queued and not yet delivered);
 *         #LV_ERR_STALE; #LV_ERR_NOTSUP (also an external interrupt in a VM
 *         with #LV_VM_IRQCHIP: those come from its APICs, see lv_vm_irq_line()).
 */
int lv_vcpu_inject(struct lv_vcpu *vcpu, const struct lv_event *ev);

/** Window request bits. */
#define LV_WINDOW_IRQ (1u << 0) /**< Exit with #LV_EXIT_IRQ_WINDOW when interrupts can be taken. */
#define LV_WINDOW_NMI (1u << 1) /**< Exit with #LV_EXIT_NMI_WINDOW when an NMI can be taken. */

/**
 * Set the window requests (a mask, replacing the previous one; 0 clears).
 * A request stays set until cleared; the exit repeats at every entry while
 * the window is open.
 * @return #LV_OK; #LV_ERR_INVAL (unknown bits); #LV_ERR_NOTSUP (also
 *         #LV_WINDOW_IRQ in a VM with #LV_VM_IRQCHIP); #LV_ERR_STALE.
 */
int lv_vcpu_request_window(struct lv_vcpu *vcpu, uint32_t mask);

/** CPUID entry flags. */
#define LV_CPUID_SUBLEAF (1u << 0) /**< @c subleaf (ECX) is significant for this entry. */
#define LV_CPUID_EXIT	 (1u << 1) /**< Give #LV_EXIT_CPUID instead of answering. */

/** One CPUID override. */
struct lv_cpuid_entry {
	uint32_t leaf;	  /**< EAX input. */
	uint32_t subleaf; /**< ECX input, used with #LV_CPUID_SUBLEAF. */
	uint32_t flags;	  /**< LV_CPUID_* bits. */
	uint32_t eax;	  /**< EAX. */
	uint32_t ebx;	  /**< EBX. */
	uint32_t ecx;	  /**< ECX. */
	uint32_t edx;	  /**< EDX. */
};

/**
 * Set the vCPU's CPUID overrides (replacing earlier ones; @p n = 0 clears).
 * Leaves without an entry return the backend's default (KVM: the kernel's
 * supported CPUID; ring 0: the host's CPUID with VMX/SVM hidden and the
 * hypervisor bit set).
 * @return #LV_OK; #LV_ERR_INVAL; #LV_ERR_NOTSUP (LV_CPUID_EXIT without
 *         #LV_FEAT_CPUID_EXIT); #LV_ERR_LIMIT; #LV_ERR_BUSY; #LV_ERR_STALE.
 *         May allocate.
 */
int lv_vcpu_set_cpuid(struct lv_vcpu *vcpu, const struct lv_cpuid_entry *entries, size_t n);

/**
 * Set which exception vectors give #LV_EXIT_EXCEPTION instead of being
 * delivered to the guest (bit n = vector n).
 * @return #LV_OK; #LV_ERR_NOTSUP (a vector outside #lv_caps.exception_exits);
 *         #LV_ERR_INVAL; #LV_ERR_STALE; #LV_ERR_BUSY.
 */
int lv_vcpu_set_exception_exits(struct lv_vcpu *vcpu, uint32_t vectors);

/** Debug flags for lv_vcpu_set_debug(). */
#define LV_DEBUG_SINGLESTEP (1u << 0) /**< #LV_EXIT_DEBUG after every instruction. */

/**
 * Set debug controls. @return #LV_OK; #LV_ERR_INVAL; #LV_ERR_NOTSUP;
 * #LV_ERR_STALE; #LV_ERR_BUSY.
 */
int lv_vcpu_set_debug(struct lv_vcpu *vcpu, uint32_t flags);
/**@}*/

#ifdef __cplusplus
}
#endif

#endif /* LIBVCPU_LIBVCPU_H */
