/* SPDX-License-Identifier: MIT */
/*
 * The VMX backend's lazy VMCLEAR on two CPUs (src/backend/vmx/vmx_vcpu.c):
 * a vCPU's VMCS stays active and launched on the CPU it last ran on, also
 * while other VMCSs are loaded there, and is cleared on that CPU, through
 * lv_plat_call_on_cpu(), only when the vCPU runs or is read on another CPU,
 * or is destroyed, and by lv_cpu_disable() there before VMXOFF (SDM Vol.
 * 3, 25.11.1-25.11.3). Each case checks the guest's state across the
 * moves (GPRs, RIP, CR8, a guest MSR: one wrong launch state would end a
 * run with an entry failure, VMLAUNCH on a launched VMCS or VMRESUME on a
 * clear one, 31.4 errors 4 / 5) and, with
 * VMPTRST on each CPU, where the VMCS is current: after a run on a CPU it
 * is current there, and the CPU it left has none (its VMCLEAR ran there).
 * They need the second CPU (vmx_bochs_skylake_smp) and SKIP without it.
 */
#include "kernel.h"
#include "cases.h"
#include "guest.h"
#include "vmx_cases.h"

#include <libvcpu/platform.h>

void *memcpy(void *dst, const void *src, size_t n);

#define NO_VMCS	     (~0ull) /* VMPTRST with no current VMCS (SDM Vol. 3, VMPTRST) */
#define SYSENTER_ESP 0x175u

/*
 * 64-bit guest; the OUTs are the exits, numbered as the cases use them:
 *  A 0x80 after setting CR8 = 5, SYSENTER_ESP = 0x5eed1234, R12 = 0x1000
 *  B 0x81 after R12 + 1;  C 0x82 = CR8;  D 0x83 = SYSENTER_ESP (RDMSR);
 *  E 0x84 = R12 (+ 2 by then); then HLT.
 */
static const uint8_t g64_lazy[] = {
	0xb8, 0x05, 0x00, 0x00, 0x00,	    /* 0: mov eax, 5 */
	0x44, 0x0f, 0x22, 0xc0,		    /* 5: mov cr8, rax */
	0xb9, 0x75, 0x01, 0x00, 0x00,	    /* 9: mov ecx, 0x175 */
	0xb8, 0x34, 0x12, 0xed, 0x5e,	    /* 14: mov eax, 0x5eed1234 */
	0x31, 0xd2,			    /* 19: xor edx, edx */
	0x0f, 0x30,			    /* 21: wrmsr */
	0x41, 0xbc, 0x00, 0x10, 0x00, 0x00, /* 23: mov r12d, 0x1000 */
	0xe6, 0x80,			    /* 29: out 0x80, al (A) */
	0x49, 0xff, 0xc4,		    /* 31: inc r12 */
	0xe6, 0x81,			    /* 34: out 0x81, al (B) */
	0x49, 0xff, 0xc4,		    /* 36: inc r12 */
	0x44, 0x0f, 0x20, 0xc0,		    /* 39: mov rax, cr8 */
	0xe7, 0x82,			    /* 43: out 0x82, eax (C) */
	0xb9, 0x75, 0x01, 0x00, 0x00,	    /* 45: mov ecx, 0x175 */
	0x0f, 0x32,			    /* 50: rdmsr */
	0xe7, 0x83,			    /* 52: out 0x83, eax (D) */
	0x4c, 0x89, 0xe0,		    /* 54: mov rax, r12 */
	0xe7, 0x84,			    /* 57: out 0x84, eax (E) */
	0xf4,				    /* 59: hlt */
};
#define RIP_AFTER_A (GVM_CODE + 31u)
#define RIP_AFTER_B (GVM_CODE + 36u)

static uint64_t vmcs_here(void)
{
	uint64_t p;

	__asm__ volatile("vmptrst %0" : "=m"(p));
	return p;
}

/* One job for the second CPU: a run (unless want is 0), a state read, VMPTRST. */
struct ap_job {
	struct gvm *g;
	uint32_t want;		  /* the exit the run must give; 0: no run */
	uint32_t state;		  /* LV_STATE_* to read after it; 0: none */
	struct lv_backend *cycle; /* instead: lv_cpu_disable() and lv_cpu_enable() there */
	struct lv_state st;
	int rc;
	uint64_t vmcs; /* VMPTRST on that CPU at the end */
	char why[120];
};

static void ap_job(void *arg, unsigned i)
{
	struct ap_job *j = arg;
	int rc;

	(void)i;
	j->rc = 0;
	if (j->cycle) {
		rc = lv_cpu_disable(j->cycle);
		if (!rc)
			rc = lv_cpu_enable(j->cycle);
		if (rc) {
			ksnprintf(j->why, sizeof(j->why), "disable + enable: %s",
				  lv_status_name(rc));
			j->rc = -1;
		}
	}
	if (j->want)
		j->rc = gvm_run(j->g, j->want, j->why, sizeof(j->why));
	if (!j->rc && j->state) {
		rc = lv_vcpu_get_state(j->g->vcpu, j->state, &j->st);
		if (rc) {
			ksnprintf(j->why, sizeof(j->why), "get_state: %s", lv_status_name(rc));
			j->rc = -1;
		}
	}
	j->vmcs = vmcs_here();
}

/* @p j on CPU 1 for @p g (NULL: only VMPTRST there); -1 with @p why set if it failed. */
static int on_ap(struct ap_job *j, struct gvm *g, uint32_t want, uint32_t state, char *why,
		 size_t n)
{
	j->g = g;
	j->want = want;
	j->state = state;
	j->cycle = NULL;
	j->why[0] = 0;
	if (smp_run_on_ap(ap_job, j, 1)) {
		ksnprintf(why, n, "CPU 1 busy");
		return -1;
	}
	smp_wait_ap();
	if (j->rc) {
		ksnprintf(why, n, "on CPU 1: %s", j->why);
		return -1;
	}
	return 0;
}

/* The exit in @p g is an OUT to @p port with @p value (32 bits; 0x80/0x81: any). */
static int out_is(struct gvm *g, uint16_t port, uint32_t value, char *why, size_t n)
{
	uint32_t v;

	memcpy(&v, g->ex->io.data, 4);
	if (g->ex->io.port != port || (port > 0x81 && v != value)) {
		ksnprintf(why, n, "OUT %#x value %#x, want %#x value %#x", g->ex->io.port, v, port,
			  value);
		return -1;
	}
	return 0;
}

/* GPRs, CR8 and the guest's SYSENTER_ESP in @p st as the guest set them before exit @p rip. */
static int state_is(const struct lv_state *st, uint64_t rip, uint64_t r12, char *why, size_t n)
{
	EXPECT(st->regs.rip == rip && st->regs.r12 == r12, "RIP %#lx R12 %#lx, want %#lx %#lx",
	       (unsigned long)st->regs.rip, (unsigned long)st->regs.r12, (unsigned long)rip,
	       (unsigned long)r12);
	EXPECT(st->ctrl.cr8 == 5, "CR8 %lu, want 5", (unsigned long)st->ctrl.cr8);
	EXPECT(st->msrs.sysenter_esp == 0x5eed1234u, "SYSENTER_ESP %#lx, want 0x5eed1234",
	       (unsigned long)st->msrs.sysenter_esp);
	return 0;
fail:
	return -1;
}

#define STATE_CHECKED (LV_STATE_GPRS | LV_STATE_CONTROL | LV_STATE_MSRS)

/* g64_lazy from exit A on, on CPU 1: B, C (CR8 5), D (@p esp), E (@p r12), HLT. */
static int rest_on_ap(struct ap_job *j, struct gvm *g, uint32_t esp, uint32_t r12, char *why,
		      size_t n)
{
	if (on_ap(j, g, LV_EXIT_IO, 0, why, n) || out_is(g, 0x81, 0, why, n) ||
	    on_ap(j, g, LV_EXIT_IO, 0, why, n) || out_is(g, 0x82, 5, why, n) ||
	    on_ap(j, g, LV_EXIT_IO, 0, why, n) || out_is(g, 0x83, esp, why, n) ||
	    on_ap(j, g, LV_EXIT_IO, 0, why, n) || out_is(g, 0x84, r12, why, n) ||
	    on_ap(j, g, LV_EXIT_HLT, 0, why, n))
		return -1;
	return 0;
}

/* A case's steps with @p g open (g64_lazy); 0 when they passed, else -1 with @p why set. */
typedef int lazy_steps(struct lv_backend *b, struct gvm *g, struct ap_job *j, char *why, size_t n);

/*
 * Run @p steps on CPU 0 with a fresh g64_lazy guest and interrupts on.
 * Only planned with a second CPU (tcase.cpus) and on the VMX backend
 * (vmx_cases[]).
 */
static int lazy_case(struct lv_backend *b, lazy_steps *steps, char *why, size_t n)
{
	static struct ap_job j;
	struct gvm g;
	int r;

	if (!is_vmx(b) || smp_cpus() < 2)
		return ksnprintf(why, n, "planned without VMX or a second CPU"), CASE_FAIL;
	if (lv_plat_cpu_id() != 0)
		return ksnprintf(why, n, "runs on CPU %u, not 0", lv_plat_cpu_id()), CASE_FAIL;
	/* Runs and lv_plat_call_on_cpu() want interrupts on (the PICs are masked, kmain.c). */
	__asm__ volatile("sti");
	if (gvm_open(b, &g, g64_lazy, sizeof(g64_lazy), 64, why, n))
		return CASE_FAIL;
	r = steps(b, &g, &j, why, n) ? CASE_FAIL : CASE_PASS;
	gvm_close(&g);
	return r;
}

/*
 * vmx_lazy_migrate: CPU 0, then CPU 1, then CPU 0 again. After each run
 * the VMCS is current where it ran and the CPU it left has none; the
 * state read on CPU 1 and what the guest reports at the end are the
 * guest's.
 */
static int migrate(struct lv_backend *b, struct gvm *g, struct ap_job *j, char *why, size_t n)
{
	uint64_t p;
	unsigned calls;

	(void)b;
	if (gvm_run(g, LV_EXIT_IO, why, n) || out_is(g, 0x80, 0, why, n))
		goto fail;
	p = vmcs_here();
	EXPECT(p != NO_VMCS, "after the run on CPU 0 no VMCS is current there (cleared)");
	calls = __atomic_load_n(&plat_remote_calls, __ATOMIC_RELAXED);
	if (on_ap(j, g, LV_EXIT_IO, STATE_CHECKED, why, n) || out_is(g, 0x81, 0, why, n))
		goto fail;
	EXPECT(plat_remote_calls - calls == 1, "the move to CPU 1 made %u calls to another CPU",
	       plat_remote_calls - calls);
	EXPECT(j->vmcs == p, "after its run on CPU 1 the VMCS current there is %#lx, want %#lx",
	       (unsigned long)j->vmcs, (unsigned long)p);
	EXPECT(vmcs_here() == NO_VMCS, "CPU 0 still has %#lx current after the vCPU moved away",
	       (unsigned long)vmcs_here());
	if (state_is(&j->st, RIP_AFTER_B, 0x1001, why, n))
		goto fail;
	if (gvm_run(g, LV_EXIT_IO, why, n) || out_is(g, 0x82, 5, why, n))
		goto fail;
	EXPECT(vmcs_here() == p, "back on CPU 0: current VMCS %#lx, want %#lx",
	       (unsigned long)vmcs_here(), (unsigned long)p);
	if (on_ap(j, NULL, 0, 0, why, n))
		goto fail;
	EXPECT(j->vmcs == NO_VMCS, "CPU 1 still has %#lx current after the vCPU moved back",
	       (unsigned long)j->vmcs);
	if (gvm_run(g, LV_EXIT_IO, why, n) || out_is(g, 0x83, 0x5eed1234u, why, n) ||
	    gvm_run(g, LV_EXIT_IO, why, n) || out_is(g, 0x84, 0x1002, why, n) ||
	    gvm_run(g, LV_EXIT_HLT, why, n))
		goto fail;
	return 0;
fail:
	return -1;
}

int case_vmx_migrate(struct lv_backend *b, char *why, size_t n)
{
	return lazy_case(b, migrate, why, n);
}

/*
 * vmx_lazy_state_remote: the vCPU runs on CPU 1; CPU 0 reads its state
 * (the VMCS moves to CPU 0), changes R12 and the guest MSR; it runs on
 * CPU 1 again and the guest sees the new values.
 */
static int state_remote(struct lv_backend *b, struct gvm *g, struct ap_job *j, char *why, size_t n)
{
	struct lv_state st;
	uint64_t p;

	(void)b;
	if (on_ap(j, g, LV_EXIT_IO, 0, why, n) || out_is(g, 0x80, 0, why, n))
		goto fail;
	p = j->vmcs;
	EXPECT(p != NO_VMCS, "after the run on CPU 1 no VMCS is current there (cleared)");
	EXPECT(lv_vcpu_get_state(g->vcpu, STATE_CHECKED, &st) == LV_OK, "get_state on CPU 0");
	if (state_is(&st, RIP_AFTER_A, 0x1000, why, n))
		goto fail;
	EXPECT(vmcs_here() == p, "after the read on CPU 0: current VMCS %#lx, want %#lx",
	       (unsigned long)vmcs_here(), (unsigned long)p);
	if (on_ap(j, NULL, 0, 0, why, n))
		goto fail;
	EXPECT(j->vmcs == NO_VMCS, "CPU 1 still has %#lx current after the read on CPU 0",
	       (unsigned long)j->vmcs);
	st.regs.r12 = 0x2000;
	EXPECT(lv_vcpu_set_state(g->vcpu, LV_STATE_GPRS, &st) == LV_OK, "set_state on CPU 0");
	EXPECT(lv_vcpu_set_msr(g->vcpu, SYSENTER_ESP, 0x600d) == LV_OK, "set_msr on CPU 0");
	if (rest_on_ap(j, g, 0x600d, 0x2002, why, n))
		goto fail;
	EXPECT(j->vmcs == p, "after the runs on CPU 1: current VMCS there %#lx, want %#lx",
	       (unsigned long)j->vmcs, (unsigned long)p);
	return 0;
fail:
	return -1;
}

int case_vmx_state_remote(struct lv_backend *b, char *why, size_t n)
{
	return lazy_case(b, state_remote, why, n);
}

/*
 * vmx_lazy_destroy_remote: CPU 0 destroys a vCPU whose VMCS is current on
 * CPU 1: it is cleared there (no VMCS current on CPU 1 afterwards; the
 * kernel's leak check at the end sees its page freed), and CPU 1 runs a
 * new vCPU (the same id, a new VMCS) of the same VM from its start.
 */
static int destroy_remote(struct lv_backend *b, struct gvm *g, struct ap_job *j, char *why,
			  size_t n)
{
	struct lv_state st;
	int rc;

	(void)b;
	if (on_ap(j, g, LV_EXIT_IO, 0, why, n) || out_is(g, 0x80, 0, why, n))
		goto fail;
	EXPECT(j->vmcs != NO_VMCS, "after the run on CPU 1 no VMCS is current there (cleared)");
	rc = lv_vcpu_destroy(g->vcpu);
	g->vcpu = NULL;
	EXPECT(rc == LV_OK, "destroy on CPU 0: %s", lv_status_name(rc));
	if (on_ap(j, NULL, 0, 0, why, n))
		goto fail;
	EXPECT(j->vmcs == NO_VMCS, "CPU 1 still has %#lx current after the destroy",
	       (unsigned long)j->vmcs);
	rc = lv_vcpu_create(g->vm, 0, &g->vcpu);
	EXPECT(rc == LV_OK, "second vCPU: %s", lv_status_name(rc));
	EXPECT(lv_vcpu_get_state(g->vcpu, LV_STATE_ALL, &st) == LV_OK, "get_state");
	lv_state_init_long64(&st, 0x1000); /* gvm_open()'s page tables */
	st.regs.rip = GVM_CODE;
	st.regs.rsp = 0x80000;
	EXPECT(lv_vcpu_set_state(g->vcpu, LV_STATE_ALL, &st) == LV_OK, "set_state");
	if (on_ap(j, g, LV_EXIT_IO, 0, why, n) || out_is(g, 0x80, 0, why, n) ||
	    on_ap(j, g, LV_EXIT_IO, 0, why, n) || on_ap(j, g, LV_EXIT_IO, 0, why, n) ||
	    out_is(g, 0x82, 5, why, n))
		goto fail;
	return 0;
fail:
	return -1;
}

int case_vmx_destroy_remote(struct lv_backend *b, char *why, size_t n)
{
	return lazy_case(b, destroy_remote, why, n);
}

/*
 * vmx_lazy_cpu_cycle: lv_cpu_disable() on CPU 1 while the vCPU's VMCS is
 * current there clears it before VMXOFF; after lv_cpu_enable() the vCPU
 * is read on CPU 0 (nothing left to clear on CPU 1) and runs on CPU 1 to
 * its end with its state.
 */
static int cpu_cycle(struct lv_backend *b, struct gvm *g, struct ap_job *j, char *why, size_t n)
{
	struct lv_state st;
	unsigned calls;

	if (on_ap(j, g, LV_EXIT_IO, 0, why, n) || out_is(g, 0x80, 0, why, n))
		goto fail;
	EXPECT(j->vmcs != NO_VMCS, "after the run on CPU 1 no VMCS is current there (cleared)");
	j->g = NULL;
	j->want = 0;
	j->state = 0;
	j->cycle = b;
	EXPECT(smp_run_on_ap(ap_job, j, 1) == 0, "CPU 1 busy");
	smp_wait_ap();
	EXPECT(!j->rc, "on CPU 1: %s", j->why);
	EXPECT(j->vmcs == NO_VMCS, "CPU 1 has %#lx current after VMXOFF + VMXON",
	       (unsigned long)j->vmcs);
	calls = __atomic_load_n(&plat_remote_calls, __ATOMIC_RELAXED);
	EXPECT(lv_vcpu_get_state(g->vcpu, STATE_CHECKED, &st) == LV_OK, "get_state on CPU 0");
	EXPECT(plat_remote_calls == calls, "the VMCS was still recorded on CPU 1 after its VMXOFF");
	if (state_is(&st, RIP_AFTER_A, 0x1000, why, n))
		goto fail;
	if (rest_on_ap(j, g, 0x5eed1234u, 0x1002, why, n))
		goto fail;
	return 0;
fail:
	return -1;
}

int case_vmx_cpu_cycle(struct lv_backend *b, char *why, size_t n)
{
	return lazy_case(b, cpu_cycle, why, n);
}

/*
 * vmx_lazy_two_vmcs_ap: two vCPUs (of two VMs) take turns on CPU 1, both
 * VMCSs active there (each VMPTRLD keeps the other launched); then the
 * first moves to CPU 0, and clearing it on CPU 1 leaves the second
 * current there, which resumes.
 */
static int two_vmcs_ap(struct lv_backend *b, struct gvm *a, struct ap_job *j, char *why, size_t n)
{
	struct gvm c;
	uint64_t pa, pc;

	if (gvm_open(b, &c, g64_lazy, sizeof(g64_lazy), 64, why, n))
		return -1;
	if (on_ap(j, a, LV_EXIT_IO, 0, why, n) || out_is(a, 0x80, 0, why, n))
		goto fail;
	pa = j->vmcs;
	if (on_ap(j, &c, LV_EXIT_IO, 0, why, n) || out_is(&c, 0x80, 0, why, n))
		goto fail;
	pc = j->vmcs;
	EXPECT(pa != NO_VMCS && pc != NO_VMCS && pa != pc,
	       "current VMCS on CPU 1 after each first run: %#lx, %#lx", (unsigned long)pa,
	       (unsigned long)pc);
	if (on_ap(j, a, LV_EXIT_IO, 0, why, n) || out_is(a, 0x81, 0, why, n))
		goto fail;
	EXPECT(j->vmcs == pa, "first vCPU again on CPU 1: current %#lx", (unsigned long)j->vmcs);
	if (on_ap(j, &c, LV_EXIT_IO, 0, why, n) || out_is(&c, 0x81, 0, why, n))
		goto fail;
	if (gvm_run(a, LV_EXIT_IO, why, n) || out_is(a, 0x82, 5, why, n))
		goto fail;
	EXPECT(vmcs_here() == pa, "first vCPU on CPU 0: current %#lx", (unsigned long)vmcs_here());
	if (on_ap(j, NULL, 0, 0, why, n))
		goto fail;
	EXPECT(j->vmcs == pc, "CPU 1's current VMCS is %#lx after the other one left, want %#lx",
	       (unsigned long)j->vmcs, (unsigned long)pc);
	if (on_ap(j, &c, LV_EXIT_IO, 0, why, n) || out_is(&c, 0x82, 5, why, n) ||
	    on_ap(j, &c, LV_EXIT_IO, 0, why, n) || out_is(&c, 0x83, 0x5eed1234u, why, n) ||
	    gvm_run(a, LV_EXIT_IO, why, n) || out_is(a, 0x83, 0x5eed1234u, why, n) ||
	    on_ap(j, &c, LV_EXIT_IO, 0, why, n) || out_is(&c, 0x84, 0x1002, why, n) ||
	    gvm_run(a, LV_EXIT_IO, why, n) || out_is(a, 0x84, 0x1002, why, n) ||
	    on_ap(j, &c, LV_EXIT_HLT, 0, why, n) || gvm_run(a, LV_EXIT_HLT, why, n))
		goto fail;
	gvm_close(&c);
	return 0;
fail:
	gvm_close(&c);
	return -1;
}

int case_vmx_two_vmcs_ap(struct lv_backend *b, char *why, size_t n)
{
	return lazy_case(b, two_vmcs_ap, why, n);
}
