; SPDX-License-Identifier: MIT
; Protection "none" and back, 32-bit. At port 0x61 the host takes every
; right from the page at 0x104000 (accesses become MMIO exits, the memory is
; kept); at port 0x62 it gives them back (the RAM value is there again).
	bits 32
	org 0x8000
	mov dword [0x104000], 0x12345678
	mov al, 1
	out 0x61, al
	mov eax, [0x104000]
	out 0x70, eax
	mov dword [0x104000], 0x9abcdef0
	mov al, 2
	out 0x62, al
	mov eax, [0x104000]
	out 0x70, eax
	hlt
