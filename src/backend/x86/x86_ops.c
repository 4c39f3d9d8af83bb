/* SPDX-License-Identifier: MIT */
/*
 * The lv_backend_ops of both raw backends (LV_X86_BACKEND_OPS in
 * x86_vcpu.h): object lifetimes, the per-vCPU policies (CPUID, exception
 * exits, windows, single-step), event injection and the kick, written once
 * over the vendor hooks.
 */
#include "../../core/lvlib.h"
#include "x86_cpuid.h"
#include "x86_vcpu.h"

int lv_x86_open(struct lv_backend *b)
{
	int rc = lv_x86_vendor_of(b)->open(b);

	/* The interrupt controller is the layer's own (x86_apic.h), on every CPU. */
	if (rc == LV_OK)
		b->caps.features |= LV_FEAT_IRQCHIP;
	return rc;
}

void lv_x86_close(struct lv_backend *b)
{
	lv_x86_vendor_of(b)->close(b);
}

int lv_x86_cpu_enable(struct lv_backend *b)
{
	return lv_x86_vendor_of(b)->cpu_enable(b);
}

int lv_x86_cpu_disable(struct lv_backend *b)
{
	return lv_x86_vendor_of(b)->cpu_disable(b);
}

/* ---- VMs ------------------------------------------------------------------- */

static void msr_map_build(const struct lv_x86_vendor *vd, struct lv_x86_vm *xm)
{
	size_t n = 0;

	while (vd->msr_pass[n])
		n++;
	lv_x86_msr_map_build(xm->msr_map, vd->msr_map_bytes, vd->msr_pass, n, &xm->msr_exits,
			     vd->msr_bit);
}

int lv_x86_vm_create(struct lv_vm *vm)
{
	const struct lv_x86_vendor *vd = lv_x86_vendor_of(vm->backend);
	size_t pages = vd->msr_map_bytes / LV_PAGE_SIZE;
	struct lv_x86_vm *xm;
	int rc;

	xm = lv_plat_alloc(vd->vm_size);
	if (!xm)
		return LV_ERR_NOMEM;
	xm->msr_map = lv_plat_page_alloc(pages, &xm->msr_map_pa);
	if (!xm->msr_map) {
		lv_plat_free(xm);
		return LV_ERR_NOMEM;
	}
	msr_map_build(vd, xm);
	vm->priv = xm;
	rc = (vm->flags & LV_VM_IRQCHIP) ? lv_x86_irqchip_create(vm) : LV_OK;
	if (rc == LV_OK) {
		rc = vd->vm_create(vm);
		if (rc)
			lv_x86_irqchip_destroy(vm);
	}
	if (rc) {
		lv_plat_page_free(xm->msr_map, pages);
		lv_plat_free(xm);
		vm->priv = NULL;
	}
	return rc;
}

void lv_x86_vm_destroy(struct lv_vm *vm)
{
	const struct lv_x86_vendor *vd = lv_x86_vendor_of(vm->backend);
	struct lv_x86_vm *xm = lv_x86_vm_of(vm);

	vd->vm_destroy(vm);
	lv_x86_irqchip_destroy(vm);
	lv_plat_page_free(xm->msr_map, vd->msr_map_bytes / LV_PAGE_SIZE);
	lv_policy_free(&xm->msr_exits);
	lv_plat_free(xm);
	vm->priv = NULL;
}

int lv_x86_set_msr_exits(struct lv_vm *vm, const struct lv_msr_range *r, size_t n)
{
	struct lv_x86_vm *xm = lv_x86_vm_of(vm);
	int rc = lv_policy_replace(&xm->msr_exits, r, n, sizeof(*r), LV_POLICY_MAX_MSR_RANGES);

	if (rc)
		return rc;
	msr_map_build(lv_x86_vendor_of(vm->backend), xm);
	return LV_OK;
}

/* ---- vCPUs ------------------------------------------------------------------ */

int lv_x86_vcpu_create(struct lv_vcpu *v)
{
	const struct lv_x86_vendor *vd = lv_x86_vendor_of(v->vm->backend);
	struct lv_x86_vcpu *x = lv_plat_alloc(vd->vcpu_size);
	struct lv_state *st = lv_plat_alloc(sizeof(*st));
	int rc = LV_ERR_NOMEM;

	if (!x || !st)
		goto fail;
	x->vcpu = v;
	x->vd = vd;
	x->cpu = -1;
	x->cpuid_hit = &lv_x86_cpuid_none; /* the empty table's answer for the key 0, 0 */
	x->misc_enable = LV_X86_MISC_ENABLE_RESET;
	lv_x86_cpuid_range_init(x);
	v->priv = x;
	v->exit.flags = 0;
	memset(&v->exit.raw, 0, sizeof(v->exit.raw));
	v->exit.raw.backend = v->vm->backend->ops->kind;
	rc = lv_x86_fpu_init(&x->fpu);
	if (rc)
		goto fail;
	rc = vd->vcpu_create(v);
	if (rc)
		goto fail;
	lv_state_init_reset(st);
	rc = (v->vm->flags & LV_VM_IRQCHIP) ? lv_x86_apic_create(v) : LV_OK;
	if (rc == LV_OK && x->apic)
		st->ctrl.apic_base = x->apic->apic_base; /* BSP flag on vCPU 0 only */
	if (rc == LV_OK)
		rc = lv_x86_set_state(v, LV_STATE_ALL, st);
	if (rc) {
		vd->vcpu_destroy(v);
		goto fail;
	}
	lv_plat_free(st);
	return LV_OK;
fail:
	if (x) {
		lv_x86_apic_destroy(v);
		lv_x86_fpu_fini(&x->fpu);
	}
	lv_plat_free(st);
	lv_plat_free(x);
	v->priv = NULL;
	return rc;
}

void lv_x86_vcpu_destroy(struct lv_vcpu *v)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);

	x->vd->vcpu_destroy(v);
	lv_x86_apic_destroy(v);
	lv_x86_fpu_fini(&x->fpu);
	lv_policy_free(&x->cpuid);
	lv_plat_free(x);
	v->priv = NULL;
}

/*
 * Kick: set LV_X86_RQ_KICK (a locked OR, x86_vcpu.h), then interrupt the
 * CPU the vCPU runs on. The vendor's enter() reads the request word where
 * no interrupt can be taken (CLGI, or CLI before VM entry), so a kick is
 * either seen before the entry or its IPI stays pending and makes the
 * guest exit at once.
 */
int lv_x86_kick(struct lv_vcpu *v)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);

	if (x->apic)
		lv_x86_apic_kick(v);
	lv_x86_rq_set(x, LV_X86_RQ_KICK);
	if (__atomic_load_n(&v->running, __ATOMIC_SEQ_CST)) {
		int32_t cpu = __atomic_load_n(&x->cpu, __ATOMIC_ACQUIRE);

		if (cpu >= 0)
			lv_plat_kick_cpu((uint32_t)cpu);
		if (cpu >= 0 && x->apic)
			lv_plat_wake((uint32_t)cpu); /* it may wait in HLT (x86_apic.h) */
	}
	return LV_OK;
}

/*
 * The vendor's groups; the FPU group and XCR0 are the layer's (x86_fpu.h),
 * the APIC and MP groups and the APIC base the interrupt controller's
 * (x86_apic.h).
 */
int lv_x86_get_state(struct lv_vcpu *v, uint32_t mask, struct lv_state *st)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	int rc = x->vd->get_state(v, mask & ~LV_STATE_IRQCHIP, st);

	if (rc == LV_OK)
		lv_x86_fpu_get(&x->fpu, mask, st);
	if (rc == LV_OK && x->apic)
		lv_x86_apic_get_state(v, mask, st);
	return rc;
}

int lv_x86_set_state(struct lv_vcpu *v, uint32_t mask, const struct lv_state *st)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	int rc = lv_x86_fpu_check(&x->fpu, mask, st);

	if (rc == LV_OK && x->apic)
		rc = lv_x86_apic_set_state(v, mask, st);
	if (rc == LV_OK)
		rc = x->vd->set_state(v, mask & ~LV_STATE_IRQCHIP, st);
	if (rc == LV_OK && x->apic && (mask & LV_STATE_APIC))
		lv_x86_apic_tpr_put(v);
	if (rc == LV_OK)
		lv_x86_fpu_set(&x->fpu, mask, st);
	if (rc == LV_OK && (mask & LV_STATE_GPRS))
		x->pending = LV_X86_PEND_NONE; /* new registers: the old exit is void */
	return rc;
}

/* One MSR path for the guest (lv_x86_msr_exit()) and the caller: the layer's own, then the vendor's. */
int lv_x86_get_msr(struct lv_vcpu *v, uint32_t index, uint64_t *value)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	int apic = x->apic ? lv_x86_apic_msr(v, index, 0, value) : 0;

	if (apic)
		return apic > 0 ? LV_OK : LV_ERR_INVAL;
	if (lv_x86_own_msr(x, index, 0, value))
		return LV_OK;
	return x->vd->get_msr(v, index, value);
}

int lv_x86_set_msr(struct lv_vcpu *v, uint32_t index, uint64_t value)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	int own = x->apic ? lv_x86_apic_msr(v, index, 1, &value) : 0;

	if (own)
		return own > 0 ? LV_OK : LV_ERR_INVAL;
	own = lv_x86_own_msr(x, index, 1, &value);
	if (own)
		return own > 0 ? LV_OK : LV_ERR_INVAL;
	return x->vd->set_msr(v, index, value);
}

/*
 * The per-kind queue (x86_events.h): BUSY only when an event of the same
 * kind is queued or already in the next entry; the vendor's slow entry
 * work arms it (lv_x86_arm_events()).
 */
int lv_x86_inject(struct lv_vcpu *v, const struct lv_event *ev)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	int rc;

	if (x->apic && ev->type == LV_EVENT_EXTINT)
		return LV_ERR_NOTSUP; /* interrupts come from the APICs (libvcpu.h) */
	rc = lv_x86_events_queue(&x->events, ev,
				 lv_x86_inflight_kind(x->vd->event_slot(v, NULL, NULL)));

	if (rc == LV_OK)
		lv_x86_rq_set(x, LV_X86_RQ_LAYER);
	return rc;
}

int lv_x86_request_window(struct lv_vcpu *v, uint32_t mask)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);

	if ((mask & LV_WINDOW_NMI) && !(v->vm->backend->caps.features & LV_FEAT_NMI_WINDOW))
		return LV_ERR_NOTSUP;
	if ((mask & LV_WINDOW_IRQ) && x->apic)
		return LV_ERR_NOTSUP; /* as KVM with an in-kernel irqchip (libvcpu.h) */
	x->windows = mask;
	lv_x86_rq_set(x, LV_X86_RQ_LAYER);
	x->vd->intercepts(v);
	return LV_OK;
}

int lv_x86_set_cpuid(struct lv_vcpu *v, const struct lv_cpuid_entry *e, size_t n)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	int rc = lv_policy_replace(&x->cpuid, e, n, sizeof(*e), LV_POLICY_MAX_CPUID);

	lv_x86_cpuid_lookup(x, x->cpuid_leaf, x->cpuid_sub); /* the cache: the new table's */
	return rc;
}

int lv_x86_set_exception_exits(struct lv_vcpu *v, uint32_t vectors)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);

	x->exc_exits = vectors;
	x->vd->intercepts(v);
	return LV_OK;
}

/* Single-step: RFLAGS.TF and the #DB intercept, armed by the vendor before each entry. */
int lv_x86_set_debug(struct lv_vcpu *v, uint32_t flags)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);

	x->singlestep = (flags & LV_DEBUG_SINGLESTEP) != 0;
	lv_x86_rq_set(x, LV_X86_RQ_LAYER);
	x->vd->intercepts(v);
	return LV_OK;
}
