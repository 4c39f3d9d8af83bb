/* SPDX-License-Identifier: MIT */
/*
 * The PC's legacy interrupt parts in LV_VM_IRQCHIP VMs on the raw
 * backends: the two 8259A PICs of src/core/pic.h, one pair per VM in
 * struct lv_x86_irqchip, and with LV_VM_PIT the 8254 of src/core/pit.h,
 * under the same lock as the APICs (x86_apic.h).
 *
 * - Ports 0x20/0x21, 0xA0/0xA1 and the ELCR at 0x4D0/0x4D1, and with
 *   LV_VM_PIT 0x40-0x43 and 0x61, are answered inside lv_vcpu_run() (port
 *   IO exits of a vCPU with an APIC, and the emulator's string IO); they
 *   never reach the caller, as on KVM.
 * - The PIT's counter 0 pulses GSI 0 when its OUT rises: polled before
 *   every entry of every vCPU and while one waits in HLT, whose entries
 *   and waits end by its next rising edge (the APIC timer's mechanism,
 *   x86_apic.c: the VMX-preemption timer or lv_plat_timer()).
 * - lv_vm_irq_line() of GSI 0-15 drives the PIC's IRQ 0-15 as well as the
 *   IOAPIC's pin, as KVM routes them.
 * - The PIC's INT goes to every vCPU whose local APIC takes it (LINT0
 *   unmasked in ExtINT mode, or the APIC disabled; the BSP's LINT0 starts
 *   so, as on KVM). lv_x86_apic_arm() acknowledges it (INTA) when it can
 *   inject the vector, before the APIC's own vectors; a HLT ends for it.
 */
#ifndef LV_X86_PIC_H
#define LV_X86_PIC_H

#include <stdint.h>

#include "../../core/lapic.h"
#include "../../core/pic.h"

struct lv_vm;
struct lv_vcpu;

/* Does vCPU @p v take the PIC's INT? (the VM's chip lock held) */
int lv_x86_pic_takes(const struct lv_vcpu *v);
/* The BSP's LVT LINT0 at reset: ExtINT, unmasked. */
void lv_x86_pic_lint0_reset(struct lv_lapic *l);
/* After the PIC changed: kick the vCPUs but @p src that take a high INT (lock held). */
void lv_x86_pic_update(struct lv_vm *vm, struct lv_vcpu *src);
/*
 * A port access of @p size bytes at @p port by vCPU @p v (@p data: the
 * bytes written, or filled for a read). @return 1 when it was the PICs' or
 * (LV_VM_PIT) the PIT's, 0 when it is the caller's. Takes the lock.
 */
int lv_x86_isa_pio(struct lv_vcpu *v, uint16_t port, unsigned size, int write, uint8_t *data);
/* LV_VM_PIT: pulse GSI 0 if counter 0's OUT rose since the last poll. Takes the lock. */
void lv_x86_pit_poll(struct lv_vcpu *v);
/* The earlier of @p at and the PIT's next IRQ 0 (ns clock; @p at without a PIT). Takes the lock. */
uint64_t lv_x86_pit_limit(struct lv_vm *vm, uint64_t at);
/*
 * The port IO exit in the vCPU's registers (io_port, io_size, io_in, RAX):
 * @return 1 when the layer answered it (RAX updated for IN), 0 when it goes
 * to the caller.
 */
int lv_x86_pio_insn(struct lv_vcpu *v);

#endif /* LV_X86_PIC_H */
