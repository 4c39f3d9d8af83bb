/* SPDX-License-Identifier: MIT */
/*
 * vcpu-run's exit handling: device dispatch, tracing and statistics
 * (dispatch.c, freestanding: also the ring-0 test kernel's, tests/ring0/vmm.c),
 * and the hosted loop with its threads and signals (run.c).
 */
#ifndef VMM_RUN_H
#define VMM_RUN_H

#include <libvcpu/libvcpu.h>

#include "devices.h"

/* Exit statuses of the process besides the guest's debug-exit value. */
#define STATUS_OK	   0 /* shutdown, power-off, triple fault, or HLT with nothing to wake it */
#define STATUS_USAGE	   2 /* bad options or a guest image that cannot be loaded */
#define STATUS_FAILURE	   4 /* the backend or the guest failed (see the message) */
#define STATUS_TIMEOUT	   124 /* --timeout expired (like timeout(1)) */
#define STATUS_INTERRUPT   130 /* SIGINT (Ctrl-C) */
#define STATUS_NO_EMULATOR 127 /* -b svm|vmx: the emulator is not installed (ring0.c) */

/* vmm_handle_exit(): the loop continues. */
#define KEEP_RUNNING (-1)

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
	uint64_t i8042_accesses, rtc_accesses, pci_accesses, pm_accesses;
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
	struct acpi_pm pm;
	struct pci_testdev pci_testdev; /* on the PCI bus with --testdev */
	int has_testdev;		/* --testdev: pc-testdev and pci-testdev */
	int has_acpi;			/* ACPI tables written (Linux): the PM registers answer */
	int uart_level;			/* the UART's interrupt line as last driven */
	struct lv_vm *vm;		/* for interrupt lines */
	uint8_t *ram;			/* guest RAM (GPA = offset), for pc-testdev's page flush */
	uint64_t ram_size;
	/* pc-testdev's page flush (QEMU drops the page's mapping); NULL: nothing to do. */
	void (*flush_page)(struct vmm *v, uint64_t gpa);
	uint64_t (*now_ns)(void); /* a monotonic clock, for the statistics */
	/* LV_EXIT_CANCELLED: the caller's kick (a status) or a stray one (KEEP_RUNNING); NULL: stray. */
	int (*cancelled)(struct vmm *v);
	int trace, stats;
	uint64_t exits;				  /* numbered in --trace lines */
	int warned_port, warned_mmio, warned_irq; /* first unemulated access reported */
	struct run_stats st;
	int console_input; /* read standard input for the UART (console.c) */
	/* More than one vCPU: their exits take turns (NULL: no lock needed). */
	void (*lock)(struct vmm *v);
	void (*unlock)(struct vmm *v);
	int stopped; /* __atomic: one vCPU ended the run; the others stop at their next exit */
	int status;  /* the first ending's exit status (vmm_vcpu_done()) */
};

/*
 * Messages of the exit handling (vcpu-run's stderr): each side supplies it,
 * vcpu-run with vfprintf(), the ring-0 kernel on its control channel.
 * Formats: %s %c %d %u %x with 'l'/'ll', '#', '-', '0' and widths.
 */
void vmm_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Handle one exit of @p vcpu (dispatch.c): the devices answer IO and MMIO,
 * HLT, shutdown, reset and errors end the run with a message. Returns
 * KEEP_RUNNING or the process exit status. LV_EXIT_CANCELLED is a stray
 * kick here: the caller handles its own (timeout, Ctrl-C) first.
 */
int vmm_handle_exit(struct vmm *v, struct lv_vcpu *vcpu, struct lv_exit *ex);
/*
 * After lv_vcpu_run() of @p vcpu returned @p rc and @p ex at @p t_exit
 * (v->now_ns(), the run started at @p t_run): the failure message, or the
 * --trace line, the exit's handling and its statistics. Returns
 * KEEP_RUNNING or the exit status.
 */
int vmm_exit(struct vmm *v, struct lv_vcpu *vcpu, int rc, struct lv_exit *ex, uint64_t t_run,
	     uint64_t t_exit);
/*
 * One vCPU's loop (hosted threads and the ring-0 kernel's CPUs alike):
 * lv_vcpu_run(), then vmm_exit() under v->lock, until this vCPU ends the
 * run (its status) or another one did (KEEP_RUNNING).
 */
int vmm_run_vcpu(struct vmm *v, struct lv_vcpu *vcpu);
/* The end of a vCPU's loop with @p rc: the first status counts; every vCPU is kicked. */
void vmm_vcpu_done(struct vmm *v, int rc);
/* One --trace line for exit @p n of @p vcpu. */
void vmm_trace_exit(struct lv_vcpu *vcpu, uint64_t n, const struct lv_exit *ex);
/* Count @p ex in the statistics: @p run_ns in lv_vcpu_run(), @p handle_ns handling it. */
void vmm_account(struct vmm *v, const struct lv_exit *ex, uint64_t run_ns, uint64_t handle_ns);
/* The UART's interrupt line after an access or a received byte. */
void vmm_uart_line(struct vmm *v);

#if __STDC_HOSTED__
#include <signal.h>

/* What ends a hosted run besides the guest: the signal flags and --timeout (main.c). */
struct vmm_host {
	volatile sig_atomic_t *timed_out, *interrupted;
	double timeout_s;
};

/* Run the vCPUs until the guest stops; returns the process exit status (run.c). */
int vmm_run(struct vmm *v, const struct vmm_host *h);
/* The statistics table on stderr (run.c). */
void vmm_print_stats(const struct run_stats *s, int has_testdev);
/* A byte from the console for the UART, any thread: 1 taken, 0 the FIFO is full. */
int vmm_uart_input(struct vmm *v, uint8_t b);

/* Standard input to the UART, from a thread (console.c); the terminal restored on stop. */
void console_start(struct vmm *v);
void console_stop(void);
/* The terminal on stdin (if it is one) raw but for Ctrl-C, until console_restore() or exit. */
void console_raw(void);
void console_restore(void);
#endif
#endif /* VMM_RUN_H */
