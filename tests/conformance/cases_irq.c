/* SPDX-License-Identifier: MIT */
/*
 * Conformance cases of the interrupt controller (LV_VM_IRQCHIP): MSI
 * delivery waking HLT, the x2APIC MSRs, INIT/SIPI start-up of a second vCPU and a fixed IPI
 * to it, IOAPIC edge and level GSIs, the local APIC timer
 * (one-shot, periodic, TSC-deadline) also while the guest spins without
 * exits, TPR masking with EOI, HLT woken by an IOAPIC interrupt from
 * another thread and by a kick, the APIC/MP state groups, and the API's
 * answers where a backend or
 * a VM has no controller, and CR8 as the TPR (irqchip_cr8_tpr). The guests
 * are 32-bit without paging, so the APIC (0xFEE00000) and IOAPIC
 * (0xFEC00000) are reachable directly; the one 64-bit guest gets the APIC
 * page mapped by its setup.
 */
#include "conf.h"
#include "guests.h"

#define MSI_ADDR_APIC0 0xfee00000ull /* destination APIC ID 0, physical mode */

/* Fixed delivery, edge, of @p vector to APIC 0 (SDM Vol. 3, 11.11.2). */
static int msi(struct conf_ctx *c, uint32_t vector)
{
	int rc = lv_vm_signal_msi(c->vm, MSI_ADDR_APIC0, vector);

	return rc ? conf_fail(c, "lv_vm_signal_msi(0x%x): %s", vector, lv_status_name(rc))
		  : CONF_PASS;
}

/* Run @p fn with the case's context 20 ms from now, on the host's timer thread. */
static int in_20ms(struct conf_ctx *c, void (*fn)(void *arg))
{
	if (c->host->call_later(c->host->ctx, 20000, fn, c))
		return conf_fail(c, "call_later failed");
	return CONF_PASS;
}

/* ---- MSI wakes HLT ------------------------------------------------------------ */

static int send_msi_41(struct conf_ctx *c, struct lv_vcpu *v)
{
	(void)v;
	return msi(c, 0x41);
}

static const struct step msi_script[] = {
	IO_OUT(0x61, 1, 1), ACTION(send_msi_41), IO_OUT(0x60, 1, 0x41), IO_OUT(0x62, 1, 2), END,
};

/*
 * Two NMIs queued before an entry are both delivered: one now, one after
 * the handler's IRET (KVM keeps up to two pending, as a CPU takes one and
 * latches one; SDM Vol. 3, 6.7.1). MSI data 0x400: delivery mode NMI.
 */
static int send_two_nmis(struct conf_ctx *c, struct lv_vcpu *v)
{
	int rc = lv_vm_signal_msi(c->vm, MSI_ADDR_APIC0, 0x400);

	(void)v;
	if (rc == LV_OK)
		rc = lv_vm_signal_msi(c->vm, MSI_ADDR_APIC0, 0x400);
	return rc ? conf_fail(c, "lv_vm_signal_msi(NMI): %s", lv_status_name(rc)) : CONF_PASS;
}

static const struct step nmi2_script[] = {
	IO_OUT(0x61, 1, 1), ACTION(send_two_nmis), IO_OUT(0x60, 1, 1),
	IO_OUT(0x60, 1, 2), IO_OUT(0x62, 1, 2),	   END,
};

/* ---- IOAPIC: edge on GSI 17, level on GSI 18 ------------------------------------ */

static int pulse_17(struct conf_ctx *c, struct lv_vcpu *v)
{
	(void)v;
	return conf_irq_line(c, 17, 1) ? CONF_FAIL : conf_irq_line(c, 17, 0);
}

static int raise_18(struct conf_ctx *c, struct lv_vcpu *v)
{
	(void)v;
	return conf_irq_line(c, 18, 1);
}

static int lower_18(struct conf_ctx *c, struct lv_vcpu *v)
{
	(void)v;
	return conf_irq_line(c, 18, 0);
}

static const struct step ioapic_script[] = {
	IO_OUT(0x61, 1, 1), ACTION(pulse_17),	IO_OUT(0x60, 1, 0x42),
	IO_OUT(0x62, 1, 2), ACTION(raise_18),	IO_OUT(0x60, 1, 0x43),
	ACTION(lower_18),   IO_OUT(0x63, 1, 2), END,
};

/* ---- HLT woken by an interrupt from another thread ------------------------------------ */

/* 20 ms later, on the host's timer thread: an edge on GSI c->saved; flag 1 = sent, 2 = failed. */
static void pulse_fn(void *arg)
{
	struct conf_ctx *c = arg;
	uint32_t gsi = (uint32_t)c->saved;
	int rc = lv_vm_irq_line(c->vm, gsi, 1);

	if (!rc)
		rc = lv_vm_irq_line(c->vm, gsi, 0);
	__atomic_store_n(&c->flag, rc ? 2 : 1, __ATOMIC_RELEASE);
}

int conf_pulse_later(struct conf_ctx *c, uint32_t gsi)
{
	c->flag = 0;
	c->saved = gsi;
	return in_20ms(c, pulse_fn);
}

static int pulse_17_later(struct conf_ctx *c, struct lv_vcpu *v)
{
	(void)v;
	return conf_pulse_later(c, 17);
}

int conf_pulsed_before(struct conf_ctx *c, struct lv_vcpu *v)
{
	uint32_t f, n;

	(void)v;
	for (n = 0; !(f = __atomic_load_n(&c->flag, __ATOMIC_ACQUIRE)) && n < (1u << 28); n++)
		__asm__ volatile("pause");
	if (f == 2)
		return conf_fail(c, "lv_vm_irq_line(%u) from the timer thread failed",
				 (unsigned)c->saved);
	if (f != 1)
		return conf_fail(c, "the handler ran, but the GSI %u pulse never came",
				 (unsigned)c->saved);
	return CONF_PASS;
}

static const struct step hlt_irq_script[] = {
	IO_OUT(0x61, 1, 1),	    ACTION(pulse_17_later), IO_OUT(0x60, 1, 0x42),
	ACTION(conf_pulsed_before), IO_OUT(0x62, 1, 2),	    END,
};

/* ---- the local APIC timer --------------------------------------------------------- */

static const struct step timer_script[] = {
	IO_OUT(0x61, 1, 1),    IO_OUT(0x60, 1, 0x44), IO_OUT(0x62, 1, 3),
	IO_OUT(0x60, 1, 0x46), IO_OUT(0x63, 1, 3),    END,
};

/* ---- the APIC timer ends a guest that spins with no exit of its own -------------- */

static const struct step timer_spin_script[] = {
	IO_OUT(0x61, 1, 1),
	IO_OUT(0x60, 1, 0x44),
	IO_OUT(0x62, 1, 2),
	END,
};

/* ---- TPR masking and EOI ------------------------------------------------------------ */

static int send_msi_41_61(struct conf_ctx *c, struct lv_vcpu *v)
{
	(void)v;
	return msi(c, 0x41) ? CONF_FAIL : msi(c, 0x61);
}

static const struct step tpr_script[] = {
	IO_OUT(0x61, 1, 1),    ACTION(send_msi_41_61), IO_OUT(0x60, 1, 0x61),
	IO_OUT(0x60, 1, 0x41), IO_OUT(0x62, 1, 2),     END,
};

/* ---- CR8 is the TPR (64-bit) ----------------------------------------------------- */

static uint32_t reg32(const struct lv_state *st, unsigned off);

/* The xAPIC page for the 64-bit guest, whose identity map ends at 1 GiB: one 2 MiB page. */
static int map_apic64(struct conf_ctx *c)
{
	int rc = lv_pt_map(c->pt, MSI_ADDR_APIC0, MSI_ADDR_APIC0, 2u << 20, LV_PT_R | LV_PT_W,
			   NULL);

	return rc ? conf_fail(c, "lv_pt_map(APIC page): %s", lv_status_name(rc)) : CONF_PASS;
}

static int send_msi_50(struct conf_ctx *c, struct lv_vcpu *v)
{
	(void)v;
	return msi(c, 0x50);
}

/* After MOV CR8 = 15: the APIC group's TPR and the CONTROL group's CR8 agree. */
static int tpr_is_f0(struct conf_ctx *c, struct lv_vcpu *v)
{
	int rc = lv_vcpu_get_state(v, LV_STATE_APIC | LV_STATE_CONTROL, &c->st);

	if (rc)
		return conf_fail(c, "get_state(APIC | CONTROL): %s", lv_status_name(rc));
	if (reg32(&c->st, 0x80) != 0xf0 || c->st.ctrl.cr8 != 15)
		return conf_fail(c, "after MOV CR8 = 15: LV_STATE_APIC TPR 0x%x, cr8 %llu",
				 reg32(&c->st, 0x80), (unsigned long long)c->st.ctrl.cr8);
	return CONF_PASS;
}

/* One set_state with both groups: LV_STATE_APIC's TPR 0x20 wins over CONTROL's CR8 7. */
static int set_tpr_20(struct conf_ctx *c, struct lv_vcpu *v)
{
	const uint32_t mask = LV_STATE_APIC | LV_STATE_CONTROL;
	int rc = lv_vcpu_get_state(v, mask, &c->st);

	if (rc)
		return conf_fail(c, "get_state(APIC | CONTROL): %s", lv_status_name(rc));
	conf_store(c->st.apic.regs + 0x80, 4, 0x20);
	c->st.ctrl.cr8 = 7;
	rc = lv_vcpu_set_state(v, mask, &c->st);
	return rc ? conf_fail(c, "set_state(APIC | CONTROL): %s", lv_status_name(rc)) : CONF_PASS;
}

static const struct step cr8_script[] = {
	IO_OUT(0x61, 1, 1),
	ACTION(send_msi_50),
	IO_OUT(0x64, 4, 0xf0),
	ACTION(tpr_is_f0),
	IO_OUT(0x60, 1, 0x50),
	IO_OUT(0x62, 1, 2),
	IO_OUT(0x63, 1, 3),
	ACTION(set_tpr_20),
	IO_OUT(0x65, 1, 2),
	IO_OUT(0x66, 4, 0x20),
	END,
};

/* ---- x2APIC MSRs: ID, version, self IPI, EOI and its #GP ------------------------ */

static const struct step x2apic_script[] = {
	IO_OUT(0x60, 1, 0),    IO_OUT(0x60, 1, 0x14), IO_OUT(0x60, 1, 0x47),
	IO_OUT(0x60, 1, 0x0d), IO_OUT(0x62, 1, 2),    END,
};

/*
 * CPUID.1:EDX.APIC follows IA32_APIC_BASE.EN; the xAPIC page reads the
 * version (low byte 0x14, 5 LVTs minus one in bits 23:16 on both KVM and
 * the model) while enabled in xAPIC mode, all ones while disabled or in
 * x2APIC mode, and keeps nothing written meanwhile.
 */
static const struct step apic_off_script[] = {
	IO_OUT(0x60, 1, 1), IO_OUT(0x61, 4, 0x00050014),
	IO_OUT(0x60, 1, 0), IO_OUT(0x61, 4, 0xffffffff),
	IO_OUT(0x60, 1, 1), IO_OUT(0x61, 4, 0x00050014),
	IO_OUT(0x60, 1, 1), IO_OUT(0x61, 4, 0xffffffff),
	IO_OUT(0x62, 1, 2), END,
};

/* ---- HLT with IF = 0 ends only by a kick -------------------------------------------- */

static void kick_fn(void *arg)
{
	struct conf_ctx *c = arg;

	__atomic_store_n(&c->flag, 1, __ATOMIC_RELEASE);
	lv_vcpu_kick(c->vcpu[0]);
}

/* Kick rounds before giving up; round k kicks after k * 20 ms. */
#define HLT_KICK_ROUNDS 6

/*
 * The guest executes HLT with IF = 0 right after its OUT to 0x61: the run
 * must sleep in it and return LV_EXIT_CANCELLED only for the kick, with
 * the vCPU still halted. A loaded host may deliver the kick before the
 * guest reached HLT (the run then returns with the vCPU runnable, as KVM's
 * KVM_RUN does -EINTR): that round proves nothing, so run and kick again,
 * a little later each time. A kick that does not wake a halted vCPU hangs
 * the run (the test's timeout).
 */
static int hlt_kick_rounds(struct conf_ctx *c, struct lv_vcpu *v)
{
	struct lv_exit *ex;
	struct lv_state st;
	unsigned k;
	int rc;

	for (k = 1; k <= HLT_KICK_ROUNDS; k++) {
		__atomic_store_n(&c->flag, 0, __ATOMIC_RELEASE);
		if (c->host->call_later(c->host->ctx, 20000u * k, kick_fn, c))
			return conf_fail(c, "call_later failed");
		rc = lv_vcpu_run(v, &ex);
		if (rc)
			return conf_fail(c, "round %u: run: %s", k, lv_status_name(rc));
		if (!__atomic_load_n(&c->flag, __ATOMIC_ACQUIRE))
			return conf_fail(c, "round %u: lv_vcpu_run returned before the kick", k);
		if (ex->reason != LV_EXIT_CANCELLED)
			return conf_fail(c, "round %u: exit %u after the kick, want CANCELLED", k,
					 ex->reason);
		rc = lv_vcpu_get_state(v, LV_STATE_MP, &st);
		if (rc)
			return conf_fail(c, "get_state(MP): %s", lv_status_name(rc));
		if (st.mp_state == LV_MP_HALTED)
			return CONF_PASS;
		if (st.mp_state != LV_MP_RUNNABLE)
			return conf_fail(c, "mp_state %u after a kick, want LV_MP_HALTED",
					 st.mp_state);
	}
	return conf_fail(c, "the guest never reached HLT before a kick in %u rounds",
			 HLT_KICK_ROUNDS);
}

static const struct step hlt_kick_script[] = {
	IO_OUT(0x61, 1, 1),
	ACTION(hlt_kick_rounds),
	END,
};

/* ---- HLT: an interrupt raised between two runs wakes it -------------------------------- */

/* The kick first, then the flag: once it is 1, the kick has reached the vCPU. */
static void kick_then_flag(void *arg)
{
	struct conf_ctx *c = arg;

	lv_vcpu_kick(c->vcpu[0]);
	__atomic_store_n(&c->flag, 1, __ATOMIC_RELEASE);
}

/*
 * A kick ends the run of the halted vCPU (hlt_kick_rounds()); the host then
 * pulses GSI 17 while no run is in progress, as a VMM does with a device's
 * interrupt between two runs. The next run must wake the vCPU and deliver
 * it: the handler's OUT 0x60 (0x42). Each round has a watchdog kick, k * 20
 * ms later, so a vCPU that stays asleep fails the case instead of hanging
 * it; after a pass the watchdog's kick ends the next run at once.
 */
static int hlt_kick_then_line(struct conf_ctx *c, struct lv_vcpu *v)
{
	struct lv_exit *ex;
	unsigned k, n;
	int rc;

	if (hlt_kick_rounds(c, v) != CONF_PASS || pulse_17(c, v) != CONF_PASS)
		return CONF_FAIL;
	for (k = 1; k <= HLT_KICK_ROUNDS; k++) {
		__atomic_store_n(&c->flag, 0, __ATOMIC_RELEASE);
		if (c->host->call_later(c->host->ctx, 20000u * k, kick_then_flag, c))
			return conf_fail(c, "call_later failed");
		rc = lv_vcpu_run(v, &ex);
		for (n = 0; !__atomic_load_n(&c->flag, __ATOMIC_ACQUIRE) && n < (1u << 30); n++)
			__asm__ volatile("pause");
		if (rc)
			return conf_fail(c, "round %u: run: %s", k, lv_status_name(rc));
		if (ex->reason == LV_EXIT_CANCELLED)
			continue; /* still asleep, or a slow host: another round */
		if (ex->reason != LV_EXIT_IO || ex->io.port != 0x60 || !ex->io.is_write ||
		    ex->io.data[0] != 0x42)
			return conf_fail(c, "round %u: exit %u, want the handler's OUT 0x60 (0x42)",
					 k, ex->reason);
		rc = lv_vcpu_run(v, &ex);
		if (rc || ex->reason != LV_EXIT_CANCELLED)
			return conf_fail(
				c, "the watchdog's kick did not end the next run (%s, exit %u)",
				lv_status_name(rc), rc ? 0u : ex->reason);
		return CONF_PASS;
	}
	return conf_fail(c,
			 "GSI 17, raised while the halted vCPU was between two runs, never woke "
			 "it (%u rounds)",
			 HLT_KICK_ROUNDS);
}

static const struct step hlt_kick_line_script[] = {
	IO_OUT(0x61, 1, 1),
	ACTION(hlt_kick_then_line),
	IO_OUT(0x62, 1, 2),
	END,
};

/* ---- the APIC and MP state groups ----------------------------------------------------- */

static uint32_t reg32(const struct lv_state *st, unsigned off)
{
	return (uint32_t)conf_load(st->apic.regs + off, 4);
}

static int irq_state(struct conf_ctx *c)
{
	struct lv_state st;
	int rc = conf_vm_setup(c, 2);

	if (rc)
		return rc;
	WANT("get APIC+MP of vCPU 0",
	     lv_vcpu_get_state(c->vcpu[0], LV_STATE_APIC | LV_STATE_MP, &st), LV_OK);
	if (st.mp_state != LV_MP_RUNNABLE)
		return conf_fail(c, "vCPU 0 (the BSP) mp_state %u, want RUNNABLE", st.mp_state);
	/* Version register: version in bits 7:0 (0x1x integrated APIC), max LVT in 23:16. */
	if ((reg32(&st, 0x30) & 0xf0) != 0x10 || (reg32(&st, 0x30) >> 16 & 0xff) < 4)
		return conf_fail(c, "APIC version register 0x%x", reg32(&st, 0x30));
	conf_store(st.apic.regs + 0x80, 4, 0x30);     /* TPR */
	conf_store(st.apic.regs + 0x320, 4, 0x50040); /* LVT timer: TSC-deadline, masked, 0x40 */
	st.apic.tsc_deadline = 0x123456789ull;
	WANT("set APIC", lv_vcpu_set_state(c->vcpu[0], LV_STATE_APIC, &st), LV_OK);
	memset(&st, 0, sizeof(st));
	WANT("get APIC again", lv_vcpu_get_state(c->vcpu[0], LV_STATE_APIC, &st), LV_OK);
	if (reg32(&st, 0x80) != 0x30)
		return conf_fail(c, "TPR 0x%x after set_state, want 0x30", reg32(&st, 0x80));
	if (st.apic.tsc_deadline != 0x123456789ull)
		return conf_fail(c, "tsc_deadline 0x%llx after set_state, want 0x123456789",
				 (unsigned long long)st.apic.tsc_deadline);
	/* The ID register: xAPIC ID in bits 31:24; in x2APIC mode the 32-bit x2APIC ID (state.h). */
	WANT("get CONTROL+APIC of vCPU 1",
	     lv_vcpu_get_state(c->vcpu[1], LV_STATE_CONTROL | LV_STATE_APIC, &st), LV_OK);
	if (reg32(&st, 0x20) != 1u << 24)
		return conf_fail(c, "vCPU 1's xAPIC ID register 0x%x, want 0x01000000",
				 reg32(&st, 0x20));
	st.ctrl.apic_base |= (1u << 11) | (1u << 10); /* EN | EXTD (SDM Vol. 3, 11.12.1) */
	WANT("vCPU 1 into x2APIC mode", lv_vcpu_set_state(c->vcpu[1], LV_STATE_CONTROL, &st),
	     LV_OK);
	WANT("get APIC of vCPU 1 in x2APIC mode", lv_vcpu_get_state(c->vcpu[1], LV_STATE_APIC, &st),
	     LV_OK);
	if (reg32(&st, 0x20) != 1)
		return conf_fail(c, "vCPU 1's x2APIC ID register 0x%x, want 1", reg32(&st, 0x20));
	WANT("get MP of vCPU 1", lv_vcpu_get_state(c->vcpu[1], LV_STATE_MP, &st), LV_OK);
	if (st.mp_state != LV_MP_WAIT_SIPI)
		return conf_fail(c, "vCPU 1 (an AP) mp_state %u, want WAIT_SIPI", st.mp_state);
	st.mp_state = 7;
	WANT("mp_state 7", lv_vcpu_set_state(c->vcpu[1], LV_STATE_MP, &st), LV_ERR_INVAL);
	st.mp_state = LV_MP_RUNNABLE;
	WANT("AP made runnable", lv_vcpu_set_state(c->vcpu[1], LV_STATE_MP, &st), LV_OK);
	WANT("get MP of vCPU 1 again", lv_vcpu_get_state(c->vcpu[1], LV_STATE_MP, &st), LV_OK);
	if (st.mp_state != LV_MP_RUNNABLE)
		return conf_fail(c, "vCPU 1 mp_state %u after set RUNNABLE", st.mp_state);
	WANT("GSI 24", lv_vm_irq_line(c->vm, 24, 1), LV_ERR_INVAL);
	WANT("MSI outside the 0xFEE00000 window", lv_vm_signal_msi(c->vm, 0xfec00000ull, 0x41),
	     LV_ERR_INVAL);
	return CONF_PASS;
}

/* ---- INIT/SIPI and a fixed IPI between two vCPUs on two threads ------------------ */

static char ipi_msg[2][240];
static int ipi_rc[2];

/* vCPU @p i runs until its two expected port writes; vCPU 0 kicks 1 if it fails. */
static void ipi_worker(void *arg, unsigned i)
{
	static const uint16_t ports[2][2] = { { 0x61, 0x62 }, { 0x70, 0x71 } };
	struct conf_ctx *c = arg;
	struct lv_exit *ex;
	unsigned k;
	int rc;

	ipi_rc[i] = CONF_FAIL;
	for (k = 0; k < 2; k++) {
		rc = lv_vcpu_run(c->vcpu[i], &ex);
		if (rc) {
			conf_fmt(ipi_msg[i], sizeof(ipi_msg[i]), "vCPU %u run: %s", i,
				 lv_status_name(rc));
			break;
		}
		if (ex->reason != LV_EXIT_IO || !ex->io.is_write || ex->io.port != ports[i][k]) {
			struct lv_state st;
			char got[80];

			conf_describe_exit(ex, got, sizeof(got));
			memset(&st, 0, sizeof(st));
			lv_vcpu_get_state(c->vcpu[i], LV_STATE_GPRS | LV_STATE_SEGMENTS, &st);
			conf_fmt(ipi_msg[i], sizeof(ipi_msg[i]),
				 "vCPU %u: got %s at 0x%llx, want an OUT to 0x%x (0x6E: vCPU 1 "
				 "never "
				 "started, 0x6F: the IPI never arrived)",
				 i, got, (unsigned long long)(st.segs.cs.base + st.regs.rip),
				 ports[i][k]);
			break;
		}
	}
	if (k == 2)
		ipi_rc[i] = CONF_PASS;
	else if (i == 0)
		lv_vcpu_kick(c->vcpu[1]); /* a vCPU 1 still waiting for its SIPI */
}

static int irq_ipi(struct conf_ctx *c)
{
	struct lv_state st;
	int rc = conf_vm_setup(c, 2);

	if (rc)
		return rc;
	/* The harness gave both vCPUs the reset APIC base, BSP flag included: an AP has none. */
	WANT("vCPU 1's CONTROL", lv_vcpu_get_state(c->vcpu[1], LV_STATE_CONTROL, &st), LV_OK);
	st.ctrl.apic_base &= ~(1ull << 8);
	WANT("vCPU 1 made an AP", lv_vcpu_set_state(c->vcpu[1], LV_STATE_CONTROL, &st), LV_OK);
	WANT("vCPU 1's MP state", lv_vcpu_get_state(c->vcpu[1], LV_STATE_MP, &st), LV_OK);
	if (st.mp_state != LV_MP_WAIT_SIPI)
		return conf_fail(c, "vCPU 1 mp_state %u before its SIPI, want WAIT_SIPI",
				 st.mp_state);
	if (c->host->parallel(c->host->ctx, 2, ipi_worker, c))
		return conf_fail(c, "parallel hook failed");
	if (ipi_rc[0] || ipi_rc[1])
		return conf_fail(c, "%s", ipi_rc[1] ? ipi_msg[1] : ipi_msg[0]);
	return CONF_PASS;
}

/* ---- without a controller ------------------------------------------------------------- */

/*
 * Every backend: a VM without LV_VM_IRQCHIP has no lines, MSIs or APIC/MP
 * groups (LV_ERR_NOTSUP), and a backend without LV_FEAT_IRQCHIP refuses the
 * flag. Its vCPU still exits on HLT as before.
 */
static int irq_absent(struct conf_ctx *c)
{
	struct lv_vm_config cfg = { 0, LV_VM_IRQCHIP };
	struct lv_vm *vm = NULL;
	struct lv_state st;
	int rc = conf_vm_setup(c, 1);

	if (rc)
		return rc;
	WANT("irq_line without irqchip", lv_vm_irq_line(c->vm, 4, 1), LV_ERR_NOTSUP);
	WANT("MSI without irqchip", lv_vm_signal_msi(c->vm, MSI_ADDR_APIC0, 0x41), LV_ERR_NOTSUP);
	WANT("APIC group without irqchip", lv_vcpu_get_state(c->vcpu[0], LV_STATE_APIC, &st),
	     LV_ERR_NOTSUP);
	WANT("MP group without irqchip", lv_vcpu_get_state(c->vcpu[0], LV_STATE_MP, &st),
	     LV_ERR_NOTSUP);
	rc = lv_vm_create(c->b, &cfg, &vm);
	if (c->caps.features & LV_FEAT_IRQCHIP) {
		if (rc != LV_OK)
			return conf_fail(c, "vm_create(IRQCHIP) with the feature: %s",
					 lv_status_name(rc));
		lv_vm_destroy(vm);
	} else if (rc != LV_ERR_NOTSUP) {
		return conf_fail(c, "vm_create(IRQCHIP) without the feature: %s, want NOTSUP",
				 lv_status_name(rc));
	}
	return conf_run_expect(c, c->vcpu[0], LV_EXIT_HLT, "HLT without irqchip");
}

const struct conf_case conf_cases_irq[] = {
	{ .name = "irqchip_msi_wakes_hlt",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_irq_msi,
	  .need_features = LV_FEAT_IRQCHIP,
	  .vm_flags = LV_VM_IRQCHIP,
	  .script = msi_script },
	{ .name = "irqchip_ioapic_edge_level",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_irq_ioapic,
	  .need_features = LV_FEAT_IRQCHIP,
	  .vm_flags = LV_VM_IRQCHIP,
	  .script = ioapic_script },
	{ .name = "irqchip_apic_timer",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_irq_timer,
	  .need_features = LV_FEAT_IRQCHIP,
	  .vm_flags = LV_VM_IRQCHIP,
	  .script = timer_script },
	{ .name = "irqchip_timer_spin",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_irq_timer_spin,
	  .need_features = LV_FEAT_IRQCHIP,
	  .vm_flags = LV_VM_IRQCHIP,
	  .script = timer_spin_script },
	{ .name = "irqchip_tpr_eoi",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_irq_tpr,
	  .need_features = LV_FEAT_IRQCHIP,
	  .vm_flags = LV_VM_IRQCHIP,
	  .script = tpr_script },
	{ .name = "irqchip_cr8_tpr",
	  .mode = MODE_LONG64,
	  .guest = &conf_guest_irq_cr8,
	  .need_features = LV_FEAT_IRQCHIP,
	  .vm_flags = LV_VM_IRQCHIP,
	  .setup = map_apic64,
	  .script = cr8_script },
	{ .name = "irqchip_x2apic_msrs",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_irq_x2apic,
	  .need_features = LV_FEAT_IRQCHIP,
	  .vm_flags = LV_VM_IRQCHIP,
	  .script = x2apic_script },
	{ .name = "irqchip_two_nmis",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_irq_nmi2,
	  .need_features = LV_FEAT_IRQCHIP,
	  .vm_flags = LV_VM_IRQCHIP,
	  .script = nmi2_script },
	{ .name = "irqchip_apic_off",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_irq_apic_off,
	  .need_features = LV_FEAT_IRQCHIP,
	  .vm_flags = LV_VM_IRQCHIP,
	  .script = apic_off_script },
	{ .name = "irqchip_hlt_kick",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_irq_hlt,
	  .need_features = LV_FEAT_IRQCHIP,
	  .need_hooks = NEED_CALL_LATER,
	  .vm_flags = LV_VM_IRQCHIP,
	  .script = hlt_kick_script },
	{ .name = "irqchip_hlt_kick_line",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_irq_ioapic,
	  .need_features = LV_FEAT_IRQCHIP,
	  .need_hooks = NEED_CALL_LATER,
	  .vm_flags = LV_VM_IRQCHIP,
	  .script = hlt_kick_line_script },
	{ .name = "irqchip_hlt_irq",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_irq_ioapic,
	  .need_features = LV_FEAT_IRQCHIP,
	  .need_hooks = NEED_CALL_LATER,
	  .vm_flags = LV_VM_IRQCHIP,
	  .script = hlt_irq_script },
	{ .name = "irqchip_init_sipi_ipi",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_irq_ipi,
	  .need_features = LV_FEAT_IRQCHIP,
	  .need_hooks = NEED_PARALLEL,
	  .vm_flags = LV_VM_IRQCHIP,
	  .custom = irq_ipi },
	{ .name = "irqchip_state",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_irq_hlt,
	  .need_features = LV_FEAT_IRQCHIP,
	  .vm_flags = LV_VM_IRQCHIP,
	  .custom = irq_state },
	{ .name = "irqchip_absent",
	  .mode = MODE_PROT32,
	  .guest = &conf_guest_hlt32,
	  .custom = irq_absent },
	{ .name = NULL },
};
