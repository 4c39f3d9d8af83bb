/* SPDX-License-Identifier: MIT */
/*
 * Shared harness of the differential emulator tests that run instructions
 * natively and through the emulator on the same buffer below 4 GiB
 * (test_x86_emul_native.c, _compat.c, _mode16.c). Every test_*.c is its own
 * executable, so everything here is static.
 *
 * Before including: <criterion/criterion.h>, <string.h>, core/x86_emul.h,
 * BUF_SIZE (bytes of the data buffer) and HARNESS_SEED (xorshift seed).
 *
 * Provides the state (code page, buffer, copies of it, registers, segments,
 * environment, RAM-or-device switch), rnd(), the emulator callbacks `ops`
 * (identity translation; the code page is RAM, the buffer RAM unless
 * as_device), the candidate opcodes of the subset, gpr() and run_emulator().
 */
#ifndef LV_TESTS_X86_NATIVE_HARNESS_H
#define LV_TESTS_X86_NATIVE_HARNESS_H

static uint8_t *code, *buf, *init, *native_after;
static struct lv_regs regs;
static int as_device;
static struct lv_segs segs;
static struct lv_x86_env env;

static uint64_t rng = HARNESS_SEED;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* ---- emulator callbacks: identity translation; the buffer is RAM or a device ---- */

static int tr(void *c, uint64_t gla, uint32_t a, uint64_t *gpa, struct lv_x86_fault *f)
{
	(void)c;
	(void)a;
	(void)f;
	*gpa = gla;
	return 0;
}

static void *ram(void *c, uint64_t gpa, uint32_t len, uint32_t a)
{
	(void)c;
	(void)a;
	if (gpa >= (uintptr_t)code && gpa + len <= (uintptr_t)code + 4096)
		return (void *)(uintptr_t)gpa;
	if (!as_device && gpa >= (uintptr_t)buf && gpa + len <= (uintptr_t)buf + BUF_SIZE)
		return (void *)(uintptr_t)gpa;
	return NULL;
}

static int getr(void *c, struct lv_regs *r)
{
	(void)c;
	*r = regs;
	return 0;
}

static int setr(void *c, const struct lv_regs *r)
{
	(void)c;
	regs = *r;
	return 0;
}

static const struct lv_x86_emul_ops ops = { tr, ram, getr, setr };

/* A flat 4 GiB segment (32-bit, page granular) of @p type; unused by the 64-bit test. */
static inline void flat(struct lv_segment *s, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffffffffu;
	s->type = type;
	s->s = s->present = s->db = s->g = 1;
}

/* Candidate opcodes of the subset (one-byte map, or 0x0fXX). */
static const uint16_t opcodes[] = {
	0x00,	0x01,	0x02,	0x03,	0x08,	0x09,	0x0a,	0x0b,	0x10,	0x11,	0x12,
	0x13,	0x18,	0x19,	0x1a,	0x1b,	0x20,	0x21,	0x22,	0x23,	0x28,	0x29,
	0x2a,	0x2b,	0x30,	0x31,	0x32,	0x33,	0x38,	0x39,	0x3a,	0x3b,	0x80,
	0x81,	0x83,	0x84,	0x85,	0x86,	0x87,	0x88,	0x89,	0x8a,	0x8b,	0xa0,
	0xa1,	0xa2,	0xa3,	0xa4,	0xa5,	0xa6,	0xa7,	0xaa,	0xab,	0xac,	0xad,
	0xae,	0xaf,	0xc6,	0xc7,	0xf6,	0xf7,	0xfe,	0xff,	0x0fa3, 0x0fab, 0x0fb0,
	0x0fb1, 0x0fb3, 0x0fb6, 0x0fb7, 0x0fba, 0x0fbb, 0x0fbe, 0x0fbf, 0x0fc3,
};

/* General register @p n (0 = RAX .. 15 = R15, encoding order) of @p r. */
static uint64_t *gpr(struct lv_regs *r, unsigned n)
{
	static const uint8_t off[16] = { 0,  16, 24, 8,	 48, 56,  32,  40,
					 64, 72, 80, 88, 96, 104, 112, 120 };

	return (uint64_t *)((char *)r + off[n]);
}

/*
 * Emulate from RIP @p rip until RIP reaches @p rip + @p len (REP string
 * instructions take several steps, at most 64), serving device accesses
 * from the buffer; every device access must satisfy @p access_ok.
 */
static void run_emulator(uint64_t rip, unsigned len,
			 bool (*access_ok)(uint64_t addr, uint32_t size))
{
	struct lv_x86_emul em;
	uint64_t end = rip + len;
	int steps = 0;

	regs.rip = rip;
	do {
		int st;

		lv_x86_emul_init(&em, &ops, NULL, &env);
		st = lv_x86_emul_start(&em, NULL, 0);
		while (st == LV_X86_EMUL_ACCESS) {
			uint8_t *p = (uint8_t *)(uintptr_t)em.access.addr;

			cr_assert(as_device && !em.access.is_io);
			cr_assert(access_ok(em.access.addr, em.access.size));
			if (em.access.is_write)
				memcpy(p, em.access.data, em.access.size);
			else
				memcpy(em.access.data, p, em.access.size);
			st = lv_x86_emul_resume(&em);
		}
		cr_assert_eq(st, LV_X86_EMUL_DONE, "status %d", st);
	} while (regs.rip != end && ++steps < 64);
	cr_assert_eq(regs.rip, end);
}

/* The device access lies inside the buffer. */
static inline bool access_in_buffer(uint64_t addr, uint32_t size)
{
	return addr >= (uintptr_t)buf && addr + size <= (uintptr_t)buf + BUF_SIZE;
}

#endif
