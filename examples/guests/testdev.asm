; SPDX-License-Identifier: MIT
; testdev: QEMU's pc-testdev as kvm-unit-tests use it. The 32-bit register
; at ports 0xe0-0xe3 keeps what is written (byte, word and dword accesses),
; and so do the 64 KiB of MMIO at 0xff000000. Prints what it reads back,
; then exits through isa-debug-exit with 0x12 (process status 37).

%define TESTDEV_IO	0xe0
%define TESTDEV_MEM	0xff000000

bits 32

%include "lib.inc"

	multiboot_header

	guest_start
	mov	esi, msg_io
	call	puts
	mov	eax, 0x12345678
	out	TESTDEV_IO, eax
	in	eax, TESTDEV_IO
	call	puthex
	mov	al, 0xab
	out	TESTDEV_IO + 1, al
	in	eax, TESTDEV_IO
	mov	al, ' '
	call	putc
	in	eax, TESTDEV_IO
	call	puthex
	mov	ax, 0xcdef
	out	TESTDEV_IO + 2, ax
	mov	al, ' '
	call	putc
	in	eax, TESTDEV_IO
	call	puthex
	mov	al, 10
	call	putc

	mov	esi, msg_mem
	call	puts
	mov	dword [TESTDEV_MEM + 0x100], 0xdeadbeef
	mov	byte [TESTDEV_MEM + 0x101], 0x42
	mov	eax, [TESTDEV_MEM + 0x100]
	call	puthex
	mov	al, ' '
	call	putc
	mov	eax, [TESTDEV_MEM + 0xfffc]
	call	puthex
	mov	al, 10
	call	putc
	mov	al, 0x12
	jmp	exit_with

section .rodata
msg_hello:	db "pc-testdev guest", 10, 0
msg_io:		db "pc-testdev io: ", 0
msg_mem:	db "pc-testdev iomem: ", 0

section .bss
align 16
stack:		resb 4096
stack_top:
