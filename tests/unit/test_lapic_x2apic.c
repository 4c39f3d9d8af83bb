/* SPDX-License-Identifier: MIT */
/*
 * The local APIC model: IA32_APIC_BASE transitions (SDM Vol. 3, 11.4.4 and
 * 11.12.5), the x2APIC MSR map (11.12.1, Table 11-6) with its #GP cases,
 * INIT in x2APIC mode, and the LV_STATE_APIC image (get/set).
 */
#include <criterion/criterion.h>
#include <string.h>

#include <libvcpu/status.h>

#include "core/lapic.h"
#include "core/x86_arch.h"

static struct lv_lapic L;
static struct lv_lapic_fx fx;

static void setup(uint32_t id, bool bsp)
{
	lv_lapic_reset(&L, id, bsp, true, 46);
	memset(&fx, 0, sizeof(fx));
}

static int base(uint64_t v)
{
	return lv_lapic_set_base(&L, v, false, &fx);
}

static int rd(uint32_t msr, uint64_t *v)
{
	return lv_lapic_msr_read(&L, msr, 0, v);
}

static int wr(uint32_t msr, uint64_t v)
{
	memset(&fx, 0, sizeof(fx));
	return lv_lapic_msr_write(&L, msr, v, 0, 0, &fx);
}

static void x2(uint32_t id)
{
	setup(id, false);
	cr_assert_eq(base(0xfee00c00), LV_LAPIC_OK);
	cr_assert_eq(wr(0x80f, 0x1ff), LV_LAPIC_OK);
}

Test(lapic_base, reserved_bits)
{
	setup(1, false);
	cr_expect_eq(base(0xfee00801), LV_LAPIC_GP, "bit 0");
	cr_expect_eq(base(0xfee00a00), LV_LAPIC_GP, "bit 9");
	cr_expect_eq(base(0x4000fee00800ull), LV_LAPIC_GP, "bit 46 with MAXPHYADDR 46");
	cr_expect_eq(base(0x2000fee00800ull), LV_LAPIC_OK, "bit 45");
	cr_expect_eq(L.apic_base, 0x2000fee00800ull);
	cr_expect_eq(base(0xfed00900), LV_LAPIC_OK, "base and BSP flag are writable");
	cr_expect_eq(L.apic_base, 0xfed00900ull);
	lv_lapic_reset(&L, 1, false, false, 46);
	cr_expect_eq(base(0xfee00c00), LV_LAPIC_GP, "EXTD without x2APIC support");
}

Test(lapic_base, transitions)
{
	uint64_t v;

	setup(3, false);
	cr_expect_eq(base(0xfee00400), LV_LAPIC_GP, "EN=0, EXTD=1 is invalid");
	cr_expect_eq(base(0xfee00c00), LV_LAPIC_OK, "xAPIC -> x2APIC");
	cr_expect_eq(base(0xfee00800), LV_LAPIC_GP, "x2APIC -> xAPIC");
	cr_expect_eq(L.apic_base, 0xfee00c00ull);
	cr_expect_eq(base(0xfee00000), LV_LAPIC_OK, "x2APIC -> disabled");
	cr_expect_not(lv_lapic_hw_enabled(&L));
	cr_expect_eq(rd(0x802, &v), LV_LAPIC_GP);
	cr_expect_eq(base(0xfee00c00), LV_LAPIC_GP, "disabled -> x2APIC");
	cr_expect_eq(lv_lapic_set_base(&L, 0xfee00c00, true, &fx), LV_LAPIC_OK,
		     "a host restore may do it");
	cr_expect_eq(base(0xfee00000), LV_LAPIC_OK);
	cr_expect_eq(base(0xfee00800), LV_LAPIC_OK, "disabled -> xAPIC");
	cr_expect_eq(base(0xfee00800), LV_LAPIC_OK, "no change");
	/* Through the MSR interface. */
	cr_expect_eq(wr(MSR_APIC_BASE, 0xfee00400), LV_LAPIC_GP);
	cr_expect_eq(rd(MSR_APIC_BASE, &v), LV_LAPIC_OK);
	cr_expect_eq(v, 0xfee00800ull);
}

Test(lapic_base, reenable_resets_state)
{
	struct lv_apic_msg m = { .vector = 0x44, .assert = true };

	setup(3, false);
	lv_lapic_mmio_write(&L, LV_APIC_SVR, 4, 0x1ff, 0, &fx);
	lv_lapic_mmio_write(&L, LV_APIC_TPR, 4, 0x30, 0, &fx);
	lv_lapic_mmio_write(&L, LV_APIC_ID, 4, 0x0a000000, 0, &fx);
	lv_lapic_accept(&L, &m, &fx);
	cr_assert_eq(base(0xfee00000), LV_LAPIC_OK);
	cr_expect_eq(lv_lapic_mmio_read(&L, LV_APIC_TPR, 4, 0), 0xffffffffu,
		     "disabled: MMIO reads all ones");
	cr_expect_eq(lv_lapic_mmio_read(&L, LV_APIC_VER + 1, 1, 0), 0xffu);
	cr_expect_eq(lv_lapic_mmio_read(&L, LV_APIC_VER, 2, 0), 0xffffu);
	lv_lapic_accept(&L, &m, &fx);
	cr_assert_eq(base(0xfee00800), LV_LAPIC_OK);
	cr_expect_eq(lv_lapic_reg(&L, LV_APIC_TPR), 0);
	cr_expect_eq(lv_lapic_reg(&L, LV_APIC_SVR), 0xffu);
	cr_expect_eq(lv_lapic_reg(&L, LV_APIC_ID), 0x03000000u, "the initial ID comes back");
	cr_expect_eq(lv_lapic_reg(&L, LV_APIC_IRR + 0x20), 0);
}

Test(lapic_x2apic, enter_sets_id_and_ldr)
{
	uint64_t v;

	setup(0x123, false);
	lv_lapic_mmio_write(&L, LV_APIC_LDR, 4, 0x5a000000, 0, &fx);
	cr_expect_eq(rd(0x802, &v), LV_LAPIC_GP, "x2APIC MSRs #GP in xAPIC mode");
	cr_assert_eq(base(0xfee00c00), LV_LAPIC_OK);
	cr_expect(lv_lapic_x2apic_mode(&L));
	cr_expect_eq(rd(0x802, &v), LV_LAPIC_OK);
	cr_expect_eq(v, 0x123u, "32-bit x2APIC ID");
	cr_expect_eq(lv_lapic_id(&L), 0x123u);
	cr_expect_eq(rd(0x80d, &v), LV_LAPIC_OK);
	cr_expect_eq(v, 0x00120008u, "cluster 0x12, bit 3");
	cr_expect_eq(rd(0x803, &v), LV_LAPIC_OK);
	cr_expect_eq(v, 0x00050014u);
	cr_expect_eq(lv_lapic_mmio_read(&L, LV_APIC_VER, 4, 0), 0xffffffffu,
		     "no MMIO in x2APIC mode: all ones");
	lv_lapic_mmio_write(&L, LV_APIC_TPR, 4, 0x40, 0, &fx);
	cr_expect_eq(lv_lapic_reg(&L, LV_APIC_TPR), 0);
}

Test(lapic_x2apic, msr_map_and_gp)
{
	static const uint32_t not_readable[] = { 0x800, 0x801, 0x804, 0x809, 0x80b, 0x80c, 0x80e,
						 0x829, 0x82f, 0x831, 0x83a, 0x83f, 0x840, 0x8ff };
	static const uint32_t read_only[] = { 0x802, 0x803, 0x80a, 0x80d, 0x810,
					      0x818, 0x820, 0x827, 0x839 };
	uint64_t v;
	unsigned i;

	x2(0x25);
	for (i = 0; i < sizeof(not_readable) / sizeof(not_readable[0]); i++)
		cr_expect_eq(rd(not_readable[i], &v), LV_LAPIC_GP, "read %#x", not_readable[i]);
	for (i = 0; i < sizeof(read_only) / sizeof(read_only[0]); i++) {
		cr_expect_eq(rd(read_only[i], &v), LV_LAPIC_OK, "read %#x", read_only[i]);
		cr_expect_eq(wr(read_only[i], 0), LV_LAPIC_GP, "write %#x", read_only[i]);
	}
	cr_expect_eq(wr(0x808, 0x20), LV_LAPIC_OK);
	cr_expect_eq(lv_lapic_reg(&L, LV_APIC_TPR), 0x20u);
	rd(0x80a, &v);
	cr_expect_eq(v, 0x20u, "PPR");
	cr_expect_eq(wr(0x808, 0x100), LV_LAPIC_GP, "TPR reserved bit 8");
	cr_expect_eq(wr(0x808, 1ull << 32), LV_LAPIC_GP, "upper half reserved");
	cr_expect_eq(lv_lapic_reg(&L, LV_APIC_TPR), 0x20u);
	cr_expect_eq(wr(0x80b, 1), LV_LAPIC_GP, "EOI of a non-zero value");
	cr_expect_eq(wr(0x80b, 0), LV_LAPIC_OK);
	cr_expect_eq(wr(0x828, 1), LV_LAPIC_GP, "ESR of a non-zero value");
	cr_expect_eq(wr(0x828, 0), LV_LAPIC_OK);
	cr_expect_eq(wr(0x80e, 0), LV_LAPIC_GP, "no DFR");
	cr_expect_eq(wr(0x831, 0), LV_LAPIC_GP, "no ICR high");
	cr_expect_eq(wr(0x83e, 0x4), LV_LAPIC_GP, "DCR bit 2");
	cr_expect_eq(wr(0x83e, 0xb), LV_LAPIC_OK);
	cr_expect_eq(lv_lapic_timer_divisor(&L), 1u);
	cr_expect_eq(wr(0x832, 0x20040), LV_LAPIC_OK);
	cr_expect_eq(wr(0x832, 0x80040), LV_LAPIC_GP, "LVT timer bit 19");
	cr_expect_eq(wr(0x835, 0x1a7ff), LV_LAPIC_OK);
	cr_expect_eq(lv_lapic_reg(&L, LV_APIC_LVT0), 0x1a7ffu);
	cr_expect_eq(wr(0x80f, 0x1000), LV_LAPIC_GP, "no EOI-broadcast suppression");
	cr_expect_eq(wr(0x838, 1000), LV_LAPIC_OK);
	cr_expect_eq(lv_lapic_msr_read(&L, 0x839, 300, &v), LV_LAPIC_OK);
	cr_expect_eq(v, 700u);
}

Test(lapic_x2apic, icr_and_self_ipi)
{
	uint64_t v;

	x2(0x25);
	cr_expect_eq(wr(0x830, 0x0000012300004031ull), LV_LAPIC_OK);
	cr_assert(fx.flags & LV_LAPIC_FX_IPI);
	cr_expect_eq(fx.msg.dest, 0x123u);
	cr_expect_eq(fx.msg.vector, 0x31);
	cr_expect(fx.msg.x2apic);
	cr_expect_eq(fx.msg.src_id, 0x25u);
	cr_expect_eq(rd(0x830, &v), LV_LAPIC_OK);
	cr_expect_eq(v, 0x0000012300004031ull);
	cr_expect_eq(lv_lapic_reg(&L, LV_APIC_ICR2), 0x123u);
	cr_expect_eq(wr(0x830, 0x2031), LV_LAPIC_GP, "ICR bit 13");
	cr_expect_eq(wr(0x830, 0x0000000200005031ull), LV_LAPIC_OK, "ICR bit 12 is ignored");
	cr_expect_eq(fx.msg.dest, 2u);
	rd(0x830, &v);
	cr_expect_eq(v, 0x0000000200004031ull);
	cr_expect_eq(wr(0x830, 0x104031), LV_LAPIC_GP, "ICR bit 20");
	cr_expect_eq(wr(0x83f, 0x41), LV_LAPIC_OK);
	cr_assert(fx.flags & LV_LAPIC_FX_IPI);
	cr_expect_eq(fx.msg.shorthand, LV_APIC_SH_SELF);
	cr_expect_eq(fx.msg.vector, 0x41);
	cr_expect_eq(fx.msg.delivery, LV_APIC_DM_FIXED);
	cr_expect_not(fx.msg.level_trig);
	cr_expect_eq(wr(0x83f, 0x141), LV_LAPIC_GP, "SELF IPI bits 31:8");
	cr_expect_eq(rd(0x83f, &v), LV_LAPIC_GP, "SELF IPI is write-only");
}

Test(lapic_x2apic, init_keeps_x2apic_mode)
{
	struct lv_apic_msg init = { .delivery = LV_APIC_DM_INIT, .assert = true };
	uint64_t v;

	x2(0x41);
	wr(0x808, 0x70);
	lv_lapic_accept(&L, &init, &fx);
	cr_expect(lv_lapic_x2apic_mode(&L));
	cr_expect_eq(L.apic_base, 0xfee00c00ull);
	rd(0x802, &v);
	cr_expect_eq(v, 0x41u);
	rd(0x80d, &v);
	cr_expect_eq(v, 0x00040002u);
	rd(0x808, &v);
	cr_expect_eq(v, 0u);
	cr_expect_eq(L.mp_state, LV_MP_WAIT_SIPI);
}

Test(lapic_state, get_set_round_trip)
{
	struct lv_lapic b;
	struct lv_apic page;
	uint32_t u;
	uint64_t when;

	setup(2, false);
	lv_lapic_mmio_write(&L, LV_APIC_SVR, 4, 0x1ff, 0, &fx);
	lv_lapic_mmio_write(&L, LV_APIC_TPR, 4, 0x31, 0, &fx);
	lv_lapic_mmio_write(&L, LV_APIC_LVTT, 4, 0x20030, 0, &fx);
	lv_lapic_mmio_write(&L, LV_APIC_TMICT, 4, 1000, 0, &fx); /* divide by 2 */
	lv_lapic_get_state(&L, &page, 500);
	memcpy(&u, &page.regs[LV_APIC_TMCCT], 4);
	cr_expect_eq(u, 750u);
	memcpy(&u, &page.regs[LV_APIC_TPR], 4);
	cr_expect_eq(u, 0x31u);
	memcpy(&u, &page.regs[LV_APIC_ID], 4);
	cr_expect_eq(u, 0x02000000u);
	/* Garbage in derived registers is replaced by the model's values. */
	u = 0xdeadbeef;
	memcpy(&page.regs[LV_APIC_PPR], &u, 4);
	memcpy(&page.regs[LV_APIC_VER], &u, 4);
	lv_lapic_reset(&b, 2, false, true, 46);
	cr_expect_eq(lv_lapic_set_state(&b, &page, 10000), LV_OK);
	cr_expect_eq(lv_lapic_reg(&b, LV_APIC_PPR), 0x31u);
	cr_expect_eq(lv_lapic_reg(&b, LV_APIC_VER), 0x00050014u);
	cr_expect_eq(lv_lapic_timer_current(&b, 10000), 750u, "the count resumes");
	cr_expect_eq(lv_lapic_timer_next(&b, &when), LV_LAPIC_CLOCK_NS);
	cr_expect_eq(when, 11500u);
	cr_expect(lv_lapic_timer_poll(&b, 11500, 0, &fx));
	cr_expect_eq(lv_lapic_timer_current(&b, 11500), 1000u, "periodic reload from TMICT");
}

Test(lapic_state, x2apic_id_checked)
{
	struct lv_apic page;
	uint32_t u;

	x2(7);
	lv_lapic_get_state(&L, &page, 0);
	cr_expect_eq(lv_lapic_set_state(&L, &page, 0), LV_OK);
	u = 8;
	memcpy(&page.regs[LV_APIC_ID], &u, 4);
	cr_expect_eq(lv_lapic_set_state(&L, &page, 0), LV_ERR_INVAL);
	cr_expect_eq(lv_lapic_id(&L), 7u);
}

Test(lapic_state, reserved_parts_of_the_image_are_dropped)
{
	struct lv_apic page;
	uint32_t u;

	setup(2, false);
	memset(&page, 0xff, sizeof(page));
	cr_expect_eq(lv_lapic_set_state(&L, &page, 0), LV_OK);
	cr_expect_eq(lv_lapic_reg(&L, LV_APIC_ID), 0xff000000u);
	cr_expect_eq(lv_lapic_reg(&L, LV_APIC_TPR), 0xffu);
	cr_expect_eq(lv_lapic_reg(&L, LV_APIC_PPR), 0xffu, "recomputed from TPR and ISR");
	cr_expect_eq(lv_lapic_reg(&L, LV_APIC_SVR), 0x3ffu);
	cr_expect_eq(lv_lapic_reg(&L, LV_APIC_DFR), 0xffffffffu);
	cr_expect_eq(lv_lapic_reg(&L, LV_APIC_ICR), 0x000ccfffu);
	cr_expect_eq(lv_lapic_reg(&L, LV_APIC_LVT0), 0x0001f7ffu);
	cr_expect_eq(lv_lapic_reg(&L, LV_APIC_LVTERR), 0x000110ffu);
	cr_expect_eq(lv_lapic_reg(&L, LV_APIC_TDCR), 0xbu);
	cr_expect_eq(lv_lapic_reg(&L, 0x040), 0, "reserved slot");
	cr_expect_eq(lv_lapic_reg(&L, LV_APIC_EOI), 0);
	cr_expect_eq(lv_lapic_reg(&L, LV_APIC_LVT_CMCI), 0);
	memcpy(&u, &L.page.regs[LV_APIC_TPR + 4], 4);
	cr_expect_eq(u, 0, "bytes 4-15 of a slot");
	cr_expect_eq(lv_lapic_mmio_read(&L, LV_APIC_TMCCT, 4, 0), 0xffffffffu);
}

Test(lapic_x2apic, send_illegal_vector)
{
	uint64_t v;

	x2(3);
	cr_expect_eq(wr(0x830, 0x0000000100004005ull), LV_LAPIC_OK);
	cr_expect_not(fx.flags & LV_LAPIC_FX_IPI);
	cr_expect_eq(wr(0x828, 0), LV_LAPIC_OK);
	cr_expect_eq(rd(0x828, &v), LV_LAPIC_OK);
	cr_expect_eq(v, LV_APIC_ESR_SEND_ILLEGAL_VECTOR);
}

Test(lapic_state, tsc_deadline_in_the_apic_group)
{
	struct lv_lapic b;
	struct lv_apic page;
	uint64_t when, v;

	setup(2, false);
	lv_lapic_mmio_write(&L, LV_APIC_SVR, 4, 0x1ff, 0, &fx);
	lv_lapic_mmio_write(&L, LV_APIC_LVTT, 4, 0x40030, 0, &fx); /* TSC-deadline, vector 0x30 */
	cr_assert_eq(wr(MSR_TSC_DEADLINE, 123456), LV_LAPIC_OK);
	lv_lapic_get_state(&L, &page, 0);
	cr_expect_eq(page.tsc_deadline, 123456u);
	lv_lapic_reset(&b, 2, false, true, 46);
	cr_expect_eq(lv_lapic_set_state(&b, &page, 0), LV_OK);
	cr_expect_eq(lv_lapic_msr_read(&b, MSR_TSC_DEADLINE, 0, &v), LV_LAPIC_OK);
	cr_expect_eq(v, 123456u, "the deadline comes with the page that selects its mode");
	cr_expect_eq(lv_lapic_timer_next(&b, &when), LV_LAPIC_CLOCK_TSC);
	cr_expect_eq(when, 123456u);
	/* In one-shot mode the group's deadline reads 0 and is not taken. */
	lv_lapic_mmio_write(&L, LV_APIC_LVTT, 4, 0x00030, 0, &fx);
	lv_lapic_get_state(&L, &page, 0);
	cr_expect_eq(page.tsc_deadline, 0u);
	page.tsc_deadline = 99;
	cr_expect_eq(lv_lapic_set_state(&b, &page, 0), LV_OK);
	cr_expect_eq(b.tsc_deadline, 0u);
}
