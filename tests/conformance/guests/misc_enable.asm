; SPDX-License-Identifier: MIT
; IA32_MISC_ENABLE (MSR 1A0h, SDM Vol. 4, table 2-2) as KVM keeps it, 64-bit:
; the guest reports its value (OUT 0x60, low then high dword), writes
; every defined read-write bit plus bit 7 (read-only: ignored) and reports
; it again, then tries to clear bit 11 (read-only, BTS unavailable): #GP(0),
; whose error code goes to OUT 0x64; the value stays (OUT 0x60 twice).
	bits 64
	org 0x8000
%include "common.inc"
	set_gate64 13, gp_handler
	lidt [idtr]
	call report
	or eax, 0x00c50889	; fast strings, TCC, EMON, SpeedStep, MONITOR, CPUID limit, xTPR
	or edx, 0x4		; bit 34: XD Bit Disable
	wrmsr
	call report
	and eax, ~0x800
	wrmsr			; #GP: the handler skips it
	call report
	hlt
report:
	mov ecx, 0x1a0
	rdmsr
	out 0x60, eax
	xchg eax, edx
	out 0x60, eax
	xchg eax, edx
	ret
gp_handler:
	gp_skip2
idtr:	dw 32 * 16 - 1
	dq IDT_BASE
