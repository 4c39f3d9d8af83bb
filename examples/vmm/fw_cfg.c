/* SPDX-License-Identifier: MIT */
/*
 * QEMU's firmware configuration device, its traditional port interface
 * (QEMU's docs/specs/fw_cfg.txt): a 16-bit write to the selector port 0x510
 * picks an item, each 8-bit read of the data port 0x511 gives its next byte;
 * reading past an item, or an item that does not exist, gives 0. The items
 * are the ones guests such as kvm-unit-tests read: signature "QEMU", the
 * interface ID (1: ports, no DMA), RAM size, CPU count, maximum CPUs, and an
 * empty file directory.
 */
#include <string.h>

#include "devices.h"

#define ITEM_SIGNATURE 0x0000u
#define ITEM_ID	       0x0001u
#define ITEM_RAM_SIZE  0x0003u
#define ITEM_NB_CPUS   0x0005u
#define ITEM_MAX_CPUS  0x000fu
#define ITEM_FILE_DIR  0x0019u

void fw_cfg_init(struct fw_cfg *f, uint64_t ram_size, uint16_t ncpus)
{
	memset(f, 0, sizeof(*f));
	f->ram_size = ram_size;
	f->ncpus = ncpus;
}

void fw_cfg_select(struct fw_cfg *f, uint16_t item)
{
	f->item = item;
	f->offset = 0;
}

/* The selected item's bytes (little-endian numbers; the directory count is big-endian). */
static unsigned item_bytes(const struct fw_cfg *f, uint8_t *buf)
{
	unsigned i;

	switch (f->item) {
	case ITEM_SIGNATURE:
		memcpy(buf, "QEMU", 4);
		return 4;
	case ITEM_ID:
		buf[0] = 1;
		buf[1] = buf[2] = buf[3] = 0;
		return 4;
	case ITEM_RAM_SIZE:
		for (i = 0; i < 8; i++)
			buf[i] = (uint8_t)(f->ram_size >> (8 * i));
		return 8;
	case ITEM_NB_CPUS:
	case ITEM_MAX_CPUS:
		buf[0] = (uint8_t)f->ncpus;
		buf[1] = (uint8_t)(f->ncpus >> 8);
		return 2;
	case ITEM_FILE_DIR:
		memset(buf, 0, 4); /* no files */
		return 4;
	default:
		return 0;
	}
}

uint8_t fw_cfg_read(struct fw_cfg *f)
{
	uint8_t buf[8];
	unsigned n = item_bytes(f, buf);
	uint8_t b = f->offset < n ? buf[f->offset] : 0;

	if (f->offset < n)
		f->offset++;
	return b;
}
