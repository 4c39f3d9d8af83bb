; SPDX-License-Identifier: MIT
; HLT, then go on after it, real mode.
	bits 16
	org 0x8000
	hlt
	mov al, 0x99
	out 0x70, al
	hlt
