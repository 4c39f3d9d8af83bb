/* SPDX-License-Identifier: MIT */
/*
 * The prepared-guest image: what vcpu-run hands to the ring-0 test kernel
 * (tests/ring0/vmm.c) as a boot module when the backend is svm or vmx. The
 * host loads the kernel and builds the boot information as for KVM
 * (loader.c, multiboot.c, pvh.c); the image carries the result: the guest's
 * RAM (only its non-zero ranges), the boot CPU's entry state and the
 * settings of the VM and its devices. Little-endian, x86-64 layout:
 *
 *   struct vmm_image_header
 *   nranges times: struct vmm_image_range, then len bytes, padded to 8 bytes
 *
 * vmm_image_check() (image.c, freestanding) validates all of it before the
 * kernel touches anything; the entry state is checked again by
 * lv_vcpu_set_state().
 */
#ifndef VMM_IMAGE_H
#define VMM_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include <libvcpu/state.h>

#define VMM_IMAGE_MAGIC	  "LVVMMIMG"
#define VMM_IMAGE_VERSION 1u

/* Header flags: the devices and outputs the run asks for. */
#define VMM_IMAGE_TESTDEV (1u << 0) /* --testdev: pc-testdev's ports and MMIO */
#define VMM_IMAGE_TRACE	  (1u << 1) /* --trace: one line per exit */
#define VMM_IMAGE_STATS	  (1u << 2) /* --stats: the statistics at the end */
#define VMM_IMAGE_IRQCHIP (1u << 3) /* LV_VM_IRQCHIP (--irqchip, -smp N) */
#define VMM_IMAGE_PIT	  (1u << 4) /* LV_VM_PIT (a Linux kernel) */
/*
 * A Linux kernel's PC parts: ACPI's PM registers (pm.c), and the ROM area
 * 0xc0000-0xfffff as RAM, where acpi.c and mptable.c put their tables.
 */
#define VMM_IMAGE_ACPI	  (1u << 5)
#define VMM_IMAGE_FLAGS	  0x3fu

/*
 * Guest RAM: [0, 0xa0000) and [1 MiB, ram_size), as vcpu-run maps it on KVM;
 * with VMM_IMAGE_ACPI [0xc0000, 1 MiB) too.
 */
#define VMM_IMAGE_RAM_MIN  (4ull << 20)
#define VMM_IMAGE_RAM_MAX  (3ull << 30)
#define VMM_IMAGE_MAX_CPUS 64u

struct vmm_image_header {
	char magic[8];	      /* VMM_IMAGE_MAGIC, without its NUL */
	uint32_t version;     /* VMM_IMAGE_VERSION */
	uint32_t header_size; /* sizeof(struct vmm_image_header) */
	uint64_t image_size;  /* the whole image, header included */
	uint64_t ram_size;    /* whole MiB, VMM_IMAGE_RAM_MIN to VMM_IMAGE_RAM_MAX */
	uint32_t ncpus;	      /* 1 to VMM_IMAGE_MAX_CPUS */
	uint32_t flags;	      /* VMM_IMAGE_* */
	uint32_t nranges;     /* RAM ranges that follow, ascending, not overlapping */
	uint32_t reserved;    /* 0 */
	/* The boot CPU: LV_STATE_GPRS and LV_STATE_SEGMENTS whole, and of CONTROL: */
	struct lv_regs regs;
	struct lv_segs segs;
	uint64_t cr0, cr3, cr4, efer;
};

struct vmm_image_range {
	uint64_t gpa, len; /* then len bytes of RAM contents */
};

/* A validated image (pointers into the caller's buffer). */
struct vmm_image {
	struct vmm_image_header hdr;
	const uint8_t *base;
	uint64_t size;
};

/*
 * Validate the image of @p size bytes at @p buf and fill @p out. Returns
 * NULL when it is valid, else a message naming what is wrong.
 */
const char *vmm_image_check(const void *buf, uint64_t size, struct vmm_image *out);

/*
 * The RAM range after @p *cursor (0 for the first) of a validated image:
 * 1 with @p gpa, @p len and @p data filled, 0 after the last.
 */
int vmm_image_next(const struct vmm_image *img, uint64_t *cursor, uint64_t *gpa, uint64_t *len,
		   const uint8_t **data);

/* True if [gpa, gpa + len) is guest RAM of @p ram_size bytes with image @p flags. */
int vmm_image_is_ram(uint64_t ram_size, uint32_t flags, uint64_t gpa, uint64_t len);

/* The start of the legacy hole's upper part that is RAM with image @p flags (1 MiB if none). */
uint64_t vmm_image_hole_end(uint32_t flags);

#endif /* VMM_IMAGE_H */
