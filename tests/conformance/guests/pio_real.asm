; SPDX-License-Identifier: MIT
; Port IO in 16-bit mode.
	bits 16
	org 0x8000
%include "pio_body.inc"
