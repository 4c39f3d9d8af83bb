; SPDX-License-Identifier: MIT
; The backend's default CPUID (no overrides): the answers to leaves 1,
; 8000_0000h, 8000_0001h, 8000_000Ah, 4000_0000h, 0, the highest basic
; leaf (CPUID.0:EAX), 1234h (above it) and 8000_001Fh are stored as EAX,
; EBX, ECX, EDX at DATA + 16 * n (n = 0..8) for the host to judge; then
; OUT 0x60 = 0x5a and HLT. 64-bit.
%include "common.inc"
	bits 64
	org 0x8000
	mov rdi, DATA
	mov esi, 1
	call leaf
	mov esi, 0x80000000
	call leaf
	mov esi, 0x80000001
	call leaf
	mov esi, 0x8000000a
	call leaf
	mov esi, 0x40000000
	call leaf
	xor esi, esi
	call leaf
	mov esi, [rdi - 16]	; CPUID.0:EAX, the highest basic leaf
	call leaf
	mov esi, 0x1234
	call leaf
	mov esi, 0x8000001f
	call leaf
	mov al, 0x5a
	out 0x60, al
	hlt
; leaf: CPUID leaf ESI, subleaf 0, stored at [RDI]; RDI += 16.
leaf:
	mov eax, esi
	xor ecx, ecx
	cpuid
	mov [rdi], eax
	mov [rdi + 4], ebx
	mov [rdi + 8], ecx
	mov [rdi + 12], edx
	add rdi, 16
	ret
