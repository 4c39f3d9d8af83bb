/* SPDX-License-Identifier: MIT */
/*
 * Decoder throughput against Zydis on the same buffer, in the same run,
 * plus decode+emulate time per MMIO instruction.
 *
 * The buffer holds instructions of the supported subset (64-bit mode),
 * generated from random prefixes/opcodes/ModRM and kept when our decoder
 * accepts them. Each decoder walks the whole buffer; the best of several
 * rounds is reported (the machine is shared and noisy: compare ratios).
 * Zydis is timed twice: full decode with operands (what our decoder
 * returns) and the instruction-only mode.
 *
 * Usage: bench_decode [rounds]
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <Zydis/Zydis.h>

#include "core/x86_emul.h"

#define BUF_INSNS 8192

static uint8_t buf[BUF_INSNS * 15];
static size_t buf_len, n_insns;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void build_buffer(void)
{
	static const uint8_t opc[] = { 0x88, 0x89, 0x8a, 0x8b, 0xc6, 0xc7, 0x01, 0x09,
				       0x21, 0x31, 0x39, 0x81, 0x83, 0x85, 0x87, 0xf7,
				       0xff, 0xa4, 0xa5, 0xab, 0xad, 0xa1, 0xa3 };
	static const uint8_t pfx[] = { 0x66, 0x48, 0x4c, 0x41, 0xf3, 0x67, 0x64, 0xf0 };

	while (n_insns < BUF_INSNS) {
		uint8_t b[16];
		struct lv_x86_insn in;
		size_t k = 0;

		for (int i = 0; i < 16; i++)
			b[i] = (uint8_t)rnd();
		if (rnd() & 1)
			b[k++] = pfx[rnd() % sizeof(pfx)];
		if ((rnd() & 7) == 0) {
			static const uint8_t two[] = { 0xb6, 0xb7, 0xbe, 0xbf, 0xab, 0xb1, 0xa3 };

			b[k++] = 0x0f;
			b[k++] = two[rnd() % sizeof(two)];
		} else {
			b[k++] = opc[rnd() % sizeof(opc)];
		}
		if (lv_x86_decode(b, 15, LV_X86_MODE_64, &in) != LV_X86_DEC_OK)
			continue;
		memcpy(buf + buf_len, b, in.len);
		buf_len += in.len;
		n_insns++;
	}
}

static double time_ours(void)
{
	struct lv_x86_insn in;
	size_t off = 0, n = 0;
	double t0 = now();

	while (off < buf_len) {
		if (lv_x86_decode(buf + off, buf_len - off, LV_X86_MODE_64, &in) != LV_X86_DEC_OK)
			abort();
		off += in.len;
		n++;
	}
	if (n != n_insns)
		abort();
	return now() - t0;
}

static double time_zydis(const ZydisDecoder *dec, int full)
{
	ZydisDecodedInstruction zi;
	ZydisDecodedOperand zo[ZYDIS_MAX_OPERAND_COUNT];
	size_t off = 0, n = 0;
	double t0 = now();

	while (off < buf_len) {
		ZyanStatus s = full ? ZydisDecoderDecodeFull(dec, buf + off, buf_len - off, &zi, zo)
				    : ZydisDecoderDecodeInstruction(dec, NULL, buf + off,
								    buf_len - off, &zi);

		if (!ZYAN_SUCCESS(s))
			abort();
		off += zi.length;
		n++;
	}
	if (n != n_insns)
		abort();
	return now() - t0;
}

/* ---- emulation: a flat 64-bit guest with RAM at 0 and a device at 1 MiB ---- */

static uint8_t ram[0x10000];
static struct lv_regs regs;

static int tr(void *c, uint64_t gla, uint32_t a, uint64_t *gpa, struct lv_x86_fault *f)
{
	(void)c;
	(void)a;
	(void)f;
	*gpa = gla;
	return 0;
}

static void *ramp(void *c, uint64_t gpa, uint32_t len, uint32_t a)
{
	(void)c;
	(void)a;
	return gpa + len <= sizeof(ram) ? &ram[gpa] : NULL;
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

static const struct lv_x86_emul_ops ops = { tr, ramp, getr, setr };

/* ns per emulated instruction, including every device-access round (data from a register). */
static double time_emulate(const char *code, size_t len, unsigned iters, unsigned *accesses)
{
	struct lv_segs segs;
	struct lv_x86_env env = { .mode = LV_X86_MODE_64, .pe = 1, .segs = &segs };
	struct lv_x86_emul em;
	double t0;
	unsigned acc = 0;

	memset(&segs, 0, sizeof(segs));
	memcpy(&ram[0x1000], code, len);
	t0 = now();
	for (unsigned i = 0; i < iters; i++) {
		int st;

		regs.rip = 0x1000;
		regs.rbx = 0x100000;
		regs.rsi = 0x2000;
		regs.rdi = 0x100000;
		regs.rcx = 5;
		lv_x86_emul_init(&em, &ops, NULL, &env);
		st = lv_x86_emul_start(&em, NULL, 0);
		while (st == LV_X86_EMUL_ACCESS) {
			if (!em.access.is_write)
				memset(em.access.data, 0x5a, em.access.size);
			acc++;
			st = lv_x86_emul_resume(&em);
		}
		if (st != LV_X86_EMUL_DONE)
			abort();
	}
	*accesses = acc / iters;
	return (now() - t0) / iters * 1e9;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 15;
	double best_ours = 1e9, best_zfull = 1e9, best_zinsn = 1e9;
	ZydisDecoder dec;
	static const struct {
		const char *name, *code;
		size_t len;
	} emu[] = {
		{ "mov [rbx], ecx (write)", "\x89\x0b", 2 },
		{ "mov eax, [rbx] (read)", "\x8b\x03", 2 },
		{ "movzx eax, byte [rbx]", "\x0f\xb6\x03", 3 },
		{ "or dword [rbx], 5 (read+write)", "\x83\x0b\x05", 3 },
		{ "lock cmpxchg [rbx], ecx", "\xf0\x0f\xb1\x0b", 4 },
		{ "rep movsb RAM->dev (1 element)", "\xf3\xa4", 2 },
	};

	ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
	build_buffer();
	for (int r = 0; r < rounds; r++) {
		double t = time_ours();

		best_ours = t < best_ours ? t : best_ours;
		t = time_zydis(&dec, 1);
		best_zfull = t < best_zfull ? t : best_zfull;
		t = time_zydis(&dec, 0);
		best_zinsn = t < best_zinsn ? t : best_zinsn;
	}
	printf("decode: %zu instructions (%zu bytes), best of %d rounds\n", n_insns, buf_len,
	       rounds);
	printf("  libvcpu          %7.1f ns/insn  %8.1f M insn/s\n", best_ours / n_insns * 1e9,
	       n_insns / best_ours / 1e6);
	printf("  zydis full       %7.1f ns/insn  %8.1f M insn/s\n", best_zfull / n_insns * 1e9,
	       n_insns / best_zfull / 1e6);
	printf("  zydis insn only  %7.1f ns/insn  %8.1f M insn/s\n", best_zinsn / n_insns * 1e9,
	       n_insns / best_zinsn / 1e6);
	printf("  throughput ratio vs zydis full: %.2fx, vs zydis instruction-only: %.2fx "
	       "(target >= 1.5x)\n",
	       best_zfull / best_ours, best_zinsn / best_ours);
	printf("decode+emulate per MMIO instruction (fetch, decode, execute, all access "
	       "rounds):\n");
	for (size_t i = 0; i < sizeof(emu) / sizeof(emu[0]); i++) {
		unsigned acc;
		double best = 1e9;

		for (int r = 0; r < 5; r++) {
			double t = time_emulate(emu[i].code, emu[i].len, 200000, &acc);

			best = t < best ? t : best;
		}
		printf("  %-34s %6.1f ns  (%u device accesses)\n", emu[i].name, best, acc);
	}
	return 0;
}
