/* SPDX-License-Identifier: MIT */
/*
 * The run loop of the raw backends, written once. Each vendor instantiates
 * it with its constant hook table (lv_svm_run, lv_vmx_run):
 *
 *     lv_svm_run(v, exit) { return lv_x86_run_with(v, exit, &lv_svm_vendor); }
 *
 * so the compiler turns the hooks on the hot path (enter, exit, skip) into
 * direct calls, as KVM does with static_call; the hot exits (CPUID, port
 * IO, HLT) are finished inline, every other one in lv_x86_dispatch().
 */
#ifndef LV_X86_RUN_H
#define LV_X86_RUN_H

#include "../../core/exit_common.h"
#include "x86_cpuid.h"
#include "x86_pic.h"
#include "x86_vcpu.h"

/* CPUID: the policy's answer, or an LV_EXIT_CPUID exit (x86_cpuid.h). */
static inline __attribute__((always_inline)) int lv_x86_cpuid_insn(struct lv_x86_vcpu *x,
								   const struct lv_x86_vendor *vd)
{
	/* v from x (which the entry stubs preserve), not a loop-invariant spill. */
	struct lv_vcpu *v = x->vcpu;
	uint32_t r[4], leaf = (uint32_t)x->regs.rax, sub;
	const struct lv_cpuid_entry *e = x->cpuid_hit;

	/* ECX by a 32-bit load (x86 is little-endian): no 64-bit load and copy. */
	__builtin_memcpy(&sub, &x->regs.rcx, sizeof(sub));

	/*
	 * The entry (or lv_x86_cpuid_none) the last lookup found for this
	 * leaf and subleaf: a guest asks the same leaf again and again. Only
	 * an exact key: an entry found for one subleaf need not be the first
	 * match for another.
	 */
	if (__builtin_expect(leaf != x->cpuid_leaf || sub != x->cpuid_sub, 0))
		e = lv_x86_cpuid_lookup(x, leaf, sub);
	if (lv_x86_cpuid_exit(v, e, leaf, sub, r, &v->exit)) {
		x->pending = LV_X86_PEND_CPUID;
		return LV_X86_CALLER;
	}
	x->regs.rax = r[0];
	x->regs.rbx = r[1];
	x->regs.rcx = r[2];
	x->regs.rdx = r[3];
	vd->skip(x, x->insn_len);
	return LV_X86_GUEST;
}

/*
 * Port IO: an LV_EXIT_IO for the caller. RIP moves past the instruction
 * now, as on KVM; an IN's data goes to RAX when the next run completes it.
 */
static inline __attribute__((always_inline)) int lv_x86_io_insn(struct lv_vcpu *v,
								struct lv_x86_vcpu *x,
								const struct lv_x86_vendor *vd)
{
	/* LV_VM_IRQCHIP: the PICs' and the PIT's ports are the layer's (x86_pic.h). */
	if (__builtin_expect(x->events.apic, 0) && lv_x86_pio_insn(v)) {
		vd->skip(x, x->insn_len);
		return LV_X86_GUEST;
	}
	lv_exit_set_pio(&v->exit, x->io_port, x->io_size, !x->io_in, x->regs.rax, x->io_buf,
			sizeof(x->io_buf));
	vd->skip(x, x->insn_len);
	x->pending = x->io_in ? LV_X86_PEND_IO_IN : LV_X86_PEND_NONE;
	return LV_X86_CALLER;
}

/*
 * lv_backend_ops.run_api of a raw backend, with the vendor's hooks @p vd (a
 * constant): lv_vcpu_run() after its argument checks.
 */
static inline __attribute__((always_inline)) int lv_x86_run_with(struct lv_vcpu *v,
								 struct lv_exit **exit,
								 const struct lv_x86_vendor *vd)
{
	struct lv_x86_vcpu *x = lv_x86_of(v);
	int act, r = LV_OK;

	if (__builtin_expect(!lv_run_begin(v), 0))
		return LV_ERR_BUSY;
	/*
	 * The record's address now, while @p exit is still in a register
	 * (it would be spilled across the entry stubs); lv_run_end() puts
	 * NULL there on an error.
	 */
	*exit = &v->exit;
	if (vd->load) {
		r = vd->load(x);
		if (r)
			goto out;
	}
	if (x->pending == LV_X86_PEND_CPUID) {
		/* The hot completion inline: the caller's CPUID answer. */
		x->pending = LV_X86_PEND_NONE;
		x->regs.rax = v->exit.cpuid.eax;
		x->regs.rbx = v->exit.cpuid.ebx;
		x->regs.rcx = v->exit.cpuid.ecx;
		x->regs.rdx = v->exit.cpuid.edx;
		vd->skip(x, x->insn_len);
	} else if (x->pending && lv_x86_complete(v) == LV_X86_CALLER) {
		goto done;
	}
	/*
	 * The vCPU is x->vcpu from here on: x stays in a register the entry
	 * stubs preserve, v would be a spill and a reload per entry.
	 */
	for (;;) {
		r = vd->enter(x);
		if (__builtin_expect(r != LV_X86_ENTERED, 0)) {
			if (r == LV_X86_KICKED && lv_x86_kicked(x->vcpu) == LV_X86_GUEST)
				continue; /* the layer's own work was done (x86_apic.h) */
			if (r == LV_X86_KICKED || r == LV_X86_FAILED)
				r = LV_OK;
			goto done;
		}
		act = vd->exit(x);
		if (act == LV_X86_CPUID)
			act = lv_x86_cpuid_insn(x, vd);
		else if (act == LV_X86_IO)
			act = lv_x86_io_insn(x->vcpu, x, vd);
		else if (act == LV_X86_HLT) {
			vd->skip(x, x->insn_len);
			x->vcpu->exit.reason = LV_EXIT_HLT;
			act = LV_X86_CALLER;
			/* With a local APIC, HLT waits inside the run (x86_apic.h). */
			if (__builtin_expect(x->events.apic, 0))
				act = lv_x86_apic_hlt(x->vcpu);
		} else if (act > LV_X86_CALLER)
			act = lv_x86_dispatch(x->vcpu, act);
		if (act == LV_X86_CALLER)
			break;
	}
	/*
	 * An exit for the caller (*exit set above): its own return, without
	 * lv_run_end()'s status test (clang threaded the loop's exits through
	 * both).
	 */
	if (vd->done)
		vd->done(x);
	lv_run_exit(x->vcpu);
	return LV_OK;
done:
	if (vd->done)
		vd->done(x);
out:
	return lv_run_end(x->vcpu, r, exit);
}

#endif /* LV_X86_RUN_H */
