/* SPDX-License-Identifier: MIT */
/*
 * The conformance suite (tests/conformance, the same cases the KVM tier
 * runs) inside the test kernel: its harness hooks, and its output turned
 * into the kernel's "LVT CASE conf_<name> ..." lines. Compiled only when
 * the suite exists (LV_RING0_CONFORMANCE).
 */
#if LV_RING0_CONFORMANCE
#include <libvcpu/platform.h>

#include "../../src/backend/x86/x86_insn.h" /* lv_rdmsr, lv_wrmsr */
#include "../../src/core/x86_arch.h"
#include "cases.h"
#include "lv_conformance.h"

static char line[256];
static size_t len;

/* One finished runner line: "PASS name", "FAIL name: why", "SKIP name: why", or a summary. */
static void flush_line(unsigned *counts)
{
	static const char *const tags[3] = { "PASS ", "FAIL ", "SKIP " };
	const char *name, *why = "";
	unsigned k;
	char *p;

	line[len] = 0;
	for (k = 0; k < 3; k++) {
		const char *t = tags[k];
		unsigned j = 0;

		while (t[j] && line[j] == t[j])
			j++;
		if (!t[j])
			break;
	}
	if (k == 3) {
		len = 0; /* the runner's per-run summary: the kernel prints its own */
		return;
	}
	name = line + 5;
	for (p = line + 5; *p && *p != ':'; p++)
		;
	if (*p == ':') {
		*p = 0;
		why = p + 1;
	}
	kprintf("LVT CASE conf_%s %s%s\n", name, k == 0 ? "PASS" : k == 1 ? "FAIL" : "SKIP", why);
	counts[k]++;
	len = 0;
}

static unsigned counts[3];

static void conf_print(void *ctx, const char *s)
{
	(void)ctx;
	for (; *s; s++) {
		if (*s == '\n')
			flush_line(counts);
		else if (len + 1 < sizeof(line))
			line[len++] = *s;
	}
}

static void *conf_mem_alloc(void *ctx, size_t size)
{
	uint64_t pa;

	(void)ctx;
	return lv_plat_page_alloc((size + 4095) / 4096, &pa);
}

static void conf_mem_free(void *ctx, void *p, size_t size)
{
	(void)ctx;
	lv_plat_page_free(p, (size + 4095) / 4096);
}

static int conf_call_later(void *ctx, uint32_t usec, void (*fn)(void *arg), void *arg)
{
	(void)ctx;
	return timer_call_later(usec, fn, arg);
}

static int conf_parallel(void *ctx, unsigned n, void (*fn)(void *arg, unsigned i), void *arg)
{
	(void)ctx;
	if (n != 2 || smp_run_on_ap(fn, arg, 1))
		return -1;
	fn(arg, 0);
	return smp_wait_ap();
}

/*
 * The host CPU's DR0-DR3, DR7, CR8 (the local APIC's TPR, SDM Vol. 3,
 * 10.8.6.1) and TSC_AUX.
 */
static int conf_host_reg(void *ctx, unsigned reg, int write, uint64_t *v)
{
	(void)ctx;
#define REG(n, name)                                                                               \
	case n:                                                                                    \
		if (write)                                                                         \
			__asm__ volatile("mov %0, %%" name ::"r"(*v) : "memory");                  \
		else                                                                               \
			__asm__ volatile("mov %%" name ", %0" : "=r"(*v));                         \
		return 0;
	switch (reg) {
		REG(0, "dr0")
		REG(1, "dr1")
		REG(2, "dr2")
		REG(3, "dr3")
		REG(7, "dr7")
		REG(LV_CONF_HOST_CR8, "cr8")
	case LV_CONF_HOST_TSC_AUX: {
		uint32_t a, b, c, d;

		__asm__ volatile("cpuid"
				 : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
				 : "a"(0x80000001u), "c"(0));
		if (write || !(d & (1u << 27))) /* RDTSCP (and TSC_AUX) */
			return -1;
		*v = lv_rdmsr(MSR_TSC_AUX);
		return 0;
	}
	case LV_CONF_HOST_STAR:
	case LV_CONF_HOST_LSTAR:
	case LV_CONF_HOST_SFMASK:
	case LV_CONF_HOST_KERNEL_GS_BASE: {
		static const uint32_t msr[] = { MSR_STAR, MSR_LSTAR, MSR_SFMASK,
						MSR_KERNEL_GS_BASE };

		if (write)
			lv_wrmsr(msr[reg - LV_CONF_HOST_STAR], *v);
		else
			*v = lv_rdmsr(msr[reg - LV_CONF_HOST_STAR]);
		return 0;
	}
	default:
		return -1;
	}
#undef REG
}

unsigned conf_count(void)
{
	return lv_conformance_count();
}

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/*
 * Cases Bochs 2.7's SVM cannot run (the same limits the smoke cases
 * triple_fault and kick_irq_if0 document).
 */
static const char *bochs_svm_skip(const struct lv_caps *caps, const char *name)
{
	if (caps->kind != LV_BACKEND_SVM || !cmdline_has("bochs"))
		return NULL;
	if (streq(name, "triple_fault"))
		return "Bochs 2.7 SVM resets/panics on a guest triple fault before checking the "
		       "SHUTDOWN intercept";
	if (streq(name, "kick_spinning"))
		return "Bochs 2.7 SVM: a physical interrupt does not exit a guest running with "
		       "RFLAGS.IF = 0 (V_INTR_MASKING)";
	return NULL;
}

/* Cases QEMU 7.2 TCG cannot run (the suite names them). */
static const char *qemu_skip(const char *name)
{
	return cmdline_has("bochs") ? NULL : lv_conformance_qemu_tcg_skip(name);
}

/* One case at a time, so a case the emulator cannot survive is skipped with its reason. */
void conf_run(struct lv_backend *b, unsigned *pass, unsigned *fail, unsigned *skip)
{
	struct lv_conf_host h = { 0 };
	struct lv_conf_summary sum;
	struct lv_caps caps;
	unsigned i;

	lv_backend_caps(b, &caps);
	h.print = conf_print;
	h.mem_alloc = conf_mem_alloc;
	h.mem_free = conf_mem_free;
	h.call_later = conf_call_later;
	h.host_fpu = host_fpu_hook;
	h.host_reg = conf_host_reg;
	if (smp_cpus() > 1)
		h.parallel = conf_parallel;
	counts[0] = counts[1] = counts[2] = 0;
	for (i = 0; i < lv_conformance_count(); i++) {
		const char *name = lv_conformance_name(i);

		const char *why = bochs_svm_skip(&caps, name);

		if (!why)
			why = qemu_skip(name);

		if (why) {
			kprintf("LVT CASE conf_%s SKIP %s\n", name, why);
			counts[2]++;
			continue;
		}
		h.only = name;
		lv_conformance_run(b, &h, &sum);
	}
	*pass += counts[0];
	*fail += counts[1];
	*skip += counts[2];
}
#else
typedef int lv_ring0_no_conformance; /* ISO C: no empty translation unit */
#endif
