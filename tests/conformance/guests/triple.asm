; SPDX-License-Identifier: MIT
; #UD with an empty IDT: #UD -> #GP -> #DF -> triple fault, 64-bit.
	bits 64
	org 0x8000
	lidt [idtr]
	ud2
idtr:	dw 0
	dq 0
