/* SPDX-License-Identifier: MIT */
/*
 * KVM backend: the state groups on KVM_GET/SET_REGS, SREGS, XCRS, DEBUGREGS,
 * MSRS, VCPU_EVENTS and XSAVE (or FPU). Each group costs its own ioctls, so
 * only the groups in the mask are transferred. GPR reads come from the
 * kvm_run sync area when KVM_CAP_SYNC_REGS is there (no ioctl).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm_priv.h"
#include "../../core/x86_arch.h"

/* struct lv_regs and struct kvm_regs have the same layout. */
_Static_assert(sizeof(struct lv_regs) == sizeof(struct kvm_regs), "lv_regs layout");
_Static_assert(offsetof(struct lv_regs, rbp) == offsetof(struct kvm_regs, rbp), "lv_regs.rbp");
_Static_assert(offsetof(struct lv_regs, r8) == offsetof(struct kvm_regs, r8), "lv_regs.r8");
_Static_assert(offsetof(struct lv_regs, rip) == offsetof(struct kvm_regs, rip), "lv_regs.rip");
_Static_assert(offsetof(struct lv_regs, rflags) == offsetof(struct kvm_regs, rflags),
	       "lv_regs.rflags");

#define STATE_NMSRS 10

static const uint32_t state_msr_index[STATE_NMSRS] = {
	MSR_STAR,	 MSR_LSTAR,	   MSR_CSTAR,	     MSR_SFMASK, MSR_KERNEL_GS_BASE,
	MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP, MSR_PAT,	 MSR_TSC,
};

/* struct kvm_msrs ends in a flexible array: give it room for the entries. */
union msr_buf {
	struct kvm_msrs hdr;
	uint8_t room[sizeof(struct kvm_msrs) + STATE_NMSRS * sizeof(struct kvm_msr_entry)];
};

static int xioctl(int fd, unsigned long req, void *arg)
{
	if (ioctl(fd, req, arg) < 0)
		return errno == EFAULT ? LV_ERR_INVAL : lv_kvm_errno(errno);
	return LV_OK;
}

/* ---- segments --------------------------------------------------------- */

/*
 * struct lv_segment and struct kvm_segment name their fields alike; one
 * macro copies them in either direction.
 */
#define SEG_COPY(d, s)                                                                             \
	do {                                                                                       \
		memset((d), 0, sizeof(*(d)));                                                      \
		(d)->base = (s)->base;                                                             \
		(d)->limit = (s)->limit;                                                           \
		(d)->selector = (s)->selector;                                                     \
		(d)->type = (s)->type;                                                             \
		(d)->s = (s)->s;                                                                   \
		(d)->dpl = (s)->dpl;                                                               \
		(d)->present = (s)->present;                                                       \
		(d)->avl = (s)->avl;                                                               \
		(d)->l = (s)->l;                                                                   \
		(d)->db = (s)->db;                                                                 \
		(d)->g = (s)->g;                                                                   \
		(d)->unusable = (s)->unusable;                                                     \
	} while (0)

static void seg_from_kvm(struct lv_segment *d, const struct kvm_segment *s)
{
	SEG_COPY(d, s);
}

static void seg_to_kvm(struct kvm_segment *d, const struct lv_segment *s)
{
	SEG_COPY(d, s);
}

static void sregs_to_lv(const struct kvm_sregs *k, uint32_t mask, struct lv_state *st)
{
	if (mask & LV_STATE_SEGMENTS) {
		seg_from_kvm(&st->segs.cs, &k->cs);
		seg_from_kvm(&st->segs.ds, &k->ds);
		seg_from_kvm(&st->segs.es, &k->es);
		seg_from_kvm(&st->segs.fs, &k->fs);
		seg_from_kvm(&st->segs.gs, &k->gs);
		seg_from_kvm(&st->segs.ss, &k->ss);
		seg_from_kvm(&st->segs.tr, &k->tr);
		seg_from_kvm(&st->segs.ldt, &k->ldt);
		memset(&st->segs.gdt, 0, sizeof(st->segs.gdt));
		memset(&st->segs.idt, 0, sizeof(st->segs.idt));
		st->segs.gdt.base = k->gdt.base;
		st->segs.gdt.limit = k->gdt.limit;
		st->segs.idt.base = k->idt.base;
		st->segs.idt.limit = k->idt.limit;
	}
	if (mask & LV_STATE_CONTROL) {
		st->ctrl.cr0 = k->cr0;
		st->ctrl.cr2 = k->cr2;
		st->ctrl.cr3 = k->cr3;
		st->ctrl.cr4 = k->cr4;
		st->ctrl.cr8 = k->cr8;
		st->ctrl.efer = k->efer;
		st->ctrl.apic_base = k->apic_base;
	}
}

static void sregs_from_lv(struct kvm_sregs *k, uint32_t mask, const struct lv_state *st)
{
	if (mask & LV_STATE_SEGMENTS) {
		seg_to_kvm(&k->cs, &st->segs.cs);
		seg_to_kvm(&k->ds, &st->segs.ds);
		seg_to_kvm(&k->es, &st->segs.es);
		seg_to_kvm(&k->fs, &st->segs.fs);
		seg_to_kvm(&k->gs, &st->segs.gs);
		seg_to_kvm(&k->ss, &st->segs.ss);
		seg_to_kvm(&k->tr, &st->segs.tr);
		seg_to_kvm(&k->ldt, &st->segs.ldt);
		k->gdt.base = st->segs.gdt.base;
		k->gdt.limit = st->segs.gdt.limit;
		k->idt.base = st->segs.idt.base;
		k->idt.limit = st->segs.idt.limit;
	}
	if (mask & LV_STATE_CONTROL) {
		k->cr0 = st->ctrl.cr0;
		k->cr2 = st->ctrl.cr2;
		k->cr3 = st->ctrl.cr3;
		k->cr4 = st->ctrl.cr4;
		k->cr8 = st->ctrl.cr8;
		k->efer = st->ctrl.efer;
		k->apic_base = st->ctrl.apic_base;
	}
}

/* ---- XCR0 ------------------------------------------------------------- */

static int get_xcr0(struct kvm_vcpu *kp, uint64_t *v)
{
	struct kvm_xcrs x;
	uint32_t i;
	int rc;

	*v = 1;
	if (!kp->kb->has_xcrs)
		return LV_OK;
	memset(&x, 0, sizeof(x));
	rc = xioctl(kp->fd, KVM_GET_XCRS, &x);
	if (rc)
		return rc;
	for (i = 0; i < x.nr_xcrs && i < KVM_MAX_XCRS; i++)
		if (x.xcrs[i].xcr == 0)
			*v = x.xcrs[i].value;
	return LV_OK;
}

static int set_xcr0(struct kvm_vcpu *kp, uint64_t v)
{
	struct kvm_xcrs x;

	if (!kp->kb->has_xcrs)
		return LV_OK;
	memset(&x, 0, sizeof(x));
	x.nr_xcrs = 1;
	x.xcrs[0].xcr = 0;
	x.xcrs[0].value = v;
	return xioctl(kp->fd, KVM_SET_XCRS, &x);
}

/* ---- events ----------------------------------------------------------- */

static void events_to_lv(const struct kvm_vcpu_events *e, struct lv_events *d)
{
	memset(d, 0, sizeof(*d));
	d->interrupt_shadow = e->interrupt.shadow ? 1 : 0;
	d->nmi_masked = e->nmi.masked ? 1 : 0;
	d->nmi_pending = (e->nmi.pending || e->nmi.injected) ? 1 : 0;
	d->exception_pending = (e->exception.injected || e->exception.pending) ? 1 : 0;
	d->exception_vector = e->exception.nr;
	d->exception_has_error_code = e->exception.has_error_code;
	d->exception_error_code = e->exception.error_code;
	d->interrupt_pending = e->interrupt.injected;
	d->interrupt_vector = e->interrupt.nr;
}

static void events_from_lv(struct kvm_vcpu_events *e, const struct lv_events *s)
{
	e->exception.injected = s->exception_pending ? 1 : 0;
	e->exception.pending = 0;
	e->exception.nr = s->exception_vector;
	e->exception.has_error_code = s->exception_has_error_code ? 1 : 0;
	e->exception.error_code = s->exception_error_code;
	e->interrupt.injected = s->interrupt_pending ? 1 : 0;
	e->interrupt.nr = s->interrupt_vector;
	e->interrupt.soft = 0;
	e->interrupt.shadow = s->interrupt_shadow ? KVM_X86_SHADOW_INT_STI : 0;
	e->nmi.injected = 0;
	e->nmi.pending = s->nmi_pending ? 1 : 0;
	e->nmi.masked = s->nmi_masked ? 1 : 0;
	e->flags = KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_NMI_PENDING;
}

/* ---- FPU -------------------------------------------------------------- */

/* XSAVE area: legacy FXSAVE image at 0, XSTATE_BV at 512 (SDM Vol. 1, 13.4). */
static int get_fpu(struct kvm_vcpu *kp, struct lv_fpu *f)
{
	int rc;

	if (kp->kb->has_xsave) {
		uint64_t bv;

		rc = xioctl(kp->fd, kp->kb->has_xsave2 ? KVM_GET_XSAVE2 : KVM_GET_XSAVE, kp->xsave);
		if (rc)
			return rc;
		/* The uabi area is the standard format (SDM Vol. 1, 13.4): x87, SSE, AVX. */
		memcpy(f, kp->xsave, sizeof(*f));
		memcpy(&bv, f->xsave_header, sizeof(bv));
		bv &= XCR0_X87 | XCR0_SSE | XCR0_AVX; /* the components lv_fpu carries */
		memset(f->xsave_header, 0, sizeof(f->xsave_header));
		memcpy(f->xsave_header, &bv, sizeof(bv));
		return LV_OK;
	} else {
		struct kvm_fpu k;

		rc = xioctl(kp->fd, KVM_GET_FPU, &k);
		if (rc)
			return rc;
		memset(f, 0, sizeof(*f));
		f->xsave_header[0] = (uint8_t)(XCR0_X87 | XCR0_SSE);
		memcpy(f->fxsave + 0, &k.fcw, 2);
		memcpy(f->fxsave + 2, &k.fsw, 2);
		f->fxsave[4] = k.ftwx;
		memcpy(f->fxsave + 6, &k.last_opcode, 2);
		memcpy(f->fxsave + 8, &k.last_ip, 8);
		memcpy(f->fxsave + 16, &k.last_dp, 8);
		memcpy(f->fxsave + 24, &k.mxcsr, 4);
		memcpy(f->fxsave + 32, k.fpr, sizeof(k.fpr));
		memcpy(f->fxsave + 160, k.xmm, sizeof(k.xmm));
		return LV_OK;
	}
}

static int set_fpu(struct kvm_vcpu *kp, const struct lv_fpu *f)
{
	int rc;

	if (kp->kb->has_xsave) {
		uint64_t bv;

		rc = xioctl(kp->fd, kp->kb->has_xsave2 ? KVM_GET_XSAVE2 : KVM_GET_XSAVE, kp->xsave);
		if (rc)
			return rc;
		uint64_t mine, keep = XCR0_X87 | XCR0_SSE | XCR0_AVX;

		/* x87, SSE and AVX come from the image, XSTATE_BV bits 0-2 with them. */
		memcpy(kp->xsave, f->fxsave, sizeof(f->fxsave));
		memcpy((uint8_t *)kp->xsave + XSAVE_AVX_OFF, f->ymm_hi128, sizeof(f->ymm_hi128));
		memcpy(&bv, (uint8_t *)kp->xsave + XSAVE_HDR_OFF, 8);
		memcpy(&mine, f->xsave_header, 8);
		bv = (bv & ~keep) | (mine & keep);
		memcpy((uint8_t *)kp->xsave + XSAVE_HDR_OFF, &bv, 8);
		return xioctl(kp->fd, KVM_SET_XSAVE, kp->xsave);
	} else {
		struct kvm_fpu k;

		memset(&k, 0, sizeof(k));
		memcpy(&k.fcw, f->fxsave + 0, 2);
		memcpy(&k.fsw, f->fxsave + 2, 2);
		k.ftwx = f->fxsave[4];
		memcpy(&k.last_opcode, f->fxsave + 6, 2);
		memcpy(&k.last_ip, f->fxsave + 8, 8);
		memcpy(&k.last_dp, f->fxsave + 16, 8);
		memcpy(&k.mxcsr, f->fxsave + 24, 4);
		memcpy(k.fpr, f->fxsave + 32, sizeof(k.fpr));
		memcpy(k.xmm, f->fxsave + 160, sizeof(k.xmm));
		return xioctl(kp->fd, KVM_SET_FPU, &k);
	}
}

/* ---- MSRs ------------------------------------------------------------- */

static int msrs_get(struct kvm_vcpu *kp, struct lv_msrs *m)
{
	union msr_buf b;
	uint64_t *dst[STATE_NMSRS] = { &m->star,	 &m->lstar,	     &m->cstar,
				       &m->sfmask,	 &m->kernel_gs_base, &m->sysenter_cs,
				       &m->sysenter_esp, &m->sysenter_eip,   &m->pat,
				       &m->tsc };
	int i, n;

	memset(&b, 0, sizeof(b));
	b.hdr.nmsrs = STATE_NMSRS;
	for (i = 0; i < STATE_NMSRS; i++)
		b.hdr.entries[i].index = state_msr_index[i];
	n = ioctl(kp->fd, KVM_GET_MSRS, &b);
	if (n < 0)
		return lv_kvm_errno(errno);
	for (i = 0; i < STATE_NMSRS; i++)
		*dst[i] = i < n ? b.hdr.entries[i].data : 0;
	return LV_OK;
}

static int msrs_set(struct kvm_vcpu *kp, const struct lv_msrs *m)
{
	union msr_buf b;
	const uint64_t src[STATE_NMSRS] = { m->star,	     m->lstar,		m->cstar,
					    m->sfmask,	     m->kernel_gs_base, m->sysenter_cs,
					    m->sysenter_esp, m->sysenter_eip,	m->pat,
					    m->tsc };
	int i, n;

	memset(&b, 0, sizeof(b));
	b.hdr.nmsrs = STATE_NMSRS;
	for (i = 0; i < STATE_NMSRS; i++) {
		b.hdr.entries[i].index = state_msr_index[i];
		b.hdr.entries[i].data = src[i];
	}
	n = ioctl(kp->fd, KVM_SET_MSRS, &b);
	if (n < 0)
		return lv_kvm_errno(errno);
	/* KVM stops at the first MSR it refuses (e.g. a reserved PAT type). */
	return n == STATE_NMSRS ? LV_OK : LV_ERR_INVAL;
}

int lv_kvm_get_msr(struct lv_vcpu *vcpu, uint32_t index, uint64_t *value)
{
	struct kvm_vcpu *kp = vcpu->priv;
	union msr_buf b;
	int n;

	memset(&b, 0, sizeof(b));
	b.hdr.nmsrs = 1;
	b.hdr.entries[0].index = index;
	n = ioctl(kp->fd, KVM_GET_MSRS, &b);
	if (n < 0)
		return lv_kvm_errno(errno);
	if (n != 1)
		return LV_ERR_NOENT;
	*value = b.hdr.entries[0].data;
	return LV_OK;
}

int lv_kvm_set_msr(struct lv_vcpu *vcpu, uint32_t index, uint64_t value)
{
	struct kvm_vcpu *kp = vcpu->priv;
	union msr_buf b;
	uint64_t old;
	int n;

	memset(&b, 0, sizeof(b));
	b.hdr.nmsrs = 1;
	b.hdr.entries[0].index = index;
	b.hdr.entries[0].data = value;
	n = ioctl(kp->fd, KVM_SET_MSRS, &b);
	if (n < 0)
		return lv_kvm_errno(errno);
	if (n == 1)
		return LV_OK;
	/* Refused: unknown MSR, or a value the MSR does not take. */
	return lv_kvm_get_msr(vcpu, index, &old) == LV_OK ? LV_ERR_INVAL : LV_ERR_NOENT;
}

/* ---- the interrupt controller's groups (LV_VM_IRQCHIP) ---------------- */

/*
 * KVM's MP states (api.rst 4.38) as LV_MP_*: UNINITIALIZED (an AP before
 * its INIT) and INIT_RECEIVED both wait for a SIPI.
 */
static uint32_t mp_to_lv(uint32_t m)
{
	switch (m) {
	case KVM_MP_STATE_HALTED:
		return LV_MP_HALTED;
	case KVM_MP_STATE_UNINITIALIZED:
	case KVM_MP_STATE_INIT_RECEIVED:
		return LV_MP_WAIT_SIPI;
	default:
		return LV_MP_RUNNABLE;
	}
}

static uint32_t mp_from_lv(uint32_t m)
{
	return m == LV_MP_HALTED      ? KVM_MP_STATE_HALTED
	       : m == LV_MP_WAIT_SIPI ? KVM_MP_STATE_INIT_RECEIVED
				      : KVM_MP_STATE_RUNNABLE;
}

_Static_assert(sizeof(struct kvm_lapic_state) == sizeof(((struct lv_apic *)0)->regs), "LAPIC page");

/* LV_STATE_APIC / LV_STATE_MP (the API allows them only with an irqchip). */
static int irqchip_get(struct lv_vcpu *vcpu, uint32_t mask, struct lv_state *st)
{
	struct kvm_vcpu *kp = vcpu->priv;
	int rc;

	if (mask & LV_STATE_APIC) {
		struct kvm_lapic_state l;

		rc = xioctl(kp->fd, KVM_GET_LAPIC, &l);
		if (rc)
			return rc;
		memcpy(st->apic.regs, l.regs, sizeof(st->apic.regs));
		/* KVM reads 0 outside TSC-deadline mode, as the group defines. */
		rc = lv_kvm_get_msr(vcpu, MSR_TSC_DEADLINE, &st->apic.tsc_deadline);
		if (rc)
			return rc;
	}
	if (mask & LV_STATE_MP) {
		struct kvm_mp_state m;

		rc = xioctl(kp->fd, KVM_GET_MP_STATE, &m);
		if (rc)
			return rc;
		st->mp_state = mp_to_lv(m.mp_state);
	}
	return LV_OK;
}

static int irqchip_set(struct lv_vcpu *vcpu, uint32_t mask, const struct lv_state *st)
{
	struct kvm_vcpu *kp = vcpu->priv;
	int rc;

	if (mask & LV_STATE_APIC) {
		struct kvm_lapic_state l;

		memcpy(l.regs, st->apic.regs, sizeof(l.regs));
		rc = xioctl(kp->fd, KVM_SET_LAPIC, &l);
		if (rc)
			return rc;
		/* After the page: KVM takes the deadline only in TSC-deadline mode. */
		rc = lv_kvm_set_msr(vcpu, MSR_TSC_DEADLINE, st->apic.tsc_deadline);
		if (rc)
			return rc;
	}
	if (mask & LV_STATE_MP) {
		struct kvm_mp_state m = { .mp_state = mp_from_lv(st->mp_state) };

		rc = xioctl(kp->fd, KVM_SET_MP_STATE, &m);
		if (rc)
			return rc;
	}
	return LV_OK;
}

/* ---- groups ----------------------------------------------------------- */

int lv_kvm_get_state(struct lv_vcpu *vcpu, uint32_t mask, struct lv_state *st)
{
	struct kvm_vcpu *kp = vcpu->priv;
	int rc = LV_OK;

	if (mask & LV_STATE_GPRS) {
		if (kp->sync_valid) {
			memcpy(&st->regs, &kp->run->s.regs.regs, sizeof(st->regs));
		} else {
			struct kvm_regs r;

			rc = xioctl(kp->fd, KVM_GET_REGS, &r);
			if (rc)
				return rc;
			memcpy(&st->regs, &r, sizeof(st->regs));
		}
	}
	if (mask & (LV_STATE_SEGMENTS | LV_STATE_CONTROL)) {
		struct kvm_sregs s;

		rc = xioctl(kp->fd, KVM_GET_SREGS, &s);
		if (rc)
			return rc;
		sregs_to_lv(&s, mask, st);
		if (mask & LV_STATE_CONTROL) {
			rc = get_xcr0(kp, &st->ctrl.xcr0);
			if (rc)
				return rc;
		}
	}
	if (mask & LV_STATE_DEBUG) {
		struct kvm_debugregs d;

		rc = xioctl(kp->fd, KVM_GET_DEBUGREGS, &d);
		if (rc)
			return rc;
		st->debug.dr0 = d.db[0];
		st->debug.dr1 = d.db[1];
		st->debug.dr2 = d.db[2];
		st->debug.dr3 = d.db[3];
		st->debug.dr6 = d.dr6;
		st->debug.dr7 = d.dr7;
	}
	if (mask & LV_STATE_MSRS) {
		rc = msrs_get(kp, &st->msrs);
		if (rc)
			return rc;
	}
	if (mask & LV_STATE_EVENTS) {
		struct kvm_vcpu_events e;

		rc = xioctl(kp->fd, KVM_GET_VCPU_EVENTS, &e);
		if (rc)
			return rc;
		events_to_lv(&e, &st->events);
	}
	if (mask & LV_STATE_FPU) {
		rc = get_fpu(kp, &st->fpu);
		if (rc)
			return rc;
	}
	return irqchip_get(vcpu, mask, st);
}

/*
 * Groups are written in an order that lets a whole mode switch go through:
 * control/segments first (KVM checks CR0/CR4/EFER consistency in
 * KVM_SET_SREGS and rejects bad combinations with EINVAL: that is the
 * defined outcome for an invalid state on this backend), then the rest.
 */
int lv_kvm_set_state(struct lv_vcpu *vcpu, uint32_t mask, const struct lv_state *st)
{
	struct kvm_vcpu *kp = vcpu->priv;
	int rc;

	if (mask & (LV_STATE_SEGMENTS | LV_STATE_CONTROL)) {
		struct kvm_sregs s;

		if ((mask & LV_STATE_CONTROL) && kp->kb->has_xcrs) {
			uint64_t cur;

			rc = get_xcr0(kp, &cur);
			if (!rc && cur != st->ctrl.xcr0)
				rc = set_xcr0(kp, st->ctrl.xcr0);
			if (rc)
				return rc;
		}
		rc = xioctl(kp->fd, KVM_GET_SREGS, &s);
		if (rc)
			return rc;
		sregs_from_lv(&s, mask, st);
		rc = xioctl(kp->fd, KVM_SET_SREGS, &s);
		if (rc)
			return rc;
		/*
		 * Without an in-kernel local APIC, KVM_RUN first sets CR8 from
		 * kvm_run->cr8 (the value of the last exit): the CR8 set here
		 * would be undone by the next run.
		 */
		if (mask & LV_STATE_CONTROL)
			kp->run->cr8 = st->ctrl.cr8;
	}
	if (mask & LV_STATE_MSRS) {
		rc = msrs_set(kp, &st->msrs);
		if (rc)
			return rc;
	}
	if (mask & LV_STATE_DEBUG) {
		struct kvm_debugregs d;

		memset(&d, 0, sizeof(d));
		d.db[0] = st->debug.dr0;
		d.db[1] = st->debug.dr1;
		d.db[2] = st->debug.dr2;
		d.db[3] = st->debug.dr3;
		d.dr6 = st->debug.dr6;
		d.dr7 = st->debug.dr7;
		rc = xioctl(kp->fd, KVM_SET_DEBUGREGS, &d);
		if (rc)
			return rc;
	}
	if (mask & LV_STATE_EVENTS) {
		struct kvm_vcpu_events e;

		rc = xioctl(kp->fd, KVM_GET_VCPU_EVENTS, &e);
		if (rc)
			return rc;
		events_from_lv(&e, &st->events);
		rc = xioctl(kp->fd, KVM_SET_VCPU_EVENTS, &e);
		if (rc)
			return rc;
	}
	if (mask & LV_STATE_FPU) {
		rc = set_fpu(kp, &st->fpu);
		if (rc)
			return rc;
	}
	if (mask & LV_STATE_GPRS) {
		struct kvm_regs r;

		memcpy(&r, &st->regs, sizeof(r));
		rc = xioctl(kp->fd, KVM_SET_REGS, &r);
		if (rc)
			return rc;
		/* Keep the sync area (our read source) in step with the kernel. */
		if (kp->sync_valid)
			memcpy(&kp->run->s.regs.regs, &r, sizeof(r));
	}
	return irqchip_set(vcpu, mask, st);
}
