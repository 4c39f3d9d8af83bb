/* SPDX-License-Identifier: MIT */
/* vcpu-run's devices: a 16550 UART, the register file of an I/O APIC, QEMU's fw_cfg. */
#ifndef VMM_DEVICES_H
#define VMM_DEVICES_H

#include <stdint.h>
#include <stdio.h>

#define COM1_BASE 0x3f8u

/* A 16550A without input (loopback only), with its interrupt line (uart.c). */
#define COM1_GSI 4u

struct uart {
	FILE *out;
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	uint8_t rbr, rx_full; /* loopback only: the byte sent to ourselves */
	uint8_t thr_ipending; /* the "THR empty" interrupt is pending */
};

void uart_init(struct uart *u, FILE *out);
/* @p off is the register offset 0-7 from the base port. */
uint8_t uart_read(struct uart *u, unsigned off);
void uart_write(struct uart *u, unsigned off, uint8_t val);
/* The level of the UART's interrupt line. */
int uart_irq(const struct uart *u);

#define IOAPIC_BASE 0xfec00000u
#define IOAPIC_SIZE 0x20u
#define IOAPIC_PINS 24u

/* I/O APIC registers (82093AA datasheet, 3.0) without interrupt delivery. */
struct ioapic {
	uint32_t regsel;
	uint32_t id;
	uint64_t redir[IOAPIC_PINS];
};

void ioapic_init(struct ioapic *io);
/* @p off is the byte offset from IOAPIC_BASE; accesses are 32-bit wide. */
uint32_t ioapic_read(struct ioapic *io, uint32_t off);
void ioapic_write(struct ioapic *io, uint32_t off, uint32_t val);

#define FW_CFG_PORT_SEL	 0x510u
#define FW_CFG_PORT_DATA 0x511u

/* QEMU's fw_cfg, the port interface: the items guests read at boot. */
struct fw_cfg {
	uint16_t item, ncpus;
	uint32_t offset;
	uint64_t ram_size;
};

void fw_cfg_init(struct fw_cfg *f, uint64_t ram_size, uint16_t ncpus);
void fw_cfg_select(struct fw_cfg *f, uint16_t item);
/* The next byte of the selected item (0 past its end). */
uint8_t fw_cfg_read(struct fw_cfg *f);

/* QEMU's pc-testdev, the ports kvm-unit-tests use (testdev.c). */
#define TESTDEV_IO    0xe0u
#define TESTDEV_FLUSH 0xe4u
#define TESTDEV_IRQ   0x2000u
#define TESTDEV_IRQS  24u
#define TESTDEV_MEM   0xff000000u /* a 64 KiB MMIO buffer that keeps what is written */
#define TESTDEV_MEMSZ 0x10000u

struct testdev {
	uint32_t io;
	uint32_t flush; /* the page address written to the flush port */
	uint8_t mem[TESTDEV_MEMSZ];
};

int testdev_claims(uint16_t port);
uint8_t testdev_read(struct testdev *t, uint16_t port);
int testdev_write(struct testdev *t, uint16_t port, uint8_t val, uint32_t *level);

#endif /* VMM_DEVICES_H */
