; SPDX-License-Identifier: MIT
; Execute protection, 32-bit. The guest writes a tiny routine (OUT 0x71;
; RET) into the page at 0x105000; at port 0x61 the host takes LV_PROT_EXEC
; from that page (keeping read and write), then the guest calls it: the
; fetch must exit (LV_EXIT_NPF, access EXEC) without running it. With EXEC
; given back the call runs.
	bits 32
	org 0x8000
	mov byte [0x105000], 0xe6	; out 0x71, al
	mov byte [0x105001], 0x71
	mov byte [0x105002], 0xc3	; ret
	mov al, 1
	out 0x61, al
	mov al, 0x71
	call 0x105000
	mov al, 2
	out 0x62, al
	hlt
