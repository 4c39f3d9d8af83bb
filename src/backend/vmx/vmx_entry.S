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
#define G_RAX 0
#define G_RBX 8
#define G_RCX 16
#define G_RDX 24
#define G_RSI 32
#define G_RDI 40
#define G_RBP 56
#define G_R8 64
#define G_R9 72
#define G_R10 80
#define G_R11 88
#define G_R12 96
#define G_R13 104
#define G_R14 112
#define G_R15 120
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
	movq	G_RAX(%rdi), %rax
	movq	G_RBX(%rdi), %rbx
	movq	G_RCX(%rdi), %rcx
	movq	G_RDX(%rdi), %rdx
	movq	G_RSI(%rdi), %rsi
	movq	G_RBP(%rdi), %rbp
	movq	G_R8(%rdi), %r8
	movq	G_R9(%rdi), %r9
	movq	G_R10(%rdi), %r10
	movq	G_R11(%rdi), %r11
	movq	G_R12(%rdi), %r12
	movq	G_R13(%rdi), %r13
	movq	G_R14(%rdi), %r14
	movq	G_R15(%rdi), %r15
	movq	G_RDI(%rdi), %rdi
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
	ret
	.size	lv_vmx_enter_guest, . - lv_vmx_enter_guest

	.globl	lv_vmx_exit_point
	.type	lv_vmx_exit_point, @function
lv_vmx_exit_point:
	xchgq	%rdi, (%rsp)		/* rdi = g; the guest's rdi takes its stack slot */
	movq	%rax, G_RAX(%rdi)
	movq	%rbx, G_RBX(%rdi)
	movq	%rcx, G_RCX(%rdi)
	movq	%rdx, G_RDX(%rdi)
	movq	%rsi, G_RSI(%rdi)
	movq	%rbp, G_RBP(%rdi)
	movq	%r8, G_R8(%rdi)
	movq	%r9, G_R9(%rdi)
	movq	%r10, G_R10(%rdi)
	movq	%r11, G_R11(%rdi)
	movq	%r12, G_R12(%rdi)
	movq	%r13, G_R13(%rdi)
	movq	%r14, G_R14(%rdi)
	movq	%r15, G_R15(%rdi)
	popq	G_RDI(%rdi)
	movq	%cr2, %rax
	movq	%rax, G_CR2(%rdi)
	movq	$1, G_LAUNCHED(%rdi)
	popq	%rbp
	xorl	%eax, %eax
	ret
	.size	lv_vmx_exit_point, . - lv_vmx_exit_point

	.section .note.GNU-stack, "", @progbits
