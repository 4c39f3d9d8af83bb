/* SPDX-License-Identifier: MIT */
/*
 * vcpu-run: a toy VMM on the libvcpu API. It boots a Multiboot v1 or PVH
 * ELF kernel, or a Linux bzImage, the way `qemu-system-x86_64 -kernel`
 * does, with a 16550 UART at 0x3f8 (output to stdout, input from stdin),
 * QEMU's isa-debug-exit at 0xf4, an I/O APIC register file at 0xfec00000,
 * and for Linux the PC parts it needs (KVM's PICs, IOAPIC and PIT, an 8042
 * reset line, the CMOS clock, empty PCI, an MP table, ACPI tables and the
 * PM registers for power-off). See
 * docs/writing-a-vmm.md.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>

#include <libvcpu/libvcpu.h>

#include "image.h"
#include "run.h"
#include "vmm.h"

struct options {
	uint64_t mem_bytes;
	unsigned smp;
	int irqchip, testdev;
	uint32_t backend;
	const char *append, *initrd, *kernel;
	const char *emulator; /* -b svm|vmx: qemu or bochs */
	double timeout_s;
	int trace, stats;
};

static volatile sig_atomic_t timed_out, interrupted;
#define MAX_SMP 64u

static struct lv_vcpu *volatile running_vcpus[MAX_SMP];

/* lv_vcpu_kick() is safe to call from a signal handler. */
static void on_signal(int sig)
{
	if (sig == SIGALRM)
		timed_out = 1;
	else
		interrupted = 1;
	unsigned i;

	for (i = 0; i < MAX_SMP; i++)
		if (running_vcpus[i])
			lv_vcpu_kick(running_vcpus[i]);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vcpu-run [options] KERNEL\n"
		   "Boot a Multiboot v1 or PVH ELF kernel, or a Linux bzImage, like\n"
		   "qemu-system-x86_64 -kernel. The guest's serial console is stdin/stdout.\n"
		   "  -m, --memory SIZE     guest RAM, MiB or with suffix M/G (default 128M)\n"
		   "  -b, --backend NAME    any, kvm, svm or vmx (default any); svm and vmx run\n"
		   "                        the guest in the ring-0 test kernel under an\n"
		   "                        emulator (svm: QEMU TCG, vmx: Bochs)\n"
		   "      --emulator NAME   qemu or bochs: the emulator for -b svm\n"
		   "  -a, --append TEXT     kernel command line (QEMU -append)\n"
		   "  -i, --initrd LIST     modules \"file args,file2\" (QEMU -initrd); for\n"
		   "                        Linux one file, the initrd\n"
		   "  -t, --timeout SECS    stop the guest after SECS seconds (status 124)\n"
		   "  -s, --smp N           N vCPUs (also -smp N; default 1): a local APIC each\n"
		   "                        and an IOAPIC in the backend, APs started by the\n"
		   "                        guest with INIT/SIPI, one thread per vCPU\n"
		   "                        (-b svm|vmx: one emulated CPU each, at most 4)\n"
		   "      --irqchip         the APIC and IOAPIC with one vCPU too\n"
		   "      --testdev         QEMU's pc-testdev and pci-testdev (kvm-unit-tests)\n"
		   "      --trace           one line per VM exit on stderr\n"
		   "      --stats           exit counts and times on stderr at the end\n"
		   "  -h, --help            this text\n"
		   "Exit status: the guest's isa-debug-exit value (v << 1) | 1; 0 after a\n"
		   "shutdown, ACPI power-off, triple fault, reset (Linux reboot) or final HLT;\n"
		   "2 usage or load error; 4 backend or guest failure; 124 timeout; 127 the\n"
		   "emulator for -b svm|vmx is not installed; 130 interrupted (Ctrl-C).\n");
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	if (end == s || v > (MAX_RAM_BYTES >> 20))
		return -1;
	if (*end == 'G' || *end == 'g')
		v <<= 30, end++;
	else if (*end == 'M' || *end == 'm' || *end == 0)
		v <<= 20, end += *end != 0;
	else
		return -1;
	if (*end || v < (4ull << 20) || v > MAX_RAM_BYTES || (v & 0xfffff))
		return -1;
	*out = v;
	return 0;
}

static int parse_backend(const char *s, uint32_t *out)
{
	static const struct {
		const char *name;
		uint32_t kind;
	} names[] = { { "any", LV_BACKEND_ANY },
		      { "kvm", LV_BACKEND_KVM },
		      { "svm", LV_BACKEND_SVM },
		      { "vmx", LV_BACKEND_VMX } };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name)) {
			*out = names[i].kind;
			return 0;
		}
	return -1;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "memory", required_argument, NULL, 'm' },
		{ "backend", required_argument, NULL, 'b' },
		{ "append", required_argument, NULL, 'a' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 't' },
		{ "smp", required_argument, NULL, 's' },
		{ "irqchip", no_argument, NULL, 'I' },
		{ "testdev", no_argument, NULL, 'D' },
		{ "trace", no_argument, NULL, 'T' },
		{ "stats", no_argument, NULL, 'S' },
		{ "emulator", required_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	*o = (struct options){ .mem_bytes = 128ull << 20, .backend = LV_BACKEND_ANY, .smp = 1 };
	for (c = 1; c < argc && strcmp(argv[c], "--"); c++)
		if (!strcmp(argv[c], "-smp")) /* QEMU's spelling */
			argv[c] = (char *)"--smp";
	while ((c = getopt_long(argc, argv, "m:b:a:i:t:s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (parse_size(optarg, &o->mem_bytes)) {
				vmm_error("bad memory size '%s' (4M to 3G, whole MiB)", optarg);
				return -1;
			}
			break;
		case 'b':
			if (parse_backend(optarg, &o->backend)) {
				vmm_error("unknown backend '%s' (any, kvm, svm, vmx)", optarg);
				return -1;
			}
			break;
		case 'a':
			o->append = optarg;
			break;
		case 'i':
			o->initrd = optarg;
			break;
		case 't':
			o->timeout_s = strtod(optarg, &end);
			if (end == optarg || *end || !(o->timeout_s > 0) || o->timeout_s > 1e6) {
				vmm_error("bad timeout '%s' (seconds > 0)", optarg);
				return -1;
			}
			break;
		case 's': {
			unsigned long n = strtoul(optarg, &end, 10);

			if (end == optarg || *end || n < 1 || n > MAX_SMP) {
				vmm_error("bad -smp '%s' (1 to %u)", optarg, MAX_SMP);
				return -1;
			}
			o->smp = (unsigned)n;
			break;
		}
		case 'E':
			if (strcmp(optarg, "qemu") && strcmp(optarg, "bochs")) {
				vmm_error("unknown emulator '%s' (qemu, bochs)", optarg);
				return -1;
			}
			o->emulator = optarg;
			break;
		case 'I':
			o->irqchip = 1;
			break;
		case 'D':
			o->testdev = 1;
			break;
		case 'T':
			o->trace = 1;
			break;
		case 'S':
			o->stats = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return -1;
	}
	if (o->emulator && o->backend != LV_BACKEND_SVM && o->backend != LV_BACKEND_VMX) {
		vmm_error("--emulator goes with -b svm or -b vmx");
		return -1;
	}
	if (o->emulator && o->backend == LV_BACKEND_VMX && !strcmp(o->emulator, "qemu")) {
		vmm_error("-b vmx runs on Bochs: QEMU TCG has no VMX");
		return -1;
	}
	o->kernel = argv[optind];
	return 0;
}

/* Split "file args,file2" into modules; each module's data is its file. */
static int load_modules(const char *list, struct boot_request *req)
{
	char *copy, *item, *save = NULL;
	size_t n = 1;
	const char *p;

	for (p = list; *p; p++)
		n += *p == ',';
	req->mods = calloc(n, sizeof(*req->mods));
	copy = strdup(list);
	if (!req->mods || !copy) {
		free(copy);
		vmm_error("out of memory");
		return -1;
	}
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		struct boot_module *mod = &req->mods[req->nmods];
		struct file_buf fb;
		char *path;

		mod->cmdline = strdup(item);
		path = strdup(item);
		if (!mod->cmdline || !path) {
			free(path);
			free(copy);
			vmm_error("out of memory");
			return -1;
		}
		req->nmods++;
		path[strcspn(path, " ")] = 0;
		if (read_file(path, &fb)) {
			free(path);
			free(copy);
			return -1;
		}
		free(path);
		mod->data = fb.data;
		mod->size = fb.size;
	}
	free(copy);
	return 0;
}

static void free_modules(struct boot_request *req)
{
	size_t i;

	for (i = 0; i < req->nmods; i++) {
		free(req->mods[i].cmdline);
		free(req->mods[i].data);
	}
	free(req->mods);
}

/* A flat GDT (null, code 0x08, data 0x10, 32-bit TSS 0x18) for the entry state. */
static void write_gdt(struct guest_mem *m)
{
	static const uint64_t gdt[4] = { 0, 0x00cf9a000000ffffull, 0x00cf92000000ffffull,
					 0x00008b0000000067ull };

	memcpy(m->ram + BOOT_GDT_ADDR, gdt, sizeof(gdt));
}

/*
 * The GDT of Linux's boot protocol (boot.rst): flat __BOOT_CS 0x10 (64-bit
 * code, or 32-bit for the 32-bit entry) and __BOOT_DS 0x18, and a TSS at
 * 0x20 (16 bytes: a 64-bit one's descriptor is two entries).
 */
#define LINUX_GDT_ENTRIES 6
static void write_linux_gdt(struct guest_mem *m, int linux64)
{
	uint64_t gdt[LINUX_GDT_ENTRIES] = {
		0, 0, 0x00af9b000000ffffull, 0x00cf93000000ffffull, 0x00008b0000000067ull, 0
	};

	if (!linux64)
		gdt[2] = 0x00cf9b000000ffffull; /* D = 1, L = 0 */
	memcpy(m->ram + BOOT_GDT_ADDR, gdt, sizeof(gdt));
}

/*
 * 64-bit mode with the loader's page tables, or 32-bit protected mode
 * without paging (EBP, EDI, EBX zero), CS/DS as write_linux_gdt() describes.
 */
static void linux_entry_state(struct lv_state *st, const struct boot_entry *e)
{
	if (e->linux64)
		lv_state_init_long64(st, e->cr3);
	else
		lv_state_init_protected32(st);
	st->segs.cs.selector = 0x10;
	st->segs.ds.selector = 0x18;
	st->segs.es = st->segs.ss = st->segs.fs = st->segs.gs = st->segs.ds;
	st->segs.tr.selector = 0x20;
	st->segs.gdt.limit = LINUX_GDT_ENTRIES * 8 - 1;
	st->regs.rip = e->entry64;
	st->regs.rsi = e->rsi;
}

/* The CMOS clock's time: the host's. */
static uint64_t wall_clock(void)
{
	return (uint64_t)time(NULL);
}

/*
 * The boot CPU's entry state on top of @p st: every register of GPRS and
 * SEGMENTS, and CR0, CR3, CR4, EFER (the rest of CONTROL is left as it is).
 */
void entry_state(struct lv_state *st, const struct boot_entry *e)
{
	memset(&st->regs, 0, sizeof(st->regs));
	st->segs.gdt.base = BOOT_GDT_ADDR;
	st->segs.idt.base = 0;
	st->segs.idt.limit = 0;
	if (e->protocol == BOOT_LINUX) {
		linux_entry_state(st, e);
	} else {
		lv_state_init_protected32(st);
		st->segs.gdt.limit = 4 * 8 - 1;
		st->regs.rip = e->eip;
		st->regs.rax = e->eax;
		st->regs.rbx = e->ebx;
	}
	st->regs.rflags = 0x2; /* IF = 0 */
	st->regs.rsp = BOOT_STACK_TOP;
}

static int setup_vcpu(struct lv_vcpu *vcpu, const struct boot_entry *e)
{
	struct lv_state st;
	int rc;

	memset(&st, 0, sizeof(st));
	rc = lv_vcpu_get_state(vcpu, LV_STATE_GPRS | LV_STATE_SEGMENTS | LV_STATE_CONTROL, &st);
	if (rc)
		return rc;
	entry_state(&st, e);
	return lv_vcpu_set_state(vcpu, LV_STATE_GPRS | LV_STATE_SEGMENTS | LV_STATE_CONTROL, &st);
}

/* A Linux kernel (a bzImage, or a vmlinux booted by PVH) gets a PC's interrupt controllers. */
static int is_linux(const struct boot_entry *e)
{
	return e->protocol == BOOT_LINUX || e->linux_pvh;
}

static const char *protocol_name(int protocol)
{
	return protocol == BOOT_LINUX ? "Linux bzImage"
	       : protocol == BOOT_PVH ? "PVH"
				      : "Multiboot";
}

static int fail(const char *what, int rc)
{
	vmm_error("%s: %s (%s)", what, lv_status_name(rc), lv_strerror(rc));
	return STATUS_FAILURE;
}

/*
 * The interrupt controller: Linux needs a PC's (the APICs, the PICs and the
 * PIT); -smp and --irqchip ask for the APICs.
 */
static uint32_t vm_flags(const struct options *o, const struct boot_entry *e)
{
	if (is_linux(e))
		return LV_VM_IRQCHIP | LV_VM_PIT;
	return o->smp > 1 || o->irqchip ? LV_VM_IRQCHIP : 0;
}

/*
 * A Multiboot kernel under QEMU finds the PICs as SeaBIOS left them; here
 * pic_boot.c's code programs them first, on every backend's irqchip (each
 * has the PICs, libvcpu.h). Linux programs its PICs itself, and PVH has
 * no BIOS. @return the entry to start at.
 */
static struct boot_entry pic_boot(struct guest_mem *m, const struct boot_entry *e, uint32_t flags)
{
	struct boot_entry boot = *e;

	if (e->protocol == BOOT_MULTIBOOT && (flags & LV_VM_IRQCHIP))
		boot.eip = pic_boot_write(m, e->eip, e->eax);
	return boot;
}

/* Open the backend, build the VM and run it; returns the exit status. */
static int run_guest(const struct options *o, struct guest_mem *m, const struct boot_entry *e)
{
	struct lv_backend *b = NULL;
	struct lv_open_info why;
	struct lv_vm_config cfg = { o->smp, vm_flags(o, e) };
	struct lv_vcpu *vcpus[MAX_SMP] = { NULL };
	struct lv_vm *vm = NULL;
	struct vmm_host h = { &timed_out, &interrupted, o->timeout_s };
	struct boot_entry boot;
	struct lv_caps caps;
	struct sigaction sa;
	struct vmm v;
	unsigned i;
	int rc, status;

	rc = lv_backend_open_ex(o->backend, &b, &why);
	if (rc) {
		vmm_error("backend '%s' is not usable here: %s (%s)%s%s",
			  lv_backend_kind_name(why.kind), why.what, lv_status_name(rc),
			  why.hint[0] ? "; to fix: " : "", why.hint);
		return STATUS_FAILURE;
	}
	status = STATUS_FAILURE;
	if ((rc = lv_vm_create(b, &cfg, &vm))) {
		lv_backend_caps(b, &caps);
		if (rc == LV_ERR_NOTSUP && cfg.flags)
			vmm_error("%s needs an interrupt controller, which the %s backend does "
				  "not offer (LV_FEAT_IRQCHIP)",
				  is_linux(e)  ? "a Linux kernel"
				  : o->smp > 1 ? "-smp"
					       : "--irqchip",
				  lv_backend_kind_name(caps.kind));
		else if (rc == LV_ERR_LIMIT)
			vmm_error("-smp %u: the backend allows fewer vCPUs per VM", o->smp);
		else
			fail("creating the VM", rc);
		goto out;
	}
	/* RAM below the legacy hole and from 1 MiB up; the rest is MMIO. */
	if ((rc = lv_vm_map(vm, m->ram, 0, LEGACY_HOLE_START, LV_PROT_ALL)) ||
	    (rc = lv_vm_map(vm, m->ram + LEGACY_HOLE_END, LEGACY_HOLE_END,
			    m->size - LEGACY_HOLE_END, LV_PROT_ALL))) {
		fail("mapping guest RAM", rc);
		goto out;
	}
	/*
	 * Linux scans 0xc0000-0xfffff, the option ROMs and the BIOS, for ROM
	 * signatures and ACPI, MP and DMI tables: zeroed memory there (nothing
	 * found but the MP table) saves it an MMIO exit for each read.
	 */
	if (is_linux(e) && (rc = lv_vm_map(vm, m->ram + ROM_AREA_START, ROM_AREA_START,
					   LEGACY_HOLE_END - ROM_AREA_START, LV_PROT_ALL))) {
		fail("mapping the ROM area", rc);
		goto out;
	}
	for (i = 0; i < o->smp; i++)
		if ((rc = lv_vcpu_create(vm, i, &vcpus[i]))) {
			vmm_error("creating vCPU %u: %s (%s)", i, lv_status_name(rc),
				  lv_strerror(rc));
			goto out;
		}
	boot = pic_boot(m, e, cfg.flags);
	/* vCPU 0 boots the kernel; the others wait for the guest's INIT/SIPI. */
	if ((rc = setup_vcpu(vcpus[0], &boot))) {
		fail("setting the entry state", rc);
		goto out;
	}

	memset(&v, 0, sizeof(v));
	v.vcpus = vcpus;
	v.nvcpus = o->smp;
	v.vm = vm;
	v.ram = m->ram;
	v.ram_size = m->size;
	v.has_testdev = o->testdev;
	v.console_input = 1;
	fw_cfg_init(&v.fw_cfg, o->mem_bytes, (uint16_t)o->smp);
	v.trace = o->trace;
	v.stats = o->stats;
	uart_init(&v.uart, NULL, NULL); /* vmm_run() connects it to stdout */
	i8042_init(&v.i8042);
	rtc_init(&v.rtc, wall_clock);
	acpi_pm_init(&v.pm);
	v.has_acpi = is_linux(e);
	ioapic_init(&v.ioapic);
	if (o->testdev) {
		pci_testdev_init(&v.pci_testdev);
		v.pci.testdev = &v.pci_testdev;
	}

	for (i = 0; i < o->smp; i++)
		running_vcpus[i] = vcpus[i];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	if (o->timeout_s > 0) {
		struct itimerval it = { { 0, 0 },
					{ (time_t)o->timeout_s,
					  (suseconds_t)((o->timeout_s - (time_t)o->timeout_s) *
							1e6) } };
		if (!it.it_value.tv_sec && !it.it_value.tv_usec)
			it.it_value.tv_usec = 1;
		setitimer(ITIMER_REAL, &it, NULL);
	}
	status = vmm_run(&v, &h);
	if (o->timeout_s > 0) {
		struct itimerval off = { { 0, 0 }, { 0, 0 } };
		setitimer(ITIMER_REAL, &off, NULL);
	}
	sa.sa_handler = SIG_DFL;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	for (i = 0; i < o->smp; i++)
		running_vcpus[i] = NULL;
	if (o->stats)
		vmm_print_stats(&v.st, v.has_testdev);
out:
	for (i = 0; i < MAX_SMP; i++)
		if (vcpus[i])
			lv_vcpu_destroy(vcpus[i]);
	if (vm)
		lv_vm_destroy(vm);
	lv_backend_close(b);
	return status;
}

/* -b svm | -b vmx: the guest as an image for the ring-0 test kernel (ring0.c). */
static int run_ring0(const struct options *o, const struct boot_entry *e, struct guest_mem *m)
{
	struct ring0_request rq = { o->backend, o->emulator, o->smp, 0, o->timeout_s };
	struct boot_entry boot;

	if (!rq.emulator)
		rq.emulator = o->backend == LV_BACKEND_VMX ? "bochs" : "qemu";
	/* vCPU i runs on the emulator's CPU i; the test kernel starts up to four (tests/ring0/smp.c). */
	if (o->smp > RING0_MAX_SMP) {
		vmm_error("-smp %u: -b %s runs each vCPU on its own CPU of the emulator, and the "
			  "ring-0 test kernel starts at most %u",
			  o->smp, o->backend == LV_BACKEND_VMX ? "vmx" : "svm", RING0_MAX_SMP);
		return STATUS_USAGE;
	}
	rq.flags = (o->testdev ? VMM_IMAGE_TESTDEV : 0) | (o->trace ? VMM_IMAGE_TRACE : 0) |
		   (o->stats ? VMM_IMAGE_STATS : 0) |
		   (o->smp > 1 || o->irqchip ? VMM_IMAGE_IRQCHIP : 0);
	/* Linux: the interrupt controllers and the PIT, ACPI's PM registers, the ROM area (run_guest()). */
	if (is_linux(e))
		rq.flags |= VMM_IMAGE_IRQCHIP | VMM_IMAGE_PIT | VMM_IMAGE_ACPI;
	boot = pic_boot(m, e, rq.flags & VMM_IMAGE_IRQCHIP ? LV_VM_IRQCHIP : 0);
	return ring0_run(&rq, m, &boot);
}

int main(int argc, char **argv)
{
	struct boot_request req = { 0 };
	struct file_buf kernel = { 0 };
	struct guest_mem mem = { 0 };
	struct boot_entry entry;
	struct options o;
	int status = STATUS_USAGE;

	if (parse_options(argc, argv, &o))
		return STATUS_USAGE;
	req.kernel_path = o.kernel;
	req.append = o.append;
	if (read_file(o.kernel, &kernel))
		goto out;
	if (o.initrd && load_modules(o.initrd, &req))
		goto out;
	mem.size = o.mem_bytes;
	mem.ram = mmap(NULL, mem.size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem.ram == MAP_FAILED) {
		mem.ram = NULL;
		vmm_error("cannot allocate %llu MiB of guest RAM",
			  (unsigned long long)(mem.size >> 20));
		goto out;
	}
	if (load_kernel(o.kernel, &kernel, &mem, &entry))
		goto out;
	if (entry.protocol == BOOT_LINUX) {
		write_linux_gdt(&mem, entry.linux64);
		if (linux_setup(&req, &mem, &entry) || mptable_write(&mem, o.smp) ||
		    acpi_write(&mem, o.smp))
			goto out;
	} else {
		write_gdt(&mem);
		if (entry.protocol == BOOT_MULTIBOOT ? multiboot_setup(&req, &mem, &entry)
						     : pvh_setup(&req, &mem, &entry))
			goto out;
		if (entry.linux_pvh && (mptable_write(&mem, o.smp) || acpi_write(&mem, o.smp)))
			goto out;
	}
	if (o.trace)
		fprintf(stderr, "vcpu-run: %s kernel%s, entry %#llx, image %#llx-%#llx\n",
			protocol_name(entry.protocol),
			entry.protocol != BOOT_LINUX ? ""
			: entry.linux64		     ? " (64-bit entry)"
						     : " (32-bit entry)",
			(unsigned long long)(entry.protocol == BOOT_LINUX ? entry.entry64
									  : entry.eip),
			(unsigned long long)entry.image_low,
			(unsigned long long)entry.image_high - 1);
	if (o.backend == LV_BACKEND_SVM || o.backend == LV_BACKEND_VMX)
		status = run_ring0(&o, &entry, &mem);
	else
		status = run_guest(&o, &mem, &entry);
out:
	fflush(stdout);
	if (mem.ram)
		munmap(mem.ram, mem.size);
	free(kernel.data);
	free_modules(&req);
	return status;
}
