; SPDX-License-Identifier: MIT
; XSAVE round trip (cases xsave_roundtrip_sse / xsave_roundtrip_avx): SSE
; (and AVX, see fpu_inc.inc) on; CR0.TS set, OUT 0x76, TS still set, CLTS,
; OUT 0x76, TS clear, CR4.OSXSAVE and CPUID's OSXSAVE as set (else OUT
; 0x77, HLT); then OUT 0x70 (AL = 1 with AVX): the host
; sets the FPU state now. With AVX the guest checks XCR0 is still 7 (else
; OUT 0x74 with XCR0 in EAX, HLT). It stores XMM0-15 / YMM0-15 to BUF and
; ST0 (as a double, FSTP) to X87, OUT 0x71; then loads DATA + 0x800 (the
; host's second pattern), FLDPI, HLT. 64-bit.
%include "common.inc"
%include "fpu_inc.inc"
	bits 64
	org 0x8000
	fpu_on
	; CR0.TS, CR4.OSXSAVE and CPUID.1:ECX.OSXSAVE read as the guest's own,
	; also after exits (the FPU switch forces the real bits meanwhile).
	mov rax, cr0
	or rax, 1 << 3			; TS = 1 (no FPU use until CLTS)
	mov cr0, rax
	out 0x76, al
	mov rax, cr0
	test eax, 1 << 3
	jz .not_own
	clts
	out 0x76, al
	mov rax, cr0
	test eax, 1 << 3
	jnz .not_own
	mov rax, cr4
	shr rax, 18
	and eax, 1
	cmp eax, ebp
	jne .not_own
	mov eax, 1
	cpuid
	shr ecx, 27
	and ecx, 1
	cmp ecx, ebp
	jne .not_own
	mov eax, ebp
	out 0x70, al
	test ebp, ebp
	jz .xcr0_ok
	xor ecx, ecx
	xgetbv
	cmp eax, 7
	je .xcr0_ok
	out 0x74, eax			; XCR0 lost across the exit
	hlt
.xcr0_ok:
	call store
	fstp qword [X87]
	out 0x71, al
	mov rsi, DATA + 0x800
	call load
	fldpi
	hlt
.not_own:
	out 0x77, al
	hlt
	def_store
	def_load
