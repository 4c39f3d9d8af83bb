; SPDX-License-Identifier: MIT
; The guest's debug registers are its own, 64-bit. 1: store DR0-DR3 and
; DR7 as lv_vcpu_set_state() left them at DATA (OUT 0x61). 2: load its
; own (OUT 0x62). 3: 64 exits (OUT 0x63), each followed by a check that
; they still hold; OUT 0x6f with the number of the register that changed
; if not, HLT at the end. DR7 names write breakpoints but enables none
; (see cases_iso.c).
	bits 64
	org 0x8000
%include "common.inc"
%define G0 0x3ff000
%define G7 0x11110400		; RW0-RW3 = write, no enable bit
	mov rax, dr0
	mov [DATA], rax
	mov rax, dr1
	mov [DATA + 8], rax
	mov rax, dr2
	mov [DATA + 16], rax
	mov rax, dr3
	mov [DATA + 24], rax
	mov rax, dr7
	mov [DATA + 32], rax
	mov al, 1
	out 0x61, al
	mov rax, G0
	mov dr0, rax
	add rax, 8
	mov dr1, rax
	add rax, 8
	mov dr2, rax
	add rax, 8
	mov dr3, rax
	mov eax, G7
	mov dr7, rax
	mov al, 2
	out 0x62, al
	mov ebx, 64
round:
	mov al, 3
	out 0x63, al
	mov rdx, G0
	mov rax, dr0
	mov cl, 0
	cmp rax, rdx
	jne bad
	add rdx, 8
	mov rax, dr1
	mov cl, 1
	cmp rax, rdx
	jne bad
	add rdx, 8
	mov rax, dr2
	mov cl, 2
	cmp rax, rdx
	jne bad
	add rdx, 8
	mov rax, dr3
	mov cl, 3
	cmp rax, rdx
	jne bad
	mov rax, dr7
	mov cl, 7
	cmp eax, G7
	jne bad
	dec ebx
	jnz round
	hlt
bad:
	mov al, cl
	out 0x6f, al
	hlt
