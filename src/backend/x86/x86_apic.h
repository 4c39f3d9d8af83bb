/* SPDX-License-Identifier: MIT */
/*
 * The interrupt controller of LV_VM_IRQCHIP VMs on the raw backends,
 * written once for SVM and VMX over the core's models (src/core/lapic.h,
 * ioapic.h; docs/apic.md): one struct lv_lapic per vCPU, one struct
 * lv_ioapic per VM, all behind one lock per VM.
 *
 * - Guest accesses: xAPIC MMIO (the page at each vCPU's APIC base) and the
 *   IOAPIC window (0xFEC00000) reach the layer as MMIO of the emulator
 *   path (nested page faults on pages without RAM) and are answered here;
 *   IA32_APIC_BASE, IA32_TSC_DEADLINE and the x2APIC MSRs 800h-8FFh exit
 *   (the MSR map intercepts them) and are answered here. None reaches the
 *   caller.
 * - Injection: a vCPU with a local APIC keeps its entry on the slow path
 *   (struct lv_x86_events.apic), where lv_x86_arm_events() asks the APIC
 *   for a deliverable vector: acknowledged and injected when the guest can
 *   take it, else an interrupt window is opened (SDM Vol. 3, 11.8.3-11.8.4).
 *   The same path limits the entry to the APIC timer's next expiry (the
 *   vendor's guest_timer hook, else lv_plat_timer()).
 * - Messages to other vCPUs (IPIs, IOAPIC, MSI) are accepted into the
 *   target's APIC under the lock; INIT, SIPI and NMI are posted to the
 *   target (x->apic_req), which sets its LV_X86_RQ_KICK and sends an IPI
 *   (lv_plat_kick_cpu()) while it is in guest mode, else wakes it
 *   (lv_plat_wake()).
 * - Waiting: with an APIC, the vendor's "kicked" result means "the layer
 *   has work before this entry": lv_x86_apic_block() runs INIT and SIPI,
 *   and waits while the vCPU is halted (HLT) or waits for its SIPI, until
 *   an interrupt is deliverable, the APIC timer is due, or lv_vcpu_kick()
 *   (then the run returns LV_EXIT_CANCELLED, as KVM's KVM_RUN does -EINTR).
 */
#ifndef LV_X86_APIC_H
#define LV_X86_APIC_H

#include <stdint.h>

#include "../../core/ioapic.h"
#include "../../core/lapic.h"
#include "../../core/pic.h"
#include "../../core/pit.h"
#include "../../core/x86_emul.h"

struct lv_vm;
struct lv_vcpu;
struct lv_state;

/* The VM's interrupt controller (lv_x86_vm.chip). */
struct lv_x86_irqchip {
	uint32_t lock; /* guards io, vcpus[] and every vCPU's lv_lapic */
	uint32_t nvcpus;
	struct lv_ioapic io;
	struct lv_pic pic;  /* the 8259A pair (x86_pic.h) */
	struct lv_pit *pit; /* LV_VM_PIT: the 8254 (x86_pic.h), else NULL */
	/*
	 * The vCPUs whose APIC takes messages, by index (vm->max_vcpus
	 * entries): set when the APIC exists, cleared before it and the vCPU
	 * are freed, both under the lock.
	 */
	struct lv_vcpu **vcpus;
};

/* Posted to a vCPU (lv_x86_vcpu.apic_req) for its own thread to act on. */
#define LV_X86_REQ_INIT 1u /* its APIC took an INIT: reset the vCPU */
#define LV_X86_REQ_SIPI 2u /* ... a start-up IPI: CS = sipi_vector << 8, IP = 0 */
#define LV_X86_REQ_NMI	4u /* ... an NMI */

/* The IOAPIC's MMIO window (KVM's size). */
#define LV_X86_IOAPIC_SIZE 0x100u

/* The lock (interrupts off while it is held); @return the flags for the unlock. */
uint64_t lv_x86_chip_lock(struct lv_x86_irqchip *c);
void lv_x86_chip_unlock(struct lv_x86_irqchip *c, uint64_t fl);
/* Make vCPU @p t look at what was posted to it: LV_X86_RQ_KICK, then an IPI or a wake (lock held). */
void lv_x86_apic_notify(struct lv_vcpu *t);

/* LV_VM_IRQCHIP: create / free the VM's IOAPIC and lock (vm_create / vm_destroy). */
int lv_x86_irqchip_create(struct lv_vm *vm);
void lv_x86_irqchip_destroy(struct lv_vm *vm);
/* The vCPU's local APIC, reset (vcpu_create, before the reset state is set). */
int lv_x86_apic_create(struct lv_vcpu *v);
void lv_x86_apic_destroy(struct lv_vcpu *v);

/* lv_backend_ops.irq_line / signal_msi. */
int lv_x86_irq_line(struct lv_vm *vm, uint32_t gsi, uint32_t level);
/* lv_x86_irq_line() with the lock held. */
void lv_x86_gsi_locked(struct lv_vm *vm, uint32_t gsi, uint32_t level);
int lv_x86_signal_msi(struct lv_vm *vm, uint64_t addr, uint32_t data);

/*
 * Before an entry (lv_x86_arm_events(), the vendor's slow entry work):
 * posted NMIs into the event queue, the APIC timer polled, and the
 * highest deliverable vector queued when the guest can take it (@p
 * slot_busy, @p irq_open as for lv_x86_events_pick(); @p slot is the
 * vendor's event word, @p nmi_open whether an NMI can go in now). Up to
 * two NMIs wait, as on KVM: one to deliver and one held behind it while
 * NMIs are blocked (SDM Vol. 3, 6.7.1); one while the guest cannot take
 * an NMI or one is already in the entry. @return 1 when a vector is still
 * pending (the caller opens an interrupt window).
 */
int lv_x86_apic_arm(struct lv_vcpu *v, uint64_t slot, int nmi_open, int irq_open);

/*
 * The vendor's enter hook found LV_X86_RQ_KICK set (or the guest executed
 * HLT, after lv_x86_apic_hlt() marked it halted): INIT and SIPI, then wait
 * while halted or waiting for SIPI. @return LV_X86_GUEST (enter now) or
 * LV_X86_CALLER (lv_vcpu_kick(): vcpu->exit is LV_EXIT_CANCELLED).
 */
int lv_x86_apic_block(struct lv_vcpu *v);
/* HLT with an APIC (RIP already past it): halt, then lv_x86_apic_block(). */
int lv_x86_apic_hlt(struct lv_vcpu *v);
/* lv_vcpu_kick() of a vCPU with an APIC: remembered for lv_x86_apic_block(), waiter woken. */
void lv_x86_apic_kick(struct lv_vcpu *v);

/*
 * An MMIO access of the emulator: @return 1 when it was the vCPU's xAPIC
 * page or the IOAPIC (a read's data filled in), 0 when it is the caller's.
 */
int lv_x86_apic_mmio(struct lv_vcpu *v, struct lv_x86_access *a);
/*
 * RDMSR / WRMSR of @p index: @return 1 when it is an APIC MSR and done,
 * -1 when it is one and faults (#GP(0)), 0 when it is not one.
 */
int lv_x86_apic_msr(struct lv_vcpu *v, uint32_t index, int write, uint64_t *value);
/* CPUID leaf 1 (EAX..EDX in @p r): APIC ID, x2APIC and TSC-deadline. */
void lv_x86_apic_cpuid(struct lv_vcpu *v, uint32_t r[4]);

/*
 * LV_STATE_APIC, LV_STATE_MP and lv_ctrl::apic_base (LV_STATE_CONTROL).
 * set: @return LV_OK or LV_ERR_INVAL (a base or page the APIC refuses);
 * called before the vendor's groups are set.
 */
void lv_x86_apic_get_state(struct lv_vcpu *v, uint32_t mask, struct lv_state *st);
int lv_x86_apic_set_state(struct lv_vcpu *v, uint32_t mask, const struct lv_state *st);
/*
 * After the vendor's groups were set with LV_STATE_APIC: the APIC's TPR
 * becomes the guest's CR8, whatever a CONTROL group in the same call said
 * (as KVM_SET_LAPIC after KVM_SET_SREGS on the KVM backend).
 */
void lv_x86_apic_tpr_put(struct lv_vcpu *v);

#endif /* LV_X86_APIC_H */
