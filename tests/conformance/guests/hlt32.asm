; SPDX-License-Identifier: MIT
; HLT at once, 32-bit.
	bits 32
	org 0x8000
	hlt
