; SPDX-License-Identifier: MIT
; UD2 (#UD) the host intercepts; it skips the instruction, 32-bit.
	bits 32
	org 0x8000
	ud2
	mov al, 0x33
	out 0x70, al
	hlt
