; SPDX-License-Identifier: MIT
; Handlers for an injected #GP (error code echoed) and an injected NMI,
; 64-bit. The host injects at the OUT to port 0x61.
	bits 64
	org 0x8000
%include "common.inc"
	set_gate64 13, gp_handler
	set_gate64 2, nmi_handler
	lidt [idtr]
	mov al, 1
	out 0x61, al
	mov al, 2
	out 0x62, al
	hlt
gp_handler:
	pop rax			; error code
	out 0x64, eax
	iretq
nmi_handler:
	push rax
	mov al, 0x65
	out 0x65, al
	pop rax
	iretq
idtr:	dw 32 * 16 - 1
	dq IDT_BASE
