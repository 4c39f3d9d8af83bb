/* SPDX-License-Identifier: MIT */
/*
 * VMRUN entry/exit stub (APM Vol. 2, 15.5 "VMRUN Instruction", 15.6
 * "#VMEXIT", 15.5.2 "VMSAVE and VMLOAD").
 *
 * lv_svm_vmrun: RSI = the shared vCPU (struct lv_x86_vcpu *: its struct
 * lv_regs at offset 0, the guest VMCB PA and the host save area PA at the
 * offsets below, asserted in x86_vcpu.h).
 * Not a C function: it preserves only RBP and RSP and clobbers every other
 * GPR; C calls it through svm_vmrun() in svm_priv.h, whose inline asm
 * names the clobbers, so the caller's own prologue saves what it needs
 * (cheaper than saving the callee-saved registers here again).
 *
 * Called with GIF already cleared by the caller (CLGI), which also checked
 * the request word after CLGI, so no interrupt can slip in between. VMRUN
 * saves and #VMEXIT restores the host's RAX, RSP, RIP, RFLAGS, CRs, EFER,
 * GDTR/IDTR and CS/SS/DS/ES; everything else is ours:
 *   - host GPRs: RBP pushed here, the rest declared clobbered by the caller;
 *   - host FS/GS/TR/LDTR hidden state, KernelGsBase, STAR/LSTAR/CSTAR/SFMASK,
 *     SYSENTER_*: VMSAVE to the host save area before, VMLOAD after;
 *   - the same guest state: VMLOAD from the guest VMCB before, VMSAVE after;
 *   - guest RBX..R15 (not RAX/RSP, which live in the VMCB): loaded from and
 *     stored to the vCPU's regs (struct lv_regs offsets: x86_regs.inc).
 * The caller executes STGI afterwards.
 */

#include "../x86/x86_regs.inc"

	.set X_VMCB_PA, 160	/* offsetof(struct lv_x86_vcpu, vmcb_pa) */
	.set X_HOST_SAVE_PA, 168	/* ... host_save_pa */

	.text
	.code64
	.globl lv_svm_vmrun
	.type lv_svm_vmrun, @function
lv_svm_vmrun:
	pushq	%rbp
	pushq	%rsi		/* 0(%rsp): the vCPU */

	movq	X_HOST_SAVE_PA(%rsi), %rax
	vmsave
	movq	X_VMCB_PA(%rsi), %rax
	vmload

	lv_gprs_load rsi, rax
	movq	lv_r_rsi(%rsi), %rsi

	vmrun			/* RAX = guest VMCB PA; #VMEXIT restores host RAX and RSP */

	xchgq	%rsi, (%rsp)	/* rsi = the vCPU; the guest's RSI takes its stack slot */
	lv_gprs_store rsi, rax
	popq	lv_r_rsi(%rsi)

	/* RAX still holds the guest VMCB PA (restored host RAX). */
	vmsave
	movq	X_HOST_SAVE_PA(%rsi), %rax
	vmload
	popq	%rbp
	lv_ret
	.size lv_svm_vmrun, . - lv_svm_vmrun

	.section .note.GNU-stack, "", @progbits
