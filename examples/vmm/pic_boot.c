/* SPDX-License-Identifier: MIT */
/*
 * A few bytes of boot code that program the two 8259A PICs before a
 * Multiboot kernel starts, as a PC BIOS does before it boots anything
 * (QEMU's -kernel runs SeaBIOS first). vcpu-run has no BIOS, and a PIC
 * after reset has no vector base at all, so a kernel that relies on the
 * BIOS's setup (kvm-unit-tests' realmode: IRQ 11 must arrive as vector
 * 0x73) would wait forever.
 *
 * The sequence follows the 8259A data sheet (Intel, "8259A Programmable
 * Interrupt Controller", "Initialization Command Words"): ICW1 at the even
 * port, then ICW2, ICW3 and ICW4 at the odd port, then OCW1 (the mask):
 *   ICW1 0x11: edge triggered (LTIM = 0), cascaded (SNGL = 0), ICW4 follows;
 *   ICW2: the vector of IR0, 0x08 for the master and 0x70 for the slave (the
 *         PC's layout, the real-mode vectors of IRQ 0-7 and 8-15);
 *   ICW3: the master has a slave on IR2 (0x04), the slave's ID is 2;
 *   ICW4 0x01: 8086 mode, normal EOI, not buffered, not special fully nested;
 *   OCW1 0x00: every line unmasked.
 * SeaBIOS masks the lines its drivers do not use and makes IRQ 10 and 11
 * (PCI) level-triggered; a guest there gets the BIOS's 18.2 Hz timer tick
 * on IRQ 0 too. vcpu-run has no BIOS timer and no BIOS handlers, so it
 * leaves every line open and edge-triggered: the line a guest raises is the
 * interrupt it gets. The code ends by loading EAX (the Multiboot magic) and
 * jumping to the kernel's entry; EBX and the stack are the VMM's, unchanged.
 */
#include <string.h>

#include "vmm.h"

#define PIC1_CMD  0x20u
#define PIC1_DATA 0x21u
#define PIC2_CMD  0xa0u
#define PIC2_DATA 0xa1u

/* One "mov al, val; out port, al" (B0 ib, E6 ib). */
static uint8_t *emit_out(uint8_t *p, uint8_t port, uint8_t val)
{
	p[0] = 0xb0;
	p[1] = val;
	p[2] = 0xe6;
	p[3] = port;
	return p + 4;
}

static uint8_t *emit_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
	return p + 4;
}

uint32_t pic_boot_write(struct guest_mem *m, uint32_t entry, uint32_t eax)
{
	static const uint8_t seq[][2] = {
		{ PIC1_CMD, 0x11 },  { PIC2_CMD, 0x11 },  /* ICW1 */
		{ PIC1_DATA, 0x08 }, { PIC2_DATA, 0x70 }, /* ICW2: vector bases */
		{ PIC1_DATA, 0x04 }, { PIC2_DATA, 0x02 }, /* ICW3: cascade on IR2 */
		{ PIC1_DATA, 0x01 }, { PIC2_DATA, 0x01 }, /* ICW4: 8086 mode */
		{ PIC1_DATA, 0x00 }, { PIC2_DATA, 0x00 }, /* OCW1: nothing masked */
	};
	uint8_t code[PIC_BOOT_SIZE], *p = code;
	size_t i;

	for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++)
		p = emit_out(p, seq[i][0], seq[i][1]);
	*p++ = 0xb8; /* mov eax, imm32 */
	p = emit_u32(p, eax);
	*p++ = 0xe9; /* jmp rel32, relative to the next instruction */
	p = emit_u32(p, entry - (PIC_BOOT_ADDR + (uint32_t)(p - code) + 4));
	memcpy(m->ram + PIC_BOOT_ADDR, code, (size_t)(p - code));
	return PIC_BOOT_ADDR;
}
