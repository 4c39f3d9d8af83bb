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
 *   port 0xE9                     control lines:
 *     LVT VMM MSG <text>          a line for vcpu-run's stderr (messages, --trace)
 *     LVT VMM STAT <kind> <n>...  the --stats numbers (vcpu-run prints the table)
 *     LVT VMM STATUS <n>          the process exit status, last
 *
 * Command line words: "vmm", then "svm" or "vmx" (the backend to open).
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
	const uint8_t *data;

	while (vmm_image_next(img, &cursor, &gpa, &len, &data)) {
		if (pos < LOW_RAM && gpa >= LOW_RAM) {
			zero(ram + pos, LOW_RAM - pos);
			pos = MIB;
		}
		if (gpa > pos)
			zero(ram + pos, gpa - pos);
		memcpy(ram + gpa, data, len);
		pos = gpa + len;
	}
	if (pos < LOW_RAM) {
		zero(ram + pos, LOW_RAM - pos);
		pos = MIB;
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

	if (!vmm_image_is_ram(vm->ram_size, page, 4096))
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

/* Run the guest of @p img in @p ram on backend @p b; returns the exit status. */
static int run_image(struct lv_backend *b, const struct vmm_image *img, uint8_t *ram)
{
	const struct vmm_image_header *h = &img->hdr;
	struct lv_vm_config cfg = { h->ncpus, h->flags & VMM_IMAGE_IRQCHIP ? LV_VM_IRQCHIP : 0 };
	struct lv_vcpu *vcpu = NULL;
	struct lv_vm *vm = NULL;
	struct lv_exit *ex;
	struct lv_state st;
	uint64_t t0, t_run, t_exit;
	int rc, status = STATUS_FAILURE;

	if (h->ncpus != 1) {
		vmm_log("vcpu-run: the ring-0 test kernel runs one vCPU, not %u\n", h->ncpus);
		return STATUS_FAILURE;
	}
	ram_fresh = mb_magic == MB1_MAGIC;
	fill_ram(ram, img);
	if ((rc = lv_vm_create(b, &cfg, &vm))) {
		if (rc == LV_ERR_NOTSUP && cfg.flags)
			vmm_log("vcpu-run: --irqchip needs an interrupt controller, which the %s "
				"backend does not offer (LV_FEAT_IRQCHIP)\n",
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
	if ((rc = lv_vcpu_create(vm, 0, &vcpu))) {
		fail("creating vCPU 0", rc);
		goto out;
	}
	memset(&st, 0, sizeof(st));
	rc = lv_vcpu_get_state(vcpu, LV_STATE_GPRS | LV_STATE_SEGMENTS | LV_STATE_CONTROL, &st);
	st.regs = h->regs;
	st.segs = h->segs;
	st.ctrl.cr0 = h->cr0;
	st.ctrl.cr3 = h->cr3;
	st.ctrl.cr4 = h->cr4;
	st.ctrl.efer = h->efer;
	if (rc || (rc = lv_vcpu_set_state(
			   vcpu, LV_STATE_GPRS | LV_STATE_SEGMENTS | LV_STATE_CONTROL, &st))) {
		fail("setting the entry state", rc);
		goto out;
	}
	v.vcpus = &vcpu;
	v.nvcpus = 1;
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
	if (v.has_testdev) { /* pci-testdev too, as vcpu-run --testdev on KVM */
		pci_testdev_init(&v.pci_testdev);
		v.pci.testdev = &v.pci_testdev;
	}
	v.now_ns = now_ns;
	v.flush_page = flush_page;
	t0 = now_ns();
	for (;;) {
		t_run = now_ns();
		rc = lv_vcpu_run(vcpu, &ex);
		t_exit = now_ns();
		if (rc == LV_ERR_INTR)
			continue;
		status = vmm_exit(&v, vcpu, rc, ex, t_run, t_exit);
		if (status != KEEP_RUNNING)
			break;
		status = STATUS_FAILURE;
	}
	v.st.total_ns = now_ns() - t0;
	if (v.stats)
		send_stats();
out:
	if (vcpu)
		lv_vcpu_destroy(vcpu);
	lv_vm_destroy(vm);
	return status;
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
	tsc_calibrate();
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
