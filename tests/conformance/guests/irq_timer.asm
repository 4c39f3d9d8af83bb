; SPDX-License-Identifier: MIT
; The local APIC timer, 32-bit, IF = 1, HLT between interrupts. One-shot
; (vector 0x44, divide by 1, count 1000000): the handler reports 0x44 at port
; 0x60. Periodic (vector 0x45, count 1000000): the guest sleeps until three
; ticks arrived, stops the timer and reports 3 at port 0x62. Then, if CPUID
; says TSC-deadline (1:ECX[24]), that mode (vector 0x46, IA32_TSC_DEADLINE =
; now + 200000): 0x46 at port 0x60; else 0xFF at port 0x64. 0x63 ends.
	bits 32
	org 0x8000
%include "common.inc"
%include "apic.inc"
	set_gate32 0x44, oneshot
	set_gate32 0x45, periodic
	set_gate32 0x46, deadline
	lidt [idtr]
	apic_on
	mov al, 1
	out 0x61, al
	mov byte [DATA], 0
	mov dword [APIC_TDCR], 0xB		; divide by 1
	mov dword [APIC_LVT_TIMER], 0x44	; one-shot, unmasked
	mov dword [APIC_TMICT], 1000000
.w1:	sti
	hlt
	cmp byte [DATA], 0
	je .w1
	mov byte [DATA + 1], 0
	mov dword [APIC_LVT_TIMER], 0x45 | (1 << 17)	; periodic
	mov dword [APIC_TMICT], 1000000
.w2:	sti
	hlt
	cmp byte [DATA + 1], 3
	jb .w2
	cli
	mov dword [APIC_TMICT], 0		; stop
	mov al, 3
	out 0x62, al
	mov eax, 1
	cpuid
	bt ecx, 24
	jnc .nodl
	mov byte [DATA + 2], 0
	mov dword [APIC_LVT_TIMER], 0x46 | (2 << 17)	; TSC-deadline
	rdtsc
	add eax, 200000
	adc edx, 0
	mov ecx, 0x6E0
	wrmsr
.w3:	sti
	hlt
	cmp byte [DATA + 2], 0
	je .w3
	cli
	jmp .end
.nodl:	mov al, 0xFF
	out 0x64, al
.end:	mov al, 3
	out 0x63, al
.idle:	pause
	jmp .idle
oneshot:
	mov byte [DATA], 1
	mov al, 0x44
	out 0x60, al
	mov dword [APIC_EOI], 0
	iretd
periodic:
	inc byte [DATA + 1]
	mov dword [APIC_EOI], 0
	iretd
deadline:
	mov byte [DATA + 2], 1
	mov al, 0x46
	out 0x60, al
	mov dword [APIC_EOI], 0
	iretd
idtr:	dw 256 * 8 - 1
	dd IDT_BASE
