; SPDX-License-Identifier: MIT
; mmio: a Multiboot guest that talks to memory-mapped devices. It reads and
; writes the I/O APIC at 0xFEC00000 (IOREGSEL at +0x00, IOWIN at +0x10;
; 32-bit accesses only), including a read-modify-write instruction, then
; reads and writes guest-physical memory where nothing is mapped (reads give
; 0, writes are dropped) and a port nothing decodes (reads give all ones),
; and exits with 0x12 (process status 37).

%define IOAPIC		0xfec00000
%define IOREGSEL	IOAPIC + 0x00
%define IOWIN		IOAPIC + 0x10
%define UNASSIGNED	0xe0000000
%define UNASSIGNED_PORT	0x6f0

bits 32

%include "lib.inc"

	multiboot_header

	guest_start

	; ID, version and arbitration registers.
	xor	ebx, ebx
.regs:
	mov	[IOREGSEL], ebx
	mov	esi, [reg_names + ebx * 4]
	call	puts
	mov	eax, [IOWIN]
	call	print_hex_line
	inc	ebx
	cmp	ebx, 3
	jb	.regs

	mov	esi, msg_regsel
	call	puts
	mov	eax, [IOREGSEL]
	call	print_hex_line

	; Redirection entry 2: reset value, then write both halves.
	mov	dword [IOREGSEL], 0x14
	mov	esi, msg_redir_reset
	call	puts
	mov	eax, [IOWIN]
	call	print_hex_line
	mov	dword [IOWIN], 0x00018031	; masked, level, vector 0x31
	or	dword [IOWIN], 0x00000800	; read-modify-write: logical destination
	mov	dword [IOREGSEL], 0x15
	mov	dword [IOWIN], 0x0f000000	; destination 0x0f
	mov	dword [IOREGSEL], 0x14
	mov	esi, msg_redir_low
	call	puts
	mov	eax, [IOWIN]
	call	print_hex_line
	mov	dword [IOREGSEL], 0x15
	mov	esi, msg_redir_high
	call	puts
	mov	eax, [IOWIN]
	call	print_hex_line

	; Nothing is mapped here.
	mov	esi, msg_unassigned
	call	puts
	mov	eax, [UNASSIGNED]
	call	print_hex_line
	mov	dword [UNASSIGNED], 0x12345678
	mov	esi, msg_after_write
	call	puts
	mov	eax, [UNASSIGNED]
	call	print_hex_line
	mov	esi, msg_narrow
	call	puts
	movzx	eax, byte [UNASSIGNED + 1]
	movzx	ecx, word [UNASSIGNED + 2]
	add	eax, ecx
	call	print_hex_line

	; A port nothing decodes (for comparison with the MMIO case).
	mov	esi, msg_port
	call	puts
	mov	dx, UNASSIGNED_PORT
	in	eax, dx
	call	print_hex_line

	mov	esi, msg_bye
	call	puts
	mov	al, 0x12
	call	exit_with

print_hex_line:
	push	eax
	mov	al, '0'
	call	putc
	mov	al, 'x'
	call	putc
	pop	eax
	call	puthex
	mov	al, 10
	jmp	putc

section .rodata
align 4
reg_names:	dd msg_id, msg_version, msg_arb
msg_hello:	db "Hello from the MMIO guest!", 10, 0
msg_id:		db "ioapic id register:       ", 0
msg_version:	db "ioapic version register:  ", 0
msg_arb:	db "ioapic arbitration:       ", 0
msg_regsel:	db "ioapic IOREGSEL readback: ", 0
msg_redir_reset: db "redirection 2 after reset: ", 0
msg_redir_low:	db "redirection 2 low:        ", 0
msg_redir_high:	db "redirection 2 high:       ", 0
msg_unassigned:	db "unassigned read:          ", 0
msg_after_write: db "unassigned after write:   ", 0
msg_narrow:	db "unassigned narrow reads:  ", 0
msg_port:	db "unassigned port read:     ", 0
msg_bye:	db "bye", 10, 0

section .bss
align 16
stack:		resb 4096
stack_top:
