/* SPDX-License-Identifier: MIT */
/*
 * x86 MMIO emulator: semantics from the SDM, driven through a fake guest
 * (tests/unit/x86_fake.h). Device accesses are checked in order.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "x86_fake.h"

static struct fake *g;

static void setup(void)
{
	g = calloc(1, sizeof(*g));
}

static void teardown(void)
{
	free(g);
}

TestSuite(x86_emul, .init = setup, .fini = teardown);

#define CODE(...)                                                                                  \
	do {                                                                                       \
		static const uint8_t c_[] = { __VA_ARGS__ };                                       \
		fake_code(g, c_, sizeof(c_));                                                      \
	} while (0)

static uint64_t dev64(unsigned off)
{
	uint64_t v;

	memcpy(&v, &g->dev[off], 8);
	return v;
}

Test(x86_emul, mov_store_sizes_64)
{
	/* mov [rbx], cl / cx / ecx / rcx */
	static const uint8_t enc[4][4] = {
		{ 0x88, 0x0b }, { 0x66, 0x89, 0x0b }, { 0x89, 0x0b }, { 0x48, 0x89, 0x0b }
	};
	static const unsigned len[4] = { 2, 3, 2, 3 }, size[4] = { 1, 2, 4, 8 };

	for (int i = 0; i < 4; i++) {
		fake_init(g, LV_X86_MODE_64);
		fake_code(g, enc[i], len[i]);
		g->regs.rbx = FAKE_DEV + 0x10;
		g->regs.rcx = 0x1122334455667788ull;
		cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
		cr_assert_eq(g->nlog, 1);
		cr_assert(g->log[0].is_write && !g->log[0].is_io);
		cr_assert_eq(g->log[0].addr, FAKE_DEV + 0x10);
		cr_assert_eq(g->log[0].size, size[i]);
		cr_assert_eq(dev64(0x10), 0x1122334455667788ull & lv_x86_mask(size[i]));
		cr_assert_eq(g->regs.rip, 0x1000 + len[i]);
	}
}

Test(x86_emul, mov_load_zero_extends_and_merges)
{
	fake_init(g, LV_X86_MODE_64);
	CODE(0x8b, 0x03); /* mov eax, [rbx] */
	g->regs.rbx = FAKE_DEV;
	g->regs.rax = ~0ull;
	memcpy(g->dev, "\x44\x33\x22\x11", 4);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->regs.rax, 0x11223344ull);
	cr_assert_eq(g->nlog, 1);
	cr_assert(!g->log[0].is_write);

	fake_init(g, LV_X86_MODE_64);
	CODE(0x8a, 0x23); /* mov ah, [rbx] */
	g->regs.rbx = FAKE_DEV;
	g->regs.rax = 0xffffffffffffffffull;
	g->dev[0] = 0x5a;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->regs.rax, 0xffffffffffff5affull);

	fake_init(g, LV_X86_MODE_64);
	CODE(0x40, 0x8a, 0x33); /* mov sil, [rbx] (REX: SIL, not DH) */
	g->regs.rbx = FAKE_DEV;
	g->regs.rsi = 0x1234;
	g->dev[0] = 0x77;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->regs.rsi, 0x1277);
}

Test(x86_emul, mov_imm_and_moffs)
{
	fake_init(g, LV_X86_MODE_64);
	CODE(0x48, 0xc7, 0x03, 0xfe, 0xff, 0xff, 0xff); /* mov qword [rbx], -2 */
	g->regs.rbx = FAKE_DEV + 8;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(dev64(8), 0xfffffffffffffffeull);
	cr_assert_eq(g->log[0].size, 8);

	fake_init(g, LV_X86_MODE_64);
	/* mov eax, [moffs64 FAKE_DEV + 0x20] */
	CODE(0xa1, 0x20, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00);
	memcpy(&g->dev[0x20], "\xef\xbe\xad\xde", 4);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->regs.rax, 0xdeadbeefull);
	cr_assert_eq(g->regs.rip, 0x1009);

	fake_init(g, LV_X86_MODE_32);
	CODE(0xa2, 0x30, 0x00, 0x10, 0x00); /* mov [moffs32], al */
	g->regs.rax = 0x99;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->dev[0x30], 0x99);
	cr_assert_eq(g->regs.rip, 0x1005);
}

Test(x86_emul, movzx_movsx)
{
	fake_init(g, LV_X86_MODE_64);
	CODE(0x0f, 0xb6, 0x03); /* movzx eax, byte [rbx] */
	g->regs.rbx = FAKE_DEV;
	g->regs.rax = ~0ull;
	g->dev[0] = 0x80;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->regs.rax, 0x80);

	fake_init(g, LV_X86_MODE_64);
	CODE(0x48, 0x0f, 0xbf, 0x03); /* movsx rax, word [rbx] */
	g->regs.rbx = FAKE_DEV;
	memcpy(g->dev, "\x00\x80", 2);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->regs.rax, 0xffffffffffff8000ull);
	cr_assert_eq(g->log[0].size, 2);
}

Test(x86_emul, rmw_or_gives_read_then_write)
{
	fake_init(g, LV_X86_MODE_64);
	CODE(0x83, 0x0b, 0x05); /* or dword [rbx], 5 */
	g->regs.rbx = FAKE_DEV + 4;
	memcpy(&g->dev[4], "\x10\x00\x00\x00", 4);
	/* phase 1: read exit, nothing committed yet */
	cr_assert_eq(lv_x86_emul_start(&g->em, NULL, 0), LV_X86_EMUL_ACCESS);
	cr_assert(!g->em.access.is_write);
	cr_assert_eq(g->em.access.addr, FAKE_DEV + 4);
	cr_assert_eq(g->em.access.size, 4);
	cr_assert_eq(g->set_regs_calls, 0);
	cr_assert_eq(g->regs.rip, 0x1000);
	memcpy(g->em.access.data, "\x10\x00\x00\x00", 4);
	/* phase 2: write exit with the result; registers are committed */
	cr_assert_eq(lv_x86_emul_resume(&g->em), LV_X86_EMUL_ACCESS);
	cr_assert(g->em.access.is_write);
	cr_assert_eq(g->em.access.data[0], 0x15);
	cr_assert_eq(g->regs.rip, 0x1003);
	cr_assert_eq(g->regs.rflags & LV_X86_ARITH_FLAGS, 0); /* 0x15: odd parity, PF = 0 */
	cr_assert_eq(lv_x86_emul_resume(&g->em), LV_X86_EMUL_DONE);
	/* resume with nothing pending is a caller error, reported */
	cr_assert_eq(lv_x86_emul_resume(&g->em), LV_X86_EMUL_UNHANDLEABLE);
}

Test(x86_emul, cmp_and_test_do_not_write)
{
	fake_init(g, LV_X86_MODE_64);
	CODE(0x39, 0x0b); /* cmp [rbx], ecx */
	g->regs.rbx = FAKE_DEV;
	g->regs.rcx = 5;
	g->dev[0] = 5;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->nlog, 1);
	cr_assert(g->regs.rflags & LV_X86_ZF);

	fake_init(g, LV_X86_MODE_64);
	CODE(0xf6, 0x03, 0x80); /* test byte [rbx], 0x80 */
	g->regs.rbx = FAKE_DEV;
	g->dev[0] = 0x81;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->nlog, 1);
	cr_assert(g->regs.rflags & LV_X86_SF);
	cr_assert(!(g->regs.rflags & LV_X86_ZF));
}

Test(x86_emul, xchg_and_cmpxchg)
{
	fake_init(g, LV_X86_MODE_64);
	CODE(0x87, 0x0b); /* xchg [rbx], ecx */
	g->regs.rbx = FAKE_DEV;
	g->regs.rcx = 0xffffffff00000001ull;
	memcpy(g->dev, "\x02\x00\x00\x00", 4);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->dev[0], 1);
	cr_assert_eq(g->regs.rcx, 2); /* 32-bit write zero-extends */
	cr_assert_eq(g->nlog, 2);

	/* cmpxchg [rbx], ecx: equal -> store ecx, ZF = 1 */
	fake_init(g, LV_X86_MODE_64);
	CODE(0x0f, 0xb1, 0x0b);
	g->regs.rbx = FAKE_DEV;
	g->regs.rax = 7;
	g->regs.rcx = 9;
	g->dev[0] = 7;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->dev[0], 9);
	cr_assert(g->regs.rflags & LV_X86_ZF);
	cr_assert_eq(g->regs.rax, 7);

	/* not equal -> EAX = dest, dest written back unchanged, ZF = 0 */
	fake_init(g, LV_X86_MODE_64);
	CODE(0x0f, 0xb1, 0x0b);
	g->regs.rbx = FAKE_DEV;
	g->regs.rax = 0xffffffff00000006ull;
	g->regs.rcx = 9;
	g->dev[0] = 7;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->dev[0], 7);
	cr_assert(!(g->regs.rflags & LV_X86_ZF));
	cr_assert_eq(g->regs.rax, 7);
	cr_assert_eq(g->nlog, 2);
	cr_assert(g->log[1].is_write);
}

Test(x86_emul, bit_string_addressing)
{
	/* bts [rbx], rcx with rcx = -1: bit 63 of the qword BELOW rbx (SDM Vol. 2, BT) */
	fake_init(g, LV_X86_MODE_64);
	CODE(0x48, 0x0f, 0xab, 0x0b);
	g->regs.rbx = FAKE_DEV + 0x100;
	g->regs.rcx = ~0ull;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->log[0].addr, FAKE_DEV + 0xf8);
	cr_assert_eq(dev64(0xf8), 1ull << 63);
	cr_assert(!(g->regs.rflags & LV_X86_CF));

	/* bt dword [rbx], 35 (imm): bit 3, no address adjustment */
	fake_init(g, LV_X86_MODE_64);
	CODE(0x0f, 0xba, 0x23, 35);
	g->regs.rbx = FAKE_DEV;
	g->dev[0] = 8;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->nlog, 1);
	cr_assert(g->regs.rflags & LV_X86_CF);

	/* btr word [rbx], cx with cx = 17: word at +2, bit 1 */
	fake_init(g, LV_X86_MODE_64);
	CODE(0x66, 0x0f, 0xb3, 0x0b);
	g->regs.rbx = FAKE_DEV;
	g->regs.rcx = 17;
	g->dev[2] = 0xff;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->log[0].addr, FAKE_DEV + 2);
	cr_assert_eq(g->dev[2], 0xfd);
	cr_assert(g->regs.rflags & LV_X86_CF);
}

Test(x86_emul, movnti_and_inc_neg_not)
{
	fake_init(g, LV_X86_MODE_64);
	CODE(0x48, 0x0f, 0xc3, 0x0b); /* movnti [rbx], rcx */
	g->regs.rbx = FAKE_DEV;
	g->regs.rcx = 0x0102030405060708ull;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(dev64(0), 0x0102030405060708ull);

	fake_init(g, LV_X86_MODE_64);
	CODE(0xfe, 0x03); /* inc byte [rbx]: 0x7f -> 0x80, OF, CF kept */
	g->regs.rbx = FAKE_DEV;
	g->regs.rflags = 2 | LV_X86_CF;
	g->dev[0] = 0x7f;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->dev[0], 0x80);
	cr_assert_eq(g->regs.rflags & LV_X86_ARITH_FLAGS,
		     LV_X86_CF | LV_X86_OF | LV_X86_SF | LV_X86_AF);

	fake_init(g, LV_X86_MODE_64);
	CODE(0xf7, 0x1b); /* neg dword [rbx] */
	g->regs.rbx = FAKE_DEV;
	g->dev[0] = 1;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(dev64(0) & 0xffffffff, 0xffffffff);
	cr_assert(g->regs.rflags & LV_X86_CF);

	fake_init(g, LV_X86_MODE_64);
	CODE(0xf6, 0x13); /* not byte [rbx]: flags unchanged */
	g->regs.rbx = FAKE_DEV;
	g->regs.rflags = 2 | LV_X86_ZF;
	g->dev[0] = 0x0f;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->dev[0], 0xf0);
	cr_assert_eq(g->regs.rflags, 2 | LV_X86_ZF);
}

Test(x86_emul, rip_relative)
{
	fake_init(g, LV_X86_MODE_64);
	g->regs.rip = 0x1000;
	/* mov eax, [rip + disp32] with disp = FAKE_DEV + 0x40 - 0x1006 */
	uint32_t disp = FAKE_DEV + 0x40 - 0x1006;
	uint8_t c[6] = { 0x8b, 0x05 };

	memcpy(&c[2], &disp, 4);
	fake_code(g, c, 6);
	g->dev[0x40] = 0x42;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->log[0].addr, FAKE_DEV + 0x40);
	cr_assert_eq(g->regs.rax, 0x42);
}

Test(x86_emul, mode16_addressing_and_wrap)
{
	fake_init(g, LV_X86_MODE_16);
	/* ds.base puts the device at offset 0 */
	g->segs.ds.base = FAKE_DEV;
	CODE(0x89, 0x40, 0x02); /* mov [bx+si+2], ax */
	g->regs.rbx = 0xfff0;
	g->regs.rsi = 0x000e; /* bx+si+2 = 0x10000 -> wraps to 0 */
	g->regs.rax = 0xabcd;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->log[0].addr, FAKE_DEV);
	cr_assert_eq(g->log[0].size, 2);
	cr_assert_eq(g->regs.rip, 0x1003);

	/* 66 prefix in 16-bit mode: 32-bit operand; bp base defaults to SS */
	fake_init(g, LV_X86_MODE_16);
	g->segs.ss.base = FAKE_DEV;
	CODE(0x66, 0x89, 0x46, 0x04); /* mov [bp+4], eax */
	g->regs.rbp = 0x10;
	g->regs.rax = 0x12345678;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->log[0].addr, FAKE_DEV + 0x14);
	cr_assert_eq(g->log[0].size, 4);
}

Test(x86_emul, rep_movsb_one_element_per_start)
{
	fake_init(g, LV_X86_MODE_64);
	CODE(0xf3, 0xa4); /* rep movsb: RAM -> device */
	g->regs.rsi = 0x3000;
	g->regs.rdi = FAKE_DEV + 0x10;
	g->regs.rcx = 3;
	memcpy(&g->ram[0x3000], "abc", 3);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
		cr_assert_eq(g->regs.rcx, (uint64_t)(2 - i));
		cr_assert_eq(g->regs.rip, i < 2 ? 0x1000u : 0x1002u);
	}
	cr_assert_eq(memcmp(&g->dev[0x10], "abc", 3), 0);
	cr_assert_eq(g->nlog, 3);
	cr_assert_eq(g->regs.rsi, 0x3003);
	cr_assert_eq(g->regs.rdi, FAKE_DEV + 0x13);
	/* rcx = 0: nothing happens, RIP advances */
	g->regs.rip = 0x1000;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->nlog, 3);
	cr_assert_eq(g->regs.rip, 0x1002);
}

Test(x86_emul, movsd_backwards_device_to_ram)
{
	fake_init(g, LV_X86_MODE_32);
	CODE(0xa5); /* movsd, DF = 1 */
	g->regs.rflags = 2 | LV_X86_DF;
	g->regs.rsi = FAKE_DEV + 8;
	g->regs.rdi = 0x4000;
	memcpy(&g->dev[8], "\x01\x02\x03\x04", 4);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(memcmp(&g->ram[0x4000], "\x01\x02\x03\x04", 4), 0);
	cr_assert_eq(g->regs.rsi, FAKE_DEV + 4);
	cr_assert_eq(g->regs.rdi, 0x3ffc);
	cr_assert_eq(g->regs.rip, 0x1001);
}

Test(x86_emul, stos_lods_scas_cmps)
{
	fake_init(g, LV_X86_MODE_64);
	CODE(0x66, 0xab); /* stosw */
	g->regs.rdi = FAKE_DEV;
	g->regs.rax = 0xbeef;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->dev[0], 0xef);
	cr_assert_eq(g->regs.rdi, FAKE_DEV + 2);

	fake_init(g, LV_X86_MODE_64);
	CODE(0x48, 0xad); /* lodsq */
	g->regs.rsi = FAKE_DEV;
	memcpy(g->dev, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->regs.rax, 0x0807060504030201ull);

	/* repne scasb: stops at the match */
	fake_init(g, LV_X86_MODE_64);
	CODE(0xf2, 0xae);
	g->regs.rdi = FAKE_DEV;
	g->regs.rcx = 10;
	g->regs.rax = 'x';
	memcpy(g->dev, "abx", 3);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->regs.rip, 0x1002);
	cr_assert_eq(g->regs.rcx, 7);
	cr_assert(g->regs.rflags & LV_X86_ZF);

	/* repe cmpsb between RAM and device: stops at the first difference */
	fake_init(g, LV_X86_MODE_64);
	CODE(0xf3, 0xa6);
	g->regs.rsi = 0x5000;
	g->regs.rdi = FAKE_DEV;
	g->regs.rcx = 5;
	memcpy(&g->ram[0x5000], "abcd", 4);
	memcpy(g->dev, "abXd", 4);
	int n = 0;

	while (g->regs.rip == 0x1000 && n < 10) {
		cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
		n++;
	}
	cr_assert_eq(n, 3);
	cr_assert_eq(g->regs.rcx, 2);
	cr_assert(!(g->regs.rflags & LV_X86_ZF));
	cr_assert(!(g->regs.rflags & LV_X86_CF)); /* 'c' > 'X' unsigned */
}

Test(x86_emul, ins_outs_ports)
{
	fake_init(g, LV_X86_MODE_64);
	CODE(0xf3, 0x6e); /* rep outsb */
	g->regs.rsi = 0x6000;
	g->regs.rdx = 0x3f8;
	g->regs.rcx = 2;
	memcpy(&g->ram[0x6000], "hi", 2);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->nlog, 2);
	cr_assert(g->log[0].is_io && g->log[0].is_write);
	cr_assert_eq(g->log[0].addr, 0x3f8);
	cr_assert_eq(g->log[0].data[0], 'h');
	cr_assert_eq(g->log[1].data[0], 'i');
	cr_assert_eq(g->regs.rip, 0x1002);

	fake_init(g, LV_X86_MODE_32);
	CODE(0x6d); /* insd */
	g->regs.rdi = 0x7000;
	g->regs.rdx = 0x60;
	memcpy(&g->ports[0x60], "\x11\x22\x33\x44", 4);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert(g->log[0].is_io && !g->log[0].is_write);
	cr_assert_eq(g->log[0].size, 4);
	cr_assert_eq(memcmp(&g->ram[0x7000], "\x11\x22\x33\x44", 4), 0);
	cr_assert_eq(g->regs.rdi, 0x7004);

	/* a faulting destination faults before the port is read */
	fake_init(g, LV_X86_MODE_32);
	CODE(0x6c); /* insb */
	g->fault_page = 0x7000;
	g->regs.rdi = 0x7000;
	g->regs.rdx = 0x60;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_FAULT);
	cr_assert_eq(g->nlog, 0);
	cr_assert_eq(g->em.fault.error_code, 2);
}

Test(x86_emul, page_crossing)
{
	/* 4-byte write straddling RAM page 0x1f000 and the device at 0x20000? Use RO page. */
	fake_init(g, LV_X86_MODE_64);
	CODE(0x89, 0x0b); /* mov [rbx], ecx */
	g->ro_page = 0x9000;
	g->regs.rbx = 0x8ffe; /* bytes 0x8ffe-0x8fff RAM, 0x9000-0x9001 read-only -> MMIO */
	g->regs.rcx = 0xa1b2c3d4;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->ram[0x8ffe], 0xd4);
	cr_assert_eq(g->ram[0x8fff], 0xc3);
	cr_assert_eq(g->nlog, 1);
	cr_assert_eq(g->log[0].addr, 0x9000);
	cr_assert_eq(g->log[0].size, 2);
	cr_assert_eq(g->log[0].data[0], 0xb2);

	/* an 8-byte read across two device pages: two read exits, in order */
	fake_init(g, LV_X86_MODE_64);
	CODE(0x48, 0x8b, 0x03);
	g->regs.rbx = FAKE_DEV + 0xffd;
	memcpy(&g->dev[0xffd], "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->nlog, 2);
	cr_assert_eq(g->log[0].addr, FAKE_DEV + 0xffd);
	cr_assert_eq(g->log[0].size, 3);
	cr_assert_eq(g->log[1].addr, FAKE_DEV + 0x1000);
	cr_assert_eq(g->log[1].size, 5);
	cr_assert_eq(g->regs.rax, 0x0807060504030201ull);
}

Test(x86_emul, faults)
{
	/* #PF from the walk: reported, no state change, no device access */
	fake_init(g, LV_X86_MODE_64);
	CODE(0x89, 0x0b);
	g->fault_page = 0x8000;
	g->regs.rbx = 0x8010;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_FAULT);
	cr_assert_eq(g->em.fault.vector, LV_X86_VEC_PF);
	cr_assert_eq(g->em.fault.error_code, 2);
	cr_assert_eq(g->em.fault.cr2, 0x8010);
	cr_assert_eq(g->set_regs_calls, 0);
	cr_assert_eq(g->nlog, 0);

	/* the second half of a split write faults: nothing is written at all */
	fake_init(g, LV_X86_MODE_64);
	CODE(0x89, 0x0b);
	g->fault_page = 0x9000;
	g->regs.rbx = 0x8ffe;
	g->ram[0x8ffe] = 0x55;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_FAULT);
	cr_assert_eq(g->em.fault.cr2, 0x9000);
	cr_assert_eq(g->ram[0x8ffe], 0x55);

	/* non-canonical: #GP(0); through SS (rbp base): #SS(0) */
	fake_init(g, LV_X86_MODE_64);
	CODE(0x89, 0x0b);
	g->regs.rbx = 0x0000800000000000ull;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_FAULT);
	cr_assert_eq(g->em.fault.vector, LV_X86_VEC_GP);
	fake_init(g, LV_X86_MODE_64);
	CODE(0x89, 0x4d, 0x00); /* mov [rbp+0], ecx */
	g->regs.rbp = 0x0000800000000000ull;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_FAULT);
	cr_assert_eq(g->em.fault.vector, LV_X86_VEC_SS);

	/* 32-bit: beyond the DS limit, and a write to a read-only data segment */
	fake_init(g, LV_X86_MODE_32);
	g->segs.ds.limit = 0xfff;
	CODE(0x89, 0x0b);
	g->regs.rbx = 0xffe;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_FAULT);
	cr_assert_eq(g->em.fault.vector, LV_X86_VEC_GP);
	fake_init(g, LV_X86_MODE_32);
	g->segs.ds.type = 1; /* read-only, accessed */
	CODE(0x89, 0x0b);
	g->regs.rbx = FAKE_DEV;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_FAULT);
	g->segs.ds.type = 3;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
}

Test(x86_emul, cannot_emulate)
{
	static const uint8_t bad[][4] = {
		{ 0x90 },	      /* nop: not in the subset */
		{ 0xf0, 0x89, 0x0b }, /* lock mov: #UD */
		{ 0xf0, 0x01, 0xc8 }, /* lock add eax, ecx (register destination): #UD */
		{ 0x0f, 0xc3, 0xc8 }, /* movnti with a register operand */
		{ 0xc7, 0xf8, 0, 0 }, /* xbegin */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_init(g, LV_X86_MODE_64);
		fake_code(g, bad[i], 4);
		cr_assert_eq(fake_run(g), LV_X86_EMUL_UNHANDLEABLE, "case %zu", i);
		cr_assert_eq(g->set_regs_calls, 0);
	}
	/* fetching from a device is refused */
	fake_init(g, LV_X86_MODE_64);
	g->regs.rip = FAKE_DEV;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_UNHANDLEABLE);
	/* prefetched bytes (decode assists) are used instead of memory */
	fake_init(g, LV_X86_MODE_64);
	g->regs.rbx = FAKE_DEV;
	g->regs.rcx = 3;
	cr_assert_eq(lv_x86_emul_start(&g->em, (const uint8_t *)"\x88\x0b", 2), LV_X86_EMUL_ACCESS);
	cr_assert(g->em.access.is_write);
	cr_assert_eq(g->em.access.data[0], 3);
	/* too few prefetched bytes: the emulator fetches the instruction itself */
	fake_init(g, LV_X86_MODE_64);
	CODE(0x66, 0x89, 0x0b);
	g->regs.rbx = FAKE_DEV;
	g->regs.rcx = 0x1234;
	cr_assert_eq(lv_x86_emul_start(&g->em, (const uint8_t *)"\x66\x89", 2), LV_X86_EMUL_ACCESS);
	cr_assert_eq(g->em.access.size, 2);
	cr_assert_eq(g->em.insn.len, 3);
}

Test(x86_emul, fetch_limits_and_faults)
{
	/* the instruction runs past the CS limit: #GP(0) */
	fake_init(g, LV_X86_MODE_32);
	g->segs.cs.limit = 0x1001;
	CODE(0x89, 0x0b, 0x00);
	g->regs.rip = 0x1000;
	CODE(0x66, 0x89, 0x0b);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_FAULT);
	cr_assert_eq(g->em.fault.vector, LV_X86_VEC_GP);
	/* the instruction continues on a page that faults: #PF for that page */
	fake_init(g, LV_X86_MODE_64);
	g->regs.rip = 0x1ffe;
	g->fault_page = 0x2000;
	fake_code(g, "\x48\x89", 2);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_FAULT);
	cr_assert_eq(g->em.fault.vector, LV_X86_VEC_PF);
	cr_assert_eq(g->em.fault.cr2, 0x2000);
	/* but a complete instruction before the faulting page is fine */
	fake_init(g, LV_X86_MODE_64);
	g->regs.rip = 0x1ffe;
	g->fault_page = 0x2000;
	g->regs.rbx = FAKE_DEV;
	fake_code(g, "\x89\x0b", 2);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->regs.rip, 0x2000);
}

Test(x86_emul, lock_add_on_ram_and_readonly_ram_rmw)
{
	/* lock add [rbx], ecx on RAM: no device access at all */
	fake_init(g, LV_X86_MODE_64);
	CODE(0xf0, 0x01, 0x0b);
	g->regs.rbx = 0x8000;
	g->regs.rcx = 2;
	g->ram[0x8000] = 40;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->ram[0x8000], 42);
	cr_assert_eq(g->nlog, 0);
	/* read-only RAM: the read comes from memory, the write is a device write */
	fake_init(g, LV_X86_MODE_64);
	CODE(0x01, 0x0b);
	g->ro_page = 0x8000;
	g->regs.rbx = 0x8000;
	g->regs.rcx = 2;
	g->ram[0x8000] = 40;
	cr_assert_eq(lv_x86_emul_start(&g->em, NULL, 0), LV_X86_EMUL_ACCESS);
	cr_assert(g->em.access.is_write);
	cr_assert_eq(g->em.access.data[0], 42);
	cr_assert_eq(g->ram[0x8000], 40);
}

Test(x86_emul, env_from_state)
{
	struct lv_state st;
	struct lv_x86_env env;

	lv_state_init_reset(&st);
	lv_x86_env_from_state(&env, &st);
	cr_assert_eq(env.mode, LV_X86_MODE_16);
	cr_assert_eq(env.pe, 0);
	lv_state_init_protected32(&st);
	lv_x86_env_from_state(&env, &st);
	cr_assert_eq(env.mode, LV_X86_MODE_32);
	lv_state_init_long64(&st, 0x1000);
	lv_x86_env_from_state(&env, &st);
	cr_assert_eq(env.mode, LV_X86_MODE_64);
	cr_assert_eq(env.cpl, 0);
}

Test(x86_emul, single_step_rf_and_alignment_check)
{
	fake_init(g, LV_X86_MODE_64);
	CODE(0x89, 0x0b);
	g->regs.rbx = FAKE_DEV;
	g->regs.rflags = 2 | (1u << 8) | (1u << 16); /* TF, RF */
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->em.single_step, 1);
	cr_assert_eq(g->regs.rflags, 2 | (1u << 8)); /* RF cleared */
	g->regs.rip = 0x1000;
	g->regs.rflags = 2;
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	cr_assert_eq(g->em.single_step, 0);

	/* #AC: CPL 3, CR0.AM, RFLAGS.AC and a misaligned operand */
	fake_init(g, LV_X86_MODE_64);
	CODE(0x89, 0x0b);
	g->env.am = 1;
	g->env.cpl = 3;
	g->regs.rbx = FAKE_DEV + 2;
	g->regs.rflags = 2 | (1u << 18);
	cr_assert_eq(fake_run(g), LV_X86_EMUL_FAULT);
	cr_assert_eq(g->em.fault.vector, LV_X86_VEC_AC);
	cr_assert_eq(g->nlog, 0);
	g->regs.rbx = FAKE_DEV + 4; /* aligned: fine */
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
	g->regs.rip = 0x1000;
	g->regs.rbx = FAKE_DEV + 2;
	g->env.cpl = 0; /* CPL 0: no check */
	cr_assert_eq(fake_run(g), LV_X86_EMUL_DONE);
}
