/* SPDX-License-Identifier: MIT */
/*
 * The Multiboot v1 information block (Multiboot Specification 0.6.96,
 * section 3.3), filled the way QEMU's -kernel does it: memory sizes and map,
 * command line "<kernel path> <append>", modules named by their -initrd
 * text, boot loader name. The guest gets EAX = 0x2BADB002, EBX = block.
 */
#include <stddef.h>
#include <string.h>

#include "vmm.h"

#define MBI_FLAG_MEM	 (1u << 0)
#define MBI_FLAG_BOOTDEV (1u << 1)
#define MBI_FLAG_CMDLINE (1u << 2)
#define MBI_FLAG_MODS	 (1u << 3)
#define MBI_FLAG_MMAP	 (1u << 6)
#define MBI_FLAG_LOADER	 (1u << 9)

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper; /* KiB below 640K / contiguous above 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info, vbe_mode_info;
	uint16_t vbe_mode, vbe_interface_seg, vbe_interface_off, vbe_interface_len;
};
_Static_assert(offsetof(struct mb_info, cmdline) == 16, "mbi cmdline");
_Static_assert(offsetof(struct mb_info, mmap_length) == 44, "mbi mmap_length");
_Static_assert(offsetof(struct mb_info, boot_loader_name) == 64, "mbi loader name");
_Static_assert(sizeof(struct mb_info) == 88, "mbi size");

struct mb_module {
	uint32_t mod_start, mod_end, string, reserved;
};
_Static_assert(sizeof(struct mb_module) == 16, "module entry size");

/* One memory-map entry; `size` counts the bytes after itself (20). */
struct __attribute__((packed)) mb_mmap {
	uint32_t size;
	uint64_t base_addr, length;
	uint32_t type;
};
_Static_assert(sizeof(struct mb_mmap) == 24, "mmap entry size");

int multiboot_setup(const struct boot_request *req, struct guest_mem *m, struct boot_entry *entry)
{
	struct boot_area a;
	uint64_t mod_end = 0;
	struct e820_entry map[E820_MAX];
	uint64_t mod_addr[64];
	struct mb_info mbi;
	uint32_t mbi_at, mods_at, mmap_at, i, n;
	size_t cmd_len;
	char *cmd;

	if (req->nmods > sizeof(mod_addr) / sizeof(mod_addr[0])) {
		vmm_error("too many modules (%zu, at most 64)", req->nmods);
		return -1;
	}
	if (place_modules(req, m, entry, mod_addr))
		return -1;
	for (i = 0; i < req->nmods; i++)
		if (mod_addr[i] + req->mods[i].size > mod_end)
			mod_end = mod_addr[i] + req->mods[i].size;
	boot_area_init(&a, m, entry, mod_end);
	memset(&mbi, 0, sizeof(mbi));
	mbi_at = boot_alloc(&a, sizeof(mbi), 16);

	/* QEMU passes the kernel's file name, a space, then the -append text. */
	cmd_len = strlen(req->kernel_path) + 2 + (req->append ? strlen(req->append) : 0);
	if (cmd_len > BOOT_INFO_END || !(mbi.cmdline = boot_alloc(&a, (uint32_t)cmd_len, 1)))
		goto full;
	cmd = (char *)m->ram + mbi.cmdline;
	strcpy(cmd, req->kernel_path);
	strcat(cmd, " "); /* even without -append, as QEMU does */
	if (req->append)
		strcat(cmd, req->append);

	mods_at = boot_alloc(&a, (uint32_t)(req->nmods * sizeof(struct mb_module)) + 1, 16);
	if (!mods_at)
		goto full;
	for (i = 0; i < req->nmods; i++) {
		struct mb_module mod = { (uint32_t)mod_addr[i],
					 (uint32_t)(mod_addr[i] + req->mods[i].size),
					 boot_strdup(&a, req->mods[i].cmdline), 0 };
		if (!mod.string)
			goto full;
		memcpy(m->ram + mods_at + i * sizeof(mod), &mod, sizeof(mod));
	}

	n = (uint32_t)e820_build(m->size, map);
	mmap_at = boot_alloc(&a, n * (uint32_t)sizeof(struct mb_mmap), 4);
	if (!mmap_at)
		goto full;
	for (i = 0; i < n; i++) {
		struct mb_mmap e = { 20, map[i].addr, map[i].len, map[i].type };
		memcpy(m->ram + mmap_at + i * sizeof(e), &e, sizeof(e));
	}

	mbi.flags = MBI_FLAG_MEM | MBI_FLAG_BOOTDEV | MBI_FLAG_CMDLINE | MBI_FLAG_MODS |
		    MBI_FLAG_MMAP | MBI_FLAG_LOADER;
	/* Sizes from the map: base memory up to the EBDA, RAM from 1 MiB on. */
	mbi.mem_lower = (uint32_t)(map[0].len >> 10);
	mbi.mem_upper = (uint32_t)(map[3].len >> 10);
	mbi.boot_device = 0xffffffffu; /* no BIOS boot drive */
	mbi.mods_count = (uint32_t)req->nmods;
	mbi.mods_addr = mods_at;
	mbi.mmap_length = n * (uint32_t)sizeof(struct mb_mmap);
	mbi.mmap_addr = mmap_at;
	mbi.boot_loader_name = boot_strdup(&a, "vcpu-run (libvcpu)");
	if (!mbi_at || !mbi.boot_loader_name)
		goto full;
	memcpy(m->ram + mbi_at, &mbi, sizeof(mbi));
	entry->ebx = mbi_at;
	return 0;
full:
	vmm_error("boot information does not fit in 0x%x-0x%x (command line too long?)", a.next,
		  a.end ? a.end - 1 : 0);
	return -1;
}
