/* SPDX-License-Identifier: MIT */
/*
 * elf-mangle: write a damaged copy of a demo guest (ELF32) for the loader's
 * error tests. Usage: elf-mangle KIND IN OUT. Exit status 0 when OUT was
 * written, 1 when KIND does not apply to IN.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *buf;
static size_t len;

static Elf32_Ehdr *eh(void)
{
	return (Elf32_Ehdr *)buf;
}

static Elf32_Phdr *ph(unsigned i)
{
	return (Elf32_Phdr *)(buf + eh()->e_phoff + i * sizeof(Elf32_Phdr));
}

/* Index of the n-th program header of @p type, or -1. */
static int find_ph(uint32_t type, int n)
{
	unsigned i;

	for (i = 0; i < eh()->e_phnum; i++)
		if (ph(i)->p_type == type && n-- == 0)
			return (int)i;
	return -1;
}

static int mangle(const char *kind)
{
	int t0 = find_ph(PT_LOAD, 0), t1 = find_ph(PT_LOAD, 1), nt = find_ph(PT_NOTE, 0);
	size_t off;

	if (!strcmp(kind, "empty")) {
		len = 0;
	} else if (!strcmp(kind, "not-elf")) {
		memset(buf, 'x', len);
	} else if (!strcmp(kind, "truncated-headers")) {
		len = eh()->e_phoff + sizeof(Elf32_Phdr) + 8; /* cuts the 2nd header */
	} else if (!strcmp(kind, "truncated-data")) {
		if (t0 < 0)
			return 1;
		len = ph((unsigned)t0)->p_offset + ph((unsigned)t0)->p_filesz / 2;
	} else if (!strcmp(kind, "wrong-machine")) {
		eh()->e_machine = EM_ARM;
	} else if (!strcmp(kind, "not-executable")) {
		eh()->e_type = ET_REL;
	} else if (!strcmp(kind, "overlap")) {
		if (t0 < 0 || t1 < 0)
			return 1;
		ph((unsigned)t1)->p_paddr = ph((unsigned)t0)->p_paddr + 0x10;
	} else if (!strcmp(kind, "outside-ram")) {
		if (t1 < 0)
			return 1;
		ph((unsigned)t1)->p_paddr = 0x7ff00000; /* beyond the test's guest RAM */
	} else if (!strcmp(kind, "legacy-hole")) {
		if (t0 < 0)
			return 1;
		ph((unsigned)t0)->p_paddr = 0xb8000;
	} else if (!strcmp(kind, "wrapping")) {
		if (t1 < 0)
			return 1;
		ph((unsigned)t1)->p_paddr = 0xfffff000;
		ph((unsigned)t1)->p_memsz = 0x2000;
	} else if (!strcmp(kind, "filesz-over-memsz")) {
		if (t0 < 0)
			return 1;
		ph((unsigned)t0)->p_filesz = ph((unsigned)t0)->p_memsz + 0x100;
	} else if (!strcmp(kind, "entry-outside")) {
		eh()->e_entry = 0x50000000;
	} else if (!strcmp(kind, "no-boot-protocol")) {
		/* Remove the Multiboot magic (and keep a PVH note out of it). */
		for (off = 0; off + 4 <= len && off < 8192; off += 4)
			if (!memcmp(buf + off, "\x02\xb0\xad\x1b", 4))
				memset(buf + off, 0, 4);
		if (nt >= 0)
			ph((unsigned)nt)->p_type = PT_NULL;
	} else if (!strcmp(kind, "note-overrun")) {
		if (nt < 0)
			return 1;
		memcpy(buf + ph((unsigned)nt)->p_offset, "\0\x10\0\0", 4); /* namesz 4096 */
	} else {
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	FILE *f;
	long n;

	if (argc != 4) {
		fprintf(stderr, "usage: elf-mangle KIND IN OUT\n");
		return 1;
	}
	f = fopen(argv[2], "rb");
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < (long)sizeof(Elf32_Ehdr) ||
	    fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "elf-mangle: cannot read %s\n", argv[2]);
		return 1;
	}
	len = (size_t)n;
	buf = malloc(len);
	if (!buf || fread(buf, 1, len, f) != len || memcmp(buf, ELFMAG, SELFMAG) ||
	    buf[EI_CLASS] != ELFCLASS32) {
		fprintf(stderr, "elf-mangle: %s is not a readable ELF32 file\n", argv[2]);
		return 1;
	}
	fclose(f);
	if (mangle(argv[1])) {
		fprintf(stderr, "elf-mangle: '%s' does not apply to %s\n", argv[1], argv[2]);
		return 1;
	}
	f = fopen(argv[3], "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "elf-mangle: cannot write %s\n", argv[3]);
		return 1;
	}
	free(buf);
	return 0;
}
