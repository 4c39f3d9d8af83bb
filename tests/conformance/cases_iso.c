/* SPDX-License-Identifier: MIT */
/*
 * Isolation of guest and host: registers a VM entry or exit does not
 * switch by itself. The guest's side is checked on every backend; the
 * host's where the harness can see it (lv_conf_host.host_reg: ring 0;
 * a KVM host's own debug registers and TPR are not visible to user
 * space).
 */
#include "conf.h"
#include "guests.h"

#define DATA_GPA 0x10000u /* guests/common.inc DATA */

/* The host register @p reg, or -1 when the harness cannot read it. */
static int host_get(struct conf_ctx *c, unsigned reg, uint64_t *v)
{
	return c->host->host_reg ? c->host->host_reg(c->host->ctx, reg, 0, v) : -1;
}

static void host_set(struct conf_ctx *c, unsigned reg, uint64_t v)
{
	if (c->host->host_reg)
		c->host->host_reg(c->host->ctx, reg, 1, &v);
}

/* Run once; the exit must be an OUT of @p value (when >= 0) to @p port. */
static int out_exit(struct conf_ctx *c, struct lv_vcpu *v, uint16_t port, int value,
		    const char *when)
{
	struct lv_exit *ex;
	char got[80];
	int rc = lv_vcpu_run(v, &ex);

	if (rc)
		return conf_fail(c, "%s: run: %s", when, lv_status_name(rc));
	if (ex->reason == LV_EXIT_IO && ex->io.port == port && ex->io.is_write &&
	    (value < 0 || ex->io.data[0] == (uint8_t)value))
		return CONF_PASS;
	conf_describe_exit(ex, got, sizeof(got));
	return conf_fail(c, "%s: got %s, want OUT 0x%x", when, got, port);
}

/* ---- tpr_isolation ------------------------------------------------------ */

#define HOST_TPR 1 /* masks vectors 0x10-0x1f only: nothing this host uses */

static void tpr_kick(void *arg)
{
	struct conf_ctx *c = arg;

	lv_vcpu_kick(c->vcpu[0]);
	__atomic_store_n(&c->flag, 1, __ATOMIC_RELEASE);
}

/* The host's TPR after an exit: still HOST_TPR (CONF_PASS when not observable). */
static int tpr_host_check(struct conf_ctx *c, unsigned i)
{
	uint64_t tpr;

	if (host_get(c, LV_CONF_HOST_CR8, &tpr))
		return CONF_PASS;
	if (tpr != HOST_TPR)
		return conf_fail(c, "exit %u: the host's TPR (CR8) is %llu, was %u", i,
				 (unsigned long long)tpr, HOST_TPR);
	return CONF_PASS;
}

static int tpr_rounds(struct conf_ctx *c, struct lv_vcpu *v)
{
	struct lv_exit *ex;
	char got[80];
	unsigned i;
	int rc;

	c->st.ctrl.cr8 = 7;
	if ((rc = lv_vcpu_set_state(v, LV_STATE_CONTROL, &c->st)))
		return conf_fail(c, "set CR8: %s", lv_status_name(rc));
	if ((rc = out_exit(c, v, 0x60, 7, "the guest reads the CR8 set")))
		return rc;
	for (i = 0; i < 8; i++) {
		if ((rc = out_exit(c, v, 0x61, 15, "the guest reads its CR8 back")))
			return rc;
		if ((rc = tpr_host_check(c, i)))
			return rc;
		if ((rc = lv_vcpu_get_state(v, LV_STATE_CONTROL, &c->st)))
			return conf_fail(c, "get CR8: %s", lv_status_name(rc));
		if (c->st.ctrl.cr8 != 15)
			return conf_fail(c, "exit %u: lv_state cr8 %llu, want 15", i,
					 (unsigned long long)c->st.ctrl.cr8);
	}
	/* A host timer interrupt must still reach the host during the run. */
	if (c->host->call_later(c->host->ctx, 20000, tpr_kick, c))
		return conf_fail(c, "call_later failed");
	c->saved = 1; /* the callback is pending: wait for it before returning */
	for (i = 0; i < 200000; i++) {
		if ((rc = lv_vcpu_run(v, &ex)))
			return conf_fail(c, "run: %s", lv_status_name(rc));
		if (ex->reason == LV_EXIT_CANCELLED)
			return tpr_host_check(c, i);
		if (ex->reason != LV_EXIT_IO || ex->io.port != 0x61 || ex->io.data[0] != 15) {
			conf_describe_exit(ex, got, sizeof(got));
			return conf_fail(c, "waiting for the timer: got %s", got);
		}
		if ((rc = tpr_host_check(c, i)))
			return rc;
	}
	return conf_fail(c, "no host timer interrupt in %u exits of a guest writing CR8", i);
}

/*
 * mov cr8: a 64-bit guest with IF = 1 writes 15 to CR8 in a loop. The
 * host's TPR is unchanged after every exit, a host timer interrupt still
 * arrives (its callback kicks the vCPU), and the guest's CR8 is state:
 * set reads back in the guest, the guest's 15 reads back from get_state.
 */
static int tpr_isolation(struct conf_ctx *c)
{
	uint64_t old = 0;
	int have = 0, rc = conf_vm_setup(c, 1);

	if (rc)
		return rc;
	if ((rc = lv_vcpu_get_state(c->vcpu[0], LV_STATE_CONTROL, &c->st)))
		return conf_fail(c, "get state: %s", lv_status_name(rc));
	if (!host_get(c, LV_CONF_HOST_CR8, &old)) {
		have = 1;
		host_set(c, LV_CONF_HOST_CR8, HOST_TPR);
	}
	rc = tpr_rounds(c, c->vcpu[0]);
	if (c->saved)
		while (!__atomic_load_n(&c->flag, __ATOMIC_ACQUIRE))
			;
	if (have)
		host_set(c, LV_CONF_HOST_CR8, old);
	return rc;
}

/* ---- debug_registers ----------------------------------------------------- */

/*
 * The values each side uses: the host arms breakpoints on addresses
 * nothing touches. The guest's DR7 values enable none: QEMU 7.2 TCG
 * crashes (SIGSEGV in cpu_breakpoint_remove_by_ref) when a DR7 that SVM's
 * VMRUN loaded with breakpoints enabled is replaced, as its VMRUN does
 * not insert them.
 */
#define SET_DR(i)   (0x3fe000u + 8u * (i)) /* set by lv_vcpu_set_state */
#define SET_DR7	    0x00010400u		   /* RW0 = write, no enable bit */
#define GUEST_DR(i) (0x3ff000u + 8u * (i)) /* loaded by the guest (guests/dregs.asm) */
#define GUEST_DR7   0x11110400u
#define HOST_DR(i)  (0x7ff000000000ull + 0x40u * (i))
#define HOST_DR7    0x33330455u /* L0-L3, each "break on 1-byte read or write" */

static const unsigned dr_regs[5] = { 0, 1, 2, 3, 7 };

/* The host's DR0-DR3/DR7 after exit @p i: unchanged (CONF_PASS when not observable). */
static int dr_host_check(struct conf_ctx *c, unsigned i)
{
	unsigned k;
	uint64_t v;

	for (k = 0; k < 5; k++) {
		uint64_t want = k < 4 ? HOST_DR(k) : HOST_DR7;

		if (host_get(c, LV_CONF_HOST_DR0 + dr_regs[k], &v))
			return CONF_PASS;
		if (v != want)
			return conf_fail(c, "exit %u: the host's DR%u is 0x%llx, was 0x%llx", i,
					 dr_regs[k], (unsigned long long)v,
					 (unsigned long long)want);
	}
	return CONF_PASS;
}

/* lv_vcpu_get_state(LV_STATE_DEBUG) after exit @p i: the guest's own values. */
static int dr_state_check(struct conf_ctx *c, struct lv_vcpu *v, unsigned i)
{
	struct lv_debug *d = &c->st.debug;
	uint64_t got[5];
	unsigned k;
	int rc = lv_vcpu_get_state(v, LV_STATE_DEBUG, &c->st);

	if (rc)
		return conf_fail(c, "get DEBUG: %s", lv_status_name(rc));
	got[0] = d->dr0;
	got[1] = d->dr1;
	got[2] = d->dr2;
	got[3] = d->dr3;
	got[4] = d->dr7;
	for (k = 0; k < 5; k++) {
		uint64_t want = k < 4 ? GUEST_DR(k) : GUEST_DR7;

		if (got[k] != want)
			return conf_fail(
				c, "exit %u: lv_state DR%u 0x%llx, the guest loaded 0x%llx", i,
				dr_regs[k], (unsigned long long)got[k], (unsigned long long)want);
	}
	return CONF_PASS;
}

static int dr_rounds(struct conf_ctx *c, struct lv_vcpu *v)
{
	struct lv_debug *d = &c->st.debug;
	struct lv_exit *ex;
	char got[80];
	unsigned i, k;
	int rc;

	d->dr0 = SET_DR(0);
	d->dr1 = SET_DR(1);
	d->dr2 = SET_DR(2);
	d->dr3 = SET_DR(3);
	d->dr6 = 0xffff0ff0u;
	d->dr7 = SET_DR7;
	if ((rc = lv_vcpu_set_state(v, LV_STATE_DEBUG, &c->st)))
		return conf_fail(c, "set DEBUG: %s", lv_status_name(rc));
	if ((rc = out_exit(c, v, 0x61, 1, "the guest stores what was set")))
		return rc;
	for (k = 0; k < 5; k++) {
		uint64_t seen = conf_load(c->ram + DATA_GPA + 8 * k, 8);
		uint64_t want = k < 4 ? SET_DR(k) : SET_DR7;

		if (seen != want)
			return conf_fail(c, "the guest read DR%u 0x%llx, set 0x%llx", dr_regs[k],
					 (unsigned long long)seen, (unsigned long long)want);
	}
	if ((rc = dr_host_check(c, 0)))
		return rc;
	if ((rc = out_exit(c, v, 0x62, 2, "the guest loads its own")))
		return rc;
	if ((rc = dr_host_check(c, 1)) || (rc = dr_state_check(c, v, 1)))
		return rc;
	for (i = 2;; i++) {
		if ((rc = lv_vcpu_run(v, &ex)))
			return conf_fail(c, "run: %s", lv_status_name(rc));
		if ((rc = dr_host_check(c, i)))
			return rc;
		if (ex->reason == LV_EXIT_HLT)
			return dr_state_check(c, v, i);
		if (ex->reason == LV_EXIT_IO && ex->io.port == 0x6f)
			return conf_fail(c, "exit %u: the guest's DR%u changed across an exit", i,
					 ex->io.data[0]);
		if (ex->reason != LV_EXIT_IO || ex->io.port != 0x63) {
			conf_describe_exit(ex, got, sizeof(got));
			return conf_fail(c, "exit %u: got %s, want OUT 0x63", i, got);
		}
		if ((rc = dr_state_check(c, v, i)))
			return rc;
	}
}

/* Arm the host's DR0-DR3/DR7 (HOST_DR, HOST_DR7), keeping the old values; 0 if not visible. */
static int host_dr_arm(struct conf_ctx *c, uint64_t old[5])
{
	unsigned k;

	for (k = 0; k < 5; k++)
		if (host_get(c, LV_CONF_HOST_DR0 + dr_regs[k], &old[k]))
			return 0;
	host_set(c, LV_CONF_HOST_DR7, 0x400);
	for (k = 0; k < 4; k++)
		host_set(c, LV_CONF_HOST_DR0 + k, HOST_DR(k));
	host_set(c, LV_CONF_HOST_DR7, HOST_DR7);
	return 1;
}

static void host_dr_restore(struct conf_ctx *c, const uint64_t old[5])
{
	unsigned k;

	host_set(c, LV_CONF_HOST_DR7, 0x400);
	for (k = 0; k < 5; k++)
		host_set(c, LV_CONF_HOST_DR0 + dr_regs[k], old[k]);
}

/*
 * DR values: the guest's DR0-DR3/DR7, set through lv_vcpu_set_state()
 * and by the guest itself, are what the guest reads and what
 * lv_vcpu_get_state() returns across 64 exits; the host's (armed by the
 * test before the runs) are unchanged after every exit.
 */
static int debug_registers(struct conf_ctx *c)
{
	uint64_t old[5];
	int have, rc = conf_vm_setup(c, 1);

	if (rc)
		return rc;
	if ((rc = lv_vcpu_get_state(c->vcpu[0], LV_STATE_DEBUG, &c->st)))
		return conf_fail(c, "get DEBUG: %s", lv_status_name(rc));
	have = host_dr_arm(c, old);
	rc = dr_rounds(c, c->vcpu[0]);
	if (have)
		host_dr_restore(c, old);
	return rc;
}

static int bp_rounds(struct conf_ctx *c, struct lv_vcpu *v)
{
	struct lv_exit *ex;
	char got[80];
	int rc;

	if ((rc = out_exit(c, v, 0x61, 1, "the guest armed its breakpoint")) ||
	    (rc = dr_host_check(c, 0)))
		return rc;
	if ((rc = lv_vcpu_run(v, &ex)))
		return conf_fail(c, "run: %s", lv_status_name(rc));
	if (ex->reason != LV_EXIT_IO || ex->io.port != 0x64 || (ex->io.data[0] & 0xf) != 1) {
		conf_describe_exit(ex, got, sizeof(got));
		return conf_fail(c,
				 "the guest's write to its DR0: got %s (data 0x%x), want its #DB "
				 "handler's OUT 0x64 of DR6 with B0",
				 got, ex->io.data[0]);
	}
	if ((rc = dr_host_check(c, 1)) || (rc = out_exit(c, v, 0x62, 2, "after the #DB")) ||
	    (rc = dr_host_check(c, 2)) || (rc = conf_run_expect(c, v, LV_EXIT_HLT, "end")))
		return rc;
	return dr_host_check(c, 3);
}

/*
 * A breakpoint of the guest's own: DR0 and an enabled DR7 loaded by the
 * guest survive an exit and fire in the guest (its #DB handler sees B0 in
 * DR6), while the host's DR0-DR3/DR7 (breakpoints armed elsewhere) are
 * unchanged after every exit.
 */
static int debug_breakpoint(struct conf_ctx *c)
{
	uint64_t old[5];
	int have, rc = conf_vm_setup(c, 1);

	if (rc)
		return rc;
	have = host_dr_arm(c, old);
	rc = bp_rounds(c, c->vcpu[0]);
	if (have)
		host_dr_restore(c, old);
	return rc;
}

/* ---- tsc_aux ------------------------------------------------------------- */

static int aux_host_check(struct conf_ctx *c, uint64_t was, const char *when)
{
	uint64_t now;

	if (host_get(c, LV_CONF_HOST_TSC_AUX, &now))
		return CONF_PASS;
	if (now != was)
		return conf_fail(c, "%s: the host's TSC_AUX is 0x%llx, was 0x%llx", when,
				 (unsigned long long)now, (unsigned long long)was);
	return CONF_PASS;
}

/*
 * TSC_AUX: the value lv_vcpu_set_msr() gave the guest is what its RDTSCP
 * returns, on both sides of an exit, and what lv_vcpu_get_msr() reads;
 * the host's TSC_AUX is unchanged after each exit. Without RDTSCP in the
 * guest's CPUID (qemu64) nothing in the guest reads TSC_AUX: the case then
 * checks the host's side only.
 */
static int tsc_aux(struct conf_ctx *c)
{
	const uint32_t aux_msr = 0xc0000103u;
	struct lv_vcpu *v;
	struct lv_exit *ex;
	uint64_t host = 0, want = 0x1234, got;
	char desc[80];
	int set, rc = conf_vm_setup(c, 1);

	if (rc)
		return rc;
	v = c->vcpu[0];
	if (!host_get(c, LV_CONF_HOST_TSC_AUX, &host))
		want = (host ^ 0x5a5) & 0xffffffffu; /* never the host's */
	set = lv_vcpu_set_msr(v, aux_msr, want);
	if ((rc = lv_vcpu_run(v, &ex)))
		return conf_fail(c, "run: %s", lv_status_name(rc));
	if (ex->reason == LV_EXIT_IO && ex->io.port == 0x6e) /* no RDTSCP: the host's stays */
		return aux_host_check(c, host, "a run without RDTSCP");
	if (set != LV_OK)
		return conf_fail(c, "lv_vcpu_set_msr(TSC_AUX): %s, but the guest has RDTSCP",
				 lv_status_name(set));
	if (ex->reason != LV_EXIT_IO || ex->io.port != 0x61 || ex->io.size != 4) {
		conf_describe_exit(ex, desc, sizeof(desc));
		return conf_fail(c, "got %s, want OUT 0x61 (4 bytes)", desc);
	}
	if ((got = conf_load(ex->io.data, 4)) != want)
		return conf_fail(c, "RDTSCP gave the guest TSC_AUX 0x%llx, set 0x%llx",
				 (unsigned long long)got, (unsigned long long)want);
	if ((rc = aux_host_check(c, host, "first exit")))
		return rc;
	if ((rc = lv_vcpu_get_msr(v, aux_msr, &got)) || got != want)
		return conf_fail(c, "lv_vcpu_get_msr(TSC_AUX): %s 0x%llx, want 0x%llx",
				 lv_status_name(rc), (unsigned long long)got,
				 (unsigned long long)want);
	if ((rc = lv_vcpu_run(v, &ex)))
		return conf_fail(c, "run: %s", lv_status_name(rc));
	if (ex->reason != LV_EXIT_IO || ex->io.port != 0x62 || conf_load(ex->io.data, 4) != want) {
		conf_describe_exit(ex, desc, sizeof(desc));
		return conf_fail(c, "after an exit: got %s (0x%llx), want OUT 0x62 of 0x%llx", desc,
				 (unsigned long long)conf_load(ex->io.data, 4),
				 (unsigned long long)want);
	}
	if ((rc = aux_host_check(c, host, "second exit")))
		return rc;
	if ((rc = conf_run_expect(c, v, LV_EXIT_HLT, "end")))
		return rc;
	return aux_host_check(c, host, "HLT");
}

/* ---- syscall_msrs -------------------------------------------------------- */

#define SYS_NREGS 4
static const unsigned sys_reg[SYS_NREGS] = { LV_CONF_HOST_STAR, LV_CONF_HOST_LSTAR,
					     LV_CONF_HOST_SFMASK, LV_CONF_HOST_KERNEL_GS_BASE };
static const char *const sys_name[SYS_NREGS] = { "STAR", "LSTAR", "SFMASK", "KERNEL_GS_BASE" };
/* The host's values while the case runs: none the guest writes (canonical where it matters). */
static const uint64_t sys_host[SYS_NREGS] = { 0x0023001000000000ull, 0xffffffff81234560ull,
					      0x47700ull, 0xffff888012345000ull };

static int sys_host_check(struct conf_ctx *c, const int *have, const char *when)
{
	uint64_t now;
	unsigned i;

	for (i = 0; i < SYS_NREGS; i++)
		if (have[i] && (host_get(c, sys_reg[i], &now) || now != sys_host[i]))
			return conf_fail(c, "%s: the host's %s is 0x%llx, was 0x%llx", when,
					 sys_name[i], (unsigned long long)now,
					 (unsigned long long)sys_host[i]);
	return CONF_PASS;
}

static int sys_rounds(struct conf_ctx *c, struct lv_vcpu *v, const int *have)
{
	static const struct {
		uint16_t port;
		uint32_t value;
		const char *what;
	} want[] = {
		{ 0x60, 0x11110000u, "GS_BASE after SWAPGS (the guest's KERNEL_GS_BASE)" },
		{ 0x61, 0x22220000u, "KERNEL_GS_BASE after SWAPGS (the guest's GS_BASE)" },
		{ 0x62, 1, "SYSCALL reached the guest's LSTAR with RCX = the return address" },
		{ 0x63, 0x40400u, "R11 = RFLAGS before SYSCALL (AC, DF)" },
		{ 0x64, 0, "RFLAGS after SYSCALL, the guest's SFMASK applied" },
	};
	struct lv_state *st = &c->st;
	struct lv_exit *ex;
	char desc[80];
	unsigned i;
	int rc;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if ((rc = lv_vcpu_run(v, &ex)))
			return conf_fail(c, "run: %s", lv_status_name(rc));
		if (ex->reason != LV_EXIT_IO || ex->io.port != want[i].port || ex->io.size != 4 ||
		    conf_load(ex->io.data, 4) != want[i].value) {
			conf_describe_exit(ex, desc, sizeof(desc));
			return conf_fail(c, "%s: got %s (0x%llx), want OUT 0x%x of 0x%x",
					 want[i].what, desc,
					 (unsigned long long)conf_load(ex->io.data, 4),
					 want[i].port, want[i].value);
		}
		if ((rc = sys_host_check(c, have, want[i].what)))
			return rc;
	}
	if ((rc = conf_run_expect(c, v, LV_EXIT_HLT, "end")))
		return rc;
	if ((rc = sys_host_check(c, have, "HLT")))
		return rc;
	if ((rc = lv_vcpu_get_state(v, LV_STATE_MSRS | LV_STATE_SEGMENTS, st)))
		return conf_fail(c, "get state: %s", lv_status_name(rc));
	if (st->msrs.star != 0x0010000800000000ull || st->msrs.sfmask != 0x40400 ||
	    st->msrs.kernel_gs_base != 0x11110000u || st->segs.gs.base != 0x22220000u ||
	    st->msrs.lstar < 0x8000 || st->msrs.lstar >= 0x9000)
		return conf_fail(
			c,
			"state: STAR 0x%llx SFMASK 0x%llx KERNEL_GS_BASE 0x%llx GS 0x%llx "
			"LSTAR 0x%llx, not the guest's",
			(unsigned long long)st->msrs.star, (unsigned long long)st->msrs.sfmask,
			(unsigned long long)st->msrs.kernel_gs_base,
			(unsigned long long)st->segs.gs.base, (unsigned long long)st->msrs.lstar);
	return CONF_PASS;
}

/*
 * SYSCALL MSRs and KERNEL_GS_BASE: a 64-bit guest writes its own
 * KERNEL_GS_BASE and swaps it in with SWAPGS, and gives itself STAR, LSTAR
 * and SFMASK and makes a SYSCALL. It must see its own values, none of the
 * host's (VMX does not switch these MSRs on entry and exit: SDM Vol. 3,
 * 27.3, 28.5; SVM's VMLOAD/VMSAVE do, APM Vol. 2, 15.5.2), the host's must
 * be unchanged after every exit, and the state must hold the guest's.
 */
static int syscall_msrs(struct conf_ctx *c)
{
	uint64_t old[SYS_NREGS];
	int have[SYS_NREGS], rc = conf_vm_setup(c, 1);
	unsigned i;

	if (rc)
		return rc;
	for (i = 0; i < SYS_NREGS; i++) {
		have[i] = !host_get(c, sys_reg[i], &old[i]);
		if (have[i])
			host_set(c, sys_reg[i], sys_host[i]);
	}
	rc = sys_rounds(c, c->vcpu[0], have);
	for (i = 0; i < SYS_NREGS; i++)
		if (have[i])
			host_set(c, sys_reg[i], old[i]);
	return rc;
}

const struct conf_case conf_cases_iso[] = {
	{ .name = "tpr_isolation",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_tpr,
	  .need_hooks = NEED_CALL_LATER,
	  .custom = tpr_isolation },
	{ .name = "debug_registers",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_dregs,
	  .custom = debug_registers },
	{ .name = "debug_breakpoint",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_dbg_bp,
	  .custom = debug_breakpoint },
	{ .name = "tsc_aux", .mode = MODE_LONG64, .guest = &conf_guest_tsc_aux, .custom = tsc_aux },
	{ .name = "syscall_msrs",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_syscall_msrs,
	  .custom = syscall_msrs },
	{ .name = NULL },
};
