/* SPDX-License-Identifier: MIT */
/**
 * @file platform.h
 * @brief The platform seam: the functions a ring-0 embedder supplies.
 *
 * The freestanding archive (`libvcpu_kernel.a`: core + VMX + SVM backends)
 * calls nothing but these functions and memcpy/memset/memmove/memcmp. A
 * kernel, hypervisor or test kernel that links it defines every function
 * below. The hosted archive (`libvcpu.a`) carries its own implementation on
 * top of libc and pthreads, so user-space programs define none of them.
 *
 * Rules for implementations:
 * - None of them may call back into libvcpu.
 * - lv_plat_page_alloc() and lv_plat_alloc() may fail (return NULL); the
 *   library then returns #LV_ERR_NOMEM and leaves its objects consistent.
 * - Allocation functions are called only from the API calls that document
 *   that they allocate (create/map calls), never from lv_vcpu_run()'s exit
 *   path, and never with interrupts disabled by the library.
 * - lv_plat_cpu_id() and lv_plat_kick_cpu() may be called with interrupts
 *   disabled and must not sleep.
 * - On the raw backends lv_vm_unmap(), lv_vm_protect() and
 *   lv_vm_get_dirty() call lv_plat_kick_cpu() and then spin until the
 *   target CPU has left guest mode (the TLB shootdown, below).
 * - lv_plat_call_on_cpu() is the only call that waits for another CPU to
 *   run something. The VMX backend makes it where a vCPU's VMCS must be
 *   cleared on the CPU that holds it: lv_vcpu_run() of a vCPU that moved
 *   to another CPU, lv_vcpu_get_state(), lv_vcpu_get_msr() and
 *   lv_vcpu_set_msr() on another CPU than the vCPU's last one,
 *   lv_vcpu_destroy(). The SVM backend never calls it.
 */
#ifndef LIBVCPU_PLATFORM_H
#define LIBVCPU_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Allocate @p count physically contiguous, zeroed, 4 KiB-aligned pages.
 * @param count number of pages, >= 1 (the library asks for at most 4).
 * @param phys receives the host-physical address of the first page.
 * @return the kernel-virtual address, or NULL when out of memory.
 */
void *lv_plat_page_alloc(size_t count, uint64_t *phys);

/** Free pages from lv_plat_page_alloc(); @p count as allocated. */
void lv_plat_page_free(void *va, size_t count);

/**
 * Allocate @p size bytes of zeroed kernel memory for library objects,
 * aligned to 64 bytes. @return NULL when out of memory.
 */
void *lv_plat_alloc(size_t size);

/** Free memory from lv_plat_alloc(); NULL is ignored. */
void lv_plat_free(void *ptr);

/** Host-physical address of a kernel-virtual address (any mapped byte). */
uint64_t lv_plat_virt_to_phys(const void *va);

/** Kernel-virtual address of a host-physical address of RAM. */
void *lv_plat_phys_to_virt(uint64_t pa);

/** Log levels for lv_plat_log(). */
enum lv_log_level { LV_LOG_ERROR = 0, LV_LOG_WARN = 1, LV_LOG_INFO = 2, LV_LOG_DEBUG = 3 };

/**
 * Log one line (no trailing newline). The library calls it only for
 * diagnostics; an implementation may drop everything.
 */
void lv_plat_log(int level, const char *msg);

/** Index of the current host CPU, 0 .. lv_plat_cpu_count() - 1. */
uint32_t lv_plat_cpu_id(void);

/** Number of host CPUs the library may be used on (fixed after start). */
uint32_t lv_plat_cpu_count(void);

/**
 * Make host CPU @p cpu leave guest mode soon (an IPI to any vector the
 * embedder handles; the VM exit is what matters). Must not block, and must
 * not wait for the target.
 *
 * Called by lv_vcpu_kick() from any CPU, possibly the target itself, and by
 * the TLB shootdown of lv_vm_unmap(), lv_vm_protect() and lv_vm_get_dirty()
 * on the raw backends: for each vCPU of the VM that is in guest mode on
 * another CPU, the library calls this and then spins (PAUSE) until that
 * vCPU has left guest mode. The acknowledgement is the library's own (the
 * vCPU's exit counter), so the seam needs nothing else, but the wait
 * finishes only if the interrupt really reaches @p cpu: it must be sent
 * even when @p cpu is not the caller's CPU and the caller has interrupts
 * or preemption disabled, and it must not be held back or coalesced
 * behind something that waits for the calling CPU. A CPU in guest mode has
 * interrupts disabled on the host side (CLGI / CLI around VM entry), so the
 * target never waits for anything while the caller spins.
 * @param cpu the target, 0 .. lv_plat_cpu_count() - 1.
 */
void lv_plat_kick_cpu(uint32_t cpu);

/**
 * Run @p fn (@p arg) on host CPU @p cpu and wait until it has returned.
 *
 * @p fn runs on @p cpu with interrupts disabled (an IPI handler, or the
 * embedder's function-call IPI such as Linux's smp_call_function_single()
 * with wait = 1), synchronously: this function returns only after @p fn
 * has returned there. When @p cpu is the calling CPU, @p fn runs directly
 * on it, with interrupts disabled around the call. @p fn is the library's:
 * it never sleeps, never allocates and never calls back into the seam but
 * for lv_plat_cpu_id(); it may run in the middle of anything the target
 * CPU does with interrupts enabled, also inside lv_vcpu_run() of another
 * vCPU there (between VM exit and the next entry).
 *
 * Called only with interrupts enabled and never from an interrupt
 * handler: the caller waits, so two CPUs that call each other must each
 * be able to take the other's request while they wait. The library calls
 * it from lv_vcpu_run() (preemption disabled), lv_vcpu_get_state(),
 * lv_vcpu_get_msr(), lv_vcpu_set_msr() and lv_vcpu_destroy() (see the
 * list at the top); it names only CPUs on which lv_cpu_enable() has
 * succeeded (when lv_cpu_disable() runs there at the same time, @p fn
 * finds nothing left to do).
 * @param cpu the target, 0 .. lv_plat_cpu_count() - 1.
 * @param fn the function to run there; its argument is @p arg.
 * @param arg passed to @p fn unchanged.
 * @return 0 after @p fn has run on @p cpu; nonzero, without running
 *         @p fn, when @p cpu is not below lv_plat_cpu_count() or that
 *         CPU is offline.
 */
int lv_plat_call_on_cpu(uint32_t cpu, void (*fn)(void *arg), void *arg);

/**
 * A monotonic clock in nanoseconds (any origin; it never goes back and
 * never wraps in practice). The interrupt controller of #LV_VM_IRQCHIP VMs
 * on the raw backends runs the local APIC timer on it (one APIC bus cycle
 * = 1 ns, as KVM) and the 8254 of #LV_VM_PIT (1.193182 MHz), and bounds
 * the waits of lv_plat_wait() with it. Called
 * inside lv_vcpu_run(), also with interrupts disabled; must not sleep.
 * @return the current time in ns.
 */
uint64_t lv_plat_now_ns(void);

/**
 * Wait on the calling CPU until lv_plat_wake() names it, or until
 * lv_plat_now_ns() reaches @p deadline_ns, whichever comes first; it may
 * also return earlier for any reason (the library checks again and calls
 * it again). A wake that lands before the wait begins must not be lost:
 * it makes the next wait on that CPU return at once (one remembered wake
 * per CPU is enough). Called only by lv_vcpu_run() of a VM with
 * #LV_VM_IRQCHIP (the guest's HLT, or a vCPU waiting for its start-up
 * IPI), with interrupts as the caller of lv_vcpu_run() has them (enabled)
 * and preemption disabled. An implementation may spin (PAUSE) or idle the
 * CPU; it must keep taking interrupts, since a kick may come from an
 * interrupt handler on this CPU.
 * @param deadline_ns a time of lv_plat_now_ns(), or UINT64_MAX for none.
 */
void lv_plat_wait(uint64_t deadline_ns);

/**
 * End the current lv_plat_wait() on host CPU @p cpu, or, when there is
 * none, make the next one return at once. Called from any CPU, possibly
 * @p cpu itself, also from lv_vcpu_kick() in an interrupt handler and with
 * interrupts disabled; must not block and must not wait for the target.
 * @param cpu the target, 0 .. lv_plat_cpu_count() - 1.
 */
void lv_plat_wake(uint32_t cpu);

/**
 * Arm a one-shot interrupt on the calling CPU at @p deadline_ns (a time of
 * lv_plat_now_ns()), replacing the one this function armed before on that
 * CPU; UINT64_MAX cancels it. The interrupt's only job is to make the CPU
 * leave guest mode, as the IPI of lv_plat_kick_cpu() does: its handler
 * needs to do nothing for the library, and an interrupt that comes early,
 * late by a little, or after the vCPU has left the CPU does no harm (the
 * library checks the time again). Called by lv_vcpu_run() of a VM with
 * #LV_VM_IRQCHIP right before a VM entry, with interrupts disabled (SVM:
 * GIF = 0), while the guest's local APIC timer (or the PIT's counter 0,
 * #LV_VM_PIT) is armed and the vendor
 * has no timer of its own (the VMX-preemption timer); must not sleep or
 * allocate. As for a kick, on SVM the interrupt ends guest mode only while
 * lv_vcpu_run() runs with interrupts enabled (V_INTR_MASKING).
 * @param deadline_ns when, or UINT64_MAX for never.
 */
void lv_plat_timer(uint64_t deadline_ns);

#ifdef __cplusplus
}
#endif

#endif /* LIBVCPU_PLATFORM_H */
