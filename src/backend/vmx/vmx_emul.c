/* SPDX-License-Identifier: MIT */
/*
 * MMIO and string port IO for the VMX backend: the instruction at CS:RIP
 * is fetched through the core's guest page walker and run by the core's
 * emulator (x86_emul.h); each device access becomes one exit, completed
 * on the next run, as on the KVM and SVM backends.
 */
#include "../../core/exit_common.h"
#include "../../core/lvlib.h"
#include "vmcs.h"
#include "vmx_insn.h"
#include "vmx_priv.h"

enum { CONTINUE = 0, TO_USER = 1 };

static int em_translate(void *ctx, uint64_t gla, uint32_t access, uint64_t *gpa,
			struct lv_x86_fault *fault)
{
	struct vmx_vcpu *xc = ctx;

	return lv_guest_walk_x86(&xc->vcpu->vm->mem, &xc->pg, gla, access, gpa, fault);
}

static void *em_ram(void *ctx, uint64_t gpa, uint32_t len, uint32_t access)
{
	struct vmx_vcpu *xc = ctx;
	uint32_t need = access == LV_ACCESS_WRITE ? LV_PROT_WRITE : LV_PROT_READ;

	return lv_memmap_hva(&xc->vcpu->vm->mem, gpa, len, need);
}

static int em_get_regs(void *ctx, struct lv_regs *regs)
{
	struct vmx_vcpu *xc = ctx;

	*regs = xc->cache.regs;
	return 0;
}

static int em_set_regs(void *ctx, const struct lv_regs *regs)
{
	struct vmx_vcpu *xc = ctx;
	struct lv_state *st = &xc->cache;

	st->regs = *regs;
	return lv_vmx_set_state(xc->vcpu, LV_STATE_GPRS, st);
}

static const struct lv_x86_emul_ops vmx_em_ops = {
	.translate = em_translate,
	.ram = em_ram,
	.get_regs = em_get_regs,
	.set_regs = em_set_regs,
};

/* Act on an emulator status: re-enter, or fill the exit for the caller. */
static int em_status(struct vmx_vcpu *xc, struct lv_exit *ex, int st)
{
	struct lv_x86_access *a = &xc->em.access;

	switch (st) {
	case LV_X86_EMUL_DONE:
		return CONTINUE;
	case LV_X86_EMUL_FAULT:
		lv_x86_events_exception(&xc->events, xc->em.fault.vector,
					xc->em.fault.has_error_code, xc->em.fault.error_code);
		xc->slow = true;
		if (xc->em.fault.vector == LV_X86_VEC_PF)
			xc->gprs.cr2 = xc->em.fault.cr2;
		return CONTINUE;
	case LV_X86_EMUL_ACCESS:
		xc->pending = PEND_MMIO;
		lv_exit_set_emul_access(ex, &xc->em, a->data);
		return TO_USER;
	default:
		lv_exit_set_emul_failure(ex, xc->emul_gpa, vmread(VMCS_GUEST_RIP));
		return TO_USER;
	}
}

static int em_start(struct vmx_vcpu *xc, struct lv_exit *ex)
{
	int rc = lv_vmx_cache_fill(xc, LV_STATE_GPRS | LV_STATE_SEGMENTS | LV_STATE_CONTROL);

	if (rc)
		return em_status(xc, ex, LV_X86_EMUL_UNHANDLEABLE);
	lv_x86_env_from_state(&xc->env, &xc->cache);
	lv_guest_paging_from_state(&xc->pg, &xc->cache);
	lv_x86_emul_init(&xc->em, &vmx_em_ops, xc, &xc->env);
	return em_status(xc, ex, lv_x86_emul_start(&xc->em, NULL, 0));
}

int lv_vmx_emul_mmio(struct vmx_vcpu *xc, struct lv_exit *ex, uint64_t gpa)
{
	xc->emul_gpa = gpa; /* for an error record; the emulator finds the access itself */
	return em_start(xc, ex);
}

int lv_vmx_emul_string_io(struct vmx_vcpu *xc, struct lv_exit *ex)
{
	xc->emul_gpa = 0;
	return em_start(xc, ex);
}

int lv_vmx_emul_resume(struct vmx_vcpu *xc, struct lv_exit *ex)
{
	struct lv_x86_access *a = &xc->em.access;

	if (!a->is_write && !a->is_io)
		memcpy(a->data, ex->mmio.data, sizeof(a->data));
	/* IO reads: the caller wrote into ex->io.data, which is a->data. */
	return em_status(xc, ex, lv_x86_emul_resume(&xc->em));
}

bool lv_vmx_insn_is(struct vmx_vcpu *xc, const uint8_t *bytes, unsigned n)
{
	const struct lv_memmap *mm = &xc->vcpu->vm->mem;
	struct lv_walk_result res;
	const uint8_t *p;
	uint64_t lin;

	if (lv_vmx_cache_fill(xc, LV_STATE_GPRS | LV_STATE_SEGMENTS | LV_STATE_CONTROL))
		return false;
	lv_guest_paging_from_state(&xc->pg, &xc->cache);
	lin = xc->cache.segs.cs.base + xc->cache.regs.rip;
	if (!(xc->cache.ctrl.efer & (1ull << 10)))
		lin &= 0xffffffffull; /* outside IA-32e mode linear addresses are 32 bits */
	if (lv_guest_walk(mm, &xc->pg, lin, LV_ACCESS_EXEC, &res) != LV_WALK_OK)
		return false;
	p = lv_memmap_hva(mm, res.gpa, n, LV_PROT_READ); /* NULL if it crosses a slot */
	return p && memcmp(p, bytes, n) == 0;
}
