; SPDX-License-Identifier: MIT
; The 8254 of LV_VM_PIT, 32-bit, its IRQ 0 through the 8259A pair (master
; base 0x20, only IR0 open) and the BSP's LINT0 in ExtINT mode. Reports go
; to ports 0xE0-0xE4, away from the PIT's 0x61.
; 1. Counter 0 in mode 2 (rate generator, 8254 data sheet "Mode 2") with
;    count 11932 (100 Hz): the guest waits in HLT for each tick (its
;    handler returns with IF clear, so a tick already pending when it
;    returns waits for the next STI; HLT), EOIs it,
;    and after the third reports 3 at 0xE0, then counter 0's status byte
;    (read-back command, OUT masked off) at 0xE1: 0x34 (LSB then MSB,
;    mode 2, binary).
; 2. Counter 2 through port 0x61: GATE2 on, speaker off; mode 0 with count
;    0xFFFF (55 ms): OUT2 (port 0x61 bit 5) reads 0 right after the count
;    (0xE2), then the guest polls until it reads 1 (0x20 at 0xE3) and
;    reports counter 2's status at 0xE4: 0xB0 (OUT high, count loaded, LSB
;    then MSB, mode 0).
	bits 32
	org 0x8000
%include "common.inc"
	set_gate32 0x20, tick
	lidt [idtr]
	mov al, 0x11		; ICW1: edge, cascade, ICW4 needed
	out 0x20, al
	out 0xa0, al
	mov al, 0x20		; ICW2
	out 0x21, al
	mov al, 0x28
	out 0xa1, al
	mov al, 0x04		; ICW3
	out 0x21, al
	mov al, 0x02
	out 0xa1, al
	mov al, 0x01		; ICW4: 8086 mode
	out 0x21, al
	out 0xa1, al
	mov al, 0xfe		; OCW1: only IR0 (the PIT) open
	out 0x21, al
	mov al, 0xff
	out 0xa1, al
	mov dword [DATA], 0
	mov al, 0x34		; counter 0, LSB then MSB, mode 2, binary
	out 0x43, al
	mov al, 11932 & 0xff
	out 0x40, al
	mov al, 11932 >> 8
	out 0x40, al
.wait:	sti
	hlt
	cli
	cmp dword [DATA], 3
	jb .wait
	mov al, 0xff		; no more ticks
	out 0x21, al
	mov al, [DATA]
	out 0xe0, al
	mov al, 0xe2		; read-back: status of counter 0
	out 0x43, al
	in al, 0x40
	and al, 0x7f
	out 0xe1, al
	in al, 0x61		; GATE2 on, speaker off
	and al, 0xfc
	or al, 0x01
	out 0x61, al
	mov al, 0xb0		; counter 2, LSB then MSB, mode 0
	out 0x43, al
	mov al, 0xff
	out 0x42, al
	out 0x42, al
	in al, 0x61
	and al, 0x20
	out 0xe2, al
	mov ecx, 10000000
.poll:	in al, 0x61
	test al, 0x20
	jnz .high
	loop .poll
.high:	and al, 0x20
	out 0xe3, al
	mov al, 0xe8		; read-back: status of counter 2
	out 0x43, al
	in al, 0x42
	out 0xe4, al
.idle:	pause
	jmp .idle
tick:
	push eax
	inc dword [DATA]
	mov al, 0x20		; non-specific EOI
	out 0x20, al
	pop eax
	and dword [esp + 8], ~0x200 ; back with IF=0: one tick per HLT, even
	iretd			 ; when the next one is already pending
idtr:	dw 256 * 8 - 1
	dd IDT_BASE
