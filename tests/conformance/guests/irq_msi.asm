; SPDX-License-Identifier: MIT
; An MSI (vector 0x41, fixed, to APIC 0) sent by the host during the OUT to
; 0x61 wakes the guest from HLT with IF = 1: the handler reports the
; vector at port 0x60 and EOIs, then 0x62 says the HLT returned. 32-bit.
	bits 32
	org 0x8000
%include "common.inc"
%include "apic.inc"
	set_gate32 0x41, handler
	lidt [idtr]
	apic_on
	mov byte [DATA], 0
	mov al, 1
	out 0x61, al
.wait:	sti
	hlt
	cmp byte [DATA], 0
	je .wait
	mov al, 2
	out 0x62, al
.idle:	pause
	jmp .idle
handler:
	mov byte [DATA], 1
	mov al, 0x41
	out 0x60, al
	mov dword [APIC_EOI], 0
	iretd
idtr:	dw 256 * 8 - 1
	dd IDT_BASE
