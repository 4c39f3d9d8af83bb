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
 *     stored to *regs (struct lv_regs offsets, checked in svm_priv.h).
 * The caller executes STGI afterwards.
 */
#define R_RBX 8
#define R_RCX 16
#define R_RDX 24
#define R_RSI 32
#define R_RDI 40
#define R_RBP 56
#define R_R8 64
#define R_R9 72
#define R_R10 80
#define R_R11 88
#define R_R12 96
#define R_R13 104
#define R_R14 112
#define R_R15 120

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

	movq	R_RBX(%rsi), %rbx
	movq	R_RCX(%rsi), %rcx
	movq	R_RDX(%rsi), %rdx
	movq	R_RDI(%rsi), %rdi
	movq	R_RBP(%rsi), %rbp
	movq	R_R8(%rsi), %r8
	movq	R_R9(%rsi), %r9
	movq	R_R10(%rsi), %r10
	movq	R_R11(%rsi), %r11
	movq	R_R12(%rsi), %r12
	movq	R_R13(%rsi), %r13
	movq	R_R14(%rsi), %r14
	movq	R_R15(%rsi), %r15
	movq	R_RSI(%rsi), %rsi

	vmrun			/* RAX = guest VMCB PA; #VMEXIT restores host RAX and RSP */

	pushq	%rsi		/* guest RSI; now 16(%rsp) = regs, 24(%rsp) = VMCB PA */
	movq	16(%rsp), %rsi
	movq	%rbx, R_RBX(%rsi)
	movq	%rcx, R_RCX(%rsi)
	movq	%rdx, R_RDX(%rsi)
	movq	%rdi, R_RDI(%rsi)
	movq	%rbp, R_RBP(%rsi)
	movq	%r8, R_R8(%rsi)
	movq	%r9, R_R9(%rsi)
	movq	%r10, R_R10(%rsi)
	movq	%r11, R_R11(%rsi)
	movq	%r12, R_R12(%rsi)
	movq	%r13, R_R13(%rsi)
	movq	%r14, R_R14(%rsi)
	movq	%r15, R_R15(%rsi)
	popq	R_RSI(%rsi)

	/* RAX still holds the guest VMCB PA (restored host RAX). */
	vmsave
	popq	%rax		/* host save area PA */
	vmload
	addq	$16, %rsp
	popq	%rbp
	ret
	.size lv_svm_vmrun, . - lv_svm_vmrun

	.section .note.GNU-stack, "", @progbits
