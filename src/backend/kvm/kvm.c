/* SPDX-License-Identifier: MIT */
/*
 * KVM backend (hosted): probe, capabilities, VM lifetime, the MSR exit
 * filter and the ops table. See kvm_priv.h for the file map.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm_priv.h"
#include "../../core/cpuid.h"
#include "../../core/x86_arch.h"

/* Max CPUID entries we ask KVM_GET_SUPPORTED_CPUID for. */
#define KVM_CPUID_MAX 256

int lv_kvm_errno(int e)
{
	switch (e) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return LV_ERR_NODEV;
	case EACCES:
	case EPERM:
		return LV_ERR_PERM;
	case ENOMEM:
		return LV_ERR_NOMEM;
	case EINVAL:
		return LV_ERR_INVAL;
	case EEXIST:
		return LV_ERR_EXIST;
	case EBUSY:
		return LV_ERR_BUSY;
	case EINTR:
		return LV_ERR_INTR;
	case ENOSPC:
	case E2BIG:
		return LV_ERR_LIMIT;
	default:
		return LV_ERR_HW;
	}
}

/* ---- kick signal ------------------------------------------------------ */

static int kick_signal_no;

static void kick_handler(int sig)
{
	(void)sig; /* the only purpose is to make KVM_RUN return -EINTR */
}

/*
 * Install the kick handler once per process. The kick signal is the 6th
 * real-time signal; SA_RESTART keeps it harmless for other system calls
 * (KVM_RUN returns -EINTR regardless). A handler the program installed
 * itself is left alone.
 */
static void kick_signal_init(void)
{
	struct sigaction sa, old;

	kick_signal_no = SIGRTMIN + 6;
	if (sigaction(kick_signal_no, NULL, &old) == 0 && old.sa_handler != SIG_DFL)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(kick_signal_no, &sa, NULL);
}

/* ---- backend ---------------------------------------------------------- */

static int ext(int fd, long cap)
{
	int v = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	return v > 0 ? v : 0;
}

static uint32_t phys_bits(const struct kvm_cpuid2 *c)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == 0x80000008 && (c->entries[i].eax & 0xff) >= 32)
			return c->entries[i].eax & 0xff;
	return 36;
}

/*
 * Where a guest's XSETBV never reaches KVM (kvm_probe.c), the default CPUID
 * offers no XSAVE: no leaf 0Dh, and none of the features whose state XSAVE
 * manages (x86_arch.h). The guest then keeps XCR0 = 1, and its x87/SSE
 * state is still switched (KVM_GET/SET_XSAVE reads and writes it).
 */
static void cpuid_drop_xsave(struct kvm_cpuid2 *c)
{
	uint32_t i, n = 0;

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 0xd)
			continue;
		if (e->function == 1)
			e->ecx &= ~CPUID_1_ECX_XSTATE;
		if (e->function == 7 && e->index == 0) {
			e->ebx &= ~CPUID_7_0_EBX_XSTATE;
			e->ecx &= ~CPUID_7_0_ECX_XSTATE;
			e->edx &= ~CPUID_7_0_EDX_XSTATE;
		}
		if (e->function == 7 && e->index == 1)
			e->eax &= ~CPUID_7_1_EAX_XSTATE;
		if (e->function == 0x80000001u)
			e->ecx &= ~CPUID_80000001_ECX_XSTATE;
		c->entries[n++] = *e;
	}
	c->nent = n;
}

static void fill_caps(struct lv_backend *b, struct kvm_backend *kb)
{
	struct lv_caps *c = &b->caps;
	int fd = kb->kvm_fd, v;

	c->kind = LV_BACKEND_KVM;
	v = ext(fd, KVM_CAP_MAX_VCPUS);
	c->max_vcpus = v > 0 ? (uint32_t)v : 1;
	v = ext(fd, KVM_CAP_NR_MEMSLOTS);
	c->max_slots = v > 0 ? (uint32_t)v : 32;
	c->guest_phys_bits = phys_bits(kb->cpuid);
	c->page_sizes = (1ull << 12) | (1ull << 21) | (1ull << 30);
	c->features = LV_FEAT_UNRESTRICTED_GUEST | LV_FEAT_NESTED_PAGING | LV_FEAT_DIRTY_LOG |
		      LV_FEAT_IRQ_WINDOW;
	if (kb->has_readonly)
		c->features |= LV_FEAT_READONLY_MEM;
	if (kb->has_msr_exit)
		c->features |= LV_FEAT_MSR_EXIT;
	if (kb->has_guest_debug) {
		c->features |= LV_FEAT_SINGLESTEP;
		/*
		 * #DB and #BP are the only vectors KVM lets user space
		 * intercept; keep those that really exit on this host.
		 */
		c->exception_exits = kb->exception_exits;
	}
	if (kb->has_sync_regs)
		c->features |= LV_FEAT_SYNC_REGS;
	if (kb->has_irqchip)
		c->features |= LV_FEAT_IRQCHIP;
	c->raw[0] = KVM_API_VERSION;
	c->raw[1] = (uint64_t)ext(fd, KVM_CAP_SYNC_REGS);
}

/* Does this CPU, as this system sees it, offer VMX or SVM? */
static int cpu_has_vmx_or_svm(void)
{
	uint32_t a, b, c, d;

	lv_cpuid(0, 0, &a, &b, &c, &d);
	if (a >= 1) {
		lv_cpuid(1, 0, &a, &b, &c, &d);
		if (c & (1u << 5)) /* CPUID.1:ECX.VMX */
			return 1;
	}
	lv_cpuid(0x80000000u, 0, &a, &b, &c, &d);
	if (a >= 0x80000001u) {
		lv_cpuid(0x80000001u, 0, &a, &b, &c, &d);
		if (c & (1u << 2)) /* CPUID.80000001h:ECX.SVM */
			return 1;
	}
	return 0;
}

/* Why open("/dev/kvm") failed with @p e, in the caller's terms. */
static int open_failed(struct lv_backend *b, int e)
{
	static const char modprobe[] = "load KVM: modprobe kvm_intel (Intel) or kvm_amd (AMD)";

	switch (e) {
	case ENOENT:
		if (cpu_has_vmx_or_svm())
			return lv_backend_fail(
				b, LV_ERR_NODEV, LV_OPEN_NO_DEVICE, e, 0,
				"/dev/kvm does not exist (the CPU has VMX/SVM: KVM is "
				"not loaded)",
				modprobe);
		return lv_backend_fail(b, LV_ERR_NODEV, LV_OPEN_NO_DEVICE, e, 0,
				       "/dev/kvm does not exist, and this CPU offers no VMX or SVM "
				       "(a VM without nested virtualization?)",
				       "run on a host with VT-x/AMD-V, or in a VM that has nested "
				       "virtualization and KVM loaded");
	case ENODEV:
	case ENXIO:
		return lv_backend_fail(b, LV_ERR_NODEV, LV_OPEN_NO_DEVICE, e, 0,
				       "/dev/kvm exists but no KVM driver answers it", modprobe);
	case EACCES:
	case EPERM:
	case EROFS:
		return lv_backend_fail(
			b, LV_ERR_PERM, LV_OPEN_PERMISSION, e, 0,
			"/dev/kvm may not be opened read-write (permission denied)",
			"add the user to the group that owns /dev/kvm (usually kvm), "
			"or run as root");
	default:
		return lv_backend_fail(b, lv_kvm_errno(e), LV_OPEN_OTHER, e, 0,
				       "opening /dev/kvm failed", "");
	}
}

/*
 * KVM extensions the backend uses without a fallback. (The others it
 * probes, and reports as lv_caps features.)
 */
static const struct {
	long cap;
	const char *what;
} required_caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM lacks KVM_CAP_USER_MEMORY (guest memory slots)" },
	{ KVM_CAP_EXT_CPUID, "KVM lacks KVM_CAP_EXT_CPUID (KVM_SET_CPUID2)" },
	{ KVM_CAP_VCPU_EVENTS, "KVM lacks KVM_CAP_VCPU_EVENTS (event injection and state)" },
	{ KVM_CAP_DEBUGREGS, "KVM lacks KVM_CAP_DEBUGREGS (debug-register state)" },
	{ KVM_CAP_IMMEDIATE_EXIT,
	  "KVM lacks KVM_CAP_IMMEDIATE_EXIT (race-free kicks; Linux 4.11+)" },
};

static int kvm_open(struct lv_backend *b)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct kvm_backend *kb;
	size_t i;
	int fd, v;

	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return open_failed(b, errno);
	v = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (v != KVM_API_VERSION) {
		close(fd);
		return lv_backend_fail(
			b, LV_ERR_NODEV, LV_OPEN_API_VERSION, v < 0 ? errno : 0,
			(uint64_t)(int64_t)v,
			"KVM_GET_API_VERSION did not answer 12, the only stable KVM API",
			"use a Linux kernel with a standard KVM");
	}
	for (i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++)
		if (ioctl(fd, KVM_CHECK_EXTENSION, required_caps[i].cap) <= 0) {
			close(fd);
			return lv_backend_fail(b, LV_ERR_NOTSUP, LV_OPEN_MISSING_EXTENSION, 0,
					       (uint64_t)required_caps[i].cap,
					       required_caps[i].what, "use a newer Linux kernel");
		}
	v = ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (v <= 0) {
		close(fd);
		return lv_backend_fail(b, LV_ERR_NODEV, LV_OPEN_OTHER, v < 0 ? errno : 0, 0,
				       "KVM_GET_VCPU_MMAP_SIZE failed", "");
	}
	kb = calloc(1, sizeof(*kb));
	if (!kb) {
		close(fd);
		return LV_ERR_NOMEM;
	}
	kb->kvm_fd = fd;
	kb->run_size = (size_t)v;
	kb->cpuid = calloc(1, sizeof(*kb->cpuid) + KVM_CPUID_MAX * sizeof(kb->cpuid->entries[0]));
	if (!kb->cpuid) {
		close(fd);
		free(kb);
		return LV_ERR_NOMEM;
	}
	kb->cpuid->nent = KVM_CPUID_MAX;
	if (ioctl(fd, KVM_GET_SUPPORTED_CPUID, kb->cpuid) < 0)
		kb->cpuid->nent = 0;
	/*
	 * KVM leaves the hypervisor bit (CPUID.1:ECX[31]) to user space; every
	 * backend sets it, so a guest knows it runs virtualized (and finds
	 * KVM's leaves at 0x40000000, which KVM does report).
	 */
	for (i = 0; i < kb->cpuid->nent; i++)
		if (kb->cpuid->entries[i].function == 1)
			kb->cpuid->entries[i].ecx |= 1u << 31;
	kb->has_sync_regs = (ext(fd, KVM_CAP_SYNC_REGS) & KVM_SYNC_X86_REGS) != 0;
	kb->has_xsave = ext(fd, KVM_CAP_XSAVE);
	v = ext(fd, KVM_CAP_XSAVE2);
	kb->has_xsave2 = v > 4096;
	kb->xsave_size = v > 4096 ? (size_t)v : sizeof(struct kvm_xsave);
	kb->has_xcrs = ext(fd, KVM_CAP_XCRS);
	kb->has_msr_exit = ext(fd, KVM_CAP_X86_USER_SPACE_MSR) && ext(fd, KVM_CAP_X86_MSR_FILTER);
	kb->has_readonly = ext(fd, KVM_CAP_READONLY_MEM);
	kb->has_guest_debug = ext(fd, KVM_CAP_SET_GUEST_DEBUG);
	kb->has_irqchip = ext(fd, KVM_CAP_IRQCHIP) && ext(fd, KVM_CAP_SIGNAL_MSI) &&
			  ext(fd, KVM_CAP_MP_STATE) && ext(fd, KVM_CAP_PIT2) &&
			  (ext(fd, KVM_CAP_X2APIC_API) & KVM_X2APIC_API_USE_32BIT_IDS);
	kb->has_tsc_deadline = ext(fd, KVM_CAP_TSC_DEADLINE_TIMER);
	lv_kvm_probe_host(kb);
	if (kb->xsetbv_lost)
		cpuid_drop_xsave(kb->cpuid);
	pthread_once(&once, kick_signal_init);
	kb->kick_signal = kick_signal_no;
	b->priv = kb;
	fill_caps(b, kb);
	return LV_OK;
}

static void kvm_close(struct lv_backend *b)
{
	struct kvm_backend *kb = b->priv;

	close(kb->kvm_fd);
	free(kb->cpuid);
	free(kb);
	b->priv = NULL;
}

/* ---- VMs -------------------------------------------------------------- */

/*
 * The kernel's interrupt controller (api.rst 4.24 KVM_CREATE_IRQCHIP: two
 * PICs, an IOAPIC and a local APIC per vCPU created afterwards), and the
 * PIT when asked for (4.71 KVM_CREATE_PIT2, its interrupt on GSI 0). KVM's
 * default routing sends GSIs 0-15 to the PICs and the IOAPIC, 16-23 to the
 * IOAPIC.
 */
static int create_irqchip(struct kvm_vm *kv, uint32_t flags)
{
	struct kvm_enable_cap cap;

	if (ioctl(kv->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return lv_kvm_errno(errno);
	/*
	 * 32-bit x2APIC IDs in KVM_GET/SET_LAPIC's ID register (api.rst 7.7
	 * KVM_CAP_X2APIC_API), as LV_STATE_APIC defines it (state.h); without
	 * it KVM keeps the xAPIC layout (ID << 24) in x2APIC mode too. Before
	 * any vCPU exists, as the capability requires.
	 */
	memset(&cap, 0, sizeof(cap));
	cap.cap = KVM_CAP_X2APIC_API;
	cap.args[0] = KVM_X2APIC_API_USE_32BIT_IDS;
	if (ioctl(kv->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
		return lv_kvm_errno(errno);
	if (flags & LV_VM_PIT) {
		struct kvm_pit_config pit;

		memset(&pit, 0, sizeof(pit));
		/* Port 0x61 (GATE2, OUT2) in the kernel too, as the raw backends answer it. */
		pit.flags = KVM_PIT_SPEAKER_DUMMY;
		if (ioctl(kv->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
			return lv_kvm_errno(errno);
	}
	kv->irqchip = 1;
	return LV_OK;
}

/* An IOAPIC/PIC input (api.rst 4.25 KVM_IRQ_LINE). */
static int kvm_irq_line(struct lv_vm *vm, uint32_t gsi, uint32_t level)
{
	struct kvm_vm *kv = vm->priv;
	struct kvm_irq_level l;

	memset(&l, 0, sizeof(l));
	l.irq = gsi;
	l.level = level;
	return ioctl(kv->vm_fd, KVM_IRQ_LINE, &l) < 0 ? lv_kvm_errno(errno) : LV_OK;
}

/* A message-signalled interrupt (api.rst 4.70 KVM_SIGNAL_MSI; > 0: delivered, 0: blocked). */
static int kvm_signal_msi(struct lv_vm *vm, uint64_t addr, uint32_t data)
{
	struct kvm_vm *kv = vm->priv;
	struct kvm_msi m;

	memset(&m, 0, sizeof(m));
	m.address_lo = (uint32_t)addr;
	m.address_hi = (uint32_t)(addr >> 32);
	m.data = data;
	return ioctl(kv->vm_fd, KVM_SIGNAL_MSI, &m) < 0 ? lv_kvm_errno(errno) : LV_OK;
}

static int kvm_vm_create(struct lv_vm *vm)
{
	struct kvm_backend *kb = vm->backend->priv;
	struct kvm_vm *kv = calloc(1, sizeof(*kv));
	int rc;

	if (!kv)
		return LV_ERR_NOMEM;
	kv->max_slots = vm->backend->caps.max_slots;
	kv->slot_used = calloc((kv->max_slots + 63) / 64, sizeof(uint64_t));
	kv->max_vcpus = vm->max_vcpus;
	kv->vcpus = calloc(vm->max_vcpus, sizeof(*kv->vcpus));
	if (!kv->slot_used || !kv->vcpus) {
		free(kv->slot_used);
		free(kv->vcpus);
		free(kv);
		return LV_ERR_NOMEM;
	}
	kv->vm_fd = ioctl(kb->kvm_fd, KVM_CREATE_VM, 0);
	if (kv->vm_fd < 0) {
		rc = lv_kvm_errno(errno);
		free(kv->slot_used);
		free(kv->vcpus);
		free(kv);
		return rc == LV_ERR_NODEV ? LV_ERR_HW : rc;
	}
	rc = vm->flags & LV_VM_IRQCHIP ? create_irqchip(kv, vm->flags) : LV_OK;
	if (rc) {
		close(kv->vm_fd);
		free(kv->slot_used);
		free(kv->vcpus);
		free(kv);
		return rc;
	}
	if (kb->has_msr_exit) {
		/* Unknown and filtered MSR accesses exit to user space (api.rst 7.21). */
		struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_USER_SPACE_MSR };

		cap.args[0] = KVM_MSR_EXIT_REASON_UNKNOWN | KVM_MSR_EXIT_REASON_FILTER;
		if (ioctl(kv->vm_fd, KVM_ENABLE_CAP, &cap) < 0)
			kb->has_msr_exit = 0;
	}
	vm->priv = kv;
	return LV_OK;
}

static void kvm_vm_destroy(struct lv_vm *vm)
{
	struct kvm_vm *kv = vm->priv;

	lv_kvm_vcpus_free(kv);
	lv_kvm_mem_fini(kv);
	close(kv->vm_fd);
	free(kv->slot_used);
	free(kv->vcpus);
	free(kv);
}

/*
 * MSR exits through KVM_X86_SET_MSR_FILTER: every MSR of a caller range is
 * "denied" (bitmap bit 0) for the accesses that should exit, which with
 * KVM_MSR_EXIT_REASON_FILTER enabled turns into a user-space exit.
 */
int lv_kvm_set_msr_exits(struct lv_vm *vm, const struct lv_msr_range *r, size_t n)
{
	struct kvm_backend *kb = vm->backend->priv;
	struct kvm_vm *kv = vm->priv;
	struct kvm_msr_filter f;
	uint32_t per = KVM_MSR_FILTER_MAX_BITMAP_SIZE * 8;
	size_t i, nr = 0;
	uint8_t *zeros;
	int rc = LV_OK;

	if (!kb->has_msr_exit)
		return LV_ERR_NOTSUP;
	for (i = 0; i < n; i++)
		nr += (r[i].count + per - 1) / per;
	if (nr > KVM_MSR_FILTER_MAX_RANGES)
		return LV_ERR_LIMIT;
	zeros = calloc(1, KVM_MSR_FILTER_MAX_BITMAP_SIZE);
	if (!zeros)
		return LV_ERR_NOMEM;
	memset(&f, 0, sizeof(f));
	f.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
	nr = 0;
	for (i = 0; i < n; i++) {
		uint32_t done = 0;

		while (done < r[i].count) {
			uint32_t c = r[i].count - done < per ? r[i].count - done : per;

			f.ranges[nr].flags =
				((r[i].flags & LV_MSR_EXIT_READ) ? KVM_MSR_FILTER_READ : 0) |
				((r[i].flags & LV_MSR_EXIT_WRITE) ? KVM_MSR_FILTER_WRITE : 0);
			f.ranges[nr].nmsrs = c;
			f.ranges[nr].base = r[i].first + done;
			f.ranges[nr].bitmap = zeros;
			nr++;
			done += c;
		}
	}
	if (ioctl(kv->vm_fd, KVM_X86_SET_MSR_FILTER, &f) < 0)
		rc = lv_kvm_errno(errno);
	free(zeros);
	return rc;
}

const struct lv_backend_ops lv_kvm_ops = {
	.name = "kvm",
	.kind = LV_BACKEND_KVM,
	.open = kvm_open,
	.close = kvm_close,
	.vm_create = kvm_vm_create,
	.vm_destroy = kvm_vm_destroy,
	.map = lv_kvm_map,
	.unmap = lv_kvm_unmap,
	.protect = lv_kvm_protect,
	.get_dirty = lv_kvm_get_dirty,
	.set_msr_exits = lv_kvm_set_msr_exits,
	.irq_line = kvm_irq_line,
	.signal_msi = kvm_signal_msi,
	.vcpu_create = lv_kvm_vcpu_create,
	.vcpu_destroy = lv_kvm_vcpu_destroy,
	.run = lv_kvm_run,
	.kick = lv_kvm_kick,
	.get_state = lv_kvm_get_state,
	.set_state = lv_kvm_set_state,
	.get_msr = lv_kvm_get_msr,
	.set_msr = lv_kvm_set_msr,
	.inject = lv_kvm_inject,
	.request_window = lv_kvm_request_window,
	.set_cpuid = lv_kvm_set_cpuid,
	.set_exception_exits = lv_kvm_set_exception_exits,
	.set_debug = lv_kvm_set_debug,
};
