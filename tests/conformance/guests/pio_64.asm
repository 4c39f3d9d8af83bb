; SPDX-License-Identifier: MIT
; Port IO in 64-bit mode.
	bits 64
	org 0x8000
%include "pio_body.inc"
