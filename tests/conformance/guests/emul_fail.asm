; SPDX-License-Identifier: MIT
; An x87 load from MMIO, which no backend's instruction emulator handles
; (KVM's emulator has no FILD; libvcpu's emulates integer instructions
; only): the run must end in an emulation-failure exit. 64-bit.
%include "common.inc"
	bits 64
	org 0x8000
	fild dword [MMIO + 0x100]
	hlt
