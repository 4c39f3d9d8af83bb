; SPDX-License-Identifier: MIT
; State round trip: EAX as the host set it goes out, then HLT (32-bit).
	bits 32
	org 0x8000
	out 0x70, eax
	hlt
