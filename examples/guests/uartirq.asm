; SPDX-License-Identifier: MIT
; uartirq: the 16550's interrupt through the IOAPIC. Masks both 8259s,
; enables the local APIC, routes IOAPIC pin 4 (COM1) to vector 0x24, then
; sets IER's "THR empty" bit with IF = 1: the UART interrupts at once (THR
; is empty). The handler reads IIR (which acknowledges it), turns the
; interrupt off again and EOIs; the guest prints the IIR value it saw and
; how many interrupts came, then exits with 0x13 (process status 39).

%define APIC_EOI	0xfee000b0
%define VECTOR		0x24

bits 32

%include "lib.inc"

	multiboot_header

	guest_start
	com1_irq_ioapic handler, VECTOR
	sti
	mov	dx, COM1 + UART_IER
	mov	al, 2			; "THR empty" interrupt on
	out	dx, al
	mov	ecx, 10000000
.wait:	cmp	dword [count], 0
	jne	.got
	pause
	loop	.wait
.got:	cli
	mov	esi, msg_iir
	call	puts
	mov	al, [iir]
	call	puthex8
	mov	esi, msg_count
	call	puts
	mov	eax, [count]
	call	putdec
	mov	al, 10
	call	putc
	mov	al, 0x13
	jmp	exit_with

handler:
	push	eax
	push	edx
	mov	dx, COM1 + UART_FCR	; IIR on reads
	in	al, dx
	mov	[iir], al
	mov	dx, COM1 + UART_IER
	xor	al, al
	out	dx, al
	inc	dword [count]
	mov	dword [APIC_EOI], 0
	pop	edx
	pop	eax
	iretd

	idt_256

section .rodata
msg_hello:	db "uart interrupt guest", 10, 0
msg_iir:	db "iir in the handler: ", 0
msg_count:	db ", interrupts: ", 0

section .bss
align 16
iir:		resb 4
count:		resd 1
stack:		resb 4096
stack_top:
