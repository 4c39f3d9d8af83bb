/* SPDX-License-Identifier: MIT */
/*
 * QEMU's pci-testdev (vendor 0x1b36, device 0x0005; vcpu-run --testdev, as
 * -device pci-testdev), the device QEMU's docs/specs/pci-testdev describes:
 * BAR0 is 4 KiB of memory and BAR1 256 bytes of IO, each starting with the
 * header
 *     u8 test (write-only: selects a test), u8 width (1, 2 or 4: the access
 *     the test wants; any other value: no such test), u8 pad[2],
 *     u32 offset (where in this BAR to write), u32 data (what to write),
 *     u32 count (writes seen since the test was selected), char name[]
 * in little-endian order. A guest selects tests 0, 1, ... until the width
 * says there is none. The tests, their offsets, data and names are those
 * QEMU 7.2's device reports (read out by a guest under QEMU): three per
 * BAR, named after how QEMU handles the write (in the VMM, or by a KVM
 * ioeventfd that swallows it, when count stays 0). vcpu-run has no
 * ioeventfd: every write reaches the device and is counted, which the
 * protocol allows (count equal to the number of writes).
 *
 * The configuration header (PCI Local Bus Specification 3.0, 6.1) is type 0
 * with the values QEMU's firmware leaves: the command register with memory
 * and IO decoding on, the BARs at the addresses SeaBIOS assigns on QEMU's
 * pc machine without other PCI devices. The guest may move the BARs and
 * switch decoding off; sizing by writing all ones works (6.2.5.1).
 */
#include <string.h>

#include "devices.h"

#define CMD_IO	     0x0001u
#define CMD_MEMORY   0x0002u
#define CMD_WMASK    0x0547u /* IO, memory, bus master, parity, SERR#, INTx disable */
#define HDR_NAME     16u
#define PCI_TD_MEMSZ 0x1000u
#define PCI_TD_IOSZ  0x100u

static const struct test {
	uint8_t width;
	uint16_t offset[2]; /* in BAR0 (memory), in BAR1 (IO) */
	uint32_t data;
	const char *name[2];
} tests[] = {
	{ 1, { 0x800, 0x83 }, 0xfa, { "mmio-no-eventfd", "portio-no-eventfd" } },
	{ 1, { 0x801, 0x84 }, 0xce, { "mmio-wildcard-eventfd", "portio-wildcard-eventfd" } },
	{ 1, { 0x802, 0x85 }, 0xfa, { "mmio-datamatch-eventfd", "portio-datamatch-eventfd" } },
};
#define NTESTS (sizeof(tests) / sizeof(tests[0]))

void pci_testdev_init(struct pci_testdev *t)
{
	memset(t, 0, sizeof(*t));
	t->bar[0] = PCI_TESTDEV_MEM_BASE;
	t->bar[1] = PCI_TESTDEV_IO_BASE;
	t->command = CMD_IO | CMD_MEMORY | 0x0100u; /* and SERR#, as SeaBIOS leaves it */
}

uint32_t pci_testdev_config_read(const struct pci_testdev *t, unsigned reg)
{
	switch (reg) {
	case 0x00:
		return (uint32_t)PCI_TESTDEV_DEVICE << 16 | PCI_TESTDEV_VENDOR;
	case 0x04:
		return t->command; /* status 0: no capabilities, nothing signalled */
	case 0x08:
		return 0x00ff0000u; /* class 0x00 (unclassified), subclass 0xff, revision 0 */
	case 0x10:
		return t->bar[0]; /* 32-bit, not prefetchable: bits 3:0 are 0 */
	case 0x14:
		return t->bar[1] | 1u; /* bit 0: an IO BAR */
	case 0x2c:
		return 0x11001af4u; /* subsystem 0x1100, subsystem vendor 0x1af4 (QEMU's) */
	default:
		return 0; /* no expansion ROM, no interrupt pin, no capabilities */
	}
}

void pci_testdev_config_write(struct pci_testdev *t, unsigned reg, uint32_t val, uint32_t mask)
{
	if (reg == 0x04)
		t->command = (uint16_t)((t->command & ~(mask & CMD_WMASK)) |
					(val & mask & CMD_WMASK));
	else if (reg == 0x10)
		t->bar[0] = (t->bar[0] & ~mask) | (val & mask & ~(PCI_TD_MEMSZ - 1));
	else if (reg == 0x14)
		t->bar[1] = (t->bar[1] & ~mask) | (val & mask & ~(PCI_TD_IOSZ - 1));
}

int pci_testdev_decodes(const struct pci_testdev *t, int io, uint64_t addr, unsigned size,
			uint32_t *off)
{
	uint32_t base = t->bar[io ? 1 : 0], len = io ? PCI_TD_IOSZ : PCI_TD_MEMSZ;

	if (!(t->command & (io ? CMD_IO : CMD_MEMORY)) || !base || addr < base ||
	    addr + size > (uint64_t)base + len)
		return 0;
	*off = (uint32_t)(addr - base);
	return 1;
}

/* One byte of BAR @p io's header for the selected test (0 past its end). */
static uint8_t hdr_byte(const struct pci_testdev *t, int io, uint32_t off)
{
	const struct test *x = t->test < NTESTS ? &tests[t->test] : NULL;
	uint32_t v;

	if (off >= HDR_NAME) {
		size_t n = x ? strlen(x->name[io]) : 0;

		return off - HDR_NAME < n ? (uint8_t)x->name[io][off - HDR_NAME] : 0;
	}
	switch (off & ~3u) {
	case 0:
		v = x ? (uint32_t)x->width << 8 : 0; /* test reads 0, width, pad */
		break;
	case 4:
		v = x ? x->offset[io] : 0;
		break;
	case 8:
		v = x ? x->data : 0;
		break;
	default:
		v = t->count;
		break;
	}
	return (uint8_t)(v >> (8 * (off & 3)));
}

uint32_t pci_testdev_bar_read(const struct pci_testdev *t, int io, uint32_t off, unsigned size)
{
	uint32_t v = 0;
	unsigned i;

	for (i = 0; i < size && i < 4; i++)
		v |= (uint32_t)hdr_byte(t, io, off + i) << (8 * i);
	return v;
}

void pci_testdev_bar_write(struct pci_testdev *t, int io, uint32_t off, unsigned size, uint32_t val)
{
	if (off == 0) {
		t->test = (uint8_t)val; /* a new test: nothing seen yet */
		t->count = 0;
	} else if (t->test < NTESTS && off == tests[t->test].offset[io] &&
		   size == tests[t->test].width) {
		t->count++;
	}
}
