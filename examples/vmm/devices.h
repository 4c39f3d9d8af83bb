/* SPDX-License-Identifier: MIT */
/*
 * vcpu-run's devices: a 16550 UART, the register file of an I/O APIC, QEMU's
 * fw_cfg, pc-testdev and pci-testdev, and the PC parts a Linux kernel uses:
 * the 8042's reset line, the CMOS clock, PCI configuration, the ACPI power
 * management registers.
 *
 * Freestanding C (only <stdint.h>, <stddef.h>, <string.h>): the same files
 * are compiled into the hosted vcpu-run and into the ring-0 test kernel
 * (tests/ring0/vmm.c). What differs goes through callbacks: the UART's
 * transmitted bytes, the clock of the CMOS.
 */
#ifndef VMM_DEVICES_H
#define VMM_DEVICES_H

#include <stddef.h>
#include <stdint.h>

#define COM1_BASE 0x3f8u

/* A 16550A with its receive FIFO and its interrupt line (uart.c). */
#define COM1_GSI  4u
#define UART_FIFO 16u

/* Where transmitted bytes go: stdout (vcpu-run), the host's COM1 (ring-0 kernel). */
typedef void uart_tx_fn(void *ctx, uint8_t b);

struct uart {
	uart_tx_fn *tx;
	void *tx_ctx;
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	uint8_t rx[UART_FIFO]; /* received bytes (input, or sent to ourselves in loopback) */
	uint8_t rx_head, rx_count;
	uint8_t thr_ipending; /* the "THR empty" interrupt is pending */
	uint8_t edge;	      /* a new interrupt: lower the line before raising it (run.c) */
};

void uart_init(struct uart *u, uart_tx_fn *tx, void *tx_ctx);
/* @p off is the register offset 0-7 from the base port. */
uint8_t uart_read(struct uart *u, unsigned off);
void uart_write(struct uart *u, unsigned off, uint8_t val);
/* A byte arrives on the line: 1 if the FIFO (or the holding register) took it, 0 if full. */
int uart_receive(struct uart *u, uint8_t b);
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

/* The 8042 keyboard controller without devices, for its reset line (i8042.c). */
#define I8042_DATA   0x60u
#define I8042_STATUS 0x64u

struct i8042 {
	uint8_t status, out, ctr;
	uint8_t pending; /* a command waiting for its data byte at 0x60 */
};

void i8042_init(struct i8042 *k);
uint8_t i8042_read(struct i8042 *k, uint16_t port);
/* @return 1 when the write pulses the CPU reset line, else 0. */
int i8042_write(struct i8042 *k, uint16_t port, uint8_t val);

/* CMOS RAM and the MC146818 clock, read-only time (rtc.c). */
#define RTC_INDEX 0x70u
#define RTC_DATA  0x71u

/* The time of day: seconds since 1970-01-01 00:00 UTC. */
typedef uint64_t rtc_clock_fn(void);

struct rtc {
	uint8_t index;
	uint8_t ram[128];
	rtc_clock_fn *clock;
};

void rtc_init(struct rtc *r, rtc_clock_fn *clock);
uint8_t rtc_read(struct rtc *r, uint16_t port);
void rtc_write(struct rtc *r, uint16_t port, uint8_t val);

/* QEMU's pci-testdev: its configuration header and its two BARs (pci_testdev.c). */
#define PCI_TESTDEV_VENDOR   0x1b36u
#define PCI_TESTDEV_DEVICE   0x0005u
#define PCI_TESTDEV_MEM_BASE 0xfebff000u /* BAR0, 4 KiB: where SeaBIOS puts it */
#define PCI_TESTDEV_IO_BASE  0xc000u	 /* BAR1, 256 ports */

struct pci_testdev {
	uint32_t bar[2]; /* BAR0 (memory), BAR1 (IO) base addresses */
	uint16_t command;
	uint8_t test;	/* the selected test */
	uint32_t count; /* writes seen since */
};

void pci_testdev_init(struct pci_testdev *t);
/* @p reg is the dword-aligned register offset; @p mask the bytes written. */
uint32_t pci_testdev_config_read(const struct pci_testdev *t, unsigned reg);
void pci_testdev_config_write(struct pci_testdev *t, unsigned reg, uint32_t val, uint32_t mask);
/* 1 and the offset in the BAR if BAR1 (@p io) or BAR0 decodes [addr, addr + size). */
int pci_testdev_decodes(const struct pci_testdev *t, int io, uint64_t addr, unsigned size,
			uint32_t *off);
uint32_t pci_testdev_bar_read(const struct pci_testdev *t, int io, uint32_t off, unsigned size);
void pci_testdev_bar_write(struct pci_testdev *t, int io, uint32_t off, unsigned size,
			   uint32_t val);

/* PCI configuration mechanism #1: an empty bus, or the host bridge and pci-testdev (pci.c). */
#define PCI_CONFIG_ADDRESS 0xcf8u
#define PCI_CONFIG_DATA	   0xcfcu
#define PCI_CONFIG_END	   0xd00u /* 0xcf8-0xcff: address and data */

struct pci {
	uint32_t address;
	struct pci_testdev *testdev; /* NULL: nothing on the bus */
};

/* @p port is 0xcf8-0xcff, @p size the access width in bytes. */
uint32_t pci_read(struct pci *p, uint16_t port, unsigned size);
void pci_write(struct pci *p, uint16_t port, unsigned size, uint32_t val);

/* The ACPI PM1a event and control registers, for the power-off request (pm.c). */
#define PM_BASE		0x600u /* PM1a_EVT_BLK (4 bytes), then PM1a_CNT_BLK (2 bytes) */
#define PM_LEN		6u
#define ACPI_SCI_IRQ	9u /* the FADT's SCI_INT; nothing raises it */
#define ACPI_S5_SLP_TYP 5u /* SLP_TYP of \_S5 in the DSDT (acpi.c) */

struct acpi_pm {
	uint16_t sts, en, cnt; /* PM1_STS, PM1_EN, PM1_CNT */
};

void acpi_pm_init(struct acpi_pm *p);
int acpi_pm_claims(uint16_t port);
/* @p size is the access width in bytes; ports past the block read all ones. */
uint32_t acpi_pm_read(const struct acpi_pm *p, uint16_t port, unsigned size);
/* @return 1 when the write sets SLP_EN with SLP_TYP = S5: the guest powers off. */
int acpi_pm_write(struct acpi_pm *p, uint16_t port, unsigned size, uint32_t val);

#endif /* VMM_DEVICES_H */
