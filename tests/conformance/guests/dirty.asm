; SPDX-License-Identifier: MIT
; Writes to pages 0 and 3 of the dirty-logged mapping at 0x200000, 32-bit.
	bits 32
	org 0x8000
	mov dword [0x200000], 1
	mov dword [0x203000], 2
	hlt
