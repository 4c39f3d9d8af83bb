/* SPDX-License-Identifier: MIT */
/*
 * KVM backend: vCPU lifetime, kick, event injection, windows, CPUID and
 * debug controls. The run loop and exit decoding are in kvm_run.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvm_priv.h"

/* ---- CPUID ------------------------------------------------------------ */

static struct kvm_cpuid2 *cpuid_alloc(uint32_t nent)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));

	if (c)
		c->nent = nent;
	return c;
}

/* Put the vCPU's id into the APIC-id fields (CPUID.1:EBX[31:24], 0xB/0x1F:EDX). */
static void cpuid_set_apic_id(struct kvm_cpuid2 *c, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffffu) | (id << 24);
		else if (e->function == 0xb || e->function == 0x1f)
			e->edx = id;
	}
}

/*
 * CPUID.1:ECX[24] TSC-deadline: KVM's local APIC emulates the mode
 * (KVM_CAP_TSC_DEADLINE_TIMER), but KVM_GET_SUPPORTED_CPUID leaves the bit
 * to user space; with the in-kernel irqchip it is offered.
 */
static void cpuid_set_tsc_deadline(struct kvm_cpuid2 *c)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == 1)
			c->entries[i].ecx |= 1u << 24;
}

static int cpuid_apply(struct kvm_vcpu *kp, struct kvm_cpuid2 *c)
{
	if (ioctl(kp->fd, KVM_SET_CPUID2, c) < 0) {
		int e = errno;

		/* Linux 5.16+ refuses CPUID changes after the first KVM_RUN. */
		return (e == EINVAL && kp->has_run) ? LV_ERR_BUSY : lv_kvm_errno(e);
	}
	free(kp->cpuid);
	kp->cpuid = c;
	return LV_OK;
}

int lv_kvm_set_cpuid(struct lv_vcpu *vcpu, const struct lv_cpuid_entry *e, size_t n)
{
	struct kvm_vcpu *kp = vcpu->priv;
	const struct kvm_cpuid2 *base = kp->kb->cpuid;
	struct kvm_cpuid2 *c;
	size_t i;
	uint32_t j, nent;
	int rc;

	c = cpuid_alloc(base->nent + (uint32_t)n);
	if (!c)
		return LV_ERR_NOMEM;
	memcpy(c->entries, base->entries, base->nent * sizeof(c->entries[0]));
	nent = base->nent;
	cpuid_set_apic_id(c, vcpu->id);
	if (kp->kv->irqchip && kp->kb->has_tsc_deadline)
		cpuid_set_tsc_deadline(c);
	for (i = 0; i < n; i++) {
		struct kvm_cpuid_entry2 *d = NULL;

		for (j = 0; j < nent; j++) {
			struct kvm_cpuid_entry2 *x = &c->entries[j];

			if (x->function != e[i].leaf)
				continue;
			if ((e[i].flags & LV_CPUID_SUBLEAF) && x->index != e[i].subleaf)
				continue;
			d = x;
			if (!(e[i].flags & LV_CPUID_SUBLEAF))
				x->flags &= ~(uint32_t)KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
			break;
		}
		if (!d) {
			d = &c->entries[nent++];
			memset(d, 0, sizeof(*d));
			d->function = e[i].leaf;
			d->index = e[i].subleaf;
			if (e[i].flags & LV_CPUID_SUBLEAF)
				d->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
		}
		d->eax = e[i].eax;
		d->ebx = e[i].ebx;
		d->ecx = e[i].ecx;
		d->edx = e[i].edx;
	}
	c->nent = nent;
	rc = cpuid_apply(kp, c);
	if (rc)
		free(c);
	return rc;
}

/* ---- lifetime --------------------------------------------------------- */

/* Bring a parked vCPU back to the RESET state (lv_state_init_reset()). */
static int vcpu_reset(struct lv_vcpu *vcpu, struct kvm_vcpu *kp)
{
	struct lv_state st;
	int rc;

	kp->complete = KVM_COMPLETE_NONE;
	kp->debug_flags = 0;
	kp->exc_vectors = 0;
	/*
	 * Let KVM finish an IO/MMIO/MSR exit the predecessor left open, without
	 * running the guest (api.rst: immediate_exit completes pending
	 * operations), so it cannot touch the state written below.
	 */
	if (kp->has_run) {
		__atomic_store_n(&kp->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		ioctl(kp->fd, KVM_RUN, 0);
	}
	__atomic_store_n(&kp->kick_pending, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&kp->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
	kp->run->request_interrupt_window = 0;
	if (kp->kb->has_guest_debug) {
		struct kvm_guest_debug d;

		memset(&d, 0, sizeof(d));
		if (ioctl(kp->fd, KVM_SET_GUEST_DEBUG, &d) < 0)
			return lv_kvm_errno(errno);
	}
	lv_state_init_reset(&st);
	st.ctrl.apic_base &= ~(1ull << 8); /* BSP only for vCPU 0 */
	if (vcpu->id == 0)
		st.ctrl.apic_base |= 1ull << 8;
	rc = lv_kvm_set_state(vcpu, LV_STATE_ALL, &st);
	if (rc)
		return rc;
	/* The default CPUID again; after a KVM_RUN the kernel keeps the old one. */
	rc = lv_kvm_set_cpuid(vcpu, NULL, 0);
	return rc == LV_ERR_BUSY ? LV_OK : rc;
}

static int vcpu_new(struct lv_vcpu *vcpu, struct kvm_vm *kv, struct kvm_backend *kb,
		    struct kvm_vcpu **out)
{
	struct kvm_vcpu *kp = calloc(1, sizeof(*kp));
	void *run;
	int rc;

	if (!kp)
		return LV_ERR_NOMEM;
	kp->kb = kb;
	kp->kv = kv;
	kp->xsave = calloc(1, kb->xsave_size);
	if (!kp->xsave) {
		free(kp);
		return LV_ERR_NOMEM;
	}
	kp->fd = ioctl(kv->vm_fd, KVM_CREATE_VCPU, (unsigned long)vcpu->id);
	if (kp->fd < 0) {
		rc = lv_kvm_errno(errno);
		goto fail_free;
	}
	run = mmap(NULL, kb->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, kp->fd, 0);
	if (run == MAP_FAILED) {
		rc = LV_ERR_NOMEM;
		goto fail_close;
	}
	kp->run = run;
	vcpu->priv = kp;
	/* The kernel's supported CPUID is the default policy. */
	rc = lv_kvm_set_cpuid(vcpu, NULL, 0);
	if (rc)
		goto fail_unmap;
	if (kb->has_sync_regs)
		kp->run->kvm_valid_regs = KVM_SYNC_X86_REGS;
	*out = kp;
	return LV_OK;

fail_unmap:
	munmap(run, kb->run_size);
fail_close:
	close(kp->fd);
fail_free:
	vcpu->priv = NULL;
	free(kp->cpuid);
	free(kp->xsave);
	free(kp);
	return rc;
}

int lv_kvm_vcpu_create(struct lv_vcpu *vcpu)
{
	struct kvm_vm *kv = vcpu->vm->priv;
	struct kvm_backend *kb = vcpu->vm->backend->priv;
	struct kvm_vcpu *kp = kv->vcpus[vcpu->id];
	int rc;

	if (kp) {
		vcpu->priv = kp;
		rc = vcpu_reset(vcpu, kp);
		if (rc) {
			vcpu->priv = NULL;
			return rc;
		}
	} else {
		rc = vcpu_new(vcpu, kv, kb, &kp);
		if (rc)
			return rc;
		kv->vcpus[vcpu->id] = kp;
	}
	vcpu->exit.reason = LV_EXIT_NONE;
	vcpu->exit.raw.backend = LV_BACKEND_KVM;
	return LV_OK;
}

/*
 * KVM cannot free one vCPU: park it (a late kick still finds valid memory)
 * until the VM goes, or until the id is created again.
 */
void lv_kvm_vcpu_destroy(struct lv_vcpu *vcpu)
{
	(void)vcpu;
}

void lv_kvm_vcpus_free(struct kvm_vm *kv)
{
	uint32_t i;

	for (i = 0; i < kv->max_vcpus; i++) {
		struct kvm_vcpu *kp = kv->vcpus[i];

		if (!kp)
			continue;
		munmap(kp->run, kp->kb->run_size);
		close(kp->fd);
		free(kp->cpuid);
		free(kp->xsave);
		free(kp);
		kv->vcpus[i] = NULL;
	}
}

/* ---- kick ------------------------------------------------------------- */

/*
 * Race-free kick (api.rst 5 "immediate_exit"): mark the kick, set
 * immediate_exit so a KVM_RUN that has not started yet returns -EINTR at
 * once, then signal the thread if it is inside run() so a KVM_RUN already
 * in the guest leaves it. Only async-signal-safe operations.
 *
 * Kicks that land before run() consumed the previous one collapse into it
 * and send no signal: that kick already signalled the thread or set
 * immediate_exit before the thread entered. This matters because the kick
 * signal is a real-time signal, which the kernel queues once per send: a
 * caller kicking in a loop would otherwise keep the vCPU thread busy
 * running the handler and it might never get out of KVM_RUN.
 */
int lv_kvm_kick(struct lv_vcpu *vcpu)
{
	struct kvm_vcpu *kp = vcpu->priv;

	if (__atomic_exchange_n(&kp->kick_pending, 1, __ATOMIC_SEQ_CST))
		return LV_OK;
	__atomic_store_n(&kp->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&kp->in_run, __ATOMIC_SEQ_CST)) {
		int32_t tid = __atomic_load_n(&kp->tid, __ATOMIC_SEQ_CST);

		if (tid > 0)
			syscall(SYS_tgkill, getpid(), tid, kp->kb->kick_signal);
	}
	return LV_OK;
}

/* ---- events ----------------------------------------------------------- */

int lv_kvm_inject(struct lv_vcpu *vcpu, const struct lv_event *ev)
{
	struct kvm_vcpu *kp = vcpu->priv;
	struct kvm_vcpu_events e;

	switch (ev->type) {
	case LV_EVENT_EXTINT: {
		/* No in-kernel irqchip: KVM_INTERRUPT queues the vector (api.rst 4.16). */
		if (kp->kv->irqchip)
			return LV_ERR_NOTSUP; /* interrupts come from the APICs */
		struct kvm_interrupt irq = { .irq = ev->vector };

		if (ioctl(kp->fd, KVM_INTERRUPT, &irq) < 0)
			return errno == EEXIST ? LV_ERR_BUSY : lv_kvm_errno(errno);
		return LV_OK;
	}
	case LV_EVENT_NMI:
		if (ioctl(kp->fd, KVM_GET_VCPU_EVENTS, &e) < 0)
			return lv_kvm_errno(errno);
		if (e.nmi.pending || e.nmi.injected)
			return LV_ERR_BUSY;
		if (ioctl(kp->fd, KVM_NMI, 0) < 0)
			return lv_kvm_errno(errno);
		return LV_OK;
	default:
		if (ioctl(kp->fd, KVM_GET_VCPU_EVENTS, &e) < 0)
			return lv_kvm_errno(errno);
		if (e.exception.injected || e.exception.pending)
			return LV_ERR_BUSY;
		e.exception.injected = 1;
		e.exception.nr = ev->vector;
		e.exception.has_error_code = ev->has_error_code;
		e.exception.error_code = ev->error_code;
		e.flags = 0;
		if (ioctl(kp->fd, KVM_SET_VCPU_EVENTS, &e) < 0)
			return lv_kvm_errno(errno);
		return LV_OK;
	}
}

int lv_kvm_request_window(struct lv_vcpu *vcpu, uint32_t mask)
{
	struct kvm_vcpu *kp = vcpu->priv;

	/* KVM has no NMI-window exit for user space; with an irqchip no IRQ window either. */
	if ((mask & LV_WINDOW_NMI) || ((mask & LV_WINDOW_IRQ) && kp->kv->irqchip))
		return LV_ERR_NOTSUP;
	kp->run->request_interrupt_window = (mask & LV_WINDOW_IRQ) ? 1 : 0;
	return LV_OK;
}

/* ---- debug ------------------------------------------------------------ */

static int guest_debug_apply(struct kvm_vcpu *kp, uint32_t flags, uint32_t vectors)
{
	struct kvm_guest_debug d;

	if (!kp->kb->has_guest_debug)
		return LV_ERR_NOTSUP;
	memset(&d, 0, sizeof(d));
	if (flags || vectors) {
		d.control = KVM_GUESTDBG_ENABLE;
		if (flags & LV_DEBUG_SINGLESTEP)
			d.control |= KVM_GUESTDBG_SINGLESTEP;
		if (vectors & (1u << 3))
			d.control |= KVM_GUESTDBG_USE_SW_BP;
		if (vectors & (1u << 1))
			d.control |= KVM_GUESTDBG_USE_HW_BP;
	}
	if (ioctl(kp->fd, KVM_SET_GUEST_DEBUG, &d) < 0)
		return lv_kvm_errno(errno);
	kp->debug_flags = flags;
	kp->exc_vectors = vectors;
	return LV_OK;
}

int lv_kvm_set_exception_exits(struct lv_vcpu *vcpu, uint32_t vectors)
{
	struct kvm_vcpu *kp = vcpu->priv;

	return guest_debug_apply(kp, kp->debug_flags, vectors);
}

int lv_kvm_set_debug(struct lv_vcpu *vcpu, uint32_t flags)
{
	struct kvm_vcpu *kp = vcpu->priv;

	return guest_debug_apply(kp, flags, kp->exc_vectors);
}
