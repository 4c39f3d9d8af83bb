; SPDX-License-Identifier: MIT
; RDMSR/WRMSR of a filtered MSR (0x174) exit; an unfiltered one (0x175)
; does not, 64-bit.
	bits 64
	org 0x8000
	mov ecx, 0x174
	rdmsr
	out 0x60, eax
	mov eax, edx
	out 0x60, eax
	mov ecx, 0x174
	mov eax, 0xdead
	mov edx, 0xbeef
	wrmsr
	mov ecx, 0x175
	mov eax, 0x1234
	xor edx, edx
	wrmsr
	xor eax, eax
	rdmsr
	out 0x60, eax
	hlt
