/* SPDX-License-Identifier: MIT */
/*
 * Debug registers of the raw backends (struct lv_x86_dbg in x86_vcpu.h).
 *
 * What VM entry and exit do with them:
 *  - VMX (SDM Vol. 3, 27.3.1.1, 28.3.1, 28.5.1): with the "load debug
 *    controls" entry control and the "save debug controls" exit control,
 *    entry loads the guest's DR7 and IA32_DEBUGCTL from the VMCS and exit
 *    saves them; exit then sets DR7 to 400H and clears IA32_DEBUGCTL.
 *    DR0-DR3 and DR6 are not touched either way. The guest's DEBUGCTL is
 *    0 (its RDMSR/WRMSR of it exit to the caller). The host's DEBUGCTL is
 *    read with the rest of the host state and written back right after
 *    each exit when it is not 0 (vmx_run.c host_fix(); ring-0 case
 *    host_debugctl; Bochs 2.7 and QEMU TCG keep no bit of the MSR, so
 *    there it checks a host DEBUGCTL of 0).
 *  - SVM (APM Vol. 2, 15.5.1, 15.6): VMRUN loads the guest's DR6 and DR7
 *    from the VMCB and #VMEXIT saves them there; the host's DR7 is not in
 *    the host save area, so it is put back here whenever it was not 400H.
 *    DEBUGCTL is switched only with LBR virtualization, which is not used:
 *    the guest never writes the MSR (its RDMSR/WRMSR exit), so the host's
 *    stays in force. DR0-DR3 are not touched either way.
 * So the guest's DR0-DR3 (and DR6 on VMX) are loaded by hand, lazily as
 * KVM does: MOV DR is intercepted until the guest uses a debug register
 * (or its DR7 enables a breakpoint); from then on they are swapped around
 * every entry, until an exit finds the guest's DR7 with no breakpoint
 * enabled. The host's DR6 is restored when the guest's were loaded;
 * otherwise a #DB the guest took, or SVM's VMRUN, may leave guest status
 * bits in the host's DR6 (a host reads DR6 only in its #DB handler and
 * resets it there, SDM Vol. 3, 18.2.3), and the host's DR6 is reset to
 * its initial value after exits while the host has breakpoints enabled.
 */
#include "../../core/lvlib.h"
#include "../../core/x86_arch.h"
#include "x86_insn.h"
#include "x86_vcpu.h"

void lv_x86_dbg_use(struct lv_vcpu *v)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);

	x->dbg.on = 1;
	lv_x86_rq_set(x, LV_X86_RQ_LAYER);
	x->vd->intercepts(v);
}

void lv_x86_dbg_get(const struct lv_x86_dbg *d, struct lv_debug *st, int dr6)
{
	st->dr0 = d->dr[0];
	st->dr1 = d->dr[1];
	st->dr2 = d->dr[2];
	st->dr3 = d->dr[3];
	if (dr6)
		st->dr6 = d->dr6;
}

void lv_x86_dbg_set(struct lv_vcpu *v, const struct lv_debug *st, int dr6)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	struct lv_x86_dbg *d = &x->dbg;

	d->dr[0] = st->dr0;
	d->dr[1] = st->dr1;
	d->dr[2] = st->dr2;
	d->dr[3] = st->dr3;
	if (dr6)
		d->dr6 = st->dr6;
	d->on = (st->dr7 & DR7_ENABLES) != 0;
	lv_x86_rq_set(x, LV_X86_RQ_LAYER);
	x->vd->intercepts(v);
}

void lv_x86_dbg_load(struct lv_x86_dbg *d, int dr6)
{
	/* No host breakpoint may match a guest address in between (DR7 last on the way back). */
	if (lv_read_dr7() & DR7_ENABLES)
		lv_write_dr7(DR7_RESET);
	d->host_dr[0] = lv_read_dr0();
	d->host_dr[1] = lv_read_dr1();
	d->host_dr[2] = lv_read_dr2();
	d->host_dr[3] = lv_read_dr3();
	d->host_dr6 = lv_read_dr6();
	lv_write_dr0(d->dr[0]);
	lv_write_dr1(d->dr[1]);
	lv_write_dr2(d->dr[2]);
	lv_write_dr3(d->dr[3]);
	if (dr6)
		lv_write_dr6(d->dr6);
	d->work |= LV_X86_DBG_LOADED;
}

int lv_x86_dbg_put(struct lv_x86_dbg *d, int dr6, uint64_t guest_dr7)
{
	int off = 0;

	if (d->work & LV_X86_DBG_LOADED) {
		d->dr[0] = lv_read_dr0();
		d->dr[1] = lv_read_dr1();
		d->dr[2] = lv_read_dr2();
		d->dr[3] = lv_read_dr3();
		if (dr6)
			d->dr6 = lv_read_dr6();
		lv_write_dr0(d->host_dr[0]);
		lv_write_dr1(d->host_dr[1]);
		lv_write_dr2(d->host_dr[2]);
		lv_write_dr3(d->host_dr[3]);
		lv_write_dr6(d->host_dr6);
		d->work &= (uint8_t)~LV_X86_DBG_LOADED;
		if (!(guest_dr7 & DR7_ENABLES)) {
			d->on = 0;
			off = 1;
		}
	} else if ((d->work & LV_X86_DBG_HOST) && (d->host_dr7 & DR7_ENABLES)) {
		lv_write_dr6(DR6_RESET);
	}
	if (d->work & LV_X86_DBG_HOST)
		lv_write_dr7(d->host_dr7);
	return off;
}
