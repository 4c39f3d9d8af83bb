; SPDX-License-Identifier: MIT
; INT3 (#BP) the host intercepts; it skips the instruction, 32-bit.
	bits 32
	org 0x8000
	int3
	mov al, 0x33
	out 0x70, al
	hlt
