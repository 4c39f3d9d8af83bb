; SPDX-License-Identifier: MIT
; smp: a Multiboot v1 guest for two or more CPUs. It reads QEMU's fw_cfg
; (ports 0x510/0x511: signature, CPU count, RAM size), copies a real-mode
; trampoline to 0x6000, enables its local APIC and starts the other CPUs
; with INIT and two start-up IPIs to all but itself (SDM Vol. 3, 8.4.4.1);
; each AP counts itself in and halts. The boot CPU prints how many came,
; then exits through isa-debug-exit with 0x11 (process status 35).


%define FW_CFG_SEL	0x510
%define FW_CFG_DATA	0x511
%define FW_CFG_SIGNATURE 0x00
%define FW_CFG_RAM_SIZE	0x03
%define FW_CFG_NB_CPUS	0x05

%define APIC_SVR	0xfee000f0
%define APIC_ICR_LO	0xfee00300
%define ICR_INIT_OTHERS	0x000c4500	; INIT, assert, level, all excluding self
%define ICR_SIPI_OTHERS	0x000c4600	; start-up, all excluding self | vector

%define TRAMPOLINE	0x6000
%define AP_COUNT	0x6f00

bits 32

%include "lib.inc"

	multiboot_header

	guest_start

	mov	ax, FW_CFG_SIGNATURE
	call	fw_cfg_select
	mov	esi, msg_sig
	call	puts
	mov	ecx, 4
.sig:	call	fw_cfg_byte
	call	putc
	loop	.sig
	mov	al, 10
	call	putc

	mov	ax, FW_CFG_NB_CPUS
	call	fw_cfg_select
	call	fw_cfg_byte
	movzx	ebx, al
	call	fw_cfg_byte
	movzx	eax, al
	shl	eax, 8
	or	ebx, eax
	mov	[ncpus], ebx
	mov	esi, msg_cpus
	call	puts
	mov	eax, ebx
	call	putdec
	mov	al, 10
	call	putc

	mov	ax, FW_CFG_RAM_SIZE
	call	fw_cfg_select
	xor	ebx, ebx		; low dword, little-endian
	mov	ecx, 4
.ram:	call	fw_cfg_byte
	ror	ebx, 8
	mov	bl, al
	loop	.ram
	ror	ebx, 8
	mov	ecx, 4			; the high dword: below 4 GiB, skip it
.ramh:	call	fw_cfg_byte
	loop	.ramh
	mov	esi, msg_ram
	call	puts
	mov	eax, ebx
	shr	eax, 20
	call	putdec
	mov	esi, msg_mib
	call	puts

	; The trampoline goes below 1 MiB, on a page boundary (the SIPI vector).
	mov	esi, trampoline
	mov	edi, TRAMPOLINE
	mov	ecx, trampoline_end - trampoline
	rep movsb
	mov	dword [AP_COUNT], 0

	mov	dword [APIC_SVR], 0x1ff	; software-enable the APIC
	mov	dword [APIC_ICR_LO], ICR_INIT_OTHERS
	call	delay
	mov	dword [APIC_ICR_LO], ICR_SIPI_OTHERS | (TRAMPOLINE >> 12)
	call	delay
	mov	dword [APIC_ICR_LO], ICR_SIPI_OTHERS | (TRAMPOLINE >> 12)

	mov	ebx, [ncpus]
	dec	ebx			; the APs to wait for
	mov	ecx, 200000000
.wait:	cmp	[AP_COUNT], ebx
	jae	.came
	pause
	loop	.wait
.came:	mov	esi, msg_aps
	call	puts
	mov	eax, [AP_COUNT]
	call	putdec
	mov	al, 10
	call	putc
	mov	al, 0x11
	jmp	exit_with

; fw_cfg_select: item ax. Clobbers edx.
fw_cfg_select:
	mov	dx, FW_CFG_SEL
	out	dx, ax
	ret

; fw_cfg_byte: the next byte of the selected item in al. Clobbers edx.
fw_cfg_byte:
	mov	dx, FW_CFG_DATA
	in	al, dx
	ret

; delay: a short busy wait between the IPIs (they need none under a VMM).
delay:
	push	ecx
	mov	ecx, 100000
.d:	pause
	loop	.d
	pop	ecx
	ret

; The AP's first instructions, run in real mode at TRAMPOLINE (CS = 0x600).
bits 16
trampoline:
	cli
	xor	ax, ax
	mov	ds, ax
	lock inc dword [AP_COUNT]
.h:	hlt
	jmp	.h
trampoline_end:
bits 32

section .rodata
msg_hello:	db "smp guest", 10, 0
msg_sig:	db "fw_cfg signature: ", 0
msg_cpus:	db "fw_cfg cpus: ", 0
msg_ram:	db "fw_cfg ram: ", 0
msg_mib:	db " MiB", 10, 0
msg_aps:	db "application processors started: ", 0

section .bss
align 16
ncpus:		resd 1
stack:		resb 4096
stack_top:
