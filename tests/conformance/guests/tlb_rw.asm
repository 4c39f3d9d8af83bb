; SPDX-License-Identifier: MIT
; Spins reading qword 0 and writing a counter to qword 1 of the page at
; 0x200000, 64-bit (conformance tlb_unmap_remote). After the host unmapped
; the page it fills it with PATTERN: a guest read of PATTERN means a stale
; translation outlived lv_vm_unmap(), reported with OUT 0x62.
%define PAGE    0x200000
%define PATTERN 0x5a5aa5a5c3c33c3c
	bits 64
	org 0x8000
	sti			; no IDT needed: nothing is injected, but Bochs 2.7's
				; VMX exits on a host IPI only while the guest's IF = 1
	xor ecx, ecx
	mov rdx, PATTERN
again:	mov rax, [PAGE]
	cmp rax, rdx
	je seen
	inc rcx
	mov [PAGE + 8], rcx
	jmp again
seen:	out 0x62, al
	hlt
