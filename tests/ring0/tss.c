/* SPDX-License-Identifier: MIT */
/*
 * A 64-bit TSS for the boot CPU. VMX needs a non-null host TR (SDM Vol. 3,
 * 26.2.3: the host TR selector must not be 0), so the kernel copies the
 * boot GDT into a writable one with a TSS descriptor at 0x20 and loads TR
 * (and an LDT descriptor at 0x30 for the case host_ldt).
 * Harmless for SVM, which ignores the host TR.
 *
 * It also masks the legacy PICs: the kernel runs with interrupts off, and
 * under VMX an interrupt pending at the host (e.g. the BIOS-programmed PIT)
 * makes every VM entry exit at once ("external-interrupt exiting"), so a
 * host that never takes interrupts must not let them be raised.
 */
#include "kernel.h"

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes (SDM Vol. 3, 8.7)");

#define TSS_SEL 0x20
#define LDT_SEL 0x30

static struct tss64 tss;
static uint64_t gdt[8] __attribute__((aligned(16)));
static uint64_t ldt[2] __attribute__((aligned(16))); /* empty: only its selector matters */

uint16_t tss_ldt_selector(void)
{
	return LDT_SEL;
}

void tss_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr;
	uint64_t base = (uint64_t)(uintptr_t)&tss, limit = sizeof(tss) - 1;
	const uint64_t *old;
	unsigned i;

	__asm__ volatile("sgdt %0" : "=m"(ptr));
	old = (const uint64_t *)(uintptr_t)ptr.base;
	for (i = 0; i < 4 && i * 8 < (unsigned)ptr.limit + 1; i++)
		gdt[i] = old[i];
	tss.iomap_base = sizeof(tss);
	/* Available 64-bit TSS (type 9), present, DPL 0 (SDM Vol. 3, 8.2.3). */
	gdt[TSS_SEL / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
			   ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
	gdt[TSS_SEL / 8 + 1] = base >> 32;
	/* An LDT descriptor (type 2, present) for the case host_ldt; LDTR stays null otherwise. */
	base = (uint64_t)(uintptr_t)ldt;
	limit = sizeof(ldt) - 1;
	gdt[LDT_SEL / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x82ull << 40) |
			   ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
	gdt[LDT_SEL / 8 + 1] = base >> 32;
	ptr.limit = sizeof(gdt) - 1;
	ptr.base = (uint64_t)(uintptr_t)gdt;
	__asm__ volatile("lgdt %0; ltr %w1" : : "m"(ptr), "r"(TSS_SEL) : "memory");
	outb(0x21, 0xff); /* master PIC: mask every IRQ */
	outb(0xa1, 0xff); /* slave PIC */
}
