; SPDX-License-Identifier: MIT
; The local APIC timer ends a guest that spins without exits, 32-bit.
; One-shot, vector 0x44, divide by 1, count 1000000 (1 ms at KVM's 1 ns
; per bus cycle); then STI and a loop of RDTSC and compares only (no exit
; of its own). The handler sets a byte. The loop gives up after 2^28 TSC
; ticks from the arm (about 0.1 s at a few GHz; Bochs counts one tick per
; instruction). Reports 0x44 at port 0x60 when the handler ran in time,
; else 0xEE; 0x62 ends. The handler itself makes no exit.
	bits 32
	org 0x8000
%include "common.inc"
%include "apic.inc"
%define LIMIT (1 << 28)
	set_gate32 0x44, tick
	lidt [idtr]
	apic_on
	mov byte [DATA], 0
	mov al, 1
	out 0x61, al
	mov dword [APIC_TDCR], 0xB		; divide by 1
	mov dword [APIC_LVT_TIMER], 0x44	; one-shot, unmasked
	rdtsc
	mov esi, eax
	mov edi, edx
	mov dword [APIC_TMICT], 1000000
	sti
.spin:	cmp byte [DATA], 0
	jne .ok
	rdtsc
	sub eax, esi
	sbb edx, edi
	jnz .late			; 2^32 ticks or more
	cmp eax, LIMIT
	jb .spin
.late:	cli
	mov al, 0xEE
	out 0x60, al
	jmp .end
.ok:	cli
	mov al, 0x44
	out 0x60, al
.end:	mov al, 2
	out 0x62, al
.idle:	pause
	jmp .idle
tick:
	mov byte [DATA], 1
	mov dword [APIC_EOI], 0
	iretd
idtr:	dw 256 * 8 - 1
	dd IDT_BASE
