; SPDX-License-Identifier: MIT
; A write to a read-only page exits as MMIO; a read of it does not, 32-bit.
	bits 32
	org 0x8000
	mov byte [0x90000], 0x77
	mov al, [0x90000]
	out 0x70, al
	hlt
