; SPDX-License-Identifier: MIT
; Protection change and unmap of single pages inside one mapping, 32-bit.
; At port 0x61 the host makes 0x101000 read-only and unmaps 0x102000; at
; port 0x62 it makes 0x101000 writable again.
	bits 32
	org 0x8000
	mov dword [0x100000], 0x11111111
	mov al, 1
	out 0x61, al
	mov dword [0x101000], 0x22222222
	mov dword [0x100000], 0x33333333
	mov dword [0x103000], 0x44444444
	mov eax, [0x102000]
	out 0x70, eax
	mov al, 2
	out 0x62, al
	mov dword [0x101000], 0x66666666
	hlt
