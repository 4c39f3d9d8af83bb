/* SPDX-License-Identifier: MIT */
/*
 * VM entry and exit for the VMX backend (Intel SDM Vol. 3, 26 and 28).
 *
 * lv_vmx_enter_guest: g in RDI, result in EAX; not a C function. It keeps only
 *   RBP and RSP: every other GPR is clobbered, and the caller (the inline
 *   asm in lv_vmx_run.c) declares that, so the compiler saves only what is
 *   live instead of the stub saving every callee-saved register.
 *   Saves RBP, stores RSP into HOST_RSP, loads
 *   the guest's GPRs and CR2 from *g, and executes VMLAUNCH (g->launched
 *   = 0) or VMRESUME; the exit stub sets g->launched. A VM exit lands in
 *   lv_vmx_exit_point (HOST_RIP) with RSP = HOST_RSP, saves the guest's GPRs
 *   and CR2 into *g, restores the host's and returns 0 (VMX_OK). When the instruction itself fails it returns
 *   1 (VMfailInvalid: CF = 1) or 2 (VMfailValid: ZF = 1, error number in
 *   the VM-instruction error field).
 *
 * g is the shared struct lv_x86_vcpu: struct lv_regs first, then CR2 and
 * the launched flag (offsets asserted in x86_vcpu.h).
 */
#include "../x86/x86_regs.inc"

#define G_CR2 144
#define G_LAUNCHED 152
#define VMCS_HOST_RSP 0x6c14

	.text
	.globl	lv_vmx_enter_guest
	.type	lv_vmx_enter_guest, @function
lv_vmx_enter_guest:
	pushq	%rbp
	pushq	%rdi			/* the exit stub finds g at 0(%rsp) */
	movl	$VMCS_HOST_RSP, %eax
	vmwrite	%rsp, %rax
	movq	G_CR2(%rdi), %rax
	movq	%rax, %cr2
	cmpq	$0, G_LAUNCHED(%rdi)	/* MOVs below keep the flags */
	lv_gprs_load rdi, rsp
	movq	lv_r_rdi(%rdi), %rdi
	jnz	1f
	vmlaunch
	jmp	2f
1:	vmresume
2:	/* Only reached when VMLAUNCH/VMRESUME failed (31.2). */
	movl	$2, %eax		/* VMfailValid (ZF) */
	movl	$1, %ecx
	cmovcl	%ecx, %eax		/* VMfailInvalid (CF) */
	popq	%rdi
	popq	%rbp
	lv_ret
	.size	lv_vmx_enter_guest, . - lv_vmx_enter_guest

	.globl	lv_vmx_exit_point
	.type	lv_vmx_exit_point, @function
lv_vmx_exit_point:
	xchgq	%rdi, (%rsp)		/* rdi = g; the guest's rdi takes its stack slot */
	lv_gprs_store rdi, rsp
	popq	lv_r_rdi(%rdi)
	movq	%cr2, %rax
	movq	%rax, G_CR2(%rdi)
	movq	$1, G_LAUNCHED(%rdi)
	popq	%rbp
	xorl	%eax, %eax
	lv_ret
	.size	lv_vmx_exit_point, . - lv_vmx_exit_point

	.section .note.GNU-stack, "", @progbits
