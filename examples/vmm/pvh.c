/* SPDX-License-Identifier: MIT */
/*
 * PVH boot (Xen docs/misc/pvh.pandoc, public/arch-x86/hvm/start_info.h):
 * 32-bit flat protected mode, paging off, EBX = physical address of an
 * hvm_start_info (version 1: with the memory map). QEMU passes the -append
 * text alone as the command line and -initrd as the single module.
 */
#include <stddef.h>
#include <string.h>

#include "vmm.h"

#define HVM_START_MAGIC 0x336ec578u

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr; /* version >= 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};
_Static_assert(offsetof(struct hvm_start_info, modlist_paddr) == 16, "start_info modlist");
_Static_assert(offsetof(struct hvm_start_info, memmap_paddr) == 40, "start_info memmap");
_Static_assert(sizeof(struct hvm_start_info) == 56, "start_info size");

struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
};
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "modlist entry size");

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
};
_Static_assert(sizeof(struct hvm_memmap_entry) == 24, "memmap entry size");

int pvh_setup(const struct boot_request *req, struct guest_mem *m, struct boot_entry *entry)
{
	struct boot_area a;
	uint64_t mod_end = 0;
	struct e820_entry map[E820_MAX];
	struct hvm_start_info si;
	uint64_t mod_addr[64];
	uint32_t si_at, mods_at, map_at, i, n;

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
	memset(&si, 0, sizeof(si));
	si.magic = HVM_START_MAGIC;
	si.version = 1;
	si_at = boot_alloc(&a, sizeof(si), 16);
	si.cmdline_paddr = boot_strdup(&a, req->append ? req->append : "");
	if (!si_at || !si.cmdline_paddr)
		goto full;

	mods_at = boot_alloc(&a, (uint32_t)(req->nmods * sizeof(struct hvm_modlist_entry)) + 1, 16);
	if (!mods_at)
		goto full;
	for (i = 0; i < req->nmods; i++) {
		struct hvm_modlist_entry e = { mod_addr[i], req->mods[i].size,
					       boot_strdup(&a, req->mods[i].cmdline), 0 };
		if (!e.cmdline_paddr)
			goto full;
		memcpy(m->ram + mods_at + i * sizeof(e), &e, sizeof(e));
	}
	si.nr_modules = (uint32_t)req->nmods;
	si.modlist_paddr = req->nmods ? mods_at : 0;

	n = (uint32_t)e820_build(m->size, map);
	map_at = boot_alloc(&a, n * (uint32_t)sizeof(struct hvm_memmap_entry), 8);
	if (!map_at)
		goto full;
	for (i = 0; i < n; i++) {
		struct hvm_memmap_entry e = { map[i].addr, map[i].len, map[i].type, 0 };
		memcpy(m->ram + map_at + i * sizeof(e), &e, sizeof(e));
	}
	si.memmap_paddr = map_at;
	si.memmap_entries = n;
	memcpy(m->ram + si_at, &si, sizeof(si));
	entry->ebx = si_at;
	return 0;
full:
	vmm_error("boot information does not fit in 0x%x-0x%x (command line too long?)", a.next,
		  a.end ? a.end - 1 : 0);
	return -1;
}
