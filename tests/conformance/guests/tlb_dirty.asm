; SPDX-License-Identifier: MIT
; Writes sequence numbers n = 1, 2, ... into qword 0 of page n % 16 of the
; dirty-logged area at 0x200000, publishing n at DATA after each write,
; until the host sets the qword at DATA + 8; then HLT. 64-bit
; (conformance tlb_dirty_remote).
%include "common.inc"
%define AREA 0x200000
	bits 64
	org 0x8000
	sti			; as tlb_rw.asm: host IPIs exit at once on Bochs 2.7 VMX
	mov ecx, 1
again:	mov eax, ecx
	and eax, 15
	shl eax, 12
	mov [AREA + rax], rcx
	mov [DATA], rcx
	inc rcx
	cmp qword [DATA + 8], 0
	je again
	hlt
