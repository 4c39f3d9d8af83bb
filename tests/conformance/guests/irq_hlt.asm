; SPDX-License-Identifier: MIT
; HLT with IF = 0 in a VM with an interrupt controller: the vCPU sleeps
; inside lv_vcpu_run() until the host kicks it. 32-bit.
	bits 32
	org 0x8000
	mov al, 1
	out 0x61, al
	cli
.h:	hlt
	jmp .h
