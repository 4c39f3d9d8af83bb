; SPDX-License-Identifier: MIT
; Three NOPs and HLT for single-stepping, 32-bit.
	bits 32
	org 0x8000
	nop
	nop
	nop
	hlt
