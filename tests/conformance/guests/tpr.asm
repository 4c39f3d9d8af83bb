; SPDX-License-Identifier: MIT
; The guest's TPR is its own, 64-bit: report the CR8 the host set (OUT
; 0x60), then write 15 to CR8 with interrupts enabled, forever, reporting
; CR8 every 256 writes (OUT 0x61); the host ends it with a kick from a
; timer interrupt. CR8 only ever rises (KVM without an in-kernel APIC
; exits to user space when it falls).
	bits 64
	org 0x8000
%include "common.inc"
	mov rax, cr8
	out 0x60, al
	sti
again:
	mov ecx, 256
write:
	mov eax, 15
	mov cr8, rax
	dec ecx
	jnz write
	mov rax, cr8
	out 0x61, al
	jmp again
