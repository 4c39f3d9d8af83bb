/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration mechanism #1 with nothing on the bus (PCI Local Bus
 * Specification 3.0, 3.2.2.3.2): the 32-bit address register at 0xcf8
 * keeps what is written (so a guest finds the mechanism), and every read
 * of the data window 0xcfc-0xcff gives all ones, the "no device" answer
 * (a vendor ID of 0xffff); writes to it vanish. Other widths at 0xcf8-0xcfb
 * are not the address register and read all ones, as on a PC's host bridge.
 */
#include "devices.h"

uint32_t pci_read(struct pci *p, uint16_t port, unsigned size)
{
	if (port == PCI_CONFIG_ADDRESS && size == 4)
		return p->address;
	return 0xffffffffu;
}

void pci_write(struct pci *p, uint16_t port, unsigned size, uint32_t val)
{
	if (port == PCI_CONFIG_ADDRESS && size == 4)
		p->address = val & 0x80fffffcu; /* enable, bus, device, function, register */
}
