; SPDX-License-Identifier: MIT
; hello-mb: a Multiboot v1 guest (ELF32, loaded at 1 MiB). Checks the boot
; magic, prints what the Multiboot information block holds (memory sizes,
; command line, modules, whether the memory map covers the kernel), tests
; the UART scratch register, and exits through isa-debug-exit with 0x10
; (process status 33). "triple" / "halt" on the command line select the
; triple-fault and HLT-with-IF=0 endings instead.

%define MB_MAGIC	0x1badb002
%ifdef AOUT_KLUDGE
; Built as ELF64 (hello-mb64.elf): QEMU and vcpu-run then load the image from
; the header's address fields (flags bit 16) instead of the ELF headers.
%define MB_FLAGS	0x00010003
%else
%define MB_FLAGS	0x00000003	; bit 0: page-align modules, bit 1: memory info
%endif
%define MB_BOOT_MAGIC	0x2badb002

; Multiboot information block (Multiboot 0.6.96, section 3.3).
%define MBI_FLAGS	0
%define MBI_MEM_LOWER	4
%define MBI_MEM_UPPER	8
%define MBI_CMDLINE	16
%define MBI_MODS_COUNT	20
%define MBI_MODS_ADDR	24
%define MBI_MMAP_LENGTH	44
%define MBI_MMAP_ADDR	48

bits 32
extern start_of_image, end_of_data, end_of_image

section .multiboot
align 4
mb_header:
	dd	MB_MAGIC
	dd	MB_FLAGS
	dd	-(MB_MAGIC + MB_FLAGS)
%ifdef AOUT_KLUDGE
	dd	mb_header		; header_addr
	dd	start_of_image		; load_addr
	dd	end_of_data		; load_end_addr
	dd	end_of_image		; bss_end_addr
	dd	start			; entry_addr
%endif

%include "lib.inc"

section .text
global start
start:
	mov	esp, stack_top
	mov	ebp, ebx		; keep the info block pointer
	push	eax
	call	uart_init
	mov	esi, msg_hello
	call	puts
	pop	eax
	cmp	eax, MB_BOOT_MAGIC
	jne	.bad_magic
	mov	esi, msg_magic
	call	puts

	test	dword [ebp + MBI_FLAGS], 1 << 0
	jz	.no_mem
	mov	esi, msg_mem_lower
	call	puts
	mov	eax, [ebp + MBI_MEM_LOWER]
	call	putdec
	mov	esi, msg_mem_upper
	call	puts
	mov	eax, [ebp + MBI_MEM_UPPER]
	call	putdec
	mov	esi, msg_kib
	call	puts
.no_mem:

	test	dword [ebp + MBI_FLAGS], 1 << 2
	jz	.no_cmdline
	mov	esi, msg_cmdline
	call	puts
	mov	esi, [ebp + MBI_CMDLINE]
	call	puts
	mov	al, 10
	call	putc
	; Skip the kernel's file name, which QEMU puts first.
.skip_name:
	lodsb
	test	al, al
	jz	.no_cmdline
	cmp	al, ' '
	jne	.skip_name
	call	maybe_special
.no_cmdline:

	test	dword [ebp + MBI_FLAGS], 1 << 3
	jz	.no_mods
	mov	esi, msg_mods
	call	puts
	mov	eax, [ebp + MBI_MODS_COUNT]
	call	putdec
	mov	al, 10
	call	putc
	mov	ebx, [ebp + MBI_MODS_ADDR]
	xor	edi, edi
.next_mod:
	cmp	edi, [ebp + MBI_MODS_COUNT]
	jae	.no_mods
	call	print_module
	add	ebx, 16
	inc	edi
	jmp	.next_mod
.no_mods:

	test	dword [ebp + MBI_FLAGS], 1 << 6
	jz	.no_mmap
	mov	esi, msg_mmap
	call	puts
	mov	ebx, [ebp + MBI_MMAP_ADDR]
	mov	ecx, ebx
	add	ecx, [ebp + MBI_MMAP_LENGTH]
.next_entry:
	cmp	ebx, ecx
	jae	.mmap_bad
	cmp	dword [ebx + 20], 1	; type 1 = available RAM
	jne	.skip
	cmp	dword [ebx + 8], 0	; base above 4 GiB
	jne	.skip
	mov	eax, [ebx + 4]		; base
	cmp	eax, start_of_image
	ja	.skip
	add	eax, [ebx + 12]		; base + length (low dword)
	jc	.mmap_ok
	cmp	eax, end_of_image
	jae	.mmap_ok
.skip:
	add	ebx, [ebx]
	add	ebx, 4
	jmp	.next_entry
.mmap_bad:
	mov	esi, msg_no
	call	puts
	jmp	.no_mmap
.mmap_ok:
	mov	esi, msg_yes
	call	puts
.no_mmap:

	; The scratch register keeps what is written to it.
	mov	dx, COM1 + UART_SCR
	mov	al, 0x5a
	out	dx, al
	in	al, dx
	mov	esi, msg_scratch_ok
	cmp	al, 0x5a
	je	.scratch
	mov	esi, msg_scratch_bad
.scratch:
	call	puts

	call	uart_registers
	mov	esi, msg_bye
	call	puts
	mov	al, 0x10
	call	exit_with

.bad_magic:
	mov	esi, msg_bad_magic
	call	puts
	call	puthex
	mov	al, 10
	call	putc
	mov	al, 0x7f
	call	exit_with

; uart_registers: print what the UART's registers read back after
; uart_init, then in loopback mode (MCR bit 4) after sending one byte.
uart_registers:
	mov	esi, msg_uart_regs
	call	puts
	mov	ebx, uart_reg_list
.next:
	movzx	edx, byte [ebx]
	cmp	dl, 0xff
	je	.latch
	add	dx, COM1
	in	al, dx
	call	puthex8
	mov	al, ' '
	call	putc
	inc	ebx
	jmp	.next
.latch:
	mov	al, 10
	call	putc
	mov	dx, COM1 + UART_LCR	; divisor latch readback (DLAB = 1)
	mov	al, 0x83
	out	dx, al
	mov	dx, COM1 + UART_DLL
	in	al, dx
	mov	bl, al
	mov	dx, COM1 + UART_DLM
	in	al, dx
	mov	bh, al
	mov	dx, COM1 + UART_LCR	; DLAB = 0 before printing again
	mov	al, 0x03
	out	dx, al
	mov	esi, msg_uart_dl
	call	puts
	mov	al, bl
	call	puthex8
	mov	al, bh
	call	puthex8
	mov	al, 10
	call	putc
	mov	dx, COM1 + UART_MCR	; loopback with DTR and OUT2
	mov	al, 0x19
	out	dx, al
	mov	dx, COM1 + UART_THR
	mov	al, 'L'
	out	dx, al
	mov	dx, COM1 + UART_LSR
	in	al, dx
	mov	bl, al
	mov	dx, COM1 + UART_THR
	in	al, dx
	mov	bh, al
	mov	dx, COM1 + UART_LSR
	in	al, dx
	mov	cl, al
	mov	dx, COM1 + 6		; MSR
	in	al, dx
	mov	ch, al
	mov	dx, COM1 + UART_MCR
	mov	al, 0x03
	out	dx, al
	mov	esi, msg_uart_loop
	call	puts
	mov	al, bl
	call	puthex8
	mov	al, ' '
	call	putc
	mov	al, bh
	call	puthex8
	mov	al, ' '
	call	putc
	mov	al, cl
	call	puthex8
	mov	al, ' '
	call	putc
	mov	al, ch
	call	puthex8
	mov	al, 10
	jmp	putc

; print_module: ebx = module entry. Prints its string, size and first line.
print_module:
	mov	esi, msg_mod
	call	puts
	mov	esi, [ebx + 8]
	call	puts
	mov	esi, msg_mod_size
	call	puts
	mov	eax, [ebx + 4]
	sub	eax, [ebx]
	call	putdec
	mov	esi, msg_mod_first
	call	puts
	mov	esi, [ebx]
	jmp	put_first_line

section .rodata
msg_hello:	db "Hello from a Multiboot guest!", 10, 0
msg_magic:	db "boot magic: ok", 10, 0
msg_bad_magic:	db "boot magic: bad, eax=0x", 0
msg_mem_lower:	db "memory: lower ", 0
msg_mem_upper:	db " KiB, upper ", 0
msg_kib:	db " KiB", 10, 0
msg_cmdline:	db "command line: ", 0
msg_mods:	db "modules: ", 0
msg_mod:	db "  module '", 0
msg_mod_size:	db "', ", 0
msg_mod_first:	db " bytes: ", 0
msg_mmap:	db "memory map covers the kernel: ", 0
msg_yes:	db "yes", 10, 0
msg_no:		db "no", 10, 0
msg_scratch_ok:	db "uart scratch register: ok", 10, 0
msg_scratch_bad: db "uart scratch register: bad", 10, 0
msg_uart_regs:	db "uart ier iir lcr mcr lsr msr: ", 0
msg_uart_dl:	db "uart divisor latch: ", 0
msg_uart_loop:	db "uart loopback lsr rbr lsr msr: ", 0
uart_reg_list:	db 1, 2, 3, 4, 5, 6, 0xff
msg_bye:	db "bye", 10, 0

section .bss
align 16
stack:		resb 4096
stack_top:
