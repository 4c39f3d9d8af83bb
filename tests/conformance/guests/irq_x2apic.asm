; SPDX-License-Identifier: MIT
; The local APIC through its MSRs, 32-bit (SDM Vol. 3, 11.12): IA32_APIC_BASE
; gets EN | EXTD (x2APIC mode); RDMSR 802h (ID) reports the APIC ID, 0, at
; port 0x60, and 803h (version) its bits 7:0, 0x14. SVR (80Fh) enables the
; APIC, a self IPI (83Fh) of vector 0x47 arrives with IF = 1 (0x47 at port
; 0x60) and is EOIed (80Bh); reading DFR (80Eh), which x2APIC mode does
; not have, faults (#GP: 0x0D at port 0x60, Table 11-6). 0x62 ends.
	bits 32
	org 0x8000
%include "common.inc"
	set_gate32 0x47, selfipi
	set_gate32 13, gp
	lidt [idtr]
	mov ecx, 0x1B
	rdmsr
	or eax, (1 << 11) | (1 << 10)	; EN | EXTD
	wrmsr
	mov ecx, 0x802
	rdmsr
	out 0x60, al
	mov ecx, 0x803
	rdmsr
	out 0x60, al
	mov ecx, 0x80F
	mov eax, 0x1FF
	xor edx, edx
	wrmsr
	mov byte [DATA], 0
	mov ecx, 0x83F
	mov eax, 0x47
	wrmsr
.wait:	sti
	hlt
	cmp byte [DATA], 0
	je .wait
	cli
	mov ecx, 0x80E
	rdmsr			; #GP: no DFR in x2APIC mode
	mov al, 2
	out 0x62, al
.idle:	pause
	jmp .idle
selfipi:
	mov byte [DATA], 1
	mov al, 0x47
	out 0x60, al
	push ecx
	push eax
	push edx
	mov ecx, 0x80B
	xor eax, eax
	xor edx, edx
	wrmsr
	pop edx
	pop eax
	pop ecx
	iretd
gp:
	add esp, 4		; the error code
	add dword [esp], 2	; past the 2-byte RDMSR
	mov al, 0x0D
	out 0x60, al
	iretd
idtr:	dw 256 * 8 - 1
	dd IDT_BASE
