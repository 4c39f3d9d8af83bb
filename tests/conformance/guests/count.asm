; SPDX-License-Identifier: MIT
; Write 0 .. 199 to port 0x80 + RBX (RBX = vCPU index set by the host), 64-bit.
	bits 64
	org 0x8000
	mov edx, 0x80
	add edx, ebx
	xor eax, eax
.next:	out dx, eax
	inc eax
	cmp eax, 200
	jne .next
	hlt
