; SPDX-License-Identifier: MIT
; hello-pvh: a PVH guest (ELF32 with a XEN_ELFNOTE_PHYS32_ENTRY note, no
; Multiboot header). Checks the hvm_start_info magic, prints the command
; line, the modules and whether the memory map covers the kernel, and exits
; through isa-debug-exit with 0x11 (process status 35).

%define START_INFO_MAGIC	0x336ec578
%define XEN_ELFNOTE_PHYS32_ENTRY 18

; struct hvm_start_info (Xen public/arch-x86/hvm/start_info.h).
%define SI_MAGIC	0
%define SI_VERSION	4
%define SI_NR_MODULES	12
%define SI_MODLIST	16	; 64-bit physical address
%define SI_CMDLINE	24	; 64-bit physical address
%define SI_MEMMAP	40	; 64-bit, version >= 1
%define SI_MEMMAP_N	48	; version >= 1

bits 32
extern start_of_image, end_of_image

section .note.pvh note
align 4
	dd	4			; name size ("Xen" + NUL)
	dd	4			; value size
	dd	XEN_ELFNOTE_PHYS32_ENTRY
	db	"Xen", 0
	dd	pvh_start

%include "lib.inc"

section .text
global start
start:
pvh_start:
	mov	esp, stack_top
	mov	ebp, ebx		; keep the start_info pointer
	call	uart_init
	mov	esi, msg_hello
	call	puts
	cmp	dword [ebp + SI_MAGIC], START_INFO_MAGIC
	jne	.bad_magic
	mov	esi, msg_magic
	call	puts

	mov	esi, msg_cmdline
	call	puts
	mov	esi, [ebp + SI_CMDLINE]
	test	esi, esi
	jz	.no_cmdline
	call	puts
	call	maybe_special
.no_cmdline:
	mov	al, 10
	call	putc

	mov	esi, msg_mods
	call	puts
	mov	eax, [ebp + SI_NR_MODULES]
	call	putdec
	mov	al, 10
	call	putc
	mov	ebx, [ebp + SI_MODLIST]
	xor	edi, edi
.next_mod:
	cmp	edi, [ebp + SI_NR_MODULES]
	jae	.mods_done
	call	print_module
	add	ebx, 32
	inc	edi
	jmp	.next_mod
.mods_done:

	cmp	dword [ebp + SI_VERSION], 1
	jb	.no_memmap
	mov	esi, msg_memmap
	call	puts
	mov	ebx, [ebp + SI_MEMMAP]
	mov	ecx, [ebp + SI_MEMMAP_N]
.next_entry:
	jecxz	.memmap_bad
	cmp	dword [ebx + 16], 1	; type 1 = RAM
	jne	.skip
	cmp	dword [ebx + 4], 0
	jne	.skip
	mov	eax, [ebx]		; base
	cmp	eax, start_of_image
	ja	.skip
	add	eax, [ebx + 8]		; base + size (low dword)
	jc	.memmap_ok
	cmp	eax, end_of_image
	jae	.memmap_ok
.skip:
	add	ebx, 24
	dec	ecx
	jmp	.next_entry
.memmap_bad:
	mov	esi, msg_no
	call	puts
	jmp	.no_memmap
.memmap_ok:
	mov	esi, msg_yes
	call	puts
.no_memmap:
	; String IO: rep insb reads LSR four times, rep outsb writes a line.
	mov	dx, COM1 + UART_LSR
	mov	edi, lsr_values
	mov	ecx, 4
	cld
	rep insb
	mov	esi, msg_lsr
	call	puts
	mov	eax, [lsr_values]
	call	puthex
	mov	al, 10
	call	putc
	mov	dx, COM1 + UART_THR
	mov	esi, msg_string_io
	mov	ecx, msg_string_io_len
	rep outsb
	mov	esi, msg_bye
	call	puts
	mov	al, 0x11
	call	exit_with

.bad_magic:
	mov	esi, msg_bad_magic
	call	puts
	mov	al, 0x7f
	call	exit_with

; print_module: ebx = hvm_modlist_entry. Prints its size and first line.
print_module:
	mov	esi, msg_mod
	call	puts
	mov	eax, [ebx + 8]		; size (low dword)
	call	putdec
	mov	esi, msg_mod_first
	call	puts
	mov	esi, [ebx]		; paddr (low dword)
	jmp	put_first_line

section .rodata
msg_hello:	db "Hello from a PVH guest!", 10, 0
msg_magic:	db "start_info magic: ok", 10, 0
msg_bad_magic:	db "start_info magic: bad", 10, 0
msg_cmdline:	db "command line: ", 0
msg_mods:	db "modules: ", 0
msg_mod:	db "  module of ", 0
msg_mod_first:	db " bytes: ", 0
msg_memmap:	db "memory map covers the kernel: ", 0
msg_yes:	db "yes", 10, 0
msg_no:		db "no", 10, 0
msg_bye:	db "bye", 10, 0
msg_lsr:	db "line status (rep insb): ", 0
msg_string_io:	db "written with rep outsb", 10
msg_string_io_len equ $ - msg_string_io

section .bss
align 16
lsr_values:	resb 4
stack:		resb 4096
stack_top:
