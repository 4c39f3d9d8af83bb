/* SPDX-License-Identifier: MIT */
/*
 * The hosted exit loop of vcpu-run: one lv_vcpu_run() per iteration, then
 * vmm_handle_exit() (dispatch.c, shared with the ring-0 test kernel); one
 * thread per vCPU, kicks from the signal handlers (timeout, Ctrl-C), the
 * statistics table. Messages go to stderr.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <time.h>

#include "run.h"
#include "vmm.h"

/* More than one thread (vCPUs, console input): exits take the lock. */
static pthread_mutex_t lock;
static int locked;
static int stop;   /* __atomic: one vCPU ended the run, the others stop at their next exit */
static int status; /* the first ending's exit status */
static const struct vmm_host *host;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void vmm_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* pc-testdev's page flush: the host page loses its access and gets it back (QEMU's way). */
static void testdev_flush(struct vmm *v, uint64_t gpa)
{
	uint8_t *page = v->ram + (gpa & ~0xfffull);

	if (gpa >= v->ram_size)
		return;
	mprotect(page, 4096, PROT_NONE);
	mprotect(page, 4096, PROT_READ | PROT_WRITE);
}

int vmm_uart_input(struct vmm *v, uint8_t b)
{
	int took;

	pthread_mutex_lock(&lock);
	took = uart_receive(&v->uart, b);
	if (took)
		vmm_uart_line(v);
	pthread_mutex_unlock(&lock);
	return took;
}

/* A kick of ours (timeout, Ctrl-C) ends the run; another vCPU's stop does too. */
static int cancelled(struct vmm *v)
{
	(void)v;
	if (*host->timed_out) {
		fprintf(stderr, "vcpu-run: timeout after %g s; stopping the guest\n",
			host->timeout_s);
		return STATUS_TIMEOUT;
	}
	if (*host->interrupted) {
		fprintf(stderr, "vcpu-run: interrupted; stopping the guest\n");
		return STATUS_INTERRUPT;
	}
	return KEEP_RUNNING; /* a stray kick */
}

/* One vCPU's loop; with more than one, under the lock from exit to exit. */
static int run_vcpu(struct vmm *v, struct lv_vcpu *vcpu)
{
	uint64_t t_run, t_exit;
	struct lv_exit *ex;
	int rc, smp = locked;

	for (;;) {
		t_run = now_ns();
		rc = lv_vcpu_run(vcpu, &ex);
		t_exit = now_ns();
		if (rc == LV_ERR_INTR)
			continue;
		if (smp)
			pthread_mutex_lock(&lock);
		if (__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
			rc = KEEP_RUNNING; /* another vCPU ended the run */
		} else {
			rc = vmm_exit(v, vcpu, rc, ex, t_run, t_exit);
			if (rc == KEEP_RUNNING) {
				if (smp)
					pthread_mutex_unlock(&lock);
				continue;
			}
		}
		if (smp)
			pthread_mutex_unlock(&lock);
		return rc;
	}
}

/* The end of the run: the first status counts; every other vCPU is stopped. */
static void vcpu_done(struct vmm *v, int rc)
{
	unsigned i;

	if (rc != KEEP_RUNNING && !__atomic_exchange_n(&stop, 1, __ATOMIC_ACQ_REL))
		status = rc;
	for (i = 0; i < v->nvcpus; i++)
		lv_vcpu_kick(v->vcpus[i]);
}

struct vcpu_thread {
	struct vmm *v;
	unsigned index;
	pthread_t tid;
};

static void *vcpu_thread_main(void *arg)
{
	struct vcpu_thread *t = arg;

	vcpu_done(t->v, run_vcpu(t->v, t->v->vcpus[t->index]));
	return NULL;
}

/* The UART's bytes on stdout, flushed at each line end. */
static void uart_to_stdout(void *ctx, uint8_t b)
{
	(void)ctx;
	fputc(b, stdout);
	if (b == '\n')
		fflush(stdout);
}

int vmm_run(struct vmm *v, const struct vmm_host *h)
{
	struct vcpu_thread *t = NULL;
	uint64_t t0 = now_ns();
	unsigned i, started = 1;

	host = h;
	status = STATUS_FAILURE;
	stop = 0;
	v->uart.tx = uart_to_stdout;
	v->flush_page = testdev_flush;
	v->now_ns = now_ns;
	v->cancelled = cancelled;
	locked = v->nvcpus > 1 || v->console_input;
	if (locked && pthread_mutex_init(&lock, NULL)) {
		fprintf(stderr, "vcpu-run: cannot set up the vCPU threads\n");
		return STATUS_FAILURE;
	}
	if (v->nvcpus > 1 && !(t = calloc(v->nvcpus, sizeof(*t)))) {
		fprintf(stderr, "vcpu-run: cannot set up the vCPU threads\n");
		pthread_mutex_destroy(&lock);
		return STATUS_FAILURE;
	}
	if (v->console_input)
		console_start(v);
	if (v->nvcpus > 1) {
		for (i = 1; i < v->nvcpus; i++, started++) {
			t[i].v = v;
			t[i].index = i;
			if (pthread_create(&t[i].tid, NULL, vcpu_thread_main, &t[i])) {
				fprintf(stderr, "vcpu-run: cannot start the thread of vCPU %u\n",
					i);
				vcpu_done(v, STATUS_FAILURE);
				break;
			}
		}
	}
	vcpu_done(v, run_vcpu(v, v->vcpus[0]));
	for (i = 1; i < started; i++)
		pthread_join(t[i].tid, NULL);
	free(t);
	if (v->console_input)
		console_stop();
	if (locked)
		pthread_mutex_destroy(&lock);
	v->st.total_ns = now_ns() - t0;
	fflush(stdout);
	return status;
}

/* The addresses that no device emulates, with their access counts. */
static void print_unemulated(const char *what, const struct unemulated *tab)
{
	unsigned i;

	if (!tab[0].count)
		return;
	fprintf(stderr, "  unemulated %s:", what);
	for (i = 0; i < UNEMULATED_SLOTS && tab[i].count; i++)
		fprintf(stderr, " %#" PRIx64 " (%" PRIu64 ")", tab[i].addr, tab[i].count);
	fputc('\n', stderr);
}

void vmm_print_stats(const struct run_stats *s, int has_testdev)
{
	FILE *f = stderr;
	uint64_t total = 0, run = 0, handle = 0;
	unsigned r;

	for (r = 0; r < LV_EXIT_REASON_COUNT; r++) {
		total += s->count[r];
		run += s->run_ns[r];
		handle += s->handle_ns[r];
	}
	fprintf(f,
		"exit statistics: %" PRIu64 " exits in %.3f ms (%.3f ms in lv_vcpu_run, "
		"%.3f ms in the VMM)\n",
		total, s->total_ns / 1e6, run / 1e6, handle / 1e6);
	fprintf(f, "  %-16s %10s %14s %12s %14s\n", "exit", "count", "run time us", "avg us",
		"handler us");
	for (r = 0; r < LV_EXIT_REASON_COUNT; r++) {
		if (!s->count[r])
			continue;
		fprintf(f, "  %-16s %10" PRIu64 " %14.1f %12.2f %14.1f\n", lv_exit_reason_name(r),
			s->count[r], s->run_ns[r] / 1e3, s->run_ns[r] / 1e3 / (double)s->count[r],
			s->handle_ns[r] / 1e3);
	}
	fprintf(f,
		"  ports: uart %" PRIu64 ", debug-exit %" PRIu64 ", fw_cfg %" PRIu64
		", other %" PRIu64 "\n",
		s->uart_accesses, s->debug_exit_writes, s->fw_cfg_accesses, s->other_port_accesses);
	if (has_testdev)
		fprintf(f, "  pc-testdev: %" PRIu64 ", pci-testdev BARs: %" PRIu64 "\n",
			s->testdev_accesses, s->pci_testdev_accesses);
	fprintf(f,
		"  pc: i8042 %" PRIu64 ", rtc %" PRIu64 ", pci %" PRIu64 ", acpi-pm %" PRIu64 "\n",
		s->i8042_accesses, s->rtc_accesses, s->pci_accesses, s->pm_accesses);
	fprintf(f, "  mmio: ioapic %" PRIu64 ", unassigned %" PRIu64 "\n", s->ioapic_accesses,
		s->unassigned_mmio_accesses);
	print_unemulated("ports", s->ports);
	print_unemulated("mmio pages", s->mmio_pages);
}
