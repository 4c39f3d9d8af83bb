; SPDX-License-Identifier: MIT
; The interrupt window stays closed while IF = 0 and opens after STI,
; 32-bit. The guest spins after STI until the host sees the window.
	bits 32
	org 0x8000
	cli
	mov al, 1
	out 0x61, al
	mov ecx, 20
.wait:	loop .wait
	mov al, 3
	out 0x63, al
	sti
spin:	jmp spin
