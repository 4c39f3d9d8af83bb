/* SPDX-License-Identifier: MIT */
/*
 * The test kernel's "vmm" mode: the host of vcpu-run -b svm|vmx. vcpu-run
 * loaded the guest on its host and wrote the prepared-guest image
 * (examples/vmm/image.h); it arrives here as the first boot module. This
 * file checks it, puts the guest's RAM after the kernel and the module,
 * and runs the guest through the public API with vcpu-run's own device
 * model and exit handling (examples/vmm/dispatch.c and the device files,
 * compiled into this kernel too). Two channels:
 *
 *   COM1 (the emulator's 16550)   the guest's UART bytes, nothing else
 *   COM2 (input only)             vcpu-run's stdin, for the guest's UART
 *   port 0xE9                     control lines:
 *     LVT VMM MSG <text>          a line for vcpu-run's stderr (messages, --trace)
 *     LVT VMM STAT <kind> <n>...  the --stats numbers (vcpu-run prints the table)
 *     LVT VMM INPUT               COM2 is read from now on: vcpu-run may send stdin
 *     LVT VMM STATUS <n>          the process exit status, last
 *
 * Command line words: "vmm", then "svm" or "vmx" (the backend to open), and
 * "smp" (two), "smp3" or "smp4" for a guest with that many vCPUs: vCPU i
 * runs on CPU i, the APs started by smp.c; their exits take turns through
 * the shared devices.
 */
#include <libvcpu/platform.h>
#include <string.h>

#include "cases.h"
#include "kernel.h"
#include "image.h"
#include "run.h"

void vmm_main(void) __attribute__((noreturn));

extern uint32_t mb_magic, mb_info;
extern char __bss_end[];

#define MB1_MAGIC 0x2badb002u
#define MB2_MAGIC 0x36d76289u
#define COM1	  0x3f8u
#define COM2	  0x2f8u
#define COM2_IRQ  3u
#define MIB	  (1ull << 20)
#define LOW_RAM	  0xa0000ull

static struct vmm v;
static char line[256];
static size_t line_len;

static inline uint8_t inb(uint16_t port)
{
	uint8_t b;

	__asm__ volatile("inb %1, %0" : "=a"(b) : "Nd"(port));
	return b;
}

/* vmm_log() for dispatch.c: whole lines, each as one "LVT VMM MSG" line. */
void vmm_log(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (i = 0; buf[i]; i++) {
		if (buf[i] != '\n' && line_len + 1 < sizeof(line)) {
			line[line_len++] = buf[i];
			continue;
		}
		line[line_len] = 0;
		kprintf("LVT VMM MSG %s\n", line);
		line_len = 0;
	}
}

/* The guest's UART bytes to the emulator's COM1, when its transmitter is empty. */
static void com1_tx(void *ctx, uint8_t b)
{
	unsigned spin = 0;

	(void)ctx;
	while (!(inb(COM1 + 5) & 0x20) && ++spin < 1000000)
		;
	outb(COM1, b);
}

/* COM1 at 115200 baud, 8 data bits (Bochs keeps only the word length's bits of a byte). */
static void com1_init(void)
{
	outb(COM1 + 1, 0x00); /* no interrupts */
	outb(COM1 + 3, 0x80); /* DLAB: the divisor latch */
	outb(COM1 + 0, 0x01);
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8N1 */
	outb(COM1 + 2, 0x07); /* FIFOs on and cleared */
	outb(COM1 + 4, 0x03); /* DTR, RTS */
}

/* ---- the console's input: COM2 --------------------------------------------- */

static struct lv_vcpu *input_vcpu; /* vCPU 0 while the input is on */
static int input_on;		   /* the emulator has a COM2 */
static int input_pending;	   /* COM2 may hold bytes: input_cancelled() looks */
static int input_held = -1;	   /* read from COM2, not yet taken by the guest's UART */

/*
 * COM2, if the emulator has one (its scratch register keeps a value):
 * 115200 baud, 8N1, no FIFO, so that the emulator passes on one byte at a
 * time, no faster than the guest takes them (a byte waits in its receive
 * buffer, and the pseudo-terminal behind it fills); interrupts off until
 * input_start().
 */
static int com2_init(void)
{
	outb(COM2 + 7, 0x5a);
	if (inb(COM2 + 7) != 0x5a)
		return 0;
	outb(COM2 + 1, 0x00);
	outb(COM2 + 3, 0x80);
	outb(COM2 + 0, 0x01);
	outb(COM2 + 1, 0x00);
	outb(COM2 + 3, 0x03);
	outb(COM2 + 2, 0x00); /* FIFOs off */
	outb(COM2 + 4, 0x0b); /* DTR, RTS, OUT2: the interrupt line on (PC wiring) */
	return 1;
}

/*
 * IRQ 3 (COM2 received a byte) or the retry timer, on the boot CPU: vCPU 0's
 * run ends (LV_EXIT_CANCELLED) and its loop moves the bytes (input_cancelled()).
 * No lock here: an exit may hold it on this CPU.
 */
static void input_kick(void)
{
	struct lv_vcpu *vcpu = __atomic_load_n(&input_vcpu, __ATOMIC_ACQUIRE);

	__atomic_store_n(&input_pending, 1, __ATOMIC_RELEASE);
	if (vcpu)
		lv_vcpu_kick(vcpu);
}

static void input_retry(void *arg)
{
	(void)arg;
	input_kick();
}

/*
 * vmm.cancelled, under the exit lock: COM2's bytes to the guest's UART,
 * each raising its interrupt line as on KVM (run.c's vmm_uart_input()).
 * A full receive FIFO keeps the byte; the PIT looks again in 1 ms, as
 * console.c's thread waits on KVM.
 */
static int input_cancelled(struct vmm *vm)
{
	int b;

	if (!__atomic_exchange_n(&input_pending, 0, __ATOMIC_ACQ_REL))
		return KEEP_RUNNING;
	for (;;) {
		b = input_held;
		if (b < 0) {
			if (!(inb(COM2 + 5) & 0x01)) /* LSR: data ready */
				break;
			b = inb(COM2);
		}
		if (!uart_receive(&vm->uart, (uint8_t)b)) {
			input_held = b;
			timer_call_later(1000, input_retry, NULL);
			break;
		}
		input_held = -1;
		vmm_uart_line(vm);
	}
	return KEEP_RUNNING;
}

/* Interrupts from COM2 on (IF = 1 from here: the caller's sti). */
static void input_start(struct lv_vcpu *vcpu)
{
	__atomic_store_n(&input_vcpu, vcpu, __ATOMIC_RELEASE);
	v.cancelled = input_cancelled;
	pic_irq(COM2_IRQ, input_kick);
	outb(COM2 + 1, 0x01); /* received-data interrupt; one now if a byte waits */
	kprintf("LVT VMM INPUT\n");
}

static void input_stop(void)
{
	outb(COM2 + 1, 0x00);
	pic_irq(COM2_IRQ, NULL);
	__atomic_store_n(&input_vcpu, NULL, __ATOMIC_RELEASE);
}

/* ---- time ------------------------------------------------------------ */

static uint64_t tsc_khz;

/* TSC ticks in 10 ms of the PIT's channel 2 (gate on port 0x61, mode 0). */
static void tsc_calibrate(void)
{
	const uint16_t count = 11932; /* 1.193182 MHz * 10 ms */
	uint64_t t0, t1;
	unsigned spin = 0;

	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01)); /* gate on, speaker off */
	outb(0x43, 0xb0);				   /* channel 2, lobyte/hibyte, mode 0 */
	outb(0x42, (uint8_t)count);
	outb(0x42, (uint8_t)(count >> 8));
	t0 = rdtsc();
	while (!(inb(0x61) & 0x20) && ++spin < 100000000)
		;
	t1 = rdtsc();
	tsc_khz = (t1 - t0) / 10;
	if (!tsc_khz)
		tsc_khz = 1;
}

static uint64_t now_ns(void)
{
	return rdtsc() * 1000000 / tsc_khz;
}

static unsigned cmos(uint8_t reg, int binary)
{
	uint8_t b;

	outb(0x70, reg);
	b = inb(0x71);
	return binary ? b : (unsigned)(b >> 4) * 10 + (b & 0x0f);
}

/* Days from 1970-01-01 to @p y-@p m-@p d (proleptic Gregorian, 400-year eras). */
static uint64_t days_since_epoch(unsigned y, unsigned m, unsigned d)
{
	uint64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The CMOS clock for the guest's: the emulator's own (its host's time, UTC). */
static uint64_t cmos_clock(void)
{
	unsigned spin = 0;
	int bin;

	while ((cmos(0x0a, 1) & 0x80) && ++spin < 1000000)
		; /* an update is in progress */
	bin = (cmos(0x0b, 1) & 0x04) != 0;
	return days_since_epoch(cmos(0x32, bin) * 100 + cmos(0x09, bin), cmos(0x08, bin),
				cmos(0x07, bin)) *
		       86400 +
	       cmos(0x04, bin) * 3600ull + cmos(0x02, bin) * 60ull + cmos(0x00, bin);
}

/* ---- the boot module -------------------------------------------------- */

struct bootinfo {
	uint64_t mod_start, mod_end; /* the first module */
	uint64_t ram_end;	     /* end of the RAM from 1 MiB on */
};

/* The first module and the upper memory size (Multiboot 1 flags 0/3; Multiboot 2 tags 3/4). */
static int read_bootinfo(struct bootinfo *bi)
{
	bi->mod_start = bi->mod_end = bi->ram_end = 0;
	if (mb_magic == MB1_MAGIC) {
		const uint32_t *info = (const uint32_t *)(uintptr_t)mb_info;

		if (info[0] & 1u)
			bi->ram_end = MIB + (uint64_t)info[2] * 1024;
		if ((info[0] & (1u << 3)) && info[5]) {
			const uint32_t *mod = (const uint32_t *)(uintptr_t)info[6];

			bi->mod_start = mod[0];
			bi->mod_end = mod[1];
		}
	} else if (mb_magic == MB2_MAGIC) {
		const uint8_t *p = (const uint8_t *)(uintptr_t)mb_info + 8;
		const uint8_t *end = p + *(const uint32_t *)(uintptr_t)mb_info - 8;

		while (p < end) {
			const uint32_t *tag = (const uint32_t *)p;

			if (tag[0] == 0)
				break;
			if (tag[0] == 3 && !bi->mod_end) {
				bi->mod_start = tag[2];
				bi->mod_end = tag[3];
			} else if (tag[0] == 4) {
				bi->ram_end = MIB + (uint64_t)tag[3] * 1024;
			}
			p += (tag[1] + 7) & ~7u;
		}
	}
	return bi->mod_end > bi->mod_start && bi->ram_end ? 0 : -1;
}

/* ---- the run ---------------------------------------------------------- */

static int ram_fresh;

static void zero(uint8_t *p, uint64_t n)
{
	uint64_t q = n / 8, r = n % 8;

	if (ram_fresh)
		return;
	__asm__ volatile("rep stosq" : "+D"(p), "+c"(q) : "a"(0ull) : "memory");
	while (r--)
		*p++ = 0;
}

/*
 * Guest RAM at @p ram: zeros, the image's ranges over them (the legacy hole
 * left alone). Under QEMU -kernel (Multiboot 1) the RAM above the kernel
 * and the module has not been written since power-on, when it was zero:
 * QEMU's loader writes only the kernel, the module and the boot
 * information below it, SeaBIOS only its own areas at the top of RAM,
 * which lie above the guest's (ring0.c gives 96 MiB more than needed).
 * After GRUB (Multiboot 2, Bochs) anything may have been written there.
 */
static void fill_ram(uint8_t *ram, const struct vmm_image *img)
{
	uint64_t cursor = 0, gpa, len, pos = 0, size = img->hdr.ram_size;
	uint64_t hole_end = vmm_image_hole_end(img->hdr.flags);
	const uint8_t *data;

	while (vmm_image_next(img, &cursor, &gpa, &len, &data)) {
		if (pos < LOW_RAM && gpa >= LOW_RAM) {
			zero(ram + pos, LOW_RAM - pos);
			pos = hole_end;
		}
		if (gpa > pos)
			zero(ram + pos, gpa - pos);
		memcpy(ram + gpa, data, len);
		pos = gpa + len;
	}
	if (pos < LOW_RAM) {
		zero(ram + pos, LOW_RAM - pos);
		pos = hole_end;
	}
	if (pos < size)
		zero(ram + pos, size - pos);
}

/*
 * pc-testdev's page flush: QEMU takes the host page's access away and gives
 * it back, so that KVM drops its translation; here the page loses its write
 * permission for a moment, which flushes the backend's nested translation.
 */
static void flush_page(struct vmm *vm, uint64_t gpa)
{
	uint64_t page = gpa & ~0xfffull;

	if (!vmm_image_is_ram(vm->ram_size, vm->has_acpi ? VMM_IMAGE_ACPI : 0, page, 4096))
		return;
	lv_vm_protect(vm->vm, page, 4096, LV_PROT_READ | LV_PROT_EXEC);
	lv_vm_protect(vm->vm, page, 4096, LV_PROT_ALL);
}

static void send_stats(void)
{
	const struct run_stats *s = &v.st;
	unsigned r, i;

	for (r = 0; r < LV_EXIT_REASON_COUNT; r++)
		if (s->count[r])
			kprintf("LVT VMM STAT exit %u %lu %lu %lu\n", r, (unsigned long)s->count[r],
				(unsigned long)s->run_ns[r], (unsigned long)s->handle_ns[r]);
	kprintf("LVT VMM STAT dev %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu\n",
		(unsigned long)s->uart_accesses, (unsigned long)s->debug_exit_writes,
		(unsigned long)s->fw_cfg_accesses, (unsigned long)s->testdev_accesses,
		(unsigned long)s->other_port_accesses, (unsigned long)s->ioapic_accesses,
		(unsigned long)s->unassigned_mmio_accesses, (unsigned long)s->i8042_accesses,
		(unsigned long)s->rtc_accesses, (unsigned long)s->pci_accesses);
	for (i = 0; i < UNEMULATED_SLOTS; i++) {
		if (s->ports[i].count)
			kprintf("LVT VMM STAT port %lu %lu\n", (unsigned long)s->ports[i].addr,
				(unsigned long)s->ports[i].count);
		if (s->mmio_pages[i].count)
			kprintf("LVT VMM STAT mmio %lu %lu\n", (unsigned long)s->mmio_pages[i].addr,
				(unsigned long)s->mmio_pages[i].count);
	}
	kprintf("LVT VMM STAT total %lu\n", (unsigned long)s->total_ns);
}

static int fail(const char *what, int rc)
{
	vmm_log("vcpu-run: %s: %s (%s)\n", what, lv_status_name(rc), lv_strerror(rc));
	return STATUS_FAILURE;
}

/* ---- the vCPUs: vCPU i on CPU i (smp.c starts the APs) -------------------- */

#define MAX_VCPUS 4u /* smp.c's SMP_MAX */

static struct lv_vcpu *vcpus[MAX_VCPUS];
static int exit_lock; /* the devices and the statistics: one vCPU's exit at a time */

/* With several vCPUs (vmm_run_vcpu()); interrupts as they are: the kick IPI's handler takes no lock. */
static void spin_lock(struct vmm *vm)
{
	(void)vm;
	while (__atomic_exchange_n(&exit_lock, 1, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause");
}

static void spin_unlock(struct vmm *vm)
{
	(void)vm;
	__atomic_store_n(&exit_lock, 0, __ATOMIC_RELEASE);
}

static struct lv_backend *ap_backend;
static int ap_rc[MAX_VCPUS];

/*
 * The backend on or off on AP @p i: one AP at a time (the test kernel's
 * allocator has no lock), before the vCPUs start and after they end.
 */
static void ap_enable(void *arg, unsigned i)
{
	(void)arg;
	ap_rc[i] = lv_cpu_enable(ap_backend);
}

static void ap_disable(void *arg, unsigned i)
{
	(void)arg;
	(void)i;
	lv_cpu_disable(ap_backend);
}

/* An AP's job: run vCPU @p i. */
static void ap_run(void *arg, unsigned i)
{
	(void)arg;
	vmm_vcpu_done(&v, vmm_run_vcpu(&v, vcpus[i]));
}

/* Enable the backend on CPUs 1 .. @p n - 1; returns 0, or STATUS_FAILURE (all off again). */
static int aps_enable(unsigned n)
{
	unsigned i, j;

	for (i = 1; i < n; i++) {
		smp_run_on_ap(ap_enable, NULL, i);
		smp_wait_ap();
		if (ap_rc[i]) {
			vmm_log("vcpu-run: enabling the backend on CPU %u: %s (%s)\n", i,
				lv_status_name(ap_rc[i]), lv_strerror(ap_rc[i]));
			for (j = 1; j < i; j++) {
				smp_run_on_ap(ap_disable, NULL, j);
				smp_wait_ap();
			}
			return STATUS_FAILURE;
		}
	}
	return 0;
}

/* Run the guest of @p img in @p ram on backend @p b; returns the exit status. */
static int run_image(struct lv_backend *b, const struct vmm_image *img, uint8_t *ram)
{
	const struct vmm_image_header *h = &img->hdr;
	struct lv_vm_config cfg = { h->ncpus, (h->flags & VMM_IMAGE_IRQCHIP ? LV_VM_IRQCHIP : 0) |
						      (h->flags & VMM_IMAGE_PIT ? LV_VM_PIT : 0) };
	struct lv_vm *vm = NULL;
	struct lv_state st;
	uint64_t t0;
	unsigned i, nvcpus = 0;
	int rc;

	v.status = STATUS_FAILURE;
	if (h->ncpus > smp_cpus()) {
		vmm_log("vcpu-run: %u vCPUs need as many CPUs; the ring-0 test kernel has %u\n",
			h->ncpus, smp_cpus());
		return STATUS_FAILURE;
	}
	ram_fresh = mb_magic == MB1_MAGIC;
	fill_ram(ram, img);
	if ((rc = lv_vm_create(b, &cfg, &vm))) {
		if (rc == LV_ERR_NOTSUP && cfg.flags)
			vmm_log("vcpu-run: %s needs an interrupt controller, which the %s "
				"backend does not offer (LV_FEAT_IRQCHIP)\n",
				h->flags & VMM_IMAGE_PIT ? "a Linux kernel" : "--irqchip",
				cmdline_has("vmx") ? "vmx" : "svm");
		else
			fail("creating the VM", rc);
		return STATUS_FAILURE;
	}
	if ((rc = lv_vm_map(vm, ram, 0, LOW_RAM, LV_PROT_ALL)) ||
	    (rc = lv_vm_map(vm, ram + MIB, MIB, h->ram_size - MIB, LV_PROT_ALL))) {
		fail("mapping guest RAM", rc);
		goto out;
	}
	/* A Linux guest's ROM area, its ACPI and MP tables (image.h), as on KVM (main.c). */
	if ((h->flags & VMM_IMAGE_ACPI) &&
	    (rc = lv_vm_map(vm, ram + vmm_image_hole_end(h->flags), vmm_image_hole_end(h->flags),
			    MIB - vmm_image_hole_end(h->flags), LV_PROT_ALL))) {
		fail("mapping the ROM area", rc);
		goto out;
	}
	/* vCPU 0 boots the guest; the others wait for its INIT/SIPI (the irqchip's MP state). */
	for (nvcpus = 0; nvcpus < h->ncpus; nvcpus++)
		if ((rc = lv_vcpu_create(vm, nvcpus, &vcpus[nvcpus]))) {
			vmm_log("vcpu-run: creating vCPU %u: %s (%s)\n", nvcpus, lv_status_name(rc),
				lv_strerror(rc));
			goto out;
		}
	memset(&st, 0, sizeof(st));
	rc = lv_vcpu_get_state(vcpus[0], LV_STATE_GPRS | LV_STATE_SEGMENTS | LV_STATE_CONTROL, &st);
	st.regs = h->regs;
	st.segs = h->segs;
	st.ctrl.cr0 = h->cr0;
	st.ctrl.cr3 = h->cr3;
	st.ctrl.cr4 = h->cr4;
	st.ctrl.efer = h->efer;
	if (rc || (rc = lv_vcpu_set_state(
			   vcpus[0], LV_STATE_GPRS | LV_STATE_SEGMENTS | LV_STATE_CONTROL, &st))) {
		fail("setting the entry state", rc);
		goto out;
	}
	v.vcpus = vcpus;
	v.nvcpus = nvcpus;
	v.vm = vm;
	v.ram = ram;
	v.ram_size = h->ram_size;
	v.has_testdev = !!(h->flags & VMM_IMAGE_TESTDEV);
	v.trace = !!(h->flags & VMM_IMAGE_TRACE);
	v.stats = !!(h->flags & VMM_IMAGE_STATS);
	uart_init(&v.uart, com1_tx, NULL);
	fw_cfg_init(&v.fw_cfg, h->ram_size, (uint16_t)h->ncpus);
	i8042_init(&v.i8042);
	rtc_init(&v.rtc, cmos_clock);
	ioapic_init(&v.ioapic);
	acpi_pm_init(&v.pm);
	v.has_acpi = !!(h->flags & VMM_IMAGE_ACPI);
	if (v.has_testdev) { /* pci-testdev too, as vcpu-run --testdev on KVM */
		pci_testdev_init(&v.pci_testdev);
		v.pci.testdev = &v.pci_testdev;
	}
	v.now_ns = now_ns;
	v.flush_page = flush_page;
	t0 = now_ns();
	if (nvcpus > 1) {
		ap_backend = b;
		if (aps_enable(nvcpus))
			goto out;
		v.lock = spin_lock;
		v.unlock = spin_unlock;
	}
	/*
	 * Interrupts on: a kick or a wake-up IPI from another CPU, COM2's
	 * input, must be taken (smp.c's handler only acknowledges the IPI),
	 * or it would stay pending and end every VMRUN at once.
	 */
	if (nvcpus > 1 || input_on)
		__asm__ volatile("sti");
	if (input_on)
		input_start(vcpus[0]);
	for (i = 1; i < nvcpus; i++)
		smp_run_on_ap(ap_run, NULL, i);
	vmm_vcpu_done(&v, vmm_run_vcpu(&v, vcpus[0]));
	if (nvcpus > 1)
		smp_wait_ap();
	if (input_on)
		input_stop();
	__asm__ volatile("cli");
	for (i = 1; i < nvcpus; i++) {
		smp_run_on_ap(ap_disable, NULL, i);
		smp_wait_ap();
	}
	v.st.total_ns = now_ns() - t0;
	if (v.stats)
		send_stats();
out:
	for (i = 0; i < nvcpus; i++)
		lv_vcpu_destroy(vcpus[i]);
	lv_vm_destroy(vm);
	return v.status;
}

static void finish(int status) __attribute__((noreturn));
static void finish(int status)
{
	kprintf("LVT VMM STATUS %d\n", status);
	kexit(0);
}

void vmm_main(void)
{
	uint32_t kind = cmdline_has("vmx") ? LV_BACKEND_VMX : LV_BACKEND_SVM;
	uint64_t ram_at, ram_end;
	struct lv_backend *b = NULL;
	struct vmm_image img;
	struct bootinfo bi;
	const char *why;
	int rc, status;

	com1_init();
	input_on = com2_init();
	tsc_calibrate();
	smp_init(); /* the APs, for -smp 2-4 (command line word "smp", "smp3", "smp4") */
	if (read_bootinfo(&bi)) {
		vmm_log("vcpu-run: the ring-0 test kernel got no guest image (boot module)\n");
		finish(STATUS_FAILURE);
	}
	why = vmm_image_check((const void *)(uintptr_t)bi.mod_start, bi.mod_end - bi.mod_start,
			      &img);
	if (why) {
		vmm_log("vcpu-run: bad guest image: %s\n", why);
		finish(STATUS_FAILURE);
	}
	/* Guest RAM: 2 MiB aligned after the kernel and the module. */
	ram_at = (uint64_t)(uintptr_t)__bss_end;
	if (bi.mod_end > ram_at)
		ram_at = bi.mod_end;
	ram_at = (ram_at + 2 * MIB - 1) & ~(2 * MIB - 1);
	ram_end = ram_at + img.hdr.ram_size;
	if (ram_end > bi.ram_end || ram_end > (4ull << 30)) {
		vmm_log("vcpu-run: %lu MiB of guest RAM do not fit in the emulator's memory "
			"(%lu MiB)\n",
			(unsigned long)(img.hdr.ram_size >> 20), (unsigned long)(bi.ram_end >> 20));
		finish(STATUS_FAILURE);
	}
	rc = lv_backend_open(kind, &b);
	if (rc) {
		vmm_log("vcpu-run: backend '%s' is not usable in this emulator: %s (%s)\n",
			lv_backend_kind_name(kind), lv_status_name(rc), lv_strerror(rc));
		finish(STATUS_FAILURE);
	}
	rc = lv_cpu_enable(b);
	if (rc) {
		fail("enabling the backend on this CPU", rc);
		lv_backend_close(b);
		finish(STATUS_FAILURE);
	}
	status = run_image(b, &img, (uint8_t *)(uintptr_t)ram_at);
	lv_cpu_disable(b);
	lv_backend_close(b);
	finish(status);
}
