/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: guest page walker. Input: CR0, CR3, CR4, EFER (8 bytes
 * each), CPL/AC/MAXPHYADDR/access (4 bytes), GVA (8 bytes), then the
 * contents of 64 KiB of guest RAM at GPA 0 (zero-padded). Invariants: the
 * result is one of the defined codes; a success gives a GPA inside the
 * page the leaf maps; a fault's error code only has defined bits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libvcpu/exit.h>
#include <libvcpu/libvcpu.h>

#include "core/guest_walk.h"

#define RAM_SIZE 0x10000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram;
	static struct lv_memmap mm;
	struct lv_guest_paging pg;
	struct lv_walk_result res;
	uint64_t gva, regs[4];
	uint32_t access;
	int r;

	if (!ram) {
		ram = aligned_alloc(4096, RAM_SIZE);
		if (!ram || lv_memmap_init(&mm, 52, 4) != LV_OK ||
		    lv_memmap_check_add(&mm, ram, 0, RAM_SIZE) != LV_OK)
			abort();
		lv_memmap_commit_add(&mm, ram, 0, RAM_SIZE, LV_PROT_ALL);
	}
	if (size < 44)
		return 0;
	memset(&pg, 0, sizeof(pg));
	memcpy(regs, data, 32);
	pg.cr0 = regs[0];
	pg.cr3 = regs[1] & 0xffff; /* keep the root inside RAM most of the time */
	pg.cr4 = regs[2];
	pg.efer = regs[3];
	pg.cpl = data[32] & 3;
	pg.ac = data[33] & 1;
	pg.maxphyaddr = data[34] % 53;
	if (pg.maxphyaddr && pg.maxphyaddr < 32)
		pg.maxphyaddr = 32;
	access = (1u << (data[35] % 3)) | ((data[35] & 8) ? LV_WALK_IMPLICIT_SV : 0) |
		 ((data[35] & 16) ? LV_WALK_SET_AD : 0);
	memcpy(&gva, data + 36, 8);
	memset(ram, 0, RAM_SIZE);
	memcpy(ram, data + 44, size - 44 < RAM_SIZE ? size - 44 : RAM_SIZE);

	r = lv_guest_walk(&mm, &pg, gva, access, &res);
	if (r == LV_WALK_OK) {
		if (res.page_size < 4096 || (res.page_size & (res.page_size - 1)))
			abort();
		if ((res.gpa & (res.page_size - 1)) != (gva & (res.page_size - 1)))
			abort();
	} else if (r == LV_WALK_FAULT) {
		if (res.pf_error & ~0x1fu)
			abort();
	} else if (r != LV_ERR_NOENT && r != LV_ERR_PERM) {
		abort();
	}
	return 0;
}
