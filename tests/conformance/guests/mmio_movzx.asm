; SPDX-License-Identifier: MIT
; MOVZX / MOVSX from MMIO; results stored to RAM, 64-bit.
	bits 64
	org 0x8000
%include "common.inc"
	mov eax, -1
	movzx eax, byte [MMIO + 0x100]
	mov [DATA + 0x00], eax
	mov ebx, -1
	movzx ebx, word [MMIO + 0x102]
	mov [DATA + 0x04], ebx
	movsx rcx, byte [MMIO + 0x104]
	mov [DATA + 0x08], rcx
	hlt
