; SPDX-License-Identifier: MIT
; Report once, then spin forever (the host kicks), 64-bit.
	bits 64
	org 0x8000
	mov al, 1
	out 0x61, al
spin:	jmp spin
