/* SPDX-License-Identifier: MIT */
/*
 * Boot stub of the ring-0 test kernel: Multiboot1 (with the a.out-kludge
 * address fields, so QEMU -kernel loads this ELF64) and Multiboot2 (GRUB,
 * used for Bochs) headers, then 32-bit entry -> identity-mapped long mode
 * -> kmain(). Linked at 1 MiB (link.ld); the headers are the first bytes of
 * the one loadable segment.
 */
#include "long_mode.inc"

#define MB1_MAGIC 0x1badb002
#define MB1_FLAGS 0x00010003 /* page-align modules, memory info, address fields (bit 16) */
#define MB2_MAGIC 0xe85250d6

	.section .multiboot, "a"
	.code32
	.balign 8
mb1_header:
	.long MB1_MAGIC
	.long MB1_FLAGS
	.long -(MB1_MAGIC + MB1_FLAGS)
	.long mb1_header	/* header_addr */
	.long __load_start	/* load_addr */
	.long __load_end	/* load_end_addr */
	.long __bss_end		/* bss_end_addr */
	.long _start		/* entry_addr */

	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long 0			/* i386 */
	.long mb2_end - mb2_header
	.long -(MB2_MAGIC + (mb2_end - mb2_header))
	/* entry address tag (type 3): start in 32-bit mode at _start */
	.short 3, 0
	.long 12
	.long _start
	.long 0			/* pad to 8 */
	/* end tag */
	.short 0, 0
	.long 8
mb2_end:

	.text
	.code32
	.globl _start
_start:
	cli
	cld
	movl	$boot_stack_top, %esp
	movl	%eax, mb_magic
	movl	%ebx, mb_info

	/* Zero .bss (page tables live there). */
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	xorl	%eax, %eax
	rep stosb

	/* Identity map 0..4 GiB with 2 MiB pages: PML4[0] -> PDPT, PDPT[0..3] -> 4 PDs. */
	movl	$boot_pdpt, %eax
	orl	$3, %eax
	movl	%eax, boot_pml4
	xorl	%ecx, %ecx
1:	movl	%ecx, %eax
	shll	$12, %eax
	addl	$boot_pd, %eax
	orl	$3, %eax
	movl	%eax, boot_pdpt(,%ecx,8)
	incl	%ecx
	cmpl	$4, %ecx
	jne	1b
	xorl	%ecx, %ecx
2:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$0x83, %eax		/* present, writable, 2 MiB */
	movl	%eax, boot_pd(,%ecx,8)
	movl	%ecx, %eax
	shrl	$11, %eax		/* high dword: (i << 21) >> 32 */
	movl	%eax, boot_pd+4(,%ecx,8)
	incl	%ecx
	cmpl	$2048, %ecx
	jne	2b

	ENTER_LONG_MODE($boot_pml4)
	lgdt	gdt_ptr
	ljmp	$0x08, $long_entry

	.code64
long_entry:
	movw	$0x10, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	xorw	%ax, %ax
	movw	%ax, %fs
	movw	%ax, %gs
	movq	$stack_top, %rsp
	xorl	%ebp, %ebp
	call	kmain
3:	cli
	hlt
	jmp	3b

	.section .rodata
	.balign 16
gdt:
	.quad 0
	.quad 0x00af9b000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad 0x00cf93000000ffff	/* 0x10: data */
	.quad 0x00cf9b000000ffff	/* 0x18: 32-bit code (unused) */
gdt_end:
	.globl gdt_ptr
gdt_ptr:
	.short gdt_end - gdt - 1
	.quad gdt

	.data
	.globl mb_magic, mb_info
mb_magic:
	.long 0
mb_info:
	.long 0

	.bss
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096
	.balign 16
boot_stack:
	.skip 4096
boot_stack_top:
	.balign 16
	.skip 65536
	.globl stack_top
stack_top:

	.section .note.GNU-stack, "", @progbits
