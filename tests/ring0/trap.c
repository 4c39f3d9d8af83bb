/* SPDX-License-Identifier: MIT */
/* IDT setup and the exception handler of the test kernel. */
#include "kernel.h"

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
};
_Static_assert(sizeof(struct idt_entry) == 16, "IDT gate is 16 bytes (SDM Vol. 3, 7.14.1)");

#define NVEC  256
#define NSTUB 50 /* isr_table: 0-47, then 0xf0 and 0xff */

extern const uint64_t isr_table[NSTUB];
static struct idt_entry idt[NVEC];

static void set_gate(int vec, uint64_t a)
{
	idt[vec].off_lo = (uint16_t)a;
	idt[vec].sel = 0x08;
	idt[vec].type = 0x8e; /* present, DPL 0, 64-bit interrupt gate */
	idt[vec].off_mid = (uint16_t)(a >> 16);
	idt[vec].off_hi = (uint32_t)(a >> 32);
}

void idt_gate_swap(int vec, uint64_t handler, unsigned dpl, uint64_t old[2])
{
	__builtin_memcpy(old, &idt[vec], 16);
	set_gate(vec, handler);
	idt[vec].type = (uint8_t)(0x8e | (dpl & 3) << 5);
}

void idt_gate_put(int vec, const uint64_t old[2])
{
	__builtin_memcpy(&idt[vec], old, 16);
}

void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr;

	ptr.limit = sizeof(idt) - 1;
	ptr.base = (uint64_t)(uintptr_t)idt;
	__asm__ volatile("lidt %0" : : "m"(ptr));
}
unsigned trap_vmcr_fixups;
unsigned trap_debugctl_fixups;

void idt_init(void)
{
	int i;

	for (i = 0; i < 48; i++)
		set_gate(i, isr_table[i]);
	set_gate(0xf0, isr_table[48]);
	set_gate(0xff, isr_table[49]);
	idt_load();
}

void trap_handler(struct trap_frame *f)
{
	const uint8_t *ip = (const uint8_t *)(uintptr_t)f->rip;

	if (f->vector == 0xf0 || f->vector == 0xff) {
		smp_ipi((unsigned)f->vector);
		return;
	}
	if (f->vector >= 32) {
		timer_irq((unsigned)f->vector - 32);
		return;
	}

	/*
	 * Bochs' "ryzen" model does not implement VM_CR (MSR C001_0114), which
	 * the APM (15.30.1) defines on every SVM processor, and raises #GP for
	 * it. The SVM backend reads it to honour SVMDIS; the test kernel
	 * treats a #GP on exactly that RDMSR as "VM_CR = 0" (the MSR's reset
	 * value), the way firmware-less emulator setups are documented to.
	 */
	if (f->vector == 13 && ip[0] == 0x0f && ip[1] == 0x32 && (uint32_t)f->rcx == 0xc0010114u) {
		f->rax = 0;
		f->rdx = 0;
		f->rip += 2;
		trap_vmcr_fixups++;
		return;
	}
	/*
	 * IA32_DEBUGCTL (1D9H) on a CPU model that lacks it, or a WRMSR of
	 * bits the model does not have (Bochs 2.7 takes none of LBR/BTF):
	 * RDMSR reads 0 (the reset value), WRMSR is dropped, and the case
	 * host_debugctl, which counts these, checks the host's own value.
	 */
	if (f->vector == 13 && ip[0] == 0x0f && (ip[1] == 0x32 || ip[1] == 0x30) &&
	    (uint32_t)f->rcx == 0x1d9u) {
		if (ip[1] == 0x32) {
			f->rax = 0;
			f->rdx = 0;
		}
		f->rip += 2;
		trap_debugctl_fixups++;
		return;
	}
	kprintf("LVT PANIC exception %lu error %#lx rip %#lx rsp %#lx\n", (unsigned long)f->vector,
		(unsigned long)f->error, (unsigned long)f->rip, (unsigned long)f->rsp);
	if (f->vector == 14) {
		uint64_t cr2;

		__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
		kprintf("LVT PANIC cr2 %#lx\n", (unsigned long)cr2);
	}
	kexit(3);
}
