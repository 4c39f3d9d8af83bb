/* SPDX-License-Identifier: MIT */
/*
 * The interrupt controller of LV_VM_IRQCHIP VMs on the raw backends
 * (x86_apic.h): the core's local APIC and IOAPIC models wired into the
 * shared layer, their messages between vCPUs, the waits of HLT and
 * wait-for-SIPI, and the state groups.
 */
#include "x86_apic.h"

#include "../../core/lvlib.h"
#include "../../core/x86_arch.h"
#include "x86_pic.h"
#include "x86_vcpu.h"

#define GP_VECTOR   13
/* How long a wait may last while only a TSC deadline is armed (its clock is the guest TSC). */
#define TSC_POLL_NS 20000u
#define NO_DEADLINE (~(uint64_t)0) /* lv_plat_wait(): none (UINT64_MAX) */

static struct lv_x86_irqchip *chip_of(const struct lv_vm *vm)
{
	return lv_x86_vm_of(vm)->chip;
}

/*
 * The lock: interrupts off while it is held (pushf/cli, restored after),
 * so a kick or lv_vm_irq_line() from an interrupt handler on this CPU can
 * never spin on a lock its own CPU holds. The holder never waits for
 * anything.
 */
static uint64_t chip_lock(struct lv_x86_irqchip *c)
{
	uint64_t fl;

	__asm__ volatile("pushfq\n\tpopq %0\n\tcli" : "=r"(fl) : : "memory");
	while (__atomic_exchange_n(&c->lock, 1, __ATOMIC_ACQUIRE))
		lv_cpu_relax();
	return fl;
}

static void chip_unlock(struct lv_x86_irqchip *c, uint64_t fl)
{
	__atomic_store_n(&c->lock, 0, __ATOMIC_RELEASE);
	if (fl & RFLAGS_IF)
		__asm__ volatile("sti" : : : "memory");
}

uint64_t lv_x86_chip_lock(struct lv_x86_irqchip *c)
{
	return chip_lock(c);
}

void lv_x86_chip_unlock(struct lv_x86_irqchip *c, uint64_t fl)
{
	chip_unlock(c, fl);
}

static uint64_t guest_tsc(struct lv_vcpu *v)
{
	uint64_t t = 0;

	lv_x86_of(v)->vd->get_msr(v, MSR_TSC, &t);
	return t;
}

/* ---- the TPR: CR8 and the APIC's TPR are one register (lock held) ----------- */

/*
 * In 64-bit mode MOV CR8 reads and writes TPR[7:4] (SDM Vol. 3, 11.8.6.1;
 * APM Vol. 2, 15.21: with V_INTR_MASKING the guest's CR8 is V_TPR). The
 * guest's MOV CR8 goes to the vendor's copy (vd->cr8_get): V_TPR, the
 * virtual-APIC page or the CR8-exit handler. Every change the layer makes
 * to the model's TPR goes there at once (tpr_push()), so that copy is
 * always the current one, and the model takes it over (tpr_pull()) before
 * it is asked or told anything about this vCPU's priorities. A guest that
 * lowers CR8 while the TPR masks a pending vector exits (vd->tpr_watch,
 * armed by lv_x86_apic_arm()), so the vector goes in right after.
 */
static void tpr_pull(struct lv_vcpu *v)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	uint32_t cr8 = x->vd->cr8_get(v);

	if (cr8 != lv_lapic_get_cr8(x->apic)) /* TPR[3:0] stay while the class does */
		lv_lapic_set_cr8(x->apic, cr8);
}

static void tpr_push(struct lv_vcpu *v)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	uint32_t cr8 = (uint32_t)lv_lapic_get_cr8(x->apic);

	if (cr8 != x->vd->cr8_get(v))
		x->vd->cr8_put(v, cr8);
}

/* ---- messages between APICs (lock held) ------------------------------------ */

/*
 * Make vCPU @p t act on what was posted to it: its LV_X86_RQ_KICK first (its
 * next entry goes through lv_x86_apic_block()), then an IPI while it is in
 * guest mode, else a wake. Either it sees the flag when it checks it
 * before entering (after guest_seq went odd), or this sees guest_seq odd
 * and the IPI makes it exit (x86_vcpu.h).
 */
static void notify(struct lv_vcpu *t)
{
	struct lv_x86_vcpu *xt = lv_x86_of(t);
	int32_t cpu;

	lv_x86_rq_set(xt, LV_X86_RQ_KICK);
	cpu = __atomic_load_n(&xt->cpu, __ATOMIC_SEQ_CST);
	if (cpu < 0 || !__atomic_load_n(&t->running, __ATOMIC_SEQ_CST))
		return;
	if (__atomic_load_n(&xt->guest_seq, __ATOMIC_SEQ_CST) & 1u)
		lv_plat_kick_cpu((uint32_t)cpu);
	else
		lv_plat_wake((uint32_t)cpu);
}

void lv_x86_apic_notify(struct lv_vcpu *t)
{
	notify(t);
}

/* The effects of an accepted message on vCPU @p t, from vCPU @p src (NULL: a device). */
static void post(struct lv_vcpu *src, struct lv_vcpu *t, const struct lv_lapic_fx *fx)
{
	struct lv_x86_vcpu *xt = lv_x86_of(t);
	uint32_t req = 0;

	if (fx->flags & LV_LAPIC_FX_NMI) {
		/* Counted before the flag: lv_x86_apic_arm() takes both. */
		__atomic_fetch_add(&xt->nmi_queued, 1, __ATOMIC_SEQ_CST);
		req |= LV_X86_REQ_NMI;
	}
	if (fx->flags & LV_LAPIC_FX_INIT) {
		req |= LV_X86_REQ_INIT;
		if (t->id == 0) /* as at RESET (x86_pic.h) */
			lv_x86_pic_lint0_reset(xt->apic);
	}
	if (fx->flags & LV_LAPIC_FX_SIPI) {
		req |= LV_X86_REQ_SIPI;
		xt->sipi_vector = fx->sipi_vector;
	}
	if (req)
		__atomic_fetch_or(&xt->apic_req, req, __ATOMIC_SEQ_CST);
	if (t == src) {
		/* Its own entry path picks up IRR and NMI; INIT and SIPI need the wait path. */
		if (req & (LV_X86_REQ_INIT | LV_X86_REQ_SIPI))
			lv_x86_rq_set(xt, LV_X86_RQ_KICK);
		return;
	}
	if (req || (fx->flags & LV_LAPIC_FX_IRQ))
		notify(t);
}

/*
 * Offer @p m to every local APIC of the VM (SDM Vol. 3, 11.6.2): each one
 * it addresses accepts it. Lowest priority goes to the first match only
 * (docs/apic.md: not arbitrated).
 */
static void deliver(struct lv_vm *vm, struct lv_vcpu *src, const struct lv_apic_msg *m)
{
	struct lv_x86_irqchip *c = chip_of(vm);
	uint32_t i;

	for (i = 0; i < c->nvcpus; i++) {
		struct lv_vcpu *t = c->vcpus[i];
		struct lv_x86_vcpu *xt;
		struct lv_lapic_fx fx;

		if (!t)
			continue;
		xt = lv_x86_of(t);
		if (!lv_lapic_msg_targets(xt->apic, m, t == src))
			continue;
		fx.flags = 0;
		lv_lapic_accept(xt->apic, m, &fx);
		post(src, t, &fx);
		if (m->delivery == LV_APIC_DM_LOWEST)
			break;
	}
}

/* The IOAPIC's message sink (lv_ioapic_reset()); the lock is held. */
static void ioapic_send(void *ctx, const struct lv_apic_msg *m)
{
	deliver(ctx, NULL, m);
}

/* What a call on vCPU @p v's own APIC asks for (lock held). */
static void own_fx(struct lv_vcpu *v, struct lv_lapic_fx *fx)
{
	if (fx->flags & LV_LAPIC_FX_IPI)
		deliver(v->vm, v, &fx->msg);
	if (fx->flags & LV_LAPIC_FX_EOI_BCAST)
		lv_ioapic_eoi(&chip_of(v->vm)->io, fx->eoi_vector);
	post(v, v, fx);
}

/* ---- objects ------------------------------------------------------------------ */

int lv_x86_irqchip_create(struct lv_vm *vm)
{
	struct lv_x86_irqchip *c = lv_plat_alloc(sizeof(*c));

	if (!c)
		return LV_ERR_NOMEM;
	c->vcpus = lv_plat_alloc(vm->max_vcpus * sizeof(*c->vcpus));
	if (!c->vcpus) {
		lv_plat_free(c);
		return LV_ERR_NOMEM;
	}
	c->nvcpus = vm->max_vcpus;
	lv_ioapic_reset(&c->io, ioapic_send, vm);
	lv_pic_reset(&c->pic);
	if (vm->flags & LV_VM_PIT) {
		c->pit = lv_plat_alloc(sizeof(*c->pit));
		if (!c->pit) {
			lv_plat_free(c->vcpus);
			lv_plat_free(c);
			return LV_ERR_NOMEM;
		}
		lv_pit_reset(c->pit);
	}
	lv_x86_vm_of(vm)->chip = c;
	return LV_OK;
}

void lv_x86_irqchip_destroy(struct lv_vm *vm)
{
	struct lv_x86_vm *xm = lv_x86_vm_of(vm);

	if (!xm->chip)
		return;
	lv_plat_free(xm->chip->vcpus);
	if (xm->chip->pit)
		lv_plat_free(xm->chip->pit);
	lv_plat_free(xm->chip);
	xm->chip = NULL;
}

/*
 * RESET state: the vCPU index is the APIC ID, vCPU 0 the BSP; every other
 * vCPU waits for INIT/SIPI (libvcpu.h, LV_VM_IRQCHIP), so its first
 * entry goes through the wait path.
 */
int lv_x86_apic_create(struct lv_vcpu *v)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	struct lv_x86_irqchip *c = chip_of(v->vm);
	struct lv_lapic *l = lv_plat_alloc(sizeof(*l));
	uint32_t bits = v->vm->backend->caps.guest_phys_bits;
	uint64_t fl;

	if (!l)
		return LV_ERR_NOMEM;
	lv_lapic_reset(l, v->id, v->id == 0, true, bits ? bits : 36);
	if (v->id == 0)
		lv_x86_pic_lint0_reset(l);
	if (v->id != 0) {
		l->mp_state = LV_MP_WAIT_SIPI;
		lv_x86_rq_set(x, LV_X86_RQ_KICK);
	}
	x->events.apic = 1; /* every entry asks the APIC (lv_x86_arm_events()) */
	x->timer_at = NO_DEADLINE;
	lv_x86_rq_set(x, LV_X86_RQ_LAYER);
	x->apic = l;
	fl = chip_lock(c);
	c->vcpus[v->id] = v; /* from now on it takes messages */
	chip_unlock(c, fl);
	return LV_OK;
}

void lv_x86_apic_destroy(struct lv_vcpu *v)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	struct lv_x86_irqchip *c = chip_of(v->vm);
	struct lv_lapic *l = x->apic;
	uint64_t fl;

	if (!l)
		return;
	fl = chip_lock(c); /* no message reaches it any more */
	c->vcpus[v->id] = NULL;
	x->apic = NULL;
	chip_unlock(c, fl);
	lv_plat_free(l);
}

/* ---- devices: GSIs and MSIs ------------------------------------------------------ */

void lv_x86_gsi_locked(struct lv_vm *vm, uint32_t gsi, uint32_t level)
{
	struct lv_x86_irqchip *c = chip_of(vm);

	lv_ioapic_set_irq(&c->io, gsi, level != 0);
	if (gsi < 16) { /* GSI 0-15 are also the PICs' IRQs, as on KVM (x86_pic.h) */
		lv_pic_set_irq(&c->pic, gsi, level != 0);
		lv_x86_pic_update(vm, NULL);
	}
}

int lv_x86_irq_line(struct lv_vm *vm, uint32_t gsi, uint32_t level)
{
	struct lv_x86_irqchip *c = chip_of(vm);
	uint64_t fl = chip_lock(c);

	lv_x86_gsi_locked(vm, gsi, level);
	chip_unlock(c, fl);
	return LV_OK;
}

int lv_x86_signal_msi(struct lv_vm *vm, uint64_t addr, uint32_t data)
{
	struct lv_x86_irqchip *c = chip_of(vm);
	struct lv_apic_msg m;
	uint64_t fl;

	if (!lv_apic_msi_decode(addr, data, &m))
		return LV_ERR_INVAL;
	fl = chip_lock(c);
	deliver(vm, NULL, &m);
	chip_unlock(c, fl);
	return LV_OK;
}

/* ---- before an entry: injection ------------------------------------------------ */

/* Fire the APIC timer if it is due (SDM Vol. 3, 11.5.4); the lock is taken here. */
static void timer_poll(struct lv_vcpu *v)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	struct lv_x86_irqchip *c = chip_of(v->vm);
	struct lv_lapic_fx fx = { 0 };
	uint64_t when, tsc = 0, fl;
	unsigned kind = lv_lapic_timer_next(x->apic, &when); /* timer fields are the owner's */

	if (c->pit)
		lv_x86_pit_poll(v);
	if (kind == LV_LAPIC_CLOCK_NONE)
		return;
	if (kind == LV_LAPIC_CLOCK_TSC)
		tsc = guest_tsc(v);
	fl = chip_lock(c);
	if (lv_lapic_timer_poll(x->apic, lv_plat_now_ns(), tsc, &fx))
		own_fx(v, &fx);
	chip_unlock(c, fl);
}

/*
 * The APIC timer while the guest runs (SDM Vol. 3, 11.5.4): this entry
 * must end by the timer's expiry, so that the next entry's poll fires it,
 * also for a guest that never exits by itself. The vendor's own timer
 * when it has one (VMX: the preemption timer), else a host timer interrupt
 * on this CPU (lv_plat_timer()), which ends guest mode as a kick does. It
 * is armed at every entry while the APIC timer is (another vCPU on this
 * CPU may have replaced it) and cancelled once when that stops. A TSC
 * deadline is taken as that many ns from now: exact where the seam's clock
 * is the TSC (tests/ring0), early where the TSC runs faster; an early end
 * costs one exit and a new arm.
 */
static void timer_limit(struct lv_vcpu *v)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	uint64_t when, tsc, now = lv_plat_now_ns(), at = NO_DEADLINE;

	switch (lv_lapic_timer_next(x->apic, &when)) {
	case LV_LAPIC_CLOCK_NS:
		at = when;
		break;
	case LV_LAPIC_CLOCK_TSC:
		tsc = guest_tsc(v);
		at = now + (when > tsc ? when - tsc : 0);
		break;
	default:
		break;
	}
	at = lv_x86_pit_limit(v->vm, at); /* the PIT's next IRQ 0 too */
	if (x->vd->guest_timer && x->vd->guest_timer(v, at == NO_DEADLINE ? NO_DEADLINE
							: at > now	  ? at - now
									  : 0))
		return;
	if (at == NO_DEADLINE && x->timer_at == NO_DEADLINE)
		return;
	lv_plat_timer(at);
	x->timer_at = at;
}

int lv_x86_apic_arm(struct lv_vcpu *v, uint64_t slot, int nmi_open, int irq_open)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	struct lv_x86_irqchip *c = chip_of(v->vm);
	int slot_busy = (slot >> 31) & 1;
	uint32_t n = 0, limit;
	uint64_t fl;
	uint32_t watch;
	int vec, left, pic;

	if (__atomic_fetch_and(&x->apic_req, ~LV_X86_REQ_NMI, __ATOMIC_SEQ_CST) & LV_X86_REQ_NMI)
		n = __atomic_exchange_n(&x->nmi_queued, 0, __ATOMIC_SEQ_CST);
	if (n || x->nmi_held) {
		limit = nmi_open && lv_x86_inflight_kind(slot) != LV_X86_KIND(LV_EVENT_NMI) ? 2 : 1;
		n += x->events.nmi + x->nmi_held;
		n = n < limit ? n : limit;
		x->events.nmi = n > 0;
		x->nmi_held = n > 1;
	}
	timer_poll(v);
	fl = chip_lock(c);
	tpr_pull(v); /* the CR8 the guest left at its last exit */
	/* INTA (11.8.4) only when the vector goes in with this entry. */
	pic = lv_x86_pic_takes(v) && lv_pic_output(&c->pic);
	if (!slot_busy && irq_open && !x->events.irq && !x->events.exc && !x->events.nmi) {
		/* ExtINT first (x86_pic.h): the PIC answers the INTA with its vector. */
		vec = pic ? lv_pic_intack(&c->pic) : lv_lapic_ack(x->apic);
		if (vec >= 0) {
			x->events.irq = 1;
			x->events.irq_vector = (uint8_t)vec;
		}
		pic = lv_x86_pic_takes(v) && lv_pic_output(&c->pic);
	}
	left = pic || lv_lapic_pending(x->apic) >= 0;
	watch = lv_lapic_tpr_watch(x->apic);
	chip_unlock(c, fl);
	x->vd->tpr_watch(v, watch);
	timer_limit(v);
	return left;
}

/* ---- waiting: HLT, wait-for-SIPI, INIT and SIPI ------------------------------------ */

/* INIT (SDM Vol. 3, 9.1.1, Table 9-1): the reset state, but the APIC base and XCR0 stay. */
static void do_init(struct lv_vcpu *v)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	struct lv_state *st = &x->scratch;
	uint64_t xcr0;

	if (lv_x86_get_state(v, LV_STATE_CONTROL, st) != LV_OK)
		return;
	xcr0 = st->ctrl.xcr0;
	lv_state_init_reset(st);
	st->ctrl.apic_base = x->apic->apic_base;
	st->ctrl.xcr0 = xcr0;
	x->halted = 0;
	lv_x86_set_state(v,
			 LV_STATE_GPRS | LV_STATE_SEGMENTS | LV_STATE_CONTROL | LV_STATE_DEBUG |
				 LV_STATE_EVENTS,
			 st);
}

/* SIPI (SDM Vol. 3, 9.4.2, 11.6.1): real mode at CS = vector << 8, IP = 0, as KVM. */
static void do_sipi(struct lv_vcpu *v, uint8_t vector)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	struct lv_state *st = &x->scratch;

	if (x->vd->get_state(v, LV_STATE_GPRS | LV_STATE_SEGMENTS, st) != LV_OK)
		return;
	st->segs.cs.selector = (uint16_t)(vector << 8);
	st->segs.cs.base = (uint64_t)vector << 12;
	st->regs.rip = 0;
	lv_x86_set_state(v, LV_STATE_GPRS | LV_STATE_SEGMENTS, st);
}

/* A halted vCPU resumes for an NMI, or an interrupt it can take (RFLAGS.IF, as KVM). */
static int halt_ends(struct lv_vcpu *v)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	struct lv_x86_irqchip *c = chip_of(v->vm);
	uint64_t fl;
	int pending;

	if (x->events.nmi || x->events.exc ||
	    (__atomic_load_n(&x->apic_req, __ATOMIC_SEQ_CST) & LV_X86_REQ_NMI))
		return 1;
	fl = chip_lock(c);
	tpr_pull(v);
	pending = lv_lapic_pending(x->apic) >= 0 || (lv_x86_pic_takes(v) && lv_pic_output(&c->pic));
	chip_unlock(c, fl);
	if (!pending && !x->events.irq)
		return 0;
	if (x->vd->get_state(v, LV_STATE_GPRS, &x->scratch) != LV_OK)
		return 1;
	return (x->scratch.regs.rflags & RFLAGS_IF) != 0;
}

/* Until when a waiting vCPU may sleep: the APIC timer's expiry, or none. */
static uint64_t wait_deadline(struct lv_vcpu *v)
{
	uint64_t when;

	switch (lv_lapic_timer_next(lv_x86_of(v)->apic, &when)) {
	case LV_LAPIC_CLOCK_NS:
		break;
	case LV_LAPIC_CLOCK_TSC:
		/* The guest TSC has no fixed rate against the ns clock here: look again soon. */
		when = lv_plat_now_ns() + TSC_POLL_NS;
		break;
	default:
		when = NO_DEADLINE;
		break;
	}
	return lv_x86_pit_limit(v->vm, when); /* the PIT's next IRQ 0 too */
}

int lv_x86_apic_block(struct lv_vcpu *v)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	struct lv_x86_irqchip *c = chip_of(v->vm);

	for (;;) {
		uint32_t req, mp;
		uint8_t sipi;
		uint64_t fl;

		/* The flag first, then its causes: a cause set later sets it again. */
		lv_x86_rq_clear(x, LV_X86_RQ_KICK);
		if (__atomic_exchange_n(&x->user_kick, 0, __ATOMIC_SEQ_CST)) {
			lv_x86_cancelled(v, v->vm->backend->ops->kind);
			/* Still halted or waiting: the next run waits again. */
			if (x->halted || x->apic->mp_state != LV_MP_RUNNABLE)
				lv_x86_rq_set(x, LV_X86_RQ_KICK);
			return LV_X86_CALLER;
		}
		fl = chip_lock(c);
		req = __atomic_fetch_and(&x->apic_req, LV_X86_REQ_NMI, __ATOMIC_SEQ_CST);
		sipi = x->sipi_vector;
		mp = x->apic->mp_state;
		chip_unlock(c, fl);
		if (req & LV_X86_REQ_INIT)
			do_init(v);
		if (req & LV_X86_REQ_SIPI)
			do_sipi(v, sipi);
		timer_poll(v);
		if (mp == LV_MP_RUNNABLE && (!x->halted || halt_ends(v))) {
			x->halted = 0;
			lv_x86_rq_set(x, LV_X86_RQ_LAYER); /* the entry asks the APIC */
			return LV_X86_GUEST;
		}
		if (lv_x86_rq_test(x, LV_X86_RQ_KICK))
			continue; /* something came meanwhile */
		lv_plat_wait(wait_deadline(v));
	}
}

int lv_x86_apic_hlt(struct lv_vcpu *v)
{
	lv_x86_of(v)->halted = 1;
	return lv_x86_apic_block(v);
}

void lv_x86_apic_kick(struct lv_vcpu *v)
{
	__atomic_store_n(&lv_x86_of(v)->user_kick, 1, __ATOMIC_SEQ_CST);
}

/* ---- guest accesses -------------------------------------------------------------- */

static uint32_t data32(const struct lv_x86_access *a)
{
	uint32_t d = 0;

	memcpy(&d, a->data, a->size < 4 ? a->size : 4);
	return d;
}

static void fill(struct lv_x86_access *a, uint32_t val)
{
	memset(a->data, 0, sizeof(a->data));
	memcpy(a->data, &val, a->size < 4 ? a->size : 4);
}

int lv_x86_apic_mmio(struct lv_vcpu *v, struct lv_x86_access *a)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	struct lv_x86_irqchip *c = chip_of(v->vm);
	struct lv_lapic *l = x->apic;
	struct lv_lapic_fx fx = { 0 };
	uint64_t base = l->apic_base & ~(l->base_rsvd | 0xfffull), fl;
	unsigned off;

	if ((a->addr & ~0xfffull) == base) {
		/*
		 * The xAPIC page (SDM Vol. 3, 11.4.1): the model keeps its masks
		 * and sizes; disabled or in x2APIC mode, it reads all ones and
		 * drops writes (lapic.h), as KVM's page does.
		 */
		off = (unsigned)(a->addr & 0xfffu);
		fl = chip_lock(c);
		tpr_pull(v);
		if (a->is_write) {
			lv_lapic_mmio_write(l, off, a->size, data32(a), lv_plat_now_ns(), &fx);
			tpr_push(v);
			own_fx(v, &fx);
		} else {
			fill(a, lv_lapic_mmio_read(l, off, a->size, lv_plat_now_ns()));
		}
		chip_unlock(c, fl);
		return 1;
	}
	if ((a->addr & ~(uint64_t)(LV_X86_IOAPIC_SIZE - 1)) == LV_IOAPIC_DEFAULT_BASE) {
		/* IOREGSEL / IOWIN are dwords; a narrower read takes its bytes. */
		off = (unsigned)(a->addr & (LV_X86_IOAPIC_SIZE - 1));
		fl = chip_lock(c);
		if (a->is_write)
			lv_ioapic_mmio_write(&c->io, off & ~3u, data32(a));
		else
			fill(a, lv_ioapic_mmio_read(&c->io, off & ~3u) >> ((off & 3u) * 8));
		chip_unlock(c, fl);
		return 1;
	}
	return 0;
}

int lv_x86_apic_msr(struct lv_vcpu *v, uint32_t index, int write, uint64_t *value)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	struct lv_x86_irqchip *c = chip_of(v->vm);
	struct lv_lapic_fx fx = { 0 };
	uint64_t tsc = 0, fl;
	int r;

	if (index != MSR_APIC_BASE && index != MSR_TSC_DEADLINE &&
	    (index < LV_MSR_X2APIC_FIRST || index > LV_MSR_X2APIC_LAST))
		return 0;
	if (write && index == MSR_TSC_DEADLINE)
		tsc = guest_tsc(v);
	fl = chip_lock(c);
	tpr_pull(v);
	if (write) {
		r = lv_lapic_msr_write(x->apic, index, *value, lv_plat_now_ns(), tsc, &fx);
		tpr_push(v);
		own_fx(v, &fx);
	} else {
		r = lv_lapic_msr_read(x->apic, index, lv_plat_now_ns(), value);
	}
	chip_unlock(c, fl);
	return r == LV_LAPIC_OK ? 1 : -1;
}

void lv_x86_apic_cpuid(struct lv_vcpu *v, uint32_t r[4])
{
	const struct lv_lapic *l = lv_x86_of(v)->apic;

	if (!l)
		return;
	/* EBX[31:24] initial APIC ID; ECX x2APIC and TSC-deadline, as KVM offers them. */
	r[1] = (r[1] & 0x00ffffffu) | (v->id << 24);
	r[2] |= CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSCDL;
	/* EDX.APIC follows IA32_APIC_BASE.EN (SDM Vol. 3, 11.4.3), as on KVM. */
	if (lv_lapic_hw_enabled(l))
		r[3] |= CPUID_1_EDX_APIC;
	else
		r[3] &= ~CPUID_1_EDX_APIC;
}

/* ---- state ------------------------------------------------------------------------ */

void lv_x86_apic_get_state(struct lv_vcpu *v, uint32_t mask, struct lv_state *st)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	struct lv_x86_irqchip *c = chip_of(v->vm);
	uint64_t fl = chip_lock(c);

	tpr_pull(v);
	if (mask & LV_STATE_CONTROL)
		st->ctrl.apic_base = x->apic->apic_base;
	if (mask & LV_STATE_APIC)
		lv_lapic_get_state(x->apic, &st->apic, lv_plat_now_ns());
	if (mask & LV_STATE_MP)
		st->mp_state = x->halted && x->apic->mp_state == LV_MP_RUNNABLE ? LV_MP_HALTED
										: x->apic->mp_state;
	chip_unlock(c, fl);
}

int lv_x86_apic_set_state(struct lv_vcpu *v, uint32_t mask, const struct lv_state *st)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	struct lv_x86_irqchip *c = chip_of(v->vm);
	struct lv_lapic_fx fx = { 0 };
	int rc = LV_OK;
	uint64_t fl;

	if ((mask & LV_STATE_MP) && st->mp_state > LV_MP_WAIT_SIPI)
		return LV_ERR_INVAL;
	fl = chip_lock(c);
	tpr_pull(v);
	/* A host restore (11.12.5: it may also enter x2APIC mode from disabled). */
	if ((mask & LV_STATE_CONTROL) && st->ctrl.apic_base != x->apic->apic_base &&
	    lv_lapic_set_base(x->apic, st->ctrl.apic_base, true, &fx) != LV_LAPIC_OK)
		rc = LV_ERR_INVAL;
	if (rc == LV_OK && (mask & LV_STATE_APIC))
		rc = lv_lapic_set_state(x->apic, &st->apic, lv_plat_now_ns());
	if (rc == LV_OK && (mask & LV_STATE_MP)) {
		x->apic->mp_state = st->mp_state == LV_MP_WAIT_SIPI ? LV_MP_WAIT_SIPI
								    : LV_MP_RUNNABLE;
		x->halted = st->mp_state == LV_MP_HALTED;
		if (st->mp_state != LV_MP_RUNNABLE)
			lv_x86_rq_set(x, LV_X86_RQ_KICK); /* the run waits */
	}
	chip_unlock(c, fl);
	return rc;
}

void lv_x86_apic_tpr_put(struct lv_vcpu *v)
{
	struct lv_x86_irqchip *c = chip_of(v->vm);
	uint64_t fl = chip_lock(c);

	tpr_push(v);
	chip_unlock(c, fl);
}
