; SPDX-License-Identifier: MIT
; String IN with REP (bytes, words) into RAM, then echoed with OUT, 32-bit.
	bits 32
	org 0x8000
	cld
	mov edi, 0x10000
	mov ecx, 4
	mov dx, 0x41
	rep insb
	mov edi, 0x10004
	mov ecx, 3
	mov dx, 0x43
	rep insw
	mov eax, [0x10000]
	out 0x50, eax
	mov eax, [0x10004]
	out 0x50, eax
	mov ax, [0x10008]
	out 0x52, ax
	hlt
