; SPDX-License-Identifier: MIT
; IOAPIC-routed GSIs, 32-bit. Pin 17, edge, vector 0x42: the host pulses
; the line during the OUT to 0x61 (irqchip_hlt_irq: 20 ms later, from
; another thread, while the guest sits in HLT); the handler reports 0x42 at
; port 0x60.
; Pin 18, level, vector 0x43: the host raises the line during the OUT to
; 0x62. The first handler EOIs with the line still high, so the IOAPIC
; delivers again (remote IRR, 82093AA 3.2.4); the second reports 0x43 at
; port 0x60 (the host lowers the line) and EOIs; 0x63 reports the count, 2.
	bits 32
	org 0x8000
%include "common.inc"
%include "apic.inc"
	set_gate32 0x42, edge
	set_gate32 0x43, level
	lidt [idtr]
	apic_on
	ioapic_route 17, 0x42, 0
	ioapic_route 18, 0x43 | (1 << 15), 0
	mov byte [DATA], 0
	mov al, 1
	out 0x61, al
.wait1:	sti
	hlt
	cmp byte [DATA], 0
	je .wait1
	cli
	mov byte [DATA + 1], 0
	mov al, 2
	out 0x62, al
.wait2:	sti
	hlt
	cmp byte [DATA + 1], 2
	jb .wait2
	mov ecx, 100000		; time for a wrong third delivery to show
.delay:	loop .delay
	cli
	mov al, [DATA + 1]
	out 0x63, al
.idle:	pause
	jmp .idle
edge:
	mov byte [DATA], 1
	mov al, 0x42
	out 0x60, al
	mov dword [APIC_EOI], 0
	iretd
level:
	inc byte [DATA + 1]
	cmp byte [DATA + 1], 1
	je .eoi
	mov al, 0x43
	out 0x60, al
.eoi:	mov dword [APIC_EOI], 0
	iretd
idtr:	dw 256 * 8 - 1
	dd IDT_BASE
