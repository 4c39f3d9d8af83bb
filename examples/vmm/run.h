/* SPDX-License-Identifier: MIT */
/* vcpu-run's exit loop: device dispatch, tracing and statistics. */
#ifndef VMM_RUN_H
#define VMM_RUN_H

#include <libvcpu/libvcpu.h>
#include <signal.h>

#include "devices.h"

/* Exit statuses of the process besides the guest's debug-exit value. */
#define STATUS_OK	 0   /* shutdown, triple fault, or HLT with nothing to wake it */
#define STATUS_USAGE	 2   /* bad options or a guest image that cannot be loaded */
#define STATUS_FAILURE	 4   /* the backend or the guest failed (see the message) */
#define STATUS_TIMEOUT	 124 /* --timeout expired (like timeout(1)) */
#define STATUS_INTERRUPT 130 /* SIGINT (Ctrl-C) */

struct run_stats {
	uint64_t count[LV_EXIT_REASON_COUNT];
	uint64_t run_ns[LV_EXIT_REASON_COUNT];	  /* time inside lv_vcpu_run() per exit kind */
	uint64_t handle_ns[LV_EXIT_REASON_COUNT]; /* time the VMM spent handling them */
	uint64_t uart_accesses, debug_exit_writes, other_port_accesses;
	uint64_t ioapic_accesses, unassigned_mmio_accesses;
	uint64_t total_ns;
};

struct vmm {
	struct lv_vcpu *vcpu;
	struct uart uart;
	struct ioapic ioapic;
	int trace, stats;
	int warned_port, warned_mmio; /* first unemulated access reported */
	struct run_stats st;
	volatile sig_atomic_t *timed_out, *interrupted;
	double timeout_s;
};

/* Run the vCPU until the guest stops; returns the process exit status. */
int vmm_run(struct vmm *v);
void vmm_print_stats(const struct vmm *v, FILE *f);

#endif /* VMM_RUN_H */
