; SPDX-License-Identifier: MIT
; CPUID of leaf 0x40000010 (overridden by the host); the four registers
; are written to port 0x60, 64-bit.
	bits 64
	org 0x8000
	mov eax, 0x40000010
	xor ecx, ecx
	cpuid
	out 0x60, eax
	mov eax, ebx
	out 0x60, eax
	mov eax, ecx
	out 0x60, eax
	mov eax, edx
	out 0x60, eax
	hlt
