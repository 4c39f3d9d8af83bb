/* SPDX-License-Identifier: MIT */
/*
 * TSC_AUX (MSR C000_0103h) of the raw backends: RDTSCP returns it in ECX
 * and RDPID returns it (SDM Vol. 2B; APM Vol. 3). Neither VM entry nor
 * VM exit switches it (SDM Vol. 3, 27.3, 28.5; APM Vol. 2, 15.5.1, 15.6),
 * and SVM cannot intercept RDPID, so a guest would read the host's value
 * (an OS keeps its CPU number there) whatever its CPUID says. So the
 * guest's value is kept here (guest RDMSR/WRMSR and lv_vcpu_get_msr /
 * set_msr) and is in the MSR whenever the guest runs and differs from the
 * host's; the host's, read by lv_cpu_enable() on each CPU, is put back
 * after the exit (SVM) or before lv_vcpu_run() returns (VMX).
 */
#include "../../core/cpuid.h"
#include "../../core/lvlib.h"
#include "../../core/x86_arch.h"
#include "x86_insn.h"
#include "x86_vcpu.h"

/* The CPU has TSC_AUX: RDTSCP (CPUID 8000_0001h:EDX[27]) or RDPID (7:ECX[22]). */
static int has_tsc_aux(void)
{
	uint32_t a, b, c, d;

	lv_cpuid(0x80000000u, 0, &a, &b, &c, &d);
	if (a >= 0x80000001u) {
		lv_cpuid(0x80000001u, 0, &a, &b, &c, &d);
		if (d & (1u << 27))
			return 1;
	}
	lv_cpuid(0, 0, &a, &b, &c, &d);
	if (a >= 7) {
		lv_cpuid(7, 0, &a, &b, &c, &d);
		if (c & (1u << 22))
			return 1;
	}
	return 0;
}

uint32_t lv_x86_host_tsc_aux(void)
{
	return has_tsc_aux() ? (uint32_t)lv_rdmsr(MSR_TSC_AUX) : 0;
}

int lv_x86_aux_msr(struct lv_x86_vcpu *x, int write, uint64_t *value)
{
	if (!has_tsc_aux())
		return 0;
	if (!write) {
		*value = x->tsc_aux;
		return 1;
	}
	if (*value >> 32)
		return -1; /* bits 63:32 are reserved: #GP(0), as on the CPU */
	x->tsc_aux = (uint32_t)*value;
	/* Loaded by the vendor's slow entry work, which keeps it while they differ. */
	lv_x86_rq_set(x, LV_X86_RQ_LAYER);
	return 1;
}

void lv_x86_aux_load(struct lv_x86_vcpu *x)
{
	lv_wrmsr(MSR_TSC_AUX, x->tsc_aux);
	x->aux_loaded = 1;
}

void lv_x86_aux_put(struct lv_x86_vcpu *x, uint32_t host)
{
	lv_wrmsr(MSR_TSC_AUX, host);
	x->aux_loaded = 0;
}
