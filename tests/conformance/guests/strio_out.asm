; SPDX-License-Identifier: MIT
; String OUT with REP (bytes, words) and one OUTSD without REP, 32-bit.
	bits 32
	org 0x8000
	cld
	mov esi, bytes
	mov ecx, 4
	mov dx, 0x40
	rep outsb
	mov esi, words
	mov ecx, 2
	mov dx, 0x42
	rep outsw
	mov esi, dword1
	mov dx, 0x44
	outsd
	hlt
bytes:	db 'ABCD'
words:	dw 0x1234, 0x5678
dword1:	dd 0xcafef00d
