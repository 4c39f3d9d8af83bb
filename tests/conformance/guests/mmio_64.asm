; SPDX-License-Identifier: MIT
; MMIO writes and reads of 1, 2, 4 and 8 bytes; read values stored to RAM.
	bits 64
	org 0x8000
%include "common.inc"
	mov byte [MMIO + 0x00], 0x11
	mov word [MMIO + 0x10], 0x2233
	mov dword [MMIO + 0x20], 0x44556677
	mov rax, 0x8899aabbccddeeff
	mov [MMIO + 0x30], rax
	mov al, [MMIO + 0x40]
	mov [DATA + 0x00], al
	mov ax, [MMIO + 0x50]
	mov [DATA + 0x08], ax
	mov eax, [MMIO + 0x60]
	mov [DATA + 0x10], eax
	mov rax, [MMIO + 0x70]
	mov [DATA + 0x18], rax
	hlt
