; SPDX-License-Identifier: MIT
; A data breakpoint of the guest's own, 64-bit: DR0 = DATA + 0x100, DR7
; enables it for 4-byte writes. After an exit (OUT 0x61) the guest writes
; there; its #DB handler reports DR6 (OUT 0x64, 4 bytes), and the guest
; ends with OUT 0x62 and HLT.
	bits 64
	org 0x8000
%include "common.inc"
	set_gate64 1, db_handler
	lidt [idtr]
	mov rax, DATA + 0x100
	mov dr0, rax
	mov eax, 0x000d0401	; L0, RW0 = data write, LEN0 = 4 bytes
	mov dr7, rax
	mov al, 1
	out 0x61, al
	mov dword [DATA + 0x100], 1
	mov al, 2
	out 0x62, al
	hlt
db_handler:
	mov rax, dr6
	out 0x64, eax
	mov eax, 0xffff0ff0
	mov dr6, rax
	iretq
idtr:	dw 32 * 16 - 1
	dq IDT_BASE
