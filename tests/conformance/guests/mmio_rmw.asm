; SPDX-License-Identifier: MIT
; Read-modify-write on MMIO: OR to a dword (a read, then a write), 64-bit.
	bits 64
	org 0x8000
%include "common.inc"
	or dword [MMIO + 0x200], 0x100
	hlt
