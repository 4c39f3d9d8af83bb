/* SPDX-License-Identifier: MIT */
/*
 * vcpu-run, the toy VMM: shared types of its parts (guest memory, boot
 * loaders, devices). Everything here sits on the public libvcpu API.
 */
#ifndef VMM_H
#define VMM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Guest-physical memory: RAM at [0, size), backed by one host buffer. */
struct guest_mem {
	uint8_t *ram;
	uint64_t size;
};

/* The legacy hole (VGA, option ROMs, BIOS) is never RAM, as on a PC. */
#define LEGACY_HOLE_START 0xa0000u
#define LEGACY_HOLE_END	  0x100000u
#define ROM_AREA_START	  0xc0000u /* zeroed memory for a Linux guest's ROM and table scans */
/* Largest RAM the VMM maps below the 4 GiB MMIO window. */
#define MAX_RAM_BYTES	  (3ull << 30)
/* Low area where the VMM writes the GDT and the boot information. */
#define BOOT_GDT_ADDR	  0x500u
#define BOOT_LOW_END	  0x8000u /* the GDT and the entry stack: no kernel below */
#define BOOT_INFO_START	  0x8000u
#define BOOT_INFO_END	  0x9f000u
#define BOOT_STACK_TOP	  0x7000u
#define PIC_BOOT_ADDR	  0x600u /* pic_boot.c's code, after the GDT */
#define PIC_BOOT_SIZE	  64u

/* True if [gpa, gpa + len) is RAM the loader may write. */
int mem_is_ram(const struct guest_mem *m, uint64_t gpa, uint64_t len);

/* One boot module (QEMU -initrd syntax: "path args", comma-separated). */
struct boot_module {
	char *cmdline; /* the whole "path args" string */
	uint8_t *data;
	size_t size;
};

/* What the command line asks the loader to boot. */
struct boot_request {
	const char *kernel_path;
	const char *append; /* NULL if no -a */
	struct boot_module *mods;
	size_t nmods;
};

enum boot_protocol { BOOT_MULTIBOOT = 1, BOOT_PVH = 2, BOOT_LINUX = 3 };

/*
 * Where the kernel landed and how to enter it: 32-bit flat with paging off
 * (Multiboot, PVH), or 64-bit with the loader's page tables (Linux).
 */
struct boot_entry {
	int protocol;
	uint32_t eip, eax, ebx;
	uint64_t image_low, image_high; /* physical range the image occupies */
	/* BOOT_LINUX: the entry (64-bit, else 32-bit), boot_params in RSI, the page tables */
	uint64_t entry64, rsi, cr3;
	int linux64;		  /* the 64-bit entry point (xloadflags XLF_KERNEL_64) */
	int linux_pvh;		  /* BOOT_PVH: the ELF's guest OS note says "linux" */
	const uint8_t *linux_hdr; /* the bzImage file (its setup header) */
	size_t linux_hdr_end;	  /* the end of the setup header in it */
};

/* A file read into memory. */
struct file_buf {
	uint8_t *data;
	size_t size;
};

int read_file(const char *path, struct file_buf *out);

/*
 * Load the kernel image @p img into guest memory and fill @p entry.
 * Prints a message naming @p path and returns -1 on any malformed or
 * unsupported input; never writes outside guest RAM.
 */
int load_kernel(const char *path, const struct file_buf *img, struct guest_mem *m,
		struct boot_entry *entry);

/* Place the modules page-aligned after the image; fills nothing else. */
int place_modules(const struct boot_request *req, struct guest_mem *m,
		  const struct boot_entry *entry, uint64_t *mod_addr);

/* Write the Multiboot information block; sets entry->eax/ebx. */
int multiboot_setup(const struct boot_request *req, struct guest_mem *m, struct boot_entry *entry);

/* True if @p img is a bzImage (boot sector signature and "HdrS"). */
int linux_is_bzimage(const struct file_buf *img);

/* Load a bzImage's protected-mode kernel (linux.c); messages as load_kernel(). */
int load_bzimage(const char *path, const struct file_buf *img, struct guest_mem *m,
		 struct boot_entry *entry);

/* Write boot_params, the command line, the initrd and page tables; sets entry->rsi/cr3. */
int linux_setup(const struct boot_request *req, struct guest_mem *m, struct boot_entry *entry);

/* Write an MP table for @p ncpus CPUs in the BIOS area (mptable.c); -1 if too many. */
int mptable_write(struct guest_mem *m, unsigned ncpus);

/*
 * Write the ACPI tables (RSDP, RSDT, XSDT, FADT, FACS, DSDT with \_S5, MADT)
 * for @p ncpus CPUs in the BIOS area below the MP table (acpi.c); -1 if too many.
 */
int acpi_write(struct guest_mem *m, unsigned ncpus);

/*
 * Write code at PIC_BOOT_ADDR that programs the 8259 PICs as a PC BIOS
 * leaves them, loads EAX with @p eax and jumps to @p entry (pic_boot.c).
 * Returns the code's address, where the boot CPU starts instead.
 */
uint32_t pic_boot_write(struct guest_mem *m, uint32_t entry, uint32_t eax);

/* Write the PVH hvm_start_info; sets entry->ebx. */
int pvh_setup(const struct boot_request *req, struct guest_mem *m, struct boot_entry *entry);

/* The PC memory map the VMM reports (the layout QEMU + SeaBIOS give). */
struct e820_entry {
	uint64_t addr, len;
	uint32_t type; /* 1 = RAM, 2 = reserved */
};
#define E820_MAX 8
size_t e820_build(uint64_t ram_size, struct e820_entry *out);

/* Bump allocator over the low boot-information area. */
struct boot_area {
	struct guest_mem *m;
	uint32_t next, end;
};
/*
 * Where the boot information goes: [BOOT_INFO_START, BOOT_INFO_END) when the
 * kernel leaves it free, else the pages after the kernel and its modules
 * (@p mod_end: the end of the last module, 0 without modules), as QEMU puts
 * its Multiboot buffer after the image.
 */
void boot_area_init(struct boot_area *a, struct guest_mem *m, const struct boot_entry *entry,
		    uint64_t mod_end);
/* Returns the guest address of @p len zeroed bytes, or 0 when full. */
uint32_t boot_alloc(struct boot_area *a, uint32_t len, uint32_t align);
uint32_t boot_strdup(struct boot_area *a, const char *s);

struct lv_state;
/* The boot CPU's entry state for @p e on top of @p st (GPRS, SEGMENTS, CR0/3/4, EFER; main.c). */
void entry_state(struct lv_state *st, const struct boot_entry *e);

/* vcpu-run -b svm | -b vmx: the guest runs in the ring-0 test kernel under an emulator (ring0.c). */
/* -b svm|vmx: one emulated CPU per vCPU; the test kernel starts up to four (tests/ring0/smp.c). */
#define RING0_MAX_SMP 4u

struct ring0_request {
	uint32_t backend;     /* LV_BACKEND_SVM or LV_BACKEND_VMX */
	const char *emulator; /* "qemu" or "bochs" */
	unsigned ncpus;	      /* 1 to RING0_MAX_SMP: the emulator gets as many CPUs */
	uint32_t flags;	      /* VMM_IMAGE_* (image.h) */
	double timeout_s;
};
/* Write the image, run the emulator, relay its output; returns the process exit status. */
int ring0_run(const struct ring0_request *rq, const struct guest_mem *m,
	      const struct boot_entry *e);

void vmm_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* VMM_H */
