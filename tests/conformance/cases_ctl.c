/* SPDX-License-Identifier: MIT */
/*
 * Conformance cases: event injection, the interrupt window, kick, two
 * vCPUs on two threads, state round trips and an invalid state.
 */
#include "conf.h"
#include "guests.h"

static int act_status(struct conf_ctx *c, const char *what, int rc)
{
	if (rc)
		return conf_fail(c, "%s: %s", what, lv_status_name(rc));
	return CONF_PASS;
}

/* ---- interrupts, window, exceptions, NMI --------------------------------- */

static int win_on(struct conf_ctx *c, struct lv_vcpu *v)
{
	return act_status(c, "request_window", lv_vcpu_request_window(v, LV_WINDOW_IRQ));
}

static int win_off(struct conf_ctx *c, struct lv_vcpu *v)
{
	return act_status(c, "request_window 0", lv_vcpu_request_window(v, 0));
}

static int win_off_inject(struct conf_ctx *c, struct lv_vcpu *v)
{
	struct lv_event ev = { .type = LV_EVENT_EXTINT, .vector = 0x40 };
	int rc = win_off(c, v);

	return rc ? rc : act_status(c, "inject 0x40", lv_vcpu_inject(v, &ev));
}

static const struct step irq_inject_script[] = {
	IO_OUT(0x61, 1, 1),    ACTION(win_on),	   X_IRQWIN, ACTION(win_off_inject),
	IO_OUT(0x60, 1, 0x40), IO_OUT(0x62, 1, 2), X_HLT,    END,
};

/* The window exit comes in the spin loop after STI, with IF = 1. */
static int window_at_spin(struct conf_ctx *c, struct lv_vcpu *v)
{
	int rc = win_off(c, v);

	if (rc)
		return rc;
	rc = lv_vcpu_get_state(v, LV_STATE_GPRS, &c->st);
	if (rc)
		return conf_fail(c, "get_state: %s", lv_status_name(rc));
	if (c->st.regs.rip != CONF_CODE + 0x11 || !(c->st.regs.rflags & 0x200))
		return conf_fail(c, "window exit at RIP 0x%llx RFLAGS 0x%llx, want 0x%x with IF",
				 (unsigned long long)c->st.regs.rip,
				 (unsigned long long)c->st.regs.rflags, CONF_CODE + 0x11);
	return CONF_PASS;
}

/* No window exit while IF = 0 (the loop before port 0x63), one after STI. */
static const struct step irq_window_script[] = {
	IO_OUT(0x61, 1, 1), ACTION(win_on),	    IO_OUT(0x63, 1, 3),
	X_IRQWIN,	    ACTION(window_at_spin), END,
};

static int inject_gp(struct conf_ctx *c, struct lv_vcpu *v)
{
	struct lv_event ev = {
		.type = LV_EVENT_EXCEPTION, .vector = 13, .has_error_code = 1, .error_code = 0x1234
	};

	return act_status(c, "inject #GP", lv_vcpu_inject(v, &ev));
}

static int inject_nmi(struct conf_ctx *c, struct lv_vcpu *v)
{
	struct lv_event ev = { .type = LV_EVENT_NMI, .vector = 2 };

	return act_status(c, "inject NMI", lv_vcpu_inject(v, &ev));
}

/* Inject an NMI and keep the RSP it interrupts (the window check compares it). */
static int inject_nmi_keep_rsp(struct conf_ctx *c, struct lv_vcpu *v)
{
	int rc = lv_vcpu_get_state(v, LV_STATE_GPRS, &c->st);

	if (rc)
		return conf_fail(c, "get_state: %s", lv_status_name(rc));
	c->saved = c->st.regs.rsp;
	return inject_nmi(c, v);
}

static int nmi_win_on(struct conf_ctx *c, struct lv_vcpu *v)
{
	return act_status(c, "request_window NMI", lv_vcpu_request_window(v, LV_WINDOW_NMI));
}

/*
 * The NMI window opens when the handler's IRET has retired: the guest's
 * stack is back where the NMI found it (SDM Vol. 3, 6.7.1 / APM Vol. 2,
 * 8.2.2: NMIs stay blocked until the next IRET).
 */
static int nmi_window_after_iret(struct conf_ctx *c, struct lv_vcpu *v)
{
	int rc = lv_vcpu_request_window(v, 0);

	if (rc)
		return conf_fail(c, "request_window 0: %s", lv_status_name(rc));
	rc = lv_vcpu_get_state(v, LV_STATE_GPRS | LV_STATE_EVENTS, &c->st);
	if (rc)
		return conf_fail(c, "get_state: %s", lv_status_name(rc));
	if (c->st.regs.rsp != c->saved)
		return conf_fail(c, "NMI window with RSP 0x%llx, want 0x%llx (after the IRET)",
				 (unsigned long long)c->st.regs.rsp, (unsigned long long)c->saved);
	if (c->st.events.nmi_masked)
		return conf_fail(c, "NMI window while the state says NMIs are blocked");
	return CONF_PASS;
}

/*
 * No NMI-window exit while the handler runs with NMIs blocked (the OUT to
 * 0x66 comes first), one right after its IRET (before the OUT to 0x62).
 */
static const struct step nmi_window_script[] = {
	IO_OUT(0x61, 1, 1),
	ACTION(inject_nmi_keep_rsp),
	IO_OUT(0x65, 1, 0x65),
	ACTION(nmi_win_on),
	IO_OUT(0x66, 1, 0x66),
	X_NMIWIN,
	ACTION(nmi_window_after_iret),
	IO_OUT(0x62, 1, 2),
	X_HLT,
	END,
};

static const struct step exc_inject_script[] = {
	IO_OUT(0x61, 1, 1),
	ACTION(inject_gp),
	IO_OUT(0x64, 4, 0x1234),
	IO_OUT(0x62, 1, 2),
	X_HLT,
	END,
};

static const struct step nmi_inject_script[] = {
	IO_OUT(0x61, 1, 1),
	ACTION(inject_nmi),
	IO_OUT(0x65, 1, 0x65),
	IO_OUT(0x62, 1, 2),
	X_HLT,
	END,
};

/*
 * One event per kind (libvcpu.h): with a #GP queued, a second #GP is BUSY
 * but an NMI is not; a second NMI is BUSY. Both queued events then reach
 * the guest, each once. Their order is the backend's: an NMI window right
 * after the exception's delivery (VMX, KVM) or the next entry (SVM), so
 * the two OUTs are accepted in either order.
 */
static int inject_per_kind(struct conf_ctx *c)
{
	struct lv_event gp = { .type = LV_EVENT_EXCEPTION, .vector = 13, .has_error_code = 1 };
	struct lv_event nmi = { .type = LV_EVENT_NMI, .vector = 2 };
	struct lv_vcpu *v;
	struct lv_exit *ex;
	unsigned seen_gp = 0, seen_nmi = 0, exits = 0;
	char got[80];
	int rc = conf_vm_setup(c, 1);

	if (rc)
		return rc;
	v = c->vcpu[0];
	gp.error_code = 0x1234;
	rc = lv_vcpu_run(v, &ex);
	if (rc || ex->reason != LV_EXIT_IO || ex->io.port != 0x61)
		return conf_fail(c, "first exit: %s, want OUT 0x61", lv_status_name(rc));
	if ((rc = lv_vcpu_inject(v, &gp)) != LV_OK)
		return conf_fail(c, "inject #GP: %s", lv_status_name(rc));
	if ((rc = lv_vcpu_inject(v, &gp)) != LV_ERR_BUSY)
		return conf_fail(c, "second #GP: %s, want LV_ERR_BUSY", lv_status_name(rc));
	if ((rc = lv_vcpu_inject(v, &nmi)) != LV_OK)
		return conf_fail(c, "NMI with a #GP queued: %s, want LV_OK", lv_status_name(rc));
	if ((rc = lv_vcpu_inject(v, &nmi)) != LV_ERR_BUSY)
		return conf_fail(c, "second NMI: %s, want LV_ERR_BUSY", lv_status_name(rc));
	for (;;) {
		if (++exits > 16)
			return conf_fail(c, "no HLT after 16 exits");
		rc = lv_vcpu_run(v, &ex);
		if (rc)
			return conf_fail(c, "run: %s", lv_status_name(rc));
		if (ex->reason == LV_EXIT_HLT)
			break;
		conf_describe_exit(ex, got, sizeof(got));
		if (ex->reason != LV_EXIT_IO || !ex->io.is_write)
			return conf_fail(c, "unexpected %s", got);
		if (ex->io.port == 0x64 && conf_load(ex->io.data, 4) == 0x1234)
			seen_gp++;
		else if (ex->io.port == 0x65)
			seen_nmi++;
		else if (ex->io.port != 0x62)
			return conf_fail(c, "unexpected %s", got);
	}
	if (seen_gp != 1 || seen_nmi != 1)
		return conf_fail(c, "#GP handler ran %u times, NMI handler %u times; want 1 and 1",
				 seen_gp, seen_nmi);
	return CONF_PASS;
}

/* ---- kick ------------------------------------------------------------------ */

static int kick_now(struct conf_ctx *c, struct lv_vcpu *v)
{
	return act_status(c, "kick", lv_vcpu_kick(v));
}

static int expect_rip(struct conf_ctx *c, struct lv_vcpu *v, uint64_t want)
{
	int rc = lv_vcpu_get_state(v, LV_STATE_GPRS, &c->st);

	if (rc)
		return conf_fail(c, "get_state: %s", lv_status_name(rc));
	if (c->st.regs.rip != want)
		return conf_fail(c, "RIP 0x%llx, want 0x%llx", (unsigned long long)c->st.regs.rip,
				 (unsigned long long)want);
	return CONF_PASS;
}

/* The guest did not run at all. */
static int rip_at_start(struct conf_ctx *c, struct lv_vcpu *v)
{
	return expect_rip(c, v, CONF_CODE);
}

/* The OUT was completed before the cancelled run returned; the spin loop is at +4. */
static int rip_at_spin(struct conf_ctx *c, struct lv_vcpu *v)
{
	return expect_rip(c, v, CONF_CODE + 4);
}

static const struct step kick_before_script[] = {
	ACTION(kick_now), X_CANCELLED, ACTION(rip_at_start), IO_OUT(0x61, 1, 1),
	ACTION(kick_now), X_CANCELLED, ACTION(rip_at_spin),  END,
};

/*
 * A kick and a queued event before the same run: the run is cancelled
 * without entering (the event is neither delivered nor lost), and the next
 * run delivers it once (on the raw backends the entry finds the kick and
 * the entry-work request in one word and honours the kick first).
 */
static const struct step kick_event_script[] = {
	IO_OUT(0x61, 1, 1),
	ACTION(inject_gp),
	ACTION(kick_now),
	X_CANCELLED,
	IO_OUT(0x64, 4, 0x1234),
	IO_OUT(0x62, 1, 2),
	X_HLT,
	END,
};

static void kick_later_fn(void *arg)
{
	struct conf_ctx *c = arg;

	lv_vcpu_kick(c->vcpu[0]);
	__atomic_store_n(&c->flag, 1, __ATOMIC_RELEASE);
}

static int kick_later(struct conf_ctx *c, struct lv_vcpu *v)
{
	(void)v;
	if (c->host->call_later(c->host->ctx, 20000, kick_later_fn, c))
		return conf_fail(c, "call_later failed");
	return CONF_PASS;
}

static int kick_done(struct conf_ctx *c, struct lv_vcpu *v)
{
	while (!__atomic_load_n(&c->flag, __ATOMIC_ACQUIRE))
		;
	return rip_at_spin(c, v);
}

static const struct step kick_spin_script[] = {
	IO_OUT(0x61, 1, 1), ACTION(kick_later), X_CANCELLED, ACTION(kick_done), END,
};

/* ---- two vCPUs on two threads ------------------------------------------------ */

#define COUNT_N 200u

static char thread_msg[2][120];
static int thread_rc[2];

static void count_worker(void *arg, unsigned i)
{
	struct conf_ctx *c = arg;
	struct lv_vcpu *v = c->vcpu[i];
	struct lv_exit *ex;
	uint32_t k;
	int rc;

	thread_rc[i] = CONF_FAIL;
	for (k = 0; k <= COUNT_N; k++) {
		rc = lv_vcpu_run(v, &ex);
		if (rc) {
			conf_fmt(thread_msg[i], sizeof(thread_msg[i]), "vCPU %u run: %s", i,
				 lv_status_name(rc));
			return;
		}
		if (k == COUNT_N ? ex->reason != LV_EXIT_HLT
				 : (ex->reason != LV_EXIT_IO || ex->io.port != 0x80 + i ||
				    ex->io.size != 4 || ex->io.count != 1 ||
				    conf_load(ex->io.data, 4) != k)) {
			char got[80];

			conf_describe_exit(ex, got, sizeof(got));
			conf_fmt(thread_msg[i], sizeof(thread_msg[i]), "vCPU %u access %u: got %s",
				 i, k, got);
			return;
		}
	}
	thread_rc[i] = CONF_PASS;
}

static int two_vcpus(struct conf_ctx *c)
{
	unsigned i;
	int rc = conf_vm_setup(c, 2);

	if (rc)
		return rc;
	for (i = 0; i < 2; i++) {
		conf_state_for_mode(&c->st, MODE_LONG64);
		c->st.regs.rbx = i;
		c->st.regs.rsp = CONF_STACK - 0x800 * i;
		rc = lv_vcpu_set_state(c->vcpu[i], LV_STATE_GPRS, &c->st);
		if (rc)
			return conf_fail(c, "set_state: %s", lv_status_name(rc));
	}
	if (c->host->parallel(c->host->ctx, 2, count_worker, c))
		return conf_fail(c, "parallel hook failed");
	for (i = 0; i < 2; i++)
		if (thread_rc[i])
			return conf_fail(c, "%s", thread_msg[i]);
	return CONF_PASS;
}

/* ---- state round trip ------------------------------------------------------- */

static void fill_state(struct lv_state *w, unsigned mode)
{
	uint64_t *g = &w->regs.rax;
	unsigned i;

	conf_state_for_mode(w, mode);
	for (i = 0; i < 16; i++)
		if (i != 4) /* RSP stays the stack */
			g[i] = 0x0101010101010101ull * (i + 1) + 0x1000 * i;
	w->regs.rflags = 0x47; /* CF PF ZF + the fixed bit */
	w->ctrl.cr2 = 0x12345000;
	w->debug.dr0 = 0x1000;
	w->debug.dr1 = 0x2000;
	w->debug.dr2 = 0x3000;
	w->debug.dr3 = 0x4000;
	w->debug.dr6 = 0xffff0ff0;
	w->debug.dr7 = 0x400;
	w->msrs.star = 0x0023001000000000ull;
	w->msrs.lstar = 0xffffffff81000000ull;
	w->msrs.cstar = 0xffffffff81000100ull;
	w->msrs.sfmask = 0x47700;
	w->msrs.kernel_gs_base = 0xffff888000000000ull;
	w->msrs.sysenter_cs = 0x10;
	w->msrs.sysenter_esp = 0x7000;
	w->msrs.sysenter_eip = 0x8000;
	w->msrs.pat = 0x0007010600070106ull;
	w->msrs.tsc = 0x100000000ull;
	memset(&w->events, 0, sizeof(w->events));
	w->fpu.fxsave[0] = 0x7f; /* FCW 0x027f */
	w->fpu.fxsave[1] = 0x02;
	w->fpu.fxsave[24] = 0x80; /* MXCSR 0x7f80: round toward zero */
	w->fpu.fxsave[25] = 0x7f;
	for (i = 0; i < 16; i++)
		w->fpu.fxsave[160 + i] = (uint8_t)(0x10 + i); /* XMM0 */
}

static int seg_cmp(struct conf_ctx *c, const char *name, const struct lv_segment *a,
		   const struct lv_segment *b)
{
	uint8_t mask = a->s ? 0xe : 0xf; /* code/data: the CPU may set "accessed" */

	if (a->selector != b->selector || a->base != b->base || a->limit != b->limit ||
	    (a->type & mask) != (b->type & mask) || a->s != b->s || a->dpl != b->dpl ||
	    a->present != b->present || a->l != b->l || a->db != b->db || a->g != b->g)
		return conf_fail(c,
				 "%s: set sel 0x%x base 0x%llx limit 0x%x type %u, got sel 0x%x "
				 "base 0x%llx limit 0x%x type %u",
				 name, a->selector, (unsigned long long)a->base, a->limit, a->type,
				 b->selector, (unsigned long long)b->base, b->limit, b->type);
	return CONF_PASS;
}

static int u64_cmp(struct conf_ctx *c, const char *name, uint64_t want, uint64_t got)
{
	if (want != got)
		return conf_fail(c, "%s: set 0x%llx, got 0x%llx", name, (unsigned long long)want,
				 (unsigned long long)got);
	return CONF_PASS;
}

static int state_compare(struct conf_ctx *c, const struct lv_state *w, const struct lv_state *r)
{
	static const char *const gname[16] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi",
					       "rsp", "rbp", "r8",  "r9",  "r10", "r11",
					       "r12", "r13", "r14", "r15" };
	const uint64_t *gw = &w->regs.rax, *gr = &r->regs.rax;
	unsigned i;

	for (i = 0; i < 16; i++)
		if (u64_cmp(c, gname[i], gw[i], gr[i]))
			return CONF_FAIL;
	if (u64_cmp(c, "rip", CONF_CODE + c->cs->guest->len, r->regs.rip) ||
	    u64_cmp(c, "rflags", w->regs.rflags, r->regs.rflags) ||
	    seg_cmp(c, "cs", &w->segs.cs, &r->segs.cs) ||
	    seg_cmp(c, "ds", &w->segs.ds, &r->segs.ds) ||
	    seg_cmp(c, "es", &w->segs.es, &r->segs.es) ||
	    seg_cmp(c, "fs", &w->segs.fs, &r->segs.fs) ||
	    seg_cmp(c, "gs", &w->segs.gs, &r->segs.gs) ||
	    seg_cmp(c, "ss", &w->segs.ss, &r->segs.ss) ||
	    seg_cmp(c, "tr", &w->segs.tr, &r->segs.tr) ||
	    u64_cmp(c, "gdt.base", w->segs.gdt.base, r->segs.gdt.base) ||
	    u64_cmp(c, "gdt.limit", w->segs.gdt.limit, r->segs.gdt.limit) ||
	    u64_cmp(c, "idt.base", w->segs.idt.base, r->segs.idt.base) ||
	    u64_cmp(c, "idt.limit", w->segs.idt.limit, r->segs.idt.limit) ||
	    u64_cmp(c, "cr0", w->ctrl.cr0, r->ctrl.cr0) ||
	    u64_cmp(c, "cr2", w->ctrl.cr2, r->ctrl.cr2) ||
	    u64_cmp(c, "cr3", w->ctrl.cr3, r->ctrl.cr3) ||
	    u64_cmp(c, "cr4", w->ctrl.cr4, r->ctrl.cr4) ||
	    u64_cmp(c, "efer", w->ctrl.efer, r->ctrl.efer) ||
	    u64_cmp(c, "dr0", w->debug.dr0, r->debug.dr0) ||
	    u64_cmp(c, "dr1", w->debug.dr1, r->debug.dr1) ||
	    u64_cmp(c, "dr2", w->debug.dr2, r->debug.dr2) ||
	    u64_cmp(c, "dr3", w->debug.dr3, r->debug.dr3) ||
	    u64_cmp(c, "dr7", w->debug.dr7, r->debug.dr7) ||
	    u64_cmp(c, "star", w->msrs.star, r->msrs.star) ||
	    u64_cmp(c, "lstar", w->msrs.lstar, r->msrs.lstar) ||
	    u64_cmp(c, "cstar", w->msrs.cstar, r->msrs.cstar) ||
	    u64_cmp(c, "sfmask", w->msrs.sfmask, r->msrs.sfmask) ||
	    u64_cmp(c, "kernel_gs_base", w->msrs.kernel_gs_base, r->msrs.kernel_gs_base) ||
	    u64_cmp(c, "sysenter_cs", w->msrs.sysenter_cs, r->msrs.sysenter_cs) ||
	    u64_cmp(c, "sysenter_esp", w->msrs.sysenter_esp, r->msrs.sysenter_esp) ||
	    u64_cmp(c, "sysenter_eip", w->msrs.sysenter_eip, r->msrs.sysenter_eip) ||
	    u64_cmp(c, "pat", w->msrs.pat, r->msrs.pat) ||
	    u64_cmp(c, "fcw", conf_load(w->fpu.fxsave, 2), conf_load(r->fpu.fxsave, 2)) ||
	    u64_cmp(c, "mxcsr", conf_load(w->fpu.fxsave + 24, 4),
		    conf_load(r->fpu.fxsave + 24, 4)) ||
	    u64_cmp(c, "xmm0.lo", conf_load(w->fpu.fxsave + 160, 8),
		    conf_load(r->fpu.fxsave + 160, 8)) ||
	    u64_cmp(c, "xmm0.hi", conf_load(w->fpu.fxsave + 168, 8),
		    conf_load(r->fpu.fxsave + 168, 8)))
		return CONF_FAIL;
	if (r->msrs.tsc < w->msrs.tsc)
		return conf_fail(c, "tsc went back: set 0x%llx, got 0x%llx",
				 (unsigned long long)w->msrs.tsc, (unsigned long long)r->msrs.tsc);
	return CONF_PASS;
}

/* Set every group, run OUT (EAX as set) + HLT, read every group back. */
static int state_roundtrip(struct conf_ctx *c)
{
	static struct lv_state w, r;
	struct step script[3] = { IO_OUT(0x70, 4, 0), X_HLT, END };
	int rc = conf_vm_setup(c, 1);

	if (rc)
		return rc;
	fill_state(&w, c->cs->mode);
	rc = lv_vcpu_set_state(c->vcpu[0], LV_STATE_ALL, &w);
	if (rc)
		return conf_fail(c, "set_state(ALL): %s", lv_status_name(rc));
	script[0].value = (uint32_t)w.regs.rax;
	rc = conf_script(c, c->vcpu[0], script, c->msg, sizeof(c->msg));
	if (rc)
		return rc;
	memset(&r, 0, sizeof(r));
	rc = lv_vcpu_get_state(c->vcpu[0], LV_STATE_ALL, &r);
	if (rc)
		return conf_fail(c, "get_state(ALL): %s", lv_status_name(rc));
	return state_compare(c, &w, &r);
}

/* ---- invalid state ---------------------------------------------------------- */

/*
 * CR0.PG without CR0.PE (SDM Vol. 3, 2.5: #GP for MOV CR0; an invalid
 * guest state for VM entry). Defined outcomes: rejected when set
 * (LV_ERR_INVAL, KVM) or an ENTRY_FAILED exit (VMX/SVM). After a rejected
 * set the vCPU must still run from its previous state.
 */
static int invalid_state(struct conf_ctx *c)
{
	struct lv_exit *ex;
	int rc = conf_vm_setup(c, 1);
	char got[80];

	if (rc)
		return rc;
	rc = lv_vcpu_get_state(c->vcpu[0], LV_STATE_CONTROL, &c->st);
	if (rc)
		return conf_fail(c, "get_state: %s", lv_status_name(rc));
	c->st.ctrl.cr0 = (c->st.ctrl.cr0 | 0x80000000ull) & ~1ull;
	rc = lv_vcpu_set_state(c->vcpu[0], LV_STATE_CONTROL, &c->st);
	if (rc == LV_ERR_INVAL) {
		static const struct step still_runs[] = {
			X_HLT,
			END,
		};
		return conf_script(c, c->vcpu[0], still_runs, c->msg, sizeof(c->msg));
	}
	if (rc)
		return conf_fail(c, "set_state returned %s (want LV_OK or LV_ERR_INVAL)",
				 lv_status_name(rc));
	rc = lv_vcpu_run(c->vcpu[0], &ex);
	if (rc)
		return conf_fail(c, "run: %s", lv_status_name(rc));
	if (ex->reason != LV_EXIT_ENTRY_FAILED) {
		conf_describe_exit(ex, got, sizeof(got));
		return conf_fail(c, "accepted invalid CR0, then got %s (want ENTRY_FAILED)", got);
	}
	return CONF_PASS;
}

const struct conf_case conf_cases_ctl[] = {
	{ .name = "irq_inject_idt",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_irq_inject,
	  .need_features = LV_FEAT_IRQ_WINDOW,
	  .script = irq_inject_script },
	{ .name = "irq_window",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_irq_window,
	  .need_features = LV_FEAT_IRQ_WINDOW,
	  .script = irq_window_script },
	{ .name = "exception_inject",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_events64,
	  .script = exc_inject_script },
	{ .name = "nmi_inject",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_events64,
	  .script = nmi_inject_script },
	{ .name = "nmi_window",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_nmi_window,
	  .need_features = LV_FEAT_NMI_WINDOW,
	  .script = nmi_window_script },
	{ .name = "inject_per_kind",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_events64,
	  .custom = inject_per_kind },
	{ .name = "kick_before_run",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_spin,
	  .script = kick_before_script },
	{ .name = "kick_with_event",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_events64,
	  .script = kick_event_script },
	{ .name = "kick_spinning",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_spin,
	  .need_hooks = NEED_CALL_LATER,
	  .script = kick_spin_script },
	{ .name = "two_vcpus_two_threads",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_count,
	  .need_hooks = NEED_PARALLEL,
	  .custom = two_vcpus },
	{ .name = "state_roundtrip_real",
	  .mode = MODE_REAL,
	  .guest = &conf_guest_state_real,
	  .custom = state_roundtrip },
	{ .name = "state_roundtrip_prot32",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_state_32,
	  .custom = state_roundtrip },
	{ .name = "state_roundtrip_long64",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_state_64,
	  .custom = state_roundtrip },
	{ .name = "invalid_state",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_hlt32,
	  .custom = invalid_state },
	{ .name = NULL },
};
