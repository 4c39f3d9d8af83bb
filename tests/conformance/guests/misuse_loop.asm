; SPDX-License-Identifier: MIT
; Report once at port 0x61, then store to the page at 0x110000 and count the
; stores in the qword at DATA, forever (the host unmaps that page or kicks
; the vCPU while the loop runs), 64-bit.
%include "common.inc"
	bits 64
	org 0x8000
	mov al, 1
	out 0x61, al
again:	mov byte [0x110000], 1
	inc qword [DATA]
	jmp again
