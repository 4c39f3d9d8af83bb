; SPDX-License-Identifier: MIT
; CR8 and the local APIC's TPR are one register (SDM Vol. 3, 11.8.6.1),
; 64-bit. The case's setup maps the xAPIC page (0xFEE00000) with a 2 MiB
; page. With CR8 = 15 and RFLAGS.IF = 1 the host's MSI for vector 0x50
; arrives during the OUT to 0x61 and must stay pending; the MMIO TPR then
; reads 0xF0 (OUT 0x64). MOV CR8 = 0 lets 0x50 in before the next
; instruction: its handler reports 0x50 at port 0x60 when it interrupted
; the instruction right after the MOV, else 0xEE. 0x62 follows. Then the
; reverse: an MMIO TPR write of 0x30 is seen by MOV from CR8 (OUT 0x63).
; Last the host sets LV_STATE_APIC (TPR 0x20) and LV_STATE_CONTROL (CR8 7)
; in one call: the APIC's TPR wins, so CR8 reads 2 (OUT 0x65) and the MMIO
; TPR 0x20 (OUT 0x66).
	bits 64
	org 0x8000
%include "common.inc"
%define APIC64 0xFEE00000
	set_gate64 0x50, handler
	lidt [idtr]
	mov rbx, APIC64
	mov dword [rbx + 0xF0], 0x1FF	; software-enabled, spurious vector 0xFF
	mov eax, 15
	mov cr8, rax
	sti
	mov al, 1
	out 0x61, al			; the host sends MSI 0x50
	mov ecx, 100000			; class 5 is not above TPR class 15: stays pending
.delay:	loop .delay
	mov eax, [rbx + 0x80]
	out 0x64, eax			; 0xF0
	xor eax, eax
	mov cr8, rax
after:	mov al, 2
	out 0x62, al
	cli
	mov dword [rbx + 0x80], 0x30
	mov rax, cr8
	out 0x63, al			; 3
	mov rax, cr8
	out 0x65, al			; 2
	mov eax, [rbx + 0x80]
	out 0x66, eax			; 0x20
.idle:	pause
	jmp .idle
handler:
	push rax
	mov rax, [rsp + 8]		; the interrupted RIP
	cmp rax, after
	mov al, 0x50
	je .at
	mov al, 0xEE
.at:	out 0x60, al
	mov rax, APIC64
	mov dword [rax + 0xB0], 0	; EOI
	pop rax
	iretq
idtr:	dw 0x51 * 16 - 1
	dq IDT_BASE
