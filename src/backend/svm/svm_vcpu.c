/* SPDX-License-Identifier: MIT */
/*
 * SVM backend: vCPU lifetime, the VMCB's fixed controls, and the per-vCPU
 * policies (CPUID, exception exits, events, windows, kick).
 */
#include <libvcpu/paging.h>

#include "../../core/lvlib.h"
#include "svm_priv.h"

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

int lv_svm_vcpu_create(struct lv_vcpu *v)
{
	struct svm_backend *sb = svm_b(v);
	struct svm_vm *sv = v->vm->priv;
	struct svm_vcpu *s;
	struct lv_state *st;
	int rc;

	s = lv_plat_alloc(sizeof(*s));
	st = lv_plat_alloc(sizeof(*st));
	if (!s || !st) {
		lv_plat_free(s);
		lv_plat_free(st);
		return LV_ERR_NOMEM;
	}
	s->vmcb = lv_plat_page_alloc(1, &s->vmcb_pa);
	if (!s->vmcb) {
		lv_plat_free(s);
		lv_plat_free(st);
		return LV_ERR_NOMEM;
	}
	lv_asid_vcpu_init(&s->asid);
	s->nrips = (sb->features & CPUID_SVM_NRIPS) != 0;
	s->cpu = ~0u;
	s->npt_gen = lv_x86_npt_gen(&sv->npt);

	s->vmcb->c.intercept1 = SVM_I1_BASE;
	s->vmcb->c.intercept2 = SVM_I2_BASE;
	s->vmcb->c.iopm_base_pa = sb->iopm_pa;
	s->vmcb->c.msrpm_base_pa = sv->msrpm_pa;
	s->vmcb->c.np_control = VMCB_NP_ENABLE;
	s->vmcb->c.n_cr3 = lv_pt_root(sv->npt.pt);
	/* Physical interrupts stay the host's; the guest's IF masks only virtual ones (15.21.1). */
	s->vmcb->c.vintr = VMCB_VINTR_MASKING;

	v->priv = s;
	v->exit.flags = 0;
	v->exit.raw.backend = LV_BACKEND_SVM;
	v->exit.raw.vectoring = 0;
	lv_state_init_reset(st);
	rc = lv_svm_set_state(v, LV_STATE_ALL, st);
	lv_plat_free(st);
	if (rc) {
		lv_plat_page_free(s->vmcb, 1);
		lv_plat_free(s);
		v->priv = NULL;
	}
	return rc;
}

void lv_svm_vcpu_destroy(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;

	lv_plat_page_free(s->vmcb, 1);
	lv_policy_free(&s->cpuid);
	lv_plat_free(s);
}

int lv_svm_set_cpuid(struct lv_vcpu *v, const struct lv_cpuid_entry *e, size_t n)
{
	struct svm_vcpu *s = v->priv;

	return lv_policy_replace(&s->cpuid, e, n, sizeof(*e), LV_POLICY_MAX_CPUID);
}

int lv_svm_set_exception_exits(struct lv_vcpu *v, uint32_t vectors)
{
	struct svm_vcpu *s = v->priv;

	s->exc_exits = vectors;
	s->vmcb->c.intercept_exc = vectors | (s->singlestep ? 1u << 1 : 0);
	/*
	 * QEMU TCG checks INT3 against the INTn intercept instead of the #BP
	 * exception intercept (APM Vol. 2, 15.12 says #BP): intercept INTn
	 * too, and sort INT3 from INT n in the exit handler.
	 */
	if (vectors & (1u << 3))
		s->vmcb->c.intercept1 |= VMCB_I1_SWINT;
	else
		s->vmcb->c.intercept1 &= ~VMCB_I1_SWINT;
	return LV_OK;
}

/*
 * V_IRQ + the VINTR intercept exit as soon as the guest could take an
 * external interrupt (RFLAGS.IF = 1, no interrupt shadow; APM Vol. 2,
 * 15.21.4). Armed while the caller wants the window or an external
 * interrupt waits for it; the virtual vector itself is never delivered.
 */
void lv_svm_update_vintr(struct svm_vcpu *s)
{
	const uint64_t bits = VMCB_VINTR_IRQ | VMCB_VINTR_IGN_TPR | VMCB_VINTR_PRIO(0xf);

	if ((s->window & LV_WINDOW_IRQ) || s->events.want_irq_window) {
		s->vmcb->c.vintr |= bits;
		s->vmcb->c.intercept1 |= VMCB_I1_VINTR;
	} else {
		s->vmcb->c.vintr &= ~bits;
		s->vmcb->c.intercept1 &= ~VMCB_I1_VINTR;
	}
}

/*
 * The shared per-kind queue (x86_events.h): BUSY only when an event of the
 * same kind is queued or already in EVENTINJ; pre_vmrun_slow() arms it.
 */
int lv_svm_inject(struct lv_vcpu *v, const struct lv_event *ev)
{
	struct svm_vcpu *s = v->priv;
	int rc = lv_x86_events_queue(&s->events, ev, lv_x86_inflight_kind(s->vmcb->c.eventinj));

	if (rc == LV_OK)
		s->slow = 1;
	return rc;
}

int lv_svm_request_window(struct lv_vcpu *v, uint32_t mask)
{
	struct svm_vcpu *s = v->priv;

	if (mask & LV_WINDOW_NMI)
		return LV_ERR_NOTSUP;
	s->window = mask;
	lv_svm_update_vintr(s);
	return LV_OK;
}

/*
 * Kick: set the flag, then interrupt the CPU the vCPU runs on. lv_svm_run()
 * reads the flag after CLGI, so a kick either is seen before VMRUN or its
 * IPI is held pending by GIF = 0 and makes VMRUN exit at once (INTR
 * intercept, APM Vol. 2, 15.17).
 */
int lv_svm_kick(struct lv_vcpu *v)
{
	struct svm_vcpu *s = v->priv;

	__atomic_store_n(&s->kick, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&v->running, __ATOMIC_SEQ_CST)) {
		uint32_t cpu = __atomic_load_n(&s->cpu, __ATOMIC_ACQUIRE);

		if (cpu != ~0u)
			lv_plat_kick_cpu(cpu);
	}
	return LV_OK;
}

/* Single-step through RFLAGS.TF and the #DB intercept (see pre_vmrun_slow()). */
int lv_svm_set_debug(struct lv_vcpu *v, uint32_t flags)
{
	struct svm_vcpu *s = v->priv;

	s->singlestep = (flags & LV_DEBUG_SINGLESTEP) != 0;
	s->vmcb->c.intercept_exc = s->exc_exits | (s->singlestep ? 1u << 1 : 0);
	if (s->singlestep)
		s->slow = 1;
	return LV_OK;
}
