/* SPDX-License-Identifier: MIT */
/*
 * SVM backend: the VMCB's lifetime and fixed controls, and the vendor
 * hooks for intercepts and events (x86_vcpu.h).
 */
#include <libvcpu/paging.h>

#include "../../core/lvlib.h"
#include "svm_priv.h"
#include "../../core/x86_arch.h"

/*
 * Intercepts every guest needs (APM Vol. 2, 15.9-15.14): VMRUN is required
 * (15.5.1: VMRUN without it fails as VMEXIT_INVALID); the other SVM
 * instructions are intercepted and answered with #UD since the guest sees
 * no SVM; physical INTR/NMI return control to the host; CPUID, HLT, IO and
 * MSR accesses go through the caller's policy; SHUTDOWN reports a triple
 * fault instead of resetting the host.
 */
#define SVM_I1_BASE                                                                                \
	(VMCB_I1_INTR | VMCB_I1_NMI | VMCB_I1_SMI | VMCB_I1_INIT | VMCB_I1_CPUID | VMCB_I1_HLT |   \
	 VMCB_I1_INVLPGA | VMCB_I1_IOIO | VMCB_I1_MSR | VMCB_I1_SHUTDOWN)
#define SVM_I2_BASE                                                                                \
	(VMCB_I2_VMRUN | VMCB_I2_VMMCALL | VMCB_I2_VMLOAD | VMCB_I2_VMSAVE | VMCB_I2_STGI |        \
	 VMCB_I2_CLGI | VMCB_I2_SKINIT | VMCB_I2_XSETBV)

/* The VMCB (the shared layer allocated vcpu->priv and sets the reset state next). */
int lv_svm_vcpu_create(struct lv_vcpu *v)
{
	struct svm_backend *sb = svm_b(v);
	struct svm_vm *sv = v->vm->priv;
	struct svm_vcpu *s = v->priv;

	s->vmcb = lv_plat_page_alloc(1, &s->x.vmcb_pa);
	if (!s->vmcb)
		return LV_ERR_NOMEM;
	s->sb = sb;
	lv_asid_vcpu_init(&s->asid);
	s->fast_cpu = LV_SVM_NO_CPU; /* the first entry takes the slow path */
	s->fast_c = &sb->cpus[0];    /* read only once fast_cpu matched */
	s->nrips = (sb->features & CPUID_SVM_NRIPS) != 0;

	s->vmcb->c.intercept1 = SVM_I1_BASE;
	s->vmcb->c.intercept2 = SVM_I2_BASE;
	s->vmcb->c.iopm_base_pa = sb->iopm_pa;
	s->vmcb->c.msrpm_base_pa = sv->x.msr_map_pa;
	s->vmcb->c.np_control = VMCB_NP_ENABLE;
	s->vmcb->c.n_cr3 = lv_pt_root(sv->x.npt.pt);
	/* Physical interrupts stay the host's; the guest's IF masks only virtual ones (15.21.1). */
	s->vmcb->c.vintr = VMCB_VINTR_MASKING;
	return LV_OK;
}

void lv_svm_vcpu_destroy(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;

	lv_plat_page_free(s->vmcb, 1);
}

/*
 * The intercepts the shared policy asks for (APM Vol. 2, 15.12, 15.21.4):
 *  - the caller's exception exits, plus #DB while single-stepping;
 *  - QEMU TCG checks INT3 against the INTn intercept instead of the #BP
 *    exception intercept (15.12 says #BP): INTn too when #BP exits, and
 *    the exit decoder sorts INT3 from INT n;
 *  - V_IRQ + the VINTR intercept: an exit as soon as the guest could take
 *    an external interrupt (RFLAGS.IF = 1, no shadow), while the caller
 *    wants the window or a queued interrupt waits; the virtual vector
 *    itself is never delivered;
 *  - MOV to CR8 while the TPR masks a pending vector of the local APIC;
 *  - the NMI window: SVM has no NMI-window exit. While NMIs are blocked
 *    after a delivered NMI, IRET is intercepted; the IRET is then
 *    single-stepped (nmi_step), and the #DB after it opens the window.
 */
void lv_svm_intercepts(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;
	struct vmcb *vm = s->vmcb;
	const uint64_t bits = VMCB_VINTR_IRQ | VMCB_VINTR_IGN_TPR | VMCB_VINTR_PRIO(0xf);
	uint32_t i1 = vm->c.intercept1 & ~(VMCB_I1_SWINT | VMCB_I1_VINTR | VMCB_I1_IRET);

	svm_dirty(s); /* intercepts, vintr; CR0/CR4 for lv_svm_fpu_own(), which calls this */

	vm->c.intercept_exc = s->x.exc_exits |
			      ((s->x.singlestep || s->nmi_step) ? 1u << 1 /* #DB */ : 0);
	/* The FPU switch (lv_svm_fpu_own()): #UD, #NM and CR0/CR4 accesses. */
	if (!s->x.fpu.loaded) {
		vm->c.intercept_exc |= (1u << 6) | (1u << 7);
		vm->c.intercept_cr = VMCB_CR_READ(0) | VMCB_CR_WRITE(0) | VMCB_CR_READ(4) |
				     VMCB_CR_WRITE(4);
	} else {
		vm->c.intercept_cr = 0;
	}
	/* The TPR masks a pending vector: MOV to CR8 exits (lv_svm_tpr_watch()). */
	if (s->tpr_watch)
		vm->c.intercept_cr |= VMCB_CR_WRITE(8);
	if (s->x.exc_exits & (1u << 3))
		i1 |= VMCB_I1_SWINT;
	if ((s->x.windows & LV_WINDOW_IRQ) || s->x.events.want_irq_window) {
		vm->c.vintr |= bits;
		i1 |= VMCB_I1_VINTR;
	} else {
		vm->c.vintr &= ~bits;
	}
	if (s->nmi_masked)
		i1 |= VMCB_I1_IRET;
	vm->c.intercept1 = i1;
	/*
	 * MOV DR (APM 15.8.1: bits 0-15 reads, 16-31 writes of DR0-DR15):
	 * DR0-DR3 and DR7 writes exit until the guest's own DR0-DR3 are
	 * loaded around entries (x86_dbg.c); DR6/DR7 are in the VMCB.
	 */
	vm->c.intercept_dr = s->x.dbg.on ? 0 : 0xfu | (0x8fu << 16);
}

/*
 * The FPU switch's vendor half (x86_fpu.h). SVM has no CR0/CR4 read
 * shadows, so while the guest's FPU state is not loaded the VMCB holds
 * CR0.TS = 1 and CR4.OSXSAVE = 0 and every access that could tell
 * exits: #NM (x87/SSE/AVX/XSAVE under TS) and #UD (XGETBV, XSETBV, XSAVE
 * and VEX without OSXSAVE) through the exception intercepts, and MOV
 * from/to CR0 and CR4, CLTS, LMSW and SMSW through the CR0/CR4 read and
 * write intercepts (APM Vol. 2, 15.9: CLTS and LMSW are CR0 writes, SMSW a
 * CR0 read; 15.12). None of them is emulated: the exit loads the guest's
 * state, which drops the intercepts and gives the VMCB the guest's own
 * bits, and the instruction runs again natively. Guests that never touch
 * their FPU or CR0/CR4 never exit for it.
 */
void lv_svm_fpu_own(struct lv_vcpu *v, int loaded)
{
	struct svm_vcpu *s = v->priv;
	struct vmcb *vm = s->vmcb;

	if (loaded) {
		vm->s.cr0 = (vm->s.cr0 & ~CR0_TS) | s->own_ts;
		vm->s.cr4 = (vm->s.cr4 & ~CR4_OSXSAVE) | s->own_osxsave;
	} else {
		s->own_ts = vm->s.cr0 & CR0_TS;
		s->own_osxsave = vm->s.cr4 & CR4_OSXSAVE;
		vm->s.cr0 |= CR0_TS;
		vm->s.cr4 &= ~CR4_OSXSAVE;
	}
	lv_svm_intercepts(v);
}

/*
 * Interruptibility (APM Vol. 2, 15.20-15.21): EVENTINJ is the next
 * VMRUN's event; an interrupt shadow blocks both kinds; NMIs stay blocked
 * from a delivered NMI to its IRET (tracked here, as SVM keeps no such bit
 * in the VMCB); IF gates external interrupts.
 */
uint64_t lv_svm_event_slot(struct lv_vcpu *v, int *nmi_open, int *irq_open)
{
	struct svm_vcpu *s = v->priv;
	const struct vmcb *vm = s->vmcb;
	int shadow = (vm->c.int_state & VMCB_INT_SHADOW) != 0;

	if (nmi_open)
		*nmi_open = !shadow && !s->nmi_masked && !s->nmi_step;
	if (irq_open)
		*irq_open = !shadow && (vm->s.rflags & RFLAGS_IF);
	return vm->c.eventinj;
}

void lv_svm_event_put(struct lv_vcpu *v, const struct lv_event *ev)
{
	struct svm_vcpu *s = v->priv;
	struct vmcb *vm = s->vmcb;
	uint64_t e;

	switch (ev->type) {
	case LV_EVENT_NMI:
		vm->c.eventinj = VMCB_EVT_VALID | VMCB_EVT_TYPE_NMI | 2;
		s->nmi_masked = 1;
		break;
	case LV_EVENT_EXTINT:
		vm->c.eventinj = VMCB_EVT_VALID | VMCB_EVT_TYPE_INTR | ev->vector;
		break;
	default:
		e = VMCB_EVT_VALID | VMCB_EVT_TYPE_EXC | ev->vector;
		if (ev->has_error_code)
			e |= VMCB_EVT_EV | ((uint64_t)ev->error_code << VMCB_EVT_ERR_SHIFT);
		vm->c.eventinj = e;
		break;
	}
	lv_svm_intercepts(v);
}

/*
 * The guest's CR8 is V_TPR (APM Vol. 2, 15.21.1: with V_INTR_MASKING its
 * MOV CR8 reads and writes V_TPR[3:0], never the host's TPR).
 */
uint32_t lv_svm_cr8_get(struct lv_vcpu *v)
{
	const struct svm_vcpu *s = v->priv;

	return (uint32_t)(s->vmcb->c.vintr & 0xf);
}

void lv_svm_cr8_put(struct lv_vcpu *v, uint32_t cr8)
{
	struct svm_vcpu *s = v->priv;

	s->vmcb->c.vintr = (s->vmcb->c.vintr & ~VMCB_VINTR_TPR_MASK) | (cr8 & 0xf);
	svm_dirty(s); /* V_TPR has a clean bit (svm_priv.h) */
}

/*
 * A guest that lowers its TPR below @p cls must exit, so that the vector
 * the TPR held back goes in right after (SDM Vol. 3, 11.8.3.1). V_TPR
 * changes without an exit, so MOV to CR8 is intercepted meanwhile (APM
 * Vol. 2, 15.9; svm_run.c performs the write). V_IRQ with V_INTR_PRIO
 * would avoid the exits that do not lower the TPR enough, but the
 * emulators disagree on its comparison (QEMU takes the virtual interrupt
 * at V_INTR_PRIO >= V_TPR, Bochs at >), and an equal class would exit
 * again and again on one of them.
 */
void lv_svm_tpr_watch(struct lv_vcpu *v, uint32_t cls)
{
	struct svm_vcpu *s = v->priv;
	uint8_t on = cls != 0;

	if (on == s->tpr_watch)
		return;
	s->tpr_watch = on;
	lv_svm_intercepts(v);
}
