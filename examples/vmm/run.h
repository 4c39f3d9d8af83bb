/* SPDX-License-Identifier: MIT */
/* vcpu-run's exit loop: device dispatch, tracing and statistics. */
#ifndef VMM_RUN_H
#define VMM_RUN_H

#include <libvcpu/libvcpu.h>
#include <pthread.h>
#include <signal.h>

#include "devices.h"

/* Exit statuses of the process besides the guest's debug-exit value. */
#define STATUS_OK	 0   /* shutdown, triple fault, or HLT with nothing to wake it */
#define STATUS_USAGE	 2   /* bad options or a guest image that cannot be loaded */
#define STATUS_FAILURE	 4   /* the backend or the guest failed (see the message) */
#define STATUS_TIMEOUT	 124 /* --timeout expired (like timeout(1)) */
#define STATUS_INTERRUPT 130 /* SIGINT (Ctrl-C) */

/* The most used addresses nothing emulates, for --stats. */
#define UNEMULATED_SLOTS 8
struct unemulated {
	uint64_t addr, count;
};

struct run_stats {
	uint64_t count[LV_EXIT_REASON_COUNT];
	uint64_t run_ns[LV_EXIT_REASON_COUNT];	  /* time inside lv_vcpu_run() per exit kind */
	uint64_t handle_ns[LV_EXIT_REASON_COUNT]; /* time the VMM spent handling them */
	uint64_t uart_accesses, debug_exit_writes, fw_cfg_accesses, testdev_accesses;
	uint64_t pci_testdev_accesses;
	uint64_t other_port_accesses;
	uint64_t ioapic_accesses, unassigned_mmio_accesses;
	uint64_t i8042_accesses, rtc_accesses, pci_accesses;
	struct unemulated ports[UNEMULATED_SLOTS], mmio_pages[UNEMULATED_SLOTS];
	uint64_t total_ns;
};

struct vmm {
	struct lv_vcpu **vcpus; /* vCPU 0 first; with more, a VM with LV_VM_IRQCHIP */
	unsigned nvcpus;
	struct uart uart;
	struct ioapic ioapic; /* the register file, without an interrupt controller */
	struct fw_cfg fw_cfg;
	struct testdev testdev;
	struct i8042 i8042;
	struct rtc rtc;
	struct pci pci;
	struct pci_testdev pci_testdev; /* on the PCI bus with --testdev */
	int has_testdev;		/* --testdev: pc-testdev and pci-testdev */
	int uart_level;			/* the UART's interrupt line as last driven */
	struct lv_vm *vm;		/* for interrupt lines */
	uint8_t *ram;			/* guest RAM (GPA = offset), for pc-testdev's page flush */
	uint64_t ram_size;
	int trace, stats;
	uint64_t exits;				  /* numbered in --trace lines */
	int warned_port, warned_mmio, warned_irq; /* first unemulated access reported */
	struct run_stats st;
	volatile sig_atomic_t *timed_out, *interrupted;
	double timeout_s;
	/* More than one vCPU: one thread each, devices and statistics under the lock. */
	pthread_mutex_t lock;
	int locked;	   /* more than one thread (vCPUs, console input): exits take the lock */
	int console_input; /* read standard input for the UART (console.c) */
	int stop;   /* __atomic: one vCPU ended the run, the others stop at their next exit */
	int status; /* the first ending's exit status */
};

/* Run the vCPUs until the guest stops; returns the process exit status. */
int vmm_run(struct vmm *v);
void vmm_print_stats(const struct vmm *v, FILE *f);
/* A byte from the console for the UART, any thread: 1 taken, 0 the FIFO is full. */
int vmm_uart_input(struct vmm *v, uint8_t b);

/* Standard input to the UART, from a thread (console.c); the terminal restored on stop. */
void console_start(struct vmm *v);
void console_stop(void);
#endif /* VMM_RUN_H */
