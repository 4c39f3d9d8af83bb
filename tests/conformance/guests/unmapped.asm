; SPDX-License-Identifier: MIT
; Read and write of a guest-physical address nothing is mapped at, 32-bit.
	bits 32
	org 0x8000
	mov eax, [0x3fff0000]
	out 0x70, eax
	mov dword [0x3fff0004], 0xabcdef01
	hlt
