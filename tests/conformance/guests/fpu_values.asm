; SPDX-License-Identifier: MIT
; FPU isolation (cases fpu_xmm_isolation / fpu_ymm_isolation): SSE (and
; AVX, see fpu_inc.inc) on; the registers as found are stored to BUF and
; OUT 0x70 (AL = 1 with AVX) lets the host judge them; then the guest
; loads PAT into XMM0-15 / YMM0-15 and 1000 times exits (OUT 0x71) and
; checks every register against PAT. A mismatch is OUT 0x72 with the
; register number in EAX and the round in the high half of EAX; an XCR0
; other than 7 after an exit (AVX) is OUT 0x74 with XCR0 in EAX; at the
; end OUT 0x73 and HLT. A #UD is OUT 0x75 with XCR0 in EAX. 64-bit.
%include "common.inc"
%include "fpu_inc.inc"
	bits 64
	org 0x8000
	set_gate64 6, ud_handler
	lidt [idtr]
	fpu_on
	call store
	mov eax, ebp
	out 0x70, al
	call xcr0_check
	mov rsi, PAT
	call load
	xor r12d, r12d			; round
.round:
	out 0x71, al
	call xcr0_check
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
; #UD (an AVX instruction with XCR0 lacking AVX): OUT 0x75 = XCR0 (or
; 0xFFFFFFFF without AVX), HLT.
ud_handler:
	mov eax, -1			; no XCR0 without XSAVE on
	test ebp, ebp
	jz .out
	xor ecx, ecx
	xgetbv
.out:
	out 0x75, eax
	hlt
idtr:	dw 32 * 16 - 1
	dq IDT_BASE
; xcr0_check: with AVX, XCR0 must still be 7 (else OUT 0x74 = XCR0, HLT).
xcr0_check:
	test ebp, ebp
	jz .ok
	xor ecx, ecx
	xgetbv
	cmp eax, 7
	je .ok
	out 0x74, eax
	hlt
.ok:
	ret
	def_store
	def_load
