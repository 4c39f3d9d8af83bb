/* SPDX-License-Identifier: MIT */
/*
 * Shared harness of the differential emulator tests that run instructions
 * natively and through the emulator on the same buffer below 4 GiB
 * (test_x86_emul_native.c, _compat.c, _mode16.c). Every test_*.c is its own
 * executable, so everything here is static.
 *
 * Before including: <criterion/criterion.h>, <stdio.h>, <string.h>,
 * core/x86_alu.h, core/x86_emul.h, BUF_SIZE (bytes of the data buffer) and
 * HARNESS_SEED (xorshift seed).
 *
 * Provides the state (code page, buffer, copies of it, registers, segments,
 * environment, RAM-or-device switch), rnd(), the emulator callbacks `ops`
 * (identity translation; the code page is RAM, the buffer RAM unless
 * as_device), the candidate opcodes of the subset, gpr(), run_emulator()
 * and compare_low32(), the comparison loop of the 32- and 16-bit tests,
 * which first probes in a child process whether this host runs such code
 * at all (skip_unless_host_runs()).
 */
#ifndef LV_TESTS_X86_NATIVE_HARNESS_H
#define LV_TESTS_X86_NATIVE_HARNESS_H

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "xorshift.h"

static uint8_t *code, *buf, *init, *native_after;
static struct lv_regs regs;
static int as_device;
static struct lv_segs segs;
static struct lv_x86_env env;

static uint64_t rng = HARNESS_SEED;

static uint64_t rnd(void)
{
	return lv_test_xorshift(&rng);
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

/*
 * Whether a decoded candidate is one the random comparisons run: the F6/F7/FF
 * group rows of x86_emul_arith.c and x86_emul_stack.c (MUL/IMUL/DIV/IDIV with
 * undefined flags and #DE, PUSH on the real stack) are left to
 * test_x86_emul_arith.c and test_x86_emul_stack.c.
 */
static inline bool harness_op_ok(const struct lv_x86_insn *in)
{
	return in->op < LV_X86_OP_BSF;
}

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

/* What the 32-bit (compatibility mode) and the 16-bit test differ in. */
struct low32_test {
	const char *mode;	  /* "32-bit" or "16-bit", for the log */
	unsigned want, max_tries; /* instructions to compare; generation attempts at most */
	/* One random instruction + epilogue in the code page, start registers in regs. */
	bool (*generate)(struct lv_x86_insn *in);
	void (*run_native)(struct lv_regs *regs);
	/* Writes the code that stores the registers and jumps back; returns its length. */
	unsigned (*epilogue)(uint8_t *p);
	/* Where the native epilogue stored EAX..EDI and EFLAGS (9 dwords, ESP unused). */
	const uint8_t *out;
	uint64_t rip;	/* the emulator's start RIP (the offset of the code page in CS) */
	size_t mem_len; /* bytes of the buffer that must match from its start */
};

/*
 * Some host kernels refuse 32-bit compatibility-mode or 16-bit user code:
 * seen on a Firecracker guest (Linux 6.18), whose kernel kills the process
 * on the far return to selector 0x23 or to a 16-bit LDT code segment. So
 * first run one NOP and the epilogue natively in a child process. If the
 * child does not come back cleanly, print "SKIP: <reason>" (CTest's
 * SKIP_REGULAR_EXPRESSION for these tests) and skip: this host cannot be the
 * reference. A host that runs the probe gets the full comparison.
 */
static inline void skip_unless_host_runs(const struct low32_test *t)
{
	char why[160];
	int wstatus;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	cr_assert_neq(pid, -1, "fork failed");
	if (pid == 0) {
		struct lv_regs r;

		/* Die of the signal itself, not through a sanitizer's handler. */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		signal(SIGILL, SIG_DFL);
		memset(&r, 0, sizeof(r));
		r.rflags = 0x202;
		code[0] = 0x90; /* nop */
		t->epilogue(code + 1);
		t->run_native(&r);
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &wstatus, 0), pid);
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
		return;
	if (WIFSIGNALED(wstatus))
		snprintf(why, sizeof(why),
			 "this host kernel does not run %s user code (the probe child was killed "
			 "by signal %d, %s, on entering it)",
			 t->mode, WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
	else
		snprintf(why, sizeof(why),
			 "this host kernel does not run %s user code (the probe child exited %d)",
			 t->mode, WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
	printf("SKIP: %s\n", why);
	fflush(stdout);
	cr_skip_test("%s", why);
}

/*
 * Until @p t->want instructions were compared (or @p t->max_tries generated):
 * generate one, randomise the buffer, run it natively, then through the
 * emulator with the same registers and buffer, once as RAM and once as a
 * device. The low 32 bits of EAX..EDI (ESP excepted), the arithmetic flags
 * and DF (BT*: CF, ZF and DF; the others are undefined) and the first
 * @p t->mem_len bytes of the buffer must match.
 */
static inline void compare_low32(const struct low32_test *t)
{
	unsigned done = 0, tries = 0;

	skip_unless_host_runs(t);

	while (done < t->want && tries < t->max_tries) {
		struct lv_x86_insn in;
		struct lv_regs start;
		uint32_t out[9];
		uint64_t fmask = LV_X86_ARITH_FLAGS | LV_X86_DF;
		char hex[48] = "";

		tries++;
		if (!t->generate(&in))
			continue;
		for (unsigned i = 0; i < in.len; i++)
			sprintf(hex + 3 * i, "%02x ", code[i]);
		for (unsigned i = 0; i < BUF_SIZE; i++)
			buf[i] = (uint8_t)rnd();
		memcpy(init, buf, BUF_SIZE);
		start = regs;
		t->run_native(&regs);
		memcpy(out, t->out, sizeof(out));
		memcpy(native_after, buf, BUF_SIZE);
		if (in.op >= LV_X86_OP_BT && in.op <= LV_X86_OP_BTC)
			fmask = LV_X86_CF | LV_X86_ZF | LV_X86_DF;
		for (as_device = 0; as_device < 2; as_device++) {
			memcpy(buf, init, BUF_SIZE);
			regs = start;
			run_emulator(t->rip, in.len, access_in_buffer);
			for (unsigned r = 0; r < 8; r++) {
				if (r == 4)
					continue;
				cr_assert_eq((uint32_t)*gpr(&regs, r), out[r],
					     "%s(%s) dev=%d reg %u: emulator %#x cpu %#x", hex,
					     lv_x86_op_name(in.op), as_device, r,
					     (uint32_t)*gpr(&regs, r), out[r]);
			}
			cr_assert_eq(regs.rflags & fmask, out[8] & fmask,
				     "%s(%s) dev=%d flags emulator %#lx cpu %#x", hex,
				     lv_x86_op_name(in.op), as_device, (unsigned long)regs.rflags,
				     out[8]);
			cr_assert_eq(memcmp(buf, native_after, t->mem_len), 0,
				     "%s(%s): memory differs", hex, lv_x86_op_name(in.op));
		}
		done++;
	}
	cr_log_info("%u instructions compared in %s mode (%u generated)", done, t->mode, tries);
	cr_assert_eq(done, t->want, "only %u of %u instructions compared in %s mode (%u generated)",
		     done, t->want, t->mode, tries);
}

#endif
