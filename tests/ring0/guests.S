/* SPDX-License-Identifier: MIT */
/*
 * Guest programs of the smoke cases (64-bit, CPL 0). They are data to the
 * test kernel: each lies between g_<name> and g_<name>_end and is copied
 * to guest-physical GUEST_CODE (0x10000) by guest.c, so only relative
 * jumps and absolute guest addresses are used.
 */
	.section .rodata
	.code64

#define GLOBAL(n) .globl n; n:

/* IO: OUT 0x42 to port 0x80, IN from 0x81, echo to 0x82 (16-bit), HLT. */
GLOBAL(g_io)
	movb	$0x42, %al
	outb	%al, $0x80
	inb	$0x81, %al
	movw	$0x1234, %bx
	movb	%al, %bl
	movw	%bx, %ax
	outw	%ax, $0x82
	movl	$0xdeadbeef, %eax
	movw	$0x84, %dx
	outl	%eax, %dx
	hlt
GLOBAL(g_io_end)

/* CPUID: exit leaf, override leaf, default leaf 1 ECX, each echoed by OUT 0x80. */
GLOBAL(g_cpuid)
	movl	$0x40000001, %eax
	cpuid
	outl	%eax, $0x80
	movl	%ebx, %eax
	outl	%eax, $0x80
	movl	$0x40000002, %eax
	cpuid
	outl	%eax, $0x80
	movl	$1, %eax
	xorl	%ecx, %ecx
	cpuid
	movl	%ecx, %eax
	outl	%eax, $0x80
	movl	$0x80000001, %eax
	cpuid
	movl	%ecx, %eax
	outl	%eax, $0x80
	hlt
GLOBAL(g_cpuid_end)

/* CPUID leaf 7 subleaves 0, 1, 0, 0, each EAX echoed by OUT 0x80 (the run loop's cache). */
GLOBAL(g_cpuid_cache)
	movl	$7, %eax
	xorl	%ecx, %ecx
	cpuid
	outl	%eax, $0x80
	movl	$7, %eax
	movl	$1, %ecx
	cpuid
	outl	%eax, $0x80
	movl	$7, %eax
	xorl	%ecx, %ecx
	cpuid
	outl	%eax, $0x80
	movl	$7, %eax
	xorl	%ecx, %ecx
	cpuid
	outl	%eax, $0x80
	hlt
GLOBAL(g_cpuid_cache_end)

/* MMIO at 0x200000 (no RAM there): 8-byte read, 4-byte write, MOVZX byte read, RMW OR. */
GLOBAL(g_mmio)
	movq	0x200000, %rax
	movl	%eax, 0x200008
	shrq	$32, %rax
	outl	%eax, $0x80
	movzbl	0x200010, %ecx
	movl	%ecx, %eax
	outl	%eax, $0x80
	orl	$0xf0, 0x200020
	hlt
GLOBAL(g_mmio_end)

/* Read-only RAM at 0x30000: a write exits as MMIO, the read sees RAM. */
GLOBAL(g_rom)
	movb	$0x77, 0x30000
	movzbl	0x30000, %eax
	outb	%al, $0x80
	hlt
GLOBAL(g_rom_end)

/* MSRs: unknown 0x1234 read, STAR read (filtered), EFER read (kept), WRMSR 0x1235. */
GLOBAL(g_msr)
	movl	$0x1234, %ecx
	rdmsr
	outl	%eax, $0x80
	movl	%edx, %eax
	outl	%eax, $0x80
	movl	$0xc0000081, %ecx
	rdmsr
	outl	%eax, $0x80
	movl	$0xc0000080, %ecx
	rdmsr
	outl	%eax, $0x80
	movl	$0x1235, %ecx
	movl	$0x11223344, %eax
	movl	$0x55667788, %edx
	wrmsr
	hlt
GLOBAL(g_msr_end)

/* Hypercall: VMMCALL with RAX = 0x99, RBX = 7. */
GLOBAL(g_vmmcall)
	movl	$0x99, %eax
	movl	$7, %ebx
	vmmcall
	outb	%al, $0x80
	hlt
GLOBAL(g_vmmcall_end)

/* UD2: an exception exit when intercepted; a triple fault without an IDT. */
GLOBAL(g_ud2)
	ud2
	hlt
GLOBAL(g_ud2_end)

/* Interrupt window: STI, then marker OUTs; the handler (g_irq_handler) echoes its vector. */
GLOBAL(g_irq)
	sti
	nop
	nop
	movb	$0x91, %al
	outb	%al, $0x91
	hlt
GLOBAL(g_irq_end)

GLOBAL(g_irq_handler)
	pushq	%rax
	movb	$0x30, %al
	outb	%al, $0x90
	popq	%rax
	iretq
GLOBAL(g_irq_handler_end)

/* Injected #GP with error code: the handler reports vector and error code. */
GLOBAL(g_exc_handler)
	popq	%rax		/* error code */
	outl	%eax, $0x92
	hlt
GLOBAL(g_exc_handler_end)

/* HLT loop used by the kick case. */
GLOBAL(g_hlt)
	hlt
	jmp	g_hlt
GLOBAL(g_hlt_end)

/* Spin loops for the timer kick cases: with RFLAGS.IF = 0, and with IF = 1. */
GLOBAL(g_spin)
1:	jmp	1b
GLOBAL(g_spin_end)

GLOBAL(g_spin_sti)
	sti
1:	jmp	1b
GLOBAL(g_spin_sti_end)

/* Dirty log and TLB flushes: write, write again, read, read after unmap (0x400000). */
GLOBAL(g_dirty)
	movb	$1, 0x400000
	outb	%al, $0x80
	movb	$2, 0x400000
	outb	%al, $0x80
	movb	0x401000, %al
	outb	%al, $0x80
	movb	0x400000, %al
	outb	%al, $0x81
	hlt
GLOBAL(g_dirty_end)

/* Benchmark: CPUID round trips forever. */
GLOBAL(g_bench)
1:	movl	$0x40000001, %eax
	cpuid
	jmp	1b
GLOBAL(g_bench_end)

	.section .note.GNU-stack, "", @progbits
