; SPDX-License-Identifier: MIT
; Two NMIs the host sends (MSIs, delivery mode NMI) during the OUT to 0x61,
; before the guest runs again: the handler runs twice (the first NMI is
; taken, the second is held while NMIs are blocked in the handler and taken
; after its IRET; SDM Vol. 3, 6.7.1), reporting 1 then 2 at port 0x60; 0x62
; reports the count after a spin. 32-bit, the local APIC software-enabled.
	bits 32
	org 0x8000
%include "common.inc"
%include "apic.inc"
	set_gate32 2, nmi
	lidt [idtr]
	apic_on
	mov byte [DATA], 0
	mov al, 1
	out 0x61, al
	mov ecx, 1000
.spin:	pause
	loop .spin
	mov al, [DATA]
	out 0x62, al
	hlt
nmi:
	inc byte [DATA]
	mov al, [DATA]
	out 0x60, al
	iretd
idtr:	dw 256 * 8 - 1
	dd IDT_BASE
