/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration mechanism #1 (PCI Local Bus Specification 3.0,
 * 3.2.2.3.2): the 32-bit address register at 0xcf8 keeps what is written
 * (so a guest finds the mechanism; bits 30:24 read 0), and the data window
 * 0xcfc-0xcff reads and writes the dword it selects, any byte lanes of it.
 *
 * Without devices (p->testdev NULL) the bus is empty: every read gives all
 * ones, the "no device" answer (a vendor ID of 0xffff), and writes vanish.
 * With pci-testdev (vcpu-run --testdev) bus 0 is QEMU's pc machine's as
 * far as the test needs it: the i440FX host bridge (8086:1237) at 00:00.0,
 * read-only, and pci-testdev at 00:02.0 (where QEMU puts it with
 * -nodefaults). Other widths at 0xcf8-0xcfb are not the address register
 * and read all ones, as on a PC's host bridge.
 */
#include "devices.h"

#define PCI_ADDR_ENABLE	 0x80000000u
#define PCI_SLOT_TESTDEV 2u

/* The host bridge's header: the values QEMU's i440FX reports. */
static uint32_t host_bridge_read(unsigned reg)
{
	switch (reg) {
	case 0x00:
		return 0x12378086u; /* Intel 82441FX */
	case 0x04:
		return 0x00000103u; /* IO, memory, SERR# enabled */
	case 0x08:
		return 0x06000002u; /* host bridge (class 06, subclass 00), revision 2 */
	case 0x2c:
		return 0x11001af4u; /* subsystem 0x1100, subsystem vendor 0x1af4 */
	default:
		return 0;
	}
}

/* The device function the address register selects: 0 none, 1 host bridge, 2 pci-testdev. */
static int selected(const struct pci *p)
{
	uint32_t a = p->address;

	if (!(a & PCI_ADDR_ENABLE) || !p->testdev || (a >> 16 & 0xff) || (a >> 8 & 7))
		return 0;
	if ((a >> 11 & 0x1f) == 0)
		return 1;
	return (a >> 11 & 0x1f) == PCI_SLOT_TESTDEV ? 2 : 0;
}

/*
 * The byte lane of a data port access: the port's low bits, ORed with the
 * address register's bits 1:0, which QEMU keeps (kvm-unit-tests reads the
 * device ID at 0xcfc with register 2 in the address).
 */
static unsigned lane_of(const struct pci *p, uint16_t port)
{
	return ((p->address | (port - PCI_CONFIG_DATA)) & 3u) * 8u;
}

uint32_t pci_read(struct pci *p, uint16_t port, unsigned size)
{
	unsigned lane = lane_of(p, port), reg = p->address & 0xfc;
	uint32_t v;

	if (port == PCI_CONFIG_ADDRESS && size == 4)
		return p->address;
	if (port < PCI_CONFIG_DATA)
		return 0xffffffffu;
	switch (selected(p)) {
	case 1:
		v = host_bridge_read(reg);
		break;
	case 2:
		v = pci_testdev_config_read(p->testdev, reg);
		break;
	default:
		return 0xffffffffu;
	}
	v >>= lane;
	return size >= 4 ? v : v & ((1u << (8 * size)) - 1);
}

void pci_write(struct pci *p, uint16_t port, unsigned size, uint32_t val)
{
	unsigned lane = lane_of(p, port);
	uint32_t mask = size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;

	if (port == PCI_CONFIG_ADDRESS && size == 4)
		p->address = val & 0x80ffffffu; /* enable, bus, device, function, register */
	else if (port >= PCI_CONFIG_DATA && selected(p) == 2)
		pci_testdev_config_write(p->testdev, p->address & 0xfc, val << lane, mask << lane);
}
