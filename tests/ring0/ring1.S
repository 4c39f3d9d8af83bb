/* SPDX-License-Identifier: MIT */
/*
 * ring1_in_probe(rsp1): the case host_tr's probe. Runs `in $port, %al`
 * at CPL 1 with IOPL 0, where the processor consults the TSS's I/O
 * permission bitmap (SDM Vol. 1, 19.5.2): the IN goes through only if TR's
 * limit covers the bitmap, else it raises #GP. Returns 1 when the IN went
 * through, 0 when it faulted. The caller has pointed IDT gates 13 (#GP)
 * and 0x81 (the way back, DPL 1) at ring1_back, set TSS.RSP0 to a stack,
 * and passes the ring-1 stack top in %rdi, the code selector in %esi
 * (data is +8) and the port in %edx.
 */
	.text
	.code64
	.globl	ring1_in_probe
	.globl	ring1_back
ring1_in_probe:
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%ss, %ax
	mov	%ax, ring1_ss(%rip)
	mov	%rsp, ring1_rsp(%rip)
	xor	%ebx, %ebx
	lea	8(%rsi), %eax	/* SS: the DPL-1 data selector, RPL 1 */
	push	%rax
	push	%rdi		/* RSP */
	push	$2		/* RFLAGS: IF = 0, IOPL = 0 */
	push	%rsi		/* CS, RPL 1 */
	lea	1f(%rip), %rax
	push	%rax		/* RIP */
	iretq
1:	in	%dx, %al	/* CPL 1 */
	mov	$1, %ebx
	int	$0x81
ring1_back:			/* CPL 0 again, on TSS.RSP0: drop that frame */
	mov	ring1_ss(%rip), %ax
	mov	%ax, %ss
	mov	ring1_rsp(%rip), %rsp
	mov	%rbx, %rax
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret

	.data
ring1_rsp:	.quad 0
ring1_ss:	.word 0
	.section .note.GNU-stack, "", @progbits
