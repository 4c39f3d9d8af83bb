; SPDX-License-Identifier: MIT
; picirq: the 8259 PICs as the firmware leaves them for a Multiboot kernel.
; Without reprogramming them (only the masks, OCW1: every line closed but
; IRQ 11 and the cascade), the guest raises IRQ 11 through pc-testdev's
; port 0x200b with IF = 1 and reports the vector it arrives on: 0x73, the
; slave's base 0x70 plus 3, under QEMU (SeaBIOS programs the PICs) and
; under vcpu-run (its boot code does, examples/vmm/pic_boot.c). The
; handler lowers the line before its EOIs, so a level-triggered input
; (SeaBIOS makes IRQ 11 one) does not fire again. Exits with 0x14
; (process status 41).

%define IRQ11_PORT	0x200b	; pc-testdev: the level of interrupt line 11
%define VECTOR		0x73

bits 32

%include "lib.inc"

	multiboot_header

	guest_start
	mov	al, 0xfb		; OCW1 master: only IR2 (the slave) open
	out	0x21, al
	mov	al, 0xf7		; OCW1 slave: only IR3 (IRQ 11) open
	out	0xa1, al
	mov	edi, idt		; every vector: "stray"; VECTOR: "handler"
	mov	ecx, 256
.gate:	mov	eax, stray
	cmp	ecx, 256 - VECTOR
	jne	.set
	mov	eax, handler
.set:	call	set_gate
	add	edi, 8
	loop	.gate
	lidt	[idtr]
	sti
	mov	dx, IRQ11_PORT
	mov	al, 1
	out	dx, al
	mov	ecx, 10000000
.wait:	cmp	dword [count], 0
	jne	.got
	cmp	dword [strays], 0
	jne	.got
	pause
	loop	.wait
.got:	cli
	mov	esi, msg_vector
	call	puts
	mov	eax, [count]
	call	putdec
	mov	esi, msg_stray
	call	puts
	mov	eax, [strays]
	call	putdec
	mov	al, 10
	call	putc
	mov	al, 0x14
	jmp	exit_with

handler:
	push	eax
	push	edx
	mov	dx, IRQ11_PORT		; lower the line, then EOI slave and master
	xor	al, al
	out	dx, al
	mov	al, 0x20
	out	0xa0, al
	out	0x20, al
	inc	dword [count]
	pop	edx
	pop	eax
	iretd

stray:
	push	eax
	push	edx
	mov	dx, IRQ11_PORT
	xor	al, al
	out	dx, al
	inc	dword [strays]
	pop	edx
	pop	eax
	iretd

	idt_256

section .rodata
msg_hello:	db "8259 PIC guest", 10, 0
msg_vector:	db "irq 11 on vector 0x73: ", 0
msg_stray:	db ", on any other vector: ", 0

section .bss
align 16
count:		resd 1
strays:		resd 1
stack:		resb 4096
stack_top:
