; SPDX-License-Identifier: MIT
; The NMI window, 64-bit. The host injects an NMI at the OUT to port 0x61
; and asks for the NMI window inside the handler (OUT 0x65), where NMIs
; are blocked: the window must not open before the handler's IRET, and
; must open right after it, at "after_iret".
	bits 64
	org 0x8000
%include "common.inc"
	set_gate64 2, nmi_handler
	lidt [idtr]
	mov al, 1
	out 0x61, al
	jmp $			; the NMI arrives before this retires
nmi_handler:
	mov al, 0x65
	out 0x65, al
	nop
	nop
	mov al, 0x66
	out 0x66, al
	lea rax, [rel after_iret]
	mov [rsp], rax		; return to after_iret
	iretq
after_iret:
	mov al, 2
	out 0x62, al
	hlt
idtr:	dw 32 * 16 - 1
	dq IDT_BASE
