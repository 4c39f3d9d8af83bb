; SPDX-License-Identifier: MIT
; INIT/SIPI and a fixed IPI between two vCPUs, 32-bit. vCPU 0 copies a
; real-mode trampoline to 0x5000, starts vCPU 1 (APIC ID 1) with INIT and a
; start-up IPI of vector 5 (SDM Vol. 3, 8.4.4.1, 11.6.1), waits until it
; runs, then sends it a fixed IPI of vector 0x51. vCPU 1 enters protected
; mode, says it is alive at port 0x70, and reports the IPI at port 0x71.
; vCPU 0 reports its start at 0x61 and the end at 0x62; a vCPU 1 that never
; came gives 0x6E, an IPI that never arrived 0x6F.
	bits 32
	org 0x8000
%include "common.inc"
%include "apic.inc"
%define TRAMPOLINE 0x5000
%define AP_GDTR    0x5F00
%define AP_STACK   0x6800
	set_gate32 0x51, ipi
	lidt [idtr]
	apic_on
	mov esi, ap16
	mov edi, TRAMPOLINE
	mov ecx, ap16_end - ap16
	rep movsb
	mov word [AP_GDTR], 0x17	; the harness's GDT at 0x800: null, code 0x08, data 0x10
	mov dword [AP_GDTR + 2], 0x800
	mov byte [DATA + 1], 0
	mov byte [DATA + 2], 0
	mov al, 1
	out 0x61, al
	mov dword [APIC_ICR_HI], 1 << 24
	mov dword [APIC_ICR_LO], 0x4500	; INIT, assert, physical destination
	mov dword [APIC_ICR_HI], 1 << 24
	mov dword [APIC_ICR_LO], 0x4600 | (TRAMPOLINE >> 12)
	mov ecx, 100000000
.alive:	cmp byte [DATA + 1], 1
	je .ipi
	pause
	loop .alive
	mov al, 0x6E
	out 0x6E, al
	jmp .idle
.ipi:	mov dword [APIC_ICR_HI], 1 << 24
	mov dword [APIC_ICR_LO], 0x51	; fixed, vector 0x51
	mov ecx, 100000000
.got:	cmp byte [DATA + 2], 1
	je .done
	pause
	loop .got
	mov al, 0x6F
	out 0x6F, al
	jmp .idle
.done:	mov al, 2
	out 0x62, al
.idle:	pause
	jmp .idle

; vCPU 1 in protected mode (from the trampoline).
ap32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov esp, AP_STACK
	lidt [idtr]
	apic_on
	mov byte [DATA + 1], 1
	mov al, 1
	out 0x70, al
	sti
.w:	hlt
	jmp .w
ipi:
	mov byte [DATA + 2], 1
	mov al, 0x51
	out 0x71, al
	mov dword [APIC_EOI], 0
	iretd
idtr:	dw 256 * 8 - 1
	dd IDT_BASE

; vCPU 1's first instructions, copied to TRAMPOLINE: real mode, CS = 0x500.
	bits 16
ap16:
	cli
	xor ax, ax
	mov ds, ax
	lgdt [AP_GDTR]
	mov eax, cr0
	or al, 1
	mov cr0, eax
	jmp dword 0x08:ap32
ap16_end:
