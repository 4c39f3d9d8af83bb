/* SPDX-License-Identifier: MIT */
/*
 * The exit handling of vcpu-run, freestanding: the hosted loop (run.c) and
 * the ring-0 test kernel's (tests/ring0/vmm.c) call vmm_handle_exit() after
 * each lv_vcpu_run(). IO and MMIO exits go to the device models; HLT,
 * shutdown, a reset request and errors end the run with a message
 * (vmm_log(), vcpu-run's stderr) and a process exit status.
 */
#include <string.h>

#include "run.h"

#define DEBUG_EXIT_PORT 0xf4u /* QEMU isa-debug-exit,iobase=0xf4,iosize=4 */
#define DEBUG_EXIT_SIZE 4u
#define RFLAGS_IF	(1ull << 9)

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
	vmm_log("vcpu-run: note: %s of port %#x, which no device emulates (reads give all "
		"ones; --stats counts them)\n",
		dir, port);
}

/* The UART's line into the interrupt controller (GSI 4), when its level changed or it pulses. */
void vmm_uart_line(struct vmm *v)
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
		vmm_log("vcpu-run: note: the UART raised its interrupt, but the VM has no "
			"interrupt controller (use --irqchip)\n");
}

static int port_write(struct vmm *v, uint16_t port, unsigned size, uint64_t val)
{
	unsigned i;
	uint32_t off;

	if (port >= COM1_BASE && port < COM1_BASE + 8) {
		v->st.uart_accesses++;
		for (i = 0; i < size && port + i < COM1_BASE + 8; i++)
			uart_write(&v->uart, port + i - COM1_BASE, (uint8_t)(val >> (8 * i)));
		vmm_uart_line(v);
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
				vmm_log("vcpu-run: note: pc-testdev interrupt line %d: no "
					"interrupt controller (use --irqchip)\n",
					line);
			if (port == TESTDEV_IRQ + (uint16_t)line)
				break; /* one line per write, whatever its width */
		}
		if (port == TESTDEV_FLUSH && size == 4 && v->flush_page)
			v->flush_page(v, v->testdev.flush);
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
			vmm_log("vcpu-run: guest requested a reset (8042 reset line)\n");
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
	if (v->has_acpi && acpi_pm_claims(port)) {
		v->st.pm_accesses++;
		if (acpi_pm_write(&v->pm, port, size, (uint32_t)val)) {
			vmm_log("vcpu-run: guest powered off (ACPI S5)\n");
			return STATUS_OK; /* as QEMU */
		}
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
		vmm_uart_line(v);
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
	if (v->has_acpi && acpi_pm_claims(port)) {
		v->st.pm_accesses++;
		return acpi_pm_read(&v->pm, port, size) | (~0ull << 32);
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
		vmm_log("vcpu-run: note: %s at guest-physical %#llx, where nothing is "
			"mapped (reads give 0; --stats counts them)\n",
			ex->mmio.is_write ? "write" : "read", (unsigned long long)gpa);
	if (!ex->mmio.is_write)
		memset(ex->mmio.data, 0, sizeof(ex->mmio.data));
}

/* ---- tracing and diagnostics ----------------------------------------- */

void vmm_trace_exit(struct lv_vcpu *vcpu, uint64_t n, const struct lv_exit *ex)
{
	struct lv_state st;
	unsigned long long rip = 0;

	if (lv_vcpu_get_state(vcpu, LV_STATE_GPRS, &st) == LV_OK)
		rip = st.regs.rip;
	vmm_log("[%6llu] rip=%#010llx %-9s", (unsigned long long)n, rip,
		lv_exit_reason_name(ex->reason));
	switch (ex->reason) {
	case LV_EXIT_IO:
		vmm_log(" %s port=%#x size=%u count=%u", ex->io.is_write ? "out" : "in",
			ex->io.port, ex->io.size, ex->io.count);
		if (ex->io.is_write)
			vmm_log(" data=%#llx",
				(unsigned long long)get_le(ex->io.data, ex->io.size));
		break;
	case LV_EXIT_MMIO:
		vmm_log(" %s gpa=%#llx size=%u", ex->mmio.is_write ? "write" : "read",
			(unsigned long long)ex->mmio.gpa, ex->mmio.size);
		if (ex->mmio.is_write)
			vmm_log(" data=%#llx",
				(unsigned long long)get_le(ex->mmio.data, ex->mmio.size));
		break;
	default:
		vmm_log(" raw reason=%#llx qual=%#llx", (unsigned long long)ex->raw.reason,
			(unsigned long long)ex->raw.qual);
		break;
	}
	vmm_log("\n");
}

static void dump_regs(struct lv_vcpu *vcpu)
{
	struct lv_state st;

	if (lv_vcpu_get_state(vcpu, LV_STATE_GPRS | LV_STATE_CONTROL, &st) != LV_OK)
		return;
	vmm_log("  rip=%#010llx rflags=%#llx cr0=%#llx\n", (unsigned long long)st.regs.rip,
		(unsigned long long)st.regs.rflags, (unsigned long long)st.ctrl.cr0);
	vmm_log("  eax=%#010llx ebx=%#010llx ecx=%#010llx edx=%#010llx\n",
		(unsigned long long)st.regs.rax, (unsigned long long)st.regs.rbx,
		(unsigned long long)st.regs.rcx, (unsigned long long)st.regs.rdx);
	vmm_log("  esi=%#010llx edi=%#010llx esp=%#010llx ebp=%#010llx\n",
		(unsigned long long)st.regs.rsi, (unsigned long long)st.regs.rdi,
		(unsigned long long)st.regs.rsp, (unsigned long long)st.regs.rbp);
}

static int guest_failed(struct lv_vcpu *vcpu, const struct lv_exit *ex)
{
	vmm_log("vcpu-run: guest stopped: %s exit", lv_exit_reason_name(ex->reason));
	switch (ex->reason) {
	case LV_EXIT_EXCEPTION:
		vmm_log(" (vector %u, error code %#x)", ex->exception.vector,
			ex->exception.error_code);
		break;
	case LV_EXIT_NPF:
		vmm_log(" (gpa %#llx, access %#x)", (unsigned long long)ex->npf.gpa,
			ex->npf.access);
		break;
	case LV_EXIT_INTERNAL_ERROR:
		vmm_log(" (suberror %u)", ex->internal.suberror);
		break;
	case LV_EXIT_ENTRY_FAILED:
		vmm_log(" (kind %u, hardware reason %#llx)", ex->entry_failed.kind,
			(unsigned long long)ex->entry_failed.hw_reason);
		break;
	default:
		break;
	}
	vmm_log("; raw reason %#llx qualification %#llx\n", (unsigned long long)ex->raw.reason,
		(unsigned long long)ex->raw.qual);
	dump_regs(vcpu);
	return STATUS_FAILURE;
}

/* ---- one exit -------------------------------------------------------- */

/*
 * MSRs that KVM answers itself, so that they never reach vcpu-run there,
 * and that the raw backends pass here as unknown. Each reads 0 and
 * ignores writes, which is a valid processor's answer:
 *
 * - 0xc0010000-0xc0010007, the AMD legacy performance counters
 *   PerfEvtSel0-3 and PerfCtr0-3 (APM Vol. 2, 13.2.1): every AMD CPU has
 *   them, and guests reset them at boot (kvm-unit-tests does); counters
 *   that never count, as under QEMU TCG.
 * And the ones a Linux kernel reads at boot (vcpu-run -b svm, Debian's 6.1):
 * - 0x8b, IA32_BIOS_SIGN_ID / AMD PATCH_LEVEL: no microcode update loaded
 *   (SDM Vol. 3A, 10.11.7.1); software writes 0 to it before CPUID.
 * - 0xfe IA32_MTRRCAP and 0x2ff IA32_MTRR_DEF_TYPE: no variable or fixed
 *   ranges, MTRRs off (SDM Vol. 3A, 12.11.1, 12.11.2.1).
 * - 0x179 IA32_MCG_CAP and 0x17a IA32_MCG_STATUS: no machine-check banks,
 *   no machine check in progress (SDM Vol. 3B, 16.3.1).
 * - 0xc0010010 SYSCFG, 0xc0010015 HWCR, 0xc0010055 the interrupt pending
 *   message register, 0xc0011029 DE_CFG (AMD's BKDGs/PPRs): no memory
 *   encryption or MTRR extensions, no hardware configuration changes;
 *   Linux reads DE_CFG back after setting its LFENCE-serializing bit 1
 *   and, finding it clear, takes LFENCE as not serializing.
 *
 * Anything else stops the guest.
 */
static int msr_reads_zero(uint32_t index)
{
	switch (index) {
	case 0x8b:
	case 0xfe:
	case 0x179:
	case 0x17a:
	case 0x2ff:
	case 0xc0010010:
	case 0xc0010015:
	case 0xc0010055:
	case 0xc0011029:
		return 1;
	default:
		return index >= 0xc0010000u && index <= 0xc0010007u;
	}
}

static int handle_msr(struct lv_vcpu *vcpu, struct lv_exit *ex)
{
	if (ex->msr.reason != LV_MSR_EXIT_UNKNOWN || !msr_reads_zero(ex->msr.index))
		return guest_failed(vcpu, ex);
	if (ex->reason == LV_EXIT_RDMSR)
		ex->msr.value = 0;
	return KEEP_RUNNING;
}

/*
 * KVM's hypercalls (Linux, Documentation/virt/kvm/x86/hypercalls.rst): on
 * KVM the kernel answers VMCALL/VMMCALL and they never reach vcpu-run; the
 * raw backends pass them on as LV_EXIT_HYPERCALL, and vcpu-run answers
 * what KVM would, so that a guest written for KVM (kvm-unit-tests' apic
 * test calls KVM_HC_SEND_IPI whenever it has a test device) runs the
 * same. The number is in RAX, the arguments in RBX, RCX, RDX, RSI, the
 * result goes to RAX; in 32-bit code only the low halves count.
 * KVM_HC_SEND_IPI (10): bit i of the 128-bit (64 in 32-bit code) bitmap
 * a1:a0 names APIC ID a2 + i; a3 is the ICR's low word (vector, delivery
 * mode, level, trigger mode; no shorthand, physical destination). The
 * result is the number of vCPUs addressed, each sent the interrupt as an
 * MSI to its APIC ID (SDM Vol. 3, 11.11). Any other number: -KVM_ENOSYS;
 * from CPL > 0: -KVM_EPERM (KVM's checks, kvm_para.h's values).
 */
#define KVM_HC_SEND_IPI	 10u
#define KVM_ENOSYS	 1000
#define KVM_EINVAL	 22
#define KVM_EPERM	 1
#define EFER_LMA	 (1ull << 10)
#define ICR_DEST_LOGICAL (1u << 11)
#define ICR_SHORTHAND	 (3u << 18)

static int64_t send_ipi(struct vmm *v, const uint64_t *a, unsigned width)
{
	uint32_t icr = (uint32_t)a[3], data = icr & 0xc7ffu; /* vector, mode, level, trigger */
	int64_t count = 0;
	unsigned half, i;

	if (icr & (ICR_DEST_LOGICAL | ICR_SHORTHAND))
		return -KVM_EINVAL;
	for (half = 0; half < 2; half++) {
		uint64_t bits = a[half] & (width == 64 ? ~0ull : 0xffffffffull);
		uint64_t first = (a[2] & 0xffffffffull) + half * width;

		for (i = 0; i < width; i++) {
			uint64_t id = first + i;

			if (!((bits >> i) & 1) || id >= v->nvcpus || id > 0xff)
				continue; /* no such vCPU (vcpu-run's APIC IDs are 0..n-1) */
			if (lv_vm_signal_msi(v->vm, 0xfee00000u | (uint32_t)id << 12, data) ==
			    LV_OK)
				count++;
		}
	}
	return count;
}

static int handle_hypercall(struct vmm *v, struct lv_vcpu *vcpu, struct lv_exit *ex)
{
	unsigned width;
	int64_t ret;
	struct lv_state st;

	if (lv_vcpu_get_state(vcpu, LV_STATE_GPRS | LV_STATE_SEGMENTS | LV_STATE_CONTROL, &st) !=
	    LV_OK)
		return guest_failed(vcpu, ex);
	width = (st.ctrl.efer & EFER_LMA) && st.segs.cs.l ? 64 : 32;
	if (st.segs.ss.dpl != 0 && (st.ctrl.cr0 & 1))
		ret = -KVM_EPERM;
	else if ((ex->hypercall.nr & (width == 64 ? ~0ull : 0xffffffffull)) == KVM_HC_SEND_IPI &&
		 v->vm)
		ret = send_ipi(v, ex->hypercall.args, width);
	else
		ret = -KVM_ENOSYS;
	st.regs.rax = width == 64 ? (uint64_t)ret : (uint32_t)ret;
	if (lv_vcpu_set_state(vcpu, LV_STATE_GPRS, &st) != LV_OK)
		return guest_failed(vcpu, ex);
	return KEEP_RUNNING;
}

int vmm_handle_exit(struct vmm *v, struct lv_vcpu *vcpu, struct lv_exit *ex)
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
			vmm_log("vcpu-run: guest halted with interrupts disabled at "
				"rip=%#llx; stopping\n",
				(unsigned long long)st.regs.rip);
		else
			vmm_log("vcpu-run: guest halted and no device can wake it; stopping\n");
		return STATUS_OK;
	case LV_EXIT_SHUTDOWN:
		vmm_log("vcpu-run: guest shutdown (triple fault)\n");
		return STATUS_OK;
	case LV_EXIT_SYSTEM_EVENT:
		vmm_log("vcpu-run: guest requested %s\n",
			ex->system_event.type == LV_SYSTEM_EVENT_RESET ? "a reset" : "shutdown");
		return ex->system_event.type == LV_SYSTEM_EVENT_CRASH ? STATUS_FAILURE : STATUS_OK;
	case LV_EXIT_RDMSR:
	case LV_EXIT_WRMSR:
		return handle_msr(vcpu, ex);
	case LV_EXIT_HYPERCALL:
		return handle_hypercall(v, vcpu, ex);
	case LV_EXIT_CANCELLED: /* a stray kick: the caller's own were handled */
	case LV_EXIT_IRQ_WINDOW:
	case LV_EXIT_NMI_WINDOW:
		return KEEP_RUNNING; /* never requested; harmless */
	default:
		return guest_failed(vcpu, ex);
	}
}

void vmm_account(struct vmm *v, const struct lv_exit *ex, uint64_t run_ns, uint64_t handle_ns)
{
	if (ex->reason >= LV_EXIT_REASON_COUNT)
		return;
	v->st.count[ex->reason]++;
	v->st.run_ns[ex->reason] += run_ns;
	v->st.handle_ns[ex->reason] += handle_ns;
}

int vmm_exit(struct vmm *v, struct lv_vcpu *vcpu, int rc, struct lv_exit *ex, uint64_t t_run,
	     uint64_t t_exit)
{
	if (rc != LV_OK) {
		vmm_log("vcpu-run: lv_vcpu_run failed: %s (%s)\n", lv_status_name(rc),
			lv_strerror(rc));
		return STATUS_FAILURE;
	}
	if (v->trace)
		vmm_trace_exit(vcpu, ++v->exits, ex);
	rc = ex->reason == LV_EXIT_CANCELLED && v->cancelled ? v->cancelled(v) : KEEP_RUNNING;
	if (rc == KEEP_RUNNING)
		rc = vmm_handle_exit(v, vcpu, ex);
	vmm_account(v, ex, t_exit - t_run, v->now_ns() - t_exit);
	return rc;
}

int vmm_run_vcpu(struct vmm *v, struct lv_vcpu *vcpu)
{
	uint64_t t_run, t_exit;
	struct lv_exit *ex;
	int rc;

	for (;;) {
		t_run = v->now_ns();
		rc = lv_vcpu_run(vcpu, &ex);
		t_exit = v->now_ns();
		if (rc == LV_ERR_INTR)
			continue;
		if (v->lock)
			v->lock(v);
		if (__atomic_load_n(&v->stopped, __ATOMIC_ACQUIRE))
			rc = KEEP_RUNNING; /* another vCPU ended the run (its kick) */
		else
			rc = vmm_exit(v, vcpu, rc, ex, t_run, t_exit);
		if (v->unlock)
			v->unlock(v);
		if (rc != KEEP_RUNNING || __atomic_load_n(&v->stopped, __ATOMIC_ACQUIRE))
			return rc;
	}
}

void vmm_vcpu_done(struct vmm *v, int rc)
{
	unsigned i;

	if (rc != KEEP_RUNNING && !__atomic_exchange_n(&v->stopped, 1, __ATOMIC_ACQ_REL))
		v->status = rc;
	for (i = 0; i < v->nvcpus; i++)
		lv_vcpu_kick(v->vcpus[i]);
}
