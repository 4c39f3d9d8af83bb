/* SPDX-License-Identifier: MIT */
/*
 * Kernel loader: Multiboot v1 images (ELF32, or any file with the a.out
 * kludge address fields) and PVH ELF images (XEN_ELFNOTE_PHYS32_ENTRY),
 * in the order QEMU's -kernel tries them, after the Linux bzImage (linux.c). Every header, segment and note is
 * checked against the file and the guest's RAM before anything is copied.
 */
#define _GNU_SOURCE
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "vmm.h"

/* Multiboot Specification 0.6.96, section 3.1. */
#define MB_HEADER_MAGIC		 0x1badb002u
#define MB_BOOT_MAGIC		 0x2badb002u
#define MB_SEARCH_BYTES		 8192u
#define MB_FLAG_AOUT		 (1u << 16)
#define MB_FLAG_VIDEO		 (1u << 2)
/* Xen public/elfnote.h: entry point for a 32-bit paging-off PVH start. */
#define XEN_ELFNOTE_PHYS32_ENTRY 18u
#define XEN_ELFNOTE_GUEST_OS	 6u /* "linux" in a Linux vmlinux */

#define MAX_SEGMENTS 64

struct seg {
	uint64_t paddr, memsz, filesz, offset;
};

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Offset of a valid Multiboot header in the first 8 KiB, or -1. */
static long find_multiboot(const struct file_buf *img)
{
	size_t lim = img->size < MB_SEARCH_BYTES ? img->size : MB_SEARCH_BYTES;
	size_t off;

	for (off = 0; off + 12 <= lim; off += 4) {
		const uint8_t *h = img->data + off;
		if (rd32(h) == MB_HEADER_MAGIC && rd32(h) + rd32(h + 4) + rd32(h + 8) == 0)
			return (long)off;
	}
	return -1;
}

static int check_range(const char *path, const char *what, unsigned idx, struct guest_mem *m,
		       uint64_t addr, uint64_t len)
{
	if (addr + len < addr) {
		vmm_error("%s: %s %u: address range wraps around", path, what, idx);
		return -1;
	}
	if (!mem_is_ram(m, addr, len)) {
		vmm_error("%s: %s %u at 0x%llx-0x%llx is outside guest RAM (0-0x9ffff, "
			  "0x100000-0x%llx)",
			  path, what, idx, (unsigned long long)addr,
			  (unsigned long long)(addr + len - 1), (unsigned long long)(m->size - 1));
		return -1;
	}
	return 0;
}

static int cmp_seg(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;
	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

/* Validate all segments (bounds, overlap), then copy them and zero the bss. */
static int copy_segments(const char *path, const struct file_buf *img, struct guest_mem *m,
			 struct seg *segs, unsigned n, struct boot_entry *entry)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (segs[i].filesz > segs[i].memsz) {
			vmm_error("%s: segment %u: file size 0x%llx exceeds memory size 0x%llx",
				  path, i, (unsigned long long)segs[i].filesz,
				  (unsigned long long)segs[i].memsz);
			return -1;
		}
		if (segs[i].offset > img->size || segs[i].filesz > img->size - segs[i].offset) {
			vmm_error("%s: segment %u: file data at 0x%llx+0x%llx is past the end of "
				  "the file (%zu bytes): truncated?",
				  path, i, (unsigned long long)segs[i].offset,
				  (unsigned long long)segs[i].filesz, img->size);
			return -1;
		}
		if (check_range(path, "segment", i, m, segs[i].paddr, segs[i].memsz))
			return -1;
		if (segs[i].memsz && segs[i].paddr < BOOT_LOW_END) {
			vmm_error("%s: segment %u at 0x%llx overlaps the VMM's boot area "
				  "(0-0x%x: GDT and entry stack)",
				  path, i, (unsigned long long)segs[i].paddr, BOOT_LOW_END - 1);
			return -1;
		}
	}
	qsort(segs, n, sizeof(segs[0]), cmp_seg);
	for (i = 1; i < n; i++) {
		if (segs[i].paddr < segs[i - 1].paddr + segs[i - 1].memsz) {
			vmm_error(
				"%s: segments overlap at physical 0x%llx-0x%llx and 0x%llx-0x%llx",
				path, (unsigned long long)segs[i - 1].paddr,
				(unsigned long long)(segs[i - 1].paddr + segs[i - 1].memsz - 1),
				(unsigned long long)segs[i].paddr,
				(unsigned long long)(segs[i].paddr + segs[i].memsz - 1));
			return -1;
		}
	}
	entry->image_low = segs[0].paddr;
	entry->image_high = segs[n - 1].paddr + segs[n - 1].memsz;
	for (i = 0; i < n; i++) {
		memcpy(m->ram + segs[i].paddr, img->data + segs[i].offset, segs[i].filesz);
		memset(m->ram + segs[i].paddr + segs[i].filesz, 0, segs[i].memsz - segs[i].filesz);
	}
	return 0;
}

/* Multiboot flags bit 16: the header gives the load addresses (section 3.1.3). */
static int load_aout_kludge(const char *path, const struct file_buf *img, long hdr_off,
			    struct guest_mem *m, struct boot_entry *entry)
{
	const uint8_t *h = img->data + hdr_off;
	uint32_t header_addr, load_addr, load_end, bss_end, entry_addr;
	struct seg s;

	if ((size_t)hdr_off + 32 > img->size) {
		vmm_error("%s: Multiboot header with address fields is truncated", path);
		return -1;
	}
	header_addr = rd32(h + 12);
	load_addr = rd32(h + 16);
	load_end = rd32(h + 20);
	bss_end = rd32(h + 24);
	entry_addr = rd32(h + 28);
	if (load_addr > header_addr || header_addr - load_addr > (uint32_t)hdr_off) {
		vmm_error("%s: Multiboot load_addr 0x%x does not fit header_addr 0x%x", path,
			  load_addr, header_addr);
		return -1;
	}
	s.offset = (uint64_t)hdr_off - (header_addr - load_addr);
	if (load_end == 0) {
		s.filesz = img->size - s.offset;
	} else if (load_end < load_addr) {
		vmm_error("%s: Multiboot load_end_addr 0x%x is below load_addr 0x%x", path,
			  load_end, load_addr);
		return -1;
	} else {
		s.filesz = load_end - load_addr;
	}
	s.memsz = s.filesz;
	if (bss_end) {
		if (bss_end < load_addr + s.filesz) {
			vmm_error("%s: Multiboot bss_end_addr 0x%x is below the loaded data", path,
				  bss_end);
			return -1;
		}
		s.memsz = bss_end - load_addr;
	}
	s.paddr = load_addr;
	if (s.memsz == 0) {
		vmm_error("%s: Multiboot image is empty", path);
		return -1;
	}
	if (copy_segments(path, img, m, &s, 1, entry))
		return -1;
	entry->protocol = BOOT_MULTIBOOT;
	entry->eip = entry_addr;
	return 0;
}

/*
 * Find the PVH entry in the PT_NOTE segments; 0 if there is none, -1 if
 * malformed. @p is_linux: set when a guest OS note says "linux".
 */
static int find_pvh_entry(const char *path, const struct file_buf *img, Elf *e, size_t phnum,
			  uint32_t *pvh_entry, int *is_linux)
{
	int found = 0;
	size_t i;

	for (i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		uint64_t off, end;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_NOTE)
			continue;
		if (ph.p_offset > img->size || ph.p_filesz > img->size - ph.p_offset) {
			vmm_error("%s: note segment %zu is past the end of the file", path, i);
			return -1;
		}
		off = ph.p_offset;
		end = ph.p_offset + ph.p_filesz;
		while (off + 12 <= end) {
			uint32_t namesz = rd32(img->data + off);
			uint32_t descsz = rd32(img->data + off + 4);
			uint32_t type = rd32(img->data + off + 8);
			uint64_t name = off + 12;
			uint64_t desc = name + (((uint64_t)namesz + 3) & ~3ull);
			uint64_t next = desc + (((uint64_t)descsz + 3) & ~3ull);

			if (next > end) {
				vmm_error(
					"%s: ELF note at file offset 0x%llx runs past its segment",
					path, (unsigned long long)off);
				return -1;
			}
			if (namesz == 4 && !memcmp(img->data + name, "Xen", 4) &&
			    type == XEN_ELFNOTE_PHYS32_ENTRY) {
				if (descsz != 4 && descsz != 8) {
					vmm_error("%s: PVH entry note has %u-byte value", path,
						  descsz);
					return -1;
				}
				*pvh_entry = rd32(img->data + desc);
				found = 1;
			}
			if (namesz == 4 && !memcmp(img->data + name, "Xen", 4) &&
			    type == XEN_ELFNOTE_GUEST_OS && descsz >= 5 &&
			    !memcmp(img->data + desc, "linux", 5))
				*is_linux = 1;
			off = next;
		}
	}
	return found;
}

static int load_elf(const char *path, const struct file_buf *img, long mb_off, struct guest_mem *m,
		    struct boot_entry *entry)
{
	struct seg segs[MAX_SEGMENTS];
	GElf_Ehdr eh;
	uint32_t pvh_entry = 0;
	unsigned n = 0;
	size_t phnum, i;
	int cls, rc = -1, pvh;
	Elf *e;

	elf_version(EV_CURRENT);
	e = elf_memory((char *)img->data, img->size);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		vmm_error("%s: not a valid ELF file (%s)%s", path, elf_errmsg(-1),
			  img->size < 64 ? ": truncated" : "");
		goto out;
	}
	cls = gelf_getclass(e);
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB) {
		vmm_error("%s: ELF file is not little-endian", path);
		goto out;
	}
	if (eh.e_type != ET_EXEC) {
		vmm_error("%s: ELF type %u is not an executable (ET_EXEC)", path, eh.e_type);
		goto out;
	}
	if (!(cls == ELFCLASS32 && eh.e_machine == EM_386) &&
	    !(cls == ELFCLASS64 && eh.e_machine == EM_X86_64)) {
		vmm_error("%s: unsupported ELF machine %u (class ELF%d): need EM_386 (3) or "
			  "EM_X86_64 (62)",
			  path, eh.e_machine, cls == ELFCLASS64 ? 64 : 32);
		goto out;
	}
	if (elf_getphdrnum(e, &phnum) || phnum == 0) {
		vmm_error("%s: no program headers (%s)", path,
			  phnum == 0 ? "none in file" : elf_errmsg(-1));
		goto out;
	}
	for (i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph)) {
			vmm_error("%s: program header %zu unreadable (%s): truncated?", path, i,
				  elf_errmsg(-1));
			goto out;
		}
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (n == MAX_SEGMENTS) {
			vmm_error("%s: more than %d loadable segments", path, MAX_SEGMENTS);
			goto out;
		}
		if (cls == ELFCLASS32 && ph.p_paddr + ph.p_memsz > (1ull << 32)) {
			vmm_error("%s: segment %u: address range wraps around 4 GiB", path, n);
			goto out;
		}
		segs[n].paddr = ph.p_paddr;
		segs[n].memsz = ph.p_memsz;
		segs[n].filesz = ph.p_filesz;
		segs[n].offset = ph.p_offset;
		n++;
	}
	pvh = 0;
	if (mb_off < 0) {
		pvh = find_pvh_entry(path, img, e, phnum, &pvh_entry, &entry->linux_pvh);
		if (pvh < 0)
			goto out;
		if (pvh == 0) {
			vmm_error("%s: neither a Multiboot header nor a PVH entry note "
				  "(XEN_ELFNOTE_PHYS32_ENTRY): cannot boot it",
				  path);
			goto out;
		}
	} else if (cls != ELFCLASS32) {
		/* QEMU: "Cannot load x86-64 image, give a 32bit one." */
		vmm_error("%s: Multiboot ELF64 image without the a.out address fields "
			  "(flags bit 16): give a 32-bit image",
			  path);
		goto out;
	}
	if (n == 0) {
		vmm_error("%s: no loadable segments", path);
		goto out;
	}
	if (copy_segments(path, img, m, segs, n, entry))
		goto out;
	entry->protocol = pvh ? BOOT_PVH : BOOT_MULTIBOOT;
	entry->eip = pvh ? pvh_entry : (uint32_t)eh.e_entry;
	rc = 0;
out:
	if (e)
		elf_end(e);
	return rc;
}

int load_kernel(const char *path, const struct file_buf *img, struct guest_mem *m,
		struct boot_entry *entry)
{
	long mb_off = find_multiboot(img);
	int is_elf = img->size >= 4 && !memcmp(img->data, ELFMAG, SELFMAG);
	int rc;

	memset(entry, 0, sizeof(*entry));
	if (linux_is_bzimage(img))
		return load_bzimage(path, img, m, entry); /* QEMU tries it first too */
	if (mb_off >= 0) {
		uint32_t flags = rd32(img->data + mb_off + 4);

		if (flags & MB_FLAG_VIDEO)
			fprintf(stderr, "%s: Multiboot video mode request ignored\n", path);
		if (flags & MB_FLAG_AOUT)
			rc = load_aout_kludge(path, img, mb_off, m, entry);
		else if (is_elf)
			rc = load_elf(path, img, mb_off, m, entry);
		else {
			vmm_error("%s: Multiboot image is not ELF and has no address fields "
				  "(flags bit 16)",
				  path);
			return -1;
		}
	} else if (is_elf) {
		rc = load_elf(path, img, -1, m, entry);
	} else {
		vmm_error("%s: not an ELF file and no Multiboot header in its first %u bytes", path,
			  MB_SEARCH_BYTES);
		return -1;
	}
	if (rc)
		return rc;
	if (!mem_is_ram(m, entry->eip, 1)) {
		vmm_error("%s: entry point 0x%x is outside guest RAM", path, entry->eip);
		return -1;
	}
	if (entry->protocol == BOOT_MULTIBOOT)
		entry->eax = MB_BOOT_MAGIC;
	return 0;
}
