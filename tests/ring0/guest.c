/* SPDX-License-Identifier: MIT */
/* The smoke cases' guest: 1 MiB of RAM at GPA 0, identity-mapped with 2 MiB pages. */
#include <libvcpu/platform.h>

#include "guest.h"

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

static void put64(uint8_t *ram, uint32_t gpa, uint64_t v)
{
	memcpy(ram + gpa, &v, 8);
}

void guest_copy(struct guest *g, uint32_t gpa, const void *code, const void *code_end)
{
	memcpy(g->ram + gpa, code, (size_t)((const uint8_t *)code_end - (const uint8_t *)code));
}

int guest_setup(struct guest *g, struct lv_backend *b, const void *code, const void *code_end,
		char *why, size_t n)
{
	struct lv_state st;
	uint64_t pa;
	unsigned i;
	int rc;

	memset(g, 0, sizeof(*g));
	g->ram = lv_plat_page_alloc(GUEST_RAM_SIZE / 4096, &pa);
	if (!g->ram) {
		ksnprintf(why, n, "no memory for guest RAM");
		return -1;
	}
	/* Page tables: PML4 -> PDPT -> PD of 512 2 MiB pages (P, W, U, PS). */
	put64(g->ram, GUEST_PML4, (GUEST_PML4 + 0x1000) | 7);
	put64(g->ram, GUEST_PML4 + 0x1000, (GUEST_PML4 + 0x2000) | 7);
	for (i = 0; i < 512; i++)
		put64(g->ram, GUEST_PML4 + 0x2000 + i * 8, ((uint64_t)i << 21) | 0x87);
	/* GDT: null, 0x08 64-bit code, 0x10 data, 0x18 busy 64-bit TSS at 0x6000. */
	put64(g->ram, GUEST_GDT + 0x08, 0x00af9b000000ffffull);
	put64(g->ram, GUEST_GDT + 0x10, 0x00cf93000000ffffull);
	put64(g->ram, GUEST_GDT + 0x18, 0x00008b0060000067ull);
	guest_copy(g, GUEST_CODE, code, code_end);

	rc = lv_vm_create(b, NULL, &g->vm);
	if (rc == LV_OK)
		rc = lv_vm_map(g->vm, g->ram, 0, GUEST_RAM_SIZE, LV_PROT_ALL);
	if (rc == LV_OK)
		rc = lv_vcpu_create(g->vm, 0, &g->vcpu);
	if (rc == LV_OK) {
		lv_state_init_reset(&st);
		lv_state_init_long64(&st, GUEST_PML4);
		st.segs.gdt.base = GUEST_GDT;
		st.segs.gdt.limit = 0x27;
		st.segs.idt.base = GUEST_IDT;
		st.segs.idt.limit = 0;
		st.segs.tr.base = 0x6000;
		st.regs.rip = GUEST_CODE;
		st.regs.rsp = GUEST_STACK;
		rc = lv_vcpu_set_state(g->vcpu, LV_STATE_ALL, &st);
	}
	if (rc != LV_OK) {
		ksnprintf(why, n, "guest setup: %s", lv_status_name(rc));
		guest_teardown(g);
		return -1;
	}
	return 0;
}

void guest_set_idt(struct guest *g, unsigned vec, uint64_t handler_gpa)
{
	struct lv_state st;
	uint64_t lo = (handler_gpa & 0xffff) | (0x08ull << 16) | (0x8eull << 40) |
		      ((handler_gpa >> 16 & 0xffff) << 48);

	put64(g->ram, GUEST_IDT + vec * 16, lo);
	put64(g->ram, GUEST_IDT + vec * 16 + 8, handler_gpa >> 32);
	lv_vcpu_get_state(g->vcpu, LV_STATE_SEGMENTS, &st);
	st.segs.idt.limit = 0xfff;
	lv_vcpu_set_state(g->vcpu, LV_STATE_SEGMENTS, &st);
}

int guest_run(struct guest *g)
{
	static struct lv_exit none;
	int rc = lv_vcpu_run(g->vcpu, &g->ex);

	if (rc) {
		g->ex = &none;
		return rc;
	}
	return (int)g->ex->reason;
}

void guest_teardown(struct guest *g)
{
	if (g->vcpu)
		lv_vcpu_destroy(g->vcpu);
	if (g->vm)
		lv_vm_destroy(g->vm);
	if (g->ram)
		lv_plat_page_free(g->ram, GUEST_RAM_SIZE / 4096);
	g->vcpu = NULL;
	g->vm = NULL;
	g->ram = NULL;
}
