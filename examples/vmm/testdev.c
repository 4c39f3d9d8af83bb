/* SPDX-License-Identifier: MIT */
/*
 * The parts of QEMU's pc-testdev that kvm-unit-tests use (vcpu-run
 * --testdev, as -device pc-testdev): ports 0xe0-0xe3 are a 32-bit register
 * that keeps what is written (the tests' IO checks), a 32-bit write to
 * port 0xe4 names a guest page to flush: as QEMU does, the VMM takes the
 * host page's access away and gives it back (mprotect), so KVM drops its
 * translation and the guest's next access faults it in again (run.c),
 * a write of level v to port 0x2000 + n drives interrupt line n (through
 * the backend's interrupt controller, when there is one), and 64 KiB of
 * MMIO at 0xff000000 keep what is written (the emulator tests' operand).
 */
#include "devices.h"

int testdev_claims(uint16_t port)
{
	return (port >= TESTDEV_IO && port < TESTDEV_IO + 4) ||
	       (port >= TESTDEV_FLUSH && port < TESTDEV_FLUSH + 4) ||
	       (port >= TESTDEV_IRQ && port < TESTDEV_IRQ + TESTDEV_IRQS);
}

uint8_t testdev_read(struct testdev *t, uint16_t port)
{
	if (port >= TESTDEV_IO && port < TESTDEV_IO + 4)
		return (uint8_t)(t->io >> (8 * (port - TESTDEV_IO)));
	return 0;
}

/* @return the line to drive (0-23) with its level in @p level, or -1. */
int testdev_write(struct testdev *t, uint16_t port, uint8_t val, uint32_t *level)
{
	if (port >= TESTDEV_FLUSH && port < TESTDEV_FLUSH + 4) {
		unsigned sh = 8u * (port - TESTDEV_FLUSH);

		t->flush = (t->flush & ~(0xffu << sh)) | ((uint32_t)val << sh);
		return -1;
	}
	if (port >= TESTDEV_IO && port < TESTDEV_IO + 4) {
		unsigned sh = 8u * (port - TESTDEV_IO);

		t->io = (t->io & ~(0xffu << sh)) | ((uint32_t)val << sh);
		return -1;
	}
	if (port >= TESTDEV_IRQ && port < TESTDEV_IRQ + TESTDEV_IRQS) {
		*level = val ? 1 : 0;
		return port - TESTDEV_IRQ;
	}
	return -1;
}
