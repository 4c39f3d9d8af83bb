; SPDX-License-Identifier: MIT
; String instructions on MMIO, 32-bit: REP MOVSD RAM -> MMIO (3 writes),
; REP MOVSB MMIO -> RAM (2 reads), STOSW to MMIO (1 write).
	bits 32
	org 0x8000
%include "common.inc"
	cld
	mov esi, src
	mov edi, MMIO + 0x300
	mov ecx, 3
	rep movsd
	mov esi, MMIO + 0x400
	mov edi, DATA
	mov ecx, 2
	rep movsb
	mov edi, MMIO + 0x500
	mov ax, 0xbeef
	stosw
	hlt
src:	dd 0x11111111, 0x22222222, 0x33333333
