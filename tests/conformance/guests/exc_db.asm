; SPDX-License-Identifier: MIT
; A single-step trap (#DB) from RFLAGS.TF that the host intercepts, 64-bit.
; POPFQ sets TF; the trap comes after the NOP that follows. The host
; clears TF and the guest goes on.
	bits 64
	org 0x8000
	pushfq
	or qword [rsp], 0x100
	popfq
	nop
after:	mov al, 0x33
	out 0x70, al
	hlt
