/* SPDX-License-Identifier: MIT */
/*
 * The prepared-guest image's reader (image.h), freestanding: the ring-0
 * test kernel runs it on a boot module it cannot trust to be whole, the
 * host unit test on damaged images. Every field is checked, every length
 * against the bytes that are there, without overflow.
 */
#include <string.h>

#include "image.h"

#define LEGACY_START 0xa0000ull
#define LEGACY_END   0x100000ull
#define ROM_START    0xc0000ull

uint64_t vmm_image_hole_end(uint32_t flags)
{
	return flags & VMM_IMAGE_ACPI ? ROM_START : LEGACY_END;
}

int vmm_image_is_ram(uint64_t ram_size, uint32_t flags, uint64_t gpa, uint64_t len)
{
	if (len == 0 || gpa + len < gpa || gpa + len > ram_size)
		return 0;
	return gpa + len <= LEGACY_START || gpa >= vmm_image_hole_end(flags);
}

static uint64_t pad8(uint64_t n)
{
	return (n + 7) & ~7ull;
}

/* The range at @p off: its header and data inside the image, or a message. */
static const char *range_at(const struct vmm_image *img, uint64_t off, struct vmm_image_range *r)
{
	if (img->size - off < sizeof(*r))
		return "a range header runs past the end of the image";
	memcpy(r, img->base + off, sizeof(*r));
	if (r->len == 0)
		return "a range is empty";
	if (r->len > img->size - off - sizeof(*r) || pad8(r->len) > img->size - off - sizeof(*r))
		return "a range's contents run past the end of the image";
	if (!vmm_image_is_ram(img->hdr.ram_size, img->hdr.flags, r->gpa, r->len))
		return "a range is outside guest RAM";
	return NULL;
}

const char *vmm_image_check(const void *buf, uint64_t size, struct vmm_image *out)
{
	const struct vmm_image_header *h = &out->hdr;
	struct vmm_image_range r;
	uint64_t off, end_prev = 0;
	const char *why;
	uint32_t i;

	memset(out, 0, sizeof(*out));
	if (!buf || size < sizeof(*h))
		return "the image is shorter than its header";
	memcpy(&out->hdr, buf, sizeof(*h));
	out->base = buf;
	out->size = size;
	if (memcmp(h->magic, VMM_IMAGE_MAGIC, sizeof(h->magic)))
		return "not a vcpu-run image (bad magic)";
	if (h->version != VMM_IMAGE_VERSION)
		return "unsupported image version";
	if (h->header_size != sizeof(*h))
		return "wrong header size";
	if (h->image_size != size)
		return "the image size in the header is not the module's size";
	if (h->ram_size < VMM_IMAGE_RAM_MIN || h->ram_size > VMM_IMAGE_RAM_MAX ||
	    (h->ram_size & 0xfffff))
		return "bad RAM size (4 MiB to 3 GiB, whole MiB)";
	if (h->ncpus < 1 || h->ncpus > VMM_IMAGE_MAX_CPUS)
		return "bad vCPU count";
	if (h->flags & ~VMM_IMAGE_FLAGS)
		return "unknown flags";
	if (h->reserved)
		return "reserved field is not 0";
	off = sizeof(*h);
	for (i = 0; i < h->nranges; i++) {
		if ((why = range_at(out, off, &r)))
			return why;
		if (i && r.gpa < end_prev)
			return "ranges overlap or are out of order";
		end_prev = r.gpa + r.len;
		off += sizeof(r) + pad8(r.len);
	}
	if (off != size)
		return "bytes after the last range";
	return NULL;
}

int vmm_image_next(const struct vmm_image *img, uint64_t *cursor, uint64_t *gpa, uint64_t *len,
		   const uint8_t **data)
{
	struct vmm_image_range r;
	uint64_t off = *cursor ? *cursor : sizeof(img->hdr);

	if (off >= img->size || range_at(img, off, &r))
		return 0;
	*gpa = r.gpa;
	*len = r.len;
	*data = img->base + off + sizeof(r);
	*cursor = off + sizeof(r) + pad8(r.len);
	return 1;
}
