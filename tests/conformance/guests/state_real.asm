; SPDX-License-Identifier: MIT
; State round trip: EAX as the host set it goes out, then HLT (16-bit).
	bits 16
	org 0x8000
	out 0x70, eax
	hlt
