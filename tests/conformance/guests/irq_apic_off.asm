; SPDX-License-Identifier: MIT
; The local APIC globally disabled and back, 32-bit without paging (SDM Vol.
; 3, 11.4.3; KVM does the same): CPUID.1:EDX.APIC (bit 9) follows
; IA32_APIC_BASE.EN, and the xAPIC page, not decoded while the APIC is
; disabled or in x2APIC mode, reads all ones. Reports CPUID.1:EDX[9] at
; port 0x60 (1 byte) and the version register at 0x61 (4 bytes): enabled,
; disabled, enabled again, then in x2APIC mode; 0x62 ends.
	bits 32
	org 0x8000
%include "common.inc"
%include "apic.inc"
	call report
	mov ecx, 0x1B
	rdmsr
	mov esi, eax
	and eax, ~((1 << 11) | (1 << 10))	; EN = EXTD = 0: disabled
	wrmsr
	call report
	mov dword [APIC + 0x30], 0	; dropped
	mov eax, esi
	xor edx, edx
	mov ecx, 0x1B
	wrmsr			; enabled again (xAPIC)
	call report
	mov eax, esi
	or eax, (1 << 11) | (1 << 10)	; x2APIC mode
	xor edx, edx
	mov ecx, 0x1B
	wrmsr
	call report
	mov al, 2
	out 0x62, al
	hlt
report:
	mov eax, 1
	cpuid
	mov eax, edx
	shr eax, 9
	and eax, 1
	out 0x60, al
	mov eax, [APIC + 0x30]
	out 0x61, eax
	ret
