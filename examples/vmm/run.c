/* SPDX-License-Identifier: MIT */
/*
 * The exit loop of vcpu-run: one lv_vcpu_run() per iteration, then the
 * device models answer IO and MMIO exits; HLT, shutdown, kicks and errors
 * end the run with a message on stderr and a process exit status.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <time.h>

#include "run.h"
#include "vmm.h"

#define DEBUG_EXIT_PORT 0xf4u /* QEMU isa-debug-exit,iobase=0xf4,iosize=4 */
#define DEBUG_EXIT_SIZE 4u
#define RFLAGS_IF	(1ull << 9)

/* Sentinel: the loop continues. */
#define KEEP_RUNNING (-1)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t get_le(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	while (size--)
		v = v << 8 | p[size];
	return v;
}

static void put_le(uint8_t *p, unsigned size, uint64_t v)
{
	unsigned i;

	for (i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- port IO --------------------------------------------------------- */

/* Count an access to @p addr in @p tab (the first UNEMULATED_SLOTS addresses seen). */
static void count_unemulated(struct unemulated *tab, uint64_t addr)
{
	unsigned i;

	for (i = 0; i < UNEMULATED_SLOTS; i++) {
		if (tab[i].count && tab[i].addr != addr)
			continue;
		tab[i].addr = addr;
		tab[i].count++;
		return;
	}
}

/* Say once that the guest uses a port no device answers (the rest are counted). */
static void note_port(struct vmm *v, uint16_t port, const char *dir)
{
	count_unemulated(v->st.ports, port);
	if (v->warned_port++)
		return;
	fprintf(stderr,
		"vcpu-run: note: %s of port %#x, which no device emulates (reads give all "
		"ones; --stats counts them)\n",
		dir, port);
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

/* The UART's line into the interrupt controller (GSI 4), when its level changed or it pulses. */
static void uart_line(struct vmm *v)
{
	int level = uart_irq(&v->uart), pulse = v->uart.edge && level && v->uart_level;

	v->uart.edge = 0;
	if (level == v->uart_level && !pulse)
		return;
	if (pulse)
		lv_vm_irq_line(v->vm, COM1_GSI, 0); /* a new edge for a new interrupt */
	v->uart_level = level;
	if (lv_vm_irq_line(v->vm, COM1_GSI, (uint32_t)level) == LV_ERR_NOTSUP && level &&
	    !v->warned_irq++)
		fprintf(stderr, "vcpu-run: note: the UART raised its interrupt, but the VM has no "
				"interrupt controller (use --irqchip)\n");
}

int vmm_uart_input(struct vmm *v, uint8_t b)
{
	int took;

	pthread_mutex_lock(&v->lock);
	took = uart_receive(&v->uart, b);
	if (took)
		uart_line(v);
	pthread_mutex_unlock(&v->lock);
	return took;
}

static int port_write(struct vmm *v, uint16_t port, unsigned size, uint64_t val)
{
	unsigned i;
	uint32_t off;

	if (port >= COM1_BASE && port < COM1_BASE + 8) {
		v->st.uart_accesses++;
		for (i = 0; i < size && port + i < COM1_BASE + 8; i++)
			uart_write(&v->uart, port + i - COM1_BASE, (uint8_t)(val >> (8 * i)));
		uart_line(v);
		return KEEP_RUNNING;
	}
	if (v->has_testdev && testdev_claims(port)) {
		v->st.testdev_accesses++;
		for (i = 0; i < size; i++) {
			uint32_t level;
			int line = testdev_write(&v->testdev, (uint16_t)(port + i),
						 (uint8_t)(val >> (8 * i)), &level);

			if (line >= 0 &&
			    lv_vm_irq_line(v->vm, (uint32_t)line, level) == LV_ERR_NOTSUP &&
			    !v->warned_irq++)
				fprintf(stderr,
					"vcpu-run: note: pc-testdev interrupt line %d: no "
					"interrupt controller (use --irqchip)\n",
					line);
			if (port == TESTDEV_IRQ + (uint16_t)line)
				break; /* one line per write, whatever its width */
		}
		if (port == TESTDEV_FLUSH && size == 4)
			testdev_flush(v, v->testdev.flush);
		return KEEP_RUNNING;
	}
	if (port == FW_CFG_PORT_SEL) {
		v->st.fw_cfg_accesses++;
		fw_cfg_select(&v->fw_cfg, (uint16_t)val);
		return KEEP_RUNNING;
	}
	if (port == I8042_DATA || port == I8042_STATUS) {
		v->st.i8042_accesses++;
		if (i8042_write(&v->i8042, port, (uint8_t)val)) {
			fprintf(stderr, "vcpu-run: guest requested a reset (8042 reset line)\n");
			return STATUS_OK; /* as QEMU -no-reboot */
		}
		return KEEP_RUNNING;
	}
	if (port == RTC_INDEX || port == RTC_DATA) {
		v->st.rtc_accesses++;
		rtc_write(&v->rtc, port, (uint8_t)val);
		return KEEP_RUNNING;
	}
	if (port >= PCI_CONFIG_ADDRESS && port < PCI_CONFIG_END) {
		v->st.pci_accesses++;
		pci_write(&v->pci, port, size, (uint32_t)val);
		return KEEP_RUNNING;
	}
	if (v->pci.testdev && pci_testdev_decodes(v->pci.testdev, 1, port, size, &off)) {
		v->st.pci_testdev_accesses++;
		pci_testdev_bar_write(v->pci.testdev, 1, off, size, (uint32_t)val);
		return KEEP_RUNNING;
	}
	if (port >= DEBUG_EXIT_PORT && port < DEBUG_EXIT_PORT + DEBUG_EXIT_SIZE) {
		v->st.debug_exit_writes++;
		/* QEMU's isa-debug-exit: exit((value << 1) | 1). */
		return (int)(((val << 1) | 1) & 0xff);
	}
	v->st.other_port_accesses++;
	note_port(v, port, "write");
	return KEEP_RUNNING;
}

static uint64_t port_read(struct vmm *v, uint16_t port, unsigned size)
{
	uint64_t val = 0;
	unsigned i;
	uint32_t off;

	if (port >= COM1_BASE && port < COM1_BASE + 8) {
		v->st.uart_accesses++;
		for (i = 0; i < size; i++) {
			uint8_t b = port + i < COM1_BASE + 8
					    ? uart_read(&v->uart, port + i - COM1_BASE)
					    : 0xff;
			val |= (uint64_t)b << (8 * i);
		}
		uart_line(v);
		return val;
	}
	if (v->has_testdev && testdev_claims(port)) {
		v->st.testdev_accesses++;
		for (i = 0; i < size; i++)
			val |= (uint64_t)testdev_read(&v->testdev, (uint16_t)(port + i)) << (8 * i);
		return val;
	}
	if (port == FW_CFG_PORT_DATA) {
		v->st.fw_cfg_accesses++;
		for (i = 0; i < size; i++)
			val |= (uint64_t)fw_cfg_read(&v->fw_cfg) << (8 * i);
		return val;
	}
	if (port == I8042_DATA || port == I8042_STATUS) {
		v->st.i8042_accesses++;
		return i8042_read(&v->i8042, port) | (~0ull << 8);
	}
	if (port == RTC_INDEX || port == RTC_DATA) {
		v->st.rtc_accesses++;
		return rtc_read(&v->rtc, port) | (~0ull << 8);
	}
	if (port >= PCI_CONFIG_ADDRESS && port < PCI_CONFIG_END) {
		v->st.pci_accesses++;
		return pci_read(&v->pci, port, size) | (~0ull << 32);
	}
	if (v->pci.testdev && pci_testdev_decodes(v->pci.testdev, 1, port, size, &off)) {
		v->st.pci_testdev_accesses++;
		return pci_testdev_bar_read(v->pci.testdev, 1, off, size);
	}
	/* Nothing decodes the port: the bus floats high, as in QEMU. */
	v->st.other_port_accesses++;
	note_port(v, port, "read");
	return ~0ull;
}

static int handle_io(struct vmm *v, struct lv_exit *ex)
{
	unsigned size = ex->io.size, k;
	int rc;

	for (k = 0; k < ex->io.count; k++) {
		uint8_t *p = ex->io.data + (size_t)k * size;

		if (ex->io.is_write) {
			rc = port_write(v, ex->io.port, size, get_le(p, size));
			if (rc != KEEP_RUNNING)
				return rc;
		} else {
			put_le(p, size, port_read(v, ex->io.port, size));
		}
	}
	return KEEP_RUNNING;
}

/* ---- MMIO ------------------------------------------------------------ */

static void handle_mmio(struct vmm *v, struct lv_exit *ex)
{
	uint64_t gpa = ex->mmio.gpa;
	unsigned size = ex->mmio.size;
	uint32_t bar_off;

	if (gpa >= IOAPIC_BASE && gpa + size <= IOAPIC_BASE + IOAPIC_SIZE) {
		uint32_t off = (uint32_t)(gpa - IOAPIC_BASE);

		/* Like QEMU: IOREGSEL takes any width, IOWIN only aligned dwords. */
		v->st.ioapic_accesses++;
		if (off != 0 && (size != 4 || (off & 3))) {
			if (!ex->mmio.is_write)
				memset(ex->mmio.data, 0, sizeof(ex->mmio.data));
			return;
		}
		if (ex->mmio.is_write) {
			ioapic_write(&v->ioapic, off, (uint32_t)get_le(ex->mmio.data, size));
		} else {
			memset(ex->mmio.data, 0, sizeof(ex->mmio.data));
			put_le(ex->mmio.data, size, ioapic_read(&v->ioapic, off));
		}
		return;
	}
	if (v->has_testdev && gpa >= TESTDEV_MEM && gpa + size <= TESTDEV_MEM + TESTDEV_MEMSZ) {
		uint8_t *p = v->testdev.mem + (gpa - TESTDEV_MEM);

		v->st.testdev_accesses++;
		if (ex->mmio.is_write)
			memcpy(p, ex->mmio.data, size);
		else
			memcpy(ex->mmio.data, p, size);
		return;
	}
	if (v->pci.testdev && pci_testdev_decodes(v->pci.testdev, 0, gpa, size, &bar_off)) {
		uint32_t val = (uint32_t)get_le(ex->mmio.data, size);

		v->st.pci_testdev_accesses++;
		if (ex->mmio.is_write) {
			pci_testdev_bar_write(v->pci.testdev, 0, bar_off, size, val);
		} else {
			memset(ex->mmio.data, 0, sizeof(ex->mmio.data));
			put_le(ex->mmio.data, size,
			       pci_testdev_bar_read(v->pci.testdev, 0, bar_off, size));
		}
		return;
	}
	/* Unassigned guest-physical memory: reads give 0, writes vanish (QEMU). */
	v->st.unassigned_mmio_accesses++;
	count_unemulated(v->st.mmio_pages, gpa & ~0xfffull);
	if (!v->warned_mmio++)
		fprintf(stderr,
			"vcpu-run: note: %s at guest-physical %#" PRIx64 ", where nothing is "
			"mapped (reads give 0; --stats counts them)\n",
			ex->mmio.is_write ? "write" : "read", gpa);
	if (!ex->mmio.is_write)
		memset(ex->mmio.data, 0, sizeof(ex->mmio.data));
}

/* ---- tracing and diagnostics ----------------------------------------- */

static void trace_exit(struct lv_vcpu *vcpu, uint64_t n, const struct lv_exit *ex)
{
	struct lv_state st;
	unsigned long long rip = 0;

	if (lv_vcpu_get_state(vcpu, LV_STATE_GPRS, &st) == LV_OK)
		rip = st.regs.rip;
	fprintf(stderr, "[%6" PRIu64 "] rip=%#010llx %-9s", n, rip,
		lv_exit_reason_name(ex->reason));
	switch (ex->reason) {
	case LV_EXIT_IO:
		fprintf(stderr, " %s port=%#x size=%u count=%u", ex->io.is_write ? "out" : "in",
			ex->io.port, ex->io.size, ex->io.count);
		if (ex->io.is_write)
			fprintf(stderr, " data=%#" PRIx64, get_le(ex->io.data, ex->io.size));
		break;
	case LV_EXIT_MMIO:
		fprintf(stderr, " %s gpa=%#" PRIx64 " size=%u",
			ex->mmio.is_write ? "write" : "read", ex->mmio.gpa, ex->mmio.size);
		if (ex->mmio.is_write)
			fprintf(stderr, " data=%#" PRIx64, get_le(ex->mmio.data, ex->mmio.size));
		break;
	default:
		fprintf(stderr, " raw reason=%#" PRIx64 " qual=%#" PRIx64, ex->raw.reason,
			ex->raw.qual);
		break;
	}
	fputc('\n', stderr);
}

static void dump_regs(struct lv_vcpu *vcpu)
{
	struct lv_state st;

	if (lv_vcpu_get_state(vcpu, LV_STATE_GPRS | LV_STATE_CONTROL, &st) != LV_OK)
		return;
	fprintf(stderr,
		"  rip=%#010" PRIx64 " rflags=%#" PRIx64 " cr0=%#" PRIx64 "\n"
		"  eax=%#010" PRIx64 " ebx=%#010" PRIx64 " ecx=%#010" PRIx64 " edx=%#010" PRIx64
		"\n  esi=%#010" PRIx64 " edi=%#010" PRIx64 " esp=%#010" PRIx64 " ebp=%#010" PRIx64
		"\n",
		st.regs.rip, st.regs.rflags, st.ctrl.cr0, st.regs.rax, st.regs.rbx, st.regs.rcx,
		st.regs.rdx, st.regs.rsi, st.regs.rdi, st.regs.rsp, st.regs.rbp);
}

static int guest_failed(struct lv_vcpu *vcpu, const struct lv_exit *ex)
{
	fprintf(stderr, "vcpu-run: guest stopped: %s exit", lv_exit_reason_name(ex->reason));
	switch (ex->reason) {
	case LV_EXIT_EXCEPTION:
		fprintf(stderr, " (vector %u, error code %#x)", ex->exception.vector,
			ex->exception.error_code);
		break;
	case LV_EXIT_NPF:
		fprintf(stderr, " (gpa %#" PRIx64 ", access %#x)", ex->npf.gpa, ex->npf.access);
		break;
	case LV_EXIT_INTERNAL_ERROR:
		fprintf(stderr, " (suberror %u)", ex->internal.suberror);
		break;
	case LV_EXIT_ENTRY_FAILED:
		fprintf(stderr, " (kind %u, hardware reason %#" PRIx64 ")", ex->entry_failed.kind,
			ex->entry_failed.hw_reason);
		break;
	default:
		break;
	}
	fprintf(stderr, "; raw reason %#" PRIx64 " qualification %#" PRIx64 "\n", ex->raw.reason,
		ex->raw.qual);
	dump_regs(vcpu);
	return STATUS_FAILURE;
}

/* ---- the loop -------------------------------------------------------- */

static int handle_exit(struct vmm *v, struct lv_vcpu *vcpu, struct lv_exit *ex)
{
	struct lv_state st;

	switch (ex->reason) {
	case LV_EXIT_IO:
		return handle_io(v, ex);
	case LV_EXIT_MMIO:
		handle_mmio(v, ex);
		return KEEP_RUNNING;
	case LV_EXIT_HLT:
		/* No timer or interrupt controller delivers anything: nothing can wake it. */
		if (lv_vcpu_get_state(vcpu, LV_STATE_GPRS, &st) == LV_OK &&
		    !(st.regs.rflags & RFLAGS_IF))
			fprintf(stderr,
				"vcpu-run: guest halted with interrupts disabled at "
				"rip=%#" PRIx64 "; stopping\n",
				st.regs.rip);
		else
			fprintf(stderr, "vcpu-run: guest halted and no device can wake it; "
					"stopping\n");
		return STATUS_OK;
	case LV_EXIT_SHUTDOWN:
		fprintf(stderr, "vcpu-run: guest shutdown (triple fault)\n");
		return STATUS_OK;
	case LV_EXIT_SYSTEM_EVENT:
		fprintf(stderr, "vcpu-run: guest requested %s\n",
			ex->system_event.type == LV_SYSTEM_EVENT_RESET ? "a reset" : "shutdown");
		return ex->system_event.type == LV_SYSTEM_EVENT_CRASH ? STATUS_FAILURE : STATUS_OK;
	case LV_EXIT_CANCELLED:
		if (*v->timed_out) {
			fprintf(stderr, "vcpu-run: timeout after %g s; stopping the guest\n",
				v->timeout_s);
			return STATUS_TIMEOUT;
		}
		if (*v->interrupted) {
			fprintf(stderr, "vcpu-run: interrupted; stopping the guest\n");
			return STATUS_INTERRUPT;
		}
		return KEEP_RUNNING; /* a stray kick */
	case LV_EXIT_IRQ_WINDOW:
	case LV_EXIT_NMI_WINDOW:
		return KEEP_RUNNING; /* never requested; harmless */
	default:
		return guest_failed(vcpu, ex);
	}
}

/* One vCPU's loop; with more than one, under v->lock from exit to exit. */
static int run_vcpu(struct vmm *v, struct lv_vcpu *vcpu)
{
	uint64_t t_run, t_exit, t_done;
	struct lv_exit *ex;
	int rc, smp = v->locked;

	for (;;) {
		t_run = now_ns();
		rc = lv_vcpu_run(vcpu, &ex);
		t_exit = now_ns();
		if (rc == LV_ERR_INTR)
			continue;
		if (smp)
			pthread_mutex_lock(&v->lock);
		if (__atomic_load_n(&v->stop, __ATOMIC_ACQUIRE)) {
			rc = KEEP_RUNNING; /* another vCPU ended the run */
		} else if (rc != LV_OK) {
			fprintf(stderr, "vcpu-run: lv_vcpu_run failed: %s (%s)\n",
				lv_status_name(rc), lv_strerror(rc));
			rc = STATUS_FAILURE;
		} else {
			if (v->trace)
				trace_exit(vcpu, ++v->exits, ex);
			rc = handle_exit(v, vcpu, ex);
			t_done = now_ns();
			if (ex->reason < LV_EXIT_REASON_COUNT) {
				v->st.count[ex->reason]++;
				v->st.run_ns[ex->reason] += t_exit - t_run;
				v->st.handle_ns[ex->reason] += t_done - t_exit;
			}
			if (rc == KEEP_RUNNING) {
				if (smp)
					pthread_mutex_unlock(&v->lock);
				continue;
			}
		}
		if (smp)
			pthread_mutex_unlock(&v->lock);
		return rc;
	}
}

/* The end of the run: the first status counts; every other vCPU is stopped. */
static void vcpu_done(struct vmm *v, int rc)
{
	unsigned i;

	if (rc != KEEP_RUNNING && !__atomic_exchange_n(&v->stop, 1, __ATOMIC_ACQ_REL))
		v->status = rc;
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

int vmm_run(struct vmm *v)
{
	struct vcpu_thread *t = NULL;
	uint64_t t0 = now_ns();
	unsigned i, started = 1;

	v->status = STATUS_FAILURE;
	v->locked = v->nvcpus > 1 || v->console_input;
	if (v->locked && pthread_mutex_init(&v->lock, NULL)) {
		fprintf(stderr, "vcpu-run: cannot set up the vCPU threads\n");
		return STATUS_FAILURE;
	}
	if (v->nvcpus > 1 && !(t = calloc(v->nvcpus, sizeof(*t)))) {
		fprintf(stderr, "vcpu-run: cannot set up the vCPU threads\n");
		pthread_mutex_destroy(&v->lock);
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
	if (v->locked)
		pthread_mutex_destroy(&v->lock);
	v->st.total_ns = now_ns() - t0;
	fflush(v->uart.out);
	return v->status;
}

/* The addresses that no device emulates, with their access counts. */
static void print_unemulated(FILE *f, const char *what, const struct unemulated *tab)
{
	unsigned i;

	if (!tab[0].count)
		return;
	fprintf(f, "  unemulated %s:", what);
	for (i = 0; i < UNEMULATED_SLOTS && tab[i].count; i++)
		fprintf(f, " %#" PRIx64 " (%" PRIu64 ")", tab[i].addr, tab[i].count);
	fputc('\n', f);
}

void vmm_print_stats(const struct vmm *v, FILE *f)
{
	const struct run_stats *s = &v->st;
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
	if (v->has_testdev)
		fprintf(f, "  pc-testdev: %" PRIu64 ", pci-testdev BARs: %" PRIu64 "\n",
			s->testdev_accesses, s->pci_testdev_accesses);
	fprintf(f, "  pc: i8042 %" PRIu64 ", rtc %" PRIu64 ", pci %" PRIu64 "\n", s->i8042_accesses,
		s->rtc_accesses, s->pci_accesses);
	fprintf(f, "  mmio: ioapic %" PRIu64 ", unassigned %" PRIu64 "\n", s->ioapic_accesses,
		s->unassigned_mmio_accesses);
	print_unemulated(f, "ports", s->ports);
	print_unemulated(f, "mmio pages", s->mmio_pages);
}
