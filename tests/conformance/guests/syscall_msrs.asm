; SPDX-License-Identifier: MIT
; The SYSCALL MSRs and KERNEL_GS_BASE are the guest's own, 64-bit. The
; guest writes KERNEL_GS_BASE and GS_BASE, swaps them (SWAPGS) and reports
; both (OUT 0x60 and 0x61, 4 bytes: 0x11110000 and 0x22220000), then gives
; itself STAR, SFMASK and LSTAR and makes a SYSCALL with AC and DF set.
; Its handler reports whether RCX is the return address (OUT 0x62: 1), R11's
; AC and DF (OUT 0x63: 0x40400) and its own after SFMASK (OUT 0x64: 0),
; 4 bytes each, then HLTs. A
; SYSCALL that does not reach the guest's handler ends elsewhere: OUT 0x6f
; or an exit the host calls wrong.
	bits 64
	org 0x8000
%include "common.inc"
%define KGS 0x11110000
%define GS0 0x22220000
	mov ecx, 0xc0000102		; KERNEL_GS_BASE
	mov eax, KGS
	xor edx, edx
	wrmsr
	mov ecx, 0xc0000101		; GS_BASE
	mov eax, GS0
	wrmsr
	swapgs
	mov ecx, 0xc0000101
	rdmsr
	out 0x60, eax
	mov ecx, 0xc0000102
	rdmsr
	out 0x61, eax
	swapgs
	mov ecx, 0xc0000080		; EFER.SCE
	rdmsr
	or eax, 1
	wrmsr
	mov ecx, 0xc0000081		; STAR: SYSCALL CS 0x08 (SS 0x10)
	xor eax, eax
	mov edx, 0x00100008
	wrmsr
	mov ecx, 0xc0000084		; SFMASK: clear AC (bit 18) and DF (bit 10)
	mov eax, 0x40400
	xor edx, edx
	wrmsr
	mov ecx, 0xc0000082		; LSTAR
	lea rax, [rel handler]
	mov rdx, rax
	shr rdx, 32
	wrmsr
	pushfq
	or qword [rsp], 0x40400		; AC and DF set before the SYSCALL
	popfq
	syscall
after:
	cld
	mov al, 0xee
	out 0x6f, al
	hlt
handler:
	pushfq
	pop rbx
	cld
	lea rax, [rel after]
	cmp rcx, rax
	sete al
	movzx eax, al
	out 0x62, eax
	mov eax, r11d
	and eax, 0x40400
	out 0x63, eax
	mov eax, ebx
	and eax, 0x40400
	out 0x64, eax
	hlt
