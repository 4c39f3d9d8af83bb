/* SPDX-License-Identifier: MIT */
/*
 * The Linux x86 boot protocol (the kernel's Documentation/arch/x86/boot.rst),
 * for a bzImage of protocol 2.06 or later, entered at its 64-bit entry point
 * when it has one (xloadflags XLF_KERNEL_64, protocol 2.12+; "64-bit Boot
 * Protocol" in boot.rst), else at its 32-bit one ("32-bit Boot Protocol").
 * The loader does what a boot loader without real-mode setup code does:
 *  - the setup header (offset 0x1f1, its length in the byte at 0x201) is
 *    copied into a zeroed boot_params ("zero page") and completed:
 *    type_of_loader, cmd_line_ptr, ramdisk_image/size, the e820 table;
 *  - the protected-mode kernel (the file from (setup_sects + 1) * 512 on)
 *    goes to pref_address (protocol 2.10+) when the kernel is relocatable,
 *    else to 1 MiB, and needs init_size bytes of RAM from there;
 *  - the initrd goes as high as it can below initrd_addr_max and the end
 *    of RAM, page-aligned, as QEMU places it;
 *  - the entry state: a GDT with flat __BOOT_CS (0x10) and __BOOT_DS
 *    (0x18), interrupts off, RSI = boot_params; 64-bit mode with paging on
 *    (an identity map of the first 4 GiB, 2 MiB pages) at the protected-mode
 *    kernel + 0x200, or 32-bit protected mode, paging off, at its start
 *    (main.c sets the registers).
 */
#include <stddef.h>
#include <string.h>

#include "vmm.h"

/* Offsets in the boot sector / boot_params (boot.rst "THE REAL-MODE KERNEL HEADER"). */
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE  0x0c4
#define BP_EXT_CMD_LINE_PTR  0x0c8
#define BP_E820_ENTRIES	     0x1e8
#define BP_SETUP_SECTS	     0x1f1
#define BP_BOOT_FLAG	     0x1fe
#define BP_JUMP		     0x200
#define BP_HEADER	     0x202
#define BP_VERSION	     0x206
#define BP_TYPE_OF_LOADER    0x210
#define BP_LOADFLAGS	     0x211
#define BP_CODE32_START	     0x214
#define BP_RAMDISK_IMAGE     0x218
#define BP_RAMDISK_SIZE	     0x21c
#define BP_CMD_LINE_PTR	     0x228
#define BP_INITRD_ADDR_MAX   0x22c
#define BP_KERNEL_ALIGNMENT  0x230
#define BP_RELOCATABLE	     0x234
#define BP_XLOADFLAGS	     0x236
#define BP_CMDLINE_SIZE	     0x238
#define BP_PREF_ADDRESS	     0x258
#define BP_INIT_SIZE	     0x260
#define BP_E820_TABLE	     0x2d0
#define BP_E820_MAX	     128u
#define BP_SIZE		     4096u

#define HDRS_MAGIC	    0x53726448u /* "HdrS" */
#define LOADED_HIGH	    0x01u
#define XLF_KERNEL_64	    0x01u
#define LOADER_UNDEFINED    0xffu	/* type_of_loader: a boot loader without an assigned ID */
#define OLD_INITRD_ADDR_MAX 0x37ffffffu /* before protocol 2.03 */
#define ENTRY64_OFFSET	    0x200u
#define SEABIOS_TOP_RESERVE 0x20000u /* the top of RAM e820_build() reports reserved */

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4); /* x86 hosts only: little-endian */
}

int linux_is_bzimage(const struct file_buf *img)
{
	return img->size >= BP_HEADER + 4 && rd16(img->data + BP_BOOT_FLAG) == 0xaa55 &&
	       rd32(img->data + BP_HEADER) == HDRS_MAGIC;
}

int load_bzimage(const char *path, const struct file_buf *img, struct guest_mem *m,
		 struct boot_entry *entry)
{
	const uint8_t *h = img->data;
	unsigned setup_sects = h[BP_SETUP_SECTS] ? h[BP_SETUP_SECTS] : 4;
	size_t setup_len = (size_t)(setup_sects + 1) * 512, hdr_end;
	uint16_t version = rd16(h + BP_VERSION);
	uint64_t load, init_size, kernel_len;

	memset(entry, 0, sizeof(*entry));
	if (version < 0x206) {
		vmm_error("%s: Linux boot protocol %u.%02u is older than 2.06, which vcpu-run "
			  "needs",
			  path, version >> 8, version & 0xff);
		return -1;
	}
	hdr_end = BP_HEADER + (size_t)h[BP_JUMP + 1];
	if (setup_len > img->size || hdr_end > img->size) {
		vmm_error("%s: bzImage is truncated: its setup code (%zu bytes) or header "
			  "(%zu bytes) is longer than the file (%zu bytes)",
			  path, setup_len, hdr_end, img->size);
		return -1;
	}
	if (hdr_end < BP_CMDLINE_SIZE + 4) {
		vmm_error("%s: the setup header (%zu bytes) is too short for protocol %u.%02u",
			  path, hdr_end - BP_SETUP_SECTS, version >> 8, version & 0xff);
		return -1;
	}
	if (!(h[BP_LOADFLAGS] & LOADED_HIGH)) {
		vmm_error("%s: zImage (loadflags LOADED_HIGH clear): only a bzImage can be "
			  "loaded",
			  path);
		return -1;
	}
	kernel_len = img->size - setup_len;
	if (kernel_len == 0) {
		vmm_error("%s: bzImage is truncated: no protected-mode kernel after the setup "
			  "code",
			  path);
		return -1;
	}
	/* Protocol 2.04+: syssize (0x1f4) is the protected-mode part in 16-byte units. */
	if ((uint64_t)rd32(h + 0x1f4) * 16 > kernel_len) {
		vmm_error("%s: bzImage is truncated: its header says %llu bytes of "
			  "protected-mode kernel, the file has %llu",
			  path, (unsigned long long)rd32(h + 0x1f4) * 16,
			  (unsigned long long)kernel_len);
		return -1;
	}
	/* pref_address and init_size: protocol 2.10+ (before: 1 MiB, the file's size). */
	load = h[BP_RELOCATABLE] && version >= 0x20a ? rd64(h + BP_PREF_ADDRESS)
						     : rd32(h + BP_CODE32_START);
	init_size = version >= 0x20a ? rd32(h + BP_INIT_SIZE) : 0;
	if (init_size < kernel_len)
		init_size = kernel_len;
	if (load < LEGACY_HOLE_END || load + init_size < load || !mem_is_ram(m, load, init_size)) {
		vmm_error("%s: the kernel needs 0x%llx-0x%llx (init_size %llu MiB at its "
			  "preferred address), which is not all in guest RAM (0x100000-0x%llx): "
			  "give more memory (-m)",
			  path, (unsigned long long)load,
			  (unsigned long long)(load + init_size - 1),
			  (unsigned long long)(init_size >> 20), (unsigned long long)(m->size - 1));
		return -1;
	}
	memcpy(m->ram + load, img->data + setup_len, kernel_len);
	entry->protocol = BOOT_LINUX;
	entry->image_low = load;
	entry->image_high = load + init_size;
	entry->linux64 = version >= 0x20c && (rd16(h + BP_XLOADFLAGS) & XLF_KERNEL_64);
	entry->entry64 = entry->linux64 ? load + ENTRY64_OFFSET : load;
	entry->linux_hdr = img->data;
	entry->linux_hdr_end = hdr_end;
	return 0;
}

/* The initrd as high as it fits below initrd_addr_max and the RAM that e820 gives. */
static int place_initrd(const struct boot_request *req, struct guest_mem *m,
			const struct boot_entry *entry, uint64_t *addr)
{
	const struct boot_module *rd = &req->mods[0];
	const uint8_t *h = entry->linux_hdr;
	uint64_t max = rd16(h + BP_VERSION) >= 0x203 ? rd32(h + BP_INITRD_ADDR_MAX)
						     : OLD_INITRD_ADDR_MAX;
	uint64_t top = m->size - SEABIOS_TOP_RESERVE, low = entry->image_high;

	if (req->nmods > 1) {
		vmm_error("a Linux kernel takes one initrd (-i FILE), not %zu", req->nmods);
		return -1;
	}
	if (max + 1 < top)
		top = max + 1;
	if (rd->size > top || ((top - rd->size) & ~0xfffull) < low) {
		if (top == max + 1)
			vmm_error("initrd '%s' (%zu bytes) does not fit between the kernel's end "
				  "(0x%llx) and its initrd_addr_max (0x%llx)",
				  rd->cmdline, rd->size, (unsigned long long)low,
				  (unsigned long long)max);
		else
			vmm_error("initrd '%s' (%zu bytes) is too large for guest RAM: %llu "
				  "bytes free above the kernel (0x%llx-0x%llx); give more memory "
				  "(-m)",
				  rd->cmdline, rd->size,
				  (unsigned long long)(top > low ? top - low : 0),
				  (unsigned long long)low, (unsigned long long)top - 1);
		return -1;
	}
	*addr = (top - rd->size) & ~0xfffull;
	memcpy(m->ram + *addr, rd->data, rd->size);
	return 0;
}

/* PML4, PDPT and four page directories: the first 4 GiB identity-mapped with 2 MiB pages. */
static uint32_t build_page_tables(struct boot_area *a)
{
	uint32_t pml4 = boot_alloc(a, 6 * 4096, 4096);
	uint64_t *t;
	unsigned i;

	if (!pml4)
		return 0;
	t = (uint64_t *)(a->m->ram + pml4);
	t[0] = (pml4 + 0x1000) | 0x3; /* present, writable */
	for (i = 0; i < 4; i++)
		t[512 + i] = (pml4 + 0x2000 + 0x1000ull * i) | 0x3;
	for (i = 0; i < 4 * 512; i++)
		t[1024 + i] = ((uint64_t)i << 21) | 0x83; /* present, writable, 2 MiB (PS) */
	return pml4;
}

int linux_setup(const struct boot_request *req, struct guest_mem *m, struct boot_entry *entry)
{
	const uint8_t *h = entry->linux_hdr;
	struct e820_entry map[E820_MAX];
	uint32_t cmdline_size = rd32(h + BP_CMDLINE_SIZE);
	const char *cmdline = req->append ? req->append : "";
	uint64_t initrd = 0;
	struct boot_area a;
	uint32_t bp, cl;
	uint8_t *p;
	size_t i, n;

	if (strlen(cmdline) > cmdline_size) {
		vmm_error("command line (%zu bytes) is longer than the kernel's cmdline_size "
			  "(%u)",
			  strlen(cmdline), cmdline_size);
		return -1;
	}
	if (req->nmods && place_initrd(req, m, entry, &initrd))
		return -1;
	boot_area_init(&a, m, entry, 0);
	bp = boot_alloc(&a, BP_SIZE, 4096);
	cl = boot_strdup(&a, cmdline);
	entry->cr3 = build_page_tables(&a);
	if (!bp || !cl || !entry->cr3) {
		vmm_error("boot information does not fit in 0x%x-0x%x", BOOT_INFO_START,
			  BOOT_INFO_END - 1);
		return -1;
	}
	p = m->ram + bp;
	memcpy(p + BP_SETUP_SECTS, h + BP_SETUP_SECTS, entry->linux_hdr_end - BP_SETUP_SECTS);
	p[BP_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	wr32(p + BP_CMD_LINE_PTR, cl);
	wr32(p + BP_EXT_CMD_LINE_PTR, 0);
	wr32(p + BP_RAMDISK_IMAGE, (uint32_t)initrd);
	wr32(p + BP_EXT_RAMDISK_IMAGE, (uint32_t)(initrd >> 32));
	wr32(p + BP_RAMDISK_SIZE, req->nmods ? (uint32_t)req->mods[0].size : 0);
	wr32(p + BP_EXT_RAMDISK_SIZE, 0);
	n = e820_build(m->size, map);
	for (i = 0; i < n && i < BP_E820_MAX; i++) {
		uint8_t *e = p + BP_E820_TABLE + 20 * i;

		memcpy(e, &map[i].addr, 8);
		memcpy(e + 8, &map[i].len, 8);
		wr32(e + 16, map[i].type);
	}
	p[BP_E820_ENTRIES] = (uint8_t)i;
	entry->rsi = bp;
	return 0;
}
