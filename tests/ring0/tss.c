/* SPDX-License-Identifier: MIT */
/*
 * A 64-bit TSS per CPU. VMX needs a non-null host TR (SDM Vol. 3,
 * 26.2.3: the host TR selector must not be 0), so the kernel copies the
 * boot GDT into a writable one with TSS descriptors at 0x20 (boot CPU),
 * 0x30, 0x60 and 0x70 (the APs with APIC ids 1-3, smp.c) and loads TR, and
 * an LDT descriptor at 0x40 for the case host_ldt.
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

#define TSS_SEL	  0x20 /* the boot CPU's */
#define NUM_AP	  3u   /* smp.c's SMP_MAX - 1: LTR marks a TSS busy, so one per CPU */
#define LDT_SEL	  0x40
#define R1_CODE	  0x50 /* 64-bit code, DPL 1 (case host_tr) */
#define R1_DATA	  0x58 /* data, DPL 1 */
#define IOMAP_LEN 33   /* ports 0-255 and the trailing 0FFH byte (SDM Vol. 1, 19.5.2) */

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

/* The boot CPU's TSS has room for an I/O permission bitmap (tss_io_map()). */
static struct {
	struct tss64 t;
	uint8_t map[IOMAP_LEN];
} __attribute__((packed)) tss_bsp;
static struct tss64 tss_ap[NUM_AP];
static const uint16_t tss_sel_ap[NUM_AP] = { 0x30, 0x60, 0x70 };
static uint64_t gdt[16] __attribute__((aligned(16)));
static uint64_t ldt[2] __attribute__((aligned(16))); /* empty: only its selector matters */

uint16_t tss_ldt_selector(void)
{
	return LDT_SEL;
}

/* Available 64-bit TSS (type 9), present, DPL 0 (SDM Vol. 3, 8.2.3): two GDT slots. */
static void tss_desc(unsigned sel, struct tss64 *t, uint64_t limit)
{
	uint64_t base = (uint64_t)(uintptr_t)t;

	t->iomap_base = sizeof(*t);
	gdt[sel / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		       ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
	gdt[sel / 8 + 1] = base >> 32;
}

static void gdt_tr_load(unsigned sel)
{
	struct gdt_ptr ptr = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };

	__asm__ volatile("lgdt %0; ltr %w1" : : "m"(ptr), "r"(sel) : "memory");
}

void tss_init(void)
{
	struct gdt_ptr ptr;
	const uint64_t *old;
	unsigned i;

	__asm__ volatile("sgdt %0" : "=m"(ptr));
	old = (const uint64_t *)(uintptr_t)ptr.base;
	for (i = 0; i < 4 && i * 8 < (unsigned)ptr.limit + 1; i++)
		gdt[i] = old[i];
	tss_desc(TSS_SEL, &tss_bsp.t, sizeof(struct tss64) - 1);
	for (i = 0; i < NUM_AP; i++)
		tss_desc(tss_sel_ap[i], &tss_ap[i], sizeof(struct tss64) - 1);
	gdt[R1_CODE / 8] = 0x00afba000000ffffull; /* present, DPL 1, execute/read, L */
	gdt[R1_DATA / 8] = 0x00cfb2000000ffffull; /* present, DPL 1, read/write */
	/* An LDT descriptor (type 2, present) for the case host_ldt; LDTR stays null otherwise. */
	gdt[LDT_SEL / 8] = (sizeof(ldt) - 1) | (((uint64_t)(uintptr_t)ldt & 0xffffff) << 16) |
			   (0x82ull << 40) | (((uint64_t)(uintptr_t)ldt >> 24 & 0xff) << 56);
	gdt[LDT_SEL / 8 + 1] = (uint64_t)(uintptr_t)ldt >> 32;
	gdt_tr_load(TSS_SEL);
	outb(0x21, 0xff); /* master PIC: mask every IRQ */
	outb(0xa1, 0xff); /* slave PIC */
}

/* On the AP with APIC id @p cpu, 1 to NUM_AP (smp.c), after tss_init() ran on the boot CPU. */
void tss_init_ap(unsigned cpu)
{
	gdt_tr_load(tss_sel_ap[(cpu - 1) % NUM_AP]);
}

/*
 * On the boot CPU: give its TSS an I/O permission bitmap that allows port
 * @p port only (@p on), or take it away (limit 67H, no bitmap), and load
 * TR again; @p rsp0 is the stack a ring-1 interrupt switches to.
 */
void tss_io_map(int on, unsigned port, uint64_t rsp0)
{
	unsigned i;

	for (i = 0; i < IOMAP_LEN; i++)
		tss_bsp.map[i] = 0xff;
	tss_bsp.map[port / 8 % 32] = (uint8_t) ~(1u << (port % 8));
	tss_desc(TSS_SEL, &tss_bsp.t, on ? sizeof(tss_bsp) - 1 : sizeof(struct tss64) - 1);
	tss_bsp.t.rsp[0] = rsp0;
	gdt_tr_load(TSS_SEL);
}

uint16_t tss_ring1_code(void)
{
	return R1_CODE | 1;
}
