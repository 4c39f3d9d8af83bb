/* SPDX-License-Identifier: MIT */
/*
 * Ring-0 test kernel main: opens whichever ring-0 backend this CPU has
 * (LV_BACKEND_ANY: VMX, then SVM, by CPUID), enables it on the boot CPU,
 * runs every case of the case table through the public API and prints one
 * line per case:
 *
 *   LVT PLAN <n>
 *   LVT CASE <name> PASS|FAIL|SKIP [reason]
 *   LVT SUMMARY backend=<name> pass=<p> fail=<f> skip=<s>
 *   LVT END
 *
 * tests/ring0/run_ring0.sh parses these lines.
 */
#include "kernel.h"
#include "cases.h"

/*
 * Hooks of the VMX backend's own cases (vmx_cases.c, tss.c; owned by the
 * VMX work). Weak, so the kernel links without them.
 */
extern const struct tcase vmx_cases[] __attribute__((weak));
extern const unsigned vmx_ncases __attribute__((weak));
void vmx_probe_line(void) __attribute__((weak));
void tss_init(void) __attribute__((weak));

#include "../../src/core/cpuid.h"

extern uint32_t mb_magic, mb_info;
extern int lv_vmx_force_cr8_exiting; /* the VMX backend's test seam (src/backend/vmx/vmx_priv.h) */

static char cmdline[128];

/* Copy the boot command line (Multiboot1 info flag 2; Multiboot2 tag 1). */
static void read_cmdline(void)
{
	const char *src = NULL;
	size_t i;

	if (mb_magic == 0x2badb002u) {
		const uint32_t *info = (const uint32_t *)(uintptr_t)mb_info;

		if (info[0] & (1u << 2))
			src = (const char *)(uintptr_t)info[4];
	} else if (mb_magic == 0x36d76289u) {
		const uint8_t *p = (const uint8_t *)(uintptr_t)mb_info + 8;
		const uint8_t *end = p + *(const uint32_t *)(uintptr_t)mb_info - 8;

		while (p < end) {
			uint32_t type = *(const uint32_t *)p, size = *(const uint32_t *)(p + 4);

			if (type == 0)
				break;
			if (type == 1) {
				src = (const char *)(p + 8);
				break;
			}
			p += (size + 7) & ~7u;
		}
	}
	for (i = 0; src && src[i] && i + 1 < sizeof(cmdline); i++)
		cmdline[i] = src[i];
	cmdline[i] = 0;
}

/* True when the command line holds the word @p w (space separated). */
int cmdline_has(const char *w)
{
	const char *p = cmdline;
	size_t n = 0;

	while (w[n])
		n++;
	while (*p) {
		size_t i = 0;

		while (*p == ' ')
			p++;
		while (i < n && p[i] == w[i])
			i++;
		if (i == n && (p[i] == ' ' || p[i] == 0))
			return 1;
		while (*p && *p != ' ')
			p++;
	}
	return 0;
}

static void print_cpu(void)
{
	uint32_t v[4], a, b, c, d;

	lv_cpuid(0, 0, &v[3], &v[0], &v[2], &v[1]);
	v[3] = 0;
	lv_cpuid(0x80000001u, 0, &a, &b, &c, &d);
	kprintf("LVT CPU vendor=%s svm=%u vmx=", (const char *)v, (c >> 2) & 1);
	lv_cpuid(1, 0, &a, &b, &c, &d);
	kprintf("%u\n", (c >> 5) & 1);
}

static int streq_name(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/* Jobs for the second CPU (smp.c). */
static struct lv_backend *ap_b;
static int ap_rc = -1;

static void ap_enable(void *arg, unsigned i)
{
	(void)i;
	*(int *)arg = lv_cpu_enable(ap_b);
}

static void ap_disable(void *arg, unsigned i)
{
	(void)i;
	*(int *)arg = lv_cpu_disable(ap_b);
}

void kmain(void);
void vmm_main(void) __attribute__((noreturn));

void kmain(void)
{
	struct lv_backend *b = NULL;
	struct lv_caps caps;
	unsigned pass = 0, fail = 0, skip = 0, i, nvmx, nconf, nunplanned;
	size_t free0, allocs0;
	int rc;

	idt_init();
	if (tss_init)
		tss_init(); /* VMX needs a host TR */
	plat_init();
	/*
	 * The kernel runs with IF = 0 until a timer callback is scheduled:
	 * mask both PICs so that no physical interrupt (e.g. the PIT after
	 * GRUB) stays pending forever, which would make every VMRUN exit at
	 * once (INTR intercept).
	 */
	timer_init(); /* PICs remapped, all IRQs masked */
	read_cmdline();
	kprintf("LVT BOOT libvcpu ring-0 test kernel (multiboot %s) cmdline='%s'\n",
		mb_magic == 0x2badb002u	  ? "1"
		: mb_magic == 0x36d76289u ? "2"
					  : "?",
		cmdline);
	print_cpu();
	host_fpu_init();
	if (cmdline_has("vmm"))
		vmm_main(); /* vcpu-run -b svm|vmx: run its guest image instead of the cases (vmm.c) */
	smp_init();
	kprintf("LVT SMP cpus=%u\n", smp_cpus());

	if (vmx_probe_line)
		vmx_probe_line(); /* the VMX-absent negative test looks for it */
	/* Baseline for the leak check after lv_backend_close(). */
	free0 = plat_pages_free();
	allocs0 = plat_allocs_live();
	if (cmdline_has("cr8exit")) {
		/* The VMX fallback for CPUs without the TPR shadow (vmx_priv.h). */
		lv_vmx_force_cr8_exiting = 1;
		kprintf("LVT BACKEND vmx: CR8-load/store exiting instead of the TPR shadow\n");
	}
	rc = lv_backend_open(LV_BACKEND_ANY, &b);
	kprintf("LVT BACKEND open rc=%s\n", lv_status_name(rc));
	if (rc) {
		kprintf("LVT SUMMARY backend=none pass=0 fail=1 skip=0\nLVT END\n");
		kexit(1);
	}
	lv_backend_caps(b, &caps);
	kprintf("LVT BACKEND name=%s asids=%u features=%#lx raw0=%#lx\n",
		lv_backend_kind_name(caps.kind), caps.num_asids, (unsigned long)caps.features,
		(unsigned long)caps.raw[0]);
	rc = lv_cpu_enable(b);
	kprintf("LVT BACKEND cpu_enable rc=%s vm_cr_fixups=%u\n", lv_status_name(rc),
		trap_vmcr_fixups);
	if (rc) {
		kprintf("LVT SUMMARY backend=%s pass=0 fail=1 skip=0\nLVT END\n",
			lv_backend_kind_name(caps.kind));
		kexit(1);
	}
	if (smp_cpus() > 1) {
		ap_b = b;
		smp_run_on_ap(ap_enable, &ap_rc, 1);
		smp_wait_ap();
		kprintf("LVT BACKEND cpu_enable(AP) rc=%s\n", lv_status_name(ap_rc));
		if (ap_rc)
			fail++;
	}

	/* The shared table, then (VMX backend only) vmx_cases.c's. */
	nvmx = (caps.kind == LV_BACKEND_VMX && &vmx_ncases) ? vmx_ncases : 0;
	nconf = 0;
#if LV_RING0_CONFORMANCE
	if (!cmdline_has("benchonly"))
		nconf = conf_count();
#endif
	/* Cases that need more CPUs than this kernel started are not planned. */
	nunplanned = 0;
	for (i = 0; i < ncases + nvmx; i++)
		if ((i < ncases ? &cases[i] : &vmx_cases[i - ncases])->cpus > smp_cpus())
			nunplanned++;
	if (nunplanned)
		kprintf("LVT NOTE %u cases need a second CPU and run where one is started "
			"(command line 'smp')\n",
			nunplanned);
	kprintf("LVT PLAN %u\n", (unsigned)(ncases + nvmx + nconf - nunplanned));
	for (i = 0; i < ncases + nvmx; i++) {
		const struct tcase *tc = i < ncases ? &cases[i] : &vmx_cases[i - ncases];
		char why[160];
		int r;

		if (tc->cpus > smp_cpus())
			continue;
		why[0] = 0;
		if (cmdline_has("benchonly") && !streq_name(tc->name, "bench_cpuid") &&
		    !streq_name(tc->name, "vmx_bench_cpuid")) {
			kprintf("LVT CASE %s SKIP benchonly\n", tc->name);
			skip++;
			continue;
		}
		r = tc->fn(b, why, sizeof(why));
		kprintf("LVT CASE %s %s%s%s\n", tc->name,
			r == CASE_PASS	 ? "PASS"
			: r == CASE_SKIP ? "SKIP"
					 : "FAIL",
			why[0] ? " " : "", why);
		if (r == CASE_PASS)
			pass++;
		else if (r == CASE_SKIP)
			skip++;
		else
			fail++;
	}
#if LV_RING0_CONFORMANCE
	if (!cmdline_has("benchonly"))
		conf_run(b, &pass, &fail, &skip);
#endif

	if (smp_cpus() > 1 && ap_rc == LV_OK) {
		smp_run_on_ap(ap_disable, &ap_rc, 1);
		smp_wait_ap();
		if (ap_rc) {
			kprintf("LVT CHECK cpu_disable(AP) rc=%s\n", lv_status_name(ap_rc));
			fail++;
		}
	}
	rc = lv_cpu_disable(b);
	if (rc) {
		kprintf("LVT CHECK cpu_disable rc=%s\n", lv_status_name(rc));
		fail++;
	}
	rc = lv_backend_close(b);
	if (rc) {
		kprintf("LVT CHECK backend_close rc=%s\n", lv_status_name(rc));
		fail++;
	}
	if (plat_pages_free() != free0 || plat_allocs_live() != allocs0) {
		kprintf("LVT CHECK leak: pages %lu -> %lu, live allocations %lu -> %lu\n",
			(unsigned long)free0, (unsigned long)plat_pages_free(),
			(unsigned long)allocs0, (unsigned long)plat_allocs_live());
		fail++;
	}
	kprintf("LVT SUMMARY backend=%s pass=%u fail=%u skip=%u\nLVT END\n",
		lv_backend_kind_name(caps.kind), pass, fail, skip);
	kexit(fail ? 1 : 0);
}
