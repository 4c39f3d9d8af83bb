; SPDX-License-Identifier: MIT
; CPUID leaf 0Dh against the XCR0 the guest sets (SDM Vol. 1, 13.2; Vol. 2A,
; CPUID, XSETBV). Stores CPUID.1:ECX at DATA, CPUID.(0DH,0):EAX/EDX (the
; offered XCR0, 0 without XSAVE) at DATA + 4/8; then, with CR4.OSXSAVE set,
; for each of the NMASKS masks below ANDed with the offered XCR0 (n = 0..
; NMASKS - 1, a slot of 16 bytes at DATA + 16 + 16 * n): XSETBV that value,
; OUT 0x61 = n (an exit, which a lost XSETBV does not survive), XGETBV
; (slot + 0), CPUID.(0DH,0):EBX, the size the processor reports for the
; XCR0 in force (slot + 4), the size the sub-leaves give for that value,
; the largest offset + size of its components 2-31 and at least 576
; (slot + 8), and the value (slot + 12). Without XSAVE only the OUTs
; happen and the slots stay 0. Then, with XSAVE, the same with the FPU in
; use and no exit between XSETBV and CPUID (as Linux's boot does it): an
; x87 instruction, XSETBV to mask 0's value, CPUID.(0DH,0):EBX to
; DATA + 16 + 16 * NMASKS, XSETBV to mask 1's, its EBX 4 bytes on. Then
; OUT 0x60 = 0x5a and HLT. 64-bit.
%include "common.inc"
%define NMASKS 8

; XCR0 = the dword at [rdi + %1], then CPUID.(0Dh, 0):EBX to [r9 + %2].
%macro size_under 2
	mov eax, [rdi + %1]
	xor edx, edx
	xor ecx, ecx
	xsetbv
	mov eax, 0xd
	xor ecx, ecx
	cpuid
	mov [r9 + %2], ebx
%endmacro
	bits 64
	org 0x8000
	mov rdi, DATA
	mov eax, 1
	xor ecx, ecx
	cpuid
	mov [rdi], ecx
	xor r12d, r12d
	xor r13d, r13d
	bt ecx, 26			; XSAVE
	jnc .go
	mov rax, cr4
	bts rax, 18			; OSXSAVE
	mov cr4, rax
	mov eax, 0xd
	xor ecx, ecx
	cpuid
	mov r12d, eax
	mov r13d, edx
.go:
	mov [rdi + 4], r12d
	mov [rdi + 8], r13d
	lea r15, [rel masks]
	xor r14d, r14d
.loop:
	mov r8d, [r15 + 4 * r14]
	and r8d, r12d
	mov r9, r14
	shl r9, 4
	lea r9, [rdi + 16 + r9]
	mov [r9 + 12], r8d
	test r8d, r8d
	jz .exit
	mov eax, r8d
	xor edx, edx
	xor ecx, ecx
	xsetbv
.exit:
	mov eax, r14d
	out 0x61, al
	test r8d, r8d
	jz .next
	xor ecx, ecx
	xgetbv
	mov [r9], eax
	mov eax, 0xd
	xor ecx, ecx
	cpuid
	mov [r9 + 4], ebx
	mov r10d, 576
	mov r11d, 2
.bits:
	bt r8d, r11d
	jnc .nobit
	mov eax, 0xd
	mov ecx, r11d
	cpuid
	add eax, ebx			; size + offset
	cmp eax, r10d
	cmova r10d, eax
.nobit:
	inc r11d
	cmp r11d, 32
	jb .bits
	mov [r9 + 8], r10d
.next:
	inc r14d
	cmp r14d, NMASKS
	jb .loop
	test r12d, r12d
	jz .done
	fninit				; the FPU in use: its registers are the guest's
	lea r9, [rdi + 16 + 16 * NMASKS]
	size_under 16 + 12, 0		; mask 0's value
	size_under 32 + 12, 4		; mask 1's value
.done:
	mov al, 0x5a
	out 0x60, al
	hlt
	align 4
; x87 | SSE, + AVX, + AVX-512 (opmask, ZMM_Hi256, Hi16_ZMM), PKRU with
; each, everything offered. x87 always; AVX-512 only where AVX is offered.
masks:	dd 0x3, 0x7, 0xe7, 0x203, 0x207, 0x2e7, 0x60207, 0xffffffff
