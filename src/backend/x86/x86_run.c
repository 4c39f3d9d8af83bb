/* SPDX-License-Identifier: MIT */
/*
 * The run loop's cold half, shared by SVM and VMX (x86_run.h has the hot
 * half): completion of the exit the caller answered, the dispatch of every
 * exit but the hot ones, MSR exits, nested page faults, events, and the
 * glue to the core's instruction emulator for MMIO and string port IO.
 */
#include "../../core/exit_common.h"
#include "../../core/lvlib.h"
#include "../../core/x86_arch.h"
#include "x86_cpuid.h"
#include "x86_pic.h"
#include "x86_vcpu.h"

#define GP_VECTOR 13
#define PF_VECTOR 14

void lv_x86_raise(struct lv_vcpu *v, uint8_t vector, int has_err, uint32_t err)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);

	lv_x86_events_exception(&x->events, vector, has_err, err);
	lv_x86_rq_set(x, LV_X86_RQ_LAYER);
}

void lv_x86_cancelled(struct lv_vcpu *v, uint32_t kind)
{
	v->exit.reason = LV_EXIT_CANCELLED;
	v->exit.flags = 0;
	memset(&v->exit.raw, 0, sizeof(v->exit.raw));
	v->exit.raw.backend = kind;
}

int lv_x86_kicked(struct lv_vcpu *v)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);

	if (x->vd->kicked)
		x->vd->kicked(x);
	if (x->apic)
		return lv_x86_apic_block(v);
	lv_x86_cancelled(v, v->vm->backend->ops->kind);
	return LV_X86_CALLER;
}

/* ---- the emulator glue (MMIO and string IO) ------------------------------ */

static int emu_translate(void *ctx, uint64_t gla, uint32_t access, uint64_t *gpa,
			 struct lv_x86_fault *fault)
{
	struct lv_vcpu *v = ctx;

	return lv_guest_walk_x86(&v->vm->mem, &lv_x86_of(v)->pg, gla, access, gpa, fault);
}

static void *emu_ram(void *ctx, uint64_t gpa, uint32_t len, uint32_t access)
{
	struct lv_vcpu *v = ctx;

	return lv_memmap_hva(&v->vm->mem, gpa, len,
			     (access & LV_ACCESS_WRITE) ? LV_PROT_WRITE : LV_PROT_READ);
}

static int emu_get_regs(void *ctx, struct lv_regs *regs)
{
	struct lv_vcpu *v = ctx;

	*regs = lv_x86_of(v)->scratch.regs;
	return 0;
}

/* The emulated instruction retires: new registers, and any STI/MOV-SS shadow ends. */
static int emu_set_regs(void *ctx, const struct lv_regs *regs)
{
	struct lv_vcpu *v = ctx;
	struct lv_x86_vcpu *x = lv_x86_of(v);

	if (regs->rip != x->scratch.regs.rip)
		x->vd->skip(x, 0);
	x->scratch.regs = *regs;
	return x->vd->set_state(v, LV_STATE_GPRS, &x->scratch);
}

static const struct lv_x86_emul_ops emu_ops = {
	.translate = emu_translate,
	.ram = emu_ram,
	.get_regs = emu_get_regs,
	.set_regs = emu_set_regs,
};

/* The guest as the emulator and the page walker see it (x->scratch, x->pg). */
static int load_view(struct lv_vcpu *v)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	int rc = x->vd->get_state(v, LV_STATE_GPRS | LV_STATE_SEGMENTS | LV_STATE_CONTROL,
				  &x->scratch);

	if (rc)
		return rc;
	lv_guest_paging_from_state(&x->pg, &x->scratch);
	return LV_OK;
}

int lv_x86_fetch(struct lv_vcpu *v, uint8_t *buf, unsigned n)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	struct lv_walk_result res;
	uint64_t la;
	unsigned i;

	if (load_view(v))
		return LV_ERR_NOENT;
	la = x->scratch.segs.cs.base + x->scratch.regs.rip;
	if (!(x->scratch.ctrl.efer & EFER_LMA)) /* outside long mode addresses wrap at 4 GiB */
		la = (uint32_t)la;
	lv_mem_read_begin(v);
	for (i = 0; i < n; i++) {
		const uint8_t *p = NULL;

		if (lv_guest_walk(&v->vm->mem, &x->pg, la + i, LV_ACCESS_EXEC, &res) == LV_WALK_OK)
			p = lv_memmap_hva(&v->vm->mem, res.gpa, 1, LV_PROT_READ);
		if (!p)
			break;
		buf[i] = *p;
	}
	lv_mem_read_end(v);
	return i == n ? LV_OK : LV_ERR_NOENT;
}

/* An emulator status into "enter the guest" or an exit for the caller. */
static int emul_status(struct lv_vcpu *v, int st)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	struct lv_x86_emul *em = &x->em;

	/* LV_VM_IRQCHIP: the APIC, IOAPIC, PICs and PIT answer themselves (x86_apic.h, x86_pic.h). */
	while (st == LV_X86_EMUL_ACCESS && x->apic &&
	       (em->access.is_io ? lv_x86_isa_pio(v, (uint16_t)em->access.addr, em->access.size,
						  em->access.is_write, em->access.data)
				 : lv_x86_apic_mmio(v, &em->access))) {
		lv_mem_read_begin(v);
		st = lv_x86_emul_resume(em);
		lv_mem_read_end(v);
	}
	switch (st) {
	case LV_X86_EMUL_DONE:
		return LV_X86_GUEST;
	case LV_X86_EMUL_FAULT:
		if (em->fault.vector == PF_VECTOR) {
			x->scratch.ctrl.cr2 = em->fault.cr2;
			x->vd->set_state(v, LV_STATE_CONTROL, &x->scratch);
		}
		lv_x86_raise(v, em->fault.vector, em->fault.has_error_code, em->fault.error_code);
		return LV_X86_GUEST;
	case LV_X86_EMUL_ACCESS:
		x->pending = LV_X86_PEND_EMUL;
		lv_exit_set_emul_access(&v->exit, em, x->io_buf);
		return LV_X86_CALLER;
	default:
		lv_exit_set_emul_failure(&v->exit, x->emul_gpa, x->scratch.regs.rip);
		return LV_X86_CALLER;
	}
}

/* Emulate the instruction at CS:RIP; @p gpa is the faulting address (0 for string IO). */
static int emulate(struct lv_vcpu *v, uint64_t gpa)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	int st;

	x->emul_gpa = gpa;
	if (load_view(v))
		return emul_status(v, LV_X86_EMUL_UNHANDLEABLE);
	lv_x86_env_from_state(&x->env, &x->scratch);
	x->env.segs = &x->scratch.segs;
	lv_x86_emul_init(&x->em, &emu_ops, v, &x->env);
	lv_mem_read_begin(v); /* the emulator walks and touches guest RAM (internal.h) */
	st = lv_x86_emul_start(&x->em, NULL, 0);
	lv_mem_read_end(v);
	return emul_status(v, st);
}

/* ---- CPUID ------------------------------------------------------------------ */

const struct lv_cpuid_entry lv_x86_cpuid_none;

__attribute__((noinline)) const struct lv_cpuid_entry *lv_x86_cpuid_lookup(struct lv_x86_vcpu *x,
									   uint32_t leaf,
									   uint32_t sub)
{
	const struct lv_cpuid_entry *e = lv_policy_cpuid_find(&x->cpuid, leaf, sub);

	x->cpuid_hit = e ? e : &lv_x86_cpuid_none;
	x->cpuid_leaf = leaf;
	x->cpuid_sub = sub;
	return x->cpuid_hit;
}

/*
 * A leaf above the highest basic or extended leaf (SDM Vol. 2A, CPUID:
 * "the data for the highest basic information leaf is returned"; on AMD
 * and Hygon such a leaf reads as zeros, APM Vol. 3, CPUID), answered by
 * that rule from the vCPU's cached maxima, never by the host CPU: its
 * answer for leaf 0Dh follows whichever XCR0 (host's or guest's) is loaded
 * at that moment. The hypervisor range stays with lv_x86_cpuid_default().
 */
int lv_x86_cpuid_range(struct lv_vcpu *v, uint32_t *leaf)
{
	const struct lv_x86_vcpu *x = lv_x86_of(v);
	uint32_t l = *leaf;

	if (l >= LV_X86_CPUID_HIDDEN_FIRST && l <= LV_X86_CPUID_HIDDEN_LAST)
		return 0;
	if (l < 0x80000000u ? l <= x->cpuid_max_basic : l <= x->cpuid_max_ext)
		return 0;
	if (x->cpuid_oor_zero)
		return 1;
	*leaf = x->cpuid_max_basic;
	return 0;
}

void lv_x86_cpuid_host(struct lv_vcpu *v, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	if (lv_x86_cpuid_range(v, &leaf)) {
		r[0] = r[1] = r[2] = r[3] = 0;
		return;
	}
	lv_cpuid(leaf, sub, &r[0], &r[1], &r[2], &r[3]);
	lv_x86_cpuid_default(leaf, r);
	if (leaf == 1 || leaf == 7 || leaf == 0xd) {
		lv_x86_cpuid_fpu(v, leaf, sub, r);
		if (leaf == 1)
			lv_x86_apic_cpuid(v, r); /* LV_VM_IRQCHIP (x86_apic.h) */
	}
}

void lv_x86_cpuid_range_init(struct lv_x86_vcpu *x)
{
	uint32_t a, b, c, d;

	lv_cpuid(0, 0, &a, &b, &c, &d);
	x->cpuid_max_basic = a;
	/* "AuthenticAMD", "HygonGenuine": EBX holds the first four bytes. */
	x->cpuid_oor_zero = b == 0x68747541u || b == 0x6f677948u;
	lv_cpuid(0x80000000u, 0, &a, &b, &c, &d);
	x->cpuid_max_ext = a >= 0x80000000u ? a : 0x80000000u;
}

/* ---- completion ------------------------------------------------------------ */

int lv_x86_complete(struct lv_vcpu *v)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	const struct lv_exit *ex = &v->exit;
	uint32_t p = x->pending;

	x->pending = LV_X86_PEND_NONE;
	switch (p) {
	case LV_X86_PEND_CPUID:
		x->regs.rax = ex->cpuid.eax;
		x->regs.rbx = ex->cpuid.ebx;
		x->regs.rcx = ex->cpuid.ecx;
		x->regs.rdx = ex->cpuid.edx;
		x->vd->skip(x, x->insn_len);
		return LV_X86_GUEST;
	case LV_X86_PEND_RDMSR:
	case LV_X86_PEND_WRMSR:
		if (ex->msr.error) {
			lv_x86_raise(v, GP_VECTOR, 1, 0);
			return LV_X86_GUEST;
		}
		if (p == LV_X86_PEND_RDMSR) {
			x->regs.rax = (uint32_t)ex->msr.value;
			x->regs.rdx = ex->msr.value >> 32;
		}
		x->vd->skip(x, x->insn_len);
		return LV_X86_GUEST;
	case LV_X86_PEND_IO_IN: {
		uint64_t d = 0;

		memcpy(&d, x->io_buf, ex->io.size);
		if (ex->io.size == 4)
			x->regs.rax = (uint32_t)d; /* 32-bit results zero-extend */
		else if (ex->io.size == 2)
			x->regs.rax = (x->regs.rax & ~0xffffull) | (d & 0xffff);
		else
			x->regs.rax = (x->regs.rax & ~0xffull) | (d & 0xff);
		return LV_X86_GUEST;
	}
	case LV_X86_PEND_EMUL: {
		struct lv_x86_access *a = &x->em.access;
		int st;

		/* The caller answered a read into the exit record (IO: into x->io_buf). */
		if (!a->is_write)
			memcpy(a->data, a->is_io ? ex->io.data : ex->mmio.data, a->size);
		lv_mem_read_begin(v);
		st = lv_x86_emul_resume(&x->em);
		lv_mem_read_end(v);
		return emul_status(v, st);
	}
	default:
		return LV_X86_GUEST;
	}
}

/* ---- exits ------------------------------------------------------------------ */

int lv_x86_msr_exit(struct lv_vcpu *v, int write)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	const struct lv_x86_vm *xm = lv_x86_vm_of(v->vm);
	uint32_t index = (uint32_t)x->regs.rcx;
	uint64_t val = (uint32_t)x->regs.rax | (x->regs.rdx << 32);
	int apic = x->apic ? lv_x86_apic_msr(v, index, write, &val) : 0;

	if (apic < 0) { /* LV_VM_IRQCHIP: the APIC's MSRs never reach the caller */
		lv_x86_raise(v, GP_VECTOR, 1, 0);
		return LV_X86_GUEST;
	}
	if (apic > 0) {
		if (!write) {
			x->regs.rax = (uint32_t)val;
			x->regs.rdx = val >> 32;
		}
		x->vd->skip(x, x->insn_len);
		return LV_X86_GUEST;
	}
	if (!lv_policy_msr_exits(&xm->msr_exits, index, write)) {
		/*
		 * One MSR path for the guest and for lv_vcpu_get_msr / set_msr
		 * (the APIC's is above): a value the layer's own MSR refuses
		 * is #GP(0), as on the CPU; the vendor's refusal is an exit.
		 */
		int own = lv_x86_own_msr(x, index, write, &val);

		if (own < 0) {
			lv_x86_raise(v, GP_VECTOR, 1, 0);
			return LV_X86_GUEST;
		}
		if (own > 0 || (write ? x->vd->set_msr(v, index, val) == LV_OK
				      : x->vd->get_msr(v, index, &val) == LV_OK)) {
			if (!write) {
				x->regs.rax = (uint32_t)val;
				x->regs.rdx = val >> 32;
			}
			x->vd->skip(x, x->insn_len);
			return LV_X86_GUEST;
		}
	}
	lv_exit_set_msr(&v->exit, &xm->msr_exits, index, write, val);
	x->pending = write ? LV_X86_PEND_WRMSR : LV_X86_PEND_RDMSR;
	return LV_X86_CALLER;
}

/*
 * A nested page fault, classified by the one rule of x86_mem.h: a stale
 * translation is flushed and retried, MMIO is emulated, the rest goes to
 * the caller.
 */
static int npf(struct lv_vcpu *v)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	struct lv_exit *ex = &v->exit;

	switch (lv_x86_npf_action(v, x->npf_gpa, x->npf_access, x->npf_walk)) {
	case LV_X86_NPF_RETRY:
		lv_x86_rq_set(x, LV_X86_RQ_FLUSH); /* the next entry flushes its guest TLB */
		return LV_X86_GUEST;
	case LV_X86_NPF_MMIO:
		return emulate(v, x->npf_gpa);
	default:
		break;
	}
	ex->reason = LV_EXIT_NPF;
	ex->npf.gpa = x->npf_gpa;
	ex->npf.access = x->npf_access;
	ex->npf.gva_valid = x->npf_gva_valid != 0;
	ex->npf.gva = x->npf_gva_valid ? x->npf_gva : 0;
	return LV_X86_CALLER;
}

/*
 * A window exit: the layer's own (a queued event can go in now) unless the
 * caller asked for it.
 */
static int window(struct lv_vcpu *v, uint32_t which, uint32_t reason)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);

	/* Re-arm: a queued event goes in, the window intercept is re-evaluated. */
	lv_x86_rq_set(x, LV_X86_RQ_LAYER);
	if (!(x->windows & which))
		return LV_X86_GUEST;
	if (which == LV_WINDOW_IRQ && x->events.irq)
		return LV_X86_GUEST; /* the queued interrupt goes in first */
	v->exit.reason = reason;
	return LV_X86_CALLER;
}

int lv_x86_dispatch(struct lv_vcpu *v, int act)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	struct lv_exit *ex = &v->exit;
	const struct lv_regs *r = &x->regs;

	switch (act) {
	case LV_X86_RDMSR:
	case LV_X86_WRMSR:
		return lv_x86_msr_exit(v, act == LV_X86_WRMSR);
	case LV_X86_HYPERCALL:
		x->vd->skip(x, x->insn_len);
		ex->reason = LV_EXIT_HYPERCALL;
		lv_exit_set_hypercall(ex, r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi);
		return LV_X86_CALLER;
	case LV_X86_EMULATE:
		return emulate(v, 0);
	case LV_X86_NPF:
		return npf(v);
	case LV_X86_EXCEPTION:
		lv_x86_raise(v, ex->exception.vector, ex->exception.has_error_code,
			     ex->exception.error_code);
		return LV_X86_GUEST;
	case LV_X86_IRQ_WINDOW:
		return window(v, LV_WINDOW_IRQ, LV_EXIT_IRQ_WINDOW);
	case LV_X86_NMI_WINDOW:
		return window(v, LV_WINDOW_NMI, LV_EXIT_NMI_WINDOW);
	case LV_X86_FPU:
		lv_x86_fpu_load(v);
		return LV_X86_GUEST;
	case LV_X86_XSETBV:
		return lv_x86_xsetbv(v);
	case LV_X86_GUEST:
		return LV_X86_GUEST;
	default:
		return LV_X86_CALLER;
	}
}

/* ---- events ------------------------------------------------------------------ */

void lv_x86_arm_events(struct lv_vcpu *v)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	uint8_t irq_win = x->events.want_irq_window, nmi_win = x->events.want_nmi_window;
	int nmi_open = 0, irq_open = 0;
	uint64_t slot = x->vd->event_slot(v, &nmi_open, &irq_open);
	int nmi_window = (v->vm->backend->caps.features & LV_FEAT_NMI_WINDOW) != 0;
	struct lv_event ev;
	int apic_left = 0;

	if (x->apic)
		apic_left = lv_x86_apic_arm(v, slot, nmi_open, irq_open);
	if (lv_x86_events_pick(&x->events, (slot >> 31) & 1, nmi_open, irq_open, nmi_window, &ev) >=
	    0)
		x->vd->event_put(v, &ev);
	if (apic_left)
		x->events.want_irq_window = 1; /* the APIC's next vector waits for the guest */
	if (irq_win != x->events.want_irq_window || nmi_win != x->events.want_nmi_window)
		x->vd->intercepts(v);
}
