; SPDX-License-Identifier: MIT
; Port IO in 32-bit mode.
	bits 32
	org 0x8000
%include "pio_body.inc"
