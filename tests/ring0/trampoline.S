/* SPDX-License-Identifier: MIT */
/*
 * Application-processor trampoline (data to the kernel: smp.c copies it to
 * TRAMP_PA = 0x70000 and starts an AP there with INIT-SIPI-SIPI, vector
 * 0x70). Real mode -> protected mode -> long mode with the boot page tables,
 * then a jump to the 64-bit entry smp.c stored in tramp_entry with the
 * stack in tramp_stack (Intel SDM Vol. 3, 9.4.4 / 10.8.5).
 */
#include "long_mode.inc"

#define TRAMP_PA 0x70000
#define T(x) (TRAMP_PA + ((x) - tramp_start))

	.section .rodata
	.globl tramp_start, tramp_end, tramp_cr3, tramp_stack, tramp_entry
	.code16
tramp_start:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	lgdtl	(tgdt_ptr - tramp_start)
	movl	%cr0, %eax
	orl	$1, %eax
	movl	%eax, %cr0
	ljmpl	$0x08, $T(t32)

	.code32
t32:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	ENTER_LONG_MODE(T(tramp_cr3))
	ljmp	$0x18, $T(t64)

	.code64
t64:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movq	T(tramp_stack), %rsp
	movq	T(tramp_entry), %rax
	jmp	*%rax

	.balign 8
tgdt:
	.quad 0
	.quad 0x00cf9b000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf93000000ffff	/* 0x10: data */
	.quad 0x00af9b000000ffff	/* 0x18: 64-bit code */
tgdt_ptr:
	.short 31
	.long T(tgdt)
	.balign 8
tramp_cr3:
	.quad 0
tramp_stack:
	.quad 0
tramp_entry:
	.quad 0
tramp_end:

	.section .note.GNU-stack, "", @progbits
