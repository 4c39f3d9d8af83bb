; SPDX-License-Identifier: MIT
; TPR masking and EOI, 32-bit. With TPR = 0x50 the host's MSIs for vectors
; 0x41 (class 4, masked) and 0x61 (class 6, taken) arrive during the OUT
; to 0x61; the guest takes only 0x61 (reported at port 0x60), then lowers
; TPR to 0 and takes 0x41. Both handlers EOI. 0x62 ends.
	bits 32
	org 0x8000
%include "common.inc"
%include "apic.inc"
	set_gate32 0x41, low
	set_gate32 0x61, high
	lidt [idtr]
	apic_on
	mov dword [APIC_TPR], 0x50
	mov byte [DATA], 0
	mov al, 1
	out 0x61, al
.w1:	sti
	hlt
	cmp byte [DATA], 0
	je .w1
	mov ecx, 100000		; 0x41 must stay pending meanwhile
.delay:	loop .delay
	cli
	mov dword [APIC_TPR], 0		; 0x41 is taken at the STI below
.w2:	cmp byte [DATA], 2
	jae .done
	sti			; the interrupt shadow covers the HLT
	hlt
	cli
	jmp .w2
.done:	mov al, 2
	out 0x62, al
.idle:	pause
	jmp .idle
low:
	mov byte [DATA], 2
	mov al, 0x41
	out 0x60, al
	mov dword [APIC_EOI], 0
	iretd
high:
	mov byte [DATA], 1
	mov al, 0x61
	out 0x60, al
	mov dword [APIC_EOI], 0
	iretd
idtr:	dw 256 * 8 - 1
	dd IDT_BASE
