/* SPDX-License-Identifier: MIT */
/*
 * Boot information shared by the Multiboot and PVH paths: guest RAM checks,
 * the low boot area, the PC memory map and the modules.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vmm.h"

void vmm_error(const char *fmt, ...)
{
	va_list ap;

	fputs("vcpu-run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int read_file(const char *path, struct file_buf *out)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	long len;

	out->data = NULL;
	out->size = 0;
	if (!f) {
		vmm_error("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &sb) || !S_ISREG(sb.st_mode)) {
		vmm_error("%s: not a regular file", path);
		fclose(f);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		vmm_error("%s: cannot determine the size: %s", path, strerror(errno));
		fclose(f);
		return -1;
	}
	out->data = malloc(len ? (size_t)len : 1);
	if (!out->data) {
		vmm_error("%s: out of memory", path);
		fclose(f);
		return -1;
	}
	if (fread(out->data, 1, (size_t)len, f) != (size_t)len) {
		vmm_error("%s: read error", path);
		free(out->data);
		out->data = NULL;
		fclose(f);
		return -1;
	}
	out->size = (size_t)len;
	fclose(f);
	return 0;
}

int mem_is_ram(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	if (len == 0)
		return gpa <= m->size;
	if (gpa + len < gpa || gpa + len > m->size)
		return 0;
	return gpa + len <= LEGACY_HOLE_START || gpa >= LEGACY_HOLE_END;
}

void boot_area_init(struct boot_area *a, struct guest_mem *m, const struct boot_entry *entry,
		    uint64_t mod_end)
{
	uint64_t at, end;

	a->m = m;
	a->next = BOOT_INFO_START;
	a->end = BOOT_INFO_END;
	if (entry->image_low >= BOOT_INFO_END)
		return;
	at = entry->image_high > mod_end ? entry->image_high : mod_end;
	at = (at + 0xfff) & ~0xfffull;
	if (at < LEGACY_HOLE_END && at + 0x10000 > LEGACY_HOLE_START)
		at = LEGACY_HOLE_END;
	end = at + 0x97000; /* as large as the low area */
	if (end > m->size)
		end = m->size;
	if (at >= end || end > 0xffffffffull) {
		a->next = a->end = 0; /* nothing fits: boot_alloc() says so */
		return;
	}
	a->next = (uint32_t)at;
	a->end = (uint32_t)end;
}

uint32_t boot_alloc(struct boot_area *a, uint32_t len, uint32_t align)
{
	uint32_t at = (a->next + align - 1) & ~(align - 1);

	if (at < a->next || at > a->end || len > a->end - at)
		return 0;
	a->next = at + len;
	memset(a->m->ram + at, 0, len);
	return at;
}

uint32_t boot_strdup(struct boot_area *a, const char *s)
{
	size_t len = strlen(s) + 1;
	uint32_t at;

	if (len > a->end)
		return 0;
	at = boot_alloc(a, (uint32_t)len, 1);
	if (at)
		memcpy(a->m->ram + at, s, len);
	return at;
}

/*
 * The map QEMU 7.2 + SeaBIOS report for a PC with @p ram_size bytes below
 * 4 GiB: base memory up to the EBDA, the BIOS area, RAM from 1 MiB up to the
 * last 128 KiB (SeaBIOS keeps those), and the BIOS flash below 4 GiB.
 */
size_t e820_build(uint64_t ram_size, struct e820_entry *out)
{
	size_t n = 0;

	out[n++] = (struct e820_entry){ 0, 0x9fc00, 1 };
	out[n++] = (struct e820_entry){ 0x9fc00, 0x400, 2 };
	out[n++] = (struct e820_entry){ 0xf0000, 0x10000, 2 };
	out[n++] = (struct e820_entry){ 0x100000, ram_size - 0x100000 - 0x20000, 1 };
	out[n++] = (struct e820_entry){ ram_size - 0x20000, 0x20000, 2 };
	out[n++] = (struct e820_entry){ 0xfffc0000, 0x40000, 2 };
	return n;
}

int place_modules(const struct boot_request *req, struct guest_mem *m,
		  const struct boot_entry *entry, uint64_t *mod_addr)
{
	uint64_t at = (entry->image_high + 0xfff) & ~0xfffull;
	size_t i;

	for (i = 0; i < req->nmods; i++) {
		const struct boot_module *mod = &req->mods[i];

		if (at < LEGACY_HOLE_END && at + mod->size > LEGACY_HOLE_START)
			at = LEGACY_HOLE_END;
		if (!mem_is_ram(m, at, mod->size)) {
			vmm_error("module '%s' (%zu bytes) does not fit in guest RAM at 0x%llx",
				  mod->cmdline, mod->size, (unsigned long long)at);
			return -1;
		}
		memcpy(m->ram + at, mod->data, mod->size);
		mod_addr[i] = at;
		at = (at + mod->size + 0xfff) & ~0xfffull;
	}
	return 0;
}
