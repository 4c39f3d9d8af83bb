; SPDX-License-Identifier: MIT
; The 8259A pair of the interrupt controller (LV_VM_IRQCHIP), 32-bit, the
; local APIC left as at reset (the BSP's LINT0 takes the PIC's INT in
; ExtINT mode). The guest initializes both PICs (Intel 8259A data sheet,
; "Initialization command words": ICW1 edge + ICW4, ICW2 vector bases
; 0x20 / 0x28, ICW3 slave on IR2 / slave ID 2, ICW4 8086 mode) with every
; line masked (OCW1), then:
; 1. the host pulses IRQ 5 during the OUT to 0x61; the masked request
;    shows in IRR (OCW3 read IRR, reported at 0x64) and is not delivered
;    with IF = 1 (the count, 0, at 0x65); unmasking IR5 delivers it on
;    vector 0x25, whose handler reports 0x25 at 0x60 and ISR (OCW3 read
;    ISR) at 0x66, then sends a non-specific EOI (OCW2); ISR after it
;    goes to 0x67;
; 2. the host pulses IRQ 12 (the slave's IR4) during the OUT to 0x62, with
;    interrupts off; STI; HLT: vector 0x2C reports itself and EOIs slave
;    and master;
; 3. IRQ 10 made level-triggered in the ELCR (0x4D1 bit 2): the host
;    raises it during the OUT to 0x63; the first handler EOIs with the
;    line still high, so it comes again; the second reports 0x2A at 0x60
;    (the host lowers the line) and EOIs; 0x68 gets the count of
;    deliveries, 2, then the IMRs read back (0x69: master, 0x6A: slave);
; 4. the guest waits in HLT with IRQ 5 open; the host pulses IRQ 5 from
;    another thread 20 ms after the OUT to 0x6B, and vector 0x25 reports
;    itself as in 1.
	bits 32
	org 0x8000
%include "common.inc"
	set_gate32 0x25, irq5
	set_gate32 0x2c, irq12
	set_gate32 0x2a, irq10
	lidt [idtr]
	mov al, 0x11		; ICW1: edge, cascade, ICW4 needed
	out 0x20, al
	out 0xa0, al
	mov al, 0x20		; ICW2: IR0 of the master on vector 0x20
	out 0x21, al
	mov al, 0x28		; ... of the slave on 0x28
	out 0xa1, al
	mov al, 0x04		; ICW3: the slave on IR2
	out 0x21, al
	mov al, 0x02		; ... its ID is 2
	out 0xa1, al
	mov al, 0x01		; ICW4: 8086 mode, normal EOI
	out 0x21, al
	out 0xa1, al
	mov al, 0xff		; OCW1: all masked
	out 0x21, al
	out 0xa1, al
	mov dword [DATA], 0
; 1. masked IRQ 5: in IRR, not delivered; then unmasked
	mov al, 1
	out 0x61, al
	mov al, 0x0a		; OCW3: read IRR
	out 0x20, al
	in al, 0x20
	out 0x64, al
	sti
	mov ecx, 100000
.masked: loop .masked
	cli
	mov al, [DATA]
	out 0x65, al
	mov al, 0xdf		; OCW1: IR5 open
	out 0x21, al
	sti
	mov ecx, 100000
.open:	cmp byte [DATA], 0
	jne .got5
	loop .open
.got5:	cli
	mov al, 0x0b		; OCW3: read ISR
	out 0x20, al
	in al, 0x20
	out 0x67, al
; 2. IRQ 12 through the slave, pending before STI; HLT
	mov byte [DATA], 0
	mov al, 0xdb		; master: IR2 (cascade) and IR5 open
	out 0x21, al
	mov al, 0xef		; slave: IR4 (IRQ 12) open
	out 0xa1, al
	mov al, 2
	out 0x62, al
.wait12: sti
	hlt
	cli
	cmp byte [DATA], 0
	je .wait12
; 3. IRQ 10 level-triggered (ELCR)
	mov byte [DATA + 1], 0
	mov al, 0x04
	mov dx, 0x4d1
	out dx, al
	mov al, 0xeb		; slave: IR2 (IRQ 10) and IR4 open
	out 0xa1, al
	mov al, 3
	out 0x63, al
.wait10: sti
	hlt
	cli
	cmp byte [DATA + 1], 2
	jb .wait10
	mov ecx, 100000		; time for a wrong third delivery to show
.delay:	loop .delay
	mov al, [DATA + 1]
	out 0x68, al
	in al, 0x21
	out 0x69, al
	in al, 0xa1
	out 0x6a, al
; 4. IRQ 5 from another thread wakes HLT
	mov byte [DATA], 0
	mov al, 4
	out 0x6b, al
.wait5:	sti
	hlt
	cli
	cmp byte [DATA], 0
	je .wait5
.idle:	pause
	jmp .idle
irq5:
	push eax
	mov byte [DATA], 1
	mov al, 0x25
	out 0x60, al
	mov al, 0x0b		; OCW3: read ISR
	out 0x20, al
	in al, 0x20
	out 0x66, al
	mov al, 0x20		; OCW2: non-specific EOI
	out 0x20, al
	pop eax
	iretd
irq12:
	push eax
	mov byte [DATA], 1
	mov al, 0x2c
	out 0x60, al
	mov al, 0x20
	out 0xa0, al
	out 0x20, al
	pop eax
	iretd
irq10:
	push eax
	inc byte [DATA + 1]
	cmp byte [DATA + 1], 1
	je .eoi
	mov al, 0x2a
	out 0x60, al
.eoi:	mov al, 0x20
	out 0xa0, al
	out 0x20, al
	pop eax
	iretd
idtr:	dw 256 * 8 - 1
	dd IDT_BASE
