; SPDX-License-Identifier: MIT
; The host fails an RDMSR exit: the guest takes #GP(0) through its IDT, 64-bit.
	bits 64
	org 0x8000
%include "common.inc"
	set_gate64 13, gp_handler
	lidt [idtr]
	mov ecx, 0x174
	rdmsr
	mov al, 2
	out 0x62, al
	hlt
gp_handler:
	gp_skip2
idtr:	dw 32 * 16 - 1
	dq IDT_BASE
