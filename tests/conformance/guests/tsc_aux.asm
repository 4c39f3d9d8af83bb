; SPDX-License-Identifier: MIT
; TSC_AUX is the guest's own, 64-bit: with RDTSCP in its CPUID
; (8000_0001h:EDX[27]) the guest reports RDTSCP's ECX twice (OUT 0x61 and
; 0x62, 4 bytes), an exit apart; without it, OUT 0x6e.
	bits 64
	org 0x8000
%include "common.inc"
	mov eax, 0x80000000
	cpuid
	cmp eax, 0x80000001
	jb none
	mov eax, 0x80000001
	cpuid
	bt edx, 27
	jnc none
	rdtscp
	mov eax, ecx
	out 0x61, eax
	rdtscp
	mov eax, ecx
	out 0x62, eax
	hlt
none:
	mov al, 0
	out 0x6e, al
	hlt
