/* SPDX-License-Identifier: MIT */
/*
 * The prepared-guest image reader of vcpu-run -b svm|vmx
 * (examples/vmm/image.c, the ring-0 test kernel's parser of its boot
 * module): a valid image is read range by range; every damaged field and
 * every truncation is refused with a message, never read past its end.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../examples/vmm/image.c"

#define MIB (1ull << 20)

struct img {
	uint8_t *buf;
	size_t size;
};

/* Append one range of @p len bytes of @p fill at @p gpa, padded to 8 bytes. */
static void add_range(struct img *m, uint64_t gpa, uint64_t len, uint8_t fill)
{
	struct vmm_image_range r = { gpa, len };
	size_t padded = (size_t)((len + 7) & ~7ull);

	m->buf = realloc(m->buf, m->size + sizeof(r) + padded);
	cr_assert_not_null(m->buf);
	memcpy(m->buf + m->size, &r, sizeof(r));
	memset(m->buf + m->size + sizeof(r), 0, padded);
	memset(m->buf + m->size + sizeof(r), fill, (size_t)len);
	m->size += sizeof(r) + padded;
	((struct vmm_image_header *)m->buf)->nranges++;
	((struct vmm_image_header *)m->buf)->image_size = m->size;
}

/* A valid image's header alone: 16 MiB of RAM, one vCPU, no range yet. */
static struct img header_only(void)
{
	struct img m = { calloc(1, sizeof(struct vmm_image_header)),
			 sizeof(struct vmm_image_header) };
	struct vmm_image_header *h = (struct vmm_image_header *)m.buf;

	cr_assert_not_null(m.buf);
	memcpy(h->magic, VMM_IMAGE_MAGIC, 8);
	h->version = VMM_IMAGE_VERSION;
	h->header_size = sizeof(*h);
	h->ram_size = 16 * MIB;
	h->ncpus = 1;
	h->flags = VMM_IMAGE_TRACE | VMM_IMAGE_STATS;
	h->image_size = m.size;
	h->regs.rip = 0x100000;
	return m;
}

/* A valid image: header_only()'s, a range in low memory and one at 1 MiB. */
static struct img valid(void)
{
	struct img m = header_only();

	add_range(&m, 0x8000, 100, 0xaa);
	add_range(&m, MIB, 4096, 0x55);
	return m;
}

static struct vmm_image_header *hdr(struct img *m)
{
	return (struct vmm_image_header *)m->buf;
}

static const char *check(struct img *m)
{
	struct vmm_image out;

	return vmm_image_check(m->buf, m->size, &out);
}

Test(vmm_image, valid_image_reads_its_ranges)
{
	struct img m = valid();
	struct vmm_image out;
	uint64_t cursor = 0, gpa, len;
	const uint8_t *data;

	cr_assert_null(vmm_image_check(m.buf, m.size, &out));
	cr_assert_eq(out.hdr.regs.rip, 0x100000);
	cr_assert_eq(out.hdr.ram_size, 16 * MIB);
	cr_assert(vmm_image_next(&out, &cursor, &gpa, &len, &data));
	cr_assert_eq(gpa, 0x8000);
	cr_assert_eq(len, 100);
	cr_assert_eq(data[0], 0xaa);
	cr_assert_eq(data[99], 0xaa);
	cr_assert(vmm_image_next(&out, &cursor, &gpa, &len, &data));
	cr_assert_eq(gpa, MIB);
	cr_assert_eq(len, 4096);
	cr_assert_eq(data[4095], 0x55);
	cr_assert_not(vmm_image_next(&out, &cursor, &gpa, &len, &data));
	free(m.buf);
}

Test(vmm_image, header_fields)
{
	static const struct {
		size_t off, size;
		uint64_t value;
		const char *why;
	} bad[] = {
		{ offsetof(struct vmm_image_header, magic), 1, 'X', "bad magic" },
		{ offsetof(struct vmm_image_header, version), 4, 2, "version" },
		{ offsetof(struct vmm_image_header, header_size), 4, 64, "header size" },
		{ offsetof(struct vmm_image_header, image_size), 8, 12345, "image size" },
		{ offsetof(struct vmm_image_header, ram_size), 8, 2 * MIB, "RAM size" },
		{ offsetof(struct vmm_image_header, ram_size), 8, 16 * MIB + 4096, "RAM size" },
		{ offsetof(struct vmm_image_header, ram_size), 8, 4ull << 30, "RAM size" },
		{ offsetof(struct vmm_image_header, ncpus), 4, 0, "vCPU count" },
		{ offsetof(struct vmm_image_header, ncpus), 4, 65, "vCPU count" },
		{ offsetof(struct vmm_image_header, flags), 4, 0x40, "flags" },
		{ offsetof(struct vmm_image_header, reserved), 4, 1, "reserved" },
		{ offsetof(struct vmm_image_header, nranges), 4, 3, "past the end" },
		{ offsetof(struct vmm_image_header, nranges), 4, 1, "after the last range" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct img m = valid();
		const char *why;

		memcpy(m.buf + bad[i].off, &bad[i].value, bad[i].size);
		why = check(&m);
		cr_assert_not_null(why, "case %zu accepted", i);
		cr_assert_not_null(strstr(why, bad[i].why), "case %zu: '%s'", i, why);
		free(m.buf);
	}
}

/* Ranges: each damaged one is refused with the right message. */
static void bad_range(uint64_t gpa, uint64_t len, const char *want)
{
	struct img m = valid();
	const char *why;

	add_range(&m, gpa, len, 1);
	why = check(&m);
	cr_assert_not_null(why, "range %#llx+%#llx accepted", (unsigned long long)gpa,
			   (unsigned long long)len);
	cr_assert_not_null(strstr(why, want), "range %#llx: '%s'", (unsigned long long)gpa, why);
	free(m.buf);
}

Test(vmm_image, ranges)
{
	bad_range(0xa0000, 16, "outside guest RAM");	      /* the legacy hole */
	bad_range(0x9fff8, 16, "outside guest RAM");	      /* into the hole */
	bad_range(16 * MIB - 8, 16, "outside guest RAM");     /* past the end of RAM */
	bad_range(~0ull - 7, 16, "outside guest RAM");	      /* wraps around */
	bad_range(0x9000, 16, "overlap or are out of order"); /* below the previous one */
	bad_range(MIB + 4000, 16, "overlap or are out of order");
	bad_range(2 * MIB, 0, "empty");
}

/*
 * A Linux guest's image (VMM_IMAGE_PIT | VMM_IMAGE_ACPI): the ROM area
 * 0xc0000-0xfffff, where the ACPI and MP tables are, is RAM; the VGA
 * window 0xa0000-0xbffff is not. Without VMM_IMAGE_ACPI the ROM area is
 * refused (Test ranges).
 */
Test(vmm_image, linux_image_carries_the_rom_area)
{
	struct img m = valid();
	struct vmm_image out;
	uint64_t cursor = 0, gpa, len;
	const uint8_t *data;

	bad_range(0xe0000, 16, "outside guest RAM");
	hdr(&m)->flags |= VMM_IMAGE_PIT | VMM_IMAGE_ACPI;
	cr_assert_null(check(&m));
	free(m.buf);

	m = header_only();
	hdr(&m)->flags = VMM_IMAGE_PIT | VMM_IMAGE_ACPI | VMM_IMAGE_IRQCHIP;
	add_range(&m, 0x8000, 100, 0xaa);
	add_range(&m, 0xe0000, 0x20000, 0x42); /* ACPI tables to the MP table's end */
	add_range(&m, MIB, 4096, 0x55);
	cr_assert_null(vmm_image_check(m.buf, m.size, &out));
	cr_assert_eq(out.hdr.flags & (VMM_IMAGE_PIT | VMM_IMAGE_ACPI),
		     VMM_IMAGE_PIT | VMM_IMAGE_ACPI);
	cr_assert(vmm_image_next(&out, &cursor, &gpa, &len, &data));
	cr_assert(vmm_image_next(&out, &cursor, &gpa, &len, &data));
	cr_assert_eq(gpa, 0xe0000);
	cr_assert_eq(len, 0x20000);
	cr_assert_eq(data[0x1ffff], 0x42);
	cr_assert(vmm_image_next(&out, &cursor, &gpa, &len, &data));
	cr_assert_eq(gpa, MIB);
	cr_assert_not(vmm_image_next(&out, &cursor, &gpa, &len, &data));
	free(m.buf);

	cr_assert(vmm_image_is_ram(16 * MIB, VMM_IMAGE_ACPI, 0xc0000, 0x40000));
	cr_assert_not(vmm_image_is_ram(16 * MIB, VMM_IMAGE_ACPI, 0xbfff0, 16));
	cr_assert_not(vmm_image_is_ram(16 * MIB, VMM_IMAGE_ACPI, 0xa0000, 16));
	cr_assert_not(vmm_image_is_ram(16 * MIB, 0, 0xc0000, 16));
	cr_assert_eq(vmm_image_hole_end(VMM_IMAGE_ACPI), 0xc0000);
	cr_assert_eq(vmm_image_hole_end(VMM_IMAGE_PIT), MIB);
}

Test(vmm_image, huge_range_length)
{
	struct img m = valid();
	struct vmm_image_range *last;
	const char *why;

	/* The last range claims more bytes than the image holds, up to wrapping. */
	last = (struct vmm_image_range *)(m.buf + m.size - 4096 - sizeof(*last));
	last->len = ~0ull - 3;
	why = check(&m);
	cr_assert_not_null(why);
	cr_assert_not_null(strstr(why, "past the end"), "'%s'", why);
	free(m.buf);
}

Test(vmm_image, every_truncation_is_refused)
{
	struct img m = valid();
	struct vmm_image out;
	size_t n;

	for (n = 0; n < m.size; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, m.buf, n);
		/* The header's image_size still names the whole image. */
		cr_assert_not_null(vmm_image_check(copy, n, &out), "%zu bytes accepted", n);
		free(copy);
	}
	cr_assert_not_null(vmm_image_check(NULL, m.size, &out));
	free(m.buf);
}

Test(vmm_image, truncation_with_a_matching_size)
{
	struct img m = valid();
	size_t n;

	/* Even when the header's size agrees, a short image is refused. */
	for (n = sizeof(struct vmm_image_header); n < m.size; n += 8) {
		hdr(&m)->image_size = n;
		cr_assert_not_null(vmm_image_check(m.buf, n, &(struct vmm_image){ 0 }),
				   "%zu bytes accepted", n);
	}
	free(m.buf);
}
