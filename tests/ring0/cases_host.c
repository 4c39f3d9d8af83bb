/* SPDX-License-Identifier: MIT */
/*
 * Host state that VM exit changes and the backend must give back, seen
 * from the host's own side (the conformance suite's iso cases see the
 * rest). Backend-neutral.
 */
#include <libvcpu/platform.h>

#include "../../src/backend/x86/x86_insn.h" /* lv_rdmsr, lv_read_cr4, ... */
#include "../../src/core/x86_arch.h"
#include "cases.h"
#include "guest.h"

GUEST_SNIPPET(io);

#define PROBE_PORT 0x80 /* the POST port: reading it does nothing */

uint64_t ring1_in_probe(uint64_t rsp1, uint32_t code_sel, uint32_t port);
void ring1_back(void);

static uint64_t ring1_stack[64] __attribute__((aligned(16)));
static uint64_t ring0_stack[128] __attribute__((aligned(16)));

/* 1: an IN at CPL 1 went through the TSS's I/O bitmap; 0: it raised #GP. */
static int probe(void)
{
	uint64_t gp[2], back[2], r;

	idt_gate_swap(13, (uint64_t)(uintptr_t)ring1_back, 0, gp);
	idt_gate_swap(0x81, (uint64_t)(uintptr_t)ring1_back, 1, back);
	r = ring1_in_probe((uint64_t)(uintptr_t)&ring1_stack[64], tss_ring1_code(), PROBE_PORT);
	idt_gate_put(0x81, back);
	idt_gate_put(13, gp);
	return (int)r;
}

/*
 * host_tr: the host's TSS carries an I/O permission bitmap, so its limit
 * is over 67H. VMX's VM exit sets TR's limit to 67H (SDM Vol. 3, 28.5.2),
 * which puts the bitmap out of reach: an IN at CPL 1 that the bitmap
 * allows then raises #GP. After every lv_vcpu_run() the host's IN must
 * still go through. The probe is checked both ways first (#GP without the
 * bitmap, through with it), so the case cannot pass by not probing.
 */
int case_host_tr(struct lv_backend *b, char *why, size_t n);
int case_host_tr(struct lv_backend *b, char *why, size_t n)
{
	uint64_t rsp0 = (uint64_t)(uintptr_t)&ring0_stack[128];
	struct guest g;
	unsigned i;

	if (lv_plat_cpu_id() != 0) {
		ksnprintf(why, n, "runs on CPU %u, the bitmap is the boot CPU's", lv_plat_cpu_id());
		return CASE_FAIL;
	}
	tss_io_map(0, PROBE_PORT, rsp0);
	if (probe()) {
		ksnprintf(why, n, "the probe's IN went through a 104-byte TSS (no bitmap)");
		return CASE_FAIL;
	}
	tss_io_map(1, PROBE_PORT, rsp0);
	if (!probe()) {
		tss_io_map(0, PROBE_PORT, 0);
		ksnprintf(why, n, "the probe's IN raised #GP although the bitmap allows port %#x",
			  PROBE_PORT);
		return CASE_FAIL;
	}
	if (guest_setup(&g, b, g_io, g_io_end, why, n)) {
		tss_io_map(0, PROBE_PORT, 0);
		return CASE_FAIL;
	}
	for (i = 0; i < 5; i++) {
		if (lv_vcpu_run(g.vcpu, &g.ex) != LV_OK) {
			ksnprintf(why, n, "run %u failed", i);
			goto fail;
		}
		if (!probe()) {
			ksnprintf(why, n,
				  "after exit %u (%s) the host's IN raised #GP: TR's limit is "
				  "no longer the TSS's",
				  i, lv_exit_reason_name(g.ex->reason));
			goto fail;
		}
		if (g.ex->reason == LV_EXIT_HLT)
			break;
	}
	guest_teardown(&g);
	tss_io_map(0, PROBE_PORT, 0);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	tss_io_map(0, PROBE_PORT, 0);
	return CASE_FAIL;
}

#define CR4_TSD (1u << 2) /* RDTSC at CPL 0 only: nothing here runs above CPL 0 */

/*
 * host_fs_cr4: the host changes its FS base (a thread's TLS, moved by
 * arch_prctl) and CR4 (Linux flips TSD and PCE per task) between two runs
 * of a vCPU on the same CPU. VM exit loads both from the VMCS (SDM Vol. 3,
 * 28.5.1, 28.5.2), so each run must see the host's current values.
 */
int case_host_fs_cr4(struct lv_backend *b, char *why, size_t n);
int case_host_fs_cr4(struct lv_backend *b, char *why, size_t n)
{
	uint64_t fs0 = lv_rdmsr(MSR_FS_BASE), cr40 = lv_read_cr4(), fs, cr4;
	struct guest g;
	unsigned i;

	if (guest_setup(&g, b, g_io, g_io_end, why, n))
		return CASE_FAIL;
	for (i = 0; i < 5; i++) {
		/* A new value before each run: the first run sees the old ones. */
		fs = 0xffff800000001000ull + i * 0x1000u;
		cr4 = (i & 1) ? cr40 ^ CR4_TSD : cr40;
		if (i) {
			lv_wrmsr(MSR_FS_BASE, fs);
			lv_write_cr4(cr4);
		} else {
			fs = fs0;
		}
		EXPECT(lv_vcpu_run(g.vcpu, &g.ex) == LV_OK, "run %u", i);
		EXPECT(lv_rdmsr(MSR_FS_BASE) == fs,
		       "after exit %u (%s) the host's FS base is %#lx, was %#lx", i,
		       lv_exit_reason_name(g.ex->reason), (unsigned long)lv_rdmsr(MSR_FS_BASE),
		       (unsigned long)fs);
		EXPECT(lv_read_cr4() == cr4, "after exit %u (%s) the host's CR4 is %#lx, was %#lx",
		       i, lv_exit_reason_name(g.ex->reason), (unsigned long)lv_read_cr4(),
		       (unsigned long)cr4);
		if (g.ex->reason == LV_EXIT_HLT)
			break;
	}
	guest_teardown(&g);
	lv_wrmsr(MSR_FS_BASE, fs0);
	lv_write_cr4(cr40);
	return CASE_PASS;
fail:
	guest_teardown(&g);
	lv_wrmsr(MSR_FS_BASE, fs0);
	lv_write_cr4(cr40);
	return CASE_FAIL;
}

#define DEBUGCTL_LBR 1u	       /* last-branch recording: harmless to leave on briefly */
#define DEBUGCTL_BTF (1u << 1) /* single-step on branches: only with RFLAGS.TF */

/* Set IA32_DEBUGCTL to @p v; 0 if the model refused or dropped it (trap.c's fixup). */
static int debugctl_set(uint64_t v)
{
	unsigned fixups = trap_debugctl_fixups;

	lv_wrmsr(MSR_DEBUGCTL, v);
	return trap_debugctl_fixups == fixups && (lv_rdmsr(MSR_DEBUGCTL) & v) == v;
}

/*
 * host_debugctl: the host's IA32_DEBUGCTL is the same after every run.
 * VMX's VM exit clears the MSR (SDM Vol. 3, 28.5.1); SVM's leaves it
 * alone without LBR virtualization (APM Vol. 2, 15.23). The host sets BTF
 * or LBR first where the CPU model keeps one of them; Bochs 2.7 refuses
 * every bit and QEMU TCG drops them, so there the value checked is the
 * host's own (0), and the backend's write-back of a non-zero value is not
 * reached (the case says which it checked).
 */
int case_host_debugctl(struct lv_backend *b, char *why, size_t n);
int case_host_debugctl(struct lv_backend *b, char *why, size_t n)
{
	uint64_t was = lv_rdmsr(MSR_DEBUGCTL), want = was, now;
	struct guest g;
	unsigned i;

	if (debugctl_set(DEBUGCTL_BTF) || debugctl_set(DEBUGCTL_LBR))
		want = lv_rdmsr(MSR_DEBUGCTL);
	else
		lv_wrmsr(MSR_DEBUGCTL, was);
	if (guest_setup(&g, b, g_io, g_io_end, why, n)) {
		lv_wrmsr(MSR_DEBUGCTL, was);
		return CASE_FAIL;
	}
	for (i = 0; i < 5; i++) {
		EXPECT(lv_vcpu_run(g.vcpu, &g.ex) == LV_OK, "run %u", i);
		now = lv_rdmsr(MSR_DEBUGCTL);
		EXPECT(now == want, "after exit %u (%s) the host's IA32_DEBUGCTL is %#lx, was %#lx",
		       i, lv_exit_reason_name(g.ex->reason), (unsigned long)now,
		       (unsigned long)want);
		if (g.ex->reason == LV_EXIT_HLT)
			break;
	}
	guest_teardown(&g);
	lv_wrmsr(MSR_DEBUGCTL, was);
	ksnprintf(why, n, "%s",
		  want == was ? "the host's own DEBUGCTL (this model keeps no bit)"
			      : "a host DEBUGCTL with BTF or LBR set");
	return CASE_PASS;
fail:
	guest_teardown(&g);
	lv_wrmsr(MSR_DEBUGCTL, was);
	return CASE_FAIL;
}

/*
 * harness_call_on_cpu: the seam's lv_plat_call_on_cpu() (smp.c) runs the
 * function once, on the CPU it names, with interrupts off, and waits for
 * it; it refuses a CPU that is not there without running anything. Asked
 * from the boot CPU and, with a second CPU, from that one too (the
 * request slot and IPI in both directions).
 */
struct call_rec {
	uint32_t cpu;
	unsigned calls;
	uint64_t rflags;
};

static void call_rec_fn(void *arg)
{
	struct call_rec *r = arg;

	r->cpu = lv_plat_cpu_id();
	__asm__ volatile("pushfq; popq %0" : "=r"(r->rflags));
	r->calls++;
}

struct call_check {
	char why[120];
	int res;
};

static void call_check(void *arg, unsigned i)
{
	struct call_check *c = arg;
	char *why = c->why;
	size_t n = sizeof(c->why);
	uint32_t cpu, count = lv_plat_cpu_count();
	struct call_rec r;

	(void)i;
	c->res = CASE_FAIL;
	for (cpu = 0; cpu < count; cpu++) {
		r.cpu = ~0u;
		r.calls = 0;
		r.rflags = RFLAGS_IF;
		EXPECT(lv_plat_call_on_cpu(cpu, call_rec_fn, &r) == 0,
		       "from CPU %u: CPU %u refused", lv_plat_cpu_id(), cpu);
		EXPECT(r.calls == 1 && r.cpu == cpu, "from CPU %u to %u: ran %u times, on CPU %u",
		       lv_plat_cpu_id(), cpu, r.calls, r.cpu);
		EXPECT(!(r.rflags & RFLAGS_IF), "from CPU %u to %u: ran with interrupts on",
		       lv_plat_cpu_id(), cpu);
	}
	r.calls = 0;
	EXPECT(lv_plat_call_on_cpu(count, call_rec_fn, &r) != 0 &&
		       lv_plat_call_on_cpu(~0u, call_rec_fn, &r) != 0 && r.calls == 0,
	       "CPU %u or ~0 (absent) accepted, ran %u times", count, r.calls);
	c->res = CASE_PASS;
fail:
	return;
}

int case_call_on_cpu(struct lv_backend *b, char *why, size_t n);
int case_call_on_cpu(struct lv_backend *b, char *why, size_t n)
{
	static struct call_check c;

	(void)b;
	/* The seam's rule: called with interrupts on (the PICs are masked, kmain.c). */
	__asm__ volatile("sti");
	call_check(&c, 0);
	if (c.res == CASE_PASS && smp_cpus() > 1) {
		EXPECT(smp_run_on_ap(call_check, &c, 1) == 0, "AP busy");
		smp_wait_ap();
	}
	if (c.res != CASE_PASS)
		ksnprintf(why, n, "%s", c.why);
	else
		ksnprintf(why, n, "%u CPU(s), each calling each, absent CPUs refused", smp_cpus());
	return c.res;
fail:
	return CASE_FAIL;
}
