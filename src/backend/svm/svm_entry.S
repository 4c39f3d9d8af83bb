/* SPDX-License-Identifier: MIT */
/*
 * VMRUN entry/exit stub (APM Vol. 2, 15.5 "VMRUN Instruction", 15.6
 * "#VMEXIT", 15.5.2 "VMSAVE and VMLOAD").
 *
 * lv_svm_vmrun: RDI = guest VMCB PA, RSI = struct lv_regs *, RDX = host save area PA.
 * Not a C function: it preserves only RBP and RSP and clobbers every other
 * GPR; C calls it through svm_vmrun() in svm_priv.h, whose inline asm
 * names the clobbers, so the caller's own prologue saves what it needs
 * (cheaper than saving the callee-saved registers here again).
 *
 * Called with GIF already cleared by the caller (CLGI), which also checked
 * the kick flag after CLGI, so no interrupt can slip in between. VMRUN
 * saves and #VMEXIT restores the host's RAX, RSP, RIP, RFLAGS, CRs, EFER,
 * GDTR/IDTR and CS/SS/DS/ES; everything else is ours:
 *   - host GPRs: RBP pushed here, the rest declared clobbered by the caller;
 *   - host FS/GS/TR/LDTR hidden state, KernelGsBase, STAR/LSTAR/CSTAR/SFMASK,
 *     SYSENTER_*: VMSAVE to host_save_pa before, VMLOAD after;
 *   - the same guest state: VMLOAD from the guest VMCB before, VMSAVE after;
 *   - guest RBX..R15 (not RAX/RSP, which live in the VMCB): loaded from and
 *     stored to *regs (struct lv_regs offsets: x86_regs.inc, asserted in x86_vcpu.h).
 * The caller executes STGI afterwards.
 */

#include "../x86/x86_regs.inc"

	.text
	.code64
	.globl lv_svm_vmrun
	.type lv_svm_vmrun, @function
lv_svm_vmrun:
	pushq	%rbp
	pushq	%rdi		/* 16(%rsp): guest VMCB PA */
	pushq	%rsi		/* 8(%rsp): regs */
	pushq	%rdx		/* 0(%rsp): host save area PA */

	movq	%rdx, %rax
	vmsave
	movq	%rdi, %rax
	vmload

	lv_gprs_load rsi, rax
	movq	lv_r_rsi(%rsi), %rsi

	vmrun			/* RAX = guest VMCB PA; #VMEXIT restores host RAX and RSP */

	pushq	%rsi		/* guest RSI; now 16(%rsp) = regs, 24(%rsp) = VMCB PA */
	movq	16(%rsp), %rsi
	lv_gprs_store rsi, rax
	popq	lv_r_rsi(%rsi)

	/* RAX still holds the guest VMCB PA (restored host RAX). */
	vmsave
	popq	%rax		/* host save area PA */
	vmload
	addq	$16, %rsp
	popq	%rbp
	lv_ret
	.size lv_svm_vmrun, . - lv_svm_vmrun

	.section .note.GNU-stack, "", @progbits
