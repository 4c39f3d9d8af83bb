; SPDX-License-Identifier: MIT
; FPU isolation (cases fpu_xmm_isolation / fpu_ymm_isolation): SSE (and
; AVX, see fpu_inc.inc) on; the registers as found are stored to BUF and
; OUT 0x70 (AL = 1 with AVX) lets the host judge them; then the guest
; loads PAT into XMM0-15 / YMM0-15 and 1000 times exits (OUT 0x71) and
; checks every register against PAT. A mismatch is OUT 0x72 with the
; register number in EAX and the round in the high half of EAX; at the
; end OUT 0x73 and HLT. 64-bit.
%include "common.inc"
%include "fpu_inc.inc"
	bits 64
	org 0x8000
	fpu_on
	call store
	mov eax, ebp
	out 0x70, al
	mov rsi, PAT
	call load
	xor r12d, r12d			; round
.round:
	out 0x71, al
	call store
	xor ebx, ebx			; register
.reg:
	mov rsi, rbx
	shl rsi, 5
	lea rdi, [rsi + PAT]
	add rsi, BUF
	mov ecx, 16
	test ebp, ebp
	jz .cmp
	mov ecx, 32
.cmp:
	repe cmpsb
	jne .bad
	inc ebx
	cmp ebx, 16
	jb .reg
	inc r12d
	cmp r12d, 1000
	jb .round
	out 0x73, al
	hlt
.bad:
	mov eax, r12d
	shl eax, 16
	or eax, ebx
	out 0x72, eax
	hlt
	def_store
	def_load
