; SPDX-License-Identifier: MIT
; SMSW to MMIO (SDM Vol. 2B, SMSW): CR0[15:0] as a 2-byte write, whatever
; the operand size, 64-bit.
	bits 64
	org 0x8000
%include "common.inc"
	smsw word [MMIO + 0x300]
	o64 smsw [MMIO + 0x308]
	hlt
