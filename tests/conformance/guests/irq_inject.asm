; SPDX-License-Identifier: MIT
; An external interrupt (vector 0x40) injected in the interrupt window is
; delivered through the guest's IDT, 64-bit. After STI the guest waits for
; the handler: a backend may report the window at any later instruction
; boundary (this KVM only between its own exits).
	bits 64
	org 0x8000
%include "common.inc"
	set_gate64 0x40, handler
	lidt [idtr]
	mov byte [DATA], 0
	mov al, 1
	out 0x61, al
	sti
.wait:	cmp byte [DATA], 0
	je .wait
	mov al, 2
	out 0x62, al
	cli
	hlt
handler:
	push rax
	mov byte [DATA], 1
	mov al, 0x40
	out 0x60, al
	pop rax
	iretq
idtr:	dw 256 * 16 - 1
	dq IDT_BASE
