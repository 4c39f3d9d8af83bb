; SPDX-License-Identifier: MIT
; pcitest: QEMU's pci-testdev on bus 0 as the firmware leaves it (vcpu-run
; --testdev, QEMU -device pci-testdev). Finds the host bridge at 00:00.0
; and the test device by its IDs (1b36:0005) through configuration
; mechanism #1, reads the device ID as kvm-unit-tests do (register 2 in
; the address register, a word at 0xcfc: QEMU keeps bits 1:0), prints its header and the sizes of BAR0-2 (written all
; ones, then restored), then runs the device's test protocol on BAR0
; (memory) and BAR1 (IO): select test n, read the width, offset and data,
; write the data 3 times at the offset, read the count (3, or 0 when a
; KVM ioeventfd swallowed the writes: both pass). Last, it moves the IO
; BAR to 0xd000 and reads test 0's name there, and turns memory decoding
; off (BAR0 reads then give 0). Exits with 0x15 (process status 43).

%define CFG_ADDR	0xcf8
%define CFG_DATA	0xcfc
%define WRITES		3

bits 32

%include "lib.inc"

	multiboot_header

	guest_start
	mov	eax, 0x80000000		; 00:00.0
	call	cfg_read
	mov	esi, msg_bridge
	call	puts
	call	puthex
	mov	al, 10
	call	putc
	mov	ebx, 0x80000000		; find 1b36:0005, function 0 of slots 0-31
.scan:	mov	eax, ebx
	call	cfg_read
	cmp	eax, 0x00051b36
	je	.found
	add	ebx, 1 << 11
	cmp	ebx, 0x80000000 + (32 << 11)
	jb	.scan
	mov	esi, msg_none
	call	puts
	mov	al, 0x15
	jmp	exit_with
.found:	mov	[dev], ebx
	lea	eax, [ebx + 2]		; register 2 in the address, a word at 0xcfc
	mov	dx, CFG_ADDR		; (as kvm-unit-tests reads the device ID)
	out	dx, eax
	mov	dx, CFG_DATA
	in	ax, dx
	movzx	eax, ax
	mov	esi, msg_devid
	call	puts
	call	puthex
	mov	al, 10
	call	putc
	mov	esi, msg_header
	call	puts
	mov	edi, 0			; registers 0x00-0x3c
.hdr:	lea	eax, [ebx + edi]
	call	cfg_read
	cmp	edi, 0x10		; BAR addresses are the firmware's: not printed
	je	.skip
	cmp	edi, 0x14
	je	.skip
	call	puthex
	mov	al, ' '
	call	putc
.skip:	add	edi, 4
	cmp	edi, 0x40
	jb	.hdr
	mov	al, 10
	call	putc
	mov	esi, msg_sizes
	call	puts
	mov	edi, 0x10		; BAR0-BAR2: all ones in, the size mask out
.size:	lea	eax, [ebx + edi]
	call	cfg_read
	push	eax
	lea	eax, [ebx + edi]
	mov	ecx, 0xffffffff
	call	cfg_write
	lea	eax, [ebx + edi]
	call	cfg_read
	call	puthex
	mov	al, ' '
	call	putc
	pop	ecx
	lea	eax, [ebx + edi]
	call	cfg_write
	add	edi, 4
	cmp	edi, 0x1c
	jb	.size
	mov	al, 10
	call	putc

	lea	eax, [ebx + 0x10]
	call	cfg_read
	and	eax, ~0xf
	mov	[membar], eax
	lea	eax, [ebx + 0x14]
	call	cfg_read
	and	eax, ~3
	mov	[iobar], eax
	mov	dword [io], 0
	call	run_tests
	mov	dword [io], 1
	call	run_tests

	lea	eax, [ebx + 0x14]	; the IO BAR moved
	mov	ecx, 0xd001
	call	cfg_write
	mov	dword [iobar], 0xd000
	xor	ecx, ecx
	call	select
	mov	esi, msg_moved
	call	puts
	call	put_name
	mov	al, 10
	call	putc
	lea	eax, [ebx + 4]		; memory decoding off
	call	cfg_read
	mov	ecx, eax
	and	ecx, ~2
	lea	eax, [ebx + 4]
	call	cfg_write
	mov	esi, [membar]
	mov	eax, [esi + 16]
	mov	esi, msg_off
	call	puts
	call	puthex
	mov	al, 10
	call	putc
	mov	al, 0x15
	jmp	exit_with

; cfg_read: eax = the dword at configuration address eax. Keeps others.
cfg_read:
	push	edx
	mov	dx, CFG_ADDR
	out	dx, eax
	mov	dx, CFG_DATA
	in	eax, dx
	pop	edx
	ret

; cfg_write: the dword at configuration address eax = ecx. Keeps all.
cfg_write:
	push	edx
	push	eax
	mov	dx, CFG_ADDR
	out	dx, eax
	mov	dx, CFG_DATA
	mov	eax, ecx
	out	dx, eax
	pop	eax
	pop	edx
	ret

; rd8/rd32: eax = the byte/dword at offset ecx of the current BAR ([io]).
rd8:	push	edx
	cmp	dword [io], 0
	jne	.io
	mov	edx, [membar]
	movzx	eax, byte [edx + ecx]
	pop	edx
	ret
.io:	mov	edx, [iobar]
	add	edx, ecx
	in	al, dx
	movzx	eax, al
	pop	edx
	ret
rd32:	push	edx
	cmp	dword [io], 0
	jne	.io
	mov	edx, [membar]
	mov	eax, [edx + ecx]
	pop	edx
	ret
.io:	mov	edx, [iobar]
	add	edx, ecx
	in	eax, dx
	pop	edx
	ret

; select: write test number cl to byte 0 of the current BAR.
select:	push	edx
	push	eax
	mov	al, cl
	cmp	dword [io], 0
	jne	.io
	mov	edx, [membar]
	mov	[edx], al
	jmp	.done
.io:	mov	edx, [iobar]
	out	dx, al
.done:	pop	eax
	pop	edx
	ret

; put_name: the test's name (from offset 16, at most 40 bytes). Keeps all.
put_name:
	pushad
	mov	ecx, 16
.next:	call	rd8
	test	al, al
	jz	.done
	call	putc
	inc	ecx
	cmp	ecx, 56
	jb	.next
.done:	popad
	ret

; run_tests: tests 0, 1, ... on the current BAR until one has no valid width.
run_tests:
	xor	ebp, ebp		; test number
.test:	mov	ecx, ebp
	call	select
	mov	esi, msg_mem
	cmp	dword [io], 0
	je	.what
	mov	esi, msg_io
.what:	call	puts
	mov	eax, ebp
	call	puthex8
	mov	al, ' '
	call	putc
	mov	ecx, 12
	call	rd32
	test	eax, eax
	jnz	.bad			; the count starts at 0
	mov	ecx, 1
	call	rd8
	mov	[width], eax
	cmp	al, 1
	je	.ok
	cmp	al, 2
	je	.ok
	cmp	al, 4
	je	.ok
	mov	esi, msg_end
	call	puts
	ret
.ok:	mov	ecx, 4
	call	rd32
	mov	edi, eax		; offset
	mov	ecx, 8
	call	rd32
	mov	[data], eax
	mov	ecx, WRITES
.write:	push	ecx
	call	write_one
	pop	ecx
	loop	.write
	mov	ecx, 12
	call	rd32
	cmp	eax, WRITES
	je	.counted
	test	eax, eax
	jnz	.bad
.counted:
	mov	esi, msg_width
	call	puts
	mov	eax, [width]
	call	puthex8
	mov	esi, msg_data
	call	puts
	mov	eax, [data]
	call	puthex
	mov	al, ' '
	call	putc
	call	put_name
	mov	esi, msg_pass
	call	puts
	inc	ebp
	cmp	ebp, 16
	jb	.test
	ret
.bad:	push	eax
	mov	esi, msg_count
	call	puts
	pop	eax
	call	puthex
	mov	al, 10
	jmp	putc

; write_one: [data] with [width] at offset edi of the current BAR.
write_one:
	mov	eax, [data]
	mov	ecx, [width]
	cmp	dword [io], 0
	jne	.io
	mov	edx, [membar]
	add	edx, edi
	cmp	cl, 1
	jne	.m2
	mov	[edx], al
	ret
.m2:	cmp	cl, 2
	jne	.m4
	mov	[edx], ax
	ret
.m4:	mov	[edx], eax
	ret
.io:	mov	edx, [iobar]
	add	edx, edi
	cmp	cl, 1
	jne	.i2
	out	dx, al
	ret
.i2:	cmp	cl, 2
	jne	.i4
	out	dx, ax
	ret
.i4:	out	dx, eax
	ret

section .rodata
msg_hello:	db "pci-testdev guest", 10, 0
msg_bridge:	db "00:00.0 id: ", 0
msg_devid:	db "device ID (address 0x..02, word at 0xcfc): ", 0
msg_none:	db "no pci-testdev on bus 0", 10, 0
msg_header:	db "pci-testdev header (without BAR0/1): ", 0
msg_sizes:	db "BAR0-2 size masks: ", 0
msg_mem:	db "mem test ", 0
msg_io:		db "io  test ", 0
msg_end:	db "none (end)", 10, 0
msg_width:	db "width ", 0
msg_data:	db " data ", 0
msg_pass:	db ": writes counted", 10, 0
msg_count:	db "bad count ", 0
msg_moved:	db "IO BAR moved to 0xd000, test 0: ", 0
msg_off:	db "memory decoding off, BAR0 offset 16 reads ", 0

section .bss
align 16
dev:		resd 1
membar:		resd 1
iobar:		resd 1
io:		resd 1
width:		resd 1
data:		resd 1
stack:		resb 4096
stack_top:
