; SPDX-License-Identifier: MIT
; echo: the console's input side. Reads COM1 by its "received data"
; interrupt through the IOAPIC (pin 4, vector 0x24; the 8259s masked) and
; echoes every byte, lower-case letters turned upper-case, until a '.'
; arrives; then prints how many bytes came and exits with 0x16 (process
; status 45). It waits in HLT between interrupts, so a byte reaches it only
; as an interrupt. The UART stays in its reset mode (no FIFO, one byte in
; the receive buffer: UART_KEEP_RX), so no byte is lost however early the
; input comes. Needs an interrupt controller (vcpu-run --irqchip).

%define UART_KEEP_RX
%define UART_RBR	0
%define UART_IIR	2
%define LSR_DR		0x01
%define APIC_EOI	0xfee000b0
%define VECTOR		0x24
%define RING		256	; a power of two

bits 32

%include "lib.inc"

	multiboot_header

	guest_start
	com1_irq_ioapic handler, VECTOR
	mov	dx, COM1 + UART_IER
	mov	al, 1			; "received data" interrupt on
	out	dx, al
	mov	esi, msg_ready
	call	puts
.next:	cli
	mov	eax, [tail]
	cmp	eax, [head]
	jne	.byte
	sti				; STI's shadow: no interrupt between it and HLT
	hlt
	jmp	.next
.byte:	sti
	mov	ebx, eax
	mov	al, [ring + ebx]
	inc	ebx
	and	ebx, RING - 1
	mov	[tail], ebx
	inc	dword [total]
	cmp	al, '.'
	je	.done
	cmp	al, 'a'
	jb	.put
	cmp	al, 'z'
	ja	.put
	sub	al, 'a' - 'A'
.put:	call	putc
	jmp	.next
.done:	cli
	mov	dx, COM1 + UART_IER
	xor	al, al
	out	dx, al
	mov	esi, msg_total
	call	puts
	mov	eax, [total]
	call	putdec
	mov	al, 10
	call	putc
	mov	al, 0x16
	jmp	exit_with

; Every byte the UART holds into the ring (a full ring drops the byte), then EOI.
handler:
	push	eax
	push	ebx
	push	edx
.more:	mov	dx, COM1 + UART_LSR
	in	al, dx
	test	al, LSR_DR
	jz	.eoi
	mov	dx, COM1 + UART_RBR
	in	al, dx
	mov	ebx, [head]
	mov	[ring + ebx], al
	inc	ebx
	and	ebx, RING - 1
	cmp	ebx, [tail]
	je	.more
	mov	[head], ebx
	jmp	.more
.eoi:	mov	dword [APIC_EOI], 0
	pop	edx
	pop	ebx
	pop	eax
	iretd

	idt_256

section .rodata
msg_hello:	db "echo guest: type, '.' ends", 10, 0
msg_ready:	db "ready", 10, 0
msg_total:	db 10, "bytes read: ", 0

section .bss
align 16
head:		resd 1
tail:		resd 1
total:		resd 1
ring:		resb RING
stack:		resb 4096
stack_top:
